# junit-fix.awk TAP... JUNIT.xml: finish TAP::Formatter::JUnit's output for
# Jenkins.  The formatter (Debian's 0.11) renders "ok N name # SKIP why" as
# a passing testcase and names each testcase "N name".  This adds
# <skipped message="why"/> to skipped tests, names testcases by the test's
# own name and gives them the program as classname.
FNR == 1 && FILENAME ~ /\.tap$/ {
    suite = FILENAME; sub(/.*\//, "", suite); tap = suite
    gsub(/\./, "_", suite)
    cls[suite] = tap; sub(/\.tap$/, "", cls[suite])
}
FILENAME ~ /\.tap$/ {
    if ($0 ~ /^ok [0-9]+ .*# SKIP/) {
        why = $0; sub(/.*# SKIP */, "", why)
        gsub(/&/, "\\&amp;", why); gsub(/"/, "\\&quot;", why); gsub(/</, "\\&lt;", why); gsub(/>/, "\\&gt;", why)
        skip[suite "|" $2] = why
    }
    next
}
/<testsuite / { insuite = 1 }
/name="[^"]*"/ && !/<testcase/ && insuite && cur == "" {
    s = $0; sub(/.*name="/, "", s); sub(/".*/, "", s); cur = s
}
/<testcase name="[0-9]+ / {
    s = $0; sub(/.*<testcase name="/, "", s); num = s; sub(/ .*/, "", num)
    sub(/<testcase name="[0-9]+ /, "<testcase classname=\"" cls[cur] "\" name=\"")
    if ((cur "|" num) in skip && sub(/><\/testcase>/, "><skipped message=\"" skip[cur "|" num] "\"/></testcase>")) {}
}
/<\/testsuite>/ { cur = ""; insuite = 0 }
{ print }
