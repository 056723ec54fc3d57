build-tsan/cli/cmd_plot.o: cli/cmd_plot.c cli/args.h util/err.h \
  cli/commands.h cli/ptab.h cli/scfg.h

cli/args.h:

util/err.h:

cli/commands.h:

cli/ptab.h:

cli/scfg.h:
