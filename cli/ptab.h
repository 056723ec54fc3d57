/* ptab: the tables of a run folder that `axsearch plot` hands to gnuplot
 * (the scripts of plots/), checked before gnuplot runs so that a broken table is
 * refused with a message naming the file, the line and the column, and
 * no figure is replaced by a broken one. */
#ifndef AX_CLI_PTAB_H
#define AX_CLI_PTAB_H

#include "util/err.h"

/* Checks RUN/front.tsv (*layers: its layer columns L0 .., at least one),
 * RUN/history.tsv and, when it exists (*hasbase), RUN/baselines.tsv, whose
 * first row must be the exact design (plots/run_breakdown.gp draws it):
 * each a table (util/tsv.h) with the columns the figures read, numbers in
 * every row, and at least one row. AX_EINPUT with the reason otherwise. */
int ptab_read(const char *run, int *layers, int *hasbase, ax_err *err);

#endif
