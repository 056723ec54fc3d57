build-tsan/ga/indicator.o: ga/indicator.c ga/indicator.h ga/pareto.h \
  util/sort.h

ga/indicator.h:

ga/pareto.h:

util/sort.h:
