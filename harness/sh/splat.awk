# splat.awk: the one kernel-splat detector.  Every place that judges a
# kernel log (boot, module loading, binding, each test, a dead guest's
# console) runs this file; the patterns live here and nowhere else.
#
#   awk [-v context=N] -f splat.awk LOG...
#
# LOG is the raw /dev/kmsg stream ("PRI,SEQ,USEC,FLAGS[,CALLER];TEXT"
# records; a line that begins with a space right after a record is one of
# its dictionary entries, " SUBSYSTEM=pci"), or plain text such as
# console.log or dmesg.log ("[    1.234567] TEXT", or TEXT alone).  A record
# holding several lines carries them as "\x0a" escapes: each is judged on
# its own.  A record whose flags hold "+" continues the previous line
# (kernels before 4.9) and never starts a splat.
#
# Output, one line per kernel line that belongs to a splat, tab-separated:
#
#   KIND <tab> WHERE <tab> TEST <tab> TEXT
#
#   KIND   the kind of splat this line starts (see splat_kind below), or
#          "+" for a line of context following it (up to `context` lines,
#          default 23; a phase, program, test or teardown-step marker ends
#          the context).  The "[ cut here ]" line that opens a WARN or BUG takes the kind of
#          the first line within the next four that has one, else
#          "cut_here".
#   WHERE  where the guest was, from the runner's markers in the log:
#          "boot" (before any marker), "modules" (after "vfio-ct: phase
#          modules"), "bind", "teardown" (likewise), a program's path
#          between "vfio-ct: program begin PATH" and "... program end PATH",
#          or "between" after a program's end marker.
#   TEST   the test named by the last "vfio-ct: begin NAME" marker inside
#          the current program, else "-"; for "between", the program that
#          ended last (its path); for "teardown", the teardown step named by
#          the last "vfio-ct: teardown STEP" marker (guest.sh: "restore
#          BDF", "hugepages SIZE", "unload MODULE"), else "-".
#   TEXT   the kernel's line, header and timestamp removed.
#
# Nothing is printed for a log without splats.  Plain POSIX awk: mawk,
# gawk and busybox awk (no regex intervals, no gawk extensions), in any
# locale: a line's text is cut with index() and substr(), and no pattern
# relies on "." or "[^...]" reaching past the kernel's text, since gawk in
# a UTF-8 locale stops them at a byte that is not UTF-8 (a console line
# with such a byte once made "h = r; sub(/;.*/, "", h)" keep the text, and
# its "+" read as a continuation flag: fixtures/splat/not-utf8.kmsg).

# splat_kind(t): the kind of splat kernel line t opens, or "".  The most
# specific pattern comes first; every pattern is anchored at the start of
# the line, where the kernel's reporting code puts it, so that an ordinary
# message mentioning "BUG" or "warning" is never a splat.
function splat_kind(t,    k) {
    # lockdep (kernel/locking/lockdep.c: print_circular_bug_header etc.)
    if (t ~ /^(WARNING|INFO): (possible (circular|recursive) locking|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|bad unlock balance|held lock freed|lock held when returning to user space|Nested lock was not taken|lock held at task exit|possible deadlock)/) return "lockdep"
    # KASAN / KFENCE (mm/kasan/report.c, mm/kfence/report.c)
    if (t ~ /^BUG: KASAN: /) return "kasan"
    if (t ~ /^BUG: KFENCE: /) return "kfence"
    # __might_sleep (kernel/sched/core.c); schedule_debug's "scheduling
    # while atomic" is a plain "bug"
    if (t ~ /^BUG: sleeping function called from invalid context/) return "sleep_in_atomic"
    # watchdogs (kernel/watchdog.c, kernel/watchdog_perf.c, kernel/hung_task.c,
    # kernel/rcu/tree_stall.h)
    if (t ~ /^((NMI )?watchdog: )?BUG: soft lockup/) return "soft_lockup"
    if (t ~ /^((NMI )?watchdog: )?Watchdog detected hard LOCKUP/) return "hard_lockup"
    if (t ~ /^INFO: task / && t ~ / blocked for more than [0-9]+ seconds/) return "hung_task"
    if (t ~ /^(rcu: )?INFO: rcu_[a-z_]+ (self-)?detected stalls?/) return "rcu_stall"
    # UBSAN (lib/ubsan.c ubsan_prologue), refcount_t (lib/refcount.c),
    # list debugging (lib/list_debug.c)
    if (t ~ /^UBSAN: /) return "ubsan"
    if (t ~ /^refcount_t: /) return "refcount"
    if (t ~ /^list_(add|del) corruption/ || t ~ /^list_add double add/) return "list_corruption"
    # x86 and arm64 faults (arch/x86/mm/fault.c, arch/x86/kernel/traps.c
    # "general protection fault", arch/arm64/mm/fault.c die_kernel_fault,
    # arch/arm64/kernel/traps.c die)
    if (t ~ /^(Oops: )?general protection fault/) return "gpf"
    if (t ~ /^Unable to handle kernel /) return "unable_to_handle"
    if (t ~ /^Internal error: /) return "internal_error"
    if (t ~ /^kernel BUG at /) return "kernel_bug"
    if (t ~ /^Oops[:]? /) return "oops"
    if (t ~ /^Kernel panic - not syncing/) return "panic"
    # mm/oom_kill.c (dump_header, oom_kill_process)
    k = index(t, " invoked oom-killer: ")
    if ((k > 1 && index(substr(t, 1, k - 1), " ") == 0) || t ~ /^Out of memory( \(oom_kill_allocating_task\))?: Kill/) return "oom"
    # the generic ones last (include/asm-generic/bug.h __warn; BUG: from
    # many places: "unable to handle page fault", "Bad page state",
    # "scheduling while atomic", "workqueue lockup", ...)
    if (t ~ /^WARNING: /) return "warning"
    if (t ~ /^BUG: /) return "bug"
    return ""
}

function emit(kind, t) { printf "%s\t%s\t%s\t%s\n", kind, where, test, t }

# flush_cut(kind): print the held "cut here" line and what followed it.
function flush_cut(kind,    i) {
    if (!ncut) return
    emit(kind, cut[1])
    for (i = 2; i <= ncut; i++) emit("+", cut[i])
    ncut = 0
    left = context - (ncut_seen - 1)
}

# line(t, cont): judge one kernel line; cont: it continues a line (never a start).
function line(t, cont,    k) {
    sub(/\r$/, "", t)
    if (index(t, "vfio-ct: ") == 1) { marker(substr(t, 10)); return }
    k = cont ? "" : splat_kind(t)
    if (ncut) {
        if (k != "") { flush_cut(k); emit(k, t); left = context; return }
        cut[++ncut] = t; ncut_seen = ncut
        if (ncut > 4) flush_cut("cut_here")
        return
    }
    if (!cont && t ~ /^-+\[ cut here \]-+$/) { ncut = 1; ncut_seen = 1; cut[1] = t; left = 0; return }
    if (k != "") { emit(k, t); left = context; return }
    if (left > 0) { emit("+", t); left-- }
}

# marker(m): a "vfio-ct: " line (m is what follows the prefix).  Phase,
# program, test and teardown-step boundaries end a splat's context; other
# vfio-ct lines (the DMA engines' "mark" lines) are neither splat nor context.
function marker(m,    w, t) {
    w = where; t = test
    if (index(m, "phase ") == 1) { w = substr(m, 7); t = "-" }
    else if (index(m, "program begin ") == 1) { w = substr(m, 15); t = "-" }
    else if (index(m, "program end ") == 1) { w = "between"; t = substr(m, 13) }
    else if (index(m, "begin ") == 1 && where ~ /\//) t = substr(m, 7)
    else if (index(m, "teardown ") == 1 && where == "teardown") t = substr(m, 10)
    else return
    flush_cut("cut_here")
    left = 0; where = w; test = t
}

BEGIN {
    if (context == "") context = 23
    context += 0
    where = "boot"; test = "-"; ncut = 0; left = 0; inrec = 0
}

{
    r = $0
    if (r ~ /^[0-9]+,[0-9]+,[0-9]+,[^;]*;/) {
        h = substr(r, 1, index(r, ";") - 1)
        r = substr(r, index(r, ";") + 1)
        split(h, f, ",")
        cont = index(f[4], "+") > 0
        inrec = 1
    } else if (inrec && r ~ /^ /) {
        next                        # a dictionary entry of the record above
    } else {
        inrec = 0; cont = 0
        sub(/^\[ *[0-9]+\.[0-9]+\] /, "", r)
    }
    n = split(r, parts, /\\x0a/)
    for (i = 1; i <= n; i++) {
        if (i == n && parts[i] == "" && n > 1) break
        line(parts[i], cont && i == 1)
    }
}

END { flush_cut("cut_here") }
