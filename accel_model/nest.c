#include "accel_model/nest.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "util/fileio.h"

static const char dim_names[NEST_NDIMS] = {'R', 'S', 'P', 'Q', 'C', 'K', 'N'};
static const char *const space_names[NEST_NSPACES] = {"Weights", "Inputs", "Outputs"};

/* ---- shape ----------------------------------------------------------- */

static int dim_of(const char *s, size_t len)
{
    if (len != 1)
        return -1;
    if (*s == 'M')
        return NEST_K;
    for (int d = 0; d < NEST_NDIMS; d++)
        if (*s == dim_names[d])
            return d;
    return -1;
}

int nest_shape_parse(const char *text, nest_shape *s, ax_err *err)
{
    for (int d = 0; d < NEST_NDIMS; d++)
        s->bound[d] = 1;
    s->wstride = s->hstride = s->wdilation = s->hdilation = 1;
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, ",");
        char item[64];
        if (len >= sizeof item)
            return ax_fail(err, AX_EINPUT, "layer shape: item '%.20s...' longer than %zu characters", p,
                           sizeof item - 1);
        snprintf(item, sizeof item, "%.*s", (int)len, p);
        char *eq = strchr(item, '=');
        char *end = NULL;
        long v = eq ? (errno = 0, strtol(eq + 1, &end, 10)) : 0;
        if (!eq || end == eq + 1 || *end || errno || v < 1 || v > 1000000)
            return ax_fail(err, AX_EINPUT, "layer shape '%s': '%s' is not NAME=N with N in 1..1000000", text, item);
        *eq = '\0';
        int d = dim_of(item, strlen(item));
        long *slot = d >= 0                            ? &s->bound[d]
                     : strcmp(item, "Wstride") == 0   ? &s->wstride
                     : strcmp(item, "Hstride") == 0   ? &s->hstride
                     : strcmp(item, "Wdilation") == 0 ? &s->wdilation
                     : strcmp(item, "Hdilation") == 0 ? &s->hdilation
                                                      : NULL;
        if (!slot)
            return ax_fail(err, AX_EINPUT, "layer shape '%s': unknown name '%s' (R S P Q C K N, Wstride Hstride "
                                           "Wdilation Hdilation)", text, item);
        *slot = v;
        p += len + (p[len] == ',');
    }
    return AX_OK;
}

/* ---- mapping text ---------------------------------------------------- */

/* A level line "NAME [ Weights:3 Inputs:18 ]": fills level l of m. */
static int parse_level(char *line, const char *name, int ln, nest_map *m, ax_err *err)
{
    char *open = strchr(line, '['), *close = strrchr(line, ']');
    if (!open || !close || close < open)
        return ax_fail(err, AX_EINPUT, "%s:%d: not a level line 'NAME [ Weights:n Inputs:n Outputs:n ]'", name, ln);
    for (const char *after = close + 1; *after; after++)
        if (!isspace((unsigned char)*after))
            return ax_fail(err, AX_EINPUT, "%s:%d: text after ']' of a level line", name, ln);
    if (m->n_levels == NEST_MAX_LEVELS)
        return ax_fail(err, AX_EINPUT, "%s:%d: more than %d storage levels", name, ln, NEST_MAX_LEVELS);
    int l = m->n_levels++;
    char *end = open;
    while (end > line && isspace((unsigned char)end[-1]))
        end--;
    if (end == line || end - line >= 64)
        return ax_fail(err, AX_EINPUT, "%s:%d: a level needs a name of 1 to 63 characters", name, ln);
    snprintf(m->name[l], sizeof m->name[l], "%.*s", (int)(end - line), line);
    for (int t = 0; t < NEST_NSPACES; t++)
        m->stated_tile[l][t] = -1;
    *close = '\0';
    for (char *tok = strtok(open + 1, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (tok[0] == '(') { /* Timeloop 4 adds each tile's size again: "(96)" */
            size_t digits = strspn(tok + 1, "0123456789");
            if (digits == 0 || strcmp(tok + 1 + digits, ")") != 0)
                return ax_fail(err, AX_EINPUT, "%s:%d: '%s': expected a size in parentheses '(n)'", name, ln, tok);
            continue;
        }
        /* "Weights:96" (the size checked against the loops) or "Weights" */
        char *colon = strchr(tok, ':');
        size_t len = colon ? (size_t)(colon - tok) : strlen(tok);
        int t = 0;
        while (t < NEST_NSPACES && (strncmp(tok, space_names[t], len) != 0 || strlen(space_names[t]) != len))
            t++;
        char *num_end = colon ? NULL : tok + len;
        long v = t < NEST_NSPACES && colon ? strtol(colon + 1, &num_end, 10) : -1;
        if (t == NEST_NSPACES || (colon && (num_end == colon + 1 || v < 0)) || *num_end)
            return ax_fail(err, AX_EINPUT, "%s:%d: '%s': expected Weights:n, Inputs:n or Outputs:n", name, ln, tok);
        if (m->keeps[l][t])
            return ax_fail(err, AX_EINPUT, "%s:%d: %s named twice", name, ln, space_names[t]);
        m->keeps[l][t] = 1;
        m->stated_tile[l][t] = v;
    }
    return AX_OK;
}

/* A loop line "| for P in [0:16) (Spatial-X)". */
static int parse_loop(const char *line, const char *name, int ln, nest_map *m, ax_err *err)
{
    const char *p = line;
    while (*p == '|' || isspace((unsigned char)*p))
        p++;
    char dim[8], tail[32] = "";
    long lo, hi;
    int used = 0;
    if (sscanf(p, "for %7s in [%ld:%ld)%n", dim, &lo, &hi, &used) != 3 || used == 0)
        return ax_fail(err, AX_EINPUT, "%s:%d: not a loop line '| for X in [0:n)'", name, ln);
    const char *rest = p + used;
    while (isspace((unsigned char)*rest))
        rest++;
    snprintf(tail, sizeof tail, "%s", rest);
    size_t tl = strlen(tail);
    while (tl > 0 && isspace((unsigned char)tail[tl - 1]))
        tail[--tl] = '\0';
    int d = dim_of(dim, strlen(dim));
    int spatial = !tail[0] ? 0 : !strcmp(tail, "(Spatial-X)") ? 1 : !strcmp(tail, "(Spatial-Y)") ? 2 : -1;
    if (d < 0)
        return ax_fail(err, AX_EINPUT, "%s:%d: unknown loop dimension '%s' (R S P Q C K N)", name, ln, dim);
    if (spatial < 0)
        return ax_fail(err, AX_EINPUT, "%s:%d: '%s' after the loop: only (Spatial-X) or (Spatial-Y)", name, ln, tail);
    if (lo != 0 || hi < 1 || hi > 1000000)
        return ax_fail(err, AX_EINPUT, "%s:%d: a loop runs over [0:n) with n in 1..1000000", name, ln);
    if (m->n_levels == 0)
        return ax_fail(err, AX_EINPUT, "%s:%d: a loop before the first level line", name, ln);
    if (m->n_loops == NEST_MAX_LOOPS)
        return ax_fail(err, AX_EINPUT, "%s:%d: more than %d loops", name, ln, NEST_MAX_LOOPS);
    m->loop[m->n_loops++] = (nest_loop){d, hi, spatial, m->n_levels - 1};
    return AX_OK;
}

static int blank_or_rule(const char *line)
{
    for (const char *p = line; *p; p++)
        if (!isspace((unsigned char)*p) && *p != '-')
            return *p == '#';
    return 1;
}

int nest_map_parse(const char *text, const char *name, nest_map *m, ax_err *err)
{
    memset(m, 0, sizeof *m);
    int rc = AX_OK, ln = 0, computed = 0;
    for (const char *p = text; *p && rc == AX_OK; ln++) {
        size_t len = strcspn(p, "\n");
        char line[512];
        if (len >= sizeof line)
            return ax_fail(err, AX_EINPUT, "%s:%d: line longer than %zu characters", name, ln + 1,
                           sizeof line - 1);
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (p[len] == '\n');
        const char *q = line;
        while (isspace((unsigned char)*q))
            q++;
        if (blank_or_rule(line))
            continue;
        const char *body = q;
        while (*body == '|' || isspace((unsigned char)*body))
            body++;
        if (computed)
            rc = ax_fail(err, AX_EINPUT, "%s:%d: text after << Compute >>", name, ln + 1);
        else if (strncmp(body, "<< Compute >>", 13) == 0) {
            computed = 1;
            for (const char *after = body + 13; *after && rc == AX_OK; after++)
                if (!isspace((unsigned char)*after))
                    rc = ax_fail(err, AX_EINPUT, "%s:%d: text after << Compute >>", name, ln + 1);
        }
        else if (*q == '|')
            rc = parse_loop(q, name, ln + 1, m, err);
        else
            rc = parse_level(line, name, ln + 1, m, err);
    }
    if (rc == AX_OK && m->n_levels == 0)
        rc = ax_fail(err, AX_EINPUT, "%s: no storage level", name);
    for (int t = 0; rc == AX_OK && t < NEST_NSPACES; t++)
        if (!m->keeps[0][t])
            rc = ax_fail(err, AX_EINPUT, "%s: the outermost level %s must keep %s", name, m->name[0],
                         space_names[t]);
    return rc;
}

int nest_map_load(const char *path, nest_map *m, ax_err *err)
{
    unsigned char *text;
    size_t len;
    int rc = fio_read_all(path, FIO_MAX_TEXT, &text, &len, err);
    if (rc != AX_OK)
        return rc;
    rc = strlen((char *)text) == len ? nest_map_parse((char *)text, path, m, err)
                                     : ax_fail(err, AX_EINPUT, "%s: not a text file (NUL byte)", path);
    free(text);
    return rc;
}

/* ---- counting -------------------------------------------------------- */

/* A tensor's coordinates: weights (R, S, C, K), inputs (W, H, C, N),
 * outputs (P, Q, K, N). A tile is an axis-aligned box of them, as
 * Timeloop's footprints are. */
typedef struct box {
    long lo[4], hi[4]; /* inclusive */
} box;

static const int coord_dim[NEST_NSPACES][4] = {
    {NEST_R, NEST_S, NEST_C, NEST_K}, {-1, -1, NEST_C, NEST_N}, {NEST_P, NEST_Q, NEST_K, NEST_N}};

/* Does dimension d index tensor t? */
static int relevant(int t, int d)
{
    if (t == NEST_I && (d == NEST_P || d == NEST_R || d == NEST_Q || d == NEST_S))
        return 1;
    for (int k = 0; k < 4; k++)
        if (coord_dim[t][k] == d)
            return 1;
    return 0;
}

typedef struct ctx {
    const nest_map *m;
    const nest_shape *s;
    int first[NEST_MAX_LEVELS + 1]; /* first loop of each level's block; [n_levels]: n_loops (compute) */
    long stride[NEST_MAX_LOOPS];    /* a loop's step in its dimension: the bounds inside it multiplied */
    long extent[NEST_NSPACES][4];   /* each tensor's size per coordinate */
    uint32_t *stamp[NEST_NSPACES];  /* per tensor point: the step that last delivered it */
    size_t stamp_words[NEST_NSPACES];
    uint32_t step;
} ctx;

/* The box tensor t spans for the loops from index `from` inward, at the
 * outer loops' iterators it[0 .. from). */
static box box_at(const ctx *c, int t, int from, const long *it)
{
    long lo[NEST_NDIMS] = {0}, hi[NEST_NDIMS];
    long ext[NEST_NDIMS] = {1, 1, 1, 1, 1, 1, 1};
    for (int i = 0; i < c->m->n_loops; i++) {
        const nest_loop *l = &c->m->loop[i];
        if (i < from)
            lo[l->dim] += it[i] * c->stride[i];
        else
            ext[l->dim] *= l->bound;
    }
    for (int d = 0; d < NEST_NDIMS; d++)
        hi[d] = lo[d] + ext[d] - 1;
    box b;
    for (int k = 0; k < 4; k++)
        if (coord_dim[t][k] >= 0) {
            b.lo[k] = lo[coord_dim[t][k]];
            b.hi[k] = hi[coord_dim[t][k]];
        }
    if (t == NEST_I) {
        const nest_shape *s = c->s;
        b.lo[0] = lo[NEST_P] * s->wstride + lo[NEST_R] * s->wdilation;
        b.hi[0] = hi[NEST_P] * s->wstride + hi[NEST_R] * s->wdilation;
        b.lo[1] = lo[NEST_Q] * s->hstride + lo[NEST_S] * s->hdilation;
        b.hi[1] = hi[NEST_Q] * s->hstride + hi[NEST_S] * s->hdilation;
    }
    return b;
}

static double box_volume(const box *b)
{
    double v = 1;
    for (int k = 0; k < 4; k++)
        v *= (double)(b->hi[k] - b->lo[k] + 1);
    return v;
}

static int box_has(const box *b, const long *x)
{
    for (int k = 0; k < 4; k++)
        if (x[k] < b->lo[k] || x[k] > b->hi[k])
            return 0;
    return 1;
}

/* Marks the points of now (all of it, or only those outside prev) with
 * the current step; returns how many were not marked yet in this step. */
static double deliver(ctx *c, int t, const box *now, const box *prev)
{
    const long *e = c->extent[t];
    double fresh = 0;
    long x[4];
    for (x[3] = now->lo[3]; x[3] <= now->hi[3]; x[3]++)
        for (x[2] = now->lo[2]; x[2] <= now->hi[2]; x[2]++)
            for (x[1] = now->lo[1]; x[1] <= now->hi[1]; x[1]++)
                for (x[0] = now->lo[0]; x[0] <= now->hi[0]; x[0]++) {
                    if (prev && box_has(prev, x))
                        continue;
                    size_t at = (size_t)(((x[3] * e[2] + x[2]) * e[1] + x[1]) * e[0] + x[0]);
                    if (c->stamp[t][at] != c->step) {
                        c->stamp[t][at] = c->step;
                        fresh++;
                    }
                }
    return fresh;
}

/* Whether loop i takes part in the steps of a transfer into level `to`
 * (n_levels: the compute) for tensor t: every temporal loop above `to`,
 * but for a storage level not the irrelevant loops inside the innermost
 * relevant one (the tile does not move while they run: stationarity);
 * *sweep: that innermost relevant loop, or -1. */
static void stepping_loops(const ctx *c, int t, int to, int *steps, int *sweep)
{
    const nest_map *m = c->m;
    *sweep = -1;
    for (int i = 0; i < c->first[to]; i++)
        if (!m->loop[i].spatial && m->loop[i].bound > 1 && relevant(t, m->loop[i].dim))
            *sweep = i;
    for (int i = 0; i < m->n_loops; i++)
        steps[i] = i < c->first[to] && !m->loop[i].spatial && m->loop[i].bound > 1 &&
                   (to == m->n_levels || i <= *sweep);
}

/* Words of tensor t delivered from one instance of level `from` to the
 * instances of level `to` below it (n_levels: the compute units), as
 * Timeloop counts them: at each step, the union over the receiving
 * instances of what each newly needs (multicast and spatial reduction
 * counted once). A storage level receives its whole tile when its
 * innermost relevant loop starts a sweep and the difference from its last
 * tile while the sweep goes on; a compute unit receives its operand at
 * every step. With from == to: the level's own fills, one instance. */
static double transfers(ctx *c, int t, int from, int to)
{
    const nest_map *m = c->m;
    int steps[NEST_MAX_LOOPS], sweep, fan[NEST_MAX_LOOPS], n_fan = 0;
    stepping_loops(c, t, to, steps, &sweep);
    long n_kids = 1;
    for (int i = c->first[from]; i < c->first[to]; i++)
        if (m->loop[i].spatial) {
            fan[n_fan++] = i;
            n_kids *= m->loop[i].bound;
        }
    box *prev = malloc((size_t)n_kids * sizeof *prev);
    if (!prev)
        return -1;
    long it[NEST_MAX_LOOPS] = {0};
    double total = 0;
    for (int first_step = 1;; first_step = 0) {
        if (++c->step == UINT32_MAX) { /* the stamps would wrap: start them over */
            for (int u = 0; u < NEST_NSPACES; u++)
                memset(c->stamp[u], 0, c->stamp_words[u] * sizeof *c->stamp[u]);
            c->step = 1;
        }
        int restart = first_step || (sweep >= 0 && it[sweep] == 0) || to == m->n_levels;
        for (long k = 0; k < n_kids; k++) {
            for (long f = 0, rest = k; f < n_fan; f++) {
                it[fan[f]] = rest % m->loop[fan[f]].bound;
                rest /= m->loop[fan[f]].bound;
            }
            box now = box_at(c, t, c->first[to], it);
            total += deliver(c, t, &now, restart ? NULL : &prev[k]);
            prev[k] = now;
        }
        int i = m->n_loops - 1; /* next step: an odometer over the stepping loops */
        while (i >= 0 && (!steps[i] || ++it[i] == m->loop[i].bound)) {
            if (steps[i])
                it[i] = 0;
            i--;
        }
        if (i < 0)
            break;
    }
    free(prev);
    return total;
}

/* The next level below l that keeps t, or n_levels (the compute). */
static int next_keeper(const nest_map *m, int l, int t)
{
    int k = l + 1;
    while (k < m->n_levels && !m->keeps[k][t])
        k++;
    return k;
}

/* Each dimension's loops multiply to its bound. */
static int check_bounds(const nest_map *m, const nest_shape *s, ax_err *err)
{
    for (int d = 0; d < NEST_NDIMS; d++) {
        long p = 1;
        for (int i = 0; i < m->n_loops && p <= s->bound[d]; i++)
            if (m->loop[i].dim == d)
                p *= m->loop[i].bound; /* both <= 1e6: no overflow before the test */
        if (p > s->bound[d])
            return ax_fail(err, AX_EINPUT, "the loops over %c multiply to more than the layer's %c, %ld", dim_names[d],
                           dim_names[d], s->bound[d]);
        if (p != s->bound[d])
            return ax_fail(err, AX_EINPUT, "the loops over %c multiply to %ld, the layer's %c is %ld", dim_names[d],
                           p, dim_names[d], s->bound[d]);
    }
    return AX_OK;
}

static int setup(ctx *c, const nest_map *m, const nest_shape *s, ax_err *err)
{
    c->m = m;
    c->s = s;
    for (int l = 0, i = 0; l <= m->n_levels; l++) {
        while (i < m->n_loops && m->loop[i].level < l)
            i++;
        c->first[l] = l == m->n_levels ? m->n_loops : i;
    }
    for (int i = 0; i < m->n_loops; i++) {
        c->stride[i] = 1;
        for (int j = i + 1; j < m->n_loops; j++)
            if (m->loop[j].dim == m->loop[i].dim)
                c->stride[i] *= m->loop[j].bound;
    }
    long zero[NEST_MAX_LOOPS] = {0};
    double points = 0;
    for (int t = 0; t < NEST_NSPACES; t++) {
        box all = box_at(c, t, 0, zero);
        for (int k = 0; k < 4; k++)
            c->extent[t][k] = all.hi[k] + 1;
        points += box_volume(&all);
    }
    /* Beyond this the bookkeeping alone would take gigabytes; the work
     * is weighed by check_work. */
    if (points > NEST_MAX_WORDS)
        return ax_fail(err, AX_EINPUT, "the layer's tensors hold %.3g words, more than the %.3g this model counts "
                                       "point by point", points, NEST_MAX_WORDS);

    for (int t = 0; t < NEST_NSPACES; t++) {
        box all = box_at(c, t, 0, zero);
        c->stamp_words[t] = (size_t)box_volume(&all);
        c->stamp[t] = calloc(c->stamp_words[t], sizeof *c->stamp[t]);
        if (!c->stamp[t])
            return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    return AX_OK;
}

/* Distinct words of t one instance of level l holds over the whole layer:
 * every loop but the spatial ones above l. */
static double partition(const ctx *c, int t, int l)
{
    nest_map inner = *c->m;
    for (int i = 0; i < c->first[l]; i++)
        if (inner.loop[i].spatial)
            inner.loop[i].bound = 1;
    ctx c2 = *c;
    c2.m = &inner;
    long zero[NEST_MAX_LOOPS] = {0};
    box b = box_at(&c2, t, 0, zero);
    return box_volume(&b);
}

/* The work of a transfer into level `to`: its steps, times the receiving
 * instances, times their tile (every word of it is looked at each step)
 * and the loops (to place it). */
static double transfer_cost(const ctx *c, int t, int from, int to, double *kids)
{
    const nest_map *m = c->m;
    int steps[NEST_MAX_LOOPS], sweep;
    stepping_loops(c, t, to, steps, &sweep);
    double n = 1;
    *kids = 1;
    for (int i = 0; i < m->n_loops; i++) {
        if (steps[i])
            n *= (double)m->loop[i].bound;
        if (m->loop[i].spatial && i >= c->first[from] && i < c->first[to])
            *kids *= (double)m->loop[i].bound;
    }
    long zero[NEST_MAX_LOOPS] = {0};
    box tile = box_at(c, t, c->first[to], zero);
    return n * *kids * (box_volume(&tile) + m->n_loops); /* box_at walks the loops for each */
}

/* The work the count will do, refused above NEST_MAX_VISITS or with too
 * many instances below one level to track. */
static int check_work(const ctx *c, ax_err *err)
{
    const nest_map *m = c->m;
    double visits = 0, kids, most_kids = 0;
    for (int l = 0; l < m->n_levels; l++)
        for (int t = 0; t < NEST_NSPACES; t++)
            if (m->keeps[l][t]) {
                int below = next_keeper(m, l, t);
                visits += transfer_cost(c, t, l, below, &kids);
                most_kids = kids > most_kids ? kids : most_kids;
                if (l > 0)
                    visits += transfer_cost(c, t, l, l, &kids);
            }
    if (most_kids > NEST_MAX_FANOUT)
        return ax_fail(err, AX_EINPUT, "%.3g instances below one level, more than the %d this model tracks",
                       most_kids, NEST_MAX_FANOUT);
    if (visits > NEST_MAX_VISITS)
        return ax_fail(err, AX_EINPUT, "counting this mapping would visit %.3g words, more than the %.3g this "
                                       "model takes on", visits, NEST_MAX_VISITS);
    return AX_OK;
}

static int count_level(ctx *c, int l, int t, nest_access *a, ax_err *err)
{
    const nest_map *m = c->m;
    long zero[NEST_MAX_LOOPS] = {0};
    box tile = box_at(c, t, c->first[l], zero);
    a->tile = box_volume(&tile);
    if (m->stated_tile[l][t] >= 0 && (double)m->stated_tile[l][t] != a->tile)
        return ax_fail(err, AX_EINPUT, "level %s: its loops give a %s tile of %.0f words, its line says %ld",
                       m->name[l], space_names[t], a->tile, m->stated_tile[l][t]);
    int below = next_keeper(m, l, t);
    double entries = l == 0 ? 0 : transfers(c, t, l, l), down = transfers(c, t, l, below);
    if (entries < 0 || down < 0)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    if (t != NEST_O) {
        a->fills = entries;
        a->reads = down;
        return AX_OK;
    }
    /* Outputs: what comes up from below are updates; the first update of
     * each word (once per word an instance ever holds) finds no partial
     * sum, so it neither reads one here nor is filled from above. */
    double first = partition(c, t, l);
    a->updates = down;
    a->reads = down - first;
    a->reductions = a->reads;
    a->fills = l == 0 ? 0 : entries - first;
    return AX_OK;
}

int nest_count(const nest_map *m, const nest_shape *s, nest_stats *st, ax_err *err)
{
    memset(st, 0, sizeof *st);
    int rc = check_bounds(m, s, err);
    ctx c = {0};
    if (rc == AX_OK)
        rc = setup(&c, m, s, err);
    if (rc == AX_OK)
        rc = check_work(&c, err);
    if (rc == AX_OK) {
        st->computes = st->cycles = st->compute_instances = 1;
        for (int i = 0; i < m->n_loops; i++) {
            st->computes *= (double)m->loop[i].bound;
            if (m->loop[i].spatial)
                st->compute_instances *= (double)m->loop[i].bound;
            else
                st->cycles *= (double)m->loop[i].bound;
        }
        for (int l = 0; l < m->n_levels; l++) {
            st->instances[l] = 1;
            for (int i = 0; i < c.first[l]; i++)
                if (m->loop[i].spatial)
                    st->instances[l] *= (double)m->loop[i].bound;
        }
    }
    for (int l = 0; rc == AX_OK && l < m->n_levels; l++)
        for (int t = 0; rc == AX_OK && t < NEST_NSPACES; t++)
            if (m->keeps[l][t])
                rc = count_level(&c, l, t, &st->acc[l][t], err);
    for (int t = 0; t < NEST_NSPACES; t++)
        free(c.stamp[t]);
    return rc;
}

void nest_print(FILE *out, const nest_map *m, const nest_stats *st)
{
    fprintf(out, "computes %.0f  cycles %.0f  compute instances %.0f\n", st->computes, st->cycles,
            st->compute_instances);
    fprintf(out, "%-16s %-8s %9s %10s %12s %12s %12s %12s  (per instance)\n", "level", "tensor", "instances",
            "tile", "reads", "fills", "updates", "reductions");
    for (int l = m->n_levels - 1; l >= 0; l--)
        for (int t = 0; t < NEST_NSPACES; t++)
            if (m->keeps[l][t]) {
                const nest_access *a = &st->acc[l][t];
                fprintf(out, "%-16s %-8s %9.0f %10.0f %12.0f %12.0f %12.0f %12.0f\n", m->name[l], space_names[t],
                        st->instances[l], a->tile, a->reads, a->fills, a->updates, a->reductions);
            }
}

void nest_map_write(FILE *out, const nest_map *m)
{
    int i = 0, depth = 0;
    for (int l = 0; l < m->n_levels; l++) {
        fprintf(out, "%s [", m->name[l]);
        for (int t = 0; t < NEST_NSPACES; t++)
            if (m->keeps[l][t])
                fprintf(out, " %s", space_names[t]);
        fprintf(out, " ]\n");
        for (; i < m->n_loops && m->loop[i].level == l; i++, depth++)
            fprintf(out, "|%*sfor %c in [0:%ld)%s\n", 1 + 2 * depth, "", dim_names[m->loop[i].dim],
                    m->loop[i].bound, m->loop[i].spatial == 1 ? " (Spatial-X)" : m->loop[i].spatial == 2 ? " (Spatial-Y)" : "");
    }
    fprintf(out, "|%*s<< Compute >>\n", 1 + 2 * depth, "");
}

void nest_shape_format(const nest_shape *s, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int d = 0; d < NEST_NDIMS && o < len; d++)
        o += (size_t)snprintf(buf + o, len - o, "%s%c=%ld", d ? "," : "", dim_names[d], s->bound[d]);
    const long v[4] = {s->wstride, s->hstride, s->wdilation, s->hdilation};
    static const char *const n[4] = {"Wstride", "Hstride", "Wdilation", "Hdilation"};
    for (int k = 0; k < 4 && o < len; k++)
        if (v[k] != 1)
            o += (size_t)snprintf(buf + o, len - o, ",%s=%ld", n[k], v[k]);
}
