/* results: the result files of a run folder, all written atomically:
 * history.tsv (one row per generation), evaluations.tsv (every chromosome
 * scored), front.tsv (the feasible front, re-scored on the test split) and
 * summary.tsv (one row per approach), and the columns that describe a
 * design in them (volts, multiplier names, genes). docs/formats.md lists
 * every column. Also the hypervolume and energy savings they report. */
#ifndef AX_CLI_RESULTS_H
#define AX_CLI_RESULTS_H

#include <stdint.h>
#include <stdio.h>

#include "cli/run_env.h"
#include "cli/run_state.h"
#include "ga/nsga.h"

/* Energy saved (percent of the exact design) by the best design of a set
 * whose drop is <= 0.5 and <= 0 points (0 when none is). */
typedef struct results_savings {
    double saved_05, saved_0;
    double hv; /* test split: hypervolume of the reported designs (0 elsewhere) */
} results_savings;

/* Counts a design that saves saved_pct at drop_pp (NaN: not counted). */
void results_savings_add(results_savings *s, double saved_pct, double drop_pp);

/* Percent of the exact design's energy that energy_pj saves. */
double results_saved_pct(const run_env *e, double energy_pj);

/* Hypervolume of the feasible non-dominated points among n objective rows
 * [n][m] (energy uJ, drop, ...) in (energy / exact energy, drop), reference
 * point (1, max_drop): the region better than the exact design's energy
 * within the accuracy bound. viol may be NULL (all feasible); -1 when out
 * of memory. */
double results_hypervolume(const run_env *e, const double *objs, const double *viol, int n, int m);

int results_write_history(const char *dir, const run_state *s, ax_err *err);
int results_write_evaluations(const run_env *e, const char *dir, ax_err *err);

/* The reporting rule (docs/statistics.md): candidates, feasible on the
 * search split, are re-scored on the confirmation part (images the search
 * never used); those feasible there and non-dominated there (energy,
 * confirmation drop, area and latency when objectives) are the reported
 * front, which is re-scored on the test split. */
typedef struct results_report {
    int n;               /* candidates */
    fit_result *confirm; /* [n] on the confirmation part */
    fit_result *test;    /* [n] on the test split; reported ones only */
    int *reported;       /* [n] 1: in the reported front */
    int *order;          /* [n_reported] the reported candidates by energy */
    int n_reported;
} results_report;
/* genes [n][n_genes], scored by f (e->fit, or a fit of the same space
 * with other recovery settings); rep is freed again on failure. */
int results_report_make(run_env *e, fit *f, const int32_t *genes, int n, results_report *rep, ax_err *err);
void results_report_free(results_report *rep);
/* The test-split savings of the reported front, and its hypervolume with
 * the test drops (results_hypervolume's box: designs whose test drop
 * exceeds max_drop add nothing). */
results_savings results_report_savings(const run_env *e, const results_report *rep);

/* The reporting rule applied to the last population's feasible designs,
 * into front.tsv; *test (may be NULL) gets the reported front's test-split
 * savings for the summary. */
int results_write_front(run_env *e, const char *dir, const nsga_view *v, results_savings *test, ax_err *err);

/* One row of summary.tsv. */
typedef struct results_approach {
    const char *name;
    long evaluations;
    double hv, saved_05, saved_0; /* search split, over all its designs */
    results_savings test;         /* its reported designs, test split */
} results_approach;

int results_write_summary(const char *dir, const results_approach *a, int n, ax_err *err);

/* Columns of a design, each preceded by a tab: the genes' names (header),
 * the genes, the layers' multiplier names as one comma list, the three
 * knobs' volts (one value each, or a comma list per layer). */
void results_put_gene_header(const run_env *e, FILE *f);
void results_put_genes(const run_env *e, FILE *f, const int32_t *g);
void results_put_mult_names(const run_env *e, FILE *f, const int32_t *g);
void results_put_volts(const run_env *e, FILE *f, const int32_t *g);
/* The energy components of r (uJ), then the volts and multiplier names:
 * the columns front.tsv and baselines.tsv share, and their header. */
void results_put_parts_header(FILE *f);
void results_put_parts(const run_env *e, FILE *f, const int32_t *g, const fit_result *r);

#endif
