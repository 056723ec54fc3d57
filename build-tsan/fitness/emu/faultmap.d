build-tsan/fitness/emu/faultmap.o: fitness/emu/faultmap.c \
  fitness/emu/faultmap.h accel_model/net.h accel_model/arch.h util/err.h \
  accel_model/energy.h accel_model/map.h accel_model/layer.h \
  approx/fault.h util/pcg.h fitness/emu/emu.h fitness/emu/pcache.h \
  fitness/emu/qnet.h fitness/net/graph.h fitness/emu/qmath.h \
  accel_model/dataflow.h

fitness/emu/faultmap.h:

accel_model/net.h:

accel_model/arch.h:

util/err.h:

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

accel_model/dataflow.h:
