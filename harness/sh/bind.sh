# shellcheck shell=sh
# bind.sh: device selection, binding to vfio-pci and restoring the host's
# state: the one implementation the guest half (guest.sh) and the local host
# kind (local.sh) share.  Sourced; POSIX sh (dash, busybox ash).
#
# Roots: $VCT_SYSFS (default /sys) and $VCT_PROC (default /proc), so that the
# unit tests run all of it against a fake tree.  Every sysfs write goes
# through sysfs_write; $VCT_FAKE_KERNEL (tests only) names a program run
# after each write with FILE VALUE, which plays the kernel's part (a real
# sysfs write has its effect before write() returns: the hook keeps that).
#
# The journal, $VCT_STATE/journal (default /run/vfio-ct/journal; /run is a
# tmpfs, so a journal cannot outlive its boot unless VCT_STATE points
# elsewhere), is written before the first change and removed only when every
# restore step was verified.  One record per line:
#
#   vfio-ct-journal 1
#   boot_id UUID                  /proc/sys/kernel/random/boot_id at writing
#   pid PID                       the run that wrote it
#   started ISO-8601-UTC
#   device BDF DRIVER OVERRIDE NUMVFS   as found; "-" for none / absent
#   hugepages SIZE N              /sys/kernel/mm/hugepages/SIZE/nr_hugepages
#   module NAME                   a module this run loaded (appended after
#                                 loading it, in load order; unloaded in
#                                 reverse order after the restore)
#
# Records are prefixed to fd 3 (the record channel, see guest.sh) as
# "@setup ok|fail bind BDF ..."; diagnostics go to stderr as "run.sh: ...".

vct_sys() { printf '%s' "${VCT_SYSFS:-/sys}"; }
vct_journal() { printf '%s/journal' "${VCT_STATE:-/run/vfio-ct}"; }
bind_say() { printf 'run.sh: %s\n' "$*" >&2; }
# bind_step STEP: journal_restore is about to do STEP ("restore BDF",
# "hugepages SIZE", "unload MODULE").  Nothing here; guest.sh marks it in the
# kernel log, so that a splat during the teardown names its step.
bind_step() { :; }
bind_record() { printf '%s\n' "$*" >&3; }

# sysfs_write FILE VALUE: write VALUE and a newline to FILE.  Returns the
# write's status (the kernel's answer: e.g. drivers_probe fails when no
# driver takes the device).
sysfs_write() {
    st=0
    printf '%s\n' "$2" 2>/dev/null > "$1" || st=$?
    if [ -n "${VCT_FAKE_KERNEL:-}" ]; then "$VCT_FAKE_KERNEL" "$1" "$2" || st=$?; fi
    return "$st"
}

# pci_dev BDF: the device's sysfs directory.
pci_dev() { printf '%s/bus/pci/devices/%s' "$(vct_sys)" "$1"; }
# pci_driver BDF: the bound driver's name, empty when unbound.
pci_driver() {
    if [ -e "$(pci_dev "$1")/driver" ]; then basename "$(readlink "$(pci_dev "$1")/driver")"; fi
}
# pci_override BDF: driver_override, empty when unset ("(null)").
pci_override() {
    o=$(cat "$(pci_dev "$1")/driver_override" 2>/dev/null || true)
    [ "$o" = "(null)" ] && o=""
    printf '%s' "$o"
}
pci_numvfs() { cat "$(pci_dev "$1")/sriov_numvfs" 2>/dev/null || printf -- -; }
pci_ids() { printf '%s:%s' "$(sed 's/^0x//' "$(pci_dev "$1")/vendor")" "$(sed 's/^0x//' "$(pci_dev "$1")/device")"; }
pci_group() { basename "$(readlink "$(pci_dev "$1")/iommu_group" 2>/dev/null)" 2>/dev/null || true; }

# dev_canon SPEC: a canonical BDF (dddd:bb:dd.f) or ID (vvvv:dddd), lower
# case, or nothing (status 1) when SPEC is neither.
dev_canon() {
    s=$(printf '%s' "$1" | tr 'A-F' 'a-f')
    h='[0-9a-f]'
    # shellcheck disable=SC2254 # patterns built from $h on purpose
    case "$s" in
        $h$h$h$h:$h$h:[01]$h.[0-7]) printf '%s' "$s" ;;
        $h$h:[01]$h.[0-7]) printf '0000:%s' "$s" ;;
        $h$h$h$h:$h$h$h$h) printf '%s' "$s" ;;
        *) return 1 ;;
    esac
}

