#include "util/tsv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"
#include "util/sort.h"

int tsv_read(const char *path, size_t max, tsv_table *t, ax_err *err)
{
    memset(t, 0, sizeof *t);
    unsigned char *data;
    size_t len;
    int rc = fio_read_all(path, max, &data, &len, err);
    if (rc != AX_OK)
        return rc;
    rc = tsv_parse((const char *)data, len, path, t, err);
    free(data);
    return rc;
}

void tsv_free(tsv_table *t)
{
    if (!t)
        return;
    free(t->text);
    free(t->cells);
    free(t->line);
    memset(t, 0, sizeof *t);
}

/* AX_EINPUT "path:line: what"; empties t. */
static int fail_parse(tsv_table *t, ax_err *err, long line, const char *what)
{
    int rc = ax_fail(err, AX_EINPUT, "%s:%ld: %s", t->path, line, what);
    tsv_free(t);
    return rc;
}

/* Counts the lines of text (a last line without '\n' counts; an empty
 * text or a text ending in '\n' adds no empty line). */
static long count_lines(const char *text, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    return n + (len > 0 && text[len - 1] != '\n');
}

/* Cuts line (NUL-terminated, no '\n') at its tabs into cells[0..], at most
 * max; returns the field count (max + 1 when there are more). */
static int split_fields(char *line, char **cells, int max)
{
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\r')
        line[n - 1] = '\0';
    int k = 0;
    for (char *p = line;; k++) {
        char *tab = strchr(p, '\t');
        if (k < max)
            cells[k] = p;
        if (!tab)
            return k + 1;
        *tab = '\0';
        p = tab + 1;
    }
}

static int cmp_names(int a, int b, const void *ctx)
{
    const char *const *names = ctx;
    return strcmp(names[a], names[b]);
}

/* Refuses an empty or repeated column name; sorted, so a header of any
 * width is checked in n log n. */
static int check_header(tsv_table *t, ax_err *err)
{
    int *idx = malloc((size_t)t->n_cols * sizeof *idx);
    if (!idx) {
        tsv_free(t);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    for (int c = 0; c < t->n_cols; c++)
        idx[c] = c;
    int rc = sort_indices(idx, (size_t)t->n_cols, cmp_names, t->cells, NULL) == 0 ? AX_OK : AX_EINTERNAL;
    const char *twice = NULL;
    for (int k = 0; rc == AX_OK && !twice && k + 1 < t->n_cols; k++)
        if (strcmp(t->cells[idx[k]], t->cells[idx[k + 1]]) == 0)
            twice = t->cells[idx[k]];
    int empty = rc == AX_OK && t->n_cols > 0 && !t->cells[idx[0]][0];
    free(idx);
    if (rc != AX_OK) {
        tsv_free(t);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    if (empty)
        return fail_parse(t, err, 1, "an empty column name in the header");
    if (twice) {
        char what[160];
        snprintf(what, sizeof what, "column '%.64s' named twice in the header", twice);
        return fail_parse(t, err, 1, what);
    }
    return AX_OK;
}

int tsv_parse(const char *text, size_t len, const char *name, tsv_table *t, ax_err *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", name);
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        long at = 1;
        for (const char *q = text; q < nul; q++)
            at += *q == '\n';
        return fail_parse(t, err, at, "a NUL byte: not a text table");
    }
    long lines = count_lines(text, len);
    if (lines == 0)
        return fail_parse(t, err, 1, "empty: no header line");
    t->text = malloc(len + 1);
    if (!t->text)
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory", t->path);
    memcpy(t->text, text, len);
    t->text[len] = '\0';
    /* The header fixes the width; a row is refused before it is stored. */
    char *next = strchr(t->text, '\n');
    if (next)
        *next++ = '\0';
    int n_cols = split_fields(t->text, NULL, 0);
    /* A good row holds n_cols - 1 tabs and a newline, so no more than
     * len / n_cols + 1 rows can be good: room for those only, whatever
     * the line count (a wide header over many empty lines must not ask
     * for lines x columns cells). */
    size_t cap = (size_t)lines < len / (size_t)n_cols + 2 ? (size_t)lines : len / (size_t)n_cols + 2;
    t->cells = malloc(cap * (size_t)n_cols * sizeof *t->cells);
    t->line = malloc(cap * sizeof *t->line);
    if (!t->cells || !t->line) {
        tsv_free(t);
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory", name);
    }
    t->n_cols = n_cols;
    /* split_fields cut the header already: its cells follow the NULs */
    char *p = t->text;
    for (int c = 0; c < n_cols; c++, p += strlen(p) + 1)
        t->cells[c] = p;
    t->line[0] = 1;
    if (check_header(t, err) != AX_OK)
        return AX_EINPUT;
    long row = 1;
    for (long ln = 2; next && *next; ln++) {
        char *line = next;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        int got = (size_t)row < cap ? split_fields(line, t->cells + (size_t)row * (size_t)n_cols, n_cols) : -1;
        if (got < 0)
            return fail_parse(t, err, ln, "a malformed row");
        if (got != n_cols) {
            char what[96];
            snprintf(what, sizeof what, "%d field%s, the header has %d", got > n_cols ? n_cols + 1 : got,
                     got > n_cols ? "s or more" : got == 1 ? "" : "s", n_cols);
            return fail_parse(t, err, ln, what);
        }
        t->line[row++] = ln;
    }
    t->n_rows = row - 1;
    return AX_OK;
}

int tsv_col(const tsv_table *t, const char *name)
{
    for (int c = 0; c < t->n_cols; c++)
        if (strcmp(t->cells[c], name) == 0)
            return c;
    return -1;
}

const char *tsv_cell(const tsv_table *t, long r, int c)
{
    return t->cells[(size_t)(r + 1) * (size_t)t->n_cols + (size_t)c];
}

int tsv_require_columns(const tsv_table *t, const char *const *names, int n_names, ax_err *err)
{
    for (int i = 0; i < n_names; i++)
        if (tsv_col(t, names[i]) < 0)
            return ax_fail(err, AX_EINPUT, "%s: no column '%s' in its header (not written by axsearch?)", t->path,
                           names[i]);
    return AX_OK;
}

int tsv_numbers_at(const tsv_table *t, int c, ax_err *err)
{
    for (long r = 0; r < t->n_rows; r++) {
        const char *v = tsv_cell(t, r, c);
        char *end;
        (void)strtod(v, &end);
        if (end == v || *end)
            return ax_fail(err, AX_EINPUT, "%s:%ld: column '%.64s': '%.40s' is not a number", t->path,
                           t->line[r + 1], t->cells[c], v);
    }
    return AX_OK;
}

int tsv_require_numbers(const tsv_table *t, const char *const *names, int n_names, ax_err *err)
{
    int rc = tsv_require_columns(t, names, n_names, err);
    for (int i = 0; rc == AX_OK && i < n_names; i++)
        rc = tsv_numbers_at(t, tsv_col(t, names[i]), err);
    return rc;
}
