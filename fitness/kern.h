/* kern: the inner products of a MAC layer lowered to a GEMM over a block of
 * images, the emulator's hot loop.
 *
 *   acc[m][p] = sum_k  T[ W[m][k] ][ A[k][p] ]     (table kernels)
 *   acc[m][p] = sum_k  W[m][k] * A[k][p]           (exact kernels)
 *
 * W [M][K]: one layer's weight codes (a row per output channel); A [K][NP]:
 * activation codes, one row per product index k (c, r, s) and one column
 * per output pixel of the block (im2col); acc [M][NP] int32. T is a
 * multiplier's product table transposed to weight-major order,
 * T[w * 256 + a] = lut[a * 256 + w], so that one weight's 256 products are
 * one contiguous row that serves a whole row of activations.
 *
 * The scalar kernels are the reference every faster kernel must match bit
 * for bit. */
#ifndef AX_FITNESS_KERN_H
#define AX_FITNESS_KERN_H

#include <stdint.h>

void kern_table_scalar(const uint16_t *T, const uint8_t *W, const uint8_t *A, int M, int K,
                       int NP, int32_t *acc);

void kern_exact_scalar(const uint8_t *W, const uint8_t *A, int M, int K, int NP, int32_t *acc);

#endif
