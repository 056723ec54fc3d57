#include "fitness/mc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitness/emu/faultmap.h"

int mc_accuracy(const qnet *q, const mc_data *d, const mc_options *o, mc_result *r, ax_err *err)
{
    int nl = qnet_n_layers(q), classes = qnet_classes(q);
    int active = (o->weights && fmap_any(o->weights, nl)) || (o->inputs && fmap_any(o->inputs, nl)) ||
                 (o->outputs && fmap_any(o->outputs, nl));
    int reps = active && o->reps > 1 ? o->reps : 1;
    /* All of d in one pass: racing (fitness/race.h) calls with the images
     * of one stage. */
    int64_t n = d->n > 0 ? d->n : 1;
    memset(r, 0, sizeof *r);
    r->reps = reps;
    int64_t *rep_correct = calloc((size_t)reps, sizeof *rep_correct);
    float *scores = malloc((size_t)n * (size_t)classes * sizeof *scores);
    uint8_t *right = malloc((size_t)n);
    uint8_t *count = calloc((size_t)n, 1);
    int status = rep_correct && scores && right && count ? AX_OK : ax_fail(err, AX_EINTERNAL, "out of memory");
    for (int rep = 0; rep < reps && status == AX_OK && d->n > 0; rep++) {
        emu_faults f = {o->seed, (uint64_t)rep, o->weights, o->inputs, o->outputs};
        emu_options eo = {.tables = o->tables, .fixes = o->fixes, .threads = o->threads, .first_image = d->first_image,
                          .faults = active ? &f : NULL, .cache = o->cache, .profile = o->profile != NULL};
        emu_stats st = {0};
        status = emu_run(q, d->pixels, d->n, &eo, scores, &st, err);
        if (status != AX_OK)
            break;
        rep_correct[rep] += emu_count_right(scores, d->labels, d->n, classes, right);
        for (int64_t i = 0; i < d->n; i++)
            count[i] = (uint8_t)(count[i] + right[i]);
        /* A repetition's weight fault map is the same for every stage:
         * count its flips once. */
        r->flips += st.flips - (o->weight_flips_counted ? st.weight_flips : 0);
        r->macs += st.macs;
        r->macs_skipped += st.macs_skipped;
        for (int k = 0; o->profile && k < EMU_KINDS; k++)
            for (int p = 0; p < EMU_PHASES; p++)
                o->profile[k][p] += st.profile[k][p];
    }
    if (status == AX_OK && o->correct && d->n > 0)
        memcpy(o->correct, count, (size_t)d->n);
    int64_t done = d->n > 0 ? d->n : 0;
    if (status == AX_OK) {
        r->images = done;
        int64_t total = 0;
        double sum = 0, sum2 = 0;
        for (int rep = 0; rep < reps; rep++) {
            double acc = done > 0 ? (double)rep_correct[rep] / (double)done : 0.0;
            total += rep_correct[rep];
            sum += acc;
            sum2 += acc * acc;
        }
        /* From the integer count, so equal counts give the same double as a
         * single run's (no rounding of a sum of fractions). */
        r->top1 = done > 0 ? (double)total / ((double)done * reps) : 0.0;
        double var = reps > 1 ? (sum2 - sum * sum / reps) / (reps - 1) : 0.0;
        r->top1_se = var > 0 ? sqrt(var / reps) : 0.0;
        if (active)
            for (int rep = 0; rep < reps; rep++) {
                emu_faults f = {o->seed, (uint64_t)rep, o->weights, o->inputs, o->outputs};
                r->expected_flips += emu_expected_flips(q, &f, done);
            }
    }
    free(rep_correct);
    free(scores);
    free(right);
    free(count);
    return status;
}
