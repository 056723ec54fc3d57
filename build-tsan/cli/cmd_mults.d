build-tsan/cli/cmd_mults.o: cli/cmd_mults.c approx/mult_lib.h \
  approx/mult_metrics.h util/err.h cli/args.h cli/commands.h

approx/mult_lib.h:

approx/mult_metrics.h:

util/err.h:

cli/args.h:

cli/commands.h:
