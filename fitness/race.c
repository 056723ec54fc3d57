#include "fitness/race.h"

#include <math.h>
#include <stddef.h>

void race_tally_add(race_tally *t, const uint8_t *base, const uint8_t *right, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        int64_t x = (int64_t)t->reps * base[i] - right[i];
        t->s1 += x;
        t->s2 += x * x;
    }
    t->images += n;
}

void race_tally_merge(race_tally *t, const race_tally *more)
{
    t->images += more->images;
    t->s1 += more->s1;
    t->s2 += more->s2;
}

double race_drop_pp(const race_tally *t)
{
    if (t->images <= 0)
        return 0.0;
    return 100.0 * (double)t->s1 / ((double)t->reps * (double)t->images);
}

/* The variance of D over the n images with the two pseudo-pairs (+R and
 * -R): n + 2 values, sum S1, sum of squares S2 + 2 R^2. */
static double pseudo_variance(const race_tally *t)
{
    double r = (double)t->reps, n = (double)t->images + 2.0;
    double s1 = (double)t->s1, s2 = (double)t->s2 + 2.0 * r * r;
    double var = (s2 - s1 * s1 / n) / (n - 1.0) / (r * r);
    return var > 0 ? var : 0.0;
}

double race_drop_se(const race_tally *t)
{
    if (t->images <= 0)
        return INFINITY;
    return 100.0 * sqrt(pseudo_variance(t) / (double)t->images);
}

/* The score bound (upper, z > 0), in fractions of images: the largest d
 * with (d - est)^2 n = z^2 d (1 - d), i.e. Wilson's score bound for a
 * design whose disagreements are whole images (D in {-1, 0, 1}), the
 * case of an approximate multiplier that fails an image in every
 * repetition. When D is fractional (errors in some repetitions only) its
 * variance is smaller and the bound errs on the safe side; when many
 * images go the other way, the sample variance of the normal bound is the
 * larger and decides. It matters when disagreements are few (a drop near
 * 0), where the sample variance understates the spread. */
static double score_upper(const race_tally *t, double z)
{
    double n = (double)t->images, est = (double)t->s1 / ((double)t->reps * n), z2 = z * z;
    double a = n + z2, b = 2.0 * n * est + z2, c = n * est * est;
    double disc = b * b - 4.0 * a * c;
    if (disc < 0) /* cannot happen for est in [-1, 1]; no bound from here */
        return -INFINITY;
    return (b + sqrt(disc)) / (2.0 * a);
}

double race_bound(const race_tally *t, double z)
{
    if (t->images <= 0)
        return z > 0 ? INFINITY : -INFINITY;
    double est = race_drop_pp(t), normal = est + z * race_drop_se(t);
    if (z <= 0)
        return normal;
    double score = 100.0 * score_upper(t, z);
    return score > normal ? score : normal;
}

double race_z(double confidence)
{
    double lo = 0.0, hi = 40.0;
    for (int it = 0; it < 200 && hi - lo > 1e-12; it++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(-mid / sqrt(2.0)) < confidence)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

int64_t race_stage_end(int64_t done, int64_t first, int64_t total)
{
    if (first <= 0 || first >= total)
        return total;
    /* Doubling; a tail shorter than the first stage joins the last one. */
    int64_t end = first;
    while (end <= done && end < total)
        end = total - 2 * end < first ? total : 2 * end;
    return end < total ? end : total;
}

race_verdict race_look(const race_tally *t, double z_look, double max_drop, const double *objs, int m,
                       const double *ref_objs, const double *ref_ucb, int n_ref)
{
    double lcb = race_bound(t, -z_look);
    if (lcb > max_drop)
        return RACE_INFEASIBLE;
    for (int j = 0; j < n_ref; j++) {
        if (!(ref_ucb[j] < lcb))
            continue;
        int k = 0;
        while (k < m && ref_objs[(size_t)j * m + k] <= objs[k])
            k++;
        if (k == m)
            return RACE_DOMINATED;
    }
    return RACE_GO_ON;
}
