/* The option tables of cli/args.h: values in and out of range, unknown
 * options, missing values, --help, flags, functions, stops and operands,
 * with the messages each prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"

/* The options of a made-up command "demo". */
typedef struct demo_opts {
    long n;
    unsigned long long seed;
    double x;
    const char *name;
    int flag, verbose, stop, n_seen, colour;
} demo_opts;

static int usage_calls;

static void demo_usage(FILE *out)
{
    usage_calls++;
    fprintf(out, "usage: demo [options] OPERAND...\n");
}

static int parse_colour(const char *opt, const char *text, void *dst, ax_err *err)
{
    int *colour = dst;
    if (!strcmp(text, "red"))
        *colour = 1;
    else if (!strcmp(text, "blue"))
        *colour = 2;
    else
        return ax_fail(err, AX_EINPUT, "%s: expected red or blue, got '%s'", opt, text);
    return AX_OK;
}

/* What a parse printed and returned. */
typedef struct parsed {
    int first;
    char out[2048], err[2048];
} parsed;

/* Reads what fd-redirected stream f got into buf. */
static void slurp(FILE *f, char *buf, size_t size)
{
    rewind(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs args_parse on the demo table with standard output and error caught.
 * own_unknown and dash_h as the spec's. argv is permuted in place. */
static parsed run(demo_opts *o, int own_unknown, int dash_h, int argc, char **argv)
{
    *o = (demo_opts){.n = -1, .x = -1};
    const args_opt opts[] = {
        {.name = "n", .kind = ARGS_LONG, .dst = &o->n, .lo = 1, .hi = 10, .seen = &o->n_seen, .arg = "N",
         .help = "a count"},
        {.name = "seed", .kind = ARGS_U64, .dst = &o->seed, .arg = "S", .help = "a seed\nover two lines"},
        {.name = "x", .kind = ARGS_DOUBLE, .dst = &o->x, .lo = 0, .hi = 1},
        {.name = "name", .kind = ARGS_STRING, .dst = &o->name, .arg = "TEXT", .help = "a name"},
        {.name = "flag", .kind = ARGS_FLAG, .dst = &o->flag, .help = "a flag"},
        {.name = "verbose", .kind = ARGS_FLAG, .dst = &o->verbose, .letter = 'v'},
        {.name = "colour", .kind = ARGS_FUNC, .dst = &o->colour, .fn = parse_colour},
        {.name = "stop", .kind = ARGS_STOP, .dst = &o->stop},
        {.help = "a row of text"},
    };
    const args_spec s = {.cmd = "demo", .opts = opts, .n_opts = sizeof opts / sizeof opts[0],
                         .usage = demo_usage, .width = 10, .dash_h = dash_h, .own_unknown = own_unknown};
    parsed p;
    FILE *fo = tmpfile(), *fe = tmpfile();
    assert_non_null(fo);
    assert_non_null(fe);
    fflush(stdout);
    fflush(stderr);
    int save_out = dup(1), save_err = dup(2);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    p.first = args_parse(&s, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(save_out, 1);
    dup2(save_err, 2);
    close(save_out);
    close(save_err);
    slurp(fo, p.out, sizeof p.out);
    slurp(fe, p.err, sizeof p.err);
    return p;
}

#define ARGC(a) ((int)(sizeof a / sizeof a[0]))

static void values_in_range(void **state)
{
    (void)state;
    demo_opts o;
    char *argv[] = {"demo", "--n", "10", "--seed", "0x10", "--x", "0.25", "--name", "abc", "--colour", "blue"};
    parsed p = run(&o, 0, 0, ARGC(argv), argv);
    assert_int_equal(p.first, ARGC(argv));
    assert_int_equal(o.n, 10);
    assert_int_equal(o.n_seen, 1);
    assert_true(o.seed == 16);
    assert_true(o.x == 0.25);
    assert_string_equal(o.name, "abc");
    assert_int_equal(o.colour, 2);
    assert_int_equal(o.flag, 0);
    assert_string_equal(p.out, "");
    assert_string_equal(p.err, "");
}

static void equals_sign_and_prefixes(void **state)
{
    (void)state;
    demo_opts o;
    char *argv[] = {"demo", "--n=3", "--se=7", "--na", "z"};
    parsed p = run(&o, 0, 0, ARGC(argv), argv);
    assert_int_equal(p.first, ARGC(argv));
    assert_int_equal(o.n, 3);
    assert_true(o.seed == 7);
    assert_string_equal(o.name, "z");
}

static void out_of_range(void **state)
{
    (void)state;
    static const struct {
        const char *opt, *value, *message;
    } cases[] = {
        {"--n", "11", "axsearch demo: --n: expected an integer in [1, 10], got '11'\n"},
        {"--n", "0", "axsearch demo: --n: expected an integer in [1, 10], got '0'\n"},
        {"--n", "3x", "axsearch demo: --n: expected an integer in [1, 10], got '3x'\n"},
        {"--x", "1.5", "axsearch demo: --x: expected a number in [0, 1], got '1.5'\n"},
        {"--x", "nan", "axsearch demo: --x: expected a number in [0, 1], got 'nan'\n"},
        {"--seed", "-1", "axsearch demo: --seed: expected a non-negative integer, got '-1'\n"},
        {"--colour", "green", "axsearch demo: --colour: expected red or blue, got 'green'\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        demo_opts o;
        char *argv[] = {"demo", (char *)cases[i].opt, (char *)cases[i].value, "--flag"};
        parsed p = run(&o, 0, 0, ARGC(argv), argv);
        assert_int_equal(p.first, ARGS_BAD);
        assert_string_equal(p.err, cases[i].message);
        assert_string_equal(p.out, ""); /* no usage after a bad value */
        assert_int_equal(o.n, -1);      /* nothing stored */
        assert_int_equal(o.flag, 0);    /* parsing ended there */
    }
}

static void unknown_option(void **state)
{
    (void)state;
    demo_opts o;
    char *argv[] = {"demo", "--bogus", "--flag"};
    usage_calls = 0;
    parsed p = run(&o, 0, 0, ARGC(argv), argv);
    assert_int_equal(p.first, ARGS_BAD);
    assert_int_equal(o.flag, 0);
    assert_int_equal(usage_calls, 1);
    /* getopt's words, then the usage and the table's help. */
    assert_non_null(strstr(p.err, "demo: unrecognized option '--bogus'\n"));
    assert_non_null(strstr(p.err, "usage: demo [options] OPERAND...\n"));
    assert_string_equal(p.out, "");

    char *argv2[] = {"demo", "--bogus"};
    p = run(&o, 1, 0, ARGC(argv2), argv2);
    assert_int_equal(p.first, ARGS_BAD);
    assert_non_null(strstr(p.err, "axsearch demo: unknown or incomplete option '--bogus'\nusage: demo"));
}

static void missing_value(void **state)
{
    (void)state;
    demo_opts o;
    char *argv[] = {"demo", "--flag", "--n"};
    parsed p = run(&o, 0, 0, ARGC(argv), argv);
    assert_int_equal(p.first, ARGS_BAD);
    assert_int_equal(o.flag, 1);
    assert_non_null(strstr(p.err, "demo: option '--n' requires an argument\n"));

    char *argv2[] = {"demo", "--n"};
    p = run(&o, 1, 0, ARGC(argv2), argv2);
    assert_int_equal(p.first, ARGS_BAD);
    assert_non_null(strstr(p.err, "axsearch demo: unknown or incomplete option '--n'\n"));

    char *argv3[] = {"demo", "--flag=1"};
    p = run(&o, 0, 0, ARGC(argv3), argv3);
    assert_int_equal(p.first, ARGS_BAD);
    assert_non_null(strstr(p.err, "demo: option '--flag' doesn't allow an argument\n"));
}

static void help(void **state)
{
    (void)state;
    static const char expected[] = "usage: demo [options] OPERAND...\n"
                                   "  --n N      a count\n"
                                   "  --seed S   a seed\n"
                                   "             over two lines\n"
                                   "  --name TEXT a name\n"
                                   "  --flag     a flag\n"
                                   "a row of text\n";
    demo_opts o;
    char *argv[] = {"demo", "--flag", "--help", "--bogus"};
    parsed p = run(&o, 0, 0, ARGC(argv), argv);
    assert_int_equal(p.first, ARGS_HELP);
    assert_int_equal(o.flag, 1);
    assert_string_equal(p.out, expected);
    assert_string_equal(p.err, ""); /* --bogus was never read */
    assert_int_equal(args_status(p.first), 0);

    char *argv2[] = {"demo", "-h"};
    p = run(&o, 0, 1, ARGC(argv2), argv2);
    assert_int_equal(p.first, ARGS_HELP);
    assert_string_equal(p.out, expected);

    /* Without dash_h, -h is an unknown option. */
    p = run(&o, 0, 0, ARGC(argv2), argv2);
    assert_int_equal(p.first, ARGS_BAD);
    assert_int_equal(args_status(p.first), 2);
    assert_non_null(strstr(p.err, "demo: invalid option -- 'h'\n"));
}

static void flags_and_letters(void **state)
{
    (void)state;
    demo_opts o;
    char *argv[] = {"demo", "-v", "--flag"};
    parsed p = run(&o, 0, 0, ARGC(argv), argv);
    assert_int_equal(p.first, 3);
    assert_int_equal(o.verbose, 1);
    assert_int_equal(o.flag, 1);
    assert_int_equal(o.n_seen, 0);

    char *argv2[] = {"demo", "--verb"};
    p = run(&o, 0, 0, ARGC(argv2), argv2);
    assert_int_equal(p.first, 2);
    assert_int_equal(o.verbose, 1);
    assert_int_equal(o.flag, 0);
}

static void stop_ends_parsing(void **state)
{
    (void)state;
    demo_opts o;
    char *argv[] = {"demo", "--stop", "--bogus", "--flag"};
    parsed p = run(&o, 0, 0, ARGC(argv), argv);
    assert_int_equal(p.first, ARGS_STOPPED);
    assert_int_equal(o.stop, 1);
    assert_int_equal(o.flag, 0);
    assert_string_equal(p.err, "");
    assert_string_equal(p.out, "");
}

static void operands(void **state)
{
    (void)state;
    demo_opts o;
    /* Operands may come anywhere; they end up last, in order. */
    char *argv[] = {"demo", "a", "--n", "2", "b", "--flag", "c"};
    parsed p = run(&o, 0, 0, ARGC(argv), argv);
    assert_int_equal(p.first, 4);
    assert_string_equal(argv[4], "a");
    assert_string_equal(argv[5], "b");
    assert_string_equal(argv[6], "c");
    assert_int_equal(o.n, 2);
    assert_int_equal(o.flag, 1);

    /* "--" ends the options. */
    char *argv2[] = {"demo", "--flag", "--", "--n", "x"};
    p = run(&o, 0, 0, ARGC(argv2), argv2);
    assert_int_equal(p.first, 3);
    assert_string_equal(argv2[3], "--n");
    assert_int_equal(o.n, -1);

    char *argv3[] = {"demo"};
    p = run(&o, 0, 0, ARGC(argv3), argv3);
    assert_int_equal(p.first, 1);
}

static void ambiguous_prefix(void **state)
{
    (void)state;
    demo_opts o;
    char *argv[] = {"demo", "--s"}; /* --seed or --stop */
    parsed p = run(&o, 0, 0, ARGC(argv), argv);
    assert_int_equal(p.first, ARGS_BAD);
    assert_int_equal(o.stop, 0);
    assert_non_null(strstr(p.err, "demo: option '--s' is ambiguous; possibilities: '--seed' '--stop'\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_in_range),  cmocka_unit_test(equals_sign_and_prefixes),
        cmocka_unit_test(out_of_range),     cmocka_unit_test(unknown_option),
        cmocka_unit_test(missing_value),    cmocka_unit_test(help),
        cmocka_unit_test(flags_and_letters), cmocka_unit_test(stop_ends_parsing),
        cmocka_unit_test(operands),         cmocka_unit_test(ambiguous_prefix),
    };
    return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
