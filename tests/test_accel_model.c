/* The chip model's inputs (architecture INI, layer TSV), derived energies
 * against their published sources, and the network evaluation: knobs,
 * sums, bank-constrained designs, thread safety, and the sanity figure
 * against Simba (0.11 pJ/op at best, 16 nm). */
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
#include "accel_model/tech.h"

static void arch_errors_name_file_and_line(void **state)
{
    (void)state;
    accel_arch a;
    ax_err err = {0};
    assert_int_equal(accel_arch_load_string("[pe]\nlanes = 4\n", "x.ini", &a, &err), AX_OK);
    assert_int_equal(a.lanes, 4);
    assert_int_equal(a.vector_macs, 8); /* default kept */
    static const struct {
        const char *text, *expect;
    } bad[] = {
        {"[pe]\nlanes = 4\nbogus = 1\n", "x.ini:3: unknown key 'bogus'"},
        {"[nope]\nx = 1\n", "x.ini:2: unknown section [nope]"},
        {"[technology]\n\nvdd = fast\n", "x.ini:3: vdd: expected a number"},
        {"[pe]\nmesh_x = 0\n", "x.ini:2: mesh_x: expected an integer"},
        {"[pe]\nlanes = 4\nlanes = 8\n", "x.ini:3: key 'lanes' in [pe] given twice"},
        {"[dram]\ntype = SDRAM\n", "x.ini:2: type: expected LPDDR4, HBM2 or DDR3"},
        {"[pe\n", "x.ini:1: syntax error"},
        {"[technology]\nnode_nm = 12\n", "x.ini: node_nm = 12"},
        {"[pe]\naccum_buffer_width = 100\n", "x.ini: accum_buffer_width = 100"},
        {"\xEF\xBB\xBF[pe]\nlanes = 4\n[noc]\n  [pe]\nvector_macs = 4\n",
         "x.ini:4: section [pe] opened again (first at line 1)"},
        {"[pe]\ninput_buffer_kib = 0.0625\ninput_buffer_width = 1024\n",
         "x.ini: input_buffer: a word of 1024 bits is larger than the whole buffer (0.0625 KiB = 512 bits)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ax_err_clear(&err);
        assert_int_equal(accel_arch_load_string(bad[i].text, "x.ini", &a, &err), AX_EINPUT);
        if (!strstr(err.msg, bad[i].expect))
            fail_msg("got '%s', expected '%s'", err.msg, bad[i].expect);
    }
    assert_int_equal(accel_arch_load("/nonexistent/arch.ini", &a, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "/nonexistent/arch.ini"));
}

static void shipped_config_is_the_default(void **state)
{
    (void)state;
    accel_arch file, def;
    ax_err err = {0};
    assert_int_equal(accel_arch_load("configs/simba.ini", &file, &err), AX_OK);
    accel_arch_default(&def);
    assert_memory_equal(&file, &def, sizeof def);
}

static void layer_tsv_parsing(void **state)
{
    (void)state;
    accel_layer_shape *l;
    size_t n;
    ax_err err = {0};
    const char *ok = "# comment\nname\tR\tS\tM\tC\tP\tQ\tgroups\tstride_h\ndw\t3\t3\t32\t1\t7\t7\t32\t2\n";
    assert_int_equal(accel_layers_parse(ok, "l.tsv", &l, &n, &err), AX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].name, "dw");
    assert_int_equal(l[0].groups, 32);
    assert_int_equal(l[0].stride_h, 2);
    assert_int_equal(l[0].stride_w, 1);
    assert_int_equal(l[0].psum_bits, 24);
    free(l);
    static const struct {
        const char *text, *expect;
    } bad[] = {
        {"name\tM\tC\tP\tQ\tR\n", "l.tsv:1: header lacks the column 'S'"},
        {"name\tM\tC\tP\tQ\tR\tS\tfoo\n", "l.tsv:1: unknown column 'foo'"},
        {"name\tM\tC\tP\tQ\tR\tS\nx\t1\t1\t1\t1\t1\n", "l.tsv:2: expected 7 tab-separated"},
        {"name\tM\tC\tP\tQ\tR\tS\nx\t1\t1\tz\t1\t1\t1\n", "l.tsv:2: column P: expected"},
        {"name\tM\tC\tP\tQ\tR\tS\tgroups\nx\t6\t1\t1\t1\t1\t1\t4\n", "l.tsv:2: layer 'x': M = 6"},
        {"name\tM\tC\tP\tQ\tR\tS\n", "expected at least one layer"},
        {"# only\n", "expected a header line"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ax_err_clear(&err);
        assert_int_equal(accel_layers_parse(bad[i].text, "l.tsv", &l, &n, &err), AX_EINPUT);
        if (!strstr(err.msg, bad[i].expect))
            fail_msg("got '%s', expected '%s'", err.msg, bad[i].expect);
    }
    /* The shipped networks: hand-counted MACs. */
    assert_int_equal(accel_layers_load("configs/layers_lenet5_fmnist.tsv", &l, &n, &err), AX_OK);
    double macs = 0;
    for (size_t i = 0; i < n; i++)
        macs += accel_layer_macs(&l[i]);
    assert_int_equal(n, 5);
    assert_true(macs == 117600 + 240000 + 48000 + 10080 + 840);
    free(l);
    assert_int_equal(accel_layers_load("configs/layers_resnet14_fmnist.tsv", &l, &n, &err), AX_OK);
    macs = 0;
    for (size_t i = 0; i < n; i++)
        macs += accel_layer_macs(&l[i]);
    assert_int_equal(n, 16);
    assert_true(macs == 112896 + 4 * 1806336.0 + 903168 + 100352 + 3 * 1806336.0 + 903168 +
                           100352 + 3 * 1806336.0 + 640);
    free(l);
}

/* The derived figures against their sources (docs/facts.md). */
static void tech_against_sources(void **state)
{
    (void)state;
    double f;
    assert_int_equal(accel_tech_energy_factor(16, 0.8, &f), AX_OK);
    assert_true(fabs(f - 0.174) < 0.001);
    assert_int_equal(accel_tech_energy_factor(7, 0.8, &f), AX_OK);
    assert_true(fabs(f - 0.094) < 0.001);
    assert_int_equal(accel_tech_energy_factor(45, ACCEL_TECH_VREF, &f), AX_OK);
    assert_true(fabs(f - 1) < 1e-12);
    assert_int_equal(accel_tech_area_factor(16, &f), AX_OK);
    assert_true(fabs(f - 0.19) < 1e-12);
    assert_int_equal(accel_tech_energy_factor(12, 0.8, &f), AX_EINPUT);
    /* SRAM fit within 22 % of every reference point it was fitted to. */
    static const double ref[][3] = {{8, 64, 10}, {32, 64, 20}, {1024, 64, 100},
                                    {64, 256, (51.9 + 66.3) / 2}, {128, 64, (32.4 + 26.2) / 2}};
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        double e = accel_tech_sram_access_pj(ref[i][0], (int)ref[i][1]);
        assert_true(e > 0.78 * ref[i][2] && e < 1.22 * ref[i][2]);
    }
    assert_true(fabs(accel_tech_adder_pj(8) - 0.03) < 1e-12);
    assert_true(fabs(accel_tech_adder_pj(32) - 0.1) < 1e-12);
    /* Yang & Murmann: -280 mV -> 4.8x, -310 mV -> 5.4x less leakage. */
    assert_true(fabs(1 / accel_tech_sram_leak_scale(0.62, 0.9) - 4.8) < 0.2);
    assert_true(fabs(1 / accel_tech_sram_leak_scale(0.59, 0.9) - 5.4) < 0.2);
    /* Wire model at full swing, 1 mm, 1 V: 0.2 * 1.627 fF/um * 1000 um. */
    accel_arch a;
    accel_arch_default(&a);
    a.hop_mm = 1;
    accel_energies e;
    ax_err err = {0};
    assert_int_equal(accel_energies_derive(&a, &e, &err), AX_OK);
    assert_true(fabs(e.noc_wire_pj_per_v2 - 0.3254) < 1e-4);
    assert_true(fabs(e.mult_exact_pj - 0.391 * e.efactor) < 1e-12);
}

static accel_net *make_net(const char *path, size_t nmults, ax_err *err)
{
    accel_arch a;
    accel_arch_default(&a);
    accel_layer_shape *l;
    size_t n;
    assert_int_equal(accel_layers_load(path, &l, &n, err), AX_OK);
    accel_mult_cost m[4];
    for (size_t i = 0; i < nmults && i < 4; i++) {
        m[i] = accel_mult_cost_exact();
        m[i].energy_pj *= 1.0 - 0.25 * (double)i; /* cheaper designs */
        m[i].area_um2 *= 1.0 - 0.2 * (double)i;
    }
    accel_net *net = NULL;
    assert_int_equal(accel_net_create(&a, l, n, m, nmults, ACCEL_OBJ_ENERGY, &net, err), AX_OK);
    free(l);
    return net;
}

static double eval_total(const accel_net *net, const int *lm, accel_voltages v, double *comp)
{
    accel_design d = {.layer_mult = lm, .volts = v};
    accel_result r = {0};
    ax_err err = {0};
    assert_int_equal(accel_net_eval(net, &d, &r, &err), AX_OK);
    if (comp)
        memcpy(comp, r.comp_pj, sizeof r.comp_pj);
    return r.energy_pj;
}

/* Lowering any knob lowers the energy, strictly, through its component. */
static void knobs_monotone(void **state)
{
    (void)state;
    ax_err err = {0};
    accel_net *net = make_net("configs/layers_resnet14_fmnist.tsv", 4, &err);
    size_t L = accel_net_layers(net);
    int lm[64] = {0};
    accel_voltages nom = accel_voltages_nominal(accel_net_arch(net));
    double c0[ACCEL_NCOMP], c1[ACCEL_NCOMP];
    double prev = eval_total(net, lm, nom, c0);
    for (int k = 1; k < 4; k++) { /* multiplier: every layer cheaper */
        for (size_t l = 0; l < L; l++)
            lm[l] = k;
        double e = eval_total(net, lm, nom, c1);
        assert_true(e < prev);
        assert_true(c1[ACCEL_E_MAC] < c0[ACCEL_E_MAC]);
        prev = e;
        memcpy(c0, c1, sizeof c0);
    }
    memset(lm, 0, sizeof lm);
    const double volts[] = {0.75, 0.7, 0.6, 0.5, 0.4};
    for (int knob = 0; knob < 3; knob++) {
        accel_voltages v = nom;
        prev = eval_total(net, lm, v, c0);
        for (size_t i = 0; i < sizeof volts / sizeof volts[0]; i++) {
            int comp = knob == 0 ? ACCEL_E_IBUF : knob == 1 ? ACCEL_E_WBUF : ACCEL_E_NOC;
            if (knob == 0)
                v.v_input = volts[i];
            else if (knob == 1)
                v.v_weight = volts[i];
            else
                v.noc_swing = volts[i];
            double e = eval_total(net, lm, v, c1);
            assert_true(e < prev);
            assert_true(c1[comp] < c0[comp]);
            if (knob < 2)
                assert_true(c1[ACCEL_E_LEAK] < c0[ACCEL_E_LEAK]);
            prev = e;
            memcpy(c0, c1, sizeof c0);
        }
    }
    /* Low swing on more bits of each word saves more. */
    accel_voltages v = nom;
    v.noc_swing = 0.4;
    prev = INFINITY;
    for (int b = 0; b <= 8; b += 2) {
        v.noc_bits = b;
        double e = eval_total(net, lm, v, NULL);
        assert_true(e < prev);
        prev = e;
    }
    /* Per-layer knobs: the same knobs in every layer give the chip-wide
     * result; lowering one layer's input-buffer supply changes that layer
     * only, and lowers the total. */
    accel_voltages lv[64];
    for (size_t l = 0; l < L; l++)
        lv[l] = v;
    double (*rows_a)[ACCEL_NCOMP] = malloc(L * sizeof *rows_a), (*rows_b)[ACCEL_NCOMP] = malloc(L * sizeof *rows_b);
    accel_design da = {.layer_mult = lm, .volts = v}, db = {.layer_mult = lm, .volts = v, .layer_volts = lv};
    accel_result ra = {.layer_pj = rows_a}, rb = {.layer_pj = rows_b};
    assert_int_equal(accel_net_eval(net, &da, &ra, &err), AX_OK);
    assert_int_equal(accel_net_eval(net, &db, &rb, &err), AX_OK);
    assert_true(ra.energy_pj == rb.energy_pj);
    lv[3].v_input = 0.5;
    assert_int_equal(accel_net_eval(net, &db, &rb, &err), AX_OK);
    assert_true(rb.energy_pj < ra.energy_pj);
    for (size_t l = 0; l < L; l++)
        for (int c = 0; c < ACCEL_NCOMP; c++)
            if (l != 3)
                assert_true(rows_a[l][c] == rows_b[l][c]);
    assert_true(rows_b[3][ACCEL_E_IBUF] < rows_a[3][ACCEL_E_IBUF]);
    free(rows_a);
    free(rows_b);
    accel_net_free(net);
}

