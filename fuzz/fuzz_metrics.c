// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_metrics.c - libFuzzer target: a metrics record as metrics.h writes
 * it.  The input fills a struct vct_metric: eight strings (a length byte,
 * then the bytes; NULs end a string early), size/threads/count, up to 31
 * repetitions of raw doubles (NaN and infinities included), norm and ops
 * optionally, and the output buffer's size.  Oracle: vct_metric_format
 * returns -ENOSPC or the length of what it wrote, and what it wrote is one
 * valid JSON object on one line (README "metrics.json").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "metrics.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

struct in {
	const unsigned char *p;
	size_t n;
};

static unsigned take(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static char *str(struct in *in)
{
	size_t len = take(in) % 32, i;
	char *s = calloc(1, len + 1);

	if (!s)
		abort();
	for (i = 0; i < len; i++)
		s[i] = (char)take(in);
	return s;
}

static double num(struct in *in)
{
	unsigned char b[8];
	double d;
	size_t i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)take(in);
	memcpy(&d, b, sizeof(d));
	return d;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct in in = { data, size };
	struct vct_metric m = { 0 };
	double v[31], nv[31], ops[31];
	char *s[8], *buf;
	size_t i, len, at, nops;
	int ret;

	for (i = 0; i < 8; i++)
		s[i] = str(&in);
	m.suite = s[0]; m.test = s[1]; m.metric = s[2]; m.unit = s[3];
	m.backend = s[4]; m.backing = s[5]; m.pattern = s[6];
	m.higher_is_better = (int)(take(&in) & 1);
	for (i = 0; i < 8; i++)
		m.size = m.size << 8 | take(&in);
	m.threads = take(&in);
	m.count = take(&in) << 8 | take(&in);
	m.reps = take(&in) % 32;
	for (i = 0; i < m.reps; i++) {
		v[i] = num(&in);
		nv[i] = num(&in);
	}
	m.values = v;
	m.norm = (take(&in) & 1) ? nv : NULL;
	nops = take(&in) % 32;
	for (i = 0; i < nops; i++)
		ops[i] = num(&in);
	m.ops = nops ? ops : NULL;
	m.nops = nops;
	len = 1 + (take(&in) << 8 | take(&in)) % 8192;
	buf = malloc(len);
	if (!buf)
		abort();
	ret = vct_metric_format(&m, buf, len);
	if (ret != -ENOSPC) {
		if (ret < 0 || (size_t)ret != strlen(buf) || (size_t)ret >= len) {
			fprintf(stderr, "format returned %d for %zu bytes in a %zu-byte buffer\n",
				ret, strlen(buf), len);
			abort();
		}
		if (!fz_json_valid(buf, (size_t)ret, &at) || memchr(buf, '\n', (size_t)ret)) {
			fprintf(stderr, "not one JSON line at offset %zu: %s\n", at, buf);
			abort();
		}
	}
	free(buf);
	for (i = 0; i < 8; i++)
		free(s[i]);
	return 0;
}
