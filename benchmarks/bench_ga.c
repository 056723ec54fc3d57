/* NSGA-II engine speed: ZDT1 at the standard settings (population 100,
 * 250 generations = 25,000 evaluations, 30 variables), one thread, median
 * of repeated runs; and the two-objective non-dominated sort against Deb's
 * O(m n^2) sort on the same data, as a ratio measured in this run. */
#include <stdio.h>
#include <stdlib.h>

#include "ga/nsga.h"
#include "ga/pareto.h"
#include "ga/problem.h"
#include "util/pcg.h"
#include "util/wallclock.h"

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

int main(void)
{
    problem *p = problem_create("zdt1", 0, 0, NULL);
    nsga_problem np = {0};
    np.n_real = problem_n_var(p);
    np.real_lo = problem_lower(p);
    np.real_hi = problem_upper(p);
    np.n_obj = 2;
    np.eval_one = eval_real;
    np.user = p;
    enum { RUNS = 15 };
    double t[RUNS];
    long evals = 0;
    for (int r = 0; r < RUNS; r++) {
        nsga_config c;
        nsga_config_defaults(&c);
        c.seed = (uint64_t)r + 1;
        c.threads = 1;
        double t0 = wallclock_seconds();
        nsga *ga = nsga_create(&np, &c, NULL);
        if (!ga || nsga_run(ga, NULL) != AX_OK) {
            fprintf(stderr, "bench_ga: run failed\n");
            return 1;
        }
        t[r] = wallclock_seconds() - t0;
        evals = nsga_evaluations(ga);
        nsga_free(ga);
    }
    qsort(t, RUNS, sizeof t[0], cmp_double);
    printf("ga zdt1 evals=%ld seconds_median=%.4f seconds_min=%.4f runs=%d threads=1\n", evals,
           t[RUNS / 2], t[0], RUNS);

    /* Sorting 2n = 200 and 2,000 random points: fast path vs naive. */
    for (int n = 200; n <= 2000; n *= 10) {
        double *f = malloc((size_t)n * 2 * sizeof *f);
        int *rank = malloc((size_t)n * sizeof *rank);
        pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, (uint64_t)n, 0, 0, 0);
        for (int i = 0; i < 2 * n; i++)
            f[i] = pcg32_double(&rng);
        int reps = 200000 / n;
        double t0 = wallclock_seconds();
        for (int r = 0; r < reps; r++)
            pareto_rank(f, NULL, n, 2, rank);
        double fast = (wallclock_seconds() - t0) / reps;
        t0 = wallclock_seconds();
        for (int r = 0; r < reps; r++)
            pareto_rank_naive(f, NULL, n, 2, rank);
        double naive = (wallclock_seconds() - t0) / reps;
        printf("sort2d n=%d fast_us=%.1f naive_us=%.1f speedup=%.1f\n", n, fast * 1e6, naive * 1e6,
               naive / fast);
        free(f);
        free(rank);
    }
    problem_free(p);
    return 0;
}
