/* onnx_build: writes small ONNX models from C for the tests (protobuf-c
 * messages filled by hand, packed to bytes). Test support only: aborts on
 * out of memory. Every string and array is copied into the builder's arena
 * and released by ob_free. */
#ifndef AX_TESTS_ONNX_BUILD_H
#define AX_TESTS_ONNX_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "fitness/net/graph.h"
#include "util/err.h"

typedef struct ob_model ob_model;
typedef struct ob_node ob_node;

/* OB_DYN in a dims[] of ob_input/ob_output: a symbolic dimension "N". */
#define OB_DYN ((int64_t)-1)

ob_model *ob_new(int opset);
void ob_free(ob_model *m);

void ob_input(ob_model *m, const char *name, int rank, const int64_t *dims);
/* rank < 0: no declared shape. */
void ob_output(ob_model *m, const char *name, int rank, const int64_t *dims);
void ob_init_f(ob_model *m, const char *name, int rank, const int64_t *dims, const float *data);
void ob_init_i(ob_model *m, const char *name, int rank, const int64_t *dims, const int64_t *data);
void ob_meta(ob_model *m, const char *key, const char *value);

/* inputs and outputs: comma-separated names ("" for none; an empty item,
 * as in "x,,y", is an omitted optional input). */
ob_node *ob_node_add(ob_model *m, const char *op, const char *name, const char *inputs, const char *outputs);
void ob_attr_i(ob_node *n, const char *name, int64_t v);
void ob_attr_f(ob_node *n, const char *name, float v);
void ob_attr_s(ob_node *n, const char *name, const char *v);
void ob_attr_ints(ob_node *n, const char *name, int count, const int64_t *v);
void ob_attr_tensor_f(ob_node *n, const char *name, int rank, const int64_t *dims, const float *data);
void ob_attr_tensor_i(ob_node *n, const char *name, int rank, const int64_t *dims, const int64_t *data);

/* Serialized model, malloc'ed (caller frees). */
unsigned char *ob_pack(ob_model *m, size_t *len);
/* The model imported as a batched graph (fitness/net/onnx_import.h) under
 * the name `name`; NULL with err filled on failure. */
graph *ob_import(ob_model *m, const char *name, ax_err *err);
/* Writes the serialized model to path; 0 on success. */
int ob_write(ob_model *m, const char *path);

/* Serialized TensorProto of float data (for test_data_set files). */
unsigned char *ob_pack_tensor_f(const char *name, int rank, const int64_t *dims, const float *data, size_t *len);
int ob_write_bytes(const char *path, const void *data, size_t len);

#endif
