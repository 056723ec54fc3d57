#include "fitness/emu/recover.h"

#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

struct rec_hist {
    int n_layers;
    uint64_t **layer; /* [n_layers][group * K][256] */
};

void rec_hist_free(rec_hist *h)
{
    if (!h)
        return;
    for (int l = 0; l < h->n_layers && h->layer; l++)
        free(h->layer[l]);
    free(h->layer);
    free(h);
}

int rec_hist_make(const qnet *q, const uint8_t *pixels, int64_t n, int threads, rec_hist **out, ax_err *err)
{
    *out = NULL;
    rec_hist *h = calloc(1, sizeof *h);
    int nl = qnet_n_layers(q);
    if (!h || !(h->layer = calloc((size_t)nl, sizeof *h->layer))) {
        free(h);
        return ax_fail(err, AX_EINTERNAL, "recovery: out of memory");
    }
    h->n_layers = nl;
    for (int l = 0; l < nl; l++) {
        const qnet_layer *L = qnet_layer_info(q, l);
        if (!(h->layer[l] = calloc((size_t)(L->shape.group * L->K) * 256, sizeof *h->layer[l]))) {
            rec_hist_free(h);
            return ax_fail(err, AX_EINTERNAL, "recovery: out of memory");
        }
    }
    int rc = emu_histograms(q, pixels, n, threads, h->layer, err);
    if (rc != AX_OK) {
        rec_hist_free(h);
        return rc;
    }
    *out = h;
    return AX_OK;
}

const uint64_t *rec_hist_layer(const rec_hist *h, int layer)
{
    return h->layer[layer];
}

static int table_is_exact(const uint16_t *lut)
{
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            if (lut[a * 256 + w] != a * w)
                return 0;
    return 1;
}

/* Exact integer arithmetic for the tuning costs: with counts up to ~2^31
 * and products up to 2^16, n^2 Var needs about 2^96. GCC and Clang on
 * 64-bit targets have a 128-bit integer. */
#ifndef __SIZEOF_INT128__
#error "recover.c needs a compiler with __int128 (GCC or Clang on a 64-bit target)"
#endif
__extension__ typedef __int128 i128;

void rec_tune_map(const uint64_t *hist, const uint16_t *lut, int objective_variance, int radius,
                  uint8_t map[256])
{
    for (int w = 0; w < 256; w++)
        map[w] = (uint8_t)w;
    /* Sums over the histogram: n, sum a, sum a^2; per candidate c, with
     * L = lut[a][c]: sum L^2, sum a L, sum L. Then for target w, exactly,
     *   n E[(L - a w)^2] = S_L2 - 2 w S_aL + w^2 S_a2,
     *   n^2 Var[L - a w] = n (that) - (S_L - w S_a)^2. */
    i128 n = 0, s_a = 0, s_a2 = 0;
    for (int a = 0; a < 256; a++) {
        n += hist[a];
        s_a += (i128)hist[a] * a;
        s_a2 += (i128)hist[a] * a * a;
    }
    if (n == 0)
        return;
    i128 s_l2[256], s_al[256], s_l[256];
    for (int c = 0; c < 256; c++) {
        i128 l2 = 0, al = 0, l1 = 0;
        for (int a = 0; a < 256; a++) {
            i128 h = hist[a], L = lut[a * 256 + c];
            l2 += h * L * L;
            al += h * a * L;
            l1 += h * L;
        }
        s_l2[c] = l2;
        s_al[c] = al;
        s_l[c] = l1;
    }
    int r = radius < 0 ? 0 : radius > 255 ? 255 : radius;
    for (int w = 0; w < 256; w++) {
        int lo = w - r < 0 ? 0 : w - r, hi = w + r > 255 ? 255 : w + r;
        int best = w;
        i128 best_cost = 0;
        for (int c = lo; c <= hi; c++) {
            i128 cost = s_l2[c] - 2 * (i128)w * s_al[c] + (i128)w * w * s_a2;
            if (objective_variance) {
                i128 mean = s_l[c] - (i128)w * s_a;
                cost = n * cost - mean * mean;
            }
            int dist = abs(c - w), best_dist = abs(best - w);
            if (c == lo || cost < best_cost || (cost == best_cost && dist < best_dist)) {
                best = c;
                best_cost = cost;
            }
        }
        map[w] = (uint8_t)best;
    }
}

/* round(num / den) for den > 0, halves away from zero. */
static int64_t div_round(int64_t num, int64_t den)
{
    int64_t mag = num < 0 ? -num : num;
    int64_t q = (2 * mag + den) / (2 * den);
    return num < 0 ? -q : q;
}

/* The compensated bias of every output channel into bias [M]. lut_t is
 * the table transposed, [w][a], so the sums over a read it in order. */
static int compensate(const qnet_layer *L, const uint64_t *hist, const uint8_t *tuned, const uint16_t *lut_t,
                      int layer, int32_t *bias, ax_err *err)
{
    int K = L->K;
    int64_t Mg = L->shape.M / L->shape.group, rows = (int64_t)L->shape.group * K;
    /* Every position k of a group sees the same number of products: one
     * per output pixel and image. */
    int64_t cols = 0;
    for (int a = 0; a < 256; a++)
        cols += (int64_t)hist[a];
    /* sum_a h(a) a per row: the exact products' part, w times this. */
    int64_t *sum_a = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *sum_a);
    if (!sum_a)
        return ax_fail(err, AX_EINTERNAL, "recovery: out of memory");
    for (int64_t row = 0; row < rows; row++) {
        int64_t s = 0;
        for (int a = 0; a < 256; a++)
            s += (int64_t)hist[row * 256 + a] * a;
        sum_a[row] = s;
    }
    int rc = AX_OK;
    for (int64_t m = 0; m < L->shape.M && rc == AX_OK; m++) {
        int32_t b = L->bias[m];
        if (cols > 0) {
            int64_t row0 = (m / Mg) * K;
            int64_t sum = 0; /* the accumulator's error times cols, exact */
            for (int k = 0; k < K; k++) {
                const uint64_t *h = hist + (row0 + k) * 256;
                const uint16_t *col = lut_t + tuned[m * K + k] * 256;
                int64_t approx = 0;
                for (int a = 0; a < 256; a++)
                    approx += (int64_t)h[a] * col[a];
                sum += approx - (int64_t)L->weights[m * K + k] * sum_a[row0 + k];
            }
            int64_t nb = (int64_t)b - div_round(sum, cols);
            if (nb < INT32_MIN || nb > INT32_MAX) {
                rc = ax_fail(err, AX_EINPUT, "recovery: layer %d (%s) channel %lld: compensated bias %lld outside "
                             "int32", layer, L->name[0] ? L->name : "unnamed", (long long)m, (long long)nb);
                break;
            }
            b = (int32_t)nb;
        }
        bias[m] = b;
    }
    free(sum_a);
    return rc;
}

void rec_fix_free(emu_layer_fix *fx)
{
    free(fx); /* one block: the struct, the bias, the weights */
}

int rec_fix_make(const qnet *q, const rec_hist *h, int layer, const uint16_t *lut, const rec_options *o,
                 emu_layer_fix **out, ax_err *err)
{
    *out = NULL;
    if (!lut || !o || (!o->tune && !o->compensate) || table_is_exact(lut))
        return AX_OK;
    const qnet_layer *L = qnet_layer_info(q, layer);
    size_t nw = (size_t)(L->shape.M * L->K), nbias = (size_t)L->shape.M;
    size_t head = sizeof(emu_layer_fix) + nbias * sizeof(int32_t);
    emu_layer_fix *fx = malloc(head + nw);
    if (!fx)
        return ax_fail(err, AX_EINTERNAL, "recovery: out of memory");
    int32_t *bias = (int32_t *)(fx + 1);
    uint8_t *weights = (uint8_t *)fx + head;
    const uint64_t *hist = h->layer[layer];
    if (o->tune) {
        uint64_t total[256] = {0};
        for (int64_t row = 0; row < (int64_t)L->shape.group * L->K; row++)
            for (int a = 0; a < 256; a++)
                total[a] += hist[row * 256 + a];
        uint8_t map[256];
        rec_tune_map(total, lut, o->compensate, o->radius, map);
        for (size_t i = 0; i < nw; i++)
            weights[i] = map[L->weights[i]];
    } else {
        memcpy(weights, L->weights, nw);
    }
    if (o->compensate) {
        uint16_t *lut_t = malloc(65536 * sizeof *lut_t);
        if (!lut_t) {
            free(fx);
            return ax_fail(err, AX_EINTERNAL, "recovery: out of memory");
        }
        for (int a = 0; a < 256; a++)
            for (int w = 0; w < 256; w++)
                lut_t[w * 256 + a] = lut[a * 256 + w];
        int rc = compensate(L, hist, weights, lut_t, layer, bias, err);
        free(lut_t);
        if (rc != AX_OK) {
            free(fx);
            return rc;
        }
    } else {
        memcpy(bias, L->bias, nbias * sizeof *bias);
    }
    fx->weights = weights;
    fx->bias = bias;
    *out = fx;
    return AX_OK;
}

struct rec_set {
    int n; /* n_layers * n_mults */
    emu_layer_fix **fixes;
};

void rec_set_free(rec_set *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n && s->fixes; i++)
        rec_fix_free(s->fixes[i]);
    free(s->fixes);
    free(s);
}

int rec_set_make(const qnet *q, const rec_hist *h, const uint16_t *const *luts, int n_mults,
                 const rec_options *o, int threads, rec_set **out, ax_err *err)
{
    *out = NULL;
    int nl = qnet_n_layers(q), n = nl * n_mults;
    rec_set *s = calloc(1, sizeof *s);
    if (!s || !(s->fixes = calloc((size_t)(n > 0 ? n : 1), sizeof *s->fixes))) {
        free(s);
        return ax_fail(err, AX_EINTERNAL, "recovery: out of memory");
    }
    s->n = n;
    int failed = n; /* the lowest failing pair, so the message is the same for any thread count */
    ax_err first = {0};
#ifdef _OPENMP
    if (threads <= 0)
        threads = omp_get_max_threads();
#else
    (void)threads;
#endif
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int i = 0; i < n; i++) {
        ax_err e = {0};
        if (rec_fix_make(q, h, i / n_mults, luts[i % n_mults], o, &s->fixes[i], &e) != AX_OK) {
#pragma omp critical(rec_set_fail)
            if (i < failed) {
                failed = i;
                first = e;
            }
        }
    }
    if (failed < n) {
        rec_set_free(s);
        if (err)
            *err = first;
        return first.code ? first.code : AX_EINTERNAL;
    }
    *out = s;
    return AX_OK;
}

const emu_layer_fix *const *rec_set_fixes(const rec_set *s)
{
    return (const emu_layer_fix *const *)s->fixes;
}
