#include "util/frame.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytebuf.h"
#include "util/fileio.h"
#include "util/hash.h"

int frame_write(const char *path, const unsigned char magic[FRAME_MAGIC_BYTES], uint32_t version,
                const void *body, size_t len, ax_err *err)
{
    bb_writer w = {0};
    bb_put_bytes(&w, magic, FRAME_MAGIC_BYTES);
    bb_put_u32(&w, version);
    if (len > 0)
        bb_put_bytes(&w, body, len);
    if (!w.oom)
        bb_put_u64(&w, hash_fnv1a64(HASH_FNV_OFFSET, w.p, w.n));
    int rc = w.oom ? ax_fail(err, AX_EINTERNAL, "%s: out of memory", path) : fio_write_atomic(path, w.p, w.n, err);
    free(w.p);
    return rc;
}

int frame_read(const char *path, const unsigned char magic[FRAME_MAGIC_BYTES], uint32_t version,
               const char *what, unsigned char **data, const unsigned char **body, size_t *len, ax_err *err)
{
    unsigned char *d;
    size_t n;
    *data = NULL;
    int rc = fio_read_all(path, FIO_MAX_STATE, &d, &n, err);
    if (rc != AX_OK)
        return rc;
    if (n < FRAME_MAGIC_BYTES || memcmp(d, magic, FRAME_MAGIC_BYTES) != 0) {
        rc = ax_fail(err, AX_EINPUT, "%s: not %s (bad magic)", path, what);
    } else {
        bb_reader tail = {d + (n >= 8 ? n - 8 : 0), n >= 8 ? 8 : 0, 0, 0};
        uint64_t sum = bb_get_u64(&tail);
        bb_reader head = {d + FRAME_MAGIC_BYTES, n - FRAME_MAGIC_BYTES, 0, 0};
        uint32_t v = bb_get_u32(&head);
        if (n < FRAME_OVERHEAD || sum != hash_fnv1a64(HASH_FNV_OFFSET, d, n - 8))
            rc = ax_fail(err, AX_EINPUT, "%s: checksum mismatch: the file is truncated or damaged", path);
        else if (v != version)
            rc = ax_fail(err, AX_EINPUT, "%s: version %u of %s, this program reads version %u", path, (unsigned)v,
                         what, (unsigned)version);
    }
    if (rc != AX_OK) {
        free(d);
        return rc;
    }
    *data = d;
    *body = d + FRAME_MAGIC_BYTES + 4;
    *len = n - FRAME_OVERHEAD;
    return AX_OK;
}
