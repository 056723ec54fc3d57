build-tsan/accel_model/layer.o: accel_model/layer.c accel_model/layer.h \
  util/err.h util/fileio.h

accel_model/layer.h:

util/err.h:

util/fileio.h:
