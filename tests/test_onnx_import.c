/* ONNX import and the float executor on small models written here with
 * protobuf-c (tests/onnx_build.h), with outputs computed by hand: the IR
 * invariants of fitness/net/graph.h (folding, canonical MAC layers, batch
 * handling), error messages, robustness against truncated and corrupted
 * files, the observer hook, thread-count and batch-composition invariance. */
#include <math.h>
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
#include "fitness/net/onnx_import.h"
#include "tests/onnx_build.h"
#include "util/pcg.h"

static graph *import(ob_model *m, int batched, int expect_rc, ax_err *err)
{
    size_t len;
    unsigned char *buf = ob_pack(m, &len);
    onnx_import_opts o = {batched, 0, NULL};
    graph *g = NULL;
    ax_err local = {0};
    if (!err)
        err = &local;
    int rc = onnx_import_buffer(buf, len, "test.onnx", &o, &g, err);
    free(buf);
    if (rc != expect_rc)
        fail_msg("import rc %d, expected %d: %s", rc, expect_rc, err->msg);
    if (expect_rc != AX_OK)
        assert_null(g);
    return g;
}

static int count_op(const graph *g, graph_op op)
{
    int c = 0;
    for (int i = 0; i < g->n_nodes; i++)
        c += g->nodes[i].op == op;
    return c;
}

/* ---------------------------------------------------------------- the tiny net
 *
 * x [N,1,3,3] -> Conv(2 filters 2x2, bias) -> Relu -> flatten -> Gemm(3x8,
 * transB=1) -> y [N,3]. Filter 0 = [[1,0],[0,-1]], bias 0.5; filter 1 = all
 * ones, bias -10. Gemm rows: all ones (bias 0); +1 at 4, -1 at 5 (bias 1);
 * 1 at 0 and 0.5 at 7 (bias -1). By hand:
 *   x0 = 1..9: conv ch0 = -3.5 (x4) -> 0; ch1 = 2, 6, 14, 18;
 *              y0 = [40, 2-6+1 = -3, 9-1 = 8]
 *   x1 = [0,-1,0, 2,0,-2, 1,1,1]: ch0 = 0.5, 1.5, 1.5, -0.5 -> 0;
 *              ch1 = -9, -13, -6, -10 -> 0; y1 = [3.5, 1, -0.5] */
static const float tiny_x[18] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, -1, 0, 2, 0, -2, 1, 1, 1};
static const float tiny_y[6] = {40, -3, 8, 3.5f, 1, -0.5f};

enum { FLAT_FLATTEN, FLAT_SHAPE_CHAIN, FLAT_CONST_RESHAPE, FLAT_FIXED_BATCH };

static ob_model *tiny_net(int flatten_kind, int extras)
{
    const int64_t xd[4] = {flatten_kind == FLAT_FIXED_BATCH ? 1 : OB_DYN, 1, 3, 3};
    const int64_t yd[2] = {flatten_kind == FLAT_FIXED_BATCH ? 1 : OB_DYN, 3};
    const int64_t wd[4] = {2, 1, 2, 2}, bd[1] = {2}, gd[2] = {3, 8}, gbd[1] = {3};
    const float w[8] = {1, 0, 0, -1, 1, 1, 1, 1}, b[2] = {0.5f, -10};
    const float gw[24] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, -1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0.5f};
    const float gb[3] = {0, 1, -1};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 4, xd);
    ob_output(m, "y", 2, yd);
    ob_init_f(m, "conv.w", 4, wd, w);
    ob_init_f(m, "conv.b", 1, bd, b);
    ob_init_f(m, "fc.w", 2, gd, gw);
    ob_node_add(m, "Conv", "conv1", "x,conv.w,conv.b", "c");
    ob_node_add(m, "Relu", "relu1", "c", "r");
    const char *flat_in = "r";
    if (extras) {
        /* Identity and Dropout in the path, the Gemm bias from a Constant */
        ob_node_add(m, "Identity", "id", "r", "r_id");
        ob_node_add(m, "Dropout", "drop", "r_id", "r_drop");
        flat_in = "r_drop";
        ob_node *cn = ob_node_add(m, "Constant", "bias_const", "", "fc.b");
        ob_attr_tensor_f(cn, "value", 1, gbd, gb);
    } else {
        ob_init_f(m, "fc.b", 1, gbd, gb);
    }
    char in[64];
    if (flatten_kind == FLAT_FLATTEN) {
        snprintf(in, sizeof in, "%s", flat_in);
        ob_attr_i(ob_node_add(m, "Flatten", "flatten", in, "f"), "axis", 1);
    } else if (flatten_kind == FLAT_SHAPE_CHAIN) {
        /* x.view(x.size(0), -1) as PyTorch exports it (opset 13) */
        const int64_t one[1] = {1}, zero_v[1] = {0}, minus1[1] = {-1};
        ob_node_add(m, "Shape", "shape", flat_in, "s");
        ob_node *c0 = ob_node_add(m, "Constant", "idx0", "", "i0");
        ob_attr_tensor_i(c0, "value", 0, one, zero_v);
        ob_node_add(m, "Gather", "gather", "s,i0", "n");
        ob_init_i(m, "axes0", 1, one, zero_v);
        ob_node_add(m, "Unsqueeze", "unsq", "n,axes0", "n1");
        ob_init_i(m, "minus1", 1, one, minus1);
        ob_attr_i(ob_node_add(m, "Concat", "cat", "n1,minus1", "target"), "axis", 0);
        snprintf(in, sizeof in, "%s,target", flat_in);
        ob_node_add(m, "Reshape", "reshape", in, "f");
    } else {
        /* x.view(-1, 8), or x.view(1, 8) of an export with a fixed batch of 1 */
        const int64_t two[1] = {2}, tgt_dyn[2] = {-1, 8}, tgt_fixed[2] = {1, 8};
        ob_init_i(m, "target", 1, two, flatten_kind == FLAT_FIXED_BATCH ? tgt_fixed : tgt_dyn);
        snprintf(in, sizeof in, "%s,target", flat_in);
        ob_node_add(m, "Reshape", "reshape", in, "f");
    }
    ob_attr_i(ob_node_add(m, "Gemm", "fc", "f,fc.w,fc.b", "y"), "transB", 1);
    return m;
}

static void run_tiny(const graph *g, int threads, float *y)
{
    const float *in[1] = {tiny_x};
    float *out[1] = {y};
    fexec_opts o = {threads, NULL, NULL};
    ax_err err = {0};
    int rc = fexec_run(g, 2, in, out, &o, &err);
    if (rc != AX_OK)
        fail_msg("run: %s", err.msg);
}

static void tiny_net_hand_computed(void **state)
{
    (void)state;
    static const int kinds[4] = {FLAT_FLATTEN, FLAT_SHAPE_CHAIN, FLAT_CONST_RESHAPE, FLAT_FIXED_BATCH};
    for (int k = 0; k < 4; k++)
        for (int extras = 0; extras <= 1; extras++) {
            ob_model *m = tiny_net(kinds[k], extras);
            graph *g = import(m, 1, AX_OK, NULL);
            ob_free(m);
            /* folded to Conv, Relu, Reshape, Gemm */
            assert_int_equal(g->n_nodes, 4);
            assert_int_equal(g->nodes[0].op, GRAPH_OP_CONV);
            assert_int_equal(g->nodes[1].op, GRAPH_OP_RELU);
            assert_int_equal(g->nodes[2].op, GRAPH_OP_RESHAPE);
            assert_int_equal(g->nodes[3].op, GRAPH_OP_GEMM);
            const graph_tensor *f = &g->tensors[g->nodes[2].out];
            assert_int_equal(f->rank, 2);
            assert_true(f->dims[0] == GRAPH_DIM_BATCH && f->dims[1] == 8);
            assert_int_equal(g->n_inputs, 1);
            assert_true(g->tensors[g->inputs[0]].dims[0] == GRAPH_DIM_BATCH);
            float y[6];
            for (int t = 1; t <= 2; t++) {
                memset(y, 0, sizeof y);
                run_tiny(g, t, y);
                for (int i = 0; i < 6; i++)
                    assert_float_equal(y[i], tiny_y[i], 0.0f);
            }
            ax_err err = {0};
            assert_int_equal(graph_validate(g, &err), AX_OK);
            graph_free(g);
        }
}

static void tiny_net_unbatched(void **state)
{
    (void)state;
    /* The fixed-batch export imported as declared: one image, N = 1. */
    ob_model *m = tiny_net(FLAT_FIXED_BATCH, 0);
    graph *g = import(m, 0, AX_OK, NULL);
    ob_free(m);
    assert_int_equal(g->batched, 0);
    assert_true(g->tensors[g->inputs[0]].dims[0] == 1);
    float y[3];
    const float *in[1] = {tiny_x + 9};
    float *out[1] = {y};
    ax_err err = {0};
    assert_int_equal(fexec_run(g, 1, in, out, NULL, &err), AX_OK);
    for (int i = 0; i < 3; i++)
        assert_float_equal(y[i], tiny_y[3 + i], 0.0f);
    /* an unbatched graph runs exactly one instance */
    assert_int_equal(fexec_run(g, 2, in, out, NULL, &err), AX_EINPUT);
    graph_free(g);
}

static void mac_layers_listed(void **state)
{
    (void)state;
    ob_model *m = tiny_net(FLAT_SHAPE_CHAIN, 1);
    graph *g = import(m, 1, AX_OK, NULL);
    ob_free(m);
    graph_mac_layer *L = NULL;
    int n = 0;
    ax_err err = {0};
    assert_int_equal(graph_mac_layers(g, &L, &n, &err), AX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(L[0].op, GRAPH_OP_CONV);
    assert_int_equal(L[0].node, 0);
    assert_true(L[0].N == 1 && L[0].M == 2 && L[0].C == 1 && L[0].P == 2 && L[0].Q == 2 && L[0].R == 2 &&
                L[0].S == 2 && L[0].H == 3 && L[0].W == 3 && L[0].group == 1);
    assert_true(L[0].stride[0] == 1 && L[0].stride[1] == 1 && L[0].pad[0] == 0 && L[0].pad[3] == 0);
    assert_int_equal(L[0].macs, 2 * 1 * 2 * 2 * 2 * 2);
    assert_true(graph_is_const(g, L[0].weight) && graph_is_const(g, L[0].bias));
    assert_int_equal(L[1].op, GRAPH_OP_GEMM);
    assert_int_equal(L[1].node, 3);
    assert_true(L[1].N == 1 && L[1].M == 3 && L[1].C == 8 && L[1].P == 1 && L[1].Q == 1 && L[1].R == 1);
    assert_int_equal(L[1].macs, 24);
    /* canonical weight [M][K] and bias [M] */
    assert_true(g->tensors[L[1].weight].dims[0] == 3 && g->tensors[L[1].weight].dims[1] == 8);
    assert_true(L[1].bias >= 0 && g->tensors[L[1].bias].rank == 1 && g->tensors[L[1].bias].dims[0] == 3);
    free(L);
    graph_free(g);
}

/* ---------------------------------------------------------------- BatchNormalization */

/* x [N,2,2,2] -> Conv 1x1 (2->2) -> BN -> y; with `tap`, the conv output is
 * also a graph output, so BN cannot be folded and stays a node. */
static ob_model *conv_bn(int tap, int no_conv_bias)
{
    const int64_t xd[4] = {OB_DYN, 2, 2, 2}, wd[4] = {2, 2, 1, 1}, cd[1] = {2};
    const float w[4] = {1, 2, -1, 0.5f}, b[2] = {0.25f, -1};
    const float sc[2] = {2, 0.5f}, sh[2] = {1, -3}, mean[2] = {0.5f, -2}, var[2] = {3, 0.75f};
    ob_model *m = ob_new(15);
    ob_input(m, "x", 4, xd);
    ob_output(m, "y", 4, xd);
    if (tap)
        ob_output(m, "c", 4, xd);
    ob_init_f(m, "w", 4, wd, w);
    if (!no_conv_bias)
        ob_init_f(m, "b", 1, cd, b);
    ob_init_f(m, "s", 1, cd, sc);
    ob_init_f(m, "sh", 1, cd, sh);
    ob_init_f(m, "mean", 1, cd, mean);
    ob_init_f(m, "var", 1, cd, var);
    ob_node_add(m, "Conv", "conv", no_conv_bias ? "x,w" : "x,w,b", "c");
    ob_attr_f(ob_node_add(m, "BatchNormalization", "bn", "c,s,sh,mean,var", "y"), "epsilon", 1e-5f);
    return m;
}

static void batchnorm_folded(void **state)
{
    (void)state;
    const float x[16] = {1, -2, 0.5f, 3, 0, 1, -1, 2, /* image 1 */ -0.5f, 4, 2, -3, 1, 1, 0, -2};
    for (int nb = 0; nb <= 1; nb++) {
        ob_model *mf = conv_bn(0, nb), *mu = conv_bn(1, nb);
        graph *gf = import(mf, 1, AX_OK, NULL), *gu = import(mu, 1, AX_OK, NULL);
        ob_free(mf);
        ob_free(mu);
        assert_int_equal(count_op(gf, GRAPH_OP_BATCHNORM), 0);
        assert_int_equal(gf->n_nodes, 1);
        assert_int_equal(count_op(gu, GRAPH_OP_BATCHNORM), 1);
        float yf[16], yu[16], cu[16];
        const float *in[1] = {x};
        float *of[1] = {yf}, *ou[2] = {yu, cu};
        ax_err err = {0};
        assert_int_equal(fexec_run(gf, 2, in, of, NULL, &err), AX_OK);
        assert_int_equal(fexec_run(gu, 2, in, ou, NULL, &err), AX_OK);
        /* by hand, in double: y = (conv - mean) * s / sqrt(var + eps) + sh */
        const double w[4] = {1, 2, -1, 0.5}, b[2] = {nb ? 0 : 0.25, nb ? 0 : -1};
        const double sc[2] = {2, 0.5}, sh[2] = {1, -3}, mean[2] = {0.5, -2}, var[2] = {3, 0.75};
        for (int n = 0; n < 2; n++)
            for (int m = 0; m < 2; m++)
                for (int p = 0; p < 4; p++) {
                    double cv = b[m];
                    for (int c = 0; c < 2; c++)
                        cv += w[m * 2 + c] * x[n * 8 + c * 4 + p];
                    double ref = (cv - mean[m]) * sc[m] / sqrt(var[m] + 1e-5) + sh[m];
                    int i = n * 8 + m * 4 + p;
                    assert_float_equal(cu[i], cv, 1e-6);
                    assert_float_equal(yf[i], ref, 1e-5);
                    assert_float_equal(yu[i], ref, 1e-5);
                }
        graph_free(gf);
        graph_free(gu);
    }
}

/* ---------------------------------------------------------------- Gemm and MatMul canonical forms */

static void gemm_canonical(void **state)
{
    (void)state;
    /* y = 2 * A B + 0.5 C with B [3][2] not transposed, C [1][2] */
    const int64_t ad[2] = {OB_DYN, 3}, bd[2] = {3, 2}, cd[2] = {1, 2}, yd[2] = {OB_DYN, 2};
    const float B[6] = {1, 2, 3, 4, 5, 6}, C[2] = {10, -10};
    ob_model *m = ob_new(13);
    ob_input(m, "a", 2, ad);
    ob_output(m, "y", 2, yd);
    ob_init_f(m, "B", 2, bd, B);
    ob_init_f(m, "C", 2, cd, C);
    ob_node *n = ob_node_add(m, "Gemm", "g", "a,B,C", "y");
    ob_attr_f(n, "alpha", 2.0f);
    ob_attr_f(n, "beta", 0.5f);
    graph *g = import(m, 1, AX_OK, NULL);
    ob_free(m);
    assert_int_equal(g->n_nodes, 1);
    const graph_node *nd = &g->nodes[0];
    assert_int_equal(nd->op, GRAPH_OP_GEMM);
    assert_true(nd->a.gemm.trans_b == 1 && nd->a.gemm.alpha == 1.0f && nd->a.gemm.beta == 1.0f);
    const graph_tensor *w = &g->tensors[nd->in[1]], *c = &g->tensors[nd->in[2]];
    assert_true(w->rank == 2 && w->dims[0] == 2 && w->dims[1] == 3);
    static const float wt[6] = {2, 6, 10, 4, 8, 12}; /* 2 * B^T */
    for (int i = 0; i < 6; i++)
        assert_float_equal(w->data[i], wt[i], 0.0f);
    assert_true(c->rank == 1 && c->dims[0] == 2 && c->data[0] == 5.0f && c->data[1] == -5.0f);
    const float a[6] = {1, 0, -1, 0.5f, 1, 2};
    float y[4];
    const float *in[1] = {a};
    float *out[1] = {y};
    ax_err err = {0};
    assert_int_equal(fexec_run(g, 2, in, out, NULL, &err), AX_OK);
    /* row 0: 2*[1-5, 2-6] + [5,-5] = [-3, -13]; row 1: 2*[0.5+3+10, 1+4+12] + [5,-5] = [32, 29] */
    const float ref[4] = {-3, -13, 32, 29};
    for (int i = 0; i < 4; i++)
        assert_float_equal(y[i], ref[i], 0.0f);
    graph_free(g);
}

static void matmul_becomes_gemm(void **state)
{
    (void)state;
    const int64_t ad[2] = {OB_DYN, 3}, bd[2] = {3, 2}, yd[2] = {OB_DYN, 2};
    const float B[6] = {1, 2, 3, 4, 5, 6};
    ob_model *m = ob_new(13);
    ob_input(m, "a", 2, ad);
    ob_output(m, "y", 2, yd);
    ob_init_f(m, "B", 2, bd, B);
    ob_node_add(m, "MatMul", "mm", "a,B", "y");
    graph *g = import(m, 1, AX_OK, NULL);
    ob_free(m);
    assert_int_equal(g->n_nodes, 1);
    assert_int_equal(g->nodes[0].op, GRAPH_OP_GEMM);
    assert_int_equal(g->nodes[0].n_in, 2);
    const float a[3] = {1, -1, 2};
    float y[2];
    const float *in[1] = {a};
    float *out[1] = {y};
    ax_err err = {0};
    assert_int_equal(fexec_run(g, 1, in, out, NULL, &err), AX_OK);
    assert_float_equal(y[0], 1 - 3 + 10, 0.0f);
    assert_float_equal(y[1], 2 - 4 + 12, 0.0f);
    graph_mac_layer *L;
    int nl;
    assert_int_equal(graph_mac_layers(g, &L, &nl, &err), AX_OK);
    assert_int_equal(nl, 1);
    assert_true(L[0].M == 2 && L[0].C == 3 && L[0].bias == -1);
    free(L);
    graph_free(g);
}

/* ---------------------------------------------------------------- other operators by hand */

static void legacy_add_axis_and_clip(void **state)
{
    (void)state;
    /* opset 6: Add with broadcast=1, axis=1 of B [3] onto A [N,3,2];
     * Clip with attributes. */
    const int64_t xd[3] = {OB_DYN, 3, 2}, bd[1] = {3};
    const float b[3] = {10, 20, 30};
    ob_model *m = ob_new(6);
    ob_input(m, "x", 3, xd);
    ob_output(m, "y", 3, xd);
    ob_init_f(m, "b", 1, bd, b);
    ob_node *n = ob_node_add(m, "Add", "add", "x,b", "s");
    ob_attr_i(n, "broadcast", 1);
    ob_attr_i(n, "axis", 1);
    n = ob_node_add(m, "Clip", "clip", "s", "y");
    ob_attr_f(n, "min", 11.0f);
    ob_attr_f(n, "max", 25.0f);
    graph *g = import(m, 1, AX_OK, NULL);
    ob_free(m);
    const float x[6] = {0, 1, 2, 3, 4, 5};
    float y[6];
    const float *in[1] = {x};
    float *out[1] = {y};
    ax_err err = {0};
    assert_int_equal(fexec_run(g, 1, in, out, NULL, &err), AX_OK);
    const float ref[6] = {11, 11, 22, 23, 25, 25};
    for (int i = 0; i < 6; i++)
        assert_float_equal(y[i], ref[i], 0.0f);
    graph_free(g);
}

static void clip_inputs_pad_softmax(void **state)
{
    (void)state;
    /* opset 13: Pad (constant 7, pads on W only) -> Clip(min, max as
     * initializers) -> Softmax over the last axis. */
    const int64_t xd[3] = {OB_DYN, 1, 2}, yd[3] = {OB_DYN, 1, 3}, pd[1] = {6}, sd[1] = {1};
    const int64_t pads[6] = {0, 0, 1, 0, 0, 0};
    const float lo[1] = {0}, hi[1] = {1}, cv[1] = {7};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 3, xd);
    ob_output(m, "y", 3, yd);
    ob_init_i(m, "pads", 1, pd, pads);
    ob_init_f(m, "cv", 0, sd, cv);
    ob_init_f(m, "lo", 0, sd, lo);
    ob_init_f(m, "hi", 0, sd, hi);
    ob_node_add(m, "Pad", "pad", "x,pads,cv", "p");
    ob_node_add(m, "Clip", "clip", "p,lo,hi", "c");
    ob_node_add(m, "Softmax", "sm", "c", "y");
    graph *g = import(m, 1, AX_OK, NULL);
    ob_free(m);
    assert_int_equal(g->n_nodes, 3);
    const float x[2] = {-5, 0.5f};
    float y[3];
    const float *in[1] = {x};
    float *out[1] = {y};
    ax_err err = {0};
    assert_int_equal(fexec_run(g, 1, in, out, NULL, &err), AX_OK);
    /* padded [7, -5, 0.5] -> clipped [1, 0, 0.5] -> softmax */
    double e1 = exp(1.0), e0 = 1.0, eh = exp(0.5), s = e1 + e0 + eh;
    assert_float_equal(y[0], e1 / s, 1e-7);
    assert_float_equal(y[1], e0 / s, 1e-7);
    assert_float_equal(y[2], eh / s, 1e-7);
    graph_free(g);
}

static void transpose_constant_folded(void **state)
{
    (void)state;
    /* nn.Linear without bias exported without constant folding:
     * Transpose(W) feeding MatMul. */
    const int64_t xd[2] = {OB_DYN, 2}, wd[2] = {3, 2}, yd[2] = {OB_DYN, 3};
    const float w[6] = {1, 2, 3, 4, 5, 6};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", 2, yd);
    ob_init_f(m, "W", 2, wd, w);
    const int64_t perm[2] = {1, 0};
    ob_attr_ints(ob_node_add(m, "Transpose", "t", "W", "Wt"), "perm", 2, perm);
    ob_node_add(m, "MatMul", "mm", "x,Wt", "y");
    graph *g = import(m, 1, AX_OK, NULL);
    ob_free(m);
    assert_int_equal(g->n_nodes, 1);
    assert_int_equal(g->nodes[0].op, GRAPH_OP_GEMM);
    const float x[2] = {1, -1};
    float y[3];
    const float *in[1] = {x};
    float *out[1] = {y};
    ax_err err = {0};
    assert_int_equal(fexec_run(g, 1, in, out, NULL, &err), AX_OK);
    assert_float_equal(y[0], -1, 0.0f);
    assert_float_equal(y[1], -1, 0.0f);
    assert_float_equal(y[2], -1, 0.0f);
    graph_free(g);
}

