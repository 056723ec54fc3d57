/* tsv: reads a tab-separated table with a header line, as axsearch writes
 * them (front.tsv, history.tsv, baselines.tsv, ...), for the readers that
 * hand such a table on (plot, to gnuplot) and must refuse a broken one
 * first, naming the file, the line and the column.
 *
 * The table is held whole: one buffer, every cell a NUL-terminated string
 * inside it. Lines end in '\n' (a '\r' before it is dropped); the last may
 * lack it; a NUL byte, an empty header, a header naming a column twice and
 * a row whose field count differs from the header's are refused. */
#ifndef AX_UTIL_TSV_H
#define AX_UTIL_TSV_H

#include <stddef.h>

#include "util/err.h"

typedef struct tsv_table {
    char path[512];   /* for messages: as given, cut to fit */
    char *text;       /* owned: the file, tabs and newlines turned to NULs */
    int n_cols;
    long n_rows;      /* data rows, the header excluded */
    char **cells;     /* owned: [1 + n_rows][n_cols], row 0 the header */
    long *line;       /* owned: [1 + n_rows], each row's line number in the file */
} tsv_table;

/* Reads path (at most max bytes, util/fileio.h) into t. On failure t is
 * left empty (tsv_free is still safe) and err names path, and the line
 * where it applies. */
int tsv_read(const char *path, size_t max, tsv_table *t, ax_err *err);

/* Parses text (len bytes, not kept; a copy is made) as if read from name. */
int tsv_parse(const char *text, size_t len, const char *name, tsv_table *t, ax_err *err);

void tsv_free(tsv_table *t);

/* The column named name, or -1. */
int tsv_col(const tsv_table *t, const char *name);

/* The cell of data row r (0-based) in column c. */
const char *tsv_cell(const tsv_table *t, long r, int c);

/* AX_EINPUT naming the file when a column of names is missing, or naming
 * the line and the column when one of its cells is not a number (strtod's
 * whole syntax, "nan" and "inf" included; an empty cell is refused). */
int tsv_require_numbers(const tsv_table *t, const char *const *names, int n_names, ax_err *err);

/* The same check for column c (0 .. n_cols-1). */
int tsv_numbers_at(const tsv_table *t, int c, ax_err *err);

/* AX_EINPUT naming the file when a column of names is missing. */
int tsv_require_columns(const tsv_table *t, const char *const *names, int n_names, ax_err *err);

#endif
