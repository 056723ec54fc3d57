build-tsan/tests/emu_ref.o: tests/emu_ref.c tests/emu_ref.h \
  fitness/emu/emu.h fitness/emu/pcache.h util/err.h fitness/emu/qnet.h \
  fitness/net/graph.h fitness/emu/qmath.h util/pcg.h tests/onnx_build.h

tests/emu_ref.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

util/err.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

util/pcg.h:

tests/onnx_build.h:
