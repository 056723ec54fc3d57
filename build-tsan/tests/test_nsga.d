build-tsan/tests/test_nsga.o: tests/test_nsga.c ga/nsga.h util/err.h \
  ga/problem.h util/fileio.h util/hash.h

ga/nsga.h:

util/err.h:

ga/problem.h:

util/fileio.h:

util/hash.h:
