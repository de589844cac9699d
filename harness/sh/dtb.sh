#!/bin/sh
# dtb.sh OUT RESV QEMU ARG...: build the device tree an arm64 guest boots
# with when the host profile gives PCI devices IOMMU reservations of their
# own (profile key `dt_resv`), and print its path.
#
# RESV is a list of BDF=START-END:TYPE words (inclusive hex bounds, TYPE
# `reserved` or `direct`, e.g. 0000:00:05.0=0x7f0000000000-0x7f00000fffff:reserved).
# QEMU ARG... is the run's own QEMU command: the machine writes the tree it
# would hand the guest (-machine dumpdtb=FILE, so it describes exactly this
# machine, its CPUs, memory, GIC, SMMU and PCIe host bridge), dtc decompiles
# it into OUT/virt.dts, and a second root block is appended (dtc merges it
# into the first; OUT/resv.dtsi):
#
#   - under the PCIe host bridge, a node per device, `reg` encoding its
#     devfn as of_pci_find_child_device() matches it (phys.hi bits 15:8,
#     bus << 16 | dev << 11 | fn << 8), pointing with `memory-region` at
#   - a /reserved-memory child per region, `iommu-addresses = <&dev ADDR
#     SIZE>`, and for `direct` a `reg` equal to that IOVA range.
#
# Linux (6.3+, drivers/iommu/of_iommu.c of_iommu_get_resv_regions(), called
# from iommu_dma_get_resv_regions() by arm-smmu-v3 and virtio-iommu) reads
# them into the device's reserved regions: no `reg` -> IOMMU_RESV_RESERVED,
# `reg` equal to the IOVA range -> IOMMU_RESV_DIRECT
# (iommu_resv_region_get_type()).  The cells after the phandle are parsed by
# of_translate_dma_region() with the #address-cells/#size-cells of the
# device node's DMA parent, the host bridge: 3 address cells (phys.hi, the
# PCI space flags, is dropped by the 1:1 translation of a bus without
# dma-ranges) and 2 size cells.  of_iommu_get_resv_regions() does not step
# over an entry that names another device, so each region node names one
# device only.
#
# A device behind a PCIe root port (bus N > 0, e.g. one plugged into a
# `hotplug` slot) takes its node from the port's node (pci_set_of_node():
# of_pci_find_child_device(bus->self's node, devfn)), which QEMU does not
# write: this adds one for the port too, a child of the host bridge with
# the port's devfn, device_type "pci" and 3/2 cells, and puts the device's
# node under it.  Which port bus N is comes from the QEMU command: the
# `-device pcie-root-port,...,addr=SLOT` arguments (each needs addr=) in
# slot order, bus 1 behind the lowest, as Linux numbers the buses of root
# ports with nothing behind them at boot (depth first, in devfn order).
#
# The compiled tree is OUT/guest.dtb (the runner boots with -dtb; QEMU
# still sets /chosen and /memory itself).  Logs go to standard error.
set -eu
out=${1:?usage: dtb.sh OUT RESV QEMU ARG...}
resv=${2?usage: dtb.sh OUT RESV QEMU ARG...}
qemu=${3:?usage: dtb.sh OUT RESV QEMU ARG...}
shift 3
die() { printf 'dtb: %s\n' "$*" >&2; exit 2; }

for t in dtc fdtget; do
    command -v "$t" > /dev/null 2>&1 || die "$t not found (Debian package device-tree-compiler, deps.sh run-arm64)"
done
mkdir -p "$out"
rm -f "$out/virt.dtb"
"$qemu" "$@" -machine dumpdtb="$out/virt.dtb" > "$out/dumpdtb.log" 2>&1 || true
[ -s "$out/virt.dtb" ] || { cat "$out/dumpdtb.log" >&2; die "QEMU did not dump its device tree"; }
dtc -q -I dtb -O dts -o "$out/virt.dts" "$out/virt.dtb" || die "dtc cannot decompile $out/virt.dtb"

# The PCIe host bridge: the root's child that is a generic ECAM host.
bridge=""
for n in $(fdtget -l "$out/virt.dtb" /); do
    case "$(fdtget "$out/virt.dtb" "/$n" compatible 2>/dev/null || true)" in
        *pci-host-ecam-generic*) bridge=$n ;;
    esac
done
[ -n "$bridge" ] || die "no pci-host-ecam-generic node in QEMU's device tree"
[ "$(fdtget "$out/virt.dtb" "/$bridge" '#address-cells')" = 3 ] &&
    [ "$(fdtget "$out/virt.dtb" "/$bridge" '#size-cells')" = 2 ] ||
    die "/$bridge does not have 3 address and 2 size cells"
# A dma-ranges property would make of_translate_dma_region() translate
# through it (and check the PCI space flags): not what the cells below assume.
if fdtget "$out/virt.dtb" "/$bridge" dma-ranges > /dev/null 2>&1; then
    die "/$bridge has dma-ranges: iommu-addresses would be translated through them"
fi

# Fresh phandles above every one QEMU used.
ph=$(sed -n 's/.*phandle = <\(0x[0-9a-f]*\)>;.*/\1/p' "$out/virt.dts" |
    while read -r p; do printf '%d\n' "$p"; done | sort -n | tail -n 1)
ph=$(( ${ph:-0} + 1 ))

cells() { printf '0x%x 0x%x' $(( $1 >> 32 )) $(( $1 & 0xffffffff )); }
hexnum() { case "$1" in 0x[0-9a-fA-F]*) [ -z "$(printf '%s' "${1#0x}" | tr -d '0-9a-fA-F')" ] ;; *) false ;; esac; }

# The root ports, "DEVFN" per line in slot order: bus N is behind line N.
for a in "$@"; do
    case "$a" in pcie-root-port,*) ;; *) continue ;; esac
    slot=$(printf '%s\n' "$a" | tr ',' '\n' | sed -n 's/^addr=//p')
    [ -n "$slot" ] || die "'$a': a pcie-root-port needs addr= for dt_resv to place devices behind it"
    sdev=${slot%.*} sfn=0
    [ "$sdev" = "$slot" ] || sfn=${slot#*.}
    printf '%d\n' $(( (sdev << 3) | sfn ))
done | sort -n > "$out/resv.ports"

devs="" i=0
: > "$out/resv.regions"
: > "$out/resv.devices"
for w in $resv; do
    bdf=${w%%=*} rng=${w#*=}
    type=${rng##*:} rng=${rng%:*}
    start=${rng%-*} end=${rng#*-}
    case "$bdf" in [0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f].[0-7]) ;;
        *) die "dt_resv '$w': '$bdf' is not a DDDD:BB:DD.F address" ;; esac
    case "$type" in reserved|direct) ;; *) die "dt_resv '$w': type must be reserved or direct" ;; esac
    hexnum "$start" && hexnum "$end" && [ $((start)) -le $((end)) ] ||
        die "dt_resv '$w': START-END must be hex bounds, START <= END"
    bus=$((0x$(printf '%s' "$bdf" | cut -d: -f2)))
    dev=$((0x$(printf '%s' "$bdf" | cut -d: -f3 | cut -d. -f1)))
    fn=$(printf '%s' "$bdf" | cut -d. -f2)
    port=-
    if [ "$bus" != 0 ]; then
        port=$(sed -n "${bus}p" "$out/resv.ports")
        [ -n "$port" ] || die "dt_resv '$w': bus $bus is behind no pcie-root-port of the QEMU command (with addr=)"
    fi
    # One node per device, however many regions it has.
    key=$(printf '%s@%x,%x' "$port" "$dev" "$fn")
    dph=$(sed -n "s/^$key //p" "$out/resv.devices")
    if [ -z "$dph" ]; then
        dph=$ph; ph=$((ph + 1))
        printf '%s %d %d %s\n' "$key" "$dph" $(( (bus << 16) | (dev << 11) | (fn << 8) )) "$port" >> "$out/resv.devices"
        devs="$devs ${key#-@}"
    else
        dph=${dph%% *}
    fi
    size=$(( end - start + 1 ))
    printf '%d %d %s %s %s %s\n' "$ph" "$dph" "$type" "$start" "$size" "$key" >> "$out/resv.regions"
    ph=$((ph + 1)) i=$((i + 1))
done
[ "$i" -gt 0 ] || die "no dt_resv entries"

{
    echo
    echo "/* vfio-ct: per-device IOMMU reservations (harness/sh/dtb.sh) */"
    echo "/ {"
    echo "	reserved-memory {"
    echo "		#address-cells = <0x2>;"
    echo "		#size-cells = <0x2>;"
    echo "		ranges;"
    while read -r rph dph type start size key; do
        echo "		vfioct-$type-$(printf '%x' "$start") {"
        echo "			phandle = <$(printf '0x%x' "$rph")>;"
        echo "			iommu-addresses = <$(printf '0x%x' "$dph") 0x0 $(cells "$start") $(cells "$size")>;"
        [ "$type" = direct ] && echo "			reg = <$(cells "$start") $(cells "$size")>;"
        echo "		};"
    done < "$out/resv.regions"
    echo "	};"
    echo "	$bridge {"
    for p in - $(cut -d' ' -f4 "$out/resv.devices" | grep -v '^-$' | sort -un); do
        ind="		"
        if [ "$p" != - ]; then
            echo "		vfioct-port@$(printf '%x,%x' $((p >> 3)) $((p & 7))) {"
            echo "			reg = <$(printf '0x%x' $((p << 8))) 0x0 0x0 0x0 0x0>;"
            echo "			device_type = \"pci\";"
            echo "			#address-cells = <0x3>;"
            echo "			#size-cells = <0x2>;"
            echo "			ranges;"
            ind="			"
        fi
        while read -r key dph hi port; do
            [ "$port" = "$p" ] || continue
            echo "${ind}vfioct-dev@${key#*@} {"
            echo "${ind}	reg = <$(printf '0x%x' "$hi") 0x0 0x0 0x0 0x0>;"
            echo "${ind}	phandle = <$(printf '0x%x' "$dph")>;"
            printf '%s	memory-region = <' "$ind"
            sep=""
            while read -r rph rdph _ _ _ _; do
                [ "$rdph" = "$dph" ] || continue
                printf '%s0x%x' "$sep" "$rph"; sep=" "
            done < "$out/resv.regions"
            echo ">;"
            echo "${ind}};"
        done < "$out/resv.devices"
        [ "$p" = - ] || echo "		};"
    done
    echo "	};"
    echo "};"
} > "$out/resv.dtsi"
cat "$out/virt.dts" "$out/resv.dtsi" > "$out/guest.dts"
dtc -q -I dts -O dtb -o "$out/guest.dtb" "$out/guest.dts" || die "dtc cannot compile $out/guest.dts"
printf 'dtb: %s regions on%s under /%s\n' "$i" "$devs" "$bridge" >&2
printf '%s\n' "$out/guest.dtb"
