#include "ga/indicator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ga/pareto.h"
#include "util/sort.h"

/* A working point set: count rows of m doubles. */
typedef struct pointset {
    double *p;
    int n;
} pointset;

static double box_volume(const double *p, const double *ref, int m)
{
    double v = 1.0;
    for (int j = 0; j < m; j++)
        v *= ref[j] - p[j];
    return v;
}

typedef struct col_ctx {
    const double *p;
    int m, j;
} col_ctx;

/* By column j ascending, then by the other columns, then index. */
static int cmp_column(int a, int b, const void *ctx)
{
    const col_ctx *c = ctx;
    const double *pa = c->p + (size_t)a * c->m, *pb = c->p + (size_t)b * c->m;
    if (pa[c->j] != pb[c->j])
        return pa[c->j] < pb[c->j] ? -1 : 1;
    for (int j = 0; j < c->m; j++)
        if (pa[j] != pb[j])
            return pa[j] < pb[j] ? -1 : 1;
    return (a > b) - (a < b);
}

/* Two objectives: sweep by f1; each point adds the strip below the best f2
 * seen so far. pts must lie strictly inside the reference box. */
static int hv2(const double *pts, int n, const double *ref, double *hv)
{
    int *order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
    if (!order)
        return -1;
    for (int i = 0; i < n; i++)
        order[i] = i;
    col_ctx c = {pts, 2, 0};
    if (sort_indices(order, (size_t)n, cmp_column, &c, NULL) != 0) {
        free(order);
        return -1;
    }
    double area = 0.0, best2 = ref[1];
    for (int i = 0; i < n; i++) {
        const double *p = pts + 2 * (size_t)order[i];
        if (p[1] < best2) {
            area += (ref[0] - p[0]) * (best2 - p[1]);
            best2 = p[1];
        }
    }
    free(order);
    *hv = area;
    return 0;
}

/* Three objectives: sweep along f3; between consecutive f3 values the
 * dominated slice is the 2-D region of the points seen so far, kept as a
 * staircase sorted by f1 (f2 strictly falling). */
static int hv3(const double *pts, int n, const double *ref, double *hv)
{
    int *order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
    double *stair = malloc((size_t)(n > 0 ? n : 1) * 2 * sizeof *stair);
    if (!order || !stair) {
        free(order);
        free(stair);
        return -1;
    }
    for (int i = 0; i < n; i++)
        order[i] = i;
    col_ctx c = {pts, 3, 2};
    if (sort_indices(order, (size_t)n, cmp_column, &c, NULL) != 0) {
        free(order);
        free(stair);
        return -1;
    }
    int ns = 0;
    double volume = 0.0;
    for (int i = 0; i < n; i++) {
        const double *p = pts + 3 * (size_t)order[i];
        /* First stair step with f1 > p.f1; steps before it have f1 <= p.f1. */
        int pos = 0;
        while (pos < ns && stair[2 * pos] <= p[0])
            pos++;
        int dominated = pos > 0 && stair[2 * (pos - 1) + 1] <= p[1];
        if (!dominated) {
            /* Remove steps that p dominates: from pos on while f2 >= p.f2;
             * also a step with equal f1 just before pos has larger f2 (else
             * p were dominated) and is dominated by p. */
            int from = pos;
            if (from > 0 && stair[2 * (from - 1)] == p[0])
                from--;
            int to = pos;
            while (to < ns && stair[2 * to + 1] >= p[1])
                to++;
            memmove(stair + 2 * (from + 1), stair + 2 * to, (size_t)(ns - to) * 2 * sizeof *stair);
            ns += 1 - (to - from);
            stair[2 * from] = p[0];
            stair[2 * from + 1] = p[1];
        }
        double next3 = i + 1 < n ? pts[3 * (size_t)order[i + 1] + 2] : ref[2];
        if (next3 > p[2]) {
            double area = 0.0, prev2 = ref[1];
            for (int s = 0; s < ns; s++) {
                area += (ref[0] - stair[2 * s]) * (prev2 - stair[2 * s + 1]);
                prev2 = stair[2 * s + 1];
            }
            volume += area * (next3 - p[2]);
        }
    }
    free(order);
    free(stair);
    *hv = volume;
    return 0;
}

/* Keeps the non-dominated rows of s (one copy of equal rows), in order. */
static void nondominated_inplace(pointset *s, int m)
{
    int kept = 0;
    for (int i = 0; i < s->n; i++) {
        const double *pi = s->p + (size_t)i * m;
        int drop = 0;
        for (int j = 0; j < s->n && !drop; j++) {
            if (j == i)
                continue;
            const double *pj = s->p + (size_t)j * m;
            if (pareto_dominates(pj, pi, m))
                drop = 1;
            else if (j < i && memcmp(pi, pj, (size_t)m * sizeof *pi) == 0)
                drop = 1;
        }
        if (!drop) {
            if (kept != i)
                memmove(s->p + (size_t)kept * m, pi, (size_t)m * sizeof *pi);
            kept++;
        }
    }
    s->n = kept;
}

static int hv_any(const double *pts, int n, int m, const double *ref, double *hv);

/* WFG: hv(S) = sum_k [ box(p_k) - hv(limit(S, k)) ], where limit(S, k) holds
 * max(p_k, p_j) for j > k: the part of p_k's box that later points cover. */
static int hv_wfg(const double *pts, int n, int m, const double *ref, double *hv)
{
    double total = 0.0;
    pointset lim = {malloc((size_t)(n > 1 ? n : 1) * m * sizeof(double)), 0};
    if (!lim.p)
        return -1;
    for (int k = 0; k < n; k++) {
        const double *pk = pts + (size_t)k * m;
        lim.n = 0;
        for (int j = k + 1; j < n; j++) {
            const double *pj = pts + (size_t)j * m;
            double *q = lim.p + (size_t)lim.n * m;
            for (int d = 0; d < m; d++)
                q[d] = pk[d] > pj[d] ? pk[d] : pj[d];
            lim.n++;
        }
        nondominated_inplace(&lim, m);
        double covered = 0.0;
        if (lim.n > 0 && hv_any(lim.p, lim.n, m, ref, &covered) != 0) {
            free(lim.p);
            return -1;
        }
        total += box_volume(pk, ref, m) - covered;
    }
    free(lim.p);
    *hv = total;
    return 0;
}

/* pts: non-dominated, strictly inside the reference box. */
static int hv_any(const double *pts, int n, int m, const double *ref, double *hv)
{
    if (n == 0) {
        *hv = 0.0;
        return 0;
    }
    if (n == 1) {
        *hv = box_volume(pts, ref, m);
        return 0;
    }
    if (m == 1) {
        double best = pts[0];
        for (int i = 1; i < n; i++)
            if (pts[i] < best)
                best = pts[i];
        *hv = ref[0] - best;
        return 0;
    }
    if (m == 2)
        return hv2(pts, n, ref, hv);
    if (m == 3)
        return hv3(pts, n, ref, hv);
    return hv_wfg(pts, n, m, ref, hv);
}

int indicator_hypervolume(const double *pts, int n, int m, const double *ref, double *hv)
{
    *hv = 0.0;
    pointset s = {malloc((size_t)(n > 0 ? n : 1) * m * sizeof(double)), 0};
    if (!s.p)
        return -1;
    for (int i = 0; i < n; i++) {
        const double *p = pts + (size_t)i * m;
        int inside = 1;
        for (int j = 0; j < m; j++)
            if (!(p[j] < ref[j]))
                inside = 0;
        if (inside)
            memcpy(s.p + (size_t)s.n++ * m, p, (size_t)m * sizeof *p);
    }
    if (m >= 4) /* WFG's exclusive volumes assume a non-dominated set */
        nondominated_inplace(&s, m);
    int status = hv_any(s.p, s.n, m, ref, hv);
    free(s.p);
    return status;
}

static double igd_generic(const double *set, int n, const double *refset, int r, int m, int plus)
{
    if (n <= 0)
        return INFINITY;
    if (r <= 0)
        return 0.0;
    double sum = 0.0;
    for (int i = 0; i < r; i++) {
        const double *z = refset + (size_t)i * m;
        double best = INFINITY;
        for (int k = 0; k < n; k++) {
            const double *a = set + (size_t)k * m;
            double d2 = 0.0;
            for (int j = 0; j < m; j++) {
                double d = a[j] - z[j];
                if (plus && d < 0)
                    d = 0;
                d2 += d * d;
            }
            if (d2 < best)
                best = d2;
        }
        sum += sqrt(best);
    }
    return sum / r;
}

double indicator_igd(const double *set, int n, const double *refset, int r, int m)
{
    return igd_generic(set, n, refset, r, m, 0);
}

double indicator_igd_plus(const double *set, int n, const double *refset, int r, int m)
{
    return igd_generic(set, n, refset, r, m, 1);
}
