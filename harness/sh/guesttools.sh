#!/bin/sh
# guesttools.sh ARCH CACHE TOOL...: print, a line per TOOL, the root of an
# unpacked tree that holds TOOL (in usr/bin, bin, usr/sbin or sbin) and the
# shared libraries it needs, for a guest of architecture ARCH.
#
# The build machine's own programs serve a guest of its architecture: the
# root is then / (initramfs.sh copies the tool from PATH as before).  For a
# foreign guest the Debian package named TOOL of the machine's release and
# its run-time library closure (aptfetch.sh -r) are fetched with a private
# apt state for ARCH and unpacked once into CACHE/tools-ARCH/TOOL/; later
# runs reuse it (a .done file marks a complete tree).  The .debs stay in
# CACHE/debs/<release>-<debarch>/ like busybox.sh's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
arch=${1:?usage: guesttools.sh ARCH CACHE TOOL...}
cache=${2:?usage: guesttools.sh ARCH CACHE TOOL...}
shift 2

die() { printf 'guesttools: %s\n' "$*" >&2; exit 2; }

if [ "$arch" = "$("$here/arch.sh")" ]; then
    for t in "$@"; do
        command -v "$t" > /dev/null || die "tool '$t' is not installed on this machine"
        printf '/\n'
    done
    exit 0
fi
case "$arch" in
    x86_64) debarch=amd64 ;;
    arm64) debarch=arm64 ;;
    *) die "unsupported architecture '$arch'" ;;
esac
codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-bookworm}")
for t in "$@"; do
    dir="$cache/tools-$arch/$t"
    if [ ! -f "$dir/.done" ]; then
        # shellcheck source=harness/sh/lock.sh
        . "$here/lock.sh"
        lock_take cache "$cache/.lock" "the package cache $cache"
        dl="$cache/debs/$codename-$debarch"
        mkdir -p "$dl"
        debs=$("$here/aptfetch.sh" -r -s "$codename" -a "$debarch" -d "$dl" "$t") ||
            die "cannot fetch $t:$debarch and its libraries from $codename"
        rm -rf "$dir.tmp"
        mkdir -p "$dir.tmp"
        for d in $debs; do
            dpkg-deb -x "$dl/$d" "$dir.tmp" || die "cannot unpack $dl/$d"
        done
        found=""
        for b in usr/bin bin usr/sbin sbin; do
            [ -f "$dir.tmp/$b/$t" ] && found=$b && break
        done
        [ -n "$found" ] || die "package $t:$debarch holds no program $t"
        # shellcheck disable=SC2086 # file names are single words
        printf '%s\n' $debs > "$dir.tmp/.done"
        rm -rf "$dir"
        mv "$dir.tmp" "$dir"
        lock_release cache
    fi
    printf '%s\n' "$dir"
done
