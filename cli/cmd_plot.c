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

/* Checks that path is a TSV file with a header naming every column of
 * cols and at least one data row. Prints the problem; 0 when fine. */
static int check_table(const char *path, const char *const *cols, int n_cols)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "axsearch plot: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char header[8192], row[8192];
    int ok = fgets(header, sizeof header, f) != NULL, rows = ok && fgets(row, sizeof row, f) != NULL;
    fclose(f);
    if (!ok) {
        fprintf(stderr, "axsearch plot: %s: empty or unreadable\n", path);
        return -1;
    }
    for (int i = 0; i < n_cols; i++) {
        size_t len = strlen(cols[i]);
        const char *p = header;
        int found = 0;
        while (!found && (p = strstr(p, cols[i])) != NULL) {
            found = (p == header || p[-1] == '\t') && (p[len] == '\t' || p[len] == '\n' || p[len] == '\r');
            p += len;
        }
        if (!found) {
            fprintf(stderr, "axsearch plot: %s: no column '%s' in its header (not written by axsearch?)\n", path,
                    cols[i]);
            return -1;
        }
    }
    if (!rows) {
        fprintf(stderr, "axsearch plot: %s: no data rows\n", path);
        return -1;
    }
    return 0;
}

/* Reads max_drop from the run's config.ini, and the layer count from the
 * header of front.tsv. */
static int run_facts(const char *run, double *max_drop, int *layers)
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
    *layers = 0;
    snprintf(path, sizeof path, "%s/front.tsv", run);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[8192];
    if (fgets(line, sizeof line, f))
        for (char *p = strtok(line, "\t\n"); p; p = strtok(NULL, "\t\n"))
            if (p[0] == 'L' && p[1] >= '0' && p[1] <= '9')
                (*layers)++;
    fclose(f);
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
    static const char *const front_cols[] = {"energy_uj", "confirm_drop_pp", "confirm_drop_se", "confirm_drop_ucb",
                                             "test_drop_pp", "test_drop_se", "energy_saved_pct"};
    static const char *const hist_cols[] = {"gen", "evals", "hv"};
    snprintf(path, sizeof path, "%s/front.tsv", run);
    if (check_table(path, front_cols, 7) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/history.tsv", run);
    if (check_table(path, hist_cols, 3) != 0)
        return -1;
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

/* Does baselines.tsv exist (*hasbase), and is it a good table? */
static int plot_baselines(const char *run, int *hasbase)
{
    char path[SCFG_PATH + 64];
    snprintf(path, sizeof path, "%s/baselines.tsv", run);
    static const char *const base_cols[] = {"baseline", "energy_uj", "drop_pp"};
    *hasbase = access(path, F_OK) == 0;
    return *hasbase && check_table(path, base_cols, 3) != 0 ? -1 : 0;
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

/* Every figure in both formats; the exit status. */
static int plot_run(const plot_opts *o)
{
    plot_facts f;
    if (plot_check(o->run) != 0)
        return 2;
    plots_dir(f.dir);
    if (run_facts(o->run, &f.max_drop, &f.layers) != 0 || plot_baselines(o->run, &f.hasbase) != 0)
        return 2;
    static const char *const figures[][2] = {
        {"front", "front.gp"}, {"hv", "hv.gp"}, {"heatmap", "heatmap.gp"}, {"breakdown", "run_breakdown.gp"}};
    static const char *const formats[] = {"png", "svg"};
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
