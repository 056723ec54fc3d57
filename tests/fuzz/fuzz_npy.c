/* NumPy .npy files (fitness/net/npy.h): the header parser on the raw
 * bytes, then the file read as uint8 images and as labels. */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "fitness/net/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    npy_header h;
    ax_err err = {0};
    npy_parse_header(data, size, "fuzz.npy", &h, &err);
    const char *path = fuzz_file("npy", data, size);
    uint8_t *px = NULL;
    uint16_t *labels = NULL;
    int64_t count = 0;
    if (npy_read_u8(path, 1 << 20, &h, &px, &err) == AX_OK)
        free(px);
    if (npy_read_labels(path, 1 << 20, &count, &labels, &err) == AX_OK)
        free(labels);
    return 0;
}
