build-tsan/fitness/emu/qmath.o: fitness/emu/qmath.c fitness/emu/qmath.h

fitness/emu/qmath.h:
