/* axsearch ga-bench: NSGA-II on a benchmark problem with a known front,
 * reporting hypervolume and IGD, to check the engine against published
 * figures (see README, "NSGA-II engine"). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "ga/indicator.h"
#include "ga/nsga.h"
#include "ga/problem.h"
#include "util/fileio.h"
#include "util/sort.h"
#include "util/wallclock.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsearch ga-bench --problem NAME [--pop N] [--gens G] [--evals E]\n"
            "                         [--seed S] [--threads T] [--out FILE]\n"
            "                         [--objectives M] [--variables N] [--pm P]\n"
            "                         [--tournament crowded|dominance]\n"
            "problems: zdt1 zdt2 zdt3 zdt4 zdt6 dtlz1..dtlz7 bnh srn tnk osy constr\n"
            "defaults: population 100, 250 generations (400 for dtlz1), SBX pc 0.9\n"
            "eta 20, polynomial mutation pm 1/n eta 20; DTLZ with 3 objectives.\n"
            "Last line: problem=NAME evals=E hv=H igd=I seconds=S\n");
}

static void eval_problem(void *user, const int32_t *ints, const double *x, double *f, double *g)
{
    (void)ints;
    problem_evaluate(user, x, f, g);
}

typedef struct front_sort {
    const double *objs;
    int m;
} front_sort;

static int cmp_first_objective(int a, int b, const void *ctx)
{
    const front_sort *c = ctx;
    for (int j = 0; j < c->m; j++) {
        double fa = c->objs[(size_t)a * c->m + j], fb = c->objs[(size_t)b * c->m + j];
        if (fa != fb)
            return fa < fb ? -1 : 1;
    }
    return (a > b) - (a < b);
}

/* Writes the feasible first front: objectives, then variables. */
static int write_front(const char *path, const nsga_view *v, const int *rows, int count,
                       ax_err *err)
{
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    for (int j = 0; j < v->n_obj; j++)
        fprintf(f, "%sf%d", j ? "\t" : "", j + 1);
    for (int i = 0; i < v->n_real; i++)
        fprintf(f, "\tx%d", i + 1);
    fputc('\n', f);
    for (int k = 0; k < count; k++) {
        int r = rows[k];
        for (int j = 0; j < v->n_obj; j++)
            fprintf(f, "%s%.10g", j ? "\t" : "", v->objs[(size_t)r * v->n_obj + j]);
        for (int i = 0; i < v->n_real; i++)
            fprintf(f, "\t%.10g", v->reals[(size_t)r * v->n_real + i]);
        fputc('\n', f);
    }
    return fio_atomic_commit(w, err);
}

int cmd_ga_bench(int argc, char **argv)
{
    static const struct option options[] = {
        {"problem", required_argument, NULL, 'p'}, {"pop", required_argument, NULL, 'n'},
        {"gens", required_argument, NULL, 'g'},    {"evals", required_argument, NULL, 'e'},
        {"seed", required_argument, NULL, 's'},    {"threads", required_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},     {"objectives", required_argument, NULL, 'm'},
        {"variables", required_argument, NULL, 'v'}, {"pm", required_argument, NULL, 'u'},
        {"tournament", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *name = NULL, *out = NULL;
    long pop = 100, gens = 0, evals = 0, threads = 1, n_obj = 0, n_var = 0;
    unsigned long long seed = 1;
    double pm = -1.0;
    nsga_tournament tournament = NSGA_TOURNAMENT_CROWDED;
    ax_err err = {0};
    int status = AX_OK, c;
    optind = 1;
    while (status == AX_OK && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'p': name = optarg; break;
        case 'n': status = args_long("--pop", optarg, 4, 1000000, &pop, &err); break;
        case 'g': status = args_long("--gens", optarg, 1, 100000000, &gens, &err); break;
        case 'e': status = args_long("--evals", optarg, 1, 2000000000, &evals, &err); break;
        case 's': status = args_u64("--seed", optarg, &seed, &err); break;
        case 't': status = args_long("--threads", optarg, 0, 1024, &threads, &err); break;
        case 'o': out = optarg; break;
        case 'm': status = args_long("--objectives", optarg, 2, 32, &n_obj, &err); break;
        case 'v': status = args_long("--variables", optarg, 1, 1000, &n_var, &err); break;
        case 'u': status = args_double("--pm", optarg, 0.0, 1.0, &pm, &err); break;
        case 'T':
            if (!strcmp(optarg, "crowded"))
                tournament = NSGA_TOURNAMENT_CROWDED;
            else if (!strcmp(optarg, "dominance"))
                tournament = NSGA_TOURNAMENT_DOMINANCE;
            else
                status = ax_fail(&err, AX_EINPUT, "--tournament: expected crowded or dominance, got '%s'", optarg);
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (status == AX_OK && optind < argc)
        status = ax_fail(&err, AX_EINPUT, "unexpected argument '%s'", argv[optind]);
    if (status == AX_OK && !name)
        status = ax_fail(&err, AX_EINPUT, "--problem is required");
    if (status == AX_OK && pop % 2)
        status = ax_fail(&err, AX_EINPUT, "--pop must be even, got %ld", pop);
    if (status != AX_OK) {
        fprintf(stderr, "axsearch ga-bench: %s\n", err.msg);
        return 2;
    }

    problem *prob = problem_create(name, (int)n_obj, (int)n_var, &err);
    if (!prob) {
        fprintf(stderr, "axsearch ga-bench: %s\n", err.msg);
        return err.code == AX_EINPUT ? 2 : 1;
    }
    int m = problem_n_obj(prob);
    nsga_problem np = {0};
    np.n_real = problem_n_var(prob);
    np.real_lo = problem_lower(prob);
    np.real_hi = problem_upper(prob);
    np.n_obj = m;
    np.n_con = problem_n_con(prob);
    np.eval_one = eval_problem;
    np.user = prob;
    nsga_config cfg;
    nsga_config_defaults(&cfg);
    cfg.pop_size = (int)pop;
    cfg.seed = seed;
    cfg.real_pm = pm;
    cfg.tournament = tournament;
    cfg.threads = (int)threads;
    cfg.max_generations = gens ? gens : problem_default_generations(prob);
    cfg.max_evaluations = evals;
    if (evals && !gens)
        cfg.max_generations = 0;

    double t0 = wallclock_seconds();
    nsga *ga = nsga_create(&np, &cfg, &err);
    if (ga)
        status = nsga_run(ga, &err);
    else
        status = err.code;
    double seconds = wallclock_seconds() - t0;

    double *front = NULL, *ref_front = NULL, ref[32];
    int *rows = NULL, n_front = 0, n_ref = 0;
    if (status == AX_OK)
        status = problem_hv_reference(prob, ref, &err);
    if (status == AX_OK)
        status = problem_reference_front(prob, &ref_front, &n_ref, &err);
    nsga_view v = ga ? nsga_population(ga) : (nsga_view){0};
    if (status == AX_OK) {
        rows = malloc((size_t)v.size * sizeof *rows);
        front = malloc((size_t)v.size * m * sizeof *front);
        if (!rows || !front)
            status = ax_fail(&err, AX_EINTERNAL, "out of memory");
    }
    if (status == AX_OK) {
        for (int r = 0; r < v.size; r++)
            if (v.rank[r] == 0 && v.viol[r] <= 0)
                rows[n_front++] = r;
        front_sort fs = {v.objs, m};
        sort_indices(rows, (size_t)n_front, cmp_first_objective, &fs, NULL);
        for (int k = 0; k < n_front; k++)
            memcpy(front + (size_t)k * m, v.objs + (size_t)rows[k] * m, (size_t)m * sizeof *front);
    }
    double hv = 0.0;
    if (status == AX_OK && indicator_hypervolume(front, n_front, m, ref, &hv) != 0)
        status = ax_fail(&err, AX_EINTERNAL, "out of memory");
    if (status == AX_OK && out)
        status = write_front(out, &v, rows, n_front, &err);
    if (status == AX_OK) {
        double igd = indicator_igd(front, n_front, ref_front, n_ref, m);
        double igdp = indicator_igd_plus(front, n_front, ref_front, n_ref, m);
        printf("front=%d feasible_front=%d igd_plus=%.6f duplicates=%ld\n", v.size, n_front, igdp,
               nsga_duplicates(ga));
        printf("problem=%s evals=%ld hv=%.6f igd=%.6f seconds=%.4f\n", problem_name(prob),
               nsga_evaluations(ga), hv, igd, seconds);
    } else {
        fprintf(stderr, "axsearch ga-bench: %s\n", err.msg);
    }
    free(rows);
    free(front);
    free(ref_front);
    nsga_free(ga);
    problem_free(prob);
    return status == AX_OK ? 0 : (status == AX_EINPUT ? 2 : 1);
}
