/* Dataset folders of any format (fitness/net/dataset.h): Fashion-MNIST
 * written here as NumPy .npy pairs in the three grey-scale layouts gives
 * the same images, labels and splits as the IDX files it came from, and
 * `infer` the same top-1 on either; random colour images written here as
 * CIFAR-10 and CIFAR-100 batches and as .npy pairs in NCHW and NHWC with
 * several label dtypes read back exactly, channels first; a folder of
 * PNG images gives `infer` the IDX files' top-1; missing and
 * malformed folders and files are refused naming the folder or file. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <png.h>

#include "fitness/net/dataset.h"
#include "util/pcg.h"
#include "tests/cli_support.h"

static char dir[] = "/tmp/axsearch-dataset-XXXXXX";

/* The default source of folder d. */
static const ds_source *at(const char *d)
{
    static ds_source s;
    s = (ds_source){.dir = d, .format = DS_AUTO};
    return &s;
}
static idx_dataset train, test; /* the IDX reference: training and test sets */

enum { N_TRAIN = 1200, N_TEST = 200 };

static int setup(void **state)
{
    (void)state;
    ax_err err = {0};
    if (!mkdtemp(dir) || idx_load_split(NULL, IDX_SPLIT_TRAIN, &train, &err) != AX_OK ||
        idx_load_split(NULL, IDX_SPLIT_TEST, &test, &err) != AX_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    idx_dataset_clear(&train);
    idx_dataset_clear(&test);
    return cli_remove_tree(dir);
}

/* A version 1.0 .npy file: header text padded to 64 bytes, then data. */
static void write_npy(const char *path, const char *descr, const char *shape, const void *data, size_t bytes)
{
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
    size_t hlen = (size_t)n + 1;
    hlen += (64 - (10 + hlen) % 64) % 64;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc((int)(hlen & 0xFF), f);
    fputc((int)(hlen >> 8), f);
    fputs(dict, f);
    for (size_t i = (size_t)n; i + 1 < hlen; i++)
        fputc(' ', f);
    fputc('\n', f);
    assert_int_equal(fwrite(data, 1, bytes, f), bytes);
    assert_int_equal(fclose(f), 0);
}

/* Folder sub/ with the first N_TRAIN training and N_TEST test images in
 * one of the layouts (0: [N][H][W], 1: [N][1][H][W], 2: [N][H][W][1]) and
 * int64 labels. Returns the folder. */
static const char *write_folder(const char *sub, int layout)
{
    static char path[PATH_MAX];
    char d[PATH_MAX], cmd[PATH_MAX + 16];
    snprintf(d, sizeof d, "%s/%s", dir, sub);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", d);
    assert_int_equal(system(cmd), 0);
    const idx_dataset *sets[2] = {&train, &test};
    const int counts[2] = {N_TRAIN, N_TEST};
    const char *stems[2] = {"train", "test"};
    for (int s = 0; s < 2; s++) {
        char shape[64], file[PATH_MAX + 32];
        int n = counts[s];
        if (layout == 0)
            snprintf(shape, sizeof shape, "(%d, 28, 28)", n);
        else if (layout == 1)
            snprintf(shape, sizeof shape, "(%d, 1, 28, 28)", n);
        else
            snprintf(shape, sizeof shape, "(%d, 28, 28, 1)", n);
        snprintf(file, sizeof file, "%s/%s_x.npy", d, stems[s]);
        write_npy(file, "|u1", shape, sets[s]->images, (size_t)n * 784);
        int64_t *lab = malloc((size_t)n * sizeof *lab);
        assert_non_null(lab);
        for (int i = 0; i < n; i++)
            lab[i] = sets[s]->labels[i]; /* little-endian host, as the tests run on */
        snprintf(shape, sizeof shape, "(%d,)", n);
        snprintf(file, sizeof file, "%s/%s_y.npy", d, stems[s]);
        write_npy(file, "<i8", shape, lab, (size_t)n * sizeof *lab);
        free(lab);
    }
    snprintf(path, sizeof path, "%s", d);
    return path;
}

/* Split ranges and a forced format on the .npy copy of N_TRAIN training and
 * N_TEST test images. */
static void ranges_and_format(void **state)
{
    (void)state;
    const char *d = write_folder("ranges", 0);
    ds_source src = {.dir = d, .format = DS_AUTO, .search_from = 100, .search_to = 300, .test_from = 10,
                     .test_to = 25};
    ax_err err = {0};
    idx_dataset tr, va, te;
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_VAL, &va, &err), AX_OK);
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_TRAIN, &tr, &err), AX_OK);
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_TEST, &te, &err), AX_OK);
    assert_int_equal(va.first, 100);
    assert_int_equal(va.count, 200);
    assert_memory_equal(va.images, train.images + 100 * 784, 200 * 784);
    assert_memory_equal(va.labels, train.labels + 100, 200 * sizeof *va.labels);
    /* the longer part: after the range (900 images) rather than before (100) */
    assert_int_equal(tr.first, 300);
    assert_int_equal(tr.count, N_TRAIN - 300);
    assert_memory_equal(tr.images, train.images + 300 * 784, (size_t)tr.count * 784);
    assert_int_equal(te.first, 10);
    assert_int_equal(te.count, 15);
    assert_memory_equal(te.labels, test.labels + 10, 15 * sizeof *te.labels);
    idx_dataset_clear(&tr);
    idx_dataset_clear(&va);
    idx_dataset_clear(&te);
    src.search_from = 1000;
    src.search_to = 1200;
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_TRAIN, &tr, &err), AX_OK);
    assert_int_equal(tr.first, 0);
    assert_int_equal(tr.count, 1000);
    idx_dataset_clear(&tr);
    /* ranges past the end, and one that leaves nothing to calibrate */
    src.search_to = 1201;
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_VAL, &va, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "train_x.npy: search_range 1000:1201 reaches past the 1200 images there"));
    src.search_from = 0;
    src.search_to = N_TRAIN;
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_TRAIN, &tr, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "takes every training image"));
    src.search_to = 0;
    src.test_to = N_TEST + 1;
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_TEST, &te, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "test_x.npy: test_range 10:201 reaches past the 200 images there"));
    /* a format given: read as that, whatever else is there */
    ds_source forced = {.dir = d, .format = DS_CIFAR10};
    assert_int_equal(ds_load_split(&forced, IDX_SPLIT_TEST, &te, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "test_batch.bin: cannot open"));
    forced.format = DS_NPY;
    assert_int_equal(ds_load_split(&forced, IDX_SPLIT_TEST, &te, &err), AX_OK);
    idx_dataset_clear(&te);
    /* the text forms */
    int64_t a, b;
    assert_int_equal(ds_parse_range("", &a, &b), 0);
    assert_true(a == 0 && b == 0);
    assert_int_equal(ds_parse_range("55000:60000", &a, &b), 0);
    assert_true(a == 55000 && b == 60000);
    static const char *const bad[] = {"5", "5:", ":5", "5:5", "6:5", "-1:5", "1:5x", "a:b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ds_parse_range(bad[i], &a, &b), -1);
    ds_format f;
    assert_int_equal(ds_format_from_name("cifar100", &f), 0);
    assert_int_equal(f, DS_CIFAR100);
    assert_int_equal(ds_format_from_name("CIFAR", &f), -1);
}

static void npy_folders_equal_idx(void **state)
{
    (void)state;
    static const char *const subs[3] = {"nhw", "nchw", "nhwc"};
    for (int layout = 0; layout < 3; layout++) {
        const char *d = write_folder(subs[layout], layout);
        ds_format f;
        ax_err err = {0};
        assert_int_equal(ds_detect(d, &f, &err), AX_OK);
        assert_int_equal(f, DS_NPY);
        idx_dataset tr, va, te;
        assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TRAIN, &tr, &err), AX_OK);
        assert_int_equal(ds_load_split(at(d), IDX_SPLIT_VAL, &va, &err), AX_OK);
        assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TEST, &te, &err), AX_OK);
        /* the splits of idx.h: the last twelfth of training is the search split */
        assert_int_equal(tr.count, N_TRAIN - N_TRAIN / 12);
        assert_int_equal(va.count, N_TRAIN / 12);
        assert_int_equal(va.first, N_TRAIN - N_TRAIN / 12);
        assert_int_equal(te.count, N_TEST);
        assert_int_equal(tr.rows, 28);
        assert_int_equal(te.cols, 28);
        assert_memory_equal(tr.images, train.images, (size_t)tr.count * 784);
        assert_memory_equal(va.images, train.images + (size_t)va.first * 784, (size_t)va.count * 784);
        assert_memory_equal(va.labels, train.labels + va.first, (size_t)va.count * sizeof *va.labels);
        assert_memory_equal(te.images, test.images, (size_t)N_TEST * 784);
        assert_memory_equal(te.labels, test.labels, N_TEST * sizeof *te.labels);
        idx_dataset_clear(&tr);
        idx_dataset_clear(&va);
        idx_dataset_clear(&te);
        int64_t bytes = 0;
        assert_int_equal(ds_split_file_bytes(at(d), IDX_SPLIT_TEST, 0, &bytes, &err), AX_OK);
        assert_true(bytes > N_TEST * (784 + 8));
    }
}

/* infer on the .npy copy and on the IDX files: the same top-1 (the same
 * first 1,000 calibration images, the same 200 test images). */
static void infer_same_on_both(void **state)
{
    (void)state;
    const char *d = write_folder("infer", 2);
    char args[PATH_MAX + 256];
    snprintf(args, sizeof args, "infer --model models/lenet5_fmnist.onnx --data '%s' --limit 200 --threads 2", d);
    cli_result a = cli_run(args);
    cli_result b = cli_run("infer --model models/lenet5_fmnist.onnx --limit 200 --threads 2");
    assert_int_equal(a.status, 0);
    assert_int_equal(b.status, 0);
    const char *ta = strstr(a.out, "top1="), *tb = strstr(b.out, "top1=");
    assert_non_null(ta);
    assert_non_null(tb);
    print_message("    npy: %.12s, idx: %.12s\n", ta, tb);
    assert_true(strncmp(ta, tb, 12) == 0);
    cli_result_free(&a);
    cli_result_free(&b);
}

/* Random colour data: N_COL images [3][H][W] in CHW order, labels < 10. */
enum { N_COL = 26, COL_TEST = 7 };

typedef struct colour_set {
    int n, h, w;
    uint8_t *chw; /* [n][3][h][w] */
    uint16_t *labels;
} colour_set;

static colour_set colour_make(int n, int h, int w, uint64_t seed)
{
    colour_set c = {n, h, w, malloc((size_t)n * 3 * h * w), malloc((size_t)n * sizeof *c.labels)};
    assert_true(c.chw && c.labels);
    pcg32 rng;
    pcg32_seed(&rng, seed, 7);
    for (size_t i = 0; i < (size_t)n * 3 * h * w; i++)
        c.chw[i] = (uint8_t)pcg32_bounded(&rng, 256);
    for (int i = 0; i < n; i++)
        c.labels[i] = (uint16_t)pcg32_bounded(&rng, 10);
    return c;
}

static void colour_free(colour_set *c)
{
    free(c->chw);
    free(c->labels);
}

/* Records [first, first + n) of c as a CIFAR batch file (label bytes:
 * CIFAR-100 writes coarse = fine / 5, then fine). */
static void write_cifar(const char *path, const colour_set *c, int first, int n, int cifar100)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = first; i < first + n; i++) {
        if (cifar100)
            fputc(c->labels[i] / 5, f);
        fputc(c->labels[i], f);
        assert_int_equal(fwrite(c->chw + (size_t)i * 3072, 1, 3072, f), 3072);
    }
    assert_int_equal(fclose(f), 0);
}

/* The three splits of folder d equal c's training part [0, n_train) (the
 * last twelfth the search split) and the test set t. */
static void expect_splits(const char *d, const colour_set *c, const colour_set *t)
{
    ax_err err = {0};
    idx_dataset tr, va, te;
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TRAIN, &tr, &err), AX_OK);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_VAL, &va, &err), AX_OK);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TEST, &te, &err), AX_OK);
    size_t per = (size_t)3 * c->h * c->w;
    assert_int_equal(tr.channels, 3);
    assert_int_equal(te.channels, 3);
    assert_int_equal(tr.rows, c->h);
    assert_int_equal(tr.cols, c->w);
    assert_int_equal(idx_image_bytes(&tr), (int64_t)per);
    assert_int_equal(tr.count + va.count, c->n);
    assert_int_equal(va.count, c->n / 12);
    assert_memory_equal(tr.images, c->chw, (size_t)tr.count * per);
    assert_memory_equal(tr.labels, c->labels, (size_t)tr.count * sizeof *tr.labels);
    assert_memory_equal(va.images, c->chw + (size_t)va.first * per, (size_t)va.count * per);
    assert_memory_equal(va.labels, c->labels + va.first, (size_t)va.count * sizeof *va.labels);
    assert_int_equal(te.count, t->n);
    assert_memory_equal(te.images, t->chw, (size_t)t->n * per);
    assert_memory_equal(te.labels, t->labels, (size_t)t->n * sizeof *te.labels);
    idx_dataset_clear(&tr);
    idx_dataset_clear(&va);
    idx_dataset_clear(&te);
}

static const char *make_dir(const char *sub)
{
    static char d[PATH_MAX];
    char cmd[PATH_MAX + 16];
    snprintf(d, sizeof d, "%s/%s", dir, sub);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", d);
    assert_int_equal(system(cmd), 0);
    return d;
}

static void cifar_read_back(void **state)
{
    (void)state;
    colour_set c = colour_make(N_COL, 32, 32, 1), t = colour_make(COL_TEST, 32, 32, 2);
    char file[PATH_MAX + 32];
    /* CIFAR-10: three training batches of 10, 10 and 6 records */
    const char *d = make_dir("cifar10");
    for (int b = 0; b < 3; b++) {
        snprintf(file, sizeof file, "%s/data_batch_%d.bin", d, b + 1);
        write_cifar(file, &c, 10 * b, b < 2 ? 10 : N_COL - 20, 0);
    }
    snprintf(file, sizeof file, "%s/test_batch.bin", d);
    write_cifar(file, &t, 0, COL_TEST, 0);
    ds_format f;
    ax_err err = {0};
    assert_int_equal(ds_detect(d, &f, &err), AX_OK);
    assert_int_equal(f, DS_CIFAR10);
    expect_splits(d, &c, &t);
    int64_t bytes = 0;
    assert_int_equal(ds_split_file_bytes(at(d), IDX_SPLIT_TRAIN, 0, &bytes, &err), AX_OK);
    assert_int_equal(bytes, (int64_t)N_COL * 3073);
    /* CIFAR-100: the fine label */
    d = make_dir("cifar100");
    snprintf(file, sizeof file, "%s/train.bin", d);
    write_cifar(file, &c, 0, N_COL, 1);
    snprintf(file, sizeof file, "%s/test.bin", d);
    write_cifar(file, &t, 0, COL_TEST, 1);
    assert_int_equal(ds_detect(d, &f, &err), AX_OK);
    assert_int_equal(f, DS_CIFAR100);
    expect_splits(d, &c, &t);
    colour_free(&c);
    colour_free(&t);
}

/* .npy colour arrays of odd sizes: NCHW as is, NHWC transposed here; labels
 * as uint8, little-endian int32 and big-endian int16. */
static void npy_colour_read_back(void **state)
{
    (void)state;
    colour_set c = colour_make(N_COL, 5, 7, 3), t = colour_make(COL_TEST, 5, 7, 4);
    const colour_set *sets[2] = {&c, &t};
    const char *stems[2] = {"train", "test"};
    static const char *const label_dtype[3] = {"|u1", "<i4", ">i2"};
    for (int layout = 0; layout < 2; layout++)
        for (int ld = 0; ld < 3; ld++) {
            char sub[32];
            snprintf(sub, sizeof sub, "npy-%s-%d", layout ? "nhwc" : "nchw", ld);
            const char *d = make_dir(sub);
            for (int s = 0; s < 2; s++) {
                const colour_set *x = sets[s];
                size_t plane = (size_t)x->h * x->w, bytes = (size_t)x->n * 3 * plane;
                uint8_t *px = malloc(bytes), lab[4 * N_COL];
                assert_non_null(px);
                for (int i = 0; i < x->n; i++)
                    for (int ch = 0; ch < 3; ch++)
                        for (size_t p = 0; p < plane; p++) {
                            uint8_t v = x->chw[((size_t)i * 3 + ch) * plane + p];
                            px[layout ? ((size_t)i * plane + p) * 3 + ch : ((size_t)i * 3 + ch) * plane + p] = v;
                        }
                int width = ld == 0 ? 1 : ld == 1 ? 4 : 2;
                memset(lab, 0, sizeof lab);
                for (int i = 0; i < x->n; i++)
                    lab[i * width + (ld == 2 ? 1 : 0)] = (uint8_t)x->labels[i];
                char file[PATH_MAX + 32], shape[64];
                snprintf(shape, sizeof shape, layout ? "(%d, 5, 7, 3)" : "(%d, 3, 5, 7)", x->n);
                snprintf(file, sizeof file, "%s/%s_x.npy", d, stems[s]);
                write_npy(file, "|u1", shape, px, bytes);
                snprintf(shape, sizeof shape, "(%d,)", x->n);
                snprintf(file, sizeof file, "%s/%s_y.npy", d, stems[s]);
                write_npy(file, label_dtype[ld], shape, lab, (size_t)x->n * width);
                free(px);
            }
            expect_splits(d, &c, &t);
        }
    colour_free(&c);
    colour_free(&t);
}

/* An image folder of the first 200 test images as grey PNGs (class
 * folders 0..9) and 120 training images: `infer --float` with the image
 * size kept (--image-resize 28: no resampling, no crop) gives the same
 * top-1 as on the IDX files' first 200 test images. */
static void image_folder_infer(void **state)
{
    (void)state;
    char d[PATH_MAX], cls[PATH_MAX + 64];
    snprintf(d, sizeof d, "%s/pngs", dir);
    const idx_dataset *sets[2] = {&train, &test};
    const char *names[2] = {"train", "test"};
    const int counts[2] = {120, 200};
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < counts[s]; i++) {
            snprintf(cls, sizeof cls, "%s/%s/%d", d, names[s], sets[s]->labels[i]);
            char mk[PATH_MAX + 96];
            snprintf(mk, sizeof mk, "mkdir -p '%s'", cls);
            assert_int_equal(system(mk), 0);
            char file[PATH_MAX + 96];
            snprintf(file, sizeof file, "%s/img%04d.png", cls, i);
            png_image img;
            memset(&img, 0, sizeof img);
            img.version = PNG_IMAGE_VERSION;
            img.width = 28;
            img.height = 28;
            img.format = PNG_FORMAT_GRAY;
            assert_true(png_image_write_to_file(&img, file, 0, sets[s]->images + (size_t)i * 784, 28, NULL));
        }
    char args[PATH_MAX + 256];
    snprintf(args, sizeof args, "infer --model models/lenet5_fmnist.onnx --data '%s' --image-resize 28 --float", d);
    cli_result a = cli_run(args);
    cli_result b = cli_run("infer --model models/lenet5_fmnist.onnx --limit 200 --float");
    assert_int_equal(a.status, 0);
    assert_int_equal(b.status, 0);
    assert_non_null(strstr(a.out, "test split, 200 images"));
    const char *ta = strstr(a.out, "top1="), *tb = strstr(b.out, "top1=");
    assert_non_null(ta);
    assert_non_null(tb);
    print_message("    PNG folder: %.12s, IDX: %.12s\n", ta, tb);
    assert_true(strncmp(ta, tb, 12) == 0);
    cli_result_free(&a);
    cli_result_free(&b);
}

static void folders_refused(void **state)
{
    (void)state;
    char d[PATH_MAX], cmd[3 * PATH_MAX];
    ax_err err = {0};
    ds_format f;
    idx_dataset x;
    /* an empty folder */
    snprintf(d, sizeof d, "%s/empty", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", d);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(ds_detect(d, &f, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "no dataset found"));
    /* CIFAR: a truncated record; a label out of range; a gap in the batches */
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/cifar' && head -c 3074 /dev/zero > '%s/cifar/test_batch.bin'", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(d, sizeof d, "%s/cifar", dir);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TEST, &x, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "test_batch.bin: 3074 bytes, not a whole number of 3073-byte CIFAR-10"));
    snprintf(cmd, sizeof cmd, "(printf '\\012'; head -c 3072 /dev/zero) > '%s/cifar/test_batch.bin'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TEST, &x, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "test_batch.bin: record 0: label 10, expected 0..9"));
    snprintf(cmd, sizeof cmd, "head -c 3073 /dev/zero > '%s/cifar/data_batch_1.bin' && "
                              "head -c 3073 /dev/zero > '%s/cifar/data_batch_3.bin'", dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TRAIN, &x, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "data_batch_3.bin is there but data_batch_2.bin is missing"));
    /* NumPy: a pair without its labels; labels that do not match; shapes */
    snprintf(d, sizeof d, "%s/colour", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", d);
    assert_int_equal(system(cmd), 0);
    char file[PATH_MAX + 32];
    uint8_t px[2 * 5 * 5 * 5] = {0};
    int64_t lab[3] = {1, 2, 3};
    snprintf(file, sizeof file, "%s/test_x.npy", d);
    write_npy(file, "|u1", "(2, 4, 4)", px, 2 * 16);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TEST, &x, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "test_y.npy: cannot open"));
    char yfile[PATH_MAX + 32];
    snprintf(yfile, sizeof yfile, "%s/test_y.npy", d);
    write_npy(yfile, "<i8", "(3,)", lab, sizeof lab);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TEST, &x, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "3 labels for the 2 images"));
    write_npy(file, "|u1", "(2, 3, 4, 3)", px, 2 * 36);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TEST, &x, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "cannot tell NCHW from NHWC"));
    /* the model's input decides: [N][3][4][3] is NCHW for a 3 x 4 x 3 input,
     * NHWC for a 3 x 3 x 4 one */
    ds_source fitted = {.dir = d, .format = DS_AUTO, .channels = 3, .rows = 4, .cols = 3};
    uint8_t vals[72];
    for (int i = 0; i < 72; i++)
        vals[i] = (uint8_t)i;
    write_npy(file, "|u1", "(2, 3, 4, 3)", vals, 72);
    write_npy(yfile, "<i8", "(2,)", lab, 2 * sizeof *lab);
    assert_int_equal(ds_load_split(&fitted, IDX_SPLIT_TEST, &x, &err), AX_OK);
    assert_true(x.channels == 3 && x.rows == 4 && x.cols == 3);
    assert_memory_equal(x.images, vals, 72);
    idx_dataset_clear(&x);
    fitted.rows = 3;
    fitted.cols = 4;
    assert_int_equal(ds_load_split(&fitted, IDX_SPLIT_TEST, &x, &err), AX_OK);
    assert_true(x.channels == 3 && x.rows == 3 && x.cols == 4);
    assert_int_equal(x.images[1], 3); /* channel 0, pixel 1: element [0][0][1][0] of the NHWC array */
    idx_dataset_clear(&x);
    write_npy(yfile, "<i8", "(3,)", lab, sizeof lab);
    write_npy(file, "|u1", "(2, 5, 5, 5)", px, sizeof px);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TEST, &x, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "no axis holds 1, 3 or 4 channels"));
    write_npy(file, "|u1", "(2, 5)", px, 10);
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TEST, &x, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "not 2-D"));
    /* only a test pair: the training splits are unavailable, by name */
    assert_int_equal(ds_load_split(at(d), IDX_SPLIT_TRAIN, &x, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "train_x.npy: cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(npy_folders_equal_idx),
        cmocka_unit_test(infer_same_on_both),
        cmocka_unit_test(ranges_and_format),
        cmocka_unit_test(cifar_read_back),
        cmocka_unit_test(npy_colour_read_back),
        cmocka_unit_test(image_folder_infer),
        cmocka_unit_test(folders_refused),
    };
    return cmocka_run_group_tests_name("dataset", tests, setup, teardown);
}
