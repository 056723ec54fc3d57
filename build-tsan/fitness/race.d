build-tsan/fitness/race.o: fitness/race.c fitness/race.h

fitness/race.h:
