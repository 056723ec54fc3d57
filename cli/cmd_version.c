/* axsearch version: the version and what this build and machine offer. */
#include <stdio.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli/commands.h"
#include "cli/dist.h"

#define AXSEARCH_VERSION "0.1.0"

/* version takes no options and, as always, ignores its arguments (even
 * --help), so there is nothing to parse and nothing to run. */
static void version_print(void)
{
    printf("axsearch %s\n", AXSEARCH_VERSION);
#ifdef _OPENMP
    printf("openmp: %d threads available\n", omp_get_max_threads());
#else
    printf("openmp: off\n");
#endif
    if (dist_built())
        printf("mpi: yes, %d rank%s in this job (mpirun -np N ./axsearch search ...)\n", dist_size(),
               dist_size() == 1 ? "" : "s");
    else
        printf("mpi: no (make MPI=1 builds it)\n");
}

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    version_print();
    return 0;
}
