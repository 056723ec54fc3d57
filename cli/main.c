/* axsearch: search for energy-efficient approximate DNN accelerators. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"search", cmd_search, "NSGA-II search of an approximate accelerator into a run folder"},
    {"resume", cmd_resume, "continue a search from its run folder"},
    {"baselines", cmd_baselines, "exact, one-knob, random and multiplier-only references"},
    {"plot", cmd_plot, "gnuplot figures (PNG and SVG) of a run folder"},
    {"ga-bench", cmd_ga_bench, "run NSGA-II on a benchmark problem (ZDT, DTLZ, constrained)"},
    {"faults", cmd_faults, "accuracy as each voltage knob alone is lowered (bit errors)"},
    {"layers", cmd_layers, "each multiplier in each layer alone, without and with accuracy recovery"},
    {"version", cmd_version, "print the version and what this build offers"},
    {"mults", cmd_mults, "list, import and export the approximate multiplier library"},
    {"energy", cmd_energy, "chip energy table, or energy/latency/area of a network's layers"},
    {"onnx-test", cmd_onnx_test, "run one ONNX backend test folder on the float executor"},
    {"infer", cmd_infer, "top-1 accuracy of an ONNX classifier on a dataset split"},
    {"onnx-info", cmd_onnx_info, "import an ONNX model and print its graph and MAC layers"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: axsearch COMMAND [options]   (axsearch COMMAND --help)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int status = commands[i].run(argc - 1, argv + 1);
            /* Tables and last lines go to stdout: a full disk or a closed
             * pipe must not pass for success. */
            if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "axsearch %s: writing standard output: %s\n", argv[1], strerror(errno));
                return status ? status : 1;
            }
            return status;
        }
    fprintf(stderr, "axsearch: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
