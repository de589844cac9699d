#!/bin/sh
# deps.sh GROUP...: make sure the Debian packages a vfio-ct step needs are
# installed, installing the missing ones by name with apt-get (root only).
#
# Groups: build (native build and unit tests), cross (ARCH=arm64 build),
#         lint (cppcheck, clang-tidy), run-x86_64 / run-arm64 (emulated host),
#         mutants (out-of-tree builds of broken VFIO modules),
#         report (gnuplot for results/<run>/report.html),
#         fio (carried into the guest for the kernel DMA-API comparison),
#         fuzz (clang's libFuzzer with ASan+UBSan: make fuzz),
#         jenkins-lint (node, npm and Java for npm-groovy-lint: make jenkins-lint),
#         browser (headless Chromium: make screenshots),
#         lava (LAVA's standalone dispatcher, lava-run: make lava).
set -eu

pkgs_for() {
    case "$1" in
        build) echo "gcc make libc6-dev libpci-dev pciutils xz-utils dpkg-dev debian-archive-keyring perl libtap-formatter-junit-perl dash busybox-static kmod unifdef" ;;
        cross) echo "gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
        lint) echo "cppcheck clang-tidy shellcheck" ;;
        mutants) echo "make gcc-12 dwarves libelf1 libssl3 xz-utils" ;;
        run-x86_64) echo "qemu-system-x86 busybox-static cpio kmod gzip xz-utils libtap-formatter-junit-perl" ;;
        run-arm64) echo "qemu-system-arm busybox-static cpio kmod gzip xz-utils libtap-formatter-junit-perl device-tree-compiler" ;;
        report) echo "gnuplot-nox" ;;
        fio) echo "fio" ;;
        fuzz) echo "clang-14 libclang-rt-14-dev" ;;
        jenkins-lint) echo "nodejs npm default-jre-headless" ;;
        browser) echo "chromium" ;;
        lava) echo "lava-dispatcher lava-common" ;;
        *) echo "deps: unknown group '$1'" >&2; exit 2 ;;
    esac
}

want=""
for g in "$@"; do want="$want $(pkgs_for "$g")"; done

# One dpkg-query for all of them (a run asks on every start: one process,
# not one per package); a package it does not know is missing.
# shellcheck disable=SC2086 # package names are single words
installed=" $(dpkg-query -W -f '${Package}:${db:Status-Status} ' $want 2>/dev/null || true) "
missing=""
for p in $want; do
    case " $missing " in *" $p "*) continue ;; esac
    case "$installed" in *" $p:installed "*|*" ${p%%:*}:installed "*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: as root run: apt-get install$missing" >&2
    exit 2
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Lists may be absent on a fresh image; refresh once, then install.
apt-get update -q >&2 || true
# shellcheck disable=SC2086 # package names are single words
apt-get install -y -q --no-install-recommends $missing >&2
