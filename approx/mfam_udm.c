/* UDM: the underdesigned multiplier built from 2x2 blocks, where the
 * inexact block gives 3 x 3 = 7 (111) instead of 9 and so needs only three
 * output bits: out0 = a0 b0, out1 = a1 b0 + a0 b1 (OR), out2 = a1 b1.
 * The block products are summed exactly.
 *
 * P. Kulkarni, P. Gupta, M. Ercegovac, "Trading accuracy for power with an
 * underdesigned multiplier architecture", 24th Int. Conf. on VLSI Design,
 * 2011.
 *
 * The 8x8 product is the sum of 16 blocks A_I x B_J << 2(I+J) (I, J = 0..3
 * the 2-bit digits of a and b). Parameter t: blocks with I + J <= t are
 * inexact, the others exact 2x2 multipliers (four output bits; t = 6: all
 * inexact, Kulkarni's full design; t = -1, udm_exact, is the same
 * architecture without approximation). Block outputs are summed with a
 * Dadda tree and a ripple-carry adder.
 * Symmetric. Model: P = sum of udm2(A_I, B_J) << 2(I+J), udm2(3,3) = 7. */
#include "approx/mbuild.h"
#include "approx/mfam.h"

static void build(nl_netlist *nl, const int *param)
{
    nl_sig a[8], b[8], out[MB_COLS];
    mb_operands(nl, a, b);
    mb_matrix m;
    mb_init(&m);
    for (int bi = 0; bi < 4; bi++)
        for (int bj = 0; bj < 4; bj++) {
            int s = 2 * (bi + bj);
            nl_sig a0 = a[2 * bi], a1 = a[2 * bi + 1], b0 = b[2 * bj], b1 = b[2 * bj + 1];
            if (bi + bj <= param[0]) {
                mb_add_bit(&m, s, nl_and2(nl, a0, b0));
                mb_add_bit(&m, s + 1, nl_or2(nl, nl_and2(nl, a1, b0), nl_and2(nl, a0, b1)));
                mb_add_bit(&m, s + 2, nl_and2(nl, a1, b1));
            } else { /* exact 2x2 block: four output bits */
                nl_sig x = nl_and2(nl, a1, b0), y = nl_and2(nl, a0, b1);
                nl_sig hi = nl_and2(nl, a1, b1), c = nl_and2(nl, x, y);
                mb_add_bit(&m, s, nl_and2(nl, a0, b0));
                mb_add_bit(&m, s + 1, nl_xor2(nl, x, y));
                mb_add_bit(&m, s + 2, nl_xor2(nl, hi, c));
                mb_add_bit(&m, s + 3, c);
            }
        }
    mb_reduce_dadda(nl, &m);
    mb_cpa(nl, &m, out);
    mb_set_outputs(nl, out);
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    unsigned p = 0;
    for (int bi = 0; bi < 4; bi++)
        for (int bj = 0; bj < 4; bj++) {
            unsigned x = a >> (2 * bi) & 3u, y = b >> (2 * bj) & 3u;
            unsigned blk = x * y;
            if (bi + bj <= param[0] && x == 3 && y == 3)
                blk = 7;
            p += blk << (2 * (bi + bj));
        }
    return (uint16_t)p;
}

static int more_approx(const int *p, const int *q)
{
    return q[0] > p[0];
}

static const mfam_design designs[] = {
    {"udm_exact", {-1}}, {"udm_t0", {0}}, {"udm_t1", {1}}, {"udm_t2", {2}},
    {"udm_t3", {3}}, {"udm_t4", {4}}, {"udm", {6}},
};

const mfam_family mfam_udm = {
    .name = "udm",
    .title = "underdesigned multiplier from inexact 2x2 blocks",
    .citation = "Kulkarni, Gupta, Ercegovac, VLSI Design 2011",
    .operands = "symmetric",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
