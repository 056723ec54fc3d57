#include "cli/scfg.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fitness/net/idx.h"
#include "util/fileio.h"

/* The longest line the INI reader takes whole (libinih's INI_MAX_LINE
 * holds the newline and the terminating NUL). */
enum { SCFG_MAX_LINE = INI_MAX_LINE - 2 };

typedef enum kind { T_PATH, T_STR, T_LONG, T_U64, T_REAL, T_BOOL, T_LEVELS, T_CHOICE } kind;

typedef struct key {
    const char *section, *name;
    kind type;
    size_t offset, count_offset; /* count_offset: T_LEVELS */
    size_t size;                 /* T_PATH, T_STR, T_CHOICE: buffer size */
    double lo, hi;               /* T_LONG, T_REAL, T_LEVELS */
    const char *choices;         /* T_CHOICE: "a|b" */
    const char *def;
    const char *doc;
} key;

#define OFF(f) offsetof(scfg, f)
#define SZ(f) sizeof(((scfg *)0)->f)

static const key keys[] = {
    {"model", "onnx", T_PATH, OFF(onnx), 0, SZ(onnx), 0, 0, NULL, "",
     "ONNX classifier (required); relative to this file's folder"},
    {"model", "data", T_PATH, OFF(data), 0, SZ(data), 0, 0, NULL, IDX_DEFAULT_DIR,
     "dataset folder: IDX files (Fashion-MNIST from Debian's dataset-fashion-mnist), NumPy train_x/train_y, "
     "test_x/test_y .npy pairs, or CIFAR-10/100 binary batches"},
    {"model", "data_format", T_CHOICE, OFF(data_format), 0, SZ(data_format), 0, 0, "auto|idx|npy|cifar10|cifar100|folder",
     "auto", "the dataset's format; auto: recognised from the folder's files"},
    {"model", "input_mean", T_STR, OFF(input_mean), 0, SZ(input_mean), 0, 0, NULL, "",
     "the input's mean in pixel/255 units, one value or a comma list with one per channel, replacing the "
     "model's axsearch.input_mean; empty: the model's (0 without it)"},
    {"model", "input_std", T_STR, OFF(input_std), 0, SZ(input_std), 0, 0, NULL, "",
     "the input's standard deviation, likewise, replacing axsearch.input_std; empty: the model's (1 without it)"},
    {"model", "image_resize", T_LONG, OFF(image_resize), 0, 0, 0, 65536, NULL, "0",
     "image folders: the shorter side each image is resized to before the centre crop to the model's input; "
     "0: 8/7 of the input's shorter side (256 for 224)"},
    {"model", "search_range", T_STR, OFF(search_range), 0, SZ(search_range), 0, 0, NULL, "",
     "FROM:TO: training-set images [FROM, TO) form the search split (val_images, then confirm_images, from its "
     "start), the longer part before or after them the training split (calibration); empty: the last twelfth"},
    {"model", "test_range", T_STR, OFF(test_range), 0, SZ(test_range), 0, 0, NULL, "",
     "FROM:TO: test-set images [FROM, TO) form the test split; empty: all of them"},
    {"model", "calib_images", T_LONG, OFF(calib_images), 0, 0, 1, 1000000, NULL, "1000",
     "the training split's first images, which calibrate the activation ranges"},
    {"model", "val_images", T_LONG, OFF(val_images), 0, 0, 1, 1000000, NULL, "3000",
     "the search split's first images (Fashion-MNIST: training images 55,000..), which score the search"},
    {"model", "confirm_images", T_LONG, OFF(confirm_images), 0, 0, 0, 1000000, NULL, "0",
     "the next images of the search split, never used during evolution, on which the reported front "
     "is chosen (val_images + confirm_images <= the split's size, 5,000 on Fashion-MNIST); 0: all the rest"},
    {"model", "test_images", T_LONG, OFF(test_images), 0, 0, 1, 10000000, NULL, "10000",
     "the test split's first images, which re-score the final front (never seen by the search)"},
    {"library", "families", T_STR, OFF(families), 0, SZ(families), 0, 0, NULL, "all",
     "multiplier families of the library (all, or a comma list: exact,trunc,bam,...)"},
    {"library", "include", T_STR, OFF(include), 0, SZ(include), 0, 0, NULL, "",
     "comma list of multiplier names: exactly these (plus the exact reference); empty: by family"},
    {"library", "import", T_PATH, OFF(import), 0, SZ(import), 0, 0, NULL, "",
     "index file of extra product tables (e.g. approx/data/evoapprox/index.tsv); empty: none"},
    {"library", "max_power_rel", T_REAL, OFF(max_power_rel), 0, 0, 0.01, 10, NULL, "1.0",
     "keep designs whose power is at most this times the exact reference design's"},
    {"knobs", "noc_swing", T_LEVELS, OFF(noc_swing), OFF(n_swing), 0, 0.001, 5, NULL, "0.8",
     "NoC link swing levels, V, decreasing (first: nominal of the chip)"},
    {"knobs", "noc_bits", T_LONG, OFF(noc_bits), 0, 0, 0, 8, NULL, "8",
     "lowest bits of each 8-bit NoC word sent at the reduced swing"},
    {"knobs", "sram_v_input", T_LEVELS, OFF(sram_v_input), OFF(n_vin), 0, 0.05, 5, NULL, "0.8",
     "PE input buffer supply levels, V, decreasing (first: nominal)"},
    {"knobs", "sram_v_weight", T_LEVELS, OFF(sram_v_weight), OFF(n_vw), 0, 0.05, 5, NULL, "0.8",
     "PE weight buffer supply levels, V, decreasing (first: nominal)"},
    {"knobs", "per_layer", T_BOOL, OFF(per_layer), 0, 0, 0, 0, NULL, "no",
     "yes: every layer picks its own levels of the three knobs (3 genes per layer)"},
    {"knobs", "fault_seed", T_U64, OFF(fault_seed), 0, 0, 0, 0, NULL, "1",
     "seed of the bit-error draws: the same for every chromosome and every search seed, so runs "
     "with different [search] seeds score designs alike"},
    {"bank", "arrays", T_LONG, OFF(arrays), 0, 0, 0, 16, NULL, "0",
     "0: a multiplier per layer; K > 0: K multiplier arrays on chip, each layer routed to one"},
    {"recovery", "weight_tuning", T_BOOL, OFF(rec_tune), 0, 0, 0, 0, NULL, "no",
     "yes: every weight code of a layer is stored as the code whose products through the layer's "
     "multiplier best match the exact ones over the calibration images (ALWANN weight tuning)"},
    {"recovery", "bias_compensation", T_BOOL, OFF(rec_compensate), 0, 0, 0, 0, NULL, "no",
     "yes: the expected error of a layer's approximate products (calibration images) is taken "
     "out of each output channel's int32 bias"},
    {"recovery", "tune_radius", T_LONG, OFF(rec_radius), 0, 0, 0, 255, NULL, "255",
     "weight tuning: candidate codes within this distance of the original code (255: any)"},
    {"objectives", "confidence", T_REAL, OFF(confidence), 0, 0, 0.5, 0.999999, NULL, "0.95",
     "a design is feasible when the one-sided upper confidence bound of its drop is within max_drop"},
    {"objectives", "max_drop", T_REAL, OFF(max_drop), 0, 0, 0, 100, NULL, "1.0",
     "constraint: top-1 drop against the exact 8-bit design, percentage points"},
    {"objectives", "area", T_BOOL, OFF(obj_area), 0, 0, 0, 0, NULL, "no",
     "also minimize chip area"},
    {"objectives", "latency", T_BOOL, OFF(obj_latency), 0, 0, 0, 0, NULL, "no",
     "also minimize latency"},
    {"search", "population", T_LONG, OFF(population), 0, 0, 4, 100000, NULL, "40",
     "NSGA-II population (even)"},
    {"search", "generations", T_LONG, OFF(generations), 0, 0, 1, 1000000, NULL, "30",
     "generations, the initial population included"},
    {"search", "seed", T_U64, OFF(seed), 0, 0, 0, 0, NULL, "1",
     "seed of the search's random draws (population, variation, random-search baseline)"},
    {"search", "reps", T_LONG, OFF(reps), 0, 0, 1, 255, NULL, "3",
     "repetitions of the emulation when any bit error rate is above zero"},
    {"search", "threads", T_LONG, OFF(threads), 0, 0, 0, 4096, NULL, "0",
     "OpenMP threads; 0: all (results do not depend on it)"},
    {"search", "time_limit", T_REAL, OFF(time_limit), 0, 0, 0, 1e9, NULL, "0",
     "stop after this many seconds (checked between generations); 0: none"},
    {"search", "crossover", T_CHOICE, OFF(crossover), 0, SZ(crossover), 0, 0, "uniform|two_point",
     "uniform", "crossover of the integer genes"},
    {"search", "mutation", T_CHOICE, OFF(mutation), 0, SZ(mutation), 0, 0, "step|reset", "step",
     "step: move a gene by +-1..step_max (neighbours are similar designs); reset: any value"},
    {"search", "mutation_prob", T_REAL, OFF(mutation_prob), 0, 0, 0, 1, NULL, "0",
     "mutation probability per gene; 0: 1/genes"},
    {"search", "step_max", T_LONG, OFF(step_max), 0, 0, 1, 1000, NULL, "2",
     "largest move of the step mutation"},
    {"search", "prefix_cache_mb", T_LONG, OFF(prefix_cache_mb), 0, 0, 0, 1 << 20, NULL, "1024",
     "memory for activations shared by chromosomes with a common prefix (MiB); 0: off"},
    {"search", "memory_mb", T_LONG, OFF(memory_mb), 0, 0, 0, 1L << 30, NULL, "0",
     "memory the run may take (MiB): a model, dataset or imported library whose estimate passes it is refused "
     "before it is loaded; 0: 3/4 of the machine's physical memory"},
    {"search", "race_first_images", T_LONG, OFF(race_first), 0, 0, 0, 1000000, NULL, "250",
     "racing: a chromosome is scored in stages of this many images, then twice, four times as many... "
     "up to val_images, and stops once clearly infeasible or dominated; 0: every image at once"},
    {"search", "race_confidence", T_REAL, OFF(race_confidence), 0, 0, 0.5, 0.999999, NULL, "0.99",
     "confidence of each racing look (one-sided)"},
    {"search", "baselines", T_BOOL, OFF(baselines), 0, 0, 0, 0, NULL, "yes",
     "after the search, run the baselines (axsearch baselines) into the same folder"},
    {"chip", "arch", T_PATH, OFF(arch), 0, SZ(arch), 0, 0, NULL, "",
     "chip description (INI, see configs/simba.ini or configs/systolic.ini); empty: the built-in Simba chiplet"},
    {"chip", "mapping", T_CHOICE, OFF(mapping), 0, SZ(mapping), 0, 0, "energy|edp", "energy",
     "what the per-layer mapping search minimizes"},
    {"chip", "gate_idle_arrays", T_BOOL, OFF(gate_idle), 0, 0, 0, 0, NULL, "no",
     "multiplier arrays idle during a layer are power-gated (no: they leak); area counts them all"},
};

enum { N_KEYS = sizeof keys / sizeof keys[0] };

/* Joins dir and a relative path; absolute paths and "" stay as they are. */
static int resolve_path(const char *value, const char *dir, char *out, size_t size)
{
    if (!value[0] || value[0] == '/' || !dir || !dir[0])
        return snprintf(out, size, "%s", value) < (int)size ? 0 : -1;
    char joined[2 * SCFG_PATH + 2];
    if (snprintf(joined, sizeof joined, "%s/%s", dir, value) >= (int)sizeof joined)
        return -1;
    /* realpath when the file exists, so the stored path is canonical. */
    char *real = realpath(joined, NULL);
    int n = snprintf(out, size, "%s", real ? real : joined);
    free(real);
    return n < (int)size ? 0 : -1;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
        *out = 1;
    else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
             !strcasecmp(v, "off"))
        *out = 0;
    else
        return -1;
    return 0;
}

/* The setters of set_key: each parses value into dst (the key's field)
 * and returns 0, or -1 with why in msg. */

static int set_choice(const key *k, const char *value, char *dst, char *msg, size_t msz)
{
    size_t len = strlen(value);
    const char *p = k->choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && !strncmp(p, value, n)) {
            snprintf(dst, k->size, "%s", value);
            return 0;
        }
        p += n + (bar ? 1 : 0);
    }
    snprintf(msg, msz, "expected one of %s, got '%s'", k->choices, value);
    return -1;
}

static int set_long(const key *k, const char *value, long *dst, char *msg, size_t msz)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < k->lo || v > k->hi) {
        snprintf(msg, msz, "expected an integer in [%.0f, %.0f], got '%s'", k->lo, k->hi, value);
        return -1;
    }
    *dst = v;
    return 0;
}

static int set_u64(const char *value, unsigned long long *dst, char *msg, size_t msz)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 0);
    if (errno || end == value || *end || value[0] == '-') {
        snprintf(msg, msz, "expected a non-negative integer, got '%s'", value);
        return -1;
    }
    *dst = v;
    return 0;
}

static int set_real(const key *k, const char *value, double *dst, char *msg, size_t msz)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value || *end || !isfinite(v) || v < k->lo || v > k->hi) {
        snprintf(msg, msz, "expected a number in [%g, %g], got '%s'", k->lo, k->hi, value);
        return -1;
    }
    *dst = v;
    return 0;
}

/* A strictly decreasing list of volts, "0.8, 0.7, 0.6", into
 * levels[SCFG_MAX_LEVELS] and *count (unchanged on failure). */
static int set_levels(const key *k, const char *value, double *levels, int *count, char *msg, size_t msz)
{
    int n = 0;
    const char *p = value;
    char *end;
    while (*p) {
        errno = 0;
        double v = strtod(p, &end);
        if (errno || end == p || !isfinite(v) || v < k->lo || v > k->hi) {
            snprintf(msg, msz, "expected comma-separated volts in [%g, %g], got '%s'", k->lo, k->hi, value);
            return -1;
        }
        if (n == SCFG_MAX_LEVELS) {
            snprintf(msg, msz, "at most %d levels", SCFG_MAX_LEVELS);
            return -1;
        }
        if (n > 0 && !(v < levels[n - 1])) {
            snprintf(msg, msz, "levels must decrease strictly (%g after %g)", v, levels[n - 1]);
            return -1;
        }
        levels[n++] = v;
        while (*end == ' ' || *end == '\t')
            end++;
        int comma = *end == ',';
        if (comma)
            end++;
        else if (*end) {
            snprintf(msg, msz, "expected comma-separated volts, got '%s'", value);
            return -1;
        }
        while (*end == ' ' || *end == '\t')
            end++;
        if (!*end && comma) {
            snprintf(msg, msz, "a level is missing after the last comma in '%s'", value);
            return -1;
        }
        p = end;
    }
    if (n == 0) {
        snprintf(msg, msz, "expected at least one level");
        return -1;
    }
    *count = n;
    return 0;
}

/* Sets one key from text; on failure writes why into msg. */
static int set_key(scfg *c, const key *k, const char *value, const char *dir, char *msg, size_t msz)
{
    char *base = (char *)c;
    switch (k->type) {
    case T_PATH:
        if (resolve_path(value, dir, base + k->offset, k->size) != 0) {
            snprintf(msg, msz, "path too long");
            return -1;
        }
        return 0;
    case T_STR:
        if (snprintf(base + k->offset, k->size, "%s", value) >= (int)k->size) {
            snprintf(msg, msz, "value too long");
            return -1;
        }
        return 0;
    case T_CHOICE: return set_choice(k, value, base + k->offset, msg, msz);
    case T_BOOL:
        if (parse_bool(value, (int *)(base + k->offset)) != 0) {
            snprintf(msg, msz, "expected yes or no, got '%s'", value);
            return -1;
        }
        return 0;
    case T_LONG: return set_long(k, value, (long *)(base + k->offset), msg, msz);
    case T_U64: return set_u64(value, (unsigned long long *)(base + k->offset), msg, msz);
    case T_REAL: return set_real(k, value, (double *)(base + k->offset), msg, msz);
    case T_LEVELS:
        return set_levels(k, value, (double *)(base + k->offset), (int *)(base + k->count_offset), msg, msz);
    }
    return -1;
}

void scfg_defaults(scfg *c)
{
    memset(c, 0, sizeof *c);
    char msg[256];
    for (int i = 0; i < N_KEYS; i++)
        set_key(c, &keys[i], keys[i].def, NULL, msg, sizeof msg);
}

