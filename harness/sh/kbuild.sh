#!/bin/sh
# kbuild.sh build:VERSION ARCH CACHE: build a guest kernel from Debian's
# linux-source-VERSION package (or reuse the cached build) and print the
# directory that holds it, laid out as kernel.sh's other kernels are:
#
#   DIR/vmlinuz, DIR/release, DIR/root/lib/modules/<rel>/ (with modules.dep
#   and modules.builtin), DIR/config, DIR/System.map, DIR/origin
#   DIR/build        the build's output tree (O=): what out-of-tree module
#                    builds need (make -C DIR/build M=...), its `source` link
#                    pointing at the unpacked source
#   DIR/build-seconds, DIR/build-cpu-seconds  the wall and CPU time the build took
#
# The config is `make tinyconfig` plus the fragments hosts/kconfig/common.config
# and hosts/kconfig/ARCH.config merged with the tree's
# scripts/kconfig/merge_config.sh; every =y/=m line of the fragments must be
# in the resulting .config, else exit 2 naming the options that did not stick.
# The cache key is the source package's version plus a hash of the fragments,
# this recipe and the compiler: a second run with the same key reuses the
# build.  arm64 is cross-built (aarch64-linux-gnu-gcc, deps.sh group cross).
# The compile runs under nice -n 19 with VFIOCT_KBUILD_JOBS (default 2) jobs.
# Only one build per architecture at a time (lock `kbuild`); the package
# cache's lock is held only while the source package is fetched.
#
#   kbuild.sh --check CONFIG FRAGMENT...   only the option check, on a .config
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

die() { printf 'kbuild: %s\n' "$*" >&2; exit 2; }
log() { printf 'kbuild: %s\n' "$*" >&2; }

# check_config CONFIG FRAGMENT...: every =y/=m line of the fragments is in
# CONFIG (a dependency the config lacks drops an option silently), else
# exit 2 naming each that is not, with what the config has instead.
check_config() {
    c_config=$1; shift
    c_missing=""
    for want in $(grep -h '^CONFIG_[A-Za-z0-9_]*=[ym]$' "$@"); do
        grep -qx "$want" "$c_config" ||
            c_missing="$c_missing $want (got: $(grep -E "^(# )?${want%%=*}[= ]" "$c_config" || echo absent))"
    done
    [ -z "$c_missing" ] || die "the fragments ask for options the config does not have:$c_missing"
}
if [ "${1:-}" = --check ]; then
    shift
    check_config "$@"
    exit 0
fi

spec=${1:?usage: kbuild.sh build:VERSION ARCH CACHE}
arch=${2:?usage: kbuild.sh build:VERSION ARCH CACHE}
cache=${3:?usage: kbuild.sh build:VERSION ARCH CACHE}

ver=${spec#build:}
case "$ver" in
    [0-9]*.[0-9]*) ;;
    *) die "malformed kernel spec '$spec' (want build:MAJOR.MINOR, e.g. build:6.12)" ;;
esac
# (bump when the recipe below changes what a build produces)
recipe=1
host_arch=$("$here/arch.sh")
case "$arch" in
    x86_64) karch=x86_64 image=arch/x86/boot/bzImage target=bzImage cross=x86_64-linux-gnu- ;;
    arm64) karch=arm64 image=arch/arm64/boot/Image target=Image cross=aarch64-linux-gnu- ;;
    *) die "unsupported architecture '$arch'" ;;
esac
[ "$arch" != "$host_arch" ] || cross=""
frags="$top/hosts/kconfig/common.config $top/hosts/kconfig/$arch.config"
for f in $frags; do [ -r "$f" ] || die "config fragment $f missing"; done
cc="${cross}gcc"
command -v "$cc" > /dev/null || die "$cc missing (harness/sh/deps.sh kbuild${cross:+ cross})"
for t in make bc flex bison xz depmod; do
    command -v "$t" > /dev/null || die "$t missing (harness/sh/deps.sh kbuild)"
done

# --- the source package ----------------------------------------------------------
. /etc/os-release
codename=${VERSION_CODENAME:-bookworm}
dl="$cache/debs/$codename+$codename-backports-all"
deb=$("$here/aptfetch.sh" -s "$codename,$codename-backports" -a all -d "$dl" "linux-source-$ver") ||
    die "cannot fetch linux-source-$ver from $codename or $codename-backports"
srcver=$(dpkg-deb -f "$dl/$deb" Version)
[ -n "$srcver" ] || die "$deb has no Version"

key=$( { printf 'recipe %s\nsource %s\narch %s\n' "$recipe" "$srcver" "$arch"
         "$cc" --version | head -n 1
         cat $frags; } | sha256sum | cut -c1-12)
name="build-$ver-$arch-$(printf '%s' "$srcver" | tr '~+:' '___')-$key"
dir="$cache/kernels/$name"
# A published build is complete: its release file is written last before
# the rename that publishes it.
built() {
    [ -f "$1/release" ] && [ -s "$1/vmlinuz" ] &&
        [ -s "$1/root/lib/modules/$(cat "$1/release")/modules.dep" ]
}
if built "$dir"; then
    log "cached build $name (built in $(cat "$dir/build-seconds" 2>/dev/null || echo '?') s, $(cat "$dir/build-cpu-seconds" 2>/dev/null || echo '?') s of CPU)"
    printf '%s\n' "$dir"
    exit 0
fi

# shellcheck source=harness/sh/lock.sh
. "$here/lock.sh"
lock_take kbuild "$cache/kbuild/.lock-$arch" "the $arch kernel build in $cache/kbuild"
# (another run may have built it while this one waited)
if built "$dir"; then printf '%s\n' "$dir"; exit 0; fi
started=$(date +%s)

# --- unpacked once per source version ------------------------------------------------
src="$cache/kbuild/src-$(printf '%s' "$srcver" | tr '~+:' '___')"
if [ ! -f "$src/.unpacked" ]; then
    log "unpacking $deb"
    rm -rf "$src.tmp"
    mkdir -p "$src.tmp"
    dpkg-deb --fsys-tarfile "$dl/$deb" | tar -xO "./usr/src/linux-source-$ver.tar.xz" |
        xz -dc | tar -x -C "$src.tmp" --strip-components=1
    : > "$src.tmp/.unpacked"
    rm -rf "$src"
    mv "$src.tmp" "$src"
fi

# --- the output tree: kept (out-of-tree modules build against it) ------------------
obj="$cache/kbuild/obj-$arch-$key"
if [ ! -f "$obj/.config" ]; then
    # Seed it from the newest tree of the same architecture and source, so
    # that a changed fragment rebuilds only what it changes (make decides).
    prev=$(for o in "$cache/kbuild/obj-$arch-"*; do
               [ -f "$o/.config" ] && [ "$o" != "$obj" ] && printf '%s\n' "$o"
           done | xargs -r ls -1dt | head -n 1)
    rm -rf "$obj"
    if [ -n "$prev" ] && [ -f "$prev/.srcver" ] && [ "$(cat "$prev/.srcver")" = "$srcver" ]; then
        log "seeding $obj from $prev"
        cp -a "$prev" "$obj.tmp"
        mv "$obj.tmp" "$obj"
    fi
    mkdir -p "$obj"
fi
printf '%s\n' "$srcver" > "$obj/.srcver"

# The kernel's make is a build of its own: run from a make (make check's
# check-kernels) it would inherit MAKEFLAGS and MAKELEVEL, print "make[2]:
# Entering directory ..." into `kernelrelease`'s output (depmod then got
# "Bad version passed make[2]: ...") and share the caller's jobserver.
kmake() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
        nice -n 19 make -C "$src" O="$obj" ARCH="$karch" ${cross:+CROSS_COMPILE="$cross"} "$@"
}

log "configuring $arch: tinyconfig + $(echo "$frags" | sed "s|$top/||g")"
kmake -s tinyconfig > "$obj/kbuild-config.log" 2>&1 ||
    { tail -n 20 "$obj/kbuild-config.log" >&2; die "make tinyconfig failed"; }
# shellcheck disable=SC2086 # frags: a word list of paths without spaces
(cd "$obj" && ARCH="$karch" CROSS_COMPILE="$cross" "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" $frags) \
    >> "$obj/kbuild-config.log" 2>&1 || { tail -n 20 "$obj/kbuild-config.log" >&2; die "merge_config.sh failed"; }
kmake -s olddefconfig >> "$obj/kbuild-config.log" 2>&1 ||
    { tail -n 20 "$obj/kbuild-config.log" >&2; die "make olddefconfig failed"; }
# shellcheck disable=SC2086 # frags: a word list of paths without spaces
check_config "$obj/.config" $frags
log "config: $(grep -c '=y$' "$obj/.config") options =y, $(grep -c '=m$' "$obj/.config") =m"

log "building $target and modules for $arch (nice -n 19, -j${VFIOCT_KBUILD_JOBS:-2}), log in $obj/kbuild.log"
kmake -j"${VFIOCT_KBUILD_JOBS:-2}" "$target" modules > "$obj/kbuild.log" 2>&1 ||
    { tail -n 30 "$obj/kbuild.log" >&2; die "kernel build failed (log: $obj/kbuild.log)"; }
release=$(kmake -s kernelrelease)

rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/root"
kmake -s INSTALL_MOD_PATH="$dir.tmp/root" INSTALL_MOD_STRIP=1 DEPMOD=/bin/true modules_install \
    >> "$obj/kbuild.log" 2>&1 || { tail -n 20 "$obj/kbuild.log" >&2; die "modules_install failed"; }
rm -f "$dir.tmp/root/lib/modules/$release/build" "$dir.tmp/root/lib/modules/$release/source"
depmod -b "$dir.tmp/root" "$release" || die "depmod failed for $dir.tmp/root"
cp "$obj/$image" "$dir.tmp/vmlinuz"
cp "$obj/.config" "$dir.tmp/config"
cp "$obj/System.map" "$dir.tmp/System.map"
ln -s "$obj" "$dir.tmp/build"
seconds=$(($(date +%s) - started))
# CPU time of everything this script ran (`times`' second line: children's
# user and system time), the build's cost independent of the machine's load:
# on an idle machine with N cores the wall time is about cpu / N.  `times`
# runs in this shell, into a file: inside $(...) it would report the
# subshell's children, none (every build recorded 0 s of CPU that way).
times > "$obj/times"
cpu=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d", t }' "$obj/times")
printf '%s\n' "$seconds" > "$dir.tmp/build-seconds"
printf '%s\n' "$cpu" > "$dir.tmp/build-cpu-seconds"
printf 'build %s %s %s\n' "linux-source-$ver" "$srcver" "$key" > "$dir.tmp/origin"
printf '%s\n' "$release" > "$dir.tmp/release"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
log "built $release for $arch in $seconds s ($cpu s of CPU): $(wc -c < "$dir/vmlinuz") bytes of image, $(find "$dir/root" -name '*.ko' | wc -l) modules"
printf '%s\n' "$dir"
