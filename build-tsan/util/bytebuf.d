build-tsan/util/bytebuf.o: util/bytebuf.c util/bytebuf.h

util/bytebuf.h:
