/* dataset: a dataset folder in any of the formats axsearch reads, behind
 * the split interface of idx.h (the callers' one entry point).
 *
 * The format is recognised from the folder's contents, in this order:
 *   IDX    train-images-idx3-ubyte[.gz] or t10k-images-idx3-ubyte[.gz]
 *          (idx.h; Fashion-MNIST, MNIST);
 *   NumPy  train_x.npy / train_y.npy and test_x.npy / test_y.npy (npy.h):
 *          uint8 images [N][H][W], [N][1][H][W] or [N][H][W][1] and labels
 *          of any integer dtype, one per image; either pair may be
 *          missing, which makes its splits unavailable;
 *   CIFAR  data_batch_1.bin / test_batch.bin (CIFAR-10) or train.bin /
 *          test.bin (CIFAR-100) (cifar.h).
 * The splits are those of idx.h for every format: the training set's last
 * twelfth is the search split, the rest trains and calibrates; the test
 * set is the test split. Colour images (CIFAR, or NumPy arrays with 3
 * channels) are recognised but refused for now: the networks axsearch
 * runs take one channel. */
#ifndef AX_FITNESS_NET_DATASET_H
#define AX_FITNESS_NET_DATASET_H

#include <stdint.h>

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

#endif
