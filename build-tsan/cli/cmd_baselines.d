build-tsan/cli/cmd_baselines.o: cli/cmd_baselines.c cli/args.h util/err.h \
  cli/baselines.h cli/results.h cli/run_env.h accel_model/arch.h \
  accel_model/net.h accel_model/energy.h accel_model/map.h \
  accel_model/layer.h approx/fault.h util/pcg.h approx/mult_lib.h \
  approx/mult_metrics.h cli/scfg.h fitness/fit.h fitness/emu/emu.h \
  fitness/emu/pcache.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/emu/faultmap.h fitness/mc.h \
  fitness/emu/recover.h fitness/net/idx.h ga/nsga.h cli/run_state.h \
  util/bytebuf.h cli/commands.h cli/search.h util/fileio.h

cli/args.h:

util/err.h:

cli/baselines.h:

cli/results.h:

cli/run_env.h:

accel_model/arch.h:

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

cli/commands.h:

cli/search.h:

util/fileio.h:
