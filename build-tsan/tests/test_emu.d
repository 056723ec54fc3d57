build-tsan/tests/test_emu.o: tests/test_emu.c fitness/emu/emu.h \
  fitness/emu/pcache.h util/err.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/net/fexec.h fitness/mc.h \
  fitness/emu/kern.h fitness/net/onnx_import.h tests/emu_ref.h \
  util/pcg.h tests/onnx_build.h

fitness/emu/emu.h:

fitness/emu/pcache.h:

util/err.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/net/fexec.h:

fitness/mc.h:

fitness/emu/kern.h:

fitness/net/onnx_import.h:

tests/emu_ref.h:

util/pcg.h:

tests/onnx_build.h:
