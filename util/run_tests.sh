#!/bin/sh
# Runs every test binary given, prints each one's cmocka report, then one
# closing summary over all of them. Exit status 0 only if every test passed.
set -u
groups=0; run=0; failed=0; broken=""
for t in "$@"; do
    groups=$((groups + 1))
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    n=$(printf '%s\n' "$out" | sed -n 's/^\[==========\] \([0-9]*\) test(s) run\./\1/p' | awk '{s+=$1} END {print s+0}')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' | awk '{s+=$1} END {print s+0}')
    run=$((run + n)); failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        # Crashed or exited early: count the binary itself as a failure.
        failed=$((failed + 1)); broken="$broken $(basename "$t")(rc=$rc)"
    fi
done
if [ "$failed" -eq 0 ]; then
    echo "SUMMARY: $run tests in $groups groups: all passed"
else
    echo "SUMMARY: $run tests in $groups groups: $failed FAILED$broken"
    exit 1
fi
