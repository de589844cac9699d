// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_teardown.c - libFuzzer target: harness/sh/teardown.awk through awk,
 * as the runner runs it (collect.sh finish_teardown): splat.awk over the
 * whole kernel log, then teardown.awk over the splats it found.
 *
 * Input: one flag byte, then the kernel log as the runner keeps it
 * (/dev/kmsg records "PRI,SEQ,USEC,FLAGS;TEXT", the runner's markers
 * among them; fixtures/runner/teardown-* are the seeds).  Flags: bit 0
 * reason "fuzz" (the run did not finish), bit 1 skip "fuzz" (a host not
 * booted), bit 2 the rest is the SPLATS file itself (KIND WHERE TEST TEXT,
 * tab-separated), not a kernel log.  NUL bytes are dropped (/dev/kmsg
 * escapes them).
 *
 * Oracle, teardown.awk's own guarantees: awk exits 0 (both awks); the
 * output is "TAP version 13", "1..2", then exactly two result lines,
 *   ok|not ok 1 teardown.kernel_log_clean_between_programs[ # ...]
 *   ok|not ok 2 teardown.kernel_log_clean_during_teardown[ # ...]
 * and every other line starts with '#' (a kernel line quoted in a
 * diagnostic can never read as a result).  Result N, from the splats
 * (computed here, not by awk): with skip, "ok N name # SKIP fuzz";
 * else, when a splat line with WHERE "between" (1) / "teardown" (2)
 * is not the "[ cut here ]" line of a report (kind "+", or a text
 * "---[ cut here ]---" of a kind other than cut_here), exactly "not ok N
 * name" followed by "# vfio-ct: kernel splat (" and at most 48 "#   "
 * lines; else "ok N name" when the run finished, "not ok N name # did
 * not finish: fuzz" when it did not.  Coverage is the driver's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awkrun.h"

#ifndef VCT_TOP
#define VCT_TOP "."	/* fuzz.mk passes the source tree */
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char *const names[2] = {
	"teardown.kernel_log_clean_between_programs",
	"teardown.kernel_log_clean_during_teardown",
};

/* "-+[ cut here ]-+" exactly (teardown.awk's /^-+\[ cut here \]-+$/). */
static int cut_here_text(const char *t)
{
	size_t a = strspn(t, "-"), b;

	if (!a || strncmp(t + a, "[ cut here ]", 12))
		return 0;
	b = strspn(t + a + 12, "-");
	return b && t[a + 12 + b] == '\0';
}

/* Whether the SPLATS text has a judged splat at `where`. */
static int splat_at(char *splats, const char *where)
{
	char *copy = strdup(splats), *line, *save = NULL;
	int found = 0;

	if (!copy)
		abort();
	for (line = strtok_r(copy, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *kind = line, *w, *t, *text;

		w = strchr(kind, '\t');
		if (!w)
			continue;
		*w++ = '\0';
		t = strchr(w, '\t');
		text = t ? strchr(t + 1, '\t') : NULL;
		if (t)
			*t++ = '\0';
		text = text ? text + 1 : (char *)"";
		if (strcmp(w, where))
			continue;
		if (!strcmp(kind, "+") || (strcmp(kind, "cut_here") && cut_here_text(text)))
			continue;
		found = 1;
	}
	free(copy);
	return found;
}

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *sargv[] = { "-f", VCT_TOP "/harness/sh/splat.awk", NULL, NULL };
	const char *targv[] = { "-v", NULL, "-v", NULL, "-f", VCT_TOP "/harness/sh/teardown.awk",
				NULL, NULL };
	char kpath[512], spath[512], *in, *splats, *out, *copy, *line, *save = NULL;
	size_t i, n = 0, slen, outlen;
	unsigned flags;
	int st, lineno = 0, nres = 0, want[2], body = 0, expect_first = 0;

	if (size < 1 || size > 65536)
		return 0;
	flags = data[0];
	in = malloc(size);
	if (!in)
		abort();
	for (i = 1; i < size; i++)
		if (data[i])
			in[n++] = (char)data[i];
	if (flags & 4) {
		fz_write("splats", in, n);
	} else {
		fz_write("kmsg", in, n);
		snprintf(kpath, sizeof(kpath), "%s", fz_path("kmsg"));
		sargv[2] = kpath;
		st = fz_awk(sargv, "splats", &splats, &slen);
		free(splats);
		if (st)
			FAIL("splat.awk exited %d", st);
	}
	free(in);
	snprintf(spath, sizeof(spath), "%s", fz_path("splats"));
	{
		FILE *f = fopen(spath, "rb");
		long len;

		if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0)
			abort();
		rewind(f);
		splats = calloc(1, (size_t)len + 1);
		if (!splats || fread(splats, 1, (size_t)len, f) != (size_t)len)
			abort();
		fclose(f);
		for (i = 0; i < (size_t)len; i++)	/* the raw mode's bytes, as text */
			splats[i] = splats[i] ? splats[i] : '?';
	}
	want[0] = splat_at(splats, "between");
	want[1] = splat_at(splats, "teardown");
	free(splats);

	targv[1] = flags & 1 ? "reason=fuzz" : "reason=";
	targv[3] = flags & 2 ? "skip=fuzz" : "skip=";
	targv[6] = spath;
	st = fz_awk(targv, "out", &out, &outlen);
	if (st)
		FAIL("teardown.awk exited %d", st);
	for (i = 0; i < outlen; i++)
		out[i] = out[i] ? out[i] : '?';
	copy = strdup(out);
	if (!copy)
		abort();
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char exp[256];

		lineno++;
		if (lineno == 1) {
			if (strcmp(line, "TAP version 13"))
				FAIL("line 1: %s", line);
			continue;
		}
		if (lineno == 2) {
			if (strcmp(line, "1..2"))
				FAIL("line 2 is not the plan 1..2: %s", line);
			continue;
		}
		if (expect_first) {
			if (strncmp(line, "# vfio-ct: kernel splat (", 25))
				FAIL("result %d's first diagnostic: %s", nres, line);
			expect_first = 0;
			body = 0;
			continue;
		}
		if (!fz_is_tap_result(line)) {
			if (line[0] != '#')
				FAIL("line %d is neither a result nor a diagnostic: %s", lineno, line);
			if (!strncmp(line, "#   ", 4) && ++body > 48)
				FAIL("result %d quotes more than 48 lines", nres);
			continue;
		}
		if (nres == 2)
			FAIL("a third result line: %s", line);
		if (flags & 2)
			snprintf(exp, sizeof(exp), "ok %d %s # SKIP fuzz", nres + 1, names[nres]);
		else if (want[nres])
			snprintf(exp, sizeof(exp), "not ok %d %s", nres + 1, names[nres]);
		else if (flags & 1)
			snprintf(exp, sizeof(exp), "not ok %d %s # did not finish: fuzz", nres + 1,
				 names[nres]);
		else
			snprintf(exp, sizeof(exp), "ok %d %s", nres + 1, names[nres]);
		if (strcmp(line, exp))
			FAIL("result %d is \"%s\", expected \"%s\"", nres + 1, line, exp);
		expect_first = !(flags & 2) && want[nres];
		body = 0;
		nres++;
	}
	if (nres != 2 || expect_first)
		FAIL("%d result lines%s", nres, expect_first ? ", the last without its diagnostic" : "");
	free(copy);
	free(out);
	return 0;
}
