/* energy: from access counts to joules, under the voltage knobs.
 *
 * A layer's energy is a dot product of its counts (map.h) with per-action
 * coefficients that depend only on the knobs:
 *   MAC   = macs * (multiplier + adder) + datapath register bits * register
 *   WBUF  = weight-buffer bits * E_bit(wbuf) * (V_w / V_nom)^2
 *   IBUF  = input-buffer bits  * E_bit(ibuf) * (V_i / V_nom)^2
 *   ABUF, GBUF = bits * E_bit (nominal voltage)
 *   NOC   = sum over word classes of word-hops * (bits at nominal swing *
 *           E_hop(V_nom_swing) + lowest noc_bits bits * E_hop(V_swing))
 *           + package bit-hops * E_link
 *   DRAM  = bits * E_bit(DRAM type)
 *   LEAK  = cycles * leakage power / clock (SRAM leakage of the weight and
 *           input buffers scaled by accel_tech_sram_leak_scale)
 * with E_hop(V) = fixed (router, driver, receiver) + wire * V * Vdd. */
#ifndef AX_ACCEL_ENERGY_H
#define AX_ACCEL_ENERGY_H

#include "accel_model/arch.h"
#include "accel_model/map.h"
#include "util/err.h"

enum { ACCEL_E_MAC, ACCEL_E_WBUF, ACCEL_E_IBUF, ACCEL_E_ABUF, ACCEL_E_GBUF, ACCEL_E_NOC,
       ACCEL_E_DRAM, ACCEL_E_LEAK, ACCEL_NCOMP };

/* Short column name of a component: mac, wbuf, ibuf, abuf, gbuf, noc, dram, leak. */
const char *accel_component_name(int comp);

/* Cost of one 8x8 multiplier design, at the 45 nm reference (the caller
 * fills it from the multiplier library; see accel_mult_cost_from_power). */
typedef struct accel_mult_cost {
    double energy_pj;  /* average dynamic energy per multiplication */
    double area_um2;
    double leakage_uw; /* negative: estimated from the area (tech.h density) */
} accel_mult_cost;

/* A library entry given as power at the characterisation clock (EvoApproxLib
 * style): energy = power / clock. Use ACCEL_TECH_MULT_CLOCK_GHZ unless the
 * library states another clock. */
accel_mult_cost accel_mult_cost_from_power(double power_mw, double area_um2, double clock_ghz);

/* The exact 8x8 multiplier (mul8u_1JFF at 1 GHz: 0.391 pJ, 709.6 um^2). */
accel_mult_cost accel_mult_cost_exact(void);

/* Voltage knobs. v_input / v_weight: supply of the PE input / weight
 * buffers; noc_swing: swing of the lowest noc_bits bits of every word on the
 * NoC links (the upper bits keep the nominal swing; noc_bits >= the word
 * width means every bit). */
typedef struct accel_voltages {
    double v_input, v_weight, noc_swing;
    int noc_bits;
} accel_voltages;

/* The nominal knobs of an architecture: SRAM at vdd, links at its swing. */
accel_voltages accel_voltages_nominal(const accel_arch *arch);

/* Checks knob ranges: SRAM voltages in [0.3, 1.3] V, swing in (0, vdd],
 * noc_bits >= 0. err names the knob. */
int accel_voltages_check(const accel_arch *arch, const accel_voltages *v, ax_err *err);

typedef struct accel_coeffs {
    double adder_pj, reg_pj_bit;
    double wbuf_pj_bit, ibuf_pj_bit, abuf_pj_bit, gbuf_pj_bit;
    double noc_pj_bit_nominal, noc_pj_bit_low; /* per bit per hop */
    int noc_low_bits;
    double pkg_pj_bit, dram_pj_bit;
    double leak_pj_per_cycle; /* all but the multipliers */
    double cells_leak_pj_per_cycle; /* of it, the adders and registers of one MAC array */
    double mult_scale;        /* energy factor for 45 nm multiplier figures */
    double mult_leak_scale;   /* uW at 45 nm -> pJ per cycle at the node */
} accel_coeffs;

/* Coefficients for one knob setting (checked). */
int accel_coeffs_make(const accel_arch *arch, const accel_energies *e, const accel_voltages *v,
                      accel_coeffs *k, ax_err *err);

/* Leakage power of one multiplier at 45 nm, uW (estimated from area if the
 * entry has none). */
double accel_mult_leak_uw45(const accel_mult_cost *m);

/* Energy of one layer in pJ, by component, into out[ACCEL_NCOMP].
 * mult_pj: multiplier energy at the node; extra_leak_pj_per_cycle: leakage
 * of the multiplier arrays at the node. Pure, allocation-free. */
static inline void accel_counts_energy(const accel_counts *c, const accel_coeffs *k,
                                       double mult_pj, double extra_leak_pj_per_cycle,
                                       double out[ACCEL_NCOMP])
{
    out[ACCEL_E_MAC] = c->macs * (mult_pj + k->adder_pj) + c->reg_bits * k->reg_pj_bit;
    out[ACCEL_E_WBUF] = c->wbuf_bits * k->wbuf_pj_bit;
    out[ACCEL_E_IBUF] = c->ibuf_bits * k->ibuf_pj_bit;
    out[ACCEL_E_ABUF] = c->abuf_bits * k->abuf_pj_bit;
    out[ACCEL_E_GBUF] = c->gbuf_bits * k->gbuf_pj_bit;
    double noc = c->pkg_bit_hops * k->pkg_pj_bit;
    for (int i = 0; i < ACCEL_NOC_CLASSES; i++) {
        int b = c->noc_word_bits[i];
        int low = k->noc_low_bits < b ? k->noc_low_bits : b;
        noc += c->noc_word_hops[i] * ((b - low) * k->noc_pj_bit_nominal + low * k->noc_pj_bit_low);
    }
    out[ACCEL_E_NOC] = noc;
    out[ACCEL_E_DRAM] = c->dram_bits * k->dram_pj_bit;
    out[ACCEL_E_LEAK] = c->cycles * (k->leak_pj_per_cycle + extra_leak_pj_per_cycle);
}

#endif
