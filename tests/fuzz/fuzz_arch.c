/* The chip description (accel_model/arch.h) and the energies derived
 * from it. */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "accel_model/arch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    accel_arch a;
    accel_energies e;
    ax_err err = {0};
    if (accel_arch_load_string(text, "fuzz.ini", &a, &err) == AX_OK)
        accel_energies_derive(&a, &e, &err);
    free(text);
    return 0;
}
