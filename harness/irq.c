// SPDX-License-Identifier: GPL-2.0
/*
 * irq.c - VFIO_DEVICE_SET_IRQS and eventfd counters (irq.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "irq.h"

static int set_irqs(int device_fd, uint32_t index, uint32_t flags,
		    uint32_t start, uint32_t count, const void *data,
		    size_t data_len)
{
	struct vfio_irq_set *s;
	size_t len = sizeof(*s) + data_len;
	int ret = 0;

	s = calloc(1, len);
	if (!s)
		return -ENOMEM;
	s->argsz = (uint32_t)len;
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	if (data_len)
		memcpy(s->data, data, data_len);
	if (ioctl(device_fd, VFIO_DEVICE_SET_IRQS, s))
		ret = -errno;
	free(s);
	return ret;
}

int __vct_irq_set_eventfds(int device_fd, uint32_t index, uint32_t start,
			   uint32_t count, const int32_t *fds)
{
	return set_irqs(device_fd, index,
			VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			start, count, fds, fds ? count * sizeof(*fds) : 0);
}

int __vct_irq_disable(int device_fd, uint32_t index)
{
	return set_irqs(device_fd, index,
			VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			0, 0, NULL, 0);
}

int __vct_irq_set_none(int device_fd, uint32_t index, uint32_t action,
		       uint32_t start, uint32_t count)
{
	return set_irqs(device_fd, index, VFIO_IRQ_SET_DATA_NONE | action,
			start, count, NULL, 0);
}

int __vct_irq_set_bool(int device_fd, uint32_t index, uint32_t action,
		       uint32_t start, uint32_t count, const uint8_t *vals)
{
	return set_irqs(device_fd, index, VFIO_IRQ_SET_DATA_BOOL | action,
			start, count, vals, count);
}

int __vct_irq_info(int device_fd, uint32_t index, uint32_t *flags,
		   uint32_t *count)
{
	struct vfio_irq_info ii;

	memset(&ii, 0, sizeof(ii));
	ii.argsz = sizeof(ii);
	ii.index = index;
	if (ioctl(device_fd, VFIO_DEVICE_GET_IRQ_INFO, &ii))
		return -errno;
	*flags = ii.flags;
	*count = ii.count;
	return 0;
}

int vct_efd_new(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int64_t vct_efd_take(int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		return (int64_t)n;
	return errno == EAGAIN ? 0 : -errno;
}

int64_t vct_efd_wait(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret;

	do
		ret = poll(&p, 1, timeout_ms);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	return vct_efd_take(fd);
}

void vct_msleep(unsigned int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* The blank- and comma-separated token at *p, its length in *len. */
static const char *next_token(const char *p, const char *end, size_t *len)
{
	const char *t;

	while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
		p++;
	t = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != ',')
		p++;
	*len = (size_t)(p - t);
	return t;
}

/*
 * One interrupt line after its "N:" label (cols .. end): 1 and *here the
 * sum of its ncpu columns when `action` is one of its tokens, 0 when not,
 * -EINVAL when it is but the columns are short or not decimal.
 */
static int line_count(const char *cols, const char *end, const char *action,
		      unsigned int ncpu, uint64_t *here)
{
	size_t alen = strlen(action), len, k;
	const char *a;
	bool named = false;
	unsigned int i;

	for (a = next_token(cols, end, &len); len; a = next_token(a + len, end, &len))
		if (len == alen && !memcmp(a, action, alen))
			named = true;
	if (!named)
		return 0;
	*here = 0;
	for (i = 0, a = cols; i < ncpu; i++, a += len) {
		uint64_t v = 0;

		a = next_token(a, end, &len);
		if (!len)
			return -EINVAL;
		for (k = 0; k < len; k++) {
			if (a[k] < '0' || a[k] > '9' || v > (UINT64_MAX - 9) / 10)
				return -EINVAL;
			v = v * 10 + (uint64_t)(a[k] - '0');
		}
		*here += v;
	}
	return 1;
}

int vct_interrupts_count(const char *text, const char *action, uint64_t *count)
{
	const char *line, *end, *t;
	unsigned int ncpu = 0;
	bool found = false;
	uint64_t sum = 0, here = 0;
	size_t len;
	int ret;

	/* the header: "           CPU0       CPU1" */
	end = strchr(text, '\n');
	if (!end)
		end = text + strlen(text);
	for (t = next_token(text, end, &len); len; t = next_token(t + len, end, &len)) {
		if (len < 4 || strncmp(t, "CPU", 3))
			return -EINVAL;
		ncpu++;
	}
	if (!ncpu)
		return -EINVAL;
	/* then " 24:  12  0  PCI-MSI 49152-edge  vfio-msi[0](0000:00:03.0)" */
	for (line = *end ? end + 1 : end; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		t = next_token(line, end, &len);
		if (!len || t[len - 1] != ':')
			continue;
		ret = line_count(t + len, end, action, ncpu, &here);
		if (ret < 0)
			return ret;
		if (ret) {
			sum += here;
			found = true;
		}
	}
	if (!found)
		return -ENOENT;
	*count = sum;
	return 0;
}

/* /proc/interrupts read whole into *buf (*cap > 0 bytes, grown as needed), NUL-terminated; -errno. */
static int read_interrupts(char **buf, size_t *cap)
{
	size_t n = 0;
	ssize_t r;
	int fd = open("/proc/interrupts", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		if (n + 1 >= *cap) {
			size_t ncap = *cap * 2;
			char *nb = realloc(*buf, ncap);

			if (!nb) {
				close(fd);
				return -ENOMEM;
			}
			*buf = nb;
			*cap = ncap;
		}
		r = read(fd, *buf + n, *cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			close(fd);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	(*buf)[n] = '\0';
	return 0;
}

int __vct_irq_wait_handled(const char *action, uint64_t at_least, int timeout_ms,
			   uint64_t *count)
{
	struct timespec t0, now, step = { 0, 100000 };
	size_t cap = 16384;
	char *buf = calloc(1, cap);
	int ret;

	if (!buf)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ret = read_interrupts(&buf, &cap);
		if (!ret)
			ret = vct_interrupts_count(buf, action, count);
		if (ret || *count >= at_least)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >= timeout_ms) {
			ret = -ETIMEDOUT;
			break;
		}
		nanosleep(&step, NULL);
	}
	free(buf);
	return ret;
}
