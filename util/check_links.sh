#!/bin/sh
# Checks the relative links of Markdown files: every link's target file
# exists, and every #anchor names a heading of its target (GitHub's slugs:
# lower case, punctuation dropped, spaces as hyphens, -1, -2 for repeats).
# Links to http(s) and mailto addresses are not checked.
# Usage, from the repository root:
#   util/check_links.sh              every Markdown file git tracks
#   util/check_links.sh FILE.md ...  these files
# Prints each broken link as FILE:LINE: TARGET (why); exit status 1 if any.
set -u

# Slugs of the headings of a Markdown file, one a line (fenced code skipped).
slugs() {
    awk '
        /^(```|~~~)/ { fence = !fence; next }
        fence { next }
        /^#+[ \t]/ {
            s = $0
            sub(/^#+[ \t]+/, "", s); sub(/[ \t#]+$/, "", s)
            s = tolower(s)
            gsub(/[^a-z0-9 _-]/, "", s)
            gsub(/ /, "-", s)
            if (s in seen) { n = seen[s]++; print s "-" n } else { seen[s] = 1; print s }
        }' "$1"
}

# FILE LINE TARGET for every inline link ](...) outside fenced code.
links() {
    awk '
        /^(```|~~~)/ { fence = !fence; next }
        fence { next }
        {
            line = $0
            while (match(line, /\]\([^) ]+\)/)) {
                t = substr(line, RSTART + 2, RLENGTH - 3)
                print FILENAME "\t" FNR "\t" t
                line = substr(line, RSTART + RLENGTH)
            }
        }' "$@"
}

if [ $# -eq 0 ]; then
    set -- $(git ls-files '*.md')
fi

bad=0
tab=$(printf '\t')
links "$@" > "${TMPDIR:-/tmp}/check_links.$$" || exit 2
while IFS="$tab" read -r file line target; do
    case "$target" in
        http://* | https://* | mailto:*) continue ;;
    esac
    path=${target%%#*}
    anchor=""
    case "$target" in *'#'*) anchor=${target#*#} ;; esac
    if [ -z "$path" ]; then
        dest=$file
    else
        dest=$(dirname "$file")/$path
    fi
    if [ ! -e "$dest" ]; then
        echo "$file:$line: $target (no such file)"
        bad=1
        continue
    fi
    if [ -n "$anchor" ]; then
        case "$dest" in
            *.md)
                if ! slugs "$dest" | grep -qxF "$anchor"; then
                    echo "$file:$line: $target (no such heading)"
                    bad=1
                fi ;;
        esac
    fi
done < "${TMPDIR:-/tmp}/check_links.$$"
rm -f "${TMPDIR:-/tmp}/check_links.$$"
exit $bad
