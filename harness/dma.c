// SPDX-License-Identifier: GPL-2.0
/*
 * dma.c - DMA engine registry and the driver-independent parts of dma.h:
 * open/close, synchronous wrappers, staging, checking helpers and the
 * IOMMU fault log reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dma.h"

static const struct vct_dma_driver *const drivers[] = {
	&vct_dma_edu,
	&vct_dma_nvme,
	&vct_dma_igb,
};

const struct vct_dma_driver *vct_dma_driver_find(const struct vct_pcidev *p)
{
	size_t i;

	for (i = 0; i < VCT_ARRAY_SIZE(drivers); i++)
		if (drivers[i]->probe(p))
			return drivers[i];
	return NULL;
}

const char *vct_dma_driver_name(const char *bdf)
{
	const struct vct_dma_driver *drv;
	struct vct_pcidev pd;

	if (__vct_pci_find_by_bdf(bdf, &pd))
		return NULL;
	drv = vct_dma_driver_find(&pd);
	return drv ? drv->name : NULL;
}

int __vct_dma_open(struct vct_iommu *iommu, const char *bdf,
		   struct vct_dma_engine **out, char *why, size_t why_len)
{
	return __vct_dma_open_at(iommu, bdf, VCT_DMA_OWN_IOVA, out, why, why_len);
}

int __vct_dma_open_at(struct vct_iommu *iommu, const char *bdf,
		      uint64_t own_iova, struct vct_dma_engine **out,
		      char *why, size_t why_len)
{
	struct vct_pcidev pd;
	struct vct_dma_engine *e;
	const struct vct_dma_driver *drv;
	int ret;

	*out = NULL;
	ret = __vct_pci_find_by_bdf(bdf, &pd);
	if (ret) {
		snprintf(why, why_len, "%s: not found: %s", bdf, strerror(-ret));
		return ret;
	}
	drv = vct_dma_driver_find(&pd);
	if (!drv) {
		snprintf(why, why_len, "%s (%04x:%04x): no DMA engine driver",
			 bdf, pd.vendor, pd.device);
		return -ENODEV;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->drv = drv;
	snprintf(e->bdf, sizeof(e->bdf), "%s", pd.bdf);
	e->vendor = pd.vendor;
	e->device = pd.device;
	e->timeout_ms = 5000;
	e->iommu = iommu;
	e->own_iova = own_iova;
	e->len_align = e->iova_align = 1;
	e->device_fd = __vct_iommu_device_fd(iommu, pd.bdf);
	if (e->device_fd < 0) {
		ret = e->device_fd;
		snprintf(why, why_len, "%s: VFIO device fd: %s %s", pd.bdf,
			 vct_errno_name(-ret), vct_iommu_last_error(iommu));
		free(e);
		return ret;
	}
	ret = drv->init(e);
	if (ret) {
		snprintf(why, why_len, "%s: %s init: %s (%s)", pd.bdf, drv->name,
			 vct_errno_name(-ret), e->err);
		close(e->device_fd);
		free(e);
		return ret;
	}
	*out = e;
	return 0;
}

void vct_dma_close(struct vct_dma_engine *e)
{
	if (!e)
		return;
	e->drv->remove(e);
	if (e->device_fd >= 0)
		close(e->device_fd);
	free(e);
}

int __vct_dma_start_write(struct vct_dma_engine *e, uint64_t iova,
			  uint64_t off, uint64_t len)
{
	int ret;

	if (e->busy)
		return -EBUSY;
	ret = e->drv->start_write(e, iova, off, len);
	if (!ret)
		e->busy = true;
	return ret;
}

int __vct_dma_start_read(struct vct_dma_engine *e, uint64_t iova,
			 uint64_t off, uint64_t len)
{
	int ret;

	if (e->busy)
		return -EBUSY;
	ret = e->drv->start_read(e, iova, off, len);
	if (!ret)
		e->busy = true;
	return ret;
}

int __vct_dma_wait(struct vct_dma_engine *e)
{
	int ret;

	if (!e->busy)
		return 0;
	ret = e->drv->wait(e, e->timeout_ms);
	if (!ret || ret == -EIO)	/* completed, with or without an error status */
		e->busy = false;
	return ret;
}

int __vct_dma_write(struct vct_dma_engine *e, uint64_t iova, uint64_t off,
		    uint64_t len)
{
	int ret = __vct_dma_start_write(e, iova, off, len);

	return ret ? ret : __vct_dma_wait(e);
}

int __vct_dma_read(struct vct_dma_engine *e, uint64_t iova, uint64_t off,
		   uint64_t len)
{
	int ret = __vct_dma_start_read(e, iova, off, len);

	return ret ? ret : __vct_dma_wait(e);
}

int __vct_dma_copy(struct vct_dma_engine *e, uint64_t src, uint64_t dst,
		   uint64_t len)
{
	int ret = __vct_dma_read(e, src, 0, len);

	return ret ? ret : __vct_dma_write(e, dst, 0, len);
}

int __vct_dma_raise_irq(struct vct_dma_engine *e)
{
	return e->drv->raise_irq(e, e->timeout_ms);
}

int __vct_dma_read_check(struct vct_dma_engine *e, uint64_t iova, uint64_t off,
			 uint64_t len)
{
	if (e->busy)
		return -EBUSY;
	if (!e->drv->read_check) {
		snprintf(e->err, sizeof(e->err), "%s: the device cannot compare",
			 e->drv->name);
		return -EOPNOTSUPP;
	}
	return e->drv->read_check(e, iova, off, len);
}

int __vct_dma_map_own(struct vct_dma_engine *e)
{
	int ret;

	if (!e->own_len)
		return 0;
	ret = __vct_iommu_map(e->iommu, e->own_iova, e->own_len, e->own_va,
			      VCT_PROT_RW);
	if (ret)
		snprintf(e->err, sizeof(e->err), "map own memory at %#" PRIx64 ": %s",
			 e->own_iova, vct_iommu_last_error(e->iommu));
	return ret;
}

bool vct_dma_fits(const struct vct_dma_engine *e, uint64_t iova, uint64_t off,
		  uint64_t len)
{
	return len && len <= e->max_len && off <= e->buf_size &&
	       len <= e->buf_size - off && !(len % e->len_align) &&
	       !(off % e->len_align) && !(iova % e->iova_align);
}

int vct_dma_seen_content(const void *ref, void *out, size_t len, uint32_t seed)
{
	unsigned char *o = out;
	size_t i;

	if (vct_mem_find_not(ref, 0, len) >= 0) {
		memcpy(out, ref, len);
		return 0;
	}
	vct_pattern_fill(out, len, seed);
	for (i = 0; i < len; i++)
		if (!o[i])
			o[i] = 0x5a;
	return 1;
}

void vct_dma_set_staging(struct vct_dma_engine *e, void *va, uint64_t iova,
			 uint64_t len)
{
	e->stage_va = va;
	e->stage_iova = iova;
	e->stage_len = len;
}

static int stage_check(struct vct_dma_engine *e, uint64_t off, uint64_t len)
{
	if (!e->stage_va) {
		snprintf(e->err, sizeof(e->err), "no staging buffer set");
		return -EINVAL;
	}
	if (len > e->stage_len || off > e->buf_size || len > e->buf_size - off) {
		snprintf(e->err, sizeof(e->err),
			 "staging: [%#" PRIx64 "+%#" PRIx64 ") does not fit", off, len);
		return -EINVAL;
	}
	return 0;
}

int __vct_dma_load(struct vct_dma_engine *e, uint64_t off, const void *data,
		   uint64_t len)
{
	int ret = stage_check(e, off, len);

	if (ret)
		return ret;
	memcpy(e->stage_va, data, len);
	return __vct_dma_read(e, e->stage_iova, off, len);
}

int __vct_dma_fetch(struct vct_dma_engine *e, uint64_t off, void *out,
		    uint64_t len)
{
	int ret = stage_check(e, off, len);

	if (ret)
		return ret;
	/* Poison first: a write that did not land must not look like data. */
	memset(e->stage_va, 0xa5, len);
	ret = __vct_dma_write(e, e->stage_iova, off, len);
	if (ret)
		return ret;
	memcpy(out, e->stage_va, len);
	return 0;
}

/* ---- checking helpers ---------------------------------------------------- */

void vct_pattern_fill(void *p, size_t len, uint32_t seed)
{
	/* xorshift32 seeded per call: distinct seeds give distinct streams */
	uint32_t x = seed * 2654435761u + 0x9e3779b9u;
	unsigned char *b = p;
	size_t i;

	if (!x)
		x = 1;
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (unsigned char)(x >> 11);
	}
}

long vct_mem_diff(const void *p, const void *expect, size_t len)
{
	const unsigned char *a = p, *b = expect;
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

long vct_mem_find_not(const void *p, int c, size_t len)
{
	const unsigned char *a = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != (unsigned char)c)
			return (long)i;
	return -1;
}

/* ---- the IOMMU's fault reports in the kernel log ------------------------- */

int __vct_kmsg_mark(char *buf, size_t len)
{
	static unsigned int seq;
	struct timespec ts;
	char line[160];
	int fd, n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, len, "vfio-ct: mark %d.%u.%ld.%09ld", (int)getpid(), ++seq,
		 (long)ts.tv_sec, ts.tv_nsec);
	n = snprintf(line, sizeof(line), "%s\n", buf);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, line, (size_t)n) != n) {
		n = -errno;
		close(fd);
		return n ? n : -EIO;
	}
	close(fd);
	return 0;
}

/* Lines that report a translation fault, per IOMMU driver. */
static bool is_fault_line(const char *l, size_t n)
{
	static const char *const pats[] = {
		"DMAR: [DMA ",		/* Intel VT-d: [DMA Read|Write ...] ... fault addr 0x... */
		"arm-smmu-v3",		/* SMMUv3: event 0x10 received ... */
		"AMD-Vi: Event logged [IO_PAGE_FAULT",
		"page fault from EP",	/* virtio-iommu: virtio_iommu virtioN: page fault from EP <id> at 0x... */
	};
	size_t i;

	for (i = 0; i < VCT_ARRAY_SIZE(pats); i++)
		if (memmem(l, n, pats[i], strlen(pats[i])))
			return true;
	return false;
}

static bool names_page(const char *l, size_t n, uint64_t iova)
{
	const char *p = l, *end = l + n;

	/* any hex number in the line within the faulting 4 KiB page */
	while (p < end && (p = memmem(p, (size_t)(end - p), "0x", 2))) {
		char *q;
		unsigned long long v = strtoull(p + 2, &q, 16);

		if (q > p + 2 && (v & ~0xfffull) == (iova & ~0xfffull))
			return true;
		p += 2;
	}
	return false;
}

/* The line is a fault report (record or interrupt) about device `who`? */
static bool names_device(const char *l, size_t n, const char *who)
{
	/* SMMUv3 and virtio-iommu name stream/endpoint IDs, not BDFs */
	return !who[0] || memmem(l, n, who, strlen(who)) ||
	       memmem(l, n, "arm-smmu-v3", 11) || memmem(l, n, "virtio_iommu", 12);
}

int __vct_iommu_fault_logged(const char *bdf, uint64_t iova, const char *mark,
			     int timeout_ms, char *what, size_t what_len)
{
	/* VT-d names the requester without the PCI domain: "[00:02.0]" */
	const char *who = strlen(bdf) > 5 && bdf[4] == ':' ? bdf + 5 : bdf;
	struct timespec t0, now;
	int found = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(what, what_len, "no IOMMU fault report after '%s'", mark);
	for (;;) {
		char *log, *p, *start, *earlier = NULL;
		size_t earlier_n = 0;
		int ret = __vct_kmsg_read(&log);

		if (ret < 0)
			return ret;
		/* the last occurrence of the marker */
		start = NULL;
		for (p = log; (p = strstr(p, mark)); p++)
			start = p;
		if (!start) {
			free(log);
			snprintf(what, what_len, "marker '%s' not in the log", mark);
			return -ENOENT;
		}
		for (p = log; p && *p; ) {
			char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			bool after = p > start;

			if (is_fault_line(p, n) && !after && names_device(p, n, who)) {
				earlier = p;
				earlier_n = n;
			}
			if (after && is_fault_line(p, n) && names_page(p, n, iova)) {
				snprintf(what, what_len, "%.*s", (int)n, p);
				found = 1;
				break;
			}
			if (after && !found &&
			    (is_fault_line(p, n) ||
			     memmem(p, n, "DRHD: handling fault status", 27) ||
			     (memmem(p, n, "callbacks suppressed", 20) &&
			      (memmem(p, n, "dmar", 4) || memmem(p, n, "smmu", 4) ||
			       memmem(p, n, "viommu_fault_handler", 20))))) {
				snprintf(what, what_len, "%.*s", (int)n, p);
				found = 2;
			}
			p = nl ? nl + 1 : NULL;
		}
		if (!found && earlier) {
			snprintf(what, what_len,
				 "no report after the marker; earlier fault of this device: %.*s",
				 (int)earlier_n, earlier);
			found = 3;
		}
		free(log);
		if (found == 1)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 +
		    (now.tv_nsec - t0.tv_nsec) / 1000000 >= timeout_ms)
			return found;
		found = 0;
		usleep(20000);
	}
}
