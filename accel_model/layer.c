#include "accel_model/layer.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"

accel_layer_shape accel_layer_make(const char *name, int m, int c, int p, int q, int r, int s)
{
    accel_layer_shape l;
    memset(&l, 0, sizeof l);
    snprintf(l.name, sizeof l.name, "%s", name);
    l.n = 1;
    l.m = m;
    l.c = c;
    l.p = p;
    l.q = q;
    l.r = r;
    l.s = s;
    l.stride_h = l.stride_w = 1;
    l.dil_h = l.dil_w = 1;
    l.groups = 1;
    l.weight_bits = 8;
    l.act_bits = 8;
    l.psum_bits = 24;
    return l;
}

double accel_layer_macs(const accel_layer_shape *l)
{
    return (double)l->n * l->m * l->c * l->p * l->q * l->r * l->s;
}

int accel_layer_validate(const accel_layer_shape *l, ax_err *err)
{
    const struct {
        const char *what;
        int v, lo, hi;
    } f[] = {
        {"N", l->n, 1, 1 << 16},           {"M", l->m, 1, 1 << 20},
        {"C", l->c, 1, 1 << 20},           {"P", l->p, 1, 1 << 16},
        {"Q", l->q, 1, 1 << 16},           {"R", l->r, 1, 1024},
        {"S", l->s, 1, 1024},              {"stride_h", l->stride_h, 1, 1024},
        {"stride_w", l->stride_w, 1, 1024}, {"dil_h", l->dil_h, 1, 1024},
        {"dil_w", l->dil_w, 1, 1024},      {"groups", l->groups, 1, 1 << 20},
        {"weight_bits", l->weight_bits, 1, 32}, {"act_bits", l->act_bits, 1, 32},
        {"psum_bits", l->psum_bits, 1, 64},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].v < f[i].lo || f[i].v > f[i].hi)
            return ax_fail(err, AX_EINPUT, "layer '%s': %s = %d, expected %d..%d", l->name,
                           f[i].what, f[i].v, f[i].lo, f[i].hi);
    if (l->m % l->groups)
        return ax_fail(err, AX_EINPUT, "layer '%s': M = %d is not a multiple of groups = %d",
                       l->name, l->m, l->groups);
    if (accel_layer_macs(l) > 1e15)
        return ax_fail(err, AX_EINPUT, "layer '%s': more than 1e15 MACs", l->name);
    return AX_OK;
}

enum { COL_NAME, COL_N, COL_M, COL_C, COL_P, COL_Q, COL_R, COL_S, COL_SH, COL_SW, COL_DH,
       COL_DW, COL_G, COL_WB, COL_AB, COL_PB, NCOLS };
static const char *const col_names[NCOLS] = {
    "name", "N", "M", "C", "P", "Q", "R", "S", "stride_h", "stride_w", "dil_h", "dil_w",
    "groups", "weight_bits", "act_bits", "psum_bits"};

static int *field_of(accel_layer_shape *l, int col)
{
    switch (col) {
    case COL_N: return &l->n;
    case COL_M: return &l->m;
    case COL_C: return &l->c;
    case COL_P: return &l->p;
    case COL_Q: return &l->q;
    case COL_R: return &l->r;
    case COL_S: return &l->s;
    case COL_SH: return &l->stride_h;
    case COL_SW: return &l->stride_w;
    case COL_DH: return &l->dil_h;
    case COL_DW: return &l->dil_w;
    case COL_G: return &l->groups;
    case COL_WB: return &l->weight_bits;
    case COL_AB: return &l->act_bits;
    case COL_PB: return &l->psum_bits;
    default: return NULL;
    }
}

/* Splits line (modified in place) at tabs; returns the number of fields or
 * -1 if more than max. */
static int split_tabs(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        fields[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}

/* The next line of the buffer at *save (NUL-terminated in place, without
 * its "\r\n" or "\n"); *save moves past it, to NULL after the last. */
static char *next_line(char **save)
{
    char *line = *save;
    char *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *save = nl + 1;
    } else {
        *save = NULL;
    }
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[len - 1] = '\0';
    return line;
}

/* The header's nf fields (nf < 0: too many) into colmap[file column] = our
 * column; every required column must be there, none twice. */
static int parse_header(char *const *fields, int nf, int *colmap, const char *name, int lineno, ax_err *err)
{
    if (nf < 0)
        return ax_fail(err, AX_EINPUT, "%s:%d: header has more than %d columns", name, lineno, NCOLS);
    int seen[NCOLS] = {0};
    for (int i = 0; i < nf; i++) {
        int k = -1;
        for (int j = 0; j < NCOLS; j++)
            if (!strcmp(fields[i], col_names[j]))
                k = j;
        if (k < 0)
            return ax_fail(err, AX_EINPUT, "%s:%d: unknown column '%s' in the header", name, lineno, fields[i]);
        if (seen[k])
            return ax_fail(err, AX_EINPUT, "%s:%d: column '%s' given twice", name, lineno, fields[i]);
        seen[k] = 1;
        colmap[i] = k;
    }
    static const int required[] = {COL_NAME, COL_M, COL_C, COL_P, COL_Q, COL_R, COL_S};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!seen[required[i]])
            return ax_fail(err, AX_EINPUT, "%s:%d: header lacks the column '%s'", name, lineno,
                           col_names[required[i]]);
    return AX_OK;
}

/* One layer from a row of nf fields (nf < 0: too many), the header having
 * had ncols columns; checked. */
static int parse_row(char *const *fields, int nf, int ncols, const int *colmap, const char *name, int lineno,
                     accel_layer_shape *l, ax_err *err)
{
    if (nf != ncols)
        return ax_fail(err, AX_EINPUT, "%s:%d: expected %d tab-separated fields, got %d", name, lineno, ncols,
                       nf < 0 ? NCOLS + 1 : nf);
    *l = accel_layer_make("", 1, 1, 1, 1, 1, 1);
    for (int i = 0; i < nf; i++) {
        if (colmap[i] == COL_NAME) {
            if (!fields[i][0] || strlen(fields[i]) >= sizeof l->name)
                return ax_fail(err, AX_EINPUT, "%s:%d: name: expected 1..%zu characters", name, lineno,
                               sizeof l->name - 1);
            snprintf(l->name, sizeof l->name, "%s", fields[i]);
            continue;
        }
        char *end;
        errno = 0;
        long v = strtol(fields[i], &end, 10);
        if (errno || end == fields[i] || *end || v < 1 || v > INT_MAX)
            return ax_fail(err, AX_EINPUT, "%s:%d: column %s: expected a positive integer, got '%s'", name,
                           lineno, col_names[colmap[i]], fields[i]);
        *field_of(l, colmap[i]) = (int)v;
    }
    int rc = accel_layer_validate(l, err);
    if (rc != AX_OK)
        ax_err_prefix(err, "%s:%d", name, lineno);
    return rc;
}

/* Appends l to the growing array *out (n used, cap allocated). */
static int push_layer(accel_layer_shape **out, size_t *n, size_t *cap, const accel_layer_shape *l,
                      const char *name, ax_err *err)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        accel_layer_shape *t = realloc(*out, nc * sizeof *t);
        if (!t)
            return ax_fail(err, AX_EINTERNAL, "%s: out of memory", name);
        *out = t;
        *cap = nc;
    }
    (*out)[(*n)++] = *l;
    return AX_OK;
}

int accel_layers_parse(const char *text, const char *name, accel_layer_shape **layers,
                       size_t *n_out, ax_err *err)
{
    *layers = NULL;
    *n_out = 0;
    char *buf = strdup(text);
    if (!buf)
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory", name);
    int colmap[NCOLS + 1];          /* file column -> our column */
    int ncols_file = -1, rc = AX_OK, lineno = 0;
    size_t cap = 0, n = 0;
    accel_layer_shape *out = NULL;
    char *save = buf;
    while (save && rc == AX_OK) {
        char *line = next_line(&save);
        lineno++;
        if (!line[0] || line[0] == '#')
            continue;
        char *fields[NCOLS + 1];
        int nf = split_tabs(line, fields, NCOLS + 1);
        if (ncols_file < 0) {
            rc = parse_header(fields, nf, colmap, name, lineno, err);
            ncols_file = nf;
            continue;
        }
        accel_layer_shape l;
        rc = parse_row(fields, nf, ncols_file, colmap, name, lineno, &l, err);
        if (rc == AX_OK)
            rc = push_layer(&out, &n, &cap, &l, name, err);
    }
    free(buf);
    if (rc == AX_OK && ncols_file < 0)
        rc = ax_fail(err, AX_EINPUT, "%s:%d: expected a header line, found none", name, lineno);
    if (rc == AX_OK && n == 0)
        rc = ax_fail(err, AX_EINPUT, "%s:%d: expected at least one layer after the header", name,
                     lineno);
    if (rc != AX_OK) {
        free(out);
        return rc;
    }
    *layers = out;
    *n_out = n;
    return AX_OK;
}

int accel_layers_load(const char *path, accel_layer_shape **layers, size_t *n, ax_err *err)
{
    unsigned char *data;
    size_t len;
    int rc = fio_read_all(path, FIO_MAX_TEXT, &data, &len, err);
    if (rc != AX_OK)
        return rc;
    if (memchr(data, '\0', len)) {
        free(data);
        return ax_fail(err, AX_EINPUT, "%s: binary file (NUL byte), expected a TSV", path);
    }
    rc = accel_layers_parse((const char *)data, path, layers, n, err);
    free(data);
    return rc;
}
