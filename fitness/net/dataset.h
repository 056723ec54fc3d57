/* dataset: a dataset folder in any of the formats axsearch reads, behind
 * the split interface of idx.h (the callers' one entry point).
 *
 * The format is recognised from the folder's contents, in this order:
 *   IDX    train-images-idx3-ubyte[.gz] or t10k-images-idx3-ubyte[.gz]
 *          (idx.h; Fashion-MNIST, MNIST);
 *   NumPy  train_x.npy / train_y.npy and test_x.npy / test_y.npy (npy.h):
 *          uint8 images [N][H][W], [N][C][H][W] or [N][H][W][C] (C of 1,
 *          3 or 4, on exactly one of the two axes; NHWC is transposed to
 *          NCHW on reading) and labels of any integer dtype, one per
 *          image; either pair may be missing, which makes its splits
 *          unavailable;
 *   CIFAR  data_batch_1.bin .. data_batch_5.bin (as many as there are,
 *          without gaps) and test_batch.bin (CIFAR-10), or train.bin and
 *          test.bin (CIFAR-100, fine labels) (cifar.h): [N][3][32][32].
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

typedef enum ds_format { DS_IDX, DS_NPY, DS_CIFAR10, DS_CIFAR100 } ds_format;

/* The format of a folder (NULL: IDX_DEFAULT_DIR); AX_EINPUT naming the
 * folder and the files looked for when none is there. */
int ds_detect(const char *dir, ds_format *format, ax_err *err);

const char *ds_format_name(ds_format format);

/* idx_load_split, idx_split_file_bytes and idx_split_hash for a folder of
 * any format (the bytes: of the files the split is read from). */
int ds_load_split(const char *dir, idx_split split, idx_dataset *out, ax_err *err);
int ds_split_file_bytes(const char *dir, idx_split split, int64_t *bytes, ax_err *err);
int ds_split_hash(const char *dir, idx_split split, uint64_t *h, ax_err *err);
/* Whether the images of d feed g's one input: [N][C][H][W] of the same
 * C, H, W, [N][H][W] for one channel, or [N][C*H*W]; AX_EINPUT naming
 * `model`, the input's shape and the images' otherwise. */
int ds_check_input(const graph *g, const idx_dataset *d, const char *model, ax_err *err);

#endif
