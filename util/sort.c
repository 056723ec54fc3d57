#include "util/sort.h"

#include <stdlib.h>
#include <string.h>

/* Bottom-up merge sort; insertion sort on short runs first. */
int sort_indices(int *idx, size_t n, sort_cmp_fn cmp, const void *ctx, int *scratch)
{
    if (n < 2)
        return 0;
    int *tmp = scratch ? scratch : malloc(n * sizeof *tmp);
    if (!tmp)
        return -1;
    const size_t run = 16;
    for (size_t lo = 0; lo < n; lo += run) {
        size_t hi = lo + run < n ? lo + run : n;
        for (size_t i = lo + 1; i < hi; i++) {
            int v = idx[i];
            size_t j = i;
            while (j > lo && cmp(idx[j - 1], v, ctx) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = v;
        }
    }
    int *src = idx, *dst = tmp;
    for (size_t width = run; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = cmp(src[j], src[i], ctx) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        int *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx)
        memcpy(idx, src, n * sizeof *idx);
    if (!scratch)
        free(tmp);
    return 0;
}
