/* util/frame: the file frame of the checkpoints. The bytes on disk are
 * checked against the layout in frame.h with a checksum computed here by
 * the FNV-1a 64 definition (offset basis 0xcbf29ce484222325, prime
 * 0x100000001b3), not by util/hash.c; every truncation and every flipped
 * byte is refused with a message naming the file. */
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

#include "util/frame.h"

static char dir[] = "/tmp/axframe_XXXXXX";
static char path[PATH_MAX];
static const unsigned char MAGIC[8] = {'A', 'X', 'T', 'E', 'S', 'T', '\n', 0};

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/f.bin", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove(path);
    rmdir(dir);
    return 0;
}

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return h;
}

static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static size_t slurp(unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void spit(const unsigned char *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
}

static void layout_on_disk(void **state)
{
    (void)state;
    const unsigned char body[5] = {1, 2, 3, 4, 5};
    ax_err err = {0};
    assert_int_equal(frame_write(path, MAGIC, 0x01020304, body, sizeof body, &err), AX_OK);
    unsigned char buf[64];
    size_t n = slurp(buf, sizeof buf);
    assert_int_equal(n, FRAME_OVERHEAD + sizeof body);
    assert_memory_equal(buf, MAGIC, 8);
    assert_int_equal(le(buf + 8, 4), 0x01020304);
    assert_memory_equal(buf + 12, body, sizeof body);
    assert_true(le(buf + 17, 8) == fnv1a64(buf, 17));
    unsigned char *data;
    const unsigned char *got;
    size_t len;
    assert_int_equal(frame_read(path, MAGIC, 0x01020304, "a test file", &data, &got, &len, &err), AX_OK);
    assert_int_equal(len, sizeof body);
    assert_memory_equal(got, body, sizeof body);
    free(data);
    /* An empty body is a frame too. */
    assert_int_equal(frame_write(path, MAGIC, 1, NULL, 0, &err), AX_OK);
    assert_int_equal(frame_read(path, MAGIC, 1, "a test file", &data, &got, &len, &err), AX_OK);
    assert_int_equal(len, 0);
    free(data);
}

static void damage_is_refused(void **state)
{
    (void)state;
    unsigned char body[40], good[64], bad[64];
    for (int i = 0; i < 40; i++)
        body[i] = (unsigned char)(7 * i);
    ax_err err = {0};
    assert_int_equal(frame_write(path, MAGIC, 2, body, sizeof body, &err), AX_OK);
    size_t n = slurp(good, sizeof good);
    unsigned char *data;
    const unsigned char *got;
    size_t len;
    for (size_t cut = 0; cut < n; cut++) {
        spit(good, cut);
        assert_int_equal(frame_read(path, MAGIC, 2, "a test file", &data, &got, &len, &err), AX_EINPUT);
        assert_non_null(strstr(err.msg, path));
    }
    for (size_t at = 0; at < n; at++) {
        memcpy(bad, good, n);
        bad[at] ^= 0x10;
        spit(bad, n);
        assert_int_equal(frame_read(path, MAGIC, 2, "a test file", &data, &got, &len, &err), AX_EINPUT);
        assert_non_null(strstr(err.msg, path));
        if (at < 8)
            assert_non_null(strstr(err.msg, "not a test file"));
        else
            assert_non_null(strstr(err.msg, "checksum"));
    }
    /* A sound frame of another version, or another kind of file. */
    spit(good, n);
    assert_int_equal(frame_read(path, MAGIC, 3, "a test file", &data, &got, &len, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "version"));
    const unsigned char other[8] = {'A', 'X', 'O', 'T', 'H', 'E', 'R', '\n'};
    assert_int_equal(frame_read(path, other, 2, "another file", &data, &got, &len, &err), AX_EINPUT);
    remove(path);
    assert_int_equal(frame_read(path, MAGIC, 2, "a test file", &data, &got, &len, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layout_on_disk),
        cmocka_unit_test(damage_is_refused),
    };
    return cmocka_run_group_tests_name("frame", tests, setup, teardown);
}
