#include "accel_model/systolic.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Elements of the layer's padded input window, all groups and images. */
static double input_elems(const accel_layer_shape *l)
{
    double h = (l->p - 1.0) * l->stride_h + (l->r - 1.0) * l->dil_h + 1;
    double w = (l->q - 1.0) * l->stride_w + (l->s - 1.0) * l->dil_w + 1;
    return (double)l->n * l->groups * l->c * h * w;
}

/* Cycles of the tile passes: each pass streams a chunk (the last one
 * partial) and lasts at least the rows cycles the next weight tile takes
 * to shift in; the layer's last pass has no next tile to wait for. */
static double pass_cycles(const accel_systolic_map *m, double groups, int rows)
{
    double last = m->pix - (m->chunks - 1) * m->chunk;
    double per_tile = (m->chunks - 1) * fmax(m->chunk, rows) + fmax(last, rows);
    return groups * m->col_tiles * m->row_tiles * per_tile - (fmax(last, rows) - last);
}

/* The tiling, residency and pinning of a layer. */
static int tile(const accel_arch *a, const accel_layer_shape *l, int pin, int keep, accel_systolic_map *m,
                ax_err *err)
{
    int rows = a->sa_rows, cols = a->sa_cols, acc_bits = accel_arch_acc_bits(a);
    memset(m, 0, sizeof *m);
    m->red = (double)l->c * l->r * l->s;
    m->outc = (double)l->m / l->groups;
    m->pix = (double)l->n * l->p * l->q;
    m->row_tiles = ceil(m->red / rows);
    m->col_tiles = ceil(m->outc / cols);
    /* The accumulators hold, per column, this many partial sums. */
    double entries = floor(a->abuf_kib * 8192.0 / ((double)cols * acc_bits));
    if (entries < 1)
        return ax_fail(err, AX_EINPUT, "layer '%s': the accumulators (%g KiB) hold no row of %d %d-bit sums",
                       l->name, a->abuf_kib, cols, acc_bits);
    m->chunk = fmin(m->pix, entries);
    m->chunks = ceil(m->pix / m->chunk);
    double ub_bits = a->ibuf_kib * 8192.0;
    double in_bits = input_elems(l) * l->act_bits;
    double out_bits = (double)l->groups * m->outc * m->pix * l->act_bits;
    m->w_pinned = pin;
    m->act_resident = keep && in_bits + out_bits <= ub_bits;
    /* A streamed input is read from DRAM once if half the unified buffer
     * holds it (the other half stages outputs), else once per column tile. */
    m->input_passes = m->act_resident ? 0 : in_bits <= ub_bits / 2 ? 1 : (int)m->col_tiles;
    return AX_OK;
}

int accel_systolic_map_layer(const accel_arch *a, const accel_layer_shape *l, int pin, int keep_activations,
                             accel_systolic_map *m, accel_counts *c, ax_err *err)
{
    if (!accel_arch_systolic(a))
        return ax_fail(err, AX_EINTERNAL, "systolic mapping asked of a %s chip", "non-systolic");
    int rc = tile(a, l, pin, keep_activations, m, err);
    if (rc != AX_OK)
        return rc;
    memset(c, 0, sizeof *c);
    int rows = a->sa_rows, cols = a->sa_cols, acc_bits = accel_arch_acc_bits(a);
    double g = l->groups, wb = l->weight_bits, ab = l->act_bits;
    double weights = g * m->red * m->outc, inputs = input_elems(l), outputs = g * m->outc * m->pix;
    c->macs = accel_layer_macs(l);

    /* Weight FIFO: every chunk reads the layer's weights into the array; it
     * fetches them from DRAM once if they fit it, else once per chunk. */
    accel_access *fifo = &c->acc[ACCEL_LVL_PE][ACCEL_TW];
    fifo->reads = weights * m->chunks;
    int w_fit = weights * wb <= a->wbuf_kib * 8192.0;
    fifo->fills = m->w_pinned ? 0 : w_fit ? weights : weights * m->chunks;
    c->acc[ACCEL_LVL_DRAM][ACCEL_TW].reads = fifo->fills;

    /* Unified buffer: im2col reads, every column tile again. Its fills are
     * the input's copy (charged here only when it comes from DRAM; a
     * resident input was written as the previous layer's output). */
    accel_access *ub = &c->acc[ACCEL_LVL_PE][ACCEL_TI];
    ub->reads = g * m->col_tiles * m->pix * m->red;
    double ub_in_fills = inputs * m->input_passes;
    ub->fills = m->input_passes > 1 ? ub_in_fills : inputs; /* the copies held */
    c->acc[ACCEL_LVL_DRAM][ACCEL_TI].reads = ub_in_fills;
    /* The outputs go from the accumulators through the activation unit
     * into the unified buffer (charged in ibuf_bits below) and, when not
     * resident, on to DRAM. */
    c->acc[ACCEL_LVL_DRAM][ACCEL_TO].updates = m->act_resident ? 0 : outputs;

    /* Accumulators: each row tile adds into every output once; all but the
     * first add read the sum first, and the last value is read out. */
    accel_access *acc = &c->acc[ACCEL_LVL_PE][ACCEL_TO];
    acc->updates = outputs * m->row_tiles;
    acc->reads = outputs * m->row_tiles;
    c->out_distinct = c->out_visits_pe = c->out_visits_gb = outputs;

    /* Cells: per MAC the input register and the partial-sum register are
     * written; a weight shifts down through (rows + 1) / 2 registers on
     * average to reach its cell. */
    c->reg_bits = c->macs * (ab + acc_bits) + fifo->reads * wb * (rows + 1) / 2.0;
    c->wbuf_bits = (fifo->reads + fifo->fills) * wb;
    c->ibuf_bits = (ub->reads + ub_in_fills + outputs) * ab;
    c->abuf_bits = (acc->updates + acc->reads) * acc_bits;
    c->dram_bits = (fifo->fills) * wb + (ub_in_fills + c->acc[ACCEL_LVL_DRAM][ACCEL_TO].updates) * ab;

    c->compute_cycles = pass_cycles(m, g, rows) + rows + (rows + cols - 2.0);
    double dram_bits_per_cycle = a->dram_gbs * 8e9 / (a->clock_mhz * 1e6);
    c->bound_cycles[0] = c->dram_bits / dram_bits_per_cycle;
    /* the weight FIFO: written from DRAM, read into the array, a port each */
    c->bound_cycles[3] = fmax(fifo->reads, fifo->fills) * wb / a->wbuf_width;
    /* the unified buffer: a read port (im2col) and a write port (inputs
     * from DRAM, outputs), each of the full width */
    c->bound_cycles[4] = fmax(ub->reads, ub_in_fills + outputs) * ab / a->ibuf_width;
    /* accumulators: a read port and a write port of the full width */
    c->bound_cycles[5] = fmax(acc->updates, acc->reads) * acc_bits / a->abuf_width;
    c->cycles = c->compute_cycles;
    for (int i = 0; i < 6; i++)
        c->cycles = fmax(c->cycles, c->bound_cycles[i]);
    c->util = c->macs / (c->cycles * rows * cols);
    c->pes_used = c->chiplets_used = 1;
    c->wbuf_tile_bits = (m->w_pinned || w_fit ? weights : fmin(weights, (double)rows * cols)) * wb;
    c->ibuf_tile_bits = (m->act_resident ? inputs + outputs : inputs) * ab;
    c->abuf_tile_bits = m->chunk * cols * acc_bits;
    return AX_OK;
}

void accel_systolic_format(const accel_systolic_map *m, const accel_counts *c, char *buf, size_t len)
{
    snprintf(buf, len, "im2col %gx%gx%g tiles=%gx%g chunks=%g of %g pixels util=%.3f%s%s", m->pix, m->red,
             m->outc, m->row_tiles, m->col_tiles, m->chunks, m->chunk, c->util, m->w_pinned ? " weights-pinned" : "",
             m->act_resident ? " resident" : "");
}
