/* kern: every kernel this CPU runs against the scalar reference, bit for
 * bit, over random shapes (tiny and odd M, K, NP; K past the 256-product
 * widening step), every table of the default library and the imported
 * EvoApprox tables, and adversarial tables; the reference itself on
 * hand-computed cases; table preparation flags; dispatch under
 * AXSEARCH_KERNEL. Runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "approx/mult_lib.h"
#include "fitness/emu/kern.h"
#include "util/pcg.h"

#define INDEX "approx/data/evoapprox/index.tsv"

/* lut (a*256 + w) to weight-major T (w*256 + a). */
static void transpose(const uint16_t *lut, uint16_t *T)
{
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            T[w * 256 + a] = lut[a * 256 + w];
}

typedef struct shape {
    int M, K, NP;
} shape;

/* Runs every supported kernel that applies to t (NULL: exact kernels only)
 * on W, A and compares with the scalar reference. Returns the number of
 * kernels compared. */
static int check_all(const kern_table *t, const uint8_t *W, const uint8_t *A, shape s)
{
    size_t n_out = (size_t)s.M * (size_t)s.NP;
    int32_t *ref = malloc(n_out * sizeof *ref), *got = malloc(n_out * sizeof *got);
    void *scratch = malloc(kern_scratch_size(s.M, s.K));
    assert_non_null(ref);
    assert_non_null(got);
    assert_non_null(scratch);
    if (t)
        kern_table_scalar(kern_table_T(t), W, A, s.M, s.K, s.NP, ref);
    else
        kern_exact_scalar(W, A, s.M, s.K, s.NP, ref);
    kern_impl impls[KERN_MAX_IMPLS];
    int n = kern_impls(impls), used = 0;
    for (int i = 0; i < n; i++) {
        const kern_impl *k = &impls[i];
        if (!k->supported || (t && !k->table) || (!t && !k->exact))
            continue;
        if (k->applies && !k->applies(t))
            continue;
        memset(got, 0xA5, n_out * sizeof *got);
        if (t)
            k->table(t, W, A, s.M, s.K, s.NP, got, scratch);
        else
            k->exact(W, A, s.M, s.K, s.NP, got, scratch);
        if (memcmp(ref, got, n_out * sizeof *got) != 0) {
            for (size_t e = 0; e < n_out; e++)
                if (ref[e] != got[e]) {
                    print_error("%s: M=%d K=%d NP=%d: acc[%zu][%zu] = %d, reference %d\n", k->name, s.M,
                                s.K, s.NP, e / (size_t)s.NP, e % (size_t)s.NP, got[e], ref[e]);
                    break;
                }
            fail();
        }
        used++;
    }
    /* The dispatched kernels too. */
    kern_ops o = kern_ops_best();
    memset(got, 0xA5, n_out * sizeof *got);
    if (t)
        o.table(t, W, A, s.M, s.K, s.NP, got, scratch);
    else
        o.exact(W, A, s.M, s.K, s.NP, got, scratch);
    assert_memory_equal(ref, got, n_out * sizeof *got);
    free(ref);
    free(got);
    free(scratch);
    return used;
}

static void fill(pcg32 *rng, uint8_t *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (uint8_t)pcg32_next(rng);
}

/* Random operands of one shape, through every kernel, with table t. */
static void run_random(pcg32 *rng, const kern_table *t, shape s)
{
    uint8_t *W = malloc((size_t)s.M * s.K), *A = malloc((size_t)s.K * s.NP);
    assert_non_null(W);
    assert_non_null(A);
    fill(rng, W, (size_t)s.M * s.K);
    fill(rng, A, (size_t)s.K * s.NP);
    check_all(t, W, A, s);
    free(W);
    free(A);
}

/* The reference kernels on cases worked by hand. */
static void reference_by_hand(void **state)
{
    (void)state;
    /* W = [[2, 255], [0, 1]], A = [[3, 4, 5], [255, 0, 1]] (K = 2, NP = 3). */
    const uint8_t W[4] = {2, 255, 0, 1}, A[6] = {3, 4, 5, 255, 0, 1};
    const int32_t want[6] = {2 * 3 + 255 * 255, 8, 10 + 255, 255, 0, 1};
    int32_t acc[6];
    kern_exact_scalar(W, A, 2, 2, 3, acc);
    assert_memory_equal(acc, want, sizeof want);
    /* A table that returns w + a (not a product): acc = sum_k (w + a). */
    uint16_t *T = malloc(65536 * sizeof *T);
    assert_non_null(T);
    for (int w = 0; w < 256; w++)
        for (int a = 0; a < 256; a++)
            T[w * 256 + a] = (uint16_t)(w + a);
    const int32_t want_sum[6] = {2 + 3 + 255 + 255, 2 + 4 + 255 + 0, 2 + 5 + 255 + 1,
                                 0 + 3 + 1 + 255, 0 + 4 + 1 + 0, 0 + 5 + 1 + 1};
    kern_table_scalar(T, W, A, 2, 2, 3, acc);
    assert_memory_equal(acc, want_sum, sizeof want_sum);
    /* And through every fast kernel. */
    ax_err err = {0};
    kern_table *t = kern_table_create(T, &err);
    assert_non_null(t);
    assert_false(kern_table_is_exact(t));
    shape s = {2, 2, 3};
    assert_true(check_all(t, W, A, s) >= 2);
    kern_table_free(t);
    free(T);
}

static void prepare_flags(void **state)
{
    (void)state;
    ax_err err = {0};
    uint16_t *T = malloc(65536 * sizeof *T);
    assert_non_null(T);
    for (int w = 0; w < 256; w++)
        for (int a = 0; a < 256; a++)
            T[w * 256 + a] = (uint16_t)(a * w);
    kern_table *t = kern_table_create(T, &err);
    assert_true(kern_table_is_exact(t));
    assert_true(kern_table_err8(t));
    kern_table_free(t);
    /* Row 7's error spans exactly 255 (from -200 to +55): still err8. */
    T[7 * 256 + 100] = (uint16_t)(700 - 200);
    T[7 * 256 + 200] = (uint16_t)(1400 + 55);
    t = kern_table_create(T, &err);
    assert_false(kern_table_is_exact(t));
    assert_true(kern_table_err8(t));
    kern_table_free(t);
    /* 256: not any more. */
    T[7 * 256 + 200] = (uint16_t)(1400 + 56);
    t = kern_table_create(T, &err);
    assert_false(kern_table_err8(t));
    kern_table_free(t);
    kern_table_free(NULL);
    free(T);
}

/* Exact kernels over random shapes, tiny ones included. */
static void exact_random_shapes(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 80, 0, 0, 0);
    const shape fixed[] = {{1, 1, 1}, {1, 1, 63}, {7, 3, 65}, {6, 4, 64}, {13, 5, 17}, {2, 600, 130}, {65, 33, 200}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        run_random(&rng, NULL, fixed[i]);
    for (int trial = 0; trial < 40; trial++) {
        shape s = {1 + (int)pcg32_bounded(&rng, 20), 1 + (int)pcg32_bounded(&rng, 300),
                   1 + (int)pcg32_bounded(&rng, 300)};
        run_random(&rng, NULL, s);
    }
    /* Largest operands everywhere: 255 * 255 in every product. */
    shape s = {5, 300, 77};
    uint8_t *W = malloc((size_t)s.M * s.K), *A = malloc((size_t)s.K * s.NP);
    memset(W, 255, (size_t)s.M * s.K);
    memset(A, 255, (size_t)s.K * s.NP);
    check_all(NULL, W, A, s);
    free(W);
    free(A);
}

/* Hand-made tables: random entries, all 0xFFFF (16-bit lane sums at their
 * limit over 256 products), exact, exact but for large errors, an err8
 * table at the edge (each row's error spanning 255 with negative offsets),
 * an err8 table with one inexact row, a res16 table (exact rows, and rows
 * 65535 - a*w whose errors span up to 64,770). */
static void adversarial_tables(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 81, 0, 0, 0);
    uint16_t *T = malloc(65536 * sizeof *T);
    assert_non_null(T);
    const shape shapes[] = {{1, 1, 1}, {3, 257, 129}, {7, 600, 70}, {17, 31, 255}, {2, 513, 1}};
    for (int kind = 0; kind < 7; kind++) {
        for (int w = 0; w < 256; w++)
            for (int a = 0; a < 256; a++) {
                int32_t v = a * w;
                switch (kind) {
                case 0: v = (int32_t)(pcg32_next(&rng) & 0xFFFF); break;
                case 1: v = 0xFFFF; break;
                case 2: break;
                case 3: v = (a ^ w) & 1 ? v : 0xFFFF - v; break;
                case 4: v = (a * 7 + w) & 1 && v >= 255 ? v - 255 : v; break;
                case 5: v = w == 77 ? v + (a & 0x7F) : v; break;
                case 6: v = w % 2 && w < 128 ? 65535 - v : v; break;
                }
                T[w * 256 + a] = (uint16_t)v;
            }
        ax_err err = {0};
        kern_table *t = kern_table_create(T, &err);
        assert_non_null(t);
        assert_int_equal(kern_table_is_exact(t), kind == 2);
        assert_int_equal(kern_table_err8(t), kind == 2 || kind == 4 || kind == 5);
        assert_int_equal(kern_table_res16(t), kind == 6);
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
            run_random(&rng, t, shapes[i]);
        if (kind >= 5) {
            /* Mostly w = 77 and exact rows mixed, so the skip lists hold
             * runs of both. */
            shape s = {9, 700, 150};
            uint8_t *W = malloc((size_t)s.M * s.K), *A = malloc((size_t)s.K * s.NP);
            for (int e = 0; e < s.M * s.K; e++)
                W[e] = pcg32_bounded(&rng, 3) == 0 ? 77 : (uint8_t)pcg32_next(&rng);
            if (kind == 6) /* all inexact rows in some rows of W */
                memset(W, 77, (size_t)s.K * 2);
            fill(&rng, A, (size_t)s.K * s.NP);
            check_all(t, W, A, s);
            free(W);
            free(A);
        }
        kern_table_free(t);
    }
    free(T);
}

/* Every table of the default library and the imported EvoApprox ones. */
static void library_tables(void **state)
{
    (void)state;
    ax_err err = {0};
    mult_lib *lib = mult_lib_create_default(&err);
    assert_non_null(lib);
    assert_int_equal(mult_lib_import_index(lib, INDEX, &err), AX_OK);
    uint16_t *T = malloc(65536 * sizeof *T);
    assert_non_null(T);
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 82, 0, 0, 0);
    size_t n = mult_lib_count(lib);
    assert_true(n >= 40);
    int err8 = 0, res16 = 0;
    for (size_t i = 0; i < n; i++) {
        const mult_entry *e = mult_lib_entry(lib, i);
        transpose(e->lut, T);
        kern_table *t = kern_table_create(T, &err);
        assert_non_null(t);
        err8 += kern_table_err8(t);
        res16 += kern_table_res16(t);
        shape s = {5 + (int)(i % 4), 260 + (int)(i % 7), 61 + (int)(i % 70)};
        run_random(&rng, t, s);
        kern_table_free(t);
    }
    assert_true(err8 > 0 && res16 > 0 && err8 + res16 < (int)n);
    free(T);
    mult_lib_free(lib);
}

/* AXSEARCH_KERNEL caps the instruction set; anything else falls back to
 * the best, and every choice computes the same. */
/* The AVX2 column sums equal the reference on every width 1..80 (tails)
 * and depths that cross the 257-row widening, with all-255 columns. */
static void colsum_equal(void **state)
{
    (void)state;
    kern_colsum_fn *fast = kern_colsum_avx2();
    if (!fast) {
        print_message("    no AVX2 here: only the reference runs\n");
        return;
    }
    pcg32 rng;
    pcg32_seed(&rng, 5, 9);
    static const int64_t depths[] = {1, 2, 31, 256, 257, 258, 600};
    for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++)
        for (int64_t np = 1; np <= 80; np += d % 2 ? 7 : 1) {
            int64_t K = depths[d];
            uint8_t *A = malloc((size_t)(K * np));
            int32_t *want = malloc((size_t)np * sizeof *want), *got = malloc((size_t)np * sizeof *got);
            for (int64_t i = 0; i < K * np; i++)
                A[i] = np % 5 == 0 ? 255 : (uint8_t)pcg32_bounded(&rng, 256);
            kern_colsum_scalar(A, K, np, want);
            fast(A, K, np, got);
            assert_memory_equal(want, got, (size_t)np * sizeof *got);
            if (np % 5 == 0)
                assert_int_equal(want[0], 255 * K);
            free(A);
            free(want);
            free(got);
        }
}

static void dispatch_env(void **state)
{
    (void)state;
    kern_impl impls[KERN_MAX_IMPLS];
    int n = kern_impls(impls), have_avx2 = 0, have_512 = 0;
    for (int i = 0; i < n; i++) {
        have_avx2 |= impls[i].supported && strcmp(impls[i].isa, "avx2") == 0;
        have_512 |= impls[i].supported && strcmp(impls[i].isa, "avx512") == 0;
    }
    const char *old = getenv("AXSEARCH_KERNEL");
    char *saved = old ? strdup(old) : NULL;
    setenv("AXSEARCH_KERNEL", "scalar", 1);
    assert_string_equal(kern_ops_best().isa, "scalar");
    setenv("AXSEARCH_KERNEL", "avx2", 1);
    assert_string_equal(kern_ops_best().isa, have_avx2 ? "avx2" : "scalar");
    const char *best = have_512 ? "avx512" : have_avx2 ? "avx2" : "scalar";
    setenv("AXSEARCH_KERNEL", "avx512", 1);
    assert_string_equal(kern_ops_best().isa, best);
    setenv("AXSEARCH_KERNEL", "neon-9000", 1);
    assert_string_equal(kern_ops_best().isa, best);
    /* Each level on one approximate table and one err8 table. */
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 83, 0, 0, 0);
    uint16_t *T = malloc(65536 * sizeof *T);
    const char *levels[] = {"scalar", "avx2", "avx512"};
    for (int kind = 0; kind < 2; kind++) {
        for (int w = 0; w < 256; w++)
            for (int a = 0; a < 256; a++)
                T[w * 256 + a] = (uint16_t)(kind ? a * w + ((a + w) & 63) : (a * w) ^ (a << 3));
        ax_err err = {0};
        kern_table *t = kern_table_create(T, &err);
        assert_int_equal(kern_table_err8(t), kind);
        for (int l = 0; l < 3; l++) {
            setenv("AXSEARCH_KERNEL", levels[l], 1);
            run_random(&rng, t, (shape){4, 270, 100});
            run_random(&rng, NULL, (shape){4, 270, 100});
        }
        kern_table_free(t);
    }
    free(T);
    if (saved) {
        setenv("AXSEARCH_KERNEL", saved, 1);
        free(saved);
    } else {
        unsetenv("AXSEARCH_KERNEL");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_by_hand),
        cmocka_unit_test(prepare_flags),
        cmocka_unit_test(exact_random_shapes),
        cmocka_unit_test(adversarial_tables),
        cmocka_unit_test(library_tables),
        cmocka_unit_test(colsum_equal),
        cmocka_unit_test(dispatch_env),
    };
    return cmocka_run_group_tests_name("kern", tests, NULL, NULL);
}
