build-tsan/ga/nsga.o: ga/nsga.c ga/nsga.h util/err.h ga/pareto.h \
  ga/variation.h util/pcg.h util/bytebuf.h util/frame.h util/gset.h \
  util/sort.h util/wallclock.h

ga/nsga.h:

util/err.h:

ga/pareto.h:

ga/variation.h:

util/pcg.h:

util/bytebuf.h:

util/frame.h:

util/gset.h:

util/sort.h:

util/wallclock.h:
