/* The CIFAR binary-batch reader (fitness/net/cifar.h) on batches written
 * here by the format's definition (a label byte, or coarse and fine, then
 * the R, G, B planes): values read back exactly, batches appended, and
 * every malformed file refused naming the file and the record. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/cli_support.h"

#include "fitness/net/cifar.h"

static char dir[] = "/tmp/axsearch-cifar-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return cli_temp_dir(dir);
}

static int teardown(void **state)
{
    (void)state;
    return cli_remove_tree(dir);
}

/* Pixel i of record r of batch b. */
static uint8_t pixel(int b, int r, int i)
{
    return (uint8_t)((b * 131 + r * 7 + i * 3) % 256);
}

/* n records of batch b; labels[r] (and coarse[r] for CIFAR-100, or NULL);
 * `extra` trailing bytes. Returns the path. */
static const char *write_batch(const char *name, int b, int n, const uint8_t *coarse, const uint8_t *labels,
                               int extra)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int r = 0; r < n; r++) {
        if (coarse)
            fputc(coarse[r], f);
        fputc(labels[r], f);
        for (int i = 0; i < CIFAR_PIXELS; i++)
            fputc(pixel(b, r, i), f);
    }
    for (int i = 0; i < extra; i++)
        fputc(0, f);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void batches_read_back(void **state)
{
    (void)state;
    uint8_t *im = NULL;
    uint16_t *lab = NULL;
    int64_t n = 0;
    ax_err err = {0};
    static const uint8_t l1[3] = {0, 9, 4}, l2[2] = {7, 1};
    assert_int_equal(cifar_read_batch(write_batch("b1.bin", 1, 3, NULL, l1, 0), CIFAR_10, 100, &im, &lab, &n, &err),
                     AX_OK);
    assert_int_equal(cifar_read_batch(write_batch("b2.bin", 2, 2, NULL, l2, 0), CIFAR_10, 100, &im, &lab, &n, &err),
                     AX_OK);
    assert_int_equal(n, 5);
    static const uint16_t all[5] = {0, 9, 4, 7, 1};
    assert_memory_equal(lab, all, sizeof all);
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < CIFAR_PIXELS; i++)
            if (im[k * CIFAR_PIXELS + i] != pixel(k < 3 ? 1 : 2, k < 3 ? k : k - 3, i))
                fail_msg("image %d pixel %d", k, i);
    /* the planes: the green plane's first pixel is byte 1024 of the record */
    assert_int_equal(im[1024], pixel(1, 0, 1024));
    free(im);
    free(lab);

    im = NULL;
    lab = NULL;
    n = 0;
    static const uint8_t coarse[2] = {19, 0}, fine[2] = {99, 42};
    assert_int_equal(
        cifar_read_batch(write_batch("c100.bin", 3, 2, coarse, fine, 0), CIFAR_100, 100, &im, &lab, &n, &err), AX_OK);
    assert_int_equal(n, 2);
    assert_int_equal(lab[0], 99);
    assert_int_equal(lab[1], 42);
    assert_int_equal(im[CIFAR_PIXELS + 5], pixel(3, 1, 5));
    free(im);
    free(lab);
}

static void bad_batches_refused(void **state)
{
    (void)state;
    static const uint8_t ok[2] = {1, 2}, ten[2] = {3, 10}, coarse_bad[2] = {0, 20};
    typedef struct bad_case {
        const char *path, *msg;
        cifar_kind kind;
        int64_t max;
    } bad_case;
    bad_case bad[5];
    char paths[5][PATH_MAX];
    snprintf(paths[0], PATH_MAX, "%s", write_batch("short.bin", 1, 2, NULL, ok, 5));
    snprintf(paths[1], PATH_MAX, "%s", write_batch("ten.bin", 1, 2, NULL, ten, 0));
    snprintf(paths[2], PATH_MAX, "%s", write_batch("coarse.bin", 1, 2, coarse_bad, ok, 0));
    snprintf(paths[3], PATH_MAX, "%s", write_batch("many.bin", 1, 2, NULL, ok, 0));
    snprintf(paths[4], PATH_MAX, "%s", write_batch("empty.bin", 1, 0, NULL, ok, 0));
    bad[0] = (bad_case){paths[0], "not a whole number of 3073-byte CIFAR-10 records", CIFAR_10, 100};
    bad[1] = (bad_case){paths[1], "record 1: label 10, expected 0..9 (is this CIFAR-100?)", CIFAR_10, 100};
    bad[2] = (bad_case){paths[2], "record 1: coarse label 20, expected 0..19", CIFAR_100, 100};
    bad[3] = (bad_case){paths[3], "2 images, more than the 1 this reader takes", CIFAR_10, 1};
    bad[4] = (bad_case){paths[4], "0 bytes, not a whole number", CIFAR_10, 100};
    for (int i = 0; i < 5; i++) {
        uint8_t *im = NULL;
    uint16_t *lab = NULL;
        int64_t n = 0;
        ax_err err = {0};
        assert_int_equal(cifar_read_batch(bad[i].path, bad[i].kind, bad[i].max, &im, &lab, &n, &err), AX_EINPUT);
        assert_int_equal(n, 0);
        if (!strstr(err.msg, bad[i].path) || !strstr(err.msg, bad[i].msg))
            fail_msg("case %d: '%s', expected '%s'", i, err.msg, bad[i].msg);
        free(im);
        free(lab);
    }
    uint8_t *im = NULL;
    uint16_t *lab = NULL;
    int64_t n = 0;
    ax_err err = {0};
    assert_int_equal(cifar_read_batch(dir, CIFAR_10, 100, &im, &lab, &n, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "not a regular file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batches_read_back),
        cmocka_unit_test(bad_batches_refused),
    };
    return cmocka_run_group_tests_name("cifar", tests, setup, teardown);
}
