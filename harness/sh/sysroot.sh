#!/bin/sh
# sysroot.sh DIR ARCH: unpack the target-architecture libraries a cross build
# links against (libpci and what libpci.so.3 needs) into DIR, fetched as
# Debian packages with a private apt state.  glibc comes from Debian's
# libc6-dev-<arch>-cross.  Idempotent: does nothing when DIR/.done exists.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: sysroot.sh DIR ARCH}
arch=${2:?usage: sysroot.sh DIR ARCH}
[ -f "$dir/.done" ] && exit 0
. /etc/os-release
tmp="$dir.tmp.$$"
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
rm -rf "$tmp"
mkdir -p "$tmp/deb" "$tmp/root"
"$here/aptfetch.sh" -s "${VERSION_CODENAME:-bookworm}" -a "$arch" -d "$tmp/deb" \
    libpci-dev libpci3 libudev1 zlib1g libcap2 > /dev/null
for d in "$tmp"/deb/*.deb; do dpkg-deb -x "$d" "$tmp/root"; done
rm -rf "$dir"
mv "$tmp/root" "$dir"
: > "$dir/.done"
