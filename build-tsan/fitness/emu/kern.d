build-tsan/fitness/emu/kern.o: fitness/emu/kern.c fitness/emu/kern.h \
  util/err.h

fitness/emu/kern.h:

util/err.h:
