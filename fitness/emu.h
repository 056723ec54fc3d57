/* emu: the approximate emulator. Runs a quantized network (fitness/qnet.h)
 * on raw images with a chosen product table in every MAC layer.
 *
 * Images are processed in blocks; a block runs through the whole network on
 * one thread, each MAC layer lowered to a GEMM over the block (im2col,
 * fitness/kern.h). Blocks are spread over OpenMP threads. Every image's
 * result depends only on that image, the network and the tables, so results
 * are identical for any thread count and block size.
 *
 * With the exact table (or none) a layer computes exactly the plain int8
 * result: sum (a - z_a)(w - z_w) + bias, requantized. */
#ifndef AX_FITNESS_EMU_H
#define AX_FITNESS_EMU_H

#include <stdint.h>

#include "fitness/qnet.h"
#include "util/err.h"

/* A product table prepared for the kernels (transposed copy, properties). */
typedef struct emu_table emu_table;

/* lut: 65,536 products, entry a * 256 + w (a = activation code, w = weight
 * code), as the multiplier library and TFApprox files hold them. Copied. */
emu_table *emu_table_create(const uint16_t *lut, ax_err *err);
void emu_table_free(emu_table *t);
/* 1 if the table is exact multiplication (the exact kernel is used). */
int emu_table_is_exact(const emu_table *t);

typedef struct emu_options {
    /* [n_layers] tables, one per MAC layer; NULL (the array or an entry)
     * means exact multiplication. Not owned. */
    const emu_table *const *tables;
    int threads; /* OpenMP threads; 0 = the OpenMP default */
    int block;   /* images per block; 0 = 16 */
} emu_options;

/* Scores of n images (pixels [n][H*W], uint8) into scores [n][classes]. */
int emu_run(const qnet *q, const uint8_t *pixels, int64_t n, const emu_options *o, float *scores,
            ax_err *err);

/* Number of images whose highest score (first on ties) is their label. */
int emu_top1(const qnet *q, const uint8_t *pixels, const uint8_t *labels, int64_t n,
             const emu_options *o, int64_t *correct, ax_err *err);

#endif
