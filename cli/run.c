#include "cli/run.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/glue.h"
#include "ga/indicator.h"
#include "ga/pareto.h"
#include "util/bytebuf.h"
#include "util/fileio.h"
#include "util/hash.h"
#include "util/pcg.h"
#include "util/sort.h"
#include "util/wallclock.h"

void run_path(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

void run_say(run_env *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
    if (e->log) {
        va_start(ap, fmt);
        vfprintf(e->log, fmt, ap);
        va_end(ap);
        fflush(e->log);
    }
}

const char *run_mult_name(const run_env *e, int i)
{
    return mult_lib_entry(e->lib, (size_t)e->mult_entry[i])->name;
}

/* Copies the next word of a comma/space separated list into word (empty
 * at the end) and returns where the list goes on. */
static const char *next_word(const char *p, char *word, size_t size)
{
    while (*p == ' ' || *p == ',')
        p++;
    const char *end = p;
    while (*end && *end != ',' && *end != ' ')
        end++;
    snprintf(word, size, "%.*s", (int)(end - p), p);
    return end;
}

/* Is the word in the comma list (or the list "all")? */
static int family_selected(const char *list, const char *family)
{
    if (!strcmp(list, "all"))
        return 1;
    char word[128];
    for (const char *p = next_word(list, word, sizeof word); word[0]; p = next_word(p, word, sizeof word))
        if (!strcmp(word, family))
            return 1;
    return 0;
}

static int check_levels(const char *what, const double *v, int n, double nominal, ax_err *err)
{
    if (fabs(v[0] - nominal) > 1e-9)
        return ax_fail(err, AX_EINPUT,
                       "[knobs] %s: the first level must be the chip's nominal %g V (the exact "
                       "design's operating point), got %g",
                       what, nominal, v[0]);
    (void)n;
    return AX_OK;
}

static int pick_multipliers(run_env *e, ax_err *err)
{
    const scfg *c = &e->cfg;
    if (!(e->lib = mult_lib_create_default(err)))
        return err->code;
    if (c->import[0] && mult_lib_import_index(e->lib, c->import, err) != AX_OK)
        return err->code;
    size_t n = mult_lib_count(e->lib);
    long ref = mult_lib_find(e->lib, MULT_REFERENCE);
    e->mult_entry = malloc(n * sizeof *e->mult_entry);
    if (!e->mult_entry || ref < 0)
        return ax_fail(err, AX_EINTERNAL, "multiplier library: no reference design");
    /* The library is sorted by power, so the set is too: neighbouring gene
     * values are similar designs. */
    if (c->include[0]) {
        /* Names must exist; the set keeps the library's power order. */
        char name[128];
        for (const char *p = next_word(c->include, name, sizeof name); name[0]; p = next_word(p, name, sizeof name))
            if (mult_lib_find(e->lib, name) < 0)
                return ax_fail(err, AX_EINPUT, "[library] include: no multiplier '%s' (see axsearch mults)", name);
    }
    if (!c->include[0] && strcmp(c->families, "all") != 0) {
        /* Every family named must exist: a typo would quietly shrink the set. */
        char name[128];
        for (const char *p = next_word(c->families, name, sizeof name); name[0]; p = next_word(p, name, sizeof name)) {
            size_t i = 0;
            while (i < n && strcmp(mult_lib_entry(e->lib, i)->family, name) != 0)
                i++;
            if (i == n)
                return ax_fail(err, AX_EINPUT, "[library] families: no family '%s' (see axsearch mults)", name);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const mult_entry *m = mult_lib_entry(e->lib, i);
        int chosen = c->include[0] ? family_selected(c->include, m->name)
                                   : family_selected(c->families, m->family) &&
                                         m->cost.power_rel <= c->max_power_rel + 1e-12;
        if ((long)i == ref || chosen)
            e->mult_entry[e->n_mults++] = (long)i;
    }
    if (e->n_mults < 2)
        return ax_fail(err, AX_EINPUT, "[library] families = %s with max_power_rel %g leaves no approximate design",
                       c->families, c->max_power_rel);
    e->tables = calloc((size_t)e->n_mults, sizeof *e->tables);
    if (!e->tables)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    for (int i = 0; i < e->n_mults; i++)
        if (!(e->tables[i] = emu_table_create(mult_lib_entry(e->lib, (size_t)e->mult_entry[i])->lut, err)))
            return err->code;
    return AX_OK;
}

int run_env_open(run_env *e, const scfg *c, volatile sig_atomic_t *stop, ax_err *err)
{
    memset(e, 0, sizeof *e);
    e->cfg = *c;
    e->stop = stop;
    int rc = c->arch[0] ? accel_arch_load(c->arch, &e->arch, err) : (accel_arch_default(&e->arch), AX_OK);
    if (rc == AX_OK)
        rc = check_levels("noc_swing", c->noc_swing, c->n_swing, e->arch.noc_swing, err);
    if (rc == AX_OK)
        rc = check_levels("sram_v_input", c->sram_v_input, c->n_vin, e->arch.vdd, err);
    if (rc == AX_OK)
        rc = check_levels("sram_v_weight", c->sram_v_weight, c->n_vw, e->arch.vdd, err);
    if (rc == AX_OK)
        rc = idx_load_split(c->data, IDX_SPLIT_VAL, &e->val, err);
    if (rc == AX_OK)
        rc = idx_load_split(c->data, IDX_SPLIT_TEST, &e->test, err);
    if (rc == AX_OK) {
        if (e->val.count > c->val_images)
            e->val.count = c->val_images;
        if (e->test.count > c->test_images)
            e->test.count = c->test_images;
        rc = glue_load_qnet(c->onnx, c->data, c->calib_images, (int)c->threads, &e->g, &e->q, err);
    }
    if (rc == AX_OK && qnet_image_pixels(e->q) != (int64_t)e->val.rows * e->val.cols)
        rc = ax_fail(err, AX_EINPUT, "%s: the model's input does not fit %dx%d images", c->onnx, e->val.rows,
                     e->val.cols);
    for (int64_t i = 0; rc == AX_OK && i < e->val.count; i++)
        if (e->val.labels[i] >= qnet_classes(e->q))
            rc = ax_fail(err, AX_EINPUT, "%s: label %d above the model's %d classes", c->data,
                         e->val.labels[i], qnet_classes(e->q));
    if (rc == AX_OK)
        rc = pick_multipliers(e, err);
    if (rc == AX_OK && c->arrays > e->n_mults)
        rc = ax_fail(err, AX_EINPUT, "[bank] arrays = %ld exceeds the %d multipliers of the set", c->arrays,
                     e->n_mults);
    accel_layer_shape *shapes = NULL;
    size_t n_shapes = 0;
    accel_mult_cost *costs = NULL;
    if (rc == AX_OK)
        rc = glue_layer_shapes(e->g, &shapes, &n_shapes, err);
    if (rc == AX_OK && !(costs = malloc((size_t)e->n_mults * sizeof *costs)))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK) {
        for (int i = 0; i < e->n_mults; i++)
            costs[i] = glue_mult_cost(mult_lib_entry(e->lib, (size_t)e->mult_entry[i]));
        rc = accel_net_create(&e->arch, shapes, n_shapes, costs, (size_t)e->n_mults,
                              strcmp(c->mapping, "edp") ? ACCEL_OBJ_ENERGY : ACCEL_OBJ_EDP, &e->net, err);
    }
    free(shapes);
    free(costs);
    fmap_model fm;
    if (rc == AX_OK)
        rc = glue_fault_model(&e->arch, &e->sram, &fm, err);
    if (rc == AX_OK) {
        long exact = mult_lib_find(e->lib, MULT_REFERENCE);
        int exact_i = 0;
        for (int i = 0; i < e->n_mults; i++)
            if (e->mult_entry[i] == exact)
                exact_i = i;
        fit_space sp = {qnet_n_layers(e->q), e->n_mults, exact_i, (int)c->arrays, c->n_swing, c->n_vin,
                        c->n_vw, c->noc_swing, c->sram_v_input, c->sram_v_weight, (int)c->noc_bits,
                        c->per_layer};
        fit_setup su = {.q = e->q,
                        .tables = (const emu_table *const *)e->tables,
                        .net = e->net,
                        .faults = fm,
                        .val = {e->val.images, e->val.labels, e->val.count, e->val.first},
                        .reps = (int)c->reps,
                        .seed = c->fault_seed,
                        .threads = (int)c->threads,
                        .max_drop = c->max_drop,
                        .obj_area = c->obj_area,
                        .obj_latency = c->obj_latency,
                        .gate_idle = c->gate_idle,
                        .prefix_cache_bytes = (size_t)c->prefix_cache_mb << 20,
                        .early_stop_z = c->early_stop_z,
                        .early_stop_chunk = c->early_stop_chunk,
                        .stop = stop};
        if (!(e->fit = fit_create(&sp, &su, err)))
            rc = err->code;
    }
    if (rc != AX_OK)
        run_env_close(e);
    return rc;
}

void run_env_close(run_env *e)
{
    fit_free(e->fit);
    if (e->tables)
        for (int i = 0; i < e->n_mults; i++)
            emu_table_free(e->tables[i]);
    free(e->tables);
    free(e->mult_entry);
    mult_lib_free(e->lib);
    accel_net_free(e->net);
    fault_sram_free(e->sram);
    qnet_free(e->q);
    graph_free(e->g);
    idx_dataset_clear(&e->val);
    idx_dataset_clear(&e->test);
    if (e->log)
        fclose(e->log);
    memset(e, 0, sizeof *e);
}

void run_nsga_config(const run_env *e, nsga_config *c)
{
    const scfg *s = &e->cfg;
    nsga_config_defaults(c);
    c->pop_size = (int)s->population;
    c->seed = s->seed;
    c->max_generations = s->generations;
    c->max_seconds = s->time_limit;
    c->int_crossover = strcmp(s->crossover, "two_point") ? NSGA_INT_UNIFORM : NSGA_INT_TWO_POINT;
    c->int_mutation = strcmp(s->mutation, "reset") ? NSGA_INT_STEP : NSGA_INT_RESET;
    c->int_pm = s->mutation_prob > 0 ? s->mutation_prob : -1.0;
    c->int_step_max = (int)s->step_max;
    c->threads = (int)s->threads;
    c->stop_flag = e->stop;
}

/* ---- state in the checkpoint -------------------------------------------- */

void run_state_free(run_state *s)
{
    free(s->rows);
    memset(s, 0, sizeof *s);
}

int run_state_push(run_state *s, const run_history_row *r)
{
    if (s->n_rows == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        run_history_row *rows = realloc(s->rows, cap * sizeof *rows);
        if (!rows)
            return -1;
        s->rows = rows;
        s->cap = cap;
    }
    s->rows[s->n_rows++] = *r;
    return 0;
}

enum { STATE_VERSION = 2 };

/* Cache entries [from, n) of f: gene count, entry count, then per entry the
 * genes and the result (the fields a resumed run needs; MAC counters are
 * not kept). */
static void put_entries(bb_writer *w, const fit *f, size_t from)
{
    int ng = fit_n_genes(f);
    size_t n = fit_n_evaluated(f);
    bb_put_u32(w, (uint32_t)ng);
    bb_put_u64(w, n > from ? n - from : 0);
    for (size_t i = from; i < n; i++) {
        const int32_t *g = fit_evaluated_genes(f, i);
        const fit_result *r = fit_evaluated_result(f, i);
        for (int k = 0; k < ng; k++)
            bb_put_u32(w, (uint32_t)g[k]);
        bb_put_f64(w, r->top1);
        bb_put_f64(w, r->top1_se);
        bb_put_f64(w, r->drop_pp);
        bb_put_f64(w, r->energy_pj);
        bb_put_f64(w, r->latency_s);
        bb_put_f64(w, r->area_mm2);
        for (int k = 0; k < ACCEL_NCOMP; k++)
            bb_put_f64(w, r->comp_pj[k]);
        bb_put_u64(w, r->flips);
        bb_put_u32(w, (uint32_t)r->reps);
        bb_put_u64(w, (uint64_t)r->images);
    }
}

/* Reads what put_entries wrote into f's cache. known_ok: an entry f already
 * holds is skipped (else it is an error). *added counts the new ones. what
 * names the file in messages. */
static int get_entries(bb_reader *r, fit *f, int known_ok, size_t *added, const char *what, ax_err *err)
{
    int ng = fit_n_genes(f);
    *added = 0;
    if ((int)bb_get_u32(r) != ng)
        return ax_fail(err, AX_EINPUT, "%s: chromosomes of another length", what);
    uint64_t n = bb_get_u64(r);
    int32_t *g = malloc((size_t)ng * sizeof *g);
    if (!g)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    int rc = AX_OK;
    for (uint64_t i = 0; i < n && !r->short_read && rc == AX_OK; i++) {
        fit_result x;
        for (int k = 0; k < ng; k++)
            g[k] = (int32_t)bb_get_u32(r);
        x.top1 = bb_get_f64(r);
        x.top1_se = bb_get_f64(r);
        x.drop_pp = bb_get_f64(r);
        x.energy_pj = bb_get_f64(r);
        x.latency_s = bb_get_f64(r);
        x.area_mm2 = bb_get_f64(r);
        for (int k = 0; k < ACCEL_NCOMP; k++)
            x.comp_pj[k] = bb_get_f64(r);
        x.flips = bb_get_u64(r);
        x.reps = (int)bb_get_u32(r);
        x.images = (int64_t)bb_get_u64(r);
        x.macs = x.macs_skipped = 0;
        if (r->short_read)
            break;
        size_t before = fit_n_evaluated(f);
        /* fit_remember checks the genes: a checksum guards against damage,
         * not against a file written for another configuration. */
        rc = fit_remember(f, g, &x, known_ok, err);
        if (rc != AX_OK) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            rc = ax_fail(err, rc, "%s: entry %llu: %s", what, (unsigned long long)i, why);
        }
        *added += fit_n_evaluated(f) - before;
    }
    free(g);
    return rc;
}

int run_state_save(const run_state *s, const fit *f, unsigned char **blob, size_t *len)
{
    bb_writer w = {0};
    bb_put_u32(&w, STATE_VERSION);
    bb_put_u64(&w, (uint64_t)s->hits);
    bb_put_u64(&w, s->n_rows);
    for (size_t i = 0; i < s->n_rows; i++) {
        const run_history_row *r = &s->rows[i];
        bb_put_u64(&w, (uint64_t)r->gen);
        bb_put_u64(&w, (uint64_t)r->evals);
        bb_put_u64(&w, (uint64_t)r->hits);
        bb_put_u64(&w, (uint64_t)r->feasible);
        bb_put_f64(&w, r->hv);
        bb_put_f64(&w, r->best_energy_uj);
    }
    put_entries(&w, f, 0);
    if (w.oom) {
        free(w.p);
        return -1;
    }
    *blob = w.p;
    *len = w.n;
    return 0;
}

int run_state_load(run_state *s, fit *f, const void *blob, size_t len, const char *path, ax_err *err)
{
    bb_reader r = {blob, len, 0, 0};
    memset(s, 0, sizeof *s);
    fit_forget(f);
    if (bb_get_u32(&r) != STATE_VERSION)
        return ax_fail(err, AX_EINPUT, "%s: search state of another version", path);
    s->hits = (long)bb_get_u64(&r);
    uint64_t rows = bb_get_u64(&r);
    for (uint64_t i = 0; i < rows && !r.short_read; i++) {
        run_history_row h;
        h.gen = (long)bb_get_u64(&r);
        h.evals = (long)bb_get_u64(&r);
        h.hits = (long)bb_get_u64(&r);
        h.feasible = (long)bb_get_u64(&r);
        h.hv = bb_get_f64(&r);
        h.best_energy_uj = bb_get_f64(&r);
        if (!r.short_read && run_state_push(s, &h) != 0)
            return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    size_t added;
    int rc = get_entries(&r, f, 0, &added, path, err);
    if (rc == AX_OK && (r.short_read || r.pos != r.n))
        rc = ax_fail(err, AX_EINPUT, "%s: the search state is truncated", path);
    return rc;
}

/* ---- indicators ------------------------------------------------------------ */

double run_hypervolume(const run_env *e, const double *objs, const double *viol, int n, int m)
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

/* ---- files ------------------------------------------------------------------ */

int run_write_history(const run_env *e, const char *dir, const run_state *s, ax_err *err)
{
    (void)e;
    char path[SCFG_PATH + 32];
    run_path(path, sizeof path, dir, "history.tsv");
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

/* Column names of the genes, in chromosome order. */
static void gene_header(const run_env *e, FILE *f)
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

static void gene_values(const run_env *e, FILE *f, const int32_t *g)
{
    int n = fit_n_genes(e->fit);
    for (int k = 0; k < n; k++)
        fprintf(f, "\t%d", (int)g[k]);
}

/* "name,name,..." of the layers' multipliers. */
static void mult_names(const run_env *e, FILE *f, const int32_t *g)
{
    int L = qnet_n_layers(e->q);
    int *lm = malloc((size_t)L * sizeof *lm);
    if (!lm)
        return;
    fit_layer_mults(e->fit, g, lm);
    for (int l = 0; l < L; l++)
        fprintf(f, "%s%s", l ? "," : "\t", run_mult_name(e, lm[l]));
    free(lm);
}

/* The three knobs' volts: one value each, or a comma list per layer. */
static void volts(const run_env *e, FILE *f, const int32_t *g)
{
    int L = e->cfg.per_layer ? qnet_n_layers(e->q) : 1;
    const double *levels[3] = {e->cfg.noc_swing, e->cfg.sram_v_input, e->cfg.sram_v_weight};
    for (int k = 0; k < 3; k++) {
        fputc('\t', f);
        for (int l = 0; l < L; l++)
            fprintf(f, "%s%.4g", l ? "," : "", levels[k][g[fit_volt_gene(e->fit, l, k)]]);
    }
}

int run_write_evaluations(const run_env *e, const char *dir, ax_err *err)
{
    char path[SCFG_PATH + 32];
    run_path(path, sizeof path, dir, "evaluations.tsv");
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    fprintf(f, "eval\tenergy_uj\tdrop_pp\ttop1\ttop1_se\tfeasible\tarea_mm2\tlatency_ms\treps\tflips\timages"
               "\tnoc_swing\tsram_v_input\tsram_v_weight\tmults");
    gene_header(e, f);
    fputc('\n', f);
    for (size_t i = 0; i < fit_n_evaluated(e->fit); i++) {
        const fit_result *r = fit_evaluated_result(e->fit, i);
        const int32_t *g = fit_evaluated_genes(e->fit, i);
        fprintf(f, "%zu\t%.6f\t%.4f\t%.6f\t%.6f\t%d\t%.6f\t%.6f\t%d\t%llu\t%lld", i, r->energy_pj * 1e-6,
                r->drop_pp, r->top1, r->top1_se, r->drop_pp <= e->cfg.max_drop, r->area_mm2, r->latency_s * 1e3,
                r->reps, (unsigned long long)r->flips, (long long)r->images);
        volts(e, f, g);
        mult_names(e, f, g);
        gene_values(e, f, g);
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

int run_write_front(run_env *e, const char *dir, const nsga_view *v, run_test_savings *test_savings, ax_err *err)
{
    run_test_savings ts = {0, 0};
    int *rows = malloc((size_t)(v->size > 0 ? v->size : 1) * sizeof *rows);
    if (!rows)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    int n = 0;
    for (int r = 0; r < v->size; r++)
        if (v->rank[r] == 0 && v->viol[r] <= 0)
            rows[n++] = r;
    by_energy be = {v->objs, v->n_obj};
    sort_indices(rows, (size_t)n, cmp_energy, &be, NULL);
    mc_data test = {e->test.images, e->test.labels, e->test.count, e->test.first};
    double test_base = 0;
    int rc = n > 0 ? fit_baseline_on(e->fit, &test, &test_base, err) : AX_OK;
    char path[SCFG_PATH + 32];
    run_path(path, sizeof path, dir, "front.tsv");
    fio_atomic *w = rc == AX_OK ? fio_atomic_open(path, err) : NULL;
    if (!w) {
        free(rows);
        return rc == AX_OK ? err->code : rc;
    }
    FILE *f = fio_atomic_stream(w);
    int L = qnet_n_layers(e->q);
    fprintf(f, "energy_uj\tdrop_pp\ttop1\ttop1_se\ttest_top1\ttest_drop_pp\tenergy_saved_pct\tarea_mm2\t"
               "latency_ms");
    for (int k = 0; k < ACCEL_NCOMP; k++)
        fprintf(f, "\t%s_uj", accel_component_name(k));
    fprintf(f, "\tnoc_swing\tsram_v_input\tsram_v_weight\tmults");
    for (int l = 0; l < L; l++)
        fprintf(f, "\tL%d", l);
    gene_header(e, f);
    fputc('\n', f);
    run_say(e, "re-scoring %d front points on %lld test images (exact design: top-1 %.4f)\n", n,
            (long long)test.n, test_base);
    int *lm = malloc((size_t)L * sizeof *lm);
    for (int k = 0; k < n && rc == AX_OK && lm; k++) {
        const int32_t *g = v->ints + (size_t)rows[k] * v->n_int;
        long c = -1;
        for (size_t i = 0; i < fit_n_evaluated(e->fit) && c < 0; i++)
            if (!memcmp(fit_evaluated_genes(e->fit, i), g, (size_t)v->n_int * sizeof *g))
                c = (long)i;
        if (c < 0) {
            rc = ax_fail(err, AX_EINTERNAL, "front point without an evaluation");
            break;
        }
        const fit_result *r = fit_evaluated_result(e->fit, (size_t)c);
        fit_result t;
        rc = fit_score_on(e->fit, g, &test, test_base, &t, err);
        if (rc != AX_OK)
            break;
        double saved = 100.0 * (1.0 - r->energy_pj / fit_exact_energy_pj(e->fit));
        if (t.drop_pp <= 0.5 && saved > ts.saved_05)
            ts.saved_05 = saved;
        if (t.drop_pp <= 0.0 && saved > ts.saved_0)
            ts.saved_0 = saved;
        fprintf(f, "%.6f\t%.4f\t%.6f\t%.6f\t%.6f\t%.4f\t%.3f\t%.6f\t%.6f", r->energy_pj * 1e-6, r->drop_pp, r->top1,
                r->top1_se, t.top1, t.drop_pp, saved, r->area_mm2, r->latency_s * 1e3);
        for (int j = 0; j < ACCEL_NCOMP; j++)
            fprintf(f, "\t%.6f", r->comp_pj[j] * 1e-6);
        volts(e, f, g);
        mult_names(e, f, g);
        fit_layer_mults(e->fit, g, lm);
        for (int l = 0; l < L; l++)
            fprintf(f, "\t%d", lm[l]);
        gene_values(e, f, g);
        fputc('\n', f);
    }
    free(lm);
    free(rows);
    if (rc != AX_OK) {
        fio_atomic_abort(w);
        return rc;
    }
    if (test_savings)
        *test_savings = ts;
    return fio_atomic_commit(w, err);
}

/* ---- baselines ------------------------------------------------------------ */

typedef struct bl_set {
    int n, cap, n_genes;
    int32_t *genes;      /* [cap][n_genes] */
    fit_result *res;     /* [cap] */
    double *test_top1;   /* [cap] on the test split; NaN = not re-scored */
    double *test_drop;   /* [cap] points against the exact design there */
    const char **kind;   /* [cap] static strings */
    char (*label)[48];   /* [cap] */
} bl_set;

static int bl_add(bl_set *s, const char *kind, const char *label, const int32_t *g)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 64;
        int32_t *ng = realloc(s->genes, (size_t)cap * s->n_genes * sizeof *ng);
        if (ng)
            s->genes = ng;
        fit_result *nr = realloc(s->res, (size_t)cap * sizeof *nr);
        if (nr)
            s->res = nr;
        const char **nk = realloc(s->kind, (size_t)cap * sizeof *nk);
        if (nk)
            s->kind = nk;
        char(*nl)[48] = realloc(s->label, (size_t)cap * sizeof *nl);
        if (nl)
            s->label = nl;
        double *nt = realloc(s->test_top1, (size_t)cap * sizeof *nt);
        if (nt)
            s->test_top1 = nt;
        double *nd = realloc(s->test_drop, (size_t)cap * sizeof *nd);
        if (nd)
            s->test_drop = nd;
        if (!ng || !nr || !nk || !nl || !nt || !nd)
            return -1;
        s->cap = cap;
    }
    memcpy(s->genes + (size_t)s->n * s->n_genes, g, (size_t)s->n_genes * sizeof *g);
    s->kind[s->n] = kind;
    snprintf(s->label[s->n], sizeof s->label[0], "%s", label);
    s->test_top1[s->n] = NAN;
    s->test_drop[s->n] = NAN;
    s->n++;
    return 0;
}

static void bl_free(bl_set *s)
{
    free(s->genes);
    free(s->res);
    free(s->kind);
    free(s->label);
    free(s->test_top1);
    free(s->test_drop);
}

/* Scores rows [from, s->n) through the fit's cache. */
static int bl_score(run_env *e, bl_set *s, int from, ax_err *err)
{
    return fit_batch(e->fit, s->n - from, s->genes + (size_t)from * s->n_genes, s->res + from, NULL, err);
}

/* RUN/baselines.bin, the baselines' own checkpoint: the results they added
 * to the cache (entries after the search's n_search), as "AXBL", version,
 * FNV-1a 64 of the rest, then put_entries. Written after every batch; a run
 * stopped during its baselines replays them through the cache when resumed,
 * and since a chromosome's score depends only on its genes, its files equal
 * those of a run that never stopped. */
enum { BL_VERSION = 1 };
static const unsigned char bl_magic[4] = {'A', 'X', 'B', 'L'};

static int bl_save(run_env *e, const char *dir, size_t n_search, ax_err *err)
{
    bb_writer body = {0}, w = {0};
    put_entries(&body, e->fit, n_search);
    bb_put_bytes(&w, bl_magic, sizeof bl_magic);
    bb_put_u32(&w, BL_VERSION);
    bb_put_u64(&w, hash_fnv1a64(HASH_FNV_OFFSET, body.p, body.n));
    bb_put_bytes(&w, body.p, body.n);
    int rc;
    if (body.oom || w.oom) {
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    } else {
        char path[SCFG_PATH + 32];
        run_path(path, sizeof path, dir, "baselines.bin");
        rc = fio_write_atomic(path, w.p, w.n, err);
    }
    free(body.p);
    free(w.p);
    return rc;
}

/* Loads RUN/baselines.bin into the cache if it exists. */
static int bl_load(run_env *e, const char *dir, ax_err *err)
{
    char path[SCFG_PATH + 32];
    run_path(path, sizeof path, dir, "baselines.bin");
    if (access(path, F_OK) != 0)
        return AX_OK;
    unsigned char *data;
    size_t len;
    int rc = fio_read_all(path, &data, &len, err);
    if (rc != AX_OK)
        return rc;
    bb_reader r = {data, len, 0, 0};
    const unsigned char *magic = bb_take(&r, sizeof bl_magic);
    uint32_t version = bb_get_u32(&r);
    uint64_t sum = bb_get_u64(&r);
    if (!magic || memcmp(magic, bl_magic, sizeof bl_magic) != 0) {
        rc = ax_fail(err, AX_EINPUT, "%s: not a baselines checkpoint", path);
    } else if (version != BL_VERSION) {
        rc = ax_fail(err, AX_EINPUT, "%s: version %u, this program reads version %d", path, version, BL_VERSION);
    } else if (r.short_read || hash_fnv1a64(HASH_FNV_OFFSET, data + r.pos, len - r.pos) != sum) {
        rc = ax_fail(err, AX_EINPUT, "%s: damaged (checksum mismatch); remove it to run the baselines from the start",
                     path);
    } else {
        size_t added;
        rc = get_entries(&r, e->fit, 1, &added, path, err);
        if (rc == AX_OK && (r.short_read || r.pos != r.n))
            rc = ax_fail(err, AX_EINPUT, "%s: truncated", path);
        if (rc == AX_OK)
            run_say(e, "baselines: %zu results known from %s\n", added, path);
    }
    free(data);
    return rc;
}

/* bl_score in batches of one population, with a progress line after each:
 * on the ResNet the random baseline alone runs for tens of minutes. A
 * chromosome's score depends only on its genes, so batching changes no
 * result. */
static int bl_score_progress(run_env *e, bl_set *s, int from, const char *what, const char *dir, size_t n_search,
                             ax_err *err)
{
    int batch = e->cfg.population > 0 ? (int)e->cfg.population : 32, total = s->n - from;
    double t0 = wallclock_seconds();
    for (int at = from; at < s->n; at += batch) {
        int n = s->n - at < batch ? s->n - at : batch;
        int rc = fit_batch(e->fit, n, s->genes + (size_t)at * s->n_genes, s->res + at, NULL, err);
        if (rc == AX_OK)
            rc = bl_save(e, dir, n_search, err);
        if (rc != AX_OK)
            return rc;
        double elapsed = wallclock_seconds() - t0;
        int done = at + n - from;
        run_say(e, "baselines: %s %5d/%d scored  elapsed %.0f s  eta %.0f s\n", what, done, total, elapsed,
                elapsed / done * (total - done));
    }
    return AX_OK;
}

/* Marks the feasible non-dominated rows of [from, to) in keep[]. */
static int bl_front(const run_env *e, const bl_set *s, int from, int to, unsigned char *keep)
{
    int n = to - from, m = fit_n_objectives(e->fit);
    double *objs = malloc((size_t)(n > 0 ? n : 1) * m * sizeof *objs);
    double *viol = malloc((size_t)(n > 0 ? n : 1) * sizeof *viol);
    int *rank = malloc((size_t)(n > 0 ? n : 1) * sizeof *rank);
    if (!objs || !viol || !rank) {
        free(objs);
        free(viol);
        free(rank);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        double con;
        fit_objectives(e->fit, &s->res[from + i], objs + (size_t)i * m, &con);
        viol[i] = con < 0 ? -con : 0;
    }
    pareto_rank(objs, viol, n, m, rank);
    for (int i = 0; i < n; i++)
        keep[from + i] = rank[i] == 0 && viol[i] == 0;
    free(objs);
    free(viol);
    free(rank);
    return 0;
}

typedef struct approach {
    const char *name;
    long evaluations;
    double hv, saved_05, saved_0; /* search split, over all its designs */
    run_test_savings test;        /* its re-scored designs, test split */
} approach;

/* Hypervolume and energy savings of rows [from, to) on the search split. */
static approach bl_measure(const run_env *e, const bl_set *s, int from, int to, const char *name, long evals)
{
    approach a = {name, evals, 0, 0, 0, {0, 0}};
    int n = to - from, m = fit_n_objectives(e->fit);
    double *objs = malloc((size_t)(n > 0 ? n : 1) * m * sizeof *objs);
    double *viol = malloc((size_t)(n > 0 ? n : 1) * sizeof *viol);
    if (!objs || !viol) {
        free(objs);
        free(viol);
        a.hv = -1;
        return a;
    }
    double exact = fit_exact_energy_pj(e->fit), best05 = exact, best0 = exact;
    for (int i = 0; i < n; i++) {
        const fit_result *r = &s->res[from + i];
        double con;
        fit_objectives(e->fit, r, objs + (size_t)i * m, &con);
        viol[i] = con < 0 ? -con : 0;
        if (r->drop_pp <= 0.5 && r->energy_pj < best05)
            best05 = r->energy_pj;
        if (r->drop_pp <= 0.0 && r->energy_pj < best0)
            best0 = r->energy_pj;
    }
    a.hv = run_hypervolume(e, objs, viol, n, m);
    a.saved_05 = 100.0 * (1.0 - best05 / exact);
    a.saved_0 = 100.0 * (1.0 - best0 / exact);
    free(objs);
    free(viol);
    return a;
}

/* Energy savings of the rows of [from, to) re-scored on the test split. */
static run_test_savings bl_test_savings(const run_env *e, const bl_set *s, int from, int to)
{
    run_test_savings t = {0, 0};
    double exact_pj = fit_exact_energy_pj(e->fit);
    for (int i = from; i < to; i++) {
        double saved = 100.0 * (1.0 - s->res[i].energy_pj / exact_pj);
        if (s->test_drop[i] <= 0.5 && saved > t.saved_05) /* false for NaN */
            t.saved_05 = saved;
        if (s->test_drop[i] <= 0.0 && saved > t.saved_0)
            t.saved_0 = saved;
    }
    return t;
}

/* Re-scores on the test split the rows to be written (keep) that hold the
 * bound on the search split, as the search's front is; the others keep
 * NaN. Checks the stop flag between designs (a ResNet design takes ~30 s
 * on 10,000 images); these scores are not cached, a resumed run redoes
 * them. */
static int bl_rescore_test(run_env *e, bl_set *s, const unsigned char *keep, ax_err *err)
{
    mc_data test = {e->test.images, e->test.labels, e->test.count, e->test.first};
    int n = 0, done = 0;
    for (int i = 0; i < s->n; i++)
        n += keep[i] && s->res[i].drop_pp <= e->cfg.max_drop;
    if (n == 0)
        return AX_OK;
    double base = 0;
    int rc = fit_baseline_on(e->fit, &test, &base, err);
    if (rc == AX_OK)
        run_say(e, "baselines: re-scoring %d feasible designs on %lld test images\n", n, (long long)test.n);
    double t0 = wallclock_seconds();
    for (int i = 0; i < s->n && rc == AX_OK; i++) {
        if (!keep[i] || !(s->res[i].drop_pp <= e->cfg.max_drop))
            continue;
        if (e->stop && *e->stop)
            return ax_fail(err, AX_ESTOPPED, "stopped");
        fit_result t;
        rc = fit_score_on(e->fit, s->genes + (size_t)i * s->n_genes, &test, base, &t, err);
        if (rc != AX_OK)
            break;
        s->test_top1[i] = t.top1;
        s->test_drop[i] = t.drop_pp;
        if (++done % 8 == 0 || done == n) {
            double elapsed = wallclock_seconds() - t0;
            run_say(e, "baselines: test split %5d/%d re-scored  elapsed %.0f s  eta %.0f s\n", done, n, elapsed,
                    elapsed / done * (n - done));
        }
    }
    return rc;
}

/* The multiplier-only NSGA-II: genes are the multiplier (and routing)
 * genes; the voltages stay nominal. */
typedef struct mult_only {
    run_env *e;
    int n_full, n_short;
    int32_t *full;      /* [count][n_full] scratch */
    fit_result *res;
    int cap;
    double t_start;     /* wall-clock seconds, for the progress line */
    const char *dir;    /* the run folder, for baselines.bin */
    size_t n_search;    /* the search's own cache entries */
} mult_only;

static int mult_only_progress(nsga *ga, void *user, ax_err *err)
{
    mult_only *mo = user;
    int rc = bl_save(mo->e, mo->dir, mo->n_search, err);
    if (rc != AX_OK)
        return rc;
    nsga_view v = nsga_population(ga);
    int feasible = 0;
    for (int r = 0; r < v.size; r++)
        feasible += v.viol[r] <= 0;
    long gen = nsga_generation(ga), total = mo->e->cfg.generations;
    double elapsed = wallclock_seconds() - mo->t_start;
    run_say(mo->e, "baselines: multiplier-only gen %3ld/%ld  evals %6ld  feasible %3d/%d  elapsed %.0f s  eta %.0f s\n",
            gen, total, nsga_evaluations(ga), feasible, v.size, elapsed,
            gen > 0 ? elapsed / (double)gen * (double)(total - gen) : 0.0);
    return AX_OK;
}

static int eval_mult_only(void *user, int count, const int32_t *ints, const double *reals, double *objs,
                          double *cons, ax_err *err)
{
    (void)reals;
    mult_only *mo = user;
    if (count > mo->cap) {
        free(mo->full);
        free(mo->res);
        mo->full = malloc((size_t)count * mo->n_full * sizeof *mo->full);
        mo->res = malloc((size_t)count * sizeof *mo->res);
        mo->cap = mo->full && mo->res ? count : 0;
        if (!mo->cap)
            return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    /* Nominal voltages (level 0) first, then the multiplier genes. */
    int nv = mo->n_full - mo->n_short;
    for (int i = 0; i < count; i++) {
        for (int k = 0; k < nv; k++)
            mo->full[(size_t)i * mo->n_full + k] = 0;
        memcpy(mo->full + (size_t)i * mo->n_full + nv, ints + (size_t)i * mo->n_short,
               (size_t)mo->n_short * sizeof *ints);
    }
    int rc = fit_batch(mo->e->fit, count, mo->full, mo->res, NULL, err);
    if (rc != AX_OK)
        return rc;
    int m = fit_n_objectives(mo->e->fit);
    for (int i = 0; i < count; i++)
        fit_objectives(mo->e->fit, &mo->res[i], objs + (size_t)i * m, cons + i);
    return AX_OK;
}

static int write_baselines(const run_env *e, const char *dir, const bl_set *s, const unsigned char *keep,
                           ax_err *err)
{
    char path[SCFG_PATH + 32];
    run_path(path, sizeof path, dir, "baselines.tsv");
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    fprintf(f, "baseline\tlabel\tenergy_uj\tdrop_pp\ttop1\ttop1_se\ttest_top1\ttest_drop_pp\tfeasible\t"
               "energy_saved_pct");
    for (int k = 0; k < ACCEL_NCOMP; k++)
        fprintf(f, "\t%s_uj", accel_component_name(k));
    fprintf(f, "\tnoc_swing\tsram_v_input\tsram_v_weight\tmults");
    gene_header(e, f);
    fputc('\n', f);
    for (int i = 0; i < s->n; i++) {
        if (!keep[i])
            continue;
        const fit_result *r = &s->res[i];
        const int32_t *g = s->genes + (size_t)i * s->n_genes;
        fprintf(f, "%s\t%s\t%.6f\t%.4f\t%.6f\t%.6f\t%.6f\t%.4f\t%d\t%.3f", s->kind[i], s->label[i],
                r->energy_pj * 1e-6, r->drop_pp, r->top1, r->top1_se, s->test_top1[i], s->test_drop[i],
                r->drop_pp <= e->cfg.max_drop,
                100.0 * (1.0 - r->energy_pj / fit_exact_energy_pj(e->fit)));
        for (int k = 0; k < ACCEL_NCOMP; k++)
            fprintf(f, "\t%.6f", r->comp_pj[k] * 1e-6);
        volts(e, f, g);
        mult_names(e, f, g);
        gene_values(e, f, g);
        fputc('\n', f);
    }
    return fio_atomic_commit(w, err);
}

static int write_summary(const run_env *e, const char *dir, const approach *a, int n, ax_err *err)
{
    char path[SCFG_PATH + 32];
    run_path(path, sizeof path, dir, "summary.tsv");
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    (void)e;
    fprintf(f, "approach\tevaluations\thv\tenergy_saved_pct_at_0.5pp\tenergy_saved_pct_at_0pp\t"
               "test_energy_saved_pct_at_0.5pp\ttest_energy_saved_pct_at_0pp\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "%s\t%ld\t%.6f\t%.3f\t%.3f\t%.3f\t%.3f\n", a[i].name, a[i].evaluations, a[i].hv, a[i].saved_05,
                a[i].saved_0, a[i].test.saved_05, a[i].test.saved_0);
    return fio_atomic_commit(w, err);
}

int run_baselines(run_env *e, const char *dir, long budget, double front_hv, const run_test_savings *front_test,
                  ax_err *err)
{
    int ng = fit_n_genes(e->fit), L = qnet_n_layers(e->q), K = (int)e->cfg.arrays;
    /* The cache holds the search's chromosomes first; the baselines add theirs. */
    size_t n_search = fit_n_evaluated(e->fit);
    bl_set s = {.n_genes = ng};
    int32_t *g = malloc((size_t)ng * sizeof *g), *card = malloc((size_t)ng * sizeof *card);
    unsigned char *keep = NULL;
    approach ap[6];
    int n_ap = 0, rc = g && card ? AX_OK : ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK)
        rc = bl_load(e, dir, err);
    /* baselines.bin exists from the start: it marks a folder whose
     * baselines have begun, which is how `resume` tells a standalone
     * baselines run (no checkpoint.bin) from a search. */
    if (rc == AX_OK)
        rc = bl_save(e, dir, n_search, err);
    if (rc == AX_OK)
        fit_cardinalities(e->fit, card);

    /* 1-3: the exact design, each multiplier everywhere, each knob alone. */
    if (rc == AX_OK) {
        fit_exact_genes(e->fit, g);
        rc = bl_add(&s, "exact", "exact", g) ? ax_fail(err, AX_EINTERNAL, "out of memory") : AX_OK;
    }
    for (int i = 0; rc == AX_OK && i < e->n_mults; i++) {
        fit_exact_genes(e->fit, g);
        for (int k = 0; k < (K > 0 ? K : L); k++)
            g[fit_mult_gene(e->fit, k)] = i;
        if (bl_add(&s, "all_layers", run_mult_name(e, i), g))
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    static const char *const knob_kind[3] = {"noc_swing", "sram_v_input", "sram_v_weight"};
    const double *levels[3] = {e->cfg.noc_swing, e->cfg.sram_v_input, e->cfg.sram_v_weight};
    const int counts[3] = {e->cfg.n_swing, e->cfg.n_vin, e->cfg.n_vw};
    for (int k = 0; rc == AX_OK && k < 3; k++)
        for (int j = 1; j < counts[k]; j++) {
            fit_exact_genes(e->fit, g);
            for (int l = 0; l < (e->cfg.per_layer ? L : 1); l++)
                g[fit_volt_gene(e->fit, l, k)] = j;
            char label[48];
            snprintf(label, sizeof label, "%.4g V", levels[k][j]);
            if (bl_add(&s, knob_kind[k], label, g)) {
                rc = ax_fail(err, AX_EINTERNAL, "out of memory");
                break;
            }
        }
    int fixed = s.n;
    if (rc == AX_OK) {
        run_say(e, "baselines: exact, %d multipliers in every layer, %d single-knob levels\n", e->n_mults,
                fixed - 1 - e->n_mults);
        rc = bl_score(e, &s, 0, err);
        if (rc == AX_OK)
            rc = bl_save(e, dir, n_search, err);
    }
    if (rc == AX_OK)
        ap[n_ap++] = bl_measure(e, &s, 0, fixed, "one_knob", fixed);

    /* 4: random search, the same number of distinct chromosomes. */
    int rand_from = s.n;
    if (rc == AX_OK) {
        run_say(e, "baselines: random search, %ld chromosomes\n", budget);
        /* Distinct draws: a small open-addressing set of hashes. */
        size_t slots = 64;
        while (slots < 4 * (size_t)budget)
            slots *= 2;
        uint64_t *seen = calloc(slots, sizeof *seen);
        if (!seen)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        double space = 1;
        for (int k = 0; k < ng; k++)
            space *= card[k];
        long target = (double)budget < space ? budget : (long)space;
        for (uint64_t draw = 0; rc == AX_OK && s.n - rand_from < target; draw++) {
            pcg32 rng = pcg32_derive4(e->cfg.seed, PCG_PURPOSE_RANDOM_SEARCH, draw, 0, 0, 0);
            for (int k = 0; k < ng; k++)
                g[k] = (int32_t)pcg32_bounded(&rng, (uint32_t)card[k]);
            uint64_t h = hash_fnv1a64(HASH_FNV_OFFSET, g, (size_t)ng * sizeof *g) | 1u;
            size_t at = h & (slots - 1);
            int dup = 0;
            while (seen[at] && !dup) {
                if (seen[at] == h) { /* hashes equal: compare with the rows */
                    for (int r = rand_from; r < s.n && !dup; r++)
                        dup = !memcmp(s.genes + (size_t)r * ng, g, (size_t)ng * sizeof *g);
                    if (!dup)
                        at = (at + 1) & (slots - 1);
                } else {
                    at = (at + 1) & (slots - 1);
                }
            }
            if (dup)
                continue;
            seen[at] = h;
            if (bl_add(&s, "random", "random", g))
                rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        }
        free(seen);
        if (rc == AX_OK)
            rc = bl_score_progress(e, &s, rand_from, "random search", dir, n_search, err);
        if (rc == AX_OK)
            ap[n_ap++] = bl_measure(e, &s, rand_from, s.n, "random", s.n - rand_from);
    }

    /* 5: the multiplier-only NSGA-II (voltages nominal). */
    int mo_from = s.n;
    if (rc == AX_OK) {
        int nv = fit_n_volt_genes(e->fit);
        mult_only mo = {e, ng, ng - nv, NULL, NULL, 0, wallclock_seconds(), dir, n_search};
        nsga_problem p = {0};
        p.n_int = ng - nv;
        p.int_card = card + nv;
        p.n_obj = fit_n_objectives(e->fit);
        p.n_con = 1;
        p.eval_batch = eval_mult_only;
        p.user = &mo;
        nsga_config c;
        run_nsga_config(e, &c);
        c.max_seconds = 0;
        c.hook = mult_only_progress;
        c.hook_user = &mo;
        run_say(e, "baselines: multiplier-only NSGA-II, population %d, %ld generations\n", c.pop_size,
                c.max_generations);
        nsga *ga = nsga_create(&p, &c, err);
        rc = ga ? nsga_run(ga, err) : err->code;
        if (rc == AX_OK) {
            nsga_view v = nsga_population(ga);
            for (int r = 0; r < v.size && rc == AX_OK; r++) {
                if (v.rank[r] != 0 || v.viol[r] > 0)
                    continue;
                for (int k = 0; k < nv; k++)
                    g[k] = 0;
                memcpy(g + nv, v.ints + (size_t)r * v.n_int, (size_t)v.n_int * sizeof *g);
                if (bl_add(&s, "mult_only", "nsga2_mult_only", g))
                    rc = ax_fail(err, AX_EINTERNAL, "out of memory");
            }
            if (rc == AX_OK)
                rc = bl_score(e, &s, mo_from, err);
            if (rc == AX_OK)
                ap[n_ap++] = bl_measure(e, &s, mo_from, s.n, "mult_only_nsga2", nsga_evaluations(ga));
        }
        nsga_free(ga);
        free(mo.full);
        free(mo.res);
    }
    if (rc == AX_OK && !(keep = calloc((size_t)(s.n > 0 ? s.n : 1), 1)))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK) {
        memset(keep, 1, (size_t)fixed);
        if (bl_front(e, &s, rand_from, mo_from, keep) != 0 || bl_front(e, &s, mo_from, s.n, keep) != 0)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    if (rc == AX_OK)
        rc = bl_rescore_test(e, &s, keep, err);
    if (rc == AX_OK) {
        /* ap[] holds one_knob, random, mult_only_nsga2 in this order. */
        const int range[3][2] = {{0, fixed}, {rand_from, mo_from}, {mo_from, s.n}};
        for (int i = 0; i < n_ap && i < 3; i++)
            ap[i].test = bl_test_savings(e, &s, range[i][0], range[i][1]);
    }
    if (rc == AX_OK)
        rc = write_baselines(e, dir, &s, keep, err);
    if (rc == AX_OK) {
        if (front_hv >= 0) {
            approach me = {"nsga2_all_knobs", budget, front_hv, 0, 0, {0, 0}};
            if (front_test)
                me.test = *front_test;
            /* The search's savings come from its own evaluations, not
             * from those the baselines added to the cache. */
            bl_set all = {.n_genes = ng};
            for (size_t i = 0; i < n_search && rc == AX_OK; i++) {
                if (bl_add(&all, "search", "", fit_evaluated_genes(e->fit, i)))
                    rc = ax_fail(err, AX_EINTERNAL, "out of memory");
                else
                    all.res[all.n - 1] = *fit_evaluated_result(e->fit, i);
            }
            approach m2 = bl_measure(e, &all, 0, all.n, "nsga2_all_knobs", budget);
            me.saved_05 = m2.saved_05;
            me.saved_0 = m2.saved_0;
            bl_free(&all);
            memmove(ap + 1, ap, (size_t)n_ap * sizeof ap[0]);
            ap[0] = me;
            n_ap++;
        }
        for (int i = 0; i < n_ap; i++)
            run_say(e,
                    "  %-16s evaluations %6ld  hv %.5f  energy saved %.2f %% at <= 0.5 pp, %.2f %% at 0 pp "
                    "(test split: %.2f %%, %.2f %%)\n",
                    ap[i].name, ap[i].evaluations, ap[i].hv, ap[i].saved_05, ap[i].saved_0, ap[i].test.saved_05,
                    ap[i].test.saved_0);
        rc = write_summary(e, dir, ap, n_ap, err);
    }
    if (rc == AX_ESTOPPED)
        run_say(e, "baselines stopped; continue with: axsearch resume %s\n", dir);
    free(keep);
    free(g);
    free(card);
    bl_free(&s);
    return rc;
}
