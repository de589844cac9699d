#!/bin/sh
# merge.sh OUT DIR...: the matrix table of the cells run in the matrix
# results directories DIR... (each written by matrix.sh, whole or one
# --shard of it, here or on other machines and copied back) as
# OUT/matrix.md, OUT/matrix.json and OUT/matrix.html.  matrix.sh calls it
# with OUT = DIR for its own table; `run.sh --merge DIR...` for several.
#
# From each DIR: matrix.spec (the whole matrix's hosts and kernels, its
# shard, its wall time), cells.tsv (per cell: host, kernel, exit status,
# wall time) and each cell's <host>/<kernel>/run.json (counts).  Rows and
# columns are the hosts and kernels of the specs, in order of first
# appearance; a cell no DIR ran is "not run".  A cell found in two DIRs is
# an error (exit 2).  A cell's state:
#   error      its run.sh exited 2 (could not start; no run.json)
#   skipped    every test skipped (an unsupported host or kernel)
#   regressed  a test failed that is not a known kernel bug, or the run
#              did not complete (exit status not 0)
#   known-red  no other failure, and known kernel bugs (XFAIL, listed in
#              hosts/known-failures) were seen
#   ok         everything else
# and "fixed?" is added when a known kernel bug did not show (XPASS).
# The table also goes to stdout.  Exit status: 0 when no cell is regressed
# or error, 1 otherwise.
set -eu
out=${1:?usage: merge.sh OUT DIR...}
shift
[ $# -gt 0 ] || { echo "merge.sh: no matrix results directories given" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
label() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+-' '_'; }
tab=$(printf '\t')

# all.tsv: one line per cell: host kernel exit wall dir release p f s xf xp xfk xpk
: > "$out/.spec.all"
: > "$out/.cells.all"
for d in "$@"; do
    [ -f "$d/cells.tsv" ] || { echo "merge.sh: $d has no cells.tsv (not a matrix results directory)" >&2; exit 2; }
    d=$(cd "$d" && pwd)
    if [ -f "$d/matrix.spec" ]; then
        sed "s|\$|$tab$d|" "$d/matrix.spec" >> "$out/.spec.all"
    fi
    while IFS="$tab" read -r h k st _p _f _s w rel; do
        cd_=$d/$h/$(label "$k")
        c="0 0 0 0 0 0 0"
        if [ -f "$cd_/run.json" ]; then
            c=$(awk '/"counts":/ {
                    n = split("pass fail skip xfail xpass xfail_known xpass_known", k, " ")
                    for (i = 1; i <= n; i++) { v = 0; if (match($0, "\"" k[i] "\": [0-9]+")) { v = substr($0, RSTART, RLENGTH); sub(/.*: /, "", v) } printf "%s%d", (i > 1 ? " " : ""), v }
                    exit }' "$cd_/run.json")
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "$k" "$st" "$w" "$cd_" "${rel:--}" "$(printf '%s' "$c" | tr ' ' '\t')" >> "$out/.cells.all"
    done < "$d/cells.tsv"
    # a DIR written before matrix.spec existed: its cells give the order
    [ -f "$d/matrix.spec" ] || awk -F '\t' -v d="$d" '{ print "hosts\t" $1 "\t" d; print "kernels\t" $2 "\t" d }' "$d/cells.tsv" >> "$out/.spec.all"
done
dup=$(cut -f1,2 "$out/.cells.all" | sort | uniq -d | head -n 1)
[ -z "$dup" ] || { echo "merge.sh: cell '$(printf '%s' "$dup" | tr '\t' ' ')' is in more than one results directory" >&2; exit 2; }

# one awk makes all three outputs: the cells, the order, the states
awk -F '\t' -v out="$out" '
    function lab(k) { gsub(/[^A-Za-z0-9._+-]/, "_", k); return k }
    function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
    function hesc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s); return s }
    function add(list, n, v,    i) { for (i = 1; i <= n[0]; i++) if (list[i] == v) return; list[++n[0]] = v }
    # rel(path): path relative to out when under it (links stay valid when OUT is moved)
    function rel(p) { return index(p, out "/") == 1 ? substr(p, length(out) + 2) : p }
    FILENAME ~ /\.spec\.all$/ {
        if ($1 == "hosts" || $1 == "kernels") {
            n = split($2, w, " "); for (i = 1; i <= n; i++) { if ($1 == "hosts") add(H, nh, w[i]); else add(K, nk, w[i]) }
        }
        if ($1 == "wall" && $2 + 0 > wall) wall = $2 + 0
        if ($1 == "shard") shards = shards (shards == "" ? "" : ", ") $2
        if (!($3 in src)) { src[$3] = 1; srcs = srcs (srcs == "" ? "" : ", ") jstr($3) }
        next
    }
    {
        key = $1 SUBSEP $2; have[key] = 1
        st[key] = $3; w[key] = $4; dir[key] = $5; relse[key] = $6
        p[key] = $7; f[key] = $8; s[key] = $9; xf[key] = $10; xp[key] = $11; xfk[key] = $12; xpk[key] = $13
        cellsum += $4
        if ($6 != "-" && !(($2, $6) in seen)) { seen[$2, $6] = 1; rels[$2] = rels[$2] (rels[$2] == "" ? "" : ", ") $6 }
        if ($3 == 2 && p[key] + f[key] + s[key] == 0) state[key] = "error"
        else if (p[key] + f[key] + xf[key] + xp[key] == 0 && s[key] > 0 && $3 == 0) state[key] = "skipped"
        else if (f[key] > 0 || $3 != 0) state[key] = "regressed"
        else if (xfk[key] > 0) state[key] = "known-red"
        else state[key] = "ok"
        fixed[key] = xpk[key] > 0 ? " fixed?" : ""
        count[state[key]]++; if (xpk[key] > 0) count["fixed"]++
    }
    function counts(key,    t) {
        t = p[key] "/" f[key] "/" s[key]
        if (xf[key] > 0) t = t ", xfail " xf[key] (xfk[key] > 0 ? " (" xfk[key] " known)" : "")
        if (xp[key] > 0) t = t ", xpass " xp[key] (xpk[key] > 0 ? " (" xpk[key] " fixed?)" : "")
        return t
    }
    END {
        md = out "/matrix.md"; js = out "/matrix.json"; ht = out "/matrix.html"
        for (i = 1; i <= nh[0]; i++) for (j = 1; j <= nk[0]; j++) if (!((H[i], K[j]) in have)) count["not run"]++
        summary = sprintf("%d ok, %d known-red, %d regressed, %d skipped, %d error, %d not run; %d with a known bug fixed?",
            count["ok"], count["known-red"], count["regressed"], count["skipped"], count["error"], count["not run"], count["fixed"])
        printf "| host, kernel |" > md
        for (j = 1; j <= nk[0]; j++) printf " %s |", K[j] > md
        printf "\n|---|" > md; for (j = 1; j <= nk[0]; j++) printf "---|" > md; printf "\n" > md
        for (i = 1; i <= nh[0]; i++) {
            printf "| %s |", H[i] > md
            for (j = 1; j <= nk[0]; j++) {
                key = H[i] SUBSEP K[j]
                if (!(key in have)) { printf " not run |" > md; continue }
                printf " %s%s %s, %ss, %s |", state[key], fixed[key], counts(key), w[key], rel(dir[key]) > md
            }
            printf "\n" > md
        }
        printf "\nCells: state, pass/fail/skip (xfail: known kernel bugs from hosts/known-failures among them), wall time, results directory (under %s).\n", out > md
        printf "Summary: %s.\n", summary > md
        printf "Kernel releases:" > md
        for (j = 1; j <= nk[0]; j++) printf " %s = %s;", K[j], (rels[K[j]] == "" ? "?" : rels[K[j]]) > md
        printf "\nWhole matrix: %ss%s; the cells took %ss one after another.\n", wall, (shards != "" ? " (longest of shards " shards ")" : ""), cellsum > md

        printf "{\n  \"results\": %s,\n  \"sources\": [%s],\n  \"shards\": %s,\n  \"wall_seconds\": %d,\n  \"cells_seconds\": %d,\n", jstr(out), srcs, jstr(shards), wall, cellsum > js
        printf "  \"hosts\": [" > js; for (i = 1; i <= nh[0]; i++) printf "%s%s", (i > 1 ? ", " : ""), jstr(H[i]) > js; printf "],\n" > js
        printf "  \"kernels\": [" > js; for (j = 1; j <= nk[0]; j++) printf "%s%s", (j > 1 ? ", " : ""), jstr(K[j]) > js; printf "],\n" > js
        printf "  \"cells\": [" > js
        sep = ""
        for (i = 1; i <= nh[0]; i++) for (j = 1; j <= nk[0]; j++) {
            key = H[i] SUBSEP K[j]
            if (!(key in have)) continue
            printf "%s\n    {\"host\": %s, \"kernel\": %s, \"kernel_release\": %s, \"state\": %s, \"fixed\": %s, \"exit\": %d, \"pass\": %d, \"fail\": %d, \"skip\": %d, \"xfail\": %d, \"xpass\": %d, \"xfail_known\": %d, \"xpass_known\": %d, \"wall_seconds\": %d, \"results\": %s}", \
                sep, jstr(H[i]), jstr(K[j]), jstr(relse[key]), jstr(state[key]), (xpk[key] > 0 ? "true" : "false"), st[key], p[key], f[key], s[key], xf[key], xp[key], xfk[key], xpk[key], w[key], jstr(dir[key]) > js
            sep = ","
        }
        printf "\n  ],\n  \"summary\": {\"ok\": %d, \"known_red\": %d, \"regressed\": %d, \"skipped\": %d, \"error\": %d, \"not_run\": %d, \"fixed\": %d},\n", \
            count["ok"], count["known-red"], count["regressed"], count["skipped"], count["error"], count["not run"], count["fixed"] > js
        passed = count["regressed"] + count["error"] == 0
        printf "  \"passed\": %s\n}\n", (passed ? "true" : "false") > js

        printf "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>vfio-ct matrix</title>\n" > ht
        printf "<style>body{font-family:sans-serif;margin:2em} table{border-collapse:collapse} td,th{border:1px solid #999;padding:6px 10px;vertical-align:top} .ok{background:#cfc} .known-red{background:#fe9} .regressed{background:#f99} .skipped{background:#ddd} .error{background:#f66} .notrun{background:#fff;color:#888} small{color:#333}</style></head><body>\n" > ht
        printf "<h1>vfio-ct matrix: %s</h1>\n<p id=\"summary\">%s</p>\n", (passed ? "no regression" : "REGRESSED"), hesc(summary) > ht
        printf "<table id=\"matrix\"><tr><th>host, kernel</th>" > ht
        for (j = 1; j <= nk[0]; j++) printf "<th>%s<br><small>%s</small></th>", hesc(K[j]), hesc(rels[K[j]]) > ht
        printf "</tr>\n" > ht
        for (i = 1; i <= nh[0]; i++) {
            printf "<tr><th>%s</th>", hesc(H[i]) > ht
            for (j = 1; j <= nk[0]; j++) {
                key = H[i] SUBSEP K[j]
                if (!(key in have)) { printf "<td class=\"notrun\">not run</td>" > ht; continue }
                printf "<td class=\"cell %s\"><a href=\"%s/report.html\"><b>%s%s</b></a><br><small>%s<br>%ss</small></td>", state[key], hesc(rel(dir[key])), state[key], fixed[key], hesc(counts(key)), w[key] > ht
            }
            printf "</tr>\n" > ht
        }
        printf "</table>\n<p>Each cell: state, pass/fail/skip, xfail (known kernel bugs, hosts/known-failures) and xpass (a known bug that did not show: fixed?), wall time; it links to that cell&apos;s report.html. %s</p>\n</body></html>\n", hesc(sprintf("Whole matrix %ss; cells %ss one after another.", wall, cellsum)) > ht
        exit (passed ? 0 : 1)
    }' "$out/.spec.all" "$out/.cells.all" || st=$?
rm -f "$out/.spec.all" "$out/.cells.all"
cat "$out/matrix.md"
exit "${st:-0}"
