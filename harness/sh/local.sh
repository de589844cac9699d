# shellcheck shell=sh disable=SC2154,SC2034
# (sourced by run.sh: its variables are set there, and these set its state)
# local.sh: the `local` host kind: run the suites on the machine run.sh runs
# on, as root, with no QEMU.  Sourced by run.sh (`kind = local` in the
# profile); uses run.sh's options and helpers (say, die, usage_error,
# programs, prof) and collect.sh for everything it reports.
#
# Phases, each with its state in files under results/<run>/work:
#   select    --device / VCT_DEVICES / VFIO_SELFTESTS_BDF -> BDFs (bind.sh)
#   journal   a stale journal of this boot is restored first; another
#             boot's is refused (bind.sh journal_boot_ok)
#   plan      per device: IDs, name, driver, group, its members, reserved
#             regions; then the preflight refusals (preflight.sh)
#   bind      journal, modprobe what is missing, bind (bind.sh)
#   run       the guest half (guest.sh, VCT_LOCAL=1) runs the programs with
#             its records in work/stream.log; /dev/kmsg from a marker
#             written at the start goes to work/kmsg.raw; collect.sh reads
#             both exactly as it reads a QEMU guest's channels
#   restore   the journal, verified, on every exit path (bind.sh); after
#             the suites inside the kernel log the run judges: "phase
#             teardown", a mark per step ("teardown restore BDF", ...),
#             "phase end", so the teardown block (tap/zz-teardown.tap)
#             judges the splats of the restore as it judges a guest's

# local_options: local-only options, checked once the profile's kind is known.
local_options() {
    if [ "$kind" = local ]; then
        [ -z "$proof" ] || usage_error "--proof is for a QEMU host (the guest runs the local kind inside)"
        return 0
    fi
    [ -z "$devices$dry_run$restore_only$force" ] ||
        usage_error "--device, --dry-run, --restore and --force are for --host local (a QEMU host binds its profile's devices)"
}

# The selection: --device, else $VCT_DEVICES, else $VFIO_SELFTESTS_BDF.
local_selection() {
    if [ -n "$devices" ]; then printf '%s' "$devices"
    elif [ -n "${VCT_DEVICES:-}" ]; then printf '%s' "$VCT_DEVICES"
    else printf '%s' "${VFIO_SELFTESTS_BDF:-}"; fi
}

