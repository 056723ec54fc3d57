/* cli_support: run the axsearch program from a test and capture what it
 * prints. The program's path comes from $AXSEARCH (set by make test), else
 * ./axsearch. */
#ifndef AX_TESTS_CLI_SUPPORT_H
#define AX_TESTS_CLI_SUPPORT_H

#include <stddef.h>

typedef struct cli_result {
    int status;   /* exit status, or -1 if it did not exit normally */
    char *out;    /* standard output, NUL-terminated; caller frees */
    char *err;    /* standard error */
} cli_result;

/* Runs "$AXSEARCH <args>" through /bin/sh (args is shell text). */
cli_result cli_run(const char *args);
/* The same, stopped (SIGTERM, then SIGKILL 2 s later) when it runs longer
 * than seconds: status 124 then (coreutils' timeout). */
cli_result cli_run_within(const char *args, int seconds);

/* "$AXSEARCH_MPI <args>" under `mpirun -np ranks --oversubscribe
 * --bind-to none`, stopped like cli_run_within after seconds. */
cli_result cli_run_mpi(int ranks, int seconds, const char *args);

void cli_result_free(cli_result *r);

/* cli_run of the formatted args: the exit status, with the command and
 * its standard error printed to stderr when it is not 0. */
int cli_run_status(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* A whole file, NUL-terminated (malloc'ed, the caller frees), or NULL
 * when it cannot be read. */
char *cli_read_file(const char *path);
/* The first of files (names inside folders a and b) missing from either
 * or different between them, or NULL when all are byte-identical. */
const char *cli_first_difference(const char *a, const char *b, const char *const *files, size_t n);

/* The last non-empty line of text (a pointer into a static buffer). */
const char *cli_last_line(const char *text);

/* A test group's scratch folder: mkdtemp of templ (".../name-XXXXXX",
 * rewritten in place), and its removal with everything in it; 0 on
 * success, -1 otherwise (cmocka's setup and teardown convention). */
int cli_temp_dir(char *templ);
int cli_remove_tree(const char *dir);

#endif
