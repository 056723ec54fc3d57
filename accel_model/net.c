#include "accel_model/net.h"

#include <stdlib.h>
#include <string.h>

#include "accel_model/dataflow.h"
#include "accel_model/systolic.h"

struct accel_net {
    accel_arch arch;
    accel_energies e;
    size_t n_layers, n_mults;
    accel_layer_shape *layers;
    accel_mapping *maps;          /* simba template */
    accel_systolic_map *smaps;    /* systolic template */
    accel_counts *counts;
    accel_mult_cost *mults;
    int pinned;
};

static double weight_bits(const accel_layer_shape *l)
{
    return (double)l->m * l->c * l->r * l->s * l->weight_bits;
}

/* Least weight bits one PE must hold when the layer's weights are pinned:
 * its weights spread over as many PEs (of all chiplets) as output channels
 * and groups allow. */
static double min_pinned_bits(const accel_arch *a, const accel_layer_shape *l)
{
    long pes = (long)accel_arch_pes(a) * accel_arch_chiplets(a), best = 1;
    int mg = l->m / l->groups;
    for (long g = 1; g <= l->groups && g <= pes; g++) {
        if (l->groups % g)
            continue;
        for (long m = 1; m <= mg && g * m <= pes; m++)
            if (mg % m == 0 && g * m > best)
                best = g * m;
    }
    return weight_bits(l) / best;
}

/* Per-PE weight-buffer budgets for pinned weights: each layer gets its least
 * footprint plus a share of the slack proportional to its weights. Returns 0
 * if even the least footprints do not fit together. */
static int pin_budgets(const accel_net *net, double *budget)
{
    const accel_arch *a = &net->arch;
    double need = 0, total = 0;
    for (size_t i = 0; i < net->n_layers; i++) {
        budget[i] = min_pinned_bits(a, &net->layers[i]);
        need += budget[i];
        total += weight_bits(&net->layers[i]);
    }
    double slack = a->wbuf_kib * 8192 - need;
    if (slack < 0)
        return 0;
    for (size_t i = 0; i < net->n_layers; i++)
        budget[i] += slack * weight_bits(&net->layers[i]) / total;
    return 1;
}

/* Systolic template: one mapping per layer (systolic.h); the weights are
 * pinned when the whole network's fit the weight FIFO together. */
static int map_all_systolic(accel_net *net, ax_err *err)
{
    const accel_arch *a = &net->arch;
    double total = 0;
    for (size_t i = 0; i < net->n_layers; i++)
        total += weight_bits(&net->layers[i]);
    net->pinned = a->pin_weights && total <= a->wbuf_kib * 8192.0;
    for (size_t i = 0; i < net->n_layers; i++) {
        int rc = accel_systolic_map_layer(a, &net->layers[i], net->pinned, a->keep_activations, &net->smaps[i],
                                          &net->counts[i], err);
        if (rc != AX_OK) {
            ax_err_prefix(err, "layer %zu", i);
            return rc;
        }
    }
    return AX_OK;
}

static int layer_resident(const accel_net *net, size_t i)
{
    return net->smaps ? net->smaps[i].act_resident : net->maps[i].act_resident;
}

