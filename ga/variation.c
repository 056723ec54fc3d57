#include "ga/variation.h"

#include <math.h>
#include <string.h>

/* Below this parent distance SBX leaves the variable alone (Deb's EPS). */
#define SBX_MIN_GAP 1.0e-14

/* The spread factor for one side of a bounded SBX: the distribution's mass
 * beyond the bound is folded back through alpha (Deb's NSGA-II code). */
static double sbx_betaq(double u, double beta, double eta)
{
    double alpha = 2.0 - pow(beta, -(eta + 1.0));
    if (u <= 1.0 / alpha)
        return pow(u * alpha, 1.0 / (eta + 1.0));
    return pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
}

void var_sbx(pcg32 *rng, const double *p1, const double *p2, double *c1, double *c2, int n,
             const double *lo, const double *hi, double pc, double eta)
{
    memcpy(c1, p1, (size_t)n * sizeof *c1);
    memcpy(c2, p2, (size_t)n * sizeof *c2);
    if (pcg32_double(rng) > pc)
        return;
    for (int i = 0; i < n; i++) {
        if (pcg32_double(rng) > 0.5 || fabs(p1[i] - p2[i]) <= SBX_MIN_GAP)
            continue;
        double y1 = p1[i] < p2[i] ? p1[i] : p2[i];
        double y2 = p1[i] < p2[i] ? p2[i] : p1[i];
        double u = pcg32_double(rng);
        double b1 = sbx_betaq(u, 1.0 + 2.0 * (y1 - lo[i]) / (y2 - y1), eta);
        double b2 = sbx_betaq(u, 1.0 + 2.0 * (hi[i] - y2) / (y2 - y1), eta);
        double a = 0.5 * ((y1 + y2) - b1 * (y2 - y1));
        double b = 0.5 * ((y1 + y2) + b2 * (y2 - y1));
        a = a < lo[i] ? lo[i] : (a > hi[i] ? hi[i] : a);
        b = b < lo[i] ? lo[i] : (b > hi[i] ? hi[i] : b);
        if (pcg32_double(rng) <= 0.5) {
            c1[i] = b;
            c2[i] = a;
        } else {
            c1[i] = a;
            c2[i] = b;
        }
    }
}

int var_polynomial_mutation(pcg32 *rng, double *x, int n, const double *lo, const double *hi,
                            double pm, double eta)
{
    int changed = 0;
    for (int i = 0; i < n; i++) {
        if (pcg32_double(rng) > pm)
            continue;
        double range = hi[i] - lo[i];
        if (!(range > 0))
            continue;
        double y = x[i];
        double d1 = (y - lo[i]) / range, d2 = (hi[i] - y) / range;
        double u = pcg32_double(rng), power = 1.0 / (eta + 1.0), dq;
        if (u <= 0.5) {
            double v = 2.0 * u + (1.0 - 2.0 * u) * pow(1.0 - d1, eta + 1.0);
            dq = pow(v, power) - 1.0;
        } else {
            double v = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * pow(1.0 - d2, eta + 1.0);
            dq = 1.0 - pow(v, power);
        }
        y += dq * range;
        x[i] = y < lo[i] ? lo[i] : (y > hi[i] ? hi[i] : y);
        changed++;
    }
    return changed;
}

void var_int_uniform(pcg32 *rng, const int32_t *p1, const int32_t *p2, int32_t *c1, int32_t *c2,
                     int n, double pc)
{
    memcpy(c1, p1, (size_t)n * sizeof *c1);
    memcpy(c2, p2, (size_t)n * sizeof *c2);
    if (pcg32_double(rng) > pc)
        return;
    for (int i = 0; i < n; i++)
        if (pcg32_next(rng) & 1u) {
            c1[i] = p2[i];
            c2[i] = p1[i];
        }
}

void var_int_two_point(pcg32 *rng, const int32_t *p1, const int32_t *p2, int32_t *c1,
                       int32_t *c2, int n, double pc)
{
    memcpy(c1, p1, (size_t)n * sizeof *c1);
    memcpy(c2, p2, (size_t)n * sizeof *c2);
    if (n < 2 || pcg32_double(rng) > pc)
        return;
    /* Cut points a < b in 0..n: genes [a, b) come from the other parent. */
    uint32_t a = pcg32_bounded(rng, (uint32_t)n + 1), b = pcg32_bounded(rng, (uint32_t)n);
    if (b >= a)
        b++;
    else {
        uint32_t t = a;
        a = b;
        b = t;
    }
    for (uint32_t i = a; i < b; i++) {
        c1[i] = p2[i];
        c2[i] = p1[i];
    }
}

int var_int_reset(pcg32 *rng, int32_t *x, int n, const int32_t *card, double pm)
{
    int changed = 0;
    for (int i = 0; i < n; i++) {
        if (card[i] < 2 || pcg32_double(rng) > pm)
            continue;
        /* Uniform over the card-1 other values. */
        int32_t v = (int32_t)pcg32_bounded(rng, (uint32_t)card[i] - 1);
        x[i] = v >= x[i] ? v + 1 : v;
        changed++;
    }
    return changed;
}

int var_int_step(pcg32 *rng, int32_t *x, int n, const int32_t *card, double pm, int kmax)
{
    int changed = 0;
    if (kmax < 1)
        kmax = 1;
    for (int i = 0; i < n; i++) {
        if (card[i] < 2 || pcg32_double(rng) > pm)
            continue;
        int32_t top = card[i] - 1;
        int32_t step = 1 + (int32_t)pcg32_bounded(rng, (uint32_t)kmax);
        int32_t v = (pcg32_next(rng) & 1u) ? x[i] + step : x[i] - step;
        /* Reflect at the ends, then clamp what reflection cannot fix
         * (a step longer than the range). */
        if (v < 0)
            v = -v;
        if (v > top)
            v = 2 * top - v;
        v = v < 0 ? 0 : (v > top ? top : v);
        if (v == x[i]) /* reflected onto itself: step once inwards */
            v = x[i] == top ? top - 1 : x[i] + 1;
        x[i] = v;
        changed++;
    }
    return changed;
}
