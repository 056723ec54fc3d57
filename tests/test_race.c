/* fitness/race: the paired statistics by hand, the normal quantiles
 * against their published values, the stage schedule, and the sequential
 * rule on synthetic paired Bernoulli data: a design at the feasibility
 * boundary is kept with at least the promised probability over many seeds,
 * a clearly infeasible one is stopped early, and the final upper bound
 * covers the true drop as often as its confidence says. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fitness/race.h"
#include "util/pcg.h"

static void tally_by_hand(void **state)
{
    (void)state;
    /* R = 2; x = 2 base - k: (1,0) -> 2, (1,2) -> 0, (0,1) -> -1, (1,1) -> 1. */
    const uint8_t base[4] = {1, 1, 0, 1}, right[4] = {0, 2, 1, 1};
    race_tally t = {.reps = 2};
    race_tally_add(&t, base, right, 4);
    assert_int_equal(t.images, 4);
    assert_int_equal(t.s1, 2);
    assert_int_equal(t.s2, 6);
    assert_float_equal(race_drop_pp(&t), 25.0, 1e-12); /* D = 1, 0, -0.5, 0.5 */
    /* With the pseudo-pairs: D = 1, 0, -0.5, 0.5, 1, -1; mean 1/6, sum of
     * squares 3.5; var = (3.5 - 6/36) / 5 = 2/3; se = 100 sqrt(2/3 / 4). */
    assert_float_equal(race_drop_se(&t), 100.0 * sqrt(2.0 / 3.0 / 4.0), 1e-9);
    assert_float_equal(race_bound(&t, -2.0), 25.0 - 200.0 * sqrt(1.0 / 6.0), 1e-9);
    assert_true(race_bound(&t, 2.0) >= 25.0 + 200.0 * sqrt(1.0 / 6.0) - 1e-9);
    /* Stages merge exactly: two halves give the same tally. */
    race_tally a = {.reps = 2}, b = {.reps = 2};
    race_tally_add(&a, base, right, 1);
    race_tally_add(&b, base + 1, right + 1, 3);
    race_tally_merge(&a, &b);
    assert_true(a.images == t.images && a.s1 == t.s1 && a.s2 == t.s2);
    /* No disagreement on n images: drop 0 and an SE near 1/n, not 0. */
    uint8_t ones[500];
    for (int i = 0; i < 500; i++)
        ones[i] = 1;
    race_tally z = {.reps = 1};
    race_tally_add(&z, ones, ones, 500);
    assert_float_equal(race_drop_pp(&z), 0.0, 0);
    assert_float_equal(race_drop_se(&z), 100.0 * sqrt(2.0 / 501.0 / 500.0), 1e-12);
    /* Its upper bound is Wilson's for 0 of 500 at z: z^2 / (n + z^2). */
    assert_float_equal(race_bound(&z, 1.645), 100.0 * 1.645 * 1.645 / (500 + 1.645 * 1.645), 1e-9);
}

/* Standard normal quantiles (e.g. Abramowitz and Stegun, table 26.5). */
static void normal_quantiles(void **state)
{
    (void)state;
    assert_float_equal(race_z(0.95), 1.6448536269514722, 1e-9);
    assert_float_equal(race_z(0.975), 1.959963984540054, 1e-9);
    assert_float_equal(race_z(0.99), 2.3263478740408408, 1e-9);
    assert_float_equal(race_z(0.999), 3.090232306167813, 1e-9);
}

static void stages(void **state)
{
    (void)state;
    const int64_t want[5] = {250, 500, 1000, 2000, 2000};
    int64_t done = 0;
    for (int k = 0; k < 5; k++) {
        done = race_stage_end(done, 250, 2000);
        assert_int_equal(done, want[k]);
    }
    assert_int_equal(race_stage_end(1000, 250, 1500), 1500);
    assert_int_equal(race_stage_end(1000, 250, 2001), 2001); /* no one-image tail */
    assert_int_equal(race_stage_end(500, 250, 1200), 1200);  /* 1000 would leave 200 < 250 */
    assert_int_equal(race_stage_end(0, 0, 1500), 1500);    /* racing off */
    assert_int_equal(race_stage_end(0, 4000, 1500), 1500); /* first beyond the split */
    assert_int_equal(race_stage_end(300, 250, 2000), 500);  /* resumes mid-stage */
}

static void dominance_by_hand(void **state)
{
    (void)state;
    /* A tally with drop 5 pp and a small SE: its lower bound is about 3. */
    race_tally t = {.reps = 1, .images = 1000, .s1 = 50, .s2 = 50};
    double lcb = race_bound(&t, -2.0);
    assert_true(lcb > 3.0 && lcb < 4.0);
    const double objs[2] = {10.0, 1.0};
    const double ref[3 * 2] = {9.0, 1.0, /* better energy, same area */
                               11.0, 0.5, /* more energy */
                               10.0, 2.0}; /* more area */
    double ucb[3] = {2.9, 0.0, 0.0};
    assert_int_equal(race_look(&t, 2.0, 10.0, objs, 2, ref, ucb, 3), RACE_DOMINATED);
    ucb[0] = lcb + 0.01; /* its accuracy is not clearly better */
    assert_int_equal(race_look(&t, 2.0, 10.0, objs, 2, ref, ucb, 3), RACE_GO_ON);
    assert_int_equal(race_look(&t, 2.0, 3.0, objs, 2, ref, ucb, 0), RACE_INFEASIBLE);
    assert_int_equal(race_look(&t, 2.0, 4.0, objs, 2, NULL, NULL, 0), RACE_GO_ON);
}

/* Paired Bernoulli images, one repetition: the exact design right and the
 * design wrong with probability pb, the other way round with pc; the true
 * drop is 100 (pb - pc) points. Runs the stages to the end or the first
 * stop; returns the images used, *stopped the verdict. */
static int64_t race_one(uint64_t seed, double pb, double pc, double z_look, double max_drop, int64_t first,
                        int64_t total, race_tally *t, race_verdict *stopped)
{
    pcg32 rng = pcg32_derive4(seed, PCG_PURPOSE_TEST, 77, 0, 0, 0);
    *t = (race_tally){.reps = 1};
    *stopped = RACE_GO_ON;
    uint8_t base[4096], right[4096];
    int64_t done = 0;
    while (done < total) {
        int64_t end = race_stage_end(done, first, total);
        for (int64_t i = 0; i < end - done; i++) {
            double u = pcg32_double(&rng);
            base[i] = u < pb ? 1 : u < pb + pc ? 0 : (uint8_t)pcg32_bounded(&rng, 2);
            right[i] = u < pb ? 0 : u < pb + pc ? 1 : base[i];
        }
        race_tally_add(t, base, right, end - done);
        done = end;
        if (done < total && (*stopped = race_look(t, z_look, max_drop, NULL, 0, NULL, NULL, 0)) != RACE_GO_ON)
            break;
    }
    return done;
}

static void sequential_rule_on_bernoulli(void **state)
{
    (void)state;
    enum { SEEDS = 2000 };
    const double z_look = race_z(0.99), max_drop = 1.0;
    /* Four stages (250 .. 2000): three looks, each wrong with probability
     * <= 1 %, so a design at the boundary is kept with >= 97 %. */
    int kept = 0;
    for (uint64_t s = 0; s < SEEDS; s++) {
        race_tally t;
        race_verdict v;
        race_one(s, 0.03, 0.02, z_look, max_drop, 250, 2000, &t, &v);
        kept += v == RACE_GO_ON;
    }
    double share = (double)kept / SEEDS;
    print_message("    boundary design (drop 1.0 pp = max_drop) kept in %.2f %% of %d seeds (promised >= 97 %%)\n",
                  100 * share, SEEDS);
    assert_true(share >= 0.97 - 3 * sqrt(0.03 * 0.97 / SEEDS));
    /* A design at 6 pp is stopped, mostly after the first stage. */
    int64_t images = 0;
    int stopped = 0;
    for (uint64_t s = 0; s < SEEDS; s++) {
        race_tally t;
        race_verdict v;
        images += race_one(s, 0.08, 0.02, z_look, max_drop, 250, 2000, &t, &v);
        stopped += v == RACE_INFEASIBLE;
    }
    print_message("    infeasible design (6 pp): stopped in %.2f %%, %.0f images on average of 2000\n",
                  100.0 * stopped / SEEDS, (double)images / SEEDS);
    assert_true(stopped >= 0.99 * SEEDS);
    assert_true(images < SEEDS * 600);
}

/* Three repetitions; the design fails an image in all of them with
 * probability pw, in one of them with probability p1 (the exact design is
 * right on every image). True drop: 100 (pw + p1 / 3). */
static void race_three_reps(uint64_t seed, double pw, double p1, int64_t n, race_tally *t)
{
    pcg32 rng = pcg32_derive4(seed, PCG_PURPOSE_TEST, 78, 0, 0, 0);
    *t = (race_tally){.reps = 3};
    uint8_t base[4096], right[4096];
    for (int64_t i = 0; i < n; i++) {
        double u = pcg32_double(&rng);
        base[i] = 1;
        right[i] = u < pw ? 0 : u < pw + p1 ? 2 : 3;
    }
    race_tally_add(t, base, right, n);
}

/* The final one-sided 95 % bound covers the true drop in about 95 % of
 * seeds (the calibration the front's drop_ucb promises per design). */
static void upper_bound_coverage(void **state)
{
    (void)state;
    enum { SEEDS = 2000 };
    const double z = race_z(0.95);
    const struct {
        double pb, pc;
    } cases[5] = {{0.02, 0.01}, {0.05, 0.05}, {0.004, 0.0}, {0.001, 0.0}, {0.006, 0.002}};
    for (int c = 0; c < 5; c++) {
        int covered = 0;
        for (uint64_t s = 0; s < SEEDS; s++) {
            race_tally t;
            race_verdict v;
            race_one(1000 + s, cases[c].pb, cases[c].pc, 0, 100.0, 0, 1000, &t, &v);
            covered += race_bound(&t, z) >= 100.0 * (cases[c].pb - cases[c].pc);
        }
        double share = (double)covered / SEEDS;
        print_message("    drop %.1f pp: the 95 %% bound covers it in %.1f %% of seeds\n",
                      100 * (cases[c].pb - cases[c].pc), 100 * share);
        assert_true(share >= 0.95 - 3 * sqrt(0.05 * 0.95 / SEEDS));
    }
    /* With repetitions: whole-image failures (rare, where the normal bound
     * alone falls short), and failures in one repetition of three. */
    const struct {
        double pw, p1;
    } rcases[4] = {{0.0008, 0.0}, {0.0022, 0.0}, {0.0, 0.006}, {0.002, 0.01}};
    for (int c = 0; c < 4; c++) {
        int covered = 0;
        double truth = 100.0 * (rcases[c].pw + rcases[c].p1 / 3);
        for (uint64_t s = 0; s < SEEDS; s++) {
            race_tally t;
            race_three_reps(5000 + s, rcases[c].pw, rcases[c].p1, 3000, &t);
            covered += race_bound(&t, z) >= truth;
        }
        double share = (double)covered / SEEDS;
        print_message("    R = 3, drop %.3f pp: the 95 %% bound covers it in %.1f %% of seeds\n", truth, 100 * share);
        assert_true(share >= 0.95 - 3 * sqrt(0.05 * 0.95 / SEEDS));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tally_by_hand),
        cmocka_unit_test(normal_quantiles),
        cmocka_unit_test(stages),
        cmocka_unit_test(dominance_by_hand),
        cmocka_unit_test(sequential_rule_on_bernoulli),
        cmocka_unit_test(upper_bound_coverage),
    };
    return cmocka_run_group_tests_name("race", tests, NULL, NULL);
}
