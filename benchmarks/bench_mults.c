/* bench_mults: time to build the default multiplier library (it is rebuilt
 * at every start, so the budget is 2 s), and the cost split between the
 * zero-delay table simulation and the glitch-aware power simulation.
 * Prints ratios; never fails on speed. */
#include <stdio.h>
#include <stdlib.h>

#include "approx/mfam.h"
#include "approx/mult_lib.h"
#include "approx/netlist.h"
#include "util/wallclock.h"

static double median(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

int main(void)
{
    enum { REPS = 5 };
    double t[REPS];
    size_t n = 0;
    for (int r = 0; r < REPS; r++) {
        ax_err err = {0};
        double t0 = wallclock_seconds();
        mult_lib *lib = mult_lib_create_default(&err);
        t[r] = wallclock_seconds() - t0;
        if (!lib) {
            fprintf(stderr, "bench_mults: %s\n", err.msg);
            return 1;
        }
        n = mult_lib_count(lib);
        mult_lib_free(lib);
    }
    double build = median(t, REPS);
    printf("default library: %zu multipliers built in %.3f s (median of %d)\n", n, build, REPS);
    printf("ratio to the 2 s start-up budget: %.3f\n", build / 2.0);

    /* One mid-sized design: table (65,536 pairs, zero delay) vs power
     * (4,096 pairs, timed). */
    const mfam_family *f = mfam_find("exact");
    nl_netlist *nl;
    ax_err err = {0};
    if (mfam_netlist(f, f->designs[2].param, &nl, &err) != AX_OK) {
        fprintf(stderr, "bench_mults: %s\n", err.msg);
        return 1;
    }
    uint64_t *scratch = malloc(nl_eval_scratch(nl) * sizeof *scratch);
    uint64_t in[16] = {0}, out[16];
    double t0 = wallclock_seconds();
    for (int r = 0; r < 20; r++)
        for (int w = 0; w < 1024; w++) {
            in[0] = (uint64_t)w * 0x9E3779B97F4A7C15ULL;
            nl_eval64(nl, in, out, scratch);
        }
    double t_lut = (wallclock_seconds() - t0) / 20;
    uint64_t *words = calloc((size_t)MULT_SWITCH_PAIRS / 64 * 16, sizeof *words);
    for (size_t i = 0; i < (size_t)MULT_SWITCH_PAIRS / 64 * 16; i++)
        words[i] = (uint64_t)(i + 1) * 0xD1B54A32D192ED03ULL;
    nl_switching sw;
    t0 = wallclock_seconds();
    for (int r = 0; r < 5; r++)
        nl_simulate_switching(nl, words, MULT_SWITCH_PAIRS / 64, &sw, &err);
    double t_pow = (wallclock_seconds() - t0) / 5;
    printf("%s: table %.2f ms, power %.2f ms; timed/zero-delay cost per pair: %.1f\n",
           f->designs[2].name, t_lut * 1e3, t_pow * 1e3,
           (t_pow / MULT_SWITCH_PAIRS) / (t_lut / 65536));
    free(words);
    free(scratch);
    nl_free(nl);
    return 0;
}
