#include "util/fileio.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/hash.h"

int fio_read_all(const char *path, size_t max, unsigned char **data, size_t *len, ax_err *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ax_fail(err, AX_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        memset(&st, 0, sizeof st);
    if (S_ISDIR(st.st_mode)) {
        fclose(f);
        return ax_fail(err, AX_EINPUT, "%s: a folder, not a file", path);
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max) {
        fclose(f);
        return ax_fail(err, AX_EINPUT, "%s: %jd bytes, more than the %zu this reader takes", path,
                       (intmax_t)st.st_size, max);
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory", path);
    }
    for (;;) {
        if (n == cap) {
            if (cap > ((size_t)-1) / 4) {
                free(buf);
                fclose(f);
                return ax_fail(err, AX_EINPUT, "%s: file too large", path);
            }
            unsigned char *grown = realloc(buf, 2 * cap + 1);
            if (!grown) {
                free(buf);
                fclose(f);
                return ax_fail(err, AX_EINTERNAL, "%s: out of memory", path);
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n > max) { /* a stream, or a file that grew */
            free(buf);
            fclose(f);
            return ax_fail(err, AX_EINPUT, "%s: more than the %zu bytes this reader takes", path, max);
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return ax_fail(err, AX_EINPUT, "%s: read error", path);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return AX_OK;
}

struct fio_atomic {
    FILE *stream;
    char *path; /* target */
    char *tmp;  /* "<path>.tmp.<pid>" */
};

fio_atomic *fio_atomic_open(const char *path, ax_err *err)
{
    /* Refused here, not when the rename fails after all the work. */
    struct stat st;
    if (!path[0]) {
        ax_fail(err, AX_EINPUT, "an empty output file name");
        return NULL;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        ax_fail(err, AX_EINPUT, "%s: a folder; give a file name", path);
        return NULL;
    }
    fio_atomic *w = calloc(1, sizeof *w);
    size_t plen = strlen(path);
    if (w) {
        w->path = malloc(plen + 1);
        w->tmp = malloc(plen + 32);
    }
    if (!w || !w->path || !w->tmp) {
        if (w) {
            free(w->path);
            free(w->tmp);
        }
        free(w);
        ax_fail(err, AX_EINTERNAL, "%s: out of memory", path);
        return NULL;
    }
    memcpy(w->path, path, plen + 1);
    snprintf(w->tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    w->stream = fopen(w->tmp, "wb");
    if (!w->stream) {
        ax_fail(err, AX_EINPUT, "%s: cannot write: %s", path, strerror(errno));
        free(w->path);
        free(w->tmp);
        free(w);
        return NULL;
    }
    return w;
}

FILE *fio_atomic_stream(fio_atomic *w)
{
    return w->stream;
}

static void fio_atomic_release(fio_atomic *w)
{
    free(w->path);
    free(w->tmp);
    free(w);
}

int fio_atomic_commit(fio_atomic *w, ax_err *err)
{
    int status = AX_OK;
    if (fflush(w->stream) != 0 || ferror(w->stream))
        status = ax_fail(err, AX_EINTERNAL, "%s: write failed: %s", w->path, strerror(errno));
    else if (fsync(fileno(w->stream)) != 0)
        status = ax_fail(err, AX_EINTERNAL, "%s: fsync failed: %s", w->path, strerror(errno));
    if (fclose(w->stream) != 0 && status == AX_OK)
        status = ax_fail(err, AX_EINTERNAL, "%s: close failed: %s", w->path, strerror(errno));
    if (status == AX_OK && rename(w->tmp, w->path) != 0)
        status = ax_fail(err, AX_EINTERNAL, "%s: rename failed: %s", w->path, strerror(errno));
    if (status != AX_OK)
        remove(w->tmp);
    fio_atomic_release(w);
    return status;
}

void fio_atomic_abort(fio_atomic *w)
{
    if (!w)
        return;
    fclose(w->stream);
    remove(w->tmp);
    fio_atomic_release(w);
}

int fio_write_atomic(const char *path, const void *data, size_t len, ax_err *err)
{
    ax_err mine; /* the status must survive a caller that passes no err */
    if (!err)
        err = &mine;
    fio_atomic *w = fio_atomic_open(path, err);
    if (!w)
        return err->code;
    if (len > 0 && fwrite(data, 1, len, w->stream) != len) {
        fio_atomic_abort(w);
        return ax_fail(err, AX_EINTERNAL, "%s: write failed", path);
    }
    return fio_atomic_commit(w, err);
}

int fio_check_line_lengths(const char *text, const char *name, size_t max, ax_err *err)
{
    int line = 1;
    for (const char *p = text; *p; line++) {
        size_t len = strcspn(p, "\n");
        size_t content = len > 0 && p[len - 1] == '\r' ? len - 1 : len;
        if (content > max)
            return ax_fail(err, AX_EINPUT, "%s:%d: line of %zu characters; a line may hold at most %zu", name, line,
                           content, max);
        p += len + (p[len] == '\n');
    }
    return AX_OK;
}

int fio_check_ini_sections(const char *text, const char *name, ax_err *err)
{
    /* [first line, length] of each section header; quadratic in the number
     * of sections, which the line and size limits keep small. */
    enum { MAX_SECTIONS = 256 };
    struct { const char *at; size_t len; int line; } seen[MAX_SECTIONS];
    int n = 0, line = 1, after_key = 0;
    const char *p = text;
    if (!strncmp(p, "\xEF\xBB\xBF", 3)) /* a UTF-8 BOM, which libinih skips */
        p += 3;
    for (; *p; line++) {
        size_t len = strcspn(p, "\n");
        const char *q = p;
        while (q < p + len && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        /* libinih (Debian builds it with INI_ALLOW_MULTILINE) reads an
         * indented line after a key as that key's continuation */
        int continuation = after_key && q > p && q < p + len;
        const char *close = !continuation && q < p + len && *q == '[' ? memchr(q, ']', (size_t)(p + len - q)) : NULL;
        if (q < p + len && *q != ';' && *q != '#' && !continuation)
            after_key = !close;
        if (close) {
            const char *sec = q + 1;
            size_t sec_len = (size_t)(close - sec);
            for (int i = 0; i < n; i++)
                if (seen[i].len == sec_len && !memcmp(seen[i].at, sec, sec_len))
                    return ax_fail(err, AX_EINPUT, "%s:%d: section [%.*s] opened again (first at line %d); "
                                   "give each section once", name, line, (int)sec_len, sec, seen[i].line);
            if (n == MAX_SECTIONS)
                return ax_fail(err, AX_EINPUT, "%s:%d: more than %d sections", name, line, MAX_SECTIONS);
            seen[n].at = sec;
            seen[n].len = sec_len;
            seen[n++].line = line;
        }
        p += len + (p[len] == '\n');
    }
    return AX_OK;
}

void fio_join(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

int fio_hash_file(const char *path, uint64_t *h, ax_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ax_fail(err, AX_EINPUT, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ax_fail(err, AX_EINPUT, "%s: not a regular file", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ax_fail(err, AX_EINPUT, "%s: %s", path, strerror(errno));
    unsigned char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        *h = hash_fnv1a64(*h, buf, got);
    int bad = ferror(f);
    fclose(f);
    return bad ? ax_fail(err, AX_EINPUT, "%s: read error", path) : AX_OK;
}