/* Maps every layer (pinned weights within their budgets if pin). */
static int map_all(accel_net *net, int objective, int pin, ax_err *err)
{
    size_t n = net->n_layers;
    double *budget = calloc(n, sizeof *budget);
    if (!budget)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    if (pin && !pin_budgets(net, budget)) {
        free(budget);
        return ax_fail(err, AX_EINPUT, "weights do not fit the weight buffers together");
    }
    int *status = calloc(n, sizeof *status);
    ax_err *errs = calloc(n, sizeof *errs);
    if (!status || !errs) {
        free(status);
        free(errs);
        free(budget);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    const accel_arch *a = &net->arch;
    long nl = (long)n;
#pragma omp parallel for schedule(dynamic, 1)
    for (long i = 0; i < nl; i++) {
        accel_map_opts o = {objective, pin, pin ? budget[i] : 0, a->keep_activations};
        status[i] = accel_map_layer(a, &net->e, &net->layers[i], &o, &net->maps[i],
                                    &net->counts[i], &errs[i]);
    }
    int rc = AX_OK;
    for (size_t i = 0; i < n; i++)
        if (status[i] != AX_OK) {
            rc = status[i];
            if (err)
                *err = errs[i];
            ax_err_prefix(err, "layer %zu", i);
            break;
        }
    free(status);
    free(errs);
    free(budget);
    return rc;
}

int accel_net_create(const accel_arch *arch, const accel_layer_shape *layers, size_t n_layers,
                     const accel_mult_cost *mults, size_t n_mults, int objective,
                     accel_net **out, ax_err *err)
{
    *out = NULL;
    if (n_layers == 0 || n_mults == 0)
        return ax_fail(err, AX_EINPUT, "accelerator model: need at least one layer and one "
                                       "multiplier");
    if (objective != ACCEL_OBJ_ENERGY && objective != ACCEL_OBJ_EDP)
        return ax_fail(err, AX_EINPUT, "accelerator model: unknown mapping objective %d",
                       objective);
    for (size_t i = 0; i < n_mults; i++)
        if (!(mults[i].energy_pj >= 0) || !(mults[i].area_um2 >= 0))
            return ax_fail(err, AX_EINPUT, "multiplier %zu: negative or NaN energy or area", i);
    accel_net *net = calloc(1, sizeof *net);
    if (!net)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    net->arch = *arch;
    int rc = accel_energies_derive(arch, &net->e, err);
    if (rc != AX_OK) {
        free(net);
        return rc;
    }
    net->n_layers = n_layers;
    net->n_mults = n_mults;
    net->layers = malloc(n_layers * sizeof *net->layers);
    net->maps = calloc(n_layers, sizeof *net->maps);
    net->counts = calloc(n_layers, sizeof *net->counts);
    net->mults = malloc(n_mults * sizeof *net->mults);
    if (accel_arch_systolic(arch))
        net->smaps = calloc(n_layers, sizeof *net->smaps);
    if (!net->layers || !net->maps || !net->counts || !net->mults || (accel_arch_systolic(arch) && !net->smaps)) {
        accel_net_free(net);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    memcpy(net->layers, layers, n_layers * sizeof *layers);
    memcpy(net->mults, mults, n_mults * sizeof *mults);
    for (size_t i = 0; i < n_layers; i++) {
        rc = accel_layer_validate(&layers[i], err);
        if (rc != AX_OK) {
            accel_net_free(net);
            return rc;
        }
    }
    /* Pin the weights when they all fit the weight buffers and every layer
     * then still maps; otherwise load them every inference. */
    if (net->smaps) {
        rc = map_all_systolic(net, err);
    } else {
        net->pinned = arch->pin_weights;
        rc = map_all(net, objective, net->pinned, err);
        if (rc != AX_OK && net->pinned) {
            net->pinned = 0;
            rc = map_all(net, objective, 0, err);
        }
    }
    if (rc != AX_OK) {
        accel_net_free(net);
        return rc;
    }
    /* The network's input comes from DRAM and its output goes back there,
     * also when the layers in between keep their activations on chip. */
    accel_counts *first = &net->counts[0], *last = &net->counts[n_layers - 1];
    if (layer_resident(net, 0)) {
        accel_dataflow df;
        accel_dataflow_of(&layers[0], first, &df);
        first->acc[ACCEL_LVL_DRAM][ACCEL_TI].reads += df.inputs.elems;
        first->dram_bits += df.inputs.elems * layers[0].act_bits;
    }
    if (layer_resident(net, n_layers - 1)) {
        last->acc[ACCEL_LVL_DRAM][ACCEL_TO].updates += last->out_distinct;
        last->dram_bits += last->out_distinct * layers[n_layers - 1].act_bits;
    }
    *out = net;
    return AX_OK;
}

void accel_net_free(accel_net *net)
{
    if (!net)
        return;
    free(net->layers);
    free(net->maps);
    free(net->smaps);
    free(net->counts);
    free(net->mults);
    free(net);
}

size_t accel_net_layers(const accel_net *net) { return net->n_layers; }
size_t accel_net_mults(const accel_net *net) { return net->n_mults; }
int accel_net_pinned(const accel_net *net) { return net->pinned; }
const accel_arch *accel_net_arch(const accel_net *net) { return &net->arch; }
const accel_energies *accel_net_energies(const accel_net *net) { return &net->e; }
const accel_layer_shape *accel_net_layer(const accel_net *net, size_t i) { return &net->layers[i]; }
const accel_mapping *accel_net_mapping(const accel_net *net, size_t i) { return net->smaps ? NULL : &net->maps[i]; }
const accel_systolic_map *accel_net_systolic_map(const accel_net *net, size_t i)
{
    return net->smaps ? &net->smaps[i] : NULL;
}
const accel_counts *accel_net_counts(const accel_net *net, size_t i) { return &net->counts[i]; }

/* Package area with n_arrays multiplier arrays whose multipliers total
 * mult_um2_45 per lane at 45 nm. On the simba template the arrays share
 * each lane's adder and register; on the systolic one every array is a
 * whole array of cells. */
static double area_mm2(const accel_arch *a, const accel_energies *e, int n_arrays, double mult_um2_45)
{
    double lanes = (double)a->vector_macs * a->lanes;
    double addreg = e->mac_addreg_um2 * (accel_arch_systolic(a) ? n_arrays : 1);
    double pe_mm2 = lanes * (addreg + mult_um2_45 * e->afactor) * 1e-6 +
                    (a->wbuf_kib + a->ibuf_kib + a->abuf_kib) * e->sram_mm2_per_kib;
    double chip_mm2 = accel_arch_pes(a) * pe_mm2 + a->gbuf_kib * e->sram_mm2_per_kib;
    return accel_arch_chiplets(a) * chip_mm2;
}

double accel_area_mm2(const accel_arch *a, const accel_energies *e,
                      const accel_mult_cost *const *arrays, int n_arrays)
{
    double mult_um2 = 0;
    for (int k = 0; k < n_arrays; k++)
        mult_um2 += arrays[k]->area_um2;
    return area_mm2(a, e, n_arrays, mult_um2);
}

int accel_net_eval(const accel_net *net, const accel_design *d, accel_result *r, ax_err *err)
{
    accel_coeffs k;
    int rc = accel_coeffs_make(&net->arch, &net->e, &d->volts, &k, err);
    if (rc != AX_OK)
        return rc;
    const size_t L = net->n_layers;
    const int nm = (int)net->n_mults;
    /* The chip's arrays: their leakage runs through every layer, their area
     * is all counted. */
    double array_leak = 0, mult_um2 = 0;
    int arrays = d->n_arrays;
    if (d->n_arrays > 0) {
        if (!d->array_mult || !d->layer_array)
            return ax_fail(err, AX_EINPUT, "bank-constrained design without its arrays");
        for (int a = 0; a < d->n_arrays; a++) {
            int m = d->array_mult[a];
            if (m < 0 || m >= nm)
                return ax_fail(err, AX_EINPUT, "array %d: multiplier index %d out of 0..%d", a,
                               m, nm - 1);
            array_leak += accel_mult_leak_uw45(&net->mults[m]);
            mult_um2 += net->mults[m].area_um2;
        }
    } else {
        if (!d->layer_mult)
            return ax_fail(err, AX_EINPUT, "design without per-layer multipliers");
        for (size_t l = 0; l < L; l++) {
            int m = d->layer_mult[l];
            if (m < 0 || m >= nm)
                return ax_fail(err, AX_EINPUT, "layer %zu: multiplier index %d out of 0..%d", l,
                               m, nm - 1);
            size_t j = 0;
            while (j < l && d->layer_mult[j] != m)
                j++;
            if (j == l) {
                array_leak += accel_mult_leak_uw45(&net->mults[m]);
                mult_um2 += net->mults[m].area_um2;
                arrays++;
            }
        }
    }
    double array_leak_pj = array_leak * k.mult_leak_scale;
    /* systolic: the cells of the arrays beside the running one leak too
     * unless gated */
    double cells_leak_pj =
        accel_arch_systolic(&net->arch) && !d->gate_idle ? (arrays - 1) * k.cells_leak_pj_per_cycle : 0;
    memset(r->comp_pj, 0, sizeof r->comp_pj);
    r->energy_pj = r->macs = r->cycles = 0;
    for (size_t l = 0; l < L; l++) {
        int m;
        if (d->n_arrays > 0) {
            int a = d->layer_array[l];
            if (a < 0 || a >= d->n_arrays)
                return ax_fail(err, AX_EINPUT, "layer %zu: array %d out of 0..%d", l, a,
                               d->n_arrays - 1);
            m = d->array_mult[a];
        } else {
            m = d->layer_mult[l];
        }
        const accel_counts *c = &net->counts[l];
        double comp[ACCEL_NCOMP];
        accel_coeffs kl;
        const accel_coeffs *kp = &k;
        if (d->layer_volts) {
            rc = accel_coeffs_make(&net->arch, &net->e, &d->layer_volts[l], &kl, err);
            if (rc != AX_OK)
                return rc;
            kp = &kl;
        }
        double leak_pj =
            (d->gate_idle ? accel_mult_leak_uw45(&net->mults[m]) * k.mult_leak_scale : array_leak_pj) + cells_leak_pj;
        accel_counts_energy(c, kp, net->mults[m].energy_pj * k.mult_scale, leak_pj, comp);
        for (int i = 0; i < ACCEL_NCOMP; i++) {
            r->comp_pj[i] += comp[i];
            if (r->layer_pj)
                r->layer_pj[l][i] = comp[i];
        }
        r->macs += c->macs;
        r->cycles += c->cycles;
    }
    for (int i = 0; i < ACCEL_NCOMP; i++)
        r->energy_pj += r->comp_pj[i];
    r->latency_s = r->cycles / (net->arch.clock_mhz * 1e6);
    r->area_mm2 = area_mm2(&net->arch, &net->e, arrays, mult_um2);
    return AX_OK;
}
