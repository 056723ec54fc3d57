/* mc: accuracy under random bit errors as a Monte Carlo estimate.
 *
 * Accuracy with faults is a random variable; R repetitions (each with its
 * own weight fault map and per-image flips, common random numbers across
 * callers: see fitness/emu.h) give its mean and the standard error of that
 * mean, sd / sqrt(R). With no active fault rates one run is made, and it is
 * the fault-free result bit for bit. */
#ifndef AX_FITNESS_MC_H
#define AX_FITNESS_MC_H

#include <stdint.h>

#include "fitness/emu.h"
#include "fitness/qnet.h"
#include "util/err.h"

typedef struct mc_data {
    const uint8_t *pixels; /* [n][H*W] */
    const uint8_t *labels; /* [n] */
    int64_t n;
    int64_t first_image;   /* dataset index of pixels[0] */
} mc_data;

typedef struct mc_result {
    double top1;           /* mean over repetitions */
    double top1_se;        /* standard error of the mean (0 for one run) */
    int reps;              /* repetitions made */
    uint64_t flips;        /* bits flipped, all repetitions */
    double expected_flips; /* expectation of flips */
    double macs, macs_skipped; /* emulated MACs, and those the prefix cache saved */
} mc_result;

/* tables: per-layer product tables (NULL = exact); weights, inputs,
 * outputs: per-layer flip rates (any may be NULL = none); cache: the
 * emulator's prefix cache (NULL = none). */
int mc_accuracy(const qnet *q, const mc_data *d, const emu_table *const *tables,
                const emu_flip_spec *weights, const emu_flip_spec *inputs,
                const emu_flip_spec *outputs, int reps, uint64_t seed, int threads, pcache *cache,
                mc_result *r, ax_err *err);

#endif
