/* imgdir: image folders in the layout of torchvision's ImageFolder, decoded
 * with Debian's libpng and libjpeg-turbo and brought to a model's input by
 * torchvision's standard evaluation transform.
 *
 * Layout: a set folder (ROOT/train, or ROOT/test or ROOT/val) holds one
 * folder per class; the classes are the class folders' names in sorted
 * (byte) order, label k for the k-th, as ImageFolder numbers them. A
 * class's images are its files named *.png, *.jpg or *.jpeg (any case),
 * also in folders below it, ordered as ImageFolder orders them: folders by
 * their path, files by name within each (sorted(os.walk(...)), then
 * sorted(fnames)). Other files are skipped, as ImageFolder skips them; a
 * class with no image is refused, as ImageFolder refuses it.
 *
 * Decoding: PNG through libpng's simplified API as 8-bit RGBA (palette,
 * grey and 16-bit images converted by libpng), the alpha channel dropped
 * (Pillow's convert("RGB")); JPEG through libjpeg-turbo into RGB with its
 * defaults (islow DCT, fancy upsampling), which Pillow uses too; grey
 * JPEGs replicated, CMYK refused.
 *
 * Transform (torchvision: Resize(resize), CenterCrop((rows, cols)), then
 * ToTensor's scaling, which the model's normalisation follows):
 *   1. a one-channel model takes the image as Pillow's "L":
 *      L = (19595 R + 38470 G + 7471 B + 32768) >> 16 (ITU-R 601-2 luma in
 *      Pillow's 16-bit fixed point), before resizing;
 *   2. resize: the shorter side to `resize` pixels, the longer to
 *      int(resize * long / short) (torchvision's rule), by Pillow's
 *      BILINEAR resampling with its antialiasing (a triangle filter
 *      widened by the reduction factor), exactly as Pillow computes it:
 *      coefficients in double, normalised, rounded to 22-bit fixed point
 *      (half away from zero), a horizontal pass into 8 bits (sum from
 *      2^21, shifted right by 22, clipped to 0..255), then a vertical
 *      pass the same way; a side already at its size is not resampled;
 *   3. centre crop to rows x cols: the top-left corner at
 *      round((size - crop) / 2) with Python's round (half to even).
 * Output: [channels][rows][cols] uint8, channels 1 or 3. */
#ifndef AX_FITNESS_NET_IMGDIR_H
#define AX_FITNESS_NET_IMGDIR_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* The most classes (labels are 16-bit) and images a set may hold. */
#define IMGDIR_MAX_CLASSES 65536
#define IMGDIR_MAX_IMAGES (1L << 26)

/* The listing of one set folder. */
typedef struct imgdir_list {
    int n_classes;
    char **classes;    /* [n_classes] class folder names, sorted; owned */
    int64_t n;         /* images */
    char **paths;      /* [n] full paths, in ImageFolder's order; owned */
    uint16_t *labels;  /* [n] */
    uint64_t fingerprint; /* FNV-1a over every image's relative path and size */
} imgdir_list;

/* The geometry of the transform: the model's input and the resize. */
typedef struct imgdir_shape {
    int channels, rows, cols; /* channels 1 or 3 */
    int resize;               /* shorter side before the crop (the resized image must hold the crop) */
} imgdir_shape;

/* Lists a set folder; AX_EINPUT naming it when it has no class folder, a
 * class has no image, or a limit is passed. */
int imgdir_list_set(const char *dir, imgdir_list *out, ax_err *err);
/* Only the class names of a set folder (cheap on a large set). */
int imgdir_list_classes(const char *dir, imgdir_list *out, ax_err *err);
void imgdir_list_clear(imgdir_list *l);

/* Decodes one PNG or JPEG file (told from its first bytes) into *rgb
 * ([h][w][3] uint8, malloc'ed); AX_EINPUT naming the file when it cannot
 * be decoded or is larger than max_pixels. */
int imgdir_decode(const char *path, int64_t max_pixels, uint8_t **rgb, int *h, int *w, ax_err *err);

/* Pillow's BILINEAR resize of an 8-bit image of `bands` interleaved
 * channels (1 or 3) from h x w to oh x ow (see above); out is
 * [oh][ow][bands]. Returns -1 when out of memory. */
int imgdir_resize(const uint8_t *in, int h, int w, int bands, int oh, int ow, uint8_t *out);

/* The size torchvision's Resize(resize) gives an h x w image. */
void imgdir_resized_size(int h, int w, int resize, int *oh, int *ow);

/* One file through the whole transform into chw ([channels][rows][cols]). */
int imgdir_load(const char *path, const imgdir_shape *s, uint8_t *chw, ax_err *err);

#endif
