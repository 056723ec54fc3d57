build-tsan/approx/mfam_perf.o: approx/mfam_perf.c approx/mbuild.h \
  approx/netlist.h approx/cell45.h util/err.h approx/mfam.h

approx/mbuild.h:

approx/netlist.h:

approx/cell45.h:

util/err.h:

approx/mfam.h:
