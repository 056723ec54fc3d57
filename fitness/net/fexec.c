#include "fitness/net/fexec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* State of one run: where every tensor's data is and its concrete shape. */
typedef struct run {
    const graph *g;
    int64_t n;          /* batch */
    int nt;             /* OpenMP threads */
    const float **data; /* per tensor */
} run;

typedef struct shape {
    int rank;
    int64_t d[GRAPH_MAX_RANK];
} shape;

static shape shape_of(const run *r, int t)
{
    shape s;
    s.rank = r->g->tensors[t].rank;
    graph_tensor_dims(r->g, t, r->n, s.d);
    return s;
}

static int64_t shape_numel(const shape *s)
{
    int64_t e = 1;
    for (int i = 0; i < s->rank; i++)
        e *= s->d[i];
    return e;
}

static int64_t span(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= d[i];
    return p;
}

/* ---------------------------------------------------------------- MAC kernel */

/* out[r][c] = init + sum over k ascending of L[r][k] * R[k][c], for rows
 * r0..r1-1 and all cols, where init is row_init[r], else col_init[c], else
 * 0. Every output is accumulated in exactly this order whatever the
 * blocking, so results do not depend on tile edges, batch size or threads.
 * The 4 x 8 register tile lets the compiler keep the accumulators in
 * vector registers; edges take the plain loop (same order). */
enum { MM_RB = 4, MM_CB = 8 };

static void mm_rows(int64_t r0, int64_t r1, int64_t cols, int64_t K, const float *L, int64_t ldl, const float *R,
                    int64_t ldr, const float *row_init, const float *col_init, float *out, int64_t ldo)
{
    int64_t r = r0;
    for (; r + MM_RB <= r1; r += MM_RB) {
        int64_t c = 0;
        for (; c + MM_CB <= cols; c += MM_CB) {
            float acc[MM_RB][MM_CB];
            for (int i = 0; i < MM_RB; i++)
                for (int j = 0; j < MM_CB; j++)
                    acc[i][j] = row_init ? row_init[r + i] : col_init ? col_init[c + j] : 0.0f;
            const float *l0 = L + r * ldl, *l1 = l0 + ldl, *l2 = l1 + ldl, *l3 = l2 + ldl;
            for (int64_t k = 0; k < K; k++) {
                const float *rk = R + k * ldr + c;
                const float a0 = l0[k], a1 = l1[k], a2 = l2[k], a3 = l3[k];
                for (int j = 0; j < MM_CB; j++) {
                    acc[0][j] += a0 * rk[j];
                    acc[1][j] += a1 * rk[j];
                    acc[2][j] += a2 * rk[j];
                    acc[3][j] += a3 * rk[j];
                }
            }
            for (int i = 0; i < MM_RB; i++)
                for (int j = 0; j < MM_CB; j++)
                    out[(r + i) * ldo + c + j] = acc[i][j];
        }
        for (; c < cols; c++)
            for (int i = 0; i < MM_RB; i++) {
                float acc = row_init ? row_init[r + i] : col_init ? col_init[c] : 0.0f;
                for (int64_t k = 0; k < K; k++)
                    acc += L[(r + i) * ldl + k] * R[k * ldr + c];
                out[(r + i) * ldo + c] = acc;
            }
    }
    for (; r < r1; r++) {
        /* single row: still 8 columns at a time so the compiler can vectorize */
        int64_t c = 0;
        for (; c + MM_CB <= cols; c += MM_CB) {
            float acc[MM_CB];
            for (int j = 0; j < MM_CB; j++)
                acc[j] = row_init ? row_init[r] : col_init ? col_init[c + j] : 0.0f;
            const float *lr = L + r * ldl;
            for (int64_t k = 0; k < K; k++) {
                const float a = lr[k];
                const float *rk = R + k * ldr + c;
                for (int j = 0; j < MM_CB; j++)
                    acc[j] += a * rk[j];
            }
            for (int j = 0; j < MM_CB; j++)
                out[r * ldo + c + j] = acc[j];
        }
        for (; c < cols; c++) {
            float acc = row_init ? row_init[r] : col_init ? col_init[c] : 0.0f;
            for (int64_t k = 0; k < K; k++)
                acc += L[r * ldl + k] * R[k * ldr + c];
            out[r * ldo + c] = acc;
        }
    }
}

/* ---------------------------------------------------------------- Conv */

/* Lowers one image's group of Cg channels ([Cg][H][W]) to col[K][P*Q] with
 * K = Cg*kh*kw, row (c*kh + r)*kw + s; pixels outside the input are 0. */
static void im2col(const float *x, int64_t Cg, int64_t H, int64_t W, const graph_window *w, int64_t P,
                   int64_t Q, float *col)
{
    const int64_t PQ = P * Q;
    int64_t row = 0;
    for (int64_t c = 0; c < Cg; c++)
        for (int r = 0; r < w->kernel[0]; r++)
            for (int s = 0; s < w->kernel[1]; s++, row++) {
                float *dst = col + row * PQ;
                for (int64_t p = 0; p < P; p++) {
                    int64_t ih = p * w->stride[0] - w->pad[0] + (int64_t)r * w->dilation[0];
                    float *d = dst + p * Q;
                    if (ih < 0 || ih >= H) {
                        for (int64_t q = 0; q < Q; q++)
                            d[q] = 0.0f;
                        continue;
                    }
                    const float *src = x + (c * H + ih) * W;
                    for (int64_t q = 0; q < Q; q++) {
                        int64_t iw = q * w->stride[1] - w->pad[1] + (int64_t)s * w->dilation[1];
                        d[q] = (iw >= 0 && iw < W) ? src[iw] : 0.0f;
                    }
                }
            }
}

/* y[n][m][p][q] = bias[m] + sum over (c, r, s) ascending of W[m][c][r][s] *
 * x[n][g*Cg + c][p*sh - pt + r*dh][q*sw - pl + s*dw] (0 outside). */
static int k_conv(const run *r, const graph_node *nd, float *y, ax_err *err)
{
    shape xs = shape_of(r, nd->in[0]), ys = shape_of(r, nd->out);
    const graph_conv *cv = &nd->a.conv;
    const graph_window *w = &cv->win;
    const float *X = r->data[nd->in[0]], *Wt = r->data[nd->in[1]], *B = r->data[nd->in[2]];
    int two_d = xs.rank == 4;
    const int64_t N = xs.d[0], C = xs.d[1], H = two_d ? xs.d[2] : 1, Wd = xs.d[xs.rank - 1];
    const int64_t M = ys.d[1], P = two_d ? ys.d[2] : 1, Q = ys.d[ys.rank - 1];
    const int64_t G = cv->group, Cg = C / G, Mg = M / G;
    const int64_t K = Cg * w->kernel[0] * w->kernel[1], PQ = P * Q;
    const int direct = w->kernel[0] == 1 && w->kernel[1] == 1 && w->stride[0] == 1 && w->stride[1] == 1 &&
                       w->pad[0] == 0 && w->pad[1] == 0 && w->pad[2] == 0 && w->pad[3] == 0;
    const int64_t items = N * G;
    int failed = 0;
#pragma omp parallel num_threads(r->nt)
    {
        float *col = direct ? NULL : malloc((size_t)(K * PQ > 0 ? K * PQ : 1) * sizeof *col);
        if (!direct && !col) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (int64_t it = 0; it < items; it++) {
            if (!direct && !col)
                continue;
            const int64_t n = it / G, g = it % G;
            const float *x = X + (n * C + g * Cg) * H * Wd;
            const float *cm = x; /* 1x1, stride 1, no pad: the input is already [K][PQ] */
            if (!direct) {
                im2col(x, Cg, H, Wd, w, P, Q, col);
                cm = col;
            }
            mm_rows(0, Mg, PQ, K, Wt + g * Mg * K, K, cm, PQ, B + g * Mg, NULL, y + (n * M + g * Mg) * PQ, PQ);
        }
        free(col);
    }
    if (failed)
        return ax_fail(err, AX_EINTERNAL, "fexec: out of memory in Conv '%s'", nd->name);
    return AX_OK;
}

/* ---------------------------------------------------------------- Gemm, MatMul */

/* Canonical Gemm (fitness/net/graph.h: B constant [M][K], alpha = 1, C absent
 * or [M] with beta = 1): y[i][m] = C[m] + sum over k ascending of A[i][k] *
 * B[m][k], through the MAC kernel on B transposed. */
static int k_gemm_canonical(const run *r, const graph_node *nd, float *y, ax_err *err)
{
    shape as = shape_of(r, nd->in[0]), bs = shape_of(r, nd->in[1]);
    const float *A = r->data[nd->in[0]], *B = r->data[nd->in[1]];
    const float *Cv = nd->n_in == 3 ? r->data[nd->in[2]] : NULL;
    const int64_t rows = as.d[0], K = as.d[1], M = bs.d[0];
    float *bt = malloc((size_t)(K * M > 0 ? K * M : 1) * sizeof *bt);
    if (!bt)
        return ax_fail(err, AX_EINTERNAL, "fexec: out of memory in Gemm '%s'", nd->name);
    for (int64_t m = 0; m < M; m++)
        for (int64_t k = 0; k < K; k++)
            bt[k * M + m] = B[m * K + k];
    const int64_t blocks = (rows + MM_RB - 1) / MM_RB;
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t b = 0; b < blocks; b++) {
        int64_t r0 = b * MM_RB, r1 = r0 + MM_RB < rows ? r0 + MM_RB : rows;
        mm_rows(r0, r1, M, K, A, K, bt, M, NULL, Cv, y, M);
    }
    free(bt);
    return AX_OK;
}

static int k_gemm(const run *r, const graph_node *nd, float *y, ax_err *err)
{
    const graph_gemm *gm = &nd->a.gemm;
    if (gm->trans_b && !gm->trans_a && gm->alpha == 1.0f && graph_is_const(r->g, nd->in[1]) &&
        (nd->n_in == 2 || (gm->beta == 1.0f && r->g->tensors[nd->in[2]].rank == 1 &&
                           r->g->tensors[nd->in[2]].dims[0] == r->g->tensors[nd->in[1]].dims[0])))
        return k_gemm_canonical(r, nd, y, err);
    shape as = shape_of(r, nd->in[0]), bs = shape_of(r, nd->in[1]);
    const float *A = r->data[nd->in[0]], *B = r->data[nd->in[1]];
    const int64_t rows = gm->trans_a ? as.d[1] : as.d[0], K = gm->trans_a ? as.d[0] : as.d[1];
    const int64_t M = gm->trans_b ? bs.d[0] : bs.d[1];
    const float *Cv = NULL;
    int64_t cr = 1, cc = 1; /* C's dims aligned to [rows][M] */
    if (nd->n_in == 3) {
        shape cs = shape_of(r, nd->in[2]);
        Cv = r->data[nd->in[2]];
        if (cs.rank == 1)
            cc = cs.d[0];
        else if (cs.rank == 2) {
            cr = cs.d[0];
            cc = cs.d[1];
        }
    }
    const float alpha = gm->alpha, beta = gm->beta;
    const int ta = gm->trans_a, tb = gm->trans_b;
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t i = 0; i < rows; i++) {
        for (int64_t j = 0; j < M; j++) {
            float s = 0.0f;
            for (int64_t k = 0; k < K; k++) {
                const float a = ta ? A[k * rows + i] : A[i * K + k];
                const float b = tb ? B[j * K + k] : B[k * M + j];
                s += a * b;
            }
            float v = alpha * s;
            if (Cv)
                v += beta * Cv[(cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j)];
            y[i * M + j] = v;
        }
    }
    return AX_OK;
}

static int k_matmul(const run *r, const graph_node *nd, float *y)
{
    shape as = shape_of(r, nd->in[0]), bs = shape_of(r, nd->in[1]);
    const float *A = r->data[nd->in[0]], *B = r->data[nd->in[1]];
    const int a1 = as.rank == 1, b1 = bs.rank == 1;
    const int64_t rows = a1 ? 1 : as.d[as.rank - 2], K = as.d[as.rank - 1];
    const int64_t cols = b1 ? 1 : bs.d[bs.rank - 1];
    const int ba = a1 ? 0 : as.rank - 2, bb = b1 ? 0 : bs.rank - 2, br = ba > bb ? ba : bb;
    /* broadcast batch dims: element strides of A's and B's matrices */
    int64_t od[GRAPH_MAX_RANK], sa[GRAPH_MAX_RANK], sb[GRAPH_MAX_RANK];
    int64_t stA = rows * K, stB = K * cols;
    for (int i = br - 1; i >= 0; i--) {
        int ia = i - (br - ba), ib = i - (br - bb);
        int64_t da = ia >= 0 ? as.d[ia] : 1, db = ib >= 0 ? bs.d[ib] : 1;
        od[i] = da > db ? da : db;
        sa[i] = da == 1 ? 0 : stA;
        sb[i] = db == 1 ? 0 : stB;
        stA *= da;
        stB *= db;
    }
    const int64_t batches = span(od, 0, br);
    const int64_t items = batches * rows;
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t it = 0; it < items; it++) {
        int64_t b = it / rows, i = it % rows, rem = b, offA = 0, offB = 0;
        for (int d = br - 1; d >= 0; d--) {
            int64_t idx = rem % od[d];
            rem /= od[d];
            offA += idx * sa[d];
            offB += idx * sb[d];
        }
        const float *ar = A + offA + i * K;
        float *yr = y + (b * rows + i) * cols;
        for (int64_t j = 0; j < cols; j++) {
            float s = 0.0f;
            for (int64_t k = 0; k < K; k++)
                s += ar[k] * B[offB + k * cols + j];
            yr[j] = s;
        }
    }
    return AX_OK;
}

/* ---------------------------------------------------------------- elementwise */

static int k_relu_clip(const run *r, const graph_node *nd, float *y)
{
    shape s = shape_of(r, nd->out);
    const int64_t n = shape_numel(&s);
    const float *x = r->data[nd->in[0]];
    float lo = 0.0f, hi = INFINITY;
    if (nd->op == GRAPH_OP_CLIP) {
        lo = nd->a.clip.lo;
        hi = nd->a.clip.hi;
    }
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        y[i] = v < lo ? lo : v > hi ? hi : v;
    }
    return AX_OK;
}

/* Element strides of `in` broadcast to the output shape (0 along broadcast
 * axes). */
static void bcast_strides(const shape *in, const shape *out, int64_t *st)
{
    int64_t s = 1;
    for (int i = out->rank - 1; i >= 0; i--) {
        int j = i - (out->rank - in->rank);
        int64_t d = j >= 0 ? in->d[j] : 1;
        st[i] = d == 1 ? 0 : s;
        s *= d;
    }
}

static int k_add(const run *r, const graph_node *nd, float *y)
{
    shape as = shape_of(r, nd->in[0]), bs = shape_of(r, nd->in[1]), os = shape_of(r, nd->out);
    const float *A = r->data[nd->in[0]], *B = r->data[nd->in[1]];
    const int64_t n = shape_numel(&os);
    if (shape_numel(&as) == n && shape_numel(&bs) == n) {
#pragma omp parallel for num_threads(r->nt) schedule(static)
        for (int64_t i = 0; i < n; i++)
            y[i] = A[i] + B[i];
        return AX_OK;
    }
    int64_t sa[GRAPH_MAX_RANK], sb[GRAPH_MAX_RANK];
    bcast_strides(&as, &os, sa);
    bcast_strides(&bs, &os, sb);
    const int rank = os.rank;
    const int64_t inner = rank ? os.d[rank - 1] : 1, outer = inner ? n / inner : 0;
    const int64_t ia = rank ? sa[rank - 1] : 0, ib = rank ? sb[rank - 1] : 0;
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t o = 0; o < outer; o++) {
        int64_t rem = o, offA = 0, offB = 0;
        for (int d = rank - 2; d >= 0; d--) {
            int64_t idx = rem % os.d[d];
            rem /= os.d[d];
            offA += idx * sa[d];
            offB += idx * sb[d];
        }
        float *yr = y + o * inner;
        for (int64_t i = 0; i < inner; i++)
            yr[i] = A[offA + i * ia] + B[offB + i * ib];
    }
    return AX_OK;
}

static int k_batchnorm(const run *r, const graph_node *nd, float *y)
{
    shape xs = shape_of(r, nd->in[0]);
    const float *x = r->data[nd->in[0]], *sc = r->data[nd->in[1]], *bi = r->data[nd->in[2]],
                *mean = r->data[nd->in[3]], *var = r->data[nd->in[4]];
    const int64_t N = xs.d[0], C = xs.d[1], inner = span(xs.d, 2, xs.rank);
    const double eps = nd->a.bn.epsilon;
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t it = 0; it < N * C; it++) {
        const int64_t c = it % C;
        const double a = (double)sc[c] / sqrt((double)var[c] + eps);
        const double b = (double)bi[c] - (double)mean[c] * a;
        const float *xi = x + it * inner;
        float *yi = y + it * inner;
        for (int64_t i = 0; i < inner; i++)
            yi[i] = (float)((double)xi[i] * a + b);
    }
    return AX_OK;
}

/* ---------------------------------------------------------------- pooling */

static int k_pool(const run *r, const graph_node *nd, float *y)
{
    shape xs = shape_of(r, nd->in[0]), ys = shape_of(r, nd->out);
    const float *X = r->data[nd->in[0]];
    const graph_pool *pl = &nd->a.pool;
    const graph_window *w = &pl->win;
    int two_d = xs.rank == 4, is_max = nd->op == GRAPH_OP_MAXPOOL;
    const int64_t H = two_d ? xs.d[2] : 1, W = xs.d[xs.rank - 1];
    const int64_t P = two_d ? ys.d[2] : 1, Q = ys.d[ys.rank - 1];
    const int64_t planes = xs.d[0] * xs.d[1];
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t pc = 0; pc < planes; pc++) {
        const float *x = X + pc * H * W;
        float *yo = y + pc * P * Q;
        for (int64_t p = 0; p < P; p++) {
            const int64_t hs = p * w->stride[0] - w->pad[0];
            for (int64_t q = 0; q < Q; q++) {
                const int64_t ws = q * w->stride[1] - w->pad[1];
                float best = -INFINITY;
                double sum = 0.0;
                int64_t valid = 0, ch = 0, cw = 0;
                for (int i = 0; i < w->kernel[0]; i++) {
                    int64_t ih = hs + (int64_t)i * w->dilation[0];
                    if (ih >= -w->pad[0] && ih < H + w->pad[2])
                        ch++;
                    if (ih < 0 || ih >= H)
                        continue;
                    for (int j = 0; j < w->kernel[1]; j++) {
                        int64_t iw = ws + (int64_t)j * w->dilation[1];
                        if (iw < 0 || iw >= W)
                            continue;
                        float v = x[ih * W + iw];
                        if (v > best)
                            best = v;
                        sum += v;
                        valid++;
                    }
                }
                if (is_max) {
                    yo[p * Q + q] = best;
                    continue;
                }
                for (int j = 0; j < w->kernel[1]; j++) {
                    int64_t iw = ws + (int64_t)j * w->dilation[1];
                    if (iw >= -w->pad[1] && iw < W + w->pad[3])
                        cw++;
                }
                int64_t div = pl->count_include_pad ? ch * cw : valid;
                yo[p * Q + q] = div > 0 ? (float)(sum / (double)div) : 0.0f;
            }
        }
    }
    return AX_OK;
}

static int k_global_avg(const run *r, const graph_node *nd, float *y)
{
    shape xs = shape_of(r, nd->in[0]);
    const float *X = r->data[nd->in[0]];
    const int64_t planes = xs.d[0] * xs.d[1], inner = span(xs.d, 2, xs.rank);
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t pc = 0; pc < planes; pc++) {
        double s = 0.0;
        for (int64_t i = 0; i < inner; i++)
            s += X[pc * inner + i];
        y[pc] = inner > 0 ? (float)(s / (double)inner) : 0.0f;
    }
    return AX_OK;
}

/* ---------------------------------------------------------------- data movement */

static int k_reshape(const run *r, const graph_node *nd, float *y)
{
    shape s = shape_of(r, nd->out);
    int64_t n = shape_numel(&s);
    if (n > 0)
        memcpy(y, r->data[nd->in[0]], (size_t)n * sizeof *y);
    return AX_OK;
}

static int k_softmax(const run *r, const graph_node *nd, float *y)
{
    shape xs = shape_of(r, nd->in[0]);
    const float *X = r->data[nd->in[0]];
    const int ax = nd->a.softmax.axis;
    const int64_t outer = span(xs.d, 0, ax);
    int64_t len, inner;
    if (nd->a.softmax.coerce_2d) {
        len = span(xs.d, ax, xs.rank);
        inner = 1;
    } else {
        len = xs.d[ax];
        inner = span(xs.d, ax + 1, xs.rank);
    }
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t it = 0; it < outer * inner; it++) {
        const int64_t o = it / inner, i = it % inner;
        const float *x = X + o * len * inner + i;
        float *yo = y + o * len * inner + i;
        float mx = -INFINITY;
        for (int64_t k = 0; k < len; k++)
            if (x[k * inner] > mx)
                mx = x[k * inner];
        double s = 0.0;
        for (int64_t k = 0; k < len; k++)
            s += exp((double)x[k * inner] - (double)mx);
        for (int64_t k = 0; k < len; k++)
            yo[k * inner] = (float)(exp((double)x[k * inner] - (double)mx) / s);
    }
    return AX_OK;
}

static int k_concat(const run *r, const graph_node *nd, float *y)
{
    shape os = shape_of(r, nd->out);
    const int ax = nd->a.concat.axis;
    const int64_t outer = span(os.d, 0, ax), inner = span(os.d, ax + 1, os.rank);
    const int64_t row = os.d[ax] * inner;
    int64_t off = 0;
    for (int k = 0; k < nd->n_in; k++) {
        shape is = shape_of(r, nd->in[k]);
        const int64_t blk = is.d[ax] * inner;
        const float *x = r->data[nd->in[k]];
#pragma omp parallel for num_threads(r->nt) schedule(static)
        for (int64_t o = 0; o < outer; o++)
            if (blk > 0)
                memcpy(y + o * row + off, x + o * blk, (size_t)blk * sizeof *y);
        off += blk;
    }
    return AX_OK;
}

static int k_pad(const run *r, const graph_node *nd, float *y)
{
    shape xs = shape_of(r, nd->in[0]), os = shape_of(r, nd->out);
    const float *X = r->data[nd->in[0]];
    const graph_pad *pd = &nd->a.pad;
    const int rank = os.rank;
    const int64_t n = shape_numel(&os);
    const int64_t inner = rank ? os.d[rank - 1] : 1, outer = inner ? n / inner : 0;
    int64_t xst[GRAPH_MAX_RANK];
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        xst[i] = s;
        s *= xs.d[i];
    }
    if (rank == 0) {
        y[0] = X[0];
        return AX_OK;
    }
    const int64_t lb = pd->pads[rank - 1], xw = xs.d[rank - 1];
#pragma omp parallel for num_threads(r->nt) schedule(static)
    for (int64_t o = 0; o < outer; o++) {
        int64_t rem = o, off = 0;
        int inside = 1;
        for (int d = rank - 2; d >= 0; d--) {
            int64_t idx = rem % os.d[d] - pd->pads[d];
            rem /= os.d[d];
            if (idx < 0 || idx >= xs.d[d])
                inside = 0;
            off += idx * xst[d];
        }
        float *yr = y + o * inner;
        for (int64_t i = 0; i < inner; i++) {
            int64_t ix = i - lb;
            yr[i] = (inside && ix >= 0 && ix < xw) ? X[off + ix] : pd->value;
        }
    }
    return AX_OK;
}

/* ---------------------------------------------------------------- driver */

static int run_node(const run *r, const graph_node *nd, float *y, ax_err *err)
{
    switch (nd->op) {
    case GRAPH_OP_CONV: return k_conv(r, nd, y, err);
    case GRAPH_OP_GEMM: return k_gemm(r, nd, y, err);
    case GRAPH_OP_MATMUL: return k_matmul(r, nd, y);
    case GRAPH_OP_RELU:
    case GRAPH_OP_CLIP: return k_relu_clip(r, nd, y);
    case GRAPH_OP_MAXPOOL:
    case GRAPH_OP_AVGPOOL: return k_pool(r, nd, y);
    case GRAPH_OP_GLOBALAVGPOOL: return k_global_avg(r, nd, y);
    case GRAPH_OP_ADD: return k_add(r, nd, y);
    case GRAPH_OP_BATCHNORM: return k_batchnorm(r, nd, y);
    case GRAPH_OP_RESHAPE: return k_reshape(r, nd, y);
    case GRAPH_OP_SOFTMAX: return k_softmax(r, nd, y);
    case GRAPH_OP_CONCAT: return k_concat(r, nd, y);
    case GRAPH_OP_PAD: return k_pad(r, nd, y);
    case GRAPH_OP_COUNT: break;
    }
    return ax_fail(err, AX_EINTERNAL, "fexec: node '%s' has unknown op %d", nd->name, (int)nd->op);
}

static float *alloc_floats(int64_t n)
{
    if (n < 0 || (uint64_t)n > SIZE_MAX / sizeof(float))
        return NULL;
    return malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
}

int fexec_eval_const_node(const graph *g, int node, float **out, ax_err *err)
{
    *out = NULL;
    const graph_node *nd = &g->nodes[node];
    const float **data = calloc((size_t)g->n_tensors, sizeof *data);
    if (!data)
        return ax_fail(err, AX_EINTERNAL, "fexec: out of memory");
    for (int k = 0; k < nd->n_in; k++) {
        if (!graph_is_const(g, nd->in[k])) {
            free(data);
            return ax_fail(err, AX_EINTERNAL, "fexec: input %d of node '%s' is not constant", k, nd->name);
        }
        data[nd->in[k]] = g->tensors[nd->in[k]].data;
    }
    run r = {g, 1, 1, data};
    float *y = alloc_floats(graph_tensor_numel(g, nd->out, 1));
    int rc = y ? run_node(&r, nd, y, err) : ax_fail(err, AX_EINTERNAL, "fexec: out of memory");
    free(data);
    if (rc != AX_OK) {
        free(y);
        return rc;
    }
    *out = y;
    return AX_OK;
}

static int observe(const fexec_opts *o, const run *r, int t, ax_err *err)
{
    if (!o || !o->observe)
        return AX_OK;
    shape s = shape_of(r, t);
    return o->observe(o->observe_ctx, r->g, t, r->data[t], s.rank, s.d, err);
}

/* Runs every node on n images with nt threads inside each kernel. */
static int run_graph(const graph *g, int64_t n, const float *const *inputs, float *const *outputs, int nt,
                     const fexec_opts *opts, ax_err *err)
{
    const float **data = calloc((size_t)(g->n_tensors > 0 ? g->n_tensors : 1), sizeof *data);
    float **owned = calloc((size_t)(g->n_tensors > 0 ? g->n_tensors : 1), sizeof *owned);
    int *uses = calloc((size_t)(g->n_tensors > 0 ? g->n_tensors : 1), sizeof *uses);
    int rc = AX_OK;
    if (!data || !owned || !uses) {
        rc = ax_fail(err, AX_EINTERNAL, "fexec: out of memory");
        goto done;
    }
    for (int t = 0; t < g->n_tensors; t++)
        data[t] = g->tensors[t].data;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            uses[g->nodes[i].in[k]]++;
    for (int i = 0; i < g->n_outputs; i++)
        uses[g->outputs[i]] += 1 << 20; /* never freed before the copy-out */
    run r = {g, n, nt, data};
    for (int i = 0; i < g->n_inputs; i++)
        data[g->inputs[i]] = inputs[i];
    for (int i = 0; i < g->n_inputs && rc == AX_OK; i++)
        rc = observe(opts, &r, g->inputs[i], err);
    for (int i = 0; i < g->n_nodes && rc == AX_OK; i++) {
        const graph_node *nd = &g->nodes[i];
        float *y = alloc_floats(graph_tensor_numel(g, nd->out, n));
        if (!y) {
            rc = ax_fail(err, AX_EINTERNAL, "fexec: out of memory for '%s' (%lld floats)", g->tensors[nd->out].name,
                         (long long)graph_tensor_numel(g, nd->out, n));
            break;
        }
        owned[nd->out] = y;
        data[nd->out] = y;
        if ((rc = run_node(&r, nd, y, err)) != AX_OK || (rc = observe(opts, &r, nd->out, err)) != AX_OK)
            break;
        for (int k = 0; k < nd->n_in; k++) {
            int t = nd->in[k];
            if (--uses[t] == 0 && owned[t]) {
                free(owned[t]);
                owned[t] = NULL;
                data[t] = NULL;
            }
        }
    }
    for (int i = 0; i < g->n_outputs && rc == AX_OK; i++) {
        int64_t e = graph_tensor_numel(g, g->outputs[i], n);
        if (e > 0)
            memcpy(outputs[i], data[g->outputs[i]], (size_t)e * sizeof(float));
    }
done:
    if (owned)
        for (int t = 0; t < g->n_tensors; t++)
            free(owned[t]);
    free(owned);
    free(data);
    free(uses);
    return rc;
}

int fexec_run(const graph *g, int64_t n, const float *const *inputs, float *const *outputs,
              const fexec_opts *opts, ax_err *err)
{
    if (g->batched ? n < 1 : n != 1)
        return ax_fail(err, AX_EINPUT, "fexec: batch of %lld images for a%s graph", (long long)n,
                       g->batched ? " batched" : "n unbatched (exactly 1 expected)");
    int nt = opts && opts->threads > 0 ? opts->threads : 1;
#ifdef _OPENMP
    if (!opts || opts->threads <= 0)
        nt = omp_get_max_threads();
#endif
    if (nt <= 1 || !g->batched || n < 2 || (opts && opts->observe) || g->n_inputs > 16 || g->n_outputs > 16)
        return run_graph(g, n, inputs, outputs, nt, opts, err);
    /* Without an observer: each thread runs the whole graph on its own
     * contiguous slice of images (one parallel region instead of one per
     * node). Per-image results do not depend on the batch they are in, so
     * the bits are those of run_graph. */
    const int chunks = (int)(n < nt ? n : nt);
    int rcs[256];
    ax_err errs[8];
    const int nc = chunks < 256 ? chunks : 256;
#pragma omp parallel for num_threads(nc) schedule(static, 1)
    for (int c = 0; c < nc; c++) {
        int64_t lo = n * c / nc, hi = n * (c + 1) / nc;
        const float *in[16];
        float *out[16];
        for (int i = 0; i < g->n_inputs; i++)
            in[i] = inputs[i] + lo * graph_tensor_image_numel(g, g->inputs[i]);
        for (int i = 0; i < g->n_outputs; i++)
            out[i] = outputs[i] + lo * graph_tensor_image_numel(g, g->outputs[i]);
        ax_err local = {0};
        rcs[c] = run_graph(g, hi - lo, in, out, 1, NULL, &local);
        if (c < 8)
            errs[c] = local;
    }
    for (int c = 0; c < nc; c++)
        if (rcs[c] != AX_OK) {
            if (err && c < 8)
                *err = errs[c];
            else
                ax_fail(err, rcs[c], "fexec: a slice of the batch failed");
            return rcs[c];
        }
    return AX_OK;
}
