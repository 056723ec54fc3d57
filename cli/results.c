#include "cli/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ga/indicator.h"
#include "util/fileio.h"
#include "util/sort.h"

void results_savings_add(results_savings *s, double saved_pct, double drop_pp)
{
    if (drop_pp <= 0.5 && saved_pct > s->saved_05) /* false for NaN */
        s->saved_05 = saved_pct;
    if (drop_pp <= 0.0 && saved_pct > s->saved_0)
        s->saved_0 = saved_pct;
}

double results_saved_pct(const run_env *e, double energy_pj)
{
    return 100.0 * (1.0 - energy_pj / fit_exact_energy_pj(e->fit));
}

double results_hypervolume(const run_env *e, const double *objs, const double *viol, int n, int m)
{
    double *pts = malloc((size_t)(n > 0 ? n : 1) * 2 * sizeof *pts);
    if (!pts)
        return -1;
    double exact_uj = fit_exact_energy_pj(e->fit) * 1e-6;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (viol && viol[i] > 0)
            continue;
        pts[2 * k] = objs[(size_t)i * m] / exact_uj;
        pts[2 * k + 1] = objs[(size_t)i * m + 1];
        k++;
    }
    const double ref[2] = {1.0, e->cfg.max_drop};
    double hv = 0;
    if (indicator_hypervolume(pts, k, 2, ref, &hv) != 0)
        hv = -1;
    free(pts);
    return hv;
}

int results_write_history(const char *dir, const run_state *s, ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "history.tsv");
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    fprintf(f, "gen\tevals\tcache_hits\tfeasible\thv\tbest_energy_uj\n");
    for (size_t i = 0; i < s->n_rows; i++) {
        const run_history_row *r = &s->rows[i];
        fprintf(f, "%ld\t%ld\t%ld\t%ld\t%.6f\t%.6f\n", r->gen, r->evals, r->hits, r->feasible, r->hv,
                r->best_energy_uj);
    }
    return fio_atomic_commit(w, err);
}

void results_put_gene_header(const run_env *e, FILE *f)
{
    int L = qnet_n_layers(e->q), K = (int)e->cfg.arrays;
    if (e->cfg.per_layer)
        for (int l = 0; l < L; l++)
            fprintf(f, "\tgene_swing%d\tgene_vin%d\tgene_vw%d", l, l, l);
    else
        fprintf(f, "\tgene_swing\tgene_vin\tgene_vw");
    if (K > 0) {
        for (int k = 0; k < K; k++)
            fprintf(f, "\tarray%d", k);
        for (int l = 0; l < L; l++)
            fprintf(f, "\troute%d", l);
    } else {
        for (int l = 0; l < L; l++)
            fprintf(f, "\tgene%d", l);
    }
}

void results_put_genes(const run_env *e, FILE *f, const int32_t *g)
{
    int n = fit_n_genes(e->fit);
    for (int k = 0; k < n; k++)
        fprintf(f, "\t%d", (int)g[k]);
}

void results_put_mult_names(const run_env *e, FILE *f, const int32_t *g)
{
    int L = qnet_n_layers(e->q);
    int *lm = malloc((size_t)L * sizeof *lm);
    if (!lm)
        return;
    fit_layer_mults(e->fit, g, lm);
    for (int l = 0; l < L; l++)
        fprintf(f, "%s%s", l ? "," : "\t", run_env_mult_name(e, lm[l]));
    free(lm);
}

void results_put_volts(const run_env *e, FILE *f, const int32_t *g)
{
    int L = e->cfg.per_layer ? qnet_n_layers(e->q) : 1;
    const double *levels[3] = {e->cfg.noc_swing, e->cfg.sram_v_input, e->cfg.sram_v_weight};
    for (int k = 0; k < 3; k++) {
        fputc('\t', f);
        for (int l = 0; l < L; l++)
            fprintf(f, "%s%.4g", l ? "," : "", levels[k][g[fit_volt_gene(e->fit, l, k)]]);
    }
}

int results_write_evaluations(const run_env *e, const char *dir, ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "evaluations.tsv");
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    fprintf(f, "eval\tenergy_uj\tdrop_pp\ttop1\ttop1_se\tfeasible\tarea_mm2\tlatency_ms\treps\tflips\timages"
               "\tnoc_swing\tsram_v_input\tsram_v_weight\tmults");
    results_put_gene_header(e, f);
    fputc('\n', f);
    for (size_t i = 0; i < fit_n_evaluated(e->fit); i++) {
        const fit_result *r = fit_evaluated_result(e->fit, i);
        const int32_t *g = fit_evaluated_genes(e->fit, i);
        fprintf(f, "%zu\t%.6f\t%.4f\t%.6f\t%.6f\t%d\t%.6f\t%.6f\t%d\t%llu\t%lld", i, r->energy_pj * 1e-6,
                r->drop_pp, r->top1, r->top1_se, r->drop_pp <= e->cfg.max_drop, r->area_mm2, r->latency_s * 1e3,
                r->reps, (unsigned long long)r->flips, (long long)r->images);
        results_put_volts(e, f, g);
        results_put_mult_names(e, f, g);
        results_put_genes(e, f, g);
        fputc('\n', f);
    }
    return fio_atomic_commit(w, err);
}

typedef struct by_energy {
    const double *objs;
    int m;
} by_energy;

