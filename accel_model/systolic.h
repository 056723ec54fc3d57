/* systolic: a layer on the systolic template (arch.h): a TPU-like
 * weight-stationary array of sa_rows x sa_cols MAC cells, fed from a
 * unified buffer (activations), a weight FIFO and accumulators.
 *
 * The layer is lowered by im2col to a matrix product per group:
 *   out[pix][k] = sum over red of in[pix][red] * w[red][k]
 * with red = C * R * S (the reduction: the array's rows), k < M / groups
 * (output channels: its columns) and pix = N * P * Q (output pixels: the
 * vectors streamed through). The weights are tiled into row_tiles x
 * col_tiles tiles of at most rows x cols (the last tile of each side is
 * partial: those cells idle); the pixels are cut into chunks whose partial
 * sums fit the accumulators. Loop nest, outermost first:
 *   for group, for column tile, for pixel chunk, for row tile:
 *       load the weight tile (shifted in while the previous one computes),
 *       stream the chunk's input vectors (one per cycle) through the array;
 *       the column's partial sums add into the accumulators.
 * Each input vector is read from the unified buffer for every column tile
 * (im2col: a pixel reads its whole window, no reuse between windows); each
 * weight is read from the weight FIFO once per chunk.
 *
 * Latency: a tile pass takes max(chunk pixels, rows) cycles (the next
 * tile's weights shift in during the pass, rows cycles, double-buffered;
 * the layer's last pass waits for no next tile); the first weight load
 * (rows cycles) and the last fill and drain (rows + cols - 2 cycles) are
 * not hidden. Bandwidth bounds (DRAM; the weight FIFO, unified buffer and
 * accumulators at one word of their width per cycle on a read and a write
 * port) can stretch it.
 *
 * Partial tiles: cells outside the tile are clock-gated, so operand and
 * partial-sum registers are written only in the used rows and columns;
 * a weight still shifts down from the top (rows cycles per load, (rows +
 * 1) / 2 register writes on average). SRAM energy is charged per bit
 * moved, as on the simba template: a narrow access (a 9-element window, a
 * 16-column accumulator row) pays for its bits, not the full word, as a
 * banked array would (an optimistic assumption for monolithic arrays). */
#ifndef AX_ACCEL_SYSTOLIC_H
#define AX_ACCEL_SYSTOLIC_H

#include <stddef.h>

#include "accel_model/arch.h"
#include "accel_model/layer.h"
#include "accel_model/map.h"
#include "util/err.h"

typedef struct accel_systolic_map {
    double red, outc, pix;          /* per group: reduction, output channels, pixels */
    double row_tiles, col_tiles;    /* ceil(red / rows), ceil(outc / cols) */
    double chunk, chunks;           /* pixels per accumulator chunk, their number */
    int w_pinned;                   /* weights kept in the weight FIFO across inferences */
    int act_resident;               /* input and output kept in the unified buffer */
    int input_passes;               /* DRAM reads of each input element (0 when resident) */
} accel_systolic_map;

/* Maps a layer onto the systolic array of `a` (template systolic) and fills
 * the counts in map.h's terms: ACCEL_LVL_PE holds the weight FIFO (TW),
 * the unified buffer (TI: its reads feed the array, its fills come from
 * DRAM or from the previous layer) and the accumulators (TO); no global
 * buffer, no NoC. pin: the weights stay in the weight FIFO (the caller has
 * checked that the network's weights fit it together); keep_activations:
 * the layer's input and output stay in the unified buffer when they fit.
 * AX_EINPUT if the array cannot hold one row of a chunk's partial sums. */
int accel_systolic_map_layer(const accel_arch *a, const accel_layer_shape *l, int pin, int keep_activations,
                             accel_systolic_map *m, accel_counts *c, ax_err *err);

/* "tiles=RxC chunks=K of P pixels util=U" into buf. */
void accel_systolic_format(const accel_systolic_map *m, const accel_counts *c, char *buf, size_t len);

#endif
