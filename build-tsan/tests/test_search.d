build-tsan/tests/test_search.o: tests/test_search.c fitness/net/idx.h \
  util/err.h tests/cli_support.h util/hash.h util/pcg.h

fitness/net/idx.h:

util/err.h:

tests/cli_support.h:

util/hash.h:

util/pcg.h:
