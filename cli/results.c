#include "cli/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ga/indicator.h"
#include "ga/pareto.h"
#include "util/fileio.h"
#include "util/gset.h"
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

void results_put_parts_header(FILE *f)
{
    for (int k = 0; k < ACCEL_NCOMP; k++)
        fprintf(f, "\t%s_uj", accel_component_name(k));
    fprintf(f, "\tnoc_swing\tsram_v_input\tsram_v_weight\tmults");
}

void results_put_parts(const run_env *e, FILE *f, const int32_t *g, const fit_result *r)
{
    for (int k = 0; k < ACCEL_NCOMP; k++)
        fprintf(f, "\t%.6f", r->comp_pj[k] * 1e-6);
    results_put_volts(e, f, g);
    results_put_mult_names(e, f, g);
}

int results_write_evaluations(const run_env *e, const char *dir, ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "evaluations.tsv");
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    fprintf(f, "eval\tenergy_uj\tdrop_pp\tdrop_se\tdrop_ucb\timages\ttop1\ttop1_se\tfeasible\tarea_mm2\t"
               "latency_ms\treps\tflips\tnoc_swing\tsram_v_input\tsram_v_weight\tmults");
    results_put_gene_header(e, f);
    fputc('\n', f);
    for (size_t i = 0; i < fit_n_evaluated(e->fit); i++) {
        const fit_result *r = fit_evaluated_result(e->fit, i);
        const int32_t *g = fit_evaluated_genes(e->fit, i);
        fprintf(f, "%zu\t%.6f\t%.4f\t%.4f\t%.4f\t%lld\t%.6f\t%.6f\t%d\t%.6f\t%.6f\t%d\t%llu", i,
                r->energy_pj * 1e-6, r->drop_pp, r->drop_se, r->drop_ucb, (long long)r->images, r->top1, r->top1_se,
                fit_feasible(e->fit, r), r->area_mm2, r->latency_s * 1e3, r->reps, (unsigned long long)r->flips);
        results_put_volts(e, f, g);
        results_put_mult_names(e, f, g);
        results_put_genes(e, f, g);
        fputc('\n', f);
    }
    return fio_atomic_commit(w, err);
}

/* ---- the reporting rule: confirmation, then the test split ---------------- */

/* Candidates feasible on the confirmation part. */
static int count_confirmed(const run_env *e, const results_report *rep)
{
    int n = 0;
    for (int i = 0; i < rep->n; i++)
        n += fit_feasible(e->fit, &rep->confirm[i]);
    return n;
}

/* The exact design's answers on the confirmation part and the test split,
 * made on first use and kept in e. */
static int references(run_env *e, ax_err *err)
{
    if (e->confirm_ref.right)
        return AX_OK;
    mc_data test = {e->test.images, e->test.labels, e->test.count, e->test.first};
    int rc = fit_reference_make(e->fit, &e->confirm, &e->confirm_ref, err);
    if (rc == AX_OK)
        rc = fit_reference_make(e->fit, &test, &e->test_ref, err);
    if (rc == AX_OK)
        run_env_say(e, "exact design: top-1 %.4f on %lld confirmation images, %.4f on %lld test images\n",
                    e->confirm_ref.top1, (long long)e->confirm.n, e->test_ref.top1, (long long)test.n);
    else
        fit_reference_clear(&e->confirm_ref);
    return rc;
}

void results_report_free(results_report *rep)
{
    free(rep->confirm);
    free(rep->test);
    free(rep->reported);
    free(rep->order);
    memset(rep, 0, sizeof *rep);
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

/* Marks the reported front among the confirmed candidates: feasible on the
 * confirmation part and non-dominated there (energy, confirmation drop,
 * then area and latency when objectives); rep->order lists them by
 * energy. */
static int choose_front(const fit *f, results_report *rep)
{
    int n = rep->n, m = fit_n_objectives(f);
    double *objs = malloc((size_t)(n > 0 ? n : 1) * (size_t)m * sizeof *objs);
    double *viol = malloc((size_t)(n > 0 ? n : 1) * sizeof *viol);
    int *rank = malloc((size_t)(n > 0 ? n : 1) * sizeof *rank);
    int rc = objs && viol && rank ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        double con;
        fit_objectives(f, &rep->confirm[i], objs + (size_t)i * m, &con);
        viol[i] = con < 0 ? -con : 0;
    }
    if (rc == 0 && n > 0)
        rc = pareto_rank(objs, viol, n, m, rank) < 0 ? -1 : 0;
    rep->n_reported = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        rep->reported[i] = rank[i] == 0 && viol[i] <= 0;
        if (rep->reported[i])
            rep->order[rep->n_reported++] = i;
    }
    by_energy be = {objs, m};
    if (rc == 0)
        rc = sort_indices(rep->order, (size_t)rep->n_reported, cmp_energy, &be, NULL);
    free(objs);
    free(viol);
    free(rank);
    return rc;
}

/* The reported rows (rep->order) on the test split, into rep->test. */
static int score_reported_on_test(run_env *e, const fit *f, const int32_t *genes, results_report *rep, ax_err *err)
{
    int k_n = rep->n_reported;
    size_t ng = (size_t)fit_n_genes(f), rows = (size_t)(k_n > 0 ? k_n : 1);
    int32_t *g = malloc(rows * ng * sizeof *g);
    fit_result *r = malloc(rows * sizeof *r);
    int rc = g && r ? AX_OK : ax_fail(err, AX_EINTERNAL, "out of memory");
    for (int k = 0; rc == AX_OK && k < k_n; k++)
        memcpy(g + (size_t)k * ng, genes + (size_t)rep->order[k] * ng, ng * sizeof *g);
    if (rc == AX_OK)
        rc = fit_score_on_batch(f, k_n, g, &e->test_ref, r, err);
    for (int k = 0; rc == AX_OK && k < k_n; k++)
        rep->test[rep->order[k]] = r[k];
    free(g);
    free(r);
    return rc;
}

int results_report_make(run_env *e, fit *f, const int32_t *genes, int n, results_report *rep, ax_err *err)
{
    memset(rep, 0, sizeof *rep);
    size_t cap = (size_t)(n > 0 ? n : 1);
    rep->n = n;
    rep->confirm = calloc(cap, sizeof *rep->confirm);
    rep->test = calloc(cap, sizeof *rep->test);
    rep->reported = calloc(cap, sizeof *rep->reported);
    rep->order = calloc(cap, sizeof *rep->order);
    int rc = rep->confirm && rep->test && rep->reported && rep->order ? AX_OK
                                                                         : ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK && n > 0)
        rc = references(e, err);
    int ng = fit_n_genes(f);
    /* (a stop request is honoured between designs: a ResNet design takes
     * seconds on thousands of images) */
    if (rc == AX_OK)
        rc = fit_score_on_batch(f, n, genes, &e->confirm_ref, rep->confirm, err);
    /* The front is chosen among the n candidates on these images: bounds
     * that hold for all n at once (Bonferroni) stay valid whichever are
     * chosen (docs/statistics.md). */
    double simultaneous = 1.0 - (1.0 - fit_confidence(f)) / (n > 0 ? n : 1);
    for (int i = 0; rc == AX_OK && i < n; i++)
        rep->confirm[i].drop_ucb = fit_bound(f, genes + (size_t)i * ng, &rep->confirm[i], simultaneous);
    if (rc == AX_OK && choose_front(f, rep) != 0)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK)
        rc = score_reported_on_test(e, f, genes, rep, err);
    if (rc != AX_OK)
        results_report_free(rep);
    return rc;
}

results_savings results_report_savings(const run_env *e, const results_report *rep)
{
    results_savings s = {0, 0, 0};
    int n = rep->n_reported;
    double *objs = malloc((size_t)(n > 0 ? n : 1) * 2 * sizeof *objs);
    for (int k = 0; k < n; k++) {
        const fit_result *t = &rep->test[rep->order[k]];
        results_savings_add(&s, results_saved_pct(e, t->energy_pj), t->drop_pp);
        if (objs) {
            objs[2 * k] = t->energy_pj * 1e-6;
            objs[2 * k + 1] = t->drop_pp;
        }
    }
    s.hv = objs ? results_hypervolume(e, objs, NULL, n, 2) : -1;
    free(objs);
    return s;
}

/* ---- front.tsv ------------------------------------------------------------ */

/* The last population's feasible rows (the candidates), in row order, a
 * genome once; *rows malloc'ed (caller frees). Returns the count, or -1
 * when out of memory. */
static int candidate_rows(const run_env *e, const nsga_view *v, int **rows)
{
    *rows = malloc((size_t)(v->size > 0 ? v->size : 1) * sizeof **rows);
    gset *seen = gset_create((size_t)v->n_int * sizeof(int32_t));
    int n = *rows && seen ? 0 : -1;
    for (int r = 0; n >= 0 && r < v->size; r++) {
        const int32_t *g = v->ints + (size_t)r * v->n_int;
        long c = fit_find(e->fit, g);
        int added = 0;
        if (c < 0 || !fit_feasible(e->fit, fit_evaluated_result(e->fit, (size_t)c)))
            continue;
        if (gset_add(seen, g, &added) < 0)
            n = -1;
        else if (added)
            (*rows)[n++] = r;
    }
    gset_free(seen);
    return n;
}

