/* bytebuf: little-endian binary records (checkpoints, saved state), the
 * same bytes on every host. A writer grows as needed and remembers running
 * out of memory; a reader never reads past its end and remembers it. */
#ifndef AX_UTIL_BYTEBUF_H
#define AX_UTIL_BYTEBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct bb_writer {
    unsigned char *p; /* owned; free() it */
    size_t n, cap;
    int oom;          /* an append failed: p holds only what came before */
} bb_writer;

void bb_put_bytes(bb_writer *w, const void *data, size_t len);
void bb_put_u32(bb_writer *w, uint32_t v);
void bb_put_u64(bb_writer *w, uint64_t v);
void bb_put_f64(bb_writer *w, double v); /* the IEEE bits */

typedef struct bb_reader {
    const unsigned char *p; /* not owned */
    size_t n, pos;
    int short_read; /* a read went past the end: values read since are 0 */
} bb_reader;

/* The next len bytes, or NULL (and short_read set) if fewer remain. */
const unsigned char *bb_take(bb_reader *r, size_t len);
uint32_t bb_get_u32(bb_reader *r);
uint64_t bb_get_u64(bb_reader *r);
double bb_get_f64(bb_reader *r);

#endif
