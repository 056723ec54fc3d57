#include "fitness/emu/requant.h"

#include <stddef.h>

#include "fitness/emu/kern.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RQ_X86 1
#include <immintrin.h>
#else
#define RQ_X86 0
#endif

void rq_scalar(const int32_t *acc, const int32_t *colsum, int64_t n, const rq_params *p, uint8_t *out)
{
    for (int64_t i = 0; i < n; i++) {
        int32_t code = p->zo + qmath_apply(acc[i] + p->base - p->zw * colsum[i], p->m);
        out[i] = (uint8_t)(code < p->lo ? p->lo : code > p->hi ? p->hi : code);
    }
}

#if RQ_X86
/* The Q31 product round(v * m0 / 2^31), ties up, is floor((v m0 + 2^30) /
 * 2^31) (qmath_high_mul: m0 > 0, so no saturation), whose low 32 bits are
 * bits 31..62 of the 64-bit sum: even lanes shifted right by 31, odd lanes
 * left by 1, then blended. The rounding right shift is qmath_rshift_round
 * without branches: floor(h / 2^r) + (h mod 2^r > (2^r - 1) / 2 + (h < 0)). */
__attribute__((target("avx2"))) static void rq_avx2(const int32_t *acc, const int32_t *colsum, int64_t n,
                                                    const rq_params *p, uint8_t *out)
{
    if (p->m.m0 == 0 || p->m.exp > 0) {
        rq_scalar(acc, colsum, n, p, out);
        return;
    }
    int right = -p->m.exp > 31 ? 31 : -p->m.exp;
    const __m256i base = _mm256_set1_epi32(p->base), zw = _mm256_set1_epi32(p->zw);
    const __m256i m0 = _mm256_set1_epi32(p->m.m0), nudge = _mm256_set1_epi64x(INT64_C(1) << 30);
    const __m256i mask = _mm256_set1_epi32((int32_t)((UINT32_C(1) << right) - 1u));
    const __m256i half = _mm256_srli_epi32(mask, 1);
    const __m128i shift = _mm_cvtsi32_si128(right);
    const __m256i zo = _mm256_set1_epi32(p->zo), lo = _mm256_set1_epi32(p->lo), hi = _mm256_set1_epi32(p->hi);
    const __m256i gather = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(acc + i));
        __m256i c = _mm256_loadu_si256((const __m256i *)(const void *)(colsum + i));
        __m256i v = _mm256_sub_epi32(_mm256_add_epi32(a, base), _mm256_mullo_epi32(zw, c));
        __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(v, m0), nudge);
        __m256i po = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(v, 32), m0), nudge);
        __m256i h = _mm256_blend_epi32(_mm256_srli_epi64(pe, 31), _mm256_slli_epi64(po, 1), 0xAA);
        __m256i rem = _mm256_and_si256(h, mask);
        __m256i thr = _mm256_sub_epi32(half, _mm256_srai_epi32(h, 31));
        __m256i r = _mm256_sub_epi32(_mm256_sra_epi32(h, shift), _mm256_cmpgt_epi32(rem, thr));
        r = _mm256_max_epi32(_mm256_min_epi32(_mm256_add_epi32(r, zo), hi), lo);
        /* 8 values in 0..255 to bytes: per 128-bit lane, dword 0 holds 4 */
        __m256i b = _mm256_packus_epi16(_mm256_packus_epi32(r, r), _mm256_setzero_si256());
        b = _mm256_permutevar8x32_epi32(b, gather);
        _mm_storel_epi64((__m128i *)(void *)(out + i), _mm256_castsi256_si128(b));
    }
    rq_scalar(acc + i, colsum + i, n - i, p, out + i);
}
#endif

int rq_impls(rq_impl *out)
{
    int n = 0;
    out[n++] = (rq_impl){"rq_scalar", 1, rq_scalar};
#if RQ_X86
    out[n++] = (rq_impl){"rq_avx2", __builtin_cpu_supports("avx2"), rq_avx2};
#endif
    return n;
}

rq_fn *rq_best(void)
{
#if RQ_X86
    if (kern_isa_cap() >= 1 && __builtin_cpu_supports("avx2"))
        return rq_avx2;
#endif
    return rq_scalar;
}
