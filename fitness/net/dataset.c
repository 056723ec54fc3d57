#include "fitness/net/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static int refuse_colour(const char *dir, ds_format f, ax_err *err)
{
    return ax_fail(err, AX_EINPUT, "%s: a %s dataset (colour, 3 x 32 x 32): colour input is not supported yet; "
                                   "the networks axsearch runs take one channel", dir, ds_format_name(f));
}

/* The folder (NULL: the default) and whether it is IDX; a colour format
 * is refused here. */
static int resolve(const char **dir, int *is_idx, ax_err *err)
{
    if (!*dir)
        *dir = IDX_DEFAULT_DIR;
    ds_format f;
    int rc = ds_detect(*dir, &f, err);
    if (rc != AX_OK)
        return rc;
    if (f != DS_IDX && f != DS_NPY)
        return refuse_colour(*dir, f, err);
    *is_idx = f == DS_IDX;
    return AX_OK;
}

/* The two files of a NumPy split. */
static void npy_paths(const char *dir, idx_split split, char *x, char *y, size_t size)
{
    const char *stem = split == IDX_SPLIT_TEST ? "test" : "train";
    snprintf(x, size, "%s/%s_x.npy", dir, stem);
    snprintf(y, size, "%s/%s_y.npy", dir, stem);
}

/* The image dimensions of a grey-scale array: [N][H][W], [N][1][H][W] or
 * [N][H][W][1]. */
static int grey_dims(const npy_header *h, const char *path, int *rows, int *cols, ax_err *err)
{
    const int64_t *s = h->shape;
    if (!(h->ndim == 3 || (h->ndim == 4 && (s[1] == 1 || s[3] == 1)))) {
        if (h->ndim == 4 && (s[1] == 3 || s[3] == 3))
            return ax_fail(err, AX_EINPUT, "%s: colour images (3 channels): colour input is not supported yet",
                           path);
        return ax_fail(err, AX_EINPUT, "%s: images must be [N][H][W], [N][1][H][W] or [N][H][W][1] uint8", path);
    }
    int64_t hgt = h->ndim == 3 ? s[1] : s[1] == 1 ? s[2] : s[1];
    int64_t wid = h->ndim == 3 ? s[2] : s[1] == 1 ? s[3] : s[2];
    if (hgt < 1 || wid < 1 || hgt > 65536 || wid > 65536)
        return ax_fail(err, AX_EINPUT, "%s: images of %lld x %lld pixels: expected 1..65536 each way", path,
                       (long long)hgt, (long long)wid);
    *rows = (int)hgt;
    *cols = (int)wid;
    return AX_OK;
}

static int npy_load_split(const char *dir, idx_split split, idx_dataset *out, ax_err *err)
{
    char x[4096], y[4096];
    npy_paths(dir, split, x, y, sizeof x);
    npy_header h;
    int64_t n_lab = 0;
    int rc = npy_read_u8(x, DS_MAX_NPY_BYTES, &h, &out->images, err);
    if (rc == AX_OK)
        rc = grey_dims(&h, x, &out->rows, &out->cols, err);
    if (rc == AX_OK)
        rc = npy_read_labels(y, DS_MAX_NPY_BYTES, &n_lab, &out->labels, err);
    out->count = rc == AX_OK ? h.shape[0] : 0;
    if (rc == AX_OK && n_lab != out->count)
        rc = ax_fail(err, AX_EINPUT, "%s: %lld labels for the %lld images of %s", y, (long long)n_lab,
                     (long long)out->count, x);
    if (rc == AX_OK && out->count == 0)
        rc = ax_fail(err, AX_EINPUT, "%s: no images", x);
    if (rc == AX_OK)
        rc = idx_dataset_take_split(out, split, x, err);
    return rc;
}

int ds_load_split(const char *dir, idx_split split, idx_dataset *out, ax_err *err)
{
    memset(out, 0, sizeof *out);
    int is_idx = 0;
    int rc = resolve(&dir, &is_idx, err);
    if (rc != AX_OK)
        return rc;
    if (is_idx)
        return idx_load_split(dir, split, out, err);
    rc = npy_load_split(dir, split, out, err);
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
    int is_idx = 0;
    int rc = resolve(&dir, &is_idx, err);
    if (rc != AX_OK)
        return rc;
    if (is_idx)
        return idx_split_file_bytes(dir, split, bytes, err);
    char x[4096], y[4096];
    npy_paths(dir, split, x, y, sizeof x);
    *bytes = 0;
    rc = file_bytes(x, bytes, err);
    return rc == AX_OK ? file_bytes(y, bytes, err) : rc;
}

int ds_split_hash(const char *dir, idx_split split, uint64_t *h, ax_err *err)
{
    int is_idx = 0;
    int rc = resolve(&dir, &is_idx, err);
    if (rc != AX_OK)
        return rc;
    if (is_idx)
        return idx_split_hash(dir, split, h, err);
    char x[4096], y[4096];
    npy_paths(dir, split, x, y, sizeof x);
    rc = fio_hash_file(x, h, err);
    return rc == AX_OK ? fio_hash_file(y, h, err) : rc;
}
