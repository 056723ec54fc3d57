/* Access counts of the mapping model against hand-computed values for small
 * layers under fixed mappings, and properties of searched mappings (MAC
 * count, capacities, DRAM traffic of layers that fit on chip). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "accel_model/arch.h"
#include "accel_model/dataflow.h"
#include "accel_model/energy.h"
#include "accel_model/layer.h"
#include "accel_model/map.h"
#include "accel_model/nest.h"

static void unit_mapping(accel_mapping *m)
{
    memset(m, 0, sizeof *m);
    for (int d = 0; d < ACCEL_NDIMS; d++) {
        m->lane[d] = m->vec[d] = m->pe[d] = m->chip[d] = 1;
        for (int lv = 0; lv < ACCEL_NLEVELS; lv++)
            m->t[lv][d] = 1;
    }
}

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9 * (1 + fabs((double)(b))))

/* 1x1 conv, M=2 C=2 P=2 on one MAC: PE loop C2, GB loop P2, DRAM loop M2.
 * Worked by hand in the comments (Timeloop's rules, docs/facts.md#timeloop). */
static void fixed_mapping_one_mac(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default(&a);
    accel_layer_shape l = accel_layer_make("t", 2, 2, 2, 1, 1, 1);
    accel_mapping m;
    unit_mapping(&m);
    m.t[ACCEL_LVL_PE][ACCEL_DC] = 2;
    m.t[ACCEL_LVL_GB][ACCEL_DP] = 2;
    m.t[ACCEL_LVL_DRAM][ACCEL_DM] = 2;
    ax_err err = {0};
    assert_int_equal(accel_mapping_check(&a, &l, &m, &err), AX_OK);
    accel_counts c;
    accel_counts_of(&a, &l, &m, &c);
    NEAR(c.macs, 8);
    NEAR(c.compute_cycles, 8);
    const accel_access *pe = c.acc[ACCEL_LVL_PE], *gb = c.acc[ACCEL_LVL_GB],
                       *dr = c.acc[ACCEL_LVL_DRAM];
    /* Weights: PE tile {C2}; the GB loop P2 does not index weights and is
     * innermost, so a tile is loaded once per M iteration: 2 x 2 = 4 fills.
     * Every MAC reads its weight (the innermost PE loop C indexes it). */
    NEAR(pe[ACCEL_TW].fills, 4);
    NEAR(pe[ACCEL_TW].reads, 8);
    /* Inputs: tile {C2}; P (GB) indexes inputs, so every one of the 4 GB x
     * DRAM iterations refills: 8. The global buffer's tile {C2, P2} = 4
     * inputs stays across the DRAM loop M (does not index inputs): 4 fills,
     * 4 DRAM reads; GB reads = PE fills = 8. */
    NEAR(pe[ACCEL_TI].fills, 8);
    NEAR(pe[ACCEL_TI].reads, 8);
    NEAR(gb[ACCEL_TI].fills, 4);
    NEAR(gb[ACCEL_TI].reads, 8);
    NEAR(dr[ACCEL_TI].reads, 4);
    /* Outputs: C is innermost in the PE, so the accumulation collector
     * absorbs it: 8 / 2 = 4 updates, each output once (no read of a fresh
     * value); 4 drains to the GB, 4 drains to DRAM. */
    NEAR(pe[ACCEL_TO].updates, 4);
    NEAR(pe[ACCEL_TO].reads, 4);
    NEAR(pe[ACCEL_TO].fills, 0);
    NEAR(gb[ACCEL_TO].updates, 4);
    NEAR(gb[ACCEL_TO].reads, 4);
    NEAR(dr[ACCEL_TO].updates, 4);
    NEAR(dr[ACCEL_TO].reads, 0);
    NEAR(dr[ACCEL_TW].reads, 4);
    /* Bits: wbuf (8+4)x8, ibuf (8+8)x8, abuf (4+4)x24, gbuf (8+4)x8 + 4x8
     * in + 4x8 out, DRAM 4x8 each of W, I, O; registers 8x8 + 8x8 + 8x24. */
    NEAR(c.wbuf_bits, 96);
    NEAR(c.ibuf_bits, 128);
    NEAR(c.abuf_bits, 192);
    NEAR(c.gbuf_bits, 160);
    NEAR(c.dram_bits, 96);
    NEAR(c.reg_bits, 320);
    /* One PE at (0,0): every word crosses the one link from the GB port. */
    NEAR(c.noc_word_hops[ACCEL_NOC_W], 4);
    NEAR(c.noc_word_hops[ACCEL_NOC_I], 8);
    NEAR(c.noc_word_hops[ACCEL_NOC_OFINAL], 4);
    NEAR(c.noc_word_hops[ACCEL_NOC_OPSUM], 0);
    NEAR(c.gbuf_tile_bits, 4 * 8 + 2 * 8);
    NEAR(c.wbuf_tile_bits, 16);
    NEAR(c.abuf_tile_bits, 24);
}

/* Partial sums that leave the PE: C split between PE (1) and GB (2) with
 * the GB loop C outside P. */
static void fixed_mapping_psums(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default(&a);
    accel_layer_shape l = accel_layer_make("t", 1, 2, 2, 1, 1, 1);
    accel_mapping m;
    unit_mapping(&m);
    m.t[ACCEL_LVL_GB][ACCEL_DP] = 2;
    m.t[ACCEL_LVL_GB][ACCEL_DC] = 2;
    m.order[ACCEL_LVL_GB] = ACCEL_ORDER_ABC; /* P inner, C outer */
    accel_counts c;
    accel_counts_of(&a, &l, &m, &c);
    /* Output tile of the PE = 1 output; loops above: P2 (indexes it) then
     * C2: 4 visits of 2 distinct outputs, so 2 reloads and 4 drains. */
    NEAR(c.out_distinct, 2);
    NEAR(c.out_visits_pe, 4);
    NEAR(c.acc[ACCEL_LVL_PE][ACCEL_TO].updates, 4);
    NEAR(c.acc[ACCEL_LVL_PE][ACCEL_TO].fills, 2);
    NEAR(c.acc[ACCEL_LVL_PE][ACCEL_TO].reads, (4 - 2) + 4);
    NEAR(c.acc[ACCEL_LVL_GB][ACCEL_TO].updates, 4);
    NEAR(c.noc_word_hops[ACCEL_NOC_OPSUM], 2 * 2);
    NEAR(c.noc_word_hops[ACCEL_NOC_OFINAL], 2);
    /* The GB holds partial sums, at psum width. */
    NEAR(c.gbuf_tile_bits, 2 * 2 * 8 + 2 * 24);
    accel_dataflow df;
    accel_dataflow_of(&l, &c, &df);
    NEAR(df.psum_round_trips, 1);
}

/* Four PEs, M split 2 and P split 2 across them (row 0 of the mesh:
 * placement M fastest), one more M in time. */
static void fixed_mapping_multicast(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default(&a);
    accel_layer_shape l = accel_layer_make("t", 4, 1, 2, 1, 1, 1);
    accel_mapping m;
    unit_mapping(&m);
    m.pe[ACCEL_DM] = 2;
    m.pe[ACCEL_DP] = 2;
    m.t[ACCEL_LVL_PE][ACCEL_DM] = 2;
    ax_err err = {0};
    assert_int_equal(accel_mapping_check(&a, &l, &m, &err), AX_OK);
    accel_counts c;
    accel_counts_of(&a, &l, &m, &c);
    NEAR(c.macs, 8);
    NEAR(c.pes_used, 4);
    /* PEs (m,p) at x = m + 2p. Weight groups {x0,x2}: 3 links, {x1,x3}: 4;
     * 2 weights per PE. Input groups {x0,x1}: 2 links, {x2,x3}: 4; 1 input
     * per PE. Output unicasts: 1+2+3+4 links, 2 outputs per PE. */
    NEAR(c.noc_word_hops[ACCEL_NOC_W], 2 * 7);
    NEAR(c.noc_words[ACCEL_NOC_W], 2 * 2);
    NEAR(c.noc_word_hops[ACCEL_NOC_I], 1 * 6);
    NEAR(c.noc_words[ACCEL_NOC_I], 2);
    NEAR(c.noc_word_hops[ACCEL_NOC_OFINAL], 2 * 10);
    /* Multicast: DRAM reads each weight once, the GB each input once. */
    NEAR(c.acc[ACCEL_LVL_DRAM][ACCEL_TW].reads, 4);
    NEAR(c.acc[ACCEL_LVL_PE][ACCEL_TW].fills, 8);
    NEAR(c.acc[ACCEL_LVL_GB][ACCEL_TI].reads, 2);
    /* The PE loop M does not index inputs: one input-buffer read serves 2
     * MACs. */
    NEAR(c.acc[ACCEL_LVL_PE][ACCEL_TI].reads, 4);
    NEAR(c.acc[ACCEL_LVL_PE][ACCEL_TW].reads, 8);
    accel_dataflow df;
    accel_dataflow_of(&l, &c, &df);
    NEAR(df.weights.copies, 2);        /* each weight sits in 2 PEs */
    NEAR(df.weights.noc_transfers, 1); /* one multicast */
    NEAR(df.weights.hops_per_transfer, 3.5);
}

static void bad_mappings_rejected(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default(&a);
    accel_layer_shape l = accel_layer_make("t", 4, 4, 2, 2, 1, 1);
    accel_mapping m;
    unit_mapping(&m);
    ax_err err = {0};
    assert_int_equal(accel_mapping_check(&a, &l, &m, &err), AX_EINPUT); /* factors != dims */
    m.t[ACCEL_LVL_DRAM][ACCEL_DM] = 4;
    m.t[ACCEL_LVL_DRAM][ACCEL_DC] = 4;
    m.t[ACCEL_LVL_DRAM][ACCEL_DP] = 2;
    m.t[ACCEL_LVL_DRAM][ACCEL_DQ] = 2;
    assert_int_equal(accel_mapping_check(&a, &l, &m, &err), AX_OK);
    m.pe[ACCEL_DC] = 2; /* C may not be split across PEs */
    m.t[ACCEL_LVL_DRAM][ACCEL_DC] = 2;
    assert_int_equal(accel_mapping_check(&a, &l, &m, &err), AX_EINPUT);
    /* A weight tile larger than the weight buffer. */
    accel_layer_shape big = accel_layer_make("big", 512, 512, 1, 1, 1, 1);
    unit_mapping(&m);
    m.t[ACCEL_LVL_PE][ACCEL_DM] = 512;
    m.t[ACCEL_LVL_PE][ACCEL_DC] = 512;
    assert_int_equal(accel_mapping_check(&a, &big, &m, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "weight buffer"));
}

static const accel_layer_shape *zoo(size_t *n)
{
    static accel_layer_shape z[9];
    z[0] = accel_layer_make("conv3x3", 16, 16, 28, 28, 3, 3);
    z[1] = accel_layer_make("stride2", 32, 16, 14, 14, 3, 3);
    z[1].stride_h = z[1].stride_w = 2;
    z[2] = accel_layer_make("dw", 32, 1, 14, 14, 3, 3);
    z[2].groups = 32;
    z[3] = accel_layer_make("grouped", 64, 8, 7, 7, 3, 3);
    z[3].groups = 4;
    z[4] = accel_layer_make("dilated", 16, 16, 10, 10, 3, 3);
    z[4].dil_h = z[4].dil_w = 2;
    z[5] = accel_layer_make("fc", 10, 400, 1, 1, 1, 1);
    z[6] = accel_layer_make("big", 256, 256, 14, 14, 3, 3);
    z[7] = accel_layer_make("batch", 16, 8, 8, 8, 3, 3);
    z[7].n = 4;
    z[8] = accel_layer_make("conv7", 64, 3, 56, 56, 7, 7);
    z[8].stride_h = z[8].stride_w = 2;
    *n = sizeof z / sizeof z[0];
    return z;
}

/* Searched mappings: valid, the layer's MAC count, within the buffers, and
 * at least the compulsory DRAM traffic. */
static void searched_mappings_valid(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default(&a);
    a.keep_activations = 0;
    accel_energies e;
    ax_err err = {0};
    assert_int_equal(accel_energies_derive(&a, &e, &err), AX_OK);
    size_t n;
    const accel_layer_shape *z = zoo(&n);
    for (int obj = 0; obj < 2; obj++) {
        for (size_t i = 0; i < n; i++) {
            accel_map_opts o = {obj, 0, 0, 0};
            accel_mapping m;
            accel_counts c;
            assert_int_equal(accel_map_layer(&a, &e, &z[i], &o, &m, &c, &err), AX_OK);
            assert_int_equal(accel_mapping_check(&a, &z[i], &m, &err), AX_OK);
            NEAR(c.macs, accel_layer_macs(&z[i]));
            assert_true(c.wbuf_tile_bits <= a.wbuf_kib * 8192);
            assert_true(c.ibuf_tile_bits <= a.ibuf_kib * 8192);
            assert_true(c.abuf_tile_bits <= a.abuf_kib * 8192);
            assert_true(c.gbuf_tile_bits <= a.gbuf_kib * 8192);
            assert_true(c.cycles >= c.compute_cycles);
            assert_true(c.util > 0 && c.util <= 1 + 1e-12);
            double weights = (double)z[i].m * z[i].c * z[i].r * z[i].s;
            assert_true(c.acc[ACCEL_LVL_DRAM][ACCEL_TW].reads >= weights - 1e-9);
            assert_true(c.acc[ACCEL_LVL_DRAM][ACCEL_TO].updates >= c.out_distinct - 1e-9);
            /* Counts are those of the evaluator for the returned mapping. */
            accel_counts again;
            accel_counts_of(&a, &z[i], &m, &again);
            assert_memory_equal(&again, &c, sizeof c);
        }
    }
}

/* A layer whose weights all fit one PE's weight buffer reads each weight
 * from DRAM exactly once, and its inputs and outputs once. */
static void small_layer_reads_weights_once(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default(&a);
    a.keep_activations = 0;
    a.pin_weights = 0;
    accel_energies e;
    ax_err err = {0};
    assert_int_equal(accel_energies_derive(&a, &e, &err), AX_OK);
    accel_layer_shape l = accel_layer_make("small", 16, 8, 8, 8, 3, 3);
    accel_map_opts o = {ACCEL_OBJ_ENERGY, 0, 0, 0};
    accel_mapping m;
    accel_counts c;
    assert_int_equal(accel_map_layer(&a, &e, &l, &o, &m, &c, &err), AX_OK);
    NEAR(c.acc[ACCEL_LVL_DRAM][ACCEL_TW].reads, 16 * 8 * 9);
    NEAR(c.acc[ACCEL_LVL_DRAM][ACCEL_TI].reads, 8 * 10 * 10);
    NEAR(c.acc[ACCEL_LVL_DRAM][ACCEL_TO].updates, 16 * 8 * 8);
    NEAR(c.acc[ACCEL_LVL_DRAM][ACCEL_TO].reads, 0);
}

/* Pinned weights: no weight traffic per inference, and no loop above the PE
 * level indexes weights; resident activations: no DRAM traffic. */
static void pinned_and_resident(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default(&a);
    accel_energies e;
    ax_err err = {0};
    assert_int_equal(accel_energies_derive(&a, &e, &err), AX_OK);
    accel_layer_shape l = accel_layer_make("l", 32, 32, 14, 14, 3, 3);
    accel_map_opts o = {ACCEL_OBJ_ENERGY, 1, 8192.0 * 8, 1};
    accel_mapping m;
    accel_counts c;
    assert_int_equal(accel_map_layer(&a, &e, &l, &o, &m, &c, &err), AX_OK);
    assert_int_equal(m.w_pinned, 1);
    assert_int_equal(m.act_resident, 1);
    assert_int_equal(accel_mapping_check(&a, &l, &m, &err), AX_OK);
    assert_true(c.wbuf_tile_bits <= 8192.0 * 8);
    NEAR(c.acc[ACCEL_LVL_PE][ACCEL_TW].fills, 0);
    NEAR(c.noc_words[ACCEL_NOC_W], 0);
    NEAR(c.dram_bits, 0);
    NEAR(c.macs, accel_layer_macs(&l));
}

/* The chosen mapping of every ResNet-14 layer, recounted by Timeloop's
 * rules (accel_model/nest.h, itself checked against Timeloop's published
 * counts in test_nest.c): every count of map.c equals Timeloop's but for
 * two conventions of map.c, each checked exactly (docs/nest.md):
 * - an output word drained to the level above is a read of the level it
 *   leaves (Timeloop charges only the parent's update): PE and global
 *   buffer output reads exceed Timeloop's by the drains;
 * - input words shared by neighbouring PEs (the halo of a P or Q split)
 *   are read from the global buffer once per PE (Timeloop multicasts
 *   them): map.c's global-buffer input reads are at least Timeloop's, and
 *   equal when no PE split cuts a window. */
static void counts_follow_timeloop(void **state)
{
    (void)state;
    accel_arch a;
    accel_arch_default(&a);
    accel_energies e;
    ax_err err = {0};
    assert_int_equal(accel_energies_derive(&a, &e, &err), AX_OK);
    accel_layer_shape *layers;
    size_t n;
    assert_int_equal(accel_layers_load("configs/layers_resnet14_fmnist.tsv", &layers, &n, &err), AX_OK);
    int equal = 0, halo = 0;
    for (size_t i = 0; i < n; i++) {
        accel_map_opts o = {ACCEL_OBJ_ENERGY, 0, 0, 0};
        accel_mapping m;
        accel_counts c;
        assert_int_equal(accel_map_layer(&a, &e, &layers[i], &o, &m, &c, &err), AX_OK);
        nest_map nm;
        nest_shape ns;
        nest_stats st;
        assert_int_equal(accel_mapping_nest(&layers[i], &m, &nm, &ns, &err), AX_OK);
        assert_int_equal(nest_count(&nm, &ns, &st, &err), AX_OK);
        /* nest levels: 0 DRAM, 1 GlobalBuffer, 2 PEBuffers, 3 Registers */
        const int level_of[ACCEL_NLEVELS] = {2, 1, 0};
        for (int lv = 0; lv < ACCEL_NLEVELS; lv++)
            for (int t = 0; t < ACCEL_NTENSORS; t++) {
                int nl = level_of[lv];
                if (!nm.keeps[nl][t])
                    continue;
                const accel_access *x = &c.acc[lv][t];
                const nest_access *y = &st.acc[nl][t];
                double k = st.instances[nl], reads = y->reads * k;
                if (t == ACCEL_TO && lv == ACCEL_LVL_PE)
                    reads += c.out_visits_pe;
                if (t == ACCEL_TO && lv == ACCEL_LVL_GB)
                    reads += c.out_visits_gb;
                int split = m.pe[ACCEL_DP] > 1 || m.pe[ACCEL_DQ] > 1 || m.chip[ACCEL_DP] > 1 || m.chip[ACCEL_DQ] > 1;
                if (t == ACCEL_TI && lv == ACCEL_LVL_GB && split && x->reads > reads) {
                    halo++;
                    reads = x->reads;
                }
                if (x->reads != reads || x->fills != y->fills * k || x->updates != y->updates * k)
                    fail_msg("layer %s level %d tensor %d: map.c %.0f/%.0f/%.0f, Timeloop's rules %.0f/%.0f/%.0f",
                             layers[i].name, lv, t, x->reads, x->fills, x->updates, reads, y->fills * k,
                             y->updates * k);
                equal++;
            }
    }
    print_message("%d counts of %zu layers checked, %d global-buffer input reads above Timeloop's (halo)\n", equal,
                  n, halo);
    assert_true(equal == (int)n * 8);
    free(layers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_mapping_one_mac),
        cmocka_unit_test(fixed_mapping_psums),
        cmocka_unit_test(fixed_mapping_multicast),
        cmocka_unit_test(bad_mappings_rejected),
        cmocka_unit_test(searched_mappings_valid),
        cmocka_unit_test(small_layer_reads_weights_once),
        cmocka_unit_test(pinned_and_resident),
        cmocka_unit_test(counts_follow_timeloop),
    };
    return cmocka_run_group_tests_name("accel_map", tests, NULL, NULL);
}
