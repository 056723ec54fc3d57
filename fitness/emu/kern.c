#include "fitness/emu/kern.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define KERN_X86 1
#include <immintrin.h>
#else
#define KERN_X86 0
#endif

/* ------------------------------------------------------- scalar reference */

void kern_table_scalar(const uint16_t *T, const uint8_t *W, const uint8_t *A, int M, int K,
                       int NP, int32_t *acc)
{
    for (int m = 0; m < M; m++) {
        int32_t *out = acc + (size_t)m * NP;
        memset(out, 0, (size_t)NP * sizeof *out);
        for (int k = 0; k < K; k++) {
            const uint16_t *row = T + (size_t)W[(size_t)m * K + k] * 256;
            const uint8_t *a = A + (size_t)k * NP;
            for (int p = 0; p < NP; p++)
                out[p] += row[a[p]];
        }
    }
}

void kern_colsum_scalar(const uint8_t *A, int64_t K, int64_t NP, int32_t *colsum)
{
    enum { CHUNK = 64 };
    int64_t p0 = 0;
    for (; p0 + CHUNK <= NP; p0 += CHUNK) {
        int32_t acc[CHUNK] = {0};
        for (int64_t k = 0; k < K; k++) {
            const uint8_t *row = A + k * NP + p0;
            for (int j = 0; j < CHUNK; j++)
                acc[j] += row[j];
        }
        memcpy(colsum + p0, acc, sizeof acc);
    }
    for (int64_t p = p0; p < NP; p++) {
        int32_t sum = 0;
        for (int64_t k = 0; k < K; k++)
            sum += A[k * NP + p];
        colsum[p] = sum;
    }
}

void kern_exact_scalar(const uint8_t *W, const uint8_t *A, int M, int K, int NP, int32_t *acc)
{
    for (int m = 0; m < M; m++) {
        int32_t *out = acc + (size_t)m * NP;
        memset(out, 0, (size_t)NP * sizeof *out);
        for (int k = 0; k < K; k++) {
            int32_t w = W[(size_t)m * K + k];
            const uint8_t *a = A + (size_t)k * NP;
            for (int p = 0; p < NP; p++)
                out[p] += w * a[p];
        }
    }
}

/* --------------------------------------------------------- prepared table */

struct kern_table {
    uint16_t *T;      /* [65536], weight-major */
    uint8_t *planes;  /* [256][512], 64-byte aligned: row w holds the low bytes of T[w][0..255],
                         then the high bytes */
    /* Errors e[w][a] = T[w][a] - a*w - off[w], off[w] = min over a: */
    uint8_t *err;     /* [256][256], 64-byte aligned, if err8: e in 8 bits */
    uint8_t *res16;   /* [256][512] as planes, if no err8 but e fits 16 bits and some rows are
                         exact; else NULL */
    int32_t off[256];
    uint8_t row_exact[256]; /* row w has T[w][a] == a*w for every a */
    int exact, err8;
};

static void *alloc64(size_t n)
{
    return aligned_alloc(64, (n + 63) / 64 * 64);
}

/* 16-bit values v[w][a] into byte planes [w][lo 256 | hi 256]. */
static void split_planes(const int32_t *v, uint8_t *planes)
{
    for (int w = 0; w < 256; w++)
        for (int a = 0; a < 256; a++) {
            planes[w * 512 + a] = (uint8_t)(v[w * 256 + a] & 0xFF);
            planes[w * 512 + 256 + a] = (uint8_t)((v[w * 256 + a] >> 8) & 0xFF);
        }
}

kern_table *kern_table_create(const uint16_t *T, ax_err *err)
{
    kern_table *t = calloc(1, sizeof *t);
    int32_t *v = malloc(65536 * sizeof *v);
    if (t) {
        t->T = malloc(65536 * sizeof *t->T);
        t->planes = alloc64(256 * 512);
    }
    if (!t || !v || !t->T || !t->planes) {
        free(v);
        kern_table_free(t);
        ax_fail(err, AX_EINTERNAL, "kern: out of memory preparing a product table");
        return NULL;
    }
    memcpy(t->T, T, 65536 * sizeof *T);
    for (int e = 0; e < 65536; e++)
        v[e] = T[e];
    split_planes(v, t->planes);
    int32_t range = 0;
    int exact_rows = 0;
    t->exact = 1;
    for (int w = 0; w < 256; w++) {
        int32_t lo = INT32_MAX, hi = INT32_MIN;
        for (int a = 0; a < 256; a++) {
            int32_t e = (int32_t)T[w * 256 + a] - a * w;
            lo = e < lo ? e : lo;
            hi = e > hi ? e : hi;
        }
        t->row_exact[w] = lo == 0 && hi == 0;
        t->exact &= t->row_exact[w];
        exact_rows += t->row_exact[w];
        t->off[w] = lo;
        range = hi - lo > range ? hi - lo : range;
        for (int a = 0; a < 256; a++)
            v[w * 256 + a] = (int32_t)T[w * 256 + a] - a * w - lo;
    }
    t->err8 = range <= 255;
    int ok = 1;
    if (t->err8 && (ok = (t->err = alloc64(256 * 256)) != NULL))
        for (int e = 0; e < 65536; e++)
            t->err[e] = (uint8_t)v[e];
    if (!t->err8 && range <= 65535 && exact_rows > 0 && (ok = (t->res16 = alloc64(256 * 512)) != NULL))
        split_planes(v, t->res16);
    free(v);
    if (!ok) {
        kern_table_free(t);
        ax_fail(err, AX_EINTERNAL, "kern: out of memory preparing a product table");
        return NULL;
    }
    return t;
}

void kern_table_free(kern_table *t)
{
    if (!t)
        return;
    free(t->T);
    free(t->planes);
    free(t->err);
    free(t->res16);
    free(t);
}

const uint16_t *kern_table_T(const kern_table *t)
{
    return t->T;
}

int kern_table_is_exact(const kern_table *t)
{
    return t->exact;
}

int kern_table_err8(const kern_table *t)
{
    return t->err8;
}

int kern_table_res16(const kern_table *t)
{
    return t->res16 != NULL;
}

/* ---------------------------------------------------------------- scratch */

/* Rows of W whose lookup lists are built at a time (VBMI kernels). */
#define LIST_ROWS 16

/* Scratch regions, each 64-byte aligned:
 *   wpack: weights regrouped for the exact kernels, [M'][ceil(K/4)*4] bytes
 *          (VNNI) or [M'][ceil(K/2)] uint32 pairs (AVX2), M' = M rounded
 *          up to a register tile (at most M + 8);
 *   init:  [M'] int32 initial sums;
 *   bias:  [M'] int32 offsets added by the exact kernels;
 *   apack: one column tile of activations regrouped, at most (K+4)*64
 *          bytes (VNNI: [K/4][64 columns][4]; AVX2 exact: [K/2][32][2]
 *          uint16; AVX2 table: [K][32]);
 *   lists: [LIST_ROWS][K] uint32 indices k of the products to look up. */
typedef struct scratch_map {
    uint8_t *wpack;
    int32_t *init;
    int32_t *bias;
    uint8_t *apack;
    uint32_t *lists;
} scratch_map;

static size_t up64(size_t n)
{
    return (n + 63) / 64 * 64;
}

size_t kern_scratch_size(int M, int K)
{
    size_t m = (size_t)(M > 0 ? M : 1), k = (size_t)(K > 0 ? K : 1);
    return 64 + up64((m + 8) * (k + 4) * 2) + 2 * up64((m + 8) * 4) + up64((k + 4) * 64) + up64(LIST_ROWS * k * 4);
}

/* Scalar entries of the implementation list (scratch unused). */
static void exact_scalar_fn(const uint8_t *W, const uint8_t *A, int M, int K, int NP, int32_t *acc,
                            void *scratch)
{
    (void)scratch;
    kern_exact_scalar(W, A, M, K, NP, acc);
}

static void table_scalar_fn(const kern_table *t, const uint8_t *W, const uint8_t *A, int M, int K,
                            int NP, int32_t *acc, void *scratch)
{
    (void)scratch;
    kern_table_scalar(t->T, W, A, M, K, NP, acc);
}

/* The scalar reference with 4 products per output update: a quarter of the
 * loads and stores of acc (about 2x the reference). */
static void table_scalar4(const kern_table *t, const uint8_t *W, const uint8_t *A, int M, int K,
                          int NP, int32_t *acc, void *scratch)
{
    (void)scratch;
    for (int m = 0; m < M; m++) {
        int32_t *out = acc + (size_t)m * NP;
        memset(out, 0, (size_t)NP * sizeof *out);
        const uint8_t *wrow = W + (size_t)m * K;
        int k = 0;
        for (; k + 4 <= K; k += 4) {
            const uint16_t *r0 = t->T + (size_t)wrow[k] * 256, *r1 = t->T + (size_t)wrow[k + 1] * 256;
            const uint16_t *r2 = t->T + (size_t)wrow[k + 2] * 256, *r3 = t->T + (size_t)wrow[k + 3] * 256;
            const uint8_t *a0 = A + (size_t)k * NP, *a1 = a0 + NP, *a2 = a1 + NP, *a3 = a2 + NP;
            for (int p = 0; p < NP; p++)
                out[p] += r0[a0[p]] + r1[a1[p]] + r2[a2[p]] + r3[a3[p]];
        }
        for (; k < K; k++) {
            const uint16_t *r0 = t->T + (size_t)wrow[k] * 256;
            const uint8_t *a0 = A + (size_t)k * NP;
            for (int p = 0; p < NP; p++)
                out[p] += r0[a0[p]];
        }
    }
}

static void table_auto_scalar(const kern_table *t, const uint8_t *W, const uint8_t *A, int M,
                              int K, int NP, int32_t *acc, void *scratch)
{
    if (t->exact)
        exact_scalar_fn(W, A, M, K, NP, acc, scratch);
    else
        table_scalar4(t, W, A, M, K, NP, acc, scratch);
}

#if KERN_X86

static scratch_map scratch_split(void *s, int M, int K)
{
    size_t m = (size_t)M, k = (size_t)K;
    uint8_t *p = (uint8_t *)(((uintptr_t)s + 63) & ~(uintptr_t)63);
    scratch_map r;
    r.wpack = p;
    p += up64((m + 8) * (k + 4) * 2);
    r.init = (int32_t *)(void *)p;
    p += up64((m + 8) * 4);
    r.bias = (int32_t *)(void *)p;
    p += up64((m + 8) * 4);
    r.apack = p;
    p += up64((k + 4) * 64);
    r.lists = (uint32_t *)(void *)p;
    return r;
}

#define TGT_AVX2 __attribute__((target("avx2")))
#define TGT_BW __attribute__((target("avx2,avx512f,avx512bw")))
#define TGT_VNNI __attribute__((target("avx2,avx512f,avx512bw,avx512vnni")))
#define TGT_VBMI __attribute__((target("avx2,avx512f,avx512bw,avx512vbmi")))
#define TGT_512 __attribute__((target("avx2,avx512f,avx512bw,avx512vbmi,avx512vnni")))
#define INLINE static inline __attribute__((always_inline))

/* ------------------------------------------------------------ AVX2 exact */

/* Column tile of the AVX2 kernels: 4 ymm of 8 int32 lanes. */
#define AVX2_NC 32
#define AVX2_MR 3

/* A [K][NP] columns p0.. (nc of them) into apack [ceil(K/2)][32][2] uint16:
 * column p's lane holds a[2h][p] | a[2h+1][p] << 16, zero past K and nc. */
TGT_AVX2 static void avx2_pack_pairs(const uint8_t *A, int K, int NP, int p0, int nc,
                                     uint16_t *apack)
{
    int Kh = (K + 1) / 2;
    uint8_t r0[AVX2_NC], r1[AVX2_NC];
    for (int h = 0; h < Kh; h++) {
        const uint8_t *s0 = A + (size_t)(2 * h) * NP + p0;
        const uint8_t *s1 = 2 * h + 1 < K ? s0 + NP : NULL;
        __m128i x0[2], x1[2];
        if (nc == AVX2_NC) {
            x0[0] = _mm_loadu_si128((const __m128i *)(const void *)s0);
            x0[1] = _mm_loadu_si128((const __m128i *)(const void *)(s0 + 16));
        } else {
            memset(r0, 0, sizeof r0);
            memcpy(r0, s0, (size_t)nc);
            x0[0] = _mm_loadu_si128((const __m128i *)(const void *)r0);
            x0[1] = _mm_loadu_si128((const __m128i *)(const void *)(r0 + 16));
        }
        if (!s1) {
            x1[0] = x1[1] = _mm_setzero_si128();
        } else if (nc == AVX2_NC) {
            x1[0] = _mm_loadu_si128((const __m128i *)(const void *)s1);
            x1[1] = _mm_loadu_si128((const __m128i *)(const void *)(s1 + 16));
        } else {
            memset(r1, 0, sizeof r1);
            memcpy(r1, s1, (size_t)nc);
            x1[0] = _mm_loadu_si128((const __m128i *)(const void *)r1);
            x1[1] = _mm_loadu_si128((const __m128i *)(const void *)(r1 + 16));
        }
        uint16_t *d = apack + (size_t)h * AVX2_NC * 2;
        for (int i = 0; i < 2; i++) {
            __m128i lo = _mm_unpacklo_epi8(x0[i], x1[i]), hi = _mm_unpackhi_epi8(x0[i], x1[i]);
            _mm256_store_si256((__m256i *)(void *)(d + 32 * i), _mm256_cvtepu8_epi16(lo));
            _mm256_store_si256((__m256i *)(void *)(d + 32 * i + 16), _mm256_cvtepu8_epi16(hi));
        }
    }
}

/* Rows m..m+2 of a 32-column tile: 12 ymm accumulators, 2 products per
 * lane per vpmaddwd. wp: the 3 rows' weight pairs (row stride Kh); out: 3
 * rows of 32, row stride ldo. */
TGT_AVX2 static void avx2_tile3(const uint32_t *wp, int Kh, const uint16_t *ap, int32_t *out,
                                size_t ldo)
{
    __m256i c00 = _mm256_setzero_si256(), c01 = c00, c02 = c00, c03 = c00;
    __m256i c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    for (int h = 0; h < Kh; h++) {
        const __m256i *a = (const __m256i *)(const void *)(ap + (size_t)h * AVX2_NC * 2);
        __m256i a0 = _mm256_load_si256(a), a1 = _mm256_load_si256(a + 1);
        __m256i a2 = _mm256_load_si256(a + 2), a3 = _mm256_load_si256(a + 3);
#define AVX2_ROW(i)                                                                                \
    {                                                                                              \
        __m256i b = _mm256_set1_epi32((int)wp[(size_t)(i) * Kh + h]);                             \
        c##i##0 = _mm256_add_epi32(c##i##0, _mm256_madd_epi16(b, a0));                             \
        c##i##1 = _mm256_add_epi32(c##i##1, _mm256_madd_epi16(b, a1));                             \
        c##i##2 = _mm256_add_epi32(c##i##2, _mm256_madd_epi16(b, a2));                             \
        c##i##3 = _mm256_add_epi32(c##i##3, _mm256_madd_epi16(b, a3));                             \
    }
        AVX2_ROW(0) AVX2_ROW(1) AVX2_ROW(2)
#undef AVX2_ROW
    }
#define AVX2_STORE(i)                                                                              \
    _mm256_storeu_si256((__m256i *)(void *)(out + (i) * ldo), c##i##0);                            \
    _mm256_storeu_si256((__m256i *)(void *)(out + (i) * ldo + 8), c##i##1);                        \
    _mm256_storeu_si256((__m256i *)(void *)(out + (i) * ldo + 16), c##i##2);                       \
    _mm256_storeu_si256((__m256i *)(void *)(out + (i) * ldo + 24), c##i##3);
    AVX2_STORE(0) AVX2_STORE(1) AVX2_STORE(2)
#undef AVX2_STORE
}

TGT_AVX2 static void exact_avx2(const uint8_t *W, const uint8_t *A, int M, int K, int NP,
                                int32_t *acc, void *scratch)
{
    scratch_map s = scratch_split(scratch, M, K);
    int Kh = (K + 1) / 2;
    uint32_t *wp = (uint32_t *)(void *)s.wpack;
    /* Rows past M (up to a whole tile) get zero weights. */
    int Mp = (M + AVX2_MR - 1) / AVX2_MR * AVX2_MR;
    for (int m = 0; m < Mp; m++)
        for (int h = 0; h < Kh; h++) {
            uint32_t w0 = m < M ? W[(size_t)m * K + 2 * h] : 0;
            uint32_t w1 = m < M && 2 * h + 1 < K ? W[(size_t)m * K + 2 * h + 1] : 0;
            wp[(size_t)m * Kh + h] = w0 | w1 << 16;
        }
    uint16_t *ap = (uint16_t *)(void *)s.apack;
    /* Partial tiles go through tmp, as in the VNNI kernel. */
    int32_t tmp[AVX2_MR * AVX2_NC];
    for (int p0 = 0; p0 < NP; p0 += AVX2_NC) {
        int nc = NP - p0 < AVX2_NC ? NP - p0 : AVX2_NC;
        avx2_pack_pairs(A, K, NP, p0, nc, ap);
        for (int m = 0; m < M; m += AVX2_MR) {
            if (nc == AVX2_NC && m + AVX2_MR <= M) {
                avx2_tile3(wp + (size_t)m * Kh, Kh, ap, acc + (size_t)m * NP + p0, (size_t)NP);
                continue;
            }
            avx2_tile3(wp + (size_t)m * Kh, Kh, ap, tmp, AVX2_NC);
            for (int i = 0; i < AVX2_MR && m + i < M; i++)
                memcpy(acc + (size_t)(m + i) * NP + p0, tmp + i * AVX2_NC, (size_t)nc * sizeof *tmp);
        }
    }
}

/* ----------------------------------------------------------- AVX2 table */

/* Each byte plane's 256 entries as 16 chunks of 16 looked up by the low
 * nibble (vpshufb), the 16 results merged by a blend tree on bits 4..7.
 * On AMD Zen 4 about 1.3x the speed of 32-bit gathers from T (vpgatherdd,
 * dropped) but no faster than table_scalar4, which the dispatch uses
 * instead; kept in the list for measurements on other CPUs. Sums in 16-bit
 * lanes as the VBMI kernels do (see widen_sums). */
INLINE TGT_AVX2 __m256i shuf16(const uint8_t *plane, int c, __m256i idx)
{
    __m128i t = _mm_load_si128((const __m128i *)(const void *)(plane + 16 * c));
    return _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(t), idx);
}

/* Chunks c..c+3 merged by bits 4 and 5. */
INLINE TGT_AVX2 __m256i shuf64(const uint8_t *plane, int c, __m256i idx, __m256i m4, __m256i m5)
{
    __m256i q0 = _mm256_blendv_epi8(shuf16(plane, c, idx), shuf16(plane, c + 1, idx), m4);
    __m256i q1 = _mm256_blendv_epi8(shuf16(plane, c + 2, idx), shuf16(plane, c + 3, idx), m4);
    return _mm256_blendv_epi8(q0, q1, m5);
}

/* Depth first, so that few partial results are live at a time. */
INLINE TGT_AVX2 __m256i shuf256(const uint8_t *plane, __m256i idx, __m256i m4, __m256i m5, __m256i m6,
                                __m256i m7)
{
    __m256i o0 = _mm256_blendv_epi8(shuf64(plane, 0, idx, m4, m5), shuf64(plane, 4, idx, m4, m5), m6);
    __m256i o1 = _mm256_blendv_epi8(shuf64(plane, 8, idx, m4, m5), shuf64(plane, 12, idx, m4, m5), m6);
    return _mm256_blendv_epi8(o0, o1, m7);
}

TGT_AVX2 static void table_avx2(const kern_table *t, const uint8_t *W, const uint8_t *A, int M,
                                int K, int NP, int32_t *acc, void *scratch)
{
    scratch_map s = scratch_split(scratch, M, K);
    uint8_t *ap = s.apack; /* [K][32] */
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int p0 = 0; p0 < NP; p0 += AVX2_NC) {
        int nc = NP - p0 < AVX2_NC ? NP - p0 : AVX2_NC;
        for (int k = 0; k < K; k++) {
            memcpy(ap + (size_t)k * AVX2_NC, A + (size_t)k * NP + p0, (size_t)nc);
            memset(ap + (size_t)k * AVX2_NC + nc, 0, (size_t)(AVX2_NC - nc));
        }
        for (int m = 0; m < M; m++) {
            const uint8_t *wrow = W + (size_t)m * K;
            int32_t *out = acc + (size_t)m * NP + p0;
            for (int k0 = 0; k0 < K; k0 += 256) {
                int k1 = K - k0 < 256 ? K : k0 + 256;
                __m256i lw = _mm256_setzero_si256(), lo = lw, hw = lw, ho = lw;
                for (int k = k0; k < k1; k++) {
                    const uint8_t *pl = t->planes + (size_t)wrow[k] * 512;
                    __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(ap + (size_t)k * AVX2_NC));
                    __m256i idx = _mm256_and_si256(x, low4);
                    __m256i m4 = _mm256_slli_epi16(x, 3), m5 = _mm256_slli_epi16(x, 2), m6 = _mm256_slli_epi16(x, 1);
                    __m256i l = shuf256(pl, idx, m4, m5, m6, x);
                    __m256i h = shuf256(pl + 256, idx, m4, m5, m6, x);
                    lw = _mm256_add_epi16(lw, l);
                    lo = _mm256_add_epi16(lo, _mm256_srli_epi16(l, 8));
                    hw = _mm256_add_epi16(hw, h);
                    ho = _mm256_add_epi16(ho, _mm256_srli_epi16(h, 8));
                }
                /* even = wrap - (odd << 8); value = lo + 256 hi */
                uint16_t e[4][16];
                _mm256_storeu_si256((__m256i *)(void *)e[0], _mm256_sub_epi16(lw, _mm256_slli_epi16(lo, 8)));
                _mm256_storeu_si256((__m256i *)(void *)e[1], lo);
                _mm256_storeu_si256((__m256i *)(void *)e[2], _mm256_sub_epi16(hw, _mm256_slli_epi16(ho, 8)));
                _mm256_storeu_si256((__m256i *)(void *)e[3], ho);
                for (int j = 0; j < 16; j++) {
                    if (2 * j < nc)
                        out[2 * j] = (k0 ? out[2 * j] : 0) + e[0][j] + (e[2][j] << 8);
                    if (2 * j + 1 < nc)
                        out[2 * j + 1] = (k0 ? out[2 * j + 1] : 0) + e[1][j] + (e[3][j] << 8);
                }
            }
        }
    }
}

/* ------------------------------------------------------ AVX-512 VNNI exact */

#define VNNI_MR 6 /* rows per register tile; 6 x 4 zmm accumulators */

INLINE TGT_BW __mmask64 tail64(int n)
{
    return n >= 64 ? ~(__mmask64)0 : n <= 0 ? 0 : (((__mmask64)1 << n) - 1);
}

INLINE TGT_BW __mmask16 tail16(int n)
{
    return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1);
}

/* A [K][NP] columns p0..p0+nc-1 into apack [ceil(K/4)][64][4]: column p's
 * 32-bit lane holds a[4g..4g+3][p] - 128 as signed bytes; rows past K are
 * left at -128 (their weights are 0), columns past nc at -128 too. */
TGT_VNNI static void vnni_pack(const uint8_t *A, int K, int NP, int p0, int nc, uint8_t *apack)
{
    int Kg = (K + 3) / 4;
    __mmask64 lm = tail64(nc);
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    for (int g = 0; g < Kg; g++) {
        __m512i r[4];
        for (int i = 0; i < 4; i++) {
            int k = 4 * g + i;
            r[i] = k < K ? _mm512_maskz_loadu_epi8(lm, A + (size_t)k * NP + p0) : _mm512_setzero_si512();
            r[i] = _mm512_xor_si512(r[i], bias);
        }
        __m512i t0 = _mm512_unpacklo_epi8(r[0], r[1]), t1 = _mm512_unpackhi_epi8(r[0], r[1]);
        __m512i t2 = _mm512_unpacklo_epi8(r[2], r[3]), t3 = _mm512_unpackhi_epi8(r[2], r[3]);
        /* Within each 128-bit lane L: q0 = columns 16L+0..3, q1 = +4..7,
         * q2 = +8..11, q3 = +12..15; a 4x4 transpose of lanes puts
         * columns in order. */
        __m512i q0 = _mm512_unpacklo_epi16(t0, t2), q1 = _mm512_unpackhi_epi16(t0, t2);
        __m512i q2 = _mm512_unpacklo_epi16(t1, t3), q3 = _mm512_unpackhi_epi16(t1, t3);
        __m512i u0 = _mm512_shuffle_i64x2(q0, q1, 0x44), u1 = _mm512_shuffle_i64x2(q0, q1, 0xEE);
        __m512i u2 = _mm512_shuffle_i64x2(q2, q3, 0x44), u3 = _mm512_shuffle_i64x2(q2, q3, 0xEE);
        __m512i *d = (__m512i *)(void *)(apack + (size_t)g * 256);
        _mm512_store_si512(d, _mm512_shuffle_i64x2(u0, u2, 0x88));
        _mm512_store_si512(d + 1, _mm512_shuffle_i64x2(u0, u2, 0xDD));
        _mm512_store_si512(d + 2, _mm512_shuffle_i64x2(u1, u3, 0x88));
        _mm512_store_si512(d + 3, _mm512_shuffle_i64x2(u1, u3, 0xDD));
    }
}

/* acc += the 4-byte dot products of u (unsigned) and s (signed) per 32-bit
 * lane. Inline assembly because GCC 12 moves the accumulators of the
 * _mm512_dpbusd_epi32 builtin through the stack on every use (the kernel
 * measured about 2x slower with it). */
INLINE TGT_VNNI __m512i dpbusd(__m512i acc, __m512i u, __m512i s)
{
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s));
    return acc;
}

static uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Rows m..m+5 of a 64-column tile: 24 zmm accumulators, 4 products per
 * lane per vpdpbusd. wp: the 6 rows' packed weights (row stride ws bytes);
 * out: 6 rows of 64, row stride ldo. */
TGT_VNNI static void vnni_tile6(const uint8_t *wp, size_t ws, int Kg, const uint8_t *ap,
                                const int32_t *init, int32_t *out, size_t ldo)
{
#define VNNI_INIT(i)                                                                               \
    __m512i c##i##0 = _mm512_set1_epi32(init[i]), c##i##1 = c##i##0, c##i##2 = c##i##0, c##i##3 = c##i##0;
    VNNI_INIT(0) VNNI_INIT(1) VNNI_INIT(2) VNNI_INIT(3) VNNI_INIT(4) VNNI_INIT(5)
#undef VNNI_INIT
    for (int g = 0; g < Kg; g++) {
        const __m512i *a = (const __m512i *)(const void *)(ap + (size_t)g * 256);
        __m512i a0 = _mm512_load_si512(a), a1 = _mm512_load_si512(a + 1);
        __m512i a2 = _mm512_load_si512(a + 2), a3 = _mm512_load_si512(a + 3);
#define VNNI_ROW(i)                                                                                \
    {                                                                                              \
        __m512i b = _mm512_set1_epi32((int)load32(wp + (size_t)(i) * ws + (size_t)g * 4));         \
        c##i##0 = dpbusd(c##i##0, b, a0);                                                          \
        c##i##1 = dpbusd(c##i##1, b, a1);                                                          \
        c##i##2 = dpbusd(c##i##2, b, a2);                                                          \
        c##i##3 = dpbusd(c##i##3, b, a3);                                                          \
    }
        VNNI_ROW(0) VNNI_ROW(1) VNNI_ROW(2) VNNI_ROW(3) VNNI_ROW(4) VNNI_ROW(5)
#undef VNNI_ROW
    }
#define VNNI_STORE(i)                                                                              \
    _mm512_storeu_si512(out + (i) * ldo, c##i##0);                                                 \
    _mm512_storeu_si512(out + (i) * ldo + 16, c##i##1);                                            \
    _mm512_storeu_si512(out + (i) * ldo + 32, c##i##2);                                            \
    _mm512_storeu_si512(out + (i) * ldo + 48, c##i##3);
    VNNI_STORE(0) VNNI_STORE(1) VNNI_STORE(2) VNNI_STORE(3) VNNI_STORE(4) VNNI_STORE(5)
#undef VNNI_STORE
}

/* acc = W A + bias[m] (bias may be NULL). */
TGT_VNNI static void vnni_exact_bias(const uint8_t *W, const uint8_t *A, int M, int K, int NP,
                                     int32_t *acc, const int32_t *bias, void *scratch)
{
    scratch_map s = scratch_split(scratch, M, K);
    int Kg = (K + 3) / 4;
    size_t ws = (size_t)Kg * 4;
    /* Rows past M (up to a whole tile) get zero weights. */
    int Mp = (M + VNNI_MR - 1) / VNNI_MR * VNNI_MR;
    for (int m = 0; m < Mp; m++) {
        uint8_t *d = s.wpack + (size_t)m * ws;
        int32_t sum = 0;
        if (m < M) {
            memcpy(d, W + (size_t)m * K, (size_t)K);
            memset(d + K, 0, ws - (size_t)K);
            for (int k = 0; k < K; k++)
                sum += d[k];
        } else {
            memset(d, 0, ws);
        }
        /* sum_k w a = sum_k w (a - 128) + 128 sum_k w */
        s.init[m] = 128 * sum + (bias && m < M ? bias[m] : 0);
    }
    /* Partial tiles (rows past M, columns past NP) go through tmp, so
     * that the tile kernel only ever writes whole rows of 64. */
    int32_t tmp[VNNI_MR * 64];
    for (int p0 = 0; p0 < NP; p0 += 64) {
        int nc = NP - p0 < 64 ? NP - p0 : 64;
        vnni_pack(A, K, NP, p0, nc, s.apack);
        for (int m = 0; m < M; m += VNNI_MR) {
            const uint8_t *wp = s.wpack + (size_t)m * ws;
            if (nc == 64 && m + VNNI_MR <= M) {
                vnni_tile6(wp, ws, Kg, s.apack, s.init + m, acc + (size_t)m * NP + p0, (size_t)NP);
                continue;
            }
            vnni_tile6(wp, ws, Kg, s.apack, s.init + m, tmp, 64);
            for (int i = 0; i < VNNI_MR && m + i < M; i++)
                memcpy(acc + (size_t)(m + i) * NP + p0, tmp + i * 64, (size_t)nc * sizeof *tmp);
        }
    }
}

TGT_VNNI static void exact_vnni(const uint8_t *W, const uint8_t *A, int M, int K, int NP,
                                int32_t *acc, void *scratch)
{
    vnni_exact_bias(W, A, M, K, NP, acc, NULL, scratch);
}

/* ------------------------------------------------------ AVX-512 VBMI table */

/* 64-column vectors per tile; measured on Zen 4: 4 > 3 > 2 > 6 for 16-bit
 * tables, 4 >= 8 > 6 for 8-bit ones. */
#define VBMI_NV 4
#define VBMI_KC 256 /* products summed in 16-bit lanes before widening: 256 * 255 < 65536 */

/* One 256-entry byte table (4 zmm) looked up at 64 activation codes:
 * two 128-entry permutes, chosen by bit 7 of the code. */
INLINE TGT_VBMI __m512i lookup256(__m512i t0, __m512i t1, __m512i t2, __m512i t3, __m512i x,
                                  __mmask64 hi)
{
    return _mm512_mask_blend_epi8(hi, _mm512_permutex2var_epi8(t0, x, t1),
                                  _mm512_permutex2var_epi8(t2, x, t3));
}

/* Byte sums in 16-bit lanes: for 64 columns of looked-up bytes x (column c
 * in byte c), over up to 257 steps,
 *   wrap += x (as 16-bit words, wrapping), odd += x >> 8 (the odd bytes);
 * then the odd columns' sums are `odd` and the even ones' are
 * wrap - (odd << 8) mod 2^16 (exact, as they stay below 2^16): two
 * additions and a shift per step instead of two additions, a mask and a
 * shift.
 *
 * out[0..63] (+)= the lo sums + 256 * the hi sums, each given as (wrap,
 * odd) pairs; n valid columns; add: accumulate into out instead of
 * storing. */
INLINE TGT_VBMI void widen_sums(__m512i lw, __m512i lodd, __m512i hw, __m512i hodd, int32_t *out,
                                int n, int add)
{
    __m512i ev = _mm512_sub_epi16(lw, _mm512_slli_epi16(lodd, 8)), od = lodd;
    __m512i ev_hi = _mm512_sub_epi16(hw, _mm512_slli_epi16(hodd, 8)), od_hi = hodd;
    /* word i of the result = column i: from ev (i even) or od (i odd). */
    const __m512i idx0 = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8,
                                          39, 7, 38, 6, 37, 5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
    const __m512i idx1 = _mm512_add_epi16(idx0, _mm512_set1_epi16(16));
    __m512i lo[2] = {_mm512_permutex2var_epi16(ev, idx0, od), _mm512_permutex2var_epi16(ev, idx1, od)};
    __m512i hi[2] = {_mm512_permutex2var_epi16(ev_hi, idx0, od_hi),
                     _mm512_permutex2var_epi16(ev_hi, idx1, od_hi)};
    for (int c = 0; c < 4; c++) {
        __m256i l = c & 1 ? _mm512_extracti64x4_epi64(lo[c >> 1], 1) : _mm512_castsi512_si256(lo[c >> 1]);
        __m256i h = c & 1 ? _mm512_extracti64x4_epi64(hi[c >> 1], 1) : _mm512_castsi512_si256(hi[c >> 1]);
        __m512i v = _mm512_add_epi32(_mm512_cvtepu16_epi32(l), _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 8));
        __mmask16 mk = tail16(n - 16 * c);
        if (!mk)
            break;
        int32_t *o = out + 16 * c;
        if (add)
            v = _mm512_add_epi32(v, _mm512_maskz_loadu_epi32(mk, o));
        _mm512_mask_storeu_epi32(o, mk, v);
    }
}

/* For rows mb..mb+nr-1 of W, the products k to look up: all, or those
 * whose weight's row is not flagged in skip[256]. */
static void build_lists(const uint8_t *W, int K, int mb, int nr, const uint8_t *skip, uint32_t *lists,
                        int *cnt)
{
    for (int i = 0; i < nr; i++) {
        const uint8_t *wrow = W + (size_t)(mb + i) * K;
        uint32_t *list = lists + (size_t)i * K;
        int n = 0;
        for (int k = 0; k < K; k++) {
            list[n] = (uint32_t)k;
            n += !skip || !skip[wrow[k]];
        }
        cnt[i] = n;
    }
}

/* acc (+)= sum over the listed k of P[W[m][k]][A[k][p]], P a table of
 * 16-bit entries as byte planes (wide: row w = 256 low bytes then 256 high
 * bytes) or of 8-bit entries (row w = 256 bytes). add = 0 stores (then skip
 * must be NULL, so that every 256-product chunk has entries).
 *
 * Loops: blocks of LIST_ROWS rows, column tiles of 64 * VBMI_NV, chunks of
 * VBMI_KC products, rows; the chunk's activations stay in L1 while the
 * rows' table rows (512 bytes each) stream from L2. */

/* One column tile p0.. of nv vectors, rows mb..mb+nr-1 with their lists. */
INLINE TGT_VBMI void lookup_tile(const uint8_t *planes, const int wide, const int nv, int add,
                                 const uint8_t *W, const uint8_t *A, int K, int NP, int32_t *acc,
                                 int mb, int nr, const uint32_t *lists, const int *cnt, int p0)
{
    const size_t stride = wide ? 512 : 256;
    const __m512i zero = _mm512_setzero_si512();
    int pos[LIST_ROWS];
    __mmask64 lm[VBMI_NV];
    _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++)
        lm[v] = tail64(NP - p0 - 64 * v);
    for (int i = 0; i < nr; i++)
        pos[i] = 0;
    for (int k0 = 0; k0 < K; k0 += VBMI_KC) {
        uint32_t k1 = (uint32_t)(K - k0 < VBMI_KC ? K : k0 + VBMI_KC);
        for (int i = 0; i < nr; i++) {
            const uint32_t *list = lists + (size_t)i * K;
            int j = pos[i];
            if (j >= cnt[i] || list[j] >= k1)
                continue;
            const uint8_t *wrow = W + (size_t)(mb + i) * K;
            __m512i lw[VBMI_NV], lodd[VBMI_NV], hw[VBMI_NV], hodd[VBMI_NV];
            _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++)
                lw[v] = lodd[v] = hw[v] = hodd[v] = zero;
            for (; j < cnt[i] && list[j] < k1; j++) {
                uint32_t k = list[j];
                const __m512i *pl = (const __m512i *)(const void *)(planes + wrow[k] * stride);
                const uint8_t *a = A + (size_t)k * NP + p0;
                __m512i x[VBMI_NV];
                __mmask64 b7[VBMI_NV];
                _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++) {
                    x[v] = lm[v] ? _mm512_maskz_loadu_epi8(lm[v], a + 64 * v) : zero;
                    b7[v] = _mm512_movepi8_mask(x[v]);
                }
                /* One plane at a time: 4 table registers live. */
                __m512i P0 = _mm512_load_si512(pl), P1 = _mm512_load_si512(pl + 1);
                __m512i P2 = _mm512_load_si512(pl + 2), P3 = _mm512_load_si512(pl + 3);
                _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++) {
                    __m512i l = lookup256(P0, P1, P2, P3, x[v], b7[v]);
                    lw[v] = _mm512_add_epi16(lw[v], l);
                    lodd[v] = _mm512_add_epi16(lodd[v], _mm512_srli_epi16(l, 8));
                }
                if (wide) {
                    P0 = _mm512_load_si512(pl + 4), P1 = _mm512_load_si512(pl + 5);
                    P2 = _mm512_load_si512(pl + 6), P3 = _mm512_load_si512(pl + 7);
                    _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++) {
                        __m512i h = lookup256(P0, P1, P2, P3, x[v], b7[v]);
                        hw[v] = _mm512_add_epi16(hw[v], h);
                        hodd[v] = _mm512_add_epi16(hodd[v], _mm512_srli_epi16(h, 8));
                    }
                }
            }
            pos[i] = j;
            _Pragma("GCC unroll 8") for (int v = 0; v < nv; v++)
                if (lm[v])
                    widen_sums(lw[v], lodd[v], hw[v], hodd[v], acc + (size_t)(mb + i) * NP + p0 + 64 * v,
                               NP - p0 - 64 * v, add || k0 > 0);
        }
    }
}

INLINE TGT_VBMI void lookup_rows(const uint8_t *planes, const int wide, const uint8_t *skip, int add,
                                 const uint8_t *W, const uint8_t *A, int M, int K, int NP,
                                 int32_t *acc, void *scratch)
{
    scratch_map s = scratch_split(scratch, M, K);
    int cnt[LIST_ROWS];
    for (int mb = 0; mb < M; mb += LIST_ROWS) {
        int nr = M - mb < LIST_ROWS ? M - mb : LIST_ROWS;
        build_lists(W, K, mb, nr, skip, s.lists, cnt);
        /* Narrower tiles for the last columns (e.g. a fully connected
         * layer's NP = images per block), so that no lookups go to waste. */
        for (int p0 = 0; p0 < NP;) {
            int rest = NP - p0;
            if (rest > 128) {
                lookup_tile(planes, wide, VBMI_NV, add, W, A, K, NP, acc, mb, nr, s.lists, cnt, p0);
                p0 += 64 * VBMI_NV;
            } else if (rest > 64) {
                lookup_tile(planes, wide, 2, add, W, A, K, NP, acc, mb, nr, s.lists, cnt, p0);
                p0 += 128;
            } else {
                lookup_tile(planes, wide, 1, add, W, A, K, NP, acc, mb, nr, s.lists, cnt, p0);
                p0 += 64;
            }
        }
    }
}

TGT_VBMI static void lookup16(const uint8_t *planes, const uint8_t *skip, int add, const uint8_t *W,
                              const uint8_t *A, int M, int K, int NP, int32_t *acc, void *scratch)
{
    lookup_rows(planes, 1, skip, add, W, A, M, K, NP, acc, scratch);
}

TGT_VBMI static void lookup8(const uint8_t *planes, const uint8_t *skip, int add, const uint8_t *W,
                             const uint8_t *A, int M, int K, int NP, int32_t *acc, void *scratch)
{
    lookup_rows(planes, 0, skip, add, W, A, M, K, NP, acc, scratch);
}

TGT_VBMI static void table_vbmi(const kern_table *t, const uint8_t *W, const uint8_t *A, int M,
                                int K, int NP, int32_t *acc, void *scratch)
{
    lookup16(t->planes, NULL, 0, W, A, M, K, NP, acc, scratch);
}

/* acc = W A + sum_k off[W[m][k]] (VNNI). */
TGT_VNNI static void exact_plus_offsets(const kern_table *t, const uint8_t *W, const uint8_t *A, int M,
                                        int K, int NP, int32_t *acc, void *scratch)
{
    scratch_map s = scratch_split(scratch, M, K);
    for (int m = 0; m < M; m++) {
        int32_t b = 0;
        for (int k = 0; k < K; k++)
            b += t->off[W[(size_t)m * K + k]];
        s.bias[m] = b;
    }
    vnni_exact_bias(W, A, M, K, NP, acc, s.bias, scratch);
}

/* Error-table kernels: acc = W A (VNNI) + sum_k off[w] + sum_k err[w][a],
 * the last over the products whose weight's row has an error; err in 8
 * bits (err8) or 16 (res16). */
TGT_512 static void table_err8_vbmi(const kern_table *t, const uint8_t *W, const uint8_t *A, int M,
                                    int K, int NP, int32_t *acc, void *scratch)
{
    exact_plus_offsets(t, W, A, M, K, NP, acc, scratch);
    lookup8(t->err, t->row_exact, 1, W, A, M, K, NP, acc, scratch);
}

TGT_512 static void table_res16_vbmi(const kern_table *t, const uint8_t *W, const uint8_t *A, int M,
                                     int K, int NP, int32_t *acc, void *scratch)
{
    exact_plus_offsets(t, W, A, M, K, NP, acc, scratch);
    lookup16(t->res16, t->row_exact, 1, W, A, M, K, NP, acc, scratch);
}

/* Share of the products whose weight's row is exact, at least 1/RES16_SHARE
 * for the res16 kernel to pay for its exact pass. */
#define RES16_SHARE 6

