build-tsan/fitness/net/nodetest.o: fitness/net/nodetest.c \
  fitness/net/nodetest.h util/err.h fitness/net/fexec.h \
  fitness/net/graph.h fitness/net/onnx_import.h \
  build-tsan/gen/onnx/onnx.pb-c.h util/fileio.h

fitness/net/nodetest.h:

util/err.h:

fitness/net/fexec.h:

fitness/net/graph.h:

fitness/net/onnx_import.h:

build-tsan/gen/onnx/onnx.pb-c.h:

util/fileio.h:
