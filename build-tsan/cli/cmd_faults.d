build-tsan/cli/cmd_faults.o: cli/cmd_faults.c accel_model/arch.h \
  util/err.h approx/fault.h util/pcg.h cli/args.h cli/commands.h \
  cli/glue.h accel_model/energy.h accel_model/map.h accel_model/layer.h \
  approx/mult_lib.h approx/mult_metrics.h fitness/emu/faultmap.h \
  accel_model/net.h fitness/emu/emu.h fitness/emu/pcache.h \
  fitness/emu/qnet.h fitness/net/graph.h fitness/emu/qmath.h \
  fitness/emu/recover.h fitness/net/idx.h fitness/mc.h util/fileio.h

accel_model/arch.h:

util/err.h:

approx/fault.h:

util/pcg.h:

cli/args.h:

cli/commands.h:

cli/glue.h:

accel_model/energy.h:

accel_model/map.h:

accel_model/layer.h:

approx/mult_lib.h:

approx/mult_metrics.h:

fitness/emu/faultmap.h:

accel_model/net.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/emu/recover.h:

fitness/net/idx.h:

fitness/mc.h:

util/fileio.h:
