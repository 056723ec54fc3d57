/* netlist: folding and hashing, truth tables, hand-computed delay, area and
 * switching energy (with and without a glitch that the inertial delay
 * model must keep or swallow). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "approx/cell45.h"
#include "approx/netlist.h"

static void folding_and_hashing(void **state)
{
    (void)state;
    nl_netlist *nl = nl_create(2, 1);
    assert_non_null(nl);
    nl_sig x = nl_input(nl, 0), y = nl_input(nl, 1);
    assert_int_equal(nl_and2(nl, x, NL_ZERO), NL_ZERO);
    assert_int_equal(nl_and2(nl, x, NL_ONE), x);
    assert_int_equal(nl_or2(nl, x, NL_ONE), NL_ONE);
    assert_int_equal(nl_xor2(nl, x, x), NL_ZERO);
    assert_int_equal(nl_inv(nl, nl_inv(nl, x)), x);
    assert_int_equal(nl_and2(nl, x, nl_inv(nl, x)), NL_ZERO);
    assert_int_equal(nl_and2(nl, x, y), nl_and2(nl, y, x));
    assert_int_equal(nl_mux2(nl, x, NL_ZERO, NL_ONE), x);
    nl_sig s, c;
    nl_fa(nl, x, NL_ZERO, y, &s, &c); /* becomes a half adder */
    nl_set_output(nl, 0, nl_or2(nl, s, c));
    ax_err err = {0};
    assert_int_equal(nl_finalize(nl, &err), AX_OK);
    nl_stats st;
    nl_get_stats(nl, &st);
    /* Live: the HA and the OR; the AND, INV and the folded gates are dead. */
    assert_int_equal(st.cells_of[C45_HA], 1);
    assert_int_equal(st.cells_of[C45_OR2], 1);
    assert_int_equal(st.cells, 2);
    assert_true(st.area_um2 > 2.660 + 1.064 - 1e-9 && st.area_um2 < 2.660 + 1.064 + 1e-9);
    nl_free(nl);
}

static void full_adder_truth_table(void **state)
{
    (void)state;
    nl_netlist *nl = nl_create(3, 2);
    nl_sig s, c;
    nl_fa(nl, nl_input(nl, 0), nl_input(nl, 1), nl_input(nl, 2), &s, &c);
    nl_set_output(nl, 0, s);
    nl_set_output(nl, 1, c);
    ax_err err = {0};
    assert_int_equal(nl_finalize(nl, &err), AX_OK);
    uint64_t in[3] = {0xAA, 0xCC, 0xF0}, out[2], scratch[64];
    assert_true(nl_eval_scratch(nl) <= 64);
    nl_eval64(nl, in, out, scratch);
    for (int l = 0; l < 8; l++) {
        int n = (l & 1) + (l >> 1 & 1) + (l >> 2 & 1);
        assert_int_equal(out[0] >> l & 1, n & 1);
        assert_int_equal(out[1] >> l & 1, n >> 1);
    }
    nl_free(nl);
}

static void unset_output_is_an_error(void **state)
{
    (void)state;
    nl_netlist *nl = nl_create(1, 2);
    nl_set_output(nl, 0, nl_input(nl, 0));
    ax_err err = {0};
    assert_int_equal(nl_finalize(nl, &err), AX_EINPUT);
    nl_free(nl);
    nl_free(NULL);
}

static void delay_by_hand(void **state)
{
    (void)state;
    /* and2(and2(a, b), c): the first AND2 drives one AND2 pin (0.95 fF) and
     * a fanout-1 wire (0.1774 * 1.7460 fF); the second drives a product
     * register pin (1.14 fF) and the same wire. d = 29.5 + 2.1 C ps. */
    nl_netlist *nl = nl_create(3, 1);
    nl_set_output(nl, 0, nl_and2(nl, nl_and2(nl, nl_input(nl, 0), nl_input(nl, 1)), nl_input(nl, 2)));
    ax_err err = {0};
    assert_int_equal(nl_finalize(nl, &err), AX_OK);
    nl_stats st;
    nl_get_stats(nl, &st);
    double wire = 0.1774 * 1.7460;
    double d = (29.5 + 2.1 * (0.95 + wire)) + (29.5 + 2.1 * (1.14 + wire));
    assert_true(st.delay_ps > d - 1e-9 && st.delay_ps < d + 1e-9);
    assert_true(st.leakage_nw > 2 * 25.07 - 1e-9 && st.leakage_nw < 2 * 25.07 + 1e-9);
    nl_free(nl);
}

static void xor_toggles_every_cycle(void **state)
{
    (void)state;
    nl_netlist *nl = nl_create(2, 1);
    nl_set_output(nl, 0, nl_xor2(nl, nl_input(nl, 0), nl_input(nl, 1)));
    ax_err err = {0};
    assert_int_equal(nl_finalize(nl, &err), AX_OK);
    /* x alternates 0,1,0,1... over 64 vectors (cyclic), y = 0: the output
     * toggles on every one of the 64 transitions. */
    uint64_t in[2] = {0xAAAAAAAAAAAAAAAAULL, 0};
    nl_switching sw;
    assert_int_equal(nl_simulate_switching(nl, in, 1, &sw, &err), AX_OK);
    assert_int_equal(sw.transitions, 64);
    assert_true(sw.toggles == 64 && sw.func_toggles == 64);
    double c = 1.14 + 0.1774 * 1.7460;
    double e = 64 * (3.40 + 0.5 * c * CELL45_VDD * CELL45_VDD);
    assert_true(sw.energy_fj > e - 1e-9 && sw.energy_fj < e + 1e-9);
    nl_free(nl);
}

/* out = x XOR and(...and(x, y)..., y) with y = 1: logically 0, but the AND
 * chain delays one XOR input, so each switch of x makes a pulse as long as
 * the chain. A 1-AND chain (30 ps) is shorter than the XOR2's own delay
 * (about 40 ps) and is swallowed; a 2-AND chain passes as two toggles. */
static void glitches(int chain, double *toggles, double *func)
{
    nl_netlist *nl = nl_create(2, 1);
    nl_sig x = nl_input(nl, 0), y = nl_input(nl, 1), t = x;
    for (int i = 0; i < chain; i++)
        t = nl_and2(nl, t, y);
    nl_set_output(nl, 0, nl_xor2(nl, x, t));
    ax_err err = {0};
    assert_int_equal(nl_finalize(nl, &err), AX_OK);
    uint64_t in[2] = {0xAAAAAAAAAAAAAAAAULL, ~0ULL};
    nl_switching sw;
    assert_int_equal(nl_simulate_switching(nl, in, 1, &sw, &err), AX_OK);
    *toggles = sw.toggles;
    *func = sw.func_toggles;
    nl_free(nl);
}

static void inertial_glitch_model(void **state)
{
    (void)state;
    double tog, func;
    glitches(1, &tog, &func);
    assert_true(func == 64 && tog == 64); /* only the AND toggles */
    glitches(2, &tog, &func);
    assert_true(func == 128);             /* two ANDs */
    assert_true(tog == 128 + 2 * 64);     /* plus a 0-1-0 pulse per transition */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folding_and_hashing),   cmocka_unit_test(full_adder_truth_table),
        cmocka_unit_test(unset_output_is_an_error), cmocka_unit_test(delay_by_hand),
        cmocka_unit_test(xor_toggles_every_cycle), cmocka_unit_test(inertial_glitch_model),
    };
    return cmocka_run_group_tests_name("mult_netlist", tests, NULL, NULL);
}
