/* DRUM-k, the dynamic range unbiased multiplier: each operand keeps only
 * the k bits from its leading one down, with the lowest kept bit forced to
 * 1 (which makes the truncation error unbiased); the two k-bit segments are
 * multiplied exactly and the product is shifted back. Operands below 2^k
 * pass unchanged.
 *
 * S. Hashemi, R. I. Bahar, S. Reda, "DRUM: A dynamic range unbiased
 * multiplier for approximate applications", IEEE/ACM ICCAD 2015.
 *
 * Netlist: leading-one detector, one-hot segment selection (AND-OR),
 * shift encoder, k x k Dadda multiplier, 3-bit shift adder and a
 * logarithmic barrel shifter. Symmetric in a and b.
 * Model: for x >= 2^k with leading one at p: x' = (x >> (p-k+1)) | 1,
 * s = p-k+1; P = (a' * b') << (s_a + s_b). */
#include "approx/mbuild.h"
#include "approx/mfam.h"

static unsigned segment(unsigned x, int k, int *shift)
{
    *shift = 0;
    if (x < (1u << k))
        return x;
    int p = 7;
    while (!(x >> p & 1u))
        p--;
    *shift = p - k + 1;
    return (x >> *shift) | 1u;
}

/* seg[0..k-1] and shift[0..2] of one operand x[0..7]. */
static void build_segment(nl_netlist *nl, const nl_sig x[8], int k, nl_sig *seg, nl_sig sh[3])
{
    nl_sig h[8];
    mb_lod(nl, x, 8, h);
    nl_sig big = mb_or_all(nl, x + k, 8 - k);
    nl_sig nbig = nl_inv(nl, big);
    for (int mbit = 0; mbit < k; mbit++) {
        nl_sig t[9];
        int n = 0;
        for (int p = k; p < 8; p++)
            t[n++] = nl_and2(nl, h[p], x[p - k + 1 + mbit]);
        nl_sig sel = mb_or_all(nl, t, n);
        if (mbit == 0)
            seg[0] = nl_or2(nl, big, x[0]);
        else
            seg[mbit] = nl_or2(nl, sel, nl_and2(nl, nbig, x[mbit]));
    }
    /* shift = p - k + 1 for the one-hot h[p], p >= k */
    nl_sig hh[8] = {NL_ZERO, NL_ZERO, NL_ZERO, NL_ZERO, NL_ZERO, NL_ZERO, NL_ZERO, NL_ZERO};
    for (int p = k; p < 8; p++)
        hh[p - k + 1] = h[p];
    mb_encode(nl, hh, 8, sh, 3);
}

static void build(nl_netlist *nl, const int *param)
{
    int k = param[0];
    nl_sig a[8], b[8], sa[8], sb[8], sha[3], shb[3], prod[MB_COLS], sum[4], out[MB_COLS];
    mb_operands(nl, a, b);
    build_segment(nl, a, k, sa, sha);
    build_segment(nl, b, k, sb, shb);
    mb_mul(nl, sa, k, sb, k, prod);
    mb_add(nl, sha, shb, 3, NL_ZERO, sum);
    mb_shl(nl, prod, 2 * k, sum, 4, out, MB_COLS);
    mb_set_outputs(nl, out);
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    int k = param[0], s1, s2;
    unsigned x = segment(a, k, &s1), y = segment(b, k, &s2);
    return (uint16_t)((x * y) << (s1 + s2));
}

static int more_approx(const int *p, const int *q)
{
    return q[0] < p[0];
}

static const mfam_design designs[] = {
    {"drum_k3", {3}}, {"drum_k4", {4}}, {"drum_k5", {5}}, {"drum_k6", {6}},
};

const mfam_family mfam_drum = {
    .name = "drum",
    .title = "DRUM-k dynamic range unbiased multiplier",
    .citation = "Hashemi, Bahar, Reda, ICCAD 2015",
    .operands = "symmetric",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
