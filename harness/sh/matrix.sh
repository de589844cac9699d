#!/bin/sh
# matrix.sh: run.sh --matrix.  Runs every host profile with every kernel, one
# guest at a time (the emulated hosts are CPU-bound: on a small machine two
# guests at once only make both slower and risk the idle watchdog), and
# writes a table: one row per host, one column per kernel, each cell
# "pass/fail/skip, wall time, results directory".
#
#   matrix.sh SPEC RESULTS BUILD RUNOPTS...
#
# SPEC is "[HOSTS] [x KERNELS]": comma- or space-separated host profile
# names and kernel specs; an empty side means every profile (hosts/*.conf)
# or the default kernels (Debian 6.1, 6.12, 7.2).  RESULTS is the matrix's
# results directory, BUILD 1 to build each architecture once first; RUNOPTS
# are passed to every cell's run.sh (--suite, --timeout, --idle, --accel).
# Output: the table on stdout and in RESULTS/matrix.md, the same as JSON in
# RESULTS/matrix.json, every cell's results under RESULTS/<host>/<kernel>/.
# Exit status: 0 when no cell failed (skipped cells do not fail), else 1.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
spec=$1 results=$2 build=$3
shift 3

default_kernels="debian:bookworm debian:bookworm-backports debian:sid"
say() { printf '# %s\n' "$*" >&2; }

# (" x " with spaces: host names such as qemu-x86_64-vtd hold an x)
case " $spec " in
    *" x "*) s=" $spec "; hosts=${s%%" x "*}; kernels=${s#*" x "} ;;
    *) hosts=$spec kernels="" ;;
esac
# Normalise both lists (words), then fill the defaults.
hosts=$(printf '%s' "$hosts" | tr ',' ' ' | xargs)
kernels=$(printf '%s' "$kernels" | tr ',' ' ' | xargs)
if [ -z "$hosts" ] || [ "$hosts" = all ]; then
    # Emulated hosts only: a `kind = local` profile is the machine itself.
    hosts=$(for f in "$top"/hosts/*.conf; do
                grep -Eq '^[[:space:]]*kind[[:space:]]*=[[:space:]]*local' "$f" || basename "$f" .conf
            done | xargs)
fi
[ -n "$kernels" ] && [ "$kernels" != all ] || kernels=$default_kernels
for h in $hosts; do
    [ -f "$top/hosts/$h.conf" ] || { printf 'run.sh: no host profile %s\n' "$h" >&2; exit 2; }
done

label() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+-' '_'; }
hostarch() { awk -v key=arch -f "$top/harness/sh/profile.awk" "$top/hosts/README.md" "$top/hosts/$1.conf"; }

mkdir -p "$results"
started=$(date +%s)
if [ "$build" = 1 ]; then
    for a in $(for h in $hosts; do hostarch "$h"; done | sort -u); do
        say "building (make ARCH=$a), log in $results/build-$a.log"
        make -C "$top" ARCH="$a" -j"$(nproc 2>/dev/null || echo 2)" all > "$results/build-$a.log" 2>&1 ||
            { tail -n 30 "$results/build-$a.log" >&2; say "build for $a failed"; exit 2; }
    done
fi

# cells.tsv: host kernel exit pass fail skip wall release dir
: > "$results/cells.tsv"
any_failed=0
# Ctrl-C: the running cell's run.sh stops its guest and keeps its results;
# the matrix then runs no further cell and writes the table of those that ran.
interrupted=""
trap 'interrupted=1' INT TERM HUP
for h in $hosts; do
    [ -z "$interrupted" ] || break
    for k in $kernels; do
        [ -z "$interrupted" ] || break
        dir="$results/$h/$(label "$k")"
        say "cell $h x $k"
        mkdir -p "$(dirname "$dir")"
        t0=$(date +%s)
        st=0
        "$top/run.sh" --host "$h" --kernel "$k" --no-build --results "$dir" "$@" \
            > "$dir.tap" 2> "$dir.log" || st=$?
        wall=$(($(date +%s) - t0))
        if [ -f "$dir/run.json" ]; then
            c=$(sed -n 's/.*"counts": {"pass": \([0-9]*\), "fail": \([0-9]*\), "skip": \([0-9]*\).*/\1 \2 \3/p' "$dir/run.json")
            rel=$(sed -n 's/.*"kernel_release": "\(.*\)",/\1/p' "$dir/run.json")
        else
            c="0 0 0" rel=""
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "$k" "$st" "$(printf '%s' "$c" | tr ' ' '\t')" "$wall" \
            "${rel:--}" >> "$results/cells.tsv"
        [ "$st" = 0 ] || any_failed=1
        say "  exit $st, pass/fail/skip $(printf '%s' "$c" | tr ' ' /), ${wall}s, $dir"
    done
done
total=$(($(date +%s) - started))
[ -z "$interrupted" ] || { any_failed=1; say "matrix interrupted: the table holds the cells that ran"; }

# The table (Markdown), from cells.tsv.  A cell: "P/F/S pass/fail/skip,
# Ns, dir"; "error" when the cell's run could not start (exit 2), "skipped"
# when every test skipped (an unsupported host).
awk -F '\t' -v hosts="$hosts" -v kernels="$kernels" -v total="$total" -v res="$results" '
    BEGIN { nh = split(hosts, H, " "); nk = split(kernels, K, " ") }
    { key = $1 SUBSEP $2; st[key] = $3; p[key] = $4; f[key] = $5; s[key] = $6; w[key] = $7; rel[key] = $8
      if ($8 != "-" && !(($2, $8) in seen)) { seen[$2, $8] = 1; rels[$2] = rels[$2] (rels[$2] == "" ? "" : ", ") $8 } }
    function lab(k) { gsub(/[^A-Za-z0-9._+-]/, "_", k); return k }
    END {
        printf "| host, kernel |"
        for (j = 1; j <= nk; j++) printf " %s |", K[j]
        printf "\n|---|"; for (j = 1; j <= nk; j++) printf "---|"; printf "\n"
        for (i = 1; i <= nh; i++) {
            printf "| %s |", H[i]
            for (j = 1; j <= nk; j++) {
                key = H[i] SUBSEP K[j]
                if (!(key in st)) { printf " not run |"; continue }
                if (st[key] == 2) v = "error"
                else if (p[key] + f[key] == 0 && s[key] > 0) v = "skipped " p[key] "/" f[key] "/" s[key]
                else v = (f[key] > 0 || st[key] != 0 ? "FAIL " : "ok ") p[key] "/" f[key] "/" s[key]
                printf " %s, %ss, %s/%s |", v, w[key], H[i], lab(K[j])
            }
            printf "\n"
        }
        printf "\nCells: pass/fail/skip counts, wall time, results directory (under %s).\n", res
        printf "Kernel releases:"
        for (j = 1; j <= nk; j++) printf " %s = %s;", K[j], (rels[K[j]] == "" ? "?" : rels[K[j]])
        printf "\nWhole matrix: %ss.\n", total
    }' "$results/cells.tsv" > "$results/matrix.md"

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
{
    printf '{\n  "results": %s,\n  "wall_seconds": %s,\n' "$(json_str "$results")" "$total"
    printf '  "hosts": ['; sep=""; for h in $hosts; do printf '%s%s' "$sep" "$(json_str "$h")"; sep=", "; done; printf '],\n'
    printf '  "kernels": ['; sep=""; for k in $kernels; do printf '%s%s' "$sep" "$(json_str "$k")"; sep=", "; done; printf '],\n'
    printf '  "cells": ['
    sep=""
    while IFS="$(printf '\t')" read -r h k st p f s w rel; do
        printf '%s\n    {"host": %s, "kernel": %s, "kernel_release": %s, "exit": %s, "pass": %s, "fail": %s, "skip": %s, "wall_seconds": %s, "results": %s}' \
            "$sep" "$(json_str "$h")" "$(json_str "$k")" "$(json_str "$rel")" "$st" "$p" "$f" "$s" "$w" \
            "$(json_str "$results/$h/$(label "$k")")"
        sep=","
    done < "$results/cells.tsv"
    printf '\n  ],\n  "passed": %s\n}\n' "$([ "$any_failed" = 0 ] && echo true || echo false)"
} > "$results/matrix.json"

cat "$results/matrix.md"
say "matrix in $results (matrix.md, matrix.json)"
[ "$any_failed" = 0 ]
