#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ax_fail(ax_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int ax_err_prefix(ax_err *err, const char *fmt, ...)
{
    if (!err)
        return AX_EINTERNAL;
    char head[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(head, sizeof head - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err->code;
    size_t hlen = strlen(head);
    memcpy(head + hlen, ": ", 3);
    hlen += 2;
    /* Shift the old message right (truncating its tail) and put head first. */
    size_t old = strnlen(err->msg, sizeof err->msg - 1);
    if (hlen + old > sizeof err->msg - 1)
        old = sizeof err->msg - 1 - hlen;
    memmove(err->msg + hlen, err->msg, old);
    memcpy(err->msg, head, hlen);
    err->msg[hlen + old] = '\0';
    return err->code;
}

void ax_err_clear(ax_err *err)
{
    if (err) {
        err->code = AX_OK;
        err->msg[0] = '\0';
    }
}
