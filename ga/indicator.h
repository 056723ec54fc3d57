/* indicator: quality indicators of a set of objective vectors (rows of a
 * row-major [n][m] array, every objective minimised).
 *
 * Hypervolume: the measure of the region dominated by the set and bounded
 * above by the reference point; exact in every dimension: a sweep for two
 * objectives, slicing along the third for three, and the WFG algorithm
 * (While, Bradstreet, Barone, IEEE TEC 16(1), 2012) for four or more, meant
 * for the small sets of a search front (cost grows steeply with m and n).
 * Points that are not strictly better than the reference in every objective
 * add nothing.
 * IGD (Coello, Reyes Sierra 2004): mean over the reference set of the
 * Euclidean distance to the nearest member of the set. IGD+ (Ishibuchi et
 * al., EMO 2015): the same with d+(z, a) = sqrt(sum_j max(a_j - z_j, 0)^2),
 * which is weakly Pareto compliant. */
#ifndef AX_GA_INDICATOR_H
#define AX_GA_INDICATOR_H

/* Writes the hypervolume to *hv. Returns 0, or -1 when out of memory. */
int indicator_hypervolume(const double *pts, int n, int m, const double *ref, double *hv);

/* +infinity when the set is empty. */
double indicator_igd(const double *set, int n, const double *refset, int r, int m);
double indicator_igd_plus(const double *set, int n, const double *refset, int r, int m);

#endif
