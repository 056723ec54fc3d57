/* The onnx-test and infer commands through the built program ($AXSEARCH):
 * exit statuses (0 pass, 1 mismatch, 2 bad input), messages, the last line
 * of infer, and an end-to-end check of infer on Fashion-MNIST with a
 * nearest-centroid classifier written as an ONNX Gemm, whose accuracy this
 * test also computes directly from the pixels. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "fitness/net/idx.h"
#include "tests/onnx_build.h"

static char tmpdir[256];
static char out_s[65536], err_s[65536];

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/axsearch-cli-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void slurp(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs "$AXSEARCH args", returns the exit status; stdout and stderr in
 * out_s and err_s. */
static int run(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    const char *prog = getenv("AXSEARCH");
    if (!prog)
        prog = "./axsearch";
    char args[2048], cmd[4096], op[400], ep[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(op, sizeof op, "%s/stdout", tmpdir);
    snprintf(ep, sizeof ep, "%s/stderr", tmpdir);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s'", prog, args, op, ep);
    int st = system(cmd);
    slurp(op, out_s, sizeof out_s);
    slurp(ep, err_s, sizeof err_s);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static const char *last_line(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '\n')
        n--;
    const char *p = s + n;
    while (p > s && p[-1] != '\n')
        p--;
    return p;
}

static void write_relu_dir(const char *dir, float perturb, int truncate)
{
    char path[600];
    snprintf(path, sizeof path, "mkdir -p '%s/test_data_set_0'", dir);
    assert_int_equal(system(path), 0);
    const int64_t dims[1] = {4};
    ob_model *m = ob_new(14);
    ob_input(m, "x", 1, dims);
    ob_output(m, "y", 1, dims);
    ob_node_add(m, "Relu", "r", "x", "y");
    size_t len;
    unsigned char *buf = ob_pack(m, &len);
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    assert_int_equal(ob_write_bytes(path, buf, truncate ? len - 3 : len), 0);
    free(buf);
    ob_free(m);
    const float x[4] = {-1, 2, -3, 4};
    float y[4] = {0, 2, 0, 4};
    y[1] += perturb;
    buf = ob_pack_tensor_f("x", 1, dims, x, &len);
    snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", dir);
    assert_int_equal(ob_write_bytes(path, buf, len), 0);
    free(buf);
    buf = ob_pack_tensor_f("y", 1, dims, y, &len);
    snprintf(path, sizeof path, "%s/test_data_set_0/output_0.pb", dir);
    assert_int_equal(ob_write_bytes(path, buf, len), 0);
    free(buf);
}

static void onnx_test_command(void **state)
{
    (void)state;
    assert_int_equal(run("onnx-test /usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding"), 0);
    assert_string_equal(out_s, "pass\n");
    char dir[400];
    snprintf(dir, sizeof dir, "%s/off", tmpdir);
    write_relu_dir(dir, 0.01f, 0);
    assert_int_equal(run("onnx-test '%s'", dir), 1);
    double e = 0;
    assert_int_equal(sscanf(out_s, "FAIL max_abs_err=%lf", &e), 1);
    assert_float_equal(e, 0.01, 1e-6);
    snprintf(dir, sizeof dir, "%s/trunc", tmpdir);
    write_relu_dir(dir, 0.0f, 1);
    assert_int_equal(run("onnx-test '%s'", dir), 2);
    assert_non_null(strstr(err_s, "truncated or corrupted"));
    assert_int_equal(run("onnx-test '%s/none'", tmpdir), 2);
    assert_int_equal(run("onnx-test"), 2);
    /* an excluded folder: refused, naming the node and operator */
    assert_int_equal(run("onnx-test /usr/share/libonnx-testdata/data/node/test_convtranspose"), 2);
    assert_non_null(strstr(err_s, "node 0 '' (ConvTranspose): operator not supported"));
}

/* Nearest class mean, as a linear layer: score_k = mu_k . x - |mu_k|^2 / 2
 * on x = (pixel/255 - mean)/std. */
static void write_centroid_model(const char *path, const idx_dataset *tr, float mean, float std, int classes)
{
    const int P = 784;
    double *mu = calloc((size_t)10 * P, sizeof *mu); /* labels go up to 9 whatever classes is */
    int64_t cnt[10] = {0};
    assert_non_null(mu);
    for (int64_t i = 0; i < tr->count; i++) {
        int k = tr->labels[i];
        cnt[k]++;
        for (int p = 0; p < P; p++)
            mu[k * P + p] += ((double)tr->images[i * P + p] / 255.0 - mean) / std;
    }
    float *w = malloc((size_t)classes * P * sizeof *w), b[10];
    assert_non_null(w);
    for (int k = 0; k < classes; k++) {
        double n2 = 0;
        for (int p = 0; p < P; p++) {
            double v = mu[k * P + p] / (double)(cnt[k] ? cnt[k] : 1);
            w[k * P + p] = (float)v;
            n2 += (double)w[k * P + p] * w[k * P + p];
        }
        b[k] = (float)(-n2 / 2);
    }
    const int64_t xd[4] = {OB_DYN, 1, 28, 28}, wd[2] = {classes, P}, bd[1] = {classes};
    const int64_t yd[2] = {OB_DYN, classes};
    ob_model *m = ob_new(13);
    ob_input(m, "image", 4, xd);
    ob_output(m, "logits", 2, yd);
    ob_init_f(m, "W", 2, wd, w);
    ob_init_f(m, "b", 1, bd, b);
    char ms[32], ss[32];
    snprintf(ms, sizeof ms, "%.9g", mean);
    snprintf(ss, sizeof ss, "%.9g", std);
    ob_meta(m, "axsearch.input_mean", ms);
    ob_meta(m, "axsearch.input_std", ss);
    ob_node_add(m, "Flatten", "flat", "image", "f");
    ob_attr_i(ob_node_add(m, "Gemm", "fc", "f,W,b", "logits"), "transB", 1);
    assert_int_equal(ob_write(m, path), 0);
    ob_free(m);
    free(mu);
    free(w);
}

static void infer_end_to_end(void **state)
{
    (void)state;
    idx_dataset tr, te;
    ax_err err = {0};
    assert_int_equal(idx_load_split(NULL, IDX_SPLIT_TRAIN, &tr, &err), AX_OK);
    assert_int_equal(idx_load_split(NULL, IDX_SPLIT_TEST, &te, &err), AX_OK);
    const float mean = 0.2860f, std = 0.3530f;
    char model[400];
    snprintf(model, sizeof model, "%s/centroid.onnx", tmpdir);
    write_centroid_model(model, &tr, mean, std, 10);
    /* expected: nearest centroid in double, straight from the pixels
     * (ties between classes would be decided differently, so allow 1) */
    const int N = 2000, P = 784;
    int64_t correct = 0;
    {
        double *mu = calloc(10 * (size_t)P, sizeof *mu);
        int64_t cnt[10] = {0};
        assert_non_null(mu);
        for (int64_t i = 0; i < tr.count; i++) {
            cnt[tr.labels[i]]++;
            for (int p = 0; p < P; p++)
                mu[tr.labels[i] * P + p] += ((double)tr.images[i * P + p] / 255.0 - mean) / std;
        }
        for (int k = 0; k < 10; k++)
            for (int p = 0; p < P; p++)
                mu[k * P + p] /= (double)cnt[k];
        for (int i = 0; i < N; i++) {
            int best = 0;
            double bd = 1e300;
            for (int k = 0; k < 10; k++) {
                double d = 0;
                for (int p = 0; p < P; p++) {
                    double v = ((double)te.images[i * P + p] / 255.0 - mean) / std - mu[k * P + p];
                    d += v * v;
                }
                if (d < bd) {
                    bd = d;
                    best = k;
                }
            }
            correct += best == te.labels[i];
        }
        free(mu);
    }
    assert_int_equal(run("infer --model '%s' --split test --limit %d --threads 2 --batch 300 --float", model, N), 0);
    double top1 = -1, secs = -1, gmacs = -1, se = -1;
    long images = -1, flips = -1;
    const char *ll = last_line(out_s);
    assert_int_equal(sscanf(ll, "top1=%lf top1_se=%lf flips=%ld images=%ld seconds=%lf gmac_per_s=%lf", &top1, &se,
                            &flips, &images, &secs, &gmacs),
                     6);
    assert_int_equal(images, N);
    double expected = (double)correct / N;
    printf("  nearest centroid, first %d test images: infer top1=%.4f, direct %.4f\n", N, top1, expected);
    assert_true(top1 >= expected - 1.5 / N && top1 <= expected + 1.5 / N);
    assert_true(expected > 0.5); /* a real classifier, not chance */
    /* The 8-bit emulator on the same images follows the float result. */
    assert_int_equal(run("infer --model '%s' --split test --limit %d --threads 2 --calib 500", model, N), 0);
    double qtop1 = -1;
    assert_int_equal(sscanf(last_line(out_s), "top1=%lf top1_se=%lf flips=%ld images=%ld", &qtop1, &se, &flips,
                            &images),
                     4);
    printf("  the same, 8-bit emulator: top1=%.4f\n", qtop1);
    assert_true(fabs(qtop1 - top1) <= 0.01);
    assert_int_equal(flips, 0);
    /* onnx-info: the graph and its one MAC layer (784 x 10 MACs per image) */
    assert_int_equal(run("onnx-info '%s'", model), 0);
    assert_non_null(strstr(out_s, "layer  0 node   1 Gemm   1 10 784 1 1 1 1"));
    assert_non_null(strstr(out_s, "total 7840 MACs per image in 1 layers"));
    /* bad inputs: exit 2 with a message */
    assert_int_equal(run("infer --model '%s/missing.onnx'", tmpdir), 2);
    assert_non_null(strstr(err_s, "missing.onnx"));
    char bad[400];
    snprintf(bad, sizeof bad, "%s/garbage.onnx", tmpdir);
    assert_int_equal(ob_write_bytes(bad, "\x0a\xff\xff\xff\xff\x0f junk", 12), 0);
    assert_int_equal(run("infer --model '%s'", bad), 2);
    assert_non_null(strstr(err_s, "garbage.onnx: not a valid ONNX model"));
    assert_int_equal(run("onnx-info '%s'", bad), 2);
    assert_non_null(strstr(err_s, "garbage.onnx: not a valid ONNX model"));
    snprintf(bad, sizeof bad, "%s/big.onnx", tmpdir);
    {
        /* wants 32x32 images: GlobalAveragePool -> Flatten -> Gemm [10][1] */
        const int64_t xd[4] = {OB_DYN, 1, 32, 32}, wd[2] = {10, 1};
        const float w[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        ob_model *m = ob_new(13);
        ob_input(m, "x", 4, xd);
        ob_output(m, "y", -1, NULL);
        ob_init_f(m, "W", 2, wd, w);
        ob_node_add(m, "GlobalAveragePool", "gap", "x", "g");
        ob_node_add(m, "Flatten", "flat", "g", "f");
        ob_attr_i(ob_node_add(m, "Gemm", "fc", "f,W", "y"), "transB", 1);
        assert_int_equal(ob_write(m, bad), 0);
        ob_free(m);
    }
    assert_int_equal(run("infer --model '%s' --limit 10", bad), 2);
    assert_non_null(strstr(err_s, "the images are 1 x 28 x 28"));
    snprintf(bad, sizeof bad, "%s/few.onnx", tmpdir);
    write_centroid_model(bad, &tr, 0, 1, 5); /* 5 classes, labels up to 9 */
    assert_int_equal(run("infer --model '%s'", bad), 2);
    assert_non_null(strstr(err_s, "classes"));
    assert_int_equal(run("infer --model '%s' --split nope", model), 2);
    assert_int_equal(run("infer --model '%s' --limit 0", model), 2);
    assert_int_equal(run("infer --model '%s' --data '%s/nodata'", model, tmpdir), 2);
    assert_non_null(strstr(err_s, "t10k-images-idx3-ubyte"));
    /* wrong magic: a label file where the images should be */
    char dd[400], cmd[1200];
    snprintf(dd, sizeof dd, "%s/badmagic", tmpdir);
    assert_int_equal(mkdir(dd, 0755), 0);
    snprintf(cmd, sizeof cmd,
             "cp /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz '%s/t10k-images-idx3-ubyte.gz' && "
             "cp /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz '%s/'",
             dd, dd);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run("infer --model '%s' --data '%s'", model, dd), 2);
    assert_non_null(strstr(err_s, "magic 0x00000801, expected 0x00000803"));
    /* an unsupported operator is named */
    snprintf(bad, sizeof bad, "%s/sigmoid.onnx", tmpdir);
    {
        const int64_t xd[4] = {OB_DYN, 1, 28, 28};
        ob_model *m = ob_new(13);
        ob_input(m, "x", 4, xd);
        ob_output(m, "y", -1, NULL);
        ob_node_add(m, "Sigmoid", "act", "x", "y");
        assert_int_equal(ob_write(m, bad), 0);
        ob_free(m);
    }
    assert_int_equal(run("infer --model '%s'", bad), 2);
    assert_non_null(strstr(err_s, "node 0 'act' (Sigmoid)"));
    idx_dataset_clear(&tr);
    idx_dataset_clear(&te);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(onnx_test_command, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(infer_end_to_end, setup_tmp, teardown_tmp),
    };
    return cmocka_run_group_tests_name("cli_onnx", tests, NULL, NULL);
}
