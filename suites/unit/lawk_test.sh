#!/bin/sh
# lawk_test.sh: harness/sh/lawk.sh, the awk of the runner's stream filters,
# reads a pipe line by line (mawk, Debian's default awk, reads it in blocks
# unless told otherwise), as TAP.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"
# shellcheck source=harness/sh/lawk.sh
. "$top/harness/sh/lawk.sh"

# The writer sends a line, then waits (at most 5 s) for the filter to have
# acted on it before it sends the next and closes the pipe.  A filter that
# reads in blocks sees nothing until then: the writer says it waited in vain.
# WAITS says how the writer fared; FILTER... is the filter.
feed() {
    rm -f "$tmp/seen"
    { echo first; i=0
      while [ ! -e "$tmp/seen" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
      if [ -e "$tmp/seen" ]; then echo "# writer: line acted on before the next was sent" >&2
      else echo "# writer: nothing acted on the line within 5 s" >&2; fi
      echo second; } 2> "$tmp/writer" | "$@" > "$tmp/filtered"
    cat "$tmp/writer"
    printf 'first\nsecond\n' | diff -u - "$tmp/filtered" && grep -q 'acted on before' "$tmp/writer"
}
filter() { lawk -v seen="$tmp/seen" '{ print; fflush() } $0 == "first" { printf "" > seen; close(seen) }'; }
lawk_acts_on_each_line_as_it_arrives() { feed filter; }
# the check itself sees a block-reading filter: mawk without -W interactive
mawk_filter() { mawk -v seen="$tmp/seen" '{ print; fflush() } $0 == "first" { printf "" > seen; close(seen) }'; }
block_reader_is_seen() {
    command -v mawk > /dev/null || { echo "no mawk here"; return 0; }
    ! feed mawk_filter
}

check lawk.filter_acts_on_each_line_as_it_arrives lawk_acts_on_each_line_as_it_arrives
check lawk.block_reading_mawk_is_caught_by_the_check block_reader_is_seen
echo "1..$n"
exit "$failed"
