build-tsan/approx/mbuild.o: approx/mbuild.c approx/mbuild.h \
  approx/netlist.h approx/cell45.h util/err.h

approx/mbuild.h:

approx/netlist.h:

approx/cell45.h:

util/err.h:
