# shellcheck shell=sh disable=SC2154,SC2034
# metrics.sh: performance records (harness/metrics.h) from guest to results.
# Sourced by guest.sh (metrics_send) and by run.sh (the rest).
#
# Guest: each program appends JSON lines to $VCT_METRICS; after it exits,
# metrics_send ships every line as a record "@metric LINE" and empties the
# file.  Host: collect.sh appends each record's LINE to $work/metrics.jsonl;
# metrics_write turns that into results/<run>/metrics.json (a JSON array,
# each record completed with run_id, host_profile, arch, kernel_release and
# qemu); metrics_compare and metrics_report are in perf.sh.

VCT_METRICS_FILE=${VCT_METRICS_FILE:-/tmp/vct-metrics.jsonl}

# metrics_send: (guest) ship the records the last program wrote.
metrics_send() {
    [ -s "$VCT_METRICS_FILE" ] || return 0
    while IFS= read -r l; do
        case "$l" in "{"*"}") emit "@metric $l" ;; esac
    done < "$VCT_METRICS_FILE"
    : > "$VCT_METRICS_FILE"
}

# metrics_write JSONL OUT RUN_ID PROFILE ARCH RELEASE QEMU: (host) the array.
metrics_write() {
    awk -v run="$3" -v prof="$4" -v arch="$5" -v rel="$6" -v qemu="$7" '
        function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
        BEGIN { printf "[" }
        /^\{.*\}$/ {
            printf "%s\n  %s,\"run_id\":%s,\"host_profile\":%s,\"arch\":%s,\"kernel_release\":%s,\"qemu\":%s}",
                (n++ ? "," : ""), substr($0, 1, length($0) - 1), q(run), q(prof), q(arch), q(rel), q(qemu)
        }
        END { printf "%s]\n", (n ? "\n" : "") }' "$1" > "$2"
}
