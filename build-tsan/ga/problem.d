build-tsan/ga/problem.o: ga/problem.c ga/problem.h util/err.h ga/pareto.h

ga/problem.h:

util/err.h:

ga/pareto.h:
