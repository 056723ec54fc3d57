build-tsan/tests/test_recover.o: tests/test_recover.c fitness/emu/emu.h \
  fitness/emu/pcache.h util/err.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/emu/recover.h tests/emu_ref.h util/pcg.h

fitness/emu/emu.h:

fitness/emu/pcache.h:

util/err.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/emu/recover.h:

tests/emu_ref.h:

util/pcg.h:
