/* Requantization (fitness/emu/requant.h): every implementation this CPU
 * runs equals the scalar reference, byte for byte, on random runs of every
 * length 0..40 from unaligned addresses, and on runs built to hit every
 * rounding tie (a multiplier of exactly 1/2 and right shifts of 1..3 over
 * consecutive sums, negative and positive); the scalar reference itself
 * equals qmath_apply and the clamp written out here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitness/emu/requant.h"
#include "util/pcg.h"

enum { MAX_N = 40 };

static int32_t rand_in(pcg32 *rng, int32_t lo, int32_t hi)
{
    return lo + (int32_t)pcg32_bounded(rng, (uint32_t)(hi - lo + 1));
}

/* Runs every implementation on one case; fails naming it when any differs. */
static void check_case(const rq_impl *impls, int n_impls, const int32_t *acc, const int32_t *cs, int64_t n,
                       const rq_params *p, const char *what)
{
    uint8_t want[MAX_N + 8], got[MAX_N + 8];
    rq_scalar(acc, cs, n, p, want);
    for (int64_t i = 0; i < n; i++) {
        int32_t code = p->zo + qmath_apply(acc[i] + p->base - p->zw * cs[i], p->m);
        assert_int_equal(want[i], code < p->lo ? p->lo : code > p->hi ? p->hi : code);
    }
    for (int k = 1; k < n_impls; k++) {
        if (!impls[k].supported)
            continue;
        memset(got, 0xA5, sizeof got);
        impls[k].fn(acc, cs, n, p, got);
        if (n && memcmp(got, want, (size_t)n))
            fail_msg("%s differs from rq_scalar (%s, n %lld, m0 %d, exp %d)", impls[k].name, what, (long long)n,
                     p->m.m0, p->m.exp);
        assert_int_equal(got[n], 0xA5); /* nothing written past the run */
    }
}

static void random_runs(void **state)
{
    (void)state;
    rq_impl impls[RQ_MAX_IMPLS];
    int n_impls = rq_impls(impls);
    pcg32 rng;
    pcg32_seed(&rng, 11, 3);
    int32_t acc[MAX_N + 3], cs[MAX_N + 3];
    int cases = 0;
    for (int t = 0; t < 4000; t++) {
        rq_params p;
        int kind = t % 10;
        p.m.m0 = kind == 0 ? 0 : (int32_t)((UINT32_C(1) << 30) + pcg32_bounded(&rng, UINT32_C(1) << 30));
        p.m.exp = kind == 1 ? rand_in(&rng, 1, 3) : kind == 2 ? rand_in(&rng, -45, -30) : rand_in(&rng, -20, 0);
        p.base = rand_in(&rng, -(1 << 28), 1 << 28);
        p.zw = rand_in(&rng, 0, 255);
        p.zo = rand_in(&rng, 0, 255);
        p.lo = rand_in(&rng, 0, 128);
        p.hi = rand_in(&rng, p.lo, 255);
        int off = (int)pcg32_bounded(&rng, 3);
        int64_t n = (int64_t)pcg32_bounded(&rng, MAX_N + 1);
        for (int i = 0; i < MAX_N + 3; i++) {
            acc[i] = rand_in(&rng, -(1 << 28), 1 << 28);
            cs[i] = rand_in(&rng, 0, 1 << 20);
        }
        check_case(impls, n_impls, acc + off, cs + off, n, &p, "random");
        cases++;
    }
    print_message("    %d random runs; implementations:", cases);
    for (int k = 0; k < n_impls; k++)
        print_message(" %s%s", impls[k].name, impls[k].supported ? "" : " (not on this CPU)");
    print_message("\n");
}

static void rounding_ties(void **state)
{
    (void)state;
    rq_impl impls[RQ_MAX_IMPLS];
    int n_impls = rq_impls(impls);
    int32_t acc[MAX_N], cs[MAX_N] = {0};
    for (int exp = 0; exp >= -3; exp--)
        for (int32_t start = -60; start < 60; start += MAX_N) {
            for (int i = 0; i < MAX_N; i++)
                acc[i] = start + i;
            /* m0 = 2^30: the product is v / 2 (ties at every odd v), then
             * a right shift of -exp; zo 128 keeps negatives in range */
            rq_params p = {0, 0, {1 << 30, exp}, 128, 0, 255};
            check_case(impls, n_impls, acc, cs, MAX_N, &p, "ties");
            p.m.m0 = INT32_MAX; /* just below 1: halves near every integer */
            check_case(impls, n_impls, acc, cs, MAX_N, &p, "near 1");
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_runs),
        cmocka_unit_test(rounding_ties),
    };
    return cmocka_run_group_tests_name("requant", tests, NULL, NULL);
}
