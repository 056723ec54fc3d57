/* Fault models and bit-flip injection: the published calibration points,
 * interpolation, and the statistics of the injected flips. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "approx/fault.h"
#include "util/pcg.h"

static void sram_default_curve(void **state)
{
    (void)state;
    fault_sram *m = fault_sram_create_probit(FAULT_SRAM_V0, FAULT_SRAM_S, NULL);
    assert_non_null(m);
    /* Sun et al., TVLSI 2017 (65 nm, nominal 1.0 V): 0.23 % at 0.55 V,
     * 1.56 % at 0.50 V. */
    assert_true(fabs(fault_sram_pfail(m, 0.55) / 0.0023 - 1) < 0.01);
    assert_true(fabs(fault_sram_pfail(m, 0.50) / 0.0156 - 1) < 0.01);
    assert_true(fault_sram_pfail(m, 1.0) < 1e-15);
    double prev = 1.0;
    for (double v = 0.3; v <= 1.0; v += 0.01) {
        double p = fault_sram_pfail(m, v);
        assert_true(p < prev && p >= 0);
        prev = p;
    }
    fault_sram_free(m);
    assert_null(fault_sram_create_probit(0.3, 0.0, NULL));
    fault_sram_free(NULL);
}

static void sram_table(void **state)
{
    (void)state;
    const double v[3] = {0.5, 0.6, 0.8}, p[3] = {1e-2, 1e-4, 1e-8};
    fault_sram *m = fault_sram_create_table(3, v, p, NULL);
    assert_non_null(m);
    assert_true(fabs(fault_sram_pfail(m, 0.55) / 1e-3 - 1) < 1e-9);  /* log-linear */
    assert_true(fabs(fault_sram_pfail(m, 0.7) / 1e-6 - 1) < 1e-9);
    assert_true(fabs(fault_sram_pfail(m, 0.9) / 1e-10 - 1) < 1e-9);  /* end slope */
    assert_true(fabs(fault_sram_pfail(m, 0.45) / 1e-1 - 1) < 1e-9);
    assert_true(fault_sram_pfail(m, 0.2) == 0.5);                     /* capped */
    fault_sram_free(m);
    ax_err err = {0};
    const double bad_v[2] = {0.6, 0.5};
    assert_null(fault_sram_create_table(2, bad_v, p, &err));
    assert_int_equal(err.code, AX_EINPUT);
    const double bad_p[2] = {0.0, 1e-3};
    assert_null(fault_sram_create_table(2, v, bad_p, &err));
    assert_null(fault_sram_create_table(1, v, p, &err));
}

static void link_ber(void **state)
{
    (void)state;
    double sigma = fault_link_sigma(0.8, FAULT_LINK_BER_NOMINAL);
    assert_true(fabs(fault_link_ber(0.8, sigma) / 1e-12 - 1) < 1e-6);
    /* docs/facts.md#voltage-knobs: Vswing / sigma ~ 14 at 1e-12; half
     * swing ~ 2.3e-4 (with the ratio rounded to 14; the exact 14.069
     * gives 2.18e-4). */
    assert_true(fabs(0.8 / sigma - 14.069) < 0.001);
    double half = fault_link_ber(0.4, sigma);
    assert_true(fabs(half / 2.18e-4 - 1) < 0.01);
    assert_true(fabs(fault_link_ber(0.8 * 7.0 / 14.069, sigma) / 2.33e-4 - 1) < 0.01);
    assert_true(fault_link_ber(0.0, sigma) == 0.5);
    double prev = 0.5;
    for (double s = 0.05; s <= 0.8; s += 0.05) {
        double b = fault_link_ber(s, sigma);
        assert_true(b < prev);
        prev = b;
    }
}

static int popcount8(unsigned v)
{
    int c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
}

static void flip_counts_match_expectation(void **state)
{
    (void)state;
    enum { WORDS = 1250000 }; /* 10^7 bits of 8-bit words */
    unsigned char *data = calloc(WORDS, 1);
    const double ps[] = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        memset(data, 0, WORDS);
        pcg32 rng = pcg32_derive4(5, PCG_PURPOSE_TEST, i, 0, 0, 0);
        uint64_t flips = fault_flip(&rng, data, WORDS, 1, 0xFF, ps[i]);
        double n = 8.0 * WORDS, mean = n * ps[i], sd = sqrt(n * ps[i] * (1 - ps[i]));
        if (fabs((double)flips - mean) > 4 * sd)
            fail_msg("p=%g: %llu flips, expected %.0f +- %.0f", ps[i], (unsigned long long)flips,
                     mean, sd);
        uint64_t set = 0;
        for (size_t w = 0; w < WORDS; w++)
            set += (uint64_t)popcount8(data[w]);
        assert_true(set == flips); /* each bit is visited at most once */
    }
    free(data);
}

static void flip_positions_are_uniform(void **state)
{
    (void)state;
    enum { WORDS = 1250000, BUCKETS = 16 };
    uint32_t *pos = malloc(20000 * sizeof *pos);
    pcg32 rng = pcg32_derive4(6, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    uint64_t n = fault_draw(&rng, WORDS, 0xFF, 1e-3, pos, 20000);
    assert_true(n > 9000 && n < 11000);
    long bit[8] = {0}, word[BUCKETS] = {0};
    for (uint64_t i = 0; i < n; i++) {
        bit[pos[i] % 32]++;
        word[(pos[i] / 32) * BUCKETS / WORDS]++;
        if (i > 0)
            assert_true(pos[i] > pos[i - 1]);
    }
    double chi2 = 0, e = (double)n / 8;
    for (int b = 0; b < 8; b++)
        chi2 += (bit[b] - e) * (bit[b] - e) / e;
    assert_true(chi2 < 24.32); /* 7 dof, p = 0.001 */
    chi2 = 0;
    e = (double)n / BUCKETS;
    for (int k = 0; k < BUCKETS; k++)
        chi2 += (word[k] - e) * (word[k] - e) / e;
    assert_true(chi2 < 37.70); /* 15 dof, p = 0.001 */
    free(pos);
}

static void masks_zero_and_determinism(void **state)
{
    (void)state;
    enum { WORDS = 100000 };
    unsigned char a[WORDS], b[WORDS];
    memset(a, 0, sizeof a);
    /* Low-swing on the lowest 3 bits only. */
    pcg32 rng = pcg32_derive4(7, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    uint64_t n = fault_flip(&rng, a, WORDS, 1, 0x07, 0.01);
    assert_true(n > 0);
    for (size_t w = 0; w < WORDS; w++)
        assert_true((a[w] & ~0x07u) == 0);
    /* Same stream, same flips; fault_draw sees the same positions. */
    memset(b, 0, sizeof b);
    rng = pcg32_derive4(7, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    assert_int_equal(fault_flip(&rng, b, WORDS, 1, 0x07, 0.01), n);
    assert_memory_equal(a, b, sizeof a);
    uint32_t pos[4096];
    rng = pcg32_derive4(7, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    assert_int_equal(fault_draw(&rng, WORDS, 0x07, 0.01, pos, 4096), n);
    for (uint64_t i = 0; i < n && i < 4096; i++)
        assert_true(a[pos[i] / 32] & (1u << (pos[i] % 32)));
    /* p = 0: nothing flipped and no draw made. */
    pcg32 before = rng;
    assert_int_equal(fault_flip(&rng, a, WORDS, 1, 0xFF, 0.0), 0);
    assert_memory_equal(&rng, &before, sizeof rng);
    assert_memory_equal(a, b, sizeof a);
    /* 24-bit partial sums in 32-bit words: bits 24..31 never flip. */
    uint32_t words[1000] = {0};
    fault_flip(&rng, words, 1000, 4, 0xFFFFFF, 0.05);
    for (int i = 0; i < 1000; i++)
        assert_true((words[i] & 0xFF000000u) == 0);
    /* p = 1 flips every selected bit. */
    unsigned char c[10] = {0};
    assert_int_equal(fault_flip(&rng, c, 10, 1, 0x81, 1.0), 20);
    for (int i = 0; i < 10; i++)
        assert_int_equal(c[i], 0x81);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sram_default_curve),
        cmocka_unit_test(sram_table),
        cmocka_unit_test(link_ber),
        cmocka_unit_test(flip_counts_match_expectation),
        cmocka_unit_test(flip_positions_are_uniform),
        cmocka_unit_test(masks_zero_and_determinism),
    };
    return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
