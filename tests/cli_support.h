/* cli_support: run the axsearch program from a test and capture what it
 * prints. The program's path comes from $AXSEARCH (set by make test), else
 * ./axsearch. */
#ifndef AX_TESTS_CLI_SUPPORT_H
#define AX_TESTS_CLI_SUPPORT_H

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

/* The last non-empty line of text (a pointer into a static buffer). */
const char *cli_last_line(const char *text);

#endif
