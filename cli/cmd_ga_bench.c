/* axsearch ga-bench: NSGA-II on a benchmark problem with a known front,
 * reporting hypervolume and IGD, to check the engine against published
 * figures (docs/nsga.md). */
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

typedef struct ga_bench_opts {
    const char *name, *out;
    long pop, gens, evals, threads, n_obj, n_var; /* gens, evals, n_obj, n_var 0: the default */
    unsigned long long seed;
    double pm;                                    /* < 0: 1/n */
    nsga_tournament tournament;
} ga_bench_opts;

static int parse_tournament(const char *opt, const char *text, void *dst, ax_err *err)
{
    nsga_tournament *t = dst;
    if (!strcmp(text, "crowded"))
        *t = NSGA_TOURNAMENT_CROWDED;
    else if (!strcmp(text, "dominance"))
        *t = NSGA_TOURNAMENT_DOMINANCE;
    else
        return ax_fail(err, AX_EINPUT, "%s: expected crowded or dominance, got '%s'", opt, text);
    return AX_OK;
}

static int ga_bench_parse(int argc, char **argv, ga_bench_opts *o)
{
    *o = (ga_bench_opts){.pop = 100, .threads = 1, .seed = 1, .pm = -1.0,
                         .tournament = NSGA_TOURNAMENT_CROWDED};
    const args_opt opts[] = {
        {.name = "problem", .kind = ARGS_STRING, .dst = &o->name},
        {.name = "pop", .kind = ARGS_LONG, .dst = &o->pop, .lo = 4, .hi = 1000000},
        {.name = "gens", .kind = ARGS_LONG, .dst = &o->gens, .lo = 1, .hi = 100000000},
        {.name = "evals", .kind = ARGS_LONG, .dst = &o->evals, .lo = 1, .hi = 2000000000},
        {.name = "seed", .kind = ARGS_U64, .dst = &o->seed},
        {.name = "threads", .kind = ARGS_LONG, .dst = &o->threads, .lo = 0, .hi = 1024},
        {.name = "out", .kind = ARGS_STRING, .dst = &o->out},
        {.name = "objectives", .kind = ARGS_LONG, .dst = &o->n_obj, .lo = 2, .hi = 32},
        {.name = "variables", .kind = ARGS_LONG, .dst = &o->n_var, .lo = 1, .hi = 1000},
        {.name = "pm", .kind = ARGS_DOUBLE, .dst = &o->pm, .lo = 0.0, .hi = 1.0},
        {.name = "tournament", .kind = ARGS_FUNC, .dst = &o->tournament, .fn = parse_tournament},
    };
    const args_spec s = {.cmd = "ga-bench", .opts = opts, .n_opts = sizeof opts / sizeof opts[0],
                         .usage = usage};
    int first = args_parse(&s, argc, argv);
    if (first < 0)
        return args_status(first);
    ax_err err = {0};
    if (first < argc)
        ax_fail(&err, AX_EINPUT, "unexpected argument '%s'", argv[first]);
    else if (!o->name)
        ax_fail(&err, AX_EINPUT, "--problem is required");
    else if (o->pop % 2)
        ax_fail(&err, AX_EINPUT, "--pop must be even, got %ld", o->pop);
    else
        return ARGS_RUN;
    fprintf(stderr, "axsearch ga-bench: %s\n", err.msg);
    return 2;
}

/* What ga_bench_run leaves; ga_bench_out_clear frees it. */
typedef struct ga_bench_out {
    problem *prob;
    nsga *ga;
    double seconds;       /* the NSGA-II run alone */
    nsga_view v;          /* the last population */
    int *rows;            /* [n_front]: its feasible first front, sorted */
    double *front;        /* [n_front x m]: their objectives */
    int n_front;
    double hv, igd, igd_plus;
} ga_bench_out;

static void ga_bench_out_clear(ga_bench_out *r)
{
    free(r->rows);
    free(r->front);
    nsga_free(r->ga);
    problem_free(r->prob);
}

/* Creates the problem and runs NSGA-II on it. */
static int ga_bench_solve(const ga_bench_opts *o, ga_bench_out *r, ax_err *err)
{
    r->prob = problem_create(o->name, (int)o->n_obj, (int)o->n_var, err);
    if (!r->prob)
        return err->code;
    nsga_problem np = {0};
    np.n_real = problem_n_var(r->prob);
    np.real_lo = problem_lower(r->prob);
    np.real_hi = problem_upper(r->prob);
    np.n_obj = problem_n_obj(r->prob);
    np.n_con = problem_n_con(r->prob);
    np.eval_one = eval_problem;
    np.user = r->prob;
    nsga_config cfg;
    nsga_config_defaults(&cfg);
    cfg.pop_size = (int)o->pop;
    cfg.seed = o->seed;
    cfg.real_pm = o->pm;
    cfg.tournament = o->tournament;
    cfg.threads = (int)o->threads;
    cfg.max_generations = o->gens ? o->gens : problem_default_generations(r->prob);
    cfg.max_evaluations = o->evals;
    if (o->evals && !o->gens)
        cfg.max_generations = 0;
    double t0 = wallclock_seconds();
    r->ga = nsga_create(&np, &cfg, err);
    int rc = r->ga ? nsga_run(r->ga, err) : err->code;
    r->seconds = wallclock_seconds() - t0;
    return rc;
}

/* The feasible first front of the last population, sorted by objectives,
 * and its hypervolume and distances to the problem's true front. */
static int ga_bench_measure(ga_bench_out *r, ax_err *err)
{
    int m = problem_n_obj(r->prob);
    double *ref_front = NULL, ref[32];
    int n_ref = 0;
    int rc = problem_hv_reference(r->prob, ref, err);
    if (rc == AX_OK)
        rc = problem_reference_front(r->prob, &ref_front, &n_ref, err);
    r->v = nsga_population(r->ga);
    if (rc == AX_OK) {
        r->rows = malloc((size_t)r->v.size * sizeof *r->rows);
        r->front = malloc((size_t)r->v.size * m * sizeof *r->front);
        if (!r->rows || !r->front)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    if (rc == AX_OK) {
        for (int i = 0; i < r->v.size; i++)
            if (r->v.rank[i] == 0 && r->v.viol[i] <= 0)
                r->rows[r->n_front++] = i;
        front_sort fs = {r->v.objs, m};
        sort_indices(r->rows, (size_t)r->n_front, cmp_first_objective, &fs, NULL);
        for (int k = 0; k < r->n_front; k++)
            memcpy(r->front + (size_t)k * m, r->v.objs + (size_t)r->rows[k] * m, (size_t)m * sizeof *r->front);
    }
    if (rc == AX_OK && indicator_hypervolume(r->front, r->n_front, m, ref, &r->hv) != 0)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK) {
        r->igd = indicator_igd(r->front, r->n_front, ref_front, n_ref, m);
        r->igd_plus = indicator_igd_plus(r->front, r->n_front, ref_front, n_ref, m);
    }
    free(ref_front);
    return rc;
}

static int ga_bench_run(const ga_bench_opts *o, ga_bench_out *r, ax_err *err)
{
    int rc = ga_bench_solve(o, r, err);
    if (rc == AX_OK)
        rc = ga_bench_measure(r, err);
    if (rc == AX_OK && o->out)
        rc = write_front(o->out, &r->v, r->rows, r->n_front, err);
    return rc;
}

static void ga_bench_print(const ga_bench_out *r)
{
    printf("front=%d feasible_front=%d igd_plus=%.6f duplicates=%ld\n", r->v.size, r->n_front, r->igd_plus,
           nsga_duplicates(r->ga));
    printf("problem=%s evals=%ld hv=%.6f igd=%.6f seconds=%.4f\n", problem_name(r->prob),
           nsga_evaluations(r->ga), r->hv, r->igd, r->seconds);
}

int cmd_ga_bench(int argc, char **argv)
{
    ga_bench_opts o;
    int status = ga_bench_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    ga_bench_out r = {0};
    ax_err err = {0};
    int rc = ga_bench_run(&o, &r, &err);
    if (rc == AX_OK)
        ga_bench_print(&r);
    else
        fprintf(stderr, "axsearch ga-bench: %s\n", err.msg);
    ga_bench_out_clear(&r);
    return rc == AX_OK ? 0 : (rc == AX_EINPUT ? 2 : 1);
}
