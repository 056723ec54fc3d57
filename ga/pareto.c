#include "ga/pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/sort.h"

int pareto_dominates(const double *a, const double *b, int m)
{
    int better = 0;
    for (int j = 0; j < m; j++) {
        if (a[j] > b[j])
            return 0;
        if (a[j] < b[j])
            better = 1;
    }
    return better;
}

int pareto_cdominates(const double *a, double va, const double *b, double vb, int m)
{
    if (va <= 0 && vb <= 0)
        return pareto_dominates(a, b, m);
    if (va <= 0)
        return 1;
    if (vb <= 0)
        return 0;
    return va < vb;
}

static double violation(const double *viol, int i)
{
    return viol ? viol[i] : 0.0;
}

int pareto_rank_naive(const double *objs, const double *viol, int n, int m, int *rank)
{
    if (n <= 0)
        return 0;
    /* Deb's bookkeeping: count[p] = how many dominate p; dominated[p] lists
     * the points p dominates, as an n x n bit-free matrix of flags. */
    int *count = calloc((size_t)n, sizeof *count);
    unsigned char *dom = calloc((size_t)n * (size_t)n, 1);
    int *current = malloc((size_t)n * sizeof *current);
    int *next = malloc((size_t)n * sizeof *next);
    if (!count || !dom || !current || !next) {
        free(count);
        free(dom);
        free(current);
        free(next);
        return -1;
    }
    for (int p = 0; p < n; p++)
        for (int q = p + 1; q < n; q++) {
            const double *fp = objs + (size_t)p * m, *fq = objs + (size_t)q * m;
            if (pareto_cdominates(fp, violation(viol, p), fq, violation(viol, q), m)) {
                dom[(size_t)p * n + q] = 1;
                count[q]++;
            } else if (pareto_cdominates(fq, violation(viol, q), fp, violation(viol, p), m)) {
                dom[(size_t)q * n + p] = 1;
                count[p]++;
            }
        }
    int ncur = 0;
    for (int p = 0; p < n; p++)
        if (count[p] == 0) {
            rank[p] = 0;
            current[ncur++] = p;
        }
    int fronts = 0;
    while (ncur > 0) {
        fronts++;
        int nnext = 0;
        for (int i = 0; i < ncur; i++) {
            int p = current[i];
            for (int q = 0; q < n; q++)
                if (dom[(size_t)p * n + q] && --count[q] == 0) {
                    rank[q] = fronts;
                    next[nnext++] = q;
                }
        }
        int *t = current;
        current = next;
        next = t;
        ncur = nnext;
    }
    free(count);
    free(dom);
    free(current);
    free(next);
    return fronts;
}

typedef struct lex_ctx {
    const double *objs;
    int m;
} lex_ctx;

/* Lexicographic on the objective vector, then index. */
static int cmp_lex(int a, int b, const void *ctx)
{
    const lex_ctx *c = ctx;
    const double *fa = c->objs + (size_t)a * c->m, *fb = c->objs + (size_t)b * c->m;
    for (int j = 0; j < c->m; j++) {
        if (fa[j] < fb[j])
            return -1;
        if (fa[j] > fb[j])
            return 1;
    }
    return (a > b) - (a < b);
}

/* Two objectives, feasible points feas[0..nf): after sorting by (f1, f2), a
 * point is dominated by front F iff F's last-added member q (least f2, most
 * f1 in F) has q.f2 < p.f2, or q.f2 == p.f2 with q.f1 < p.f1. Domination by
 * front k implies domination by every earlier front, so the first front that
 * does not dominate p is found by binary search. */
static int rank_two_objectives(const double *objs, int *feas, int nf, int *rank)
{
    lex_ctx ctx = {objs, 2};
    if (sort_indices(feas, (size_t)nf, cmp_lex, &ctx, NULL) != 0)
        return -1;
    int *last = malloc((size_t)(nf > 0 ? nf : 1) * sizeof *last);
    if (!last)
        return -1;
    int fronts = 0;
    for (int i = 0; i < nf; i++) {
        int p = feas[i];
        double p1 = objs[2 * (size_t)p], p2 = objs[2 * (size_t)p + 1];
        int lo = 0, hi = fronts; /* answer in [lo, hi] */
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            int q = last[mid];
            double q1 = objs[2 * (size_t)q], q2 = objs[2 * (size_t)q + 1];
            int dominated = q2 < p2 || (q2 == p2 && q1 < p1);
            if (dominated)
                lo = mid + 1;
            else
                hi = mid;
        }
        rank[p] = lo;
        last[lo] = p;
        if (lo == fronts)
            fronts++;
    }
    free(last);
    return fronts;
}

typedef struct vec_ctx {
    const double *values;
} vec_ctx;

static int cmp_value(int a, int b, const void *ctx)
{
    const double *v = ((const vec_ctx *)ctx)->values;
    if (v[a] < v[b])
        return -1;
    if (v[a] > v[b])
        return 1;
    return (a > b) - (a < b);
}

/* Points sorted by one value; equal values share a rank. Used for a single
 * objective and for the violation layers of infeasible points. */
static int rank_by_value(const double *values, int *sel, int ns, int base, int *rank)
{
    vec_ctx ctx = {values};
    if (sort_indices(sel, (size_t)ns, cmp_value, &ctx, NULL) != 0)
        return -1;
    int fronts = 0;
    for (int i = 0; i < ns; i++) {
        if (i == 0 || values[sel[i]] != values[sel[i - 1]])
            fronts++;
        rank[sel[i]] = base + fronts - 1;
    }
    return fronts;
}

