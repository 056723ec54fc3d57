build-tsan/fitness/net/fexec.o: fitness/net/fexec.c fitness/net/fexec.h \
  fitness/net/graph.h util/err.h

fitness/net/fexec.h:

fitness/net/graph.h:

util/err.h:
