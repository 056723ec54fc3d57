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

int cmd_resume(int argc, char **argv)
{
    const char *out = NULL;
    overrides o;
    int first = search_parse_overrides(argc, argv, "resume", &out, &o, NULL);
    if (first == -2)
        return 0;
    if (first >= 0 && first < argc - 1)
        fprintf(stderr, "axsearch resume: unexpected argument '%s'\n", argv[first + 1]);
    else if (first >= 0 && out)
        fprintf(stderr, "axsearch resume: --out is not for resume (the run folder is its argument)\n");
    if (first < 0 || first == -3 || first != argc - 1 || out) {
        fprintf(first == -3 ? stdout : stderr,
                "usage: axsearch resume RUN [--gens N] [--threads T] [--time-limit S] [--no-baselines]\n"
                "Continues a search (from RUN/checkpoint.bin) or a baselines run (from\n"
                "RUN/baselines.bin); --gens extends a search's budget.\n");
        return first == -3 ? 0 : 2;
    }
    if (o.pop > 0 || o.seed_given || o.reps > 0 || o.val > 0 || o.test > 0) {
        fprintf(stderr, "axsearch resume: only --gens, --threads, --time-limit and --no-baselines may "
                        "change when resuming\n");
        return 2;
    }
    const char *dir = argv[first];
    char path[SCFG_PATH + 32];
    /* A search writes checkpoint.bin and history.tsv before its baselines
     * write baselines.bin, so baselines.bin without them means a baselines
     * run. */
    fio_join(path, sizeof path, dir, "checkpoint.bin");
    int baselines_only = access(path, F_OK) != 0;
    fio_join(path, sizeof path, dir, "history.tsv");
    baselines_only = baselines_only && access(path, F_OK) != 0;
    fio_join(path, sizeof path, dir, "baselines.bin");
    baselines_only = baselines_only && access(path, F_OK) == 0;
    if (baselines_only && (o.gens > 0 || o.time_limit >= 0 || o.no_baselines)) {
        fprintf(stderr, "axsearch resume: %s holds the baselines of `axsearch baselines`; only --threads may "
                        "change when resuming them\n", dir);
        return 2;
    }
    fio_join(path, sizeof path, dir, "config.ini");
    ax_err err = {0};
    scfg c;
    scfg_defaults(&c);
    int rc = scfg_load(path, &c, &err);
    if (rc == AX_OK) {
        if (o.gens > 0)
            c.generations = o.gens;
        if (o.threads >= 0)
            c.threads = o.threads;
        if (o.time_limit >= 0)
            c.time_limit = o.time_limit;
        if (o.no_baselines)
            c.baselines = 0;
    }
    static volatile sig_atomic_t stop;
    search_catch_signals(&stop);
    run_env e;
    memset(&e, 0, sizeof e);
    if (rc == AX_OK)
        rc = run_env_open(&e, &c, &stop, &err);
    if (rc == AX_OK) {
        rc = search_open_log(&e, dir, &err);
        if (rc == AX_OK && baselines_only)
            rc = bl_run(&e, dir, c.population * c.generations, -1, NULL, &err);
        else if (rc == AX_OK)
            rc = search_run(&e, dir, 1, &err);
        run_env_close(&e);
    }
    return args_exit("resume", rc, &err);
}
