build-tsan/util/tsv.o: util/tsv.c util/tsv.h util/err.h util/fileio.h \
  util/sort.h

util/tsv.h:

util/err.h:

util/fileio.h:

util/sort.h:
