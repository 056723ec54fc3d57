build-tsan/tests/cli_support.o: tests/cli_support.c tests/cli_support.h

tests/cli_support.h:
