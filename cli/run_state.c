#include "cli/run_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void run_state_free(run_state *s)
{
    free(s->rows);
    free(s->config);
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

enum { STATE_VERSION = 4, STATE_VERSION_NO_CONFIG = 3 };

/* A configuration text longer than this is damage, not a config. */
enum { STATE_MAX_CONFIG = 1 << 20 };

void run_state_put_entries(bb_writer *w, const fit *f, size_t from)
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
        bb_put_f64(w, r->drop_se);
        bb_put_f64(w, r->drop_ucb);
        bb_put_u64(w, (uint64_t)r->s1); /* two's complement */
        bb_put_u64(w, (uint64_t)r->s2);
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

int run_state_get_entries(bb_reader *r, fit *f, int known_ok, size_t *added, const char *what, ax_err *err)
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
        x.drop_se = bb_get_f64(r);
        x.drop_ucb = bb_get_f64(r);
        x.s1 = (int64_t)bb_get_u64(r);
        x.s2 = (int64_t)bb_get_u64(r);
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
    size_t config_len = s->config ? strlen(s->config) : 0;
    bb_put_u64(&w, config_len);
    bb_put_bytes(&w, s->config, config_len);
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
    run_state_put_entries(&w, f, 0);
    if (w.oom) {
        free(w.p);
        return -1;
    }
    *blob = w.p;
    *len = w.n;
    return 0;
}

/* Reads the version and, from version 4, the configuration record. */
static int get_config(bb_reader *r, const char *path, char **config, ax_err *err)
{
    *config = NULL;
    uint32_t version = bb_get_u32(r);
    if (version != STATE_VERSION && version != STATE_VERSION_NO_CONFIG)
        return ax_fail(err, AX_EINPUT, "%s: search state of another version", path);
    if (version == STATE_VERSION_NO_CONFIG)
        return AX_OK;
    uint64_t config_len = bb_get_u64(r);
    const unsigned char *text = config_len <= STATE_MAX_CONFIG ? bb_take(r, (size_t)config_len) : NULL;
    if (!text)
        return ax_fail(err, AX_EINPUT, "%s: the search state is truncated", path);
    *config = malloc((size_t)config_len + 1);
    if (!*config)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    memcpy(*config, text, (size_t)config_len);
    (*config)[config_len] = '\0';
    return AX_OK;
}

int run_state_config(const void *blob, size_t len, const char *path, char **config, ax_err *err)
{
    bb_reader r = {blob, len, 0, 0};
    return get_config(&r, path, config, err);
}

int run_state_load(run_state *s, fit *f, const void *blob, size_t len, const char *path, ax_err *err)
{
    bb_reader r = {blob, len, 0, 0};
    memset(s, 0, sizeof *s);
    fit_forget(f);
    int rc0 = get_config(&r, path, &s->config, err);
    if (rc0 != AX_OK)
        return rc0;
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
    int rc = run_state_get_entries(&r, f, 0, &added, path, err);
    if (rc == AX_OK && (r.short_read || r.pos != r.n))
        rc = ax_fail(err, AX_EINPUT, "%s: the search state is truncated", path);
    return rc;
}

