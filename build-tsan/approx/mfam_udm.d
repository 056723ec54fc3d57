build-tsan/approx/mfam_udm.o: approx/mfam_udm.c approx/mbuild.h \
  approx/netlist.h approx/cell45.h util/err.h approx/mfam.h

approx/mbuild.h:

approx/netlist.h:

approx/cell45.h:

util/err.h:

approx/mfam.h:
