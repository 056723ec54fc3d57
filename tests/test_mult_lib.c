/* mult_lib: EvoApproxLib import against the published figures, the
 * calibration of the exact design, table export/import, bad index files,
 * energy under operand histograms, and the mults command. Runs from the
 * repository root (the tables are in approx/data/evoapprox/). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "approx/mult_lib.h"

#define INDEX "approx/data/evoapprox/index.tsv"

static char tmpdir[128];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/axsearch_test_mult_lib.%ld", (long)getpid());
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", tmpdir, tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* value printed with `decimals` digits after the point equals `printed` */
static void printed_as(double value, double printed, int decimals, const char *what)
{
    double unit = pow(10, -decimals);
    if (!(fabs(value - printed) <= 0.5 * unit + 1e-12))
        fail_msg("%s: %.8g does not print as %.*f", what, value, decimals, printed);
}

static void evoapprox_published_figures(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        double mae_pct; int d_mae;
        double wce_pct; int d_wce;
        double ep_pct; double mre_pct; int d_mre;
        double mae_lsb; double wce_lsb; int zero_safe;
        double power_uw, area, delay;
    } pub[] = {
        {"mul8u_1JFF", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 391, 709.6, 1.43},
        {"mul8u_EXZ", 0.0014, 4, 0.015, 3, 19.53, 0.033, 3, 0.91, 10, 1, 380, 663.6, 1.40},
        {"mul8u_2AC", 0.037, 3, 0.12, 2, 98.12, 1.25, 2, 24.53, 79, 0, 311, 508.3, 1.39},
        {"mul8u_DM1", 0.20, 2, 0.89, 2, 98.16, 4.73, 2, 134.15, 585, 1, 195, 401.7, 1.52},
        {"mul8u_17KS", 0.56, 2, 2.41, 2, 98.99, 10.85, 2, 370.05, 1577, 1, 104, 239.3, 1.00},
        {"mul8u_JQQ", 1.12, 2, 15.53, 2, 19.82, 2.64, 2, 731.44, 10176, 1, 371, 661.2, 1.36},
    };
    ax_err err = {0};
    mult_lib *lib = mult_lib_create_empty(&err);
    assert_non_null(lib);
    assert_int_equal(mult_lib_import_index(lib, INDEX, &err), AX_OK);
    assert_int_equal(mult_lib_count(lib), 6);
    for (size_t k = 0; k < sizeof pub / sizeof pub[0]; k++) {
        long i = mult_lib_find(lib, pub[k].name);
        assert_true(i >= 0);
        const mult_entry *e = mult_lib_entry(lib, (size_t)i);
        printed_as(e->metrics.mae_pct, pub[k].mae_pct, pub[k].d_mae, "MAE%");
        printed_as(e->metrics.wce_pct, pub[k].wce_pct, pub[k].d_wce, "WCE%");
        printed_as(e->metrics.ep_pct, pub[k].ep_pct, 2, "EP%");
        printed_as(e->metrics.mre_pct, pub[k].mre_pct, pub[k].d_mre, "MRE%");
        printed_as(e->metrics.mae, pub[k].mae_lsb, 2, "MAE");
        assert_true(e->metrics.wce == pub[k].wce_lsb);
        assert_int_equal(e->zero_safe, pub[k].zero_safe);
        assert_true(e->imported);
        assert_string_equal(e->family, "evoapprox");
        assert_true(e->cost.power_uw == pub[k].power_uw && e->cost.area_um2 == pub[k].area &&
                    e->cost.delay_ns == pub[k].delay);
        assert_true(fabs(e->cost.energy_pj - pub[k].power_uw / 1000.0) < 1e-12);
    }
    /* Sorted by power. */
    assert_string_equal(mult_lib_entry(lib, 0)->name, "mul8u_17KS");
    assert_string_equal(mult_lib_entry(lib, 5)->name, "mul8u_1JFF");
    /* Importing again: the names exist, nothing changes. */
    assert_int_equal(mult_lib_import_index(lib, INDEX, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "already"));
    assert_int_equal(mult_lib_count(lib), 6);
    mult_lib_free(lib);
}

static void calibration_against_evoapprox(void **state)
{
    (void)state;
    ax_err err = {0};
    mult_lib *lib = mult_lib_create_default(&err);
    assert_non_null(lib);
    /* The reference lands on mul8u_1JFF (0.391 mW, 709.6 um^2, 1.43 ns);
     * the other exact architectures within +-20 %, except the array, whose
     * glitches cost more power (checked: more than the tree). */
    static const char *within[] = {MULT_REFERENCE, "exact_wallace", "c42_exact"};
    for (size_t k = 0; k < 3; k++) {
        const mult_entry *e = mult_lib_entry(lib, (size_t)mult_lib_find(lib, within[k]));
        double tol = k == 0 ? 0.01 : 0.20;
        if (fabs(e->cost.power_uw / 391 - 1) > tol || fabs(e->cost.area_um2 / 709.6 - 1) > tol ||
            fabs(e->cost.delay_ns / 1.43 - 1) > tol)
            fail_msg("%s: %.1f uW %.1f um^2 %.3f ns, not within %.0f %% of mul8u_1JFF", e->name,
                     e->cost.power_uw, e->cost.area_um2, e->cost.delay_ns, tol * 100);
    }
    const mult_entry *ref = mult_lib_entry(lib, (size_t)mult_lib_find(lib, MULT_REFERENCE));
    const mult_entry *arr = mult_lib_entry(lib, (size_t)mult_lib_find(lib, "exact_array"));
    assert_true(fabs(ref->cost.power_rel - 1) < 1e-12);
    assert_true(arr->cost.power_uw > ref->cost.power_uw);
    assert_true(arr->cost.glitch_pct > ref->cost.glitch_pct);
    mult_lib_free(lib);
}

static void export_and_reimport(void **state)
{
    (void)state;
    ax_err err = {0};
    mult_lib *lib = mult_lib_create_default(&err);
    assert_non_null(lib);
    size_t n0 = mult_lib_count(lib);
    const mult_entry *d = mult_lib_entry(lib, (size_t)mult_lib_find(lib, "drum_k4"));
    char path[400], index[400];
    snprintf(path, sizeof path, "%s/drum.bin", tmpdir);
    assert_int_equal(mult_lut_write(path, d->lut, &err), AX_OK);
    uint16_t *back = malloc(MULT_LUT_SIZE * sizeof *back);
    assert_int_equal(mult_lut_read(path, back, &err), AX_OK);
    assert_memory_equal(back, d->lut, MULT_LUT_SIZE * sizeof *back);
    /* Little-endian on disk: 200 x 100 -> 21632 = 0x5480. */
    FILE *f = fopen(path, "rb");
    unsigned char two[2];
    fseek(f, 2L * (200 * 256 + 100), SEEK_SET);
    assert_int_equal(fread(two, 1, 2, f), 2);
    fclose(f);
    assert_int_equal(two[0] | two[1] << 8, 21632);
    snprintf(index, sizeof index, "%s/index.tsv", tmpdir);
    f = fopen(index, "w");
    fprintf(f, "# test\nname file family power_uw area_um2 delay_ns\n\ndrum_copy\tdrum.bin\tmine\t123.5 10 0.5\n");
    fclose(f);
    assert_int_equal(mult_lib_import_index(lib, index, &err), AX_OK);
    assert_int_equal(mult_lib_count(lib), n0 + 1);
    const mult_entry *c = mult_lib_entry(lib, (size_t)mult_lib_find(lib, "drum_copy"));
    assert_memory_equal(c->lut, back, MULT_LUT_SIZE * sizeof *back);
    assert_true(c->metrics.mae == mult_lib_entry(lib, (size_t)mult_lib_find(lib, "drum_k4"))->metrics.mae);
    assert_true(c->cost.power_uw == 123.5);
    /* Still sorted by power. */
    for (size_t i = 0; i + 1 < mult_lib_count(lib); i++)
        assert_true(mult_lib_entry(lib, i)->cost.power_uw <= mult_lib_entry(lib, i + 1)->cost.power_uw);
    /* add_lut, and its checks. */
    assert_int_equal(mult_lib_add_lut(lib, "drum_copy", "x", back, 1, 1, 1, &err), AX_EINPUT);
    assert_int_equal(mult_lib_add_lut(lib, "bad name", "x", back, 1, 1, 1, &err), AX_EINPUT);
    assert_int_equal(mult_lib_add_lut(lib, "ok", "x", back, -1, 1, 1, &err), AX_EINPUT);
    assert_int_equal(mult_lib_add_lut(lib, "ok", "x", back, 1, 1, 1, &err), AX_OK);
    assert_string_equal(mult_lib_entry(lib, 0)->name, "ok");
    free(back);
    mult_lib_free(lib);
}

static void write_file(const char *name, const char *text)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void bad_index_files(void **state)
{
    (void)state;
    ax_err err = {0};
    mult_lib *lib = mult_lib_create_empty(&err);
    assert_non_null(lib);
    char path[400];
    static const struct {
        const char *text, *expect;
    } cases[] = {
        {"", "no header"},
        {"name file power_uw\n", "line 1: expected the header"},
        {"name file family power_uw area_um2 delay_ns\nx missing.bin f 1 1 1\n", "missing.bin"},
        {"name file family power_uw area_um2 delay_ns\nx short.bin f 1 1 1\n", "131072"},
        {"name file family power_uw area_um2 delay_ns\nx ok.bin f one 1 1\n", "line 2"},
        {"name file family power_uw area_um2 delay_ns\nx ok.bin f 1 1\n", "6 fields"},
        {"name file family power_uw area_um2 delay_ns\nx ok.bin f 1 1 1\nx ok.bin f 1 1 1\n",
         "line 3"},
    };
    write_file("short.bin", "0123");
    {
        uint16_t *z = calloc(MULT_LUT_SIZE, sizeof *z);
        snprintf(path, sizeof path, "%s/ok.bin", tmpdir);
        assert_int_equal(mult_lut_write(path, z, &err), AX_OK);
        free(z);
    }
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        write_file("bad.tsv", cases[k].text);
        snprintf(path, sizeof path, "%s/bad.tsv", tmpdir);
        err.msg[0] = '\0';
        assert_int_equal(mult_lib_import_index(lib, path, &err), AX_EINPUT);
        if (!strstr(err.msg, cases[k].expect))
            fail_msg("case %zu: message '%s' lacks '%s'", k, err.msg, cases[k].expect);
        assert_int_equal(mult_lib_count(lib), 0); /* all or nothing */
    }
    snprintf(path, sizeof path, "%s/nonexistent.tsv", tmpdir);
    assert_int_equal(mult_lib_import_index(lib, path, &err), AX_EINPUT);

    /* 100,000 rows (a hostile run's case, once minutes of quadratic work):
     * refused at once, before any table is read; the limit itself is fine. */
    size_t cap = 200000 * 24, n = 0;
    char *big = malloc(cap);
    n += (size_t)snprintf(big + n, cap - n, "# many\nname file family power_uw area_um2 delay_ns\n");
    for (int i = 0; i < 100000; i++)
        n += (size_t)snprintf(big + n, cap - n, "m%d ok.bin f 1 1 1\n", i);
    write_file("big.tsv", big);
    snprintf(path, sizeof path, "%s/big.tsv", tmpdir);
    assert_int_equal(mult_lib_import_index(lib, path, &err), AX_EINPUT);
    assert_non_null(strstr(err.msg, "big.tsv: 100000 tables, and the library holds 0 already: at most 4096"));
    assert_int_equal(mult_lib_count(lib), 0);
    free(big);
    mult_lib_free(lib);
    mult_lib_free(NULL);
}

static void energy_under_histograms(void **state)
{
    (void)state;
    ax_err err = {0};
    mult_lib *lib = mult_lib_create_default(&err);
    assert_non_null(lib);
    assert_int_equal(mult_lib_import_index(lib, INDEX, &err), AX_OK);
    double uni[256], zeros[256] = {0}, small[256] = {0}, e1, e2, e3, e4;
    for (int i = 0; i < 256; i++)
        uni[i] = 1;
    zeros[0] = 1;
    for (int i = 0; i < 16; i++)
        small[i] = 1;
    size_t ref = (size_t)mult_lib_find(lib, MULT_REFERENCE);
    const mult_entry *r = mult_lib_entry(lib, ref);
    assert_int_equal(mult_lib_energy_hist(lib, ref, uni, uni, &e1, &err), AX_OK);
    /* Another uniform stream: same energy within sampling noise. */
    assert_true(fabs(e1 / r->cost.energy_pj - 1) < 0.05);
    assert_int_equal(mult_lib_energy_hist(lib, ref, uni, uni, &e2, &err), AX_OK);
    assert_true(e1 == e2);
    /* Activations always 0: no partial product ever switches. */
    assert_int_equal(mult_lib_energy_hist(lib, ref, zeros, uni, &e3, &err), AX_OK);
    assert_true(e3 < 0.05 * e1);
    /* Small activations and weights: fewer toggling bits, less energy. */
    assert_int_equal(mult_lib_energy_hist(lib, ref, small, small, &e4, &err), AX_OK);
    assert_true(e4 < 0.5 * e1 && e4 > e3);
    /* Imported: scaled by the reference's ratio. */
    size_t imp = (size_t)mult_lib_find(lib, "mul8u_2AC");
    double ei;
    assert_int_equal(mult_lib_energy_hist(lib, imp, small, small, &ei, &err), AX_OK);
    assert_true(fabs(ei - mult_lib_entry(lib, imp)->cost.energy_pj * e4 / r->cost.energy_pj) < 1e-12);
    /* Bad input. */
    assert_int_equal(mult_lib_energy_hist(lib, ref, small, (double[256]){0}, &e4, &err), AX_EINPUT);
    assert_int_equal(mult_lib_energy_hist(lib, mult_lib_count(lib), uni, uni, &e4, &err), AX_EINPUT);
    mult_lib_free(lib);
}

static int run(const char *args, char *out, size_t cap)
{
    const char *bin = getenv("AXSEARCH");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin ? bin : "./axsearch", args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void mults_command(void **state)
{
    (void)state;
    static char out[1 << 16];
    assert_int_equal(run("mults --format tsv --import " INDEX, out, sizeof out), 0);
    assert_true(!strncmp(out, "name\tfamily\tmae_pct\twce_pct\tmre_pct\tep_pct\tbias\tpower_uw\t"
                              "area_um2\tdelay_ns\t", 74));
    assert_non_null(strstr(out, "\nmul8u_2AC\tevoapprox\t"));
    assert_non_null(strstr(out, "\ndrum_k4\tdrum\t"));
    assert_int_equal(run("mults --format csv", out, sizeof out), 2);
    assert_int_equal(run("mults --import-lut /nonexistent.bin", out, sizeof out), 2);
    assert_int_equal(run("mults --import-lut approx/data/evoapprox/mul8u_DM1.bin", out, sizeof out), 0);
    assert_non_null(strstr(out, "134.15"));
    char args[600];
    snprintf(args, sizeof args, "mults --export nope %s/x.bin", tmpdir);
    assert_int_equal(run(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "mults --export udm %s/udm.bin", tmpdir);
    assert_int_equal(run(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "mults --import-lut %s/udm.bin", tmpdir);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_non_null(strstr(out, "ep_pct     46.7"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(evoapprox_published_figures),
        cmocka_unit_test(calibration_against_evoapprox),
        cmocka_unit_test(export_and_reimport),
        cmocka_unit_test(bad_index_files),
        cmocka_unit_test(energy_under_histograms),
        cmocka_unit_test(mults_command),
    };
    return cmocka_run_group_tests_name("mult_lib", tests, setup, teardown);
}
