/* IDX images and labels (fitness/net/idx.h), plain or gzip (zlib reads
 * both through the same path). */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "fitness/net/idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("idx", data, size);
    uint8_t *pixels = NULL;
    uint16_t *labels = NULL;
    int64_t count = 0;
    int rows = 0, cols = 0;
    ax_err err = {0};
    if (idx_read_images(path, &pixels, &count, &rows, &cols, &err) == AX_OK)
        free(pixels);
    if (idx_read_labels(path, &labels, &count, &err) == AX_OK)
        free(labels);
    return 0;
}
