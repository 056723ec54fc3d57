/* NSGA-II quality against Deb's reference implementation: over 11 seeds at
 * the standard settings, the median hypervolume / IGD must be at least as
 * good as the reference's mean over 31 seeds
 * (docs/facts.md#nsga-ii-reference, issue 2). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ga/indicator.h"
#include "ga/nsga.h"
#include "ga/problem.h"

static void eval_real(void *user, const int32_t *ints, const double *x, double *f, double *g)
{
    (void)ints;
    problem_evaluate(user, x, f, g);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median hypervolume and IGD of the final first front over 11 seeds. */
static void medians(const char *name, double *hv_med, double *igd_med)
{
    problem *p = problem_create(name, 0, 0, NULL);
    assert_non_null(p);
    int m = problem_n_obj(p);
    double ref[8], *front_ref, hv[11], igd[11];
    int n_ref;
    assert_int_equal(problem_hv_reference(p, ref, NULL), AX_OK);
    assert_int_equal(problem_reference_front(p, &front_ref, &n_ref, NULL), AX_OK);
    nsga_problem np = {0};
    np.n_real = problem_n_var(p);
    np.real_lo = problem_lower(p);
    np.real_hi = problem_upper(p);
    np.n_obj = m;
    np.eval_one = eval_real;
    np.user = p;
    for (int s = 0; s < 11; s++) {
        nsga_config c;
        nsga_config_defaults(&c);
        c.seed = (uint64_t)s + 1;
        c.threads = 1;
        c.max_generations = problem_default_generations(p);
        ax_err err = {0};
        nsga *ga = nsga_create(&np, &c, &err);
        assert_non_null(ga);
        assert_int_equal(nsga_run(ga, &err), AX_OK);
        assert_int_equal(nsga_evaluations(ga), 100L * c.max_generations);
        nsga_view v = nsga_population(ga);
        double *front = malloc((size_t)v.size * m * sizeof *front);
        int n = 0;
        for (int r = 0; r < v.size; r++) {
            if (v.rank[r] != 0)
                continue;
            for (int j = 0; j < m; j++)
                front[(size_t)n * m + j] = v.objs[(size_t)r * m + j];
            n++;
        }
        assert_int_equal(indicator_hypervolume(front, n, m, ref, &hv[s]), 0);
        igd[s] = indicator_igd(front, n, front_ref, n_ref, m);
        free(front);
        nsga_free(ga);
    }
    qsort(hv, 11, sizeof hv[0], cmp_double);
    qsort(igd, 11, sizeof igd[0], cmp_double);
    *hv_med = hv[5];
    *igd_med = igd[5];
    printf("    %s: median hv %.5f igd %.5f over 11 seeds\n", name, hv[5], igd[5]);
    free(front_ref);
    problem_free(p);
}

static void zdt(void **state)
{
    (void)state;
    double hv, igd;
    medians("zdt1", &hv, &igd);
    assert_true(hv >= 0.8690 && igd <= 0.0052);
    medians("zdt2", &hv, &igd);
    assert_true(hv >= 0.5355);
    medians("zdt3", &hv, &igd);
    assert_true(hv >= 1.3270);
    medians("zdt4", &hv, &igd);
    assert_true(igd <= 0.010);
    medians("zdt6", &hv, &igd);
    assert_true(igd <= 0.0090);
}

static void dtlz(void **state)
{
    (void)state;
    double hv, igd;
    medians("dtlz1", &hv, &igd);
    assert_true(igd <= 0.035);
    medians("dtlz2", &hv, &igd);
    assert_true(igd <= 0.075);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zdt),
        cmocka_unit_test(dtlz),
    };
    return cmocka_run_group_tests_name("nsga_quality", tests, NULL, NULL);
}
