/* pareto: dominance, non-dominated sorting and crowding distance.
 *
 * Objective vectors are rows of a row-major array `objs` [n][m], every
 * objective minimised. `viol` [n] is each point's total constraint violation
 * (0 = feasible, > 0 infeasible); NULL means all feasible. Constrained
 * domination is Deb's (Deb, Pratap, Agarwal, Meyarivan, "A fast and elitist
 * multiobjective genetic algorithm: NSGA-II", IEEE TEC 6(2), 2002):
 * a feasible point beats an infeasible one, two infeasible points compare by
 * violation, two feasible points by Pareto dominance. */
#ifndef AX_GA_PARETO_H
#define AX_GA_PARETO_H

/* 1 if a dominates b (no worse everywhere, better somewhere), else 0. */
int pareto_dominates(const double *a, const double *b, int m);

/* Deb's constrained domination; va, vb are total violations. */
int pareto_cdominates(const double *a, double va, const double *b, double vb, int m);

/* Non-dominated sorting under constrained domination: rank[i] = 0 for the
 * first front, 1 for the next, ... Feasible points always rank before
 * infeasible ones; infeasible points form one front per distinct violation
 * value, in increasing order. Two objectives take an O(n log n) path
 * (Jensen 2003 / Zhang et al. ENS-BS 2015); more take Deb's O(m n^2) fast
 * non-dominated sort. Returns the number of fronts, or -1 when out of memory. */
int pareto_rank(const double *objs, const double *viol, int n, int m, int *rank);

/* The reference O(m n^2) sort, also used by tests to check the fast path. */
int pareto_rank_naive(const double *objs, const double *viol, int n, int m, int *rank);

/* Crowding distance of the k points objs[idx[0..k)] forming one front,
 * written to dist[0..k). Both extremes of every objective get +infinity.
 * Points with identical objective vectors count once: the lowest index of
 * each group gets the distance computed over the distinct vectors, the
 * others get 0, so copies do not crowd out distinct designs. Ties in one
 * objective are ordered by index, so the result is deterministic.
 * Returns 0, or -1 when out of memory. */
int pareto_crowding(const double *objs, int m, const int *idx, int k, double *dist);

#endif
