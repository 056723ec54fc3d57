/* commands: one function per subcommand, each in its own cli/cmd_*.c.
 * argv[0] is the subcommand's name. Returns the process exit status:
 * 0 success, 1 internal failure, 2 bad input, 130 stopped by a signal. */
#ifndef AX_CLI_COMMANDS_H
#define AX_CLI_COMMANDS_H

int cmd_ga_bench(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_faults(int argc, char **argv);
int cmd_layers(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_baselines(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_mults(int argc, char **argv);
int cmd_energy(int argc, char **argv);
int cmd_onnx_test(int argc, char **argv);
int cmd_infer(int argc, char **argv);
int cmd_onnx_info(int argc, char **argv);

#endif
