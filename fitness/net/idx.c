#include "fitness/net/idx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "util/fileio.h"

#define MAX_DIM 65536

static int gz_fail(gzFile f, const char *path, long offset, const char *what, ax_err *err)
{
    int zerr = 0;
    const char *zmsg = gzerror(f, &zerr);
    if (zerr != Z_OK && zerr != Z_STREAM_END && zmsg && zmsg[0])
        return ax_fail(err, AX_EINPUT, "%s: byte %ld: %s (%s)", path, offset, what, zmsg);
    return ax_fail(err, AX_EINPUT, "%s: byte %ld: %s", path, offset, what);
}

/* Reads exactly len bytes at the current (uncompressed) offset. */
static int read_exact(gzFile f, const char *path, long offset, void *buf, size_t len, const char *what, ax_err *err)
{
    size_t got = 0;
    while (got < len) {
        unsigned chunk = len - got > (1u << 30) ? (1u << 30) : (unsigned)(len - got);
        int n = gzread(f, (char *)buf + got, chunk);
        if (n <= 0)
            return gz_fail(f, path, offset + (long)got, what, err);
        got += (size_t)n;
    }
    return AX_OK;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static gzFile open_gz(const char *path, ax_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        ax_fail(err, AX_EINPUT, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        ax_fail(err, AX_EINPUT, "%s: not a regular file", path);
        return NULL;
    }
    gzFile f = gzopen(path, "rb");
    if (!f)
        ax_fail(err, AX_EINPUT, "%s: cannot open (%s)", path, errno ? strerror(errno) : "out of memory");
    return f;
}

/* Reads the magic and the header dims of an open IDX file whose magic is
 * `magic` with `ndims` dimensions; *total: the data bytes it announces. */
static int read_header(gzFile f, const char *path, uint32_t magic, int ndims, uint32_t *dims, int64_t *total,
                       ax_err *err)
{
    uint8_t head[16];
    size_t hlen = 4 + 4 * (size_t)ndims;
    /* the magic first, so that a file of the other kind says so */
    int rc = read_exact(f, path, 0, head, 4, "file ends inside the magic number", err);
    if (rc == AX_OK && be32(head) != magic)
        rc = ax_fail(err, AX_EINPUT, "%s: byte 0: magic 0x%08x, expected 0x%08x (%s)", path, be32(head), magic,
                     magic == IDX_MAGIC_IMAGES ? "IDX unsigned-byte images, 3 dimensions"
                                               : "IDX unsigned-byte labels, 1 dimension");
    if (rc == AX_OK)
        rc = read_exact(f, path, 4, head + 4, hlen - 4, "file ends inside the header", err);
    *total = 1;
    for (int d = 0; rc == AX_OK && d < ndims; d++) {
        dims[d] = be32(head + 4 + 4 * d);
        uint32_t lim = d == 0 ? (1u << 30) : MAX_DIM;
        if (dims[d] == 0 || dims[d] > lim)
            rc = ax_fail(err, AX_EINPUT, "%s: byte %d: dimension %d is %u (expected 1..%u)", path, 4 + 4 * d, d,
                         dims[d], lim);
        else /* at most 2^30 x MAX_DIM^2: no overflow */
            *total *= dims[d];
    }
    if (rc == AX_OK && *total > ((int64_t)1 << 34))
        rc = ax_fail(err, AX_EINPUT, "%s: the header announces %lld bytes", path, (long long)*total);
    return rc;
}

/* Reads header dims (after the magic) and the body of an IDX file whose
 * magic is `magic` with `ndims` dimensions. */
static int read_idx(const char *path, uint32_t magic, int ndims, uint32_t *dims, uint8_t **body, int64_t *body_len,
                    ax_err *err)
{
    *body = NULL;
    gzFile f = open_gz(path, err);
    if (!f)
        return err ? err->code : AX_EINPUT;
    size_t hlen = 4 + 4 * (size_t)ndims;
    int64_t total;
    int rc = read_header(f, path, magic, ndims, dims, &total, err);
    /* Grow the buffer as data arrives, so that a corrupted header cannot
     * make us allocate more than the file holds. */
    uint8_t *buf = NULL;
    int64_t have = 0, cap = 0;
    while (rc == AX_OK && have < total) {
        if (have == cap) {
            int64_t ncap = cap ? 2 * cap : (1 << 20);
            if (ncap > total)
                ncap = total;
            uint8_t *p = realloc(buf, (size_t)ncap);
            if (!p) {
                rc = ax_fail(err, AX_EINTERNAL, "%s: out of memory", path);
                break;
            }
            buf = p;
            cap = ncap;
        }
        int64_t want = cap - have;
        if (want > (1 << 30))
            want = 1 << 30;
        int n = gzread(f, buf + have, (unsigned)want);
        if (n <= 0) {
            char what[160];
            snprintf(what, sizeof what, "file ends after %lld of %lld data bytes (truncated)", (long long)have,
                     (long long)total);
            rc = gz_fail(f, path, (long)(hlen + have), what, err);
            break;
        }
        have += n;
    }
    if (rc == AX_OK) {
        uint8_t extra;
        int n = gzread(f, &extra, 1);
        if (n > 0)
            rc = ax_fail(err, AX_EINPUT, "%s: byte %lld: trailing data after the %lld announced bytes", path,
                         (long long)(hlen + total), (long long)total);
        else if (n < 0)
            rc = gz_fail(f, path, (long)(hlen + total), "corrupted compressed data", err);
    }
    gzclose(f);
    if (rc != AX_OK) {
        free(buf);
        return rc;
    }
    *body = buf;
    *body_len = total;
    return AX_OK;
}

int idx_read_images(const char *path, uint8_t **pixels, int64_t *count, int *rows, int *cols, ax_err *err)
{
    uint32_t dims[3];
    int64_t len;
    int rc = read_idx(path, IDX_MAGIC_IMAGES, 3, dims, pixels, &len, err);
    if (rc != AX_OK)
        return rc;
    *count = dims[0];
    *rows = (int)dims[1];
    *cols = (int)dims[2];
    return AX_OK;
}

int idx_read_labels(const char *path, uint16_t **labels, int64_t *count, ax_err *err)
{
    uint32_t dims[1];
    int64_t len;
    uint8_t *bytes = NULL;
    *labels = NULL;
    int rc = read_idx(path, IDX_MAGIC_LABELS, 1, dims, &bytes, &len, err);
    if (rc != AX_OK)
        return rc;
    uint16_t *wide = malloc(dims[0] ? (size_t)dims[0] * sizeof *wide : 1);
    if (!wide) {
        free(bytes);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    for (uint32_t i = 0; i < dims[0]; i++)
        wide[i] = bytes[i];
    free(bytes);
    *labels = wide;
    *count = dims[0];
    return AX_OK;
}

void idx_dataset_clear(idx_dataset *d)
{
    if (!d)
        return;
    free(d->images);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

const char *idx_split_name(idx_split split)
{
    switch (split) {
    case IDX_SPLIT_TRAIN: return "train";
    case IDX_SPLIT_VAL: return "val";
    case IDX_SPLIT_TEST: return "test";
    }
    return "?";
}

int idx_split_from_name(const char *name, idx_split *split)
{
    static const idx_split all[] = {IDX_SPLIT_TRAIN, IDX_SPLIT_VAL, IDX_SPLIT_TEST};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(name, idx_split_name(all[i]))) {
            *split = all[i];
            return 0;
        }
    return -1;
}

/* dir/name.gz if it exists, else dir/name. */
static void pick(char *buf, size_t size, const char *dir, const char *name)
{
    struct stat st;
    snprintf(buf, size, "%s/%s.gz", dir, name);
    if (stat(buf, &st) == 0)
        return;
    snprintf(buf, size, "%s/%s", dir, name);
    if (stat(buf, &st) != 0)
        snprintf(buf, size, "%s/%s.gz", dir, name); /* report the usual name */
}

int64_t idx_image_bytes(const idx_dataset *d)
{
    return (int64_t)(d->channels > 0 ? d->channels : 1) * d->rows * d->cols;
}

int idx_dataset_take_split(idx_dataset *d, idx_split split, const char *name, ax_err *err)
{
    if (split == IDX_SPLIT_TEST)
        return AX_OK;
    int64_t n = d->count, val = n / 12;
    if (val < 1)
        return ax_fail(err, AX_EINPUT, "%s: %lld training images are too few to split off a validation set", name,
                       (long long)n);
    int64_t first = split == IDX_SPLIT_TRAIN ? 0 : n - val, count = split == IDX_SPLIT_TRAIN ? n - val : val;
    size_t per = (size_t)idx_image_bytes(d);
    uint8_t *px = malloc((size_t)count * per);
    uint16_t *lb = malloc((size_t)count * sizeof *lb);
    if (!px || !lb) {
        free(px);
        free(lb);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    memcpy(px, d->images + (size_t)first * per, (size_t)count * per);
    memcpy(lb, d->labels + first, (size_t)count * sizeof *lb);
    free(d->images);
    free(d->labels);
    d->images = px;
    d->labels = lb;
    d->count = count;
    d->first = d->first + first;
    return AX_OK;
}

int idx_load_set(const char *dir, int test, idx_dataset *out, char *path, size_t path_size, ax_err *err)
{
    memset(out, 0, sizeof *out);
    if (!dir)
        dir = IDX_DEFAULT_DIR;
    const char *stem = test ? "t10k" : "train";
    char ipath[4096], lpath[4096], name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", stem);
    pick(ipath, sizeof ipath, dir, name);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", stem);
    pick(lpath, sizeof lpath, dir, name);
    if (path)
        snprintf(path, path_size, "%s", ipath);
    int64_t n_lab = 0;
    out->channels = 1;
    int rc = idx_read_images(ipath, &out->images, &out->count, &out->rows, &out->cols, err);
    if (rc == AX_OK)
        rc = idx_read_labels(lpath, &out->labels, &n_lab, err);
    if (rc == AX_OK && out->count != n_lab)
        rc = ax_fail(err, AX_EINPUT, "%s: %lld labels for the %lld images of %s", lpath, (long long)n_lab,
                     (long long)out->count, ipath);
    if (rc != AX_OK)
        idx_dataset_clear(out);
    return rc;
}

int idx_load_split(const char *dir, idx_split split, idx_dataset *out, ax_err *err)
{
    char ipath[4096];
    int rc = idx_load_set(dir, split == IDX_SPLIT_TEST, out, ipath, sizeof ipath, err);
    if (rc == AX_OK)
        rc = idx_dataset_take_split(out, split, ipath, err);
    if (rc != AX_OK)
        idx_dataset_clear(out);
    return rc;
}

void idx_to_float(const uint8_t *px, int64_t n, float mean, float std, float *out)
{
    /* divide (not multiply by a reciprocal) so that pixel/255 is the
     * correctly rounded value PyTorch's ToTensor gives */
    for (int64_t i = 0; i < n; i++)
        out[i] = ((float)px[i] / 255.0f - mean) / std;
}

/* The data bytes the header of one IDX file announces. */
static int announced(const char *path, uint32_t magic, int ndims, int64_t *total, ax_err *err)
{
    gzFile f = open_gz(path, err);
    if (!f)
        return err ? err->code : AX_EINPUT;
    uint32_t dims[3];
    int rc = read_header(f, path, magic, ndims, dims, total, err);
    gzclose(f);
    return rc;
}

int idx_split_file_bytes(const char *dir, idx_split split, int64_t *bytes, ax_err *err)
{
    if (!dir)
        dir = IDX_DEFAULT_DIR;
    const char *stem = split == IDX_SPLIT_TEST ? "t10k" : "train";
    char ipath[4096], lpath[4096], name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", stem);
    pick(ipath, sizeof ipath, dir, name);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", stem);
    pick(lpath, sizeof lpath, dir, name);
    int64_t images = 0, labels = 0;
    int rc = announced(ipath, IDX_MAGIC_IMAGES, 3, &images, err);
    if (rc == AX_OK)
        rc = announced(lpath, IDX_MAGIC_LABELS, 1, &labels, err);
    *bytes = images + labels;
    return rc;
}

int idx_split_hash(const char *dir, idx_split split, uint64_t *h, ax_err *err)
{
    if (!dir)
        dir = IDX_DEFAULT_DIR;
    const char *stem = split == IDX_SPLIT_TEST ? "t10k" : "train";
    char path[4096], name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", stem);
    pick(path, sizeof path, dir, name);
    int rc = fio_hash_file(path, h, err);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", stem);
    pick(path, sizeof path, dir, name);
    return rc == AX_OK ? fio_hash_file(path, h, err) : rc;
}
