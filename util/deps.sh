#!/bin/sh
# Installs the Debian packages axsearch needs, and only those that are missing.
# Usage: util/deps.sh            (build, test, run)
#        util/deps.sh --train    (also what models/train.py needs to retrain)
#        util/deps.sh --numpy    (also python3-numpy: make colour-data)
#        util/deps.sh --fuzz     (also clang, its libFuzzer and OpenMP runtimes: make fuzz, make tsan)
#        util/deps.sh --valgrind (also valgrind: make valgrind)
#        util/deps.sh --mpi      (also Open MPI: make MPI=1, and make test then runs tests/test_mpi.c)
set -eu

pkgs="gcc make pkg-config zlib1g-dev libinih-dev libcmocka-dev
      libprotobuf-c-dev protobuf-c-compiler libonnx-dev libonnx-testdata
      libpng-dev libjpeg62-turbo-dev dataset-fashion-mnist gnuplot-nox"
if [ "${1:-}" = "--train" ]; then
    pkgs="$pkgs python3 python3-torch python3-numpy python3-onnx"
fi
if [ "${1:-}" = "--numpy" ]; then
    pkgs="$pkgs python3 python3-numpy"
fi
if [ "${1:-}" = "--mpi" ]; then
    pkgs="$pkgs libopenmpi-dev openmpi-bin"
fi
if [ "${1:-}" = "--valgrind" ]; then
    pkgs="$pkgs valgrind"
fi
if [ "${1:-}" = "--fuzz" ]; then
    pkgs="$pkgs clang libclang-rt-14-dev libomp-14-dev"
fi

missing=""
for p in $pkgs; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps: not root and no sudo; please install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A stale package index makes apt-get fail on packages that exist; refresh once.
$sudo apt-get install -y --no-install-recommends $missing || {
    $sudo apt-get update && $sudo apt-get install -y --no-install-recommends $missing
}
