/* args: strict parsing of option values for the subcommands. Each parser
 * accepts the whole string or fails with a message naming the option. */
#ifndef AX_CLI_ARGS_H
#define AX_CLI_ARGS_H

#include "util/err.h"

int args_long(const char *opt, const char *text, long lo, long hi, long *out, ax_err *err);
int args_u64(const char *opt, const char *text, unsigned long long *out, ax_err *err);
int args_double(const char *opt, const char *text, double lo, double hi, double *out, ax_err *err);

/* The exit status of a command that ended with status rc: 0, 130 after a
 * stop request, 2 for bad input, 1 otherwise; prints the message of a
 * failure as "axsearch CMD: message". */
int args_exit(const char *cmd, int rc, const ax_err *err);

#endif
