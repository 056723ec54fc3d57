/* Image folders (fitness/net/imgdir.h, and dataset.h's "folder" format).
 * Decoding, Pillow's BILINEAR resize and the whole evaluation transform
 * against the answers Pillow 9.4 (Debian's python3-pil, on the same
 * libjpeg-turbo) gave for the fixtures in tests/imgdir (make.py there):
 * equal byte for byte, tolerance 0, since the decoders are the same
 * libraries and the resize is Pillow's own integer arithmetic; a 1 x 4 ->
 * 1 x 2 resize computed by hand; ImageFolder's classes and order on a
 * folder made here (nested folders, skipped files, upper-case suffixes)
 * and the fixed shuffle the splits index it by;
 * each malformed folder or file refused naming it. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitness/net/dataset.h"
#include "fitness/net/imgdir.h"
#include "tests/cli_support.h"
#include "util/pcg.h"

#define FIX "tests/imgdir/"

static char dir[] = "/tmp/axsearch-imgdir-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return cli_temp_dir(dir);
}

static int teardown(void **state)
{
    (void)state;
    return cli_remove_tree(dir);
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("%s: missing", path);
    uint8_t *buf = malloc(1 << 20);
    *n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void pillow_answers(void **state)
{
    (void)state;
    FILE *t = fopen(FIX "ref.tsv", "r");
    assert_non_null(t);
    char line[512];
    int cases = 0;
    while (fgets(line, sizeof line, t)) {
        if (line[0] == '#')
            continue;
        char kind[16], file[64], args[64], answer[128], path[128], apath[160];
        assert_int_equal(sscanf(line, "%15s %63s %63s %127s", kind, file, args, answer), 4);
        snprintf(path, sizeof path, FIX "%s", file);
        snprintf(apath, sizeof apath, FIX "%s", answer);
        size_t n;
        uint8_t *want = read_all(apath, &n), *rgb = NULL, *got = NULL;
        int h, w;
        ax_err err = {0};
        if (!strcmp(kind, "transform")) {
            imgdir_shape s;
            assert_int_equal(sscanf(args, "%d,%d,%d,%d", &s.channels, &s.rows, &s.cols, &s.resize), 4);
            if (!s.resize)
                s.resize = ((s.rows < s.cols ? s.rows : s.cols) * 8 + 3) / 7;
            got = malloc(n);
            assert_int_equal((size_t)s.channels * s.rows * s.cols, n);
            if (imgdir_load(path, &s, got, &err) != AX_OK)
                fail_msg("%s %s: %s", file, args, err.msg);
        } else {
            assert_int_equal(imgdir_decode(path, 1 << 20, &rgb, &h, &w, &err), AX_OK);
            if (!strcmp(kind, "decode")) {
                assert_int_equal((size_t)h * w * 3, n);
                got = rgb;
                rgb = NULL;
            } else {
                int ow, oh;
                assert_int_equal(sscanf(args, "%d,%d", &ow, &oh), 2);
                assert_int_equal((size_t)oh * ow * 3, n);
                got = malloc(n);
                assert_int_equal(imgdir_resize(rgb, h, w, 3, oh, ow, got), 0);
            }
        }
        size_t diff = 0;
        for (size_t i = 0; i < n; i++)
            diff += got[i] != want[i];
        if (diff)
            fail_msg("%s %s %s: %zu of %zu bytes differ from Pillow's", kind, file, args, diff, n);
        free(want);
        free(got);
        free(rgb);
        cases++;
    }
    fclose(t);
    print_message("    %d decode, resize and transform cases equal to Pillow's, byte for byte\n", cases);
    assert_true(cases >= 20);
}

/* 1 x 4 -> 1 x 2 by hand: scale 2, support 2; output 0 centred at 1 takes
 * inputs 0..2 with triangle weights 0.75, 0.75, 0.25 (normalised 3/7,
 * 3/7, 1/7), output 1 centred at 3 takes inputs 1..3 (1/7, 3/7, 3/7). */
static void resize_by_hand(void **state)
{
    (void)state;
    const uint8_t in[4] = {0, 70, 140, 210};
    uint8_t out[2];
    assert_int_equal(imgdir_resize(in, 1, 4, 1, 1, 2, out), 0);
    assert_int_equal(out[0], 50);  /* 70 * 3/7 + 140 / 7 */
    assert_int_equal(out[1], 160); /* 70 / 7 + 140 * 3/7 + 210 * 3/7 */
    int oh, ow;
    imgdir_resized_size(480, 640, 256, &oh, &ow);
    assert_true(oh == 256 && ow == 341); /* int(256 * 640 / 480) */
    imgdir_resized_size(500, 375, 256, &oh, &ow);
    assert_true(oh == 341 && ow == 256);
}

static void copy(const char *from, const char *to)
{
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s/%s')\" && cp '" FIX "%s' '%s/%s'", dir, to, from, dir, to);
    assert_int_equal(system(cmd), 0);
}

static void touch(const char *name, const char *text)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ImageFolder's numbering and order; the folder read through dataset.h. */
static void folder_order(void **state)
{
    (void)state;
    copy("a.png", "set/train/zebra/2.png");
    copy("d.jpg", "set/train/zebra/10.JPG");
    copy("b.png", "set/train/cat/sub/a.png");
    copy("e.jpg", "set/train/cat/b.jpeg");
    copy("c.png", "set/train/cat/z.png");
    copy("p.png", "set/train/dog/x.png");
    touch("set/train/dog/notes.txt", "not an image: skipped");
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/set/train", dir);
    imgdir_list l;
    ax_err err = {0};
    assert_int_equal(imgdir_list_set(path, &l, &err), AX_OK);
    assert_int_equal(l.n_classes, 3);
    assert_string_equal(l.classes[0], "cat");
    assert_string_equal(l.classes[2], "zebra");
    /* os.walk sorted by folder, then names: cat/b.jpeg, cat/z.png,
     * cat/sub/a.png; dog/x.png; zebra/10.JPG, zebra/2.png */
    static const char *const listed[] = {"cat/b.jpeg", "cat/z.png", "cat/sub/a.png", "dog/x.png", "zebra/10.JPG",
                                        "zebra/2.png"};
    static const uint16_t labels[] = {0, 0, 0, 1, 2, 2};
    assert_int_equal(l.n, 6);
    for (int i = 0; i < 6; i++) {
        assert_non_null(strstr(l.paths[i], listed[i]));
        assert_int_equal(l.labels[i], labels[i]);
    }
    /* the same through the dataset interface, as a 3 x 8 x 8 model sees it;
     * twelve images so that the search split (a twelfth) holds one */
    for (int i = 0; i < 6; i++) {
        char name[64];
        snprintf(name, sizeof name, "set/train/dog/y%d.png", i);
        copy("a.png", name);
    }
    copy("d.jpg", "set/val/cat/t.jpg");
    copy("a.png", "set/val/dog/t.png");
    copy("b.png", "set/val/zebra/t.png");
    snprintf(path, sizeof path, "%s/set", dir);
    ds_format f;
    assert_int_equal(ds_detect(path, &f, &err), AX_OK);
    assert_int_equal(f, DS_FOLDER);
    ds_source src = {.dir = path, .format = DS_AUTO, .channels = 3, .rows = 8, .cols = 8};
    idx_dataset tr, va, te;
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_TRAIN, &tr, &err), AX_OK);
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_VAL, &va, &err), AX_OK);
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_TEST, &te, &err), AX_OK);
    assert_int_equal(tr.count, 11);
    assert_int_equal(va.count, 1);
    assert_int_equal(te.count, 3);
    /* image k is the listing's order[k]: a Fisher-Yates shuffle from
     * PCG32 (seed DS_FOLDER_SEED, stream n), drawn here by its definition */
    imgdir_list all;
    char tpath[PATH_MAX + 128];
    snprintf(tpath, sizeof tpath, "%s/train", path);
    assert_int_equal(imgdir_list_set(tpath, &all, &err), AX_OK);
    assert_int_equal(all.n, 12);
    int64_t order[12];
    for (int i = 0; i < 12; i++)
        order[i] = i;
    pcg32 rng;
    pcg32_seed(&rng, DS_FOLDER_SEED, 12);
    for (int i = 11; i > 0; i--) {
        int j = (int)pcg32_bounded(&rng, (uint32_t)(i + 1)), t = (int)order[i];
        order[i] = order[j];
        order[j] = t;
    }
    int64_t *got = ds_folder_order(12);
    assert_memory_equal(got, order, sizeof order);
    free(got);
    imgdir_shape s = {3, 8, 8, 9};
    uint8_t one[192];
    for (int k = 0; k < 12; k++) {
        const idx_dataset *d = k < 11 ? &tr : &va;
        int at = k < 11 ? k : 0;
        assert_int_equal(imgdir_load(all.paths[order[k]], &s, one, &err), AX_OK);
        assert_memory_equal(d->images + at * 192, one, 192);
        assert_int_equal(d->labels[at], all.labels[order[k]]);
    }
    imgdir_list_clear(&all);
    idx_dataset_clear(&tr);
    idx_dataset_clear(&va);
    idx_dataset_clear(&te);
    int64_t bytes;
    assert_int_equal(ds_split_file_bytes(&src, IDX_SPLIT_TRAIN, 5, &bytes, &err), AX_OK);
    assert_int_equal(bytes, 5 * 192);
    uint64_t h1 = 1, h2 = 1;
    assert_int_equal(ds_split_hash(&src, IDX_SPLIT_TEST, &h1, &err), AX_OK);
    copy("e.jpg", "set/val/zebra/u.jpg");
    assert_int_equal(ds_split_hash(&src, IDX_SPLIT_TEST, &h2, &err), AX_OK);
    assert_true(h1 != h2);
    imgdir_list_clear(&l);
}

static void refused(void **state)
{
    (void)state;
    char path[PATH_MAX + 64], cmd[3 * PATH_MAX];
    ax_err err = {0};
    imgdir_list l;
    idx_dataset d;
    ds_source src = {.format = DS_FOLDER, .channels = 3, .rows = 8, .cols = 8};
    static const struct {
        const char *make, *set, *names, *says;
    } cases[] = {
        {"mkdir -p r1/train", "r1/train", "r1/train", "no class folders"},
        {"mkdir -p r2/train/cat && echo x > r2/train/cat/readme.txt", "r2/train", "r2/train/cat",
         "class 'cat' has no PNG or JPEG image"},
        {"mkdir -p r3/train/cat && echo x > r3/train/cat/a.bmp", "r3/train", "a.bmp",
         "only PNG and JPEG images are read"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(cmd, sizeof cmd, "cd '%s' && %s", dir, cases[i].make);
        assert_int_equal(system(cmd), 0);
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].set);
        assert_int_equal(imgdir_list_set(path, &l, &err), AX_EINPUT);
        if (!strstr(err.msg, cases[i].names) || !strstr(err.msg, cases[i].says))
            fail_msg("case %zu: '%s'", i, err.msg);
    }
    /* files that cannot be decoded: text named .png, a truncated PNG, a
     * truncated JPEG */
    touch("fake.png", "not a PNG at all");
    snprintf(path, sizeof path, "%s/fake.png", dir);
    uint8_t *rgb;
    int h, w;
    assert_int_equal(imgdir_decode(path, 1 << 20, &rgb, &h, &w, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "neither a PNG nor a JPEG"));
    snprintf(cmd, sizeof cmd, "head -c 200 " FIX "c.png > %s/cut.png && head -c 300 " FIX "d.jpg > %s/cut.jpg", dir,
             dir);
    assert_int_equal(system(cmd), 0);
    static const char *const cut[] = {"cut.png", "cut.jpg"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, cut[i]);
        assert_int_equal(imgdir_decode(path, 1 << 20, &rgb, &h, &w, &err), AX_EINPUT);
        if (!strstr(err.msg, cut[i]) || !strstr(err.msg, "failed"))
            fail_msg("%s: '%s'", cut[i], err.msg);
    }
    /* larger than allowed */
    assert_int_equal(imgdir_decode(FIX "a.png", 100, &rgb, &h, &w, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "more than the 100 taken"));
    /* a folder with an undecodable image, and test classes that differ */
    snprintf(cmd, sizeof cmd, "mkdir -p %s/r4/train/cat %s/r4/train/dog %s/r4/test/cat %s/r4/test/cow && "
                              "cp %s/cut.png %s/r4/train/cat/ && cp " FIX "a.png %s/r4/train/dog/ && "
                              "cp " FIX "a.png %s/r4/test/cat/ && cp " FIX "a.png %s/r4/test/cow/",
             dir, dir, dir, dir, dir, dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/r4", dir);
    src.dir = path;
    src.search_from = 0; /* both images in the search split */
    src.search_to = 2;
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_VAL, &d, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "cut.png"));
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_TEST, &d, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "class 1 is 'cow' but in"));
    /* no model input to bring the images to */
    src.rows = 0;
    assert_int_equal(ds_load_split(&src, IDX_SPLIT_VAL, &d, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "a model taking [N,1,H,W] or [N,3,H,W] is needed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pillow_answers),
        cmocka_unit_test(resize_by_hand),
        cmocka_unit_test(folder_order),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests_name("imgdir", tests, setup, teardown);
}
