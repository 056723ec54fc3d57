/* nsga: a general NSGA-II library (Deb, Pratap, Agarwal, Meyarivan, IEEE TEC
 * 6(2), 2002) over mixed genomes of integer and real genes.
 *
 * The caller describes a problem (gene counts, cardinalities, bounds,
 * objective and constraint counts, an evaluation callback) and a
 * configuration, then runs generations. Each generation hands the callback
 * one batch of new genomes, so the caller can evaluate them in parallel and
 * cache results; the library can also evaluate a batch itself in parallel
 * with OpenMP through a per-genome callback.
 *
 * Determinism: every draw comes from PCG32 streams derived from the seed,
 * the generation and the mating pair (util/pcg.h), never from shared state,
 * so the same seed gives the same run for any number of threads, and a run
 * resumed from a checkpoint ends exactly like one that never stopped.
 *
 * Objectives are minimised. Constraints are values g_j >= 0 when satisfied;
 * a genome's violation is the sum of max(0, -g_j), and Deb's constrained
 * domination applies (feasible first, then less violation). */
#ifndef AX_GA_NSGA_H
#define AX_GA_NSGA_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Evaluates count genomes. ints [count][n_int], reals [count][n_real] are
 * the genes; write objs [count][n_obj] and cons [count][n_con] (cons is
 * NULL when n_con is 0). Return AX_OK, or an AX_* failure with err filled;
 * AX_ESTOPPED abandons the generation (the population stays as it was). */
typedef int (*nsga_eval_batch_fn)(void *user, int count, const int32_t *ints, const double *reals,
                                  double *objs, double *cons, ax_err *err);

/* Evaluates one genome; called from several threads at once. */
typedef void (*nsga_eval_one_fn)(void *user, const int32_t *ints, const double *reals,
                                 double *objs, double *cons);

typedef struct nsga_problem {
    int n_int;               /* integer genes */
    const int32_t *int_card; /* [n_int] gene i takes 0..card[i]-1; card >= 1 */
    int n_real;              /* real genes */
    const double *real_lo;   /* [n_real] lower bounds */
    const double *real_hi;   /* [n_real] upper bounds, > lower */
    int n_obj;               /* >= 1 */
    int n_con;               /* >= 0 */
    nsga_eval_batch_fn eval_batch; /* exactly one of these two */
    nsga_eval_one_fn eval_one;
    void *user; /* passed to the callbacks; not owned */
} nsga_problem;

typedef enum nsga_int_crossover { NSGA_INT_UNIFORM, NSGA_INT_TWO_POINT } nsga_int_crossover;
typedef enum nsga_int_mutation { NSGA_INT_RESET, NSGA_INT_STEP } nsga_int_mutation;
typedef enum nsga_tournament {
    NSGA_TOURNAMENT_CROWDED,  /* the paper's crowded comparison (rank, crowding) */
    NSGA_TOURNAMENT_DOMINANCE /* Deb's reference code (domination, crowding) */
} nsga_tournament;

typedef struct nsga nsga;

/* Called after initialisation and after every generation. Return AX_OK to
 * go on, AX_ESTOPPED to stop cleanly, or a failure (err filled). */
typedef int (*nsga_hook_fn)(nsga *ga, void *user, ax_err *err);

typedef struct nsga_config {
    int pop_size;   /* even, >= 4 */
    uint64_t seed;
    nsga_tournament tournament; /* crowded */
    /* real genes */
    double sbx_prob;   /* crossover probability per pair (0.9) */
    double sbx_eta;    /* distribution index (20) */
    double real_pm;    /* mutation probability per gene; < 0: 1/n_real */
    double real_eta;   /* polynomial mutation index (20) */
    /* integer genes */
    nsga_int_crossover int_crossover; /* uniform */
    double int_cx_prob;               /* 0.9 */
    nsga_int_mutation int_mutation;   /* reset */
    double int_pm;                    /* < 0: 1/n_int */
    int int_step_max;                 /* k of the neighbour step (2) */
    int dedup;       /* regenerate offspring equal to a parent or an earlier
                        offspring (1); integer genes compared, real genes
                        compared bit for bit */
    int dedup_tries; /* attempts before a duplicate is let through (50) */
    /* termination: the first limit reached stops the run (0 = no limit) */
    long max_generations; /* 250 */
    long max_evaluations;
    double max_seconds;
    volatile sig_atomic_t *stop_flag; /* nonzero: stop after this generation */
    /* evaluation */
    int threads; /* for eval_one: 0 = OpenMP's default */
    nsga_hook_fn hook;
    void *hook_user;
} nsga_config;

/* The standard settings of Deb's NSGA-II (see the field comments). */
void nsga_config_defaults(nsga_config *c);

/* Copies what it needs from problem and config (not the user pointers'
 * targets). NULL on bad settings (AX_EINPUT) or no memory. */
nsga *nsga_create(const nsga_problem *problem, const nsga_config *config, ax_err *err);
void nsga_free(nsga *ga);

/* Genomes to put into the initial population before random ones (the rest
 * is random). Copies them. Call before nsga_run / nsga_initialize. */
int nsga_add_initial(nsga *ga, int count, const int32_t *ints, const double *reals, ax_err *err);

/* Creates and evaluates the initial population, which counts as generation
 * 1 (so max_generations populations are evaluated in all). */
int nsga_initialize(nsga *ga, ax_err *err);

/* One generation: selection, variation, evaluation, environmental
 * selection. On any failure the population is unchanged. */
int nsga_step(nsga *ga, ax_err *err);

/* Initialises if needed, then steps until a limit, the stop flag, or the
 * hook stops it. Returns AX_OK when a limit ended the run, AX_ESTOPPED when
 * the stop flag or the hook did, or a failure. */
int nsga_run(nsga *ga, ax_err *err);

/* Read access to the current population (valid until the next call that
 * changes the state). Rows are in the library's order. */
typedef struct nsga_view {
    int size, n_int, n_real, n_obj, n_con;
    const int32_t *ints;  /* [size][n_int] */
    const double *reals;  /* [size][n_real] */
    const double *objs;   /* [size][n_obj] */
    const double *cons;   /* [size][n_con] */
    const double *viol;   /* [size] total violation, 0 = feasible */
    const int *rank;      /* [size] 0 = non-dominated */
    const double *crowd;  /* [size] crowding distance */
} nsga_view;

nsga_view nsga_population(const nsga *ga);
long nsga_generation(const nsga *ga);  /* 1 after initialisation */
long nsga_evaluations(const nsga *ga); /* genomes handed to the callback */
long nsga_duplicates(const nsga *ga);  /* duplicates let through after all tries */
double nsga_elapsed(const nsga *ga);   /* seconds spent in this and earlier runs */
int nsga_done(const nsga *ga);         /* a limit is reached */

/* Checkpoints: a versioned little-endian binary file (magic, version,
 * problem shape, the settings that shape the search, the population, the
 * counters, an optional caller blob, and an FNV-1a 64-bit checksum), written
 * atomically. Loading checks that the problem and those settings are the
 * same; the termination limits, threads, hook and stop flag are taken from
 * the config given to load, so a resumed run may be given a longer budget.
 * The caller blob (e.g. the caller's own history) is returned as written. */
int nsga_save(const nsga *ga, const char *path, const void *blob, size_t blob_len, ax_err *err);
nsga *nsga_load(const char *path, const nsga_problem *problem, const nsga_config *config,
                ax_err *err);

/* The blob stored in the checkpoint this ga was loaded from (NULL, 0 if
 * none); owned by ga. */
const void *nsga_blob(const nsga *ga, size_t *len);

/* Reads only the caller blob of the checkpoint at path, whatever problem
 * and settings it was written for (so that the caller can say what
 * changed before nsga_load refuses another problem). *blob is malloc'ed
 * (caller frees; NULL when empty). AX_EINPUT naming path on damage. */
int nsga_read_blob(const char *path, void **blob, size_t *blob_len, ax_err *err);

#endif
