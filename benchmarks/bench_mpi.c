/* bench_mpi: the search over MPI ranks (cli/dist.h) on this machine.
 *
 * Runs the same search (configs/quick.ini with racing, no baselines) as
 * one process with 2 threads, then under mpirun as 1 rank x 2 threads, 2
 * ranks x 1 thread and 3 ranks x 1 thread (oversubscribed: 3 on 2 cores),
 * checks that every run wrote the same files, and prints distinct
 * evaluations per second of search (the wall time of the generations,
 * from the log: loading the model and data is left out) with the ratio to
 * the one-process run, and rank 0's measured communication per chunk.
 * From those it projects 8 to 64 ranks (see docs/cluster.md for the
 * model). Needs $AXSEARCH and $AXSEARCH_MPI (make bench sets them when
 * Open MPI is installed); prints a skip line otherwise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/wallclock.h"

typedef struct run_figures {
    double wall;       /* seconds of the whole command */
    double search_s;   /* seconds of the generations (log: "search: ... in S s") */
    long distinct;     /* distinct chromosomes scored */
    double comm_ms;    /* rank 0's communication per chunk (distributed runs) */
    double batch_s;    /* seconds in distributed batches */
    long chunks;
} run_figures;

/* Reads the figures of a finished run from its log. */
static void read_log(const char *log, run_figures *r)
{
    FILE *f = fopen(log, "r");
    char line[2048];
    while (f && fgets(line, sizeof line, f)) {
        char *p = strstr(line, "search: ");
        if (p && strstr(p, "distinct)")) {
            char *q = strstr(p, "evaluations (");
            if (q)
                sscanf(q, "evaluations (%ld distinct)", &r->distinct);
            q = strstr(p, ") in ");
            if (q)
                sscanf(q, ") in %lf s", &r->search_s);
        }
        p = strstr(line, "batches in ");
        if (p)
            sscanf(p, "batches in %lf s", &r->batch_s);
        p = strstr(line, "chromosomes in ");
        if (p)
            sscanf(p, "chromosomes in %ld chunks", &r->chunks);
        p = strstr(line, "ms per chunk");
        if (p) {
            while (p > line && p[-1] != ' ')
                p--;
            while (p > line && p[-1] == ' ')
                p--;
            while (p > line && p[-1] != ' ' && p[-1] != ',')
                p--;
            sscanf(p, "%lf", &r->comm_ms);
        }
    }
    if (f)
        fclose(f);
}

static int run(const char *launcher, const char *prog, const char *cfg, const char *out, int threads,
               run_figures *r)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && %s '%s' search '%s' --out '%s' --no-baselines --threads %d > '%s.log' 2>&1",
             out, launcher, prog, cfg, out, threads, out);
    memset(r, 0, sizeof *r);
    double t0 = wallclock_seconds();
    int rc = system(cmd);
    r->wall = wallclock_seconds() - t0;
    char log[1400];
    snprintf(log, sizeof log, "%s.log", out);
    read_log(log, r);
    return rc == 0 && r->search_s > 0 ? 0 : -1;
}

/* Generations in a run folder's history.tsv (rows after the header). */
static long gens_of(const char *dir)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/history.tsv", dir);
    FILE *f = fopen(path, "r");
    long n = 0;
    for (int c; f && (c = fgetc(f)) != EOF;)
        n += c == '\n';
    if (f)
        fclose(f);
    return n > 0 ? n - 1 : 0;
}

static int same_files(const char *a, const char *b)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cmp -s '%s/front.tsv' '%s/front.tsv' && cmp -s '%s/evaluations.tsv' '%s/evaluations.tsv' && "
             "cmp -s '%s/history.tsv' '%s/history.tsv'",
             a, b, a, b, a, b);
    return system(cmd) == 0;
}

/* Projected distinct evaluations per second for R ranks x T threads: a
 * generation's P chromosomes take P e / (R T) seconds of scoring (e: one
 * chromosome's seconds on one thread, from the one-process run), at least
 * e (one chromosome), plus rank 0's communication for P / T chunks, plus
 * the serial part s of a generation (NSGA-II, checkpoint, files). */
static double project(double e, double s, double comm_s, int P, int R, int T)
{
    double chunks = ceil((double)P / T);
    double scoring = fmax(e, (double)P * e / ((double)R * T));
    return P / (scoring + chunks * comm_s + s);
}

int main(void)
{
    const char *plain = getenv("AXSEARCH"), *mpi = getenv("AXSEARCH_MPI");
    if (!plain || !mpi || system("command -v mpirun >/dev/null 2>&1") != 0 ||
        access("configs/quick.ini", R_OK) != 0) {
        printf("mpi: skipped (needs $AXSEARCH, $AXSEARCH_MPI, mpirun and configs/quick.ini)\n");
        return 0;
    }
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    char dir[] = "/tmp/axsearch-bench-mpi-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char cfg[256], model[1024], cmd[4096];
    snprintf(cfg, sizeof cfg, "%s/quick.ini", dir);
    if (!realpath("models/lenet5_fmnist.onnx", model))
        return 1;
    snprintf(cmd, sizeof cmd, "sed 's|^onnx = .*|onnx = %s|' configs/quick.ini > '%s'", model, cfg);
    if (system(cmd) != 0)
        return 1;
    static const struct {
        const char *name, *launcher;
        int ranks, threads;
        int mpi;
    } cases[] = {
        {"one_process", "", 1, 2, 0},
        {"mpi", "mpirun -np 1 --bind-to none", 1, 2, 1},
        {"mpi", "mpirun -np 2 --bind-to none", 2, 1, 1},
        {"mpi", "mpirun -np 3 --oversubscribe --bind-to none", 3, 1, 1},
    };
    enum { N = sizeof cases / sizeof cases[0] };
    run_figures r[N];
    char out[N][300];
    for (int i = 0; i < N; i++) {
        snprintf(out[i], sizeof out[i], "%s/run%d", dir, i);
        if (run(cases[i].launcher, cases[i].mpi ? mpi : plain, cfg, out[i], cases[i].threads, &r[i]) != 0) {
            printf("mpi: the run '%s %s' failed (log %s.log)\n", cases[i].launcher, cases[i].mpi ? mpi : plain,
                   out[i]);
            return 1;
        }
        printf("mode=%s ranks=%d threads=%d distinct=%ld search_s=%.1f evals_per_s=%.2f vs_one_process=%.2f "
               "identical=%s comm_ms_per_chunk=%.3f comm_share_pct=%.2f\n",
               cases[i].name, cases[i].ranks, cases[i].threads, r[i].distinct, r[i].search_s,
               r[i].distinct / r[i].search_s, (r[i].distinct / r[i].search_s) / (r[0].distinct / r[0].search_s),
               same_files(out[0], out[i]) ? "yes" : "NO", r[i].comm_ms,
               r[i].batch_s > 0 ? 100.0 * r[i].chunks * r[i].comm_ms * 1e-3 / r[i].batch_s : 0.0);
    }
    /* The model's inputs, measured: the serial part of a generation (2
     * ranks: the search's time outside the distributed batches, per
     * batch), one chromosome's seconds on one thread (the one-process run's
     * time less that serial part, on 2 threads), rank 0's communication
     * per chunk (2 ranks). */
    double gens = (double)gens_of(out[2]);
    double s = gens > 0 ? fmax(0.0, r[2].search_s - r[2].batch_s) / gens : 0.0;
    double e = fmax(0.0, r[0].search_s - s * gens) * 2 / (double)r[0].distinct;
    double comm = r[2].comm_ms * 1e-3;
    printf("projection e_s=%.4f serial_s_per_generation=%.4f comm_s_per_chunk=%.6f\n", e, s, comm);
    static const int ranks[] = {1, 8, 16, 32, 64}, pops[] = {24, 256};
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < 5; k++)
            printf("projection ranks=%d threads=2 population=%d evals_per_s=%.1f speedup_vs_1_rank=%.1f\n", ranks[k],
                   pops[p], project(e, s, comm, pops[p], ranks[k], 2),
                   project(e, s, comm, pops[p], ranks[k], 2) / project(e, s, comm, pops[p], 1, 2));
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
