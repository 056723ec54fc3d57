/* The systolic template (accel_model/systolic.h): its chip file, a layer
 * counted by hand on a 4 x 4 array with partial tiles and accumulator
 * chunks, the back-of-envelope utilisation of a 128 x 128 array on a
 * ResNet-50 layer, and a bank of whole arrays (area, leakage, knobs). */
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
#include "accel_model/energy.h"
#include "accel_model/layer.h"
#include "accel_model/net.h"
#include "accel_model/systolic.h"

static void chip_file(void **state)
{
    (void)state;
    accel_arch a, d;
    ax_err err = {0};
    /* configs/systolic.ini states the template's built-in defaults */
    assert_int_equal(accel_arch_load("configs/systolic.ini", &a, &err), AX_OK);
    accel_arch_default_systolic(&d);
    assert_int_equal(a.template_kind, ACCEL_TEMPLATE_SYSTOLIC);
    assert_int_equal(a.sa_rows, d.sa_rows);
    assert_int_equal(a.sa_cols, d.sa_cols);
    assert_true(a.ibuf_kib == d.ibuf_kib && a.wbuf_kib == d.wbuf_kib && a.abuf_kib == d.abuf_kib);
    assert_int_equal(a.abuf_width, d.abuf_width);
    assert_true(a.clock_mhz == d.clock_mhz && a.dram_gbs == d.dram_gbs);
    assert_string_equal(a.dram_type, "HBM2");
    /* the template may come last; the array stands in for lanes and units */
    assert_int_equal(accel_arch_load_string("[systolic]\nrows = 4\ncols = 8\naccumulator_bits = 24\n"
                                            "[chip]\ntemplate = systolic\n",
                                            "x.ini", &a, &err),
                     AX_OK);
    assert_int_equal(a.lanes, 4);
    assert_int_equal(a.vector_macs, 8);
    assert_int_equal(accel_arch_acc_bits(&a), 24);
    assert_int_equal(accel_arch_pes(&a) * accel_arch_chiplets(&a), 1);
    static const struct {
        const char *text, *expect;
    } bad[] = {
        {"[chip]\ntemplate = gpu\n", "x.ini:2: template: expected simba or systolic, got 'gpu'"},
        {"[chip]\ntemplate = systolic\n[pe]\nlanes = 4\n",
         "x.ini:4: section [pe] describes the simba template, but this chip is systolic"},
        {"[systolic]\nrows = 4\n", "x.ini:2: section [systolic] describes the systolic template, but this chip is simba"},
        {"[chip]\ntemplate = systolic\n[systolic]\naccumulator_bits = 4\n", "x.ini:4: accumulator_bits: expected"},
        {"[chip]\ntemplate = systolic\n[systolic]\nrows = 0\n", "x.ini:4: rows: expected an integer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        assert_int_equal(accel_arch_load_string(bad[i].text, "x.ini", &a, &err), AX_EINPUT);
        if (!strstr(err.msg, bad[i].expect))
            fail_msg("case %zu: '%s', expected '%s'", i, err.msg, bad[i].expect);
    }
}

/* A 4 x 4 array whose accumulators hold 4 rows of sums; a 3x3 conv, C = 2,
 * M = 6, 3 x 3 outputs: the reduction is 18 (5 row tiles, the last with 2
 * rows), 6 channels (2 column tiles, the last with 2 columns), 9 pixels (3
 * chunks: 4, 4, 1). */
static accel_arch small_array(void)
{
    accel_arch a;
    accel_arch_default_systolic(&a);
    a.sa_rows = a.sa_cols = 4;
    a.abuf_kib = 0.0625; /* 512 bits = 4 entries x 4 columns x 32 bits */
    a.abuf_width = 4 * 32;
    a.ibuf_width = a.wbuf_width = 32;
    a.clock_mhz = 1000;
    accel_arch_systolic_sync(&a);
    return a;
}

static void hand_counted_layer(void **state)
{
    (void)state;
    accel_arch a = small_array();
    ax_err err = {0};
    assert_int_equal(accel_arch_validate(&a, &err), AX_OK);
    accel_layer_shape l = accel_layer_make("c", 6, 2, 3, 3, 3, 3);
    accel_systolic_map m;
    accel_counts c;
    assert_int_equal(accel_systolic_map_layer(&a, &l, 0, 1, &m, &c, &err), AX_OK);
    assert_true(m.red == 18 && m.outc == 6 && m.pix == 9);
    assert_true(m.row_tiles == 5 && m.col_tiles == 2 && m.chunk == 4 && m.chunks == 3);
    assert_true(c.macs == 972);
    /* 2 column tiles x 5 row tiles x (4 + 4 + max(1, 4)) cycles, less the
     * 3 the layer's last pass need not wait for a next tile, then the
     * first weight load (4) and the last fill and drain (4 + 4 - 2) */
    assert_true(c.compute_cycles == 10 * 12 - 3 + 4 + 6);
    /* 108 weights: read into the array once per chunk, fetched once */
    assert_true(c.acc[ACCEL_LVL_PE][ACCEL_TW].reads == 324);
    assert_true(c.acc[ACCEL_LVL_PE][ACCEL_TW].fills == 108);
    assert_true(c.acc[ACCEL_LVL_DRAM][ACCEL_TW].reads == 108);
    /* im2col: every pixel reads its 18-element window per column tile */
    assert_true(c.acc[ACCEL_LVL_PE][ACCEL_TI].reads == 2 * 9 * 18);
    assert_true(c.acc[ACCEL_LVL_PE][ACCEL_TI].fills == 2 * 5 * 5); /* one copy of the padded 5 x 5 input */
    /* 54 outputs, 5 adds each; 4 read-modify-writes and one drain */
    assert_true(c.acc[ACCEL_LVL_PE][ACCEL_TO].updates == 270);
    assert_true(c.acc[ACCEL_LVL_PE][ACCEL_TO].reads == 270);
    assert_true(c.reg_bits == 972 * (8 + 32) + 324 * 8 * 2.5);
    assert_true(c.abuf_bits == 540 * 32);
    /* resident in the unified buffer: no DRAM traffic but the weights */
    assert_int_equal(m.act_resident, 1);
    assert_true(c.dram_bits == 108 * 8);
    assert_true(c.ibuf_bits == (324 + 54) * 8);
    /* the unified buffer's 32-bit read port needs 81 cycles, fewer than
     * the compute; the utilisation is that of the cycles */
    assert_true(fabs(c.util - 972.0 / (127 * 16)) < 1e-12);

    /* Weights that do not fit the FIFO are fetched once per chunk; an input
     * that does not fit the unified buffer is read once per column tile. */
    a.wbuf_kib = 0.0625; /* 64 weights */
    a.ibuf_kib = 0.0625; /* 64 activations: the 50 inputs do not fit half */
    assert_int_equal(accel_systolic_map_layer(&a, &l, 0, 1, &m, &c, &err), AX_OK);
    assert_true(c.acc[ACCEL_LVL_DRAM][ACCEL_TW].reads == 324);
    assert_int_equal(m.act_resident, 0);
    assert_int_equal(m.input_passes, 2);
    assert_true(c.acc[ACCEL_LVL_DRAM][ACCEL_TI].reads == 100);
    assert_true(c.acc[ACCEL_LVL_PE][ACCEL_TI].fills == 100); /* a copy per column tile */
    assert_true(c.acc[ACCEL_LVL_DRAM][ACCEL_TO].updates == 54);
    assert_true(c.dram_bits == (324 + 100 + 54) * 8);
    /* pinned: no weight moves from DRAM */
    assert_int_equal(accel_systolic_map_layer(&a, &l, 1, 1, &m, &c, &err), AX_OK);
    assert_true(c.acc[ACCEL_LVL_DRAM][ACCEL_TW].reads == 0);

    a.abuf_kib = 0.0078125; /* 64 bits: not one row of four 32-bit sums */
    a.abuf_width = 4 * 32;
    assert_int_equal(accel_systolic_map_layer(&a, &l, 0, 1, &m, &c, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "hold no row"));
}

/* The sanity figure of docs/systolic.md: a ResNet-50 res3 3x3 conv (28 x 28,
 * 128 -> 128 channels) on 128 x 128: 9 row tiles of 128, one column tile,
 * 784 pixels: 9 x 784 + 128 + 254 = 7,438 cycles for 115.6 M MACs, 94.9 %
 * of the array. */
static void resnet50_layer_utilisation(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default_systolic(&a);
    accel_layer_shape l = accel_layer_make("res3", 128, 128, 28, 28, 3, 3);
    accel_systolic_map m;
    accel_counts c;
    ax_err err = {0};
    assert_int_equal(accel_systolic_map_layer(&a, &l, 1, 1, &m, &c, &err), AX_OK);
    assert_true(m.row_tiles == 9 && m.col_tiles == 1 && m.chunks == 1);
    assert_true(c.compute_cycles == 9 * 784 + 128 + 254);
    assert_true(c.cycles == c.compute_cycles);
    assert_true(c.macs == 115605504.0);
    assert_true(fabs(c.util - 115605504.0 / (7438.0 * 16384)) < 1e-12);
    print_message("    res3 3x3 conv on 128 x 128: %.0f cycles, util %.3f\n", c.cycles, c.util);
    assert_true(c.util > 0.94 && c.util < 0.95);
}

/* A bank of two whole arrays: the area counts two arrays of cells and both
 * multiplier designs; ungated, the idle array's cells and multipliers leak;
 * the swing knob is refused (no NoC). */
static void bank_of_arrays(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default_systolic(&a);
    accel_layer_shape layers[2] = {accel_layer_make("a", 64, 64, 14, 14, 3, 3),
                                   accel_layer_make("b", 10, 64, 1, 1, 1, 1)};
    accel_mult_cost mults[2] = {accel_mult_cost_exact(), accel_mult_cost_from_power(0.2, 300, 1.0)};
    accel_net *net = NULL;
    ax_err err = {0};
    assert_int_equal(accel_net_create(&a, layers, 2, mults, 2, ACCEL_OBJ_ENERGY, &net, &err), AX_OK);
    assert_int_equal(accel_net_pinned(net), 1);
    assert_null(accel_net_mapping(net, 0));
    assert_non_null(accel_net_systolic_map(net, 0));
    const accel_energies *e = accel_net_energies(net);
    int one[2] = {0, 0}, two[2] = {0, 1};
    accel_design d = {.layer_mult = one, .volts = accel_voltages_nominal(&a)};
    accel_result r1, r2, r2g;
    memset(&r1, 0, sizeof r1);
    r2 = r2g = r1;
    assert_int_equal(accel_net_eval(net, &d, &r1, &err), AX_OK);
    d.layer_mult = two;
    assert_int_equal(accel_net_eval(net, &d, &r2, &err), AX_OK);
    d.gate_idle = 1;
    assert_int_equal(accel_net_eval(net, &d, &r2g, &err), AX_OK);
    double cells = 128.0 * 128;
    double d_area = cells * (e->mac_addreg_um2 + 300 * e->afactor) * 1e-6;
    print_message("    one exact array %.3f mm^2, plus a second array %.3f mm^2\n", r1.area_mm2, d_area);
    assert_true(fabs(r2.area_mm2 - r1.area_mm2 - d_area) < 1e-9 * r1.area_mm2);
    assert_true(r2g.area_mm2 == r2.area_mm2);
    /* gating removes the idle array's leakage: less leakage than ungated */
    assert_true(r2g.comp_pj[ACCEL_E_LEAK] < r2.comp_pj[ACCEL_E_LEAK]);
    assert_true(r2.comp_pj[ACCEL_E_NOC] == 0 && r2.comp_pj[ACCEL_E_GBUF] == 0);
    d.volts.noc_swing = 0.5;
    assert_int_equal(accel_net_eval(net, &d, &r2, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "no NoC"));
    accel_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chip_file),
        cmocka_unit_test(hand_counted_layer),
        cmocka_unit_test(resnet50_layer_utilisation),
        cmocka_unit_test(bank_of_arrays),
    };
    return cmocka_run_group_tests_name("systolic", tests, NULL, NULL);
}
