/* mbuild: arithmetic building blocks for the multiplier generators: a bit
 * matrix (partial-product columns) with Dadda, Wallace and carry-save array
 * reduction, ripple-carry adders, leading-one detection, encoders and
 * barrel shifters, all as netlist cells.
 *
 * Operand convention of every 8x8 multiplier netlist: inputs 0..7 are the
 * bits of a (activation code, LSB first), inputs 8..15 those of b (weight
 * code); outputs 0..15 the product bits, LSB first. */
#ifndef AX_APPROX_MBUILD_H
#define AX_APPROX_MBUILD_H

#include "approx/netlist.h"

#define MB_COLS 16   /* product width: bits at column >= 16 are dropped */
#define MB_DEPTH 64  /* most bits one column may hold */

typedef struct mb_matrix {
    int h[MB_COLS];
    nl_sig bit[MB_COLS][MB_DEPTH];
    int overflow; /* a column overflowed: a generator bug, caught by tests */
} mb_matrix;

void mb_init(mb_matrix *m);
/* Adds one bit of weight 2^col; constant 0 and columns >= MB_COLS vanish. */
void mb_add_bit(mb_matrix *m, int col, nl_sig s);
/* Adds the constant value (mod 2^16) as constant-1 bits. */
void mb_add_const(mb_matrix *m, unsigned value);

/* Operand bits of an 8x8 multiplier netlist. */
void mb_operands(const nl_netlist *nl, nl_sig a[8], nl_sig b[8]);

/* Reduces every column to at most two bits. */
void mb_reduce_dadda(nl_netlist *nl, mb_matrix *m);
void mb_reduce_wallace(nl_netlist *nl, mb_matrix *m);

/* Adds the (at most two) rows left by a reduction with a ripple-carry adder
 * and writes the 16 product bits. */
void mb_cpa(nl_netlist *nl, mb_matrix *m, nl_sig out[MB_COLS]);

/* Carry-save array: adds rows[r][col] (NL_ZERO where a row has no bit) one
 * row after the other, as in a classic array multiplier, then merges the
 * carry-save result with a ripple-carry adder. */
void mb_array(nl_netlist *nl, nl_sig rows[][MB_COLS], int n_rows, nl_sig out[MB_COLS]);

/* Sets outputs 0..15. */
void mb_set_outputs(nl_netlist *nl, const nl_sig out[MB_COLS]);

/* OR of n signals (balanced tree). */
nl_sig mb_or_all(nl_netlist *nl, const nl_sig *x, int n);

/* Leading-one detector: h[i] = x[i] and no higher bit of x set. */
void mb_lod(nl_netlist *nl, const nl_sig *x, int n, nl_sig *h);

/* Binary encoder of a one-hot (or all-zero) vector: out = index. */
void mb_encode(nl_netlist *nl, const nl_sig *h, int n, nl_sig *out, int n_bits);

/* Ripple-carry adder of two n-bit numbers plus cin: out has n+1 bits. */
void mb_add(nl_netlist *nl, const nl_sig *x, const nl_sig *y, int n, nl_sig cin, nl_sig *out);

/* Logarithmic barrel shifter: out = (x << s) truncated to n_out bits. */
void mb_shl(nl_netlist *nl, const nl_sig *x, int n_x, const nl_sig *s, int n_s, nl_sig *out,
            int n_out);

/* Exact unsigned multiplier of an n_x-bit by an n_y-bit signal vector with a
 * Dadda tree; out has n_x + n_y bits (at most 16). */
void mb_mul(nl_netlist *nl, const nl_sig *x, int n_x, const nl_sig *y, int n_y, nl_sig *out);

#endif
