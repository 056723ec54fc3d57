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
            "                       [--no-baselines] [--exhaustive] [--rank-timeout S]\n"
            "       axsearch search --defaults        (every configuration key, documented)\n"
            "Writes RUN/config.ini (resolved), log.txt, history.tsv and checkpoint.bin every\n"
            "generation, then front.tsv, evaluations.tsv, baselines.tsv and summary.tsv.\n"
            "Ctrl-C stops after the current chromosome (exit 130); axsearch resume RUN\n"
            "continues. --exhaustive scores the whole (small) space: the true front.\n"
            "Under mpirun (make MPI=1), rank 0 searches and the other ranks score;\n"
            "a rank silent with work for --rank-timeout S (1800) stops the run.\n");
}

/* The largest space --exhaustive scores. */
#define EXHAUSTIVE_MAX 2e6

typedef struct search_opts {
    const char *config, *out;
    overrides ov;
    int exhaustive;
} search_opts;

static int search_cmd_parse(int argc, char **argv, search_opts *o)
{
    o->out = NULL;
    o->exhaustive = 0;
    int first = search_parse_overrides(argc, argv, "search", &o->out, &o->ov, &o->exhaustive);
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
    if (o->ov.allow_change) {
        fprintf(stderr, "axsearch search: --allow-change is for resume\n");
        return 2;
    }
    if (first != argc - 1 || !o->out) {
        fprintf(stderr, "axsearch search: expected CONFIG and --out RUN\n");
        usage(stderr);
        return 2;
    }
    o->config = argv[first];
    return ARGS_RUN;
}

/* Everything is built and checked before the run folder exists, so a bad
 * configuration leaves nothing behind. On success e is open (the caller
 * closes it). */
static int search_cmd_prepare(const search_opts *o, scfg *c, run_env *e, volatile sig_atomic_t *stop,
                              ax_err *err)
{
    scfg_defaults(c);
    int rc = scfg_load(o->config, c, err);
    if (rc == AX_OK)
        rc = search_apply_overrides(c, &o->ov, o->config, err);
    if (rc != AX_OK)
        return rc;
    search_catch_signals(stop);
    rc = run_env_open(e, c, stop, err);
    if (rc == AX_OK)
        rc = search_distribute(e, &o->ov, err);
    if (rc == AX_OK && o->exhaustive)
        rc = search_exhaustive_fits(e, EXHAUSTIVE_MAX, err);
    if (rc == AX_OK)
        rc = search_make_folder(o->out, err);
    if (rc != AX_OK && e->fit)
        run_env_close(e);
    return rc;
}

/* The run folder's config.ini and log, then the search itself. */
static int search_cmd_run(const search_opts *o, const scfg *c, run_env *e, ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, o->out, "config.ini");
    int rc = scfg_write(c, path, err);
    if (rc == AX_OK)
        rc = search_open_log(e, o->out, err);
    if (rc == AX_OK)
        rc = o->exhaustive ? search_exhaustive(e, o->out, EXHAUSTIVE_MAX, err) : search_run(e, o->out, 0, NULL, err);
    return rc;
}

int cmd_search(int argc, char **argv)
{
    search_opts o;
    int status = search_cmd_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    static volatile sig_atomic_t stop;
    ax_err err = {0};
    scfg c;
    run_env e;
    memset(&e, 0, sizeof e);
    int rc = search_cmd_prepare(&o, &c, &e, &stop, &err);
    if (rc != AX_OK) {
        fprintf(stderr, "axsearch search: %s\n", err.msg);
        return rc == AX_EINPUT ? 2 : 1;
    }
    rc = search_cmd_run(&o, &c, &e, &err);
    run_env_close(&e);
    return args_exit("search", rc, &err);
}
