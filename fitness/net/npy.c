#include "fitness/net/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A cursor over the header text [p, end). */
typedef struct cursor {
    const char *p, *end;
    const char *start; /* the header's first byte */
    const char *name;  /* the file, for messages */
} cursor;

static void skip_spaces(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

static int expect(cursor *c, char ch, ax_err *err)
{
    skip_spaces(c);
    if (c->p >= c->end || *c->p != ch)
        return ax_fail(err, AX_EINPUT, "%s: .npy header: expected '%c' at header byte %td", c->name, ch,
                       c->p - c->start);
    c->p++;
    return AX_OK;
}

/* A quoted string ('...' or "...", no escapes) into out. */
static int parse_string(cursor *c, char *out, size_t size, ax_err *err)
{
    skip_spaces(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return ax_fail(err, AX_EINPUT, "%s: .npy header: expected a quoted string", c->name);
    char q = *c->p++;
    const char *start = c->p;
    while (c->p < c->end && *c->p != q && *c->p != '\\')
        c->p++;
    if (c->p >= c->end || *c->p != q)
        return ax_fail(err, AX_EINPUT, "%s: .npy header: unterminated or escaped string", c->name);
    size_t n = (size_t)(c->p - start);
    c->p++;
    if (n >= size)
        return ax_fail(err, AX_EINPUT, "%s: .npy header: string '%.20s...' too long", c->name, start);
    memcpy(out, start, n);
    out[n] = '\0';
    return AX_OK;
}

/* A dtype string: byte order, kind, size ("<u2", "|u1"). */
static int parse_descr(const char *d, const char *name, npy_header *h, ax_err *err)
{
    if (strlen(d) != 3 || (d[1] != 'u' && d[1] != 'i') || !strchr("1248", d[2]) || !strchr("<>|", d[0]))
        return ax_fail(err, AX_EINPUT,
                       "%s: dtype '%s': expected an integer dtype (u1 i1 u2 i2 u4 i4 u8 i8, byte order < > or |)",
                       name, d);
    h->kind = d[1];
    h->item_bytes = d[2] - '0';
    if (d[0] == '|' && h->item_bytes != 1)
        return ax_fail(err, AX_EINPUT, "%s: dtype '%s': a %d-byte type needs a byte order (< or >)", name, d,
                       h->item_bytes);
    h->big_endian = d[0] == '>';
    return AX_OK;
}

/* A non-negative decimal integer below 2^62, no sign, no leading zero. */
static int parse_dim(cursor *c, int64_t *v, ax_err *err)
{
    skip_spaces(c);
    const char *start = c->p;
    int64_t x = 0;
    const int64_t limit = (INT64_C(1) << 62) - 1;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        int digit = *c->p++ - '0';
        if (x > (limit - digit) / 10)
            return ax_fail(err, AX_EINPUT, "%s: .npy header: a dimension of 2^62 or more", c->name);
        x = x * 10 + digit;
    }
    if (c->p == start || (c->p - start > 1 && *start == '0'))
        return ax_fail(err, AX_EINPUT, "%s: .npy header: expected a dimension (a decimal integer)", c->name);
    *v = x;
    return AX_OK;
}

/* "(d0, d1, ...)" with Python's tuple rules: "()" and "(d,)" too. */
static int parse_shape(cursor *c, npy_header *h, ax_err *err)
{
    int rc = expect(c, '(', err);
    h->ndim = 0;
    skip_spaces(c);
    if (rc == AX_OK && c->p < c->end && *c->p == ')') {
        c->p++;
        return AX_OK;
    }
    int commas = 0;
    while (rc == AX_OK) {
        if (h->ndim == NPY_MAX_DIMS)
            return ax_fail(err, AX_EINPUT, "%s: more than %d dimensions", c->name, NPY_MAX_DIMS);
        rc = parse_dim(c, &h->shape[h->ndim++], err);
        skip_spaces(c);
        if (rc != AX_OK || c->p >= c->end || (*c->p != ',' && *c->p != ')'))
            return rc != AX_OK ? rc : ax_fail(err, AX_EINPUT, "%s: .npy header: bad shape tuple", c->name);
        if (*c->p++ == ')')
            break;
        commas++;
        skip_spaces(c);
        if (c->p < c->end && *c->p == ')') {
            c->p++;
            break;
        }
    }
    if (rc == AX_OK && h->ndim == 1 && commas == 0)
        return ax_fail(err, AX_EINPUT, "%s: .npy header: shape '(n)' is not a tuple; expected '(n,)'", c->name);
    return rc;
}

/* One "key: value" of the header dict. seen: bit 0 descr, 1 fortran_order, 2 shape. */
static int parse_entry(cursor *c, npy_header *h, int *seen, ax_err *err)
{
    char key[32], val[32];
    int rc = parse_string(c, key, sizeof key, err);
    if (rc == AX_OK)
        rc = expect(c, ':', err);
    if (rc != AX_OK)
        return rc;
    static const char *const keys[3] = {"descr", "fortran_order", "shape"};
    int k = 0;
    while (k < 3 && strcmp(key, keys[k]) != 0)
        k++;
    if (k == 3)
        return ax_fail(err, AX_EINPUT, "%s: .npy header: unknown key '%s'", c->name, key);
    if (*seen & (1 << k))
        return ax_fail(err, AX_EINPUT, "%s: .npy header: key '%s' given twice", c->name, key);
    *seen |= 1 << k;
    if (k == 0)
        return parse_string(c, val, sizeof val, err) == AX_OK ? parse_descr(val, c->name, h, err) : err->code;
    if (k == 2)
        return parse_shape(c, h, err);
    skip_spaces(c);
    if (c->end - c->p >= 5 && !memcmp(c->p, "False", 5)) {
        c->p += 5;
        return AX_OK;
    }
    if (c->end - c->p >= 4 && !memcmp(c->p, "True", 4))
        return ax_fail(err, AX_EINPUT, "%s: fortran_order True: save the array in C order "
                                       "(numpy.ascontiguousarray)", c->name);
    return ax_fail(err, AX_EINPUT, "%s: .npy header: fortran_order must be True or False", c->name);
}

/* The dict literal, ending in spaces and one '\n'. */
static int parse_dict(cursor *c, npy_header *h, ax_err *err)
{
    int seen = 0, rc = expect(c, '{', err);
    while (rc == AX_OK) {
        skip_spaces(c);
        if (c->p < c->end && *c->p == '}')
            break;
        rc = parse_entry(c, h, &seen, err);
        skip_spaces(c);
        if (rc == AX_OK && (c->p >= c->end || (*c->p != ',' && *c->p != '}')))
            rc = ax_fail(err, AX_EINPUT, "%s: .npy header: expected ',' or '}' after a value", c->name);
        if (rc == AX_OK && *c->p == ',')
            c->p++;
    }
    if (rc == AX_OK)
        c->p++; /* the '}' */
    if (rc == AX_OK && seen != 7)
        rc = ax_fail(err, AX_EINPUT, "%s: .npy header: needs the keys 'descr', 'fortran_order' and 'shape'",
                     c->name);
    skip_spaces(c);
    if (rc == AX_OK && !(c->end - c->p == 1 && *c->p == '\n'))
        rc = ax_fail(err, AX_EINPUT, "%s: .npy header: text after the dict, or no final newline", c->name);
    return rc;
}

int npy_parse_header(const uint8_t *buf, size_t len, const char *name, npy_header *h, ax_err *err)
{
    memset(h, 0, sizeof *h);
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return ax_fail(err, AX_EINPUT, "%s: not a .npy file (no \\x93NUMPY magic)", name);
    int major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return ax_fail(err, AX_EINPUT, "%s: .npy format version %d.%d: expected 1.0, 2.0 or 3.0", name, major,
                       minor);
    size_t prefix = major == 1 ? 10 : 12;
    if (len < prefix)
        return ax_fail(err, AX_EINPUT, "%s: truncated .npy preamble", name);
    size_t hlen = major == 1 ? (size_t)buf[8] | (size_t)buf[9] << 8
                             : (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
    if (hlen > NPY_MAX_HEADER)
        return ax_fail(err, AX_EINPUT, "%s: .npy header of %zu bytes (at most %d taken)", name, hlen,
                       NPY_MAX_HEADER);
    if (len < prefix + hlen)
        return ax_fail(err, AX_EINPUT, "%s: truncated .npy header (%zu bytes announced, %zu present)", name, hlen,
                       len - prefix);
    if ((prefix + hlen) % 16 != 0)
        return ax_fail(err, AX_EINPUT, "%s: .npy header does not end at a multiple of 16 bytes", name);
    for (size_t i = prefix; i < prefix + hlen; i++)
        if (buf[i] == 0 || buf[i] > 126 || (buf[i] < 32 && buf[i] != '\n' && buf[i] != '\t'))
            return ax_fail(err, AX_EINPUT, "%s: .npy header byte %zu is not printable ASCII", name, i);
    cursor c = {(const char *)buf + prefix, (const char *)buf + prefix + hlen, (const char *)buf + prefix, name};
    int rc = parse_dict(&c, h, err);
    if (rc != AX_OK)
        return rc;
    h->count = 1;
    for (int d = 0; d < h->ndim; d++) {
        if (h->shape[d] > 0 && h->count > ((INT64_C(1) << 62) / h->item_bytes) / h->shape[d])
            return ax_fail(err, AX_EINPUT, "%s: shape of more than 2^62 bytes", name);
        h->count *= h->shape[d];
    }
    h->data_offset = prefix + hlen;
    return AX_OK;
}

/* Opens path, parses its header and checks that the file holds exactly
 * the data announced, at most max_bytes of it. */
static int open_npy(const char *path, size_t max_bytes, npy_header *h, FILE **out, ax_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ax_fail(err, AX_EINPUT, "%s: cannot open", path);
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return ax_fail(err, AX_EINPUT, "%s: not a regular file", path);
    }
    uint8_t *head = malloc(12 + NPY_MAX_HEADER);
    if (!head) {
        fclose(f);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    size_t got = fread(head, 1, 12 + NPY_MAX_HEADER, f);
    int rc = npy_parse_header(head, got, path, h, err);
    free(head);
    if (rc == AX_OK) {
        uint64_t bytes = (uint64_t)h->count * (uint64_t)h->item_bytes;
        uint64_t size = (uint64_t)st.st_size - h->data_offset;
        if (bytes > max_bytes)
            rc = ax_fail(err, AX_EINPUT, "%s: %llu bytes of data, more than the %zu this reader takes", path,
                         (unsigned long long)bytes, max_bytes);
        else if (size != bytes)
            rc = ax_fail(err, AX_EINPUT, "%s: the header announces %llu bytes of data, the file holds %llu", path,
                         (unsigned long long)bytes, (unsigned long long)size);
    }
    if (rc == AX_OK && fseek(f, (long)h->data_offset, SEEK_SET) != 0)
        rc = ax_fail(err, AX_EINPUT, "%s: cannot seek to the data", path);
    if (rc != AX_OK) {
        fclose(f);
        return rc;
    }
    *out = f;
    return AX_OK;
}

/* Reads n bytes into a new buffer (at least one byte allocated). */
static int read_body(FILE *f, const char *path, size_t n, uint8_t **out, ax_err *err)
{
    uint8_t *b = malloc(n ? n : 1);
    if (!b)
        return ax_fail(err, AX_EINTERNAL, "out of memory for %zu bytes of %s", n, path);
    if (fread(b, 1, n, f) != n) {
        free(b);
        return ax_fail(err, AX_EINPUT, "%s: short read", path);
    }
    *out = b;
    return AX_OK;
}

int npy_read_u8(const char *path, size_t max_bytes, npy_header *h, uint8_t **data, ax_err *err)
{
    *data = NULL;
    FILE *f;
    int rc = open_npy(path, max_bytes, h, &f, err);
    if (rc != AX_OK)
        return rc;
    if (h->kind != 'u' || h->item_bytes != 1)
        rc = ax_fail(err, AX_EINPUT, "%s: dtype %c%d: images must be uint8 (u1)", path, h->kind, h->item_bytes);
    if (rc == AX_OK)
        rc = read_body(f, path, (size_t)h->count, data, err);
    fclose(f);
    return rc;
}

/* Element i of a raw integer array as a signed 64-bit value (u8 values
 * above 2^63 become negative, and are refused as labels like any
 * negative one). */
static int64_t element(const uint8_t *raw, const npy_header *h, int64_t i)
{
    const uint8_t *p = raw + (size_t)i * (size_t)h->item_bytes;
    uint64_t v = 0;
    for (int b = 0; b < h->item_bytes; b++)
        v |= (uint64_t)p[h->big_endian ? b : h->item_bytes - 1 - b] << (8 * (h->item_bytes - 1 - b));
    if (h->kind == 'i' && h->item_bytes < 8 && (v >> (8 * h->item_bytes - 1)) & 1)
        v |= ~UINT64_C(0) << (8 * h->item_bytes); /* sign extension */
    return (int64_t)v;
}

int npy_read_labels(const char *path, size_t max_bytes, int64_t *count, uint16_t **labels, ax_err *err)
{
    *labels = NULL;
    npy_header h;
    FILE *f;
    int rc = open_npy(path, max_bytes, &h, &f, err);
    if (rc != AX_OK)
        return rc;
    uint8_t *raw = NULL;
    if (h.ndim != 1)
        rc = ax_fail(err, AX_EINPUT, "%s: labels must be a one-dimensional array, this one has %d dimensions", path,
                     h.ndim);
    if (rc == AX_OK)
        rc = read_body(f, path, (size_t)h.count * (size_t)h.item_bytes, &raw, err);
    fclose(f);
    uint16_t *out = rc == AX_OK ? malloc(h.count ? (size_t)h.count * sizeof *out : 1) : NULL;
    if (rc == AX_OK && !out)
        rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    for (int64_t i = 0; rc == AX_OK && i < h.count; i++) {
        int64_t v = element(raw, &h, i);
        if (v < 0 || v > 65535)
            rc = ax_fail(err, AX_EINPUT, "%s: label %lld is %lld: expected a class in 0..65535", path, (long long)i,
                         (long long)v);
        else
            out[i] = (uint16_t)v;
    }
    free(raw);
    if (rc != AX_OK) {
        free(out);
        return rc;
    }
    *labels = out;
    *count = h.count;
    return AX_OK;
}
