build-tsan/cli/run_state.o: cli/run_state.c cli/run_state.h fitness/fit.h \
  accel_model/energy.h accel_model/arch.h util/err.h accel_model/map.h \
  accel_model/layer.h accel_model/net.h fitness/emu/emu.h \
  fitness/emu/pcache.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/emu/faultmap.h approx/fault.h util/pcg.h \
  fitness/mc.h util/bytebuf.h

cli/run_state.h:

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

util/bytebuf.h:
