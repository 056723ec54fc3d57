/* bench_kern: the MAC kernels (fitness/emu/kern.h) on one fixed layer,
 * M = 64, K = 576, NP = 1024 (a 3x3 conv of 64 channels over a block of
 * images), with 1 and 2 threads. With T threads the columns are split into
 * T blocks, each with its own activations, output and scratch, as the
 * emulator gives each thread its own image blocks.
 *
 * Prints one line per kernel, `kernel=NAME gmac_per_s=G vs_scalar=R
 * threads=T`, where the ratio's base is the scalar table reference
 * (scalar_ref) measured in the same run with the same thread count; the
 * median of several interleaved repetitions. Every kernel's output is
 * checked bit for bit against the reference first. Tables: a general one
 * (drum_k4: errors too wide for 8 bits, one exact row), an err8 one
 * (mul8u_2AC, imported EvoApprox) and a res16 one (mul8u_JQQ, imported,
 * 73 of 256 rows exact). Weights and activations are uniform codes. Run
 * from the repository root. Never fails on speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approx/mult_lib.h"
#include "fitness/emu/kern.h"
#include "util/pcg.h"
#include "util/wallclock.h"

#ifdef _OPENMP
#include <omp.h>
#endif

enum { M = 64, K = 576, NP = 1024, REPS = 7, MAX_THREADS = 2, MAX_ROWS = 20 };
/* Wall time of one timed sample. */
#define SAMPLE_SECONDS 0.05

typedef struct row {
    char name[40];
    const kern_impl *impl; /* NULL: a scalar reference */
    const kern_table *table;
    double t[REPS];
} row;

typedef struct layer {
    uint8_t *W;
    uint8_t *A[MAX_THREADS]; /* per thread: [K][np[t]] */
    int np[MAX_THREADS];
    int32_t *acc[MAX_THREADS];
    void *scratch[MAX_THREADS];
} layer;

static double median(const double *v, int n)
{
    double s[REPS];
    memcpy(s, v, (size_t)n * sizeof *v);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
            double x = s[j];
            s[j] = s[j - 1];
            s[j - 1] = x;
        }
    return s[n / 2];
}

static void run_one(const row *r, const layer *L, int t, const kern_table *ref_table)
{
    if (!r->impl) {
        if (r->table)
            kern_table_scalar(kern_table_T(ref_table), L->W, L->A[t], M, K, L->np[t], L->acc[t]);
        else
            kern_exact_scalar(L->W, L->A[t], M, K, L->np[t], L->acc[t]);
    } else if (r->impl->exact) {
        r->impl->exact(L->W, L->A[t], M, K, L->np[t], L->acc[t], L->scratch[t]);
    } else {
        r->impl->table(r->table, L->W, L->A[t], M, K, L->np[t], L->acc[t], L->scratch[t]);
    }
}

/* Seconds per pass of the whole layer over `threads` threads, timed over
 * `iters` passes in one parallel region (so thread wake-ups on a busy
 * machine are amortized). */
static double time_pass(const row *r, const layer *L, int threads, int iters)
{
    double t0 = wallclock_seconds();
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int t = 0; t < threads; t++)
        for (int it = 0; it < iters; it++)
            run_one(r, L, t, r->table);
    return (wallclock_seconds() - t0) / iters;
}

/* Output of r equals the reference (same table, or exact) on every block. */
static int bit_exact(const row *r, const layer *L, int threads, const kern_table *exact_table)
{
    int ok = 1;
    for (int t = 0; t < threads; t++) {
        size_t n = (size_t)M * (size_t)L->np[t];
        int32_t *ref = malloc(n * sizeof *ref);
        if (!ref)
            return 0;
        kern_table_scalar(kern_table_T(r->table ? r->table : exact_table), L->W, L->A[t], M, K, L->np[t], ref);
        run_one(r, L, t, r->table);
        ok &= memcmp(ref, L->acc[t], n * sizeof *ref) == 0;
        free(ref);
    }
    return ok;
}

static kern_table *lib_table(const mult_lib *lib, const char *name, ax_err *err)
{
    long i = mult_lib_find(lib, name);
    if (i < 0) {
        ax_fail(err, AX_EINPUT, "no multiplier %s in the library", name);
        return NULL;
    }
    const uint16_t *lut = mult_lib_entry(lib, (size_t)i)->lut;
    uint16_t *T = malloc(65536 * sizeof *T);
    if (!T)
        return NULL;
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            T[w * 256 + a] = lut[a * 256 + w];
    kern_table *t = kern_table_create(T, err);
    free(T);
    return t;
}

/* The four tables of the benchmark (see the top of the file). */
typedef struct tables {
    kern_table *general, *err8, *res16, *exact;
} tables;

static void tables_free(tables *tb)
{
    kern_table_free(tb->general);
    kern_table_free(tb->err8);
    kern_table_free(tb->res16);
    kern_table_free(tb->exact);
}

/* Loads the tables from the library with the EvoApprox index; prints why
 * not and returns -1 on a failure. */
static int tables_load(tables *tb)
{
    ax_err err = {0};
    mult_lib *lib = mult_lib_create_default(&err);
    if (!lib || mult_lib_import_index(lib, "approx/data/evoapprox/index.tsv", &err) != AX_OK) {
        fprintf(stderr, "bench_kern: %s\n", err.msg);
        return -1;
    }
    tb->general = lib_table(lib, "drum_k4", &err);
    tb->err8 = tb->general ? lib_table(lib, "mul8u_2AC", &err) : NULL;
    tb->res16 = tb->err8 ? lib_table(lib, "mul8u_JQQ", &err) : NULL;
    tb->exact = tb->res16 ? lib_table(lib, "exact_array", &err) : NULL;
    mult_lib_free(lib);
    if (!tb->exact) {
        fprintf(stderr, "bench_kern: %s\n", err.msg);
        return -1;
    }
    if (kern_table_err8(tb->general) || !kern_table_err8(tb->err8) || !kern_table_res16(tb->res16) ||
        !kern_table_is_exact(tb->exact)) {
        fprintf(stderr, "bench_kern: unexpected table properties\n");
        return -1;
    }
    return 0;
}

/* The rows to time: the scalar reference, then every supported kernel on
 * the table it applies to (the general ones on the special tables too).
 * rows point into impls. Returns the row count. */
static int rows_make(const tables *tb, const kern_impl *impls, int n_impls, row rows[MAX_ROWS])
{
    int nr = 0;
    rows[nr++] = (row){"scalar_ref", NULL, tb->general, {0}};
    for (int i = 0; i < n_impls && nr < MAX_ROWS - 1; i++) {
        const kern_impl *k = &impls[i];
        if (!k->supported || strcmp(k->name, "table_scalar") == 0)
            continue;
        row r = {"", k,
                 k->table ? (k->applies == kern_table_err8 ? tb->err8 : k->applies ? tb->res16 : tb->general)
                          : NULL,
                 {0}};
        snprintf(r.name, sizeof r.name, "%s", k->name);
        rows[nr++] = r;
        if (k->table && !k->applies && strcmp(k->isa, "scalar") != 0 && nr + 2 <= MAX_ROWS) {
            /* The general kernels on the special tables too, for comparison. */
            r.table = tb->err8;
            snprintf(r.name, sizeof r.name, "%s_on_err8", k->name);
            rows[nr++] = r;
            r.table = tb->res16;
            snprintf(r.name, sizeof r.name, "%s_on_res16", k->name);
            rows[nr++] = r;
        }
    }
    return nr;
}

/* Each thread's block of columns: activations (uniform codes from rng),
 * output and scratch. */
static void blocks_alloc(layer *L, int threads, pcg32 *rng)
{
    for (int t = 0; t < threads; t++) {
        L->np[t] = NP / threads + (t < NP % threads);
        L->A[t] = malloc((size_t)K * L->np[t]);
        L->acc[t] = malloc((size_t)M * L->np[t] * sizeof(int32_t));
        L->scratch[t] = malloc(kern_scratch_size(M, K));
        for (int i = 0; i < K * L->np[t]; i++)
            L->A[t][i] = (uint8_t)pcg32_next(rng);
    }
}

static void blocks_free(layer *L, int threads)
{
    for (int t = 0; t < threads; t++) {
        free(L->A[t]);
        free(L->acc[t]);
        free(L->scratch[t]);
    }
}

/* REPS samples of every row into rows[i].t. Repetitions interleave the
 * kernels, so slow drifts of the shared machine hit all of them alike. */
static void rows_time(row *rows, int nr, const layer *L, int threads)
{
    int iters[MAX_ROWS];
    /* Passes per sample: doubled until a sample lasts SAMPLE_SECONDS (one
     * pass alone would count a thread's wake-up on a busy machine as
     * kernel time). */
    for (int i = 0; i < nr; i++) {
        iters[i] = 1;
        while (iters[i] < (1 << 20) && time_pass(&rows[i], L, threads, iters[i]) * iters[i] < SAMPLE_SECONDS)
            iters[i] *= 2;
    }
    for (int rep = 0; rep < REPS; rep++)
        for (int i = 0; i < nr; i++)
            rows[i].t[rep] = time_pass(&rows[i], L, threads, iters[i]);
}

/* One line per row, then the acceptance line: the general-table kernel
 * (VBMI where the CPU has it, else what the dispatch uses there,
 * table_scalar4) and the exact one dispatch picks, against the scalar
 * reference. */
static void rows_report(const row *rows, int nr, int threads, const kern_ops *best, int all_exact)
{
    double base = 0, gm[MAX_ROWS];
    for (int i = 0; i < nr; i++) {
        gm[i] = (double)M * K * NP / median(rows[i].t, REPS) / 1e9;
        if (i == 0)
            base = gm[0];
        printf("kernel=%s gmac_per_s=%.2f vs_scalar=%.2f threads=%d\n", rows[i].name, gm[i], gm[i] / base,
               threads);
    }
    double g_table = 0, g_exact = 0;
    for (int i = 0; i < nr; i++) {
        if (strcmp(rows[i].name, "table_vbmi") == 0 || (g_table == 0 && strcmp(rows[i].name, "table_scalar4") == 0))
            g_table = gm[i];
        if (rows[i].impl && rows[i].impl->exact && rows[i].impl->exact == best->exact)
            g_exact = gm[i];
    }
    printf("acceptance threads=%d general_table_vs_scalar=%.2f (need >= 8) exact_vs_scalar=%.2f (need >= 40) "
           "bit_exact=%s\n",
           threads, g_table / base, g_exact / base, all_exact ? "yes" : "NO");
}

int main(void)
{
    tables tb = {0};
    if (tables_load(&tb) != 0) {
        tables_free(&tb);
        return 1;
    }
    kern_impl impls[KERN_MAX_IMPLS];
    int n_impls = kern_impls(impls);
    row rows[MAX_ROWS];
    int nr = rows_make(&tb, impls, n_impls, rows);

    pcg32 rng = pcg32_derive4(1, PCG_PURPOSE_TEST, 300, 0, 0, 0);
    layer L;
    L.W = malloc((size_t)M * K);
    for (int i = 0; i < M * K; i++)
        L.W[i] = (uint8_t)pcg32_next(&rng);
    int maxt = 1;
#ifdef _OPENMP
    maxt = omp_get_max_threads() < MAX_THREADS ? omp_get_max_threads() : MAX_THREADS;
#endif
    kern_ops best = kern_ops_best();
    printf("layer M=%d K=%d NP=%d (%.1f MMAC), tables: general drum_k4, err8 mul8u_2AC, res16 mul8u_JQQ; dispatch isa=%s\n", M, K,
           NP, (double)M * K * NP / 1e6, best.isa);
    int all_exact = 1;
    for (int threads = 1; threads <= maxt; threads++) {
        blocks_alloc(&L, threads, &rng);
        for (int i = 0; i < nr; i++) {
            int ok = bit_exact(&rows[i], &L, threads, tb.exact);
            all_exact &= ok;
            if (!ok)
                printf("kernel=%s threads=%d: NOT BIT-EXACT\n", rows[i].name, threads);
        }
        rows_time(rows, nr, &L, threads);
        rows_report(rows, nr, threads, &best, all_exact);
        blocks_free(&L, threads);
    }
    free(L.W);
    tables_free(&tb);
    return all_exact ? 0 : 1;
}
