/* requant: a MAC layer's int32 sums to uint8 codes, over a run of n outputs
 * of one output channel (fitness/emu/qmath.h's arithmetic, bit for bit):
 *
 *   out[i] = clamp(zo + qmath_apply(acc[i] + base - zw * colsum[i], m), lo, hi)
 *
 * acc: the kernel's sums; colsum: the sums of the activation codes each
 * output read (the zero-point term); base: bias - z_a sum w + K z_a z_w.
 * The scalar version is the reference; the AVX2 one (8 outputs per step,
 * the Q31 product in 64-bit lanes) equals it on every input, which
 * tests/test_requant.c checks on random and extreme values. It takes the
 * scalar path for a multiplier of 1 or more (a left shift, rare) and for
 * the tail of a run. Dispatch follows the CPU and AXSEARCH_KERNEL, as the
 * MAC kernels' (fitness/emu/kern.h). */
#ifndef AX_FITNESS_EMU_REQUANT_H
#define AX_FITNESS_EMU_REQUANT_H

#include <stdint.h>

#include "fitness/emu/qmath.h"

typedef struct rq_params {
    int32_t base, zw; /* the sum's constant term, the weight zero point */
    qmult m;          /* the requantization multiplier */
    int32_t zo;       /* the output zero point */
    int32_t lo, hi;   /* the clamp, 0 <= lo <= hi <= 255 (fused ReLU/Clip) */
} rq_params;

typedef void rq_fn(const int32_t *acc, const int32_t *colsum, int64_t n, const rq_params *p, uint8_t *out);

void rq_scalar(const int32_t *acc, const int32_t *colsum, int64_t n, const rq_params *p, uint8_t *out);

/* One implementation (for tests and benchmarks). */
typedef struct rq_impl {
    const char *name; /* "rq_scalar", "rq_avx2" */
    int supported;    /* this CPU runs it */
    rq_fn *fn;
} rq_impl;

/* Every implementation compiled in, the scalar one first; returns the
 * count (at most RQ_MAX_IMPLS). */
#define RQ_MAX_IMPLS 4
int rq_impls(rq_impl *out);

/* The fastest implementation this CPU runs within AXSEARCH_KERNEL's cap. */
rq_fn *rq_best(void);

#endif
