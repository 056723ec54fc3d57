build-tsan/fitness/emu/recover.o: fitness/emu/recover.c \
  fitness/emu/recover.h fitness/emu/emu.h fitness/emu/pcache.h \
  util/err.h fitness/emu/qnet.h fitness/net/graph.h fitness/emu/qmath.h

fitness/emu/recover.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

util/err.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:
