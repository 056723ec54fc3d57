#include "accel_model/energy.h"

#include <math.h>

#include "accel_model/tech.h"

const char *accel_component_name(int comp)
{
    static const char *const names[ACCEL_NCOMP] = {"mac",  "wbuf", "ibuf", "abuf",
                                                   "gbuf", "noc",  "dram", "leak"};
    return comp >= 0 && comp < ACCEL_NCOMP ? names[comp] : "?";
}

accel_mult_cost accel_mult_cost_from_power(double power_mw, double area_um2, double clock_ghz)
{
    /* mW / GHz = pJ per cycle, one multiplication per cycle. */
    accel_mult_cost m = {power_mw / clock_ghz, area_um2, -1.0};
    return m;
}

accel_mult_cost accel_mult_cost_exact(void)
{
    return accel_mult_cost_from_power(ACCEL_TECH_EXACT_MULT_MW, ACCEL_TECH_EXACT_MULT_UM2,
                                      ACCEL_TECH_MULT_CLOCK_GHZ);
}

double accel_mult_leak_uw45(const accel_mult_cost *m)
{
    if (m->leakage_uw >= 0)
        return m->leakage_uw;
    return m->area_um2 * ACCEL_TECH_LOGIC_LEAK_NW_PER_UM2 / 1000.0;
}

accel_voltages accel_voltages_nominal(const accel_arch *a)
{
    accel_voltages v = {a->vdd, a->vdd, a->noc_swing, 64};
    return v;
}

int accel_voltages_check(const accel_arch *a, const accel_voltages *v, ax_err *err)
{
    if (!(v->v_input >= 0.3 && v->v_input <= 1.3))
        return ax_fail(err, AX_EINPUT, "input-buffer voltage %g V: expected 0.3..1.3 V",
                       v->v_input);
    if (!(v->v_weight >= 0.3 && v->v_weight <= 1.3))
        return ax_fail(err, AX_EINPUT, "weight-buffer voltage %g V: expected 0.3..1.3 V",
                       v->v_weight);
    if (!(v->noc_swing > 0 && v->noc_swing <= a->vdd + 1e-12))
        return ax_fail(err, AX_EINPUT, "NoC swing %g V: expected in (0, vdd = %g] V",
                       v->noc_swing, a->vdd);
    if (accel_arch_systolic(a) && fabs(v->noc_swing - a->noc_swing) > 1e-9)
        return ax_fail(err, AX_EINPUT, "NoC swing %g V: the systolic template has no NoC (keep noc_swing at %g V)",
                       v->noc_swing, a->noc_swing);
    if (v->noc_bits < 0)
        return ax_fail(err, AX_EINPUT, "NoC low-swing bits %d: expected >= 0", v->noc_bits);
    return AX_OK;
}

int accel_coeffs_make(const accel_arch *a, const accel_energies *e, const accel_voltages *v,
                      accel_coeffs *k, ax_err *err)
{
    int rc = accel_voltages_check(a, v, err);
    if (rc != AX_OK)
        return rc;
    double rw = v->v_weight / a->vdd, ri = v->v_input / a->vdd;
    k->adder_pj = e->adder_pj;
    k->reg_pj_bit = e->reg_pj_bit;
    k->wbuf_pj_bit = e->wbuf_pj_bit * rw * rw;
    k->ibuf_pj_bit = e->ibuf_pj_bit * ri * ri;
    k->abuf_pj_bit = e->abuf_pj_bit;
    k->gbuf_pj_bit = e->gbuf_pj_bit;
    k->noc_pj_bit_nominal = e->noc_nominal_pj_bit;
    k->noc_pj_bit_low = e->noc_fixed_pj_bit + e->noc_wire_pj_per_v2 * v->noc_swing * a->vdd;
    k->noc_low_bits = v->noc_bits;
    k->pkg_pj_bit = e->pkg_pj_bit;
    k->dram_pj_bit = e->dram_pj_bit;
    /* uW / MHz = pJ per cycle. */
    double per_chip_kib =
        accel_arch_pes(a) *
            (a->wbuf_kib * accel_tech_sram_leak_scale(v->v_weight, a->vdd) +
             a->ibuf_kib * accel_tech_sram_leak_scale(v->v_input, a->vdd) + a->abuf_kib) +
        a->gbuf_kib;
    double sram_uw = accel_arch_chiplets(a) * per_chip_kib * e->sram_leak_uw_per_kib;
    double macs = (double)accel_arch_chiplets(a) * accel_arch_pes(a) * a->vector_macs * a->lanes;
    /* the adder and registers of every lane, at 45 nm area (systolic: a
     * cell's operand registers too) */
    double addreg_um2_45 = accel_arch_systolic(a) ? e->mac_addreg_um2 / e->afactor
                                                  : ACCEL_TECH_ADD_REG_UM2_PER_BIT * accel_arch_acc_bits(a);
    double addreg_uw = macs * addreg_um2_45 * e->logic_leak_uw_per_um2_45;
    k->leak_pj_per_cycle = (sram_uw + addreg_uw) / a->clock_mhz;
    k->cells_leak_pj_per_cycle = addreg_uw / a->clock_mhz;
    k->mult_scale = e->efactor;
    /* One array = every MAC lane of the package holds one multiplier. */
    k->mult_leak_scale = macs * e->efactor / a->clock_mhz;
    return AX_OK;
}
