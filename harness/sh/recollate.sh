#!/bin/sh
# shellcheck disable=SC2034,SC2154 # collect.sh and perf.sh read and set run.sh's variables
# recollate.sh RESULTS: make a run's TAP, combined.tap, junit.xml, run.json
# and report.html again from what the run kept (RESULTS/work/stream.log,
# the guest's records, and RESULTS/work/kmsg.raw, its kernel log), with the
# runner's own collect.sh: e.g. after hosts/known-failures changed, so that
# a result is triaged again without running it again.  run.json keeps the
# run's host, kernel, QEMU, accelerator, start and wall time; its programs'
# exit statuses come from the records.  Exit status: 0 when no test failed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
res=$(cd "${1:?usage: recollate.sh RESULTS}" && pwd)
j="$res/run.json"
[ -f "$j" ] && [ -f "$res/work/stream.log" ] && [ -f "$res/work/kmsg.raw" ] ||
    { echo "recollate.sh: $res lacks run.json, work/stream.log or work/kmsg.raw" >&2; exit 2; }
jget() { sed -n "s/^  \"$1\": \"\\{0,1\\}\\(.*[^\",]\\)\"\\{0,1\\},\\{0,1\\}\$/\\1/p" "$j" | head -n 1; }
(
    # collect.sh reads these (run.sh's names)
    # shellcheck disable=SC2034
    VCT_TOP=$top host=$(jget host_profile) arch=$(jget arch) kernel_spec=$(jget kernel_spec) release=$(jget kernel_release) \
        accel=$(jget accel) results=$res work=$res/work stream=$res/work/stream.log kmsg=$res/work/kmsg.raw
    BUILD="$top/build/$arch"
    say() { printf '# %s\n' "$*" >&2; }
    origin=$(jget kernel_origin) qemu=$(jget qemu) start=$(jget start) wall=$(jget wall_seconds) reason=$(jget incomplete_reason)
    rm -rf "$res/tap"; mkdir -p "$res/tap"
    # the programs the run had: the ones its records listed
    progs=$(awk '$1 == "@list" || $1 == "@begin" { print $2 }' "$stream" | awk '!seen[$0]++' | sed "s|^|$BUILD/|")
    # shellcheck source=harness/sh/collect.sh
    . "$top/harness/sh/collect.sh"
    collect_init "$progs" > /dev/null
    collect_new_records > /dev/null 2>&1
    grep -qx '@done' "$stream" && guest_done=1
    collect_finish "$reason" > /dev/null
    results_write "$release" "$origin" "$qemu" "$start" "$wall" "$reason"
    # shellcheck source=harness/sh/perf.sh
    . "$top/harness/sh/perf.sh"
    baseline=""
    perf_finish "$release" "$qemu"
    [ "$run_failed" = 0 ]
)
