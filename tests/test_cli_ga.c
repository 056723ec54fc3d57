/* The ga-bench command: its last line, its front file, and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/cli_support.h"

static void last_line_and_front(void **state)
{
    (void)state;
    char path[64], args[256];
    snprintf(path, sizeof path, "/tmp/axsearch-front-%ld.tsv", (long)getpid());
    snprintf(args, sizeof args, "ga-bench --problem ZDT2 --gens 50 --seed 3 --out %s", path);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 0);
    char name[16];
    long evals;
    double hv, igd, seconds;
    int fields = sscanf(cli_last_line(r.out), "problem=%15s evals=%ld hv=%lf igd=%lf seconds=%lf",
                        name, &evals, &hv, &igd, &seconds);
    assert_int_equal(fields, 5);
    assert_string_equal(name, "zdt2");
    assert_int_equal(evals, 5000);
    assert_true(hv > 0 && hv < 0.54333); /* below the optimum (docs/facts.md) after 50 generations */
    assert_true(igd > 0 && igd < 0.5);
    cli_result_free(&r);

    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192];
    assert_non_null(fgets(line, sizeof line, f));
    assert_true(strncmp(line, "f1\tf2\tx1\tx2\t", 12) == 0);
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        double f1, f2;
        assert_int_equal(sscanf(line, "%lf\t%lf", &f1, &f2), 2);
        assert_true(f1 >= 0 && f1 <= 1);
        rows++;
    }
    assert_true(rows > 10 && rows <= 100);
    fclose(f);
    remove(path);
}

static void same_seed_same_front(void **state)
{
    (void)state;
    cli_result a = cli_run("ga-bench --problem dtlz2 --gens 20 --seed 4 --threads 1");
    cli_result b = cli_run("ga-bench --problem dtlz2 --gens 20 --seed 4 --threads 2");
    assert_int_equal(a.status, 0);
    assert_int_equal(b.status, 0);
    /* Everything but the time agrees. */
    char la[512], lb[512];
    snprintf(la, sizeof la, "%s", cli_last_line(a.out));
    snprintf(lb, sizeof lb, "%s", cli_last_line(b.out));
    *strstr(la, "seconds=") = '\0';
    *strstr(lb, "seconds=") = '\0';
    assert_string_equal(la, lb);
    cli_result_free(&a);
    cli_result_free(&b);
}

static void bad_input_exits_2(void **state)
{
    (void)state;
    static const struct {
        const char *args, *message;
    } cases[] = {
        {"ga-bench", "--problem is required"},
        {"ga-bench --problem zdt9", "unknown problem 'zdt9'"},
        {"ga-bench --problem zdt1 --pop 7", "--pop must be even"},
        {"ga-bench --problem zdt1 --gens x", "--gens: expected an integer"},
        {"ga-bench --problem zdt1 --objectives 4", "only DTLZ"},
        {"ga-bench --problem zdt1 --gens 2 --out /nonexistent/dir/f.tsv", "/nonexistent/dir/f.tsv"},
        {"ga-bench --problem zdt1 --gens 2 --out /tmp", "/tmp: a folder; give a file name"},
        {"ga-bench --problem zdt1 --gens 2 --out ''", "an empty output file name"},
        {"nosuchcommand", "unknown command"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_result r = cli_run(cases[i].args);
        assert_int_equal(r.status, 2);
        if (!strstr(r.err, cases[i].message))
            fail_msg("'%s' said '%s', expected '%s'", cases[i].args, r.err, cases[i].message);
        cli_result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(last_line_and_front),
        cmocka_unit_test(same_seed_same_front),
        cmocka_unit_test(bad_input_exits_2),
    };
    return cmocka_run_group_tests_name("cli_ga", tests, NULL, NULL);
}
