// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_collate.c - libFuzzer target: harness/sh/collate.awk through awk,
 * as the runner uses it: splat.awk over the kernel log, then collate.awk
 * over the splats and the guest's records.
 *
 * Input: the kernel log (KMSG), a NUL, the guest's records (STREAM), for
 * program suites/resv/prog with reason "fuzz".  Oracle, collate.awk's own
 * guarantees read as TAP consumers (prove) read them: awk exits 0; the
 * output is "TAP version 13", one plan "1..N", and exactly N result lines
 * numbered 1..N in order (a result line is any line prove takes for one:
 * "ok" or "not ok" followed by a space or the line's end); every listed
 * test with a plain name ([A-Za-z0-9._-]) has a result line.
 * NUL bytes (a corrupt channel) are read as '?' by the oracle, which
 * parses C strings.  Coverage is the driver's, not awk's: libFuzzer
 * mutates blind here.
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

static int plain(const char *s)
{
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *s))
			return 0;
	return 1;
}

/* Whether out has a result line naming `name` (up to " #" or the end). */
static int reported(const char *out, const char *name)
{
	size_t n = strlen(name);
	const char *l;

	for (l = out; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *p = l;

		if (!fz_is_tap_result(p))
			continue;
		p += strncmp(p, "not ", 4) ? 3 : 7;
		p += strspn(p, "0123456789");
		if (*p == ' ' && !strncmp(p + 1, name, n) &&
		    (p[1 + n] == '\n' || p[1 + n] == '\0' || !strncmp(p + 1 + n, " #", 2)))
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const unsigned char *nul = memchr(data, '\0', size);
	const char *argv[] = { "-v", "prog=" PROG, "-v", "reason=fuzz", "-f",
			       VCT_TOP "/harness/sh/collate.awk", NULL, NULL, NULL };
	const char *sargv[] = { "-f", VCT_TOP "/harness/sh/splat.awk", NULL, NULL };
	char kmsg[512], stream[512], *out, *line, *save = NULL, *copy;
	size_t klen = nul ? (size_t)(nul - data) : size, outlen;
	unsigned long plan = 0, nres = 0;
	int st, lineno = 0;
	size_t i;

	if (size > 65536)
		return 0;
	fz_write_split(data, size, '\0', "kmsg", "stream");
	snprintf(kmsg, sizeof(kmsg), "%s", fz_path("kmsg"));
	snprintf(stream, sizeof(stream), "%s", fz_path("stream"));
	sargv[2] = kmsg;
	st = fz_awk(sargv, "splats", &out, &outlen);
	free(out);
	if (st) {
		fprintf(stderr, "splat.awk exited %d\n", st);
		abort();
	}
	snprintf(kmsg, sizeof(kmsg), "%s", fz_path("splats"));
	argv[6] = kmsg;
	argv[7] = stream;
	st = fz_awk(argv, "out", &out, &outlen);
	if (st) {
		fprintf(stderr, "collate.awk exited %d\n", st);
		abort();
	}
	for (i = 0; i < outlen; i++)
		out[i] = out[i] ? out[i] : '?';
	copy = strdup(out);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (lineno == 1 && strcmp(line, "TAP version 13"))
			abort();
		if (!strncmp(line, "1..", 3)) {
			if (lineno != 2 || plan) {
				fprintf(stderr, "a plan on line %d: %s\n", lineno, line);
				abort();
			}
			plan = strtoul(line + 3, NULL, 10) + 1;
		} else if (fz_is_tap_result(line)) {
			const char *p = line + (strncmp(line, "not ", 4) ? 2 : 6);

			nres++;
			if (*p != ' ' || strtoul(p + 1, NULL, 10) != nres) {
				fprintf(stderr, "result %lu numbered wrong: %s\n", nres, line);
				abort();
			}
		}
	}
	free(copy);
	if (!plan || plan - 1 != nres) {
		fprintf(stderr, "plan 1..%lu for %lu result lines\n", plan ? plan - 1 : 0, nres);
		abort();
	}
	/* Every listed test with a plain name got a result. */
	copy = calloc(1, size - klen + 1);
	if (!copy)
		abort();
	for (i = 0; nul && i < size - klen - 1; i++)
		copy[i] = nul[1 + i] ? (char)nul[1 + i] : '?';
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *name = line + strlen("@list " PROG " ");

		if (strncmp(line, "@list " PROG " ", strlen("@list " PROG " ")) || !*name ||
		    !plain(name))
			continue;
		if (!reported(out, name)) {
			fprintf(stderr, "listed test %s has no result\n", name);
			abort();
		}
	}
	free(copy);
	free(out);
	return 0;
}
