build-tsan/cli/ptab.o: cli/ptab.c cli/ptab.h util/err.h cli/scfg.h \
  util/fileio.h util/tsv.h

cli/ptab.h:

util/err.h:

cli/scfg.h:

util/fileio.h:

util/tsv.h:
