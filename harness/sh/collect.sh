# shellcheck shell=sh disable=SC2154,SC2034
# (sourced by run.sh: its variables are set there, and these set its state)
# collect.sh: the host side of the guest channel, sourced by run.sh.
#
# Reads the guest's records (see guest.sh) as they arrive, prints one
# progress line per test on stderr, turns each finished program into its
# TAP file (collate.awk) and its block of the run's TAP on stdout, adds the
# set-up block first and the teardown block (teardown.awk: splats between
# programs and in the guest's teardown) last, and at the end writes
# junit.xml, dmesg.log and run.json.  Uses from run.sh:
# $work $results $stream $kmsg $VCT_TOP $BUILD $host $arch $kernel_spec.

# shellcheck source=harness/sh/phases.sh
. "$VCT_TOP/harness/sh/phases.sh"

# collect_init PROGRAMS: PROGRAMS are build paths, one per line.
collect_init() {
    printf '%s\n' "$1" | sed -e "s|^$BUILD/||" -e '/^$/d' > "$work/programs"
    nprog=$(($(wc -l < "$work/programs") + 2))  # +2: the set-up and teardown blocks
    records_done=0 guest_done=0 run_failed=0 top_n=0 setup_done=0
    : > "$work/finalized"
    : > "$work/times"
    : > "$results/combined.tap"
    top_line "TAP version 13"
    top_line "1..$nprog"
}

# top_line LINE: a line of the run's TAP, to stdout and combined.tap.
top_line() {
    printf '%s\n' "$1"
    printf '%s\n' "$1" >> "$results/combined.tap"
}

# top_result FILE AREA NAME RC: the block for one program's TAP FILE.
top_result() {
    top_n=$((top_n + 1))
    top_line "# selftests: $2: $3"
    sed 's/^/# /' "$1" | while IFS= read -r l; do top_line "$l"; done
    if grep -q '^not ok ' "$1" || { [ "$4" != 0 ] && [ "$4" != 4 ]; }; then
        run_failed=1
        top_line "not ok $top_n selftests: $2: $3 # exit=$4"
    elif [ "$4" = 4 ] || ! grep -q '^ok [0-9]* [^#]*$' "$1"; then
        top_line "ok $top_n selftests: $2: $3 # SKIP"
    else
        top_line "ok $top_n selftests: $2: $3"
    fi
}

# The guest set-up (module loading, device binding, boot-time kernel log)
# reported as the first block, so that a set-up failure is a red run.
finish_setup() {
    [ "$setup_done" = 1 ] && return 0
    setup_done=1
    f="$results/tap/00-setup.tap"
    awk -v reason="$1" '
        function res(ok, what, detail) {
            lines[++nl] = (ok ? "ok " : "not ok ") (++n) " " what
            if (detail != "") lines[++nl] = "# " detail
        }
        $1 == "@boot" { booted = 1; res(1, "setup.guest_booted", "Linux " $2) }
        $1 == "@setup" {
            rest = $0; sub(/^@setup [a-z]+ [^ ]+ [^ ]+ ?/, "", rest)
            res($2 == "ok", "setup." $3 "." $4, rest)
        }
        END {
            if (!booted) res(0, "setup.guest_booted", reason != "" ? reason : "no @boot record")
            print "TAP version 13"; print "1.." n
            for (i = 1; i <= nl; i++) print lines[i]
        }' "$stream" > "$f"
    # Splats before the first program ran, by phase (splat.awk's WHERE):
    # give the kernel log's own channel a moment to reach the first
    # program's marker, so that a late binding splat is not missed.
    first=$(head -n 1 "$work/programs")
    i=0
    while [ -z "$1" ] && [ -n "$first" ] && [ $i -lt 10 ] &&
          ! grep -qF "vfio-ct: program begin $first" "$kmsg"; do
        sleep 0.5; i=$((i + 1))
    done
    splats_now "$1"
    n=$(sed -n 's/^1\.\.//p' "$f")
    : > "$f.more"
    for ph in boot:boot modules:module_load bind:binding; do
        n=$((n + 1))
        awk -F '\t' -v w="${ph%%:*}" '$2 == w { t = $0; sub(/^[^\t]*\t[^\t]*\t[^\t]*\t/, "", t); print "#   " t }' "$work/splats" | head -n 48 > "$work/phase"
        if [ -s "$work/phase" ]; then
            { echo "not ok $n setup.kernel_log_clean_during_${ph#*:}"
              echo "# vfio-ct: the kernel logged this during ${ph#*:}:"; cat "$work/phase"; } >> "$f.more"
        else
            echo "ok $n setup.kernel_log_clean_during_${ph#*:}" >> "$f.more"
        fi
    done
    { sed "s/^1\.\.[0-9]*$/1..$n/" "$f"; cat "$f.more"; } > "$f.new"
    mv "$f.new" "$f"; rm -f "$f.more"
    top_result "$f" setup guest 0
}

# splats_now REASON: $work/splats, what splat.awk finds in the kernel log so
# far.  When the guest did not finish (REASON), the console's lines are
# added: the userspace pump that streams /dev/kmsg stops when the kernel
# panics, the console still prints the panic (and the markers, at the
# default level, so the panic is attributed to its test).
splats_now() {
    awk -f "$VCT_TOP/harness/sh/splat.awk" "$kmsg" > "$work/splats"
    if [ -n "$1" ] && [ -s "$results/console.log" ]; then
        awk -f "$VCT_TOP/harness/sh/splat.awk" "$results/console.log" >> "$work/splats"
        awk '!seen[$0]++' "$work/splats" > "$work/splats.new"
        mv "$work/splats.new" "$work/splats"
    fi
}

# finish_program REL RC REASON: collate one program and print its block.
finish_program() {
    grep -qxF "$1" "$work/finalized" && return 0
    finish_setup "$3"
    # The kernel log travels on its own channel: give it a moment to catch
    # up with the program's end marker so a late splat is not missed.
    i=0
    while [ -z "$3" ] && [ $i -lt 10 ] && ! grep -qF "vfio-ct: program end $1" "$kmsg"; do
        sleep 0.5; i=$((i + 1))
    done
    area=${1#suites/}; area=${area%%/*}
    name=$(basename "$1")
    f="$results/tap/$area.$name.tap"
    splats_now "$3"
    awk -v prog="$1" -v reason="$3" -f "$VCT_TOP/harness/sh/collate.awk" "$work/splats" "$stream" > "$f"
    printf '%s\n' "$1" >> "$work/finalized"
    # Known kernel bugs (hosts/known-failures) become XFAIL, fixed ones XPASS.
    rc=$("$VCT_TOP/harness/sh/known.sh" "$f" "$2" "$host" "${release:-}")
    top_result "$f" "$area" "$name" "$rc"
}

# collect_new_records: act on the complete lines that arrived since last time.
collect_new_records() {
    n=$(wc -l < "$stream")
    [ "$n" -gt "$records_done" ] || return 0
    sed -n "$((records_done + 1)),${n}p" "$stream" > "$work/new"
    records_done=$n
    while IFS= read -r rec; do
        case "$rec" in
            "@boot "*) say "guest up: Linux ${rec#@boot } after $(($(date +%s) - started))s" ;;
            "@setup fail "*) say "set-up failed: ${rec#@setup fail }" ;;
            "@note "*) say "${rec#@note }" ;;
            "@begin "*) finish_setup ""; say "running ${rec#@begin }" ;;
            "@end "*) r=${rec#@end }; finish_program "${r% *}" "${r##* }" "" ;;
            "@done") guest_done=1 ;;
            "@time "*) printf '%s\n' "${rec#@time }" >> "$work/times"
                       r=${rec#@time }; say "${r% *} took ${r##* }s" ;;
            "@metric "*) printf "%s\n" "${rec#@metric }" >> "$work/metrics.jsonl" ;;
            T\ *) line=${rec#T * }
                  case "$line" in
                      "ok "*|"not ok "*) printf '%s\n' "$line" | sed 's/^/  /' >&2 ;;
                      "# progress: "*) printf '%s\n' "$line" | sed 's/^# progress: /  /' >&2 ;;
                      "# @qmp "*) qmp_request "${line#\# @qmp }" ;;
                  esac ;;
        esac
    done < "$work/new"
}

# finish_teardown REASON: the run's last block (teardown.awk): the splats
# logged between programs and during the guest's teardown.  A local run's
# kernel log is still streaming: give it a moment to reach the teardown.
finish_teardown() {
    i=0
    while [ -z "$1" ] && [ $i -lt 10 ] && ! grep -qF "vfio-ct: phase teardown" "$kmsg"; do
        sleep 0.5; i=$((i + 1))
    done
    splats_now "$1"
    f="$results/tap/zz-teardown.tap"
    awk -v reason="$1" -f "$VCT_TOP/harness/sh/teardown.awk" "$work/splats" > "$f"
    # a known kernel bug's splat at teardown (hosts/known-failures) is XFAIL
    rc=$("$VCT_TOP/harness/sh/known.sh" "$f" 0 "$host" "${release:-}")
    top_result "$f" teardown guest "$rc"
}

# collect_finish REASON: programs that never ended get results with REASON.
# A guest that died of a kernel splat says which in REASON (and in run.sh's
# $reason, which run.json keeps): the first panic, oops or BUG line of the
# kernel log or console.
collect_finish() {
    if [ -n "$1" ]; then
        splats_now "$1"
        died_of=$(awk -F '\t' '$1 ~ /^(panic|oops|gpf|bug|kernel_bug|unable_to_handle|internal_error|soft_lockup|hard_lockup|rcu_stall|hung_task|oom)$/ {
                  t = $0; sub(/^[^\t]*\t[^\t]*\t[^\t]*\t/, "", t)
                  if ($1 == "panic" && p == "") p = t
                  if (f == "") f = t }
              END { print (p != "" ? p : f) }' "$work/splats")
        if [ -n "$died_of" ]; then
            set -- "$1; the kernel logged: $died_of"
            reason=$1
            say "the kernel logged: $died_of"
        fi
    fi
    finish_setup "$1"
    while IFS= read -r rel; do
        grep -qxF "$rel" "$work/finalized" && continue
        finish_program "$rel" 255 "${1:-guest stopped}"
    done < "$work/programs"
    finish_teardown "$1"
}

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr -d '\n')"; }

# results_write RELEASE ORIGIN QEMU START_ISO SECONDS REASON
results_write() {
    # dmesg.log: the kernel log as text, "[seconds] message".
    awk '/^ / { next }
         { h = $0; sub(/;.*/, "", h); t = $0; sub(/^[^;]*;/, "", t)
           split(h, f, ","); printf "[%6d.%06d] %s\n", f[3] / 1000000, f[3] % 1000000, t }' \
        "$kmsg" > "$results/dmesg.log"
    # sysfs/: what the guest's IOMMU groups looked like (see guest.sh).
    awk -v dir="$results/sysfs/iommu_groups" '
        $1 == "@sysfs" {
            d = dir "/" $2
            if (!(d in made)) { system("mkdir -p \"" d "\""); made[d] = 1 }
            line = $0; sub(/^@sysfs [0-9]+ [a-z_]+ /, "", line)
            print line > (d "/" $3)
        }' "$stream"
    # junit.xml from the per-program TAP, by prove and TAP::Formatter::JUnit.
    "$VCT_TOP/harness/sh/junit.sh" "$results" "$kmsg"
    # xfail and xpass include the known kernel bugs (hosts/known-failures),
    # which xfail_known and xpass_known count apart.
    counts=$(cat "$results"/tap/*.tap | awk '
        /^ok / && /# SKIP/ { s++; next }
        /^ok / && /# XFAIL/ { xf++; if (/# XFAIL known kernel bug/) xfk++; next }
        /^ok / && /# XPASS/ { xp++; if (/# XPASS fixed\? known kernel bug/) xpk++; next }
        /^ok / { p++; next } /^not ok / { f++ }
        END { printf "%d %d %d %d %d %d %d", p, f, s, xf, xp, xfk, xpk }')
    # shellcheck disable=SC2086 # seven numbers, split on purpose
    set -- "$@" $counts
    {
        printf '{\n'
        printf '  "run_id": %s,\n' "$(json_str "$(basename "$results")")"
        printf '  "host_profile": %s,\n' "$(json_str "$host")"
        printf '  "arch": %s,\n' "$(json_str "$arch")"
        # The machine itself, for a local host (local.sh local_host_json).
        [ -z "${run_host_json:-}" ] || printf '  "host": %s,\n' "$run_host_json"
        printf '  "kernel_spec": %s,\n' "$(json_str "$kernel_spec")"
        printf '  "kernel_release": %s,\n' "$(json_str "$1")"
        printf '  "kernel_origin": %s,\n' "$(json_str "$2")"
        printf '  "qemu": %s,\n' "$(json_str "$3")"
        printf '  "accel": %s,\n' "$(json_str "${accel:-}")"
        # the guest says so itself (guest.sh: @clock virtual, run.sh --icount)
        printf '  "guest_clock": "%s",\n' "$(grep -qx '@clock virtual' "${stream:-/dev/null}" && echo virtual || echo real)"
        printf '  "start": %s,\n' "$(json_str "$4")"
        printf '  "end": %s,\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
        printf '  "wall_seconds": %s,\n' "$5"
        printf '  "complete": %s,\n' "$([ -z "$6" ] && echo true || echo false)"
        printf '  "incomplete_reason": %s,\n' "$(json_str "$6")"
        printf '  "counts": {"pass": %s, "fail": %s, "skip": %s, "xfail": %s, "xpass": %s, "xfail_known": %s, "xpass_known": %s},\n' \
            "$7" "$8" "$9" "${10}" "${11}" "${12}" "${13}"
        printf '  "programs": ['
        sep=""
        for f in "$results"/tap/*.tap; do
            # tap/AREA.NAME.tap is suites/AREA/NAME; its guest run time, if it ran.
            b=$(basename "$f" .tap)
            secs=$(awk -v p="suites/${b%%.*}/${b#*.}" '$1 == p { print $2 }' "$work/times" 2>/dev/null)
            printf '%s\n    {"tap": %s, "seconds": %s, ' "$sep" "$(json_str "tap/$(basename "$f")")" "${secs:-null}"
            awk '/^ok / && /# SKIP/ { s++; next }
                 /^ok / && /# XFAIL/ { x++; if (/# XFAIL known kernel bug/) xk++; next }
                 /^ok / && /# XPASS/ { xp++; if (/# XPASS fixed\? known kernel bug/) xpk++; next }
                 /^ok / { p++; next } /^not ok / { f++ }
                 END { printf "\"pass\": %d, \"fail\": %d, \"skip\": %d, \"xfail\": %d, \"xpass\": %d, \"xfail_known\": %d, \"xpass_known\": %d}", p, f, s, x, xp, xk, xpk }' "$f"
            sep=","
        done
        printf '\n  ],\n'
        # Where the time went (phases.sh; written again when the run ends).
        printf '  "phases": %s,\n' "$(phases_json)"
        printf '  "passed": %s\n' "$([ "$run_failed" = 0 ] && echo true || echo false)"
        printf '}\n'
    } > "$results/run.json"
    say "pass $7, fail $8, skip $9, xfail ${10} (known kernel bugs ${12}), xpass ${11} (fixed? ${13}) in $5s"
    results_written=1
}

# collect_unsupported PROGRAMS REASON: results for a host that is not booted.
# Each program's tests (from --vct-list when the build runs here, else one
# line per program) become SKIPs with REASON; so does the set-up block.
collect_unsupported() {
    collect_init "$1"
    f="$results/tap/00-setup.tap"
    printf 'TAP version 13\n1..1\nok 1 setup.guest_booted # SKIP %s\n' "$2" > "$f"
    top_result "$f" setup guest 4
    while IFS= read -r rel; do
        area=${rel#suites/}; area=${area%%/*}
        name=$(basename "$rel")
        f="$results/tap/$area.$name.tap"
        # The test names come from the sources: a native build of the same
        # program lists them when the guest's build cannot run here.
        native="$VCT_TOP/build/$("$VCT_TOP/harness/sh/arch.sh")/$rel"
        if [ "$arch" = "$("$VCT_TOP/harness/sh/arch.sh")" ]; then
            "$BUILD/$rel" --vct-list > "$work/tests" 2>/dev/null || : > "$work/tests"
        elif [ -x "$native" ]; then
            "$native" --vct-list > "$work/tests" 2>/dev/null || : > "$work/tests"
        else
            : > "$work/tests"
        fi
        [ -s "$work/tests" ] || printf '%s.%s\n' "$area" "$name" > "$work/tests"
        awk -v r="$2" 'BEGIN { print "TAP version 13" }
            { t[NR] = $0 } END { print "1.." NR; for (i = 1; i <= NR; i++) print "ok " i " " t[i] " # SKIP " r }' \
            "$work/tests" > "$f"
        printf '%s\n' "$rel" >> "$work/finalized"
        top_result "$f" "$area" "$name" 4
    done < "$work/programs"
    f="$results/tap/zz-teardown.tap"
    awk -v skip="$2" -f "$VCT_TOP/harness/sh/teardown.awk" /dev/null > "$f"
    top_result "$f" teardown guest 4
}
