#!/bin/sh
# initramfs.sh: build the guest's initramfs (a gzip'ed newc cpio).
#
#   initramfs.sh -o OUT.cpio.gz -a ARCH -k KDIR -b BUSYBOX -e ENVFILE \
#                [-M MODDIR] -m "MODULE..." [-x "TOOL..."] [-T TREE] [-c CACHEDIR] PROGRAM...
#
# Contents: busybox (the shell and tools), the modules named with -m and
# everything they depend on (decompressed, listed in load order in
# /vfio-ct/modules.list; a same-named .ko under MODDIR replaces the
# kernel's own), each PROGRAM with the shared libraries it needs, the guest
# half of the runner (run.sh, harness/sh) and ENVFILE as /vfio-ct/env.
# Each TOOL named with -x (e.g. fio) goes to /bin/TOOL with the shared
# libraries it needs: the host's program found on PATH for a guest of the
# host's architecture, else Debian's package of that name for the guest's
# architecture with its libraries (guesttools.sh; a tool it cannot fetch
# is left out with a warning).
# With -T, TREE (a `make install` tree: run.sh, harness/, hosts/, the
# build) becomes /vfio-ct as a whole, every program in it with the shared
# libraries it needs (the proof guests, harness/sh/proof.sh).
# PROGRAM paths are taken relative to the build directory's parent so that
# build/x86_64/suites/resv/foo lands as /vfio-ct/suites/resv/foo.
# With -c, an archive built before from the same arguments and ENVFILE
# contents is copied from CACHEDIR when none of the files it was made of
# (every file copied in, the module tree's indexes modprobe read, every
# directory a name was looked up in) has changed since (memo.sh); else it
# is built and kept there (the newest few).  The caller holds the lock
# that guards CACHEDIR (run.sh: the build's).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

die() { printf 'initramfs: %s\n' "$*" >&2; exit 2; }

out="" arch="" kdir="" busybox="" envfile="" moddir="" modules="" testmods="" tools="" tree="" cachedir=""
while getopts o:a:k:b:e:M:m:t:x:T:c: opt; do
    case "$opt" in
        o) out=$OPTARG ;; a) arch=$OPTARG ;; k) kdir=$OPTARG ;;
        b) busybox=$OPTARG ;; e) envfile=$OPTARG ;; M) moddir=$OPTARG ;;
        m) modules=$OPTARG ;;
        t) testmods=$OPTARG ;;
        x) tools=$OPTARG ;;
        T) tree=$OPTARG ;;
        c) cachedir=$OPTARG ;;
        *) die "bad option" ;;
    esac
done
shift $((OPTIND - 1))
[ -n "$out" ] && [ -n "$arch" ] && [ -n "$kdir" ] && [ -n "$busybox" ] && [ -n "$envfile" ] ||
    die "usage: initramfs.sh -o OUT -a ARCH -k KDIR -b BUSYBOX -e ENVFILE [-M MODDIR] -m MODULES PROGRAM..."

case "$arch" in
    x86_64) libdirs="/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64" ;;
    arm64) sr=${VFIOCT_CACHE:-$HOME/.cache/vfio-ct}/sysroot-arm64
           libdirs="/usr/aarch64-linux-gnu/lib $sr/usr/lib/aarch64-linux-gnu $sr/lib/aarch64-linux-gnu" ;;
    *) die "unsupported architecture '$arch'" ;;
esac

# The binutils of the guest's architecture strip the programs' debug
# information (binutils for x86_64, the cross group's for arm64); without
# them the programs go in as built (which of the two is part of the
# cached archive's key, -c).
strip=""
case "$arch" in x86_64) strip=x86_64-linux-gnu-strip ;; arm64) strip=aarch64-linux-gnu-strip ;; esac
command -v "$strip" > /dev/null 2>&1 || strip=""

# (the clock before any file is read: memo.sh)
if [ -n "$cachedir" ]; then
    # shellcheck source=harness/sh/memo.sh
    . "$here/memo.sh"
    mkdir -p "$cachedir"
    since=$(memo_clock "$cachedir")
fi
release=$(cat "$kdir/release")
kroot="$kdir/root"
stage=$(mktemp -d "${TMPDIR:-/tmp}/vfioct-initramfs.XXXXXX")
trap 'rm -rf "$stage" "$stage.used"' EXIT INT TERM HUP

# --- the cached archive (-c) ------------------------------------------------------
# used PATH...: the archive is made of (or depends on the names in) PATH.
: > "$stage.used"
used() { printf '%s\n' "$@" >> "$stage.used"; }
# (everything that chooses what goes in, but the files themselves)
tag=$(printf 'initramfs 1\n'
      printf '%s\n' "arch $arch" "kdir $kdir" "busybox $busybox" "moddir $moddir" "modules $modules" \
          "testmods $testmods" "tools $tools" "tree $tree" "libdirs $libdirs" "path $PATH" "strip $strip" \
          "cache ${VFIOCT_CACHE:-$HOME/.cache/vfio-ct}" "programs $*"
      printf 'env\n'; cat "$envfile")
if [ -n "$cachedir" ]; then
    entry="$cachedir/$(printf '%s\n' "$tag" | cksum | tr ' ' '-')"
    # entry_valid: the entry's memo holds for the files it lists (a path a
    # line after its "files"), as they are now.
    entry_valid() {
        [ -f "$entry/initrd.gz" ] && [ -f "$entry/memo" ] || return 1
        old_ifs=$IFS; IFS='
'
        set -f
        # shellcheck disable=SC2046 # one path a line
        set -- $(sed '1,/^files$/d; s/^[^ ]* [^ ]* [^ ]* [^ ]* [^ ]* //' "$entry/memo")
        set +f
        IFS=$old_ifs
        [ $# -gt 0 ] && memo_valid "$entry/memo" "$tag" "$@"
    }
    if entry_valid; then
        cp "$entry/initrd.gz" "$out.tmp"
        mv "$out.tmp" "$out"
        touch "$entry"
        exit 0
    fi
fi
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" \
         "$stage/vfio-ct/modules" "$stage/vfio-ct/harness"

# --- busybox and the runner's guest half --------------------------------------
cp "$busybox" "$stage/bin/busybox"
used "$busybox" "$kdir" "$kdir/release"
# The kernel's config where a Debian machine has it (/boot/config-RELEASE):
# what a test derives from the kernel's build options (platform.c: VA_BITS).
if [ -f "$kdir/config" ]; then
    mkdir -p "$stage/boot"
    cp "$kdir/config" "$stage/boot/config-$release"
    used "$kdir/config"
fi
ln -s busybox "$stage/bin/sh"
cp "$top/run.sh" "$stage/vfio-ct/run.sh"
cp -R "$top/harness/sh" "$stage/vfio-ct/harness/sh"
cp "$envfile" "$stage/vfio-ct/env"
used "$top/run.sh"
find "$top/harness/sh" >> "$stage.used"
cat > "$stage/init" <<'INIT'
#!/bin/sh
/bin/busybox --install -s /bin
exec /bin/sh /vfio-ct/run.sh --guest
INIT
chmod 0755 "$stage/init"

# --- modules in load order ------------------------------------------------------
: > "$stage/vfio-ct/modules.list"
seen=" "
# (what modprobe reads: the tree's indexes, and the names there)
used "$kroot/lib/modules/$release"
for f in "$kroot/lib/modules/$release"/modules.*; do [ ! -e "$f" ] || used "$f"; done
[ -z "$moddir" ] || find "$moddir" >> "$stage.used"
# Modules named with -t (tests load them themselves) come after, with their
# dependencies, into /vfio-ct/modules but not into modules.list.
for m in $modules -- $testmods; do
    [ "$m" = -- ] && { listed=no; continue; }
    deps=$(modprobe -d "$kroot" -S "$release" --show-depends "$m" 2>&1) ||
        die "module '$m' is not in $release: $deps"
    for ko in $(printf '%s\n' "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
        base=$(basename "$ko"); base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
        case "$seen" in *" $base "*) continue ;; esac
        seen="$seen$base "
        src=$ko
        if [ -n "$moddir" ]; then
            alt=$(find "$moddir" -name "$base" -o -name "$(printf '%s' "$base" | tr '_-' '-_')" | head -n 1)
            [ -n "$alt" ] && src=$alt && printf 'initramfs: %s replaced by %s\n' "$base" "$alt" >&2
        fi
        case "$src" in
            *.xz) xz -dc "$src" > "$stage/vfio-ct/modules/$base" ;;
            *.zst) zstd -qdc "$src" > "$stage/vfio-ct/modules/$base" ;;
            *.gz) gzip -dc "$src" > "$stage/vfio-ct/modules/$base" ;;
            *) cp "$src" "$stage/vfio-ct/modules/$base" ;;
        esac
        used "$src"
        [ "${listed:-yes}" = no ] || printf '%s\n' "$base" >> "$stage/vfio-ct/modules.list"
    done
done

# --- programs and their shared libraries ----------------------------------------
# find_lib NAME [DIR...]: the first library directory (DIRs: the needing
# ELF's RUNPATH, e.g. librados' /usr/lib/<triplet>/ceph) holding NAME.
# (RUNPATH directories are looked up under $libroot, the unpacked tree of
# a foreign tool, when one is being copied.)
libroot=""
# (every directory looked in is used: a name added there may change the answer)
find_lib() {
    n=$1; shift
    for d in "$@"; do
        [ ! -d "$libroot$d" ] || used "$libroot$d"
        [ -e "$libroot$d/$n" ] && { printf '%s/%s\n' "$libroot$d" "$n"; used "$libroot$d/$n"; return 0; }
    done
    for d in $libdirs; do
        [ ! -d "$d" ] || used "$d"
        [ -e "$d/$n" ] && { printf '%s/%s\n' "$d" "$n"; used "$d/$n"; return 0; }
    done
    return 1
}

# copy_libs ELF: copy the ELF's interpreter and needed libraries, recursively,
# to their usual paths in the guest (/lib/<triplet>/, /lib64/, /lib/).
copy_libs() {
    interp=$(readelf -l "$1" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    if [ -n "$interp" ] && [ ! -e "$stage$interp" ]; then
        src=$(find_lib "$(basename "$interp")") || die "interpreter $interp not found"
        mkdir -p "$stage$(dirname "$interp")"
        cp -L "$src" "$stage$interp"
    fi
    for lib in $(readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [ -e "$stage/lib/$lib" ] && continue
        # shellcheck disable=SC2046 # RUNPATH: colon-separated directories
        src=$(find_lib "$lib" $(readelf -d "$1" 2>/dev/null | sed -n 's/.*PATH).*\[\(.*\)\]/\1/p' | tr ':' ' ')) ||
            die "library $lib (needed by $1) not found in $libdirs"
        mkdir -p "$stage/lib"
        cp -L "$src" "$stage/lib/$lib"
        copy_libs "$src"
    done
}

for p in "$@"; do
    rel=$(printf '%s\n' "$p" | sed -n 's|.*/\(suites/.*\)|\1|p')
    [ -n "$rel" ] || die "program '$p' is not under a suites/ directory"
    mkdir -p "$stage/vfio-ct/$(dirname "$rel")"
    # (without their DWARF, kept in the build: under a third of the bytes
    # for QEMU to load and the guest kernel to unpack; symbols stay.  What
    # strip does not take, a script, goes in as it is.)
    [ -n "$strip" ] && "$strip" --strip-debug -o "$stage/vfio-ct/$rel" "$p" 2>/dev/null ||
        cp "$p" "$stage/vfio-ct/$rel"
    used "$p" "$(dirname "$p")"
    # The kernel's own tools a suite runs (static; the Makefile's KTOOLS).
    if [ -d "$(dirname "$p")/tools" ] && [ ! -d "$stage/vfio-ct/$(dirname "$rel")/tools" ]; then
        cp -R "$(dirname "$p")/tools" "$stage/vfio-ct/$(dirname "$rel")/tools"
        find "$(dirname "$p")/tools" >> "$stage.used"
    fi
    printf '%s\n' "$rel" >> "$stage/vfio-ct/programs.list"
    copy_libs "$p"
done

# The installed tree (-T) and its programs' libraries.
if [ -n "$tree" ]; then
    [ -f "$tree/kselftest-list.txt" ] || die "-T $tree is not an installed tree (no kselftest-list.txt)"
    cp -R "$tree/." "$stage/vfio-ct/"
    find "$tree" >> "$stage.used"
    while IFS= read -r t; do
        copy_libs "$tree/${t%%:*}/${t#*:}"
    done < "$tree/kselftest-list.txt"
fi

# Tools (-x): the binary and its libraries, like the programs'.  A foreign
# guest's come from Debian's packages for its architecture (guesttools.sh),
# their libraries looked up in that tree first.
host_arch=$("$here/arch.sh")
cache=${VFIOCT_CACHE:-$HOME/.cache/vfio-ct}
for t in $tools; do
    if [ "$host_arch" = "$arch" ]; then
        src=$(command -v "$t") || die "tool '$t' is not installed on the host"
        cp -L "$src" "$stage/bin/$t"
        used "$src"
        # (a tool added earlier on PATH would be found instead)
        for d in $(printf '%s' "$PATH" | tr ':' ' '); do [ ! -d "$d" ] || used "$d"; done
        copy_libs "$src"
        continue
    fi
    if ! root=$("$here/guesttools.sh" "$arch" "$cache" "$t"); then
        printf 'initramfs: tool %s left out: no %s build of it could be fetched (guesttools.sh above)\n' "$t" "$arch" >&2
        cachedir=""   # (an archive without it is not kept: the next run tries again)
        continue
    fi
    for b in usr/bin bin usr/sbin sbin; do
        [ -f "$root/$b/$t" ] && break
    done
    saved=$libdirs libroot=$root
    case "$arch" in
        arm64) libdirs="$root/lib/aarch64-linux-gnu $root/usr/lib/aarch64-linux-gnu $libdirs" ;;
        x86_64) libdirs="$root/lib/x86_64-linux-gnu $root/usr/lib/x86_64-linux-gnu $libdirs" ;;
    esac
    cp -L "$root/$b/$t" "$stage/bin/$t"
    used "$root/$b/$t" "$root/$b"
    copy_libs "$root/$b/$t"
    libdirs=$saved libroot=""
done

(cd "$stage" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"

# -c: kept, with the memo of what it was made of; the newest 8 are kept.
# keep: the archive into the cache (a failure costs the next run a build).
# shellcheck disable=SC2046 # one path a line
keep() {
    rm -rf "$entry" "$entry.tmp" && mkdir -p "$entry.tmp" && cp "$out" "$entry.tmp/initrd.gz" &&
        (IFS='
'; set -f; memo_write "$entry.tmp/memo" "$since" "$tag" $(awk '!seen[$0]++' "$stage.used")) &&
        mv "$entry.tmp" "$entry"
}
if [ -n "$cachedir" ]; then
    keep || { rm -rf "$entry.tmp"; printf 'initramfs: the archive could not be kept in %s\n' "$cachedir" >&2; }
    # shellcheck disable=SC2012 # names are cksum's digits and dashes
    ls -1t "$cachedir" | tail -n +9 | while IFS= read -r old; do rm -rf "${cachedir:?}/$old"; done || true
fi
