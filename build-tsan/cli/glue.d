build-tsan/cli/glue.o: cli/glue.c cli/glue.h accel_model/arch.h \
  util/err.h accel_model/energy.h accel_model/map.h accel_model/layer.h \
  approx/mult_lib.h approx/mult_metrics.h fitness/emu/faultmap.h \
  accel_model/net.h approx/fault.h util/pcg.h fitness/emu/emu.h \
  fitness/emu/pcache.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/emu/recover.h fitness/net/idx.h \
  fitness/net/onnx_import.h

cli/glue.h:

accel_model/arch.h:

util/err.h:

accel_model/energy.h:

accel_model/map.h:

accel_model/layer.h:

approx/mult_lib.h:

approx/mult_metrics.h:

fitness/emu/faultmap.h:

accel_model/net.h:

approx/fault.h:

util/pcg.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/emu/recover.h:

fitness/net/idx.h:

fitness/net/onnx_import.h:
