/* 4:2 compressor trees with approximate compressors in the k least
 * significant columns.
 *
 * A. Momeni, J. Han, P. Montuschi, F. Lombardi, "Design and analysis of
 * approximate compressors for multiplication", IEEE Trans. Computers 64(4),
 * 2015.
 *
 * Tree: the eight partial-product rows (row j = a * b_j) are compressed in
 * two stages of 4:2 compressor chains (rows 0-3 and 4-7 to two rows each,
 * then four rows to two) and a ripple-carry adder. An exact 4:2 compressor
 * is two full adders: FA(x1,x2,x3) -> (s1, cout), FA(s1,x4,cin) -> (sum,
 * carry). The approximate ones, following the paper's two simplifications:
 *   design 1: carry = cin, cout = x1 x2 + x3 x4,
 *             sum = cin XOR ((x1 XOR x2) + (x3 XOR x4))   (12 of 32 input
 *             patterns wrong, each by 1 or 2);
 *   design 2: cin and cout dropped, carry = x1 x2 + x3 x4,
 *             sum = (x1 XOR x2) + (x3 XOR x4)               (5 of 16 wrong,
 *             all too small).
 * Parameters: design (0 exact, 1, 2) and k = number of low columns that use
 * it. Missing inputs are constant 0 (the netlist folds them away). The
 * equations above are this library's reading of the paper's simplification
 * (documented in approx/README.md). Symmetric.
 * Model: the same tree evaluated bit by bit with integer arithmetic. */
#include "approx/mbuild.h"
#include "approx/mfam.h"

enum { C42_EXACT = 0, C42_D1 = 1, C42_D2 = 2 };

/* ---- netlist ---- */

static void chain(nl_netlist *nl, nl_sig (*in)[MB_COLS], int design, int k, nl_sig (*outs)[MB_COLS])
{
    nl_sig cin = NL_ZERO;
    for (int c = 0; c < MB_COLS; c++)
        outs[0][c] = outs[1][c] = NL_ZERO;
    for (int c = 0; c < MB_COLS; c++) {
        nl_sig x1 = in[0][c], x2 = in[1][c], x3 = in[2][c], x4 = in[3][c];
        nl_sig sum, carry, cout;
        if (design == C42_EXACT || c >= k) {
            nl_sig s1;
            nl_fa(nl, x1, x2, x3, &s1, &cout);
            nl_fa(nl, s1, x4, cin, &sum, &carry);
        } else {
            nl_sig p = nl_or2(nl, nl_xor2(nl, x1, x2), nl_xor2(nl, x3, x4));
            nl_sig g = nl_or2(nl, nl_and2(nl, x1, x2), nl_and2(nl, x3, x4));
            if (design == C42_D1) {
                sum = nl_xor2(nl, cin, p);
                carry = cin;
                cout = g;
            } else {
                sum = p;
                carry = g;
                cout = NL_ZERO;
            }
        }
        outs[0][c] = sum;
        if (c + 1 < MB_COLS)
            outs[1][c + 1] = carry;
        cin = cout;
    }
}

static void build(nl_netlist *nl, const int *param)
{
    nl_sig a[8], b[8], rows[8][MB_COLS], mid[4][MB_COLS], fin[2][MB_COLS], out[MB_COLS];
    mb_operands(nl, a, b);
    for (int j = 0; j < 8; j++) {
        for (int c = 0; c < MB_COLS; c++)
            rows[j][c] = NL_ZERO;
        for (int i = 0; i < 8; i++)
            rows[j][i + j] = nl_and2(nl, a[i], b[j]);
    }
    chain(nl, rows, param[0], param[1], mid);
    chain(nl, rows + 4, param[0], param[1], mid + 2);
    chain(nl, mid, param[0], param[1], fin);
    mb_matrix m;
    mb_init(&m);
    for (int c = 0; c < MB_COLS; c++) {
        mb_add_bit(&m, c, fin[0][c]);
        mb_add_bit(&m, c, fin[1][c]);
    }
    mb_cpa(nl, &m, out);
    mb_set_outputs(nl, out);
}

/* ---- model ---- */

static void chain_bits(unsigned (*in)[MB_COLS], int design, int k, unsigned (*outs)[MB_COLS])
{
    unsigned cin = 0;
    for (int c = 0; c < MB_COLS; c++)
        outs[0][c] = outs[1][c] = 0;
    for (int c = 0; c < MB_COLS; c++) {
        unsigned x1 = in[0][c], x2 = in[1][c], x3 = in[2][c], x4 = in[3][c];
        unsigned sum, carry, cout;
        if (design == C42_EXACT || c >= k) {
            /* exact 4:2: cout from the first full adder, then sum, carry */
            cout = (x1 + x2 + x3) >> 1;
            unsigned s1 = (x1 + x2 + x3) & 1u;
            sum = (s1 + x4 + cin) & 1u;
            carry = (s1 + x4 + cin) >> 1;
        } else {
            unsigned p = (x1 ^ x2) | (x3 ^ x4);
            unsigned g = (x1 & x2) | (x3 & x4);
            if (design == C42_D1) {
                sum = cin ^ p;
                carry = cin;
                cout = g;
            } else {
                sum = p;
                carry = g;
                cout = 0;
            }
        }
        outs[0][c] = sum;
        if (c + 1 < MB_COLS)
            outs[1][c + 1] = carry;
        cin = cout;
    }
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    unsigned rows[8][MB_COLS], mid[4][MB_COLS], fin[2][MB_COLS];
    for (int j = 0; j < 8; j++) {
        for (int c = 0; c < MB_COLS; c++)
            rows[j][c] = 0;
        for (int i = 0; i < 8; i++)
            rows[j][i + j] = (a >> i) & (b >> j) & 1u;
    }
    chain_bits(rows, param[0], param[1], mid);
    chain_bits(rows + 4, param[0], param[1], mid + 2);
    chain_bits(mid, param[0], param[1], fin);
    unsigned p = 0;
    for (int c = 0; c < MB_COLS; c++)
        p += (fin[0][c] + fin[1][c]) << c;
    return (uint16_t)p;
}

static int more_approx(const int *p, const int *q)
{
    if (q[0] == C42_EXACT)
        return 0;
    return (p[0] == C42_EXACT || p[0] == q[0]) && q[1] > p[1];
}

static const mfam_design designs[] = {
    {"c42_exact", {C42_EXACT, 0}}, {"c42_d1_k4", {C42_D1, 4}},  {"c42_d1_k8", {C42_D1, 8}},
    {"c42_d1_k16", {C42_D1, 16}},  {"c42_d2_k4", {C42_D2, 4}},  {"c42_d2_k8", {C42_D2, 8}},
    {"c42_d2_k16", {C42_D2, 16}},
};

const mfam_family mfam_c42 = {
    .name = "c42",
    .title = "4:2 compressor tree with approximate compressors in k low columns",
    .citation = "Momeni, Han, Montuschi, Lombardi, IEEE Trans. Computers 2015",
    .operands = "symmetric",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
