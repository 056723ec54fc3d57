#include "cli/dist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef AX_MPI

#include <mpi.h>
#include <signal.h>
#include <stdatomic.h>
#include <threads.h>
#include <time.h>

#include "cli/search.h"
#include "util/bytebuf.h"
#include "util/wallclock.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* The world as MPI sees it (see dist.h on why file-scope). */
static int world_rank, world_size = 1;
static int world_broken; /* a rank hung or a transfer failed: abort at the end */
static int world_served; /* rank 0's command is served by the others (dist_set_served) */

void dist_set_served(int served) { world_served = served; }

enum { TAG_CONFIG = 1, TAG_READY, TAG_WORK, TAG_RESULT, TAG_QUIT };
/* which fit a work message is for, and on which images */
enum { ROLE_MAIN = 0, ROLE_PLAIN = 1 };
enum { ON_SEARCH = 0, ON_CONFIRM = 1, ON_TEST = 2 };

/* Chunks a rank holds at once: one it scores, one waiting, so it never
 * waits for rank 0 between chunks. */
#define IN_FLIGHT 2

int dist_init(int *argc, char ***argv)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "axsearch: MPI_Init_thread failed\n");
        return -1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    if (provided < MPI_THREAD_FUNNELED) { /* rank 0 scores on a helper thread */
        if (world_rank == 0)
            fprintf(stderr, "axsearch: this MPI library offers no MPI_THREAD_FUNNELED support\n");
        MPI_Finalize();
        return -1;
    }
    return 0;
}

int dist_rank(void) { return world_rank; }
int dist_size(void) { return world_size; }
int dist_built(void) { return 1; }

int dist_end(int status)
{
    if (world_broken) {
        fflush(stdout);
        MPI_Abort(MPI_COMM_WORLD, status ? status : 1);
    }
    if (world_rank == 0 && world_served)
        for (int r = 1; r < world_size; r++)
            MPI_Send(NULL, 0, MPI_BYTE, r, TAG_QUIT, MPI_COMM_WORLD);
    MPI_Finalize();
    return status;
}

/* ---- messages ------------------------------------------------------------ */

/* A wait between polls that grows from 0.1 to 10 ms while nothing
 * happens (*us: the current nap, reset to 0 on activity): an idle rank
 * leaves its core to the others on a shared or oversubscribed node, yet
 * answers within a few ms, which the chunk waiting at each rank hides. */
static void nap(long *us)
{
    *us = *us < 100 ? 100 : *us * 2 > 10000 ? 10000 : *us * 2;
    nanosleep(&(struct timespec){0, *us * 1000}, NULL);
}

/* The next message from rank 0 (or, on rank 0, the next result from
 * anyone): its bytes (malloc'ed; NULL for an empty one), length, tag and
 * source. */
static int receive(int source, int tag, unsigned char **buf, int *len, MPI_Status *st)
{
    /* Polled with naps rather than MPI_Probe, which spins: a rank waiting
     * for work (rank 0 is breeding or writing files) leaves its core. */
    long us = 0;
    for (int flag = 0; !flag;) {
        MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, st);
        if (!flag)
            nap(&us);
    }
    MPI_Get_count(st, MPI_BYTE, len);
    *buf = malloc((size_t)(*len > 0 ? *len : 1));
    if (!*buf)
        return -1;
    return MPI_Recv(*buf, *len, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE) ==
                   MPI_SUCCESS
               ? 0
               : -1;
}

static void put_text(bb_writer *w, const char *s)
{
    size_t n = strlen(s);
    bb_put_u32(w, (uint32_t)n);
    bb_put_bytes(w, s, n);
}

static void get_text(bb_reader *r, char *out, size_t cap)
{
    uint32_t n = bb_get_u32(r);
    const unsigned char *p = bb_take(r, n);
    size_t k = p ? (n < cap - 1 ? n : cap - 1) : 0;
    if (k)
        memcpy(out, p, k);
    out[k] = '\0';
}

/* A status reply: code, message, then (results) the scoring's busy
 * seconds and n results. */
static void put_status(bb_writer *w, int code, const char *msg)
{
    bb_put_u32(w, (uint32_t)code);
    put_text(w, code ? msg : "");
}

/* ---- the serving ranks --------------------------------------------------- */

/* Sends a reply to rank 0 and frees it; a reply that ran out of memory
 * goes as a bare failure (code AX_EINTERNAL, no message), never as an
 * empty message rank 0 could take for success. */
static void send_reply(bb_writer *w, int tag)
{
    unsigned char failed[8] = {(unsigned char)AX_EINTERNAL, 0, 0, 0, 0, 0, 0, 0};
    if (w->oom)
        MPI_Send(failed, (int)sizeof failed, MPI_BYTE, 0, tag, MPI_COMM_WORLD);
    else
        MPI_Send(w->p, (int)w->n, MPI_BYTE, 0, tag, MPI_COMM_WORLD);
    free(w->p);
    w->p = NULL;
}

typedef struct server {
    run_env e;
    int open;
    fit *plain;                /* the baselines' fit without recovery, made on demand */
    volatile sig_atomic_t stop;
    /* the racing reference of the current batch (sent with a batch's
     * first chunk to this rank only): ref_n rows; owned */
    int ref_n;
    double *ref_objs, *ref_ucb;
} server;

/* A configuration from rank 0: the environment it describes, quietly. */
static void serve_config(server *s, const unsigned char *buf, int len)
{
    bb_writer w = {0};
    ax_err err = {0};
    int rc = AX_OK;
    fit_free(s->plain);
    s->plain = NULL;
    if (s->open)
        run_env_close(&s->e);
    s->open = 0;
    scfg c;
    if (len != (int)sizeof c) {
        rc = ax_fail(&err, AX_EINTERNAL, "a configuration of %d bytes, not %zu (not the same axsearch?)", len,
                     sizeof c);
    } else {
        memcpy(&c, buf, sizeof c);
        rc = run_env_open_as(&s->e, &c, &s->stop, 1, &err);
        s->open = rc == AX_OK;
    }
    put_status(&w, rc, err.msg);
    send_reply(&w, TAG_READY);
}

/* The work a message describes, over arrays it owns (work_msg_clear)
 * and the server's racing reference. */
typedef struct work_msg {
    int role, on, n;
    fit_work w;
    int32_t *genes;
    fit_result *start;
    fit_reference ref;
} work_msg;

static void work_msg_clear(work_msg *m)
{
    free(m->genes);
    free(m->start);
    free(m->ref.right);
}

/* A racing reference from a work message into s (replacing the last):
 * ref_n rows of dims objectives, then ref_n bounds. */
static int take_reference(server *s, bb_reader *r, ax_err *err)
{
    int ref_n = (int)bb_get_u32(r), dims = (int)bb_get_u32(r);
    const scfg *c = &s->e.cfg;
    if (ref_n < 0 || dims != 1 + c->obj_area + c->obj_latency || r->short_read ||
        (size_t)ref_n * (size_t)(dims + 1) * 8 > r->n - r->pos)
        return ax_fail(err, AX_EINTERNAL, "a racing reference does not parse");
    size_t rows = (size_t)(ref_n > 0 ? ref_n : 1);
    double *objs = malloc(rows * (size_t)dims * sizeof *objs), *ucb = malloc(rows * sizeof *ucb);
    if (!objs || !ucb) {
        free(objs);
        free(ucb);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < (size_t)ref_n * (size_t)dims; i++)
        objs[i] = bb_get_f64(r);
    for (int i = 0; i < ref_n; i++)
        ucb[i] = bb_get_f64(r);
    free(s->ref_objs);
    free(s->ref_ucb);
    s->ref_n = ref_n;
    s->ref_objs = objs;
    s->ref_ucb = ucb;
    return AX_OK;
}

/* Unpacks a work message (see send_chunk) for s's environment. */
static int work_unpack(server *s, const unsigned char *buf, int len, work_msg *m, ax_err *err)
{
    bb_reader r = {buf, (size_t)len, 0, 0};
    memset(m, 0, sizeof *m);
    m->role = (int)bb_get_u32(&r);
    m->on = (int)bb_get_u32(&r);
    m->n = (int)bb_get_u32(&r);
    int with_ref = (int)bb_get_u32(&r);
    int rc = with_ref ? take_reference(s, &r, err) : AX_OK;
    if (rc != AX_OK)
        return rc;
    fit *f = m->role == ROLE_PLAIN ? s->plain : s->e.fit;
    size_t ng = (size_t)fit_n_genes(f), n = (size_t)(m->n > 0 ? m->n : 1);
    /* the count must fit the bytes that follow (each gene 4 bytes, each
     * result raw) */
    if (m->n < 0 || m->on < ON_SEARCH || m->on > ON_TEST || r.short_read ||
        (size_t)m->n * (ng * 4 + sizeof(fit_result)) > r.n - r.pos)
        return ax_fail(err, AX_EINTERNAL, "a work message of %d bytes does not parse", len);
    m->genes = malloc(n * ng * sizeof *m->genes);
    m->start = calloc(n, sizeof *m->start);
    if (!m->genes || !m->start)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    for (size_t i = 0; i < (size_t)m->n * ng; i++)
        m->genes[i] = (int32_t)bb_get_u32(&r);
    for (int i = 0; i < m->n; i++) {
        const unsigned char *p = bb_take(&r, sizeof *m->start);
        if (p)
            memcpy(&m->start[i], p, sizeof *m->start);
    }
    if (m->on != ON_SEARCH) {
        const run_env *e = &s->e;
        m->ref.data = m->on == ON_CONFIRM ? e->confirm
                                          : (mc_data){e->test.images, e->test.labels, e->test.count, e->test.first};
        m->ref.top1 = bb_get_f64(&r);
        m->ref.right = malloc((size_t)(m->ref.data.n > 0 ? m->ref.data.n : 1));
        const unsigned char *p = bb_take(&r, (size_t)m->ref.data.n);
        if (!m->ref.right)
            return ax_fail(err, AX_EINTERNAL, "out of memory");
        if (p)
            memcpy(m->ref.right, p, (size_t)m->ref.data.n);
    }
    if (r.short_read || r.pos != r.n)
        return ax_fail(err, AX_EINTERNAL, "a work message of %d bytes does not parse", len);
    m->w = (fit_work){m->n, m->genes, m->start, s->ref_n, s->ref_objs, s->ref_ucb, m->on != ON_SEARCH ? &m->ref : NULL};
    return AX_OK;
}

/* A chunk of work: scored with every thread, the results sent back. */
static void serve_work(server *s, const unsigned char *buf, int len)
{
    double t0 = wallclock_seconds();
    ax_err err = {0};
    work_msg m;
    int rc = s->open ? AX_OK : ax_fail(&err, AX_EINTERNAL, "no environment (its configuration failed)");
    int role = len >= 4 ? buf[0] : ROLE_MAIN; /* little-endian u32 */
    if (rc == AX_OK && role == ROLE_PLAIN && !s->plain)
        rc = run_env_fit_create(&s->e, 0, &s->plain, &err);
    if (rc == AX_OK)
        rc = work_unpack(s, buf, len, &m, &err);
    else
        memset(&m, 0, sizeof m);
    fit_result *out = calloc((size_t)(m.n > 0 ? m.n : 1), sizeof *out);
    if (rc == AX_OK && !out)
        rc = ax_fail(&err, AX_EINTERNAL, "out of memory");
    if (rc == AX_OK)
        rc = fit_work_score(m.role == ROLE_PLAIN ? s->plain : s->e.fit, &m.w, 0, m.n, out, &err);
    bb_writer w = {0};
    put_status(&w, rc, err.msg);
    bb_put_f64(&w, wallclock_seconds() - t0);
    if (rc == AX_OK)
        bb_put_bytes(&w, out, (size_t)m.n * sizeof *out);
    send_reply(&w, TAG_RESULT);
    free(out);
    work_msg_clear(&m);
}

int dist_serve(void)
{
    static server s; /* one per process: the serving rank's whole state */
    search_catch_signals(&s.stop); /* a stop ends the chunk at hand early */
    for (;;) {
        unsigned char *buf;
        int len;
        MPI_Status st;
        if (receive(0, MPI_ANY_TAG, &buf, &len, &st) != 0) {
            fprintf(stderr, "axsearch rank %d: receiving from rank 0 failed\n", world_rank);
            world_broken = 1;
            free(buf);
            break;
        }
        int tag = st.MPI_TAG;
        if (tag == TAG_CONFIG)
            serve_config(&s, buf, len);
        else if (tag == TAG_WORK)
            serve_work(&s, buf, len);
        free(buf);
        if (tag == TAG_QUIT)
            break;
    }
    fit_free(s.plain);
    free(s.ref_objs);
    free(s.ref_ucb);
    if (s.open)
        run_env_close(&s.e);
    return world_broken ? 1 : 0;
}

/* ---- rank 0 -------------------------------------------------------------- */

/* A chunk on its way to a rank or being scored there. */
typedef struct flight {
    unsigned char *msg; /* the packed work; freed when answered */
    MPI_Request req;
    int from, to;       /* rows of the work */
} flight;

typedef struct rank_state {
    flight q[IN_FLIGHT]; /* oldest first */
    int held;
    double heard;        /* when it last answered (or was first given work): wallclock_seconds() */
    double busy;         /* seconds scoring since the last dist_busy_text */
    long ref_batch;      /* the batch (batches + 1) whose racing reference it holds */
} rank_state;

struct dist {
    run_env *e;
    fit *plain;
    double timeout_s;
    int threads;         /* OpenMP threads a rank scores with */
    rank_state *ranks;   /* [world_size]; [0] is rank 0's own */
    double since;        /* start of the busy figures: wallclock_seconds() */
    /* totals over the run: */
    long batches, sent, chunks; /* distributed batches; chromosomes and chunks sent to ranks */
    double comm_s, batch_s; /* rank 0's seconds in MPI and packing; in batches */
};

/* One distributed batch in progress; f, w and out are the executor's
 * (not owned), share is owned. */
typedef struct batch {
    dist *d;
    const fit *f;
    const fit_work *w;
    fit_result *out;
    int role, on;
    int done, chunk;
    /* [world_size]: rows not yet given out, rank r's share [lo, hi) of the
     * work (which is in prefix order: neighbours share the emulator's
     * prefix cache, so a rank takes its own share from the front, and only
     * when that is empty another's from its back) */
    struct share {
        int lo, hi;
    } *share;
} batch;

/* The next chunk for rank r into [*from, *to); 0 when nothing is left. */
static int next_chunk(batch *b, int r, int *from, int *to)
{
    struct share *s = &b->share[r];
    if (s->lo < s->hi) {
        *from = s->lo;
        *to = s->lo + b->chunk < s->hi ? s->lo + b->chunk : s->hi;
        s->lo = *to;
        return 1;
    }
    int most = -1;
    for (int k = 0; k < world_size; k++)
        if (b->share[k].hi - b->share[k].lo > 0 &&
            (most < 0 || b->share[k].hi - b->share[k].lo > b->share[most].hi - b->share[most].lo))
            most = k;
    if (most < 0)
        return 0;
    s = &b->share[most];
    *to = s->hi;
    *from = s->hi - b->chunk > s->lo ? s->hi - b->chunk : s->lo;
    s->hi = *from;
    return 1;
}

static int send_chunk(batch *b, int r, int from, int to)
{
    const fit_work *w = b->w;
    const run_env *e = b->d->e;
    int ng = fit_n_genes(b->f), dims = 1 + e->cfg.obj_area + e->cfg.obj_latency;
    bb_writer m = {0};
    bb_put_u32(&m, (uint32_t)b->role);
    bb_put_u32(&m, (uint32_t)b->on);
    bb_put_u32(&m, (uint32_t)(to - from));
    /* the racing reference (it grows with the cache) goes with a batch's
     * first chunk to each rank only: a rank scores its chunks in order */
    rank_state *rs = &b->d->ranks[r];
    int with_ref = !w->on && rs->ref_batch != b->d->batches + 1;
    bb_put_u32(&m, (uint32_t)with_ref);
    if (with_ref) {
        bb_put_u32(&m, (uint32_t)w->ref_n);
        bb_put_u32(&m, (uint32_t)dims);
        for (size_t i = 0; i < (size_t)w->ref_n * (size_t)dims; i++)
            bb_put_f64(&m, w->ref_objs[i]);
        for (int i = 0; i < w->ref_n; i++)
            bb_put_f64(&m, w->ref_ucb[i]);
    }
    for (size_t i = (size_t)from * (size_t)ng; i < (size_t)to * (size_t)ng; i++)
        bb_put_u32(&m, (uint32_t)w->genes[i]);
    fit_result none;
    memset(&none, 0, sizeof none);
    for (int i = from; i < to; i++)
        bb_put_bytes(&m, w->start ? &w->start[i] : &none, sizeof none);
    if (w->on) {
        bb_put_f64(&m, w->on->top1);
        bb_put_bytes(&m, w->on->right, (size_t)w->on->data.n);
    }
    if (m.oom) {
        free(m.p);
        return -1;
    }
    if (with_ref)
        rs->ref_batch = b->d->batches + 1;
    flight *fl = &rs->q[rs->held++];
    fl->msg = m.p;
    fl->from = from;
    fl->to = to;
    if (rs->held == 1)
        rs->heard = wallclock_seconds();
    MPI_Isend(m.p, (int)m.n, MPI_BYTE, r, TAG_WORK, MPI_COMM_WORLD, &fl->req);
    b->d->sent += to - from;
    b->d->chunks++;
    return 0;
}

/* Rows not given out yet. */
static int rows_left(const batch *b)
{
    int n = 0;
    for (int k = 0; k < world_size; k++)
        n += b->share[k].hi - b->share[k].lo;
    return n;
}

/* Gives every rank with room the next chunks: IN_FLIGHT while the batch
 * has plenty left, one at its tail (a chunk queued at a busy rank then
 * would wait while rank 0 has nothing to do). */
static int hand_out(batch *b, ax_err *err)
{
    int from, to;
    for (int r = 1; r < world_size; r++) {
        int room = rows_left(b) > world_size * b->chunk ? IN_FLIGHT : 1;
        while (b->d->ranks[r].held < room && next_chunk(b, r, &from, &to))
            if (send_chunk(b, r, from, to) != 0)
                return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    return AX_OK;
}

/* Takes one answer (from rank r, tag RESULT, already probed). */
static int take_answer(batch *b, int r, ax_err *err)
{
    unsigned char *buf;
    int len;
    MPI_Status st;
    if (receive(r, TAG_RESULT, &buf, &len, &st) != 0) {
        free(buf);
        world_broken = 1;
        return ax_fail(err, AX_EINTERNAL, "receiving from rank %d failed", r);
    }
    rank_state *rs = &b->d->ranks[r];
    flight fl = rs->q[0];
    MPI_Wait(&fl.req, MPI_STATUS_IGNORE);
    free(fl.msg);
    memmove(rs->q, rs->q + 1, (size_t)(IN_FLIGHT - 1) * sizeof *rs->q);
    rs->held--;
    rs->heard = wallclock_seconds();
    bb_reader rd = {buf, (size_t)len, 0, 0};
    int code = (int)bb_get_u32(&rd);
    char msg[sizeof err->msg];
    get_text(&rd, msg, sizeof msg);
    rs->busy += bb_get_f64(&rd);
    if (rd.short_read && code == AX_OK)
        code = AX_EINTERNAL;
    int n = fl.to - fl.from, rc = AX_OK;
    if (code != AX_OK)
        rc = code == AX_ESTOPPED ? ax_fail(err, AX_ESTOPPED, "stopped")
                                 : ax_fail(err, code, "rank %d: %s", r, msg);
    else if (rd.n - rd.pos != (size_t)n * sizeof *b->out)
        rc = ax_fail(err, AX_EINTERNAL, "rank %d sent %zu bytes of results for %d chromosomes", r, rd.n - rd.pos,
                     n);
    else
        memcpy(b->out + fl.from, rd.p + rd.pos, (size_t)n * sizeof *b->out);
    b->done += n;
    free(buf);
    return rc;
}

/* Receives every answer waiting; *got counts them. */
static int take_answers(batch *b, int *got, ax_err *err)
{
    *got = 0;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &st);
        if (!flag)
            return AX_OK;
        int rc = take_answer(b, st.MPI_SOURCE, err);
        ++*got;
        if (rc != AX_OK)
            return rc;
    }
}

/* A rank silent for longer than the time-out while it holds work. */
static int check_silence(batch *b, ax_err *err)
{
    if (b->d->timeout_s <= 0)
        return AX_OK;
    double now = wallclock_seconds();
    for (int r = 1; r < world_size; r++) {
        rank_state *rs = &b->d->ranks[r];
        if (rs->held > 0 && now - rs->heard > b->d->timeout_s) {
            world_broken = 1;
            return ax_fail(err, AX_EINTERNAL,
                           "rank %d has not answered for %.0f s (time-out %.0f s): it is hung or its node is "
                           "lost; stopping (the checkpoint of the last finished generation is intact: "
                           "resume the run)",
                           r, now - rs->heard, b->d->timeout_s);
        }
    }
    return AX_OK;
}

static int outstanding(const batch *b)
{
    int n = 0;
    for (int r = 1; r < world_size; r++)
        n += b->d->ranks[r].held;
    return n;
}

/* After a failure or a stop: the answers still owed, so no message is
 * left in flight (bounded by the time-out). */
static void drain(batch *b)
{
    ax_err ignored = {0};
    double t0 = wallclock_seconds();
    long us = 0;
    while (outstanding(b) > 0 && !world_broken) {
        int got = 0;
        take_answers(b, &got, &ignored);
        if (!got) {
            if (b->d->timeout_s > 0 && wallclock_seconds() - t0 > b->d->timeout_s)
                world_broken = 1;
            nap(&us);
        }
    }
}

/* Rank 0's own scoring, on a thread of its own so that the main thread
 * (the only one that calls MPI) keeps answering the ranks meanwhile. */
typedef struct helper {
    thrd_t thread;
    int running;
    atomic_int finished;
    const fit *f;
    const fit_work *w;
    int from, to;
    fit_result *out;
    double seconds;
    int rc;
    ax_err err;
} helper;

static int helper_main(void *arg)
{
    helper *h = arg;
    double t0 = wallclock_seconds();
    h->rc = fit_work_score(h->f, h->w, h->from, h->to, h->out, &h->err);
    h->seconds = wallclock_seconds() - t0;
    atomic_store(&h->finished, 1);
    return 0;
}

static int helper_start(helper *h, batch *b, int from, int to)
{
    h->f = b->f;
    h->w = b->w;
    h->from = from;
    h->to = to;
    h->out = b->out;
    h->rc = AX_OK;
    atomic_store(&h->finished, 0);
    h->running = thrd_create(&h->thread, helper_main, h) == thrd_success;
    return h->running ? 0 : -1;
}

/* Joins a running helper (waiting for it); its rows count as done. */
static int helper_join(helper *h, batch *b, ax_err *err)
{
    thrd_join(h->thread, NULL);
    h->running = 0;
    b->done += h->to - h->from;
    b->d->ranks[0].busy += h->seconds;
    if (h->rc != AX_OK && err)
        *err = h->err;
    return h->rc;
}

/* One round of rank 0's loop: feed the ranks, take their answers, join
 * or start its own chunk. *idle: nothing happened. */
static int batch_round(batch *b, helper *h, int *idle, ax_err *err)
{
    double c0 = wallclock_seconds();
    const volatile sig_atomic_t *stop = b->d->e->stop;
    int got = 0, rc = stop && *stop ? ax_fail(err, AX_ESTOPPED, "stopped") : hand_out(b, err);
    if (rc == AX_OK)
        rc = take_answers(b, &got, err);
    if (rc == AX_OK)
        rc = check_silence(b, err);
    b->d->comm_s += wallclock_seconds() - c0;
    *idle = !got;
    if (rc == AX_OK && h->running && atomic_load(&h->finished)) {
        rc = helper_join(h, b, err);
        *idle = 0;
    }
    int from, to;
    if (rc == AX_OK && !h->running && next_chunk(b, 0, &from, &to)) {
        if (helper_start(h, b, from, to) != 0)
            rc = ax_fail(err, AX_EINTERNAL, "cannot start a thread");
        *idle = 0;
    }
    return rc;
}

/* The executor of a fit on rank 0 (fitness/fit.h fit_executor): the
 * rows go out in chunks to the ranks as they have room (IN_FLIGHT), and
 * rank 0 scores chunks of its own share on a helper thread meanwhile. */
static int execute(void *ctx, const fit *f, const fit_work *w, fit_result *out, ax_err *err)
{
    dist *d = ctx;
    run_env *e = d->e;
    batch b = {d, f, w, out, f == e->fit ? ROLE_MAIN : ROLE_PLAIN, ON_SEARCH, 0, 1, NULL};
    if (w->on)
        b.on = w->on == &e->confirm_ref ? ON_CONFIRM : w->on == &e->test_ref ? ON_TEST : -1;
    if (b.on < 0)
        return ax_fail(err, AX_EINTERNAL, "dist: work on images the serving ranks do not hold");
    b.share = malloc((size_t)world_size * sizeof *b.share);
    if (!b.share)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    for (int r = 0; r < world_size; r++)
        b.share[r] = (struct share){(int)((long)w->n * r / world_size), (int)((long)w->n * (r + 1) / world_size)};
    /* a chunk per thread of a rank, fewer when the batch is small, so
     * every rank gets some */
    int per_rank = (w->n + world_size - 1) / world_size;
    b.chunk = per_rank < d->threads ? (per_rank > 0 ? per_rank : 1) : d->threads;
    double t0 = wallclock_seconds();
    helper h = {.running = 0};
    int rc = AX_OK;
    long us = 0;
    while (rc == AX_OK && b.done < w->n) {
        int idle;
        rc = batch_round(&b, &h, &idle, err);
        if (rc == AX_OK && idle)
            nap(&us);
        else
            us = 0;
    }
    if (h.running) /* after a failure: it stops soon (stop flag) or ends its chunk */
        helper_join(&h, &b, NULL);
    if (rc != AX_OK)
        drain(&b);
    free(b.share);
    d->batches++;
    d->batch_s += wallclock_seconds() - t0;
    return rc;
}

/* Sends e's configuration to every rank and waits until each is ready. */
static int configure_ranks(dist *d, ax_err *err)
{
    for (int r = 1; r < world_size; r++)
        MPI_Send(&d->e->cfg, (int)sizeof d->e->cfg, MPI_BYTE, r, TAG_CONFIG, MPI_COMM_WORLD);
    int rc = AX_OK;
    double t0 = wallclock_seconds();
    for (int r = 1; r < world_size; r++) {
        unsigned char *buf;
        int len;
        MPI_Status st;
        /* building takes a rank about what it took rank 0; one that
         * takes longer than the time-out is stuck (a file system, swap) */
        long us = 0;
        for (int flag = 0; !flag;) {
            MPI_Iprobe(r, TAG_READY, MPI_COMM_WORLD, &flag, &st);
            if (!flag && d->timeout_s > 0 && wallclock_seconds() - t0 > d->timeout_s) {
                world_broken = 1;
                return ax_fail(err, AX_EINTERNAL,
                               "rank %d has not built the run in %.0f s (time-out): it is hung or its node is lost",
                               r, d->timeout_s);
            }
            if (!flag)
                nap(&us);
        }
        if (receive(r, TAG_READY, &buf, &len, &st) != 0) {
            free(buf);
            world_broken = 1;
            return ax_fail(err, AX_EINTERNAL, "receiving from rank %d failed", r);
        }
        bb_reader rd = {buf, (size_t)len, 0, 0};
        int code = (int)bb_get_u32(&rd);
        char msg[sizeof err->msg];
        get_text(&rd, msg, sizeof msg);
        if (rd.short_read && code == AX_OK)
            code = AX_EINTERNAL;
        if (code != AX_OK && rc == AX_OK)
            rc = ax_fail(err, code, "rank %d could not build the run: %s", r, msg);
        free(buf);
    }
    return rc;
}

int dist_attach(run_env *e, double timeout_s, dist **out, ax_err *err)
{
    *out = NULL;
    if (world_size < 2)
        return AX_OK;
    dist *d = calloc(1, sizeof *d);
    if (d)
        d->ranks = calloc((size_t)world_size, sizeof *d->ranks);
    if (!d || !d->ranks) {
        dist_free(d);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    d->e = e;
    d->timeout_s = timeout_s;
    d->threads = e->cfg.threads > 0 ? (int)e->cfg.threads : 1;
#ifdef _OPENMP
    if (e->cfg.threads <= 0)
        d->threads = omp_get_max_threads();
#endif
    int rc = configure_ranks(d, err);
    if (rc != AX_OK) {
        dist_free(d);
        return rc;
    }
    d->since = wallclock_seconds();
    fit_set_executor(e->fit, execute, d);
    *out = d;
    return AX_OK;
}

void dist_attach_plain(dist *d, fit *plain)
{
    if (d && plain)
        fit_set_executor(plain, execute, d);
}

void dist_free(dist *d)
{
    if (!d)
        return;
    free(d->ranks);
    free(d);
}

void dist_busy_text(dist *d, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!d || cap == 0)
        return;
    double now = wallclock_seconds(), span = now - d->since;
    size_t k = (size_t)snprintf(buf, cap, "ranks busy");
    for (int r = 0; r < world_size && k < cap; r++) {
        double pct = span > 0 ? 100.0 * d->ranks[r].busy / span : 0;
        k += (size_t)snprintf(buf + k, cap - k, "%s%.0f", r ? "/" : " ", pct > 100 ? 100 : pct);
        d->ranks[r].busy = 0;
    }
    if (k < cap)
        snprintf(buf + k, cap - k, " %%");
    d->since = now;
}

void dist_summary_text(const dist *d, char *buf, size_t cap)
{
    if (!d) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    snprintf(buf, cap,
             "%d ranks x %d threads: %ld batches in %.1f s, %ld chromosomes in %ld chunks scored by ranks 1-%d; "
             "rank 0 communicating %.3f s (%.2f %%, %.3f ms per chunk)",
             world_size, d->threads, d->batches, d->batch_s, d->sent, d->chunks, world_size - 1, d->comm_s,
             d->batch_s > 0 ? 100.0 * d->comm_s / d->batch_s : 0.0,
             d->chunks > 0 ? 1e3 * d->comm_s / (double)d->chunks : 0.0);
}

#else /* one process */

int dist_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}
int dist_rank(void) { return 0; }
int dist_size(void) { return 1; }
int dist_built(void) { return 0; }
void dist_set_served(int served) { (void)served; }
int dist_end(int status) { return status; }
int dist_serve(void) { return 0; }

int dist_attach(run_env *e, double timeout_s, dist **out, ax_err *err)
{
    (void)e;
    (void)timeout_s;
    (void)err;
    *out = NULL;
    return AX_OK;
}
void dist_attach_plain(dist *d, fit *plain)
{
    (void)d;
    (void)plain;
}
void dist_free(dist *d) { (void)d; }
void dist_busy_text(dist *d, char *buf, size_t cap)
{
    (void)d;
    if (cap)
        buf[0] = '\0';
}
void dist_summary_text(const dist *d, char *buf, size_t cap)
{
    (void)d;
    if (cap)
        buf[0] = '\0';
}

#endif
