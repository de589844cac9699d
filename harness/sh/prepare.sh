#!/bin/sh
# prepare.sh DIR KDIR INITRD QEMUARGS CONSOLE APPEND: what `run.sh --prepare
# DIR` leaves for an engine that boots the guest itself (LAVA's QEMU device
# type, lava/): DIR/vmlinuz, DIR/initrd.gz (the runner's own initramfs),
# DIR/release, and DIR/guest.env with the profile's QEMU arguments, console
# and kernel command line (QEMU_ARGS=..., CONSOLE=..., APPEND=...) and the
# unpacked kernel package it came from (KDIR=..., for its modules).  The
# initramfs's /init still runs the guest half for run.sh; lava/initramfs.sh
# appends the engine's own /init.
set -eu
dir=$1 kdir=$2 initrd=$3
mkdir -p "$dir"
cp "$kdir/vmlinuz" "$dir/vmlinuz"
cp "$initrd" "$dir/initrd.gz"
cp "$kdir/release" "$dir/release"
{
    printf "QEMU_ARGS='%s'\n" "$4"
    printf "CONSOLE='%s'\n" "$5"
    printf "APPEND='%s'\n" "$6"
    printf "KDIR='%s'\n" "$kdir"
} > "$dir/guest.env"
printf 'run.sh: guest prepared in %s (kernel %s)\n' "$dir" "$(cat "$kdir/release")" >&2
