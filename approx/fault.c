#include "approx/fault.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fault_sram {
    int table;   /* 0: probit curve, 1: table */
    double v0, s; /* probit */
    int n;       /* table points */
    double *v, *log_p;
};

fault_sram *fault_sram_create_probit(double v0, double s, ax_err *err)
{
    if (!(s > 0) || !isfinite(v0) || !isfinite(s)) {
        ax_fail(err, AX_EINPUT, "SRAM failure curve: need s > 0 and finite v0, got v0=%g s=%g", v0, s);
        return NULL;
    }
    fault_sram *m = calloc(1, sizeof *m);
    if (!m) {
        ax_fail(err, AX_EINTERNAL, "out of memory");
        return NULL;
    }
    m->v0 = v0;
    m->s = s;
    return m;
}

fault_sram *fault_sram_create_table(int n, const double *v_rel, const double *p, ax_err *err)
{
    if (n < 2) {
        ax_fail(err, AX_EINPUT, "SRAM failure table: need at least 2 points, got %d", n);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (!(p[i] > 0 && p[i] <= 0.5) || !isfinite(v_rel[i])) {
            ax_fail(err, AX_EINPUT, "SRAM failure table: point %d (v=%g, p=%g): need 0 < p <= 0.5",
                    i + 1, v_rel[i], p[i]);
            return NULL;
        }
        if (i > 0 && !(v_rel[i] > v_rel[i - 1])) {
            ax_fail(err, AX_EINPUT, "SRAM failure table: voltages must increase (point %d: %g after %g)",
                    i + 1, v_rel[i], v_rel[i - 1]);
            return NULL;
        }
    }
    fault_sram *m = calloc(1, sizeof *m);
    if (m) {
        m->v = malloc((size_t)n * sizeof *m->v);
        m->log_p = malloc((size_t)n * sizeof *m->log_p);
    }
    if (!m || !m->v || !m->log_p) {
        fault_sram_free(m);
        ax_fail(err, AX_EINTERNAL, "out of memory");
        return NULL;
    }
    m->table = 1;
    m->n = n;
    for (int i = 0; i < n; i++) {
        m->v[i] = v_rel[i];
        m->log_p[i] = log(p[i]);
    }
    return m;
}

void fault_sram_free(fault_sram *m)
{
    if (!m)
        return;
    free(m->v);
    free(m->log_p);
    free(m);
}

double fault_sram_pfail(const fault_sram *m, double v_rel)
{
    if (!m->table)
        return 0.5 * erfc((v_rel - m->v0) / (m->s * sqrt(2.0)));
    /* Segment k holds v_rel, or the end segment when outside the table. */
    int k = 0;
    while (k < m->n - 2 && v_rel > m->v[k + 1])
        k++;
    double t = (v_rel - m->v[k]) / (m->v[k + 1] - m->v[k]);
    double p = exp(m->log_p[k] + t * (m->log_p[k + 1] - m->log_p[k]));
    return p > 0.5 ? 0.5 : p;
}

/* erfc^-1 by Newton's method on erfc, from a bracket-safe start. */
static double erfc_inverse(double y)
{
    double x = 0.0;
    if (y <= 0)
        return INFINITY;
    if (y >= 2)
        return -INFINITY;
    /* Start from the tail asymptote for small y, 0 otherwise. */
    if (y < 0.5)
        x = sqrt(-log(y));
    for (int i = 0; i < 100; i++) {
        double f = erfc(x) - y;
        double df = -2.0 / sqrt(M_PI) * exp(-x * x);
        double step = f / df;
        x -= step;
        if (fabs(step) < 1e-15 * (1.0 + fabs(x)))
            break;
    }
    return x;
}

double fault_link_sigma(double swing_nominal, double ber_nominal)
{
    /* 1/2 erfc(Vs / (2 sqrt 2 sigma)) = ber  =>  sigma = Vs / (2 sqrt 2 erfcinv(2 ber)) */
    return swing_nominal / (2.0 * sqrt(2.0) * erfc_inverse(2.0 * ber_nominal));
}

double fault_link_ber(double swing, double sigma)
{
    if (!(sigma > 0))
        return 0.0;
    return 0.5 * erfc(swing / (2.0 * sqrt(2.0) * sigma));
}

/* Visits the flipped bits of n_words words (bits selected by mask), in
 * increasing order of (word, bit), by geometric gaps: with U uniform in
 * (0, 1], floor(log U / log(1 - p)) is the number of unflipped bits before
 * the next flip. visit(ctx, word, bit) is called for each. */
typedef void (*flip_visitor)(void *ctx, size_t word, int bit);

static uint64_t geometric_flips(pcg32 *rng, size_t n_words, uint32_t mask, double p,
                                flip_visitor visit, void *ctx)
{
    int bits[32], k = 0;
    for (int b = 0; b < 32; b++)
        if (mask & (UINT32_C(1) << b))
            bits[k++] = b;
    if (!(p > 0) || k == 0 || n_words == 0)
        return 0;
    uint64_t total = (uint64_t)n_words * (uint64_t)k, flips = 0;
    if (p >= 1.0) {
        for (uint64_t i = 0; i < total; i++)
            visit(ctx, (size_t)(i / (uint64_t)k), bits[i % (uint64_t)k]);
        return total;
    }
    double inv_log_q = 1.0 / log1p(-p);
    uint64_t pos = 0;
    for (;;) {
        double u = 1.0 - pcg32_double(rng); /* (0, 1] */
        double gap = floor(log(u) * inv_log_q);
        if (gap >= (double)(total - pos))
            break;
        pos += (uint64_t)gap;
        visit(ctx, (size_t)(pos / (uint64_t)k), bits[pos % (uint64_t)k]);
        flips++;
        pos++;
        if (pos >= total)
            break;
    }
    return flips;
}

typedef struct flip_ctx {
    unsigned char *data;
    int word_bytes;
} flip_ctx;

static void flip_bit(void *ctx, size_t word, int bit)
{
    flip_ctx *c = ctx;
    c->data[word * (size_t)c->word_bytes + (size_t)(bit >> 3)] ^= (unsigned char)(1u << (bit & 7));
}

uint64_t fault_flip(pcg32 *rng, void *data, size_t n_words, int word_bytes, uint32_t mask,
                    double p)
{
    if (word_bytes < 4)
        mask &= (UINT32_C(1) << (8 * word_bytes)) - 1u;
    flip_ctx c = {data, word_bytes};
    return geometric_flips(rng, n_words, mask, p, flip_bit, &c);
}

typedef struct record_ctx {
    uint32_t *out;
    size_t cap, n;
} record_ctx;

static void record_bit(void *ctx, size_t word, int bit)
{
    record_ctx *c = ctx;
    if (c->n < c->cap)
        c->out[c->n] = (uint32_t)(word * 32 + (size_t)bit);
    c->n++;
}

uint64_t fault_draw(pcg32 *rng, size_t n_words, uint32_t mask, double p, uint32_t *out,
                    size_t cap)
{
    record_ctx c = {out, cap, 0};
    return geometric_flips(rng, n_words, mask, p, record_bit, &c);
}
