/* mult_metrics on hand-made tables whose metrics are worked out by hand:
 * exact, constant offset, a single wrong entry, truncated partial-product
 * columns; histogram weighting; zero-skipping safety. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "approx/mult_metrics.h"

static uint16_t lut[MULT_LUT_SIZE];

static void fill_exact(void)
{
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            lut[a * 256 + b] = (uint16_t)(a * b);
}

static void near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.12g, want %.12g (tol %g)", got, want, tol);
}

static void exact_table(void **state)
{
    (void)state;
    fill_exact();
    mult_metrics m;
    mult_metrics_compute(lut, &m);
    assert_true(m.mae == 0 && m.wce == 0 && m.mre_pct == 0 && m.ep_pct == 0 && m.mse == 0 &&
                m.bias == 0 && m.var == 0);
    assert_true(mult_lut_zero_safe(lut));
}

static void constant_offset(void **state)
{
    (void)state;
    fill_exact();
    for (int i = 0; i < MULT_LUT_SIZE; i++)
        lut[i] = (uint16_t)(lut[i] + 5);
    mult_metrics m;
    mult_metrics_compute(lut, &m);
    near(m.mae, 5, 0);
    near(m.mae_pct, 5.0 / 65536 * 100, 1e-15);
    near(m.wce, 5, 0);
    near(m.ep_pct, 100, 0);
    near(m.bias, 5, 0);
    near(m.mse, 25, 0);
    near(m.var, 0, 0);
    /* mean over a, b >= 1 of 5 / (a b) = 5 (H_255 / 255)^2 */
    double h = 0;
    for (int k = 1; k <= 255; k++)
        h += 1.0 / k;
    near(m.mre_pct, 5 * (h / 255) * (h / 255) * 100, 1e-12);
    assert_false(mult_lut_zero_safe(lut));
}

static void single_entry(void **state)
{
    (void)state;
    fill_exact();
    lut[200 * 256 + 100] = (uint16_t)(20000 - 64);
    mult_metrics m;
    mult_metrics_compute(lut, &m);
    near(m.mae, 64.0 / 65536, 1e-15);
    near(m.wce, 64, 0);
    near(m.wce_pct, 64.0 / 65536 * 100, 1e-15);
    near(m.ep_pct, 100.0 / 65536, 1e-15);
    near(m.bias, -64.0 / 65536, 1e-15);
    near(m.var, 4096.0 / 65536 - (64.0 / 65536) * (64.0 / 65536), 1e-12);
    near(m.mre_pct, 64.0 / 20000 / (255.0 * 255.0) * 100, 1e-15);
}

static void truncated_columns(void **state)
{
    (void)state;
    /* Column 0 dropped: e = -a0 b0; P(e != 0) = 1/4. */
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            lut[a * 256 + b] = (uint16_t)(a * b - (a & b & 1));
    mult_metrics m;
    mult_metrics_compute(lut, &m);
    near(m.mae, 0.25, 0);
    near(m.wce, 1, 0);
    near(m.ep_pct, 25, 0);
    near(m.bias, -0.25, 0);
    near(m.var, 0.1875, 1e-15);
    /* Columns 0 and 1 dropped: e = -(a0b0 + 2 a1b0 + 2 a0b1). E|e| = 1/4 +
     * 2/4 + 2/4; max 5; e = 0 for 8 of the 16 (a0, a1, b0, b1) patterns;
     * E[e^2] = 1/4 + 1 + 1 + 4/8 + 4/8 + 8/16 = 3.75. */
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            int e = (a & b & 1) + 2 * ((a >> 1 & b & 1) + (a & b >> 1 & 1));
            lut[a * 256 + b] = (uint16_t)(a * b - e);
        }
    mult_metrics_compute(lut, &m);
    near(m.mae, 1.25, 0);
    near(m.wce, 5, 0);
    near(m.ep_pct, 50, 0);
    near(m.bias, -1.25, 0);
    near(m.mse, 3.75, 1e-15);
    near(m.var, 3.75 - 1.5625, 1e-15);
}

static void weighted(void **state)
{
    (void)state;
    fill_exact();
    lut[3 * 256 + 5] = 18;      /* +3 */
    lut[7 * 256 + 9] = 60;      /* -3 */
    lut[0 * 256 + 9] = 2;       /* +2, a = 0 */
    double ha[256] = {0}, hw[256] = {0};
    ha[3] = 10;
    hw[5] = 0.5;
    mult_metrics m;
    ax_err err = {0};
    assert_int_equal(mult_metrics_weighted(lut, ha, hw, &m, &err), AX_OK);
    near(m.mae, 3, 0);
    near(m.bias, 3, 0);
    near(m.wce, 3, 0);
    near(m.ep_pct, 100, 0);
    near(m.mre_pct, 20, 1e-12);
    near(m.var, 0, 1e-12);
    /* a in {0, 3, 7} with weights 1:1:2, b in {5, 9} with 1:3: pairs
     * (3,5) +3 w=1/16, (7,9) -3 w=6/16, (0,9) +2 w=3/16. */
    ha[0] = 1;
    ha[3] = 1;
    ha[7] = 2;
    hw[5] = 1;
    hw[9] = 3;
    assert_int_equal(mult_metrics_weighted(lut, ha, hw, &m, &err), AX_OK);
    near(m.mae, (3.0 + 18 + 6) / 16, 1e-12);
    near(m.bias, (3.0 - 18 + 6) / 16, 1e-12);
    near(m.wce, 3, 0);
    near(m.ep_pct, 10.0 / 16 * 100, 1e-12);
    /* MRE over non-zero products only: weights 1/16, 2/16, 6/16 (3x5, 3x9, 7x5), ... */
    double relw = (1 + 3 + 2 + 6) / 16.0; /* (3,5) (3,9) (7,5) (7,9) */
    near(m.mre_pct, (1.0 / 16 * 3 / 15 + 6.0 / 16 * 3 / 63) / relw * 100, 1e-12);
    /* Uniform histograms give the unweighted metrics. */
    for (int i = 0; i < 256; i++)
        ha[i] = hw[i] = 1;
    mult_metrics u;
    mult_metrics_compute(lut, &u);
    assert_int_equal(mult_metrics_weighted(lut, ha, hw, &m, &err), AX_OK);
    near(m.mae, u.mae, 1e-12);
    near(m.mre_pct, u.mre_pct, 1e-10);
    near(m.ep_pct, u.ep_pct, 1e-10);
    near(m.var, u.var, 1e-10);
    assert_false(mult_lut_zero_safe(lut));
}

static void bad_histograms(void **state)
{
    (void)state;
    fill_exact();
    double ha[256] = {0}, hw[256] = {0};
    mult_metrics m;
    ax_err err = {0};
    hw[1] = 1;
    assert_int_equal(mult_metrics_weighted(lut, ha, hw, &m, &err), AX_EINPUT);
    ha[4] = -1;
    assert_int_equal(mult_metrics_weighted(lut, ha, hw, &m, &err), AX_EINPUT);
    ha[4] = NAN;
    assert_int_equal(mult_metrics_weighted(lut, ha, hw, &m, &err), AX_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_table),       cmocka_unit_test(constant_offset),
        cmocka_unit_test(single_entry),      cmocka_unit_test(truncated_columns),
        cmocka_unit_test(weighted),          cmocka_unit_test(bad_histograms),
    };
    return cmocka_run_group_tests_name("mult_metrics", tests, NULL, NULL);
}
