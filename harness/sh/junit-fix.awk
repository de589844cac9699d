# junit-fix.awk -v times=FILE TAP... JUNIT.xml: finish TAP::Formatter::JUnit's
# output for Jenkins.  The formatter (Debian's 0.11) names each testsuite
# after its file (resv_info_tap), each testcase "N name # DIRECTIVE why",
# renders "# SKIP" and "# XFAIL" results as plain passes and gives no times.
# This makes, for every testcase, from the TAP line it came from:
#  - testsuite name = classname = the program, AREA.PROGRAM (tap/00-setup.tap:
#    setup.guest, tap/zz-teardown.tap: teardown.guest), testcase name = the test's own name;
#  - time = the test's seconds from TIMES (lines "CLASS<TAB>TEST<TAB>SECONDS",
#    from the kernel-log markers), 0 for a test that never began;
#  - SKIP    -> <skipped message="why"/>
#    XFAIL   -> <skipped type="xfail" message="why"/>
#               (type="xfail-known" for a known kernel bug, hosts/known-failures)
#    XPASS   -> a passing testcase with <system-out>XPASS why</system-out>
#  - a skipped="N" count on each testsuite.
# Failures keep the formatter's <failure> with the test's diagnostics.
function esc(s) {
    gsub(/&/, "\\&amp;", s); gsub(/"/, "\\&quot;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
    return s
}
# put(s, re, r): s with the first match of re replaced by r taken literally
# (sub() would expand "&" in r, and the escaped text is full of them).
function put(s, re, r) {
    return match(s, re) ? substr(s, 1, RSTART - 1) r substr(s, RSTART + RLENGTH) : s
}
function suite_of(file,    s) {
    s = file; sub(/.*\//, "", s); sub(/\.tap$/, "", s)
    return s == "00-setup" ? "setup.guest" : s == "zz-teardown" ? "teardown.guest" : s
}
BEGIN {
    if (times != "")
        while ((getline l < times) > 0) { split(l, f, "\t"); secs[f[1] "|" f[2]] = f[3] }
}
FILENAME ~ /\.tap$/ {
    if (FNR == 1) { s = suite_of(FILENAME); raw = FILENAME; sub(/.*\//, "", raw); gsub(/\./, "_", raw); cls[raw] = s }
    if ($0 ~ /^(not )?ok [0-9]+ /) {
        line = $0; num = $0; sub(/^(not )?ok /, "", num); sub(/ .*/, "", num)
        name = line; sub(/^(not )?ok [0-9]+ /, "", name); sub(/ #.*/, "", name)
        k = raw "|" num; tname[k] = name; kind[k] = ""
        if (index(line, " # ")) {
            d = substr(line, index(line, " # ") + 3)
            if (line ~ /^ok / && d ~ /^SKIP/) { kind[k] = "skip"; why[k] = d; sub(/^SKIP */, "", why[k]) }
            else if (line ~ /^ok / && d ~ /^XFAIL/) {
                kind[k] = (d ~ /^XFAIL known kernel bug/ ? "xfail-known" : "xfail"); why[k] = d; sub(/^XFAIL */, "", why[k])
            }
            else if (line ~ /^ok / && d ~ /^XPASS/) { kind[k] = "xpass"; why[k] = d }
        }
        if (kind[k] ~ /^(skip|xfail)/) nskip[raw]++
    }
    next
}
/<testsuite / { insuite = 1 }
insuite && cur == "" && /name="[^"]*"/ && !/<testcase/ {
    cur = $0; sub(/.*name="/, "", cur); sub(/".*/, "", cur)
    $0 = put($0, "name=\"[^\"]*\"", "skipped=\"" (nskip[cur] + 0) "\"\n             name=\"" esc(cls[cur]) "\"")
}
/<testcase name="[0-9]+ / {
    num = $0; sub(/.*<testcase name="/, "", num); sub(/ .*/, "", num)
    k = cur "|" num
    t = secs[cls[cur] "|" tname[k]]
    $0 = put($0, "<testcase name=\"[^\"]*\"", "<testcase classname=\"" esc(cls[cur]) "\" name=\"" esc(tname[k]) "\" time=\"" (t == "" ? "0" : t) "\"")
    if (kind[k] == "skip") $0 = put($0, "><\\/testcase>", "><skipped message=\"" esc(why[k]) "\"/></testcase>")
    else if (kind[k] ~ /^xfail/) $0 = put($0, "><\\/testcase>", "><skipped type=\"" kind[k] "\" message=\"" esc(why[k]) "\"/></testcase>")
    else if (kind[k] == "xpass") $0 = put($0, "><\\/testcase>", "><system-out>" esc(why[k]) "</system-out></testcase>")
}
/<\/testsuite>/ { cur = ""; insuite = 0 }
{ print }
