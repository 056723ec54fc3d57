/* NSGA-II checkpoints (ga/nsga.h). The input is the body of the frame:
 * it is sealed with the right magic, version and checksum here, since
 * the checksum would stop nearly every mutated file before the parser.
 * Its caller blob is read alone (nsga_read_blob), then a checkpoint that
 * loads is run one generation further, which uses every stored rank,
 * objective and crowding distance. */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "ga/nsga.h"
#include "util/frame.h"

/* A small mixed problem: genes {4, 3, 5} and one real in [0, 1], two
 * objectives, one constraint. */
static void eval_one(void *user, const int32_t *ints, const double *reals, double *objs, double *cons)
{
    (void)user;
    objs[0] = ints[0] + reals[0];
    objs[1] = ints[1] * ints[2] - reals[0];
    cons[0] = ints[2] - 3.5;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char magic[FRAME_MAGIC_BYTES] = {'A', 'X', 'N', 'S', 'G', 'A', '2', '\n'};
    static const int32_t card[3] = {4, 3, 5};
    static const double lo[1] = {0}, hi[1] = {1};
    const char *path = fuzz_file("checkpoint", NULL, 0);
    ax_err err = {0};
    if (frame_write(path, magic, 1, data, size, &err) != AX_OK)
        return 0;
    void *blob;
    size_t blob_len;
    if (nsga_read_blob(path, &blob, &blob_len, &err) == AX_OK)
        free(blob);
    nsga_problem p = {3, card, 1, lo, hi, 2, 1, NULL, eval_one, NULL};
    nsga_config c;
    nsga_config_defaults(&c);
    c.pop_size = 8;
    c.threads = 1;
    nsga *ga = nsga_load(path, &p, &c, &err);
    if (ga && nsga_generation(ga) < 1000) {
        c.max_generations = nsga_generation(ga) + 1;
        nsga_free(ga);
        ga = nsga_load(path, &p, &c, &err);
        if (ga)
            nsga_run(ga, &err);
    }
    nsga_free(ga);
    return 0;
}
