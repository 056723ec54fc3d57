/* mult_lib: see mult_lib.h. */
#include "approx/mult_lib.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approx/cell45.h"
#include "approx/mfam.h"
#include "approx/netlist.h"
#include "util/fileio.h"
#include "util/pcg.h"

#define SWITCH_WORDS (MULT_SWITCH_PAIRS / 64)
#define MAX_NAME 63

/* Fixed seed of the switching streams: costs are properties of a design,
 * not of a run. Index 0 of the purpose tag: uniform stream; 1: histograms. */
#define SWITCH_SEED 0x6d756c74u

typedef struct lib_entry {
    mult_entry pub;
    char *name, *family;
    uint16_t *lut;
    nl_netlist *nl; /* NULL for imported tables */
} lib_entry;

struct mult_lib {
    lib_entry *e;
    size_t n, cap;
    nl_netlist *ref;       /* MULT_REFERENCE's netlist */
    double ref_energy_pj;  /* its uniform energy (calibrated) */
    double ref_power_uw;
};

/* ---- simulation helpers ---- */

static void lut_from_netlist(const nl_netlist *nl, uint16_t *lut, uint64_t *scratch)
{
    /* Word w: a = w / 4 in every lane, b = (w % 4) * 64 + lane. */
    static const uint64_t pattern[6] = {0xAAAAAAAAAAAAAAAAULL, 0xCCCCCCCCCCCCCCCCULL,
                                        0xF0F0F0F0F0F0F0F0ULL, 0xFF00FF00FF00FF00ULL,
                                        0xFFFF0000FFFF0000ULL, 0xFFFFFFFF00000000ULL};
    uint64_t in[16], out[16];
    for (int w = 0; w < 1024; w++) {
        int a = w >> 2;
        for (int i = 0; i < 8; i++)
            in[i] = (a >> i & 1) ? ~(uint64_t)0 : 0;
        for (int i = 0; i < 6; i++)
            in[8 + i] = pattern[i];
        in[14] = (w & 1) ? ~(uint64_t)0 : 0;
        in[15] = (w & 2) ? ~(uint64_t)0 : 0;
        nl_eval64(nl, in, out, scratch);
        uint16_t *dst = lut + a * 256 + (w & 3) * 64;
        for (int l = 0; l < 64; l++) {
            unsigned v = 0;
            for (int j = 0; j < 16; j++)
                v |= (unsigned)(out[j] >> l & 1u) << j;
            dst[l] = (uint16_t)v;
        }
    }
}

/* Packs operand pairs (a[k], b[k]) into the netlist's input words. */
static void pack_stream(const uint8_t *a, const uint8_t *b, uint64_t *words)
{
    memset(words, 0, (size_t)SWITCH_WORDS * 16 * sizeof *words);
    for (size_t k = 0; k < MULT_SWITCH_PAIRS; k++) {
        uint64_t *w = words + (k / 64) * 16;
        unsigned lane = (unsigned)(k % 64);
        for (int i = 0; i < 8; i++) {
            w[i] |= (uint64_t)(a[k] >> i & 1u) << lane;
            w[8 + i] |= (uint64_t)(b[k] >> i & 1u) << lane;
        }
    }
}

static void uniform_stream(uint64_t *words)
{
    uint8_t a[MULT_SWITCH_PAIRS], b[MULT_SWITCH_PAIRS];
    pcg32 rng = pcg32_derive4(SWITCH_SEED, PCG_PURPOSE_SWITCHING, 0, 0, 0, 0);
    for (size_t k = 0; k < MULT_SWITCH_PAIRS; k++) {
        uint32_t r = pcg32_next(&rng);
        a[k] = (uint8_t)(r & 0xff);
        b[k] = (uint8_t)(r >> 8 & 0xff);
    }
    pack_stream(a, b, words);
}

static int draw(const double *cdf, double u)
{
    int lo = 0, hi = 255; /* first index with cdf > u */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int hist_cdf(const double *h, double *cdf, const char *what, ax_err *err)
{
    double s;
    int rc = mult_hist_check(h, what, &s, err);
    if (rc != AX_OK)
        return rc;
    double c = 0;
    for (int i = 0; i < 256; i++) {
        c += h[i];
        cdf[i] = c / s;
    }
    /* The last non-zero bin catches every u < 1 despite rounding. */
    for (int i = 255; i >= 0; i--)
        if (h[i] > 0) {
            cdf[i] = 2.0;
            break;
        }
    return AX_OK;
}

static int hist_stream(const double *act, const double *wgt, uint64_t *words, ax_err *err)
{
    double ca[256], cw[256];
    int rc = hist_cdf(act, ca, "activation", err);
    if (rc == AX_OK)
        rc = hist_cdf(wgt, cw, "weight", err);
    if (rc != AX_OK)
        return rc;
    uint8_t a[MULT_SWITCH_PAIRS], b[MULT_SWITCH_PAIRS];
    pcg32 rng = pcg32_derive4(SWITCH_SEED, PCG_PURPOSE_SWITCHING, 1, 0, 0, 0);
    for (size_t k = 0; k < MULT_SWITCH_PAIRS; k++) {
        a[k] = (uint8_t)draw(ca, pcg32_double(&rng));
        b[k] = (uint8_t)draw(cw, pcg32_double(&rng));
    }
    pack_stream(a, b, words);
    return AX_OK;
}

/* Calibrated dynamic energy per multiplication (pJ) of a stream. */
static int stream_energy(const nl_netlist *nl, const uint64_t *words, double *energy_pj,
                         double *glitch_pct, ax_err *err)
{
    nl_switching sw;
    int rc = nl_simulate_switching(nl, words, SWITCH_WORDS, &sw, err);
    if (rc != AX_OK)
        return rc;
    *energy_pj = sw.energy_fj / 1000.0 / (double)sw.transitions * cell45_calibration_get()->energy;
    if (glitch_pct)
        *glitch_pct = sw.toggles > 0 ? (sw.toggles - sw.func_toggles) / sw.toggles * 100.0 : 0.0;
    return AX_OK;
}

static void netlist_cost(const nl_netlist *nl, double energy_pj, mult_cost *c)
{
    const cell45_calibration *cal = cell45_calibration_get();
    nl_stats st;
    nl_get_stats(nl, &st);
    c->area_um2 = st.area_um2 * cal->area;
    c->delay_ns = st.delay_ps / 1000.0 * cal->delay;
    c->leakage_uw = st.leakage_nw / 1000.0 * cal->leakage;
    c->energy_pj = energy_pj;
    c->power_uw = energy_pj * 1000.0 * MULT_CLOCK_GHZ + c->leakage_uw;
    c->cells = st.cells;
}

/* ---- library ---- */

static void entry_free(lib_entry *e)
{
    free(e->name);
    free(e->family);
    free(e->lut);
    nl_free(e->nl);
}

void mult_lib_free(mult_lib *lib)
{
    if (!lib)
        return;
    for (size_t i = 0; i < lib->n; i++)
        entry_free(&lib->e[i]);
    free(lib->e);
    nl_free(lib->ref);
    free(lib);
}

static int cmp_entry(const void *x, const void *y)
{
    const lib_entry *a = x, *b = y;
    if (a->pub.cost.power_uw < b->pub.cost.power_uw)
        return -1;
    if (a->pub.cost.power_uw > b->pub.cost.power_uw)
        return 1;
    return strcmp(a->name, b->name);
}

static void lib_sort(mult_lib *lib)
{
    if (lib->n > 1) /* an empty library's array may be NULL */
        qsort(lib->e, lib->n, sizeof *lib->e, cmp_entry);
}

static int reserve(mult_lib *lib, size_t extra, ax_err *err)
{
    if (lib->n + extra <= lib->cap)
        return AX_OK;
    size_t ncap = lib->cap ? lib->cap : 64;
    while (ncap < lib->n + extra)
        ncap *= 2;
    lib_entry *t = realloc(lib->e, ncap * sizeof *t);
    if (!t)
        return ax_fail(err, AX_EINTERNAL, "multiplier library: out of memory");
    lib->e = t;
    lib->cap = ncap;
    return AX_OK;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int reference_netlist(mult_lib *lib, ax_err *err)
{
    const mfam_family *f = mfam_find("exact");
    const mfam_design *d = NULL;
    for (size_t i = 0; f && i < f->n_designs; i++)
        if (!strcmp(f->designs[i].name, MULT_REFERENCE))
            d = &f->designs[i];
    if (!d)
        return ax_fail(err, AX_EINTERNAL, "multiplier library: no design %s", MULT_REFERENCE);
    int rc = mfam_netlist(f, d->param, &lib->ref, err);
    if (rc != AX_OK)
        return rc;
    uint64_t *words = malloc((size_t)SWITCH_WORDS * 16 * sizeof *words);
    if (!words)
        return ax_fail(err, AX_EINTERNAL, "multiplier library: out of memory");
    uniform_stream(words);
    rc = stream_energy(lib->ref, words, &lib->ref_energy_pj, NULL, err);
    free(words);
    if (rc != AX_OK)
        return rc;
    mult_cost c;
    netlist_cost(lib->ref, lib->ref_energy_pj, &c);
    lib->ref_power_uw = c.power_uw;
    return AX_OK;
}

mult_lib *mult_lib_create_empty(ax_err *err)
{
    mult_lib *lib = calloc(1, sizeof *lib);
    if (!lib) {
        ax_fail(err, AX_EINTERNAL, "multiplier library: out of memory");
        return NULL;
    }
    if (reference_netlist(lib, err) != AX_OK) {
        mult_lib_free(lib);
        return NULL;
    }
    return lib;
}

typedef struct job {
    const mfam_family *f;
    const mfam_design *d;
    lib_entry out;
    int rc;
    ax_err err;
} job;

static void run_job(job *j, const uint64_t *words)
{
    lib_entry *e = &j->out;
    memset(e, 0, sizeof *e);
    j->rc = mfam_netlist(j->f, j->d->param, &e->nl, &j->err);
    if (j->rc != AX_OK)
        return;
    e->lut = malloc(MULT_LUT_SIZE * sizeof *e->lut);
    uint64_t *scratch = malloc(nl_eval_scratch(e->nl) * sizeof *scratch);
    e->name = dupstr(j->d->name);
    e->family = dupstr(j->f->name);
    if (!e->lut || !scratch || !e->name || !e->family) {
        free(scratch);
        j->rc = ax_fail(&j->err, AX_EINTERNAL, "%s: out of memory", j->d->name);
        return;
    }
    lut_from_netlist(e->nl, e->lut, scratch);
    free(scratch);
    double energy, glitch;
    j->rc = stream_energy(e->nl, words, &energy, &glitch, &j->err);
    if (j->rc != AX_OK)
        return;
    mult_metrics_compute(e->lut, &e->pub.metrics);
    netlist_cost(e->nl, energy, &e->pub.cost);
    e->pub.cost.glitch_pct = glitch;
    e->pub.zero_safe = mult_lut_zero_safe(e->lut);
}

static void publish(mult_lib *lib)
{
    for (size_t i = 0; i < lib->n; i++) {
        lib_entry *e = &lib->e[i];
        e->pub.name = e->name;
        e->pub.family = e->family;
        e->pub.lut = e->lut;
        e->pub.imported = e->nl == NULL;
        e->pub.cost.power_rel = e->pub.cost.power_uw / lib->ref_power_uw;
    }
}

mult_lib *mult_lib_create_default(ax_err *err)
{
    mult_lib *lib = mult_lib_create_empty(err);
    if (!lib)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < mfam_count(); i++)
        n += mfam_get(i)->n_designs;
    job *jobs = calloc(n, sizeof *jobs);
    uint64_t *words = malloc((size_t)SWITCH_WORDS * 16 * sizeof *words);
    if (!jobs || !words || reserve(lib, n, err) != AX_OK) {
        free(jobs);
        free(words);
        mult_lib_free(lib);
        ax_fail(err, AX_EINTERNAL, "multiplier library: out of memory");
        return NULL;
    }
    uniform_stream(words);
    size_t k = 0;
    for (size_t i = 0; i < mfam_count(); i++)
        for (size_t d = 0; d < mfam_get(i)->n_designs; d++) {
            jobs[k].f = mfam_get(i);
            jobs[k].d = &mfam_get(i)->designs[d];
            k++;
        }
    /* Each job is independent and deterministic: results do not depend on
     * the number of threads. */
#pragma omp parallel for schedule(dynamic, 1)
    for (long j = 0; j < (long)n; j++)
        run_job(&jobs[j], words);
    free(words);
    int rc = AX_OK;
    for (size_t j = 0; j < n; j++) {
        if (rc == AX_OK && jobs[j].rc != AX_OK) {
            rc = jobs[j].rc;
            if (err)
                *err = jobs[j].err;
        }
        if (rc == AX_OK)
            lib->e[lib->n++] = jobs[j].out;
        else
            entry_free(&jobs[j].out);
    }
    free(jobs);
    if (rc != AX_OK) {
        mult_lib_free(lib);
        return NULL;
    }
    lib_sort(lib);
    publish(lib);
    return lib;
}

size_t mult_lib_count(const mult_lib *lib)
{
    return lib->n;
}

const mult_entry *mult_lib_entry(const mult_lib *lib, size_t i)
{
    return i < lib->n ? &lib->e[i].pub : NULL;
}

long mult_lib_find(const mult_lib *lib, const char *name)
{
    for (size_t i = 0; i < lib->n; i++)
        if (!strcmp(lib->e[i].name, name))
            return (long)i;
    return -1;
}

static int check_token(const char *what, const char *name, ax_err *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > MAX_NAME)
        return ax_fail(err, AX_EINPUT, "%s '%s': expected 1..%d characters", what, name, MAX_NAME);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '_' && c != '-' && c != '.')
            return ax_fail(err, AX_EINPUT, "%s '%s': character %zu is not one of [A-Za-z0-9_.-]",
                           what, name, i + 1);
    }
    return AX_OK;
}

static int check_name(const mult_lib *lib, const char *name, ax_err *err)
{
    int rc = check_token("multiplier name", name, err);
    if (rc != AX_OK)
        return rc;
    if (mult_lib_find(lib, name) >= 0)
        return ax_fail(err, AX_EINPUT, "multiplier name '%s' is already in the library", name);
    return AX_OK;
}

static int make_imported(const char *name, const char *family,
                         const uint16_t *lut, double power_uw, double area_um2, double delay_ns,
                         lib_entry *e, ax_err *err)
{
    memset(e, 0, sizeof *e);
    if (!(isfinite(power_uw) && power_uw > 0) || !(isfinite(area_um2) && area_um2 >= 0) ||
        !(isfinite(delay_ns) && delay_ns >= 0))
        return ax_fail(err, AX_EINPUT,
                       "multiplier '%s': expected power > 0, area >= 0 and delay >= 0, got %g uW, "
                       "%g um^2, %g ns",
                       name, power_uw, area_um2, delay_ns);
    e->name = dupstr(name);
    e->family = dupstr(family);
    e->lut = malloc(MULT_LUT_SIZE * sizeof *e->lut);
    if (!e->name || !e->family || !e->lut) {
        entry_free(e);
        return ax_fail(err, AX_EINTERNAL, "multiplier '%s': out of memory", name);
    }
    memcpy(e->lut, lut, MULT_LUT_SIZE * sizeof *lut);
    mult_metrics_compute(e->lut, &e->pub.metrics);
    e->pub.zero_safe = mult_lut_zero_safe(e->lut);
    mult_cost *c = &e->pub.cost;
    c->power_uw = power_uw;
    c->area_um2 = area_um2;
    c->delay_ns = delay_ns;
    /* Leakage is not in the index: all power counts as dynamic. */
    c->energy_pj = power_uw / 1000.0 / MULT_CLOCK_GHZ;
    return AX_OK;
}

int mult_lib_add_lut(mult_lib *lib, const char *name, const char *family, const uint16_t *lut,
                     double power_uw, double area_um2, double delay_ns, ax_err *err)
{
    int rc = check_name(lib, name, err);
    if (rc == AX_OK)
        rc = check_token("family", family, err);
    if (rc != AX_OK)
        return rc;
    if ((rc = reserve(lib, 1, err)) != AX_OK)
        return rc;
    lib_entry e;
    rc = make_imported(name, family, lut, power_uw, area_um2, delay_ns, &e, err);
    if (rc != AX_OK)
        return rc;
    lib->e[lib->n++] = e;
    lib_sort(lib);
    publish(lib);
    return AX_OK;
}

/* ---- table files ---- */

int mult_lut_read(const char *path, uint16_t *lut, ax_err *err)
{
    unsigned char *data;
    size_t len;
    int rc = fio_read_all(path, FIO_MAX_TEXT, &data, &len, err);
    if (rc != AX_OK)
        return rc;
    if (len != 2 * MULT_LUT_SIZE) {
        free(data);
        return ax_fail(err, AX_EINPUT,
                       "%s: %zu bytes, expected %d (65,536 little-endian uint16 products)", path,
                       len, 2 * MULT_LUT_SIZE);
    }
    for (size_t i = 0; i < MULT_LUT_SIZE; i++)
        lut[i] = (uint16_t)(data[2 * i] | (unsigned)data[2 * i + 1] << 8);
    free(data);
    return AX_OK;
}

int mult_lut_write(const char *path, const uint16_t *lut, ax_err *err)
{
    unsigned char *data = malloc(2 * MULT_LUT_SIZE);
    if (!data)
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory", path);
    for (size_t i = 0; i < MULT_LUT_SIZE; i++) {
        data[2 * i] = (unsigned char)(lut[i] & 0xff);
        data[2 * i + 1] = (unsigned char)(lut[i] >> 8);
    }
    int rc = fio_write_atomic(path, data, 2 * MULT_LUT_SIZE, err);
    free(data);
    return rc;
}

/* ---- index files ---- */

static int split_fields(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p)
            break;
        if (n == max)
            return max + 1;
        f[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static int parse_num(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return !errno && end != s && *end == '\0' && isfinite(*v);
}

static const char *const index_header[6] = {"name", "file", "family", "power_uw", "area_um2", "delay_ns"};

static int is_index_header(char *const *f, int n)
{
    int ok = n == 6;
    for (int i = 0; ok && i < 6; i++)
        ok = !strcmp(f[i], index_header[i]);
    return ok;
}

/* The path of a table file named in the index at path: as it is when
 * absolute, else relative to the index's folder (its first dirlen
 * characters). malloc'ed; NULL when out of memory. */
static char *table_path(const char *path, size_t dirlen, const char *name)
{
    if (name[0] == '/' || dirlen == 0)
        return dupstr(name);
    size_t flen = strlen(name);
    char *file = malloc(dirlen + flen + 1);
    if (file) {
        memcpy(file, path, dirlen);
        memcpy(file + dirlen, name, flen + 1);
    }
    return file;
}

/* Adds the multiplier of one index row (n fields f) to lib; lut[65536] is
 * scratch. Messages name the index and line. */
static int import_row(mult_lib *lib, const char *path, size_t dirlen, char *const *f, int n, int line_no,
                      uint16_t *lut, ax_err *err)
{
    if (n != 6)
        return ax_fail(err, AX_EINPUT, "%s: line %d: expected 6 fields, got %d", path, line_no, n);
    double power, area, delay;
    if (!parse_num(f[3], &power) || !parse_num(f[4], &area) || !parse_num(f[5], &delay))
        return ax_fail(err, AX_EINPUT, "%s: line %d: power_uw, area_um2 and delay_ns must be numbers", path,
                       line_no);
    char *file = table_path(path, dirlen, f[1]);
    if (!file)
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory", path);
    int rc = mult_lut_read(file, lut, err);
    free(file);
    if (rc == AX_OK)
        rc = check_name(lib, f[0], err);
    if (rc == AX_OK)
        rc = check_token("family", f[2], err);
    if (rc == AX_OK)
        rc = reserve(lib, 1, err);
    lib_entry e;
    if (rc == AX_OK)
        rc = make_imported(f[0], f[2], lut, power, area, delay, &e, err);
    if (rc != AX_OK) {
        ax_err_prefix(err, "%s: line %d", path, line_no);
        return rc;
    }
    lib->e[lib->n++] = e; /* unsorted until the end: check_name sees it */
    return AX_OK;
}

/* Imports the rows of the index text (modified in place) into lib. */
static int import_rows(mult_lib *lib, const char *path, char *text, ax_err *err)
{
    /* Folder of the index, for relative table paths. */
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    int seen_header = 0, line_no = 0, rc = AX_OK;
    uint16_t *lut = malloc(MULT_LUT_SIZE * sizeof *lut);
    if (!lut)
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory", path);
    char *p = text;
    while (rc == AX_OK && p && *p) {
        char *line = p;
        char *nl = strchr(p, '\n');
        if (nl) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p = NULL;
        }
        line_no++;
        char *f[7];
        int n = split_fields(line, f, 6);
        if (n == 0 || f[0][0] == '#')
            continue;
        if (seen_header)
            rc = import_row(lib, path, dirlen, f, n, line_no, lut, err);
        else if (is_index_header(f, n))
            seen_header = 1;
        else
            rc = ax_fail(err, AX_EINPUT,
                         "%s: line %d: expected the header 'name file family power_uw area_um2 delay_ns'", path,
                         line_no);
    }
    if (rc == AX_OK && !seen_header)
        rc = ax_fail(err, AX_EINPUT, "%s: no header line (empty index)", path);
    free(lut);
    return rc;
}

/* The lines of text that are neither blank nor comments (the header
 * counts too), so that an index too long is refused before any work. */
static size_t count_rows(const char *text)
{
    size_t rows = 0;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n"), skip = strspn(p, " \t\r");
        if (skip < len && p[skip] != '#')
            rows++;
        p += len + (p[len] == '\n');
    }
    return rows;
}

int mult_lib_index_tables(const char *path, size_t *tables, ax_err *err)
{
    unsigned char *data;
    size_t len;
    int rc = fio_read_all(path, FIO_MAX_TEXT, &data, &len, err);
    if (rc != AX_OK)
        return rc;
    size_t rows = count_rows((const char *)data);
    *tables = rows > 0 ? rows - 1 : 0;
    free(data);
    return AX_OK;
}

int mult_lib_import_index(mult_lib *lib, const char *path, ax_err *err)
{
    unsigned char *data;
    size_t len;
    int rc = fio_read_all(path, FIO_MAX_TEXT, &data, &len, err);
    if (rc != AX_OK)
        return rc;
    size_t rows = count_rows((const char *)data);
    if (rows > 0 && lib->n + rows - 1 > MULT_LIB_MAX_ENTRIES) {
        free(data);
        return ax_fail(err, AX_EINPUT, "%s: %zu tables, and the library holds %zu already: at most %d multipliers in "
                       "all", path, rows - 1, lib->n, MULT_LIB_MAX_ENTRIES);
    }
    size_t first = lib->n;
    rc = import_rows(lib, path, (char *)data, err);
    free(data);
    if (rc != AX_OK) {
        /* All or nothing: drop what this index added (it sits at the end). */
        for (size_t i = first; i < lib->n; i++)
            entry_free(&lib->e[i]);
        lib->n = first;
        return rc;
    }
    lib_sort(lib);
    publish(lib);
    return AX_OK;
}

/* ---- energy for given operand histograms ---- */

int mult_lib_energy_hist(const mult_lib *lib, size_t i, const double *act_hist,
                         const double *w_hist, double *energy_pj, ax_err *err)
{
    if (i >= lib->n)
        return ax_fail(err, AX_EINPUT, "multiplier index %zu out of range (library has %zu)", i,
                       lib->n);
    uint64_t *words = malloc((size_t)SWITCH_WORDS * 16 * sizeof *words);
    if (!words)
        return ax_fail(err, AX_EINTERNAL, "multiplier library: out of memory");
    int rc = hist_stream(act_hist, w_hist, words, err);
    const lib_entry *e = &lib->e[i];
    if (rc == AX_OK && e->nl) {
        rc = stream_energy(e->nl, words, energy_pj, NULL, err);
    } else if (rc == AX_OK) {
        double ref;
        rc = stream_energy(lib->ref, words, &ref, NULL, err);
        if (rc == AX_OK)
            *energy_pj = e->pub.cost.energy_pj * ref / lib->ref_energy_pj;
    }
    free(words);
    return rc;
}
