build-tsan/cli/cmd_search.o: cli/cmd_search.c cli/args.h util/err.h \
  cli/commands.h cli/scfg.h cli/search.h cli/run_env.h \
  accel_model/arch.h accel_model/net.h accel_model/energy.h \
  accel_model/map.h accel_model/layer.h approx/fault.h util/pcg.h \
  approx/mult_lib.h approx/mult_metrics.h fitness/fit.h \
  fitness/emu/emu.h fitness/emu/pcache.h fitness/emu/qnet.h \
  fitness/net/graph.h fitness/emu/qmath.h fitness/emu/faultmap.h \
  fitness/mc.h fitness/emu/recover.h fitness/net/idx.h ga/nsga.h \
  cli/run_state.h util/bytebuf.h util/fileio.h

cli/args.h:

util/err.h:

cli/commands.h:

cli/scfg.h:

cli/search.h:

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

util/fileio.h:
