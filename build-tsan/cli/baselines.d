build-tsan/cli/baselines.o: cli/baselines.c cli/baselines.h cli/results.h \
  cli/run_env.h accel_model/arch.h util/err.h accel_model/net.h \
  accel_model/energy.h accel_model/map.h accel_model/layer.h \
  approx/fault.h util/pcg.h approx/mult_lib.h approx/mult_metrics.h \
  cli/scfg.h fitness/fit.h fitness/emu/emu.h fitness/emu/pcache.h \
  fitness/emu/qnet.h fitness/net/graph.h fitness/emu/qmath.h \
  fitness/emu/faultmap.h fitness/mc.h fitness/emu/recover.h \
  fitness/net/idx.h ga/nsga.h cli/run_state.h util/bytebuf.h ga/pareto.h \
  util/fileio.h util/frame.h util/gset.h util/wallclock.h

cli/baselines.h:

cli/results.h:

cli/run_env.h:

accel_model/arch.h:

util/err.h:

accel_model/net.h:

accel_model/energy.h:

accel_model/map.h:

accel_model/layer.h:

approx/fault.h:

util/pcg.h:

approx/mult_lib.h:

approx/mult_metrics.h:

cli/scfg.h:

fitness/fit.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/emu/faultmap.h:

fitness/mc.h:

fitness/emu/recover.h:

fitness/net/idx.h:

ga/nsga.h:

cli/run_state.h:

util/bytebuf.h:

ga/pareto.h:

util/fileio.h:

util/frame.h:

util/gset.h:

util/wallclock.h:
