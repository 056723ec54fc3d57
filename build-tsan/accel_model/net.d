build-tsan/accel_model/net.o: accel_model/net.c accel_model/net.h \
  accel_model/arch.h util/err.h accel_model/energy.h accel_model/map.h \
  accel_model/layer.h accel_model/dataflow.h

accel_model/net.h:

accel_model/arch.h:

util/err.h:

accel_model/energy.h:

accel_model/map.h:

accel_model/layer.h:

accel_model/dataflow.h:
