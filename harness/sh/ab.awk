# ab.awk: the verdicts of an A/B run (run.sh --ab DIR_A DIR_B, harness/sh/ab.sh).
#
#   awk [-v round_stat=best|median] -v alpha=A -v primary=REGEX -v fail_pct=PCT -v out=ab.json \
#       -v jsonl=ab.jsonl -f ab.awk metrics.json
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
#  - d = ln(B/A) per round; the estimate is exp(mean d), its CI
#    exp(mean d +- t(1-a/2, n-1) * sd/sqrt(n)) (Student t on the paired
#    log-ratios, n rounds), the p-value two-sided;
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

function jstr(line, k,    m) {
    if (!match(line, "\"" k "\":\"[^\"]*\"")) return ""
    m = substr(line, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
    return m
}
function jnum(line, k) {
    if (!match(line, "\"" k "\":-?[0-9.eE+-]+")) return ""
    return substr(line, RSTART + length(k) + 3, RLENGTH - length(k) - 3) + 0
}
function jvals(line, arr, key,    s, n, i, parts) {
    if (!match(line, "\"" key "\":\\[[^]]*\\]")) return 0
    s = substr(line, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
    n = split(s, parts, ",")
    for (i = 1; i <= n; i++) arr[i] = parts[i] + 0
    return s == "" ? 0 : n
}
function median(a, n,    i, j, t, s) {
    for (i = 1; i <= n; i++) s[i] = a[i]
    for (i = 2; i <= n; i++) {
        t = s[i]
        for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]
        s[j + 1] = t
    }
    return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
}
# P(|T| < t) for Student's t with integer nu >= 1 degrees of freedom: the
# closed forms of Abramowitz & Stegun 26.7.3 (odd nu) and 26.7.4 (even nu).
function t_abs_cdf(t, nu,    th, c, s, sum, term, k) {
    if (t < 0) t = -t
    th = atan2(t, sqrt(nu)); c = cos(th); s = sin(th)
    sum = 1; term = 1
    if (nu % 2 == 1) {
        if (nu == 1) return 2 * th / PI
        for (k = 2; k <= nu - 3; k += 2) { term *= k / (k + 1) * c * c; sum += term }
        return 2 / PI * (th + s * c * sum)
    }
    for (k = 1; k <= nu - 3; k += 2) { term *= k / (k + 1) * c * c; sum += term }
    return s * sum
}
# Two-sided p-value of t with nu degrees of freedom.
function t_p2(t, nu) { return 1 - t_abs_cdf(t, nu) }
# The t with P(|T| < t) = 1 - a (two-sided critical value), by bisection.
function t_crit(a, nu,    lo, hi, mid, i) {
    lo = 0; hi = 1
    while (t_p2(hi, nu) > a && hi < 1e12) hi *= 2
    for (i = 0; i < 200; i++) {
        mid = (lo + hi) / 2
        if (t_p2(mid, nu) > a) lo = mid; else hi = mid
    }
    return (lo + hi) / 2
}
# Paired statistics of d[1..n] into S: mean, sd, n, p.
function paired(d, n, S,    i, m, ss, t) {
    m = 0; for (i = 1; i <= n; i++) m += d[i]
    m /= n; ss = 0
    for (i = 1; i <= n; i++) ss += (d[i] - m) ^ 2
    S["n"] = n; S["mean"] = m; S["sd"] = n > 1 ? sqrt(ss / (n - 1)) : 0
    if (S["sd"] == 0) S["p"] = m == 0 ? 1 : 0
    else { t = m / (S["sd"] / sqrt(n)); S["p"] = t_p2(t, n - 1) }
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
# stats(G, k, d, n): the paired figures of metric k in group G.
function stats(G, k, d, n,    S, h) {
    paired(d, n, S)
    P[G, k] = S["p"]; MEAN[G, k] = S["mean"]; SD[G, k] = S["sd"]; NP[G, k] = n
}
function ci(G, k, side,    h) {
    h = NP[G, k] > 1 ? t_crit(LEV[G, k], NP[G, k] - 1) * SD[G, k] / sqrt(NP[G, k]) : 0
    return exp(MEAN[G, k] + side * h)
}
function worse_pct(G, k,    r) {
    r = exp(MEAN[G, k])
    return BETTER[k] == "higher" ? (1 - r) * 100 : (r - 1) * 100
}
function entry(G, k) {
    return sprintf("\"ratio\": %s, \"ci\": [%s, %s], \"ci_level\": %s, \"p\": %s, \"pairs\": %d, \"sd_log_ratio\": %s, \"worse_pct\": %s, \"verdict\": %s",
        num(exp(MEAN[G, k])), num(ci(G, k, -1)), num(ci(G, k, 1)), num(1 - LEV[G, k]), num(P[G, k]),
        NP[G, k], num(SD[G, k]), num(worse_pct(G, k)), q(verdict(G, k)))
}

BEGIN {
    PI = atan2(0, -1)
    if (alpha == "") alpha = 0.01
    if (primary == "") primary = "\\.type1v2\\.loop_overhead/pair_us_bare/"
    if (primary == "none") primary = ""
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
    # The table: pooled verdicts, and per trial the primary's.
    nreg = nimp = nunch = 0; worst = 0
    for (i = 1; i <= nk; i++) {
        k = keys[i]
        if (!(("pooled", k) in P)) { printf "ab: %-9s %s (fewer than 3 paired rounds, or a value <= 0)\n", "skipped", k; continue }
        v = verdict("pooled", k)
        if (v == "regressed") { nreg++; if (worse_pct("pooled", k) > worst) worst = worse_pct("pooled", k) }
        else if (v == "improved") nimp++
        else nunch++
        printf "ab: %-9s B/A %.4f [%.4f, %.4f] p %.2g  %+.2f%% worse  %d pairs  sd(ln) %.4f%s  %s\n",
            v, exp(MEAN["pooled", k]), ci("pooled", k, -1), ci("pooled", k, 1), P["pooled", k],
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
                pk == "" ? "absent" : sprintf("%s B/A %.4f [%.4f, %.4f] p %.2g", verdict(t, pk),
                    exp(MEAN[t, pk]), ci(t, pk, -1), ci(t, pk, 1), P[t, pk]), vs == "" ? "" : ";" vs
        }
    }
    printf "ab: per-round value: %s of the repetitions\n", round_stat
    printf "ab: %d regressed, %d improved, %d unchanged (pooled over %d trial(s)); primary regressed in %d of %d trial(s), any metric flagged in %d of %d (alpha %s family-wise; paired t on ln(B/A) per round)\n",
        nreg, nimp, nunch, ntr, flagged, ntr, anyflag, ntr, alpha
    if (out != "") {
        printf "{\n  \"method\": %s,\n", q("per round: the best (round_stat=best: min for lower-is-better, max for higher) or median of each build's per-repetition values; paired Student t on ln(B/A) over the rounds; CI exp(mean +- t*sd/sqrt(n)); family-wise alpha split as a fallback graph: primary at 0.8*alpha, the others Holm at 0.2*alpha, a rejected primary passing its share on") > out
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
                printf "{\"key\":%s,\"suite\":\"ab\",\"better\":%s,\"ab_verdict\":%s,\"ab_ratio\":%s,\"ab_ci\":[%s,%s],\"ab_ci_level\":%s,\"ab_p\":%s,\"ab_pairs\":%d}\n",
                    q(k), q(BETTER[k]), q(verdict("pooled", k)), num(exp(MEAN["pooled", k])),
                    num(ci("pooled", k, -1)), num(ci("pooled", k, 1)), num(1 - LEV["pooled", k]),
                    num(P["pooled", k]), NP["pooled", k] > jsonl
        }
        printf "\n  ]\n}\n" > out
        close(out)
        if (jsonl != "") close(jsonl)
    }
    if (fail_pct != "" && nreg > 0 && worst > fail_pct + 0) exit 3
}
