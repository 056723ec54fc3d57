/* race: the statistics of a design's accuracy drop and the sequential rule
 * that decides how many images it deserves (docs/statistics.md).
 *
 * Paired differences. On image i the exact design (nominal voltages) is
 * right or not (base_i in {0, 1}); the design under test is right in k_i of
 * its R repetitions, with the same fault draws for every design at (image,
 * repetition): common random numbers. The paired difference
 *     D_i = base_i - k_i / R
 * has mean = the drop (as a fraction of images), and its spread holds both
 * the image sampling and the fault sampling. The tally keeps the integers
 *     x_i = R base_i - k_i in [-R, R],  S1 = sum x_i,  S2 = sum x_i^2,
 * so merging stages is exact and independent of order or thread count.
 *
 *   drop_pp = 100 S1 / (R n)
 *   drop_se = 100 sqrt(v / n), v the sample variance of D over n images
 *             with one pseudo-pair of each sign (x = +R and x = -R) added:
 *             a design that never disagreed with the exact one on n images
 *             still gets an SE of about 1/n instead of 0 (the small-sample
 *             correction; it fades as disagreements accumulate).
 *   drop_ucb = drop_pp + z drop_se, z = the one-sided normal quantile of
 *             the confidence (default 95 %: z = 1.645), or the score bound
 *             when that is higher: the largest drop d with
 *             (d - drop)^2 n <= z^2 d (1 - d), Wilson's score bound for a
 *             design whose disagreements are whole images (failed in every
 *             repetition), on the safe side when they are fractional. It
 *             guards the bound when disagreements are few (a drop near 0),
 *             where the sample variance understates the spread.
 *
 * The sequential rule (racing). A design is scored in stages of growing
 * image counts (first, 2 first, 4 first, ... up to the whole split). After
 * every stage but the last it stops when, at the look's confidence z_look,
 *   - it is clearly infeasible: drop_pp - z_look drop_se > max_drop, or
 *   - it is clearly dominated: a reference design (scored on the whole
 *     split) is no worse in every exact objective (energy, area, latency)
 *     and its drop_ucb is below this design's drop_pp - z_look drop_se.
 * A design whose true drop is within max_drop is stopped as infeasible at
 * one look with probability at most 1 - Phi(z_look) (normal approximation),
 * so over the looks of S stages with at most (S - 1) (1 - Phi(z_look))
 * (union bound). */
#ifndef AX_FITNESS_RACE_H
#define AX_FITNESS_RACE_H

#include <stdint.h>

typedef struct race_tally {
    int64_t images; /* n */
    int reps;       /* R: repetitions per image (1 without faults) */
    int64_t s1, s2; /* sum x_i, sum x_i^2 (see above) */
} race_tally;

/* Adds n images: base [n] 0/1 (the exact design right), right [n] the
 * repetitions right (0..t->reps). */
void race_tally_add(race_tally *t, const uint8_t *base, const uint8_t *right, int64_t n);
/* t += more (same reps). */
void race_tally_merge(race_tally *t, const race_tally *more);

double race_drop_pp(const race_tally *t);
double race_drop_se(const race_tally *t);
/* z > 0: the upper bound drop_ucb (see above); z <= 0: the lower bound
 * drop_pp + z drop_se. Percentage points. */
double race_bound(const race_tally *t, double z);

/* The one-sided standard normal quantile: Phi(z) = confidence, for
 * confidence in (0.5, 1). Bisection on erfc, to 1e-12. */
double race_z(double confidence);

/* The image count at which the stage after `done` images ends: the
 * smallest first * 2^k above done, or total when fewer than first images
 * would be left after it (first <= 0 or first >= total: one stage). */
int64_t race_stage_end(int64_t done, int64_t first, int64_t total);

typedef enum race_verdict { RACE_GO_ON, RACE_INFEASIBLE, RACE_DOMINATED } race_verdict;

/* The look after a stage. objs [m]: the design's exact objectives (energy
 * and, when objectives, area and latency; lower is better); ref_objs
 * [n_ref][m] and ref_ucb [n_ref]: the reference designs. */
race_verdict race_look(const race_tally *t, double z_look, double max_drop, const double *objs, int m,
                       const double *ref_objs, const double *ref_ucb, int n_ref);

#endif
