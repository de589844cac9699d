# teardown.awk: the run's last TAP block (tap/zz-teardown.tap): the kernel
# splats logged outside every test program.
#
#   awk -v reason=TEXT [-v skip=WHY] -f teardown.awk SPLATS
#
# SPLATS is what splat.awk found in the whole kernel log (KIND, WHERE, TEST,
# TEXT per line); only WHERE "between" (after a program's end marker, TEST
# naming that program) and "teardown" (after "vfio-ct: phase teardown": the
# guest unbinding devices, restoring hugepages, unloading modules; TEST the
# step) are judged here: the set-up block judges boot, modules and bind,
# collate.awk each program.  `reason` is why the run did not finish ("" when
# it did); `skip` makes both results SKIPs (a host that was not booted).
#
# What it guarantees:
#  - exactly two results, in this order:
#      teardown.kernel_log_clean_between_programs
#      teardown.kernel_log_clean_during_teardown
#  - a result is "not ok" when the kernel logged a splat there; its first
#    diagnostic line names the first splat's kind, where it was (after which
#    program; in which teardown step) and its first line, e.g.
#      # vfio-ct: kernel splat (warning) after suites/resv/info: WARNING: CPU: 1 PID: 9 at ...
#    then up to 48 lines of what the kernel logged ("#   TEXT");
#  - with no splat there, "ok" when the run finished, else "not ok ... #
#    did not finish: REASON" (the guest never got to, or through, that part
#    of the run: nothing proves it clean);
#  - the plan ("1..2") counts exactly the result lines written.
# Plain POSIX awk: it runs under mawk, gawk and busybox awk, in any locale.

# field(): the text of `rest` up to its first tab (all of it when it has
# none), which is taken off `rest`.
function field(    i, f) {
    i = index(rest, "\t")
    if (!i) { f = rest; rest = ""; return f }
    f = substr(rest, 1, i - 1); rest = substr(rest, i + 1)
    return f
}

{
    # fields by index(), not sub(/\t.*/): in a UTF-8 locale gawk's "."
    # stops at a byte that is not UTF-8 (fixtures/fuzz/teardown/not-utf8)
    rest = $0
    kind = field(); w = field(); t = field()
    text = rest
    if (w != "between" && w != "teardown") next
    # the "[ cut here ]" line before a WARN or BUG carries the kind of the
    # report line after it (splat.awk): that line names the splat
    if (kind != "cut_here" && text ~ /^-+\[ cut here \]-+$/) kind = "+"
    if (kind != "+") {
        nsplat[w]++
        if (!(w in first)) {
            if (w == "between") at = "after " t
            else if (t == "-") at = "during the teardown, before its first step"
            else at = "during the teardown, step '" t "'"
            first[w] = "# vfio-ct: kernel splat (" kind ") " at ": " text
        }
    }
    if (nlines[w] < 48) { body[w] = body[w] "\n#   " text; nlines[w]++ }
}

function result(n, name, w,    more) {
    if (skip != "") { print "ok " n " " name " # SKIP " skip; return }
    if (w in first) {
        more = nsplat[w] > 2 ? " (and " nsplat[w] - 1 " more splats)" : nsplat[w] > 1 ? " (and 1 more splat)" : ""
        print "not ok " n " " name
        print first[w] more body[w]
        return
    }
    if (reason != "") { print "not ok " n " " name " # did not finish: " reason; return }
    print "ok " n " " name
}

END {
    print "TAP version 13"
    print "1..2"
    result(1, "teardown.kernel_log_clean_between_programs", "between")
    result(2, "teardown.kernel_log_clean_during_teardown", "teardown")
}
