/* mult_lib: the library of approximate unsigned 8x8 multipliers the search
 * chooses from (one gene value per entry).
 *
 * Every generated entry is a gate-level netlist (approx/mfam.h families):
 * its product table comes from simulating the netlist on all 65,536 operand
 * pairs, its cost from the same netlist with the 45 nm cell model
 * (approx/cell45.h): area = sum of cell areas, delay = longest path,
 * leakage = sum of cell leakage, dynamic energy = output transitions
 * (glitches included) counted while the netlist is simulated in time on a
 * stream of operand pairs, times energy per transition. Imported entries
 * (TFApprox/EvoApproxLib tables) carry the cost given in their index file.
 *
 * Operands: a = activation code (first), b = weight code; tables are
 * uint16_t[65536] with entry a*256 + b.
 *
 * Order: after creation and after every addition, entries are sorted by
 * power ascending, ties by name (strcmp), so neighbouring gene values are
 * similar designs and the order is deterministic. Indices are valid until
 * the next addition; names are stable forever.
 *
 * A library is read-only after it is built: the const functions may be
 * called from several threads. */
#ifndef AX_APPROX_MULT_LIB_H
#define AX_APPROX_MULT_LIB_H

#include <stddef.h>
#include <stdint.h>

#include "approx/mult_metrics.h"
#include "util/err.h"

/* Clock at which power is stated: power_uw = energy_pj * 1000 * GHz +
 * leakage_uw. Energy per multiplication does not depend on it. */
#define MULT_CLOCK_GHZ 1.0
/* The exact design that power_rel refers to and the calibration used. */
#define MULT_REFERENCE "exact_dadda"
/* Operand pairs simulated for switching energy (64 per word). */
#define MULT_SWITCH_PAIRS 4096

typedef struct mult_cost {
    double area_um2;
    double delay_ns;
    double leakage_uw;
    double energy_pj;    /* dynamic energy per multiplication, uniform operands */
    double power_uw;     /* at MULT_CLOCK_GHZ, leakage included */
    double power_rel;    /* power_uw / power_uw of MULT_REFERENCE */
    double glitch_pct;   /* share of transitions that are glitches (generated only) */
    size_t cells;        /* standard cells (generated only) */
} mult_cost;

typedef struct mult_entry {
    const char *name;      /* stable gene name, e.g. "drum_k4", "mul8u_2AC" */
    const char *family;    /* "exact", "trunc", ..., or the index's family */
    const uint16_t *lut;   /* 65,536 entries, a*256 + b */
    mult_metrics metrics;  /* over all pairs, uniform */
    mult_cost cost;
    int zero_safe;         /* lut[0*256 + w] == 0 for all w */
    int imported;          /* from a table file, no netlist */
} mult_entry;

typedef struct mult_lib mult_lib;

/* All generated families (see approx/README.md for the list). */
mult_lib *mult_lib_create_default(ax_err *err);
/* No entries (the reference netlist is still built, for power_rel). */
mult_lib *mult_lib_create_empty(ax_err *err);
void mult_lib_free(mult_lib *lib);

size_t mult_lib_count(const mult_lib *lib);
const mult_entry *mult_lib_entry(const mult_lib *lib, size_t i);
/* Index of the entry with this name, or -1. */
long mult_lib_find(const mult_lib *lib, const char *name);

/* Adds a table with a given cost (power in uW at MULT_CLOCK_GHZ; its energy
 * per multiplication is taken as power / clock). The table is copied. Names
 * are 1..63 characters of [A-Za-z0-9_.-] and must be new. */
int mult_lib_add_lut(mult_lib *lib, const char *name, const char *family, const uint16_t *lut,
                     double power_uw, double area_um2, double delay_ns, ax_err *err);

/* Imports the tables listed in an index file. Format (UTF-8 text; blank
 * lines and lines starting with '#' are ignored; fields separated by tabs
 * or spaces): a header line
 *     name file family power_uw area_um2 delay_ns
 * then one line per table; file is relative to the index's folder. All or
 * nothing: on error the library is unchanged. A library holds at most
 * MULT_LIB_MAX_ENTRIES multipliers (each table is 128 KiB and is scored
 * on all 65,536 operand pairs): an index that would pass it is refused
 * before any table is read. */
#define MULT_LIB_MAX_ENTRIES 4096
int mult_lib_import_index(mult_lib *lib, const char *path, ax_err *err);

/* The tables an index file lists (its rows but the header), read without
 * the tables, so that a caller can weigh an import before making it. */
int mult_lib_index_tables(const char *path, size_t *tables, ax_err *err);

/* Dynamic energy per multiplication in pJ when activations follow
 * act_hist[256] and weights w_hist[256] (independent; counts or
 * probabilities). Generated entries are simulated on a stream drawn from
 * the histograms (the same stream for every entry); an imported entry's
 * uniform energy is scaled by the reference design's ratio. */
int mult_lib_energy_hist(const mult_lib *lib, size_t i, const double *act_hist,
                         const double *w_hist, double *energy_pj, ax_err *err);

/* Table files: 65,536 little-endian uint16 (131,072 bytes). */
int mult_lut_read(const char *path, uint16_t *lut, ax_err *err);
int mult_lut_write(const char *path, const uint16_t *lut, ax_err *err);

#endif
