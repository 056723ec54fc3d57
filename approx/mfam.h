/* mfam: the families of unsigned 8x8 multipliers the library generates.
 *
 * Each family lives in its own file approx/mfam_NAME.c, which cites its
 * paper, and exports one mfam_family: a netlist generator, a short
 * behavioural model written from the paper's formula (tests check that the
 * two agree on all 65,536 operand pairs), the partial order "more
 * approximate than" (tests check that power falls along it), and the list
 * of parameter sets in the default library with their stable names (names
 * are gene values in saved runs: never rename or reuse one).
 *
 * Operands: a = activation code (netlist inputs 0..7), b = weight code
 * (inputs 8..15); product bits are outputs 0..15 (see mbuild.h). */
#ifndef AX_APPROX_MFAM_H
#define AX_APPROX_MFAM_H

#include <stddef.h>
#include <stdint.h>

#include "approx/netlist.h"
#include "util/err.h"

#define MFAM_MAX_PARAMS 3

typedef struct mfam_design {
    const char *name;
    int param[MFAM_MAX_PARAMS];
} mfam_design;

typedef struct mfam_family {
    const char *name;     /* short family name, the library's "family" column */
    const char *title;    /* one line: what the design does */
    const char *citation; /* authors, venue, year */
    const char *operands; /* how the design treats a and b (may be asymmetric) */
    void (*build)(nl_netlist *nl, const int *param);
    uint16_t (*model)(unsigned a, unsigned b, const int *param);
    /* 1 when design q is strictly more approximate than design p of the same
     * family (a subset of p's hardware, or a coarser parameter), so its power
     * must be lower; 0 when the two are not comparable. */
    int (*more_approx)(const int *p, const int *q);
    const mfam_design *designs;
    size_t n_designs;
} mfam_family;

extern const mfam_family mfam_exact;
extern const mfam_family mfam_trunc;
extern const mfam_family mfam_bam;
extern const mfam_family mfam_perf;
extern const mfam_family mfam_drum;
extern const mfam_family mfam_mitchell;
extern const mfam_family mfam_udm;
extern const mfam_family mfam_roba;
extern const mfam_family mfam_etm;
extern const mfam_family mfam_c42;

size_t mfam_count(void);
const mfam_family *mfam_get(size_t i);
const mfam_family *mfam_find(const char *name);

/* Creates, builds and finalizes the netlist of one design (16 in, 16 out).
 * The caller frees *out with nl_free. */
int mfam_netlist(const mfam_family *f, const int *param, nl_netlist **out, ax_err *err);

#endif
