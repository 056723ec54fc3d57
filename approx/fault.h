/* fault: the error side of the voltage knobs — bit-cell failures of an
 * undervolted SRAM, bit errors of a low-swing link — and the injection of
 * independent bit flips into stored or transmitted words.
 *
 * SRAM: a cell fails when its noise margin is negative; the margin is
 * linear in the supply voltage with Gaussian mismatch across cells, so
 *     p_fail(v) = Phi((v0 - v) / s),      v = V / V_nominal,
 * (Phi the standard normal CDF). The default (v0, s) pass exactly through
 * the 65 nm measurements of Sun et al. (TVLSI 2017): 0.23 % at 0.55 V and
 * 1.56 % at 0.50 V with V_nominal = 1.0 V, which gives v0 = 0.3419 and
 * s = 0.07345. Limits: two points fix two parameters and nothing checks the
 * tails; below ~0.45 V_nominal and above ~0.65 V_nominal it is an
 * extrapolation of the probit shape (at 0.7 it gives 5e-7, at nominal
 * 1.6e-19, i.e. no failures); the 65 nm data are put on the V/V_nominal
 * scale, which assumes the margin scales with V_nominal across nodes.
 * A user table of (v, p) pairs replaces the curve; it is interpolated
 * log-linearly (log p linear in v) and extended beyond its ends with the
 * slope of its end segments, p capped at 0.5.
 *
 * Link: with Gaussian noise of deviation sigma at the receiver, a swing
 * Vs gives BER = 1/2 erfc(Vs / (2 sqrt(2) sigma))
 * (docs/facts.md#voltage-knobs); sigma is set so the nominal swing gives
 * a chosen BER (1e-12 by default), i.e.
 * Vs_nominal / sigma = 14.07, and half swing gives 2.2e-4 (the published
 * 2.3e-4 rounds the ratio to 14).
 *
 * Injection flips each selected bit independently with probability p. It
 * draws the gaps between flips from the geometric distribution, so it costs
 * O(1 + flips), not O(bits), and draws nothing at p = 0. */
#ifndef AX_APPROX_FAULT_H
#define AX_APPROX_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/pcg.h"

/* Default probit fit through Sun et al. 2017 (see above). */
#define FAULT_SRAM_V0 0.3419
#define FAULT_SRAM_S 0.07345
/* Nominal-swing BER of a link by default. */
#define FAULT_LINK_BER_NOMINAL 1e-12

typedef struct fault_sram fault_sram;

/* The probit curve with the given (v0, s) (FAULT_SRAM_V0/S by default). */
fault_sram *fault_sram_create_probit(double v0, double s, ax_err *err);

/* A table of n >= 2 points (v_rel strictly increasing, 0 < p <= 0.5);
 * copies them. */
fault_sram *fault_sram_create_table(int n, const double *v_rel, const double *p, ax_err *err);

void fault_sram_free(fault_sram *m);

/* Failure probability of one bit cell at supply v_rel = V / V_nominal. */
double fault_sram_pfail(const fault_sram *m, double v_rel);

/* The receiver noise deviation (volts) that gives ber_nominal at the
 * nominal swing (volts). */
double fault_link_sigma(double swing_nominal, double ber_nominal);

/* Bit error rate at a swing (volts) given the noise deviation (volts). */
double fault_link_ber(double swing, double sigma);

/* Flips, in n_words little-endian words of word_bytes (1, 2 or 4) bytes at
 * data, each bit selected by mask independently with probability p.
 * Returns the number of bits flipped. */
uint64_t fault_flip(pcg32 *rng, void *data, size_t n_words, int word_bytes, uint32_t mask,
                    double p);

/* The same draws as fault_flip but only counts (for fault maps that are
 * applied later, and for tests): writes up to cap flipped bit indices
 * (word * 32 + bit) to out and returns the total count. */
uint64_t fault_draw(pcg32 *rng, size_t n_words, uint32_t mask, double p, uint32_t *out,
                    size_t cap);

#endif
