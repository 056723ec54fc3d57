/* The search end to end through the program ($AXSEARCH): thread
 * invariance, resume after SIGKILL at several moments and after SIGINT,
 * refusal of bad configurations without leaving a run folder, and NSGA-II
 * against the exhaustively enumerated true front of a small space.
 * Uses models/lenet5_fmnist.onnx and Debian's Fashion-MNIST. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fitness/net/idx.h"
#include "tests/cli_support.h"
#include "util/hash.h"
#include "util/pcg.h"

static char tmpdir[] = "/tmp/axsearch-test-search-XXXXXX";
static char model[PATH_MAX];

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir) || !realpath("models/lenet5_fmnist.onnx", model))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A small search: 60 search images, faulty voltage levels on; baselines
 * "yes" or "no". */
static void write_config(const char *path, const char *baselines, const char *extra)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "[model]\nonnx = %s\ncalib_images = 300\nval_images = 60\nconfirm_images = 60\ntest_images = 60\n"
            "[knobs]\nnoc_swing = 0.8, 0.44, 0.4\nsram_v_input = 0.8, 0.48\nsram_v_weight = 0.8, 0.46\n"
            "[objectives]\nmax_drop = 10\n"
            "[search]\npopulation = 8\ngenerations = 5\nreps = 2\nrace_first_images = 16\nbaselines = %s\n%s",
            model, baselines, extra ? extra : "");
    fclose(f);
}

/* A tiny search with baselines: 40 images (whose 95 % bound on a drop is
 * never below ~6 points, hence the loose max_drop), NoC swing levels only.
 * val_images: the search images (40 unless more are needed). */
static void write_sized_config(const char *path, const char *noc_swing, int population, int generations,
                               int val_images)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "[model]\nonnx = %s\ncalib_images = 200\nval_images = %d\nconfirm_images = 40\ntest_images = 40\n"
            "[knobs]\nnoc_swing = %s\n[objectives]\nmax_drop = 20\n"
            "[search]\npopulation = %d\ngenerations = %d\nreps = 1\nbaselines = yes\n",
            model, val_images, noc_swing, population, generations);
    fclose(f);
}

static void write_tiny_config(const char *path, const char *noc_swing, int population, int generations)
{
    write_sized_config(path, noc_swing, population, generations, 40);
}

static void assert_same_files(const char *a, const char *b, const char *const *files, size_t n)
{
    const char *differs = cli_first_difference(a, b, files, n);
    if (differs)
        fail_msg("%s: missing from %s or %s, or they differ", differs, a, b);
}

/* The files that must be byte-identical between two runs. */
static void assert_same_results(const char *a, const char *b)
{
    static const char *const files[] = {"front.tsv", "history.tsv", "evaluations.tsv"};
    assert_same_files(a, b, files, sizeof files / sizeof files[0]);
}

/* Runs the program with args and expects exit status 2 with message in
 * its standard error. */
static void expect_refusal(const char *args, const char *message)
{
    cli_result r = cli_run(args);
    if (r.status != 2 || !strstr(r.err, message))
        fail_msg("axsearch %s: status %d, said '%s'; expected 2 and '%s'", args, r.status, r.err, message);
    cli_result_free(&r);
}

/* Thread counts, and the prefix cache's size, change no result file. */
static void threads_give_identical_files(void **state)
{
    (void)state;
    char cfg[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/t.ini", tmpdir);
    write_config(cfg, "no", NULL);
    assert_int_equal(cli_run_status("search '%s' --out '%s/t1' --threads 1", cfg, tmpdir), 0);
    assert_int_equal(cli_run_status("search '%s' --out '%s/t2' --threads 2", cfg, tmpdir), 0);
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof a, "%s/t1", tmpdir);
    snprintf(b, sizeof b, "%s/t2", tmpdir);
    assert_same_results(a, b);
    /* A memory budget that leaves the prefix cache 37 of its 1,024 MiB
     * (the rest needs ~163: cli/run_env.c) says so and changes nothing. */
    char small[PATH_MAX], args[3 * PATH_MAX];
    snprintf(small, sizeof small, "%s/small.ini", tmpdir);
    write_config(small, "no", "memory_mb = 200\n");
    snprintf(args, sizeof args, "search '%s' --out '%s/t3' --threads 2", small, tmpdir);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "memory: the prefix cache gets 37 of its 1024 MiB"));
    cli_result_free(&r);
    snprintf(b, sizeof b, "%s/t3", tmpdir);
    assert_same_results(a, b);
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* Starts `axsearch CMD CFG --out OUT --threads 2` (CMD: search or
 * baselines), or with cfg NULL `axsearch resume OUT --threads 2`, in the
 * background, its output discarded. */
static pid_t spawn_run(const char *cmd, const char *cfg, const char *out)
{
    const char *prog = getenv("AXSEARCH");
    if (!prog)
        prog = "./axsearch";
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        if (cfg)
            execl(prog, prog, cmd, cfg, "--out", out, "--threads", "2", (char *)NULL);
        else
            execl(prog, prog, "resume", out, "--threads", "2", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits until history.tsv holds rows data rows (plus its header). */
static void wait_rows(const char *out, int rows, pid_t pid)
{
    char hist[2 * PATH_MAX];
    snprintf(hist, sizeof hist, "%s/history.tsv", out);
    for (int i = 0; i < 20000; i++) {
        if (count_lines(hist) >= rows + 1)
            return;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            fail_msg("the search ended before generation %d", rows);
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("timed out waiting for generation %d", rows);
}

static void killed_and_resumed_equals_uninterrupted(void **state)
{
    (void)state;
    char cfg[PATH_MAX], whole[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/k.ini", tmpdir);
    write_config(cfg, "no", NULL);
    snprintf(whole, sizeof whole, "%s/whole", tmpdir);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --threads 2", cfg, whole), 0);
    /* SIGKILL right after generations 1, 2 and 4 were checkpointed (the
     * kill may land anywhere in the next generation). */
    const int moments[] = {1, 2, 4};
    for (size_t i = 0; i < sizeof moments / sizeof moments[0]; i++) {
        char out[PATH_MAX];
        snprintf(out, sizeof out, "%s/kill%d", tmpdir, moments[i]);
        pid_t pid = spawn_run("search", cfg, out);
        wait_rows(out, moments[i], pid);
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        assert_true(WIFSIGNALED(st));
        assert_int_equal(cli_run_status("resume '%s' --threads 2", out), 0);
        assert_same_results(whole, out);
    }
    /* SIGINT: a clean stop with status 130, then resume. */
    char out[PATH_MAX];
    snprintf(out, sizeof out, "%s/int", tmpdir);
    pid_t pid = spawn_run("search", cfg, out);
    wait_rows(out, 2, pid);
    kill(pid, SIGINT);
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 130);
    char ck[2 * PATH_MAX];
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", out);
    assert_int_equal(access(ck, R_OK), 0);
    assert_int_equal(cli_run_status("resume '%s' --threads 1", out), 0);
    assert_same_results(whole, out);
    /* Resuming a finished run changes nothing. */
    assert_int_equal(cli_run_status("resume '%s'", out), 0);
    assert_same_results(whole, out);
}

/* Crash safety, repeatable: a search with baselines is killed with
 * SIGKILL at 20 moments drawn from a seeded PCG32 stream (within an eighth
 * of an uninterrupted run's time after each start, the first once the
 * folder holds its config.ini; kills land
 * in the start-up, the evolution, the atomic writes, the confirmation and
 * the baselines), resumed after each, and ends with files identical to a
 * run that never stopped. */
static void twenty_kills_equal_uninterrupted(void **state)
{
    (void)state;
    char cfg[PATH_MAX], whole[PATH_MAX], out[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/k20.ini", tmpdir);
    write_config(cfg, "yes", NULL);
    snprintf(whole, sizeof whole, "%s/k20_whole", tmpdir);
    snprintf(out, sizeof out, "%s/k20", tmpdir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --threads 2", cfg, whole), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* moments within an eighth of a whole run's time: a start makes
     * some progress, and the twenty kills normally come before the end */
    long whole_ms = (t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L;
    uint32_t span_ms = whole_ms / 8 > 10 ? (uint32_t)(whole_ms / 8) : 10;
    pcg32 rng;
    pcg32_seed(&rng, 20, 21);
    int kills = 0, finished = 0, st;
    char ini[2 * PATH_MAX], ck[2 * PATH_MAX];
    snprintf(ini, sizeof ini, "%s/config.ini", out);
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", out);
    int with_checkpoint = 0;
    for (int start = 0; kills < 20 && !finished; start++) {
        /* killed before its config.ini existed, the search starts anew */
        pid_t pid = access(ini, F_OK) != 0 ? spawn_run("search", cfg, out) : spawn_run("resume", NULL, out);
        for (int i = 0; start == 0 && i < 20000 && access(ini, F_OK) != 0; i++) {
            struct timespec tick = {0, 2000000};
            nanosleep(&tick, NULL);
        }
        long ms = 1 + (long)pcg32_bounded(&rng, span_ms);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        if (waitpid(pid, &st, WNOHANG) == pid) {
            finished = WIFEXITED(st) && WEXITSTATUS(st) == 0;
            if (!finished)
                fail_msg("start %d ended with status %d before its kill", start, st);
        } else {
            with_checkpoint += access(ck, F_OK) == 0;
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            kills++;
        }
    }
    print_message("    %d kills, %d of them with a checkpoint on disk (moments within %u ms; the whole run takes "
                  "%ld ms)\n", kills, with_checkpoint, span_ms, whole_ms);
    /* On a machine much slower during the kills than while timing the
     * whole run the run may finish first; ten kills still test resume. */
    assert_true(kills >= 10);
    assert_int_equal(cli_run_status("resume '%s'", out), 0);
    static const char *const files[] = {"front.tsv", "history.tsv", "evaluations.tsv", "baselines.tsv",
                                        "summary.tsv"};
    assert_same_files(whole, out, files, sizeof files / sizeof files[0]);
}

/* A checkpoint that cannot be written (the file size limit of `ulimit
 * -f`, as a full disk would) stops the run with a message naming it and
 * leaves the previous checkpoint whole; resumed with room, the run ends
 * as one that never stopped. */
static void failed_checkpoint_write_keeps_the_last(void **state)
{
    (void)state;
    char cfg[PATH_MAX], whole[PATH_MAX], out[PATH_MAX], cmd[4 * PATH_MAX], ck[2 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/full.ini", tmpdir);
    write_tiny_config(cfg, "0.8, 0.44", 4, 3);
    snprintf(whole, sizeof whole, "%s/full_whole", tmpdir);
    snprintf(out, sizeof out, "%s/full", tmpdir);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --no-baselines", cfg, whole), 0);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --no-baselines --gens 1", cfg, out), 0);
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", out);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/full.before'", ck, tmpdir);
    assert_int_equal(system(cmd), 0);
    const char *env = getenv("AXSEARCH");
    char prog[PATH_MAX];
    assert_non_null(realpath(env ? env : "axsearch", prog));
    /* 4 blocks of 512 bytes: less than a checkpoint, more than a log line */
    snprintf(cmd, sizeof cmd, "ulimit -f 4; trap '' XFSZ; '%s' resume '%s' --gens 3 > /dev/null 2> '%s/full.err'",
             prog, out, tmpdir);
    int st = system(cmd);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
    snprintf(cmd, sizeof cmd, "%s/full.err", tmpdir);
    char *msg = cli_read_file(cmd);
    if (!strstr(msg, "checkpoint.bin"))
        fail_msg("the message does not name the checkpoint: %s", msg);
    free(msg);
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s/full.before'", ck, tmpdir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(cli_run_status("resume '%s' --gens 3", out), 0);
    assert_same_results(whole, out);
}

/* Waits until bin (baselines.bin) holds at least one result, then kills
 * pid with SIGKILL. The file exists, empty, from the baselines' start:
 * BASELINES_EMPTY bytes: magic, version, two lists (gene count, 0
 * entries), checksum. */
enum { BASELINES_EMPTY = 8 + 4 + 2 * (4 + 8) + 8 };
static void kill_once_baselines_known(pid_t pid, const char *bin)
{
    int st;
    for (int i = 0; i < 30000; i++) {
        struct stat sb;
        if (stat(bin, &sb) == 0 && sb.st_size > BASELINES_EMPTY)
            break;
        if (waitpid(pid, &st, WNOHANG) == pid)
            fail_msg("the run ended before %s held a result", bin);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    assert_true(WIFSIGNALED(st));
}

/* Runs `axsearch CMD` (search or baselines) on the baselines config into
 * TMP/NAME_whole, then again into TMP/NAME (out), killed with SIGKILL once
 * out/baselines.bin (bin) holds a result. */
static void whole_and_killed_in_baselines(const char *cmd, const char *name, char whole[PATH_MAX],
                                          char out[PATH_MAX], char bin[2 * PATH_MAX])
{
    char cfg[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/%s.ini", tmpdir, name);
    write_config(cfg, "yes", NULL);
    snprintf(whole, PATH_MAX, "%s/%s_whole", tmpdir, name);
    snprintf(out, PATH_MAX, "%s/%s", tmpdir, name);
    assert_int_equal(cli_run_status("%s '%s' --out '%s' --threads 2", cmd, cfg, whole), 0);
    pid_t pid = spawn_run(cmd, cfg, out);
    snprintf(bin, 2 * PATH_MAX, "%s/baselines.bin", out);
    kill_once_baselines_known(pid, bin);
}

/* SIGKILL during the baselines (once baselines.bin holds the fixed
 * designs): the resumed run replays them from baselines.bin and ends with
 * the files of a run that never stopped. */
static void killed_in_baselines_resumes_equal(void **state)
{
    (void)state;
    char whole[PATH_MAX], out[PATH_MAX], bin[2 * PATH_MAX];
    whole_and_killed_in_baselines("search", "kb", whole, out, bin);
    char summary[2 * PATH_MAX];
    snprintf(summary, sizeof summary, "%s/summary.tsv", out);
    assert_int_not_equal(access(summary, F_OK), 0); /* killed before the end */
    char args[3 * PATH_MAX];
    snprintf(args, sizeof args, "resume '%s' --threads 1", out);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "results known from"));
    long n_known = -1;
    assert_int_equal(sscanf(strstr(r.out, "baselines: "), "baselines: %ld results known", &n_known), 1);
    print_message("    resumed with %ld baseline results known\n", n_known);
    assert_true(n_known > 0);
    cli_result_free(&r);
    assert_same_results(whole, out);
    static const char *const files[] = {"baselines.tsv", "summary.tsv"};
    assert_same_files(whole, out, files, sizeof files / sizeof files[0]);
    /* A damaged baselines.bin is refused with a message naming it. */
    FILE *f = fopen(bin, "r+b");
    assert_non_null(f);
    fseek(f, 20, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    snprintf(args, sizeof args, "resume '%s'", out);
    expect_refusal(args, "baselines.bin");
}

/* A standalone `axsearch baselines` run killed part-way is continued by
 * `axsearch resume` (not restarted as a search) and ends byte-identical. */
static void standalone_baselines_resume(void **state)
{
    (void)state;
    char whole[PATH_MAX], out[PATH_MAX], bin[2 * PATH_MAX];
    whole_and_killed_in_baselines("baselines", "sb", whole, out, bin);
    char args[3 * PATH_MAX];
    snprintf(args, sizeof args, "resume '%s' --gens 9", out);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 2); /* the budget of a baselines run is fixed */
    assert_non_null(strstr(r.err, "only --threads"));
    cli_result_free(&r);
    /* While another process holds the folder, resume is refused. */
    char log[2 * PATH_MAX], stale[2 * PATH_MAX];
    snprintf(log, sizeof log, "%s/log.txt", out);
    int fd = open(log, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    snprintf(args, sizeof args, "resume '%s'", out);
    expect_refusal(args, "in use by another axsearch process");
    close(fd);
    /* A temporary left by a killed write is removed on resuming. */
    snprintf(stale, sizeof stale, "%s/front.tsv.tmp.4242", out);
    FILE *f = fopen(stale, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(args, sizeof args, "resume '%s' --threads 1", out);
    r = cli_run(args);
    assert_int_equal(r.status, 0);
    assert_int_not_equal(access(stale, F_OK), 0);
    assert_null(strstr(r.out, "search:")); /* no search was started */
    assert_non_null(strstr(r.out, "results known from"));
    assert_non_null(strstr(r.out, "baselines: random search"));
    cli_result_free(&r);
    static const char *const files[] = {"baselines.tsv", "summary.tsv"};
    assert_same_files(whole, out, files, sizeof files / sizeof files[0]);
    char ck[2 * PATH_MAX];
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", out);
    assert_int_not_equal(access(ck, F_OK), 0);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* A checkpoint whose checksum is right but whose stored evaluations hold a
 * gene out of range (written by hand or for another configuration) is
 * refused with exit 2 naming the file; once it crashed the resume. The
 * offsets follow nsga_save and run_state_save: header, population, caller
 * blob (state version, configuration, hits, history rows, then the cache
 * entries). */
static void checkpoint_with_foreign_genes_refused(void **state)
{
    (void)state;
    char cfg[PATH_MAX], out[PATH_MAX], ck[2 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/fg.ini", tmpdir);
    snprintf(out, sizeof out, "%s/fg", tmpdir);
    write_tiny_config(cfg, "0.8, 0.44", 4, 1);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --no-baselines", cfg, out), 0);
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", out);
    FILE *f = fopen(ck, "rb");
    assert_non_null(f);
    unsigned char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(len > 100 && len < sizeof buf);
    size_t body = len - 8, p = 20 + (size_t)get_u64(buf + 12);
    uint32_t n_int = get_u32(buf + 20), n_real = get_u32(buf + 24), n_obj = get_u32(buf + 28);
    uint32_t n_con = get_u32(buf + 32), pop = get_u32(buf + 36);
    p += 32 + (size_t)pop * (4 * n_int + 8 * n_real + 8 * n_obj + 8 * n_con + 8 + 4 + 8);
    p += 8 + 4; /* blob length, state version */
    p += 8 + (size_t)get_u64(buf + p); /* the recorded configuration */
    p += 8; /* hits */
    p += 8 + 48 * (size_t)get_u64(buf + p); /* history rows */
    assert_int_equal(get_u32(buf + p), n_int); /* genes per cache entry */
    assert_true(get_u64(buf + p + 4) > 0);     /* entries */
    p += 12;
    assert_true(p + 4 <= body);
    buf[p] = 0x7f; /* gene 0 of the first entry: 127, far beyond any level count */
    uint64_t h = hash_fnv1a64(HASH_FNV_OFFSET, buf, body);
    for (int i = 0; i < 8; i++)
        buf[body + i] = (unsigned char)(h >> (8 * i));
    f = fopen(ck, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    char args[3 * PATH_MAX];
    snprintf(args, sizeof args, "resume '%s'", out);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 2);
    if (!strstr(r.err, "checkpoint.bin") || !strstr(r.err, "out of"))
        fail_msg("unexpected message: %s", r.err);
    cli_result_free(&r);
}

/* config.ini holds every resolved value on one line each: fourteen NoC
 * levels once made a line longer than the INI reader takes, and the
 * finished run could not be resumed. */
static void long_level_lists_resume(void **state)
{
    (void)state;
    char cfg[PATH_MAX], out[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/levels.ini", tmpdir);
    snprintf(out, sizeof out, "%s/levels", tmpdir);
    write_tiny_config(cfg, "0.8, 0.76, 0.72, 0.68, 0.64, 0.6, 0.56, 0.52, 0.48, 0.44, 0.4, 0.36, 0.32, 0.3", 4, 1);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --no-baselines", cfg, out), 0);
    assert_int_equal(cli_run_status("resume '%s'", out), 0);
}

/* resume refuses what it cannot continue instead of quietly starting
 * over: fewer generations than are done, a folder with results but no
 * checkpoint. An --exhaustive space too large is refused before the run
 * folder exists. */
static void resume_refuses_what_it_cannot_continue(void **state)
{
    (void)state;
    char cfg[PATH_MAX], out[PATH_MAX], args[3 * PATH_MAX], ck[2 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/refuse.ini", tmpdir);
    snprintf(out, sizeof out, "%s/refuse", tmpdir);
    write_tiny_config(cfg, "0.8, 0.44", 4, 3);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --no-baselines", cfg, out), 0);
    snprintf(args, sizeof args, "resume '%s' --gens 2", out);
    expect_refusal(args, "would undo them");
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", out);
    assert_int_equal(remove(ck), 0);
    snprintf(args, sizeof args, "resume '%s'", out);
    expect_refusal(args, "nothing to resume from");
    snprintf(args, sizeof args, "search configs/quick.ini --out '%s/huge' --exhaustive", tmpdir);
    expect_refusal(args, "chromosomes, more than");
    snprintf(args, sizeof args, "%s/huge", tmpdir);
    assert_int_not_equal(access(args, F_OK), 0);
}

/* Replaces the first "key = ..." line of a run's config.ini. */
static void edit_run_config(const char *run, const char *key_name, const char *value)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/config.ini", run);
    char *text = cli_read_file(path);
    assert_non_null(text);
    char needle[128];
    snprintf(needle, sizeof needle, "\n%s = ", key_name);
    char *at = strstr(text, needle);
    assert_non_null(at);
    char *end = strchr(at + 1, '\n');
    assert_non_null(end);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%.*s\n%s = %s%s", (int)(at - text), text, key_name, value, end);
    fclose(f);
    free(text);
}

/* A run's checkpoint records its configuration: a resume after config.ini
 * was edited (here max_drop and val_images) is refused, naming the keys,
 * and leaves the checkpoint as it was; the budget keys may change; restored,
 * the run ends as one that never stopped; --allow-change lets it go on
 * with the new values, and the log says so. */
static void resume_refuses_a_changed_config(void **state)
{
    (void)state;
    char cfg[PATH_MAX], out[PATH_MAX], ref[PATH_MAX], args[3 * PATH_MAX], ck[2 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/changed.ini", tmpdir);
    snprintf(out, sizeof out, "%s/changed", tmpdir);
    snprintf(ref, sizeof ref, "%s/changed_ref", tmpdir);
    write_tiny_config(cfg, "0.8, 0.44", 4, 2);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --no-baselines", cfg, ref), 0);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --no-baselines --gens 1", cfg, out), 0);
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", out);
    char cmd[4 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/changed.before'", ck, tmpdir);
    assert_int_equal(system(cmd), 0);
    edit_run_config(out, "max_drop", "19");
    edit_run_config(out, "val_images", "41");
    edit_run_config(out, "threads", "1");
    snprintf(args, sizeof args, "resume '%s' --gens 2", out);
    expect_refusal(args, "checkpoint.bin: 2 keys of config.ini changed since the run began "
                         "(model.val_images, objectives.max_drop)");
    /* a key that changes the problem itself is named too */
    edit_run_config(out, "population", "6");
    expect_refusal(args, "3 keys of config.ini changed since the run began "
                         "(model.val_images, objectives.max_drop, search.population)");
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s/changed.before'", ck, tmpdir);
    assert_int_equal(system(cmd), 0);
    /* restored (threads stays changed): equal to the uninterrupted run */
    edit_run_config(out, "max_drop", "20");
    edit_run_config(out, "val_images", "40");
    edit_run_config(out, "population", "4");
    assert_int_equal(cli_run_status("resume '%s' --gens 2", out), 0);
    assert_same_results(out, ref);
    /* allowed explicitly: it goes on, and says with what */
    edit_run_config(out, "max_drop", "19");
    assert_int_equal(cli_run_status("resume '%s' --gens 3 --allow-change max_drop", out), 0);
    char log[2 * PATH_MAX];
    snprintf(log, sizeof log, "%s/log.txt", out);
    char *text = cli_read_file(log);
    assert_non_null(strstr(text, "continuing with changed keys, as allowed: objectives.max_drop"));
    free(text);
    snprintf(args, sizeof args, "search '%s' --out '%s/x' --allow-change max_drop", cfg, tmpdir);
    expect_refusal(args, "--allow-change is for resume");
}

/* A configuration that is an endless stream (or a huge file) is refused
 * at the reader's limit, naming it, instead of hanging. */
static double summary_hv(const char *run)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/summary.tsv", run);
    char *text = cli_read_file(path);
    assert_non_null(text);
    char *line = strchr(text, '\n');
    assert_non_null(line);
    char name[64];
    long evals;
    double hv;
    assert_int_equal(sscanf(line + 1, "%63s %ld %lf", name, &evals, &hv), 3);
    free(text);
    return hv;
}

static double history_hv(const char *run, long *evals)
{
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/history.tsv", run);
    char *text = cli_read_file(path);
    assert_non_null(text);
    char *last = NULL;
    for (char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
        last = p + 1;
    assert_non_null(last);
    long gen, hits, feasible;
    double hv, best;
    assert_int_equal(sscanf(last, "%ld %ld %ld %ld %lf %lf", &gen, evals, &hits, &feasible, &hv, &best), 6);
    free(text);
    return hv;
}

static void per_layer_voltages_and_bank_mode(void **state)
{
    (void)state;
    static const char *const extras[] = {"[knobs]\nper_layer = yes\n", "[bank]\narrays = 2\n"};
    for (int k = 0; k < 2; k++) {
        char cfg[PATH_MAX], out[PATH_MAX];
        snprintf(cfg, sizeof cfg, "%s/pl%d.ini", tmpdir, k);
        snprintf(out, sizeof out, "%s/pl%d", tmpdir, k);
        FILE *f = fopen(cfg, "w");
        fprintf(f,
                "[model]\nonnx = %s\ncalib_images = 200\nval_images = 40\nconfirm_images = 40\ntest_images = 40\n"
                "[search]\npopulation = 8\ngenerations = 2\nreps = 1\nbaselines = yes\n"
                "[objectives]\nmax_drop = 20\n%s[knobs]\nnoc_swing = 0.8, 0.44\n",
                model, k == 1 ? extras[1] : "");
        fclose(f);
        if (k == 0) { /* per_layer goes into the one [knobs] section */
            f = fopen(cfg, "a");
            fprintf(f, "per_layer = yes\n");
            fclose(f);
        }
        assert_int_equal(cli_run_status("search '%s' --out '%s'", cfg, out), 0);
        char path[2 * PATH_MAX];
        snprintf(path, sizeof path, "%s/front.tsv", out);
        char *text = cli_read_file(path);
        assert_non_null(text);
        if (k == 0) {
            /* Five layers: five swings per row; genes per layer. */
            assert_non_null(strstr(text, "gene_swing4"));
            char *row = strchr(text, '\n') + 1;
            int commas = 0;
            for (char *p = row; *p && *p != '\n'; p++)
                commas += *p == ',';
            assert_true(commas >= 3 * 4); /* three knob lists of 5, plus the mult names */
        } else {
            assert_non_null(strstr(text, "array1"));
            assert_non_null(strstr(text, "route4"));
        }
        free(text);
        snprintf(path, sizeof path, "%s/baselines.tsv", out);
        assert_int_equal(access(path, R_OK), 0);
    }
}

/* Field `col` (0-based) of a TSV line, as a number. */
static double tsv_field(const char *line, int col)
{
    for (int c = 0; c < col; c++) {
        line = strchr(line, '\t');
        assert_non_null(line);
        line++;
    }
    return strtod(line, NULL);
}

/* Index of the column named name in a TSV text's header line. */
static int tsv_col(const char *text, const char *name)
{
    size_t len = strlen(name);
    int col = 0;
    for (const char *p = text; *p && *p != '\n'; col++) {
        if (!strncmp(p, name, len) && (p[len] == '\t' || p[len] == '\n'))
            return col;
        while (*p && *p != '\t' && *p != '\n')
            p++;
        if (*p == '\t')
            p++;
    }
    fail_msg("no column %s", name);
    return -1;
}

/* summary.tsv's savings for the search come from the search's own
 * chromosomes (evaluations.tsv), even when a baseline does better: here a
 * one-generation search of 4 chromosomes against a harmless NoC swing, on
 * 600 search images (enough for a 95 % bound below 0.5 points when the
 * swing changes no answer). */
static void search_savings_exclude_baselines(void **state)
{
    (void)state;
    char cfg[PATH_MAX], out[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/own.ini", tmpdir);
    snprintf(out, sizeof out, "%s/own", tmpdir);
    write_sized_config(cfg, "0.8, 0.56", 4, 1, 600);
    assert_int_equal(cli_run_status("search '%s' --out '%s'", cfg, out), 0);
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/baselines.tsv", out);
    char *base = cli_read_file(path);
    assert_non_null(base);
    double exact = tsv_field(strchr(base, '\n') + 1, 2); /* first row: the exact design */
    free(base);
    snprintf(path, sizeof path, "%s/evaluations.tsv", out);
    char *evals = cli_read_file(path);
    assert_non_null(evals);
    /* The search split counts a design by its drop's upper bound. */
    double best = exact;
    int ucb = tsv_col(evals, "drop_ucb"), energy = tsv_col(evals, "energy_uj");
    for (char *line = strchr(evals, '\n'); line && line[1]; line = strchr(line + 1, '\n'))
        if (tsv_field(line + 1, ucb) <= 0.5 && tsv_field(line + 1, energy) < best)
            best = tsv_field(line + 1, energy);
    free(evals);
    double own = 100.0 * (1.0 - best / exact);
    snprintf(path, sizeof path, "%s/summary.tsv", out);
    char *sum = cli_read_file(path);
    assert_non_null(sum);
    char *row = strstr(sum, "\nnsga2_all_knobs\t"), *knob = strstr(sum, "\none_knob\t");
    assert_non_null(row);
    assert_non_null(knob);
    double reported = tsv_field(row + 1, 3), one_knob = tsv_field(knob + 1, 3);
    free(sum);
    print_message("    search's own savings %.3f %%, reported %.3f %%, one knob %.3f %%\n", own, reported, one_knob);
    assert_true(fabs(reported - own) < 0.002);
    assert_true(one_knob > own + 1.0); /* the case the rule is about */
}

/* The best energy_saved_pct over the rows of a TSV file whose test-split
 * drop (test_drop_pp) is <= bound, among rows whose first field starts
 * with one of kinds ("" matches all); 0 when none. */
static double best_test_saving(const char *path, double bound, const char *const *kinds, int n_kinds)
{
    char *text = cli_read_file(path);
    assert_non_null(text);
    int drop_col = tsv_col(text, "test_drop_pp"), saved_col = tsv_col(text, "energy_saved_pct");
    double best = 0;
    for (char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        int match = 0;
        for (int k = 0; k < n_kinds; k++)
            match |= !strncmp(line + 1, kinds[k], strlen(kinds[k]));
        double drop = tsv_field(line + 1, drop_col), saved = tsv_field(line + 1, saved_col);
        if (match && drop <= bound && saved > best)
            best = saved;
    }
    free(text);
    return best;
}

/* summary.tsv's test-split savings agree with the files: the search's with
 * front.tsv (the reported front), each baseline's with the rows of
 * baselines.tsv re-scored on the test split. Those are exactly the rows
 * the reporting rule reported; every feasible row was scored on the
 * confirmation images, and a reported one holds the bound there. */
static void test_split_savings_match_files(void **state)
{
    (void)state;
    char cfg[PATH_MAX], out[PATH_MAX], path[2 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/tsplit.ini", tmpdir);
    snprintf(out, sizeof out, "%s/tsplit", tmpdir);
    write_config(cfg, "yes", NULL);
    assert_int_equal(cli_run_status("search '%s' --out '%s'", cfg, out), 0);
    snprintf(path, sizeof path, "%s/baselines.tsv", out);
    char *base = cli_read_file(path);
    assert_non_null(base);
    int c_feasible = tsv_col(base, "feasible"), c_reported = tsv_col(base, "reported");
    int c_confirm = tsv_col(base, "confirm_drop_pp"), c_confirm_ucb = tsv_col(base, "confirm_drop_ucb");
    int c_test = tsv_col(base, "test_drop_pp"), c_test_top1 = tsv_col(base, "test_top1");
    int rescored = 0;
    for (char *line = strchr(base, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        int feasible = (int)tsv_field(line + 1, c_feasible), reported = (int)tsv_field(line + 1, c_reported);
        assert_int_equal(feasible, !isnan(tsv_field(line + 1, c_confirm)));
        assert_int_equal(reported, !isnan(tsv_field(line + 1, c_test)));
        assert_int_equal(reported, !isnan(tsv_field(line + 1, c_test_top1)));
        if (reported)
            assert_true(feasible && tsv_field(line + 1, c_confirm_ucb) <= 10.0); /* max_drop of write_config */
        rescored += reported;
    }
    free(base);
    assert_true(rescored > 0);
    static const char *const fixed[] = {"exact\t", "all_layers\t", "noc_swing\t", "sram_v_input\t",
                                        "sram_v_weight\t"};
    static const char *const any[] = {""}, *const mo[] = {"mult_only\t"}, *const rnd[] = {"random\t"};
    struct {
        const char *approach, *file;
        const char *const *kinds;
        int n_kinds;
    } cases[] = {
        {"nsga2_all_knobs", "front.tsv", any, 1},
        {"one_knob", "baselines.tsv", fixed, 5},
        {"random", "baselines.tsv", rnd, 1},
        {"mult_only_nsga2", "baselines.tsv", mo, 1},
    };
    snprintf(path, sizeof path, "%s/summary.tsv", out);
    char *sum = cli_read_file(path);
    assert_non_null(sum);
    assert_non_null(strstr(sum, "\ttest_energy_saved_pct_at_0.5pp\ttest_energy_saved_pct_at_0pp\ttest_hv\n"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char key[64], file[2 * PATH_MAX];
        snprintf(key, sizeof key, "\n%s\t", cases[i].approach);
        char *row = strstr(sum, key);
        assert_non_null(row);
        snprintf(file, sizeof file, "%s/%s", out, cases[i].file);
        for (int b = 0; b < 2; b++) {
            double want = best_test_saving(file, b ? 0.0 : 0.5, cases[i].kinds, cases[i].n_kinds);
            double got = tsv_field(row + 1, 5 + b);
            print_message("    %-16s test split, <= %.1f pp: %.3f %% (files: %.3f %%)\n", cases[i].approach,
                          b ? 0.0 : 0.5, got, want);
            assert_true(fabs(got - want) < 0.0015);
        }
    }
    free(sum);
}

/* Runs plots/heatmap.gp on run with gnuplot's `set table`, which writes
 * the boxes it would draw (x = layer, y = front row, colour = multiplier
 * index), and checks every box against front.tsv: row y of the figure must
 * be data row y of the file (once, the header was drawn as row 0 and every
 * colour sat one row off its label). */
static void assert_heatmap_matches_front(const char *run, int layers)
{
    char table[2 * PATH_MAX], cmd[6 * PATH_MAX], path[2 * PATH_MAX];
    snprintf(table, sizeof table, "%s/heatmap_table.txt", run);
    snprintf(cmd, sizeof cmd,
             "gnuplot -e \"run='%s'; out='%s/unused.png'; layers=%d; set table '%s'\" plots/heatmap.gp",
             run, run, layers, table);
    assert_int_equal(system(cmd), 0);
    /* front.tsv: header, then one row per front point; L<k> columns. */
    snprintf(path, sizeof path, "%s/front.tsv", run);
    char *front = cli_read_file(path);
    assert_non_null(front);
    int col[8], n_cols = 0, rows = 0;
    long value[64][8];
    for (int k = 0; k < layers; k++)
        col[k] = -1;
    char *save = NULL;
    for (char *line = strtok_r(front, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *cs = NULL;
        int c = 0;
        for (char *f = strtok_r(line, "\t", &cs); f; f = strtok_r(NULL, "\t", &cs), c++) {
            int k;
            char tail;
            if (n_cols == 0 && sscanf(f, "L%d%c", &k, &tail) == 1 && k >= 0 && k < layers)
                col[k] = c;
            for (k = 0; k < layers && n_cols && rows < 64; k++)
                if (col[k] == c)
                    value[rows][k] = strtol(f, NULL, 10);
        }
        if (n_cols++ > 0)
            rows++;
    }
    free(front);
    for (int k = 0; k < layers; k++)
        assert_true(col[k] >= 0);
    assert_true(rows > 0 && rows < 64);
    FILE *t = fopen(table, "r");
    assert_non_null(t);
    char line[256];
    int boxes = 0;
    while (fgets(line, sizeof line, t)) {
        double x, y, xl, xh, yl, yh, colour;
        if (sscanf(line, "%lf %lf %lf %lf %lf %lf %lf", &x, &y, &xl, &xh, &yl, &yh, &colour) != 7)
            continue; /* comments, blank lines, the label curve */
        int k = (int)x, r = (int)y;
        assert_true(k >= 0 && k < layers && r >= 0 && r < rows);
        if ((long)colour != value[r][k])
            fail_msg("heatmap box (layer %d, row %d) has colour %g, front.tsv says %ld", k, r, colour,
                     value[r][k]);
        boxes++;
    }
    fclose(t);
    assert_int_equal(boxes, layers * rows);
}

/* axsearch plot writes each figure as a PNG and as an SVG (checked by
 * their first bytes: a mistyped terminal once wrote PNG into the .svg). */
static void plot_writes_png_and_svg(void **state)
{
    (void)state;
    char cfg[PATH_MAX], out[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/plot.ini", tmpdir);
    snprintf(out, sizeof out, "%s/plot", tmpdir);
    write_tiny_config(cfg, "0.8, 0.44", 8, 2);
    assert_int_equal(cli_run_status("search '%s' --out '%s'", cfg, out), 0);
    assert_int_equal(cli_run_status("plot '%s'", out), 0);
    static const char *const figures[] = {"front", "hv", "heatmap", "breakdown"};
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        char path[2 * PATH_MAX];
        snprintf(path, sizeof path, "%s/plots/%s.png", out, figures[i]);
        char *png = cli_read_file(path);
        if (!png || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0)
            fail_msg("%s is not a PNG file", path);
        free(png);
        snprintf(path, sizeof path, "%s/plots/%s.svg", out, figures[i]);
        char *svg = cli_read_file(path);
        if (!svg || strncmp(svg, "<?xml", 5) != 0 || !strstr(svg, "<svg") || !strstr(svg, "</svg>"))
            fail_msg("%s is not a complete SVG file", path);
        free(svg);
    }
    assert_heatmap_matches_front(out, 5);
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
    char a[4 * PATH_MAX], b[4 * PATH_MAX];
    snprintf(a, sizeof a, "%s/%s", from_dir, name);
    snprintf(b, sizeof b, "%s/%s", to_dir, name);
    char *text = cli_read_file(a);
    assert_non_null(text);
    FILE *f = fopen(b, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
}

/* A run folder's name goes into gnuplot's command line as a string: a
 * quote in it must neither break the plot nor end the string and run a
 * command (gnuplot's system()). Run from another folder, plot finds the
 * scripts next to the program. */
static void plot_hostile_names(void **state)
{
    (void)state;
    char cfg[PATH_MAX], run[PATH_MAX], odd[3 * PATH_MAX], marker[2 * PATH_MAX], path[5 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/hostile.ini", tmpdir);
    snprintf(run, sizeof run, "%s/hostile", tmpdir);
    write_tiny_config(cfg, "0.8, 0.44", 4, 1);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --no-baselines", cfg, run), 0);
    /* gnuplot runs in this directory: an injected command would create
     * the marker here (no '/' may appear in a folder name). */
    snprintf(marker, sizeof marker, "axsearch-injected-%ld", (long)getpid());
    snprintf(odd, sizeof odd, "%s/it's q'.system('touch %s').'", tmpdir, marker);
    assert_int_equal(mkdir(odd, 0777), 0);
    static const char *const files[] = {"front.tsv", "history.tsv", "config.ini"};
    for (size_t i = 0; i < 3; i++)
        copy_file(run, odd, files[i]);
    assert_int_equal(cli_run_status("plot \"%s\"", odd), 0);
    int injected = access(marker, F_OK) == 0;
    remove(marker);
    assert_false(injected);
    snprintf(path, sizeof path, "%s/plots/hv.png", odd);
    char *png = cli_read_file(path);
    assert_non_null(png);
    assert_true(memcmp(png, "\x89PNG", 4) == 0);
    free(png);
    /* (broken tables and figure paths: tests/test_bad_input.c) */
    /* from another folder, the scripts are found next to the program */
    char prog[PATH_MAX];
    const char *env = getenv("AXSEARCH");
    assert_non_null(realpath(env ? env : "axsearch", prog));
    snprintf(path, sizeof path, "cd / && '%s' plot '%s' > /dev/null", prog, run);
    assert_int_equal(system(path), 0);
    snprintf(path, sizeof path, "%s/plots/front.png", run);
    assert_int_equal(access(path, F_OK), 0);
}

static void nsga_near_the_true_front(void **state)
{
    (void)state;
    /* 3 multipliers in 5 layers x 3 swing levels = 729 chromosomes. */
    char cfg[PATH_MAX], ex[PATH_MAX], ga[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/small.ini", tmpdir);
    FILE *f = fopen(cfg, "w");
    fprintf(f,
            "[model]\nonnx = %s\ncalib_images = 300\nval_images = 200\nconfirm_images = 100\ntest_images = 40\n"
            "[library]\ninclude = trunc_k8c, perf_j0_m1\n"
            "[knobs]\nnoc_swing = 0.8, 0.44, 0.4\n"
            "[objectives]\nmax_drop = 5\n"
            "[search]\npopulation = 16\ngenerations = 11\nreps = 1\nbaselines = no\n",
            model);
    fclose(f);
    snprintf(ex, sizeof ex, "%s/ex", tmpdir);
    snprintf(ga, sizeof ga, "%s/ga", tmpdir);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --exhaustive", cfg, ex), 0);
    assert_int_equal(cli_run_status("search '%s' --out '%s'", cfg, ga), 0);
    double truth = summary_hv(ex);
    long evals;
    double hv = history_hv(ga, &evals);
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/evaluations.tsv", ga);
    int distinct = count_lines(path) - 1;
    print_message("    true front hv %.5f; NSGA-II hv %.5f (%.1f %%) with %d of 729 chromosomes (%.1f %%)\n",
                  truth, hv, 100 * hv / truth, distinct, 100.0 * distinct / 729);
    assert_true(truth > 0);
    assert_true(hv >= 0.95 * truth);
    assert_true(distinct <= 729 / 4);
}

/* The confirmation split rejects designs that passed on a small sample by
 * luck. With 30 search images and a lenient confidence (0.55: the bound is
 * barely above the estimate, as a point-estimate rule would be), the
 * exhaustive run finds designs feasible on the search images; most fail on
 * 300 images the search never used, and the reported front holds only
 * designs whose bound there is within max_drop. */
static void lucky_designs_fail_confirmation(void **state)
{
    (void)state;
    char cfg[PATH_MAX], out[PATH_MAX], args[3 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/lucky.ini", tmpdir);
    snprintf(out, sizeof out, "%s/lucky", tmpdir);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(f,
            "[model]\nonnx = %s\ncalib_images = 200\nval_images = 30\nconfirm_images = 300\ntest_images = 100\n"
            "[library]\ninclude = trunc_k8, bam_h3_v8, etm_k3\n"
            "[objectives]\nconfidence = 0.55\nmax_drop = 2\n[search]\nreps = 1\nbaselines = no\n",
            model);
    fclose(f);
    snprintf(args, sizeof args, "search '%s' --out '%s' --exhaustive", cfg, out);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 0);
    const char *line = strstr(r.out, "confirmation: ");
    assert_non_null(line);
    int held = -1, candidates = -1;
    assert_int_equal(sscanf(line, "confirmation: %d of %d candidates", &held, &candidates), 2);
    print_message("    %d of %d designs feasible on 30 search images hold on 300 confirmation images\n", held,
                  candidates);
    assert_true(candidates > 0 && held < candidates);
    cli_result_free(&r);
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/front.tsv", out);
    char *front = cli_read_file(path);
    assert_non_null(front);
    int ucb = tsv_col(front, "confirm_drop_ucb"), rows = 0;
    for (char *l = strchr(front, '\n'); l && l[1]; l = strchr(l + 1, '\n'), rows++)
        assert_true(tsv_field(l + 1, ucb) <= 2.0);
    assert_true(rows > 0);
    free(front);
}

/* A search with both recoveries: the same files on 1 and 2 threads,
 * different evaluations from the search without, the keys recorded. */
static void recovery_search_is_deterministic(void **state)
{
    (void)state;
    char cfg[PATH_MAX], plain[PATH_MAX], args[3 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/rec.ini", tmpdir);
    snprintf(plain, sizeof plain, "%s/plain.ini", tmpdir);
    write_config(cfg, "no", "[recovery]\nweight_tuning = yes\nbias_compensation = yes\ntune_radius = 16\n");
    write_config(plain, "no", NULL);
    snprintf(args, sizeof args, "search '%s' --out '%s/r1' --threads 1", cfg, tmpdir);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "recovery: weight tuning and bias compensation, fixes of 5 layers"));
    cli_result_free(&r);
    assert_int_equal(cli_run_status("search '%s' --out '%s/r2' --threads 2", cfg, tmpdir), 0);
    assert_int_equal(cli_run_status("search '%s' --out '%s/p1' --threads 2", plain, tmpdir), 0);
    char a[PATH_MAX], b[PATH_MAX], path[2 * PATH_MAX];
    snprintf(a, sizeof a, "%s/r1", tmpdir);
    snprintf(b, sizeof b, "%s/r2", tmpdir);
    assert_same_results(a, b);
    snprintf(path, sizeof path, "%s/config.ini", a);
    char *ini = cli_read_file(path);
    assert_non_null(strstr(ini, "weight_tuning = yes"));
    assert_non_null(strstr(ini, "bias_compensation = yes"));
    assert_non_null(strstr(ini, "tune_radius = 16"));
    free(ini);
    snprintf(path, sizeof path, "%s/evaluations.tsv", a);
    char *with = cli_read_file(path);
    snprintf(path, sizeof path, "%s/p1/evaluations.tsv", tmpdir);
    char *without = cli_read_file(path);
    assert_non_null(with);
    assert_non_null(without);
    assert_string_not_equal(with, without);
    free(with);
    free(without);
}

/* Waits until the text file at path contains needle (or pid ends). */
static void wait_text(const char *path, const char *needle, pid_t pid)
{
    int st;
    for (int i = 0; i < 60000; i++) {
        char *text = cli_read_file(path);
        int found = text && strstr(text, needle);
        free(text);
        if (found)
            return;
        if (waitpid(pid, &st, WNOHANG) == pid)
            fail_msg("the run ended before %s held '%s'", path, needle);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("%s never held '%s'", path, needle);
}

/* With recovery on, the baselines add the same search without recovery
 * (its own rows and summary line); killed inside it, the run resumes from
 * baselines.bin's second list and ends with the files of one that never
 * stopped. */
static void no_recovery_baseline_resumes_equal(void **state)
{
    (void)state;
    char cfg[PATH_MAX], whole[PATH_MAX], out[PATH_MAX], log[2 * PATH_MAX], args[3 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/nr.ini", tmpdir);
    write_config(cfg, "yes", "[recovery]\nweight_tuning = yes\nbias_compensation = yes\n");
    snprintf(whole, sizeof whole, "%s/nr_whole", tmpdir);
    snprintf(out, sizeof out, "%s/nr", tmpdir);
    assert_int_equal(cli_run_status("search '%s' --out '%s' --threads 2", cfg, whole), 0);
    pid_t pid = spawn_run("search", cfg, out);
    snprintf(log, sizeof log, "%s/log.txt", out);
    wait_text(log, "baselines: no-recovery gen   2/", pid);
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    snprintf(args, sizeof args, "resume '%s' --threads 1", out);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "results known from"));
    cli_result_free(&r);
    assert_same_results(whole, out);
    static const char *const files[] = {"baselines.tsv", "summary.tsv"};
    assert_same_files(whole, out, files, sizeof files / sizeof files[0]);
    char path[2 * PATH_MAX];
    snprintf(path, sizeof path, "%s/summary.tsv", whole);
    char *summary = cli_read_file(path);
    assert_non_null(strstr(summary, "\nnsga2_no_recovery\t"));
    free(summary);
    snprintf(path, sizeof path, "%s/baselines.tsv", whole);
    char *rows = cli_read_file(path);
    assert_non_null(strstr(rows, "\nno_recovery\tnsga2_no_recovery\t"));
    free(rows);
}

/* axsearch layers: one row per (layer, multiplier, recovery), the summary,
 * the file equal to what was printed; bad options are refused. */
static void layers_sweep_rows_and_errors(void **state)
{
    (void)state;
    char cfg[PATH_MAX], out[PATH_MAX], args[3 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/layers.ini", tmpdir);
    snprintf(out, sizeof out, "%s/layers.tsv", tmpdir);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(f, "[model]\nonnx = %s\ncalib_images = 200\nval_images = 50\nconfirm_images = 40\n"
               "[library]\ninclude = trunc_k8, bam_h3_v8, etm_k3\n", model);
    fclose(f);
    snprintf(args, sizeof args, "layers '%s' --recovery none,both --race-first 16 --out '%s' --threads 2", cfg,
             out);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 0);
    /* 5 MAC layers x 3 approximate multipliers x 2 recoveries. */
    assert_int_equal(count_lines(out), 1 + 5 * 3 * 2);
    char *file = cli_read_file(out);
    assert_non_null(file);
    assert_true(strncmp(r.out, file, strlen(file)) == 0);
    assert_int_equal(tsv_col(file, "drop_ucb"), 7);
    /* Recovery changes some pair's result; racing stops a hopeless pair
     * after 16 or 32 of the 50 images. */
    int differ = 0, raced = 0;
    for (char *l = strchr(file, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        char *next = strchr(l + 1, '\n');
        if (next && next[1] && strstr(l + 1, "\tnone\t") && tsv_field(l + 1, 5) != tsv_field(next + 1, 5))
            differ++;
        raced += tsv_field(l + 1, 8) < 50;
    }
    print_message("    %d pairs changed by recovery, %d rows raced\n", differ, raced);
    assert_true(differ > 0);
    assert_true(raced > 0);
    free(file);
    int within = -1, pairs = -1;
    const char *line = strstr(r.out, "# both ");
    assert_non_null(line);
    assert_int_equal(sscanf(line, "# both %d of %d", &within, &pairs), 2);
    assert_int_equal(pairs, 15);
    assert_true(within >= 0 && within <= pairs);
    cli_result_free(&r);
    snprintf(args, sizeof args, "layers '%s' --recovery none,best", cfg);
    expect_refusal(args, "--recovery 'none,best'");
    expect_refusal("infer --model models/lenet5_fmnist.onnx --tune-weights --limit 10", "need --mult or --lut");
}

/* axsearch layers --whole: a multiplier in every MAC layer at once gives
 * the top-1 that infer, a separate path through the emulator, gives for
 * the same images, calibration and recovery. */
static void layers_whole_equals_infer(void **state)
{
    (void)state;
    static const char *const mults[] = {"trunc_k8", "bam_h3_v8", "etm_k3"};
    char cfg[PATH_MAX], args[3 * PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/whole.ini", tmpdir);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(f, "[model]\nonnx = %s\ncalib_images = 200\nval_images = 60\nconfirm_images = 40\n"
               "[library]\ninclude = trunc_k8, bam_h3_v8, etm_k3\n", model);
    fclose(f);
    snprintf(args, sizeof args, "layers '%s' --whole --recovery none,both --race-first 0 --threads 2", cfg);
    cli_result r = cli_run(args);
    assert_int_equal(r.status, 0);
    int rows = 0;
    for (size_t i = 0; i < sizeof mults / sizeof mults[0]; i++)
        for (int both = 0; both < 2; both++) {
            char key[64];
            snprintf(key, sizeof key, "\nall\t-\t%s\t%s\t", mults[i], both ? "both" : "none");
            const char *row = strstr(r.out, key);
            assert_non_null(row);
            double top1 = strtod(row + strlen(key), NULL);
            snprintf(args, sizeof args,
                     "infer --model '%s' --split val --limit 60 --calib 200 --mult %s %s --threads 2", model,
                     mults[i], both ? "--tune-weights --compensate" : "");
            cli_result ri = cli_run(args);
            assert_int_equal(ri.status, 0);
            const char *t = strstr(ri.out, "top1=");
            assert_non_null(t);
            print_message("    %s %s: layers %.4f, infer %.4f\n", mults[i], both ? "both" : "none", top1,
                          strtod(t + 5, NULL));
            assert_true(fabs(top1 - strtod(t + 5, NULL)) < 1e-9);
            cli_result_free(&ri);
            rows++;
        }
    assert_int_equal(rows, 6);
    assert_non_null(strstr(r.out, "# both "));
    cli_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_give_identical_files),
        cmocka_unit_test(recovery_search_is_deterministic),
        cmocka_unit_test(layers_sweep_rows_and_errors),
        cmocka_unit_test(layers_whole_equals_infer),
        cmocka_unit_test(no_recovery_baseline_resumes_equal),
        cmocka_unit_test(killed_and_resumed_equals_uninterrupted),
        cmocka_unit_test(twenty_kills_equal_uninterrupted),
        cmocka_unit_test(failed_checkpoint_write_keeps_the_last),
        cmocka_unit_test(killed_in_baselines_resumes_equal),
        cmocka_unit_test(standalone_baselines_resume),
        cmocka_unit_test(checkpoint_with_foreign_genes_refused),
        cmocka_unit_test(long_level_lists_resume),
        cmocka_unit_test(resume_refuses_what_it_cannot_continue),
        cmocka_unit_test(resume_refuses_a_changed_config),
        cmocka_unit_test(per_layer_voltages_and_bank_mode),
        cmocka_unit_test(search_savings_exclude_baselines),
        cmocka_unit_test(test_split_savings_match_files),
        cmocka_unit_test(plot_writes_png_and_svg),
        cmocka_unit_test(plot_hostile_names),
        cmocka_unit_test(nsga_near_the_true_front),
        cmocka_unit_test(lucky_designs_fail_confirmation),
    };
    /* make tsan runs one test (a cmocka pattern, '*' and '?' allowed) */
    const char *filter = getenv("AX_TEST_FILTER");
    if (filter)
        cmocka_set_test_filter(filter);
    return cmocka_run_group_tests_name("search", tests, setup, teardown);
}
