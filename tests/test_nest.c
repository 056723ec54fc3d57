/* The fixed-mapping access model (accel_model/nest.h) against Timeloop's
 * published counts and against counts derived by hand.
 *
 * Reference: Timeloop's conv1d tutorial exercises, repository
 * Accelergy-Project/timeloop-accelergy-exercises, commit 2ffec693ced8e60a
 * 46c1131e9e4a387ac007d410 (2024-05-29; unchanged at 2d551080 of
 * 2026), files workspace/tutorial_exercises/01_accelergy_timeloop_2020_
 * ispass/timeloop/<exercise>/ref-output/<variant>/timeloop-model.stats.txt
 * (Timeloop 4). Each case below restates that file's mapping
 * (timeloop-model.map.txt) and checks every per-instance count it prints:
 * utilized capacity, utilized instances, scalar reads, fills, updates and
 * temporal reductions of every level and tensor. For exercise 04 the
 * earlier reference (commit 27850fc31e967f20d776c5f2b837d900094eafe6,
 * exercises/timeloop/04-model-conv1d+oc-3levelspatial, one global buffer
 * for 16 register files) is checked too: it equals ours in every count but
 * output fills, which that Timeloop version counted on each first entry of
 * an output tile, before any partial sum existed (docs/nest.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "accel_model/nest.h"

/* Expected counts of one level and tensor, per instance. */
typedef struct want {
    const char *level;
    int tensor;
    double instances, tile, reads, fills, updates, reductions;
} want;

static void check(const char *shape, const char *map_text, const want *w, size_t n, double computes)
{
    nest_shape s;
    nest_map m;
    nest_stats st;
    ax_err err = {0};
    if (nest_shape_parse(shape, &s, &err) != AX_OK || nest_map_parse(map_text, "case", &m, &err) != AX_OK ||
        nest_count(&m, &s, &st, &err) != AX_OK)
        fail_msg("%s", err.msg);
    assert_true(st.computes == computes);
    size_t kept = 0;
    for (int l = 0; l < m.n_levels; l++)
        for (int t = 0; t < NEST_NSPACES; t++)
            kept += (size_t)m.keeps[l][t];
    assert_int_equal(kept, n); /* every kept tensor is checked */
    for (size_t i = 0; i < n; i++) {
        int l = 0;
        while (l < m.n_levels && strcmp(m.name[l], w[i].level) != 0)
            l++;
        assert_true(l < m.n_levels);
        assert_true(m.keeps[l][w[i].tensor]);
        const nest_access *a = &st.acc[l][w[i].tensor];
        if (st.instances[l] != w[i].instances || a->tile != w[i].tile || a->reads != w[i].reads ||
            a->fills != w[i].fills || a->updates != w[i].updates || a->reductions != w[i].reductions)
            fail_msg("%s tensor %d: instances %.0f tile %.0f reads %.0f fills %.0f updates %.0f reductions %.0f; "
                     "want %.0f %.0f %.0f %.0f %.0f %.0f",
                     w[i].level, w[i].tensor, st.instances[l], a->tile, a->reads, a->fills, a->updates,
                     a->reductions, w[i].instances, w[i].tile, w[i].reads, w[i].fills, w[i].updates,
                     w[i].reductions);
    }
}

enum { W = NEST_W, I = NEST_I, O = NEST_O };

/* 00-model-conv1d-1level: one buffer; the first update of each output
 * reads no partial sum (48 updates, 32 reads). */
static void timeloop_00_one_level(void **state)
{
    (void)state;
    static const want w[] = {{"Buffer", W, 1, 3, 48, 0, 0, 0},
                             {"Buffer", I, 1, 18, 48, 0, 0, 0},
                             {"Buffer", O, 1, 16, 32, 0, 48, 32}};
    check("R=3,P=16",
          "Buffer [ Weights:3 (3) Inputs:18 (18) Outputs:16 (16) ] \n"
          "-------------------------------------------------------\n"
          "| for P in [0:16)\n|   for R in [0:3)\n|     << Compute >>\n",
          w, 3, 48);
}

/* 01-model-conv1d-2level, weight- and output-stationary. */
static void timeloop_01_two_levels(void **state)
{
    (void)state;
    static const want ws[] = {{"Buffer", W, 1, 1, 48, 3, 0, 0},        {"Buffer", I, 1, 16, 48, 18, 0, 0},
                              {"Buffer", O, 1, 16, 32, 0, 48, 32},     {"MainMemory", W, 1, 3, 3, 0, 0, 0},
                              {"MainMemory", I, 1, 18, 18, 0, 0, 0},   {"MainMemory", O, 1, 16, 0, 0, 16, 0}};
    check("R=3,P=16",
          "MainMemory [ Weights:3 (3) Inputs:18 (18) Outputs:16 (16) ]\n| for R in [0:3)\n\n"
          "Buffer [ Weights:1 (1) Inputs:16 (16) Outputs:16 (16) ]\n|   for P in [0:16)\n|     << Compute >>\n",
          ws, 6, 48);
    static const want os[] = {{"Buffer", W, 1, 3, 48, 3, 0, 0},        {"Buffer", I, 1, 3, 48, 18, 0, 0},
                              {"Buffer", O, 1, 1, 32, 0, 48, 32},      {"MainMemory", W, 1, 3, 3, 0, 0, 0},
                              {"MainMemory", I, 1, 18, 18, 0, 0, 0},   {"MainMemory", O, 1, 16, 0, 0, 16, 0}};
    check("R=3,P=16",
          "MainMemory [ Weights:3 (3) Inputs:18 (18) Outputs:16 (16) ]\n| for P in [0:16)\n\n"
          "Buffer [ Weights:3 (3) Inputs:3 (3) Outputs:1 (1) ]\n|   for R in [0:3)\n|     << Compute >>\n",
          os, 6, 48);
}

/* 02-model-conv1d+oc-2level, untiled and tiled over K. */
static void timeloop_02_tiling(void **state)
{
    (void)state;
    static const want untiled[] = {{"Buffer", W, 1, 3, 1536, 96, 0, 0},       {"Buffer", I, 1, 3, 1536, 576, 0, 0},
                                   {"Buffer", O, 1, 1, 1024, 0, 1536, 1024},  {"MainMemory", W, 1, 96, 96, 0, 0, 0},
                                   {"MainMemory", I, 1, 18, 576, 0, 0, 0},    {"MainMemory", O, 1, 512, 0, 0, 512, 0}};
    check("K=32,R=3,P=16",
          "MainMemory [ Weights:96 (96) Inputs:18 (18) Outputs:512 (512) ]\n| for K in [0:32)\n|   for P in [0:16)\n"
          "Buffer [ Weights:3 (3) Inputs:3 (3) Outputs:1 (1) ]\n|     for R in [0:3)\n|       << Compute >>\n",
          untiled, 6, 1536);
    static const want tiled[] = {{"Buffer", W, 1, 6, 1536, 96, 0, 0},       {"Buffer", I, 1, 3, 1536, 288, 0, 0},
                                 {"Buffer", O, 1, 2, 1024, 0, 1536, 1024},  {"MainMemory", W, 1, 96, 96, 0, 0, 0},
                                 {"MainMemory", I, 1, 18, 288, 0, 0, 0},    {"MainMemory", O, 1, 512, 0, 0, 512, 0}};
    check("K=32,R=3,P=16",
          "MainMemory [ Weights:96 (96) Inputs:18 (18) Outputs:512 (512) ]\n| for K in [0:16)\n|   for P in [0:16)\n"
          "Buffer [ Weights:6 (6) Inputs:3 (3) Outputs:2 (2) ]\n|     for K in [0:2)\n|       for R in [0:3)\n"
          "|         << Compute >>\n",
          tiled, 6, 1536);
}

/* 03-model-conv1d+oc-3level, without and with bypass (the register file
 * keeps only outputs, the global buffer no outputs). */
static void timeloop_03_bypass(void **state)
{
    (void)state;
    static const want keep[] = {
        {"RegisterFile", W, 1, 6, 1536, 96, 0, 0},      {"RegisterFile", I, 1, 3, 1536, 288, 0, 0},
        {"RegisterFile", O, 1, 2, 1024, 0, 1536, 1024}, {"GlobalBuffer", W, 1, 96, 96, 96, 0, 0},
        {"GlobalBuffer", I, 1, 18, 288, 18, 0, 0},      {"GlobalBuffer", O, 1, 512, 0, 0, 512, 0},
        {"MainMemory", W, 1, 96, 96, 0, 0, 0},          {"MainMemory", I, 1, 18, 18, 0, 0, 0},
        {"MainMemory", O, 1, 512, 0, 0, 512, 0}};
    check("K=32,R=3,P=16",
          "MainMemory [ Weights:96 (96) Inputs:18 (18) Outputs:512 (512) ]\n"
          "GlobalBuffer [ Weights:96 (96) Inputs:18 (18) Outputs:512 (512) ]\n| for K in [0:16)\n|   for P in [0:16)\n"
          "RegisterFile [ Weights:6 (6) Inputs:3 (3) Outputs:2 (2) ]\n|     for K in [0:2)\n|       for R in [0:3)\n"
          "|         << Compute >>\n",
          keep, 9, 1536);
    static const want bypass[] = {
        {"RegisterFile", O, 1, 2, 1024, 0, 1536, 1024}, {"GlobalBuffer", W, 1, 96, 1536, 96, 0, 0},
        {"GlobalBuffer", I, 1, 18, 1536, 18, 0, 0},     {"MainMemory", W, 1, 96, 96, 0, 0, 0},
        {"MainMemory", I, 1, 18, 18, 0, 0, 0},          {"MainMemory", O, 1, 512, 0, 0, 512, 0}};
    check("K=32,R=3,P=16",
          "MainMemory [ Weights:96 (96) Inputs:18 (18) Outputs:512 (512) ]\n"
          "GlobalBuffer [ Weights:96 (96) Inputs:18 (18) ]\n| for K in [0:16)\n|   for P in [0:16)\n"
          "RegisterFile [ Outputs:2 (2) ]\n|     for K in [0:2)\n|       for R in [0:3)\n|         << Compute >>\n",
          bypass, 6, 1536);
}

/* 04-model-conv1d+oc-3levelspatial, C- and K-partitioned over 16 PEs,
 * each with its own global buffer (the Timeloop 4 reference). */
static void timeloop_04_spatial(void **state)
{
    (void)state;
    static const want cp[] = {
        {"RegisterFile", W, 16, 1, 3072, 192, 0, 0},        {"RegisterFile", I, 16, 16, 3072, 1152, 0, 0},
        {"RegisterFile", O, 16, 16, 2560, 512, 3072, 2560}, {"GlobalBuffer", W, 16, 192, 192, 192, 0, 0},
        {"GlobalBuffer", I, 16, 36, 1152, 36, 0, 0},        {"GlobalBuffer", O, 16, 512, 512, 0, 1024, 512},
        {"MainMemory", W, 1, 3072, 3072, 0, 0, 0},          {"MainMemory", I, 1, 576, 576, 0, 0, 0},
        {"MainMemory", O, 1, 512, 0, 0, 512, 0}};
    check("C=32,K=32,R=3,P=16",
          "MainMemory [ Weights:3072 (3072) Inputs:576 (576) Outputs:512 (512) ]\ninter_PE_spatial [ ]\n"
          "--------------------\n| for C in [0:16) (Spatial-X)\n"
          "GlobalBuffer [ Weights:192 (192) Inputs:36 (36) Outputs:512 (512) ]\n|   for C in [0:2)\n"
          "|     for K in [0:32)\n|       for R in [0:3)\n"
          "RegisterFile [ Weights:1 (1) Inputs:16 (16) Outputs:16 (16) ]\n|         for P in [0:16)\n"
          "|           << Compute >>\n",
          cp, 9, 49152);
    static const want kp[] = {
        {"RegisterFile", W, 16, 1, 3072, 192, 0, 0},        {"RegisterFile", I, 16, 16, 3072, 1152, 0, 0},
        {"RegisterFile", O, 16, 16, 3040, 992, 3072, 3040}, {"GlobalBuffer", W, 16, 192, 192, 192, 0, 0},
        {"GlobalBuffer", I, 16, 576, 1152, 576, 0, 0},      {"GlobalBuffer", O, 16, 32, 992, 0, 1024, 992},
        {"MainMemory", W, 1, 3072, 3072, 0, 0, 0},          {"MainMemory", I, 1, 576, 576, 0, 0, 0},
        {"MainMemory", O, 1, 512, 0, 0, 512, 0}};
    check("C=32,K=32,R=3,P=16",
          "MainMemory [ Weights:3072 (3072) Inputs:576 (576) Outputs:512 (512) ]\ninter_PE_spatial [ ]\n"
          "| for K in [0:16) (Spatial-X)\n"
          "GlobalBuffer [ Weights:192 (192) Inputs:576 (576) Outputs:32 (32) ]\n|   for C in [0:32)\n"
          "|     for K in [0:2)\n|       for R in [0:3)\n"
          "RegisterFile [ Weights:1 (1) Inputs:16 (16) Outputs:16 (16) ]\n|         for P in [0:16)\n"
          "|           << Compute >>\n",
          kp, 9, 49152);
}

/* The same, one global buffer feeding 16 register files (the 2020
 * reference): inputs multicast to all 16 (K-partitioned: 1152 reads, not
 * 16 x 1152), partial sums reduced across them (C-partitioned: 1024
 * updates from 16 x 1024). Output fills follow Timeloop 4's rule (only
 * those that read a partial sum back); the 2020 file has 1024 and 512
 * where this has 512 and 0 (register file, global buffer). */
static void timeloop_04_shared_buffer(void **state)
{
    (void)state;
    static const want cp[] = {
        {"RegisterFile", W, 16, 1, 3072, 192, 0, 0},        {"RegisterFile", I, 16, 16, 3072, 1152, 0, 0},
        {"RegisterFile", O, 16, 16, 2560, 512, 3072, 2560}, {"GlobalBuffer", W, 1, 3072, 3072, 3072, 0, 0},
        {"GlobalBuffer", I, 1, 576, 18432, 576, 0, 0},      {"GlobalBuffer", O, 1, 512, 512, 0, 1024, 512},
        {"MainMemory", W, 1, 3072, 3072, 0, 0, 0},          {"MainMemory", I, 1, 576, 576, 0, 0, 0},
        {"MainMemory", O, 1, 512, 0, 0, 512, 0}};
    check("C=32,K=32,R=3,P=16",
          "MainMemory [ Weights:3072 Inputs:576 Outputs:512 ]\n| for P in [0:1)\n"
          "GlobalBuffer [ Weights:3072 Inputs:576 Outputs:512 ]\n|   for C in [0:2)\n|     for K in [0:32)\n"
          "|       for R in [0:3)\n|         for C in [0:16) (Spatial-X)\n"
          "RegisterFile [ Weights:1 Inputs:16 Outputs:16 ]\n|           for P in [0:16)\n",
          cp, 9, 49152);
    static const want kp[] = {
        {"RegisterFile", W, 16, 1, 3072, 192, 0, 0},            {"RegisterFile", I, 16, 16, 3072, 1152, 0, 0},
        {"RegisterFile", O, 16, 16, 3040, 992, 3072, 3040},     {"GlobalBuffer", W, 1, 3072, 3072, 3072, 0, 0},
        {"GlobalBuffer", I, 1, 576, 1152, 576, 0, 0},           {"GlobalBuffer", O, 1, 512, 15872, 0, 16384, 15872},
        {"MainMemory", W, 1, 3072, 3072, 0, 0, 0},              {"MainMemory", I, 1, 576, 576, 0, 0, 0},
        {"MainMemory", O, 1, 512, 0, 0, 512, 0}};
    check("C=32,K=32,R=3,P=16",
          "MainMemory [ Weights:3072 Inputs:576 Outputs:512 ]\n| for P in [0:1)\n"
          "GlobalBuffer [ Weights:3072 Inputs:576 Outputs:512 ]\n|   for C in [0:32)\n|     for K in [0:2)\n"
          "|       for R in [0:3)\n|         for K in [0:16) (Spatial-X)\n"
          "RegisterFile [ Weights:1 Inputs:16 Outputs:16 ]\n|           for P in [0:16)\n",
          kp, 9, 49152);
}

/* Counted by hand:
 * - a strided window (Wstride=2, R=3, P=4): the buffer's 3 inputs at p
 *   are 2p..2p+2, so each step of p brings 2 new ones: 3 + 3 x 2 = 9
 *   fills, the whole row of (4-1) x 2 + 3 = 9 inputs read once above;
 * - weights stationary across irrelevant loops: the 3 weights of k stay
 *   while P runs inside K (2 x 3 = 6 fills, not 2 x 4 x 3), and the
 *   compute reads one per MAC (24);
 * - four MACs side by side over K share each input (multicast: one read
 *   per step, R x P = 12 steps: 12 reads of a 6-input row), read four
 *   different weights (48) and write four different outputs (4 updates
 *   per step, 48; the first of each of the 16 outputs reads nothing: 32).
 * The levels without a buffer below send each MAC its operand every step
 * (one read per MAC) and take every result (one update per MAC). */
static void hand_counted(void **state)
{
    (void)state;
    static const want strided[] = {{"Buffer", I, 1, 3, 12, 9, 0, 0},  {"Main", W, 1, 3, 12, 0, 0, 0},
                                   {"Main", I, 1, 9, 9, 0, 0, 0},      {"Main", O, 1, 4, 8, 0, 12, 8}};
    check("R=3,P=4,Wstride=2",
          "Main [ Weights Inputs Outputs ]\n| for P in [0:4)\nBuffer [ Inputs:3 ]\n|   for R in [0:3)\n<< Compute >>\n",
          strided, 4, 12);
    static const want stationary[] = {{"Buffer", W, 1, 3, 24, 6, 0, 0}, {"Main", W, 1, 6, 6, 0, 0, 0},
                                      {"Main", I, 1, 6, 24, 0, 0, 0},   {"Main", O, 1, 8, 16, 0, 24, 16}};
    check("K=2,R=3,P=4", "Main [ Weights Inputs Outputs ]\n| for K in [0:2)\n|   for P in [0:4)\n"
                         "Buffer [ Weights:3 ]\n|     for R in [0:3)\n",
          stationary, 4, 24);
    static const want fanout[] = {{"Buffer", W, 1, 12, 48, 0, 0, 0},
                                  {"Buffer", I, 1, 6, 12, 0, 0, 0},
                                  {"Buffer", O, 1, 16, 32, 0, 48, 32}};
    check("K=4,R=3,P=4", "Buffer [ Weights Inputs Outputs ]\n| for P in [0:4)\n|   for R in [0:3)\n"
                         "|     for K in [0:4) (Spatial-X)\n",
          fanout, 3, 48);
}

/* Every refusal names the line or the dimension. */
static void refusals(void **state)
{
    (void)state;
    static const struct {
        const char *shape, *map, *msg;
    } bad[] = {
        {"R=3", "Buffer [ Weights Inputs Outputs ]\n| for X in [0:3)\n", "m:2: unknown loop dimension 'X'"},
        {"R=3", "Buffer [ Weights Inputs Outputs ]\n| for R in [1:3)\n", "m:2: a loop runs over [0:n)"},
        {"R=3", "Buffer [ Weights Inputs Outputs ]\n| for R in [0:3) (Temporal)\n", "only (Spatial-X) or (Spatial-Y)"},
        {"R=3", "| for R in [0:3)\nBuffer [ Weights Inputs Outputs ]\n", "m:1: a loop before the first level"},
        {"R=3", "Buffer [ Weights Inputs ]\n| for R in [0:3)\n", "the outermost level Buffer must keep Outputs"},
        {"R=3", "Buffer [ Weights Weights:3 Inputs Outputs ]\n", "m:1: Weights named twice"},
        {"R=3", "Buffer [ Psums:3 Inputs Outputs ]\n", "'Psums:3': expected Weights:n"},
        {"R=3", "Buffer Weights Inputs Outputs\n", "m:1: not a level line"},
        {"R=3", "Buffer [ Weights Inputs Outputs ]\n| for R in [0:3)\n<< Compute >>\n| for P in [0:2)\n",
         "m:4: text after << Compute >>"},
        {"R=3", "Buffer [ Weights Inputs Outputs ]\n| for R in [0:2)\n", "the loops over R multiply to 2"},
        {"R=3", "Buffer [ Weights:2 Inputs Outputs ]\n| for R in [0:3)\n",
         "its loops give a Weights tile of 3 words, its line says 2"},
        {"R=3,Z=2", "Buffer [ Weights Inputs Outputs ]\n", "unknown name 'Z'"},
        {"R=0", "Buffer [ Weights Inputs Outputs ]\n", "'R=0' is not NAME=N"},
        {"R=3", "Buffer [ Weights Inputs Outputs ] junk\n", "m:1: text after ']'"},
        {"R=3", "Buffer [ Weights (3 Inputs Outputs ]\n", "'(3': expected a size in parentheses"},
        {"R=3", "Buffer [ Weights:3 (x) Inputs Outputs ]\n", "'(x)': expected a size in parentheses"},
        {"R=3", "Buffer [ Weights Inputs Outputs ]\n| for R in [0:3)\n|   << Compute >>junk\n",
         "m:3: text after << Compute >>"},
        {"R=3,Wstride=1000000000000000000000000000000000000000000000000000000000000000000001",
         "Buffer [ Weights Inputs Outputs ]\n", "longer than 63 characters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nest_shape s;
        nest_map m;
        nest_stats st;
        ax_err err = {0};
        int rc = nest_shape_parse(bad[i].shape, &s, &err);
        if (rc == AX_OK)
            rc = nest_map_parse(bad[i].map, "m", &m, &err);
        if (rc == AX_OK)
            rc = nest_count(&m, &s, &st, &err);
        assert_int_equal(rc, AX_EINPUT);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("case %zu: '%s', expected '%s'", i, err.msg, bad[i].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timeloop_00_one_level),     cmocka_unit_test(timeloop_01_two_levels),
        cmocka_unit_test(timeloop_02_tiling),        cmocka_unit_test(timeloop_03_bypass),
        cmocka_unit_test(timeloop_04_spatial),       cmocka_unit_test(timeloop_04_shared_buffer),
        cmocka_unit_test(hand_counted),              cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests_name("nest", tests, NULL, NULL);
}
