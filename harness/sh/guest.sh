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
#           @done                         every program ran
#   KMSG  the raw /dev/kmsg stream, with "vfio-ct: ..." markers written at
#         phase ("phase modules", "phase bind", "phase teardown"), program
#         and test boundaries (tests write their own, see test.h), by which
#         harness/sh/splat.awk attributes each splat.

VCT_HOME=${VCT_HOME:-/vfio-ct}
# shellcheck source=harness/sh/metrics.sh
. "$VCT_HOME/harness/sh/metrics.sh"

emit() { printf '%s\n' "$*" >&3; }
kmark() { printf 'vfio-ct: %s\n' "$*" > /dev/kmsg 2>/dev/null || true; }

# find_port NAME: the /dev node of the virtio-serial port called NAME.
find_port() {
    for p in /sys/class/virtio-ports/*; do
        [ -r "$p/name" ] || continue
        [ "$(cat "$p/name")" = "$1" ] && { printf '/dev/%s\n' "$(basename "$p")"; return 0; }
    done
    return 1
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

load_modules() {
    kmark "phase modules"
    while IFS= read -r ko; do
        [ -n "$ko" ] || continue
        name=${ko%.ko}
        if grep -q "^$(printf '%s' "$name" | tr '-' '_') " /proc/modules; then
            continue
        fi
        # Parameters from the profile's `modparams` (MODULE.PARAM=VALUE words).
        params=""
        for mp in ${VCT_MODPARAMS:-}; do
            [ "$(printf '%s' "${mp%%.*}" | tr '-' '_')" = "$(printf '%s' "$name" | tr '-' '_')" ] &&
                params="$params ${mp#*.}"
        done
        # shellcheck disable=SC2086 # params: words, split on purpose
        if msg=$(insmod "$VCT_HOME/modules/$ko" $params 2>&1); then
            emit "@setup ok insmod $ko$params"
        else
            emit "@setup fail insmod $ko $msg"
        fi
    done < "$VCT_HOME/modules.list"
}

# Device binding.  Original drivers are remembered in $VCT_RESTORE so that
# restore_bindings can put every device back (on a real host this matters;
# the trap calls it on every exit path).
VCT_RESTORE=""
bind_vfio() {
    kmark "phase bind"
    for id in $VCT_BIND; do
        vid=0x${id%%:*} did=0x${id#*:}
        for d in /sys/bus/pci/devices/*; do
            [ "$(cat "$d/vendor")" = "$vid" ] && [ "$(cat "$d/device")" = "$did" ] || continue
            bdf=$(basename "$d")
            old=""
            [ -e "$d/driver" ] && old=$(basename "$(readlink "$d/driver")")
            if [ "$old" = vfio-pci ]; then
                emit "@setup ok bind $bdf $id already vfio-pci"
                continue
            fi
            VCT_RESTORE="$VCT_RESTORE $bdf=${old:--}"
            echo vfio-pci > "$d/driver_override"
            [ -n "$old" ] && echo "$bdf" > "$d/driver/unbind"
            echo "$bdf" > /sys/bus/pci/drivers_probe 2>/dev/null || true
            now=""
            [ -e "$d/driver" ] && now=$(basename "$(readlink "$d/driver")")
            group=$(basename "$(readlink "$d/iommu_group" 2>/dev/null)" 2>/dev/null || echo none)
            if [ "$now" = vfio-pci ]; then
                emit "@setup ok bind $bdf $id group $group"
            else
                emit "@setup fail bind $bdf $id driver is '${now:-none}', not vfio-pci"
            fi
        done
    done
}

# report_groups: every IOMMU group's reserved regions and devices, so that a
# run's results show the platform it ran on (and fixtures can be captured).
report_groups() {
    for g in /sys/kernel/iommu_groups/*; do
        [ -d "$g" ] || continue
        n=$(basename "$g")
        while IFS= read -r l; do emit "@sysfs $n reserved_regions $l"; done < "$g/reserved_regions"
        for d in "$g"/devices/*; do
            [ -e "$d" ] || continue
            drv=-
            [ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
            emit "@sysfs $n devices $(basename "$d") $(cat "$d/vendor" "$d/device" | tr '\n' ' ')$drv"
        done
    done
}

restore_bindings() {
    for pair in $VCT_RESTORE; do
        bdf=${pair%%=*} old=${pair#*=}
        d=/sys/bus/pci/devices/$bdf
        [ -e "$d/driver" ] && echo "$bdf" > "$d/driver/unbind" 2>/dev/null
        printf '\n' > "$d/driver_override" 2>/dev/null
        [ "$old" != - ] && echo "$bdf" > /sys/bus/pci/drivers_probe 2>/dev/null
    done
    VCT_RESTORE=""
}

# run_program REL: run one test program, tagging each line it prints.  The
# program's exit status travels in-band (the pipeline hides it otherwise).
run_program() {
    rel=$1
    emit "@begin $rel"
    kmark "program begin $rel"
    t0=$(cut -d' ' -f1 /proc/uptime)
    { rc=0
      cd "$VCT_HOME/$(dirname "$rel")" &&
          timeout -s KILL "${VCT_PROG_TIMEOUT:-900}" "./$(basename "$rel")" 2>&1 < /dev/null ||
          rc=$?
      printf '@rc %s\n' "$rc"
    } | awk -v p="$rel" '
            /^@rc [0-9]+$/ { rc = $2; next }
            { print "T " p " " $0; fflush() }
            END { print "@end " p " " (rc == "" ? 255 : rc); fflush() }' >&3
    emit "@time $rel $(awk -v t0="$t0" '{ printf "%.2f", $1 - t0 }' /proc/uptime)"
    kmark "program end $rel"
}

guest_main() {
    # shellcheck source=/dev/null
    . "$VCT_HOME/env"
    if [ "${VCT_LOCAL:-0}" != 1 ]; then
        guest_mounts
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
        exec 3> "$out"
        [ -n "$kmsg" ] && cat /dev/kmsg > "$kmsg" &
    fi
    export LD_LIBRARY_PATH=/lib
    export VCT_METRICS="$VCT_METRICS_FILE"
    trap 'restore_bindings' EXIT
    trap 'restore_bindings; exit 130' INT TERM HUP
    emit "@boot $(uname -r)"
    [ -f /tmp/vct-early-setup ] && cat /tmp/vct-early-setup >&3
    load_modules
    bind_vfio
    report_groups
    while IFS= read -r rel; do
        "$VCT_HOME/$rel" --vct-list | while IFS= read -r t; do emit "@list $rel $t"; done
    done < "$VCT_HOME/programs.list"
    while IFS= read -r rel; do
        run_program "$rel"
        metrics_send
    done < "$VCT_HOME/programs.list"
    kmark "phase teardown"
    restore_bindings
    emit "@done"
    if [ "${VCT_LOCAL:-0}" != 1 ]; then
        sync
        sleep 1   # let the kmsg pump drain the last markers
        poweroff -f
    fi
}
