build-tsan/tests/onnx_build.o: tests/onnx_build.c tests/onnx_build.h \
  fitness/net/graph.h util/err.h fitness/net/onnx_import.h \
  build-tsan/gen/onnx/onnx.pb-c.h

tests/onnx_build.h:

fitness/net/graph.h:

util/err.h:

fitness/net/onnx_import.h:

build-tsan/gen/onnx/onnx.pb-c.h:
