/* axsearch faults: accuracy of the 8-bit network as each voltage knob alone
 * is lowered from its nominal value (the error side of the knobs). Prints a
 * TSV table; plots/faults.gp draws it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_model/arch.h"
#include "approx/fault.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/glue.h"
#include "fitness/emu/faultmap.h"
#include "fitness/net/idx.h"
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

int cmd_faults(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"data", required_argument, NULL, 'd'},
        {"split", required_argument, NULL, 's'}, {"limit", required_argument, NULL, 'n'},
        {"reps", required_argument, NULL, 'r'},  {"seed", required_argument, NULL, 'e'},
        {"noc-bits", required_argument, NULL, 'B'}, {"arch", required_argument, NULL, 'A'},
        {"calib", required_argument, NULL, 'c'}, {"threads", required_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model = NULL, *data = IDX_DEFAULT_DIR, *split_s = "val", *arch_path = NULL, *out = NULL;
    long limit = -1, reps = 5, noc_bits = 8, calib = 1000, threads = 0;
    unsigned long long seed = 1;
    ax_err err = {0};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int rc = AX_OK;
        switch (c) {
        case 'm': model = optarg; break;
        case 'd': data = optarg; break;
        case 's': split_s = optarg; break;
        case 'n': rc = args_long("--limit", optarg, 1, 1L << 40, &limit, &err); break;
        case 'r': rc = args_long("--reps", optarg, 1, 100000, &reps, &err); break;
        case 'e': rc = args_u64("--seed", optarg, &seed, &err); break;
        case 'B': rc = args_long("--noc-bits", optarg, 0, 8, &noc_bits, &err); break;
        case 'A': arch_path = optarg; break;
        case 'c': rc = args_long("--calib", optarg, 1, 1000000, &calib, &err); break;
        case 't': rc = args_long("--threads", optarg, 1, 4096, &threads, &err); break;
        case 'o': out = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (rc != AX_OK) {
            fprintf(stderr, "axsearch faults: %s\n", err.msg);
            return 2;
        }
    }
    if (optind != argc || !model) {
        fprintf(stderr, "axsearch faults: --model is required\n");
        usage(stderr);
        return 2;
    }
    idx_split split;
    if (idx_split_from_name(split_s, &split) != 0 || split == IDX_SPLIT_TRAIN) {
        fprintf(stderr, "axsearch faults: --split '%s': expected val or test\n", split_s);
        return 2;
    }

    accel_arch arch;
    graph *g = NULL;
    qnet *q = NULL;
    fault_sram *sram = NULL;
    idx_dataset d = {0};
    emu_flip_spec *specs = NULL;
    fmap_links *links = NULL;
    fio_atomic *w = NULL;
    fmap_model fm;
    int rc = arch_path ? accel_arch_load(arch_path, &arch, &err) : (accel_arch_default(&arch), AX_OK);
    if (rc == AX_OK)
        rc = glue_fault_model(&arch, &sram, &fm, &err);
    if (rc == AX_OK)
        rc = idx_load_split(data, split, &d, &err);
    if (rc == AX_OK && limit > 0 && limit < d.count)
        d.count = limit;
    if (rc == AX_OK)
        rc = glue_load_qnet(model, data, calib, (int)threads, &g, &q, &err);
    if (rc == AX_OK)
        rc = glue_fault_links(g, &arch, &links, &err);
    if (rc == AX_OK && !(specs = malloc(3 * (size_t)qnet_n_layers(q) * sizeof *specs)))
        rc = ax_fail(&err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK && out && !(w = fio_atomic_open(out, &err)))
        rc = err.code;
    if (rc == AX_OK) {
        int nl = qnet_n_layers(q);
        FILE *files[2] = {stdout, w ? fio_atomic_stream(w) : NULL};
        for (int k = 0; k < 2; k++)
            if (files[k])
                fprintf(files[k], "knob\tvalue\ttop1\ttop1_se\texpected_flips\tobserved_flips\n");
        static const char *const knob_names[3] = {"sram_v_input", "sram_v_weight", "noc_swing"};
        mc_data md = {d.images, d.labels, d.count, d.first};
        for (int knob = 0; knob < 3 && rc == AX_OK; knob++) {
            const double *levels = knob < 2 ? sram_levels : swing_levels;
            size_t nlev = knob < 2 ? sizeof sram_levels / sizeof sram_levels[0]
                                   : sizeof swing_levels / sizeof swing_levels[0];
            for (size_t i = 0; i < nlev && rc == AX_OK; i++) {
                fmap_knobs kn = {arch.vdd, arch.vdd, arch.noc_swing, (int)noc_bits};
                double value = levels[i] * (knob < 2 ? arch.vdd : arch.noc_swing);
                if (knob == 0)
                    kn.v_input = value;
                else if (knob == 1)
                    kn.v_weight = value;
                else
                    kn.noc_swing = value;
                fmap_layers(&fm, &kn, nl, links, specs, specs + nl, specs + 2 * nl);
                mc_result r;
                mc_options mo = {.weights = specs, .inputs = specs + nl, .outputs = specs + 2 * nl,
                                 .reps = (int)reps, .seed = seed, .threads = (int)threads};
                rc = mc_accuracy(q, &md, &mo, &r, &err);
                for (int k = 0; k < 2 && rc == AX_OK; k++)
                    if (files[k]) {
                        fprintf(files[k], "%s\t%.4f\t%.4f\t%.4f\t%.1f\t%llu\n", knob_names[knob], value,
                                r.top1, r.top1_se, r.expected_flips, (unsigned long long)r.flips);
                        fflush(files[k]);
                    }
            }
        }
    }
    if (w) {
        if (rc == AX_OK)
            rc = fio_atomic_commit(w, &err);
        else
            fio_atomic_abort(w);
    }
    if (rc != AX_OK)
        fprintf(stderr, "axsearch faults: %s\n", err.msg);
    free(specs);
    free(links);
    qnet_free(q);
    graph_free(g);
    fault_sram_free(sram);
    idx_dataset_clear(&d);
    return rc == AX_OK ? 0 : rc == AX_EINPUT ? 2 : 1;
}
