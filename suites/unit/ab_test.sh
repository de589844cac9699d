#!/bin/sh
# ab_test.sh: offline tests of the A/B verdicts (harness/sh/ab.awk) and of
# run.sh's --ab options, as TAP.  Runs under dash and busybox ash.  ab.awk
# needs POSIX awk's arithmetic functions (log, exp, sqrt, atan2), which a
# busybox built without math support lacks: then the host's awk runs it.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
awk_cmd=${VCT_AWK:-awk}
# shellcheck disable=SC2086 # VCT_AWK may be "busybox awk"
if ! $awk_cmd 'BEGIN { x = log(1) }' 2> /dev/null; then
    for a in mawk gawk original-awk; do
        awk_cmd=$(command -v "$a") && break
    done
fi
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"

PRIM='stress.type1v2.loop_overhead/pair_us_bare//bare/us/4096/1'
SEC='stress.type1.loop_overhead/pair_us_bare//bare/us/4096/1'
RATE='stress.type1v2.pairs_by_size/pairs_per_s/anon/pairs/1/s/4096/1'

# rec KEY BETTER BUILD TRIAL ROUND VALUES: one round record as metrics.json has it.
rec() {
    printf '  {"suite":"stress","key":"%s","better":"%s","unit":"us","values":[%s],"ab_build":"%s","ab_trial":%s,"ab_round":%s},\n' \
        "$1" "$2" "$6" "$3" "$4" "$5"
}
# rounds KEY BETTER TRIAL A_VALUE D1 D2...: one round per D, A's value as
# given, B's A * exp(D) (two repetitions each: the value and 3x it, so the
# best of them is the value and the median is not).
rounds() {
    k=$1 bt=$2 tr=$3 a=$4; shift 4
    r=0
    for d in "$@"; do
        r=$((r + 1))
        b=$($awk_cmd -v a="$a" -v d="$d" 'BEGIN { printf "%.9g", a * exp(d) }')
        rec "$k" "$bt" A "$tr" "$r" "$a,$($awk_cmd -v a="$a" 'BEGIN { print 3 * a }')"
        rec "$k" "$bt" B "$tr" "$r" "$b,$($awk_cmd -v a="$b" 'BEGIN { print 3 * a }')"
    done
}
ab() {  # ab [awk -v options]: ab.awk over $tmp/m.json into $tmp/ab.json; its exit status
    # shellcheck disable=SC2086
    $awk_cmd "$@" -v out="$tmp/ab.json" -v jsonl="$tmp/ab.jsonl" -f "$top/harness/sh/records.awk" -f "$top/harness/sh/ab.awk" "$tmp/m.json" > "$tmp/ab.txt"
}
field() {  # field KEY NAME: NAME's value in KEY's pooled entry of ab.json
    grep -F "\"key\": \"$1\"" "$tmp/ab.json" | sed 's/"trials": .*//' |
        sed -n "s/.*\"$2\": \\(\"[^\"]*\"\\|[^,}]*\\).*/\\1/p"
}

# The normal quantiles against the tables, and the exact signed-rank
# p-value of n rounds all on one side (2 / 2^n).
quantiles() {
    sed -n '/^# Standard normal CDF/,/^# decide(G):/p' "$top/harness/sh/ab.awk" > "$tmp/t.awk"
    cat > "$tmp/tq.awk" <<'TQ'
BEGIN { EXACT_N = 50
    printf "%.3f %.3f %.4f", z_crit(0.05), z_crit(0.01), phi(1.644854)
    n = split("1 1 1 1 1 1 1 1", d, " "); signed_rank(d, n, 0.05, S); printf " %.7f", S["p"]
    n = split("3 -1 2 5 4", d, " "); signed_rank(d, n, 0.05, S); printf " %.4f %g\n", S["p"], S["hl"] }
TQ
    # shellcheck disable=SC2086
    $awk_cmd -f "$tmp/t.awk" -f "$tmp/tq.awk" > "$tmp/t.out"
    # 3 -1 2 5 4: W+ = 14 of 15, P(W+ >= 14) = 2/32: p 0.125; HL: the median
    # of the 15 Walsh averages is 3.
    echo "1.960 2.576 0.9500 0.0078125 0.1250 3" | diff -u - "$tmp/t.out"
}

# A 5 % slowdown with 1 % round-to-round spread, 8 rounds: regressed (exact
# p 2/256 <= 0.008), ratio exp(Hodges-Lehmann) = exp(0.05), the CI at the
# primary's level 1 - 0.8 * alpha.
slowdown_flagged() {
    rounds "$PRIM" lower 1 20 0.06 0.04 0.06 0.04 0.06 0.04 0.06 0.04 > "$tmp/m.json"
    rounds "$SEC" lower 1 30 0.01 -0.01 0.01 -0.01 0.01 -0.01 0.01 -0.01 >> "$tmp/m.json"
    ab
    [ "$(field "$PRIM" verdict)" = '"regressed"' ] || { cat "$tmp/ab.txt"; return 1; }
    [ "$(field "$PRIM" ratio)" = 1.05127 ] || { echo "ratio $(field "$PRIM" ratio)"; return 1; }
    [ "$(field "$PRIM" ci_level)" = 0.992 ] || { echo "ci_level $(field "$PRIM" ci_level)"; return 1; }
    [ "$(field "$PRIM" pairs)" = 8 ] || return 1
    [ "$(field "$SEC" verdict)" = '"unchanged"' ] || { cat "$tmp/ab.txt"; return 1; }
    # the primary passed its share on: the other metric was tested at alpha
    [ "$(field "$SEC" ci_level)" = 0.99 ] || { echo "sec ci_level $(field "$SEC" ci_level)"; return 1; }
    grep -q '"ab_verdict":"regressed"' "$tmp/ab.jsonl"
}
# The same rounds with no change: unchanged, ratio 1, p 1.
noop_unchanged() {
    rounds "$PRIM" lower 1 20 0 0 0 0 0 0 0 0 > "$tmp/m.json"
    ab
    [ "$(field "$PRIM" verdict)" = '"unchanged"' ] && [ "$(field "$PRIM" ratio)" = 1 ] &&
        [ "$(field "$PRIM" p)" = 1 ]
}
# A rate that rises (better higher) is improved, not regressed.
higher_is_better_improved() {
    rounds "$RATE" higher 1 1000 0.1 0.12 0.1 0.12 0.1 0.12 0.1 0.12 0.1 0.12 > "$tmp/m.json"
    ab -v primary=none
    [ "$(field "$RATE" verdict)" = '"improved"' ]
}
# Two effects among the secondaries while the primary is unchanged: Holm
# at 0.2 * alpha over the two (levels 1e-3 then 2e-3; 12 rounds all one
# way: exact p 2/4096).
holm_without_primary() {
    rounds "$PRIM" lower 1 20 0.01 -0.01 0.01 -0.01 0.01 -0.01 0.01 -0.01 0.01 -0.01 0.01 -0.01 > "$tmp/m.json"
    rounds "$SEC" lower 1 20 0.3 0.31 0.3 0.31 0.3 0.31 0.3 0.31 0.3 0.31 0.3 0.31 >> "$tmp/m.json"
    rounds "$RATE" higher 1 1000 -0.3 -0.31 -0.3 -0.31 -0.3 -0.31 -0.3 -0.31 -0.3 -0.31 -0.3 -0.31 >> "$tmp/m.json"
    ab
    [ "$(field "$PRIM" verdict)" = '"unchanged"' ] && [ "$(field "$SEC" verdict)" = '"regressed"' ] &&
        [ "$(field "$RATE" verdict)" = '"regressed"' ] && {
        l1=$(field "$SEC" ci_level) l2=$(field "$RATE" ci_level)
        [ "$l1 $l2" = "0.999 0.998" ] || [ "$l1 $l2" = "0.998 0.999" ]; }
}
# The round's value is the best repetition (default) or the median.
round_stat_best_and_median() {
    rec "$PRIM" lower A 1 1 "10,50,50" > "$tmp/m.json"; rec "$PRIM" lower B 1 1 "11,12,13" >> "$tmp/m.json"
    rec "$PRIM" lower A 1 2 "10,50,50" >> "$tmp/m.json"; rec "$PRIM" lower B 1 2 "11,12,13" >> "$tmp/m.json"
    rec "$PRIM" lower A 1 3 "10,50,50" >> "$tmp/m.json"; rec "$PRIM" lower B 1 3 "11,12,13" >> "$tmp/m.json"
    ab
    [ "$(field "$PRIM" ratio)" = 1.1 ] || { echo "best: $(field "$PRIM" ratio)"; return 1; }
    ab -v round_stat=median
    [ "$(field "$PRIM" ratio)" = 0.24 ] || { echo "median: $(field "$PRIM" ratio)"; return 1; }
    st=0; ab -v round_stat=mean 2> /dev/null || st=$?
    [ "$st" = 2 ]
}
# Trials are judged one by one and pooled; the exit status follows the
# pooled verdict and --fail-on-regression.
trials_and_exit_status() {
    rounds "$PRIM" lower 1 20 0.06 0.04 0.06 0.04 0.06 0.04 0.06 0.04 0.06 0.04 > "$tmp/m.json"
    rounds "$PRIM" lower 2 20 0.06 -0.01 0.04 >> "$tmp/m.json"
    ab
    grep -q '"trials_primary_regressed": 1, "trials_any_flagged": 1' "$tmp/ab.json" || { cat "$tmp/ab.json"; return 1; }
    [ "$(field "$PRIM" pairs)" = 13 ] && [ "$(field "$PRIM" verdict)" = '"regressed"' ] || return 1
    st=0; ab -v fail_pct=1 || st=$?
    [ "$st" = 3 ] || { echo "fail_pct 1: exit $st"; return 1; }
    st=0; ab -v fail_pct=10 || st=$?
    [ "$st" = 0 ] || { echo "fail_pct 10: exit $st"; return 1; }
}

# compare.awk (--baseline): a 30 % change, outside the bootstrap interval, of
# a metric whose robust CV is 0.148 in each run (floor 3 x 14.8 = 44.5 %) is
# "noisy"; of one that scatters by 1 %, "regressed".
cmp_rec() {  # cmp_rec KEY VALUES
    printf '  {"key":"%s","better":"lower","values":[%s]},\n' "$1" "$2"
}
baseline_noise_floor() {
    { cmp_rec tight "100,101,99,100,102,98,100"; cmp_rec loose "70,75,80,85,90,95,100,100,100,100,100,105,110,115,120,125,130"; } > "$tmp/base.json"
    { cmp_rec tight "130,131,129,130,132,128,130"; cmp_rec loose "91.0,97.5,104.0,110.5,117.0,123.5,130.0,130.0,130.0,130.0,130.0,136.5,143.0,149.5,156.0,162.5,169.0"; } > "$tmp/new.json"
    # shellcheck disable=SC2086
    $awk_cmd -v seed=1 -v resamples=200 -v out="$tmp/cmp.json" -f "$top/harness/sh/records.awk" -f "$top/harness/sh/compare.awk" \
        "$tmp/base.json" "$tmp/new.json" > "$tmp/cmp.txt"
    grep -q '"key": "tight", "verdict": "regressed"' "$tmp/cmp.json" &&
        grep -q '"key": "loose", "verdict": "noisy"' "$tmp/cmp.json" &&
        grep '"key": "loose"' "$tmp/cmp.json" | grep -q '"detectable_pct": 44.478' || { cat "$tmp/cmp.txt" "$tmp/cmp.json"; return 1; }
}

usage_exit() {  # usage_exit WANT_STATUS WANT_TEXT ARGS...
    want=$1 text=$2; shift 2
    st=0
    # shellcheck disable=SC2086 # VCT_SH may be "busybox ash"
    ${VCT_SH:-sh} "$top/run.sh" "$@" > "$tmp/o" 2> "$tmp/e" < /dev/null || st=$?
    [ "$st" = "$want" ] || { echo "exit $st, want $want"; cat "$tmp/e"; return 1; }
    grep -q -- "$text" "$tmp/e" "$tmp/o"
}
mismatched_builds() {
    mkdir -p "$tmp/a" "$tmp/b"; : > "$tmp/a/vfio_iommu_type1.ko"; : > "$tmp/b/vfio.ko"
    usage_exit 2 "must hold the same modules" --no-build --ab "$tmp/a" "$tmp/b"
}

echo "TAP version 13"
echo "1..11"
check ab.normal_quantiles_and_exact_signed_rank quantiles
check ab.five_percent_slowdown_regressed_with_primary_level_ci slowdown_flagged
check ab.unchanged_build_unchanged noop_unchanged
check ab.higher_is_better_rise_improved higher_is_better_improved
check ab.secondaries_holm_when_primary_unchanged holm_without_primary
check ab.round_value_best_or_median round_stat_best_and_median
check ab.trials_judged_alone_and_pooled_exit_status trials_and_exit_status
check compare.change_within_noise_floor_is_noisy_not_regressed baseline_noise_floor
check runsh.rounds_without_ab_exits_2 usage_exit 2 "--rounds and --trials need --ab" --rounds 5 --no-build
check runsh.ab_builds_with_different_modules_exit_2 mismatched_builds
check runsh.ab_refuses_baseline usage_exit 2 "no --baseline with it" --no-build --ab "$top/hosts" "$top/hosts" --baseline "$top/hosts"
[ "$n" = 11 ] || { echo "# plan mismatch: ran $n"; failed=1; }
exit "$failed"
