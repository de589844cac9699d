# profile.awk: the one reader of host profiles (hosts/NAME.conf).
#
#   awk -v key=KEY  -f profile.awk hosts/README.md PROFILE   KEY's value
#   awk -v check=1  -f profile.awk hosts/README.md PROFILE   validate it
#
# The keys a profile may use are the rows of hosts/README.md's key table
# ("| `key` | meaning |"); a key whose meaning says "(accumulates)" may be
# given more than once (values joined by one space), any other only once.
# A profile is `key = value` lines; `#` starts a comment; blank lines are
# ignored.  With key=KEY it prints KEY's value (empty when absent) and
# judges nothing.  With check=1 it prints one line per fault on standard
# error, "PROFILE:LINE: what is wrong", and exits 1 if there is any:
#   - a line that is not `key = value`, or a key the table does not list;
#   - a key given twice that does not accumulate;
#   - a malformed value: `arch` not x86_64 or arm64, an `expect_resv`
#     entry not START-END:TYPE (hex START <= END, TYPE one of the kernel's
#     reserved-region types), an `aperture_bits` word not BITS or
#     MAJOR.MINOR:BITS with BITS in 1..64.
# Plain POSIX awk (mawk, gawk, busybox awk).

function fault(msg) { printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"; bad = 1 }

# hexnum(s): s without 0x and leading zeros, "" if s is not 0x<hex>.
function hexnum(s) {
    if (s !~ /^0x[0-9a-fA-F]+$/) return ""
    s = tolower(substr(s, 3)); sub(/^0+/, "", s)
    return s == "" ? "0" : s
}
# hex_le(a, b): a <= b for hexnum() strings of any length.
function hex_le(a, b) { return length(a) < length(b) || (length(a) == length(b) && a <= b) }

function check_value(k, v,    n, w, i, r, se, a, b, t, bits) {
    if (k == "arch" && v != "x86_64" && v != "arm64") fault("arch must be x86_64 or arm64, not '" v "'")
    if (k == "expect_resv") {
        n = split(v, w, /[ \t]+/)
        for (i = 1; i <= n; i++) {
            r = w[i]
            if (r !~ /^[^-:]+-[^-:]+:[a-z-]+$/) { fault("expect_resv entry '" r "' is not START-END:TYPE"); continue }
            se = r; sub(/:.*/, "", se); t = r; sub(/^[^:]*:/, "", t)
            a = hexnum(substr(se, 1, index(se, "-") - 1)); b = hexnum(substr(se, index(se, "-") + 1))
            if (a == "" || b == "") fault("expect_resv entry '" r "': START and END must be 0x-prefixed hex")
            else if (!hex_le(a, b)) fault("expect_resv entry '" r "': START is above END")
            if (t != "msi" && t != "reserved" && t != "direct" && t != "direct-relaxable")
                fault("expect_resv entry '" r "': TYPE '" t "' is not msi, reserved, direct or direct-relaxable")
        }
    }
    if (k == "aperture_bits") {
        n = split(v, w, /[ \t]+/)
        for (i = 1; i <= n; i++) {
            bits = w[i]
            if (bits ~ /:/) {
                if (bits !~ /^[0-9]+\.[0-9]+:/) { fault("aperture_bits word '" w[i] "' is not BITS or MAJOR.MINOR:BITS"); continue }
                sub(/^[^:]*:/, "", bits)
            }
            if (bits !~ /^[0-9]+$/ || bits + 0 < 1 || bits + 0 > 64)
                fault("aperture_bits word '" w[i] "': BITS must be a number from 1 to 64")
        }
    }
}

# ---- hosts/README.md: the key table ------------------------------------------
FNR == NR {
    if ($0 ~ /^\| `[a-z_]+` \|/) {
        k = $0; sub(/^\| `/, "", k); sub(/`.*/, "", k)
        known[k] = 1
        if ($0 ~ /\(accumulates\)/) acc[k] = 1
    }
    next
}

# ---- the profile ---------------------------------------------------------------
{
    line = $0
    sub(/#.*/, "", line)
    if (line ~ /^[ \t\r]*$/) next
    eq = index(line, "=")
    k = substr(line, 1, eq > 0 ? eq - 1 : length(line)); gsub(/^[ \t]+|[ \t]+$/, "", k)
    v = eq > 0 ? substr(line, eq + 1) : ""; gsub(/^[ \t]+|[ \t\r]+$/, "", v)
    if (check) {
        if (eq == 0 || k !~ /^[a-z_]+$/) { fault("not a 'key = value' line: " $0); next }
        if (!(k in known)) { fault("unknown key '" k "' (hosts/README.md lists the keys)"); next }
        if ((k in first) && !(k in acc)) fault("key '" k "' given again (first on line " first[k] "); it does not accumulate")
        if (!(k in first)) first[k] = FNR
        check_value(k, v)
        next
    }
    if (k == key && eq > 0) val = (val == "" ? v : val " " v)
}

END {
    if (check) exit bad
    print val
}
