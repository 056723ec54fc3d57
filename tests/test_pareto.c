/* Non-dominated sorting and crowding distance: hand-computed cases, and
 * the O(n log n) two-objective path against Deb's O(m n^2) sort. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ga/pareto.h"
#include "util/pcg.h"

static void dominance_cases(void **state)
{
    (void)state;
    double a[2] = {1, 2}, b[2] = {2, 2}, c[2] = {2, 1}, d[2] = {1, 2};
    assert_true(pareto_dominates(a, b, 2));
    assert_false(pareto_dominates(b, a, 2));
    assert_false(pareto_dominates(a, c, 2));
    assert_false(pareto_dominates(a, d, 2)); /* equal vectors: neither */
    /* feasible beats infeasible whatever the objectives */
    assert_true(pareto_cdominates(b, 0, a, 0.5, 2));
    assert_false(pareto_cdominates(a, 0.5, b, 0, 2));
    /* two infeasible: less violation wins */
    assert_true(pareto_cdominates(b, 0.1, a, 0.2, 2));
    assert_false(pareto_cdominates(a, 0.2, b, 0.2, 2));
}

static void hand_ranked(void **state)
{
    (void)state;
    /* Fronts by hand: {(1,5),(2,3),(4,1)}, {(3,4),(5,2)}, {(5,5)}; (2,3)
     * appears twice and both copies share front 0; the last two points are
     * infeasible with violations 0.5 and 0.2 (the 0.2 one ranks first). */
    const double f[] = {3, 4, 1, 5, 5, 5, 2, 3, 4, 1, 5, 2, 2, 3, 0, 0, 0, 0};
    const double viol[] = {0, 0, 0, 0, 0, 0, 0, 0.5, 0.2};
    const int expected[] = {1, 0, 2, 0, 0, 1, 0, 4, 3};
    int rank[9], naive[9];
    assert_int_equal(pareto_rank(f, viol, 9, 2, rank), 5);
    assert_int_equal(pareto_rank_naive(f, viol, 9, 2, naive), 5);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(rank[i], expected[i]);
        assert_int_equal(naive[i], expected[i]);
    }
}

static void fast_sort_matches_naive(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(3, PCG_PURPOSE_TEST, 1, 0, 0, 0);
    for (int trial = 0; trial < 300; trial++) {
        int n = 1 + (int)pcg32_bounded(&rng, 120);
        int m = 1 + (int)pcg32_bounded(&rng, 4);
        /* Small integer values force many ties and equal vectors. */
        int levels = 2 + (int)pcg32_bounded(&rng, 10);
        double *f = malloc((size_t)n * m * sizeof *f), *v = malloc((size_t)n * sizeof *v);
        int *r1 = malloc((size_t)n * sizeof *r1), *r2 = malloc((size_t)n * sizeof *r2);
        for (int i = 0; i < n * m; i++)
            f[i] = (double)pcg32_bounded(&rng, (uint32_t)levels);
        for (int i = 0; i < n; i++)
            v[i] = pcg32_bounded(&rng, 4) == 0 ? 0.5 * pcg32_bounded(&rng, 3) : 0.0;
        int k1 = pareto_rank(f, trial % 2 ? v : NULL, n, m, r1);
        int k2 = pareto_rank_naive(f, trial % 2 ? v : NULL, n, m, r2);
        assert_int_equal(k1, k2);
        for (int i = 0; i < n; i++)
            assert_int_equal(r1[i], r2[i]);
        free(f);
        free(v);
        free(r1);
        free(r2);
    }
}

static void crowding_by_hand(void **state)
{
    (void)state;
    /* Front (0,4) (1,2) (2,1) (4,0): ranges 4 and 4.
     * (1,2): (2-0)/4 + (4-1)/4 = 1.25;  (2,1): (4-1)/4 + (2-0)/4 = 1.25. */
    const double f[] = {2, 1, 0, 4, 4, 0, 1, 2};
    const int idx[] = {0, 1, 2, 3};
    double d[4];
    assert_int_equal(pareto_crowding(f, 2, idx, 4, d), 0);
    assert_true(fabs(d[0] - 1.25) < 1e-12);
    assert_true(isinf(d[1]) && isinf(d[2]));
    assert_true(fabs(d[3] - 1.25) < 1e-12);
    /* Uneven spacing: (0,3) (1,2) (3,1) (6,0): f1 range 6, f2 range 3.
     * (1,2): 3/6 + 2/3;  (3,1): 5/6 + 2/3. */
    const double g[] = {0, 3, 1, 2, 3, 1, 6, 0};
    assert_int_equal(pareto_crowding(g, 2, idx, 4, d), 0);
    assert_true(fabs(d[1] - (0.5 + 2.0 / 3.0)) < 1e-12);
    assert_true(fabs(d[2] - (5.0 / 6.0 + 2.0 / 3.0)) < 1e-12);
}

static void crowding_small_and_duplicates(void **state)
{
    (void)state;
    const double f[] = {0, 4, 1, 2, 1, 2, 4, 0, 1, 2};
    double d[5];
    const int one[] = {2};
    assert_int_equal(pareto_crowding(f, 2, one, 1, d), 0);
    assert_true(isinf(d[0]));
    const int two[] = {0, 3};
    assert_int_equal(pareto_crowding(f, 2, two, 2, d), 0);
    assert_true(isinf(d[0]) && isinf(d[1]));
    /* (1,2) three times: the first copy (point 1) gets the distance of the
     * distinct set {(0,4),(1,2),(4,0)} = 4/4 + 4/4 = 2; the copies get 0. */
    const int all[] = {0, 1, 2, 3, 4};
    assert_int_equal(pareto_crowding(f, 2, all, 5, d), 0);
    assert_true(isinf(d[0]) && isinf(d[3]));
    assert_true(fabs(d[1] - 2.0) < 1e-12);
    assert_true(d[2] == 0.0 && d[4] == 0.0);
    /* Three distinct points with one objective constant: that objective
     * adds nothing; extremes of the other are infinite. */
    const double h[] = {0, 1, 1, 1, 2, 1};
    const int three[] = {0, 1, 2};
    assert_int_equal(pareto_crowding(h, 2, three, 3, d), 0);
    assert_true(isinf(d[0]) && isinf(d[2]));
    assert_true(fabs(d[1] - 1.0) < 1e-12);
    /* All copies of one vector: a single distinct point, infinite. */
    const double same[] = {1, 1, 1, 1, 1, 1};
    assert_int_equal(pareto_crowding(same, 2, three, 3, d), 0);
    assert_true(isinf(d[0]) && d[1] == 0.0 && d[2] == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dominance_cases),
        cmocka_unit_test(hand_ranked),
        cmocka_unit_test(fast_sort_matches_naive),
        cmocka_unit_test(crowding_by_hand),
        cmocka_unit_test(crowding_small_and_duplicates),
    };
    return cmocka_run_group_tests_name("pareto", tests, NULL, NULL);
}
