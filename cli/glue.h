/* glue: what ties the parts together for the commands — a network's MAC
 * layers as the accelerator model's layer shapes, and a library multiplier
 * as the accelerator model's multiplier cost. Only cli/ may know both
 * sides. */
#ifndef AX_CLI_GLUE_H
#define AX_CLI_GLUE_H

#include <stddef.h>

#include "accel_model/arch.h"
#include "accel_model/energy.h"
#include "accel_model/layer.h"
#include "approx/mult_lib.h"
#include "fitness/emu/faultmap.h"
#include "fitness/net/dataset.h"
#include "fitness/net/graph.h"
#include "fitness/emu/qnet.h"
#include "fitness/emu/recover.h"
#include "util/err.h"

/* One shape per MAC layer of g, in layer order, for one image (N = 1);
 * *shapes is malloc'ed (caller frees). */
int glue_layer_shapes(const graph *g, accel_layer_shape **shapes, size_t *n, ax_err *err);

/* The cost the accelerator model takes from a library entry. */
accel_mult_cost glue_mult_cost(const mult_entry *e);

/* Replaces g's input normalisation by the texts given (NULL or "": the
 * model's own), each one value or one per channel, named in messages by
 * mean_name and std_name. */
int glue_input_norm(graph *g, const char *mean, const char *std, const char *mean_name, const char *std_name,
                    ax_err *err);

/* Quantizes g, calibrating on the first `calib` images of the training
 * split of data (NULL: the default source; image folders are brought to
 * g's input). */
int glue_quantize(const graph *g, const ds_source *data, long calib, int threads, qnet **q,
                  ax_err *err);

/* The activation histograms accuracy recovery needs (fitness/emu/recover.h),
 * on the same first `calib` training images that calibrated q (data fitted
 * to the model's input: ds_source_fit). */
int glue_recovery_hist(const qnet *q, const ds_source *data, long calib, int threads, rec_hist **h,
                       ax_err *err);

/* Imports an ONNX classifier (batched) and quantizes it as above. The model
 * path prefixes error messages. */
int glue_load_qnet(const char *model, const ds_source *data, long calib, int threads, graph **g,
                   qnet **q, ax_err *err);

/* The fault model of a chip: the default SRAM failure curve, and the
 * nominal SRAM supply and link swing of the architecture. *sram is owned by
 * the caller (fault_sram_free). */
int glue_fault_model(const accel_arch *arch, fault_sram **sram, fmap_model *m, ax_err *err);

/* The mesh links each layer's data cross on the chip (fitness/emu/faultmap.h),
 * from the network mapped with exact multipliers; *links malloc'ed [L]. */
int glue_fault_links(const graph *g, const accel_arch *arch, fmap_links **links, ax_err *err);

/* Splits "a,b,c" into at most cap names (pointers into a malloc'ed copy,
 * *storage, caller frees). */
int glue_split_names(const char *opt, const char *list, char ***names, size_t *n, char **storage,
                     ax_err *err);

#endif
