/* rec: accuracy recovery without retraining, for a MAC layer run by an
 * approximate product table (docs/recovery.md).
 *
 * Both schemes change only what the accelerator stores, not its hardware:
 * - weight tuning (ALWANN, Mrazek et al., ICCAD 2019): every weight code w
 *   of the layer is replaced by the code w' whose products through the
 *   table best reproduce the exact products a w over the layer's
 *   activation distribution (calibration images). Criterion: the expected
 *   squared error E[(lut[a][w'] - a w)^2] alone; with bias compensation on,
 *   its variance (the mean is then removed by the bias, so only the spread
 *   is left to minimise). Squared, not absolute, error: a layer output sums
 *   K products, whose errors add, so their variance and mean add too.
 *   Candidates may be limited to |w' - w| <= radius. Ties: nearest to w,
 *   then the lower code.
 * - bias compensation (in the spirit of Nagel et al., ICCV 2019, bias
 *   correction): the expected error of output channel m's accumulator,
 *   sum over k of E[lut[a_k][w'_mk] - a_k w_mk] with the activation
 *   distribution of im2col position k (padding included), is subtracted
 *   from its int32 bias. The expectation is an exact rational (integer
 *   counts), rounded to the nearest integer, halves away from zero.
 *
 * Histograms come from the exact, fault-free network on calibration
 * images (fitness/emu/emu.h emu_histograms). */
#ifndef AX_FITNESS_EMU_RECOVER_H
#define AX_FITNESS_EMU_RECOVER_H

#include <stdint.h>

#include "fitness/emu/emu.h"
#include "fitness/emu/qnet.h"
#include "util/err.h"

typedef struct rec_options {
    int tune;       /* 1: weight tuning */
    int compensate; /* 1: bias compensation */
    int radius;     /* tuning candidates within +-radius codes of w; >= 255: any code */
} rec_options;

/* The activation histograms of every MAC layer. */
typedef struct rec_hist rec_hist;

/* Histograms of n calibration images (pixels [n][H*W]). */
int rec_hist_make(const qnet *q, const uint8_t *pixels, int64_t n, int threads, rec_hist **out, ax_err *err);
void rec_hist_free(rec_hist *h);
/* Layer l's counts [group * K][256] (emu_histograms' layout). */
const uint64_t *rec_hist_layer(const rec_hist *h, int layer);

/* The tuning map of one table over an activation histogram hist [256]:
 * map[w] = w' (see the criterion above; objective_variance selects the
 * variance). An empty histogram or an exact table gives the identity. */
void rec_tune_map(const uint64_t *hist, const uint16_t *lut, int objective_variance, int radius,
                  uint8_t map[256]);

/* The fix of layer `layer` under the table lut (65,536 products, entry
 * a * 256 + w). *out = NULL when nothing changes (exact table, or both
 * schemes off); else owned by the caller, freed with rec_fix_free. A
 * compensated bias outside int32 is AX_EINPUT naming the layer. */
int rec_fix_make(const qnet *q, const rec_hist *h, int layer, const uint16_t *lut, const rec_options *o,
                 emu_layer_fix **out, ax_err *err);
void rec_fix_free(emu_layer_fix *fx);

/* The fixes of every (layer, table) pair of a multiplier set, made at once
 * on `threads` OpenMP threads (each pair is independent: the result does
 * not depend on the thread count). */
typedef struct rec_set rec_set;

/* luts [n_mults] (NULL entries: exact). */
int rec_set_make(const qnet *q, const rec_hist *h, const uint16_t *const *luts, int n_mults,
                 const rec_options *o, int threads, rec_set **out, ax_err *err);
void rec_set_free(rec_set *s);
/* [n_layers * n_mults], entry layer * n_mults + mult; NULL entries: the
 * layer's own weights and bias. Owned by the set. */
const emu_layer_fix *const *rec_set_fixes(const rec_set *s);

#endif
