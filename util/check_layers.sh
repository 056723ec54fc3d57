#!/bin/sh
# Checks the layering rule of util/layers.txt over the tree at ROOT
# (default: the current folder): every #include "x/..." of a part's .c and
# .h files must name the part itself or one it may use. Prints each
# offending line as FILE:LINE and exits 1; exits 0 when the tree keeps the
# rule. A folder of C files that layers.txt does not list is an error too.
set -u
root=${1:-.}
rules="$root/util/layers.txt"
[ -r "$rules" ] || { echo "check_layers: $rules: cannot read" >&2; exit 2; }
cd "$root" || exit 2
bad=0
# Every folder holding .c or .h files (outside build trees) must be a part.
for d in $(find . -name build -prune -o -name 'build-*' -prune -o -name '.*' ! -name . -prune -o \
               \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||; s|/[^/]*$||' | sort -u); do
    if ! grep -q "^$d:" util/layers.txt; then
        echo "$d/: a folder of C files that util/layers.txt does not list"
        bad=1
    fi
done
while IFS= read -r line; do
    case "$line" in '#'* | '') continue ;; esac
    part=${line%%:*}
    allowed=" $part ${line#*:} "
    for f in "$part"/*.c "$part"/*.h; do
        [ -e "$f" ] || continue
        # Part of each quoted include: fitness/x/y.h -> fitness/x, a/b.h -> a.
        out=$(awk -v allowed="$allowed" -v file="$f" -v part="$part" '
            /^[ \t]*#[ \t]*include[ \t]*"/ {
                inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
                n = split(inc, c, "/")
                if (n < 2) next                      # same folder
                used = (n >= 3 && c[1] == "fitness") ? c[1] "/" c[2] : c[1]
                if (allowed ~ / \* /) next
                if (index(allowed, " " used " ") == 0)
                    printf "%s:%d: includes \"%s\": %s/ may not use %s/ (util/layers.txt)\n", file, NR, inc, part, used
            }' "$f")
        if [ -n "$out" ]; then
            echo "$out"
            bad=1
        fi
    done
done < util/layers.txt
[ "$bad" -eq 0 ] && echo "check-layers: every include keeps util/layers.txt"
exit $bad
