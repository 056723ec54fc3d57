#include "accel_model/arch.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accel_model/tech.h"
#include "util/fileio.h"

/* Defaults: configs/simba.ini. Simba (Shao et al., MICRO 2019) and NVlabs'
 * Timeloop Simba test configuration: 16 PEs of 8 vector MACs x 8 lanes, 32 KiB
 * weight, 8 KiB input and 3 KiB (24-bit) accumulation buffer per PE, 64 KiB
 * global buffer per chiplet. */
void accel_arch_default(accel_arch *a)
{
    memset(a, 0, sizeof *a);
    a->node_nm = 16;
    a->vdd = 0.8;
    a->clock_mhz = 1000;
    a->chiplets_x = 1;
    a->chiplets_y = 1;
    a->pkg_link_pj_per_bit = 1.17;
    a->pe_x = 4;
    a->pe_y = 4;
    a->vector_macs = 8;
    a->lanes = 8;
    a->wbuf_kib = 32;
    a->wbuf_width = 512;
    a->ibuf_kib = 8;
    a->ibuf_width = 64;
    a->abuf_kib = 3;
    a->abuf_width = 192;
    a->pin_weights = 1;
    a->gbuf_kib = 64;
    a->gbuf_width = 256;
    a->keep_activations = 1;
    a->hop_mm = 0.6;
    a->noc_link_bits = 64;
    a->noc_swing = 0.8;
    snprintf(a->dram_type, sizeof a->dram_type, "LPDDR4");
    a->dram_pj_per_bit = 8.0;
    a->dram_gbs = 25.6;
}

void accel_arch_systolic_sync(accel_arch *a)
{
    a->lanes = a->sa_rows;
    a->vector_macs = a->sa_cols;
    a->pe_x = a->pe_y = a->chiplets_x = a->chiplets_y = 1;
    a->gbuf_kib = 0;
    a->gbuf_width = 0;
    a->noc_swing = a->vdd;
}

/* Defaults of the systolic template: configs/systolic.ini, a TPUv2/v3-like
 * matrix unit (Norrie et al., IEEE Micro 2021: 128 x 128 MXUs, 16 nm, HBM;
 * Jouppi et al., ISCA 2017: a weight FIFO four tiles deep, 32-bit
 * accumulators, 4,096 accumulator entries per column). The unified buffer
 * (8 MiB) and the weight memory (256 KiB, room to keep a small network's
 * weights) are this project's choices (docs/systolic.md). */
void accel_arch_default_systolic(accel_arch *a)
{
    accel_arch_default(a);
    a->template_kind = ACCEL_TEMPLATE_SYSTOLIC;
    a->sa_rows = a->sa_cols = 128;
    a->clock_mhz = 940;
    a->ibuf_kib = 8192;
    a->ibuf_width = 1024; /* one 128-element input vector per cycle */
    a->wbuf_kib = 256;
    a->wbuf_width = 1024; /* one row of 128 weights per cycle */
    a->abuf_kib = 2048;   /* 4,096 entries x 128 columns x 32 bits */
    a->abuf_width = 128 * 32;
    snprintf(a->dram_type, sizeof a->dram_type, "HBM2");
    a->dram_pj_per_bit = 3.9;
    a->dram_gbs = 450;
    accel_arch_systolic_sync(a);
}

/* DRAM energy per bit (Accelergy CACTI plug-in, docs/facts.md#energy). */
static const struct {
    const char *name;
    double pj_per_bit;
} dram_types[] = {{"LPDDR4", 8.0}, {"HBM2", 3.9}, {"DDR3", 70.0}};

enum kind { K_INT, K_DOUBLE, K_DRAM, K_TEMPLATE, K_ACC_BITS };

typedef struct key_spec {
    const char *section, *name;
    enum kind kind;
    size_t offset;
    double lo, hi;
} key_spec;

#define KEY(sec, nm, kind, field, lo, hi) {sec, nm, kind, offsetof(accel_arch, field), lo, hi}
static const key_spec keys[] = {
    KEY("chip", "template", K_TEMPLATE, template_kind, 0, 0),
    KEY("technology", "node_nm", K_INT, node_nm, 7, 130),
    KEY("technology", "vdd", K_DOUBLE, vdd, 0.5, 1.3),
    KEY("technology", "clock_mhz", K_DOUBLE, clock_mhz, 1, 10000),
    KEY("package", "chiplets_x", K_INT, chiplets_x, 1, 16),
    KEY("package", "chiplets_y", K_INT, chiplets_y, 1, 16),
    KEY("package", "link_pj_per_bit", K_DOUBLE, pkg_link_pj_per_bit, 0, 100),
    KEY("pe", "mesh_x", K_INT, pe_x, 1, 16),
    KEY("pe", "mesh_y", K_INT, pe_y, 1, 16),
    KEY("pe", "vector_macs", K_INT, vector_macs, 1, 256),
    KEY("pe", "lanes", K_INT, lanes, 1, 256),
    KEY("pe", "weight_buffer_kib", K_DOUBLE, wbuf_kib, 0.0625, 1 << 20),
    KEY("pe", "weight_buffer_width", K_INT, wbuf_width, 8, 1 << 16),
    KEY("pe", "input_buffer_kib", K_DOUBLE, ibuf_kib, 0.0625, 1 << 20),
    KEY("pe", "input_buffer_width", K_INT, ibuf_width, 8, 1 << 16),
    KEY("pe", "accum_buffer_kib", K_DOUBLE, abuf_kib, 0.0625, 1 << 20),
    KEY("pe", "accum_buffer_width", K_INT, abuf_width, 8, 1 << 16),
    KEY("pe", "pin_weights", K_INT, pin_weights, 0, 1),
    KEY("global_buffer", "kib", K_DOUBLE, gbuf_kib, 0.0625, 1 << 20),
    KEY("global_buffer", "width", K_INT, gbuf_width, 8, 1 << 16),
    KEY("global_buffer", "keep_activations", K_INT, keep_activations, 0, 1),
    KEY("noc", "hop_mm", K_DOUBLE, hop_mm, 0.001, 100),
    KEY("noc", "link_bits", K_INT, noc_link_bits, 1, 4096),
    KEY("noc", "swing", K_DOUBLE, noc_swing, 0.01, 1.3),
    KEY("dram", "type", K_DRAM, dram_type, 0, 0),
    KEY("dram", "bandwidth_gbs", K_DOUBLE, dram_gbs, 0.001, 100000),
    KEY("systolic", "rows", K_INT, sa_rows, 1, 1024),
    KEY("systolic", "cols", K_INT, sa_cols, 1, 1024),
    KEY("systolic", "unified_buffer_kib", K_DOUBLE, ibuf_kib, 0.0625, 1 << 20),
    KEY("systolic", "unified_buffer_width", K_INT, ibuf_width, 8, 1 << 16),
    KEY("systolic", "weight_fifo_kib", K_DOUBLE, wbuf_kib, 0.0625, 1 << 20),
    KEY("systolic", "weight_fifo_width", K_INT, wbuf_width, 8, 1 << 16),
    KEY("systolic", "accumulators_kib", K_DOUBLE, abuf_kib, 0.0625, 1 << 20),
    KEY("systolic", "accumulator_bits", K_ACC_BITS, abuf_width, 8, 64),
    KEY("systolic", "pin_weights", K_INT, pin_weights, 0, 1),
    KEY("systolic", "keep_activations", K_INT, keep_activations, 0, 1),
};
enum { NKEYS = sizeof keys / sizeof keys[0] };

/* The sections that describe one template only. */
static int section_template(const char *section)
{
    static const char *const simba_only[] = {"package", "pe", "global_buffer", "noc"};
    for (size_t i = 0; i < sizeof simba_only / sizeof simba_only[0]; i++)
        if (!strcmp(section, simba_only[i]))
            return ACCEL_TEMPLATE_SIMBA;
    return !strcmp(section, "systolic") ? ACCEL_TEMPLATE_SYSTOLIC : -1;
}

static const char *const template_names[] = {"simba", "systolic"};

typedef struct parse_ctx {
    accel_arch *arch;
    const char *name;
    int seen[NKEYS];
    int template_kind; /* from the first pass */
    int acc_bits;      /* systolic accumulator_bits; 0: not given */
    char msg[512];     /* first failure, without the "file:line: " prefix */
} parse_ctx;

/* First pass: only [chip] template, whose defaults the second pass starts
 * from (the key may come after the sections it governs). */
static int template_handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *c = user;
    if (!strcmp(section, "chip") && !strcmp(name, "template"))
        for (int t = 0; t < 2; t++)
            if (!strcmp(value, template_names[t]))
                c->template_kind = t;
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *c = user;
    if (c->msg[0])
        return 0; /* keep the first message; inih reports the first line */
    int k = -1, section_known = 0;
    for (int i = 0; i < NKEYS; i++) {
        if (!strcmp(keys[i].section, section)) {
            section_known = 1;
            if (!strcmp(keys[i].name, name))
                k = i;
        }
    }
    if (!section_known) {
        snprintf(c->msg, sizeof c->msg, "unknown section [%s]", section);
        return 0;
    }
    int only = section_template(section);
    if (only >= 0 && only != c->template_kind) {
        snprintf(c->msg, sizeof c->msg, "section [%s] describes the %s template, but this chip is %s", section,
                 template_names[only], template_names[c->template_kind]);
        return 0;
    }
    if (k < 0) {
        snprintf(c->msg, sizeof c->msg, "unknown key '%s' in section [%s]", name, section);
        return 0;
    }
    if (c->seen[k]) {
        snprintf(c->msg, sizeof c->msg, "key '%s' in [%s] given twice", name, section);
        return 0;
    }
    c->seen[k] = 1;
    const key_spec *s = &keys[k];
    char *field = (char *)c->arch + s->offset;
    char *end;
    errno = 0;
    switch (s->kind) {
    case K_INT:
    case K_ACC_BITS: { /* accumulator bits: kept aside until the columns are known */
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < s->lo || v > s->hi) {
            snprintf(c->msg, sizeof c->msg, "%s: expected an integer in [%g, %g], got '%s'", name,
                     s->lo, s->hi, value);
            return 0;
        }
        *(s->kind == K_INT ? (int *)field : &c->acc_bits) = (int)v;
        break;
    }
    case K_DOUBLE: {
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v) || v < s->lo || v > s->hi) {
            snprintf(c->msg, sizeof c->msg, "%s: expected a number in [%g, %g], got '%s'", name,
                     s->lo, s->hi, value);
            return 0;
        }
        *(double *)field = v;
        break;
    }
    case K_DRAM: {
        for (size_t i = 0; i < sizeof dram_types / sizeof dram_types[0]; i++) {
            if (!strcasecmp(value, dram_types[i].name)) {
                snprintf(c->arch->dram_type, sizeof c->arch->dram_type, "%s", dram_types[i].name);
                c->arch->dram_pj_per_bit = dram_types[i].pj_per_bit;
                return 1;
            }
        }
        snprintf(c->msg, sizeof c->msg, "%s: expected LPDDR4, HBM2 or DDR3, got '%s'", name, value);
        return 0;
    }
    case K_TEMPLATE:
        if (strcmp(value, template_names[0]) && strcmp(value, template_names[1])) {
            snprintf(c->msg, sizeof c->msg, "%s: expected simba or systolic, got '%s'", name, value);
            return 0;
        }
        break; /* taken in the first pass */
    }
    return 1;
}

static int finish(int rc, parse_ctx *c, accel_arch *arch, ax_err *err)
{
    if (rc < 0)
        return ax_fail(err, AX_EINPUT, "%s: cannot open or read the architecture file", c->name);
    if (rc > 0) {
        if (c->msg[0])
            return ax_fail(err, AX_EINPUT, "%s:%d: %s", c->name, rc, c->msg);
        return ax_fail(err, AX_EINPUT, "%s:%d: syntax error (expected [section] or key = value)",
                       c->name, rc);
    }
    if (accel_arch_systolic(arch)) {
        /* accumulator width per column, kept as the accumulators' width */
        int bits = c->acc_bits ? c->acc_bits : arch->abuf_width / arch->vector_macs;
        arch->abuf_width = arch->sa_cols * bits;
        accel_arch_systolic_sync(arch);
    }
    int v = accel_arch_validate(arch, err);
    if (v != AX_OK)
        ax_err_prefix(err, "%s", c->name);
    return v;
}

int accel_arch_load(const char *path, accel_arch *arch, ax_err *err)
{
    unsigned char *text;
    size_t len;
    int rc = fio_read_all(path, FIO_MAX_TEXT, &text, &len, err);
    if (rc != AX_OK)
        return rc;
    if (strlen((const char *)text) != len)
        rc = ax_fail(err, AX_EINPUT, "%s: not a text file (NUL byte)", path);
    else
        rc = accel_arch_load_string((const char *)text, path, arch, err);
    free(text);
    return rc;
}

int accel_arch_load_string(const char *text, const char *name, accel_arch *arch, ax_err *err)
{
    parse_ctx c = {.arch = arch, .name = name};
    /* libinih cuts longer lines and reads the rest as a line of its own */
    if (fio_check_line_lengths(text, name, INI_MAX_LINE - 2, err) != AX_OK ||
        fio_check_ini_sections(text, name, err) != AX_OK)
        return err->code;
    ini_parse_string(text, template_handler, &c); /* syntax errors: the second pass */
    if (c.template_kind == ACCEL_TEMPLATE_SYSTOLIC)
        accel_arch_default_systolic(arch);
    else
        accel_arch_default(arch);
    return finish(ini_parse_string(text, handler, &c), &c, arch, err);
}

int accel_arch_validate(const accel_arch *a, ax_err *err)
{
    double f;
    if (accel_tech_energy_factor(a->node_nm, a->vdd, &f) != AX_OK)
        return ax_fail(err, AX_EINPUT,
                       "node_nm = %d at vdd = %g: expected a node of 130, 90, 65, 45, 32, 20, 16, "
                       "14, 10, 7 nm and vdd in [0.5, 1.3] V",
                       a->node_nm, a->vdd);
    if (a->abuf_width % a->vector_macs != 0)
        return ax_fail(err, AX_EINPUT,
                       "accum_buffer_width = %d: expected a multiple of vector_macs = %d (one "
                       "accumulator per vector MAC unit per access)",
                       a->abuf_width, a->vector_macs);
    if (accel_arch_acc_bits(a) < 8 || accel_arch_acc_bits(a) > 64)
        return ax_fail(err, AX_EINPUT, "accumulator width %d bits: expected 8..64",
                       accel_arch_acc_bits(a));
    if (accel_arch_systolic(a) &&
        (a->lanes != a->sa_rows || a->vector_macs != a->sa_cols || accel_arch_pes(a) != 1 ||
         accel_arch_chiplets(a) != 1 || a->gbuf_kib != 0 || a->noc_swing != a->vdd))
        return ax_fail(err, AX_EINPUT, "systolic template: inconsistent fields (use accel_arch_systolic_sync)");
    if (a->noc_swing > a->vdd + 1e-12)
        return ax_fail(err, AX_EINPUT, "noc swing = %g V: expected at most vdd = %g V",
                       a->noc_swing, a->vdd);
    if (a->chiplets_x * a->chiplets_y > 256 || a->pe_x * a->pe_y > 256)
        return ax_fail(err, AX_EINPUT, "at most 256 chiplets and 256 PEs per chiplet");
    /* A buffer holds at least one word of its width (named as the file names it). */
    int sys = accel_arch_systolic(a);
    const struct { const char *name; double kib; int width; } bufs[] = {
        {sys ? "weight_fifo" : "weight_buffer", a->wbuf_kib, a->wbuf_width},
        {sys ? "unified_buffer" : "input_buffer", a->ibuf_kib, a->ibuf_width},
        {sys ? "accumulators" : "accum_buffer", a->abuf_kib, a->abuf_width},
        {"global_buffer", a->gbuf_kib, a->gbuf_width}};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        if (!(accel_arch_systolic(a) && bufs[i].kib == 0) && bufs[i].width > bufs[i].kib * 8192.0)
            return ax_fail(err, AX_EINPUT, "%s: a word of %d bits is larger than the whole buffer (%g KiB = %g bits)",
                           bufs[i].name, bufs[i].width, bufs[i].kib, bufs[i].kib * 8192.0);
    return AX_OK;
}

int accel_energies_derive(const accel_arch *a, accel_energies *e, ax_err *err)
{
    int rc = accel_arch_validate(a, err);
    if (rc != AX_OK)
        return rc;
    memset(e, 0, sizeof *e);
    accel_tech_energy_factor(a->node_nm, a->vdd, &e->efactor);
    accel_tech_area_factor(a->node_nm, &e->afactor);
    double s = e->efactor;
    e->mult_exact_pj = ACCEL_TECH_EXACT_MULT_MW / ACCEL_TECH_MULT_CLOCK_GHZ * s;
    e->adder_pj = accel_tech_adder_pj(accel_arch_acc_bits(a)) * s;
    e->reg_pj_bit = ACCEL_TECH_REG_PJ_PER_BIT * s;
    e->wbuf_pj_access = accel_tech_sram_access_pj(a->wbuf_kib, a->wbuf_width) * s;
    e->ibuf_pj_access = accel_tech_sram_access_pj(a->ibuf_kib, a->ibuf_width) * s;
    e->abuf_pj_access = accel_tech_sram_access_pj(a->abuf_kib, a->abuf_width) * s;
    e->gbuf_pj_access = a->gbuf_kib > 0 ? accel_tech_sram_access_pj(a->gbuf_kib, a->gbuf_width) * s : 0;
    e->wbuf_pj_bit = e->wbuf_pj_access / a->wbuf_width;
    e->ibuf_pj_bit = e->ibuf_pj_access / a->ibuf_width;
    e->abuf_pj_bit = e->abuf_pj_access / a->abuf_width;
    e->gbuf_pj_bit = a->gbuf_kib > 0 ? e->gbuf_pj_access / a->gbuf_width : 0;
    /* Wire: capacitance per length does not shrink with the node, so only the
     * voltages scale it. fF * V^2 = fJ; /1000 -> pJ. */
    e->noc_wire_pj_per_v2 =
        ACCEL_TECH_WIRE_ACTIVITY * ACCEL_TECH_WIRE_FF_PER_UM * a->hop_mm * 1000.0 / 1000.0;
    e->noc_fixed_pj_bit = (ACCEL_TECH_LINK_FIXED_FJ_PER_BIT_MM * a->hop_mm / 1000.0 +
                           2.0 * ACCEL_TECH_REG_PJ_PER_BIT) *
                          s;
    e->noc_nominal_pj_bit = e->noc_fixed_pj_bit + e->noc_wire_pj_per_v2 * a->noc_swing * a->vdd;
    e->pkg_pj_bit = a->pkg_link_pj_per_bit;
    e->dram_pj_bit = a->dram_pj_per_bit;
    e->sram_leak_uw_per_kib = ACCEL_TECH_SRAM_LEAK_UW_PER_KIB * s;
    e->logic_leak_uw_per_um2_45 = ACCEL_TECH_LOGIC_LEAK_NW_PER_UM2 / 1000.0 * s;
    e->sram_mm2_per_kib = ACCEL_TECH_SRAM_UM2_PER_KIB * 1e-6 * e->afactor;
    e->mac_addreg_um2 = ACCEL_TECH_ADD_REG_UM2_PER_BIT * accel_arch_acc_bits(a) * e->afactor;
    if (accel_arch_systolic(a)) /* a cell also holds its input and two weight registers */
        e->mac_addreg_um2 += ACCEL_TECH_DFF_UM2 * 3 * 8 * e->afactor;
    return AX_OK;
}
