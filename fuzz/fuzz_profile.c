// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_profile.c - libFuzzer target: harness/sh/profile.awk, the one host
 * profile reader, through awk.  The input is a profile.  Oracle: the check
 * (-v check=1) exits 0 or 1; reading a key (-v key=qemu) exits 0 and prints
 * one line; and for a profile the check accepts, one more `qemu = ...` line
 * (a key that accumulates, hosts/README.md) keeps it accepted and appends
 * exactly " -fuzz-extra" to what key=qemu reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awkrun.h"

#ifndef VCT_TOP
#define VCT_TOP "."	/* fuzz.mk passes the source tree */
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int run(const char *var, const char *name, char **out, size_t *len)
{
	char path[512];
	const char *argv[] = { "-v", var, "-f", VCT_TOP "/harness/sh/profile.awk",
			       VCT_TOP "/hosts/README.md", path, NULL };

	snprintf(path, sizeof(path), "%s", fz_path(name));
	return fz_awk(argv, "out", out, len);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char extra[] = "qemu = -fuzz-extra\n";
	char *out, *before, *p;
	size_t len;
	int st;

	if (size > 16384 || memchr(data, '\0', size))
		return 0;	/* a profile is text */
	fz_write("p.conf", data, size);
	st = run("check=1", "p.conf", &out, &len);
	free(out);
	if (st != 0 && st != 1) {
		fprintf(stderr, "check exited %d\n", st);
		abort();
	}
	if (run("key=qemu", "p.conf", &before, &len) || !len || before[len - 1] != '\n' ||
	    memchr(before, '\n', len - 1)) {
		fprintf(stderr, "key=qemu did not print one line: \"%s\"\n", before);
		abort();
	}
	if (st == 0) {
		p = malloc(size + sizeof(extra) + 1);
		if (!p)
			abort();
		memcpy(p, data, size);
		len = size;
		if (size && data[size - 1] != '\n')
			p[len++] = '\n';
		memcpy(p + len, extra, sizeof(extra) - 1);
		fz_write("q.conf", p, len + sizeof(extra) - 1);
		free(p);
		st = run("check=1", "q.conf", &out, &len);
		free(out);
		if (st) {
			fprintf(stderr, "one more qemu line made a valid profile invalid\n");
			abort();
		}
		if (run("key=qemu", "q.conf", &out, &len)) {
			fprintf(stderr, "key=qemu failed\n");
			abort();
		}
		before[strlen(before) - 1] = '\0';
		p = malloc(strlen(before) + 16);
		if (!p)
			abort();
		sprintf(p, "%s%s-fuzz-extra\n", before, *before ? " " : "");
		if (strcmp(out, p)) {
			fprintf(stderr, "qemu was \"%s\", now \"%s\"\n", before, out);
			abort();
		}
		free(p);
		free(out);
	}
	free(before);
	return 0;
}
