#include "cli/glue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int glue_layer_shapes(const graph *g, accel_layer_shape **shapes, size_t *n, ax_err *err)
{
    graph_mac_layer *L = NULL;
    int nl = 0;
    *shapes = NULL;
    *n = 0;
    int rc = graph_mac_layers(g, &L, &nl, err);
    if (rc != AX_OK)
        return rc;
    accel_layer_shape *s = calloc((size_t)(nl > 0 ? nl : 1), sizeof *s);
    if (!s) {
        free(L);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    for (int i = 0; i < nl; i++) {
        const graph_mac_layer *l = &L[i];
        const char *name = g->nodes[l->node].name;
        char fallback[32];
        if (!name || !name[0]) {
            snprintf(fallback, sizeof fallback, "layer%d", i);
            name = fallback;
        }
        /* Gemm rows per image become output pixels (P); N is one image. */
        s[i] = accel_layer_make(name, (int)l->M, (int)l->C, (int)l->P, (int)l->Q, (int)l->R,
                                (int)l->S);
        s[i].stride_h = l->stride[0];
        s[i].stride_w = l->stride[1];
        s[i].dil_h = l->dilation[0];
        s[i].dil_w = l->dilation[1];
        s[i].groups = l->group;
    }
    free(L);
    *shapes = s;
    *n = (size_t)nl;
    return AX_OK;
}

accel_mult_cost glue_mult_cost(const mult_entry *e)
{
    accel_mult_cost c;
    c.energy_pj = e->cost.energy_pj;
    c.area_um2 = e->cost.area_um2;
    c.leakage_uw = e->cost.leakage_uw;
    return c;
}

int glue_split_names(const char *opt, const char *list, char ***names, size_t *n, char **storage,
                     ax_err *err)
{
    size_t len = strlen(list), count = 1;
    for (size_t i = 0; i < len; i++)
        count += list[i] == ',';
    char *copy = malloc(len + 1);
    char **v = malloc(count * sizeof *v);
    if (!copy || !v) {
        free(copy);
        free(v);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    memcpy(copy, list, len + 1);
    size_t k = 0;
    char *start = copy;
    for (char *p = copy;; p++) {
        if (*p == ',' || *p == '\0') {
            int end = *p == '\0';
            *p = '\0';
            if (!*start) {
                free(copy);
                free(v);
                return ax_fail(err, AX_EINPUT, "%s: empty name in '%s'", opt, list);
            }
            v[k++] = start;
            start = p + 1;
            if (end)
                break;
        }
    }
    *names = v;
    *n = k;
    *storage = copy;
    return AX_OK;
}
