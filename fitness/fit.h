/* fit: the chromosome -> objectives function of the accelerator search.
 *
 * A chromosome is a vector of integer genes:
 *   per-layer mode:  [voltages] [mult_0 .. mult_{L-1}]
 *   bank mode (K):   [voltages] [array_0 .. array_{K-1}] [route_0 .. route_{L-1}]
 * where [voltages] is [swing] [v_input] [v_weight] for the whole chip, or
 * with per-layer voltages [swing_0] [v_input_0] [v_weight_0] [swing_1] ...
 * The voltages come first: what the first layers compute depends on them
 * and on the first layers' multipliers, so a prefix of the chromosome fixes
 * a prefix of the computation (the emulator's prefix cache, and two-point
 * crossover, keep such prefixes together).
 * mult/array genes index the multiplier set (sorted by power, so
 * neighbouring values are similar designs); route_l picks layer l's array;
 * the voltage genes index the configured levels (0 = nominal).
 *
 * Scoring: the per-layer product tables and the voltages' bit-error rates
 * (fitness/emu/faultmap.h) go to the emulator, which gives the mean top-1 over
 * the repetitions (fitness/mc.h) on the search images; the drop is the
 * exact 8-bit design's top-1 at nominal voltages on the same images minus
 * that, in percentage points. The chip model (accel_model/net.h) gives
 * energy per inference, area and latency. The constraint is drop_ucb <=
 * max_drop.
 *
 * Every scored chromosome is kept (the evaluation cache, in the order of
 * first evaluation), so a chromosome is never scored twice; the caller can
 * save and restore that list to resume a search. */
#ifndef AX_FITNESS_FIT_H
#define AX_FITNESS_FIT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "accel_model/energy.h"
#include "accel_model/net.h"
#include "fitness/emu/emu.h"
#include "fitness/emu/faultmap.h"
#include "fitness/mc.h"
#include "fitness/emu/qnet.h"
#include "util/err.h"

typedef struct fit_space {
    int n_layers;
    int n_mults;       /* multiplier set size */
    int exact_mult;    /* index of the exact design in the set */
    int n_arrays;      /* 0: per-layer mode; K: bank mode */
    int n_swing, n_vin, n_vw;
    const double *swing, *v_input, *v_weight; /* volts, [0] nominal */
    int noc_bits;
    int per_layer_volts; /* 1: each layer has its own three voltage genes */
} fit_space;

/* The repetitions right on an image are counted in a byte. */
#define FIT_MAX_REPS 255

typedef struct fit_setup {
    const qnet *q;
    const emu_table *const *tables; /* [n_mults]; NULL entries = exact */
    /* Accuracy recovery: [n_layers * n_mults], entry layer * n_mults +
     * mult (fitness/emu/recover.h rec_set_fixes); NULL (or entries): none. */
    const emu_layer_fix *const *fixes;
    const accel_net *net;           /* mapped with the set's costs, same order */
    fmap_model faults;
    mc_data val;                    /* search images */
    int reps;
    uint64_t seed;
    int threads;
    double max_drop;
    int obj_area, obj_latency;
    int gate_idle; /* idle multiplier arrays power-gated (accel_design) */
    size_t prefix_cache_bytes; /* emulator prefix cache budget; 0 = off */
    /* The accuracy bound (fitness/race.h): a design is feasible when the
     * one-sided upper bound of its drop at this confidence is within
     * max_drop (0: 0.95). */
    double confidence;
    /* Racing on the search images: stages of race_first, 2 race_first,
     * ... images (0: one stage, all images); a look after each stage at
     * race_confidence (0: 0.99) may stop a design (fitness/race.h). */
    int64_t race_first;
    double race_confidence;
    /* Nonzero: fit_batch scores no further chromosome and returns
     * AX_ESTOPPED (what it scored is dropped). NULL: never. */
    volatile sig_atomic_t *stop;
} fit_setup;

typedef struct fit_result {
    double top1, top1_se;   /* the images scored; top1_se: binomial, sqrt(p (1 - p) / images) */
    /* The drop against the exact design from paired per-image differences
     * (fitness/race.h), percentage points: the estimate, its standard
     * error and its one-sided upper bound at the fit's confidence. */
    double drop_pp, drop_se, drop_ucb;
    int64_t s1, s2;         /* the paired tally behind them (race_tally) */
    double energy_pj, latency_s, area_mm2;
    double comp_pj[ACCEL_NCOMP];
    uint64_t flips;
    int reps;
    double macs, macs_skipped; /* this scoring's emulated MACs (not saved with results) */
    int64_t images;            /* images scored: all, unless racing stopped it */
    int complete;              /* scored on every image of its split (derived from images) */
} fit_result;

typedef struct fit fit;

/* Copies space and setup (not the objects they point to, which must outlive
 * the fit); scores the exact design once for the baseline. */
fit *fit_create(const fit_space *space, const fit_setup *setup, ax_err *err);
void fit_free(fit *f);

int fit_n_genes(const fit *f);
void fit_cardinalities(const fit *f, int32_t *card);
/* The all-exact, nominal chromosome. */
void fit_exact_genes(const fit *f, int32_t *genes);
/* The voltage genes: how many, and the index of knob k (0 swing, 1 input
 * SRAM, 2 weight SRAM) of layer l (l is ignored for chip-wide voltages). */
int fit_n_volt_genes(const fit *f);
int fit_volt_gene(const fit *f, int layer, int knob);
/* Index of multiplier (or array, then route) gene i: after the voltages. */
int fit_mult_gene(const fit *f, int i);
/* Multiplier set index of each layer under genes. */
void fit_layer_mults(const fit *f, const int32_t *genes, int *layer_mult);
int fit_n_objectives(const fit *f);
double fit_baseline_top1(const fit *f);
double fit_exact_energy_pj(const fit *f);
const fit_space *fit_get_space(const fit *f);

/* Scores one chromosome on the search images, without the cache, racing
 * against no reference (only a clearly infeasible design stops early).
 * Thread-safe; emu_threads are the threads the emulator may use. */
int fit_score(const fit *f, const int32_t *genes, int emu_threads, fit_result *r, ax_err *err);

/* The exact design's answers on other images (a confirmation or the test
 * split), which scores there are paired against. */
typedef struct fit_reference {
    mc_data data;   /* the images; not owned */
    double top1;    /* the exact design's top-1 on them */
    uint8_t *right; /* [data.n] 1 where the exact design is right; owned */
} fit_reference;
/* Scores the exact design on d into *ref; fit_reference_clear frees it. */
int fit_reference_make(const fit *f, const mc_data *d, fit_reference *ref, ax_err *err);
void fit_reference_clear(fit_reference *ref);
/* Scores a chromosome on all of ref's images (no racing, no cache), its
 * drop paired against the exact design there. */
int fit_score_on(const fit *f, const int32_t *genes, const fit_reference *ref, fit_result *r, ax_err *err);

/* Whether r rests on every image of its split and its drop bound is
 * within max_drop (the constraint). */
int fit_feasible(const fit *f, const fit_result *r);
/* Racing's dominance stops on (the default) or off. Off, only clearly
 * infeasible designs stop, so a score depends on the genome alone (the
 * baselines); a cached design stopped as dominated is then continued from
 * its last stage when it comes back. */
void fit_set_dominance(fit *f, int on);
/* The configured confidence of the bound on a drop. */
double fit_confidence(const fit *f);
/* The upper bound of r's drop (r scored from genes) at another confidence
 * (fitness/race.h; the exact design's is its drop). */
double fit_bound(const fit *f, const int32_t *genes, const fit_result *r, double confidence);

/* Scores a batch (genes [count][n_genes]) through the cache: known
 * chromosomes are copied, the others scored in parallel (OpenMP over
 * chromosomes, or over images when there are fewer chromosomes than
 * threads) and added in batch order. *hits counts the cached ones. A stop
 * request leaves the cache as it was and returns AX_ESTOPPED. */
int fit_batch(fit *f, int count, const int32_t *genes, fit_result *out, long *hits, ax_err *err);

/* Scoring elsewhere (cli/dist.h: other MPI ranks). fit_batch and
 * fit_score_on_batch put the chromosomes they must score into a fit_work
 * and, when an executor is set, hand it over instead of scoring here. The
 * work is self-contained: any process holding a fit made from the same
 * inputs scores it with fit_work_score and gets the same results, bit for
 * bit, whatever rows it is given and however many threads it has (the
 * scores depend on the genome, the start and the reference only). */
typedef struct fit_work { /* every array not owned: the caller's */
    int n;                   /* chromosomes */
    const int32_t *genes;    /* [n][n_genes] */
    /* [n] or NULL: start[i].images > 0 continues that stopped design
     * (its cached result) instead of scoring it from the start. */
    const fit_result *start;
    /* The racing reference of dominance stops: ref_n feasible designs
     * scored on every search image, their energy in pJ (then area in mm^2,
     * latency in s, when objectives) in ref_objs [ref_n][1 + obj_area + obj_latency] and the
     * bounds of their drops in ref_ucb [ref_n]. ref_n 0: infeasibility
     * stops only. */
    int ref_n;
    const double *ref_objs, *ref_ucb;
    /* NULL: raced on the search images; else scored on all of on's images
     * (fit_score_on), and the racing fields are unused. */
    const fit_reference *on;
} fit_work;

/* Scores rows [from, to) of w into out[from .. to) with this process's
 * threads (OpenMP over chromosomes, or over images when there are fewer
 * chromosomes than threads). Honours the stop request. */
int fit_work_score(const fit *f, const fit_work *w, int from, int to, fit_result *out, ax_err *err);

/* An executor scores all of w into out[0 .. w->n) (by fit_work_score, here
 * or elsewhere) and returns a status; ctx is the one given here. NULL
 * (the default): fit scores its work itself. */
typedef int (*fit_executor)(void *ctx, const fit *f, const fit_work *w, fit_result *out, ax_err *err);
void fit_set_executor(fit *f, fit_executor x, void *ctx);

/* fit_score_on for each of count chromosomes (genes [count][n_genes]) into
 * out [count], through the executor when one is set. */
int fit_score_on_batch(const fit *f, int count, const int32_t *genes, const fit_reference *ref, fit_result *out,
                       ax_err *err);

/* Objectives (minimized): energy in uJ, drop in points (the estimate),
 * then area (mm^2) and latency (ms) when enabled; the constraint
 * max_drop - drop_ucb >= 0 (always violated by a design racing stopped). */
void fit_objectives(const fit *f, const fit_result *r, double *objs, double *cons);

/* Emulated MACs so far and those the prefix cache saved (search images). */
void fit_mac_stats(const fit *f, double *macs, double *skipped);

/* The evaluation cache, in order of first evaluation. */
size_t fit_n_evaluated(const fit *f);
const int32_t *fit_evaluated_genes(const fit *f, size_t i);
const fit_result *fit_evaluated_result(const fit *f, size_t i);
/* Index of genes in the evaluation cache, or -1. */
long fit_find(const fit *f, const int32_t *genes);
/* Adds a known result (from a checkpoint); AX_EINPUT if a gene is out of
 * range, or if genes is present already and known_ok is 0 (with known_ok
 * set, a present chromosome is left as it is). */
int fit_remember(fit *f, const int32_t *genes, const fit_result *r, int known_ok, ax_err *err);
/* Drops the cache (keeps the baseline). */
void fit_forget(fit *f);

#endif