typedef struct parse_ctx {
    scfg *c;
    const char *dir;
    unsigned char seen[N_KEYS];
    char msg[1100]; /* the first error */
} parse_ctx;

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *p = user;
    int found = -1, section_known = 0;
    for (int i = 0; i < N_KEYS; i++) {
        if (!strcmp(keys[i].section, section)) {
            section_known = 1;
            if (!strcmp(keys[i].name, name))
                found = i;
        }
    }
    char msg[400] = "";
    if (!section_known)
        snprintf(msg, sizeof msg, "unknown section [%s]", section);
    else if (found < 0)
        snprintf(msg, sizeof msg, "unknown key '%s' in [%s]", name, section);
    else if (p->seen[found])
        snprintf(msg, sizeof msg, "key '%s' in [%s] given twice", name, section);
    else if (set_key(p->c, &keys[found], value, p->dir, msg, sizeof msg) == 0) {
        p->seen[found] = 1;
        return 1;
    } else {
        char tmp[1100];
        snprintf(tmp, sizeof tmp, "[%s] %s: %s", section, name, msg);
        if (!p->msg[0])
            snprintf(p->msg, sizeof p->msg, "%s", tmp);
        return 0;
    }
    if (!p->msg[0])
        snprintf(p->msg, sizeof p->msg, "%s", msg);
    return 0;
}

/* Whether line number `line` of text is no INI line at all. The reader
 * reports the first bad line, but the handler's message may belong to a
 * later one (after an unclosed "[search", keys land in the section before). */
static int syntax_error_at(const char *text, int line)
{
    const char *p = text;
    for (int i = 1; i < line && p; i++)
        if ((p = strchr(p, '\n')))
            p++;
    if (!p)
        return 0;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strcspn(p, "\r\n");
    if (p[0] == '[')
        return memchr(p, ']', len) == NULL;
    return len > 0 && p[0] != ';' && p[0] != '#' && !memchr(p, '=', len) && !memchr(p, ':', len);
}

static int finish(int line, parse_ctx *p, const char *text, const char *name, ax_err *err)
{
    if (line < 0)
        return ax_fail(err, AX_EINPUT, "%s: cannot read", name);
    if (line > 0 && (!p->msg[0] || syntax_error_at(text, line)))
        return ax_fail(err, AX_EINPUT, "%s:%d: not an INI line (expected [section] or key = value)", name, line);
    if (line > 0)
        return ax_fail(err, AX_EINPUT, "%s:%d: %s", name, line, p->msg);
    return scfg_check(p->c, name, err);
}

int scfg_load_string(const char *text, const char *name, const char *dir, scfg *c, ax_err *err)
{
    /* The INI reader cuts longer lines and reads the rest as a line of its
     * own, which can silently set a key from a comment's tail. */
    if (fio_check_line_lengths(text, name, SCFG_MAX_LINE, err) != AX_OK ||
        fio_check_ini_sections(text, name, err) != AX_OK)
        return err->code;
    snprintf(c->source, sizeof c->source, "%s", name);
    parse_ctx p = {c, dir, {0}, ""};
    return finish(ini_parse_string(text, handler, &p), &p, text, name, err);
}

int scfg_load(const char *path, scfg *c, ax_err *err)
{
    unsigned char *text;
    size_t len;
    int rc = fio_read_all(path, FIO_MAX_TEXT, &text, &len, err);
    if (rc != AX_OK)
        return rc;
    if (strlen((char *)text) != len) {
        free(text);
        return ax_fail(err, AX_EINPUT, "%s: not a text file (NUL byte)", path);
    }
    char dir[SCFG_PATH];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    char *real = realpath(dir, NULL);
    if (real) {
        snprintf(dir, sizeof dir, "%s", real);
        free(real);
    }
    rc = scfg_load_string((char *)text, path, dir, c, err);
    free(text);
    return rc;
}

static void format_value(const scfg *c, const key *k, char *out, size_t size);

int scfg_check(const scfg *c, const char *name, ax_err *err)
{
    /* config.ini holds the resolved values (absolute paths): each must fit
     * a line, or resume could not read it back. */
    for (int i = 0; i < N_KEYS; i++) {
        char value[2048];
        format_value(c, &keys[i], value, sizeof value);
        size_t len = strlen(keys[i].name) + 3 + strlen(value);
        if (len > SCFG_MAX_LINE)
            return ax_fail(err, AX_EINPUT, "%s: [%s] %s: %zu characters once resolved ('%s'); a config line holds at "
                                           "most %d (use a shorter path)",
                           name, keys[i].section, keys[i].name, len, value, SCFG_MAX_LINE);
    }
    if (!c->onnx[0])
        return ax_fail(err, AX_EINPUT, "%s: [model] onnx is required", name);
    if (c->population % 2)
        return ax_fail(err, AX_EINPUT, "%s: [search] population must be even, got %ld", name, c->population);
    if (c->calib_images < 1 || c->val_images < 1)
        return ax_fail(err, AX_EINPUT, "%s: image counts must be positive", name);
    int64_t from, to;
    if (ds_parse_range(c->search_range, &from, &to) != 0)
        return ax_fail(err, AX_EINPUT, "%s: [model] search_range = '%s': expected FROM:TO with 0 <= FROM < TO, "
                                       "or nothing", name, c->search_range);
    if (ds_parse_range(c->test_range, &from, &to) != 0)
        return ax_fail(err, AX_EINPUT, "%s: [model] test_range = '%s': expected FROM:TO with 0 <= FROM < TO, "
                                       "or nothing", name, c->test_range);
    return AX_OK;
}

ds_source scfg_source(const scfg *c)
{
    ds_source s = {c->data[0] ? c->data : NULL, DS_AUTO, 0, 0, 0, 0, 0, 0, 0, (int)c->image_resize};
    ds_format_from_name(c->data_format, &s.format);
    ds_parse_range(c->search_range, &s.search_from, &s.search_to);
    ds_parse_range(c->test_range, &s.test_from, &s.test_to);
    return s;
}

/* The shortest %g form that reads back as v: config.ini lines stay short
 * (0.8, not 0.80000000000000004) and resume reads the same doubles. */
static int shortest_g(char *out, size_t size, double v)
{
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(out, size, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    return n;
}

static void format_value(const scfg *c, const key *k, char *out, size_t size)
{
    const char *base = (const char *)c;
    switch (k->type) {
    case T_PATH:
    case T_STR:
    case T_CHOICE:
        snprintf(out, size, "%s", base + k->offset);
        break;
    case T_BOOL:
        snprintf(out, size, "%s", *(const int *)(base + k->offset) ? "yes" : "no");
        break;
    case T_LONG:
        snprintf(out, size, "%ld", *(const long *)(base + k->offset));
        break;
    case T_U64:
        snprintf(out, size, "%llu", *(const unsigned long long *)(base + k->offset));
        break;
    case T_REAL:
        shortest_g(out, size, *(const double *)(base + k->offset));
        break;
    case T_LEVELS: {
        const double *v = (const double *)(base + k->offset);
        int n = *(const int *)(base + k->count_offset);
        size_t at = 0;
        out[0] = '\0';
        for (int i = 0; i < n && at < size; i++) {
            at += (size_t)snprintf(out + at, size - at, "%s", i ? ", " : "");
            if (at < size)
                at += (size_t)shortest_g(out + at, size - at, v[i]);
        }
        break;
    }
    }
}

static void write_all(const scfg *c, FILE *f, int with_values)
{
    const char *section = "";
    for (int i = 0; i < N_KEYS; i++) {
        const key *k = &keys[i];
        if (strcmp(section, k->section)) {
            fprintf(f, "%s[%s]\n", i ? "\n" : "", k->section);
            section = k->section;
        }
        char value[2048];
        if (with_values)
            format_value(c, k, value, sizeof value);
        else
            snprintf(value, sizeof value, "%s", k->def);
        /* the doc wrapped into comment lines well inside the reader's limit */
        for (const char *d = k->doc; *d;) {
            size_t len = strlen(d), cut = len;
            if (len > 76) {
                cut = 76;
                while (cut > 0 && d[cut] != ' ')
                    cut--;
                if (cut == 0)
                    cut = len;
            }
            fprintf(f, "; %.*s\n", (int)cut, d);
            d += cut;
            while (*d == ' ')
                d++;
        }
        fprintf(f, "%s = %s\n", k->name, value);
    }
}

int scfg_write(const scfg *c, const char *path, ax_err *err)
{
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    fprintf(f, "; axsearch search configuration, every key resolved (paths absolute).\n"
               "; axsearch resume reads this file.\n\n");
    write_all(c, f, 1);
    return fio_atomic_commit(w, err);
}

char *scfg_format(const scfg *c)
{
    size_t cap = 4096, n = 0;
    char *text = malloc(cap);
    if (!text)
        return NULL;
    text[0] = '\0';
    for (int i = 0; i < N_KEYS; i++) {
        char value[2048], line[2200];
        format_value(c, &keys[i], value, sizeof value);
        int len = snprintf(line, sizeof line, "%s.%s = %s\n", keys[i].section, keys[i].name, value);
        if (len < 0 || (size_t)len >= sizeof line)
            len = (int)sizeof line - 1;
        if (n + (size_t)len + 1 > cap) {
            cap = 2 * (n + (size_t)len + 1);
            char *grown = realloc(text, cap);
            if (!grown) {
                free(text);
                return NULL;
            }
            text = grown;
        }
        memcpy(text + n, line, (size_t)len);
        n += (size_t)len;
        text[n] = '\0';
    }
    return text;
}

/* The line of text that starts with name (key_len bytes, then " = "), or NULL; *len
 * gets its length without the newline. */
static const char *find_line(const char *text, const char *name, size_t key_len, size_t *len)
{
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n >= key_len + 3 && !strncmp(p, name, key_len) && !strncmp(p + key_len, " = ", 3)) {
            *len = n;
            return p;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

/* Whether "section.key" (or its bare key) is in the comma list. */
static int listed(const char *list, const char *full, size_t full_len)
{
    const char *dot = memchr(full, '.', full_len);
    const char *bare = dot ? dot + 1 : full;
    size_t bare_len = full_len - (size_t)(bare - full);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (n && ((n == full_len && !strncmp(p, full, n)) || (n == bare_len && !strncmp(p, bare, n))))
            return 1;
        p += n;
    }
    return 0;
}

/* Appends one key name to the comma list in out. */
static void append_key(char *out, size_t cap, const char *name, size_t key_len)
{
    size_t n = strlen(out);
    if (n + key_len + 6 >= cap) {
        if (n + 4 < cap && (n < 3 || strcmp(out + n - 3, "...")))
            strcat(out, n ? ", ..." : "...");
        return;
    }
    snprintf(out + n, cap - n, "%s%.*s", n ? ", " : "", (int)key_len, name);
}

/* Whether a "section.key = value" line of n bytes holds a key at its
 * documented default (as written in the table): a key added after a run was recorded reads as unchanged
 * while it keeps its default. */
static int default_line(const char *p, size_t n)
{
    for (int i = 0; i < N_KEYS; i++) {
        const key *k = &keys[i];
        char line[512];
        int len = snprintf(line, sizeof line, "%s.%s = %s", k->section, k->name, k->def);
        if (len > 0 && (size_t)len == n && !strncmp(line, p, n))
            return 1;
    }
    return 0;
}

int scfg_changed_keys(const char *recorded, const char *now, const char *allowed, char *out, size_t cap)
{
    int changed = 0;
    if (cap)
        out[0] = '\0';
    /* Both ways, so a key that only one text holds is named. */
    for (int pass = 0; pass < 2; pass++) {
        const char *a = pass ? now : recorded, *b = pass ? recorded : now;
        for (const char *p = a; p && *p;) {
            const char *end = strchr(p, '\n');
            size_t n = end ? (size_t)(end - p) : strlen(p);
            const char *eq = strstr(p, " = ");
            size_t key_len = eq && eq < p + n ? (size_t)(eq - p) : n, other_len = 0;
            const char *other = find_line(b, p, key_len, &other_len);
            int differs = pass ? !other && !default_line(p, n) : !other || other_len != n || strncmp(other, p, n);
            if (key_len && differs && !listed(allowed, p, key_len)) {
                changed++;
                if (cap)
                    append_key(out, cap, p, key_len);
            }
            p = end ? end + 1 : NULL;
        }
    }
    return changed;
}

void scfg_print_defaults(void)
{
    printf("; axsearch search configuration: every key with its default.\n\n");
    write_all(NULL, stdout, 0);
}
