#!/bin/sh
# report.sh RESULTS [BASELINE]: RESULTS/report.html, one HTML file that
# needs no network: first the qualification report (qualify.sh: verdict,
# platform, suites, failures with their diagnostics and kernel log, known
# kernel bugs, SKIPs), then the performance charts from RESULTS/metrics.json
# (and RESULTS/comparison.json when a baseline was compared): SVG charts
# drawn by gnuplot, inlined.
#   - pairs/s and GB/s against mapping size, per backend and backing
#   - CDFs of MAP_DMA / UNMAP_DMA latency (4 KiB and the largest size)
#   - the baseline comparison: ratio new/base with its interval, and a table
#   - the ABI fuzzer's calls per ioctl and answers by errno (a table)
set -eu
res=${1:?usage: report.sh RESULTS [BASELINE]}
base=${2:-}
m="$res/metrics.json"
# A run without measurements gets the qualification part only: the chart
# code below then reads nothing and draws nothing.
[ -f "$m" ] || m=/dev/null
command -v gnuplot > /dev/null 2>&1 || m=/dev/null
tmp="$res/work/report"
rm -rf "$tmp"; mkdir -p "$tmp"

# field extraction from the one-record-per-line JSON that metrics.sh writes
x() { awk -v want="$1" '
    function s(k) { return match($0, "\"" k "\":\"[^\"]*\"") ? substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5) : "" }
    function n(k) { return match($0, "\"" k "\":[-0-9.e+]+") ? substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3) : "" }
    function med() { return match($0, /"stats":\{"n":[0-9]+,"median":[-0-9.e+]+/) ? substr($0, RSTART, RLENGTH) : "" }
    /"key":"/ {
        md = med(); sub(/.*:/, "", md)
        if (want == "tput" && s("pattern") == "pairs" && (s("metric") == "pairs_per_s" || s("metric") == "gb_per_s"))
            print s("metric"), s("backend") "/" s("backing"), n("size"), md
        if (want == "kdma" && s("test") ~ /fio_maps_by_size/ &&
            (s("metric") == "dma_api_maps_per_s" || s("metric") == "io_per_s" || s("metric") == "vfio_pairs_per_s"))
            { split(s("test"), tp, "."); print s("metric"), s("backend") (s("metric") == "vfio_pairs_per_s" ? "-during-" tp[2] : ""), n("size"), md }
        if (want == "dmabench" && s("pattern") == "vs_dma_api" && s("metric") ~ /latency_us$/)
            { split(s("test"), tp, "."); print s("metric"), s("backend") (s("metric") ~ /^vfio_/ ? "-during-" tp[2] : ""), n("size"), md }
        if (want == "cdf" && s("pattern") == "pairs" && s("metric") ~ /latency/ && match($0, /"cdf":\[[^]]*\]/)) {
            c = substr($0, RSTART + 7, RLENGTH - 8)
            print s("metric"), s("backend") "/" s("backing"), n("size"), c
        }
    }' "$m"; }

x tput > "$tmp/tput"
x cdf > "$tmp/cdf"
# one data file per (metric, series): "size median"
awk '{ f = $1 "-" $2; gsub(/\//, "_", f); print $3, $4 >> (dir "/t-" f) }' dir="$tmp" "$tmp/tput"
maxsz=$(awk '{ if ($3 + 0 > m) m = $3 + 0 } END { print m + 0 }' "$tmp/cdf")

svg() { # svg NAME TITLE XLABEL YLABEL LOGSCALE PLOT...
    name=$1 title=$2 xl=$3 yl=$4 logs=$5; shift 5
    {
        echo "set terminal svg size 720,420 dynamic noenhanced font 'sans,11' background '#ffffff'"
        echo "set output '$tmp/$name.svg'"
        echo "set title \"$title\""; echo "set xlabel \"$xl\""; echo "set ylabel \"$yl\""
        echo "set key outside right top; set grid"
        [ -n "$logs" ] && echo "set logscale $logs"
        printf '%s\n' "$@"
    } > "$tmp/$name.gp"
    gnuplot "$tmp/$name.gp"
}

plots=""
for metric in pairs_per_s gb_per_s; do
    p="" sep=""
    for f in "$tmp"/t-"$metric"-*; do
        [ -f "$f" ] || continue
        series=${f##*/t-"$metric"-}; series=$(printf '%s' "$series" | tr _ /)
        p="$p$sep'$f' using 1:2 with linespoints title '$series'"; sep=", "
    done
    [ -n "$p" ] || continue
    if [ "$metric" = pairs_per_s ]; then yl="map+unmap pairs/s (median)"; else yl="GB/s mapped+unmapped (median)"; fi
    svg "tput-$metric" "$metric against mapping size" "mapping size (bytes)" "$yl" "xy" "plot $p"
    plots="$plots tput-$metric"
done
# Kernel DMA API (fio on the kernel-owned disk, stress/kdma) against VFIO.
x kdma > "$tmp/kdma"
if [ -s "$tmp/kdma" ]; then
    awk '{ f = $1 "-" $2; print $3, $4 >> (dir "/k-" f) }' dir="$tmp" "$tmp/kdma"
    p="" sep=""
    for f in "$tmp"/k-*; do
        series=${f##*/k-}
        case "$series" in
            dma_api_maps_per_s-*) t="${series#*-}: IOMMU map calls/s (DMA API)" ;;
            io_per_s-*) t="${series#*-}: I/Os/s (buffer map+unmap/s)" ;;
            *) t="VFIO ${series#*-} map+unmap pairs/s" ;;
        esac
        p="$p$sep'$f' using 1:2 with linespoints title '$t'"; sep=", "
    done
    svg kdma "kernel DMA API (fio, virtio-blk) against VFIO, by size" "I/O or mapping size (bytes)" \
        "per second (median)" "xy" "set key below" "plot $p"
    plots="$plots kdma"
fi
# The kernel's own DMA API in-kernel (dma_map_benchmark, stress/dmabench) beside VFIO.
x dmabench > "$tmp/dmabench"
if [ -s "$tmp/dmabench" ]; then
    awk '{ f = $1 "-" $2; print $3, $4 >> (dir "/d-" f) }' dir="$tmp" "$tmp/dmabench"
    p="" sep=""
    for f in "$tmp"/d-*; do
        series=${f##*/d-}
        case "$series" in
            dma_api_*) t="DMA API ${series#*-}: ${series%%_latency_us-*}" ;;
            *) t="VFIO ${series#*-}: ${series%%_latency_us-*}" ;;
        esac
        p="$p$sep'$f' using 1:2 with linespoints title '$t'"; sep=", "
    done
    svg dmabench "kernel DMA API (dma_map_benchmark) against VFIO: mean latency by size" "mapping size (bytes)" \
        "us per operation (median of reps)" "xy" "set key below" "plot $p"
    plots="$plots dmabench"
