/* dataflow: where every datum of a layer travels and rests in the
 * weight-stationary Simba-like dataflow, derived from the layer's mapping, so
 * that the fault injector (bit errors of undervolted buffers and low-swing
 * links) and the energy model count the same events.
 *
 * Paths (map.h has the loop nest):
 *   weights  DRAM -> package links -> NoC (low-swing bits at V_swing) ->
 *            PE weight buffer (supply V_w) -> weight register -> multiplier.
 *            The global buffer is bypassed.
 *   inputs   DRAM -> global buffer (nominal) -> NoC (low-swing) ->
 *            PE input buffer (supply V_i) -> broadcast to the vector units.
 *   outputs  accumulation buffer (nominal, psum_bits) -> requantized in the
 *            PE -> NoC (low-swing) -> global buffer -> DRAM. Partial sums
 *            that must leave the PE (C, R or S split above the PE level) go
 *            up and come back at psum_bits, also over the NoC.
 * Low swing applies to the lowest noc_bits bits of every NoC word; package
 * links and DRAM are at nominal levels. Buffers other than the input and
 * weight buffers stay at the nominal supply.
 *
 * All figures are averages over the elements of the tensor (they are equal
 * for every element when the tiling is uniform, as it always is here). */
#ifndef AX_ACCEL_DATAFLOW_H
#define AX_ACCEL_DATAFLOW_H

#include "accel_model/layer.h"
#include "accel_model/map.h"

typedef struct accel_tensor_flow {
    double elems;            /* distinct elements (inputs: the padded window) */
    int word_bits;           /* bits per NoC word of this tensor */
    /* Times an element is written into a PE buffer through the NoC, one per
     * receiving PE (a multicast to k PEs gives k copies). Each copy is held
     * in the buffer until replaced and may flip there. */
    double copies;
    /* Reads of each stored copy by the datapath (each read sees the copy as
     * it is, so one flipped bit in the buffer affects all of them). */
    double reads_per_copy;
    double noc_transfers;    /* words injected into the NoC per element */
    double hops_per_transfer; /* mean mesh links one transfer crosses (tree) */
} accel_tensor_flow;

typedef struct accel_dataflow {
    accel_tensor_flow weights;  /* buffer supply: V_w */
    accel_tensor_flow inputs;   /* buffer supply: V_i */
    /* Outputs: copies = final values sent up (1 each); partial sums below. */
    accel_tensor_flow outputs;
    double psum_round_trips;    /* psum drains per output (each with a reload) */
    int psum_bits;
} accel_dataflow;

/* The dataflow of a layer under the mapping that produced `c`. */
void accel_dataflow_of(const accel_layer_shape *l, const accel_counts *c, accel_dataflow *df);

#endif
