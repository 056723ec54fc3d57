build-tsan/accel_model/dataflow.o: accel_model/dataflow.c \
  accel_model/dataflow.h accel_model/layer.h util/err.h \
  accel_model/map.h accel_model/arch.h

accel_model/dataflow.h:

accel_model/layer.h:

util/err.h:

accel_model/map.h:

accel_model/arch.h:
