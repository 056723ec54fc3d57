#include "ga/problem.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ga/pareto.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

typedef enum kind {
    ZDT1, ZDT2, ZDT3, ZDT4, ZDT6,
    DTLZ1, DTLZ2, DTLZ3, DTLZ4, DTLZ5, DTLZ6, DTLZ7,
    BNH, SRN, TNK, OSY, CONSTR
} kind;

struct problem {
    kind id;
    char name[16];
    int n_var, n_obj, n_con;
    double *lo, *hi; /* [n_var] each */
};

static const struct {
    const char *name;
    kind id;
} catalogue[] = {
    {"zdt1", ZDT1},   {"zdt2", ZDT2},   {"zdt3", ZDT3},   {"zdt4", ZDT4},   {"zdt6", ZDT6},
    {"dtlz1", DTLZ1}, {"dtlz2", DTLZ2}, {"dtlz3", DTLZ3}, {"dtlz4", DTLZ4}, {"dtlz5", DTLZ5},
    {"dtlz6", DTLZ6}, {"dtlz7", DTLZ7}, {"bnh", BNH},     {"srn", SRN},     {"tnk", TNK},
    {"osy", OSY},     {"constr", CONSTR},
};

static int is_dtlz(kind id)
{
    return id >= DTLZ1 && id <= DTLZ7;
}

/* The catalogue entry of name (any case); lower: the name in lower case. */
static int lookup(const char *name, char lower[16], kind *id, ax_err *err)
{
    size_t len = strlen(name);
    if (len >= 16)
        return ax_fail(err, AX_EINPUT, "unknown problem '%s'", name);
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    int found = -1;
    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++)
        if (!strcmp(lower, catalogue[i].name))
            found = (int)i;
    if (found < 0)
        return ax_fail(err, AX_EINPUT,
                       "unknown problem '%s' (known: zdt1-4, zdt6, dtlz1-7, bnh, srn, tnk, osy, constr)", name);
    *id = catalogue[found].id;
    return AX_OK;
}

/* The objective, variable and constraint counts of problem id (0 asked
 * for: the standard count), checked against what it allows. */
static int sizes(kind id, const char *lower, int *n_obj, int *n_var, int *n_con, ax_err *err)
{
    if (*n_obj != 0 && !is_dtlz(id) && *n_obj != 2)
        return ax_fail(err, AX_EINPUT, "%s has two objectives; only DTLZ takes another count", lower);
    if (is_dtlz(id) && *n_obj == 0)
        *n_obj = 3;
    if (!is_dtlz(id))
        *n_obj = 2;
    if (*n_obj < 2 || *n_obj > 32)
        return ax_fail(err, AX_EINPUT, "%s: objectives must be 2..32, got %d", lower, *n_obj);
    int std_var;
    *n_con = 0;
    switch (id) {
    case ZDT1: case ZDT2: case ZDT3: std_var = 30; break;
    case ZDT4: case ZDT6: std_var = 10; break;
    case DTLZ1: std_var = *n_obj + 5 - 1; break;
    case DTLZ7: std_var = *n_obj + 20 - 1; break;
    case BNH: case SRN: case TNK: case CONSTR: std_var = 2; *n_con = 2; break;
    case OSY: std_var = 6; *n_con = 6; break;
    default: std_var = *n_obj + 10 - 1; break; /* DTLZ2-6 */
    }
    if (*n_var == 0)
        *n_var = std_var;
    int min_var = is_dtlz(id) ? *n_obj : (id <= ZDT6 ? 2 : std_var);
    int max_var = id <= ZDT6 || is_dtlz(id) ? 1000 : std_var;
    if (*n_var < min_var || *n_var > max_var)
        return ax_fail(err, AX_EINPUT, "%s: variables must be %d..%d, got %d", lower, min_var, max_var, *n_var);
    return AX_OK;
}

/* The variable bounds: [0, 1] unless the problem says otherwise. */
static void set_bounds(problem *p)
{
    for (int i = 0; i < p->n_var; i++) {
        p->lo[i] = 0.0;
        p->hi[i] = 1.0;
    }
    switch (p->id) {
    case ZDT4:
        for (int i = 1; i < p->n_var; i++) {
            p->lo[i] = -5.0;
            p->hi[i] = 5.0;
        }
        break;
    case BNH:
        p->hi[0] = 5.0;
        p->hi[1] = 3.0;
        break;
    case SRN:
        p->lo[0] = p->lo[1] = -20.0;
        p->hi[0] = p->hi[1] = 20.0;
        break;
    case TNK:
        p->hi[0] = p->hi[1] = M_PI;
        break;
    case OSY: {
        static const double lo[6] = {0, 0, 1, 0, 1, 0}, hi[6] = {10, 10, 5, 6, 5, 10};
        memcpy(p->lo, lo, sizeof lo);
        memcpy(p->hi, hi, sizeof hi);
        break;
    }
    case CONSTR:
        p->lo[0] = 0.1;
        p->hi[1] = 5.0;
        break;
    default:
        break;
    }
}

problem *problem_create(const char *name, int n_obj, int n_var, ax_err *err)
{
    char lower[16];
    kind id = ZDT1;
    int n_con = 0;
    if (lookup(name, lower, &id, err) != AX_OK || sizes(id, lower, &n_obj, &n_var, &n_con, err) != AX_OK)
        return NULL;
    problem *p = calloc(1, sizeof *p);
    if (p) {
        p->lo = malloc((size_t)n_var * sizeof *p->lo);
        p->hi = malloc((size_t)n_var * sizeof *p->hi);
    }
    if (!p || !p->lo || !p->hi) {
        problem_free(p);
        ax_fail(err, AX_EINTERNAL, "out of memory");
        return NULL;
    }
    p->id = id;
    memcpy(p->name, lower, strlen(lower) + 1);
    p->n_var = n_var;
    p->n_obj = n_obj;
    p->n_con = n_con;
    set_bounds(p);
    return p;
}

void problem_free(problem *p)
{
    if (!p)
        return;
    free(p->lo);
    free(p->hi);
    free(p);
}

const char *problem_name(const problem *p) { return p->name; }
int problem_n_var(const problem *p) { return p->n_var; }
int problem_n_obj(const problem *p) { return p->n_obj; }
int problem_n_con(const problem *p) { return p->n_con; }
const double *problem_lower(const problem *p) { return p->lo; }
const double *problem_upper(const problem *p) { return p->hi; }

int problem_default_generations(const problem *p)
{
    return p->id == DTLZ1 ? 400 : 250;
}

/* Position-related part of DTLZ2-6: f_i = (1+g) prod_{j<M-i} cos(t_j)
 * sin(t_{M-i}) over the angles t[0..M-2] (radians). */
static void dtlz_sphere(const double *theta, int m, double scale, double *f)
{
    for (int i = 0; i < m; i++) {
        double v = scale;
        for (int j = 0; j < m - 1 - i; j++)
            v *= cos(theta[j]);
        if (i > 0)
            v *= sin(theta[m - 1 - i]);
        f[i] = v;
    }
}

/* Rastrigin-like distance term of DTLZ1 and DTLZ3 over the last k vars. */
static double dtlz_g_multimodal(const double *xm, int k)
{
    double s = 0.0;
    for (int i = 0; i < k; i++) {
        double d = xm[i] - 0.5;
        s += d * d - cos(20.0 * M_PI * d);
    }
    return 100.0 * (k + s);
}

static double dtlz_g_sphere(const double *xm, int k)
{
    double s = 0.0;
    for (int i = 0; i < k; i++)
        s += (xm[i] - 0.5) * (xm[i] - 0.5);
    return s;
}

static void eval_dtlz(const problem *p, const double *x, double *f)
{
    int m = p->n_obj, n = p->n_var, k = n - m + 1;
    const double *xm = x + (m - 1);
    double theta[32];
    switch (p->id) {
    case DTLZ1: {
        double g = dtlz_g_multimodal(xm, k);
        for (int i = 0; i < m; i++) {
            double v = 0.5 * (1.0 + g);
            for (int j = 0; j < m - 1 - i; j++)
                v *= x[j];
            if (i > 0)
                v *= 1.0 - x[m - 1 - i];
            f[i] = v;
        }
        return;
    }
    case DTLZ2:
    case DTLZ3:
    case DTLZ4: {
        double g = p->id == DTLZ3 ? dtlz_g_multimodal(xm, k) : dtlz_g_sphere(xm, k);
        for (int j = 0; j < m - 1; j++)
            theta[j] = (p->id == DTLZ4 ? pow(x[j], 100.0) : x[j]) * M_PI / 2.0;
        dtlz_sphere(theta, m, 1.0 + g, f);
        return;
    }
    case DTLZ5:
    case DTLZ6: {
        double g = 0.0;
        if (p->id == DTLZ5) {
            g = dtlz_g_sphere(xm, k);
        } else {
            for (int i = 0; i < k; i++)
                g += pow(xm[i], 0.1);
        }
        theta[0] = x[0] * M_PI / 2.0;
        for (int j = 1; j < m - 1; j++)
            theta[j] = M_PI / (4.0 * (1.0 + g)) * (1.0 + 2.0 * g * x[j]);
        dtlz_sphere(theta, m, 1.0 + g, f);
        return;
    }
    case DTLZ7: {
        double g = 0.0;
        for (int i = 0; i < k; i++)
            g += xm[i];
        g = 1.0 + 9.0 * g / k;
        double h = m;
        for (int i = 0; i < m - 1; i++) {
            f[i] = x[i];
            h -= f[i] / (1.0 + g) * (1.0 + sin(3.0 * M_PI * f[i]));
        }
        f[m - 1] = (1.0 + g) * h;
        return;
    }
    default:
        return;
    }
}

void problem_evaluate(const problem *p, const double *x, double *f, double *g)
{
    int n = p->n_var;
    switch (p->id) {
    case ZDT1: case ZDT2: case ZDT3: case ZDT4: {
        double s = 0.0, gg;
        if (p->id == ZDT4) {
            for (int i = 1; i < n; i++)
                s += x[i] * x[i] - 10.0 * cos(4.0 * M_PI * x[i]);
            gg = 1.0 + 10.0 * (n - 1) + s;
        } else {
            for (int i = 1; i < n; i++)
                s += x[i];
            gg = 1.0 + 9.0 * s / (n - 1);
        }
        double r = x[0] / gg;
        f[0] = x[0];
        if (p->id == ZDT2)
            f[1] = gg * (1.0 - r * r);
        else if (p->id == ZDT3)
            f[1] = gg * (1.0 - sqrt(r) - r * sin(10.0 * M_PI * x[0]));
        else
            f[1] = gg * (1.0 - sqrt(r));
        return;
    }
    case ZDT6: {
        double s = 0.0;
        for (int i = 1; i < n; i++)
            s += x[i];
        double gg = 1.0 + 9.0 * pow(s / (n - 1), 0.25);
        f[0] = 1.0 - exp(-4.0 * x[0]) * pow(sin(6.0 * M_PI * x[0]), 6.0);
        double r = f[0] / gg;
        f[1] = gg * (1.0 - r * r);
        return;
    }
    case BNH:
        f[0] = 4.0 * x[0] * x[0] + 4.0 * x[1] * x[1];
        f[1] = (x[0] - 5.0) * (x[0] - 5.0) + (x[1] - 5.0) * (x[1] - 5.0);
        g[0] = 25.0 - ((x[0] - 5.0) * (x[0] - 5.0) + x[1] * x[1]);
        g[1] = (x[0] - 8.0) * (x[0] - 8.0) + (x[1] + 3.0) * (x[1] + 3.0) - 7.7;
        return;
    case SRN:
        f[0] = 2.0 + (x[0] - 2.0) * (x[0] - 2.0) + (x[1] - 1.0) * (x[1] - 1.0);
        f[1] = 9.0 * x[0] - (x[1] - 1.0) * (x[1] - 1.0);
        g[0] = 225.0 - (x[0] * x[0] + x[1] * x[1]);
        g[1] = -(x[0] - 3.0 * x[1] + 10.0);
        return;
    case TNK:
        f[0] = x[0];
        f[1] = x[1];
        /* atan2 keeps the definition finite at x2 = 0 (atan(x1/x2) -> pi/2). */
        g[0] = x[0] * x[0] + x[1] * x[1] - 1.0 - 0.1 * cos(16.0 * atan2(x[0], x[1]));
        g[1] = 1.0 - 2.0 * (x[0] - 0.5) * (x[0] - 0.5) - 2.0 * (x[1] - 0.5) * (x[1] - 0.5);
        return;
    case OSY:
        f[0] = -(25.0 * (x[0] - 2.0) * (x[0] - 2.0) + (x[1] - 2.0) * (x[1] - 2.0) +
                 (x[2] - 1.0) * (x[2] - 1.0) + (x[3] - 4.0) * (x[3] - 4.0) +
                 (x[4] - 1.0) * (x[4] - 1.0));
        f[1] = 0.0;
        for (int i = 0; i < 6; i++)
            f[1] += x[i] * x[i];
        g[0] = x[0] + x[1] - 2.0;
        g[1] = 6.0 - x[0] - x[1];
        g[2] = 2.0 - x[1] + x[0];
        g[3] = 2.0 - x[0] + 3.0 * x[1];
        g[4] = 4.0 - (x[2] - 3.0) * (x[2] - 3.0) - x[3];
        g[5] = (x[4] - 3.0) * (x[4] - 3.0) + x[5] - 4.0;
        return;
    case CONSTR:
        f[0] = x[0];
        f[1] = (1.0 + x[1]) / x[0];
        g[0] = x[1] + 9.0 * x[0] - 6.0;
        g[1] = -x[1] + 9.0 * x[0] - 1.0;
        return;
    default:
        eval_dtlz(p, x, f);
        return;
    }
}

/* A growable list of objective vectors. */
typedef struct ptlist {
    double *v;
    int n, cap, m;
} ptlist;

static int ptlist_push(ptlist *l, const double *f)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 1024;
        double *v = realloc(l->v, (size_t)cap * l->m * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    memcpy(l->v + (size_t)l->n * l->m, f, (size_t)l->m * sizeof *f);
    l->n++;
    return 0;
}

/* Keeps only the first front of l (in its original order). */
static int ptlist_nondominated(ptlist *l)
{
    int *rank = malloc((size_t)(l->n > 0 ? l->n : 1) * sizeof *rank);
    if (!rank || pareto_rank(l->v, NULL, l->n, l->m, rank) < 0) {
        free(rank);
        return -1;
    }
    int kept = 0;
    for (int i = 0; i < l->n; i++)
        if (rank[i] == 0) {
            memmove(l->v + (size_t)kept * l->m, l->v + (size_t)i * l->m, (size_t)l->m * sizeof *l->v);
            kept++;
        }
    l->n = kept;
    free(rank);
    return 0;
}

static long binomial(int n, int k)
{
    long r = 1;
    for (int i = 1; i <= k; i++)
        r = r * (n - k + i) / i;
    return r;
}

/* All weight vectors with coordinates in {0, 1/h, ..., 1} summing to 1
 * (Das, Dennis 1998), each passed through emit. */
static int das_dennis(int m, int h, ptlist *out, double scale, int sphere)
{
    int parts[32] = {0};
    double f[32];
    /* Enumerate compositions of h into m non-negative parts in
     * lexicographic order by an odometer on the first m-1 parts. */
    for (;;) {
        int used = 0;
        for (int i = 0; i < m - 1; i++)
            used += parts[i];
        if (used <= h) {
            parts[m - 1] = h - used;
            double norm = 0.0;
            for (int i = 0; i < m; i++) {
                f[i] = (double)parts[i] / h;
                norm += f[i] * f[i];
            }
            norm = sqrt(norm);
            for (int i = 0; i < m; i++)
                f[i] = sphere ? f[i] / norm : f[i] * scale;
            if (ptlist_push(out, f) != 0)
                return -1;
        }
        int i = m - 2;
        while (i >= 0) {
            parts[i]++;
            int s = 0;
            for (int j = 0; j <= i; j++)
                s += parts[j];
            if (s <= h)
                break;
            parts[i] = 0;
            i--;
        }
        if (i < 0)
            return 0;
    }
}

/* ZDT1, 2, 4 and 6: 1,000 points evenly over f1. */
static int front_zdt(const problem *p, ptlist *l)
{
    double f[2];
    /* ZDT6's front starts where f1 = 1 - exp(-4 x1) sin^6(6 pi x1) is
     * smallest over x1 in [0, 1]: 0.2807753191 (Zitzler et al. 2000). */
    double f1min = p->id == ZDT6 ? 0.2807753191 : 0.0;
    for (int i = 0; i < 1000; i++) {
        f[0] = f1min + (1.0 - f1min) * i / 999.0;
        f[1] = p->id == ZDT1 || p->id == ZDT4 ? 1.0 - sqrt(f[0]) : 1.0 - f[0] * f[0];
        if (ptlist_push(l, f) != 0)
            return -1;
    }
    return 0;
}

/* ZDT3's curve 1 - sqrt(f1) - f1 sin(10 pi f1). */
static double zdt3_f2(double f1)
{
    return 1.0 - sqrt(f1) - f1 * sin(10.0 * M_PI * f1);
}

enum { ZDT3_GRID = 200001, ZDT3_MAX_PIECES = 64 };

/* The non-dominated pieces of ZDT3's curve, found on a fine grid: pieces
 * are runs of consecutive grid points; [starts[k], ends[k]] in f1. */
static int zdt3_pieces(double starts[ZDT3_MAX_PIECES], double ends[ZDT3_MAX_PIECES], int *pieces)
{
    double f[2];
    ptlist dense = {NULL, 0, 0, 2};
    for (int i = 0; i < ZDT3_GRID; i++) {
        f[0] = (double)i / (ZDT3_GRID - 1);
        f[1] = zdt3_f2(f[0]);
        if (ptlist_push(&dense, f) != 0) {
            free(dense.v);
            return -1;
        }
    }
    if (ptlist_nondominated(&dense) != 0) {
        free(dense.v);
        return -1;
    }
    double step = 1.0 / (ZDT3_GRID - 1);
    *pieces = 0;
    for (int i = 0; i < dense.n; i++) {
        double f1 = dense.v[2 * (size_t)i];
        if (*pieces > 0 && f1 - ends[*pieces - 1] < 1.5 * step) {
            ends[*pieces - 1] = f1;
        } else if (*pieces < ZDT3_MAX_PIECES) {
            starts[*pieces] = ends[*pieces] = f1;
            (*pieces)++;
        }
    }
    free(dense.v);
    return 0;
}

/* ZDT3: 1,000 points spread evenly over the pieces' total length in f1. */
static int front_zdt3(ptlist *l)
{
    double starts[ZDT3_MAX_PIECES], ends[ZDT3_MAX_PIECES], total = 0.0, f[2];
    int pieces;
    if (zdt3_pieces(starts, ends, &pieces) != 0)
        return -1;
    for (int k = 0; k < pieces; k++)
        total += ends[k] - starts[k];
    for (int i = 0; i < 1000; i++) {
        double t = total * i / 999.0;
        int k = 0;
        while (k < pieces - 1 && t > ends[k] - starts[k]) {
            t -= ends[k] - starts[k];
            k++;
        }
        f[0] = starts[k] + (t < ends[k] - starts[k] ? t : ends[k] - starts[k]);
        f[1] = zdt3_f2(f[0]);
        if (ptlist_push(l, f) != 0)
            return -1;
    }
    return 0;
}

/* DTLZ1-4: a Das-Dennis grid of about 5,050 points on the simplex (DTLZ1)
 * or the sphere. */
static int front_dtlz_grid(const problem *p, ptlist *l)
{
    int m = p->n_obj, h = 1;
    while (binomial(h + 1 + m - 1, m - 1) <= 5050)
        h++;
    return das_dennis(m, h, l, 0.5, p->id != DTLZ1);
}

/* DTLZ5 and 6: g = 0, every angle after the first is pi/4: a curve. */
static int front_dtlz_curve(int m, ptlist *l)
{
    double f[32], theta[32];
    for (int i = 0; i < 1000; i++) {
        theta[0] = M_PI / 2.0 * i / 999.0;
        for (int j = 1; j < m - 1; j++)
            theta[j] = M_PI / 4.0;
        dtlz_sphere(theta, m, 1.0, f);
        if (ptlist_push(l, f) != 0)
            return -1;
    }
    return 0;
}

/* DTLZ7: g = 1 (x_M = 0): f_M = 2 (M - sum f_i/2 (1 + sin 3 pi f_i)) over a
 * grid of the first M-1 objectives, then the non-dominated part. */
static int front_dtlz7(int m, ptlist *l)
{
    double f[32];
    int per = (int)floor(pow(20000.0, 1.0 / (m - 1)));
    if (per < 2)
        per = 2;
    int idx[32] = {0};
    for (;;) {
        double h = m;
        for (int i = 0; i < m - 1; i++) {
            f[i] = (double)idx[i] / (per - 1);
            h -= f[i] / 2.0 * (1.0 + sin(3.0 * M_PI * f[i]));
        }
        f[m - 1] = 2.0 * h;
        if (ptlist_push(l, f) != 0)
            return -1;
        int i = 0;
        while (i < m - 1 && ++idx[i] == per)
            idx[i++] = 0;
        if (i == m - 1)
            break;
    }
    return ptlist_nondominated(l);
}

/* BNH: x1 = x2 in [0, 3], then x2 = 3 with x1 in [3, 5]. */
static int front_bnh(const problem *p, ptlist *l)
{
    double f[32], x[8] = {0}, g[8];
    for (int i = 0; i < 1000; i++) {
        double t = 5.0 * i / 999.0;
        x[0] = t;
        x[1] = t < 3.0 ? t : 3.0;
        problem_evaluate(p, x, f, g);
        if (ptlist_push(l, f) != 0)
            return -1;
    }
    return 0;
}

/* SRN: every Pareto-optimal point is a stationary point of some weighted
 * sum (gradients anti-parallel: x1 = -2.5, or x2 = 1) or lies on a
 * constraint boundary (the line x1 = 3 x2 - 10, the circle of radius 15).
 * Samples those curves, keeps the feasible points, then the non-dominated
 * ones. */
static int front_srn(const problem *p, ptlist *l)
{
    double f[32], g[8];
    for (int i = 0; i <= 4000; i++) {
        double t = (double)i / 4000.0;
        double cand[4][2] = {
            {-2.5, -15.0 + 30.0 * t},
            {-15.0 + 30.0 * t, 1.0},
            {3.0 * (-5.0 + 15.0 * t) - 10.0, -5.0 + 15.0 * t},
            {15.0 * cos(2.0 * M_PI * t), 15.0 * sin(2.0 * M_PI * t)},
        };
        for (int c = 0; c < 4; c++) {
            problem_evaluate(p, cand[c], f, g);
            /* The circle is sampled on the boundary: allow rounding. */
            if (g[0] >= -1e-9 && g[1] >= -1e-9 && ptlist_push(l, f) != 0)
                return -1;
        }
    }
    return ptlist_nondominated(l);
}

/* TNK: the front lies on g1 = 0: radius sqrt(1 + 0.1 cos 16 phi) at angle
 * phi from the x2 axis; keeps feasible, non-dominated points. */
static int front_tnk(const problem *p, ptlist *l)
{
    double f[32], x[8] = {0}, g[8];
    for (int i = 0; i <= 20000; i++) {
        double phi = M_PI / 2.0 * i / 20000.0;
        double r = sqrt(1.0 + 0.1 * cos(16.0 * phi));
        x[0] = r * sin(phi);
        x[1] = r * cos(phi);
        problem_evaluate(p, x, f, g);
        if (g[1] >= 0 && ptlist_push(l, f) != 0)
            return -1;
    }
    return ptlist_nondominated(l);
}

/* OSY: the five segments of Deb (2001), table 14. */
static int front_osy(const problem *p, ptlist *l)
{
    double f[32], g[8];
    for (int i = 0; i < 400; i++) {
        double t = i / 399.0;
        double seg[5][6] = {
            {5, 1, 1 + 4 * t, 0, 5, 0},
            {5, 1, 1 + 4 * t, 0, 1, 0},
            {4.056 + (5 - 4.056) * t, (4.056 + (5 - 4.056) * t - 2) / 3, 1, 0, 1, 0},
            {0, 2, 1 + (3.732 - 1) * t, 0, 1, 0},
            {t, 2 - t, 1, 0, 1, 0},
        };
        for (int s = 0; s < 5; s++) {
            problem_evaluate(p, seg[s], f, g);
            if (ptlist_push(l, f) != 0)
                return -1;
        }
    }
    return ptlist_nondominated(l);
}

/* CONSTR: x2 = 6 - 9 x1 for x1 in [7/18, 2/3], then x2 = 0 up to x1 = 1. */
static int front_constr(const problem *p, ptlist *l)
{
    double f[32], x[8] = {0}, g[8];
    for (int i = 0; i < 1000; i++) {
        double t = 7.0 / 18.0 + (1.0 - 7.0 / 18.0) * i / 999.0;
        x[0] = t;
        x[1] = t < 2.0 / 3.0 ? 6.0 - 9.0 * t : 0.0;
        problem_evaluate(p, x, f, g);
        if (ptlist_push(l, f) != 0)
            return -1;
    }
    return 0;
}

/* Points of the problem's Pareto front into l; -1 when out of memory. */
static int front_points(const problem *p, ptlist *l)
{
    switch (p->id) {
    case ZDT1: case ZDT2: case ZDT4: case ZDT6: return front_zdt(p, l);
    case ZDT3: return front_zdt3(l);
    case DTLZ1: case DTLZ2: case DTLZ3: case DTLZ4: return front_dtlz_grid(p, l);
    case DTLZ5: case DTLZ6: return front_dtlz_curve(p->n_obj, l);
    case DTLZ7: return front_dtlz7(p->n_obj, l);
    case BNH: return front_bnh(p, l);
    case SRN: return front_srn(p, l);
    case TNK: return front_tnk(p, l);
    case OSY: return front_osy(p, l);
    case CONSTR: return front_constr(p, l);
    default: return -1;
    }
}

int problem_reference_front(const problem *p, double **front, int *count, ax_err *err)
{
    ptlist l = {NULL, 0, 0, p->n_obj};
    if (front_points(p, &l) != 0) {
        free(l.v);
        *front = NULL;
        *count = 0;
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory building the reference front",
                       p->name);
    }
    *front = l.v;
    *count = l.n;
    return AX_OK;
}

int problem_hv_reference(const problem *p, double *ref, ax_err *err)
{
    int m = p->n_obj;
    if (p->id <= ZDT6 || (p->id >= DTLZ2 && p->id <= DTLZ6)) {
        for (int j = 0; j < m; j++)
            ref[j] = 1.1;
        return AX_OK;
    }
    if (p->id == DTLZ1) {
        for (int j = 0; j < m; j++)
            ref[j] = 0.55;
        return AX_OK;
    }
    double *front;
    int n;
    int status = problem_reference_front(p, &front, &n, err);
    if (status != AX_OK)
        return status;
    for (int j = 0; j < m; j++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < n; i++) {
            double v = front[(size_t)i * m + j];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        ref[j] = hi + 0.1 * (hi - lo);
    }
    free(front);
    return AX_OK;
}
