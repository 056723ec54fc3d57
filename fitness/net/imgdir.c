#include "fitness/net/imgdir.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>

#include "util/hash.h"

/* The largest image decoded, in pixels (16,384 x 16,384). */
#define IMGDIR_MAX_PIXELS ((int64_t)1 << 28)
#define MAX_DEPTH 16 /* folders below a class folder */

/* ---- listing ----------------------------------------------------------- */

/* One image found: the folder it is in (the os.walk root) and its name. */
typedef struct found {
    char *dir, *name;
    int64_t size;
} found;

typedef struct finder {
    found *v;
    int64_t n, cap;
    ax_err *err;
} finder;

static int ends_with(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    if (n < e)
        return 0;
    for (size_t i = 0; i < e; i++)
        if (tolower((unsigned char)name[n - e + i]) != ext[i])
            return 0;
    return 1;
}

/* 1: PNG or JPEG; 0: not an image (skipped, as ImageFolder skips it); -1:
 * an image type ImageFolder takes that this reader cannot decode. */
static int image_kind(const char *name)
{
    static const char *const ours[] = {".png", ".jpg", ".jpeg"};
    static const char *const theirs[] = {".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"};
    for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
        if (ends_with(name, ours[i]))
            return 1;
    for (size_t i = 0; i < sizeof theirs / sizeof theirs[0]; i++)
        if (ends_with(name, theirs[i]))
            return -1;
    return 0;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

static int add_found(finder *f, const char *dir, const char *name, int64_t size)
{
    if (f->n == IMGDIR_MAX_IMAGES)
        return ax_fail(f->err, AX_EINPUT, "%s: more than %ld images", dir, (long)IMGDIR_MAX_IMAGES);
    if (f->n == f->cap) {
        int64_t cap = f->cap ? 2 * f->cap : 256;
        found *v = realloc(f->v, (size_t)cap * sizeof *v);
        if (!v)
            return ax_fail(f->err, AX_EINTERNAL, "out of memory");
        f->v = v;
        f->cap = cap;
    }
    found *e = &f->v[f->n];
    e->dir = strdup(dir);
    e->name = strdup(name);
    e->size = size;
    if (!e->dir || !e->name) {
        free(e->dir);
        free(e->name);
        return ax_fail(f->err, AX_EINTERNAL, "out of memory");
    }
    f->n++;
    return AX_OK;
}

/* Calls visit(ctx, path, name, st) for every entry of dir but . and ..,
 * following links (os.walk's followlinks=True; a dangling link is
 * skipped, as os.walk skips it), until visit returns an error. */
typedef int entry_fn(void *ctx, const char *dir, const char *path, const char *name, const struct stat *st);

static int each_entry(const char *dir, entry_fn *visit, void *ctx, ax_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return ax_fail(err, AX_EINPUT, "%s: cannot open the folder", dir);
    int rc = AX_OK;
    struct dirent *e;
    while (rc == AX_OK && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *path = join(dir, e->d_name);
        struct stat st;
        if (!path)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        else if (stat(path, &st) == 0)
            rc = visit(ctx, dir, path, e->d_name, &st);
        free(path);
    }
    closedir(d);
    return rc;
}

typedef struct walk_ctx {
    finder *f;
    int depth;
} walk_ctx;

static int walk(finder *f, const char *dir, int depth);

static int walk_entry(void *ctx, const char *dir, const char *path, const char *name, const struct stat *st)
{
    walk_ctx *w = ctx;
    if (S_ISDIR(st->st_mode))
        return walk(w->f, path, w->depth + 1);
    if (image_kind(name) < 0)
        return ax_fail(w->f->err, AX_EINPUT, "%s: only PNG and JPEG images are read (ImageFolder would take this "
                                             "one: convert it, or move it out of the folder)", path);
    return image_kind(name) > 0 ? add_found(w->f, dir, name, (int64_t)st->st_size) : AX_OK;
}

/* The images under dir, in any order (sorted afterwards). */
static int walk(finder *f, const char *dir, int depth)
{
    if (depth > MAX_DEPTH)
        return ax_fail(f->err, AX_EINPUT, "%s: folders nested more than %d deep", dir, MAX_DEPTH);
    walk_ctx w = {f, depth};
    return each_entry(dir, walk_entry, &w, f->err);
}

static int cmp_found(const void *a, const void *b)
{
    const found *x = a, *y = b;
    int c = strcmp(x->dir, y->dir);
    return c ? c : strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct class_ctx {
    imgdir_list *l;
    int cap;
    ax_err *err;
} class_ctx;

static int class_entry(void *ctx, const char *dir, const char *path, const char *name, const struct stat *st)
{
    (void)path;
    class_ctx *c = ctx;
    imgdir_list *l = c->l;
    if (!S_ISDIR(st->st_mode))
        return AX_OK;
    if (l->n_classes == IMGDIR_MAX_CLASSES)
        return ax_fail(c->err, AX_EINPUT, "%s: more than %d classes", dir, IMGDIR_MAX_CLASSES);
    if (l->n_classes == c->cap) {
        int cap = c->cap ? 2 * c->cap : 64;
        char **v = realloc(l->classes, (size_t)cap * sizeof *v);
        if (!v)
            return ax_fail(c->err, AX_EINTERNAL, "out of memory");
        l->classes = v;
        c->cap = cap;
    }
    if (!(l->classes[l->n_classes] = strdup(name)))
        return ax_fail(c->err, AX_EINTERNAL, "out of memory");
    l->n_classes++;
    return AX_OK;
}

/* The class folders of dir, sorted. */
static int list_classes(const char *dir, imgdir_list *l, ax_err *err)
{
    class_ctx c = {l, 0, err};
    int rc = each_entry(dir, class_entry, &c, err);
    if (rc == AX_OK && l->n_classes == 0)
        rc = ax_fail(err, AX_EINPUT, "%s: no class folders (expected one folder of images per class)", dir);
    if (rc == AX_OK)
        qsort(l->classes, (size_t)l->n_classes, sizeof *l->classes, cmp_str);
    return rc;
}

/* Appends the images of class c, in ImageFolder's order, to l. */
static int list_class(const char *dir, int c, imgdir_list *l, ax_err *err)
{
    finder f = {NULL, 0, 0, err};
    char *cdir = join(dir, l->classes[c]);
    int rc = cdir ? walk(&f, cdir, 0) : ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK && f.n == 0)
        rc = ax_fail(err, AX_EINPUT, "%s: class '%s' has no PNG or JPEG image", cdir, l->classes[c]);
    if (rc == AX_OK && l->n + f.n > IMGDIR_MAX_IMAGES)
        rc = ax_fail(err, AX_EINPUT, "%s: more than %ld images", dir, (long)IMGDIR_MAX_IMAGES);
    char **paths = rc == AX_OK ? realloc(l->paths, (size_t)(l->n + f.n) * sizeof *paths) : NULL;
    uint16_t *labels = paths ? realloc(l->labels, (size_t)(l->n + f.n) * sizeof *labels) : NULL;
    if (paths)
        l->paths = paths;
    if (labels)
        l->labels = labels;
    if (rc == AX_OK && (!paths || !labels))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK)
        qsort(f.v, (size_t)f.n, sizeof *f.v, cmp_found);
    size_t root = strlen(dir) + 1;
    for (int64_t i = 0; i < f.n; i++) {
        if (rc == AX_OK && !(l->paths[l->n] = join(f.v[i].dir, f.v[i].name)))
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        if (rc == AX_OK) {
            const char *rel = l->paths[l->n] + root;
            l->fingerprint = hash_fnv1a64(l->fingerprint, rel, strlen(rel) + 1);
            l->fingerprint = hash_fnv1a64(l->fingerprint, &f.v[i].size, sizeof f.v[i].size);
            l->labels[l->n++] = (uint16_t)c;
        }
        free(f.v[i].dir);
        free(f.v[i].name);
    }
    free(f.v);
    free(cdir);
    return rc;
}

int imgdir_list_set(const char *dir, imgdir_list *out, ax_err *err)
{
    memset(out, 0, sizeof *out);
    out->fingerprint = HASH_FNV_OFFSET;
    int rc = list_classes(dir, out, err);
    for (int c = 0; rc == AX_OK && c < out->n_classes; c++)
        rc = list_class(dir, c, out, err);
    if (rc != AX_OK)
        imgdir_list_clear(out);
    return rc;
}

int imgdir_list_classes(const char *dir, imgdir_list *out, ax_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = list_classes(dir, out, err);
    if (rc != AX_OK)
        imgdir_list_clear(out);
    return rc;
}

void imgdir_list_clear(imgdir_list *l)
{
    if (!l)
        return;
    for (int c = 0; c < l->n_classes; c++)
        free(l->classes[c]);
    for (int64_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->classes);
    free(l->paths);
    free(l->labels);
    memset(l, 0, sizeof *l);
}

/* ---- decoding ---------------------------------------------------------- */

static int decode_png(const char *path, int64_t max_pixels, uint8_t **rgb, int *h, int *w, ax_err *err)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return ax_fail(err, AX_EINPUT, "%s: not a readable PNG image (%s)", path, img.message);
    if ((int64_t)img.width * img.height > max_pixels) {
        png_image_free(&img);
        return ax_fail(err, AX_EINPUT, "%s: a PNG image of %u x %u pixels, more than the %lld taken", path,
                       img.width, img.height, (long long)max_pixels);
    }
    img.format = PNG_FORMAT_RGBA;
    size_t n = (size_t)img.width * img.height;
    uint8_t *rgba = malloc(PNG_IMAGE_SIZE(img)), *out = malloc(n > 0 ? n * 3 : 1);
    if (!rgba || !out) {
        png_image_free(&img);
        free(rgba);
        free(out);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    if (!png_image_finish_read(&img, NULL, rgba, 0, NULL)) {
        free(rgba);
        free(out);
        return ax_fail(err, AX_EINPUT, "%s: PNG decoding failed (%s)", path, img.message);
    }
    for (size_t i = 0; i < n; i++) /* Pillow's convert("RGB"): the alpha dropped */
        memcpy(out + 3 * i, rgba + 4 * i, 3);
    free(rgba);
    *rgb = out;
    *h = (int)img.height;
    *w = (int)img.width;
    return AX_OK;
}

/* libjpeg reports errors through error_exit, which must not return. */
typedef struct jpeg_fail {
    struct jpeg_error_mgr mgr;
    jmp_buf back;
    char msg[JMSG_LENGTH_MAX];
} jpeg_fail;

static void jpeg_error_exit(j_common_ptr cinfo)
{
    jpeg_fail *f = (jpeg_fail *)cinfo->err;
    f->mgr.format_message(cinfo, f->msg);
    longjmp(f->back, 1);
}

static void jpeg_quiet(j_common_ptr cinfo, int level)
{
    (void)cinfo;
    (void)level; /* warnings (e.g. corrupt data recovered from) are not printed */
}

/* The decoder's state lives in a struct the longjmp leaves intact. */
typedef struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    jpeg_fail fail;
    FILE *f;
    uint8_t *out;
} jpeg_job;

static int decode_jpeg_into(jpeg_job *j, const char *path, int64_t max_pixels, int *h, int *w, ax_err *err)
{
    jpeg_create_decompress(&j->cinfo);
    jpeg_stdio_src(&j->cinfo, j->f);
    jpeg_read_header(&j->cinfo, TRUE);
    if (j->cinfo.jpeg_color_space == JCS_CMYK || j->cinfo.jpeg_color_space == JCS_YCCK)
        return ax_fail(err, AX_EINPUT, "%s: a CMYK JPEG image: only grey and colour (YCbCr, RGB) are read", path);
    if ((int64_t)j->cinfo.image_width * j->cinfo.image_height > max_pixels)
        return ax_fail(err, AX_EINPUT, "%s: a JPEG image of %u x %u pixels, more than the %lld taken", path,
                       j->cinfo.image_width, j->cinfo.image_height, (long long)max_pixels);
    j->cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&j->cinfo);
    size_t row = (size_t)j->cinfo.output_width * 3;
    j->out = malloc(row > 0 && j->cinfo.output_height > 0 ? row * j->cinfo.output_height : 1);
    if (!j->out)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    while (j->cinfo.output_scanline < j->cinfo.output_height) {
        JSAMPROW r = j->out + row * j->cinfo.output_scanline;
        jpeg_read_scanlines(&j->cinfo, &r, 1);
    }
    jpeg_finish_decompress(&j->cinfo);
    *h = (int)j->cinfo.output_height;
    *w = (int)j->cinfo.output_width;
    return AX_OK;
}

static int decode_jpeg(const char *path, int64_t max_pixels, uint8_t **rgb, int *h, int *w, ax_err *err)
{
    jpeg_job *j = calloc(1, sizeof *j);
    if (!j)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    j->f = fopen(path, "rb");
    if (!j->f) {
        free(j);
        return ax_fail(err, AX_EINPUT, "%s: cannot open", path);
    }
    j->cinfo.err = jpeg_std_error(&j->fail.mgr);
    j->fail.mgr.error_exit = jpeg_error_exit;
    j->fail.mgr.emit_message = jpeg_quiet;
    int rc;
    if (setjmp(j->fail.back))
        rc = ax_fail(err, AX_EINPUT, "%s: JPEG decoding failed (%s)", path, j->fail.msg);
    else
        rc = decode_jpeg_into(j, path, max_pixels, h, w, err);
    jpeg_destroy_decompress(&j->cinfo);
    fclose(j->f);
    if (rc == AX_OK)
        *rgb = j->out;
    else
        free(j->out);
    free(j);
    return rc;
}

int imgdir_decode(const char *path, int64_t max_pixels, uint8_t **rgb, int *h, int *w, ax_err *err)
{
    *rgb = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ax_fail(err, AX_EINPUT, "%s: cannot open", path);
    unsigned char magic[8] = {0};
    size_t got = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (got == 8 && !png_sig_cmp(magic, 0, 8))
        return decode_png(path, max_pixels, rgb, h, w, err);
    if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF)
        return decode_jpeg(path, max_pixels, rgb, h, w, err);
    return ax_fail(err, AX_EINPUT, "%s: neither a PNG nor a JPEG image (by its first bytes)", path);
}

/* ---- Pillow's BILINEAR resampling ------------------------------------- */

enum { PRECISION_BITS = 32 - 8 - 2 };

/* The 22-bit coefficients of every output pixel along one axis:
 * bounds[2 i] = first input pixel, bounds[2 i + 1] = how many;
 * k[i * ksize + x]. Returns ksize, or -1 when out of memory. */
static int coefficients(int in_size, int out_size, int **bounds_out, int32_t **k_out)
{
    double scale = (double)in_size / out_size, filterscale = scale < 1.0 ? 1.0 : scale;
    double support = 1.0 * filterscale; /* the triangle's support is 1 */
    int ksize = (int)ceil(support) * 2 + 1;
    int *bounds = malloc((size_t)out_size * 2 * sizeof *bounds);
    double *kd = malloc((size_t)out_size * (size_t)ksize * sizeof *kd);
    int32_t *k = malloc((size_t)out_size * (size_t)ksize * sizeof *k);
    if (!bounds || !kd || !k) {
        free(bounds);
        free(kd);
        free(k);
        return -1;
    }
    for (int xx = 0; xx < out_size; xx++) {
        double center = (xx + 0.5) * scale, ww = 0.0, ss = 1.0 / filterscale;
        int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
        xmin = xmin < 0 ? 0 : xmin;
        xmax = (xmax > in_size ? in_size : xmax) - xmin;
        double *row = kd + (size_t)xx * ksize;
        for (int x = 0; x < xmax; x++) {
            double t = fabs((x + xmin - center + 0.5) * ss);
            row[x] = t < 1.0 ? 1.0 - t : 0.0;
            ww += row[x];
        }
        for (int x = 0; x < ksize; x++) {
            double v = x < xmax && ww != 0.0 ? row[x] / ww : x < xmax ? row[x] : 0.0;
            k[(size_t)xx * ksize + x] = (int32_t)(v < 0 ? -0.5 + v * (1 << PRECISION_BITS)
                                                        : 0.5 + v * (1 << PRECISION_BITS));
        }
        bounds[2 * xx] = xmin;
        bounds[2 * xx + 1] = xmax;
    }
    free(kd);
    *bounds_out = bounds;
    *k_out = k;
    return ksize;
}

static uint8_t clip8(int32_t v)
{
    if (v >= (1 << PRECISION_BITS << 8))
        return 255;
    if (v <= 0)
        return 0;
    return (uint8_t)(v >> PRECISION_BITS);
}

/* One pass along rows (horizontal, stride = bands) or columns (vertical,
 * stride = w * bands) of an image with `lines` lines. */
static void pass(const uint8_t *in, uint8_t *out, int lines, int out_size, int bands, int horizontal,
                 int in_w, const int *bounds, const int32_t *k, int ksize)
{
    for (int y = 0; y < lines; y++)
        for (int xx = 0; xx < out_size; xx++) {
            int xmin = bounds[2 * xx], xmax = bounds[2 * xx + 1];
            const int32_t *kk = k + (size_t)xx * ksize;
            for (int b = 0; b < bands; b++) {
                int32_t ss = 1 << (PRECISION_BITS - 1);
                for (int x = 0; x < xmax; x++) {
                    size_t at = horizontal ? ((size_t)y * in_w + (size_t)(x + xmin)) * bands + b
                                           : ((size_t)(x + xmin) * in_w + (size_t)y) * bands + b;
                    ss += in[at] * kk[x];
                }
                size_t o = horizontal ? ((size_t)y * out_size + xx) * bands + b
                                      : ((size_t)xx * in_w + (size_t)y) * bands + b;
                out[o] = clip8(ss);
            }
        }
}

int imgdir_resize(const uint8_t *in, int h, int w, int bands, int oh, int ow, uint8_t *out)
{
    int *bh = NULL, *bv = NULL;
    int32_t *kh = NULL, *kv = NULL;
    int ksh = coefficients(w, ow, &bh, &kh), ksv = coefficients(h, oh, &bv, &kv);
    /* Pillow's horizontal pass covers only the rows the vertical one reads;
     * the rows outside do not change any output, so all are done here. */
    uint8_t *tmp = malloc((size_t)h * ow * bands);
    int rc = ksh < 0 || ksv < 0 || !tmp ? -1 : 0;
    if (rc == 0) {
        if (ow != w)
            pass(in, tmp, h, ow, bands, 1, w, bh, kh, ksh);
        else
            memcpy(tmp, in, (size_t)h * w * bands);
        if (oh != h)
            pass(tmp, out, ow, oh, bands, 0, ow, bv, kv, ksv);
        else
            memcpy(out, tmp, (size_t)h * ow * bands);
    }
    free(tmp);
    free(bh);
    free(bv);
    free(kh);
    free(kv);
    return rc;
}

void imgdir_resized_size(int h, int w, int resize, int *oh, int *ow)
{
    int shorter = w <= h ? w : h, longer = w <= h ? h : w;
    int new_long = (int)((double)resize * longer / shorter);
    *ow = w <= h ? resize : new_long;
    *oh = w <= h ? new_long : resize;
}

/* ---- the whole transform ---------------------------------------------- */

/* Python's round of x / 2 for an integer x >= 0 (half to even). */
static int half_round_even(int x)
{
    int q = x / 2;
    return x % 2 && q % 2 ? q + 1 : q;
}

int imgdir_load(const char *path, const imgdir_shape *s, uint8_t *chw, ax_err *err)
{
    uint8_t *rgb = NULL, *res = NULL;
    int h = 0, w = 0, oh, ow;
    int rc = imgdir_decode(path, IMGDIR_MAX_PIXELS, &rgb, &h, &w, err);
    if (rc != AX_OK)
        return rc;
    int bands = s->channels == 1 ? 1 : 3;
    if (bands == 1) /* Pillow's convert("L"), in place */
        for (size_t i = 0; i < (size_t)h * w; i++)
            rgb[i] = (uint8_t)((rgb[3 * i] * 19595 + rgb[3 * i + 1] * 38470 + rgb[3 * i + 2] * 7471 + 0x8000) >> 16);
    imgdir_resized_size(h, w, s->resize, &oh, &ow);
    if (oh < s->rows || ow < s->cols)
        rc = ax_fail(err, AX_EINPUT, "%s: %d x %d pixels resize to %d x %d, smaller than the %d x %d crop", path, h,
                     w, oh, ow, s->rows, s->cols);
    if (rc == AX_OK && !(res = malloc((size_t)oh * ow * bands)))
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK && imgdir_resize(rgb, h, w, bands, oh, ow, res) != 0)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK) {
        int top = half_round_even(oh - s->rows), left = half_round_even(ow - s->cols);
        for (int c = 0; c < bands; c++)
            for (int y = 0; y < s->rows; y++)
                for (int x = 0; x < s->cols; x++)
                    chw[((size_t)c * s->rows + y) * s->cols + x] = res[((size_t)(y + top) * ow + x + left) * bands + c];
    }
    free(rgb);
    free(res);
    return rc;
}