# dev_resolve STRICT SPEC...: the BDFs SPECs (BDFs or vendor:device IDs)
# name, one per line, each once, in order.  STRICT=1 (a user's selection):
# a malformed SPEC, a BDF that does not exist or an ID no device has is an
# error naming it (status 2, nothing printed).  STRICT=0 (a profile's bind
# list): IDs that match nothing are left out.
dev_resolve() {
    strict=$1; shift
    out=""
    for spec in "$@"; do
        c=$(dev_canon "$spec") || {
            bind_say "device '$spec' is neither a BDF (like 0000:00:03.0) nor VENDOR:DEVICE (like 1234:11e8)"
            return 2; }
        case "$c" in
            *.*) if [ ! -e "$(pci_dev "$c")" ]; then
                     bind_say "device $spec: no such PCI device (no $(pci_dev "$c"))"
                     return 2
                 fi
                 found=$c ;;
            *) found=""
               # (shell builtins only, as pci_ids reads them: in an emulated
               # guest each process costs milliseconds, and q35 has a dozen)
               for d in "$(vct_sys)"/bus/pci/devices/*; do
                   [ -e "$d/vendor" ] || continue
                   read -r v < "$d/vendor"; read -r dv < "$d/device"
                   [ "${v#0x}:${dv#0x}" = "$c" ] && found="$found ${d##*/}"
               done
               if [ -z "$found" ] && [ "$strict" = 1 ]; then
                   bind_say "device $spec: no PCI device has vendor:device $c"
                   return 2
               fi ;;
        esac
        for b in $found; do
            case " $out " in *" $b "*) ;; *) out="$out $b" ;; esac
        done
    done
    for b in $out; do printf '%s\n' "$b"; done
}

# journal_begin BDF...: write the journal (refusing when one exists): the
# devices' drivers, overrides and VF counts, every hugepage pool's size, the
# boot.  Status 2 when a journal exists, 1 when it cannot be written.
journal_begin() {
    j=$(vct_journal)
    if [ -e "$j" ]; then bind_say "a journal exists already: $j"; return 2; fi
    mkdir -p "$(dirname "$j")" || return 1
    {
        echo "vfio-ct-journal 1"
        echo "boot_id $(cat "${VCT_PROC:-/proc}/sys/kernel/random/boot_id")"
        echo "pid $$"
        echo "started $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        for b in "$@"; do
            o=$(pci_override "$b") drv=$(pci_driver "$b")
            echo "device $b ${drv:--} ${o:--} $(pci_numvfs "$b")"
        done
        for h in "$(vct_sys)"/kernel/mm/hugepages/hugepages-*; do
            [ -r "$h/nr_hugepages" ] || continue
            echo "hugepages $(basename "$h") $(cat "$h/nr_hugepages")"
        done
    } > "$j.tmp" && mv "$j.tmp" "$j"
}

# journal_add LINE: one more record (e.g. "module vfio_pci").
journal_add() { printf '%s\n' "$*" >> "$(vct_journal)"; }

# bind_vfio_pci BDF: bind one device to vfio-pci the way the kernel's own
# selftests do: driver_override (never new_id: it would take every device of
# that ID), unbind from the current driver, drivers_probe; verified by
# /sys/bus/pci/drivers/vfio-pci/BDF.  driver_override stays set until the
# restore, so that no reprobe hands the device back meanwhile.  Records the
# result on fd 3; status 1 when the device is not on vfio-pci afterwards.
bind_vfio_pci() {
    b=$1 d=$(pci_dev "$1")
    id=$(pci_ids "$b") group=$(pci_group "$b")
    old=$(pci_driver "$b")
    if [ "$old" = vfio-pci ]; then
        bind_record "@setup ok bind $b $id already vfio-pci (group ${group:-none})"
        return 0
    fi
    sysfs_write "$d/driver_override" vfio-pci ||
        { bind_record "@setup fail bind $b $id cannot write driver_override"; return 1; }
    if [ -n "$old" ]; then
        sysfs_write "$d/driver/unbind" "$b" ||
            { bind_record "@setup fail bind $b $id cannot unbind from $old"; return 1; }
    fi
    sysfs_write "$(vct_sys)/bus/pci/drivers_probe" "$b" || true
    now=$(pci_driver "$b")
    if [ "$now" = vfio-pci ] && [ -e "$(vct_sys)/bus/pci/drivers/vfio-pci/$b" ]; then
        bind_record "@setup ok bind $b $id group ${group:-none} (was ${old:-unbound})"
    else
        bind_record "@setup fail bind $b $id driver is '${now:-none}', not vfio-pci"
        return 1
    fi
}

# restore_device BDF DRIVER OVERRIDE NUMVFS: put one device back as the
# journal found it ("-": none), in the order the kernel needs: off its
# current driver (vfio-pci), the override as it was, a reprobe of the
# original driver (bind to it directly if the probe picks another), then the
# VF count.  Verified; status 1 and a line naming what differs otherwise.
restore_device() {
    b=$1 drv=${2#-} ov=${3#-} vfs=$4 d=$(pci_dev "$1")
    [ -e "$d" ] || { bind_say "restore $b: the device is gone"; return 1; }
    cur=$(pci_driver "$b")
    if [ "$cur" != "$drv" ] && [ -n "$cur" ]; then
        sysfs_write "$d/driver/unbind" "$b" || true
    fi
    if [ "$(pci_override "$b")" != "$ov" ]; then
        sysfs_write "$d/driver_override" "$ov" || true
    fi
    if [ -n "$drv" ] && [ "$(pci_driver "$b")" != "$drv" ]; then
        sysfs_write "$(vct_sys)/bus/pci/drivers_probe" "$b" || true
        if [ "$(pci_driver "$b")" != "$drv" ]; then
            [ -z "$(pci_driver "$b")" ] || sysfs_write "$d/driver/unbind" "$b" || true
            sysfs_write "$(vct_sys)/bus/pci/drivers/$drv/bind" "$b" || true
        fi
    fi
    if [ "$vfs" != - ] && [ "$(pci_numvfs "$b")" != "$vfs" ]; then
        sysfs_write "$d/sriov_numvfs" 0 || true
        [ "$vfs" = 0 ] || sysfs_write "$d/sriov_numvfs" "$vfs" || true
    fi
    now=$(pci_driver "$b") nov=$(pci_override "$b") nvfs=$(pci_numvfs "$b")
    if [ "$now" = "$drv" ] && [ "$nov" = "$ov" ] && { [ "$vfs" = - ] || [ "$nvfs" = "$vfs" ]; }; then
        bind_say "restored $b: driver ${drv:-none}, driver_override ${ov:-none}$([ "$vfs" = - ] || printf ', sriov_numvfs %s' "$vfs")"
        return 0
    fi
    bind_say "restore $b FAILED: driver '${now:-none}' (want '${drv:-none}'), driver_override '${nov:-none}' (want '${ov:-none}'), sriov_numvfs $nvfs (want $vfs)"
    return 1
}

# journal_boot_ok: is the journal of this boot?  Status 2 (and a line that
# says how to discard it) when it is of another.
journal_boot_ok() {
    j=$(vct_journal)
    jb=$(awk '$1 == "boot_id" { print $2 }' "$j")
    nb=$(cat "${VCT_PROC:-/proc}/sys/kernel/random/boot_id")
    [ "$jb" = "$nb" ] && return 0
    bind_say "journal $j is from another boot (boot_id ${jb:-missing}, this boot is $nb): the bindings it records did not survive that boot and nothing was changed; check the devices it lists, then discard it with: rm $j"
    return 2
}

# journal_restore: restore everything the journal records, verified, then
# unload the modules the run loaded and remove the journal.  No journal:
# nothing to do.  Status 2 for another boot's journal (nothing changed),
# 1 when a step could not be verified (the journal is kept: fix, then
# `run.sh --host local --restore`).  The caller has ended every program that
# held a VFIO file (unbinding from vfio-pci waits for them to close).
journal_restore() {
    j=$(vct_journal)
    [ -e "$j" ] || return 0
    journal_boot_ok || return 2
    bad=0
    while read -r kind a b c e; do
        [ "$kind" = device ] || continue
        bind_step "restore $a"
        restore_device "$a" "$b" "$c" "$e" || bad=1
    done < "$j"
    while read -r kind a b; do
        [ "$kind" = hugepages ] || continue
        f="$(vct_sys)/kernel/mm/hugepages/$a/nr_hugepages"
        [ "$(cat "$f")" = "$b" ] && continue
        bind_step "hugepages $a"
        sysfs_write "$f" "$b" || true
        if [ "$(cat "$f")" = "$b" ]; then
            bind_say "restored $a nr_hugepages $b"
        else
            bind_say "restore $a FAILED: nr_hugepages $(cat "$f"), want $b"; bad=1
        fi
    done < "$j"
    if [ "$bad" = 0 ]; then
        for m in $(awk '$1 == "module" { l = $2 " " l } END { print l }' "$j"); do
            bind_step "unload $m"
            if ${VCT_RMMOD:-rmmod} "$m" 2>/dev/null; then bind_say "unloaded $m (this run loaded it)"
            else bind_say "could not unload $m (in use?): left loaded"; fi
        done
        rm -f "$j"
        return 0
    fi
    bind_say "journal kept: $j (restore again with: ./run.sh --host local --restore)"
    return 1
}

# prog_stop PIDFILE: end the test program PIDFILE names and everything it
# forked (it runs in a session and process group of its own, see guest.sh
# run_program), and wait until they are gone, so that no VFIO file is open
# when the devices are unbound (unbinding from vfio-pci blocks until then).
prog_stop() {
    [ -s "$1" ] || return 0
    p=$(cat "$1")
    kill -KILL "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
    i=0
    while { kill -0 "-$p" 2>/dev/null || kill -0 "$p" 2>/dev/null; } && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
    rm -f "$1"
}
