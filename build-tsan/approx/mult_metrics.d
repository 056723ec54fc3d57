build-tsan/approx/mult_metrics.o: approx/mult_metrics.c \
  approx/mult_metrics.h util/err.h

approx/mult_metrics.h:

util/err.h:
