/* Product tables and library indexes (approx/mult_lib.h). The input is
 * read as a table file and as an index whose rows may name "t.bin", a
 * valid table beside it, so that whole rows get imported. */
#include "tests/fuzz/fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "approx/mult_lib.h"

static char table_dir[128];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(table_dir, sizeof table_dir, "/tmp/axsearch-fuzz-%ld-mults", (long)getpid());
    mkdir(table_dir, 0777);
    uint16_t *lut = malloc(MULT_LUT_SIZE * sizeof *lut);
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            lut[a * 256 + b] = (uint16_t)(a * b);
    char path[256];
    snprintf(path, sizeof path, "%s/t.bin", table_dir);
    ax_err err = {0};
    if (mult_lut_write(path, lut, &err) != AX_OK)
        abort();
    free(lut);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ax_err err = {0};
    uint16_t *lut = malloc(MULT_LUT_SIZE * sizeof *lut);
    if (!lut)
        abort();
    mult_lut_read(fuzz_file("table", data, size), lut, &err);
    free(lut);
    char path[256];
    snprintf(path, sizeof path, "%s/index.tsv", table_dir);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    mult_lib *lib = mult_lib_create_empty(&err);
    if (!lib)
        abort();
    mult_lib_import_index(lib, path, &err);
    mult_lib_free(lib);
    return 0;
}
