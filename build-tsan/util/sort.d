build-tsan/util/sort.o: util/sort.c util/sort.h

util/sort.h:
