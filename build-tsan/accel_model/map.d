build-tsan/accel_model/map.o: accel_model/map.c accel_model/map.h \
  accel_model/arch.h util/err.h accel_model/layer.h accel_model/energy.h

accel_model/map.h:

accel_model/arch.h:

util/err.h:

accel_model/layer.h:

accel_model/energy.h:
