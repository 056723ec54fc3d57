/* make tsan's proof that it can fail: two OpenMP threads add to one
 * variable without a reduction (a data race TSan must report, exit status
 * 66), next to the same sum done right (a reduction, which Archer must
 * not report). Built and run by make tsan before the tests. */
#include <stdio.h>

int main(void)
{
    long racy = 0, reduced = 0;
#pragma omp parallel for num_threads(2)
    for (int i = 0; i < 100000; i++)
        racy += i;
#pragma omp parallel for num_threads(2) reduction(+ : reduced)
    for (int i = 0; i < 100000; i++)
        reduced += i;
    printf("%ld %ld\n", racy, reduced);
    return 0;
}
