/* The tables `axsearch plot` hands to gnuplot (cli/ptab.h): the input is
 * front.tsv, history.tsv and baselines.tsv joined by form feeds ('\f',
 * which no table holds); a missing part is an empty file, a missing third
 * part no baselines.tsv. They are written into a folder of this process
 * and checked as plot checks a run folder. */
#include "tests/fuzz/fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/ptab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"front.tsv", "history.tsv", "baselines.tsv"};
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/axsearch-fuzz-%ld-plot", (long)getpid());
        if (mkdir(dir, 0777) != 0)
            abort();
    }
    const uint8_t *p = data, *end = data + size;
    for (int i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        const uint8_t *ff = p ? memchr(p, '\f', (size_t)(end - p)) : NULL;
        size_t n = p ? (size_t)((ff ? ff : end) - p) : 0;
        if (i == 2 && !p) {
            unlink(path);
            break;
        }
        FILE *f = fopen(path, "wb");
        if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
            abort();
        p = ff ? ff + 1 : NULL;
    }
    int layers = -1, hasbase = -1;
    ax_err err = {0};
    if (ptab_read(dir, &layers, &hasbase, &err) == AX_OK && layers < 1)
        abort();
    return 0;
}
