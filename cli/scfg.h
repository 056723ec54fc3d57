/* scfg: the configuration of a search, read from an INI file (libinih).
 *
 * Every key has a default and a one-line description in one table
 * (cli/scfg.c), which also writes the resolved configuration of a run and
 * prints the documented defaults (axsearch search --defaults). Unknown
 * sections or keys, repeated keys and bad values are errors naming the file
 * and line. Relative paths are taken relative to the file's folder and
 * resolved to absolute paths, so a run folder's config.ini works from
 * anywhere. */
#ifndef AX_CLI_SCFG_H
#define AX_CLI_SCFG_H

#include <stddef.h>

#include "fitness/net/dataset.h"
#include "util/err.h"

#define SCFG_PATH 1024
#define SCFG_MAX_LEVELS 16

typedef struct scfg {
    /* [model] */
    char onnx[SCFG_PATH];
    char data[SCFG_PATH];
    char data_format[16];             /* auto|idx|npy|cifar10|cifar100|folder */
    char search_range[48], test_range[48]; /* "FROM:TO" or "" (the default splits) */
    long image_resize;                /* image folders: shorter side before the crop; 0: 8/7 of the input */
    char input_mean[512], input_std[512]; /* "" = the model's metadata; else one value or one per channel */
    long calib_images, val_images, confirm_images, test_images;
    /* [library] */
    char families[512]; /* "all" or a comma list */
    char include[1024]; /* "" or a comma list of names: exactly these (and the reference) */
    char import[SCFG_PATH]; /* "" = none */
    double max_power_rel;
    /* [knobs] volts, strictly decreasing; [0] should be the nominal value */
    int n_swing, n_vin, n_vw;
    double noc_swing[SCFG_MAX_LEVELS], sram_v_input[SCFG_MAX_LEVELS], sram_v_weight[SCFG_MAX_LEVELS];
    long noc_bits;
    int per_layer; /* each layer picks its own levels */
    unsigned long long fault_seed; /* seed of the bit-error draws */
    /* [bank] */
    long arrays; /* 0: a multiplier per layer; K: K arrays, layers routed */
    /* [recovery] (fitness/emu/recover.h) */
    int rec_tune, rec_compensate;
    long rec_radius; /* tuning candidates within +-radius codes; 255: any */
    /* [objectives] */
    double max_drop; /* percentage points of top-1 */
    double confidence; /* of the one-sided bound on the drop */
    int obj_area, obj_latency;
    /* [search] */
    long population, generations, reps, threads;
    unsigned long long seed;
    double time_limit; /* seconds, 0 = none */
    char crossover[16]; /* uniform | two_point */
    char mutation[16];  /* step | reset */
    double mutation_prob; /* per gene; 0 = 1/genes */
    long step_max;
    int baselines;
    long prefix_cache_mb; /* emulator prefix cache budget, MiB; 0 = off */
    long memory_mb;       /* what a run may take, MiB (cli/run_env.h); 0 = 3/4 of physical memory */
    long race_first;         /* images of the first racing stage; 0 = off */
    double race_confidence;  /* of each racing look */
    /* [chip] */
    char arch[SCFG_PATH]; /* "" = built-in Simba */
    char mapping[16];     /* energy | edp */
    int gate_idle;        /* idle multiplier arrays power-gated */
    /* not a key: the file read last ("" = defaults only), which messages
     * about a key's value name */
    char source[SCFG_PATH];
} scfg;

/* The defaults (no file). */
void scfg_defaults(scfg *c);

/* Reads path over the defaults. */
int scfg_load(const char *path, scfg *c, ax_err *err);

/* Same, from text; `name` stands for the file in messages and dir is the
 * folder relative paths are resolved against. */
int scfg_load_string(const char *text, const char *name, const char *dir, scfg *c, ax_err *err);

/* Checks the settings that do not need other files (ranges, level order). */
int scfg_check(const scfg *c, const char *name, ax_err *err);

/* The dataset source the [model] keys describe (data, data_format,
 * search_range, test_range); valid while c lives. */
ds_source scfg_source(const scfg *c);

/* Writes every key with its value and description (atomically). */
int scfg_write(const scfg *c, const char *path, ax_err *err);

/* The resolved configuration as one "section.key = value" line per key,
 * in the table's order (no comments): what a run's checkpoint records so
 * that a resume can tell an edited config.ini. malloc'ed, the caller
 * frees; NULL when out of memory. */
char *scfg_format(const scfg *c);

/* The keys whose lines differ between two scfg_format texts, written as a
 * comma list ("search.max_drop, model.val_images") into out (truncated
 * with "..." past cap). Keys listed in allowed (a comma list of
 * "section.key" or bare key names) are not counted. A key missing from
 * either text counts as changed, except a key the recorded text lacks
 * that now holds its default (a key added since the run began). Returns how many keys differ. */
int scfg_changed_keys(const char *recorded, const char *now, const char *allowed, char *out, size_t cap);

/* Prints the documented defaults as an INI file. */
void scfg_print_defaults(void);

#endif
