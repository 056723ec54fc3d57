build-tsan/ga/variation.o: ga/variation.c ga/variation.h util/pcg.h

ga/variation.h:

util/pcg.h:
