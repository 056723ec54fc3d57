/* search: the NSGA-II accelerator search over a run folder — one progress
 * line, one history row and an atomic checkpoint per generation, then the
 * front (re-scored on the test split), the evaluations and the baselines.
 * Shared by the search and resume commands. */
#ifndef AX_CLI_SEARCH_H
#define AX_CLI_SEARCH_H

#include "cli/run_env.h"
#include "cli/run_state.h"

/* Runs (resume = 0: from the start; 1: from dir/checkpoint.bin when it
 * exists) to the end. Returns AX_OK, AX_ESTOPPED after a stop request (the
 * last generation's checkpoint is on disk), or a failure. A resume refuses
 * (AX_EINPUT, naming the keys) a configuration that differs from the one
 * the checkpoint recorded, but for the budget and machine keys
 * (generations, threads, time_limit, baselines, prefix_cache_mb) and those
 * in allow_change (a comma list of keys; NULL: none). */
int search_run(run_env *e, const char *dir, int resume, const char *allow_change, ax_err *err);

/* Scores the whole space (refused above max_points chromosomes) and writes
 * evaluations.tsv, front.tsv and summary.tsv: the true front. */
int search_exhaustive(run_env *e, const char *dir, double max_points, ax_err *err);
/* AX_EINPUT when the space holds more than max_points chromosomes. */
int search_exhaustive_fits(const run_env *e, double max_points, ax_err *err);

/* Creates a run folder: it must not exist, or be empty; its parent must
 * exist. AX_EINPUT otherwise. */
int search_make_folder(const char *dir, ax_err *err);

/* Opens dir/log.txt for appending into e->log and locks it (AX_EINPUT when
 * another process holds the folder), then removes the temporaries of
 * atomic writes that a killed process left behind. */
int search_open_log(run_env *e, const char *dir, ax_err *err);

/* Command-line overrides of configuration keys (negative: not given). */
typedef struct overrides {
    long gens, pop, threads, reps, val, test;
    double time_limit;
    double rank_timeout; /* seconds an MPI rank may stay silent with work (cli/dist.h); <0: the default */
    int seed_given, no_baselines;
    unsigned long long seed;
    const char *allow_change; /* resume only: keys that may differ from the recorded configuration */
} overrides;

/* Parses the options shared by search and resume (--out, --gens, --pop,
 * --seed, --threads, --reps, --time-limit, --val-images, --test-images,
 * --no-baselines, --exhaustive when exhaustive is not NULL, --defaults).
 * Returns the index of the first operand, -1 on a bad option (message
 * printed), -2 when --defaults was handled, -3 for --help. */
int search_parse_overrides(int argc, char **argv, const char *cmd, const char **out, overrides *o,
                           int *exhaustive);

/* Applies the overrides to a configuration loaded from path and checks the
 * result (AX_EINPUT naming the file, and the command line when options
 * changed it). */
int search_apply_overrides(scfg *c, const overrides *o, const char *path, ax_err *err);

/* An MPI rank silent this long while it holds work stops the run (s). */
#define SEARCH_RANK_TIMEOUT 1800.0
/* Under mpirun (cli/dist.h): hands e's scoring to the other ranks, once
 * they have built the same environment; a no-op in one process. */
int search_distribute(run_env *e, const overrides *o, ax_err *err);

/* SIGINT and SIGTERM set *flag (and a second one exits at once). */
void search_catch_signals(volatile sig_atomic_t *flag);

#endif
