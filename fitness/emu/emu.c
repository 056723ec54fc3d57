#include "fitness/emu/emu.h"

#include <stdlib.h>
#include <string.h>

#include "approx/fault.h"
#include "fitness/emu/kern.h"
#include "fitness/emu/requant.h"
#include "util/hash.h"
#include "util/pcg.h"
#include "util/wallclock.h"

#ifdef _OPENMP
#include <omp.h>
#endif

struct emu_table {
    kern_table *kt; /* T[w * 256 + a] = lut[a * 256 + w], prepared for the kernels */
};

emu_table *emu_table_create(const uint16_t *lut, ax_err *err)
{
    emu_table *t = malloc(sizeof *t);
    uint16_t *T = malloc(65536 * sizeof *T);
    if (!t || !T) {
        free(t);
        free(T);
        ax_fail(err, AX_EINTERNAL, "out of memory");
        return NULL;
    }
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            T[w * 256 + a] = lut[a * 256 + w];
    t->kt = kern_table_create(T, err);
    free(T);
    if (!t->kt) {
        free(t);
        return NULL;
    }
    return t;
}

void emu_table_free(emu_table *t)
{
    if (!t)
        return;
    kern_table_free(t->kt);
    free(t);
}

int emu_table_is_exact(const emu_table *t)
{
    return kern_table_is_exact(t->kt);
}

/* Per-thread buffers for one block of images. */
typedef struct workspace {
    int block;
    uint8_t **codes; /* [n_tensors] block buffers (aliases point at their root) */
    uint8_t *cols;   /* im2col [K][NP] */
    int32_t *acc;    /* [M][NP] */
    int32_t *colsum; /* [NP] */
    void *scratch;   /* the kernels' (fitness/emu/kern.h) */
    double *scores;  /* [block][classes] for a final layer */
    uint8_t *xin;    /* a MAC layer's private copy of its input, for faults */
    uint64_t **hist; /* [n_layers] this thread's input histograms (emu_histograms), or NULL */
    uint64_t flips;
    double macs, macs_skipped;
    int profiling;                        /* emu_options.profile */
    double prof[EMU_KINDS][EMU_PHASES];   /* thread-seconds */
    double mark;                          /* the clock at the last charge */
} workspace;

const char *emu_kind_name(int kind)
{
    static const char *const names[EMU_KINDS] = {"conv", "pointwise", "depthwise", "fc", "other"};
    return kind >= 0 && kind < EMU_KINDS ? names[kind] : "?";
}

const char *emu_phase_name(int phase)
{
    static const char *const names[EMU_PHASES] = {"pack", "kernel", "requant", "faults", "ops", "cache"};
    return phase >= 0 && phase < EMU_PHASES ? names[phase] : "?";
}

/* Charges the time since the last mark to (kind, phase), when profiling. */
static void charge(workspace *w, int kind, int phase)
{
    if (!w->profiling)
        return;
    double t = wallclock_seconds();
    w->prof[kind][phase] += t - w->mark;
    w->mark = t;
}

static int mac_kind(const qnet_layer *L, const qtensor_info *ti)
{
    const graph_mac_layer *s = &L->shape;
    if (s->R * s->S * s->P * s->Q == 1 && ti->rank == 1)
        return EMU_KIND_FC;
    if (s->group > 1 && s->C == 1) /* C: the input channels of one group */
        return EMU_KIND_DEPTHWISE;
    return s->R * s->S == 1 ? EMU_KIND_POINTWISE : EMU_KIND_CONV;
}

/* Fault streams: tensor tags in the stream indices. */
enum { FAULT_WEIGHTS = 0, FAULT_INPUTS = 1, FAULT_OUTPUTS = 2 };

static int spec_active(const emu_flip_spec *s)
{
    for (int i = 0; s && i < s->n; i++)
        if (s->cls[i].p > 0 && s->cls[i].mask)
            return 1;
    return 0;
}

static uint64_t apply_spec(const emu_flip_spec *s, pcg32 *rng, uint8_t *data, size_t n)
{
    uint64_t flips = 0;
    for (int i = 0; i < s->n; i++)
        flips += fault_flip(rng, data, n, 1, s->cls[i].mask, s->cls[i].p);
    return flips;
}

/* Where a block may be cut for the prefix cache: after MAC op `op`, the
 * root tensors in live[] (produced so far and read later) are the whole
 * state. */
typedef struct cut {
    int op, layer;
    int n_live;
    int live[8];
} cut;

/* What one block run needs besides the network. */
typedef struct run_ctx {
    const qnet *q;
    const emu_options *o;
    const uint8_t *const *weights; /* [n_layers] faulty weight codes, or NULL entries */
    const emu_layer_fix *const *fixes; /* [n_layers] recovery, or NULL (entries) */
    kern_ops kern;                 /* chosen once per run */
    rq_fn *requant;                /* likewise (fitness/emu/requant.h) */
    cut *cuts;                     /* prefix-cache cut points, in op order */
    int n_cuts;
} run_ctx;

static int root_of(const qnet *q, int t)
{
    int a = qnet_tensor(q, t)->alias;
    return a >= 0 ? a : t;
}

/* Cut points: after each MAC op whose layer is not final and whose live
 * state has at most 8 tensors. Returns the count (cuts malloc'ed). */
static int find_cuts(const qnet *q, cut **out)
{
    int nt = qnet_n_tensors(q), nops = qnet_n_ops(q);
    int *producer = malloc((size_t)nt * sizeof *producer), *last = malloc((size_t)nt * sizeof *last);
    cut *cuts = malloc((size_t)(nops > 0 ? nops : 1) * sizeof *cuts);
    int n = 0;
    if (!producer || !last || !cuts) {
        free(producer);
        free(last);
        free(cuts);
        *out = NULL;
        return 0;
    }
    for (int t = 0; t < nt; t++) {
        producer[t] = -1;
        last[t] = -1;
    }
    for (int k = 0; k < nops; k++) {
        const qop *o = qnet_op(q, k);
        if (producer[root_of(q, o->out)] < 0)
            producer[root_of(q, o->out)] = k;
        int ins[16], n_in = 0;
        if (o->kind == QOP_CONCAT)
            for (int i = 0; i < o->n_in && n_in < 16; i++)
                ins[n_in++] = o->ins[i];
        else
            for (int i = 0; i < 2; i++)
                if (o->in[i] >= 0)
                    ins[n_in++] = o->in[i];
        for (int i = 0; i < n_in; i++)
            last[root_of(q, ins[i])] = k;
    }
    last[root_of(q, qnet_output_tensor(q))] = nops;
    for (int k = 0; k < nops; k++) {
        const qop *o = qnet_op(q, k);
        if (o->kind != QOP_MAC || qnet_layer_info(q, o->layer)->final)
            continue;
        cut c = {k, o->layer, 0, {0}};
        int ok = 1;
        for (int t = 0; t < nt && ok; t++) {
            if (root_of(q, t) != t || producer[t] > k || last[t] <= k)
                continue;
            if (c.n_live == 8)
                ok = 0;
            else
                c.live[c.n_live++] = t;
        }
        if (ok)
            cuts[n++] = c;
    }
    free(producer);
    free(last);
    *out = cuts;
    return n;
}

/* Appends to a key: little-endian, field by field (no struct padding). */
static size_t key_u64(unsigned char *key, size_t at, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        key[at + (size_t)i] = (unsigned char)(v >> (8 * i));
    return at + 8;
}

static size_t key_spec(unsigned char *key, size_t at, const emu_flip_spec *s)
{
    if (!s || !spec_active(s))
        return key_u64(key, at, 0);
    at = key_u64(key, at, (uint64_t)s->n);
    for (int i = 0; i < s->n; i++) {
        uint64_t bits;
        memcpy(&bits, &s->cls[i].p, sizeof bits);
        at = key_u64(key, at, s->cls[i].mask);
        at = key_u64(key, at, bits);
    }
    return at;
}

/* Longest prefix-cache key: 4 block fields, then per layer the table, the
 * fix and three flip specs (fitness/emu/emu.c cut_keys). */
static size_t key_max(const qnet *q)
{
    return 32 + (size_t)qnet_n_layers(q) * (8 + 8 + 3 * (8 + 3 * 16));
}

static void workspace_free(workspace *w, int n_tensors, const qnet *q)
{
    if (w->codes)
        for (int t = 0; t < n_tensors; t++)
            if (qnet_tensor(q, t)->alias < 0)
                free(w->codes[t]);
    free(w->codes);
    free(w->cols);
    free(w->acc);
    free(w->colsum);
    free(w->scratch);
    free(w->scores);
    free(w->xin);
}

static int workspace_alloc(workspace *w, const qnet *q, int block)
{
    memset(w, 0, sizeof *w);
    w->block = block;
    int nt = qnet_n_tensors(q);
    w->codes = calloc((size_t)nt, sizeof *w->codes);
    if (!w->codes)
        return -1;
    for (int t = 0; t < nt; t++) {
        const qtensor_info *ti = qnet_tensor(q, t);
        if (ti->alias < 0 && !(w->codes[t] = malloc((size_t)(ti->numel * block))))
            return -1;
    }
    for (int t = 0; t < nt; t++)
        if (qnet_tensor(q, t)->alias >= 0)
            w->codes[t] = w->codes[qnet_tensor(q, t)->alias];
    size_t cols = 1, acc = 1, np = 1, xin = 1, scratch = 1;
    for (int k = 0; k < qnet_n_ops(q); k++) {
        const qop *op = qnet_op(q, k);
        if (op->kind == QOP_MAC && (size_t)qnet_tensor(q, op->in[0])->numel > xin)
            xin = (size_t)qnet_tensor(q, op->in[0])->numel;
    }
    w->xin = malloc(xin * (size_t)block);
    for (int l = 0; l < qnet_n_layers(q); l++) {
        const qnet_layer *L = qnet_layer_info(q, l);
        size_t pix = (size_t)(L->shape.P * L->shape.Q) * (size_t)block;
        size_t mg = (size_t)(L->shape.M / L->shape.group);
        cols = (size_t)L->K * pix > cols ? (size_t)L->K * pix : cols;
        acc = mg * pix > acc ? mg * pix : acc;
        np = pix > np ? pix : np;
        size_t ks = kern_scratch_size((int)mg, L->K);
        scratch = ks > scratch ? ks : scratch;
    }
    w->scratch = malloc(scratch);
    w->cols = malloc(cols);
    w->acc = malloc(acc * sizeof *w->acc);
    w->colsum = malloc(np * sizeof *w->colsum);
    w->scores = malloc((size_t)block * (size_t)qnet_classes(q) * sizeof *w->scores);
    return w->cols && w->acc && w->colsum && w->scratch && w->scores && w->xin ? 0 : -1;
}

/* colsum[p] = sum over k of cols[k][p]. Fixed-width chunks of 64 columns
 * summed in a local array: a loop the compiler vectorizes at -O2. */
/* One im2col row of one image for unit strides and an output as wide as
 * the input (Q == W, "same" convolutions): output row oh reads input row
 * oh + dy, shifted by off columns, so the rows inside the image are one
 * contiguous copy of the plane; the bytes that wrapped round a row edge
 * (output columns outside [lo, hi)) and the rows outside the image then
 * read the zero point. dst [P][W]. */
static void rows_unit_stride(const uint8_t *plane, int64_t H, int64_t W, int64_t P, int64_t dy, int64_t off,
                             int64_t lo, int64_t hi, uint8_t zp, uint8_t *dst)
{
    int64_t top = dy < 0 ? -dy : 0, bottom = H - dy < P ? H - dy : P;
    if (bottom < top)
        bottom = top;
    memset(dst, zp, (size_t)(top * W));
    memset(dst + bottom * W, zp, (size_t)((P - bottom) * W));
    /* input bytes [from, to) of the plane land at dst + top * W + (k - from0) */
    int64_t from0 = (top + dy) * W + off, from = from0 < 0 ? 0 : from0;
    int64_t to = (bottom + dy) * W + off;
    if (to > H * W)
        to = H * W;
    if (to > from)
        memcpy(dst + top * W + (from - from0), plane + from, (size_t)(to - from));
    /* a byte or two per row edge: stores, not library calls */
    for (int64_t oh = top; oh < bottom; oh++) {
        uint8_t *d = dst + oh * W;
        for (int64_t j = 0; j < lo; j++)
            d[j] = zp;
        for (int64_t j = hi; j < W; j++)
            d[j] = zp;
    }
}

/* im2col of group g for a block of nb images: cols[k][p], k = (c, r, s)
 * within the group, p = (image, oh, ow); positions in the padding read the
 * zero point (real 0). Also sums each column into colsum[p] (the zero-point
 * term sum_k a). */
static void im2col(const qnet_layer *L, const qtensor_info *ti, const uint8_t *x, int nb, int g,
                   uint8_t *cols, int32_t *colsum, kern_colsum_fn *column_sums)
{
    const graph_mac_layer *s = &L->shape;
    int64_t C = s->C, R = s->R, S = s->S, P = s->P, Q = s->Q;
    int64_t H = ti->rank == 3 ? ti->dims[1] : 1, W = ti->rank == 3 ? ti->dims[2] : ti->numel;
    int64_t chw = ti->numel, np = (int64_t)nb * P * Q;
    int64_t sw = s->stride[1], pad_l = s->pad[1];
    uint8_t zp = (uint8_t)L->in.zp;
    for (int64_t c = 0; c < C; c++)
        for (int64_t r = 0; r < R; r++)
            for (int64_t sx = 0; sx < S; sx++) {
                uint8_t *row = cols + ((c * R + r) * S + sx) * np;
                const uint8_t *plane = x + (g * C + c) * H * W;
                /* Output columns whose input column is inside the image:
                 * ow in [lo, hi). */
                int64_t off = sx * s->dilation[1] - pad_l;
                int64_t lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
                int64_t hi = W - off <= 0 ? 0 : (W - off + sw - 1) / sw;
                if (hi > Q)
                    hi = Q;
                if (lo > hi)
                    lo = hi;
                if (s->stride[0] == 1 && sw == 1 && s->dilation[0] == 1 && Q == W) {
                    for (int i = 0; i < nb; i++)
                        rows_unit_stride(plane + (int64_t)i * chw, H, W, P, r - s->pad[0], off, lo, hi, zp,
                                         row + (int64_t)i * P * Q);
                    continue;
                }
                for (int i = 0; i < nb; i++)
                    for (int64_t oh = 0; oh < P; oh++) {
                        int64_t ih = oh * s->stride[0] - s->pad[0] + r * s->dilation[0];
                        uint8_t *dst = row + ((int64_t)i * P + oh) * Q;
                        if (ih < 0 || ih >= H) {
                            memset(dst, zp, (size_t)Q);
                            continue;
                        }
                        const uint8_t *src = plane + (int64_t)i * chw + ih * W + off;
                        for (int64_t ow = 0; ow < lo; ow++)
                            dst[ow] = zp;
                        if (sw == 1)
                            memcpy(dst + lo, src + lo, (size_t)(hi - lo));
                        else
                            for (int64_t ow = lo; ow < hi; ow++)
                                dst[ow] = src[ow * sw];
                        for (int64_t ow = hi; ow < Q; ow++)
                            dst[ow] = zp;
                    }
            }
    column_sums(cols, C * R * S, np, colsum);
}

/* hist[k][a] += occurrences of code a in row k of cols [K][np]. */
static void count_codes(const uint8_t *cols, int64_t K, int64_t np, uint64_t *hist)
{
    for (int64_t k = 0; k < K; k++) {
        const uint8_t *row = cols + k * np;
        uint64_t *h = hist + k * 256;
        for (int64_t p = 0; p < np; p++)
            h[row[p]]++;
    }
}

