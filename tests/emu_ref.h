/* emu_ref: a small quantized network and a plain reference for it, shared
 * by the emulator and recovery tests. The reference is written
 * independently of fitness/emu/: direct convolution loops over codes,
 *     sum over (c, r, s) of product(a, w') - z_a w - z_w a + z_a z_w + bias,
 * where w' is the stored weight (a recovery fix's tuned code, or w) and w
 * the layer's own weight, then the requantization of docs/emulator.md.
 * Test support only. */
#ifndef AX_TESTS_EMU_REF_H
#define AX_TESTS_EMU_REF_H

#include <stdint.h>

#include "fitness/emu/emu.h"
#include "fitness/emu/qnet.h"
#include "fitness/net/graph.h"
#include "util/pcg.h"

/* The second conv of the network: conv(4 channels, 3x3, pad 1) + ReLU on a
 * 10x10 input, then this conv, then Flatten and a Gemm to 5 scores. */
typedef struct emu_ref_case {
    int stride, pad, dilation, group, out_ch, kernel;
} emu_ref_case;

/* The float graph (random weights from the case's own stream); *hw_out =
 * the second conv's output side. NULL if the import fails. */
graph *emu_ref_net(const emu_ref_case *cc, int *hw_out);

/* Fills px with n random 10x10 images from rng and quantizes g calibrated
 * on them; NULL on failure. */
qnet *emu_ref_build_on_noise(const graph *g, pcg32 *rng, uint8_t *px, int n);

/* One MAC layer over codes x [C][H][W] into v [M][P][Q] (int32 before
 * requantization); lut NULL: exact products; fx NULL: own weights/bias. */
void emu_ref_conv(const qnet_layer *L, const uint8_t *x, int64_t H, int64_t W, const uint16_t *lut,
                  const emu_layer_fix *fx, int32_t *v);

/* One image through conv1 -> conv2 -> fc (the network of emu_ref_net):
 * scores [5]; fixes [3] or NULL. h1 [4][10][10] and h2 [fc inputs] (may
 * be NULL) get the second conv's and the fc's input codes. */
void emu_ref_scores(const qnet *q, const uint8_t *pixels, const uint16_t *lut, const emu_layer_fix *const *fixes,
                    uint8_t *h1, uint8_t *h2, float *scores);

#endif
