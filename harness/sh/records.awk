# records.awk: the functions the readers of metrics.json share (ab.awk,
# compare.awk).  A library: name it first, `awk -f records.awk -f ab.awk`.
#
# A record is one JSON object on one line, as metrics.c and metrics.sh
# write them: {"key":"...","better":"lower","values":[1.5,2],...}, with no
# blank after a colon.

# The string value of "k" in line, "" where there is none.
function jstr(line, k,    m) {
    if (!match(line, "\"" k "\":\"[^\"]*\"")) return ""
    m = substr(line, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
    return m
}
# The number value of "k" in line, "" where there is none.
function jnum(line, k) {
    if (!match(line, "\"" k "\":-?[0-9.eE+-]+")) return ""
    return substr(line, RSTART + length(k) + 3, RLENGTH - length(k) - 3) + 0
}
# The numbers of the array "key" in line into arr[1..n]; returns n (0 for
# no such array or an empty one).
function jvals(line, arr, key,    s, n, i, parts) {
    if (!match(line, "\"" key "\":\\[[^]]*\\]")) return 0
    s = substr(line, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
    n = split(s, parts, ",")
    for (i = 1; i <= n; i++) arr[i] = parts[i] + 0
    return s == "" ? 0 : n
}
# The median of a[1..n] (0 for n = 0), a left as it is.
function median(a, n,    i, j, t, s) {
    for (i = 1; i <= n; i++) s[i] = a[i]
    for (i = 2; i <= n; i++) {
        t = s[i]
        for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]
        s[j + 1] = t
    }
    return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
}
