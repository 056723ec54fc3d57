build-tsan/cli/cmd_onnx_test.o: cli/cmd_onnx_test.c cli/args.h util/err.h \
  cli/commands.h fitness/net/nodetest.h

cli/args.h:

util/err.h:

cli/commands.h:

fitness/net/nodetest.h:
