#include "fitness/net/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitness/net/cifar.h"
#include "fitness/net/npy.h"
#include "util/fileio.h"

/* The largest image array taken from one .npy file (the memory budget of a
 * search refuses less than this up front). */
#define DS_MAX_NPY_BYTES ((size_t)1 << 34)

static int exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *ds_format_name(ds_format format)
{
    static const char *const names[] = {"IDX", "NumPy", "CIFAR-10", "CIFAR-100"};
    return format >= DS_IDX && format <= DS_CIFAR100 ? names[format] : "?";
}

int ds_detect(const char *dir, ds_format *format, ax_err *err)
{
    if (!dir)
        dir = IDX_DEFAULT_DIR;
    static const struct {
        const char *file;
        ds_format format;
    } marks[] = {
        {"train-images-idx3-ubyte.gz", DS_IDX}, {"train-images-idx3-ubyte", DS_IDX},
        {"t10k-images-idx3-ubyte.gz", DS_IDX},  {"t10k-images-idx3-ubyte", DS_IDX},
        {"train_x.npy", DS_NPY},                {"test_x.npy", DS_NPY},
        {"data_batch_1.bin", DS_CIFAR10},       {"test_batch.bin", DS_CIFAR10},
        {"train.bin", DS_CIFAR100},             {"test.bin", DS_CIFAR100},
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (exists(dir, marks[i].file)) {
            *format = marks[i].format;
            return AX_OK;
        }
    return ax_fail(err, AX_EINPUT,
                   "%s: no dataset found (expected IDX files train-images-idx3-ubyte[.gz] or "
                   "t10k-images-idx3-ubyte[.gz], NumPy train_x.npy/train_y.npy or test_x.npy/test_y.npy, or "
                   "CIFAR batches data_batch_1.bin or test_batch.bin)",
                   dir);
}

/* The folder (NULL: the default) and its format. */
static int resolve(const char **dir, ds_format *f, ax_err *err)
{
    if (!*dir)
        *dir = IDX_DEFAULT_DIR;
    return ds_detect(*dir, f, err);
}

/* The two files of a NumPy split. */
static void npy_paths(const char *dir, idx_split split, char *x, char *y, size_t size)
{
    const char *stem = split == IDX_SPLIT_TEST ? "test" : "train";
    snprintf(x, size, "%s/%s_x.npy", dir, stem);
    snprintf(y, size, "%s/%s_y.npy", dir, stem);
}

/* The image dimensions of an array: [N][H][W] (one channel), [N][C][H][W]
 * or [N][H][W][C] with C of 1, 3 or 4 (which, told from the one axis
 * that can be channels); *channels_last for the latter. */
static int image_dims(const npy_header *h, const char *path, int *channels, int *rows, int *cols,
                      int *channels_last, ax_err *err)
{
    const int64_t *s = h->shape;
    if (h->ndim != 3 && h->ndim != 4)
        return ax_fail(err, AX_EINPUT, "%s: images must be [N][H][W], [N][C][H][W] or [N][H][W][C] uint8, not %d-D",
                       path, h->ndim);
    int64_t c = 1, hgt = s[1], wid = s[2];
    *channels_last = 0;
    if (h->ndim == 4) {
        int first = s[1] == 1 || s[1] == 3 || s[1] == 4, last = s[3] == 1 || s[3] == 3 || s[3] == 4;
        if (first == last)
            return ax_fail(err, AX_EINPUT,
                           "%s: images of shape [%lld][%lld][%lld][%lld]: %s; expected channels (1, 3 or 4) on "
                           "exactly one of axes 1 (NCHW) and 3 (NHWC)",
                           path, (long long)s[0], (long long)s[1], (long long)s[2], (long long)s[3],
                           first ? "cannot tell NCHW from NHWC" : "no axis holds 1, 3 or 4 channels");
        *channels_last = last;
        c = last ? s[3] : s[1];
        hgt = last ? s[1] : s[2];
        wid = last ? s[2] : s[3];
    }
    if (hgt < 1 || wid < 1 || hgt > 65536 || wid > 65536)
        return ax_fail(err, AX_EINPUT, "%s: images of %lld x %lld pixels: expected 1..65536 each way", path,
                       (long long)hgt, (long long)wid);
    *channels = (int)c;
    *rows = (int)hgt;
    *cols = (int)wid;
    return AX_OK;
}

/* [n][H][W][C] -> [n][C][H][W] in place (through one image's copy). */
static int to_channels_first(idx_dataset *d, ax_err *err)
{
    int64_t plane = (int64_t)d->rows * d->cols, per = plane * d->channels;
    if (d->channels == 1)
        return AX_OK;
    uint8_t *tmp = malloc((size_t)per);
    if (!tmp)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    for (int64_t i = 0; i < d->count; i++) {
        uint8_t *im = d->images + i * per;
        memcpy(tmp, im, (size_t)per);
        for (int64_t p = 0; p < plane; p++)
            for (int c = 0; c < d->channels; c++)
                im[c * plane + p] = tmp[p * d->channels + c];
    }
    free(tmp);
    return AX_OK;
}

static int npy_load_split(const char *dir, idx_split split, idx_dataset *out, ax_err *err)
{
    char x[4096], y[4096];
    npy_paths(dir, split, x, y, sizeof x);
    npy_header h;
    int64_t n_lab = 0;
    int last = 0;
    int rc = npy_read_u8(x, DS_MAX_NPY_BYTES, &h, &out->images, err);
    if (rc == AX_OK)
        rc = image_dims(&h, x, &out->channels, &out->rows, &out->cols, &last, err);
    if (rc == AX_OK)
        rc = npy_read_labels(y, DS_MAX_NPY_BYTES, &n_lab, &out->labels, err);
    out->count = rc == AX_OK ? h.shape[0] : 0;
    if (rc == AX_OK && n_lab != out->count)
        rc = ax_fail(err, AX_EINPUT, "%s: %lld labels for the %lld images of %s", y, (long long)n_lab,
                     (long long)out->count, x);
    if (rc == AX_OK && out->count == 0)
        rc = ax_fail(err, AX_EINPUT, "%s: no images", x);
    if (rc == AX_OK && last)
        rc = to_channels_first(out, err);
    if (rc == AX_OK)
        rc = idx_dataset_take_split(out, split, x, err);
    return rc;
}

/* The batch files of a CIFAR split, in order, into paths[] (at most 5);
 * CIFAR-10 training batches are data_batch_1.bin .. data_batch_5.bin, the
 * first present and the rest without gaps. */
static int cifar_paths(const char *dir, ds_format f, idx_split split, char paths[5][4096], int *n, ax_err *err)
{
    *n = 0;
    if (f == DS_CIFAR100 || split == IDX_SPLIT_TEST) {
        const char *name = f == DS_CIFAR100 ? (split == IDX_SPLIT_TEST ? "test.bin" : "train.bin") : "test_batch.bin";
        snprintf(paths[(*n)++], 4096, "%s/%s", dir, name);
        return AX_OK;
    }
    for (int b = 1; b <= 5; b++) {
        char name[32];
        snprintf(name, sizeof name, "data_batch_%d.bin", b);
        if (exists(dir, name) && *n < b - 1)
            return ax_fail(err, AX_EINPUT, "%s: %s is there but data_batch_%d.bin is missing", dir, name, *n + 1);
        if (exists(dir, name) || b == 1)
            snprintf(paths[(*n)++], 4096, "%s/%s", dir, name);
    }
    return AX_OK;
}

static int cifar_load_split(const char *dir, ds_format f, idx_split split, idx_dataset *out, ax_err *err)
{
    char paths[5][4096];
    int n = 0;
    int rc = cifar_paths(dir, f, split, paths, &n, err);
    for (int i = 0; rc == AX_OK && i < n; i++)
        rc = cifar_read_batch(paths[i], f == DS_CIFAR100 ? CIFAR_100 : CIFAR_10,
                              (int64_t)(DS_MAX_NPY_BYTES / CIFAR_PIXELS), &out->images, &out->labels, &out->count,
                              err);
    out->channels = 3;
    out->rows = out->cols = 32;
    if (rc == AX_OK)
        rc = idx_dataset_take_split(out, split, paths[0], err);
    return rc;
}

/* The files a split is read from, into paths[] (at most 5). */
static int split_files(const char *dir, ds_format f, idx_split split, char paths[5][4096], int *n, ax_err *err)
{
    if (f == DS_CIFAR10 || f == DS_CIFAR100)
        return cifar_paths(dir, f, split, paths, n, err);
    npy_paths(dir, split, paths[0], paths[1], 4096);
    *n = 2;
    return AX_OK;
}

int ds_load_split(const char *dir, idx_split split, idx_dataset *out, ax_err *err)
{
    memset(out, 0, sizeof *out);
    ds_format f;
    int rc = resolve(&dir, &f, err);
    if (rc != AX_OK)
        return rc;
    if (f == DS_IDX)
        return idx_load_split(dir, split, out, err);
    rc = f == DS_NPY ? npy_load_split(dir, split, out, err) : cifar_load_split(dir, f, split, out, err);
    if (rc != AX_OK)
        idx_dataset_clear(out);
    return rc;
}

static int file_bytes(const char *path, int64_t *bytes, ax_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ax_fail(err, AX_EINPUT, "%s: cannot open", path);
    *bytes += (int64_t)st.st_size;
    return AX_OK;
}

int ds_split_file_bytes(const char *dir, idx_split split, int64_t *bytes, ax_err *err)
{
    ds_format f;
    int rc = resolve(&dir, &f, err);
    if (rc != AX_OK)
        return rc;
    if (f == DS_IDX)
        return idx_split_file_bytes(dir, split, bytes, err);
    char paths[5][4096];
    int n = 0;
    rc = split_files(dir, f, split, paths, &n, err);
    *bytes = 0;
    for (int i = 0; rc == AX_OK && i < n; i++)
        rc = file_bytes(paths[i], bytes, err);
    return rc;
}

int ds_split_hash(const char *dir, idx_split split, uint64_t *h, ax_err *err)
{
    ds_format f;
    int rc = resolve(&dir, &f, err);
    if (rc != AX_OK)
        return rc;
    if (f == DS_IDX)
        return idx_split_hash(dir, split, h, err);
    char paths[5][4096];
    int n = 0;
    rc = split_files(dir, f, split, paths, &n, err);
    for (int i = 0; rc == AX_OK && i < n; i++)
        rc = fio_hash_file(paths[i], h, err);
    return rc;
}

int ds_check_input(const graph *g, const idx_dataset *d, const char *model, ax_err *err)
{
    if (g->n_inputs != 1)
        return ax_fail(err, AX_EINPUT, "%s: %d inputs; a classifier with one is expected", model, g->n_inputs);
    const graph_tensor *in = &g->tensors[g->inputs[0]];
    int ok = 0;
    if (in->rank == 4)
        ok = in->dims[1] == d->channels && in->dims[2] == d->rows && in->dims[3] == d->cols;
    else if (in->rank == 3)
        ok = d->channels == 1 && in->dims[1] == d->rows && in->dims[2] == d->cols;
    else if (in->rank == 2)
        ok = in->dims[1] == idx_image_bytes(d);
    if (ok)
        return AX_OK;
    char dims[160] = "";
    for (int i = 1; i < in->rank && i < GRAPH_MAX_RANK; i++) {
        size_t o = strlen(dims);
        snprintf(dims + o, sizeof dims - o, ",%lld", (long long)in->dims[i]);
    }
    return ax_fail(err, AX_EINPUT,
                   "%s: input '%s' has shape [N%s] but the images are %d x %d x %d (channels x rows x columns; "
                   "expected [N,%d,%d,%d]%s or [N,%lld])",
                   model, in->name, dims, d->channels, d->rows, d->cols, d->channels, d->rows, d->cols,
                   d->channels == 1 ? ", [N,H,W]" : "", (long long)idx_image_bytes(d));
}
