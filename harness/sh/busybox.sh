#!/bin/sh
# busybox.sh ARCH CACHE: print the path of a static busybox for the guest
# architecture ARCH.  The build machine's own /bin/busybox serves when it is
# of that architecture; otherwise Debian's busybox-static:ARCH of the
# machine's release is fetched with a private apt state (aptfetch.sh) and
# unpacked once into CACHE/busybox-ARCH/; later runs reuse it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
arch=${1:?usage: busybox.sh ARCH CACHE}
cache=${2:?usage: busybox.sh ARCH CACHE}

die() { printf 'busybox: %s\n' "$*" >&2; exit 2; }

if [ "$arch" = "$("$here/arch.sh")" ]; then
    [ -x /bin/busybox ] || die "no /bin/busybox (apt-get install busybox-static)"
    printf '%s\n' /bin/busybox
    exit 0
fi
case "$arch" in
    x86_64) debarch=amd64 ;;
    arm64) debarch=arm64 ;;
    *) die "unsupported architecture '$arch'" ;;
esac
dir="$cache/busybox-$arch"
if [ ! -x "$dir/bin/busybox" ]; then
    # shellcheck source=harness/sh/lock.sh
    . "$here/lock.sh"
    lock_take cache "$cache/.lock" "the package cache $cache"
    codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-bookworm}")
    dl="$cache/debs/$codename-$debarch"
    mkdir -p "$dl"
    deb=$("$here/aptfetch.sh" -s "$codename" -a "$debarch" -d "$dl" busybox-static) ||
        die "cannot fetch busybox-static:$debarch from $codename"
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    dpkg-deb -x "$dl/$deb" "$dir.tmp"
    [ -x "$dir.tmp/bin/busybox" ] || die "$deb holds no bin/busybox"
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
fi
printf '%s\n' "$dir/bin/busybox"
