/* The 8-bit emulator against a plain int8 reference written independently
 * here (direct convolution loops over codes, sum (a - z_a)(w - z_w)), with
 * the exact and with an approximate product table; the kernels against each
 * other; and invariance to threads and block size. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitness/emu/emu.h"
#include "fitness/net/fexec.h"
#include "fitness/mc.h"
#include "fitness/emu/kern.h"
#include "fitness/net/onnx_import.h"
#include "fitness/emu/qnet.h"
#include "tests/emu_ref.h"
#include "tests/onnx_build.h"
#include "util/pcg.h"

static void kernels_agree(void **state)
{
    (void)state;
    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 20, 0, 0, 0);
    uint16_t *T = malloc(65536 * sizeof *T);
    for (int w = 0; w < 256; w++)
        for (int a = 0; a < 256; a++)
            T[w * 256 + a] = (uint16_t)(a * w);
    for (int trial = 0; trial < 20; trial++) {
        int M = 1 + (int)pcg32_bounded(&rng, 17), K = 1 + (int)pcg32_bounded(&rng, 70);
        int NP = 1 + (int)pcg32_bounded(&rng, 130);
        uint8_t *W = malloc((size_t)M * K), *A = malloc((size_t)K * NP);
        int32_t *x = malloc((size_t)M * NP * sizeof *x), *y = malloc((size_t)M * NP * sizeof *y);
        for (int i = 0; i < M * K; i++)
            W[i] = (uint8_t)pcg32_next(&rng);
        for (int i = 0; i < K * NP; i++)
            A[i] = (uint8_t)pcg32_next(&rng);
        kern_exact_scalar(W, A, M, K, NP, x);
        kern_table_scalar(T, W, A, M, K, NP, y);
        assert_memory_equal(x, y, (size_t)M * NP * sizeof *x);
        /* One hand-checked entry. */
        int32_t s = 0;
        for (int k = 0; k < K; k++)
            s += W[(M - 1) * K + k] * A[k * NP + NP - 1];
        assert_int_equal(x[(M - 1) * NP + NP - 1], s);
        free(W);
        free(A);
        free(x);
        free(y);
    }
    free(T);
}

static void emulator_matches_reference(void **state)
{
    (void)state;
    static const emu_ref_case cases[] = {
        {1, 1, 1, 1, 6, 3}, /* plain */
        {2, 1, 1, 1, 5, 3}, /* stride 2 */
        {1, 2, 2, 1, 4, 3}, /* dilation 2 */
        {1, 0, 1, 2, 6, 3}, /* groups, no padding */
        {2, 1, 1, 4, 4, 3}, /* depthwise, stride 2 */
        {1, 0, 1, 1, 3, 1}, /* 1x1 */
    };
    /* An approximate table: drop the lowest bit of every product and add a
     * little bias where a is odd (asymmetric, not zero-safe). */
    uint16_t *approx = malloc(65536 * sizeof *approx);
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            approx[a * 256 + w] = (uint16_t)(((a * w) & ~1) + (a & 1) * 3);
    pcg32 rng = pcg32_derive4(3, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    enum { CALIB = 64, N = 37 };
    uint8_t *calib = malloc(CALIB * 100), *px = malloc(N * 100);
    for (int i = 0; i < CALIB * 100; i++)
        calib[i] = (uint8_t)pcg32_next(&rng);
    for (int i = 0; i < N * 100; i++)
        px[i] = (uint8_t)pcg32_next(&rng);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int hw;
        graph *g = emu_ref_net(&cases[c], &hw);
        assert_non_null(g);
        qnet *q = NULL;
        ax_err err = {0};
        qnet_options qo = {1};
        if (qnet_build(g, calib, CALIB, &qo, &q, &err) != AX_OK)
            fail_msg("case %zu: %s", c, err.msg);
        emu_table *ta = emu_table_create(approx, &err);
        assert_false(emu_table_is_exact(ta));
        for (int variant = 0; variant < 2; variant++) {
            const emu_table *tables[3] = {variant ? ta : NULL, variant ? ta : NULL, variant ? ta : NULL};
            emu_options eo = {.tables = tables, .threads = 1, .block = 5};
            float got[N * 5], want[5];
            assert_int_equal(emu_run(q, px, N, &eo, got, NULL, &err), AX_OK);
            for (int i = 0; i < N; i++) {
                emu_ref_scores(q, px + i * 100, variant ? approx : NULL, NULL, NULL, NULL, want);
                if (memcmp(got + i * 5, want, sizeof want) != 0)
                    fail_msg("case %zu variant %d image %d: %g vs %g", c, variant, i,
                             (double)got[i * 5], (double)want[0]);
            }
        }
        emu_table_free(ta);
        qnet_free(q);
        graph_free(g);
    }
    free(approx);
    free(calib);
    free(px);
}

static void exact_table_equals_int8_path(void **state)
{
    (void)state;
    /* The exact product table given explicitly takes the same result as no
     * table (plain int8 path). */
    uint16_t *exact = malloc(65536 * sizeof *exact);
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            exact[a * 256 + w] = (uint16_t)(a * w);
    ax_err err = {0};
    emu_table *t = emu_table_create(exact, &err);
    assert_true(emu_table_is_exact(t));
    emu_ref_case cc = {1, 1, 1, 1, 6, 3};
    int hw;
    graph *g = emu_ref_net(&cc, &hw);
    assert_non_null(g);
    pcg32 rng = pcg32_derive4(4, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    uint8_t px[20 * 100];
    qnet *q = emu_ref_build_on_noise(g, &rng, px, 20);
    assert_non_null(q);
    const emu_table *tables[3] = {t, t, t};
    emu_options with = {.tables = tables, .threads = 1}, without = {.threads = 1};
    float a[100], b[100];
    assert_int_equal(emu_run(q, px, 20, &with, a, NULL, &err), AX_OK);
    assert_int_equal(emu_run(q, px, 20, &without, b, NULL, &err), AX_OK);
    assert_memory_equal(a, b, sizeof a);
    emu_table_free(t);
    qnet_free(q);
    graph_free(g);
    free(exact);
}

static void threads_and_blocks_do_not_matter(void **state)
{
    (void)state;
    emu_ref_case cc = {2, 1, 1, 2, 6, 3};
    int hw;
    graph *g = emu_ref_net(&cc, &hw);
    assert_non_null(g);
    pcg32 rng = pcg32_derive4(5, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    enum { N = 101 };
    uint8_t *px = malloc(N * 100);
    qnet *q = emu_ref_build_on_noise(g, &rng, px, N);
    assert_non_null(q);
    ax_err err = {0};
    float ref[N * 5], got[N * 5];
    emu_options base = {.tables = NULL, .threads = 1, .block = 1};
    assert_int_equal(emu_run(q, px, N, &base, ref, NULL, &err), AX_OK);
    const int threads[] = {1, 2, 2, 3}, blocks[] = {16, 1, 7, 64};
    for (int i = 0; i < 4; i++) {
        emu_options o = {.tables = NULL, .threads = threads[i], .block = blocks[i]};
        assert_int_equal(emu_run(q, px, N, &o, got, NULL, &err), AX_OK);
        assert_memory_equal(ref, got, sizeof ref);
    }
    /* One image alone gets the same scores as inside a batch. */
    assert_int_equal(emu_run(q, px + 50 * 100, 1, &base, got, NULL, &err), AX_OK);
    assert_memory_equal(ref + 50 * 5, got, 5 * sizeof *got);
    free(px);
    qnet_free(q);
    graph_free(g);
}

/* Pools, a residual Add with a fused ReLU, a standalone ReLU, average pools
 * (with and without counting padding) and a global average: the 8-bit
 * scores must follow the float executor's within quantization noise. */
static graph *pool_add_net(void)
{
    pcg32 rng = pcg32_derive4(6, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    ob_model *m = ob_new(13);
    const int64_t xin[4] = {OB_DYN, 1, 12, 12};
    ob_input(m, "x", 4, xin);
    float w1[8 * 9], b1[8], w2[8 * 8 * 9], b2[8], w3[4 * 8], b3[4];
    for (int i = 0; i < 72; i++)
        w1[i] = (float)(pcg32_double(&rng) - 0.45);
    for (int i = 0; i < 576; i++)
        w2[i] = (float)(0.3 * (pcg32_double(&rng) - 0.5));
    for (int i = 0; i < 32; i++)
        w3[i] = (float)(pcg32_double(&rng) - 0.5);
    for (int i = 0; i < 8; i++)
        b1[i] = b2[i] = (float)(0.1 * (pcg32_double(&rng) - 0.5));
    for (int i = 0; i < 4; i++)
        b3[i] = 0.0f;
    const int64_t w1d[4] = {8, 1, 3, 3}, w2d[4] = {8, 8, 3, 3}, bd[1] = {8}, w3d[2] = {4, 8}, b3d[1] = {4};
    ob_init_f(m, "w1", 4, w1d, w1);
    ob_init_f(m, "b1", 1, bd, b1);
    ob_init_f(m, "w2", 4, w2d, w2);
    ob_init_f(m, "b2", 1, bd, b2);
    ob_init_f(m, "w3", 2, w3d, w3);
    ob_init_f(m, "b3", 1, b3d, b3);
    const int64_t pads1[4] = {1, 1, 1, 1}, k2[2] = {2, 2}, s2[2] = {2, 2}, k3[2] = {3, 3};
    ob_node *n = ob_node_add(m, "Conv", "c1", "x,w1,b1", "h1");
    ob_attr_ints(n, "pads", 4, pads1);
    ob_node_add(m, "Relu", "r1", "h1", "a1");
    n = ob_node_add(m, "MaxPool", "mp", "a1", "p1");
    ob_attr_ints(n, "kernel_shape", 2, k2);
    ob_attr_ints(n, "strides", 2, s2);
    n = ob_node_add(m, "Conv", "c2", "p1,w2,b2", "h2");
    ob_attr_ints(n, "pads", 4, pads1);
    ob_node_add(m, "Add", "add", "h2,p1", "s");
    ob_node_add(m, "Relu", "r2", "s", "a2");
    n = ob_node_add(m, "AveragePool", "ap", "a2", "p2");
    ob_attr_ints(n, "kernel_shape", 2, k3);
    ob_attr_ints(n, "pads", 4, pads1);
    ob_attr_ints(n, "strides", 2, s2);
    ob_attr_i(n, "count_include_pad", 1);
    n = ob_node_add(m, "AveragePool", "ap2", "p2", "p3");
    ob_attr_ints(n, "kernel_shape", 2, k2);
    ob_attr_ints(n, "pads", 4, pads1);
    ob_node_add(m, "GlobalAveragePool", "gap", "p3", "g");
    ob_node_add(m, "Flatten", "fl", "g", "f");
    n = ob_node_add(m, "Gemm", "fc", "f,w3,b3", "y");
    ob_attr_i(n, "transB", 1);
    const int64_t yd[2] = {OB_DYN, 4};
    ob_output(m, "y", 2, yd);
    ax_err err = {0};
    graph *g = ob_import(m, "pool_add_net", &err);
    if (!g)
        fail_msg("import: %s", err.msg);
    ob_free(m);
    return g;
}

static void quantized_follows_float(void **state)
{
    (void)state;
    graph *g = pool_add_net();
    pcg32 rng = pcg32_derive4(7, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    enum { N = 200 };
    uint8_t *px = malloc(N * 144);
    float *x = malloc(N * 144 * sizeof *x), yf[N * 4], yq[N * 4];
    /* Smooth images (sums of two gradients) rather than noise. */
    for (int i = 0; i < N; i++) {
        double a = pcg32_double(&rng), b = pcg32_double(&rng), c = pcg32_double(&rng);
        for (int p = 0; p < 144; p++) {
            double v = 127.5 * (1 + sin(a * 6 * (p / 12) / 12.0 + b * 6 * (p % 12) / 12.0 + 6 * c));
            px[i * 144 + p] = (uint8_t)v;
            x[i * 144 + p] = (float)(px[i * 144 + p] / 255.0);
        }
    }
    ax_err err = {0};
    qnet *q = NULL;
    assert_int_equal(qnet_build(g, px, N, NULL, &q, &err), AX_OK);
    assert_int_equal(qnet_n_layers(q), 3);
    const float *in[1] = {x};
    float *out[1] = {yf};
    assert_int_equal(fexec_run(g, N, in, out, NULL, &err), AX_OK);
    assert_int_equal(emu_run(q, px, N, NULL, yq, NULL, &err), AX_OK);
    double range = 0, worst = 0;
    int agree = 0;
    for (int i = 0; i < N; i++) {
        int bf = 0, bq = 0;
        for (int c = 0; c < 4; c++) {
            range = fmax(range, fabs(yf[i * 4 + c]));
            worst = fmax(worst, fabs(yf[i * 4 + c] - yq[i * 4 + c]));
            bf = yf[i * 4 + c] > yf[i * 4 + bf] ? c : bf;
            bq = yq[i * 4 + c] > yq[i * 4 + bq] ? c : bq;
        }
        agree += bf == bq;
    }
    print_message("    worst score error %.4f of range %.4f; arg max agrees on %d of %d\n", worst, range,
                  agree, N);
    assert_true(worst < 0.05 * range);
    assert_true(agree >= N * 9 / 10);
    qnet_free(q);
    graph_free(g);
    free(px);
    free(x);
}

/* Fault injection: reproducible, thread-independent, common to every
 * chromosome, and nothing at all when the rates are zero. */
static void faults_are_reproducible_and_common(void **state)
{
    (void)state;
    emu_ref_case cc = {1, 1, 1, 1, 6, 3};
    int hw;
    graph *g = emu_ref_net(&cc, &hw);
    assert_non_null(g);
    pcg32 rng = pcg32_derive4(8, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    enum { N = 60 };
    uint8_t px[N * 100];
    uint16_t labels[N];
    qnet *q = emu_ref_build_on_noise(g, &rng, px, N);
    assert_non_null(q);
    for (int i = 0; i < N; i++)
        labels[i] = (uint8_t)pcg32_bounded(&rng, 5);
    ax_err err = {0};
    emu_flip_spec spec = {2, {{0x0F, 0.01}, {0xFF, 0.002}, {0, 0}}}, none = {1, {{0xFF, 0.0}, {0, 0}, {0, 0}}};
    emu_flip_spec w[3] = {spec, spec, spec}, z[3] = {none, none, none};
    emu_faults f = {42, 3, w, w, w};
    float a[N * 5], b[N * 5], clean[N * 5];
    emu_stats sa, sb;
    emu_options o1 = {.threads = 1, .block = 7, .faults = &f, .first_image = 1000};
    emu_options o2 = {.threads = 2, .block = 16, .faults = &f, .first_image = 1000};
    assert_int_equal(emu_run(q, px, N, &o1, a, &sa, &err), AX_OK);
    assert_int_equal(emu_run(q, px, N, &o2, b, &sb, &err), AX_OK);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(sa.flips, sb.flips);
    /* The faults change the scores, and the counts follow the rates. */
    emu_options plain = {.threads = 1};
    assert_int_equal(emu_run(q, px, N, &plain, clean, NULL, &err), AX_OK);
    assert_true(memcmp(a, clean, sizeof a) != 0);
    double e = emu_expected_flips(q, &f, N);
    assert_true(fabs((double)sa.flips - e) < 5 * sqrt(e));
    /* Another chromosome (an approximate table everywhere) meets the same
     * flips: the draws do not depend on the data or the tables. */
    uint16_t *lut = malloc(65536 * sizeof *lut);
    for (int i = 0; i < 65536; i++)
        lut[i] = (uint16_t)(((i >> 8) * (i & 255)) & ~3);
    emu_table *t = emu_table_create(lut, &err);
    const emu_table *tables[3] = {t, NULL, t};
    emu_options o3 = {.tables = tables, .threads = 2, .faults = &f, .first_image = 1000};
    emu_stats sc;
    assert_int_equal(emu_run(q, px, N, &o3, b, &sc, &err), AX_OK);
    assert_int_equal(sc.flips, sa.flips);
    /* Image 1000 + i draws the same flips wherever it sits in the batch. */
    emu_options o4 = {.threads = 1, .faults = &f, .first_image = 1010};
    assert_int_equal(emu_run(q, px + 10 * 100, 5, &o4, b, NULL, &err), AX_OK);
    assert_memory_equal(b, a + 10 * 5, 5 * 5 * sizeof *b);
    /* Zero rates: one run, equal to the fault-free result bit for bit. */
    mc_data md = {px, labels, N, 0};
    mc_result r;
    mc_options mz = {.weights = z, .inputs = z, .outputs = z, .reps = 10, .seed = 1, .threads = 1};
    assert_int_equal(mc_accuracy(q, &md, &mz, &r, &err), AX_OK);
    assert_int_equal(r.reps, 1);
    assert_int_equal(r.flips, 0);
    emu_options oz = {.threads = 1, .faults = &(emu_faults){1, 0, z, z, z}};
    assert_int_equal(emu_run(q, px, N, &oz, b, &sb, &err), AX_OK);
    assert_memory_equal(b, clean, sizeof b);
    int64_t correct = 0;
    assert_int_equal(emu_top1(q, px, labels, N, &plain, &correct, NULL, &err), AX_OK);
    assert_true(r.top1 == (double)correct / N);
    /* With rates, repetitions spread; the mean and its error are finite. */
    mc_options mw = {.weights = w, .inputs = w, .outputs = w, .reps = 4, .seed = 1, .threads = 2};
    assert_int_equal(mc_accuracy(q, &md, &mw, &r, &err), AX_OK);
    assert_int_equal(r.reps, 4);
    assert_true(r.flips > 0 && r.top1_se >= 0);
    /* Stages (racing, fitness/race.h): images [0, 7) then [7, N) give the
     * same answers per image and the same flips as one run, the weight
     * fault maps counted once. */
    uint8_t whole[N], staged[N];
    mc_result rs;
    mw.correct = whole;
    assert_int_equal(mc_accuracy(q, &md, &mw, &r, &err), AX_OK);
    mc_data first = {px, labels, 7, 0}, rest = {px + 7 * 100, labels + 7, N - 7, 7};
    mw.correct = staged;
    assert_int_equal(mc_accuracy(q, &first, &mw, &rs, &err), AX_OK);
    uint64_t flips = rs.flips;
    mw.correct = staged + 7;
    mw.weight_flips_counted = 1;
    assert_int_equal(mc_accuracy(q, &rest, &mw, &rs, &err), AX_OK);
    assert_memory_equal(staged, whole, N);
    assert_int_equal(flips + rs.flips, r.flips);
    emu_table_free(t);
    free(lut);
    qnet_free(q);
    graph_free(g);
}

/* Prefix reuse: chromosomes sharing their first layers' tables (and fault
 * draws) start from the cached activations, with results and flip counts
 * identical to a run without the cache. */
static void prefix_cache_changes_nothing(void **state)
{
    (void)state;
    emu_ref_case cc = {1, 1, 1, 1, 6, 3};
    int hw;
    graph *g = emu_ref_net(&cc, &hw);
    assert_non_null(g);
    pcg32 rng = pcg32_derive4(9, PCG_PURPOSE_TEST, 0, 0, 0, 0);
    enum { N = 50 };
    uint8_t px[N * 100];
    qnet *q = emu_ref_build_on_noise(g, &rng, px, N);
    assert_non_null(q);
    ax_err err = {0};
    uint16_t *lut = malloc(65536 * sizeof *lut);
    for (int i = 0; i < 65536; i++)
        lut[i] = (uint16_t)(((i >> 8) * (i & 255)) | 1);
    emu_table *t = emu_table_create(lut, &err);
    pcache *cache = pcache_create(64 << 20, &err);
    emu_flip_spec spec = {1, {{0xFF, 0.003}, {0, 0}, {0, 0}}};
    emu_flip_spec w[3] = {spec, spec, spec};
    const emu_table *sets[5][3] = {{NULL, NULL, NULL}, {NULL, NULL, t}, {NULL, t, t}, {NULL, NULL, t}, {t, t, t}};
    double skipped = 0;
    for (int faulty = 0; faulty < 2; faulty++)
        for (int rep = 0; rep < 2; rep++)
            for (int k = 0; k < 5; k++) {
                emu_faults f = {7, (uint64_t)rep, w, w, w};
                float a[N * 5], b[N * 5];
                emu_stats sa, sb;
                emu_options plain = {.tables = sets[k], .threads = 2, .block = 8, .faults = faulty ? &f : NULL};
                emu_options cached = plain;
                cached.cache = cache;
                assert_int_equal(emu_run(q, px, N, &plain, a, &sa, &err), AX_OK);
                assert_int_equal(emu_run(q, px, N, &cached, b, &sb, &err), AX_OK);
                assert_memory_equal(a, b, sizeof a);
                assert_int_equal(sa.flips, sb.flips);
                assert_true(sb.macs == sa.macs && sa.macs_skipped == 0);
                skipped += sb.macs_skipped;
            }
    /* Sets 1 and 3 are equal and share their first two layers with set 0;
     * set 2 shares one: a good part of the work was reused. */
    pcache_stats st = pcache_get_stats(cache);
    print_message("    prefix cache: %llu hits of %llu lookups, %.0f MACs skipped\n",
                  (unsigned long long)st.hits, (unsigned long long)st.lookups, skipped);
    assert_true(st.hits > 0 && skipped > 0);
    pcache_free(cache);
    emu_table_free(t);
    free(lut);
    qnet_free(q);
    graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kernels_agree),
        cmocka_unit_test(emulator_matches_reference),
        cmocka_unit_test(exact_table_equals_int8_path),
        cmocka_unit_test(threads_and_blocks_do_not_matter),
        cmocka_unit_test(quantized_follows_float),
        cmocka_unit_test(faults_are_reproducible_and_common),
        cmocka_unit_test(prefix_cache_changes_nothing),
    };
    return cmocka_run_group_tests_name("emu", tests, NULL, NULL);
}
