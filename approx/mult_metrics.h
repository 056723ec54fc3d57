/* mult_metrics: error metrics of an 8x8 multiplier's product table.
 *
 * A table is uint16_t lut[65536], entry a*256 + b = approximate product of
 * activation code a and weight code b; the error of a pair is
 * e = lut[a*256+b] - a*b (signed, in LSB of the 16-bit product).
 * Definitions follow EvoApproxLib: MAE% = mean|e| / 2^16 * 100,
 * WCE% = max|e| / 2^16 * 100, MRE% = mean(|e| / (a*b)) * 100 over pairs with
 * a*b != 0, EP% = share of pairs with e != 0. */
#ifndef AX_APPROX_MULT_METRICS_H
#define AX_APPROX_MULT_METRICS_H

#include <stdint.h>

#include "util/err.h"

#define MULT_LUT_SIZE 65536

typedef struct mult_metrics {
    double mae;      /* mean |e|, LSB */
    double mae_pct;
    double wce;      /* max |e|, LSB */
    double wce_pct;
    double mre_pct;
    double ep_pct;
    double mse;      /* mean e^2, LSB^2 */
    double bias;     /* mean e, LSB */
    double var;      /* variance of e, LSB^2 */
} mult_metrics;

/* Over all 65,536 pairs, each with weight 1 (exact integer sums). */
void mult_metrics_compute(const uint16_t *lut, mult_metrics *m);

/* Checks an operand histogram of 256 bins (finite, non-negative, positive
 * sum; `what` names it in the message) and gives its sum. */
int mult_hist_check(const double *h, const char *what, double *total, ax_err *err);

/* Each pair (a, b) weighted by act_hist[a] * w_hist[b] (counts or
 * probabilities; non-negative, finite, each histogram with a positive sum).
 * WCE is the maximum over pairs of positive weight; MRE averages over the
 * weight of pairs with a*b != 0 (0 if there is none). AX_EINPUT on a bad
 * histogram. */
int mult_metrics_weighted(const uint16_t *lut, const double *act_hist, const double *w_hist,
                          mult_metrics *m, ax_err *err);

/* lut[0*256 + w] == 0 for every w: skipping zero activations is exact. */
int mult_lut_zero_safe(const uint16_t *lut);

#endif
