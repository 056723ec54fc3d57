build-tsan/fitness/net/graph.o: fitness/net/graph.c fitness/net/graph.h \
  util/err.h

fitness/net/graph.h:

util/err.h:
