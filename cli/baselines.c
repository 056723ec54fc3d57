#include "cli/baselines.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/dist.h"
#include "cli/run_state.h"
#include "ga/pareto.h"
#include "util/bytebuf.h"
#include "util/fileio.h"
#include "util/frame.h"
#include "util/gset.h"
#include "util/pcg.h"
#include "util/wallclock.h"

/* ---- the set of designs ---------------------------------------------------- */

int bl_set_add(bl_set *s, const char *kind, const char *label, const int32_t *g)
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
        bl_outcome *no = realloc(s->out, (size_t)cap * sizeof *no);
        if (no)
            s->out = no;
        if (!ng || !nr || !nk || !nl || !no)
            return -1;
        s->cap = cap;
    }
    memcpy(s->genes + (size_t)s->n * s->n_genes, g, (size_t)s->n_genes * sizeof *g);
    s->kind[s->n] = kind;
    snprintf(s->label[s->n], sizeof s->label[0], "%s", label);
    s->out[s->n] = (bl_outcome){NAN, NAN, NAN, NAN, NAN, 0};
    s->n++;
    return 0;
}

void bl_set_free(bl_set *s)
{
    free(s->genes);
    free(s->res);
    free(s->kind);
    free(s->label);
    free(s->out);
    memset(s, 0, sizeof *s);
}

int bl_random_draws(uint64_t seed, const int32_t *card, long budget, bl_set *s)
{
    int ng = s->n_genes;
    double space = 1;
    for (int k = 0; k < ng; k++)
        space *= card[k];
    long target = (double)budget < space ? budget : (long)space;
    gset *seen = gset_create((size_t)ng * sizeof(int32_t));
    int32_t *g = malloc((size_t)ng * sizeof *g);
    int rc = seen && g ? 0 : -1;
    for (uint64_t draw = 0; rc == 0 && (long)gset_count(seen) < target; draw++) {
        pcg32 rng = pcg32_derive4(seed, PCG_PURPOSE_RANDOM_SEARCH, draw, 0, 0, 0);
        for (int k = 0; k < ng; k++)
            g[k] = (int32_t)pcg32_bounded(&rng, (uint32_t)card[k]);
        int added;
        if (gset_add(seen, g, &added) < 0 || (added && bl_set_add(s, "random", "random", g) != 0))
            rc = -1;
    }
    gset_free(seen);
    free(g);
    return rc;
}

results_savings bl_search_savings(const bl_set *s, int from, int to, double exact_pj)
{
    results_savings t = {0, 0, 0};
    for (int i = from; i < to; i++)
        results_savings_add(&t, 100.0 * (1.0 - s->res[i].energy_pj / exact_pj), s->res[i].drop_ucb);
    return t;
}

results_savings bl_test_savings(const bl_set *s, int from, int to, double exact_pj)
{
    results_savings t = {0, 0, 0};
    for (int i = from; i < to; i++)
        results_savings_add(&t, 100.0 * (1.0 - s->res[i].energy_pj / exact_pj), s->out[i].test_drop);
    return t;
}

/* ---- one run of the baselines -------------------------------------------- */

typedef struct bl_ctx {
    run_env *e;
    const char *dir;
    size_t n_search; /* the search's own cache entries, first in the cache */
    fit *plain;      /* with [recovery] on: the fitness without it (owned), else NULL */
    bl_set s;
    int32_t *card;   /* [n_genes] */
    int32_t *g;      /* [n_genes] scratch */
} bl_ctx;

/* RUN/baselines.bin: the results the baselines added to the cache (the
 * entries after the search's n_search), then those of the search without
 * recovery (an empty list when recovery is off). Written after every
 * batch; since a chromosome's score depends only on its genes (and, for
 * the search without recovery, on the same history as the run that wrote
 * them), replaying them through the cache changes no result. */
enum { BL_VERSION = 4 };
static const unsigned char bl_magic[FRAME_MAGIC_BYTES] = {'A', 'X', 'B', 'A', 'S', 'E', 'L', '\n'};

static int bl_save(const bl_ctx *c, ax_err *err)
{
    bb_writer body = {0};
    run_state_put_entries(&body, c->e->fit, c->n_search);
    if (c->plain)
        run_state_put_entries(&body, c->plain, 0);
    else
        run_state_put_entries(&body, c->e->fit, fit_n_evaluated(c->e->fit)); /* an empty list */
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, c->dir, "baselines.bin");
    int rc = body.oom ? ax_fail(err, AX_EINTERNAL, "out of memory")
                      : frame_write(path, bl_magic, BL_VERSION, body.p, body.n, err);
    free(body.p);
    return rc;
}

/* The second list of baselines.bin: into plain, or (recovery off) it
 * must be empty. */
static int bl_load_plain(bb_reader *r, fit *plain, const char *path, size_t *added, ax_err *err)
{
    if (plain)
        return run_state_get_entries(r, plain, 1, added, path, err);
    bb_get_u32(r);
    uint64_t n = bb_get_u64(r);
    if (!r->short_read && n != 0)
        return ax_fail(err, AX_EINPUT, "%s: holds results of a search without recovery, but [recovery] is off "
                                       "in the run's config.ini", path);
    return AX_OK;
}

/* Adds what the user can do about a damaged baselines.bin to err. */
static int remove_hint(int rc, ax_err *err)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return ax_fail(err, rc, "%.900s; remove it to run the baselines from the start", why);
}

int bl_check_file(const char *dir, ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "baselines.bin");
    if (access(path, F_OK) != 0)
        return AX_OK;
    unsigned char *data;
    const unsigned char *body;
    size_t len;
    int rc = frame_read(path, bl_magic, BL_VERSION, "a baselines checkpoint", &data, &body, &len, err);
    if (rc != AX_OK)
        return remove_hint(rc, err);
    free(data);
    return AX_OK;
}

int bl_load_file(run_env *e, fit *plain, const char *path, ax_err *err)
{
    unsigned char *data;
    const unsigned char *body;
    size_t len, added, added_plain = 0;
    int rc = frame_read(path, bl_magic, BL_VERSION, "a baselines checkpoint", &data, &body, &len, err);
    if (rc != AX_OK)
        return remove_hint(rc, err);
    bb_reader r = {body, len, 0, 0};
    rc = run_state_get_entries(&r, e->fit, 1, &added, path, err);
    if (rc == AX_OK)
        rc = bl_load_plain(&r, plain, path, &added_plain, err);
    if (rc == AX_OK && (r.short_read || r.pos != r.n))
        rc = ax_fail(err, AX_EINPUT, "%s: truncated", path);
    if (rc == AX_OK)
        run_env_say(e, "baselines: %zu results known from %s\n", added + added_plain, path);
    free(data);
    return rc;
}

/* Loads RUN/baselines.bin into the caches if it exists. */
static int bl_load(run_env *e, fit *plain, const char *dir, ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "baselines.bin");
    return access(path, F_OK) == 0 ? bl_load_file(e, plain, path, err) : AX_OK;
}

/* Scores rows [from, n) through the fit's cache in batches of one
 * population, saving baselines.bin after each; with `what`, a progress line
 * after each batch (on the ResNet the random baseline alone runs for tens of
 * minutes). Batching changes no result. */
static int bl_score(bl_ctx *c, fit *f, int from, const char *what, ax_err *err)
{
    bl_set *s = &c->s;
    int batch = c->e->cfg.population > 0 ? (int)c->e->cfg.population : 32, total = s->n - from;
    if (!what)
        batch = total > 0 ? total : 1;
    double t0 = wallclock_seconds();
    for (int at = from; at < s->n; at += batch) {
        int n = s->n - at < batch ? s->n - at : batch;
        int rc = fit_batch(f, n, s->genes + (size_t)at * s->n_genes, s->res + at, NULL, err);
        if (rc == AX_OK)
            rc = bl_save(c, err);
        if (rc != AX_OK)
            return rc;
        double elapsed = wallclock_seconds() - t0;
        int done = at + n - from;
        if (what)
            run_env_say(c->e, "baselines: %s %5d/%d scored  elapsed %.0f s  eta %.0f s\n", what, done, total,
                        elapsed, elapsed / done * (total - done));
    }
    return AX_OK;
}

/* Objectives and violations of rows [from, to) (malloc'ed [n][m] and [n]). */
static int bl_objectives(const run_env *e, const bl_set *s, int from, int to, double **objs, double **viol)
{
    int n = to - from, m = fit_n_objectives(e->fit);
    *objs = malloc((size_t)(n > 0 ? n : 1) * m * sizeof **objs);
    *viol = malloc((size_t)(n > 0 ? n : 1) * sizeof **viol);
    if (!*objs || !*viol)
        return -1;
    for (int i = 0; i < n; i++) {
        double con;
        fit_objectives(e->fit, &s->res[from + i], *objs + (size_t)i * m, &con);
        (*viol)[i] = con < 0 ? -con : 0;
    }
    return 0;
}

/* Marks the feasible non-dominated rows of [from, to) in keep[]. */
static int bl_front(const run_env *e, const bl_set *s, int from, int to, unsigned char *keep)
{
    int n = to - from;
    double *objs, *viol;
    int *rank = malloc((size_t)(n > 0 ? n : 1) * sizeof *rank);
    int rc = bl_objectives(e, s, from, to, &objs, &viol) == 0 && rank ? 0 : -1;
    if (rc == 0) {
        pareto_rank(objs, viol, n, fit_n_objectives(e->fit), rank);
        for (int i = 0; i < n; i++)
            keep[from + i] = rank[i] == 0 && viol[i] == 0;
    }
    free(objs);
    free(viol);
    free(rank);
    return rc;
}

/* Hypervolume and search-split savings of rows [from, to). */
static results_approach bl_measure(const run_env *e, const bl_set *s, int from, int to, const char *name,
                                   long evals)
{
    results_approach a = {name, evals, 0, 0, 0, {0, 0, 0}};
    double *objs, *viol;
    if (bl_objectives(e, s, from, to, &objs, &viol) == 0) {
        a.hv = results_hypervolume(e, objs, viol, to - from, fit_n_objectives(e->fit));
        results_savings sv = bl_search_savings(s, from, to, fit_exact_energy_pj(e->fit));
        a.saved_05 = sv.saved_05;
        a.saved_0 = sv.saved_0;
    } else {
        a.hv = -1;
    }
    free(objs);
    free(viol);
    return a;
}

/* 1-3: the exact design, each multiplier everywhere, each knob alone. */
static int bl_fixed(bl_ctx *c, ax_err *err)
{
    run_env *e = c->e;
    int L = qnet_n_layers(e->q), K = (int)e->cfg.arrays, oom = 0;
    fit_exact_genes(e->fit, c->g);
    oom |= bl_set_add(&c->s, "exact", "exact", c->g);
    for (int i = 0; i < e->n_mults; i++) {
        fit_exact_genes(e->fit, c->g);
        for (int k = 0; k < (K > 0 ? K : L); k++)
            c->g[fit_mult_gene(e->fit, k)] = i;
        oom |= bl_set_add(&c->s, "all_layers", run_env_mult_name(e, i), c->g);
    }
    static const char *const knob_kind[3] = {"noc_swing", "sram_v_input", "sram_v_weight"};
    const double *levels[3] = {e->cfg.noc_swing, e->cfg.sram_v_input, e->cfg.sram_v_weight};
    const int counts[3] = {e->cfg.n_swing, e->cfg.n_vin, e->cfg.n_vw};
    for (int k = 0; k < 3; k++)
        for (int j = 1; j < counts[k]; j++) {
            fit_exact_genes(e->fit, c->g);
            for (int l = 0; l < (e->cfg.per_layer ? L : 1); l++)
                c->g[fit_volt_gene(e->fit, l, k)] = j;
            char label[48];
            snprintf(label, sizeof label, "%.4g V", levels[k][j]);
            oom |= bl_set_add(&c->s, knob_kind[k], label, c->g);
        }
    if (oom)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    run_env_say(e, "baselines: exact, %d multipliers in every layer, %d single-knob levels\n", e->n_mults,
                c->s.n - 1 - e->n_mults);
    return bl_score(c, e->fit, 0, NULL, err);
}

/* 4: random search, the same number of distinct chromosomes. */
static int bl_random(bl_ctx *c, long budget, ax_err *err)
{
    int from = c->s.n;
    run_env_say(c->e, "baselines: random search, %ld chromosomes\n", budget);
    if (bl_random_draws(c->e->cfg.seed, c->card, budget, &c->s) != 0)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    return bl_score(c, c->e->fit, from, "random search", err);
}

/* An NSGA-II of the baselines over the last n_short genes of the
 * chromosome, the first n_full - n_short (the voltages) held at level 0,
 * scored by f: the multiplier-only search (e->fit), and with recovery on
 * the search without it (every gene, the fit without recovery). */
typedef struct sub_search {
    bl_ctx *c;
    fit *f;
    const char *what;   /* the progress line's name */
    int n_full, n_short;
    int32_t *full;      /* [cap][n_full] scratch */
    fit_result *res;    /* [cap] */
    int cap;
    double t_start;     /* wall-clock seconds, for the progress line */
} sub_search;

static int sub_progress(nsga *ga, void *user, ax_err *err)
{
    sub_search *mo = user;
    int rc = bl_save(mo->c, err);
    if (rc != AX_OK)
        return rc;
    nsga_view v = nsga_population(ga);
    int feasible = 0;
    for (int r = 0; r < v.size; r++)
        feasible += v.viol[r] <= 0;
    long gen = nsga_generation(ga), total = mo->c->e->cfg.generations;
    double elapsed = wallclock_seconds() - mo->t_start;
    run_env_say(mo->c->e, "baselines: %s gen %3ld/%ld  evals %6ld  feasible %3d/%d  elapsed %.0f s  eta %.0f s\n",
                mo->what, gen, total, nsga_evaluations(ga), feasible, v.size, elapsed,
                gen > 0 ? elapsed / (double)gen * (double)(total - gen) : 0.0);
    return AX_OK;
}

static int sub_eval(void *user, int count, const int32_t *ints, const double *reals, double *objs, double *cons,
                    ax_err *err)
{
    (void)reals;
    sub_search *mo = user;
    if (count > mo->cap) {
        free(mo->full);
        free(mo->res);
        mo->full = malloc((size_t)count * mo->n_full * sizeof *mo->full);
        mo->res = malloc((size_t)count * sizeof *mo->res);
        mo->cap = mo->full && mo->res ? count : 0;
        if (!mo->cap)
            return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    /* The held genes (level 0) first, then the searched ones. */
    int nv = mo->n_full - mo->n_short;
    for (int i = 0; i < count; i++) {
        for (int k = 0; k < nv; k++)
            mo->full[(size_t)i * mo->n_full + k] = 0;
        memcpy(mo->full + (size_t)i * mo->n_full + nv, ints + (size_t)i * mo->n_short,
               (size_t)mo->n_short * sizeof *ints);
    }
    int rc = fit_batch(mo->f, count, mo->full, mo->res, NULL, err);
    if (rc != AX_OK)
        return rc;
    int m = fit_n_objectives(mo->f);
    for (int i = 0; i < count; i++)
        fit_objectives(mo->f, &mo->res[i], objs + (size_t)i * m, cons + i);
    return AX_OK;
}

/* Adds the feasible first front of ga's population to the set. */
static int sub_front(bl_ctx *c, nsga *ga, int nv, const char *kind, const char *label)
{
    nsga_view v = nsga_population(ga);
    for (int r = 0; r < v.size; r++) {
        if (v.rank[r] != 0 || v.viol[r] > 0)
            continue;
        for (int k = 0; k < nv; k++)
            c->g[k] = 0;
        memcpy(c->g + nv, v.ints + (size_t)r * v.n_int, (size_t)v.n_int * sizeof *c->g);
        if (bl_set_add(&c->s, kind, label, c->g) != 0)
            return -1;
    }
    return 0;
}

/* Runs the search of the configured population and generations over the
 * genes from nv on, scored by f; its front joins the set as `kind`
 * (labelled `label`), and *evals gets its evaluations. */
static int bl_sub_search(bl_ctx *c, fit *f, int nv, const char *kind, const char *label, const char *what,
                         long *evals, ax_err *err)
{
    run_env *e = c->e;
    int ng = fit_n_genes(f), from = c->s.n;
    sub_search mo = {c, f, what, ng, ng - nv, NULL, NULL, 0, wallclock_seconds()};
    nsga_problem p = {0};
    p.n_int = ng - nv;
    p.int_card = c->card + nv;
    p.n_obj = fit_n_objectives(f);
    p.n_con = 1;
    p.eval_batch = sub_eval;
    p.user = &mo;
    nsga_config cfg;
    run_env_nsga_config(e, &cfg);
    cfg.max_seconds = 0;
    cfg.hook = sub_progress;
    cfg.hook_user = &mo;
    run_env_say(e, "baselines: %s NSGA-II, population %d, %ld generations\n", what, cfg.pop_size,
                cfg.max_generations);
    nsga *ga = nsga_create(&p, &cfg, err);
    int rc = ga ? nsga_run(ga, err) : err->code;
    if (rc == AX_OK && sub_front(c, ga, nv, kind, label) != 0)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK)
        rc = bl_score(c, f, from, NULL, err);
    if (rc == AX_OK)
        *evals = nsga_evaluations(ga);
    nsga_free(ga);
    free(mo.full);
    free(mo.res);
    return rc;
}

/* 5: the multiplier-only NSGA-II: the multiplier (and routing) genes, the
 * voltages nominal. */
static int bl_mult_only(bl_ctx *c, long *evals, ax_err *err)
{
    fit *f = c->e->fit;
    return bl_sub_search(c, f, fit_n_volt_genes(f), "mult_only", "nsga2_mult_only", "multiplier-only", evals, err);
}

/* 6 (recovery on): the same search as the run's, without recovery: every
 * gene, the same budget, scored by the fit without fixes. */
static int bl_no_recovery(bl_ctx *c, long *evals, ax_err *err)
{
    return bl_sub_search(c, c->plain, 0, "no_recovery", "nsga2_no_recovery", "no-recovery", evals, err);
}

/* The reporting rule (cli/results.h) on one approach's written rows
 * (keep) in [from, to) that are feasible on the search split: their
 * confirmation scores, and the test scores of those it reports. These
 * scores are not cached; a resumed run redoes them. */
static int bl_report_range(bl_ctx *c, fit *f, const unsigned char *keep, int from, int to, double *test_hv,
                           ax_err *err)
{
    bl_set *s = &c->s;
    int *rows = malloc((size_t)(to > from ? to - from : 1) * sizeof *rows), n = 0;
    int32_t *genes = malloc((size_t)(to > from ? to - from : 1) * (size_t)s->n_genes * sizeof *genes);
    if (!rows || !genes) {
        free(rows);
        free(genes);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    for (int i = from; i < to; i++)
        if (keep[i] && fit_feasible(f, &s->res[i])) {
            memcpy(genes + (size_t)n * s->n_genes, s->genes + (size_t)i * s->n_genes,
                   (size_t)s->n_genes * sizeof *genes);
            rows[n++] = i;
        }
    results_report rep;
    int rc = results_report_make(c->e, f, genes, n, &rep, err);
    for (int j = 0; rc == AX_OK && j < n; j++) {
        int i = rows[j];
        bl_outcome *o = &s->out[i];
        o->confirm_drop = rep.confirm[j].drop_pp;
        o->confirm_ucb = rep.confirm[j].drop_ucb;
        o->reported = rep.reported[j];
        if (rep.reported[j]) {
            o->test_top1 = rep.test[j].top1;
            o->test_drop = rep.test[j].drop_pp;
            o->test_se = rep.test[j].drop_se;
        }
    }
    if (rc == AX_OK) {
        *test_hv = results_report_savings(c->e, &rep).hv;
        results_report_free(&rep);
    }
    free(rows);
    free(genes);
    return rc;
}

/* The approaches of the baselines, in summary order; BL_NO_RECOVERY runs
 * only with recovery on. */
enum { BL_ONE_KNOB, BL_RANDOM, BL_MULT_ONLY, BL_NO_RECOVERY, BL_N };

static int bl_report(bl_ctx *c, const unsigned char *keep, int ranges[BL_N][2], double test_hv[BL_N], ax_err *err)
{
    run_env_say(c->e, "baselines: the reporting rule on each approach's feasible designs (confirmation, test)\n");
    int rc = AX_OK;
    for (int k = 0; k < BL_N && rc == AX_OK; k++)
        if (k != BL_NO_RECOVERY || c->plain)
            rc = bl_report_range(c, k == BL_NO_RECOVERY ? c->plain : c->e->fit, keep, ranges[k][0], ranges[k][1],
                                 &test_hv[k], err);
    return rc;
}

static int write_baselines(const bl_ctx *c, const unsigned char *keep, ax_err *err)
{
    const run_env *e = c->e;
    const bl_set *s = &c->s;
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, c->dir, "baselines.tsv");
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    fprintf(f, "baseline\tlabel\tenergy_uj\tdrop_pp\tdrop_se\tdrop_ucb\timages\ttop1\ttop1_se\tfeasible\t"
               "confirm_drop_pp\tconfirm_drop_ucb\treported\ttest_top1\ttest_drop_pp\ttest_drop_se\t"
               "energy_saved_pct");
    results_put_parts_header(f);
    results_put_gene_header(e, f);
    fputc('\n', f);
    for (int i = 0; i < s->n; i++) {
        if (!keep[i])
            continue;
        const fit_result *r = &s->res[i];
        const int32_t *g = s->genes + (size_t)i * s->n_genes;
        fprintf(f, "%s\t%s\t%.6f\t%.4f\t%.4f\t%.4f\t%lld\t%.6f\t%.6f\t%d\t%.4f\t%.4f\t%d\t%.6f\t%.4f\t%.4f\t%.3f",
                s->kind[i], s->label[i], r->energy_pj * 1e-6, r->drop_pp, r->drop_se, r->drop_ucb,
                (long long)r->images, r->top1, r->top1_se, fit_feasible(e->fit, r), s->out[i].confirm_drop,
                s->out[i].confirm_ucb, s->out[i].reported, s->out[i].test_top1, s->out[i].test_drop, s->out[i].test_se,
                results_saved_pct(e, r->energy_pj));
        results_put_parts(e, f, g, r);
        results_put_genes(e, f, g);
        fputc('\n', f);
    }
    return fio_atomic_commit(w, err);
}

/* The search's own row of the summary: its savings come from its own
 * evaluations, not from those the baselines added to the cache. */
static int search_approach(const bl_ctx *c, long budget, double front_hv, const results_savings *front_test,
                           results_approach *a)
{
    const fit *f = c->e->fit;
    *a = (results_approach){"nsga2_all_knobs", budget, front_hv, 0, 0, {0, 0, 0}};
    if (front_test)
        a->test = *front_test;
    results_savings sv = {0, 0, 0};
    for (size_t i = 0; i < c->n_search; i++) {
        const fit_result *r = fit_evaluated_result(f, i);
        results_savings_add(&sv, 100.0 * (1.0 - r->energy_pj / fit_exact_energy_pj(f)), r->drop_ucb);
    }
    a->saved_05 = sv.saved_05;
    a->saved_0 = sv.saved_0;
    return 0;
}

static void say_summary(run_env *e, const results_approach *ap, int n)
{
    for (int i = 0; i < n; i++)
        run_env_say(e,
                    "  %-16s evaluations %6ld  hv %.5f  energy saved %.2f %% at <= 0.5 pp, %.2f %% at 0 pp "
                    "(test split: %.2f %%, %.2f %%, hv %.5f)\n",
                    ap[i].name, ap[i].evaluations, ap[i].hv, ap[i].saved_05, ap[i].saved_0, ap[i].test.saved_05,
                    ap[i].test.saved_0, ap[i].test.hv);
}

/* Scores the baselines into c->s; ranges[k] gets the rows of approach k
 * (BL_ONE_KNOB: every fixed design), evals[k] its evaluation count. */
static int bl_score_all(bl_ctx *c, long budget, int ranges[BL_N][2], long evals[BL_N], ax_err *err)
{
    int rc = bl_load(c->e, c->plain, c->dir, err);
    /* baselines.bin exists from the start: it marks a folder whose
     * baselines have begun, which is how `resume` tells a standalone
     * baselines run (no checkpoint.bin) from a search. */
    if (rc == AX_OK)
        rc = bl_save(c, err);
    if (rc == AX_OK)
        rc = bl_fixed(c, err);
    ranges[BL_ONE_KNOB][1] = ranges[BL_RANDOM][0] = c->s.n;
    evals[BL_ONE_KNOB] = c->s.n;
    if (rc == AX_OK)
        rc = bl_random(c, budget, err);
    ranges[BL_RANDOM][1] = ranges[BL_MULT_ONLY][0] = c->s.n;
    evals[BL_RANDOM] = c->s.n - ranges[BL_RANDOM][0];
    if (rc == AX_OK)
        rc = bl_mult_only(c, &evals[BL_MULT_ONLY], err);
    ranges[BL_MULT_ONLY][1] = ranges[BL_NO_RECOVERY][0] = c->s.n;
    if (rc == AX_OK && c->plain)
        rc = bl_no_recovery(c, &evals[BL_NO_RECOVERY], err);
    ranges[BL_NO_RECOVERY][1] = c->s.n;
    return rc;
}

/* The summary rows: the search's (when there is one), then each approach
 * that ran; returns their count. */
static int bl_approaches(const bl_ctx *c, long budget, double front_hv, const results_savings *front_test,
                         int ranges[BL_N][2], const long evals[BL_N], const double test_hv[BL_N],
                         results_approach ap[BL_N + 1])
{
    static const char *const names[BL_N] = {"one_knob", "random", "mult_only_nsga2", "nsga2_no_recovery"};
    run_env *e = c->e;
    int n_ap = 0;
    if (front_hv >= 0)
        search_approach(c, budget, front_hv, front_test, &ap[n_ap++]);
    for (int k = 0; k < BL_N; k++) {
        if (k == BL_NO_RECOVERY && !c->plain)
            continue;
        ap[n_ap] = bl_measure(e, &c->s, ranges[k][0], ranges[k][1], names[k], evals[k]);
        ap[n_ap].test = bl_test_savings(&c->s, ranges[k][0], ranges[k][1], fit_exact_energy_pj(e->fit));
        ap[n_ap++].test.hv = test_hv[k];
    }
    return n_ap;
}

int bl_run(run_env *e, const char *dir, long budget, double front_hv, const results_savings *front_test,
           ax_err *err)
{
    int ng = fit_n_genes(e->fit);
    bl_ctx c = {e, dir, fit_n_evaluated(e->fit), NULL, {.n_genes = ng}, malloc((size_t)ng * sizeof(int32_t)),
                malloc((size_t)ng * sizeof(int32_t))};
    int ranges[BL_N][2] = {{0, 0}};
    long evals[BL_N] = {0};
    double test_hv[BL_N] = {0};
    results_approach ap[BL_N + 1];
    unsigned char *keep = NULL;
    int rc = c.card && c.g ? AX_OK : ax_fail(err, AX_EINTERNAL, "out of memory");
    /* With recovery on, the same search without it, at the same budget,
     * on a fitness function (and cache) of its own. */
    if (rc == AX_OK && e->recovery)
        rc = run_env_fit_create(e, 0, &c.plain, err);
    dist_attach_plain(e->dist, c.plain);
    /* A baseline's score must depend on its genome alone, not on which
     * designs the search found before (racing's dominance stops); the
     * search's designs stopped as dominated are continued when met. The
     * search without recovery races as the search does. */
    fit_set_dominance(e->fit, 0);
    if (rc == AX_OK) {
        fit_cardinalities(e->fit, c.card);
        rc = bl_score_all(&c, budget, ranges, evals, err);
    }
    /* Written: every fixed design, and the fronts of the searches. */
    if (rc == AX_OK && !(keep = calloc((size_t)(c.s.n > 0 ? c.s.n : 1), 1)))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK) {
        memset(keep, 1, (size_t)ranges[BL_ONE_KNOB][1]);
        for (int k = BL_RANDOM; k < BL_N; k++)
            if (bl_front(e, &c.s, ranges[k][0], ranges[k][1], keep) != 0)
                rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    if (rc == AX_OK)
        rc = bl_report(&c, keep, ranges, test_hv, err);
    int n_ap = rc == AX_OK ? bl_approaches(&c, budget, front_hv, front_test, ranges, evals, test_hv, ap) : 0;
    if (rc == AX_OK)
        rc = write_baselines(&c, keep, err);
    if (rc == AX_OK) {
        say_summary(e, ap, n_ap);
        rc = results_write_summary(dir, ap, n_ap, err);
    }
    if (rc == AX_ESTOPPED)
        run_env_say(e, "baselines stopped; continue with: axsearch resume %s\n", dir);
    fit_set_dominance(e->fit, 1);
    fit_free(c.plain);
    free(keep);
    free(c.g);
    free(c.card);
    bl_set_free(&c.s);
    return rc;
}
