#!/bin/sh
# Runs each libFuzzer target given for $FUZZ_SECONDS (default 30) seconds
# on a working corpus in $FUZZ_WORK (build-fuzz/corpus): first every
# regression input of tests/fuzz/regress/<target>/ once (each must pass),
# then the fuzzer from the seeds of tests/fuzz/corpus/<target>/ (and, for
# onnx, the ONNX node-test models of Debian's libonnx-testdata). Prints one
# line per target: executions, corpus size, and whether it found anything
# (a crash, leak, sanitizer report or timeout); exit status 1 if one did.
# The crashing input is left in $FUZZ_WORK/<target>-crash-*.
set -u
# seeds, regression inputs and the ledger are found from here, whatever the
# caller's directory; the binaries and FUZZ_WORK are taken as given
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-30}
work=${FUZZ_WORK:-$root/build-fuzz/corpus}
node_tests=/usr/share/libonnx-testdata/data/node
failed=0
for bin in "$@"; do
    t=$(basename "$bin" | sed 's/^fuzz_//')
    mkdir -p "$work/$t"
    for f in "$root"/tests/fuzz/corpus/"$t"/*; do
        [ -f "$f" ] && [ ! -e "$work/$t/$(basename "$f")" ] && cp "$f" "$work/$t/"
    done
    if [ "$t" = onnx ] && [ -d "$node_tests" ]; then
        for d in "$node_tests"/test_conv_* "$node_tests"/test_gemm_* "$node_tests"/test_batchnorm_* \
                 "$node_tests"/test_maxpool_* "$node_tests"/test_reshape_*; do
            dst="$work/$t/$(basename "$d").onnx"
            [ -f "$d/model.onnx" ] && [ ! -e "$dst" ] && cp "$d/model.onnx" "$dst"
        done
    fi
    # a product table is exactly 131,072 bytes; the other formats need less
    max_len=65536
    [ "$t" = mults ] && max_len=140000
    regress="$root"/tests/fuzz/regress/"$t"
    if [ -d "$regress" ] && ! "$bin" "$regress"/* > "$work/$t.regress.log" 2>&1; then
        echo "fuzz $t: a regression input fails again (see $work/$t.regress.log)"
        failed=1
        continue
    fi
    log="$work/$t.log"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
        -artifact_prefix="$work/$t-" -print_final_stats=1 "$work/$t" > "$log" 2>&1 &
    pid=$!
    wait "$pid"
    rc=$?
    # this target's scratch files only (tests/fuzz/fuzz_support.h), so
    # that runners working side by side leave each other's alone
    rm -rf /tmp/axsearch-fuzz-"$pid"-*
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    units=$(ls "$work/$t" | wc -l)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz $t: ${execs:-?} executions in ${secs} s, corpus $units inputs, nothing found"
    else
        echo "fuzz $t: FOUND something after ${execs:-?} executions (status $rc; $log, $work/$t-*)"
        failed=1
    fi
done
exit $failed
