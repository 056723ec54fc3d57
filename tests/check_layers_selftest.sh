#!/bin/sh
# Proves that util/check_layers.sh can fail: on a copy of the tree it
# passes, then refuses (naming the file and line) a forbidden include
# planted in ga/, one planted in fitness/emu/, and a folder of C files that
# util/layers.txt does not list.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for d in util ga approx accel_model fitness cli benchmarks tests; do cp -r "$src/$d" "$tmp/"; done
fail() { echo "check_layers_selftest: $*"; exit 1; }
"$src/util/check_layers.sh" "$tmp" > "$tmp/out" || fail "a copy of the tree was refused: $(cat "$tmp/out")"
expect_refused() { # file, line, text
    if "$src/util/check_layers.sh" "$tmp" > "$tmp/out"; then fail "$1 was accepted"; fi
    grep -q "^$1:$2: " "$tmp/out" || fail "no message naming $1:$2: $(cat "$tmp/out")"
    grep -q "$3" "$tmp/out" || fail "message lacks '$3': $(cat "$tmp/out")"
}
printf '/* planted */\n#include "fitness/fit.h"\n' > "$tmp/ga/planted.c"
expect_refused ga/planted.c 2 'ga/ may not use fitness/'
rm "$tmp/ga/planted.c"
printf '#include "util/err.h"\n#include <stdio.h>\n#include "cli/run_env.h"\n' > "$tmp/fitness/emu/planted.h"
expect_refused fitness/emu/planted.h 3 'fitness/emu/ may not use cli/'
rm "$tmp/fitness/emu/planted.h"
mkdir "$tmp/newpart" && printf 'int x;\n' > "$tmp/newpart/x.c"
if "$src/util/check_layers.sh" "$tmp" > "$tmp/out"; then fail "an unlisted folder was accepted"; fi
grep -q "^newpart/: " "$tmp/out" || fail "no message naming newpart/: $(cat "$tmp/out")"
echo "check_layers_selftest: a clean tree passes; planted includes and an unlisted folder are refused"
