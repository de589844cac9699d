# compare.awk: every metric of a run against a baseline run's.
#
#   awk -v seed=N -v fail_pct=PCT -v out=comparison.json -v base_run=ID \
#       -v new_run=ID [-v min_effect=PCT] [-v resamples=N] \
#       -f records.awk -f compare.awk BASE/metrics.json NEW/metrics.json
#
# Records (one per line, as metrics.sh writes them) are matched by "key".
# The per-repetition samples compared are "norm" (normalised by a
# calibration loop timed before each repetition, see metrics.h) when both
# records have them, else "values".
# Method: the ratio of medians new/base of the per-repetition values, with
# a percentile-bootstrap confidence interval (`resamples` resamples, default
# 2000, both samples resampled independently with replacement; the random
# numbers come from a Park-Miller generator seeded with `seed`, so the
# verdicts are reproducible under any POSIX awk).  The interval's level is
# Bonferroni-corrected for the number m of metrics compared: 1 - 0.05/m
# (with 2000 resamples and m > 50 that is the range of the resampled
# ratios), so that a run with hundreds of metrics and nothing changed has
# at most a 5 % chance of any false verdict.  A metric is
#   regressed  when the whole interval lies on the worse side of 1 and the
#              point change is worse by at least `min_effect` % (default 10:
#              a floor below which the emulated host's noise is not worth
#              a verdict);
#   improved   the same on the better side;
#   noisy      when it would be regressed or improved but the change is
#              smaller than the metric's noise floor: `noise_k` (default 3)
#              times its dispersion, the larger of the two runs' robust
#              coefficients of variation (1.4826 * MAD / median of the
#              per-repetition values).  Across boots of a shared emulated
#              host a metric moves by about as much as it scatters within
#              a run (a fio-driven kdma rate, a loop timed in microseconds
#              with no calibration), which the bootstrap interval - built
#              from one run each - cannot see; such a change is reported,
#              with its dispersion, and never counts as a regression;
#   unchanged  otherwise (and when either side has fewer than 3 values or a
#              median <= 0, where a ratio means nothing).
# Each metric's power is stated as detectable_pct: the smallest change it
# can be judged on, max(min_effect, noise floor).
# "Worse" is lower for metrics with "better":"higher" (throughput) and
# higher for "better":"lower" (latency).  Exit 3 when fail_pct is set and a
# regressed metric is worse by more than fail_pct %; 0 otherwise.

function rnd() {   # Park-Miller minimal standard, exact in doubles
    state = (16807 * state) % 2147483647
    return state / 2147483647
}
# Robust coefficient of variation of the sorted s[1..n]: 1.4826 * MAD / median.
function rcv(s, n,    m, i, d) {
    m = median(s, n)
    if (m <= 0) return 0
    for (i = 1; i <= n; i++) d[i] = s[i] > m ? s[i] - m : m - s[i]
    return 1.4826 * median(d, n) / m
}
function sortn(a, n,    i, j, t) {     # insertion sort: the samples are short
    for (i = 2; i <= n; i++) {
        t = a[i]
        for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
        a[j + 1] = t
    }
}
function siftdown(a, i, n,    c, t) {
    while ((c = 2 * i) <= n) {
        if (c < n && a[c + 1] > a[c]) c++
        if (a[i] >= a[c]) return
        t = a[i]; a[i] = a[c]; a[c] = t; i = c
    }
}
function heapsortn(a, n,    i, t) {      # for the resampled ratios: no recursion
    for (i = int(n / 2); i >= 1; i--) siftdown(a, i, n)
    for (i = n; i > 1; i--) { t = a[1]; a[1] = a[i]; a[i] = t; siftdown(a, 1, i - 1) }
}
# Median of a resample of the sorted s[1..n]: draw n indices, count them,
# walk the counts (no sort per resample).
function rmedian(s, n,    c, j, cum, lo_i, hi_i, a, b) {
    split("", c)
    for (j = 1; j <= n; j++) c[int(rnd() * n) + 1]++
    lo_i = int((n + 1) / 2); hi_i = int(n / 2) + 1
    cum = 0; a = b = ""
    for (j = 1; j <= n; j++) {
        cum += c[j]
        if (a == "" && cum >= lo_i) a = s[j]
        if (cum >= hi_i) { b = s[j]; break }
    }
    return (a + b) / 2
}
# A JSON string of s.  Control characters (and, under mawk, bytes >= 0x80)
# become "?": JSON forbids them raw, and a corrupt record can carry them
# (fuzz/fuzz_compare.c found a NUL in a key making comparison.json invalid).
function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/[^ -~]/, "?", s); return "\"" s "\"" }
function num(x) { return sprintf("%.6g", x) }

BEGIN {
    if (seed == "") seed = 20251125
    state = seed % 2147483647; if (state <= 0) state = 1
    if (resamples == "") resamples = 2000
    if (min_effect == "") min_effect = 10
    if (noise_k == "") noise_k = 3
}
FNR == 1 { file++ }
!/"key":"/ { next }
{
    k = jstr($0, "key")
    if (file == 1) { base[k] = $0; next }
    order[++nk] = k; new[k] = $0
}
END {
    nreg = nimp = nunch = nmiss = nnoisy = 0; worst = 0
    m = 0
    for (i = 1; i <= nk; i++) if (order[i] in base) m++
    alpha = 0.05 / (m > 0 ? m : 1)
    ilo = int(alpha / 2 * resamples) + 1; ihi = resamples - ilo + 1
    for (i = 1; i <= nk; i++) {
        k = order[i]
        if (!(k in base)) { verdict[k] = "new"; nmiss++; continue }
        split("", B); split("", N)
        # host-speed-normalised values when both runs have them (metrics.h)
        vk = (index(base[k], "\"norm\":[") && index(new[k], "\"norm\":[")) ? "norm" : "values"
        nb = jvals(base[k], B, vk); nn = jvals(new[k], N, vk)
        VK[k] = vk
        higher = jstr(new[k], "better") == "higher"
        mb = median(B, nb); mn = median(N, nn)
        r = mb != 0 ? mn / mb : 1
        worse = higher ? (1 - r) * 100 : (r - 1) * 100
        lo = hi = r; DB[k] = DN[k] = 0; DET[k] = min_effect
        if (nb >= 3 && nn >= 3 && mb > 0 && mn > 0) {
            sortn(B, nb); sortn(N, nn)
            for (b = 1; b <= resamples; b++) {
                d = rmedian(B, nb)
                R[b] = d != 0 ? rmedian(N, nn) / d : 1
            }
            heapsortn(R, resamples)
            lo = R[ilo]; hi = R[ihi]
            bad_side = higher ? (hi < 1) : (lo > 1)
            good_side = higher ? (lo > 1) : (hi < 1)
            DB[k] = rcv(B, nb); DN[k] = rcv(N, nn)
            floor_pct = noise_k * (DB[k] > DN[k] ? DB[k] : DN[k]) * 100
            DET[k] = floor_pct > min_effect ? floor_pct : min_effect
            if (bad_side && worse >= min_effect) v = worse >= DET[k] ? "regressed" : "noisy"
            else if (good_side && -worse >= min_effect) v = -worse >= DET[k] ? "improved" : "noisy"
            else v = "unchanged"
        } else v = "unchanged"
        if (v == "regressed") { nreg++; if (worse > worst) worst = worse }
        else if (v == "improved") nimp++
        else if (v == "noisy") nnoisy++
        else nunch++
        verdict[k] = v; W[k] = worse; LO[k] = lo; HI[k] = hi; RR[k] = r; MB[k] = mb; MN[k] = mn
        NB[k] = nb; NN[k] = nn
        printf "%-9s %+7.1f%% worse  ratio %.3f [%.3f, %.3f]  sees >= %.0f%%  %s\n", v, worse, r, lo, hi, DET[k], k
    }
    for (k in base) if (!(k in new)) { gone[++ng] = k; printf "%-9s %s\n", "missing", k }
    printf "compare: %d regressed, %d improved, %d noisy, %d unchanged, %d new, %d missing (method: bootstrap %.4g%% CI of the ratio of medians (95%% Bonferroni-corrected over %d metrics), %d resamples, seed %d, min effect %s%%, noise floor %s x dispersion)\n",
        nreg, nimp, nnoisy, nunch, nmiss, ng, (1 - alpha) * 100, m, resamples, seed, min_effect, noise_k
    if (out != "") {
        printf "{\n  \"base_run\": %s,\n  \"new_run\": %s,\n", q(base_run), q(new_run) > out
        printf "  \"method\": %s,\n", q("ratio of medians new/base of per-repetition values; percentile bootstrap CI at level 1-0.05/m (Bonferroni over the m metrics compared); regressed/improved when the CI excludes 1 and the change is at least detectable_pct = max(min_effect_pct, noise_k * dispersion), noisy when it is at least min_effect_pct but not detectable_pct; dispersion: the larger robust CV (1.4826 MAD/median) of the two runs' samples") > out
        printf "  \"resamples\": %d, \"seed\": %d, \"ci_level\": %.6g, \"min_effect_pct\": %s, \"noise_k\": %s, \"fail_on_regression_pct\": %s,\n",
            resamples, seed, 1 - alpha, min_effect, noise_k, fail_pct == "" ? "null" : fail_pct > out
        printf "  \"counts\": {\"regressed\": %d, \"improved\": %d, \"noisy\": %d, \"unchanged\": %d, \"new\": %d, \"missing\": %d},\n",
            nreg, nimp, nnoisy, nunch, nmiss, ng > out
        printf "  \"metrics\": [" > out
        for (i = 1; i <= nk; i++) {
            k = order[i]
            printf "%s\n    {\"key\": %s, \"verdict\": %s", (i > 1 ? "," : ""), q(k), q(verdict[k]) > out
            if (verdict[k] != "new")
                printf ", \"base_median\": %s, \"new_median\": %s, \"ratio\": %s, \"ci\": [%s, %s], \"worse_pct\": %s, \"base_n\": %d, \"new_n\": %d, \"compared\": %s, \"dispersion_base\": %s, \"dispersion_new\": %s, \"detectable_pct\": %s",
                    num(MB[k]), num(MN[k]), num(RR[k]), num(LO[k]), num(HI[k]), num(W[k]), NB[k], NN[k], q(VK[k]),
                    num(DB[k]), num(DN[k]), num(DET[k]) > out
            printf "}" > out
        }
        for (i = 1; i <= ng; i++)
            printf "%s\n    {\"key\": %s, \"verdict\": \"missing\"}", (nk + i > 1 ? "," : ""), q(gone[i]) > out
        printf "\n  ]\n}\n" > out
        close(out)
    }
    if (fail_pct != "" && nreg > 0 && worst > fail_pct + 0) exit 3
}
