# shellcheck shell=sh disable=SC2154,SC2034
# qmp.sh: the runner's hand on the running guest's QEMU monitor, sourced by
# run.sh (uses $work).  Tests ask for PCIe hotplug through it.
#
# QEMU's monitor speaks QMP on a pipe chardev the runner owns (FIFOs
# $work/qmp.in, QEMU reads; $work/qmp.out, QEMU writes, copied to
# $work/qmp.log), and the runner answers the guest on a third virtio-serial
# port, `vfioct.in` (FIFO $work/answers.in).  A test asks by printing
#
#   # @qmp ID device_add DRIVER,id=ID,bus=BUS[,PROP=VALUE...]
#   # @qmp ID device_del ID
#
# (a TAP comment, so it costs its TAP nothing); collect.sh hands the line to
# qmp_request, which runs the command through QMP's human-monitor-command
# (the -device syntax the profile speaks) and writes `@qmp ID ok` or
# `@qmp ID error TEXT` to vfioct.in.  Only device_add and device_del are
# accepted, with arguments of [A-Za-z0-9_.,=:-].  device_del only starts a
# removal: QEMU asks the guest to give the device up (q35: an ACPI eject
# request, acted on by acpiphp; arm64 virt: the slot's attention button,
# acted on by pciehp after 5 s) and frees it once the guest has; the test
# watches sysfs.

# qmp_prepare: the FIFOs, and the QEMU arguments in $qmp_qemu.
qmp_prepare() {
    rm -f "$work/qmp.in" "$work/qmp.out" "$work/answers.in" "$work/answers.out"
    mkfifo "$work/qmp.in" "$work/qmp.out" "$work/answers.in" "$work/answers.out"
    : > "$work/qmp.log"
    qmp_ready=0 qmp_reader=""
    qmp_qemu="-chardev pipe,id=vct-qmp,path=$work/qmp -mon chardev=vct-qmp,mode=control"
    qmp_qemu="$qmp_qemu -chardev pipe,id=vct-in,path=$work/answers"
    qmp_qemu="$qmp_qemu -device virtserialport,bus=vct-serial.0,chardev=vct-in,name=vfioct.in"
}

# qmp_start: copy QEMU's monitor output to qmp.log (QEMU is running).
qmp_start() {
    cat "$work/qmp.out" >> "$work/qmp.log" &
    qmp_reader=$!
}

qmp_stop() {
    [ -z "${qmp_reader:-}" ] || kill "$qmp_reader" 2>/dev/null || true
    qmp_reader=""
}

# qmp_send JSON MATCH: send one command; the reply is the first new line of
# qmp.log containing MATCH (10 s at most).  Prints it; 1 on timeout.
qmp_send() {
    qmp_before=$(wc -l < "$work/qmp.log")
    printf '%s\n' "$1" > "$work/qmp.in"
    qmp_i=0
    while [ $qmp_i -lt 100 ]; do
        qmp_r=$(sed -n "$((qmp_before + 1)),\$p" "$work/qmp.log" | grep -F -- "$2" | head -n 1)
        [ -n "$qmp_r" ] && { printf '%s\n' "$qmp_r"; return 0; }
        sleep 0.1; qmp_i=$((qmp_i + 1))
    done
    return 1
}

# qmp_answer ID TEXT: to the guest.
qmp_answer() {
    printf '@qmp %s %s\n' "$1" "$2" > "$work/answers.in"
    printf '%s %s\n' "$1" "$2" >> "$work/qmp.answers"
}

# qmp_request "ID COMMAND ARG": see the top of this file.
qmp_request() {
    # shellcheck disable=SC2086 # the request's words, split on purpose
    set -- $1
    [ $# -eq 3 ] || { say "qmp: malformed request '$*'"; return 0; }
    case "$1" in ''|*[!A-Za-z0-9_-]*) say "qmp: malformed request id '$1'"; return 0 ;; esac
    # No monitor (the profile has no `hotplug`), or QEMU gone: its FIFO has
    # no reader and opening it would block.
    [ -n "${qmp_qemu:-}" ] && [ -n "${qpid:-}" ] && kill -0 "$qpid" 2>/dev/null || return 0
    case "$2" in device_add|device_del) ;; *) qmp_answer "$1" "error command '$2' not allowed"; return 0 ;; esac
    case "$3" in ''|*[!A-Za-z0-9_.,=:-]*) qmp_answer "$1" "error malformed argument"; return 0 ;; esac
    if [ "$qmp_ready" != 1 ]; then
        qmp_send '{"execute":"qmp_capabilities","id":"vct-caps"}' '"vct-caps"' > /dev/null ||
            { qmp_answer "$1" "error QMP did not answer qmp_capabilities"; return 0; }
        qmp_ready=1
    fi
    say "qmp: $2 $3"
    qmp_r=$(qmp_send "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"$2 $3\"},\"id\":\"vct-$1\"}" "\"vct-$1\"") ||
        { qmp_answer "$1" "error no QMP answer within 10 s"; return 0; }
    # human-monitor-command returns the monitor's text: empty on success.
    case "$qmp_r" in
        *'"return": ""'*) qmp_answer "$1" ok ;;
        *) qmp_answer "$1" "error $(printf '%s' "$qmp_r" | tr -d '\n' | cut -c1-300)" ;;
    esac
}
