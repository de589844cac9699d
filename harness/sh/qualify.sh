#!/bin/sh
# qualify.sh RESULTS: the qualification part of RESULTS/report.html, as an
# HTML fragment on stdout (report.sh puts it first, before the performance
# charts).  Read by a person qualifying a platform, in this order:
#   #verdict   PASS / PASS with known kernel bugs / FAIL / INCOMPLETE, counts
#   #platform  host profile (or real machine), IOMMU kind (the kernel-log
#              line that says so, quoted), kernel, QEMU, accelerator, and
#              every IOMMU group with its devices and reserved regions
#              (RESULTS/sysfs/iommu_groups)
#   #suites    every program: pass/fail/skip/xfail/xpass, guest seconds
#   #failures  every failing test: its diagnostics (its TAP block) and the
#              kernel-log lines logged while it ran (dmesg.log, between its
#              "vfio-ct: begin" marker and the next marker)
#   #known     known kernel bugs (XFAIL with the reference) and "fixed?" (XPASS)
#   #skips     every SKIP with its reason, and the other XFAILs
# Needs only run.json, tap/*.tap, dmesg.log and sysfs/ (all in RESULTS).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
res=${1:?usage: qualify.sh RESULTS}
j="$res/run.json"
[ -f "$j" ] || { echo "qualify.sh: no $j" >&2; exit 1; }

jget() { sed -n "s/^  \"$1\": \"\\{0,1\\}\\(.*[^\",]\\)\"\\{0,1\\},\\{0,1\\}\$/\\1/p" "$j" | head -n 1; }
host=$(jget host_profile)
profile="$top/hosts/$host.conf"
desc=""
[ -f "$profile" ] && desc=$(awk '{ sub(/#.*/, "") } /^[ \t]*description[ \t]*=/ { sub(/^[^=]*=[ \t]*/, ""); print; exit }' "$profile")
kind=qemu
[ -f "$profile" ] && kind=$(awk '{ sub(/#.*/, "") } /^[ \t]*kind[ \t]*=/ { sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]+$/, ""); print; exit }' "$profile")
# The IOMMU driver's own announcement in the guest's kernel log.
iommu_line=$(grep -E -m 1 'DMAR: IOMMU enabled|DMAR-IR: Enabled IRQ remapping|AMD-Vi: (Found IOMMU|Interrupt remapping enabled)|virtio_iommu virtio[0-9]+: (input address|page mask)|arm-smmu-v3 [^ ]+: (ias|probing hardware)' "$res/dmesg.log" 2>/dev/null || true)
mkdir -p "$res/work"
case "$iommu_line" in
    *DMAR*) iommu="Intel VT-d" ;;
    *AMD-Vi*) iommu="AMD-Vi" ;;
    *virtio_iommu*) iommu="virtio-iommu" ;;
    *arm-smmu-v3*) iommu="Arm SMMUv3" ;;
    *) iommu="not identified from the kernel log" ;;
esac

{
    printf 'H\thost\t%s\nH\tdesc\t%s\nH\tkind\t%s\nH\tiommu\t%s\nH\tiommu_line\t%s\n' "$host" "$desc" "$kind" "$iommu" "$iommu_line"
    for k in arch kernel_spec kernel_release kernel_origin qemu accel start end wall_seconds complete incomplete_reason passed; do
        printf 'H\t%s\t%s\n' "$k" "$(jget "$k")"
    done
    # programs' guest seconds
    sed -n 's/.*{"tap": "tap\/\([^"]*\)\.tap", "seconds": \([0-9.null]*\),.*/S\t\1\t\2/p' "$j"
    for g in "$res"/sysfs/iommu_groups/*; do
        [ -d "$g" ] || continue
        n=$(basename "$g")
        [ -f "$g/reserved_regions" ] && sed "s/^/R\t$n\t/" "$g/reserved_regions"
        [ -f "$g/devices" ] && sed "s/^/D\t$n\t/" "$g/devices"
    done
} > "$res/work/qualify.meta"

dmesg="$res/dmesg.log"
[ -f "$dmesg" ] || dmesg=/dev/null
awk -F '\t' '
    function h(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s); return s }
    FILENAME ~ /qualify\.meta$/ {
        if ($1 == "H") M[$2] = $3
        else if ($1 == "S") secs[$2] = $3
        else if ($1 == "R") { if (!($2 in gseen)) { gseen[$2] = 1; G[++ng] = $2 } resv[$2] = resv[$2] h($3) "<br>" }
        else if ($1 == "D") { if (!($2 in gseen)) { gseen[$2] = 1; G[++ng] = $2 } devs[$2] = devs[$2] h($3) "<br>" }
        next
    }
    FILENAME ~ /dmesg\.log$/ {
        line = $0; t = line; sub(/^\[[ 0-9.]*\] /, "", t)
        if (index(t, "vfio-ct: begin ") == 1) { cur = substr(t, 16); next }
        if (index(t, "vfio-ct: ") == 1) { cur = ""; next }
        if (cur != "" && nk[cur] < 40) { klog[cur] = klog[cur] h(line) "\n"; nk[cur]++ }
        next
    }
    # the programs TAP
    FNR == 1 {
        prog = FILENAME; sub(/.*\//, "", prog); sub(/\.tap$/, "", prog)
        if (prog == "00-setup") prog = "setup.guest"
        if (prog == "zz-teardown") prog = "teardown.guest"
        P[++np] = prog; block = ""
    }
    /^#  RUN / { block = ""; last = 0 }
    # tap/00-setup.tap puts a result'"'"'s detail on the line after it
    prog == "setup.guest" && after_result && /^# / && !/^#   / { after_result = 0; next }
    { after_result = 0 }
    /^(not )?ok [0-9]+ / {
        name = $0; sub(/^(not )?ok [0-9]+ /, "", name); sub(/ #.*/, "", name)
        why = ""; if (index($0, " # ")) why = substr($0, index($0, " # ") + 3)
        after_result = 1
        if (/^not ok /) { c[prog, "fail"]++; nf++; F[nf] = name; Fp[nf] = prog; Fd[nf] = block h($0) "\n"; last = nf; block = ""; next }
        last = 0
        if (why ~ /^SKIP/) { c[prog, "skip"]++; ns++; Sn[ns] = prog " " name; Sw[ns] = why; sub(/^SKIP */, "", Sw[ns]) }
        else if (why ~ /^XFAIL known kernel bug/) { c[prog, "xfail"]++; nkb++; Kn[nkb] = prog " " name; Kw[nkb] = why; Kd[nkb] = block }
        else if (why ~ /^XFAIL/) { c[prog, "xfail"]++; nx++; Xn[nx] = prog " " name; Xw[nx] = why }
        else if (why ~ /^XPASS/) { c[prog, "xpass"]++; nkb++; Kn[nkb] = prog " " name; Kw[nkb] = why; Kd[nkb] = "" }
        else c[prog, "pass"]++
        block = ""
        next
    }
    /^# vfio-ct: / || /^#   / { if (last) Fd[last] = Fd[last] h($0) "\n"; else block = block h($0) "\n"; next }
    /^#/ && !/^# (Starting|Totals)/ { block = block h($0) "\n" }
    END {
        fails = 0; for (i = 1; i <= np; i++) fails += c[P[i], "fail"]
        if (M["complete"] != "true") { v = "INCOMPLETE"; cls = "fail" }
        else if (fails > 0) { v = "FAIL"; cls = "fail" }
        else if (nkb > 0) { v = "PASS with known kernel bugs"; cls = "known" }
        else { v = "PASS"; cls = "pass" }
        printf "<section id=\"verdict\" class=\"%s\"><h2>Verdict: %s</h2>\n", cls, v
        tp = tf = ts = tx = txp = 0
        for (i = 1; i <= np; i++) { tp += c[P[i], "pass"]; tf += c[P[i], "fail"]; ts += c[P[i], "skip"]; tx += c[P[i], "xfail"]; txp += c[P[i], "xpass"] }
        printf "<p>%d passed, %d failed, %d skipped, %d xfail, %d xpass; %d known kernel bugs (hosts/known-failures).", tp, tf, ts, tx, txp, nkb
        if (M["complete"] != "true") printf " The run did not complete: %s.", h(M["incomplete_reason"])
        printf "</p></section>\n"

        printf "<section id=\"platform\"><h2>Platform</h2>\n<table>\n"
        printf "<tr><th>host</th><td>%s%s</td></tr>\n", h(M["host"]), (M["desc"] != "" ? ": " h(M["desc"]) : "")
        printf "<tr><th>kind</th><td>%s</td></tr>\n", (M["kind"] == "qemu" ? "emulated (QEMU)" : h(M["kind"]) " (a real machine)")
        printf "<tr><th>architecture</th><td>%s</td></tr>\n", h(M["arch"])
        printf "<tr><th>IOMMU</th><td>%s%s</td></tr>\n", h(M["iommu"]), (M["iommu_line"] != "" ? "<br><code>" h(M["iommu_line"]) "</code>" : "")
        printf "<tr><th>kernel</th><td>%s <small>(%s, %s)</small></td></tr>\n", h(M["kernel_release"]), h(M["kernel_spec"]), h(M["kernel_origin"])
        printf "<tr><th>QEMU</th><td>%s</td></tr>\n", h(M["qemu"])
        printf "<tr><th>accelerator</th><td>%s</td></tr>\n", h(M["accel"])
        printf "<tr><th>run</th><td>%s to %s, %s s</td></tr>\n</table>\n", h(M["start"]), h(M["end"]), h(M["wall_seconds"])
        printf "<h3>IOMMU groups</h3>\n<table id=\"groups\"><tr><th>group</th><th>devices (BDF vendor device driver)</th><th>reserved regions</th></tr>\n"
        for (i = 1; i <= ng; i++) printf "<tr><td>%s</td><td><code>%s</code></td><td><code>%s</code></td></tr>\n", G[i], devs[G[i]], (resv[G[i]] == "" ? "none" : resv[G[i]])
        if (ng == 0) printf "<tr><td colspan=\"3\">no IOMMU groups were reported</td></tr>\n"
        printf "</table></section>\n"

        printf "<section id=\"suites\"><h2>Suites</h2>\n<table><tr><th>program</th><th>pass</th><th>fail</th><th>skip</th><th>xfail</th><th>xpass</th><th>guest s</th></tr>\n"
        for (i = 1; i <= np; i++) {
            p = P[i]
            printf "<tr class=\"%s\"><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%s</td></tr>\n", (c[p, "fail"] ? "fail" : "pass"), h(p), c[p, "pass"], c[p, "fail"], c[p, "skip"], c[p, "xfail"], c[p, "xpass"], (p in secs ? secs[p] : "")
        }
        printf "</table></section>\n"

        printf "<section id=\"failures\"><h2>Failures (%d)</h2>\n", nf
        if (nf == 0) printf "<p>No test failed.</p>\n"
        for (i = 1; i <= nf; i++) {
            printf "<div class=\"failure\"><h3>%s %s</h3>\n<pre class=\"diag\">%s</pre>\n", h(Fp[i]), h(F[i]), Fd[i]
            if (F[i] in klog) printf "<p>Kernel log while it ran:</p>\n<pre class=\"klog\">%s</pre>\n", klog[F[i]]
            else printf "<p>The kernel logged nothing while it ran.</p>\n"
            printf "</div>\n"
        }
        printf "</section>\n"

        printf "<section id=\"known\"><h2>Known kernel bugs (%d)</h2>\n", nkb
        if (nkb == 0) printf "<p>None seen.</p>\n"
        else printf "<table><tr><th>test</th><th>result and reference</th></tr>\n"
        for (i = 1; i <= nkb; i++) printf "<tr><td>%s</td><td>%s%s</td></tr>\n", h(Kn[i]), h(Kw[i]), (Kd[i] != "" ? "<pre class=\"diag\">" Kd[i] "</pre>" : "")
        if (nkb) printf "</table>\n"
        printf "</section>\n"

        printf "<section id=\"skips\"><h2>Skipped (%d)</h2>\n", ns
        if (ns) {
            printf "<table><tr><th>test</th><th>reason</th></tr>\n"
            for (i = 1; i <= ns; i++) printf "<tr><td>%s</td><td>%s</td></tr>\n", h(Sn[i]), h(Sw[i])
            printf "</table>\n"
        }
        if (nx) {
            printf "<h3>Expected failures (XFAIL, %d)</h3>\n<table><tr><th>test</th><th>reason</th></tr>\n", nx
            for (i = 1; i <= nx; i++) printf "<tr><td>%s</td><td>%s</td></tr>\n", h(Xn[i]), h(Xw[i])
            printf "</table>\n"
        }
        printf "</section>\n"
    }' "$res/work/qualify.meta" "$dmesg" "$res"/tap/*.tap
