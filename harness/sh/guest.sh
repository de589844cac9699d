# shellcheck shell=sh
# guest.sh: the guest half of the runner, sourced by `run.sh --guest` as PID 1
# of the initramfs (or by `run.sh --local` on a real host, without the
# mounting and power-off).  It speaks to the host over two channels:
#
#   OUT   records, one per line:
#           @boot RELEASE                 the guest is up
#           @setup ok|fail WHAT [REASON]  module loading and device binding
#           @sysfs GROUP FILE LINE        a line of an IOMMU group's sysfs
#                                         file, as bound (kept in results)
#           @list PROG TEST               one line per test PROG will run
#           @begin PROG                   PROG starts
#           T PROG LINE                   a line PROG printed (stdout+stderr)
#           @end PROG RC                  PROG exited with RC
#           @time PROG SECONDS            PROG's run time, guest clock
#           @metric JSON                  a performance record PROG wrote
#                                         (harness/metrics.h, sh/metrics.sh)
#           @clock virtual                the guest's clock is virtual
#                                         (run.sh --icount): its SECONDS
#                                         are not the wall's
#           @phase NAME SECONDS           the guest enters phase NAME at
#                                         SECONDS of its clock (uptime):
#                                         init, modules, bind, list, each
#                                         program, teardown; end
#                                         (harness/sh/phases.awk)
#           @done                         every program ran
#   KMSG  the raw /dev/kmsg stream, with "vfio-ct: ..." markers written at
#         phase ("phase modules", "phase bind", "phase teardown"), program
#         and test boundaries (tests write their own, see test.h) and
#         teardown steps ("teardown restore BDF", ...), by which
#         harness/sh/splat.awk attributes each splat.

VCT_HOME=${VCT_HOME:-/vfio-ct}
# Local mode (VCT_LOCAL=1, started by local.sh): the programs live in
# VCT_PROGDIR (a build or install tree) and the run's files (env,
# programs.list, prog.pid) in VCT_RUNDIR (results/<run>/work); local.sh has
# loaded the modules and bound the devices and restores them.
# VCT_LOCAL=self (lava/vfio-ct.sh on a device LAVA booted): no mounting and
# no power-off either, but this half loads the modules, binds the profile's
# devices and restores them itself, as in the runner's own guests.
VCT_PROGDIR=${VCT_PROGDIR:-$VCT_HOME}
VCT_RUNDIR=${VCT_RUNDIR:-$VCT_HOME}
# shellcheck source=harness/sh/metrics.sh
. "$VCT_HOME/harness/sh/metrics.sh"
# shellcheck source=harness/sh/ab.sh
. "$VCT_HOME/harness/sh/ab.sh"
# shellcheck source=harness/sh/lawk.sh
. "$VCT_HOME/harness/sh/lawk.sh"

emit() { printf '%s\n' "$*" >&3; }
# (read, not cut: each process costs milliseconds in an emulated guest)
gphase() { read -r up _ < /proc/uptime; emit "@phase $1 $up"; }
kmark() { printf 'vfio-ct: %s\n' "$*" >> "${VCT_KMSG:-/dev/kmsg}" 2>/dev/null || true; }

# find_port NAME: the /dev node of the virtio-serial port called NAME.
find_port() {
    for p in /sys/class/virtio-ports/*; do
        [ -r "$p/name" ] || continue
        [ "$(cat "$p/name")" = "$1" ] && { printf '/dev/%s\n' "$(basename "$p")"; return 0; }
    done
    return 1
}

# list_tests REL: an `@list REL TEST` record per test program REL will run
# (with --ab: those the rounds measure, ab_listed).  One sed per program,
# not a shell read and printf per test: busybox's read takes a pipe a byte
# at a time, each a system call, dear in an emulated guest (708 tests).
list_tests() {
    if [ -n "${VCT_AB_ROUNDS:-}" ]; then
        "$VCT_PROGDIR/$1" --vct-list | ab_listed
    else
        "$VCT_PROGDIR/$1" --vct-list
    fi | sed "s|^|@list $1 |" >&3
}

guest_mounts() {
    mount -t proc proc /proc
    mount -t sysfs sysfs /sys
    mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
    mount -t tmpfs tmpfs /tmp
    mkdir -p /dev/hugepages /dev/shm
    mount -t tmpfs tmpfs /dev/shm
    mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null || true
}

# load_module KO [FILE]: insmod one module (FILE, default the initramfs's
# modules/KO) with the profile's `modparams` (MODULE.PARAM=VALUE words) for
# it; an @setup record says how it went.
load_module() {
    name=${1%.ko}
    params=""
    for mp in ${VCT_MODPARAMS:-}; do
        [ "$(printf '%s' "${mp%%.*}" | tr '-' '_')" = "$(printf '%s' "$name" | tr '-' '_')" ] &&
            params="$params ${mp#*.}"
    done
    # shellcheck disable=SC2086 # params: words, split on purpose
    if msg=$(insmod "${2:-$VCT_HOME/modules/$1}" $params 2>&1); then
        emit "@setup ok insmod $1$params"
    else
        emit "@setup fail insmod $1 $msg"
        return 1
    fi
}

load_modules() {
    kmark "phase modules"
    gphase modules
    while IFS= read -r ko; do
        [ -n "$ko" ] || continue
        name=${ko%.ko}
        if grep -q "^$(printf '%s' "$name" | tr '-' '_') " /proc/modules; then
            continue
        fi
        load_module "$ko" || true
    done < "$VCT_HOME/modules.list"
}

# Device binding (bind.sh, shared with the local host kind): the profile's
# `bind` IDs resolved to BDFs, journaled, bound; restore_bindings puts back
# what the journal recorded (the trap calls it on every exit path).
# shellcheck source=harness/sh/bind.sh
. "$VCT_HOME/harness/sh/bind.sh"
# each teardown step marked in the kernel log (splat.awk: "teardown STEP")
bind_step() { kmark "teardown $*"; }
bind_vfio() {
    kmark "phase bind"
    gphase bind
    # shellcheck disable=SC2086 # VCT_BIND: a word list of IDs
    bdfs=$(dev_resolve 0 $VCT_BIND) || { emit "@setup fail bind $VCT_BIND malformed"; return 0; }
    [ -n "$bdfs" ] || return 0
    # shellcheck disable=SC2086 # one BDF per line
    journal_begin $bdfs 2>/tmp/vct-journal.err ||
        { emit "@setup fail bind journal $(cat /tmp/vct-journal.err)"; return 0; }
    for bdf in $bdfs; do bind_vfio_pci "$bdf" 3>&3 || true; done
}

# report_groups: every IOMMU group's reserved regions and devices, so that a
# run's results show the platform it ran on (and fixtures can be captured).
report_groups() {
    for g in "$(vct_sys)"/kernel/iommu_groups/*; do
        [ -d "$g" ] || continue
        n=${g##*/}
        while IFS= read -r l; do emit "@sysfs $n reserved_regions $l"; done < "$g/reserved_regions"
        for d in "$g"/devices/*; do
            [ -e "$d" ] || continue
            drv=-
            if [ -e "$d/driver" ]; then drv=$(readlink "$d/driver"); drv=${drv##*/}; fi
            read -r v < "$d/vendor"; read -r dv < "$d/device"
            emit "@sysfs $n devices ${d##*/} $v $dv $drv"
        done
    done
}

restore_bindings() {
    prog_stop "$VCT_RUNDIR/prog.pid"
    journal_restore 2>&1 | while IFS= read -r l; do emit "@note $l"; done
}

# run_program REL: run one test program, tagging each line it prints.  The
# program's exit status travels in-band (the pipeline hides it otherwise).
run_program() {
    rel=$1
    gphase "$rel"
    emit "@begin $rel"
    kmark "program begin $rel"
    read -r t0 _ < /proc/uptime
    # The program runs in a session (and process group) of its own, named in
    # prog.pid, so that prog_stop can end it and every test it forked.
    # Its output goes through a pipe to the collecting awk, which ends at
    # the pipe's EOF: out_holders ends what still holds it once the program
    # and its process group are gone.
    { rc=0
      exec 5>&1; out_pipe=$(readlink /proc/self/fd/5); exec 5>&-
      if cd "$VCT_PROGDIR/${rel%/*}"; then
          setsid timeout -s KILL "${VCT_PROG_TIMEOUT:-900}" "./${rel##*/}" 2>&1 < /dev/null &
          echo $! > "$VCT_RUNDIR/prog.pid"
          wait $! || rc=$?
          prog_stop "$VCT_RUNDIR/prog.pid"
          out_holders "$out_pipe" "$rel"
      else
          rc=127
      fi
      printf '@rc %s\n' "$rc"
    } | lawk -v p="$rel" '
            /^@rc [0-9]+$/ { rc = $2; next }
            { print "T " p " " $0; fflush() }
            END { print "@end " p " " (rc == "" ? 255 : rc); fflush() }' >&3
    emit "@time $rel $(awk -v t0="$t0" '{ printf "%.2f", $1 - t0 }' /proc/uptime)"
    kmark "program end $rel"
}

