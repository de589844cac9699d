#!/bin/sh
# preflight_test.sh: offline tests of harness/sh/preflight.sh, as TAP.
# Runs under dash and busybox ash (make unit runs it under both).
#
# Each case builds a fake machine (sysfs, procfs, /dev, /etc and /lib/modules
# under one directory; hand-made, laid out as Linux 6.12 lays them out),
# breaks one thing, runs preflight_check on it and asserts the exit status,
# the exact stderr and that nothing under the fake tree changed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/sh/preflight.sh
. "$top/harness/sh/preflight.sh"
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
REL=6.12.99-amd64
EDU=0000:00:03.0 NVME=0000:00:04.0 NIC=0000:00:05.0 LPC=0000:00:1f.0 SMB=0000:00:1f.3
VIRTIO=0000:00:07.0 BRIDGE=0000:00:1e.0
P="run.sh: refused:"

# ---- the fake machine -------------------------------------------------------------
# pci BDF GROUP [DRIVER]: a type-0 function in GROUP, bound to DRIVER.
pci() {
    d="$T/sys/devices/pci0000:00/$1"
    mkdir -p "$d" "$T/sys/kernel/iommu_groups/$2/devices"
    # 64 bytes of config space; byte 0x0e (header type) 0.
    dd if=/dev/zero of="$d/config" bs=64 count=1 2>/dev/null
    echo 0x1234 > "$d/vendor"; echo 0x11e8 > "$d/device"; : > "$d/driver_override"
    ln -s "../../../kernel/iommu_groups/$2" "$d/iommu_group"
    ln -s "../../../../devices/pci0000:00/$1" "$T/sys/kernel/iommu_groups/$2/devices/$1"
    ln -s "../../../devices/pci0000:00/$1" "$T/sys/bus/pci/devices/$1"
    if [ -n "${3:-}" ]; then
        mkdir -p "$T/sys/bus/pci/drivers/$3"
        ln -s "../../bus/pci/drivers/$3" "$d/driver"
    fi
}
# disk NAME MAJ:MIN DEVICE-LINK: /sys/block/NAME and a 72 KiB /dev/NAME of zeros.
disk() {
    mkdir -p "$T/sys/block/$1/holders"
    echo "$2" > "$T/sys/block/$1/dev"
    [ -z "$3" ] || ln -s "$3" "$T/sys/block/$1/device"
    dd if=/dev/zero of="$T/dev/$1" bs=1024 count=72 2>/dev/null
}
# poke FILE OFFSET PRINTF-STRING: write bytes into FILE at OFFSET.
poke() {
    # shellcheck disable=SC2059 # the format is the bytes
    printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

clean_machine() {
    T="$tmp/m"
    rm -rf "$T"
    mkdir -p "$T/sys/bus/pci/devices" "$T/sys/bus/pci/drivers/vfio-pci" "$T/sys/block" \
        "$T/sys/module/vfio/parameters" "$T/sys/firmware/acpi/tables" \
        "$T/proc/sys/kernel" "$T/proc/self" "$T/proc/net" "$T/dev" "$T/etc/modprobe.d" \
        "$T/lib/modules/$REL/kernel/drivers/vfio/pci"
    echo N > "$T/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
    echo "$REL" > "$T/proc/sys/kernel/osrelease"
    echo "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro quiet" > "$T/proc/cmdline"
    echo "rootfs / rootfs rw 0 0" > "$T/proc/mounts"
    echo "1 1 0:2 / / rw - rootfs rootfs rw" > "$T/proc/self/mountinfo"
    echo "Filename				Type		Size		Used		Priority" > "$T/proc/swaps"
    printf 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' > "$T/proc/net/route"
    : > "$T/proc/net/ipv6_route"
    : > "$T/sys/firmware/acpi/tables/DMAR"
    pci "$EDU" 3 vfio-pci
    pci "$NVME" 4 nvme
    mkdir -p "$T/sys/devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1"
    mkdir -p "$T/sys/class/nvme"
    disk nvme0n1 259:0 "../../devices/pci0000:00/$NVME/nvme/nvme0"
    pci "$NIC" 5 e1000e
    mkdir -p "$T/sys/devices/pci0000:00/$NIC/net/eth0"
    echo down > "$T/sys/devices/pci0000:00/$NIC/net/eth0/operstate"
    echo 0x1002 > "$T/sys/devices/pci0000:00/$NIC/net/eth0/flags"
    pci "$LPC" 6
    pci "$SMB" 6
    pci "$VIRTIO" 7 virtio-pci
    mkdir -p "$T/sys/devices/pci0000:00/$VIRTIO/virtio3"
    disk vda 254:0 "../../devices/pci0000:00/$VIRTIO/virtio3"
    mkdir -p "$T/sys/block/vda/vda1"; echo 254:1 > "$T/sys/block/vda/vda1/dev"; : > "$T/sys/block/vda/vda1/partition"
    dd if=/dev/zero of="$T/dev/vda1" bs=1024 count=72 2>/dev/null
}

# tree_sum: names, link targets and contents of every file of the fake tree.
tree_sum() {
    (cd "$T" && { find . | sort; find . -type l -exec ls -l {} + | sed "s/.* \.\//./" | sort
                    find . -type f -exec md5sum {} + | sort; }) | md5sum
}

# ---- the checks ------------------------------------------------------------------
# verdict NAME WANT-STATUS WANT-STDERR [--force] BDF...: run preflight_check
# on the fake machine $T; ok when the status and stderr are exactly as given
# and the tree is unchanged.
verdict() {
    name=$1 want=$2 text=$3; shift 3
    n=$((n + 1))
    before=$(tree_sum)
    st=0
    VCT_SYSFS="$T/sys" VCT_PROC="$T/proc" VCT_DEV="$T/dev" VCT_ROOT="$T" \
        preflight_check "$@" 2> "$tmp/err" || st=$?
    after=$(tree_sum)
    printf '%s' "$text" > "$tmp/want"
    [ -z "$text" ] || echo >> "$tmp/want"
    if [ "$st" = "$want" ] && cmp -s "$tmp/want" "$tmp/err" && [ "$before" = "$after" ]; then
        echo "ok $n $name"
    else
        echo "not ok $n $name"
        echo "# status $st, want $want; tree $([ "$before" = "$after" ] && echo unchanged || echo CHANGED)"
        diff "$tmp/want" "$tmp/err" | sed 's/^/# /' || true
        failed=1
    fi
}

echo "TAP version 13"
echo "1..48"

clean_machine
verdict clean_machine_passes 0 "" "$EDU" "$NVME" "$NIC" "$SMB"
verdict clean_machine_group_member_unbound_passes 0 "" "$SMB"

# -- no IOMMU: the firmware table and the kernel parameter --
clean_machine; rm -rf "$T/sys/kernel/iommu_groups"/*
verdict no_iommu_with_dmar_names_intel_iommu_on 2 \
"$P $EDU: no IOMMU (no /sys/kernel/iommu_groups entries): the ACPI DMAR table exists (Intel VT-d): boot with intel_iommu=on (iommu=pt alone does not enable it)" "$EDU"
echo "root=/dev/vda1 intel_iommu=off" > "$T/proc/cmdline"
verdict no_iommu_with_dmar_and_intel_iommu_off_says_so 2 \
"$P $EDU: no IOMMU (no /sys/kernel/iommu_groups entries): the ACPI DMAR table exists (Intel VT-d): boot with intel_iommu=on (iommu=pt alone does not enable it); the command line has intel_iommu=off" "$EDU"
rm "$T/sys/firmware/acpi/tables/DMAR"; : > "$T/sys/firmware/acpi/tables/IVRS"
echo "root=/dev/vda1 iommu=off" > "$T/proc/cmdline"
verdict no_iommu_with_ivrs_names_amd_iommu_off 2 \
"$P $EDU: no IOMMU (no /sys/kernel/iommu_groups entries): the ACPI IVRS table exists (AMD-Vi): the AMD IOMMU is on by default, so remove amd_iommu=off or iommu=off from the kernel command line, or enable the IOMMU in the firmware setup (iommu=pt is not the problem: it keeps groups); the command line has iommu=off" "$EDU"
rm "$T/sys/firmware/acpi/tables/IVRS"; : > "$T/sys/firmware/acpi/tables/IORT"; echo "root=/dev/vda1" > "$T/proc/cmdline"
verdict no_iommu_with_iort_names_the_smmu_driver 2 \
"$P $EDU: no IOMMU (no /sys/kernel/iommu_groups entries): the ACPI IORT table exists (Arm SMMU): the SMMU driver did not probe: load arm_smmu_v3 (or arm_smmu for SMMUv1/v2) and check the kernel log for arm-smmu; iommu.passthrough=1 is not the problem (it keeps groups)" "$EDU"
rm "$T/sys/firmware/acpi/tables/IORT"
mkdir -p "$T/sys/firmware/devicetree/base/smmuv3@9050000" "$T/sys/firmware/devicetree/base/pcie@10000000"
: > "$T/sys/firmware/devicetree/base/smmuv3@9050000/#iommu-cells"; : > "$T/sys/firmware/devicetree/base/pcie@10000000/iommu-map"
verdict no_iommu_with_devicetree_smmu_node_names_it 2 \
"$P $EDU: no IOMMU (no /sys/kernel/iommu_groups entries): the device tree has IOMMU nodes (/smmuv3@9050000): their driver did not probe: load it (arm_smmu_v3, arm_smmu, virtio_iommu, ...) and check the kernel log" "$EDU"
rm -rf "$T/sys/firmware/devicetree/base/smmuv3@9050000"
verdict no_iommu_with_devicetree_iommu_map_only_names_virtio_iommu 2 \
"$P $EDU: no IOMMU (no /sys/kernel/iommu_groups entries): the device tree references an IOMMU (/pcie@10000000/iommu-map) but has no #iommu-cells node: a virtio-iommu is described by iommu-map: load virtio_iommu" "$EDU"
rm -rf "$T/sys/firmware/devicetree"
verdict no_iommu_without_any_table_says_enable_it_in_firmware 2 \
"$P $EDU: no IOMMU (no /sys/kernel/iommu_groups entries): no firmware table describes an IOMMU (no DMAR, IVRS, IORT or VIOT under /sys/firmware/acpi/tables, no device-tree IOMMU node): enable VT-d / AMD-Vi / the SMMU in the firmware setup" "$EDU"

# -- vfio-pci and noiommu --
clean_machine; rmdir "$T/sys/bus/pci/drivers/vfio-pci"
verdict vfio_pci_not_built_refused 2 \
"$P $SMB: vfio-pci is not available: not loaded, and no vfio-pci module in /lib/modules/$REL nor built in (modules.builtin): install the kernel's modules or build with CONFIG_VFIO_PCI" "$SMB"
: > "$T/lib/modules/$REL/kernel/drivers/vfio/pci/vfio-pci.ko.xz"
verdict vfio_pci_module_installed_passes 0 "" "$SMB"
printf '# keep it out\nblacklist vfio_pci\n' > "$T/etc/modprobe.d/local.conf"
verdict vfio_pci_blacklisted_in_modprobe_d_refused 2 \
"$P $SMB: vfio-pci is not loaded and /etc/modprobe.d/local.conf blacklists it: this runner does not override the administrator's modprobe configuration" "$SMB"
rm "$T/etc/modprobe.d/local.conf"; echo "root=/dev/vda1 module_blacklist=nouveau,vfio-pci" > "$T/proc/cmdline"
verdict vfio_pci_blacklisted_on_command_line_refused 2 \
"$P $SMB: vfio-pci is not loaded and the kernel command line blacklists it (vfio-pci): remove it from module_blacklist=/modprobe.blacklist=" "$SMB"
clean_machine; rm -rf "$T/lib/modules/$REL"; echo "kernel/drivers/vfio/pci/vfio-pci.ko" > "$T/lib/modules/modules.builtin"
mkdir -p "$T/lib/modules/$REL"; mv "$T/lib/modules/modules.builtin" "$T/lib/modules/$REL/"; rmdir "$T/sys/bus/pci/drivers/vfio-pci"
verdict vfio_pci_built_in_passes 0 "" "$SMB"
clean_machine; echo Y > "$T/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
verdict noiommu_mode_refused_and_left_as_is 2 \
"$P $EDU: VFIO no-IOMMU mode is enabled (/sys/module/vfio/parameters/enable_unsafe_noiommu_mode = Y): no DMA isolation; this runner never changes it: reload vfio without it" "$EDU"
clean_machine

# -- the device itself --
verdict nonexistent_device_refused 2 "$P 0000:00:09.0: no such PCI device (no $T/sys/bus/pci/devices/0000:00:09.0)" 0000:00:09.0
clean_machine; rm "$T/sys/devices/pci0000:00/$EDU/iommu_group"
verdict bound_device_in_no_group_refused 2 "$P $EDU: in no IOMMU group although vfio-pci drives it: the IOMMU does not translate its DMA" "$EDU"
# Device-tree platforms: an unbound device has no group until a driver binds.
clean_machine; rm "$T/sys/devices/pci0000:00/$EDU/iommu_group" "$T/sys/devices/pci0000:00/$EDU/driver"
verdict unbound_device_in_no_group_yet_passes_with_a_warning 0 \
"run.sh: warning: $EDU: in no IOMMU group yet (this platform gives a device its group when a driver binds it): checked with the groups of its other functions and upstream bridges (none)" "$EDU"
pci 0000:00:03.1 9 e1000e
verdict unbound_device_in_no_group_yet_refused_for_its_sibling_on_a_host_driver 2 \
"run.sh: warning: $EDU: in no IOMMU group yet (this platform gives a device its group when a driver binds it): checked with the groups of its other functions and upstream bridges (9)
$P 0000:00:03.1: in IOMMU group 9 of the selected $EDU: bound to the host driver e1000e and not selected, so the group is not viable: select it too (--device 0000:00:03.1) or unbind it" "$EDU"
clean_machine; pci "$BRIDGE" 8 pcieport; poke "$T/sys/devices/pci0000:00/$BRIDGE/config" 14 '\201'
verdict bridge_refused_header_type_named 2 \
"$P $BRIDGE: not an endpoint: header type 0x81 (a bridge); vfio-pci binds only type-0 functions" --force "$BRIDGE"
echo 1 > "$T/sys/devices/pci0000:00/$EDU/boot_vga"
verdict boot_display_refused_even_with_force 2 "$P $EDU: the boot display (boot_vga = 1): its console would go dark" --force "$EDU"
echo 0 > "$T/sys/devices/pci0000:00/$EDU/boot_vga"
verdict boot_vga_0_passes 0 "" "$EDU"

# -- network --
clean_machine; echo up > "$T/sys/devices/pci0000:00/$NIC/net/eth0/operstate"; echo 0x1003 > "$T/sys/devices/pci0000:00/$NIC/net/eth0/flags"
verdict nic_up_refused 2 "$P $NIC: network interface eth0 is up (operstate up, flags 0x1003) (--force overrides this)" "$NIC"
verdict nic_up_overridden_by_force 0 "run.sh: warning: $NIC: network interface eth0 is up (operstate up, flags 0x1003) (overridden by --force)" --force "$NIC"
echo down > "$T/sys/devices/pci0000:00/$NIC/net/eth0/operstate"
verdict nic_flags_iff_up_alone_counts_as_up 2 "$P $NIC: network interface eth0 is up (operstate down, flags 0x1003) (--force overrides this)" "$NIC"
printf 'eth0\t0000FEA9\t00000000\t0001\t0\t0\t1000\t0000FFFF\t0\t0\t0\n' >> "$T/proc/net/route"
printf 'fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n' >> "$T/proc/net/ipv6_route"
verdict nic_link_local_routes_do_not_count 2 "$P $NIC: network interface eth0 is up (operstate down, flags 0x1003) (--force overrides this)" "$NIC"
printf 'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n' >> "$T/proc/net/route"
verdict nic_routed_refused_even_with_force 2 \
"$P $NIC: network interface eth0 carries routes (1 IPv4, 0 IPv6): the host's traffic uses it; take it down first (ip link set eth0 down)
run.sh: warning: $NIC: network interface eth0 is up (operstate down, flags 0x1003) (overridden by --force)" --force "$NIC"

# -- block devices --
clean_machine; echo "30 1 259:0 / /srv rw,relatime - ext4 /dev/nvme0n1 rw" >> "$T/proc/self/mountinfo"
verdict nvme_mounted_refused_even_with_force 2 "$P $NVME: block device /dev/nvme0n1 is mounted on /srv: unmount it first" --force "$NVME"
clean_machine; echo "/dev/vda1 / ext4 rw 0 0" >> "$T/proc/mounts"
verdict virtio_blk_partition_mounted_refused 2 "$P $VIRTIO: block device /dev/vda1 is mounted on /: unmount it first" "$VIRTIO"
clean_machine; echo "/dev/nvme0n1                            partition	1048572		0		-2" >> "$T/proc/swaps"
verdict nvme_swap_refused_even_with_force 2 "$P $NVME: block device /dev/nvme0n1 is in use as swap: swapoff it first" --force "$NVME"
clean_machine; mkdir "$T/sys/block/nvme0n1/holders/dm-0"
verdict nvme_holder_refused_even_with_force 2 "$P $NVME: block device /dev/nvme0n1 has holders (dm-0: device mapper, LVM or md): remove them first" --force "$NVME"

clean_machine; poke "$T/dev/nvme0n1" 1080 '\123\357'
verdict nvme_ext4_signature_refused 2 "$P $NVME: block device /dev/nvme0n1 carries a ext2/3/4 filesystem (magic 0xef53 at 1080): it may hold data (--force overrides this)" "$NVME"
verdict nvme_ext4_signature_overridden_by_force 0 "run.sh: warning: $NVME: block device /dev/nvme0n1 carries a ext2/3/4 filesystem (magic 0xef53 at 1080): it may hold data (overridden by --force)" --force "$NVME"
# sig NAME OFFSET BYTES WHAT: one more signature on a zeroed disk.
sig() {
    clean_machine; poke "$T/dev/nvme0n1" "$2" "$3"
    verdict "$1" 2 "$P $NVME: block device /dev/nvme0n1 carries a $4: it may hold data (--force overrides this)" "$NVME"
}
sig nvme_gpt_signature_refused 512 'EFI PART' "GPT partition table (EFI PART at 512)"
sig nvme_xfs_signature_refused 0 'XFSB' "xfs filesystem (XFSB at 0)"
sig nvme_swap_signature_refused 4086 'SWAPSPACE2' "swap area (SWAPSPACE2 at 4086)"
sig nvme_swap_signature_64k_pages_refused 65526 'SWAPSPACE2' "swap area (SWAPSPACE2 at 65526)"
sig nvme_lvm2_signature_refused 512 'LABELONE' "LVM2 physical volume (LABELONE at 512)"
sig nvme_luks_signature_refused 0 'LUKS\272\276' "LUKS header (LUKS at 0)"
sig nvme_btrfs_signature_refused 65600 '_BHRfS_M' "btrfs filesystem (_BHRfS_M at 65600)"
clean_machine; poke "$T/dev/nvme0n1" 450 '\203'; poke "$T/dev/nvme0n1" 510 '\125\252'
verdict nvme_mbr_with_a_partition_refused 2 "$P $NVME: block device /dev/nvme0n1 carries a MBR partition table (0x55aa at 510, partition type 0x83 at 450): it may hold data (--force overrides this)" "$NVME"
clean_machine; rm "$T/dev/nvme0n1"
verdict nvme_unreadable_node_refused 2 "$P $NVME: block device /dev/nvme0n1 cannot be read to look for a partition table or filesystem (--force overrides this)" "$NVME"
# Native NVMe multipath: the namespace under the controller is the hidden
# path nvme0c0n1; /sys/block/nvme0n1 (the head) hangs off the subsystem.
clean_machine; rm -rf "$T/sys/devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1" "$T/sys/block/nvme0n1/device"
mkdir -p "$T/sys/devices/pci0000:00/$NVME/nvme/nvme0/nvme0c0n1"
echo "30 1 259:0 / /srv rw,relatime - ext4 /dev/nvme0n1 rw" >> "$T/proc/self/mountinfo"
verdict nvme_multipath_head_mounted_refused 2 "$P $NVME: block device /dev/nvme0n1 is mounted on /srv: unmount it first" "$NVME"

# -- the group --
clean_machine; mkdir -p "$T/sys/bus/pci/drivers/lpc_ich"; ln -s ../../bus/pci/drivers/lpc_ich "$T/sys/devices/pci0000:00/$LPC/driver"
verdict group_member_bound_to_host_driver_refused 2 \
"$P $LPC: in IOMMU group 6 of the selected $SMB: bound to the host driver lpc_ich and not selected, so the group is not viable: select it too (--device $LPC) or unbind it" --force "$SMB"
verdict group_member_selected_too_passes 0 "" "$SMB" "$LPC"
rm "$T/sys/devices/pci0000:00/$LPC/driver"; mkdir -p "$T/sys/bus/pci/drivers/pci-stub"; ln -s ../../bus/pci/drivers/pci-stub "$T/sys/devices/pci0000:00/$LPC/driver"
verdict group_member_on_pci_stub_passes 0 "" "$SMB"
pci "$BRIDGE" 6 pcieport; poke "$T/sys/devices/pci0000:00/$BRIDGE/config" 14 "\201"
verdict group_member_bridge_on_pcieport_passes 0 "" "$SMB"
clean_machine; printf "20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n" >> "$T/proc/net/ipv6_route"
verdict nic_ipv6_route_refused 2 "$P $NIC: network interface eth0 carries routes (0 IPv4, 1 IPv6): the host's traffic uses it; take it down first (ip link set eth0 down)" "$NIC"

[ "$n" = 48 ] || { echo "# plan mismatch: ran $n"; failed=1; }
exit "$failed"
