/* npy: NumPy .npy files of integers, read strictly (NumPy's format,
 * NEP 1 and numpy/lib/format.py).
 *
 * Layout: the magic "\x93NUMPY", a major and a minor version byte (1.0,
 * 2.0 or 3.0), the header length (uint16 little-endian for 1.0, uint32
 * for 2.0 and 3.0), then the header: a Python dict literal with exactly
 * the keys 'descr', 'fortran_order' and 'shape', e.g.
 *   {'descr': '|u1', 'fortran_order': False, 'shape': (60000, 28, 28), }
 * padded with spaces and ended by '\n' so that the data starts at a
 * multiple of 16 bytes (NumPy writes 64); then the array's bytes in C
 * order. Accepted: integer dtypes u1 i1 u2 i2 u4 i4 u8 i8 with byte order
 * '<' or '>' ('|' for one-byte types), C order (fortran_order True is
 * refused: save with numpy.ascontiguousarray), up to NPY_MAX_DIMS
 * dimensions. Anything else is AX_EINPUT naming the file and what is
 * wrong: this reader is fuzzed (tests/fuzz/fuzz_npy.c). */
#ifndef AX_FITNESS_NET_NPY_H
#define AX_FITNESS_NET_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define NPY_MAX_DIMS 8
/* Longest header taken (NumPy writes a few dozen bytes; 2.0 allows 4 GiB). */
#define NPY_MAX_HEADER 65536

typedef struct npy_header {
    char kind;       /* 'u' unsigned or 'i' signed integer */
    int item_bytes;  /* 1, 2, 4 or 8 */
    int big_endian;
    int ndim;
    int64_t shape[NPY_MAX_DIMS];
    int64_t count;   /* elements: the product of shape (1 for a scalar) */
    size_t data_offset; /* bytes before the data */
} npy_header;

/* Parses the preamble and header at the start of a file; buf holds its
 * first len bytes (at least the whole header). name stands for the file in
 * messages. */
int npy_parse_header(const uint8_t *buf, size_t len, const char *name, npy_header *h, ax_err *err);

/* Reads a whole uint8 array: *data is malloc'ed [h->count] (caller
 * frees). The file must hold exactly the bytes its header announces;
 * max_bytes bounds the data (a larger array is refused before reading). */
int npy_read_u8(const char *path, size_t max_bytes, npy_header *h, uint8_t **data, ax_err *err);

/* Reads a one-dimensional array of any integer dtype as class labels:
 * *labels is malloc'ed [*count], each value checked to be in 0..65535. */
int npy_read_labels(const char *path, size_t max_bytes, int64_t *count, uint16_t **labels, ax_err *err);

#endif
