#include "ga/nsga.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ga/pareto.h"
#include "ga/variation.h"
#include "util/bytebuf.h"
#include "util/frame.h"
#include "util/gset.h"
#include "util/pcg.h"
#include "util/sort.h"
#include "util/wallclock.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* One block of genomes with their results, rows indexed 0..cap-1. */
typedef struct block {
    int32_t *ints; /* [cap][n_int] */
    double *reals; /* [cap][n_real] */
    double *objs;  /* [cap][n_obj] */
    double *cons;  /* [cap][n_con] */
    double *viol;  /* [cap] */
    int *rank;     /* [cap] */
    double *crowd; /* [cap] */
} block;

struct nsga {
    nsga_problem prob; /* int_card, real_lo, real_hi point into our copies */
    nsga_config cfg;   /* real_pm and int_pm resolved */
    int32_t *card;
    double *lo, *hi;
    int n;       /* population size */
    block pool;  /* rows 0..n-1 parents, n..2n-1 offspring */
    block spare; /* 2n rows, for reordering after selection */
    int size;    /* rows of pool that hold the population (0 before init) */
    long gen, evals, dups;
    double elapsed;
    int32_t *init_ints; /* genomes the caller asked to start from */
    double *init_reals;
    int n_init;
    unsigned char *blob; /* from the checkpoint loaded */
    size_t blob_len;
    /* scratch for selection and dedup */
    int *order, *rank_tmp, *front_idx;
    double *front_dist;
    gset *seen;              /* genomes of this generation, for dedup */
    unsigned char *key;      /* [key_bytes] a row's genes packed as a gset key */
};

void nsga_config_defaults(nsga_config *c)
{
    memset(c, 0, sizeof *c);
    c->pop_size = 100;
    c->seed = 1;
    c->sbx_prob = 0.9;
    c->sbx_eta = 20.0;
    c->real_pm = -1.0;
    c->real_eta = 20.0;
    c->int_crossover = NSGA_INT_UNIFORM;
    c->int_cx_prob = 0.9;
    c->int_mutation = NSGA_INT_RESET;
    c->int_pm = -1.0;
    c->int_step_max = 2;
    c->dedup = 1;
    c->dedup_tries = 50;
    c->max_generations = 250;
    c->tournament = NSGA_TOURNAMENT_CROWDED;
}

static void block_free(block *b)
{
    free(b->ints);
    free(b->reals);
    free(b->objs);
    free(b->cons);
    free(b->viol);
    free(b->rank);
    free(b->crowd);
    memset(b, 0, sizeof *b);
}

/* memcpy that accepts NULL pointers when there is nothing to copy (an empty
 * gene array may be NULL). */
static void copy(void *dst, const void *src, size_t len)
{
    if (len > 0)
        memcpy(dst, src, len);
}

/* malloc that never returns NULL for a zero-sized request. */
static void *alloc(size_t count, size_t size)
{
    return malloc(count * size > 0 ? count * size : 1);
}

static int block_alloc(block *b, int rows, const nsga_problem *p)
{
    size_t r = (size_t)rows;
    b->ints = alloc(r * p->n_int, sizeof *b->ints);
    b->reals = alloc(r * p->n_real, sizeof *b->reals);
    b->objs = alloc(r * p->n_obj, sizeof *b->objs);
    b->cons = alloc(r * p->n_con, sizeof *b->cons);
    b->viol = alloc(r, sizeof *b->viol);
    b->rank = alloc(r, sizeof *b->rank);
    b->crowd = alloc(r, sizeof *b->crowd);
    return b->ints && b->reals && b->objs && b->cons && b->viol && b->rank && b->crowd ? 0 : -1;
}

static void row_copy(const nsga *ga, block *dst, int d, const block *src, int s)
{
    const nsga_problem *p = &ga->prob;
    copy(dst->ints + (size_t)d * p->n_int, src->ints + (size_t)s * p->n_int,
           (size_t)p->n_int * sizeof *dst->ints);
    copy(dst->reals + (size_t)d * p->n_real, src->reals + (size_t)s * p->n_real,
           (size_t)p->n_real * sizeof *dst->reals);
    copy(dst->objs + (size_t)d * p->n_obj, src->objs + (size_t)s * p->n_obj,
           (size_t)p->n_obj * sizeof *dst->objs);
    copy(dst->cons + (size_t)d * p->n_con, src->cons + (size_t)s * p->n_con,
           (size_t)p->n_con * sizeof *dst->cons);
    dst->viol[d] = src->viol[s];
    dst->rank[d] = src->rank[s];
    dst->crowd[d] = src->crowd[s];
}

static int check_settings(const nsga_problem *p, const nsga_config *c, ax_err *err)
{
    if (p->n_int < 0 || p->n_real < 0 || p->n_int + p->n_real < 1)
        return ax_fail(err, AX_EINPUT, "nsga: a genome needs at least one gene");
    if (p->n_obj < 1 || p->n_con < 0)
        return ax_fail(err, AX_EINPUT, "nsga: need >= 1 objective and >= 0 constraints");
    if (!p->eval_batch == !p->eval_one)
        return ax_fail(err, AX_EINPUT, "nsga: give exactly one of eval_batch and eval_one");
    for (int i = 0; i < p->n_int; i++)
        if (p->int_card[i] < 1)
            return ax_fail(err, AX_EINPUT, "nsga: integer gene %d has cardinality %d (< 1)", i,
                           (int)p->int_card[i]);
    for (int i = 0; i < p->n_real; i++)
        if (!(p->real_lo[i] < p->real_hi[i]) || !isfinite(p->real_lo[i]) ||
            !isfinite(p->real_hi[i]))
            return ax_fail(err, AX_EINPUT, "nsga: real gene %d has bounds [%g, %g]", i,
                           p->real_lo[i], p->real_hi[i]);
    if (c->pop_size < 4 || c->pop_size % 2 != 0 || c->pop_size > (1 << 24))
        return ax_fail(err, AX_EINPUT, "nsga: population must be even and >= 4, got %d",
                       c->pop_size);
    if (!(c->sbx_prob >= 0 && c->sbx_prob <= 1) || !(c->int_cx_prob >= 0 && c->int_cx_prob <= 1))
        return ax_fail(err, AX_EINPUT, "nsga: crossover probabilities must be in [0, 1]");
    if (!(c->real_pm <= 1) || !(c->int_pm <= 1))
        return ax_fail(err, AX_EINPUT, "nsga: mutation probabilities must be <= 1");
    if (!(c->sbx_eta >= 0) || !(c->real_eta >= 0))
        return ax_fail(err, AX_EINPUT, "nsga: distribution indices must be >= 0");
    if (c->int_step_max < 1 || c->dedup_tries < 1)
        return ax_fail(err, AX_EINPUT, "nsga: step size and dedup tries must be >= 1");
    if (c->max_generations < 0 || c->max_evaluations < 0 || !(c->max_seconds >= 0))
        return ax_fail(err, AX_EINPUT, "nsga: limits must be >= 0");
    return AX_OK;
}

nsga *nsga_create(const nsga_problem *problem, const nsga_config *config, ax_err *err)
{
    if (check_settings(problem, config, err) != AX_OK)
        return NULL;
    nsga *ga = calloc(1, sizeof *ga);
    if (!ga) {
        ax_fail(err, AX_EINTERNAL, "nsga: out of memory");
        return NULL;
    }
    ga->prob = *problem;
    ga->cfg = *config;
    ga->n = config->pop_size;
    if (ga->cfg.real_pm < 0)
        ga->cfg.real_pm = problem->n_real > 0 ? 1.0 / problem->n_real : 0.0;
    if (ga->cfg.int_pm < 0)
        ga->cfg.int_pm = problem->n_int > 0 ? 1.0 / problem->n_int : 0.0;
    ga->card = alloc((size_t)problem->n_int, sizeof *ga->card);
    ga->lo = alloc((size_t)problem->n_real, sizeof *ga->lo);
    ga->hi = alloc((size_t)problem->n_real, sizeof *ga->hi);
    int n2 = 2 * ga->n;
    size_t key_bytes = (size_t)problem->n_int * sizeof(int32_t) + (size_t)problem->n_real * sizeof(double);
    ga->order = alloc((size_t)n2 * 2, sizeof *ga->order);
    ga->rank_tmp = alloc((size_t)n2, sizeof *ga->rank_tmp);
    ga->front_idx = alloc((size_t)n2, sizeof *ga->front_idx);
    ga->front_dist = alloc((size_t)n2, sizeof *ga->front_dist);
    ga->key = alloc(key_bytes, 1);
    /* At most the 2n rows of one generation are in the set at once, so the
     * adds of a generation never allocate. */
    ga->seen = gset_create(key_bytes > 0 ? key_bytes : 1);
    if (!ga->card || !ga->lo || !ga->hi || !ga->order || !ga->rank_tmp || !ga->front_idx ||
        !ga->front_dist || !ga->key || !ga->seen || gset_reserve(ga->seen, (size_t)n2) != 0 || block_alloc(&ga->pool, n2, problem) != 0 ||
        block_alloc(&ga->spare, n2, problem) != 0) {
        nsga_free(ga);
        ax_fail(err, AX_EINTERNAL, "nsga: out of memory");
        return NULL;
    }
    copy(ga->card, problem->int_card, (size_t)problem->n_int * sizeof *ga->card);
    copy(ga->lo, problem->real_lo, (size_t)problem->n_real * sizeof *ga->lo);
    copy(ga->hi, problem->real_hi, (size_t)problem->n_real * sizeof *ga->hi);
    ga->prob.int_card = ga->card;
    ga->prob.real_lo = ga->lo;
    ga->prob.real_hi = ga->hi;
    return ga;
}

void nsga_free(nsga *ga)
{
    if (!ga)
        return;
    block_free(&ga->pool);
    block_free(&ga->spare);
    free(ga->card);
    free(ga->lo);
    free(ga->hi);
    free(ga->init_ints);
    free(ga->init_reals);
    free(ga->blob);
    free(ga->order);
    free(ga->rank_tmp);
    free(ga->front_idx);
    free(ga->front_dist);
    gset_free(ga->seen);
    free(ga->key);
    free(ga);
}

int nsga_add_initial(nsga *ga, int count, const int32_t *ints, const double *reals, ax_err *err)
{
    const nsga_problem *p = &ga->prob;
    if (ga->size > 0)
        return ax_fail(err, AX_EINPUT, "nsga: initial genomes must come before initialisation");
    if (count < 0 || ga->n_init + count > ga->n)
        return ax_fail(err, AX_EINPUT, "nsga: at most %d initial genomes", ga->n);
    for (int k = 0; k < count; k++) {
        for (int i = 0; i < p->n_int; i++) {
            int32_t v = ints[(size_t)k * p->n_int + i];
            if (v < 0 || v >= p->int_card[i])
                return ax_fail(err, AX_EINPUT, "nsga: initial genome %d: gene %d = %d out of 0..%d",
                               k, i, (int)v, (int)p->int_card[i] - 1);
        }
        for (int i = 0; i < p->n_real; i++) {
            double v = reals[(size_t)k * p->n_real + i];
            if (!(v >= p->real_lo[i] && v <= p->real_hi[i]))
                return ax_fail(err, AX_EINPUT, "nsga: initial genome %d: real gene %d = %g out of bounds",
                               k, i, v);
        }
    }
    size_t total = (size_t)(ga->n_init + count);
    int32_t *ni = realloc(ga->init_ints, (total * p->n_int > 0 ? total * p->n_int : 1) * sizeof *ni);
    if (ni)
        ga->init_ints = ni;
    double *nr = realloc(ga->init_reals, (total * p->n_real > 0 ? total * p->n_real : 1) * sizeof *nr);
    if (nr)
        ga->init_reals = nr;
    if (!ni || !nr)
        return ax_fail(err, AX_EINTERNAL, "nsga: out of memory");
    copy(ga->init_ints + (size_t)ga->n_init * p->n_int, ints,
           (size_t)count * p->n_int * sizeof *ints);
    copy(ga->init_reals + (size_t)ga->n_init * p->n_real, reals,
           (size_t)count * p->n_real * sizeof *reals);
    ga->n_init += count;
    return AX_OK;
}

/* ---- duplicate detection over pool rows ------------------------------ */

/* Row's genes as the set's key: the integer genes, then the real ones. */
static const unsigned char *row_key(const nsga *ga, int row)
{
    const nsga_problem *p = &ga->prob;
    size_t ni = (size_t)p->n_int * sizeof(int32_t);
    copy(ga->key, ga->pool.ints + (size_t)row * p->n_int, ni);
    copy(ga->key + ni, ga->pool.reals + (size_t)row * p->n_real, (size_t)p->n_real * sizeof(double));
    return ga->key;
}

static void hash_clear(nsga *ga)
{
    gset_clear(ga->seen);
}

/* 1 if row equals a row already in the set. */
static int hash_contains(const nsga *ga, int row)
{
    return gset_find(ga->seen, row_key(ga, row)) >= 0;
}

/* Adds row (room for 2n rows was reserved: cannot fail). */
static void hash_insert(nsga *ga, int row)
{
    gset_add(ga->seen, row_key(ga, row), NULL);
}

/* Dedup applies to genomes with integer genes: real genomes almost never
 * repeat, and Deb's reference algorithm keeps clones, which the quality
 * figures we compare with assume. */
static int dedup_on(const nsga *ga)
{
    return ga->cfg.dedup && ga->prob.n_int > 0;
}

/* ---- evaluation -------------------------------------------------------- */

static int thread_count(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
#else
    (void)requested;
    return 1;
#endif
}

static int evaluate_rows(nsga *ga, int first, int count, ax_err *err)
{
    const nsga_problem *p = &ga->prob;
    int32_t *ints = ga->pool.ints + (size_t)first * p->n_int;
    double *reals = ga->pool.reals + (size_t)first * p->n_real;
    double *objs = ga->pool.objs + (size_t)first * p->n_obj;
    double *cons = ga->pool.cons + (size_t)first * p->n_con;
    if (p->eval_batch) {
        int status = p->eval_batch(p->user, count, ints, reals, objs, p->n_con ? cons : NULL, err);
        if (status != AX_OK)
            return status;
    } else {
        int threads = thread_count(ga->cfg.threads);
        (void)threads;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (int k = 0; k < count; k++)
            p->eval_one(p->user, ints + (size_t)k * p->n_int, reals + (size_t)k * p->n_real,
                        objs + (size_t)k * p->n_obj, p->n_con ? cons + (size_t)k * p->n_con : NULL);
    }
    for (int k = 0; k < count; k++) {
        double v = 0.0;
        for (int j = 0; j < p->n_con; j++) {
            double g = cons[(size_t)k * p->n_con + j];
            if (isnan(g))
                return ax_fail(err, AX_EINTERNAL, "nsga: constraint %d of a genome is NaN", j);
            if (g < 0)
                v -= g;
        }
        for (int j = 0; j < p->n_obj; j++)
            if (isnan(objs[(size_t)k * p->n_obj + j]))
                return ax_fail(err, AX_EINTERNAL, "nsga: objective %d of a genome is NaN", j);
        ga->pool.viol[first + k] = v;
    }
    ga->evals += count;
    return AX_OK;
}

/* ---- ranking and environmental selection ------------------------------ */

typedef struct crowd_ctx {
    const double *crowd;
} crowd_ctx;

/* Larger crowding distance first, then lower row. */
static int cmp_crowd_desc(int a, int b, const void *ctx)
{
    const double *c = ((const crowd_ctx *)ctx)->crowd;
    if (c[a] > c[b])
        return -1;
    if (c[a] < c[b])
        return 1;
    return (a > b) - (a < b);
}

/* Ranks rows 0..rows-1 of the pool and sets the crowding distance of every
 * front. Returns the number of fronts or -1 (no memory). */
static int rank_and_crowd(nsga *ga, int rows)
{
    const nsga_problem *p = &ga->prob;
    int fronts = pareto_rank(ga->pool.objs, ga->pool.viol, rows, p->n_obj, ga->pool.rank);
    if (fronts < 0)
        return -1;
    /* front_idx: rows grouped by front, in row order within a front
     * (counting sort); front f occupies [start[f], start[f+1]). */
    int *start = alloc((size_t)fronts + 1, sizeof *start);
    int *next = alloc((size_t)fronts + 1, sizeof *next);
    if (!start || !next) {
        free(start);
        free(next);
        return -1;
    }
    for (int f = 0; f <= fronts; f++)
        start[f] = 0;
    for (int r = 0; r < rows; r++)
        start[ga->pool.rank[r] + 1]++;
    for (int f = 0; f < fronts; f++)
        start[f + 1] += start[f];
    memcpy(next, start, ((size_t)fronts + 1) * sizeof *next);
    for (int r = 0; r < rows; r++)
        ga->front_idx[next[ga->pool.rank[r]]++] = r;
    free(next);
    int status = fronts;
    for (int f = 0; f < fronts && status >= 0; f++) {
        int lo = start[f], hi = start[f + 1];
        if (pareto_crowding(ga->pool.objs, p->n_obj, ga->front_idx + lo, hi - lo,
                            ga->front_dist + lo) != 0)
            status = -1;
        for (int k = lo; k < hi && status >= 0; k++)
            ga->pool.crowd[ga->front_idx[k]] = ga->front_dist[k];
    }
    free(start);
    return status;
}

/* Keeps the best n of the 2n pool rows: whole fronts in rank order, the
 * last one cut by crowding distance. Survivors move to rows 0..n-1, ordered
 * by rank, then (within the cut front) by crowding, then by old row. */
static int environmental_selection(nsga *ga, ax_err *err)
{
    int rows = 2 * ga->n;
    if (rank_and_crowd(ga, rows) < 0)
        return ax_fail(err, AX_EINTERNAL, "nsga: out of memory");
    int *chosen = ga->order;
    int taken = 0;
    /* front_idx lists rows grouped by front (set by rank_and_crowd). */
    int k = 0;
    while (taken < ga->n) {
        int f = ga->pool.rank[ga->front_idx[k]];
        int end = k;
        while (end < rows && ga->pool.rank[ga->front_idx[end]] == f)
            end++;
        int count = end - k;
        if (taken + count <= ga->n) {
            memcpy(chosen + taken, ga->front_idx + k, (size_t)count * sizeof *chosen);
            taken += count;
        } else {
            crowd_ctx cc = {ga->pool.crowd};
            if (sort_indices(ga->front_idx + k, (size_t)count, cmp_crowd_desc, &cc, NULL) != 0)
                return ax_fail(err, AX_EINTERNAL, "nsga: out of memory");
            memcpy(chosen + taken, ga->front_idx + k, (size_t)(ga->n - taken) * sizeof *chosen);
            taken = ga->n;
        }
        k = end;
    }
    for (int i = 0; i < ga->n; i++)
        row_copy(ga, &ga->spare, i, &ga->pool, chosen[i]);
    for (int i = 0; i < ga->n; i++)
        row_copy(ga, &ga->pool, i, &ga->spare, i);
    ga->size = ga->n;
    return AX_OK;
}

/* ---- initial population ---------------------------------------------- */

static void random_genome(nsga *ga, int row, pcg32 *rng)
{
    const nsga_problem *p = &ga->prob;
    int32_t *g = ga->pool.ints + (size_t)row * p->n_int;
    double *x = ga->pool.reals + (size_t)row * p->n_real;
    for (int i = 0; i < p->n_int; i++)
        g[i] = (int32_t)pcg32_bounded(rng, (uint32_t)p->int_card[i]);
    for (int i = 0; i < p->n_real; i++)
        x[i] = p->real_lo[i] + (p->real_hi[i] - p->real_lo[i]) * pcg32_double(rng);
}

int nsga_initialize(nsga *ga, ax_err *err)
{
    const nsga_problem *p = &ga->prob;
    if (ga->size > 0)
        return AX_OK;
    double t0 = wallclock_seconds();
    hash_clear(ga);
    for (int i = 0; i < ga->n; i++) {
        if (i < ga->n_init) {
            copy(ga->pool.ints + (size_t)i * p->n_int, ga->init_ints + (size_t)i * p->n_int,
                   (size_t)p->n_int * sizeof(int32_t));
            copy(ga->pool.reals + (size_t)i * p->n_real, ga->init_reals + (size_t)i * p->n_real,
                   (size_t)p->n_real * sizeof(double));
        } else {
            pcg32 rng = pcg32_derive4(ga->cfg.seed, PCG_PURPOSE_GA_INIT, 0, (uint64_t)i, 0, 0);
            int tries = 0;
            do
                random_genome(ga, i, &rng);
            while (dedup_on(ga) && hash_contains(ga, i) && ++tries < ga->cfg.dedup_tries);
            if (dedup_on(ga) && tries == ga->cfg.dedup_tries)
                ga->dups++;
        }
        if (dedup_on(ga) && !hash_contains(ga, i))
            hash_insert(ga, i);
    }
    int status = evaluate_rows(ga, 0, ga->n, err);
    if (status != AX_OK) {
        ga->evals = 0;
        ga->dups = 0;
        return status;
    }
    if (rank_and_crowd(ga, ga->n) < 0)
        return ax_fail(err, AX_EINTERNAL, "nsga: out of memory");
    ga->size = ga->n;
    ga->gen = 1;
    ga->elapsed += wallclock_seconds() - t0;
    return AX_OK;
}

/* ---- one generation ---------------------------------------------------- */

/* Binary tournament between rows a and b. NSGA_TOURNAMENT_CROWDED is the
 * paper's crowded comparison with Deb's constraint rule: feasible beats
 * infeasible, less violation beats more, lower rank beats higher, larger
 * crowding beats smaller. NSGA_TOURNAMENT_DOMINANCE is what Deb's reference
 * code does: constrained domination decides, else crowding; it lets a
 * lower-ranked but non-dominated point win on crowding, which explores more
 * (it finds OSY's far segment more often) but converges a little less
 * tightly on ZDT/DTLZ. A full tie is settled by a coin. */
static int tournament(const nsga *ga, int a, int b, pcg32 *rng)
{
    const block *q = &ga->pool;
    if (ga->cfg.tournament == NSGA_TOURNAMENT_DOMINANCE) {
        int m = ga->prob.n_obj;
        const double *fa = q->objs + (size_t)a * m, *fb = q->objs + (size_t)b * m;
        if (pareto_cdominates(fa, q->viol[a], fb, q->viol[b], m))
            return a;
        if (pareto_cdominates(fb, q->viol[b], fa, q->viol[a], m))
            return b;
    } else {
        if (q->viol[a] > 0 || q->viol[b] > 0) {
            if (q->viol[a] < q->viol[b])
                return a;
            if (q->viol[b] < q->viol[a])
                return b;
        }
        if (q->rank[a] != q->rank[b])
            return q->rank[a] < q->rank[b] ? a : b;
    }
    if (q->crowd[a] != q->crowd[b])
        return q->crowd[a] > q->crowd[b] ? a : b;
    return (pcg32_next(rng) & 1u) ? a : b;
}

static void shuffle(int *v, int n, pcg32 *rng)
{
    for (int i = 0; i < n; i++)
        v[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)pcg32_bounded(rng, (uint32_t)i + 1);
        int t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* Writes two children of parents pa, pb into rows c1, c2 of the pool. */
static void make_children(nsga *ga, int pa, int pb, int c1, int c2, pcg32 *rng)
{
    const nsga_problem *p = &ga->prob;
    const nsga_config *c = &ga->cfg;
    block *q = &ga->pool;
    if (p->n_real > 0) {
        double *x1 = q->reals + (size_t)c1 * p->n_real, *x2 = q->reals + (size_t)c2 * p->n_real;
        var_sbx(rng, q->reals + (size_t)pa * p->n_real, q->reals + (size_t)pb * p->n_real, x1, x2,
                p->n_real, p->real_lo, p->real_hi, c->sbx_prob, c->sbx_eta);
        var_polynomial_mutation(rng, x1, p->n_real, p->real_lo, p->real_hi, c->real_pm, c->real_eta);
        var_polynomial_mutation(rng, x2, p->n_real, p->real_lo, p->real_hi, c->real_pm, c->real_eta);
    }
    if (p->n_int > 0) {
        int32_t *g1 = q->ints + (size_t)c1 * p->n_int, *g2 = q->ints + (size_t)c2 * p->n_int;
        const int32_t *a = q->ints + (size_t)pa * p->n_int, *b = q->ints + (size_t)pb * p->n_int;
        if (c->int_crossover == NSGA_INT_TWO_POINT)
            var_int_two_point(rng, a, b, g1, g2, p->n_int, c->int_cx_prob);
        else
            var_int_uniform(rng, a, b, g1, g2, p->n_int, c->int_cx_prob);
        for (int k = 0; k < 2; k++) {
            int32_t *g = k == 0 ? g1 : g2;
            if (c->int_mutation == NSGA_INT_STEP)
                var_int_step(rng, g, p->n_int, p->int_card, c->int_pm, c->int_step_max);
            else
                var_int_reset(rng, g, p->n_int, p->int_card, c->int_pm);
        }
    }
}

/* Changes one integer gene of row (drawn among genes with a choice) to a
 * different value: the escape when variation keeps producing a duplicate. */
static void force_mutation(nsga *ga, int row, pcg32 *rng)
{
    const nsga_problem *p = &ga->prob;
    int choices = 0;
    for (int i = 0; i < p->n_int; i++)
        choices += p->int_card[i] > 1;
    if (choices == 0)
        return;
    int pick = (int)pcg32_bounded(rng, (uint32_t)choices);
    for (int i = 0; i < p->n_int; i++) {
        if (p->int_card[i] <= 1 || pick-- > 0)
            continue;
        int32_t *g = ga->pool.ints + (size_t)row * p->n_int + i;
        int32_t v = (int32_t)pcg32_bounded(rng, (uint32_t)p->int_card[i] - 1);
        *g = v >= *g ? v + 1 : v;
        return;
    }
}

int nsga_step(nsga *ga, ax_err *err)
{
    if (ga->size == 0)
        return ax_fail(err, AX_EINPUT, "nsga: step before initialisation");
    double t0 = wallclock_seconds();
    int n = ga->n;
    uint64_t gen = (uint64_t)ga->gen;
    long dups_before = ga->dups, evals_before = ga->evals;

    /* Mating: two random permutations give 2n entrants, four per pair of
     * children (as in Deb's code). */
    pcg32 srng = pcg32_derive4(ga->cfg.seed, PCG_PURPOSE_GA_SELECT, gen, 0, 0, 0);
    int *entrants = ga->order; /* 2n */
    shuffle(entrants, n, &srng);
    shuffle(entrants + n, n, &srng);
    int *parents = ga->rank_tmp; /* n: pa, pb per pair */
    for (int pair = 0; pair < n / 2; pair++) {
        const int *e = entrants + 4 * pair;
        parents[2 * pair] = tournament(ga, e[0], e[1], &srng);
        parents[2 * pair + 1] = tournament(ga, e[2], e[3], &srng);
    }

    if (dedup_on(ga)) {
        hash_clear(ga);
        for (int r = 0; r < n; r++)
            if (!hash_contains(ga, r))
                hash_insert(ga, r);
    }
    for (int pair = 0; pair < n / 2; pair++) {
        pcg32 vrng = pcg32_derive4(ga->cfg.seed, PCG_PURPOSE_GA_VARIATION, gen, (uint64_t)pair, 0, 0);
        int pa = parents[2 * pair], pb = parents[2 * pair + 1];
        int c1 = n + 2 * pair, c2 = c1 + 1;
        make_children(ga, pa, pb, c1, c2, &vrng);
        if (!dedup_on(ga))
            continue;
        /* Each child must differ from the parents and earlier children;
         * a duplicate child is bred again from the same parents (and after
         * half the tries also forced to change one gene). */
        for (int side = 0; side < 2; side++) {
            int row = side == 0 ? c1 : c2;
            int tries = 0;
            while (hash_contains(ga, row) && tries < ga->cfg.dedup_tries) {
                tries++;
                /* Breed into the spare rows of the pool's other child when
                 * that child is still to be checked; else into a copy. */
                int other = side == 0 ? c2 : c1;
                if (side == 0) {
                    make_children(ga, pa, pb, c1, c2, &vrng);
                } else {
                    /* Keep the accepted first child: breed into c2 and the
                     * first child's row, then restore it from the spare. */
                    row_copy(ga, &ga->spare, 0, &ga->pool, other);
                    make_children(ga, pa, pb, other, row, &vrng);
                    row_copy(ga, &ga->pool, other, &ga->spare, 0);
                }
                if (tries > ga->cfg.dedup_tries / 2)
                    force_mutation(ga, row, &vrng);
            }
            if (hash_contains(ga, row))
                ga->dups++;
            else
                hash_insert(ga, row);
        }
    }

    int status = evaluate_rows(ga, n, n, err);
    if (status == AX_OK)
        status = environmental_selection(ga, err);
    if (status != AX_OK) {
        /* Rows 0..n-1 keep the parents' genes and objectives: selection
         * fails (out of memory) only before it copies survivors. */
        ga->dups = dups_before;
        ga->evals = evals_before;
        return status;
    }
    ga->gen++;
    ga->elapsed += wallclock_seconds() - t0;
    return AX_OK;
}

/* ---- running ----------------------------------------------------------- */

int nsga_done(const nsga *ga)
{
    const nsga_config *c = &ga->cfg;
    if (ga->size == 0)
        return 0;
    if (c->max_generations > 0 && ga->gen >= c->max_generations)
        return 1;
    if (c->max_evaluations > 0 && ga->evals + ga->n > c->max_evaluations)
        return 1;
    if (c->max_seconds > 0 && ga->elapsed >= c->max_seconds)
        return 1;
    return 0;
}

static int stop_requested(const nsga *ga)
{
    return ga->cfg.stop_flag && *ga->cfg.stop_flag;
}

static int call_hook(nsga *ga, ax_err *err)
{
    return ga->cfg.hook ? ga->cfg.hook(ga, ga->cfg.hook_user, err) : AX_OK;
}

int nsga_run(nsga *ga, ax_err *err)
{
    int status;
    if (ga->size == 0) {
        if (stop_requested(ga))
            return ax_fail(err, AX_ESTOPPED, "nsga: stopped");
        if ((status = nsga_initialize(ga, err)) != AX_OK)
            return status;
        if ((status = call_hook(ga, err)) != AX_OK)
            return status;
    }
    while (!nsga_done(ga)) {
        if (stop_requested(ga))
            return ax_fail(err, AX_ESTOPPED, "nsga: stopped");
        if ((status = nsga_step(ga, err)) != AX_OK)
            return status;
        if ((status = call_hook(ga, err)) != AX_OK)
            return status;
    }
    return AX_OK;
}

nsga_view nsga_population(const nsga *ga)
{
    const nsga_problem *p = &ga->prob;
    nsga_view v = {ga->size, p->n_int,       p->n_real,      p->n_obj,      p->n_con,
                   ga->pool.ints, ga->pool.reals, ga->pool.objs, ga->pool.cons, ga->pool.viol,
                   ga->pool.rank, ga->pool.crowd};
    return v;
}

long nsga_generation(const nsga *ga) { return ga->gen; }
long nsga_evaluations(const nsga *ga) { return ga->evals; }
long nsga_duplicates(const nsga *ga) { return ga->dups; }
double nsga_elapsed(const nsga *ga) { return ga->elapsed; }

const void *nsga_blob(const nsga *ga, size_t *len)
{
    *len = ga->blob_len;
    return ga->blob;
}

/* ---- checkpoints ------------------------------------------------------- */

static const unsigned char CHECKPOINT_MAGIC[8] = {'A', 'X', 'N', 'S', 'G', 'A', '2', '\n'};
enum { CHECKPOINT_VERSION = 1 };

/* The shape of the problem and the settings that decide the course of the
 * search; a checkpoint resumes only under the same ones. */
static void put_identity(bb_writer *w, const nsga *ga)
{
    const nsga_problem *p = &ga->prob;
    const nsga_config *c = &ga->cfg;
    bb_put_u32(w, (uint32_t)p->n_int);
    bb_put_u32(w, (uint32_t)p->n_real);
    bb_put_u32(w, (uint32_t)p->n_obj);
    bb_put_u32(w, (uint32_t)p->n_con);
    bb_put_u32(w, (uint32_t)ga->n);
    bb_put_u64(w, c->seed);
    bb_put_f64(w, c->sbx_prob);
    bb_put_f64(w, c->sbx_eta);
    bb_put_f64(w, c->real_pm);
    bb_put_f64(w, c->real_eta);
    bb_put_u32(w, (uint32_t)c->int_crossover);
    bb_put_f64(w, c->int_cx_prob);
    bb_put_u32(w, (uint32_t)c->int_mutation);
    bb_put_f64(w, c->int_pm);
    bb_put_u32(w, (uint32_t)c->int_step_max);
    bb_put_u32(w, (uint32_t)c->dedup);
    bb_put_u32(w, (uint32_t)c->dedup_tries);
    bb_put_u32(w, (uint32_t)c->tournament);
    for (int i = 0; i < p->n_int; i++)
        bb_put_u32(w, (uint32_t)p->int_card[i]);
    for (int i = 0; i < p->n_real; i++) {
        bb_put_f64(w, p->real_lo[i]);
        bb_put_f64(w, p->real_hi[i]);
    }
}

int nsga_save(const nsga *ga, const char *path, const void *blob, size_t blob_len, ax_err *err)
{
    const nsga_problem *p = &ga->prob;
    if (ga->size == 0)
        return ax_fail(err, AX_EINPUT, "%s: nothing to save before initialisation", path);
    bb_writer w = {0};
    /* Identity as one length-prefixed section, so load can compare it as
     * bytes and name the first field that differs. */
    bb_writer id = {0};
    put_identity(&id, ga);
    bb_put_u64(&w, id.n);
    bb_put_bytes(&w, id.p, id.n);
    int id_oom = id.oom;
    free(id.p);
    bb_put_u64(&w, (uint64_t)ga->gen);
    bb_put_u64(&w, (uint64_t)ga->evals);
    bb_put_u64(&w, (uint64_t)ga->dups);
    bb_put_f64(&w, ga->elapsed);
    for (int r = 0; r < ga->size; r++) {
        for (int i = 0; i < p->n_int; i++)
            bb_put_u32(&w, (uint32_t)ga->pool.ints[(size_t)r * p->n_int + i]);
        for (int i = 0; i < p->n_real; i++)
            bb_put_f64(&w, ga->pool.reals[(size_t)r * p->n_real + i]);
        for (int j = 0; j < p->n_obj; j++)
            bb_put_f64(&w, ga->pool.objs[(size_t)r * p->n_obj + j]);
        for (int j = 0; j < p->n_con; j++)
            bb_put_f64(&w, ga->pool.cons[(size_t)r * p->n_con + j]);
        bb_put_f64(&w, ga->pool.viol[r]);
        bb_put_u32(&w, (uint32_t)ga->pool.rank[r]);
        bb_put_f64(&w, ga->pool.crowd[r]);
    }
    bb_put_u64(&w, (uint64_t)blob_len);
    if (blob_len > 0)
        bb_put_bytes(&w, blob, blob_len);
    int status = w.oom || id_oom ? ax_fail(err, AX_EINTERNAL, "%s: out of memory", path)
                                 : frame_write(path, CHECKPOINT_MAGIC, CHECKPOINT_VERSION, w.p, w.n, err);
    free(w.p);
    return status;
}

int nsga_read_blob(const char *path, void **blob, size_t *blob_len, ax_err *err)
{
    *blob = NULL;
    *blob_len = 0;
    unsigned char *data;
    const unsigned char *body;
    size_t len;
    if (frame_read(path, CHECKPOINT_MAGIC, CHECKPOINT_VERSION, "an axsearch NSGA-II checkpoint", &data, &body,
                   &len, err) != AX_OK)
        return err ? err->code : AX_EINPUT;
    /* The identity opens with the shape of a row (put_identity). */
    bb_reader r = {body, len, 0, 0};
    uint64_t id_len = bb_get_u64(&r);
    const unsigned char *id = id_len >= 20 && id_len <= len ? bb_take(&r, (size_t)id_len) : NULL;
    uint64_t row = 0, rows = 0;
    if (id) {
        bb_reader ir = {id, (size_t)id_len, 0, 0};
        uint64_t n_int = bb_get_u32(&ir), n_real = bb_get_u32(&ir), n_obj = bb_get_u32(&ir);
        uint64_t n_con = bb_get_u32(&ir);
        rows = bb_get_u32(&ir);
        row = 4 * n_int + 8 * n_real + 8 * n_obj + 8 * n_con + 8 + 4 + 8;
    }
    bb_take(&r, 32); /* gen, evals, dups, elapsed */
    int rc = AX_OK;
    if (!id || r.short_read || (rows && row > (r.n - r.pos) / rows))
        rc = ax_fail(err, AX_EINPUT, "%s: its contents do not match its layout", path);
    else
        bb_take(&r, (size_t)(row * rows));
    uint64_t n = rc == AX_OK ? bb_get_u64(&r) : 0;
    const unsigned char *b = rc == AX_OK && !r.short_read && n == r.n - r.pos ? bb_take(&r, (size_t)n) : NULL;
    if (rc == AX_OK && !b)
        rc = ax_fail(err, AX_EINPUT, "%s: its contents do not match its layout", path);
    if (rc == AX_OK && n > 0) {
        *blob = malloc((size_t)n);
        if (!*blob)
            rc = ax_fail(err, AX_EINTERNAL, "%s: out of memory", path);
        else
            memcpy(*blob, b, (size_t)n);
        *blob_len = *blob ? (size_t)n : 0;
    }
    free(data);
    return rc;
}

/* The checksum guards against damage, not against values no run can
 * write: a NaN objective or constraint (evaluate_rows refuses them), a
 * negative violation, a rank beyond the pool (it indexes arrays), negative
 * counts or time. NULL when the state is plausible. */
static const char *implausible_state(const nsga *ga)
{
    if (ga->evals < 0 || ga->dups < 0 || !(ga->elapsed >= 0) || !isfinite(ga->elapsed))
        return "its counters or elapsed time are negative or not numbers";
    const nsga_problem *p = &ga->prob;
    for (int row = 0; row < ga->n; row++) {
        for (int j = 0; j < p->n_obj; j++)
            if (isnan(ga->pool.objs[(size_t)row * p->n_obj + j]))
                return "a stored objective is NaN";
        for (int j = 0; j < p->n_con; j++)
            if (isnan(ga->pool.cons[(size_t)row * p->n_con + j]))
                return "a stored constraint is NaN";
        for (int i = 0; i < p->n_real; i++)
            if (!isfinite(ga->pool.reals[(size_t)row * p->n_real + i]))
                return "a stored real gene is not a finite number";
        /* (a crowding distance may be NaN when an objective is infinite) */
        if (!(ga->pool.viol[row] >= 0) || ga->pool.rank[row] < 0 || ga->pool.rank[row] >= ga->n)
            return "a stored violation or rank is impossible";
    }
    return NULL;
}

nsga *nsga_load(const char *path, const nsga_problem *problem, const nsga_config *config,
                ax_err *err)
{
    unsigned char *data;
    const unsigned char *body;
    size_t len;
    if (frame_read(path, CHECKPOINT_MAGIC, CHECKPOINT_VERSION, "an axsearch NSGA-II checkpoint", &data, &body,
                   &len, err) != AX_OK)
        return NULL;
    nsga *ga = NULL;
    const char *why = NULL;
    bb_reader r = {body, len, 0, 0};
    ga = nsga_create(problem, config, err);
    if (!ga) {
        free(data);
        return NULL;
    }
    {
        bb_writer id = {0};
        put_identity(&id, ga);
        uint64_t id_len = bb_get_u64(&r);
        const unsigned char *stored = bb_take(&r, id.n);
        int same = !id.oom && id_len == id.n && stored && memcmp(stored, id.p, id.n) == 0;
        free(id.p);
        if (!same) {
            why = "it was written for a different problem or different search settings "
                  "(population, seed, operators, genes)";
            goto fail;
        }
    }
    ga->gen = (long)bb_get_u64(&r);
    ga->evals = (long)bb_get_u64(&r);
    ga->dups = (long)bb_get_u64(&r);
    ga->elapsed = bb_get_f64(&r);
    const nsga_problem *p = &ga->prob;
    for (int row = 0; row < ga->n && !r.short_read; row++) {
        for (int i = 0; i < p->n_int; i++) {
            uint32_t v = bb_get_u32(&r);
            if (v >= (uint32_t)p->int_card[i] && !r.short_read) {
                why = "a stored gene is out of range";
                goto fail;
            }
            ga->pool.ints[(size_t)row * p->n_int + i] = (int32_t)v;
        }
        for (int i = 0; i < p->n_real; i++)
            ga->pool.reals[(size_t)row * p->n_real + i] = bb_get_f64(&r);
        for (int j = 0; j < p->n_obj; j++)
            ga->pool.objs[(size_t)row * p->n_obj + j] = bb_get_f64(&r);
        for (int j = 0; j < p->n_con; j++)
            ga->pool.cons[(size_t)row * p->n_con + j] = bb_get_f64(&r);
        ga->pool.viol[row] = bb_get_f64(&r);
        ga->pool.rank[row] = (int)bb_get_u32(&r);
        ga->pool.crowd[row] = bb_get_f64(&r);
    }
    uint64_t blob_len = bb_get_u64(&r);
    const unsigned char *blob = r.short_read || blob_len > r.n - r.pos ? NULL : bb_take(&r, blob_len);
    if (r.short_read || (blob_len > 0 && !blob) || r.pos != r.n || ga->gen < 1) {
        why = "its contents do not match its layout";
        goto fail;
    }
    if ((why = implausible_state(ga)) != NULL)
        goto fail;
    if (blob_len > 0) {
        ga->blob = malloc(blob_len);
        if (!ga->blob) {
            ax_fail(err, AX_EINTERNAL, "%s: out of memory", path);
            nsga_free(ga);
            free(data);
            return NULL;
        }
        memcpy(ga->blob, blob, blob_len);
        ga->blob_len = blob_len;
    }
    ga->size = ga->n;
    free(data);
    return ga;
fail:
    ax_fail(err, AX_EINPUT, "%s: cannot resume: %s", path, why);
    nsga_free(ga);
    free(data);
    return NULL;
}
