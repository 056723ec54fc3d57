/* nest: Timeloop's access counts for one layer and one fixed mapping,
 * written as a loop nest over named storage levels (the form of Timeloop's
 * timeloop-mapper.map.txt), so that any mapping, ours or Timeloop's, can be
 * printed and recounted by the same rules (docs/nest.md).
 *
 * Workload: Timeloop's CNN layer, seven loop dimensions R, S (filter width,
 * height), P, Q (output width, height), C (input channels), K (output
 * channels), N (batch), with strides and dilations; weights are [K][C][S][R],
 * inputs [N][C][H][W] with W = (P-1)*Wstride + (R-1)*Wdilation + 1 (H alike),
 * outputs [N][K][Q][P]. Timeloop's conv1d tutorial problems are this layer
 * with the dimensions they do not name at 1.
 *
 * Mapping text, outermost level first:
 *     DRAM [ Weights:48 Inputs:18 Outputs:64 ]
 *     ----------------------------------------
 *     | for K in [0:2)
 *     Buffer [ Weights:24 Outputs:32 ]
 *     ---------------------------------
 *     |   for P in [0:16)
 *     |     for K in [0:2) (Spatial-X)
 *     << Compute >>
 * A level line names the level and the tensors it keeps (the numbers are
 * Timeloop's tile sizes, read and checked against ours); a tensor left out
 * bypasses the level. Loop lines belong to the level above them: temporal,
 * or spatial (Spatial-X / Spatial-Y: a fan-out to that many instances of
 * the levels below). Dashes, blank lines, '#' comments and the closing
 * << Compute >> are allowed. Anything else is refused with its line. */
#ifndef AX_ACCEL_NEST_H
#define AX_ACCEL_NEST_H

#include <stdio.h>

#include "util/err.h"

enum { NEST_R, NEST_S, NEST_P, NEST_Q, NEST_C, NEST_K, NEST_N, NEST_NDIMS };
enum { NEST_W, NEST_I, NEST_O, NEST_NSPACES }; /* weights, inputs, outputs */

#define NEST_MAX_LEVELS 8
#define NEST_MAX_LOOPS 64
/* What nest_count takes on (it follows every word): the three tensors'
 * words together (2^28: 1 GiB of bookkeeping), the word visits of all
 * transfers (steps x receiving instances x (tile + loops); 1e10 takes
 * about 20 s here) and the instances below one level it tracks. */
#define NEST_MAX_WORDS 268435456.0
#define NEST_MAX_VISITS 1e10
#define NEST_MAX_FANOUT (1 << 20)

typedef struct nest_shape {
    long bound[NEST_NDIMS];
    long wstride, hstride, wdilation, hdilation;
} nest_shape;

/* "R=3,P=16,Wstride=2": the seven bounds by Timeloop's names (M is taken
 * for K), missing ones 1; Wstride, Hstride, Wdilation, Hdilation default 1.
 * AX_EINPUT naming the item otherwise. */
int nest_shape_parse(const char *text, nest_shape *s, ax_err *err);

typedef struct nest_loop {
    int dim;     /* NEST_R .. NEST_N */
    long bound;  /* iterations, >= 1 */
    int spatial; /* 0 temporal, 1 Spatial-X, 2 Spatial-Y */
    int level;   /* index of the storage level whose block holds it */
} nest_loop;

typedef struct nest_map {
    int n_levels;                                /* outermost first */
    char name[NEST_MAX_LEVELS][64];
    int keeps[NEST_MAX_LEVELS][NEST_NSPACES];    /* 1 kept, 0 bypassed */
    long stated_tile[NEST_MAX_LEVELS][NEST_NSPACES]; /* from the level line; -1 not given */
    int n_loops;                                 /* outermost first */
    nest_loop loop[NEST_MAX_LOOPS];
} nest_map;

/* Parses a mapping text (name stands for the file in messages). */
int nest_map_parse(const char *text, const char *name, nest_map *m, ax_err *err);
int nest_map_load(const char *path, nest_map *m, ax_err *err);

/* Writes the mapping in the text form nest_map_parse reads (tile sizes
 * left out, so it stands for any layer whose loops it covers). */
void nest_map_write(FILE *out, const nest_map *m);

/* The shape in the form nest_shape_parse reads, into buf. */
void nest_shape_format(const nest_shape *s, char *buf, size_t len);

/* Per level and tensor, per instance of the level, as Timeloop's stats
 * print them ("Scalar reads (per-instance)" ...). */
typedef struct nest_access {
    double tile;        /* words the level holds of the tensor (utilized capacity) */
    double reads;       /* words read out: to the compute or the level below, and partial sums sent up */
    double fills;       /* words written from the level above */
    double updates;     /* output words written by the level below or the compute */
    double reductions;  /* updates that add to a value already held (temporal reductions) */
} nest_access;

typedef struct nest_stats {
    double computes;                       /* MACs of the layer */
    double cycles;                         /* product of the temporal bounds */
    double instances[NEST_MAX_LEVELS];     /* utilized instances of each level */
    double compute_instances;              /* utilized MAC units */
    nest_access acc[NEST_MAX_LEVELS][NEST_NSPACES];
} nest_stats;

/* Checks the mapping against the shape (the loops of each dimension
 * multiply to its bound, the outermost level keeps every tensor, stated
 * tile sizes match the counted ones) and counts. */
int nest_count(const nest_map *m, const nest_shape *s, nest_stats *st, ax_err *err);

/* Writes the stats per level and tensor, as `axsearch energy --mapping`
 * prints them. */
void nest_print(FILE *out, const nest_map *m, const nest_stats *st);

#endif
