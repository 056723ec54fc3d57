#include "accel_model/map.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accel_model/energy.h"

static const char dim_name[ACCEL_NDIMS] = {'N', 'G', 'M', 'C', 'P', 'Q', 'R', 'S'};

/* Which dimensions index which tensor (R and S index inputs through the
 * sliding window, so they count as relevant to inputs). */
static const int relevant[ACCEL_NTENSORS][ACCEL_NDIMS] = {
    /*  N  G  M  C  P  Q  R  S */
    {0, 1, 1, 1, 0, 0, 1, 1}, /* W */
    {1, 1, 0, 1, 1, 1, 1, 1}, /* I */
    {1, 1, 1, 0, 1, 1, 0, 0}, /* O */
};

/* Dimensions each spatial level may split. */
static const int lane_ok[ACCEL_NDIMS] = {0, 0, 0, 1, 0, 0, 0, 0};
static const int vec_ok[ACCEL_NDIMS] = {0, 1, 1, 0, 0, 0, 0, 0};
static const int mesh_ok[ACCEL_NDIMS] = {1, 1, 1, 0, 1, 1, 0, 0};

/* Blocks: 0 = A {N,P,Q}, 1 = B {M}, 2 = C {C,R,S}. */
static const int order_blocks[ACCEL_NORDERS][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                                   {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
static const char *const order_names[ACCEL_NORDERS] = {"ABC", "ACB", "BAC", "BCA", "CAB", "CBA"};
/* Loops of a level innermost first, per order; G last. */
static const int order_seq[ACCEL_NORDERS][ACCEL_NDIMS] = {
    {ACCEL_DN, ACCEL_DP, ACCEL_DQ, ACCEL_DM, ACCEL_DC, ACCEL_DR, ACCEL_DS, ACCEL_DG},
    {ACCEL_DN, ACCEL_DP, ACCEL_DQ, ACCEL_DC, ACCEL_DR, ACCEL_DS, ACCEL_DM, ACCEL_DG},
    {ACCEL_DM, ACCEL_DN, ACCEL_DP, ACCEL_DQ, ACCEL_DC, ACCEL_DR, ACCEL_DS, ACCEL_DG},
    {ACCEL_DM, ACCEL_DC, ACCEL_DR, ACCEL_DS, ACCEL_DN, ACCEL_DP, ACCEL_DQ, ACCEL_DG},
    {ACCEL_DC, ACCEL_DR, ACCEL_DS, ACCEL_DN, ACCEL_DP, ACCEL_DQ, ACCEL_DM, ACCEL_DG},
    {ACCEL_DC, ACCEL_DR, ACCEL_DS, ACCEL_DM, ACCEL_DN, ACCEL_DP, ACCEL_DQ, ACCEL_DG},
};

static void layer_dims(const accel_layer_shape *l, int d[ACCEL_NDIMS])
{
    d[ACCEL_DN] = l->n;
    d[ACCEL_DG] = l->groups;
    d[ACCEL_DM] = l->m / l->groups;
    d[ACCEL_DC] = l->c;
    d[ACCEL_DP] = l->p;
    d[ACCEL_DQ] = l->q;
    d[ACCEL_DR] = l->r;
    d[ACCEL_DS] = l->s;
}

/* Product of the factors of the loops that sit innermost among the loops
 * above `level` (starting with that level's own temporal loops) and do not
 * index the tensor: the number of consecutive iterations a tile stays put. */
static double reuse_from(const accel_mapping *m, int tensor, int level)
{
    double r = 1;
    for (int lv = level; lv < ACCEL_NLEVELS; lv++) {
        const int *seq = order_seq[m->order[lv]];
        for (int i = 0; i < ACCEL_NDIMS; i++) {
            int f = m->t[lv][seq[i]];
            if (f == 1)
                continue;
            if (relevant[tensor][seq[i]])
                return r;
            r *= f;
        }
    }
    return r;
}

static double tile_elems(const accel_layer_shape *l, int tensor, const double *e)
{
    switch (tensor) {
    case ACCEL_TW:
        return e[ACCEL_DG] * e[ACCEL_DM] * e[ACCEL_DC] * e[ACCEL_DR] * e[ACCEL_DS];
    case ACCEL_TI: {
        double h = (e[ACCEL_DP] - 1) * l->stride_h + (e[ACCEL_DR] - 1) * l->dil_h + 1;
        double w = (e[ACCEL_DQ] - 1) * l->stride_w + (e[ACCEL_DS] - 1) * l->dil_w + 1;
        return e[ACCEL_DN] * e[ACCEL_DG] * e[ACCEL_DC] * h * w;
    }
    default:
        return e[ACCEL_DN] * e[ACCEL_DG] * e[ACCEL_DM] * e[ACCEL_DP] * e[ACCEL_DQ];
    }
}

/* Multicast and hop geometry of one mesh (PEs of a chiplet, or chiplets of
 * the package). Spatial coordinates are placed row-major on the mesh, M
 * fastest, then G, P, Q, N. Data enter at the west side of node (0,0)
 * through `inject` links (1 for the global buffer's port into the PE mesh,
 * 0 for DRAM, whose link energy is in its per-bit figure) and are routed
 * X first along row 0, then Y: a multicast tree to a group of nodes uses
 * (max x + inject) row links plus, per column reached, max y links. */
typedef struct mesh_geom {
    double tree_sum[ACCEL_NTENSORS]; /* sum over multicast groups of tree links */
    double groups[ACCEL_NTENSORS];   /* number of distinct multicast groups */
    double unicast_sum;              /* sum over used nodes of links to the port */
} mesh_geom;

enum { MAXNODES = 256, MAXCOLS = 16 };
static const int place_order[5] = {ACCEL_DM, ACCEL_DG, ACCEL_DP, ACCEL_DQ, ACCEL_DN};

static void mesh_geometry(const int fac[ACCEL_NDIMS], int mesh_x, int inject, mesh_geom *g)
{
    memset(g, 0, sizeof *g);
    int used = 1;
    for (int i = 0; i < 5; i++)
        used *= fac[place_order[i]];
    for (int t = 0; t < ACCEL_NTENSORS; t++) {
        /* maxy[group][column], -1 = column not reached; maxx[group]. */
        static const int none = -1;
        int maxy[MAXNODES][MAXCOLS];
        int maxx[MAXNODES];
        int ngroups = 1;
        for (int i = 0; i < 5; i++)
            if (relevant[t][place_order[i]])
                ngroups *= fac[place_order[i]];
        for (int k = 0; k < ngroups; k++) {
            maxx[k] = none;
            for (int c = 0; c < mesh_x; c++)
                maxy[k][c] = none;
        }
        for (int idx = 0; idx < used; idx++) {
            int rest = idx, key = 0, kmul = 1;
            for (int i = 0; i < 5; i++) {
                int d = place_order[i];
                int coord = rest % fac[d];
                rest /= fac[d];
                if (relevant[t][d]) {
                    key += coord * kmul;
                    kmul *= fac[d];
                }
            }
            int x = idx % mesh_x, y = idx / mesh_x;
            if (x > maxx[key])
                maxx[key] = x;
            if (y > maxy[key][x])
                maxy[key][x] = y;
            if (t == 0)
                g->unicast_sum += x + y + inject;
        }
        for (int k = 0; k < ngroups; k++) {
            double links = maxx[k] + inject;
            for (int c = 0; c < mesh_x; c++)
                if (maxy[k][c] > 0)
                    links += maxy[k][c];
            g->tree_sum[t] += links;
        }
        g->groups[t] = ngroups;
    }
}

static int prod(const int *f)
{
    int p = 1;
    for (int d = 0; d < ACCEL_NDIMS; d++)
        p *= f[d];
    return p;
}

/* Whether partial sums live in the global buffer (some C, R or S loop above
 * the PE level), so its output tile is stored at psum_bits. */
static int psums_above_pe(const accel_mapping *m)
{
    for (int lv = ACCEL_LVL_GB; lv < ACCEL_NLEVELS; lv++)
        if (m->t[lv][ACCEL_DC] > 1 || m->t[lv][ACCEL_DR] > 1 || m->t[lv][ACCEL_DS] > 1)
            return 1;
    return 0;
}

/* What the steps of counts_core share: loop extents and the tile, fill
 * and multicast factors they give. Arrays over dimensions, levels or
 * tensors as their names say; counts per inference. */
typedef struct core {
    double e_pe[ACCEL_NDIMS], e_gb[ACCEL_NDIMS], e_all[ACCEL_NDIMS]; /* extents covered up to a level */
    double it[ACCEL_NLEVELS];                                        /* iterations of each level */
    double n_pe, n_chip, pes;                                        /* PEs per chiplet, chiplets, PEs */
    double tpe[ACCEL_NTENSORS], tgb[ACCEL_NTENSORS];  /* tile elements in a PE, in the global buffer */
    double fpe[ACCEL_NTENSORS], fgb[ACCEL_NTENSORS];  /* fills of one PE, of one global buffer */
    double rr[ACCEL_NTENSORS];                        /* register reuse inside a PE */
    double mc_vec[ACCEL_NTENSORS], mc_pe[ACCEL_NTENSORS], mc_ch[ACCEL_NTENSORS]; /* multicast */
    double D;     /* distinct outputs */
    double Tpe;   /* output tile visits to the PEs */
    double Tgb;   /* output tile visits to the global buffers */
    double spill; /* 1 when outputs travel to DRAM */
    double wmove; /* weight words an inference moves into one PE (none when pinned) */
} core;

/* Extents and iterations of each level; the MACs and compute cycles. */
static void core_extents(const accel_mapping *m, core *k, accel_counts *c)
{
    for (int lv = 0; lv < ACCEL_NLEVELS; lv++)
        k->it[lv] = 1;
    for (int d = 0; d < ACCEL_NDIMS; d++) {
        k->e_pe[d] = (double)m->lane[d] * m->vec[d] * m->t[ACCEL_LVL_PE][d];
        k->e_gb[d] = k->e_pe[d] * m->pe[d] * m->t[ACCEL_LVL_GB][d];
        k->e_all[d] = k->e_gb[d] * m->chip[d] * m->t[ACCEL_LVL_DRAM][d];
        for (int lv = 0; lv < ACCEL_NLEVELS; lv++)
            k->it[lv] *= m->t[lv][d];
    }
    k->n_pe = prod(m->pe);
    k->n_chip = prod(m->chip);
    k->pes = k->n_pe * k->n_chip;
    c->macs = 1;
    for (int d = 0; d < ACCEL_NDIMS; d++)
        c->macs *= k->e_all[d];
    c->compute_cycles = k->it[0] * k->it[1] * k->it[2];
    c->pes_used = k->pes;
    c->chiplets_used = k->n_chip;
}

/* Tiles, fills, reuse and multicast of each tensor; output visits. */
static void core_tiles(const accel_layer_shape *l, const accel_mapping *m, core *k, accel_counts *c)
{
    for (int t = 0; t < ACCEL_NTENSORS; t++) {
        k->tpe[t] = tile_elems(l, t, k->e_pe);
        k->tgb[t] = tile_elems(l, t, k->e_gb);
        /* Per PE: a fill of the tile for every iteration of the loops above
         * it that is not absorbed by innermost non-indexing loops. */
        k->fpe[t] = k->tpe[t] * k->it[ACCEL_LVL_GB] * k->it[ACCEL_LVL_DRAM] / reuse_from(m, t, ACCEL_LVL_GB);
        k->fgb[t] = m->act_resident ? 0 /* already there */
                                    : k->tgb[t] * k->it[ACCEL_LVL_DRAM] / reuse_from(m, t, ACCEL_LVL_DRAM);
        k->rr[t] = reuse_from(m, t, ACCEL_LVL_PE);
        k->mc_vec[t] = k->mc_pe[t] = k->mc_ch[t] = 1;
        for (int d = 0; d < ACCEL_NDIMS; d++) {
            if (relevant[t][d])
                continue;
            k->mc_vec[t] *= (double)m->lane[d] * m->vec[d];
            k->mc_pe[t] *= m->pe[d];
            k->mc_ch[t] *= m->chip[d];
        }
    }
    const double *e = k->e_all;
    k->D = e[ACCEL_DN] * e[ACCEL_DG] * e[ACCEL_DM] * e[ACCEL_DP] * e[ACCEL_DQ];
    k->Tpe = k->fpe[ACCEL_TO] * k->pes;
    /* Resident outputs never leave the global buffer: one visit each. */
    k->Tgb = m->act_resident ? k->D : k->fgb[ACCEL_TO] * k->n_chip;
    k->spill = m->act_resident ? 0 : 1;
    k->wmove = m->w_pinned ? 0 : k->fpe[ACCEL_TW];
    c->out_distinct = k->D;
    c->out_visits_pe = k->Tpe;
    c->out_visits_gb = k->Tgb;
}

/* Accesses of each buffer level, and the bits they move. */
static void core_accesses(const accel_layer_shape *l, const core *k, accel_counts *c)
{
    const double wb = l->weight_bits, ab = l->act_bits, pb = l->psum_bits;
    const double D = k->D, Tpe = k->Tpe, Tgb = k->Tgb, spill = k->spill;
    accel_access *pe = c->acc[ACCEL_LVL_PE], *gb = c->acc[ACCEL_LVL_GB], *dr = c->acc[ACCEL_LVL_DRAM];
    /* PE buffers: reads feed the operand registers; a weight is private to a
     * MAC, an input is broadcast to the vector units (M), an output is
     * reduced over the lanes (C) before it reaches the accumulation buffer. */
    pe[ACCEL_TW].reads = c->macs / k->mc_vec[ACCEL_TW] / k->rr[ACCEL_TW];
    pe[ACCEL_TW].fills = k->wmove * k->pes;
    pe[ACCEL_TI].reads = c->macs / k->mc_vec[ACCEL_TI] / k->rr[ACCEL_TI];
    pe[ACCEL_TI].fills = k->fpe[ACCEL_TI] * k->pes;
    double vec_ops = c->macs / k->mc_vec[ACCEL_TO];
    pe[ACCEL_TO].updates = vec_ops / k->rr[ACCEL_TO];
    /* The first update of each output needs no read; later visits of a tile
     * reload its partial sums (fills) and drain them again (reads). */
    pe[ACCEL_TO].reads = (pe[ACCEL_TO].updates - D) + Tpe;
    pe[ACCEL_TO].fills = Tpe - D;
    gb[ACCEL_TI].reads = pe[ACCEL_TI].fills / k->mc_pe[ACCEL_TI];
    gb[ACCEL_TI].fills = k->fgb[ACCEL_TI] * k->n_chip;
    gb[ACCEL_TO].updates = Tpe;
    gb[ACCEL_TO].reads = (Tpe - D) + spill * Tgb;
    gb[ACCEL_TO].fills = Tgb - D;
    dr[ACCEL_TW].reads = pe[ACCEL_TW].fills / (k->mc_pe[ACCEL_TW] * k->mc_ch[ACCEL_TW]);
    dr[ACCEL_TI].reads = gb[ACCEL_TI].fills / k->mc_ch[ACCEL_TI];
    dr[ACCEL_TO].updates = spill * Tgb;
    dr[ACCEL_TO].reads = Tgb - D;

    c->reg_bits = pe[ACCEL_TW].reads * wb + pe[ACCEL_TI].reads * ab + vec_ops * pb;
    c->wbuf_bits = (pe[ACCEL_TW].reads + pe[ACCEL_TW].fills) * wb;
    c->ibuf_bits = (pe[ACCEL_TI].reads + pe[ACCEL_TI].fills) * ab;
    c->abuf_bits = (pe[ACCEL_TO].updates + pe[ACCEL_TO].reads + pe[ACCEL_TO].fills) * pb;
    /* Final values (one per output) travel and are stored requantized. */
    c->gbuf_bits = (gb[ACCEL_TI].reads + gb[ACCEL_TI].fills) * ab + D * ab +
                   (Tpe - D) * pb                /* updates from the PEs */
                   + (Tpe - D) * pb + spill * (D * ab + (Tgb - D) * pb) /* reads */
                   + (Tgb - D) * pb;             /* fills from DRAM */
    c->dram_bits = dr[ACCEL_TW].reads * wb + dr[ACCEL_TI].reads * ab +
                   spill * (D * ab + (Tgb - D) * pb) + (Tgb - D) * pb;
}

/* Words and word-hops on the NoC of each chiplet, bit-hops on the
 * package. */
static void core_noc(const accel_layer_shape *l, const core *k, const mesh_geom *gpe, const mesh_geom *gch,
                     accel_counts *c)
{
    const double wb = l->weight_bits, ab = l->act_bits, pb = l->psum_bits;
    const double D = k->D, n_chip = k->n_chip, wmove = k->wmove;
    double d_pe = D / k->pes, t_pe = k->fpe[ACCEL_TO];
    c->noc_word_bits[ACCEL_NOC_W] = l->weight_bits;
    c->noc_word_bits[ACCEL_NOC_I] = l->act_bits;
    c->noc_word_bits[ACCEL_NOC_OFINAL] = l->act_bits;
    c->noc_word_bits[ACCEL_NOC_OPSUM] = l->psum_bits;
    c->noc_word_hops[ACCEL_NOC_W] = wmove * n_chip * gpe->tree_sum[ACCEL_TW];
    c->noc_words[ACCEL_NOC_W] = wmove * n_chip * gpe->groups[ACCEL_TW];
    c->noc_word_hops[ACCEL_NOC_I] = k->fpe[ACCEL_TI] * n_chip * gpe->tree_sum[ACCEL_TI];
    c->noc_words[ACCEL_NOC_I] = k->fpe[ACCEL_TI] * n_chip * gpe->groups[ACCEL_TI];
    c->noc_word_hops[ACCEL_NOC_OFINAL] = d_pe * n_chip * gpe->unicast_sum;
    c->noc_words[ACCEL_NOC_OFINAL] = D;
    c->noc_word_hops[ACCEL_NOC_OPSUM] = 2 * (t_pe - d_pe) * n_chip * gpe->unicast_sum;
    c->noc_words[ACCEL_NOC_OPSUM] = 2 * (k->Tpe - D);
    double d_ch = D / n_chip, t_ch = k->fgb[ACCEL_TO];
    c->pkg_bit_hops = wmove * gpe->groups[ACCEL_TW] * wb * gch->tree_sum[ACCEL_TW] +
                      k->fgb[ACCEL_TI] * ab * gch->tree_sum[ACCEL_TI] +
                      k->spill * (d_ch * ab + 2 * (t_ch - d_ch) * pb) * gch->unicast_sum;
}

/* Cycles: compute, or the busiest of DRAM, global buffer, NoC and PE
 * buffers; and the MAC units' utilisation. */
static void core_cycles(const accel_arch *a, const core *k, accel_counts *c)
{
    double dram_bits_per_cycle = a->dram_gbs * 8000.0 / a->clock_mhz;
    double noc_bits = 0;
    for (int i = 0; i < ACCEL_NOC_CLASSES; i++)
        noc_bits += c->noc_words[i] * c->noc_word_bits[i];
    c->bound_cycles[0] = c->dram_bits / dram_bits_per_cycle;
    c->bound_cycles[1] = c->gbuf_bits / k->n_chip / a->gbuf_width;
    c->bound_cycles[2] = noc_bits / k->n_chip / a->noc_link_bits;
    c->bound_cycles[3] = c->wbuf_bits / k->pes / a->wbuf_width;
    c->bound_cycles[4] = c->ibuf_bits / k->pes / a->ibuf_width;
    c->bound_cycles[5] = c->abuf_bits / k->pes / a->abuf_width;
    c->cycles = c->compute_cycles;
    for (int i = 0; i < 6; i++)
        if (c->bound_cycles[i] > c->cycles)
            c->cycles = c->bound_cycles[i];
    double units = (double)accel_arch_chiplets(a) * accel_arch_pes(a) * a->vector_macs * a->lanes;
    c->util = c->macs / (c->cycles * units);
}

/* The bits of the tiles each buffer must hold. */
static void core_tile_bits(const accel_layer_shape *l, const accel_mapping *m, const core *k, accel_counts *c)
{
    const double wb = l->weight_bits, ab = l->act_bits, pb = l->psum_bits;
    c->wbuf_tile_bits = k->tpe[ACCEL_TW] * wb;
    c->ibuf_tile_bits = k->tpe[ACCEL_TI] * ab;
    c->abuf_tile_bits = k->tpe[ACCEL_TO] * pb;
    double obits = psums_above_pe(m) ? pb : ab;
    if (m->act_resident) {
        double e_res[ACCEL_NDIMS];
        for (int d = 0; d < ACCEL_NDIMS; d++)
            e_res[d] = k->e_gb[d] * m->t[ACCEL_LVL_DRAM][d];
        c->gbuf_tile_bits = tile_elems(l, ACCEL_TI, e_res) * ab + tile_elems(l, ACCEL_TO, e_res) * obits;
    } else {
        c->gbuf_tile_bits = k->tgb[ACCEL_TI] * ab + k->tgb[ACCEL_TO] * obits;
    }
}

static void counts_core(const accel_arch *a, const accel_layer_shape *l, const accel_mapping *m,
                        const mesh_geom *gpe, const mesh_geom *gch, accel_counts *c)
{
    memset(c, 0, sizeof *c);
    core k;
    core_extents(m, &k, c);
    core_tiles(l, m, &k, c);
    core_accesses(l, &k, c);
    core_noc(l, &k, gpe, gch, c);
    core_cycles(a, &k, c);
    core_tile_bits(l, m, &k, c);
}

void accel_counts_of(const accel_arch *a, const accel_layer_shape *l, const accel_mapping *m,
                     accel_counts *c)
{
    mesh_geom gpe, gch;
    mesh_geometry(m->pe, a->pe_x, 1, &gpe);
    mesh_geometry(m->chip, a->chiplets_x, 0, &gch);
    counts_core(a, l, m, &gpe, &gch, c);
}

int accel_mapping_check(const accel_arch *a, const accel_layer_shape *l, const accel_mapping *m,
                        ax_err *err)
{
    int dims[ACCEL_NDIMS];
    layer_dims(l, dims);
    for (int d = 0; d < ACCEL_NDIMS; d++) {
        long p = 1;
        const int *f[] = {&m->lane[d], &m->vec[d], &m->pe[d], &m->chip[d],
                          &m->t[0][d], &m->t[1][d], &m->t[2][d]};
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
            if (*f[i] < 1)
                return ax_fail(err, AX_EINPUT, "layer '%s': factor %d of %c is below 1",
                               l->name, *f[i], dim_name[d]);
            p *= *f[i];
            if (p > dims[d])
                break;
        }
        if (p != dims[d])
            return ax_fail(err, AX_EINPUT,
                           "layer '%s': factors of %c multiply to %ld, expected %d", l->name,
                           dim_name[d], p, dims[d]);
        if ((m->lane[d] > 1 && !lane_ok[d]) || (m->vec[d] > 1 && !vec_ok[d]) ||
            (m->pe[d] > 1 && !mesh_ok[d]) || (m->chip[d] > 1 && !mesh_ok[d]))
            return ax_fail(err, AX_EINPUT, "layer '%s': %c may not be split at that spatial level",
                           l->name, dim_name[d]);
    }
    for (int lv = 0; lv < ACCEL_NLEVELS; lv++)
        if (m->order[lv] < 0 || m->order[lv] >= ACCEL_NORDERS)
            return ax_fail(err, AX_EINPUT, "layer '%s': bad loop order", l->name);
    if (m->w_pinned)
        for (int d = 0; d < ACCEL_NDIMS; d++)
            if (relevant[ACCEL_TW][d] && m->t[ACCEL_LVL_GB][d] * m->t[ACCEL_LVL_DRAM][d] > 1)
                return ax_fail(err, AX_EINPUT,
                               "layer '%s': pinned weights, but %c is split above the PE level",
                               l->name, dim_name[d]);
    if (prod(m->lane) > a->lanes || prod(m->vec) > a->vector_macs ||
        prod(m->pe) > accel_arch_pes(a) || prod(m->chip) > accel_arch_chiplets(a))
        return ax_fail(err, AX_EINPUT, "layer '%s': spatial factors exceed the hardware",
                       l->name);
    accel_counts c;
    accel_counts_of(a, l, m, &c);
    const struct {
        const char *what;
        double need, have;
    } cap[] = {
        {"weight buffer", c.wbuf_tile_bits, a->wbuf_kib * 8192},
        {"input buffer", c.ibuf_tile_bits, a->ibuf_kib * 8192},
        {"accumulation buffer", c.abuf_tile_bits, a->abuf_kib * 8192},
        {"global buffer", c.gbuf_tile_bits, a->gbuf_kib * 8192},
    };
    for (size_t i = 0; i < sizeof cap / sizeof cap[0]; i++)
        if (cap[i].need > cap[i].have)
            return ax_fail(err, AX_EINPUT, "layer '%s': %s tile of %.0f bits exceeds %.0f bits",
                           l->name, cap[i].what, cap[i].need, cap[i].have);
    return AX_OK;
}

void accel_mapping_format(const accel_mapping *m, char *buf, size_t len)
{
    size_t o = 0;
    const int *sp[4] = {m->lane, m->vec, m->pe, m->chip};
    static const char *const spn[4] = {"lane", "vec", "pe", "chip"};
    static const char *const lvn[ACCEL_NLEVELS] = {"PE", "GB", "DRAM"};
#define PUT(...)                                                                                  \
    do {                                                                                          \
        if (o < len)                                                                              \
            o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__);                                 \
    } while (0)
    if (len)
        buf[0] = '\0';
    for (int s = 0; s < 4; s++) {
        PUT("%s%s:", s ? " " : "", spn[s]);
        int any = 0;
        for (int d = 0; d < ACCEL_NDIMS; d++)
            if (sp[s][d] > 1) {
                PUT("%c%d", dim_name[d], sp[s][d]);
                any = 1;
            }
        if (!any)
            PUT("-");
    }
    for (int lv = 0; lv < ACCEL_NLEVELS; lv++) {
        PUT(" %s[", lvn[lv]);
        int any = 0;
        const int *seq = order_seq[m->order[lv]];
        for (int i = 0; i < ACCEL_NDIMS; i++)
            if (m->t[lv][seq[i]] > 1) {
                PUT("%s%c%d", any ? " " : "", dim_name[seq[i]], m->t[lv][seq[i]]);
                any = 1;
            }
        PUT("]%s", order_names[m->order[lv]]);
    }
#undef PUT
}

static const int nest_dim[ACCEL_NDIMS] = {NEST_N, -1, NEST_K, NEST_C, NEST_P, NEST_Q, NEST_R, NEST_S};

/* Appends the loops of one level (temporal, outermost first) and then its
 * fan-outs to out, all belonging to level `level` of the nest. */
static void nest_level_loops(const accel_mapping *m, int lv, const int *const *fan, int n_fan, int level,
                             nest_map *out)
{
    const int *seq = order_seq[m->order[lv]];
    for (int i = ACCEL_NDIMS - 1; i >= 0; i--)
        if (m->t[lv][seq[i]] > 1)
            out->loop[out->n_loops++] = (nest_loop){nest_dim[seq[i]], m->t[lv][seq[i]], 0, level};
    for (int f = 0; f < n_fan; f++)
        for (int d = 0; d < ACCEL_NDIMS; d++)
            if (fan[f][d] > 1)
                out->loop[out->n_loops++] = (nest_loop){nest_dim[d], fan[f][d], 1, level};
}

int accel_mapping_nest(const accel_layer_shape *l, const accel_mapping *m, nest_map *out, nest_shape *shape,
                       ax_err *err)
{
    if (l->groups != 1)
        return ax_fail(err, AX_EINPUT, "layer %s: %d groups; Timeloop's layer has no group dimension", l->name,
                       l->groups);
    memset(out, 0, sizeof *out);
    static const char *const names[4] = {"DRAM", "GlobalBuffer", "PEBuffers", "Registers"};
    static const int keeps[4][NEST_NSPACES] = {{1, 1, 1}, {0, 1, 1}, {1, 1, 1}, {1, 1, 1}};
    out->n_levels = 4;
    for (int k = 0; k < 4; k++) {
        snprintf(out->name[k], sizeof out->name[k], "%s", names[k]);
        for (int t = 0; t < NEST_NSPACES; t++) {
            out->keeps[k][t] = keeps[k][t];
            out->stated_tile[k][t] = -1;
        }
    }
    const int *chip[1] = {m->chip}, *pe[1] = {m->pe}, *inner[2] = {m->vec, m->lane};
    nest_level_loops(m, ACCEL_LVL_DRAM, chip, 1, 0, out);
    nest_level_loops(m, ACCEL_LVL_GB, pe, 1, 1, out);
    nest_level_loops(m, ACCEL_LVL_PE, inner, 2, 2, out);
    int d[ACCEL_NDIMS];
    layer_dims(l, d);
    for (int k = 0; k < NEST_NDIMS; k++)
        shape->bound[k] = 1;
    for (int a = 0; a < ACCEL_NDIMS; a++)
        if (nest_dim[a] >= 0)
            shape->bound[nest_dim[a]] = d[a];
    /* map.c pairs P with R and the height stride, Q with S */
    shape->wstride = l->stride_h;
    shape->wdilation = l->dil_h;
    shape->hstride = l->stride_w;
    shape->hdilation = l->dil_w;
    return AX_OK;
}

/* ---- search ---------------------------------------------------------- */

enum { TOPK = 24, MAXDIV = 64 };

typedef struct spatial {
    int lane[ACCEL_NDIMS], vec[ACCEL_NDIMS], pe[ACCEL_NDIMS], chip[ACCEL_NDIMS];
    long product, pe_mg;
} spatial;

typedef struct search {
    const accel_arch *a;
    const accel_layer_shape *l;
    accel_coeffs k;
    double mult_pj, mult_leak;
    int objective, pin, keep_acts;
    int dims[ACCEL_NDIMS];
    double cap_w, cap_i, cap_a, cap_g;
    int split_rs;
    /* spatial enumeration */
    spatial top[TOPK];
    int ntop;
    spatial cur_sp;
    /* temporal enumeration */
    accel_mapping cur;
    mesh_geom gpe, gch;
    int rem[ACCEL_NDIMS];
    int found;
    double best_cost;
    accel_mapping best;
    accel_counts best_counts;
} search;

static int divisors(int n, int *out)
{
    int k = 0;
    for (int d = 1; d <= n && k < MAXDIV; d++)
        if (n % d == 0)
            out[k++] = d;
    return k;
}

/* Ranking of spatial partitions: more MAC units busy first; then output
 * channels (and groups) across PEs, Simba's weight-stationary choice; then
 * the enumeration order (deterministic). */
static int better_spatial(const spatial *x, const spatial *y)
{
    if (x->product != y->product)
        return x->product > y->product;
    return x->pe_mg > y->pe_mg;
}

static void offer_spatial(search *s, const spatial *c)
{
    int pos = s->ntop;
    while (pos > 0 && better_spatial(c, &s->top[pos - 1]))
        pos--;
    if (pos >= TOPK)
        return;
    int last = s->ntop < TOPK ? s->ntop : TOPK - 1;
    memmove(&s->top[pos + 1], &s->top[pos], (size_t)(last - pos) * sizeof s->top[0]);
    s->top[pos] = *c;
    if (s->ntop < TOPK)
        s->ntop++;
}

/* Slots of the spatial enumeration: (level, dimension). */
static const struct {
    int level, dim;
} slots[] = {
    {0, ACCEL_DC}, {1, ACCEL_DM}, {1, ACCEL_DG}, {2, ACCEL_DM}, {2, ACCEL_DG}, {2, ACCEL_DP},
    {2, ACCEL_DQ}, {2, ACCEL_DN}, {3, ACCEL_DM}, {3, ACCEL_DG}, {3, ACCEL_DP}, {3, ACCEL_DQ},
    {3, ACCEL_DN},
};
enum { NSLOTS = sizeof slots / sizeof slots[0] };

static int *sp_level(spatial *sp, int level)
{
    return level == 0 ? sp->lane : level == 1 ? sp->vec : level == 2 ? sp->pe : sp->chip;
}

static int fits(search *s);

/* Whether the spatial partition leaves room for the smallest tiles: the
 * PE-level factors that must be whole (kernel; pinned weight indices) are
 * whole, all others 1. */
static int spatial_feasible(search *s, const int rem[ACCEL_NDIMS])
{
    accel_mapping *m = &s->cur;
    memset(m, 0, sizeof *m);
    for (int d = 0; d < ACCEL_NDIMS; d++) {
        m->lane[d] = s->cur_sp.lane[d];
        m->vec[d] = s->cur_sp.vec[d];
        m->pe[d] = s->cur_sp.pe[d];
        m->chip[d] = s->cur_sp.chip[d];
        int whole = ((d == ACCEL_DR || d == ACCEL_DS) && !s->split_rs) ||
                    (s->pin && relevant[ACCEL_TW][d]);
        m->t[ACCEL_LVL_PE][d] = whole ? rem[d] : 1;
        m->t[ACCEL_LVL_GB][d] = 1;
        m->t[ACCEL_LVL_DRAM][d] = whole ? 1 : rem[d];
    }
    return fits(s);
}

static void enum_spatial(search *s, int slot, int used[4], int rem[ACCEL_NDIMS])
{
    if (slot == NSLOTS) {
        if (!spatial_feasible(s, rem))
            return;
        spatial c = s->cur_sp;
        c.product = (long)used[0] * used[1] * used[2] * used[3];
        c.pe_mg = (long)c.pe[ACCEL_DM] * c.pe[ACCEL_DG];
        offer_spatial(s, &c);
        return;
    }
    int lv = slots[slot].level, d = slots[slot].dim;
    int limit = lv == 0 ? s->a->lanes
                : lv == 1 ? s->a->vector_macs
                : lv == 2 ? accel_arch_pes(s->a)
                          : accel_arch_chiplets(s->a);
    int divs[MAXDIV];
    int nd = divisors(rem[d], divs);
    for (int i = 0; i < nd; i++) {
        int f = divs[i];
        if ((long)used[lv] * f > limit)
            break;
        sp_level(&s->cur_sp, lv)[d] = f;
        used[lv] *= f;
        rem[d] /= f;
        enum_spatial(s, slot + 1, used, rem);
        rem[d] *= f;
        used[lv] /= f;
        sp_level(&s->cur_sp, lv)[d] = 1;
    }
}

/* Lower bounds of the tiles with the factors chosen so far (the rest at 1):
 * tiles only grow with factors, so a failing partial choice prunes. */
static int fits(search *s)
{
    double e_pe[ACCEL_NDIMS], e_gb[ACCEL_NDIMS];
    const accel_mapping *m = &s->cur;
    for (int d = 0; d < ACCEL_NDIMS; d++) {
        e_pe[d] = (double)m->lane[d] * m->vec[d] * m->t[ACCEL_LVL_PE][d];
        e_gb[d] = e_pe[d] * m->pe[d] * m->t[ACCEL_LVL_GB][d];
    }
    const accel_layer_shape *l = s->l;
    if (tile_elems(l, ACCEL_TW, e_pe) * l->weight_bits > s->cap_w ||
        tile_elems(l, ACCEL_TI, e_pe) * l->act_bits > s->cap_i ||
        tile_elems(l, ACCEL_TO, e_pe) * l->psum_bits > s->cap_a)
        return 0;
    /* Output tile of the global buffer at least at act_bits. */
    return tile_elems(l, ACCEL_TI, e_gb) * l->act_bits +
               tile_elems(l, ACCEL_TO, e_gb) * l->act_bits <=
           s->cap_g;
}

/* Each block holds the loops that do not index exactly one tensor and index
 * the other two, so the reuse walk of any tensor stops at the second
 * non-unit block of a level: only the innermost non-unit block of an order
 * changes any count. One order per innermost block is evaluated. */
static int innermost_block(const accel_mapping *m, int lv, int o)
{
    for (int i = 0; i < 3; i++) {
        int b = order_blocks[o][i];
        for (int d = 0; d < ACCEL_NDIMS; d++) {
            if (m->t[lv][d] == 1 || d == ACCEL_DG)
                continue;
            int db = (d == ACCEL_DM) ? 1 : (d == ACCEL_DC || d == ACCEL_DR || d == ACCEL_DS) ? 2 : 0;
            if (db == b)
                return b;
        }
    }
    return -1;
}

static int canonical_order(const accel_mapping *m, int lv, int o)
{
    int b = innermost_block(m, lv, o);
    for (int p = 0; p < o; p++)
        if (innermost_block(m, lv, p) == b)
            return 0;
    return 1;
}

static void evaluate_orders(search *s)
{
    accel_mapping *m = &s->cur;
    for (int o0 = 0; o0 < ACCEL_NORDERS; o0++) {
        if (!canonical_order(m, ACCEL_LVL_PE, o0))
            continue;
        m->order[ACCEL_LVL_PE] = o0;
        for (int o1 = 0; o1 < ACCEL_NORDERS; o1++) {
            if (!canonical_order(m, ACCEL_LVL_GB, o1))
                continue;
            m->order[ACCEL_LVL_GB] = o1;
            for (int o2 = 0; o2 < ACCEL_NORDERS; o2++) {
                if (!canonical_order(m, ACCEL_LVL_DRAM, o2))
                    continue;
                m->order[ACCEL_LVL_DRAM] = o2;
                accel_counts c;
                m->act_resident = s->keep_acts;
                counts_core(s->a, s->l, m, &s->gpe, &s->gch, &c);
                if (m->act_resident && c.gbuf_tile_bits > s->cap_g) {
                    m->act_resident = 0;
                    counts_core(s->a, s->l, m, &s->gpe, &s->gch, &c);
                }
                if (c.gbuf_tile_bits > s->cap_g)
                    continue;
                double comp[ACCEL_NCOMP], energy = 0;
                accel_counts_energy(&c, &s->k, s->mult_pj, s->mult_leak, comp);
                for (int i = 0; i < ACCEL_NCOMP; i++)
                    energy += comp[i];
                double cost = s->objective == ACCEL_OBJ_EDP ? energy * c.cycles : energy;
                if (!s->found || cost < s->best_cost * (1 - 1e-12)) {
                    s->found = 1;
                    s->best_cost = cost;
                    s->best = *m;
                    s->best_counts = c;
                }
            }
        }
    }
    m->order[0] = m->order[1] = m->order[2] = 0;
}

/* Temporal factors, dimension by dimension (kernel first: its split decides
 * most of the input halo). */
static const int temporal_dims[ACCEL_NDIMS] = {ACCEL_DR, ACCEL_DS, ACCEL_DC, ACCEL_DM,
                                               ACCEL_DG, ACCEL_DN, ACCEL_DP, ACCEL_DQ};

static void enum_temporal(search *s, int i)
{
    if (i == ACCEL_NDIMS) {
        evaluate_orders(s);
        return;
    }
    int d = temporal_dims[i], r = s->rem[d];
    int divs[MAXDIV];
    int nd = divisors(r, divs);
    int kernel = (d == ACCEL_DR || d == ACCEL_DS) && !s->split_rs;
    int whole = kernel || (s->pin && relevant[ACCEL_TW][d]);
    for (int a = 0; a < nd; a++) {
        int f0 = divs[a];
        if (whole && f0 != r)
            continue; /* Simba keeps the whole kernel in the PE; pinned
                       * weights keep every weight index in the PE */
        s->cur.t[ACCEL_LVL_PE][d] = f0;
        s->cur.t[ACCEL_LVL_GB][d] = 1;
        s->cur.t[ACCEL_LVL_DRAM][d] = r / f0;
        if (!fits(s))
            break; /* larger PE factors only grow the PE tiles */
        int divs2[MAXDIV];
        int nd2 = divisors(r / f0, divs2);
        for (int b = 0; b < nd2; b++) {
            int f1 = divs2[b];
            s->cur.t[ACCEL_LVL_GB][d] = f1;
            s->cur.t[ACCEL_LVL_DRAM][d] = r / f0 / f1;
            if (!fits(s))
                break;
            enum_temporal(s, i + 1);
        }
        s->cur.t[ACCEL_LVL_GB][d] = 1;
        s->cur.t[ACCEL_LVL_DRAM][d] = 1;
    }
    s->cur.t[ACCEL_LVL_PE][d] = 1;
}

int accel_map_layer(const accel_arch *a, const accel_energies *e, const accel_layer_shape *l,
                    const accel_map_opts *opts, accel_mapping *best, accel_counts *best_counts,
                    ax_err *err)
{
    int rc = accel_layer_validate(l, err);
    if (rc != AX_OK)
        return rc;
    search s_;
    memset(&s_, 0, sizeof s_);
    search *s = &s_;
    s->a = a;
    s->l = l;
    s->objective = opts->objective;
    s->pin = opts->pin_weights;
    s->keep_acts = opts->keep_activations;
    accel_voltages v = accel_voltages_nominal(a);
    rc = accel_coeffs_make(a, e, &v, &s->k, err);
    if (rc != AX_OK)
        return rc;
    accel_mult_cost exact = accel_mult_cost_exact();
    s->mult_pj = exact.energy_pj * s->k.mult_scale;
    s->mult_leak = accel_mult_leak_uw45(&exact) * s->k.mult_leak_scale;
    layer_dims(l, s->dims);
    s->cap_w = a->wbuf_kib * 8192;
    if (opts->wbuf_budget_bits > 0 && opts->wbuf_budget_bits < s->cap_w)
        s->cap_w = opts->wbuf_budget_bits;
    s->cap_i = a->ibuf_kib * 8192;
    s->cap_a = a->abuf_kib * 8192;
    s->cap_g = a->gbuf_kib * 8192;
    for (int d = 0; d < ACCEL_NDIMS; d++) {
        s->cur_sp.lane[d] = s->cur_sp.vec[d] = s->cur_sp.pe[d] = s->cur_sp.chip[d] = 1;
    }
    for (s->split_rs = 0; s->split_rs < 2 && !s->found; s->split_rs++) {
        int used[4] = {1, 1, 1, 1}, rem[ACCEL_NDIMS];
        memcpy(rem, s->dims, sizeof rem);
        s->ntop = 0;
        enum_spatial(s, 0, used, rem);
        for (int c = 0; c < s->ntop; c++) {
            const spatial *sp = &s->top[c];
            memset(&s->cur, 0, sizeof s->cur);
            s->cur.w_pinned = s->pin;
            for (int d = 0; d < ACCEL_NDIMS; d++) {
                s->cur.lane[d] = sp->lane[d];
                s->cur.vec[d] = sp->vec[d];
                s->cur.pe[d] = sp->pe[d];
                s->cur.chip[d] = sp->chip[d];
                for (int lv = 0; lv < ACCEL_NLEVELS; lv++)
                    s->cur.t[lv][d] = 1;
                s->rem[d] = s->dims[d] / (sp->lane[d] * sp->vec[d] * sp->pe[d] * sp->chip[d]);
            }
            mesh_geometry(s->cur.pe, a->pe_x, 1, &s->gpe);
            mesh_geometry(s->cur.chip, a->chiplets_x, 0, &s->gch);
            enum_temporal(s, 0);
        }
    }
    if (!s->found)
        return ax_fail(err, AX_EINPUT, "layer '%s': no mapping fits the buffers of the chip",
                       l->name);
    *best = s->best;
    if (best_counts)
        *best_counts = s->best_counts;
    return AX_OK;
}
