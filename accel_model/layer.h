/* layer: the shape of one MAC layer (Conv or Gemm) as the seven-dimensional
 * loop nest N, M, C, P, Q, R, S plus groups, strides and dilation, and the
 * reader of layer-shape TSV files.
 *
 * For a group of a grouped convolution the nest is
 *   out[n][g][m][p][q] += w[g][m][c][r][s] *
 *       in[n][g][c][p*stride_h + r*dil_h][q*stride_w + s*dil_w]
 * with m < M/groups, c < C (C is per group). A Gemm (fully connected) layer
 * is M = outputs, C = inputs, P = Q = R = S = 1. Padding is implicit: the
 * input window is the padded one. */
#ifndef AX_ACCEL_LAYER_H
#define AX_ACCEL_LAYER_H

#include <stddef.h>

#include "util/err.h"

typedef struct accel_layer_shape {
    char name[64];
    int n;                  /* batch (1 for one inference) */
    int m;                  /* output channels, all groups together */
    int c;                  /* input channels per group */
    int p, q;               /* output height, width */
    int r, s;               /* kernel height, width */
    int stride_h, stride_w;
    int dil_h, dil_w;       /* dilation */
    int groups;             /* m % groups == 0; depthwise: groups = m, c = 1 */
    int weight_bits, act_bits, psum_bits; /* 8, 8, 24 */
} accel_layer_shape;

/* A shape with the defaults (n 1, strides and dilation 1, groups 1, 8/8/24
 * bits) and the given name and M, C, P, Q, R, S. */
accel_layer_shape accel_layer_make(const char *name, int m, int c, int p, int q, int r, int s);

/* Multiply-accumulates of the layer: N * M * C * P * Q * R * S. */
double accel_layer_macs(const accel_layer_shape *l);

/* Checks ranges and divisibility; err names the layer. */
int accel_layer_validate(const accel_layer_shape *l, ax_err *err);

/* Reads a layer TSV: '#' lines are comments; the first other line is a
 * header naming the columns (tab-separated, any order):
 *   name M C P Q R S                      required
 *   N stride_h stride_w dil_h dil_w groups weight_bits act_bits psum_bits
 *                                         optional (defaults as above)
 * then one layer per line. On success *layers is malloc'ed (caller frees)
 * and *n its count (at least 1). Errors name path:line and the column. */
int accel_layers_load(const char *path, accel_layer_shape **layers, size_t *n, ax_err *err);

/* The same from a string; `name` stands for the file name in messages. */
int accel_layers_parse(const char *text, const char *name, accel_layer_shape **layers,
                       size_t *n, ax_err *err);

#endif
