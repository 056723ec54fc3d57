/* run_state: the search's state kept in its checkpoint beside the NSGA-II
 * population (ga/nsga.h stores it as the checkpoint's caller blob): the
 * history rows and every evaluation of the fitness cache. Also the
 * serialised cache entries that the baselines' checkpoint shares.
 *
 * Layout (util/bytebuf.h records, little-endian), version 4:
 *   u32 version, u64 config length, the run's resolved configuration
 *   (scfg_format text, no NUL), u64 cache hits, u64 rows, rows x {u64 gen, evals, hits,
 *   feasible; f64 hv, best_energy_uj}, then the entries:
 *   u32 genes, u64 count, count x {genes x u32, f64 top1, top1_se,
 *   drop_pp, drop_se, drop_ucb, u64 s1, s2 (the paired tally, s1 two's
 *   complement), f64 energy_pj, latency_s, area_mm2, ACCEL_NCOMP x f64 comp_pj,
 *   u64 flips, u32 reps, u64 images}.
 * Version 3 (before the configuration was recorded) is read too; its
 * config is NULL. */
#ifndef AX_CLI_RUN_STATE_H
#define AX_CLI_RUN_STATE_H

#include <stddef.h>

#include "fitness/fit.h"
#include "util/bytebuf.h"
#include "util/err.h"

typedef struct run_history_row {
    long gen, evals, hits, feasible;
    double hv, best_energy_uj; /* best: lowest energy within the constraint */
} run_history_row;

typedef struct run_state {
    run_history_row *rows; /* owned */
    size_t n_rows, cap;
    long hits;             /* cache hits so far */
    char *config;          /* owned; the resolved configuration the run began with (scfg_format), NULL if unknown */
} run_state;

void run_state_free(run_state *s);
/* 0, or -1 when out of memory. */
int run_state_push(run_state *s, const run_history_row *r);
/* Serializes the state and the fit's evaluations into *blob (malloc'ed,
 * caller frees); 0, or -1 when out of memory. */
int run_state_save(const run_state *s, const fit *f, unsigned char **blob, size_t *len);
/* Restores both from a checkpoint blob (the fit's cache is replaced); path
 * names the file in messages. */
int run_state_load(run_state *s, fit *f, const void *blob, size_t len, const char *path, ax_err *err);

/* The recorded configuration of a state blob, without the rest: *config
 * is malloc'ed (caller frees), NULL for a version 3 state. AX_EINPUT
 * naming path for another version or a damaged record. */
int run_state_config(const void *blob, size_t len, const char *path, char **config, ax_err *err);

/* The cache entries [from, n) of f as records (see above). */
void run_state_put_entries(bb_writer *w, const fit *f, size_t from);
/* Reads what run_state_put_entries wrote into f's cache. known_ok: an
 * entry f already holds is left as it is (else it is an error); *added
 * counts the new ones; what names the file in messages. Genes out of
 * range are AX_EINPUT. */
int run_state_get_entries(bb_reader *r, fit *f, int known_ok, size_t *added, const char *what, ax_err *err);

#endif
