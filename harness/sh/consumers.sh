#!/bin/sh
# consumers.sh RESULTS: check that what each consumer of a run reads agrees.
#   run.json      the runner's counts
#   junit.xml     what Jenkins reads: testcases, <failure>, <skipped> (type
#                 xfail / xfail-known for XFAIL), XPASS as a passing
#                 testcase; and its shape: every testcase has a time, every
#                 failure a message and its diagnostics, every skipped a
#                 message, no testsuite named after its file (".._tap")
#   TAP::Parser   Perl's TAP parser on combined.tap, every block un-nested
#                 (tap-parse.pl)
#   LKFT          the flattening Linaro's test-definitions kselftest parse
#                 path does (parse-output.py: every line containing
#                 "not ok N" is a fail, "ok N" a pass, or a skip with
#                 "# SKIP"; nested lines are the tests, "selftests:" lines
#                 the programs), written again here in awk; it knows no
#                 XFAIL/XPASS, so its pass is pass + xfail + xpass
# Prints the table, one line per consumer, and "ok"/"MISMATCH" lines;
# exits 1 on any mismatch.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
res=${1:?usage: consumers.sh RESULTS}
for f in run.json junit.xml combined.tap; do
    [ -f "$res/$f" ] || { echo "consumers.sh: no $res/$f" >&2; exit 2; }
done
keys="pass fail skip xfail xfail_known xpass xpass_known"

runjson=$(awk -v keys="$keys" '/"counts":/ {
        n = split(keys, k, " ")
        for (i = 1; i <= n; i++) { v = "?"; if (match($0, "\"" k[i] "\": [0-9]+")) { v = substr($0, RSTART, RLENGTH); sub(/.*: /, "", v) } printf "%s%s", (i > 1 ? " " : ""), v }
        exit }' "$res/run.json")
progs=$(ls "$res"/tap/*.tap | wc -l)

# JUnit: one testcase element per test; its children say what it was.
junit=$(awk '
    /<testcase / { n++; tc = 1; if ($0 !~ / time="[0-9.]+"/) bad = bad " testcase-without-time"; }
    /<testsuite / { ts = 1 }
    ts && /name="[^"]*_tap"/ { bad = bad " testsuite-named-after-file" }
    ts && />/ { ts = 0 }
    /<failure / { f++; infail = 1; if ($0 !~ /message="[^"]+"/ && getline_msg == 0) needmsg = 1 }
    infail && /message="[^"]+"/ { needmsg = 0 }
    infail { body = body $0 "\n" }
    infail && /<\/failure>/ {
        infail = 0
        if (needmsg) bad = bad " failure-without-message"
        # the diagnostics: the body holds more than the "not ok" line itself
        d = body; sub(/^.*CDATA\[/, "", d); sub(/\]\]>.*$/, "", d)
        if (split(d, dl, "\n") < 2 && d !~ / # /) bad = bad " failure-without-diagnostics"
        body = ""; needmsg = 0
    }
    /<skipped / {
        if ($0 !~ /<skipped [^>]*message="[^"]+"/) bad = bad " skipped-without-message"
        if ($0 ~ /<skipped type="xfail-known"/) { xf++; xfk++ }
        else if ($0 ~ /<skipped type="xfail"/) xf++
        else s++
    }
    /<testcase .*<system-out>XPASS/ { xp++; if ($0 ~ /<system-out>XPASS fixed\? known kernel bug/) xpk++ }
    END { printf "%d %d %d %d %d %d %d|%s", n - f - s - xf - xp, f, s, xf, xfk, xp, xpk, bad }' "$res/junit.xml")
junit_bad=${junit#*|} junit=${junit%%|*}

tapp=$(perl "$top/harness/sh/tap-parse.pl" "$res/combined.tap") || {
    printf '%s\n' "$tapp" | sed 's/^/# TAP::Parser: /'; echo "MISMATCH TAP::Parser reports errors"; exit 1; }
tap_progs=$(printf '%s\n' "$tapp" | awk '$1 == "programs" { print $2 }')
tap=$(printf '%s\n' "$tapp" | awk '$1 == "tests" { print $3, $5, $7, $9, $11, $13, $15 }')

lkft=$(awk '
    /^# selftests: / { next }
    /not ok [0-9]+ / { if (/^#/) f++; else pf++; next }
    /ok [0-9]+ / { if (/^#/) { if (/# SKIP/) s++; else p++ } else pp++ }
    END { printf "%d %d %d %d", p, f, s, pp + pf }' "$res/combined.tap")

st=0
printf '%-12s %6s %6s %6s %6s %12s %6s %12s %9s\n' consumer $keys programs
printf '%-12s %6s %6s %6s %6s %12s %6s %12s %9s\n' run.json $runjson "$progs"
printf '%-12s %6s %6s %6s %6s %12s %6s %12s %9s\n' junit.xml $junit "$(grep -c '<testsuite ' "$res/junit.xml")"
printf '%-12s %6s %6s %6s %6s %12s %6s %12s %9s\n' TAP::Parser $tap "$tap_progs"
set -- $lkft
printf '%-12s %6s %6s %6s %6s %12s %6s %12s %9s\n' LKFT "$1" "$2" "$3" - - - - "$4"
set -- $runjson
want_lkft="$(($1 + $4 + $6)) $2 $3 $progs"
[ "$junit" = "$runjson" ] && [ "$(grep -c '<testsuite ' "$res/junit.xml")" = "$progs" ] &&
    echo "ok junit.xml counts equal run.json's" || { echo "MISMATCH junit.xml: $junit, run.json: $runjson"; st=1; }
[ -z "$junit_bad" ] && echo "ok junit.xml: times, failure diagnostics, skip messages, suite names" ||
    { echo "MISMATCH junit.xml shape:$(printf '%s' "$junit_bad" | tr ' ' '\n' | sort | uniq -c | tr '\n' ' ')"; st=1; }
[ "$tap" = "$runjson" ] && [ "$tap_progs" = "$progs" ] &&
    echo "ok TAP::Parser counts equal run.json's" || { echo "MISMATCH TAP::Parser: $tap ($tap_progs programs), run.json: $runjson ($progs)"; st=1; }
[ "$lkft" = "$want_lkft" ] &&
    echo "ok LKFT flattening: pass = pass + xfail + xpass, fail, skip, programs as run.json" ||
    { echo "MISMATCH LKFT: $lkft, want $want_lkft from run.json"; st=1; }
exit "$st"
