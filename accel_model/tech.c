#include "accel_model/tech.h"

#include <math.h>

#include "util/err.h"

/* Stillmaker & Baas, "Scaling equations for the accurate prediction of CMOS
 * device performance from 180 nm to 7 nm", Integration 58 (2017): energy of
 * a fixed circuit at node k and supply V is proportional to
 * a_k V^2 + b_k V + c_k; area relative to 45 nm is the second table. */
static const struct {
    int nm;
    double a, b, c;
    double area_vs_45;
} scaling[] = {
    {130, 7.171, -6.709, 2.904, 6.4},    {90, 4.762, -4.781, 2.092, 2.8},
    {65, 3.755, -4.398, 1.975, 1.5},     {45, 1.103, -0.362, 0.2767, 1.0},
    {32, 0.9559, -0.7823, 0.471, 0.46},  {20, 0.373, -0.1582, 0.04104, 0.21},
    {16, 0.2958, -0.1241, 0.03024, 0.19}, {14, 0.2363, -0.09675, 0.02239, 0.17},
    {10, 0.2068, -0.09311, 0.02375, 0.1}, {7, 0.1776, -0.09097, 0.02447, 0.059},
};
enum { NSCALING = sizeof scaling / sizeof scaling[0], REF45 = 3 };

static int find_node(int nm)
{
    for (int i = 0; i < NSCALING; i++)
        if (scaling[i].nm == nm)
            return i;
    return -1;
}

static double poly(int i, double v)
{
    return scaling[i].a * v * v + scaling[i].b * v + scaling[i].c;
}

int accel_tech_energy_factor(int node_nm, double vdd, double *factor)
{
    int i = find_node(node_nm);
    if (i < 0 || !(vdd >= 0.5 && vdd <= 1.3))
        return AX_EINPUT;
    *factor = poly(i, vdd) / poly(REF45, ACCEL_TECH_VREF);
    return AX_OK;
}

int accel_tech_area_factor(int node_nm, double *factor)
{
    int i = find_node(node_nm);
    if (i < 0)
        return AX_EINPUT;
    *factor = scaling[i].area_vs_45;
    return AX_OK;
}

double accel_tech_sram_access_pj(double kib, int width_bits)
{
    if (kib < 0.25)
        kib = 0.25;
    return ACCEL_TECH_SRAM_A * pow(kib, ACCEL_TECH_SRAM_ALPHA) *
           pow(width_bits / 64.0, ACCEL_TECH_SRAM_BETA);
}

double accel_tech_adder_pj(int bits)
{
    /* Horowitz (ISSCC 2014): 8-bit add 0.03 pJ, 32-bit add 0.1 pJ. */
    return 0.03 + (bits - 8) * (0.1 - 0.03) / 24.0;
}

double accel_tech_sram_leak_scale(double v, double v_nom)
{
    return exp(-(v_nom - v) / ACCEL_TECH_LEAK_V0);
}
