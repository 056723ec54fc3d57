/* fileio: whole-file reads and atomic writes.
 *
 * Outputs are never half-written: an atomic writer writes to a temporary file
 * beside the target (same directory, so rename is atomic), then flushes,
 * fsyncs and renames it over the target on commit; abort removes it. */
#ifndef AX_UTIL_FILEIO_H
#define AX_UTIL_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

/* The most each kind of file may hold: a reader refuses a larger one (a
 * stream such as /dev/zero included) with a message, in time linear in
 * the limit, instead of filling memory. */
#define FIO_MAX_TEXT ((size_t)16 << 20)  /* configs, chip files, layer tables, library indexes, product tables */
#define FIO_MAX_MODEL ((size_t)1 << 30)  /* ONNX models (protobuf's own limit is 2 GiB) */
#define FIO_MAX_STATE ((size_t)4 << 30)  /* checkpoints and baselines records */

/* Reads a whole file of at most max bytes into a malloc'ed buffer (caller
 * frees *data; a NUL is appended after the last byte, not counted in
 * *len). A larger file (or an endless stream) is AX_EINPUT naming path and
 * the limit; a folder is AX_EINPUT. */
int fio_read_all(const char *path, size_t max, unsigned char **data, size_t *len, ax_err *err);

/* Continues FNV-1a 64 (util/hash.h) *h over the bytes of a regular file,
 * read in pieces (a file of any size, in constant memory). AX_EINPUT
 * naming path when it cannot be read or is not a regular file. */
int fio_hash_file(const char *path, uint64_t *h, ax_err *err);

/* AX_EINPUT naming name and the line when a line of text holds more than
 * max characters (a line-based reader with a fixed buffer, such as
 * libinih's, would cut it and read the rest as a line of its own). */
int fio_check_line_lengths(const char *text, const char *name, size_t max, ax_err *err);

/* AX_EINPUT naming name, the line and the section when an INI text opens
 * the same [section] twice (libinih would merge the two silently). */
int fio_check_ini_sections(const char *text, const char *name, ax_err *err);

typedef struct fio_atomic fio_atomic;

/* Opens "<path>.tmp.<pid>" for writing. Returns NULL and fills err on
 * failure (an unwritable folder is AX_EINPUT). */
fio_atomic *fio_atomic_open(const char *path, ax_err *err);

/* The stream to write to; owned by the writer, do not fclose it. */
FILE *fio_atomic_stream(fio_atomic *w);

/* Flushes, syncs, closes and renames onto the target, then frees w (also on
 * failure, after removing the temporary file). */
int fio_atomic_commit(fio_atomic *w, ax_err *err);

/* Closes and removes the temporary file, frees w; NULL is a no-op. */
void fio_atomic_abort(fio_atomic *w);

/* "dir/name" into out (cut to size, always terminated). */
void fio_join(char *out, size_t size, const char *dir, const char *name);

/* One-shot: writes len bytes atomically to path. */
int fio_write_atomic(const char *path, const void *data, size_t len, ax_err *err);

#endif
