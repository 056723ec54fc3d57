/* The layer-shape TSV of `axsearch energy --layers` (accel_model/layer.h). */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "accel_model/layer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    accel_layer_shape *layers = NULL;
    size_t n = 0;
    ax_err err = {0};
    if (accel_layers_parse(text, "fuzz.tsv", &layers, &n, &err) == AX_OK)
        free(layers);
    free(text);
    return 0;
}
