#include "fitness/net/cifar.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Grows *images and *labels to hold `total` records. */
static int grow(uint8_t **images, uint16_t **labels, int64_t total, ax_err *err)
{
    uint8_t *im = realloc(*images, (size_t)total * CIFAR_PIXELS);
    if (!im)
        return ax_fail(err, AX_EINTERNAL, "out of memory for %lld CIFAR images", (long long)total);
    *images = im;
    uint16_t *lb = realloc(*labels, (size_t)total * sizeof *lb);
    if (!lb)
        return ax_fail(err, AX_EINTERNAL, "out of memory for %lld CIFAR labels", (long long)total);
    *labels = lb;
    return AX_OK;
}

/* Reads `n` records from f into the arrays from index `at`. */
static int read_records(FILE *f, const char *path, cifar_kind kind, int64_t n, int64_t at, uint8_t *images,
                        uint16_t *labels, ax_err *err)
{
    int label_bytes = kind == CIFAR_100 ? 2 : 1, classes = kind == CIFAR_100 ? 100 : 10;
    for (int64_t r = 0; r < n; r++) {
        uint8_t lab[2];
        if (fread(lab, 1, (size_t)label_bytes, f) != (size_t)label_bytes ||
            fread(images + (size_t)(at + r) * CIFAR_PIXELS, 1, CIFAR_PIXELS, f) != CIFAR_PIXELS)
            return ax_fail(err, AX_EINPUT, "%s: short read in record %lld", path, (long long)r);
        uint8_t fine = lab[label_bytes - 1];
        if (kind == CIFAR_100 && lab[0] >= 20)
            return ax_fail(err, AX_EINPUT, "%s: record %lld: coarse label %d, expected 0..19", path, (long long)r,
                           lab[0]);
        if (fine >= classes)
            return ax_fail(err, AX_EINPUT, "%s: record %lld: label %d, expected 0..%d (is this CIFAR-%d?)", path,
                           (long long)r, fine, classes - 1, kind == CIFAR_100 ? 10 : 100);
        labels[at + r] = fine;
    }
    return AX_OK;
}

int cifar_read_batch(const char *path, cifar_kind kind, int64_t max_images, uint8_t **images, uint16_t **labels,
                     int64_t *count, ax_err *err)
{
    long record = CIFAR_PIXELS + (kind == CIFAR_100 ? 2 : 1);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ax_fail(err, AX_EINPUT, "%s: cannot open", path);
    struct stat st;
    int rc = AX_OK;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        rc = ax_fail(err, AX_EINPUT, "%s: not a regular file", path);
    else if (st.st_size == 0 || st.st_size % record != 0)
        rc = ax_fail(err, AX_EINPUT, "%s: %lld bytes, not a whole number of %ld-byte CIFAR-%d records", path,
                     (long long)st.st_size, record, kind == CIFAR_100 ? 100 : 10);
    int64_t n = rc == AX_OK ? (int64_t)(st.st_size / record) : 0;
    if (rc == AX_OK && *count + n > max_images)
        rc = ax_fail(err, AX_EINPUT, "%s: %lld images, more than the %lld this reader takes", path,
                     (long long)(*count + n), (long long)max_images);
    if (rc == AX_OK)
        rc = grow(images, labels, *count + n, err);
    if (rc == AX_OK)
        rc = read_records(f, path, kind, n, *count, *images, *labels, err);
    fclose(f);
    if (rc == AX_OK)
        *count += n;
    return rc;
}
