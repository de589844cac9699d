// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_splat.c - libFuzzer target: harness/sh/splat.awk, the one splat
 * detector, through awk, metamorphically.  The input is kernel log text,
 * one /dev/kmsg record per line (NUL bytes dropped and vfio-ct's own
 * marker lines skipped: /dev/kmsg has neither), logged inside test t.a of
 * program P; a WARNING logged after it must still be reported, attributed
 * to P and t.a, whatever came before.  Oracle: awk exits 0, every output
 * line has the four tab-separated fields KIND WHERE TEST TEXT, and one of
 * them is the WARNING with WHERE P and TEST t.a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awkrun.h"

#ifndef VCT_TOP
#define VCT_TOP "."	/* fuzz.mk passes the source tree */
#endif
#define PROG "suites/resv/prog"
#define WARN "WARNING: CPU: 0 PID: 1 at fuzz.c:1 fuzz+0x0/0x1"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *argv[] = { "-f", VCT_TOP "/harness/sh/splat.awk", NULL, NULL };
	char kpath[512], *k, *out, *l, *save = NULL;
	size_t i, n = 0, outlen, seq = 3;
	int bol = 1, found = 0;

	if (size > 16384)
		return 0;
	k = malloc(size * 2 + 4096 + 16 * size);
	if (!k)
		abort();
	n += (size_t)sprintf(k + n, "6,1,0,-;vfio-ct: program begin " PROG "\n12,2,0,-;vfio-ct: begin t.a\n");
	for (i = 0; i < size; i++) {
		if (bol) {
			if (size - i >= 9 && !memcmp(data + i, "vfio-ct: ", 9)) {
				while (i < size && data[i] != '\n')
					i++;
				continue;
			}
			n += (size_t)sprintf(k + n, "4,%zu,0,-;", seq++);
			bol = 0;
		}
		if (data[i] == '\0')
			continue;
		k[n++] = (char)data[i];
		bol = data[i] == '\n';
	}
	if (!bol)
		k[n++] = '\n';
	n += (size_t)sprintf(k + n, "4,%zu,0,-;" WARN "\n6,%zu,0,-;vfio-ct: program end " PROG "\n",
			     seq, seq + 1);
	fz_write("kmsg", k, n);
	free(k);
	snprintf(kpath, sizeof(kpath), "%s", fz_path("kmsg"));
	argv[2] = kpath;
	if (fz_awk(argv, "out", &out, &outlen)) {
		fprintf(stderr, "splat.awk failed\n");
		abort();
	}
	for (i = 0; i < outlen; i++)
		out[i] = out[i] ? out[i] : '?';
	for (l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		const char *t1 = strchr(l, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL,
			   *t3 = t2 ? strchr(t2 + 1, '\t') : NULL;

		if (!t3 || t1 == l) {
			fprintf(stderr, "not KIND WHERE TEST TEXT: %s\n", l);
			abort();
		}
		if (!strncmp(t1 + 1, PROG "\tt.a\t", strlen(PROG "\tt.a\t")) &&
		    !strncmp(t3 + 1, WARN, strlen("WARNING: CPU: 0 PID: 1 at fuzz.c:1 fuzz")))
			found = 1;
	}
	if (!found) {
		fprintf(stderr, "the WARNING in t.a was not reported\n");
		abort();
	}
	free(out);
	return 0;
}
