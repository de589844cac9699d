#!/bin/sh
# kselftest_test.sh: `make install INSTALL_PATH=DIR` gives a tree that the
# kernel's own kselftest runner runs, and that `run.sh --host local` runs.
# The runner (run_kselftest.sh, kselftest/runner.sh, kselftest/prefix.pl)
# comes from the kernel source in the build cache ($VCT_KHDR/ksft, laid
# out by harness/sh/ksrc.sh; make unit-sh passes VCT_KHDR) and is copied
# into the temporary install tree only, as the kernel's selftests install
# would put it there.  No device is selected, so the device-level programs
# SKIP (exit 4, with the --device reason on each test); a program that needs
# no device (the unit test range_test, added as collection `unit`) passes.
# Runs under dash and busybox ash.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
sh_cmd=${VCT_SH:-sh}
ksft=${VCT_KHDR:-}/ksft
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
n=0 failed=0

echo "TAP version 13"
if [ -z "${VCT_KHDR:-}" ] || [ ! -f "$ksft/run_kselftest.sh" ]; then
    echo "1..0 # SKIP no kselftest runner in \$VCT_KHDR/ksft (run through make unit-sh)"
    exit 0
fi
echo "1..9"

# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"

arch=$("$top/harness/sh/arch.sh")
inst=$tmp/inst
install_tree() {
    make -s -C "$top" install INSTALL_PATH="$inst" > "$tmp/install.log" 2>&1 ||
        { cat "$tmp/install.log"; return 1; }
    cp "$ksft/run_kselftest.sh" "$inst/"
    cp -R "$ksft/kselftest" "$inst/kselftest"
    mkdir -p "$inst/unit"
    cp "$top/build/$arch/suites/unit/range_test" "$inst/unit/"
    echo unit:range_test >> "$inst/kselftest-list.txt"
    grep -qx 'dma:device' "$inst/kselftest-list.txt"
}
check install.tree_has_list_settings_and_programs install_tree

run_ksft() {
    st=0
    (cd "$inst" && env -u VCT_DEVICES -u VFIO_SELFTESTS_BDF $sh_cmd ./run_kselftest.sh) \
        2>&1 < /dev/null | cat > "$tmp/ktap" || st=$?
    [ "$st" = 0 ] || { echo "run_kselftest.sh exit $st"; cat "$tmp/ktap"; return 1; }
    [ -s "$tmp/ktap" ]
}
check ksft.run_kselftest_runs_the_tree run_ksft

# Every collection: one KTAP block whose plan counts its programs, each
# with its header, result line and the timeout of the collection's settings.
blocks_well_formed() {
    awk -v list="$inst/kselftest-list.txt" '
        BEGIN { while ((getline l < list) > 0) { split(l, a, ":"); want[a[1]]++ } }
        /^TAP version 13$/ { nb++; next }
        /^1\.\.[0-9]+$/ { plan = substr($0, 4); next }
        /^(not )?ok [0-9]+ selftests: / {
            c = $0; sub(/^(not )?ok [0-9]+ selftests: /, "", c); sub(/:.*/, "", c)
            got[c]++; if (got[c] > plan) { print "more results than the plan in " c; bad = 1 }
        }
        END {
            for (c in want) {
                if (got[c] != want[c]) { print c ": " got[c] + 0 " results, want " want[c]; bad = 1 }
                nc++
            }
            if (nb != nc) { print nb " KTAP blocks, want " nc; bad = 1 }
            exit bad
        }' "$tmp/ktap"
}
check ksft.one_ktap_block_per_collection_with_exact_plan blocks_well_formed

timeouts_from_settings() {
    for s in "$inst"/*/settings; do
        c=$(basename "$(dirname "$s")")
        t=$(sed -n 's/^timeout=//p' "$s")
        [ "$t" -ge 120 ] || { echo "$c: timeout $t below 120"; return 1; }
        # runner.sh prints the timeout just before each program's header.
        awk -v t="# timeout set to $t" -v h="# selftests: $c: " '
            prev == t && index($0, h) == 1 { ok = 1 } { prev = $0 } END { exit !ok }' "$tmp/ktap" ||
            { echo "$c: no '# timeout set to $t' before its programs"; return 1; }
    done
}
check ksft.each_collection_runs_with_its_settings_timeout timeouts_from_settings

device_programs_skip() {
    for t in device:device dma:device group:group map:map irq:edu irq:nvme resv:iova resv:info stress:maps; do
        c=${t%%:*} p=${t#*:}
        grep -Eq "^ok [0-9]+ selftests: $c: $p # SKIP\$" "$tmp/ktap" ||
            { echo "$t: not reported SKIP"; grep "selftests: $c: $p" "$tmp/ktap"; return 1; }
    done
}
check ksft.device_programs_skip_without_a_device device_programs_skip

skip_reason_says_how_to_select() {
    grep -q '^# ok 1 dma.type1.device_interrupt_delivered # SKIP needs 1 device(s): no test device selected: run.sh --device BDF|VENDOR:DEVICE' "$tmp/ktap" &&
    ! grep -q '^# not ok ' "$tmp/ktap"
}
check ksft.nested_skips_name_the_selection skip_reason_says_how_to_select

deviceless_program_passes() {
    grep -q '^ok 1 selftests: unit: range_test$' "$tmp/ktap" &&
    awk '/^# selftests: unit: range_test$/ { on = 1 } on && /^# ok [0-9]+ / && !/# SKIP/ { n++ }
         END { exit !(n > 0) }' "$tmp/ktap"
}
check ksft.program_needing_no_device_passes deviceless_program_passes

ksft_single_test() {
    (cd "$inst" && $sh_cmd ./run_kselftest.sh -t resv:sysfs) 2>&1 | cat > "$tmp/one"
    grep -Eq '^(ok|not ok) 1 selftests: resv: sysfs' "$tmp/one" && grep -qx '1..1' "$tmp/one"
}
check ksft.single_test_selected_by_collection_and_name ksft_single_test

# run.sh --host local from the installed tree (a fake, empty sysfs: no
# device, nothing bound; the program runs against the real kernel).
local_from_tree() {
    mkdir -p "$tmp/sys" "$tmp/proc/sys/kernel/random"
    echo 11111111-2222-3333-4444-555555555555 > "$tmp/proc/sys/kernel/random/boot_id"
    : > "$tmp/kmsg"
    st=0
    VCT_SYSFS=$tmp/sys VCT_PROC=$tmp/proc VCT_STATE=$tmp/state VCT_KMSG=$tmp/kmsg \
        $sh_cmd "$inst/run.sh" --host local --suite resv/sysfs --results "$tmp/res" \
        > "$tmp/o" 2> "$tmp/e" < /dev/null || st=$?
    [ "$st" = 0 ] || { echo "exit $st"; cat "$tmp/e"; return 1; }
    grep -q '^# selftests: resv: sysfs$' "$tmp/o" && grep -q '"host": {"kind": "local"' "$tmp/res/run.json" &&
    [ -s "$tmp/res/tap/resv.sysfs.tap" ] && [ ! -e "$tmp/state/journal" ]
}
check local.run_sh_host_local_runs_the_installed_tree local_from_tree

[ "$n" = 9 ] || { echo "# plan mismatch: ran $n"; failed=1; }
exit "$failed"
