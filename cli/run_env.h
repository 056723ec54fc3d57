/* run_env: everything a search needs, built once from its configuration:
 * the quantized network, the multiplier set and its product tables, the
 * mapped chip, the fault model, the data splits and the fitness function.
 * Shared by the search, resume and baselines commands; the run folder's
 * files are cli/results.h's and cli/run_state.h's. */
#ifndef AX_CLI_RUN_ENV_H
#define AX_CLI_RUN_ENV_H

#include <signal.h>
#include <stdio.h>

#include "accel_model/arch.h"
#include "accel_model/net.h"
#include "approx/fault.h"
#include "approx/mult_lib.h"
#include "cli/scfg.h"
#include "fitness/fit.h"
#include "fitness/emu/emu.h"
#include "fitness/emu/qnet.h"
#include "fitness/emu/recover.h"
#include "fitness/net/graph.h"
#include "fitness/net/idx.h"
#include "ga/nsga.h"

typedef struct run_env {
    scfg cfg;
    ds_source src; /* the data of cfg, fitted to the model's input */
    graph *g;
    qnet *q;
    mult_lib *lib;
    int n_mults;
    long *mult_entry;      /* [n_mults] library index of each set member */
    emu_table **tables;    /* [n_mults] */
    rec_hist *rec_hist;    /* accuracy recovery ([recovery]), or NULL when off */
    rec_set *recovery;     /* the fixes of every (layer, multiplier), or NULL */
    double recovery_setup_s; /* seconds to make rec_hist and recovery */
    accel_arch arch;
    accel_net *net;
    fault_sram *sram;
    fmap_model fm;         /* the fault model over sram */
    idx_dataset val, test; /* val: the search part (count = val_images) */
    mc_data confirm;       /* the confirmation part: the next confirm_images of val's memory */
    fit_reference confirm_ref, test_ref; /* made on first use (cli/results.c) */
    fit *fit;
    char inputs[256];      /* fingerprints of the files the run reads (run_env_record) */
    FILE *log;             /* NULL until a run folder is open; owned */
    volatile sig_atomic_t *stop;
    int quiet;             /* run_env_say prints nothing (a serving MPI rank) */
    struct dist *dist;     /* the other MPI ranks scoring for this run (cli/dist.h), or NULL; owned */
} run_env;

/* Builds everything (checks every file before anything is written). On
 * failure e is closed again. */
int run_env_open(run_env *e, const scfg *c, volatile sig_atomic_t *stop, ax_err *err);
/* The same; quiet: run_env_say prints nothing. */
int run_env_open_as(run_env *e, const scfg *c, volatile sig_atomic_t *stop, int quiet, ax_err *err);
/* What a checkpoint records of the run, so that a resume can tell a
 * change: the resolved configuration (scfg_format), then one line per
 * input the configuration names, by content (FNV-1a 64 of the bytes):
 *   inputs.model = <hex>    the ONNX file
 *   inputs.data = <hex>     the four IDX files of the dataset folder
 *   inputs.chip = <hex>     the chip file, or "built-in"
 *   inputs.library = <hex>  the multiplier set: names, product tables, costs
 * malloc'ed, the caller frees; NULL when out of memory. */
char *run_env_record(const run_env *e);

/* Frees what run_env_open built and closes the log; a zeroed e is a no-op. */
void run_env_close(run_env *e);

/* A fitness function over the search images with e's settings, with the
 * configured recovery (recovery = 1) or without it (0: the comparison
 * search of the baselines); owned by the caller (fit_free). */
int run_env_fit_create(const run_env *e, int recovery, fit **out, ax_err *err);

/* Name of multiplier set member i. */
const char *run_env_mult_name(const run_env *e, int i);

/* Printf to stdout and, when open, to the run's log.txt. */
void run_env_say(run_env *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* NSGA-II settings of the configured search (problem-independent). */
void run_env_nsga_config(const run_env *e, nsga_config *c);

#endif
