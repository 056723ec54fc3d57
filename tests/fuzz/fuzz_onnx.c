/* ONNX import (fitness/net/onnx_import.h): a serialized ModelProto, as a
 * classifier (batched) and as a node test (unbatched). */
#include "tests/fuzz/fuzz_support.h"

#include "fitness/net/graph.h"
#include "fitness/net/onnx_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int batched = 0; batched <= 1; batched++) {
        onnx_import_opts o = {batched, 0, NULL};
        graph *g = NULL;
        ax_err err = {0};
        if (onnx_import_buffer(data, size, "fuzz.onnx", &o, &g, &err) == AX_OK)
            graph_free(g);
    }
    return 0;
}
