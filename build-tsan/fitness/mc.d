build-tsan/fitness/mc.o: fitness/mc.c fitness/mc.h fitness/emu/emu.h \
  fitness/emu/pcache.h util/err.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/emu/faultmap.h accel_model/net.h \
  accel_model/arch.h accel_model/energy.h accel_model/map.h \
  accel_model/layer.h approx/fault.h util/pcg.h

fitness/mc.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

util/err.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/emu/faultmap.h:

accel_model/net.h:

accel_model/arch.h:

accel_model/energy.h:

accel_model/map.h:

accel_model/layer.h:

approx/fault.h:

util/pcg.h:
