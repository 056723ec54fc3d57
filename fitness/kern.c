#include "fitness/kern.h"

#include <string.h>

void kern_table_scalar(const uint16_t *T, const uint8_t *W, const uint8_t *A, int M, int K,
                       int NP, int32_t *acc)
{
    for (int m = 0; m < M; m++) {
        int32_t *out = acc + (size_t)m * NP;
        memset(out, 0, (size_t)NP * sizeof *out);
        for (int k = 0; k < K; k++) {
            const uint16_t *row = T + (size_t)W[(size_t)m * K + k] * 256;
            const uint8_t *a = A + (size_t)k * NP;
            for (int p = 0; p < NP; p++)
                out[p] += row[a[p]];
        }
    }
}

void kern_exact_scalar(const uint8_t *W, const uint8_t *A, int M, int K, int NP, int32_t *acc)
{
    for (int m = 0; m < M; m++) {
        int32_t *out = acc + (size_t)m * NP;
        memset(out, 0, (size_t)NP * sizeof *out);
        for (int k = 0; k < K; k++) {
            int32_t w = W[(size_t)m * K + k];
            const uint8_t *a = A + (size_t)k * NP;
            for (int p = 0; p < NP; p++)
                out[p] += w * a[p];
        }
    }
}
