/* args: the command lines of the subcommands.
 *
 * A command describes its options in a table, one args_opt per option: the
 * long name, the kind of value and its range, where the value goes (a
 * pointer into the command's options struct) and a line of help.
 * args_parse reads argv against the table and args_usage prints the help.
 * Each command then has the shape
 *
 *     X_parse(argc, argv, &opts)   args_parse, then the command's own
 *                                  checks (options that exclude each
 *                                  other, lists, operands)
 *     X_run(&opts, &out, &err)     the work; returns an AX_* status
 *     X_print(...)                 what goes to standard output
 *
 * The value parsers args_long, args_u64 and args_double accept the whole
 * string or fail with a message naming the option. */
#ifndef AX_CLI_ARGS_H
#define AX_CLI_ARGS_H

#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

int args_long(const char *opt, const char *text, long lo, long hi, long *out, ax_err *err);
int args_u64(const char *opt, const char *text, unsigned long long *out, ax_err *err);
int args_double(const char *opt, const char *text, double lo, double hi, double *out, ax_err *err);

/* The exit status of a command that ended with status rc: 0, 130 after a
 * stop request, 2 for bad input, 1 otherwise; prints the message of a
 * failure as "axsearch CMD: message". */
int args_exit(const char *cmd, int rc, const ax_err *err);

/* ---- option tables ------------------------------------------------------ */

typedef enum args_kind {
    ARGS_FLAG,   /* no value; sets the int at dst to 1 */
    ARGS_STRING, /* the const char * at dst points at the argv text (not a copy) */
    ARGS_LONG,   /* the long at dst, in [lo, hi] (args_long) */
    ARGS_U64,    /* the unsigned long long at dst (args_u64: decimal, 0x.., 0..) */
    ARGS_DOUBLE, /* the double at dst, finite, in [lo, hi] (args_double) */
    ARGS_FUNC,   /* a value no kind above fits (a choice, a list, a refusal):
                    fn(opt, text, dst, err) stores it or fails */
    ARGS_STOP    /* no value; sets the int at dst to 1 and ends parsing at
                    once, as --help does (search --defaults) */
} args_kind;

/* opt is the option as typed in messages ("--format"), text its value. */
typedef int (*args_fn)(const char *opt, const char *text, void *dst, ax_err *err);

/* One option. Unused fields stay zero (designated initializers). */
typedef struct args_opt {
    const char *name;  /* long name without "--"; NULL: a row of help text
                          only, printed as it is (help) */
    args_kind kind;
    void *dst;         /* where the value goes; the type follows kind */
    double lo, hi;     /* range of ARGS_LONG and ARGS_DOUBLE (whole numbers
                          below 2^53 for ARGS_LONG) */
    args_fn fn;        /* ARGS_FUNC's parser */
    int *seen;         /* when not NULL, set to 1 when the option is given */
    char letter;       /* a one-letter form (-v), 0 for none */
    const char *arg;   /* the value's name in the help ("FILE"), NULL for none */
    const char *help;  /* one line of help; a '\n' continues it under the
                          help column; NULL: the option is not listed (the
                          command's usage text describes it) */
} args_opt;

typedef struct args_spec {
    const char *cmd;           /* "faults": messages read "axsearch faults: ..." */
    const args_opt *opts;      /* the table, in the order of the help */
    size_t n_opts;
    /* Prints the usage lines that come before the table's help rows. NULL:
     * args_parse prints no usage at all (after --help or a bad option);
     * the caller does. */
    void (*usage)(FILE *out);
    int width;                 /* width of the "--name ARG" column of the help */
    int dash_h;                /* -h is --help too */
    /* 1: an unknown option, or one missing its value, is reported as
     * "axsearch CMD: unknown or incomplete option 'X'"; 0: in getopt's
     * words ("CMD: unrecognized option '--x'"). */
    int own_unknown;
} args_spec;

/* What args_parse returns instead of an operand index. */
enum {
    ARGS_HELP = -2,   /* --help: the usage went to standard output (when the
                         spec has one) */
    ARGS_BAD = -3,    /* a bad option or value: the message went to standard
                         error, and the usage too after an unknown option */
    ARGS_STOPPED = -4 /* an ARGS_STOP option ended parsing */
};

/* What a command's X_parse returns to go on to X_run; anything else is the
 * exit status to end with at once. */
#define ARGS_RUN (-1)

/* Parses argv[1..argc-1] (argv[0] is the command's name) against the
 * table, in order, storing each value as it comes; the first bad one ends
 * parsing. Options and operands may mix (argv is permuted so that the
 * operands come last), "--" ends the options, a long name may be
 * abbreviated to a unique prefix and a value given as --name=value.
 * --help is always an option. Returns the index of the first operand, or
 * ARGS_HELP, ARGS_BAD or ARGS_STOPPED. */
int args_parse(const args_spec *s, int argc, char **argv);

/* Prints the spec's usage lines, then the help row of each option that has
 * one: "  --name ARG" padded to the column width, a space, the help. */
void args_usage(const args_spec *s, FILE *out);

/* The exit status for what args_parse returned when it is not an operand
 * index: 2 after a bad command line, 0 otherwise (--help, a stop). */
int args_status(int parsed);

#endif
