/* axsearch infer: top-1 accuracy of an ONNX classifier on a dataset
 * split (fitness/net/idx.h), on the 8-bit emulator (default: the network
 * quantized after calibration on training images, with an exact or chosen
 * approximate multiplier in every MAC layer) or on the float reference
 * executor (--float). The last line is "top1=0.9012 top1_se=0.0030
 * flips=0 images=10000 seconds=1.23 gmac_per_s=4.56" (top1_se: standard
 * error over the images and repetitions); seconds cover the inference, not
 * loading, calibration or quantization. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "accel_model/arch.h"
#include "approx/fault.h"
#include "approx/mult_lib.h"
#include "cli/glue.h"
#include "fitness/emu/faultmap.h"
#include "fitness/mc.h"
#include "fitness/emu/emu.h"
#include "fitness/net/fexec.h"
#include "fitness/emu/qnet.h"
#include "fitness/emu/recover.h"
#include "fitness/net/graph.h"
#include "fitness/net/dataset.h"
#include "fitness/net/onnx_import.h"
#include "util/wallclock.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsearch infer --model FILE [--data DIR] [--data-format F] [--image-resize R]\n"
            "                      [--input-mean M] [--input-std S] [--split val|test|train] [--limit N]\n"
            "                      [--float | --mult NAME | --lut FILE] [--import INDEX]\n"
            "                      [--calib N] [--threads T] [--batch B]\n"
            "                      [--sram-v-input V] [--sram-v-weight V] [--noc-swing V]\n"
            "                      [--noc-bits B] [--reps R] [--seed S] [--arch FILE]\n"
            "                      [--tune-weights] [--compensate] [--tune-radius R] [--profile]\n");
}

/* The command line. Negative knobs: not given (nominal; noc_bits: 8). */
typedef struct infer_opts {
    const char *model, *data, *split_name, *format_name;
    const char *input_mean, *input_std;   /* NULL: the model's metadata */
    idx_split split;
    ds_source src;                        /* data and its format */
    long limit, threads, batch, calib;    /* limit < 0: the whole split; threads 0: all */
    long resize;                          /* image folders: shorter side before the crop; 0: 8/7 of it */
    int use_float, knobs;                 /* knobs: a voltage knob was given */
    const char *mult, *lut, *import;      /* the multiplier (none: exact) */
    const char *arch;                     /* nominal voltages (NULL: built-in) */
    double v_input, v_weight, noc_swing;  /* V */
    long noc_bits, reps;
    unsigned long long seed;
    int tune, compensate;                 /* accuracy recovery (fitness/emu/recover.h) */
    int profile;                          /* time the emulator's phases */
    long radius;
    int radius_given;
} infer_opts;

/* The checks args_parse cannot make; s for the usage. */
static int infer_check(infer_opts *o, const args_spec *s, int argc, int first)
{
    if (first != argc || !o->model) {
        if (!o->model)
            fprintf(stderr, "axsearch infer: --model is required\n");
        args_usage(s, stderr);
        return 2;
    }
    if ((o->use_float && (o->mult || o->lut || o->knobs)) || (o->mult && o->lut)) {
        fprintf(stderr, "axsearch infer: --float excludes --mult, --lut and the voltage knobs; "
                        "--mult and --lut exclude each other\n");
        return 2;
    }
    if (o->profile && o->use_float) {
        fprintf(stderr, "axsearch infer: --profile times the 8-bit emulator, not --float\n");
        return 2;
    }
    if ((o->tune || o->compensate) && !o->mult && !o->lut) {
        fprintf(stderr, "axsearch infer: --tune-weights and --compensate need --mult or --lut\n");
        return 2;
    }
    if (o->radius_given && !o->tune) {
        fprintf(stderr, "axsearch infer: --tune-radius needs --tune-weights\n");
        return 2;
    }
    if (idx_split_from_name(o->split_name, &o->split) != 0) {
        fprintf(stderr, "axsearch infer: --split '%s': expected val, test or train\n", o->split_name);
        return 2;
    }
    o->src = (ds_source){.dir = o->data, .format = DS_AUTO, .resize = (int)o->resize};
    if (ds_format_from_name(o->format_name, &o->src.format) != 0) {
        fprintf(stderr, "axsearch infer: --data-format '%s': expected auto, idx, npy, cifar10, cifar100 or folder\n",
                o->format_name);
        return 2;
    }
    return ARGS_RUN;
}

static int infer_parse(int argc, char **argv, infer_opts *o)
{
    *o = (infer_opts){.data = IDX_DEFAULT_DIR, .split_name = "test", .format_name = "auto", .limit = -1, .batch = 256, .calib = 1000,
                      .v_input = -1, .v_weight = -1, .noc_swing = -1, .noc_bits = -1, .reps = 10, .seed = 1,
                      .radius = 255};
    const args_opt opts[] = {
        {.name = "model", .kind = ARGS_STRING, .dst = &o->model,
         .arg = "FILE", .help = "ONNX classifier with one input [N,C,H,W] (or [N,H,W], [N,C*H*W])\n"
                                "and one output [N,classes]"},
        {.name = "data", .kind = ARGS_STRING, .dst = &o->data,
         .arg = "DIR", .help = "dataset folder: IDX, NumPy .npy pairs, CIFAR-10/100 batches\n"
                               "or image folders (default " IDX_DEFAULT_DIR ")"},
        {.name = "data-format", .kind = ARGS_STRING, .dst = &o->format_name,
         .arg = "F", .help = "auto (default: from the folder's files), idx, npy, cifar10,\n"
                             "cifar100 or folder"},
        {.name = "input-mean", .kind = ARGS_STRING, .dst = &o->input_mean,
         .arg = "M", .help = "the input's mean (one value, or one per channel: 0.485,0.456,0.406)\n"
                             "instead of the model's axsearch.input_mean"},
        {.name = "input-std", .kind = ARGS_STRING, .dst = &o->input_std,
         .arg = "S", .help = "likewise the standard deviation (axsearch.input_std)"},
        {.name = "image-resize", .kind = ARGS_LONG, .dst = &o->resize, .lo = 1, .hi = 65536,
         .arg = "R", .help = "image folders: shorter side before the centre crop to the\n"
                             "model's input (default 8/7 of the input's: 256 for 224)"},
        {.name = "split", .kind = ARGS_STRING, .dst = &o->split_name,
         .arg = "S", .help = "val (the training set's last twelfth: 55,000-59,999 of\n"
                                "Fashion-MNIST), test (default) or train (the rest)"},
        {.name = "limit", .kind = ARGS_LONG, .dst = &o->limit, .lo = 1, .hi = 1L << 40,
         .arg = "N", .help = "only the first N images of the split"},
        {.name = "float", .kind = ARGS_FLAG, .dst = &o->use_float,
         .help = "the float reference executor instead of the 8-bit emulator"},
        {.name = "mult", .kind = ARGS_STRING, .dst = &o->mult,
         .arg = "NAME", .help = "this library multiplier in every MAC layer (default: exact)"},
        {.name = "lut", .kind = ARGS_STRING, .dst = &o->lut,
         .arg = "FILE", .help = "this TFApprox/EvoApprox table file in every MAC layer"},
        {.name = "import", .kind = ARGS_STRING, .dst = &o->import,
         .arg = "INDEX", .help = "add the tables of an index file to the library (for --mult)"},
        {.name = "calib", .kind = ARGS_LONG, .dst = &o->calib, .lo = 1, .hi = 1000000,
         .arg = "N", .help = "calibrate activations on the first N training images (1000)"},
        {.name = "tune-weights", .kind = ARGS_FLAG, .dst = &o->tune,
         .help = "store each weight code as the one whose approximate products best\n"
                 "match the exact ones on the calibration images (ALWANN)"},
        {.name = "compensate", .kind = ARGS_FLAG, .dst = &o->compensate,
         .help = "take the expected error of the approximate products out of the biases"},
        {.name = "profile", .kind = ARGS_FLAG, .dst = &o->profile,
         .help = "print where the emulator's time goes, by layer kind and phase"},
        {.name = "tune-radius", .kind = ARGS_LONG, .dst = &o->radius, .lo = 0, .hi = 255, .seen = &o->radius_given,
         .arg = "R", .help = "--tune-weights: codes within R of the original (255: any)"},
        /* Two options on one help row. */
        {.name = "sram-v-input", .kind = ARGS_DOUBLE, .dst = &o->v_input, .lo = 0.01, .hi = 5.0,
         .seen = &o->knobs},
        {.name = "sram-v-weight", .kind = ARGS_DOUBLE, .dst = &o->v_weight, .lo = 0.01, .hi = 5.0,
         .seen = &o->knobs},
        {.help = "  --sram-v-input V, --sram-v-weight V  PE input / weight buffer supply (V)"},
        {.name = "noc-swing", .kind = ARGS_DOUBLE, .dst = &o->noc_swing, .lo = 0.001, .hi = 5.0,
         .seen = &o->knobs, .arg = "V", .help = "NoC link swing of the lowest --noc-bits bits (default all 8)"},
        {.name = "noc-bits", .kind = ARGS_LONG, .dst = &o->noc_bits, .lo = 0, .hi = 8, .seen = &o->knobs},
        {.name = "reps", .kind = ARGS_LONG, .dst = &o->reps, .lo = 1, .hi = 100000,
         .arg = "R", .help = "repetitions when any bit error rate is above zero (10)"},
        {.name = "seed", .kind = ARGS_U64, .dst = &o->seed,
         .arg = "S", .help = "seed of the fault draws (1)"},
        {.name = "arch", .kind = ARGS_STRING, .dst = &o->arch,
         .arg = "FILE", .help = "chip description giving the nominal voltages (configs/simba.ini)"},
        {.name = "threads", .kind = ARGS_LONG, .dst = &o->threads, .lo = 1, .hi = 4096,
         .arg = "T", .help = "OpenMP threads (default: all)"},
        {.name = "batch", .kind = ARGS_LONG, .dst = &o->batch, .lo = 1, .hi = 1 << 20,
         .arg = "B", .help = "images per executor call (default 256)"},
        {.help = "input: (pixel/255 - mean)/std with mean/std from the model's metadata"},
        {.help = "(axsearch.input_mean, axsearch.input_std; defaults 0 and 1)"},
    };
    const args_spec s = {.cmd = "infer", .opts = opts, .n_opts = sizeof opts / sizeof opts[0],
                         .usage = usage, .width = 17, .dash_h = 1};
    int first = args_parse(&s, argc, argv);
    if (first < 0)
        return args_status(first);
    return infer_check(o, &s, argc, first);
}

/* Elements per image the model's input takes, if the images fit it. */
static int check_fit(const graph *g, const idx_dataset *d, const char *model, ax_err *err)
{
    if (g->n_inputs != 1 || g->n_outputs != 1)
        return ax_fail(err, AX_EINPUT, "%s: %d inputs and %d outputs; a classifier with one of each is expected",
                       model, g->n_inputs, g->n_outputs);
    const graph_tensor *out = &g->tensors[g->outputs[0]];
    int rc = ds_check_input(g, d, model, err);
    if (rc != AX_OK)
        return rc;
    if (out->rank != 2)
        return ax_fail(err, AX_EINPUT, "%s: output '%s' has rank %d; [N,classes] expected", model, out->name,
                       out->rank);
    for (int64_t i = 0; i < d->count; i++)
        if (d->labels[i] >= out->dims[1])
            return ax_fail(err, AX_EINPUT, "label %d of image %lld is not below the model's %lld classes",
                           d->labels[i], (long long)(d->first + i), (long long)out->dims[1]);
    return AX_OK;
}

/* The product table for every layer: a library entry, a table file, or
 * none (exact). */
/* The product table of --lut or --mult into *lut (65,536 products, malloc'ed;
 * NULL: exact) and its kernel form *table. */
static int load_table(const char *mult, const char *lut_path, const char *import, uint16_t **lut,
                      emu_table **table, ax_err *err)
{
    *table = NULL;
    *lut = NULL;
    if (!lut_path && !mult && !import)
        return AX_OK;
    mult_lib *lib = NULL;
    int rc = AX_OK;
    if (!lut_path && !(lib = mult_lib_create_default(err)))
        return err->code;
    if (lib && import)
        rc = mult_lib_import_index(lib, import, err);
    if (rc == AX_OK && (lut_path || mult) && !(*lut = malloc(65536 * sizeof **lut)))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK && lut_path) {
        rc = mult_lut_read(lut_path, *lut, err);
    } else if (rc == AX_OK && mult) {
        long i = mult_lib_find(lib, mult);
        if (i < 0)
            rc = ax_fail(err, AX_EINPUT, "--mult: no multiplier '%s' in the library (see axsearch mults)", mult);
        else
            memcpy(*lut, mult_lib_entry(lib, (size_t)i)->lut, 65536 * sizeof **lut);
    }
    if (rc == AX_OK && *lut && !(*table = emu_table_create(*lut, err)))
        rc = err->code;
    mult_lib_free(lib);
    return rc;
}

/* The network and the images, loaded and checked; infer_net_clear frees. */
typedef struct infer_net {
    graph *g;
    ds_source src; /* the options' data, fitted to the model's input */
    idx_dataset d;
    int n_layers;
    int64_t macs; /* per image */
} infer_net;

static void infer_net_clear(infer_net *n)
{
    graph_free(n->g);
    idx_dataset_clear(&n->d);
}

static int infer_load(const infer_opts *o, infer_net *n, ax_err *err)
{
    onnx_import_opts io = {1, 0, NULL};
    graph_mac_layer *layers = NULL;
    int rc = onnx_import_file(o->model, &io, &n->g, err);
    if (rc == AX_OK)
        rc = glue_input_norm(n->g, o->input_mean, o->input_std, "--input-mean", "--input-std", err);
    n->src = o->src;
    if (rc == AX_OK)
        ds_source_fit(&n->src, n->g);
    if (rc == AX_OK)
        rc = ds_load_first(&n->src, o->split, o->limit > 0 ? o->limit : 0, &n->d, err);
    if (rc == AX_OK && o->limit > 0 && o->limit < n->d.count)
        n->d.count = o->limit;
    if (rc == AX_OK)
        rc = check_fit(n->g, &n->d, o->model, err);
    if (rc == AX_OK)
        rc = graph_mac_layers(n->g, &layers, &n->n_layers, err);
    for (int i = 0; rc == AX_OK && i < n->n_layers; i++)
        n->macs += layers[i].macs;
    free(layers);
    return rc;
}

/* What is measured, printed before the (long) run. */
static void infer_print_setup(const infer_opts *o, const infer_net *n)
{
    const graph *g = n->g;
    char norm[1024];
    graph_input_norm_text(g, norm, sizeof norm);
    printf("model %s: %d nodes, %d MAC layers, %.3f MMAC/image, input %s\n", o->model, g->n_nodes, n->n_layers,
           (double)n->macs / 1e6, norm);
    printf("data %s: %s split, %lld images (from index %lld), %d x %d x %d\n", o->data, idx_split_name(o->split),
           (long long)n->d.count, (long long)n->d.first, n->d.channels, n->d.rows, n->d.cols);
    fflush(stdout);
}

/* The emulator's setup: a product table and fault rates per layer;
 * infer_emu_clear frees. */
typedef struct infer_emu {
    accel_arch arch;
    fmap_knobs kn;
    qnet *q;
    uint16_t *lut;              /* the table's products; NULL: exact */
    emu_table *table;           /* NULL: exact */
    const emu_table **tables;   /* [layers], each table */
    rec_hist *rec_hist;         /* recovery: NULL when off */
    emu_layer_fix **fixes;      /* [layers] recovery fixes (NULL entries: none), or NULL */
    fault_sram *sram;
    fmap_links *links;
    emu_flip_spec *specs;       /* [3 x layers]: weights, inputs, outputs */
} infer_emu;

static void infer_emu_clear(infer_emu *e)
{
    for (int l = 0; e->fixes && l < qnet_n_layers(e->q); l++)
        rec_fix_free(e->fixes[l]);
    free(e->fixes);
    rec_hist_free(e->rec_hist);
    free(e->lut);
    free(e->tables);
    free(e->specs);
    free(e->links);
    emu_table_free(e->table);
    fault_sram_free(e->sram);
    qnet_free(e->q);
}

/* The chip's nominal voltages, the knobs given over them, and the fault
 * model. */
static int infer_knobs(const infer_opts *o, infer_emu *e, fmap_model *fm, ax_err *err)
{
    int rc = AX_OK;
    if (o->arch)
        rc = accel_arch_load(o->arch, &e->arch, err);
    else
        accel_arch_default(&e->arch);
    if (rc == AX_OK)
        rc = glue_fault_model(&e->arch, &e->sram, fm, err);
    const accel_arch *a = &e->arch;
    e->kn = (fmap_knobs){o->v_input < 0 ? a->vdd : o->v_input, o->v_weight < 0 ? a->vdd : o->v_weight,
                         o->noc_swing < 0 ? a->noc_swing : o->noc_swing, o->noc_bits < 0 ? 8 : (int)o->noc_bits};
    if (rc == AX_OK && (e->kn.v_input > a->vdd || e->kn.v_weight > a->vdd))
        rc = ax_fail(err, AX_EINPUT, "SRAM voltages above the nominal %g V have no fault model", a->vdd);
    if (rc == AX_OK && e->kn.noc_swing > a->noc_swing)
        rc = ax_fail(err, AX_EINPUT, "--noc-swing above the nominal %g V", a->noc_swing);
    if (rc == AX_OK && accel_arch_systolic(a) && e->kn.noc_swing != a->noc_swing)
        rc = ax_fail(err, AX_EINPUT, "--noc-swing: %s is a systolic chip, which has no NoC", o->arch);
    return rc;
}

/* The recovery fixes of every layer under the chosen table. */
static int infer_recovery(const infer_opts *o, const infer_net *n, infer_emu *e, ax_err *err)
{
    int nl = qnet_n_layers(e->q);
    int rc = glue_recovery_hist(e->q, &n->src, o->calib, (int)o->threads, &e->rec_hist, err);
    if (rc == AX_OK && !(e->fixes = calloc((size_t)nl, sizeof *e->fixes)))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    rec_options ro = {o->tune, o->compensate, (int)o->radius};
    for (int l = 0; rc == AX_OK && l < nl; l++)
        rc = rec_fix_make(e->q, e->rec_hist, l, e->lut, &ro, &e->fixes[l], err);
    return rc;
}

/* Quantizes the network and sets up the tables and fault rates. */
static int infer_emu_prepare(const infer_opts *o, const infer_net *n, infer_emu *e, ax_err *err)
{
    fmap_model fm;
    int rc = infer_knobs(o, e, &fm, err);
    if (rc == AX_OK) {
        rc = glue_quantize(n->g, &n->src, o->calib, (int)o->threads, &e->q, err);
        if (rc != AX_OK)
            ax_err_prefix(err, "%s", o->model);
    }
    if (rc == AX_OK)
        rc = load_table(o->mult, o->lut, o->import, &e->lut, &e->table, err);
    if (rc == AX_OK)
        rc = glue_fault_links(n->g, &e->arch, &e->links, err);
    int nl = e->q ? qnet_n_layers(e->q) : 0;
    if (rc == AX_OK) {
        e->tables = malloc((size_t)nl * sizeof *e->tables);
        e->specs = malloc(3 * (size_t)nl * sizeof *e->specs);
        if (!e->tables || !e->specs)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        for (int l = 0; e->tables && l < nl; l++)
            e->tables[l] = e->table;
    }
    if (rc == AX_OK)
        fmap_layers(&fm, &e->kn, nl, e->links, e->specs, e->specs + nl, e->specs + 2 * nl);
    if (rc == AX_OK && (o->tune || o->compensate))
        rc = infer_recovery(o, n, e, err);
    return rc;
}

static void infer_print_emu(const infer_opts *o, const infer_emu *e)
{
    printf("emulator: 8-bit, calibrated on %ld training images, multiplier %s%s%s\n",
           o->calib < 55000 ? o->calib : 55000L, o->lut ? o->lut : o->mult ? o->mult : "exact",
           o->tune ? ", weights tuned" : "", o->compensate ? ", biases compensated" : "");
    printf("knobs: sram_v_input=%g sram_v_weight=%g noc_swing=%g noc_bits=%d (nominal %g V, swing %g V)\n",
           e->kn.v_input, e->kn.v_weight, e->kn.noc_swing, e->kn.noc_bits, e->arch.vdd, e->arch.noc_swing);
}

/* The profile as a table: each kind's phases as shares of all the
 * thread-seconds the emulator spent. */
static void infer_print_profile(double (*prof)[EMU_PHASES])
{
    double total = 0, phase[EMU_PHASES] = {0};
    for (int k = 0; k < EMU_KINDS; k++)
        for (int p = 0; p < EMU_PHASES; p++) {
            total += prof[k][p];
            phase[p] += prof[k][p];
        }
    printf("profile: %% of %.3f thread-seconds\n%-10s", total, "kind");
    for (int p = 0; p < EMU_PHASES; p++)
        printf(" %8s", emu_phase_name(p));
    printf(" %8s\n", "total");
    for (int k = 0; k <= EMU_KINDS; k++) {
        const double *row = k < EMU_KINDS ? prof[k] : phase;
        double sum = 0;
        for (int p = 0; p < EMU_PHASES; p++)
            sum += row[p];
        if (k < EMU_KINDS && sum == 0)
            continue;
        printf("%-10s", k < EMU_KINDS ? emu_kind_name(k) : "all");
        for (int p = 0; p < EMU_PHASES; p++)
            printf(" %7.1f%%", total > 0 ? 100 * row[p] / total : 0.0);
        printf(" %7.1f%%\n", total > 0 ? 100 * sum / total : 0.0);
    }
}

/* Top-1 on the emulator; *secs: the inference alone. */
static int infer_emu_run(const infer_opts *o, const infer_net *n, const infer_emu *e, mc_result *r,
                         double *secs, ax_err *err)
{
    int nl = qnet_n_layers(e->q);
    mc_data md = {n->d.images, n->d.labels, n->d.count, n->d.first};
    double prof[EMU_KINDS][EMU_PHASES] = {{0}};
    mc_options mo = {.tables = e->tables, .fixes = (const emu_layer_fix *const *)e->fixes, .weights = e->specs, .inputs = e->specs + nl,
                     .outputs = e->specs + 2 * nl, .reps = (int)o->reps, .seed = o->seed, .threads = (int)o->threads,
                     .profile = o->profile ? prof : NULL};
    double t0 = wallclock_seconds();
    int rc = mc_accuracy(e->q, &md, &mo, r, err);
    *secs = wallclock_seconds() - t0;
    if (rc == AX_OK && o->profile)
        infer_print_profile(prof);
    return rc;
}

/* The index of the largest of n scores (the first on ties). */
static int64_t argmax(const float *row, int64_t n)
{
    int64_t best = 0;
    for (int64_t k = 1; k < n; k++)
        if (row[k] > row[best])
            best = k;
    return best;
}

/* Top-1 on the float executor, in batches of o->batch images; one run, no
 * faults. */
static int infer_float(const infer_opts *o, const infer_net *n, mc_result *r, double *secs, ax_err *err)
{
    const graph *g = n->g;
    const idx_dataset *d = &n->d;
    const int64_t per_img = idx_image_bytes(d), batch = o->batch;
    const int64_t classes = g->tensors[g->outputs[0]].dims[1];
    float *x = malloc((size_t)batch * (size_t)per_img * sizeof *x);
    float *y = malloc((size_t)batch * (size_t)classes * sizeof *y);
    int rc = x && y ? AX_OK : ax_fail(err, AX_EINTERNAL, "out of memory");
    fexec_opts fo = {(int)o->threads, NULL, NULL};
    int64_t correct = 0;
    double t0 = wallclock_seconds();
    for (int64_t start = 0; rc == AX_OK && start < d->count; start += batch) {
        int64_t nb = d->count - start < batch ? d->count - start : batch;
        graph_input_from_pixels(g, d->images + start * per_img, nb, x);
        const float *in[1] = {x};
        float *out[1] = {y};
        rc = fexec_run(g, nb, in, out, &fo, err);
        for (int64_t i = 0; rc == AX_OK && i < nb; i++)
            correct += argmax(y + i * classes, classes) == d->labels[start + i];
    }
    *secs = wallclock_seconds() - t0;
    *r = (mc_result){.top1 = (double)correct / (double)d->count, .reps = 1};
    free(x);
    free(y);
    return rc;
}

/* The last line (and the repetitions when there were faults). */
static void infer_print(const infer_net *n, const mc_result *r, double secs)
{
    if (r->reps > 1 || r->expected_flips > 0)
        printf("repetitions=%d expected_flips=%.1f\n", r->reps, r->expected_flips);
    printf("top1=%.4f top1_se=%.4f flips=%llu images=%lld seconds=%.2f gmac_per_s=%.2f\n", r->top1, r->top1_se,
           (unsigned long long)r->flips, (long long)n->d.count, secs,
           secs > 0 ? (double)n->macs * (double)n->d.count * r->reps / secs / 1e9 : 0.0);
}

/* The emulator's setup, printed, then its run. */
static int infer_quantized(const infer_opts *o, const infer_net *n, mc_result *r, double *secs, ax_err *err)
{
    infer_emu e = {0};
    int rc = infer_emu_prepare(o, n, &e, err);
    if (rc == AX_OK) {
        infer_print_emu(o, &e);
        rc = infer_emu_run(o, n, &e, r, secs, err);
    }
    infer_emu_clear(&e);
    return rc;
}

int cmd_infer(int argc, char **argv)
{
    infer_opts o;
    int status = infer_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    infer_net n = {0};
    mc_result r;
    double secs = 0;
    ax_err err = {0};
    int rc = infer_load(&o, &n, &err);
    if (rc == AX_OK) {
        infer_print_setup(&o, &n);
        rc = o.use_float ? infer_float(&o, &n, &r, &secs, &err) : infer_quantized(&o, &n, &r, &secs, &err);
    }
    if (rc == AX_OK)
        infer_print(&n, &r, secs);
    else
        fprintf(stderr, "axsearch infer: %s\n", err.msg);
    infer_net_clear(&n);
    return rc == AX_OK ? 0 : rc == AX_EINPUT ? 2 : 1;
}