/* ---------------------------------------------------------------- refusals */

/* A Conv on constant inputs whose output is small enough to fold (262,144
 * values) but whose folding would take 151 million multiply-adds is
 * refused with a message, not computed (the fuzzer's slow unit: a model
 * file of a few hundred bytes must not keep the importer busy). */
static void folding_work_capped(void **state)
{
    (void)state;
    const int64_t xd[4] = {1, 64, 64, 64}, wd[4] = {64, 64, 3, 3}, in_d[2] = {OB_DYN, 4};
    float *x = calloc(64 * 64 * 64, sizeof *x), *w = calloc(64 * 64 * 9, sizeof *w);
    assert_true(x && w);
    ob_model *m = ob_new(13);
    ob_input(m, "in", 2, in_d);
    ob_output(m, "y", -1, NULL);
    ob_init_f(m, "X", 4, xd, x);
    ob_init_f(m, "W", 4, wd, w);
    const int64_t pads[4] = {1, 1, 1, 1};
    ob_attr_ints(ob_node_add(m, "Conv", "c", "X,W", "h"), "pads", 4, pads);
    ob_node_add(m, "Relu", "r", "in", "y");
    ax_err err = {0};
    graph *g = import(m, 1, AX_EINPUT, &err);
    assert_null(g);
    assert_non_null(strstr(err.msg, "multiply-adds"));
    ob_free(m);
    free(x);
    free(w);
}

static void batched_refusals(void **state)
{
    (void)state;
    const int64_t xd[2] = {OB_DYN, 4}, one[1] = {1}, two[1] = {2};
    ax_err err = {0};
    /* Concat along the batch axis */
    ob_model *m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_attr_i(ob_node_add(m, "Concat", "cat0", "x,x", "y"), "axis", 0);
    graph *g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "node 0 'cat0' (Concat)"));
    assert_non_null(strstr(err.msg, "axis 0"));
    /* the same model is fine unbatched (shapes as declared) when static */
    ob_free(m);
    /* Reshape across images */
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    const int64_t t[1] = {-1};
    ob_init_i(m, "t", 1, one, t);
    ob_node_add(m, "Reshape", "flat_all", "x,t", "y");
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "(Reshape)"));
    ob_free(m);
    /* Flatten at axis 0 */
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_attr_i(ob_node_add(m, "Flatten", "fl", "x", "y"), "axis", 0);
    g = import(m, 1, AX_EINPUT, &err);
    ob_free(m);
    /* Softmax over the batch axis */
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_attr_i(ob_node_add(m, "Softmax", "sm", "x", "y"), "axis", 0);
    g = import(m, 1, AX_EINPUT, &err);
    ob_free(m);
    /* symbolic non-batch dimension */
    m = ob_new(13);
    const int64_t sym[2] = {OB_DYN, OB_DYN};
    ob_input(m, "x", 2, sym);
    ob_output(m, "y", -1, NULL);
    ob_node_add(m, "Relu", "r", "x", "y");
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "dimension 1 is symbolic"));
    /* and unbatched, even the batch dimension must be static */
    g = import(m, 0, AX_EINPUT, &err);
    ob_free(m);
    (void)two;
    (void)g;
}

/* A one-node classifier: y = Relu(x + k), k an initializer of 4 values. */
static ob_model *add_relu(const float *k)
{
    const int64_t xd[2] = {OB_DYN, 4}, kd[1] = {4};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_init_f(m, "k", 1, kd, k);
    ob_node_add(m, "Add", "add", "x,k", "a");
    ob_node_add(m, "Relu", "relu", "a", "y");
    return m;
}

/* What a hostile user found imported without a word: weights that are not
 * numbers, a negative variance, Clip with min > max, an empty graph, two
 * initializers of one name. Each is refused as input naming the model and
 * the culprit. (The first three are left to unbatched imports: the ONNX
 * node tests may hold them on purpose.) */
static void nonsense_models_refused(void **state)
{
    (void)state;
    ax_err err = {0};
    const float nan_k[4] = {0, 1, NAN, 2}, inf_k[4] = {0, -INFINITY, 1, 2}, ok_k[4] = {0, 1, 2, 3};
    ob_model *m = add_relu(nan_k);
    import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "test.onnx: initializer 'k': element 2 is NaN; weights must be finite"));
    ob_free(m);
    m = add_relu(inf_k);
    import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "element 1 is infinite"));
    ob_free(m);
    /* a Constant node's tensor too */
    m = add_relu(ok_k);
    const int64_t one[1] = {1};
    const float nan1[1] = {NAN};
    ob_attr_tensor_f(ob_node_add(m, "Constant", "cst", "", "unused"), "value", 1, one, nan1);
    import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "Constant 'unused': element 0 is NaN"));
    ob_free(m);

    /* BatchNormalization with a negative variance (channel 1) */
    const int64_t xd[4] = {OB_DYN, 2, 1, 1}, cd[1] = {2};
    const float sc[2] = {1, 1}, sh[2] = {0, 0}, mean[2] = {0, 0}, var[2] = {1, -2};
    m = ob_new(15);
    ob_input(m, "x", 4, xd);
    ob_output(m, "y", 4, xd);
    ob_init_f(m, "s", 1, cd, sc);
    ob_init_f(m, "sh", 1, cd, sh);
    ob_init_f(m, "mean", 1, cd, mean);
    ob_init_f(m, "var", 1, cd, var);
    ob_node_add(m, "BatchNormalization", "bn", "x,s,sh,mean,var", "y");
    import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "(BatchNormalization)"));
    assert_non_null(strstr(err.msg, "variance 'var' of channel 1 is -2"));
    ob_free(m);

    /* Clip with min above max, as inputs (opset 13) */
    const int64_t x2[2] = {OB_DYN, 4};
    const float lo[1] = {2}, hi[1] = {1};
    m = ob_new(13);
    ob_input(m, "x", 2, x2);
    ob_output(m, "y", -1, NULL);
    ob_init_f(m, "lo", 0, one, lo);
    ob_init_f(m, "hi", 0, one, hi);
    ob_node_add(m, "Clip", "clip", "x,lo,hi", "y");
    import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "'clip' (Clip): min 2 is above max 1"));
    ob_free(m);

    /* an empty graph: the output is the input itself */
    m = ob_new(13);
    ob_input(m, "x", 2, x2);
    ob_output(m, "x", -1, NULL);
    import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "test.onnx: the graph has no nodes"));
    ob_free(m);

    /* two initializers of one name */
    m = add_relu(ok_k);
    const int64_t kd[1] = {4};
    ob_init_f(m, "k", 1, kd, ok_k);
    import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "initializer 1: the name 'k' is given to two initializers"));
    ob_free(m);
}

static void unsupported_and_bad_attributes(void **state)
{
    (void)state;
    const int64_t xd[2] = {OB_DYN, 4};
    ax_err err = {0};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_node_add(m, "Relu", "r0", "x", "r");
    ob_node_add(m, "Tanh", "act_1", "r", "y");
    graph *g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "test.onnx: node 1 'act_1' (Tanh): operator not supported"));
    ob_free(m);
    /* unknown attribute */
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_attr_i(ob_node_add(m, "Relu", "r0", "x", "y"), "alpha", 1);
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "attribute 'alpha'"));
    ob_free(m);
    /* Pad in reflect mode */
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    const int64_t pd[1] = {4}, pads[4] = {0, 1, 0, 1};
    ob_init_i(m, "pads", 1, pd, pads);
    ob_attr_s(ob_node_add(m, "Pad", "p", "x,pads", "y"), "mode", "reflect");
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "mode 'reflect'"));
    ob_free(m);
    /* an input nobody defines */
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_node_add(m, "Add", "add", "x,ghost", "y");
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "'ghost' is not produced"));
    ob_free(m);
    /* using the mask output of Dropout */
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_node_add(m, "Dropout", "drop", "x", "d,mask");
    ob_node_add(m, "Add", "add", "d,mask", "y");
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "mask output"));
    ob_free(m);
    /* a declared output shape that the operators contradict */
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    const int64_t wrong[2] = {OB_DYN, 5};
    ob_output(m, "y", 2, wrong);
    ob_node_add(m, "Relu", "r", "x", "y");
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "declared [?,5]"));
    ob_free(m);
    /* unsupported opset */
    m = ob_new(99);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_node_add(m, "Relu", "r", "x", "y");
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "opset 99"));
    ob_free(m);
    (void)g;
}

static void metadata_normalization(void **state)
{
    (void)state;
    const int64_t xd[2] = {OB_DYN, 4};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_node_add(m, "Relu", "r", "x", "y");
    graph *g = import(m, 1, AX_OK, NULL);
    assert_true(g->input_mean[0] == 0.0f && g->input_std[0] == 1.0f);
    graph_free(g);
    ob_meta(m, "axsearch.input_mean", "0.2860");
    ob_meta(m, "axsearch.input_std", "0.3530");
    ob_meta(m, "author", "someone");
    g = import(m, 1, AX_OK, NULL);
    assert_true(g->input_mean[0] == 0.2860f && g->input_std[0] == 0.3530f);
    graph_free(g);
    ob_free(m);
    ax_err err = {0};
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_node_add(m, "Relu", "r", "x", "y");
    ob_meta(m, "axsearch.input_std", "0");
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "input_std"));
    ob_free(m);
    m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_node_add(m, "Relu", "r", "x", "y");
    ob_meta(m, "axsearch.input_mean", "0.5x");
    g = import(m, 1, AX_EINPUT, &err);
    assert_non_null(strstr(err.msg, "not a number"));
    ob_free(m);
}

/* Per-channel normalization: a comma list per channel of a [N][3][H][W]
 * input, applied to each plane by graph_input_from_pixels; a list that does
 * not match the channels, or is malformed, is refused. */
static ob_model *colour_relu(const char *mean, const char *std)
{
    const int64_t xd[4] = {OB_DYN, 3, 1, 2};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 4, xd);
    ob_output(m, "y", -1, NULL);
    ob_node_add(m, "Relu", "r", "x", "y");
    if (mean)
        ob_meta(m, "axsearch.input_mean", mean);
    if (std)
        ob_meta(m, "axsearch.input_std", std);
    return m;
}

