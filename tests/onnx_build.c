#include "tests/onnx_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitness/net/onnx_import.h"
#include "onnx/onnx.pb-c.h"

struct ob_node {
    ob_model *m;
    Onnx__NodeProto *p;
};

struct ob_model {
    void **blocks; /* arena: every allocation, freed by ob_free */
    size_t n_blocks, cap_blocks;
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opset_list[1];
    ob_node *nodes;
    size_t n_nodes;
};

static void *arena(ob_model *m, size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p)
        abort();
    if (m->n_blocks == m->cap_blocks) {
        m->cap_blocks = m->cap_blocks ? 2 * m->cap_blocks : 64;
        m->blocks = realloc(m->blocks, m->cap_blocks * sizeof *m->blocks);
        if (!m->blocks)
            abort();
    }
    m->blocks[m->n_blocks++] = p;
    return p;
}

static char *str(ob_model *m, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena(m, n);
    memcpy(d, s, n);
    return d;
}

/* Appends item to a protobuf-c repeated field (pointer array + count). */
static void push(ob_model *m, void ***arr, size_t *n, void *item)
{
    void **p = arena(m, (*n + 1) * sizeof *p);
    if (*n)
        memcpy(p, *arr, *n * sizeof *p);
    p[(*n)++] = item;
    *arr = p;
}

ob_model *ob_new(int opset)
{
    ob_model *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    Onnx__ModelProto mi = ONNX__MODEL_PROTO__INIT;
    Onnx__GraphProto gi = ONNX__GRAPH_PROTO__INIT;
    Onnx__OperatorSetIdProto oi = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    m->model = mi;
    m->graph = gi;
    m->opset = oi;
    m->opset.domain = str(m, "");
    m->opset.has_version = 1;
    m->opset.version = opset;
    m->opset_list[0] = &m->opset;
    m->model.has_ir_version = 1;
    m->model.ir_version = 7;
    m->model.n_opset_import = 1;
    m->model.opset_import = m->opset_list;
    m->model.producer_name = str(m, "axsearch-tests");
    m->model.graph = &m->graph;
    m->graph.name = str(m, "test");
    return m;
}

void ob_free(ob_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_blocks; i++)
        free(m->blocks[i]);
    free(m->blocks);
    free(m);
}

static Onnx__ValueInfoProto *value_info(ob_model *m, const char *name, int rank, const int64_t *dims)
{
    Onnx__ValueInfoProto *v = arena(m, sizeof *v);
    Onnx__ValueInfoProto vi = ONNX__VALUE_INFO_PROTO__INIT;
    *v = vi;
    v->name = str(m, name);
    Onnx__TypeProto *t = arena(m, sizeof *t);
    Onnx__TypeProto ti = ONNX__TYPE_PROTO__INIT;
    *t = ti;
    Onnx__TypeProto__Tensor *tt = arena(m, sizeof *tt);
    Onnx__TypeProto__Tensor tti = ONNX__TYPE_PROTO__TENSOR__INIT;
    *tt = tti;
    tt->has_elem_type = 1;
    tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    if (rank >= 0) {
        Onnx__TensorShapeProto *s = arena(m, sizeof *s);
        Onnx__TensorShapeProto si = ONNX__TENSOR_SHAPE_PROTO__INIT;
        *s = si;
        for (int i = 0; i < rank; i++) {
            Onnx__TensorShapeProto__Dimension *d = arena(m, sizeof *d);
            Onnx__TensorShapeProto__Dimension di = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
            *d = di;
            if (dims[i] == OB_DYN) {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                d->dim_param = str(m, "N");
            } else {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                d->dim_value = dims[i];
            }
            push(m, (void ***)&s->dim, &s->n_dim, d);
        }
        tt->shape = s;
    }
    t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    t->tensor_type = tt;
    v->type = t;
    return v;
}

void ob_input(ob_model *m, const char *name, int rank, const int64_t *dims)
{
    push(m, (void ***)&m->graph.input, &m->graph.n_input, value_info(m, name, rank, dims));
}

void ob_output(ob_model *m, const char *name, int rank, const int64_t *dims)
{
    push(m, (void ***)&m->graph.output, &m->graph.n_output, value_info(m, name, rank, dims));
}

static Onnx__TensorProto *tensor(ob_model *m, const char *name, int rank, const int64_t *dims, const float *f,
                                 const int64_t *iv)
{
    Onnx__TensorProto *t = arena(m, sizeof *t);
    Onnx__TensorProto ti = ONNX__TENSOR_PROTO__INIT;
    *t = ti;
    t->name = str(m, name);
    t->n_dims = (size_t)rank;
    t->dims = arena(m, (size_t)(rank > 0 ? rank : 1) * sizeof *t->dims);
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        t->dims[i] = dims[i];
        n *= (size_t)dims[i];
    }
    t->has_data_type = 1;
    if (f) {
        t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
        t->n_float_data = n;
        t->float_data = arena(m, n * sizeof *f);
        memcpy(t->float_data, f, n * sizeof *f);
    } else {
        t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
        t->n_int64_data = n;
        t->int64_data = arena(m, n * sizeof *iv);
        memcpy(t->int64_data, iv, n * sizeof *iv);
    }
    return t;
}

void ob_init_f(ob_model *m, const char *name, int rank, const int64_t *dims, const float *data)
{
    push(m, (void ***)&m->graph.initializer, &m->graph.n_initializer, tensor(m, name, rank, dims, data, NULL));
}

void ob_init_i(ob_model *m, const char *name, int rank, const int64_t *dims, const int64_t *data)
{
    push(m, (void ***)&m->graph.initializer, &m->graph.n_initializer, tensor(m, name, rank, dims, NULL, data));
}

void ob_meta(ob_model *m, const char *key, const char *value)
{
    Onnx__StringStringEntryProto *e = arena(m, sizeof *e);
    Onnx__StringStringEntryProto ei = ONNX__STRING_STRING_ENTRY_PROTO__INIT;
    *e = ei;
    e->key = str(m, key);
    e->value = str(m, value);
    push(m, (void ***)&m->model.metadata_props, &m->model.n_metadata_props, e);
}

static void split(ob_model *m, const char *list, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!list || !list[0])
        return;
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *s = arena(m, len + 1);
        memcpy(s, p, len);
        push(m, (void ***)out, n, s);
        if (!e)
            break;
        p = e + 1;
    }
}

ob_node *ob_node_add(ob_model *m, const char *op, const char *name, const char *inputs, const char *outputs)
{
    Onnx__NodeProto *p = arena(m, sizeof *p);
    Onnx__NodeProto pi = ONNX__NODE_PROTO__INIT;
    *p = pi;
    p->op_type = str(m, op);
    p->name = str(m, name ? name : "");
    split(m, inputs, &p->input, &p->n_input);
    split(m, outputs, &p->output, &p->n_output);
    push(m, (void ***)&m->graph.node, &m->graph.n_node, p);
    ob_node *n = arena(m, sizeof *n);
    n->m = m;
    n->p = p;
    return n;
}

static Onnx__AttributeProto *attr(ob_node *n, const char *name, Onnx__AttributeProto__AttributeType type)
{
    Onnx__AttributeProto *a = arena(n->m, sizeof *a);
    Onnx__AttributeProto ai = ONNX__ATTRIBUTE_PROTO__INIT;
    *a = ai;
    a->name = str(n->m, name);
    a->has_type = 1;
    a->type = type;
    push(n->m, (void ***)&n->p->attribute, &n->p->n_attribute, a);
    return a;
}

void ob_attr_i(ob_node *n, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}

void ob_attr_f(ob_node *n, const char *name, float v)
{
    Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
}

void ob_attr_s(ob_node *n, const char *name, const char *v)
{
    Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    a->has_s = 1;
    a->s.len = strlen(v);
    a->s.data = (uint8_t *)str(n->m, v);
}

void ob_attr_ints(ob_node *n, const char *name, int count, const int64_t *v)
{
    Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = (size_t)count;
    a->ints = arena(n->m, (size_t)(count > 0 ? count : 1) * sizeof *v);
    memcpy(a->ints, v, (size_t)count * sizeof *v);
}

void ob_attr_tensor_f(ob_node *n, const char *name, int rank, const int64_t *dims, const float *data)
{
    Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
    a->t = tensor(n->m, "", rank, dims, data, NULL);
}

void ob_attr_tensor_i(ob_node *n, const char *name, int rank, const int64_t *dims, const int64_t *data)
{
    Onnx__AttributeProto *a = attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
    a->t = tensor(n->m, "", rank, dims, NULL, data);
}

unsigned char *ob_pack(ob_model *m, size_t *len)
{
    *len = onnx__model_proto__get_packed_size(&m->model);
    unsigned char *buf = malloc(*len ? *len : 1);
    if (!buf)
        abort();
    onnx__model_proto__pack(&m->model, buf);
    return buf;
}

graph *ob_import(ob_model *m, const char *name, ax_err *err)
{
    size_t len;
    unsigned char *bytes = ob_pack(m, &len);
    graph *g = NULL;
    onnx_import_opts io = {1, 0, NULL};
    if (onnx_import_buffer(bytes, len, name, &io, &g, err) != AX_OK)
        g = NULL;
    free(bytes);
    return g;
}

int ob_write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}

int ob_write(ob_model *m, const char *path)
{
    size_t len;
    unsigned char *buf = ob_pack(m, &len);
    int rc = ob_write_bytes(path, buf, len);
    free(buf);
    return rc;
}

unsigned char *ob_pack_tensor_f(const char *name, int rank, const int64_t *dims, const float *data, size_t *len)
{
    ob_model *m = ob_new(13);
    Onnx__TensorProto *t = tensor(m, name, rank, dims, data, NULL);
    *len = onnx__tensor_proto__get_packed_size(t);
    unsigned char *buf = malloc(*len ? *len : 1);
    if (!buf)
        abort();
    onnx__tensor_proto__pack(t, buf);
    ob_free(m);
    return buf;
}
