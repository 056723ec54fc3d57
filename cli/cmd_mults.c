/* axsearch mults: list the approximate multiplier library, export a table,
 * or print the metrics of a table file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approx/mult_lib.h"
#include "approx/mult_metrics.h"
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
            "operands) and zero_safe. Power is at %.0f GHz.\n"
            "  --import INDEX     add the tables of an index file (name file family power_uw\n"
            "                     area_um2 delay_ns), e.g. approx/data/evoapprox/index.tsv\n"
            "  --format table|tsv aligned table (default) or TSV with one header line\n"
            "  --export NAME FILE write NAME's table (65,536 little-endian uint16, a*256+b)\n"
            "  --import-lut FILE  print the error metrics of one table file\n",
            MULT_REFERENCE, MULT_CLOCK_GHZ);
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

static int print_lut_metrics(const char *path)
{
    ax_err err = {0};
    uint16_t *lut = malloc(MULT_LUT_SIZE * sizeof *lut);
    if (!lut) {
        fprintf(stderr, "axsearch mults: out of memory\n");
        return 1;
    }
    int rc = mult_lut_read(path, lut, &err);
    if (rc != AX_OK) {
        free(lut);
        return fail(&err);
    }
    mult_metrics m;
    mult_metrics_compute(lut, &m);
    printf("file       %s\n", path);
    printf("mae        %.4f LSB (%.6g %%)\n", m.mae, m.mae_pct);
    printf("wce        %.0f LSB (%.6g %%)\n", m.wce, m.wce_pct);
    printf("mre_pct    %.6g\n", m.mre_pct);
    printf("ep_pct     %.6g\n", m.ep_pct);
    printf("mse        %.6g LSB^2\n", m.mse);
    printf("bias       %.6g LSB\n", m.bias);
    printf("variance   %.6g LSB^2\n", m.var);
    printf("zero_safe  %s\n", mult_lut_zero_safe(lut) ? "yes" : "no");
    free(lut);
    return 0;
}

int cmd_mults(int argc, char **argv)
{
    static const struct option opts[] = {
        {"import", required_argument, 0, 'i'}, {"format", required_argument, 0, 'f'},
        {"export", required_argument, 0, 'e'}, {"import-lut", required_argument, 0, 'l'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
    };
    const char *imports[16];
    int n_imports = 0, tsv = 0;
    const char *export_name = NULL, *lut_file = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (n_imports == 16) {
                fprintf(stderr, "axsearch mults: at most 16 --import options\n");
                return 2;
            }
            imports[n_imports++] = optarg;
            break;
        case 'f':
            if (!strcmp(optarg, "tsv")) {
                tsv = 1;
            } else if (!strcmp(optarg, "table")) {
                tsv = 0;
            } else {
                fprintf(stderr, "axsearch mults: --format: expected 'table' or 'tsv', got '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'e':
            export_name = optarg;
            break;
        case 'l':
            lut_file = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (lut_file) {
        if (optind != argc || export_name || n_imports) {
            fprintf(stderr, "axsearch mults: --import-lut takes one file and no other option\n");
            return 2;
        }
        return print_lut_metrics(lut_file);
    }
    const char *export_file = NULL;
    if (export_name) {
        if (optind + 1 != argc) {
            fprintf(stderr, "axsearch mults: --export NAME FILE: expected one FILE\n");
            return 2;
        }
        export_file = argv[optind];
    } else if (optind != argc) {
        fprintf(stderr, "axsearch mults: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }

    ax_err err = {0};
    mult_lib *lib = mult_lib_create_default(&err);
    if (!lib)
        return fail(&err);
    for (int i = 0; i < n_imports; i++)
        if (mult_lib_import_index(lib, imports[i], &err) != AX_OK) {
            mult_lib_free(lib);
            return fail(&err);
        }
    int rc = 0;
    if (export_name) {
        long k = mult_lib_find(lib, export_name);
        if (k < 0) {
            fprintf(stderr, "axsearch mults: --export: no multiplier named '%s' (see axsearch mults)\n",
                    export_name);
            rc = 2;
        } else if (mult_lut_write(export_file, mult_lib_entry(lib, (size_t)k)->lut, &err) != AX_OK) {
            rc = fail(&err);
        }
    } else {
        print_lib(lib, tsv);
    }
    mult_lib_free(lib);
    return rc;
}
