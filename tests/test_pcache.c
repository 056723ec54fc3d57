/* The emulator's prefix cache (fitness/emu/pcache.h) on its own: values
 * come back byte for byte, least recently used entries leave first under
 * the byte budget, keys with the same hash stay distinct, budgets of zero
 * or of one entry, the statistics, and many threads at once.
 *
 * The budget counts each entry's bookkeeping as well as its key and value
 * (pcache.c: sizeof(entry) + klen + vlen). That overhead is private, so the
 * tests measure it once through the statistics (bytes after one store
 * minus klen + vlen) and size their budgets with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitness/emu/pcache.h"
#include "util/hash.h"

/* Bookkeeping bytes per entry, measured. */
static size_t overhead(void)
{
    ax_err err = {0};
    pcache *c = pcache_create(1 << 20, &err);
    assert_non_null(c);
    pcache_put(c, "k", 1, 1, "vvv", 3);
    pcache_stats s = pcache_get_stats(c);
    assert_int_equal(s.entries, 1);
    assert_true(s.bytes >= 4);
    size_t h = s.bytes - 4;
    /* The same for another size: the cost is linear in klen + vlen. */
    pcache_put(c, "key2", 4, 2, "0123456789", 10);
    s = pcache_get_stats(c);
    assert_int_equal(s.bytes, 2 * h + 4 + 14);
    pcache_free(c);
    /* Pointers and sizes, not kilobytes. */
    assert_true(h <= 256);
    return h;
}

/* A value of len bytes determined by tag. */
static void fill(unsigned char *v, size_t len, unsigned tag)
{
    for (size_t i = 0; i < len; i++)
        v[i] = (unsigned char)(tag * 37u + i * 11u + (i >> 3));
}

static int has(pcache *c, const char *key, uint64_t hash, size_t len, unsigned tag)
{
    unsigned char got[256], want[256];
    assert_true(len <= sizeof got);
    if (!pcache_get(c, key, strlen(key), hash, got, len))
        return 0;
    fill(want, len, tag);
    assert_memory_equal(got, want, len);
    return 1;
}

static void put(pcache *c, const char *key, uint64_t hash, size_t len, unsigned tag)
{
    unsigned char v[256];
    fill(v, len, tag);
    pcache_put(c, key, strlen(key), hash, v, len);
}

static void get_after_put(void **state)
{
    (void)state;
    ax_err err = {0};
    pcache *c = pcache_create(1 << 16, &err);
    assert_non_null(c);
    unsigned char val[100], out[100];
    fill(val, sizeof val, 1);
    assert_int_equal(pcache_get(c, "alpha", 5, 10, out, sizeof out), 0); /* empty */
    pcache_put(c, "alpha", 5, 10, val, sizeof val);
    /* The stored copy is independent of the caller's buffer. */
    memset(val, 0, sizeof val);
    memset(out, 0xAA, sizeof out);
    assert_int_equal(pcache_get(c, "alpha", 5, 10, out, sizeof out), 1);
    fill(val, sizeof val, 1);
    assert_memory_equal(out, val, sizeof val);
    /* Another length is not a hit, and leaves out alone. */
    memset(out, 0x55, sizeof out);
    assert_int_equal(pcache_get(c, "alpha", 5, 10, out, 99), 0);
    assert_int_equal(out[0], 0x55);
    /* A present key is not replaced: the first value stays. */
    unsigned char other[100];
    fill(other, sizeof other, 2);
    pcache_put(c, "alpha", 5, 10, other, sizeof other);
    assert_int_equal(pcache_get(c, "alpha", 5, 10, out, sizeof out), 1);
    assert_memory_equal(out, val, sizeof val);
    /* An empty value is a value. */
    pcache_put(c, "empty", 5, 11, val, 0);
    assert_int_equal(pcache_get(c, "empty", 5, 11, out, 0), 1);
    /* Statistics: 5 lookups (miss, hit, wrong length, hit, hit), 3 hits,
     * 2 stores, no eviction, 2 entries. */
    pcache_stats s = pcache_get_stats(c);
    assert_int_equal(s.lookups, 5);
    assert_int_equal(s.hits, 3);
    assert_int_equal(s.stores, 2);
    assert_int_equal(s.evictions, 0);
    assert_int_equal(s.entries, 2);
    pcache_free(c);
    pcache_free(NULL);
}

static void lru_order_under_budget(void **state)
{
    (void)state;
    size_t h = overhead();
    ax_err err = {0};
    /* Keys of 1 byte, values of 50: each entry costs h + 51; the budget
     * holds three (and not four: 3 (h + 51) + (h + 50) < 4 (h + 51)). */
    size_t each = h + 1 + 50;
    pcache *c = pcache_create(3 * each + 50, &err);
    assert_non_null(c);
    put(c, "A", 1, 50, 1);
    put(c, "B", 2, 50, 2);
    put(c, "C", 3, 50, 3);
    pcache_stats s = pcache_get_stats(c);
    assert_int_equal(s.entries, 3);
    assert_int_equal(s.bytes, 3 * each);
    /* Recency now, oldest first: A B C. Using A makes it the newest:
     * B C A. D then evicts B. */
    assert_true(has(c, "A", 1, 50, 1));
    put(c, "D", 4, 50, 4);
    s = pcache_get_stats(c);
    assert_int_equal(s.evictions, 1);
    assert_int_equal(s.entries, 3);
    assert_false(has(c, "B", 2, 50, 2));
    /* C A D (the miss on B changed nothing). Look at C: A D C. */
    assert_true(has(c, "C", 3, 50, 3));
    /* E evicts A. */
    put(c, "E", 5, 50, 5);
    assert_false(has(c, "A", 1, 50, 1));
    /* D C E. F costs h + 1 + 101 = each + 51: with D C E (3 each) or C E
     * (3 each + 51) it passes the budget of 3 each + 50, with E alone
     * (2 each + 51) it does not: F evicts D and C, leaving E F. */
    put(c, "F", 6, 101, 6);
    s = pcache_get_stats(c);
    assert_int_equal(s.evictions, 4);
    assert_int_equal(s.entries, 2);
    assert_int_equal(s.bytes, each + h + 1 + 101);
    assert_true(s.bytes <= 3 * each + 50);
    assert_false(has(c, "D", 4, 50, 4));
    assert_false(has(c, "C", 3, 50, 3));
    assert_true(has(c, "E", 5, 50, 5));
    assert_true(has(c, "F", 6, 101, 6));
    pcache_free(c);
}

static void oversized_entry_evicts_nothing(void **state)
{
    (void)state;
    size_t h = overhead();
    ax_err err = {0};
    size_t each = h + 1 + 20;
    pcache *c = pcache_create(2 * each, &err);
    put(c, "A", 1, 20, 1);
    put(c, "B", 2, 20, 2);
    /* An entry that alone exceeds the budget is not stored and does not
     * push the others out. */
    unsigned char *big = calloc(1, 2 * each);
    pcache_put(c, "Z", 1, 26, big, 2 * each);
    pcache_stats s = pcache_get_stats(c);
    assert_int_equal(s.entries, 2);
    assert_int_equal(s.evictions, 0);
    assert_int_equal(s.stores, 2);
    assert_true(has(c, "A", 1, 20, 1));
    assert_true(has(c, "B", 2, 20, 2));
    free(big);
    pcache_free(c);
}

static void zero_and_tiny_budgets(void **state)
{
    (void)state;
    size_t h = overhead();
    ax_err err = {0};
    /* Budget 0: nothing is ever kept, gets miss. */
    pcache *c = pcache_create(0, &err);
    assert_non_null(c);
    put(c, "A", 1, 1, 1);
    put(c, "", 0, 0, 0);
    assert_false(has(c, "A", 1, 1, 1));
    pcache_stats s = pcache_get_stats(c);
    assert_int_equal(s.entries, 0);
    assert_int_equal(s.bytes, 0);
    assert_int_equal(s.stores, 0);
    assert_int_equal(s.lookups, 1);
    pcache_free(c);
    /* One byte short of one entry: nothing. */
    c = pcache_create(h + 1 + 8 - 1, &err);
    put(c, "A", 1, 8, 1);
    assert_false(has(c, "A", 1, 8, 1));
    assert_int_equal(pcache_get_stats(c).entries, 0);
    pcache_free(c);
    /* Exactly one entry: kept, and the next one replaces it. */
    c = pcache_create(h + 1 + 8, &err);
    put(c, "A", 1, 8, 1);
    assert_true(has(c, "A", 1, 8, 1));
    assert_int_equal(pcache_get_stats(c).bytes, h + 9);
    put(c, "B", 2, 8, 2);
    assert_false(has(c, "A", 1, 8, 1));
    assert_true(has(c, "B", 2, 8, 2));
    s = pcache_get_stats(c);
    assert_int_equal(s.entries, 1);
    assert_int_equal(s.evictions, 1);
    pcache_free(c);
}

static void colliding_hashes_stay_distinct(void **state)
{
    (void)state;
    ax_err err = {0};
    pcache *c = pcache_create(1 << 20, &err);
    /* One hash for all: same length and different bytes, a prefix of
     * another key, the empty key. */
    const uint64_t H = 0xDEADBEEF;
    const char *keys[] = {"ab", "ba", "abc", "a", ""};
    for (unsigned i = 0; i < 5; i++)
        put(c, keys[i], H, 16 + i, 10 + i);
    for (unsigned i = 0; i < 5; i++)
        assert_true(has(c, keys[i], H, 16 + i, 10 + i));
    /* Other hashes that fall in the same bucket (4096 buckets: the low 12
     * bits equal) and the same key bytes: not the same entry. */
    put(c, "ab", H + 4096, 8, 99);
    assert_true(has(c, "ab", H + 4096, 8, 99));
    assert_true(has(c, "ab", H, 16, 10));
    assert_int_equal(pcache_get_stats(c).entries, 6);
    pcache_free(c);

    /* Eviction inside a long chain: 40 entries in one bucket, budget for
     * 10; the survivors are the 10 newest, each with its own value. */
    size_t h = overhead();
    size_t each = h + 3 + 12;
    c = pcache_create(10 * each, &err);
    for (unsigned i = 0; i < 40; i++) {
        char k[4];
        snprintf(k, sizeof k, "%03u", i);
        put(c, k, (uint64_t)i << 12, 12, i);
    }
    pcache_stats s = pcache_get_stats(c);
    assert_int_equal(s.entries, 10);
    assert_int_equal(s.evictions, 30);
    for (unsigned i = 0; i < 40; i++) {
        char k[4];
        snprintf(k, sizeof k, "%03u", i);
        assert_int_equal(has(c, k, (uint64_t)i << 12, 12, i), i >= 30);
    }
    pcache_free(c);
}

static void threads_share_one_cache(void **state)
{
    (void)state;
    size_t h = overhead();
    ax_err err = {0};
    /* Budget for about 40 of 200 keys: constant eviction while two threads
     * store and read. Every hit must hold its key's own bytes. */
    size_t budget = 40 * (h + 8 + 64);
    pcache *c = pcache_create(budget, &err);
    long bad = 0, hits = 0;
#pragma omp parallel for num_threads(2) schedule(static, 1) reduction(+ : bad, hits)
    for (int t = 0; t < 20000; t++) {
        unsigned k = (unsigned)(t * 7919) % 200;
        char key[8];
        memcpy(key, "key", 3);
        snprintf(key + 3, 5, "%04u", k);
        uint64_t hash = hash_fnv1a64(HASH_FNV_OFFSET, key, 8);
        unsigned char v[64], want[64];
        fill(want, sizeof want, k);
        if (pcache_get(c, key, 8, hash, v, sizeof v)) {
            hits++;
            bad += memcmp(v, want, sizeof v) != 0;
        } else {
            pcache_put(c, key, 8, hash, want, sizeof want);
        }
    }
    pcache_stats s = pcache_get_stats(c);
    assert_int_equal(bad, 0);
    assert_int_equal(s.lookups, 20000);
    assert_int_equal(s.hits, (uint64_t)hits);
    assert_true(s.bytes <= budget);
    assert_int_equal(s.entries, s.stores - s.evictions);
    assert_int_equal(s.bytes, s.entries * (h + 8 + 64));
    pcache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_after_put),
        cmocka_unit_test(lru_order_under_budget),
        cmocka_unit_test(oversized_entry_evicts_nothing),
        cmocka_unit_test(zero_and_tiny_budgets),
        cmocka_unit_test(colliding_hashes_stay_distinct),
        cmocka_unit_test(threads_share_one_cache),
    };
    return cmocka_run_group_tests_name("pcache", tests, NULL, NULL);
}
