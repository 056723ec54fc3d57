/* axsearch search: the NSGA-II search of an approximate accelerator, from a
 * configuration file into a run folder. */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/scfg.h"
#include "cli/search.h"
#include "util/fileio.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsearch search CONFIG --out RUN [--gens N] [--pop N] [--seed S] [--threads T]\n"
            "                       [--reps R] [--time-limit S] [--val-images N] [--test-images N]\n"
            "                       [--no-baselines] [--exhaustive]\n"
            "       axsearch search --defaults        (every configuration key, documented)\n"
            "Writes RUN/config.ini (resolved), log.txt, history.tsv and checkpoint.bin every\n"
            "generation, then front.tsv, evaluations.tsv, baselines.tsv and summary.tsv.\n"
            "Ctrl-C stops after the current chromosome (exit 130); axsearch resume RUN\n"
            "continues. --exhaustive scores the whole (small) space: the true front.\n");
}

/* The largest space --exhaustive scores. */
#define EXHAUSTIVE_MAX 2e6

int cmd_search(int argc, char **argv)
{
    const char *out = NULL;
    overrides o;
    int exhaustive = 0;
    int first = search_parse_overrides(argc, argv, "search", &out, &o, &exhaustive);
    if (first == -2)
        return 0;
    if (first == -3) {
        usage(stdout);
        return 0;
    }
    if (first < 0) {
        usage(stderr);
        return 2;
    }
    if (first != argc - 1 || !out) {
        fprintf(stderr, "axsearch search: expected CONFIG and --out RUN\n");
        usage(stderr);
        return 2;
    }
    ax_err err = {0};
    scfg c;
    scfg_defaults(&c);
    int rc = scfg_load(argv[first], &c, &err);
    if (rc == AX_OK)
        rc = search_apply_overrides(&c, &o, argv[first], &err);
    if (rc != AX_OK) {
        fprintf(stderr, "axsearch search: %s\n", err.msg);
        return rc == AX_EINPUT ? 2 : 1;
    }
    static volatile sig_atomic_t stop;
    search_catch_signals(&stop);
    /* Everything is built and checked before the run folder exists, so a
     * bad configuration leaves nothing behind. */
    run_env e;
    rc = run_env_open(&e, &c, &stop, &err);
    if (rc == AX_OK && exhaustive)
        rc = search_exhaustive_fits(&e, EXHAUSTIVE_MAX, &err);
    if (rc == AX_OK)
        rc = search_make_folder(out, &err);
    if (rc != AX_OK) {
        fprintf(stderr, "axsearch search: %s\n", err.msg);
        if (e.fit)
            run_env_close(&e);
        return rc == AX_EINPUT ? 2 : 1;
    }
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, out, "config.ini");
    rc = scfg_write(&c, path, &err);
    if (rc == AX_OK)
        rc = search_open_log(&e, out, &err);
    if (rc == AX_OK)
        rc = exhaustive ? search_exhaustive(&e, out, EXHAUSTIVE_MAX, &err) : search_run(&e, out, 0, &err);
    run_env_close(&e);
    return args_exit("search", rc, &err);
}
