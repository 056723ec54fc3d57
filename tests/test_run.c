/* Unit tests of the run driver in cli/ (linked from build/libaxcli.a):
 * the configuration parser (scfg_load_string), the checkpoint state
 * (run_state save/load), the baselines' bookkeeping (bl_set,
 * bl_random_draws, the savings) and the hypervolume of results.h, each
 * against cases worked by hand. One small environment (LeNet-5, 40 images)
 * is built once for the tests that need a fitness function. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/baselines.h"
#include "cli/results.h"
#include "cli/run_env.h"
#include "cli/run_state.h"
#include "cli/scfg.h"
#include "util/pcg.h"

static run_env E;
static volatile sig_atomic_t no_stop;

static int group_setup(void **state)
{
    (void)state;
    static const char text[] = "[model]\nonnx = models/lenet5_fmnist.onnx\ncalib_images = 100\n"
                               "val_images = 40\ntest_images = 40\n"
                               "[knobs]\nnoc_swing = 0.8, 0.44\nsram_v_input = 0.8, 0.48\n"
                               "[library]\ninclude = trunc_k8, bam_h3_v8\n"
                               "[objectives]\nmax_drop = 2\n[search]\nreps = 1\nthreads = 2\n";
    scfg c;
    ax_err err = {0};
    scfg_defaults(&c);
    if (scfg_load_string(text, "test.ini", ".", &c, &err) != AX_OK ||
        run_env_open(&E, &c, &no_stop, &err) != AX_OK) {
        print_error("setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    run_env_close(&E);
    return 0;
}

/* ---- scfg ------------------------------------------------------------------ */

static void scfg_reads_values_and_defaults(void **state)
{
    (void)state;
    scfg c, d;
    ax_err err = {0};
    scfg_defaults(&c);
    scfg_defaults(&d);
    assert_int_equal(scfg_load_string("; a comment\n[model]\nonnx = n.onnx\n[knobs]\nnoc_swing = 0.8, 0.5, 0.4\n"
                                      "[search]\npopulation = 12\nseed = 7\n[objectives]\nmax_drop = 0.25\n",
                                      "a.ini", "/tmp", &c, &err),
                     AX_OK);
    assert_int_equal(c.n_swing, 3);
    assert_true(c.noc_swing[0] == 0.8 && c.noc_swing[1] == 0.5 && c.noc_swing[2] == 0.4);
    assert_int_equal(c.population, 12);
    assert_true(c.seed == 7);
    assert_true(c.max_drop == 0.25);
    /* Keys left out keep their defaults. */
    assert_int_equal(c.generations, d.generations);
    assert_int_equal(c.n_vin, d.n_vin);
    assert_string_equal(c.crossover, d.crossover);
}

static void scfg_resolves_relative_paths(void **state)
{
    (void)state;
    scfg c;
    ax_err err = {0};
    scfg_defaults(&c);
    assert_int_equal(scfg_load_string("[model]\nonnx = m/net.onnx\n", "a.ini", "/some/dir", &c, &err), AX_OK);
    assert_string_equal(c.onnx, "/some/dir/m/net.onnx");
    assert_int_equal(scfg_load_string("[model]\nonnx = /abs/net.onnx\n", "a.ini", "/some/dir", &c, &err), AX_OK);
    assert_string_equal(c.onnx, "/abs/net.onnx");
}

/* Each bad text is refused as input, with the name and line in the message. */
static void scfg_errors_name_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"[model]\ncalib_images = 10\nbogus = 3\n", "cfg.ini:3"},
        {"[nowhere]\nx = 1\n", "[nowhere]"},
        {"[knobs]\nnoc_swing = 0.8, 0.5,\n", "cfg.ini:2"},
        {"[search]\npopulation = -4\n", "cfg.ini:2"},
        {"[search]\npopulation = 8\npopulation = 9\n", "cfg.ini:3"},
        {"[search]\npopulation = 8x\n", "cfg.ini:2"},
        {"[objectives]\nmax_drop = nan\n", "cfg.ini:2"},
        {"[knobs]\nnoc_swing = 0.5, 0.8\n", "cfg.ini"}, /* levels must decrease */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        scfg c;
        ax_err err = {0};
        scfg_defaults(&c);
        int rc = scfg_load_string(bad[i].text, "cfg.ini", "/tmp", &c, &err);
        if (rc == AX_OK)
            rc = scfg_check(&c, "cfg.ini", &err);
        if (rc != AX_EINPUT || !strstr(err.msg, bad[i].want))
            fail_msg("case %zu: status %d, message '%s' (want '%s')", i, rc, err.msg, bad[i].want);
    }
}

/* ---- run_state --------------------------------------------------------------- */

/* A result with every field set from k, as a scoring would fill it. */
static fit_result made_up_result(int k)
{
    fit_result r;
    memset(&r, 0, sizeof r);
    r.top1 = 0.5 + 0.01 * k;
    r.top1_se = 0.001 * k;
    r.drop_pp = -1.0 + 0.37 * k;
    r.drop_se = 0.01 * k + 0.5;
    r.drop_ucb = r.drop_pp + 1.645 * r.drop_se;
    r.s1 = -3 * k; /* negative: stored as two's complement */
    r.s2 = 9 * k + 1;
    r.energy_pj = 1e6 + 123.25 * k;
    r.latency_s = 1e-3 * (k + 1);
    r.area_mm2 = 0.3 + 0.02 * k;
    for (int j = 0; j < ACCEL_NCOMP; j++)
        r.comp_pj[j] = 10.5 * j + k;
    r.flips = (uint64_t)(1000 + k);
    r.reps = 1 + k % 3;
    r.images = 40 - k % 2;
    return r;
}

/* Remembers n made-up results for distinct genomes drawn from the space. */
static void fill_cache(fit *f, int n)
{
    int ng = fit_n_genes(f);
    int32_t card[64], g[64];
    assert_true(ng <= 64);
    fit_cardinalities(f, card);
    pcg32 rng = pcg32_derive4(3, PCG_PURPOSE_TEST, 1, 0, 0, 0);
    ax_err err = {0};
    for (int k = 0; (int)fit_n_evaluated(f) < n; k++) {
        for (int i = 0; i < ng; i++)
            g[i] = (int32_t)pcg32_bounded(&rng, (uint32_t)card[i]);
        fit_result r = made_up_result(k);
        assert_int_equal(fit_remember(f, g, &r, 1, &err), AX_OK);
    }
}

static void run_state_round_trip(void **state)
{
    (void)state;
    fit *f = E.fit;
    fit_forget(f);
    fill_cache(f, 25);
    run_state s = {0};
    s.hits = 17;
    scfg c;
    scfg_defaults(&c);
    s.config = scfg_format(&c);
    assert_non_null(s.config);
    for (long gen = 1; gen <= 4; gen++) {
        run_history_row h = {gen, 8 * gen, gen / 2, gen + 1, 0.01 * gen, gen == 1 ? INFINITY : 3.5 / gen};
        assert_int_equal(run_state_push(&s, &h), 0);
    }
    unsigned char *blob;
    size_t len;
    assert_int_equal(run_state_save(&s, f, &blob, &len), 0);
    /* Keep what was saved, then load into an emptied cache. */
    size_t n = fit_n_evaluated(f), ng = (size_t)fit_n_genes(f);
    int32_t *genes = malloc(n * ng * sizeof *genes);
    fit_result *res = malloc(n * sizeof *res);
    for (size_t i = 0; i < n; i++) {
        memcpy(genes + i * ng, fit_evaluated_genes(f, i), ng * sizeof *genes);
        res[i] = *fit_evaluated_result(f, i);
    }
    fit_forget(f);
    run_state t;
    ax_err err = {0};
    assert_int_equal(run_state_load(&t, f, blob, len, "ck.bin", &err), AX_OK);
    assert_int_equal(t.hits, 17);
    assert_string_equal(t.config, s.config);
    assert_int_equal(t.n_rows, 4);
    assert_memory_equal(t.rows, s.rows, 4 * sizeof *s.rows);
    assert_int_equal(fit_n_evaluated(f), n);
    for (size_t i = 0; i < n; i++) {
        assert_memory_equal(fit_evaluated_genes(f, i), genes + i * ng, ng * sizeof *genes);
        const fit_result *a = fit_evaluated_result(f, i), *b = &res[i];
        assert_true(a->top1 == b->top1 && a->top1_se == b->top1_se && a->drop_pp == b->drop_pp);
        assert_true(a->drop_se == b->drop_se && a->drop_ucb == b->drop_ucb && a->s1 == b->s1 && a->s2 == b->s2);
        assert_true(a->energy_pj == b->energy_pj && a->latency_s == b->latency_s && a->area_mm2 == b->area_mm2);
        assert_memory_equal(a->comp_pj, b->comp_pj, sizeof a->comp_pj);
        assert_true(a->flips == b->flips && a->reps == b->reps && a->images == b->images);
        assert_int_equal(fit_find(f, genes + i * ng), (long)i);
    }
    run_state_free(&t);
    /* Version 3, written before the configuration was recorded: the same
     * blob without it reads back with config NULL. */
    size_t cut = 4 + 8 + strlen(s.config);
    unsigned char *old = malloc(len - cut + 4);
    old[0] = 3, old[1] = old[2] = old[3] = 0;
    memcpy(old + 4, blob + cut, len - cut);
    assert_int_equal(run_state_load(&t, f, old, len - cut + 4, "ck.bin", &err), AX_OK);
    assert_null(t.config);
    assert_int_equal(t.hits, 17);
    assert_int_equal(fit_n_evaluated(f), n);
    run_state_free(&t);
    free(old);
    run_state_free(&s);
    free(genes);
    free(res);
    free(blob);
    fit_forget(f);
}

/* The keys named when a configuration changed: values, a key only one
 * text holds, the allowed list by full or bare name, truncation. */
static void scfg_changed_keys_by_hand(void **state)
{
    (void)state;
    scfg a, b;
    scfg_defaults(&a);
    scfg_defaults(&b);
    b.max_drop = 0.5;
    b.val_images = 100;
    b.generations = 99;
    char *ta = scfg_format(&a), *tb = scfg_format(&b), out[256];
    assert_non_null(strstr(ta, "\nobjectives.max_drop = 1\n"));
    assert_int_equal(scfg_changed_keys(ta, ta, NULL, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(scfg_changed_keys(ta, tb, NULL, out, sizeof out), 3);
    assert_string_equal(out, "model.val_images, objectives.max_drop, search.generations");
    assert_int_equal(scfg_changed_keys(ta, tb, "generations,model.val_images", out, sizeof out), 1);
    assert_string_equal(out, "objectives.max_drop");
    /* a key only one side holds */
    assert_int_equal(scfg_changed_keys("x.a = 1\nx.b = 2\n", "x.a = 1\nx.c = 2\n", NULL, out, sizeof out), 2);
    assert_string_equal(out, "x.b, x.c");
    /* a key added since the run was recorded: unchanged at its default */
    assert_int_equal(scfg_changed_keys("x.a = 1\n", "x.a = 1\nmodel.data_format = auto\nmodel.search_range = \n",
                                       NULL, out, sizeof out), 0);
    assert_int_equal(scfg_changed_keys("x.a = 1\n", "x.a = 1\nmodel.data_format = npy\n", NULL, out, sizeof out),
                     1);
    assert_string_equal(out, "model.data_format");
    /* a key that is a prefix of another is not confused with it */
    assert_int_equal(scfg_changed_keys("x.ab = 1\nx.a = 1\n", "x.a = 1\nx.ab = 1\n", NULL, out, sizeof out), 0);
    /* too many for the buffer: cut with "..." */
    char small[24];
    assert_int_equal(scfg_changed_keys(ta, tb, NULL, small, sizeof small), 3);
    assert_string_equal(small, "model.val_images, ...");
    free(ta);
    free(tb);
}

/* Every truncation, a wrong version and a gene out of range are refused as
 * input naming the file; nothing crashes. */
static void run_state_refuses_damage(void **state)
{
    (void)state;
    fit *f = E.fit;
    fit_forget(f);
    fill_cache(f, 3);
    run_state s = {0};
    run_history_row h = {1, 8, 0, 2, 0.1, 2.0};
    assert_int_equal(run_state_push(&s, &h), 0);
    unsigned char *blob;
    size_t len;
    assert_int_equal(run_state_save(&s, f, &blob, &len), 0);
    for (size_t cut = 0; cut < len; cut++) {
        run_state t;
        ax_err err = {0};
        assert_int_equal(run_state_load(&t, f, blob, cut, "ck.bin", &err), AX_EINPUT);
        assert_non_null(strstr(err.msg, "ck.bin"));
        run_state_free(&t);
    }
    unsigned char *bad = malloc(len);
    memcpy(bad, blob, len);
    bad[0] ^= 1; /* u32 version, little-endian */
    run_state t;
    ax_err err = {0};
    assert_int_equal(run_state_load(&t, f, bad, len, "ck.bin", &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "version"));
    run_state_free(&t);
    /* The first gene of the first entry: after version, the configuration
     * record (u64 length, text), hits, row count, the row (4 u64 + 2 f64),
     * the gene count (u32) and the entry count. */
    size_t at = 4 + 8 + (s.config ? strlen(s.config) : 0) + 8 + 8 + 6 * 8 + 4 + 8;
    memcpy(bad, blob, len);
    bad[at] = 0xff, bad[at + 1] = 0xff, bad[at + 2] = 0xff, bad[at + 3] = 0x7f;
    assert_int_equal(run_state_load(&t, f, bad, len, "ck.bin", &err), AX_EINPUT);
    if (!strstr(err.msg, "ck.bin: entry 0"))
        fail_msg("not the gene check: %s", err.msg);
    run_state_free(&t);
    free(bad);
    free(blob);
    run_state_free(&s);
    fit_forget(f);
}

/* ---- baselines' bookkeeping ------------------------------------------------ */

static void bl_set_grows_and_keeps_order(void **state)
{
    (void)state;
    bl_set s = {.n_genes = 3};
    for (int i = 0; i < 100; i++) {
        int32_t g[3] = {i, 2 * i, 3 * i};
        char label[16];
        snprintf(label, sizeof label, "d%d", i);
        assert_int_equal(bl_set_add(&s, i % 2 ? "odd" : "even", label, g), 0);
    }
    assert_int_equal(s.n, 100);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(s.genes[3 * i + 2], 3 * i);
        assert_string_equal(s.kind[i], i % 2 ? "odd" : "even");
        char label[16];
        snprintf(label, sizeof label, "d%d", i);
        assert_string_equal(s.label[i], label);
        assert_true(isnan(s.out[i].test_top1) && isnan(s.out[i].test_drop) && isnan(s.out[i].confirm_ucb));
        assert_int_equal(s.out[i].reported, 0);
    }
    bl_set_free(&s);
    bl_set_free(&s); /* freed twice: a no-op */
}

static int count_distinct(const bl_set *s)
{
    int d = 0;
    for (int i = 0; i < s->n; i++) {
        int j = 0;
        while (j < i && memcmp(s->genes + i * s->n_genes, s->genes + j * s->n_genes,
                               (size_t)s->n_genes * sizeof *s->genes) != 0)
            j++;
        d += j == i;
    }
    return d;
}

static void bl_random_draws_distinct_and_reproducible(void **state)
{
    (void)state;
    const int32_t card[4] = {3, 5, 2, 7}; /* 210 chromosomes */
    bl_set a = {.n_genes = 4}, b = {.n_genes = 4}, c = {.n_genes = 4}, all = {.n_genes = 4};
    assert_int_equal(bl_random_draws(11, card, 50, &a), 0);
    assert_int_equal(bl_random_draws(11, card, 80, &b), 0);
    assert_int_equal(bl_random_draws(12, card, 50, &c), 0);
    assert_int_equal(a.n, 50);
    assert_int_equal(count_distinct(&a), 50);
    for (int i = 0; i < a.n * 4; i++)
        assert_true(a.genes[i] >= 0 && a.genes[i] < card[i % 4]);
    /* The same seed draws the same sequence: a smaller budget is a prefix. */
    assert_memory_equal(a.genes, b.genes, 50 * 4 * sizeof *a.genes);
    assert_true(memcmp(a.genes, c.genes, 50 * 4 * sizeof *a.genes) != 0);
    /* A budget beyond the space draws the whole space, once each. */
    assert_int_equal(bl_random_draws(11, card, 1000, &all), 0);
    assert_int_equal(all.n, 210);
    assert_int_equal(count_distinct(&all), 210);
    bl_set_free(&a);
    bl_set_free(&b);
    bl_set_free(&c);
    bl_set_free(&all);
}

/* Hand-worked: the exact design takes 100 pJ; the best saving with a drop
 * <= 0.5 and <= 0 points, on each split. */
static void bl_savings_by_hand(void **state)
{
    (void)state;
    bl_set s = {.n_genes = 1};
    /* The search split counts a design by the upper bound of its drop. */
    const double energy[5] = {80, 60, 90, 50, 95}, drop[5] = {0.3, 0.7, -0.1, NAN, 0.0};
    const double test_drop[5] = {0.6, 0.2, NAN, 0.0, 0.5};
    for (int i = 0; i < 5; i++) {
        int32_t g = i;
        assert_int_equal(bl_set_add(&s, "x", "x", &g), 0);
        memset(&s.res[i], 0, sizeof s.res[i]);
        s.res[i].energy_pj = energy[i];
        s.res[i].drop_ucb = drop[i];
        s.res[i].drop_pp = -5; /* the estimate does not count */
        s.out[i].test_drop = test_drop[i];
    }
    results_savings t = bl_search_savings(&s, 0, 5, 100.0);
    assert_float_equal(t.saved_05, 20.0, 1e-12); /* 80 pJ at 0.3 pp; 60 pJ is at 0.7 */
    assert_float_equal(t.saved_0, 10.0, 1e-12);  /* 90 pJ at -0.1 pp; NaN rows never count */
    t = bl_test_savings(&s, 0, 5, 100.0);
    assert_float_equal(t.saved_05, 50.0, 1e-12); /* 50 pJ at 0.0 pp */
    assert_float_equal(t.saved_0, 50.0, 1e-12);
    t = bl_search_savings(&s, 1, 2, 100.0); /* a range: 60 pJ at 0.7 only */
    assert_float_equal(t.saved_05, 0.0, 0);
    assert_float_equal(t.saved_0, 0.0, 0);
    bl_set_free(&s);
}

/* ---- results ------------------------------------------------------------------- */

/* Points in (energy / exact, drop) against the reference (1, max_drop = 2):
 * (0.5, 1) and (0.75, 0) dominate [0.5,1]x[1,2] and [0.75,1]x[0,2]:
 * 0.5 + 0.5 - 0.25 = 0.75; an infeasible point and a dominated one add
 * nothing. */
static void hypervolume_by_hand(void **state)
{
    (void)state;
    double exact_uj = 1e-6 * fit_exact_energy_pj(E.fit);
    const double objs[8] = {0.5 * exact_uj, 1.0, 0.75 * exact_uj, 0.0, 0.1 * exact_uj, 3.0, 0.8 * exact_uj, 1.5};
    const double viol[4] = {0, 0, 1.0, 0};
    assert_float_equal(results_hypervolume(&E, objs, viol, 4, 2), 0.75, 1e-12);
    assert_float_equal(results_hypervolume(&E, objs, viol, 0, 2), 0.0, 0);
    assert_float_equal(results_saved_pct(&E, 0.25 * 1e6 * exact_uj), 75.0, 1e-9);
    results_savings s = {0, 0, 0};
    results_savings_add(&s, 30, 0.5);
    results_savings_add(&s, 40, 0.51);
    results_savings_add(&s, 10, 0.0);
    results_savings_add(&s, 99, NAN);
    assert_true(s.saved_05 == 30 && s.saved_0 == 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scfg_reads_values_and_defaults),
        cmocka_unit_test(scfg_resolves_relative_paths),
        cmocka_unit_test(scfg_errors_name_file_and_line),
        cmocka_unit_test(run_state_round_trip),
        cmocka_unit_test(scfg_changed_keys_by_hand),
        cmocka_unit_test(run_state_refuses_damage),
        cmocka_unit_test(bl_set_grows_and_keeps_order),
        cmocka_unit_test(bl_random_draws_distinct_and_reproducible),
        cmocka_unit_test(bl_savings_by_hand),
        cmocka_unit_test(hypervolume_by_hand),
    };
    return cmocka_run_group_tests_name("run", tests, group_setup, group_teardown);
}
