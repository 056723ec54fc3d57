/* Variation operators: bounds, probabilities, and the distributions the
 * definitions promise. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ga/variation.h"
#include "util/pcg.h"

static void sbx_bounds_and_copies(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 3, 0, 0, 0);
    double lo[4] = {0, -1, 5, 0}, hi[4] = {1, 1, 6, 1e-3};
    double p1[4] = {0.1, -0.9, 5.9, 0}, p2[4] = {0.9, 0.8, 5.0, 1e-3}, c1[4], c2[4];
    long moved = 0;
    for (int t = 0; t < 20000; t++) {
        var_sbx(&rng, p1, p2, c1, c2, 4, lo, hi, 1.0, 20.0);
        for (int i = 0; i < 4; i++) {
            assert_true(c1[i] >= lo[i] && c1[i] <= hi[i]);
            assert_true(c2[i] >= lo[i] && c2[i] <= hi[i]);
            moved += c1[i] != p1[i] && c1[i] != p2[i];
        }
    }
    /* Each variable recombines with probability 1/2. */
    assert_true(moved > 0.45 * 80000 && moved < 0.55 * 80000);
    /* pc = 0: plain copies. */
    var_sbx(&rng, p1, p2, c1, c2, 4, lo, hi, 0.0, 20.0);
    assert_memory_equal(c1, p1, sizeof p1);
    assert_memory_equal(c2, p2, sizeof p2);
}

static void sbx_spread_follows_eta(void **state)
{
    (void)state;
    /* Far from the bounds SBX is symmetric: children keep the parents'
     * mean, and a larger eta keeps them closer to the parents. */
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 4, 0, 0, 0);
    double lo = -1e6, hi = 1e6, p1 = 0.0, p2 = 1.0, c1, c2;
    double spread[2] = {0, 0};
    const double etas[2] = {2.0, 20.0};
    for (int e = 0; e < 2; e++) {
        int n = 0;
        for (int t = 0; t < 20000; t++) {
            var_sbx(&rng, &p1, &p2, &c1, &c2, 1, &lo, &hi, 1.0, etas[e]);
            if (c1 == p1 && c2 == p2)
                continue;
            assert_true(fabs((c1 + c2) - (p1 + p2)) < 1e-6);
            spread[e] += fabs(c1 - c2);
            n++;
        }
        spread[e] /= n;
    }
    assert_true(spread[1] < spread[0]);
    assert_true(spread[1] > 0.8 && spread[1] < 1.2);
}

static void polynomial_mutation(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 5, 0, 0, 0);
    double lo[3] = {0, 0, -2}, hi[3] = {1, 1, 2}, x[3];
    long changed = 0;
    for (int t = 0; t < 10000; t++) {
        x[0] = 0.0; /* at a bound */
        x[1] = 0.5;
        x[2] = 2.0;
        changed += var_polynomial_mutation(&rng, x, 3, lo, hi, 0.3, 20.0);
        for (int i = 0; i < 3; i++)
            assert_true(x[i] >= lo[i] && x[i] <= hi[i]);
    }
    assert_true(changed > 0.27 * 30000 && changed < 0.33 * 30000);
    x[0] = 0.25;
    assert_int_equal(var_polynomial_mutation(&rng, x, 1, lo, hi, 0.0, 20.0), 0);
    assert_true(x[0] == 0.25);
}

static void int_reset_is_uniform_over_others(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 6, 0, 0, 0);
    const int32_t card[2] = {5, 1};
    long count[5] = {0};
    for (int t = 0; t < 50000; t++) {
        int32_t g[2] = {2, 0};
        assert_int_equal(var_int_reset(&rng, g, 2, card, 1.0), 1); /* card 1: no choice */
        assert_int_not_equal(g[0], 2);
        assert_int_equal(g[1], 0);
        count[g[0]]++;
    }
    double chi2 = 0, e = 50000.0 / 4;
    for (int v = 0; v < 5; v++)
        if (v != 2)
            chi2 += (count[v] - e) * (count[v] - e) / e;
    assert_true(chi2 < 16.27); /* 3 dof, p = 0.001 */
}

static void int_step_stays_close(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 7, 0, 0, 0);
    const int32_t card[3] = {10, 2, 40};
    for (int t = 0; t < 20000; t++) {
        int32_t g[3] = {(int32_t)pcg32_bounded(&rng, 10), (int32_t)pcg32_bounded(&rng, 2), 20};
        int32_t before[3];
        memcpy(before, g, sizeof g);
        assert_int_equal(var_int_step(&rng, g, 3, card, 1.0, 3), 3);
        for (int i = 0; i < 3; i++) {
            assert_true(g[i] >= 0 && g[i] < card[i]);
            assert_int_not_equal(g[i], before[i]);
            /* Reflection can only shorten the move. */
            assert_true(abs(g[i] - before[i]) <= 3);
        }
    }
}

static void int_crossovers(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 8, 0, 0, 0);
    int32_t a[12], b[12], c1[12], c2[12];
    for (int i = 0; i < 12; i++) {
        a[i] = i;
        b[i] = 100 + i;
    }
    for (int t = 0; t < 2000; t++) {
        var_int_two_point(&rng, a, b, c1, c2, 12, 1.0);
        /* Complementary children with one contiguous swapped segment. */
        int switches = 0;
        for (int i = 0; i < 12; i++) {
            assert_true((c1[i] == a[i] && c2[i] == b[i]) || (c1[i] == b[i] && c2[i] == a[i]));
            if (i > 0 && (c1[i] == a[i]) != (c1[i - 1] == a[i - 1]))
                switches++;
        }
        assert_true(switches <= 2);
        var_int_uniform(&rng, a, b, c1, c2, 12, 1.0);
        for (int i = 0; i < 12; i++)
            assert_true((c1[i] == a[i] && c2[i] == b[i]) || (c1[i] == b[i] && c2[i] == a[i]));
    }
    var_int_uniform(&rng, a, b, c1, c2, 12, 0.0);
    assert_memory_equal(c1, a, sizeof a);
    assert_memory_equal(c2, b, sizeof b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sbx_bounds_and_copies),
        cmocka_unit_test(sbx_spread_follows_eta),
        cmocka_unit_test(polynomial_mutation),
        cmocka_unit_test(int_reset_is_uniform_over_others),
        cmocka_unit_test(int_step_stays_close),
        cmocka_unit_test(int_crossovers),
    };
    return cmocka_run_group_tests_name("variation", tests, NULL, NULL);
}
