/* frame: the one layout of every binary file axsearch writes (the NSGA-II
 * checkpoint, the baselines' checkpoint):
 *
 *   magic    8 bytes, names the kind of file
 *   version  u32, little-endian: the body's layout
 *   body     the caller's bytes (util/bytebuf.h records)
 *   checksum u64, little-endian: FNV-1a 64 of every byte before it
 *
 * Written atomically (util/fileio.h): a reader sees the old file or the new
 * one, never a mix. The checksum guards against damage, not against a file
 * written for another configuration: callers still check what they read. */
#ifndef AX_UTIL_FRAME_H
#define AX_UTIL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define FRAME_MAGIC_BYTES 8
#define FRAME_OVERHEAD (FRAME_MAGIC_BYTES + 4 + 8)

/* Writes magic, version, body and checksum to path atomically. */
int frame_write(const char *path, const unsigned char magic[FRAME_MAGIC_BYTES], uint32_t version,
                const void *body, size_t len, ax_err *err);

/* Reads path and checks, in this order, its magic (AX_EINPUT "not <what>"),
 * its checksum ("truncated or damaged") and its version. On success *data
 * is the whole file (caller frees) and *body, *len its body, which points
 * into *data. Every failure is AX_EINPUT naming path, except running out
 * of memory. */
int frame_read(const char *path, const unsigned char magic[FRAME_MAGIC_BYTES], uint32_t version,
               const char *what, unsigned char **data, const unsigned char **body, size_t *len, ax_err *err);

#endif
