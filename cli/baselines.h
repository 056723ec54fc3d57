/* baselines (prefix bl_): the reference points a search is judged against,
 * each a function of its own, and the driver that runs them into a run
 * folder (with [recovery] on, also the same search without recovery,
 * bl_no_recovery, on a fitness function and cache of its own):
 *   - the exact design, each multiplier of the set in every layer, each
 *     voltage knob swept alone over its levels (bl_fixed);
 *   - random search with as many distinct chromosomes as the search scored
 *     (bl_random);
 *   - a multiplier-only NSGA-II with the search's population and
 *     generations, voltages nominal (bl_mult_only).
 * Results go through the fitness cache; after every batch the baselines'
 * own entries are saved to RUN/baselines.bin (util/frame.h, magic
 * "AXBASEL\n", body: run_state_put_entries), so a stopped or killed run
 * replays them when resumed and ends with the same files as one that never
 * stopped. Last, the reporting rule (cli/results.h) is applied to each
 * approach's feasible designs (for random search and the multiplier-only
 * NSGA-II, their fronts): confirmation, then the test split; and
 * baselines.tsv and summary.tsv are written. */
#ifndef AX_CLI_BASELINES_H
#define AX_CLI_BASELINES_H

#include <stdint.h>

#include "cli/results.h"
#include "cli/run_env.h"

/* What the reporting rule found for a design (NaN: not scored there). */
typedef struct bl_outcome {
    double confirm_drop, confirm_ucb;   /* confirmation part */
    double test_top1, test_drop, test_se; /* test split: reported designs only */
    int reported;                       /* in its approach's reported front */
} bl_outcome;

/* The designs the baselines score, in order, with their results. */
typedef struct bl_set {
    int n, cap, n_genes;
    int32_t *genes;      /* [cap][n_genes] */
    fit_result *res;     /* [cap] */
    bl_outcome *out;     /* [cap] */
    const char **kind;   /* [cap] static strings */
    char (*label)[48];   /* [cap] */
} bl_set;

/* Appends a design (results unset, outcome NaN); 0, or -1 when out of
 * memory. */
int bl_set_add(bl_set *s, const char *kind, const char *label, const int32_t *g);
void bl_set_free(bl_set *s);

/* Appends min(budget, space size) distinct chromosomes drawn uniformly
 * (gene k in 0..card[k]-1), draw i from PCG32 stream (seed, random search,
 * i): the same draws for any thread count. 0, or -1 when out of memory. */
int bl_random_draws(uint64_t seed, const int32_t *card, long budget, bl_set *s);

/* Search-split savings of rows [from, to) (the drop's upper bound and the
 * energy of res[]) and test-split savings of the reported ones
 * (out[].test_drop). exact_pj: the exact design's energy. */
results_savings bl_search_savings(const bl_set *s, int from, int to, double exact_pj);
results_savings bl_test_savings(const bl_set *s, int from, int to, double exact_pj);

/* Checks the frame of RUN/baselines.bin (magic, checksum, version) when
 * it exists, so that a resume refuses a damaged one before any work;
 * AX_EINPUT naming the file otherwise. */
int bl_check_file(const char *dir, ax_err *err);

/* Replays a baselines.bin (path) into the caches: its first list into
 * e->fit, its second into plain (with [recovery] on: the fitness of the
 * search without recovery), or, plain NULL, it must be empty. AX_EINPUT
 * naming path when the file is damaged, of another version or written for
 * another configuration (fit_remember checks every gene). */
int bl_load_file(run_env *e, fit *plain, const char *path, ax_err *err);

/* Runs every baseline into dir (baselines.tsv, summary.tsv). budget: the
 * evaluations random search gets. front_hv: the search's hypervolume (< 0
 * when there is no search: `axsearch baselines`); front_test: its front's
 * test-split savings. The search's own results are the first n_search =
 * fit_n_evaluated entries of the cache when called. */
int bl_run(run_env *e, const char *dir, long budget, double front_hv, const results_savings *front_test,
           ax_err *err);

#endif
