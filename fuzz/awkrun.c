// SPDX-License-Identifier: GPL-2.0
/* awkrun.c - see awkrun.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "awkrun.h"

static char dir[256];

const char *fz_path(const char *name)
{
	static char p[512];

	if (!dir[0]) {
		const char *t = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/vct-fuzz.%d", t ? t : "/tmp", (int)getpid());
		if (mkdir(dir, 0700) && errno != EEXIST)
			abort();
	}
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

void fz_write(const char *name, const void *p, size_t len)
{
	FILE *f = fopen(fz_path(name), "wb");

	if (!f || (len && fwrite(p, 1, len, f) != len) || fclose(f))
		abort();
}

void fz_write_split(const unsigned char *data, size_t size, unsigned char sep,
		    const char *first, const char *second)
{
	const unsigned char *at = memchr(data, sep, size);
	size_t n = at ? (size_t)(at - data) : size;

	fz_write(first, data, n);
	fz_write(second, at ? at + 1 : data + size, at ? size - n - 1 : 0);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		abort();
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			b = realloc(b, cap);
			if (!b)
				abort();
		}
		r = fread(b + n, 1, 4096, f);
		n += r;
	} while (r);
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
}

int fz_awk(const char *const argv[], const char *out, char **outp, size_t *outlen)
{
	const char *awk = getenv("VCT_AWK");
	char outpath[512];
	const char *av[64];
	size_t n = 0, i;
	int st, waited = 0;
	pid_t pid;

	if (!awk || !*awk)
		awk = "awk";
	if (!strncmp(awk, "busybox ", 8)) {
		av[n++] = "busybox";
		av[n++] = awk + 8;
	} else {
		av[n++] = awk;
	}
	for (i = 0; argv[i] && n < 63; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	snprintf(outpath, sizeof(outpath), "%s", fz_path(out));
	/*
	 * posix_spawn (vfork underneath): forking an ASan process copies its
	 * huge page tables, which costs far more than awk itself.
	 */
	{
		posix_spawn_file_actions_t fa;
		extern char **environ;

		if (posix_spawn_file_actions_init(&fa) ||
		    posix_spawn_file_actions_addopen(&fa, 1, outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600) ||
		    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
		    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) ||
		    posix_spawnp(&pid, av[0], &fa, NULL, (char *const *)av, environ))
			abort();
		posix_spawn_file_actions_destroy(&fa);
	}
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		struct timespec ts = { 0, 1000000 };

		if (w == pid)
			break;
		if (++waited > 10000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fprintf(stderr, "awk ran over 10 s\n");
			abort();
		}
		nanosleep(&ts, NULL);
	}
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "awk killed by signal %d\n", WTERMSIG(st));
		abort();
	}
	*outp = slurp(outpath, outlen);
	return WEXITSTATUS(st);
}

int fz_is_tap_result(const char *l)
{
	if (!strncmp(l, "not ok", 6))
		l += 6;
	else if (!strncmp(l, "ok", 2))
		l += 2;
	else
		return 0;
	return *l == ' ' || *l == '\0';
}
