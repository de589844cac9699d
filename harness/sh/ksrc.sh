#!/bin/sh
# ksrc.sh OUTDIR: lay out the kernel-provided headers vfio-ct builds against.
#
#   OUTDIR/kselftest/{kselftest_harness.h,kselftest.h}
#   OUTDIR/uapi/linux/{vfio.h,iommufd.h}   installed as `make headers_install`
#                                         does (the tree's own script + unifdef)
#   OUTDIR/ksft/run_kselftest.sh, OUTDIR/ksft/kselftest/{runner.sh,prefix.pl}
#                              the kselftest runner, for the unit test that
#                              runs it over `make install`'s tree
#   OUTDIR/ktools/dma/dma_map_benchmark.c, OUTDIR/ktools/include/linux/map_benchmark.h
#                              the kernel's DMA-API benchmark tool and its
#                              header, which the Makefile builds as is into
#                              build/ARCH/suites/stress/tools/ (stress/dmabench)
#   OUTDIR/VERSION             where they came from
#
# They come from the kernel tree named by $KSRC when set, otherwise from
# Debian's linux-source-$VFIOCT_KSRC_VERSION package (default 6.12), fetched
# with a private apt state (harness/sh/aptfetch.sh).  Nothing is copied into
# the repository: OUTDIR lives in the build cache.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: ksrc.sh OUTDIR}
ver=${VFIOCT_KSRC_VERSION:-6.12}
members="tools/testing/selftests/kselftest_harness.h
tools/testing/selftests/kselftest.h
include/uapi/linux/vfio.h
include/uapi/linux/iommufd.h
scripts/headers_install.sh
tools/testing/selftests/run_kselftest.sh
tools/testing/selftests/kselftest/runner.sh
tools/testing/selftests/kselftest/prefix.pl
tools/testing/selftests/dma/dma_map_benchmark.c
include/linux/map_benchmark.h"

[ -f "$out/VERSION" ] && exit 0
command -v unifdef > /dev/null || { echo "ksrc: unifdef missing (apt-get install unifdef)" >&2; exit 2; }
tmp="$out.tmp.$$"
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
rm -rf "$tmp"
mkdir -p "$tmp/src"

if [ -n "${KSRC:-}" ]; then
    for m in $members; do
        [ -f "$KSRC/$m" ] || { echo "ksrc: $KSRC/$m missing" >&2; exit 2; }
        mkdir -p "$tmp/src/$(dirname "$m")"
        cp "$KSRC/$m" "$tmp/src/$m"
    done
    origin="KSRC=$KSRC"
else
    . /etc/os-release
    codename=${VERSION_CODENAME:-bookworm}
    deb=$("$here/aptfetch.sh" -s "$codename,$codename-backports" -a all \
          -d "$tmp/deb" "linux-source-$ver")
    tarball="./usr/src/linux-source-$ver.tar.xz"
    list=""
    for m in $members; do list="$list linux-source-$ver/$m"; done
    # shellcheck disable=SC2086 # list is a word list of member names
    dpkg-deb --fsys-tarfile "$tmp/deb/$deb" | tar -xO "$tarball" | xz -dc |
        tar -x -C "$tmp/src" --strip-components=1 $list
    origin="$(basename "$deb")"
fi

mkdir -p "$tmp/out/kselftest" "$tmp/out/uapi/linux" "$tmp/out/ksft/kselftest" \
         "$tmp/out/ktools/dma" "$tmp/out/ktools/include/linux"
cp "$tmp/src/tools/testing/selftests/dma/dma_map_benchmark.c" "$tmp/out/ktools/dma/"
cp "$tmp/src/include/linux/map_benchmark.h" "$tmp/out/ktools/include/linux/"
cp "$tmp/src/tools/testing/selftests/run_kselftest.sh" "$tmp/out/ksft/"
cp "$tmp/src/tools/testing/selftests/kselftest/runner.sh" \
   "$tmp/src/tools/testing/selftests/kselftest/prefix.pl" "$tmp/out/ksft/kselftest/"
cp "$tmp/src/tools/testing/selftests/kselftest_harness.h" \
   "$tmp/src/tools/testing/selftests/kselftest.h" "$tmp/out/kselftest/"
# Raw include/uapi headers still carry __user and friends: install them the
# way the kernel does.  headers_install.sh calls scripts/unifdef; Debian's
# unifdef is the same program.
mkdir -p "$tmp/src/scripts"
ln -sf "$(command -v unifdef)" "$tmp/src/scripts/unifdef"
for h in vfio.h iommufd.h; do
    (cd "$tmp/src" && sh scripts/headers_install.sh "include/uapi/linux/$h" "$tmp/out/uapi/linux/$h")
done
printf '%s\n' "$origin" > "$tmp/out/VERSION"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$tmp/out" "$out"
