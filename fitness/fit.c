#include "fitness/fit.h"

#include <stdlib.h>
#include <string.h>

#include "util/gset.h"
#include "util/sort.h"

#ifdef _OPENMP
#include <omp.h>
#endif

struct fit {
    fit_space space;
    fit_setup setup;
    double *levels;      /* copies of the level arrays */
    int n_genes;
    int n_vgenes;        /* voltage genes, first in the chromosome */
    int32_t *card;       /* [n_genes] cardinalities */
    double base_top1;    /* exact design, nominal, search images */
    double exact_energy; /* pJ */
    /* evaluation cache: chromosome i of the set has results[i] */
    gset *known;
    fit_result *results; /* [cap] */
    size_t cap;
    pcache *prefix;      /* emulator prefix cache, or NULL */
    uint8_t *base_right; /* [val n] exact design right on each search image */
    fmap_links *links;   /* [L] mesh links per datum, from the chip model's mapping */
    double macs, macs_skipped;
};

static int score(const fit *f, const int32_t *genes, const mc_data *d, double base, int emu_threads,
                 uint8_t *right, int early, fit_result *r, ax_err *err);

fit *fit_create(const fit_space *space, const fit_setup *setup, ax_err *err)
{
    if (space->n_layers < 1 || space->n_mults < 1 || space->exact_mult < 0 ||
        space->exact_mult >= space->n_mults || space->n_swing < 1 || space->n_vin < 1 ||
        space->n_vw < 1 || space->n_arrays < 0)
        return ax_fail(err, AX_EINPUT, "fitness: empty search space"), NULL;
    if (qnet_n_layers(setup->q) != space->n_layers ||
        accel_net_layers(setup->net) != (size_t)space->n_layers ||
        accel_net_mults(setup->net) != (size_t)space->n_mults)
        return ax_fail(err, AX_EINPUT, "fitness: network, chip model and space disagree on sizes"), NULL;
    fit *f = calloc(1, sizeof *f);
    if (!f)
        return ax_fail(err, AX_EINTERNAL, "out of memory"), NULL;
    f->space = *space;
    f->setup = *setup;
    f->levels = malloc((size_t)(space->n_swing + space->n_vin + space->n_vw) * sizeof *f->levels);
    if (!f->levels) {
        fit_free(f);
        return ax_fail(err, AX_EINTERNAL, "out of memory"), NULL;
    }
    memcpy(f->levels, space->swing, (size_t)space->n_swing * sizeof(double));
    memcpy(f->levels + space->n_swing, space->v_input, (size_t)space->n_vin * sizeof(double));
    memcpy(f->levels + space->n_swing + space->n_vin, space->v_weight, (size_t)space->n_vw * sizeof(double));
    f->space.swing = f->levels;
    f->space.v_input = f->levels + space->n_swing;
    f->space.v_weight = f->levels + space->n_swing + space->n_vin;
    f->n_vgenes = space->per_layer_volts ? 3 * space->n_layers : 3;
    f->n_genes = (space->n_arrays > 0 ? space->n_arrays + space->n_layers : space->n_layers) + f->n_vgenes;
    if (!(f->known = gset_create((size_t)f->n_genes * sizeof(int32_t)))) {
        fit_free(f);
        return ax_fail(err, AX_EINTERNAL, "out of memory"), NULL;
    }
    if (setup->prefix_cache_bytes > 0 && !(f->prefix = pcache_create(setup->prefix_cache_bytes, err))) {
        fit_free(f);
        return NULL;
    }

    int32_t *exact = malloc((size_t)f->n_genes * sizeof *exact);
    f->base_right = malloc((size_t)(setup->val.n > 0 ? setup->val.n : 1));
    f->links = malloc((size_t)space->n_layers * sizeof *f->links);
    f->card = malloc((size_t)f->n_genes * sizeof *f->card);
    fit_result r;
    int rc = exact && f->base_right && f->links && f->card ? AX_OK : ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK) {
        fmap_links_of(setup->net, f->links);
        fit_cardinalities(f, f->card);
    }
    if (rc == AX_OK) {
        fit_exact_genes(f, exact);
        rc = score(f, exact, &setup->val, 0.0, setup->threads, f->base_right, 0, &r, err);
    }
    free(exact);
    if (rc != AX_OK) {
        fit_free(f);
        return NULL;
    }
    f->base_top1 = r.top1;
    f->exact_energy = r.energy_pj;
    return f;
}

void fit_free(fit *f)
{
    if (!f)
        return;
    free(f->levels);
    gset_free(f->known);
    free(f->results);
    free(f->base_right);
    free(f->links);
    free(f->card);
    pcache_free(f->prefix);
    free(f);
}

int fit_n_genes(const fit *f) { return f->n_genes; }
int fit_n_volt_genes(const fit *f) { return f->n_vgenes; }

int fit_volt_gene(const fit *f, int layer, int knob)
{
    return (f->space.per_layer_volts ? 3 * layer : 0) + knob;
}

int fit_mult_gene(const fit *f, int i)
{
    return f->n_vgenes + i;
}
double fit_baseline_top1(const fit *f) { return f->base_top1; }
double fit_exact_energy_pj(const fit *f) { return f->exact_energy; }
const fit_space *fit_get_space(const fit *f) { return &f->space; }
int fit_n_objectives(const fit *f) { return 2 + f->setup.obj_area + f->setup.obj_latency; }

void fit_cardinalities(const fit *f, int32_t *card)
{
    const fit_space *s = &f->space;
    int g = 0;
    for (int v = 0; v < f->n_vgenes; v += 3) {
        card[g++] = s->n_swing;
        card[g++] = s->n_vin;
        card[g++] = s->n_vw;
    }
    if (s->n_arrays > 0) {
        for (int k = 0; k < s->n_arrays; k++)
            card[g++] = s->n_mults;
        for (int l = 0; l < s->n_layers; l++)
            card[g++] = s->n_arrays;
    } else {
        for (int l = 0; l < s->n_layers; l++)
            card[g++] = s->n_mults;
    }
}

void fit_exact_genes(const fit *f, int32_t *genes)
{
    const fit_space *s = &f->space;
    int g = 0;
    for (int v = 0; v < f->n_vgenes; v++)
        genes[g++] = 0;
    if (s->n_arrays > 0) {
        for (int k = 0; k < s->n_arrays; k++)
            genes[g++] = s->exact_mult;
        for (int l = 0; l < s->n_layers; l++)
            genes[g++] = 0;
    } else {
        for (int l = 0; l < s->n_layers; l++)
            genes[g++] = s->exact_mult;
    }
}

void fit_layer_mults(const fit *f, const int32_t *genes, int *layer_mult)
{
    const fit_space *s = &f->space;
    const int32_t *m = genes + f->n_vgenes;
    for (int l = 0; l < s->n_layers; l++)
        layer_mult[l] = s->n_arrays > 0 ? m[m[s->n_arrays + l]] : m[l];
}

/* Voltages of layer l under a chromosome. */
static void knobs_of(const fit *f, const int32_t *genes, int l, fmap_knobs *k)
{
    const fit_space *s = &f->space;
    k->noc_swing = s->swing[genes[fit_volt_gene(f, l, 0)]];
    k->v_input = s->v_input[genes[fit_volt_gene(f, l, 1)]];
    k->v_weight = s->v_weight[genes[fit_volt_gene(f, l, 2)]];
    k->noc_bits = s->noc_bits;
}

/* Scores genes on d; right: optional per-image output; early: apply the
 * early stop (search images only). */
static int check_genes(const fit *f, const int32_t *genes, ax_err *err)
{
    for (int g = 0; g < f->n_genes; g++)
        if (genes[g] < 0 || genes[g] >= f->card[g])
            return ax_fail(err, AX_EINPUT, "fitness: gene %d = %d out of 0..%d", g, (int)genes[g],
                           (int)f->card[g] - 1);
    return AX_OK;
}

static int score(const fit *f, const int32_t *genes, const mc_data *d, double base, int emu_threads,
                 uint8_t *right, int early, fit_result *r, ax_err *err)
{
    const fit_space *s = &f->space;
    int L = s->n_layers, K = s->n_arrays;
    int bad = check_genes(f, genes, err);
    if (bad != AX_OK)
        return bad;
    int *layer_mult = malloc((size_t)L * sizeof *layer_mult);
    const emu_table **tables = malloc((size_t)L * sizeof *tables);
    emu_flip_spec *specs = malloc(3 * (size_t)L * sizeof *specs);
    accel_voltages *lv = malloc((size_t)L * sizeof *lv);
    int rc = layer_mult && tables && specs && lv ? AX_OK : ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK) {
        fit_layer_mults(f, genes, layer_mult);
        fmap_knobs kn;
        for (int l = 0; l < L; l++) {
            tables[l] = f->setup.tables[layer_mult[l]];
            knobs_of(f, genes, l, &kn);
            specs[l] = fmap_spec(&f->setup.faults, &kn, kn.v_weight, f->links[l].weights);
            specs[L + l] = fmap_spec(&f->setup.faults, &kn, kn.v_input, f->links[l].inputs);
            specs[2 * L + l] = fmap_spec(&f->setup.faults, &kn, 0.0, f->links[l].outputs);
            lv[l] = (accel_voltages){kn.v_input, kn.v_weight, kn.noc_swing, kn.noc_bits};
        }
        mc_result mr;
        mc_options mo = {.tables = tables,
                         .weights = specs,
                         .inputs = specs + L,
                         .outputs = specs + 2 * L,
                         .reps = f->setup.reps,
                         .seed = f->setup.seed,
                         .threads = emu_threads,
                         .cache = d == &f->setup.val ? f->prefix : NULL,
                         .correct = right};
        if (early && f->setup.early_stop_z > 0) {
            mo.early_z = f->setup.early_stop_z;
            mo.early_chunk = f->setup.early_stop_chunk > 0 ? f->setup.early_stop_chunk : 256;
            mo.early_base = f->base_right;
            mo.early_max_drop = f->setup.max_drop;
        }
        rc = mc_accuracy(f->setup.q, d, &mo, &mr, err);
        if (rc == AX_OK) {
            r->top1 = mr.top1;
            r->top1_se = mr.top1_se;
            r->drop_pp = 100.0 * (base - mr.top1);
            r->flips = mr.flips;
            r->reps = mr.reps;
            r->macs = mr.macs;
            r->macs_skipped = mr.macs_skipped;
            r->images = mr.images;
            if (mr.stopped_early) {
                /* The drop against the reference on the images run. */
                int64_t right_so_far = 0;
                for (int64_t i = 0; i < mr.images; i++)
                    right_so_far += f->base_right[i];
                r->drop_pp = 100.0 * ((double)right_so_far / (double)mr.images - mr.top1) + 0.0;
            }
            accel_design ad = {.layer_mult = layer_mult,
                               .n_arrays = K,
                               .array_mult = K > 0 ? genes + f->n_vgenes : NULL,
                               .layer_array = K > 0 ? genes + f->n_vgenes + K : NULL,
                               .volts = lv[0],
                               .layer_volts = s->per_layer_volts ? lv : NULL,
                               .gate_idle = f->setup.gate_idle};
            accel_result ar = {.layer_pj = NULL};
            rc = accel_net_eval(f->setup.net, &ad, &ar, err);
            if (rc == AX_OK) {
                r->energy_pj = ar.energy_pj;
                r->latency_s = ar.latency_s;
                r->area_mm2 = ar.area_mm2;
                memcpy(r->comp_pj, ar.comp_pj, sizeof r->comp_pj);
            }
        }
    }
    free(layer_mult);
    free(tables);
    free(specs);
    free(lv);
    return rc;
}

int fit_score(const fit *f, const int32_t *genes, int emu_threads, fit_result *r, ax_err *err)
{
    return score(f, genes, &f->setup.val, f->base_top1, emu_threads, NULL, 1, r, err);
}

int fit_score_on(const fit *f, const int32_t *genes, const mc_data *d, double baseline_top1,
                 fit_result *r, ax_err *err)
{
    return score(f, genes, d, baseline_top1, f->setup.threads, NULL, 0, r, err);
}

int fit_baseline_on(const fit *f, const mc_data *d, double *top1, ax_err *err)
{
    int32_t *exact = malloc((size_t)f->n_genes * sizeof *exact);
    if (!exact)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    fit_exact_genes(f, exact);
    fit_result r;
    int rc = score(f, exact, d, 0.0, f->setup.threads, NULL, 0, &r, err);
    free(exact);
    if (rc == AX_OK) /* *top1 is left alone on failure */
        *top1 = r.top1;
    return rc;
}

void fit_objectives(const fit *f, const fit_result *r, double *objs, double *cons)
{
    int k = 0;
    objs[k++] = r->energy_pj * 1e-6;
    objs[k++] = r->drop_pp;
    if (f->setup.obj_area)
        objs[k++] = r->area_mm2;
    if (f->setup.obj_latency)
        objs[k++] = r->latency_s * 1e3;
    if (cons)
        cons[0] = f->setup.max_drop - r->drop_pp;
}

/* ---- the cache ------------------------------------------------------------ */

long fit_find(const fit *f, const int32_t *genes)
{
    return gset_find(f->known, genes);
}

static int cache_add(fit *f, const int32_t *g, const fit_result *r)
{
    size_t n = gset_count(f->known);
    if (n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 256;
        fit_result *nr = realloc(f->results, cap * sizeof *nr);
        if (!nr)
            return -1;
        f->results = nr;
        f->cap = cap;
    }
    int added;
    if (gset_add(f->known, g, &added) < 0)
        return -1;
    if (added)
        f->results[n] = *r;
    return 0;
}

size_t fit_n_evaluated(const fit *f) { return gset_count(f->known); }
const int32_t *fit_evaluated_genes(const fit *f, size_t i) { return gset_key(f->known, i); }
const fit_result *fit_evaluated_result(const fit *f, size_t i) { return &f->results[i]; }

int fit_remember(fit *f, const int32_t *genes, const fit_result *r, int known_ok, ax_err *err)
{
    int bad = check_genes(f, genes, err);
    if (bad != AX_OK)
        return bad;
    if (fit_find(f, genes) >= 0) {
        if (known_ok) /* the genome decides the score: nothing to add */
            return AX_OK;
        return ax_fail(err, AX_EINPUT, "fitness: a chromosome is remembered twice");
    }
    if (cache_add(f, genes, r) != 0)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    return AX_OK;
}

void fit_forget(fit *f)
{
    gset_clear(f->known);
}

typedef struct prefix_order {
    const int32_t *genes;
    int n;
} prefix_order;

/* Chromosomes in lexicographic order: the voltage genes come first, then
 * the layers in order, so neighbours share the longest prefixes. */
static int cmp_prefix(int a, int b, const void *ctx)
{
    const prefix_order *c = ctx;
    const int32_t *ga = c->genes + (size_t)a * c->n, *gb = c->genes + (size_t)b * c->n;
    for (int k = 0; k < c->n; k++)
        if (ga[k] != gb[k])
            return ga[k] < gb[k] ? -1 : 1;
    return (a > b) - (a < b);
}

int fit_batch(fit *f, int count, const int32_t *genes, fit_result *out, long *hits, ax_err *err)
{
    int n = f->n_genes;
    int *todo = malloc((size_t)(count > 0 ? count : 1) * sizeof *todo);  /* batch rows to score */
    int *source = malloc((size_t)(count > 0 ? count : 1) * sizeof *source); /* row holding the answer */
    if (!todo || !source) {
        free(todo);
        free(source);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    int n_todo = 0;
    long h = 0;
    for (int i = 0; i < count; i++) {
        const int32_t *g = genes + (size_t)i * n;
        long c = fit_find(f, g);
        source[i] = i;
        if (c >= 0) {
            out[i] = f->results[c];
            h++;
            source[i] = -1;
            continue;
        }
        /* A repeat within the batch takes the earlier row's result. */
        for (int j = 0; j < n_todo; j++)
            if (!memcmp(genes + (size_t)todo[j] * n, g, (size_t)n * sizeof *g)) {
                source[i] = todo[j];
                h++;
                break;
            }
        if (source[i] == i)
            todo[n_todo++] = i;
    }
    int threads = 1;
#ifdef _OPENMP
    threads = f->setup.threads > 0 ? f->setup.threads : omp_get_max_threads();
#endif
    /* With the prefix cache, chromosomes that share voltages and their
     * first layers' multipliers should run one after the other on the same
     * thread: order the work by (voltages, layer genes) and give each
     * thread one contiguous run of it. The order changes no result. */
    int *order = malloc((size_t)(n_todo > 0 ? n_todo : 1) * sizeof *order);
    if (!order) {
        free(todo);
        free(source);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    for (int t = 0; t < n_todo; t++)
        order[t] = todo[t];
    if (f->prefix) {
        prefix_order ctx = {genes, n};
        sort_indices(order, (size_t)n_todo, cmp_prefix, &ctx, NULL);
    }
    int failed = 0;
    ax_err first = {0};
    if (n_todo >= threads || threads == 1) {
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int t = 0; t < n_todo; t++) {
            ax_err e = {0};
            if (f->setup.stop && *f->setup.stop) {
#pragma omp critical(fit_batch_error)
                {
                    if (!failed)
                        ax_fail(&first, AX_ESTOPPED, "stopped");
                    failed = 1;
                }
                continue;
            }
            if (fit_score(f, genes + (size_t)order[t] * n, 1, &out[order[t]], &e) != AX_OK) {
#pragma omp critical(fit_batch_error)
                {
                    if (!failed)
                        first = e;
                    failed = 1;
                }
            }
        }
    } else {
        for (int t = 0; t < n_todo && !failed; t++) {
            if (f->setup.stop && *f->setup.stop) {
                ax_fail(&first, AX_ESTOPPED, "stopped");
                failed = 1;
            } else if (fit_score(f, genes + (size_t)order[t] * n, threads, &out[order[t]], &first) != AX_OK) {
                failed = 1;
            }
        }
    }
    for (int t = 0; !failed && t < n_todo; t++) {
        f->macs += out[todo[t]].macs;
        f->macs_skipped += out[todo[t]].macs_skipped;
    }
    if (!failed)
        for (int t = 0; t < n_todo; t++)
            if (cache_add(f, genes + (size_t)todo[t] * n, &out[todo[t]]) != 0) {
                ax_fail(&first, AX_EINTERNAL, "out of memory");
                failed = 1;
                break;
            }
    for (int i = 0; !failed && i < count; i++)
        if (source[i] >= 0 && source[i] != i)
            out[i] = out[source[i]];
    free(order);
    free(todo);
    free(source);
    if (failed) {
        if (err)
            *err = first;
        return first.code ? first.code : AX_EINTERNAL;
    }
    if (hits)
        *hits = h;
    return AX_OK;
}

void fit_mac_stats(const fit *f, double *macs, double *skipped)
{
    *macs = f->macs;
    *skipped = f->macs_skipped;
}
