#include "accel_model/dataflow.h"

#include <string.h>

static double safe_div(double a, double b)
{
    return b > 0 ? a / b : 0;
}

void accel_dataflow_of(const accel_layer_shape *l, const accel_counts *c, accel_dataflow *df)
{
    memset(df, 0, sizeof *df);
    const accel_access *pe = c->acc[ACCEL_LVL_PE];
    double g = l->groups, mg = (double)l->m / l->groups;
    double h = (l->p - 1.0) * l->stride_h + (l->r - 1.0) * l->dil_h + 1;
    double w = (l->q - 1.0) * l->stride_w + (l->s - 1.0) * l->dil_w + 1;

    accel_tensor_flow *t = &df->weights;
    t->elems = g * mg * l->c * l->r * l->s;
    t->word_bits = l->weight_bits;
    t->copies = safe_div(pe[ACCEL_TW].fills, t->elems);
    t->reads_per_copy = safe_div(pe[ACCEL_TW].reads, pe[ACCEL_TW].fills);
    t->noc_transfers = safe_div(c->noc_words[ACCEL_NOC_W], t->elems);
    t->hops_per_transfer = safe_div(c->noc_word_hops[ACCEL_NOC_W], c->noc_words[ACCEL_NOC_W]);

    t = &df->inputs;
    t->elems = (double)l->n * g * l->c * h * w;
    t->word_bits = l->act_bits;
    t->copies = safe_div(pe[ACCEL_TI].fills, t->elems);
    t->reads_per_copy = safe_div(pe[ACCEL_TI].reads, pe[ACCEL_TI].fills);
    t->noc_transfers = safe_div(c->noc_words[ACCEL_NOC_I], t->elems);
    t->hops_per_transfer = safe_div(c->noc_word_hops[ACCEL_NOC_I], c->noc_words[ACCEL_NOC_I]);

    t = &df->outputs;
    t->elems = c->out_distinct;
    t->word_bits = l->act_bits;
    t->copies = 1;
    t->reads_per_copy = 1;
    t->noc_transfers = 1;
    t->hops_per_transfer =
        safe_div(c->noc_word_hops[ACCEL_NOC_OFINAL], c->noc_words[ACCEL_NOC_OFINAL]);
    df->psum_round_trips = safe_div(c->out_visits_pe - c->out_distinct, c->out_distinct);
    df->psum_bits = l->psum_bits;
}
