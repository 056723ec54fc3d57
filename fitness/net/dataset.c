#include "fitness/net/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitness/net/cifar.h"
#include "fitness/net/imgdir.h"
#include "fitness/net/npy.h"
#include "util/fileio.h"
#include "util/hash.h"
#include "util/pcg.h"

/* The largest image array taken from one .npy file (the memory budget of a
 * search refuses less than this up front). */
#define DS_MAX_NPY_BYTES ((size_t)1 << 34)

/* The st_mode file type (S_IFREG, S_IFDIR) of dir/name, 0 if absent. */
static unsigned file_type(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (unsigned)(st.st_mode & S_IFMT) : 0u;
}

static int exists(const char *dir, const char *name)
{
    return file_type(dir, name) == S_IFREG;
}

static int is_dir(const char *dir, const char *name)
{
    return file_type(dir, name) == S_IFDIR;
}

const char *ds_format_name(ds_format format)
{
    static const char *const names[] = {"IDX", "NumPy", "CIFAR-10", "CIFAR-100", "image folders"};
    return format >= DS_IDX && format <= DS_FOLDER ? names[format] : "?";
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
    static const char *const sets[] = {"train", "test", "val"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (is_dir(dir, sets[i])) {
            *format = DS_FOLDER;
            return AX_OK;
        }
    return ax_fail(err, AX_EINPUT,
                   "%s: no dataset found (expected IDX files train-images-idx3-ubyte[.gz] or "
                   "t10k-images-idx3-ubyte[.gz], NumPy train_x.npy/train_y.npy or test_x.npy/test_y.npy, "
                   "CIFAR batches data_batch_1.bin or test_batch.bin, or image folders train/, test/ or val/ "
                   "holding a folder per class)",
                   dir);
}

int ds_format_from_name(const char *name, ds_format *format)
{
    static const struct {
        const char *name;
        ds_format format;
    } names[] = {{"auto", DS_AUTO}, {"idx", DS_IDX}, {"npy", DS_NPY}, {"cifar10", DS_CIFAR10}, {"cifar100", DS_CIFAR100},
                   {"folder", DS_FOLDER}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i].name)) {
            *format = names[i].format;
            return 0;
        }
    return -1;
}

int ds_parse_range(const char *text, int64_t *from, int64_t *to)
{
    *from = *to = 0;
    if (!text[0])
        return 0;
    char *end;
    long long a = strtoll(text, &end, 10);
    if (end == text || *end != ':' || a < 0)
        return -1;
    const char *p = end + 1;
    long long b = strtoll(p, &end, 10);
    if (end == p || *end || b <= a)
        return -1;
    *from = a;
    *to = b;
    return 0;
}

/* The folder (NULL: the default) and its format (given, or recognised). */
static int resolve(const ds_source *src, const char **dir, ds_format *f, ax_err *err)
{
    *dir = src && src->dir ? src->dir : IDX_DEFAULT_DIR;
    if (src && src->format != DS_AUTO) {
        *f = src->format;
        return AX_OK;
    }
    return ds_detect(*dir, f, err);
}

/* The two files of a NumPy split. */
static void npy_paths(const char *dir, idx_split split, char *x, char *y, size_t size)
{
    const char *stem = split == IDX_SPLIT_TEST ? "test" : "train";
    snprintf(x, size, "%s/%s_x.npy", dir, stem);
    snprintf(y, size, "%s/%s_y.npy", dir, stem);
}

/* The layout of a 4-D array both of whose axes 1 and 3 could be channels,
 * from the model's input (src fitted): 0 NCHW, 1 NHWC, -1 neither fits. */
static int layout_from_model(const int64_t *s, const ds_source *src)
{
    if (!src || src->channels < 1)
        return -1;
    if (s[1] == src->channels && s[2] == src->rows && s[3] == src->cols)
        return 0;
    if (s[3] == src->channels && s[1] == src->rows && s[2] == src->cols)
        return 1;
    return -1;
}

/* The image dimensions of an array: [N][H][W] (one channel), [N][C][H][W]
 * or [N][H][W][C] with C of 1, 3 or 4 (which, told from the one axis
 * that can be channels, or when both can, from the model's input);
 * *channels_last for the latter. */
static int image_dims(const npy_header *h, const char *path, const ds_source *src, int *channels, int *rows,
                      int *cols, int *channels_last, ax_err *err)
{
    const int64_t *s = h->shape;
    if (h->ndim != 3 && h->ndim != 4)
        return ax_fail(err, AX_EINPUT, "%s: images must be [N][H][W], [N][C][H][W] or [N][H][W][C] uint8, not %d-D",
                       path, h->ndim);
    int64_t c = 1, hgt = s[1], wid = s[2];
    *channels_last = 0;
    if (h->ndim == 4) {
        int first = s[1] == 1 || s[1] == 3 || s[1] == 4, last = s[3] == 1 || s[3] == 3 || s[3] == 4;
        int by_model = first && last ? layout_from_model(s, src) : -1;
        if (by_model >= 0) {
            first = !by_model;
            last = by_model;
        }
        if (first == last)
            return ax_fail(err, AX_EINPUT,
                           "%s: images of shape [%lld][%lld][%lld][%lld]: %s; expected channels (1, 3 or 4) on "
                           "exactly one of axes 1 (NCHW) and 3 (NHWC)",
                           path, (long long)s[0], (long long)s[1], (long long)s[2], (long long)s[3],
                           first ? "cannot tell NCHW from NHWC (nor from the model's input)"
                                 : "no axis holds 1, 3 or 4 channels");
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

static int npy_load_set(const ds_source *src, const char *dir, idx_split split, idx_dataset *out, ax_err *err)
{
    char x[4096], y[4096];
    npy_paths(dir, split, x, y, sizeof x);
    npy_header h;
    int64_t n_lab = 0;
    int last = 0;
    int rc = npy_read_u8(x, DS_MAX_NPY_BYTES, &h, &out->images, err);
    if (rc == AX_OK)
        rc = image_dims(&h, x, src, &out->channels, &out->rows, &out->cols, &last, err);
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

static int cifar_load_set(const char *dir, ds_format f, idx_split split, idx_dataset *out, ax_err *err)
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

/* Keeps images [from, to) of d (first moves with them). */
static int keep(idx_dataset *d, int64_t from, int64_t to, ax_err *err)
{
    size_t per = (size_t)idx_image_bytes(d), n = (size_t)(to - from);
    uint8_t *px = malloc(n * per > 0 ? n * per : 1);
    uint16_t *lb = malloc(n ? n * sizeof *lb : 1);
    if (!px || !lb) {
        free(px);
        free(lb);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    memcpy(px, d->images + (size_t)from * per, n * per);
    memcpy(lb, d->labels + from, n * sizeof *lb);
    free(d->images);
    free(d->labels);
    d->images = px;
    d->labels = lb;
    d->count = to - from;
    d->first += from;
    return AX_OK;
}

/* A range [from, to) of a set of n images, named for messages. */
static int check_range(const char *what, int64_t from, int64_t to, int64_t n, const char *file, ax_err *err)
{
    if (to > n)
        return ax_fail(err, AX_EINPUT, "%s: %s %lld:%lld reaches past the %lld images there", file, what,
                       (long long)from, (long long)to, (long long)n);
    return AX_OK;
}

/* The images [*from, *to) of a whole set of n that form a split: the
 * search split is the training set's [search_from, search_to) (default:
 * its last twelfth), the training split the longer of the parts before and
 * after it, the test split the test set's [test_from, test_to) (default:
 * all of it). file names the set in messages. */
static int split_range(const ds_source *src, idx_split split, int64_t n, const char *file, int64_t *from_out,
                       int64_t *to_out, ax_err *err)
{
    int64_t from = src ? src->test_from : 0, to = src ? src->test_to : 0;
    if (split == IDX_SPLIT_TEST) {
        *from_out = to ? from : 0;
        *to_out = to ? to : n;
        return to ? check_range("test_range", from, to, n, file, err) : AX_OK;
    }
    from = src ? src->search_from : 0;
    to = src ? src->search_to : 0;
    if (to == 0) {
        if (n / 12 < 1)
            return ax_fail(err, AX_EINPUT, "%s: %lld training images are too few to split off a validation set",
                           file, (long long)n);
        from = n - n / 12;
        to = n;
    }
    int rc = check_range("search_range", from, to, n, file, err);
    if (rc != AX_OK)
        return rc;
    if (split == IDX_SPLIT_TRAIN && from == 0 && to == n)
        return ax_fail(err, AX_EINPUT, "%s: search_range %lld:%lld takes every training image; none is left to "
                                       "calibrate", file, (long long)from, (long long)to);
    if (split == IDX_SPLIT_TRAIN) {
        int before = from >= n - to;
        *from_out = before ? 0 : to;
        *to_out = before ? from : n;
    } else {
        *from_out = from;
        *to_out = to;
    }
    return AX_OK;
}

/* The set folder of a split: train/, or test/ (else val/) for the test
 * split. */
static void folder_set(const char *dir, idx_split split, char *path, size_t size)
{
    const char *name = split != IDX_SPLIT_TEST ? "train" : is_dir(dir, "test") ? "test" : "val";
    snprintf(path, size, "%s/%s", dir, name);
}

/* A test set's classes must be the training set's, or the labels would
 * not mean the same. */
static int same_classes(const char *dir, const imgdir_list *test, const char *test_dir, ax_err *err)
{
    if (!is_dir(dir, "train"))
        return AX_OK;
    char train_dir[4096];
    folder_set(dir, IDX_SPLIT_TRAIN, train_dir, sizeof train_dir);
    imgdir_list tr;
    int rc = imgdir_list_classes(train_dir, &tr, err);
    for (int c = 0; rc == AX_OK && c < tr.n_classes && c < test->n_classes; c++)
        if (strcmp(tr.classes[c], test->classes[c]))
            rc = ax_fail(err, AX_EINPUT, "%s: class %d is '%s' but in %s it is '%s': the test set must have the "
                                         "training set's class folders", test_dir, c, test->classes[c], train_dir,
                         tr.classes[c]);
    if (rc == AX_OK && tr.n_classes != test->n_classes)
        rc = ax_fail(err, AX_EINPUT, "%s: %d classes, but %s has %d: the test set must have the training set's "
                                     "class folders", test_dir, test->n_classes, train_dir, tr.n_classes);
    imgdir_list_clear(&tr);
    return rc;
}

int64_t *ds_folder_order(int64_t n)
{
    int64_t *p = malloc(n > 0 ? (size_t)n * sizeof *p : 1);
    if (!p)
        return NULL;
    for (int64_t i = 0; i < n; i++)
        p[i] = i;
    pcg32 rng;
    pcg32_seed(&rng, DS_FOLDER_SEED, (uint64_t)n);
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)pcg32_bounded(&rng, (uint32_t)(i + 1));
        int64_t t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
    return p;
}

/* Decodes images [from, to) of a listing in the order `order` into out. */
static int folder_decode(const imgdir_list *l, const int64_t *order, const imgdir_shape *shape, int64_t from,
                         int64_t to, idx_dataset *out, ax_err *err)
{
    int64_t n = to - from, per = (int64_t)shape->channels * shape->rows * shape->cols;
    *out = (idx_dataset){.count = n, .channels = shape->channels, .rows = shape->rows, .cols = shape->cols,
                         .images = malloc(n * per > 0 ? (size_t)(n * per) : 1),
                         .labels = malloc(n > 0 ? (size_t)n * sizeof *out->labels : 1), .first = from};
    if (!out->images || !out->labels)
        return ax_fail(err, AX_EINTERNAL, "out of memory for %lld decoded images", (long long)n);
    for (int64_t i = 0; i < n; i++)
        out->labels[i] = l->labels[order[from + i]];
    /* The first failing image (by index) is the one reported, whatever
     * the thread count. */
    int64_t failed = n;
    ax_err first = {0};
#pragma omp parallel for schedule(dynamic, 16)
    for (int64_t i = 0; i < n; i++) {
        int64_t seen;
#pragma omp atomic read
        seen = failed;
        if (i > seen)
            continue;
        ax_err e = {0};
        if (imgdir_load(l->paths[order[from + i]], shape, out->images + i * per, &e) != AX_OK) {
#pragma omp critical(ds_folder_fail)
            if (i < failed) {
                failed = i;
                first = e;
            }
        }
    }
    if (failed < n) {
        if (err)
            *err = first;
        return first.code;
    }
    return AX_OK;
}

static int folder_load(const ds_source *src, const char *dir, idx_split split, int64_t max_images,
                       idx_dataset *out, ax_err *err)
{
    if (!src || src->rows < 1 || src->cols < 1 || (src->channels != 1 && src->channels != 3))
        return ax_fail(err, AX_EINPUT, "%s: image folders are read to a model's input: a model taking [N,1,H,W] or "
                                       "[N,3,H,W] is needed", dir);
    char set[4096];
    folder_set(dir, split, set, sizeof set);
    imgdir_list l;
    int rc = imgdir_list_set(set, &l, err);
    if (rc == AX_OK && split == IDX_SPLIT_TEST)
        rc = same_classes(dir, &l, set, err);
    int64_t from = 0, to = 0;
    if (rc == AX_OK)
        rc = split_range(src, split, l.n, set, &from, &to, err);
    if (rc == AX_OK && max_images > 0 && to - from > max_images)
        to = from + max_images;
    int shortest = src->rows < src->cols ? src->rows : src->cols;
    imgdir_shape shape = {src->channels, src->rows, src->cols,
                          src->resize ? src->resize : (shortest * 8 + 3) / 7};
    if (rc == AX_OK && shape.resize < shortest)
        rc = ax_fail(err, AX_EINPUT, "%s: image_resize %d is smaller than the model's %d x %d input (the crop)", dir,
                     shape.resize, src->rows, src->cols);
    int64_t *order = rc == AX_OK ? ds_folder_order(l.n) : NULL;
    if (rc == AX_OK && !order)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK)
        rc = folder_decode(&l, order, &shape, from, to, out, err);
    free(order);
    imgdir_list_clear(&l);
    return rc;
}

/* Narrows a whole set to its split (the images of split_range). */
static int take(const ds_source *src, idx_split split, idx_dataset *d, const char *file, ax_err *err)
{
    int64_t from, to;
    int rc = split_range(src, split, d->count, file, &from, &to, err);
    if (rc != AX_OK || (from == 0 && to == d->count))
        return rc;
    return keep(d, from, to, err);
}

int ds_load_split(const ds_source *src, idx_split split, idx_dataset *out, ax_err *err)
{
    return ds_load_first(src, split, 0, out, err);
}

int ds_load_first(const ds_source *src, idx_split split, int64_t max_images, idx_dataset *out, ax_err *err)
{
    memset(out, 0, sizeof *out);
    const char *dir;
    ds_format f;
    int rc = resolve(src, &dir, &f, err);
    if (rc != AX_OK)
        return rc;
    if (f == DS_FOLDER) {
        rc = folder_load(src, dir, split, max_images, out, err);
        if (rc != AX_OK)
            idx_dataset_clear(out);
        return rc;
    }
    char file[4096], paths[5][4096];
    int n = 0;
    if (f == DS_IDX) {
        rc = idx_load_set(dir, split == IDX_SPLIT_TEST, out, file, sizeof file, err);
    } else {
        rc = split_files(dir, f, split, paths, &n, err);
        snprintf(file, sizeof file, "%s", rc == AX_OK ? paths[0] : dir);
        if (rc == AX_OK)
            rc = f == DS_NPY ? npy_load_set(src, dir, split, out, err) : cifar_load_set(dir, f, split, out, err);
    }
    if (rc == AX_OK)
        rc = take(src, split, out, file, err);
    if (rc == AX_OK && max_images > 0 && out->count > max_images)
        out->count = max_images; /* the buffers keep their size; only the count is read */
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

/* The listing of a split's image folder set. */
static int folder_list(const char *dir, idx_split split, imgdir_list *l, ax_err *err)
{
    char set[4096];
    folder_set(dir, split, set, sizeof set);
    return imgdir_list_set(set, l, err);
}

int ds_split_file_bytes(const ds_source *src, idx_split split, int64_t max_images, int64_t *bytes, ax_err *err)
{
    const char *dir;
    ds_format f;
    int rc = resolve(src, &dir, &f, err);
    if (rc != AX_OK)
        return rc;
    if (f == DS_FOLDER) {
        imgdir_list l;
        rc = folder_list(dir, split, &l, err);
        int64_t n = l.n < max_images || max_images <= 0 ? l.n : max_images;
        *bytes = rc == AX_OK && src ? n * src->channels * src->rows * src->cols : 0;
        imgdir_list_clear(&l);
        return rc;
    }
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

int ds_split_hash(const ds_source *src, idx_split split, uint64_t *h, ax_err *err)
{
    const char *dir;
    ds_format f;
    int rc = resolve(src, &dir, &f, err);
    if (rc != AX_OK)
        return rc;
    if (f == DS_FOLDER) {
        imgdir_list l;
        rc = folder_list(dir, split, &l, err);
        if (rc == AX_OK)
            *h = hash_fnv1a64(*h, &l.fingerprint, sizeof l.fingerprint);
        imgdir_list_clear(&l);
        return rc;
    }
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

void ds_source_fit(ds_source *s, const graph *g)
{
    s->channels = s->rows = s->cols = 0;
    if (g->n_inputs != 1)
        return;
    const graph_tensor *in = &g->tensors[g->inputs[0]];
    if (in->rank == 4 && in->dims[1] > 0 && in->dims[1] <= 4 && in->dims[2] > 0 && in->dims[2] <= 65536 &&
        in->dims[3] > 0 && in->dims[3] <= 65536) {
        s->channels = (int)in->dims[1];
        s->rows = (int)in->dims[2];
        s->cols = (int)in->dims[3];
    } else if (in->rank == 3 && in->dims[1] > 0 && in->dims[1] <= 65536 && in->dims[2] > 0 && in->dims[2] <= 65536) {
        s->channels = 1;
        s->rows = (int)in->dims[1];
        s->cols = (int)in->dims[2];
    }
}
