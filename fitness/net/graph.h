/* graph: the float network IR that ONNX import produces and that the float
 * executor (fexec) and the quantized emulator run.
 *
 * What import guarantees (onnx_import.h builds it; nothing else edits it):
 *
 * - Nodes are topologically sorted: every input of nodes[i] is a constant, a
 *   graph input or the output of some nodes[j], j < i. Every node has exactly
 *   one output tensor and no two nodes write the same tensor.
 * - Only the operators of graph_op remain. Constant nodes, Identity, Dropout
 *   and the shape chains (Shape, Gather, Unsqueeze, Concat of int64 feeding
 *   Reshape) are folded away; so is every node whose inputs are all
 *   constants (Transpose of a weight, for instance). Flatten and Reshape are
 *   one op, GRAPH_OP_RESHAPE, whose static target is its output's shape.
 * - BatchNormalization that directly follows a Conv whose output feeds
 *   nothing else is folded into that Conv's weights and bias. Any other BN
 *   stays a GRAPH_OP_BATCHNORM node with constant parameters (in a batched
 *   graph) that the executor runs.
 * - Canonical MAC layers (what the emulator relies on):
 *     Conv: in = {X, W, bias}, always three inputs; W is [M][C/group][kh][kw],
 *       bias is a constant [M] (zeros when the model had none). In a batched
 *       graph W is constant. auto_pad is resolved to explicit pads.
 *     Gemm with a constant B: transB = 1 (B stored [M][K], one row per output
 *       feature) and alpha = 1 (folded into B). A constant C gets beta folded
 *       in (beta = 1) and, when it does not vary by row, the shape [M]; C may
 *       also be absent, or (unbatched graphs only) a non-constant or a
 *       per-row [rows][M] matrix. Gemm with a non-constant B (unbatched graphs
 *       only) keeps the ONNX attributes as they were.
 *     MatMul of a 2-D activation by a constant 2-D B becomes such a Gemm.
 *       Other MatMuls stay GRAPH_OP_MATMUL (numpy matmul semantics).
 * - Shapes are static. In a batched graph (g->batched = 1), dims[0] of every
 *   activation tensor (graph inputs and node outputs) is GRAPH_DIM_BATCH,
 *   the image count chosen at run time; every other dimension is known, and
 *   no operator mixes images (import refuses Concat on axis 0, a Reshape
 *   that changes dim 0, and so on). Constants never carry the batch
 *   dimension. In an unbatched graph (the ONNX node tests) every shape is
 *   exactly as the model declares and no dims[] is GRAPH_DIM_BATCH.
 * - Layouts are ONNX's: row-major, activations NCHW (1-D convolutions and
 *   pools keep their rank-3 [N][C][L] tensors; their attributes are stored
 *   as 2-D with a height of 1, see graph_conv).
 *
 * Ownership: a graph owns its names, its arrays and the float data of its
 * constants; graph_free releases everything. The structs are open for
 * reading; treat a graph as immutable after import. */
#ifndef AX_FITNESS_NET_GRAPH_H
#define AX_FITNESS_NET_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define GRAPH_MAX_RANK 8
/* The most input channels a per-channel normalization lists. */
#define GRAPH_MAX_NORM 64
/* dims[0] of an activation tensor in a batched graph. */
#define GRAPH_DIM_BATCH ((int64_t)-1)

typedef enum graph_op {
    GRAPH_OP_CONV,          /* in {X, W, bias}; attrs .conv */
    GRAPH_OP_GEMM,          /* in {A, B} or {A, B, C}; attrs .gemm */
    GRAPH_OP_MATMUL,        /* in {A, B}; numpy matmul with broadcasting */
    GRAPH_OP_RELU,          /* in {X} */
    GRAPH_OP_CLIP,          /* in {X}; attrs .clip (bounds resolved) */
    GRAPH_OP_MAXPOOL,       /* in {X}; attrs .pool */
    GRAPH_OP_AVGPOOL,       /* in {X}; attrs .pool */
    GRAPH_OP_GLOBALAVGPOOL, /* in {X}: mean over every dimension after 1 */
    GRAPH_OP_ADD,           /* in {A, B}; numpy broadcasting to the output */
    GRAPH_OP_BATCHNORM,     /* in {X, scale, B, mean, var}; attrs .bn */
    GRAPH_OP_RESHAPE,       /* in {X}; output shape = target (Flatten too) */
    GRAPH_OP_SOFTMAX,       /* in {X}; attrs .softmax */
    GRAPH_OP_CONCAT,        /* in {X0..Xk-1}; attrs .concat */
    GRAPH_OP_PAD,           /* in {X}; attrs .pad (constant mode only) */
    GRAPH_OP_COUNT
} graph_op;

/* Convolution and pooling geometry, always 2-D: index 0 is height, 1 is
 * width. A 1-D op (rank-3 tensors [N][C][L]) is stored with kernel[0] = 1,
 * stride[0] = dilation[0] = 1, pad_top = pad_bottom = 0 and its length as
 * the width. Pads are explicit (auto_pad resolved at import). */
typedef struct graph_window {
    int kernel[2];   /* kh, kw (R, S) */
    int stride[2];
    int dilation[2];
    int pad[4];      /* top, left, bottom, right, in input pixels */
} graph_window;

typedef struct graph_conv {
    graph_window win;
    int group;       /* 1 plain, C depthwise; C and M divisible by it */
} graph_conv;

typedef struct graph_pool {
    graph_window win;
    /* AveragePool only: 1 = padded positions count in the divisor (the
     * window is still clipped at the far end of the padded input, as
     * PyTorch and onnxruntime do in ceil mode); 0 = divide by the number of
     * input pixels in the window. */
    int count_include_pad;
    int ceil_mode;   /* informative: the output shape already reflects it */
} graph_pool;

typedef struct graph_gemm {
    float alpha, beta;
    int trans_a, trans_b;
} graph_gemm;

typedef struct graph_clip {
    float lo, hi;    /* -INFINITY / INFINITY when absent */
} graph_clip;

typedef struct graph_bn {
    float epsilon;
} graph_bn;

typedef struct graph_softmax {
    int axis;        /* normalized to 0..rank-1 */
    /* 1 (opset < 13): the input is viewed as 2-D [prod(dims[<axis])]
     * [prod(dims[>=axis])] and each row is normalized; 0 (opset >= 13):
     * normalized along dims[axis] alone. */
    int coerce_2d;
} graph_softmax;

typedef struct graph_concat {
    int axis;        /* normalized to 0..rank-1 */
} graph_concat;

typedef struct graph_pad {
    int64_t pads[2 * GRAPH_MAX_RANK]; /* ONNX order: begin of every axis, then end; may be negative (crop) */
    float value;
} graph_pad;

typedef struct graph_node {
    graph_op op;
    char *name;        /* ONNX node name ("" if it had none), owned */
    int onnx_index;    /* position in the ONNX file's node list, for messages */
    int n_in;
    int *in;           /* tensor ids, owned; never -1 */
    int out;           /* tensor id */
    union {
        graph_conv conv;
        graph_pool pool;
        graph_gemm gemm;
        graph_clip clip;
        graph_bn bn;
        graph_softmax softmax;
        graph_concat concat;
        graph_pad pad;
    } a;
} graph_node;

typedef struct graph_tensor {
    char *name;        /* ONNX value name, owned */
    int rank;
    int64_t dims[GRAPH_MAX_RANK]; /* dims[0] may be GRAPH_DIM_BATCH, see above */
    float *data;       /* constant: row-major values, owned; NULL for activations */
    int producer;      /* node index, or -1 for graph inputs and constants */
} graph_tensor;

typedef struct graph {
    int n_tensors;
    graph_tensor *tensors;
    int n_nodes;
    graph_node *nodes;   /* topological order */
    int n_inputs;
    int *inputs;         /* activation tensors the caller feeds, in ONNX order */
    int n_outputs;
    int *outputs;        /* tensors the run returns, in ONNX order */
    int batched;         /* 1: dims[0] of activations is the run's batch */
    int opset;           /* default-domain opset the model was written for */
    /* Input normalization the model expects, from metadata_props
     * axsearch.input_mean / axsearch.input_std, each one number or a comma
     * list of one per input channel (defaults 0 and 1): channel c is fed
     * (pixel / 255 - input_mean[c]) / input_std[c]. A list of one applies
     * to every channel; import checks a longer list against the input's
     * channels (dims[1]). Read through graph_input_norm. */
    int n_input_mean, n_input_std;
    float input_mean[GRAPH_MAX_NORM], input_std[GRAPH_MAX_NORM];
} graph;

/* An empty graph (all counts 0, input_mean 0, input_std 1), or NULL when
 * out of memory. */
graph *graph_create(void);

/* The channels of the (first) input: dims[1] of a rank-4 [N][C][H][W]
 * input, else 1 (the image is one plane). */
int graph_input_channels(const graph *g);
/* The mean and std of input channel c. */
void graph_input_norm(const graph *g, int c, float *mean, float *std);
/* The model input of n images of raw pixels ([n][C][H][W] uint8, the
 * input's own layout) into out (same layout, float): every channel
 * mapped through idx_to_float with its own mean and std. */
void graph_input_from_pixels(const graph *g, const uint8_t *pixels, int64_t n, float *out);
/* Sets the input's means (is_std 0) or stds (1) from text: one number or
 * a comma list of up to GRAPH_MAX_NORM, each finite, stds > 0; AX_EINPUT
 * naming `name` and the text otherwise (g unchanged). */
int graph_parse_norm(graph *g, int is_std, const char *text, const char *name, ax_err *err);
/* A list of more than one value must name every input channel;
 * AX_EINPUT naming the list (mean_name or std_name) otherwise. */
int graph_check_norm(const graph *g, const char *mean_name, const char *std_name, ax_err *err);
/* "mean M std S", each a comma list when per channel, into buf. */
void graph_input_norm_text(const graph *g, char *buf, size_t size);
void graph_free(graph *g);

/* Appends a tensor (name copied; data, when not NULL, is taken over and
 * must hold graph_tensor_numel(..., 1) floats). Returns its id, or -1 when
 * out of memory (data is freed then). */
int graph_add_tensor(graph *g, const char *name, int rank, const int64_t *dims, float *data);

/* Appends a node with a copy of in[]; sets producer of out. Returns its
 * index, or -1 when out of memory. */
int graph_add_node(graph *g, graph_op op, const char *name, int onnx_index,
                   int n_in, const int *in, int out);

/* Removes nodes[i] (keeps the order of the others, fixes producers). */
void graph_remove_node(graph *g, int i);

/* Drops tensors that no node, input or output refers to, renumbering the
 * rest in their existing order. Returns AX_OK or AX_EINTERNAL (memory). */
int graph_compact(graph *g, ax_err *err);

/* Name of the op ("Conv", "Gemm", ...; "Reshape" for Flatten too). */
const char *graph_op_name(graph_op op);

/* Number of elements of tensor t with the batch dimension set to n (n is
 * ignored for tensors without one). */
int64_t graph_tensor_numel(const graph *g, int t, int64_t n);

/* Elements per image: the product of dims[1..] for a batched activation,
 * all elements otherwise. */
int64_t graph_tensor_image_numel(const graph *g, int t);

/* Concrete dims of tensor t with the batch dimension set to n. */
void graph_tensor_dims(const graph *g, int t, int64_t n, int64_t dims[GRAPH_MAX_RANK]);

int graph_is_const(const graph *g, int t);

/* Number of nodes that read tensor t (a node reading it twice counts twice),
 * plus one per graph output that is t. */
int graph_use_count(const graph *g, int t);

/* Consistency check of the invariants above (topological order, ids in
 * range, single producer, canonical Conv/Gemm inputs, batch marks). Used by
 * tests and by import as a last step. */
int graph_validate(const graph *g, ax_err *err);

/* One multiply-accumulate layer, in Timeloop's loop-nest terms. For Conv:
 * N images (1 per image in a batched graph, the fixed dim 0 otherwise), M
 * output channels (all groups), C input channels per group, P x Q output
 * pixels, R x S kernel; MACs = N*M*C*P*Q*R*S. For Gemm (constant B, so
 * fully connected): M output features, C input features (K), P rows per
 * image (1 for the usual [N][K] input; in an unbatched graph N = 1 and P =
 * all rows), Q = R = S = 1. For MatMul with a constant B of rank 2: P =
 * product of A's dims between the batch and the last, C = K, M = B's
 * columns. */
typedef struct graph_mac_layer {
    int node;          /* index into g->nodes */
    graph_op op;       /* GRAPH_OP_CONV, _GEMM or _MATMUL */
    int input;         /* activation tensor id */
    int weight;        /* constant tensor id: Conv [M][C][R][S], Gemm [M][K], MatMul [K][M] */
    int bias;          /* constant tensor id [M], or -1 */
    int output;        /* tensor id */
    int64_t N, M, C, P, Q, R, S;
    int64_t H, W;      /* input height and width (Conv; 1 x K for Gemm) */
    int group;         /* 1 except grouped / depthwise Conv */
    int stride[2], dilation[2], pad[4];
    int64_t macs;      /* N*M*C*P*Q*R*S */
} graph_mac_layer;

/* Lists the MAC layers (Conv, and Gemm/MatMul whose weight operand is a
 * constant) in node order, numbered 0..L-1. *layers is malloc'ed (NULL
 * when L = 0); the caller frees it. */
int graph_mac_layers(const graph *g, graph_mac_layer **layers, int *n_layers, ax_err *err);

#endif