static void run_mac(const run_ctx *rc, const qop *o, workspace *w, int nb, int64_t first_image)
{
    const qnet *q = rc->q;
    const emu_faults *f = rc->o ? rc->o->faults : NULL;
    const emu_table *table = rc->o && rc->o->tables ? rc->o->tables[o->layer] : NULL;
    const qnet_layer *L = qnet_layer_info(q, o->layer);
    const qtensor_info *ti = qnet_tensor(q, o->in[0]), *to = qnet_tensor(q, o->out);
    const uint8_t *x = w->codes[o->in[0]];
    uint8_t *y = w->codes[o->out];
    const int kind = mac_kind(L, ti);
    if (f && f->inputs && spec_active(&f->inputs[o->layer])) {
        /* The PE input buffer's copy, flipped per image. */
        memcpy(w->xin, x, (size_t)(ti->numel * nb));
        for (int i = 0; i < nb; i++) {
            pcg32 rng = pcg32_derive4(f->seed, PCG_PURPOSE_FAULT, f->rep, (uint64_t)(first_image + i),
                                      (uint64_t)o->layer, FAULT_INPUTS);
            w->flips += apply_spec(&f->inputs[o->layer], &rng, w->xin + (int64_t)i * ti->numel,
                                   (size_t)ti->numel);
        }
        x = w->xin;
        charge(w, kind, EMU_PHASE_FAULTS);
    }
    const emu_layer_fix *fx = rc->fixes ? rc->fixes[o->layer] : NULL;
    const uint8_t *weights = rc->weights && rc->weights[o->layer] ? rc->weights[o->layer]
                             : fx                                ? fx->weights
                                                                 : L->weights;
    const int32_t *bias = fx ? fx->bias : L->bias;
    const graph_mac_layer *s = &L->shape;
    int K = L->K, groups = s->group;
    int64_t PQ = s->P * s->Q, np = (int64_t)nb * PQ, Mg = s->M / groups;
    int32_t za = L->in.zp;
    for (int g = 0; g < groups; g++) {
        if (s->R * s->S * s->P * s->Q == 1 && ti->rank == 1) {
            /* Fully connected: the block's inputs transposed to [K][nb]. */
            for (int i = 0; i < nb; i++)
                w->colsum[i] = 0;
            for (int k = 0; k < K; k++)
                for (int i = 0; i < nb; i++) {
                    uint8_t a = x[(int64_t)i * ti->numel + k];
                    w->cols[(int64_t)k * nb + i] = a;
                    w->colsum[i] += a;
                }
        } else {
            im2col(L, ti, x, nb, g, w->cols, w->colsum, rc->kern.colsum);
        }
        if (w->hist)
            count_codes(w->cols, K, np, w->hist[o->layer] + (int64_t)g * K * 256);
        charge(w, kind, EMU_PHASE_PACK);
        const uint8_t *W = weights + (int64_t)g * Mg * K;
        if (!table || emu_table_is_exact(table))
            rc->kern.exact(W, w->cols, (int)Mg, K, (int)np, w->acc, w->scratch);
        else
            rc->kern.table(table->kt, W, w->cols, (int)Mg, K, (int)np, w->acc, w->scratch);
        charge(w, kind, EMU_PHASE_KERNEL);
        for (int64_t ml = 0; ml < Mg; ml++) {
            int64_t m = g * Mg + ml;
            int32_t zw = L->w_zp[m];
            int32_t base = bias[m] - za * L->w_sum[m] + K * za * zw;
            const int32_t *acc = w->acc + ml * np;
            if (L->final) {
                double unit = (double)L->in.scale * L->w_scale[m];
                int classes = qnet_classes(q);
                for (int i = 0; i < nb; i++)
                    w->scores[(int64_t)i * classes + m] = unit * (acc[i] + base - zw * w->colsum[i]);
                continue;
            }
            const rq_params rp = {base, zw, L->requant[m], to->q.zp, L->clamp_lo, L->clamp_hi};
            if (PQ == 1) {
                /* one output per image (fully connected): the block's
                 * outputs of channel m at once, then spread over images */
                uint8_t codes[256];
                for (int i0 = 0; i0 < nb; i0 += 256) {
                    int len = nb - i0 < 256 ? nb - i0 : 256;
                    rc->requant(acc + i0, w->colsum + i0, len, &rp, codes);
                    for (int i = 0; i < len; i++)
                        y[(int64_t)(i0 + i) * to->numel + m] = codes[i];
                }
                continue;
            }
            /* one image's outputs of channel m are contiguous in y */
            for (int i = 0; i < nb; i++)
                rc->requant(acc + (int64_t)i * PQ, w->colsum + (int64_t)i * PQ, PQ, &rp,
                            y + (int64_t)i * to->numel + m * PQ);
        }
        charge(w, kind, EMU_PHASE_REQUANT);
    }
    if (f && f->outputs && !L->final && spec_active(&f->outputs[o->layer])) {
        for (int i = 0; i < nb; i++) {
            pcg32 rng = pcg32_derive4(f->seed, PCG_PURPOSE_FAULT, f->rep, (uint64_t)(first_image + i),
                                      (uint64_t)o->layer, FAULT_OUTPUTS);
            w->flips += apply_spec(&f->outputs[o->layer], &rng, y + (int64_t)i * to->numel,
                                   (size_t)to->numel);
        }
        charge(w, kind, EMU_PHASE_FAULTS);
    }
}

/* TFLite's integer Add. Each input's rescaled value depends on its code
 * alone, so it is a 256-entry table made per call (exactly the values
 * qmath_apply gives); the sum's requantization is the MAC layers' (with no
 * zero-point term), in chunks through the dispatched requant. */
static void run_add(const run_ctx *rc, const qop *o, workspace *w, int nb)
{
    const qnet *q = rc->q;
    const qtensor_info *ta = qnet_tensor(q, o->in[0]), *tb = qnet_tensor(q, o->in[1]);
    const qtensor_info *to = qnet_tensor(q, o->out);
    const uint8_t *a = w->codes[o->in[0]], *b = w->codes[o->in[1]];
    uint8_t *y = w->codes[o->out];
    int64_t n = to->numel * nb;
    int32_t va[256], vb[256];
    for (int c = 0; c < 256; c++) {
        va[c] = qmath_apply((c - ta->q.zp) * (1 << 20), o->add_a);
        vb[c] = qmath_apply((c - tb->q.zp) * (1 << 20), o->add_b);
    }
    enum { CHUNK = 256 };
    static const int32_t zeros[CHUNK];
    int32_t sum[CHUNK];
    const rq_params rp = {0, 0, o->add_out, to->q.zp, o->clamp_lo, o->clamp_hi};
    for (int64_t i = 0; i < n; i += CHUNK) {
        int64_t len = n - i < CHUNK ? n - i : CHUNK;
        for (int64_t k = 0; k < len; k++)
            sum[k] = va[a[i + k]] + vb[b[i + k]];
        rc->requant(sum, zeros, len, &rp, y + i);
    }
}

