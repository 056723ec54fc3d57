/* mc: accuracy under random bit errors as a Monte Carlo estimate.
 *
 * Accuracy with faults is a random variable; R repetitions (each with its
 * own weight fault map and per-image flips, common random numbers across
 * callers: see fitness/emu/emu.h) give its mean and the standard error of that
 * mean, sd / sqrt(R). With no active fault rates one run is made, and it is
 * the fault-free result bit for bit. */
#ifndef AX_FITNESS_MC_H
#define AX_FITNESS_MC_H

#include <stdint.h>

#include "fitness/emu/emu.h"
#include "fitness/emu/qnet.h"
#include "util/err.h"

typedef struct mc_data {
    const uint8_t *pixels; /* [n][H*W] */
    const uint16_t *labels; /* [n] */
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
    int64_t images;        /* images run */
} mc_result;

typedef struct mc_options {
    const emu_table *const *tables; /* per-layer product tables; NULL = exact */
    const emu_layer_fix *const *fixes; /* per-layer recovery (fitness/emu/recover.h); NULL = none */
    const emu_flip_spec *weights, *inputs, *outputs; /* per-layer rates; NULL = none */
    int reps;                       /* repetitions when any rate is above zero */
    uint64_t seed;
    int threads;
    pcache *cache;                  /* the emulator's prefix cache; NULL = none */
    uint8_t *correct;               /* optional out [n]: repetitions right per image */
    /* Nonzero: these images continue a run whose weight fault maps were
     * counted already (flips then count the per-image ones only). */
    int weight_flips_counted;
    /* Optional out: the emulator's profile (emu_stats.profile), added to
     * over every repetition; NULL: not timed. */
    double (*profile)[EMU_PHASES];
} mc_options;

int mc_accuracy(const qnet *q, const mc_data *d, const mc_options *o, mc_result *r, ax_err *err);

#endif
