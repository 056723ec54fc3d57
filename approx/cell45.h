/* cell45: the 45 nm standard-cell model behind every multiplier's cost.
 *
 * Figures are those of the NanGate FreePDK45 Open Cell Library, typical
 * corner (NangateOpenCellLibrary_typical.lib, Nangate Inc. 2011; 1.1 V,
 * 25 C), X1 drive strength: cell area (exact, from the library), leakage,
 * input pin capacitance, and a linear delay model d = d0 + r * C_load fitted
 * to the library's NLDM tables at an input slew of about 17 ps; internal
 * energy per output toggle from its internal-power tables at small load.
 * The wire capacitance per net comes from the library's default wire-load
 * model "5K_hvratio_1_1" (0.1774 fF per unit length, fanout_length table).
 * See cell45.c for the numbers and which are read directly and which are
 * rounded or estimated.
 *
 * Raw (uncalibrated) figures are physical units; cell45_calibration() gives
 * the three factors fitted once so that the exact 8x8 reference lands on
 * EvoApproxLib's mul8u_1JFF (see approx/README.md). */
#ifndef AX_APPROX_CELL45_H
#define AX_APPROX_CELL45_H

typedef enum cell45_kind {
    C45_INV,
    C45_AND2,
    C45_OR2,
    C45_NAND2,
    C45_NOR2,
    C45_XOR2,
    C45_XNOR2,
    C45_MUX2,
    C45_HA,   /* outputs: S (pin 0), CO (pin 1) */
    C45_FA,   /* outputs: S (pin 0), CO (pin 1) */
    C45_XOR3, /* an FA whose carry is unused, mapped to two XOR2_X1 cells */
    C45_COUNT
} cell45_kind;

typedef struct cell45_pin {
    double d0_ps;        /* intrinsic delay, average of rise and fall */
    double r_ps_per_ff;  /* delay slope per fF of load */
    double e_int_fj;     /* internal energy per output transition */
} cell45_pin;

typedef struct cell45_cell {
    const char *name;   /* library cell name, e.g. "FA_X1" */
    double area_um2;
    double leak_nw;
    double cin_ff;      /* input capacitance per input pin (mean over pins) */
    int n_in, n_out;
    cell45_pin out[2];
} cell45_cell;

/* Calibration factors, applied to the raw netlist figures. */
typedef struct cell45_calibration {
    double area;    /* area_um2 = raw area * area */
    double energy;  /* dynamic energy = raw energy * energy */
    double leakage; /* leakage = raw leakage * leakage */
    double delay;   /* delay = raw longest path * delay */
} cell45_calibration;

#define CELL45_VDD 1.1          /* V, the library's typical corner */
#define CELL45_PO_LOAD_FF 1.14  /* load on a product bit: a DFF_X1 D pin */
#define CELL45_TICK_PS 10.0     /* time step of the glitch-aware simulation */

const cell45_cell *cell45_get(cell45_kind kind);

/* Wire capacitance in fF of a net with the given fanout (>= 1). */
double cell45_wire_ff(int fanout);

const cell45_calibration *cell45_calibration_get(void);

#endif
