#include "fitness/qmath.h"

#include <math.h>

qparams qmath_params(double lo, double hi)
{
    if (lo > 0)
        lo = 0;
    if (hi < 0)
        hi = 0;
    qparams p;
    double scale = (hi - lo) / 255.0;
    if (!(scale > 0))
        scale = 1e-8;
    /* The zero point is the code of real 0, an integer by construction. */
    double zp = round(-lo / scale);
    p.zp = (int32_t)(zp < 0 ? 0 : zp > 255 ? 255 : zp);
    p.scale = (float)scale;
    return p;
}

uint8_t qmath_quantize(qparams p, double r)
{
    double q = round(r / p.scale) + p.zp;
    return (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
}

qmult qmath_multiplier(double x)
{
    qmult m = {0, 0};
    if (!(x > 0))
        return m;
    int e;
    double frac = frexp(x, &e); /* x = frac * 2^e, frac in [0.5, 1) */
    int64_t q = (int64_t)llround(frac * 2147483648.0);
    if (q == (INT64_C(1) << 31)) { /* rounding reached 1.0 */
        q /= 2;
        e++;
    }
    m.m0 = (int32_t)q;
    m.exp = e;
    return m;
}

int32_t qmath_high_mul(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : 1 - (INT64_C(1) << 30);
    /* Division truncates toward zero; with this nudge, halves go up. */
    return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

int32_t qmath_rshift_round(int32_t x, int shift)
{
    if (shift <= 0)
        return x;
    int32_t mask = (int32_t)((UINT32_C(1) << shift) - 1u);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    /* Arithmetic shift of a negative value is implementation-defined in C;
     * floor division written out keeps it portable. */
    int32_t floor_div = x >= 0 ? x >> shift : -(int32_t)((-(int64_t)x + mask) >> shift);
    return floor_div + (remainder > threshold ? 1 : 0);
}

int32_t qmath_apply(int32_t acc, qmult m)
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
