#!/bin/sh
# accel.sh ACCEL [ARCH [FALLBACK]]: the QEMU -accel value for --accel ACCEL
# on a guest of ARCH (x86_64, arm64; empty: not known yet, check the machine
# only).  `auto` is kvm when this machine can give it to that guest, else
# FALLBACK (the profile's accel, default tcg,thread=single): what a CI agent
# that may or may not have /dev/kvm asks for.
# KVM is checked before anything boots: exit 2 with the reason when this
# machine cannot give it (no $VCT_KVM_DEV, default /dev/kvm; not readable
# and writable; a guest of another architecture).  `kvm` on x86_64 becomes
# `kvm,kernel-irqchip=split`: QEMU refuses VT-d interrupt remapping
# (intel-iommu,intremap=on) with the in-kernel irqchip.  Anything else
# (tcg, tcg,thread=single, ...) is printed unchanged.
set -eu
accel=$1 arch=${2:-} fallback=${3:-tcg,thread=single}
dev=${VCT_KVM_DEV:-/dev/kvm}
if [ "$accel" = auto ]; then
    [ -n "$arch" ] || { echo auto; exit 0; }
    if "$0" kvm "$arch" 2> /dev/null; then exit 0; fi
    printf '%s\n' "$fallback"
    exit 0
fi
no() { printf 'run.sh: --accel %s: %s\n' "$accel" "$*" >&2; exit 2; }
case "$accel" in
    kvm|kvm,*)
        here=$(uname -m | sed 's/aarch64/arm64/')
        [ -z "$arch" ] || [ "$arch" = "$here" ] ||
            no "the guest is $arch: KVM runs only guests of this machine's architecture ($here); use --accel tcg"
        [ -e "$dev" ] ||
            no "$dev does not exist: this machine has no KVM (enable virtualization in the firmware, load kvm_intel or kvm_amd, or use --accel tcg)"
        [ -r "$dev" ] && [ -w "$dev" ] ||
            no "$dev is not readable and writable by $(id -un) (add the user to group kvm, or use --accel tcg)"
        [ "$accel" = kvm ] && [ "$arch" = x86_64 ] && accel=kvm,kernel-irqchip=split
        ;;
esac
printf '%s\n' "$accel"
