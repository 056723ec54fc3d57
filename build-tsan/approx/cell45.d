build-tsan/approx/cell45.o: approx/cell45.c approx/cell45.h

approx/cell45.h:
