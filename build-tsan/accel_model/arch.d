build-tsan/accel_model/arch.o: accel_model/arch.c accel_model/arch.h \
  util/err.h accel_model/tech.h util/fileio.h

accel_model/arch.h:

util/err.h:

accel_model/tech.h:

util/fileio.h:
