#!/bin/sh
# runner_test.sh: offline tests of the runner's own logic, as TAP.
# Runs under dash and busybox ash (make unit runs it under both).
#  - collate.awk on captured guest streams (fixtures/runner/<case>/):
#    splat attribution, tests cut short by a hung or dead guest;
#  - teardown.awk on captured kernel logs (fixtures/runner/teardown-*/):
#    splats between programs and in the guest's teardown;
#  - junit-fix.awk: skipped tests become <skipped/>;
#  - run.sh's command line: usage errors exit 2 and say why.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
awk_cmd=${VCT_AWK:-awk}
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"

collate_case() {
    d="$top/fixtures/runner/$1"
    # shellcheck disable=SC2086 # VCT_AWK may be "busybox awk"
    $awk_cmd -f "$top/harness/sh/splat.awk" "$d/kmsg.raw" > "$tmp/splats"
    # shellcheck disable=SC2086
    $awk_cmd -v prog=suites/resv/prog -v reason="$(cat "$d/reason")" \
        -f "$top/harness/sh/collate.awk" "$tmp/splats" "$d/stream.log" > "$tmp/tap"
    diff -u "$d/expected.tap" "$tmp/tap"
}

# teardown_case CASE: the run's last block (teardown.awk) from the whole
# kernel log of fixtures/runner/CASE, exactly as expected.
teardown_case() {
    d="$top/fixtures/runner/$1"
    # shellcheck disable=SC2086 # VCT_AWK may be "busybox awk"
    $awk_cmd -f "$top/harness/sh/splat.awk" "$d/kmsg.raw" > "$tmp/splats"
    # shellcheck disable=SC2086
    $awk_cmd -v reason="$(cat "$d/reason")" -f "$top/harness/sh/teardown.awk" "$tmp/splats" > "$tmp/tap"
    diff -u "$d/expected.tap" "$tmp/tap"
}

echo "TAP version 13"
echo "1..34"
check collate.splat_fails_the_test_it_happened_in collate_case splat
check collate.hung_guest_fails_running_and_unrun_tests collate_case incomplete
check collate.dead_guest_fails_every_listed_test collate_case never-began
check collate.guest_dead_before_listing_fails_program collate_case no-list
check collate.splat_outside_tests_adds_a_failure collate_case splat-outside
# Found by fuzz/fuzz_collate.c (fixtures/fuzz/collate/): a stream whose results
# are out of order or lost, and stray TAP (a second plan, a bare "ok").
check collate.results_renumbered_in_sequence collate_case out-of-sequence
check collate.stray_plan_and_bare_ok_become_diagnostics collate_case stray-tap
# Splats outside every program: between two, or in the guest's teardown.
check teardown.splat_between_programs_fails_between_naming_the_program teardown_case teardown-between
check teardown.splat_in_teardown_fails_teardown_naming_the_step teardown_case teardown-teardown
check teardown.clean_run_passes_both_splats_elsewhere_ignored teardown_case teardown-clean
check teardown.unfinished_run_fails_both_with_the_reason teardown_case teardown-incomplete

junit_skip() {
    printf 'TAP version 13\n1..2\nok 1 a.b\nok 2 a.c # SKIP no hugepages\n' > "$tmp/x.prog.tap"
    printf '<testsuites>\n  <testsuite name="x_prog_tap">\n    <testcase name="1 a.b"></testcase>\n    <testcase name="2 a.c"></testcase>\n  </testsuite>\n</testsuites>\n' > "$tmp/raw.xml"
    # shellcheck disable=SC2086
    $awk_cmd -f "$top/harness/sh/junit-fix.awk" "$tmp/x.prog.tap" "$tmp/raw.xml" > "$tmp/j.xml"
    grep -q '<testcase classname="x.prog" name="a.c" time="0"><skipped message="no hugepages"/></testcase>' "$tmp/j.xml" &&
    grep -q '<testcase classname="x.prog" name="a.b" time="0"></testcase>' "$tmp/j.xml" &&
    grep -q 'name="x.prog"' "$tmp/j.xml"
}
check junit.skip_becomes_skipped_element junit_skip
junit_boot_splat() {  # a splat quoted before the set-up failure goes with it to JUnit
    printf 'TAP version 13\n1..2\nok 1 setup.bind.0000:00:02.0\n# 1234:11e8 group 2\n#   watchdog: BUG: soft lockup - CPU#0 stuck for 21s!\n#   Call trace:\nnot ok 2 setup.kernel_log_clean_before_tests\n' > "$tmp/s.tap"
    # shellcheck disable=SC2086
    $awk_cmd -f "$top/harness/sh/junit-tap.awk" "$tmp/s.tap" > "$tmp/s.out"
    printf 'TAP version 13\n1..2\nok 1 setup.bind.0000:00:02.0\n# 1234:11e8 group 2\nnot ok 2 setup.kernel_log_clean_before_tests\n#   watchdog: BUG: soft lockup - CPU#0 stuck for 21s!\n#   Call trace:\n' | diff -u - "$tmp/s.out"
}
check junit.boot_splat_follows_setup_failure junit_boot_splat
junit_splat_stays() {  # a splat quoted after a failure stays with it, even before another failure
    d="$top/fixtures/runner"
    { sed -n '1,2p' "$d/teardown-teardown/expected.tap"
      sed -n '3,/^ok 2/p' "$d/teardown-between/expected.tap" | sed '$d'
      sed -n '4,$p' "$d/teardown-teardown/expected.tap"; } > "$tmp/t.tap"
    grep -c '^not ok' "$tmp/t.tap" | grep -qx 2 || { echo "fixture: want two failures"; cat "$tmp/t.tap"; return 1; }
    # shellcheck disable=SC2086
    $awk_cmd -f "$top/harness/sh/junit-tap.awk" "$tmp/t.tap" | diff -u "$tmp/t.tap" -
}
check junit.splat_after_a_failure_stays_with_it_before_the_next junit_splat_stays

# Found by fuzz/fuzz_compare.c: a NUL in a record's key went raw into
# comparison.json (JSON forbids control characters in strings).
compare_ctl() {
    f="$top/fixtures/fuzz/compare/nul-in-key"
    # The fixture is the fuzzer's input: base, a 0xff byte, new.
    # shellcheck disable=SC2086
    $awk_cmd 'BEGIN { RS = "\377" } NR == 1 { printf "%s", $0 > b } NR == 2 { printf "%s", $0 > n }' \
        b="$tmp/base.json" n="$tmp/new.json" "$f"
    # shellcheck disable=SC2086
    $awk_cmd -v seed=1 -v resamples=50 -v out="$tmp/cmp.json" -f "$top/harness/sh/records.awk" -f "$top/harness/sh/compare.awk" \
        "$tmp/base.json" "$tmp/new.json" > /dev/null
    grep -q '"verdict": "new"' "$tmp/cmp.json" || return 1
    # every byte but newline printable: no 00-1f (0a aside) or 7f
    ! od -An -v -tx1 "$tmp/cmp.json" | tr ' ' '\n' | grep -Ev '^(0a|)$' |
        grep -Eq '^(0[0-9a-f]|1[0-9a-f]|7f)$'
}
check compare.control_characters_never_reach_comparison_json compare_ctl

usage_exit() {  # usage_exit WANT_STATUS WANT_TEXT ARGS...
    want=$1 text=$2; shift 2
    st=0
    # shellcheck disable=SC2086 # VCT_SH may be "busybox ash"
    ${VCT_SH:-sh} "$top/run.sh" "$@" > "$tmp/o" 2> "$tmp/e" < /dev/null || st=$?
    [ "$st" = "$want" ] || { echo "exit $st, want $want"; cat "$tmp/e"; return 1; }
    grep -q -- "$text" "$tmp/e" "$tmp/o"
}
check runsh.unknown_option_exits_2 usage_exit 2 "unknown option '--bogus'" --bogus
check runsh.missing_argument_exits_2 usage_exit 2 "option --host needs an argument" --host
check runsh.unknown_host_exits_2 usage_exit 2 "no host profile 'nosuch'" --host nosuch
check runsh.bad_timeout_exits_2 usage_exit 2 "positive number of seconds" --timeout 1x
check runsh.bad_suite_list_exits_2 usage_exit 2 "malformed --suite" --suite 'a;b'
check runsh.help_exits_0_and_documents_every_option usage_exit 0 "--modules DIR" --help
check runsh.list_names_the_default_host usage_exit 0 "qemu-x86_64-vtd" --list
check runsh.matrix_refuses_kernel_option usage_exit 2 "no --kernel" --matrix --kernel debian:sid
check runsh.matrix_refuses_unknown_host usage_exit 2 "no host profile nosuch" --matrix 'nosuch x debian:sid' --no-build
check runsh.matrix_splits_on_spaced_x_only usage_exit 2 "no host profile nosuch-x86" --matrix "qemu-x86_64-vtd,nosuch-x86 x debian:sid" --no-build
check runsh.list_shows_every_arch_profile usage_exit 0 "qemu-aarch64-smmuv3" --list
check runsh.shard_needs_matrix usage_exit 2 "--shard needs --matrix" --shard 1/2
check runsh.bad_shard_exits_2 usage_exit 2 "--shard wants K/N" --matrix 'x debian:sid' --shard 3/2
check runsh.merge_needs_directories usage_exit 2 "--merge needs matrix results directories" --merge
check runsh.merge_refuses_a_non_matrix_directory usage_exit 2 "has no cells.tsv" --results "$tmp/m" --merge "$top/hosts"
accel_missing() { VCT_KVM_DEV=/nonexistent/kvm usage_exit 2 "/nonexistent/kvm does not exist: this machine has no KVM" --accel kvm --no-build; }
check runsh.accel_kvm_without_dev_kvm_exits_2 accel_missing
check runsh.accel_kvm_refuses_a_foreign_arch_guest usage_exit 2 "KVM runs only guests of this machine's architecture" \
    --accel kvm --host "$(if [ "$(uname -m)" = x86_64 ]; then echo qemu-aarch64-smmuv3; else echo qemu-x86_64-vtd; fi)" --no-build
check runsh.icount_refuses_timed_runs usage_exit 2 "not with --stress, --duration, --baseline, --ab, --matrix or --prepare" --icount --stress
icount_kvm() { : > "$tmp/kvm"; VCT_KVM_DEV="$tmp/kvm" usage_exit 2 "--icount needs TCG" --icount --accel kvm --host "qemu-$(uname -m | sed 's/^arm64$/aarch64/')-$(if [ "$(uname -m)" = x86_64 ]; then echo vtd; else echo smmuv3; fi)" --no-build; }
check runsh.icount_refuses_kvm icount_kvm

[ "$n" = 34 ] || { echo "# plan mismatch: ran $n"; failed=1; }
exit "$failed"
