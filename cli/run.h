/* run: everything a search needs, built from its configuration — the
 * quantized network, the multiplier set and its product tables, the mapped
 * chip, the fault model, the data splits and the fitness function — and the
 * files of a run folder (config.ini, log.txt, history.tsv, front.tsv,
 * evaluations.tsv, baselines.tsv, summary.tsv, checkpoint.bin). Shared by
 * the search, resume and baselines commands. */
#ifndef AX_CLI_RUN_H
#define AX_CLI_RUN_H

#include <signal.h>
#include <stdio.h>

#include "accel_model/arch.h"
#include "accel_model/net.h"
#include "approx/fault.h"
#include "approx/mult_lib.h"
#include "cli/scfg.h"
#include "fitness/emu/emu.h"
#include "fitness/fit.h"
#include "fitness/net/graph.h"
#include "fitness/net/idx.h"
#include "fitness/emu/qnet.h"
#include "ga/nsga.h"

typedef struct run_env {
    scfg cfg;
    graph *g;
    qnet *q;
    mult_lib *lib;
    int n_mults;
    long *mult_entry;      /* [n_mults] library index of each set member */
    emu_table **tables;    /* [n_mults] */
    accel_arch arch;
    accel_net *net;
    fault_sram *sram;
    idx_dataset val, test;
    fit *fit;
    FILE *log;             /* NULL until a run folder is open */
    volatile sig_atomic_t *stop;
} run_env;

/* Builds everything (checks every file before anything is written). */
int run_env_open(run_env *e, const scfg *c, volatile sig_atomic_t *stop, ax_err *err);
void run_env_close(run_env *e);

/* Name of multiplier set member i. */
const char *run_mult_name(const run_env *e, int i);

/* Printf to stdout and, when open, to the run's log.txt. */
void run_say(run_env *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* NSGA-II problem and settings of the configured search. */
void run_nsga_config(const run_env *e, nsga_config *c);

/* Search state kept in the checkpoint beside the population: the history
 * rows and every evaluation. */
typedef struct run_history_row {
    long gen, evals, hits, feasible;
    double hv, best_energy_uj; /* best: lowest energy within the constraint */
} run_history_row;

typedef struct run_state {
    run_history_row *rows;
    size_t n_rows, cap;
    long hits;            /* cache hits so far */
} run_state;

void run_state_free(run_state *s);
int run_state_push(run_state *s, const run_history_row *r);
/* Serializes the state and the fit's evaluations. */
int run_state_save(const run_state *s, const fit *f, unsigned char **blob, size_t *len);
/* Restores both from a checkpoint blob; path names the file in messages. */
int run_state_load(run_state *s, fit *f, const void *blob, size_t len, const char *path, ax_err *err);

/* Hypervolume of the feasible non-dominated points among n objective rows
 * (energy uJ, drop, ...) in (energy / exact energy, drop), reference point
 * (1, max_drop): the region better than the exact design's energy within
 * the accuracy bound. */
double run_hypervolume(const run_env *e, const double *objs, const double *viol, int n, int m);

/* Files of a run folder (all written atomically). */
int run_write_history(const run_env *e, const char *dir, const run_state *s, ax_err *err);
int run_write_evaluations(const run_env *e, const char *dir, ax_err *err);
/* Energy saved (percent of the exact design) by the best design of a set
 * whose test-split drop is <= 0.5 and <= 0 points (0 when none is). */
typedef struct run_test_savings {
    double saved_05, saved_0;
} run_test_savings;

/* The feasible first front of the population, re-scored on the test split,
 * into front.tsv; *test (may be NULL) gets the front's test-split savings
 * for the summary. */
int run_write_front(run_env *e, const char *dir, const nsga_view *v, run_test_savings *test, ax_err *err);

/* Runs the baselines, re-scores their feasible designs on the test split,
 * and writes baselines.tsv and summary.tsv. budget: the evaluations the
 * random search gets (the search's). front_hv: the search's hypervolume (or
 * < 0 when there is none); front_test: its front's test-split savings
 * (used when front_hv >= 0). */
int run_baselines(run_env *e, const char *dir, long budget, double front_hv, const run_test_savings *front_test,
                  ax_err *err);

/* Joins dir and name into out. */
void run_path(char *out, size_t size, const char *dir, const char *name);

#endif