# out_holders PIPE REL: after program REL and its process group are gone,
# end every process that still holds PIPE (its output, "pipe:[INODE]") open
# for writing, naming each in a diagnostic line on that output.  Such a
# process (one the program left in a session or process group of its own)
# would keep the collector waiting for the pipe's end, and the run silent
# until --idle ends it.  /proc/PID/fd links carry the open mode ("l-wx":
# written); this shell (the pipe's own writer) is not one.
out_holders() {
    [ -n "$1" ] || return 0
    read -r self _ < /proc/self/stat
    for _round in 1 2 3; do
        pids=$(ls -l /proc/[0-9]*/fd/ 2>/dev/null | awk -v pipe="$1" -v self="$self" '
            /^\/proc\/[0-9]+\/fd\/:$/ { p = $0; sub(/^\/proc\//, "", p); sub(/\/fd\/:$/, "", p); next }
            $1 ~ /^l.w/ && $NF == pipe && p != self && !(p in seen) { seen[p] = 1; print p }')
        [ -n "$pids" ] || return 0
        for p in $pids; do
            comm=$(cat "/proc/$p/comm" 2>/dev/null) || comm="?"
            kill -KILL "$p" 2>/dev/null || true
            echo "# vfio-ct: $2 exited, but left pid $p ($comm) holding its output: killed"
        done
        sleep 0.2
    done
}

# on_guest: this is the runner's own initramfs guest (PID 1).
on_guest() { [ "${VCT_LOCAL:-0}" = 0 ]; }
# binds_itself: this half loads the modules and binds (and restores) devices.
binds_itself() { [ "${VCT_LOCAL:-0}" != 1 ]; }

guest_main() {
    # shellcheck source=/dev/null
    . "$VCT_RUNDIR/env"
    if on_guest; then
        # The guest's own journal: the state directory of a local run inside
        # this guest (/run/vfio-ct) stays that run's alone.
        # shellcheck disable=SC2034 # read by bind.sh
        VCT_STATE=/tmp/vfio-ct-guest
        guest_mounts
        read -r t_init _ < /proc/uptime
        # Behind a paravirtual IOMMU that is a module (virtio-iommu with an
        # ACPI VIOT table or a DT iommu-map), the virtio-serial device's probe
        # is deferred until that module is loaded: load the modules first
        # (their records are kept and sent once the channel exists), then
        # give the deferred probe a few seconds to create the ports.
        if ! out=$(find_port vfioct.out); then
            load_modules 3> /tmp/vct-early-setup
            i=0
            until out=$(find_port vfioct.out) || [ $i -ge 50 ]; do sleep 0.2; i=$((i + 1)); done
        fi
        [ -n "$out" ] || { echo "vfio-ct: no vfioct.out port" > /dev/console; poweroff -f; }
        kmsg=$(find_port vfioct.kmsg) || kmsg=""
        # The runner's answers to hotplug requests (harness/sh/qmp.sh), if any.
        VCT_ANSWERS=$(find_port vfioct.in) || VCT_ANSWERS=""
        export VCT_ANSWERS
        exec 3> "$out"
        [ -n "$kmsg" ] && cat /dev/kmsg > "$kmsg" &
    fi
    export VCT_METRICS="$VCT_METRICS_FILE"
    if ! binds_itself; then
        # local.sh loaded the modules, bound the devices and restores them;
        # here a signal only ends the program that runs.
        trap 'prog_stop "$VCT_RUNDIR/prog.pid"; exit 143' TERM
        trap 'prog_stop "$VCT_RUNDIR/prog.pid"; exit 129' HUP
        trap 'prog_stop "$VCT_RUNDIR/prog.pid"; exit 130' INT
    else
        export LD_LIBRARY_PATH=/lib
        trap 'restore_bindings' EXIT
        trap 'restore_bindings; exit 130' INT TERM HUP
    fi
    emit "@boot $(uname -r)"
    [ "${VCT_GUEST_CLOCK:-}" != virtual ] || emit "@clock virtual"
    if on_guest; then emit "@phase init $t_init"; else gphase start; fi
    [ -f /tmp/vct-early-setup ] && on_guest && cat /tmp/vct-early-setup >&3
    if binds_itself; then
        load_modules
        bind_vfio
    fi
    gphase list
    report_groups
    while IFS= read -r rel; do list_tests "$rel"; done < "$VCT_RUNDIR/programs.list"
    if [ -n "${VCT_AB_ROUNDS:-}" ]; then
        # A/B inside one boot (harness/sh/ab.sh): the programs run in rounds
        # that alternate two builds of the VFIO modules.
        ab_guest
    else
        while IFS= read -r rel; do
            run_program "$rel"
            metrics_send
        done < "$VCT_RUNDIR/programs.list"
    fi
    kmark "phase teardown"
    gphase teardown
    ! binds_itself || restore_bindings
    gphase end
    emit "@done"
    if on_guest; then
        sync
        sleep 1   # let the kmsg pump drain the last markers
        poweroff -f
    fi
}
