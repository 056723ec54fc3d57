build-tsan/tests/test_fit.o: tests/test_fit.c accel_model/arch.h \
  util/err.h accel_model/net.h accel_model/energy.h accel_model/map.h \
  accel_model/layer.h approx/fault.h util/pcg.h fitness/emu/emu.h \
  fitness/emu/pcache.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/emu/faultmap.h fitness/fit.h fitness/mc.h \
  fitness/net/onnx_import.h tests/onnx_build.h

accel_model/arch.h:

util/err.h:

accel_model/net.h:

accel_model/energy.h:

accel_model/map.h:

accel_model/layer.h:

approx/fault.h:

util/pcg.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/emu/faultmap.h:

fitness/fit.h:

fitness/mc.h:

fitness/net/onnx_import.h:

tests/onnx_build.h:
