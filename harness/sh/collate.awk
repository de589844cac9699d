# collate.awk: turn what one test program printed in the guest into the
# program's final TAP, using the kernel log to fail tests that splatted.
#
#   awk -v prog=REL -v reason=TEXT -f collate.awk SPLATS STREAM
#
# SPLATS is what splat.awk found in the kernel log (one line per splat
# line, attributed to the program and test running when it was logged);
# STREAM holds the guest's records (see guest.sh).  `reason` is why the
# program may not have finished (guest hung, panicked, timed out); it is
# used only for tests that have no result.
#
# What it guarantees:
#  - every test the program listed gets exactly one result line, in order
#    of appearance: the program's own, or "not ok" with the reason when the
#    program never reported it;
#  - a test during which the kernel logged a splat of any kind splat.awk
#    knows (between its "vfio-ct: begin" marker and the next marker) is
#    "not ok", with the splat's first lines as diagnostics;
#  - the plan ("1..N") counts exactly the result lines written.
# Plain POSIX awk: it runs under mawk, gawk and busybox awk.

function out(line) { buf[++nbuf] = line }

function result_name(line,    s) {
    s = line
    sub(/^(not )?ok [0-9]+ /, "", s)
    sub(/ #.*$/, "", s)
    return s
}

BEGIN { nlist = 0; nbuf = 0; nres = 0; began = 0; ended = 0; running = "" }

# ---- pass 1: the splats (splat.awk's lines: KIND, WHERE, TEST, TEXT) ------
FILENAME == ARGV[1] {
    kind = $0; sub(/\t.*/, "", kind)
    rest = substr($0, length(kind) + 2)
    w = rest; sub(/\t.*/, "", w)
    if (w != prog) next
    rest = substr(rest, length(w) + 2)
    cur = rest; sub(/\t.*/, "", cur)
    t = substr(rest, length(cur) + 2)
    if (cur == "-") cur = ""
    if (kind != "+" && !(cur in splat)) { splat[cur] = ""; order[++nsplat] = cur }
    if (cur in splat) splat[cur] = splat[cur] "\n#   " t
    next
}

# ---- pass 2: the guest's records ---------------------------------------------
$1 == "@list" && $2 == prog { list[++nlist] = substr($0, length("@list " prog " ") + 1); next }
$1 == "@begin" && $2 == prog { began = 1; next }
$1 == "@end" && $2 == prog { ended = 1; rc = $3; next }
$1 == "T" && $2 == prog {
    line = substr($0, length("T " prog " ") + 1)
    if (line ~ /^TAP version / || line ~ /^1\.\.[0-9]+$/) next
    # The plan is collate's: a program's other plan (e.g. "1..0 # SKIP why")
    # stays as a diagnostic (fuzz/fuzz_collate.c found it as a second plan).
    if (line ~ /^1\.\./) { out("# " line); next }
    if (line ~ /^#  RUN +/) { running = line; sub(/^#  RUN +/, "", running); sub(/ \.\.\.$/, "", running) }
    if (line ~ /^(not )?ok [0-9]+ /) {
        name = result_name(line)
        seen[name] = 1
        running = ""
        nres++
        # Renumber: results collate adds, or ones the stream lost, must not put
        # the numbers out of sequence (fuzz/fuzz_collate.c found "ok 3" first).
        pre = line ~ /^not / ? "not ok " : "ok "
        sub(/^(not )?ok [0-9]+/, "", line)
        line = pre nres line
        if (name in splat) {
            if (line ~ /^ok /) line = "not ok " nres " " name " # kernel splat during the test"
            out(line)
            out("# vfio-ct: the kernel logged this during " name ":" splat[name])
            delete splat[name]
            next
        }
        out(line)
        next
    }
    # Anything else TAP would take for a result ("ok" without number or name)
    # is not one of the harness's: keep it as a diagnostic.
    if (line ~ /^(not )?ok( |$)/) line = "# " line
    out(line)
    next
}

END {
    why = reason
    if (why == "" && ended && rc > 128 && rc < 160)
        why = "program killed by signal " (rc - 128) (rc == 137 ? " (SIGKILL: its time limit, or the OOM killer)" : "")
    if (why == "" && ended && rc != 0 && rc != 4) why = "program exited with status " rc " before reporting it"
    if (why == "" && !ended) why = "program did not finish"
    if (running != "" && !(running in seen)) {
        nres++
        out("not ok " nres " " running " # test did not finish: " why)
        seen[running] = 1
        # what the kernel logged as it died (a panic, a hung task) belongs here
        if (running in splat) {
            out("# vfio-ct: the kernel logged this during " running ":" splat[running])
            delete splat[running]
        }
    }
    for (i = 1; i <= nlist; i++) {
        if (list[i] in seen) continue
        nres++
        # its kernel-log marker says it began (its "RUN" line was lost
        # with the guest): the splat it died of goes with it
        if (list[i] in splat) {
            out("not ok " nres " " list[i] " # test did not finish: " why)
            out("# vfio-ct: the kernel logged this during " list[i] ":" splat[list[i]])
            delete splat[list[i]]
            continue
        }
        out("not ok " nres " " list[i] " # not run: " why)
    }
    if (nlist == 0 && nres == 0) {
        n = split(prog, parts, "/")
        nres++
        out("not ok " nres " " parts[n] " # not run: " (reason != "" ? reason : "program listed no tests"))
    }
    # Splats logged in the program but outside any test that reported.
    for (i = 1; i <= nsplat; i++) {
        k = order[i]
        if (!(k in splat)) continue
        out("# vfio-ct: kernel splat in " prog (k == "" ? " outside any test" : " during " k) ":" splat[k])
        nres++
        out("not ok " nres " " (k == "" ? prog : k) " # kernel splat")
    }
    print "TAP version 13"
    print "1.." nres
    for (i = 1; i <= nbuf; i++) print buf[i]
}
