build-tsan/accel_model/energy.o: accel_model/energy.c \
  accel_model/energy.h accel_model/arch.h util/err.h accel_model/map.h \
  accel_model/layer.h accel_model/tech.h

accel_model/energy.h:

accel_model/arch.h:

util/err.h:

accel_model/map.h:

accel_model/layer.h:

accel_model/tech.h:
