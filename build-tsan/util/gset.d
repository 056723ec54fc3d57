build-tsan/util/gset.o: util/gset.c util/gset.h util/hash.h

util/gset.h:

util/hash.h:
