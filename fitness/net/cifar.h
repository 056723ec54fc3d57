/* cifar: the CIFAR-10 and CIFAR-100 binary batches (Krizhevsky, "Learning
 * Multiple Layers of Features from Tiny Images", 2009; the "binary version"
 * of https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * A batch file is a sequence of records with no header:
 *   CIFAR-10:  1 label byte (0..9), then 3,072 pixel bytes;
 *   CIFAR-100: 1 coarse label byte (0..19), 1 fine label byte (0..99),
 *              then 3,072 pixel bytes.
 * The pixels are the red, green and blue 32 x 32 planes in turn, rows
 * first: [3][32][32] uint8, the NCHW layout a model's input takes. The
 * CIFAR-10 training set is data_batch_1.bin .. data_batch_5.bin (10,000
 * records each), the test set test_batch.bin; CIFAR-100 has train.bin and
 * test.bin. A file whose size is not a whole number of records, or a
 * label out of range, is AX_EINPUT naming the file and the record. */
#ifndef AX_FITNESS_NET_CIFAR_H
#define AX_FITNESS_NET_CIFAR_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define CIFAR_PIXELS 3072 /* 3 x 32 x 32 */

typedef enum cifar_kind { CIFAR_10, CIFAR_100 } cifar_kind;

/* Appends the records of one batch file to *images ([*count][3][32][32])
 * and *labels ([*count]; CIFAR-100: the fine label), growing both with
 * realloc (start from NULL and 0; the caller frees). max_images bounds
 * the total; a file that would pass it is refused before it is read. */
int cifar_read_batch(const char *path, cifar_kind kind, int64_t max_images, uint8_t **images, uint16_t **labels,
                     int64_t *count, ax_err *err);

#endif
