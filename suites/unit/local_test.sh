#!/bin/sh
# local_test.sh: offline tests of `run.sh --host local` (harness/sh/local.sh,
# bind.sh) against a fake sysfs/procfs tree, as TAP.  Runs under dash and
# busybox ash (make unit runs it under both).
#
# The fake kernel: bind.sh runs $VCT_FAKE_KERNEL FILE VALUE after each sysfs
# write; ours plays the PCI core's part: unbind drops the driver link,
# drivers_probe binds the driver named by driver_override (or, with none,
# the device's native driver from fake/native/BDF), drivers/X/bind binds X.
# The suite "programs" are shell scripts in a copy of the runner's tree.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
sh_cmd=${VCT_SH:-sh}
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"

# ---- the fake machine ---------------------------------------------------------
S=$tmp/fake/sys P=$tmp/fake/proc
arch=$("$top/harness/sh/arch.sh")
tree=$tmp/tree
mkdir -p "$tree/build/$arch/suites/fake" "$tree/harness"
cp "$top/run.sh" "$tree/"
cp -R "$top/harness/sh" "$tree/harness/sh"
cp -R "$top/hosts" "$tree/hosts"
rm -f "$tree/harness/sh/preflight.sh"   # the interface is tested with a fake one

cat > "$tmp/fakekernel" <<'EOF'
#!/bin/sh
# fakekernel FILE VALUE: the PCI core's answer to a sysfs write.
set -eu
S=$VCT_SYSFS
dev() { printf '%s/bus/pci/devices/%s' "$S" "$1"; }
bind_to() {  # bind_to BDF DRIVER (fake/refuse: only vfio-pci binds)
    [ -d "$S/bus/pci/drivers/$2" ] || return 1
    [ ! -e "$S/../refuse" ] || [ "$2" = vfio-pci ] || return 1
    ln -s "../../drivers/$2" "$(dev "$1")/driver"
    ln -s "../../devices/$1" "$S/bus/pci/drivers/$2/$1"
}
case "$1" in
    */driver_override) [ -n "$2" ] || echo "(null)" > "$1" ;;
    */unbind)
        # fake/unbind-splat: what the kernel logs when a driver lets go
        [ ! -f "$S/../unbind-splat" ] || cat "$S/../unbind-splat" >> "$VCT_KMSG"
        d=$(dev "$2")
        [ -L "$d/driver" ] || exit 1
        drv=$(basename "$(readlink "$d/driver")")
        rm -f "$d/driver" "$S/bus/pci/drivers/$drv/$2" ;;
    */drivers_probe)
        d=$(dev "$2")
        [ -L "$d/driver" ] && exit 0
        ov=$(cat "$d/driver_override")
        if [ "$ov" != "(null)" ]; then bind_to "$2" "$ov"
        elif [ -f "$S/../native/$2" ]; then bind_to "$2" "$(cat "$S/../native/$2")"
        else exit 1; fi ;;
    */drivers/*/bind)
        drv=$(basename "$(dirname "$1")")
        ov=$(cat "$(dev "$2")/driver_override")
        [ "$ov" = "(null)" ] || [ "$ov" = "$drv" ] || exit 1
        bind_to "$2" "$drv" ;;
esac
EOF
# fake modprobe / rmmod: a module is a directory under sys/module.
cat > "$tmp/modprobe" <<'EOF'
#!/bin/sh
case "$1" in
    vfio_pci) for m in irqbypass vfio vfio_pci_core vfio_pci; do mkdir -p "$VCT_SYSFS/module/$m"; done ;;
    vfio_iommu_type1) mkdir -p "$VCT_SYSFS/module/vfio_iommu_type1" ;;
    *) exit 1 ;;
esac
echo "$1" >> "$VCT_SYSFS/../modprobe.log"
EOF
cat > "$tmp/rmmod" <<'EOF'
#!/bin/sh
rmdir "$VCT_SYSFS/module/$1" && echo "$1" >> "$VCT_SYSFS/../rmmod.log"
EOF
chmod +x "$tmp/fakekernel" "$tmp/modprobe" "$tmp/rmmod"

# mkdev BDF VENDOR DEVICE GROUP [NATIVE_DRIVER]: a device, bound to its
# native driver when one is given.
mkdev() {
    d=$S/bus/pci/devices/$1
    mkdir -p "$d" "$S/kernel/iommu_groups/$4/devices"
    echo "0x$2" > "$d/vendor"; echo "0x$3" > "$d/device"; echo 0x00ff00 > "$d/class"
    echo "(null)" > "$d/driver_override"
    ln -s "../../../kernel/iommu_groups/$4" "$d/iommu_group"
    ln -s "../../../../bus/pci/devices/$1" "$S/kernel/iommu_groups/$4/devices/$1"
    [ -f "$S/kernel/iommu_groups/$4/reserved_regions" ] ||
        echo "0x00000000fee00000 0x00000000feefffff msi" > "$S/kernel/iommu_groups/$4/reserved_regions"
    if [ -n "${5:-}" ]; then
        echo "$5" > "$tmp/fake/native/$1"
        ln -s "../../drivers/$5" "$d/driver"
        ln -s "../../devices/$1" "$S/bus/pci/drivers/$5/$1"
    fi
}

fake_machine() {
    rm -rf "$tmp/fake" "$tmp/state" "$tmp/res"
    mkdir -p "$S/bus/pci/devices" "$S/kernel/mm/hugepages/hugepages-2048kB" \
             "$S/kernel/mm/hugepages/hugepages-1048576kB" "$S/module/vfio" \
             "$P/sys/kernel/random" "$tmp/fake/native" "$S/class/dmi/id"
    for drv in vfio-pci edu_host e1000e lpc_ich; do
        mkdir -p "$S/bus/pci/drivers/$drv"; : > "$S/bus/pci/drivers/$drv/bind"; : > "$S/bus/pci/drivers/$drv/unbind"
    done
    : > "$S/bus/pci/drivers_probe"
    echo 16 > "$S/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
    echo 0 > "$S/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
    echo 11111111-2222-3333-4444-555555555555 > "$P/sys/kernel/random/boot_id"
    echo "model name	: Fake CPU @ 1GHz" > "$P/cpuinfo"
    echo "Fake Vendor" > "$S/class/dmi/id/sys_vendor"; echo "Fake Board" > "$S/class/dmi/id/product_name"
    mkdev 0000:00:03.0 1234 11e8 3             # edu, no driver
    mkdev 0000:00:04.0 1234 11e8 4 edu_host    # edu, on a host driver
    mkdev 0000:00:05.0 8086 10d3 5 e1000e      # a NIC
    mkdev 0000:00:1f.0 8086 2918 9 lpc_ich     # a group of two
    mkdev 0000:00:1f.3 8086 2930 9
    echo 2 > "$S/bus/pci/devices/0000:00:05.0/sriov_numvfs"
    : > "$tmp/fake/kmsg"
}

# snapshot: every path, link target and file content of the fake machine.
snapshot() {
    (cd "$tmp/fake" && find . | sort | while IFS= read -r f; do
        if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
        elif [ -f "$f" ] && [ "$f" != ./kmsg ]; then echo "$f = $(cat "$f")"
        else echo "$f"; fi
    done)
}

# The suite programs: fake/prog behaves as $tmp/behaviour says (pass, sleep,
# crash); it checks that the selected device is on vfio-pci while it runs
# and changes the 2 MiB hugepage pool as a test might.
cat > "$tree/build/$arch/suites/fake/prog" <<'EOF'
#!/bin/sh
[ "${1:-}" = --vct-list ] && { echo fake.device_bound; echo fake.second; exit 0; }
echo "TAP version 13"; echo "1..2"
echo "#  RUN           fake.device_bound ..."
echo $$ > "$FAKE_DIR/prog.pid"
drv=$(basename "$(readlink "$VCT_SYSFS/bus/pci/devices/0000:00:03.0/driver" 2>/dev/null)" 2>/dev/null)
echo 32 > "$VCT_SYSFS/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
case "$(cat "$FAKE_DIR/behaviour")" in
    sleep) : > "$FAKE_DIR/started"; sleep 60; : > "$FAKE_DIR/finished" ;;
    crash) kill -SEGV $$ ;;
esac
if [ "$drv" = vfio-pci ] && [ "$VCT_DEVICES" = "0000:00:03.0" ]; then echo "ok 1 fake.device_bound"
else echo "not ok 1 fake.device_bound # driver '$drv', VCT_DEVICES '$VCT_DEVICES'"; fi
echo "ok 2 fake.second"
EOF
chmod +x "$tree/build/$arch/suites/fake/prog"

export VCT_SYSFS="$S" VCT_PROC="$P" VCT_STATE="$tmp/state" VCT_KMSG="$tmp/fake/kmsg"
export VCT_FAKE_KERNEL="$tmp/fakekernel" VCT_MODPROBE="$tmp/modprobe" VCT_RMMOD="$tmp/rmmod"
export FAKE_DIR="$tmp"
unset VCT_DEVICES VFIO_SELFTESTS_BDF

# runsh ARGS...: run.sh --host local of the tree copy; status in $st.
runsh() {
    st=0
    # shellcheck disable=SC2086 # VCT_SH may be "busybox ash"
    $sh_cmd "$tree/run.sh" --host local --no-build --results "$tmp/res" "$@" \
        > "$tmp/o" 2> "$tmp/e" < /dev/null || st=$?
}
want() {  # want STATUS TEXT: the last runsh exited STATUS and said TEXT
    [ "$st" = "$1" ] || { echo "exit $st, want $1"; cat "$tmp/e"; return 1; }
    grep -qF -- "$2" "$tmp/e" "$tmp/o" || { echo "no '$2' in:"; cat "$tmp/e"; return 1; }
}
driver_of() { basename "$(readlink "$S/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null || true; }
unchanged() { snapshot > "$tmp/after"; diff -u "$tmp/before" "$tmp/after"; }

bad_input() {  # bad_input TEXT ARGS...: exit 2 naming it, nothing changed
    text=$1; shift
    fake_machine; snapshot > "$tmp/before"
    runsh "$@"
    want 2 "$text" && unchanged && [ ! -e "$tmp/state/journal" ]
}

echo "TAP version 13"
echo "1..26"
check local.malformed_bdf_exits_2_naming_it bad_input "device '00:3.0x' is neither a BDF" --device 00:3.0x
check local.malformed_id_exits_2_naming_it bad_input "device '1234:11e' is neither a BDF" --device 1234:11e
check local.absent_bdf_exits_2_naming_it bad_input "device 00:07.0: no such PCI device" --device 0000:00:03.0 --device 00:07.0
check local.unmatched_id_exits_2_naming_it bad_input "device 1234:beef: no PCI device has vendor:device 1234:beef" --device 1234:beef
bad_env() { VCT_DEVICES=nonsense; export VCT_DEVICES; bad_input "device 'nonsense' is neither"; r=$?; unset VCT_DEVICES; return $r; }
check local.bad_vct_devices_exits_2_naming_it bad_env
check local.device_needs_an_argument bad_input "option --device needs an argument" --device
qemu_refuses() {
    st=0
    # shellcheck disable=SC2086
    $sh_cmd "$tree/run.sh" --dry-run --device 00:03.0 > "$tmp/o" 2> "$tmp/e" || st=$?
    want 2 "are for --host local"
}
check local.local_options_refused_on_a_qemu_host qemu_refuses

dry_plan() {
    fake_machine; snapshot > "$tmp/before"
    runsh --dry-run --device 1234:11e8 --device 0000:00:1f.3 --device 00:03.0
    want 0 "dry run: nothing changed" && unchanged &&
    want 0 "device 0000:00:03.0 [1234:11e8] PCI class 0x00ff00" &&
    want 0 "device 0000:00:04.0 [1234:11e8]" &&
    want 0 "driver edu_host, driver_override none, sriov_numvfs -" &&
    want 0 "IOMMU group 9: other members 0000:00:1f.0 [8086:2918] driver lpc_ich" &&
    want 0 "group 3 reserved region: 0x00000000fee00000 0x00000000feefffff msi" &&
    [ "$(grep -c '^# device 0000:00:03.0' "$tmp/e")" = 1 ]
}
check local.dry_run_prints_plan_ids_resolved_once_changes_nothing dry_plan

fake_preflight() {  # a preflight.sh that refuses $1 (the interface, item 3)
    cat > "$tree/harness/sh/preflight.sh" <<EOF
# shellcheck shell=sh
preflight_check() {
    [ "\$1" = --force ] && shift
    for b in "\$@"; do
        [ "\$b" = "$1" ] && { echo "run.sh: refused: \$b: fake refusal" >&2; return 2; }
    done
    return 0
}
EOF
}
refusal() {
    fake_machine; snapshot > "$tmp/before"
    fake_preflight 0000:00:05.0
    runsh --device 00:03.0 --device 00:05.0
    rc=0; want 2 "run.sh: refused: 0000:00:05.0: fake refusal" && unchanged && [ ! -e "$tmp/state/journal" ] || rc=1
    rm -f "$tree/harness/sh/preflight.sh"
    return $rc
}
check local.preflight_refusal_exits_2_before_any_change refusal

full_run() {
    fake_machine
    echo pass > "$tmp/behaviour"
    runsh --device 0000:00:03.0 --suite fake
    want 0 "restored 0000:00:03.0: driver none, driver_override none" &&
    grep -q '^ok 2 selftests: fake: prog$' "$tmp/o" &&
    grep -q '^ok 1 fake.device_bound$' "$tmp/res/tap/fake.prog.tap" &&
    grep -q '^ok [0-9]* setup.bind.0000:00:03.0' "$tmp/res/tap/00-setup.tap" &&
    [ -z "$(driver_of 0000:00:03.0)" ] &&
    [ "$(cat "$S/bus/pci/devices/0000:00:03.0/driver_override")" = "(null)" ] &&
    [ "$(cat "$S/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")" = 16 ] &&
    [ ! -e "$tmp/state/journal" ] &&
    grep -q '"sys_vendor": "Fake Vendor"' "$tmp/res/run.json" &&
    grep -q '"cpu": "Fake CPU @ 1GHz"' "$tmp/res/run.json" &&
    grep -q '"counts": {"pass": [1-9][0-9]*, "fail": 0' "$tmp/res/run.json" &&
    grep -q '^  "phases": \[{"name": "build", .*{"name": "bind", .*{"name": "guest.start", .*{"name": "guest.suites/fake/prog", .*{"name": "guest.teardown", .*{"name": "teardown", .*{"name": "report", "seconds": [0-9.]*, "clock": "host"}\],$' "$tmp/res/run.json" &&
    grep -q '^device 0000:00:03.0 - - -$' "$tmp/res/work/journal" &&
    grep -q '^hugepages hugepages-2048kB 16$' "$tmp/res/work/journal"
}
check local.run_binds_runs_and_restores_driver_override_hugepages full_run

modules_run() {
    # vfio was loaded before the run; the run loads the rest and unloads
    # exactly those, in reverse order, after the restore.
    [ "$(cat "$tmp/fake/modprobe.log" | tr '\n' ' ')" = "vfio_pci vfio_iommu_type1 " ] &&
    [ "$(cat "$tmp/fake/rmmod.log" | tr '\n' ' ')" = "vfio_pci vfio_pci_core vfio_iommu_type1 irqbypass " ] &&
    [ -d "$S/module/vfio" ] && [ ! -d "$S/module/vfio_pci" ]
}
check local.modules_loaded_by_the_run_are_unloaded_after modules_run

host_driver_run() {
    fake_machine
    echo pass > "$tmp/behaviour"
    runsh --device 0000:00:04.0 --device 0000:00:05.0 --suite fake
    [ "$st" = 1 ] &&   # fake.device_bound checks 00:03.0, which is not selected
    [ "$(driver_of 0000:00:04.0)" = edu_host ] && [ "$(driver_of 0000:00:05.0)" = e1000e ] &&
    grep -q "restored 0000:00:05.0: driver e1000e, driver_override none, sriov_numvfs 2" "$tmp/e" &&
    grep -q "bind 0000:00:04.0 1234:11e8 group 4 (was edu_host)" "$tmp/res/work/stream.log"
}
check local.host_drivers_reprobed_after_the_run host_driver_run

no_selection() {
    fake_machine; snapshot > "$tmp/before"
    echo pass > "$tmp/behaviour"
    runsh --suite fake
    want 1 "no device selected (--device BDF|VENDOR:DEVICE" && unchanged
}
check local.no_selection_touches_no_device no_selection

sigterm_run() {
    fake_machine
    echo sleep > "$tmp/behaviour"; rm -f "$tmp/started" "$tmp/finished"
    st=0
    # shellcheck disable=SC2086
    $sh_cmd "$tree/run.sh" --host local --no-build --results "$tmp/res" --device 00:03.0 --suite fake \
        > "$tmp/o" 2> "$tmp/e" < /dev/null &
    pid=$!
    i=0
    while [ ! -e "$tmp/started" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "$tmp/started" ] || { echo "the program never started"; cat "$tmp/e"; return 1; }
    [ "$(driver_of 0000:00:03.0)" = vfio-pci ] || { echo "not bound while running"; return 1; }
    prog=$(cat "$tmp/prog.pid")
    kill -TERM "$pid"
    wait "$pid" || st=$?
    [ "$st" = 143 ] || { echo "exit $st, want 143"; cat "$tmp/e"; return 1; }
    ! kill -0 "$prog" 2>/dev/null || { echo "program $prog still runs"; return 1; }
    # killed, not waited for: it never reached the end of its sleep
    [ ! -e "$tmp/finished" ] || { echo "the program was not killed: it finished its sleep"; return 1; }
    [ -z "$(driver_of 0000:00:03.0)" ] &&
    [ "$(cat "$S/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")" = 16 ] &&
    [ ! -e "$tmp/state/journal" ] &&
    grep -q "^not ok 1 fake.device_bound # test did not finish: terminated by SIGTERM" "$tmp/res/tap/fake.prog.tap"
}
check local.sigterm_mid_run_kills_program_restores_exits_143 sigterm_run

crash_run() {
    fake_machine
    echo crash > "$tmp/behaviour"
    runsh --device 00:03.0 --suite fake
    [ "$st" = 1 ] && [ -z "$(driver_of 0000:00:03.0)" ] && [ ! -e "$tmp/state/journal" ] &&
    [ "$(cat "$S/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")" = 16 ] &&
    grep -q "not ok 1 fake.device_bound # test did not finish: program killed by signal 11" "$tmp/res/tap/fake.prog.tap"
}
check local.crashed_program_fails_its_test_and_restores crash_run

# A killed run: the journal of this boot, the device left on vfio-pci.
stale_state() {
    fake_machine
    mkdir -p "$tmp/state"
    sh -c 'exit 0' & dead=$!; wait $dead
    printf 'vfio-ct-journal 1\nboot_id %s\npid %s\nstarted 2026-01-01T00:00:00Z\ndevice 0000:00:04.0 edu_host - -\nhugepages hugepages-2048kB 8\n' \
        "$(cat "$P/sys/kernel/random/boot_id")" "$dead" > "$tmp/state/journal"
    d=$S/bus/pci/devices/0000:00:04.0
    "$tmp/fakekernel" "$d/driver/unbind" 0000:00:04.0
    echo vfio-pci > "$d/driver_override"
    "$tmp/fakekernel" "$S/bus/pci/drivers_probe" 0000:00:04.0
    [ "$(driver_of 0000:00:04.0)" = vfio-pci ]
}
stale_restore_only() {
    stale_state
    runsh --restore
    want 0 "restored 0000:00:04.0: driver edu_host, driver_override none" &&
    want 0 "restored hugepages-2048kB nr_hugepages 8" &&
    [ "$(driver_of 0000:00:04.0)" = edu_host ] && [ ! -e "$tmp/state/journal" ] && [ ! -e "$tmp/res" ]
}
check local.restore_only_restores_a_stale_journal stale_restore_only

stale_then_run() {
    stale_state
    echo pass > "$tmp/behaviour"
    runsh --device 00:03.0 --suite fake
    want 0 "that did not finish: restoring it first" &&
    [ "$(driver_of 0000:00:04.0)" = edu_host ] && [ ! -e "$tmp/state/journal" ]
}
check local.run_restores_a_stale_journal_first stale_then_run

live_owner() {
    stale_state
    sleep 30 & owner=$!
    sed -i "s/^pid .*/pid $owner/" "$tmp/state/journal"
    snapshot > "$tmp/before"
    runsh --device 00:03.0 --suite fake
    kill "$owner"
    want 2 "run $owner (still running) holds the journal" && unchanged
}
check local.journal_of_a_running_run_is_left_alone live_owner

other_boot() {
    stale_state
    sed -i 's/^boot_id .*/boot_id 99999999-0000-0000-0000-000000000000/' "$tmp/state/journal"
    snapshot > "$tmp/before"
    runsh "$@"
    want 2 "is from another boot (boot_id 99999999-0000-0000-0000-000000000000" &&
    want 2 "discard it with: rm $tmp/state/journal" && unchanged && [ -e "$tmp/state/journal" ]
}
check local.other_boot_journal_refused_on_run other_boot --device 00:03.0
check local.other_boot_journal_refused_on_restore other_boot --restore
check local.other_boot_journal_refused_on_dry_run other_boot --dry-run

restore_unverified() {
    # The host driver no longer binds: the restore says so, keeps the
    # journal and the run exits 1.
    fake_machine
    echo pass > "$tmp/behaviour"
    : > "$tmp/fake/refuse"
    runsh --device 00:04.0 --suite fake
    want 1 "restore 0000:00:04.0 FAILED: driver 'none' (want 'edu_host')" &&
    want 1 "journal kept: $tmp/state/journal" && [ -e "$tmp/state/journal" ]
}
check local.unverified_restore_keeps_journal_exits_1 restore_unverified

vfio_selftests_bdf() {
    fake_machine; snapshot > "$tmp/before"
    VFIO_SELFTESTS_BDF=00:1f.3 runsh --dry-run
    want 0 "device 0000:00:1f.3 [8086:2930]" && unchanged
}
check local.vfio_selftests_bdf_selects vfio_selftests_bdf

kmsg_from_marker() {
    fake_machine
    echo "6,1,100,-;old: WARNING: CPU: 0 PID: 1 at somewhere" > "$tmp/fake/kmsg"
    echo pass > "$tmp/behaviour"
    runsh --device 00:03.0 --suite fake
    [ "$st" = 0 ] || { cat "$tmp/e"; return 1; }
    ! grep -q "old: WARNING" "$tmp/res/work/kmsg.raw" &&
    grep -q "vfio-ct: program begin suites/fake/prog" "$tmp/res/work/kmsg.raw"
}
check local.kernel_log_read_from_the_run_start kmsg_from_marker

# A splat while the bindings are put back (the kernel log of a WARN at
# vfio-pci's unbind, replayed by the fake kernel at the unbind) fails the
# teardown block, naming the restore step; the other tests still pass.
restore_splat() {
    fake_machine
    grep -v '^ ' "$top/fixtures/splat/warning.kmsg" | grep -v 'vfio-ct: ' > "$tmp/fake/unbind-splat"
    echo pass > "$tmp/behaviour"
    runsh --device 00:03.0 --suite fake
    t="$tmp/res/tap/zz-teardown.tap"
    [ "$st" = 1 ] || { echo "exit $st, want 1"; cat "$tmp/e"; return 1; }
    grep -qx 'ok 1 teardown.kernel_log_clean_between_programs' "$t" &&
    grep -qx 'not ok 2 teardown.kernel_log_clean_during_teardown' "$t" &&
    grep -q "^# vfio-ct: kernel splat (warning) during the teardown, step 'restore 0000:00:03.0': WARNING: " "$t" &&
    grep -q '^ok 1 fake.device_bound$' "$tmp/res/tap/fake.prog.tap" &&
    grep -q '^not ok 3 selftests: teardown: guest' "$tmp/o" &&
    [ -z "$(driver_of 0000:00:03.0)" ] && [ ! -e "$tmp/state/journal" ] || { cat "$t"; return 1; }
}
check local.restore_splat_fails_teardown_block_naming_the_step restore_splat
clean_restore() {  # the same run without it: the block passes
    fake_machine
    echo pass > "$tmp/behaviour"
    runsh --device 00:03.0 --suite fake
    [ "$st" = 0 ] && grep -qx 'ok 2 teardown.kernel_log_clean_during_teardown' "$tmp/res/tap/zz-teardown.tap" &&
    grep -q "vfio-ct: teardown restore 0000:00:03.0" "$tmp/res/work/kmsg.raw" || { cat "$tmp/res/tap/zz-teardown.tap" "$tmp/e"; return 1; }
}
check local.clean_restore_passes_teardown_block_with_its_steps_marked clean_restore

[ "$n" = 26 ] || { echo "# plan mismatch: ran $n"; failed=1; }
exit "$failed"
