/* axsearch energy: the chip model's energy table, or the energy, latency and
 * area of a network (an ONNX model, or a layer-shape TSV) under chosen
 * multipliers and knobs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_model/arch.h"
#include "accel_model/energy.h"
#include "accel_model/layer.h"
#include "accel_model/net.h"
#include "accel_model/tech.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/glue.h"
#include "fitness/net/onnx_import.h"
#include "util/fileio.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsearch energy --table [--arch FILE]\n"
            "       axsearch energy (--model FILE.onnx | --layers FILE.tsv) [--arch FILE]\n"
            "           [--mult NAME | --mults N1,N2,... | --mult-energy-pj E |\n"
            "            --mult-energies E1,E2,...] [--import INDEX]\n"
            "           [--sram-v-input V] [--sram-v-weight V] [--noc-swing V] [--noc-bits B]\n"
            "           [--objective energy|edp] [--out FILE.tsv] [--mappings]\n"
            "\n"
            "  --arch FILE          chip description (INI; default: built-in configs/simba.ini)\n"
            "  --table              print the derived per-action energies and exit\n"
            "  --model FILE.onnx    the MAC layers of an ONNX model\n"
            "  --layers FILE.tsv    layer shapes (columns: accel_model/README.md)\n"
            "  --mult NAME          this library multiplier in every layer (axsearch mults)\n"
            "  --mults N1,N2,...    one library multiplier per layer\n"
            "  --import INDEX       add the tables of an index file to the library\n"
            "  --mult-energy-pj E   multiplier energy per multiplication at 45 nm for every\n"
            "                       layer (default: exact mul8u_1JFF, 0.391 pJ)\n"
            "  --mult-energies L    the same per layer, comma-separated, one per layer\n"
            "  --sram-v-input V     input-buffer supply (default: vdd)\n"
            "  --sram-v-weight V    weight-buffer supply (default: vdd)\n"
            "  --noc-swing V        NoC link swing of the low bits (default: the nominal swing)\n"
            "  --noc-bits B         lowest bits of each NoC word at that swing (default: all)\n"
            "  --objective O        mapping search objective: energy (default) or edp\n"
            "  --out FILE.tsv       also write the per-layer breakdown (plots/breakdown.gp)\n"
            "  --mappings           print each layer's chosen mapping\n");
}

static int fail(ax_err *err)
{
    fprintf(stderr, "axsearch energy: %s\n", err->msg);
    return err->code == AX_EINPUT ? 2 : 1;
}

static void print_table(const accel_arch *a, const accel_energies *e, const accel_energies *r)
{
    printf("# per-action energies: %d nm, vdd %.2f V (reference: 45 nm, %.2f V)\n", a->node_nm,
           a->vdd, ACCEL_TECH_VREF);
    printf("# energy factor from 45 nm x%.4f, area factor x%.3f (Stillmaker-Baas)\n", e->efactor,
           e->afactor);
    printf("%-44s %12s %12s\n", "action", "45nm_pJ", "node_pJ");
#define ROW(label, field) printf("%-44s %12.5f %12.5f\n", label, r->field, e->field)
    ROW("multiply 8x8 exact (mul8u_1JFF @1 GHz)", mult_exact_pj);
    char lbl[96];
    snprintf(lbl, sizeof lbl, "accumulate add (%d-bit), per MAC", accel_arch_acc_bits(a));
    printf("%-44s %12.5f %12.5f\n", lbl, r->adder_pj, e->adder_pj);
    ROW("register write, per bit", reg_pj_bit);
    snprintf(lbl, sizeof lbl, "weight buffer %g KiB, %d-bit access", a->wbuf_kib, a->wbuf_width);
    printf("%-44s %12.5f %12.5f\n", lbl, r->wbuf_pj_access, e->wbuf_pj_access);
    ROW("  per bit", wbuf_pj_bit);
    snprintf(lbl, sizeof lbl, "input buffer %g KiB, %d-bit access", a->ibuf_kib, a->ibuf_width);
    printf("%-44s %12.5f %12.5f\n", lbl, r->ibuf_pj_access, e->ibuf_pj_access);
    ROW("  per bit", ibuf_pj_bit);
    snprintf(lbl, sizeof lbl, "accumulation buffer %g KiB, %d-bit access", a->abuf_kib,
             a->abuf_width);
    printf("%-44s %12.5f %12.5f\n", lbl, r->abuf_pj_access, e->abuf_pj_access);
    ROW("  per bit", abuf_pj_bit);
    snprintf(lbl, sizeof lbl, "global buffer %g KiB, %d-bit access", a->gbuf_kib, a->gbuf_width);
    printf("%-44s %12.5f %12.5f\n", lbl, r->gbuf_pj_access, e->gbuf_pj_access);
    ROW("  per bit", gbuf_pj_bit);
    snprintf(lbl, sizeof lbl, "NoC hop (%g mm), per bit, nominal swing", a->hop_mm);
    printf("%-44s %12.5f %12.5f\n", lbl, r->noc_nominal_pj_bit, e->noc_nominal_pj_bit);
    ROW("  fixed part (router, driver, receiver)", noc_fixed_pj_bit);
    ROW("  wire part per V^2 (x Vswing x Vdd)", noc_wire_pj_per_v2);
    ROW("package link, per bit per hop", pkg_pj_bit);
    snprintf(lbl, sizeof lbl, "DRAM (%s), per bit", a->dram_type);
    printf("%-44s %12.5f %12.5f\n", lbl, r->dram_pj_bit, e->dram_pj_bit);
    printf("%-44s %12.5f %12.5f\n", "SRAM leakage, uW per KiB", r->sram_leak_uw_per_kib,
           e->sram_leak_uw_per_kib);
    printf("%-44s %12.5f %12.5f\n", "SRAM area, mm^2 per KiB", r->sram_mm2_per_kib,
           e->sram_mm2_per_kib);
    printf("%-44s %12.3f %12.3f\n", "MAC adder + register area, um^2", r->mac_addreg_um2,
           e->mac_addreg_um2);
#undef ROW
}

static int parse_list(const char *text, double **vals, size_t *n, ax_err *err)
{
    size_t cap = 8, k = 0;
    double *v = malloc(cap * sizeof *v);
    char *copy = strdup(text);
    if (!v || !copy) {
        free(v);
        free(copy);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    char *save = NULL;
    int rc = AX_OK;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == AX_OK;
         tok = strtok_r(NULL, ",", &save)) {
        if (k == cap) {
            double *t = realloc(v, 2 * cap * sizeof *v);
            if (!t) {
                rc = ax_fail(err, AX_EINTERNAL, "out of memory");
                break;
            }
            v = t;
            cap *= 2;
        }
        rc = args_double("--mult-energies", tok, 0, 1000, &v[k++], err);
    }
    free(copy);
    if (rc == AX_OK && k == 0)
        rc = ax_fail(err, AX_EINPUT, "--mult-energies: expected a comma-separated list");
    if (rc != AX_OK) {
        free(v);
        return rc;
    }
    *vals = v;
    *n = k;
    return AX_OK;
}

static int write_tsv(const char *path, const accel_net *net, double (*lp)[ACCEL_NCOMP],
                     ax_err *err)
{
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    FILE *f = fio_atomic_stream(w);
    fprintf(f, "layer\tmacs\tutil\tcycles");
    for (int i = 0; i < ACCEL_NCOMP; i++)
        fprintf(f, "\t%s_pj", accel_component_name(i));
    fprintf(f, "\ttotal_pj\n");
    for (size_t l = 0; l < accel_net_layers(net); l++) {
        const accel_counts *c = accel_net_counts(net, l);
        fprintf(f, "%s\t%.0f\t%.4f\t%.0f", accel_net_layer(net, l)->name, c->macs, c->util,
                c->cycles);
        double tot = 0;
        for (int i = 0; i < ACCEL_NCOMP; i++) {
            fprintf(f, "\t%.6g", lp[l][i]);
            tot += lp[l][i];
        }
        fprintf(f, "\t%.6g\n", tot);
    }
    return fio_atomic_commit(w, err);
}

int cmd_energy(int argc, char **argv)
{
    enum { O_ARCH = 256, O_TABLE, O_LAYERS, O_ME, O_MES, O_VI, O_VW, O_SW, O_NB, O_OBJ, O_OUT,
           O_MAPS, O_HELP, O_MODEL, O_MULT, O_MULTS, O_IMPORT };
    static const struct option opts[] = {
        {"arch", required_argument, 0, O_ARCH},
        {"table", no_argument, 0, O_TABLE},
        {"layers", required_argument, 0, O_LAYERS},
        {"mult-energy-pj", required_argument, 0, O_ME},
        {"mult-energies", required_argument, 0, O_MES},
        {"sram-v-input", required_argument, 0, O_VI},
        {"sram-v-weight", required_argument, 0, O_VW},
        {"noc-swing", required_argument, 0, O_SW},
        {"noc-bits", required_argument, 0, O_NB},
        {"objective", required_argument, 0, O_OBJ},
        {"out", required_argument, 0, O_OUT},
        {"mappings", no_argument, 0, O_MAPS},
        {"help", no_argument, 0, O_HELP},
        {"model", required_argument, 0, O_MODEL},
        {"mult", required_argument, 0, O_MULT},
        {"mults", required_argument, 0, O_MULTS},
        {"import", required_argument, 0, O_IMPORT},
        {0, 0, 0, 0},
    };
    const char *arch_path = NULL, *layers_path = NULL, *out_path = NULL, *mes = NULL;
    const char *model = NULL, *mult = NULL, *mult_list = NULL, *import = NULL;
    int table = 0, maps = 0, objective = ACCEL_OBJ_ENERGY, have_me = 0;
    double me = 0, vi = -1, vw = -1, sw = -1;
    long nb = -1;
    ax_err err = {0};
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int rc = AX_OK;
        switch (o) {
        case O_ARCH: arch_path = optarg; break;
        case O_TABLE: table = 1; break;
        case O_LAYERS: layers_path = optarg; break;
        case O_ME:
            rc = args_double("--mult-energy-pj", optarg, 0, 1000, &me, &err);
            have_me = 1;
            break;
        case O_MES: mes = optarg; break;
        case O_VI: rc = args_double("--sram-v-input", optarg, 0.3, 1.3, &vi, &err); break;
        case O_VW: rc = args_double("--sram-v-weight", optarg, 0.3, 1.3, &vw, &err); break;
        case O_SW: rc = args_double("--noc-swing", optarg, 0.001, 1.3, &sw, &err); break;
        case O_NB: rc = args_long("--noc-bits", optarg, 0, 64, &nb, &err); break;
        case O_OBJ:
            if (!strcmp(optarg, "energy"))
                objective = ACCEL_OBJ_ENERGY;
            else if (!strcmp(optarg, "edp"))
                objective = ACCEL_OBJ_EDP;
            else
                rc = ax_fail(&err, AX_EINPUT, "--objective: expected energy or edp, got '%s'",
                             optarg);
            break;
        case O_OUT: out_path = optarg; break;
        case O_MAPS: maps = 1; break;
        case O_MODEL: model = optarg; break;
        case O_MULT: mult = optarg; break;
        case O_MULTS: mult_list = optarg; break;
        case O_IMPORT: import = optarg; break;
        case O_HELP: usage(stdout); return 0;
        default:
            fprintf(stderr, "axsearch energy: unknown or incomplete option '%s'\n",
                    argv[optind - 1]);
            usage(stderr);
            return 2;
        }
        if (rc != AX_OK)
            return fail(&err);
    }
    if (optind < argc) {
        fprintf(stderr, "axsearch energy: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (table + !!layers_path + !!model != 1) {
        fprintf(stderr, "axsearch energy: give one of --table, --model FILE and --layers FILE\n");
        usage(stderr);
        return 2;
    }
    if (import && !mult && !mult_list) {
        fprintf(stderr, "axsearch energy: --import adds designs to pick with --mult or --mults; give one\n");
        return 2;
    }
    if (have_me + !!mes + !!mult + !!mult_list > 1) {
        fprintf(stderr, "axsearch energy: --mult, --mults, --mult-energy-pj and --mult-energies "
                        "exclude each other\n");
        return 2;
    }
    accel_arch arch;
    if (arch_path) {
        if (accel_arch_load(arch_path, &arch, &err) != AX_OK)
            return fail(&err);
    } else {
        accel_arch_default(&arch);
    }
    accel_energies e;
    if (accel_energies_derive(&arch, &e, &err) != AX_OK)
        return fail(&err);
    if (table) {
        accel_arch ref = arch;
        ref.node_nm = 45;
        ref.vdd = ACCEL_TECH_VREF;
        if (ref.noc_swing > ref.vdd)
            ref.noc_swing = ref.vdd;
        accel_energies re;
        if (accel_energies_derive(&ref, &re, &err) != AX_OK)
            return fail(&err);
        print_table(&arch, &e, &re);
        return 0;
    }

    accel_layer_shape *layers = NULL;
    size_t nl = 0;
    if (model) {
        graph *g = NULL;
        onnx_import_opts io = {1, 0, NULL};
        if (onnx_import_file(model, &io, &g, &err) != AX_OK)
            return fail(&err);
        int rc = glue_layer_shapes(g, &layers, &nl, &err);
        graph_free(g);
        if (rc == AX_OK && nl == 0)
            rc = ax_fail(&err, AX_EINPUT, "%s: no MAC layers", model);
        if (rc != AX_OK) {
            free(layers);
            return fail(&err);
        }
        layers_path = model;
    } else if (accel_layers_load(layers_path, &layers, &nl, &err) != AX_OK) {
        return fail(&err);
    }
    accel_voltages v = accel_voltages_nominal(&arch);
    if (vi > 0)
        v.v_input = vi;
    if (vw > 0)
        v.v_weight = vw;
    if (sw > 0)
        v.noc_swing = sw;
    if (nb >= 0)
        v.noc_bits = (int)nb;
    int status = 0;
    double *evals = NULL;
    size_t ne = 0;
    accel_mult_cost *mults = NULL;
    int *layer_mult = NULL;
    double(*lp)[ACCEL_NCOMP] = NULL;
    accel_net *net = NULL;
    mult_lib *lib = NULL;
    char **names = NULL, *name_store = NULL;
    size_t n_names = 0;
    if (accel_voltages_check(&arch, &v, &err) != AX_OK)
        goto fail;
    if (mes) {
        if (parse_list(mes, &evals, &ne, &err) != AX_OK)
            goto fail;
        if (ne != nl) {
            ax_fail(&err, AX_EINPUT, "--mult-energies: %zu values for %zu layers", ne, nl);
            goto fail;
        }
    }
    mults = malloc(nl * sizeof *mults);
    layer_mult = malloc(nl * sizeof *layer_mult);
    lp = malloc(nl * sizeof *lp);
    if (!mults || !layer_mult || !lp) {
        ax_fail(&err, AX_EINTERNAL, "out of memory");
        goto fail;
    }
    size_t nm = 0;
    if (mult || mult_list) {
        /* Library multipliers: one cost-table entry per distinct design. */
        if (!(lib = mult_lib_create_default(&err)))
            goto fail;
        if (import && mult_lib_import_index(lib, import, &err) != AX_OK)
            goto fail;
        if (mult_list && glue_split_names("--mults", mult_list, &names, &n_names, &name_store, &err) != AX_OK)
            goto fail;
        if (mult_list && n_names != nl) {
            ax_fail(&err, AX_EINPUT, "--mults: %zu names for %zu layers", n_names, nl);
            goto fail;
        }
        long *seen = malloc(nl * sizeof *seen);
        if (!seen) {
            ax_fail(&err, AX_EINTERNAL, "out of memory");
            goto fail;
        }
        for (size_t l = 0; l < nl; l++) {
            const char *nm_l = mult ? mult : names[l];
            long id = mult_lib_find(lib, nm_l);
            if (id < 0) {
                free(seen);
                ax_fail(&err, AX_EINPUT, "no multiplier '%s' in the library (see axsearch mults)", nm_l);
                goto fail;
            }
            size_t j = 0;
            while (j < nm && seen[j] != id)
                j++;
            if (j == nm) {
                seen[nm] = id;
                mults[nm++] = glue_mult_cost(mult_lib_entry(lib, (size_t)id));
            }
            layer_mult[l] = (int)j;
        }
        free(seen);
    }
    /* Otherwise one cost-table entry per distinct energy; area as the exact
     * design. */
    for (size_t l = 0; !lib && l < nl; l++) {
        accel_mult_cost m = accel_mult_cost_exact();
        if (have_me)
            m.energy_pj = me;
        if (evals)
            m.energy_pj = evals[l];
        size_t j = 0;
        while (j < nm && mults[j].energy_pj != m.energy_pj)
            j++;
        if (j == nm)
            mults[nm++] = m;
        layer_mult[l] = (int)j;
    }
    if (accel_net_create(&arch, layers, nl, mults, nm, objective, &net, &err) != AX_OK)
        goto fail;
    accel_design d = {.layer_mult = layer_mult, .volts = v};
    accel_result r = {.layer_pj = lp};
    if (accel_net_eval(net, &d, &r, &err) != AX_OK)
        goto fail;

    printf("# %s on %d nm, %d chiplet(s) x %d PEs x %d x %d MACs, %g MHz; energies in nJ\n",
           layers_path, arch.node_nm, accel_arch_chiplets(&arch), accel_arch_pes(&arch),
           arch.vector_macs, arch.lanes, arch.clock_mhz);
    printf("%-10s %11s %6s %10s", "layer", "macs", "util%", "cycles");
    for (int i = 0; i < ACCEL_NCOMP; i++)
        printf(" %9s", accel_component_name(i));
    printf(" %10s %7s\n", "total", "pJ/MAC");
    for (size_t l = 0; l < nl; l++) {
        const accel_counts *c = accel_net_counts(net, l);
        double tot = 0;
        printf("%-10s %11.0f %6.1f %10.0f", layers[l].name, c->macs, 100 * c->util, c->cycles);
        for (int i = 0; i < ACCEL_NCOMP; i++) {
            printf(" %9.3f", lp[l][i] / 1000);
            tot += lp[l][i];
        }
        printf(" %10.3f %7.4f\n", tot / 1000, tot / c->macs);
    }
    printf("%-10s %11.0f %6s %10.0f", "total", r.macs, "", r.cycles);
    for (int i = 0; i < ACCEL_NCOMP; i++)
        printf(" %9.3f", r.comp_pj[i] / 1000);
    printf(" %10.3f %7.4f\n", r.energy_pj / 1000, r.energy_pj / r.macs);
    if (maps) {
        for (size_t l = 0; l < nl; l++) {
            char buf[512];
            accel_mapping_format(accel_net_mapping(net, l), buf, sizeof buf);
            printf("# map %-10s %s\n", layers[l].name, buf);
        }
    }
    if (out_path && write_tsv(out_path, net, lp, &err) != AX_OK)
        goto fail;
    printf("energy_uj=%.6g latency_ms=%.6g area_mm2=%.6g pj_per_mac=%.6g\n", r.energy_pj * 1e-6,
           r.latency_s * 1e3, r.area_mm2, r.energy_pj / r.macs);
    goto done;
fail:
    status = fail(&err);
done:
    accel_net_free(net);
    mult_lib_free(lib);
    free(names);
    free(name_store);
    free(lp);
    free(layer_mult);
    free(mults);
    free(evals);
    free(layers);
    return status;
}
