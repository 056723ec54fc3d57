/* axsearch: search for energy-efficient approximate DNN accelerators. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/dist.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    int distributed; /* under mpirun the other ranks serve it (cli/dist.h) */
} command;

static const command commands[] = {
    {"search", cmd_search, "NSGA-II search of an approximate accelerator into a run folder", 1},
    {"resume", cmd_resume, "continue a search from its run folder", 1},
    {"baselines", cmd_baselines, "exact, one-knob, random and multiplier-only references", 1},
    {"plot", cmd_plot, "gnuplot figures (PNG and SVG) of a run folder", 0},
    {"ga-bench", cmd_ga_bench, "run NSGA-II on a benchmark problem (ZDT, DTLZ, constrained)", 0},
    {"faults", cmd_faults, "accuracy as each voltage knob alone is lowered (bit errors)", 0},
    {"layers", cmd_layers, "each multiplier in each layer alone, without and with accuracy recovery", 0},
    {"version", cmd_version, "print the version and what this build offers", 0},
    {"mults", cmd_mults, "list, import and export the approximate multiplier library", 0},
    {"energy", cmd_energy, "chip energy table, or energy/latency/area of a network's layers", 0},
    {"onnx-test", cmd_onnx_test, "run one ONNX backend test folder on the float executor", 0},
    {"infer", cmd_infer, "top-1 accuracy of an ONNX classifier on a dataset split", 0},
    {"onnx-info", cmd_onnx_info, "import an ONNX model and print its graph and MAC layers", 0},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: axsearch COMMAND [options]   (axsearch COMMAND --help)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

/* Under mpirun, the other ranks serve rank 0's search, resume or
 * baselines (cli/dist.h), and leave every other command, and every
 * message, to rank 0. */
static int serve_command(int argc, char **argv)
{
    for (size_t i = 0; argc >= 2 && i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].distributed ? dist_serve() : 0;
    return 0;
}

static int run_command(int argc, char **argv)
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
            dist_set_served(commands[i].distributed);
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

int main(int argc, char **argv)
{
    if (dist_init(&argc, &argv) != 0)
        return 1;
    return dist_end(dist_rank() > 0 ? serve_command(argc, argv) : run_command(argc, argv));
}
