#!/bin/sh
# results_test.sh: a run's results made offline from captured guest streams
# (fixtures/runner/every-result: a pass, a failure with diagnostics, a SKIP,
# a harness XFAIL, a known kernel bug that failed, one that passed, a
# failure outside its known range, and a program whose only failure is a
# known bug) by the runner's own collect.sh, then checked as each consumer
# reads it: run.json, junit.xml, TAP::Parser, the LKFT flattening
# (consumers.sh), report.html's structure, and the matrix table and
# matrix.html of cells merged from two shards (merge.sh).
# Runs under dash and busybox ash (make unit runs it under both).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
fx="$top/fixtures/runner/every-result"
n=0 failed=0
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT INT TERM HUP

# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"

# make_results DIR HOST RELEASE [KNOWN [RECORD]]: DIR as run.sh's collecting
# would write it, with the known-failures list KNOWN (default: the
# fixture's) and the guest record RECORD added after the stream's first line.
make_results() {
    (
        # shellcheck disable=SC2034 # collect.sh (sourced below) reads these
        VCT_TOP=$top BUILD=/build host=$2 arch=x86_64 kernel_spec=fixture release=$3 accel=tcg,thread=single
        results=$1 work=$1/work stream=$1/work/stream.log kmsg=$1/work/kmsg.raw
        VCT_KNOWN_FAILURES=${4:-$fx/known-failures}
        export VCT_KNOWN_FAILURES
        say() { :; }
        mkdir -p "$work" "$results/tap"
        if [ -n "${5:-}" ]; then sed "1a\\
$5" "$fx/stream.log" > "$stream"; else cp "$fx/stream.log" "$stream"; fi
        cp "$fx/kmsg.raw" "$kmsg"
        cp "$top/fixtures/runner/phases/phases.host" "$work/phases.host"
        # shellcheck source=harness/sh/collect.sh
        . "$top/harness/sh/collect.sh"
        collect_init "$(printf '/build/suites/resv/prog\n/build/suites/map/prog2')"
        collect_new_records
        collect_finish ""
        results_write "$3" "fixture" "QEMU fixture" "2026-12-01T00:00:00Z" 7 ""
        # shellcheck disable=SC2154 # set by collect.sh
        echo "$run_failed" > "$work/run_failed"
    ) > "$1.stdout" 2> "$1.stderr"
}
r="$tmp/run"
make_results "$r" qemu-fixture 6.1.0-50-amd64

tapline() { grep -qxF "$1" "$r/tap/$2.tap" || { echo "no line '$1' in tap/$2.tap:"; cat "$r/tap/$2.tap"; return 1; }; }
counts_are() { grep -qF "\"counts\": {$1}" "$r/run.json" || { grep counts "$r/run.json"; return 1; }; }

echo "TAP version 13"
echo "1..25"
check known.failure_in_range_becomes_xfail_with_reference tapline \
    'ok 5 resv.type1.known_bug_fails # XFAIL known kernel bug: abcdef123456 ("fixture: the fix", Linux 6.6) (kernel 6.1.0-50-amd64 in [-, 6.6))' resv.prog
check known.pass_in_range_becomes_xpass_fixed tapline \
    'ok 6 resv.type1.fixed_bug_passes # XPASS fixed? known kernel bug fedcba654321 ("fixture: a fix Debian took early", Linux 6.6) expected in [-, 6.6) on kernel 6.1.0-50-amd64' resv.prog
check known.failure_outside_range_stays_fail tapline 'not ok 7 resv.type1.regression_fails' resv.prog
check known.other_results_unchanged tapline 'not ok 2 resv.type1.fails_with_diagnostics' resv.prog
check known.program_with_only_known_bugs_passes grep -qx 'ok 3 selftests: map: prog2' "$r/combined.tap"
check known.program_with_a_regression_fails grep -qx 'not ok 2 selftests: resv: prog # exit=1' "$r/combined.tap"
check runjson.counts_known_bugs_apart counts_are '"pass": 10, "fail": 2, "skip": 1, "xfail": 3, "xpass": 1, "xfail_known": 2, "xpass_known": 1'
# Where the time went (phases.awk): host marks and the guest's @phase marks
# (one of them out of order, one malformed) make the expected table; a phase
# with no later mark is open and left out; run.json carries the table.
fxp="$top/fixtures/runner/phases"
phase_table() { awk -f "$top/harness/sh/phases.awk" "$fxp/phases.host" "$fxp/stream.log" | diff -u "$fxp/expected.tsv" -; }
check phases.table_from_host_and_guest_marks phase_table
open_phase() {
    head -n 7 "$fxp/phases.host" > "$tmp/open.host"
    awk -f "$top/harness/sh/phases.awk" "$tmp/open.host" "$fxp/stream.log" | tail -n 1 | grep -qx 'results	1.50	host'
}
check phases.open_phase_left_out open_phase
huge_seconds() {  # fixtures/fuzz/phases/huge-seconds: a 401-digit mark is dropped, not "inf"
    printf 'deps 1\nguest 2\nend 30\n' > "$tmp/h.host"
    printf '@phase init 1%0400d\n@phase x 3\n@phase end 4\n' 0 > "$tmp/h.stream"
    awk -f "$top/harness/sh/phases.awk" "$tmp/h.host" "$tmp/h.stream" > "$tmp/h.tsv"
    printf 'deps\t1.00\thost\nguest.x\t1.00\tguest\nguest.other\t27.00\thost\n' | diff -u - "$tmp/h.tsv"
}
check phases.seconds_past_1e9_dropped_never_inf huge_seconds
# run.sh --icount: the guest's marks are virtual seconds; the host phase
# `guest` is a row of its own and no guest.other is made of the two clocks.
virtual_clock() {
    printf 'deps 1\nguest 2\nresults 32\nend 33\n' > "$tmp/v.host"
    printf '@boot 6.12\n@clock virtual\n@phase init 9\n@phase x 10.5\n@phase end 400\n' > "$tmp/v.stream"
    awk -f "$top/harness/sh/phases.awk" "$tmp/v.host" "$tmp/v.stream" > "$tmp/v.tsv"
    printf 'deps\t1.00\thost\nguest\t30.00\thost\nguest.boot_to_init\t9.00\tvirtual\nguest.init\t1.50\tvirtual\nguest.x\t389.50\tvirtual\nresults\t1.00\thost\n' | diff -u - "$tmp/v.tsv"
}
check phases.virtual_clock_rows_apart_no_guest_other virtual_clock
check runjson.carries_phases grep -qF '"phases": [{"name": "deps", "seconds": 0.50, "clock": "host"}, {"name": "build", "seconds": 2.75, "clock": "host"}, {"name": "kernel", "seconds": 0.75, "clock": "host"}, {"name": "initramfs", "seconds": 6.00, "clock": "host"}, {"name": "guest", "seconds": 30.00, "clock": "host"}, {"name": "results", "seconds": 1.50, "clock": "host"}, {"name": "report", "seconds": 0.75, "clock": "host"}],' "$r/run.json"
check runjson.records_accelerator grep -qF '"accel": "tcg,thread=single",' "$r/run.json"
check runjson.records_real_guest_clock grep -qF '"guest_clock": "real",' "$r/run.json"
# the guest's own `@clock virtual` (run.sh --icount) makes it virtual
virtual_guest_clock() {
    make_results "$tmp/runv" qemu-fixture 6.1.0-50-amd64 "" '@clock virtual'
    grep -qx '@clock virtual' "$tmp/runv/work/stream.log" && grep -qF '"guest_clock": "virtual",' "$tmp/runv/run.json"
}
check runjson.guest_clock_virtual_from_the_guests_record virtual_guest_clock
check consumers.runjson_junit_tapparser_lkft_agree sh "$top/harness/sh/consumers.sh" "$r"
check junit.failure_carries_its_diagnostics grep -qF '# prog.c:42:fails_with_diagnostics:MAP_DMA over the msi region of 0000:00:02.0 succeeded' "$r/junit.xml"
check junit.known_bug_is_skipped_xfail_known grep -qF '<testcase classname="resv.prog" name="resv.type1.known_bug_fails" time="0.010"><skipped type="xfail-known" message="known kernel bug: abcdef123456 (&quot;fixture: the fix&quot;, Linux 6.6)' "$r/junit.xml"
check junit.skip_has_reason_and_time grep -qF '<testcase classname="resv.prog" name="resv.type1.skips_without_hugepages" time="0.010"><skipped message="no 2 MiB hugepages: nr_hugepages stays 0"/></testcase>' "$r/junit.xml"

# The same streams on a kernel outside every range: nothing is known.
make_results "$tmp/run7" qemu-fixture 7.2.13-amd64
check known.kernel_outside_ranges_changes_nothing grep -qF '"counts": {"pass": 11, "fail": 4, "skip": 1, "xfail": 1, "xpass": 0, "xfail_known": 0, "xpass_known": 0}' "$tmp/run7/run.json"

runner_made() {  # a guest that hung or died is never a known kernel bug
    printf 'TAP version 13\n1..2\nnot ok 1 resv.type1.known_bug_fails # not run: guest printed nothing for 180s (hung?)\nnot ok 2 resv.type1.known_bug_fails # test did not finish: guest stopped\n' > "$tmp/hung.tap"
    awk -v host=qemu-fixture -v release=6.1.0 -f "$top/harness/sh/known.awk" "$fx/known-failures" "$tmp/hung.tap" > "$tmp/hung.out"
    diff -u "$tmp/hung.tap" "$tmp/hung.out"
}
check known.runner_made_failure_stays_fail runner_made

report_structure() {
    sh "$top/harness/sh/report.sh" "$r" > /dev/null
    h="$r/report.html"
    # sections in the order a person reads them
    order=$(grep -o '<section id="[a-z]*"' "$h" | sed 's/.*id="//; s/"//' | tr '\n' ' ')
    [ "$order" = "verdict platform suites failures known skips performance " ] || { echo "sections: $order"; return 1; }
    grep -q '<h2>Verdict: FAIL</h2>' "$h" || { echo "verdict"; return 1; }
    grep -q '<code>\[ *1.000000\] DMAR: IOMMU enabled</code>' "$h" || { echo "IOMMU line"; return 1; }
    grep -q '<td>2</td><td><code>0000:00:02.0 0x1234 0x11e8 vfio-pci<br></code></td><td><code>0x00000000fee00000 0x00000000feefffff msi<br></code></td>' "$h" || { echo "groups"; return 1; }
    grep -q '<h2>Failures (2)</h2>' "$h" || { echo "failure count"; return 1; }
    grep -q 'MAP_DMA over the msi region of 0000:00:02.0 succeeded' "$h" || { echo "diagnostics"; return 1; }
    grep -q 'vfio_iommu_type1: unmap of 0xfffffffffffff000 removed 0 bytes' "$h" || { echo "kernel log of the failing test"; return 1; }
    grep -q '<h2>Known kernel bugs (3)</h2>' "$h" || { echo "known"; return 1; }
    grep -q '<td>no 2 MiB hugepages: nr_hugepages stays 0</td>' "$h" || { echo "skip reason"; return 1; }
    ! grep -q '<script\|src="http\|href="http' "$h" || { echo "not self-contained"; return 1; }
}
check report.sections_verdict_platform_failures_skips report_structure

# The ABI fuzzer's counts (fixtures/runner/abifuzz-metrics: its records of
# two type1 tests of a default x86 run) are a table in the report, summed
# per backend and ioctl: MAP_DMA ran in both tests (1359 + 50 calls).
abifuzz_table() {
    cp -R "$r" "$tmp/abif"
    cp "$top/fixtures/runner/abifuzz-metrics/metrics.json" "$tmp/abif/metrics.json"
    sh "$top/harness/sh/report.sh" "$tmp/abif" > /dev/null
    h="$tmp/abif/report.html"
    grep -qF '<h2>ABI fuzzer: calls per ioctl</h2>' "$h" || { echo "no ABI fuzzer section"; return 1; }
    grep -qxF '<tr><td>type1</td><td>VFIO_IOMMU_MAP_DMA</td><td>1409</td><td>273</td><td>EFAULT 201, EEXIST 55, EINVAL 880</td></tr>' "$h" ||
        { grep 'MAP_DMA' "$h"; return 1; }
    grep -qxF '<tr><td>type1</td><td>VFIO_GET_API_VERSION</td><td>357</td><td>357</td><td></td></tr>' "$h" ||
        { grep 'API_VERSION' "$h"; return 1; }
    [ "$(grep -c '^<tr><td>type1</td>' "$h")" = 10 ] || { grep '^<tr><td>' "$h"; return 1; }
    # and none without such records
    ! grep -qF 'ABI fuzzer' "$r/report.html"
}
check report.abifuzz_calls_per_ioctl_and_errnos_tabled abifuzz_table

# Two shards of a 1 x 3 matrix, merged: the cells are the runs above and one
# where every result is a known bug (round robin: shard 1 has cells 0 and 2).
printf '*  qemu-fixture  -  -  report: every result of this cell is known\n' > "$tmp/all-known"
make_results "$tmp/runall" qemu-fixture 6.1.0-50-amd64 "$tmp/all-known"
shard_dir() {  # shard_dir DIR K KERNEL CELL...: shard K/2 holding those cells
    d=$1 k=$2; shift 2
    printf 'hosts\tqemu-fixture\nkernels\tk61 k72 kall\nwall\t10\nshard\t%s/2\n' "$k" > "$d.spec"
    mkdir -p "$d/qemu-fixture"; mv "$d.spec" "$d/matrix.spec"; : > "$d/cells.tsv"
    while [ $# -gt 0 ]; do
        cp -R "$2" "$d/qemu-fixture/$1"
        st=$(cat "$2/work/run_failed")
        printf 'qemu-fixture\t%s\t%s\t0\t0\t0\t9\t6.1.0-50-amd64\n' "$1" "$st" >> "$d/cells.tsv"
        shift 2
    done
}
merged() {
    shard_dir "$tmp/s1" 1 k61 "$r" kall "$tmp/runall"; shard_dir "$tmp/s2" 2 k72 "$tmp/run7"
    st=0; sh "$top/harness/sh/merge.sh" "$tmp/m" "$tmp/s1" "$tmp/s2" > /dev/null || st=$?
    [ "$st" = 1 ] || { echo "merge exit $st, want 1 (a regressed cell)"; return 1; }
    grep -qF '"summary": {"ok": 0, "known_red": 1, "regressed": 2, "skipped": 0, "error": 0, "not_run": 0, "fixed": 2}' "$tmp/m/matrix.json" &&
    grep -qF '{"host": "qemu-fixture", "kernel": "k61", "kernel_release": "6.1.0-50-amd64", "state": "regressed", "fixed": true, "exit": 1, "pass": 10, "fail": 2, "skip": 1, "xfail": 3, "xpass": 1, "xfail_known": 2, "xpass_known": 1' "$tmp/m/matrix.json" &&
    grep -qF '"kernel": "kall", "kernel_release": "6.1.0-50-amd64", "state": "known-red", "fixed": true, "exit": 0, "pass": 6, "fail": 0, "skip": 1, "xfail": 5' "$tmp/m/matrix.json" &&
    grep -qF "<td class=\"cell regressed\"><a href=\"$tmp/s1/qemu-fixture/k61/report.html\">" "$tmp/m/matrix.html" &&
    [ "$(grep -o '<td class="cell [a-z-]*"' "$tmp/m/matrix.html" | tr '\n' ' ')" = '<td class="cell regressed" <td class="cell regressed" <td class="cell known-red" ' ]
}
check merge.two_shards_make_one_matrix_with_states_and_links merged
shard_picks() {  # shard_picks K/N CELLS WANT: the cells of 0..CELLS-1 in shard K/N are WANT
    got=""
    i=0; while [ "$i" -lt "$2" ]; do
        if sh "$top/harness/sh/shard.sh" "$1" "$i"; then got="$got$i "; fi
        i=$((i + 1))
    done
    [ "$got" = "$3" ] || { echo "shard $1 of $2 cells: '$got', want '$3'"; return 1; }
    st=0; sh "$top/harness/sh/shard.sh" 3/2 0 2> /dev/null || st=$?
    [ "$st" = 2 ] || { echo "shard 3/2 exit $st, want 2"; return 1; }
}
check shard.round_robin_is_deterministic shard_picks 2/3 8 "1 4 7 "

[ "$n" = 25 ] || { echo "# plan mismatch: ran $n"; failed=1; }
exit "$failed"
