/* fuzz_support: what the libFuzzer targets of tests/fuzz share. Each target
 * defines LLVMFuzzerTestOneInput and feeds one reader of axsearch the
 * input: as text (NUL-terminated copy), or as a file at a per-process
 * path for the readers that take a path. Built and run by `make fuzz`. */
#ifndef AX_TESTS_FUZZ_SUPPORT_H
#define AX_TESTS_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cli/run_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'ed NUL-terminated copy of data (caller frees); aborts when out
 * of memory, which libFuzzer reports. */
char *fuzz_text(const uint8_t *data, size_t size);

/* Writes data to /tmp/axsearch-fuzz-PID-<name> and returns that path (a
 * static buffer, overwritten by the next call with the same name). */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* Opens the environment the state and baselines targets read their inputs
 * against: LeNet-5 (models/, so run from the repository root, as make
 * fuzz does) on 20 images per split, one thread, no baselines; also what
 * tests/fuzz/corpus/{state,baselines}/ were written with. 0, or -1 with a
 * message on stderr. */
int fuzz_lenet_env(run_env *e);

#endif
