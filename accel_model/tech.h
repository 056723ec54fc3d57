/* tech: the 45 nm reference figures the chip model is built from, and their
 * scaling to other technology nodes and supply voltages.
 *
 * Every per-action energy of the model is derived here from published
 * figures (see docs/facts.md and the comments in tech.c); nothing is typed
 * into the architecture file. Energies are in pJ, areas in um^2, leakage
 * powers in uW, sizes in KiB, widths in bits. "45 nm" means the reference
 * node at the reference voltage ACCEL_TECH_VREF. */
#ifndef AX_ACCEL_TECH_H
#define AX_ACCEL_TECH_H

/* The 45 nm figures are taken as characterised at 0.8 V, the voltage at which
 * docs/facts.md#scaling quotes the Stillmaker-Baas factors (x0.174 to
 * 16 nm). Horowitz's table was measured at 0.9 V, so this convention
 * overstates scaled energies by at most ~18 % (a conservative choice). */
#define ACCEL_TECH_VREF 0.8

/* Energy factor from 45 nm at ACCEL_TECH_VREF to node_nm at vdd, from the
 * Stillmaker-Baas energy polynomials (Integration 58, 2017). Nodes supported:
 * 130, 90, 65, 45, 32, 20, 16, 14, 10, 7; vdd in [0.5, 1.3] V. Returns AX_OK,
 * or AX_EINPUT for an unsupported node or voltage (*factor untouched). */
int accel_tech_energy_factor(int node_nm, double vdd, double *factor);

/* Area factor from 45 nm to node_nm (same source); AX_EINPUT if unsupported. */
int accel_tech_area_factor(int node_nm, double *factor);

/* SRAM dynamic energy per access of `width_bits` bits in an array of `kib`
 * KiB at 45 nm: E = A * kib^ALPHA * (width/64)^BETA, a least-squares fit in
 * log space through Horowitz's 8 KB / 32 KB / 1 MB 64-bit figures and the
 * Accelergy 64 KB 256-bit and 128 KB 64-bit tables (read/write averaged).
 * The fit is within 21 % of each (worst: 128 KB, +20 %). Sizes below
 * 0.25 KiB are clamped. */
double accel_tech_sram_access_pj(double kib, int width_bits);
#define ACCEL_TECH_SRAM_A 3.7318     /* pJ for a 1 KiB, 64-bit access */
#define ACCEL_TECH_SRAM_ALPHA 0.46245
#define ACCEL_TECH_SRAM_BETA 0.60528

/* Integer adder energy at 45 nm: linear between Horowitz's 8-bit (0.03 pJ)
 * and 32-bit (0.1 pJ) adds. */
double accel_tech_adder_pj(int bits);

/* Register (flip-flop) write energy per bit at 45 nm (Accelergy/Aladdin). */
#define ACCEL_TECH_REG_PJ_PER_BIT 0.009

/* SRAM leakage relative to nominal when the array runs at v instead of v_nom:
 * exp(-(v_nom - v) / ACCEL_TECH_LEAK_V0), fitted (least squares through the
 * origin in log space) to Yang & Murmann's 28 nm 8 KB SRAM: 280 mV lower ->
 * 4.8x less leakage, 310 mV lower -> 5.4x. Dynamic access energy scales as
 * (v / v_nom)^2 (the same array measured 2.6x at -280 mV, so V^2 is the
 * conservative side). */
double accel_tech_sram_leak_scale(double v, double v_nom);
#define ACCEL_TECH_LEAK_V0 0.18138

/* SRAM leakage per KiB at 45 nm and ACCEL_TECH_VREF. An ESTIMATE (no
 * published source, docs/facts.md#estimates): the order of a
 * low-standby-power 6T array, about 0.24 nW/bit.
 * Scaled to the node with the energy factor (leakage power at iso-frequency). */
#define ACCEL_TECH_SRAM_LEAK_UW_PER_KIB 2.0

/* Logic leakage density at 45 nm: an ESTIMATE of the order of NanGate 45 nm
 * typical-corner standard cells (10-25 nW/um^2); used for the adder and
 * accumulator register of each MAC and for multipliers whose library entry
 * gives no leakage. */
#define ACCEL_TECH_LOGIC_LEAK_NW_PER_UM2 10.0

/* SRAM area per KiB at 45 nm: Intel's 0.346 um^2 6T cell (Mistry et al.,
 * IEDM 2007) at an assumed 60 % array efficiency (ESTIMATE). */
#define ACCEL_TECH_SRAM_UM2_PER_KIB (8192.0 * 0.346 / 0.6)

/* Adder + accumulator register of one MAC lane at 45 nm: a 24-bit ripple
 * adder and a 24-bit register from NanGate 45 nm FA_X1 (4.26 um^2) and DFF_X1
 * (4.52 um^2) cells (ESTIMATE, scales with psum bits). */
#define ACCEL_TECH_ADD_REG_UM2_PER_BIT (4.26 + 4.52)
/* One register bit (NanGate 45 nm DFF_X1), for a systolic cell's operand
 * registers (ESTIMATE, like the above). */
#define ACCEL_TECH_DFF_UM2 4.52

/* Wire model (Accelergy): E = bits * 0.2 * 1.627 fF/um * length * V^2; here
 * V^2 becomes Vswing * Vdd for low-swing signalling. */
#define ACCEL_TECH_WIRE_ACTIVITY 0.2
#define ACCEL_TECH_WIRE_FF_PER_UM 1.627

/* Fixed driver/receiver part of a low-swing NoC link per bit per mm at 45 nm:
 * half of Park et al.'s measured 40.4 fJ/bit/mm low-swing datapath (DATE 2013,
 * 45 nm SOI, 0.8 V) is attributed to the repeaters and receivers (ESTIMATE).
 * Router traversal per bit adds a buffer write + read (2 register bits). */
#define ACCEL_TECH_LINK_FIXED_FJ_PER_BIT_MM (0.5 * 40.4)

/* Exact 8x8 unsigned multiplier, EvoApproxLib mul8u_1JFF (PDK45): 0.391 mW,
 * 709.6 um^2. Library powers are converted to energy at the characterisation
 * clock ACCEL_TECH_MULT_CLOCK_GHZ (assumption: 1 GHz, so 0.391 pJ per
 * multiplication; Horowitz's 0.2 pJ is the lower cross-check). */
#define ACCEL_TECH_EXACT_MULT_MW 0.391
#define ACCEL_TECH_EXACT_MULT_UM2 709.6
#define ACCEL_TECH_MULT_CLOCK_GHZ 1.0

#endif
