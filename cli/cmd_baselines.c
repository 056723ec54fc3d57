/* axsearch baselines: the reference points a search is judged against —
 * the exact design, each library multiplier in every layer, each voltage
 * knob alone, random search and a multiplier-only NSGA-II with the
 * configured budget — into RUN/baselines.tsv and RUN/summary.tsv. */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/baselines.h"
#include "cli/commands.h"
#include "cli/scfg.h"
#include "cli/search.h"
#include "util/fileio.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsearch baselines CONFIG --out RUN [--gens N] [--pop N] [--seed S] [--threads T]\n"
            "                          [--reps R] [--val-images N]\n"
            "Random search gets population x generations chromosomes; the multiplier-only\n"
            "NSGA-II the configured population and generations. A stopped or killed run\n"
            "continues with: axsearch resume RUN [--threads T]\n"
            "Under mpirun (make MPI=1) the other ranks score (--rank-timeout S, 1800).\n");
}

typedef struct baselines_opts {
    const char *config, *out;
    overrides ov;
} baselines_opts;

static int baselines_parse(int argc, char **argv, baselines_opts *o)
{
    o->out = NULL;
    int first = search_parse_overrides(argc, argv, "baselines", &o->out, &o->ov, NULL);
    if (first == -2)
        return 0;
    if (first < 0 || first != argc - 1 || !o->out) {
        usage(first == -3 ? stdout : stderr);
        return first == -3 ? 0 : 2;
    }
    o->config = argv[first];
    return ARGS_RUN;
}

/* The configuration into RUN/config.ini, then the baselines. */
static int baselines_run(const baselines_opts *o, ax_err *err)
{
    scfg c;
    scfg_defaults(&c);
    int rc = scfg_load(o->config, &c, err);
    if (rc == AX_OK)
        rc = search_apply_overrides(&c, &o->ov, o->config, err);
    static volatile sig_atomic_t stop;
    search_catch_signals(&stop);
    run_env e;
    memset(&e, 0, sizeof e);
    if (rc == AX_OK)
        rc = run_env_open(&e, &c, &stop, err);
    if (rc == AX_OK)
        rc = search_distribute(&e, &o->ov, err);
    if (rc != AX_OK) {
        run_env_close(&e);
        return rc;
    }
    rc = search_make_folder(o->out, err);
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, o->out, "config.ini");
    if (rc == AX_OK)
        rc = scfg_write(&c, path, err);
    if (rc == AX_OK)
        rc = search_open_log(&e, o->out, err);
    if (rc == AX_OK)
        rc = bl_run(&e, o->out, c.population * c.generations, -1, NULL, err);
    run_env_close(&e);
    return rc;
}

int cmd_baselines(int argc, char **argv)
{
    baselines_opts o;
    int status = baselines_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    ax_err err = {0};
    return args_exit("baselines", baselines_run(&o, &err), &err);
}
