build-tsan/approx/mfam_trunc.o: approx/mfam_trunc.c approx/mbuild.h \
  approx/netlist.h approx/cell45.h util/err.h approx/mfam.h

approx/mbuild.h:

approx/netlist.h:

approx/cell45.h:

util/err.h:

approx/mfam.h:
