# shellcheck shell=sh disable=SC2154,SC2034
# (sourced by run.sh: $results $run_id $VCT_TOP are its; lock.sh is sourced)
# results.sh: claim the run's results directory before anything is written.
#
# results_claim: $results (from --results) or results/<run-id> is created,
# must be writable and have room (VCT_RESULTS_MIN_KIB, default 65536 KiB:
# the guest's initramfs is built in work/ and is up to ~50 MB with fio), and
# is locked for this run (lock.sh, lock `results`).  Each refusal exits 2
# naming the directory and why.  A results directory another run.sh is
# writing is refused when given with --results; the default one (same host,
# same second) becomes results/<run-id>-2, -3, ... instead.

results_claim() {
    rc_explicit=${results:+1}
    [ -n "$results" ] || results="$VCT_TOP/results/$run_id"
    rc_base=$results rc_i=1
    while :; do
        mkdir -p "$results" 2>/dev/null || die "cannot create the results directory $results"
        results=$(cd "$results" && pwd)
        probe="$results/.vfio-ct-write-test.$$"
        (: > "$probe") 2>/dev/null || die "results directory $results is not writable"
        rm -f "$probe"
        lock_take results "$results/.lock" "results directory $results" try && break
        [ -z "$rc_explicit" ] ||
            die "results directory $results is in use by another run.sh (pid $(cat "$results/.lock.pid" "$results/.lock.d/pid" 2>/dev/null | head -n 1)); give another --results"
        rc_i=$((rc_i + 1)); results="$rc_base-$rc_i"
    done
    rc_free=$(df -Pk "$results" 2>/dev/null | awk 'NR == 2 { print $4 }')
    rc_min=${VCT_RESULTS_MIN_KIB:-65536}
    if [ -n "$rc_free" ] && [ "$rc_free" -lt "$rc_min" ]; then
        die "results directory $results has ${rc_free} KiB free; a run needs at least $rc_min KiB"
    fi
}
