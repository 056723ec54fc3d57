#include "tests/emu_ref.h"

#include <stdlib.h>

#include "tests/onnx_build.h"

graph *emu_ref_net(const emu_ref_case *cc, int *hw_out)
{
    pcg32 rng = pcg32_derive4(2, PCG_PURPOSE_TEST, (uint64_t)cc->stride, (uint64_t)cc->group,
                              (uint64_t)cc->dilation, (uint64_t)cc->pad);
    ob_model *m = ob_new(13);
    const int64_t xin[4] = {OB_DYN, 1, 10, 10};
    ob_input(m, "x", 4, xin);
    float w1[4 * 9], b1[4];
    for (int i = 0; i < 36; i++)
        w1[i] = (float)(pcg32_double(&rng) - 0.4);
    for (int i = 0; i < 4; i++)
        b1[i] = (float)(0.2 * pcg32_double(&rng) - 0.1);
    const int64_t w1d[4] = {4, 1, 3, 3}, b1d[1] = {4};
    ob_init_f(m, "w1", 4, w1d, w1);
    ob_init_f(m, "b1", 1, b1d, b1);
    ob_node *n = ob_node_add(m, "Conv", "conv1", "x,w1,b1", "c1");
    const int64_t p1[4] = {1, 1, 1, 1};
    ob_attr_ints(n, "pads", 4, p1);
    ob_node_add(m, "Relu", "relu1", "c1", "r1");

    int k = cc->kernel, cin = 4 / cc->group;
    int64_t w2d[4] = {cc->out_ch, cin, k, k}, b2d[1] = {cc->out_ch};
    float *w2 = malloc((size_t)(cc->out_ch * cin * k * k) * sizeof *w2), b2[16];
    for (int i = 0; i < cc->out_ch * cin * k * k; i++)
        w2[i] = (float)(pcg32_double(&rng) - 0.5);
    for (int i = 0; i < cc->out_ch; i++)
        b2[i] = (float)(0.1 * pcg32_double(&rng));
    ob_init_f(m, "w2", 4, w2d, w2);
    ob_init_f(m, "b2", 1, b2d, b2);
    n = ob_node_add(m, "Conv", "conv2", "r1,w2,b2", "c2");
    const int64_t s2[2] = {cc->stride, cc->stride}, d2[2] = {cc->dilation, cc->dilation};
    const int64_t p2[4] = {cc->pad, cc->pad, cc->pad, cc->pad};
    ob_attr_ints(n, "strides", 2, s2);
    ob_attr_ints(n, "dilations", 2, d2);
    ob_attr_ints(n, "pads", 4, p2);
    ob_attr_i(n, "group", cc->group);
    int span = cc->dilation * (k - 1) + 1;
    int hw = (10 + 2 * cc->pad - span) / cc->stride + 1;
    *hw_out = hw;
    ob_node_add(m, "Flatten", "flat", "c2", "f");
    int feat = cc->out_ch * hw * hw;
    float *w3 = malloc((size_t)(5 * feat) * sizeof *w3), b3[5];
    for (int i = 0; i < 5 * feat; i++)
        w3[i] = (float)(pcg32_double(&rng) - 0.5);
    for (int i = 0; i < 5; i++)
        b3[i] = (float)(pcg32_double(&rng) - 0.5);
    const int64_t w3d[2] = {5, feat}, b3d[1] = {5};
    ob_init_f(m, "w3", 2, w3d, w3);
    ob_init_f(m, "b3", 1, b3d, b3);
    n = ob_node_add(m, "Gemm", "fc", "f,w3,b3", "y");
    ob_attr_i(n, "transB", 1);
    const int64_t yd[2] = {OB_DYN, 5};
    ob_output(m, "y", 2, yd);
    ax_err err = {0};
    graph *g = ob_import(m, "emu_ref_net", &err);
    free(w2);
    free(w3);
    ob_free(m);
    return g;
}

qnet *emu_ref_build_on_noise(const graph *g, pcg32 *rng, uint8_t *px, int n)
{
    for (int i = 0; i < n * 100; i++)
        px[i] = (uint8_t)pcg32_next(rng);
    qnet *q = NULL;
    ax_err err = {0};
    return qnet_build(g, px, n, NULL, &q, &err) == AX_OK ? q : NULL;
}

static int32_t product(const uint16_t *lut, int a, int w)
{
    return lut ? lut[a * 256 + w] : a * w;
}

void emu_ref_conv(const qnet_layer *L, const uint8_t *x, int64_t H, int64_t W, const uint16_t *lut,
                  const emu_layer_fix *fx, int32_t *v)
{
    const graph_mac_layer *s = &L->shape;
    const uint8_t *stored = fx ? fx->weights : L->weights;
    int64_t Mg = s->M / s->group;
    for (int64_t m = 0; m < s->M; m++) {
        int64_t g = m / Mg;
        int32_t za = L->in.zp, zw = L->w_zp[m];
        for (int64_t oh = 0; oh < s->P; oh++)
            for (int64_t ow = 0; ow < s->Q; ow++) {
                int32_t acc = fx ? fx->bias[m] : L->bias[m];
                for (int64_t c = 0; c < s->C; c++)
                    for (int64_t r = 0; r < s->R; r++)
                        for (int64_t q = 0; q < s->S; q++) {
                            int64_t ih = oh * s->stride[0] - s->pad[0] + r * s->dilation[0];
                            int64_t iw = ow * s->stride[1] - s->pad[1] + q * s->dilation[1];
                            int a = ih < 0 || ih >= H || iw < 0 || iw >= W
                                        ? za
                                        : x[((g * s->C + c) * H + ih) * W + iw];
                            int64_t at = m * L->K + (c * s->R + r) * s->S + q;
                            int w = L->weights[at];
                            acc += product(lut, a, stored[at]) - za * w - zw * a + za * zw;
                        }
                v[(m * s->P + oh) * s->Q + ow] = acc;
            }
    }
}

static void requant(const qnet_layer *L, const int32_t *v, int64_t per_channel, uint8_t *out)
{
    for (int64_t m = 0; m < L->shape.M; m++)
        for (int64_t i = 0; i < per_channel; i++) {
            int32_t code = L->out.zp + qmath_apply(v[m * per_channel + i], L->requant[m]);
            code = code < L->clamp_lo ? L->clamp_lo : code > L->clamp_hi ? L->clamp_hi : code;
            out[m * per_channel + i] = (uint8_t)code;
        }
}

void emu_ref_scores(const qnet *q, const uint8_t *pixels, const uint16_t *lut, const emu_layer_fix *const *fixes,
                    uint8_t *h1_out, uint8_t *h2_out, float *scores)
{
    const qnet_layer *L0 = qnet_layer_info(q, 0), *L1 = qnet_layer_info(q, 1), *L2 = qnet_layer_info(q, 2);
    const emu_layer_fix *f0 = fixes ? fixes[0] : NULL, *f1 = fixes ? fixes[1] : NULL;
    const emu_layer_fix *f2 = fixes ? fixes[2] : NULL;
    uint8_t x[100], h1[4 * 100], h2[16 * 100];
    int32_t v[16 * 100];
    qnet_pixel_codes(q, pixels, 1, x);
    emu_ref_conv(L0, x, 10, 10, lut, f0, v);
    requant(L0, v, 100, h1);
    if (h1_out)
        for (int i = 0; i < 400; i++)
            h1_out[i] = h1[i];
    emu_ref_conv(L1, h1, 10, 10, lut, f1, v);
    requant(L1, v, L1->shape.P * L1->shape.Q, h2);
    if (h2_out)
        for (int i = 0; i < L2->K; i++)
            h2_out[i] = h2[i];
    for (int64_t m = 0; m < L2->shape.M; m++) {
        int32_t za = L2->in.zp, zw = L2->w_zp[m], acc = f2 ? f2->bias[m] : L2->bias[m];
        for (int k = 0; k < L2->K; k++) {
            int a = h2[k], w = L2->weights[m * L2->K + k];
            int wt = f2 ? f2->weights[m * L2->K + k] : w;
            acc += product(lut, a, wt) - za * w - zw * a + za * zw;
        }
        scores[m] = (float)((double)L2->in.scale * L2->w_scale[m] * acc);
    }
}
