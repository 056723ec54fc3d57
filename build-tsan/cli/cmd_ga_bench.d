build-tsan/cli/cmd_ga_bench.o: cli/cmd_ga_bench.c cli/args.h util/err.h \
  cli/commands.h ga/indicator.h ga/nsga.h ga/problem.h util/fileio.h \
  util/sort.h util/wallclock.h

cli/args.h:

util/err.h:

cli/commands.h:

ga/indicator.h:

ga/nsga.h:

ga/problem.h:

util/fileio.h:

util/sort.h:

util/wallclock.h:
