#include "cli/args.h"

#include <errno.h>
#include <getopt.h>
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

/* ---- option tables ------------------------------------------------------ */

/* getopt_long's table is built on the stack: room for this many options. */
#define ARGS_MAX_OPTS 48

/* What getopt_long returns for --help and for the i-th table entry. */
#define VAL_HELP 'h'
#define VAL_BASE 256

static int takes_value(args_kind k)
{
    return k != ARGS_FLAG && k != ARGS_STOP;
}

/* getopt_long's view of the table: the long options (--help last) and the
 * short ones ("h" when -h is --help, then each letter, ':' after a letter
 * that takes a value). */
static int build_getopt(const args_spec *s, struct option *longopts, char *shortopts)
{
    size_t n = 0, k = 0;
    if (s->dash_h)
        shortopts[k++] = 'h';
    for (size_t i = 0; i < s->n_opts; i++) {
        const args_opt *o = &s->opts[i];
        if (!o->name)
            continue;
        if (n + 2 > ARGS_MAX_OPTS)
            return -1;
        longopts[n++] = (struct option){o->name, takes_value(o->kind) ? required_argument : no_argument,
                                        NULL, VAL_BASE + (int)i};
        if (o->letter) {
            shortopts[k++] = o->letter;
            if (takes_value(o->kind))
                shortopts[k++] = ':';
        }
    }
    longopts[n++] = (struct option){"help", no_argument, NULL, VAL_HELP};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    shortopts[k] = '\0';
    return 0;
}

/* The table entry getopt_long's answer c stands for; NULL for none. */
static const args_opt *entry_of(const args_spec *s, int c)
{
    if (c >= VAL_BASE && (size_t)(c - VAL_BASE) < s->n_opts)
        return &s->opts[c - VAL_BASE];
    for (size_t i = 0; i < s->n_opts; i++)
        if (s->opts[i].name && s->opts[i].letter && s->opts[i].letter == c)
            return &s->opts[i];
    return NULL;
}

/* Stores one option's value (text: its argument, NULL for none). */
static int store(const args_opt *o, const char *text, ax_err *err)
{
    char opt[80];
    snprintf(opt, sizeof opt, "--%s", o->name);
    if (o->seen)
        *o->seen = 1;
    switch (o->kind) {
    case ARGS_FLAG:
    case ARGS_STOP: *(int *)o->dst = 1; return AX_OK;
    case ARGS_STRING: *(const char **)o->dst = text; return AX_OK;
    case ARGS_LONG: return args_long(opt, text, (long)o->lo, (long)o->hi, o->dst, err);
    case ARGS_U64: return args_u64(opt, text, o->dst, err);
    case ARGS_DOUBLE: return args_double(opt, text, o->lo, o->hi, o->dst, err);
    case ARGS_FUNC: return o->fn(opt, text, o->dst, err);
    }
    return ax_fail(err, AX_EINTERNAL, "%s: no such kind of option", opt);
}

/* Reports an option getopt_long did not take (getopt has said why unless
 * own_unknown). */
static int unknown(const args_spec *s, char **argv)
{
    if (s->own_unknown)
        fprintf(stderr, "axsearch %s: unknown or incomplete option '%s'\n", s->cmd, argv[optind - 1]);
    if (s->usage)
        args_usage(s, stderr);
    return ARGS_BAD;
}

int args_parse(const args_spec *s, int argc, char **argv)
{
    struct option longopts[ARGS_MAX_OPTS];
    char shortopts[2 * ARGS_MAX_OPTS + 2];
    if (build_getopt(s, longopts, shortopts) != 0) {
        fprintf(stderr, "axsearch %s: more than %d options in the table\n", s->cmd, ARGS_MAX_OPTS - 2);
        return ARGS_BAD;
    }
    optind = 0; /* 0, not 1: glibc then forgets any earlier argv fully */
    opterr = !s->own_unknown;
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == VAL_HELP) {
            if (s->usage)
                args_usage(s, stdout);
            return ARGS_HELP;
        }
        const args_opt *o = entry_of(s, c);
        if (!o)
            return unknown(s, argv);
        ax_err err = {0};
        if (store(o, optarg, &err) != AX_OK) {
            fprintf(stderr, "axsearch %s: %s\n", s->cmd, err.msg);
            return ARGS_BAD;
        }
        if (o->kind == ARGS_STOP)
            return ARGS_STOPPED;
    }
    return optind;
}

/* One option's help row: the label padded to width, then the help, its
 * continuation lines indented under the help column. */
static void usage_row(const args_opt *o, int width, FILE *out)
{
    char label[128];
    snprintf(label, sizeof label, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    fprintf(out, "  %-*s ", width, label);
    for (const char *p = o->help; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "%*s", width + 3, "");
    }
    fputc('\n', out);
}

void args_usage(const args_spec *s, FILE *out)
{
    if (s->usage)
        s->usage(out);
    for (size_t i = 0; i < s->n_opts; i++) {
        const args_opt *o = &s->opts[i];
        if (!o->help)
            continue;
        if (o->name)
            usage_row(o, s->width, out);
        else
            fprintf(out, "%s\n", o->help);
    }
}

int args_status(int parsed)
{
    return parsed == ARGS_BAD ? 2 : 0;
}
