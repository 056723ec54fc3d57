build-tsan/cli/args.o: cli/args.c cli/args.h util/err.h

cli/args.h:

util/err.h:
