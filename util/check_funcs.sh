#!/bin/sh
# Lists functions longer than LIMIT lines (default 120) in the .c files of
# the parts outside tests/ (the house style: a function does one job).
# A function is a line "{" at column 0 up to the next "}" at column 0, the
# layout every file here keeps. Exit 1 when any is found.
set -u
limit=${LIMIT:-120}
cd "${1:-.}" || exit 2
out=$(awk -v limit="$limit" '
    FNR == 1 { start = 0 }
    /^\{$/ { start = FNR; sig = prev; next }
    /^\}/ { if (start) { len = FNR - start + 1; if (len > limit) printf "%s:%d: %d lines: %s\n", FILENAME, start, len, sig; start = 0 } }
    { if ($0 !~ /^[ \t]/ && $0 != "") prev = $0 }
' util/*.c ga/*.c approx/*.c accel_model/*.c fitness/*.c fitness/*/*.c cli/*.c benchmarks/*.c)
if [ -n "$out" ]; then
    echo "$out"
    echo "check-funcs: functions longer than $limit lines (split them)"
    exit 1
fi
echo "check-funcs: no function longer than $limit lines outside tests/"
