// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_phases.c - libFuzzer target: harness/sh/phases.awk through awk, as
 * phases.sh runs it (phases_table): the host's phase marks and the guest's
 * records, whose "@phase NAME SECONDS" lines come over the guest channel.
 *
 * Input: phases.host, a NUL, stream.log (NUL bytes after the first dropped:
 * neither file has them).  Oracle, what phases_json (run.json "phases")
 * and phases_say rely on: awk exits 0; every output line is exactly three
 * tab-separated fields NAME, SECONDS, CLOCK with NAME non-empty, CLOCK
 * "host", "guest" or "virtual" (an `@clock virtual` stream: run.sh
 * --icount) and SECONDS a decimal with two places
 * (-?[0-9]+\.[0-9][0-9]: a JSON number, never "inf" or "nan");
 * "guest.other" is always a host row and closes the guest's rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awkrun.h"

#ifndef VCT_TOP
#define VCT_TOP "."	/* fuzz.mk passes the source tree */
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static int seconds_ok(const char *s)
{
	size_t n;

	if (*s == '-')
		s++;
	n = strspn(s, "0123456789");
	return n && s[n] == '.' && strspn(s + n + 1, "0123456789") == 2 && s[n + 3] == '\0';
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *argv[] = { "-f", VCT_TOP "/harness/sh/phases.awk", NULL, NULL, NULL };
	char hpath[512], spath[512], *out, *copy, *line, *save = NULL, *clean;
	const unsigned char *nul = memchr(data, '\0', size);
	size_t i, n = 0, outlen, hl = nul ? (size_t)(nul - data) : size;
	int st;

	if (size > 65536)
		return 0;
	clean = malloc(size + 1);
	if (!clean)
		abort();
	for (i = hl + 1; nul && i < size; i++)
		if (data[i])
			clean[n++] = (char)data[i];
	fz_write("host", data, hl);
	fz_write("stream", clean, n);
	free(clean);
	snprintf(hpath, sizeof(hpath), "%s", fz_path("host"));
	snprintf(spath, sizeof(spath), "%s", fz_path("stream"));
	argv[2] = hpath;
	argv[3] = spath;
	st = fz_awk(argv, "out", &out, &outlen);
	if (st)
		FAIL("phases.awk exited %d", st);
	if (strlen(out) != outlen)
		FAIL("a NUL byte in the table");
	copy = strdup(out);
	if (!copy)
		abort();
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

		if (!t1 || !t2 || strchr(t2 + 1, '\t'))
			FAIL("not three fields: %s", line);
		*t1 = *t2 = '\0';
		if (!*line)
			FAIL("an empty name");
		if (!seconds_ok(t1 + 1))
			FAIL("phase %s: seconds \"%s\" are not a decimal with two places", line, t1 + 1);
		if (strcmp(t2 + 1, "host") && strcmp(t2 + 1, "guest") && strcmp(t2 + 1, "virtual"))
			FAIL("phase %s: clock \"%s\"", line, t2 + 1);
		if (!strcmp(line, "guest.other") && strcmp(t2 + 1, "host"))
			FAIL("guest.other on the guest clock");
	}
	free(copy);
	free(out);
	return 0;
}
