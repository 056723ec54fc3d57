/* Broken-array multiplier (BAM): a carry-save array multiplier whose
 * carry-save adder cells are omitted below a horizontal break level (the
 * hbl least significant partial-product rows, i.e. the rows of weight bits
 * b_0..b_{hbl-1}) and to the right of a vertical break level (all cells of
 * the vbl least significant columns).
 *
 * H. R. Mahdiani, A. Ahmadi, S. M. Fakhraie, C. Lucas, "Bio-inspired
 * imprecise computational blocks for efficient VLSI implementation of
 * soft-computing applications", IEEE Trans. Circuits and Systems I 57(4),
 * 2010.
 *
 * Asymmetric: rows are the bits of b (weight), so hbl drops low weight bits.
 * Model: P = sum over j >= hbl, i + j >= vbl of a_i b_j 2^(i+j). */
#include "approx/mbuild.h"
#include "approx/mfam.h"

static int kept(int i, int j, const int *param)
{
    return j >= param[0] && i + j >= param[1];
}

static void build(nl_netlist *nl, const int *param)
{
    nl_sig a[8], b[8], out[MB_COLS], rows[8][MB_COLS];
    mb_operands(nl, a, b);
    for (int j = 0; j < 8; j++) {
        for (int c = 0; c < MB_COLS; c++)
            rows[j][c] = NL_ZERO;
        for (int i = 0; i < 8; i++)
            if (kept(i, j, param))
                rows[j][i + j] = nl_and2(nl, a[i], b[j]);
    }
    mb_array(nl, rows, 8, out);
    mb_set_outputs(nl, out);
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    unsigned p = 0;
    for (int j = 0; j < 8; j++)
        for (int i = 0; i < 8; i++)
            if (kept(i, j, param))
                p += ((a >> i) & (b >> j) & 1u) << (i + j);
    return (uint16_t)p;
}

static int more_approx(const int *p, const int *q)
{
    return q[0] >= p[0] && q[1] >= p[1] && (q[0] != p[0] || q[1] != p[1]);
}

static const mfam_design designs[] = {
    {"bam_h1_v4", {1, 4}}, {"bam_h1_v6", {1, 6}}, {"bam_h1_v8", {1, 8}},
    {"bam_h2_v6", {2, 6}}, {"bam_h2_v8", {2, 8}}, {"bam_h2_v10", {2, 10}},
    {"bam_h3_v8", {3, 8}},
};

const mfam_family mfam_bam = {
    .name = "bam",
    .title = "broken-array multiplier (horizontal/vertical break levels)",
    .citation = "Mahdiani, Ahmadi, Fakhraie, Lucas, IEEE TCAS-I 2010",
    .operands = "asymmetric: hbl removes rows of the weight b",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
