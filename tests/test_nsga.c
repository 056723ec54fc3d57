/* The NSGA-II engine: determinism across threads, checkpoint and resume,
 * refusal of bad checkpoints, duplicate elimination, limits and stops,
 * constrained problems. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ga/nsga.h"
#include "ga/problem.h"
#include "util/fileio.h"
#include "util/hash.h"

static char tmpdir[] = "/tmp/axsearch-test-nsga-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void eval_real(void *user, const int32_t *ints, const double *x, double *f, double *g)
{
    (void)ints;
    problem_evaluate(user, x, f, g);
}

/* A real problem from the benchmark set, as an nsga_problem. */
static nsga_problem real_problem(problem *p)
{
    nsga_problem np = {0};
    np.n_real = problem_n_var(p);
    np.real_lo = problem_lower(p);
    np.real_hi = problem_upper(p);
    np.n_obj = problem_n_obj(p);
    np.n_con = problem_n_con(p);
    np.eval_one = eval_real;
    np.user = p;
    return np;
}

/* A mixed problem with 6 integer genes (a multiplier-like choice per
 * "layer") and one real gene: minimise cost = sum g_i + x and error =
 * sum (7 - g_i)^2 / 10 + (1 - x)^2; constraint: error <= 30. */
static const int32_t mixed_card[6] = {8, 8, 8, 8, 8, 3};
static const double mixed_lo[1] = {0.0}, mixed_hi[1] = {1.0};

typedef struct batch_log {
    long batches, genomes;
    int stop_after; /* return AX_ESTOPPED on this batch (0 = never) */
    int dup_in_batch;
} batch_log;

static int eval_mixed(void *user, int count, const int32_t *ints, const double *reals,
                      double *objs, double *cons, ax_err *err)
{
    batch_log *log = user;
    log->batches++;
    if (log->stop_after && log->batches == log->stop_after)
        return ax_fail(err, AX_ESTOPPED, "stop");
    for (int k = 0; k < count; k++) {
        const int32_t *g = ints + 6 * k;
        double cost = reals[k], error = (1 - reals[k]) * (1 - reals[k]);
        for (int i = 0; i < 6; i++) {
            cost += g[i];
            error += (7.0 - g[i]) * (7.0 - g[i]) / 10.0;
        }
        objs[2 * k] = cost;
        objs[2 * k + 1] = error;
        cons[k] = 30.0 - error;
        for (int j = 0; j < k; j++)
            if (!memcmp(ints + 6 * j, g, 6 * sizeof *g) && reals[j] == reals[k])
                log->dup_in_batch++;
    }
    log->genomes += count;
    return AX_OK;
}

static nsga_problem mixed_problem(batch_log *log)
{
    nsga_problem np = {0};
    np.n_int = 6;
    np.int_card = mixed_card;
    np.n_real = 1;
    np.real_lo = mixed_lo;
    np.real_hi = mixed_hi;
    np.n_obj = 2;
    np.n_con = 1;
    np.eval_batch = eval_mixed;
    np.user = log;
    return np;
}

static void assert_same_population(const nsga *a, const nsga *b)
{
    nsga_view va = nsga_population(a), vb = nsga_population(b);
    assert_int_equal(va.size, vb.size);
    if (va.n_int)
        assert_memory_equal(va.ints, vb.ints, (size_t)va.size * va.n_int * sizeof *va.ints);
    if (va.n_real)
        assert_memory_equal(va.reals, vb.reals, (size_t)va.size * va.n_real * sizeof *va.reals);
    assert_memory_equal(va.objs, vb.objs, (size_t)va.size * va.n_obj * sizeof *va.objs);
    assert_memory_equal(va.rank, vb.rank, (size_t)va.size * sizeof *va.rank);
    assert_memory_equal(va.crowd, vb.crowd, (size_t)va.size * sizeof *va.crowd);
    assert_int_equal(nsga_generation(a), nsga_generation(b));
    assert_int_equal(nsga_evaluations(a), nsga_evaluations(b));
}

static nsga *run_real(const char *name, int threads, long gens, uint64_t seed, problem **out)
{
    problem *p = problem_create(name, 0, 0, NULL);
    assert_non_null(p);
    nsga_problem np = real_problem(p);
    nsga_config c;
    nsga_config_defaults(&c);
    c.seed = seed;
    c.threads = threads;
    c.max_generations = gens;
    ax_err err = {0};
    nsga *ga = nsga_create(&np, &c, &err);
    assert_non_null(ga);
    assert_int_equal(nsga_run(ga, &err), AX_OK);
    *out = p;
    return ga;
}

static void threads_do_not_change_results(void **state)
{
    (void)state;
    problem *p1, *p2;
    nsga *a = run_real("zdt3", 1, 60, 9, &p1);
    nsga *b = run_real("zdt3", 2, 60, 9, &p2);
    assert_same_population(a, b);
    /* ...and a different seed does. */
    problem *p3;
    nsga *c = run_real("zdt3", 2, 60, 10, &p3);
    nsga_view va = nsga_population(a), vc = nsga_population(c);
    assert_true(memcmp(va.objs, vc.objs, (size_t)va.size * 2 * sizeof(double)) != 0);
    nsga_free(a);
    nsga_free(b);
    nsga_free(c);
    problem_free(p1);
    problem_free(p2);
    problem_free(p3);
}

static void resume_equals_uninterrupted(void **state)
{
    (void)state;
    batch_log log = {0};
    nsga_problem np = mixed_problem(&log);
    nsga_config c;
    nsga_config_defaults(&c);
    c.pop_size = 40;
    c.seed = 77;
    c.int_mutation = NSGA_INT_STEP;
    c.max_generations = 30;
    ax_err err = {0};
    nsga *whole = nsga_create(&np, &c, &err);
    assert_non_null(whole);
    assert_int_equal(nsga_run(whole, &err), AX_OK);

    char path[256];
    snprintf(path, sizeof path, "%s/ck.bin", tmpdir);
    const long stops[] = {1, 2, 13, 29};
    for (size_t s = 0; s < sizeof stops / sizeof stops[0]; s++) {
        nsga_config part = c;
        part.max_generations = stops[s];
        nsga *first = nsga_create(&np, &part, &err);
        assert_non_null(first);
        assert_int_equal(nsga_run(first, &err), AX_OK);
        const char blob[] = "caller state";
        assert_int_equal(nsga_save(first, path, blob, sizeof blob, &err), AX_OK);
        nsga_free(first);

        nsga *resumed = nsga_load(path, &np, &c, &err);
        assert_non_null(resumed);
        size_t len;
        const void *b = nsga_blob(resumed, &len);
        assert_int_equal(len, sizeof blob);
        assert_memory_equal(b, blob, sizeof blob);
        assert_int_equal(nsga_generation(resumed), stops[s]);
        assert_int_equal(nsga_run(resumed, &err), AX_OK);
        assert_same_population(whole, resumed);
        nsga_free(resumed);
    }
    nsga_free(whole);
}

static void write_bytes(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void bad_checkpoints_are_refused(void **state)
{
    (void)state;
    batch_log log = {0};
    nsga_problem np = mixed_problem(&log);
    nsga_config c;
    nsga_config_defaults(&c);
    c.pop_size = 20;
    c.max_generations = 3;
    ax_err err = {0};
    nsga *ga = nsga_create(&np, &c, &err);
    assert_int_equal(nsga_run(ga, &err), AX_OK);
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/good.bin", tmpdir);
    snprintf(bad, sizeof bad, "%s/bad.bin", tmpdir);
    assert_int_equal(nsga_save(ga, path, NULL, 0, &err), AX_OK);
    nsga_free(ga);
    unsigned char *data;
    size_t len;
    assert_int_equal(fio_read_all(path, SIZE_MAX, &data, &len, &err), AX_OK);

    /* Truncated at several places, and one flipped bit anywhere. */
    const size_t cuts[] = {0, 5, 12, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_bytes(bad, data, cuts[i]);
        assert_null(nsga_load(bad, &np, &c, &err));
        assert_int_equal(err.code, AX_EINPUT);
        assert_non_null(strstr(err.msg, bad));
    }
    for (size_t pos = 0; pos < len; pos += len / 17 + 1) {
        data[pos] ^= 0x10;
        write_bytes(bad, data, len);
        data[pos] ^= 0x10;
        assert_null(nsga_load(bad, &np, &c, &err));
        assert_int_equal(err.code, AX_EINPUT);
    }
    /* Text in place of a checkpoint. */
    write_bytes(bad, (const unsigned char *)"gen\t1\n", 6);
    assert_null(nsga_load(bad, &np, &c, &err));
    assert_non_null(strstr(err.msg, "magic"));
    /* A different seed or problem shape. */
    nsga_config other = c;
    other.seed = 2;
    assert_null(nsga_load(path, &np, &other, &err));
    assert_non_null(strstr(err.msg, "different"));
    nsga_problem np2 = np;
    int32_t card2[6] = {8, 8, 8, 8, 8, 4};
    np2.int_card = card2;
    assert_null(nsga_load(path, &np2, &c, &err));
    /* A missing file. */
    assert_null(nsga_load("/nonexistent/ck.bin", &np, &c, &err));
    assert_int_equal(err.code, AX_EINPUT);
    /* The intact file still loads, with a longer budget. */
    nsga_config longer = c;
    longer.max_generations = 10;
    ga = nsga_load(path, &np, &longer, &err);
    assert_non_null(ga);
    assert_int_equal(nsga_run(ga, &err), AX_OK);
    assert_int_equal(nsga_generation(ga), 10);
    nsga_free(ga);
    free(data);
}

static uint64_t le_u64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* Overwrites the f64 at offset at with v and seals the frame again (the
 * FNV-1a checksum over everything before its last 8 bytes). */
static void patch_f64(unsigned char *buf, size_t len, size_t at, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; i++)
        buf[at + (size_t)i] = (unsigned char)(bits >> (8 * i));
    uint64_t h = hash_fnv1a64(HASH_FNV_OFFSET, buf, len - 8);
    for (int i = 0; i < 8; i++)
        buf[len - 8 + (size_t)i] = (unsigned char)(h >> (8 * i));
}

/* A checkpoint with a valid checksum but values no run writes (a negative
 * elapsed time, a NaN objective) is refused naming the file. Offsets
 * follow nsga_save: 12-byte frame header, u64 identity length, the
 * identity, u64 gen, evals, dups, f64 elapsed, then the rows. */
static void implausible_checkpoints_are_refused(void **state)
{
    (void)state;
    batch_log log = {0};
    nsga_problem np = mixed_problem(&log);
    nsga_config c;
    nsga_config_defaults(&c);
    c.pop_size = 8;
    c.max_generations = 2;
    ax_err err = {0};
    nsga *ga = nsga_create(&np, &c, &err);
    assert_int_equal(nsga_run(ga, &err), AX_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/implausible.bin", tmpdir);
    assert_int_equal(nsga_save(ga, path, NULL, 0, &err), AX_OK);
    nsga_free(ga);
    unsigned char *data;
    size_t len;
    assert_int_equal(fio_read_all(path, SIZE_MAX, &data, &len, &err), AX_OK);
    size_t elapsed_at = 20 + (size_t)le_u64(data + 12) + 24;
    size_t obj_at = elapsed_at + 8 + 4 * (size_t)np.n_int + 8 * (size_t)np.n_real;
    const struct { size_t at; double v; const char *why; } cases[] = {
        {elapsed_at, -1.0, "elapsed time are negative"},
        {elapsed_at, NAN, "elapsed time are negative or not numbers"},
        {obj_at, NAN, "a stored objective is NaN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *copy = malloc(len);
        memcpy(copy, data, len);
        patch_f64(copy, len, cases[i].at, cases[i].v);
        write_bytes(path, copy, len);
        free(copy);
        ax_err_clear(&err);
        assert_null(nsga_load(path, &np, &c, &err));
        assert_int_equal(err.code, AX_EINPUT);
        if (!strstr(err.msg, cases[i].why) || !strstr(err.msg, path))
            fail_msg("case %zu: %s", i, err.msg);
    }
    /* a plausible value, resealed, loads */
    patch_f64(data, len, elapsed_at, 1.5);
    write_bytes(path, data, len);
    ga = nsga_load(path, &np, &c, &err);
    assert_non_null(ga);
    nsga_free(ga);
    free(data);
}

static void offspring_are_never_duplicates(void **state)
{
    (void)state;
    /* 6 genes of 8,8,8,8,8,3 values: 98,304 genomes; the real gene is fixed
     * by bounds so only integer genes can differ... except it is random;
     * use the log's in-batch check plus the population check below. */
    batch_log log = {0};
    nsga_problem np = mixed_problem(&log);
    nsga_config c;
    nsga_config_defaults(&c);
    c.pop_size = 60;
    c.max_generations = 40;
    c.int_pm = 0.02; /* low mutation makes clones likely without dedup */
    c.sbx_prob = 0.0;
    c.real_pm = 0.0; /* real gene inherited unchanged */
    ax_err err = {0};
    nsga *ga = nsga_create(&np, &c, &err);
    assert_int_equal(nsga_run(ga, &err), AX_OK);
    assert_int_equal(log.dup_in_batch, 0);
    assert_int_equal(nsga_duplicates(ga), 0);
    nsga_view v = nsga_population(ga);
    for (int a = 0; a < v.size; a++)
        for (int b = a + 1; b < v.size; b++)
            assert_true(memcmp(v.ints + 6 * a, v.ints + 6 * b, 6 * sizeof *v.ints) != 0 ||
                        v.reals[a] != v.reals[b]);
    nsga_free(ga);

    /* Without dedup the same settings do breed clones. */
    batch_log log2 = {0};
    np = mixed_problem(&log2);
    c.dedup = 0;
    ga = nsga_create(&np, &c, &err);
    assert_int_equal(nsga_run(ga, &err), AX_OK);
    assert_true(log2.dup_in_batch > 0);
    nsga_free(ga);
}

static int stop_hook(nsga *ga, void *user, ax_err *err)
{
    (void)err;
    long *at = user;
    return nsga_generation(ga) >= *at ? AX_ESTOPPED : AX_OK;
}

static void limits_and_stops(void **state)
{
    (void)state;
    batch_log log = {0};
    nsga_problem np = mixed_problem(&log);
    nsga_config c;
    nsga_config_defaults(&c);
    c.pop_size = 20;
    c.max_generations = 0;
    c.max_evaluations = 210; /* 20 + 9 * 20 = 200 fit, a 10th step would not */
    ax_err err = {0};
    nsga *ga = nsga_create(&np, &c, &err);
    assert_int_equal(nsga_run(ga, &err), AX_OK);
    assert_int_equal(nsga_evaluations(ga), 200);
    assert_int_equal(log.genomes, 200);
    nsga_free(ga);

    /* A hook that stops at generation 4. */
    long at = 4;
    c.max_evaluations = 0;
    c.max_generations = 100;
    c.hook = stop_hook;
    c.hook_user = &at;
    ga = nsga_create(&np, &c, &err);
    assert_int_equal(nsga_run(ga, &err), AX_ESTOPPED);
    assert_int_equal(nsga_generation(ga), 4);
    nsga_free(ga);

    /* A stop flag already raised: nothing is evaluated. */
    volatile sig_atomic_t flag = 1;
    c.hook = NULL;
    c.stop_flag = &flag;
    log.genomes = 0;
    ga = nsga_create(&np, &c, &err);
    assert_int_equal(nsga_run(ga, &err), AX_ESTOPPED);
    assert_int_equal(log.genomes, 0);
    nsga_free(ga);

    /* The evaluator stops in generation 3's batch: the population stays
     * that of generation 2. */
    batch_log stopper = {0};
    stopper.stop_after = 3;
    np = mixed_problem(&stopper);
    c.stop_flag = NULL;
    c.max_generations = 10;
    ga = nsga_create(&np, &c, &err);
    assert_int_equal(nsga_run(ga, &err), AX_ESTOPPED);
    assert_int_equal(nsga_generation(ga), 2);
    assert_int_equal(nsga_evaluations(ga), 40);
    nsga_free(ga);
}

static void bad_settings_are_refused(void **state)
{
    (void)state;
    batch_log log = {0};
    nsga_problem np = mixed_problem(&log);
    nsga_config c;
    nsga_config_defaults(&c);
    ax_err err = {0};
    c.pop_size = 7;
    assert_null(nsga_create(&np, &c, &err));
    assert_int_equal(err.code, AX_EINPUT);
    nsga_config_defaults(&c);
    int32_t zero[6] = {8, 0, 8, 8, 8, 3};
    np.int_card = zero;
    assert_null(nsga_create(&np, &c, &err));
    np = mixed_problem(&log);
    np.eval_one = eval_real; /* both callbacks */
    assert_null(nsga_create(&np, &c, &err));
    /* Initial genomes are checked against the cardinalities. */
    np = mixed_problem(&log);
    nsga *ga = nsga_create(&np, &c, &err);
    const int32_t bad[6] = {0, 0, 0, 0, 0, 3};
    const double x = 0.5;
    assert_int_equal(nsga_add_initial(ga, 1, bad, &x, &err), AX_EINPUT);
    const int32_t good[6] = {7, 7, 7, 7, 7, 2};
    assert_int_equal(nsga_add_initial(ga, 1, good, &x, &err), AX_OK);
    c.max_generations = 1;
    assert_int_equal(nsga_initialize(ga, &err), AX_OK);
    nsga_view v = nsga_population(ga);
    assert_memory_equal(v.ints, good, sizeof good);
    nsga_free(ga);
    nsga_free(NULL);
}

/* Constrained benchmark problems: every final solution feasible and the
 * front spans the known ranges (issue 2's acceptance), over 11 seeds. The
 * far end of OSY's front (segment AB of Deb 2001, x5 = 5, f1 down to -274)
 * sits behind a disconnected feasible range of x5; about 40 % of runs at
 * the standard settings find it, so OSY needs it in at least one seed. */
static void constrained_problems(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int obj;
        double bound; /* front must reach beyond this in objective obj */
        int upward;
        int need; /* seeds out of 11 that must reach it */
    } cases[] = {
        {"bnh", 0, 130.0, 1, 11},   /* f1 up to >= 130 (true front to 136) */
        {"srn", 1, -210.0, 0, 11},  /* f2 down to <= -210 (to -217.7) */
        {"tnk", 0, 1.0, 1, 11},     /* f1 up to >= 1.0 (to 1.04) */
        {"constr", 1, 8.5, 1, 11},  /* f2 up to >= 8.5 (to 9 at x1 = 7/18) */
        {"osy", 0, -260.0, 0, 1},   /* f1 down to <= -260 (to -274) */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int reached = 0;
        for (uint64_t seed = 1; seed <= 11; seed++) {
            problem *p;
            nsga *ga = run_real(cases[k].name, 1, 250, seed, &p);
            nsga_view v = nsga_population(ga);
            double extreme = cases[k].upward ? -INFINITY : INFINITY;
            for (int r = 0; r < v.size; r++) {
                assert_true(v.viol[r] == 0.0);
                double f = v.objs[(size_t)r * 2 + cases[k].obj];
                extreme = cases[k].upward ? fmax(extreme, f) : fmin(extreme, f);
            }
            reached += cases[k].upward ? extreme >= cases[k].bound : extreme <= cases[k].bound;
            nsga_free(ga);
            problem_free(p);
        }
        if (reached < cases[k].need)
            fail_msg("%s: %d of 11 seeds reach %g", cases[k].name, reached, cases[k].bound);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_do_not_change_results),
        cmocka_unit_test(resume_equals_uninterrupted),
        cmocka_unit_test(bad_checkpoints_are_refused),
        cmocka_unit_test(implausible_checkpoints_are_refused),
        cmocka_unit_test(offspring_are_never_duplicates),
        cmocka_unit_test(limits_and_stops),
        cmocka_unit_test(bad_settings_are_refused),
        cmocka_unit_test(constrained_problems),
    };
    return cmocka_run_group_tests_name("nsga", tests, setup, teardown);
}
