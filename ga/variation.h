/* variation: crossover and mutation operators for mixed genomes.
 *
 * Real genes (bounded): simulated binary crossover, SBX (Deb, Agrawal,
 * "Simulated binary crossover for continuous search space", Complex Systems
 * 9, 1995), in the bounded form of Deb's NSGA-II code, and polynomial
 * mutation (Deb, Goyal 1996) in the same form.
 * Integer genes (gene i takes values 0..card[i]-1): uniform and two-point
 * crossover; random-reset mutation (a new value, different from the old);
 * neighbour-step mutation (move by +-1..kmax, reflected at the ends), which
 * suits ordered genes such as a multiplier library sorted by power.
 *
 * Every draw comes from the pcg32 passed in, so a child depends only on its
 * parents and that stream. */
#ifndef AX_GA_VARIATION_H
#define AX_GA_VARIATION_H

#include <stdint.h>

#include "util/pcg.h"

/* With probability pc, recombines p1 and p2 into c1 and c2 variable by
 * variable (each with probability 1/2); otherwise copies them. The children
 * may alias nothing. */
void var_sbx(pcg32 *rng, const double *p1, const double *p2, double *c1, double *c2, int n,
             const double *lo, const double *hi, double pc, double eta);

/* Mutates each gene with probability pm. Returns the number mutated. */
int var_polynomial_mutation(pcg32 *rng, double *x, int n, const double *lo, const double *hi,
                            double pm, double eta);

/* With probability pc, swaps each gene between the children with
 * probability 1/2; otherwise copies. */
void var_int_uniform(pcg32 *rng, const int32_t *p1, const int32_t *p2, int32_t *c1, int32_t *c2,
                     int n, double pc);

/* With probability pc, swaps the genes between two cut points drawn
 * uniformly; otherwise copies. */
void var_int_two_point(pcg32 *rng, const int32_t *p1, const int32_t *p2, int32_t *c1,
                       int32_t *c2, int n, double pc);

/* Each gene with probability pm takes a different value drawn uniformly.
 * Returns the number changed. */
int var_int_reset(pcg32 *rng, int32_t *x, int n, const int32_t *card, double pm);

/* Each gene with probability pm moves by a step drawn uniformly from
 * +-1..kmax, reflected back into range. Returns the number changed. */
int var_int_step(pcg32 *rng, int32_t *x, int n, const int32_t *card, double pm, int kmax);

#endif
