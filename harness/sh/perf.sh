# shellcheck shell=sh disable=SC2154,SC2034
# perf.sh: the runner's performance options (--stress, --duration,
# --baseline, --fail-on-regression), sourced by run.sh.  Uses run.sh's
# variables ($stress $duration $baseline $fail_pct $suites $results $work
# $host $arch $VCT_TOP) and sets perf_failed.
#
#   metrics.json     every record the guest sent (metrics.sh)
#   comparison.json  with --baseline: verdict per metric (compare.awk)
#   report.html      charts drawn by gnuplot (report.sh), when it is installed

# shellcheck source=harness/sh/metrics.sh
. "$VCT_TOP/harness/sh/metrics.sh"
perf_failed=0

perf_options() {
    if [ -n "$duration" ]; then
        is_count "$duration" || usage_error "--duration wants a positive number of seconds, not '$duration'"
    fi
    if [ -n "$fail_pct" ]; then
        [ -n "$baseline" ] || [ -n "$ab_a" ] || usage_error "--fail-on-regression needs --baseline or --ab"
        case "$fail_pct" in ''|*[!0-9.]*|*.*.*) usage_error "--fail-on-regression wants a percentage, not '$fail_pct'" ;; esac
    fi
    if [ -n "$baseline" ]; then
        [ -f "$baseline/metrics.json" ] || usage_error "--baseline: no metrics.json in '$baseline'"
        baseline=$(cd "$baseline" && pwd)
    fi
    # The soak runs only when asked for: it has no fixed length of its own.
    if [ -z "$suites" ] && { [ -n "$stress" ] || [ -n "$duration" ]; }; then
        suites=stress
    fi
    if [ -n "$duration" ]; then
        case ",$suites," in *,stress,*|*,stress/soak,*) ;; *) suites="${suites:+$suites,}stress/soak" ;; esac
    fi
    # The soak's timeout: its duration plus the guest's own set-up margin.
    if [ -n "$duration" ] && [ "$timeout" -lt $((duration + 600)) ]; then
        timeout=$((duration + 600))
    fi
}

# perf_env: lines for the guest's env file.
perf_env() {
    printf "VCT_STRESS='%s'\n" "${stress:-short}"
    printf "VCT_SOAK_SECS='%s'\n" "${duration:-0}"
    printf 'export VCT_STRESS VCT_SOAK_SECS\n'
    # suites/abifuzz's budget, seed and trace, from the host's environment
    # (a failure's seed replays: VCT_ABIFUZZ_SEED=N ./run.sh --suite abifuzz).
    for v in VCT_ABIFUZZ_SEED VCT_ABIFUZZ_SECONDS VCT_ABIFUZZ_CALLS VCT_ABIFUZZ_TRACE; do
        eval "val=\${$v:-}"
        [ -n "$val" ] || continue
        is_count "$val" || usage_error "$v wants a number, not '$val'"
        printf "%s='%s'\nexport %s\n" "$v" "$val" "$v"
    done
}

# perf_finish RELEASE QEMU_VERSION: metrics.json, comparison.json, and
# report.html for every run (its qualification part needs no metrics).
perf_finish() {
    if [ -s "$work/metrics.jsonl" ] || [ -n "$baseline" ]; then perf_metrics "$@"; fi
    if [ -s "$results/metrics.json" ]; then
        "$VCT_TOP/harness/sh/deps.sh" report > "$work/deps-report.log" 2>&1 || true
        command -v gnuplot > /dev/null 2>&1 ||
            say "gnuplot not installed (deps.sh report): report.html has no charts"
    fi
    "$VCT_TOP/harness/sh/report.sh" "$results" "${baseline:-}" > "$work/report.log" 2>&1 ||
        say "report.html not written: see $work/report.log"
    if [ -f "$results/report.html" ]; then say "report: $results/report.html"; fi
    return 0
}

perf_metrics() {
    touch "$work/metrics.jsonl"
    metrics_write "$work/metrics.jsonl" "$results/metrics.json" "$(basename "$results")" \
        "$host" "$arch" "$1" "$2"
    say "metrics: $(grep -c '"key"' "$results/metrics.json") records in $results/metrics.json"
    if [ -n "$baseline" ]; then
        st=0
        awk -v seed=20251125 -v fail_pct="${fail_pct:-}" -v out="$results/comparison.json" \
            -v base_run="$(basename "$baseline")" -v new_run="$(basename "$results")" \
            -f "$VCT_TOP/harness/sh/records.awk" -f "$VCT_TOP/harness/sh/compare.awk" "$baseline/metrics.json" "$results/metrics.json" >&2 || st=$?
        case "$st" in
            0) ;;
            3) perf_failed=1; say "regression beyond ${fail_pct}% (see comparison.json)" ;;
            *) perf_failed=1; say "comparison failed (compare.awk exit $st)" ;;
        esac
    fi
}

# perf_guest: what the stress suite adds to the guest, when the run includes
# stress programs and the profile names a kernel-owned disk (`kdisk`: QEMU
# arguments of a disk behind the same vIOMMU, `kdisk_modules`: its driver):
# fio (host binary and libraries, deps.sh fio; for a guest of another
# architecture Debian's fio of that architecture with its libraries,
# guesttools.sh) and that disk, for suites/stress/kdma (kernel DMA-API map
# rate) and fio pressure in the soak.
# Sets perf_tools, perf_qemu, perf_modules.
perf_guest() {
    perf_tools="" perf_qemu="" perf_modules=""
    # fio serves stress/kdma and the soak's pressure only (not stress/maps).
    case "$(programs)" in */suites/stress/kdma*|*/suites/stress/soak*) ;; *) return 0 ;; esac
    # fio and its ~60 libraries double the initramfs and the boot time: only
    # runs that ask for performance work carry them (--stress, --duration, or
    # a --suite naming stress); elsewhere stress.kdma SKIPs and says so.
    if [ "$stress" != full ] && [ -z "$duration" ]; then
        case ",$suites," in *,stress,*|*,stress/*) ;; *) return 0 ;; esac
    fi
    kd=$(prof kdisk)
    [ -n "$kd" ] || return 0
    if [ "$arch" != "$("$VCT_TOP/harness/sh/arch.sh")" ]; then
        if ! "$VCT_TOP/harness/sh/guesttools.sh" "$arch" "$CACHE" fio > "$work/deps-fio.log" 2>&1; then
            say "no $arch fio could be fetched (guesttools.sh, $work/deps-fio.log): no kernel DMA-API comparison"
            return 0
        fi
    elif ! "$VCT_TOP/harness/sh/deps.sh" fio > "$work/deps-fio.log" 2>&1; then
        say "fio could not be installed (deps.sh fio): no kernel DMA-API comparison"
        return 0
    fi
    perf_tools=fio perf_qemu=$kd perf_modules=$(prof kdisk_modules)
}
