#!/bin/sh
# edu_restore_test.sh: the runner side of the local host kind, proven in a
# QEMU guest (`./run.sh --proof suites/local/edu_restore_test.sh`, default
# host): inside the guest, `/vfio-ct/run.sh --host local --device EDU
# --suite dma` binds QEMU's edu, runs the dma suite through it and puts
# everything back: after a passing run, after SIGTERM mid-run, and after the
# test program crashed (SIGSEGV while it holds the device's VFIO files).
# Each check compares every PCI device's driver and driver_override and
# every hugepage pool's nr_hugepages before and after, and that no journal
# is left.  TAP on stdout; test code, not a shipped suite.
set -eu
tests() {
    cat <<'LIST'
local_proof.edu_bound_dma_suite_passes_edu_unbound_after
local_proof.sigterm_mid_run_exits_143_everything_restored
local_proof.crashed_program_fails_run_everything_restored
LIST
}
if [ "${1:-}" = --vct-list ]; then tests; exit 0; fi
TREE=${VCT_HOME:-/vfio-ct}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
say() { printf '# %s\n' "$*"; }
result() {  # result NAME OK DETAIL...
    name=$1 ok=$2; shift 2
    n=$((n + 1))
    if [ "$ok" = 0 ]; then echo "ok $n $name"; else echo "not ok $n $name"; failed=1; fi
    for l in "$@"; do say "$l"; done
}

snapshot() {
    for d in /sys/bus/pci/devices/*; do
        drv=-
        [ -L "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
        printf '%s driver=%s override=%s\n' "$(basename "$d")" "$drv" "$(cat "$d/driver_override")"
    done
    for h in /sys/kernel/mm/hugepages/hugepages-*; do
        printf '%s nr_hugepages=%s\n' "$(basename "$h")" "$(cat "$h/nr_hugepages")"
    done
}
edu=""
for d in /sys/bus/pci/devices/*; do
    if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then edu=$(basename "$d"); break; fi
done
[ -n "$edu" ] || { echo "1..0 # SKIP no edu (1234:11e8) in this guest"; exit 0; }
echo "TAP version 13"
echo "1..3"
say "edu at $edu"

# start NAME: the local run in the background ($pid), its results in $tmp/NAME.
start() {
    snapshot > "$tmp/$1.before"
    sh "$TREE/run.sh" --host local --no-build --device "$edu" --suite dma --results "$tmp/$1" \
        > "$tmp/$1.out" 2> "$tmp/$1.err" < /dev/null &
    pid=$!
}
# until_running NAME: wait until the dma program runs with edu on vfio-pci.
until_running() {
    i=0
    until [ -s "$tmp/$1/work/prog.pid" ] && grep -q '^@begin suites/dma/device' "$tmp/$1/work/stream.log" 2>/dev/null &&
          [ "$(basename "$(readlink "/sys/bus/pci/devices/$edu/driver")")" = vfio-pci ]; do
        [ $i -lt 600 ] && kill -0 "$pid" 2>/dev/null || return 1   # gave up, or the run ended
        sleep 0.5; i=$((i + 1))
    done
    sleep 5   # well inside the program: tests have opened the device
}
# finish NAME WANT-STATUS: wait for the run; describe what it left.
finish() {
    st=0
    wait "$pid" || st=$?
    snapshot > "$tmp/$1.after"
    diffs=$(diff "$tmp/$1.before" "$tmp/$1.after" | grep '^[-+][0-9a-z]' | tr '\n' ';' || true)
    counts=$(sed -n 's/.*"counts": \(.*\),$/\1/p' "$tmp/$1/run.json" 2>/dev/null)
    wall=$(sed -n 's/.*"wall_seconds": \([0-9]*\).*/\1/p' "$tmp/$1/run.json" 2>/dev/null)
    bound=$(grep -c "^@setup ok bind $edu " "$tmp/$1/work/stream.log" 2>/dev/null || true)
    ok=0
    [ "$st" = "$2" ] && [ -z "$diffs" ] && [ ! -e /run/vfio-ct/journal ] && [ "$bound" = 1 ] || ok=1
    detail="exit $st (want $2); bound to vfio-pci during the run: $([ "$bound" = 1 ] && echo yes || echo no); after: ${diffs:-everything as before}; journal $([ -e /run/vfio-ct/journal ] && echo LEFT || echo removed); counts $counts; wall ${wall}s"
}

# 1. a whole run
start pass
finish pass 0
grep -q '^ok [0-9]* dma\.' "$tmp/pass/tap/dma.device.tap" || ok=1
result local_proof.edu_bound_dma_suite_passes_edu_unbound_after "$ok" "$detail" \
    "edu before: $(grep "^$edu " "$tmp/pass.before"); after: $(grep "^$edu " "$tmp/pass.after")"
[ "$ok" = 0 ] || sed 's/^/stderr: /' "$tmp/pass.err" | tail -n 20 | while IFS= read -r l; do say "$l"; done
# What the local run skipped and why, and its own summary line.
grep -h '# SKIP' "$tmp/pass/tap/dma.device.tap" | sed 's/^/skipped: /' | while IFS= read -r l; do say "$l"; done
grep -h '^# pass ' "$tmp/pass.err" | sed 's/^# /local run: /' | while IFS= read -r l; do say "$l"; done

# 2. SIGTERM while the dma program runs
start term
if until_running term; then
    prog=$(cat "$tmp/term/work/prog.pid")
    kill -TERM "$pid"
    finish term 143
    ! kill -0 "$prog" 2>/dev/null || { ok=1; detail="$detail; program $prog still runs"; }
    grep -q 'test did not finish: terminated by SIGTERM' "$tmp/term/tap/dma.device.tap" || ok=1
else
    kill -TERM "$pid"; finish term 143; ok=1; detail="the dma program never ran: $detail"
fi
result local_proof.sigterm_mid_run_exits_143_everything_restored "$ok" "$detail"
[ "$ok" = 0 ] || sed 's/^/stderr: /' "$tmp/term.err" | tail -n 20 | while IFS= read -r l; do say "$l"; done

# 3. the test program crashes (SIGSEGV) while it holds the device
start crash
if until_running crash; then
    prog=$(cat "$tmp/crash/work/prog.pid")
    kill -SEGV "$prog"
    finish crash 1
    grep -q 'program killed by signal 11' "$tmp/crash/tap/dma.device.tap" || ok=1
else
    kill -TERM "$pid"; finish crash 1; ok=1; detail="the dma program never ran: $detail"
fi
result local_proof.crashed_program_fails_run_everything_restored "$ok" "$detail"
[ "$ok" = 0 ] || sed 's/^/stderr: /' "$tmp/crash.err" | tail -n 20 | while IFS= read -r l; do say "$l"; done
exit "$failed"
