/* Quantization arithmetic: hand-computed roundings and the fixed-point
 * multiplier against exact rational arithmetic. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fitness/emu/qmath.h"
#include "util/pcg.h"

static void params_by_hand(void **state)
{
    (void)state;
    qparams p = qmath_params(-1.0, 1.0);
    assert_true(fabsf(p.scale - 2.0f / 255.0f) < 1e-9f);
    assert_int_equal(p.zp, 128); /* round(127.5) */
    p = qmath_params(0.0, 6.0);
    assert_int_equal(p.zp, 0);
    p = qmath_params(2.0, 5.0); /* widened to include 0 */
    assert_int_equal(p.zp, 0);
    assert_true(fabsf(p.scale - 5.0f / 255.0f) < 1e-9f);
    p = qmath_params(-4.0, -1.0);
    assert_int_equal(p.zp, 255);
    p = qmath_params(0.0, 0.0);
    assert_true(p.scale > 0);
    /* Real 0 is exactly a code; quantization clamps. */
    p = qmath_params(-0.3, 0.9);
    assert_int_equal(qmath_quantize(p, 0.0), p.zp);
    assert_int_equal(qmath_quantize(p, 100.0), 255);
    assert_int_equal(qmath_quantize(p, -100.0), 0);
}

static void roundings_by_hand(void **state)
{
    (void)state;
    assert_int_equal(qmath_rshift_round(5, 1), 3);   /* 2.5 -> 3 */
    assert_int_equal(qmath_rshift_round(-5, 1), -3); /* -2.5 -> -3 */
    assert_int_equal(qmath_rshift_round(4, 1), 2);
    assert_int_equal(qmath_rshift_round(-4, 1), -2);
    assert_int_equal(qmath_rshift_round(7, 2), 2);   /* 1.75 */
    assert_int_equal(qmath_rshift_round(-7, 2), -2);
    assert_int_equal(qmath_rshift_round(-6, 2), -2); /* -1.5 -> -2 */
    assert_int_equal(qmath_rshift_round(6, 2), 2);
    assert_int_equal(qmath_rshift_round(INT32_MIN, 31), -1);
    assert_int_equal(qmath_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
    assert_int_equal(qmath_high_mul(1 << 30, 1 << 30), 1 << 29);
    assert_int_equal(qmath_high_mul(3, 1 << 30), 2);   /* 1.5 -> 2 */
    assert_int_equal(qmath_high_mul(-3, 1 << 30), -1); /* -1.5 -> -1: ties go up */
    assert_int_equal(qmath_high_mul(-5, 1 << 30), -2); /* -2.5 -> -2 */

    qmult half = qmath_multiplier(0.5);
    assert_int_equal(half.m0, 1 << 30);
    assert_int_equal(half.exp, 0);
    assert_int_equal(qmath_apply(100, half), 50);
    assert_int_equal(qmath_apply(3, half), 2);
    assert_int_equal(qmath_apply(-3, half), -1); /* -1.5: ties go up */
    qmult three = qmath_multiplier(3.0);
    assert_int_equal(qmath_apply(7, three), 21);
    assert_int_equal(qmath_apply(0, qmath_multiplier(0.0)), 0);
    /* A multiplier that rounds up to a power of two keeps m0 < 2^31. */
    qmult almost = qmath_multiplier(0.99999999999);
    assert_true(almost.m0 >= (1 << 30));
    assert_int_equal(qmath_apply(1000, almost), 1000);
}

static void apply_matches_exact_rounding(void **state)
{
    (void)state;
    /* round(acc * m0 * 2^(exp-31)) exactly, versus the two-step integer
     * version: they may differ by one where the first rounding crosses a
     * half (gemmlowp's double rounding), never more. */
    pcg32 rng = pcg32_derive4(9, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    long differ = 0, total = 200000;
    for (long i = 0; i < total; i++) {
        double x = ldexp(0.5 + 0.5 * pcg32_double(&rng), -(int)pcg32_bounded(&rng, 20));
        int32_t acc = (int32_t)(pcg32_next(&rng) >> (1 + pcg32_bounded(&rng, 16)));
        if (pcg32_next(&rng) & 1u)
            acc = -acc;
        qmult m = qmath_multiplier(x);
        long double exact = (long double)acc * m.m0 * powl(2.0L, m.exp - 31);
        long double r = exact >= 0 ? floorl(exact + 0.5L) : -floorl(-exact + 0.5L);
        int32_t got = qmath_apply(acc, m);
        assert_true(fabsl((long double)got - r) <= 1.0L);
        differ += (long double)got != r;
    }
    print_message("    two-step rounding differs from exact in %ld of %ld cases\n", differ, total);
    assert_true(differ < total / 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(params_by_hand),
        cmocka_unit_test(roundings_by_hand),
        cmocka_unit_test(apply_matches_exact_rounding),
    };
    return cmocka_run_group_tests_name("qmath", tests, NULL, NULL);
}
