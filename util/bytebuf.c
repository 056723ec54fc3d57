#include "util/bytebuf.h"

#include <stdlib.h>
#include <string.h>

void bb_put_bytes(bb_writer *w, const void *data, size_t len)
{
    if (w->oom || len == 0)
        return;
    if (w->n + len > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->n + len)
            cap *= 2;
        unsigned char *q = realloc(w->p, cap);
        if (!q) {
            w->oom = 1;
            return;
        }
        w->p = q;
        w->cap = cap;
    }
    memcpy(w->p + w->n, data, len);
    w->n += len;
}

void bb_put_u64(bb_writer *w, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    bb_put_bytes(w, b, 8);
}

void bb_put_u32(bb_writer *w, uint32_t v)
{
    unsigned char b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    bb_put_bytes(w, b, 4);
}

void bb_put_f64(bb_writer *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    bb_put_u64(w, u);
}

const unsigned char *bb_take(bb_reader *r, size_t len)
{
    if (r->short_read || r->n - r->pos < len) {
        r->short_read = 1;
        return NULL;
    }
    const unsigned char *q = r->p + r->pos;
    r->pos += len;
    return q;
}

uint64_t bb_get_u64(bb_reader *r)
{
    const unsigned char *b = bb_take(r, 8);
    uint64_t v = 0;
    for (int i = 0; b && i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

uint32_t bb_get_u32(bb_reader *r)
{
    const unsigned char *b = bb_take(r, 4);
    uint32_t v = 0;
    for (int i = 0; b && i < 4; i++)
        v |= (uint32_t)b[i] << (8 * i);
    return v;
}

double bb_get_f64(bb_reader *r)
{
    uint64_t u = bb_get_u64(r);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}
