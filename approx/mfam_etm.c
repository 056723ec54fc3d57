/* ETM, the error-tolerant multiplier: each operand is split into a
 * multiplication part (the 8-k high bits) and a non-multiplication part
 * (the k low bits). If both high parts are zero, the low parts are
 * multiplied exactly by the same (8-k)x(8-k) multiplier. Otherwise the high
 * parts are multiplied exactly (shifted by 2k) and the low 2k product bits
 * come from the non-multiplication part without any multiplication: the
 * pairs (a_i, b_i) of the low parts are scanned from the top, and from the
 * first position holding a 1 downwards all result bits are set to 1 (the
 * error-tolerant adder's rule).
 *
 * K. Y. Kyaw, W. L. Goh, K. S. Yeo, "Low-power high-speed multiplier for
 * error-tolerant application", IEEE Int. Conf. on Electron Devices and
 * Solid-State Circuits (EDSSC), 2010.
 *
 * The paper describes the rule on wider operands; here the k low-part
 * positions map to the low 2k result bits as: with i* the highest i < k
 * where a_i | b_i, result bits k+i* .. 0 are 1 (the cross products the
 * design drops have weight up to 2^(k+i*+1)). Symmetric. Requires k <= 4.
 * Model: aH = a >> k, aL = a mod 2^k (likewise b); P = aL*bL if aH = bH = 0,
 * else (aH*bH << 2k) | (2^(k+i*+1) - 1) (0 if no low bit is set). */
#include "approx/mbuild.h"
#include "approx/mfam.h"

static void build(nl_netlist *nl, const int *param)
{
    int k = param[0], n = 8 - k;
    nl_sig a[8], b[8], x[8], y[8], pm[MB_COLS], out[MB_COLS], o[8], t[8];
    mb_operands(nl, a, b);
    nl_sig zh = nl_inv(nl, nl_or2(nl, mb_or_all(nl, a + k, n), mb_or_all(nl, b + k, n)));
    for (int i = 0; i < n; i++) {
        x[i] = i < k ? nl_mux2(nl, zh, a[k + i], a[i]) : a[k + i];
        y[i] = i < k ? nl_mux2(nl, zh, b[k + i], b[i]) : b[k + i];
    }
    mb_mul(nl, x, n, y, n, pm);
    for (int i = 0; i < k; i++)
        o[i] = nl_or2(nl, a[i], b[i]);
    nl_sig above = NL_ZERO;
    for (int i = k - 1; i >= 0; i--) {
        above = nl_or2(nl, above, o[i]);
        t[i] = above; /* some low-part bit at position >= i is set */
    }
    for (int j = 0; j < MB_COLS; j++) {
        if (j < 2 * k) {
            nl_sig l = t[j >= k ? j - k : 0];
            out[j] = nl_mux2(nl, zh, l, pm[j]);
        } else {
            /* With zh the low product is below 2^2k: only the shifted case. */
            out[j] = nl_and2(nl, nl_inv(nl, zh), pm[j - 2 * k]);
        }
    }
    mb_set_outputs(nl, out);
}

static uint16_t model(unsigned a, unsigned b, const int *param)
{
    int k = param[0];
    unsigned mask = (1u << k) - 1;
    unsigned ah = a >> k, al = a & mask, bh = b >> k, bl = b & mask;
    if (ah == 0 && bh == 0)
        return (uint16_t)(al * bl);
    unsigned low = 0, o = al | bl;
    for (int i = k - 1; i >= 0; i--)
        if (o >> i & 1u) {
            low = (1u << (k + i + 1)) - 1;
            break;
        }
    return (uint16_t)(((ah * bh) << (2 * k)) | low);
}

static int more_approx(const int *p, const int *q)
{
    return q[0] > p[0];
}

static const mfam_design designs[] = {
    {"etm_k2", {2}}, {"etm_k3", {3}}, {"etm_k4", {4}},
};

const mfam_family mfam_etm = {
    .name = "etm",
    .title = "error-tolerant multiplier (k-bit non-multiplication part)",
    .citation = "Kyaw, Goh, Yeo, EDSSC 2010",
    .operands = "symmetric",
    .build = build,
    .model = model,
    .more_approx = more_approx,
    .designs = designs,
    .n_designs = sizeof designs / sizeof designs[0],
};
