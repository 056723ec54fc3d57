#include "fitness/net/nodetest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitness/net/fexec.h"
#include "fitness/net/graph.h"
#include "fitness/net/onnx_import.h"
#include "onnx/onnx.pb-c.h"
#include "util/fileio.h"

#define MAX_IO 64

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Names of the graph inputs that are not initializers, in ONNX order. */
static int model_input_names(const unsigned char *buf, size_t len, const char *path, char ***names, int *n,
                             ax_err *err)
{
    *names = NULL;
    *n = 0;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    if (!m)
        return ax_fail(err, AX_EINPUT, "%s: not a valid ONNX model (protobuf parsing failed: truncated or corrupted file)",
                       path);
    int rc = AX_OK;
    if (!m->graph) {
        rc = ax_fail(err, AX_EINPUT, "%s: the model has no graph", path);
        goto out;
    }
    const Onnx__GraphProto *gp = m->graph;
    *names = calloc(gp->n_input + 1, sizeof **names);
    if (!*names) {
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < gp->n_input; i++) {
        const char *nm = gp->input[i]->name ? gp->input[i]->name : "";
        int init = 0;
        for (size_t k = 0; k < gp->n_initializer && !init; k++)
            init = gp->initializer[k]->name && !strcmp(gp->initializer[k]->name, nm);
        if (init)
            continue;
        size_t l = strlen(nm) + 1;
        char *d = malloc(l);
        if (!d) {
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
            goto out;
        }
        memcpy(d, nm, l);
        (*names)[(*n)++] = d;
    }
out:
    onnx__model_proto__free_unpacked(m, NULL);
    return rc;
}

static void free_names(char **names, int n)
{
    if (!names)
        return;
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Imports with the given bindings, feeds the other inputs, compares. */
static int run_mode(const unsigned char *model, size_t len, const char *model_path, char **names,
                    onnx_tensor *ins, int n_in, onnx_tensor *outs, int n_out, int bind_all, const char *label,
                    nodetest_result *res, ax_err *err)
{
    onnx_tensor *bind = calloc((size_t)(n_in > 0 ? n_in : 1), sizeof *bind);
    if (!bind)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    int nb = 0;
    for (int k = 0; k < n_in; k++)
        if (ins[k].is_int || (bind_all && k > 0)) {
            bind[nb] = ins[k];      /* shallow: data stays owned by ins[k] */
            bind[nb].name = names[k];
            nb++;
        }
    onnx_import_opts o = {0, nb, bind};
    graph *g = NULL;
    int rc = onnx_import_buffer(model, len, model_path, &o, &g, err);
    free(bind);
    if (rc != AX_OK)
        return rc;
    const float **feed = calloc((size_t)(g->n_inputs > 0 ? g->n_inputs : 1), sizeof *feed);
    float **got = calloc((size_t)(g->n_outputs > 0 ? g->n_outputs : 1), sizeof *got);
    if (!feed || !got) {
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        goto done;
    }
    for (int i = 0; i < g->n_inputs && rc == AX_OK; i++) {
        const graph_tensor *t = &g->tensors[g->inputs[i]];
        int k = 0;
        while (k < n_in && strcmp(names[k], t->name))
            k++;
        if (k == n_in) {
            rc = ax_fail(err, AX_EINPUT, "%s: no input_K.pb for graph input '%s'", label, t->name);
            break;
        }
        int same = ins[k].rank == t->rank;
        for (int d = 0; same && d < t->rank; d++)
            same = ins[k].dims[d] == t->dims[d];
        if (!same)
            rc = ax_fail(err, AX_EINPUT, "%s: input_%d.pb does not have the shape the model declares for '%s'", label,
                         k, t->name);
        feed[i] = ins[k].f;
    }
    if (rc == AX_OK && g->n_outputs != n_out)
        rc = ax_fail(err, AX_EINPUT, "%s: %d output_K.pb files for %d graph outputs", label, n_out, g->n_outputs);
    for (int i = 0; i < g->n_outputs && rc == AX_OK; i++) {
        got[i] = malloc((size_t)(graph_tensor_numel(g, g->outputs[i], 1) + 1) * sizeof **got);
        if (!got[i])
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    if (rc == AX_OK)
        rc = fexec_run(g, 1, feed, got, NULL, err);
    for (int i = 0; i < g->n_outputs && rc == AX_OK; i++) {
        const graph_tensor *t = &g->tensors[g->outputs[i]];
        const onnx_tensor *e = &outs[i];
        int same = e->rank == t->rank && !e->is_int;
        for (int d = 0; same && d < t->rank; d++)
            same = e->dims[d] == t->dims[d];
        if (!same) {
            res->pass = 0;
            res->worst_ratio = INFINITY;
            snprintf(res->where, sizeof res->where, "%s output %d: shape or type differs from output_%d.pb", label, i,
                     i);
            continue;
        }
        for (int64_t j = 0; j < e->numel; j++) {
            double a = got[i][j], b = e->f[j];
            double diff, ratio;
            if (isnan(a) || isnan(b)) {
                diff = (isnan(a) && isnan(b)) ? 0.0 : INFINITY;
            } else if (isinf(a) || isinf(b)) {
                diff = a == b ? 0.0 : INFINITY;
            } else {
                diff = fabs(a - b);
            }
            ratio = diff / (NODETEST_ATOL + NODETEST_RTOL * (isfinite(b) ? fabs(b) : 0.0));
            if (diff > res->max_abs_err)
                res->max_abs_err = diff;
            if (ratio > res->worst_ratio) {
                res->worst_ratio = ratio;
                snprintf(res->where, sizeof res->where, "%s output %d element %lld: got %.9g expected %.9g", label,
                         i, (long long)j, a, b);
            }
            if (ratio > 1.0)
                res->pass = 0;
        }
    }
    res->n_runs++;
done:
    if (got)
        for (int i = 0; i < g->n_outputs; i++)
            free(got[i]);
    free(got);
    free(feed);
    graph_free(g);
    return rc;
}

int nodetest_run(const char *dir, nodetest_result *res, ax_err *err)
{
    memset(res, 0, sizeof *res);
    res->pass = 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    unsigned char *model = NULL;
    size_t len = 0;
    int rc = fio_read_all(path, FIO_MAX_MODEL, &model, &len, err);
    if (rc != AX_OK)
        return rc;
    char model_path[4096];
    snprintf(model_path, sizeof model_path, "%s", path);
    char **names = NULL;
    int n_names = 0;
    if ((rc = model_input_names(model, len, model_path, &names, &n_names, err)) != AX_OK) {
        free(model);
        return rc;
    }
    for (int s = 0; rc == AX_OK; s++) {
        char set[3000];
        snprintf(set, sizeof set, "%s/test_data_set_%d", dir, s);
        if (!exists(set)) {
            if (s == 0)
                rc = ax_fail(err, AX_EINPUT, "%s: no test_data_set_0 folder", dir);
            break;
        }
        onnx_tensor ins[MAX_IO], outs[MAX_IO];
        int n_in = 0, n_out = 0;
        memset(ins, 0, sizeof ins);
        memset(outs, 0, sizeof outs);
        for (; n_in < MAX_IO && rc == AX_OK; n_in++) {
            snprintf(path, sizeof path, "%s/input_%d.pb", set, n_in);
            if (!exists(path))
                break;
            rc = onnx_tensor_read(path, &ins[n_in], err);
        }
        for (; n_out < MAX_IO && rc == AX_OK; n_out++) {
            snprintf(path, sizeof path, "%s/output_%d.pb", set, n_out);
            if (!exists(path))
                break;
            rc = onnx_tensor_read(path, &outs[n_out], err);
            if (rc == AX_OK && outs[n_out].is_int)
                rc = ax_fail(err, AX_EINPUT, "%s: integer outputs are not supported", path);
        }
        if (rc == AX_OK && n_in != n_names)
            rc = ax_fail(err, AX_EINPUT, "%s: %d input_K.pb files for %d graph inputs", set, n_in, n_names);
        if (rc == AX_OK) {
            char label[4200];
            snprintf(label, sizeof label, "test_data_set_%d (fed)", s);
            rc = run_mode(model, len, model_path, names, ins, n_in, outs, n_out, 0, label, res, err);
            if (rc == AX_OK && n_in > 1) {
                snprintf(label, sizeof label, "test_data_set_%d (bound)", s);
                rc = run_mode(model, len, model_path, names, ins, n_in, outs, n_out, 1, label, res, err);
            }
        }
        for (int k = 0; k < MAX_IO; k++) {
            onnx_tensor_clear(&ins[k]);
            onnx_tensor_clear(&outs[k]);
        }
        if (rc == AX_OK)
            res->n_sets++;
    }
    free_names(names, n_names);
    free(model);
    if (rc != AX_OK)
        res->pass = 0;
    return rc;
}
