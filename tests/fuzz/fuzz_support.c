#include "tests/fuzz/fuzz_support.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/axsearch-fuzz-%ld-%s", (long)getpid(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    return path;
}

int fuzz_lenet_env(run_env *e)
{
    static volatile sig_atomic_t stop;
    char dir[PATH_MAX];
    if (!realpath(".", dir))
        return -1;
    scfg c;
    scfg_defaults(&c);
    ax_err err = {0};
    const char *text = "[model]\nonnx = models/lenet5_fmnist.onnx\ncalib_images = 50\nval_images = 20\n"
                       "confirm_images = 20\ntest_images = 20\n[search]\nthreads = 1\nbaselines = no\n";
    if (scfg_load_string(text, "fuzz_lenet.ini", dir, &c, &err) != AX_OK ||
        run_env_open(e, &c, &stop, &err) != AX_OK) {
        fprintf(stderr, "fuzz_lenet_env: %s\n", err.msg);
        return -1;
    }
    return 0;
}