static void metadata_normalization_per_channel(void **state)
{
    (void)state;
    ob_model *m = colour_relu("0.5, 0.25,0", "2");
    graph *g = import(m, 1, AX_OK, NULL);
    ob_free(m);
    assert_int_equal(graph_input_channels(g), 3);
    const uint8_t px[12] = {0, 255, 51, 102, 255, 0, /* image 2: */ 1, 2, 3, 4, 5, 6};
    float x[12];
    graph_input_from_pixels(g, px, 2, x);
    const float mean[3] = {0.5f, 0.25f, 0.0f};
    for (int i = 0; i < 12; i++) {
        int c = i / 2 % 3;
        assert_true(x[i] == ((float)px[i] / 255.0f - mean[c]) / 2.0f);
    }
    char text[128];
    graph_input_norm_text(g, text, sizeof text);
    assert_string_equal(text, "mean 0.5,0.25,0 std 2");
    graph_free(g);
    const struct {
        const char *mean, *std, *why;
    } bad[] = {
        {"0.1,0.2", NULL, "lists 2 values for an input of 3 channels"},
        {NULL, "1,2,3,4", "lists 4 values"},
        {"0.1,", NULL, "not a number"},
        {"0.1;0.2;0.3", NULL, "not a number"},
        {NULL, "1,0,1", "must be > 0"},
        {"0.1,nan,0.3", NULL, "not a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ax_err err = {0};
        m = colour_relu(bad[i].mean, bad[i].std);
        g = import(m, 1, AX_EINPUT, &err);
        assert_non_null(strstr(err.msg, bad[i].why));
        ob_free(m);
    }
}

/* Every prefix of a model and every single-byte corruption must import
 * cleanly or fail with AX_EINPUT; the sanitizers watch for the rest. */
static void truncated_and_corrupted(void **state)
{
    (void)state;
    ob_model *m = tiny_net(FLAT_SHAPE_CHAIN, 1);
    size_t len;
    unsigned char *buf = ob_pack(m, &len);
    ob_free(m);
    onnx_import_opts o = {1, 0, NULL};
    int n_ok = 0, n_input = 0;
    for (size_t cut = 0; cut < len; cut++) {
        graph *g = NULL;
        ax_err err = {0};
        int rc = onnx_import_buffer(buf, cut, "cut.onnx", &o, &g, &err);
        assert_true(rc == AX_OK || rc == AX_EINPUT);
        if (rc == AX_EINPUT) {
            assert_null(g);
            assert_true(strlen(err.msg) > 0);
        }
        n_ok += rc == AX_OK;
        n_input += rc == AX_EINPUT;
        graph_free(g);
    }
    assert_true(n_input > (int)len / 2); /* nearly every prefix is refused */
    unsigned char *bad = malloc(len);
    assert_non_null(bad);
    static const unsigned char flips[4] = {0x01, 0x80, 0xff, 0x40};
    for (size_t i = 0; i < len; i++)
        for (int f = 0; f < 4; f++) {
            memcpy(bad, buf, len);
            bad[i] ^= flips[f];
            graph *g = NULL;
            ax_err err = {0};
            int rc = onnx_import_buffer(bad, len, "flip.onnx", &o, &g, &err);
            assert_true(rc == AX_OK || rc == AX_EINPUT);
            if (rc == AX_OK) {
                /* whatever still imports must still be a valid graph */
                assert_int_equal(graph_validate(g, &err), AX_OK);
            }
            graph_free(g);
        }
    free(bad);
    free(buf);
    (void)n_ok;
}

/* ---------------------------------------------------------------- observer */

typedef struct obs {
    int calls;
    int tensors[16];
    int64_t dim0[16];
    int stop_after;
} obs;

static int observe(void *ctx, const graph *g, int tensor, const float *data, int rank, const int64_t *dims,
                   ax_err *err)
{
    (void)g;
    (void)data;
    obs *o = ctx;
    if (o->calls < 16) {
        o->tensors[o->calls] = tensor;
        o->dim0[o->calls] = rank > 0 ? dims[0] : -1;
    }
    o->calls++;
    if (o->stop_after && o->calls >= o->stop_after)
        return ax_fail(err, AX_ESTOPPED, "stop requested by the observer");
    return AX_OK;
}

static void observer_sees_every_activation(void **state)
{
    (void)state;
    ob_model *m = tiny_net(FLAT_FLATTEN, 0);
    graph *g = import(m, 1, AX_OK, NULL);
    ob_free(m);
    obs o = {0};
    fexec_opts fo = {1, observe, &o};
    float y[6];
    const float *in[1] = {tiny_x};
    float *out[1] = {y};
    ax_err err = {0};
    assert_int_equal(fexec_run(g, 2, in, out, &fo, &err), AX_OK);
    assert_int_equal(o.calls, 1 + g->n_nodes);
    assert_int_equal(o.tensors[0], g->inputs[0]);
    for (int i = 0; i < g->n_nodes; i++) {
        assert_int_equal(o.tensors[1 + i], g->nodes[i].out);
        assert_int_equal(o.dim0[1 + i], 2);
    }
    obs stop = {0};
    stop.stop_after = 2;
    fo.observe_ctx = &stop;
    assert_int_equal(fexec_run(g, 2, in, out, &fo, &err), AX_ESTOPPED);
    assert_int_equal(stop.calls, 2);
    graph_free(g);
}

/* ---------------------------------------------------------------- invariance */

/* A LeNet-5-like net with random weights: conv 6@5x5 pad 2, relu, maxpool,
 * conv 16@5x5, relu, avgpool, flatten, gemm 120, relu, gemm 10. */
static ob_model *random_lenet(uint64_t seed)
{
    pcg32 rng = pcg32_derive4(seed, PCG_PURPOSE_TEST, 4, 0, 0, 0);
    const int64_t xd[4] = {OB_DYN, 1, 28, 28}, yd[2] = {OB_DYN, 10};
    const int64_t w1[4] = {6, 1, 5, 5}, b1[1] = {6}, w2[4] = {16, 6, 5, 5}, b2[1] = {16};
    const int64_t f1[2] = {120, 400}, fb1[1] = {120}, f2[2] = {10, 120}, fb2[1] = {10};
    static float buf[48000];
    ob_model *m = ob_new(13);
    ob_input(m, "x", 4, xd);
    ob_output(m, "y", 2, yd);
#define RAND_INIT(name, rank, dims, count, scale)                                   \
    do {                                                                            \
        for (int i = 0; i < (count); i++)                                           \
            buf[i] = (float)((pcg32_double(&rng) * 2.0 - 1.0) * (scale));           \
        ob_init_f(m, name, rank, dims, buf);                                        \
    } while (0)
    RAND_INIT("w1", 4, w1, 150, 0.4);
    RAND_INIT("b1", 1, b1, 6, 0.1);
    RAND_INIT("w2", 4, w2, 2400, 0.1);
    RAND_INIT("b2", 1, b2, 16, 0.1);
    RAND_INIT("f1", 2, f1, 48000, 0.05);
    RAND_INIT("fb1", 1, fb1, 120, 0.1);
    RAND_INIT("f2", 2, f2, 1200, 0.1);
    RAND_INIT("fb2", 1, fb2, 10, 0.1);
#undef RAND_INIT
    const int64_t k5[2] = {5, 5}, k2[2] = {2, 2}, p2[4] = {2, 2, 2, 2};
    ob_node *n = ob_node_add(m, "Conv", "conv1", "x,w1,b1", "c1");
    ob_attr_ints(n, "kernel_shape", 2, k5);
    ob_attr_ints(n, "pads", 4, p2);
    ob_node_add(m, "Relu", "relu1", "c1", "r1");
    n = ob_node_add(m, "MaxPool", "pool1", "r1", "p1");
    ob_attr_ints(n, "kernel_shape", 2, k2);
    ob_attr_ints(n, "strides", 2, k2);
    ob_node_add(m, "Conv", "conv2", "p1,w2,b2", "c2");
    ob_node_add(m, "Relu", "relu2", "c2", "r2");
    n = ob_node_add(m, "AveragePool", "pool2", "r2", "p2");
    ob_attr_ints(n, "kernel_shape", 2, k2);
    ob_attr_ints(n, "strides", 2, k2);
    ob_node_add(m, "Flatten", "flat", "p2", "f");
    ob_attr_i(ob_node_add(m, "Gemm", "fc1", "f,f1,fb1", "g1"), "transB", 1);
    ob_node_add(m, "Relu", "relu3", "g1", "r3");
    ob_attr_i(ob_node_add(m, "Gemm", "fc2", "r3,f2,fb2", "y"), "transB", 1);
    return m;
}

static void thread_and_batch_invariance(void **state)
{
    (void)state;
    ob_model *m = random_lenet(11);
    graph *g = import(m, 1, AX_OK, NULL);
    ob_free(m);
    enum { N = 37 };
    float *x = malloc(N * 784 * sizeof *x), y1[N * 10], y2[N * 10], y3[N * 10];
    assert_non_null(x);
    pcg32 rng = pcg32_derive4(5, PCG_PURPOSE_TEST, 5, 0, 0, 0);
    for (int i = 0; i < N * 784; i++)
        x[i] = (float)pcg32_double(&rng);
    const float *in[1] = {x};
    float *out[1];
    ax_err err = {0};
    fexec_opts one = {1, NULL, NULL}, two = {2, NULL, NULL}, three = {3, NULL, NULL};
    out[0] = y1;
    assert_int_equal(fexec_run(g, N, in, out, &one, &err), AX_OK);
    out[0] = y2;
    assert_int_equal(fexec_run(g, N, in, out, &two, &err), AX_OK);
    assert_memory_equal(y1, y2, sizeof y1);
    /* with an observer the kernels parallelize per node instead */
    obs seen = {0};
    fexec_opts watched = {2, observe, &seen};
    out[0] = y3;
    assert_int_equal(fexec_run(g, N, in, out, &watched, &err), AX_OK);
    assert_memory_equal(y1, y3, sizeof y1);
    assert_true(seen.calls == 1 + g->n_nodes);
    /* image by image, and in uneven chunks, gives the same bits */
    for (int i = 0; i < N; i++) {
        const float *ini[1] = {x + i * 784};
        float *outi[1] = {y3 + i * 10};
        assert_int_equal(fexec_run(g, 1, ini, outi, &three, &err), AX_OK);
    }
    assert_memory_equal(y1, y3, sizeof y1);
    /* and it computes something: outputs differ between images */
    assert_true(y1[0] != y1[10] || y1[1] != y1[11]);
    free(x);
    graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_net_hand_computed),
        cmocka_unit_test(tiny_net_unbatched),
        cmocka_unit_test(mac_layers_listed),
        cmocka_unit_test(batchnorm_folded),
        cmocka_unit_test(gemm_canonical),
        cmocka_unit_test(matmul_becomes_gemm),
        cmocka_unit_test(legacy_add_axis_and_clip),
        cmocka_unit_test(clip_inputs_pad_softmax),
        cmocka_unit_test(transpose_constant_folded),
        cmocka_unit_test(batched_refusals),
        cmocka_unit_test(folding_work_capped),
        cmocka_unit_test(nonsense_models_refused),
        cmocka_unit_test(unsupported_and_bad_attributes),
        cmocka_unit_test(metadata_normalization),
        cmocka_unit_test(metadata_normalization_per_channel),
        cmocka_unit_test(truncated_and_corrupted),
        cmocka_unit_test(observer_sees_every_activation),
        cmocka_unit_test(thread_and_batch_invariance),
    };
    return cmocka_run_group_tests_name("onnx_import", tests, NULL, NULL);
}
