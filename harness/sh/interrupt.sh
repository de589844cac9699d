# shellcheck shell=sh disable=SC2154,SC2034
# (sourced by run.sh: $results $work $VCT_TOP $started $started_iso are its)
# interrupt.sh: Ctrl-C (SIGINT), SIGTERM and SIGHUP in run.sh.
#
# Whatever phase a signal arrives in, run.sh ends promptly with status
# 128+N (130 SIGINT, 143 SIGTERM, 129 SIGHUP), leaves no QEMU and no child
# job running and no lock held, and writes the results gathered so far with
# run.json's "complete": false and "incomplete_reason" naming the signal
# (and the phase, before the guest): every test that did not run is
# "not ok" with that reason, in the TAP on stdout and in results/.
#
#   interrupt_init          install the traps (before the first long step)
#   run_fg PHASE CMD...     run a long host step (build, kernel fetch) as a
#                           job of its own that a signal stops at once;
#                           returns CMD's status
#   guest_phase=1           set by run.sh once QEMU starts: from then on a
#                           signal only stops the guest (stop_guest, $qpid)
#                           and the collection loop writes the results
#   interrupt_status        0, or the status run.sh must exit with

interrupted="" interrupt_status=0 fg_pid="" fg_phase="" guest_phase=0

# on_signal NAME STATUS: the trap.
on_signal() {
    [ -n "$interrupted" ] && return 0          # a second signal: already ending
    interrupted="interrupted by SIG$1" interrupt_status=$2
    if [ -n "$fg_pid" ]; then
        # the job's whole process group (make and its compilers, kernel.sh
        # and its apt-get): run_fg reaps it and writes the results
        kill -s TERM -- "-$fg_pid" 2>/dev/null || kill -s TERM "$fg_pid" 2>/dev/null || true
    elif [ "$guest_phase" = 1 ]; then
        if command -v stop_guest > /dev/null 2>&1; then stop_guest; fi
    else
        interrupt_exit
    fi
}

interrupt_init() {
    # run.sh's own standard output and error, for interrupt_exit: the
    # signal may arrive inside a redirected step (run_fg ... > FILE)
    exec 7>&1 8>&2
    trap 'on_signal INT 130' INT
    trap 'on_signal TERM 143' TERM
    trap 'on_signal HUP 129' HUP
    trap 'on_exit' EXIT
}

# on_exit: whatever the exit path, no guest and no job outlive run.sh, no
# lock stays held, and after a signal the results are written and the
# status is the signal's (also when `set -e` ended run.sh because a
# foreground command died of the same Ctrl-C).
on_exit() {
    rc=$?
    set +e
    if command -v stop_guest > /dev/null 2>&1; then stop_guest; fi
    [ -z "$fg_pid" ] || kill -s TERM -- "-$fg_pid" 2>/dev/null
    if [ -n "$interrupted" ]; then
        [ "${results_written:-0}" = 1 ] || interrupt_results
        rc=$interrupt_status
    fi
    if command -v lock_release_all > /dev/null 2>&1; then lock_release_all; fi
    exit "$rc"
}

run_fg() {
    fg_phase=$1; shift
    # setsid: a process group of its own, so that a signal stops the job
    # and everything it started (not only its first process)
    setsid "$@" &
    fg_pid=$!
    rc=0
    wait "$fg_pid" || rc=$?
    if [ -n "$interrupted" ]; then
        wait "$fg_pid" 2>/dev/null || true
        fg_pid=""
        interrupt_exit
    fi
    fg_pid="" fg_phase=""
    return "$rc"
}

# interrupt_results: the results so far, after a signal.  In the guest
# phase: what the guest reported, the rest "not ok" with the reason (as a
# hung guest's).  Before it: every selected program "not ok", not run.
interrupt_results() {
    trap '' INT TERM HUP
    exec 1>&7 2>&8
    why="$interrupted${fg_phase:+ during the $fg_phase}"
    printf '# %s: writing the results so far\n' "$why" >&2
    [ -n "${work:-}" ] && [ -d "$work" ] || return 0
    if [ "$guest_phase" = 1 ]; then
        qpid=""
        collect_new_records
        collect_finish "$why"
        results_write "$release" "$(cat "$kdir/origin")" "${qemu_version:-}" "$started_iso" \
            "$(($(date +%s) - started))" "$why"
        return 0
    fi
    # shellcheck source=harness/sh/collect.sh
    command -v collect_init > /dev/null 2>&1 || . "$VCT_TOP/harness/sh/collect.sh"
    stream="$work/stream.log" kmsg="$work/kmsg.raw"
    [ -f "$stream" ] || : > "$stream"
    [ -f "$kmsg" ] || : > "$kmsg"
    mkdir -p "$results/tap"
    progs=""
    if command -v programs > /dev/null 2>&1 && [ -d "${BUILD:-/nonexistent}" ]; then progs=$(programs); fi
    collect_init "$progs"
    collect_finish "$why"
    results_write "${release:-}" "" "" "$started_iso" "$(($(date +%s) - started))" "$why"
}

# interrupt_exit: the results so far, and exit with the signal's status.
interrupt_exit() {
    interrupt_results
    exit "$interrupt_status"
}
