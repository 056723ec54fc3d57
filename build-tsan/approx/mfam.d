build-tsan/approx/mfam.o: approx/mfam.c approx/mfam.h approx/netlist.h \
  approx/cell45.h util/err.h approx/mbuild.h

approx/mfam.h:

approx/netlist.h:

approx/cell45.h:

util/err.h:

approx/mbuild.h:
