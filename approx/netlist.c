/* netlist: see netlist.h.
 *
 * Representation: every cell output is a node (an HA or FA cell has two);
 * nodes are created after their inputs, so creation order is a topological
 * order and simulation is one pass. Each node knows its cell, and each cell
 * its kind; area and leakage are per cell, delay and energy per node. */
#include "approx/netlist.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    OP_CONST0,
    OP_CONST1,
    OP_INPUT,
    OP_INV,
    OP_AND2,
    OP_OR2,
    OP_NAND2,
    OP_NOR2,
    OP_XOR2,
    OP_XNOR2,
    OP_MUX2, /* in[0] = sel, in[1] = d0, in[2] = d1 */
    OP_XOR3,
    OP_MAJ3
};

static const int op_arity[] = {0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3};

typedef struct node {
    uint8_t op;
    uint8_t pin;  /* output pin of its cell */
    int32_t cell; /* -1 for constants and inputs */
    int32_t in[3];
} node;

typedef struct cell {
    uint8_t kind;
    int32_t out[2]; /* node ids, -1 if absent */
} cell;

struct nl_netlist {
    int n_in, n_out;
    node *nodes;
    size_t n_nodes, cap_nodes;
    cell *cells;
    size_t n_cells, cap_cells;
    nl_sig *outputs;
    int32_t *htab; /* structural hashing: node ids, -1 empty */
    size_t hcap, hcount;
    int oom;
    int finalized;
    /* After finalize (indexed by node id of the compacted netlist). */
    int *ticks;      /* delay in simulation ticks, gates only */
    double *energy;  /* fJ per output transition */
    int32_t *lo, *hi; /* ticks at which the output may change */
    int t_end;       /* last tick at which anything may change */
    nl_stats stats;
};

nl_netlist *nl_create(int n_inputs, int n_outputs)
{
    if (n_inputs < 1 || n_inputs > NL_MAX_IO || n_outputs < 1 || n_outputs > NL_MAX_IO)
        return NULL;
    nl_netlist *nl = calloc(1, sizeof *nl);
    if (!nl)
        return NULL;
    nl->n_in = n_inputs;
    nl->n_out = n_outputs;
    nl->cap_nodes = 256;
    nl->nodes = malloc(nl->cap_nodes * sizeof *nl->nodes);
    nl->cap_cells = 128;
    nl->cells = malloc(nl->cap_cells * sizeof *nl->cells);
    nl->outputs = malloc((size_t)n_outputs * sizeof *nl->outputs);
    nl->hcap = 1024;
    nl->htab = malloc(nl->hcap * sizeof *nl->htab);
    if (!nl->nodes || !nl->cells || !nl->outputs || !nl->htab) {
        nl_free(nl);
        return NULL;
    }
    memset(nl->htab, 0xff, nl->hcap * sizeof *nl->htab);
    for (int i = 0; i < n_outputs; i++)
        nl->outputs[i] = -1;
    /* Constants and inputs. */
    for (int i = 0; i < 2 + n_inputs; i++) {
        node *n = &nl->nodes[nl->n_nodes++];
        n->op = i == 0 ? OP_CONST0 : i == 1 ? OP_CONST1 : OP_INPUT;
        n->pin = 0;
        n->cell = -1;
        n->in[0] = n->in[1] = n->in[2] = -1;
    }
    return nl;
}

void nl_free(nl_netlist *nl)
{
    if (!nl)
        return;
    free(nl->nodes);
    free(nl->cells);
    free(nl->outputs);
    free(nl->htab);
    free(nl->ticks);
    free(nl->energy);
    free(nl->lo);
    free(nl->hi);
    free(nl);
}

int nl_n_inputs(const nl_netlist *nl) { return nl->n_in; }
int nl_n_outputs(const nl_netlist *nl) { return nl->n_out; }

nl_sig nl_input(const nl_netlist *nl, int i)
{
    if (i < 0 || i >= nl->n_in)
        return NL_ZERO;
    return (nl_sig)(2 + i);
}

static int valid(const nl_netlist *nl, nl_sig s)
{
    return s >= 0 && (size_t)s < nl->n_nodes;
}

/* ---- structural hashing ---- */

static uint64_t key_hash(int op, int kind, const int32_t in[3])
{
    uint64_t h = (uint64_t)op * 0x9E3779B97F4A7C15ULL ^ (uint64_t)kind * 0xC2B2AE3D27D4EB4FULL;
    for (int j = 0; j < 3; j++) {
        h ^= (uint64_t)(uint32_t)in[j] + 0x165667B19E3779F9ULL + (h << 6) + (h >> 2);
        h *= 0xFF51AFD7ED558CCDULL;
    }
    return h ^ (h >> 29);
}

static int node_kind(const nl_netlist *nl, const node *n)
{
    return n->cell < 0 ? -1 : nl->cells[n->cell].kind;
}

static int32_t hash_find(const nl_netlist *nl, int op, int kind, const int32_t in[3])
{
    size_t mask = nl->hcap - 1;
    for (size_t i = key_hash(op, kind, in) & mask;; i = (i + 1) & mask) {
        int32_t id = nl->htab[i];
        if (id < 0)
            return -1;
        const node *n = &nl->nodes[id];
        if (n->op == op && node_kind(nl, n) == kind && n->in[0] == in[0] && n->in[1] == in[1] &&
            n->in[2] == in[2])
            return id;
    }
}

static void hash_insert(nl_netlist *nl, int32_t id)
{
    if (2 * (nl->hcount + 1) > nl->hcap) {
        size_t ncap = nl->hcap * 2;
        int32_t *t = malloc(ncap * sizeof *t);
        if (!t) {
            nl->oom = 1;
            return;
        }
        memset(t, 0xff, ncap * sizeof *t);
        int32_t *old = nl->htab;
        size_t ocap = nl->hcap;
        nl->htab = t;
        nl->hcap = ncap;
        nl->hcount = 0;
        for (size_t i = 0; i < ocap; i++)
            if (old[i] >= 0)
                hash_insert(nl, old[i]);
        free(old);
    }
    const node *n = &nl->nodes[id];
    size_t mask = nl->hcap - 1;
    size_t i = key_hash(n->op, node_kind(nl, n), n->in) & mask;
    while (nl->htab[i] >= 0)
        i = (i + 1) & mask;
    nl->htab[i] = id;
    nl->hcount++;
}

/* Creates a cell of the given kind with n_out output nodes; returns the id
 * of the first node (the others follow), or -1 on allocation failure. */
static int32_t new_cell(nl_netlist *nl, int kind, int n_out, const int ops[2], const int32_t in[3])
{
    if (nl->finalized || nl->oom)
        return -1;
    if (nl->n_nodes + 2 > nl->cap_nodes) {
        size_t ncap = nl->cap_nodes * 2;
        node *t = realloc(nl->nodes, ncap * sizeof *t);
        if (!t) {
            nl->oom = 1;
            return -1;
        }
        nl->nodes = t;
        nl->cap_nodes = ncap;
    }
    if (nl->n_cells + 1 > nl->cap_cells) {
        size_t ncap = nl->cap_cells * 2;
        cell *t = realloc(nl->cells, ncap * sizeof *t);
        if (!t) {
            nl->oom = 1;
            return -1;
        }
        nl->cells = t;
        nl->cap_cells = ncap;
    }
    int32_t c = (int32_t)nl->n_cells++;
    nl->cells[c].kind = (uint8_t)kind;
    nl->cells[c].out[0] = nl->cells[c].out[1] = -1;
    int32_t first = (int32_t)nl->n_nodes;
    for (int k = 0; k < n_out; k++) {
        int32_t id = (int32_t)nl->n_nodes++;
        node *n = &nl->nodes[id];
        n->op = (uint8_t)ops[k];
        n->pin = (uint8_t)k;
        n->cell = c;
        memcpy(n->in, in, sizeof n->in);
        nl->cells[c].out[k] = id;
    }
    hash_insert(nl, first);
    return first;
}

static void sort2(int32_t *a, int32_t *b)
{
    if (*a > *b) {
        int32_t t = *a;
        *a = *b;
        *b = t;
    }
}

static void sort3(int32_t in[3])
{
    sort2(&in[0], &in[1]);
    sort2(&in[1], &in[2]);
    sort2(&in[0], &in[1]);
}

static nl_sig gate(nl_netlist *nl, int op, int kind, nl_sig a, nl_sig b, nl_sig c)
{
    int32_t in[3] = {a, b, c};
    if (op_arity[op] == 2)
        sort2(&in[0], &in[1]);
    else if (op == OP_XOR3 || op == OP_MAJ3)
        sort3(in);
    int32_t id = hash_find(nl, op, kind, in);
    if (id >= 0)
        return id;
    int ops[2] = {op, 0};
    id = new_cell(nl, kind, 1, ops, in);
    return id < 0 ? NL_ZERO : id;
}

static int is_inv_of(const nl_netlist *nl, nl_sig a, nl_sig b)
{
    return (nl->nodes[a].op == OP_INV && nl->nodes[a].in[0] == b) ||
           (nl->nodes[b].op == OP_INV && nl->nodes[b].in[0] == a);
}

static int bad_args(nl_netlist *nl, nl_sig a, nl_sig b, nl_sig c)
{
    if (!valid(nl, a) || !valid(nl, b) || !valid(nl, c)) {
        nl->oom = 1; /* reported by nl_finalize as a failed build */
        return 1;
    }
    return 0;
}

nl_sig nl_inv(nl_netlist *nl, nl_sig a)
{
    if (bad_args(nl, a, 0, 0))
        return NL_ZERO;
    if (a == NL_ZERO)
        return NL_ONE;
    if (a == NL_ONE)
        return NL_ZERO;
    if (nl->nodes[a].op == OP_INV)
        return nl->nodes[a].in[0];
    return gate(nl, OP_INV, C45_INV, a, -1, -1);
}

/* AND/OR folding shared by the inverting forms: returns 1 and *r when the
 * result is a constant or an existing signal. */
static int fold_and(const nl_netlist *nl, nl_sig a, nl_sig b, nl_sig *r)
{
    if (a == NL_ZERO || b == NL_ZERO || is_inv_of(nl, a, b))
        *r = NL_ZERO;
    else if (a == NL_ONE)
        *r = b;
    else if (b == NL_ONE || a == b)
        *r = a;
    else
        return 0;
    return 1;
}

static int fold_or(const nl_netlist *nl, nl_sig a, nl_sig b, nl_sig *r)
{
    if (a == NL_ONE || b == NL_ONE || is_inv_of(nl, a, b))
        *r = NL_ONE;
    else if (a == NL_ZERO)
        *r = b;
    else if (b == NL_ZERO || a == b)
        *r = a;
    else
        return 0;
    return 1;
}

/* XOR folding: *r is the result when not inverted by *inv. */
static int fold_xor(const nl_netlist *nl, nl_sig a, nl_sig b, nl_sig *r, int *inv)
{
    *inv = 0;
    if (a == b) {
        *r = NL_ZERO;
    } else if (is_inv_of(nl, a, b)) {
        *r = NL_ONE;
    } else if (a == NL_ZERO || a == NL_ONE) {
        *r = b;
        *inv = a == NL_ONE;
    } else if (b == NL_ZERO || b == NL_ONE) {
        *r = a;
        *inv = b == NL_ONE;
    } else {
        return 0;
    }
    return 1;
}

nl_sig nl_and2(nl_netlist *nl, nl_sig a, nl_sig b)
{
    nl_sig r;
    if (bad_args(nl, a, b, 0))
        return NL_ZERO;
    if (fold_and(nl, a, b, &r))
        return r;
    return gate(nl, OP_AND2, C45_AND2, a, b, -1);
}

nl_sig nl_or2(nl_netlist *nl, nl_sig a, nl_sig b)
{
    nl_sig r;
    if (bad_args(nl, a, b, 0))
        return NL_ZERO;
    if (fold_or(nl, a, b, &r))
        return r;
    return gate(nl, OP_OR2, C45_OR2, a, b, -1);
}

nl_sig nl_nand2(nl_netlist *nl, nl_sig a, nl_sig b)
{
    nl_sig r;
    if (bad_args(nl, a, b, 0))
        return NL_ZERO;
    if (fold_and(nl, a, b, &r))
        return nl_inv(nl, r);
    return gate(nl, OP_NAND2, C45_NAND2, a, b, -1);
}

nl_sig nl_nor2(nl_netlist *nl, nl_sig a, nl_sig b)
{
    nl_sig r;
    if (bad_args(nl, a, b, 0))
        return NL_ZERO;
    if (fold_or(nl, a, b, &r))
        return nl_inv(nl, r);
    return gate(nl, OP_NOR2, C45_NOR2, a, b, -1);
}

nl_sig nl_xor2(nl_netlist *nl, nl_sig a, nl_sig b)
{
    nl_sig r;
    int inv;
    if (bad_args(nl, a, b, 0))
        return NL_ZERO;
    if (fold_xor(nl, a, b, &r, &inv))
        return inv ? nl_inv(nl, r) : r;
    return gate(nl, OP_XOR2, C45_XOR2, a, b, -1);
}

nl_sig nl_xnor2(nl_netlist *nl, nl_sig a, nl_sig b)
{
    nl_sig r;
    int inv;
    if (bad_args(nl, a, b, 0))
        return NL_ZERO;
    if (fold_xor(nl, a, b, &r, &inv))
        return inv ? r : nl_inv(nl, r);
    return gate(nl, OP_XNOR2, C45_XNOR2, a, b, -1);
}

nl_sig nl_mux2(nl_netlist *nl, nl_sig sel, nl_sig d0, nl_sig d1)
{
    if (bad_args(nl, sel, d0, d1))
        return NL_ZERO;
    if (sel == NL_ZERO || d0 == d1)
        return d0;
    if (sel == NL_ONE)
        return d1;
    if (d0 == NL_ZERO && d1 == NL_ONE)
        return sel;
    if (d0 == NL_ONE && d1 == NL_ZERO)
        return nl_inv(nl, sel);
    if (d0 == NL_ZERO)
        return nl_and2(nl, sel, d1);
    if (d1 == NL_ONE)
        return nl_or2(nl, sel, d0);
    if (d1 == NL_ZERO)
        return nl_and2(nl, nl_inv(nl, sel), d0);
    if (d0 == NL_ONE)
        return nl_or2(nl, nl_inv(nl, sel), d1);
    int32_t in[3] = {sel, d0, d1};
    int32_t id = hash_find(nl, OP_MUX2, C45_MUX2, in);
    if (id >= 0)
        return id;
    int ops[2] = {OP_MUX2, 0};
    id = new_cell(nl, C45_MUX2, 1, ops, in);
    return id < 0 ? NL_ZERO : id;
}

void nl_ha(nl_netlist *nl, nl_sig a, nl_sig b, nl_sig *sum, nl_sig *carry)
{
    *sum = *carry = NL_ZERO;
    if (bad_args(nl, a, b, 0))
        return;
    if (a == NL_ZERO || b == NL_ZERO || a == NL_ONE || b == NL_ONE || a == b ||
        is_inv_of(nl, a, b)) {
        *sum = nl_xor2(nl, a, b);
        *carry = nl_and2(nl, a, b);
        return;
    }
    int32_t in[3] = {a, b, -1};
    sort2(&in[0], &in[1]);
    int32_t id = hash_find(nl, OP_XOR2, C45_HA, in);
    if (id < 0) {
        int ops[2] = {OP_XOR2, OP_AND2};
        id = new_cell(nl, C45_HA, 2, ops, in);
        if (id < 0)
            return;
    }
    *sum = id;
    *carry = id + 1;
}

void nl_fa(nl_netlist *nl, nl_sig a, nl_sig b, nl_sig c, nl_sig *sum, nl_sig *carry)
{
    *sum = *carry = NL_ZERO;
    if (bad_args(nl, a, b, c))
        return;
    int32_t in[3] = {a, b, c};
    sort3(in); /* constants (0, 1) come first */
    if (in[0] == NL_ZERO) {
        nl_ha(nl, in[1], in[2], sum, carry);
        return;
    }
    if (in[0] == NL_ONE) {
        *sum = nl_xnor2(nl, in[1], in[2]);
        *carry = nl_or2(nl, in[1], in[2]);
        return;
    }
    for (int i = 0; i < 3; i++) {
        nl_sig x = in[i], y = in[(i + 1) % 3], z = in[(i + 2) % 3];
        if (x == y) { /* x + x + z = 2x + z */
            *sum = z;
            *carry = x;
            return;
        }
        if (is_inv_of(nl, x, y)) { /* x + !x + z = 1 + z */
            *sum = nl_inv(nl, z);
            *carry = z;
            return;
        }
    }
    int32_t id = hash_find(nl, OP_XOR3, C45_FA, in);
    if (id < 0) {
        int ops[2] = {OP_XOR3, OP_MAJ3};
        id = new_cell(nl, C45_FA, 2, ops, in);
        if (id < 0)
            return;
    }
    *sum = id;
    *carry = id + 1;
}

void nl_set_output(nl_netlist *nl, int i, nl_sig s)
{
    if (i < 0 || i >= nl->n_out || !valid(nl, s) || nl->finalized) {
        nl->oom = 1;
        return;
    }
    nl->outputs[i] = s;
}

/* ---- finalize ---- */

/* live[i] = 1 for the constants, the inputs, the outputs and every node
 * they are computed from. */
static void mark_live(const nl_netlist *nl, char *live, size_t base)
{
    for (size_t i = 0; i < base; i++)
        live[i] = 1;
    for (int i = 0; i < nl->n_out; i++)
        live[nl->outputs[i]] = 1;
    for (size_t i = nl->n_nodes; i-- > base;)
        if (live[i])
            for (int j = 0; j < op_arity[nl->nodes[i].op]; j++)
                live[nl->nodes[i].in[j]] = 1;
}

/* Half-used adders become smaller cells. */
static void shrink_half_used(nl_netlist *nl, const char *live)
{
    for (size_t c = 0; c < nl->n_cells; c++) {
        cell *ce = &nl->cells[c];
        if (ce->kind != C45_HA && ce->kind != C45_FA)
            continue;
        int s = live[ce->out[0]], k = live[ce->out[1]];
        if (s && !k) {
            ce->kind = ce->kind == C45_HA ? C45_XOR2 : C45_XOR3;
        } else if (!s && k && ce->kind == C45_HA) {
            ce->kind = C45_AND2;
            nl->nodes[ce->out[1]].pin = 0;
        }
    }
}

/* Compacts the live nodes, keeping their (topological) order; remap[nn]
 * is scratch. */
static void compact(nl_netlist *nl, const char *live, int32_t *remap)
{
    size_t m = 0;
    for (size_t i = 0; i < nl->n_nodes; i++) {
        if (!live[i]) {
            remap[i] = -1;
            continue;
        }
        node n = nl->nodes[i];
        for (int j = 0; j < op_arity[n.op]; j++)
            n.in[j] = remap[n.in[j]];
        remap[i] = (int32_t)m;
        nl->nodes[m++] = n;
    }
    for (int i = 0; i < nl->n_out; i++)
        nl->outputs[i] = remap[nl->outputs[i]];
    nl->n_nodes = m;
}

/* Drops the nodes nothing needs and shrinks half-used adders. */
static int prune(nl_netlist *nl, ax_err *err)
{
    size_t nn = nl->n_nodes;
    char *live = calloc(nn, 1);
    int32_t *remap = malloc(nn * sizeof *remap);
    if (!live || !remap) {
        free(live);
        free(remap);
        return ax_fail(err, AX_EINTERNAL, "netlist: out of memory");
    }
    mark_live(nl, live, (size_t)nl->n_in + 2);
    shrink_half_used(nl, live);
    compact(nl, live, remap);
    free(live);
    free(remap);
    return AX_OK;
}

/* Loads (fF) and fanouts of every node: one input pin per cell and input
 * net (an FA's two output nodes share the cell's input pins), plus the
 * primary outputs; and the area and leakage statistics. */
static void add_loads(nl_netlist *nl, size_t base, double *load, int *fanout)
{
    memset(&nl->stats, 0, sizeof nl->stats);
    for (size_t i = base; i < nl->n_nodes; i++) {
        const node *n = &nl->nodes[i];
        const cell45_cell *cc = cell45_get((cell45_kind)nl->cells[n->cell].kind);
        /* A cell's output nodes are adjacent: count its pins once. */
        if (i > base && nl->nodes[i - 1].cell == n->cell)
            continue;
        for (int j = 0; j < op_arity[n->op]; j++) {
            load[n->in[j]] += cc->cin_ff;
            fanout[n->in[j]]++;
        }
        nl->stats.cells += nl->cells[n->cell].kind == C45_XOR3 ? 2 : 1;
        nl->stats.cells_of[nl->cells[n->cell].kind]++;
        nl->stats.area_um2 += cc->area_um2;
        nl->stats.leakage_nw += cc->leak_nw;
    }
    for (int i = 0; i < nl->n_out; i++) {
        load[nl->outputs[i]] += CELL45_PO_LOAD_FF;
        fanout[nl->outputs[i]]++;
    }
}

/* Node i's delay in ticks, switching energy, and window [lo, hi] of ticks
 * at which it may toggle; arrival[i] in ps. Returns hi (or INT_MIN for a
 * constant). */
static int32_t time_node(nl_netlist *nl, size_t i, const double *load, const int *fanout, double *arrival)
{
    const node *n = &nl->nodes[i];
    if (n->op == OP_CONST0 || n->op == OP_CONST1) {
        nl->lo[i] = INT_MAX;
        return nl->hi[i] = INT_MIN;
    }
    if (n->op == OP_INPUT)
        return nl->lo[i] = nl->hi[i] = 1;
    const cell45_cell *cc = cell45_get((cell45_kind)nl->cells[n->cell].kind);
    const cell45_pin *pin = &cc->out[n->pin];
    double c_load = load[i] + cell45_wire_ff(fanout[i]);
    double d = pin->d0_ps + pin->r_ps_per_ff * c_load;
    nl->energy[i] = pin->e_int_fj + 0.5 * c_load * CELL45_VDD * CELL45_VDD;
    int t = (int)lround(d / CELL45_TICK_PS);
    nl->ticks[i] = t < 1 ? 1 : t;
    int32_t lo = INT_MAX, hi = INT_MIN;
    double arr = 0;
    for (int j = 0; j < op_arity[n->op]; j++) {
        int32_t in = n->in[j];
        if (nl->lo[in] < lo)
            lo = nl->lo[in];
        if (nl->hi[in] > hi)
            hi = nl->hi[in];
        if (arrival[in] > arr)
            arr = arrival[in];
    }
    arrival[i] = arr + d;
    if (lo > hi) { /* cannot happen after folding; keep it harmless */
        nl->lo[i] = INT_MAX;
        return nl->hi[i] = INT_MIN;
    }
    nl->lo[i] = lo + nl->ticks[i];
    return nl->hi[i] = hi + nl->ticks[i];
}

/* Delays, energies and toggle windows of every node, the last tick and
 * the critical path. */
static int time_nodes(nl_netlist *nl, ax_err *err)
{
    size_t m = nl->n_nodes;
    nl->ticks = calloc(m, sizeof *nl->ticks);
    nl->energy = calloc(m, sizeof *nl->energy);
    nl->lo = malloc(m * sizeof *nl->lo);
    nl->hi = malloc(m * sizeof *nl->hi);
    double *load = calloc(m, sizeof *load);
    int *fanout = calloc(m, sizeof *fanout);
    double *arrival = calloc(m, sizeof *arrival);
    if (!nl->ticks || !nl->energy || !nl->lo || !nl->hi || !load || !fanout || !arrival) {
        free(load);
        free(fanout);
        free(arrival);
        nl->oom = 1;
        return ax_fail(err, AX_EINTERNAL, "netlist: out of memory");
    }
    add_loads(nl, (size_t)nl->n_in + 2, load, fanout);
    int t_end = 1;
    for (size_t i = 0; i < m; i++) {
        int32_t hi = time_node(nl, i, load, fanout, arrival);
        if (hi > t_end)
            t_end = hi;
    }
    for (int i = 0; i < nl->n_out; i++)
        if (arrival[nl->outputs[i]] > nl->stats.delay_ps)
            nl->stats.delay_ps = arrival[nl->outputs[i]];
    nl->t_end = t_end;
    free(load);
    free(fanout);
    free(arrival);
    return AX_OK;
}

int nl_finalize(nl_netlist *nl, ax_err *err)
{
    if (nl->finalized)
        return AX_OK;
    if (nl->oom)
        return ax_fail(err, AX_EINTERNAL, "netlist: out of memory or bad signal while building");
    for (int i = 0; i < nl->n_out; i++)
        if (nl->outputs[i] < 0)
            return ax_fail(err, AX_EINPUT, "netlist: output %d was never set", i);
    int rc = prune(nl, err);
    if (rc != AX_OK)
        return rc;
    free(nl->htab); /* no more building */
    nl->htab = NULL;
    rc = time_nodes(nl, err);
    if (rc == AX_OK)
        nl->finalized = 1;
    return rc;
}

void nl_get_stats(const nl_netlist *nl, nl_stats *st)
{
    *st = nl->stats;
}

/* ---- zero-delay simulation ---- */

size_t nl_eval_scratch(const nl_netlist *nl)
{
    return nl->n_nodes;
}

static inline uint64_t apply(int op, uint64_t a, uint64_t b, uint64_t c)
{
    switch (op) {
    case OP_INV: return ~a;
    case OP_AND2: return a & b;
    case OP_OR2: return a | b;
    case OP_NAND2: return ~(a & b);
    case OP_NOR2: return ~(a | b);
    case OP_XOR2: return a ^ b;
    case OP_XNOR2: return ~(a ^ b);
    case OP_MUX2: return (a & c) | (~a & b);
    case OP_XOR3: return a ^ b ^ c;
    case OP_MAJ3: return (a & b) | (c & (a | b));
    default: return 0;
    }
}

void nl_eval64(const nl_netlist *nl, const uint64_t *in, uint64_t *out, uint64_t *v)
{
    size_t base = (size_t)nl->n_in + 2;
    v[0] = 0;
    v[1] = ~(uint64_t)0;
    for (int i = 0; i < nl->n_in; i++)
        v[2 + i] = in[i];
    for (size_t i = base; i < nl->n_nodes; i++) {
        const node *n = &nl->nodes[i];
        uint64_t a = v[n->in[0]];
        uint64_t b = n->in[1] >= 0 ? v[n->in[1]] : 0;
        uint64_t c = n->in[2] >= 0 ? v[n->in[2]] : 0;
        v[i] = apply(n->op, a, b, c);
    }
    for (int i = 0; i < nl->n_out; i++)
        out[i] = v[nl->outputs[i]];
}

/* ---- timed simulation ---- */

int nl_simulate_switching(const nl_netlist *nl, const uint64_t *in, size_t n_words,
                          nl_switching *res, ax_err *err)
{
    memset(res, 0, sizeof *res);
    if (!nl->finalized)
        return ax_fail(err, AX_EINTERNAL, "netlist: simulate before finalize");
    if (n_words == 0)
        return ax_fail(err, AX_EINPUT, "netlist: empty input stream");
    size_t m = nl->n_nodes, base = (size_t)nl->n_in + 2;
    size_t len = (size_t)nl->t_end + 1; /* ticks 0..t_end */
    uint64_t *w = malloc(m * len * sizeof *w);
    uint64_t *cv = malloc(len * sizeof *cv);
    uint64_t *tog = calloc(m, sizeof *tog);
    uint64_t *ftog = calloc(m, sizeof *ftog);
    if (!w || !cv || !tog || !ftog) {
        free(w);
        free(cv);
        free(tog);
        free(ftog);
        return ax_fail(err, AX_EINTERNAL, "netlist: out of memory for switching simulation");
    }
    for (size_t t = 0; t < len; t++) {
        w[0 * len + t] = 0;
        w[1 * len + t] = ~(uint64_t)0;
    }
    for (size_t g = 0; g < n_words; g++) {
        const uint64_t *now = in + g * (size_t)nl->n_in;
        const uint64_t *prev = in + ((g + n_words - 1) % n_words) * (size_t)nl->n_in;
        /* Lane l switches from vector l-1 to vector l; inputs settle at tick 1. */
        for (int i = 0; i < nl->n_in; i++) {
            uint64_t *wi = w + (size_t)(2 + i) * len;
            wi[0] = (now[i] << 1) | (prev[i] >> 63);
            for (size_t t = 1; t < len; t++)
                wi[t] = now[i];
        }
        for (size_t i = base; i < m; i++) {
            const node *n = &nl->nodes[i];
            uint64_t *o = w + i * len;
            const uint64_t *ia = w + (size_t)n->in[0] * len;
            const uint64_t *ib = n->in[1] >= 0 ? w + (size_t)n->in[1] * len : w;
            const uint64_t *ic = n->in[2] >= 0 ? w + (size_t)n->in[2] * len : w;
            int d = nl->ticks[i];
            if (nl->lo[i] > nl->hi[i]) {
                uint64_t c0 = apply(n->op, ia[0], ib[0], ic[0]);
                for (size_t t = 0; t < len; t++)
                    o[t] = c0;
                continue;
            }
            size_t clo = (size_t)(nl->lo[i] - d), chi = (size_t)(nl->hi[i] - d);
            /* The cell's input function, constant outside [clo, chi]. */
            cv[0] = apply(n->op, ia[0], ib[0], ic[0]);
            for (size_t t = 1; t < clo; t++)
                cv[t] = cv[0];
            for (size_t t = clo; t <= chi; t++)
                cv[t] = apply(n->op, ia[t], ib[t], ic[t]);
            for (size_t t = chi + 1; t < len; t++)
                cv[t] = cv[chi];
            /* Inertial delay: a value reaches the output d ticks later only
             * if it stayed for d ticks; shorter pulses are swallowed. */
            size_t olo = clo + (size_t)d, ohi = chi + (size_t)d;
            for (size_t t = 0; t < olo; t++)
                o[t] = cv[0];
            uint64_t count = 0;
            for (size_t t = olo; t <= ohi; t++) {
                uint64_t v0 = cv[t - (size_t)d], changed = 0;
                for (size_t k = t - (size_t)d + 1; k < t; k++)
                    changed |= v0 ^ cv[k];
                o[t] = (v0 & ~changed) | (o[t - 1] & changed);
                count += (uint64_t)__builtin_popcountll(o[t] ^ o[t - 1]);
            }
            for (size_t t = ohi + 1; t < len; t++)
                o[t] = o[ohi];
            tog[i] += count;
            ftog[i] += (uint64_t)__builtin_popcountll(o[len - 1] ^ o[0]);
        }
    }
    for (size_t i = base; i < m; i++) {
        res->energy_fj += (double)tog[i] * nl->energy[i];
        res->toggles += (double)tog[i];
        res->func_toggles += (double)ftog[i];
    }
    res->transitions = 64 * n_words;
    free(w);
    free(cv);
    free(tog);
    free(ftog);
    return AX_OK;
}
