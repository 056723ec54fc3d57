/* idx: MNIST-format (IDX) image and label files, gzip-compressed or plain
 * (read through zlib's gzopen/gzread, which passes plain files through),
 * and the dataset splits axsearch uses.
 *
 * Format (big-endian): magic 0x00000803 + count, rows, cols + count*rows*cols
 * unsigned bytes for images; magic 0x00000801 + count + count bytes for
 * labels. Fashion-MNIST (Debian's dataset-fashion-mnist) and MNIST use it.
 *
 * Splits of a dataset folder holding train-images-idx3-ubyte[.gz],
 * train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and
 * t10k-labels-idx1-ubyte[.gz]:
 *   IDX_SPLIT_TRAIN: training images [0, T - T/12)  (0..54,999 of 60,000),
 *                    for training and calibration;
 *   IDX_SPLIT_VAL:   training images [T - T/12, T)  (55,000..59,999), the
 *                    search split;
 *   IDX_SPLIT_TEST:  all t10k images (10,000), only for final scoring.
 *
 * Model input: images are uint8 [N][rows][cols]; a model with input
 * [N][1][rows][cols] is fed x = (pixel / 255 - mean) / std, where mean and
 * std come from the model's metadata (graph.input_mean / input_std, keys
 * axsearch.input_mean / axsearch.input_std, defaults 0 and 1: a model that
 * normalizes inside the network, or not at all, declares nothing) or from
 * the caller. */
#ifndef AX_FITNESS_NET_IDX_H
#define AX_FITNESS_NET_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define IDX_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"
#define IDX_MAGIC_IMAGES 0x00000803u
#define IDX_MAGIC_LABELS 0x00000801u

typedef enum idx_split { IDX_SPLIT_TRAIN, IDX_SPLIT_VAL, IDX_SPLIT_TEST } idx_split;

typedef struct idx_dataset {
    int64_t count;     /* images (= labels) */
    int channels;      /* 1 for IDX; 3 for colour (CIFAR, NumPy) */
    int rows, cols;
    uint8_t *images;   /* [count][channels][rows][cols], owned */
    uint16_t *labels;  /* [count], owned: class indices 0..65535 */
    int64_t first;     /* index of images[0] within its file (e.g. 55000 for VAL) */
} idx_dataset;

/* Reads an image file: *pixels is malloc'ed [count][rows][cols]. A wrong
 * magic, a dimension of 0 or above 2^16, a truncated body or trailing bytes
 * are AX_EINPUT naming the file and the byte offset. */
int idx_read_images(const char *path, uint8_t **pixels, int64_t *count, int *rows, int *cols, ax_err *err);

/* Reads a label file: *labels is malloc'ed [count]. */
int idx_read_labels(const char *path, uint16_t **labels, int64_t *count, ax_err *err);

/* Loads one split from a dataset folder (NULL = IDX_DEFAULT_DIR); each file
 * is tried as NAME.gz, then NAME. Image and label counts must agree. */
int idx_load_split(const char *dir, idx_split split, idx_dataset *out, ax_err *err);
/* The whole training (test 0) or test set of a folder, unsplit; path (if
 * not NULL) receives the image file's path, for messages. */
int idx_load_set(const char *dir, int test, idx_dataset *out, char *path, size_t path_size, ax_err *err);

void idx_dataset_clear(idx_dataset *d);
/* The bytes of one image: channels * rows * cols. */
int64_t idx_image_bytes(const idx_dataset *d);

/* Narrows a whole training set (first 0) to IDX_SPLIT_TRAIN or
 * IDX_SPLIT_VAL by the rule above (the last count / 12 images are the
 * search split); IDX_SPLIT_TEST leaves it whole. name: the file, for the
 * message when the set is too small to split. */
int idx_dataset_take_split(idx_dataset *d, idx_split split, const char *name, ax_err *err);

/* The bytes of images and labels the files of a split announce in their
 * headers (the whole files: idx_load_split reads them whole, then keeps
 * the split), read without the data, so that a caller can refuse a
 * dataset too large for its memory before loading it. */
int idx_split_file_bytes(const char *dir, idx_split split, int64_t *bytes, ax_err *err);

/* Continues FNV-1a 64 *h over the bytes of the split's image file, then
 * its label file, as stored (compressed or not): what a resume compares
 * to tell a dataset replaced under the same name. */
int idx_split_hash(const char *dir, idx_split split, uint64_t *h, ax_err *err);

const char *idx_split_name(idx_split split);
/* "train", "val" or "test" -> the split; -1 for another name. */
int idx_split_from_name(const char *name, idx_split *split);

/* Model input from pixels: out[i] = (px[i] / 255 - mean) / std, n values. */
void idx_to_float(const uint8_t *px, int64_t n, float mean, float std, float *out);

#endif
