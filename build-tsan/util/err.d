build-tsan/util/err.o: util/err.c util/err.h

util/err.h:
