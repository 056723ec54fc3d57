build-tsan/tests/test_pcache.o: tests/test_pcache.c fitness/emu/pcache.h \
  util/err.h util/hash.h

fitness/emu/pcache.h:

util/err.h:

util/hash.h:
