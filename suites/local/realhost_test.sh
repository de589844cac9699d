#!/bin/sh
# realhost_test.sh: the proof that `run.sh --host local` is safe on a real
# machine.  It runs inside the emulated "server" guests
# (hosts/qemu-x86_64-server.conf, hosts/qemu-aarch64-server.conf), in place
# of the suites: from inside the guest, the guest is the real machine.  TAP
# on stdout; test code, not a shipped suite.
#
# It first makes the guest look like a server in use: an ext2 on one NVMe,
# mounted; swap on the virtio-blk disk; the NIC up with 192.0.2.1/24 (a route;
# its netdev goes nowhere, and nothing is sent).  Then it calls
# `$VCT_HOME/run.sh --host local ...` once per scenario and asserts:
#   - every refusal (mounted NVMe, swap, NIC up and routed, boot display,
#     group shared with a host-driver-bound member that was not selected,
#     malformed BDF, nonexistent device, unknown ID, another boot's
#     journal): exit status 2, its message, and no binding changed;
#   - --force overrides only a signature and an interface that is up, and
#     a device it lets through is bound for real and restored afterwards;
#   - --dry-run changes nothing;
#   - every restore (success, a failing test, SIGTERM mid-run, a crashing
#     test program): every device's driver and driver_override and every
#     hugepage pool's nr_hugepages are after the run what they were before;
#   - the idle NVMe, bound and used as the DMA engine, passes the dma suite
#     and is back on nvme afterwards; the edu devices likewise.
# Every scenario's verdict also goes into a table at the end (`# table:`).
set -eu
# The tests, in order (the runner lists them before it runs the program).
tests() {
    cat <<'LIST'
local.setup.data_nvme_holds_a_mounted_ext2
local.setup.swap_disk_is_swap
local.setup.nic_up_with_a_route
local.refused.nvme_mounted
local.refused.nvme_mounted_with_force
local.refused.swap
local.refused.swap_with_force
local.refused.nic_routed
local.refused.nic_routed_with_force
local.refused.boot_display
local.refused.boot_display_with_force
local.refused.shared_group
local.refused.shared_group_with_force
local.refused.malformed_bdf
local.refused.nonexistent_device
local.refused.unknown_id
local.refused.other_boot_journal
local.dry_run_changes_nothing
local.refused.nvme_signature
local.force_overrides_a_signature
local.refused.nic_up
local.force_overrides_an_interface_up
local.restore.nic_up_forced
local.force_binds_an_interface_up_and_it_comes_back
local.restore.edu_dma
local.dma_suite_passes_through_edu
local.restore.failing_test
local.restore.sigterm
local.restore.crash
local.restore.nvme_dma
local.dma_suite_passes_through_nvme_and_nvme_is_back
LIST
}
if [ "${1:-}" = --vct-list ]; then tests; exit 0; fi
TREE=${VCT_HOME:-/vfio-ct}
RUN="$TREE/run.sh"
# shellcheck source=harness/sh/preflight.sh
. "$TREE/harness/sh/preflight.sh"
tmp=$(mktemp -d)
n=0 failed=0
P="run.sh: refused:"
cleanup() {
    umount /mnt/vct-data 2>/dev/null || true
    [ -z "${SWAPDISK:-}" ] || swapoff "/dev/$SWAPDISK" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM HUP

say() { printf '# %s\n' "$*"; }
pass() { n=$((n + 1)); echo "ok $n $1"; echo "$1" >> "$tmp/ran"; }
fail() { n=$((n + 1)); echo "not ok $n $1"; echo "$1" >> "$tmp/ran"; shift; for l in "$@"; do say "$l"; done; failed=1; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; echo "$1" >> "$tmp/ran"; }
table() { printf '%s\n' "$*" >> "$tmp/table"; }

# snapshot: what a run must leave as it found it: every PCI device's driver
# and driver_override, every hugepage pool's nr_hugepages.
snapshot() {
    for d in /sys/bus/pci/devices/*; do
        drv=-
        [ -L "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
        printf '%s driver=%s override=%s\n' "$(basename "$d")" "$drv" "$(cat "$d/driver_override" 2>/dev/null)"
    done
    for h in /sys/kernel/mm/hugepages/hugepages-*; do
        printf '%s nr_hugepages=%s\n' "$(basename "$h")" "$(cat "$h/nr_hugepages")"
    done
}
driver_of() {
    if [ -L "/sys/bus/pci/devices/$1/driver" ]; then basename "$(readlink "/sys/bus/pci/devices/$1/driver")"; else echo none; fi
}

# local_run NAME ARGS...: run.sh --host local ARGS, its status in $st, its
# stdout and stderr in $tmp/NAME.out and .err, the snapshots around it in
# $tmp/NAME.before and .after.
local_run() {
    name=$1; shift
    snapshot > "$tmp/$name.before"
    st=0
    sh "$RUN" --host local --no-build --results "$tmp/res-$name" "$@" \
        > "$tmp/$name.out" 2> "$tmp/$name.err" < /dev/null || st=$?
    snapshot > "$tmp/$name.after"
}
unchanged() { cmp -s "$tmp/$1.before" "$tmp/$1.after"; }
changes() { diff "$tmp/$1.before" "$tmp/$1.after" | grep '^[-+][0-9a-z]' | tr '\n' ';' || true; }

# refused NAME LINE ARGS...: exit 2, LINE (a whole line of stderr) printed,
# nothing changed, no journal left behind.  (With one short program named:
# a refusal that fails to happen costs a short run, not every suite.)
refused() {
    rname=$1 want=$2; shift 2
    local_run "$rname" --suite resv/sysfs "$@"
    if [ "$st" = 2 ] && grep -qxF -- "$want" "$tmp/$rname.err" && unchanged "$rname" &&
        [ ! -e /run/vfio-ct/journal ]; then
        pass "local.refused.$rname"
    else
        fail "local.refused.$rname" "run.sh --host local $*: exit $st (want 2)" \
            "want the line: $want" "bindings: $(unchanged "$rname" && echo unchanged || echo "CHANGED: $(changes "$rname")")" \
            "$(sed 's/^/stderr: /' "$tmp/$rname.err" | tail -n 15)"
    fi
    table "$rname | $want | $st | $(unchanged "$rname" && echo yes || echo no)"
}

# restored NAME WANT-STATUS BDF (the run in $st, its results in
# $tmp/res-NAME, the snapshots taken): the status, BDF was bound to vfio-pci
# during the run, and everything is as before.
restored() {
    rname=$1 want=$2
    bound=$(grep -c "^@setup ok bind $3 " "$tmp/res-$rname/work/stream.log" 2>/dev/null || true)
    if [ "$st" = "$want" ] && [ "$bound" = 1 ] && unchanged "$rname" && [ ! -e /run/vfio-ct/journal ]; then
        pass "local.restore.$rname"
    else
        fail "local.restore.$rname" "exit $st (want $want); $3 bound to vfio-pci during the run: $([ "$bound" = 1 ] && echo yes || echo no)" \
            "bindings and hugepages: $(unchanged "$rname" && echo unchanged || echo "CHANGED: $(changes "$rname")")" \
            "journal: $([ -e /run/vfio-ct/journal ] && echo LEFT BEHIND || echo removed)" \
            "$(sed 's/^/stderr: /' "$tmp/$rname.err" | tail -n 15)"
    fi
    table "restore $rname | exit $st | hugepages $(grep -h nr_hugepages "$tmp/$rname.before" | tr '\n' ' ')-> $(grep -h nr_hugepages "$tmp/$rname.after" | tr '\n' ' ')| unchanged $(unchanged "$rname" && echo yes || echo no)"
}

# counts NAME: "PASS SKIP FAIL SECONDS" of the dma program in that run's
# run.json (its tests, not the runner's blocks).
counts() {
    c=$(sed -n 's|.*"tap/dma\.device\.tap", "seconds": \([0-9.a-z]*\), "pass": \([0-9]*\), "fail": \([0-9]*\), "skip": \([0-9]*\).*|\2 \4 \3 \1|p' \
        "$tmp/res-$1/run.json" 2>/dev/null)
    echo "${c:-0 0 0 -}"
}

# ---- the server ----------------------------------------------------------------------
arch=$(uname -m)
say "proof on $arch, Linux $(uname -r), tree $TREE"
EDUS="" DATA="" IDLE="" NIC="" IFC="" SWAPBDF="" SWAPDISK="" VGA="" SHARED="" SHARED_M="" SHARED_DRV="" SHARED_G=""
for d in /sys/bus/pci/devices/*; do
    b=$(basename "$d") g=$(basename "$(readlink "$d/iommu_group" 2>/dev/null)" 2>/dev/null || echo "")
    # Alone: in a group of its own, or (device-tree platforms: no group
    # until a driver binds it) in none and the only function of its slot.
    members=0
    if [ -n "$g" ]; then members=$(ls "/sys/kernel/iommu_groups/$g/devices" | wc -l)
    else members=$(ls -d "/sys/bus/pci/devices/${b%.*}".* | wc -l); fi
    if [ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0x11e8 ] && [ "$members" = 1 ]; then EDUS="$EDUS $b"; fi
    [ "$(cat "$d/boot_vga" 2>/dev/null)" = 1 ] && VGA=$b
    for i in "$d"/net/*; do
        [ "$(cat "$i/address" 2>/dev/null)" = 52:54:00:12:34:56 ] && { NIC=$b IFC=$(basename "$i"); }
    done
done
for c in /sys/class/nvme/nvme*; do
    s=$(tr -d ' ' < "$c/serial")
    b=$(basename "$(readlink -f "$c/device")")
    case "$s" in vfioct0001) IDLE=$b ;; vctdata01) DATA=$b ;; esac
done
for v in /sys/block/vd*; do
    [ "$(cat "$v/serial" 2>/dev/null)" = vct-swap ] || continue
    SWAPDISK=$(basename "$v") SWAPBDF=$(basename "$(dirname "$(readlink -f "$v/device")")")
done
# A group shared by an unbound endpoint and a member on a host driver.
for g in /sys/kernel/iommu_groups/*; do
    host="" free=""
    for m in "$g"/devices/*; do
        m=$(basename "$m") drv=$(driver_of "$m")
        ht=$(pf_hex "/sys/bus/pci/devices/$m/config" 14 1)
        [ -n "$ht" ] && [ $((0x$ht & 0x7f)) = 0 ] || continue
        if [ "$drv" = none ]; then free=${free:-$m}
        elif ! pf_dma_safe_driver "$drv"; then host=${host:-$m}; fi
    done
    if [ -n "$host" ] && [ -n "$free" ] && [ -z "$SHARED" ]; then
        SHARED=$free SHARED_M=$host SHARED_DRV=$(driver_of "$host") SHARED_G=$(basename "$g")
    fi
done
# Device-tree platforms: an unbound endpoint with no group yet, whose other
# function (no ACS: the same group once bound) is on a host driver.
if [ -z "$SHARED" ]; then
    for d in /sys/bus/pci/devices/*; do
        b=$(basename "$d")
        [ ! -e "$d/iommu_group" ] && [ "$(driver_of "$b")" = none ] || continue
        for f in "/sys/bus/pci/devices/${b%.*}".*; do
            m=$(basename "$f") drv=$(driver_of "$m")
            [ "$m" != "$b" ] && [ "$drv" != none ] && ! pf_dma_safe_driver "$drv" && [ -e "$f/iommu_group" ] || continue
            [ -n "$SHARED" ] || { SHARED=$b SHARED_M=$m SHARED_DRV=$drv SHARED_G=$(basename "$(readlink "$f/iommu_group")"); }
        done
    done
fi
# shellcheck disable=SC2086 # a word list
set -- $EDUS
EDU1=${1:-}
DATADISK=$( [ -z "$DATA" ] || preflight_blockdevs "$DATA" | head -n 1)
say "edu (own groups):$EDUS; NVMe idle ${IDLE:-none}, data ${DATA:-none} (${DATADISK:-no disk}); NIC ${NIC:-none} ($IFC);" \
    "swap disk ${SWAPDISK:-none} ($SWAPBDF); boot display ${VGA:-none}; shared group ${SHARED_G:-none}: $SHARED with $SHARED_M on $SHARED_DRV"

echo "TAP version 13"
echo "1..$(tests | wc -l)"

# The server in use.
if [ -n "$DATADISK" ] && mke2fs -q -F "/dev/$DATADISK" > "$tmp/mkfs" 2>&1 &&
    mkdir -p /mnt/vct-data && mount -t ext2 "/dev/$DATADISK" /mnt/vct-data && echo data > /mnt/vct-data/file; then
    pass local.setup.data_nvme_holds_a_mounted_ext2
else
    fail local.setup.data_nvme_holds_a_mounted_ext2 "data NVMe ${DATA:-missing} (${DATADISK:-no disk}): $(cat "$tmp/mkfs" 2>/dev/null)"
fi
if [ -n "$SWAPDISK" ] && mkswap "/dev/$SWAPDISK" > "$tmp/mkswap" 2>&1 && swapon "/dev/$SWAPDISK"; then
    pass local.setup.swap_disk_is_swap
else
    fail local.setup.swap_disk_is_swap "swap disk ${SWAPDISK:-missing}: $(cat "$tmp/mkswap" 2>/dev/null)"
fi
if [ -n "$IFC" ] && ip addr add 192.0.2.1/24 dev "$IFC" && ip link set "$IFC" up &&
    { i=0; until [ "$(cat "/sys/class/net/$IFC/operstate")" = up ] || [ $i -ge 20 ]; do sleep 0.5; i=$((i + 1)); done; true; } &&
    awk -v i="$IFC" '$1 == i { f = 1 } END { exit !f }' /proc/net/route; then
    pass local.setup.nic_up_with_a_route
else
    fail local.setup.nic_up_with_a_route "NIC ${NIC:-missing} (${IFC:-no interface})"
fi
# The server's own hugepage configuration (a restore must keep it).
echo 16 > /proc/sys/vm/nr_hugepages

# ---- refusals ------------------------------------------------------------------------
refused nvme_mounted "$P $DATA: block device /dev/$DATADISK is mounted on /mnt/vct-data: unmount it first" --device "$DATA"
refused nvme_mounted_with_force "$P $DATA: block device /dev/$DATADISK is mounted on /mnt/vct-data: unmount it first" --force --device "$DATA"
refused swap "$P $SWAPBDF: block device /dev/$SWAPDISK is in use as swap: swapoff it first" --device "$SWAPBDF"
refused swap_with_force "$P $SWAPBDF: block device /dev/$SWAPDISK is in use as swap: swapoff it first" --force --device "$SWAPBDF"
r6=$(awk -v i="$IFC" '$NF == i && $1 !~ /^fe[89ab]/ && $1 !~ /^ff/ { c++ } END { print c + 0 }' /proc/net/ipv6_route 2>/dev/null || echo 0)
ROUTED="$P $NIC: network interface $IFC carries routes (1 IPv4, $r6 IPv6): the host's traffic uses it; take it down first (ip link set $IFC down)"
refused nic_routed "$ROUTED" --device "$NIC"
refused nic_routed_with_force "$ROUTED" --force --device "$NIC"
if [ -n "$VGA" ]; then
    refused boot_display "$P $VGA: the boot display (boot_vga = 1): its console would go dark" --device "$VGA"
    refused boot_display_with_force "$P $VGA: the boot display (boot_vga = 1): its console would go dark" --force --device "$VGA"
else
    skip local.refused.boot_display "no PCI device has boot_vga = 1 on this $arch guest"
    skip local.refused.boot_display_with_force "no PCI device has boot_vga = 1 on this $arch guest"
    table "boot_display | (no device has boot_vga = 1) | - | -"
fi
SHAREDMSG="$P $SHARED_M: in IOMMU group $SHARED_G of the selected $SHARED: bound to the host driver $SHARED_DRV and not selected, so the group is not viable: select it too (--device $SHARED_M) or unbind it"
refused shared_group "$SHAREDMSG" --device "$SHARED"
refused shared_group_with_force "$SHAREDMSG" --force --device "$SHARED"
refused malformed_bdf "run.sh: device '0000:zz:00.0' is neither a BDF (like 0000:00:03.0) nor VENDOR:DEVICE (like 1234:11e8)" --device 0000:zz:00.0
refused nonexistent_device "run.sh: device 0000:0f:1f.7: no such PCI device (no /sys/bus/pci/devices/0000:0f:1f.7)" --device 0000:0f:1f.7
refused unknown_id "run.sh: device abcd:ef01: no PCI device has vendor:device abcd:ef01" --device abcd:ef01
# Another boot's journal: refused, and the journal is left for the operator.
mkdir -p /run/vfio-ct
printf 'vfio-ct-journal 1\nboot_id 00000000-0000-0000-0000-000000000000\npid 1\nstarted 2026-01-01T00:00:00Z\ndevice %s - - -\n' "$EDU1" > "$tmp/journal"
cp "$tmp/journal" /run/vfio-ct/journal
snapshot > "$tmp/j.before"
st=0
sh "$RUN" --host local --no-build --results "$tmp/res-journal" --device "$EDU1" > "$tmp/j.out" 2> "$tmp/j.err" < /dev/null || st=$?
snapshot > "$tmp/j.after"
JMSG="run.sh: journal /run/vfio-ct/journal is from another boot (boot_id 00000000-0000-0000-0000-000000000000, this boot is $(cat /proc/sys/kernel/random/boot_id))"
if [ "$st" = 2 ] && grep -qF -- "$JMSG" "$tmp/j.err" && unchanged j && cmp -s "$tmp/journal" /run/vfio-ct/journal; then
    pass local.refused.other_boot_journal
else
    fail local.refused.other_boot_journal "exit $st (want 2); want a line starting: $JMSG" "$(sed 's/^/stderr: /' "$tmp/j.err" | tail -n 5)"
fi
table "other_boot_journal | $JMSG ... | $st | $(unchanged j && echo yes || echo no)"
rm -f /run/vfio-ct/journal

# ---- what --force and --dry-run may do ------------------------------------------------
local_run dry_run --dry-run --device "$IDLE" --device "$EDU1"
if [ "$st" = 0 ] && unchanged dry_run && grep -qF "dry run: nothing changed" "$tmp/dry_run.err"; then
    pass local.dry_run_changes_nothing
else
    fail local.dry_run_changes_nothing "exit $st; $(changes dry_run)" "$(tail -n 5 "$tmp/dry_run.err")"
fi
table "dry_run | (plan printed) | $st | $(unchanged dry_run && echo yes || echo no)"
umount /mnt/vct-data
SIG="block device /dev/$DATADISK carries a ext2/3/4 filesystem (magic 0xef53 at 1080): it may hold data"
refused nvme_signature "$P $DATA: $SIG (--force overrides this)" --device "$DATA"
local_run nvme_signature_force --force --dry-run --device "$DATA"
if [ "$st" = 0 ] && grep -qxF "run.sh: warning: $DATA: $SIG (overridden by --force)" "$tmp/nvme_signature_force.err" &&
    unchanged nvme_signature_force; then
    pass local.force_overrides_a_signature
else
    fail local.force_overrides_a_signature "exit $st" "$(tail -n 5 "$tmp/nvme_signature_force.err")"
fi
table "nvme_signature --force --dry-run | run.sh: warning: $DATA: $SIG (overridden by --force) | $st | $(unchanged nvme_signature_force && echo yes || echo no)"
ip addr flush dev "$IFC"
fl=$(cat "/sys/class/net/$IFC/flags") ost=$(cat "/sys/class/net/$IFC/operstate")
UP="network interface $IFC is up (operstate $ost, flags $fl)"
refused nic_up "$P $NIC: $UP (--force overrides this)" --device "$NIC"
local_run nic_up_force --force --dry-run --device "$NIC"
if [ "$st" = 0 ] && grep -qxF "run.sh: warning: $NIC: $UP (overridden by --force)" "$tmp/nic_up_force.err" && unchanged nic_up_force; then
    pass local.force_overrides_an_interface_up
else
    fail local.force_overrides_an_interface_up "exit $st" "$(tail -n 5 "$tmp/nic_up_force.err")"
fi
table "nic_up --force --dry-run | run.sh: warning: $NIC: $UP (overridden by --force) | $st | $(unchanged nic_up_force && echo yes || echo no)"
# --force beyond --dry-run: the NIC whose interface is up is really bound to
# vfio-pci (a short program runs), and afterwards it is back on its driver
# with an interface again (its link state is not restored: the interface a
# reprobe creates starts down, as after any rebind).
nic_drv=$(driver_of "$NIC")
local_run nic_up_forced --force --device "$NIC" --suite resv/sysfs
restored nic_up_forced 0 "$NIC"
nic_ifc=$(ls "/sys/bus/pci/devices/$NIC/net" 2>/dev/null | head -n 1)
say "--force: $NIC ($nic_drv, $IFC up) bound to vfio-pci during the run: $(grep -c "^@setup ok bind $NIC " "$tmp/res-nic_up_forced/work/stream.log" 2>/dev/null || echo 0);" \
    "after: driver $(driver_of "$NIC"), interface ${nic_ifc:-none} ($(cat "/sys/class/net/${nic_ifc:-none}/operstate" 2>/dev/null || echo -))"
if [ "$st" = 0 ] && grep -qxF "run.sh: warning: $NIC: $UP (overridden by --force)" "$tmp/nic_up_forced.err" &&
    [ "$(driver_of "$NIC")" = "$nic_drv" ] && [ -n "$nic_ifc" ]; then
    pass local.force_binds_an_interface_up_and_it_comes_back
else
    fail local.force_binds_an_interface_up_and_it_comes_back "exit $st; driver $nic_drv -> $(driver_of "$NIC"); interface after: ${nic_ifc:-none}" \
        "$(tail -n 8 "$tmp/nic_up_forced.err")"
fi
table "nic_up --force (bound) | run.sh: warning: $NIC: $UP (overridden by --force) | $st | $(unchanged nic_up_forced && echo yes || echo no)"

# ---- restores --------------------------------------------------------------------------
# Success, through the edu engine.
local_run edu_dma --device "$EDU1" --suite dma
# shellcheck disable=SC2046 # three numbers
set -- $(counts edu_dma)
say "dma through edu $EDU1: $1 passed, $2 skipped, $3 failed, $4 s guest time, exit $st"
restored edu_dma 0 "$EDU1"
# Passes (not SKIP, not XFAIL) of the edu variants (dma.type1.*, dma.type1v2.*),
# not of another engine's.
ev=$(grep '^ok [0-9]* dma\.type1\(v2\)\?\.' "$tmp/res-edu_dma/tap/dma.device.tap" 2>/dev/null | grep -vcE '# (SKIP|XFAIL)' || true)
say "of them on the edu variants (dma.type1{,v2}.*): ${ev:-0}"
if [ "$1" -gt 0 ] && [ "$3" = 0 ] && [ "${ev:-0}" -gt 0 ]; then pass local.dma_suite_passes_through_edu
else fail local.dma_suite_passes_through_edu "$1 passed (${ev:-0} on edu variants), $3 failed" "$(grep -v '^ *ok' "$tmp/res-edu_dma/tap/dma.device.tap" 2>/dev/null | tail -n 20)"; fi

# A failing test: a program that reports `not ok` (put into the tree's
# programs, build/ARCH/suites, for this one run).
progs="$TREE/build/$("$TREE/harness/sh/arch.sh")/suites"
mkdir -p "$progs/proof"
cat > "$progs/proof/fails" <<'EOF'
#!/bin/sh
[ "${1:-}" = --vct-list ] && { echo proof.a_test_that_fails; exit 0; }
printf 'TAP version 13\n1..1\nnot ok 1 proof.a_test_that_fails\n'
exit 1
EOF
chmod +x "$progs/proof/fails"
local_run failing_test --device "$EDU1" --suite proof/fails
rm -rf "$progs/proof"
restored failing_test 1 "$EDU1"

# SIGTERM mid-run: while the dma program holds the device open.
snapshot > "$tmp/sigterm.before"
sh "$RUN" --host local --no-build --results "$tmp/res-sigterm" --device "$EDU1" --suite dma \
    > "$tmp/sigterm.out" 2> "$tmp/sigterm.err" < /dev/null &
rp=$!
i=0
until [ -s "$tmp/res-sigterm/work/prog.pid" ] && [ "$(driver_of "$EDU1")" = vfio-pci ] || [ $i -ge 600 ] ||
      ! kill -0 "$rp" 2>/dev/null; do
    sleep 0.5; i=$((i + 1))
done
bound_then=$(driver_of "$EDU1")
sleep 3
kill -TERM "$rp"
st=0; wait "$rp" || st=$?
snapshot > "$tmp/sigterm.after"
say "SIGTERM after $((i / 2 + 3)) s, the device on ${bound_then} then"
restored sigterm 143 "$EDU1"

# A crashing test program: SIGSEGV to the running dma program's process group.
snapshot > "$tmp/crash.before"
sh "$RUN" --host local --no-build --results "$tmp/res-crash" --device "$EDU1" --suite dma \
    > "$tmp/crash.out" 2> "$tmp/crash.err" < /dev/null &
rp=$!
i=0
until [ -s "$tmp/res-crash/work/prog.pid" ] || [ $i -ge 600 ] || ! kill -0 "$rp" 2>/dev/null; do
    sleep 0.5; i=$((i + 1))
done
sleep 3
pg=$(cat "$tmp/res-crash/work/prog.pid" 2>/dev/null || echo "")
[ -z "$pg" ] || kill -SEGV -- "-$pg" 2>/dev/null || kill -SEGV "$pg" 2>/dev/null || true
st=0; wait "$rp" || st=$?
snapshot > "$tmp/crash.after"
say "SIGSEGV to the test program (process group ${pg:-none}); run.sh exit $st"
restored crash 1 "$EDU1"

# The idle NVMe as the DMA engine: the dma suite through it, and back on nvme.
before_drv=$(driver_of "$IDLE")
local_run nvme_dma --device "$IDLE" --suite dma
# shellcheck disable=SC2046 # three numbers
set -- $(counts nvme_dma)
say "dma through NVMe $IDLE: $1 passed, $2 skipped, $3 failed, $4 s guest time, exit $st; driver before $before_drv, after $(driver_of "$IDLE")"
restored nvme_dma 0 "$IDLE"
# Passes of the NVMe variants (dma.type1_nvme.*, dma.type1v2_nvme.*).
nv=$(grep '^ok [0-9]* dma\.type1\(v2\)\?_nvme\.' "$tmp/res-nvme_dma/tap/dma.device.tap" 2>/dev/null | grep -vcE '# (SKIP|XFAIL)' || true)
say "of them on the NVMe variants (dma.type1{,v2}_nvme.*): ${nv:-0}"
if [ "$1" -gt 0 ] && [ "$3" = 0 ] && [ "${nv:-0}" -gt 0 ] && [ "$before_drv" = nvme ] && [ "$(driver_of "$IDLE")" = nvme ]; then
    pass local.dma_suite_passes_through_nvme_and_nvme_is_back
else
    fail local.dma_suite_passes_through_nvme_and_nvme_is_back "$1 passed (${nv:-0} on NVMe variants), $3 failed; driver $before_drv -> $(driver_of "$IDLE")" \
        "$(grep -v '^ *ok' "$tmp/res-nvme_dma/tap/dma.device.tap" 2>/dev/null | tail -n 20)"
fi

say "table: scenario | message | exit | bindings unchanged"
sed 's/^/# table: /' "$tmp/table"
tests > "$tmp/listed"
cmp -s "$tmp/listed" "$tmp/ran" || { say "the tests that ran are not the tests listed:"; diff "$tmp/listed" "$tmp/ran" | sed 's/^/# /'; failed=1; }
exit "$failed"