/* Best table kernel of each instruction set, by the table's properties. */
TGT_512 static void table_auto512(const kern_table *t, const uint8_t *W, const uint8_t *A, int M,
                                  int K, int NP, int32_t *acc, void *scratch)
{
    if (t->exact) {
        exact_vnni(W, A, M, K, NP, acc, scratch);
    } else if (t->err8) {
        table_err8_vbmi(t, W, A, M, K, NP, acc, scratch);
    } else if (t->res16) {
        size_t skipped = 0;
        for (size_t e = 0; e < (size_t)M * (size_t)K; e++)
            skipped += t->row_exact[W[e]];
        if (skipped * RES16_SHARE >= (size_t)M * (size_t)K)
            table_res16_vbmi(t, W, A, M, K, NP, acc, scratch);
        else
            table_vbmi(t, W, A, M, K, NP, acc, scratch);
    } else {
        table_vbmi(t, W, A, M, K, NP, acc, scratch);
    }
}

/* AVX2 level: the vpshufb kernel (table_avx2) measured no faster than
 * table_scalar4 on Zen 4 (about 2.5-3.5 GMAC/s each on the bench layer),
 * so approximate tables take the simpler one. */
TGT_AVX2 static void table_auto2(const kern_table *t, const uint8_t *W, const uint8_t *A, int M,
                                 int K, int NP, int32_t *acc, void *scratch)
{
    if (t->exact)
        exact_avx2(W, A, M, K, NP, acc, scratch);
    else
        table_scalar4(t, W, A, M, K, NP, acc, scratch);
}

/* 32 columns per step: bytes widened to 16-bit lanes and summed for up to
 * 257 rows (257 * 255 < 65536), then added into 32-bit sums. */
TGT_AVX2 static void colsum_avx2(const uint8_t *A, int64_t K, int64_t NP, int32_t *colsum)
{
    int64_t p0 = 0;
    for (; p0 + 32 <= NP; p0 += 32) {
        __m256i s32[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                          _mm256_setzero_si256()};
        for (int64_t k0 = 0; k0 < K; k0 += 257) {
            int64_t k1 = K - k0 < 257 ? K : k0 + 257;
            __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
            for (int64_t k = k0; k < k1; k++) {
                __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(A + k * NP + p0));
                lo = _mm256_add_epi16(lo, _mm256_cvtepu8_epi16(_mm256_castsi256_si128(x)));
                hi = _mm256_add_epi16(hi, _mm256_cvtepu8_epi16(_mm256_extracti128_si256(x, 1)));
            }
            s32[0] = _mm256_add_epi32(s32[0], _mm256_cvtepu16_epi32(_mm256_castsi256_si128(lo)));
            s32[1] = _mm256_add_epi32(s32[1], _mm256_cvtepu16_epi32(_mm256_extracti128_si256(lo, 1)));
            s32[2] = _mm256_add_epi32(s32[2], _mm256_cvtepu16_epi32(_mm256_castsi256_si128(hi)));
            s32[3] = _mm256_add_epi32(s32[3], _mm256_cvtepu16_epi32(_mm256_extracti128_si256(hi, 1)));
        }
        for (int j = 0; j < 4; j++)
            _mm256_storeu_si256((__m256i *)(void *)(colsum + p0 + 8 * j), s32[j]);
    }
    if (p0 < NP) { /* the last columns: the reference on a narrower view */
        for (int64_t p = p0; p < NP; p++) {
            int32_t sum = 0;
            for (int64_t k = 0; k < K; k++)
                sum += A[k * NP + p];
            colsum[p] = sum;
        }
    }
}

static int cpu_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

static int cpu_vnni(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx2");
}

static int cpu_vbmi(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx2");
}

#endif /* KERN_X86 */

/* ---------------------------------------------------------------- dispatch */

enum { ISA_SCALAR = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 };

static const char *const isa_names[] = {"scalar", "avx2", "avx512"};

kern_colsum_fn *kern_colsum_avx2(void)
{
#if KERN_X86
    return cpu_avx2() ? colsum_avx2 : NULL;
#else
    return NULL;
#endif
}

int kern_isa_cap(void)
{
    const char *e = getenv("AXSEARCH_KERNEL");
    if (e && strcmp(e, "scalar") == 0)
        return ISA_SCALAR;
    if (e && strcmp(e, "avx2") == 0)
        return ISA_AVX2;
    return ISA_AVX512;
}

int kern_impls(kern_impl *out)
{
    kern_impl l[] = {
        {"exact_scalar", "scalar", 1, NULL, exact_scalar_fn, NULL},
        {"table_scalar", "scalar", 1, NULL, NULL, table_scalar_fn},
        {"table_scalar4", "scalar", 1, NULL, NULL, table_scalar4},
#if KERN_X86
        {"exact_avx2", "avx2", cpu_avx2(), NULL, exact_avx2, NULL},
        {"exact_vnni", "avx512", cpu_vnni(), NULL, exact_vnni, NULL},
        {"table_avx2", "avx2", cpu_avx2(), NULL, NULL, table_avx2},
        {"table_vbmi", "avx512", cpu_vbmi(), NULL, NULL, table_vbmi},
        {"table_err8_vbmi", "avx512", cpu_vbmi() && cpu_vnni(), kern_table_err8, NULL, table_err8_vbmi},
        {"table_res16_vbmi", "avx512", cpu_vbmi() && cpu_vnni(), kern_table_res16, NULL, table_res16_vbmi},
#endif
    };
    int n = (int)(sizeof l / sizeof l[0]);
    memcpy(out, l, sizeof l);
    return n;
}

kern_ops kern_ops_best(void)
{
    int cap = kern_isa_cap();
    kern_ops o = {isa_names[ISA_SCALAR], exact_scalar_fn, table_auto_scalar, kern_colsum_scalar};
#if KERN_X86
    if (cap >= ISA_AVX2 && cpu_avx2()) {
        o.isa = isa_names[ISA_AVX2];
        o.exact = exact_avx2;
        o.table = table_auto2;
        o.colsum = colsum_avx2;
    }
    /* The AVX-512 table kernels use VNNI for exact and err8 tables, so a
     * CPU with VBMI but no VNNI (Cannon Lake) keeps the AVX2 ones. */
    if (cap >= ISA_AVX512 && cpu_vnni()) {
        o.isa = isa_names[ISA_AVX512];
        o.exact = exact_vnni;
        if (cpu_vbmi())
            o.table = table_auto512;
    }
#else
    (void)cap;
#endif
    return o;
}
