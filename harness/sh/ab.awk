# ab.awk: the verdicts of an A/B run (run.sh --ab DIR_A DIR_B, harness/sh/ab.sh).
#
#   awk [-v round_stat=best|median] -v alpha=A -v primary=REGEX -v fail_pct=PCT -v out=ab.json \
#       -v jsonl=ab.jsonl -f records.awk -f ab.awk metrics.json
#
# Input: the run's metrics.json, whose records of the rounds carry
# "ab_build":"A"|"B", "ab_trial":T and "ab_round":R (one record per metric,
# program run and build).  A round measures A and B once each, back to back
# (ABBA order over the rounds), with the modules reloaded before every
# measurement, so each round gives one paired ratio B/A taken under the same
# machine load.
#
# Method, per metric (records with a non-positive value are not compared):
#  - a round's value of a build is the best of its per-repetition values
#    (round_stat=best, the default: the minimum for "better":"lower", the
#    maximum for "better":"higher" - on a shared emulated host the noise
#    only ever adds time, and the best of many short repetitions is the one
#    least touched by it), or their median (round_stat=median);
#  - d = ln(B/A) per round; Wilcoxon's signed-rank test on the n rounds'
#    d (two-sided p: exact up to 50 rounds without ties, else the normal
#    approximation), the estimate exp(Hodges-Lehmann: the median of the
#    Walsh averages (d_i + d_j)/2) and its distribution-free CI (the Walsh
#    averages between the signed-rank sum's a/2 quantiles).  Rank-based,
#    because a round whose measurement of one build never ran unpreempted
#    gives a wild ratio (seen: 1 round in 6 at ln ratio +-0.9 on a host
#    with load 19, the rest within +-0.03), which a mean and its t interval
#    follow and ranks do not;
#  - multiple comparisons: family-wise error `alpha` (default 0.01) split
#    as a fallback graph: the primary metric (first key matching `primary`;
#    default 4 KiB map+unmap pairs through the bare ioctl loop, type1v2) is
#    tested at 0.8*alpha, the other m metrics by Holm at 0.2*alpha; a
#    rejected primary passes its share on (the others then get Holm at
#    alpha), and when all others are rejected the primary gets alpha.  Each
#    metric's CI is at the level it was tested at (ci_level);
#  - verdict regressed / improved when rejected, by the direction of the
#    change ("better":"lower": a ratio above 1 is worse), else unchanged.
# This is done per trial (the rounds of one trial, ab_trial) and over all
# rounds of all trials pooled ("pooled": the run's verdict, and its exit
# status).  Exit 3 when fail_pct is set and a pooled verdict is regressed by
# more than fail_pct %; 0 otherwise.  Plain POSIX awk (mawk, gawk, busybox).

# Standard normal CDF (erf by Abramowitz & Stegun 7.1.26, |error| < 1.5e-7).
function phi(x,    t, y, s) {
    s = x < 0 ? -1 : 1; x = x * s / sqrt(2)
    t = 1 / (1 + 0.3275911 * x)
    y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x)
    return 0.5 * (1 + s * y)
}
# The z with P(|Z| > z) = a (two-sided critical value), by bisection.
function z_crit(a,    lo, hi, mid, i) {
    lo = 0; hi = 40
    for (i = 0; i < 100; i++) { mid = (lo + hi) / 2; if (2 * (1 - phi(mid)) > a) lo = mid; else hi = mid }
    return (lo + hi) / 2
}
function heapsift(a, i, n,    c, t) {
    while ((c = 2 * i) <= n) {
        if (c < n && a[c + 1] > a[c]) c++
        if (a[i] >= a[c]) return
        t = a[i]; a[i] = a[c]; a[c] = t; i = c
    }
}
function heapsort(a, n,    i, t) {
    for (i = int(n / 2); i >= 1; i--) heapsift(a, i, n)
    for (i = n; i > 1; i--) { t = a[1]; a[1] = a[i]; a[i] = t; heapsift(a, 1, i - 1) }
}
# Exact null distribution of the signed-rank sum of the n integer weights
# R[1..n] (each in or out with probability 1/2) into F[0..sum] as
# cumulative probabilities P(W <= w).
function wdist(R, n, F,    f, i, s, S, tot) {
    split("", f); f[0] = 1; S = 0
    for (i = 1; i <= n; i++) {
        for (s = S; s >= 0; s--) if (s in f) f[s + R[i]] += f[s]
        S += R[i]
    }
    tot = 2 ^ n; F[-1] = 0
    for (s = 0; s <= S; s++) F[s] = F[s - 1] + ((s in f) ? f[s] : 0) / tot
}
# Wilcoxon signed-rank test of d[1..n] (zeros dropped, ties mid-ranked)
# into S: "n", "p" (two-sided; exact - over the doubled mid-ranks, so ties
# too - for up to EXACT_N non-zero values, else the normal approximation
# with tie and continuity corrections), "hl" (Hodges-Lehmann estimate: median of the Walsh averages,
# zeros included), "sd" (of d, for the record) and, for level a, "lo"/"hi".
function signed_rank(d, n, a, S,    i, j, m, x, r, w, nz, ties, v, mu, z, M, F, k, c, ad, idx, mean, ss, t, R2) {
    nz = 0
    for (i = 1; i <= n; i++) if (d[i] != 0) { ad[++nz] = (d[i] < 0 ? -d[i] : d[i]); idx[nz] = i }
    for (i = 2; i <= nz; i++) {          # sort |d| keeping the index
        x = ad[i]; j = idx[i]
        for (m = i - 1; m >= 1 && ad[m] > x; m--) { ad[m + 1] = ad[m]; idx[m + 1] = idx[m] }
        ad[m + 1] = x; idx[m + 1] = j
    }
    w = 0; ties = 0
    for (i = 1; i <= nz; i = j + 1) {
        for (j = i; j < nz && ad[j + 1] == ad[i]; j++) ;
        r = (i + j) / 2
        if (j > i) ties += (j - i + 1) ^ 3 - (j - i + 1)
        for (m = i; m <= j; m++) { R2[m] = i + j; if (d[idx[m]] > 0) w += r }
    }
    mu = nz * (nz + 1) / 4
    if (nz == 0) S["p"] = 1
    else if (nz <= EXACT_N) {
        wdist(R2, nz, F)
        S["p"] = 2 * (w <= mu ? F[2 * w] : 1 - F[2 * w - 1]); if (S["p"] > 1) S["p"] = 1
    } else {
        v = nz * (nz + 1) * (2 * nz + 1) / 24 - ties / 48
        z = (w - mu); z = z > 0 ? z - 0.5 : (z < 0 ? z + 0.5 : 0)
        S["p"] = v > 0 ? 2 * (1 - phi((z < 0 ? -z : z) / sqrt(v))) : 1
    }
    M = 0
    for (i = 1; i <= n; i++) for (j = i; j <= n; j++) WA[++M] = (d[i] + d[j]) / 2
    heapsort(WA, M)
    S["hl"] = M % 2 ? WA[(M + 1) / 2] : (WA[M / 2] + WA[M / 2 + 1]) / 2
    # CI: the Walsh averages between the a/2 quantiles of the null signed-rank sum.
    if (n <= EXACT_N) {
        for (i = 1; i <= n; i++) R2[i] = i
        wdist(R2, n, F)
        for (k = -1; k + 1 <= n * (n + 1) / 2 && F[k + 1] <= a / 2; k++) ;
        c = k + 1
    } else c = int(n * (n + 1) / 4 - z_crit(a) * sqrt(n * (n + 1) * (2 * n + 1) / 24))
    if (c < 0) c = 0
    # c = 0: even the widest interval (all Walsh averages) covers less than
    # 1 - a with this few rounds: the interval is unbounded.
    S["unbounded"] = c == 0
    S["lo"] = c + 1 <= M ? WA[c + 1] : WA[1]
    S["hi"] = M - c >= 1 ? WA[M - c] : WA[M]
    S["ci_exact"] = n <= EXACT_N
    mean = 0; for (i = 1; i <= n; i++) mean += d[i]
    mean /= n; ss = 0; for (i = 1; i <= n; i++) ss += (d[i] - mean) ^ 2
    S["sd"] = n > 1 ? sqrt(ss / (n - 1)) : 0
    split("", WA)
}
# decide(G): the fallback-graph decisions for group G (a trial or "pooled")
# over the metrics with p-values in P[G, k]: sets REJ[G, k] and LEV[G, k].
function decide(G,    i, k, np, ns, ord, j, t, x, ap, as, prim, pk, allrej) {
    ns = 0; pk = ""
    for (i = 1; i <= nk; i++) {
        k = keys[i]
        if (!((G, k) in P)) continue
        REJ[G, k] = 0
        if (pk == "" && primary != "" && k ~ primary) { pk = k; continue }
        ord[++ns] = k
    }
    ap = pk == "" ? 0 : 0.8 * alpha
    as = pk == "" ? alpha : 0.2 * alpha
    if (pk != "") { LEV[G, pk] = ap; REJ[G, pk] = P[G, pk] <= ap }
    if (pk != "" && REJ[G, pk]) as = alpha
    for (i = 2; i <= ns; i++) {          # by p ascending
        x = ord[i]
        for (j = i - 1; j >= 1 && P[G, ord[j]] > P[G, x]; j--) ord[j + 1] = ord[j]
        ord[j + 1] = x
    }
    allrej = 1
    for (i = 1; i <= ns; i++) {
        LEV[G, ord[i]] = as / (ns - i + 1)
        if (allrej && P[G, ord[i]] <= LEV[G, ord[i]]) REJ[G, ord[i]] = 1
        else allrej = 0
    }
    if (pk != "" && !REJ[G, pk] && allrej && ns > 0) { LEV[G, pk] = alpha; REJ[G, pk] = P[G, pk] <= alpha }
    PRIM[G] = pk
}
function verdict(G, k,    up) {
    if (!REJ[G, k]) return "unchanged"
    up = MEAN[G, k] > 0
    if (BETTER[k] == "higher") up = !up
    return up ? "regressed" : "improved"
}
function num(x) { return sprintf("%.6g", x) }
function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/[^ -~]/, "?", s); return "\"" s "\"" }
# stats(G, k, d, n): the paired figures of metric k in group G (the
# log-ratios kept for the interval, computed once the level is decided).
function stats(G, k, d, n,    S, i) {
    signed_rank(d, n, 0.05, S)
    P[G, k] = S["p"]; MEAN[G, k] = S["hl"]; SD[G, k] = S["sd"]; NP[G, k] = n
    for (i = 1; i <= n; i++) DD[G, k, i] = d[i]
}
# finish(G, k): the interval at the level metric k was tested at.
function finish(G, k,    S, i, d) {
    for (i = 1; i <= NP[G, k]; i++) d[i] = DD[G, k, i]
    signed_rank(d, NP[G, k], LEV[G, k], S)
    CLO[G, k] = exp(S["lo"]); CHI[G, k] = exp(S["hi"]); UNB[G, k] = S["unbounded"]
}
function citext(G, k) { return UNB[G, k] ? "[unbounded: too few rounds]" : sprintf("[%.4f, %.4f]", CLO[G, k], CHI[G, k]) }
function ci(G, k, side) { return side < 0 ? CLO[G, k] : CHI[G, k] }
function worse_pct(G, k,    r) {
    r = exp(MEAN[G, k])
    return BETTER[k] == "higher" ? (1 - r) * 100 : (r - 1) * 100
}
function entry(G, k) {
    return sprintf("\"ratio\": %s, \"ci\": %s, \"ci_level\": %s, \"p\": %s, \"pairs\": %d, \"sd_log_ratio\": %s, \"worse_pct\": %s, \"verdict\": %s",
        num(exp(MEAN[G, k])), UNB[G, k] ? "null" : "[" num(ci(G, k, -1)) ", " num(ci(G, k, 1)) "]", num(1 - LEV[G, k]), num(P[G, k]),
        NP[G, k], num(SD[G, k]), num(worse_pct(G, k)), q(verdict(G, k)))
}

BEGIN {
    PI = atan2(0, -1)
    if (alpha == "") alpha = 0.01
    if (primary == "") primary = "\\.type1v2\\.loop_overhead/pair_us_bare/"
    if (primary == "none") primary = ""
    EXACT_N = 50
    if (round_stat == "") round_stat = "best"
    if (round_stat != "best" && round_stat != "median") { print "ab.awk: round_stat must be best or median" > "/dev/stderr"; badopt = 1; exit 2 }
}
!/"ab_build":"[AB]"/ { next }
{
    k = jstr($0, "key"); b = jstr($0, "ab_build")
    t = jnum($0, "ab_trial"); r = jnum($0, "ab_round")
    n = jvals($0, V, "values")
    if (n == 0 || t == "" || r == "") next
    if (!(k in seen)) { seen[k] = 1; keys[++nk] = k; BETTER[k] = jstr($0, "better"); UNIT[k] = jstr($0, "unit") }
    BETTER[k] = jstr($0, "better")
    if (round_stat == "median") m = median(V, n)
    else { m = V[1]; for (j = 2; j <= n; j++) if (BETTER[k] == "higher" ? V[j] > m : V[j] < m) m = V[j] }
    if (m <= 0) bad[k] = 1
    val[k, t, r, b] = m
    if (!((t, r) in rounds)) { rounds[t, r] = 1; if (t > ntr) ntr = t; if (r > RMAX[t]) RMAX[t] = r }
}
END {
    if (badopt) exit 2
    for (i = 1; i <= nk; i++) {
        k = keys[i]
        if (k in bad) continue
        np = 0
        for (t = 1; t <= ntr; t++) {
            n = 0; split("", d)
            for (r = 1; r <= RMAX[t]; r++)
                if (((k, t, r, "A") in val) && ((k, t, r, "B") in val)) {
                    d[++n] = log(val[k, t, r, "B"] / val[k, t, r, "A"]); pool[++np] = d[n]
                }
            if (n >= 3) stats(t, k, d, n)
        }
        if (np >= 3) { split("", d); for (j = 1; j <= np; j++) d[j] = pool[j]; stats("pooled", k, d, np) }
    }
    for (t = 1; t <= ntr; t++) decide(t)
    decide("pooled")
    for (i = 1; i <= nk; i++) {
        k = keys[i]
        for (t = 1; t <= ntr; t++) if ((t, k) in P) finish(t, k)
        if (("pooled", k) in P) finish("pooled", k)
    }
    # The table: pooled verdicts, and per trial the primary's.
    nreg = nimp = nunch = 0; worst = 0
    for (i = 1; i <= nk; i++) {
        k = keys[i]
        if (!(("pooled", k) in P)) { printf "ab: %-9s %s (fewer than 3 paired rounds, or a value <= 0)\n", "skipped", k; continue }
        v = verdict("pooled", k)
        if (v == "regressed") { nreg++; if (worse_pct("pooled", k) > worst) worst = worse_pct("pooled", k) }
        else if (v == "improved") nimp++
        else nunch++
        printf "ab: %-9s B/A %.4f %s p %.2g  %+.2f%% worse  %d pairs  sd(ln) %.4f%s  %s\n",
            v, exp(MEAN["pooled", k]), citext("pooled", k), P["pooled", k],
            worse_pct("pooled", k), NP["pooled", k], SD["pooled", k], (k == PRIM["pooled"] ? "  (primary)" : ""), k
    }
    flagged = anyflag = 0
    for (t = 1; t <= ntr; t++) {
        f = 0; vs = ""
        for (i = 1; i <= nk; i++) {
            k = keys[i]
            if (!((t, k) in P)) continue
            v = verdict(t, k)
            if (v != "unchanged") { f = 1; vs = vs " " v ":" k }
            if (k == PRIM[t] && v == "regressed") flagged++
        }
        anyflag += f
        if (ntr > 1) {
            pk = PRIM[t]
            printf "ab: trial %d: primary %s%s\n", t,
                pk == "" ? "absent" : sprintf("%s B/A %.4f %s p %.2g", verdict(t, pk),
                    exp(MEAN[t, pk]), citext(t, pk), P[t, pk]), vs == "" ? "" : ";" vs
        }
    }
    printf "ab: per-round value: %s of the repetitions\n", round_stat
    printf "ab: %d regressed, %d improved, %d unchanged (pooled over %d trial(s)); primary regressed in %d of %d trial(s), any metric flagged in %d of %d (alpha %s family-wise; Wilcoxon signed-rank on ln(B/A) per round, Hodges-Lehmann estimate)\n",
        nreg, nimp, nunch, ntr, flagged, ntr, anyflag, ntr, alpha
    if (out != "") {
        printf "{\n  \"method\": %s,\n", q("per round: the best (round_stat=best: min for lower-is-better, max for higher) or median of each build's per-repetition values; Wilcoxon signed-rank test on ln(B/A) over the rounds (exact up to 50 rounds); estimate exp(Hodges-Lehmann), distribution-free CI from the Walsh averages; family-wise alpha split as a fallback graph: primary at 0.8*alpha, the others Holm at 0.2*alpha, a rejected primary passing its share on") > out
        printf "  \"round_stat\": %s,\n", q(round_stat) > out
        printf "  \"alpha\": %s, \"primary\": %s, \"fail_on_regression_pct\": %s, \"trials\": %d,\n",
            alpha, q(PRIM["pooled"]), fail_pct == "" ? "null" : fail_pct, ntr > out
        printf "  \"counts\": {\"regressed\": %d, \"improved\": %d, \"unchanged\": %d},\n", nreg, nimp, nunch > out
        printf "  \"trials_primary_regressed\": %d, \"trials_any_flagged\": %d,\n", flagged, anyflag > out
        printf "  \"metrics\": [" > out
        c = 0
        for (i = 1; i <= nk; i++) {
            k = keys[i]
            if (!(("pooled", k) in P)) continue
            printf "%s\n    {\"key\": %s, \"better\": %s, \"primary\": %s, %s, \"trials\": [", (c++ ? "," : ""), q(k),
                q(BETTER[k]), (k == PRIM["pooled"] ? "true" : "false"), entry("pooled", k) > out
            ct = 0
            for (t = 1; t <= ntr; t++)
                if ((t, k) in P) printf "%s{\"trial\": %d, %s}", (ct++ ? ", " : ""), t, entry(t, k) > out
            printf "]}" > out
            if (jsonl != "")
                printf "{\"key\":%s,\"suite\":\"ab\",\"better\":%s,\"ab_verdict\":%s,\"ab_ratio\":%s,\"ab_ci\":%s,\"ab_ci_level\":%s,\"ab_p\":%s,\"ab_pairs\":%d}\n",
                    q(k), q(BETTER[k]), q(verdict("pooled", k)), num(exp(MEAN["pooled", k])),
                    UNB["pooled", k] ? "null" : "[" num(ci("pooled", k, -1)) "," num(ci("pooled", k, 1)) "]", num(1 - LEV["pooled", k]),
                    num(P["pooled", k]), NP["pooled", k] > jsonl
        }
        printf "\n  ]\n}\n" > out
        close(out)
        if (jsonl != "") close(jsonl)
    }
    if (fail_pct != "" && nreg > 0 && worst > fail_pct + 0) exit 3
}
