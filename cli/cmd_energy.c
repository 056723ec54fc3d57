/* axsearch energy: the chip model's energy table, or the energy, latency and
 * area of a network (an ONNX model, or a layer-shape TSV) under chosen
 * multipliers and knobs. */
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
#include "accel_model/nest.h"
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
            "       axsearch energy --layer SHAPE --mapping FILE\n"
            "\n");
}

/* The command line. Negative voltages and noc_bits: not given (nominal). */
typedef struct energy_opts {
    const char *arch, *layers, *model, *out;
    const char *layer, *mapping;       /* a fixed mapping's access counts (accel_model/nest.h) */
    const char *mult, *mults, *import; /* library multipliers */
    const char *mes;                   /* --mult-energies, as typed */
    int table, mappings, objective, have_me;
    double me, vi, vw, sw;
    long nb;
} energy_opts;

static int parse_objective(const char *opt, const char *text, void *dst, ax_err *err)
{
    int *objective = dst;
    if (!strcmp(text, "energy"))
        *objective = ACCEL_OBJ_ENERGY;
    else if (!strcmp(text, "edp"))
        *objective = ACCEL_OBJ_EDP;
    else
        return ax_fail(err, AX_EINPUT, "%s: expected energy or edp, got '%s'", opt, text);
    return AX_OK;
}

/* The checks of options that exclude or need each other; first: the index
 * of the first operand. */
static int energy_check(const energy_opts *o, const args_spec *s, int argc, char **argv, int first)
{
    if (first < argc) {
        fprintf(stderr, "axsearch energy: unexpected argument '%s'\n", argv[first]);
        return 2;
    }
    if (!!o->layer != !!o->mapping) {
        fprintf(stderr, "axsearch energy: --layer SHAPE and --mapping FILE go together\n");
        return 2;
    }
    if (o->table + !!o->layers + !!o->model + !!o->mapping != 1) {
        fprintf(stderr, "axsearch energy: give one of --table, --model FILE, --layers FILE and --mapping FILE\n");
        args_usage(s, stderr);
        return 2;
    }
    if (o->import && !o->mult && !o->mults) {
        fprintf(stderr, "axsearch energy: --import adds designs to pick with --mult or --mults; give one\n");
        return 2;
    }
    if (o->have_me + !!o->mes + !!o->mult + !!o->mults > 1) {
        fprintf(stderr, "axsearch energy: --mult, --mults, --mult-energy-pj and --mult-energies "
                        "exclude each other\n");
        return 2;
    }
    return ARGS_RUN;
}

static int energy_parse(int argc, char **argv, energy_opts *o)
{
    *o = (energy_opts){.objective = ACCEL_OBJ_ENERGY, .vi = -1, .vw = -1, .sw = -1, .nb = -1};
    const args_opt opts[] = {
        {.name = "arch", .kind = ARGS_STRING, .dst = &o->arch,
         .arg = "FILE", .help = "chip description (INI; default: built-in configs/simba.ini)"},
        {.name = "table", .kind = ARGS_FLAG, .dst = &o->table,
         .help = "print the derived per-action energies and exit"},
        {.name = "model", .kind = ARGS_STRING, .dst = &o->model,
         .arg = "FILE.onnx", .help = "the MAC layers of an ONNX model"},
        {.name = "layers", .kind = ARGS_STRING, .dst = &o->layers,
         .arg = "FILE.tsv", .help = "layer shapes (columns: accel_model/README.md)"},
        {.name = "layer", .kind = ARGS_STRING, .dst = &o->layer, .arg = "SHAPE",
         .help = "one layer by Timeloop's loop bounds, e.g. K=32,C=32,R=3,P=16\n"
                 "(R S P Q C K N, missing ones 1; Wstride= Hstride= Wdilation= Hdilation=)"},
        {.name = "mapping", .kind = ARGS_STRING, .dst = &o->mapping, .arg = "FILE",
         .help = "with --layer: print the access counts of this mapping, a loop\n"
                 "nest as Timeloop's map.txt writes it (docs/nest.md)"},
        {.name = "mult", .kind = ARGS_STRING, .dst = &o->mult,
         .arg = "NAME", .help = "this library multiplier in every layer (axsearch mults)"},
        {.name = "mults", .kind = ARGS_STRING, .dst = &o->mults,
         .arg = "N1,N2,...", .help = "one library multiplier per layer"},
        {.name = "import", .kind = ARGS_STRING, .dst = &o->import,
         .arg = "INDEX", .help = "add the tables of an index file to the library"},
        {.name = "mult-energy-pj", .kind = ARGS_DOUBLE, .dst = &o->me, .lo = 0, .hi = 1000,
         .seen = &o->have_me, .arg = "E",
         .help = "multiplier energy per multiplication at 45 nm for every\n"
                 "layer (default: exact mul8u_1JFF, 0.391 pJ)"},
        {.name = "mult-energies", .kind = ARGS_STRING, .dst = &o->mes,
         .arg = "L", .help = "the same per layer, comma-separated, one per layer"},
        {.name = "sram-v-input", .kind = ARGS_DOUBLE, .dst = &o->vi, .lo = 0.3, .hi = 1.3,
         .arg = "V", .help = "input-buffer supply (default: vdd)"},
        {.name = "sram-v-weight", .kind = ARGS_DOUBLE, .dst = &o->vw, .lo = 0.3, .hi = 1.3,
         .arg = "V", .help = "weight-buffer supply (default: vdd)"},
        {.name = "noc-swing", .kind = ARGS_DOUBLE, .dst = &o->sw, .lo = 0.001, .hi = 1.3,
         .arg = "V", .help = "NoC link swing of the low bits (default: the nominal swing)"},
        {.name = "noc-bits", .kind = ARGS_LONG, .dst = &o->nb, .lo = 0, .hi = 64,
         .arg = "B", .help = "lowest bits of each NoC word at that swing (default: all)"},
        {.name = "objective", .kind = ARGS_FUNC, .dst = &o->objective, .fn = parse_objective,
         .arg = "O", .help = "mapping search objective: energy (default) or edp"},
        {.name = "out", .kind = ARGS_STRING, .dst = &o->out,
         .arg = "FILE.tsv", .help = "also write the per-layer breakdown (plots/breakdown.gp)"},
        {.name = "mappings", .kind = ARGS_FLAG, .dst = &o->mappings,
         .help = "print each layer's chosen mapping"},
    };
    const args_spec s = {.cmd = "energy", .opts = opts, .n_opts = sizeof opts / sizeof opts[0],
                         .usage = usage, .width = 20, .own_unknown = 1};
    int first = args_parse(&s, argc, argv);
    if (first < 0)
        return args_status(first);
    return energy_check(o, &s, argc, argv, first);
}

static int fail(ax_err *err)
{
    fprintf(stderr, "axsearch energy: %s\n", err->msg);
    return err->code == AX_EINPUT ? 2 : 1;
}

/* The simba template's global buffer, NoC and package rows. */
static void print_simba_rows(const accel_arch *a, const accel_energies *e, const accel_energies *r)
{
    char lbl[96];
#define ROW(label, field) printf("%-44s %12.5f %12.5f\n", label, r->field, e->field)
    snprintf(lbl, sizeof lbl, "global buffer %g KiB, %d-bit access", a->gbuf_kib, a->gbuf_width);
    printf("%-44s %12.5f %12.5f\n", lbl, r->gbuf_pj_access, e->gbuf_pj_access);
    ROW("  per bit", gbuf_pj_bit);
    snprintf(lbl, sizeof lbl, "NoC hop (%g mm), per bit, nominal swing", a->hop_mm);
    printf("%-44s %12.5f %12.5f\n", lbl, r->noc_nominal_pj_bit, e->noc_nominal_pj_bit);
    ROW("  fixed part (router, driver, receiver)", noc_fixed_pj_bit);
    ROW("  wire part per V^2 (x Vswing x Vdd)", noc_wire_pj_per_v2);
    ROW("package link, per bit per hop", pkg_pj_bit);
#undef ROW
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
    int sys = accel_arch_systolic(a); /* its buffers stand in for the PE's (arch.h) */
    snprintf(lbl, sizeof lbl, "%s %g KiB, %d-bit access", sys ? "weight FIFO" : "weight buffer", a->wbuf_kib,
             a->wbuf_width);
    printf("%-44s %12.5f %12.5f\n", lbl, r->wbuf_pj_access, e->wbuf_pj_access);
    ROW("  per bit", wbuf_pj_bit);
    snprintf(lbl, sizeof lbl, "%s %g KiB, %d-bit access", sys ? "unified buffer" : "input buffer", a->ibuf_kib,
             a->ibuf_width);
    printf("%-44s %12.5f %12.5f\n", lbl, r->ibuf_pj_access, e->ibuf_pj_access);
    ROW("  per bit", ibuf_pj_bit);
    snprintf(lbl, sizeof lbl, "%s %g KiB, %d-bit access", sys ? "accumulators" : "accumulation buffer",
             a->abuf_kib, a->abuf_width);
    printf("%-44s %12.5f %12.5f\n", lbl, r->abuf_pj_access, e->abuf_pj_access);
    ROW("  per bit", abuf_pj_bit);
    if (!sys)
        print_simba_rows(a, e, r);
    snprintf(lbl, sizeof lbl, "DRAM (%s), per bit", a->dram_type);
    printf("%-44s %12.5f %12.5f\n", lbl, r->dram_pj_bit, e->dram_pj_bit);
    printf("%-44s %12.5f %12.5f\n", "SRAM leakage, uW per KiB", r->sram_leak_uw_per_kib,
           e->sram_leak_uw_per_kib);
    printf("%-44s %12.5f %12.5f\n", "SRAM area, mm^2 per KiB", r->sram_mm2_per_kib,
           e->sram_mm2_per_kib);
    printf("%-44s %12.3f %12.3f\n", sys ? "cell adder + registers area, um^2" : "MAC adder + register area, um^2",
           r->mac_addreg_um2,
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

/* What energy_run computes. --table: arch, e and ref. A network: the rest;
 * everything malloc'ed is freed by energy_out_clear. */
typedef struct energy_out {
    accel_arch arch;
    accel_energies e, ref;
    const char *source;          /* the model or layer file, for the header */
    accel_layer_shape *layers;   /* [nl] */
    size_t nl;
    accel_net *net;
    double (*lp)[ACCEL_NCOMP];   /* [nl]: pJ per layer and component */
    accel_result r;
} energy_out;

static void energy_out_clear(energy_out *r)
{
    accel_net_free(r->net);
    free(r->lp);
    free(r->layers);
}

static int energy_load_arch(const energy_opts *o, energy_out *r, ax_err *err)
{
    if (o->arch) {
        if (accel_arch_load(o->arch, &r->arch, err) != AX_OK)
            return err->code;
    } else {
        accel_arch_default(&r->arch);
    }
    if (accel_energies_derive(&r->arch, &r->e, err) != AX_OK)
        return err->code;
    if (!o->table)
        return AX_OK;
    /* The reference column: the same chip at 45 nm and the reference
     * supply. */
    accel_arch ref = r->arch;
    ref.node_nm = 45;
    ref.vdd = ACCEL_TECH_VREF;
    if (ref.noc_swing > ref.vdd || accel_arch_systolic(&ref))
        ref.noc_swing = ref.vdd; /* systolic: no NoC, the swing follows vdd */
    return accel_energies_derive(&ref, &r->ref, err) != AX_OK ? err->code : AX_OK;
}

/* The layer shapes, from the ONNX model or the layer file. */
static int energy_load_layers(const energy_opts *o, energy_out *r, ax_err *err)
{
    if (!o->model) {
        r->source = o->layers;
        return accel_layers_load(o->layers, &r->layers, &r->nl, err) != AX_OK ? err->code : AX_OK;
    }
    r->source = o->model;
    graph *g = NULL;
    onnx_import_opts io = {1, 0, NULL};
    if (onnx_import_file(o->model, &io, &g, err) != AX_OK)
        return err->code;
    int rc = glue_layer_shapes(g, &r->layers, &r->nl, err);
    graph_free(g);
    if (rc == AX_OK && r->nl == 0)
        rc = ax_fail(err, AX_EINPUT, "%s: no MAC layers", o->model);
    return rc;
}

/* The knobs: nominal unless given, then checked against the chip. */
static int energy_voltages(const energy_opts *o, const accel_arch *arch, accel_voltages *v, ax_err *err)
{
    *v = accel_voltages_nominal(arch);
    if (o->vi > 0)
        v->v_input = o->vi;
    if (o->vw > 0)
        v->v_weight = o->vw;
    if (o->sw > 0)
        v->noc_swing = o->sw;
    if (o->nb >= 0)
        v->noc_bits = (int)o->nb;
    return accel_voltages_check(arch, v, err) != AX_OK ? err->code : AX_OK;
}

/* The multiplier cost table from library multipliers (--mult, --mults):
 * one entry per distinct design; layer_mult[l] indexes it. */
static int lib_costs(const energy_opts *o, size_t nl, accel_mult_cost *mults, size_t *nm, int *layer_mult,
                     ax_err *err)
{
    mult_lib *lib = mult_lib_create_default(err);
    char **names = NULL, *name_store = NULL;
    size_t n_names = 0;
    long *seen = malloc(nl * sizeof *seen); /* library index of each entry */
    int rc = lib ? AX_OK : err->code;
    if (rc == AX_OK && o->import)
        rc = mult_lib_import_index(lib, o->import, err);
    if (rc == AX_OK && o->mults)
        rc = glue_split_names("--mults", o->mults, &names, &n_names, &name_store, err);
    if (rc == AX_OK && o->mults && n_names != nl)
        rc = ax_fail(err, AX_EINPUT, "--mults: %zu names for %zu layers", n_names, nl);
    if (rc == AX_OK && !seen)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    for (size_t l = 0; rc == AX_OK && l < nl; l++) {
        const char *name = o->mult ? o->mult : names[l];
        long id = mult_lib_find(lib, name);
        if (id < 0) {
            rc = ax_fail(err, AX_EINPUT, "no multiplier '%s' in the library (see axsearch mults)", name);
            break;
        }
        size_t j = 0;
        while (j < *nm && seen[j] != id)
            j++;
        if (j == *nm) {
            seen[*nm] = id;
            mults[(*nm)++] = glue_mult_cost(mult_lib_entry(lib, (size_t)id));
        }
        layer_mult[l] = (int)j;
    }
    free(seen);
    free(names);
    free(name_store);
    mult_lib_free(lib);
    return rc;
}

/* The multiplier cost table from energies (--mult-energy-pj,
 * --mult-energies, or none: exact): one entry per distinct energy, area as
 * the exact design. */
static int energy_costs(const energy_opts *o, size_t nl, accel_mult_cost *mults, size_t *nm, int *layer_mult,
                        ax_err *err)
{
    double *evals = NULL;
    size_t ne = 0;
    if (o->mes) {
        if (parse_list(o->mes, &evals, &ne, err) != AX_OK)
            return err->code;
        if (ne != nl) {
            free(evals);
            return ax_fail(err, AX_EINPUT, "--mult-energies: %zu values for %zu layers", ne, nl);
        }
    }
    for (size_t l = 0; l < nl; l++) {
        accel_mult_cost m = accel_mult_cost_exact();
        if (o->have_me)
            m.energy_pj = o->me;
        if (evals)
            m.energy_pj = evals[l];
        size_t j = 0;
        while (j < *nm && mults[j].energy_pj != m.energy_pj)
            j++;
        if (j == *nm)
            mults[(*nm)++] = m;
        layer_mult[l] = (int)j;
    }
    free(evals);
    return AX_OK;
}

/* Maps and scores the network under the chosen multipliers and knobs. */
static int energy_eval(const energy_opts *o, const accel_voltages *v, energy_out *r, ax_err *err)
{
    size_t nl = r->nl, nm = 0;
    accel_mult_cost *mults = malloc(nl * sizeof *mults);
    int *layer_mult = malloc(nl * sizeof *layer_mult);
    r->lp = malloc(nl * sizeof *r->lp);
    int rc = AX_OK;
    if (!mults || !layer_mult || !r->lp)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    else if (o->mult || o->mults)
        rc = lib_costs(o, nl, mults, &nm, layer_mult, err);
    if (rc == AX_OK && !o->mult && !o->mults)
        rc = energy_costs(o, nl, mults, &nm, layer_mult, err);
    if (rc == AX_OK)
        rc = accel_net_create(&r->arch, r->layers, nl, mults, nm, o->objective, &r->net, err);
    accel_design d = {.layer_mult = layer_mult, .volts = *v};
    r->r.layer_pj = r->lp;
    if (rc == AX_OK)
        rc = accel_net_eval(r->net, &d, &r->r, err);
    free(layer_mult);
    free(mults);
    return rc;
}

static int energy_run(const energy_opts *o, energy_out *r, ax_err *err)
{
    int rc = energy_load_arch(o, r, err);
    if (rc != AX_OK || o->table)
        return rc;
    accel_voltages v;
    rc = energy_load_layers(o, r, err);
    if (rc == AX_OK)
        rc = energy_voltages(o, &r->arch, &v, err);
    if (rc == AX_OK)
        rc = energy_eval(o, &v, r, err);
    return rc;
}

/* The per-layer table in nJ, and the mappings when asked for. */
static void energy_print(const energy_opts *o, const energy_out *r)
{
    const accel_arch *a = &r->arch;
    if (accel_arch_systolic(a))
        printf("# %s on %d nm, a %d x %d systolic array, %g MHz; energies in nJ\n", r->source, a->node_nm,
               a->sa_rows, a->sa_cols, a->clock_mhz);
    else
        printf("# %s on %d nm, %d chiplet(s) x %d PEs x %d x %d MACs, %g MHz; energies in nJ\n", r->source,
               a->node_nm, accel_arch_chiplets(a), accel_arch_pes(a), a->vector_macs, a->lanes, a->clock_mhz);
    printf("%-10s %11s %6s %10s", "layer", "macs", "util%", "cycles");
    for (int i = 0; i < ACCEL_NCOMP; i++)
        printf(" %9s", accel_component_name(i));
    printf(" %10s %7s\n", "total", "pJ/MAC");
    for (size_t l = 0; l < r->nl; l++) {
        const accel_counts *c = accel_net_counts(r->net, l);
        double tot = 0;
        printf("%-10s %11.0f %6.1f %10.0f", r->layers[l].name, c->macs, 100 * c->util, c->cycles);
        for (int i = 0; i < ACCEL_NCOMP; i++) {
            printf(" %9.3f", r->lp[l][i] / 1000);
            tot += r->lp[l][i];
        }
        printf(" %10.3f %7.4f\n", tot / 1000, tot / c->macs);
    }
    printf("%-10s %11.0f %6s %10.0f", "total", r->r.macs, "", r->r.cycles);
    for (int i = 0; i < ACCEL_NCOMP; i++)
        printf(" %9.3f", r->r.comp_pj[i] / 1000);
    printf(" %10.3f %7.4f\n", r->r.energy_pj / 1000, r->r.energy_pj / r->r.macs);
    for (size_t l = 0; o->mappings && l < r->nl; l++) {
        char buf[512];
        const accel_systolic_map *sm = accel_net_systolic_map(r->net, l);
        if (sm) { /* im2col tiles with partial edges: no loop nest in Timeloop's form */
            accel_systolic_format(sm, accel_net_counts(r->net, l), buf, sizeof buf);
            printf("# map %-10s %s\n", r->layers[l].name, buf);
            continue;
        }
        accel_mapping_format(accel_net_mapping(r->net, l), buf, sizeof buf);
        printf("# map %-10s %s\n", r->layers[l].name, buf);
        nest_map nm;
        nest_shape ns;
        ax_err err = {0};
        if (accel_mapping_nest(&r->layers[l], accel_net_mapping(r->net, l), &nm, &ns, &err) == AX_OK) {
            nest_shape_format(&ns, buf, sizeof buf);
            printf("# as a loop nest (axsearch energy --layer %s --mapping FILE):\n", buf);
            nest_map_write(stdout, &nm);
        }
    }
}

/* The last line, printed once --out is written. */
static void energy_print_totals(const accel_result *r)
{
    printf("energy_uj=%.6g latency_ms=%.6g area_mm2=%.6g pj_per_mac=%.6g\n", r->energy_pj * 1e-6,
           r->latency_s * 1e3, r->area_mm2, r->energy_pj / r->macs);
}

/* --layer SHAPE --mapping FILE: Timeloop's counts of one fixed mapping. */
static int energy_mapping(const energy_opts *o, ax_err *err)
{
    nest_shape shape;
    nest_map map;
    nest_stats st;
    int rc = nest_shape_parse(o->layer, &shape, err);
    if (rc == AX_OK)
        rc = nest_map_load(o->mapping, &map, err);
    if (rc == AX_OK && (rc = nest_count(&map, &shape, &st, err)) != AX_OK)
        ax_err_prefix(err, "%s", o->mapping);
    if (rc == AX_OK)
        nest_print(stdout, &map, &st);
    return rc;
}

int cmd_energy(int argc, char **argv)
{
    energy_opts o;
    int status = energy_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    if (o.mapping) {
        ax_err err = {0};
        return energy_mapping(&o, &err) == AX_OK ? 0 : fail(&err);
    }
    energy_out r = {0};
    ax_err err = {0};
    int rc = energy_run(&o, &r, &err);
    if (rc == AX_OK && o.table)
        print_table(&r.arch, &r.e, &r.ref);
    if (rc == AX_OK && !o.table) {
        energy_print(&o, &r);
        if (o.out)
            rc = write_tsv(o.out, r.net, r.lp, &err);
        if (rc == AX_OK)
            energy_print_totals(&r.r);
    }
    energy_out_clear(&r);
    return rc == AX_OK ? 0 : fail(&err);
}
