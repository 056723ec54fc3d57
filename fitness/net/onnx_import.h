/* onnx_import: ONNX model (protobuf, parsed by protobuf-c code generated at
 * build time from Debian's onnx.proto) -> graph IR (fitness/net/graph.h).
 *
 * Supported operators (default domain, opsets 1..21 with each operator's
 * per-opset attribute changes): Conv (1-D and 2-D, groups, strides, pads,
 * dilations, auto_pad), Gemm, MatMul, Relu, Clip, MaxPool and AveragePool
 * (1-D and 2-D: pads, strides, dilations, ceil_mode, count_include_pad,
 * auto_pad), GlobalAveragePool, Add (numpy broadcasting; the opset < 7
 * broadcast/axis form too), BatchNormalization (inference), Flatten,
 * Reshape (0, -1, allowzero), Identity, Dropout (inference), Softmax (the
 * axis semantics of the model's opset), Concat, Pad (constant mode),
 * Constant; and, for constant operands only, Shape, Gather, Unsqueeze,
 * Transpose and integer Concat/Reshape, which are evaluated at import (the
 * shape chains PyTorch emits for x.view(x.size(0), -1), weight transposes
 * of exports without constant folding). Anything else fails with AX_EINPUT
 * and a message naming the node index, node name and op_type.
 *
 * Element types: the network computes in float. Float and double
 * initializers are read as float; integer tensors only serve as shapes,
 * axes, pads and indices. */
#ifndef AX_FITNESS_NET_ONNX_IMPORT_H
#define AX_FITNESS_NET_ONNX_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "fitness/net/graph.h"
#include "util/err.h"

/* A tensor read from a TensorProto (.pb file of an ONNX test, initializer,
 * or a value the caller binds to a graph input). */
typedef struct onnx_tensor {
    char *name;       /* owned, "" if the proto had none */
    int is_int;       /* 0: float values in f; 1: integer values in i */
    int rank;
    int64_t dims[GRAPH_MAX_RANK];
    int64_t numel;
    float *f;         /* owned, numel values (NULL for an integer tensor) */
    int64_t *i;       /* owned, numel values (NULL for a float tensor) */
} onnx_tensor;

/* Reads a serialized TensorProto from a file. Float and double become f;
 * int8..int64, uint8..uint64 and bool become i. */
int onnx_tensor_read(const char *path, onnx_tensor *out, ax_err *err);
void onnx_tensor_clear(onnx_tensor *t);

typedef struct onnx_import_opts {
    /* 1: dimension 0 of every graph input is the image batch, whatever the
     * model declares there (a symbolic name or a fixed size such as 1 from
     * an export without dynamic axes); every operator must keep images
     * apart, and a Reshape whose target starts with the declared batch
     * size, 0, -1 or the batch taken from Shape keeps dim 0 as the batch.
     * This is the mode for real networks (infer, the emulator).
     * 0: shapes exactly as declared; symbolic dims are an error. This is
     * the mode of the ONNX node tests. */
    int batched;
    /* Graph inputs to replace by constants, matched by name (the integer
     * 'shape' input of the Reshape node tests, or weights fed as inputs).
     * A bound integer tensor may only feed shape/axes/pads operands. */
    int n_bind;
    const onnx_tensor *bind;
} onnx_import_opts;

/* Parses and imports a model. `what` names the source in messages (the
 * path). On failure *out is NULL and err says what and where; a truncated
 * or corrupted file, an unsupported operator or attribute, an inconsistent
 * shape are AX_EINPUT. */
int onnx_import_buffer(const void *data, size_t len, const char *what, const onnx_import_opts *opts,
                       graph **out, ax_err *err);
int onnx_import_file(const char *path, const onnx_import_opts *opts, graph **out, ax_err *err);

#endif
