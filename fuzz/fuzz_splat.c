// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_splat.c - libFuzzer target: the per-test splat detection of
 * harness/sh/collate.awk, metamorphically: whatever else the kernel logs
 * during a test (the input: one kmsg record per line; NUL bytes dropped
 * and lines that are vfio-ct's own markers skipped, since /dev/kmsg has
 * neither), a WARNING logged after it still fails that test.  The program
 * (suites/resv/prog) lists and passes one test, t.a; the output must carry
 * "not ok 1 t.a # kernel splat during the test".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awkrun.h"

#ifndef VCT_TOP
#define VCT_TOP "."	/* fuzz.mk passes the source tree */
#endif
#define PROG "suites/resv/prog"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char stream[] =
	"@list " PROG " t.a\n@begin " PROG "\n"
	"T " PROG " TAP version 13\nT " PROG " 1..1\n"
	"T " PROG " #  RUN           t.a ...\nT " PROG " ok 1 t.a\n@end " PROG " 0\n";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *argv[] = { "-v", "prog=" PROG, "-v", "reason=", "-f",
			       VCT_TOP "/harness/sh/collate.awk", NULL, NULL, NULL };
	char kpath[512], spath[512], *k, *out;
	size_t i, n = 0, outlen, seq = 3;
	int bol = 1;

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
	n += (size_t)sprintf(k + n, "4,%zu,0,-;WARNING: CPU: 0 PID: 1 at fuzz.c:1 fuzz+0x0/0x1\n"
			     "6,%zu,0,-;vfio-ct: program end " PROG "\n", seq, seq + 1);
	fz_write("kmsg", k, n);
	fz_write("stream", stream, sizeof(stream) - 1);
	free(k);
	snprintf(kpath, sizeof(kpath), "%s", fz_path("kmsg"));
	snprintf(spath, sizeof(spath), "%s", fz_path("stream"));
	argv[6] = kpath;
	argv[7] = spath;
	if (fz_awk(argv, "out", &out, &outlen) ||
	    !strstr(out, "\nnot ok 1 t.a # kernel splat during the test\n")) {
		fprintf(stderr, "the WARNING did not fail t.a:\n%s\n", out);
		abort();
	}
	free(out);
	return 0;
}