fi
for sz in 4096 "$maxsz"; do
    for metric in map_latency_us unmap_latency_us; do
        awk -v sz="$sz" -v mt="$metric" -v dir="$tmp" '
            $1 == mt && $3 == sz {
                f = $2; gsub(/\//, "_", f); f = dir "/c-" mt "-" sz "-" f
                n = split($4, v, ","); for (i = 1; i <= n; i++) print v[i], (i - 1) * 5 > f
                print f > (dir "/c-list-" mt "-" sz)
            }' "$tmp/cdf"
        [ -f "$tmp/c-list-$metric-$sz" ] || continue
        p="" sep=""
        while IFS= read -r f; do
            series=${f##*/c-"$metric"-"$sz"-}; series=$(printf '%s' "$series" | tr _ /)
            p="$p$sep'$f' using 1:2 with steps title '$series'"; sep=", "
        done < "$tmp/c-list-$metric-$sz"
        svg "cdf-$metric-$sz" "${metric%_us} CDF, $sz-byte mappings (all ops of all reps)" \
            "latency (us)" "percent of operations <= x" "x" "set yrange [0:100]" "plot $p"
        plots="$plots cdf-$metric-$sz"
    done
done

cmp="$res/comparison.json"
if [ -f "$cmp" ]; then
    awk '/"verdict"/ && /"ci": \[/ && /pairs_by_size\/(pairs_per_s|unmap_latency_us)\// {
            k = $0; sub(/.*"key": "/, "", k); sub(/".*/, "", k)
            r = $0; sub(/.*"ratio": /, "", r); sub(/,.*/, "", r)
            c = $0; sub(/.*"ci": \[/, "", c); sub(/\].*/, "", c); split(c, ci, ", ")
            n++; split(k, parts, "/"); t = parts[1]; sub(/^stress\./, "", t); sub(/\.pairs_by_size/, "", t)
            printf "%d %s %s %s \"%s %s %s %s\"\n", n, r, ci[1], ci[2], t, parts[2], parts[3], parts[6] > (dir "/cmp.dat")
        }' dir="$tmp" "$cmp"
    if [ -s "$tmp/cmp.dat" ]; then
        svg cmp "ratio new/base (median) with its bootstrap interval" "" "ratio" "" \
            "set xtics rotate by 60 right font ',7'" "set key off" \
            "plot '$tmp/cmp.dat' using 1:2:3:4:xtic(5) with yerrorbars pt 7, 1 with lines lt 0"
        plots="$plots cmp"
    fi
fi

# abifuzz_table METRICS: the ABI fuzzer's counts (suites/abifuzz: records
# of suite "abifuzz", metric "calls", "ok" or an errno's name, pattern the
# ioctl), summed per backend and ioctl over its tests: one row each, calls,
# ok and the answers by errno.  Nothing without such records (nor gnuplot
# needed: a table).
abifuzz_table() {
    [ -f "$1" ] || return 0
    awk '
        function s(k) { return match($0, "\"" k "\":\"[^\"]*\"") ? substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5) : "" }
        /"suite":"abifuzz"/ && match($0, /"values":\[[0-9]+\]/) {
            v = substr($0, RSTART + 10, RLENGTH - 11) + 0
            row = s("backend") "\t" s("pattern"); m = s("metric")
            if (!(row in seen)) { seen[row] = 1; rows[++nr] = row }
            if (m == "calls" || m == "ok") n[row, m] += v
            else { if (!((row, m) in n)) errs[row] = errs[row] (errs[row] == "" ? "" : " ") m; n[row, m] += v }
        }
        END {
            if (!nr) exit
            print "<h2>ABI fuzzer: calls per ioctl</h2>"
            print "<p>suites/abifuzz: calls made per ioctl and region access and their answers, summed over its tests (records of <code>metrics.json</code>, suite <code>abifuzz</code>).</p>"
            print "<table><tr><th>backend</th><th>ioctl</th><th>calls</th><th>ok</th><th>answers by errno</th></tr>"
            for (i = 1; i <= nr; i++) {
                r = rows[i]; split(r, p, "\t"); e = ""
                k = split(errs[r], en, " ")
                for (j = 1; j <= k; j++) e = e (j > 1 ? ", " : "") en[j] " " n[r, en[j]]
                printf "<tr><td>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%s</td></tr>\n", p[1], p[2], n[r, "calls"], n[r, "ok"], e
            }
            print "</table>"
        }' "$1"
}

"$(dirname "$0")/qualify.sh" "$res" > "$tmp/qualify.html"
{
    printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>vfio-ct report %s</title>\n' "$(basename "$res")"
    printf '<style>body{font-family:sans-serif;margin:2em;max-width:1100px} table{border-collapse:collapse;font-size:12px} td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top} .regressed{background:#fbb} .improved{background:#bfb}'
    printf ' section{margin-bottom:1.5em} #verdict{padding:0.5em 1em;border-radius:4px} #verdict.pass{background:#cfc} #verdict.known{background:#fe9} #verdict.fail{background:#f99} tr.fail td{background:#fdd} pre{background:#f4f4f4;padding:6px;font-size:11px;white-space:pre-wrap} .failure{border-left:4px solid #c00;padding-left:8px}</style></head><body>\n'
    printf '<h1>vfio-ct qualification report: %s</h1>\n' "$(basename "$res")"
    cat "$tmp/qualify.html"
    printf '<section id="performance"><h2>Performance</h2>\n'
    if [ -z "$plots" ]; then
        printf '<p>No performance charts: %s.</p>\n' "$([ -f "$res/metrics.json" ] && echo 'gnuplot is not installed (deps.sh report)' ||
            echo 'no measurements in this run (the stress suite writes metrics.json)')"
    else
        printf '<p>Run <b>%s</b>' "$(basename "$res")"
        [ -n "$base" ] && printf ', compared with baseline <b>%s</b>' "$(basename "$base")"
        printf '. Source data: <code>metrics.json</code>%s. Charts drawn by gnuplot.</p>\n' \
            "$([ -f "$cmp" ] && echo ', <code>comparison.json</code>')"
    fi
    for p in $plots; do
        printf '<div>\n'
        # the SVG inline, without its XML prologue
        sed '1,/<svg/{/<svg/!d}' "$tmp/$p.svg"
        printf '</div>\n'
    done
    if [ -s "$tmp/kdma" ]; then
        printf '<h2>Kernel DMA API against VFIO</h2>\n<p>stress/kdma: fio random reads (O_DIRECT, psync, depth 1) on a virtio-blk disk behind the same vIOMMU; IOMMU map calls per I/O counted with the iommu:map tracepoint in a separate run, times the untraced IOPS. strict = group type DMA, lazy = DMA-FQ.</p>\n'
        printf '<table><tr><th>metric</th><th>series</th><th>size</th><th>median /s</th></tr>\n'
        sort -k3,3n -k1,1 "$tmp/kdma" | awk '{ printf "<tr><td>%s</td><td>%s</td><td>%s</td><td>%.0f</td></tr>\n", $1, $2, $3, $4 }'
        printf '</table>\n'
    fi
    if [ -s "$tmp/dmabench" ]; then
        printf '<h2>Kernel DMA API in-kernel against VFIO</h2>\n<p>stress/dmabench: the kernel'"'"'s dma_map_benchmark (one thread, dma_map_single + dma_unmap_single of the size) on a device bound to the dma_map_benchmark driver, its group'"'"'s domain strict (DMA) or lazy (DMA-FQ); VFIO type1v2 MAP_DMA + UNMAP_DMA of the same size on another device, same boot. Mean us per operation, median over repetitions.</p>\n'
        printf '<table><tr><th>size</th><th>metric</th><th>series</th><th>us</th></tr>\n'
        sort -k3,3n -k1,1 -k2,2 "$tmp/dmabench" | awk '{ printf "<tr><td>%s</td><td>%s</td><td>%s</td><td>%.1f</td></tr>\n", $3, $1, $2, $4 }'
        printf '</table>\n'
    fi
    abifuzz_table "$res/metrics.json"
    if [ -f "$cmp" ]; then
        printf '<h2>Baseline comparison</h2>\n<p>%s</p>\n' "$(sed -n 's/.*"method": "\(.*\)",$/\1/p' "$cmp")"
        printf '<table><tr><th>verdict</th><th>metric key</th><th>base median</th><th>new median</th><th>ratio</th><th>interval</th><th>worse %%</th></tr>\n'
        awk '/"verdict"/ {
            k = $0; sub(/.*"key": "/, "", k); sub(/".*/, "", k)
            v = $0; sub(/.*"verdict": "/, "", v); sub(/".*/, "", v)
            g = "base_median new_median ratio worse_pct"; split(g, names, " ")
            for (i = 1; i <= 4; i++) { f = $0; if (sub(".*\"" names[i] "\": ", "", f)) { sub(/[,}].*/, "", f); val[i] = f } else val[i] = "" }
            c = $0; if (sub(/.*"ci": \[/, "", c)) sub(/\].*/, "", c); else c = ""
            printf "<tr class=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>[%s]</td><td>%s</td></tr>\n", v, v, k, val[1], val[2], val[3], c, val[4]
        }' "$cmp"
        printf '</table>\n'
    fi
    printf '</section>\n</body></html>\n'
} > "$res/report.html"
echo "report: $res/report.html"
