/* axsearch layers: the accuracy of every multiplier of a search's set in
 * every MAC layer alone (the other layers exact, nominal voltages), without
 * and with each accuracy recovery (fitness/emu/recover.h), on the search
 * images: which (layer, multiplier) pairs are usable. The drop is paired
 * against the exact design on the same images (fitness/race.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/glue.h"
#include "cli/run_env.h"
#include "cli/scfg.h"
#include "fitness/emu/pcache.h"
#include "fitness/emu/recover.h"
#include "fitness/mc.h"
#include "fitness/race.h"
#include "util/fileio.h"
#include "util/wallclock.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsearch layers CONFIG [--images N] [--recovery LIST] [--within PP]\n"
            "                       [--race-first N] [--whole] [--threads T] [--out FILE.tsv]\n"
            "Runs the search images of CONFIG (its val_images, or the first --images N)\n"
            "with each multiplier of its set in one MAC layer at a time (--whole: in every\n"
            "MAC layer at once, layer 'all') and prints:\n"
            "layer name multiplier recovery top1 drop_pp drop_se drop_ucb images\n"
            "(top1 and the drop on the images the pair was run on)\n"
            "(drop paired against the exact design; drop_ucb one-sided at [objectives]\n"
            "confidence). --recovery: a comma list of none, tune, comp, both (default all\n"
            "four). The last lines count the pairs whose drop (and whose bound) is within\n"
            "--within PP points (default 0.5). Racing: a pair is run on N, 2N, 4N, ...\n"
            "images (--race-first, default 256; 0: all at once) and stopped when its drop is\n"
            "above --within at [search] race_confidence; images says how many it got.\n");
}

enum { MODE_NONE, MODE_TUNE, MODE_COMP, MODE_BOTH, N_MODES };
static const char *const mode_names[N_MODES] = {"none", "tune", "comp", "both"};

typedef struct layers_opts {
    const char *config, *out, *recovery;
    long images, threads; /* images 0: val_images; threads 0: the config's */
    long race_first;      /* racing stages; 0: one stage */
    int whole;            /* 1: a multiplier in every MAC layer at once */
    double within;
    int modes[N_MODES]; /* 1: swept */
} layers_opts;

static int parse_modes(const char *list, int modes[N_MODES])
{
    char *copy = strdup(list);
    if (!copy)
        return -1;
    int any = 0, bad = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int m = 0;
        while (m < N_MODES && strcmp(tok, mode_names[m]) != 0)
            m++;
        if (m == N_MODES)
            bad = 1;
        else
            modes[m] = any = 1;
    }
    free(copy);
    return bad || !any ? -1 : 0;
}

static int layers_parse(int argc, char **argv, layers_opts *o)
{
    *o = (layers_opts){.recovery = "none,tune,comp,both", .within = 0.5, .race_first = 256};
    const args_opt opts[] = {
        {.name = "images", .kind = ARGS_LONG, .dst = &o->images, .lo = 1, .hi = 1L << 40},
        {.name = "recovery", .kind = ARGS_STRING, .dst = &o->recovery},
        {.name = "within", .kind = ARGS_DOUBLE, .dst = &o->within, .lo = 0, .hi = 100},
        {.name = "race-first", .kind = ARGS_LONG, .dst = &o->race_first, .lo = 0, .hi = 1L << 40},
        {.name = "whole", .kind = ARGS_FLAG, .dst = &o->whole},
        {.name = "threads", .kind = ARGS_LONG, .dst = &o->threads, .lo = 1, .hi = 4096},
        {.name = "out", .kind = ARGS_STRING, .dst = &o->out},
    };
    const args_spec s = {.cmd = "layers", .opts = opts, .n_opts = sizeof opts / sizeof opts[0],
                         .usage = usage, .dash_h = 1};
    int first = args_parse(&s, argc, argv);
    if (first < 0)
        return args_status(first);
    if (first != argc - 1) {
        fprintf(stderr, "axsearch layers: one CONFIG expected\n");
        usage(stderr);
        return 2;
    }
    o->config = argv[first];
    if (parse_modes(o->recovery, o->modes) != 0) {
        fprintf(stderr, "axsearch layers: --recovery '%s': expected a comma list of none, tune, comp, both\n",
                o->recovery);
        return 2;
    }
    return ARGS_RUN;
}

/* What the sweep works on; layers_close frees it. */
typedef struct layers_env {
    run_env e;
    mc_data data;             /* the images swept */
    uint8_t *base;            /* [images] the exact design right (0/1) */
    uint8_t *right;           /* [images] a pair's */
    rec_hist *hist;
    rec_set *sets[N_MODES];   /* NULL for none and unswept modes */
    double setup_s[N_MODES];  /* seconds to make each set */
    pcache *cache;
    const emu_table **tables; /* [layers] */
    const emu_layer_fix **fixes;
    fio_atomic *w;            /* --out, or NULL */
    int within[N_MODES], within_ucb[N_MODES], pairs[N_MODES];
} layers_env;

/* The fixes of every pair for each swept recovery. */
static int make_sets(const layers_opts *o, layers_env *s, ax_err *err)
{
    run_env *e = &s->e;
    if (!o->modes[MODE_TUNE] && !o->modes[MODE_COMP] && !o->modes[MODE_BOTH])
        return AX_OK;
    int rc = glue_recovery_hist(e->q, &e->src, e->cfg.calib_images, (int)e->cfg.threads, &s->hist, err);
    const uint16_t **luts = malloc((size_t)e->n_mults * sizeof *luts);
    if (rc == AX_OK && !luts)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    for (int i = 0; rc == AX_OK && i < e->n_mults; i++)
        luts[i] = mult_lib_entry(e->lib, (size_t)e->mult_entry[i])->lut;
    for (int m = MODE_TUNE; rc == AX_OK && m < N_MODES; m++) {
        if (!o->modes[m])
            continue;
        rec_options ro = {m == MODE_TUNE || m == MODE_BOTH, m == MODE_COMP || m == MODE_BOTH,
                          (int)e->cfg.rec_radius};
        double t0 = wallclock_seconds();
        rc = rec_set_make(e->q, s->hist, luts, e->n_mults, &ro, (int)e->cfg.threads, &s->sets[m], err);
        s->setup_s[m] = wallclock_seconds() - t0;
    }
    free(luts);
    return rc;
}

static int layers_open(const layers_opts *o, layers_env *s, ax_err *err)
{
    scfg c;
    scfg_defaults(&c);
    int rc = scfg_load(o->config, &c, err);
    if (rc == AX_OK && o->threads > 0)
        c.threads = o->threads;
    if (rc == AX_OK)
        rc = run_env_open(&s->e, &c, NULL, err);
    if (rc != AX_OK)
        return rc;
    run_env *e = &s->e;
    if (o->images > e->val.count)
        return ax_fail(err, AX_EINPUT, "--images %ld: %s has val_images = %lld", o->images, o->config,
                       (long long)e->val.count);
    int64_t n = o->images > 0 ? o->images : e->val.count;
    s->data = (mc_data){e->val.images, e->val.labels, n, e->val.first};
    int nl = qnet_n_layers(e->q);
    s->base = malloc((size_t)n);
    s->right = malloc((size_t)n);
    s->tables = calloc((size_t)nl, sizeof *s->tables);
    s->fixes = calloc((size_t)nl, sizeof *s->fixes);
    if (!s->base || !s->right || !s->tables || !s->fixes)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    if (c.prefix_cache_mb > 0 && !(s->cache = pcache_create((size_t)c.prefix_cache_mb << 20, err)))
        return err->code;
    rc = make_sets(o, s, err);
    if (rc == AX_OK && o->out && !(s->w = fio_atomic_open(o->out, err)))
        rc = err->code;
    return rc;
}

static int layers_close(layers_env *s, int rc, ax_err *err)
{
    if (s->w) {
        if (rc == AX_OK)
            rc = fio_atomic_commit(s->w, err);
        else
            fio_atomic_abort(s->w);
    }
    for (int m = 0; m < N_MODES; m++)
        rec_set_free(s->sets[m]);
    rec_hist_free(s->hist);
    pcache_free(s->cache);
    free(s->tables);
    free(s->fixes);
    free(s->base);
    free(s->right);
    run_env_close(&s->e);
    return rc;
}

/* Images [from, to) under the current s->tables and s->fixes: right
 * [to - from] gets 1 where the pair is right. */
static int run_images(layers_env *s, int64_t from, int64_t to, uint8_t *right, ax_err *err)
{
    size_t px = (size_t)qnet_image_pixels(s->e.q);
    const mc_data *d = &s->data;
    mc_data part = {d->pixels + (size_t)from * px, d->labels + from, to - from, d->first_image + from};
    mc_options mo = {.tables = s->tables, .fixes = s->fixes, .reps = 1, .threads = (int)s->e.cfg.threads,
                     .cache = s->cache, .correct = right};
    mc_result r;
    return mc_accuracy(s->e.q, &part, &mo, &r, err);
}

/* The tally of the current pair against s->base, in racing stages: after
 * each stage but the last, a pair whose drop is above `within` at the
 * look's confidence stops. */
static int run_pair(const layers_opts *o, layers_env *s, race_tally *t, int64_t *right_count, ax_err *err)
{
    double z_look = race_z(s->e.cfg.race_confidence);
    int64_t done = 0, n = s->data.n;
    *t = (race_tally){0, 1, 0, 0};
    *right_count = 0;
    while (done < n) {
        int64_t end = race_stage_end(done, o->race_first, n);
        int rc = run_images(s, done, end, s->right + done, err);
        if (rc != AX_OK)
            return rc;
        race_tally_add(t, s->base + done, s->right + done, end - done);
        for (int64_t i = done; i < end; i++)
            *right_count += s->right[i];
        done = end;
        if (done < n && race_bound(t, -z_look) > o->within)
            break;
    }
    return AX_OK;
}

/* layer -1: the multiplier in every MAC layer (--whole). */
static void print_row(FILE *const files[2], const layers_env *s, int layer, int mult, int mode, double top1,
                      const race_tally *t, double ucb)
{
    const qnet_layer *L = layer >= 0 ? qnet_layer_info(s->e.q, layer) : NULL;
    char index[16] = "all";
    if (layer >= 0)
        snprintf(index, sizeof index, "%d", layer);
    for (int k = 0; k < 2; k++)
        if (files[k]) {
            fprintf(files[k], "%s\t%s\t%s\t%s\t%.4f\t%.3f\t%.3f\t%.3f\t%lld\n", index,
                    L && L->name[0] ? L->name : "-",
                    run_env_mult_name(&s->e, mult), mode_names[mode], top1, race_drop_pp(t), race_drop_se(t), ucb,
                    (long long)t->images);
            fflush(files[k]);
        }
}

/* Multiplier i in layer l (every layer when l is -1) under each swept
 * recovery: one row each, counted into the summary. */
static int layers_run_mult(const layers_opts *o, layers_env *s, FILE *const files[2], int l, int i, ax_err *err)
{
    run_env *e = &s->e;
    int nl = qnet_n_layers(e->q), lo = l >= 0 ? l : 0, hi = l >= 0 ? l + 1 : nl;
    double z = race_z(e->cfg.confidence);
    int rc = AX_OK;
    for (int m = 0; rc == AX_OK && m < N_MODES; m++) {
        if (!o->modes[m])
            continue;
        for (int k = lo; k < hi; k++) {
            s->tables[k] = e->tables[i];
            s->fixes[k] = s->sets[m] ? rec_set_fixes(s->sets[m])[k * e->n_mults + i] : NULL;
        }
        race_tally t;
        int64_t right;
        rc = run_pair(o, s, &t, &right, err);
        if (rc != AX_OK)
            break;
        double ucb = race_bound(&t, z);
        print_row(files, s, l, i, m, (double)right / (double)t.images, &t, ucb);
        s->pairs[m]++;
        s->within[m] += race_drop_pp(&t) <= o->within;
        s->within_ucb[m] += ucb <= o->within;
    }
    for (int k = lo; k < hi; k++) {
        s->tables[k] = NULL;
        s->fixes[k] = NULL;
    }
    return rc;
}

/* Every (layer, multiplier, recovery) in that order, so the exact prefix
 * of a layer is computed once and then taken from the prefix cache. */
static int layers_run(const layers_opts *o, layers_env *s, ax_err *err)
{
    run_env *e = &s->e;
    FILE *const files[2] = {stdout, s->w ? fio_atomic_stream(s->w) : NULL};
    int rc = run_images(s, 0, s->data.n, s->base, err);
    for (int k = 0; rc == AX_OK && k < 2; k++)
        if (files[k])
            fprintf(files[k], "layer\tname\tmultiplier\trecovery\ttop1\tdrop_pp\tdrop_se\tdrop_ucb\timages\n");
    long exact = mult_lib_find(e->lib, MULT_REFERENCE);
    int first = o->whole ? -1 : 0, end = o->whole ? 0 : qnet_n_layers(e->q); /* layer -1: all */
    for (int l = first; rc == AX_OK && l < end; l++)
        for (int i = 0; rc == AX_OK && i < e->n_mults; i++)
            if (e->mult_entry[i] != exact)
                rc = layers_run_mult(o, s, files, l, i, err);
    return rc;
}

static void layers_print_summary(const layers_opts *o, const layers_env *s)
{
    printf("# pairs within %.2f pp of the exact design (drop; one-sided %.0f %% bound), %lld images\n",
           o->within, 100 * s->e.cfg.confidence, (long long)s->data.n);
    for (int m = 0; m < N_MODES; m++)
        if (o->modes[m])
            printf("# %-4s %4d of %d by drop, %4d by bound; recovery_setup_s=%.2f\n", mode_names[m], s->within[m],
                   s->pairs[m], s->within_ucb[m], s->setup_s[m]);
}

int cmd_layers(int argc, char **argv)
{
    layers_opts o;
    int status = layers_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    layers_env s;
    memset(&s, 0, sizeof s);
    ax_err err = {0};
    int rc = layers_open(&o, &s, &err);
    if (rc == AX_OK)
        rc = layers_run(&o, &s, &err);
    if (rc == AX_OK)
        layers_print_summary(&o, &s);
    rc = layers_close(&s, rc, &err);
    return args_exit("layers", rc, &err);
}
