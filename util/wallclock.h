/* wallclock: monotonic seconds, for progress lines, time limits and
 * benchmarks (never for results). */
#ifndef AX_UTIL_WALLCLOCK_H
#define AX_UTIL_WALLCLOCK_H

double wallclock_seconds(void);

#endif
