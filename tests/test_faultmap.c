/* Voltage knobs -> flip rates (fitness/emu/faultmap.h), against the
 * formulas of approx/fault.h evaluated here on their own:
 *   link:  BER(Vs) = 1/2 erfc(Vs / (2 sqrt 2 sigma)), sigma from the
 *          nominal swing and BER (solved here by bisection), on the lowest
 *          noc_bits bits; over h links 1 - (1 - BER)^h;
 *   SRAM:  p(V) = Phi((v0 - V/V_nominal) / s) on all 8 bits;
 * the published points they rest on (Sun et al. 2017: 0.23 % at 0.55 V and
 * 1.56 % at 0.50 V of a 1.0 V SRAM; half swing ~2.2e-4), zero rates at the
 * nominal point, monotonicity, and the mesh links per datum taken from the
 * chip model's access counts. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "accel_model/arch.h"
#include "accel_model/layer.h"
#include "accel_model/map.h"
#include "accel_model/net.h"
#include "approx/fault.h"
#include "fitness/emu/faultmap.h"

#define REL_NEAR(a, b, tol)                                                                        \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol) * fabs(b_)))                                                  \
            fail_msg("%s = %.12g, want %.12g (rel. tol %g)", #a, a_, b_, (double)(tol));           \
    } while (0)

/* x with 1/2 erfc(x) = ber, by bisection (erfc decreases). */
static double erfc_inverse_half(double ber)
{
    double lo = 0, hi = 20;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(mid) > ber)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Reference link BER at swing vs given the nominal swing and its BER. */
static double ref_ber(double vs, double vs_nominal, double ber_nominal)
{
    double sigma = vs_nominal / (2 * sqrt(2.0) * erfc_inverse_half(ber_nominal));
    return 0.5 * erfc(vs / (2 * sqrt(2.0) * sigma));
}

/* Probability that a bit crossing h links arrives flipped, 1 - (1 - ber)^h:
 * directly when ber is large enough for pow to keep 1e-12, else the
 * binomial series h b - C(h,2) b^2 + C(h,3) b^3 (next term ~ b^4). */
static double ref_links(double ber, double h)
{
    if (ber > 1e-4)
        return 1 - pow(1 - ber, h);
    return h * ber - h * (h - 1) / 2 * ber * ber + h * (h - 1) * (h - 2) / 6 * ber * ber * ber;
}

/* Reference SRAM failure probability, the probit curve. */
static double ref_sram(double v, double v_nominal, double v0, double s)
{
    double z = (v0 - v / v_nominal) / s;
    return 0.5 * erfc(-z / sqrt(2.0)); /* Phi(z) */
}

/* Finds in spec a class with this mask and probability (relative
 * tolerance tol), not yet used; fails otherwise. */
static void expect_class(const emu_flip_spec *s, int *used, uint32_t mask, double p, double tol)
{
    for (int i = 0; i < s->n; i++)
        if (!(*used >> i & 1) && s->cls[i].mask == mask && fabs(s->cls[i].p - p) <= tol * p) {
            *used |= 1 << i;
            return;
        }
    fail_msg("no class (mask %#x, p %.6g) among %d", (unsigned)mask, p, s->n);
}

/* Sum of the rates of classes with a nonzero mask. */
static double total_p(const emu_flip_spec *s)
{
    double t = 0;
    for (int i = 0; i < s->n; i++)
        t += s->cls[i].mask ? s->cls[i].p : 0;
    return t;
}

static fault_sram *default_sram(void)
{
    fault_sram *m = fault_sram_create_probit(FAULT_SRAM_V0, FAULT_SRAM_S, NULL);
    assert_non_null(m);
    return m;
}

static void rates_follow_the_formulas(void **state)
{
    (void)state;
    fault_sram *sram = default_sram();
    /* The default chip: SRAM nominal 0.8 V, link swing 0.8 V at 1e-12. */
    fmap_model m = {sram, 0.8, 0.8, FAULT_LINK_BER_NOMINAL};
    const double swings[] = {0.3, 0.4, 0.5, 0.6, 0.7};
    const double volts[] = {0.36, 0.40, 0.44, 0.48, 0.56, 0.64};
    const double links[] = {1, 2.5, 7};
    const int bits[] = {1, 4, 8};
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 6; b++)
            for (int c = 0; c < 3; c++)
                for (int d = 0; d < 3; d++) {
                    fmap_knobs k = {volts[b], volts[b], swings[a], bits[d]};
                    emu_flip_spec s = fmap_spec(&m, &k, volts[b], links[c]);
                    double ber = ref_ber(swings[a], 0.8, 1e-12);
                    double p_link = ref_links(ber, links[c]);
                    double p_sram = ref_sram(volts[b], 0.8, FAULT_SRAM_V0, FAULT_SRAM_S);
                    assert_int_equal(s.n, 2);
                    int used = 0;
                    expect_class(&s, &used, (1u << bits[d]) - 1, p_link, 1e-9);
                    expect_class(&s, &used, 0xFFu, p_sram, 1e-9);
                }
    fault_sram_free(sram);
}

static void published_points(void **state)
{
    (void)state;
    fault_sram *sram = default_sram();
    /* Sun et al. 2017 on a 1.0 V SRAM: 0.23 % at 0.55 V, 1.56 % at 0.50 V;
     * the curve is on V / V_nominal, so 0.44 V of a 0.8 V SRAM (0.55) gives
     * the first. No link class: noc_bits = 0. */
    fmap_model m = {sram, 1.0, 1.0, FAULT_LINK_BER_NOMINAL};
    fmap_knobs k = {0.55, 0.55, 0.5, 0};
    emu_flip_spec s = fmap_spec(&m, &k, 0.55, 1);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.cls[0].mask, 0xFF);
    REL_NEAR(s.cls[0].p, 0.0023, 0.01);
    s = fmap_spec(&m, &k, 0.50, 1);
    REL_NEAR(s.cls[0].p, 0.0156, 0.01);
    fmap_model m8 = {sram, 0.8, 0.8, FAULT_LINK_BER_NOMINAL};
    s = fmap_spec(&m8, &k, 0.44, 1);
    REL_NEAR(s.cls[0].p, 0.0023, 0.01);

    /* Link: nominal swing / sigma = 14.069 at 1e-12, so half swing gives
     * 1/2 erfc(7.0345 / (2 sqrt 2)) = 2.18e-4 on each of the low bits; over
     * 3 links 1 - (1 - 2.18e-4)^3 = 6.54e-4. No SRAM class: v_sram = 0. */
    fmap_knobs half = {0.8, 0.8, 0.4, 4};
    s = fmap_spec(&m8, &half, 0.0, 1);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.cls[0].mask, 0x0F);
    REL_NEAR(s.cls[0].p, 2.18e-4, 0.01);
    s = fmap_spec(&m8, &half, 0.0, 3);
    REL_NEAR(s.cls[0].p, 6.54e-4, 0.01);

    /* A table curve, by hand: points (0.5, 1e-2), (0.6, 1e-4), (0.8, 1e-8),
     * log-linear. 0.48 V of 0.8 V is 0.6: 1e-4 exactly; 0.56 V is 0.7,
     * halfway in log between 1e-4 and 1e-8: 1e-6. */
    const double tv[3] = {0.5, 0.6, 0.8}, tp[3] = {1e-2, 1e-4, 1e-8};
    fault_sram *table = fault_sram_create_table(3, tv, tp, NULL);
    assert_non_null(table);
    fmap_model mt = {table, 0.8, 0.8, FAULT_LINK_BER_NOMINAL};
    fmap_knobs none = {0.8, 0.8, 0.8, 8};
    s = fmap_spec(&mt, &none, 0.48, 1);
    assert_int_equal(s.n, 1);
    REL_NEAR(s.cls[0].p, 1e-4, 1e-9);
    s = fmap_spec(&mt, &none, 0.56, 1);
    REL_NEAR(s.cls[0].p, 1e-6, 1e-9);
    fault_sram_free(table);
    fault_sram_free(sram);
}

static void nominal_gives_exact_zero(void **state)
{
    (void)state;
    fault_sram *sram = default_sram();
    fmap_model m = {sram, 0.8, 0.8, FAULT_LINK_BER_NOMINAL};
    /* At the nominal point, and above it: no class with a rate. */
    const fmap_knobs at[] = {
        {0.8, 0.8, 0.8, 8},
        {0.9, 1.0, 0.9, 8},  /* above nominal */
        {0.8, 0.8, 0.3, 0},  /* low swing on no bit */
        {0.8, 0.8, 0.3, -3}, /* negative bit count: none */
    };
    for (int i = 0; i < 4; i++) {
        for (int w = 0; w < 3; w++) {
            double v = w == 0 ? at[i].v_weight : w == 1 ? at[i].v_input : 0.0;
            emu_flip_spec s = fmap_spec(&m, &at[i], v, 5);
            assert_true(total_p(&s) == 0.0);
            assert_int_equal(fmap_any(&s, 1), 0);
        }
        emu_flip_spec wt[2], in[2], out[2];
        fmap_layers(&m, &at[i], 2, NULL, wt, in, out);
        assert_int_equal(fmap_any(wt, 2) + fmap_any(in, 2) + fmap_any(out, 2), 0);
    }
    /* More than 8 bits is all 8: mask 0xFF. */
    fmap_knobs k = {0.8, 0.8, 0.5, 12};
    emu_flip_spec s = fmap_spec(&m, &k, 0.8, 1);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.cls[0].mask, 0xFF);
    REL_NEAR(s.cls[0].p, ref_ber(0.5, 0.8, 1e-12), 1e-9);
    /* fmap_any: a class with p > 0 and a mask counts; p = 0 or mask 0
     * does not. */
    emu_flip_spec z[2] = {{1, {{0xFF, 0.0}, {0, 0}, {0, 0}}}, {1, {{0, 0.5}, {0, 0}, {0, 0}}}};
    assert_int_equal(fmap_any(z, 2), 0);
    z[1].cls[0].mask = 1;
    assert_int_equal(fmap_any(z, 2), 1);
    assert_int_equal(fmap_any(z, 1), 0);
    assert_int_equal(fmap_any(z, 0), 0);
    fault_sram_free(sram);
}

static void monotone_in_voltage_and_links(void **state)
{
    (void)state;
    fault_sram *sram = default_sram();
    fmap_model m = {sram, 0.8, 0.8, FAULT_LINK_BER_NOMINAL};
    /* Lower swing: more link flips; lower supply: more cell failures;
     * more links: more flips; strictly, while below nominal. */
    double prev = 0;
    for (double sw = 0.79; sw > 0.1; sw -= 0.01) {
        fmap_knobs k = {0.8, 0.8, sw, 8};
        emu_flip_spec s = fmap_spec(&m, &k, 0.0, 1);
        assert_int_equal(s.n, 1);
        double p = s.cls[0].p;
        assert_true(p > prev);
        prev = p;
    }
    prev = 0;
    for (double v = 0.79; v > 0.3; v -= 0.01) {
        fmap_knobs k = {v, v, 0.8, 8};
        emu_flip_spec s = fmap_spec(&m, &k, v, 1);
        assert_int_equal(s.n, 1);
        assert_true(s.cls[0].p > prev);
        prev = s.cls[0].p;
    }
    prev = 0;
    fmap_knobs k = {0.8, 0.8, 0.45, 4};
    for (double h = 1; h <= 12; h += 0.5) {
        double p = fmap_spec(&m, &k, 0.0, h).cls[0].p;
        assert_true(p > prev);
        prev = p;
    }
    /* Fewer than one link counts as one. */
    assert_true(fmap_spec(&m, &k, 0.0, 0.25).cls[0].p == fmap_spec(&m, &k, 0.0, 1).cls[0].p);
    assert_true(fmap_spec(&m, &k, 0.0, 0.0).cls[0].p == fmap_spec(&m, &k, 0.0, 1).cls[0].p);
    fault_sram_free(sram);
}

static void layers_use_their_knobs_and_links(void **state)
{
    (void)state;
    fault_sram *sram = default_sram();
    fmap_model m = {sram, 0.8, 0.8, FAULT_LINK_BER_NOMINAL};
    /* Weights at 0.44 V, inputs at 0.52 V, swing 0.5 on 3 bits; layer 0
     * crosses (2, 3, 4) links, layer 1 (1, 1, 1). */
    fmap_knobs k = {0.52, 0.44, 0.5, 3};
    fmap_links ln[2] = {{2, 3, 4}, {1, 1, 1}};
    emu_flip_spec wt[2], in[2], out[2];
    fmap_layers(&m, &k, 2, ln, wt, in, out);
    double ber = ref_ber(0.5, 0.8, 1e-12);
    for (int l = 0; l < 2; l++) {
        int used = 0;
        assert_int_equal(wt[l].n, 2);
        expect_class(&wt[l], &used, 0x7, ref_links(ber, ln[l].weights), 1e-9);
        expect_class(&wt[l], &used, 0xFF, ref_sram(0.44, 0.8, FAULT_SRAM_V0, FAULT_SRAM_S), 1e-9);
        used = 0;
        assert_int_equal(in[l].n, 2);
        expect_class(&in[l], &used, 0x7, ref_links(ber, ln[l].inputs), 1e-9);
        expect_class(&in[l], &used, 0xFF, ref_sram(0.52, 0.8, FAULT_SRAM_V0, FAULT_SRAM_S), 1e-9);
        /* Outputs rest in no undervolted buffer: the link only. */
        used = 0;
        assert_int_equal(out[l].n, 1);
        expect_class(&out[l], &used, 0x7, ref_links(ber, ln[l].outputs), 1e-9);
    }
    /* NULL links: one each, as layer 1 above. */
    emu_flip_spec wt1[2], in1[2], out1[2];
    fmap_layers(&m, &k, 2, NULL, wt1, in1, out1);
    for (int l = 0; l < 2; l++) {
        assert_memory_equal(&wt1[l], &wt[1], sizeof wt[1]);
        assert_memory_equal(&in1[l], &in[1], sizeof in[1]);
        assert_memory_equal(&out1[l], &out[1], sizeof out[1]);
    }
    fault_sram_free(sram);
}

/* ---- links per datum from the chip model -------------------------------- */

static accel_net *small_net(const accel_arch *a, accel_layer_shape *shapes, size_t *n)
{
    shapes[0] = accel_layer_make("conv", 8, 4, 6, 6, 3, 3);
    shapes[1] = accel_layer_make("conv2", 16, 8, 4, 4, 3, 3);
    shapes[2] = accel_layer_make("fc", 10, 256, 1, 1, 1, 1);
    *n = 3;
    accel_mult_cost exact = accel_mult_cost_exact();
    accel_net *net = NULL;
    ax_err err = {0};
    if (accel_net_create(a, shapes, 3, &exact, 1, ACCEL_OBJ_ENERGY, &net, &err) != AX_OK)
        fail_msg("accel_net_create: %s", err.msg);
    return net;
}

/* Per delivered copy, a tensor's links are its NoC word-hops over the
 * copies written into PE buffers (pe fills): hops_per_transfer x
 * transfers / copies of dataflow.h simplifies to that. Outputs: word-hops
 * over words (unicast). Values below 1 become 1; weights that never cross
 * the NoC in the counted inference (pinned) get 1. */
static void expect_links(const accel_net *net)
{
    size_t L = accel_net_layers(net);
    fmap_links got[8];
    assert_true(L <= 8);
    fmap_links_of(net, got);
    for (size_t l = 0; l < L; l++) {
        const accel_counts *c = accel_net_counts(net, l);
        double wf = c->acc[ACCEL_LVL_PE][ACCEL_TW].fills, inf = c->acc[ACCEL_LVL_PE][ACCEL_TI].fills;
        double w = c->noc_words[ACCEL_NOC_W] > 0 && wf > 0 ? c->noc_word_hops[ACCEL_NOC_W] / wf : 1;
        double in = inf > 0 ? c->noc_word_hops[ACCEL_NOC_I] / inf : 1;
        double out = c->noc_words[ACCEL_NOC_OFINAL] > 0
                         ? c->noc_word_hops[ACCEL_NOC_OFINAL] / c->noc_words[ACCEL_NOC_OFINAL]
                         : 1;
        REL_NEAR(got[l].weights, fmax(1, w), 1e-12);
        REL_NEAR(got[l].inputs, fmax(1, in), 1e-12);
        REL_NEAR(got[l].outputs, fmax(1, out), 1e-12);
        assert_true(got[l].weights >= 1 && got[l].inputs >= 1 && got[l].outputs >= 1);
    }
}

static void links_from_the_mapping(void **state)
{
    (void)state;
    accel_layer_shape shapes[3];
    size_t n;
    /* One PE: every word crosses the one link from the global buffer
     * port (test_accel_map.c, fixed_mapping_one_mac): 1 link each. */
    accel_arch one;
    accel_arch_default(&one);
    one.pe_x = one.pe_y = 1;
    one.pin_weights = 0;
    accel_net *net = small_net(&one, shapes, &n);
    fmap_links ln[3];
    fmap_links_of(net, ln);
    for (int l = 0; l < 3; l++) {
        assert_true(ln[l].weights == 1.0);
        assert_true(ln[l].inputs == 1.0);
        assert_true(ln[l].outputs == 1.0);
        /* and the counts agree: as many word-hops as fills */
        const accel_counts *c = accel_net_counts(net, (size_t)l);
        REL_NEAR(c->noc_word_hops[ACCEL_NOC_I], c->acc[ACCEL_LVL_PE][ACCEL_TI].fills, 1e-12);
    }
    expect_links(net);
    accel_net_free(net);

    /* The default 4x4 mesh, weights loaded per inference, then pinned. */
    accel_arch a;
    accel_arch_default(&a);
    a.pin_weights = 0;
    net = small_net(&a, shapes, &n);
    expect_links(net);
    /* A 4x4 mesh spreads some tensor over more than one link per copy. */
    fmap_links_of(net, ln);
    double most = 0;
    for (int l = 0; l < 3; l++)
        most = fmax(most, fmax(ln[l].weights, fmax(ln[l].inputs, ln[l].outputs)));
    print_message("    4x4 mesh: most links per datum %.3f\n", most);
    assert_true(most > 1.0);
    accel_net_free(net);

    accel_arch_default(&a);
    a.pin_weights = 1;
    net = small_net(&a, shapes, &n);
    expect_links(net);
    /* These weights fit the buffers: pinned, they cross no NoC link in the
     * counted inference, and count one link (loaded once). */
    assert_true(accel_net_pinned(net));
    fmap_links_of(net, ln);
    for (int l = 0; l < 3; l++) {
        assert_true(accel_net_counts(net, (size_t)l)->noc_words[ACCEL_NOC_W] == 0);
        assert_true(ln[l].weights == 1.0);
    }
    accel_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_follow_the_formulas),
        cmocka_unit_test(published_points),
        cmocka_unit_test(nominal_gives_exact_zero),
        cmocka_unit_test(monotone_in_voltage_and_links),
        cmocka_unit_test(layers_use_their_knobs_and_links),
        cmocka_unit_test(links_from_the_mapping),
    };
    return cmocka_run_group_tests_name("faultmap", tests, NULL, NULL);
}
