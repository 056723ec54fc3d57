/* map: a layer's mapping onto the chip (loop tiling, spatial partitioning,
 * loop orders), the access counts it implies, and the search for the best
 * mapping.
 *
 * Loop nest, outermost first (Timeloop's model, see docs/facts.md#timeloop):
 *   DRAM temporal loops      t[ACCEL_LVL_DRAM], order[ACCEL_LVL_DRAM]
 *   across chiplets          chip[]      (N, G, M, P, Q)
 *   global-buffer loops      t[ACCEL_LVL_GB], order[ACCEL_LVL_GB]
 *   across PEs (NoC)         pe[]        (N, G, M, P, Q)
 *   PE-buffer loops          t[ACCEL_LVL_PE], order[ACCEL_LVL_PE]
 *   across vector MAC units  vec[]       (M, G)
 *   across lanes             lane[]      (C; reduced by the adder tree)
 *   MAC, with a one-word register per operand (weight collector, input
 *   register, accumulation collector).
 * For every dimension d the product of all factors is the layer's extent
 * (dims M and C are per group). The global buffer holds inputs and outputs;
 * weights go from DRAM straight to the PE weight buffers. Partial sums are
 * reduced only inside a vector unit (lanes) and in the accumulation buffer;
 * C, R, S are never split across PEs or chiplets. Final outputs leave the PE
 * requantized to act_bits; partial sums travel at psum_bits. */
#ifndef AX_ACCEL_MAP_H
#define AX_ACCEL_MAP_H

#include "accel_model/arch.h"
#include "accel_model/layer.h"
#include "accel_model/nest.h"
#include "util/err.h"

enum { ACCEL_DN, ACCEL_DG, ACCEL_DM, ACCEL_DC, ACCEL_DP, ACCEL_DQ, ACCEL_DR, ACCEL_DS,
       ACCEL_NDIMS };
enum { ACCEL_LVL_PE, ACCEL_LVL_GB, ACCEL_LVL_DRAM, ACCEL_NLEVELS };
enum { ACCEL_TW, ACCEL_TI, ACCEL_TO, ACCEL_NTENSORS }; /* weights, inputs, outputs */

/* Loop order of a temporal level, innermost block first. Block A = {N, P, Q}
 * (does not index weights), B = {M} (does not index inputs), C = {C, R, S}
 * (does not index outputs); G indexes everything and is always outermost.
 * Inside a block the order does not change any count. */
enum { ACCEL_ORDER_ABC, ACCEL_ORDER_ACB, ACCEL_ORDER_BAC, ACCEL_ORDER_BCA, ACCEL_ORDER_CAB,
       ACCEL_ORDER_CBA, ACCEL_NORDERS };

typedef struct accel_mapping {
    int lane[ACCEL_NDIMS];
    int vec[ACCEL_NDIMS];
    int pe[ACCEL_NDIMS];
    int chip[ACCEL_NDIMS];
    int t[ACCEL_NLEVELS][ACCEL_NDIMS];
    int order[ACCEL_NLEVELS];
    /* Weights pinned in the weight buffers across inferences: no loop above
     * the PE level indexes weights, and an inference moves no weight over
     * DRAM, package links or the NoC (the one load is amortised). */
    int w_pinned;
    /* The layer's whole input and output (this chiplet's share) live in the
     * global buffer: no DRAM traffic for them; loops at the DRAM level then
     * just iterate over global-buffer data. */
    int act_resident;
} accel_mapping;

/* Accesses of one tensor at one storage level, in elements, all instances
 * together. reads: words read out (to the compute below or to a child or
 * parent level); fills: words written from the parent; updates: words written
 * by the children (outputs only). At the PE level the storages are the
 * weight (W), input (I) and accumulation (O) buffers. */
typedef struct accel_access {
    double reads, fills, updates;
} accel_access;

/* NoC traffic classes: word width and what the words are. */
enum { ACCEL_NOC_W, ACCEL_NOC_I, ACCEL_NOC_OFINAL, ACCEL_NOC_OPSUM, ACCEL_NOC_CLASSES };

typedef struct accel_counts {
    double macs;
    double compute_cycles;  /* product of the temporal factors */
    double cycles;          /* max(compute, every bandwidth bound) */
    double bound_cycles[6]; /* DRAM, GB, NoC injection, WB, IB, AB */
    double util;            /* macs / (cycles * MAC units of the package) */
    double pes_used, chiplets_used;
    accel_access acc[ACCEL_NLEVELS][ACCEL_NTENSORS];
    /* Distinct output elements and the number of times each output tile
     * visits the accumulation buffer / global buffer (T >= D; T - D are
     * partial-sum reloads). */
    double out_distinct, out_visits_pe, out_visits_gb;
    double reg_bits;        /* datapath register writes */
    double wbuf_bits, ibuf_bits, abuf_bits, gbuf_bits, dram_bits;
    double noc_word_hops[ACCEL_NOC_CLASSES]; /* words x mesh links crossed */
    int noc_word_bits[ACCEL_NOC_CLASSES];
    double noc_words[ACCEL_NOC_CLASSES];     /* words injected (multicast once) */
    double pkg_bit_hops;    /* bits x package links crossed */
    /* Tile sizes per instance, bits: what must fit each buffer. */
    double wbuf_tile_bits, ibuf_tile_bits, abuf_tile_bits, gbuf_tile_bits;
} accel_counts;

/* Checks that the factors multiply to the layer's extents, respect the
 * spatial limits (lanes, vector units, PEs, chiplets, allowed dimensions)
 * and that every tile fits its buffer. */
int accel_mapping_check(const accel_arch *arch, const accel_layer_shape *l,
                        const accel_mapping *m, ax_err *err);

/* The access counts of a (checked) mapping. Pure; no allocation. */
void accel_counts_of(const accel_arch *arch, const accel_layer_shape *l, const accel_mapping *m,
                     accel_counts *c);

enum { ACCEL_OBJ_ENERGY, ACCEL_OBJ_EDP };

typedef struct accel_map_opts {
    int objective;           /* ACCEL_OBJ_ENERGY or ACCEL_OBJ_EDP */
    int pin_weights;         /* search only weight-pinned mappings */
    double wbuf_budget_bits; /* weight-buffer bits per PE the layer may use
                              * (<= 0: the whole buffer) */
    int keep_activations;    /* make activations resident when they fit */
} accel_map_opts;

/* Searches spatial partitions, tiling factors and loop orders for the
 * mapping of least energy (or energy-delay product) at nominal voltages with
 * the exact multiplier. Deterministic. AX_EINPUT if no mapping fits (err
 * names the layer). */
int accel_map_layer(const accel_arch *arch, const accel_energies *e, const accel_layer_shape *l,
                    const accel_map_opts *opts, accel_mapping *best, accel_counts *best_counts,
                    ax_err *err);

/* The mapping as a loop nest over DRAM, GlobalBuffer (inputs and
 * outputs; weights bypass it) and PEBuffers (the weight, input and
 * accumulation buffers as one level), with the chiplet, PE, vector-unit
 * and lane fan-outs as spatial loops, and the layer's bounds: what
 * accel_model/nest.h recounts by Timeloop's rules. Pinned weights and
 * resident activations, which no loop nest says, are left out. AX_EINPUT
 * for a grouped layer (Timeloop's layer has no group dimension). */
int accel_mapping_nest(const accel_layer_shape *l, const accel_mapping *m, nest_map *out, nest_shape *shape,
                       ax_err *err);

/* "t=[PE:...|GB:...|DRAM:...] ..." summary of a mapping into buf. */
void accel_mapping_format(const accel_mapping *m, char *buf, size_t len);

#endif
