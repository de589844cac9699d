#!/bin/sh
# modcheck.sh KDIR ARCH MODDIR: refuse, before the guest boots, a --modules
# module that the guest kernel cannot load.  KDIR is kernel.sh's directory
# (release, root/lib/modules/<release>, System.map when the kernel came
# with one), ARCH the guest's (x86_64, arm64), MODDIR the --modules
# directory.  Every .ko under MODDIR is checked:
#   - it is an ELF file ("\177ELF" magic);
#   - of the guest's machine (readelf -h: "Advanced Micro Devices X86-64"
#     for x86_64, "AArch64" for arm64);
#   - its vermagic's release is the guest kernel's (the .modinfo section's
#     vermagic=, read with readelf: under busybox ash `modinfo` is busybox's
#     applet, which printed no vermagic for a .ko given by path),
#     which insmod would otherwise refuse with "Invalid module format";
#   - every symbol it needs is the kernel's or another module's, which
#     insmod would otherwise refuse with "Unknown symbol": with a System.map
#     holding __ksymtab_ entries (vmlinux's exports only), depmod -e over
#     the kernel's modules with these beside them; else against the
#     Module.symvers of its Debian headers when the cache has them (Debian's
#     image packages ship a placeholder System.map), which lists every
#     export of vmlinux and of the in-tree modules: each .ko's undefined
#     symbols (readelf -s, UND) must be there or be another of these .ko's
#     __ksymtab_ (a text comparison: depmod over Debian's ~4000 modules
#     takes 10-25 s a run); skipped, saying so, when neither is there.
# Prints one line per fault ("modcheck: FILE: why") and exits 2 if any.
set -eu
kdir=${1:?usage: modcheck.sh KDIR ARCH MODDIR}
arch=${2:?usage: modcheck.sh KDIR ARCH MODDIR}
moddir=${3:?usage: modcheck.sh KDIR ARCH MODDIR}
release=$(cat "$kdir/release")
case "$arch" in
    x86_64) machine="Advanced Micro Devices X86-64" ;;
    arm64) machine="AArch64" ;;
    *) echo "modcheck: unsupported architecture '$arch'" >&2; exit 2 ;;
esac
bad=0
fault() { printf 'modcheck: %s: %s\n' "$1" "$2" >&2; bad=1; }

kos=$(find "$moddir" -name '*.ko' -type f | sort)
for ko in $kos; do
    if [ "$(head -c 4 "$ko" | od -An -c | tr -d ' \n')" != '177ELF' ]; then
        fault "$ko" "not an ELF file: the guest kernel cannot load it"
        continue
    fi
    m=$(readelf -h "$ko" 2>/dev/null | sed -n 's/^ *Machine: *//p')
    if [ "$m" != "$machine" ]; then
        fault "$ko" "built for ${m:-an unknown machine}, the guest is $arch ($machine)"
        continue
    fi
    vm=$(readelf -p .modinfo "$ko" 2>/dev/null | sed -n 's/^.*\]  *vermagic=\([^ ]*\).*$/\1/p' | head -n 1)
    if [ "$vm" != "$release" ]; then
        fault "$ko" "built for kernel '${vm:-none}' (vermagic), the guest runs $release"
    fi
done

# Unknown symbols: depmod over the kernel's modules with these in place.
if [ "$bad" = 0 ] && [ -n "$kos" ]; then
    cache=${VFIOCT_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/vfio-ct}
    symvers="$cache/headers/$release/root/usr/src/linux-headers-$release/Module.symvers"
    exports=""
    if [ -s "$kdir/System.map" ] && grep -q ' __ksymtab_' "$kdir/System.map"; then
        exports="-F $kdir/System.map"
    fi
    if [ -z "$exports" ] && [ -s "$symvers" ]; then
        # shellcheck disable=SC2086 # .ko paths have no spaces (find above)
        missing=$(for ko in $kos; do readelf -sW "$ko" | awk -v ko="$ko" '$7 == "UND" && $8 != "" { print ko, $8 }'; done |
            awk -v own="$(for ko in $kos; do readelf -sW "$ko" | awk '$8 ~ /^__ksymtab_/ { print substr($8, 11) }'; done)" '
                BEGIN { n = split(own, o, "\n"); for (i = 1; i <= n; i++) have[o[i]] = 1 }
                FILENAME != "-" { have[$2] = 1; next }
                !($2 in have) { print }' "$symvers" -)
        if [ -n "$missing" ]; then
            printf '%s\n' "$missing" | while read -r ko sym; do
                printf 'modcheck: %s: needs symbol %s, which neither kernel %s nor its modules export\n' "$ko" "$sym" "$release" >&2
            done
            bad=1
        fi
    elif [ -z "$exports" ]; then
        echo "modcheck: neither a System.map nor Module.symvers for $release: the modules' symbols are not checked" >&2
    else
        t=$(mktemp -d "${TMPDIR:-/tmp}/vfioct-modcheck.XXXXXX")
        trap 'rm -rf "$t"' EXIT INT TERM HUP
        mkdir -p "$t/lib/modules/$release/vfio-ct-modules"
        src="$kdir/root/lib/modules/$release"
        for d in "$src"/*; do
            case "$(basename "$d")" in modules.*) ;; *) ln -s "$d" "$t/lib/modules/$release/" ;; esac
        done
        for ko in $kos; do cp "$ko" "$t/lib/modules/$release/vfio-ct-modules/"; done
        # shellcheck disable=SC2086 # exports: an option and its file
        depmod -b "$t" -e $exports "$release" 2> "$t/depmod.log" || true
        for ko in $kos; do
            b=$(basename "$ko")
            sed -n "s|.*vfio-ct-modules/$b needs unknown symbol \(.*\)|\1|p" "$t/depmod.log" | while read -r sym; do
                printf 'modcheck: %s: needs symbol %s, which neither kernel %s nor its modules export\n' "$ko" "$sym" "$release" >&2
            done
            if grep -q "vfio-ct-modules/$b needs unknown symbol" "$t/depmod.log"; then bad=1; fi
        done
    fi
fi
[ "$bad" = 0 ] || exit 2
