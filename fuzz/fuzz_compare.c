// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_compare.c - libFuzzer target: harness/sh/compare.awk through awk.
 *
 * Input: the baseline's metrics.json, a 0xff byte, the new run's.  The
 * comparison runs with 50 resamples and no --fail-on-regression.  Oracle:
 * awk exits 0 and comparison.json is one valid JSON value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awkrun.h"
#include "json.h"

#ifndef VCT_TOP
#define VCT_TOP "."	/* fuzz.mk passes the source tree */
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char bpath[512], npath[512], outv[600], *out, *json;
	const char *argv[] = { "-v", "seed=1", "-v", "resamples=50", "-v", "base_run=b",
			       "-v", "new_run=n", "-v", NULL,
			       "-f", VCT_TOP "/harness/sh/records.awk",
			       "-f", VCT_TOP "/harness/sh/compare.awk", NULL, NULL, NULL };
	size_t outlen, jlen, at;
	FILE *f;
	int st;

	if (size > 65536)
		return 0;
	fz_write_split(data, size, 0xff, "base.json", "new.json");
	snprintf(bpath, sizeof(bpath), "%s", fz_path("base.json"));
	snprintf(npath, sizeof(npath), "%s", fz_path("new.json"));
	snprintf(outv, sizeof(outv), "out=%s", fz_path("comparison.json"));
	remove(fz_path("comparison.json"));
	argv[9] = outv;
	argv[14] = bpath;
	argv[15] = npath;
	st = fz_awk(argv, "stdout", &out, &outlen);
	free(out);
	if (st) {
		fprintf(stderr, "compare.awk exited %d\n", st);
		abort();
	}
	f = fopen(fz_path("comparison.json"), "rb");
	if (!f)
		abort();
	json = malloc(1 << 20);
	if (!json)
		abort();
	jlen = fread(json, 1, (1 << 20) - 1, f);
	fclose(f);
	json[jlen] = '\0';
	if (!fz_json_valid(json, jlen, &at)) {
		fprintf(stderr, "comparison.json invalid at offset %zu:\n%s\n", at, json);
		abort();
	}
	free(json);
	return 0;
}
