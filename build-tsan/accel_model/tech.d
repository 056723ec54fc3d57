build-tsan/accel_model/tech.o: accel_model/tech.c accel_model/tech.h \
  util/err.h

accel_model/tech.h:

util/err.h:
