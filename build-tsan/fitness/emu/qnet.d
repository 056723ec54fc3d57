build-tsan/fitness/emu/qnet.o: fitness/emu/qnet.c fitness/emu/qnet.h \
  fitness/net/graph.h util/err.h fitness/emu/qmath.h fitness/net/fexec.h

fitness/emu/qnet.h:

fitness/net/graph.h:

util/err.h:

fitness/emu/qmath.h:

fitness/net/fexec.h:
