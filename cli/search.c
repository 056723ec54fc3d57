#include "cli/search.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/baselines.h"
#include "cli/dist.h"
#include "cli/results.h"
#include "ga/pareto.h"
#include "util/fileio.h"
#include "util/wallclock.h"

static volatile sig_atomic_t *signal_flag;

static void on_signal(int sig)
{
    if (signal_flag && *signal_flag) /* second signal: give up at once */
        _exit(128 + sig);
    if (signal_flag)
        *signal_flag = 1;
}

void search_catch_signals(volatile sig_atomic_t *flag)
{
    signal_flag = flag;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* "<name>.tmp.<pid>": the temporary of an atomic write (util/fileio.h). */
static int is_stale_temporary(const char *name)
{
    const char *t = strstr(name, ".tmp.");
    return t && t != name && t[5] && strspn(t + 5, "0123456789") == strlen(t + 5);
}

int search_make_folder(const char *dir, ax_err *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return ax_fail(err, AX_EINPUT, "%s: exists and is not a folder", dir);
        DIR *d = opendir(dir);
        if (!d)
            return ax_fail(err, AX_EINPUT, "%s: cannot open: %s", dir, strerror(errno));
        struct dirent *ent;
        int empty = 1;
        /* A search killed while writing its config.ini leaves only a
         * temporary: the folder is as good as empty (search_open_log
         * removes it). */
        while ((ent = readdir(d)))
            if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..") && !is_stale_temporary(ent->d_name))
                empty = 0;
        closedir(d);
        if (!empty)
            return ax_fail(err, AX_EINPUT, "%s: not empty (continue a run with: axsearch resume %s)", dir, dir);
        if (access(dir, W_OK) != 0)
            return ax_fail(err, AX_EINPUT, "%s: not writable", dir);
        return AX_OK;
    }
    if (mkdir(dir, 0777) != 0)
        return ax_fail(err, AX_EINPUT, "%s: cannot create the run folder: %s", dir, strerror(errno));
    return AX_OK;
}

/* Removes "<name>.tmp.<pid>" files that a killed process left in dir: the
 * atomic writes' temporaries, never read. Called with the folder locked. */
static void remove_stale_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (!is_stale_temporary(ent->d_name))
            continue;
        char path[SCFG_PATH + 300];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        unlink(path);
    }
    closedir(d);
}

int search_open_log(run_env *e, const char *dir, ax_err *err)
{
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, dir, "log.txt");
    e->log = fopen(path, "a");
    if (!e->log)
        return ax_fail(err, AX_EINPUT, "%s: cannot write: %s", path, strerror(errno));
    /* The log's lock marks the folder as in use: two processes writing one
     * run folder would interleave its files. The kernel drops the lock when
     * the process ends, however it ends (SIGKILL included). */
    if (flock(fileno(e->log), LOCK_EX | LOCK_NB) == 0) {
        remove_stale_temporaries(dir);
    } else if (errno == EWOULDBLOCK) {
        fclose(e->log);
        e->log = NULL;
        return ax_fail(err, AX_EINPUT, "%s: in use by another axsearch process", dir);
    } /* else a file system without locks: run unguarded */
    return AX_OK;
}

/* ---- the generation loop ------------------------------------------------ */

typedef struct search_ctx {
    run_env *e;
    const char *dir;
    run_state state;
    double t_start;
    /* seconds in fit_batch (scoring, with its cache look-ups) and at the
     * last generation's end, this process: the rest of the generations'
     * time is the search's own (variation, sorting, checkpoints, files) */
    double scoring_s, t_last_gen;
    long gen_start; /* generation when this process started */
    int tty;
    fit_result *res;
    int cap;
} search_ctx;

static int eval_batch(void *user, int count, const int32_t *ints, const double *reals, double *objs,
                      double *cons, ax_err *err)
{
    (void)reals;
    search_ctx *s = user;
    if (count > s->cap) {
        free(s->res);
        s->res = malloc((size_t)count * sizeof *s->res);
        s->cap = s->res ? count : 0;
        if (!s->res)
            return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    long hits = 0;
    double t0 = wallclock_seconds();
    int rc = fit_batch(s->e->fit, count, ints, s->res, &hits, err);
    s->scoring_s += wallclock_seconds() - t0;
    if (rc != AX_OK)
        return rc;
    s->state.hits += hits;
    int m = fit_n_objectives(s->e->fit);
    for (int i = 0; i < count; i++)
        fit_objectives(s->e->fit, &s->res[i], objs + (size_t)i * m, cons + i);
    return AX_OK;
}

static int save_checkpoint(nsga *ga, search_ctx *s, ax_err *err)
{
    unsigned char *blob;
    size_t len;
    if (run_state_save(&s->state, s->e->fit, &blob, &len) != 0)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    char path[SCFG_PATH + 32];
    fio_join(path, sizeof path, s->dir, "checkpoint.bin");
    int rc = nsga_save(ga, path, blob, len, err);
    free(blob);
    return rc;
}

static void progress_bar(long gen, long total)
{
    int width = 40, done = total > 0 ? (int)(width * gen / total) : 0;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < done ? '#' : '.';
    bar[width] = '\0';
    printf("[%s] %ld/%ld\r", bar, gen, total);
    fflush(stdout);
}

static int hook(nsga *ga, void *user, ax_err *err)
{
    search_ctx *s = user;
    run_env *e = s->e;
    nsga_view v = nsga_population(ga);
    run_history_row row = {nsga_generation(ga), nsga_evaluations(ga), s->state.hits, 0, 0, INFINITY};
    for (int r = 0; r < v.size; r++)
        if (v.viol[r] <= 0) {
            row.feasible++;
            if (v.objs[(size_t)r * v.n_obj] < row.best_energy_uj)
                row.best_energy_uj = v.objs[(size_t)r * v.n_obj];
        }
    row.hv = results_hypervolume(e, v.objs, v.viol, v.size, v.n_obj);
    if (!isfinite(row.best_energy_uj))
        row.best_energy_uj = 0;
    if (run_state_push(&s->state, &row) != 0)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    int rc = save_checkpoint(ga, s, err);
    if (rc == AX_OK)
        rc = results_write_history(s->dir, &s->state, err);
    if (rc != AX_OK)
        return rc;
    s->t_last_gen = wallclock_seconds();
    double elapsed = s->t_last_gen - s->t_start;
    long total = e->cfg.generations, done_here = row.gen - s->gen_start;
    double eta = done_here > 0 ? elapsed / done_here * (double)(total - row.gen) : 0;
    double exact_uj = fit_exact_energy_pj(e->fit) * 1e-6, macs, skipped;
    fit_mac_stats(e->fit, &macs, &skipped);
    char busy[160]; /* the MPI ranks' share of the generation spent scoring */
    dist_busy_text(e->dist, busy, sizeof busy);
    if (s->tty)
        printf("\r\033[K");
    run_env_say(e,
            "gen %3ld/%ld  evals %6ld  cache_hits %5ld  prefix_reuse %4.1f %%  feasible %3ld/%d  hv %.5f  "
            "best %.5f uJ (%+.1f %%)  elapsed %.0f s  eta %.0f s%s%s\n",
            row.gen, total, row.evals, row.hits, macs > 0 ? 100.0 * skipped / macs : 0.0, row.feasible, v.size,
            row.hv, row.best_energy_uj, row.best_energy_uj > 0 ? 100.0 * (row.best_energy_uj / exact_uj - 1.0) : 0.0,
            elapsed, eta, busy[0] ? "  " : "", busy);
    if (s->tty && row.gen < total)
        progress_bar(row.gen, total);
    return AX_OK;
}

static void search_problem(run_env *e, search_ctx *s, int32_t *card, nsga_problem *p)
{
    memset(p, 0, sizeof *p);
    fit_cardinalities(e->fit, card);
    p->n_int = fit_n_genes(e->fit);
    p->int_card = card;
    p->n_obj = fit_n_objectives(e->fit);
    p->n_con = 1;
    p->eval_batch = eval_batch;
    p->user = s;
}

static int finish(run_env *e, const char *dir, nsga *ga, search_ctx *s, ax_err *err)
{
    nsga_view v = nsga_population(ga);
    results_savings front_test = {0, 0, 0};
    int rc = results_write_evaluations(e, dir, err);
    if (rc == AX_OK)
        rc = results_write_history(dir, &s->state, err);
    if (rc == AX_OK)
        rc = results_write_front(e, dir, &v, &front_test, err);
    double hv = s->state.n_rows ? s->state.rows[s->state.n_rows - 1].hv : 0;
    size_t distinct = fit_n_evaluated(e->fit);
    double gens_s = s->t_last_gen > s->t_start ? s->t_last_gen - s->t_start : 0;
    if (rc == AX_OK)
        run_env_say(e,
                    "search: %ld generations, %ld evaluations (%zu distinct) in %.1f s, hypervolume %.5f; "
                    "the search's own work (variation, sorting, checkpoints, files) %.2f %% of the "
                    "generations' %.1f s\n",
                    nsga_generation(ga), nsga_evaluations(ga), distinct, wallclock_seconds() - s->t_start, hv,
                    gens_s > 0 ? 100.0 * (gens_s - s->scoring_s) / gens_s : 0.0, gens_s);
    if (rc == AX_OK && e->cfg.baselines)
        rc = bl_run(e, dir, (long)distinct, hv, &front_test, err);
    char ranks[320];
    dist_summary_text(e->dist, ranks, sizeof ranks);
    if (rc == AX_OK && ranks[0])
        run_env_say(e, "distributed: %s\n", ranks);
    if (rc == AX_OK)
        run_env_say(e, "done: files in %s\n", dir);
    return rc;
}

/* Whether dir holds any file a search writes after its first generation;
 * without a checkpoint such a folder cannot be continued. */
static int run_has_results(const char *dir)
{
    static const char *const files[] = {"history.tsv", "evaluations.tsv", "front.tsv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[SCFG_PATH + 32];
        fio_join(path, sizeof path, dir, files[i]);
        if (access(path, F_OK) == 0)
            return 1;
    }
    return 0;
}

/* Whether every genome of ga's population has a result in the cache, as
 * in any checkpoint this program writes. */
static int population_known(const run_env *e, const nsga *ga)
{
    nsga_view v = nsga_population(ga);
    for (int r = 0; r < v.size; r++)
        if (fit_find(e->fit, v.ints + (size_t)r * v.n_int) < 0)
            return 0;
    return 1;
}

/* The keys a resume may change without being told: the budget and the
 * machine, none of which changes a single score. */
static const char resume_free_keys[] =
    "search.generations, search.threads, search.time_limit, search.baselines, search.prefix_cache_mb, "
    "search.memory_mb";

/* Cuts a record (run_env_record) after its configuration: returns its
 * inputs.* lines ("" when it has none: checkpoints written before they
 * were recorded) and ends the text before them. */
static char *split_inputs(char *record)
{
    /* A record that begins with inputs. (damaged or forged) keeps them in
     * its configuration part, where they count as changed keys. */
    char *in = strstr(record, "\ninputs.");
    if (!in)
        return record + strlen(record);
    *in = '\0';
    return in + 1;
}

/* The files config.ini names, by content: a changed one is refused like a
 * changed key, unless --allow-change names it (inputs.model, ...). */
static int check_resumed_inputs(run_env *e, const char *ck, char *then, char *now, const char *allow_change,
                                ax_err *err)
{
    if (!*then) {
        run_env_say(e, "resume: %s predates recorded input files; the model, data, chip and library files are "
                       "not checked\n", ck);
        return AX_OK;
    }
    char changed[256], extra[256];
    int n_changed = scfg_changed_keys(then, now, allow_change ? allow_change : "", changed, sizeof changed);
    int n_extra = scfg_changed_keys(then, now, "", extra, sizeof extra);
    if (n_changed > 0)
        return ax_fail(err, AX_EINPUT, "%s: %d input file%s changed since the run began, by content (%s: the "
                       "files config.ini names); restore %s, or continue with the new files by --allow-change "
                       "KEYS (the run then equals no uninterrupted run)", ck, n_changed, n_changed > 1 ? "s" : "",
                       changed, n_changed > 1 ? "them" : "it");
    if (n_extra > 0)
        run_env_say(e, "resume: continuing with changed input files, as allowed: %s\n", extra);
    return AX_OK;
}

/* Refuses to continue a run whose configuration differs from the one its
 * checkpoint (ck) recorded, but for the free keys and those allowed,
 * naming the keys; then the same for the files it names. Read before the
 * checkpoint is loaded, since a changed population or gene set makes
 * nsga_load refuse it without naming a key. */
static int check_resumed_config(run_env *e, const char *ck, const char *allow_change, ax_err *err)
{
    void *blob;
    size_t len;
    char *then = NULL;
    int rc = nsga_read_blob(ck, &blob, &len, err);
    if (rc == AX_OK)
        rc = run_state_config(blob, len, ck, &then, err);
    free(blob);
    if (rc != AX_OK)
        return rc;
    char *now = run_env_record(e);
    if (!now) {
        free(then);
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    if (!then) {
        run_env_say(e, "resume: %s predates recorded configurations; config.ini is not checked\n", ck);
    } else {
        char *then_in = split_inputs(then), *now_in = split_inputs(now);
        char allowed[sizeof resume_free_keys + 1024], changed[512], extra[512];
        snprintf(allowed, sizeof allowed, "%s, %s", resume_free_keys, allow_change ? allow_change : "");
        int n_changed = scfg_changed_keys(then, now, allowed, changed, sizeof changed);
        int n_extra = scfg_changed_keys(then, now, resume_free_keys, extra, sizeof extra);
        if (n_changed > 0)
            rc = ax_fail(err, AX_EINPUT, "%s: %d key%s of config.ini changed since the run began (%s); restore %s, "
                         "or continue with the new values by --allow-change KEYS (the run then equals no "
                         "uninterrupted run)", ck, n_changed, n_changed > 1 ? "s" : "", changed,
                         n_changed > 1 ? "them" : "it");
        else if (n_extra > 0)
            run_env_say(e, "resume: continuing with changed keys, as allowed: %s\n", extra);
        if (rc == AX_OK)
            rc = check_resumed_inputs(e, ck, then_in, now_in, allow_change, err);
    }
    free(then);
    free(now);
    return rc;
}

int search_run(run_env *e, const char *dir, int resume, const char *allow_change, ax_err *err)
{
    search_ctx s = {.e = e, .dir = dir, .t_start = wallclock_seconds(), .tty = isatty(STDOUT_FILENO)};
    int32_t *card = malloc((size_t)fit_n_genes(e->fit) * sizeof *card);
    if (!card)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    nsga_problem p;
    search_problem(e, &s, card, &p);
    nsga_config c;
    run_env_nsga_config(e, &c);
    c.hook = hook;
    c.hook_user = &s;
    char ck[SCFG_PATH + 32];
    fio_join(ck, sizeof ck, dir, "checkpoint.bin");
    nsga *ga = NULL;
    int rc = AX_OK;
    if (resume && access(ck, F_OK) == 0) {
        rc = check_resumed_config(e, ck, allow_change, err);
        if (rc == AX_OK && !(ga = nsga_load(ck, &p, &c, err)))
            rc = err->code;
        size_t len = 0;
        const void *blob = ga ? nsga_blob(ga, &len) : NULL;
        if (rc == AX_OK)
            rc = run_state_load(&s.state, e->fit, blob, len, ck, err);
        /* from now on the checkpoints record the configuration continued under */
        free(s.state.config);
        s.state.config = rc == AX_OK ? run_env_record(e) : NULL;
        if (rc == AX_OK && !s.state.config)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        if (rc == AX_OK && !population_known(e, ga))
            rc = ax_fail(err, AX_EINPUT, "%s: its population and its evaluations disagree (edited or written by "
                                         "another version?)", ck);
        if (rc == AX_OK && c.max_generations > 0 && nsga_generation(ga) > c.max_generations)
            rc = ax_fail(err, AX_EINPUT, "%s: %ld generations are done already; --gens %ld would undo them", dir,
                         nsga_generation(ga), c.max_generations);
        if (rc == AX_OK) {
            s.gen_start = nsga_generation(ga);
            run_env_say(e, "resuming %s at generation %ld (%zu evaluations known)\n", dir, s.gen_start,
                    fit_n_evaluated(e->fit));
        }
    } else if (resume && run_has_results(dir)) {
        rc = ax_fail(err, AX_EINPUT, "%s: missing, yet the folder holds results: nothing to resume from (start a new "
                                     "run in another folder)", ck);
    } else {
        ga = nsga_create(&p, &c, err);
        if (!ga)
            rc = err->code;
        s.state.config = run_env_record(e);
        if (rc == AX_OK && !s.state.config)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        int32_t *exact = malloc((size_t)p.n_int * sizeof *exact);
        if (rc == AX_OK && !exact)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
        if (rc == AX_OK) {
            /* The exact design is in the first population: a feasible
             * point from the start. */
            fit_exact_genes(e->fit, exact);
            rc = nsga_add_initial(ga, 1, exact, NULL, err);
        }
        free(exact);
        if (rc == AX_OK) {
            int L = qnet_n_layers(e->q);
            run_env_say(e, "search: %d layers, %d multipliers, %d/%d/%d voltage levels, %d genes; population %d, "
                       "%ld generations; exact design: top-1 %.4f, %.5f uJ\n",
                    L, e->n_mults, e->cfg.n_swing, e->cfg.n_vin, e->cfg.n_vw, p.n_int, c.pop_size,
                    c.max_generations, fit_baseline_top1(e->fit), fit_exact_energy_pj(e->fit) * 1e-6);
            if (e->recovery)
                run_env_say(e, "recovery: %s%s%s, fixes of %d layers x %d multipliers made in %.2f s\n",
                            e->cfg.rec_tune ? "weight tuning" : "",
                            e->cfg.rec_tune && e->cfg.rec_compensate ? " and " : "",
                            e->cfg.rec_compensate ? "bias compensation" : "", L, e->n_mults, e->recovery_setup_s);
        }
    }
    if (rc == AX_OK)
        rc = nsga_run(ga, err);
    if (s.tty)
        printf("\r\033[K");
    if (rc == AX_ESTOPPED) {
        /* The last generation's checkpoint is on disk; write it again in
         * case the stop came before the first one. */
        if (nsga_generation(ga) > 0) {
            ax_err e2 = {0};
            save_checkpoint(ga, &s, &e2);
        }
        run_env_say(e, "stopped after generation %ld; continue with: axsearch resume %s\n", nsga_generation(ga), dir);
        err->code = AX_ESTOPPED;
    } else if (rc == AX_OK) {
        rc = finish(e, dir, ga, &s, err);
    }
    nsga_free(ga);
    run_state_free(&s.state);
    free(s.res);
    free(card);
    return rc;
}

/* Chromosomes in the search space: the product of the genes'
 * cardinalities, given in card [n_genes]. */
static double space_size(const run_env *e, const int32_t *card)
{
    double total = 1;
    for (int k = 0; k < fit_n_genes(e->fit); k++)
        total *= card[k];
    return total;
}

int search_exhaustive_fits(const run_env *e, double max_points, ax_err *err)
{
    int32_t *card = malloc((size_t)fit_n_genes(e->fit) * sizeof *card);
    if (!card)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    fit_cardinalities(e->fit, card);
    double total = space_size(e, card);
    free(card);
    if (total > max_points)
        return ax_fail(err, AX_EINPUT, "--exhaustive: the space holds %.3g chromosomes, more than %.3g", total,
                       max_points);
    return AX_OK;
}

int search_exhaustive(run_env *e, const char *dir, double max_points, ax_err *err)
{
    int rc = search_exhaustive_fits(e, max_points, err);
    if (rc != AX_OK)
        return rc;
    int ng = fit_n_genes(e->fit);
    int32_t *card = malloc((size_t)ng * sizeof *card);
    if (!card)
        return ax_fail(err, AX_EINTERNAL, "out of memory");
    fit_cardinalities(e->fit, card);
    double total = space_size(e, card);
    run_env_say(e, "exhaustive: %.0f chromosomes\n", total);
    enum { CHUNK = 256 };
    int32_t *g = malloc((size_t)CHUNK * ng * sizeof *g);
    fit_result *res = malloc(CHUNK * sizeof *res);
    int32_t *odo = calloc((size_t)ng, sizeof *odo);
    rc = g && res && odo ? AX_OK : ax_fail(err, AX_EINTERNAL, "out of memory");
    long done = 0;
    for (int more = 1; rc == AX_OK && more;) {
        int n = 0;
        while (n < CHUNK && more) {
            memcpy(g + (size_t)n * ng, odo, (size_t)ng * sizeof *odo);
            n++;
            int k = ng - 1;
            while (k >= 0 && ++odo[k] == card[k])
                odo[k--] = 0;
            more = k >= 0;
        }
        rc = fit_batch(e->fit, n, g, res, NULL, err);
        done += n;
        if (rc == AX_OK)
            run_env_say(e, "exhaustive: %ld/%.0f\n", done, total);
    }
    free(g);
    free(res);
    free(odo);
    /* The true front: every evaluation, ranked. */
    size_t n = fit_n_evaluated(e->fit);
    int m = fit_n_objectives(e->fit);
    nsga_view v = {0};
    double *objs = NULL, *viol = NULL;
    int *rank = NULL;
    int32_t *ints = NULL;
    if (rc == AX_OK) {
        objs = malloc(n * (size_t)m * sizeof *objs);
        viol = malloc(n * sizeof *viol);
        rank = malloc(n * sizeof *rank);
        ints = malloc(n * (size_t)ng * sizeof *ints);
        if (!objs || !viol || !rank || !ints)
            rc = ax_fail(err, AX_EINTERNAL, "out of memory");
    }
    if (rc == AX_OK) {
        for (size_t i = 0; i < n; i++) {
            double con;
            fit_objectives(e->fit, fit_evaluated_result(e->fit, i), objs + i * (size_t)m, &con);
            viol[i] = con < 0 ? -con : 0;
            memcpy(ints + i * (size_t)ng, fit_evaluated_genes(e->fit, i), (size_t)ng * sizeof *ints);
        }
        pareto_rank(objs, viol, (int)n, m, rank);
        v.size = (int)n;
        v.n_int = ng;
        v.n_obj = m;
        v.n_con = 1;
        v.ints = ints;
        v.objs = objs;
        v.viol = viol;
        v.rank = rank;
        double hv = results_hypervolume(e, objs, viol, (int)n, m);
        run_env_say(e, "exhaustive: true front hypervolume %.6f\n", hv);
        rc = results_write_evaluations(e, dir, err);
        if (rc == AX_OK)
            rc = results_write_front(e, dir, &v, NULL, err);
        if (rc == AX_OK) {
            char path[SCFG_PATH + 32];
            fio_join(path, sizeof path, dir, "summary.tsv");
            char text[256];
            int len = snprintf(text, sizeof text, "approach\tevaluations\thv\nexhaustive\t%zu\t%.6f\n", n, hv);
            rc = fio_write_atomic(path, text, (size_t)len, err);
        }
    }
    free(objs);
    free(viol);
    free(rank);
    free(ints);
    free(card);
    return rc;
}

/* ---- command-line overrides ------------------------------------------ */

int search_parse_overrides(int argc, char **argv, const char *cmd, const char **out, overrides *o,
                           int *exhaustive)
{
    memset(o, 0, sizeof *o);
    o->gens = o->pop = o->threads = o->reps = o->val = o->test = -1;
    o->time_limit = -1;
    o->rank_timeout = -1;
    int defaults = 0, refused = 0; /* refused: --exhaustive where it is not an option */
    const args_opt opts[] = {
        {.name = "out", .kind = ARGS_STRING, .dst = out},
        {.name = "gens", .kind = ARGS_LONG, .dst = &o->gens, .lo = 1, .hi = 1000000},
        {.name = "pop", .kind = ARGS_LONG, .dst = &o->pop, .lo = 4, .hi = 100000},
        {.name = "seed", .kind = ARGS_U64, .dst = &o->seed, .seen = &o->seed_given},
        {.name = "threads", .kind = ARGS_LONG, .dst = &o->threads, .lo = 0, .hi = 4096},
        {.name = "reps", .kind = ARGS_LONG, .dst = &o->reps, .lo = 1, .hi = 10000},
        {.name = "time-limit", .kind = ARGS_DOUBLE, .dst = &o->time_limit, .lo = 0, .hi = 1e9},
        {.name = "val-images", .kind = ARGS_LONG, .dst = &o->val, .lo = 1, .hi = 1000000},
        {.name = "test-images", .kind = ARGS_LONG, .dst = &o->test, .lo = 1, .hi = 10000000},
        {.name = "no-baselines", .kind = ARGS_FLAG, .dst = &o->no_baselines},
        {.name = "rank-timeout", .kind = ARGS_DOUBLE, .dst = &o->rank_timeout, .lo = 0, .hi = 1e9},
        {.name = "allow-change", .kind = ARGS_STRING, .dst = &o->allow_change},
        {.name = "exhaustive", .kind = exhaustive ? ARGS_FLAG : ARGS_STOP,
         .dst = exhaustive ? exhaustive : &refused},
        {.name = "defaults", .kind = ARGS_STOP, .dst = &defaults},
    };
    /* No usage: each command prints its own, after --help and bad options. */
    const args_spec s = {.cmd = cmd, .opts = opts, .n_opts = sizeof opts / sizeof opts[0], .dash_h = 1};
    int first = args_parse(&s, argc, argv);
    if (first == ARGS_HELP)
        return -3;
    if (first == ARGS_STOPPED && defaults) {
        scfg_print_defaults();
        return -2;
    }
    if (first == ARGS_STOPPED)
        fprintf(stderr, "axsearch %s: --exhaustive is not an option here\n", cmd);
    return first < 0 ? -1 : first;
}

int search_distribute(run_env *e, const overrides *o, ax_err *err)
{
    double timeout = o->rank_timeout >= 0 ? o->rank_timeout : SEARCH_RANK_TIMEOUT;
    int rc = dist_attach(e, timeout, &e->dist, err);
    if (rc == AX_OK && e->dist)
        run_env_say(e, "distributed: %d MPI ranks, each with %ld threads (0: all), time-out %.0f s\n", dist_size(),
                    e->cfg.threads, timeout);
    return rc;
}

int search_apply_overrides(scfg *c, const overrides *o, const char *path, ax_err *err)
{
    /* A bad value may come from the command line, not the file: say so. */
    int given = o->gens > 0 || o->pop > 0 || o->reps > 0 || o->val > 0 || o->test > 0 || o->time_limit >= 0 ||
                o->seed_given;
    char name[SCFG_PATH + 64];
    snprintf(name, sizeof name, "%s%s", path, given ? " with the command-line options" : "");
    if (o->gens > 0)
        c->generations = o->gens;
    if (o->pop > 0)
        c->population = o->pop;
    if (o->threads >= 0)
        c->threads = o->threads;
    if (o->reps > 0)
        c->reps = o->reps;
    if (o->val > 0)
        c->val_images = o->val;
    if (o->test > 0)
        c->test_images = o->test;
    if (o->time_limit >= 0)
        c->time_limit = o->time_limit;
    if (o->seed_given)
        c->seed = o->seed;
    if (o->no_baselines)
        c->baselines = 0;
    return scfg_check(c, name, err);
}

