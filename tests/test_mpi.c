/* The search over MPI ranks (cli/dist.h) through the MPI build
 * ($AXSEARCH_MPI, set by make test when Open MPI is installed; skipped
 * otherwise) against the plain build ($AXSEARCH): the same files for 1, 2
 * and 3 ranks; a killed rank and a silent rank stop the run with a
 * message naming it, and a resume with another rank count ends with the
 * files of a run that never stopped; a bad configuration releases the
 * serving ranks. Uses models/lenet5_fmnist.onnx and Debian's
 * Fashion-MNIST. */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/cli_support.h"

static char tmpdir[] = "/tmp/axsearch-test-mpi-XXXXXX";
static char model[PATH_MAX];

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir) || !realpath("models/lenet5_fmnist.onnx", model))
        return -1;
    /* CI runs as root, which mpirun refuses unless told */
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static int have_mpi(void)
{
    return getenv("AXSEARCH_MPI") && system("command -v mpirun >/dev/null 2>&1") == 0;
}

/* A small search with racing, faulty voltage levels, weight tuning and
 * baselines (so summary.tsv, the baselines' distributed scoring and
 * their second fitness function, without recovery, are covered). */
static void write_config(const char *path, int generations, const char *baselines)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "[model]\nonnx = %s\ncalib_images = 300\nval_images = 120\nconfirm_images = 80\ntest_images = 80\n"
            "[knobs]\nnoc_swing = 0.8, 0.44, 0.4\nsram_v_input = 0.8, 0.48\nsram_v_weight = 0.8, 0.46\n"
            "[objectives]\nmax_drop = 10\n"
            "[recovery]\nweight_tuning = yes\n"
            "[search]\npopulation = 8\ngenerations = %d\nreps = 2\nrace_first_images = 30\nbaselines = %s\n",
            model, generations, baselines);
    fclose(f);
}

static void assert_same_files(const char *a, const char *b, const char *const *files, size_t n)
{
    const char *differs = cli_first_difference(a, b, files, n);
    if (differs)
        fail_msg("%s: missing from %s or %s, or they differ", differs, a, b);
}

static int run_ranks(int ranks, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run_ranks(int ranks, const char *fmt, ...)
{
    char args[2 * PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    cli_result r = cli_run_mpi(ranks, 300, args);
    int status = r.status;
    if (status != 0)
        print_message("mpirun -np %d axsearch %s -> %d\n%s\n", ranks, args, status, r.err);
    cli_result_free(&r);
    return status;
}

/* 1, 2 and 3 ranks (1 thread each) write what one process with 2
 * threads writes. */
static void ranks_give_identical_files(void **state)
{
    (void)state;
    if (!have_mpi())
        skip();
    char cfg[PATH_MAX], plain[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/same.ini", tmpdir);
    snprintf(plain, sizeof plain, "%s/plain", tmpdir);
    write_config(cfg, 3, "yes");
    assert_int_equal(cli_run_status("search '%s' --out '%s' --threads 2", cfg, plain), 0);
    static const char *const files[] = {"front.tsv", "history.tsv", "evaluations.tsv", "summary.tsv",
                                        "baselines.tsv"};
    for (int ranks = 1; ranks <= 3; ranks++) {
        char out[PATH_MAX];
        snprintf(out, sizeof out, "%s/ranks%d", tmpdir, ranks);
        assert_int_equal(run_ranks(ranks, "search '%s' --out '%s' --threads 1", cfg, out), 0);
        assert_same_files(plain, out, files, sizeof files / sizeof files[0]);
    }
}

/* The pid of the given MPI rank of the process whose command line holds
 * tag, or -1 (Open MPI puts OMPI_COMM_WORLD_RANK in each rank's
 * environment). */
static pid_t find_rank(int rank, const char *tag)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    struct dirent *ent;
    pid_t found = -1;
    char want[48];
    snprintf(want, sizeof want, "OMPI_COMM_WORLD_RANK=%d", rank);
    while (found < 0 && (ent = readdir(d))) {
        if (strspn(ent->d_name, "0123456789") != strlen(ent->d_name))
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "/proc/%s/cmdline", ent->d_name);
        char *cmd = NULL, *env = NULL;
        size_t n = 0;
        FILE *f = fopen(path, "rb");
        if (f) {
            cmd = calloc(1, 8192);
            n = cmd ? fread(cmd, 1, 8191, f) : 0;
            fclose(f);
        }
        for (size_t i = 0; cmd && i < n; i++)
            if (!cmd[i])
                cmd[i] = ' ';
        snprintf(path, sizeof path, "/proc/%s/environ", ent->d_name);
        f = cmd && strstr(cmd, tag) && !strstr(cmd, "mpirun") ? fopen(path, "rb") : NULL;
        if (f) {
            env = calloc(1, 65536);
            size_t m = env ? fread(env, 1, 65535, f) : 0;
            fclose(f);
            for (size_t i = 0; i < m; i += strlen(env + i) + 1)
                if (!strcmp(env + i, want))
                    found = (pid_t)atoi(ent->d_name);
        }
        free(cmd);
        free(env);
    }
    closedir(d);
    return found;
}

/* Starts `mpirun -np ranks AXSEARCH_MPI search cfg --out out ...extra`
 * with its standard error into err_path; returns the shell's pid. */
static pid_t start_ranks(int ranks, const char *cfg, const char *out, const char *extra, const char *err_path)
{
    char cmd[4 * PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "exec timeout -k 2 300 mpirun -np %d --oversubscribe --bind-to none '%s' search '%s' --out '%s' "
             "--threads 1 %s >/dev/null 2>'%s'",
             ranks, getenv("AXSEARCH_MPI"), cfg, out, extra, err_path);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits for the first checkpoint of out (a finished generation), then
 * sends sig to rank; returns the run's exit status. */
static int hit_rank_after_checkpoint(pid_t run, const char *out, int rank, int sig)
{
    char ck[PATH_MAX + 32];
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", out);
    struct stat st;
    for (int i = 0; i < 3600 && stat(ck, &st) != 0; i++) /* up to 3 min on a loaded machine */
        usleep(50000);
    assert_int_equal(stat(ck, &st), 0);
    pid_t victim = find_rank(rank, out);
    assert_true(victim > 0);
    kill(victim, sig);
    int status = 0;
    assert_int_equal(waitpid(run, &status, 0), run);
    if (sig == SIGSTOP) /* it cannot die stopped: end it */
        kill(victim, SIGKILL);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs the 6-generation search on 3 ranks (with extra options), sends
 * sig to rank after the first checkpoint, expects a status not 0 and
 * message in mpirun's standard error, then resumes on resume_ranks and
 * expects the files of a run that never stopped. */
static void interrupt_then_resume(const char *name, int rank, int sig, const char *extra, const char *message,
                                  int resume_ranks)
{
    char cfg[PATH_MAX], whole[PATH_MAX], out[PATH_MAX], err_path[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/%s.ini", tmpdir, name);
    snprintf(whole, sizeof whole, "%s/%s-whole", tmpdir, name);
    snprintf(out, sizeof out, "%s/%s-run", tmpdir, name);
    snprintf(err_path, sizeof err_path, "%s/%s.err", tmpdir, name);
    write_config(cfg, 6, "no");
    assert_int_equal(cli_run_status("search '%s' --out '%s' --threads 2", cfg, whole), 0);
    pid_t run = start_ranks(3, cfg, out, extra, err_path);
    int status = hit_rank_after_checkpoint(run, out, rank, sig);
    char *said = cli_read_file(err_path);
    assert_non_null(said);
    if (status == 0 || !strstr(said, message))
        fail_msg("signal %d to rank %d: status %d, said '%s'", sig, rank, status, said);
    free(said);
    assert_int_equal(run_ranks(resume_ranks, "resume '%s' --threads %d", out, resume_ranks == 1 ? 2 : 1), 0);
    static const char *const files[] = {"front.tsv", "history.tsv", "evaluations.tsv"};
    assert_same_files(whole, out, files, sizeof files / sizeof files[0]);
}

/* A SIGKILLed serving rank ends the run (status not 0, mpirun names the
 * rank); resumed on 2 ranks, the run ends with the files of one that
 * never stopped. */
static void killed_rank_then_resume(void **state)
{
    (void)state;
    if (!have_mpi())
        skip();
    interrupt_then_resume("kill", 1, SIGKILL, "", "rank 1", 2);
}

/* A rank that stops answering (SIGSTOP) is named after the time-out; the
 * checkpoint is intact and resumes on one rank. */
static void silent_rank_times_out(void **state)
{
    (void)state;
    if (!have_mpi())
        skip();
    interrupt_then_resume("hang", 2, SIGSTOP, "--rank-timeout 2", "rank 2 has not answered", 1);
}

/* A configuration rank 0 refuses: status 2 and the message, the serving
 * ranks released (no hang), no run folder. */
static void bad_config_releases_ranks(void **state)
{
    (void)state;
    if (!have_mpi())
        skip();
    char cfg[PATH_MAX], out[PATH_MAX], args[3 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/bad.ini", tmpdir);
    snprintf(out, sizeof out, "%s/bad-run", tmpdir);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(f, "[model]\nonnx = %s\n[search]\npopulation = 2\n", model);
    fclose(f);
    snprintf(args, sizeof args, "search '%s' --out '%s'", cfg, out);
    cli_result r = cli_run_mpi(3, 60, args);
    if (r.status != 2 || !strstr(r.err, "population"))
        fail_msg("status %d, said '%s'", r.status, r.err);
    cli_result_free(&r);
    struct stat st;
    assert_int_not_equal(stat(out, &st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranks_give_identical_files),
        cmocka_unit_test(killed_rank_then_resume),
        cmocka_unit_test(silent_rank_times_out),
        cmocka_unit_test(bad_config_releases_ranks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
