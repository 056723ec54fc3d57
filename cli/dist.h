/* dist: a search spread over MPI ranks (`make MPI=1`, run under mpirun).
 *
 * Rank 0 runs the command as one process would: NSGA-II, the evaluation
 * cache, every file, the checkpoints. The other ranks serve: they build the
 * run's environment from the configuration rank 0 sends (the same model,
 * data, library and chip, read from the same paths) and score the work that
 * rank 0's fit_batch and fit_score_on_batch hand out (fitness/fit.h
 * fit_work), each with its OpenMP threads. Rank 0 sends chunks of a batch as
 * ranks ask for them (two in flight per rank, so a rank never waits for
 * rank 0) and scores chunks itself while it would otherwise wait. A score
 * depends on the chromosome, its start and the racing reference only, so
 * the result files are byte-identical for any number of ranks and threads.
 *
 * All ranks run the same binary on the same architecture: the
 * configuration and results travel as raw structs. A rank that dies ends
 * the job (mpirun's default); a rank that sends nothing for the time-out
 * stops the run with a message naming it, after which main aborts the job:
 * the checkpoint of the last finished generation is intact either way.
 *
 * The plain build (no AX_MPI) is one process: rank 0 of 1; dist_attach
 * sets *out to NULL and no executor, dist_init and dist_end do nothing.
 *
 * The MPI world is process-global by nature; this module mirrors it (rank,
 * size, whether a rank hung) in a few file-scope variables set by
 * dist_init, and keeps everything of a run in the dist handle. */
#ifndef AX_CLI_DIST_H
#define AX_CLI_DIST_H

#include "cli/run_env.h"
#include "util/err.h"

/* Starts MPI (threads: funnelled; only the main thread calls MPI).
 * Returns 0, or -1 when MPI fails to start (message printed). */
int dist_init(int *argc, char ***argv);
int dist_rank(void);
int dist_size(void);
/* 1 in the MPI build, 0 in the plain one. */
int dist_built(void);

/* Rank 0: whether the command it runs is served by the other ranks (so
 * that dist_end releases them); 0 until called. */
void dist_set_served(int served);

/* Ends MPI at the end of main: rank 0 releases the serving ranks and
 * finalizes, or aborts the job when a rank hung or a transfer failed.
 * Returns status (the process's exit status). */
int dist_end(int status);

/* A serving rank's life (ranks > 0 of the commands that distribute):
 * builds environments and scores work until rank 0 releases it. Returns
 * the exit status. */
int dist_serve(void);

typedef struct dist dist;

/* Rank 0, once e is open: sends e's configuration to every other rank,
 * waits until each has built the same environment, and sets the executor
 * of e->fit. timeout_s: the longest a rank may stay silent with work (0:
 * no limit). *out is NULL in a one-process run. */
int dist_attach(run_env *e, double timeout_s, dist **out, ax_err *err);
/* Sets the executor of another fit made by run_env_fit_create(e, 0, ...)
 * (the baselines' comparison search without recovery). */
void dist_attach_plain(dist *d, fit *plain);
void dist_free(dist *d);

/* "ranks busy 98/96/97 %" (each rank's share of the wall time since the
 * last call spent scoring; rank 0 first) into buf; "" without ranks. */
void dist_busy_text(dist *d, char *buf, size_t cap);
/* The closing figures: batches, chromosomes sent, rank 0's share of the
 * distributed batches' time spent sending, receiving and packing. */
void dist_summary_text(const dist *d, char *buf, size_t cap);

#endif
