build-tsan/approx/netlist.o: approx/netlist.c approx/netlist.h \
  approx/cell45.h util/err.h

approx/netlist.h:

approx/cell45.h:

util/err.h:
