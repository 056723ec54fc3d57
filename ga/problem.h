/* problem: real-valued benchmark problems with known Pareto fronts, for
 * checking the NSGA-II engine against published quality figures.
 *
 * ZDT1-4, ZDT6: Zitzler, Deb, Thiele, "Comparison of multiobjective
 * evolutionary algorithms: empirical results", Evol. Comput. 8(2), 2000.
 * DTLZ1-7: Deb, Thiele, Laumanns, Zitzler, "Scalable test problems for
 * evolutionary multiobjective optimization", TIK report 112, 2001.
 * BNH (Binh, Korn 1997), SRN (Srinivas, Deb 1994), TNK (Tanaka 1995),
 * OSY (Osyczka, Kundu 1995), CONSTR: as stated in Deb, "Multi-objective
 * optimization using evolutionary algorithms", Wiley 2001, and in the NSGA-II
 * paper (IEEE TEC 2002).
 *
 * All objectives are minimised; constraints are g_j(x) >= 0 when satisfied. */
#ifndef AX_GA_PROBLEM_H
#define AX_GA_PROBLEM_H

#include "util/err.h"

typedef struct problem problem;

/* name: zdt1..zdt4, zdt6, dtlz1..dtlz7, bnh, srn, tnk, osy, constr (any
 * case). n_obj applies to DTLZ only (0 = 3); n_var 0 = the standard size:
 * ZDT1-3 30, ZDT4/6 10, DTLZ M+k-1 with k = 5 (DTLZ1), 10 (DTLZ2-6),
 * 20 (DTLZ7). An unknown name or bad size is AX_EINPUT. */
problem *problem_create(const char *name, int n_obj, int n_var, ax_err *err);
void problem_free(problem *p);

const char *problem_name(const problem *p);
int problem_n_var(const problem *p);
int problem_n_obj(const problem *p);
int problem_n_con(const problem *p);
const double *problem_lower(const problem *p); /* [n_var] */
const double *problem_upper(const problem *p); /* [n_var] */

/* f [n_obj], g [n_con] (may be NULL when n_con is 0). Thread-safe. */
void problem_evaluate(const problem *p, const double *x, double *f, double *g);

/* The standard run length: 400 generations for DTLZ1, 250 otherwise. */
int problem_default_generations(const problem *p);

/* Hypervolume reference point [n_obj]: (1.1, 1.1) for ZDT, 0.55 per axis
 * for DTLZ1, 1.1 for DTLZ2-6; otherwise the reference front's worst value
 * plus a tenth of its range in each objective. */
int problem_hv_reference(const problem *p, double *ref, ax_err *err);

/* A reference set on the true Pareto front, malloc'ed rows [count][n_obj]
 * (caller frees): 1,000 points evenly spaced in f1 for ZDT (over the
 * disconnected pieces for ZDT3), Das-Dennis points for DTLZ1-4 (5,050 for
 * three objectives), a dense sampling filtered to its non-dominated part
 * otherwise. */
int problem_reference_front(const problem *p, double **front, int *count, ax_err *err);

#endif
