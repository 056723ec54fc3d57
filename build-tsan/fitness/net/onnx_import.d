build-tsan/fitness/net/onnx_import.o: fitness/net/onnx_import.c \
  fitness/net/onnx_import.h fitness/net/graph.h util/err.h \
  fitness/net/fexec.h build-tsan/gen/onnx/onnx.pb-c.h util/fileio.h

fitness/net/onnx_import.h:

fitness/net/graph.h:

util/err.h:

fitness/net/fexec.h:

build-tsan/gen/onnx/onnx.pb-c.h:

util/fileio.h:
