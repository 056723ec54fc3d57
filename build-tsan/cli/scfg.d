build-tsan/cli/scfg.o: cli/scfg.c cli/scfg.h util/err.h fitness/net/idx.h \
  util/fileio.h

cli/scfg.h:

util/err.h:

fitness/net/idx.h:

util/fileio.h:
