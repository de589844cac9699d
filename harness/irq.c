// SPDX-License-Identifier: GPL-2.0
/*
 * irq.c - VFIO_DEVICE_SET_IRQS and eventfd counters (irq.h).
 */
#include <errno.h>
#include <poll.h>
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
