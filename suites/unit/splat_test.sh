#!/bin/sh
# splat_test.sh: offline tests of the one kernel-splat detector
# (harness/sh/splat.awk), as TAP.  Runs under dash and busybox ash, with the
# awk in VCT_AWK (make unit runs mawk and busybox awk).
#  - every kind splat.awk names has fixtures/splat/KIND.kmsg, and the
#    detector's output on it is exactly KIND.expected, whose first splat is
#    of that KIND;
#  - every other fixture (a real boot log, ordinary lines that mention BUG
#    or WARNING, dictionary and continuation records, a console log, the
#    context bound) is exactly its .expected (empty: no splat).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
awk_cmd=${VCT_AWK:-awk}
fx="$top/fixtures/splat"
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"

# detect FIXTURE: the detector's output on it, exactly as expected.
detect() {
    # in a UTF-8 locale, where gawk's "." stops at a byte that is not
    # UTF-8 (not-utf8.kmsg); the detector must not depend on the locale
    # shellcheck disable=SC2086 # VCT_AWK may be "busybox awk"
    LC_ALL=C.UTF-8 $awk_cmd -f "$top/harness/sh/splat.awk" "$1" > "$tmp/got"
    diff -u "${1%.*}.expected" "$tmp/got"
}

# kind_case KIND: KIND.kmsg yields exactly KIND.expected, with a KIND line.
kind_case() {
    detect "$fx/$1.kmsg" || return 1
    cut -f1 "$tmp/got" | grep -qx "$1" || { echo "no splat of kind '$1'"; return 1; }
}

kinds=$(sed -n -e 's/.*return "\([a-z_]*\)".*/\1/p' -e 's/.*flush_cut("\([a-z_]*\)").*/\1/p' "$top/harness/sh/splat.awk" | sort -u)
others=$(cd "$fx" && ls -1 ./*.kmsg ./*.log | sed 's|^\./||' | while read -r f; do
    k=${f%.*}; printf '%s\n' "$kinds" | grep -qx "$k" || printf '%s\n' "$f"; done)

total=$(($(printf '%s\n' "$kinds" | grep -c .) + $(printf '%s\n' "$others" | grep -c .) + 2))
echo "TAP version 13"
echo "1..$total"

every_kind_has_a_fixture() {
    for k in $kinds; do [ -f "$fx/$k.kmsg" ] && [ -f "$fx/$k.expected" ] || { echo "no fixture for $k"; return 1; }; done
}
check splat.every_kind_has_a_fixture every_kind_has_a_fixture
for k in $kinds; do
    check "splat.kind_${k}_detected" kind_case "$k"
done
for f in $others; do
    check "splat.fixture_$(printf '%s' "${f%.*}" | tr -c 'A-Za-z0-9_\n' '_')_exactly_as_expected" detect "$fx/$f"
done

# The detector is a filter: no arguments and no input give no output.
empty_input_no_output() {
    # shellcheck disable=SC2086
    out=$($awk_cmd -f "$top/harness/sh/splat.awk" < /dev/null)
    [ -z "$out" ]
}
check splat.empty_input_gives_no_output empty_input_no_output

[ "$n" = "$total" ] || { echo "# plan mismatch: ran $n of $total"; failed=1; }
exit "$failed"
