build-tsan/ga/pareto.o: ga/pareto.c ga/pareto.h util/sort.h

ga/pareto.h:

util/sort.h:
