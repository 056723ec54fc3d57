/* dataset: a dataset folder in any of the formats axsearch reads, behind
 * the split interface of idx.h (the callers' one entry point).
 *
 * The format is recognised from the folder's contents, in this order:
 *   IDX    train-images-idx3-ubyte[.gz] or t10k-images-idx3-ubyte[.gz]
 *          (idx.h; Fashion-MNIST, MNIST);
 *   NumPy  train_x.npy / train_y.npy and test_x.npy / test_y.npy (npy.h):
 *          uint8 images [N][H][W], [N][C][H][W] or [N][H][W][C] (C of 1,
 *          3 or 4; when both axes could be channels the source's model
 *          input decides; NHWC is transposed to NCHW on reading) and
 *          labels of any integer dtype, one per image; either pair may
 *          be missing, which makes its splits unavailable;
 *   CIFAR  data_batch_1.bin .. data_batch_5.bin (as many as there are,
 *          without gaps) and test_batch.bin (CIFAR-10), or train.bin and
 *          test.bin (CIFAR-100, fine labels) (cifar.h): [N][3][32][32];
 *   folder train/ and test/ (or val/, ImageNet's name), each a folder per
 *          class of PNG and JPEG images (imgdir.h), decoded and brought
 *          to the model's input (the source's channels, rows, cols).
 *          ImageFolder lists a set class by class; a split of that order
 *          would hold a few classes only, so a set's images are indexed
 *          in a fixed shuffle of it (ds_folder_order), the splits and
 *          ranges below applying to that index.
 * The splits are those of idx.h for every format: the training set's last
 * twelfth is the search split, the rest trains and calibrates; the test
 * set is the test split. Images are [N][C][H][W] uint8 in every format
 * (idx_dataset.channels); whether a model takes them is the caller's
 * check. */
#ifndef AX_FITNESS_NET_DATASET_H
#define AX_FITNESS_NET_DATASET_H

#include <stdint.h>

#include "fitness/net/graph.h"
#include "fitness/net/idx.h"
#include "util/err.h"

typedef enum ds_format { DS_AUTO = -1, DS_IDX, DS_NPY, DS_CIFAR10, DS_CIFAR100, DS_FOLDER } ds_format;

/* Where a run's images come from: the folder, its format and the split
 * ranges. A zero-initialised source with format DS_AUTO is the default:
 * the format recognised, the splits above. */
typedef struct ds_source {
    const char *dir;                /* NULL: IDX_DEFAULT_DIR */
    ds_format format;               /* DS_AUTO: recognised from the folder */
    int64_t search_from, search_to; /* search split: training-set images [from, to); 0, 0: the last twelfth;
                                       the training split is then the longer part before or after it */
    int64_t test_from, test_to;     /* test split: test-set images [from, to); 0, 0: all of them */
    /* Image folders only: the model's input the images are brought to
     * (ds_source_fit), and the shorter side before the centre crop (0:
     * round(8/7 of the crop's shorter side), 256 for 224). */
    int channels, rows, cols, resize;
} ds_source;

/* The order image-folder sets are indexed in: image k of a set is the
 * listing's order[k], a Fisher-Yates shuffle of 0..n-1 (for i = n-1 down
 * to 1: swap i with pcg32_bounded(i + 1)) drawn from PCG32 seeded with
 * DS_FOLDER_SEED and stream n. malloc'ed; NULL when out of memory. */
#define DS_FOLDER_SEED UINT64_C(0x494d47464f4c44) /* "IMGFOLD" */
int64_t *ds_folder_order(int64_t n);

/* Sets s's channels, rows and cols from g's input ([N][C][H][W], or
 * [N][H][W] for one channel); leaves them 0 for another shape. */
void ds_source_fit(ds_source *s, const graph *g);

/* "auto", "idx", "npy", "cifar10", "cifar100", "folder" -> the format; -1
 * for another name. */
int ds_format_from_name(const char *name, ds_format *format);
/* "FROM:TO" (0 <= FROM < TO) -> the range; "" -> 0, 0 (the default);
 * -1 for anything else. */
int ds_parse_range(const char *text, int64_t *from, int64_t *to);

/* The format of a folder (NULL: IDX_DEFAULT_DIR); AX_EINPUT naming the
 * folder and the files looked for when none is there. */
int ds_detect(const char *dir, ds_format *format, ax_err *err);

const char *ds_format_name(ds_format format);

/* idx_load_split, idx_split_file_bytes and idx_split_hash for a source of
 * any format; src NULL is the default source. A range past the set's end
 * is AX_EINPUT naming the file.
 * ds_load_first: only the split's first max_images (0: all); image folders
 * decode only those, the other formats read their files whole.
 * ds_split_file_bytes: the bytes a load of at most max_images (0: all)
 * reads: the files of the split, or for image folders the decoded images.
 * ds_split_hash: the files' bytes; for image folders the set's listing
 * (every image's relative path and size), not the images' contents. */
int ds_load_split(const ds_source *src, idx_split split, idx_dataset *out, ax_err *err);
int ds_load_first(const ds_source *src, idx_split split, int64_t max_images, idx_dataset *out, ax_err *err);
int ds_split_file_bytes(const ds_source *src, idx_split split, int64_t max_images, int64_t *bytes, ax_err *err);
int ds_split_hash(const ds_source *src, idx_split split, uint64_t *h, ax_err *err);
/* Whether the images of d feed g's one input: [N][C][H][W] of the same
 * C, H, W, [N][H][W] for one channel, or [N][C*H*W]; AX_EINPUT naming
 * `model`, the input's shape and the images' otherwise. */
int ds_check_input(const graph *g, const idx_dataset *d, const char *model, ax_err *err);

#endif
