// SPDX-License-Identifier: GPL-2.0
/* util.c - see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* kselftest's KSFT_FAIL; kselftest.h itself is only for test programs. */
#define VCT_EXIT_FAIL 1

size_t vct_page_size(void)
{
	static size_t page;

	if (!page) {
		long v = sysconf(_SC_PAGESIZE);

		page = v > 0 ? (size_t)v : 4096;
	}
	return page;
}

const char *vct_errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	{ EIO, "EIO" },
		{ E2BIG, "E2BIG" },	{ EBADF, "EBADF" },	{ EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" },	{ EACCES, "EACCES" },	{ EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" },	{ EEXIST, "EEXIST" },	{ ENODEV, "ENODEV" },
		{ EINVAL, "EINVAL" },	{ ENOSPC, "ENOSPC" },	{ ERANGE, "ERANGE" },
		{ ENOTTY, "ENOTTY" },	{ EFBIG, "EFBIG" },	{ ENOSYS, "ENOSYS" },
		{ EOVERFLOW, "EOVERFLOW" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENXIO, "ENXIO" },	{ ESRCH, "ESRCH" },	{ EMSGSIZE, "EMSGSIZE" },
	};
	size_t i;

	for (i = 0; i < VCT_ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}

void vct_die(const char *file, int line, const char *expr, int ret)
{
	fprintf(stderr, "# %s:%d: %s: returned -%s (%s)\n", file, line, expr,
		vct_errno_name(-ret), strerror(-ret));
	fflush(NULL);
	exit(VCT_EXIT_FAIL);
}

int __vct_read_text(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd, err = 0;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	/* One more byte would not fit: say so rather than truncate. */
	if (!err && got == len - 1) {
		char extra;

		if (read(fd, &extra, 1) == 1)
			err = -EFBIG;
	}
	close(fd);
	if (err)
		return err;
	buf[got] = '\0';
	while (got && buf[got - 1] == '\n')
		buf[--got] = '\0';
	return (int)got;
}

int vct_parse_u64(const char *s, int base, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno)
		return -errno;
	if (end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int __vct_read_u64(const char *path, int base, uint64_t *out)
{
	char buf[64] = "";
	int ret = __vct_read_text(path, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	return vct_parse_u64(buf, base, out);
}

int __vct_kernel_version(struct vct_kver *out)
{
	struct utsname u;

	if (uname(&u))
		return -errno;
	memset(out, 0, sizeof(*out));
	if (sscanf(u.release, "%u.%u.%u", &out->major, &out->minor,
		   &out->patch) < 2)
		return -EINVAL;
	return 0;
}

int vct_kver_cmp(const struct vct_kver *v, unsigned major, unsigned minor)
{
	if (v->major != major)
		return v->major < major ? -1 : 1;
	if (v->minor != minor)
		return v->minor < minor ? -1 : 1;
	return 0;
}

/* Append one /dev/kmsg record's text ("prio,seq,usec,flags;text\n..."). */
static int kmsg_append(char **buf, size_t *len, size_t *cap,
		       const char *rec, size_t n)
{
	const char *text = memchr(rec, ';', n);
	const char *eol;
	size_t tlen;

	if (!text)
		return 0;
	text++;
	eol = memchr(text, '\n', n - (size_t)(text - rec));
	tlen = eol ? (size_t)(eol - text) : n - (size_t)(text - rec);
	if (!*buf || *len + tlen + 2 > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 65536) + tlen;
		char *nbuf = realloc(*buf, ncap);

		if (!nbuf)
			return -ENOMEM;
		*buf = nbuf;
		*cap = ncap;
	}
	memcpy(*buf + *len, text, tlen);
	*len += tlen;
	(*buf)[(*len)++] = '\n';
	(*buf)[*len] = '\0';
	return 0;
}

int __vct_kmsg_read(char **out)
{
	char rec[8192];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, ret = 0;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec));

		if (n < 0 && errno == EPIPE)
			continue; /* records overwritten while reading */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		ret = kmsg_append(&buf, &len, &cap, rec, (size_t)n);
		if (ret)
			break;
	}
	close(fd);
	if (!ret && !buf)
		buf = strdup("");
	if (!ret && !buf)
		ret = -ENOMEM;
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	return (int)len;
}

const char *vct_clock_virtual_why(void)
{
	const char *c = getenv("VCT_GUEST_CLOCK");

	if (!c || strcmp(c, "virtual"))
		return NULL;
	return "the guest's clock is virtual (run.sh --icount: instructions counted, idle "
	       "time skipped): it cannot time a rate or a wait on the runner";
}
