/* Partial-product perforation: m consecutive partial products, starting at
 * the j-th, are not generated (a * b_i for j <= i < j+m), and the rest is
 * summed exactly (Dadda tree and ripple-carry adder).
 *
 * G. Zervakis, K. Tsoumanis, S. Xydis, D. Soudris, K. Pekmestzi,
 * "Design-efficient approximate multiplication circuits through partial
 * product perforation", IEEE Trans. VLSI Systems 24(10), 2016.
 *
 * Asymmetric: the perforated partial products are rows of the weight b.
 * Model: P = a * (b - sum_{j <= i < j+m} b_i 2^i). */
#include "approx/mbuild.h"
#include "approx/mfam.h"

static int perforated(int row, const int *param)
{
    return row >= param[0] && row < param[0] + param[1];
}

static void build(nl_netlist *nl, const int *param)
{
    nl_sig a[8], b[8], out[MB_COLS];
    mb_operands(nl, a, b);
    mb_matrix m;
    mb_init(&m);
    for (int j = 0; j < 8; j++)
        if (!perforated(j, param))
            for (int i = 0; i < 8; i++)
                mb_add_bit(&m, i + j, nl_and2(nl, a[i], b[j]));
    mb_reduce_dadda(nl, &m);
    mb_cpa(nl, &m, out);
    mb_set_outputs(nl, out);
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    unsigned mask = 0;
    for (int j = 0; j < 8; j++)
        if (perforated(j, param))
            mask |= 1u << j;
    return (uint16_t)(a * (b & ~mask));
}

static int more_approx(const int *p, const int *q)
{
    int plo = p[0], phi = p[0] + p[1], qlo = q[0], qhi = q[0] + q[1];
    return qlo <= plo && qhi >= phi && (qlo != plo || qhi != phi);
}

static const mfam_design designs[] = {
    {"perf_j0_m1", {0, 1}}, {"perf_j0_m2", {0, 2}}, {"perf_j0_m3", {0, 3}},
    {"perf_j1_m1", {1, 1}}, {"perf_j1_m2", {1, 2}}, {"perf_j2_m1", {2, 1}},
};

const mfam_family mfam_perf = {
    .name = "perf",
    .title = "partial-product perforation (m rows from row j)",
    .citation = "Zervakis, Tsoumanis, Xydis, Soudris, Pekmestzi, IEEE TVLSI 2016",
    .operands = "asymmetric: perforated rows are bits of the weight b",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