/* The common 2 x 2, stride 2 max pool without padding (every window
 * inside the image): the max of four codes, with no bounds tests. */
static int max_pool_2x2(const qop *o, int64_t H, int64_t W, int64_t P, int64_t Q)
{
    const graph_window *win = &o->win;
    return o->kind == QOP_MAXPOOL && win->kernel[0] == 2 && win->kernel[1] == 2 && win->stride[0] == 2 &&
           win->stride[1] == 2 && win->dilation[0] == 1 && win->dilation[1] == 1 && win->pad[0] == 0 &&
           win->pad[1] == 0 && 2 * P <= H && 2 * Q <= W;
}

static void run_pool(const qnet *q, const qop *o, workspace *w, int nb)
{
    const qtensor_info *ti = qnet_tensor(q, o->in[0]), *to = qnet_tensor(q, o->out);
    const uint8_t *x = w->codes[o->in[0]];
    uint8_t *y = w->codes[o->out];
    int64_t C = ti->dims[0], H = ti->dims[1], W = ti->dims[2], P = to->dims[1], Q = to->dims[2];
    const graph_window *win = &o->win;
    uint8_t zp = (uint8_t)ti->q.zp;
    if (max_pool_2x2(o, H, W, P, Q)) {
        for (int64_t plane = 0; plane < (int64_t)nb * C; plane++) {
            const uint8_t *in = x + plane * H * W;
            uint8_t *out = y + plane * P * Q;
            for (int64_t oh = 0; oh < P; oh++) {
                const uint8_t *r0 = in + 2 * oh * W, *r1 = r0 + W;
                for (int64_t ow = 0; ow < Q; ow++) {
                    uint8_t a = r0[2 * ow] > r0[2 * ow + 1] ? r0[2 * ow] : r0[2 * ow + 1];
                    uint8_t b = r1[2 * ow] > r1[2 * ow + 1] ? r1[2 * ow] : r1[2 * ow + 1];
                    out[oh * Q + ow] = a > b ? a : b;
                }
            }
        }
        return;
    }
    for (int i = 0; i < nb; i++)
        for (int64_t c = 0; c < C; c++) {
            const uint8_t *plane = x + (int64_t)i * ti->numel + c * H * W;
            uint8_t *out = y + (int64_t)i * to->numel + c * P * Q;
            for (int64_t oh = 0; oh < P; oh++)
                for (int64_t ow = 0; ow < Q; ow++) {
                    int32_t best = -1, sum = 0, count = 0, padded = 0;
                    for (int r = 0; r < win->kernel[0]; r++)
                        for (int s = 0; s < win->kernel[1]; s++) {
                            int64_t ih = oh * win->stride[0] - win->pad[0] + r * win->dilation[0];
                            int64_t iw = ow * win->stride[1] - win->pad[1] + s * win->dilation[1];
                            if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
                                /* Padded positions inside the padded input
                                 * count for count_include_pad. */
                                if (ih < H + win->pad[2] && iw < W + win->pad[3])
                                    padded++;
                                continue;
                            }
                            int32_t v = plane[ih * W + iw];
                            best = v > best ? v : best;
                            sum += v;
                            count++;
                        }
                    int32_t code;
                    if (o->kind == QOP_MAXPOOL) {
                        code = best < 0 ? zp : best;
                    } else {
                        if (o->count_include_pad) {
                            sum += padded * zp;
                            count += padded;
                        }
                        code = count > 0 ? (sum + count / 2) / count : zp;
                    }
                    out[oh * Q + ow] = (uint8_t)code;
                }
        }
}

static void run_pad(const qnet *q, const qop *o, workspace *w, int nb)
{
    const qtensor_info *ti = qnet_tensor(q, o->in[0]), *to = qnet_tensor(q, o->out);
    const uint8_t *x = w->codes[o->in[0]];
    uint8_t *y = w->codes[o->out];
    memset(y, o->pad_code, (size_t)(to->numel * nb));
    int64_t C = ti->dims[0], H = ti->dims[1], W = ti->dims[2];
    int64_t OH = to->dims[1], OW = to->dims[2];
    for (int i = 0; i < nb; i++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t h = 0; h < H; h++)
                memcpy(y + (int64_t)i * to->numel + ((c + o->pads[0]) * OH + h + o->pads[1]) * OW + o->pads[2],
                       x + (int64_t)i * ti->numel + (c * H + h) * W, (size_t)W);
}

static void run_table(const qnet *q, const qop *o, workspace *w, int nb)
{
    const qtensor_info *to = qnet_tensor(q, o->out);
    const uint8_t *x = w->codes[o->in[0]];
    uint8_t *y = w->codes[o->out];
    int64_t per_channel = o->table_channels > 1 ? to->numel / o->table_channels : to->numel;
    for (int i = 0; i < nb; i++)
        for (int64_t e = 0; e < to->numel; e++) {
            int64_t c = o->table_channels > 1 ? e / per_channel : 0;
            int64_t at = (int64_t)i * to->numel + e;
            y[at] = o->table[c * 256 + x[at]];
        }
}

static void run_concat(const qnet *q, const qop *o, workspace *w, int nb)
{
    const qtensor_info *to = qnet_tensor(q, o->out);
    uint8_t *y = w->codes[o->out];
    for (int i = 0; i < nb; i++) {
        int64_t at = 0;
        for (int k = 0; k < o->n_in; k++) {
            const qtensor_info *ti = qnet_tensor(q, o->ins[k]);
            const uint8_t *x = w->codes[o->ins[k]] + (int64_t)i * ti->numel;
            for (int64_t e = 0; e < ti->numel; e++)
                y[(int64_t)i * to->numel + at + e] = o->table[k * 256 + x[e]];
            at += ti->numel;
        }
    }
}

/* Bytes of a cut's live state for nb images: the flips so far in the
 * block (8 bytes, so counts do not depend on the cache), then the live
 * tensors. */
static size_t cut_bytes(const qnet *q, const cut *c, int nb)
{
    size_t n = 8;
    for (int i = 0; i < c->n_live; i++)
        n += (size_t)qnet_tensor(q, c->live[i])->numel * (size_t)nb;
    return n;
}

/* The prefix-cache key of each cut for this block: keys[c] (klen[c]
 * bytes) in one buffer. Layers' tables and fault rates accumulate. */
static unsigned char *cut_keys(const run_ctx *rc, int nb, int64_t first_image, size_t *klen, uint64_t *hash)
{
    const qnet *q = rc->q;
    const emu_options *o = rc->o;
    const emu_faults *f = o->faults;
    int nl = qnet_n_layers(q);
    size_t max = key_max(q);
    unsigned char *buf = malloc(max * (size_t)(rc->n_cuts > 0 ? rc->n_cuts : 1));
    unsigned char *key = malloc(max);
    if (!buf || !key) {
        free(buf);
        free(key);
        return NULL;
    }
    size_t at = key_u64(key, 0, (uint64_t)first_image);
    at = key_u64(key, at, (uint64_t)nb);
    at = key_u64(key, at, f ? f->seed : 0);
    at = key_u64(key, at, f ? f->rep : 0);
    int next_cut = 0;
    for (int l = 0; l < nl && next_cut < rc->n_cuts; l++) {
        const emu_table *t = o->tables ? o->tables[l] : NULL;
        const emu_layer_fix *fx = rc->fixes ? rc->fixes[l] : NULL;
        at = key_u64(key, at, (uint64_t)(uintptr_t)t);
        at = key_u64(key, at, (uint64_t)(uintptr_t)fx);
        at = key_spec(key, at, f && f->weights ? &f->weights[l] : NULL);
        at = key_spec(key, at, f && f->inputs ? &f->inputs[l] : NULL);
        at = key_spec(key, at, f && f->outputs ? &f->outputs[l] : NULL);
        if (rc->cuts[next_cut].layer == l) {
            memcpy(buf + (size_t)next_cut * max, key, at);
            klen[next_cut] = at;
            hash[next_cut] = hash_fnv1a64(HASH_FNV_OFFSET, key, at);
            next_cut++;
        }
    }
    free(key);
    return buf;
}

/* Runs one block of nb images (dataset indices first_image...); scores
 * [nb][classes]. */
static void run_block(const run_ctx *rc, const uint8_t *pixels, int nb, int64_t first_image,
                      workspace *w, float *scores)
{
    const qnet *q = rc->q;
    pcache *cache = rc->o ? rc->o->cache : NULL;
    size_t *klen = NULL;
    uint64_t *hash = NULL;
    unsigned char *keys = NULL;
    size_t key_stride = 0;
    int start = 0, restored = -1;
    uint64_t block_base = w->flips;
    if (w->profiling)
        w->mark = wallclock_seconds();
    if (cache && rc->n_cuts > 0) {
        klen = malloc((size_t)rc->n_cuts * sizeof *klen);
        hash = malloc((size_t)rc->n_cuts * sizeof *hash);
        keys = klen && hash ? cut_keys(rc, nb, first_image, klen, hash) : NULL;
        key_stride = key_max(q);
        /* The deepest cut this block has seen under the same prefix. */
        for (int c = rc->n_cuts - 1; keys && c >= 0 && restored < 0; c--) {
            const cut *cc = &rc->cuts[c];
            size_t len = cut_bytes(q, cc, nb);
            unsigned char *state = malloc(len);
            if (state && pcache_get(cache, keys + (size_t)c * key_stride, klen[c], hash[c], state, len)) {
                uint64_t flips;
                memcpy(&flips, state, sizeof flips);
                w->flips += flips;
                size_t off = 8;
                for (int i = 0; i < cc->n_live; i++) {
                    size_t n = (size_t)qnet_tensor(q, cc->live[i])->numel * (size_t)nb;
                    memcpy(w->codes[cc->live[i]], state + off, n);
                    off += n;
                }
                restored = c;
                start = cc->op + 1;
                for (int l = 0; l <= cc->layer; l++) {
                    const qnet_layer *L = qnet_layer_info(q, l);
                    w->macs_skipped += (double)L->shape.M * L->K * L->shape.P * L->shape.Q * nb;
                }
            }
            free(state);
        }
        charge(w, EMU_KIND_OTHER, EMU_PHASE_CACHE);
    }
    if (start == 0) {
        qnet_pixel_codes(q, pixels, nb, w->codes[0]);
        charge(w, EMU_KIND_OTHER, EMU_PHASE_OPS);
    }
    w->macs += (double)qnet_macs_per_image(q) * nb;
    int final_seen = 0, next_cut = restored + 1;
    for (int k = start; k < qnet_n_ops(q); k++) {
        const qop *op = qnet_op(q, k);
        switch (op->kind) {
        case QOP_MAC:
            run_mac(rc, op, w, nb, first_image);
            final_seen |= qnet_layer_info(q, op->layer)->final;
            break;
        case QOP_ADD: run_add(rc, op, w, nb); break;
        case QOP_MAXPOOL:
        case QOP_AVGPOOL: run_pool(q, op, w, nb); break;
        case QOP_PAD: run_pad(q, op, w, nb); break;
        case QOP_TABLE: run_table(q, op, w, nb); break;
        case QOP_CONCAT: run_concat(q, op, w, nb); break;
        case QOP_ALIAS: break;
        }
        if (op->kind != QOP_MAC)
            charge(w, EMU_KIND_OTHER, EMU_PHASE_OPS);
        if (keys && next_cut < rc->n_cuts && rc->cuts[next_cut].op == k) {
            const cut *cc = &rc->cuts[next_cut];
            size_t len = cut_bytes(q, cc, nb), off = 8;
            unsigned char *state = malloc(len);
            uint64_t flips = w->flips - block_base;
            if (state)
                memcpy(state, &flips, sizeof flips);
            for (int i = 0; state && i < cc->n_live; i++) {
                size_t n = (size_t)qnet_tensor(q, cc->live[i])->numel * (size_t)nb;
                memcpy(state + off, w->codes[cc->live[i]], n);
                off += n;
            }
            if (state)
                pcache_put(cache, keys + (size_t)next_cut * key_stride, klen[next_cut], hash[next_cut], state, len);
            free(state);
            next_cut++;
            charge(w, EMU_KIND_OTHER, EMU_PHASE_CACHE);
        }
    }
    free(keys);
    free(klen);
    free(hash);
    int classes = qnet_classes(q);
    if (final_seen) {
        for (int64_t e = 0; e < (int64_t)nb * classes; e++)
            scores[e] = (float)w->scores[e];
    } else {
        const qtensor_info *to = qnet_tensor(q, qnet_output_tensor(q));
        const uint8_t *y = w->codes[qnet_output_tensor(q)];
        for (int64_t e = 0; e < (int64_t)nb * classes; e++)
            scores[e] = (float)((double)to->q.scale * (y[e] - to->q.zp));
    }
}

/* Per-layer weight codes with this repetition's fault map, or NULL where a
 * layer has no weight faults. */
static int faulty_weights(const qnet *q, const emu_faults *f, const emu_layer_fix *const *fixes,
                          uint8_t ***out, uint64_t *flips)
{
    *out = NULL;
    if (!f || !f->weights)
        return 0;
    int nl = qnet_n_layers(q);
    uint8_t **w = calloc((size_t)nl, sizeof *w);
    if (!w)
        return -1;
    for (int l = 0; l < nl; l++) {
        if (!spec_active(&f->weights[l]))
            continue;
        const qnet_layer *L = qnet_layer_info(q, l);
        size_t n = (size_t)(L->shape.M * L->K);
        if (!(w[l] = malloc(n))) {
            for (int k = 0; k < l; k++)
                free(w[k]);
            free(w);
            return -1;
        }
        memcpy(w[l], fixes && fixes[l] ? fixes[l]->weights : L->weights, n);
        pcg32 rng = pcg32_derive4(f->seed, PCG_PURPOSE_FAULT, f->rep, UINT64_MAX, (uint64_t)l,
                                  FAULT_WEIGHTS);
        *flips += apply_spec(&f->weights[l], &rng, w[l], n);
    }
    *out = w;
    return 0;
}

/* Per-thread histograms of every MAC layer's input, or NULL. */
static uint64_t **hist_alloc(const qnet *q)
{
    int nl = qnet_n_layers(q);
    uint64_t **h = calloc((size_t)nl, sizeof *h);
    for (int l = 0; h && l < nl; l++) {
        const qnet_layer *L = qnet_layer_info(q, l);
        if (!(h[l] = calloc((size_t)(L->shape.group * L->K) * 256, sizeof *h[l]))) {
            for (int k = 0; k < l; k++)
                free(h[k]);
            free(h);
            return NULL;
        }
    }
    return h;
}

static void hist_free(const qnet *q, uint64_t **h)
{
    if (!h)
        return;
    for (int l = 0; l < qnet_n_layers(q); l++)
        free(h[l]);
    free(h);
}

/* The run's totals, summed over threads. */
typedef struct run_totals {
    uint64_t flips;
    double macs, skipped;
    double prof[EMU_KINDS][EMU_PHASES]; /* thread-seconds, when profiling */
} run_totals;

/* Runs n images in blocks on `threads` OpenMP threads into scores; with
 * hist, each thread also counts its layers' inputs and the counts are
 * added to hist (integer sums: the order does not matter). */
static int run_all(const run_ctx *rc, const uint8_t *pixels, int64_t n, int block, int threads,
                   int64_t first_image, float *scores, uint64_t *const *hist, run_totals *t)
{
    const qnet *q = rc->q;
    int64_t blocks = (n + block - 1) / block;
    if (threads > blocks)
        threads = blocks > 0 ? (int)blocks : 1;
    int64_t px = qnet_image_pixels(q);
    int classes = qnet_classes(q);
    int failed = 0;
    uint64_t flips = 0;
    double macs = 0, skipped = 0;
    memset(t->prof, 0, sizeof t->prof);
#pragma omp parallel num_threads(threads) reduction(+ : flips, macs, skipped)
    {
        workspace w;
        int ok = workspace_alloc(&w, q, block) == 0;
        if (ok && hist)
            ok = (w.hist = hist_alloc(q)) != NULL;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
        w.flips = 0;
        w.macs = w.macs_skipped = 0;
        w.profiling = rc->o && rc->o->profile;
        memset(w.prof, 0, sizeof w.prof);
#pragma omp for schedule(dynamic, 1)
        for (int64_t b = 0; b < blocks; b++) {
            if (!ok)
                continue;
            int64_t first = b * block;
            int nb = (int)(n - first < block ? n - first : block);
            run_block(rc, pixels + first * px, nb, first_image + first, &w, scores + first * classes);
        }
        if (ok && hist) {
#pragma omp critical(emu_hist)
            for (int l = 0; l < qnet_n_layers(q); l++) {
                const qnet_layer *L = qnet_layer_info(q, l);
                for (int64_t e = 0; e < (int64_t)L->shape.group * L->K * 256; e++)
                    hist[l][e] += w.hist[l][e];
            }
        }
        flips += w.flips;
        macs += w.macs;
        skipped += w.macs_skipped;
        if (w.profiling) {
#pragma omp critical(emu_profile)
            for (int k = 0; k < EMU_KINDS; k++)
                for (int p = 0; p < EMU_PHASES; p++)
                    t->prof[k][p] += w.prof[k][p];
        }
        hist_free(q, w.hist);
        workspace_free(&w, qnet_n_tensors(q), q);
    }
    t->flips = flips;
    t->macs = macs;
    t->skipped = skipped;
    return failed ? -1 : 0;
}

static int run_threads(const emu_options *o)
{
#ifdef _OPENMP
    return o && o->threads > 0 ? o->threads : omp_get_max_threads();
#else
    (void)o;
    return 1;
#endif
}

int emu_run(const qnet *q, const uint8_t *pixels, int64_t n, const emu_options *o, float *scores,
            emu_stats *stats, ax_err *err)
{
    int block = o && o->block > 0 ? o->block : 32;
    uint64_t weight_flips = 0;
    uint8_t **weights = NULL;
    const emu_layer_fix *const *fixes = o ? o->fixes : NULL;
    if (faulty_weights(q, o ? o->faults : NULL, fixes, &weights, &weight_flips) != 0)
        return ax_fail(err, AX_EINTERNAL, "emulator: out of memory");
    run_ctx rc = {q, o, (const uint8_t *const *)weights, fixes, kern_ops_best(), rq_best(), NULL, 0};
    if (o && o->cache)
        rc.n_cuts = find_cuts(q, &rc.cuts);
    run_totals t;
    int failed = run_all(&rc, pixels, n, block, run_threads(o), o ? o->first_image : 0, scores, NULL, &t);
    free(rc.cuts);
    if (weights) {
        for (int l = 0; l < qnet_n_layers(q); l++)
            free(weights[l]);
        free(weights);
    }
    if (failed)
        return ax_fail(err, AX_EINTERNAL, "emulator: out of memory");
    if (stats) {
        stats->flips = t.flips + weight_flips;
        stats->weight_flips = weight_flips;
        stats->macs = t.macs;
        stats->macs_skipped = t.skipped;
        memcpy(stats->profile, t.prof, sizeof stats->profile);
    }
    return AX_OK;
}

int emu_histograms(const qnet *q, const uint8_t *pixels, int64_t n, int threads, uint64_t *const *hist,
                   ax_err *err)
{
    emu_options o = {.threads = threads};
    float *scores = malloc((size_t)(n > 0 ? n : 1) * (size_t)qnet_classes(q) * sizeof *scores);
    if (!scores)
        return ax_fail(err, AX_EINTERNAL, "emulator: out of memory");
    run_ctx rc = {q, &o, NULL, NULL, kern_ops_best(), rq_best(), NULL, 0};
    run_totals t;
    int failed = run_all(&rc, pixels, n, 32, run_threads(&o), 0, scores, hist, &t);
    free(scores);
    return failed ? ax_fail(err, AX_EINTERNAL, "emulator: out of memory") : AX_OK;
}

static double spec_expected(const emu_flip_spec *s, double words)
{
    double e = 0;
    for (int i = 0; i < s->n; i++) {
        int bits = 0;
        for (uint32_t m = s->cls[i].mask & 0xFFu; m; m &= m - 1)
            bits++;
        e += words * bits * s->cls[i].p;
    }
    return e;
}

double emu_expected_flips(const qnet *q, const emu_faults *f, int64_t n)
{
    double e = 0;
    if (!f)
        return 0;
    for (int k = 0; k < qnet_n_ops(q); k++) {
        const qop *op = qnet_op(q, k);
        if (op->kind != QOP_MAC)
            continue;
        const qnet_layer *L = qnet_layer_info(q, op->layer);
        if (f->weights)
            e += spec_expected(&f->weights[op->layer], (double)(L->shape.M * L->K));
        if (f->inputs)
            e += spec_expected(&f->inputs[op->layer], (double)qnet_tensor(q, op->in[0])->numel * n);
        if (f->outputs && !L->final)
            e += spec_expected(&f->outputs[op->layer], (double)qnet_tensor(q, op->out)->numel * n);
    }
    return e;
}

int64_t emu_count_right(const float *scores, const uint16_t *labels, int64_t n, int classes, uint8_t *right)
{
    int64_t correct = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *s = scores + i * classes;
        int best = 0;
        for (int c = 1; c < classes; c++)
            if (s[c] > s[best])
                best = c;
        int ok = best == labels[i];
        if (right)
            right[i] = (uint8_t)ok;
        correct += ok;
    }
    return correct;
}

int emu_top1(const qnet *q, const uint8_t *pixels, const uint16_t *labels, int64_t n,
             const emu_options *o, int64_t *correct, emu_stats *stats, ax_err *err)
{
    int classes = qnet_classes(q);
    float *scores = malloc((size_t)(n > 0 ? n : 1) * (size_t)classes * sizeof *scores);
    if (!scores)
        return ax_fail(err, AX_EINTERNAL, "emulator: out of memory");
    int status = emu_run(q, pixels, n, o, scores, stats, err);
    *correct = status == AX_OK ? emu_count_right(scores, labels, n, classes, NULL) : 0;
    free(scores);
    return status;
}
