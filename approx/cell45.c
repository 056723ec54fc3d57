/* cell45: NanGate FreePDK45 Open Cell Library figures (typical corner,
 * 1.1 V, 25 C, X1 cells), see cell45.h.
 *
 * Provenance of each column:
 * - area: the library's cell areas (all X1 cells are multiples of the
 *   0.19 um x 1.4 um placement site: INV 2 sites, NAND2/NOR2 3, AND2/OR2 4,
 *   XOR2/XNOR2 6, MUX2 7, HA 10, FA 16).
 * - AND2_X1 (leakage 25.07 nW, pin capacitance 0.92/0.97 fF, cell_rise and
 *   cell_fall tables) and MUX2_X1 (A->Z and S->Z tables) were read from
 *   NangateOpenCellLibrary_typical.lib; d0 and r are a straight-line fit of
 *   the mean of cell_rise and cell_fall at input slew 0.0172 ns between
 *   loads 1.9 and 7.6 fF.
 * - The other cells' leakage, pin capacitance, delay and internal energy
 *   are rounded values of the same library (not re-read here), consistent in
 *   ratio with the two cells above; they set the relative weight of cells,
 *   while the absolute scale is fixed by the one calibration below.
 * - Wire load: the library's default wire_load("5K_hvratio_1_1"):
 *   capacitance 0.1774 per unit length, slope 5, fanout_length
 *   1:1.7460 2:3.9394 3:6.4626 4:9.2201 5:11.9123 6:14.8358 7:18.6155
 *   8:22.6727 9:25.4842 11:27.0320. */
#include "approx/cell45.h"

static const cell45_cell cells[C45_COUNT] = {
    /* name      area    leak  cin   in out   pin 0 {d0, r, e}    pin 1 */
    [C45_INV] = {"INV_X1", 0.532, 14.35, 1.70, 1, 1, {{9.0, 4.6, 0.55}, {0, 0, 0}}},
    [C45_AND2] = {"AND2_X1", 1.064, 25.07, 0.95, 2, 1, {{29.5, 2.1, 1.90}, {0, 0, 0}}},
    [C45_OR2] = {"OR2_X1", 1.064, 22.69, 0.93, 2, 1, {{37.0, 2.2, 2.10}, {0, 0, 0}}},
    [C45_NAND2] = {"NAND2_X1", 0.798, 17.39, 1.60, 2, 1, {{11.0, 4.8, 0.80}, {0, 0, 0}}},
    [C45_NOR2] = {"NOR2_X1", 0.798, 21.98, 1.68, 2, 1, {{14.0, 7.0, 0.95}, {0, 0, 0}}},
    [C45_XOR2] = {"XOR2_X1", 1.596, 36.16, 2.30, 2, 1, {{34.0, 5.2, 3.40}, {0, 0, 0}}},
    [C45_XNOR2] = {"XNOR2_X1", 1.596, 36.56, 2.35, 2, 1, {{33.0, 5.2, 3.30}, {0, 0, 0}}},
    [C45_MUX2] = {"MUX2_X1", 1.862, 61.21, 1.27, 3, 1, {{45.5, 2.5, 3.10}, {0, 0, 0}}},
    [C45_HA] = {"HA_X1", 2.660, 61.04, 3.30, 2, 2, {{38.0, 5.0, 3.60}, {27.0, 2.5, 2.00}}},
    [C45_FA] = {"FA_X1", 4.256, 80.91, 3.35, 3, 2, {{72.0, 2.8, 6.20}, {55.0, 2.9, 4.60}}},
    /* Two XOR2_X1 in series; the load seen by the first one is the second's
     * input pin, folded into d0 and e_int. */
    [C45_XOR3] = {"2xXOR2_X1", 3.192, 72.32, 2.30, 3, 1, {{80.0, 5.2, 9.60}, {0, 0, 0}}},
};

/* fanout_length of wire_load("5K_hvratio_1_1"); index = fanout. */
static const double fanout_length[12] = {0,       1.7460,  3.9394,  6.4626,
                                         9.2201,  11.9123, 14.8358, 18.6155,
                                         22.6727, 25.4842, 26.2581, 27.0320};

/* Fitted once so that exact_dadda lands on EvoApproxLib's mul8u_1JFF
 * (0.391 mW at 1 GHz, 709.6 um^2, 1.43 ns). Raw figures of exact_dadda with
 * all factors 1 (axsearch at the commit that set these): area 293.664 um^2,
 * longest path 0.990065 ns, leakage 5.97648 uW, dynamic energy 0.52996477 pJ
 * per multiplication (4,096 uniform pairs). Area and leakage scale together
 * (larger cells leak more): 709.6 / 293.664; delay 1.43 / 0.990065; energy
 * (391 - 5.97648 * 2.41637) / 529.96477. If a cell figure or the reference
 * netlist changes, recompute these (approx/README.md, "Calibration"); the
 * test suite checks that the reference still lands within 1 %. */
static const cell45_calibration calibration = {
    .area = 2.41637,
    .energy = 0.710535,
    .leakage = 2.41637,
    .delay = 1.44435,
};

const cell45_cell *cell45_get(cell45_kind kind)
{
    if ((int)kind < 0 || kind >= C45_COUNT)
        return 0;
    return &cells[kind];
}

double cell45_wire_ff(int fanout)
{
    if (fanout < 1)
        return 0.0;
    double len;
    if (fanout <= 9)
        len = fanout_length[fanout];
    else if (fanout <= 11)
        len = fanout_length[fanout];
    else /* beyond the table: the library's slope (5 units per fanout) */
        len = fanout_length[11] + 5.0 * (fanout - 11);
    return 0.1774 * len;
}

const cell45_calibration *cell45_calibration_get(void)
{
    return &calibration;
}
