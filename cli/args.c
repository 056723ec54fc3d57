#include "cli/args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int args_long(const char *opt, const char *text, long lo, long hi, long *out, ax_err *err)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < lo || v > hi)
        return ax_fail(err, AX_EINPUT, "%s: expected an integer in [%ld, %ld], got '%s'", opt, lo,
                       hi, text);
    *out = v;
    return AX_OK;
}

int args_u64(const char *opt, const char *text, unsigned long long *out, ax_err *err)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || end == text || *end != '\0' || text[0] == '-')
        return ax_fail(err, AX_EINPUT, "%s: expected a non-negative integer, got '%s'", opt, text);
    *out = v;
    return AX_OK;
}

int args_double(const char *opt, const char *text, double lo, double hi, double *out, ax_err *err)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end != '\0' || !isfinite(v) || v < lo || v > hi)
        return ax_fail(err, AX_EINPUT, "%s: expected a number in [%g, %g], got '%s'", opt, lo, hi,
                       text);
    *out = v;
    return AX_OK;
}

int args_exit(const char *cmd, int rc, const ax_err *err)
{
    if (rc == AX_OK)
        return 0;
    if (rc == AX_ESTOPPED)
        return 130;
    fprintf(stderr, "axsearch %s: %s\n", cmd, err->msg);
    return rc == AX_EINPUT ? 2 : 1;
}
