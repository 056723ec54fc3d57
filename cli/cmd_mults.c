/* axsearch mults: list the approximate multiplier library, export a table,
 * or print the metrics of a table file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approx/mult_lib.h"
#include "approx/mult_metrics.h"
#include "cli/args.h"
#include "cli/commands.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsearch mults [--import INDEX]... [--format table|tsv]\n"
            "       axsearch mults [--import INDEX]... --export NAME FILE\n"
            "       axsearch mults --import-lut FILE\n"
            "\n"
            "Lists the multiplier library sorted by power (the gene order), one row per\n"
            "multiplier: name family mae_pct wce_pct mre_pct ep_pct bias power_uw area_um2\n"
            "delay_ns, then power_rel (to %s), energy_pj (per multiplication, uniform\n"
            "operands) and zero_safe. Power is at %.0f GHz.\n",
            MULT_REFERENCE, MULT_CLOCK_GHZ);
}

#define MAX_IMPORTS 16

typedef struct mults_opts {
    const char *imports[MAX_IMPORTS]; /* index files, in order */
    int n_imports, tsv;
    const char *export_name, *export_file, *lut_file;
} mults_opts;

/* --import may be given up to MAX_IMPORTS times; dst: the options. */
static int add_import(const char *opt, const char *text, void *dst, ax_err *err)
{
    mults_opts *o = dst;
    if (o->n_imports == MAX_IMPORTS)
        return ax_fail(err, AX_EINPUT, "at most %d %s options", MAX_IMPORTS, opt);
    o->imports[o->n_imports++] = text;
    return AX_OK;
}

static int parse_format(const char *opt, const char *text, void *dst, ax_err *err)
{
    int *tsv = dst;
    if (!strcmp(text, "tsv"))
        *tsv = 1;
    else if (!strcmp(text, "table"))
        *tsv = 0;
    else
        return ax_fail(err, AX_EINPUT, "%s: expected 'table' or 'tsv', got '%s'", opt, text);
    return AX_OK;
}

/* The operands each mode takes (--export's FILE is one). */
static int mults_check(mults_opts *o, int argc, char **argv, int first)
{
    if (o->lut_file) {
        if (first != argc || o->export_name || o->n_imports) {
            fprintf(stderr, "axsearch mults: --import-lut takes one file and no other option\n");
            return 2;
        }
    } else if (o->export_name) {
        if (first + 1 != argc) {
            fprintf(stderr, "axsearch mults: --export NAME FILE: expected one FILE\n");
            return 2;
        }
        o->export_file = argv[first];
    } else if (first != argc) {
        fprintf(stderr, "axsearch mults: unexpected argument '%s'\n", argv[first]);
        return 2;
    }
    return ARGS_RUN;
}

static int mults_parse(int argc, char **argv, mults_opts *o)
{
    *o = (mults_opts){.n_imports = 0};
    const args_opt opts[] = {
        {.name = "import", .kind = ARGS_FUNC, .dst = o, .fn = add_import,
         .arg = "INDEX", .help = "add the tables of an index file (name file family power_uw\n"
                                 "area_um2 delay_ns), e.g. approx/data/evoapprox/index.tsv"},
        {.name = "format", .kind = ARGS_FUNC, .dst = &o->tsv, .fn = parse_format,
         .arg = "table|tsv", .help = "aligned table (default) or TSV with one header line"},
        {.name = "export", .kind = ARGS_STRING, .dst = &o->export_name,
         .arg = "NAME FILE", .help = "write NAME's table (65,536 little-endian uint16, a*256+b)"},
        {.name = "import-lut", .kind = ARGS_STRING, .dst = &o->lut_file,
         .arg = "FILE", .help = "print the error metrics of one table file"},
    };
    const args_spec s = {.cmd = "mults", .opts = opts, .n_opts = sizeof opts / sizeof opts[0], .usage = usage,
                         .width = 18, .dash_h = 1};
    int first = args_parse(&s, argc, argv);
    if (first < 0)
        return args_status(first);
    return mults_check(o, argc, argv, first);
}

static int fail(const ax_err *err)
{
    fprintf(stderr, "axsearch mults: %s\n", err->msg);
    return err->code == AX_EINPUT ? 2 : 1;
}

static void print_lib(const mult_lib *lib, int tsv)
{
    static const char *cols[] = {"name",     "family",   "mae_pct",  "wce_pct",  "mre_pct",
                                 "ep_pct",   "bias",     "power_uw", "area_um2", "delay_ns",
                                 "power_rel", "energy_pj", "zero_safe"};
    size_t nc = sizeof cols / sizeof cols[0];
    if (tsv) {
        for (size_t c = 0; c < nc; c++)
            printf("%s%s", cols[c], c + 1 < nc ? "\t" : "\n");
        for (size_t i = 0; i < mult_lib_count(lib); i++) {
            const mult_entry *e = mult_lib_entry(lib, i);
            const mult_metrics *m = &e->metrics;
            printf("%s\t%s\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%d\n",
                   e->name, e->family, m->mae_pct, m->wce_pct, m->mre_pct, m->ep_pct, m->bias,
                   e->cost.power_uw, e->cost.area_um2, e->cost.delay_ns, e->cost.power_rel,
                   e->cost.energy_pj, e->zero_safe);
        }
        return;
    }
    printf("%-4s %-14s %-9s %8s %8s %8s %7s %9s %9s %9s %8s %7s %9s %4s\n", "gene", "name",
           "family", "mae_pct", "wce_pct", "mre_pct", "ep_pct", "bias", "power_uw", "area_um2",
           "delay_ns", "p_rel", "energy_pj", "zero");
    for (size_t i = 0; i < mult_lib_count(lib); i++) {
        const mult_entry *e = mult_lib_entry(lib, i);
        const mult_metrics *m = &e->metrics;
        printf("%-4zu %-14s %-9s %8.4f %8.4f %8.3f %7.2f %9.2f %9.1f %9.1f %8.3f %7.3f %9.4f %4s\n",
               i, e->name, e->family, m->mae_pct, m->wce_pct, m->mre_pct, m->ep_pct, m->bias,
               e->cost.power_uw, e->cost.area_um2, e->cost.delay_ns, e->cost.power_rel,
               e->cost.energy_pj, e->zero_safe ? "yes" : "no");
    }
}

/* What mults_run leaves: the library (listing, export) or one table's
 * metrics (--import-lut). */
typedef struct mults_out {
    mult_lib *lib;
    mult_metrics m;
    int zero_safe;
} mults_out;

static int lut_metrics(const char *path, mults_out *r, ax_err *err)
{
    uint16_t *lut = malloc(MULT_LUT_SIZE * sizeof *lut);
    if (!lut)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    int rc = mult_lut_read(path, lut, err);
    if (rc == AX_OK) {
        mult_metrics_compute(lut, &r->m);
        r->zero_safe = mult_lut_zero_safe(lut);
    }
    free(lut);
    return rc;
}

/* The library with the imports; writes --export's table. */
static int mults_run(const mults_opts *o, mults_out *r, ax_err *err)
{
    if (o->lut_file)
        return lut_metrics(o->lut_file, r, err);
    if (!(r->lib = mult_lib_create_default(err)))
        return err->code;
    for (int i = 0; i < o->n_imports; i++)
        if (mult_lib_import_index(r->lib, o->imports[i], err) != AX_OK)
            return err->code;
    if (!o->export_name)
        return AX_OK;
    long k = mult_lib_find(r->lib, o->export_name);
    if (k < 0)
        return ax_fail(err, AX_EINPUT, "--export: no multiplier named '%s' (see axsearch mults)", o->export_name);
    return mult_lut_write(o->export_file, mult_lib_entry(r->lib, (size_t)k)->lut, err);
}

static void print_lut_metrics(const char *path, const mult_metrics *m, int zero_safe)
{
    printf("file       %s\n", path);
    printf("mae        %.4f LSB (%.6g %%)\n", m->mae, m->mae_pct);
    printf("wce        %.0f LSB (%.6g %%)\n", m->wce, m->wce_pct);
    printf("mre_pct    %.6g\n", m->mre_pct);
    printf("ep_pct     %.6g\n", m->ep_pct);
    printf("mse        %.6g LSB^2\n", m->mse);
    printf("bias       %.6g LSB\n", m->bias);
    printf("variance   %.6g LSB^2\n", m->var);
    printf("zero_safe  %s\n", zero_safe ? "yes" : "no");
}

static void mults_print(const mults_opts *o, const mults_out *r)
{
    if (o->lut_file)
        print_lut_metrics(o->lut_file, &r->m, r->zero_safe);
    else if (!o->export_name)
        print_lib(r->lib, o->tsv);
}

int cmd_mults(int argc, char **argv)
{
    mults_opts o;
    int status = mults_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    mults_out r = {0};
    ax_err err = {0};
    int rc = mults_run(&o, &r, &err);
    if (rc == AX_OK)
        mults_print(&o, &r);
    mult_lib_free(r.lib);
    return rc == AX_OK ? 0 : fail(&err);
}
