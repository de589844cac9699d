// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - statistics and JSON-lines output for performance tests.
 * See metrics.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double vct_percentile_sorted(const double *sorted, size_t n, double pct)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (size_t)ceil(pct / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static double median_sorted(const double *s, size_t n)
{
	if (!n)
		return 0;
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

void vct_stats(const double *v, size_t n, struct vct_stats *st)
{
	double *s, sum = 0, sq = 0;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!n)
		return;
	s = malloc(n * sizeof(*s));
	if (!s)
		return;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	for (i = 0; i < n; i++)
		sum += s[i];
	st->n = n;
	st->mean = sum / (double)n;
	for (i = 0; i < n; i++)
		sq += (s[i] - st->mean) * (s[i] - st->mean);
	st->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	st->cv = st->mean != 0 ? st->stddev / st->mean : 0;
	st->min = s[0];
	st->max = s[n - 1];
	st->median = median_sorted(s, n);
	st->p50 = st->median;
	st->p90 = vct_percentile_sorted(s, n, 90);
	st->p99 = vct_percentile_sorted(s, n, 99);
	free(s);
}

uint64_t vct_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double vct_calibrate(void)
{
	uint64_t t0 = vct_now_ns();
	int i;

	for (i = 0; i < 2000; i++)
		syscall(SYS_getppid);
	return (double)(vct_now_ns() - t0) / 1e9;
}

/* A bounded appender: once full, everything further is dropped and noted. */
struct sbuf {
	char *p;
	size_t len, used;
	int full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->full)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= b->len - b->used)
		b->full = 1;
	else
		b->used += (size_t)r;
}

/* The JSON string body of s: the harness's names are plain, but escape what JSON needs. */
static void put_esc(struct sbuf *b, const char *s)
{
	for (s = s ? s : ""; *s; s++) {
		if (*s == '"' || *s == '\\')
			put(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			put(b, "\\u%04x", (unsigned char)*s);
		else
			put(b, "%c", *s);
	}
}

static void put_str(struct sbuf *b, const char *key, const char *s)
{
	put(b, "\"%s\":\"", key);
	put_esc(b, s);
	put(b, "\",");
}

/* %.6g keeps records short; non-finite values are not JSON: write null. */
static void put_num(struct sbuf *b, double v)
{
	if (isfinite(v))
		put(b, "%.6g", v);
	else
		put(b, "null");
}

static void put_stats(struct sbuf *b, const struct vct_stats *st)
{
	put(b, "{\"n\":%zu,\"median\":", st->n); put_num(b, st->median);
	put(b, ",\"p50\":"); put_num(b, st->p50);
	put(b, ",\"p90\":"); put_num(b, st->p90);
	put(b, ",\"p99\":"); put_num(b, st->p99);
	put(b, ",\"min\":"); put_num(b, st->min);
	put(b, ",\"max\":"); put_num(b, st->max);
	put(b, ",\"mean\":"); put_num(b, st->mean);
	put(b, ",\"stddev\":"); put_num(b, st->stddev);
	put(b, ",\"cv\":"); put_num(b, st->cv);
	put(b, "}");
}

int vct_metric_format(const struct vct_metric *m, char *buf, size_t len)
{
	struct sbuf b = { .p = buf, .len = len };
	struct vct_stats st;
	size_t i;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	put(&b, "{");
	put_str(&b, "suite", m->suite);
	put_str(&b, "test", m->test);
	put_str(&b, "metric", m->metric);
	put_str(&b, "unit", m->unit);
	put(&b, "\"better\":\"%s\",", m->higher_is_better ? "higher" : "lower");
	put_str(&b, "backend", m->backend);
	put_str(&b, "backing", m->backing);
	put_str(&b, "pattern", m->pattern);
	put(&b, "\"size\":%llu,\"threads\":%u,\"count\":%u,",
	    (unsigned long long)m->size, m->threads, m->count);
	/* The identity the baseline comparison matches records by. */
	/* Escaped like every string (fuzz/fuzz_metrics.c found it raw). */
	put(&b, "\"key\":\"");
	put_esc(&b, m->test);
	put(&b, "/");
	put_esc(&b, m->metric);
	put(&b, "/");
	put_esc(&b, m->backing);
	put(&b, "/");
	put_esc(&b, m->pattern);
	put(&b, "/");
	put_esc(&b, m->unit);
	put(&b, "/%llu/%u\",", (unsigned long long)m->size, m->threads);
	put(&b, "\"repetitions\":%zu,\"values\":[", m->reps);
	for (i = 0; i < m->reps; i++) {
		if (i)
			put(&b, ",");
		put_num(&b, m->values[i]);
	}
	put(&b, "],");
	if (m->norm) {
		put(&b, "\"norm\":[");
		for (i = 0; i < m->reps; i++) {
			if (i)
				put(&b, ",");
			put_num(&b, m->norm[i]);
		}
		put(&b, "],");
	}
	put(&b, "\"stats\":");
	vct_stats(m->values, m->reps, &st);
	put_stats(&b, &st);
	if (m->ops && m->nops) {
		double *s = malloc(m->nops * sizeof(*s));

		if (s) {
			memcpy(s, m->ops, m->nops * sizeof(*s));
			qsort(s, m->nops, sizeof(*s), cmp_double);
			vct_stats(s, m->nops, &st);
			put(&b, ",\"ops\":");
			put_stats(&b, &st);
			/* Quantiles at 0, 5, ..., 100 %: the CDF's x values. */
			put(&b, ",\"cdf\":[");
			for (i = 0; i <= 20; i++) {
				if (i)
					put(&b, ",");
				put_num(&b, i ? vct_percentile_sorted(s, m->nops, (double)i * 5) : s[0]);
			}
			put(&b, "]");
			free(s);
		}
	}
	put(&b, "}");
	return b.full ? -ENOSPC : (int)b.used;
}

int vct_metric_emit(const struct vct_metric *m)
{
	const char *path = getenv("VCT_METRICS");
	char *line;
	size_t len = 4096 + m->reps * 32;
	int fd, n, ret = 0;

	if (!path || !*path)
		return 0;
	line = malloc(len);
	if (!line)
		return -ENOMEM;
	n = vct_metric_format(m, line, len - 1);
	if (n < 0) {
		free(line);
		return n;
	}
	line[n++] = '\n';
	/* One write of O_APPEND: records of concurrent writers do not interleave. */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		ret = -errno;
	else {
		if (write(fd, line, (size_t)n) != n)
			ret = -EIO;
		close(fd);
	}
	free(line);
	return ret;
}
