#include "fitness/mc.h"

#include <math.h>

#include "fitness/faultmap.h"

int mc_accuracy(const qnet *q, const mc_data *d, const emu_table *const *tables,
                const emu_flip_spec *weights, const emu_flip_spec *inputs,
                const emu_flip_spec *outputs, int reps, uint64_t seed, int threads, pcache *cache,
                mc_result *r, ax_err *err)
{
    int nl = qnet_n_layers(q);
    int active = (weights && fmap_any(weights, nl)) || (inputs && fmap_any(inputs, nl)) ||
                 (outputs && fmap_any(outputs, nl));
    if (!active || reps < 1)
        reps = 1;
    r->reps = reps;
    r->flips = 0;
    r->expected_flips = 0;
    r->macs = r->macs_skipped = 0;
    double sum = 0, sum2 = 0;
    int64_t total_correct = 0;
    for (int rep = 0; rep < reps; rep++) {
        emu_faults f = {seed, (uint64_t)rep, weights, inputs, outputs};
        emu_options o = {.tables = tables, .threads = threads, .first_image = d->first_image,
                         .faults = active ? &f : NULL, .cache = cache};
        emu_stats st = {0};
        int64_t correct = 0;
        int status = emu_top1(q, d->pixels, d->labels, d->n, &o, &correct, &st, err);
        if (status != AX_OK)
            return status;
        double acc = d->n > 0 ? (double)correct / (double)d->n : 0.0;
        total_correct += correct;
        sum += acc;
        sum2 += acc * acc;
        r->flips += st.flips;
        r->macs += st.macs;
        r->macs_skipped += st.macs_skipped;
        if (active)
            r->expected_flips += emu_expected_flips(q, &f, d->n);
    }
    /* From the integer count, so equal counts give the same double as a
     * single run's (no rounding of a sum of fractions). */
    r->top1 = d->n > 0 ? (double)total_correct / ((double)d->n * reps) : 0.0;
    if (reps > 1) {
        double var = (sum2 - sum * sum / reps) / (reps - 1);
        r->top1_se = var > 0 ? sqrt(var / reps) : 0.0;
    } else {
        r->top1_se = 0.0;
    }
    return AX_OK;
}
