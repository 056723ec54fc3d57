build-tsan/approx/mfam_mitchell.o: approx/mfam_mitchell.c approx/mbuild.h \
  approx/netlist.h approx/cell45.h util/err.h approx/mfam.h

approx/mbuild.h:

approx/netlist.h:

approx/cell45.h:

util/err.h:

approx/mfam.h:
