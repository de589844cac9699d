#!/bin/sh
# qemufetch.sh: a QEMU of another Debian suite (e.g. bookworm-backports'
# 10.0, which has igb), fetched into the cache with the private apt state
# (aptfetch.sh) and unpacked there; never installed on the machine.
#
#   qemufetch.sh SUITE GUEST_ARCH CACHE     prints the path of a program
#                                           that runs that QEMU
#
# GUEST_ARCH is x86_64 or arm64 (which qemu-system-* package); the packages
# are of this machine's own architecture.  Unpacked under
# CACHE/qemu/SUITE-HOSTARCH/PACKAGE-<version>/: the qemu-system-* package with
# qemu-system-common and qemu-system-data of the same version, plus every
# dependency the machine does not satisfy (a library or firmware package
# that must be newer than the installed one: bookworm-backports' 10.0
# wants a newer seabios than bookworm's).  The program printed is a wrapper
# (bin/qemu-system-*) that puts the unpacked libraries first on
# LD_LIBRARY_PATH and the unpacked data directory first among QEMU's
# firmware directories (-L), the machine's /usr/share/qemu after it.  It is
# checked with ldd (no library "not found") and `-version` before it is
# printed; a finished tree has a `complete` stamp and is reused.
set -eu

die() { printf 'qemufetch: %s\n' "$*" >&2; exit 2; }
[ $# = 3 ] || die "usage: qemufetch.sh SUITE GUEST_ARCH CACHE"
suite=$1 garch=$2 cache=$3
here=$(cd "$(dirname "$0")" && pwd)
case "$garch" in
    x86_64) pkg=qemu-system-x86 bin=qemu-system-x86_64 ;;
    arm64) pkg=qemu-system-arm bin=qemu-system-aarch64 ;;
    *) die "guest architecture must be x86_64 or arm64, not '$garch'" ;;
esac
case "$suite" in ''|*[!a-z0-9.-]*) die "malformed suite '$suite'" ;; esac
harch=$(dpkg --print-architecture 2>/dev/null) || die "dpkg --print-architecture failed (a Debian machine is needed)"

# One writer of the cache at a time (aptfetch.sh, run through us, sees it held).
# shellcheck source=harness/sh/lock.sh
. "$here/lock.sh"
lock_take cache "$cache/.lock" "the package cache $cache"
debs="$cache/qemu/debs"
mkdir -p "$debs"
fetch() { "$here/aptfetch.sh" -c "$cache" -s "$suite" -a "$harch" -d "$debs" "$@"; }
main=$(fetch "$pkg") || die "no $pkg in $suite/$harch"
ver=$(dpkg-deb -f "$debs/$main" Version)
top="$cache/qemu/$suite-$harch/$pkg-$(printf '%s' "$ver" | tr ':~+' '___')"
wrapper="$top/bin/$bin"
if [ -f "$top/complete" ] && [ -x "$wrapper" ]; then
    printf '%s\n' "$wrapper"
    exit 0
fi
rm -rf "$top"
mkdir -p "$top/root" "$top/bin"
list=$(fetch qemu-system-common qemu-system-data) || die "qemu-system-common/data missing in $suite/$harch"

# satisfied DEP: the machine has DEP (one "name (op version)" of a Depends
# list, architecture qualifiers dropped) installed in a version that fits.
satisfied() {
    name=${1%% *} name=${name%%:*}
    have=$(dpkg-query -W -f '${db:Status-Abbrev} ${Version}' "$name" 2>/dev/null) || return 1
    case "$have" in ii*) have=${have##* } ;; *) return 1 ;; esac
    cond=$(printf '%s' "$1" | sed -n 's/.*(\(.*\)).*/\1/p')
    [ -n "$cond" ] || return 0
    case "${cond%% *}" in
        '>=') op=ge ;; '>>') op=gt ;; '=') op=eq ;; '<=') op=le ;; '<<') op=lt ;;
        *) return 1 ;;
    esac
    dpkg --compare-versions "$have" "$op" "${cond#* }"
}
# The dependencies this machine lacks (alternatives: the first that is
# satisfied serves, else the first is fetched); the qemu packages
# themselves are fetched above.
extra=""
for deb in $main $list; do
    dpkg-deb -f "$debs/$deb" Depends | tr ',' '\n' | sed 's/^ *//; s/ *$//'
done | sort -u > "$top/depends"
while IFS= read -r dep; do
    [ -n "$dep" ] || continue
    first=${dep%%|*} first=${first% } ok=""
    rest=$dep
    while :; do
        alt=${rest%%|*} alt=${alt# } alt=${alt% }
        if satisfied "$alt"; then ok=1; break; fi
        [ "$rest" != "${rest#*|}" ] || break
        rest=${rest#*|}
    done
    [ -n "$ok" ] && continue
    case "${first%% *}" in qemu-system-common|qemu-system-data) continue ;; esac
    extra="$extra ${first%% *}"
done < "$top/depends"
# shellcheck disable=SC2086 # package names
[ -z "$extra" ] || list="$list
$(fetch $extra)" || die "dependencies$extra not in $suite/$harch"
for deb in $main $list; do
    dpkg-deb -x "$debs/$deb" "$top/root" || die "cannot unpack $deb"
done
# shellcheck disable=SC2086 # one package a line
printf '%s\n' $extra > "$top/extra"

libs=""
for d in "$top/root/lib/$(uname -m)-linux-gnu" "$top/root/usr/lib/$(uname -m)-linux-gnu" "$top/root/usr/lib/$harch-linux-gnu"; do
    [ -d "$d" ] && libs="$libs${libs:+:}$d"
done
{
    echo '#!/bin/sh'
    echo "# $bin $ver from $suite, unpacked by harness/sh/qemufetch.sh (not installed)."
    [ -z "$libs" ] || echo "LD_LIBRARY_PATH='$libs'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}; export LD_LIBRARY_PATH"
    echo "exec '$top/root/usr/bin/$bin' -L '$top/root/usr/share/qemu' -L /usr/share/qemu \"\$@\""
} > "$wrapper"
chmod +x "$wrapper"
if LD_LIBRARY_PATH=$libs ldd "$top/root/usr/bin/$bin" | grep -E 'not found|version .* not found' >&2; then
    die "$bin $ver lacks the libraries above (extra packages fetched:${extra:- none})"
fi
"$wrapper" -version > "$top/version" 2>&1 || { cat "$top/version" >&2; die "$wrapper does not run"; }
: > "$top/complete"
printf '%s\n' "$wrapper"
