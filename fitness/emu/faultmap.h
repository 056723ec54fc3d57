/* faultmap: voltage knobs -> the bit-flip rates the emulator injects
 * (fitness/emu/emu.h), layer by layer, using the fault models of
 * approx/fault.h.
 *
 * The datapath (accel_model/dataflow.h) decides what each datum meets:
 *   weights: one NoC crossing when loaded + the weight buffer at V_w;
 *   inputs:  one NoC crossing + the input buffer at V_i;
 *   outputs: one NoC crossing back to the global buffer.
 * A NoC word (8-bit code) sends its lowest noc_bits bits at the reduced
 * swing, BER 1/2 erfc(Vs / (2 sqrt 2 sigma)) per mesh link, with sigma set
 * so that the nominal swing gives ber_nominal; crossing h links a bit
 * arrives flipped with probability 1 - (1 - BER)^h. h comes from the chip
 * model's mapping of the layer (fmap_links_of), so that the links whose
 * energy the model counts are the links that may flip bits: per delivered
 * copy, the links of the route (trees for multicast) divided by the copies
 * they deliver; at least one link. An SRAM cell fails with
 * fault_sram_pfail(V / V_nominal).
 * The nominal operating point is the chip's error-free reference: bits at
 * the nominal swing and cells at the nominal supply get no flips (their
 * rates, 1e-12 and below, would flip nothing in any run we make but would
 * force repetitions). */
#ifndef AX_FITNESS_EMU_FAULTMAP_H
#define AX_FITNESS_EMU_FAULTMAP_H

#include "accel_model/net.h"
#include "approx/fault.h"
#include "fitness/emu/emu.h"

typedef struct fmap_model {
    const fault_sram *sram; /* not owned */
    double v_nominal;       /* SRAM nominal supply, V */
    double swing_nominal;   /* NoC nominal swing, V */
    double ber_nominal;     /* BER at the nominal swing (FAULT_LINK_BER_NOMINAL) */
} fmap_model;

/* Mesh links a datum of each tensor crosses to reach (or leave) a PE. */
typedef struct fmap_links {
    double weights, inputs, outputs;
} fmap_links;

/* The links of every layer of a mapped network ([accel_net_layers]):
 * inputs and weights, links per delivered copy (route links x transfers per
 * element / copies per element); outputs, hops of their unicast route;
 * weights pinned in the buffers crossed the NoC when loaded: their route at
 * the last mapping that moved them is not kept, so one link. Values below 1
 * become 1. */
void fmap_links_of(const accel_net *net, fmap_links *links);

typedef struct fmap_knobs {
    double v_input, v_weight; /* V */
    double noc_swing;         /* V */
    int noc_bits;             /* lowest bits at that swing, 0..8 for codes */
} fmap_knobs;

/* Rates of one 8-bit datum crossing `links` mesh links and (if v > 0)
 * resting in an SRAM at supply v. */
emu_flip_spec fmap_spec(const fmap_model *m, const fmap_knobs *k, double v_sram, double links);

/* The same knobs for every layer: fills weights/inputs/outputs [n_layers];
 * links [n_layers] (NULL: one link each). */
void fmap_layers(const fmap_model *m, const fmap_knobs *k, int n_layers, const fmap_links *links,
                 emu_flip_spec *weights, emu_flip_spec *inputs, emu_flip_spec *outputs);

/* 1 if any rate is above zero. */
int fmap_any(const emu_flip_spec *s, int n);

#endif
