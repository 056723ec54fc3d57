/* arch: the chip the model describes, read from an INI file (libinih), and
 * the per-action energies derived from it. Two templates ([chip] template):
 *
 * simba (the default). Hierarchy (one package): chiplets_x * chiplets_y
 * chiplets joined by package links; each chiplet holds a global buffer
 * (activations) and a pe_x * pe_y mesh NoC of PEs; each PE holds a weight,
 * an input and an accumulation buffer and `vector_macs` vector MAC units of
 * `lanes` lanes (output channels across vector units, input channels across
 * lanes). Weights go from DRAM to the PE weight buffers without passing the
 * global buffer (as in Simba).
 *
 * systolic: a TPU-like matrix unit (systolic.h): a sa_rows x sa_cols
 * weight-stationary systolic array fed by a unified buffer (activations),
 * a weight FIFO and accumulators, and DRAM. It is held in the same struct
 * so that the energy table and the energy model serve both: one chiplet
 * of one PE whose lanes are the array's rows and whose vector units are its
 * columns; the unified buffer is the input buffer (ibuf_*: the knob
 * sram_v_input sets its supply), the weight FIFO the weight buffer (wbuf_*,
 * sram_v_weight), the accumulators the accumulation buffer (abuf_*); there
 * is no global buffer (gbuf_kib 0) and no NoC (the swing knob must stay
 * nominal). */
#ifndef AX_ACCEL_ARCH_H
#define AX_ACCEL_ARCH_H

#include "util/err.h"

enum { ACCEL_TEMPLATE_SIMBA, ACCEL_TEMPLATE_SYSTOLIC };

typedef struct accel_arch {
    int template_kind; /* [chip] template: ACCEL_TEMPLATE_* */
    int sa_rows, sa_cols; /* systolic: the array (rows = lanes, cols = vector_macs) */
    /* [technology] */
    int node_nm;      /* one of the Stillmaker-Baas nodes (see tech.h) */
    double vdd;       /* nominal logic and SRAM supply, V */
    double clock_mhz; /* core clock */
    /* [package] */
    int chiplets_x, chiplets_y;
    double pkg_link_pj_per_bit; /* chiplet-to-chiplet link, per bit per hop */
    /* [pe] */
    int pe_x, pe_y;      /* PE mesh per chiplet */
    int vector_macs;     /* vector MAC units per PE (output channels) */
    int lanes;           /* lanes per vector MAC unit (input channels) */
    double wbuf_kib;     /* weight buffer per PE */
    int wbuf_width;      /* bits per access */
    double ibuf_kib;     /* input buffer per PE */
    int ibuf_width;
    double abuf_kib;     /* accumulation buffer per PE */
    int abuf_width;      /* vector_macs * accumulator bits */
    int pin_weights;     /* 1: when the whole network's weights fit the weight
                          * buffers of the package they stay there across
                          * inferences (loaded once, not per inference) */
    /* [global_buffer] (per chiplet) */
    double gbuf_kib;
    int gbuf_width;
    int keep_activations; /* 1: a layer's input and output stay in the global
                           * buffer when both whole tensors fit (the previous
                           * layer's output is the next one's input) */
    /* [noc] */
    double hop_mm;       /* wire length of one mesh hop */
    int noc_link_bits;   /* bits a link carries per cycle */
    double noc_swing;    /* nominal link swing, V (vdd = full swing) */
    /* [dram] */
    char dram_type[16];  /* LPDDR4, HBM2 or DDR3 */
    double dram_pj_per_bit;
    double dram_gbs;     /* bandwidth, GB/s */
} accel_arch;

/* The built-in default: configs/simba.ini (one 16 nm Simba chiplet). */
void accel_arch_default(accel_arch *arch);

/* The systolic template's defaults: configs/systolic.ini (a TPUv2/v3-like
 * 128 x 128 matrix unit at 16 nm). */
void accel_arch_default_systolic(accel_arch *arch);

/* Systolic template: sets the fields the array stands in for (one chiplet of
 * one PE, lanes = rows, vector units = columns, no global buffer, the swing
 * at vdd) from sa_rows and sa_cols; abuf_width must already be
 * sa_cols * accumulator bits. */
void accel_arch_systolic_sync(accel_arch *arch);

/* Reads an INI file over the defaults: every key overrides one default.
 * Unknown sections or keys, repeated keys, malformed or out-of-range values
 * are AX_EINPUT with "PATH:LINE: ..." in err. */
int accel_arch_load(const char *path, accel_arch *arch, ax_err *err);

/* The same from a string; `name` stands for the file name in messages. */
int accel_arch_load_string(const char *text, const char *name, accel_arch *arch, ax_err *err);

/* Checks the consistency of a filled struct (also done by the loaders). */
int accel_arch_validate(const accel_arch *arch, ax_err *err);

static inline int accel_arch_chiplets(const accel_arch *a) { return a->chiplets_x * a->chiplets_y; }
static inline int accel_arch_pes(const accel_arch *a) { return a->pe_x * a->pe_y; }
/* Accumulator width in bits (the accumulation buffer holds one per vector MAC
 * unit per access). */
static inline int accel_arch_acc_bits(const accel_arch *a) { return a->abuf_width / a->vector_macs; }
static inline int accel_arch_systolic(const accel_arch *a) { return a->template_kind == ACCEL_TEMPLATE_SYSTOLIC; }

/* Per-action energies at the architecture's node and nominal voltages.
 * pJ unless named otherwise; "_bit" figures are per bit moved. */
typedef struct accel_energies {
    double efactor;          /* Stillmaker-Baas energy factor from 45 nm */
    double afactor;          /* area factor from 45 nm */
    double mult_exact_pj;    /* exact 8x8 multiplier (mul8u_1JFF) at the node */
    double adder_pj;         /* accumulator add (acc bits) per MAC */
    double reg_pj_bit;       /* register write per bit */
    /* SRAM per access (the array's full width) and per bit, nominal V. */
    double wbuf_pj_access, ibuf_pj_access, abuf_pj_access, gbuf_pj_access;
    double wbuf_pj_bit, ibuf_pj_bit, abuf_pj_bit, gbuf_pj_bit;
    /* NoC, per bit per hop: fixed part (router + driver/receiver) plus
     * noc_wire_pj_per_v2 * Vswing * Vdd for the wire. */
    double noc_fixed_pj_bit;
    double noc_wire_pj_per_v2;
    double noc_nominal_pj_bit; /* the sum at the nominal swing */
    double pkg_pj_bit;       /* package link, per bit per chiplet hop */
    double dram_pj_bit;
    /* Leakage at the node and nominal voltage. */
    double sram_leak_uw_per_kib;
    double logic_leak_uw_per_um2_45; /* per um^2 of 45 nm area, scaled */
    /* Area at the node. */
    double sram_mm2_per_kib;
    double mac_addreg_um2;   /* adder + accumulator register per MAC lane
                              * (systolic: plus the input register and the
                              * two weight registers of a cell) */
} accel_energies;

/* Derives the energy table; AX_EINPUT if the node or voltage is unsupported. */
int accel_energies_derive(const accel_arch *arch, accel_energies *e, ax_err *err);

#endif
