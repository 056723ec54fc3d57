/* pcg: the PCG32 random generator (O'Neill 2014, XSH-RR 64/32) and the
 * derivation of independent streams from (seed, purpose, indices).
 *
 * Every random draw in axsearch comes from a pcg32 derived from the run seed
 * and the indices of the work it serves (generation, individual, image, ...),
 * never from shared state, so results do not depend on threads or order.
 * A pcg32 is a small value: copy it, pass it by pointer, no allocation. */
#ifndef AX_UTIL_PCG_H
#define AX_UTIL_PCG_H

#include <stddef.h>
#include <stdint.h>

typedef struct pcg32 {
    uint64_t state;
    uint64_t inc; /* always odd: selects one of 2^63 streams */
} pcg32;

/* Seeds like pcg32_srandom_r: (initstate, initseq); seed 42, stream 54
 * gives 0xa15c02b7 0x7b47f409 0xba1d3330 ... */
void pcg32_seed(pcg32 *rng, uint64_t initstate, uint64_t initseq);

uint32_t pcg32_next(pcg32 *rng);

/* Uniform in [0, bound) without modulo bias; bound must be >= 1. */
uint32_t pcg32_bounded(pcg32 *rng, uint32_t bound);

/* Uniform double in [0, 1) with 53 random bits (two draws). */
double pcg32_double(pcg32 *rng);

/* Jumps ahead by delta draws in O(log delta) (delta may wrap: the period is
 * 2^64, so advancing by 2^64 - k goes back k draws). */
void pcg32_advance(pcg32 *rng, uint64_t delta);

/* A generator for one piece of work: state and stream are hashed from the
 * run seed, a purpose tag (one constant per use, see below) and n indices.
 * Different (purpose, indices) give statistically independent streams. */
pcg32 pcg32_derive(uint64_t seed, uint64_t purpose, size_t n, const uint64_t *idx);

/* Convenience for the common case of up to four indices. */
pcg32 pcg32_derive4(uint64_t seed, uint64_t purpose, uint64_t i0, uint64_t i1,
                    uint64_t i2, uint64_t i3);

/* Purpose tags. Fixed forever: changing one changes every result. */
enum {
    PCG_PURPOSE_GA_INIT = 1,      /* (generation 0, individual) */
    PCG_PURPOSE_GA_SELECT = 2,    /* (generation) */
    PCG_PURPOSE_GA_VARIATION = 3, /* (generation, mating pair) */
    PCG_PURPOSE_FAULT = 4,        /* (repetition, image, layer, tensor) */
    PCG_PURPOSE_DATA = 5,         /* dataset shuffles and subsets */
    PCG_PURPOSE_SWITCHING = 6,    /* operand streams for power simulation */
    PCG_PURPOSE_RANDOM_SEARCH = 7,
    PCG_PURPOSE_TEST = 100        /* tests only */
};

#endif