int pareto_rank(const double *objs, const double *viol, int n, int m, int *rank)
{
    if (n <= 0)
        return 0;
    int *feas = malloc((size_t)n * sizeof *feas);
    int *infeas = malloc((size_t)n * sizeof *infeas);
    if (!feas || !infeas) {
        free(feas);
        free(infeas);
        return -1;
    }
    int nf = 0, ni = 0;
    for (int i = 0; i < n; i++) {
        if (violation(viol, i) > 0)
            infeas[ni++] = i;
        else
            feas[nf++] = i;
    }
    int fronts = 0;
    if (nf > 0) {
        if (m == 1) {
            fronts = rank_by_value(objs, feas, nf, 0, rank);
        } else if (m == 2) {
            fronts = rank_two_objectives(objs, feas, nf, rank);
        } else {
            /* Deb's sort on the feasible subset, through a compact copy. */
            double *sub = malloc((size_t)nf * m * sizeof *sub);
            int *subrank = malloc((size_t)nf * sizeof *subrank);
            if (sub && subrank) {
                for (int i = 0; i < nf; i++)
                    memcpy(sub + (size_t)i * m, objs + (size_t)feas[i] * m, (size_t)m * sizeof *sub);
                fronts = pareto_rank_naive(sub, NULL, nf, m, subrank);
                for (int i = 0; i < nf && fronts >= 0; i++)
                    rank[feas[i]] = subrank[i];
            } else {
                fronts = -1;
            }
            free(sub);
            free(subrank);
        }
    }
    if (fronts >= 0 && ni > 0) {
        int layers = rank_by_value(viol, infeas, ni, fronts, rank);
        fronts = layers < 0 ? -1 : fronts + layers;
    }
    free(feas);
    free(infeas);
    return fronts;
}

/* Comparators over positions into a front's member list idx[]. */
typedef struct member_ctx {
    const double *objs;
    int m;
    const int *idx;     /* position -> point index */
    const int *rep_pos; /* slot -> position of the representative */
    int j;              /* objective, for cmp_slot_objective */
} member_ctx;

/* Positions by the member's vector, then by point index. */
static int cmp_pos_lex(int a, int b, const void *ctx)
{
    const member_ctx *c = ctx;
    lex_ctx lc = {c->objs, c->m};
    return cmp_lex(c->idx[a], c->idx[b], &lc);
}

/* Representative slots by objective j, then by point index. */
static int cmp_slot_objective(int a, int b, const void *ctx)
{
    const member_ctx *c = ctx;
    int pa = c->idx[c->rep_pos[a]], pb = c->idx[c->rep_pos[b]];
    double fa = c->objs[(size_t)pa * c->m + c->j], fb = c->objs[(size_t)pb * c->m + c->j];
    if (fa < fb)
        return -1;
    if (fa > fb)
        return 1;
    return (pa > pb) - (pa < pb);
}

int pareto_crowding(const double *objs, int m, const int *idx, int k, double *dist)
{
    if (k <= 0)
        return 0;
    int *perm = malloc((size_t)k * sizeof *perm);    /* positions, lex order */
    int *rep_pos = malloc((size_t)k * sizeof *rep_pos); /* slot -> position */
    int *slot_of = malloc((size_t)k * sizeof *slot_of); /* position -> slot or -1 */
    int *order = malloc((size_t)k * sizeof *order);   /* slots by one objective */
    int *scratch = malloc((size_t)k * sizeof *scratch);
    double *rdist = malloc((size_t)k * sizeof *rdist); /* per slot */
    int status = -1;
    if (!perm || !rep_pos || !slot_of || !order || !scratch || !rdist)
        goto done;
    member_ctx ctx = {objs, m, idx, rep_pos, 0};
    for (int i = 0; i < k; i++)
        perm[i] = i;
    if (sort_indices(perm, (size_t)k, cmp_pos_lex, &ctx, scratch) != 0)
        goto done;
    /* Equal vectors are adjacent in perm; the first of each group (lowest
     * point index) represents it. */
    int nrep = 0;
    for (int i = 0; i < k; i++) {
        const double *f = objs + (size_t)idx[perm[i]] * m;
        int same = i > 0 && memcmp(f, objs + (size_t)idx[perm[i - 1]] * m, (size_t)m * sizeof *f) == 0;
        slot_of[perm[i]] = same ? -1 : nrep;
        if (!same)
            rep_pos[nrep++] = perm[i];
    }
    for (int r = 0; r < nrep; r++)
        rdist[r] = nrep <= 2 ? INFINITY : 0.0;
    for (int j = 0; j < m && nrep > 2; j++) {
        for (int r = 0; r < nrep; r++)
            order[r] = r;
        ctx.j = j;
        if (sort_indices(order, (size_t)nrep, cmp_slot_objective, &ctx, scratch) != 0)
            goto done;
#define F(r) objs[(size_t)idx[rep_pos[order[r]]] * m + j]
        double fmin = F(0), fmax = F(nrep - 1);
        rdist[order[0]] = INFINITY;
        rdist[order[nrep - 1]] = INFINITY;
        if (fmax > fmin)
            for (int r = 1; r < nrep - 1; r++)
                rdist[order[r]] += (F(r + 1) - F(r - 1)) / (fmax - fmin);
#undef F
    }
    for (int i = 0; i < k; i++)
        dist[i] = slot_of[i] >= 0 ? rdist[slot_of[i]] : 0.0;
    status = 0;
done:
    free(perm);
    free(rep_pos);
    free(slot_of);
    free(order);
    free(scratch);
    free(rdist);
    return status;
}
