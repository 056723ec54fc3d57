/* axsearch plot: runs the gnuplot scripts of plots/ on a run folder and
 * writes RUN/plots/{front,hv,heatmap,breakdown}.{png,svg}. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/ptab.h"
#include "cli/scfg.h"

/* The folder holding the gnuplot scripts: $AXSEARCH_PLOTS, or plots/ next
 * to the program, or ./plots. */
static void plots_dir(char out[1024])
{
    const char *env = getenv("AXSEARCH_PLOTS");
    if (env && env[0]) {
        snprintf(out, 1024, "%s", env);
        return;
    }
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(out, 1024, "%s/plots", exe);
            char probe[1200];
            snprintf(probe, sizeof probe, "%s/front.gp", out);
            if (access(probe, R_OK) == 0)
                return;
            /* build/axsearch: the scripts are one level up */
            snprintf(out, 1024, "%s/../plots", exe);
            snprintf(probe, sizeof probe, "%s/front.gp", out);
            if (access(probe, R_OK) == 0)
                return;
        }
    }
    snprintf(out, 1024, "plots");
}

/* Runs gnuplot with -e definitions on a script; 0 on success. */
static int gnuplot(const char *defs, const char *script)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execlp("gnuplot", "gnuplot", "-e", defs, script, (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Writes s into dst as the body of a gnuplot single-quoted string, where
 * '' stands for a quote: a folder name must not be able to end the string
 * and run commands (gnuplot's system()). Returns -1 when it does not fit or
 * holds a control character (a newline would end the -e command). */
static int gp_quote(char *dst, size_t size, const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || n + 3 > size)
            return -1;
        if (*s == '\'')
            dst[n++] = '\'';
        dst[n++] = *s;
    }
    dst[n] = '\0';
    return 0;
}

/* Reads max_drop from the run's config.ini. */
static int run_max_drop(const char *run, double *max_drop)
{
    char path[SCFG_PATH + 32];
    scfg c;
    scfg_defaults(&c);
    snprintf(path, sizeof path, "%s/config.ini", run);
    ax_err err = {0};
    if (scfg_load(path, &c, &err) != AX_OK) {
        fprintf(stderr, "axsearch plot: %s\n", err.msg);
        return -1;
    }
    *max_drop = c.max_drop;
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: axsearch plot RUN\nWrites RUN/plots/{front,hv,heatmap,breakdown}.{png,svg} with gnuplot.\n");
}

typedef struct plot_opts {
    const char *run;
    char qrun[2 * SCFG_PATH]; /* run quoted for gnuplot */
} plot_opts;

/* plot has no options, only RUN or --help spelled out, so its command line
 * is read by hand rather than with args_parse: a prefix such as --hel, or
 * an option after RUN, is refused as it always was. */
static int plot_parse(int argc, char **argv, plot_opts *o)
{
    int help = argc == 2 && !strcmp(argv[1], "--help");
    if (argc > 2 && argv[1][0] != '-')
        fprintf(stderr, "axsearch plot: unexpected argument '%s'\n", argv[2]);
    if (argc != 2 || argv[1][0] == '-') {
        usage(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    o->run = argv[1];
    if (gp_quote(o->qrun, sizeof o->qrun, o->run) != 0) {
        fprintf(stderr, "axsearch plot: %s: a folder name with control characters or too long\n", o->run);
        return 2;
    }
    return ARGS_RUN;
}

/* The run folder holds what the figures need, and RUN/plots exists.
 * Prints the problem; 0 when fine. */
static int plot_check(const char *run)
{
    char path[SCFG_PATH + 64];
    static const char *const needed[] = {"front.tsv", "history.tsv", "config.ini"};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", run, needed[i]);
        struct stat st;
        int missing = stat(path, &st) != 0;
        if (missing || !S_ISREG(st.st_mode)) {
            fprintf(stderr, "axsearch plot: %s: %s (is %s a finished run folder?)\n", path,
                    missing ? strerror(errno) : "not a regular file", run);
            return -1;
        }
    }
    snprintf(path, sizeof path, "%s/plots", run);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "axsearch plot: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "axsearch plot: %s: exists and is not a folder (the figures go there)\n", path);
        return -1;
    }
    return 0;
}

/* What each figure's script is told. */
typedef struct plot_facts {
    char dir[1024]; /* the scripts */
    double max_drop;
    int layers, hasbase;
} plot_facts;

/* Draws one figure (name, from script) in one format. gnuplot draws into
 * a temporary (same suffix: the scripts pick the terminal by it), renamed
 * when it succeeds, so a failed plot never replaces a good figure with a
 * broken one. Prints the figure's path, or the failure; returns -2 when
 * the temporary's name cannot be quoted, -3 when the figure's path cannot
 * be replaced (a folder, say: bad input), -1 when gnuplot fails, 0. */
static int plot_figure(const plot_opts *o, const plot_facts *f, const char *name, const char *script_name,
                       const char *format)
{
    char defs[6 * SCFG_PATH], script[1200], out[SCFG_PATH + 64], tmp[SCFG_PATH + 96], qtmp[2 * SCFG_PATH + 200];
    snprintf(out, sizeof out, "%s/plots/%s.%s", o->run, name, format);
    snprintf(tmp, sizeof tmp, "%s/plots/%s.tmp%ld.%s", o->run, name, (long)getpid(), format);
    if (gp_quote(qtmp, sizeof qtmp, tmp) != 0)
        return -2;
    snprintf(defs, sizeof defs, "run='%s'; out='%s'; maxdrop=%g; layers=%d; hasbase=%d", o->qrun, qtmp,
             f->max_drop, f->layers > 0 ? f->layers : 1, f->hasbase);
    snprintf(script, sizeof script, "%s/%s", f->dir, script_name);
    int rc = gnuplot(defs, script);
    if (rc == 0 && rename(tmp, out) != 0) {
        fprintf(stderr, "axsearch plot: %s: cannot replace it: %s\n", out, strerror(errno));
        unlink(tmp);
        return -3;
    }
    if (rc != 0) {
        unlink(tmp);
        fprintf(stderr, "axsearch plot: gnuplot %s failed (status %d)%s\n", script, rc,
                rc == 127 ? ": is gnuplot installed? (make deps)" : "");
        return -1;
    }
    printf("%s\n", out);
    return 0;
}

static const char *const figures[][2] = {
    {"front", "front.gp"}, {"hv", "hv.gp"}, {"heatmap", "heatmap.gp"}, {"breakdown", "run_breakdown.gp"}};
static const char *const formats[] = {"png", "svg"};

/* Each figure's path is free or a file to replace: checked before any
 * figure is drawn, so a bad path leaves every figure as it was. */
static int plot_targets_free(const char *run)
{
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
        for (size_t k = 0; k < 2; k++) {
            char path[SCFG_PATH + 64];
            struct stat st;
            snprintf(path, sizeof path, "%s/plots/%s.%s", run, figures[i][0], formats[k]);
            if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
                fprintf(stderr, "axsearch plot: %s: cannot replace it: not a regular file\n", path);
                return -1;
            }
        }
    return 0;
}

/* Every figure in both formats; the exit status. */
static int plot_run(const plot_opts *o)
{
    plot_facts f;
    if (plot_check(o->run) != 0 || plot_targets_free(o->run) != 0)
        return 2;
    plots_dir(f.dir);
    if (run_max_drop(o->run, &f.max_drop) != 0)
        return 2;
    ax_err err = {0};
    if (ptab_read(o->run, &f.layers, &f.hasbase, &err) != AX_OK) {
        fprintf(stderr, "axsearch plot: %s\n", err.msg);
        return 2;
    }
    int failures = 0, bad_paths = 0;
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
        for (size_t k = 0; k < 2; k++) {
            int rc = plot_figure(o, &f, figures[i][0], figures[i][1], formats[k]);
            if (rc == -2)
                return 2;
            bad_paths += rc == -3;
            failures += rc == -1;
        }
    return bad_paths ? 2 : failures ? 1 : 0;
}

int cmd_plot(int argc, char **argv)
{
    plot_opts o;
    int status = plot_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    return plot_run(&o);
}
