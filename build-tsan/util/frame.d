build-tsan/util/frame.o: util/frame.c util/frame.h util/err.h \
  util/bytebuf.h util/fileio.h util/hash.h

util/frame.h:

util/err.h:

util/bytebuf.h:

util/fileio.h:

util/hash.h:
