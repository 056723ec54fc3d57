#include "fitness/net/onnx_import.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitness/net/fexec.h"
#include "onnx/onnx.pb-c.h"
#include "util/fileio.h"

/* The batch size inside integer constants (Shape of a batched tensor and
 * what Gather/Unsqueeze/Concat make of it). Cannot collide with a real
 * dimension or with Reshape's -1 and 0. */
#define SYM_BATCH INT64_MIN
/* Refuse tensors above 2^36 elements: a corrupted dims field must not make
 * us allocate terabytes. */
#define MAX_NUMEL ((int64_t)1 << 36)
/* Oldest and newest default-domain opsets whose semantics are handled. */
#define OPSET_MIN 1
#define OPSET_MAX 21

/* ---------------------------------------------------------------- tensors */

void onnx_tensor_clear(onnx_tensor *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->f);
    free(t->i);
    memset(t, 0, sizeof *t);
}

static uint64_t load_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int b = bytes - 1; b >= 0; b--)
        v = (v << 8) | p[b];
    return v;
}

/* Converts a TensorProto into an onnx_tensor. ctx names it in messages. */
static int tensor_from_proto(const Onnx__TensorProto *tp, const char *ctx, onnx_tensor *out, ax_err *err)
{
    memset(out, 0, sizeof *out);
    const char *name = tp->name ? tp->name : "";
    if (tp->n_dims > GRAPH_MAX_RANK)
        return ax_fail(err, AX_EINPUT, "%s: tensor '%s' has rank %zu (at most %d supported)", ctx, name,
                       tp->n_dims, GRAPH_MAX_RANK);
    int64_t numel = 1;
    for (size_t d = 0; d < tp->n_dims; d++) {
        if (tp->dims[d] < 0)
            return ax_fail(err, AX_EINPUT, "%s: tensor '%s' has negative dimension %lld", ctx, name,
                           (long long)tp->dims[d]);
        if (tp->dims[d] > 0 && numel > MAX_NUMEL / tp->dims[d])
            return ax_fail(err, AX_EINPUT, "%s: tensor '%s' is too large", ctx, name);
        numel *= tp->dims[d];
        out->dims[d] = tp->dims[d];
    }
    out->rank = (int)tp->n_dims;
    out->numel = numel;
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return ax_fail(err, AX_EINPUT, "%s: tensor '%s' keeps its data in an external file (not supported)",
                       ctx, name);
    if (tp->segment)
        return ax_fail(err, AX_EINPUT, "%s: tensor '%s' is segmented (not supported)", ctx, name);
    int dt = tp->has_data_type ? tp->data_type : 0;
    int size = 0, is_int = 1, is_signed = 1;
    size_t n_field = 0;
    switch (dt) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: size = 4; is_int = 0; n_field = tp->n_float_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: size = 8; is_int = 0; n_field = tp->n_double_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: size = 8; n_field = tp->n_int64_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: size = 4; n_field = tp->n_int32_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: size = 2; n_field = tp->n_int32_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: size = 1; n_field = tp->n_int32_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: size = 1; is_signed = 0; n_field = tp->n_int32_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16: size = 2; is_signed = 0; n_field = tp->n_int32_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32: size = 4; is_signed = 0; n_field = tp->n_uint64_data; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64: size = 8; is_signed = 0; n_field = tp->n_uint64_data; break;
    default:
        return ax_fail(err, AX_EINPUT, "%s: tensor '%s' has element type %d (float, double and integer types are supported)",
                       ctx, name, dt);
    }
    int raw = tp->has_raw_data && tp->raw_data.len > 0;
    if (raw) {
        if ((uint64_t)tp->raw_data.len != (uint64_t)numel * (uint64_t)size)
            return ax_fail(err, AX_EINPUT, "%s: tensor '%s' has %zu bytes of raw data, expected %lld", ctx, name,
                           tp->raw_data.len, (long long)(numel * size));
    } else if ((int64_t)n_field != numel) {
        return ax_fail(err, AX_EINPUT, "%s: tensor '%s' has %zu values, expected %lld", ctx, name, n_field,
                       (long long)numel);
    }
    out->is_int = is_int;
    out->name = strdup(name ? name : "");
    size_t alloc = (size_t)(numel > 0 ? numel : 1);
    if (is_int)
        out->i = malloc(alloc * sizeof *out->i);
    else
        out->f = malloc(alloc * sizeof *out->f);
    if (!out->name || (is_int ? !out->i : !out->f)) {
        onnx_tensor_clear(out);
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory reading tensor '%s'", ctx, name);
    }
    for (int64_t k = 0; k < numel; k++) {
        if (raw) {
            uint64_t u = load_le(tp->raw_data.data + k * size, size);
            if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
                uint32_t u32 = (uint32_t)u;
                float f;
                memcpy(&f, &u32, sizeof f);
                out->f[k] = f;
            } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE) {
                double x;
                memcpy(&x, &u, sizeof x);
                out->f[k] = (float)x;
            } else if (is_signed && size < 8) {
                /* sign-extend */
                uint64_t m = (uint64_t)1 << (size * 8 - 1);
                out->i[k] = (int64_t)((u ^ m) - m);
            } else {
                out->i[k] = (int64_t)u;
            }
        } else {
            switch (dt) {
            case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: out->f[k] = tp->float_data[k]; break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: out->f[k] = (float)tp->double_data[k]; break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: out->i[k] = tp->int64_data[k]; break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
            case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64: out->i[k] = (int64_t)tp->uint64_data[k]; break;
            default: out->i[k] = tp->int32_data[k]; break;
            }
        }
    }
    return AX_OK;
}

int onnx_tensor_read(const char *path, onnx_tensor *out, ax_err *err)
{
    memset(out, 0, sizeof *out);
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = fio_read_all(path, FIO_MAX_MODEL, &buf, &len, err);
    if (rc != AX_OK)
        return rc;
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
    free(buf);
    if (!tp)
        return ax_fail(err, AX_EINPUT, "%s: not a valid ONNX TensorProto (truncated or corrupted)", path);
    rc = tensor_from_proto(tp, path, out, err);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    return rc;
}

/* ---------------------------------------------------------------- values */

enum { V_ACT, V_FCONST, V_ICONST, V_BAD };

/* A named ONNX value during import. Activations and float constants live in
 * the graph; integer constants (shapes, axes) only here. */
typedef struct value {
    const char *name; /* points into the model proto or the bindings */
    int kind;
    int tensor;       /* V_ACT, V_FCONST */
    int rank;         /* V_ICONST */
    int64_t dims[GRAPH_MAX_RANK];
    int64_t numel;
    int64_t *iv;      /* V_ICONST values, owned */
    char *why;        /* V_BAD: which node made it, owned */
} value;

typedef struct imp {
    const char *what;
    const onnx_import_opts *opts;
    int batched;
    int opset;
    graph *g;
    value *vals;
    int n_vals, cap_vals;
    int64_t declared_batch; /* fixed dim 0 declared by the first input, 0 if symbolic */
    int node_index;
    const Onnx__NodeProto *node;
    ax_err *err;
} imp;

static int oom(imp *c)
{
    return ax_fail(c->err, AX_EINTERNAL, "%s: out of memory", c->what);
}

static int node_fail(imp *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int node_fail(imp *c, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const Onnx__NodeProto *n = c->node;
    return ax_fail(c->err, AX_EINPUT, "%s: node %d '%s' (%s): %s", c->what, c->node_index,
                   n && n->name ? n->name : "", n && n->op_type ? n->op_type : "?", msg);
}

static value *find_value(imp *c, const char *name)
{
    for (int i = c->n_vals - 1; i >= 0; i--)
        if (!strcmp(c->vals[i].name, name))
            return &c->vals[i];
    return NULL;
}

/* Takes over v's owned pointers (also on failure). */
static int def_value(imp *c, const char *name, value v)
{
    v.name = name;
    if (!name || !name[0]) {
        free(v.iv);
        free(v.why);
        return AX_OK; /* an omitted output */
    }
    if (find_value(c, name)) {
        free(v.iv);
        free(v.why);
        if (c->node)
            return node_fail(c, "value '%s' is defined twice", name);
        return ax_fail(c->err, AX_EINPUT, "%s: value '%s' is defined twice", c->what, name);
    }
    if (c->n_vals == c->cap_vals) {
        int cap = c->cap_vals ? 2 * c->cap_vals : 64;
        value *p = realloc(c->vals, (size_t)cap * sizeof *p);
        if (!p) {
            free(v.iv);
            free(v.why);
            return oom(c);
        }
        c->vals = p;
        c->cap_vals = cap;
    }
    c->vals[c->n_vals++] = v;
    return AX_OK;
}

static const graph_tensor *vt(imp *c, const value *v)
{
    return &c->g->tensors[v->tensor];
}

static int v_rank(imp *c, const value *v)
{
    return v->kind == V_ICONST ? v->rank : vt(c, v)->rank;
}

static const int64_t *v_dims(imp *c, const value *v)
{
    return v->kind == V_ICONST ? v->dims : vt(c, v)->dims;
}

static int64_t prod(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= d[i];
    return p;
}

static void fmt_dims(char *buf, size_t size, int rank, const int64_t *dims)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < rank && o + 1 < size; i++) {
        const char *sep = i ? "," : "";
        int k = dims[i] == GRAPH_DIM_BATCH ? snprintf(buf + o, size - o, "%sN", sep)
                                           : snprintf(buf + o, size - o, "%s%lld", sep, (long long)dims[i]);
        if (k < 0)
            break;
        o += (size_t)k;
    }
    /* wrap in brackets in place */
    size_t len = strlen(buf);
    if (len + 3 > size)
        len = size - 3;
    memmove(buf + 1, buf, len);
    buf[0] = '[';
    buf[len + 1] = ']';
    buf[len + 2] = '\0';
}

/* ---------------------------------------------------------------- attributes */

static int attr_type(const Onnx__AttributeProto *a)
{
    if (a->has_type && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED)
        return a->type;
    /* IR version 1 had no type field: infer it from what is set. */
    if (a->has_f)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    if (a->has_i)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    if (a->has_s)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    if (a->t)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    if (a->n_floats)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
    if (a->n_ints)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED;
}

static const Onnx__AttributeProto *attr_find(imp *c, const char *name)
{
    for (size_t i = 0; i < c->node->n_attribute; i++)
        if (c->node->attribute[i]->name && !strcmp(c->node->attribute[i]->name, name))
            return c->node->attribute[i];
    return NULL;
}

/* allowed: NULL-terminated list of the attribute names the op knows. */
static int attr_check(imp *c, const char *const *allowed)
{
    for (size_t i = 0; i < c->node->n_attribute; i++) {
        const char *name = c->node->attribute[i]->name ? c->node->attribute[i]->name : "";
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(*a, name);
        if (!ok)
            return node_fail(c, "attribute '%s' is not supported", name);
        if (c->node->attribute[i]->ref_attr_name && c->node->attribute[i]->ref_attr_name[0])
            return node_fail(c, "attribute '%s' refers to a function attribute (not supported)", name);
    }
    return AX_OK;
}

static int attr_int(imp *c, const char *name, int64_t def, int64_t *out)
{
    const Onnx__AttributeProto *a = attr_find(c, name);
    *out = def;
    if (!a)
        return AX_OK;
    if (attr_type(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
        return node_fail(c, "attribute '%s' must be an integer", name);
    *out = a->i;
    return AX_OK;
}

static int attr_float(imp *c, const char *name, float def, float *out)
{
    const Onnx__AttributeProto *a = attr_find(c, name);
    *out = def;
    if (!a)
        return AX_OK;
    if (attr_type(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)
        return node_fail(c, "attribute '%s' must be a float", name);
    *out = a->f;
    return AX_OK;
}

/* *present says whether the attribute was there; *n and *v its values. */
static int attr_ints(imp *c, const char *name, int *present, size_t *n, const int64_t **v)
{
    const Onnx__AttributeProto *a = attr_find(c, name);
    *present = a != NULL;
    *n = 0;
    *v = NULL;
    if (!a)
        return AX_OK;
    if (attr_type(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        return node_fail(c, "attribute '%s' must be a list of integers", name);
    *n = a->n_ints;
    *v = a->ints;
    return AX_OK;
}

static int attr_string(imp *c, const char *name, const char *def, char *buf, size_t size)
{
    const Onnx__AttributeProto *a = attr_find(c, name);
    snprintf(buf, size, "%s", def);
    if (!a)
        return AX_OK;
    if (attr_type(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING)
        return node_fail(c, "attribute '%s' must be a string", name);
    if (a->s.len >= size)
        return node_fail(c, "attribute '%s' is too long", name);
    if (a->s.len) /* an empty string's data may be NULL */
        memcpy(buf, a->s.data, a->s.len);
    buf[a->s.len] = '\0';
    return AX_OK;
}

/* ---------------------------------------------------------------- inputs */

static int n_inputs(imp *c)
{
    return (int)c->node->n_input;
}

/* Input k of the current node: *v = NULL when omitted (past the end or an
 * empty name) and not required. */
static int get_in(imp *c, int k, int required, value **v)
{
    *v = NULL;
    const char *name = k < n_inputs(c) ? c->node->input[k] : NULL;
    if (!name || !name[0]) {
        if (required)
            return node_fail(c, "input %d is missing", k);
        return AX_OK;
    }
    value *x = find_value(c, name);
    if (!x)
        return node_fail(c, "input '%s' is not produced by any earlier node, initializer or graph input", name);
    if (x->kind == V_BAD)
        return node_fail(c, "input '%s' is %s, which is not supported", name, x->why);
    *v = x;
    return AX_OK;
}

static int need_float(imp *c, const value *v, const char *role)
{
    if (v->kind == V_ICONST)
        return node_fail(c, "%s '%s' is an integer tensor; a float tensor is expected", role, v->name);
    return AX_OK;
}

static int need_fconst(imp *c, const value *v, const char *role)
{
    if (v->kind != V_FCONST)
        return node_fail(c, "%s '%s' must be a float constant (initializer)%s", role, v->name,
                         c->batched ? " in a batched model" : "");
    return AX_OK;
}

/* An integer constant, e.g. a shape or axes operand. */
static int need_iconst(imp *c, value *v, const char *role, int64_t **vals, int64_t *n)
{
    if (v->kind == V_ICONST) {
        *vals = v->iv;
        *n = v->numel;
        return AX_OK;
    }
    return node_fail(c, "%s '%s' must be a constant integer tensor (computed at import)", role, v->name);
}

/* ---------------------------------------------------------------- graph building */

/* A classifier's weights must be numbers: a NaN or an infinity would run
 * a whole search on garbage. (The ONNX node tests, not batched, may hold
 * them on purpose.) */
static int check_finite(imp *c, const onnx_tensor *t, const char *what, const char *name)
{
    if (!c->batched || t->is_int)
        return AX_OK;
    for (int64_t k = 0; k < t->numel; k++)
        if (!isfinite(t->f[k]))
            return ax_fail(c->err, AX_EINPUT, "%s: %s '%s': element %lld is %s; weights must be finite", c->what,
                           what, name, (long long)k, isnan(t->f[k]) ? "NaN" : "infinite");
    return AX_OK;
}

static int new_tensor(imp *c, const char *name, int rank, const int64_t *dims, float *data, int *id)
{
    *id = graph_add_tensor(c->g, name, rank, dims, data);
    return *id < 0 ? oom(c) : AX_OK;
}

/* Defines name as a new float constant (takes over data). */
static int def_fconst(imp *c, const char *name, int rank, const int64_t *dims, float *data)
{
    value v = {0};
    v.kind = V_FCONST;
    int rc = new_tensor(c, name, rank, dims, data, &v.tensor);
    if (rc != AX_OK)
        return rc;
    return def_value(c, name, v);
}

static int def_iconst(imp *c, const char *name, int rank, const int64_t *dims, int64_t *iv)
{
    value v = {0};
    v.kind = V_ICONST;
    v.rank = rank;
    memcpy(v.dims, dims, (size_t)rank * sizeof *dims);
    v.numel = prod(dims, 0, rank);
    v.iv = iv;
    return def_value(c, name, v);
}

static int def_bad(imp *c, const char *name, const char *why)
{
    if (!name || !name[0])
        return AX_OK;
    value v = {0};
    v.kind = V_BAD;
    char buf[300];
    snprintf(buf, sizeof buf, "%s of node %d '%s' (%s)", why, c->node_index,
             c->node->name ? c->node->name : "", c->node->op_type);
    v.why = strdup(buf);
    if (!v.why)
        return oom(c);
    return def_value(c, name, v);
}

/* Every output of the node past the first must be unused: those are
 * training statistics, pooling indices or dropout masks. */
static int extra_outputs_bad(imp *c, const char *what)
{
    for (size_t k = 1; k < c->node->n_output; k++) {
        int rc = def_bad(c, c->node->output[k], what);
        if (rc != AX_OK)
            return rc;
    }
    return AX_OK;
}

static float *copy_floats(const float *src, int64_t n)
{
    float *d = malloc((size_t)(n > 0 ? n : 1) * sizeof *d);
    if (d && n > 0)
        memcpy(d, src, (size_t)n * sizeof *d);
    return d;
}

/* The largest tensor constant folding may make (64 MiB of floats): a
 * classifier's folded weights are far smaller, and a few bytes of model
 * must not make the importer allocate gigabytes (a fuzzing finding). */
#define MAX_FOLDED ((int64_t)1 << 24)
/* The most multiply-adds a folded Conv, Gemm or MatMul may take (the
 * float executor does ~1e9 a second: a model file of a few hundred
 * bytes must not keep the importer busy for minutes). */
#define MAX_FOLD_MACS ((int64_t)1 << 27)

/* The multiply-adds of folding node ni (numel outputs, the last output
 * dimension last): each output of a Conv reads one filter (the weight's
 * values over its output channels), of a Gemm or MatMul a column of B
 * (an upper bound with batch dimensions); 0 for any other operator. */
static int64_t fold_macs(const graph *g, int ni, int64_t numel, int64_t last)
{
    const graph_node *n = &g->nodes[ni];
    if ((n->op != GRAPH_OP_CONV && n->op != GRAPH_OP_GEMM && n->op != GRAPH_OP_MATMUL) || n->n_in < 2)
        return 0;
    const graph_tensor *w = &g->tensors[n->in[1]];
    int64_t wn = graph_tensor_numel(g, n->in[1], 1);
    int64_t per = n->op == GRAPH_OP_CONV ? (w->rank > 0 && w->dims[0] > 0 ? wn / w->dims[0] : wn)
                                         : (last > 0 ? wn / last : wn);
    if (per < 1)
        per = 1;
    return numel > INT64_MAX / per ? INT64_MAX : numel * per;
}

/* Emits a float op writing the node's first output with the given shape.
 * If every input is constant the node is evaluated now and its output
 * becomes a constant. tmpl supplies op and attributes. */
static int emit(imp *c, const graph_node *tmpl, int n_in, const int *in, int rank, const int64_t *dims_in)
{
    const char *out_name = c->node->output[0];
    /* dims_in may point into the tensor array, which new_tensor can move */
    int64_t dims[GRAPH_MAX_RANK];
    memcpy(dims, dims_in, (size_t)rank * sizeof *dims);
    int all_const = 1;
    for (int k = 0; k < n_in; k++)
        all_const &= graph_is_const(c->g, in[k]);
    int t;
    int rc = new_tensor(c, out_name, rank, dims, NULL, &t);
    if (rc != AX_OK)
        return rc;
    int ni = graph_add_node(c->g, tmpl->op, c->node->name, c->node_index, n_in, in, t);
    if (ni < 0)
        return oom(c);
    c->g->nodes[ni].a = tmpl->a;
    value v = {0};
    v.kind = V_ACT;
    v.tensor = t;
    if (all_const) {
        int64_t numel = 1;
        for (int d = 0; d < rank; d++) {
            if (dims[d] == GRAPH_DIM_BATCH)
                return node_fail(c, "internal: constant with a batch dimension");
            numel = dims[d] > 0 && numel <= MAX_FOLDED / dims[d] ? numel * dims[d] : MAX_FOLDED + 1;
        }
        if (numel > MAX_FOLDED)
            return node_fail(c, "its inputs are constant, and folding it would make a tensor of more than %lld "
                                "values", (long long)MAX_FOLDED);
        if (fold_macs(c->g, ni, numel, rank > 0 ? dims[rank - 1] : 1) > MAX_FOLD_MACS)
            return node_fail(c, "its inputs are constant, and folding it would take more than %lld "
                                "multiply-adds", (long long)MAX_FOLD_MACS);
        float *data = NULL;
        rc = fexec_eval_const_node(c->g, ni, &data, c->err);
        if (rc != AX_OK)
            return ax_err_prefix(c->err, "%s: node %d (%s)", c->what, c->node_index, c->node->op_type);
        graph_remove_node(c->g, ni);
        c->g->tensors[t].data = data;
        v.kind = V_FCONST;
    }
    return def_value(c, out_name, v);
}

/* Numpy broadcasting of two shapes. In a batched model GRAPH_DIM_BATCH
 * broadcasts only against itself and 1, and must end up at dim 0. */
static int bcast(imp *c, int ra, const int64_t *a, int rb, const int64_t *b, int *ro, int64_t *o)
{
    int r = ra > rb ? ra : rb;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - ra), ib = i - (r - rb);
        int64_t x = ia >= 0 ? a[ia] : 1, y = ib >= 0 ? b[ib] : 1;
        if (x == y)
            o[i] = x;
        else if (x == 1)
            o[i] = y;
        else if (y == 1)
            o[i] = x;
        else {
            char sa[200], sb[200];
            fmt_dims(sa, sizeof sa, ra, a);
            fmt_dims(sb, sizeof sb, rb, b);
            return node_fail(c, "shapes %s and %s do not broadcast", sa, sb);
        }
    }
    for (int i = 1; i < r; i++)
        if (o[i] == GRAPH_DIM_BATCH)
            return node_fail(c, "broadcasting would move the batch dimension away from axis 0");
    *ro = r;
    return AX_OK;
}

static int norm_axis(imp *c, int64_t axis, int rank, int inclusive_end, int *out)
{
    int hi = inclusive_end ? rank : rank - 1;
    if (axis < -rank || axis > hi)
        return node_fail(c, "axis %lld is out of range for rank %d", (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return AX_OK;
}

static int is_batched_act(imp *c, const value *v)
{
    return v->kind == V_ACT && c->batched;
}

/* ---------------------------------------------------------------- windows */

/* Reads strides, dilations, pads and auto_pad for a 1-D or 2-D window with
 * the given kernel over the input's spatial dims, and computes the output
 * size (PyTorch's ceil-mode rule: a window must start inside the input or
 * its left padding). */
static int resolve_window(imp *c, int sp, const int64_t *in, const int64_t *kernel, int ceil_mode,
                          graph_window *w, int64_t *out)
{
    int present;
    size_t n;
    const int64_t *v;
    int64_t stride[2] = {1, 1}, dil[2] = {1, 1}, pads[4] = {0, 0, 0, 0};
    int rc = attr_ints(c, "strides", &present, &n, &v);
    if (rc != AX_OK)
        return rc;
    if (present) {
        if ((int)n != sp)
            return node_fail(c, "'strides' has %zu values for %d spatial dims", n, sp);
        for (int i = 0; i < sp; i++)
            stride[i] = v[i];
    }
    if ((rc = attr_ints(c, "dilations", &present, &n, &v)) != AX_OK)
        return rc;
    if (present) {
        if ((int)n != sp)
            return node_fail(c, "'dilations' has %zu values for %d spatial dims", n, sp);
        for (int i = 0; i < sp; i++)
            dil[i] = v[i];
    }
    if ((rc = attr_ints(c, "pads", &present, &n, &v)) != AX_OK)
        return rc;
    if (present) {
        if ((int)n != 2 * sp)
            return node_fail(c, "'pads' has %zu values for %d spatial dims", n, sp);
        for (int i = 0; i < 2 * sp; i++)
            pads[i] = v[i];
    }
    char autopad[32];
    if ((rc = attr_string(c, "auto_pad", "NOTSET", autopad, sizeof autopad)) != AX_OK)
        return rc;
    for (int i = 0; i < sp; i++) {
        if (stride[i] < 1 || dil[i] < 1 || kernel[i] < 1 || pads[i] < 0 || pads[i + sp] < 0 ||
            stride[i] > 1 << 20 || dil[i] > 1 << 20 || kernel[i] > 1 << 20 || pads[i] > 1 << 20 ||
            pads[i + sp] > 1 << 20)
            return node_fail(c, "kernel, strides and dilations must be >= 1 and pads >= 0");
        int64_t ek = (kernel[i] - 1) * dil[i] + 1;
        int64_t pb = pads[i], pe = pads[i + sp];
        int64_t o;
        if (!strcmp(autopad, "NOTSET") || !autopad[0]) {
            int64_t span = in[i] + pb + pe - ek;
            if (span < 0)
                return node_fail(c, "window %lld is larger than the padded input %lld", (long long)ek,
                                 (long long)(in[i] + pb + pe));
            o = (ceil_mode ? (span + stride[i] - 1) / stride[i] : span / stride[i]) + 1;
            if (ceil_mode && (o - 1) * stride[i] >= in[i] + pb)
                o--;
        } else if (!strcmp(autopad, "VALID")) {
            pb = pe = 0;
            if (in[i] < ek)
                return node_fail(c, "window %lld is larger than the input %lld", (long long)ek, (long long)in[i]);
            o = (in[i] - ek) / stride[i] + 1;
        } else if (!strcmp(autopad, "SAME_UPPER") || !strcmp(autopad, "SAME_LOWER")) {
            o = (in[i] + stride[i] - 1) / stride[i];
            int64_t total = (o - 1) * stride[i] + ek - in[i];
            if (total < 0)
                total = 0;
            if (autopad[5] == 'U') {
                pb = total / 2;
                pe = total - pb;
            } else {
                pe = total / 2;
                pb = total - pe;
            }
        } else {
            return node_fail(c, "auto_pad '%s' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER", autopad);
        }
        if (o < 1)
            return node_fail(c, "the output would be empty");
        /* 2-D storage: a 1-D window is the width. */
        int j = sp == 1 ? 1 : i;
        w->kernel[j] = (int)kernel[i];
        w->stride[j] = (int)stride[i];
        w->dilation[j] = (int)dil[i];
        w->pad[j] = (int)pb;
        w->pad[j + 2] = (int)pe;
        out[i] = o;
    }
    if (sp == 1) {
        w->kernel[0] = w->stride[0] = w->dilation[0] = 1;
        w->pad[0] = w->pad[2] = 0;
    }
    return AX_OK;
}

/* ---------------------------------------------------------------- float ops */

static int op_conv(imp *c)
{
    static const char *const allowed[] = {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", NULL};
    int rc = attr_check(c, allowed);
    value *x, *w, *b;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &x)) != AX_OK || (rc = get_in(c, 1, 1, &w)) != AX_OK ||
        (rc = get_in(c, 2, 0, &b)) != AX_OK)
        return rc;
    if ((rc = need_float(c, x, "input")) != AX_OK || (rc = need_float(c, w, "weight")) != AX_OK)
        return rc;
    if (c->batched && (rc = need_fconst(c, w, "weight")) != AX_OK)
        return rc;
    const graph_tensor *xt = vt(c, x), *wt = vt(c, w);
    if (xt->rank != 3 && xt->rank != 4)
        return node_fail(c, "only 1-D and 2-D convolutions are supported (input rank %d)", xt->rank);
    if (wt->rank != xt->rank)
        return node_fail(c, "weight rank %d differs from input rank %d", wt->rank, xt->rank);
    int sp = xt->rank - 2;
    int64_t group;
    if ((rc = attr_int(c, "group", 1, &group)) != AX_OK)
        return rc;
    int64_t C = xt->dims[1], M = wt->dims[0];
    if (group < 1 || C % group || M % group || wt->dims[1] * group != C)
        return node_fail(c, "group %lld does not fit %lld input channels and weight [%lld,%lld,...]",
                         (long long)group, (long long)C, (long long)M, (long long)wt->dims[1]);
    int present;
    size_t nk;
    const int64_t *ks;
    if ((rc = attr_ints(c, "kernel_shape", &present, &nk, &ks)) != AX_OK)
        return rc;
    if (present) {
        if ((int)nk != sp)
            return node_fail(c, "'kernel_shape' has %zu values for %d spatial dims", nk, sp);
        for (int i = 0; i < sp; i++)
            if (ks[i] != wt->dims[2 + i])
                return node_fail(c, "'kernel_shape' disagrees with the weight's shape");
    }
    graph_node tmpl = {0};
    tmpl.op = GRAPH_OP_CONV;
    tmpl.a.conv.group = (int)group;
    int64_t outsp[2];
    if ((rc = resolve_window(c, sp, xt->dims + 2, wt->dims + 2, 0, &tmpl.a.conv.win, outsp)) != AX_OK)
        return rc;
    int64_t dims[4] = {xt->dims[0], M, outsp[0], outsp[1]};
    int rank = xt->rank, bias;
    if (b) {
        if ((rc = need_fconst(c, b, "bias")) != AX_OK)
            return rc;
        if (vt(c, b)->rank != 1 || vt(c, b)->dims[0] != M)
            return node_fail(c, "bias must have shape [%lld]", (long long)M);
        bias = b->tensor;
    } else {
        float *z = calloc((size_t)(M > 0 ? M : 1), sizeof *z);
        if (!z)
            return oom(c);
        char name[300];
        snprintf(name, sizeof name, "%s/zero_bias", c->node->output[0]);
        if ((rc = new_tensor(c, name, 1, &M, z, &bias)) != AX_OK)
            return rc;
    }
    int in[3] = {x->tensor, w->tensor, bias};
    return emit(c, &tmpl, 3, in, rank, dims);
}

static int op_pool(imp *c, int is_max)
{
    static const char *const allowed_max[] = {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
                                              "storage_order", "strides", NULL};
    static const char *const allowed_avg[] = {"auto_pad", "ceil_mode", "count_include_pad", "dilations",
                                              "kernel_shape", "pads", "strides", NULL};
    int rc = attr_check(c, is_max ? allowed_max : allowed_avg);
    value *x;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &x)) != AX_OK || (rc = need_float(c, x, "input")) != AX_OK)
        return rc;
    const graph_tensor *xt = vt(c, x);
    if (xt->rank != 3 && xt->rank != 4)
        return node_fail(c, "only 1-D and 2-D pooling is supported (input rank %d)", xt->rank);
    int sp = xt->rank - 2;
    int present;
    size_t nk;
    const int64_t *ks;
    if ((rc = attr_ints(c, "kernel_shape", &present, &nk, &ks)) != AX_OK)
        return rc;
    if (!present || (int)nk != sp)
        return node_fail(c, "'kernel_shape' must list %d values", sp);
    int64_t ceil_mode, cip = 0, so;
    if ((rc = attr_int(c, "ceil_mode", 0, &ceil_mode)) != AX_OK ||
        (rc = attr_int(c, "count_include_pad", 0, &cip)) != AX_OK ||
        (rc = attr_int(c, "storage_order", 0, &so)) != AX_OK)
        return rc;
    graph_node tmpl = {0};
    tmpl.op = is_max ? GRAPH_OP_MAXPOOL : GRAPH_OP_AVGPOOL;
    tmpl.a.pool.ceil_mode = ceil_mode != 0;
    tmpl.a.pool.count_include_pad = cip != 0;
    int64_t outsp[2];
    if ((rc = resolve_window(c, sp, xt->dims + 2, ks, ceil_mode != 0, &tmpl.a.pool.win, outsp)) != AX_OK)
        return rc;
    int64_t dims[4] = {xt->dims[0], xt->dims[1], outsp[0], outsp[1]};
    /* emit and def_bad move the value table: nothing of it is used after */
    if ((rc = emit(c, &tmpl, 1, &x->tensor, xt->rank, dims)) != AX_OK)
        return rc;
    return is_max ? extra_outputs_bad(c, "the Indices output") : AX_OK;
}

static int op_global_avg(imp *c)
{
    static const char *const allowed[] = {NULL};
    int rc = attr_check(c, allowed);
    value *x;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &x)) != AX_OK || (rc = need_float(c, x, "input")) != AX_OK)
        return rc;
    const graph_tensor *xt = vt(c, x);
    if (xt->rank < 3)
        return node_fail(c, "input rank %d; at least 3 ([N][C][spatial...]) expected", xt->rank);
    int64_t dims[GRAPH_MAX_RANK];
    for (int i = 0; i < xt->rank; i++)
        dims[i] = i < 2 ? xt->dims[i] : 1;
    graph_node tmpl = {0};
    tmpl.op = GRAPH_OP_GLOBALAVGPOOL;
    return emit(c, &tmpl, 1, &x->tensor, xt->rank, dims);
}

static int op_unary(imp *c, graph_op op)
{
    value *x;
    int rc = get_in(c, 0, 1, &x);
    if (rc != AX_OK || (rc = need_float(c, x, "input")) != AX_OK)
        return rc;
    graph_node tmpl = {0};
    tmpl.op = op;
    if (op == GRAPH_OP_CLIP) {
        tmpl.a.clip.lo = -INFINITY;
        tmpl.a.clip.hi = INFINITY;
        if (c->opset < 11) {
            static const char *const allowed[] = {"min", "max", "consumed_inputs", NULL};
            if ((rc = attr_check(c, allowed)) != AX_OK ||
                (rc = attr_float(c, "min", -INFINITY, &tmpl.a.clip.lo)) != AX_OK ||
                (rc = attr_float(c, "max", INFINITY, &tmpl.a.clip.hi)) != AX_OK)
                return rc;
        } else {
            static const char *const allowed[] = {NULL};
            if ((rc = attr_check(c, allowed)) != AX_OK)
                return rc;
            for (int k = 1; k <= 2; k++) {
                value *b;
                if ((rc = get_in(c, k, 0, &b)) != AX_OK)
                    return rc;
                if (!b)
                    continue;
                if ((rc = need_fconst(c, b, k == 1 ? "min" : "max")) != AX_OK)
                    return rc;
                if (graph_tensor_numel(c->g, b->tensor, 1) != 1)
                    return node_fail(c, "%s must be a scalar", k == 1 ? "min" : "max");
                *(k == 1 ? &tmpl.a.clip.lo : &tmpl.a.clip.hi) = vt(c, b)->data[0];
            }
        }
        /* Nonsense in a classifier (every output would be max), though
         * ONNX defines it; the node tests may hold it. */
        if (c->batched && tmpl.a.clip.lo > tmpl.a.clip.hi)
            return node_fail(c, "min %g is above max %g", (double)tmpl.a.clip.lo, (double)tmpl.a.clip.hi);
    } else {
        static const char *const allowed[] = {"consumed_inputs", NULL};
        if ((rc = attr_check(c, allowed)) != AX_OK)
            return rc;
    }
    const graph_tensor *xt = vt(c, x);
    return emit(c, &tmpl, 1, &x->tensor, xt->rank, xt->dims);
}

/* A constant holding src's data under new dims (same element count). */
static int const_with_dims(imp *c, const char *name, int src, int rank, const int64_t *dims, int *id)
{
    const graph_tensor *s = &c->g->tensors[src];
    int64_t n = graph_tensor_numel(c->g, src, 1);
    float *d = copy_floats(s->data, n);
    if (!d)
        return oom(c);
    return new_tensor(c, name, rank, dims, d, id);
}

static int op_add(imp *c)
{
    value *a, *b;
    int rc = get_in(c, 0, 1, &a);
    if (rc != AX_OK || (rc = get_in(c, 1, 1, &b)) != AX_OK || (rc = need_float(c, a, "input A")) != AX_OK ||
        (rc = need_float(c, b, "input B")) != AX_OK)
        return rc;
    int ta = a->tensor, tb = b->tensor;
    if (c->opset < 7) {
        static const char *const allowed[] = {"axis", "broadcast", "consumed_inputs", NULL};
        int64_t bc, axis;
        if ((rc = attr_check(c, allowed)) != AX_OK || (rc = attr_int(c, "broadcast", 0, &bc)) != AX_OK)
            return rc;
        const graph_tensor *at = vt(c, a), *bt = vt(c, b);
        if (!bc) {
            int same = at->rank == bt->rank;
            for (int i = 0; same && i < at->rank; i++)
                same = at->dims[i] == bt->dims[i];
            if (!same)
                return node_fail(c, "shapes differ and broadcast=0 (opset %d)", c->opset);
        } else if (attr_find(c, "axis")) {
            /* Legacy broadcasting: B's dims line up with A's from axis on. */
            if ((rc = attr_int(c, "axis", 0, &axis)) != AX_OK)
                return rc;
            int ax = 0;
            if ((rc = norm_axis(c, axis, at->rank, 0, &ax)) != AX_OK)
                return rc;
            if (ax + bt->rank > at->rank)
                return node_fail(c, "B of rank %d does not fit A of rank %d at axis %d", bt->rank, at->rank, ax);
            if (ax + bt->rank < at->rank) {
                int64_t dims[GRAPH_MAX_RANK];
                int r = ax + bt->rank;
                for (int i = 0; i < at->rank; i++)
                    dims[i] = i < ax ? 1 : i < r ? bt->dims[i - ax] : 1;
                if (b->kind != V_FCONST)
                    return node_fail(c, "legacy axis broadcasting of a non-constant B is not supported");
                /* leading ones are numpy's business; only trailing ones are needed */
                if ((rc = const_with_dims(c, b->name, tb, at->rank - ax, dims + ax, &tb)) != AX_OK)
                    return rc;
            }
        }
    } else {
        static const char *const allowed[] = {NULL};
        if ((rc = attr_check(c, allowed)) != AX_OK)
            return rc;
    }
    const graph_tensor *at = &c->g->tensors[ta], *bt = &c->g->tensors[tb];
    int r;
    int64_t dims[GRAPH_MAX_RANK];
    if ((rc = bcast(c, at->rank, at->dims, bt->rank, bt->dims, &r, dims)) != AX_OK)
        return rc;
    graph_node tmpl = {0};
    tmpl.op = GRAPH_OP_ADD;
    int in[2] = {ta, tb};
    return emit(c, &tmpl, 2, in, r, dims);
}

static int op_batchnorm(imp *c)
{
    static const char *const allowed[] = {"epsilon", "momentum", "spatial", "is_test", "training_mode",
                                          "consumed_inputs", NULL};
    int rc = attr_check(c, allowed);
    if (rc != AX_OK)
        return rc;
    float eps, mom;
    int64_t spatial, training;
    if ((rc = attr_float(c, "epsilon", 1e-5f, &eps)) != AX_OK || (rc = attr_float(c, "momentum", 0.9f, &mom)) != AX_OK ||
        (rc = attr_int(c, "spatial", 1, &spatial)) != AX_OK ||
        (rc = attr_int(c, "training_mode", 0, &training)) != AX_OK)
        return rc;
    if (!spatial)
        return node_fail(c, "spatial=0 (per-element statistics) is not supported");
    if (training)
        return node_fail(c, "training_mode=1 is not supported (inference only)");
    value *v[5];
    for (int k = 0; k < 5; k++) {
        if ((rc = get_in(c, k, 1, &v[k])) != AX_OK || (rc = need_float(c, v[k], "input")) != AX_OK)
            return rc;
    }
    const graph_tensor *xt = vt(c, v[0]);
    if (xt->rank < 2)
        return node_fail(c, "input rank %d; at least 2 ([N][C]...) expected", xt->rank);
    int64_t C = xt->dims[1];
    for (int k = 1; k < 5; k++) {
        if (c->batched && (rc = need_fconst(c, v[k], "parameter")) != AX_OK)
            return rc;
        if (vt(c, v[k])->rank != 1 || vt(c, v[k])->dims[0] != C)
            return node_fail(c, "parameter '%s' must have shape [%lld]", v[k]->name, (long long)C);
    }
    /* A negative variance has no square root: the folded scale would be NaN. */
    for (int64_t ch = 0; c->batched && ch < C; ch++)
        if (!(vt(c, v[4])->data[ch] + eps > 0))
            return node_fail(c, "variance '%s' of channel %lld is %g: variance + epsilon must be positive",
                             v[4]->name, (long long)ch, (double)vt(c, v[4])->data[ch]);
    graph_node tmpl = {0};
    tmpl.op = GRAPH_OP_BATCHNORM;
    tmpl.a.bn.epsilon = eps;
    int in[5];
    for (int k = 0; k < 5; k++)
        in[k] = v[k]->tensor;
    if ((rc = emit(c, &tmpl, 5, in, xt->rank, xt->dims)) != AX_OK)
        return rc;
    return extra_outputs_bad(c, "a training statistics output");
}

static int op_softmax(imp *c)
{
    static const char *const allowed[] = {"axis", NULL};
    value *x;
    int rc = attr_check(c, allowed);
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &x)) != AX_OK || (rc = need_float(c, x, "input")) != AX_OK)
        return rc;
    const graph_tensor *xt = vt(c, x);
    int64_t axis;
    int legacy = c->opset < 13;
    if ((rc = attr_int(c, "axis", legacy ? 1 : -1, &axis)) != AX_OK)
        return rc;
    graph_node tmpl = {0};
    tmpl.op = GRAPH_OP_SOFTMAX;
    tmpl.a.softmax.coerce_2d = legacy;
    if ((rc = norm_axis(c, axis, xt->rank, 0, &tmpl.a.softmax.axis)) != AX_OK)
        return rc;
    if (xt->rank == 0)
        return node_fail(c, "a scalar input");
    if (is_batched_act(c, x) && tmpl.a.softmax.axis == 0)
        return node_fail(c, "softmax over axis 0 would mix the images of a batch");
    return emit(c, &tmpl, 1, &x->tensor, xt->rank, xt->dims);
}

/* Integer Concat (shape vectors). */
static int concat_int(imp *c, int axis_attr_present, int64_t axis)
{
    int n = n_inputs(c);
    value *v0;
    int rc = get_in(c, 0, 1, &v0);
    if (rc != AX_OK)
        return rc;
    int rank = v0->rank, ax = 0;
    if (rank == 0)
        return node_fail(c, "cannot concatenate scalars");
    if (!axis_attr_present)
        axis = 1;
    if ((rc = norm_axis(c, axis, rank, 0, &ax)) != AX_OK)
        return rc;
    int64_t dims[GRAPH_MAX_RANK];
    memcpy(dims, v0->dims, sizeof dims);
    dims[ax] = 0;
    for (int k = 0; k < n; k++) {
        value *v;
        if ((rc = get_in(c, k, 1, &v)) != AX_OK)
            return rc;
        if (v->kind != V_ICONST)
            return node_fail(c, "mixes integer and float inputs");
        if (v->rank != rank)
            return node_fail(c, "inputs have different ranks");
        for (int d = 0; d < rank; d++)
            if (d != ax && v->dims[d] != v0->dims[d])
                return node_fail(c, "input shapes differ outside the concatenation axis");
        dims[ax] += v->dims[ax];
    }
    int64_t total = prod(dims, 0, rank), outer = prod(dims, 0, ax), inner = prod(dims, ax + 1, rank);
    int64_t *iv = malloc((size_t)(total > 0 ? total : 1) * sizeof *iv);
    if (!iv)
        return oom(c);
    int64_t off = 0;
    for (int64_t o = 0; o < outer; o++)
        for (int k = 0; k < n; k++) {
            value *v = find_value(c, c->node->input[k]);
            int64_t blk = v->dims[ax] * inner;
            memcpy(iv + off, v->iv + o * blk, (size_t)blk * sizeof *iv);
            off += blk;
        }
    return def_iconst(c, c->node->output[0], rank, dims, iv);
}

static int op_concat(imp *c)
{
    static const char *const allowed[] = {"axis", NULL};
    int rc = attr_check(c, allowed);
    if (rc != AX_OK)
        return rc;
    int64_t axis;
    int present = attr_find(c, "axis") != NULL;
    if ((rc = attr_int(c, "axis", 1, &axis)) != AX_OK)
        return rc;
    if (!present && c->opset >= 4)
        return node_fail(c, "attribute 'axis' is required");
    int n = n_inputs(c);
    if (n < 1)
        return node_fail(c, "no inputs");
    value *v0;
    if ((rc = get_in(c, 0, 1, &v0)) != AX_OK)
        return rc;
    if (v0->kind == V_ICONST)
        return concat_int(c, 1, axis);
    int *in = malloc((size_t)n * sizeof *in);
    if (!in)
        return oom(c);
    const graph_tensor *t0 = vt(c, v0);
    int rank = t0->rank, ax = 0;
    int64_t dims[GRAPH_MAX_RANK];
    memcpy(dims, t0->dims, sizeof dims);
    if (rank == 0)
        rc = node_fail(c, "cannot concatenate scalars");
    else
        rc = norm_axis(c, axis, rank, 0, &ax);
    if (rc == AX_OK) {
        dims[ax] = 0;
        int any_act = 0, any_const = 0;
        for (int k = 0; k < n && rc == AX_OK; k++) {
            value *v;
            if ((rc = get_in(c, k, 1, &v)) != AX_OK || (rc = need_float(c, v, "input")) != AX_OK)
                break;
            const graph_tensor *t = vt(c, v);
            any_act |= v->kind == V_ACT;
            any_const |= v->kind == V_FCONST;
            if (t->rank != rank) {
                rc = node_fail(c, "inputs have different ranks");
                break;
            }
            for (int d = 0; d < rank; d++)
                if (d != ax && t->dims[d] != t0->dims[d])
                    rc = node_fail(c, "input shapes differ outside the concatenation axis");
            dims[ax] += t->dims[ax];
            in[k] = v->tensor;
        }
        if (rc == AX_OK && c->batched && any_act && (ax == 0 || any_const))
            rc = node_fail(c, ax == 0 ? "concatenation along axis 0 would mix the images of a batch"
                                      : "concatenating a constant with a batched activation");
    }
    if (rc == AX_OK) {
        graph_node tmpl = {0};
        tmpl.op = GRAPH_OP_CONCAT;
        tmpl.a.concat.axis = ax;
        rc = emit(c, &tmpl, n, in, rank, dims);
    }
    free(in);
    return rc;
}

static int op_pad(imp *c)
{
    static const char *const allowed_old[] = {"mode", "pads", "value", NULL};
    static const char *const allowed_new[] = {"mode", NULL};
    int rc = attr_check(c, c->opset < 11 ? allowed_old : allowed_new);
    value *x;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &x)) != AX_OK || (rc = need_float(c, x, "input")) != AX_OK)
        return rc;
    char mode[32];
    if ((rc = attr_string(c, "mode", "constant", mode, sizeof mode)) != AX_OK)
        return rc;
    if (strcmp(mode, "constant"))
        return node_fail(c, "mode '%s' is not supported (only 'constant')", mode);
    const graph_tensor *xt = vt(c, x);
    int rank = xt->rank;
    graph_node tmpl = {0};
    tmpl.op = GRAPH_OP_PAD;
    int64_t pads[2 * GRAPH_MAX_RANK] = {0};
    if (c->opset < 11) {
        int present;
        size_t n;
        const int64_t *v;
        if ((rc = attr_ints(c, "pads", &present, &n, &v)) != AX_OK)
            return rc;
        if (!present || (int)n != 2 * rank)
            return node_fail(c, "'pads' must list %d values", 2 * rank);
        memcpy(pads, v, n * sizeof *v);
        if ((rc = attr_float(c, "value", 0.0f, &tmpl.a.pad.value)) != AX_OK)
            return rc;
    } else {
        value *p, *cv, *axes;
        int64_t *pv = NULL, np = 0, *av = NULL, na = 0;
        if ((rc = get_in(c, 1, 1, &p)) != AX_OK || (rc = need_iconst(c, p, "pads", &pv, &np)) != AX_OK ||
            (rc = get_in(c, 2, 0, &cv)) != AX_OK || (rc = get_in(c, 3, 0, &axes)) != AX_OK)
            return rc;
        if (axes && (rc = need_iconst(c, axes, "axes", &av, &na)) != AX_OK)
            return rc;
        if (cv) {
            if ((rc = need_fconst(c, cv, "constant_value")) != AX_OK)
                return rc;
            if (graph_tensor_numel(c->g, cv->tensor, 1) != 1)
                return node_fail(c, "constant_value must be a scalar");
            tmpl.a.pad.value = vt(c, cv)->data[0];
        }
        if (axes) {
            if (np != 2 * na)
                return node_fail(c, "%lld pads for %lld axes", (long long)np, (long long)na);
            for (int64_t k = 0; k < na; k++) {
                int a = 0;
                if ((rc = norm_axis(c, av[k], rank, 0, &a)) != AX_OK)
                    return rc;
                pads[a] = pv[k];
                pads[a + rank] = pv[k + na];
            }
        } else {
            if (np != 2 * rank)
                return node_fail(c, "'pads' has %lld values for rank %d", (long long)np, rank);
            memcpy(pads, pv, (size_t)np * sizeof *pv);
        }
    }
    int64_t dims[GRAPH_MAX_RANK];
    for (int i = 0; i < rank; i++) {
        if (pads[i] == SYM_BATCH || pads[i + rank] == SYM_BATCH || llabs(pads[i]) > (1 << 24) ||
            llabs(pads[i + rank]) > (1 << 24))
            return node_fail(c, "pads out of range");
        if (xt->dims[i] == GRAPH_DIM_BATCH) {
            if (pads[i] || pads[i + rank])
                return node_fail(c, "padding the batch dimension");
            dims[i] = GRAPH_DIM_BATCH;
            continue;
        }
        dims[i] = xt->dims[i] + pads[i] + pads[i + rank];
        if (dims[i] < 0)
            return node_fail(c, "negative pads remove more than axis %d holds", i);
    }
    memcpy(tmpl.a.pad.pads, pads, sizeof pads);
    return emit(c, &tmpl, 1, &x->tensor, rank, dims);
}

/* Gemm; also the canonical form of MatMul by a constant matrix. */
static int emit_gemm(imp *c, value *a, value *b, value *cc, float alpha, float beta, int ta, int tb)
{
    const graph_tensor *at = vt(c, a), *bt = vt(c, b);
    if (at->rank != 2 || bt->rank != 2)
        return node_fail(c, "A and B must be matrices (ranks %d and %d)", at->rank, bt->rank);
    int64_t rows = ta ? at->dims[1] : at->dims[0], K = ta ? at->dims[0] : at->dims[1];
    int64_t kb = tb ? bt->dims[1] : bt->dims[0], M = tb ? bt->dims[0] : bt->dims[1];
    if (K != kb)
        return node_fail(c, "inner dimensions differ (%lld vs %lld)", (long long)K, (long long)kb);
    if (c->batched) {
        if (a->kind == V_ACT && ta)
            return node_fail(c, "transA=1 on a batched input would mix images");
        if (b->kind != V_FCONST)
            return node_fail(c, "B must be a constant in a batched model");
    }
    if (K == GRAPH_DIM_BATCH || M == GRAPH_DIM_BATCH)
        return node_fail(c, "the batch dimension would be contracted");
    graph_node tmpl = {0};
    tmpl.op = GRAPH_OP_GEMM;
    tmpl.a.gemm.alpha = alpha;
    tmpl.a.gemm.beta = beta;
    tmpl.a.gemm.trans_a = ta;
    tmpl.a.gemm.trans_b = tb;
    int tB = b->tensor;
    int rc;
    if (b->kind == V_FCONST && (!tb || alpha != 1.0f)) {
        /* Canonical B: [M][K] with alpha folded in. */
        float *d = malloc((size_t)(M * K > 0 ? M * K : 1) * sizeof *d);
        if (!d)
            return oom(c);
        for (int64_t m = 0; m < M; m++)
            for (int64_t k = 0; k < K; k++)
                d[m * K + k] = alpha * (tb ? bt->data[m * K + k] : bt->data[k * M + m]);
        int64_t dims[2] = {M, K};
        char name[300];
        snprintf(name, sizeof name, "%s/canonical", b->name);
        if ((rc = new_tensor(c, name, 2, dims, d, &tB)) != AX_OK)
            return rc;
        tmpl.a.gemm.trans_b = 1;
        tmpl.a.gemm.alpha = 1.0f;
    }
    int n_in = 2, tC = -1;
    if (cc && beta != 0.0f) {
        const graph_tensor *ct = vt(c, cc);
        int64_t dims[2] = {rows, M}, od[GRAPH_MAX_RANK];
        int r;
        if (ct->rank > 2)
            return node_fail(c, "C has rank %d", ct->rank);
        if ((rc = bcast(c, ct->rank, ct->dims, 2, dims, &r, od)) != AX_OK)
            return rc;
        if (od[0] != rows || od[1] != M)
            return node_fail(c, "C does not broadcast to [rows, %lld]", (long long)M);
        if (cc->kind == V_FCONST) {
            int row_indep = ct->rank < 2 || ct->dims[0] == 1;
            int64_t n = row_indep ? M : rows * M;
            float *d = malloc((size_t)(n > 0 ? n : 1) * sizeof *d);
            if (!d)
                return oom(c);
            for (int64_t i = 0; i < n; i++) {
                /* element (i / M, i % M) of the broadcast C */
                int64_t r0 = i / M, c0 = i % M, idx;
                if (ct->rank == 0)
                    idx = 0;
                else if (ct->rank == 1)
                    idx = ct->dims[0] == 1 ? 0 : c0;
                else
                    idx = (ct->dims[0] == 1 ? 0 : r0) * ct->dims[1] + (ct->dims[1] == 1 ? 0 : c0);
                d[i] = beta * ct->data[idx];
            }
            int64_t cd[2] = {rows, M};
            char name[300];
            snprintf(name, sizeof name, "%s/canonical", cc->name);
            if ((rc = new_tensor(c, name, row_indep ? 1 : 2, row_indep ? cd + 1 : cd, d, &tC)) != AX_OK)
                return rc;
            tmpl.a.gemm.beta = 1.0f;
            if (c->batched && !row_indep && a->kind == V_ACT)
                return node_fail(c, "C varies by row, that is by image, in a batched model");
        } else {
            if (c->batched && cc->kind == V_ACT)
                return node_fail(c, "C must be a constant in a batched model");
            tC = cc->tensor;
        }
        n_in = 3;
    }
    int in[3] = {a->tensor, tB, tC};
    int64_t dims[2] = {rows, M};
    return emit(c, &tmpl, n_in, in, 2, dims);
}

static int op_gemm(imp *c)
{
    static const char *const allowed[] = {"alpha", "beta", "transA", "transB", "broadcast", NULL};
    int rc = attr_check(c, allowed);
    value *a, *b, *cc;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &a)) != AX_OK || (rc = get_in(c, 1, 1, &b)) != AX_OK ||
        (rc = get_in(c, 2, c->opset < 11, &cc)) != AX_OK)
        return rc;
    if ((rc = need_float(c, a, "A")) != AX_OK || (rc = need_float(c, b, "B")) != AX_OK ||
        (cc && (rc = need_float(c, cc, "C")) != AX_OK))
        return rc;
    float alpha, beta;
    int64_t ta, tb;
    if ((rc = attr_float(c, "alpha", 1.0f, &alpha)) != AX_OK || (rc = attr_float(c, "beta", 1.0f, &beta)) != AX_OK ||
        (rc = attr_int(c, "transA", 0, &ta)) != AX_OK || (rc = attr_int(c, "transB", 0, &tb)) != AX_OK)
        return rc;
    return emit_gemm(c, a, b, cc, alpha, beta, ta != 0, tb != 0);
}

static int op_matmul(imp *c)
{
    static const char *const allowed[] = {NULL};
    int rc = attr_check(c, allowed);
    value *a, *b;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &a)) != AX_OK || (rc = get_in(c, 1, 1, &b)) != AX_OK ||
        (rc = need_float(c, a, "A")) != AX_OK || (rc = need_float(c, b, "B")) != AX_OK)
        return rc;
    const graph_tensor *at = vt(c, a), *bt = vt(c, b);
    if (at->rank < 1 || bt->rank < 1)
        return node_fail(c, "MatMul of a scalar");
    if (a->kind == V_ACT && at->rank == 2 && b->kind == V_FCONST && bt->rank == 2)
        return emit_gemm(c, a, b, NULL, 1.0f, 1.0f, 0, 0);
    int64_t ad[GRAPH_MAX_RANK], bd[GRAPH_MAX_RANK];
    int ra = at->rank, rb = bt->rank;
    memcpy(ad, at->dims, sizeof ad);
    memcpy(bd, bt->dims, sizeof bd);
    if (ra == 1) {
        ad[1] = ad[0];
        ad[0] = 1;
        ra = 2;
    }
    if (rb == 1) {
        bd[1] = 1;
        rb = 2;
    }
    if (ad[ra - 1] != bd[rb - 2])
        return node_fail(c, "inner dimensions differ (%lld vs %lld)", (long long)ad[ra - 1], (long long)bd[rb - 2]);
    if (ad[ra - 1] == GRAPH_DIM_BATCH || bd[rb - 1] == GRAPH_DIM_BATCH)
        return node_fail(c, "the batch dimension would be contracted or become a column");
    int r;
    int64_t dims[GRAPH_MAX_RANK];
    if ((rc = bcast(c, ra - 2, ad, rb - 2, bd, &r, dims)) != AX_OK)
        return rc;
    if (r + 2 > GRAPH_MAX_RANK)
        return node_fail(c, "rank too large");
    if (at->rank > 1)
        dims[r++] = ad[ra - 2];
    if (bt->rank > 1)
        dims[r++] = bd[rb - 1];
    for (int i = 1; i < r; i++)
        if (dims[i] == GRAPH_DIM_BATCH)
            return node_fail(c, "the batch dimension would move away from axis 0");
    if (c->batched && (a->kind == V_ACT || b->kind == V_ACT) && (r == 0 || dims[0] != GRAPH_DIM_BATCH))
        return node_fail(c, "the result would not keep the batch dimension first");
    graph_node tmpl = {0};
    tmpl.op = GRAPH_OP_MATMUL;
    int in[2] = {a->tensor, b->tensor};
    return emit(c, &tmpl, 2, in, r, dims);
}

/* ---------------------------------------------------------------- reshapes */

/* Element count of a value (per image for a batched activation). */
static int64_t v_numel_img(imp *c, const value *v)
{
    if (v->kind == V_ICONST)
        return v->numel;
    return graph_tensor_image_numel(c->g, v->tensor);
}

/* Turns x into a value of the given dims (resolved, may start with
 * GRAPH_DIM_BATCH for a batched activation). */
static int emit_reshape(imp *c, value *x, int rank, const int64_t *dims)
{
    const char *out = c->node->output[0];
    if (x->kind == V_ICONST) {
        int64_t *iv = malloc((size_t)(x->numel > 0 ? x->numel : 1) * sizeof *iv);
        if (!iv)
            return oom(c);
        if (x->numel > 0)
            memcpy(iv, x->iv, (size_t)x->numel * sizeof *iv);
        return def_iconst(c, out, rank, dims, iv);
    }
    if (x->kind == V_FCONST) {
        int id;
        int rc = const_with_dims(c, out, x->tensor, rank, dims, &id);
        if (rc != AX_OK)
            return rc;
        value v = {0};
        v.kind = V_FCONST;
        v.tensor = id;
        return def_value(c, out, v);
    }
    graph_node tmpl = {0};
    tmpl.op = GRAPH_OP_RESHAPE;
    return emit(c, &tmpl, 1, &x->tensor, rank, dims);
}

static int resolve_reshape(imp *c, value *x, const int64_t *shape, int64_t n, int allowzero, int64_t *out)
{
    int xr = v_rank(c, x);
    const int64_t *xd = v_dims(c, x);
    int batch = is_batched_act(c, x);
    if (n > GRAPH_MAX_RANK)
        return node_fail(c, "target rank %lld is too large", (long long)n);
    int neg = -1;
    for (int64_t i = 0; i < n; i++) {
        int64_t t = shape[i];
        if (t == SYM_BATCH) {
            if (!batch || i != 0)
                return node_fail(c, "the batch size appears at target axis %lld", (long long)i);
            out[i] = GRAPH_DIM_BATCH;
        } else if (t == 0 && !allowzero) {
            if (i >= xr)
                return node_fail(c, "target axis %lld copies a dimension the input lacks", (long long)i);
            out[i] = xd[i];
        } else if (t == -1) {
            if (neg >= 0)
                return node_fail(c, "more than one -1 in the target shape");
            neg = (int)i;
            out[i] = -1;
        } else if (t < 0) {
            return node_fail(c, "target dimension %lld", (long long)t);
        } else {
            out[i] = t;
        }
    }
    int64_t total = v_numel_img(c, x);
    if (batch) {
        if (n < 1)
            return node_fail(c, "reshaping a batch into a scalar");
        if (out[0] == -1 && neg == 0) {
            out[0] = GRAPH_DIM_BATCH;
            neg = -1;
        } else if (out[0] != GRAPH_DIM_BATCH) {
            if (c->declared_batch > 0 && out[0] == c->declared_batch)
                out[0] = GRAPH_DIM_BATCH;
            else
                return node_fail(c, "the target's first dimension %lld is not the batch; reshaping across images is not supported",
                                 (long long)out[0]);
        }
    }
    int64_t known = 1;
    for (int64_t i = 0; i < n; i++)
        if ((int)i != neg && out[i] != GRAPH_DIM_BATCH)
            known *= out[i];
    if (neg >= 0) {
        if (known == 0 || total % known)
            return node_fail(c, "cannot infer -1: %lld elements do not divide by %lld", (long long)total,
                             (long long)known);
        out[neg] = total / known;
        known *= out[neg];
    }
    if (known != total)
        return node_fail(c, "the target holds %lld elements%s, the input %lld", (long long)known,
                         batch ? " per image" : "", (long long)total);
    return AX_OK;
}

static int op_reshape(imp *c)
{
    static const char *const allowed_old[] = {"shape", "consumed_inputs", NULL};
    static const char *const allowed_new[] = {"allowzero", NULL};
    int rc = attr_check(c, c->opset < 5 ? allowed_old : allowed_new);
    value *x;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &x)) != AX_OK)
        return rc;
    int64_t *shape = NULL, n = 0, allowzero = 0;
    if (c->opset < 5) {
        int present;
        size_t ns;
        const int64_t *v;
        if ((rc = attr_ints(c, "shape", &present, &ns, &v)) != AX_OK)
            return rc;
        if (!present)
            return node_fail(c, "attribute 'shape' is required");
        shape = (int64_t *)v;
        n = (int64_t)ns;
    } else {
        value *s;
        if ((rc = get_in(c, 1, 1, &s)) != AX_OK || (rc = need_iconst(c, s, "shape", &shape, &n)) != AX_OK ||
            (rc = attr_int(c, "allowzero", 0, &allowzero)) != AX_OK)
            return rc;
        if (s->rank != 1)
            return node_fail(c, "'shape' must be a 1-D tensor");
    }
    int64_t dims[GRAPH_MAX_RANK];
    if ((rc = resolve_reshape(c, x, shape, n, allowzero != 0, dims)) != AX_OK)
        return rc;
    return emit_reshape(c, x, (int)n, dims);
}

static int op_flatten(imp *c)
{
    static const char *const allowed[] = {"axis", NULL};
    int rc = attr_check(c, allowed);
    value *x;
    int64_t axis;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &x)) != AX_OK || (rc = attr_int(c, "axis", 1, &axis)) != AX_OK)
        return rc;
    int r = v_rank(c, x), ax = 0;
    const int64_t *xd = v_dims(c, x);
    if ((rc = norm_axis(c, axis, r, 1, &ax)) != AX_OK)
        return rc;
    int64_t dims[2];
    if (is_batched_act(c, x)) {
        if (ax == 0 || prod(xd, 1, ax) != 1)
            return node_fail(c, "flattening at axis %d would mix the images of a batch", ax);
        dims[0] = GRAPH_DIM_BATCH;
        dims[1] = prod(xd, ax, r);
    } else {
        dims[0] = prod(xd, 0, ax);
        dims[1] = prod(xd, ax, r);
    }
    return emit_reshape(c, x, 2, dims);
}

static int op_identity(imp *c, int is_dropout)
{
    int rc;
    if (is_dropout) {
        static const char *const allowed[] = {"ratio", "is_test", "seed", "consumed_inputs", NULL};
        if ((rc = attr_check(c, allowed)) != AX_OK)
            return rc;
        value *tm;
        if ((rc = get_in(c, 2, 0, &tm)) != AX_OK)
            return rc;
        if (tm) {
            int64_t *v, n;
            if (tm->kind == V_ICONST) {
                if ((rc = need_iconst(c, tm, "training_mode", &v, &n)) != AX_OK)
                    return rc;
                if (n != 1 || v[0])
                    return node_fail(c, "training_mode must be false (inference only)");
            } else {
                return node_fail(c, "training_mode must be a constant false (inference only)");
            }
        }
    } else {
        static const char *const allowed[] = {NULL};
        if ((rc = attr_check(c, allowed)) != AX_OK)
            return rc;
    }
    value *x;
    if ((rc = get_in(c, 0, 1, &x)) != AX_OK)
        return rc;
    value v = *x;
    if (x->kind == V_ICONST) {
        v.iv = malloc((size_t)(x->numel > 0 ? x->numel : 1) * sizeof *v.iv);
        if (!v.iv)
            return oom(c);
        if (x->numel > 0)
            memcpy(v.iv, x->iv, (size_t)x->numel * sizeof *v.iv);
    }
    if ((rc = def_value(c, c->node->output[0], v)) != AX_OK)
        return rc;
    return is_dropout ? extra_outputs_bad(c, "the mask output") : AX_OK;
}

/* ---------------------------------------------------------------- constant-only ops */

static int op_constant(imp *c)
{
    static const char *const allowed[] = {"value", "value_float", "value_floats", "value_int", "value_ints", NULL};
    int rc = attr_check(c, allowed);
    if (rc != AX_OK)
        return rc;
    if (c->node->n_attribute != 1)
        return node_fail(c, "exactly one value attribute expected (sparse and string values are not supported)");
    const Onnx__AttributeProto *a = c->node->attribute[0];
    const char *out = c->node->output[0];
    int t = attr_type(a);
    if (!strcmp(a->name, "value")) {
        if (t != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR || !a->t)
            return node_fail(c, "attribute 'value' must be a tensor");
        onnx_tensor ot;
        char ctx[400];
        snprintf(ctx, sizeof ctx, "%s: node %d (Constant)", c->what, c->node_index);
        if ((rc = tensor_from_proto(a->t, ctx, &ot, c->err)) != AX_OK)
            return rc;
        if ((rc = check_finite(c, &ot, "Constant", out)) != AX_OK) {
            onnx_tensor_clear(&ot);
            return rc;
        }
        if (ot.is_int) {
            rc = def_iconst(c, out, ot.rank, ot.dims, ot.i);
            ot.i = NULL;
        } else {
            rc = def_fconst(c, out, ot.rank, ot.dims, ot.f);
            ot.f = NULL;
        }
        onnx_tensor_clear(&ot);
        return rc;
    }
    if (!strcmp(a->name, "value_float") || !strcmp(a->name, "value_floats")) {
        int scalar = !strcmp(a->name, "value_float");
        if (t != (scalar ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT : ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS))
            return node_fail(c, "attribute '%s' has the wrong type", a->name);
        int64_t n = scalar ? 1 : (int64_t)a->n_floats;
        float *d = scalar ? copy_floats(&a->f, 1) : copy_floats(a->floats, n);
        if (!d)
            return oom(c);
        onnx_tensor view = {.numel = n, .f = d};
        if ((rc = check_finite(c, &view, "Constant", out)) != AX_OK) {
            free(d);
            return rc;
        }
        return def_fconst(c, out, scalar ? 0 : 1, &n, d);
    }
    int scalar = !strcmp(a->name, "value_int");
    if (t != (scalar ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT : ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS))
        return node_fail(c, "attribute '%s' has the wrong type", a->name);
    int64_t n = scalar ? 1 : (int64_t)a->n_ints;
    int64_t *iv = malloc((size_t)(n > 0 ? n : 1) * sizeof *iv);
    if (!iv)
        return oom(c);
    for (int64_t k = 0; k < n; k++)
        iv[k] = scalar ? a->i : a->ints[k];
    return def_iconst(c, out, scalar ? 0 : 1, &n, iv);
}

static int op_shape(imp *c)
{
    static const char *const allowed[] = {"start", "end", NULL};
    int rc = attr_check(c, allowed);
    value *x;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &x)) != AX_OK)
        return rc;
    int r = v_rank(c, x);
    const int64_t *xd = v_dims(c, x);
    int64_t start, end;
    if ((rc = attr_int(c, "start", 0, &start)) != AX_OK || (rc = attr_int(c, "end", r, &end)) != AX_OK)
        return rc;
    if (start < 0)
        start += r;
    if (end < 0)
        end += r;
    start = start < 0 ? 0 : start > r ? r : start;
    end = end < 0 ? 0 : end > r ? r : end;
    int64_t n = end > start ? end - start : 0;
    int64_t *iv = malloc((size_t)(n > 0 ? n : 1) * sizeof *iv);
    if (!iv)
        return oom(c);
    for (int64_t i = 0; i < n; i++)
        iv[i] = xd[start + i] == GRAPH_DIM_BATCH && x->kind == V_ACT ? SYM_BATCH : xd[start + i];
    return def_iconst(c, c->node->output[0], 1, &n, iv);
}

static int op_gather(imp *c)
{
    static const char *const allowed[] = {"axis", NULL};
    int rc = attr_check(c, allowed);
    value *d, *ix;
    int64_t axis;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &d)) != AX_OK || (rc = get_in(c, 1, 1, &ix)) != AX_OK ||
        (rc = attr_int(c, "axis", 0, &axis)) != AX_OK)
        return rc;
    if (d->kind != V_ICONST)
        return node_fail(c, "Gather is supported on constant integer data only (shape computations)");
    int64_t *idx = NULL, ni = 0;
    if ((rc = need_iconst(c, ix, "indices", &idx, &ni)) != AX_OK)
        return rc;
    int ax = 0;
    if (d->rank == 0)
        return node_fail(c, "Gather on a scalar");
    if ((rc = norm_axis(c, axis, d->rank, 0, &ax)) != AX_OK)
        return rc;
    int rank = d->rank - 1 + ix->rank;
    if (rank > GRAPH_MAX_RANK)
        return node_fail(c, "result rank too large");
    int64_t dims[GRAPH_MAX_RANK];
    int r = 0;
    for (int i = 0; i < ax; i++)
        dims[r++] = d->dims[i];
    for (int i = 0; i < ix->rank; i++)
        dims[r++] = ix->dims[i];
    for (int i = ax + 1; i < d->rank; i++)
        dims[r++] = d->dims[i];
    int64_t outer = prod(d->dims, 0, ax), inner = prod(d->dims, ax + 1, d->rank), len = d->dims[ax];
    int64_t total = outer * ni * inner;
    int64_t *iv = malloc((size_t)(total > 0 ? total : 1) * sizeof *iv);
    if (!iv)
        return oom(c);
    for (int64_t j = 0; j < ni; j++) {
        int64_t k = idx[j] < 0 ? idx[j] + len : idx[j];
        if (k < 0 || k >= len) {
            free(iv);
            return node_fail(c, "index %lld out of range [0, %lld)", (long long)idx[j], (long long)len);
        }
        for (int64_t o = 0; o < outer; o++)
            memcpy(iv + (o * ni + j) * inner, d->iv + (o * len + k) * inner, (size_t)inner * sizeof *iv);
    }
    return def_iconst(c, c->node->output[0], rank, dims, iv);
}

static int op_unsqueeze(imp *c)
{
    int rc;
    value *x;
    int64_t *axes = NULL, na = 0;
    if (c->opset < 13) {
        static const char *const allowed[] = {"axes", NULL};
        int present;
        size_t n;
        const int64_t *v;
        if ((rc = attr_check(c, allowed)) != AX_OK || (rc = attr_ints(c, "axes", &present, &n, &v)) != AX_OK)
            return rc;
        if (!present)
            return node_fail(c, "attribute 'axes' is required");
        axes = (int64_t *)v;
        na = (int64_t)n;
    } else {
        static const char *const allowed[] = {NULL};
        value *a;
        if ((rc = attr_check(c, allowed)) != AX_OK || (rc = get_in(c, 1, 1, &a)) != AX_OK ||
            (rc = need_iconst(c, a, "axes", &axes, &na)) != AX_OK)
            return rc;
    }
    if ((rc = get_in(c, 0, 1, &x)) != AX_OK)
        return rc;
    if (x->kind == V_ACT)
        return node_fail(c, "Unsqueeze is supported on constants only (shape computations)");
    int r = v_rank(c, x);
    const int64_t *xd = v_dims(c, x);
    int rout = r + (int)na;
    if (rout > GRAPH_MAX_RANK)
        return node_fail(c, "result rank too large");
    int is_new[GRAPH_MAX_RANK] = {0};
    for (int64_t k = 0; k < na; k++) {
        int a = 0;
        if ((rc = norm_axis(c, axes[k], rout, 0, &a)) != AX_OK)
            return rc;
        if (is_new[a])
            return node_fail(c, "axis %d repeated", a);
        is_new[a] = 1;
    }
    int64_t dims[GRAPH_MAX_RANK];
    for (int i = 0, j = 0; i < rout; i++)
        dims[i] = is_new[i] ? 1 : xd[j++];
    return emit_reshape(c, x, rout, dims);
}

static int op_transpose(imp *c)
{
    static const char *const allowed[] = {"perm", NULL};
    int rc = attr_check(c, allowed);
    value *x;
    if (rc != AX_OK || (rc = get_in(c, 0, 1, &x)) != AX_OK)
        return rc;
    if (x->kind == V_ACT)
        return node_fail(c, "Transpose is supported on constants only (weights)");
    int r = v_rank(c, x);
    const int64_t *xd = v_dims(c, x);
    int perm[GRAPH_MAX_RANK];
    int present;
    size_t n;
    const int64_t *pv;
    if ((rc = attr_ints(c, "perm", &present, &n, &pv)) != AX_OK)
        return rc;
    int seen[GRAPH_MAX_RANK] = {0};
    if (present && (int)n != r)
        return node_fail(c, "'perm' has %zu values for rank %d", n, r);
    for (int i = 0; i < r; i++) {
        int64_t p = present ? pv[i] : r - 1 - i;
        if (p < 0 || p >= r || seen[p])
            return node_fail(c, "'perm' is not a permutation");
        seen[p] = 1;
        perm[i] = (int)p;
    }
    int64_t dims[GRAPH_MAX_RANK], instride[GRAPH_MAX_RANK];
    for (int i = 0; i < r; i++)
        dims[i] = xd[perm[i]];
    int64_t s = 1;
    for (int i = r - 1; i >= 0; i--) {
        instride[i] = s;
        s *= xd[i];
    }
    int64_t total = s;
    float *fd = NULL;
    int64_t *id = NULL;
    if (x->kind == V_ICONST)
        id = malloc((size_t)(total > 0 ? total : 1) * sizeof *id);
    else
        fd = malloc((size_t)(total > 0 ? total : 1) * sizeof *fd);
    if (!fd && !id)
        return oom(c);
    const float *fsrc = x->kind == V_FCONST ? vt(c, x)->data : NULL;
    int64_t idx[GRAPH_MAX_RANK] = {0};
    for (int64_t o = 0; o < total; o++) {
        int64_t off = 0;
        for (int i = 0; i < r; i++)
            off += idx[i] * instride[perm[i]];
        if (id)
            id[o] = x->iv[off];
        else
            fd[o] = fsrc[off];
        for (int i = r - 1; i >= 0; i--) {
            if (++idx[i] < dims[i])
                break;
            idx[i] = 0;
        }
    }
    if (id)
        return def_iconst(c, c->node->output[0], r, dims, id);
    return def_fconst(c, c->node->output[0], r, dims, fd);
}

/* ---------------------------------------------------------------- dispatch */

typedef struct op_entry {
    const char *name;
    int kind; /* which handler */
} op_entry;

enum {
    K_CONV, K_GEMM, K_MATMUL, K_RELU, K_CLIP, K_MAXPOOL, K_AVGPOOL, K_GAP, K_ADD, K_BN, K_FLATTEN,
    K_RESHAPE, K_IDENTITY, K_DROPOUT, K_SOFTMAX, K_CONCAT, K_PAD, K_CONSTANT, K_SHAPE, K_GATHER,
    K_UNSQUEEZE, K_TRANSPOSE
};

static const op_entry ops[] = {
    {"Conv", K_CONV},           {"Gemm", K_GEMM},         {"MatMul", K_MATMUL},
    {"Relu", K_RELU},           {"Clip", K_CLIP},         {"MaxPool", K_MAXPOOL},
    {"AveragePool", K_AVGPOOL}, {"GlobalAveragePool", K_GAP}, {"Add", K_ADD},
    {"BatchNormalization", K_BN}, {"Flatten", K_FLATTEN}, {"Reshape", K_RESHAPE},
    {"Identity", K_IDENTITY},   {"Dropout", K_DROPOUT},   {"Softmax", K_SOFTMAX},
    {"Concat", K_CONCAT},       {"Pad", K_PAD},           {"Constant", K_CONSTANT},
    {"Shape", K_SHAPE},         {"Gather", K_GATHER},     {"Unsqueeze", K_UNSQUEEZE},
    {"Transpose", K_TRANSPOSE},
};

static int import_node(imp *c)
{
    const Onnx__NodeProto *n = c->node;
    if (!n->op_type)
        return node_fail(c, "no op_type");
    if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx"))
        return node_fail(c, "operator domain '%s' is not supported (only the default ONNX domain)", n->domain);
    if (n->n_output < 1 || !n->output[0] || !n->output[0][0])
        return node_fail(c, "no output");
    int kind = -1;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(ops[i].name, n->op_type))
            kind = ops[i].kind;
    if (kind < 0)
        return node_fail(c, "operator not supported (supported: Conv, Gemm, MatMul, Relu, Clip, MaxPool, "
                            "AveragePool, GlobalAveragePool, Add, BatchNormalization, Flatten, Reshape, "
                            "Identity, Dropout, Softmax, Concat, Pad, Constant; Shape, Gather, Unsqueeze, "
                            "Transpose on constants)");
    if (kind != K_MAXPOOL && kind != K_BN && kind != K_DROPOUT && n->n_output != 1)
        return node_fail(c, "%zu outputs; one expected", n->n_output);
    switch (kind) {
    case K_CONV: return op_conv(c);
    case K_GEMM: return op_gemm(c);
    case K_MATMUL: return op_matmul(c);
    case K_RELU: return op_unary(c, GRAPH_OP_RELU);
    case K_CLIP: return op_unary(c, GRAPH_OP_CLIP);
    case K_MAXPOOL: return op_pool(c, 1);
    case K_AVGPOOL: return op_pool(c, 0);
    case K_GAP: return op_global_avg(c);
    case K_ADD: return op_add(c);
    case K_BN: return op_batchnorm(c);
    case K_FLATTEN: return op_flatten(c);
    case K_RESHAPE: return op_reshape(c);
    case K_IDENTITY: return op_identity(c, 0);
    case K_DROPOUT: return op_identity(c, 1);
    case K_SOFTMAX: return op_softmax(c);
    case K_CONCAT: return op_concat(c);
    case K_PAD: return op_pad(c);
    case K_CONSTANT: return op_constant(c);
    case K_SHAPE: return op_shape(c);
    case K_GATHER: return op_gather(c);
    case K_UNSQUEEZE: return op_unsqueeze(c);
    case K_TRANSPOSE: return op_transpose(c);
    }
    return node_fail(c, "internal: no handler");
}

/* ---------------------------------------------------------------- passes */

/* BatchNormalization right after a Conv whose output feeds only it: scale
 * the Conv's weights and shift its bias (computed in double, rounded once). */
static int fold_batchnorm(imp *c)
{
    graph *g = c->g;
    for (int i = 0; i < g->n_nodes; i++) {
        graph_node *bn = &g->nodes[i];
        if (bn->op != GRAPH_OP_BATCHNORM)
            continue;
        int x = bn->in[0], p = g->tensors[x].producer;
        if (p < 0 || g->nodes[p].op != GRAPH_OP_CONV || graph_use_count(g, x) != 1)
            continue;
        graph_node *cv = &g->nodes[p];
        int ok = graph_is_const(g, cv->in[1]) && graph_is_const(g, cv->in[2]);
        for (int k = 1; k < 5; k++)
            ok &= graph_is_const(g, bn->in[k]);
        if (!ok)
            continue;
        const graph_tensor *w = &g->tensors[cv->in[1]];
        int64_t M = w->dims[0], per = graph_tensor_numel(g, cv->in[1], 1) / (M > 0 ? M : 1);
        const float *s = g->tensors[bn->in[1]].data, *b = g->tensors[bn->in[2]].data,
                    *mean = g->tensors[bn->in[3]].data, *var = g->tensors[bn->in[4]].data,
                    *ob = g->tensors[cv->in[2]].data;
        float *nw = malloc((size_t)(M * per > 0 ? M * per : 1) * sizeof *nw);
        float *nb = malloc((size_t)(M > 0 ? M : 1) * sizeof *nb);
        if (!nw || !nb) {
            free(nw);
            free(nb);
            return oom(c);
        }
        for (int64_t m = 0; m < M; m++) {
            double a = (double)s[m] / sqrt((double)var[m] + (double)bn->a.bn.epsilon);
            for (int64_t k = 0; k < per; k++)
                nw[m * per + k] = (float)((double)w->data[m * per + k] * a);
            nb[m] = (float)(((double)ob[m] - (double)mean[m]) * a + (double)b[m]);
        }
        char name[300];
        snprintf(name, sizeof name, "%s/bn_folded", w->name);
        int64_t wd[GRAPH_MAX_RANK];
        memcpy(wd, w->dims, sizeof wd);
        int wr = w->rank, tw, tb;
        int rc = new_tensor(c, name, wr, wd, nw, &tw);
        if (rc != AX_OK) {
            free(nb);
            return rc;
        }
        snprintf(name, sizeof name, "%s/bn_folded_bias", g->tensors[bn->out].name);
        if ((rc = new_tensor(c, name, 1, &M, nb, &tb)) != AX_OK)
            return rc;
        /* the tensors array may have moved; re-fetch the nodes */
        cv = &g->nodes[p];
        bn = &g->nodes[i];
        cv->in[1] = tw;
        cv->in[2] = tb;
        cv->out = bn->out;
        g->tensors[bn->out].producer = p;
        graph_remove_node(g, i);
        i--;
    }
    return AX_OK;
}

/* Removes nodes whose output nobody reads (folded or dangling branches). */
static void remove_dead(graph *g)
{
    for (int i = g->n_nodes - 1; i >= 0; i--)
        if (graph_use_count(g, g->nodes[i].out) == 0)
            graph_remove_node(g, i);
}

/* ---------------------------------------------------------------- model */

static int read_meta(imp *c, const Onnx__ModelProto *m)
{
    for (size_t i = 0; i < m->n_metadata_props; i++) {
        const Onnx__StringStringEntryProto *e = m->metadata_props[i];
        if (!e->key || !e->value)
            continue;
        int rc = AX_OK;
        if (!strcmp(e->key, "axsearch.input_mean") || !strcmp(e->key, "axsearch.input_std"))
            rc = graph_parse_norm(c->g, !strcmp(e->key, "axsearch.input_std"), e->value, e->key, c->err);
        if (rc != AX_OK)
            return ax_err_prefix(c->err, "%s: metadata", c->what);
    }
    return AX_OK;
}

static int is_defined(imp *c, const char *name)
{
    return find_value(c, name) != NULL;
}

static int define_input(imp *c, const Onnx__ValueInfoProto *vi, int first)
{
    const char *name = vi->name ? vi->name : "";
    if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !vi->type->tensor_type)
        return ax_fail(c->err, AX_EINPUT, "%s: graph input '%s' is not a tensor", c->what, name);
    const Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;
    if (tt->has_elem_type && tt->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return ax_fail(c->err, AX_EINPUT, "%s: graph input '%s' has element type %d; only float inputs are supported",
                       c->what, name, tt->elem_type);
    if (!tt->shape)
        return ax_fail(c->err, AX_EINPUT, "%s: graph input '%s' has no shape", c->what, name);
    if (tt->shape->n_dim > GRAPH_MAX_RANK)
        return ax_fail(c->err, AX_EINPUT, "%s: graph input '%s' has rank %zu", c->what, name, tt->shape->n_dim);
    int rank = (int)tt->shape->n_dim;
    int64_t dims[GRAPH_MAX_RANK];
    if (c->batched && rank < 1)
        return ax_fail(c->err, AX_EINPUT, "%s: graph input '%s' is a scalar; a batch of images is expected",
                       c->what, name);
    for (int d = 0; d < rank; d++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
        int known = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        if (c->batched && d == 0) {
            dims[0] = GRAPH_DIM_BATCH;
            if (first)
                c->declared_batch = known ? dim->dim_value : 0;
            continue;
        }
        if (!known || dim->dim_value < 0 || dim->dim_value > (1 << 30))
            return ax_fail(c->err, AX_EINPUT, "%s: graph input '%s' dimension %d is %s%s%s; only %s may be symbolic",
                           c->what, name, d, known ? "invalid" : "symbolic",
                           !known && dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM ? " " : "",
                           !known && dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                               ? dim->dim_param : "",
                           c->batched ? "the batch dimension (0)" : "nothing (unbatched import)");
        dims[d] = dim->dim_value;
    }
    value v = {0};
    v.kind = V_ACT;
    int rc = new_tensor(c, name, rank, dims, NULL, &v.tensor);
    if (rc != AX_OK)
        return rc;
    int *p = realloc(c->g->inputs, (size_t)(c->g->n_inputs + 1) * sizeof *p);
    if (!p)
        return oom(c);
    c->g->inputs = p;
    p[c->g->n_inputs++] = v.tensor;
    return def_value(c, name, v);
}

static int check_output(imp *c, const Onnx__ValueInfoProto *vi, int t)
{
    const graph_tensor *x = &c->g->tensors[t];
    if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !vi->type->tensor_type)
        return AX_OK;
    const Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;
    if (tt->has_elem_type && tt->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return ax_fail(c->err, AX_EINPUT, "%s: graph output '%s' is declared with element type %d, not float",
                       c->what, x->name, tt->elem_type);
    if (!tt->shape)
        return AX_OK;
    int ok = (int)tt->shape->n_dim == x->rank;
    for (int d = 0; ok && d < x->rank; d++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
        if (dim->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            continue;
        if (x->dims[d] == GRAPH_DIM_BATCH)
            continue;
        ok = dim->dim_value == x->dims[d];
    }
    if (!ok) {
        char have[200], want[200] = "[";
        fmt_dims(have, sizeof have, x->rank, x->dims);
        for (size_t d = 0; d < tt->shape->n_dim; d++) {
            const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
            size_t o = strlen(want);
            if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
                snprintf(want + o, sizeof want - o, "%s%lld", d ? "," : "", (long long)dim->dim_value);
            else
                snprintf(want + o, sizeof want - o, "%s?", d ? "," : "");
        }
        size_t o = strlen(want);
        snprintf(want + o, sizeof want - o, "]");
        return ax_fail(c->err, AX_EINPUT, "%s: graph output '%s' is declared %s but the operators give %s",
                       c->what, x->name, want, have);
    }
    return AX_OK;
}

/* The default-domain opset the model imports (IR v1/v2 models predate
 * opset_import: 1), if supported. */
static int read_opset(imp *c, const Onnx__ModelProto *m)
{
    c->opset = -1;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if (!o->domain || !o->domain[0] || !strcmp(o->domain, "ai.onnx"))
            c->opset = o->has_version ? (int)o->version : -1;
    }
    if (c->opset < 0 && m->n_opset_import == 0 && (!m->has_ir_version || m->ir_version < 3))
        c->opset = 1;
    if (c->opset < OPSET_MIN || c->opset > OPSET_MAX)
        return ax_fail(c->err, AX_EINPUT, "%s: default-domain opset %d is not supported (%d..%d)", c->what,
                       c->opset, OPSET_MIN, OPSET_MAX);
    return AX_OK;
}

/* The caller's bindings (onnx_import_opts.bind) as constants; each must
 * name a graph input. */
static int define_bindings(imp *c, const Onnx__GraphProto *gp)
{
    for (int b = 0; c->opts && b < c->opts->n_bind; b++) {
        const onnx_tensor *t = &c->opts->bind[b];
        int found = 0, rc;
        for (size_t i = 0; i < gp->n_input && !found; i++)
            found = gp->input[i]->name && !strcmp(gp->input[i]->name, t->name);
        if (!found)
            return ax_fail(c->err, AX_EINPUT, "%s: no graph input named '%s' to bind", c->what, t->name);
        if (t->is_int) {
            int64_t *iv = malloc((size_t)(t->numel > 0 ? t->numel : 1) * sizeof *iv);
            if (!iv)
                return oom(c);
            if (t->numel > 0)
                memcpy(iv, t->i, (size_t)t->numel * sizeof *iv);
            rc = def_iconst(c, t->name, t->rank, t->dims, iv);
        } else {
            float *d = copy_floats(t->f, t->numel);
            if (!d)
                return oom(c);
            rc = def_fconst(c, t->name, t->rank, t->dims, d);
        }
        if (rc != AX_OK)
            return rc;
    }
    return AX_OK;
}

/* The initializers as constants, but for those bound by the caller. */
static int define_initializers(imp *c, const Onnx__GraphProto *gp)
{
    int n_bound = c->n_vals; /* the values before are the caller's bindings */
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *tp = gp->initializer[i];
        if (!tp->name || !tp->name[0])
            return ax_fail(c->err, AX_EINPUT, "%s: initializer %zu has no name", c->what, i);
        const value *known = find_value(c, tp->name);
        if (known && known - c->vals >= n_bound)
            return ax_fail(c->err, AX_EINPUT, "%s: initializer %zu: the name '%s' is given to two initializers",
                           c->what, i, tp->name);
        if (known)
            continue;
        onnx_tensor t;
        int rc = tensor_from_proto(tp, c->what, &t, c->err);
        if (rc == AX_OK)
            rc = check_finite(c, &t, "initializer", tp->name);
        if (rc != AX_OK) {
            onnx_tensor_clear(&t);
            return rc;
        }
        if (t.is_int) {
            rc = def_iconst(c, tp->name, t.rank, t.dims, t.i);
            t.i = NULL;
        } else {
            rc = def_fconst(c, tp->name, t.rank, t.dims, t.f);
            t.f = NULL;
        }
        onnx_tensor_clear(&t);
        if (rc != AX_OK)
            return rc;
    }
    return AX_OK;
}

/* The graph inputs nothing above defined: the network's inputs (the
 * first one takes the images when batched). */
static int define_inputs(imp *c, const Onnx__GraphProto *gp)
{
    int first = 1;
    for (size_t i = 0; i < gp->n_input; i++) {
        const char *name = gp->input[i]->name;
        if (!name || !name[0])
            return ax_fail(c->err, AX_EINPUT, "%s: graph input %zu has no name", c->what, i);
        if (is_defined(c, name))
            continue;
        int rc = define_input(c, gp->input[i], first);
        if (rc != AX_OK)
            return rc;
        first = 0;
    }
    if (c->batched && c->g->n_inputs == 0)
        return ax_fail(c->err, AX_EINPUT, "%s: the model has no input to feed images to", c->what);
    return AX_OK;
}

/* The graph outputs: each must be an activation some node produces, of
 * the declared shape. */
static int define_outputs(imp *c, const Onnx__GraphProto *gp)
{
    if (gp->n_output == 0)
        return ax_fail(c->err, AX_EINPUT, "%s: the graph has no outputs", c->what);
    c->g->outputs = malloc(gp->n_output * sizeof *c->g->outputs);
    if (!c->g->outputs)
        return oom(c);
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = gp->output[i]->name ? gp->output[i]->name : "";
        value *v = find_value(c, name);
        if (!v)
            return ax_fail(c->err, AX_EINPUT, "%s: graph output '%s' is not produced by any node", c->what, name);
        if (v->kind == V_BAD)
            return ax_fail(c->err, AX_EINPUT, "%s: graph output '%s' is %s, which is not supported", c->what,
                           name, v->why);
        if (v->kind != V_ACT)
            return ax_fail(c->err, AX_EINPUT, "%s: graph output '%s' is a constant; it does not depend on the input",
                           c->what, name);
        int rc = check_output(c, gp->output[i], v->tensor);
        if (rc != AX_OK)
            return rc;
        c->g->outputs[c->g->n_outputs++] = v->tensor;
    }
    return AX_OK;
}

static int import_model(imp *c, const Onnx__ModelProto *m)
{
    const Onnx__GraphProto *gp = m->graph;
    if (!gp)
        return ax_fail(c->err, AX_EINPUT, "%s: the model has no graph", c->what);
    int rc = read_opset(c, m);
    if (rc != AX_OK)
        return rc;
    c->g->opset = c->opset;
    c->g->batched = c->batched;
    if ((rc = read_meta(c, m)) != AX_OK)
        return rc;
    if (gp->n_sparse_initializer)
        return ax_fail(c->err, AX_EINPUT, "%s: sparse initializers are not supported", c->what);
    if (gp->n_node == 0)
        return ax_fail(c->err, AX_EINPUT, "%s: the graph has no nodes", c->what);
    /* Bindings, then initializers, then the remaining inputs. */
    if ((rc = define_bindings(c, gp)) != AX_OK || (rc = define_initializers(c, gp)) != AX_OK ||
        (rc = define_inputs(c, gp)) != AX_OK)
        return rc;
    if ((rc = graph_check_norm(c->g, "axsearch.input_mean", "axsearch.input_std", c->err)) != AX_OK)
        return ax_err_prefix(c->err, "%s", c->what);
    for (size_t i = 0; i < gp->n_node; i++) {
        c->node_index = (int)i;
        c->node = gp->node[i];
        if ((rc = import_node(c)) != AX_OK)
            return rc;
    }
    c->node = NULL;
    if ((rc = define_outputs(c, gp)) != AX_OK || (rc = fold_batchnorm(c)) != AX_OK)
        return rc;
    remove_dead(c->g);
    if ((rc = graph_compact(c->g, c->err)) != AX_OK)
        return rc;
    if ((rc = graph_validate(c->g, c->err)) != AX_OK)
        return ax_err_prefix(c->err, "%s", c->what);
    return AX_OK;
}

int onnx_import_buffer(const void *data, size_t len, const char *what, const onnx_import_opts *opts,
                       graph **out, ax_err *err)
{
    *out = NULL;
    if (!what)
        what = "model";
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, data);
    if (!m)
        return ax_fail(err, AX_EINPUT, "%s: not a valid ONNX model (protobuf parsing failed: truncated or corrupted file)",
                       what);
    imp c;
    memset(&c, 0, sizeof c);
    c.what = what;
    c.opts = opts;
    c.batched = opts ? opts->batched != 0 : 0;
    c.err = err;
    c.g = graph_create();
    int rc = c.g ? import_model(&c, m) : oom(&c);
    for (int i = 0; i < c.n_vals; i++) {
        free(c.vals[i].iv);
        free(c.vals[i].why);
    }
    free(c.vals);
    onnx__model_proto__free_unpacked(m, NULL);
    if (rc != AX_OK) {
        graph_free(c.g);
        return rc;
    }
    *out = c.g;
    return AX_OK;
}

int onnx_import_file(const char *path, const onnx_import_opts *opts, graph **out, ax_err *err)
{
    *out = NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = fio_read_all(path, FIO_MAX_MODEL, &buf, &len, err);
    if (rc != AX_OK)
        return rc;
    rc = onnx_import_buffer(buf, len, path, opts, out, err);
    free(buf);
    return rc;
}
