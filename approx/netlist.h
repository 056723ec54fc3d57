/* netlist: gate-level netlists of standard cells (approx/cell45.h), their
 * bit-parallel simulation, glitch-aware switching energy, longest path,
 * area and leakage.
 *
 * Building: nl_create, then gate calls that return signals; each call folds
 * constants (AND with 0, FA with a constant input becomes an HA or gates,
 * ...) and reuses an identical gate on the same inputs (structural hashing),
 * as a synthesis tool would, so generators may feed constant 0 for removed
 * partial products and get the pruned circuit. A failed allocation is
 * remembered and reported by nl_finalize, so builders need no checks per
 * gate. nl_finalize removes logic that reaches no output and maps half-used
 * HA/FA cells to smaller gates; after it the netlist is read-only and may be
 * simulated from several threads at once.
 *
 * Signals: 0 is constant 0, 1 is constant 1, 2..n_in+1 are the inputs. */
#ifndef AX_APPROX_NETLIST_H
#define AX_APPROX_NETLIST_H

#include <stddef.h>
#include <stdint.h>

#include "approx/cell45.h"
#include "util/err.h"

typedef int32_t nl_sig;
typedef struct nl_netlist nl_netlist;

#define NL_ZERO ((nl_sig)0)
#define NL_ONE ((nl_sig)1)
#define NL_MAX_IO 64

/* NULL on out-of-memory or bad sizes (1..NL_MAX_IO each). */
nl_netlist *nl_create(int n_inputs, int n_outputs);
void nl_free(nl_netlist *nl);

nl_sig nl_input(const nl_netlist *nl, int i);
nl_sig nl_inv(nl_netlist *nl, nl_sig a);
nl_sig nl_and2(nl_netlist *nl, nl_sig a, nl_sig b);
nl_sig nl_or2(nl_netlist *nl, nl_sig a, nl_sig b);
nl_sig nl_nand2(nl_netlist *nl, nl_sig a, nl_sig b);
nl_sig nl_nor2(nl_netlist *nl, nl_sig a, nl_sig b);
nl_sig nl_xor2(nl_netlist *nl, nl_sig a, nl_sig b);
nl_sig nl_xnor2(nl_netlist *nl, nl_sig a, nl_sig b);
/* sel ? d1 : d0 */
nl_sig nl_mux2(nl_netlist *nl, nl_sig sel, nl_sig d0, nl_sig d1);
void nl_ha(nl_netlist *nl, nl_sig a, nl_sig b, nl_sig *sum, nl_sig *carry);
void nl_fa(nl_netlist *nl, nl_sig a, nl_sig b, nl_sig c, nl_sig *sum, nl_sig *carry);
void nl_set_output(nl_netlist *nl, int i, nl_sig s);

/* Sweeps dead logic and computes loads, delays and energies. Fails with
 * AX_EINTERNAL if an allocation failed while building, AX_EINPUT if an
 * output was never set. */
int nl_finalize(nl_netlist *nl, ax_err *err);

int nl_n_inputs(const nl_netlist *nl);
int nl_n_outputs(const nl_netlist *nl);

/* After nl_finalize. Raw figures (before calibration). */
typedef struct nl_stats {
    size_t cells;                   /* standard cells (XOR3 counts as two) */
    size_t cells_of[C45_COUNT];
    double area_um2;
    double leakage_nw;
    double delay_ps;                /* longest input-to-output path */
} nl_stats;
void nl_get_stats(const nl_netlist *nl, nl_stats *st);

/* Scratch words nl_eval64 needs. */
size_t nl_eval_scratch(const nl_netlist *nl);

/* Zero-delay simulation of 64 input vectors at once: bit l of in[i] is
 * input i of vector l; writes out[0..n_outputs-1] likewise. */
void nl_eval64(const nl_netlist *nl, const uint64_t *in, uint64_t *out, uint64_t *scratch);

/* Switching activity of a stream of input vectors. in holds n_words groups
 * of n_inputs words; lane l of group w is vector 64*w + l, applied in that
 * order, and the stream is cyclic (the first vector follows the last), so
 * there are exactly 64*n_words transitions. Each transition is simulated in
 * time with the cells' delays (inertial, quantized to CELL45_TICK_PS), so
 * glitches are counted. Deterministic; thread-safe. */
typedef struct nl_switching {
    double energy_fj;       /* raw dynamic energy, all transitions */
    double toggles;         /* output transitions of all cells */
    double func_toggles;    /* of those, the ones a zero-delay model sees */
    size_t transitions;
} nl_switching;
int nl_simulate_switching(const nl_netlist *nl, const uint64_t *in, size_t n_words,
                          nl_switching *res, ax_err *err);

#endif
