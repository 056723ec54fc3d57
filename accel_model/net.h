/* net: a network mapped once onto the chip, and the cost of a design point
 * (one multiplier per layer, the voltage knobs) on it.
 *
 * accel_net_create maps every layer (map.h) and keeps the access counts;
 * accel_net_eval then costs a design as counts x per-action energies. The
 * handle is immutable after creation: accel_net_eval may run from many
 * threads at once, allocates nothing and depends only on its arguments. */
#ifndef AX_ACCEL_NET_H
#define AX_ACCEL_NET_H

#include <stddef.h>

#include "accel_model/arch.h"
#include "accel_model/energy.h"
#include "accel_model/layer.h"
#include "accel_model/map.h"
#include "accel_model/systolic.h"
#include "util/err.h"

typedef struct accel_net accel_net;

/* Maps the layers (copied) on the architecture (copied) and keeps a copy of
 * the multiplier cost table (costs at the 45 nm reference; at least one
 * entry). objective: ACCEL_OBJ_ENERGY or ACCEL_OBJ_EDP. Layers are mapped in
 * parallel (OpenMP); the result does not depend on the thread count.
 * With arch->pin_weights, the weights are pinned (map.h) when the whole
 * network's weights fit the weight buffers together: each layer gets, in
 * every PE, its least pinned footprint (weights spread over as many PEs as
 * its output channels allow) plus a share of the remaining space
 * proportional to its weights; if some layer then does not map, nothing is
 * pinned.
 * With arch->keep_activations, layers whose input and output fit the global
 * buffer keep them there; the network's input is still read from DRAM and
 * its output written back (added to the first and last layer's counts). */
int accel_net_create(const accel_arch *arch, const accel_layer_shape *layers, size_t n_layers,
                     const accel_mult_cost *mults, size_t n_mults, int objective,
                     accel_net **out, ax_err *err);
void accel_net_free(accel_net *net);

size_t accel_net_layers(const accel_net *net);
size_t accel_net_mults(const accel_net *net);
/* 1 if the weights stay in the weight buffers across inferences. */
int accel_net_pinned(const accel_net *net);
const accel_arch *accel_net_arch(const accel_net *net);
const accel_energies *accel_net_energies(const accel_net *net);
const accel_layer_shape *accel_net_layer(const accel_net *net, size_t layer);
/* The layer's mapping: accel_net_mapping on the simba template,
 * accel_net_systolic_map on the systolic one (the other gives NULL). */
const accel_mapping *accel_net_mapping(const accel_net *net, size_t layer);
const accel_systolic_map *accel_net_systolic_map(const accel_net *net, size_t layer);
const accel_counts *accel_net_counts(const accel_net *net, size_t layer);

/* A design point.
 * Per-layer mode (n_arrays == 0): layer_mult[l] is layer l's index into the
 * cost table; the chip holds one full multiplier array per distinct index
 * used, so area and leakage count every distinct design.
 * Bank-constrained mode (n_arrays > 0, the AutoApprox setting): the chip
 * holds n_arrays arrays, array k of design array_mult[k]; layer l runs on
 * array layer_array[l]. Area counts every array; arrays idle during a layer
 * still leak. layer_mult is then ignored.
 * gate_idle = 1 (either mode): arrays idle during a layer are power-gated,
 * so a layer's multiplier leakage is that of the array it runs on; area
 * still counts every array. */
typedef struct accel_design {
    const int *layer_mult;
    int n_arrays;
    const int *array_mult;
    const int *layer_array;
    accel_voltages volts;
    /* Per-layer knobs ([n_layers]; each layer's SRAM supplies and NoC
     * swing while it runs), or NULL: volts for every layer. */
    const accel_voltages *layer_volts;
    int gate_idle;
} accel_design;

typedef struct accel_result {
    double comp_pj[ACCEL_NCOMP]; /* whole network, by component */
    double energy_pj;            /* sum of comp_pj */
    double macs;
    double cycles;               /* layers run one after the other */
    double latency_s;
    double area_mm2;             /* MAC arrays + SRAM (routers not counted) */
    /* Optional, caller-owned, n_layers rows: per-layer components (pJ).
     * NULL skips them. */
    double (*layer_pj)[ACCEL_NCOMP];
} accel_result;

/* Costs a design. AX_EINPUT (err says why) for an index out of range or a
 * knob out of range. r->layer_pj must be set (or NULL) by the caller. */
int accel_net_eval(const accel_net *net, const accel_design *d, accel_result *r, ax_err *err);

/* Area of the package in mm^2 when it holds the given multiplier arrays
 * (costs at 45 nm). */
double accel_area_mm2(const accel_arch *arch, const accel_energies *e,
                      const accel_mult_cost *const *arrays, int n_arrays);

#endif
