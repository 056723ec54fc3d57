/* qnet: a float graph (fitness/net/graph.h) quantized to the TFApprox-compatible
 * 8-bit arithmetic of docs/emulator.md, ready for the emulator
 * (fitness/emu/emu.h).
 *
 * Post-training quantization:
 * - activations: uint8 with one (scale, zero point) per tensor, from the
 *   min/max each tensor takes on the calibration images (float executor),
 *   widened to include 0 so that padding and ReLU's 0 are exact codes;
 * - weights: uint8 with one (scale, zero point) per output channel, from
 *   the channel's min/max; bias: int32 in units of s_in * s_w[m];
 * - MAC layers (Conv incl. grouped/depthwise, canonical Gemm): int32
 *   accumulation of lut[a][w] over the raw codes, exact zero-point terms
 *       acc = sum lut[a][w] - z_a sum w - z_w[m] sum a + K z_a z_w[m] + bias,
 *   then integer requantization (qmath_apply: Q31 multiplier s_in s_w[m] /
 *   s_out and rounding shift) and the clamp of a fused ReLU or Clip (a
 *   ReLU/Clip that is the conv's only reader is fused; BatchNormalization is
 *   already folded into the conv weights by the importer);
 * - the last MAC layer (whose output, possibly through a Softmax or a
 *   Reshape, is the graph output) is not requantized: its scores are the
 *   int32 sums times s_in s_w[m] in double, so top-1 is not blurred by an
 *   8-bit output (Softmax does not change the arg max and is skipped);
 * - residual Add: TFLite's integer scheme (inputs shifted left by 20,
 *   rescaled by Q31 multipliers, summed, requantized), with a fused ReLU;
 * - MaxPool, AveragePool, GlobalAveragePool, Reshape/Flatten and constant
 *   Pad work on codes and keep their input's parameters (average with
 *   rounding division); standalone ReLU/Clip/BatchNormalization and the
 *   inputs of a Concat are code-to-code tables per channel.
 * Everything that runs per image is integer; the few floating-point
 * computations (scales, multipliers, tables) happen once, here.
 *
 * Network input: raw pixels are mapped to input codes through a 256-entry
 * table per input channel, code = quantize((pixel / 255 - mean_c) / std_c)
 * (graph_input_norm), all channels on one scale and zero point: those of
 * the union of the channels' ranges (a single-channel input keeps exactly
 * its own range).
 *
 * Layouts: activations per image are the graph's NCHW without N, uint8
 * codes. A MAC layer's weights are [M][K] codes, K = C/group * R * S in the
 * order (c, r, s) of the ONNX weight [M][C/group][R][S]. */
#ifndef AX_FITNESS_EMU_QNET_H
#define AX_FITNESS_EMU_QNET_H

#include <stdint.h>

#include "fitness/net/graph.h"
#include "fitness/emu/qmath.h"
#include "util/err.h"

typedef struct qnet qnet;

/* One MAC layer as the emulator and the accelerator model see it. */
typedef struct qnet_layer {
    graph_mac_layer shape;  /* N = 1 (per image), M, C (per group), P, Q, R, S, ... */
    int K;                  /* C * R * S: products per output value */
    qparams in, out;        /* out unused when final */
    const uint8_t *weights; /* [M][K] codes */
    const int32_t *w_zp;    /* [M] weight zero points */
    const float *w_scale;   /* [M] weight scales */
    const int32_t *w_sum;   /* [M] sum over k of the weight codes */
    const int32_t *bias;    /* [M] int32 bias */
    const qmult *requant;   /* [M] s_in s_w[m] / s_out */
    int32_t clamp_lo, clamp_hi; /* output code range (fused ReLU/Clip) */
    int final;              /* 1: output is the network's scores */
    const char *name;       /* the ONNX node's name (may be "") */
} qnet_layer;

typedef struct qnet_options {
    int threads; /* for calibration; 0 = OpenMP default */
} qnet_options;

/* Quantizes g (a batched graph with one input [N][C][H][W] or [N][H][W] or
 * [N][H*W] and one output [N][classes]), calibrating on n_calib images of
 * raw pixels [n_calib][C*H*W] (uint8, the input's layout). Operators or shapes the emulator
 * cannot run are AX_EINPUT naming the node. */
int qnet_build(const graph *g, const uint8_t *calib_pixels, int64_t n_calib,
               const qnet_options *opts, qnet **out, ax_err *err);
void qnet_free(qnet *q);

int qnet_n_layers(const qnet *q);
const qnet_layer *qnet_layer_info(const qnet *q, int layer);
int64_t qnet_image_pixels(const qnet *q); /* C * H * W values per image */
int qnet_classes(const qnet *q);
int64_t qnet_macs_per_image(const qnet *q);
/* The input codes of n images of raw pixels ([n][C*H*W] uint8, the
 * input's layout) into codes (same layout). */
void qnet_pixel_codes(const qnet *q, const uint8_t *pixels, int64_t n, uint8_t *codes);

/* ---- for the emulator: the operation list --------------------------------
 * Each op reads one or two code tensors and writes one; tensors are
 * numbered 0..n_tensors-1, tensor 0 is the network input. */
typedef enum qop_kind {
    QOP_MAC,     /* layer: conv / gemm */
    QOP_ADD,     /* in[0] + in[1] */
    QOP_MAXPOOL,
    QOP_AVGPOOL, /* also GlobalAveragePool (window = whole image) */
    QOP_PAD,
    QOP_TABLE,   /* per-channel code -> code table */
    QOP_CONCAT,  /* along the channel axis, per-input tables */
    QOP_ALIAS    /* Reshape/Flatten/Softmax: output shares input's codes */
} qop_kind;

typedef struct qop {
    qop_kind kind;
    int in[2], out;    /* tensor ids; in[1] = -1 when unused */
    int layer;         /* QOP_MAC: index into the layers */
    graph_window win;  /* pools */
    int count_include_pad;
    int64_t pads[8];   /* QOP_PAD: begin C,H,W then end C,H,W (per-image axes) */
    uint8_t pad_code;
    qmult add_a, add_b, add_out; /* QOP_ADD */
    int32_t clamp_lo, clamp_hi;  /* QOP_ADD */
    const uint8_t *table;        /* QOP_TABLE: [channels][256]; QOP_CONCAT: [n_in][256] */
    int n_in;                    /* QOP_CONCAT inputs */
    const int *ins;              /* QOP_CONCAT input tensors */
    int table_channels;          /* QOP_TABLE: rows of the table (1 = same for all) */
} qop;

typedef struct qtensor_info {
    int rank;               /* per image, without N */
    int64_t dims[4];        /* C, H, W (rank 3) or features (rank 1) */
    int64_t numel;          /* per image */
    qparams q;
    int alias;              /* tensor whose buffer this one shares, or -1 */
} qtensor_info;

int qnet_n_ops(const qnet *q);
const qop *qnet_op(const qnet *q, int i);
int qnet_n_tensors(const qnet *q);
const qtensor_info *qnet_tensor(const qnet *q, int t);
/* The tensor holding the scores (floats for a final MAC layer, else codes
 * to dequantize with its parameters). */
int qnet_output_tensor(const qnet *q);

#endif
