/* util/: bytebuf's little-endian layout byte for byte and its reader's
 * short reads, sort_indices against a plain stable insertion sort, fileio's
 * whole-file reads, line-length check and atomic writes (in a fresh folder
 * under /tmp), FNV-1a 64 against the published test vectors, the error
 * record and the monotonic clock. */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/bytebuf.h"
#include "util/err.h"
#include "util/fileio.h"
#include "util/hash.h"
#include "util/pcg.h"
#include "util/sort.h"
#include "util/tsv.h"
#include "util/wallclock.h"


/* ---- bytebuf ------------------------------------------------------------ */

static void bytebuf_little_endian_layout(void **state)
{
    (void)state;
    bb_writer w = {0};
    bb_put_u32(&w, UINT32_C(0x01020304));
    bb_put_u64(&w, UINT64_C(0x0102030405060708));
    bb_put_f64(&w, 1.0);  /* IEEE 754: 0x3FF0000000000000 */
    bb_put_f64(&w, -2.5); /* sign 1, exponent 1024 (0x400), mantissa .25: 0xC004000000000000 */
    bb_put_bytes(&w, "xy", 2);
    bb_put_bytes(&w, NULL, 0); /* nothing */
    bb_put_u32(&w, UINT32_C(0xFFFFFFFE));
    static const unsigned char want[] = {
        0x04, 0x03, 0x02, 0x01,                         /* u32 */
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* u64 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F, /* 1.0 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xC0, /* -2.5 */
        'x',  'y',                                      /* bytes as given */
        0xFE, 0xFF, 0xFF, 0xFF,                         /* u32 */
    };
    assert_false(w.oom);
    assert_int_equal(w.n, sizeof want);
    assert_memory_equal(w.p, want, sizeof want);

    /* Read back in the same order. */
    bb_reader r = {w.p, w.n, 0, 0};
    assert_int_equal(bb_get_u32(&r), 0x01020304);
    assert_true(bb_get_u64(&r) == UINT64_C(0x0102030405060708));
    assert_true(bb_get_f64(&r) == 1.0);
    assert_true(bb_get_f64(&r) == -2.5);
    const unsigned char *xy = bb_take(&r, 2);
    assert_non_null(xy);
    assert_memory_equal(xy, "xy", 2);
    assert_int_equal(bb_get_u32(&r), 0xFFFFFFFEu);
    assert_int_equal(r.pos, r.n);
    assert_false(r.short_read);
    free(w.p);
}

static uint64_t bits_of(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static double double_of(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void bytebuf_f64_bits_round_trip(void **state)
{
    (void)state;
    /* The IEEE bits, not the value: -0.0 keeps its sign, a NaN its payload
     * (a quiet NaN with payload 0x123, and a negative one). */
    const uint64_t cases[] = {
        bits_of(-0.0),               /* 0x8000000000000000 */
        bits_of(0.0),
        bits_of(INFINITY),           /* 0x7FF0000000000000 */
        bits_of(-INFINITY),
        UINT64_C(0x7FF8000000000123), /* quiet NaN, payload 0x123 */
        UINT64_C(0xFFF8000000000001), /* negative quiet NaN */
        UINT64_C(0x0000000000000001), /* smallest subnormal, 4.9e-324 */
        bits_of(DBL_MAX),
        bits_of(0.1),
    };
    assert_true(cases[0] == UINT64_C(0x8000000000000000));
    assert_true(cases[2] == UINT64_C(0x7FF0000000000000));
    bb_writer w = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bb_put_f64(&w, double_of(cases[i]));
    assert_int_equal(w.n, 8 * (sizeof cases / sizeof cases[0]));
    /* The bytes of the NaN are its bits, little-endian. */
    static const unsigned char nan_bytes[8] = {0x23, 0x01, 0, 0, 0, 0, 0xF8, 0x7F};
    assert_memory_equal(w.p + 4 * 8, nan_bytes, 8);
    bb_reader r = {w.p, w.n, 0, 0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t got = bits_of(bb_get_f64(&r));
        if (got != cases[i])
            fail_msg("case %zu: %016llx read back as %016llx", i, (unsigned long long)cases[i],
                     (unsigned long long)got);
    }
    assert_true(signbit(double_of(cases[0])) != 0);
    assert_false(r.short_read);
    free(w.p);
}

static void bytebuf_grows_past_first_block(void **state)
{
    (void)state;
    /* The first block is 4096 bytes; 3000 u32 + 3000 u64 = 36,000 bytes
     * need several doublings and must come back intact. */
    bb_writer w = {0};
    for (uint32_t i = 0; i < 3000; i++) {
        bb_put_u32(&w, i * 2654435761u);
        bb_put_u64(&w, (uint64_t)i << 40 | i);
    }
    assert_false(w.oom);
    assert_int_equal(w.n, 3000 * 12);
    assert_true(w.cap >= w.n);
    bb_reader r = {w.p, w.n, 0, 0};
    for (uint32_t i = 0; i < 3000; i++) {
        assert_int_equal(bb_get_u32(&r), i * 2654435761u);
        assert_true(bb_get_u64(&r) == ((uint64_t)i << 40 | i));
    }
    assert_false(r.short_read);
    assert_int_equal(r.pos, r.n);
    free(w.p);
}

static void bytebuf_short_read(void **state)
{
    (void)state;
    /* 6 bytes in a buffer of exactly 6 (ASan would see a read past it). */
    unsigned char *buf = malloc(6);
    memcpy(buf, "\x01\x00\x00\x00\xAA\xBB", 6);
    bb_reader r = {buf, 6, 0, 0};
    assert_int_equal(bb_get_u32(&r), 1);
    assert_int_equal(r.pos, 4);
    /* 2 bytes left: a u32 is short: 0, flag set, position unchanged. */
    assert_int_equal(bb_get_u32(&r), 0);
    assert_true(r.short_read);
    assert_int_equal(r.pos, 4);
    /* Sticky: even a read that would fit now gives nothing. */
    assert_null(bb_take(&r, 1));
    assert_null(bb_take(&r, 0));
    assert_true(bb_get_u64(&r) == 0);
    uint64_t zero = bits_of(bb_get_f64(&r));
    assert_true(zero == 0);
    assert_int_equal(r.pos, 4);

    /* Exactly to the end is fine; one more byte is not. */
    bb_reader e = {buf, 6, 0, 0};
    assert_non_null(bb_take(&e, 6));
    assert_non_null(bb_take(&e, 0));
    assert_false(e.short_read);
    assert_null(bb_take(&e, 1));
    assert_true(e.short_read);

    /* A huge length does not wrap around. */
    bb_reader h = {buf, 6, 2, 0};
    assert_null(bb_take(&h, SIZE_MAX));
    assert_true(h.short_read);
    assert_int_equal(h.pos, 2);

    /* An empty reader: every read is short. */
    bb_reader z = {NULL, 0, 0, 0};
    assert_true(bb_get_u64(&z) == 0);
    assert_true(z.short_read);
    free(buf);
}

/* ---- sort --------------------------------------------------------------- */

typedef struct keyed {
    const int *key;
    int descending;
    long calls;
} keyed;

static int cmp_key(int a, int b, const void *ctx)
{
    keyed *k = (keyed *)ctx; /* counts calls: the context is the caller's */
    k->calls++;
    int d = (k->key[a] > k->key[b]) - (k->key[a] < k->key[b]);
    return k->descending ? -d : d;
}

/* The reference: a plain insertion sort, stable by construction (an element
 * moves left only past strictly greater ones). */
static void ref_sort(int *idx, size_t n, const int *key, int descending)
{
    for (size_t i = 1; i < n; i++) {
        int v = idx[i];
        size_t j = i;
        while (j > 0 && (descending ? key[idx[j - 1]] < key[v] : key[idx[j - 1]] > key[v])) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

static void sort_matches_stable_reference(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(14, PCG_PURPOSE_TEST, 1, 0, 0, 0);
    /* Lengths around the 16-element runs and the merge widths. */
    const size_t sizes[] = {0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257, 1000, 4099};
    enum { MAXN = 4099 };
    int *key = malloc(MAXN * sizeof *key), *idx = malloc(MAXN * sizeof *idx);
    int *ref = malloc(MAXN * sizeof *ref), *scratch = malloc(MAXN * sizeof *scratch);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        /* Few distinct keys (0..4 or 0..n) so that ties are common; the
         * indices are a shuffled set of distinct values, not 0..n-1 in
         * order, so the order of equal keys is visible. */
        for (int variant = 0; variant < 4; variant++) {
            int range = variant & 1 ? 5 : (int)n + 1;
            for (size_t i = 0; i < MAXN; i++)
                key[i] = (int)pcg32_bounded(&rng, (uint32_t)range);
            for (size_t i = 0; i < n; i++)
                idx[i] = (int)((i * 7919 + 13) % MAXN); /* distinct: 7919 is prime, MAXN not a multiple */
            for (size_t i = n; i > 1; i--) {
                size_t j = pcg32_bounded(&rng, (uint32_t)i);
                int t = idx[i - 1];
                idx[i - 1] = idx[j];
                idx[j] = t;
            }
            memcpy(ref, idx, n * sizeof *idx);
            int desc = variant >> 1;
            ref_sort(ref, n, key, desc);
            keyed k = {key, desc, 0};
            /* Alternate between the caller's scratch and an allocated one. */
            int rc = sort_indices(idx, n, cmp_key, &k, (s + (size_t)variant) % 2 ? scratch : NULL);
            assert_int_equal(rc, 0);
            if (n > 0 && memcmp(idx, ref, n * sizeof *idx) != 0)
                fail_msg("n = %zu variant %d: differs from the stable reference", n, variant);
            if (n < 2)
                assert_int_equal(k.calls, 0);
        }
    }
    free(key);
    free(idx);
    free(ref);
    free(scratch);
}

static void sort_by_hand(void **state)
{
    (void)state;
    /* keys: idx 0..7 -> 3 1 3 0 1 3 0 2; ascending and stable:
     * key 0: 3, 6; key 1: 1, 4; key 2: 7; key 3: 0, 2, 5. */
    const int key[8] = {3, 1, 3, 0, 1, 3, 0, 2};
    int idx[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    const int want[8] = {3, 6, 1, 4, 7, 0, 2, 5};
    keyed k = {key, 0, 0};
    assert_int_equal(sort_indices(idx, 8, cmp_key, &k, NULL), 0);
    assert_memory_equal(idx, want, sizeof want);
    /* All keys equal: nothing moves (n above one run of 16). */
    int same[40], order[40];
    int zeros[40] = {0};
    for (int i = 0; i < 40; i++)
        same[i] = order[i] = 39 - i;
    keyed z = {zeros, 0, 0};
    int scratch[40];
    assert_int_equal(sort_indices(same, 40, cmp_key, &z, scratch), 0);
    assert_memory_equal(same, order, sizeof same);
    /* n = 0 and n = 1 touch nothing (and need no scratch). */
    int one[1] = {5};
    assert_int_equal(sort_indices(one, 1, cmp_key, &k, NULL), 0);
    assert_int_equal(one[0], 5);
    assert_int_equal(sort_indices(one, 0, cmp_key, &k, NULL), 0);
    assert_int_equal(one[0], 5);
}

/* ---- fileio ------------------------------------------------------------- */

static char tmpdir[] = "/tmp/axsearch-test-util-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* tmpdir/name, in a static buffer of its own per slot. */
static const char *in_tmp(int slot, const char *name)
{
    static char buf[4][512];
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", tmpdir, name);
    return buf[slot];
}

static void write_raw(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* The whole file, or NULL if missing; *len its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* Names in dir that contain ".tmp." (leftover temporaries). */
static int count_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void read_all_files(void **state)
{
    (void)state;
    ax_err err = {0};
    unsigned char *data = NULL;
    size_t len = 99;

    /* Binary content with a NUL inside; a NUL is appended after the end. */
    const char small[] = "a\0b\n\xff";
    write_raw(in_tmp(0, "small.bin"), small, 5);
    assert_int_equal(fio_read_all(in_tmp(0, "small.bin"), SIZE_MAX, &data, &len, &err), AX_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(data, small, 5);
    assert_int_equal(data[5], 0);
    free(data);

    /* Empty: length 0, a buffer holding just the NUL. */
    write_raw(in_tmp(0, "empty"), "", 0);
    assert_int_equal(fio_read_all(in_tmp(0, "empty"), SIZE_MAX, &data, &len, &err), AX_OK);
    assert_int_equal(len, 0);
    assert_non_null(data);
    assert_int_equal(data[0], 0);
    free(data);

    /* The first buffer holds 65,536 bytes: exactly that, one more, and a
     * few doublings. */
    const size_t sizes[] = {65536, 65537, 300001};
    unsigned char *big = malloc(300001);
    for (size_t i = 0; i < 300001; i++)
        big[i] = (unsigned char)(i * 31 + (i >> 8));
    for (int s = 0; s < 3; s++) {
        write_raw(in_tmp(0, "big.bin"), big, sizes[s]);
        assert_int_equal(fio_read_all(in_tmp(0, "big.bin"), SIZE_MAX, &data, &len, &err), AX_OK);
        assert_int_equal(len, sizes[s]);
        assert_memory_equal(data, big, sizes[s]);
        assert_int_equal(data[len], 0);
        free(data);
    }
    free(big);

    /* A folder is refused, naming it. */
    data = (unsigned char *)"x";
    len = 7;
    assert_int_equal(fio_read_all(tmpdir, SIZE_MAX, &data, &len, &err), AX_EINPUT);
    assert_int_equal(err.code, AX_EINPUT);
    assert_non_null(strstr(err.msg, tmpdir));
    assert_non_null(strstr(err.msg, "folder"));
    assert_null(data);
    assert_int_equal(len, 0);

    /* A missing file, named. */
    ax_err_clear(&err);
    assert_int_equal(fio_read_all(in_tmp(0, "missing.txt"), SIZE_MAX, &data, &len, &err), AX_EINPUT);
    assert_int_equal(err.code, AX_EINPUT);
    assert_non_null(strstr(err.msg, "missing.txt"));
    assert_null(data);
    /* err may be NULL (ax_fail's contract). */
    assert_int_equal(fio_read_all(in_tmp(0, "missing.txt"), SIZE_MAX, &data, &len, NULL), AX_EINPUT);

    /* The limit: a file of exactly max bytes is read, one byte more is
     * refused naming the file; an endless stream stops at the limit. */
    assert_int_equal(fio_read_all(in_tmp(0, "small.bin"), 5, &data, &len, &err), AX_OK);
    free(data);
    ax_err_clear(&err);
    assert_int_equal(fio_read_all(in_tmp(0, "small.bin"), 4, &data, &len, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "small.bin"));
    assert_non_null(strstr(err.msg, "more than the 4"));
    assert_null(data);
    ax_err_clear(&err);
    assert_int_equal(fio_read_all("/dev/zero", 100000, &data, &len, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "/dev/zero: more than the 100000 bytes"));
    assert_null(data);
}

static void line_lengths(void **state)
{
    (void)state;
    ax_err err = {0};
    /* Lines of 3, 4 and 2 characters (the last without a newline). */
    const char *text = "abc\ndefg\nhi";
    assert_int_equal(fio_check_line_lengths(text, "t.ini", 4, &err), AX_OK);
    assert_int_equal(fio_check_line_lengths(text, "t.ini", 3, &err), AX_EINPUT);
    assert_int_equal(err.code, AX_EINPUT);
    /* "name:line:", the length and the limit. */
    assert_non_null(strstr(err.msg, "t.ini:2:"));
    assert_non_null(strstr(err.msg, "4 characters"));
    assert_non_null(strstr(err.msg, "at most 3"));
    /* The last line, unterminated, over the limit. */
    assert_int_equal(fio_check_line_lengths("ab\nabcde", "u", 4, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "u:2:"));
    assert_non_null(strstr(err.msg, "5 characters"));
    /* CRLF: the CR is not content ("abc\r" is 3 characters). */
    assert_int_equal(fio_check_line_lengths("abc\r\nde\r\n", "w", 3, &err), AX_OK);
    assert_int_equal(fio_check_line_lengths("abcd\r\n", "w", 3, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "w:1:"));
    /* Empty text, empty lines; the line count runs past empty lines. */
    assert_int_equal(fio_check_line_lengths("", "e", 0, &err), AX_OK);
    assert_int_equal(fio_check_line_lengths("\n\n\n", "e", 0, &err), AX_OK);
    assert_int_equal(fio_check_line_lengths("\n\n\n\n\n\n\n\n\nx\n", "e", 0, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "e:10:"));
    /* Exactly at the limit with a long line. */
    char longline[1030];
    memset(longline, 'z', 1025);
    longline[1025] = '\n';
    longline[1026] = '\0';
    assert_int_equal(fio_check_line_lengths(longline, "l", 1025, &err), AX_OK);
    assert_int_equal(fio_check_line_lengths(longline, "l", 1024, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "l:1: line of 1025 characters"));
}

static void atomic_commit_and_abort(void **state)
{
    (void)state;
    ax_err err = {0};
    char sub[512], target[600], tmpname[700];
    snprintf(sub, sizeof sub, "%s/atomic", tmpdir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(target, sizeof target, "%s/out.tsv", sub);
    snprintf(tmpname, sizeof tmpname, "%s.tmp.%ld", target, (long)getpid());

    /* A new file: nothing at the target until commit; the temporary is
     * "<path>.tmp.<pid>" beside it. */
    fio_atomic *w = fio_atomic_open(target, &err);
    assert_non_null(w);
    assert_int_equal(fputs("first\n", fio_atomic_stream(w)) >= 0, 1);
    assert_int_equal(access(target, F_OK), -1);
    assert_int_equal(access(tmpname, F_OK), 0);
    assert_int_equal(fio_atomic_commit(w, &err), AX_OK);
    size_t len;
    char *got = slurp(target, &len);
    assert_non_null(got);
    assert_int_equal(len, 6);
    assert_memory_equal(got, "first\n", 6);
    free(got);
    assert_int_equal(count_temporaries(sub), 0);

    /* Commit replaces an existing target. */
    w = fio_atomic_open(target, &err);
    assert_non_null(w);
    fputs("second, longer\n", fio_atomic_stream(w));
    got = slurp(target, &len); /* still the old content while writing */
    assert_int_equal(len, 6);
    free(got);
    assert_int_equal(fio_atomic_commit(w, &err), AX_OK);
    got = slurp(target, &len);
    assert_int_equal(len, 15);
    assert_memory_equal(got, "second, longer\n", 15);
    free(got);
    assert_int_equal(count_temporaries(sub), 0);

    /* Abort: the old target intact, no temporary left. */
    w = fio_atomic_open(target, &err);
    assert_non_null(w);
    fputs("never seen", fio_atomic_stream(w));
    fflush(fio_atomic_stream(w));
    fio_atomic_abort(w);
    got = slurp(target, &len);
    assert_int_equal(len, 15);
    assert_memory_equal(got, "second, longer\n", 15);
    free(got);
    assert_int_equal(count_temporaries(sub), 0);
    fio_atomic_abort(NULL); /* a no-op */

    /* Abort of a new file leaves no file at all. */
    char fresh[700];
    snprintf(fresh, sizeof fresh, "%s/never.txt", sub);
    w = fio_atomic_open(fresh, &err);
    assert_non_null(w);
    fio_atomic_abort(w);
    assert_int_equal(access(fresh, F_OK), -1);
    assert_int_equal(count_temporaries(sub), 0);

    /* A commit that fails (the target became a folder while writing: the
     * rename cannot replace it): AX_EINTERNAL naming the target, and the
     * temporary is removed. */
    char becomes_dir[700];
    snprintf(becomes_dir, sizeof becomes_dir, "%s/late.tsv", sub);
    w = fio_atomic_open(becomes_dir, &err);
    assert_non_null(w);
    fputs("data\n", fio_atomic_stream(w));
    assert_int_equal(mkdir(becomes_dir, 0700), 0);
    ax_err_clear(&err);
    assert_int_equal(fio_atomic_commit(w, &err), AX_EINTERNAL);
    assert_int_equal(err.code, AX_EINTERNAL);
    assert_non_null(strstr(err.msg, "late.tsv"));
    assert_int_equal(count_temporaries(sub), 0);
    assert_int_equal(rmdir(becomes_dir), 0);
}

static void atomic_refusals(void **state)
{
    (void)state;
    ax_err err = {0};
    /* A folder that does not exist: AX_EINPUT naming the path, nothing
     * created. */
    const char *nowhere = in_tmp(0, "no-such-folder/out.tsv");
    assert_null(fio_atomic_open(nowhere, &err));
    assert_int_equal(err.code, AX_EINPUT);
    assert_non_null(strstr(err.msg, nowhere));
    assert_int_equal(access(in_tmp(1, "no-such-folder"), F_OK), -1);
    /* A folder as the target. */
    ax_err_clear(&err);
    assert_null(fio_atomic_open(tmpdir, &err));
    assert_int_equal(err.code, AX_EINPUT);
    assert_non_null(strstr(err.msg, "folder"));
    /* An empty name. */
    ax_err_clear(&err);
    assert_null(fio_atomic_open("", &err));
    assert_int_equal(err.code, AX_EINPUT);
    /* A folder without write permission (only meaningful when not root:
     * root writes anywhere). */
    if (geteuid() != 0) {
        const char *ro = in_tmp(2, "readonly");
        assert_int_equal(mkdir(ro, 0500), 0);
        char path[600];
        snprintf(path, sizeof path, "%s/x", ro);
        ax_err_clear(&err);
        assert_null(fio_atomic_open(path, &err));
        assert_int_equal(err.code, AX_EINPUT);
        assert_non_null(strstr(err.msg, path));
        chmod(ro, 0700);
    }
}

static void write_atomic_one_shot(void **state)
{
    (void)state;
    ax_err err = {0};
    const char *p = in_tmp(0, "one.bin");
    const unsigned char bytes[4] = {0, 1, 2, 0xFF};
    assert_int_equal(fio_write_atomic(p, bytes, 4, &err), AX_OK);
    size_t len;
    char *got = slurp(p, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(got, bytes, 4);
    free(got);
    /* Zero bytes replace it with an empty file. */
    assert_int_equal(fio_write_atomic(p, NULL, 0, &err), AX_OK);
    got = slurp(p, &len);
    assert_non_null(got);
    assert_int_equal(len, 0);
    free(got);
    assert_int_equal(count_temporaries(tmpdir), 0);
    /* Refused: the status is the open's (AX_EINPUT), with err filled. */
    const char *nowhere = in_tmp(1, "absent/one.bin");
    ax_err_clear(&err);
    assert_int_equal(fio_write_atomic(nowhere, bytes, 4, &err), AX_EINPUT);
    assert_int_equal(err.code, AX_EINPUT);
    assert_non_null(strstr(err.msg, "absent/one.bin"));
    /* Without an ax_err the status must be the same: err.h lets any err
     * be NULL, and fio_atomic_open fails with AX_EINPUT here. */
    int rc = fio_write_atomic(nowhere, bytes, 4, NULL);
    assert_true(rc != AX_OK);
    assert_int_equal(rc, AX_EINPUT);
}

/* ---- hash --------------------------------------------------------------- */

/* The FNV-1a 64 offset basis, 14695981039346656037 (FNV reference,
 * fnv.h: FNV1A_64_INIT 0xcbf29ce484222325ULL); the hash of no bytes. */
#define FNV64_BASIS UINT64_C(0xcbf29ce484222325)

/* FNV-1a 64 test vectors from the FNV reference distribution (Landon Curt
 * Noll, test_fnv.c, FNV 5.0.2: fnv_test_str[] and fnv1a_64_vector[]), the
 * entries noted by their index there. TEST0 strings include the NUL.
 * hash_fnv1a64 is started from the published basis here; whether
 * HASH_FNV_OFFSET is that basis is checked on its own below. */
/* A table as axsearch writes them, and each way tsv_parse refuses one,
 * with the line it names. */
static void tsv_good_table(void **state)
{
    (void)state;
    static const char text[] = "a\tb\tname\n1\t-2.5e3\tx\r\nnan\tinf\t\n3\t4\tlast";
    tsv_table t;
    ax_err err = {0};
    assert_int_equal(tsv_parse(text, sizeof text - 1, "t.tsv", &t, &err), AX_OK);
    assert_int_equal(t.n_cols, 3);
    assert_int_equal(t.n_rows, 3);
    assert_int_equal(tsv_col(&t, "name"), 2);
    assert_int_equal(tsv_col(&t, "nam"), -1);
    assert_string_equal(tsv_cell(&t, 0, 2), "x"); /* the '\r' dropped */
    assert_string_equal(tsv_cell(&t, 1, 2), "");
    assert_string_equal(tsv_cell(&t, 2, 2), "last");
    assert_int_equal(t.line[3], 4);
    static const char *const nums[] = {"a", "b"};
    assert_int_equal(tsv_require_numbers(&t, nums, 2, &err), AX_OK);
    static const char *const text_col[] = {"name"};
    assert_int_equal(tsv_require_numbers(&t, text_col, 1, &err), AX_EINPUT);
    assert_string_equal(err.msg, "t.tsv:2: column 'name': 'x' is not a number");
    static const char *const missing[] = {"a", "zz"};
    assert_int_equal(tsv_require_columns(&t, missing, 2, &err), AX_EINPUT);
    assert_string_equal(err.msg, "t.tsv: no column 'zz' in its header (not written by axsearch?)");
    tsv_free(&t);
    tsv_free(&t); /* emptied: freeing twice is safe */
    tsv_free(NULL);
    /* a header alone: no rows */
    assert_int_equal(tsv_parse("a\tb\n", 4, "h.tsv", &t, &err), AX_OK);
    assert_int_equal(t.n_rows, 0);
    tsv_free(&t);
}

static void tsv_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        const char *msg;
    } cases[] = {
        {"", 0, "b.tsv:1: empty: no header line"},
        {"a\tb\n1\t2\n3\n", 0, "b.tsv:3: 1 field, the header has 2"},
        {"a\tb\n1\t2\t3\n", 0, "b.tsv:2: 3 fields or more, the header has 2"},
        {"a\tb\n\n", 0, "b.tsv:2: 1 field, the header has 2"},
        {"a\t\tb\n", 0, "b.tsv:1: an empty column name in the header"},
        {"a\tb\ta\n", 0, "b.tsv:1: column 'a' named twice in the header"},
        {"a\n1\n2\0\n", 7, "b.tsv:3: a NUL byte: not a text table"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tsv_table t;
        ax_err err = {0};
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        assert_int_equal(tsv_parse(cases[i].text, len, "b.tsv", &t, &err), AX_EINPUT);
        if (strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %zu: '%s', expected '%s'", i, err.msg, cases[i].msg);
        assert_null(t.cells);
        assert_null(t.text);
    }
    /* A wide header (distinct names: checked in n log n) over a million
     * empty lines is refused at the first of them, without asking for
     * lines x columns cells (10^11 here). */
    size_t cols = 100000, lines = 1000000;
    char *big = malloc(8 * cols + lines);
    assert_non_null(big);
    size_t len = 0;
    for (size_t c = 0; c < cols; c++)
        len += (size_t)sprintf(big + len, "c%zu%c", c, c + 1 < cols ? '\t' : '\n');
    memset(big + len, '\n', lines);
    len += lines;
    tsv_table t;
    ax_err err = {0};
    assert_int_equal(tsv_parse(big, len, "w.tsv", &t, &err), AX_EINPUT);
    assert_string_equal(err.msg, "w.tsv:2: 1 field, the header has 100000");
    free(big);
}

static void fnv1a64_reference_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        uint64_t h;
    } v[] = {
        {"", 0, UINT64_C(0xcbf29ce484222325)},        /* [0] the basis itself */
        {"a", 1, UINT64_C(0xaf63dc4c8601ec8c)},       /* [1] */
        {"b", 1, UINT64_C(0xaf63df4c8601f1a5)},       /* [2] */
        {"c", 1, UINT64_C(0xaf63de4c8601eff2)},       /* [3] */
        {"d", 1, UINT64_C(0xaf63d94c8601e773)},       /* [4] */
        {"e", 1, UINT64_C(0xaf63d84c8601e5c0)},       /* [5] */
        {"f", 1, UINT64_C(0xaf63db4c8601ead9)},       /* [6] */
        {"fo", 2, UINT64_C(0x08985907b541d342)},      /* [7] */
        {"foo", 3, UINT64_C(0xdcb27518fed9d577)},     /* [8] */
        {"foob", 4, UINT64_C(0xdd120e790c2512af)},    /* [9] */
        {"fooba", 5, UINT64_C(0xcac165afa2fef40a)},   /* [10] */
        {"foobar", 6, UINT64_C(0x85944171f73967e8)},  /* [11] */
        {"", 1, UINT64_C(0xaf63bd4c8601b7df)},        /* [12] TEST0(""): one NUL */
        {"foobar", 7, UINT64_C(0x34531ca7168b8f38)},  /* [23] TEST0("foobar") */
        {"chongo was here!\n", 17, UINT64_C(0x46810940eff5f915)}, /* [39] */
        {"hello", 5, UINT64_C(0xa430d84680aabd0b)},   /* [86] */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint64_t h = hash_fnv1a64(FNV64_BASIS, v[i].s, v[i].len);
        if (h != v[i].h)
            fail_msg("vector %zu (\"%s\", %zu bytes): %016llx, want %016llx", i, v[i].s, v[i].len,
                     (unsigned long long)h, (unsigned long long)v[i].h);
    }
    /* [199]..[202]: 500 repetitions of one byte. */
    static const struct {
        unsigned char c;
        uint64_t h;
    } r[] = {{0x00, UINT64_C(0x1fe3fce62bd816b5)},
             {0x07, UINT64_C(0xc23e9fccd6f70591)},
             {'~', UINT64_C(0xc1af12bdfe16b5b5)},
             {0x7f, UINT64_C(0x39e9f18f2f85e221)}};
    unsigned char buf[500];
    for (size_t i = 0; i < 4; i++) {
        memset(buf, r[i].c, sizeof buf);
        assert_true(hash_fnv1a64(FNV64_BASIS, buf, sizeof buf) == r[i].h);
    }
}

static void fnv1a64_incremental(void **state)
{
    (void)state;
    /* Continuing over pieces equals one pass over the whole, at every
     * split point (the 500 '~' of vector [201]). */
    unsigned char buf[500];
    memset(buf, '~', sizeof buf);
    for (size_t cut = 0; cut <= 500; cut += 7) {
        uint64_t h = hash_fnv1a64(FNV64_BASIS, buf, cut);
        h = hash_fnv1a64(h, buf + cut, 500 - cut);
        assert_true(h == UINT64_C(0xc1af12bdfe16b5b5));
    }
    uint64_t h = hash_fnv1a64(FNV64_BASIS, "foo", 3);
    assert_true(h == UINT64_C(0xdcb27518fed9d577));
    assert_true(hash_fnv1a64(h, "bar", 3) == UINT64_C(0x85944171f73967e8));
    /* No bytes: the state passes through unchanged, whatever it is. */
    assert_true(hash_fnv1a64(UINT64_C(0x0123456789abcdef), NULL, 0) == UINT64_C(0x0123456789abcdef));
    /* One step by hand: "a" = 0x61; (basis ^ 0x61) * 0x100000001b3 mod 2^64
     * = 0xcbf29ce484222344 * 0x100000001b3 = 0xaf63dc4c8601ec8c (vector [1]);
     * any starting state s gives (s ^ byte) * prime. */
    assert_true((FNV64_BASIS ^ 0x61) * UINT64_C(0x100000001b3) == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(hash_fnv1a64(UINT64_C(12345), "a", 1) == (UINT64_C(12345) ^ 0x61) * UINT64_C(0x100000001b3));
}

/* hash.h: "FNV-1a 64 ... start with HASH_FNV_OFFSET". The macro must be
 * the published offset basis 14695981039346656037 = 0xcbf29ce484222325
 * (it once lacked its last digit), so the checkpoints' checksums are what
 * any other FNV-1a implementation computes. */
static void fnv1a64_offset_macro(void **state)
{
    (void)state;
    /* Self-consistent either way: the empty input gives the start state. */
    assert_true(hash_fnv1a64(HASH_FNV_OFFSET, "", 0) == HASH_FNV_OFFSET);
    assert_true(HASH_FNV_OFFSET == FNV64_BASIS);
    assert_true(hash_fnv1a64(HASH_FNV_OFFSET, "foobar", 6) == UINT64_C(0x85944171f73967e8));
}

/* ---- err and wallclock -------------------------------------------------- */

static void err_record(void **state)
{
    (void)state;
    ax_err err = {0};
    assert_int_equal(ax_fail(&err, AX_EINPUT, "%s: line %d: %s", "a.ini", 3, "bad"), AX_EINPUT);
    assert_int_equal(err.code, AX_EINPUT);
    assert_string_equal(err.msg, "a.ini: line 3: bad");
    /* NULL: only the code comes back. */
    assert_int_equal(ax_fail(NULL, AX_EINTERNAL, "x"), AX_EINTERNAL);
    /* Prefix keeps the code. */
    assert_int_equal(ax_err_prefix(&err, "loading %s", "run"), AX_EINPUT);
    assert_int_equal(err.code, AX_EINPUT);
    assert_string_equal(err.msg, "loading run: a.ini: line 3: bad");
    assert_int_equal(ax_err_prefix(NULL, "x"), AX_EINTERNAL);
    /* A long message is cut at the buffer (1023 characters and a NUL). */
    char longer[3000];
    memset(longer, 'm', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ax_fail(&err, AX_EINTERNAL, "%s", longer);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    /* Prefixing a full message keeps the head and cuts the tail. */
    ax_err_prefix(&err, "ctx");
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    assert_memory_equal(err.msg, "ctx: mmm", 8);
    assert_int_equal(err.code, AX_EINTERNAL);
    /* A head longer than the prefix buffer is cut, still "head: old". */
    char head[800];
    memset(head, 'h', sizeof head - 1);
    head[sizeof head - 1] = '\0';
    ax_fail(&err, AX_EINPUT, "old");
    ax_err_prefix(&err, "%s", head);
    const char *sep = strstr(err.msg, ": old");
    assert_non_null(sep);
    assert_string_equal(sep, ": old");
    assert_true(sep - err.msg < 512);
    ax_err_clear(&err);
    assert_int_equal(err.code, AX_OK);
    assert_string_equal(err.msg, "");
    ax_err_clear(NULL);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void wallclock_is_monotonic_clock(void **state)
{
    (void)state;
    /* The monotonic clock (not the calendar time): bracketed by two reads
     * of CLOCK_MONOTONIC, and never going back. No timing assumptions. */
    double prev = wallclock_seconds();
    for (int i = 0; i < 1000; i++) {
        double a = mono_now(), w = wallclock_seconds(), b = mono_now();
        assert_true(a <= w + 1e-6 && w <= b + 1e-6);
        assert_true(w >= prev);
        prev = w;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bytebuf_little_endian_layout),
        cmocka_unit_test(bytebuf_f64_bits_round_trip),
        cmocka_unit_test(bytebuf_grows_past_first_block),
        cmocka_unit_test(bytebuf_short_read),
        cmocka_unit_test(sort_matches_stable_reference),
        cmocka_unit_test(sort_by_hand),
        cmocka_unit_test(read_all_files),
        cmocka_unit_test(line_lengths),
        cmocka_unit_test(atomic_commit_and_abort),
        cmocka_unit_test(atomic_refusals),
        cmocka_unit_test(write_atomic_one_shot),
        cmocka_unit_test(tsv_good_table),
        cmocka_unit_test(tsv_refusals),
        cmocka_unit_test(fnv1a64_reference_vectors),
        cmocka_unit_test(fnv1a64_incremental),
        cmocka_unit_test(fnv1a64_offset_macro),
        cmocka_unit_test(err_record),
        cmocka_unit_test(wallclock_is_monotonic_clock),
    };
    return cmocka_run_group_tests_name("util_io", tests, setup, teardown);
}
