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
 * for bit (int32 sums wrap like the reference's on real layers: K * 65535
 * stays below 2^31 for K < 32768).
 *
 * Faster kernels (the SIMD ones x86-64 only; other machines get the scalar
 * ones), all bit-exact:
 * - exact_avx2: 16-bit pairs with vpmaddwd; exact_vnni: AVX-512 VNNI
 *   vpdpbusd on 4 products at a time (activations offset by -128 to signed
 *   bytes, the offset added back as 128 * sum_k W[m][k]);
 * - table_scalar4: the reference with 4 products per update of acc (the
 *   dispatch's choice without AVX-512 VBMI); table_avx2: vpshufb over
 *   16-entry chunks of the low and high byte planes of each weight's row
 *   (listed, not dispatched: no faster than table_scalar4 on Zen 4);
 *   table_vbmi: AVX-512 VBMI vpermi2b over the same planes (4 zmm each);
 *   both sum bytes in 16-bit lanes and widen every 256 products;
 * - special tables, AVX-512 VNNI + VBMI: exact products plus a lookup of
 *   the error e[w][a] = T[w][a] - a*w - min_a(...), skipping weights
 *   whose row has no error: table_err8_vbmi where every row's error spans
 *   at most 255 (one byte plane), table_res16_vbmi where it spans at most
 *   65535 (two planes; chosen per call when at least 1/6 of the products
 *   hit exact rows).
 * Every kernel takes M, K, NP >= 1 (NP need not be a multiple of anything)
 * and a caller-owned scratch buffer of kern_scratch_size(M, K) bytes, so
 * kernels never allocate; one scratch per thread.
 *
 * Dispatch: kern_ops_best() picks, from the CPU's features, the fastest
 * implementation of each kind; it is a pure function (no cached state), so
 * threads may call it and the kernels it returns concurrently. The
 * environment variable AXSEARCH_KERNEL=scalar|avx2|avx512 caps the
 * instruction set, for tests and benchmarks; an unknown value, or one the
 * CPU lacks, falls back to the best the CPU has. */
#ifndef AX_FITNESS_EMU_KERN_H
#define AX_FITNESS_EMU_KERN_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

void kern_table_scalar(const uint16_t *T, const uint8_t *W, const uint8_t *A, int M, int K,
                       int NP, int32_t *acc);

void kern_exact_scalar(const uint8_t *W, const uint8_t *A, int M, int K, int NP, int32_t *acc);

/* A product table prepared once for every table kernel: its weight-major
 * copy, the low/high byte planes, per-row exact flags and error offsets,
 * and, when the table allows, the 8-bit or 16-bit error planes (256-384 KB
 * in all). Read only after creation: one table serves any number of
 * threads. */
typedef struct kern_table kern_table;

/* T: 65,536 entries, weight-major as above. Copied. */
kern_table *kern_table_create(const uint16_t *T, ax_err *err);
void kern_table_free(kern_table *t);
/* The weight-major table (65,536 entries). */
const uint16_t *kern_table_T(const kern_table *t);
/* 1 if T[w][a] == a * w everywhere. */
int kern_table_is_exact(const kern_table *t);
/* 1 if every row's error T[w][a] - a*w spans at most 255 (the err8
 * kernel applies). */
int kern_table_err8(const kern_table *t);
/* 1 if the table is not err8, every row's error spans at most 65535 and
 * some rows are exact (the res16 kernel applies). */
int kern_table_res16(const kern_table *t);

/* Bytes of scratch any kernel needs for M rows and K products (any NP). */
size_t kern_scratch_size(int M, int K);

typedef void kern_exact_fn(const uint8_t *W, const uint8_t *A, int M, int K, int NP, int32_t *acc,
                           void *scratch);
typedef void kern_table_fn(const kern_table *t, const uint8_t *W, const uint8_t *A, int M, int K,
                           int NP, int32_t *acc, void *scratch);

/* One implementation. Exactly one of exact / table is set. applies: for a
 * table kernel that only serves some tables, the test (else NULL). */
typedef struct kern_impl {
    const char *name; /* "exact_vnni", "table_vbmi", ... */
    const char *isa;  /* "scalar", "avx2", "avx512" */
    int supported;    /* this CPU runs it */
    int (*applies)(const kern_table *t);
    kern_exact_fn *exact;
    kern_table_fn *table;
} kern_impl;

/* Every implementation compiled in, supported or not, into out (room for
 * KERN_MAX_IMPLS); returns the count. Scalar references first. */
#define KERN_MAX_IMPLS 16
int kern_impls(kern_impl *out);

/* colsum[p] = sum_k A[k][p] over the K rows of A [K][NP] (the zero-point
 * term sum_k a of every output). */
typedef void kern_colsum_fn(const uint8_t *A, int64_t K, int64_t NP, int32_t *colsum);
void kern_colsum_scalar(const uint8_t *A, int64_t K, int64_t NP, int32_t *colsum);
/* The AVX2 version (32 columns at a time, 16-bit sums widened every 257
 * rows), or NULL on a machine or build without it: for tests. */
kern_colsum_fn *kern_colsum_avx2(void);

/* The kernels to call: table() picks among the table kernels of the
 * chosen instruction set by the table's properties. */
typedef struct kern_ops {
    const char *isa;       /* instruction set chosen */
    kern_exact_fn *exact;
    kern_table_fn *table;
    kern_colsum_fn *colsum;
} kern_ops;

kern_ops kern_ops_best(void);

/* The highest instruction set AXSEARCH_KERNEL allows: 0 scalar, 1 AVX2,
 * 2 AVX-512 (unset or unknown: 2); other SIMD code dispatches by it too. */
int kern_isa_cap(void);

#endif
