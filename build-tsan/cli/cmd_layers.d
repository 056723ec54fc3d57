build-tsan/cli/cmd_layers.o: cli/cmd_layers.c cli/args.h util/err.h \
  cli/commands.h cli/glue.h accel_model/arch.h accel_model/energy.h \
  accel_model/map.h accel_model/layer.h approx/mult_lib.h \
  approx/mult_metrics.h fitness/emu/faultmap.h accel_model/net.h \
  approx/fault.h util/pcg.h fitness/emu/emu.h fitness/emu/pcache.h \
  fitness/emu/qnet.h fitness/net/graph.h fitness/emu/qmath.h \
  fitness/emu/recover.h cli/run_env.h cli/scfg.h fitness/fit.h \
  fitness/mc.h fitness/net/idx.h ga/nsga.h fitness/race.h util/fileio.h \
  util/wallclock.h

cli/args.h:

util/err.h:

cli/commands.h:

cli/glue.h:

accel_model/arch.h:

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

cli/run_env.h:

cli/scfg.h:

fitness/fit.h:

fitness/mc.h:

fitness/net/idx.h:

ga/nsga.h:

fitness/race.h:

util/fileio.h:

util/wallclock.h:
