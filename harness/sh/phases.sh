# shellcheck shell=sh disable=SC2154
# (sourced by run.sh and local.sh: $work $results $VCT_TOP are theirs)
# phases.sh: where a run's time goes.
#
# The host half marks the phase it enters (`phase_enter NAME`, its clock:
# /proc/uptime) in work/phases.host; the guest half stamps `@phase NAME
# UPTIME` records (its own clock) on the record channel (guest.sh).
# harness/sh/phases.awk turns both into one table, phase and seconds,
# which run.json carries ("phases") and the summary prints.

# phase_enter NAME: the run enters phase NAME; the one before it ends now.
phase_enter() { printf '%s %s\n' "$1" "$(cut -d' ' -f1 /proc/uptime)" >> "$work/phases.host"; }

# phases_table: the table as TSV (name, seconds, clock), phases.awk's.
phases_table() {
    [ -f "$work/phases.host" ] || return 0
    awk -f "$VCT_TOP/harness/sh/phases.awk" "$work/phases.host" "${stream:-/dev/null}"
}

# phases_json: the table as a JSON array, for run.json.
phases_json() {
    phases_table | awk -F '\t' '
        BEGIN { printf "[" }
        { gsub(/\\/, "\\\\", $1); gsub(/"/, "\\\"", $1)
          printf "%s{\"name\": \"%s\", \"seconds\": %s, \"clock\": \"%s\"}", (NR > 1 ? ", " : ""), $1, $2, $3 }
        END { printf "]" }'
}

# phases_say: the table on stderr, one phase a line, then its total (of
# the wall's seconds: a virtual clock's rows, run.sh --icount, are not).
phases_say() {
    phases_table | awk -F '\t' '
        { printf "#   %-40s %7.2f s  (%s clock)\n", $1, $2, $3; if ($3 != "virtual") t += $2 }
        END { if (NR) printf "#   %-40s %7.2f s\n", "total", t }' >&2
}

# phases_finish: the last phase (the report) ends; run.json's "phases"
# line is written again with it.
phases_finish() {
    phase_enter end
    [ -f "$results/run.json" ] || return 0
    pj=$(phases_json)
    PJ=$pj awk '/^  "phases": / { print "  \"phases\": " ENVIRON["PJ"] ","; next } { print }' \
        "$results/run.json" > "$results/run.json.new" && mv "$results/run.json.new" "$results/run.json"
    say "where the time went (run.json \"phases\"):"
    phases_say
}
