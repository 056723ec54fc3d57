/* axsearch faults: accuracy of the 8-bit network as each voltage knob alone
 * is lowered from its nominal value (the error side of the knobs). Prints a
 * TSV table; plots/faults.gp draws it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_model/arch.h"
#include "approx/fault.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/glue.h"
#include "fitness/emu/faultmap.h"
#include "fitness/net/dataset.h"
#include "fitness/net/onnx_import.h"
#include "fitness/mc.h"
#include "util/fileio.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsearch faults --model FILE [--data DIR] [--split val|test] [--limit N]\n"
            "                       [--reps R] [--seed S] [--noc-bits B] [--arch FILE]\n"
            "                       [--calib N] [--threads T] [--out FILE.tsv]\n"
            "Sweeps each knob alone from nominal downwards (SRAM supplies 1.0 to 0.5 x\n"
            "vdd, NoC swing 1.0 to 0.2 x nominal on the lowest --noc-bits bits, default 8)\n"
            "and prints: knob value top1 top1_se expected_flips observed_flips\n"
            "(split val by default: training images 55,000-59,999; --reps 5).\n");
}

/* Fractions of the nominal value swept. */
static const double sram_levels[] = {1.0, 0.75, 0.7, 0.65, 0.6, 0.575, 0.55, 0.525, 0.5};
static const double swing_levels[] = {1.0, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2};

typedef struct faults_opts {
    const char *model, *data, *split_name, *arch, *out;
    idx_split split;
    long limit, reps, noc_bits, calib, threads; /* limit < 0: the whole split */
    unsigned long long seed;
} faults_opts;

static int faults_parse(int argc, char **argv, faults_opts *o)
{
    *o = (faults_opts){.data = IDX_DEFAULT_DIR, .split_name = "val", .limit = -1, .reps = 5, .noc_bits = 8,
                       .calib = 1000, .threads = 0, .seed = 1};
    const args_opt opts[] = {
        {.name = "model", .kind = ARGS_STRING, .dst = &o->model},
        {.name = "data", .kind = ARGS_STRING, .dst = &o->data},
        {.name = "split", .kind = ARGS_STRING, .dst = &o->split_name},
        {.name = "limit", .kind = ARGS_LONG, .dst = &o->limit, .lo = 1, .hi = 1L << 40},
        {.name = "reps", .kind = ARGS_LONG, .dst = &o->reps, .lo = 1, .hi = 100000},
        {.name = "seed", .kind = ARGS_U64, .dst = &o->seed},
        {.name = "noc-bits", .kind = ARGS_LONG, .dst = &o->noc_bits, .lo = 0, .hi = 8},
        {.name = "arch", .kind = ARGS_STRING, .dst = &o->arch},
        {.name = "calib", .kind = ARGS_LONG, .dst = &o->calib, .lo = 1, .hi = 1000000},
        {.name = "threads", .kind = ARGS_LONG, .dst = &o->threads, .lo = 1, .hi = 4096},
        {.name = "out", .kind = ARGS_STRING, .dst = &o->out},
    };
    const args_spec s = {.cmd = "faults", .opts = opts, .n_opts = sizeof opts / sizeof opts[0],
                         .usage = usage, .dash_h = 1};
    int first = args_parse(&s, argc, argv);
    if (first < 0)
        return args_status(first);
    if (first != argc || !o->model) {
        fprintf(stderr, "axsearch faults: --model is required\n");
        usage(stderr);
        return 2;
    }
    if (idx_split_from_name(o->split_name, &o->split) != 0 || o->split == IDX_SPLIT_TRAIN) {
        fprintf(stderr, "axsearch faults: --split '%s': expected val or test\n", o->split_name);
        return 2;
    }
    return ARGS_RUN;
}

/* What the sweep works on; faults_close frees it. */
typedef struct faults_env {
    accel_arch arch;
    fmap_model fm;
    fault_sram *sram;
    idx_dataset d;
    graph *g;
    qnet *q;
    fmap_links *links;
    emu_flip_spec *specs; /* [3 x layers]: weights, inputs, outputs */
    fio_atomic *w;        /* --out, or NULL */
} faults_env;

static int faults_open(const faults_opts *o, faults_env *e, ax_err *err)
{
    int rc = o->arch ? accel_arch_load(o->arch, &e->arch, err) : (accel_arch_default(&e->arch), AX_OK);
    if (rc == AX_OK)
        rc = glue_fault_model(&e->arch, &e->sram, &e->fm, err);
    ds_source src = {.dir = o->data, .format = DS_AUTO};
    onnx_import_opts io = {1, 0, NULL};
    if (rc == AX_OK)
        rc = onnx_import_file(o->model, &io, &e->g, err);
    if (rc == AX_OK)
        ds_source_fit(&src, e->g);
    if (rc == AX_OK)
        rc = ds_load_first(&src, o->split, o->limit > 0 ? o->limit : 0, &e->d, err);
    if (rc == AX_OK && (rc = glue_quantize(e->g, &src, o->calib, (int)o->threads, &e->q, err)) != AX_OK)
        ax_err_prefix(err, "%s", o->model);
    if (rc == AX_OK)
        rc = glue_fault_links(e->g, &e->arch, &e->links, err);
    if (rc == AX_OK && !(e->specs = malloc(3 * (size_t)qnet_n_layers(e->q) * sizeof *e->specs)))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK && o->out && !(e->w = fio_atomic_open(o->out, err)))
        rc = err->code;
    return rc;
}

/* Commits --out when all went well (else drops it) and frees; returns rc
 * or the commit's failure. */
static int faults_close(faults_env *e, int rc, ax_err *err)
{
    if (e->w) {
        if (rc == AX_OK)
            rc = fio_atomic_commit(e->w, err);
        else
            fio_atomic_abort(e->w);
    }
    free(e->specs);
    free(e->links);
    qnet_free(e->q);
    graph_free(e->g);
    fault_sram_free(e->sram);
    idx_dataset_clear(&e->d);
    return rc;
}

static const char *const knob_names[3] = {"sram_v_input", "sram_v_weight", "noc_swing"};

/* Rows go to standard output and to --out (files[1], or NULL) as they come,
 * so a long sweep shows its progress. */
static void faults_print_header(FILE *const files[2])
{
    for (int k = 0; k < 2; k++)
        if (files[k])
            fprintf(files[k], "knob\tvalue\ttop1\ttop1_se\texpected_flips\tobserved_flips\n");
}

static void faults_print_row(FILE *const files[2], int knob, double value, const mc_result *r)
{
    for (int k = 0; k < 2; k++)
        if (files[k]) {
            fprintf(files[k], "%s\t%.4f\t%.4f\t%.4f\t%.1f\t%llu\n", knob_names[knob], value, r->top1,
                    r->top1_se, r->expected_flips, (unsigned long long)r->flips);
            fflush(files[k]);
        }
}

/* The accuracy with one knob (0: input SRAM, 1: weight SRAM, 2: NoC swing)
 * at value volts and the others nominal. */
static int faults_point(const faults_opts *o, const faults_env *e, int knob, double value, mc_result *r,
                        ax_err *err)
{
    int nl = qnet_n_layers(e->q);
    fmap_knobs kn = {e->arch.vdd, e->arch.vdd, e->arch.noc_swing, (int)o->noc_bits};
    if (knob == 0)
        kn.v_input = value;
    else if (knob == 1)
        kn.v_weight = value;
    else
        kn.noc_swing = value;
    fmap_layers(&e->fm, &kn, nl, e->links, e->specs, e->specs + nl, e->specs + 2 * nl);
    mc_data md = {e->d.images, e->d.labels, e->d.count, e->d.first};
    mc_options mo = {.weights = e->specs, .inputs = e->specs + nl, .outputs = e->specs + 2 * nl,
                     .reps = (int)o->reps, .seed = o->seed, .threads = (int)o->threads};
    return mc_accuracy(e->q, &md, &mo, r, err);
}

/* Sweeps each knob down its levels, printing a row per level. */
static int faults_run(const faults_opts *o, const faults_env *e, ax_err *err)
{
    FILE *const files[2] = {stdout, e->w ? fio_atomic_stream(e->w) : NULL};
    faults_print_header(files);
    int rc = AX_OK;
    /* a systolic chip has no NoC: no swing to sweep */
    int knobs = accel_arch_systolic(&e->arch) ? 2 : 3;
    for (int knob = 0; knob < knobs && rc == AX_OK; knob++) {
        const double *levels = knob < 2 ? sram_levels : swing_levels;
        size_t nlev = knob < 2 ? sizeof sram_levels / sizeof sram_levels[0]
                               : sizeof swing_levels / sizeof swing_levels[0];
        for (size_t i = 0; i < nlev && rc == AX_OK; i++) {
            double value = levels[i] * (knob < 2 ? e->arch.vdd : e->arch.noc_swing);
            mc_result r;
            rc = faults_point(o, e, knob, value, &r, err);
            if (rc == AX_OK)
                faults_print_row(files, knob, value, &r);
        }
    }
    return rc;
}

int cmd_faults(int argc, char **argv)
{
    faults_opts o;
    int status = faults_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    faults_env e = {0};
    ax_err err = {0};
    int rc = faults_open(&o, &e, &err);
    if (rc == AX_OK)
        rc = faults_run(&o, &e, &err);
    rc = faults_close(&e, rc, &err);
    if (rc != AX_OK)
        fprintf(stderr, "axsearch faults: %s\n", err.msg);
    return rc == AX_OK ? 0 : rc == AX_EINPUT ? 2 : 1;
}
