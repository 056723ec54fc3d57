/* The .npy reader (fitness/net/npy.h) on files NumPy 1.24 wrote
 * (tests/npy/make.py: each value here follows from the formula there),
 * and on malformed files made here: each refused, naming the file and
 * what is wrong. */
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

#include "fitness/net/npy.h"

#define DIR "tests/npy/"
#define MAX_BYTES ((size_t)1 << 30)

static void numpy_images(void **state)
{
    (void)state;
    static const char *const files[2] = {DIR "images_u1.npy", DIR "images_u1_v2.npy"};
    static const int64_t shapes[2][4] = {{2, 3, 4, 2}, {2, 2, 3, 4}};
    for (int f = 0; f < 2; f++) {
        npy_header h;
        uint8_t *px = NULL;
        ax_err err = {0};
        assert_int_equal(npy_read_u8(files[f], MAX_BYTES, &h, &px, &err), AX_OK);
        assert_int_equal(h.ndim, 4);
        for (int d = 0; d < 4; d++)
            assert_int_equal(h.shape[d], shapes[f][d]);
        assert_int_equal(h.count, 48);
        assert_int_equal(h.data_offset, 128); /* NumPy pads to 64 bytes */
        for (int i = 0; i < 48; i++)
            assert_int_equal(px[i], i * 37 % 256);
        free(px);
    }
    npy_header h;
    uint8_t *px = NULL;
    ax_err err = {0};
    assert_int_equal(npy_read_u8(DIR "scalar_u1.npy", MAX_BYTES, &h, &px, &err), AX_OK);
    assert_int_equal(h.ndim, 0);
    assert_int_equal(h.count, 1);
    assert_int_equal(px[0], 7);
    free(px);
    assert_int_equal(npy_read_u8(DIR "empty_u1.npy", MAX_BYTES, &h, &px, &err), AX_OK);
    assert_int_equal(h.count, 0);
    assert_int_equal(h.shape[1], 28);
    free(px);
}

static void numpy_labels(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int n;
        uint16_t v[5];
    } ok[] = {
        {DIR "labels_i8.npy", 4, {0, 9, 255, 3}},
        {DIR "labels_256.npy", 2, {255, 256}}, /* more than 256 classes (ImageNet's 1,000) */
        {DIR "labels_u2_be.npy", 3, {1, 2, 3}},
        {DIR "labels_i1.npy", 3, {0, 5, 127}},
        {DIR "labels_u4.npy", 5, {4, 4, 0, 1, 2}},
        {DIR "images_u1.npy", -1, {0}}, /* four dimensions */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t n = -1;
        uint16_t *lab = NULL;
        ax_err err = {0};
        int rc = npy_read_labels(ok[i].file, MAX_BYTES, &n, &lab, &err);
        if (ok[i].n < 0) {
            assert_int_equal(rc, AX_EINPUT);
            assert_non_null(strstr(err.msg, "one-dimensional"));
            continue;
        }
        assert_int_equal(rc, AX_OK);
        assert_int_equal(n, ok[i].n);
        assert_memory_equal(lab, ok[i].v, (size_t)n);
        free(lab);
    }
}

/* Files NumPy wrote that this reader refuses, and what it says. */
static void numpy_files_refused(void **state)
{
    (void)state;
    static const struct {
        const char *file, *msg;
        int labels;
    } bad[] = {
        {DIR "labels_negative.npy", "label 1 is -1: expected a class in 0..65535", 1},
        {DIR "labels_2d.npy", "has 2 dimensions", 1},
        {DIR "fortran_u1.npy", "fortran_order True", 0},
        {DIR "float32.npy", "dtype '<f4': expected an integer dtype", 0},
        {DIR "labels_i8.npy", "dtype i8: images must be uint8", 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ax_err err = {0};
        uint8_t *p = NULL;
        uint16_t *lab = NULL;
        int64_t n;
        npy_header h;
        int rc = bad[i].labels ? npy_read_labels(bad[i].file, MAX_BYTES, &n, &lab, &err)
                               : npy_read_u8(bad[i].file, MAX_BYTES, &h, &p, &err);
        assert_int_equal(rc, AX_EINPUT);
        assert_null(p);
        assert_null(lab);
        if (!strstr(err.msg, bad[i].file) || !strstr(err.msg, bad[i].msg))
            fail_msg("case %zu: '%s', expected the file and '%s'", i, err.msg, bad[i].msg);
    }
}

/* A version 1.0 file with this header text, padded to 16 bytes as NumPy
 * does, and `data` bytes after it. */
static size_t make_npy(uint8_t *buf, const char *dict, size_t data)
{
    size_t n = strlen(dict), total = 10 + n + 1;
    size_t pad = (16 - total % 16) % 16;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    size_t hlen = n + pad + 1;
    buf[8] = (uint8_t)(hlen & 0xFF);
    buf[9] = (uint8_t)(hlen >> 8);
    memcpy(buf + 10, dict, n);
    memset(buf + 10 + n, ' ', pad);
    buf[10 + n + pad] = '\n';
    memset(buf + 10 + hlen, 1, data);
    return 10 + hlen + data;
}

static void headers_refused(void **state)
{
    (void)state;
    static const struct {
        const char *dict, *msg;
    } bad[] = {
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (3), }", "shape '(n)' is not a tuple"},
        {"{'descr': '|u1', 'fortran_order': False}", "needs the keys"},
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (3,), 'x': 1}", "unknown key 'x'"},
        {"{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (3,)}", "key 'descr' given twice"},
        {"{'descr': '<u3', 'fortran_order': False, 'shape': (3,)}", "expected an integer dtype"},
        {"{'descr': '|u2', 'fortran_order': False, 'shape': (3,)}", "needs a byte order"},
        {"{'descr': '|u1', 'fortran_order': Maybe, 'shape': (3,)}", "must be True or False"},
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (-3,)}", "expected a dimension"},
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (03,)}", "expected a dimension"},
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (3,)} x", "text after the dict"},
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", "more than 8 dimensions"},
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (4611686018427387904,)}", "a dimension of 2^62 or more"},
        {"{'descr': '<u8', 'fortran_order': False, 'shape': (4611686018427387903, 2)}", "more than 2^62 bytes"},
        {"{'descr': '|u1\\', 'fortran_order': False, 'shape': (3,)}", "unterminated or escaped string"},
    };
    uint8_t buf[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        npy_header h;
        ax_err err = {0};
        size_t n = make_npy(buf, bad[i].dict, 0);
        if (npy_parse_header(buf, n, "m.npy", &h, &err) != AX_EINPUT)
            fail_msg("case %zu accepted: %s", i, bad[i].dict);
        if (!strstr(err.msg, "m.npy") || !strstr(err.msg, bad[i].msg))
            fail_msg("case %zu: '%s', expected '%s'", i, err.msg, bad[i].msg);
    }
    /* the preamble */
    npy_header h;
    ax_err err = {0};
    size_t n = make_npy(buf, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", 3);
    assert_int_equal(npy_parse_header(buf, n, "m.npy", &h, &err), AX_OK);
    assert_int_equal(h.count, 3);
    buf[7] = 1; /* version 1.1 */
    assert_int_equal(npy_parse_header(buf, n, "m.npy", &h, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "version 1.1"));
    buf[7] = 0;
    assert_int_equal(npy_parse_header(buf, 40, "m.npy", &h, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "truncated .npy header"));
    buf[8]++; /* one byte more of header: the data no longer starts at a multiple of 16 */
    assert_int_equal(npy_parse_header(buf, sizeof buf, "m.npy", &h, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "multiple of 16 bytes"));
    buf[8]--;
    buf[0] = 'x';
    assert_int_equal(npy_parse_header(buf, n, "m.npy", &h, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "no \\x93NUMPY magic"));
}

/* The file must hold exactly the announced data. */
static void sizes_checked(void **state)
{
    (void)state;
    char dir[] = "/tmp/axsearch-npy-XXXXXX", path[PATH_MAX];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/x.npy", dir);
    uint8_t buf[256];
    static const struct {
        size_t data;
        const char *msg;
    } cases[] = {{5, "announces 6 bytes of data, the file holds 5"},
                 {7, "announces 6 bytes of data, the file holds 7"},
                 {6, NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = make_npy(buf, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", cases[i].data);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, n, f), n);
        fclose(f);
        npy_header h;
        uint8_t *px = NULL;
        ax_err err = {0};
        int rc = npy_read_u8(path, MAX_BYTES, &h, &px, &err);
        if (cases[i].msg) {
            assert_int_equal(rc, AX_EINPUT);
            assert_non_null(strstr(err.msg, cases[i].msg));
        } else {
            assert_int_equal(rc, AX_OK);
            assert_int_equal(px[5], 1);
            free(px);
            /* a budget below the data refuses before reading */
            assert_int_equal(npy_read_u8(path, 5, &h, &px, &err), AX_EINPUT);
            assert_non_null(strstr(err.msg, "more than the 5 this reader takes"));
        }
    }
    ax_err err = {0};
    npy_header h;
    uint8_t *px = NULL;
    assert_int_equal(npy_read_u8(dir, MAX_BYTES, &h, &px, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "not a regular file"));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numpy_images),      cmocka_unit_test(numpy_labels), cmocka_unit_test(numpy_files_refused),
        cmocka_unit_test(headers_refused),   cmocka_unit_test(sizes_checked),
    };
    return cmocka_run_group_tests_name("npy", tests, NULL, NULL);
}
