/* glue: what ties the parts together for the commands — a network's MAC
 * layers as the accelerator model's layer shapes, and a library multiplier
 * as the accelerator model's multiplier cost. Only cli/ may know both
 * sides. */
#ifndef AX_CLI_GLUE_H
#define AX_CLI_GLUE_H

#include <stddef.h>

#include "accel_model/energy.h"
#include "accel_model/layer.h"
#include "approx/mult_lib.h"
#include "fitness/graph.h"
#include "util/err.h"

/* One shape per MAC layer of g, in layer order, for one image (N = 1);
 * *shapes is malloc'ed (caller frees). */
int glue_layer_shapes(const graph *g, accel_layer_shape **shapes, size_t *n, ax_err *err);

/* The cost the accelerator model takes from a library entry. */
accel_mult_cost glue_mult_cost(const mult_entry *e);

/* Splits "a,b,c" into at most cap names (pointers into a malloc'ed copy,
 * *storage, caller frees). */
int glue_split_names(const char *opt, const char *list, char ***names, size_t *n, char **storage,
                     ax_err *err);

#endif