static void front_header(const run_env *e, FILE *f)
{
    fprintf(f, "energy_uj\tdrop_pp\tdrop_se\tdrop_ucb\timages\tconfirm_drop_pp\tconfirm_drop_se\t"
               "confirm_drop_ucb\tconfirm_images\ttop1\ttop1_se\ttest_top1\ttest_drop_pp\ttest_drop_se\t"
               "test_images\tenergy_saved_pct\tarea_mm2\tlatency_ms");
    results_put_parts_header(f);
    for (int l = 0; l < qnet_n_layers(e->q); l++)
        fprintf(f, "\tL%d", l);
    results_put_gene_header(e, f);
    fputc('\n', f);
}

/* One front.tsv row of genes g: search-split result r, confirmation c,
 * test split t; lm is [L] scratch. */
static void front_row(const run_env *e, FILE *f, const int32_t *g, const fit_result *r, const fit_result *c,
                      const fit_result *t, int *lm)
{
    fprintf(f, "%.6f\t%.4f\t%.4f\t%.4f\t%lld\t%.4f\t%.4f\t%.4f\t%lld\t%.6f\t%.6f\t%.6f\t%.4f\t%.4f\t%lld\t%.3f\t%.6f\t%.6f",
            r->energy_pj * 1e-6, r->drop_pp, r->drop_se, r->drop_ucb, (long long)r->images, c->drop_pp, c->drop_se,
            c->drop_ucb, (long long)c->images, r->top1, r->top1_se, t->top1, t->drop_pp, t->drop_se,
            (long long)t->images, results_saved_pct(e, r->energy_pj), r->area_mm2, r->latency_s * 1e3);
    results_put_parts(e, f, g, r);
    fit_layer_mults(e->fit, g, lm);
    for (int l = 0; l < qnet_n_layers(e->q); l++)
        fprintf(f, "\t%d", lm[l]);
    results_put_genes(e, f, g);
    fputc('\n', f);
}

/* front.tsv: the reported designs of rep (candidates genes [n][ng]). */
static int write_front_file(run_env *e, const char *dir, const int32_t *genes, const results_report *rep,
                            ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "front.tsv");
    int *lm = malloc((size_t)qnet_n_layers(e->q) * sizeof *lm);
    fio_atomic *w = lm ? fio_atomic_open(path, err) : NULL;
    if (!w) {
        free(lm);
        return lm ? err->code : ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    front_header(e, fio_atomic_stream(w));
    int ng = fit_n_genes(e->fit), rc = AX_OK;
    for (int k = 0; k < rep->n_reported && rc == AX_OK; k++) {
        int i = rep->order[k];
        const int32_t *g = genes + (size_t)i * ng;
        long c = fit_find(e->fit, g);
        if (c < 0)
            rc = ax_fail(err, AX_EINTERNAL, "front point without an evaluation");
        else
            front_row(e, fio_atomic_stream(w), g, fit_evaluated_result(e->fit, (size_t)c), &rep->confirm[i],
                      &rep->test[i], lm);
    }
    free(lm);
    if (rc != AX_OK) {
        fio_atomic_abort(w);
        return rc;
    }
    return fio_atomic_commit(w, err);
}

int results_write_front(run_env *e, const char *dir, const nsga_view *v, results_savings *test_savings, ax_err *err)
{
    int *rows, n = candidate_rows(e, v, &rows);
    int32_t *genes = n >= 0 ? malloc((size_t)(n > 0 ? n : 1) * (size_t)v->n_int * sizeof *genes) : NULL;
    if (n < 0 || !genes) {
        free(rows);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    for (int k = 0; k < n; k++)
        memcpy(genes + (size_t)k * v->n_int, v->ints + (size_t)rows[k] * v->n_int, (size_t)v->n_int * sizeof *genes);
    free(rows);
    results_report rep;
    int rc = results_report_make(e, e->fit, genes, n, &rep, err);
    if (rc == AX_OK) {
        run_env_say(e, "confirmation: %d of %d candidates (feasible on the search split) hold on %lld unseen images; "
                       "the reported front: %d designs, re-scored on the test split\n",
                    count_confirmed(e, &rep), n, (long long)e->confirm.n, rep.n_reported);
        rc = write_front_file(e, dir, genes, &rep, err);
        if (rc == AX_OK && test_savings)
            *test_savings = results_report_savings(e, &rep);
        results_report_free(&rep);
    }
    free(genes);
    return rc;
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
               "test_energy_saved_pct_at_0.5pp\ttest_energy_saved_pct_at_0pp\ttest_hv\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "%s\t%ld\t%.6f\t%.3f\t%.3f\t%.3f\t%.3f\t%.6f\n", a[i].name, a[i].evaluations, a[i].hv,
                a[i].saved_05, a[i].saved_0, a[i].test.saved_05, a[i].test.saved_0, a[i].test.hv);
    return fio_atomic_commit(w, err);
}

