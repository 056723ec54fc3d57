build-tsan/cli/cmd_version.o: cli/cmd_version.c cli/commands.h

cli/commands.h:
