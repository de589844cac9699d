// SPDX-License-Identifier: GPL-2.0
/*
 * metrics_test - harness/metrics.c offline: the statistics on values whose
 * answers are known, the JSON record's fields, and that the baseline
 * comparison (harness/sh/compare.awk) reads what metrics.c writes: a
 * sample 3x slower is "regressed", the same sample "unchanged".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "test.h"

TEST(stats_known_values)
{
	const double v[] = { 5, 1, 4, 2, 3, 10, 6, 9, 7, 8 };
	struct vct_stats st;

	vct_stats(v, 10, &st);
	EXPECT_EQ(10, st.n);
	EXPECT_EQ(1, st.min);
	EXPECT_EQ(10, st.max);
	EXPECT_EQ(5.5, st.median);
	EXPECT_EQ(st.median, st.p50);
	EXPECT_EQ(9, st.p90);		/* nearest rank: ceil(0.9 * 10) = 9th */
	EXPECT_EQ(10, st.p99);
	EXPECT_EQ(5.5, st.mean);
	EXPECT_LT(fabs(st.stddev - 3.0276503540974917), 1e-9);
	EXPECT_LT(fabs(st.cv - 3.0276503540974917 / 5.5), 1e-9);
	vct_stats(v, 0, &st);
	EXPECT_EQ(0, st.n);
	vct_stats(v, 1, &st);
	EXPECT_EQ(5, st.median);
	EXPECT_EQ(0, st.stddev);
}

TEST(record_fields)
{
	const double vals[] = { 100, 200, 300 }, ops[] = { 1, 2, 3, 4 };
	struct vct_metric m = { .suite = "stress", .test = "stress.type1.t", .metric = "pairs_per_s",
		.unit = "1/s", .higher_is_better = 1, .backend = "type1", .backing = "anon",
		.pattern = "pairs", .size = 4096, .threads = 2, .count = 7, .values = vals,
		.reps = 3, .norm = vals, .ops = ops, .nops = 4 };
	char buf[4096], small[64];
	int n;

	n = vct_metric_format(&m, buf, sizeof(buf));
	ASSERT_LT(0, n);
	EXPECT_EQ((size_t)n, strlen(buf));
	EXPECT_NE(NULL, strstr(buf, "\"key\":\"stress.type1.t/pairs_per_s/anon/pairs/1/s/4096/2\""));
	EXPECT_NE(NULL, strstr(buf, "\"values\":[100,200,300]"));
	EXPECT_NE(NULL, strstr(buf, "\"norm\":[100,200,300]"));
	EXPECT_NE(NULL, strstr(buf, "\"better\":\"higher\""));
	EXPECT_NE(NULL, strstr(buf, "\"stats\":{\"n\":3,\"median\":200,"));
	EXPECT_NE(NULL, strstr(buf, "\"ops\":{\"n\":4,\"median\":2.5,"));
	EXPECT_NE(NULL, strstr(buf, "\"cdf\":[1,"));
	EXPECT_EQ('}', buf[n - 1]);
	/* Too small: an error, never a truncated record. */
	EXPECT_EQ(-ENOSPC, vct_metric_format(&m, small, sizeof(small)));
}

/* Two runs' records through compare.awk: the verdict for one metric. */
static void verdict(const double *base, const double *now, size_t n, char *out, size_t len)
{
	char b[] = "/tmp/vct-metrics-test-XXXXXX";
	char path[2][64], line[4096], cmd[1024];
	const double *v[2] = { base, now };
	int i, fd = mkdtemp(b) ? 0 : -1;
	FILE *f;

	out[0] = '\0';
	if (fd < 0)
		return;
	for (i = 0; i < 2; i++) {
		struct vct_metric m = { .suite = "s", .test = "s.t", .metric = "lat", .unit = "us",
			.values = v[i], .reps = n };

		snprintf(path[i], sizeof(path[i]), "%s/%d.json", b, i);
		f = fopen(path[i], "w");
		if (!f)
			return;
		vct_metric_format(&m, line, sizeof(line));
		fprintf(f, "[\n  %s\n]\n", line);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "awk -f %s/../harness/sh/records.awk -f %s/../harness/sh/compare.awk %s %s 2>&1 | head -n 1; rm -rf %s",
		 VCT_FIXTURES, VCT_FIXTURES, path[0], path[1], b);
	f = popen(cmd, "r");
	if (!f)
		return;
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	pclose(f);
}

/*
 * Found by fuzz/fuzz_metrics.c: the key carried the names unescaped, so a
 * control character or quote in one made the record invalid JSON.  The
 * fixture is the fuzzer's input; here the same fault, readable.
 */
TEST(record_key_is_escaped_like_every_string)
{
	const double vals[] = { 1 };
	struct vct_metric m = { .suite = "s", .test = "t\"q\\b", .metric = "m\x05", .unit = "u",
		.backing = "", .pattern = "p", .values = vals, .reps = 1 };
	char buf[4096];

	ASSERT_LT(0, vct_metric_format(&m, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "\"key\":\"t\\\"q\\\\b/m\\u0005//p/u/0/0\","))
		TH_LOG("%s", buf);
	EXPECT_EQ(NULL, strchr(buf, '\x05'));
}

TEST(compare_flags_slowdown_not_noise)
{
	const double base[] = { 10, 11, 9, 10, 12, 10, 9, 11, 10 };
	const double same[] = { 11, 10, 10, 9, 11, 12, 10, 10, 9 };
	const double slow[] = { 30, 31, 29, 30, 33, 30, 29, 31, 30 };
	char out[512];

	verdict(base, slow, 9, out, sizeof(out));
	EXPECT_EQ(0, strncmp(out, "regressed", 9)) TH_LOG("%s", out);
	verdict(base, same, 9, out, sizeof(out));
	EXPECT_EQ(0, strncmp(out, "unchanged", 9)) TH_LOG("%s", out);
	verdict(slow, base, 9, out, sizeof(out));
	EXPECT_EQ(0, strncmp(out, "improved", 8)) TH_LOG("%s", out);
}

VCT_HARNESS_MAIN
