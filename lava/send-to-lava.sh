#!/bin/sh
# send-to-lava.sh RESULT.TXT: report each "TEST RESULT [MEASUREMENT UNITS]"
# line to LAVA with lava-test-case (outside LAVA, print what it would send).
# RESULT is pass, fail, skip or unknown.
set -eu
f=${1:?usage: send-to-lava.sh RESULT.TXT}
command -v lava-test-case > /dev/null 2>&1 && lava=1 || lava=0
while read -r name result rest; do
    [ -n "$name" ] || continue
    case "$result" in pass|fail|skip|unknown) ;; *) result=unknown ;; esac
    if [ "$lava" = 1 ]; then
        lava-test-case "$name" --result "$result"
    else
        printf '<TEST_CASE_ID=%s RESULT=%s>\n' "$name" "$result"
    fi
    : "$rest"
done < "$f"
