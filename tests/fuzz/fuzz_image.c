/* PNG and JPEG decoding and the evaluation transform (fitness/net/imgdir.h):
 * the input as an image file, decoded with a small pixel limit, then
 * brought to a 3 x 7 x 5 and a 1 x 4 x 4 input. */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "fitness/net/imgdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("image", data, size);
    uint8_t *rgb = NULL;
    int h, w;
    ax_err err = {0};
    if (imgdir_decode(path, 1 << 16, &rgb, &h, &w, &err) == AX_OK && (int64_t)h * w <= 4096) {
        free(rgb);
        static const imgdir_shape shapes[2] = {{3, 7, 5, 8}, {1, 4, 4, 4}};
        uint8_t out[3 * 7 * 5];
        for (int s = 0; s < 2; s++)
            imgdir_load(path, &shapes[s], out, &err);
        return 0;
    }
    free(rgb);
    return 0;
}
