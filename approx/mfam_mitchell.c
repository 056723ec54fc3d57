/* Mitchell's logarithmic multiplier: log2 x ~ p + f for x = 2^p (1 + f);
 * the two approximate logarithms are added and the antilogarithm is taken
 * with the same piecewise-linear approximation:
 *   P ~ 2^(pa+pb) (1 + fa + fb)          if fa + fb < 1
 *   P ~ 2^(pa+pb+1) (fa + fb)            otherwise,
 * and P = 0 when an operand is 0. The fraction is kept with w bits (w = 7
 * is the full 8-bit fraction, smaller w truncates it, shrinking the adder
 * and shifter) and the shifted result is truncated (floor).
 *
 * J. N. Mitchell, "Computer multiplication and division using binary
 * logarithms", IRE Trans. Electronic Computers EC-11(4), 1962.
 *
 * Netlist: leading-one detectors and encoders, normalising barrel shifters
 * (shift by ~p), a w-bit fraction adder whose carry enters the 3-bit
 * characteristic adder, an antilog barrel shifter and zero gating.
 * Symmetric. Model (integers): f = ((x << (7-p)) & 127) >> (7-w);
 * F = fa + fb; K = pa + pb + (F >> w); M = 2^w + (F mod 2^w);
 * P = (M << K) >> w. */
#include "approx/mbuild.h"
#include "approx/mfam.h"

static void build_log(nl_netlist *nl, const nl_sig x[8], int w, nl_sig p[3], nl_sig *f)
{
    nl_sig h[8], inv_p[3], norm[8];
    mb_lod(nl, x, 8, h);
    mb_encode(nl, h, 8, p, 3);
    for (int i = 0; i < 3; i++)
        inv_p[i] = nl_inv(nl, p[i]); /* 7 - p */
    mb_shl(nl, x, 8, inv_p, 3, norm, 8);
    for (int i = 0; i < w; i++)
        f[i] = norm[7 - w + i];
}

static void build(nl_netlist *nl, const int *param)
{
    int w = param[0];
    nl_sig a[8], b[8], pa[3], pb[3], fa[7], fb[7], fsum[8], k[4], mant[8], sh[32], out[MB_COLS];
    mb_operands(nl, a, b);
    build_log(nl, a, w, pa, fa);
    build_log(nl, b, w, pb, fb);
    mb_add(nl, fa, fb, w, NL_ZERO, fsum);   /* fsum[w] = fa + fb >= 1 */
    mb_add(nl, pa, pb, 3, fsum[w], k);      /* characteristic */
    for (int i = 0; i < w; i++)
        mant[i] = fsum[i];
    mant[w] = NL_ONE;
    mb_shl(nl, mant, w + 1, k, 4, sh, 16 + w);
    nl_sig nz = nl_and2(nl, mb_or_all(nl, a, 8), mb_or_all(nl, b, 8));
    for (int j = 0; j < MB_COLS; j++)
        out[j] = nl_and2(nl, nz, sh[j + w]);
    mb_set_outputs(nl, out);
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    int w = param[0];
    if (a == 0 || b == 0)
        return 0;
    int pa = 7, pb = 7;
    while (!(a >> pa & 1u))
        pa--;
    while (!(b >> pb & 1u))
        pb--;
    unsigned fa = ((a << (7 - pa)) & 127u) >> (7 - w);
    unsigned fb = ((b << (7 - pb)) & 127u) >> (7 - w);
    unsigned f = fa + fb;
    int k = pa + pb + (int)(f >> w);
    unsigned mant = (1u << w) + (f & ((1u << w) - 1));
    return (uint16_t)(((unsigned long)mant << k) >> w);
}

static int more_approx(const int *p, const int *q)
{
    return q[0] < p[0];
}

static const mfam_design designs[] = {
    {"mitchell", {7}}, {"mitchell_w5", {5}}, {"mitchell_w4", {4}}, {"mitchell_w3", {3}},
};

const mfam_family mfam_mitchell = {
    .name = "mitchell",
    .title = "Mitchell's logarithmic multiplier (w fraction bits)",
    .citation = "Mitchell, IRE Trans. Electronic Computers 1962",
    .operands = "symmetric",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
