/* PCG32 against the reference sequence of O'Neill's pcg32-demo, plus the
 * properties the rest of axsearch relies on (advance, bounds, derivation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/pcg.h"

static void reference_sequence(void **state)
{
    (void)state;
    /* pcg32-demo: "pcg32_srandom_r(&rng, 42u, 54u)", first six outputs. */
    static const uint32_t expected[6] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                         0x83d2f293, 0xbfa4784b, 0xcbed606e};
    pcg32 rng;
    pcg32_seed(&rng, 42, 54);
    for (int i = 0; i < 6; i++)
        assert_int_equal(pcg32_next(&rng), expected[i]);
}

static void advance_matches_stepping(void **state)
{
    (void)state;
    static const uint64_t deltas[] = {0, 1, 2, 7, 1000, 123457};
    for (size_t d = 0; d < sizeof deltas / sizeof deltas[0]; d++) {
        pcg32 a, b;
        pcg32_seed(&a, 0x853c49e6748fea9bULL, 0xda3e39cb94b95bdbULL);
        b = a;
        for (uint64_t i = 0; i < deltas[d]; i++)
            pcg32_next(&a);
        pcg32_advance(&b, deltas[d]);
        assert_int_equal(pcg32_next(&a), pcg32_next(&b));
    }
    /* The period is 2^64: advancing by -k goes back k steps. */
    pcg32 a, b;
    pcg32_seed(&a, 1, 2);
    b = a;
    uint32_t first = pcg32_next(&a);
    pcg32_next(&b);
    pcg32_next(&b);
    pcg32_advance(&b, (uint64_t)0 - 2);
    assert_int_equal(pcg32_next(&b), first);
}

static void bounded_is_unbiased(void **state)
{
    (void)state;
    /* Chi-square over 7 cells (not a power of two, so modulo bias would show
     * for a naive method only at huge bounds; this checks the plumbing). */
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    enum { CELLS = 7, DRAWS = 700000 };
    long count[CELLS] = {0};
    for (int i = 0; i < DRAWS; i++) {
        uint32_t v = pcg32_bounded(&rng, CELLS);
        assert_true(v < CELLS);
        count[v]++;
    }
    double chi2 = 0, e = (double)DRAWS / CELLS;
    for (int c = 0; c < CELLS; c++)
        chi2 += (count[c] - e) * (count[c] - e) / e;
    assert_true(chi2 < 22.46); /* 6 dof, p = 0.001 */
    /* Bound 1 always gives 0; a bound just above 2^31 exercises rejection. */
    for (int i = 0; i < 100; i++) {
        assert_int_equal(pcg32_bounded(&rng, 1), 0);
        assert_true(pcg32_bounded(&rng, 0x80000001u) < 0x80000001u);
    }
}

static void double_in_unit_interval(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(2, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    double sum = 0;
    enum { N = 200000 };
    for (int i = 0; i < N; i++) {
        double u = pcg32_double(&rng);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
    }
    /* mean 0.5, sd of the mean sqrt(1/12/N) ~ 6.5e-4 */
    assert_true(sum / N > 0.5 - 0.003 && sum / N < 0.5 + 0.003);
}

static void derive_separates_streams(void **state)
{
    (void)state;
    pcg32 a = pcg32_derive4(7, PCG_PURPOSE_FAULT, 1, 2, 3, 4);
    pcg32 b = pcg32_derive4(7, PCG_PURPOSE_FAULT, 1, 2, 3, 4);
    pcg32 c = pcg32_derive4(7, PCG_PURPOSE_FAULT, 1, 2, 4, 3);
    pcg32 d = pcg32_derive4(7, PCG_PURPOSE_GA_INIT, 1, 2, 3, 4);
    pcg32 e = pcg32_derive4(8, PCG_PURPOSE_FAULT, 1, 2, 3, 4);
    const uint64_t one[1] = {0};
    pcg32 f = pcg32_derive(7, PCG_PURPOSE_FAULT, 1, one);
    pcg32 g = pcg32_derive(7, PCG_PURPOSE_FAULT, 0, NULL);
    uint32_t va = pcg32_next(&a);
    assert_int_equal(va, pcg32_next(&b));
    assert_int_not_equal(va, pcg32_next(&c));
    assert_int_not_equal(va, pcg32_next(&d));
    assert_int_not_equal(va, pcg32_next(&e));
    assert_int_not_equal(pcg32_next(&f), pcg32_next(&g));
    assert_true(a.inc & 1u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_sequence),
        cmocka_unit_test(advance_matches_stepping),
        cmocka_unit_test(bounded_is_unbiased),
        cmocka_unit_test(double_in_unit_interval),
        cmocka_unit_test(derive_separates_streams),
    };
    return cmocka_run_group_tests_name("pcg", tests, NULL, NULL);
}
