build-tsan/approx/mult_lib.o: approx/mult_lib.c approx/mult_lib.h \
  approx/mult_metrics.h util/err.h approx/cell45.h approx/mfam.h \
  approx/netlist.h util/fileio.h util/pcg.h

approx/mult_lib.h:

approx/mult_metrics.h:

util/err.h:

approx/cell45.h:

approx/mfam.h:

approx/netlist.h:

util/fileio.h:

util/pcg.h:
