#!/bin/sh
# run.sh - the vfio-ct runner.  POSIX sh: runs under dash and busybox ash.
#
# Host side: installs what it needs, builds, fetches the kernel, builds the
# guest initramfs, boots the emulated host, streams TAP to stdout and writes
# results/<run-id>/.  Guest side (`run.sh --guest`, PID 1 of the initramfs):
# loads modules, binds devices to vfio-pci, runs every suite program.
set -eu

VCT_TOP=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = --guest ]; then
    VCT_HOME=$VCT_TOP
    # shellcheck source=harness/sh/guest.sh
    . "$VCT_TOP/harness/sh/guest.sh"
    guest_main
    exit 0
fi

usage() {
    cat <<'USAGE'
Usage: ./run.sh [OPTION]...
Run the vfio-ct conformance suites on an emulated host (or, with --host
local, on this machine) and report TAP.

  --host NAME        host profile from hosts/NAME.conf (default: qemu-x86_64-vtd)
  --kernel SPEC      guest kernel: debian:SUITE[:PACKAGE] (a Debian kernel
                     package, fetched into the cache), build:VERSION (built
                     from Debian's linux-source-VERSION with hosts/kconfig/,
                     cached) or IMAGE,MODDIR (a kernel
                     image and its lib/modules/<release> directory);
                     default: the profile's `kernel`
  --modules DIR      load the .ko files found under DIR instead of the
                     kernel's same-named modules (test a patched vfio module)
  --suite LIST       comma-separated suites (areas such as `resv`) or programs
                     (`resv/resv_sysfs`) to run; default: every suite
  --list             list host profiles, suites and their tests, then exit
  --results DIR      write results to DIR (default: results/<run-id>)
  --timeout SECS     end the whole run after SECS seconds (default: 1200)
  --idle SECS        end the run when the guest prints nothing for SECS
                     seconds (default: 180)
  --accel ACCEL      QEMU accelerator (default: the profile's, else tcg);
                     `kvm` needs /dev/kvm and a guest of this machine's
                     architecture (checked first; exit 2 otherwise);
                     `auto`: kvm where it can be had, else the default
  --icount           (QEMU host, TCG) the guest's clock counts instructions
                     and jumps over idle time (QEMU -icount
                     shift=auto,sleep=off): a wait on a device's timer (edu's
                     100 ms DMA) or a timeout costs no wall time.  The clock
                     is then virtual: the programs that time rates (stress)
                     or wait on the runner (group/hotplug) SKIP, the guest's
                     phases are in virtual seconds; not with --stress,
                     --duration, --baseline, --ab, --matrix or --prepare
  --no-build         do not run make first (use what build/ holds)
  --matrix [SPEC]    run every emulated host profile with every kernel, --jobs
                     guests at a time, and print a table (row per host, column per
                     kernel: pass/fail/skip, wall time, results directory),
                     also written to RESULTS/matrix.md and matrix.json.
                     SPEC "HOSTS x KERNELS" (comma-separated; either side
                     may be empty or `all`) narrows it; the default kernels
                     are debian:bookworm (6.1), debian:bookworm-backports
                     (6.12) and debian:sid (7.2)
  --jobs N           with --matrix: run N cells at a time (default: the
                     machine's cores, nproc; each TCG guest takes one)
  --shard K/N        with --matrix: run only shard K of N (the cells whose
                     index, host-major from 0, is K-1 modulo N), so N
                     machines split one matrix
  --merge DIR...     (last option) build RESULTS/matrix.md, matrix.json and
                     matrix.html from the matrix results directories DIR...
                     (shards run here or elsewhere); nothing is run
  --prepare DIR      build the guest (kernel, initramfs, QEMU arguments) into
                     DIR and stop, for an engine that boots it (LAVA)
  --stress           full-length stress measurements (VCT_STRESS=full in the
                     guest); runs suite `stress` unless --suite is given
  --duration SECS    also run the soak (stress/soak) for SECS seconds
  --baseline DIR     compare this run's metrics.json with DIR's (an earlier
                     results/<run>): comparison.json, verdict per metric
  --fail-on-regression PCT
                     with --baseline or --ab: exit 1 when a metric regressed
                     by more than PCT percent
  --ab DIR_A DIR_B   A/B inside one boot: boot with the modules of DIR_A
                     (as --modules), then alternate DIR_A's and DIR_B's
                     builds (reloaded before every measurement, ABBA) over
                     the rounds; the tests of $VCT_AB_TESTS (default
                     loop_overhead) of the --suite programs (default
                     stress/maps) are measured with each; per metric the
                     ratio B/A, its CI and a verdict in ab.json, ab.txt
                     and metrics.json (README "A/B inside one boot")
  --rounds R         with --ab: rounds per trial (default 12, at least 3)
  --trials T         with --ab: independent trials of R rounds each, one
                     verdict each plus the pooled one (default 1)
  --destructive      allow tests to write device media (VCT_ALLOW_DESTRUCTIVE=1
                     in the guest): the NVMe DMA engine then writes the first
                     4 KiB of namespace 1
  --device BDF|VENDOR:DEVICE
                     (--host local) select a device to bind to vfio-pci and
                     test; repeatable.  Default: $VCT_DEVICES, else
                     $VFIO_SELFTESTS_BDF; none: nothing is bound and the
                     device-level tests SKIP
  --dry-run          (--host local) print the plan (each device, its
                     driver, IOMMU group, group members, reserved regions)
                     and the preflight verdicts; change nothing
  --force            (--host local) passed to the preflight checks (it
                     overrides only "interface up" and "signature present")
  --restore          (--host local) only restore what the journal of an
                     interrupted run records, then exit
  --proof PROGRAM    (QEMU host) the guest carries the installed tree and
                     runs PROGRAM (which calls /vfio-ct/run.sh --host local)
                     instead of the suites; default: the profile's `proof`
  -h, --help         show this help and exit

Standard output carries the run's TAP (kselftest runner format: one block per
test program); standard error carries one progress line per test.  Exit
status: 0 when no test failed, 1 when any did or the guest did not finish
(--host local: or a restore step could not be verified), 2 on a usage or
set-up error, a bad device selection, a preflight refusal or another boot's
journal; 130/143/129 when stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP (the
results so far are written, marked incomplete; --host local restores first).
$VCT_FAIL_NTH_VARIANTS (comma-separated backends) narrows the fault/fail_nth_*
sweeps to those backends, for one boot each (doc/fail-nth.md).
USAGE
}

die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }
usage_error() { printf 'run.sh: %s\n' "$*" >&2; echo "Try './run.sh --help'." >&2; exit 2; }
say() { printf '# %s\n' "$*" >&2; }

# ---- options -----------------------------------------------------------------
host=qemu-x86_64-vtd kernel_spec="" moddir="" suites="" list=0 results=""
timeout=1200 idle=180 accel="" build=1 matrix="" shard="" merge=0 prepare=""
stress="" duration="" baseline="" fail_pct="" destructive="" jobs="" icount=""
devices="" dry_run="" restore_only="" force=""   # --host local only (harness/sh/local.sh)
proof=""                                          # harness/sh/proof.sh
# shellcheck source=harness/sh/ab.sh
. "$VCT_TOP/harness/sh/ab.sh"                    # --ab, --rounds, --trials
need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || usage_error "option $1 needs an argument"; }
is_count() { case "$1" in ''|*[!0-9]*) return 1 ;; *) [ "$1" -gt 0 ] ;; esac; }
while [ $# -gt 0 ]; do
    case "$1" in
        --host) need_arg "$@"; host=$2; shift ;;
        --host=*) host=${1#*=} ;;
        --kernel) need_arg "$@"; kernel_spec=$2; shift ;;
        --kernel=*) kernel_spec=${1#*=} ;;
        --modules) need_arg "$@"; moddir=$2; shift ;;
        --modules=*) moddir=${1#*=} ;;
        --suite) need_arg "$@"; suites=$2; shift ;;
        --suite=*) suites=${1#*=} ;;
        --list) list=1 ;;
        --results) need_arg "$@"; results=$2; shift ;;
        --results=*) results=${1#*=} ;;
        --timeout) need_arg "$@"; timeout=$2; shift ;;
        --timeout=*) timeout=${1#*=} ;;
        --idle) need_arg "$@"; idle=$2; shift ;;
        --idle=*) idle=${1#*=} ;;
        --accel) need_arg "$@"; accel=$2; shift ;;
        --accel=*) accel=${1#*=} ;;
        --no-build) build=0 ;;
        --icount) icount=1 ;;
        --device) need_arg "$@"; devices="$devices $2"; shift ;;
        --device=*) devices="$devices ${1#*=}" ;;
        --dry-run) dry_run=1 ;;
        --restore) restore_only=1 ;;
        --force) force=1 ;;
        --proof) need_arg "$@"; proof=$2; shift ;;
        --proof=*) proof=${1#*=} ;;
        --matrix=*) matrix="${1#*=} " ;;
        --matrix) case "${2:-}" in
                      ''|-*) matrix=" " ;;
                      *) matrix="$2 "; shift ;;
                  esac ;;
        --jobs) need_arg "$@"; jobs=$2; shift ;;
        --jobs=*) jobs=${1#*=} ;;
        --shard) need_arg "$@"; shard=$2; shift ;;
        --shard=*) shard=${1#*=} ;;
        --merge) merge=1; shift; break ;;
        --prepare) need_arg "$@"; prepare=$2; shift ;;
        --prepare=*) prepare=${1#*=} ;;
        --stress) stress=full ;;
        --destructive) destructive=1 ;;
        --duration) need_arg "$@"; duration=$2; shift ;;
        --duration=*) duration=${1#*=} ;;
        --baseline) need_arg "$@"; baseline=$2; shift ;;
        --baseline=*) baseline=${1#*=} ;;
        --fail-on-regression) need_arg "$@"; fail_pct=$2; shift ;;
        --fail-on-regression=*) fail_pct=${1#*=} ;;
        --ab) [ $# -ge 3 ] && [ -n "$2" ] && [ -n "$3" ] || usage_error "option --ab needs DIR_A and DIR_B"
              ab_a=$2 ab_b=$3; shift 2 ;;
        --rounds) need_arg "$@"; ab_rounds=$2; shift ;;
        --trials) need_arg "$@"; ab_trials=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unknown option '$1'" ;;
    esac
    shift
done
is_count "$timeout" || usage_error "--timeout wants a positive number of seconds, not '$timeout'"
is_count "$idle" || usage_error "--idle wants a positive number of seconds, not '$idle'"
case "$host" in ''|*/*|.*) usage_error "malformed host name '$host'" ;; esac
case "$suites" in *[!A-Za-z0-9_,/.-]*) usage_error "malformed --suite list '$suites'" ;; esac
[ -z "$accel" ] || "$VCT_TOP/harness/sh/accel.sh" "$accel" > /dev/null || exit 2
# --icount: a virtual clock, so nothing timed may run on it.
if [ -n "$icount" ]; then
    [ -z "$stress$duration$baseline${ab_a:-}$matrix$prepare" ] ||
        usage_error "--icount makes the guest's clock virtual: not with --stress, --duration, --baseline, --ab, --matrix or --prepare"
fi
# --shard K/N and --merge DIR...: a matrix spread over machines (shard.sh, merge.sh).
if [ -n "$shard" ]; then
    [ -n "$matrix" ] || usage_error "--shard needs --matrix"
    "$VCT_TOP/harness/sh/shard.sh" "$shard" 0 2> /dev/null || [ $? = 1 ] ||
        usage_error "--shard wants K/N with 1 <= K <= N, not '$shard'"
    export VCT_MATRIX_SHARD="$shard"
fi
# --jobs N: matrix cells at a time (matrix.sh; default: the machine's cores).
if [ -n "$jobs" ]; then
    [ -n "$matrix" ] || usage_error "--jobs needs --matrix"
    is_count "$jobs" || usage_error "--jobs wants a positive number of cells, not '$jobs'"
    export VCT_MATRIX_JOBS="$jobs"
fi
if [ "$merge" = 1 ]; then
    [ $# -gt 0 ] || usage_error "--merge needs matrix results directories"
    exec "$VCT_TOP/harness/sh/merge.sh" "${results:-$VCT_TOP/results/$(date +%Y%m%d-%H%M%S)-merged}" "$@"
fi
if [ -n "$matrix" ]; then
    [ -z "$kernel_spec" ] && [ -z "$moddir" ] && [ "$list" = 0 ] ||
        usage_error "--matrix takes its kernels from its SPEC: no --kernel, --modules or --list with it"
    [ -n "$results" ] || results="$VCT_TOP/results/$(date +%Y%m%d-%H%M%S)-matrix"
    exec "$VCT_TOP/harness/sh/matrix.sh" "$matrix" "$results" "$build" \
        ${suites:+--suite "$suites"} --timeout "$timeout" --idle "$idle" ${accel:+--accel "$accel"}
fi
profile="$VCT_TOP/hosts/$host.conf"
[ -f "$profile" ] || usage_error "no host profile '$host' (see ./run.sh --list)"
[ -z "$moddir" ] || [ -d "$moddir" ] || usage_error "--modules: '$moddir' is not a directory"
ab_options
# shellcheck source=harness/sh/perf.sh
. "$VCT_TOP/harness/sh/perf.sh"
perf_options

# ---- host profile --------------------------------------------------------------
# prof KEY: the profile's value for KEY (profile.awk, the one reader: the
# values of a key that accumulates joined by a space).
prof() { awk -v key="$1" -f "$VCT_TOP/harness/sh/profile.awk" "$VCT_TOP/hosts/README.md" "$profile"; }
awk -v check=1 -f "$VCT_TOP/harness/sh/profile.awk" "$VCT_TOP/hosts/README.md" "$profile" ||
    usage_error "host profile $profile is malformed (see hosts/README.md)"
# kind: `qemu` (the default) boots a guest; `local` is this machine itself
# (harness/sh/local.sh): its build is this machine's architecture.
kind=$(prof kind)
case "${kind:=qemu}" in qemu|local) ;; *) die "$profile: kind must be qemu or local, not '$kind'" ;; esac
# shellcheck source=harness/sh/local.sh
. "$VCT_TOP/harness/sh/local.sh"
local_options
if [ "$kind" = local ]; then arch=$("$VCT_TOP/harness/sh/arch.sh"); else arch=$(prof arch); fi
case "$arch" in x86_64|arm64) ;; *) die "$profile: arch must be x86_64 or arm64, not '$arch'" ;; esac
[ -n "$kernel_spec" ] || kernel_spec=$(prof kernel)
[ -n "$kernel_spec" ] || [ "$kind" = local ] || die "$profile names no kernel and --kernel was not given"
[ -n "$accel" ] || accel=$(prof accel)
[ -n "$accel" ] || accel=tcg,thread=single
accel=$("$VCT_TOP/harness/sh/accel.sh" "$accel" "$arch" "$(prof accel)") || exit 2
if [ -n "$icount" ]; then
    [ "$kind" = qemu ] || usage_error "--icount is for a QEMU host (it is QEMU's instruction counter)"
    case "$accel" in tcg*) ;; *) usage_error "--icount needs TCG (QEMU counts the instructions it translates), not --accel $accel" ;; esac
fi

BUILD="$VCT_TOP/build/$arch"
CACHE=${VFIOCT_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/vfio-ct}
export VFIOCT_CACHE="$CACHE"

# programs: the suite programs selected by --suite, as build paths.
programs() {
    for p in "$BUILD"/suites/*/*; do
        [ -f "$p" ] && [ -x "$p" ] || continue
        rel=${p#"$BUILD"/suites/}
        area=${rel%%/*}
        [ "$area" = unit ] && continue
        if [ -n "$suites" ]; then
            case ",$suites," in *",$area,"*|*",$rel,"*) ;; *) continue ;; esac
        fi
        printf '%s\n' "$p"
    done
}

if [ "$list" = 1 ]; then
    echo "Host profiles (--host):"
    for f in "$VCT_TOP"/hosts/*.conf; do
        profile=$f
        printf '  %-24s %s\n' "$(basename "$f" .conf)" "$(prof description)"
    done
    profile="$VCT_TOP/hosts/$host.conf"
    echo "Suites and tests (--suite), as built in build/$arch:"
    for src in "$VCT_TOP"/suites/*/*.c; do
        rel=${src#"$VCT_TOP"/suites/}; rel=${rel%.c}
        [ "${rel%%/*}" = unit ] && continue
        printf '  %s\n' "$rel"
        bin="$BUILD/suites/$rel"
        if [ -x "$bin" ] && [ "$arch" = "$("$VCT_TOP/harness/sh/arch.sh")" ]; then
            "$bin" --vct-list | sed 's/^/      /'
        fi
    done
    exit 0
fi

[ "$kind" = local ] && local_main

# ---- set-up ---------------------------------------------------------------------
run_id="$(date +%Y%m%d-%H%M%S)-$host"
# Locks between runs sharing this checkout or the cache (lock.sh); the
# results directory: created, writable, with room, this run's (results.sh).
# shellcheck source=harness/sh/lock.sh
. "$VCT_TOP/harness/sh/lock.sh"
# shellcheck source=harness/sh/results.sh
. "$VCT_TOP/harness/sh/results.sh"
results_claim
work="$results/work"
rm -rf "$work" "$results/tap"
mkdir -p "$work" "$results/tap"
started=$(date +%s)
started_iso=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Ctrl-C, SIGTERM, SIGHUP: exit 128+N with the results so far (interrupt.sh).
# shellcheck source=harness/sh/interrupt.sh
. "$VCT_TOP/harness/sh/interrupt.sh"
interrupt_init
# Where the time goes: `phase_enter NAME` marks (phases.sh), run.json "phases".
# shellcheck source=harness/sh/phases.sh
. "$VCT_TOP/harness/sh/phases.sh"
phase_enter deps

deps="build run-$arch"
[ "$arch" = "$("$VCT_TOP/harness/sh/arch.sh")" ] || deps="$deps cross"
# shellcheck disable=SC2086 # word list of groups
"$VCT_TOP/harness/sh/deps.sh" $deps || die "dependencies could not be installed"

phase_enter build
if [ "$build" = 1 ]; then
    lock_take build "$VCT_TOP/build/.lock" "the build in $VCT_TOP"
    say "building (make ARCH=$arch), log in $results/build.log"
    run_fg build make -C "$VCT_TOP" ARCH="$arch" -j"$(nproc 2>/dev/null || echo 2)" all > "$results/build.log" 2>&1 ||
        { tail -n 30 "$results/build.log" >&2; die "build failed"; }
fi
# The build is read under its lock (also with --no-build: a build by another
# run.sh in this checkout is waited for): here and for the initramfs below,
# not across the kernel fetch in between (the cache lock's).
lock_take build "$VCT_TOP/build/.lock" "the build in $VCT_TOP"
bind_ids=$(prof bind)
# shellcheck source=harness/sh/proof.sh
. "$VCT_TOP/harness/sh/proof.sh"
proof_setup
lock_release build
[ -n "$(programs)" ] || die "no suite programs match '${suites:-all}' in $BUILD (build first, or check --suite)"

# A profile marked `unsupported = REASON` is not booted: every test of every
# selected program is reported as SKIP with that reason (so a matrix shows the
# cell as skipped, not missing).
# shellcheck source=harness/sh/collect.sh
. "$VCT_TOP/harness/sh/collect.sh"
# report_unsupported REASON [RELEASE ORIGIN]: that report, then exit 0.
report_unsupported() {
    say "$host is unsupported: $1"
    stream="$work/stream.log" kmsg="$work/kmsg.raw"
    : > "$stream"; : > "$kmsg"
    collect_unsupported "$(programs)" "$1"
    results_write "${2:-}" "${3:-}" "" "$started_iso" "$(($(date +%s) - started))" ""
    perf_finish "${2:-}" ""
    say "results in $results"
    exit 0
}
unsupported=$(prof unsupported)
[ -z "$unsupported" ] || report_unsupported "$unsupported"

phase_enter kernel
# A kernel built from source (build:VERSION) compiles before the cache's lock
# is taken, holding only its own (harness/sh/kbuild.sh); kernel.sh then finds it built.
case "$kernel_spec" in build:*)
    "$VCT_TOP/harness/sh/deps.sh" kbuild || die "dependencies could not be installed"
    say "kernel $kernel_spec: building it, or reusing the cached build"
    run_fg "kernel build" "$VCT_TOP/harness/sh/kbuild.sh" "$kernel_spec" "$arch" "$CACHE" > /dev/null 2>"$work/kbuild.log" ||
        { cat "$work/kbuild.log" >&2; die "kernel '$kernel_spec' could not be built"; }
    sed 's/^/# /' "$work/kbuild.log" >&2 ;;
esac
lock_take cache "$CACHE/.lock" "the package cache $CACHE"
say "kernel $kernel_spec"
run_fg "kernel fetch" "$VCT_TOP/harness/sh/kernel.sh" "$kernel_spec" "$arch" "$CACHE" > "$work/kdir" 2>"$work/kernel.log" ||
    { cat "$work/kernel.log" >&2; die "kernel '$kernel_spec' is not available"; }
kdir=$(cat "$work/kdir")
release=$(cat "$kdir/release")
# The profile's `requires`: kernel options the host needs (e.g. its IOMMU
# driver).  A kernel built without one makes the cell unsupported, not red.
for opt in $(prof requires); do
    [ -f "$kdir/config" ] || break
    grep -Eq "^$opt=(y|m)\$" "$kdir/config" ||
        report_unsupported "kernel $release is built without $opt (its config: $(grep -E "^(# )?${opt}[= ]" "$kdir/config" || echo absent))" \
            "$release" "$(cat "$kdir/origin")"
done

# A --modules module the guest kernel cannot load is refused here, named.
[ -z "$moddir" ] || "$VCT_TOP/harness/sh/modcheck.sh" "$kdir" "$arch" "$moddir" ||
    die "--modules: $moddir holds modules kernel $release cannot load"
busybox=$("$VCT_TOP/harness/sh/busybox.sh" "$arch" "$CACHE" 2>"$work/busybox.log") ||
    { cat "$work/busybox.log" >&2; die "no busybox for $arch"; }
lock_release cache

# per_kernel WORDS: a profile value that changed between kernel versions.
# WORDS are a plain default and MAJOR.MINOR:VALUE entries ("from that version
# on"); the answer is the entry of the highest version not above the guest
# kernel's, else the default.
per_kernel() {
    printf '%s\n' "$1" | tr ' ' '\n' | awk -v rel="$release" '
        function ver(s,  a) { split(s, a, "."); return a[1] * 1000 + a[2] }
        BEGIN { k = ver(rel) }
        /^$/ { next }
        !/:/ { if (best == "") v = $0; next }
        { split($0, e, ":"); x = ver(e[1]); if (x <= k && (best == "" || x > best)) { best = x; v = e[2] } }
        END { print v }'
}

# The guest's environment: what the profile says the platform is.
phase_enter initramfs
{
    printf "VCT_PROFILE='%s'\n" "$host"
    printf "VCT_BIND='%s'\n" "$bind_ids"
    printf "VCT_DEVICES='%s'\n" "$bind_ids"
    printf "VCT_EXPECT_RESV='%s'\n" "$(prof expect_resv)"
    printf "VCT_APERTURE_BITS='%s'\n" "$(per_kernel "$(prof aperture_bits)")"
    printf "VCT_PROG_TIMEOUT='%s'\n" "$timeout"
    printf "VCT_MODPARAMS='%s'\n" "$(prof modparams)"
    printf "VCT_NVME_SERIAL='%s'\n" "$(prof nvme_serial)"
    printf "VCT_EXPECT_RESV_DEV='%s'\n" "$(prof dt_resv)"
    printf "VCT_HOTPLUG='%s'\n" "$(prof hotplug)"
    printf "VCT_HOTPLUG_UNSUPPORTED='%s'\n" "$(prof hotplug_unsupported)"
    [ -z "$(prof irq_storm)" ] || printf "VCT_IRQ_STORM='%s'\nexport VCT_IRQ_STORM\n" "$(prof irq_storm)"
    # fault/fail_nth_*: only these backends (harness/failnth.h), one boot each
    case "${VCT_FAIL_NTH_VARIANTS:-}" in
        "") ;; *[!A-Za-z0-9_,]*) die "VCT_FAIL_NTH_VARIANTS: backend names and commas only" ;;
        *) printf "VCT_FAIL_NTH_VARIANTS='%s'\nexport VCT_FAIL_NTH_VARIANTS\n" "$VCT_FAIL_NTH_VARIANTS" ;;
    esac
    printf 'export VCT_PROFILE VCT_BIND VCT_DEVICES VCT_EXPECT_RESV VCT_APERTURE_BITS VCT_PROG_TIMEOUT VCT_NVME_SERIAL\n'
    [ -z "$destructive" ] || printf 'VCT_ALLOW_DESTRUCTIVE=1\nexport VCT_ALLOW_DESTRUCTIVE\n'
    # --icount: the guest's clock is virtual (harness/util.h vct_clock_virtual_why)
    [ -z "$icount" ] || printf 'VCT_GUEST_CLOCK=virtual\nexport VCT_GUEST_CLOCK\n'
    printf 'export VCT_EXPECT_RESV_DEV VCT_HOTPLUG VCT_HOTPLUG_UNSUPPORTED\n'
} > "$work/env"
perf_env >> "$work/env"
ab_env >> "$work/env"

perf_guest
# The guest channel's drivers come first: built in from 6.12 on, but modules
# in Debian's 6.1 (the guest then loads its modules before finding its ports).
# An archive of the same inputs is reused from build/ARCH/initramfs-cache (initramfs.sh -c).
lock_take build "$VCT_TOP/build/.lock" "the build in $VCT_TOP"
# shellcheck disable=SC2046 # program paths have no spaces (checked above)
"$VCT_TOP/harness/sh/initramfs.sh" -o "$work/initrd.gz" -a "$arch" -k "$kdir" \
    -b "$busybox" -e "$work/env" -c "$BUILD/initramfs-cache" ${moddir:+-M "$moddir"} ${proof_tree:+-T "$proof_tree"} -m "virtio_pci virtio_console $(prof modules) $perf_modules" -t "$(prof test_modules)" \
    -x "$(prof guest_tools) $perf_tools" \
    $(programs) 2>"$work/initramfs.log" ||
    { cat "$work/initramfs.log" >&2; die "initramfs could not be built"; }
lock_release build
[ -s "$work/initramfs.log" ] && sed 's/^/# /' "$work/initramfs.log" >&2
ab_initramfs "$work/initrd.gz"

# --prepare DIR: the guest's kernel, initramfs and profile QEMU arguments for
# an engine that boots it itself (LAVA: lava/), then stop.
if [ -n "$prepare" ]; then
    "$VCT_TOP/harness/sh/prepare.sh" "$prepare" "$kdir" "$work/initrd.gz" "$(prof qemu)" "$(prof console)" "$(prof append)" || exit 2
    exit 0
fi
# ---- the guest --------------------------------------------------------------------
case "$arch" in x86_64) qemu="qemu-system-x86_64" ;; arm64) qemu="qemu-system-aarch64" ;; esac
# VCT_QEMU: another QEMU binary (e.g. one unpacked from bookworm-backports, README).
# The profile's `qemu_suite`: that suite's QEMU, fetched into the cache (qemufetch.sh).
if [ -z "${VCT_QEMU:-}" ] && [ -n "$(prof qemu_suite)" ]; then
    say "QEMU of $(prof qemu_suite), log in $work/qemufetch.log"
    VCT_QEMU=$("$VCT_TOP/harness/sh/qemufetch.sh" "$(prof qemu_suite)" "$arch" "$CACHE" 2>"$work/qemufetch.log") ||
        { cat "$work/qemufetch.log" >&2; die "no QEMU of $(prof qemu_suite) for $arch"; }
fi
qemu=${VCT_QEMU:-$qemu}
qemu_version=$("$qemu" --version | head -n 1)
stream="$work/stream.log" kmsg="$work/kmsg.raw" console="$results/console.log"
: > "$stream"; : > "$kmsg"; : > "$console"
firmware=$(prof firmware)
set -- -accel "$accel" -nodefaults -no-reboot -display none -monitor none \
    -kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
    -append "console=$(prof console) $(prof append) rdinit=/init" \
    -serial "file:$console" \
    -device virtio-serial-pci,id=vct-serial \
    -chardev "file,id=vct-out,path=$stream" -device virtserialport,bus=vct-serial.0,chardev=vct-out,name=vfioct.out \
    -chardev "file,id=vct-kmsg,path=$kmsg" -device virtserialport,bus=vct-serial.0,chardev=vct-kmsg,name=vfioct.kmsg
if [ -n "$firmware" ] && [ -f "/usr/share/qemu/$firmware" ]; then
    set -- "$@" -bios "/usr/share/qemu/$firmware"
fi
# The profile's `images` (NAME:SIZE): sparse image files in the work dir,
# named @WORK@/NAME.img in its qemu arguments.
for im in $(prof images); do truncate -s "${im#*:}" "$work/${im%%:*}.img" || die "cannot create image $im"; done
# PCIe hotplug (profile key `hotplug`): a QMP monitor the runner owns and an
# answer port for the guest (harness/sh/qmp.sh; requests come through collect.sh).
# shellcheck source=harness/sh/qmp.sh
. "$VCT_TOP/harness/sh/qmp.sh"
qmp_qemu=""
[ -z "$(prof hotplug)" ] || qmp_prepare
# shellcheck disable=SC2046 # profile qemu arguments are whitespace-separated words
set -- "$@" $(prof qemu | sed "s|@WORK@|$work|g") $perf_qemu $qmp_qemu
[ -z "$icount" ] || set -- "$@" -icount shift=auto,sleep=off
# Devices the profile gives reservations of their own (`dt_resv`): the
# guest boots QEMU's device tree with them added (harness/sh/dtb.sh).
if [ -n "$(prof dt_resv)" ]; then
    dtb=$("$VCT_TOP/harness/sh/dtb.sh" "$work/dtb" "$(prof dt_resv)" "$qemu" "$@" 2>"$work/dtb.log") ||
        { cat "$work/dtb.log" >&2; die "the device tree with the profile's dt_resv could not be built"; }
    set -- "$@" -dtb "$dtb"
fi
printf '%s' "$qemu" > "$work/qemu.cmd"; printf ' %s' "$@" >> "$work/qemu.cmd"; echo >> "$work/qemu.cmd"

qpid=""
stop_guest() {
    if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
        kill "$qpid" 2>/dev/null || true
        sleep 1
        kill -9 "$qpid" 2>/dev/null || true
    fi
}
guest_phase=1   # a signal now stops the guest; the loop below writes the results

say "booting $host ($qemu, $(basename "$kdir"))"
phase_enter guest
"$qemu" "$@" > "$work/qemu.out" 2>&1 &
qpid=$!
[ -z "$qmp_qemu" ] || qmp_start

# ---- collecting (collect.sh, sourced above) -------------------------------------------
collect_init "$(programs)"
now=$(date +%s) last_change=$now last_sizes="" reason=""
while kill -0 "$qpid" 2>/dev/null; do
    sleep 0.5
    collect_new_records
    sizes="$(wc -c < "$stream") $(wc -c < "$kmsg") $(wc -c < "$console")"
    now=$(date +%s)
    if [ "$sizes" != "$last_sizes" ]; then last_sizes=$sizes; last_change=$now; fi
    if [ -n "$interrupted" ]; then reason=$interrupted; break; fi
    if [ $((now - last_change)) -ge "$idle" ]; then
        reason="guest printed nothing for ${idle}s (hung?)"; break
    fi
    if [ $((now - started)) -ge "$timeout" ]; then
        reason="run exceeded its ${timeout}s timeout"; break
    fi
done
stop_guest
wait "$qpid" 2>/dev/null || true
qpid=""
phase_enter results
qmp_stop
collect_new_records
[ -n "$reason" ] || [ "$guest_done" = 1 ] ||
    reason="guest stopped before finishing (panic, reset or power-off: see console.log)"
[ -n "$reason" ] && say "incomplete run: $reason"
collect_finish "$reason"

# ---- results ---------------------------------------------------------------------------
ended=$(date +%s)
results_write "$release" "$(cat "$kdir/origin")" "$qemu_version" "$started_iso" \
    "$((ended - started))" "$reason"
rm -rf "$work/initrd.gz" "$work"/*.img
say "results in $results"
phase_enter report
perf_finish "$release" "$qemu_version"
ab_finish "$release" "$qemu_version"
phases_finish
[ -z "$interrupted" ] || exit "$interrupt_status"
[ "$run_failed" = 0 ] && [ "$perf_failed" = 0 ]
