build-tsan/approx/mfam_drum.o: approx/mfam_drum.c approx/mbuild.h \
  approx/netlist.h approx/cell45.h util/err.h approx/mfam.h

approx/mbuild.h:

approx/netlist.h:

approx/cell45.h:

util/err.h:

approx/mfam.h:
