/* SPDX-License-Identifier: GPL-2.0 */
/*
 * awkrun.h - for fuzz targets of the runner's awk programs: files in a
 * private temporary folder and one bounded awk run.
 */
#ifndef VCT_FUZZ_AWKRUN_H
#define VCT_FUZZ_AWKRUN_H

#include <stddef.h>

/* Path of NAME in this process's temporary folder (made on first use). */
const char *fz_path(const char *name);
/* Write len bytes to fz_path(name); aborts on failure. */
void fz_write(const char *name, const void *p, size_t len);
/*
 * Two-file inputs: the bytes before the first `sep` go to fz_path(first),
 * the bytes after it to fz_path(second) (empty when there is no `sep`).
 */
void fz_write_split(const unsigned char *data, size_t size, unsigned char sep,
		    const char *first, const char *second);
/*
 * Run $VCT_AWK (default "awk", may be "busybox awk") with argv (NULL
 * terminated, without the awk word), stdout to fz_path(out).  Returns the
 * exit status; aborts when awk is killed by a signal or runs over 10 s
 * (a hang is a finding).  *outp (malloc'ed, NUL-terminated) and *outlen
 * receive what it printed.
 */
int fz_awk(const char *const argv[], const char *out, char **outp, size_t *outlen);
/* Whether line is a TAP result: "ok" or "not ok", then a space or its end. */
int fz_is_tap_result(const char *line);

#endif
