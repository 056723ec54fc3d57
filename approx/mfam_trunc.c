/* Column truncation: the partial-product bits of the k least significant
 * columns are not generated; optionally a correction constant, the expected
 * value of the dropped bits under uniform operands rounded to a multiple of
 * 2^k, is added in column k and up (constant-correction truncated
 * multiplier).
 *
 * M. J. Schulte and E. E. Swartzlander Jr., "Truncated multiplication with
 * correction constant", VLSI Signal Processing VI (IEEE Workshop), 1993;
 * see also Y. C. Lim, "Single-precision multiplier with reduced circuit
 * complexity for signal processing applications", IEEE Trans. Computers
 * 41(10), 1992.
 *
 * Dadda tree and ripple-carry adder; symmetric in a and b.
 * Parameters: k = truncated columns, c = 1 with the correction constant.
 * Model: P = sum over i+j >= k of a_i b_j 2^(i+j) + C(k). */
#include <math.h>

#include "approx/mbuild.h"
#include "approx/mfam.h"

/* E[dropped] = sum_{col<k} n_col 2^col / 4 (each bit is 1 with probability
 * 1/4), rounded to the nearest multiple of 2^k so the low k output bits stay
 * constant 0. */
static unsigned correction(int k)
{
    double e = 0;
    for (int c = 0; c < k; c++) {
        int n = 0;
        for (int i = 0; i < 8; i++)
            if (c - i >= 0 && c - i < 8)
                n++;
        e += n * ldexp(1.0, c) / 4.0;
    }
    double unit = ldexp(1.0, k);
    return (unsigned)(floor(e / unit + 0.5) * unit);
}

static void build(nl_netlist *nl, const int *param)
{
    int k = param[0];
    nl_sig a[8], b[8], out[MB_COLS];
    mb_operands(nl, a, b);
    mb_matrix m;
    mb_init(&m);
    for (int j = 0; j < 8; j++)
        for (int i = 0; i < 8; i++)
            if (i + j >= k)
                mb_add_bit(&m, i + j, nl_and2(nl, a[i], b[j]));
    if (param[1])
        mb_add_const(&m, correction(k));
    mb_reduce_dadda(nl, &m);
    mb_cpa(nl, &m, out);
    mb_set_outputs(nl, out);
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    int k = param[0];
    unsigned p = 0;
    for (int j = 0; j < 8; j++)
        for (int i = 0; i < 8; i++)
            if (i + j >= k)
                p += ((a >> i) & (b >> j) & 1u) << (i + j);
    if (param[1])
        p += correction(k);
    return (uint16_t)p;
}

static int more_approx(const int *p, const int *q)
{
    return p[1] == q[1] && q[0] > p[0];
}

static const mfam_design designs[] = {
    {"trunc_k2", {2, 0}},  {"trunc_k4", {4, 0}},  {"trunc_k6", {6, 0}},
    {"trunc_k8", {8, 0}},  {"trunc_k4c", {4, 1}}, {"trunc_k6c", {6, 1}},
    {"trunc_k8c", {8, 1}}, {"trunc_k10c", {10, 1}},
};

const mfam_family mfam_trunc = {
    .name = "trunc",
    .title = "column truncation, with or without correction constant",
    .citation = "Schulte & Swartzlander, VLSI Signal Processing VI, 1993",
    .operands = "symmetric",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
