#include "fitness/emu/qmath.h"

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

