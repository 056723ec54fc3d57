/* fexec's blocked MAC kernels against plain loops written here from the
 * operator definitions, bit for bit: both accumulate bias + sum over
 * (c, r, s) or k ascending, so tile edges, groups, strides, dilations and
 * pads must not change a single bit. Graphs are built directly with the
 * graph API (graph_add_tensor / graph_add_node). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitness/net/fexec.h"
#include "fitness/net/graph.h"
#include "util/pcg.h"

static float *rand_floats(pcg32 *rng, int64_t n)
{
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p);
    assert_non_null(p);
    for (int64_t i = 0; i < n; i++)
        p[i] = (float)(pcg32_double(rng) * 2.0 - 1.0);
    return p;
}

typedef struct conv_case {
    int N, C, H, W, M, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, group;
} conv_case;

static void one_conv(const conv_case *cc, uint64_t seed)
{
    pcg32 rng = pcg32_derive4(seed, PCG_PURPOSE_TEST, 7, 0, 0, 0);
    const int Cg = cc->C / cc->group, Mg = cc->M / cc->group;
    const int P = (cc->H + cc->pt + cc->pb - ((cc->kh - 1) * cc->dh + 1)) / cc->sh + 1;
    const int Q = (cc->W + cc->pl + cc->pr - ((cc->kw - 1) * cc->dw + 1)) / cc->sw + 1;
    graph *g = graph_create();
    assert_non_null(g);
    g->batched = 1;
    const int64_t xd[4] = {GRAPH_DIM_BATCH, cc->C, cc->H, cc->W}, wd[4] = {cc->M, Cg, cc->kh, cc->kw};
    const int64_t bd[1] = {cc->M}, yd[4] = {GRAPH_DIM_BATCH, cc->M, P, Q};
    float *w = rand_floats(&rng, (int64_t)cc->M * Cg * cc->kh * cc->kw), *b = rand_floats(&rng, cc->M);
    float *wcopy = malloc((size_t)cc->M * Cg * cc->kh * cc->kw * sizeof *w), bcopy[64];
    assert_non_null(wcopy);
    memcpy(wcopy, w, (size_t)cc->M * Cg * cc->kh * cc->kw * sizeof *w);
    memcpy(bcopy, b, (size_t)cc->M * sizeof *b);
    int tx = graph_add_tensor(g, "x", 4, xd, NULL), tw = graph_add_tensor(g, "w", 4, wd, w);
    int tb = graph_add_tensor(g, "b", 1, bd, b), ty = graph_add_tensor(g, "y", 4, yd, NULL);
    const int in[3] = {tx, tw, tb};
    int ni = graph_add_node(g, GRAPH_OP_CONV, "conv", 0, 3, in, ty);
    assert_true(ni == 0);
    graph_conv *cv = &g->nodes[0].a.conv;
    cv->group = cc->group;
    cv->win.kernel[0] = cc->kh;
    cv->win.kernel[1] = cc->kw;
    cv->win.stride[0] = cc->sh;
    cv->win.stride[1] = cc->sw;
    cv->win.dilation[0] = cc->dh;
    cv->win.dilation[1] = cc->dw;
    cv->win.pad[0] = cc->pt;
    cv->win.pad[1] = cc->pl;
    cv->win.pad[2] = cc->pb;
    cv->win.pad[3] = cc->pr;
    g->inputs = malloc(sizeof *g->inputs);
    g->outputs = malloc(sizeof *g->outputs);
    g->inputs[0] = tx;
    g->outputs[0] = ty;
    g->n_inputs = g->n_outputs = 1;
    ax_err err = {0};
    assert_int_equal(graph_validate(g, &err), AX_OK);
    const int64_t nx = (int64_t)cc->N * cc->C * cc->H * cc->W, ny = (int64_t)cc->N * cc->M * P * Q;
    float *x = rand_floats(&rng, nx), *y = malloc((size_t)ny * sizeof *y), *ref = malloc((size_t)ny * sizeof *ref);
    assert_true(y && ref);
    for (int n = 0; n < cc->N; n++)
        for (int m = 0; m < cc->M; m++)
            for (int p = 0; p < P; p++)
                for (int q = 0; q < Q; q++) {
                    int gi = m / Mg;
                    float acc = bcopy[m];
                    for (int c = 0; c < Cg; c++)
                        for (int r = 0; r < cc->kh; r++)
                            for (int s = 0; s < cc->kw; s++) {
                                int ih = p * cc->sh - cc->pt + r * cc->dh, iw = q * cc->sw - cc->pl + s * cc->dw;
                                float v = (ih >= 0 && ih < cc->H && iw >= 0 && iw < cc->W)
                                              ? x[(((int64_t)n * cc->C + gi * Cg + c) * cc->H + ih) * cc->W + iw]
                                              : 0.0f;
                                acc += wcopy[(((int64_t)m * Cg + c) * cc->kh + r) * cc->kw + s] * v;
                            }
                    ref[(((int64_t)n * cc->M + m) * P + p) * Q + q] = acc;
                }
    const float *ins[1] = {x};
    float *outs[1] = {y};
    for (int t = 1; t <= 3; t++) {
        fexec_opts o = {t, NULL, NULL};
        memset(y, 0, (size_t)ny * sizeof *y);
        assert_int_equal(fexec_run(g, cc->N, ins, outs, &o, &err), AX_OK);
        assert_memory_equal(y, ref, (size_t)ny * sizeof *y);
    }
    free(x);
    free(y);
    free(ref);
    free(wcopy);
    graph_free(g);
}

static void conv_bit_exact(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        /* N  C  H  W  M  kh kw sh sw dh dw pt pl pb pr group */
        {3, 1, 28, 28, 6, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1},  /* LeNet conv1 */
        {2, 6, 14, 14, 16, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1}, /* LeNet conv2 */
        {2, 16, 9, 7, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1}, /* strided, odd sizes */
        {1, 8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8},    /* depthwise */
        {2, 4, 6, 5, 6, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, 2},    /* groups */
        {1, 3, 8, 8, 5, 3, 3, 2, 1, 2, 2, 1, 0, 2, 1, 1},    /* dilation, asymmetric pads */
        {2, 7, 5, 5, 9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1},    /* 1x1 direct path, M and PQ not tile multiples */
        {1, 2, 1, 13, 3, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1, 1},   /* 1-D as H = 1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        one_conv(&cases[i], 100 + i);
}

static void gemm_bit_exact(void **state)
{
    (void)state;
    static const int shapes[][3] = {{1, 3, 1}, {5, 17, 9}, {8, 16, 8}, {13, 400, 120}, {4, 7, 10}};
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const int rows = shapes[si][0], K = shapes[si][1], M = shapes[si][2];
        pcg32 rng = pcg32_derive4(55, PCG_PURPOSE_TEST, 8, si, 0, 0);
        for (int with_bias = 0; with_bias <= 1; with_bias++) {
            graph *g = graph_create();
            assert_non_null(g);
            g->batched = 1;
            const int64_t ad[2] = {GRAPH_DIM_BATCH, K}, bd[2] = {M, K}, cd[1] = {M}, yd[2] = {GRAPH_DIM_BATCH, M};
            float *B = rand_floats(&rng, (int64_t)M * K), *C = rand_floats(&rng, M);
            float *Bc = malloc((size_t)M * K * sizeof *Bc), Cc[200];
            assert_non_null(Bc);
            memcpy(Bc, B, (size_t)M * K * sizeof *B);
            memcpy(Cc, C, (size_t)M * sizeof *C);
            int ta = graph_add_tensor(g, "a", 2, ad, NULL), tbb = graph_add_tensor(g, "B", 2, bd, B);
            int tc = graph_add_tensor(g, "C", 1, cd, C), ty = graph_add_tensor(g, "y", 2, yd, NULL);
            const int in[3] = {ta, tbb, tc};
            assert_int_equal(graph_add_node(g, GRAPH_OP_GEMM, "fc", 0, with_bias ? 3 : 2, in, ty), 0);
            g->nodes[0].a.gemm = (graph_gemm){1.0f, 1.0f, 0, 1};
            g->inputs = malloc(sizeof *g->inputs);
            g->outputs = malloc(sizeof *g->outputs);
            g->inputs[0] = ta;
            g->outputs[0] = ty;
            g->n_inputs = g->n_outputs = 1;
            ax_err err = {0};
            assert_int_equal(graph_compact(g, &err), AX_OK); /* drops C when unused */
            assert_int_equal(graph_validate(g, &err), AX_OK);
            float *A = rand_floats(&rng, (int64_t)rows * K), *y = malloc((size_t)rows * M * sizeof *y);
            float *ref = malloc((size_t)rows * M * sizeof *ref);
            assert_true(y && ref);
            for (int i = 0; i < rows; i++)
                for (int m = 0; m < M; m++) {
                    float acc = with_bias ? Cc[m] : 0.0f;
                    for (int k = 0; k < K; k++)
                        acc += A[i * K + k] * Bc[m * K + k];
                    ref[i * M + m] = acc;
                }
            const float *ins[1] = {A};
            float *outs[1] = {y};
            fexec_opts o = {2, NULL, NULL};
            assert_int_equal(fexec_run(g, rows, ins, outs, &o, &err), AX_OK);
            assert_memory_equal(y, ref, (size_t)rows * M * sizeof *y);
            free(A);
            free(y);
            free(ref);
            free(Bc);
            graph_free(g);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conv_bit_exact),
        cmocka_unit_test(gemm_bit_exact),
    };
    return cmocka_run_group_tests_name("fexec", tests, NULL, NULL);
}
