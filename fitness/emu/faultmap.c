#include "fitness/emu/faultmap.h"

#include <math.h>

#include "accel_model/dataflow.h"

static double at_least_one(double x)
{
    return x >= 1.0 ? x : 1.0;
}

void fmap_links_of(const accel_net *net, fmap_links *links)
{
    for (size_t l = 0; l < accel_net_layers(net); l++) {
        accel_dataflow df;
        accel_dataflow_of(accel_net_layer(net, l), accel_net_counts(net, l), &df);
        double in = df.inputs.copies > 0
                        ? df.inputs.hops_per_transfer * df.inputs.noc_transfers / df.inputs.copies
                        : df.inputs.hops_per_transfer;
        double w = df.weights.copies > 0 && df.weights.noc_transfers > 0
                       ? df.weights.hops_per_transfer * df.weights.noc_transfers / df.weights.copies
                       : 1.0;
        links[l].weights = at_least_one(w);
        links[l].inputs = at_least_one(in);
        links[l].outputs = at_least_one(df.outputs.hops_per_transfer);
    }
}

emu_flip_spec fmap_spec(const fmap_model *m, const fmap_knobs *k, double v_sram, double links)
{
    emu_flip_spec s = {0};
    double sigma = fault_link_sigma(m->swing_nominal, m->ber_nominal);
    int bits = k->noc_bits < 0 ? 0 : k->noc_bits > 8 ? 8 : k->noc_bits;
    uint32_t low = (UINT32_C(1) << bits) - 1u;
    if (low && k->noc_swing < m->swing_nominal) {
        /* 1 - (1 - ber)^links, accurate for tiny ber */
        double ber = fault_link_ber(k->noc_swing, sigma);
        s.cls[s.n].mask = low;
        s.cls[s.n++].p = ber >= 1.0 ? 1.0 : -expm1(at_least_one(links) * log1p(-ber));
    }
    if (v_sram > 0 && v_sram < m->v_nominal) {
        double p = fault_sram_pfail(m->sram, v_sram / m->v_nominal);
        if (p > 0) {
            s.cls[s.n].mask = 0xFFu;
            s.cls[s.n++].p = p;
        }
    }
    return s;
}

void fmap_layers(const fmap_model *m, const fmap_knobs *k, int n_layers, const fmap_links *links,
                 emu_flip_spec *weights, emu_flip_spec *inputs, emu_flip_spec *outputs)
{
    for (int l = 0; l < n_layers; l++) {
        fmap_links one = {1, 1, 1}, ln = links ? links[l] : one;
        weights[l] = fmap_spec(m, k, k->v_weight, ln.weights);
        inputs[l] = fmap_spec(m, k, k->v_input, ln.inputs);
        outputs[l] = fmap_spec(m, k, 0.0, ln.outputs);
    }
}

int fmap_any(const emu_flip_spec *s, int n)
{
    for (int l = 0; l < n; l++)
        for (int i = 0; i < s[l].n; i++)
            if (s[l].cls[i].p > 0 && s[l].cls[i].mask)
                return 1;
    return 0;
}
