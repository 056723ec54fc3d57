/* axsearch infer: top-1 accuracy of an ONNX classifier on an IDX dataset
 * split (fitness/net/idx.h), on the 8-bit emulator (default: the network
 * quantized after calibration on training images, with an exact or chosen
 * approximate multiplier in every MAC layer) or on the float reference
 * executor (--float). The last line is
 * "top1=0.9012 images=10000 seconds=1.23 gmac_per_s=4.56"; seconds cover
 * the inference, not loading, calibration or quantization. */
#include <getopt.h>
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
#include "fitness/net/graph.h"
#include "fitness/net/idx.h"
#include "fitness/net/onnx_import.h"
#include "util/wallclock.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsearch infer --model FILE [--data DIR] [--split val|test|train] [--limit N]\n"
            "                      [--float | --mult NAME | --lut FILE] [--import INDEX]\n"
            "                      [--calib N] [--threads T] [--batch B]\n"
            "                      [--sram-v-input V] [--sram-v-weight V] [--noc-swing V]\n"
            "                      [--noc-bits B] [--reps R] [--seed S] [--arch FILE]\n"
            "  --model FILE   ONNX classifier with one input [N,1,H,W] (or [N,H,W], [N,H*W])\n"
            "                 and one output [N,classes]\n"
            "  --data DIR     IDX dataset folder (default %s)\n"
            "  --split S      val (training images 55,000-59,999), test (default) or train\n"
            "  --limit N      only the first N images of the split\n"
            "  --float        the float reference executor instead of the 8-bit emulator\n"
            "  --mult NAME    this library multiplier in every MAC layer (default: exact)\n"
            "  --lut FILE     this TFApprox/EvoApprox table file in every MAC layer\n"
            "  --import INDEX add the tables of an index file to the library (for --mult)\n"
            "  --calib N      calibrate activations on the first N training images (1000)\n"
            "  --sram-v-input V, --sram-v-weight V  PE input / weight buffer supply (V)\n"
            "  --noc-swing V  NoC link swing of the lowest --noc-bits bits (default all 8)\n"
            "  --reps R       repetitions when any bit error rate is above zero (10)\n"
            "  --seed S       seed of the fault draws (1)\n"
            "  --arch FILE    chip description giving the nominal voltages (configs/simba.ini)\n"
            "  --threads T    OpenMP threads (default: all)\n"
            "  --batch B      images per executor call (default 256)\n"
            "input: (pixel/255 - mean)/std with mean/std from the model's metadata\n"
            "(axsearch.input_mean, axsearch.input_std; defaults 0 and 1)\n",
            IDX_DEFAULT_DIR);
}

/* Elements per image the model's input takes, if the images fit it. */
static int check_fit(const graph *g, const idx_dataset *d, const char *model, ax_err *err)
{
    if (g->n_inputs != 1 || g->n_outputs != 1)
        return ax_fail(err, AX_EINPUT, "%s: %d inputs and %d outputs; a classifier with one of each is expected",
                       model, g->n_inputs, g->n_outputs);
    const graph_tensor *in = &g->tensors[g->inputs[0]], *out = &g->tensors[g->outputs[0]];
    int ok = 0;
    if (in->rank == 4)
        ok = in->dims[1] == 1 && in->dims[2] == d->rows && in->dims[3] == d->cols;
    else if (in->rank == 3)
        ok = in->dims[1] == d->rows && in->dims[2] == d->cols;
    else if (in->rank == 2)
        ok = in->dims[1] == (int64_t)d->rows * d->cols;
    if (!ok) {
        char dims[160] = "";
        for (int i = 1; i < in->rank; i++) {
            size_t o = strlen(dims);
            snprintf(dims + o, sizeof dims - o, ",%lld", (long long)in->dims[i]);
        }
        return ax_fail(err, AX_EINPUT,
                       "%s: input '%s' has shape [N%s] but the images are %dx%d (expected [N,1,%d,%d], [N,%d,%d] or [N,%d])",
                       model, in->name, dims, d->rows, d->cols, d->rows, d->cols, d->rows, d->cols, d->rows * d->cols);
    }
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
static int load_table(const char *mult, const char *lut_path, const char *import, emu_table **table,
                      ax_err *err)
{
    *table = NULL;
    if (lut_path) {
        uint16_t *lut = malloc(65536 * sizeof *lut);
        if (!lut)
            return ax_fail(err, AX_EINTERNAL, "out of memory");
        int rc = mult_lut_read(lut_path, lut, err);
        if (rc == AX_OK && !(*table = emu_table_create(lut, err)))
            rc = err->code;
        free(lut);
        return rc;
    }
    if (!mult && !import)
        return AX_OK;
    mult_lib *lib = mult_lib_create_default(err);
    if (!lib)
        return err->code;
    int rc = import ? mult_lib_import_index(lib, import, err) : AX_OK;
    if (rc == AX_OK && mult) {
        long i = mult_lib_find(lib, mult);
        if (i < 0)
            rc = ax_fail(err, AX_EINPUT, "--mult: no multiplier '%s' in the library (see axsearch mults)", mult);
        else if (!(*table = emu_table_create(mult_lib_entry(lib, (size_t)i)->lut, err)))
            rc = err->code;
    }
    mult_lib_free(lib);
    return rc;
}

typedef struct knob_args {
    const char *arch;
    double v_input, v_weight, noc_swing; /* < 0: nominal */
    long noc_bits, reps;
    unsigned long long seed;
} knob_args;

static int infer_quantized(const graph *g, const idx_dataset *d, const char *data, const char *model,
                           const char *mult, const char *lut_path, const char *import, long calib,
                           int threads, int64_t macs, const knob_args *ka, ax_err *err)
{
    qnet *q = NULL;
    emu_table *table = NULL;
    const emu_table **tables = NULL;
    fault_sram *sram = NULL;
    emu_flip_spec *specs = NULL;
    fmap_links *links = NULL;
    accel_arch arch;
    int rc = AX_OK;
    if (ka->arch)
        rc = accel_arch_load(ka->arch, &arch, err);
    else
        accel_arch_default(&arch);
    fmap_model fm;
    if (rc == AX_OK)
        rc = glue_fault_model(&arch, &sram, &fm, err);
    fmap_knobs kn = {ka->v_input < 0 ? arch.vdd : ka->v_input, ka->v_weight < 0 ? arch.vdd : ka->v_weight,
                     ka->noc_swing < 0 ? arch.noc_swing : ka->noc_swing, ka->noc_bits < 0 ? 8 : (int)ka->noc_bits};
    if (rc == AX_OK && (kn.v_input > arch.vdd || kn.v_weight > arch.vdd))
        rc = ax_fail(err, AX_EINPUT, "SRAM voltages above the nominal %g V have no fault model", arch.vdd);
    if (rc == AX_OK && kn.noc_swing > arch.noc_swing)
        rc = ax_fail(err, AX_EINPUT, "--noc-swing above the nominal %g V", arch.noc_swing);
    if (rc == AX_OK) {
        rc = glue_quantize(g, data, calib, threads, &q, err);
        if (rc != AX_OK)
            ax_err_prefix(err, "%s", model);
    }
    if (rc == AX_OK)
        rc = load_table(mult, lut_path, import, &table, err);
    if (rc == AX_OK)
        rc = glue_fault_links(g, &arch, &links, err);
    int nl = q ? qnet_n_layers(q) : 0;
    if (rc == AX_OK) {
        tables = malloc((size_t)nl * sizeof *tables);
        specs = malloc(3 * (size_t)nl * sizeof *specs);
        if (!tables || !specs)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        for (int l = 0; tables && l < nl; l++)
            tables[l] = table;
    }
    if (rc == AX_OK) {
        fmap_layers(&fm, &kn, nl, links, specs, specs + nl, specs + 2 * nl);
        printf("emulator: 8-bit, calibrated on %ld training images, multiplier %s\n",
               calib < 55000 ? calib : 55000L, lut_path ? lut_path : mult ? mult : "exact");
        printf("knobs: sram_v_input=%g sram_v_weight=%g noc_swing=%g noc_bits=%d (nominal %g V, swing %g V)\n",
               kn.v_input, kn.v_weight, kn.noc_swing, kn.noc_bits, arch.vdd, arch.noc_swing);
        mc_data md = {d->images, d->labels, d->count, d->first};
        mc_result r;
        double t0 = wallclock_seconds();
        mc_options mo = {.tables = tables, .weights = specs, .inputs = specs + nl, .outputs = specs + 2 * nl,
                         .reps = (int)ka->reps, .seed = ka->seed, .threads = threads};
        rc = mc_accuracy(q, &md, &mo, &r, err);
        double secs = wallclock_seconds() - t0;
        if (rc == AX_OK) {
            if (r.reps > 1 || r.expected_flips > 0)
                printf("repetitions=%d expected_flips=%.1f\n", r.reps, r.expected_flips);
            printf("top1=%.4f top1_se=%.4f flips=%llu images=%lld seconds=%.2f gmac_per_s=%.2f\n", r.top1,
                   r.top1_se, (unsigned long long)r.flips, (long long)d->count, secs,
                   secs > 0 ? (double)macs * (double)d->count * r.reps / secs / 1e9 : 0.0);
        }
    }
    free(tables);
    free(specs);
    free(links);
    emu_table_free(table);
    fault_sram_free(sram);
    qnet_free(q);
    return rc;
}

int cmd_infer(int argc, char **argv)
{
    const char *model = NULL, *data = IDX_DEFAULT_DIR, *split_s = "test";
    const char *mult = NULL, *lut_path = NULL, *import = NULL;
    long limit = -1, threads = 0, batch = 256, calib = 1000;
    int use_float = 0, knobs = 0;
    knob_args ka = {NULL, -1, -1, -1, -1, 10, 1};
    ax_err err = {0};
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"data", required_argument, NULL, 'd'},
        {"split", required_argument, NULL, 's'}, {"limit", required_argument, NULL, 'n'},
        {"float", no_argument, NULL, 'f'},       {"threads", required_argument, NULL, 't'},
        {"batch", required_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'},
        {"mult", required_argument, NULL, 'M'},  {"lut", required_argument, NULL, 'L'},
        {"import", required_argument, NULL, 'I'}, {"calib", required_argument, NULL, 'c'},
        {"sram-v-input", required_argument, NULL, 'v'}, {"sram-v-weight", required_argument, NULL, 'w'},
        {"noc-swing", required_argument, NULL, 'S'}, {"noc-bits", required_argument, NULL, 'B'},
        {"reps", required_argument, NULL, 'r'}, {"seed", required_argument, NULL, 'e'},
        {"arch", required_argument, NULL, 'A'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int rc = AX_OK;
        switch (c) {
        case 'm': model = optarg; break;
        case 'd': data = optarg; break;
        case 's': split_s = optarg; break;
        case 'n': rc = args_long("--limit", optarg, 1, 1L << 40, &limit, &err); break;
        case 'f': use_float = 1; break;
        case 'M': mult = optarg; break;
        case 'L': lut_path = optarg; break;
        case 'I': import = optarg; break;
        case 'c': rc = args_long("--calib", optarg, 1, 1000000, &calib, &err); break;
        case 'v': rc = args_double("--sram-v-input", optarg, 0.01, 5.0, &ka.v_input, &err); knobs = 1; break;
        case 'w': rc = args_double("--sram-v-weight", optarg, 0.01, 5.0, &ka.v_weight, &err); knobs = 1; break;
        case 'S': rc = args_double("--noc-swing", optarg, 0.001, 5.0, &ka.noc_swing, &err); knobs = 1; break;
        case 'B': rc = args_long("--noc-bits", optarg, 0, 8, &ka.noc_bits, &err); knobs = 1; break;
        case 'r': rc = args_long("--reps", optarg, 1, 100000, &ka.reps, &err); break;
        case 'e': rc = args_u64("--seed", optarg, &ka.seed, &err); break;
        case 'A': ka.arch = optarg; break;
        case 't': rc = args_long("--threads", optarg, 1, 4096, &threads, &err); break;
        case 'b': rc = args_long("--batch", optarg, 1, 1 << 20, &batch, &err); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (rc != AX_OK) {
            fprintf(stderr, "axsearch infer: %s\n", err.msg);
            return 2;
        }
    }
    if (optind != argc || !model) {
        if (!model)
            fprintf(stderr, "axsearch infer: --model is required\n");
        usage(stderr);
        return 2;
    }
    if ((use_float && (mult || lut_path || knobs)) || (mult && lut_path)) {
        fprintf(stderr, "axsearch infer: --float excludes --mult, --lut and the voltage knobs; "
                        "--mult and --lut exclude each other\n");
        return 2;
    }
    idx_split split;
    if (idx_split_from_name(split_s, &split) != 0) {
        fprintf(stderr, "axsearch infer: --split '%s': expected val, test or train\n", split_s);
        return 2;
    }

    graph *g = NULL;
    idx_dataset d = {0};
    float *x = NULL, *y = NULL;
    graph_mac_layer *layers = NULL;
    int n_layers = 0;
    onnx_import_opts io = {1, 0, NULL};
    int rc = onnx_import_file(model, &io, &g, &err);
    if (rc == AX_OK)
        rc = idx_load_split(data, split, &d, &err);
    if (rc == AX_OK && limit > 0 && limit < d.count)
        d.count = limit;
    if (rc == AX_OK)
        rc = check_fit(g, &d, model, &err);
    if (rc == AX_OK)
        rc = graph_mac_layers(g, &layers, &n_layers, &err);
    if (rc != AX_OK) {
        fprintf(stderr, "axsearch infer: %s\n", err.msg);
        graph_free(g);
        idx_dataset_clear(&d);
        return rc == AX_EINPUT ? 2 : 1;
    }
    int64_t macs = 0;
    for (int i = 0; i < n_layers; i++)
        macs += layers[i].macs;
    free(layers);
    const int64_t per_img = (int64_t)d.rows * d.cols;
    const int64_t classes = g->tensors[g->outputs[0]].dims[1];
    printf("model %s: %d nodes, %d MAC layers, %.3f MMAC/image, input mean %g std %g\n", model, g->n_nodes,
           n_layers, (double)macs / 1e6, (double)g->input_mean, (double)g->input_std);
    printf("data %s: %s split, %lld images (from index %lld), %dx%d\n", data, idx_split_name(split),
           (long long)d.count, (long long)d.first, d.rows, d.cols);
    fflush(stdout);
    if (!use_float) {
        rc = infer_quantized(g, &d, data, model, mult, lut_path, import, calib, (int)threads, macs, &ka,
                             &err);
        graph_free(g);
        idx_dataset_clear(&d);
        if (rc != AX_OK)
            fprintf(stderr, "axsearch infer: %s\n", err.msg);
        return rc == AX_OK ? 0 : rc == AX_EINPUT ? 2 : 1;
    }
    x = malloc((size_t)batch * (size_t)per_img * sizeof *x);
    y = malloc((size_t)batch * (size_t)classes * sizeof *y);
    if (!x || !y) {
        fprintf(stderr, "axsearch infer: out of memory\n");
        rc = AX_EINTERNAL;
    }
    fexec_opts fo = {(int)threads, NULL, NULL};
    int64_t correct = 0;
    double t0 = wallclock_seconds();
    for (int64_t start = 0; rc == AX_OK && start < d.count; start += batch) {
        int64_t n = d.count - start < batch ? d.count - start : batch;
        idx_to_float(d.images + start * per_img, n * per_img, g->input_mean, g->input_std, x);
        const float *in[1] = {x};
        float *out[1] = {y};
        rc = fexec_run(g, n, in, out, &fo, &err);
        for (int64_t i = 0; rc == AX_OK && i < n; i++) {
            const float *row = y + i * classes;
            int64_t best = 0;
            for (int64_t k = 1; k < classes; k++)
                if (row[k] > row[best])
                    best = k;
            correct += best == d.labels[start + i];
        }
    }
    double secs = wallclock_seconds() - t0;
    if (rc != AX_OK && err.msg[0])
        fprintf(stderr, "axsearch infer: %s\n", err.msg);
    if (rc == AX_OK)
        printf("top1=%.4f top1_se=0.0000 flips=0 images=%lld seconds=%.2f gmac_per_s=%.2f\n",
               (double)correct / (double)d.count,
               (long long)d.count, secs, secs > 0 ? (double)macs * (double)d.count / secs / 1e9 : 0.0);
    free(x);
    free(y);
    graph_free(g);
    idx_dataset_clear(&d);
    return rc == AX_OK ? 0 : rc == AX_EINPUT ? 2 : 1;
}
