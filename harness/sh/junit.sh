#!/bin/sh
# junit.sh RESULTS KMSG: RESULTS/junit.xml from RESULTS/tap/*.tap, made by
# prove with TAP::Formatter::JUnit (junit-tap.awk puts each test's
# diagnostics behind its result line first) and finished by junit-fix.awk
# (test names, skipped/XFAIL elements, per-test times).  KMSG is the guest's
# raw /dev/kmsg stream: each test's time runs from its "vfio-ct: begin"
# marker to the next marker of its program (the guest's clock).
# Keeps prove's own output and log in RESULTS/work/ for debugging.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
res=$1 kmsg=$2
work="$res/work"
mkdir -p "$work"
awk '
    /^ / { next }
    { h = $0; sub(/;.*/, "", h); split(h, f, ","); t = $0; sub(/^[^;]*;/, "", t) }
    function close_test(us) { if (test != "") printf "%s\t%s\t%.3f\n", cls, test, (us - start) / 1e6; test = "" }
    index(t, "vfio-ct: program begin ") == 1 {
        close_test(f[3]); cls = substr(t, 24); sub(/^suites\//, "", cls); sub(/\//, ".", cls); next }
    index(t, "vfio-ct: program end ") == 1 { close_test(f[3]); cls = ""; next }
    index(t, "vfio-ct: begin ") == 1 { close_test(f[3]); test = substr(t, 16); start = f[3] }' \
    "$kmsg" > "$work/test-times"
(cd "$res/tap" && prove --norc --formatter TAP::Formatter::JUnit \
    --exec "awk -f $top/harness/sh/junit-tap.awk" ./*.tap) \
    > "$work/junit.raw" 2> "$work/prove.log" || true
awk -v times="$work/test-times" -f "$top/harness/sh/junit-fix.awk" "$res"/tap/*.tap "$work/junit.raw" > "$res/junit.xml"
