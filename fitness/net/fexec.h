/* fexec: float reference executor for the graph IR (fitness/net/graph.h).
 *
 * Runs every node in order on a batch of n images, one kernel per op, the
 * way the ONNX operator specifications define them (the ONNX backend node
 * tests are its reference). Accumulations are in float in a fixed order
 * (sums over channels and kernel positions ascending), reductions of
 * pooling, softmax and normalization in double.
 *
 * Threads (OpenMP): a batched run without an observer gives each thread a
 * contiguous slice of the images and runs the whole graph on it; otherwise
 * (an observer, an unbatched graph, one image) each kernel parallelizes its
 * outer loop (image x group, image x channel, or output rows). Either way
 * every output element is computed by one thread in a fixed order (bias,
 * then the sum over input channels and kernel positions ascending) and
 * nothing is reduced across threads or images, so results are
 * bit-identical for any thread count and any batch composition.
 *
 * Memory: each activation lives from its producing node to its last
 * reader, so the peak is a few activations of the batch; choose n so that
 * n images of the widest layers fit (a few hundred images for small CNNs). */
#ifndef AX_FITNESS_NET_FEXEC_H
#define AX_FITNESS_NET_FEXEC_H

#include <stdint.h>

#include "fitness/net/graph.h"
#include "util/err.h"

/* Observer of every activation: called on the calling thread for each graph
 * input (before the first node) and each node's output right after that
 * node ran, in node order. data holds the whole batch, row-major with the
 * concrete dims (batch dimension = n); it is valid only during the call.
 * Return AX_OK to continue; any other status stops the run with that
 * status (fill err to say why). Calibration collects activation ranges
 * through this. */
typedef int (*fexec_observe_fn)(void *ctx, const graph *g, int tensor, const float *data,
                                int rank, const int64_t *dims, ax_err *err);

typedef struct fexec_opts {
    int threads;               /* OpenMP threads; 0 = the OpenMP default */
    fexec_observe_fn observe;  /* NULL = none */
    void *observe_ctx;
} fexec_opts;

/* Runs g on n images. inputs[i] holds graph_tensor_numel(g, g->inputs[i],
 * n) floats for graph input i; outputs[i] receives graph_tensor_numel(g,
 * g->outputs[i], n) floats (caller-allocated). In an unbatched graph n must
 * be 1. opts may be NULL. Returns AX_OK, AX_EINPUT (bad n), AX_EINTERNAL
 * (memory), or an observer's status. */
int fexec_run(const graph *g, int64_t n, const float *const *inputs, float *const *outputs,
              const fexec_opts *opts, ax_err *err);

/* Evaluates nodes[node], all of whose inputs must be constants, into a
 * malloc'ed array of graph_tensor_numel(g, out, 1) floats (*out, caller
 * frees). The importer folds constant subgraphs with it. */
int fexec_eval_const_node(const graph *g, int node, float **out, ax_err *err);

#endif
