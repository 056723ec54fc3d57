/* Speed of the chip model: mapping a network once, then costing
 * chromosomes (per-layer multiplier + voltage knobs) on it, on one thread
 * and on all. Prints rates and their ratio to the 100,000 evaluations per
 * second the search needs. */
#include <stdio.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "accel_model/arch.h"
#include "accel_model/energy.h"
#include "accel_model/layer.h"
#include "accel_model/net.h"
#include "util/wallclock.h"

enum { NMULT = 64, BATCH = 4096 };

/* Costs BATCH designs starting at `first`; returns a checksum so the work
 * is not optimised away. Designs are a fixed function of their index. */
static double batch(const accel_net *net, long first, int threads)
{
    double sum = 0;
    size_t L = accel_net_layers(net);
    accel_voltages nom = accel_voltages_nominal(accel_net_arch(net));
#pragma omp parallel for num_threads(threads) reduction(+ : sum) schedule(static)
    for (long i = first; i < first + BATCH; i++) {
        int lm[64];
        for (size_t l = 0; l < L && l < 64; l++)
            lm[l] = (int)((i * 7 + (long)l * 13) % NMULT);
        accel_voltages v = nom;
        v.v_input = 0.5 + 0.05 * (i % 6);
        v.v_weight = 0.5 + 0.05 * ((i / 6) % 6);
        v.noc_swing = 0.1 + 0.1 * (i % 7);
        v.noc_bits = (int)(i % 9);
        accel_design d = {.layer_mult = lm, .volts = v};
        accel_result r = {0};
        if (accel_net_eval(net, &d, &r, NULL) == AX_OK)
            sum += r.energy_pj;
    }
    return sum;
}

static double rate(const accel_net *net, int threads, double *check)
{
    long n = 0;
    double t0 = wallclock_seconds(), t;
    do {
        *check += batch(net, n, threads);
        n += BATCH;
        t = wallclock_seconds() - t0;
    } while (t < 1.0);
    return n / t;
}

int main(void)
{
    const char *path = "configs/layers_resnet14_fmnist.tsv";
    accel_arch a;
    accel_arch_default(&a);
    accel_layer_shape *layers;
    size_t n;
    ax_err err = {0};
    if (accel_layers_load(path, &layers, &n, &err) != AX_OK) {
        fprintf(stderr, "bench_accel: %s\n", err.msg);
        return 1;
    }
    accel_mult_cost m[NMULT];
    for (int i = 0; i < NMULT; i++) {
        m[i] = accel_mult_cost_exact();
        m[i].energy_pj *= 1.0 - 0.01 * i;
        m[i].area_um2 *= 1.0 - 0.01 * i;
    }
    accel_net *net = NULL;
    double t0 = wallclock_seconds();
    if (accel_net_create(&a, layers, n, m, NMULT, ACCEL_OBJ_ENERGY, &net, &err) != AX_OK) {
        fprintf(stderr, "bench_accel: %s\n", err.msg);
        free(layers);
        return 1;
    }
    double t_map = wallclock_seconds() - t0;
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    double check = 0;
    double r1 = rate(net, 1, &check);
    double rn = rate(net, threads, &check);
    printf("network: %s, %zu layers, mapped once in %.3f s\n", path, n, t_map);
    printf("chromosome evaluations per second, 1 thread:   %.3g (%.1fx the 100k target)\n", r1,
           r1 / 1e5);
    printf("chromosome evaluations per second, %d threads: %.3g (%.2fx one thread)\n", threads, rn,
           rn / r1);
    printf("checksum %.6g\n", check);
    accel_net_free(net);
    free(layers);
    return 0;
}
