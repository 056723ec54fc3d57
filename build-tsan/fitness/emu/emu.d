build-tsan/fitness/emu/emu.o: fitness/emu/emu.c fitness/emu/emu.h \
  fitness/emu/pcache.h util/err.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h approx/fault.h util/pcg.h fitness/emu/kern.h \
  util/hash.h

fitness/emu/emu.h:

fitness/emu/pcache.h:

util/err.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

approx/fault.h:

util/pcg.h:

fitness/emu/kern.h:

util/hash.h:
