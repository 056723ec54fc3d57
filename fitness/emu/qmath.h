/* qmath: the integer arithmetic of 8-bit quantized inference, as in
 * gemmlowp / TFLite and hence TFApprox (Jacob et al., "Quantization and
 * training of neural networks for efficient integer-arithmetic-only
 * inference", CVPR 2018).
 *
 * A real value r is represented by a uint8 code q with r = scale * (q - zp).
 * A real multiplier 0 < x < 2^31 is represented as x = m0 * 2^(exp - 31)
 * with m0 an int32 in [2^30, 2^31) (Q31), so y = round(acc * x) needs only
 * integer operations, and every machine gets the same bits. */
#ifndef AX_FITNESS_EMU_QMATH_H
#define AX_FITNESS_EMU_QMATH_H

#include <stdint.h>

typedef struct qparams {
    float scale;  /* > 0 */
    int32_t zp;   /* 0..255 */
} qparams;

/* Asymmetric uint8 parameters covering [lo, hi] widened to include 0, so
 * that real 0 (padding, ReLU) is exactly a code. A degenerate range gets a
 * tiny positive scale. */
qparams qmath_params(double lo, double hi);

/* Nearest code of r under p, clamped to 0..255. */
uint8_t qmath_quantize(qparams p, double r);

typedef struct qmult {
    int32_t m0;  /* Q31 mantissa in [2^30, 2^31), or 0 for x = 0 */
    int exp;     /* x = m0 * 2^(exp - 31) */
} qmult;

/* Decomposes a real multiplier 0 <= x < 2^31. */
qmult qmath_multiplier(double x);

/* The three below run for every output value of the emulator, so they are
 * inline. */

/* round(a * b / 2^31), ties rounded up (toward +infinity), saturating the
 * one overflow case a = b = INT32_MIN (gemmlowp's
 * SaturatingRoundingDoublingHighMul, bit for bit). */
static inline int32_t qmath_high_mul(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : 1 - (INT64_C(1) << 30);
    /* Division truncates toward zero; with this nudge, halves go up. */
    return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

/* round(x / 2^shift), ties away from zero (gemmlowp's
 * RoundingDivideByPOT), 0 <= shift <= 31. */
_Static_assert((-3 >> 1) == -2, "right shift of negative integers must be arithmetic");

static inline int32_t qmath_rshift_round(int32_t x, int shift)
{
    if (shift <= 0)
        return x;
    int32_t mask = (int32_t)((UINT32_C(1) << shift) - 1u);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0);
    /* x >> shift is floor division: the right shift of a negative value is
     * implementation-defined in C, arithmetic on every compiler we build
     * with (checked at compile time below). */
    return (x >> shift) + (remainder > threshold);
}

/* round(acc * x) for the multiplier m: a left shift for exp > 0, the Q31
 * product, then a rounding right shift for exp < 0 (TFLite's
 * MultiplyByQuantizedMultiplier). */
static inline int32_t qmath_apply(int32_t acc, qmult m)
{
    if (m.m0 == 0)
        return 0;
    int left = m.exp > 0 ? m.exp : 0, right = m.exp > 0 ? 0 : -m.exp;
    int64_t shifted = (int64_t)acc * ((int64_t)1 << left);
    if (shifted > INT32_MAX)
        shifted = INT32_MAX;
    if (shifted < INT32_MIN)
        shifted = INT32_MIN;
    return qmath_rshift_round(qmath_high_mul((int32_t)shifted, m.m0), right > 31 ? 31 : right);
}

#endif
