#include "tests/cli_support.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return calloc(1, 1);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static cli_result run_prefixed_prog(const char *prefix, const char *prog, const char *args)
{
    cli_result r = {-1, NULL, NULL};
    char out[64], err[64];
    snprintf(out, sizeof out, "/tmp/axsearch-cli-%ld.out", (long)getpid());
    snprintf(err, sizeof err, "/tmp/axsearch-cli-%ld.err", (long)getpid());
    size_t len = strlen(prefix) + strlen(prog) + strlen(args) + 2 * sizeof out + 32;
    char *cmd = malloc(len);
    snprintf(cmd, len, "%s'%s' %s >%s 2>%s", prefix, prog, args, out, err);
    int st = system(cmd);
    free(cmd);
    r.status = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    remove(out);
    remove(err);
    return r;
}

static cli_result run_prefixed(const char *prefix, const char *args)
{
    const char *prog = getenv("AXSEARCH");
    return run_prefixed_prog(prefix, prog ? prog : "./axsearch", args);
}

cli_result cli_run_mpi(int ranks, int seconds, const char *args)
{
    const char *prog = getenv("AXSEARCH_MPI");
    char prefix[96];
    snprintf(prefix, sizeof prefix, "timeout -k 2 %d mpirun -np %d --oversubscribe --bind-to none ", seconds, ranks);
    return run_prefixed_prog(prefix, prog ? prog : "./axsearch", args);
}

cli_result cli_run(const char *args)
{
    return run_prefixed("", args);
}

cli_result cli_run_within(const char *args, int seconds)
{
    char prefix[48];
    snprintf(prefix, sizeof prefix, "timeout -k 2 %d ", seconds);
    return run_prefixed(prefix, args);
}

void cli_result_free(cli_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

const char *cli_last_line(const char *text)
{
    static char line[4096];
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        n--;
    size_t start = n;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    size_t len = n - start < sizeof line - 1 ? n - start : sizeof line - 1;
    memcpy(line, text + start, len);
    line[len] = '\0';
    return line;
}

char *cli_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fclose(f);
    return slurp(path);
}

const char *cli_first_difference(const char *a, const char *b, const char *const *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t la = strlen(a) + strlen(files[i]) + 2, lb = strlen(b) + strlen(files[i]) + 2;
        char *pa = malloc(la), *pb = malloc(lb);
        char *x = NULL, *y = NULL;
        if (pa && pb) {
            snprintf(pa, la, "%s/%s", a, files[i]);
            snprintf(pb, lb, "%s/%s", b, files[i]);
            x = cli_read_file(pa);
            y = cli_read_file(pb);
        }
        int same = x && y && !strcmp(x, y);
        free(pa);
        free(pb);
        free(x);
        free(y);
        if (!same)
            return files[i];
    }
    return NULL;
}

int cli_run_status(const char *fmt, ...)
{
    char args[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    cli_result r = cli_run(args);
    int status = r.status;
    if (status != 0)
        fprintf(stderr, "axsearch %s -> %d\n%s\n", args, status, r.err ? r.err : "");
    cli_result_free(&r);
    return status;
}

int cli_temp_dir(char *templ)
{
    return mkdtemp(templ) ? 0 : -1;
}

int cli_remove_tree(const char *dir)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}
