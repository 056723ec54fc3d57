build-tsan/fitness/fit.o: fitness/fit.c fitness/fit.h \
  accel_model/energy.h accel_model/arch.h util/err.h accel_model/map.h \
  accel_model/layer.h accel_model/net.h fitness/emu/emu.h \
  fitness/emu/pcache.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/emu/faultmap.h approx/fault.h util/pcg.h \
  fitness/mc.h fitness/race.h util/gset.h util/sort.h

fitness/fit.h:

accel_model/energy.h:

accel_model/arch.h:

util/err.h:

accel_model/map.h:

accel_model/layer.h:

accel_model/net.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/emu/faultmap.h:

approx/fault.h:

util/pcg.h:

fitness/mc.h:

fitness/race.h:

util/gset.h:

util/sort.h:
