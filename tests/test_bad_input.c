/* The bad-input suite: each way a user's file or command line can be
 * wrong that axsearch knows of, run through the program ($AXSEARCH) as a
 * user would, one row of a table per case. Every row must end the same
 * way: exit status 2 within 10 s, a message on stderr naming the file (or
 * folder, or option) and saying what is wrong, and nothing left behind:
 * no output folder or file, and every file of the case's folder (run
 * folders, figures, checkpoints) byte for byte as it was.
 *
 * The detail of each reader (every ONNX oddity, every checkpoint field,
 * every chip key) is tested in the module's own suite; this one holds the
 * program's answer. Uses models/lenet5_fmnist.onnx and Debian's
 * Fashion-MNIST. */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fitness/net/idx.h"
#include "onnx/onnx.pb-c.h"
#include "tests/cli_support.h"
#include "tests/onnx_build.h"
#include "util/hash.h"

static char tmpdir[] = "/tmp/axsearch-test-bad-XXXXXX";
static char model[PATH_MAX];
static char base_run[PATH_MAX]; /* a finished tiny search with baselines */

/* ---- writing the bad files ---------------------------------------- */

static void put(const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void put(const char *dir, const char *name, const char *fmt, ...)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    assert_int_equal(fclose(f), 0);
}

static void sh(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[4 * PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("setup command failed: %s", cmd);
}

/* Writes n images (28 x 28) and labels 0..9 as plain IDX files named
 * stem-images-idx3-ubyte and stem-labels-idx1-ubyte in dir. */
static void write_small_idx(const char *dir, const char *stem, int n)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, stem);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    const unsigned char head[] = {0, 0, 8, 3, 0, 0, (unsigned char)(n >> 8), (unsigned char)n, 0, 0, 0, 28, 0, 0, 0, 28};
    fwrite(head, 1, sizeof head, f);
    for (int i = 0; i < n * 28 * 28; i++)
        fputc(i % 251, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", dir, stem);
    f = fopen(path, "wb");
    assert_non_null(f);
    const unsigned char lhead[] = {0, 0, 8, 1, 0, 0, (unsigned char)(n >> 8), (unsigned char)n};
    fwrite(lhead, 1, sizeof lhead, f);
    for (int i = 0; i < n; i++)
        fputc(i % 10, f);
    fclose(f);
}

static void copy_run(const char *d)
{
    sh("cp -r '%s' '%s/run'", base_run, d);
}

/* The test split holds 100 images; the search asks for 200. */
static void few_test_images(const char *d)
{
    char data[PATH_MAX];
    snprintf(data, sizeof data, "%s/data", d);
    assert_int_equal(mkdir(data, 0755), 0);
    sh("ln -s %s/train-images-idx3-ubyte.gz %s/train-labels-idx1-ubyte.gz '%s'/", IDX_DEFAULT_DIR,
       IDX_DEFAULT_DIR, data);
    write_small_idx(data, "t10k", 100);
    put(d, "bad.ini",
        "[model]\nonnx = %s\ndata = %s\ncalib_images = 200\nval_images = 40\nconfirm_images = 40\n"
        "test_images = 200\n[search]\npopulation = 4\ngenerations = 1\n",
        model, data);
}

static void few_train_images(const char *d)
{
    char data[PATH_MAX];
    snprintf(data, sizeof data, "%s/data", d);
    assert_int_equal(mkdir(data, 0755), 0);
    write_small_idx(data, "train", 100);
    write_small_idx(data, "t10k", 100);
}

/* An IDX file whose magic says 4 dimensions of 32-bit floats. */
/* An image folder whose test image is text named .png; a CIFAR test
 * batch cut inside its second record; a colour .npy whose layout cannot
 * be told. */
static void undecodable_image(const char *d)
{
    sh("mkdir -p '%s/imgs/train/a' '%s/imgs/test/a' && cp tests/imgdir/a.png '%s/imgs/train/a/'", d, d, d);
    put(d, "imgs/test/a/x.png", "not an image\n");
}

static void cut_cifar_batch(const char *d)
{
    sh("mkdir -p '%s/cifar' && head -c 5000 /dev/zero > '%s/cifar/test_batch.bin'", d, d);
}

static void bad_idx_magic(const char *d)
{
    few_train_images(d);
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/data/t10k-images-idx3-ubyte", d);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    const unsigned char magic[4] = {0, 0, 0x0d, 4};
    fwrite(magic, 1, 4, f);
    fclose(f);
}

/* Writes LeNet-5 as d/name with weight 1 of its first initializer set to
 * value. */
static void lenet_with_weight(const char *d, const char *name, float value)
{
    FILE *f = fopen(model, "rb");
    assert_non_null(f);
    static unsigned char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, n, buf);
    assert_non_null(m);
    assert_true(m->graph->n_initializer > 0);
    Onnx__TensorProto *t = m->graph->initializer[0];
    if (t->raw_data.len >= 8)
        memcpy(t->raw_data.data + 4, &value, 4);
    else
        t->float_data[1] = value;
    size_t len = onnx__model_proto__get_packed_size(m);
    unsigned char *out = malloc(len);
    onnx__model_proto__pack(m, out);
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", d, name);
    assert_int_equal(ob_write_bytes(path, out, len), 0);
    free(out);
    onnx__model_proto__free_unpacked(m, NULL);
}

static void nan_weight_model(const char *d)
{
    lenet_with_weight(d, "nan.onnx", NAN);
}

/* A search over d/m.onnx (a copy of LeNet-5), then one weight of the
 * model changed under the same name. */
static void model_replaced(const char *d)
{
    sh("cp '%s' '%s/m.onnx'", model, d);
    put(d, "c.ini", "[model]\nonnx = m.onnx\ncalib_images = 200\nval_images = 40\nconfirm_images = 40\n"
                    "test_images = 40\n[search]\npopulation = 4\ngenerations = 1\nbaselines = no\n");
    char args[3 * PATH_MAX];
    snprintf(args, sizeof args, "search '%s/c.ini' --out '%s/run'", d, d);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 0);
    cli_result_free(&r);
    lenet_with_weight(d, "m.onnx", 0.125f);
}

static void negative_variance_model(const char *d)
{
    const int64_t xd[4] = {OB_DYN, 2, 1, 1}, cd[1] = {2};
    const float sc[2] = {1, 1}, shift[2] = {0, 0}, mean[2] = {0, 0}, var[2] = {1, -2};
    ob_model *m = ob_new(15);
    ob_input(m, "x", 4, xd);
    ob_output(m, "y", 4, xd);
    ob_init_f(m, "s", 1, cd, sc);
    ob_init_f(m, "sh", 1, cd, shift);
    ob_init_f(m, "mean", 1, cd, mean);
    ob_init_f(m, "var", 1, cd, var);
    ob_node_add(m, "BatchNormalization", "bn", "x,s,sh,mean,var", "y");
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/bn.onnx", d);
    assert_int_equal(ob_write(m, path), 0);
    ob_free(m);
}

static void clip_min_above_max_model(const char *d)
{
    const int64_t x2[2] = {OB_DYN, 4}, one[1] = {1};
    const float lo[1] = {2}, hi[1] = {1};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 2, x2);
    ob_output(m, "y", -1, NULL);
    ob_init_f(m, "lo", 0, one, lo);
    ob_init_f(m, "hi", 0, one, hi);
    ob_node_add(m, "Clip", "clip", "x,lo,hi", "y");
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/clip.onnx", d);
    assert_int_equal(ob_write(m, path), 0);
    ob_free(m);
}

static void empty_graph_model(const char *d)
{
    const int64_t x2[2] = {OB_DYN, 4};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 2, x2);
    ob_output(m, "x", -1, NULL);
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/empty.onnx", d);
    assert_int_equal(ob_write(m, path), 0);
    ob_free(m);
}

static void twice_named_initializer_model(const char *d)
{
    const int64_t xd[2] = {OB_DYN, 4}, kd[1] = {4};
    const float k[4] = {0, 1, 2, 3};
    ob_model *m = ob_new(13);
    ob_input(m, "x", 2, xd);
    ob_output(m, "y", -1, NULL);
    ob_init_f(m, "k", 1, kd, k);
    ob_init_f(m, "k", 1, kd, k);
    ob_node_add(m, "Add", "add", "x,k", "a");
    ob_node_add(m, "Relu", "relu", "a", "y");
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/twice.onnx", d);
    assert_int_equal(ob_write(m, path), 0);
    ob_free(m);
}

static void garbage_model(const char *d)
{
    put(d, "garbage.onnx", "this is not a protobuf message\n");
}

static void chip_pe_twice(const char *d)
{
    put(d, "chip.ini", "[pe]\nlanes = 4\n[noc]\n[pe]\nvector_macs = 4\n");
}

static void chip_word_wider_than_buffer(const char *d)
{
    put(d, "chip.ini", "[pe]\ninput_buffer_kib = 0.0625\ninput_buffer_width = 1024\n");
}

static void chip_in_search(const char *d)
{
    chip_pe_twice(d);
    put(d, "bad.ini", "[model]\nonnx = %s\n[chip]\narch = %s/chip.ini\n", model, d);
}

/* A systolic chip has no NoC: a swing knob with levels is refused. */
static void swing_on_systolic_chip(const char *d)
{
    put(d, "chip.ini", "[chip]\ntemplate = systolic\n");
    put(d, "bad.ini", "[model]\nonnx = %s\n[knobs]\nnoc_swing = 0.8, 0.5\n[chip]\narch = %s/chip.ini\n", model, d);
}

static void simba_section_on_systolic_chip(const char *d)
{
    put(d, "chip.ini", "[chip]\ntemplate = systolic\n[noc]\nswing = 0.5\n");
}

static void layers_ragged(const char *d)
{
    put(d, "layers.tsv", "name\tkind\tC\tK\n");
}

/* 100,000 tables in a library index (once minutes of quadratic work). */
static void huge_index(const char *d)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/big.tsv", d);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "name file family power_uw area_um2 delay_ns\n");
    for (int i = 0; i < 100000; i++)
        fprintf(f, "m%d ok.bin f 1 1 1\n", i);
    fclose(f);
}

static void short_product_table(const char *d)
{
    put(d, "short.bin", "only a few bytes");
}

/* Flips one byte in the middle of a run file. */
static void damage(const char *d, const char *name)
{
    copy_run(d);
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/run/%s", d, name);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long mid = ftell(f) / 2;
    fseek(f, mid, SEEK_SET);
    int c = fgetc(f);
    fseek(f, mid, SEEK_SET);
    fputc(c ^ 0x20, f);
    fclose(f);
}

static void damaged_checkpoint(const char *d)
{
    damage(d, "checkpoint.bin");
}

static void damaged_baselines(const char *d)
{
    damage(d, "baselines.bin");
}

/* Replaces "key = old" by "key = value" in the run's config.ini. */
static void changed_max_drop(const char *d)
{
    copy_run(d);
    sh("sed -i 's/^max_drop = .*/max_drop = 3/' '%s/run/config.ini'", d);
}

static void plots_is_a_file(const char *d)
{
    copy_run(d);
    sh("rm -r '%s/run/plots' && touch '%s/run/plots'", d, d);
}

static void figure_is_a_folder(const char *d)
{
    copy_run(d);
    sh("rm '%s/run/plots/front.svg' && mkdir '%s/run/plots/front.svg'", d, d);
}

static void history_emptied(const char *d)
{
    copy_run(d);
    sh(": > '%s/run/history.tsv'", d);
}

static void front_ragged_row(const char *d)
{
    copy_run(d);
    sh("printf '1\\t2\\n' >> '%s/run/front.tsv'", d);
}

static void front_not_a_number(const char *d)
{
    copy_run(d);
    sh("sed -i '2s/^[^\\t]*/fast/' '%s/run/front.tsv'", d);
}

static void baselines_exact_not_first(const char *d)
{
    copy_run(d);
    sh("sed -i '2s/^exact/random/' '%s/run/baselines.tsv'", d);
}

static void missing_model(const char *d)
{
    put(d, "bad.ini", "[model]\nonnx = /nonexistent/model.onnx\n");
}

/* A comment longer than the INI reader takes whole, whose tail would set
 * a key if it were read as a line of its own. */
static void long_comment(const char *d)
{
    char tail[260];
    memset(tail, '-', sizeof tail - 1);
    tail[sizeof tail - 1] = '\0';
    memcpy(tail + 200, "population = 10", 15);
    put(d, "bad.ini", "[model]\nonnx = %s\n[search]\n; %s\n", model, tail);
}

/* An index of 4,000 tables (each 256 KiB once imported: ~1,000 MiB),
 * weighed before a table is read. */
static void big_library_small_budget(const char *d)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/lib.tsv", d);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "name file family power_uw area_um2 delay_ns\n");
    for (int i = 0; i < 4000; i++)
        fprintf(f, "m%d m%d.bin f 1 1 1\n", i, i);
    fclose(f);
    put(d, "bad.ini", "[model]\nonnx = %s\n[library]\nimport = %s\n[search]\nmemory_mb = 900\n", model, path);
}

static void mapping_unknown_dim(const char *d)
{
    put(d, "map.txt", "DRAM [ Weights Inputs Outputs ]\n| for X in [0:3)\n");
}

static void mapping_short_of_layer(const char *d)
{
    put(d, "map.txt", "DRAM [ Weights Inputs Outputs ]\n| for K in [0:16)\n");
}

static void config_line(const char *d, const char *extra)
{
    put(d, "bad.ini", "[model]\nonnx = %s\nval_images = 40\n%s", model, extra);
}

/* ---- the table ---------------------------------------------------- */

/* In args, names and gone: {D} is the case's folder, {M} the model, {R}
 * the run folder copied into the case's folder ({D}/run). */
typedef struct bad_case {
    const char *what;
    const char *ini;                 /* written as {D}/bad.ini after [model] onnx/val_images, or NULL */
    void (*setup)(const char *dir);  /* writes the bad files, or NULL */
    const char *args;
    const char *names;               /* the message names it */
    const char *reason;              /* and says this */
} bad_case;

static const bad_case cases[] = {
    /* the search configuration */
    {"search range backwards", "search_range = 500:300\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     "[model] search_range = '500:300': expected FROM:TO"},
    {"search range past the data", "search_range = 59000:61000\n", NULL, "search {D}/bad.ini --out {D}/out",
     "train-images-idx3-ubyte", "search_range 59000:61000 reaches past the 60000 images there"},
    {"test range not a range", "test_range = 10\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     "[model] test_range = '10': expected FROM:TO"},
    {"data format unknown", "data_format = jpeg\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     "data_format"},
    {"input mean per channel on one channel", "input_mean = 0.1, 0.2\n", NULL, "search {D}/bad.ini --out {D}/out",
     "{D}/bad.ini", "[model] input_mean lists 2 values for an input of 1 channel"},
    {"input std zero", "input_std = 0\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     "[model] input_std must be > 0"},
    {"data format not there", "data_format = cifar10\n", NULL, "search {D}/bad.ini --out {D}/out",
     "data_batch_1.bin", "cannot open"},
    {"unknown key", "[search]\ncolour = blue\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     "unknown key 'colour' in [search]"},
    {"not an integer", "[search]\npopulation = many\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     "[search] population: expected an integer"},
    {"key twice", "[search]\nreps = 2\nreps = 3\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     "given twice"},
    {"unknown section", "[nonsense]\nx = 1\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     "unknown section [nonsense]"},
    {"section twice", "[search]\nreps = 2\n[objectives]\nmax_drop = 1\n[search]\nseed = 3\n", NULL,
     "search {D}/bad.ini --out {D}/out", "{D}/bad.ini", ":8: section [search] opened again (first at line 4)"},
    {"not an INI line", "[search\npopulation = 10\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     ":4: not an INI line"},
    {"line longer than the reader takes", NULL, long_comment, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     ":4: line of"},
    {"swing levels not from nominal", "[knobs]\nnoc_swing = 0.9, 0.5\n", NULL, "search {D}/bad.ini --out {D}/out",
     "{D}/bad.ini", "nominal"},
    {"voltages rising", "[knobs]\nsram_v_input = 0.8, 0.9\n", NULL, "search {D}/bad.ini --out {D}/out",
     "{D}/bad.ini", "decrease"},
    {"trailing comma", "[knobs]\nsram_v_weight = 0.8, 0.6,\n", NULL, "search {D}/bad.ini --out {D}/out",
     "{D}/bad.ini", "missing after the last comma"},
    {"odd population", "[search]\npopulation = 7\n", NULL, "search {D}/bad.ini --out {D}/out", "{D}/bad.ini",
     "even"},
    {"unknown multiplier", "[library]\ninclude = no_such_multiplier\n", NULL, "search {D}/bad.ini --out {D}/out",
     "{D}/bad.ini", "no_such_multiplier"},
    {"unknown family", "[library]\nfamilies = trunc, nosuchfamily\n", NULL, "search {D}/bad.ini --out {D}/out",
     "{D}/bad.ini", "no family 'nosuchfamily'"},
    {"chip is a folder", "[chip]\narch = /tmp\n", NULL, "search {D}/bad.ini --out {D}/out", "/tmp",
     "a folder, not a file"},
    {"endless config", NULL, NULL, "search /dev/zero --out {D}/out", "/dev/zero",
     "more than the 16777216 bytes this reader takes"},
    {"missing config", NULL, NULL, "search {D}/none.ini --out {D}/out", "{D}/none.ini", "No such file"},
    {"missing model", NULL, missing_model, "search {D}/bad.ini --out {D}/out", "/nonexistent/model.onnx", ""},
    {"output under a missing folder", "", NULL, "search {D}/bad.ini --out {D}/no/such/run", "{D}/no/such/run",
     ""},
    /* the memory budget, weighed before anything is loaded */
    {"data beyond the memory budget", "[search]\nmemory_mb = 100\n", NULL, "search {D}/bad.ini --out {D}/out",
     IDX_DEFAULT_DIR, "more than the memory budget of 100 MiB ([search] memory_mb)"},
    {"library beyond the memory budget", NULL, big_library_small_budget, "search {D}/bad.ini --out {D}/out",
     "{D}/lib.tsv", "imported library 1000"},
    /* data */
    {"test split too small", NULL, few_test_images, "search {D}/bad.ini --out {D}/out", "{D}/data",
     "the test split holds 100 images, fewer than test_images = 200"},
    {"calibration beyond the data", NULL, few_train_images, "infer --model {M} --data {D}/data --calib 500",
     "{D}/data", "images, fewer than the 500 calibration images asked for (calib_images)"},
    {"undecodable image", NULL, undecodable_image, "infer --model {M} --data {D}/imgs --float",
     "{D}/imgs/test/a/x.png", "neither a PNG nor a JPEG"},
    {"CIFAR batch cut", NULL, cut_cifar_batch, "infer --model {M} --data {D}/cifar --float",
     "{D}/cifar/test_batch.bin", "not a whole number of 3073-byte CIFAR-10 records"},
    {"IDX of floats", NULL, bad_idx_magic, "infer --model {M} --data {D}/data --limit 10",
     "{D}/data/t10k-images-idx3-ubyte", ""},
    /* models */
    {"NaN weight", NULL, nan_weight_model, "infer --model {D}/nan.onnx --limit 10", "{D}/nan.onnx",
     "is NaN; weights must be finite"},
    {"negative variance", NULL, negative_variance_model, "onnx-info {D}/bn.onnx", "{D}/bn.onnx",
     "variance 'var' of channel 1 is -2"},
    {"Clip min above max", NULL, clip_min_above_max_model, "onnx-info {D}/clip.onnx", "{D}/clip.onnx",
     "min 2 is above max 1"},
    {"empty graph", NULL, empty_graph_model, "onnx-info {D}/empty.onnx", "{D}/empty.onnx",
     "the graph has no nodes"},
    {"initializer named twice", NULL, twice_named_initializer_model, "onnx-info {D}/twice.onnx",
     "{D}/twice.onnx", "the name 'k' is given to two initializers"},
    {"not a model", NULL, garbage_model, "onnx-info {D}/garbage.onnx", "{D}/garbage.onnx", ""},
    /* the chip, layer shapes, the multiplier library */
    {"chip section twice", NULL, chip_pe_twice, "energy --table --arch {D}/chip.ini", "{D}/chip.ini",
     ":4: section [pe] opened again (first at line 1)"},
    {"chip word wider than its buffer", NULL, chip_word_wider_than_buffer, "energy --table --arch {D}/chip.ini",
     "{D}/chip.ini", "a word of 1024 bits is larger than the whole buffer"},
    {"chip of a search", NULL, chip_in_search, "search {D}/bad.ini --out {D}/out", "{D}/chip.ini",
     "opened again"},
    {"swing knob on a systolic chip", NULL, swing_on_systolic_chip, "search {D}/bad.ini --out {D}/out",
     "{D}/chip.ini", "is a systolic chip, which has no NoC"},
    {"swing on a systolic chip (infer)", NULL, NULL,
     "infer --model {M} --arch configs/systolic.ini --noc-swing 0.3 --limit 10", "configs/systolic.ini", "is a systolic chip, which has no NoC"},
    {"Simba section in a systolic chip", NULL, simba_section_on_systolic_chip, "energy --table --arch {D}/chip.ini",
     "{D}/chip.ini", ":4: section [noc] describes the simba template, but this chip is systolic"},
    {"layer table without rows' columns", NULL, layers_ragged, "energy --layers {D}/layers.tsv", "{D}/layers.tsv",
     ""},
    {"index of 100,000 tables", NULL, huge_index, "mults --import {D}/big.tsv", "{D}/big.tsv",
     "100000 tables, and the library holds 50 already: at most 4096"},
    {"short product table", NULL, short_product_table, "mults --import-lut {D}/short.bin", "{D}/short.bin", ""},
    {"mapping with an unknown loop", NULL, mapping_unknown_dim, "energy --layer K=16 --mapping {D}/map.txt",
     "{D}/map.txt", ":2: unknown loop dimension 'X'"},
    {"mapping that does not cover the layer", NULL, mapping_short_of_layer,
     "energy --layer K=32 --mapping {D}/map.txt", "{D}/map.txt", "the loops over K multiply to 16"},
    /* run folders: resume, baselines */
    {"damaged checkpoint", NULL, damaged_checkpoint, "resume {D}/run", "{R}/checkpoint.bin",
     "checksum mismatch: the file is truncated or damaged"},
    {"damaged baselines record", NULL, damaged_baselines, "resume {D}/run", "{R}/baselines.bin",
     "checksum mismatch"},
    {"config changed since the run began", NULL, changed_max_drop, "resume {D}/run", "{R}/checkpoint.bin",
     "max_drop"},
    {"model replaced since the run began", NULL, model_replaced, "resume {D}/run --gens 2", "{R}/checkpoint.bin",
     "1 input file changed since the run began, by content (inputs.model"},
    {"nothing to resume", NULL, NULL, "resume {D}/nowhere", "{D}/nowhere", ""},
    /* plot */
    {"plots is a file", NULL, plots_is_a_file, "plot {D}/run", "{R}/plots", "exists and is not a folder"},
    {"a figure's path is a folder", NULL, figure_is_a_folder, "plot {D}/run", "{R}/plots/front.svg",
     "cannot replace it"},
    {"history emptied", NULL, history_emptied, "plot {D}/run", "{R}/history.tsv", "empty: no header line"},
    {"front row cut short", NULL, front_ragged_row, "plot {D}/run", "{R}/front.tsv", "2 fields, the header has"},
    {"front energy not a number", NULL, front_not_a_number, "plot {D}/run", "{R}/front.tsv",
     ":2: column 'energy_uj': 'fast' is not a number"},
    {"baselines without the exact design first", NULL, baselines_exact_not_first, "plot {D}/run",
     "{R}/baselines.tsv", ":2: the first row is not the exact design"},
};

/* ---- running a case ----------------------------------------------- */

/* Copies tmpl into out (size) with {D}, {M} and {R} replaced. */
static void expand(char *out, size_t size, const char *tmpl, const char *dir)
{
    char run[PATH_MAX + 8];
    snprintf(run, sizeof run, "%s/run", dir);
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = tmpl; *p && n + 1 < size; p++) {
        const char *with = NULL;
        if (p[0] == '{' && p[1] && p[2] == '}')
            with = p[1] == 'D' ? dir : p[1] == 'M' ? model : p[1] == 'R' ? run : NULL;
        if (with) {
            snprintf(out + n, size - n, "%s", with);
            n = strlen(out);
            p += 2;
        } else {
            out[n++] = *p;
            out[n] = '\0';
        }
    }
}

/* A fingerprint of every file under dir: names, sizes and contents. */
static uint64_t tree_hash(const char *dir, uint64_t h)
{
    DIR *d = opendir(dir);
    if (!d)
        return h;
    char names[64][256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(names[n++], 256, "%s", e->d_name);
    closedir(d);
    qsort(names, (size_t)n, 256, (int (*)(const void *, const void *))strcmp);
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX + 300];
        snprintf(path, sizeof path, "%.*s/%.255s", PATH_MAX - 1, dir, names[i]);
        h = hash_fnv1a64(h, path, strlen(path));
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            h = tree_hash(path, h);
            continue;
        }
        FILE *f = S_ISREG(st.st_mode) ? fopen(path, "rb") : NULL;
        unsigned char buf[65536];
        size_t got;
        while (f && (got = fread(buf, 1, sizeof buf, f)) > 0)
            h = hash_fnv1a64(h, buf, got);
        if (f)
            fclose(f);
    }
    return h;
}

static void one_case(void **state)
{
    const bad_case *c = *state;
    char dir[PATH_MAX], args[8 * PATH_MAX], names[4 * PATH_MAX];
    snprintf(dir, sizeof dir, "%s/case%02d", tmpdir, (int)(c - cases));
    assert_int_equal(mkdir(dir, 0755), 0);
    if (c->ini)
        config_line(dir, c->ini);
    if (c->setup)
        c->setup(dir);
    expand(args, sizeof args, c->args, dir);
    expand(names, sizeof names, c->names, dir);
    uint64_t before = tree_hash(dir, HASH_FNV_OFFSET);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cli_result r = cli_run_within(args, 10);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (r.status != 2)
        fail_msg("case '%s': exit status %d%s (want 2); stderr: %s", c->what, r.status,
                 r.status == 124 ? " (stopped after 10 s)" : "", r.err);
    if (!strstr(r.err, names))
        fail_msg("case '%s': the message does not name %s: %s", c->what, names, r.err);
    if (!strstr(r.err, c->reason))
        fail_msg("case '%s': the message does not say '%s': %s", c->what, c->reason, r.err);
    /* nothing left behind: no output, no temporary, no file touched */
    if (before != tree_hash(dir, HASH_FNV_OFFSET))
        fail_msg("case '%s': files under %s changed or were left behind", c->what, dir);
    print_message("%.2f s: %s\n", secs, cli_last_line(r.err));
    cli_result_free(&r);
}

/* The run folder the resume and plot cases copy and damage: a tiny
 * search with baselines, plotted. */
static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir) || !realpath("models/lenet5_fmnist.onnx", model))
        return -1;
    snprintf(base_run, sizeof base_run, "%s/base", tmpdir);
    char cfg[PATH_MAX], args[3 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/base.ini", tmpdir);
    FILE *f = fopen(cfg, "w");
    if (!f)
        return -1;
    fprintf(f,
            "[model]\nonnx = %s\ncalib_images = 200\nval_images = 40\nconfirm_images = 40\ntest_images = 40\n"
            "[knobs]\nnoc_swing = 0.8, 0.44\n[objectives]\nmax_drop = 20\n"
            "[search]\npopulation = 4\ngenerations = 2\nreps = 1\nbaselines = yes\n",
            model);
    fclose(f);
    snprintf(args, sizeof args, "search '%s' --out '%s'", cfg, base_run);
    cli_result r = cli_run(args);
    int ok = r.status == 0;
    if (ok) {
        cli_result_free(&r);
        snprintf(args, sizeof args, "plot '%s'", base_run);
        r = cli_run(args);
        ok = r.status == 0;
    }
    if (!ok)
        fprintf(stderr, "the base run failed: %s\n", r.err);
    cli_result_free(&r);
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    enum { N = sizeof cases / sizeof cases[0] };
    struct CMUnitTest tests[N];
    for (size_t i = 0; i < N; i++)
        tests[i] = (struct CMUnitTest){cases[i].what, one_case, NULL, NULL, (void *)&cases[i]};
    return cmocka_run_group_tests_name("bad input", tests, setup, teardown);
}
