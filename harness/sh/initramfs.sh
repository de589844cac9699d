#!/bin/sh
# initramfs.sh: build the guest's initramfs (a gzip'ed newc cpio).
#
#   initramfs.sh -o OUT.cpio.gz -a ARCH -k KDIR -b BUSYBOX -e ENVFILE \
#                [-M MODDIR] -m "MODULE..." [-x "TOOL..."] [-T TREE] PROGRAM...
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
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

die() { printf 'initramfs: %s\n' "$*" >&2; exit 2; }

out="" arch="" kdir="" busybox="" envfile="" moddir="" modules="" testmods="" tools="" tree=""
while getopts o:a:k:b:e:M:m:t:x:T: opt; do
    case "$opt" in
        o) out=$OPTARG ;; a) arch=$OPTARG ;; k) kdir=$OPTARG ;;
        b) busybox=$OPTARG ;; e) envfile=$OPTARG ;; M) moddir=$OPTARG ;;
        m) modules=$OPTARG ;;
        t) testmods=$OPTARG ;;
        x) tools=$OPTARG ;;
        T) tree=$OPTARG ;;
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

release=$(cat "$kdir/release")
kroot="$kdir/root"
stage=$(mktemp -d "${TMPDIR:-/tmp}/vfioct-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM HUP
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" \
         "$stage/vfio-ct/modules" "$stage/vfio-ct/harness"

# --- busybox and the runner's guest half --------------------------------------
cp "$busybox" "$stage/bin/busybox"
# The kernel's config where a Debian machine has it (/boot/config-RELEASE):
# what a test derives from the kernel's build options (platform.c: VA_BITS).
if [ -f "$kdir/config" ]; then
    mkdir -p "$stage/boot"
    cp "$kdir/config" "$stage/boot/config-$release"
fi
ln -s busybox "$stage/bin/sh"
cp "$top/run.sh" "$stage/vfio-ct/run.sh"
cp -R "$top/harness/sh" "$stage/vfio-ct/harness/sh"
cp "$envfile" "$stage/vfio-ct/env"
cat > "$stage/init" <<'INIT'
#!/bin/sh
/bin/busybox --install -s /bin
exec /bin/sh /vfio-ct/run.sh --guest
INIT
chmod 0755 "$stage/init"

# --- modules in load order ------------------------------------------------------
: > "$stage/vfio-ct/modules.list"
seen=" "
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
        [ "${listed:-yes}" = no ] || printf '%s\n' "$base" >> "$stage/vfio-ct/modules.list"
    done
done

# --- programs and their shared libraries ----------------------------------------
# find_lib NAME [DIR...]: the first library directory (DIRs: the needing
# ELF's RUNPATH, e.g. librados' /usr/lib/<triplet>/ceph) holding NAME.
# (RUNPATH directories are looked up under $libroot, the unpacked tree of
# a foreign tool, when one is being copied.)
libroot=""
find_lib() {
    n=$1; shift
    for d in "$@"; do
        [ -e "$libroot$d/$n" ] && { printf '%s/%s\n' "$libroot$d" "$n"; return 0; }
    done
    for d in $libdirs; do
        [ -e "$d/$n" ] && { printf '%s/%s\n' "$d" "$n"; return 0; }
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
    cp "$p" "$stage/vfio-ct/$rel"
    # The kernel's own tools a suite runs (static; the Makefile's KTOOLS).
    if [ -d "$(dirname "$p")/tools" ] && [ ! -d "$stage/vfio-ct/$(dirname "$rel")/tools" ]; then
        cp -R "$(dirname "$p")/tools" "$stage/vfio-ct/$(dirname "$rel")/tools"
    fi
    printf '%s\n' "$rel" >> "$stage/vfio-ct/programs.list"
    copy_libs "$p"
done

# The installed tree (-T) and its programs' libraries.
if [ -n "$tree" ]; then
    [ -f "$tree/kselftest-list.txt" ] || die "-T $tree is not an installed tree (no kselftest-list.txt)"
    cp -R "$tree/." "$stage/vfio-ct/"
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
        copy_libs "$src"
        continue
    fi
    if ! root=$("$here/guesttools.sh" "$arch" "$cache" "$t"); then
        printf 'initramfs: tool %s left out: no %s build of it could be fetched (guesttools.sh above)\n' "$t" "$arch" >&2
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
    copy_libs "$root/$b/$t"
    libdirs=$saved libroot=""
done

(cd "$stage" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
