# known.awk: apply the known-failures file (hosts/known-failures, format
# there) to one program's collated TAP.
#
#   awk -v host=PROFILE -v release="$(uname -r of the guest)" \
#       -f known.awk KNOWN-FAILURES PROGRAM.tap
#
# What it guarantees:
#  - a "not ok N name[ # why]" whose name, host and kernel match an entry
#    becomes "ok N name # XFAIL known kernel bug: REF (kernel R in [F, T)[; why])",
#    unless `why` says the runner made the failure (not run, did not finish);
#  - an "ok N name" (no directive) that matches becomes
#    "ok N name # XPASS fixed? known kernel bug REF expected in [F, T) on kernel R";
#  - every other line, and every line when release is empty, is unchanged;
#  - the first matching entry wins.  Plain POSIX awk (mawk, gawk, busybox awk).

# glob GLOB: the anchored regular expression for a `*`/`?` glob, or for a
# comma-separated list of them (any one matches).
function glob(g,    r, i, c) {
    r = "^("
    for (i = 1; i <= length(g); i++) {
        c = substr(g, i, 1)
        if (c == ",") r = r ")$|^("
        else if (c == "*") r = r ".*"
        else if (c == "?") r = r "."
        else if (c ~ /[A-Za-z0-9_-]/) r = r c
        else if (c == "\\" || c == "^") r = r "\\" c
        else r = r "[" c "]"
    }
    return r ")$"
}

# ver S: MAJOR.MINOR.PATCH of S (leading digits and dots) as one number.
function ver(s,    a, n) {
    if (!match(s, /^[0-9]+(\.[0-9]+)*/)) return -1
    n = split(substr(s, 1, RLENGTH), a, ".")
    return a[1] * 1000000 + (n > 1 ? a[2] : 0) * 1000 + (n > 2 ? a[3] : 0)
}

function in_range(v, from, to) {
    return (from == "-" || v >= ver(from)) && (to == "-" || v < ver(to))
}

# match_entry NAME: index of the first entry for NAME on this host and kernel, else 0.
function match_entry(name,    i) {
    for (i = 1; i <= ne; i++)
        if (name ~ T[i] && host ~ H[i] && in_range(kv, F[i], U[i])) return i
    return 0
}

BEGIN { kv = ver(release) }

FILENAME == ARGV[1] {
    sub(/#.*/, "")
    if (NF == 0) next
    if (NF < 5) { printf "known.awk: %s:%d: want TEST HOST FROM TO REFERENCE\n", FILENAME, FNR > "/dev/stderr"; exit 2 }
    ne++; T[ne] = glob($1); H[ne] = glob($2); F[ne] = $3; U[ne] = $4
    ref = $0; sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", ref); R[ne] = ref
    rng[ne] = "[" $3 ", " $4 ")"
    next
}

kv >= 0 && /^(not )?ok [0-9]+ / {
    head = $0; sub(/ #.*/, "", head)
    name = head; sub(/^(not )?ok [0-9]+ /, "", name)
    why = ""; if (index($0, " # ")) { why = substr($0, index($0, " # ") + 3) }
    e = match_entry(name)
    if (e && /^not ok / && why !~ /^(not run|test did not finish)/) {
        sub(/^not /, "", head)
        print head " # XFAIL known kernel bug: " R[e] " (kernel " release " in " rng[e] (why == "" ? "" : "; " why) ")"
        next
    }
    if (e && /^ok / && why == "") {
        print head " # XPASS fixed? known kernel bug " R[e] " expected in " rng[e] " on kernel " release
        next
    }
}
{ print }
