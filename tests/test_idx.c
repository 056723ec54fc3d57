/* IDX reader: small files written here (gzip and plain), each kind of
 * corruption, the splits, the pixel conversion, and Debian's Fashion-MNIST
 * against its published counts (60,000 + 10,000 images of 28x28, 10
 * balanced classes: 6,000 and 1,000 per class) and its first test labels
 * (9, 2, 1, 1, 6: as `zcat t10k-labels-idx1-ubyte.gz | od -t x1` shows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "fitness/net/idx.h"

static char tmpdir[256];

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/axsearch-idx-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes an IDX file: header (magic, dims), then `body` bytes of data
 * (fewer than the dims announce for truncation tests, more for trailing
 * data). gz: through zlib. */
static void write_idx(const char *path, uint32_t magic, int ndims, const uint32_t *dims, const uint8_t *body,
                      size_t body_len, int gz)
{
    uint8_t head[16];
    uint32_t words[4];
    words[0] = magic;
    for (int i = 0; i < ndims; i++)
        words[1 + i] = dims[i];
    for (int i = 0; i <= ndims; i++) {
        head[4 * i] = (uint8_t)(words[i] >> 24);
        head[4 * i + 1] = (uint8_t)(words[i] >> 16);
        head[4 * i + 2] = (uint8_t)(words[i] >> 8);
        head[4 * i + 3] = (uint8_t)words[i];
    }
    size_t hlen = 4 + 4 * (size_t)ndims;
    if (gz) {
        gzFile f = gzopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(gzwrite(f, head, (unsigned)hlen), (int)hlen);
        if (body_len)
            assert_int_equal(gzwrite(f, body, (unsigned)body_len), (int)body_len);
        assert_int_equal(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(head, 1, hlen, f), hlen);
        if (body_len)
            assert_int_equal(fwrite(body, 1, body_len, f), body_len);
        assert_int_equal(fclose(f), 0);
    }
}

/* A 24-image 2x3 dataset: pixel = image*10 + position, label = image % 7;
 * 6 test images. */
static void write_dataset(const char *dir, int gz)
{
    char path[512];
    uint8_t px[24 * 6], lb[24];
    for (int i = 0; i < 24; i++) {
        for (int p = 0; p < 6; p++)
            px[i * 6 + p] = (uint8_t)(i * 10 + p);
        lb[i] = (uint8_t)(i % 7);
    }
    const char *ext = gz ? ".gz" : "";
    uint32_t di[3] = {24, 2, 3}, dl[1] = {24};
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte%s", dir, ext);
    write_idx(path, IDX_MAGIC_IMAGES, 3, di, px, sizeof px, gz);
    snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte%s", dir, ext);
    write_idx(path, IDX_MAGIC_LABELS, 1, dl, lb, sizeof lb, gz);
    di[0] = 6;
    dl[0] = 6;
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte%s", dir, ext);
    write_idx(path, IDX_MAGIC_IMAGES, 3, di, px + 6 * 6, 6 * 6, gz);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte%s", dir, ext);
    write_idx(path, IDX_MAGIC_LABELS, 1, dl, lb + 6, 6, gz);
}

static void round_trip_and_splits(void **state)
{
    (void)state;
    for (int gz = 0; gz <= 1; gz++) {
        char dir[400];
        snprintf(dir, sizeof dir, "%s/ds%d", tmpdir, gz);
        assert_int_equal(mkdir(dir, 0755), 0);
        write_dataset(dir, gz);
        idx_dataset d;
        ax_err err = {0};
        /* 24 training images: the last 24/12 = 2 are the validation split */
        assert_int_equal(idx_load_split(dir, IDX_SPLIT_TRAIN, &d, &err), AX_OK);
        assert_int_equal(d.count, 22);
        assert_int_equal(d.first, 0);
        assert_true(d.rows == 2 && d.cols == 3);
        assert_int_equal(d.images[5 * 6 + 4], 54);
        assert_int_equal(d.labels[10], 3);
        idx_dataset_clear(&d);
        assert_int_equal(idx_load_split(dir, IDX_SPLIT_VAL, &d, &err), AX_OK);
        assert_int_equal(d.count, 2);
        assert_int_equal(d.first, 22);
        assert_int_equal(d.images[0], 220);
        assert_int_equal(d.images[6 + 5], 235);
        assert_int_equal(d.labels[0], 22 % 7);
        idx_dataset_clear(&d);
        assert_int_equal(idx_load_split(dir, IDX_SPLIT_TEST, &d, &err), AX_OK);
        assert_int_equal(d.count, 6);
        assert_int_equal(d.images[0], 60);
        assert_int_equal(d.labels[5], 11 % 7);
        idx_dataset_clear(&d);
        idx_dataset_clear(&d); /* clearing twice is harmless */
    }
}

static void corrupt_files(void **state)
{
    (void)state;
    char path[512];
    uint8_t px[4 * 4] = {0};
    uint8_t *out = NULL;
    int64_t n;
    int r, c;
    ax_err err = {0};
    uint32_t d[3] = {4, 2, 2};
    /* wrong magic: a label file read as images, and garbage */
    snprintf(path, sizeof path, "%s/labels.gz", tmpdir);
    write_idx(path, IDX_MAGIC_LABELS, 1, d, px, 4, 1);
    assert_int_equal(idx_read_images(path, &out, &n, &r, &c, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "magic 0x00000801, expected 0x00000803"));
    assert_null(out);
    /* truncated body */
    snprintf(path, sizeof path, "%s/short.gz", tmpdir);
    write_idx(path, IDX_MAGIC_IMAGES, 3, d, px, 15, 1);
    assert_int_equal(idx_read_images(path, &out, &n, &r, &c, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "truncated"));
    /* truncated header */
    snprintf(path, sizeof path, "%s/head.gz", tmpdir);
    write_idx(path, IDX_MAGIC_IMAGES, 1, d, NULL, 0, 1);
    assert_int_equal(idx_read_images(path, &out, &n, &r, &c, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "header"));
    /* trailing bytes */
    snprintf(path, sizeof path, "%s/long", tmpdir);
    write_idx(path, IDX_MAGIC_IMAGES, 3, d, px, 16, 0);
    assert_int_equal(idx_read_images(path, &out, &n, &r, &c, &err), AX_OK);
    free(out);
    out = NULL;
    uint8_t big[17] = {0};
    write_idx(path, IDX_MAGIC_IMAGES, 3, d, big, 17, 0);
    assert_int_equal(idx_read_images(path, &out, &n, &r, &c, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "trailing"));
    /* zero and absurd dimensions; a header announcing 4 GB must not allocate it */
    uint32_t z[3] = {4, 0, 2}, huge[3] = {1u << 30, 65536, 1};
    write_idx(path, IDX_MAGIC_IMAGES, 3, z, px, 0, 0);
    assert_int_equal(idx_read_images(path, &out, &n, &r, &c, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "dimension 1 is 0"));
    write_idx(path, IDX_MAGIC_IMAGES, 3, huge, px, 16, 0);
    assert_int_equal(idx_read_images(path, &out, &n, &r, &c, &err), AX_EINPUT);
    /* corrupted compressed stream */
    snprintf(path, sizeof path, "%s/flip.gz", tmpdir);
    uint8_t body[4 * 16 * 16];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (uint8_t)(i * 37 + 11);
    uint32_t d2[3] = {4, 16, 16};
    write_idx(path, IDX_MAGIC_IMAGES, 3, d2, body, sizeof body, 1);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 40, SEEK_SET), 0);
    uint8_t junk[24];
    memset(junk, 0xA5, sizeof junk);
    assert_int_equal(fwrite(junk, 1, sizeof junk, f), sizeof junk);
    assert_int_equal(fclose(f), 0);
    int rc = idx_read_images(path, &out, &n, &r, &c, &err);
    assert_int_equal(rc, AX_EINPUT);
    /* missing file, directory */
    snprintf(path, sizeof path, "%s/nothing.gz", tmpdir);
    uint16_t *lab = NULL;
    assert_int_equal(idx_read_labels(path, &lab, &n, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "nothing.gz"));
    assert_int_equal(idx_read_labels(tmpdir, &lab, &n, &err), AX_EINPUT);
    assert_null(lab);
}

static void split_consistency(void **state)
{
    (void)state;
    char dir[400], path[512];
    snprintf(dir, sizeof dir, "%s/mismatch", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    write_dataset(dir, 1);
    /* 23 labels for 24 images */
    uint8_t lb[23] = {0};
    uint32_t dl[1] = {23};
    snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte.gz", dir);
    write_idx(path, IDX_MAGIC_LABELS, 1, dl, lb, sizeof lb, 1);
    idx_dataset d;
    ax_err err = {0};
    assert_int_equal(idx_load_split(dir, IDX_SPLIT_VAL, &d, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "23 labels for the 24 images"));
    /* the test split is unaffected */
    assert_int_equal(idx_load_split(dir, IDX_SPLIT_TEST, &d, &err), AX_OK);
    idx_dataset_clear(&d);
    /* a folder without the files */
    snprintf(dir, sizeof dir, "%s/empty", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(idx_load_split(dir, IDX_SPLIT_TEST, &d, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "t10k-images-idx3-ubyte"));
}

static void pixel_conversion(void **state)
{
    (void)state;
    const uint8_t px[3] = {0, 51, 255};
    float out[3];
    idx_to_float(px, 3, 0.0f, 1.0f, out);
    assert_true(out[0] == 0.0f && out[1] == 0.2f && out[2] == 1.0f);
    idx_to_float(px, 3, 0.2860f, 0.3530f, out);
    assert_float_equal(out[0], -0.2860 / 0.3530, 1e-6);
    assert_float_equal(out[2], (1.0 - 0.2860) / 0.3530, 1e-6);
}

static void fashion_mnist(void **state)
{
    (void)state;
    idx_dataset tr, va, te;
    ax_err err = {0};
    int rc = idx_load_split(NULL, IDX_SPLIT_TRAIN, &tr, &err);
    if (rc != AX_OK)
        fail_msg("%s (dataset-fashion-mnist installed?)", err.msg);
    assert_int_equal(idx_load_split(NULL, IDX_SPLIT_VAL, &va, &err), AX_OK);
    assert_int_equal(idx_load_split(NULL, IDX_SPLIT_TEST, &te, &err), AX_OK);
    assert_int_equal(tr.count, 55000);
    assert_int_equal(va.count, 5000);
    assert_int_equal(va.first, 55000);
    assert_int_equal(te.count, 10000);
    assert_true(tr.rows == 28 && tr.cols == 28 && te.rows == 28 && te.cols == 28);
    int64_t train_hist[10] = {0}, test_hist[10] = {0};
    for (int64_t i = 0; i < tr.count; i++) {
        assert_true(tr.labels[i] < 10);
        train_hist[tr.labels[i]]++;
    }
    for (int64_t i = 0; i < va.count; i++) {
        assert_true(va.labels[i] < 10);
        train_hist[va.labels[i]]++;
    }
    for (int64_t i = 0; i < te.count; i++) {
        assert_true(te.labels[i] < 10);
        test_hist[te.labels[i]]++;
    }
    for (int k = 0; k < 10; k++) {
        assert_int_equal(train_hist[k], 6000);
        assert_int_equal(test_hist[k], 1000);
    }
    static const uint16_t first[5] = {9, 2, 1, 1, 6};
    assert_memory_equal(te.labels, first, sizeof first);
    idx_dataset_clear(&tr);
    idx_dataset_clear(&va);
    idx_dataset_clear(&te);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip_and_splits, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(corrupt_files, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(split_consistency, setup_tmp, teardown_tmp),
        cmocka_unit_test(pixel_conversion),
        cmocka_unit_test(fashion_mnist),
    };
    return cmocka_run_group_tests_name("idx", tests, NULL, NULL);
}
