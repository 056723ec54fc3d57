/* RoBA, the rounding-based approximate multiplier: each operand is rounded
 * to its nearest power of two (Ar, Br; a value exactly half-way,
 * 3 * 2^(p-1), rounds up), and
 *   A * B ~ Ar * B + A * Br - Ar * Br,
 * i.e. the exact product minus (A - Ar)(B - Br); the three terms are shifts
 * and a one-hot bit, so no partial-product array is needed.
 *
 * R. Zendegani, M. Kamal, M. Bahadori, A. Afzali-Kusha, M. Pedram, "RoBA
 * multiplier: a rounding-based approximate multiplier for high-speed yet
 * energy-efficient digital signal processing", IEEE Trans. VLSI Systems
 * 25(2), 2017 (unsigned version U-RoBA).
 *
 * Netlist: leading-one detectors, rounding logic giving the one-hot
 * exponents of Ar and Br, AND-OR shifters for Ar*B and A*Br, the one-hot
 * Ar*Br, and a three-operand add/subtract (Ar*B + A*Br + ~(Ar*Br) + 1,
 * mod 2^16) with a Dadda tree and a ripple-carry adder. Symmetric. */
#include "approx/mbuild.h"
#include "approx/mfam.h"

static unsigned round_pow2(unsigned x)
{
    if (x == 0)
        return 0;
    int p = 7;
    while (!(x >> p & 1u))
        p--;
    if (p >= 1 && (x >> (p - 1) & 1u))
        return 1u << (p + 1);
    return 1u << p;
}

/* r[0..8]: one-hot exponent of the rounded operand. */
static void build_round(nl_netlist *nl, const nl_sig x[8], nl_sig r[9])
{
    nl_sig h[8];
    mb_lod(nl, x, 8, h);
    for (int q = 0; q <= 8; q++) {
        nl_sig down = q <= 7 ? (q >= 1 ? nl_and2(nl, h[q], nl_inv(nl, x[q - 1])) : h[0]) : NL_ZERO;
        nl_sig up = q >= 2 ? nl_and2(nl, h[q - 1], x[q - 2]) : NL_ZERO;
        r[q] = nl_or2(nl, down, up);
    }
}

static void build(nl_netlist *nl, const int *param)
{
    (void)param;
    nl_sig a[8], b[8], ra[9], rb[9], out[MB_COLS];
    mb_operands(nl, a, b);
    build_round(nl, a, ra);
    build_round(nl, b, rb);
    mb_matrix m;
    mb_init(&m);
    for (int c = 0; c < MB_COLS; c++) {
        nl_sig t[9];
        int n = 0;
        for (int q = 0; q <= 8; q++) /* Ar * B */
            if (c - q >= 0 && c - q < 8)
                t[n++] = nl_and2(nl, ra[q], b[c - q]);
        mb_add_bit(&m, c, mb_or_all(nl, t, n));
        n = 0;
        for (int q = 0; q <= 8; q++) /* A * Br */
            if (c - q >= 0 && c - q < 8)
                t[n++] = nl_and2(nl, rb[q], a[c - q]);
        mb_add_bit(&m, c, mb_or_all(nl, t, n));
        n = 0;
        for (int q = 0; q <= 8; q++) /* Ar * Br, one-hot at pa + pb */
            if (c - q >= 0 && c - q <= 8)
                t[n++] = nl_and2(nl, ra[q], rb[c - q]);
        mb_add_bit(&m, c, nl_inv(nl, mb_or_all(nl, t, n)));
    }
    mb_add_const(&m, 1);
    mb_reduce_dadda(nl, &m);
    mb_cpa(nl, &m, out);
    mb_set_outputs(nl, out);
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    (void)param;
    long ar = (long)round_pow2(a), br = (long)round_pow2(b);
    long p = ar * (long)b + (long)a * br - ar * br;
    return (uint16_t)(p & 0xffff);
}

static int more_approx(const int *p, const int *q)
{
    (void)p;
    (void)q;
    return 0;
}

static const mfam_design designs[] = {
    {"roba", {0}},
};

const mfam_family mfam_roba = {
    .name = "roba",
    .title = "rounding-based approximate multiplier (U-RoBA)",
    .citation = "Zendegani, Kamal, Bahadori, Afzali-Kusha, Pedram, IEEE TVLSI 2017",
    .operands = "symmetric",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
