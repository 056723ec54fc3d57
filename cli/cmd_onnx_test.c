/* axsearch onnx-test DIR: runs one ONNX backend test folder through the
 * importer and the float executor (fitness/net/nodetest.h). Prints "pass", or
 * "FAIL" with the largest error; exit 0 on pass, 1 on a numerical or shape
 * mismatch, 2 when the folder or model cannot be used (unsupported
 * operator, corrupted file, missing file). */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "fitness/net/nodetest.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: axsearch onnx-test [-v] DIR\n"
                 "  runs DIR/model.onnx on DIR/test_data_set_N/input_K.pb and compares with output_K.pb\n"
                 "  (rtol %g, atol %g); prints pass, or FAIL and the largest error\n",
            NODETEST_RTOL, NODETEST_ATOL);
}

typedef struct onnx_test_opts {
    const char *dir;
    int verbose;
} onnx_test_opts;

static int onnx_test_parse(int argc, char **argv, onnx_test_opts *o)
{
    *o = (onnx_test_opts){NULL, 0};
    const args_opt opts[] = {
        {.name = "verbose", .kind = ARGS_FLAG, .dst = &o->verbose, .letter = 'v'},
        {.help = "  -v  also print the largest error and where it is when passing"},
    };
    const args_spec s = {.cmd = "onnx-test", .opts = opts, .n_opts = sizeof opts / sizeof opts[0],
                         .usage = usage, .dash_h = 1};
    int first = args_parse(&s, argc, argv);
    if (first < 0)
        return args_status(first);
    if (first != argc - 1) {
        args_usage(&s, stderr);
        return 2;
    }
    o->dir = argv[first];
    return ARGS_RUN;
}

static void onnx_test_print(const onnx_test_opts *o, const nodetest_result *res)
{
    if (res->pass) {
        printf("pass\n");
        if (o->verbose)
            printf("max_abs_err=%.3g worst_ratio=%.3g sets=%d runs=%d%s%s\n", res->max_abs_err, res->worst_ratio,
                   res->n_sets, res->n_runs, res->where[0] ? " at " : "", res->where);
        return;
    }
    printf("FAIL max_abs_err=%.6g worst_ratio=%.3g (tolerance atol %g + rtol %g*|expected|) at %s\n",
           res->max_abs_err, res->worst_ratio, NODETEST_ATOL, NODETEST_RTOL, res->where);
}

int cmd_onnx_test(int argc, char **argv)
{
    onnx_test_opts o;
    int status = onnx_test_parse(argc, argv, &o);
    if (status != ARGS_RUN)
        return status;
    nodetest_result res;
    ax_err err = {0};
    int rc = nodetest_run(o.dir, &res, &err);
    if (rc != 0) {
        fprintf(stderr, "axsearch onnx-test: %s\n", err.msg);
        return rc == AX_EINPUT ? 2 : 1;
    }
    onnx_test_print(&o, &res);
    return res.pass ? 0 : 1;
}
