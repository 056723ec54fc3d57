/* axsearch resume: continues a search from its run folder (config.ini and
 * the last generation's checkpoint), or the baselines of a standalone
 * `axsearch baselines` run (config.ini and baselines.bin, no checkpoint).
 * The final files are byte for byte those of a run that never stopped. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/baselines.h"
#include "cli/commands.h"
#include "cli/scfg.h"
#include "cli/search.h"
#include "util/fileio.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: axsearch resume RUN [--gens N] [--threads T] [--time-limit S] [--no-baselines]\n"
                 "                      [--allow-change KEYS] [--rank-timeout S]\n"
                 "Continues a search (from RUN/checkpoint.bin) or a baselines run (from\n"
                 "RUN/baselines.bin); --gens extends a search's budget. RUN/config.ini may\n"
                 "change only in generations, threads, time_limit, baselines,\n"
                 "prefix_cache_mb and memory_mb; a search refuses other changes, naming the\n"
                 "keys, unless\n"
                 "--allow-change lists them (comma list, e.g. max_drop,val_images).\n");
}

typedef struct resume_opts {
    const char *dir;
    overrides ov;
    int baselines_only; /* dir holds a standalone `axsearch baselines` run */
} resume_opts;

/* A search writes checkpoint.bin and history.tsv before its baselines
 * write baselines.bin, so baselines.bin without them means a baselines
 * run. */
static int holds_baselines_only(const char *dir)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "checkpoint.bin");
    int baselines_only = access(path, F_OK) != 0;
    fio_join(path, sizeof path, dir, "history.tsv");
    baselines_only = baselines_only && access(path, F_OK) != 0;
    fio_join(path, sizeof path, dir, "baselines.bin");
    return baselines_only && access(path, F_OK) == 0;
}

/* Only what may change when resuming: the budget and the machine. */
static int resume_check(resume_opts *o)
{
    const overrides *v = &o->ov;
    if (v->pop > 0 || v->seed_given || v->reps > 0 || v->val > 0 || v->test > 0) {
        fprintf(stderr, "axsearch resume: only --gens, --threads, --time-limit and --no-baselines may "
                        "change when resuming\n");
        return 2;
    }
    o->baselines_only = holds_baselines_only(o->dir);
    if (o->baselines_only && (v->gens > 0 || v->time_limit >= 0 || v->no_baselines || v->allow_change)) {
        fprintf(stderr, "axsearch resume: %s holds the baselines of `axsearch baselines`; only --threads may "
                        "change when resuming them\n", o->dir);
        return 2;
    }
    return ARGS_RUN;
}

static int resume_parse(int argc, char **argv, resume_opts *o)
{
    const char *out = NULL;
    int first = search_parse_overrides(argc, argv, "resume", &out, &o->ov, NULL);
    if (first == -2)
        return 0;
    if (first >= 0 && first < argc - 1)
        fprintf(stderr, "axsearch resume: unexpected argument '%s'\n", argv[first + 1]);
    else if (first >= 0 && out)
        fprintf(stderr, "axsearch resume: --out is not for resume (the run folder is its argument)\n");
    if (first < 0 || first == -3 || first != argc - 1 || out) {
        usage(first == -3 ? stdout : stderr);
        return first == -3 ? 0 : 2;
    }
    o->dir = argv[first];
    return resume_check(o);
}

/* The run's config.ini with the options over it. */
static int resume_config(const resume_opts *o, scfg *c, ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, o->dir, "config.ini");
    scfg_defaults(c);
    int rc = scfg_load(path, c, err);
    if (rc != AX_OK)
        return rc;
    if (o->ov.gens > 0)
        c->generations = o->ov.gens;
    if (o->ov.threads >= 0)
        c->threads = o->ov.threads;
    if (o->ov.time_limit >= 0)
        c->time_limit = o->ov.time_limit;
    if (o->ov.no_baselines)
        c->baselines = 0;
    return AX_OK;
}

static int resume_run(const resume_opts *o, ax_err *err)
{
    scfg c;
    int rc = resume_config(o, &c, err);
    static volatile sig_atomic_t stop;
    search_catch_signals(&stop);
    run_env e;
    memset(&e, 0, sizeof e);
    if (rc == AX_OK && (c.baselines || o->baselines_only))
        rc = bl_check_file(o->dir, err);
    if (rc == AX_OK)
        rc = run_env_open(&e, &c, &stop, err);
    if (rc == AX_OK)
        rc = search_distribute(&e, &o->ov, err);
    if (rc != AX_OK) {
        run_env_close(&e);
        return rc;
    }
    rc = search_open_log(&e, o->dir, err);
    if (rc == AX_OK && o->baselines_only)
        rc = bl_run(&e, o->dir, c.population * c.generations, -1, NULL, err);
    else if (rc == AX_OK)
        rc = search_run(&e, o->dir, 1, o->ov.allow_change, err);
    run_env_close(&e);
    return rc;
}

int cmd_resume(int argc, char **argv)
{
    resume_opts o;
    int status = resume_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    ax_err err = {0};
    return args_exit("resume", resume_run(&o, &err), &err);
}
