/* axsearch plot: runs the gnuplot scripts of plots/ on a run folder and
 * writes RUN/plots/{front,hv,heatmap,breakdown}.{png,svg}. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Reads max_drop from the run's config.ini, and the layer count from the
 * header of front.tsv. */
static void run_facts(const char *run, double *max_drop, int *layers)
{
    char path[SCFG_PATH + 32];
    scfg c;
    scfg_defaults(&c);
    snprintf(path, sizeof path, "%s/config.ini", run);
    ax_err err;
    *max_drop = scfg_load(path, &c, &err) == AX_OK ? c.max_drop : 1.0;
    *layers = 0;
    snprintf(path, sizeof path, "%s/front.tsv", run);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[8192];
    if (fgets(line, sizeof line, f))
        for (char *p = strtok(line, "\t\n"); p; p = strtok(NULL, "\t\n"))
            if (p[0] == 'L' && p[1] >= '0' && p[1] <= '9')
                (*layers)++;
    fclose(f);
}

int cmd_plot(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
                "usage: axsearch plot RUN\nWrites RUN/plots/{front,hv,heatmap,breakdown}.{png,svg} with gnuplot.\n");
        return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    const char *run = argv[1];
    char path[SCFG_PATH + 64];
    static const char *const needed[] = {"front.tsv", "history.tsv"};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", run, needed[i]);
        if (access(path, R_OK) != 0) {
            fprintf(stderr, "axsearch plot: %s: %s (is %s a finished run folder?)\n", path, strerror(errno), run);
            return 2;
        }
    }
    snprintf(path, sizeof path, "%s/plots", run);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "axsearch plot: %s: %s\n", path, strerror(errno));
        return 2;
    }
    char dir[1024];
    plots_dir(dir);
    double max_drop;
    int layers;
    run_facts(run, &max_drop, &layers);
    snprintf(path, sizeof path, "%s/baselines.tsv", run);
    int hasbase = access(path, R_OK) == 0;
    static const char *const figures[][2] = {
        {"front", "front.gp"}, {"hv", "hv.gp"}, {"heatmap", "heatmap.gp"}, {"breakdown", "run_breakdown.gp"}};
    static const char *const formats[] = {"png", "svg"};
    int failures = 0;
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
        for (size_t k = 0; k < 2; k++) {
            char defs[4 * SCFG_PATH], script[1200], out[SCFG_PATH + 64];
            snprintf(out, sizeof out, "%s/plots/%s.%s", run, figures[i][0], formats[k]);
            snprintf(defs, sizeof defs, "run='%s'; out='%s'; maxdrop=%g; layers=%d; hasbase=%d", run, out,
                     max_drop, layers > 0 ? layers : 1, hasbase);
            snprintf(script, sizeof script, "%s/%s", dir, figures[i][1]);
            int rc = gnuplot(defs, script);
            if (rc != 0) {
                fprintf(stderr, "axsearch plot: gnuplot %s failed (status %d)%s\n", script, rc,
                        rc == 127 ? ": is gnuplot installed? (make deps)" : "");
                failures++;
            } else {
                printf("%s\n", out);
            }
        }
    return failures ? 1 : 0;
}
