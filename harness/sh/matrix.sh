#!/bin/sh
# matrix.sh: run.sh --matrix.  Runs every host profile with every kernel,
# VCT_MATRIX_JOBS cells at a time (run.sh --jobs; default: the machine's
# cores, nproc: each TCG guest is one CPU-bound thread, so more guests than
# cores only make each slower and risk the idle watchdog), and writes a
# table: one row per host, one column per kernel, each cell
# "pass/fail/skip, wall time, results directory".
#
#   matrix.sh SPEC RESULTS BUILD RUNOPTS...
#
# SPEC is "[HOSTS] [x KERNELS]": comma- or space-separated host profile
# names and kernel specs; an empty side means every emulated conformance host (matrix-hosts.sh)
# or the default kernels (Debian 6.1, 6.12, 7.2).  RESULTS is the matrix's
# results directory, BUILD 1 to build each architecture once first; RUNOPTS
# are passed to every cell's run.sh (--suite, --timeout, --idle, --accel).
# Output: the table on stdout and in RESULTS/matrix.md, the same as JSON in
# RESULTS/matrix.json and HTML in RESULTS/matrix.html (merge.sh), every
# cell's results under RESULTS/<host>/<kernel>/.
# With VCT_MATRIX_SHARD=K/N (run.sh --shard) only shard K of N runs.  The
# table is the same whatever the number of jobs: its rows are in cell order.
# Exit status: 0 when no cell failed (skipped cells do not fail, nor do
# known-red ones: their only failures are known kernel bugs), else 1.
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
    hosts=$("$top/harness/sh/matrix-hosts.sh" | xargs)
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

# run_cell HOST KERNEL DIR: one cell's run.sh; its row of cells.tsv (host
# kernel exit pass fail skip wall release) in DIR.row.
run_cell() {
    ch=$1 ck=$2 cdir=$3
    shift 3
    t0=$(date +%s)
    st=0
    "$top/run.sh" --host "$ch" --kernel "$ck" --no-build --results "$cdir" "$@" \
        > "$cdir.tap" 2> "$cdir.log" || st=$?
    wall=$(($(date +%s) - t0))
    if [ -f "$cdir/run.json" ]; then
        c=$(sed -n 's/.*"counts": {"pass": \([0-9]*\), "fail": \([0-9]*\), "skip": \([0-9]*\).*/\1 \2 \3/p' "$cdir/run.json")
        rel=$(sed -n 's/.*"kernel_release": "\(.*\)",/\1/p' "$cdir/run.json")
    else
        c="0 0 0" rel=""
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$ch" "$ck" "$st" "$(printf '%s' "$c" | tr ' ' '\t')" "$wall" \
        "${rel:--}" > "$cdir.row"
    say "  $ch x $ck: exit $st, pass/fail/skip $(printf '%s' "$c" | tr ' ' /), ${wall}s, $cdir"
}

jobs=${VCT_MATRIX_JOBS:-$(nproc 2>/dev/null || echo 1)}
case "$jobs" in ''|0|*[!0-9]*) printf 'run.sh: --jobs wants a positive number, not %s\n' "$jobs" >&2; exit 2 ;; esac
# Ctrl-C reaches the running cells' run.sh (the terminal's process group):
# each stops its guest and keeps its results.  SIGTERM or SIGHUP to the
# matrix alone is passed on to them.  Either way no further cell starts and
# the table holds the cells that ran.
interrupted="" running=""
trap 'interrupted=1' INT
trap 'interrupted=1; for p in $running; do kill -TERM "$p" 2>/dev/null || true; done' TERM HUP
# reap: forget the cells that ended (running: their pids).
reap() {
    still=""
    for p in $running; do
        if kill -0 "$p" 2>/dev/null; then still="$still $p"; else wait "$p" 2>/dev/null || true; fi
    done
    running=$still
}
# --shard K/N (VCT_MATRIX_SHARD): only the cells whose index in host-major
# order, counted from 0, is K-1 modulo N (shard.sh).
cell=-1
: > "$results/cells.order"
say "$jobs cell(s) at a time (--jobs)"
for h in $hosts; do
    for k in $kernels; do
        cell=$((cell + 1))
        "$top/harness/sh/shard.sh" "${VCT_MATRIX_SHARD:-1/1}" "$cell" || continue
        while [ -z "$interrupted" ] && [ "$(printf '%s' "$running" | wc -w)" -ge "$jobs" ]; do
            sleep 1; reap
        done
        [ -z "$interrupted" ] || break 2
        dir="$results/$h/$(label "$k")"
        say "cell $h x $k"
        mkdir -p "$(dirname "$dir")"
        rm -f "$dir.row"
        run_cell "$h" "$k" "$dir" "$@" &
        running="$running $!"
        printf '%s\n' "$dir" >> "$results/cells.order"
    done
done
while [ -n "$(printf '%s' "$running" | tr -d ' ')" ]; do sleep 1; reap; done
# cells.tsv in cell order, whichever ended first.
: > "$results/cells.tsv"
any_failed=0
while IFS= read -r dir; do
    if [ -f "$dir.row" ]; then
        cat "$dir.row" >> "$results/cells.tsv"; rm -f "$dir.row"
        [ "$(cut -f3 "$results/cells.tsv" | tail -n 1)" = 0 ] || any_failed=1
    else
        any_failed=1
    fi
done < "$results/cells.order"
rm -f "$results/cells.order"
total=$(($(date +%s) - started))
[ -z "$interrupted" ] || { any_failed=1; say "matrix interrupted: the table holds the cells that ran"; }

# The table: matrix.md, matrix.json and matrix.html (merge.sh), from
# cells.tsv, each cell's run.json and matrix.spec (the whole matrix: what
# `run.sh --merge` of several shards puts together again).
{
    printf 'hosts\t%s\nkernels\t%s\nwall\t%s\n' "$hosts" "$kernels" "$total"
    [ -z "${VCT_MATRIX_SHARD:-}" ] || printf 'shard\t%s\n' "$VCT_MATRIX_SHARD"
} > "$results/matrix.spec"
"$top/harness/sh/merge.sh" "$results" "$results" || any_failed=1

say "matrix in $results (matrix.md, matrix.json, matrix.html)"
[ "$any_failed" = 0 ]
