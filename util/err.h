/* err: error status and message for fallible library calls.
 *
 * Library code never prints and never exits: a fallible function returns an
 * AX_* status and, on failure, fills an ax_err the caller owns. Only cli/
 * turns the status into an exit code (AX_EINPUT -> 2, AX_EINTERNAL -> 1). */
#ifndef AX_UTIL_ERR_H
#define AX_UTIL_ERR_H

#include <stddef.h>

enum {
    AX_OK = 0,
    AX_EINTERNAL = 1, /* out of memory, I/O failure, a bug */
    AX_EINPUT = 2,    /* bad file, bad option, bad value: the user can fix it */
    AX_ESTOPPED = 3   /* a stop was requested (signal, user flag); state is consistent */
};

typedef struct ax_err {
    int code;
    char msg[1024];
} ax_err;

/* Records a failure in err (may be NULL) and returns code, so callers write
 * `return ax_fail(err, AX_EINPUT, "%s: line %d: ...", path, line);`. */
int ax_fail(ax_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Puts "context: " in front of an existing message, keeping its code. */
int ax_err_prefix(ax_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void ax_err_clear(ax_err *err);

#endif
