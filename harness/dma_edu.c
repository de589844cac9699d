// SPDX-License-Identifier: GPL-2.0
/*
 * dma_edu.c - QEMU's educational PCI device (1234:11e8) as a DMA engine.
 *
 * BAR0 (1 MiB MMIO): 0x00 id (low byte 0xed), 0x04 liveness (reads back the
 * complement of what was written), 0x24 irq status, 0x60 raise irq (ORs
 * into the status), 0x64 ack irq, 0x80 DMA source, 0x88 DMA destination,
 * 0x90 DMA count, 0x98 DMA command: bit0 start/busy, bit1 direction
 * (1 = device buffer -> RAM), bit2 irq on completion.  The DMA registers
 * are 64 bits wide and must be written with 8-byte accesses (a 4-byte
 * write replaces the whole register with 32 bits).  Writes to them while a
 * transfer runs are ignored by the device.
 *
 * The device buffer is 4 KiB at device address 0x40000, internal (not in
 * the BAR).  A transfer range outside it makes QEMU abort, so it is
 * checked here before the device sees it.  QEMU 7.2's range check is off
 * by one (it wants the transfer's end strictly below the buffer's end, so
 * a transfer touching byte 0xfff aborts QEMU; fixed in later QEMU), and
 * the guest cannot tell QEMU's version: the usable buffer is 4095 bytes.  Each transfer completes ~100 ms
 * (virtual clock) after the start; completion is polled on the busy bit.
 * A transfer the IOMMU refuses still completes; a refused read leaves
 * zeros in the buffer.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "dma.h"

#define EDU_REG_ID		0x00
#define EDU_REG_LIVE		0x04
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_BUF_ADDR		0x40000ull
#define EDU_BUF_SIZE		4096ull
#define EDU_BUF_USABLE		(EDU_BUF_SIZE - 1)	/* QEMU 7.2: see above */
/* irq status bit raised by software: not the factorial (0x1) or DMA (0x100) one */
#define EDU_IRQ_SOFT		0x10000u

struct edu {
	volatile uint8_t *bar;		/* mmap of BAR0, or NULL: pread/pwrite */
	uint64_t bar_size;
	uint64_t bar_off;		/* region offset in the device fd */
	uint64_t cfg_off;		/* config space region offset */
	int irq_fd;			/* MSI eventfd, -1 until raise_irq */
};

static bool edu_probe(const struct vct_pcidev *p)
{
	return p->vendor == 0x1234 && p->device == 0x11e8;
}

static int rd(struct vct_dma_engine *e, uint64_t reg, unsigned size,
	      uint64_t *val)
{
	struct edu *d = e->priv;
	uint32_t v32;

	if (d->bar) {
		*val = size == 8 ? *(volatile uint64_t *)(d->bar + reg)
				 : *(volatile uint32_t *)(d->bar + reg);
		return 0;
	}
	if (size == 8)
		return pread(e->device_fd, val, 8, (off_t)(d->bar_off + reg)) == 8
			? 0 : -EIO;
	if (pread(e->device_fd, &v32, 4, (off_t)(d->bar_off + reg)) != 4)
		return -EIO;
	*val = v32;
	return 0;
}

static int wr(struct vct_dma_engine *e, uint64_t reg, unsigned size,
	      uint64_t val)
{
	struct edu *d = e->priv;
	uint32_t v32 = (uint32_t)val;

	if (d->bar) {
		if (size == 8)
			*(volatile uint64_t *)(d->bar + reg) = val;
		else
			*(volatile uint32_t *)(d->bar + reg) = v32;
		return 0;
	}
	if (size == 8)
		return pwrite(e->device_fd, &val, 8, (off_t)(d->bar_off + reg)) == 8
			? 0 : -EIO;
	return pwrite(e->device_fd, &v32, 4, (off_t)(d->bar_off + reg)) == 4
		? 0 : -EIO;
}

static int region(struct vct_dma_engine *e, uint32_t index,
		  struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	if (ioctl(e->device_fd, VFIO_DEVICE_GET_REGION_INFO, ri)) {
		snprintf(e->err, sizeof(e->err), "GET_REGION_INFO %u: %m", index);
		return -errno;
	}
	return 0;
}

static int set_command(struct vct_dma_engine *e, uint16_t set, uint16_t clear)
{
	struct edu *d = e->priv;
	uint16_t cmd;
	off_t at = (off_t)(d->cfg_off + PCI_COMMAND);

	if (pread(e->device_fd, &cmd, 2, at) != 2) {
		snprintf(e->err, sizeof(e->err), "config read: %m");
		return -EIO;
	}
	cmd = (uint16_t)((cmd | set) & ~clear);
	if (pwrite(e->device_fd, &cmd, 2, at) != 2) {
		snprintf(e->err, sizeof(e->err), "config write: %m");
		return -EIO;
	}
	return 0;
}

static int busy(struct vct_dma_engine *e, bool *b)
{
	uint64_t cmd;
	int ret = rd(e, EDU_REG_DMA_CMD, 8, &cmd);

	*b = cmd & EDU_DMA_RUN;
	return ret;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static int edu_wait(struct vct_dma_engine *e, int timeout_ms)
{
	struct timespec t0, nap = { 0, 2 * 1000 * 1000 };
	bool b;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ret = busy(e, &b);
		if (ret)
			return ret;
		if (!b)
			return 0;
		if (ms_since(&t0) >= timeout_ms) {
			snprintf(e->err, sizeof(e->err),
				 "edu %s: DMA still busy after %d ms", e->bdf, timeout_ms);
			return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
	}
}

static int edu_init(struct vct_dma_engine *e)
{
	struct vfio_region_info ri;
	struct edu *d;
	uint64_t id, live;
	void *m;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->irq_fd = -1;
	e->priv = d;
	ret = region(e, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
	if (ret)
		goto fail;
	d->cfg_off = ri.offset;
	ret = region(e, VFIO_PCI_BAR0_REGION_INDEX, &ri);
	if (ret)
		goto fail;
	if (ri.size < 0x100) {
		snprintf(e->err, sizeof(e->err), "BAR0 is %#llx bytes",
			 (unsigned long long)ri.size);
		ret = -ENODEV;
		goto fail;
	}
	d->bar_off = ri.offset;
	d->bar_size = ri.size;
	if (ri.flags & VFIO_REGION_INFO_FLAG_MMAP) {
		m = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 e->device_fd, (off_t)ri.offset);
		if (m != MAP_FAILED)
			d->bar = m;	/* else registers through pread/pwrite */
	}
	ret = set_command(e, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
	if (ret)
		goto fail;
	ret = rd(e, EDU_REG_ID, 4, &id);
	if (!ret)
		ret = wr(e, EDU_REG_LIVE, 4, 0x5a5a1234);
	if (!ret)
		ret = rd(e, EDU_REG_LIVE, 4, &live);
	if (ret) {
		snprintf(e->err, sizeof(e->err), "BAR0 access failed");
		goto fail;
	}
	if ((id & 0xff) != 0xed || (uint32_t)live != (uint32_t)~0x5a5a1234u) {
		snprintf(e->err, sizeof(e->err),
			 "not an edu: id %#" PRIx64 ", liveness %#" PRIx64, id, live);
		ret = -ENODEV;
		goto fail;
	}
	/* a transfer left running by an earlier user finishes first */
	ret = edu_wait(e, 2000);
	if (ret)
		goto fail;
	e->buf_size = EDU_BUF_USABLE;
	e->max_len = EDU_BUF_USABLE;
	e->can_load = true;		/* reads fill the buffer with any bytes */
	e->reads_compare_only = false;
	e->len_align = e->iova_align = 1;
	return 0;
fail:
	if (d->bar)
		munmap((void *)d->bar, d->bar_size);
	free(d);
	e->priv = NULL;
	return ret;
}

static int edu_start(struct vct_dma_engine *e, uint64_t src, uint64_t dst,
		     uint64_t off, uint64_t len, uint64_t cmd)
{
	bool b;
	int ret;

	if (!len || len > EDU_BUF_USABLE || off > EDU_BUF_USABLE ||
	    len > EDU_BUF_USABLE - off) {
		snprintf(e->err, sizeof(e->err),
			 "edu: buffer range [%#" PRIx64 "+%#" PRIx64 ") outside 0..%#llx",
			 off, len, EDU_BUF_USABLE);
		return -EINVAL;
	}
	ret = busy(e, &b);
	if (ret)
		return ret;
	if (b)
		return -EBUSY;
	ret = wr(e, EDU_REG_DMA_SRC, 8, src);
	if (!ret)
		ret = wr(e, EDU_REG_DMA_DST, 8, dst);
	if (!ret)
		ret = wr(e, EDU_REG_DMA_CNT, 8, len);
	if (!ret)
		ret = wr(e, EDU_REG_DMA_CMD, 8, cmd | EDU_DMA_RUN);
	return ret;
}

static int edu_start_write(struct vct_dma_engine *e, uint64_t iova,
			   uint64_t off, uint64_t len)
{
	return edu_start(e, EDU_BUF_ADDR + off, iova, off, len, EDU_DMA_TO_RAM);
}

static int edu_start_read(struct vct_dma_engine *e, uint64_t iova,
			  uint64_t off, uint64_t len)
{
	return edu_start(e, iova, EDU_BUF_ADDR + off, off, len, 0);
}

static int irq_set(struct vct_dma_engine *e, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;
	int32_t efd = fd;

	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(buf);
	s->index = VFIO_PCI_MSI_IRQ_INDEX;
	s->start = 0;
	if (fd >= 0) {
		s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
		s->count = 1;
		memcpy(s->data, &efd, sizeof(efd));
	} else {
		/* count 0 with DATA_NONE: disable the index */
		s->argsz = sizeof(*s);
		s->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
		s->count = 0;
	}
	if (ioctl(e->device_fd, VFIO_DEVICE_SET_IRQS, s)) {
		snprintf(e->err, sizeof(e->err), "SET_IRQS MSI %s: %m",
			 fd >= 0 ? "enable" : "disable");
		return -errno;
	}
	return 0;
}

static int edu_raise_irq(struct vct_dma_engine *e, int timeout_ms)
{
	struct edu *d = e->priv;
	struct pollfd pfd;
	uint64_t n;
	int ret;

	if (d->irq_fd < 0) {
		d->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (d->irq_fd < 0)
			return -errno;
		ret = irq_set(e, d->irq_fd);
		if (ret) {
			close(d->irq_fd);
			d->irq_fd = -1;
			return ret;
		}
	}
	ret = wr(e, EDU_REG_IRQ_RAISE, 4, EDU_IRQ_SOFT);
	if (ret)
		return ret;
	pfd.fd = d->irq_fd;
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, timeout_ms);
	/* MSI is edge: ack so the next raise is a new interrupt */
	wr(e, EDU_REG_IRQ_ACK, 4, EDU_IRQ_SOFT);
	if (ret < 0)
		return -errno;
	if (ret == 0) {
		snprintf(e->err, sizeof(e->err), "edu %s: no MSI within %d ms",
			 e->bdf, timeout_ms);
		return -ETIMEDOUT;
	}
	if (read(d->irq_fd, &n, sizeof(n)) != sizeof(n))
		return -EIO;
	return 0;
}

static void edu_remove(struct vct_dma_engine *e)
{
	struct edu *d = e->priv;

	if (!d)
		return;
	edu_wait(e, 2000);
	if (d->irq_fd >= 0) {
		irq_set(e, -1);
		close(d->irq_fd);
	}
	set_command(e, 0, PCI_COMMAND_MASTER);
	if (d->bar)
		munmap((void *)d->bar, d->bar_size);
	free(d);
	e->priv = NULL;
}

const struct vct_dma_driver vct_dma_edu = {
	.name = "edu",
	.probe = edu_probe,
	.init = edu_init,
	.start_write = edu_start_write,
	.start_read = edu_start_read,
	.wait = edu_wait,
	.raise_irq = edu_raise_irq,
	.read_check = NULL,		/* edu cannot compare */
	.remove = edu_remove,
};
