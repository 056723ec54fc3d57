/* Accuracy recovery (fitness/emu/recover.h) against definitions computed
 * here by brute force: the histograms against im2col counted by direct
 * loops over the reference's activations, the tuning map against an
 * exhaustive integer search, the compensated bias against the mean error
 * over the same activations; the emulator with fixes against the plain
 * reference (tests/emu_ref.h) bit for bit; and hand-made tables whose
 * error recovery removes exactly (a constant offset, a permuted weight
 * code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitness/emu/emu.h"
#include "fitness/emu/pcache.h"
#include "fitness/emu/qnet.h"
#include "fitness/emu/recover.h"
#include "tests/emu_ref.h"
#include "util/pcg.h"

enum { CALIB = 48, N = 29 };

static const emu_ref_case CASES[] = {
    {1, 1, 1, 1, 6, 3}, /* plain */
    {2, 1, 1, 1, 5, 3}, /* stride 2 */
    {1, 2, 2, 1, 4, 3}, /* dilation 2 */
    {1, 0, 1, 2, 6, 3}, /* groups, no padding */
    {2, 1, 1, 4, 4, 3}, /* depthwise, stride 2 */
};
#define N_CASES (sizeof CASES / sizeof CASES[0])

/* A network of the case, quantized on noise; calib gets the CALIB
 * calibration images. */
static qnet *case_net(const emu_ref_case *cc, uint8_t *calib, graph **g_out)
{
    int hw;
    graph *g = emu_ref_net(cc, &hw);
    assert_non_null(g);
    pcg32 rng = pcg32_derive4(5, PCG_PURPOSE_TEST, (uint64_t)cc->group, (uint64_t)cc->stride, 0, 0);
    qnet *q = emu_ref_build_on_noise(g, &rng, calib, CALIB);
    assert_non_null(q);
    assert_int_equal(qnet_n_layers(q), 3);
    *g_out = g;
    return q;
}

/* An approximate table with a bias and a data-dependent error: products
 * with the low 5 bits cleared, minus a term in a, plus a term in w. */
static uint16_t *skewed_table(void)
{
    uint16_t *t = malloc(65536 * sizeof *t);
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++) {
            int p = ((a * w) & ~31) - (a >> 3) + ((w * 7) & 15);
            t[a * 256 + w] = (uint16_t)(p < 0 ? 0 : p);
        }
    return t;
}

/* The second conv's im2col counted from the reference's activations:
 * hist [group * K][256]. */
static void direct_hist(const qnet *q, const uint8_t *px, int n, uint64_t *hist)
{
    const qnet_layer *L = qnet_layer_info(q, 1);
    const graph_mac_layer *s = &L->shape;
    memset(hist, 0, (size_t)(s->group * L->K) * 256 * sizeof *hist);
    for (int i = 0; i < n; i++) {
        uint8_t h1[400];
        float scores[5];
        emu_ref_scores(q, px + i * 100, NULL, NULL, h1, NULL, scores);
        for (int64_t g = 0; g < s->group; g++)
            for (int64_t oh = 0; oh < s->P; oh++)
                for (int64_t ow = 0; ow < s->Q; ow++)
                    for (int64_t c = 0; c < s->C; c++)
                        for (int64_t r = 0; r < s->R; r++)
                            for (int64_t x = 0; x < s->S; x++) {
                                int64_t ih = oh * s->stride[0] - s->pad[0] + r * s->dilation[0];
                                int64_t iw = ow * s->stride[1] - s->pad[1] + x * s->dilation[1];
                                int a = ih < 0 || ih >= 10 || iw < 0 || iw >= 10
                                            ? L->in.zp
                                            : h1[((g * s->C + c) * 10 + ih) * 10 + iw];
                                int64_t k = (c * s->R + r) * s->S + x;
                                hist[(g * L->K + k) * 256 + a]++;
                            }
    }
}

static void histograms_count_im2col(void **state)
{
    (void)state;
    uint8_t *calib = malloc(CALIB * 100);
    for (size_t c = 0; c < N_CASES; c++) {
        graph *g;
        qnet *q = case_net(&CASES[c], calib, &g);
        const qnet_layer *L = qnet_layer_info(q, 1);
        size_t n = (size_t)(L->shape.group * L->K) * 256;
        uint64_t *want = malloc(n * sizeof *want);
        direct_hist(q, calib, CALIB, want);
        /* The fully connected layer: its input vector, one product per
         * input and image. */
        int K2 = qnet_layer_info(q, 2)->K;
        uint64_t *want_fc = calloc((size_t)K2 * 256, sizeof *want_fc);
        uint8_t *h2 = malloc((size_t)K2);
        for (int i = 0; i < CALIB; i++) {
            float scores[5];
            emu_ref_scores(q, calib + i * 100, NULL, NULL, NULL, h2, scores);
            for (int k = 0; k < K2; k++)
                want_fc[k * 256 + h2[k]]++;
        }
        free(h2);
        for (int threads = 1; threads <= 2; threads++) {
            rec_hist *h = NULL;
            ax_err err = {0};
            assert_int_equal(rec_hist_make(q, calib, CALIB, threads, &h, &err), AX_OK);
            assert_memory_equal(rec_hist_layer(h, 1), want, n * sizeof *want);
            assert_memory_equal(rec_hist_layer(h, 2), want_fc, (size_t)K2 * 256 * sizeof *want_fc);
            /* The first layer sees the input codes: 9 taps over 100
             * outputs per image. */
            uint64_t total = 0;
            for (int e = 0; e < 9 * 256; e++)
                total += rec_hist_layer(h, 0)[e];
            assert_true(total == (uint64_t)CALIB * 100 * 9);
            rec_hist_free(h);
        }
        free(want);
        free(want_fc);
        qnet_free(q);
        graph_free(g);
    }
    free(calib);
}

/* Exhaustive search of the tuning map in integers: N E[(L - a w)^2] and
 * N^2 Var, same tie rule. Counts are small, so nothing overflows. */
static void brute_map(const uint64_t *hist, const uint16_t *lut, int variance, int radius, uint8_t map[256])
{
    int64_t n = 0;
    for (int a = 0; a < 256; a++)
        n += (int64_t)hist[a];
    for (int w = 0; w < 256; w++) {
        int best = w;
        int64_t best_cost = INT64_MAX;
        for (int c = 0; c < 256; c++) {
            if (abs(c - w) > radius)
                continue;
            int64_t s1 = 0, s2 = 0;
            for (int a = 0; a < 256; a++) {
                int64_t d = (int64_t)lut[a * 256 + c] - (int64_t)a * w;
                s1 += (int64_t)hist[a] * d;
                s2 += (int64_t)hist[a] * d * d;
            }
            int64_t cost = variance ? n * s2 - s1 * s1 : s2;
            if (cost < best_cost || (cost == best_cost && abs(c - w) < abs(best - w))) {
                best = c;
                best_cost = cost;
            }
        }
        map[w] = (uint8_t)best;
    }
}

static void tuning_map_is_the_exhaustive_optimum(void **state)
{
    (void)state;
    uint16_t *skew = skewed_table();
    uint16_t *noisy = malloc(65536 * sizeof *noisy);
    pcg32 rng = pcg32_derive4(6, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    for (int i = 0; i < 65536; i++) {
        int p = (i >> 8) * (i & 255) + (int)pcg32_bounded(&rng, 401) - 200;
        noisy[i] = (uint16_t)(p < 0 ? 0 : p > 65535 ? 65535 : p);
    }
    const uint16_t *tables[2] = {skew, noisy};
    for (int trial = 0; trial < 4; trial++) {
        uint64_t hist[256];
        /* Sparse, skewed activations: most mass on few codes, as after a
         * ReLU. */
        for (int a = 0; a < 256; a++)
            hist[a] = pcg32_bounded(&rng, 4) == 0 ? pcg32_bounded(&rng, 20) : 0;
        hist[trial * 7] += 300;
        for (int t = 0; t < 2; t++)
            for (int variance = 0; variance <= 1; variance++)
                for (int radius = 2; radius <= 255; radius += 253) {
                    uint8_t got[256], want[256];
                    rec_tune_map(hist, tables[t], variance, radius, got);
                    brute_map(hist, tables[t], variance, radius, want);
                    for (int w = 0; w < 256; w++)
                        if (got[w] != want[w])
                            fail_msg("trial %d table %d variance %d radius %d: w %d -> %d, want %d", trial, t,
                                     variance, radius, w, got[w], want[w]);
                }
    }
    /* Exact ties: for w = 100, codes 98 and 102 reproduce a w exactly and
     * 100 itself does not (its error varies with a); the tie goes to the lower of the two nearest.
     * A histogram on one code (variances all 0) keeps w itself. */
    uint16_t *tie = malloc(65536 * sizeof *tie);
    for (int a = 0; a < 256; a++)
        for (int c = 0; c < 256; c++)
            tie[a * 256 + c] = (uint16_t)(c == 98 || c == 102 ? a * 100 : a * c + (c == 100 ? (a & 1) * 50 : 300));
    uint64_t spread[256] = {0};
    for (int a = 1; a < 256; a += 3)
        spread[a] = 7;
    uint8_t tmap[256], bmap[256];
    for (int variance = 0; variance <= 1; variance++) {
        rec_tune_map(spread, tie, variance, 255, tmap);
        brute_map(spread, tie, variance, 255, bmap);
        assert_int_equal(tmap[100], 98);
        assert_memory_equal(tmap, bmap, 256);
    }
    uint64_t one[256] = {0};
    one[77] = 1000000000; /* at real counts: ~1e9 products */
    rec_tune_map(one, skew, 1, 255, tmap);
    for (int w = 0; w < 256; w++)
        assert_int_equal(tmap[w], w);
    free(tie);
    /* The exact table and an empty histogram leave every code alone. */
    uint16_t *exact = malloc(65536 * sizeof *exact);
    for (int i = 0; i < 65536; i++)
        exact[i] = (uint16_t)((i >> 8) * (i & 255));
    uint64_t hist[256], empty[256] = {0};
    for (int a = 0; a < 256; a++)
        hist[a] = (uint64_t)(a % 5);
    uint8_t map[256];
    rec_tune_map(hist, exact, 0, 255, map);
    for (int w = 0; w < 256; w++)
        assert_int_equal(map[w], w);
    rec_tune_map(empty, skew, 0, 255, map);
    for (int w = 0; w < 256; w++)
        assert_int_equal(map[w], w);
    free(exact);
    free(skew);
    free(noisy);
}

/* emu_run with fixes [3] (per layer) on the N images px into got [N][5]. */
static void run_with(const qnet *q, const uint16_t *lut, const emu_layer_fix *const *fixes, const uint8_t *px,
                     pcache *cache, float *got)
{
    ax_err err = {0};
    emu_table *t = lut ? emu_table_create(lut, &err) : NULL;
    const emu_table *tables[3] = {t, t, t};
    emu_options eo = {.tables = tables, .fixes = fixes, .threads = 2, .block = 4, .cache = cache};
    assert_int_equal(emu_run(q, px, N, &eo, got, NULL, &err), AX_OK);
    emu_table_free(t);
}

/* A network of one case with its calibration images, N test images of
 * noise and the histograms: what most tests here start from. */
typedef struct fixture {
    uint8_t *calib, *px; /* [CALIB][100], [N][100] */
    graph *g;
    qnet *q;
    rec_hist *h;
} fixture;

static void fixture_open(fixture *f, const emu_ref_case *cc, uint64_t seed)
{
    f->calib = malloc(CALIB * 100);
    f->px = malloc(N * 100);
    pcg32 rng = pcg32_derive4(seed, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    for (int i = 0; i < N * 100; i++)
        f->px[i] = (uint8_t)pcg32_next(&rng);
    f->q = case_net(cc, f->calib, &f->g);
    ax_err err = {0};
    assert_int_equal(rec_hist_make(f->q, f->calib, CALIB, 2, &f->h, &err), AX_OK);
}

static void fixture_close(fixture *f)
{
    rec_hist_free(f->h);
    qnet_free(f->q);
    graph_free(f->g);
    free(f->calib);
    free(f->px);
}

/* The fixes of the three layers under lut and ro. */
static void make_fixes(const fixture *f, const uint16_t *lut, const rec_options *ro, emu_layer_fix *fx[3])
{
    ax_err err = {0};
    for (int l = 0; l < 3; l++)
        assert_int_equal(rec_fix_make(f->q, f->h, l, lut, ro, &fx[l], &err), AX_OK);
}

/* The mean accumulator error of channel m of the second conv under fx,
 * over the reference's activations of the calibration images, rounded
 * halves away from zero: bias - that is what compensation must give. */
static int32_t direct_bias(const qnet *q, const uint8_t *calib, const uint16_t *lut, const emu_layer_fix *fx,
                           int64_t m)
{
    const qnet_layer *L = qnet_layer_info(q, 1);
    uint64_t *hist = malloc((size_t)(L->shape.group * L->K) * 256 * sizeof *hist);
    direct_hist(q, calib, CALIB, hist);
    int64_t g = m / (L->shape.M / L->shape.group), sum = 0, cols = 0;
    for (int a = 0; a < 256; a++)
        cols += (int64_t)hist[a];
    for (int k = 0; k < L->K; k++)
        for (int a = 0; a < 256; a++) {
            int w = L->weights[m * L->K + k], wt = fx->weights[m * L->K + k];
            sum += (int64_t)hist[(g * L->K + k) * 256 + a] * (lut[a * 256 + wt] - a * w);
        }
    free(hist);
    /* Nearest integer, halves away from zero, by another route. */
    long double x = (long double)sum / (long double)cols;
    long double r = x < 0 ? ceill(x - 0.5L) : floorl(x + 0.5L);
    return (int32_t)(L->bias[m] - (int64_t)r);
}

static void emulator_with_fixes_matches_reference(void **state)
{
    (void)state;
    uint16_t *lut = skewed_table();
    for (size_t c = 0; c < N_CASES; c++) {
        fixture f;
        fixture_open(&f, &CASES[c], 7);
        for (int mode = 1; mode <= 3; mode++) {
            rec_options ro = {.tune = mode & 1, .compensate = (mode >> 1) & 1, .radius = 255};
            emu_layer_fix *fx[3];
            make_fixes(&f, lut, &ro, fx);
            const emu_layer_fix *fixes[3] = {fx[0], fx[1], fx[2]};
            const qnet_layer *L1 = qnet_layer_info(f.q, 1);
            for (int64_t m = 0; m < L1->shape.M; m++)
                assert_int_equal(fx[1]->bias[m],
                                 ro.compensate ? direct_bias(f.q, f.calib, lut, fx[1], m) : L1->bias[m]);
            float got[N * 5], want[5];
            run_with(f.q, lut, fixes, f.px, NULL, got);
            for (int i = 0; i < N; i++) {
                emu_ref_scores(f.q, f.px + i * 100, lut, fixes, NULL, NULL, want);
                if (memcmp(got + i * 5, want, sizeof want) != 0)
                    fail_msg("case %zu mode %d image %d: %g vs %g", c, mode, i, (double)got[i * 5], (double)want[0]);
            }
            for (int l = 0; l < 3; l++)
                rec_fix_free(fx[l]);
        }
        fixture_close(&f);
    }
    free(lut);
}

/* Scores with every layer fixed under lut and ro equal the exact
 * network's, bit for bit. */
static void assert_recovers_exactly(const uint16_t *lut, const rec_options *ro)
{
    for (size_t c = 0; c < N_CASES; c++) {
        fixture f;
        fixture_open(&f, &CASES[c], 8);
        emu_layer_fix *fx[3];
        make_fixes(&f, lut, ro, fx);
        const emu_layer_fix *fixes[3] = {fx[0], fx[1], fx[2]};
        float exact[N * 5], raw[N * 5], fixed[N * 5];
        run_with(f.q, NULL, NULL, f.px, NULL, exact);
        run_with(f.q, lut, NULL, f.px, NULL, raw);
        run_with(f.q, lut, fixes, f.px, NULL, fixed);
        assert_memory_not_equal(exact, raw, sizeof exact); /* the table does hurt */
        assert_memory_equal(exact, fixed, sizeof exact);
        for (int l = 0; l < 3; l++)
            rec_fix_free(fx[l]);
        fixture_close(&f);
    }
}

static void constant_offset_is_compensated(void **state)
{
    (void)state;
    /* Every product 37 too large (a w + 37 <= 65,062: representable). */
    uint16_t *lut = malloc(65536 * sizeof *lut);
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            lut[a * 256 + w] = (uint16_t)(a * w + 37);
    rec_options comp = {.tune = 0, .compensate = 1, .radius = 255};
    assert_recovers_exactly(lut, &comp);
    rec_options both = {.tune = 1, .compensate = 1, .radius = 255};
    assert_recovers_exactly(lut, &both);
    free(lut);
}

static void permuted_weight_codes_are_undone(void **state)
{
    (void)state;
    /* The table multiplies a by pi(w) for a random permutation pi. */
    uint8_t pi[256];
    for (int i = 0; i < 256; i++)
        pi[i] = (uint8_t)i;
    pcg32 rng = pcg32_derive4(9, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    for (int i = 255; i > 0; i--) {
        int j = (int)pcg32_bounded(&rng, (uint32_t)i + 1);
        uint8_t t = pi[i];
        pi[i] = pi[j];
        pi[j] = t;
    }
    uint16_t *lut = malloc(65536 * sizeof *lut);
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            lut[a * 256 + w] = (uint16_t)(a * pi[w]);
    rec_options tune = {.tune = 1, .compensate = 0, .radius = 255};
    assert_recovers_exactly(lut, &tune);
    rec_options both = {.tune = 1, .compensate = 1, .radius = 255};
    assert_recovers_exactly(lut, &both);
    free(lut);
}

static void sets_and_cache_are_consistent(void **state)
{
    (void)state;
    uint16_t *lut = skewed_table();
    fixture f;
    fixture_open(&f, &CASES[0], 10);
    ax_err err = {0};
    const uint16_t *luts[2] = {NULL, lut};
    rec_options ro = {.tune = 1, .compensate = 1, .radius = 255};
    rec_set *s1 = NULL, *s2 = NULL;
    assert_int_equal(rec_set_make(f.q, f.h, luts, 2, &ro, 1, &s1, &err), AX_OK);
    assert_int_equal(rec_set_make(f.q, f.h, luts, 2, &ro, 2, &s2, &err), AX_OK);
    const emu_layer_fix *const *f1 = rec_set_fixes(s1), *const *f2 = rec_set_fixes(s2);
    for (int l = 0; l < 3; l++) {
        assert_null(f1[l * 2 + 0]); /* the exact table needs nothing */
        const qnet_layer *L = qnet_layer_info(f.q, l);
        assert_memory_equal(f1[l * 2 + 1]->weights, f2[l * 2 + 1]->weights, (size_t)(L->shape.M * L->K));
        assert_memory_equal(f1[l * 2 + 1]->bias, f2[l * 2 + 1]->bias, (size_t)L->shape.M * sizeof(int32_t));
    }
    /* One prefix cache across runs with and without the fixes: each run
     * equals its cache-free twin (the key tells fixes apart). */
    const emu_layer_fix *fixes[3] = {f1[1], f1[3], f1[5]};
    float plain[N * 5], fixed[N * 5], got[N * 5];
    run_with(f.q, lut, NULL, f.px, NULL, plain);
    run_with(f.q, lut, fixes, f.px, NULL, fixed);
    assert_memory_not_equal(plain, fixed, sizeof plain);
    pcache *cache = pcache_create(1 << 22, &err);
    assert_non_null(cache);
    for (int pass = 0; pass < 2; pass++) {
        run_with(f.q, lut, NULL, f.px, cache, got);
        assert_memory_equal(got, plain, sizeof got);
        run_with(f.q, lut, fixes, f.px, cache, got);
        assert_memory_equal(got, fixed, sizeof got);
    }
    pcache_free(cache);
    rec_set_free(s1);
    rec_set_free(s2);
    rec_set_free(NULL);
    rec_hist_free(NULL);
    rec_fix_free(NULL);
    fixture_close(&f);
    free(lut);
}

/* A weight fault map that flips bit 0 of every stored code (p = 1) acts on
 * the tuned codes: the same as the reference with tuned ^ 1. */
static void weight_faults_flip_stored_codes(void **state)
{
    (void)state;
    uint16_t *lut = skewed_table();
    fixture f;
    fixture_open(&f, &CASES[0], 11);
    rec_options ro = {.tune = 1, .compensate = 1, .radius = 255};
    emu_layer_fix *fx[3], flipped[3];
    make_fixes(&f, lut, &ro, fx);
    uint8_t *codes[3];
    for (int l = 0; l < 3; l++) {
        const qnet_layer *L = qnet_layer_info(f.q, l);
        size_t nw = (size_t)(L->shape.M * L->K);
        codes[l] = malloc(nw);
        for (size_t i = 0; i < nw; i++)
            codes[l][i] = (uint8_t)(fx[l]->weights[i] ^ 1);
        flipped[l] = (emu_layer_fix){codes[l], fx[l]->bias};
    }
    const emu_layer_fix *fixes[3] = {fx[0], fx[1], fx[2]};
    const emu_layer_fix *want_fixes[3] = {&flipped[0], &flipped[1], &flipped[2]};
    emu_flip_spec all[3];
    for (int l = 0; l < 3; l++)
        all[l] = (emu_flip_spec){.n = 1, .cls = {{0x01, 1.0}}};
    emu_faults faults = {.seed = 3, .rep = 0, .weights = all};
    ax_err err = {0};
    emu_table *t = emu_table_create(lut, &err);
    const emu_table *tables[3] = {t, t, t};
    emu_options eo = {.tables = tables, .fixes = fixes, .threads = 2, .block = 4, .faults = &faults};
    float got[N * 5], want[5];
    assert_int_equal(emu_run(f.q, f.px, N, &eo, got, NULL, &err), AX_OK);
    for (int i = 0; i < N; i++) {
        emu_ref_scores(f.q, f.px + i * 100, lut, want_fixes, NULL, NULL, want);
        assert_memory_equal(got + i * 5, want, sizeof want);
    }
    emu_table_free(t);
    for (int l = 0; l < 3; l++) {
        rec_fix_free(fx[l]);
        free(codes[l]);
    }
    fixture_close(&f);
    free(lut);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(histograms_count_im2col),
        cmocka_unit_test(tuning_map_is_the_exhaustive_optimum),
        cmocka_unit_test(emulator_with_fixes_matches_reference),
        cmocka_unit_test(constant_offset_is_compensated),
        cmocka_unit_test(permuted_weight_codes_are_undone),
        cmocka_unit_test(sets_and_cache_are_consistent),
        cmocka_unit_test(weight_faults_flip_stored_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
