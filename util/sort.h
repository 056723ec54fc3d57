/* sort: stable merge sort of an index array with a context-taking
 * comparator (C11's qsort has no context argument and is not stable).
 * Stability makes results independent of the libc's qsort. */
#ifndef AX_UTIL_SORT_H
#define AX_UTIL_SORT_H

#include <stddef.h>

/* cmp returns <0, 0, >0 for a before, tied with, after b. */
typedef int (*sort_cmp_fn)(int a, int b, const void *ctx);

/* Sorts idx[0..n) in place; equal elements keep their order. Needs n ints of
 * scratch: pass it, or NULL to let the call allocate. Returns 0, or -1 when
 * the allocation fails (idx is then unchanged). */
int sort_indices(int *idx, size_t n, sort_cmp_fn cmp, const void *ctx, int *scratch);

#endif
