build-tsan/fitness/net/idx.o: fitness/net/idx.c fitness/net/idx.h \
  util/err.h

fitness/net/idx.h:

util/err.h:
