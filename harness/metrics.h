/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics.h - performance measurements as data, not as pass/fail.
 *
 * A test program measures something `reps` times and hands the per-rep
 * values to vct_metric_emit(), which appends one JSON record (one line) to
 * the file named by $VCT_METRICS (the guest runner sets it and ships each
 * line to the host, which builds results/<run>/metrics.json; README section
 * "metrics.json" has the schema).  Without $VCT_METRICS the record goes to
 * nowhere and 0 is returned: measuring never fails a test.
 *
 * Statistics: vct_stats() over n values - median (= p50), p90, p99, max,
 * min, mean, sample standard deviation and coefficient of variation
 * (stddev / mean).  Percentiles are nearest-rank on the sorted values.
 */
#ifndef VCT_METRICS_H
#define VCT_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct vct_stats {
	size_t n;
	double min, median, p50, p90, p99, max, mean, stddev, cv;
};

/* Fill st from v[0..n) (v is not modified).  n == 0 gives all zeros. */
void vct_stats(const double *v, size_t n, struct vct_stats *st);

/* Nearest-rank percentile (0 < pct <= 100) of sorted[0..n). */
double vct_percentile_sorted(const double *sorted, size_t n, double pct);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vct_now_ns(void);

/*
 * A raw cycle-counter read for per-operation timestamps: the TSC on x86_64,
 * CNTVCT_EL0 on arm64 (CLOCK_MONOTONIC ns elsewhere): one counter read,
 * no vDSO sequence around it; convert with the ns-per-tick of the enclosing block
 * (vct_tick_ns), which is measured against CLOCK_MONOTONIC, not assumed.
 */
static inline uint64_t vct_ticks(void)
{
#if defined(__x86_64__)
	return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
#else
	return vct_now_ns();
#endif
}

/* A block timed by both clocks: vct_tick_start, ..., vct_tick_ns. */
struct vct_tickcal {
	uint64_t ns0, tk0;
};

static inline void vct_tick_start(struct vct_tickcal *c)
{
	c->ns0 = vct_now_ns();
	c->tk0 = vct_ticks();
}

/* ns per tick over the block since vct_tick_start; *ns: the block's ns. */
static inline double vct_tick_ns(const struct vct_tickcal *c, uint64_t *ns)
{
	uint64_t tk = vct_ticks(), n = vct_now_ns() - c->ns0;

	if (ns)
		*ns = n;
	return tk > c->tk0 ? (double)n / (double)(tk - c->tk0) : 1.0;
}

/*
 * Seconds a fixed calibration workload takes now: 2000 getppid() system
 * calls (kernel entry and exit, no VFIO).  A measure of how fast the
 * (emulated) machine runs at this moment, for vct_metric.norm.
 */
double vct_calibrate(void);

/* One measurement.  Strings may be NULL (written as ""). */
struct vct_metric {
	const char *suite;	/* "stress" */
	const char *test;	/* full TAP name: stress.type1v2.pairs_by_size */
	const char *metric;	/* what was measured: "pairs_per_s" */
	const char *unit;	/* "1/s", "GB/s", "us", "%" */
	int higher_is_better;	/* 1: a drop is a regression; 0: a rise is */
	const char *backend;	/* "type1", "type1v2" */
	const char *backing;	/* "anon", "thp", "hugetlb2m", "" */
	const char *pattern;	/* "pairs", "fwd", "reverse", ... */
	uint64_t size;		/* bytes per mapping, 0 if not applicable */
	unsigned threads;
	unsigned count;		/* operations per repetition */
	const double *values;	/* per-repetition values */
	size_t reps;
	/*
	 * Optional: the same per-repetition values made independent of the
	 * host's speed at the time, by a calibration loop timed right before
	 * each repetition (vct_calibrate()): rates multiplied by, times
	 * divided by, the calibration's seconds.  The baseline comparison
	 * uses these when both runs have them: on a shared emulated host the
	 * speed of the whole guest drifts between runs by more than the
	 * effects worth flagging.
	 */
	const double *norm;
	/*
	 * Optional per-operation distribution (e.g. latencies of every op of
	 * every rep, in `unit`): summarised as ops.{n,p50,p90,p99,max} and a
	 * 21-point quantile curve ops.cdf for the report's CDF charts.
	 */
	const double *ops;
	size_t nops;
};

/*
 * Append m as one JSON line to $VCT_METRICS.  0 on success or when
 * $VCT_METRICS is unset; -errno when the file cannot be written.
 */
int vct_metric_emit(const struct vct_metric *m);

/* The record as a JSON line (no newline) into buf; length or -ENOSPC. */
int vct_metric_format(const struct vct_metric *m, char *buf, size_t len);

#endif /* VCT_METRICS_H */
