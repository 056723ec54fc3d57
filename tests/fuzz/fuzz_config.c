/* The search configuration (cli/scfg.h), then the settings check and the
 * resolved text a checkpoint records. */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "cli/scfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    scfg c;
    scfg_defaults(&c);
    ax_err err = {0};
    if (scfg_load_string(text, "fuzz.ini", "/tmp", &c, &err) == AX_OK &&
        scfg_check(&c, "fuzz.ini", &err) == AX_OK) {
        char *resolved = scfg_format(&c), changed[256];
        if (resolved)
            scfg_changed_keys(resolved, text, "generations", changed, sizeof changed);
        free(resolved);
    }
    free(text);
    return 0;
}