static int cmp_energy(int a, int b, const void *ctx)
{
    const by_energy *c = ctx;
    double ea = c->objs[(size_t)a * c->m], eb = c->objs[(size_t)b * c->m];
    if (ea != eb)
        return ea < eb ? -1 : 1;
    double da = c->objs[(size_t)a * c->m + 1], db = c->objs[(size_t)b * c->m + 1];
    if (da != db)
        return da < db ? -1 : 1;
    return (a > b) - (a < b);
}

/* The feasible first-front rows of v by energy, then drop; *rows
 * malloc'ed (caller frees). Returns the count, or -1 when out of memory. */
static int front_rows(const nsga_view *v, int **rows)
{
    *rows = malloc((size_t)(v->size > 0 ? v->size : 1) * sizeof **rows);
    if (!*rows)
        return -1;
    int n = 0;
    for (int r = 0; r < v->size; r++)
        if (v->rank[r] == 0 && v->viol[r] <= 0)
            (*rows)[n++] = r;
    by_energy be = {v->objs, v->n_obj};
    if (sort_indices(*rows, (size_t)n, cmp_energy, &be, NULL) != 0)
        return -1;
    return n;
}

static void front_header(const run_env *e, FILE *f)
{
    fprintf(f, "energy_uj\tdrop_pp\ttop1\ttop1_se\ttest_top1\ttest_drop_pp\tenergy_saved_pct\tarea_mm2\t"
               "latency_ms");
    for (int k = 0; k < ACCEL_NCOMP; k++)
        fprintf(f, "\t%s_uj", accel_component_name(k));
    fprintf(f, "\tnoc_swing\tsram_v_input\tsram_v_weight\tmults");
    for (int l = 0; l < qnet_n_layers(e->q); l++)
        fprintf(f, "\tL%d", l);
    results_put_gene_header(e, f);
    fputc('\n', f);
}

/* One front.tsv row: the search-split result r and the test-split t of
 * genes g; lm is [L] scratch. */
static void front_row(const run_env *e, FILE *f, const int32_t *g, const fit_result *r, const fit_result *t,
                      int *lm)
{
    fprintf(f, "%.6f\t%.4f\t%.6f\t%.6f\t%.6f\t%.4f\t%.3f\t%.6f\t%.6f", r->energy_pj * 1e-6, r->drop_pp, r->top1,
            r->top1_se, t->top1, t->drop_pp, results_saved_pct(e, r->energy_pj), r->area_mm2, r->latency_s * 1e3);
    for (int j = 0; j < ACCEL_NCOMP; j++)
        fprintf(f, "\t%.6f", r->comp_pj[j] * 1e-6);
    results_put_volts(e, f, g);
    results_put_mult_names(e, f, g);
    fit_layer_mults(e->fit, g, lm);
    for (int l = 0; l < qnet_n_layers(e->q); l++)
        fprintf(f, "\t%d", lm[l]);
    results_put_genes(e, f, g);
    fputc('\n', f);
}

int results_write_front(run_env *e, const char *dir, const nsga_view *v, results_savings *test_savings, ax_err *err)
{
    results_savings ts = {0, 0};
    int *rows, n = front_rows(v, &rows);
    int *lm = malloc((size_t)qnet_n_layers(e->q) * sizeof *lm);
    if (n < 0 || !lm) {
        free(rows);
        free(lm);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    mc_data test = {e->test.images, e->test.labels, e->test.count, e->test.first};
    double test_base = 0;
    int rc = n > 0 ? fit_baseline_on(e->fit, &test, &test_base, err) : AX_OK;
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "front.tsv");
    fio_atomic *w = rc == AX_OK ? fio_atomic_open(path, err) : NULL;
    if (w) {
        front_header(e, fio_atomic_stream(w));
        run_env_say(e, "re-scoring %d front points on %lld test images (exact design: top-1 %.4f)\n", n,
                    (long long)test.n, test_base);
    }
    for (int k = 0; k < n && w && rc == AX_OK; k++) {
        const int32_t *g = v->ints + (size_t)rows[k] * v->n_int;
        long c = fit_find(e->fit, g);
        if (c < 0) {
            rc = ax_fail(err, AX_EINTERNAL, "front point without an evaluation");
            break;
        }
        const fit_result *r = fit_evaluated_result(e->fit, (size_t)c);
        fit_result t;
        rc = fit_score_on(e->fit, g, &test, test_base, &t, err);
        if (rc != AX_OK)
            break;
        results_savings_add(&ts, results_saved_pct(e, r->energy_pj), t.drop_pp);
        front_row(e, fio_atomic_stream(w), g, r, &t, lm);
    }
    free(lm);
    free(rows);
    if (!w)
        return rc == AX_OK ? err->code : rc;
    if (rc != AX_OK) {
        fio_atomic_abort(w);
        return rc;
    }
    if (test_savings)
        *test_savings = ts;
    return fio_atomic_commit(w, err);
}

int results_write_summary(const char *dir, const results_approach *a, int n, ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "summary.tsv");
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    fprintf(f, "approach\tevaluations\thv\tenergy_saved_pct_at_0.5pp\tenergy_saved_pct_at_0pp\t"
               "test_energy_saved_pct_at_0.5pp\ttest_energy_saved_pct_at_0pp\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "%s\t%ld\t%.6f\t%.3f\t%.3f\t%.3f\t%.3f\n", a[i].name, a[i].evaluations, a[i].hv, a[i].saved_05,
                a[i].saved_0, a[i].test.saved_05, a[i].test.saved_0);
    return fio_atomic_commit(w, err);
}

