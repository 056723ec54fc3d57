/* CIFAR-10 and CIFAR-100 binary batches (fitness/net/cifar.h): the input
 * as a batch file of each kind. */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "fitness/net/cifar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file("cifar", data, size);
    for (int kind = CIFAR_10; kind <= CIFAR_100; kind++) {
        uint8_t *images = NULL;
        uint16_t *labels = NULL;
        int64_t count = 0;
        ax_err err = {0};
        cifar_read_batch(path, (cifar_kind)kind, 64, &images, &labels, &count, &err);
        free(images);
        free(labels);
    }
    return 0;
}
