#include "fitness/net/graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitness/net/idx.h"

graph *graph_create(void)
{
    graph *g = calloc(1, sizeof *g);
    if (g) {
        g->n_input_mean = g->n_input_std = 1;
        g->input_mean[0] = 0.0f;
        g->input_std[0] = 1.0f;
    }
    return g;
}

int graph_input_channels(const graph *g)
{
    if (g->n_inputs < 1)
        return 1;
    const graph_tensor *x = &g->tensors[g->inputs[0]];
    return x->rank == 4 && x->dims[1] > 0 ? (int)x->dims[1] : 1;
}

void graph_input_norm(const graph *g, int c, float *mean, float *std)
{
    *mean = g->input_mean[g->n_input_mean > 1 && c < g->n_input_mean ? c : 0];
    *std = g->input_std[g->n_input_std > 1 && c < g->n_input_std ? c : 0];
}

int graph_parse_norm(graph *g, int is_std, const char *text, const char *name, ax_err *err)
{
    float v[GRAPH_MAX_NORM];
    int n = 0;
    const char *p = text;
    for (;;) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || !isfinite(x))
            return ax_fail(err, AX_EINPUT, "%s = '%s' is not a number or a comma list of numbers", name, text);
        if (is_std && !(x > 0))
            return ax_fail(err, AX_EINPUT, "%s must be > 0 (value %d is %g)", name, n + 1, x);
        if (n == GRAPH_MAX_NORM)
            return ax_fail(err, AX_EINPUT, "%s lists more than %d values", name, GRAPH_MAX_NORM);
        v[n++] = (float)x;
        while (*end == ' ' || *end == '\t')
            end++;
        if (!*end)
            break;
        if (*end != ',')
            return ax_fail(err, AX_EINPUT, "%s = '%s' is not a number or a comma list of numbers", name, text);
        p = end + 1;
    }
    memcpy(is_std ? g->input_std : g->input_mean, v, (size_t)n * sizeof *v);
    *(is_std ? &g->n_input_std : &g->n_input_mean) = n;
    return AX_OK;
}

int graph_check_norm(const graph *g, const char *mean_name, const char *std_name, ax_err *err)
{
    int channels = graph_input_channels(g);
    const struct {
        const char *name;
        int n;
    } lists[] = {{mean_name, g->n_input_mean}, {std_name, g->n_input_std}};
    for (int i = 0; i < 2; i++)
        if (lists[i].n > 1 && lists[i].n != channels)
            return ax_fail(err, AX_EINPUT, "%s lists %d values for an input of %d channel%s", lists[i].name,
                           lists[i].n, channels, channels == 1 ? "" : "s");
    return AX_OK;
}

static size_t list_text(const float *v, int n, char *buf, size_t size)
{
    size_t used = 0;
    for (int i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%g", i ? "," : "", (double)v[i]);
    return used < size ? used : size;
}

void graph_input_norm_text(const graph *g, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "mean ");
    used += list_text(g->input_mean, g->n_input_mean, buf + used, size - used);
    used += used < size ? (size_t)snprintf(buf + used, size - used, " std ") : 0;
    if (used < size)
        list_text(g->input_std, g->n_input_std, buf + used, size - used);
}

void graph_input_from_pixels(const graph *g, const uint8_t *pixels, int64_t n, float *out)
{
    int channels = graph_input_channels(g);
    int64_t plane = graph_tensor_image_numel(g, g->inputs[0]) / channels;
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < channels; c++) {
            float mean, std;
            graph_input_norm(g, c, &mean, &std);
            int64_t at = (i * channels + c) * plane;
            idx_to_float(pixels + at, plane, mean, std, out + at);
        }
}

static void free_node(graph_node *n)
{
    free(n->name);
    free(n->in);
}

void graph_free(graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_tensors; i++) {
        free(g->tensors[i].name);
        free(g->tensors[i].data);
    }
    for (int i = 0; i < g->n_nodes; i++)
        free_node(&g->nodes[i]);
    free(g->tensors);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g);
}

/* Growth by doubling; capacities are not stored, so grow whenever the count
 * reaches a power of two (or is 0). */
static int grow(void **arr, int count, size_t elem)
{
    if (count != 0 && (count & (count - 1)) != 0)
        return 0;
    size_t cap = count ? (size_t)count * 2 : 8;
    if (count && count < 8)
        return 0;
    void *p = realloc(*arr, cap * elem);
    if (!p)
        return -1;
    *arr = p;
    return 0;
}

int graph_add_tensor(graph *g, const char *name, int rank, const int64_t *dims, float *data)
{
    /* dims and name may point into g->tensors, which grow() can move */
    int64_t d[GRAPH_MAX_RANK] = {0};
    char *nm = strdup(name ? name : "");
    if (rank >= 0 && rank <= GRAPH_MAX_RANK)
        for (int i = 0; i < rank; i++)
            d[i] = dims[i];
    if (!nm || rank < 0 || rank > GRAPH_MAX_RANK || grow((void **)&g->tensors, g->n_tensors, sizeof *g->tensors)) {
        free(nm);
        free(data);
        return -1;
    }
    graph_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = nm;
    t->rank = rank;
    for (int i = 0; i < rank; i++)
        t->dims[i] = d[i];
    t->data = data;
    t->producer = -1;
    return g->n_tensors++;
}

int graph_add_node(graph *g, graph_op op, const char *name, int onnx_index,
                   int n_in, const int *in, int out)
{
    if (grow((void **)&g->nodes, g->n_nodes, sizeof *g->nodes))
        return -1;
    graph_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->onnx_index = onnx_index;
    n->name = strdup(name ? name : "");
    n->in = malloc((size_t)(n_in > 0 ? n_in : 1) * sizeof *n->in);
    if (!n->name || !n->in) {
        free_node(n);
        return -1;
    }
    if (n_in > 0)
        memcpy(n->in, in, (size_t)n_in * sizeof *in);
    n->n_in = n_in;
    n->out = out;
    g->tensors[out].producer = g->n_nodes;
    return g->n_nodes++;
}

void graph_remove_node(graph *g, int i)
{
    if (i < 0 || i >= g->n_nodes)
        return;
    if (g->tensors[g->nodes[i].out].producer == i)
        g->tensors[g->nodes[i].out].producer = -1;
    free_node(&g->nodes[i]);
    memmove(&g->nodes[i], &g->nodes[i + 1], (size_t)(g->n_nodes - i - 1) * sizeof *g->nodes);
    g->n_nodes--;
    for (int j = i; j < g->n_nodes; j++)
        g->tensors[g->nodes[j].out].producer = j;
}

int graph_compact(graph *g, ax_err *err)
{
    int *map = malloc((size_t)(g->n_tensors > 0 ? g->n_tensors : 1) * sizeof *map);
    if (!map)
        return ax_fail(err, AX_EINTERNAL, "graph: out of memory");
    for (int t = 0; t < g->n_tensors; t++)
        map[t] = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        for (int k = 0; k < g->nodes[i].n_in; k++)
            map[g->nodes[i].in[k]] = 1;
        map[g->nodes[i].out] = 1;
    }
    for (int i = 0; i < g->n_inputs; i++)
        map[g->inputs[i]] = 1;
    for (int i = 0; i < g->n_outputs; i++)
        map[g->outputs[i]] = 1;
    int n = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        if (map[t]) {
            g->tensors[n] = g->tensors[t];
            map[t] = n++;
        } else {
            free(g->tensors[t].name);
            free(g->tensors[t].data);
            map[t] = -1;
        }
    }
    g->n_tensors = n;
    for (int i = 0; i < g->n_nodes; i++) {
        for (int k = 0; k < g->nodes[i].n_in; k++)
            g->nodes[i].in[k] = map[g->nodes[i].in[k]];
        g->nodes[i].out = map[g->nodes[i].out];
    }
    for (int i = 0; i < g->n_inputs; i++)
        g->inputs[i] = map[g->inputs[i]];
    for (int i = 0; i < g->n_outputs; i++)
        g->outputs[i] = map[g->outputs[i]];
    free(map);
    /* Keep the doubling invariant of grow(): shrink the array to a size it
     * would have had. */
    if (n > 0) {
        size_t cap = 8;
        while (cap < (size_t)n)
            cap *= 2;
        void *p = realloc(g->tensors, cap * sizeof *g->tensors);
        if (p)
            g->tensors = p;
    }
    return AX_OK;
}

const char *graph_op_name(graph_op op)
{
    static const char *const names[GRAPH_OP_COUNT] = {
        [GRAPH_OP_CONV] = "Conv",
        [GRAPH_OP_GEMM] = "Gemm",
        [GRAPH_OP_MATMUL] = "MatMul",
        [GRAPH_OP_RELU] = "Relu",
        [GRAPH_OP_CLIP] = "Clip",
        [GRAPH_OP_MAXPOOL] = "MaxPool",
        [GRAPH_OP_AVGPOOL] = "AveragePool",
        [GRAPH_OP_GLOBALAVGPOOL] = "GlobalAveragePool",
        [GRAPH_OP_ADD] = "Add",
        [GRAPH_OP_BATCHNORM] = "BatchNormalization",
        [GRAPH_OP_RESHAPE] = "Reshape",
        [GRAPH_OP_SOFTMAX] = "Softmax",
        [GRAPH_OP_CONCAT] = "Concat",
        [GRAPH_OP_PAD] = "Pad",
    };
    if ((int)op < 0 || op >= GRAPH_OP_COUNT)
        return "?";
    return names[op];
}

int64_t graph_tensor_numel(const graph *g, int t, int64_t n)
{
    const graph_tensor *x = &g->tensors[t];
    int64_t e = 1;
    for (int i = 0; i < x->rank; i++)
        e *= x->dims[i] == GRAPH_DIM_BATCH ? n : x->dims[i];
    return e;
}

int64_t graph_tensor_image_numel(const graph *g, int t)
{
    const graph_tensor *x = &g->tensors[t];
    int64_t e = 1;
    for (int i = 0; i < x->rank; i++)
        if (x->dims[i] != GRAPH_DIM_BATCH)
            e *= x->dims[i];
    return e;
}

void graph_tensor_dims(const graph *g, int t, int64_t n, int64_t dims[GRAPH_MAX_RANK])
{
    const graph_tensor *x = &g->tensors[t];
    for (int i = 0; i < GRAPH_MAX_RANK; i++)
        dims[i] = i < x->rank ? (x->dims[i] == GRAPH_DIM_BATCH ? n : x->dims[i]) : 1;
}

int graph_is_const(const graph *g, int t)
{
    return t >= 0 && t < g->n_tensors && g->tensors[t].data != NULL;
}

int graph_use_count(const graph *g, int t)
{
    int c = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            c += g->nodes[i].in[k] == t;
    for (int i = 0; i < g->n_outputs; i++)
        c += g->outputs[i] == t;
    return c;
}

static int node_fail(ax_err *err, const graph *g, int i, const char *what)
{
    const graph_node *n = &g->nodes[i];
    return ax_fail(err, AX_EINTERNAL, "graph: node %d '%s' (%s): %s", n->onnx_index, n->name,
                   graph_op_name(n->op), what);
}

int graph_validate(const graph *g, ax_err *err)
{
    for (int t = 0; t < g->n_tensors; t++) {
        const graph_tensor *x = &g->tensors[t];
        if (x->rank < 0 || x->rank > GRAPH_MAX_RANK)
            return ax_fail(err, AX_EINTERNAL, "graph: tensor '%s' has rank %d", x->name, x->rank);
        for (int d = 0; d < x->rank; d++) {
            int batch_ok = g->batched && d == 0 && !x->data;
            if (x->dims[d] < 0 && !(x->dims[d] == GRAPH_DIM_BATCH && batch_ok))
                return ax_fail(err, AX_EINTERNAL, "graph: tensor '%s' dim %d is %lld", x->name, d,
                               (long long)x->dims[d]);
        }
        if (g->batched && !x->data && (x->rank < 1 || x->dims[0] != GRAPH_DIM_BATCH))
            return ax_fail(err, AX_EINTERNAL, "graph: activation '%s' lacks the batch dimension", x->name);
        if (x->data && x->producer != -1)
            return ax_fail(err, AX_EINTERNAL, "graph: constant '%s' has a producer", x->name);
    }
    char *ready = calloc((size_t)(g->n_tensors > 0 ? g->n_tensors : 1), 1);
    if (!ready)
        return ax_fail(err, AX_EINTERNAL, "graph: out of memory");
    int rc = AX_OK;
    for (int t = 0; t < g->n_tensors; t++)
        ready[t] = g->tensors[t].data != NULL;
    for (int i = 0; i < g->n_inputs && rc == AX_OK; i++) {
        int t = g->inputs[i];
        if (t < 0 || t >= g->n_tensors || g->tensors[t].data || g->tensors[t].producer != -1)
            rc = ax_fail(err, AX_EINTERNAL, "graph: input %d is not a free activation", i);
        else
            ready[t] = 1;
    }
    for (int i = 0; i < g->n_nodes && rc == AX_OK; i++) {
        const graph_node *n = &g->nodes[i];
        if ((int)n->op < 0 || n->op >= GRAPH_OP_COUNT) {
            rc = node_fail(err, g, i, "unknown op");
            break;
        }
        for (int k = 0; k < n->n_in && rc == AX_OK; k++)
            if (n->in[k] < 0 || n->in[k] >= g->n_tensors || !ready[n->in[k]])
                rc = node_fail(err, g, i, "input not computed before the node");
        if (rc != AX_OK)
            break;
        if (n->out < 0 || n->out >= g->n_tensors || ready[n->out] || g->tensors[n->out].producer != i) {
            rc = node_fail(err, g, i, "output written twice or producer mismatch");
            break;
        }
        ready[n->out] = 1;
        if (n->op == GRAPH_OP_CONV) {
            if (n->n_in != 3 || !graph_is_const(g, n->in[2]))
                rc = node_fail(err, g, i, "Conv without a constant bias input");
            else if (g->batched && !graph_is_const(g, n->in[1]))
                rc = node_fail(err, g, i, "Conv weight not constant in a batched graph");
        } else if (n->op == GRAPH_OP_GEMM) {
            if (n->n_in < 2 || n->n_in > 3)
                rc = node_fail(err, g, i, "Gemm needs 2 or 3 inputs");
            else if (graph_is_const(g, n->in[1]) && (!n->a.gemm.trans_b || n->a.gemm.alpha != 1.0f))
                rc = node_fail(err, g, i, "Gemm with constant B not canonical");
        }
    }
    for (int i = 0; i < g->n_outputs && rc == AX_OK; i++)
        if (g->outputs[i] < 0 || g->outputs[i] >= g->n_tensors || !ready[g->outputs[i]])
            rc = ax_fail(err, AX_EINTERNAL, "graph: output %d is never computed", i);
    free(ready);
    return rc;
}

int graph_mac_layers(const graph *g, graph_mac_layer **layers, int *n_layers, ax_err *err)
{
    *layers = NULL;
    *n_layers = 0;
    int count = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        if (n->op == GRAPH_OP_CONV ? graph_is_const(g, n->in[1])
            : (n->op == GRAPH_OP_GEMM || n->op == GRAPH_OP_MATMUL) && graph_is_const(g, n->in[1]) &&
              !graph_is_const(g, n->in[0]) && g->tensors[n->in[1]].rank == 2)
            count++;
    }
    if (count == 0)
        return AX_OK;
    graph_mac_layer *L = calloc((size_t)count, sizeof *L);
    if (!L)
        return ax_fail(err, AX_EINTERNAL, "graph: out of memory");
    int k = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const graph_node *n = &g->nodes[i];
        graph_mac_layer *l = &L[k];
        if (n->op == GRAPH_OP_CONV && graph_is_const(g, n->in[1])) {
            const graph_tensor *x = &g->tensors[n->in[0]], *w = &g->tensors[n->in[1]],
                               *y = &g->tensors[n->out];
            const graph_window *win = &n->a.conv.win;
            int two_d = x->rank == 4;
            l->N = x->dims[0] == GRAPH_DIM_BATCH ? 1 : x->dims[0];
            l->M = w->dims[0];
            l->C = w->dims[1];
            l->H = two_d ? x->dims[2] : 1;
            l->W = x->dims[x->rank - 1];
            l->P = two_d ? y->dims[2] : 1;
            l->Q = y->dims[y->rank - 1];
            l->R = win->kernel[0];
            l->S = win->kernel[1];
            l->group = n->a.conv.group;
            memcpy(l->stride, win->stride, sizeof l->stride);
            memcpy(l->dilation, win->dilation, sizeof l->dilation);
            memcpy(l->pad, win->pad, sizeof l->pad);
            l->bias = n->in[2];
        } else if ((n->op == GRAPH_OP_GEMM || n->op == GRAPH_OP_MATMUL) && graph_is_const(g, n->in[1]) &&
                   !graph_is_const(g, n->in[0]) && g->tensors[n->in[1]].rank == 2) {
            const graph_tensor *a = &g->tensors[n->in[0]], *b = &g->tensors[n->in[1]];
            int64_t rows = 1;
            if (n->op == GRAPH_OP_GEMM) {
                /* Canonical: trans_b = 1, B is [M][K]. */
                l->M = b->dims[0];
                l->C = b->dims[1];
                rows = n->a.gemm.trans_a ? a->dims[1] : a->dims[0];
                l->bias = (n->n_in == 3 && graph_is_const(g, n->in[2]) && g->tensors[n->in[2]].rank == 1)
                              ? n->in[2] : -1;
            } else {
                l->M = b->dims[1];
                l->C = b->dims[0];
                for (int d = 0; d < a->rank - 1; d++)
                    if (a->dims[d] != GRAPH_DIM_BATCH)
                        rows *= a->dims[d];
                l->bias = -1;
            }
            int batched_a = a->dims[0] == GRAPH_DIM_BATCH;
            l->N = 1;
            l->P = (n->op == GRAPH_OP_GEMM && batched_a) ? 1 : rows;
            l->Q = l->R = l->S = 1;
            l->H = 1;
            l->W = l->C;
            l->group = 1;
            l->stride[0] = l->stride[1] = l->dilation[0] = l->dilation[1] = 1;
        } else {
            continue;
        }
        l->node = i;
        l->op = n->op;
        l->input = n->in[0];
        l->weight = n->in[1];
        l->output = n->out;
        l->macs = l->N * l->M * l->C * l->P * l->Q * l->R * l->S;
        k++;
    }
    *layers = L;
    *n_layers = count;
    return AX_OK;
}
