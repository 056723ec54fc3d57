build-tsan/cli/cmd_energy.o: cli/cmd_energy.c accel_model/arch.h \
  util/err.h accel_model/energy.h accel_model/map.h accel_model/layer.h \
  accel_model/net.h accel_model/tech.h cli/args.h cli/commands.h \
  cli/glue.h approx/mult_lib.h approx/mult_metrics.h \
  fitness/emu/faultmap.h approx/fault.h util/pcg.h fitness/emu/emu.h \
  fitness/emu/pcache.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/emu/recover.h fitness/net/onnx_import.h \
  util/fileio.h

accel_model/arch.h:

util/err.h:

accel_model/energy.h:

accel_model/map.h:

accel_model/layer.h:

accel_model/net.h:

accel_model/tech.h:

cli/args.h:

cli/commands.h:

cli/glue.h:

approx/mult_lib.h:

approx/mult_metrics.h:

fitness/emu/faultmap.h:

approx/fault.h:

util/pcg.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/emu/recover.h:

fitness/net/onnx_import.h:

util/fileio.h:
