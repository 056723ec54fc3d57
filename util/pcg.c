#include "util/pcg.h"

/* The 64-bit LCG multiplier of PCG's reference implementation. */
#define PCG_MULT UINT64_C(6364136223846793005)

static void pcg32_step(pcg32 *rng)
{
    rng->state = rng->state * PCG_MULT + rng->inc;
}

void pcg32_seed(pcg32 *rng, uint64_t initstate, uint64_t initseq)
{
    rng->state = 0;
    rng->inc = (initseq << 1) | 1u;
    pcg32_step(rng);
    rng->state += initstate;
    pcg32_step(rng);
}

uint32_t pcg32_next(pcg32 *rng)
{
    uint64_t old = rng->state;
    pcg32_step(rng);
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rot = (uint32_t)(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

uint32_t pcg32_bounded(pcg32 *rng, uint32_t bound)
{
    /* Reject the low (2^32 mod bound) values so every residue is equally
     * likely; the loop runs more than once with probability < 1/2. */
    uint32_t threshold = (uint32_t)(-bound) % bound;
    for (;;) {
        uint32_t r = pcg32_next(rng);
        if (r >= threshold)
            return r % bound;
    }
}

double pcg32_double(pcg32 *rng)
{
    uint64_t hi = pcg32_next(rng) >> 5; /* 27 bits */
    uint64_t lo = pcg32_next(rng) >> 6; /* 26 bits */
    return (double)((hi << 26) | lo) * (1.0 / 9007199254740992.0);
}

void pcg32_advance(pcg32 *rng, uint64_t delta)
{
    /* Brown, "Random number generation with arbitrary strides" (1994):
     * compose the affine map x -> m x + c with itself by squaring. */
    uint64_t cur_mult = PCG_MULT, cur_plus = rng->inc;
    uint64_t acc_mult = 1, acc_plus = 0;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1;
    }
    rng->state = acc_mult * rng->state + acc_plus;
}

/* SplitMix64's finalizer (Steele, Lea, Flood 2014): a bijective 64-bit mix
 * in which every input bit affects every output bit. */
static uint64_t mix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

pcg32 pcg32_derive(uint64_t seed, uint64_t purpose, size_t n, const uint64_t *idx)
{
    uint64_t h = mix64(seed);
    h = mix64(h ^ purpose);
    /* Mixing the count keeps (a) distinct from (a, 0). */
    h = mix64(h ^ (uint64_t)n);
    for (size_t i = 0; i < n; i++)
        h = mix64(h ^ idx[i]);
    pcg32 rng;
    pcg32_seed(&rng, h, mix64(h ^ UINT64_C(0x5851f42d4c957f2d)));
    return rng;
}

pcg32 pcg32_derive4(uint64_t seed, uint64_t purpose, uint64_t i0, uint64_t i1,
                    uint64_t i2, uint64_t i3)
{
    const uint64_t idx[4] = {i0, i1, i2, i3};
    return pcg32_derive(seed, purpose, 4, idx);
}
