build-tsan/util/wallclock.o: util/wallclock.c util/wallclock.h

util/wallclock.h:
