/* The chromosome -> objectives function (fitness/fit.h) on a tiny network:
 * conv(1->4, 3x3) relu -> conv(4->6, 3x3, stride 2) relu -> fc(->5) on
 * 10x10 noise images, three multipliers (a garbage one, the exact one, a
 * mild one; the exact design is index 1, not 0), the default chip.
 *
 * References: the gene layout written out by hand for the four modes; the
 * scores against the emulator (emu_top1, mc_accuracy with fmap_layers'
 * rates) and the chip model (accel_net_eval) called directly with the
 * design the genes stand for; the cache's bookkeeping counted by hand. */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "accel_model/arch.h"
#include "accel_model/net.h"
#include "approx/fault.h"
#include "fitness/emu/emu.h"
#include "fitness/emu/faultmap.h"
#include "fitness/emu/qnet.h"
#include "fitness/fit.h"
#include "fitness/mc.h"
#include "fitness/net/graph.h"
#include "fitness/net/onnx_import.h"
#include "tests/onnx_build.h"
#include "util/pcg.h"


enum { N = 48, N2 = 40, L = 3, NM = 3, EXACT = 1, NOC_BITS = 4 };

static const double SWING[3] = {0.8, 0.45, 0.4}, VIN[2] = {0.8, 0.5}, VW[2] = {0.8, 0.46};

static struct fixture {
    graph *g;
    qnet *q;
    emu_table *garbage, *mild;
    const emu_table *tables[NM]; /* {garbage, exact (NULL), mild} */
    accel_net *net;
    fault_sram *sram;
    fmap_model fm;
    uint8_t px[N * 100];
    uint16_t labels[N];                /* search images: labels = the exact network's answers */
    uint8_t px2[N2 * 100];
    uint16_t labels2[N2]; /* other images, random labels */
} F;

static graph *tiny_net(void)
{
    pcg32 rng = pcg32_derive4(14, PCG_PURPOSE_TEST, 7, 0, 0, 0);
    ob_model *m = ob_new(13);
    const int64_t xin[4] = {OB_DYN, 1, 10, 10};
    ob_input(m, "x", 4, xin);
    float w1[4 * 9], b1[4], w2[6 * 4 * 9], b2[6], w3[5 * 6 * 25], b3[5];
    for (int i = 0; i < 36; i++)
        w1[i] = (float)(pcg32_double(&rng) - 0.4);
    for (int i = 0; i < 216; i++)
        w2[i] = (float)(pcg32_double(&rng) - 0.5);
    for (int i = 0; i < 750; i++)
        w3[i] = (float)(pcg32_double(&rng) - 0.5);
    for (int i = 0; i < 4; i++)
        b1[i] = (float)(0.1 * pcg32_double(&rng));
    for (int i = 0; i < 6; i++)
        b2[i] = (float)(0.1 * pcg32_double(&rng));
    for (int i = 0; i < 5; i++)
        b3[i] = (float)(pcg32_double(&rng) - 0.5);
    const int64_t w1d[4] = {4, 1, 3, 3}, b1d[1] = {4}, w2d[4] = {6, 4, 3, 3}, b2d[1] = {6};
    const int64_t w3d[2] = {5, 150}, b3d[1] = {5}, pads[4] = {1, 1, 1, 1}, s2[2] = {2, 2};
    ob_init_f(m, "w1", 4, w1d, w1);
    ob_init_f(m, "b1", 1, b1d, b1);
    ob_init_f(m, "w2", 4, w2d, w2);
    ob_init_f(m, "b2", 1, b2d, b2);
    ob_init_f(m, "w3", 2, w3d, w3);
    ob_init_f(m, "b3", 1, b3d, b3);
    ob_node *n = ob_node_add(m, "Conv", "conv1", "x,w1,b1", "c1");
    ob_attr_ints(n, "pads", 4, pads);
    ob_node_add(m, "Relu", "relu1", "c1", "r1");
    n = ob_node_add(m, "Conv", "conv2", "r1,w2,b2", "c2"); /* 10x10 -> 5x5 */
    ob_attr_ints(n, "pads", 4, pads);
    ob_attr_ints(n, "strides", 2, s2);
    ob_node_add(m, "Relu", "relu2", "c2", "r2");
    ob_node_add(m, "Flatten", "flat", "r2", "f");
    n = ob_node_add(m, "Gemm", "fc", "f,w3,b3", "y");
    ob_attr_i(n, "transB", 1);
    const int64_t yd[2] = {OB_DYN, 5};
    ob_output(m, "y", 2, yd);
    ax_err err = {0};
    graph *g = ob_import(m, "tiny_net", &err);
    if (!g)
        print_error("import: %s\n", err.msg);
    ob_free(m);
    return g;
}

/* The chip model of the network as cli/glue.c builds it: one shape per
 * MAC layer, costs per multiplier in set order. */
static accel_net *chip_of(const graph *g)
{
    graph_mac_layer *ml = NULL;
    int nl = 0;
    ax_err err = {0};
    if (graph_mac_layers(g, &ml, &nl, &err) != AX_OK || nl != L)
        return NULL;
    accel_layer_shape s[L];
    for (int i = 0; i < L; i++) {
        s[i] = accel_layer_make(g->nodes[ml[i].node].name, (int)ml[i].M, (int)ml[i].C, (int)ml[i].P,
                                (int)ml[i].Q, (int)ml[i].R, (int)ml[i].S);
        s[i].stride_h = ml[i].stride[0];
        s[i].stride_w = ml[i].stride[1];
        s[i].dil_h = ml[i].dilation[0];
        s[i].dil_w = ml[i].dilation[1];
        s[i].groups = ml[i].group;
    }
    free(ml);
    accel_arch a;
    accel_arch_default(&a);
    accel_mult_cost c[NM] = {{0.05, 150, -1}, accel_mult_cost_exact(), {0.25, 480, -1}};
    accel_net *net = NULL;
    if (accel_net_create(&a, s, L, c, NM, ACCEL_OBJ_ENERGY, &net, &err) != AX_OK) {
        print_error("chip: %s\n", err.msg);
        return NULL;
    }
    return net;
}

static int group_setup(void **state)
{
    (void)state;
    ax_err err = {0};
    if (!(F.g = tiny_net()))
        return -1;
    pcg32 rng = pcg32_derive4(14, PCG_PURPOSE_TEST, 8, 0, 0, 0);
    enum { CALIB = 64 };
    uint8_t calib[CALIB * 100];
    for (int i = 0; i < CALIB * 100; i++)
        calib[i] = (uint8_t)pcg32_next(&rng);
    if (qnet_build(F.g, calib, CALIB, NULL, &F.q, &err) != AX_OK || qnet_n_layers(F.q) != L)
        return -1;
    uint16_t *lut = malloc(65536 * sizeof *lut);
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            lut[a * 256 + w] = (uint16_t)((a * w) & 0x0FFF); /* garbage: high bits lost */
    F.garbage = emu_table_create(lut, &err);
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            lut[a * 256 + w] = (uint16_t)((a * w) & ~0x1F); /* mild: low 5 bits lost */
    F.mild = emu_table_create(lut, &err);
    free(lut);
    if (!F.garbage || !F.mild)
        return -1;
    F.tables[0] = F.garbage;
    F.tables[1] = NULL;
    F.tables[2] = F.mild;
    if (!(F.net = chip_of(F.g)))
        return -1;
    F.sram = fault_sram_create_probit(FAULT_SRAM_V0, FAULT_SRAM_S, &err);
    F.fm = (fmap_model){F.sram, 0.8, 0.8, FAULT_LINK_BER_NOMINAL}; /* the default chip's nominals */
    /* Search images: labelled with the exact network's answers (so the
     * baseline is 1 and every wrong answer is a drop). Noise alone gives
     * one class most of the time; from a pool of striped and noisy images,
     * at most N/5 per class are taken, in pool order, then any others. */
    enum { POOL = 1500 };
    uint8_t *pool = malloc((size_t)POOL * 100);
    float *scores = malloc((size_t)POOL * 5 * sizeof *scores);
    for (int i = 0; i < POOL; i++) {
        double a = 3 * pcg32_double(&rng), b = 3 * pcg32_double(&rng), c = 6.3 * pcg32_double(&rng);
        double noise = 120 * pcg32_double(&rng);
        for (int p = 0; p < 100; p++) {
            double v = 127.5 * (1 + sin(a * (p / 10) + b * (p % 10) + c)) + noise * (pcg32_double(&rng) - 0.5);
            pool[i * 100 + p] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    if (emu_run(F.q, pool, POOL, NULL, scores, NULL, &err) != AX_OK)
        return -1;
    uint8_t cls[POOL], taken[POOL] = {0};
    int per_class[5] = {0}, n = 0;
    for (int i = 0; i < POOL; i++) {
        int best = 0;
        for (int c = 1; c < 5; c++)
            best = scores[i * 5 + c] > scores[i * 5 + best] ? c : best;
        cls[i] = (uint8_t)best;
    }
    for (int i = 0; i < POOL && n < N; i++)
        if (per_class[cls[i]] < N / 5) {
            per_class[cls[i]]++;
            taken[i] = 1;
            memcpy(F.px + n * 100, pool + i * 100, 100);
            F.labels[n++] = cls[i];
        }
    for (int i = 0; i < POOL && n < N; i++)
        if (!taken[i]) {
            memcpy(F.px + n * 100, pool + i * 100, 100);
            F.labels[n++] = cls[i];
        }
    free(pool);
    free(scores);
    for (int i = 0; i < N2 * 100; i++)
        F.px2[i] = (uint8_t)pcg32_next(&rng);
    for (int i = 0; i < N2; i++)
        F.labels2[i] = (uint16_t)pcg32_bounded(&rng, 5);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    emu_table_free(F.garbage);
    emu_table_free(F.mild);
    accel_net_free(F.net);
    fault_sram_free(F.sram);
    qnet_free(F.q);
    graph_free(F.g);
    return 0;
}

typedef struct opts {
    int per_layer_volts, n_arrays, threads, reps;
    size_t prefix;
    int obj_area, obj_latency;
    double max_drop;
    int64_t race_first;
    volatile sig_atomic_t *stop;
    const uint16_t *labels; /* of the search images; NULL: F.labels */
} opts;

static fit_space space_of(const opts *o)
{
    return (fit_space){L, NM, EXACT, o->n_arrays, 3, 2, 2, SWING, VIN, VW, NOC_BITS, o->per_layer_volts};
}

static fit_setup setup_of(const opts *o)
{
    return (fit_setup){.q = F.q,
                       .tables = F.tables,
                       .net = F.net,
                       .faults = F.fm,
                       .val = {F.px, o->labels ? o->labels : F.labels, N, 0},
                       .reps = o->reps > 0 ? o->reps : 3,
                       .seed = 5,
                       .threads = o->threads > 0 ? o->threads : 1,
                       .max_drop = o->max_drop,
                       .obj_area = o->obj_area,
                       .obj_latency = o->obj_latency,
                       .prefix_cache_bytes = o->prefix,
                       .race_first = o->race_first,
                       .stop = o->stop};
}

static fit *make_fit(const opts *o)
{
    fit_space sp = space_of(o);
    fit_setup su = setup_of(o);
    ax_err err = {0};
    fit *f = fit_create(&sp, &su, &err);
    if (!f)
        fail_msg("fit_create: %s", err.msg);
    return f;
}

/* The fields a scoring decides (MAC counters aside), bit for bit. */
static void assert_same_result(const fit_result *a, const fit_result *b)
{
    assert_true(a->top1 == b->top1);
    assert_true(a->top1_se == b->top1_se);
    assert_true(a->drop_pp == b->drop_pp);
    assert_true(a->energy_pj == b->energy_pj);
    assert_true(a->latency_s == b->latency_s);
    assert_true(a->area_mm2 == b->area_mm2);
    assert_memory_equal(a->comp_pj, b->comp_pj, sizeof a->comp_pj);
    assert_int_equal(a->flips, b->flips);
    assert_int_equal(a->reps, b->reps);
    assert_int_equal(a->images, b->images);
}

/* ---- gene layout ---------------------------------------------------------- */

static void check_layout(const fit *f, int n_genes, int n_vgenes, const int32_t *card, const int32_t *exact)
{
    assert_int_equal(fit_n_genes(f), n_genes);
    assert_int_equal(fit_n_volt_genes(f), n_vgenes);
    int32_t got[32];
    fit_cardinalities(f, got);
    assert_memory_equal(got, card, (size_t)n_genes * sizeof *card);
    fit_exact_genes(f, got);
    assert_memory_equal(got, exact, (size_t)n_genes * sizeof *exact);
    for (int i = 0; i < n_genes - n_vgenes; i++)
        assert_int_equal(fit_mult_gene(f, i), n_vgenes + i);
}

static void gene_layout_by_hand(void **state)
{
    (void)state;
    /* Per-layer mode, chip-wide voltages: [swing vin vw] [m0 m1 m2];
     * cardinalities 3 2 2 (levels) and 3 3 3 (multipliers); the exact
     * chromosome is nominal (0) and the exact multiplier (1). */
    fit *f = make_fit(&(opts){0});
    check_layout(f, 6, 3, (const int32_t[]){3, 2, 2, 3, 3, 3}, (const int32_t[]){0, 0, 0, 1, 1, 1});
    for (int l = 0; l < L; l++)
        for (int k = 0; k < 3; k++)
            assert_int_equal(fit_volt_gene(f, l, k), k); /* layer ignored */
    int lm[L];
    fit_layer_mults(f, (const int32_t[]){2, 1, 0, 2, 0, 1}, lm);
    assert_memory_equal(lm, ((const int[]){2, 0, 1}), sizeof lm);
    assert_int_equal(fit_n_objectives(f), 2);
    assert_int_equal(fit_get_space(f)->n_layers, L);
    assert_true(fit_get_space(f)->swing[2] == 0.4);
    fit_free(f);

    /* Per-layer voltages: [s0 i0 w0 s1 i1 w1 s2 i2 w2] [m0 m1 m2]. */
    f = make_fit(&(opts){.per_layer_volts = 1});
    check_layout(f, 12, 9, (const int32_t[]){3, 2, 2, 3, 2, 2, 3, 2, 2, 3, 3, 3},
                 (const int32_t[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1});
    for (int l = 0; l < L; l++)
        for (int k = 0; k < 3; k++)
            assert_int_equal(fit_volt_gene(f, l, k), 3 * l + k);
    fit_layer_mults(f, (const int32_t[]){0, 0, 0, 1, 1, 1, 2, 1, 1, 0, 2, 2}, lm);
    assert_memory_equal(lm, ((const int[]){0, 2, 2}), sizeof lm);
    fit_free(f);

    /* Bank mode, K = 2: [swing vin vw] [a0 a1] [r0 r1 r2]; arrays take a
     * multiplier (3), routes an array (2); exact: both arrays exact, every
     * layer on array 0. Arrays {2, 0}, routes {1, 0, 1}: layers get
     * multipliers {0, 2, 0}. */
    f = make_fit(&(opts){.n_arrays = 2});
    check_layout(f, 8, 3, (const int32_t[]){3, 2, 2, 3, 3, 2, 2, 2}, (const int32_t[]){0, 0, 0, 1, 1, 0, 0, 0});
    fit_layer_mults(f, (const int32_t[]){0, 0, 0, 2, 0, 1, 0, 1}, lm);
    assert_memory_equal(lm, ((const int[]){0, 2, 0}), sizeof lm);
    assert_int_equal(fit_mult_gene(f, 2), 5); /* route of layer 0 */
    fit_free(f);

    /* Bank mode with per-layer voltages: 9 + 2 + 3 = 14 genes. */
    f = make_fit(&(opts){.n_arrays = 2, .per_layer_volts = 1});
    check_layout(f, 14, 9, (const int32_t[]){3, 2, 2, 3, 2, 2, 3, 2, 2, 3, 3, 2, 2, 2},
                 (const int32_t[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0});
    fit_layer_mults(f, (const int32_t[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1, 1, 0}, lm);
    assert_memory_equal(lm, ((const int[]){2, 2, 1}), sizeof lm);
    fit_free(f);
}

/* ---- scores against the emulator and the chip model -------------------- */

/* top1 of the design without faults, by the emulator directly. */
static double emu_top1_of(const int *layer_mult, const uint8_t *px, const uint16_t *labels, int n)
{
    const emu_table *t[L];
    for (int l = 0; l < L; l++)
        t[l] = F.tables[layer_mult[l]];
    emu_options o = {.tables = t, .threads = 1};
    int64_t correct = -1;
    ax_err err = {0};
    assert_int_equal(emu_top1(F.q, px, labels, n, &o, &correct, NULL, &err), AX_OK);
    return (double)correct / n;
}

/* Per image, whether the emulator with these multipliers is right. */
static void emu_right_of(const int *layer_mult, const uint8_t *px, const uint16_t *labels, int n, uint8_t *right)
{
    const emu_table *t[L];
    for (int l = 0; l < L; l++)
        t[l] = F.tables[layer_mult[l]];
    emu_options o = {.tables = t, .threads = 1};
    float *scores = malloc((size_t)n * 5 * sizeof *scores);
    ax_err err = {0};
    assert_int_equal(emu_run(F.q, px, n, &o, scores, NULL, &err), AX_OK);
    emu_count_right(scores, labels, n, 5, right);
    free(scores);
}

static accel_result chip_eval(const accel_design *d)
{
    accel_result r = {.layer_pj = NULL};
    ax_err err = {0};
    if (accel_net_eval(F.net, d, &r, &err) != AX_OK)
        fail_msg("accel_net_eval: %s", err.msg);
    return r;
}

static void assert_chip(const fit_result *r, const accel_result *c)
{
    assert_true(r->energy_pj == c->energy_pj);
    assert_true(r->area_mm2 == c->area_mm2);
    assert_true(r->latency_s == c->latency_s);
    assert_memory_equal(r->comp_pj, c->comp_pj, sizeof r->comp_pj);
}

static void exact_design_has_zero_drop(void **state)
{
    (void)state;
    fit *f = make_fit(&(opts){0});
    int32_t g[6];
    fit_exact_genes(f, g);
    fit_result r;
    ax_err err = {0};
    assert_int_equal(fit_score(f, g, 1, &r, &err), AX_OK);
    assert_true(r.drop_pp == 0.0);
    assert_true(r.energy_pj == fit_exact_energy_pj(f));
    /* Labels are the exact network's answers: baseline 1. */
    assert_true(fit_baseline_top1(f) == 1.0);
    assert_true(r.top1 == 1.0);
    assert_int_equal(r.reps, 1);
    assert_int_equal(r.flips, 0);
    assert_int_equal(r.images, N);
    /* The chip model, exact multipliers at nominal voltages. */
    const int exact[L] = {EXACT, EXACT, EXACT};
    accel_design d = {.layer_mult = exact, .volts = {0.8, 0.8, 0.8, NOC_BITS}};
    accel_result c = chip_eval(&d);
    assert_chip(&r, &c);
    assert_true(fit_exact_energy_pj(f) == c.energy_pj);
    fit_free(f);
}

static void scores_match_emulator_and_chip(void **state)
{
    (void)state;
    fit *f = make_fit(&(opts){.reps = 3});
    ax_err err = {0};
    fit_result r;
    /* Nominal voltages, multipliers {mild, exact, garbage} per layer:
     * genes [0 0 0 | 2 1 0]. No faults: one run; top1 from the emulator,
     * drop = 100 (1 - top1) points. */
    const int32_t g[6] = {0, 0, 0, 2, 1, 0};
    const int lm[L] = {2, 1, 0};
    assert_int_equal(fit_score(f, g, 1, &r, &err), AX_OK);
    double t = emu_top1_of(lm, F.px, F.labels, N);
    assert_true(r.top1 == t);
    assert_true(fabs(r.drop_pp - 100.0 * (1.0 - t)) < 1e-12);
    assert_true(r.drop_pp > 0); /* the garbage layer costs accuracy */
    assert_int_equal(r.reps, 1);
    accel_design d = {.layer_mult = lm, .volts = {0.8, 0.8, 0.8, NOC_BITS}};
    accel_result c = chip_eval(&d);
    assert_chip(&r, &c);
    /* Cheaper multipliers on two layers: less MAC energy than the exact
     * design; but three distinct designs on the chip leak more (net.h). */
    fit_result ex;
    const int32_t gx[6] = {0, 0, 0, 1, 1, 1};
    assert_int_equal(fit_score(f, gx, 1, &ex, &err), AX_OK);
    assert_true(r.comp_pj[ACCEL_E_MAC] < ex.comp_pj[ACCEL_E_MAC]);
    assert_true(r.comp_pj[ACCEL_E_LEAK] > ex.comp_pj[ACCEL_E_LEAK]);

    /* Low voltages, three repetitions of the fault draws. The emulator
     * reference: mc_accuracy with fmap_layers' rates over the links of the
     * chip's mapping, the same seed and repetitions. Three settings, so
     * that each knob is told apart from the others:
     *   [2 1 1]: swing 0.4 on 4 bits, inputs at 0.5 V, weights at 0.46 V;
     *   [1 1 0]: swing 0.45, inputs at 0.5 V, weights nominal;
     *   [0 0 1]: swing nominal, inputs nominal, weights at 0.46 V. */
    const int32_t vg[3][3] = {{2, 1, 1}, {1, 1, 0}, {0, 0, 1}};
    const int lv[L] = {2, 2, 1};
    fmap_links links[L];
    fmap_links_of(F.net, links);
    mc_data md = {F.px, F.labels, N, 0};
    mc_result mr;
    int32_t gv[6];
    for (int v = 0; v < 3; v++) {
        int32_t gvv[6] = {vg[v][0], vg[v][1], vg[v][2], 2, 2, 1};
        memcpy(gv, gvv, sizeof gv);
        assert_int_equal(fit_score(f, gv, 1, &r, &err), AX_OK);
        fmap_knobs k = {VIN[vg[v][1]], VW[vg[v][2]], SWING[vg[v][0]], NOC_BITS};
        emu_flip_spec w[L], in[L], out[L];
        fmap_layers(&F.fm, &k, L, links, w, in, out);
        const emu_table *tab[L] = {F.tables[lv[0]], F.tables[lv[1]], F.tables[lv[2]]};
        mc_options mo = {.tables = tab, .weights = w, .inputs = in, .outputs = out, .reps = 3, .seed = 5,
                         .threads = 1};
        assert_int_equal(mc_accuracy(F.q, &md, &mo, &mr, &err), AX_OK);
        assert_int_equal(r.reps, 3);
        assert_true(mr.flips > 0);
        assert_int_equal(r.flips, mr.flips);
        assert_true(r.top1 == mr.top1);
        assert_true(fabs(r.top1_se - sqrt(r.top1 * (1 - r.top1) / N)) < 1e-15); /* binomial, over the images */
        assert_true(fabs(r.drop_pp - 100.0 * (1.0 - mr.top1)) < 1e-12);
        accel_design dv = {.layer_mult = lv, .volts = {k.v_input, k.v_weight, k.noc_swing, NOC_BITS}};
        c = chip_eval(&dv);
        assert_chip(&r, &c);
    }
    /* Scoring is deterministic. */
    fit_result again;
    assert_int_equal(fit_score(f, gv, 2, &again, &err), AX_OK);
    assert_same_result(&r, &again);
    fit_free(f);

    /* Bank mode: arrays {mild, garbage}, routes {0, 1, 0}: layers get
     * {2, 0, 2}; the chip model is asked with the arrays and routes. */
    f = make_fit(&(opts){.n_arrays = 2});
    const int32_t gb[8] = {0, 0, 0, 2, 0, 0, 1, 0};
    assert_int_equal(fit_score(f, gb, 1, &r, &err), AX_OK);
    const int lb[L] = {2, 0, 2}, arrays[2] = {2, 0}, routes[L] = {0, 1, 0};
    assert_true(r.top1 == emu_top1_of(lb, F.px, F.labels, N));
    accel_design db = {.layer_mult = lb, .n_arrays = 2, .array_mult = arrays, .layer_array = routes,
                       .volts = {0.8, 0.8, 0.8, NOC_BITS}};
    c = chip_eval(&db);
    assert_chip(&r, &c);
    fit_free(f);

    /* Per-layer voltages: layer 1 at swing 0.45, layers 0 and 2 nominal;
     * the chip model gets the three layers' knobs. */
    f = make_fit(&(opts){.per_layer_volts = 1, .reps = 2});
    const int32_t gp[12] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1};
    assert_int_equal(fit_score(f, gp, 1, &r, &err), AX_OK);
    accel_voltages per[L] = {{0.8, 0.8, 0.8, NOC_BITS}, {0.8, 0.8, 0.45, NOC_BITS}, {0.8, 0.8, 0.8, NOC_BITS}};
    const int le[L] = {1, 1, 1};
    accel_design dp = {.layer_mult = le, .volts = per[0], .layer_volts = per};
    c = chip_eval(&dp);
    assert_chip(&r, &c);
    assert_true(r.energy_pj < fit_exact_energy_pj(f)); /* lower swing, less NoC energy */
    /* Faults only on layer 1's data. */
    emu_flip_spec pw[L], pin[L], pout[L];
    for (int l = 0; l < L; l++) {
        fmap_knobs kl = {0.8, 0.8, l == 1 ? 0.45 : 0.8, NOC_BITS};
        pw[l] = fmap_spec(&F.fm, &kl, 0.8, links[l].weights);
        pin[l] = fmap_spec(&F.fm, &kl, 0.8, links[l].inputs);
        pout[l] = fmap_spec(&F.fm, &kl, 0.0, links[l].outputs);
    }
    assert_true(fmap_any(pw, L) && !fmap_any(pw, 1));
    mc_options mp = {.weights = pw, .inputs = pin, .outputs = pout, .reps = 2, .seed = 5, .threads = 1};
    assert_int_equal(mc_accuracy(F.q, &md, &mp, &mr, &err), AX_OK);
    assert_int_equal(r.reps, 2);
    assert_int_equal(r.flips, mr.flips);
    assert_true(r.top1 == mr.top1);
    fit_free(f);
}

static void objectives_and_constraint(void **state)
{
    (void)state;
    /* A made-up result: 2.5e6 pJ = 2.5 uJ, drop 1.5 points (upper bound
     * 1.75), 3.25 mm^2, 2e-3 s = 2 ms. The objective is the estimate, the
     * constraint the bound. */
    fit_result r = {.energy_pj = 2.5e6, .drop_pp = 1.5, .drop_ucb = 1.75, .area_mm2 = 3.25, .latency_s = 2e-3,
                    .complete = 1};
    double objs[4] = {-1, -1, -1, -1}, cons = 99;
    fit *f = make_fit(&(opts){.max_drop = 1.0});
    assert_int_equal(fit_n_objectives(f), 2);
    fit_objectives(f, &r, objs, &cons);
    assert_true(fabs(objs[0] - 2.5) < 1e-12);
    assert_true(objs[1] == 1.5);
    assert_true(objs[2] == -1); /* untouched */
    assert_true(cons == 1.0 - 1.75); /* violated: negative */
    assert_false(fit_feasible(f, &r));
    fit_objectives(f, &r, objs, NULL); /* the constraint is optional */
    fit_free(f);

    f = make_fit(&(opts){.max_drop = 2.0, .obj_area = 1, .obj_latency = 1});
    assert_int_equal(fit_n_objectives(f), 4);
    fit_objectives(f, &r, objs, &cons);
    assert_true(fabs(objs[0] - 2.5) < 1e-12);
    assert_true(objs[1] == 1.5);
    assert_true(objs[2] == 3.25);
    assert_true(fabs(objs[3] - 2.0) < 1e-12);
    assert_true(cons == 0.25); /* met: non-negative */
    assert_true(fit_feasible(f, &r));
    r.complete = 0; /* racing stopped it: never feasible */
    fit_objectives(f, &r, objs, &cons);
    assert_true(cons < 0 && cons > -1e-3);
    assert_false(fit_feasible(f, &r));
    fit_free(f);

    f = make_fit(&(opts){.obj_latency = 1});
    assert_int_equal(fit_n_objectives(f), 3);
    objs[2] = -1;
    fit_objectives(f, &r, objs, &cons);
    assert_true(fabs(objs[2] - 2.0) < 1e-12); /* latency third when area is off */
    fit_free(f);
}

/* ---- the evaluation cache ------------------------------------------------ */

static void batch_caches_and_counts_hits(void **state)
{
    (void)state;
    fit *f = make_fit(&(opts){.reps = 2});
    ax_err err = {0};
    /* Rows 0 and 3 equal; row 4 the exact design (scored at creation for
     * the baseline, but not in the cache). */
    const int32_t rows[5][6] = {
        {1, 0, 1, 2, 1, 0}, {0, 0, 0, 2, 2, 2}, {2, 1, 0, 1, 0, 2}, {1, 0, 1, 2, 1, 0}, {0, 0, 0, 1, 1, 1},
    };
    fit_result out[5];
    long hits = -1;
    assert_int_equal(fit_n_evaluated(f), 0);
    assert_int_equal(fit_batch(f, 5, &rows[0][0], out, &hits, &err), AX_OK);
    assert_int_equal(hits, 1); /* the repeat within the batch */
    assert_int_equal(fit_n_evaluated(f), 4);
    /* First-evaluation order: rows 0, 1, 2, 4. */
    const int first[4] = {0, 1, 2, 4};
    for (size_t i = 0; i < 4; i++) {
        assert_memory_equal(fit_evaluated_genes(f, i), rows[first[i]], sizeof rows[0]);
        assert_same_result(fit_evaluated_result(f, i), &out[first[i]]);
    }
    /* Each equals a scoring without the cache; the repeat got row 0's. */
    for (int i = 0; i < 5; i++) {
        fit_result r;
        assert_int_equal(fit_score(f, rows[i], 1, &r, &err), AX_OK);
        assert_same_result(&out[i], &r);
    }
    assert_true(out[4].drop_pp == 0.0 && out[4].energy_pj == fit_exact_energy_pj(f));
    /* The emulated MACs: those of the four scorings. */
    double macs, skipped;
    fit_mac_stats(f, &macs, &skipped);
    assert_true(macs == out[0].macs + out[1].macs + out[2].macs + out[4].macs);
    assert_true(macs > 0 && skipped == 0); /* no prefix cache */

    /* Again with one new row: five hits, one scoring, one more entry. */
    const int32_t again[6][6] = {
        {0, 0, 0, 1, 1, 1}, {1, 0, 1, 2, 1, 0}, {0, 1, 1, 0, 0, 0}, {2, 1, 0, 1, 0, 2}, {0, 0, 0, 2, 2, 2},
        {1, 0, 1, 2, 1, 0},
    };
    fit_result out2[6];
    assert_int_equal(fit_batch(f, 6, &again[0][0], out2, &hits, &err), AX_OK);
    assert_int_equal(hits, 5);
    assert_int_equal(fit_n_evaluated(f), 5);
    assert_memory_equal(fit_evaluated_genes(f, 4), again[2], sizeof again[2]);
    assert_same_result(&out2[0], &out[4]);
    assert_same_result(&out2[1], &out[0]);
    assert_same_result(&out2[3], &out[2]);
    assert_same_result(&out2[4], &out[1]);
    assert_same_result(&out2[5], &out[0]);
    double macs2;
    fit_mac_stats(f, &macs2, &skipped);
    assert_true(macs2 == macs + out2[2].macs);
    /* An empty batch; hits may be NULL. */
    assert_int_equal(fit_batch(f, 0, NULL, NULL, &hits, &err), AX_OK);
    assert_int_equal(hits, 0);
    assert_int_equal(fit_batch(f, 1, again[0], out2, NULL, &err), AX_OK);
    fit_free(f);
}

static void remember_forget_and_bad_genes(void **state)
{
    (void)state;
    fit *f = make_fit(&(opts){0});
    ax_err err = {0};
    /* A remembered result is what the batch returns (no scoring). */
    const int32_t g[6] = {2, 1, 0, 0, 2, 1};
    fit_result made = {.top1 = 0.125, .drop_pp = 87.5, .energy_pj = 42, .reps = 7, .images = N};
    assert_int_equal(fit_remember(f, g, &made, 0, &err), AX_OK);
    assert_int_equal(fit_n_evaluated(f), 1);
    fit_result out;
    long hits = 0;
    assert_int_equal(fit_batch(f, 1, g, &out, &hits, &err), AX_OK);
    assert_int_equal(hits, 1);
    assert_true(out.top1 == 0.125 && out.energy_pj == 42 && out.reps == 7);
    /* Twice: refused without known_ok; with it, accepted and the first
     * result stays. */
    fit_result other = made;
    other.top1 = 0.5;
    ax_err_clear(&err);
    assert_int_equal(fit_remember(f, g, &other, 0, &err), AX_EINPUT);
    assert_int_equal(err.code, AX_EINPUT);
    assert_int_equal(fit_remember(f, g, &other, 1, &err), AX_OK);
    assert_int_equal(fit_n_evaluated(f), 1);
    assert_true(fit_evaluated_result(f, 0)->top1 == 0.125);

    /* Out-of-range genes: each position, above and below, refused with
     * AX_EINPUT naming the gene, by fit_remember, fit_score and fit_batch;
     * the cache is unchanged. */
    int32_t card[6];
    fit_cardinalities(f, card);
    for (int pos = 0; pos < 6; pos++)
        for (int below = 0; below < 2; below++) {
            int32_t bad[6] = {0, 0, 0, 1, 1, 1};
            bad[pos] = below ? -1 : card[pos];
            char want[32];
            snprintf(want, sizeof want, "gene %d = %d", pos, (int)bad[pos]);
            ax_err_clear(&err);
            assert_int_equal(fit_remember(f, bad, &made, 1, &err), AX_EINPUT);
            assert_non_null(strstr(err.msg, want));
            fit_result r;
            ax_err_clear(&err);
            assert_int_equal(fit_score(f, bad, 1, &r, &err), AX_EINPUT);
            assert_non_null(strstr(err.msg, want));
            const int32_t batch[2][6] = {{1, 1, 1, 0, 0, 0}, {bad[0], bad[1], bad[2], bad[3], bad[4], bad[5]}};
            fit_result two[2];
            ax_err_clear(&err);
            assert_int_equal(fit_batch(f, 2, &batch[0][0], two, NULL, &err), AX_EINPUT);
            assert_int_equal(err.code, AX_EINPUT);
            assert_int_equal(fit_n_evaluated(f), 1);
        }

    /* Forget: the cache is empty, the baseline stays, the chromosome is
     * scored for real now. */
    double base = fit_baseline_top1(f), e0 = fit_exact_energy_pj(f);
    fit_forget(f);
    assert_int_equal(fit_n_evaluated(f), 0);
    assert_true(fit_baseline_top1(f) == base && fit_exact_energy_pj(f) == e0);
    assert_int_equal(fit_batch(f, 1, g, &out, &hits, &err), AX_OK);
    assert_int_equal(hits, 0);
    fit_result real;
    assert_int_equal(fit_score(f, g, 1, &real, &err), AX_OK);
    assert_same_result(&out, &real);
    assert_true(out.top1 != 0.125 || out.energy_pj != 42);
    /* Remembering after forgetting works again. */
    assert_int_equal(fit_remember(f, (const int32_t[]){0, 0, 0, 0, 0, 0}, &made, 0, &err), AX_OK);
    assert_int_equal(fit_n_evaluated(f), 2);
    fit_free(f);
}

static void threads_do_not_change_results(void **state)
{
    (void)state;
    const int32_t rows[6][6] = {
        {2, 1, 1, 2, 2, 1}, {1, 0, 1, 2, 1, 0}, {0, 0, 0, 2, 2, 2},
        {2, 1, 0, 1, 0, 2}, {0, 1, 1, 0, 1, 2}, {1, 1, 0, 1, 2, 2},
    };
    fit_result ref[6], got[6];
    ax_err err = {0};
    fit *f1 = make_fit(&(opts){.threads = 1, .reps = 3});
    assert_int_equal(fit_batch(f1, 6, &rows[0][0], ref, NULL, &err), AX_OK);
    /* Two threads over chromosomes; two threads with the prefix cache
     * (the work reordered by prefix). */
    const opts variants[2] = {{.threads = 2, .reps = 3}, {.threads = 2, .reps = 3, .prefix = 8 << 20}};
    for (int v = 0; v < 2; v++) {
        fit *f2 = make_fit(&variants[v]);
        assert_true(fit_baseline_top1(f2) == fit_baseline_top1(f1));
        assert_true(fit_exact_energy_pj(f2) == fit_exact_energy_pj(f1));
        assert_int_equal(fit_batch(f2, 6, &rows[0][0], got, NULL, &err), AX_OK);
        for (int i = 0; i < 6; i++)
            assert_same_result(&got[i], &ref[i]);
        /* Fewer chromosomes than threads: the images are split instead. */
        fit_forget(f2);
        assert_int_equal(fit_batch(f2, 1, rows[0], got, NULL, &err), AX_OK);
        assert_same_result(&got[0], &ref[0]);
        fit_free(f2);
    }
    fit_free(f1);
}

/* The paired statistics of a scoring against the exact design, by hand
 * from the emulator's answers per image (one repetition: no faults). */
static void check_paired(const fit_result *r, const int *lm, const uint8_t *px, const uint16_t *labels, int n)
{
    const int exact[L] = {1, 1, 1};
    uint8_t base[N2 > N ? N2 : N], right[N2 > N ? N2 : N];
    emu_right_of(exact, px, labels, n, base);
    emu_right_of(lm, px, labels, n, right);
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; i++) {
        double d = (double)base[i] - right[i];
        sum += d;
        sum2 += d * d;
    }
    /* Two pseudo-pairs (+1 and -1) in the variance (fitness/race.h). */
    double m = n + 2.0, var = (sum2 + 2.0 - sum * sum / m) / (m - 1.0);
    assert_true(fabs(r->drop_pp - 100.0 * sum / n) < 1e-12);
    assert_true(fabs(r->drop_se - 100.0 * sqrt(var / n)) < 1e-12);
    assert_true(r->drop_ucb >= r->drop_pp + 1.6448 * r->drop_se);
    assert_int_equal(r->images, n);
}

static void score_on_other_images(void **state)
{
    (void)state;
    fit *f = make_fit(&(opts){0});
    ax_err err = {0};
    mc_data d2 = {F.px2, F.labels2, N2, 1000};
    /* Random labels: the exact network's top1 on them, from the emulator. */
    fit_reference ref;
    assert_int_equal(fit_reference_make(f, &d2, &ref, &err), AX_OK);
    const int exact[L] = {1, 1, 1}, lm[L] = {2, 2, 0};
    assert_true(ref.top1 == emu_top1_of(exact, F.px2, F.labels2, N2));
    fit_result r;
    const int32_t ge[6] = {0, 0, 0, 1, 1, 1}, ga[6] = {0, 0, 0, 2, 2, 0};
    assert_int_equal(fit_score_on(f, ge, &ref, &r, &err), AX_OK);
    assert_true(r.drop_pp == 0.0);
    assert_true(r.top1 == ref.top1);
    assert_int_equal(r.images, N2);
    assert_true(r.energy_pj == fit_exact_energy_pj(f)); /* the chip does not depend on the images */
    assert_int_equal(fit_score_on(f, ga, &ref, &r, &err), AX_OK);
    double t = emu_top1_of(lm, F.px2, F.labels2, N2);
    assert_true(fabs(r.top1 - t) < 1e-12);
    assert_true(fabs(r.drop_pp - 100.0 * (ref.top1 - t)) < 1e-12);
    check_paired(&r, lm, F.px2, F.labels2, N2);
    /* Nothing of this enters the cache. */
    assert_int_equal(fit_n_evaluated(f), 0);
    fit_reference_clear(&ref);
    fit_reference_clear(&ref); /* twice: a no-op */
    fit_free(f);
}

static void stop_request_leaves_cache(void **state)
{
    (void)state;
    volatile sig_atomic_t stop = 0;
    fit *f = make_fit(&(opts){.stop = &stop});
    ax_err err = {0};
    const int32_t rows[3][6] = {{0, 0, 0, 2, 2, 2}, {0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1}};
    fit_result out[3];
    assert_int_equal(fit_batch(f, 1, rows[0], out, NULL, &err), AX_OK);
    assert_int_equal(fit_n_evaluated(f), 1);
    stop = 1;
    ax_err_clear(&err);
    assert_int_equal(fit_batch(f, 3, &rows[0][0], out, NULL, &err), AX_ESTOPPED);
    assert_int_equal(err.code, AX_ESTOPPED);
    assert_int_equal(fit_n_evaluated(f), 1);
    /* A batch of known chromosomes only scores nothing: no stop. */
    long hits = 0;
    assert_int_equal(fit_batch(f, 1, rows[0], out, &hits, &err), AX_OK);
    assert_int_equal(hits, 1);
    stop = 0;
    assert_int_equal(fit_batch(f, 3, &rows[0][0], out, &hits, &err), AX_OK);
    assert_int_equal(hits, 1);
    assert_int_equal(fit_n_evaluated(f), 3);
    fit_free(f);
}

/* Racing: the garbage multiplier everywhere, max drop 1 point, stages of
 * 16, 32, then all 48 images: stopped as clearly infeasible after a stage,
 * its drop against the exact design on the images run; the exact design,
 * and a design within the bound, run every image. Labels: the exact
 * network's answers except on images 1, 5, 9 and 13 (one class up), so
 * the exact design is right on 12 of the first 16 and on 44 of all 48. */
static void racing_stops_hopeless_designs(void **state)
{
    (void)state;
    uint16_t labels[N];
    memcpy(labels, F.labels, sizeof labels);
    for (int i = 1; i < 16; i += 4)
        labels[i] = (uint16_t)((labels[i] + 1) % 5);
    fit *f = make_fit(&(opts){.race_first = 16, .max_drop = 1.0, .labels = labels});
    assert_true(fabs(fit_baseline_top1(f) - 44.0 / 48.0) < 1e-15);
    ax_err err = {0};
    const int32_t g[6] = {0, 0, 0, 0, 0, 0};
    fit_result r;
    assert_int_equal(fit_score(f, g, 1, &r, &err), AX_OK);
    assert_true(r.images == 16 || r.images == 32);
    const int lm[L] = {0, 0, 0};
    check_paired(&r, lm, F.px, labels, (int)r.images);
    assert_true(fabs(r.top1 - emu_top1_of(lm, F.px, labels, (int)r.images)) < 1e-12);
    assert_true(r.drop_pp - 2.3263 * r.drop_se > 1.0); /* the look's rule (0.99) */
    assert_false(fit_feasible(f, &r));
    /* The exact design runs every image. */
    const int32_t ge[6] = {0, 0, 0, 1, 1, 1};
    assert_int_equal(fit_score(f, ge, 1, &r, &err), AX_OK);
    assert_int_equal(r.images, N);
    assert_true(r.drop_pp == 0.0);
    /* Other images are never raced. */
    fit_reference ref;
    mc_data d2 = {F.px2, F.labels2, N2, 1000};
    assert_int_equal(fit_reference_make(f, &d2, &ref, &err), AX_OK);
    assert_int_equal(fit_score_on(f, g, &ref, &r, &err), AX_OK);
    assert_int_equal(r.images, N2);
    fit_reference_clear(&ref);
    fit_free(f);
}

/* A design dominated beyond doubt by a reference of the batch (a feasible
 * design of the cache scored on every image, no more energy, an upper
 * bound below the design's lower bound) stops racing after its first
 * stage; without the reference it runs every image, and a reference
 * scored on fewer images does not count. The reference is made up through
 * fit_remember: 0 pJ and a bound of -50 points dominate any real design. */
static void racing_stops_dominated_designs(void **state)
{
    (void)state;
    const int32_t gm[6] = {0, 0, 0, 2, 2, 2}, gr[6] = {1, 1, 1, 1, 1, 1};
    fit *f = make_fit(&(opts){.race_first = 16, .max_drop = 100.0});
    ax_err err = {0};
    fit_result r;
    assert_int_equal(fit_batch(f, 1, gm, &r, NULL, &err), AX_OK);
    assert_int_equal(r.images, N); /* no reference: never dominated */
    assert_true(r.complete);
    fit_forget(f);
    fit_result ref = {.energy_pj = 0, .drop_pp = -50, .drop_ucb = -50, .images = N - 1, .reps = 1};
    assert_int_equal(fit_remember(f, gr, &ref, 0, &err), AX_OK);
    assert_int_equal(fit_batch(f, 1, gm, &r, NULL, &err), AX_OK);
    assert_int_equal(r.images, N); /* the reference ran on fewer images */
    fit_forget(f);
    ref.images = N;
    assert_int_equal(fit_remember(f, gr, &ref, 0, &err), AX_OK);
    assert_int_equal(fit_batch(f, 1, gm, &r, NULL, &err), AX_OK);
    assert_int_equal(r.images, 16);
    assert_false(r.complete);
    assert_false(fit_feasible(f, &r)); /* stopped: no claim on 16 images */
    double objs[2], cons;
    fit_objectives(f, &r, objs, &cons);
    assert_true(cons < 0);
    /* Dominance stops off (the baselines): the cached design comes back,
     * is continued from its stage and ends as if scored whole. */
    fit_set_dominance(f, 0);
    long hits = -1;
    assert_int_equal(fit_batch(f, 1, gm, &r, &hits, &err), AX_OK);
    assert_int_equal(hits, 0);
    fit_result whole;
    assert_int_equal(fit_score(f, gm, 1, &whole, &err), AX_OK);
    assert_int_equal(r.images, N);
    assert_true(r.complete && whole.complete);
    assert_same_result(&r, &whole);
    assert_int_equal(fit_n_evaluated(f), 2);
    assert_same_result(fit_evaluated_result(f, 1), &whole);
    fit_free(f);
}

static void create_refuses_bad_spaces(void **state)
{
    (void)state;
    ax_err err = {0};
    opts o = {0};
    fit_setup su = setup_of(&o);
    struct {
        fit_space sp;
        const char *what;
    } bad[6];
    for (int i = 0; i < 6; i++)
        bad[i].sp = space_of(&o);
    bad[0].sp.n_layers = 2, bad[0].what = "sizes";     /* the network has 3 */
    bad[1].sp.n_mults = 2, bad[1].what = "sizes";      /* the chip model has 3 */
    bad[2].sp.exact_mult = 3, bad[2].what = "empty";   /* out of the set */
    bad[3].sp.n_vw = 0, bad[3].what = "empty";         /* no level */
    bad[4].sp.exact_mult = -1, bad[4].what = "empty";
    bad[5].sp.n_arrays = -1, bad[5].what = "empty";
    for (int i = 0; i < 6; i++) {
        ax_err_clear(&err);
        assert_null(fit_create(&bad[i].sp, &su, &err));
        assert_int_equal(err.code, AX_EINPUT);
        if (!strstr(err.msg, bad[i].what))
            fail_msg("case %d: \"%s\"", i, err.msg);
    }
    fit_free(NULL);
}

/* err.h: ax_fail accepts a NULL err, and the library's other calls (e.g.
 * fio_read_all) accept one; fit_score and fit_remember check the genes
 * with check_genes and then return err->code, so an out-of-range gene with
 * err = NULL dereferences NULL. Run in a child process (stderr silenced:
 * under ASan the child reports the SEGV and exits with 1). */
static void null_err_on_bad_genes(void **state)
{
    (void)state;
    fit *f = make_fit(&(opts){0});
    const int32_t bad[6] = {0, 0, 0, 1, 1, 3};
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(90);
        /* cmocka catches SIGSEGV and would go on with the other tests
         * in the child: let the signal end the child instead. */
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        fit_result r;
        int a = fit_score(f, bad, 1, &r, NULL);
        int b = fit_remember(f, bad, &r, 0, NULL);
        _exit(a == AX_EINPUT && b == AX_EINPUT ? 0 : 91);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    fit_free(f);
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    assert_true(ok); /* AX_EINPUT returned, no crash */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gene_layout_by_hand),
        cmocka_unit_test(exact_design_has_zero_drop),
        cmocka_unit_test(scores_match_emulator_and_chip),
        cmocka_unit_test(objectives_and_constraint),
        cmocka_unit_test(batch_caches_and_counts_hits),
        cmocka_unit_test(remember_forget_and_bad_genes),
        cmocka_unit_test(threads_do_not_change_results),
        cmocka_unit_test(score_on_other_images),
        cmocka_unit_test(stop_request_leaves_cache),
        cmocka_unit_test(racing_stops_hopeless_designs),
        cmocka_unit_test(racing_stops_dominated_designs),
        cmocka_unit_test(create_refuses_bad_spaces),
        cmocka_unit_test(null_err_on_bad_genes),
    };
    return cmocka_run_group_tests_name("fit", tests, group_setup, group_teardown);
}
