/* axsearch onnx-test DIR: runs one ONNX backend test folder through the
 * importer and the float executor (fitness/net/nodetest.h). Prints "pass", or
 * "FAIL" with the largest error; exit 0 on pass, 1 on a numerical or shape
 * mismatch, 2 when the folder or model cannot be used (unsupported
 * operator, corrupted file, missing file). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "fitness/net/nodetest.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: axsearch onnx-test [-v] DIR\n"
                 "  runs DIR/model.onnx on DIR/test_data_set_N/input_K.pb and compares with output_K.pb\n"
                 "  (rtol %g, atol %g); prints pass, or FAIL and the largest error\n"
                 "  -v  also print the largest error and where it is when passing\n",
            NODETEST_RTOL, NODETEST_ATOL);
}

int cmd_onnx_test(int argc, char **argv)
{
    int verbose = 0;
    static const struct option longopts[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'v': verbose = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    const char *dir = argv[optind];
    nodetest_result res;
    ax_err err = {0};
    int rc = nodetest_run(dir, &res, &err);
    if (rc != 0) {
        fprintf(stderr, "axsearch onnx-test: %s\n", err.msg);
        return rc == AX_EINPUT ? 2 : 1;
    }
    if (res.pass) {
        printf("pass\n");
        if (verbose)
            printf("max_abs_err=%.3g worst_ratio=%.3g sets=%d runs=%d%s%s\n", res.max_abs_err, res.worst_ratio,
                   res.n_sets, res.n_runs, res.where[0] ? " at " : "", res.where);
        return 0;
    }
    printf("FAIL max_abs_err=%.6g worst_ratio=%.3g (tolerance atol %g + rtol %g*|expected|) at %s\n",
           res.max_abs_err, res.worst_ratio, NODETEST_ATOL, NODETEST_RTOL, res.where);
    return 1;
}
