/* The fixed-mapping access model (accel_model/nest.h): the input's first
 * line is the layer shape (`--layer`), the rest the mapping text
 * (`--mapping`). Mappings that parse are counted when the layer is small
 * (at most 2^20 MACs), so that a run stays within the fuzzer's time-out;
 * the limits of larger ones are tested in tests/test_nest.c. */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>
#include <string.h>

#include "accel_model/nest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    char *nl = strchr(text, '\n');
    const char *map_text = "";
    if (nl) {
        *nl = '\0';
        map_text = nl + 1;
    }
    nest_shape s;
    nest_map m;
    ax_err err = {0};
    if (nest_shape_parse(text, &s, &err) == AX_OK && nest_map_parse(map_text, "fuzz.map", &m, &err) == AX_OK) {
        double macs = 1;
        for (int d = 0; d < NEST_NDIMS; d++)
            macs *= (double)s.bound[d];
        if (macs <= (1 << 20)) {
            nest_stats st;
            nest_count(&m, &s, &st, &err);
        }
    }
    free(text);
    return 0;
}
