/* emu: the approximate emulator. Runs a quantized network (fitness/emu/qnet.h)
 * on raw images with a chosen product table in every MAC layer.
 *
 * Images are processed in blocks; a block runs through the whole network on
 * one thread, each MAC layer lowered to a GEMM over the block (im2col,
 * fitness/emu/kern.h). Blocks are spread over OpenMP threads. Every image's
 * result depends only on that image, the network and the tables, so results
 * are identical for any thread count and block size.
 *
 * With the exact table (or none) a layer computes exactly the plain int8
 * result: sum (a - z_a)(w - z_w) + bias, requantized. */
#ifndef AX_FITNESS_EMU_EMU_H
#define AX_FITNESS_EMU_EMU_H

#include <stdint.h>

#include "fitness/emu/pcache.h"
#include "fitness/emu/qnet.h"
#include "util/err.h"

/* A product table prepared for the kernels (transposed copy, properties). */
typedef struct emu_table emu_table;

/* lut: 65,536 products, entry a * 256 + w (a = activation code, w = weight
 * code), as the multiplier library and TFApprox files hold them. Copied. */
emu_table *emu_table_create(const uint16_t *lut, ax_err *err);
void emu_table_free(emu_table *t);
/* 1 if the table is exact multiplication (the exact kernel is used). */
int emu_table_is_exact(const emu_table *t);

/* Bit errors of one datum on its way (fitness/faults: voltages -> rates):
 * up to three independent flip processes, each flipping the bits of `mask`
 * with probability p (e.g. the low-swing bits of a NoC word, its full-swing
 * bits, and the cells of an undervolted SRAM). */
typedef struct emu_flip_spec {
    int n;
    struct {
        uint32_t mask;
        double p;
    } cls[3];
} emu_flip_spec;

/* Where errors enter, per MAC layer (weight-stationary Simba-like paths,
 * accel_model/dataflow.h):
 * - weights: crossing the NoC once when loaded and held in the weight
 *   buffer: one fault map per repetition (stream (seed, FAULT, rep, -1,
 *   layer, 0)), applied to the stored codes; the precomputed zero-point
 *   term z_a sum w keeps the fault-free weights, as hardware folds it
 *   offline;
 * - inputs: crossing the NoC and held in the PE input buffer: fresh flips
 *   per image (stream (seed, FAULT, rep, image, layer, 1)) on the layer's
 *   copy of its input (other readers of that tensor, e.g. a residual path,
 *   see the clean codes); every PE that receives a multicast element
 *   shares its flips (one draw per element and image); the sum of
 *   activations in the zero-point term is taken over the flipped codes, as
 *   the hardware sums what it reads;
 * - outputs: requantized codes crossing the NoC back to the global buffer:
 *   fresh flips per image (stream (seed, FAULT, rep, image, layer, 2)),
 *   seen by every reader. The final layer's scores are not requantized and
 *   get none.
 * Streams depend on the dataset image index, not on the block or thread, so
 * every chromosome at a given (image, repetition) sees the same draws
 * (common random numbers). */
typedef struct emu_faults {
    uint64_t seed;
    uint64_t rep;
    const emu_flip_spec *weights; /* [n_layers], or NULL: none */
    const emu_flip_spec *inputs;  /* [n_layers], or NULL */
    const emu_flip_spec *outputs; /* [n_layers], or NULL */
} emu_faults;

/* What accuracy recovery (fitness/emu/recover.h) stores in place of a MAC
 * layer's own weights and bias when an approximate table runs it. The
 * zero-point term z_a sum w keeps the layer's own weights: a tuned code w'
 * stands for the product a w of the original w, and hardware folds that
 * term offline. */
typedef struct emu_layer_fix {
    const uint8_t *weights; /* [M][K] codes stored in the weight buffers */
    const int32_t *bias;    /* [M] int32 bias, units s_in s_w[m] */
} emu_layer_fix;

/* The emulator's profile (emu_options.profile): where a run's time goes,
 * by the kind of operation and the phase of its work. */
enum emu_kind {
    EMU_KIND_CONV,      /* convolution, kernel larger than 1 x 1, not depthwise */
    EMU_KIND_POINTWISE, /* 1 x 1 convolution */
    EMU_KIND_DEPTHWISE, /* one input channel per group */
    EMU_KIND_FC,        /* fully connected (Gemm) */
    EMU_KIND_OTHER,     /* input codes, pools, adds, pads, tables, concats, the prefix cache */
    EMU_KINDS
};
enum emu_phase {
    EMU_PHASE_PACK,    /* im2col or the FC transpose, with the column sums */
    EMU_PHASE_KERNEL,  /* the MAC kernel */
    EMU_PHASE_REQUANT, /* zero-point terms, requantization, clamping (or the final scores) */
    EMU_PHASE_FAULTS,  /* copying and flipping the PE inputs and outputs */
    EMU_PHASE_OPS,     /* the other operations, input codes included */
    EMU_PHASE_CACHE,   /* prefix cache keys, look-ups and stores */
    EMU_PHASES
};
const char *emu_kind_name(int kind);
const char *emu_phase_name(int phase);

typedef struct emu_options {
    /* [n_layers] tables, one per MAC layer; NULL (the array or an entry)
     * means exact multiplication. Not owned. */
    const emu_table *const *tables;
    /* [n_layers] recovery fixes; NULL (the array or an entry): the layer's
     * own weights and bias. Weight faults flip the fixed codes. Not owned;
     * the prefix cache tells fixes apart by their address, like tables, so
     * tables and fixes must live as long as a cache that saw them. A fix
     * belongs to the table it was made for (fitness/emu/recover.h). */
    const emu_layer_fix *const *fixes;
    int threads; /* OpenMP threads; 0 = the OpenMP default */
    int block;   /* images per block; 0 = 32 */
    const emu_faults *faults; /* NULL: none */
    int64_t first_image;      /* dataset index of pixels[0], for the fault streams */
    /* Prefix reuse: after every MAC layer (but the final one) the block's
     * live activations are kept in the cache under a key of the block
     * (first image index, size), and for each layer so far its product
     * table and, with faults, the seed, repetition and flip rates; a block
     * starts from the deepest layer found. Pointers identify the tables,
     * so one cache serves one set of live tables. NULL: none. */
    pcache *cache;
    int profile; /* 1: time the phases into emu_stats.profile (a few clock reads per layer and block) */
} emu_options;

typedef struct emu_stats {
    uint64_t flips;      /* bits flipped (weights once, activations per image) */
    uint64_t weight_flips; /* of those, in the weight fault maps */
    double macs;         /* MACs of the images run */
    double macs_skipped; /* of those, taken from the prefix cache */
    double profile[EMU_KINDS][EMU_PHASES]; /* thread-seconds, with emu_options.profile; else 0 */
} emu_stats;

/* Scores of n images (pixels [n][H*W], uint8) into scores [n][classes].
 * stats may be NULL. */
int emu_run(const qnet *q, const uint8_t *pixels, int64_t n, const emu_options *o, float *scores,
            emu_stats *stats, ax_err *err);

/* Number of the n images whose highest score (first on ties) in scores
 * [n][classes] is their label; right [n] (may be NULL) gets 1 or 0 per
 * image. */
int64_t emu_count_right(const float *scores, const uint16_t *labels, int64_t n, int classes, uint8_t *right);

/* Number of images whose highest score (first on ties) is their label. */
int emu_top1(const qnet *q, const uint8_t *pixels, const uint16_t *labels, int64_t n,
             const emu_options *o, int64_t *correct, emu_stats *stats, ax_err *err);

/* Activation histograms of the MAC layers' inputs as their products see
 * them: hist[l][(g * K + k) * 256 + a] += the number of products of group g
 * at position k = (c, r, s) of the im2col matrix (padding included, as the
 * zero point) whose activation code is a, over n images of the exact,
 * fault-free network. hist[l] has group * K * 256 entries, allocated by the
 * caller; counts are added. Thread-count independent. */
int emu_histograms(const qnet *q, const uint8_t *pixels, int64_t n, int threads, uint64_t *const *hist,
                   ax_err *err);

/* Expected flips of one run over n images (weights counted once). */
double emu_expected_flips(const qnet *q, const emu_faults *f, int64_t n);

#endif
