#include "cli/glue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_model/net.h"
#include "fitness/net/dataset.h"
#include "fitness/net/onnx_import.h"

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

/* Asking for more calibration images than the data holds is an error, not
 * a silent clamp: the run would record a calib_images it never used. */
static int too_few_calibration_images(const ds_source *data, const idx_dataset *train, long calib, ax_err *err)
{
    const char *data_dir = data && data->dir ? data->dir : IDX_DEFAULT_DIR;
    return ax_fail(err, AX_EINPUT, "%s: the training split holds %lld images, fewer than the %ld calibration "
                                   "images asked for (calib_images)", data_dir, (long long)train->count, calib);
}

int glue_input_norm(graph *g, const char *mean, const char *std, const char *mean_name, const char *std_name,
                    ax_err *err)
{
    int rc = AX_OK;
    if (mean && mean[0])
        rc = graph_parse_norm(g, 0, mean, mean_name, err);
    if (rc == AX_OK && std && std[0])
        rc = graph_parse_norm(g, 1, std, std_name, err);
    return rc == AX_OK ? graph_check_norm(g, mean_name, std_name, err) : rc;
}

int glue_quantize(const graph *g, const ds_source *data, long calib, int threads, qnet **q,
                  ax_err *err)
{
    *q = NULL;
    idx_dataset train = {0};
    ds_source fitted = data ? *data : (ds_source){.format = DS_AUTO};
    if (!fitted.rows)
        ds_source_fit(&fitted, g);
    int rc = ds_load_first(&fitted, IDX_SPLIT_TRAIN, calib, &train, err);
    if (rc == AX_OK)
        rc = ds_check_input(g, &train, "the model", err);
    if (rc == AX_OK && calib > train.count)
        rc = too_few_calibration_images(data, &train, calib, err);
    if (rc == AX_OK) {
        qnet_options qo = {threads};
        rc = qnet_build(g, train.images, calib, &qo, q, err);
    }
    idx_dataset_clear(&train);
    return rc;
}

int glue_recovery_hist(const qnet *q, const ds_source *data, long calib, int threads, rec_hist **h,
                       ax_err *err)
{
    *h = NULL;
    idx_dataset train = {0};
    int rc = ds_load_first(data, IDX_SPLIT_TRAIN, calib, &train, err);
    if (rc == AX_OK && idx_image_bytes(&train) != qnet_image_pixels(q))
        rc = ax_fail(err, AX_EINPUT, "the model takes %lld values per image, the training images are %d x %d x %d",
                     (long long)qnet_image_pixels(q), train.channels, train.rows, train.cols);
    if (rc == AX_OK && calib > train.count)
        rc = too_few_calibration_images(data, &train, calib, err);
    if (rc == AX_OK)
        rc = rec_hist_make(q, train.images, calib, threads, h, err);
    idx_dataset_clear(&train);
    return rc;
}

int glue_load_qnet(const char *model, const ds_source *data, long calib, int threads, graph **g,
                   qnet **q, ax_err *err)
{
    *g = NULL;
    *q = NULL;
    onnx_import_opts io = {1, 0, NULL};
    int rc = onnx_import_file(model, &io, g, err);
    if (rc != AX_OK)
        return rc;
    ds_source fitted = data ? *data : (ds_source){.format = DS_AUTO};
    ds_source_fit(&fitted, *g);
    rc = glue_quantize(*g, &fitted, calib, threads, q, err);
    if (rc != AX_OK) {
        ax_err_prefix(err, "%s", model);
        graph_free(*g);
        *g = NULL;
    }
    return rc;
}

int glue_fault_model(const accel_arch *arch, fault_sram **sram, fmap_model *m, ax_err *err)
{
    *sram = fault_sram_create_probit(FAULT_SRAM_V0, FAULT_SRAM_S, err);
    if (!*sram)
        return err->code;
    m->sram = *sram;
    m->v_nominal = arch->vdd;
    m->swing_nominal = arch->noc_swing;
    m->ber_nominal = FAULT_LINK_BER_NOMINAL;
    return AX_OK;
}

int glue_fault_links(const graph *g, const accel_arch *arch, fmap_links **links, ax_err *err)
{
    accel_layer_shape *shapes = NULL;
    size_t n = 0;
    accel_net *net = NULL;
    *links = NULL;
    accel_mult_cost exact = accel_mult_cost_exact();
    int rc = glue_layer_shapes(g, &shapes, &n, err);
    if (rc == AX_OK)
        rc = accel_net_create(arch, shapes, n, &exact, 1, ACCEL_OBJ_ENERGY, &net, err);
    if (rc == AX_OK && !(*links = malloc((n > 0 ? n : 1) * sizeof **links)))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK)
        fmap_links_of(net, *links);
    accel_net_free(net);
    free(shapes);
    return rc;
}
