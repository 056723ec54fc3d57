/* Whole-network emulator speed, as ratios measured in one run:
 * images per second for LeNet-5 and the ResNet (exact, an approximate
 * table in every layer, with bit errors at 1e-4), the cost of fault
 * injection, and 1 -> 2 thread scaling; each network's two-thread GMAC/s
 * against the dispatched exact and table kernels' on bench_kern's layer
 * (M 64, K 576, NP 1024 per thread), timed in this run just before the
 * networks (vs_kernel); then search evaluations per second
 * on configs/quick.ini with and without the prefix cache (through the
 * program, $AXSEARCH) and the share of MACs the cache saved.
 * Run from the repository root (make bench). */
#include <math.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "approx/mult_lib.h"
#include "fitness/emu/emu.h"
#include "fitness/emu/kern.h"
#include "fitness/net/idx.h"
#include "fitness/net/onnx_import.h"
#include "fitness/emu/qnet.h"
#include "util/pcg.h"
#include "util/wallclock.h"

enum { REPEAT = 7, MAX_SETS = 8 };

/* Seconds of one run: wall clock, or the process's CPU time (steadier on a
 * shared machine; used for one-thread comparisons). */
static double run_once(const qnet *q, const idx_dataset *d, const emu_options *o, int cpu)
{
    int64_t correct;
    double t0 = cpu ? (double)clock() / CLOCKS_PER_SEC : wallclock_seconds();
    if (emu_top1(q, d->images, d->labels, d->count, o, &correct, NULL, NULL) != AX_OK)
        return NAN;
    return (cpu ? (double)clock() / CLOCKS_PER_SEC : wallclock_seconds()) - t0;
}

/* REPEAT rounds; each round runs every option set once, back to back, so
 * that a burst of load on the shared machine hits the sets of one round
 * alike. secs[r][i] = seconds of set i in round r. */
static void time_rounds(const qnet *q, const idx_dataset *d, const emu_options *o, int n, int cpu,
                        double secs[REPEAT][MAX_SETS])
{
    for (int r = 0; r < REPEAT; r++)
        for (int i = 0; i < n; i++)
            secs[r][i] = run_once(q, d, &o[i], cpu);
}

static double fastest(double secs[REPEAT][MAX_SETS], int i)
{
    double best = INFINITY;
    for (int r = 0; r < REPEAT; r++)
        best = secs[r][i] < best ? secs[r][i] : best;
    return best;
}

/* Median over rounds of secs[r][a] / secs[r][b]: a ratio of two runs made
 * seconds apart, so slow phases of the machine cancel. */
static double median_ratio(double secs[REPEAT][MAX_SETS], int a, int b)
{
    double v[REPEAT];
    for (int r = 0; r < REPEAT; r++) {
        double x = secs[r][a] / secs[r][b];
        int k = r;
        for (; k > 0 && v[k - 1] > x; k--)
            v[k] = v[k - 1];
        v[k] = x;
    }
    return v[REPEAT / 2];
}

/* GMAC/s of the dispatched kernels on bench_kern's layer with two
 * threads (each its own columns, output and scratch, as the emulator's
 * threads have): [0] exact, [1] the table (lut, weight-major inside);
 * the fastest of REPEAT samples of 20 calls each. */
static void kernel_rates(const uint16_t *lut, double rate[2])
{
    enum { KM = 64, KK = 576, KNP = 1024, CALLS = 20 };
    kern_ops ops = kern_ops_best();
    uint16_t *T = malloc(65536 * sizeof *T);
    for (int a = 0; a < 256; a++)
        for (int w = 0; w < 256; w++)
            T[w * 256 + a] = lut[a * 256 + w];
    ax_err err = {0};
    kern_table *kt = kern_table_create(T, &err);
    uint8_t *W = malloc(KM * KK), *A[2];
    int32_t *acc[2];
    void *scratch[2];
    pcg32 rng;
    pcg32_seed(&rng, 3, 1);
    for (int i = 0; i < KM * KK; i++)
        W[i] = (uint8_t)pcg32_bounded(&rng, 256);
    for (int t = 0; t < 2; t++) {
        A[t] = malloc((size_t)KK * KNP);
        acc[t] = malloc((size_t)KM * KNP * sizeof **acc);
        scratch[t] = malloc(kern_scratch_size(KM, KK));
        for (int i = 0; i < KK * KNP; i++)
            A[t][i] = (uint8_t)pcg32_bounded(&rng, 256);
    }
    for (int kind = 0; kind < 2; kind++) {
        double best = 1e30;
        for (int r = 0; r < REPEAT; r++) {
            double t0 = wallclock_seconds();
#pragma omp parallel for num_threads(2) schedule(static, 1)
            for (int t = 0; t < 2; t++)
                for (int c = 0; c < CALLS; c++) {
                    if (kind == 0)
                        ops.exact(W, A[t], KM, KK, KNP, acc[t], scratch[t]);
                    else
                        ops.table(kt, W, A[t], KM, KK, KNP, acc[t], scratch[t]);
                }
            double dt = wallclock_seconds() - t0;
            best = dt < best ? dt : best;
        }
        rate[kind] = 2.0 * CALLS * (double)KM * KK * KNP / best / 1e9;
    }
    printf("kernel=exact isa=%s threads=2 gmac_per_s=%.2f\nkernel=table(drum_k4) isa=%s threads=2 gmac_per_s=%.2f\n",
           ops.isa, rate[0], ops.isa, rate[1]);
    for (int t = 0; t < 2; t++) {
        free(A[t]);
        free(acc[t]);
        free(scratch[t]);
    }
    free(W);
    free(T);
    kern_table_free(kt);
}

static void bench_network(const char *path, const char *name, const idx_dataset *train, const idx_dataset *val,
                          const emu_table *approx, const double kernel_rate[2])
{
    graph *g = NULL;
    qnet *q = NULL;
    ax_err err = {0};
    onnx_import_opts io = {1, 0, NULL};
    if (onnx_import_file(path, &io, &g, &err) != AX_OK || qnet_build(g, train->images, 500, NULL, &q, &err) != AX_OK) {
        printf("network=%s skipped: %s\n", name, err.msg);
        graph_free(g);
        return;
    }
    int nl = qnet_n_layers(q);
    const emu_table **tables = malloc((size_t)nl * sizeof *tables);
    emu_flip_spec *spec = malloc((size_t)nl * sizeof *spec);
    for (int l = 0; l < nl; l++) {
        tables[l] = approx;
        spec[l] = (emu_flip_spec){1, {{0xFF, 1e-4}, {0, 0}, {0, 0}}};
    }
    emu_faults f = {1, 0, spec, spec, spec};
    double macs = (double)qnet_macs_per_image(q);
    static const char *const labels[3] = {"exact", "approx", "exact_faults_1e-4"};
    emu_options one[3] = {{.threads = 1}, {.tables = tables, .threads = 1}, {.threads = 1, .faults = &f}};
    emu_options two[3] = {{.threads = 2}, {.tables = tables, .threads = 2}, {.threads = 2, .faults = &f}};
    /* sets 0-2: one thread, 3-5: two threads (wall clock); then exact and
     * faults on one thread in CPU time for the injection overhead */
    emu_options sets[6] = {one[0], one[1], one[2], two[0], two[1], two[2]};
    emu_options cpu_sets[2] = {one[0], one[2]};
    double wall[REPEAT][MAX_SETS], cpu[REPEAT][MAX_SETS];
    time_rounds(q, val, sets, 6, 0, wall);
    time_rounds(q, val, cpu_sets, 2, 1, cpu);
    for (int i = 0; i < 3; i++) {
        double t1 = fastest(wall, i), t2 = fastest(wall, 3 + i);
        printf("network=%s mode=%s threads=1 images_per_s=%.0f gmac_per_s=%.2f\n", name, labels[i],
               (double)val->count / t1, macs * (double)val->count / t1 / 1e9);
        printf("network=%s mode=%s threads=2 images_per_s=%.0f gmac_per_s=%.2f\n", name, labels[i],
               (double)val->count / t2, macs * (double)val->count / t2 / 1e9);
        if (i < 2)
            printf("network=%s mode=%s threads=2 vs_kernel=%.3f (the %s kernel's GMAC/s above)\n", name, labels[i],
                   macs * (double)val->count / t2 / 1e9 / kernel_rate[i], i ? "table" : "exact");
    }
    printf("network=%s images=%lld\n", name, (long long)val->count);
    printf("network=%s thread_scaling_exact=%.2f thread_scaling_approx=%.2f thread_scaling_faults=%.2f\n", name,
           median_ratio(wall, 0, 3), median_ratio(wall, 1, 4), median_ratio(wall, 2, 5));
    printf("network=%s fault_injection_overhead_pct=%.1f (p=1e-4 on weights, inputs, outputs; 1 thread, CPU time)\n",
           name, 100.0 * (median_ratio(cpu, 1, 0) - 1.0));
    free(tables);
    free(spec);
    qnet_free(q);
    graph_free(g);
}

/* Seconds of one search through the program; fills the last progress
 * line's prefix reuse. */
static double run_search(const char *prog, const char *config, const char *out, double *reuse)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && '%s' search '%s' --out '%s' --no-baselines > '%s.log' 2>&1", out,
             prog, config, out, out);
    double t0 = wallclock_seconds();
    int rc = system(cmd);
    double secs = wallclock_seconds() - t0;
    if (rc != 0)
        return NAN;
    char log[1200];
    snprintf(log, sizeof log, "%s.log", out);
    FILE *f = fopen(log, "r");
    char line[1024];
    *reuse = 0;
    while (f && fgets(line, sizeof line, f)) {
        char *p = strstr(line, "prefix_reuse");
        if (p)
            sscanf(p, "prefix_reuse %lf", reuse);
    }
    if (f)
        fclose(f);
    return secs;
}

static void bench_search(void)
{
    const char *prog = getenv("AXSEARCH");
    if (!prog || access("configs/quick.ini", R_OK) != 0 || access("models/lenet5_fmnist.onnx", R_OK) != 0) {
        printf("search: skipped (needs $AXSEARCH, configs/quick.ini and models/)\n");
        return;
    }
    char dir[] = "/tmp/axsearch-bench-XXXXXX";
    if (!mkdtemp(dir))
        return;
    char cfg_on[256], cfg_off[256], out_on[256], out_off[256], cmd[4096];
    snprintf(cfg_on, sizeof cfg_on, "%s/on.ini", dir);
    snprintf(cfg_off, sizeof cfg_off, "%s/off.ini", dir);
    snprintf(out_on, sizeof out_on, "%s/on", dir);
    snprintf(out_off, sizeof out_off, "%s/off", dir);
    /* The shipped configuration, model path made absolute, cache on/off. */
    char model[1024];
    if (!realpath("models/lenet5_fmnist.onnx", model))
        return;
    snprintf(cmd, sizeof cmd,
             "sed 's|^onnx = .*|onnx = %s|' configs/quick.ini > '%s' && "
             "sed 's|^onnx = .*|onnx = %s|; s|^\\[search\\]|[search]\\nprefix_cache_mb = 0|' configs/quick.ini > '%s'",
             model, cfg_on, model, cfg_off);
    if (system(cmd) != 0)
        return;
    double reuse_on = 0, reuse_off = 0;
    double on = run_search(prog, cfg_on, out_on, &reuse_on);
    double off = run_search(prog, cfg_off, out_off, &reuse_off);
    snprintf(cmd, sizeof cmd, "cmp -s '%s/front.tsv' '%s/front.tsv' && cmp -s '%s/evaluations.tsv' '%s/evaluations.tsv'",
             out_on, out_off, out_on, out_off);
    int same = system(cmd) == 0;
    long evals = 0;
    snprintf(cmd, sizeof cmd, "%s/evaluations.tsv", out_on);
    FILE *f = fopen(cmd, "r");
    for (int c; f && (c = fgetc(f)) != EOF;)
        evals += c == '\n';
    if (f)
        fclose(f);
    evals -= 1;
    printf("search config=configs/quick.ini evaluations=%ld prefix_cache=on evals_per_s=%.2f seconds=%.1f\n", evals,
           evals / on, on);
    printf("search config=configs/quick.ini evaluations=%ld prefix_cache=off evals_per_s=%.2f seconds=%.1f\n", evals,
           evals / off, off);
    printf("search prefix_reuse_pct=%.1f speedup=%.2f identical_results=%s\n", reuse_on, off / on, same ? "yes" : "NO");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return;
}

int main(void)
{
    ax_err err = {0};
    idx_dataset train = {0}, val = {0};
    if (idx_load_split(NULL, IDX_SPLIT_TRAIN, &train, &err) != AX_OK ||
        idx_load_split(NULL, IDX_SPLIT_VAL, &val, &err) != AX_OK) {
        fprintf(stderr, "bench_emu: %s\n", err.msg);
        return 1;
    }
    mult_lib *lib = mult_lib_create_default(&err);
    long i = lib ? mult_lib_find(lib, "drum_k4") : -1;
    emu_table *t = i >= 0 ? emu_table_create(mult_lib_entry(lib, (size_t)i)->lut, &err) : NULL;
    if (!t) {
        fprintf(stderr, "bench_emu: %s\n", err.msg);
        return 1;
    }
    /* LeNet: the whole search split (0.5 s a run, long enough to time);
     * ResNet: its first 2,000 images (4 s a run on one thread) */
    printf("# %d rounds; images/s from the fastest round, ratios are medians over rounds of two runs made "
           "seconds apart; approx = drum_k4 in every layer\n",
           REPEAT);
    double rate[2];
    kernel_rates(mult_lib_entry(lib, (size_t)i)->lut, rate);
    idx_dataset part = val;
    bench_network("models/lenet5_fmnist.onnx", "lenet5", &train, &part, t, rate);
    part.count = val.count < 2000 ? val.count : 2000;
    bench_network("models/resnet14_fmnist.onnx", "resnet14", &train, &part, t, rate);
    if (!getenv("BENCH_EMU_NO_SEARCH"))
        bench_search();
    emu_table_free(t);
    mult_lib_free(lib);
    idx_dataset_clear(&train);
    idx_dataset_clear(&val);
    return 0;
}
