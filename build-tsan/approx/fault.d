build-tsan/approx/fault.o: approx/fault.c approx/fault.h util/err.h \
  util/pcg.h

approx/fault.h:

util/err.h:

util/pcg.h:
