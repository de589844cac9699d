#!/bin/sh
# kernel.sh SPEC ARCH CACHE: make a guest kernel available and print the
# directory that holds it:
#
#   DIR/vmlinuz                  the image QEMU boots
#   DIR/release                  its version string (uname -r)
#   DIR/root/lib/modules/<rel>/  its modules, with modules.dep
#   DIR/origin                   where it came from
#
# SPEC is one of
#   debian:SUITE            newest linux-image-<flavour> of that Debian suite
#   debian:SUITE:PACKAGE    that exact image package (e.g. linux-image-6.12.95+deb12-amd64)
#   IMAGE,MODDIR            a kernel image and its lib/modules/<release> directory
#   build:VERSION           built from Debian's linux-source-VERSION (kbuild.sh)
# Debian packages are fetched with a private apt state (aptfetch.sh) and
# unpacked once into CACHE/kernels/; later runs reuse them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
spec=${1:?usage: kernel.sh SPEC ARCH CACHE}
arch=${2:?usage: kernel.sh SPEC ARCH CACHE}
cache=${3:?usage: kernel.sh SPEC ARCH CACHE}

die() { printf 'kernel: %s\n' "$*" >&2; exit 2; }
log() { printf 'kernel: %s\n' "$*" >&2; }

# One writer of the cache at a time (run.sh takes the lock for us).
# shellcheck source=harness/sh/lock.sh
. "$here/lock.sh"
lock_take cache "$cache/.lock" "the package cache $cache"

case "$arch" in
    x86_64) flavour=amd64 ;;
    arm64) flavour=arm64 ;;
    *) die "unsupported architecture '$arch'" ;;
esac

# depmod_tree ROOT RELEASE: dependency lists for a modules tree.
depmod_tree() {
    [ -s "$1/lib/modules/$2/modules.dep" ] || depmod -b "$1" "$2" ||
        die "depmod failed for $1/lib/modules/$2"
}

from_paths() {
    image=${spec%%,*}
    moddir=${spec#*,}
    [ -f "$image" ] || die "kernel image '$image' not found"
    [ -d "$moddir" ] || die "modules directory '$moddir' not found"
    image=$(cd "$(dirname "$image")" && pwd)/$(basename "$image")
    moddir=$(cd "$moddir" && pwd)
    release=$(basename "$moddir")
    key=$(printf '%s\n%s\n' "$image" "$moddir" | cksum | cut -d' ' -f1)
    dir="$cache/kernels/path-$key"
    mkdir -p "$dir/root/lib/modules"
    ln -sfn "$image" "$dir/vmlinuz"
    ln -sfn "$moddir" "$dir/root/lib/modules/$release"
    # a System.map beside the image, as in /boot (modcheck.sh reads it)
    if [ -f "$(dirname "$image")/System.map-$release" ]; then
        ln -sfn "$(dirname "$image")/System.map-$release" "$dir/System.map"
    fi
    printf '%s\n' "$release" > "$dir/release"
    printf 'path %s %s\n' "$image" "$moddir" > "$dir/origin"
    depmod_tree "$dir/root" "$release"
    printf '%s\n' "$dir"
}

from_debian() {
    rest=${spec#debian:}
    suite=${rest%%:*}
    pkg=""
    [ "$rest" != "$suite" ] && pkg=${rest#*:}
    [ -n "$suite" ] || die "malformed kernel spec '$spec' (want debian:SUITE[:PACKAGE])"
    dl="$cache/debs/$suite-$flavour"
    mkdir -p "$dl"
    if [ -z "$pkg" ]; then
        # The metapackage names the versioned image package in its Depends.
        meta=$("$here/aptfetch.sh" -s "$suite" -a "$flavour" -d "$dl" "linux-image-$flavour") ||
            die "cannot fetch linux-image-$flavour from $suite"
        pkg=$(dpkg-deb -f "$dl/$meta" Depends | tr ',' '\n' |
              sed -n 's/^ *\(linux-image-[^ ]*\).*/\1/p' | head -n 1)
        [ -n "$pkg" ] || die "linux-image-$flavour in $suite names no image package"
    fi
    # (aptfetch.sh downloads only what the cache lacks or holds damaged)
    deb=$("$here/aptfetch.sh" -s "$suite" -a "$flavour" -d "$dl" "$pkg") ||
        die "cannot fetch $pkg from $suite"
    dir="$cache/kernels/$(basename "$deb" .deb)"
    # A tree is complete when its release file, written last before the
    # rename that publishes it, is there with its image and modules.dep.
    if ! { [ -f "$dir/release" ] && [ -s "$dir/vmlinuz" ] &&
           [ -s "$dir/root/lib/modules/$(cat "$dir/release")/modules.dep" ]; }; then
        [ ! -d "$dir" ] || log "cached kernel tree $dir is incomplete: unpacking it again"
        log "unpacking $(basename "$deb")"
        rm -rf "$dir.tmp"
        mkdir -p "$dir.tmp/root"
        dpkg-deb -x "$dl/$(basename "$deb")" "$dir.tmp/root"
        # Split layout (sid, Linux 7.x): linux-image-<rel> is an empty package
        # that depends on linux-binary-<rel> (the image), linux-modules-<rel>
        # and linux-base-<rel> (config, modules.builtin, System.map), all
        # under /usr/lib/modules/<rel>/.  Fetch and unpack those too.
        for part in $(dpkg-deb -f "$dl/$(basename "$deb")" Depends | tr ',' '\n' |
                      sed -n 's/^ *\(linux-\(binary\|modules\|base\)-[^ |]*\).*/\1/p'); do
            pdeb=$("$here/aptfetch.sh" -s "$suite" -a "$flavour" -d "$dl" "$part") ||
                die "cannot fetch $part from $suite"
            dpkg-deb -x "$dl/$pdeb" "$dir.tmp/root"
        done
        if [ -d "$dir.tmp/root/usr/lib/modules" ] && [ ! -d "$dir.tmp/root/lib/modules" ]; then
            mkdir -p "$dir.tmp/root/lib"
            mv "$dir.tmp/root/usr/lib/modules" "$dir.tmp/root/lib/modules"
        fi
        release=$(ls -1 "$dir.tmp/root/lib/modules" 2>/dev/null | head -n 1)
        [ -n "$release" ] || die "$deb has no lib/modules"
        img=$(ls -1 "$dir.tmp/root/boot/"vmlinu*"-$release" "$dir.tmp/root/lib/modules/$release/"vmlinu* 2>/dev/null | head -n 1)
        [ -n "$img" ] || die "$deb (and its parts) hold no kernel image for $release"
        mv "$img" "$dir.tmp/vmlinuz"
        for c in "$dir.tmp/root/boot/config-$release" "$dir.tmp/root/lib/modules/$release/config"; do
            [ -f "$c" ] && cp "$c" "$dir.tmp/config"
        done
        # (modcheck.sh checks --modules modules' symbols against it)
        for c in "$dir.tmp/root/boot/System.map-$release" "$dir.tmp/root/lib/modules/$release/System.map"; do
            [ -f "$c" ] && cp "$c" "$dir.tmp/System.map"
        done
        rm -rf "$dir.tmp/root/boot" "$dir.tmp/root/usr"
        depmod_tree "$dir.tmp/root" "$release"
        printf '%s\n' "$release" > "$dir.tmp/release"
        printf 'debian %s %s\n' "$suite" "$(basename "$deb")" > "$dir.tmp/origin"
        rm -rf "$dir"
        mv "$dir.tmp" "$dir"
    fi
    printf '%s\n' "$dir"
}

case "$spec" in
    debian:*) from_debian ;;
    build:*) exec "$here/kbuild.sh" "$spec" "$arch" "$cache" ;;
    *,*) from_paths ;;
    *) die "malformed kernel spec '$spec' (want debian:SUITE[:PACKAGE], build:VERSION or IMAGE,MODDIR)" ;;
esac
