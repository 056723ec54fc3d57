#include "fitness/faultmap.h"

emu_flip_spec fmap_spec(const fmap_model *m, const fmap_knobs *k, double v_sram)
{
    emu_flip_spec s = {0};
    double sigma = fault_link_sigma(m->swing_nominal, m->ber_nominal);
    int bits = k->noc_bits < 0 ? 0 : k->noc_bits > 8 ? 8 : k->noc_bits;
    uint32_t low = (UINT32_C(1) << bits) - 1u;
    if (low && k->noc_swing < m->swing_nominal) {
        s.cls[s.n].mask = low;
        s.cls[s.n++].p = fault_link_ber(k->noc_swing, sigma);
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

void fmap_layers(const fmap_model *m, const fmap_knobs *k, int n_layers, emu_flip_spec *weights,
                 emu_flip_spec *inputs, emu_flip_spec *outputs)
{
    emu_flip_spec w = fmap_spec(m, k, k->v_weight), in = fmap_spec(m, k, k->v_input);
    emu_flip_spec out = fmap_spec(m, k, 0.0);
    for (int l = 0; l < n_layers; l++) {
        weights[l] = w;
        inputs[l] = in;
        outputs[l] = out;
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
