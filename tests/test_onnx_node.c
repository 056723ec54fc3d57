/* The ONNX backend node tests that Debian's libonnx-testdata installs, run
 * through onnx_import + fexec (fitness/net/nodetest.h). Every folder matching
 * the patterns below must pass, except the explicit exclusions, each with
 * its reason; an excluded folder must still be refused cleanly (AX_EINPUT,
 * a message naming the node), never crash or give wrong numbers. Plus:
 * the comparison itself can fail (a perturbed expected output), and bad
 * folders are input errors. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fitness/net/nodetest.h"
#include "fitness/net/onnx_import.h"
#include "tests/onnx_build.h"

#define DATA "/usr/share/libonnx-testdata/data/"

static const char *const patterns[] = {
    /* required by issue 4 */
    "node/test_conv*", "node/test_gemm*", "node/test_maxpool_2d*", "node/test_averagepool_2d*",
    "node/test_batchnorm*", "node/test_relu", "node/test_add*", "node/test_flatten*", "node/test_reshape*",
    "node/test_globalaveragepool*", "node/test_softmax*", "node/test_concat*",
    "pytorch-converted/test_Conv*", "pytorch-converted/test_BatchNorm*", "pytorch-converted/test_AvgPool*",
    "pytorch-converted/test_MaxPool*",
    /* further cases of the supported operators */
    "pytorch-converted/test_ConstantPad2d", "pytorch-converted/test_ZeroPad2d", "pytorch-converted/test_ReLU",
    "pytorch-converted/test_Linear*", "pytorch-converted/test_Softmax", "pytorch-converted/test_softmax_*",
    "pytorch-operator/test_operator_conv", "pytorch-operator/test_operator_maxpool",
    "pytorch-operator/test_operator_flatten", "pytorch-operator/test_operator_clip",
    "pytorch-operator/test_operator_concat2", "pytorch-operator/test_operator_addmm",
    "pytorch-operator/test_operator_mm", "pytorch-operator/test_operator_view",
};

typedef struct exclusion {
    const char *pattern; /* fnmatch-style via glob below: prefix match with '*' at the end */
    const char *reason;
} exclusion;

static const exclusion exclusions[] = {
    {"node/test_convinteger_*", "ConvInteger: integer operator; the executor computes in float"},
    {"node/test_convtranspose*", "ConvTranspose is not among the supported operators"},
    {"pytorch-converted/test_ConvTranspose2d*", "ConvTranspose is not among the supported operators"},
    {"node/test_maxpool_2d_uint8", "uint8 tensors; the executor computes in float"},
    {"node/test_add_uint8", "uint8 tensors; the executor computes in float"},
    {"node/test_batchnorm_epsilon_training_mode", "training_mode=1 (batch statistics); inference only"},
    {"node/test_batchnorm_example_training_mode", "training_mode=1 (batch statistics); inference only"},
    {"node/test_softmax_*_expanded", "function-expanded Softmax: ReduceMax, Sub, Exp, ReduceSum, Div are not supported operators"},
    {"pytorch-converted/test_AvgPool1d*", "written as Unsqueeze + AveragePool + Squeeze of activations; Squeeze and non-constant Unsqueeze are not supported"},
    {"pytorch-converted/test_AvgPool3d*", "3-D (volumetric) pooling; 1-D and 2-D only"},
    {"pytorch-converted/test_MaxPool3d*", "3-D (volumetric) pooling; 1-D and 2-D only"},
    {"pytorch-converted/test_Conv3d*", "3-D (volumetric) convolution; 1-D and 2-D only"},
};

/* Simple glob match: '*' matches any run of characters. */
static int match(const char *p, const char *s)
{
    if (!*p)
        return !*s;
    if (*p == '*')
        return match(p + 1, s) || (*s && match(p, s + 1));
    return *s == *p && match(p + 1, s + 1);
}

static const exclusion *excluded(const char *rel)
{
    for (size_t i = 0; i < sizeof exclusions / sizeof exclusions[0]; i++)
        if (match(exclusions[i].pattern, rel))
            return &exclusions[i];
    return NULL;
}

static void all_node_tests(void **state)
{
    (void)state;
    int n_pass = 0, n_fail = 0, n_excl = 0, n_bad_excl = 0;
    const size_t nbase = strlen(DATA);
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
        char pat[512];
        snprintf(pat, sizeof pat, DATA "%s", patterns[p]);
        glob_t gl;
        int grc = glob(pat, 0, NULL, &gl);
        if (grc != 0) {
            printf("  MISSING  %s (no folder matches; is libonnx-testdata installed?)\n", patterns[p]);
            n_fail++;
            continue;
        }
        for (size_t i = 0; i < gl.gl_pathc; i++) {
            const char *dir = gl.gl_pathv[i], *rel = dir + nbase;
            nodetest_result res;
            ax_err err = {0};
            int rc = nodetest_run(dir, &res, &err);
            const exclusion *ex = excluded(rel);
            if (ex) {
                if (rc == AX_EINPUT) {
                    printf("  excluded %-58s %s\n", rel, ex->reason);
                    n_excl++;
                } else {
                    printf("  BAD-EXCL %-58s expected a clean refusal, got rc=%d pass=%d\n", rel, rc, res.pass);
                    n_bad_excl++;
                }
                continue;
            }
            if (rc == AX_OK && res.pass && res.n_sets > 0) {
                printf("  pass     %-58s max_abs_err=%.3g sets=%d runs=%d\n", rel, res.max_abs_err, res.n_sets,
                       res.n_runs);
                n_pass++;
            } else {
                printf("  FAIL     %-58s %s\n", rel, rc != AX_OK ? err.msg : res.where);
                n_fail++;
            }
        }
        globfree(&gl);
    }
    printf("  node tests: %d pass, %d fail, %d excluded (%d excluded but not refused cleanly)\n", n_pass, n_fail,
           n_excl, n_bad_excl);
    assert_int_equal(n_fail, 0);
    assert_int_equal(n_bad_excl, 0);
    assert_true(n_pass >= 100);
}

/* ---- the comparison and the error paths, on a copy of test_relu */

static char tmpdir[256];

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/axsearch-nodetest-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A Relu model over [2,3] with one data set; perturb shifts expected[4]. */
static void write_relu_case(const char *dir, float perturb, int truncate_model)
{
    char path[600];
    snprintf(path, sizeof path, "mkdir -p '%s/test_data_set_0'", dir);
    assert_int_equal(system(path), 0);
    const int64_t dims[2] = {2, 3};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 2, dims);
    ob_output(m, "y", 2, dims);
    ob_node_add(m, "Relu", "relu0", "x", "y");
    size_t len;
    unsigned char *buf = ob_pack(m, &len);
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    assert_int_equal(ob_write_bytes(path, buf, truncate_model ? len / 2 : len), 0);
    free(buf);
    ob_free(m);
    const float x[6] = {-1.0f, 2.0f, -3.0f, 4.0f, 0.5f, -0.25f};
    float y[6] = {0.0f, 2.0f, 0.0f, 4.0f, 0.5f, 0.0f};
    y[4] += perturb;
    buf = ob_pack_tensor_f("x", 2, dims, x, &len);
    snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", dir);
    assert_int_equal(ob_write_bytes(path, buf, len), 0);
    free(buf);
    buf = ob_pack_tensor_f("y", 2, dims, y, &len);
    snprintf(path, sizeof path, "%s/test_data_set_0/output_0.pb", dir);
    assert_int_equal(ob_write_bytes(path, buf, len), 0);
    free(buf);
}

static void comparison_can_fail(void **state)
{
    (void)state;
    char dir[400];
    nodetest_result res;
    ax_err err = {0};
    snprintf(dir, sizeof dir, "%s/ok", tmpdir);
    write_relu_case(dir, 0.0f, 0);
    assert_int_equal(nodetest_run(dir, &res, &err), AX_OK);
    assert_true(res.pass);
    assert_true(res.max_abs_err == 0.0);
    /* 1e-3 relative of 0.5 is 5e-4: 1e-3 off must fail, 1e-4 must pass */
    snprintf(dir, sizeof dir, "%s/off", tmpdir);
    write_relu_case(dir, 1e-3f, 0);
    assert_int_equal(nodetest_run(dir, &res, &err), AX_OK);
    assert_false(res.pass);
    assert_true(res.max_abs_err > 9e-4 && res.max_abs_err < 1.1e-3);
    assert_non_null(strstr(res.where, "element 4"));
    snprintf(dir, sizeof dir, "%s/close", tmpdir);
    write_relu_case(dir, 1e-4f, 0);
    assert_int_equal(nodetest_run(dir, &res, &err), AX_OK);
    assert_true(res.pass);
}

static void bad_folders_are_input_errors(void **state)
{
    (void)state;
    char dir[400], path[600];
    nodetest_result res;
    ax_err err = {0};
    /* missing folder */
    snprintf(dir, sizeof dir, "%s/nonexistent", tmpdir);
    assert_int_equal(nodetest_run(dir, &res, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "model.onnx"));
    /* truncated model */
    snprintf(dir, sizeof dir, "%s/trunc", tmpdir);
    write_relu_case(dir, 0.0f, 1);
    assert_int_equal(nodetest_run(dir, &res, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "truncated or corrupted"));
    /* missing input file */
    snprintf(dir, sizeof dir, "%s/noinput", tmpdir);
    write_relu_case(dir, 0.0f, 0);
    snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", dir);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(nodetest_run(dir, &res, &err), AX_EINPUT);
    /* corrupted input tensor */
    snprintf(dir, sizeof dir, "%s/badinput", tmpdir);
    write_relu_case(dir, 0.0f, 0);
    snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", dir);
    assert_int_equal(ob_write_bytes(path, "\xff\xff\xff\xff\x0f", 5), 0);
    assert_int_equal(nodetest_run(dir, &res, &err), AX_EINPUT);
    /* an unsupported operator names the node and the op */
    snprintf(dir, sizeof dir, "%s/unsupported", tmpdir);
    write_relu_case(dir, 0.0f, 0);
    {
        const int64_t dims[2] = {2, 3};
        ob_model *m = ob_new(13);
        ob_input(m, "x", 2, dims);
        ob_output(m, "y", 2, dims);
        ob_node_add(m, "Sigmoid", "sig7", "x", "y");
        snprintf(path, sizeof path, "%s/model.onnx", dir);
        assert_int_equal(ob_write(m, path), 0);
        ob_free(m);
    }
    assert_int_equal(nodetest_run(dir, &res, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "node 0 'sig7' (Sigmoid)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_node_tests),
        cmocka_unit_test_setup_teardown(comparison_can_fail, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(bad_folders_are_input_errors, setup_tmp, teardown_tmp),
    };
    return cmocka_run_group_tests_name("onnx_node", tests, NULL, NULL);
}
