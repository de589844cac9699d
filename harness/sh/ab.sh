# shellcheck shell=sh disable=SC2154,SC2034
# ab.sh: A/B inside one boot (run.sh --ab DIR_A DIR_B [--rounds R] [--trials T]).
#
# The guest boots with build A of the modules (as --modules DIR_A), carries
# build B's modules too (/vfio-ct/ab/A, /vfio-ct/ab/B), and runs each
# selected program (default stress/maps, only its tests named in
# $VCT_AB_TESTS: comma-separated test names, or full names FIXTURE.VARIANT.TEST
# for one variant; default loop_overhead) in T trials of R rounds; a round
# measures both builds, A then B in odd rounds and B then A in even ones
# (ABBA: a linear drift of the machine's speed cancels), and before every
# measurement the swapped modules - DIR_A's .ko names, which DIR_B must
# hold too - and whatever holds them are unloaded and the measured build's
# reloaded (devices bound to vfio-pci are reprobed when vfio-pci was).  Each
# metric record the programs write is tagged "ab_build", "ab_trial",
# "ab_round"; the host turns them into verdicts with ab.awk (ab.json, one
# "ab_verdict" record per metric in metrics.json, the exit status).
#
# Host half (sourced by run.sh, using its variables): ab_options, ab_env,
# ab_initramfs, ab_finish.  Guest half (sourced by guest.sh): ab_listed,
# ab_guest.  Nothing here runs when --ab is not given.

ab_a="" ab_b="" ab_rounds="" ab_trials=""

# ---- host ---------------------------------------------------------------------
# ab_options: check --ab/--rounds/--trials; the run boots build A.
ab_options() {
    if [ -z "$ab_a" ]; then
        [ -z "$ab_rounds$ab_trials" ] || usage_error "--rounds and --trials need --ab"
        return 0
    fi
    [ -d "$ab_a" ] || usage_error "--ab: '$ab_a' is not a directory"
    [ -d "$ab_b" ] || usage_error "--ab: '$ab_b' is not a directory"
    [ -z "$moddir" ] || usage_error "--ab takes its modules from DIR_A and DIR_B: no --modules with it"
    [ -z "$baseline" ] || usage_error "--ab compares inside one boot: no --baseline with it"
    [ -z "$duration" ] || usage_error "--ab runs no soak: no --duration with it"
    : "${ab_rounds:=12}" "${ab_trials:=1}"
    is_count "$ab_rounds" && [ "$ab_rounds" -ge 3 ] || usage_error "--rounds wants a number >= 3, not '$ab_rounds'"
    is_count "$ab_trials" || usage_error "--trials wants a positive number, not '$ab_trials'"
    [ "$(awk -v key=kind -f "$VCT_TOP/harness/sh/profile.awk" "$VCT_TOP/hosts/README.md" "$VCT_TOP/hosts/$host.conf" 2>/dev/null)" != local ] ||
        usage_error "--ab needs an emulated host (it reloads the VFIO modules between rounds)"
    ab_a=$(cd "$ab_a" && pwd) ab_b=$(cd "$ab_b" && pwd)
    [ -n "$(ab_names "$ab_a")" ] || usage_error "--ab: no .ko files under '$ab_a'"
    [ "$(ab_names "$ab_a")" = "$(ab_names "$ab_b")" ] ||
        usage_error "--ab: '$ab_a' and '$ab_b' must hold the same modules ($(ab_names "$ab_a" | tr '\n' ' ')vs $(ab_names "$ab_b" | tr '\n' ' '))"
    moddir=$ab_a
    [ -n "$suites" ] || suites=stress/maps
}

# ab_names DIR: the module names (dashes as underscores) of DIR's .ko files.
ab_names() {
    find "$1" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.gz' |
        sed 's|.*/||; s/\.ko.*$//' | tr '-' '_' | sort -u
}

# ab_env: lines for the guest's env file.
ab_env() {
    [ -n "$ab_a" ] || return 0
    printf "VCT_AB_ROUNDS='%s'\nVCT_AB_TRIALS='%s'\nVCT_AB_TESTS='%s'\n" \
        "$ab_rounds" "$ab_trials" "${VCT_AB_TESTS:-loop_overhead}"
    printf 'export VCT_AB_ROUNDS VCT_AB_TRIALS VCT_AB_TESTS\n'
}

# ab_initramfs INITRD: append both builds' modules (decompressed) to INITRD
# as a second cpio archive (the kernel unpacks concatenated archives).
ab_initramfs() {
    [ -n "$ab_a" ] || return 0
    st="$work/ab-stage"
    rm -rf "$st"
    for side in A B; do
        if [ "$side" = A ]; then d=$ab_a; else d=$ab_b; fi
        mkdir -p "$st/vfio-ct/ab/$side"
        find "$d" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.gz' | while IFS= read -r f; do
            n=$(basename "$f" | sed 's/\.ko.*$//' | tr '-' '_')
            case "$f" in
                *.xz) xz -dc "$f" ;; *.gz) gzip -dc "$f" ;; *) cat "$f" ;;
            esac > "$st/vfio-ct/ab/$side/$n.ko"
        done
    done
    (cd "$st" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >> "$1"
    rm -rf "$st"
}

# ab_finish RELEASE QEMU_VERSION: verdicts into ab.json and metrics.json
# (after perf_finish wrote it), a table on stderr, perf_failed on a
# regression beyond --fail-on-regression.
ab_finish() {
    [ -n "$ab_a" ] || return 0
    [ -s "$results/metrics.json" ] || { perf_failed=1; say "ab: no metrics: nothing to compare"; return 0; }
    st=0
    awk -v round_stat="${VCT_AB_STAT:-}" -v alpha="${VCT_AB_ALPHA:-}" -v primary="${VCT_AB_PRIMARY:-}" -v fail_pct="$fail_pct" \
        -v out="$results/ab.json" -v jsonl="$work/ab.jsonl" \
        -f "$VCT_TOP/harness/sh/records.awk" -f "$VCT_TOP/harness/sh/ab.awk" "$results/metrics.json" > "$work/ab.txt" || st=$?
    sed 's/^/# /' "$work/ab.txt" >&2
    cp "$work/ab.txt" "$results/ab.txt"
    case "$st" in
        0) ;;
        3) perf_failed=1; say "ab: regression beyond ${fail_pct}% (see ab.json)" ;;
        *) perf_failed=1; say "ab: analysis failed (ab.awk exit $st)" ;;
    esac
    if [ -s "$work/ab.jsonl" ]; then
        cat "$work/ab.jsonl" >> "$work/metrics.jsonl"
        metrics_write "$work/metrics.jsonl" "$results/metrics.json" "$(basename "$results")" \
            "$host" "$arch" "$1" "$2"
    fi
    say "ab: $results/ab.json (A $ab_a, B $ab_b)"
}

# ---- guest --------------------------------------------------------------------
# ab_listed: filter `--vct-list` output to the tests an A/B run runs.
ab_listed() {
    if [ -z "${VCT_AB_ROUNDS:-}" ]; then cat; return 0; fi
    grep -E "(^|\\.)($(printf '%s' "$VCT_AB_TESTS" | tr ',' '|'))\$" || true
}

# ab_unload MODULE: rmmod MODULE after whatever holds it (depth first),
# prepending each removed name to ab_removed (so it lists them in load order).
ab_unload() {
    grep -q "^$1 " /proc/modules || return 0
    for h in /sys/module/"$1"/holders/*; do
        [ -e "$h" ] || continue
        ab_unload "$(basename "$h")" || return 1
    done
    rmmod "$1" 2> /tmp/vct-ab.rmmod || return 1
    ab_removed="$1 $ab_removed"
}

# ab_use SIDE: unload the swapped modules and load SIDE's (the rest of what
# was unloaded from the initramfs's modules); 0, or 1 with ab_err set.
ab_use() {
    ab_removed="" ab_err=""
    bound=""
    for b in "$(vct_sys)"/bus/pci/drivers/vfio-pci/[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:*; do
        [ -e "$b" ] && bound="$bound ${b##*/}"
    done
    for ko in "$VCT_HOME/ab/$1"/*.ko; do
        ab_unload "$(basename "$ko" .ko)" ||
            { ab_err="rmmod: $(cat /tmp/vct-ab.rmmod)"; return 1; }
    done
    for m in $ab_removed; do
        f="$VCT_HOME/ab/$1/$m.ko"
        if [ ! -f "$f" ]; then
            f=""
            for g in "$VCT_HOME"/modules/*.ko; do
                [ "$(basename "$g" .ko | tr '-' '_')" = "$m" ] && f=$g
            done
        fi
        [ -n "$f" ] || { ab_err="no module file for $m"; return 1; }
        load_module "$(basename "$f")" "$f" 3> /tmp/vct-ab.insmod ||
            { ab_err="$(cat /tmp/vct-ab.insmod)"; return 1; }
    done
    case " $ab_removed " in
        *" vfio_pci "*) for b in $bound; do sysfs_write "$(vct_sys)/bus/pci/drivers_probe" "$b" || true; done ;;
    esac
    return 0
}

# ab_measure REL SIDE TRIAL ROUND: one run of REL's A/B tests with SIDE's
# modules; its output in /tmp/vct-ab.out, its records tagged and sent.
ab_measure() {
    ab_use "$2" || { printf 'ab: cannot load build %s: %s\n' "$2" "$ab_err" > /tmp/vct-ab.out; return 125; }
    set -- "$@" ""
    for ab_tn in $(printf '%s' "$VCT_AB_TESTS" | tr ',' ' '); do
        case "$ab_tn" in *.*) set -- "$@" -r "$ab_tn" ;; *) set -- "$@" -t "$ab_tn" ;; esac
    done
    rc=0
    (
        rel=$1; shift 5
        cd "$VCT_PROGDIR/$(dirname "$rel")" || exit 127
        setsid timeout -s KILL "${VCT_PROG_TIMEOUT:-900}" "./$(basename "$rel")" "$@" > /tmp/vct-ab.out 2>&1 < /dev/null &
        echo $! > "$VCT_RUNDIR/prog.pid"
        wait $!
    ) || rc=$?
    prog_stop "$VCT_RUNDIR/prog.pid"
    if [ -s "$VCT_METRICS_FILE" ]; then
        sed "s/}\$/,\"ab_build\":\"$2\",\"ab_trial\":$3,\"ab_round\":$4}/" "$VCT_METRICS_FILE" > /tmp/vct-ab.metrics
        mv /tmp/vct-ab.metrics "$VCT_METRICS_FILE"
        metrics_send
    fi
    return "$rc"
}

# ab_guest: every program of programs.list in trials of rounds.  The first
# measurement's output is the program's TAP (build A); a later one that
# exits otherwise adds a diagnostic and makes the program's exit status its.
ab_guest() {
    while IFS= read -r rel; do
        emit "@begin $rel"
        kmark "program begin $rel"
        t0=$(cut -d' ' -f1 /proc/uptime)
        first=1 prc=0 t=1
        while [ "$t" -le "$VCT_AB_TRIALS" ]; do
            r=1
            while [ "$r" -le "$VCT_AB_ROUNDS" ]; do
                if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
                for side in $order; do
                    rc=0
                    ab_measure "$rel" "$side" "$t" "$r" || rc=$?
                    if [ "$first" = 1 ]; then
                        while IFS= read -r l; do emit "T $rel $l"; done < /tmp/vct-ab.out
                        first=0 prc=$rc
                    elif [ "$rc" != "$prc" ]; then
                        emit "T $rel # ab: trial $t round $r build $side: exit $rc (first measurement: $prc)"
                        tail -n 5 /tmp/vct-ab.out | while IFS= read -r l; do emit "T $rel #   $l"; done
                        [ "$rc" = 0 ] || prc=$rc
                    fi
                done
                r=$((r + 1))
            done
            emit "@note ab: $rel trial $t of $VCT_AB_TRIALS done ($VCT_AB_ROUNDS rounds)"
            t=$((t + 1))
        done
        emit "@end $rel $prc"
        emit "@time $rel $(awk -v t0="$t0" '{ printf "%.2f", $1 - t0 }' /proc/uptime)"
        kmark "program end $rel"
    done < "$VCT_RUNDIR/programs.list"
    # Leave build A loaded, as the boot did, for the teardown.
    ab_use A || emit "@note ab: cannot reload build A: $ab_err"
}
