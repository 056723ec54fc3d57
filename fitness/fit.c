#include "fitness/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitness/race.h"
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
    double confidence;   /* of the bound on a drop */
    double z, z_look;    /* normal quantiles of the confidence and of a racing look */
    int dominance;       /* racing stops dominated designs (fit_set_dominance) */
    fit_executor exec;   /* scores the work elsewhere, or NULL */
    void *exec_ctx;
};

typedef struct race_ref race_ref;
static int score_exact(const fit *f, const mc_data *d, uint8_t *right, fit_result *r, ax_err *err);

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
    if (setup->reps > FIT_MAX_REPS)
        return ax_fail(err, AX_EINPUT, "fitness: %d repetitions, at most %d", setup->reps, FIT_MAX_REPS), NULL;
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
    f->confidence = setup->confidence > 0.5 && setup->confidence < 1 ? setup->confidence : 0.95;
    f->z = race_z(f->confidence);
    f->dominance = 1;
    f->z_look = race_z(setup->race_confidence > 0.5 && setup->race_confidence < 1 ? setup->race_confidence : 0.99);
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
        rc = score_exact(f, &setup->val, f->base_right, &r, err);
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

static int check_genes(const fit *f, const int32_t *genes, ax_err *err)
{
    for (int g = 0; g < f->n_genes; g++)
        if (genes[g] < 0 || genes[g] >= f->card[g])
            return ax_fail(err, AX_EINPUT, "fitness: gene %d = %d out of 0..%d", g, (int)genes[g],
                           (int)f->card[g] - 1);
    return AX_OK;
}

/* The emulator's and the chip model's view of one chromosome. */
typedef struct design {
    int *layer_mult;             /* [L] multiplier set index */
    const emu_table **tables;    /* [L] */
    const emu_layer_fix **fixes; /* [L] */
    emu_flip_spec *specs;        /* [3L]: weights, inputs, outputs */
    accel_voltages *lv;          /* [L] */
} design;

static void design_clear(design *d)
{
    free(d->layer_mult);
    free(d->tables);
    free(d->fixes);
    free(d->specs);
    free(d->lv);
}

static int design_make(const fit *f, const int32_t *genes, design *d, ax_err *err)
{
    int L = f->space.n_layers;
    int bad = check_genes(f, genes, err);
    if (bad != AX_OK)
        return bad;
    d->layer_mult = malloc((size_t)L * sizeof *d->layer_mult);
    d->tables = malloc((size_t)L * sizeof *d->tables);
    d->fixes = malloc((size_t)L * sizeof *d->fixes);
    d->specs = malloc(3 * (size_t)L * sizeof *d->specs);
    d->lv = malloc((size_t)L * sizeof *d->lv);
    if (!d->layer_mult || !d->tables || !d->fixes || !d->specs || !d->lv) {
        design_clear(d);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    fit_layer_mults(f, genes, d->layer_mult);
    fmap_knobs kn;
    for (int l = 0; l < L; l++) {
        d->tables[l] = f->setup.tables[d->layer_mult[l]];
        d->fixes[l] = f->setup.fixes ? f->setup.fixes[l * f->space.n_mults + d->layer_mult[l]] : NULL;
        knobs_of(f, genes, l, &kn);
        d->specs[l] = fmap_spec(&f->setup.faults, &kn, kn.v_weight, f->links[l].weights);
        d->specs[L + l] = fmap_spec(&f->setup.faults, &kn, kn.v_input, f->links[l].inputs);
        d->specs[2 * L + l] = fmap_spec(&f->setup.faults, &kn, 0.0, f->links[l].outputs);
        d->lv[l] = (accel_voltages){kn.v_input, kn.v_weight, kn.noc_swing, kn.noc_bits};
    }
    return AX_OK;
}

/* Energy, latency, area and their parts into r. */
static int chip_eval(const fit *f, const int32_t *genes, const design *d, fit_result *r, ax_err *err)
{
    int K = f->space.n_arrays;
    accel_design ad = {.layer_mult = d->layer_mult,
                       .n_arrays = K,
                       .array_mult = K > 0 ? genes + f->n_vgenes : NULL,
                       .layer_array = K > 0 ? genes + f->n_vgenes + K : NULL,
                       .volts = d->lv[0],
                       .layer_volts = f->space.per_layer_volts ? d->lv : NULL,
                       .gate_idle = f->setup.gate_idle};
    accel_result ar = {.layer_pj = NULL};
    int rc = accel_net_eval(f->setup.net, &ad, &ar, err);
    if (rc == AX_OK) {
        r->energy_pj = ar.energy_pj;
        r->latency_s = ar.latency_s;
        r->area_mm2 = ar.area_mm2;
        memcpy(r->comp_pj, ar.comp_pj, sizeof r->comp_pj);
    }
    return rc;
}

/* Runs images [from, to) of d under the design: right [to - from] gets the
 * repetitions right on each; r accumulates flips, MACs and reps. The
 * prefix cache serves the search images only. */
static int run_images(const fit *f, const design *ds, const mc_data *d, int64_t from, int64_t to, int emu_threads,
                      uint8_t *right, fit_result *r, ax_err *err)
{
    int L = f->space.n_layers;
    size_t px = (size_t)qnet_image_pixels(f->setup.q);
    mc_data part = {d->pixels + (size_t)from * px, d->labels + from, to - from, d->first_image + from};
    mc_options mo = {.tables = ds->tables,
                     .fixes = ds->fixes,
                     .weights = ds->specs,
                     .inputs = ds->specs + L,
                     .outputs = ds->specs + 2 * L,
                     .reps = f->setup.reps,
                     .seed = f->setup.seed,
                     .threads = emu_threads,
                     .cache = d->pixels == f->setup.val.pixels ? f->prefix : NULL,
                     .weight_flips_counted = from > 0,
                     .correct = right};
    mc_result mr;
    int rc = mc_accuracy(f->setup.q, &part, &mo, &mr, err);
    if (rc == AX_OK) {
        r->flips += mr.flips;
        r->reps = mr.reps;
        r->macs += mr.macs;
        r->macs_skipped += mr.macs_skipped;
    }
    return rc;
}

/* r's paired tally (fitness/race.h), kept in r as images, reps, s1, s2. */
static race_tally tally_of(const fit_result *r)
{
    return (race_tally){r->images, r->reps, r->s1, r->s2};
}

/* Adds images [r->images, end) to r's tally: base and right are those
 * images' answers of the exact design and of r's. */
static void tally_images(fit_result *r, const uint8_t *base, const uint8_t *right, int64_t end)
{
    race_tally all = tally_of(r), stage = {0, r->reps, 0, 0};
    race_tally_add(&stage, base, right, end - r->images);
    race_tally_merge(&all, &stage);
    r->images = all.images;
    r->s1 = all.s1;
    r->s2 = all.s2;
}

/* The accuracy fields of r from its tally over the first r->images images
 * (base: the exact design right on each). */
static void accuracy_fields(const fit *f, const uint8_t *base, fit_result *r)
{
    race_tally t = tally_of(r);
    int64_t base_right = 0;
    for (int64_t i = 0; i < r->images; i++)
        base_right += base[i];
    double n = (double)r->images, R = (double)r->reps;
    /* From integers: equal counts give equal doubles whatever the stages. */
    r->top1 = n > 0 ? ((double)base_right * R - (double)r->s1) / (R * n) : 0.0;
    r->top1_se = n > 0 ? sqrt(r->top1 * (1.0 - r->top1) / n) : 0.0;
    r->drop_pp = race_drop_pp(&t);
    r->drop_se = race_drop_se(&t);
    r->drop_ucb = race_bound(&t, f->z);
}

/* The exact design is the reference itself: its drop is 0 by definition,
 * with no uncertainty (the sampling bound would charge it for images it
 * cannot disagree on). */
static int is_exact(const fit *f, const int32_t *genes)
{
    for (int g = 0; g < f->n_vgenes; g++)
        if (genes[g] != 0)
            return 0;
    int L = f->space.n_layers, exact = 1;
    int *lm = malloc((size_t)L * sizeof *lm);
    if (!lm)
        return 0; /* then it is bounded like any design: on the safe side */
    fit_layer_mults(f, genes, lm); /* bank mode: unused arrays do not matter */
    for (int l = 0; l < L && exact; l++)
        exact = lm[l] == f->space.exact_mult;
    free(lm);
    return exact;
}

static void exact_is_exact(const fit *f, const int32_t *genes, fit_result *r)
{
    if (is_exact(f, genes)) {
        r->drop_se = 0;
        r->drop_ucb = r->drop_pp;
    }
}

/* The reference designs of a batch's racing looks: the cache's designs
 * scored on every search image and feasible, as they were when the batch
 * began (so no result depends on the order the batch is scored in); none
 * when dominance stops are off. */
struct race_ref {
    int n, m;
    double *objs; /* [n][m]: energy, then area and latency when objectives */
    double *ucb;  /* [n] */
};

static void exact_objectives(const fit *f, const fit_result *r, double *o)
{
    int k = 0;
    o[k++] = r->energy_pj;
    if (f->setup.obj_area)
        o[k++] = r->area_mm2;
    if (f->setup.obj_latency)
        o[k++] = r->latency_s;
}

/* The look after a stage (fitness/race.h), against the ref_n designs of
 * ref_objs, ref_ucb (fit_work; 0: infeasibility only). */
static race_verdict look(const fit *f, const fit_result *r, int ref_n, const double *ref_objs,
                         const double *ref_ucb)
{
    double objs[3];
    exact_objectives(f, r, objs);
    int m = 1 + f->setup.obj_area + f->setup.obj_latency;
    race_tally t = tally_of(r);
    return race_look(&t, f->z_look, f->setup.max_drop, objs, m, ref_n > 0 ? ref_objs : NULL,
                     ref_n > 0 ? ref_ucb : NULL, ref_n > 0 ? ref_n : 0);
}

/* Scores genes on the search images in racing stages (one stage when
 * racing is off): after each stage but the last, a look may stop it.
 * start: NULL, or the cached result of a design stopped before, which is
 * continued from its last stage (the same images and fault draws, so the
 * result is what scoring it whole would give). */
static int score_raced(const fit *f, const int32_t *genes, int emu_threads, const fit_work *ref,
                       const fit_result *start, fit_result *r, ax_err *err)
{
    design ds;
    int rc = design_make(f, genes, &ds, err);
    if (rc != AX_OK)
        return rc;
    const mc_data *d = &f->setup.val;
    uint8_t *right = malloc((size_t)(d->n > 0 ? d->n : 1));
    if (start) {
        *r = *start;
        r->macs = r->macs_skipped = 0; /* this scoring's own */
        rc = right ? AX_OK : ax_fail(err, AX_EINTERNAL, "out of memory");
    } else {
        memset(r, 0, sizeof *r);
        rc = right ? chip_eval(f, genes, &ds, r, err) : ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    while (rc == AX_OK && r->images < d->n) {
        int64_t end = race_stage_end(r->images, f->setup.race_first, d->n);
        rc = run_images(f, &ds, d, r->images, end, emu_threads, right + r->images, r, err);
        if (rc != AX_OK)
            break;
        tally_images(r, f->base_right + r->images, right + r->images, end);
        if (end < d->n && look(f, r, ref->ref_n, ref->ref_objs, ref->ref_ucb) != RACE_GO_ON)
            break;
    }
    if (rc == AX_OK) {
        r->complete = r->images >= d->n;
        accuracy_fields(f, f->base_right, r);
        exact_is_exact(f, genes, r);
    }
    free(right);
    design_clear(&ds);
    return rc;
}

/* The exact design on all of d: right [d->n] gets the repetitions right. */
static int score_exact(const fit *f, const mc_data *d, uint8_t *right, fit_result *r, ax_err *err)
{
    int32_t *exact = malloc((size_t)f->n_genes * sizeof *exact);
    if (!exact)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    fit_exact_genes(f, exact);
    design ds;
    int rc = design_make(f, exact, &ds, err);
    if (rc == AX_OK) {
        memset(r, 0, sizeof *r);
        rc = chip_eval(f, exact, &ds, r, err);
        if (rc == AX_OK)
            rc = run_images(f, &ds, d, 0, d->n, f->setup.threads, right, r, err);
        if (rc == AX_OK && r->reps != 1) /* nominal voltages flip no bit (faultmap.h) */
            rc = ax_fail(err, AX_EINTERNAL, "fitness: the exact design ran %d repetitions", r->reps);
        if (rc == AX_OK) {
            r->images = d->n;
            r->complete = 1;
            accuracy_fields(f, right, r); /* against itself: top-1 only */
        }
        design_clear(&ds);
    }
    free(exact);
    return rc;
}

int fit_score(const fit *f, const int32_t *genes, int emu_threads, fit_result *r, ax_err *err)
{
    fit_work none = {0};
    return score_raced(f, genes, emu_threads, &none, NULL, r, err);
}

int fit_reference_make(const fit *f, const mc_data *d, fit_reference *ref, ax_err *err)
{
    memset(ref, 0, sizeof *ref);
    ref->data = *d;
    ref->right = malloc((size_t)(d->n > 0 ? d->n : 1));
    if (!ref->right)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    fit_result r;
    int rc = score_exact(f, d, ref->right, &r, err);
    if (rc != AX_OK) {
        fit_reference_clear(ref);
        return rc;
    }
    ref->top1 = r.top1;
    return AX_OK;
}

void fit_reference_clear(fit_reference *ref)
{
    free(ref->right);
    memset(ref, 0, sizeof *ref);
}

static int score_on(const fit *f, const int32_t *genes, const fit_reference *ref, int emu_threads, fit_result *r,
                    ax_err *err)
{
    design ds;
    int rc = design_make(f, genes, &ds, err);
    if (rc != AX_OK)
        return rc;
    const mc_data *d = &ref->data;
    memset(r, 0, sizeof *r);
    uint8_t *right = malloc((size_t)(d->n > 0 ? d->n : 1));
    rc = right ? chip_eval(f, genes, &ds, r, err) : ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK)
        rc = run_images(f, &ds, d, 0, d->n, emu_threads, right, r, err);
    if (rc == AX_OK) {
        tally_images(r, ref->right, right, d->n);
        r->complete = 1;
        accuracy_fields(f, ref->right, r);
        exact_is_exact(f, genes, r);
    }
    free(right);
    design_clear(&ds);
    return rc;
}

int fit_score_on(const fit *f, const int32_t *genes, const fit_reference *ref, fit_result *r, ax_err *err)
{
    return score_on(f, genes, ref, f->setup.threads, r, err);
}

int fit_feasible(const fit *f, const fit_result *r)
{
    return r->complete && r->drop_ucb <= f->setup.max_drop;
}

void fit_set_dominance(fit *f, int on) { f->dominance = on; }

double fit_confidence(const fit *f) { return f->confidence; }

double fit_bound(const fit *f, const int32_t *genes, const fit_result *r, double confidence)
{
    if (is_exact(f, genes))
        return r->drop_pp;
    race_tally t = tally_of(r);
    return race_bound(&t, race_z(confidence));
}

/* max_drop - drop_ucb; a design racing stopped before the last stage is
 * never feasible (at least FIT_UNFINISHED of violation): its claim would
 * rest on fewer images than the rule is stated for. */
#define FIT_UNFINISHED 1e-6
static double fit_constraint(const fit *f, const fit_result *r)
{
    double c = f->setup.max_drop - r->drop_ucb;
    return r->complete || c < -FIT_UNFINISHED ? c : -FIT_UNFINISHED;
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
        cons[0] = fit_constraint(f, r);
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
    fit_result x = *r;
    x.complete = x.images >= f->setup.val.n; /* derived, not saved */
    if (cache_add(f, genes, &x) != 0)
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

/* The batch's racing reference (see struct race_ref); 0, or -1 when out of
 * memory. */
static int race_ref_make(const fit *f, race_ref *ref)
{
    size_t n = gset_count(f->known);
    ref->m = 1 + f->setup.obj_area + f->setup.obj_latency;
    ref->n = 0;
    ref->objs = malloc((n > 0 ? n : 1) * (size_t)ref->m * sizeof *ref->objs);
    ref->ucb = malloc((n > 0 ? n : 1) * sizeof *ref->ucb);
    if (!ref->objs || !ref->ucb)
        return -1;
    for (size_t i = 0; i < n && f->dominance; i++) {
        const fit_result *r = &f->results[i];
        if (r->images < f->setup.val.n || !fit_feasible(f, r))
            continue;
        exact_objectives(f, r, ref->objs + (size_t)ref->n * ref->m);
        ref->ucb[ref->n++] = r->drop_ucb;
    }
    return 0;
}

static void race_ref_clear(race_ref *ref)
{
    free(ref->objs);
    free(ref->ucb);
}

/* Sorts out a batch: rows the cache knows (copied into out, source -1),
 * repeats of an earlier row (source = that row) and the rows to score
 * (pending, source = itself; cont[i] = the cache entry a stopped design
 * continues from, else -1). Returns the number to score; *hits counts the
 * rows not scored. */
static int batch_plan(const fit *f, int count, const int32_t *genes, const race_ref *ref, fit_result *out,
                      int *pending, int *source, long *cont, long *hits)
{
    int n = f->n_genes, n_pending = 0;
    long h = 0;
    for (int i = 0; i < count; i++) {
        const int32_t *g = genes + (size_t)i * n;
        long c = fit_find(f, g);
        source[i] = i;
        cont[i] = -1;
        if (c >= 0 && !f->results[c].complete && look(f, &f->results[c], ref->n, ref->objs, ref->ucb) == RACE_GO_ON) {
            cont[i] = c; /* stopped as dominated, and no longer */
            pending[n_pending++] = i;
            continue;
        }
        if (c >= 0) {
            out[i] = f->results[c];
            h++;
            source[i] = -1;
            continue;
        }
        for (int j = 0; j < n_pending; j++)
            if (!memcmp(genes + (size_t)pending[j] * n, g, (size_t)n * sizeof *g)) {
                source[i] = pending[j];
                h++;
                break;
            }
        if (source[i] == i)
            pending[n_pending++] = i;
    }
    *hits = h;
    return n_pending;
}

/* Row i of w into *out: raced on the search images, or on w->on's. */
static int work_row(const fit *f, const fit_work *w, int i, int emu_threads, fit_result *out, ax_err *err)
{
    const int32_t *g = w->genes + (size_t)i * f->n_genes;
    if (w->on)
        return score_on(f, g, w->on, emu_threads, out, err);
    const fit_result *start = w->start && w->start[i].images > 0 ? &w->start[i] : NULL;
    return score_raced(f, g, emu_threads, w, start, out, err);
}

int fit_work_score(const fit *f, const fit_work *w, int from, int to, fit_result *out, ax_err *err)
{
    int threads = 1, failed = 0, n = to - from;
    ax_err first = {0};
#ifdef _OPENMP
    threads = f->setup.threads > 0 ? f->setup.threads : omp_get_max_threads();
#endif
    if (n >= threads || threads == 1) {
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int i = from; i < to; i++) {
            ax_err e = {0};
            int rc = f->setup.stop && *f->setup.stop ? ax_fail(&e, AX_ESTOPPED, "stopped")
                                                     : work_row(f, w, i, 1, &out[i], &e);
            if (rc != AX_OK) {
#pragma omp critical(fit_batch_error)
                {
                    if (!failed)
                        first = e;
                    failed = 1;
                }
            }
        }
    } else {
        for (int i = from; i < to && !failed; i++) {
            if (f->setup.stop && *f->setup.stop)
                failed = ax_fail(&first, AX_ESTOPPED, "stopped") != AX_OK;
            else
                failed = work_row(f, w, i, threads, &out[i], &first) != AX_OK;
        }
    }
    if (failed && err)
        *err = first;
    return failed ? (first.code ? first.code : AX_EINTERNAL) : AX_OK;
}

void fit_set_executor(fit *f, fit_executor x, void *ctx)
{
    f->exec = x;
    f->exec_ctx = ctx;
}

/* Scores all of w into out, through the executor when one is set. */
static int run_work(const fit *f, const fit_work *w, fit_result *out, ax_err *err)
{
    if (w->n <= 0)
        return AX_OK;
    return f->exec ? f->exec(f->exec_ctx, f, w, out, err) : fit_work_score(f, w, 0, w->n, out, err);
}

int fit_score_on_batch(const fit *f, int count, const int32_t *genes, const fit_reference *ref, fit_result *out,
                       ax_err *err)
{
    fit_work w = {.n = count, .genes = genes, .on = ref};
    if (f->exec)
        return run_work(f, &w, out, err);
    /* here: one chromosome at a time with every thread over the images,
     * as the confirmation and test splits are large */
    for (int i = 0; i < count; i++) {
        int rc = f->setup.stop && *f->setup.stop ? ax_fail(err, AX_ESTOPPED, "stopped")
                                                 : score_on(f, genes + (size_t)i * f->n_genes, ref,
                                                            f->setup.threads, &out[i], err);
        if (rc != AX_OK)
            return rc;
    }
    return AX_OK;
}

/* The pending rows of a batch as work, in the order given (order [n]):
 * their genes, and the cached results the stopped ones continue from. */
static int batch_work(const fit *f, const int32_t *genes, const int *order, int n, const long *cont,
                      const race_ref *ref, fit_work *w, int32_t **wgenes, fit_result **wstart)
{
    size_t ng = (size_t)f->n_genes, rows = (size_t)(n > 0 ? n : 1);
    *wgenes = malloc(rows * ng * sizeof **wgenes);
    *wstart = calloc(rows, sizeof **wstart);
    if (!*wgenes || !*wstart)
        return -1;
    for (int t = 0; t < n; t++) {
        memcpy(*wgenes + (size_t)t * ng, genes + (size_t)order[t] * ng, ng * sizeof **wgenes);
        if (cont[order[t]] >= 0)
            (*wstart)[t] = f->results[cont[order[t]]];
    }
    *w = (fit_work){n, *wgenes, *wstart, ref->n, ref->objs, ref->ucb, NULL};
    return 0;
}

/* Scores rows order[0..n_pending) of genes into out (by row). */
static int batch_score(const fit *f, const int32_t *genes, const int *order, int n_pending, const race_ref *ref,
                       const long *cont, fit_result *out, ax_err *err)
{
    fit_work w;
    int32_t *wgenes = NULL;
    fit_result *wstart = NULL, *wout = malloc((size_t)(n_pending > 0 ? n_pending : 1) * sizeof *wout);
    int rc = wout && batch_work(f, genes, order, n_pending, cont, ref, &w, &wgenes, &wstart) == 0
                 ? run_work(f, &w, wout, err)
                 : ax_fail(err, AX_EINTERNAL, "out of memory");
    for (int t = 0; rc == AX_OK && t < n_pending; t++)
        out[order[t]] = wout[t];
    free(wgenes);
    free(wstart);
    free(wout);
    return rc;
}

int fit_batch(fit *f, int count, const int32_t *genes, fit_result *out, long *hits, ax_err *err)
{
    int n = f->n_genes;
    size_t rows = (size_t)(count > 0 ? count : 1);
    int *pending = malloc(rows * sizeof *pending);     /* batch rows to score */
    int *source = malloc(rows * sizeof *source); /* row holding the answer */
    int *order = malloc(rows * sizeof *order);
    long *cont = malloc(rows * sizeof *cont);
    race_ref ref = {0, 0, NULL, NULL};
    if (!pending || !source || !order || !cont || race_ref_make(f, &ref) != 0) {
        free(pending);
        free(source);
        free(order);
        free(cont);
        race_ref_clear(&ref);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    long h;
    int n_pending = batch_plan(f, count, genes, &ref, out, pending, source, cont, &h);
    /* With the prefix cache, chromosomes that share voltages and their
     * first layers' multipliers should run one after the other on the same
     * thread: order the work by (voltages, layer genes) and give each
     * thread one contiguous run of it. The order changes no result. */
    memcpy(order, pending, (size_t)n_pending * sizeof *order);
    if (f->prefix) {
        prefix_order ctx = {genes, n};
        sort_indices(order, (size_t)n_pending, cmp_prefix, &ctx, NULL);
    }
    ax_err first = {0};
    int failed = batch_score(f, genes, order, n_pending, &ref, cont, out, &first) != AX_OK;
    for (int t = 0; !failed && t < n_pending; t++) {
        f->macs += out[pending[t]].macs;
        f->macs_skipped += out[pending[t]].macs_skipped;
    }
    for (int t = 0; !failed && t < n_pending; t++) {
        if (cont[pending[t]] >= 0) /* a continued design keeps its place */
            f->results[cont[pending[t]]] = out[pending[t]];
        else if (cache_add(f, genes + (size_t)pending[t] * n, &out[pending[t]]) != 0)
            failed = ax_fail(&first, AX_EINTERNAL, "out of memory") != AX_OK;
    }
    for (int i = 0; !failed && i < count; i++)
        if (source[i] >= 0 && source[i] != i)
            out[i] = out[source[i]];
    free(order);
    free(pending);
    free(source);
    free(cont);
    race_ref_clear(&ref);
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
