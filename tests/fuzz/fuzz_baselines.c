/* RUN/baselines.bin (cli/baselines.h): the whole file, frame included,
 * replayed into the cache of a real fitness function (fuzz_lenet_env).
 * The first byte chooses how the rest is used: odd, as the file itself
 * (the frame's magic, version, length and checksum meet the mutations);
 * even, as the frame's body, sealed here with the right magic, version
 * and checksum (cli/baselines.c: "AXBASEL\n", version 4), since the
 * checksum would stop nearly every mutated body before the records. */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "cli/baselines.h"
#include "util/frame.h"

static run_env env;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (fuzz_lenet_env(&env) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char magic[FRAME_MAGIC_BYTES] = {'A', 'X', 'B', 'A', 'S', 'E', 'L', '\n'};
    if (size == 0)
        return 0;
    const char *path = fuzz_file("baselines.bin", data[0] & 1 ? data + 1 : NULL, data[0] & 1 ? size - 1 : 0);
    ax_err err = {0};
    if (!(data[0] & 1) && frame_write(path, magic, 4, data + 1, size - 1, &err) != AX_OK)
        return 0;
    bl_load_file(&env, NULL, path, &err);
    return 0;
}
