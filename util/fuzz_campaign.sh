#!/bin/sh
# The long fuzzing campaign: runs each libFuzzer target given until it has
# spent $FUZZ_CPU_SECONDS (default 3600) of CPU time in all, over as many
# sessions as it takes, on a corpus kept in $FUZZ_WORK (default
# build-fuzz/campaign). CPU time, not wall time, is what is budgeted: on a
# shared machine a fuzzer at low priority gets a fraction of a core. Each
# session appends one line to the ledger $FUZZ_LEDGER (default
# tests/fuzz/campaign.tsv, kept in the repository as the campaign's record):
#   target  started  cpu_s  executions  corpus  result
# and a target whose ledger already sums to the budget is skipped. Run at
# low priority beside other work:  nice -n 19 util/fuzz_campaign.sh build-fuzz/tests/fuzz/fuzz_*
# A finding stops that target (its input is in $FUZZ_WORK/<target>-*); fix
# it, keep the input in tests/fuzz/regress/<target>/, and run again: the
# spent CPU time counts on. $FUZZ_DEADLINE (seconds since the epoch, e.g.
# $(date -d 18:30 +%s)) ends the campaign then: the running session is
# stopped and recorded, no new one starts. tests/README.md reports the
# campaign.
set -u
# seeds, regression inputs and the ledger are found from here, whatever the
# caller's directory; the binaries and FUZZ_WORK are taken as given
root=$(cd "$(dirname "$0")/.." && pwd)
budget=${FUZZ_CPU_SECONDS:-3600}
work=${FUZZ_WORK:-$root/build-fuzz/campaign}
ledger=${FUZZ_LEDGER:-$root/tests/fuzz/campaign.tsv}
hz=$(getconf CLK_TCK)
deadline=${FUZZ_DEADLINE:-0}
mkdir -p "$work"
[ -f "$ledger" ] || printf 'target\tstarted\tcpu_s\texecutions\tcorpus\tresult\n' > "$ledger"

spent() { # CPU seconds the ledger holds for target $1
    awk -F'\t' -v t="$1" '$1 == t { s += $3 } END { printf "%d", s }' "$ledger"
}

cpu_of() { # CPU seconds of process $1 so far (utime + stime), 0 if gone
    awk -v hz="$hz" '{ printf "%d", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# CPU seconds of this shell's waited-for children, to the ms: call
# `times > "$work/.times"` in this shell (not in $(...), whose subshell
# has no children), then children_cpu
children_cpu() {
    awk 'NR == 2 { split($1, u, /[ms]/); split($2, k, /[ms]/)
                   printf "%.3f", u[1] * 60 + u[2] + k[1] * 60 + k[2] }' "$work/.times"
}

for bin in "$@"; do
    t=$(basename "$bin" | sed 's/^fuzz_//')
    if [ "$deadline" -gt 0 ] && [ "$(date +%s)" -ge "$deadline" ]; then
        echo "campaign: deadline reached, $t not started"
        break
    fi
    left=$((budget - $(spent "$t")))
    if [ "$left" -le 0 ]; then
        echo "campaign $t: $(spent "$t") CPU s spent already, nothing left to do"
        continue
    fi
    mkdir -p "$work/$t"
    for f in "$root"/tests/fuzz/corpus/"$t"/*; do
        [ -f "$f" ] && [ ! -e "$work/$t/$(basename "$f")" ] && cp "$f" "$work/$t/"
    done
    regress="$root"/tests/fuzz/regress/"$t"
    if [ -d "$regress" ] && ! "$bin" "$regress"/* > "$work/$t.regress.log" 2>&1; then
        echo "campaign $t: a regression input fails again (see $work/$t.regress.log)"
        continue
    fi
    max_len=65536
    [ "$t" = mults ] && max_len=140000
    started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    log="$work/$t.$started.log"
    # -timeout is wall time: at nice 19 beside a fully loaded machine a
    # unit that takes 0.5 s alone has passed 10 s (two such findings on
    # 2026-12-06), so the campaign allows 60; make fuzz keeps 10
    "$bin" -timeout=60 -rss_limit_mb=2048 -max_len="$max_len" -artifact_prefix="$work/$t-" \
        -print_final_stats=1 "$work/$t" > "$log" 2>&1 &
    pid=$!
    times > "$work/.times"
    before=$(children_cpu)
    while kill -0 "$pid" 2>/dev/null; do
        sleep 10
        if [ "$(cpu_of "$pid")" -ge "$left" ] ||
           { [ "$deadline" -gt 0 ] && [ "$(date +%s)" -ge "$deadline" ]; }; then
            kill -INT "$pid" 2>/dev/null
            break
        fi
    done
    wait "$pid"
    rc=$?
    # the fuzzer's whole CPU time once it has been waited for (the
    # polling above sees it only every 10 s); the sleeps and awks that
    # also count here take milliseconds
    times > "$work/.times"
    used=$(awk -v a="$before" -v b="$(children_cpu)" 'BEGIN { printf "%d", b - a + 0.5 }')
    rm -rf /tmp/axsearch-fuzz-"$pid"-*
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    units=$(ls "$work/$t" | wc -l)
    if grep -q 'run interrupted\|Done [0-9]* runs' "$log" || [ "$rc" -eq 0 ]; then
        result=clean
    else
        result="FOUND (status $rc, $log)"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$started" "$used" "${execs:-?}" "$units" "$result" >> "$ledger"
    echo "campaign $t: $used CPU s this session, $(spent "$t") in all, ${execs:-?} executions, corpus $units: $result"
done
