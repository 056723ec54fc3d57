#include "fitness/emu/qnet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitness/net/fexec.h"

struct qnet {
    int n_layers;
    qnet_layer *layers;
    int n_ops;
    qop *ops;
    int n_tensors;
    qtensor_info *tensors;
    int output;
    int classes;
    int64_t pixels;       /* C * H * W */
    int channels;
    uint8_t *pixel_code;  /* [channels][256], owned */
    int64_t macs;
};

/* ---- calibration ----------------------------------------------------- */

typedef struct range_ctx {
    double *lo, *hi; /* [g->n_tensors] */
} range_ctx;

static int observe_range(void *ctx, const graph *g, int tensor, const float *data, int rank,
                         const int64_t *dims, ax_err *err)
{
    (void)g;
    (void)err;
    range_ctx *r = ctx;
    int64_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= dims[d];
    double lo = r->lo[tensor], hi = r->hi[tensor];
    for (int64_t i = 0; i < n; i++) {
        double v = data[i];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    r->lo[tensor] = lo;
    r->hi[tensor] = hi;
    return AX_OK;
}

static int calibrate(const graph *g, const uint8_t *pixels, int64_t n, int64_t per_image,
                     int threads, double *lo, double *hi, ax_err *err)
{
    for (int t = 0; t < g->n_tensors; t++) {
        lo[t] = INFINITY;
        hi[t] = -INFINITY;
    }
    enum { CHUNK = 256 };
    int64_t out_numel = graph_tensor_image_numel(g, g->outputs[0]);
    float *x = malloc((size_t)(CHUNK * per_image) * sizeof *x);
    float *y = malloc((size_t)(CHUNK * out_numel) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return ax_fail(err, AX_EINTERNAL, "calibration: out of memory");
    }
    range_ctx ctx = {lo, hi};
    fexec_opts fo = {threads, observe_range, &ctx};
    int status = AX_OK;
    for (int64_t first = 0; first < n && status == AX_OK; first += CHUNK) {
        int64_t count = n - first < CHUNK ? n - first : CHUNK;
        int channels = graph_input_channels(g);
        int64_t plane = per_image / channels;
        for (int64_t i = 0; i < count * per_image; i++) {
            float mean, std;
            graph_input_norm(g, (int)(i / plane % channels), &mean, &std);
            x[i] = (float)(((double)pixels[first * per_image + i] / 255.0 - mean) / std);
        }
        const float *in[1] = {x};
        float *out[1] = {y};
        status = fexec_run(g, count, in, out, &fo, err);
    }
    free(x);
    free(y);
    return status;
}

/* ---- building ---------------------------------------------------------- */

typedef struct builder {
    const graph *g;
    qnet *q;
    int *tmap;      /* graph tensor -> qtensor, -1 if none */
    int *absorbed;  /* node already covered by a fused op */
    const double *lo, *hi;
    int cap_ops, cap_tensors;
    ax_err *err;
} builder;

static const char *node_label(const graph *g, int node)
{
    const char *n = g->nodes[node].name;
    return n && n[0] ? n : "(unnamed)";
}

static int node_fail(builder *b, int node, const char *why)
{
    const graph_node *n = &b->g->nodes[node];
    return ax_fail(b->err, AX_EINPUT, "node %d '%s' (%s): %s", n->onnx_index, node_label(b->g, node),
                   graph_op_name(n->op), why);
}

static int add_tensor(builder *b, int gt, int rank, const int64_t *dims, qparams qp, int alias)
{
    qnet *q = b->q;
    if (q->n_tensors == b->cap_tensors) {
        int cap = b->cap_tensors ? 2 * b->cap_tensors : 32;
        qtensor_info *t = realloc(q->tensors, (size_t)cap * sizeof *t);
        if (!t)
            return -1;
        q->tensors = t;
        b->cap_tensors = cap;
    }
    qtensor_info *t = &q->tensors[q->n_tensors];
    memset(t, 0, sizeof *t);
    t->rank = rank;
    t->numel = 1;
    for (int d = 0; d < rank; d++) {
        t->dims[d] = dims[d];
        t->numel *= dims[d];
    }
    t->q = qp;
    t->alias = alias;
    if (gt >= 0)
        b->tmap[gt] = q->n_tensors;
    return q->n_tensors++;
}

static qop *add_op(builder *b, qop_kind kind, int in0, int in1, int out)
{
    qnet *q = b->q;
    if (q->n_ops == b->cap_ops) {
        int cap = b->cap_ops ? 2 * b->cap_ops : 32;
        qop *o = realloc(q->ops, (size_t)cap * sizeof *o);
        if (!o)
            return NULL;
        q->ops = o;
        b->cap_ops = cap;
    }
    qop *o = &q->ops[q->n_ops++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->in[0] = in0;
    o->in[1] = in1;
    o->out = out;
    o->layer = -1;
    return o;
}

/* Per-image shape of a graph activation: rank-4 [N][C][H][W] -> (C,H,W),
 * rank-3 [N][C][L] -> (C,1,L), rank-2 [N][K] -> (K). */
static int image_shape(const graph_tensor *t, int64_t *dims)
{
    if (t->rank == 4) {
        dims[0] = t->dims[1];
        dims[1] = t->dims[2];
        dims[2] = t->dims[3];
        return 3;
    }
    if (t->rank == 3) {
        dims[0] = t->dims[1];
        dims[1] = 1;
        dims[2] = t->dims[2];
        return 3;
    }
    int64_t n = 1;
    for (int d = 1; d < t->rank; d++)
        n *= t->dims[d];
    dims[0] = n;
    return 1;
}

static qparams calibrated(const builder *b, int gt)
{
    return qmath_params(b->lo[gt], b->hi[gt]);
}

/* The node that alone reads tensor t (and t is no graph output), or -1. */
static int sole_reader(const graph *g, int t)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t)
            return -1;
    int reader = -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] == t) {
                if (reader >= 0)
                    return -1;
                reader = i;
            }
    return reader;
}

/* A ReLU or Clip that is the only reader of node's output gets fused: the
 * op writes the activation's output tensor and clamps to its range. */
static int fuse_activation(builder *b, int node, int *out_gt, int32_t *lo, int32_t *hi)
{
    const graph *g = b->g;
    *out_gt = g->nodes[node].out;
    int r = sole_reader(g, *out_gt);
    if (r < 0 || (g->nodes[r].op != GRAPH_OP_RELU && g->nodes[r].op != GRAPH_OP_CLIP))
        return 0;
    *out_gt = g->nodes[r].out;
    qparams qo = calibrated(b, *out_gt);
    double flo = 0.0, fhi = INFINITY;
    if (g->nodes[r].op == GRAPH_OP_CLIP) {
        flo = g->nodes[r].a.clip.lo;
        fhi = g->nodes[r].a.clip.hi;
    }
    *lo = isfinite(flo) ? qmath_quantize(qo, flo) : 0;
    *hi = isfinite(fhi) ? qmath_quantize(qo, fhi) : 255;
    b->absorbed[r] = 1;
    return 1;
}

static int build_mac(builder *b, int node, const graph_mac_layer *shape)
{
    const graph *g = b->g;
    qnet *q = b->q;
    const graph_node *n = &g->nodes[node];
    if (n->op == GRAPH_OP_CONV) {
        if (g->tensors[n->in[0]].rank != 4 && g->tensors[n->in[0]].rank != 3)
            return node_fail(b, node, "only 1-D and 2-D convolutions are emulated");
    } else if (n->op == GRAPH_OP_GEMM) {
        const graph_gemm *a = &n->a.gemm;
        if (a->trans_a || !a->trans_b || a->alpha != 1.0f ||
            (n->n_in == 3 && (!graph_is_const(g, n->in[2]) || g->tensors[n->in[2]].rank != 1)))
            return node_fail(b, node, "only a fully connected Gemm (constant weights and bias) is emulated");
    } else {
        return node_fail(b, node, "only Conv and Gemm MAC layers are emulated");
    }
    int in = b->tmap[n->in[0]];
    if (in < 0)
        return node_fail(b, node, "its input is not an activation the emulator computes");
    const qtensor_info *ti = &q->tensors[in];
    int K = (int)(shape->C * shape->R * shape->S);
    if (n->op == GRAPH_OP_GEMM && ti->numel != K)
        return node_fail(b, node, "its input does not have K features per image");

    qnet_layer *L = &q->layers[q->n_layers];
    memset(L, 0, sizeof *L);
    L->shape = *shape;
    L->shape.N = 1;
    L->K = K;
    L->in = ti->q;
    L->name = n->name ? n->name : "";
    int64_t M = shape->M;
    uint8_t *w = malloc((size_t)(M * K));
    int32_t *zp = malloc((size_t)M * sizeof *zp), *sum = malloc((size_t)M * sizeof *sum);
    int32_t *bias = malloc((size_t)M * sizeof *bias);
    float *scale = malloc((size_t)M * sizeof *scale);
    qmult *rq = malloc((size_t)M * sizeof *rq);
    L->weights = w;
    L->w_zp = zp;
    L->w_sum = sum;
    L->bias = bias;
    L->w_scale = scale;
    L->requant = rq;
    q->n_layers++; /* owned from here on, freed by qnet_free */
    if (!w || !zp || !sum || !bias || !scale || !rq)
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");

    int32_t clamp_lo = 0, clamp_hi = 255;
    int out_gt;
    fuse_activation(b, node, &out_gt, &clamp_lo, &clamp_hi);
    qparams qo = calibrated(b, out_gt);
    L->out = qo;
    L->clamp_lo = clamp_lo;
    L->clamp_hi = clamp_hi;

    const float *wf = g->tensors[n->in[1]].data; /* Conv [M][C][R][S], Gemm [M][K]: rows of K */
    const float *bf = shape->bias >= 0 ? g->tensors[shape->bias].data : NULL;
    for (int64_t m = 0; m < M; m++) {
        const float *row = wf + m * K;
        double lo = 0.0, hi = 0.0;
        for (int k = 0; k < K; k++) {
            lo = row[k] < lo ? row[k] : lo;
            hi = row[k] > hi ? row[k] : hi;
        }
        qparams qw = qmath_params(lo, hi);
        zp[m] = qw.zp;
        scale[m] = qw.scale;
        int32_t s = 0;
        for (int k = 0; k < K; k++) {
            w[m * K + k] = qmath_quantize(qw, row[k]);
            s += w[m * K + k];
        }
        sum[m] = s;
        double unit = (double)ti->q.scale * qw.scale;
        double bq = bf ? round(bf[m] / unit) : 0.0;
        const double limit = 1073741824.0; /* keeps acc + bias inside int32 */
        bias[m] = (int32_t)(bq > limit ? limit : bq < -limit ? -limit : bq);
        rq[m] = qmath_multiplier(unit / qo.scale);
    }
    int64_t dims[4];
    int rank = image_shape(&g->tensors[out_gt], dims);
    int out = add_tensor(b, out_gt, rank, dims, qo, -1);
    qop *o = out < 0 ? NULL : add_op(b, QOP_MAC, in, -1, out);
    if (!o)
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");
    o->layer = q->n_layers - 1;
    q->macs += (int64_t)M * K * shape->P * shape->Q;
    return AX_OK;
}

static int build_add(builder *b, int node)
{
    const graph *g = b->g;
    const graph_node *n = &g->nodes[node];
    int a = b->tmap[n->in[0]], c = b->tmap[n->in[1]];
    if (a < 0 || c < 0)
        return node_fail(b, node, "adding a constant is not emulated");
    const qtensor_info *ta = &b->q->tensors[a], *tc = &b->q->tensors[c];
    if (ta->numel != tc->numel || ta->rank != tc->rank ||
        memcmp(ta->dims, tc->dims, (size_t)ta->rank * sizeof ta->dims[0]) != 0)
        return node_fail(b, node, "broadcasting Add is not emulated (shapes differ)");
    int32_t lo = 0, hi = 255;
    int out_gt;
    fuse_activation(b, node, &out_gt, &lo, &hi);
    qparams qo = calibrated(b, out_gt), qa = ta->q, qc = tc->q;
    /* TFLite's Add: both inputs to a common scale 2 max(s_a, s_c) with 20
     * bits of headroom, then to the output scale. */
    double twice_max = 2.0 * (qa.scale > qc.scale ? qa.scale : qc.scale);
    int64_t dims[4];
    memcpy(dims, ta->dims, sizeof dims);
    int out = add_tensor(b, out_gt, ta->rank, dims, qo, -1);
    qop *o = out < 0 ? NULL : add_op(b, QOP_ADD, a, c, out);
    if (!o)
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");
    o->add_a = qmath_multiplier(qa.scale / twice_max);
    o->add_b = qmath_multiplier(qc.scale / twice_max);
    o->add_out = qmath_multiplier(twice_max / ((double)(1 << 20) * qo.scale));
    o->clamp_lo = lo;
    o->clamp_hi = hi;
    return AX_OK;
}

static int build_pool(builder *b, int node)
{
    const graph *g = b->g;
    const graph_node *n = &g->nodes[node];
    int in = b->tmap[n->in[0]];
    if (in < 0 || b->q->tensors[in].rank != 3)
        return node_fail(b, node, "pooling needs an image activation");
    const qtensor_info *ti = &b->q->tensors[in];
    int64_t dims[4];
    int rank = image_shape(&g->tensors[n->out], dims);
    /* Max and average commute with the code mapping: same parameters. */
    qparams qp = ti->q;
    int out = add_tensor(b, n->out, rank, dims, qp, -1);
    qop *o = out < 0 ? NULL : add_op(b, n->op == GRAPH_OP_MAXPOOL ? QOP_MAXPOOL : QOP_AVGPOOL, in, -1, out);
    if (!o)
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");
    if (n->op == GRAPH_OP_GLOBALAVGPOOL) {
        memset(&o->win, 0, sizeof o->win);
        o->win.kernel[0] = (int)ti->dims[1];
        o->win.kernel[1] = (int)ti->dims[2];
        o->win.stride[0] = o->win.stride[1] = 1;
        o->win.dilation[0] = o->win.dilation[1] = 1;
    } else {
        o->win = n->a.pool.win;
        o->count_include_pad = n->a.pool.count_include_pad;
    }
    return AX_OK;
}

/* A code -> code table per channel: out = quantize_out(f(dequantize_in(code))). */
static int build_table(builder *b, int node)
{
    const graph *g = b->g;
    const graph_node *n = &g->nodes[node];
    int in = b->tmap[n->in[0]];
    if (in < 0)
        return node_fail(b, node, "its input is not an activation the emulator computes");
    const qtensor_info *ti = &b->q->tensors[in];
    qparams qi = ti->q, qo;
    int channels = 1;
    const float *scale = NULL, *shift = NULL, *mean = NULL, *var = NULL;
    float eps = 0.0f;
    if (n->op == GRAPH_OP_BATCHNORM) {
        if (ti->rank != 3)
            return node_fail(b, node, "BatchNormalization needs an image activation");
        channels = (int)ti->dims[0];
        scale = g->tensors[n->in[1]].data;
        shift = g->tensors[n->in[2]].data;
        mean = g->tensors[n->in[3]].data;
        var = g->tensors[n->in[4]].data;
        if (!scale || !shift || !mean || !var)
            return node_fail(b, node, "BatchNormalization parameters must be constants");
        eps = n->a.bn.epsilon;
        qo = calibrated(b, n->out);
    } else {
        qo = qi; /* ReLU and Clip keep the input's codes where they pass */
    }
    uint8_t *t = malloc((size_t)channels * 256);
    if (!t)
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");
    for (int c = 0; c < channels; c++)
        for (int code = 0; code < 256; code++) {
            double x = (double)qi.scale * (code - qi.zp), y;
            if (n->op == GRAPH_OP_RELU)
                y = x > 0 ? x : 0;
            else if (n->op == GRAPH_OP_CLIP)
                y = x < n->a.clip.lo ? n->a.clip.lo : x > n->a.clip.hi ? n->a.clip.hi : x;
            else
                y = (x - mean[c]) / sqrt((double)var[c] + eps) * scale[c] + shift[c];
            t[c * 256 + code] = qmath_quantize(qo, y);
        }
    int64_t dims[4];
    memcpy(dims, ti->dims, sizeof dims);
    int out = add_tensor(b, n->out, ti->rank, dims, qo, -1);
    qop *o = out < 0 ? NULL : add_op(b, QOP_TABLE, in, -1, out);
    if (!o) {
        free(t);
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");
    }
    o->table = t;
    o->table_channels = channels;
    return AX_OK;
}

static int build_concat(builder *b, int node)
{
    const graph *g = b->g;
    const graph_node *n = &g->nodes[node];
    int rank_g = g->tensors[n->out].rank;
    if (n->a.concat.axis != 1)
        return node_fail(b, node, "only a Concat along channels (axis 1) is emulated");
    int *ins = malloc((size_t)n->n_in * sizeof *ins);
    uint8_t *t = malloc((size_t)n->n_in * 256);
    if (!ins || !t) {
        free(ins);
        free(t);
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");
    }
    qparams qo = calibrated(b, n->out);
    for (int i = 0; i < n->n_in; i++) {
        ins[i] = b->tmap[n->in[i]];
        if (ins[i] < 0 || (rank_g >= 3 && b->q->tensors[ins[i]].rank != 3)) {
            free(ins);
            free(t);
            return node_fail(b, node, "concatenating constants is not emulated");
        }
        qparams qi = b->q->tensors[ins[i]].q;
        for (int code = 0; code < 256; code++)
            t[i * 256 + code] = qmath_quantize(qo, (double)qi.scale * (code - qi.zp));
    }
    int64_t dims[4];
    int rank = image_shape(&g->tensors[n->out], dims);
    int out = add_tensor(b, n->out, rank, dims, qo, -1);
    qop *o = out < 0 ? NULL : add_op(b, QOP_CONCAT, ins[0], -1, out);
    if (!o) {
        free(ins);
        free(t);
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");
    }
    o->ins = ins;
    o->n_in = n->n_in;
    o->table = t;
    return AX_OK;
}

static int build_pad(builder *b, int node)
{
    const graph *g = b->g;
    const graph_node *n = &g->nodes[node];
    int in = b->tmap[n->in[0]];
    int rank_g = g->tensors[n->in[0]].rank;
    if (in < 0 || (rank_g != 4 && rank_g != 3))
        return node_fail(b, node, "Pad is emulated on image activations only");
    const graph_pad *p = &n->a.pad;
    int64_t pads[8] = {0};
    for (int d = 0; d < rank_g; d++) {
        if (p->pads[d] < 0 || p->pads[rank_g + d] < 0)
            return node_fail(b, node, "negative pads (cropping) are not emulated");
        if (d == 0 && (p->pads[0] || p->pads[rank_g]))
            return node_fail(b, node, "padding the batch axis is not emulated");
    }
    /* Per-image axes (C, H, W); rank 3 graphs have no H. */
    for (int d = 1; d < rank_g; d++) {
        int axis = rank_g == 4 ? d - 1 : (d == 1 ? 0 : 2);
        pads[axis] = p->pads[d];
        pads[4 + axis] = p->pads[rank_g + d];
    }
    const qtensor_info *ti = &b->q->tensors[in];
    int64_t dims[4];
    int rank = image_shape(&g->tensors[n->out], dims);
    int out = add_tensor(b, n->out, rank, dims, ti->q, -1);
    qop *o = out < 0 ? NULL : add_op(b, QOP_PAD, in, -1, out);
    if (!o)
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");
    memcpy(o->pads, pads, sizeof pads);
    o->pad_code = qmath_quantize(b->q->tensors[in].q, p->value);
    return AX_OK;
}

static int build_alias(builder *b, int node)
{
    const graph *g = b->g;
    const graph_node *n = &g->nodes[node];
    int in = b->tmap[n->in[0]];
    if (in < 0)
        return node_fail(b, node, "its input is not an activation the emulator computes");
    int64_t dims[4];
    int rank = image_shape(&g->tensors[n->out], dims);
    int root = b->q->tensors[in].alias >= 0 ? b->q->tensors[in].alias : in;
    int out = add_tensor(b, n->out, rank, dims, b->q->tensors[in].q, root);
    qop *o = out < 0 ? NULL : add_op(b, QOP_ALIAS, in, -1, out);
    if (!o)
        return ax_fail(b->err, AX_EINTERNAL, "out of memory");
    return AX_OK;
}

/* The output's producing chain: aliases back to a MAC op without a fused
 * activation makes that layer final (scores straight from int32). A
 * Softmax anywhere else is refused (only its arg max is used). */
static int mark_final(builder *b)
{
    qnet *q = b->q;
    int t = q->output;
    for (int i = q->n_ops - 1; i >= 0; i--) {
        const qop *o = &q->ops[i];
        if (o->out != t)
            continue;
        if (o->kind == QOP_ALIAS) {
            t = o->in[0];
            continue;
        }
        if (o->kind == QOP_MAC) {
            qnet_layer *L = &q->layers[o->layer];
            if (L->clamp_lo == 0 && L->clamp_hi == 255)
                L->final = 1;
        }
        break;
    }
    /* Every Softmax must be on the output chain. */
    const graph *g = b->g;
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].op != GRAPH_OP_SOFTMAX)
            continue;
        int out = b->tmap[g->nodes[i].out], on_chain = 0;
        for (int u = q->output; u >= 0;) {
            if (u == out) {
                on_chain = 1;
                break;
            }
            int prev = -1;
            for (int k = 0; k < q->n_ops; k++)
                if (q->ops[k].out == u && q->ops[k].kind == QOP_ALIAS)
                    prev = q->ops[k].in[0];
            u = prev;
        }
        if (!on_chain)
            return node_fail(b, i, "a Softmax inside the network is not emulated (only a final one)");
    }
    return AX_OK;
}

/* The input's quantization: exactly the range the pixel mappings of all
 * channels can produce, and each channel's table of codes. */
static int input_codes(const graph *g, qnet *q, qparams *qin, ax_err *err)
{
    q->channels = graph_input_channels(g);
    q->pixel_code = malloc((size_t)q->channels * 256);
    if (!q->pixel_code)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    double lo = INFINITY, hi = -INFINITY;
    for (int c = 0; c < q->channels; c++) {
        float mean, std;
        graph_input_norm(g, c, &mean, &std);
        double x0 = (0.0 - mean) / std, x1 = (1.0 - mean) / std;
        lo = fmin(lo, fmin(x0, x1));
        hi = fmax(hi, fmax(x0, x1));
    }
    *qin = qmath_params(lo, hi);
    for (int c = 0; c < q->channels; c++) {
        float mean, std;
        graph_input_norm(g, c, &mean, &std);
        for (int p = 0; p < 256; p++)
            q->pixel_code[c * 256 + p] = qmath_quantize(*qin, ((double)p / 255.0 - mean) / std);
    }
    return AX_OK;
}

int qnet_build(const graph *g, const uint8_t *calib_pixels, int64_t n_calib,
               const qnet_options *opts, qnet **out, ax_err *err)
{
    *out = NULL;
    if (!g->batched || g->n_inputs != 1 || g->n_outputs != 1)
        return ax_fail(err, AX_EINPUT, "quantization needs a batched classifier with one input and one output");
    const graph_tensor *gin = &g->tensors[g->inputs[0]], *gout = &g->tensors[g->outputs[0]];
    if (gout->rank != 2)
        return ax_fail(err, AX_EINPUT, "output '%s' has rank %d; [N,classes] expected", gout->name, gout->rank);
    if (n_calib < 1)
        return ax_fail(err, AX_EINPUT, "calibration needs at least one image");
    int64_t pixels = graph_tensor_image_numel(g, g->inputs[0]);
    graph_mac_layer *shapes = NULL;
    int n_shapes = 0;
    int status = graph_mac_layers(g, &shapes, &n_shapes, err);
    if (status != AX_OK)
        return status;
    qnet *q = calloc(1, sizeof *q);
    double *lo = malloc((size_t)g->n_tensors * sizeof *lo), *hi = malloc((size_t)g->n_tensors * sizeof *hi);
    builder b = {g, q, malloc((size_t)g->n_tensors * sizeof(int)), calloc((size_t)g->n_nodes + 1, sizeof(int)),
                 lo, hi, 0, 0, err};
    if (q)
        q->layers = calloc((size_t)(n_shapes > 0 ? n_shapes : 1), sizeof *q->layers);
    if (!q || !lo || !hi || !b.tmap || !b.absorbed || !q->layers) {
        status = ax_fail(err, AX_EINTERNAL, "out of memory");
        goto done;
    }
    q->pixels = pixels;
    q->classes = (int)gout->dims[1];
    status = calibrate(g, calib_pixels, n_calib, pixels, opts ? opts->threads : 0, lo, hi, err);
    if (status != AX_OK)
        goto done;
    for (int t = 0; t < g->n_tensors; t++)
        b.tmap[t] = -1;

    qparams qin;
    status = input_codes(g, q, &qin, err);
    if (status != AX_OK)
        goto done;
    int64_t dims[4];
    int rank = image_shape(gin, dims);
    if (add_tensor(&b, g->inputs[0], rank, dims, qin, -1) < 0) {
        status = ax_fail(err, AX_EINTERNAL, "out of memory");
        goto done;
    }

    int next_mac = 0;
    for (int i = 0; i < g->n_nodes && status == AX_OK; i++) {
        if (b.absorbed[i])
            continue;
        const graph_node *n = &g->nodes[i];
        switch (n->op) {
        case GRAPH_OP_CONV:
        case GRAPH_OP_GEMM:
        case GRAPH_OP_MATMUL:
            if (next_mac < n_shapes && shapes[next_mac].node == i)
                status = build_mac(&b, i, &shapes[next_mac++]);
            else
                status = node_fail(&b, i, "only MAC layers with constant weights are emulated");
            break;
        case GRAPH_OP_ADD: status = build_add(&b, i); break;
        case GRAPH_OP_MAXPOOL:
        case GRAPH_OP_AVGPOOL:
        case GRAPH_OP_GLOBALAVGPOOL: status = build_pool(&b, i); break;
        case GRAPH_OP_RELU:
        case GRAPH_OP_CLIP:
        case GRAPH_OP_BATCHNORM: status = build_table(&b, i); break;
        case GRAPH_OP_CONCAT: status = build_concat(&b, i); break;
        case GRAPH_OP_PAD: status = build_pad(&b, i); break;
        case GRAPH_OP_RESHAPE:
        case GRAPH_OP_SOFTMAX: status = build_alias(&b, i); break;
        default: status = node_fail(&b, i, "operator not emulated"); break;
        }
    }
    if (status == AX_OK) {
        q->output = b.tmap[g->outputs[0]];
        if (q->output < 0 || q->tensors[q->output].numel != q->classes)
            status = ax_fail(err, AX_EINPUT, "the output '%s' is not computed as [N,%d] scores", gout->name,
                             q->classes);
    }
    if (status == AX_OK)
        status = mark_final(&b);
done:
    free(shapes);
    free(lo);
    free(hi);
    free(b.tmap);
    free(b.absorbed);
    if (status != AX_OK) {
        qnet_free(q);
        return status;
    }
    *out = q;
    return AX_OK;
}

void qnet_free(qnet *q)
{
    if (!q)
        return;
    for (int l = 0; l < q->n_layers; l++) {
        qnet_layer *L = &q->layers[l];
        free((void *)L->weights);
        free((void *)L->w_zp);
        free((void *)L->w_sum);
        free((void *)L->bias);
        free((void *)L->w_scale);
        free((void *)L->requant);
    }
    for (int i = 0; i < q->n_ops; i++) {
        free((void *)q->ops[i].table);
        free((void *)q->ops[i].ins);
    }
    free(q->layers);
    free(q->ops);
    free(q->tensors);
    free(q->pixel_code);
    free(q);
}

int qnet_n_layers(const qnet *q) { return q->n_layers; }
const qnet_layer *qnet_layer_info(const qnet *q, int layer) { return &q->layers[layer]; }
int64_t qnet_image_pixels(const qnet *q) { return q->pixels; }
int qnet_classes(const qnet *q) { return q->classes; }
int64_t qnet_macs_per_image(const qnet *q) { return q->macs; }

void qnet_pixel_codes(const qnet *q, const uint8_t *pixels, int64_t n, uint8_t *codes)
{
    int64_t plane = q->pixels / q->channels;
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < q->channels; c++) {
            const uint8_t *table = q->pixel_code + c * 256;
            int64_t at = (i * q->channels + c) * plane;
            for (int64_t e = 0; e < plane; e++)
                codes[at + e] = table[pixels[at + e]];
        }
}

int qnet_n_ops(const qnet *q) { return q->n_ops; }
const qop *qnet_op(const qnet *q, int i) { return &q->ops[i]; }
int qnet_n_tensors(const qnet *q) { return q->n_tensors; }
const qtensor_info *qnet_tensor(const qnet *q, int t) { return &q->tensors[t]; }
int qnet_output_tensor(const qnet *q) { return q->output; }
