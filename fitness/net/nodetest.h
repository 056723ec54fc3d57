/* nodetest: runs one ONNX backend test folder (model.onnx and
 * test_data_set_N/input_K.pb, output_K.pb, each a serialized TensorProto)
 * through onnx_import and fexec and compares with the expected outputs the
 * way ONNX's backend runner does: |got - expected| <= atol + rtol*|expected|
 * with rtol = 1e-3, atol = 1e-7 (numpy.testing.assert_allclose defaults of
 * onnx.backend.test.runner).
 *
 * Every data set is run twice when the model has more than one input:
 *   "fed":   the float inputs are fed at run time (the executor's general
 *            path: weights as activations, for instance);
 *   "bound": every input after the first is bound as a constant (the path
 *            of real models: weights folded, Gemm canonicalized, ...).
 * Integer inputs (a Reshape's shape) are bound in both. */
#ifndef AX_FITNESS_NET_NODETEST_H
#define AX_FITNESS_NET_NODETEST_H

#include "util/err.h"

#define NODETEST_RTOL 1e-3
#define NODETEST_ATOL 1e-7

typedef struct nodetest_result {
    int pass;            /* 1: every element of every output within tolerance */
    int n_sets;          /* data sets run */
    int n_runs;          /* imports + runs (sets x modes) */
    double max_abs_err;  /* largest |got - expected| over everything */
    double worst_ratio;  /* largest |got - expected| / (atol + rtol*|expected|); <= 1 passes */
    char where[256];     /* data set, mode, output and element of the worst ratio, or the shape mismatch */
} nodetest_result;

/* Runs the folder. A missing or unreadable file, a model the importer
 * refuses, inputs that do not fit the model: AX_EINPUT (or AX_EINTERNAL)
 * with err filled. A numerical or shape mismatch is not an error: AX_OK
 * with res->pass = 0. */
int nodetest_run(const char *dir, nodetest_result *res, ax_err *err);

#endif
