build-tsan/util/pcg.o: util/pcg.c util/pcg.h

util/pcg.h:
