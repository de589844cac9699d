#!/bin/sh
# fuzz.sh TARGET...: run each libFuzzer target built by fuzz/fuzz.mk.
#
#   FB=build/fuzz FUZZ_SECONDS=N sh fuzz/fuzz.sh resv capchain ...
#
# Per target: the corpus build/fuzz/corpus/T (seeded by mkseeds from
# fixtures/ when empty), then every input in fixtures/fuzz/T/ replayed once
# (crashes found earlier, fixed since: each must pass), then FUZZ_SECONDS of
# fuzzing.  Prints one line per target (execs, execs/s, cov, ft, corpus,
# crashes) and exits 1 if any replay or fuzzing run failed; the log is
# build/fuzz/T.log and a crashing input build/fuzz/crash-T-*.
set -eu
fb=${FB:-build/fuzz}
secs=${FUZZ_SECONDS:-60}
case "$secs" in ''|*[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;; esac
failed=0
printf '%-9s %9s %8s %6s %6s %7s %s\n' target execs exec/s cov ft corpus crashes
for t in "$@"; do
    bin="$fb/fuzz_$t" corpus="$fb/corpus/$t" log="$fb/$t.log"
    mkdir -p "$corpus"
    [ -n "$(ls -A "$corpus")" ] || "$fb/mkseeds" "$t" "$corpus" > /dev/null
    : > "$log"
    crashes=0
    if [ -d "fixtures/fuzz/$t" ]; then
        for f in "fixtures/fuzz/$t"/*; do
            [ -f "$f" ] || continue
            if ! "$bin" "$f" >> "$log" 2>&1; then
                echo "fuzz: $t: regression input $f fails again (see $log)" >&2
                crashes=$((crashes + 1))
            fi
        done
    fi
    if ! "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=20 -rss_limit_mb=1024 \
        -artifact_prefix="$fb/crash-$t-" "$corpus" >> "$log" 2>&1; then
        crashes=$((crashes + 1))
    fi
    [ "$crashes" = 0 ] || failed=1
    # libFuzzer's own figures: the last status line (cov, ft, corpus) and
    # the final stats (execs, execs/s).
    awk -v t="$t" -v c="$crashes" '
        /^#[0-9]+/ && / cov: / {
            for (i = 1; i <= NF; i++) {
                if ($i == "cov:") cov = $(i + 1)
                if ($i == "ft:") ft = $(i + 1)
                if ($i == "corp:") corp = $(i + 1)
            }
        }
        /^stat::number_of_executed_units:/ { execs = $2 }
        /^stat::average_exec_per_sec:/ { eps = $2 }
        END { printf "%-9s %9s %8s %6s %6s %7s %s\n", t, execs, eps, cov, ft, corp, c }' "$log"
done
exit "$failed"
