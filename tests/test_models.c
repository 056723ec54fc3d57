/* The shipped models against their references (models/NAME.ref.tsv, written
 * by PyTorch in float32): the float executor reproduces the logits of test
 * images 0-99 within 1e-4, both export forms (constant-folded, and with
 * the shape chain or BatchNormalization kept) give the same logits, the
 * float top-1 meets its target, and the exact 8-bit emulation stays within
 * 0.5 points of float (for the MobileNet-style network, whose depthwise
 * layers are the harder case for per-tensor activation scales, too). The colour LeNet-5 runs on Colour Fashion-MNIST,
 * rebuilt here from the IDX files by the rule of models/colour_fmnist.py
 * (an implementation apart from that script's: PyTorch's logits, computed
 * on the script's files, check both). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fitness/emu/emu.h"
#include "fitness/net/fexec.h"
#include "fitness/net/dataset.h"
#include "fitness/net/onnx_import.h"
#include "fitness/emu/qnet.h"

enum { REF_IMAGES = 100, CLASSES = 10 };

static idx_dataset test_set, train_set;
static idx_dataset ctest_set, ctrain_set; /* Colour Fashion-MNIST */

/* Colour Fashion-MNIST from grey images: padded by 2 to 32 x 32, image i
 * tinted with TINTS[(5 i + 3) % 8], channel c = (p * tint[c] + 127) / 255;
 * i counts from the start of its file (first = the split's offset). */
static int colour_of(const idx_dataset *grey, idx_dataset *out)
{
    static const int tints[8][3] = {{255, 255, 255}, {255, 64, 64}, {64, 255, 64}, {64, 64, 255},
                                    {255, 255, 64}, {255, 64, 255}, {64, 255, 255}, {255, 160, 32}};
    *out = (idx_dataset){.count = grey->count, .channels = 3, .rows = 32, .cols = 32,
                         .images = calloc((size_t)grey->count * 3072, 1),
                         .labels = malloc((size_t)grey->count * sizeof *out->labels),
                         .first = grey->first};
    if (!out->images || !out->labels)
        return -1;
    memcpy(out->labels, grey->labels, (size_t)grey->count * sizeof *out->labels);
    for (int64_t i = 0; i < grey->count; i++) {
        const int *t = tints[(5 * (grey->first + i) + 3) % 8];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) {
                    int p = grey->images[i * 784 + y * 28 + x];
                    out->images[i * 3072 + c * 1024 + (y + 2) * 32 + x + 2] = (uint8_t)((p * t[c] + 127) / 255);
                }
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    ax_err err = {0};
    if (idx_load_split(NULL, IDX_SPLIT_TEST, &test_set, &err) != AX_OK ||
        idx_load_split(NULL, IDX_SPLIT_TRAIN, &train_set, &err) != AX_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return colour_of(&test_set, &ctest_set) || colour_of(&train_set, &ctrain_set) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    idx_dataset_clear(&test_set);
    idx_dataset_clear(&train_set);
    idx_dataset_clear(&ctest_set);
    idx_dataset_clear(&ctrain_set);
    return 0;
}

/* The reference: its test top-1 and logits [100][10]. */
static double read_ref(const char *path, float *logits)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: missing", path);
    char line[4096];
    double top1 = -1;
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') {
            char *p = strstr(line, "test_top1=");
            if (p)
                top1 = atof(p + 10);
            continue;
        }
        char *p = line;
        for (int c = 0; c < CLASSES; c++)
            logits[rows * CLASSES + c] = strtof(p, &p);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, REF_IMAGES);
    return top1;
}

static graph *load(const char *path)
{
    graph *g = NULL;
    ax_err err = {0};
    onnx_import_opts io = {1, 0, NULL};
    if (onnx_import_file(path, &io, &g, &err) != AX_OK)
        fail_msg("%s", err.msg);
    return g;
}

/* Float logits of test images [first, first + n) of d. */
static void float_logits(const graph *g, const idx_dataset *d, int64_t first, int64_t n, float *out)
{
    int64_t per = idx_image_bytes(d);
    float *x = malloc((size_t)(n * per) * sizeof *x);
    graph_input_from_pixels(g, d->images + first * per, n, x);
    const float *in[1] = {x};
    float *o[1] = {out};
    ax_err err = {0};
    assert_int_equal(fexec_run(g, n, in, o, NULL, &err), AX_OK);
    free(x);
}

static double max_diff(const float *a, const float *b, int n)
{
    double d = 0;
    for (int i = 0; i < n; i++)
        d = fmax(d, fabs((double)a[i] - b[i]));
    return d;
}

static double top1_of(const float *logits, const uint16_t *labels, int64_t n)
{
    int64_t correct = 0;
    for (int64_t i = 0; i < n; i++) {
        int best = 0;
        for (int c = 1; c < CLASSES; c++)
            if (logits[i * CLASSES + c] > logits[i * CLASSES + best])
                best = c;
        correct += best == labels[i];
    }
    return (double)correct / (double)n;
}

/* images: how many test images the accuracy checks use (the whole split
 * for LeNet-5; the ResNet's first 2,000 keep the suite fast); variant:
 * the other export form, if there is one; train, test: the data. */
static void check_model(const char *name, const char *variant, double target, int64_t images,
                        const idx_dataset *train, const idx_dataset *test)
{
    char path[256], ref[256];
    snprintf(path, sizeof path, "models/%s.onnx", name);
    snprintf(ref, sizeof ref, "models/%s.ref.tsv", name);
    float want[REF_IMAGES * CLASSES], got[REF_IMAGES * CLASSES], alt[REF_IMAGES * CLASSES];
    double ref_top1 = read_ref(ref, want);
    graph *g = load(path);
    float_logits(g, test, 0, REF_IMAGES, got);
    double d = max_diff(got, want, REF_IMAGES * CLASSES);
    print_message("    %s: float logits of 100 test images within %.2g of PyTorch's\n", name, d);
    assert_true(d < 1e-4);
    /* The other export form of the same weights. */
    if (variant) {
        graph *g2 = load(variant);
        float_logits(g2, test, 0, REF_IMAGES, alt);
        assert_true(max_diff(alt, want, REF_IMAGES * CLASSES) < 1e-4);
        graph_free(g2);
    }

    /* Float and exact 8-bit top-1. */
    float *logits = malloc((size_t)images * CLASSES * sizeof *logits);
    for (int64_t first = 0; first < images; first += 500)
        float_logits(g, test, first, images - first < 500 ? images - first : 500, logits + first * CLASSES);
    double ftop1 = top1_of(logits, test->labels, images);
    if (images == test->count) {
        assert_true(fabs(ftop1 - ref_top1) < 1e-9); /* PyTorch's own figure */
        assert_true(ftop1 >= target);
    }
    qnet *q = NULL;
    ax_err err = {0};
    assert_int_equal(qnet_build(g, train->images, 1000, NULL, &q, &err), AX_OK);
    int64_t correct = 0;
    assert_int_equal(emu_top1(q, test->images, test->labels, images, NULL, &correct, NULL, &err), AX_OK);
    double qtop1 = (double)correct / (double)images;
    print_message("    %s: float top-1 %.4f, exact 8-bit %.4f on %lld test images (reference %.4f)\n", name, ftop1,
                  qtop1, (long long)images, ref_top1);
    assert_true(fabs(qtop1 - ftop1) <= 0.005);
    free(logits);
    qnet_free(q);
    graph_free(g);
}

static void lenet5(void **state)
{
    (void)state;
    check_model("lenet5_fmnist", "models/test/lenet5_fmnist_nofold.onnx", 0.895, test_set.count, &train_set,
                &test_set);
}

static void resnet14(void **state)
{
    (void)state;
    check_model("resnet14_fmnist", "models/test/resnet14_fmnist_bn.onnx", 0.92, 2000, &train_set, &test_set);
}

static void mobilenet(void **state)
{
    (void)state;
    check_model("mobilenet_fmnist", NULL, 0.88, test_set.count, &train_set, &test_set);
}

static void lenet5_colour(void **state)
{
    (void)state;
    check_model("lenet5_cfmnist", NULL, 0.88, ctest_set.count, &ctrain_set, &ctest_set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lenet5),
        cmocka_unit_test(resnet14),
        cmocka_unit_test(mobilenet),
        cmocka_unit_test(lenet5_colour),
    };
    return cmocka_run_group_tests_name("models", tests, setup, teardown);
}
