/* The start-up cost of accuracy recovery (fitness/emu/recover.h): the
 * activation histograms of 1,000 calibration images, then the fixes of
 * every (layer, multiplier) pair of the default library, weight tuning
 * alone, bias compensation alone and both, on 1 and on all threads. Prints
 * recovery_setup_s (histograms + both schemes on all threads; the budget
 * is 10 s for the ResNet) and the thread ratio of the same run.
 * Run from the repository root (make bench). */
#include <stdio.h>
#include <stdlib.h>

#include "approx/mult_lib.h"
#include "fitness/emu/qnet.h"
#include "fitness/emu/recover.h"
#include "fitness/net/idx.h"
#include "fitness/net/onnx_import.h"
#include "util/wallclock.h"

#ifdef _OPENMP
#include <omp.h>
#endif

enum { CALIB = 1000 };

/* Seconds to make the fixes of every pair under ro on `threads` threads. */
static double time_set(const qnet *q, const rec_hist *h, const uint16_t *const *luts, int n, const rec_options *ro,
                       int threads)
{
    rec_set *s = NULL;
    ax_err err = {0};
    double t0 = wallclock_seconds();
    if (rec_set_make(q, h, luts, n, ro, threads, &s, &err) != AX_OK) {
        fprintf(stderr, "bench_recover: %s\n", err.msg);
        exit(1);
    }
    double secs = wallclock_seconds() - t0;
    rec_set_free(s);
    return secs;
}

static void bench_model(const char *path, const idx_dataset *train, const mult_lib *lib, int all_threads)
{
    onnx_import_opts io = {1, 0, NULL};
    graph *g = NULL;
    qnet *q = NULL;
    rec_hist *h = NULL;
    ax_err err = {0};
    if (onnx_import_file(path, &io, &g, &err) != AX_OK || qnet_build(g, train->images, CALIB, NULL, &q, &err) != AX_OK) {
        fprintf(stderr, "bench_recover: %s\n", err.msg);
        exit(1);
    }
    size_t n = mult_lib_count(lib);
    const uint16_t **luts = malloc(n * sizeof *luts);
    for (size_t i = 0; i < n; i++)
        luts[i] = mult_lib_entry(lib, i)->lut;
    double t0 = wallclock_seconds();
    if (rec_hist_make(q, train->images, CALIB, all_threads, &h, &err) != AX_OK) {
        fprintf(stderr, "bench_recover: %s\n", err.msg);
        exit(1);
    }
    double hist_s = wallclock_seconds() - t0;
    const rec_options tune = {1, 0, 255}, comp = {0, 1, 255}, both = {1, 1, 255};
    double tune_s = time_set(q, h, luts, (int)n, &tune, all_threads);
    double comp_s = time_set(q, h, luts, (int)n, &comp, all_threads);
    double both_1 = time_set(q, h, luts, (int)n, &both, 1);
    double both_s = time_set(q, h, luts, (int)n, &both, all_threads);
    printf("model=%s layers=%d multipliers=%zu pairs=%zu calib_images=%d threads=%d\n", path, qnet_n_layers(q), n,
           n * (size_t)qnet_n_layers(q), CALIB, all_threads);
    printf("  histograms_s=%.3f tune_s=%.3f comp_s=%.3f both_s=%.3f both_1thread_s=%.3f thread_speedup=%.2f\n",
           hist_s, tune_s, comp_s, both_s, both_1, both_s > 0 ? both_1 / both_s : 0.0);
    printf("  recovery_setup_s=%.3f\n", hist_s + both_s);
    free(luts);
    rec_hist_free(h);
    qnet_free(q);
    graph_free(g);
}

int main(void)
{
    idx_dataset train = {0};
    ax_err err = {0};
    if (idx_load_split(NULL, IDX_SPLIT_TRAIN, &train, &err) != AX_OK) {
        fprintf(stderr, "bench_recover: %s\n", err.msg);
        return 1;
    }
    mult_lib *lib = mult_lib_create_default(&err);
    if (!lib) {
        fprintf(stderr, "bench_recover: %s\n", err.msg);
        return 1;
    }
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    bench_model("models/lenet5_fmnist.onnx", &train, lib, threads);
    bench_model("models/resnet14_fmnist.onnx", &train, lib, threads);
    mult_lib_free(lib);
    idx_dataset_clear(&train);
    return 0;
}
