build-tsan/fitness/emu/pcache.o: fitness/emu/pcache.c \
  fitness/emu/pcache.h util/err.h

fitness/emu/pcache.h:

util/err.h:
