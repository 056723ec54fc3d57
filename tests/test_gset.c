/* util/gset: the genome set, against a plain list searched linearly: the
 * same members in the same order, the same indices, for keys of several
 * sizes (1 byte up to 33, not a multiple of the word) and through many
 * doublings of the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/gset.h"
#include "util/pcg.h"

/* Index of key in list[n][kb], or -1. */
static long list_find(const unsigned char *list, size_t n, size_t kb, const unsigned char *key)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(list + i * kb, key, kb) == 0)
            return (long)i;
    return -1;
}

/* Keys drawn from a small alphabet so that about half the adds repeat. */
static void against_a_list(size_t kb, int n_adds)
{
    gset *s = gset_create(kb);
    assert_non_null(s);
    assert_int_equal(gset_key_bytes(s), kb);
    unsigned char *list = malloc((size_t)n_adds * kb), key[64];
    size_t n = 0;
    pcg32 rng = pcg32_derive4(9, PCG_PURPOSE_TEST, kb, 0, 0, 0);
    uint32_t alphabet = kb == 1 ? 256 : 3;
    for (int a = 0; a < n_adds; a++) {
        for (size_t b = 0; b < kb; b++)
            key[b] = (unsigned char)pcg32_bounded(&rng, alphabet);
        long want = list_find(list, n, kb, key);
        assert_int_equal(gset_find(s, key), want);
        int added = -1;
        long at = gset_add(s, key, &added);
        if (want < 0) {
            assert_int_equal(added, 1);
            assert_int_equal(at, (long)n);
            memcpy(list + n * kb, key, kb);
            n++;
        } else {
            assert_int_equal(added, 0);
            assert_int_equal(at, want);
        }
        assert_int_equal(gset_count(s), n);
    }
    for (size_t i = 0; i < n; i++) {
        assert_memory_equal(gset_key(s, i), list + i * kb, kb);
        assert_int_equal(gset_find(s, list + i * kb), (long)i);
    }
    gset_clear(s);
    assert_int_equal(gset_count(s), 0);
    if (n > 0)
        assert_int_equal(gset_find(s, list), -1);
    assert_int_equal(gset_add(s, list, NULL), 0); /* added may be NULL */
    gset_free(s);
    free(list);
}

static void matches_a_list(void **state)
{
    (void)state;
    against_a_list(1, 2000);   /* all 256 one-byte keys, many repeats */
    against_a_list(4, 300);    /* 81 possible keys */
    against_a_list(12, 5000);  /* 3^12: few repeats, many doublings */
    against_a_list(33, 3000);
}

static void reserve_then_add(void **state)
{
    (void)state;
    gset *s = gset_create(sizeof(int32_t));
    assert_int_equal(gset_reserve(s, 1000), 0);
    for (int32_t i = 0; i < 1000; i++)
        assert_int_equal(gset_add(s, &i, NULL), i);
    for (int32_t i = 999; i >= 0; i--)
        assert_int_equal(gset_find(s, &i), i);
    int32_t absent = 1000;
    assert_int_equal(gset_find(s, &absent), -1);
    assert_int_equal(gset_reserve(s, 10), 0); /* smaller than held: nothing to do */
    assert_int_equal(gset_count(s), 1000);
    gset_free(s);
    gset_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_a_list),
        cmocka_unit_test(reserve_then_add),
    };
    return cmocka_run_group_tests_name("gset", tests, NULL, NULL);
}
