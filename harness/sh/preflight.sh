# shellcheck shell=sh
# preflight.sh: the refusals a local host (`run.sh --host local`) applies
# before it changes any device binding.  Sourced; POSIX sh (dash, busybox
# ash), busybox tools only.
#
#   preflight_check [--force] BDF...
#
# For each selected BDF, and for every member of its IOMMU group, prints one
# line per problem on stderr,
#
#   run.sh: refused: <BDF>: <what is wrong and what to do>
#
# and returns 2 when anything was refused, 0 otherwise.  With --force the
# problems --force may override become `run.sh: warning: <BDF>: ...` lines.
# It only reads files and never writes any: the roots are
#   VCT_SYSFS (default /sys), VCT_PROC (/proc), VCT_DEV (/dev) and
#   VCT_ROOT (default empty: /etc/modprobe.d, /lib/modules, ...)
# so that every refusal can be tested on a fake tree (suites/unit/preflight_test.sh).
#
# What is refused, and whether --force overrides it:
#   no IOMMU (no /sys/kernel/iommu_groups entries); names the firmware table
#     that exists and the kernel parameter that enables it            never
#   a selected device in no IOMMU group                                never
#   vfio-pci neither loaded nor installed, or blacklisted              never
#   VFIO noiommu mode enabled (never flipped here)                     never
#   a selected device that is not an endpoint (header type != 0)       never
#   the boot display (boot_vga = 1), any group member                  never
#   a network interface of a member carries a route                    never
#     (the host's traffic goes over it: that is "in use", like a mount;
#      link-local routes, IPv4 169.254/16 and IPv6 fe80::/10 and ff00::/8,
#      come with any up interface and are not counted)
#   a network interface of a member is up                              --force
#   a block device of a member (or a partition of it) is mounted,
#     is swap, or has holders (dm, LVM, md)                            never
#   a block device of a member carries a partition table or a
#     filesystem/volume signature, or cannot be read to tell           --force
#   another member of a selected device's group is bound to a host
#     driver and was not selected                                      never
# A member's driver counts as no host driver when it is vfio-pci or a vfio-pci
# variant driver (mlx5_vfio_pci, ...), pci-stub, or pcieport: each of these
# sets .driver_managed_dma = true, so the kernel's DMA-ownership claim
# (iommu_device_claim_dma_owner) lets VFIO take the group with it bound.

# pf_hex FILE OFFSET LENGTH: LENGTH bytes of FILE at OFFSET as lowercase hex,
# no spaces (empty when the file is shorter).
pf_hex() {
    od -An -v -tx1 -j "$2" -N "$3" "$1" 2>/dev/null | tr -d ' \n'
}

# pf_out KIND BDF MESSAGE: one verdict line; a refusal sets pf_status.
pf_out() {
    if [ "$1" = refused ]; then pf_status=2; fi
    printf 'run.sh: %s: %s: %s\n' "$1" "$2" "$3" >&2
}
# pf_refuse BDF MESSAGE: a problem --force never overrides.
pf_refuse() { pf_out refused "$1" "$pf_ctx$2"; }
# pf_soft BDF MESSAGE: a problem --force overrides.
pf_soft() {
    if [ "$pf_force" = 1 ]; then
        pf_out warning "$1" "$pf_ctx$2 (overridden by --force)"
    else
        pf_out refused "$1" "$pf_ctx$2 (--force overrides this)"
    fi
}

# pf_cmdline_value NAME: the value of the last NAME= word on the kernel
# command line (empty if none).
pf_cmdline_value() {
    tr ' ' '\n' < "$pf_proc/cmdline" 2>/dev/null |
        sed -n "s/^$1=//p" | tail -n 1
}

# ---- the platform ------------------------------------------------------------
# pf_iommu_hint: why there is no IOMMU, from the firmware tables that exist.
pf_iommu_hint() {
    ih_t="$pf_sys/firmware/acpi/tables"
    ih_hint=""
    if [ -e "$ih_t/DMAR" ]; then
        ih_hint="the ACPI DMAR table exists (Intel VT-d): boot with intel_iommu=on (iommu=pt alone does not enable it)"
        case "$(pf_cmdline_value intel_iommu)" in *off*) ih_hint="$ih_hint; the command line has intel_iommu=off" ;; esac
    elif [ -e "$ih_t/IVRS" ]; then
        ih_hint="the ACPI IVRS table exists (AMD-Vi): the AMD IOMMU is on by default, so remove amd_iommu=off or iommu=off from the kernel command line, or enable the IOMMU in the firmware setup (iommu=pt is not the problem: it keeps groups)"
    elif [ -e "$ih_t/IORT" ]; then
        ih_hint="the ACPI IORT table exists (Arm SMMU): the SMMU driver did not probe: load arm_smmu_v3 (or arm_smmu for SMMUv1/v2) and check the kernel log for arm-smmu; iommu.passthrough=1 is not the problem (it keeps groups)"
    elif [ -e "$ih_t/VIOT" ]; then
        ih_hint="the ACPI VIOT table exists (virtio-iommu): load the virtio_iommu module"
    fi
    for ih_dt in "$pf_sys/firmware/devicetree/base" "$pf_proc/device-tree"; do
        [ -z "$ih_hint" ] && [ -d "$ih_dt" ] || continue
        ih_nodes=$(find "$ih_dt" -name '#iommu-cells' 2>/dev/null | sed "s|^$ih_dt||; s|/#iommu-cells\$||" | sort | tr '\n' ' ')
        ih_maps=$(find "$ih_dt" \( -name iommu-map -o -name iommus \) 2>/dev/null | sed "s|^$ih_dt||" | sort | tr '\n' ' ')
        if [ -n "$ih_nodes" ]; then
            ih_hint="the device tree has IOMMU nodes (${ih_nodes% }): their driver did not probe: load it (arm_smmu_v3, arm_smmu, virtio_iommu, ...) and check the kernel log"
        elif [ -n "$ih_maps" ]; then
            ih_hint="the device tree references an IOMMU (${ih_maps% }) but has no #iommu-cells node: a virtio-iommu is described by iommu-map: load virtio_iommu"
        fi
    done
    case " $(cat "$pf_proc/cmdline" 2>/dev/null) " in
        *" iommu=off "*) ih_hint="${ih_hint:+$ih_hint; }the command line has iommu=off" ;;
    esac
    [ -n "$ih_hint" ] ||
        ih_hint="no firmware table describes an IOMMU (no DMAR, IVRS, IORT or VIOT under /sys/firmware/acpi/tables, no device-tree IOMMU node): enable VT-d / AMD-Vi / the SMMU in the firmware setup"
    printf '%s\n' "$ih_hint"
}

# pf_vfio_pci_problem: why vfio-pci cannot be used (empty when it can).
pf_vfio_pci_problem() {
    [ -d "$pf_sys/bus/pci/drivers/vfio-pci" ] && return 0
    vp_rel=$(cat "$pf_proc/sys/kernel/osrelease" 2>/dev/null || uname -r)
    vp_mods="$pf_root/lib/modules/$vp_rel"
    for vp_w in $(pf_cmdline_value module_blacklist | tr ',' ' ') $(pf_cmdline_value modprobe.blacklist | tr ',' ' '); do
        case "$vp_w" in vfio-pci|vfio_pci)
            echo "vfio-pci is not loaded and the kernel command line blacklists it ($vp_w): remove it from module_blacklist=/modprobe.blacklist="
            return 0 ;;
        esac
    done
    for vp_d in "$pf_root/etc/modprobe.d" "$pf_root/run/modprobe.d" "$pf_root/lib/modprobe.d" "$pf_root/usr/lib/modprobe.d"; do
        [ -d "$vp_d" ] || continue
        vp_f=$(grep -lE '^[[:space:]]*(blacklist[[:space:]]+vfio[-_]pci|install[[:space:]]+vfio[-_]pci[[:space:]]+(/bin/|/usr/bin/)?(false|true))([[:space:]]|$)' "$vp_d"/*.conf 2>/dev/null | head -n 1) || true
        if [ -n "$vp_f" ]; then
            echo "vfio-pci is not loaded and ${vp_f#"$pf_root"} blacklists it: this runner does not override the administrator's modprobe configuration"
            return 0
        fi
    done
    if [ -d "$vp_mods" ]; then
        [ -n "$(find "$vp_mods" \( -name 'vfio-pci.ko*' -o -name 'vfio_pci.ko*' \) 2>/dev/null | head -n 1)" ] && return 0
        grep -Eq '/vfio[-_]pci\.ko$' "$vp_mods/modules.builtin" 2>/dev/null && return 0
    fi
    echo "vfio-pci is not available: not loaded, and no vfio-pci module in /lib/modules/$vp_rel nor built in (modules.builtin): install the kernel's modules or build with CONFIG_VFIO_PCI"
}

# ---- one device ----------------------------------------------------------------
# Each function has variables of its own prefix: POSIX sh has no `local`, and
# these functions call each other inside loops.

# pf_driver BDF: the device's driver name (empty when unbound).
pf_driver() {
    if [ -L "$pf_sys/bus/pci/devices/$1/driver" ]; then
        basename "$(readlink "$pf_sys/bus/pci/devices/$1/driver")"
    fi
}

# pf_dma_safe_driver NAME: no driver, or one that lets VFIO own the group.
pf_dma_safe_driver() {
    case "$1" in
        ''|vfio-pci|*-vfio-pci|*_vfio_pci|pci-stub|pcieport) return 0 ;;
    esac
    return 1
}

# pf_blockdevs BDF: the whole disks the device provides, one a line: NVMe
# namespaces under its controllers (for a multipath path nvmeXcYnZ, its head
# nvmeXnZ), every /sys/block entry whose device lies below the BDF
# (virtio-blk, AHCI/SCSI, NVMe without multipath), and the multipath heads
# with a path below it.
pf_blockdevs() {
    bd_dir="$pf_sys/bus/pci/devices/$1"
    bd_real=$(readlink -f "$bd_dir" 2>/dev/null) || bd_real=$bd_dir
    {
        for bd_c in "$bd_dir"/nvme/nvme*; do
            [ -d "$bd_c" ] || continue
            for bd_ns in "$bd_c"/nvme*n*; do
                [ -e "$bd_ns" ] || continue
                bd_n=$(basename "$bd_ns")
                case "$bd_n" in
                    nvme*c*n*)
                        bd_h=$(printf '%s\n' "$bd_n" | sed 's/^\(nvme[0-9]*\)c[0-9]*\(n[0-9]*\)$/\1\2/')
                        if [ -e "$pf_sys/block/$bd_h" ]; then echo "$bd_h"; fi ;;
                    *) echo "$bd_n" ;;
                esac
            done
        done
        for bd_b in "$pf_sys"/block/*; do
            [ -e "$bd_b/device" ] || continue
            bd_t=$(readlink -f "$bd_b/device" 2>/dev/null) || continue
            case "$bd_t/" in "$bd_real"/*) basename "$bd_b" ;; esac
        done
        for bd_p in "$pf_sys"/block/*/multipath/*; do
            [ -e "$bd_p" ] || continue
            bd_t=$(readlink -f "$bd_p" 2>/dev/null) || continue
            case "$bd_t/" in "$bd_real"/*) basename "$(dirname "$(dirname "$bd_p")")" ;; esac
        done
    } | sort -u
}

# pf_signature FILE: the first partition-table or filesystem signature on it,
# in words (nothing when none).  Offsets: XFS "XFSB" at 0; LUKS
# "LUKS\xba\xbe" at 0; ext2/3/4 magic 0xef53 at 1080; GPT "EFI PART" at LBA 1
# (512 or 4096); MBR boot signature 0x55aa at 510 with a non-empty partition
# entry (type byte at 446 + 16i + 4); LVM2 "LABELONE" in sectors 0-3; swap
# "SWAPSPACE2"/"SWAP-SPACE" at PAGESIZE - 10 (4, 16 and 64 KiB pages); btrfs
# "_BHRfS_M" at 65600.  Then blkid's opinion, where blkid exists.
pf_signature() {
    sg_f=$1
    [ "$(pf_hex "$sg_f" 0 4)" = 58465342 ] && { echo "xfs filesystem (XFSB at 0)"; return 0; }
    [ "$(pf_hex "$sg_f" 0 6)" = 4c554b53babe ] && { echo "LUKS header (LUKS at 0)"; return 0; }
    [ "$(pf_hex "$sg_f" 1080 2)" = 53ef ] && { echo "ext2/3/4 filesystem (magic 0xef53 at 1080)"; return 0; }
    for sg_o in 512 4096; do
        [ "$(pf_hex "$sg_f" "$sg_o" 8)" = 4546492050415254 ] &&
            { echo "GPT partition table (EFI PART at $sg_o)"; return 0; }
    done
    if [ "$(pf_hex "$sg_f" 510 2)" = 55aa ]; then
        for sg_o in 450 466 482 498; do
            sg_t=$(pf_hex "$sg_f" "$sg_o" 1)
            case "$sg_t" in
                ''|00) ;;
                *) echo "MBR partition table (0x55aa at 510, partition type 0x$sg_t at $sg_o)"; return 0 ;;
            esac
        done
    fi
    for sg_o in 0 512 1024 1536; do
        [ "$(pf_hex "$sg_f" "$sg_o" 8)" = 4c4142454c4f4e45 ] &&
            { echo "LVM2 physical volume (LABELONE at $sg_o)"; return 0; }
    done
    for sg_ps in 4096 16384 65536; do
        case "$(pf_hex "$sg_f" $((sg_ps - 10)) 10)" in
            53574150535041434532) echo "swap area (SWAPSPACE2 at $((sg_ps - 10)))"; return 0 ;;
            535741502d5350414345) echo "swap area (SWAP-SPACE at $((sg_ps - 10)))"; return 0 ;;
        esac
    done
    [ "$(pf_hex "$sg_f" 65600 8)" = 5f42485266535f4d ] && { echo "btrfs filesystem (_BHRfS_M at 65600)"; return 0; }
    if command -v blkid > /dev/null 2>&1; then
        # util-linux: low-level probe, no cache file (0 found, 2 nothing);
        # busybox's blkid knows neither option and reads without a cache.
        sg_rc=0
        sg_b=$(blkid -c /dev/null -p "$sg_f" 2>/dev/null) || sg_rc=$?
        case "$sg_rc" in 0|2|8) ;; *) sg_b=$(blkid "$sg_f" 2>/dev/null) || true ;; esac
        case "$sg_b" in *TYPE=*) echo "signature blkid reports (${sg_b#*: })"; return 0 ;; esac
    fi
    return 0
}

# pf_block BDF: the block-device refusals of one member, for each of its disks
# and their partitions.
pf_block() {
    for bl_disk in $(pf_blockdevs "$1"); do
        for bl_b in "$pf_sys/block/$bl_disk" "$pf_sys/block/$bl_disk"/*; do
            [ -e "$bl_b/dev" ] || continue
            [ "$bl_b" = "$pf_sys/block/$bl_disk" ] || [ -e "$bl_b/partition" ] || continue
            bl_n=$(basename "$bl_b") bl_mm=$(cat "$bl_b/dev")
            # Mounted: the third field of /proc/self/mountinfo is MAJ:MIN.
            bl_mnt=$(awk -v mm="$bl_mm" '$3 == mm { print $5; exit }' "$pf_proc/self/mountinfo" 2>/dev/null) || bl_mnt=""
            [ -n "$bl_mnt" ] ||
                bl_mnt=$(awk -v n="/dev/$bl_n" '$1 == n { print $2; exit }' "$pf_proc/mounts" 2>/dev/null) || bl_mnt=""
            [ -z "$bl_mnt" ] || pf_refuse "$1" "block device /dev/$bl_n is mounted on $bl_mnt: unmount it first"
            if awk -v n="/dev/$bl_n" 'NR > 1 && $1 == n { f = 1 } END { exit !f }' "$pf_proc/swaps" 2>/dev/null; then
                pf_refuse "$1" "block device /dev/$bl_n is in use as swap: swapoff it first"
            fi
            bl_held=$(ls "$bl_b/holders" 2>/dev/null | tr '\n' ' ')
            [ -z "$bl_held" ] ||
                pf_refuse "$1" "block device /dev/$bl_n has holders (${bl_held% }: device mapper, LVM or md): remove them first"
            if [ -r "$pf_dev/$bl_n" ] && [ -n "$(pf_hex "$pf_dev/$bl_n" 0 1)" ]; then
                bl_sig=$(pf_signature "$pf_dev/$bl_n")
                [ -z "$bl_sig" ] || pf_soft "$1" "block device /dev/$bl_n carries a $bl_sig: it may hold data"
            else
                pf_soft "$1" "block device /dev/$bl_n cannot be read to look for a partition table or filesystem"
            fi
        done
    done
}

# pf_net BDF: the network refusals of one member, for each of its interfaces.
pf_net() {
    for nt_d in "$pf_sys/bus/pci/devices/$1"/net/*; do
        [ -d "$nt_d" ] || continue
        nt_i=$(basename "$nt_d")
        # IPv4: Iface, Destination (hex of the address as a little-endian
        # word: 169.254.0.0/16 reads ....FEA9).
        nt_4=$(awk -v i="$nt_i" 'NR > 1 && $1 == i && substr($2, 5, 4) != "FEA9" { c++ } END { print c + 0 }' \
            "$pf_proc/net/route" 2>/dev/null) || nt_4=0
        # IPv6: destination first, device last.
        nt_6=$(awk -v i="$nt_i" '$NF == i && $1 !~ /^fe[89ab]/ && $1 !~ /^ff/ { c++ } END { print c + 0 }' \
            "$pf_proc/net/ipv6_route" 2>/dev/null) || nt_6=0
        if [ "${nt_4:-0}" -gt 0 ] || [ "${nt_6:-0}" -gt 0 ]; then
            pf_refuse "$1" "network interface $nt_i carries routes ($nt_4 IPv4, $nt_6 IPv6): the host's traffic uses it; take it down first (ip link set $nt_i down)"
        fi
        nt_st=$(cat "$nt_d/operstate" 2>/dev/null) || nt_st=unknown
        nt_fl=$(cat "$nt_d/flags" 2>/dev/null) || nt_fl=0
        case "$nt_fl" in 0x[0-9a-fA-F]*|[0-9]*) ;; *) nt_fl=0 ;; esac
        if [ "$nt_st" = up ] || [ $((nt_fl & 1)) = 1 ]; then
            pf_soft "$1" "network interface $nt_i is up (operstate $nt_st, flags $nt_fl)"
        fi
    done
}

# pf_predicted_groups BDF: the groups a device without one will join or sit
# next to when bound (pci_device_group): those of its other functions
# (multi-function devices without ACS share one) and of the bridges above it
# (a path without ACS, or a PCIe-to-PCI bridge's alias, joins theirs).
pf_predicted_groups() {
    pg_real=$(readlink -f "$pf_sys/bus/pci/devices/$1" 2>/dev/null) || return 0
    {
        for pg_f in "$pf_sys/bus/pci/devices/${1%.*}".*; do
            [ "$(basename "$pg_f")" != "$1" ] || continue
            pg_l=$(readlink "$pg_f/iommu_group" 2>/dev/null) && basename "$pg_l"
        done
        pg_p=$(dirname "$pg_real")
        while :; do
            case "$(basename "$pg_p")" in
                [0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f].[0-7]) ;;
                *) break ;;
            esac
            pg_l=$(readlink "$pg_p/iommu_group" 2>/dev/null) && basename "$pg_l"
            pg_p=$(dirname "$pg_p")
        done
    } | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# pf_member BDF SELECTED GROUP: every refusal that applies to one member of a
# selected device's IOMMU group.
pf_member() {
    mb=$1 mb_d="$pf_sys/bus/pci/devices/$1"
    pf_ctx=""
    case "$pf_selected" in
        *" $mb "*) ;;
        *) pf_ctx="in IOMMU group $3 of the selected $2: " ;;
    esac
    if [ "$(cat "$mb_d/boot_vga" 2>/dev/null)" = 1 ]; then
        pf_refuse "$mb" "the boot display (boot_vga = 1): its console would go dark"
    fi
    if [ -z "$pf_ctx" ]; then
        # vfio-pci's probe refuses every header type but 0 (normal).
        mb_ht=$(pf_hex "$mb_d/config" 14 1)
        if [ -z "$mb_ht" ]; then
            pf_refuse "$mb" "cannot read its config space ($mb_d/config)"
        elif [ $((0x$mb_ht & 0x7f)) != 0 ]; then
            pf_refuse "$mb" "not an endpoint: header type 0x$mb_ht (a bridge); vfio-pci binds only type-0 functions"
        fi
    else
        mb_drv=$(pf_driver "$mb")
        pf_dma_safe_driver "$mb_drv" ||
            pf_refuse "$mb" "bound to the host driver $mb_drv and not selected, so the group is not viable: select it too (--device $mb) or unbind it"
    fi
    pf_net "$mb"
    pf_block "$mb"
    pf_ctx=""
}

preflight_check() {
    pf_force=0
    if [ "${1:-}" = --force ]; then pf_force=1; shift; fi
    pf_sys=${VCT_SYSFS:-/sys} pf_proc=${VCT_PROC:-/proc} pf_dev=${VCT_DEV:-/dev} pf_root=${VCT_ROOT:-}
    pf_status=0 pf_ctx="" pf_selected=" $* " pf_seen=" "
    if [ -z "$(ls "$pf_sys/kernel/iommu_groups" 2>/dev/null)" ]; then
        pc_h=$(pf_iommu_hint)
        for pc_b in "$@"; do pf_refuse "$pc_b" "no IOMMU (no /sys/kernel/iommu_groups entries): $pc_h"; done
        return "$pf_status"
    fi
    if [ "$(cat "$pf_sys/module/vfio/parameters/enable_unsafe_noiommu_mode" 2>/dev/null)" = Y ]; then
        for pc_b in "$@"; do
            pf_refuse "$pc_b" "VFIO no-IOMMU mode is enabled (/sys/module/vfio/parameters/enable_unsafe_noiommu_mode = Y): no DMA isolation; this runner never changes it: reload vfio without it"
        done
    fi
    pc_p=$(pf_vfio_pci_problem)
    if [ -n "$pc_p" ]; then
        for pc_b in "$@"; do pf_refuse "$pc_b" "$pc_p"; done
    fi
    for pc_b in "$@"; do
        pc_d="$pf_sys/bus/pci/devices/$pc_b"
        if [ ! -e "$pc_d" ]; then
            pf_refuse "$pc_b" "no such PCI device (no $pc_d)"
            continue
        fi
        if pc_g=$(readlink "$pc_d/iommu_group" 2>/dev/null); then
            pc_gs=$(basename "$pc_g")
        else
            # Device-tree and IORT platforms give a device its group when a
            # driver probes it (dma_configure -> iommu_probe_device): an
            # unbound device has none yet, and binding vfio-pci creates it.
            # A bound device without one is not translated.
            pc_drv=$(pf_driver "$pc_b")
            if [ -n "$pc_drv" ]; then
                pf_refuse "$pc_b" "in no IOMMU group although $pc_drv drives it: the IOMMU does not translate its DMA"
                continue
            fi
            pc_gs=$(pf_predicted_groups "$pc_b")
            pf_out warning "$pc_b" "in no IOMMU group yet (this platform gives a device its group when a driver binds it): checked with the groups of its other functions and upstream bridges (${pc_gs:-none})"
            case "$pf_seen" in *" $pc_b "*) ;; *) pf_seen="$pf_seen$pc_b "; pf_member "$pc_b" "$pc_b" - ;; esac
        fi
        for pc_g in $pc_gs; do
            for pc_m in "$pf_sys/kernel/iommu_groups/$pc_g/devices"/*; do
                [ -e "$pc_m" ] || [ -L "$pc_m" ] || continue
                pc_m=$(basename "$pc_m")
                case "$pf_seen" in *" $pc_m "*) continue ;; esac
                pf_seen="$pf_seen$pc_m "
                pf_member "$pc_m" "$pc_b" "$pc_g"
            done
        done
    done
    return "$pf_status"
}

# preflight_blockdevs BDF: the whole disks the device provides, one a line
# (the walk the block-device refusals use; for tests that must find them).
preflight_blockdevs() {
    pf_sys=${VCT_SYSFS:-/sys}
    pf_blockdevs "$1"
}
