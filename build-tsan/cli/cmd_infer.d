build-tsan/cli/cmd_infer.o: cli/cmd_infer.c cli/args.h util/err.h \
  cli/commands.h accel_model/arch.h approx/fault.h util/pcg.h \
  approx/mult_lib.h approx/mult_metrics.h cli/glue.h \
  accel_model/energy.h accel_model/map.h accel_model/layer.h \
  fitness/emu/faultmap.h accel_model/net.h fitness/emu/emu.h \
  fitness/emu/pcache.h fitness/emu/qnet.h fitness/net/graph.h \
  fitness/emu/qmath.h fitness/emu/recover.h fitness/mc.h \
  fitness/net/fexec.h fitness/net/idx.h fitness/net/onnx_import.h \
  util/wallclock.h

cli/args.h:

util/err.h:

cli/commands.h:

accel_model/arch.h:

approx/fault.h:

util/pcg.h:

approx/mult_lib.h:

approx/mult_metrics.h:

cli/glue.h:

accel_model/energy.h:

accel_model/map.h:

accel_model/layer.h:

fitness/emu/faultmap.h:

accel_model/net.h:

fitness/emu/emu.h:

fitness/emu/pcache.h:

fitness/emu/qnet.h:

fitness/net/graph.h:

fitness/emu/qmath.h:

fitness/emu/recover.h:

fitness/mc.h:

fitness/net/fexec.h:

fitness/net/idx.h:

fitness/net/onnx_import.h:

util/wallclock.h:
