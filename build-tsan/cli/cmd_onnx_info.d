build-tsan/cli/cmd_onnx_info.o: cli/cmd_onnx_info.c cli/args.h util/err.h \
  cli/commands.h fitness/net/graph.h fitness/net/onnx_import.h

cli/args.h:

util/err.h:

cli/commands.h:

fitness/net/graph.h:

fitness/net/onnx_import.h:
