/* The generated multiplier families: every netlist's table equals its
 * behavioural model (the paper's formula) on all 65,536 pairs, exact
 * designs give a*b, hand-worked values from the papers, and power falls as
 * the approximation grows within each family. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "approx/mfam.h"
#include "approx/mult_lib.h"

static mult_lib *lib;

static int setup(void **state)
{
    (void)state;
    ax_err err = {0};
    lib = mult_lib_create_default(&err);
    if (!lib)
        fprintf(stderr, "%s\n", err.msg);
    return lib ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    mult_lib_free(lib);
    return 0;
}

static const mult_entry *get(const char *name)
{
    long i = mult_lib_find(lib, name);
    if (i < 0)
        fail_msg("no multiplier %s", name);
    return mult_lib_entry(lib, (size_t)i);
}

static void netlists_match_models(void **state)
{
    (void)state;
    size_t n = 0;
    for (size_t f = 0; f < mfam_count(); f++) {
        const mfam_family *fam = mfam_get(f);
        assert_true(fam->n_designs > 0);
        for (size_t d = 0; d < fam->n_designs; d++, n++) {
            const mult_entry *e = get(fam->designs[d].name);
            assert_string_equal(e->family, fam->name);
            for (unsigned a = 0; a < 256; a++)
                for (unsigned b = 0; b < 256; b++) {
                    uint16_t want = fam->model(a, b, fam->designs[d].param);
                    if (e->lut[a * 256 + b] != want)
                        fail_msg("%s: netlist gives %u for %u x %u, model %u", e->name,
                                 e->lut[a * 256 + b], a, b, want);
                }
        }
    }
    assert_int_equal(n, mult_lib_count(lib));
}

static void exact_designs(void **state)
{
    (void)state;
    static const char *names[] = {"exact_array", "exact_wallace", "exact_dadda", "c42_exact",
                                  "udm_exact"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        const mult_entry *e = get(names[k]);
        for (unsigned a = 0; a < 256; a++)
            for (unsigned b = 0; b < 256; b++)
                assert_int_equal(e->lut[a * 256 + b], a * b);
        assert_true(e->metrics.mae == 0 && e->zero_safe);
    }
}

static unsigned at(const char *name, unsigned a, unsigned b)
{
    return get(name)->lut[a * 256 + b];
}

static void values_from_the_papers(void **state)
{
    (void)state;
    /* Mitchell: 3 x 3 -> log 1.5 + 1.5 -> 2^3 (1 + 0) = 8. */
    assert_int_equal(at("mitchell", 3, 3), 8);
    assert_int_equal(at("mitchell", 64, 128), 8192); /* powers of two are exact */
    /* UDM: the 2x2 block gives 3 x 3 = 7; all 16 blocks of 255 x 255 are
     * 3 x 3: 7 * (1 + 4 + 16 + 64)^2. */
    assert_int_equal(at("udm", 3, 3), 7);
    assert_int_equal(at("udm", 255, 255), 7 * 85 * 85);
    assert_int_equal(at("udm_t0", 12, 12), 144); /* block (1,1) is exact in t0 */
    /* DRUM-4: 200 = 1100 1000 -> 1101 << 4, 100 = 110 0100 -> 1101 << 3. */
    assert_int_equal(at("drum_k4", 200, 100), 13 * 13 << 7);
    assert_int_equal(at("drum_k4", 15, 9), 135); /* below 2^k: exact */
    /* RoBA: 3 -> 4 (half-way rounds up), 5 -> 4: 4*5 + 3*4 - 16 = 16. */
    assert_int_equal(at("roba", 3, 5), 16);
    assert_int_equal(at("roba", 32, 77), 32 * 77); /* one power of two: exact */
    /* ETM-4: 200 x 100: (12 * 6) << 8, low parts 8 | 4 -> top bit 3 -> 2^8 - 1. */
    assert_int_equal(at("etm_k4", 200, 100), (72 << 8) + 255);
    assert_int_equal(at("etm_k4", 13, 11), 143); /* both high parts zero: exact */
    /* Truncation of 4 columns of 255 x 255 drops 1 + 2*2 + 3*4 + 4*8 = 49;
     * the correction constant for k = 4 is round(12.25 / 16) * 16 = 16. */
    assert_int_equal(at("trunc_k4", 255, 255), 65025 - 49);
    assert_int_equal(at("trunc_k4c", 255, 255), 65025 - 49 + 16);
    assert_int_equal(at("trunc_k4c", 0, 0), 16);
    /* BAM h1 v4 on 255 x 255: row 0 (255) and, in rows >= 1, columns 1..3
     * (2 + 2*4 + 3*8) are gone. */
    assert_int_equal(at("bam_h1_v4", 255, 255), 65025 - 255 - 34);
    /* Perforation of rows 0 and 1 (the weight's two low bits). */
    assert_int_equal(at("perf_j0_m2", 255, 255), 255 * 252);
    assert_int_equal(at("perf_j0_m2", 3, 255), 3 * 252);
    assert_int_equal(at("perf_j0_m2", 255, 3), 0); /* asymmetric */
    /* 4:2 design 2 drops 2 of 4 for x = 1111 in its columns: 3 x 3 has rows
     * {11, 110} -> column 1 holds a1b0, a0b1 only: exact. */
    assert_int_equal(at("c42_d2_k16", 3, 3), 9);
}

static void power_falls_with_approximation(void **state)
{
    (void)state;
    for (size_t f = 0; f < mfam_count(); f++) {
        const mfam_family *fam = mfam_get(f);
        for (size_t i = 0; i < fam->n_designs; i++)
            for (size_t j = 0; j < fam->n_designs; j++) {
                const mfam_design *p = &fam->designs[i], *q = &fam->designs[j];
                if (!fam->more_approx(p->param, q->param))
                    continue;
                double pp = get(p->name)->cost.power_uw, pq = get(q->name)->cost.power_uw;
                if (!(pq < pp))
                    fail_msg("%s: %s (%.1f uW) is more approximate than %s (%.1f uW) but not cheaper",
                             fam->name, q->name, pq, p->name, pp);
            }
    }
    /* Families derived from an exact structure cost less than it. */
    static const char *derived[][2] = {{"trunc", "exact_dadda"}, {"perf", "exact_dadda"},
                                       {"bam", "exact_array"},   {"udm", "udm_exact"},
                                       {"c42", "c42_exact"},     {"etm", "exact_dadda"}};
    for (size_t k = 0; k < sizeof derived / sizeof derived[0]; k++) {
        const mfam_family *fam = mfam_find(derived[k][0]);
        double base = get(derived[k][1])->cost.power_uw;
        for (size_t i = 0; i < fam->n_designs; i++) {
            const char *name = fam->designs[i].name;
            if (strcmp(name, derived[k][1]) && !(get(name)->cost.power_uw < base))
                fail_msg("%s costs %.1f uW, not less than %s", name, get(name)->cost.power_uw,
                         derived[k][1]);
        }
    }
}

static void library_shape(void **state)
{
    (void)state;
    size_t n = mult_lib_count(lib);
    assert_true(n >= 40);
    size_t approx_families = 0;
    for (size_t f = 0; f < mfam_count(); f++)
        approx_families += strcmp(mfam_get(f)->name, "exact") != 0;
    assert_true(approx_families >= 8);
    for (size_t i = 0; i < n; i++) {
        const mult_entry *e = mult_lib_entry(lib, i);
        assert_int_equal(e->zero_safe, mult_lut_zero_safe(e->lut));
        assert_false(e->imported);
        assert_true(e->cost.area_um2 > 0 && e->cost.delay_ns > 0 && e->cost.energy_pj > 0);
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(e->name, mult_lib_entry(lib, j)->name);
        if (i + 1 < n) {
            const mult_entry *x = mult_lib_entry(lib, i + 1);
            assert_true(e->cost.power_uw < x->cost.power_uw ||
                        (e->cost.power_uw == x->cost.power_uw && strcmp(e->name, x->name) < 0));
        }
    }
    assert_null(mult_lib_entry(lib, n));
    assert_int_equal(mult_lib_find(lib, "no_such_multiplier"), -1);
}

static void deterministic(void **state)
{
    (void)state;
    ax_err err = {0};
    mult_lib *again = mult_lib_create_default(&err);
    assert_non_null(again);
    assert_int_equal(mult_lib_count(again), mult_lib_count(lib));
    for (size_t i = 0; i < mult_lib_count(lib); i++) {
        const mult_entry *x = mult_lib_entry(lib, i), *y = mult_lib_entry(again, i);
        assert_string_equal(x->name, y->name);
        assert_memory_equal(x->lut, y->lut, MULT_LUT_SIZE * sizeof *x->lut);
        assert_memory_equal(&x->cost, &y->cost, sizeof x->cost);
    }
    mult_lib_free(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(netlists_match_models),
        cmocka_unit_test(exact_designs),
        cmocka_unit_test(values_from_the_papers),
        cmocka_unit_test(power_falls_with_approximation),
        cmocka_unit_test(library_shape),
        cmocka_unit_test(deterministic),
    };
    return cmocka_run_group_tests_name("mult_families", tests, setup, teardown);
}
