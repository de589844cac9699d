# phases.awk: a run's phase table from its marks (harness/sh/phases.sh).
#
#   awk -f phases.awk work/phases.host work/stream.log
#
# phases.host: `NAME SECONDS` per line, the host clock when the runner
# entered phase NAME; each phase lasts until the next mark (`end`, the
# last, names no phase; a phase without a later mark is still open and
# left out).  stream.log: the guest's records; its `@phase NAME SECONDS`
# marks (guest clock) divide the host phase `guest` the same way, their
# last mark (`end`) naming none.  A guest mark `init` is stamped when
# /init starts, so its SECONDS are the kernel's boot; `start` (the local
# kind: no boot) is not.
# Output, TSV: NAME SECONDS CLOCK, CLOCK `host` or `guest`.  The guest's
# rows are followed by `guest.other` (host clock): the host phase `guest`
# less what the guest's clock saw of it (QEMU's start and firmware, the
# power-off, the collector's lag).  A stream with an `@clock virtual`
# record (run.sh --icount: the guest's seconds are not the wall's) gives
# the host phase `guest` as a row of its own, then the guest's rows with
# CLOCK `virtual`, and no `guest.other`: the two clocks do not subtract.
function fmt(s) { return sprintf("%.2f", s < 0 && s > -0.005 ? 0 : s) }
# A mark's SECONDS: digits and dots, below 1e9 (31 years of uptime): a
# longer run of digits would be "inf" in the table and in run.json, which
# is then no JSON (fixtures/fuzz/phases/huge-seconds).
function secs_ok(s) { return s ~ /^[0-9.]+$/ && s + 0 < 1e9 }
FNR == NR { if (NF == 2 && secs_ok($2)) { hn[++nh] = $1; ht[nh] = $2 } next }
$1 == "@phase" && NF == 3 && secs_ok($3) { gn[++ng] = $2; gt[ng] = $3 }
$1 == "@clock" && NF == 2 && $2 == "virtual" { virt = 1 }
END {
    # the guest's marks in time order (an early set-up's records arrive late)
    for (i = 2; i <= ng; i++)
        for (j = i; j > 1 && gt[j - 1] + 0 > gt[j] + 0; j--) {
            t = gn[j]; gn[j] = gn[j - 1]; gn[j - 1] = t
            t = gt[j]; gt[j] = gt[j - 1]; gt[j - 1] = t
        }
    for (i = 1; i < nh; i++) {
        secs = ht[i + 1] - ht[i]
        if (hn[i] != "guest" || ng == 0) { printf "%s\t%s\thost\n", hn[i], fmt(secs); continue }
        seen = 0; gc = virt ? "virtual" : "guest"
        if (virt) printf "guest\t%s\thost\n", fmt(secs)
        if (gn[1] == "init") { printf "guest.boot_to_init\t%s\t%s\n", fmt(gt[1]), gc; seen = gt[1] }
        for (j = 1; j < ng; j++) {
            printf "guest.%s\t%s\t%s\n", gn[j], fmt(gt[j + 1] - gt[j]), gc
            seen += gt[j + 1] - gt[j]
        }
        if (!virt) printf "guest.other\t%s\thost\n", fmt(secs - seen)
    }
}
