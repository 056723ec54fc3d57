#include "cli/run_env.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/dist.h"
#include "cli/glue.h"
#include "fitness/net/dataset.h"
#include "fitness/net/onnx_import.h"
#include "util/fileio.h"
#include "util/hash.h"
#include "util/wallclock.h"

void run_env_say(run_env *e, const char *fmt, ...)
{
    if (e->quiet)
        return;
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

const char *run_env_mult_name(const run_env *e, int i)
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

static int check_levels(const char *what, const double *v, double nominal, ax_err *err)
{
    if (fabs(v[0] - nominal) > 1e-9)
        return ax_fail(err, AX_EINPUT,
                       "[knobs] %s: the first level must be the chip's nominal %g V (the exact "
                       "design's operating point), got %g",
                       what, nominal, v[0]);
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

/* The knobs' first levels are the chip's nominal values, then the data
 * splits and the quantized network, checked against each other. */
static int open_model_and_data(run_env *e, ax_err *err)
{
    const scfg *c = &e->cfg;
    int rc = c->arch[0] ? accel_arch_load(c->arch, &e->arch, err) : (accel_arch_default(&e->arch), AX_OK);
    if (rc == AX_OK)
        rc = check_levels("noc_swing", c->noc_swing, e->arch.noc_swing, err);
    if (rc == AX_OK && accel_arch_systolic(&e->arch) && c->n_swing > 1)
        rc = ax_fail(err, AX_EINPUT, "[knobs] noc_swing: %s is a systolic chip, which has no NoC: give only "
                                     "its nominal %g V", c->arch, e->arch.noc_swing);
    if (rc == AX_OK)
        rc = check_levels("sram_v_input", c->sram_v_input, e->arch.vdd, err);
    if (rc == AX_OK)
        rc = check_levels("sram_v_weight", c->sram_v_weight, e->arch.vdd, err);
    /* The model first: image folders are decoded to its input. */
    onnx_import_opts io = {1, 0, NULL};
    if (rc == AX_OK)
        rc = onnx_import_file(c->onnx, &io, &e->g, err);
    if (rc == AX_OK)
        rc = glue_input_norm(e->g, c->input_mean, c->input_std, "[model] input_mean", "[model] input_std", err);
    e->src = scfg_source(c);
    if (rc == AX_OK)
        ds_source_fit(&e->src, e->g);
    if (rc == AX_OK)
        rc = ds_load_first(&e->src, IDX_SPLIT_VAL, c->confirm_images > 0 ? c->val_images + c->confirm_images : 0,
                           &e->val, err);
    if (rc == AX_OK)
        rc = ds_load_first(&e->src, IDX_SPLIT_TEST, c->test_images, &e->test, err);
    long confirm = c->confirm_images > 0 ? c->confirm_images : (long)e->val.count - c->val_images;
    if (rc == AX_OK && (confirm < 1 || e->val.count < c->val_images + confirm))
        rc = ax_fail(err, AX_EINPUT, "%s: the search split holds %lld images, fewer than val_images + "
                                     "confirm_images = %ld + %ld (at least one confirmation image)",
                     c->data, (long long)e->val.count, c->val_images, confirm > 0 ? confirm : 1);
    if (rc == AX_OK) {
        /* The search part first, the confirmation part right after it. */
        size_t px = (size_t)idx_image_bytes(&e->val);
        e->confirm = (mc_data){e->val.images + (size_t)c->val_images * px, e->val.labels + c->val_images,
                               confirm, e->val.first + c->val_images};
        e->val.count = c->val_images;
        if (e->test.count < c->test_images)
            rc = ax_fail(err, AX_EINPUT, "%s: the test split holds %lld images, fewer than test_images = %ld",
                         c->data, (long long)e->test.count, c->test_images);
        else
            e->test.count = c->test_images;
    }
    if (rc == AX_OK && (rc = glue_quantize(e->g, &e->src, c->calib_images, (int)c->threads, &e->q, err)) != AX_OK)
        ax_err_prefix(err, "%s", c->onnx);
    if (rc == AX_OK)
        rc = ds_check_input(e->g, &e->val, c->onnx, err);
    for (int64_t i = 0; rc == AX_OK && i < e->val.count + e->confirm.n; i++)
        if (e->val.labels[i] >= qnet_classes(e->q))
            rc = ax_fail(err, AX_EINPUT, "%s: label %d above the model's %d classes", c->data,
                         e->val.labels[i], qnet_classes(e->q));
    return rc;
}

/* The chip model of the network, mapped once with the set's multipliers. */
static int open_chip(run_env *e, ax_err *err)
{
    accel_layer_shape *shapes = NULL;
    size_t n_shapes = 0;
    accel_mult_cost *costs = NULL;
    int rc = glue_layer_shapes(e->g, &shapes, &n_shapes, err);
    if (rc == AX_OK && !(costs = malloc((size_t)e->n_mults * sizeof *costs)))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK) {
        for (int i = 0; i < e->n_mults; i++)
            costs[i] = glue_mult_cost(mult_lib_entry(e->lib, (size_t)e->mult_entry[i]));
        rc = accel_net_create(&e->arch, shapes, n_shapes, costs, (size_t)e->n_mults,
                              strcmp(e->cfg.mapping, "edp") ? ACCEL_OBJ_ENERGY : ACCEL_OBJ_EDP, &e->net, err);
    }
    free(shapes);
    free(costs);
    return rc;
}

/* Accuracy recovery, when configured: the calibration images' histograms,
 * then the fixes of every (layer, multiplier) pair of the set. */
static int open_recovery(run_env *e, ax_err *err)
{
    const scfg *c = &e->cfg;
    if (!c->rec_tune && !c->rec_compensate)
        return AX_OK;
    double t0 = wallclock_seconds();
    int rc = glue_recovery_hist(e->q, &e->src, c->calib_images, (int)c->threads, &e->rec_hist, err);
    const uint16_t **luts = malloc((size_t)e->n_mults * sizeof *luts);
    if (rc == AX_OK && !luts)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    for (int i = 0; rc == AX_OK && i < e->n_mults; i++)
        luts[i] = mult_lib_entry(e->lib, (size_t)e->mult_entry[i])->lut;
    rec_options ro = {c->rec_tune, c->rec_compensate, (int)c->rec_radius};
    if (rc == AX_OK)
        rc = rec_set_make(e->q, e->rec_hist, luts, e->n_mults, &ro, (int)c->threads, &e->recovery, err);
    free(luts);
    e->recovery_setup_s = wallclock_seconds() - t0;
    return rc;
}

int run_env_fit_create(const run_env *e, int recovery, fit **out, ax_err *err)
{
    const scfg *c = &e->cfg;
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
                    .fixes = recovery && e->recovery ? rec_set_fixes(e->recovery) : NULL,
                    .net = e->net,
                    .faults = e->fm,
                    .val = {e->val.images, e->val.labels, e->val.count, e->val.first},
                    .reps = (int)c->reps,
                    .seed = c->fault_seed,
                    .threads = (int)c->threads,
                    .max_drop = c->max_drop,
                    .obj_area = c->obj_area,
                    .obj_latency = c->obj_latency,
                    .gate_idle = c->gate_idle,
                    .prefix_cache_bytes = (size_t)c->prefix_cache_mb << 20,
                    .confidence = c->confidence,
                    .race_first = c->race_first,
                    .race_confidence = c->race_confidence,
                    .stop = e->stop};
    *out = fit_create(&sp, &su, err);
    return *out ? AX_OK : err->code;
}

/* The fault model, then the fitness function over the search images. */
static int open_fit(run_env *e, ax_err *err)
{
    int rc = glue_fault_model(&e->arch, &e->sram, &e->fm, err);
    if (rc == AX_OK)
        rc = run_env_fit_create(e, 1, &e->fit, err);
    return rc;
}

/* What a run holds at its peak beyond its inputs: the program, the
 * built-in multiplier library (~50 tables and their emulator copies),
 * per-thread activations and the evaluation cache of a long search. */
#define RUN_OVERHEAD_MIB 64

/* The memory a run's configuration asks for, estimated from the files'
 * sizes and headers before any is loaded (MiB, rounded up), against
 * memory_mb: a model, dataset or library too large is refused here, with
 * the file and the figures, instead of by the kernel's OOM killer later.
 * The estimates (docs/search.md, "Memory"): 4x the ONNX file (its import
 * measured 3.1x: file, unpacked protobuf, float graph; then the 8-bit
 * network), twice the training files (read whole, then the split copied)
 * plus the test files, 256 KiB per imported table (its products and the
 * emulator's copy). The prefix cache, a speed-up that changes no result,
 * gets what is left when its prefix_cache_mb does not fit, and says so. */
/* Image folders are decoded to the model's input: their memory follows
 * from it, so the model's input is read first (an import freed at once). */
static int fit_source_for_folders(const scfg *c, ds_source *src, ax_err *err)
{
    ds_format f = src->format;
    if (f == DS_AUTO && ds_detect(src->dir, &f, err) != AX_OK)
        return err->code;
    if (f != DS_FOLDER)
        return AX_OK;
    graph *g = NULL;
    onnx_import_opts io = {1, 0, NULL};
    int rc = onnx_import_file(c->onnx, &io, &g, err);
    if (rc == AX_OK)
        ds_source_fit(src, g);
    graph_free(g);
    return rc;
}

static int check_memory(run_env *e, ax_err *err)
{
    scfg *c = &e->cfg;
    uint64_t budget = (uint64_t)c->memory_mb << 20;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (!budget && pages > 0 && page > 0)
        budget = (uint64_t)pages * (uint64_t)page / 4 * 3;
    if (!budget)
        return AX_OK; /* the machine does not say: no check */
    struct stat st;
    if (stat(c->onnx, &st) != 0)
        return ax_fail(err, AX_EINPUT, "%s: %s", c->onnx, strerror(errno));
    int64_t train = 0, test = 0;
    const char *data = c->data[0] ? c->data : NULL;
    ds_source src = scfg_source(c);
    int rc = fit_source_for_folders(c, &src, err);
    long searched = c->confirm_images > 0 ? c->val_images + c->confirm_images : 0;
    if (rc == AX_OK)
        rc = ds_split_file_bytes(&src, IDX_SPLIT_TRAIN, searched ? c->calib_images + searched : 0, &train, err);
    if (rc == AX_OK)
        rc = ds_split_file_bytes(&src, IDX_SPLIT_TEST, c->test_images, &test, err);
    size_t tables = 0;
    if (rc == AX_OK && c->import[0])
        rc = mult_lib_index_tables(c->import, &tables, err);
    if (rc != AX_OK)
        return rc;
    const uint64_t mib = 1 << 20;
    uint64_t model = (4 * (uint64_t)st.st_size + mib - 1) / mib,
             set = (2 * (uint64_t)train + (uint64_t)test + mib - 1) / mib,
             lib = ((uint64_t)tables * (256 << 10) + mib - 1) / mib, need = model + set + lib + RUN_OVERHEAD_MIB,
             have = budget / mib;
    if (need > have) {
        const char *what = model >= set && model >= lib ? c->onnx
                           : set >= lib                 ? (data ? data : IDX_DEFAULT_DIR)
                                                        : c->import;
        return ax_fail(err, AX_EINPUT,
                       "%s: the largest part of a run that would need about %llu MiB (model %llu, data %llu, "
                       "imported library %llu, the rest %d), more than the memory budget of %llu MiB (%s)",
                       what, (unsigned long long)need, (unsigned long long)model, (unsigned long long)set,
                       (unsigned long long)lib, RUN_OVERHEAD_MIB, (unsigned long long)have,
                       c->memory_mb ? "[search] memory_mb" : "3/4 of physical memory; set [search] memory_mb");
    }
    if ((uint64_t)c->prefix_cache_mb > have - need) {
        run_env_say(e, "memory: the prefix cache gets %llu of its %ld MiB (memory budget %llu MiB, the rest "
                       "needs %llu)\n",
                    (unsigned long long)(have - need), c->prefix_cache_mb, (unsigned long long)have,
                    (unsigned long long)need);
        c->prefix_cache_mb = (long)(have - need);
    }
    return AX_OK;
}

/* The multiplier set as the search sees it: each member's name, family,
 * product table and cost, in gene order. */
static uint64_t library_hash(const run_env *e)
{
    uint64_t h = HASH_FNV_OFFSET;
    for (int i = 0; i < e->n_mults; i++) {
        const mult_entry *m = mult_lib_entry(e->lib, (size_t)e->mult_entry[i]);
        h = hash_fnv1a64(h, m->name, strlen(m->name) + 1);
        h = hash_fnv1a64(h, m->family, strlen(m->family) + 1);
        h = hash_fnv1a64(h, m->lut, 65536 * sizeof *m->lut);
        const double cost[] = {m->cost.area_um2, m->cost.delay_ns, m->cost.energy_pj, m->cost.power_uw};
        h = hash_fnv1a64(h, cost, sizeof cost);
    }
    return h;
}

/* Fills e->inputs (run_env_record) once everything is open. */
static int fingerprint_inputs(run_env *e, ax_err *err)
{
    const scfg *c = &e->cfg;
    uint64_t model = HASH_FNV_OFFSET, data = HASH_FNV_OFFSET, chip = HASH_FNV_OFFSET;
    int rc = fio_hash_file(c->onnx, &model, err);
    if (rc == AX_OK)
        rc = ds_split_hash(&e->src, IDX_SPLIT_TRAIN, &data, err);
    if (rc == AX_OK)
        rc = ds_split_hash(&e->src, IDX_SPLIT_TEST, &data, err);
    if (rc == AX_OK && c->arch[0])
        rc = fio_hash_file(c->arch, &chip, err);
    if (rc != AX_OK)
        return rc;
    char chip_text[32] = "built-in";
    if (c->arch[0])
        snprintf(chip_text, sizeof chip_text, "%016llx", (unsigned long long)chip);
    snprintf(e->inputs, sizeof e->inputs,
             "inputs.model = %016llx\ninputs.data = %016llx\ninputs.chip = %s\ninputs.library = %016llx\n",
             (unsigned long long)model, (unsigned long long)data, chip_text, (unsigned long long)library_hash(e));
    return AX_OK;
}

char *run_env_record(const run_env *e)
{
    char *cfg = scfg_format(&e->cfg);
    if (!cfg)
        return NULL;
    size_t n = strlen(cfg), m = strlen(e->inputs);
    char *text = realloc(cfg, n + m + 1);
    if (!text) {
        free(cfg);
        return NULL;
    }
    memcpy(text + n, e->inputs, m + 1);
    return text;
}

int run_env_open(run_env *e, const scfg *c, volatile sig_atomic_t *stop, ax_err *err)
{
    return run_env_open_as(e, c, stop, 0, err);
}

int run_env_open_as(run_env *e, const scfg *c, volatile sig_atomic_t *stop, int quiet, ax_err *err)
{
    memset(e, 0, sizeof *e);
    e->cfg = *c;
    e->stop = stop;
    e->quiet = quiet;
    int rc = check_memory(e, err);
    if (rc == AX_OK)
        rc = open_model_and_data(e, err);
    if (rc == AX_OK)
        rc = pick_multipliers(e, err);
    if (rc == AX_OK && c->arrays > e->n_mults)
        rc = ax_fail(err, AX_EINPUT, "[bank] arrays = %ld exceeds the %d multipliers of the set", c->arrays,
                     e->n_mults);
    if (rc == AX_OK)
        rc = open_chip(e, err);
    if (rc == AX_OK)
        rc = open_recovery(e, err);
    if (rc == AX_OK)
        rc = open_fit(e, err);
    if (rc == AX_OK)
        rc = fingerprint_inputs(e, err);
    /* A message about a key's value ("[knobs] noc_swing: ...") names the
     * configuration file it came from. */
    if (rc == AX_EINPUT && err->msg[0] == '[' && c->source[0])
        ax_err_prefix(err, "%s", c->source);
    if (rc != AX_OK)
        run_env_close(e);
    return rc;
}

void run_env_close(run_env *e)
{
    dist_free(e->dist);
    fit_free(e->fit);
    rec_set_free(e->recovery);
    rec_hist_free(e->rec_hist);
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
    fit_reference_clear(&e->confirm_ref);
    fit_reference_clear(&e->test_ref);
    idx_dataset_clear(&e->val);
    idx_dataset_clear(&e->test);
    if (e->log)
        fclose(e->log);
    memset(e, 0, sizeof *e);
}

void run_env_nsga_config(const run_env *e, nsga_config *c)
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

