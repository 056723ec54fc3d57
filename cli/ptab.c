#include "cli/ptab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/scfg.h"
#include "util/fileio.h"
#include "util/tsv.h"

/* What the figures draw from front.tsv (besides L0 ..), history.tsv and
 * baselines.tsv: each a number in every row (gnuplot would draw a cell it
 * cannot read as a gap, or stop with a message naming neither file nor
 * row). */
static const char *const front_numbers[] = {
    "energy_uj",    "confirm_drop_pp", "confirm_drop_se", "confirm_drop_ucb", "test_drop_pp", "test_drop_se",
    "energy_saved_pct", "mac_uj",      "wbuf_uj",         "ibuf_uj",          "abuf_uj",      "gbuf_uj",
    "noc_uj",       "dram_uj",         "leak_uj"};
static const char *const history_numbers[] = {"gen", "evals", "hv", "best_energy_uj"};
static const char *const baseline_numbers[] = {"energy_uj", "drop_pp", "mac_uj",  "wbuf_uj", "ibuf_uj",
                                               "abuf_uj",   "gbuf_uj", "noc_uj", "dram_uj", "leak_uj"};

/* The layer columns L0 .. L{n-1} of front.tsv: *layers = n >= 1, each a
 * number. Linear in the columns (column names are distinct: n of them,
 * each below n, are exactly L0 .. L{n-1}). */
static int front_layers(const tsv_table *t, int *layers, ax_err *err)
{
    int n = 0;
    for (int c = 0; c < t->n_cols; c++) {
        const char *name = t->cells[c];
        n += name[0] == 'L' && name[1] && strspn(name + 1, "0123456789") == strlen(name + 1);
    }
    if (n == 0)
        return ax_fail(err, AX_EINPUT, "%s: no layer columns L0 .. in its header (not written by axsearch?)",
                       t->path);
    for (int c = 0; c < t->n_cols; c++) {
        const char *name = t->cells[c];
        if (name[0] != 'L' || !name[1] || strspn(name + 1, "0123456789") != strlen(name + 1))
            continue;
        if (strlen(name) > 8 || atol(name + 1) >= n || (name[1] == '0' && name[2]))
            return ax_fail(err, AX_EINPUT, "%s: layer column '%.16s' among %d: expected L0 .. L%d", t->path, name,
                           n, n - 1);
        int rc = tsv_numbers_at(t, c, err);
        if (rc != AX_OK)
            return rc;
    }
    *layers = n;
    return AX_OK;
}

/* Reads one table of the run folder and checks its numeric columns and
 * that it has a data row; t is filled (caller frees) on success. */
static int read_table(const char *run, const char *name, const char *const *numbers, int n_numbers,
                      tsv_table *t, ax_err *err)
{
    char path[SCFG_PATH + 64];
    snprintf(path, sizeof path, "%s/%s", run, name);
    int rc = tsv_read(path, FIO_MAX_TEXT, t, err);
    if (rc == AX_OK)
        rc = tsv_require_numbers(t, numbers, n_numbers, err);
    if (rc == AX_OK && t->n_rows == 0)
        rc = ax_fail(err, AX_EINPUT, "%s: no data rows", t->path);
    if (rc != AX_OK)
        tsv_free(t);
    return rc;
}

int ptab_read(const char *run, int *layers, int *hasbase, ax_err *err)
{
    tsv_table t;
    int rc = read_table(run, "front.tsv", front_numbers, (int)(sizeof front_numbers / sizeof *front_numbers), &t, err);
    if (rc != AX_OK)
        return rc;
    rc = front_layers(&t, layers, err);
    tsv_free(&t);
    if (rc == AX_OK)
        rc = read_table(run, "history.tsv", history_numbers,
                        (int)(sizeof history_numbers / sizeof *history_numbers), &t, err);
    if (rc != AX_OK)
        return rc;
    tsv_free(&t);
    char path[SCFG_PATH + 64];
    snprintf(path, sizeof path, "%s/baselines.tsv", run);
    *hasbase = access(path, F_OK) == 0;
    if (!*hasbase)
        return AX_OK;
    rc = read_table(run, "baselines.tsv", baseline_numbers,
                    (int)(sizeof baseline_numbers / sizeof *baseline_numbers), &t, err);
    if (rc != AX_OK)
        return rc;
    static const char *const text_cols[] = {"baseline"};
    rc = tsv_require_columns(&t, text_cols, 1, err);
    if (rc == AX_OK && strcmp(tsv_cell(&t, 0, tsv_col(&t, "baseline")), "exact") != 0)
        rc = ax_fail(err, AX_EINPUT, "%s:%ld: the first row is not the exact design", t.path, t.line[1]);
    tsv_free(&t);
    return rc;
}