static void layer_sums_equal_totals(void **state)
{
    (void)state;
    ax_err err = {0};
    accel_net *net = make_net("configs/layers_resnet14_fmnist.tsv", 4, &err);
    size_t L = accel_net_layers(net);
    int lm[64];
    for (size_t l = 0; l < L; l++)
        lm[l] = (int)(l % 4);
    double rows[64][ACCEL_NCOMP];
    accel_voltages v = {0.6, 0.65, 0.3, 5};
    accel_design d = {.layer_mult = lm, .volts = v};
    accel_result r = {.layer_pj = rows};
    assert_int_equal(accel_net_eval(net, &d, &r, &err), AX_OK);
    double total = 0, macs = 0, cycles = 0;
    for (int c = 0; c < ACCEL_NCOMP; c++) {
        double s = 0;
        for (size_t l = 0; l < L; l++)
            s += rows[l][c];
        assert_true(fabs(s - r.comp_pj[c]) <= 1e-9 * fabs(r.comp_pj[c]));
        total += r.comp_pj[c];
    }
    assert_true(fabs(total - r.energy_pj) <= 1e-9 * r.energy_pj);
    for (size_t l = 0; l < L; l++) {
        macs += accel_net_counts(net, l)->macs;
        cycles += accel_net_counts(net, l)->cycles;
    }
    assert_true(macs == r.macs);
    assert_true(cycles == r.cycles);
    assert_true(fabs(r.latency_s - cycles / 1e9) < 1e-15);
    accel_net_free(net);
}

/* Bank-constrained chips: every array counts in area; an idle array still
 * leaks; routing a layer to a cheaper array saves its MAC energy. */
static void bank_constrained(void **state)
{
    (void)state;
    ax_err err = {0};
    accel_net *net = make_net("configs/layers_lenet5_fmnist.tsv", 3, &err);
    size_t L = accel_net_layers(net);
    int route0[8] = {0}, route_mixed[8] = {0};
    for (size_t l = 2; l < L; l++)
        route_mixed[l] = 1;
    int one[1] = {0}, two[2] = {0, 2};
    accel_voltages v = accel_voltages_nominal(accel_net_arch(net));
    accel_design d1 = {.n_arrays = 1, .array_mult = one, .layer_array = route0, .volts = v};
    accel_design d2 = {.n_arrays = 2, .array_mult = two, .layer_array = route0, .volts = v};
    accel_design d3 = {.n_arrays = 2, .array_mult = two, .layer_array = route_mixed, .volts = v};
    accel_result r1 = {0}, r2 = {0}, r3 = {0};
    assert_int_equal(accel_net_eval(net, &d1, &r1, &err), AX_OK);
    assert_int_equal(accel_net_eval(net, &d2, &r2, &err), AX_OK);
    assert_int_equal(accel_net_eval(net, &d3, &r3, &err), AX_OK);
    assert_true(r2.area_mm2 > r1.area_mm2);
    assert_true(r2.comp_pj[ACCEL_E_LEAK] > r1.comp_pj[ACCEL_E_LEAK]);
    assert_true(r2.comp_pj[ACCEL_E_MAC] == r1.comp_pj[ACCEL_E_MAC]);
    assert_true(r3.comp_pj[ACCEL_E_MAC] < r2.comp_pj[ACCEL_E_MAC]);
    assert_true(r3.area_mm2 == r2.area_mm2);
    /* The per-layer mode counts one array per distinct design: the same as
     * the equivalent bank design. */
    int lm[8];
    for (size_t l = 0; l < L; l++)
        lm[l] = two[route_mixed[l]];
    accel_design dl = {.layer_mult = lm, .volts = v};
    accel_result rl = {0};
    assert_int_equal(accel_net_eval(net, &dl, &rl, &err), AX_OK);
    assert_true(fabs(rl.energy_pj - r3.energy_pj) <= 1e-9 * r3.energy_pj);
    assert_true(rl.area_mm2 == r3.area_mm2);
    /* Power-gated idle arrays: each layer leaks only through its own array,
     * so two arrays leak less than without gating; the leakage of layers on
     * array k equals what a one-array chip of that design would leak, and
     * the area is unchanged. */
    accel_design g3 = d3;
    g3.gate_idle = 1;
    accel_result rg = {0};
    assert_int_equal(accel_net_eval(net, &g3, &rg, &err), AX_OK);
    assert_true(rg.comp_pj[ACCEL_E_LEAK] < r3.comp_pj[ACCEL_E_LEAK]);
    assert_true(rg.comp_pj[ACCEL_E_MAC] == r3.comp_pj[ACCEL_E_MAC]);
    assert_true(rg.area_mm2 == r3.area_mm2);
    accel_design g1 = d1;
    g1.gate_idle = 1;
    accel_result rg1 = {0};
    assert_int_equal(accel_net_eval(net, &g1, &rg1, &err), AX_OK);
    assert_true(rg1.energy_pj == r1.energy_pj); /* one array: nothing is idle */
    /* Bad indices are input errors. */
    int badroute[8] = {0};
    badroute[1] = 2;
    accel_design bad = {.n_arrays = 2, .array_mult = two, .layer_array = badroute, .volts = v};
    assert_int_equal(accel_net_eval(net, &bad, &r1, &err), AX_EINPUT);
    lm[0] = 3;
    assert_int_equal(accel_net_eval(net, &dl, &r1, &err), AX_EINPUT);
    accel_net_free(net);
}

/* Evaluations from several threads give exactly the serial results. */
static void eval_thread_safe(void **state)
{
    (void)state;
    ax_err err = {0};
    accel_net *net = make_net("configs/layers_resnet14_fmnist.tsv", 4, &err);
    enum { N = 64 };
    static double serial[N], parallel[N];
    accel_voltages nom = accel_voltages_nominal(accel_net_arch(net));
    for (int pass = 0; pass < 2; pass++) {
        double *out = pass ? parallel : serial;
#pragma omp parallel for if (pass) schedule(static, 1)
        for (int i = 0; i < N; i++) {
            int lm[16];
            for (int l = 0; l < 16; l++)
                lm[l] = (i + l) % 4;
            accel_voltages v = nom;
            v.v_input = 0.5 + 0.004 * i;
            v.noc_swing = 0.2 + 0.005 * i;
            accel_design d = {.layer_mult = lm, .volts = v};
            accel_result r = {0};
            ax_err e2 = {0};
            out[i] = accel_net_eval(net, &d, &r, &e2) == AX_OK ? r.energy_pj : -1;
        }
    }
    for (int i = 0; i < N; i++) {
        assert_true(serial[i] > 0);
        assert_true(serial[i] == parallel[i]);
    }
    accel_net_free(net);
}

/* Simba reports 0.11 pJ/op at best at 16 nm (one MAC = two ops); the model
 * with exact multipliers must land within 0.05-0.5 pJ/op for ResNet-14. */
static void sanity_against_simba(void **state)
{
    (void)state;
    ax_err err = {0};
    accel_net *net = make_net("configs/layers_resnet14_fmnist.tsv", 1, &err);
    int lm[16] = {0};
    accel_design d = {.layer_mult = lm, .volts = accel_voltages_nominal(accel_net_arch(net))};
    accel_result r = {0};
    assert_int_equal(accel_net_eval(net, &d, &r, &err), AX_OK);
    double pj_per_op = r.energy_pj / (2 * r.macs);
    assert_true(pj_per_op > 0.05 && pj_per_op < 0.5);
    assert_int_equal(accel_net_pinned(net), 1);
    accel_net_free(net);
}

static int run(const char *cmd)
{
    int st = system(cmd);
    return st < 0 ? -1 : (st >> 8) & 0xff;
}

static void cli_energy(void **state)
{
    (void)state;
    const char *bin = getenv("AXSEARCH");
    if (!bin)
        bin = "./axsearch";
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s energy --table > /dev/null", bin);
    assert_int_equal(run(cmd), 0);
    FILE *f = fopen("build/test_accel_bad.ini", "w");
    assert_non_null(f);
    fputs("[pe]\nlanes = 8\nwidth = 3\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "%s energy --table --arch build/test_accel_bad.ini 2>&1 | grep -q "
             "'build/test_accel_bad.ini:3: unknown key'",
             bin);
    assert_int_equal(run(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s energy --table --arch build/test_accel_bad.ini 2>/dev/null",
             bin);
    assert_int_equal(run(cmd), 2);
    snprintf(cmd, sizeof cmd,
             "%s energy --layers configs/layers_lenet5_fmnist.tsv --noc-swing 0.4 --noc-bits 4 "
             "--out build/test_accel_breakdown.tsv | tail -n 1 | grep -q '^energy_uj=.* "
             "latency_ms=.* area_mm2=.* pj_per_mac='",
             bin);
    assert_int_equal(run(cmd), 0);
    f = fopen("build/test_accel_breakdown.tsv", "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "layer\tmacs\tutil\tcycles\tmac_pj"));
    int rows = 0;
    while (fgets(line, sizeof line, f))
        rows++;
    fclose(f);
    assert_int_equal(rows, 5);
    snprintf(cmd, sizeof cmd,
             "%s energy --layers configs/layers_lenet5_fmnist.tsv --mult-energies 0.1,0.2 "
             "2>/dev/null",
             bin);
    assert_int_equal(run(cmd), 2);
    snprintf(cmd, sizeof cmd,
             "%s energy --layers configs/layers_lenet5_fmnist.tsv --sram-v-input 2 2>/dev/null",
             bin);
    assert_int_equal(run(cmd), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arch_errors_name_file_and_line),
        cmocka_unit_test(shipped_config_is_the_default),
        cmocka_unit_test(layer_tsv_parsing),
        cmocka_unit_test(tech_against_sources),
        cmocka_unit_test(knobs_monotone),
        cmocka_unit_test(layer_sums_equal_totals),
        cmocka_unit_test(bank_constrained),
        cmocka_unit_test(eval_thread_safe),
        cmocka_unit_test(sanity_against_simba),
        cmocka_unit_test(cli_energy),
    };
    return cmocka_run_group_tests_name("accel_model", tests, NULL, NULL);
}