# local_plan BDF...: what the run is about to change, per device.
local_plan() {
    for b in "$@"; do
        id=$(pci_ids "$b")
        name=""
        if [ -z "${VCT_SYSFS:-}" ] && lspci -s "$b" > /dev/null 2>&1; then
            name=$(lspci -s "$b" | sed 's/^[^ ]* //')
        fi
        [ -n "$name" ] || name="PCI class $(cat "$(pci_dev "$b")/class" 2>/dev/null || echo unknown)"
        drv=$(pci_driver "$b") ov=$(pci_override "$b")
        say "device $b [$id] $name"
        say "  driver ${drv:-none}, driver_override ${ov:-none}, sriov_numvfs $(pci_numvfs "$b"): will be bound to vfio-pci"
        g=$(pci_group "$b")
        if [ -z "$g" ]; then
            say "  no IOMMU group (no IOMMU translates this device)"
            continue
        fi
        gd="$(vct_sys)/kernel/iommu_groups/$g"
        others=""
        for m in "$gd"/devices/*; do
            [ -e "$m" ] || continue
            m=$(basename "$m")
            [ "$m" = "$b" ] && continue
            md=$(pci_driver "$m")
            sel=""
            case " $(printf '%s' "$local_bdfs" | tr '\n' ' ') " in *" $m "*) sel=", selected" ;; esac
            others="$others, $m [$(pci_ids "$m")] driver ${md:-none}$sel"
        done
        say "  IOMMU group $g: ${others:+other members${others#,}}${others:-no other member}"
        if [ -s "$gd/reserved_regions" ]; then
            while IFS= read -r l; do say "  group $g reserved region: $l"; done < "$gd/reserved_regions"
        else
            say "  group $g reserved regions: none"
        fi
    done
}

# local_preflight [--force] BDF...: the refusals (harness/sh/preflight.sh),
# status 2 on any.  Without preflight.sh nothing is checked, and it says so.
local_preflight() {
    pf="$VCT_TOP/harness/sh/preflight.sh"
    if [ ! -f "$pf" ]; then
        say "preflight: $pf is not there: no refusals checked"
        return 0
    fi
    # shellcheck source=/dev/null
    . "$pf"
    st=0
    preflight_check "$@" || st=$?
    if [ "$st" = 0 ]; then say "preflight: no refusals"; else say "preflight: refused (nothing was changed)"; fi
    return "$st"
}

# local_journal_stale: restore the journal a run of this boot left behind.
local_journal_stale() {
    j=$(vct_journal)
    [ -e "$j" ] || return 0
    journal_boot_ok || exit 2
    jp=$(awk '$1 == "pid" { print $2 }' "$j")
    if [ -n "$jp" ] && [ "$jp" != $$ ] && kill -0 "$jp" 2>/dev/null; then
        bind_say "run $jp (still running) holds the journal $j: wait for it to finish, or stop it (kill $jp) and it restores"
        exit 2
    fi
    if [ "$dry_run" = 1 ]; then
        say "found the journal $j of an earlier run (pid ${jp:-?}) that did not finish: a real run restores it first"
        return 0
    fi
    say "found the journal $j of an earlier run (pid ${jp:-?}, started $(awk '$1 == "started" { print $2 }' "$j")) that did not finish: restoring it first"
    journal_restore || exit $?
}

# local_modules: load vfio-pci and vfio_iommu_type1 when they are missing,
# journaling every module that the load brought in (unloaded after restore).
local_modules() {
    chain="irqbypass vfio vfio_iommu_type1 vfio_pci_core vfio_pci"   # load order
    before=""
    for m in $chain; do [ -d "$(vct_sys)/module/$m" ] && before="$before $m "; done
    for want in vfio_pci vfio_iommu_type1; do
        [ -d "$(vct_sys)/module/$want" ] && continue
        if msg=$(${VCT_MODPROBE:-modprobe} "$want" 2>&1); then
            bind_record "@setup ok modprobe $want"
        else
            bind_record "@setup fail modprobe $want $msg"
        fi
    done
    for m in $chain; do
        case "$before" in *" $m "*) continue ;; esac
        [ -d "$(vct_sys)/module/$m" ] && journal_add "module $m"
    done
    return 0
}

# local_host_json: the machine, for run.json's "host".
local_host_json() {
    dmi="$(vct_sys)/class/dmi/id"
    ci="${VCT_PROC:-/proc}/cpuinfo"
    cpu=$(awk -F': *' '/^model name/ { print $2; exit }' "$ci" 2>/dev/null || true)
    # arm64 names no model: its implementer and part numbers (MIDR fields).
    [ -n "$cpu" ] || cpu=$(awk -F': *' '/^CPU implementer/ { i = $2 } /^CPU part/ { p = $2 }
        END { if (i != "") print "implementer " i " part " p }' "$ci" 2>/dev/null || true)
    printf '{"kind": "local", "hostname": %s, "sys_vendor": %s, "product_name": %s, "cpu": %s, "machine": %s, "kernel_release": %s, "iommus": [' \
        "$(json_str "$(uname -n)")" "$(json_str "$(cat "$dmi/sys_vendor" 2>/dev/null)")" \
        "$(json_str "$(cat "$dmi/product_name" 2>/dev/null)")" "$(json_str "$cpu")" \
        "$(json_str "$(uname -m)")" "$(json_str "$(uname -r)")"
    sep=""
    for i in "$(vct_sys)"/class/iommu/*; do
        [ -e "$i" ] || continue
        if [ -d "$i/intel-iommu" ]; then
            printf '%s{"name": %s, "kind": "intel-iommu", "version": %s, "cap": %s, "ecap": %s}' "$sep" \
                "$(json_str "$(basename "$i")")" "$(json_str "$(cat "$i/intel-iommu/version" 2>/dev/null)")" \
                "$(json_str "$(cat "$i/intel-iommu/cap" 2>/dev/null)")" "$(json_str "$(cat "$i/intel-iommu/ecap" 2>/dev/null)")"
        elif [ -d "$i/amd-iommu" ]; then
            printf '%s{"name": %s, "kind": "amd-iommu", "cap": %s, "features": %s}' "$sep" \
                "$(json_str "$(basename "$i")")" "$(json_str "$(cat "$i/amd-iommu/cap" 2>/dev/null)")" \
                "$(json_str "$(cat "$i/amd-iommu/features" 2>/dev/null)")"
        else
            # SMMUs are named smmu3.ADDR / smmu.ADDR; virtio-iommu by its
            # parent's driver (its own name is the transport's, e.g. a BDF).
            k=$(basename "$(readlink "$i/device/driver" 2>/dev/null)" 2>/dev/null || true)
            case "$(basename "$i")" in smmu3.*) k=arm-smmu-v3 ;; smmu.*) k=arm-smmu ;; esac
            [ "$k" = virtio_iommu ] && k=virtio-iommu
            printf '%s{"name": %s, "kind": %s}' "$sep" "$(json_str "$(basename "$i")")" "$(json_str "${k:-unknown}")"
        fi
        sep=", "
    done
    printf ']}'
}

# local_signal RC WHY: a signal.  Before the programs run: restore and exit
# RC now.  While they run: end the running program and the guest half; the
# collecting loop then writes the results and restores.  Afterwards: exit
# RC once the restore is done.
local_signal() {
    sig_rc=$1
    case "$phase" in
        setup) trap - EXIT; local_teardown; exit "$1" ;;
        run) interrupted=$2
             prog_stop "$work/prog.pid"
             [ -z "$gpid" ] || kill -TERM "$gpid" 2>/dev/null || true ;;
    esac
}

# local_kmark TEXT: "vfio-ct: TEXT" into the kernel log (a marker, as
# guest.sh's kmark writes one in a guest); nothing when it cannot be written.
local_kmark() { printf 'vfio-ct: %s\n' "$1" >> "${VCT_KMSG:-/dev/kmsg}" 2>/dev/null || true; }

# local_restore: the journal's restore after the suites, marked in the
# kernel log: "phase teardown", each step (bind_step below), "phase end";
# then waits (at most 5 s) until the kernel-log reader has passed "phase
# end", so that collect_finish's teardown block judges every line the
# kernel logged while the bindings were put back.  Sets restore_failed.
local_restore() {
    local_kmark "phase teardown"
    if [ -n "$journaled" ]; then
        st=0
        journal_restore || st=$?
        [ "$st" = 0 ] || restore_failed=1
        journaled=""
    fi
    local_kmark "phase end"
    i=0
    while [ -n "$kpid" ] && [ $i -lt 50 ] && ! grep -qF "vfio-ct: phase end" "$kmsg"; do
        sleep 0.1; i=$((i + 1))
    done
}

# local_teardown: end what runs, stop the kernel-log reader, restore.
# Sets restore_failed.  Safe to call twice.
local_teardown() {
    [ -z "${work:-}" ] || prog_stop "$work/prog.pid"
    if [ -n "$gpid" ]; then
        kill -TERM "$gpid" 2>/dev/null || true
        wait "$gpid" 2>/dev/null || true
        gpid=""
    fi
    if [ -n "$journaled" ]; then
        st=0
        journal_restore || st=$?
        [ "$st" = 0 ] || restore_failed=1
        journaled=""
    fi
    if [ -n "$kpid" ]; then kill "$kpid" 2>/dev/null || true; kpid=""; fi
}

# local_main: the whole local run; exits.
local_main() {
    # shellcheck source=harness/sh/bind.sh
    . "$VCT_TOP/harness/sh/bind.sh"
    # shellcheck source=harness/sh/lawk.sh
    . "$VCT_TOP/harness/sh/lawk.sh"
    # shellcheck source=harness/sh/collect.sh
    . "$VCT_TOP/harness/sh/collect.sh"
    # each restore step marked in the kernel log, as guest.sh marks a guest's
    bind_step() { local_kmark "teardown $*"; }
    phase=setup gpid="" kpid="" journaled="" restore_failed=0 sig_rc="" interrupted="" work=""
    if [ -z "${VCT_SYSFS:-}" ] && [ "$(id -u)" != 0 ]; then
        die "--host local changes device bindings: run it as root"
    fi
    trap 'local_teardown' EXIT
    trap 'local_signal 130 "interrupted by SIGINT"' INT
    trap 'local_signal 143 "terminated by SIGTERM"' TERM
    trap 'local_signal 129 "hung up (SIGHUP)"' HUP

    if [ "$restore_only" = 1 ]; then
        j=$(vct_journal)
        if [ ! -e "$j" ]; then say "no journal at $j: nothing to restore"; exit 0; fi
        journal_boot_ok || exit 2
        say "restoring from $j"
        journal_restore || exit $?
        exit 0
    fi

    # shellcheck disable=SC2046 # the selection: a word list
    local_bdfs=$(dev_resolve 1 $(local_selection)) || exit 2
    local_journal_stale
    if [ -z "$local_bdfs" ]; then
        say "no device selected (--device BDF|VENDOR:DEVICE, VCT_DEVICES or VFIO_SELFTESTS_BDF): nothing is bound, device-level tests SKIP"
    else
        # shellcheck disable=SC2086 # one BDF per line
        local_plan $local_bdfs
        # shellcheck disable=SC2086
        local_preflight ${force:+--force} $local_bdfs || exit 2
    fi
    if [ "$dry_run" = 1 ]; then say "dry run: nothing changed"; exit 0; fi

    # ---- results, build, programs ----
    run_id="$(date +%Y%m%d-%H%M%S)-$host"
    [ -n "$results" ] || results="$VCT_TOP/results/$run_id"
    mkdir -p "$results" || die "cannot create $results"
    results=$(cd "$results" && pwd)
    work="$results/work"
    rm -rf "$work" "$results/tap"
    mkdir -p "$work" "$results/tap"
    started=$(date +%s)
    started_iso=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    phase_enter build
    if [ "$build" = 1 ] && [ -f "$VCT_TOP/Makefile" ]; then
        say "building (make ARCH=$arch), log in $results/build.log"
        make -C "$VCT_TOP" ARCH="$arch" -j"$(nproc 2>/dev/null || echo 2)" all > "$results/build.log" 2>&1 ||
            { tail -n 30 "$results/build.log" >&2; die "build failed"; }
    fi
    [ -n "$(programs)" ] || die "no suite programs match '${suites:-all}' in $BUILD (build first, or check --suite)"
    programs | sed "s|^$BUILD/||" > "$work/programs.list"
    stream="$work/stream.log" kmsg="$work/kmsg.raw"
    : > "$stream"; : > "$kmsg"
    exec 3>> "$stream"

    # ---- journal, modules, binding ----
    phase_enter bind
    # shellcheck disable=SC2086 # one BDF per line
    journal_begin $local_bdfs || die "cannot write the journal $(vct_journal)"
    journaled=1
    cp "$(vct_journal)" "$work/journal"
    if [ -n "$local_bdfs" ]; then
        local_modules
        for b in $local_bdfs; do bind_vfio_pci "$b" || say "binding $b failed: its tests will not find it"; done
    fi
    {
        printf "VCT_PROFILE='%s'\n" "$host"
        printf "VCT_BIND=''\n"
        printf "VCT_DEVICES='%s'\n" "$(printf '%s' "$local_bdfs" | tr '\n' ' ')"
        printf "VCT_EXPECT_RESV='%s'\n" "$(prof expect_resv)"
        printf "VCT_APERTURE_BITS='%s'\n" "$(prof aperture_bits)"
        printf "VCT_PROG_TIMEOUT='%s'\n" "$timeout"
        printf "VCT_MODPARAMS=''\n"
        printf "VCT_NVME_SERIAL='%s'\n" "$(prof nvme_serial)"
        printf 'export VCT_PROFILE VCT_BIND VCT_DEVICES VCT_EXPECT_RESV VCT_APERTURE_BITS VCT_PROG_TIMEOUT VCT_NVME_SERIAL\n'
        # --destructive: tests may write device media (the NVMe engine's writes)
        [ -z "$destructive" ] || printf 'VCT_ALLOW_DESTRUCTIVE=1\nexport VCT_ALLOW_DESTRUCTIVE\n'
    } > "$work/env"
    perf_env >> "$work/env"

    # ---- the kernel log, from a marker written now ----
    kdev=${VCT_KMSG:-/dev/kmsg}
    mark="vfio-ct: local run $run_id begins"
    # (A regular file stands in for /dev/kmsg in the unit tests: follow it.)
    { if [ -c "$kdev" ]; then cat "$kdev" & else tail -n +1 -f "$kdev" & fi
      echo $! > "$work/kmsg.pid"; wait; } 2>/dev/null |
        lawk -v m="$mark" 'on { print; fflush() } !on && index($0, m) { on = 1 }' > "$kmsg" &
    printf '%s\n' "$mark" >> "$kdev" 2>/dev/null || say "cannot write to $kdev: splats cannot be attributed to tests"
    i=0
    while [ ! -s "$work/kmsg.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kpid=$(cat "$work/kmsg.pid" 2>/dev/null || true)

    # ---- run: the guest half, collected as from a guest ----
    collect_init "$(programs)"
    phase_enter guest
    phase=run
    say "running on $(uname -n) (Linux $(uname -r)), results in $results"
    VCT_LOCAL=1 VCT_HOME="$VCT_TOP" VCT_PROGDIR="$BUILD" VCT_RUNDIR="$work" \
        VCT_METRICS_FILE="$work/metrics.prog" VCT_KMSG="$kdev" \
        sh "$VCT_TOP/run.sh" --guest 3>> "$stream" > "$work/guest.log" 2>&1 < /dev/null &
    gpid=$!
    reason=""
    while kill -0 "$gpid" 2>/dev/null; do
        sleep 0.5
        # After a signal the program's end (killed) is not its own result:
        # collate.awk gives the unfinished tests the signal as the reason.
        [ -z "$interrupted" ] || break
        collect_new_records
        if [ $(($(date +%s) - started)) -ge "$timeout" ]; then
            reason="run exceeded its ${timeout}s timeout"; break
        fi
    done
    phase=teardown
    phase_enter teardown
    prog_stop "$work/prog.pid"
    kill -TERM "$gpid" 2>/dev/null || true
    wait "$gpid" 2>/dev/null || true
    gpid=""
    if [ -n "$interrupted" ]; then reason=$interrupted; else collect_new_records; fi
    [ -n "$reason" ] || [ "$guest_done" = 1 ] || reason="the guest half stopped before finishing (see $work/guest.log)"
    [ -n "$reason" ] && say "incomplete run: $reason"
    local_restore
    collect_finish "$reason"
    local_teardown
    [ "$restore_failed" = 0 ] || say "RESTORE FAILED: see the lines above; the journal is kept"

    phase_enter results
    ended=$(date +%s)
    run_host_json=$(local_host_json)
    results_write "$(uname -r)" "local" "" "$started_iso" "$((ended - started))" "$reason"
    say "results in $results"
    phase_enter report
    perf_finish "$(uname -r)" ""
    phases_finish
    trap - EXIT
    [ -z "$sig_rc" ] || exit "$sig_rc"
    [ "$restore_failed" = 0 ] || exit 1
    [ "$run_failed" = 0 ] && [ "$perf_failed" = 0 ] && exit 0
    exit 1
}
