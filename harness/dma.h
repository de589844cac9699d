/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma.h - DMA engines: devices the tests drive to move real bytes through
 * the IOMMU, so that what a mapping does is seen from the device's side.
 *
 * An engine is a device bound to vfio-pci and attached to a vct_iommu,
 * driven from userspace through its VFIO device fd.  Every engine has a
 * device-side buffer (buf_size bytes, addressed by offset 0..buf_size-1)
 * and moves bytes between that buffer and an IOVA:
 *
 *   write: device buffer -> RAM at an IOVA   (the device WRITES memory)
 *   read:  RAM at an IOVA -> device buffer   (the device READS memory)
 *
 * The directions are named from the device's side because that is what
 * the IOMMU checks: a device write needs an IOVA mapped with WRITE
 * permission (VFIO_DMA_MAP_FLAG_WRITE), a device read one mapped READ.
 *
 * The device buffer is not visible to the CPU on every device (QEMU's edu
 * keeps it internal), so the CPU fills it and reads it back through a
 * staging buffer: memory the test maps at an IOVA and hands to the engine
 * with vct_dma_set_staging(); load = memcpy + device read, fetch = device
 * write + memcpy.  Each costs one DMA.
 *
 * Drivers are ops tables (struct vct_dma_driver) registered in dma.c and
 * chosen by PCI vendor:device.  QEMU's edu (dma_edu.c) is the first.
 *
 * Every __vct_dma_*() returns 0 or -errno; where the harness decided the
 * failure (not the kernel), e->err says why in words.  -ETIMEDOUT means
 * the device did not finish within the engine's timeout.
 */
#ifndef VCT_DMA_H
#define VCT_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu.h"
#include "pcidev.h"

struct vct_dma_engine;

/*
 * A driver.  What each op guarantees when it returns 0:
 */
struct vct_dma_driver {
	const char *name;			/* "edu" */
	/* This driver can drive vendor:device (no side effects). */
	bool (*probe)(uint16_t vendor, uint16_t device);
	/*
	 * e->device_fd is a VFIO device fd.  Afterwards the device's
	 * registers are reachable (BAR mmap'ed or pread/pwrite), memory
	 * decoding and bus mastering are enabled in its command register,
	 * no DMA is in flight, and e->buf_size/e->max_len are set.
	 */
	int (*init)(struct vct_dma_engine *e);
	/*
	 * Start device buffer [off, off+len) -> IOVA [iova, iova+len).
	 * Returns once the device accepted the command; the bytes move
	 * later.  -EBUSY if a transfer is still in flight (call wait),
	 * -EINVAL if [off, off+len) is outside the buffer or len is 0 or
	 * above max_len (checked here: edu aborts QEMU otherwise).
	 */
	int (*start_write)(struct vct_dma_engine *e, uint64_t iova,
			   uint64_t off, uint64_t len);
	/* Start IOVA [iova, iova+len) -> device buffer [off, off+len). */
	int (*start_read)(struct vct_dma_engine *e, uint64_t iova,
			  uint64_t off, uint64_t len);
	/*
	 * The transfer started last has completed: every byte the IOMMU let
	 * through is in memory (or in the device buffer) and nothing of it
	 * is still in flight.  A transfer the IOMMU blocked also completes:
	 * completion says nothing about whether bytes landed.  -ETIMEDOUT
	 * after timeout_ms (the device may still be busy).
	 */
	int (*wait)(struct vct_dma_engine *e, int timeout_ms);
	/*
	 * The device raised an interrupt and it was delivered to this
	 * process (MSI through VFIO_DEVICE_SET_IRQS and an eventfd), within
	 * timeout_ms; the device's interrupt status is acknowledged again.
	 * -EOPNOTSUPP when the device has no software-raisable interrupt.
	 */
	int (*raise_irq)(struct vct_dma_engine *e, int timeout_ms);
	/*
	 * No DMA in flight (waited for, bounded), interrupts disabled,
	 * bus mastering off, mappings of the BAR gone.  Does not close
	 * device_fd (vct_dma_close does).
	 */
	void (*remove)(struct vct_dma_engine *e);
};

extern const struct vct_dma_driver vct_dma_edu;

struct vct_dma_engine {
	const struct vct_dma_driver *drv;
	char bdf[VCT_BDF_LEN];
	uint16_t vendor, device;
	int device_fd;		/* VFIO device fd (the engine owns it) */
	uint64_t buf_size;	/* device buffer size */
	uint64_t max_len;	/* largest single transfer */
	int timeout_ms;		/* for the synchronous calls; default 5000 */
	bool busy;		/* a transfer was started and not waited for */
	/* staging: CPU access to the device buffer (see the top of file) */
	void *stage_va;
	uint64_t stage_iova;
	uint64_t stage_len;
	char err[256];
	void *priv;		/* the driver's */
};

/* The driver for vendor:device, or NULL. */
const struct vct_dma_driver *vct_dma_driver_find(uint16_t vendor,
						 uint16_t device);

/*
 * Open device `bdf` (already attached to `iommu`) as a DMA engine: find
 * its driver, get its VFIO device fd from the IOMMU backend and init.
 * -ENODEV: no driver for this device (a SKIP); `why` says why on failure.
 */
int __vct_dma_open(struct vct_iommu *iommu, const char *bdf,
		   struct vct_dma_engine **out, char *why, size_t why_len);
/* remove, close the device fd, free.  NULL is fine. */
void vct_dma_close(struct vct_dma_engine *e);

/* Asynchronous forms: start, then __vct_dma_wait (one at a time per engine). */
int __vct_dma_start_write(struct vct_dma_engine *e, uint64_t iova,
			  uint64_t off, uint64_t len);
int __vct_dma_start_read(struct vct_dma_engine *e, uint64_t iova,
			 uint64_t off, uint64_t len);
int __vct_dma_wait(struct vct_dma_engine *e);

/*
 * Synchronous: start and wait.  On 0 the transfer is complete (all DMA
 * done, nothing in flight): the test may inspect memory at once.
 */
int __vct_dma_write(struct vct_dma_engine *e, uint64_t iova, uint64_t off,
		    uint64_t len);
int __vct_dma_read(struct vct_dma_engine *e, uint64_t iova, uint64_t off,
		   uint64_t len);
/*
 * RAM -> RAM: [src, src+len) read into the device buffer at offset 0,
 * then written to [dst, dst+len); both complete on return.  len <= buf.
 */
int __vct_dma_copy(struct vct_dma_engine *e, uint64_t src, uint64_t dst,
		   uint64_t len);
/* See struct vct_dma_driver.raise_irq; uses e->timeout_ms. */
int __vct_dma_raise_irq(struct vct_dma_engine *e);

/*
 * Staging buffer for load/fetch: `va` mapped READ|WRITE at `iova` for
 * this engine's device, len >= the device buffer.  The test owns the
 * mapping; the engine only uses it.
 */
void vct_dma_set_staging(struct vct_dma_engine *e, void *va, uint64_t iova,
			 uint64_t len);
/*
 * Device buffer [off, off+len) := data (through the staging buffer; one
 * DMA).  On 0 the device holds exactly these bytes there.
 */
int __vct_dma_load(struct vct_dma_engine *e, uint64_t off, const void *data,
		   uint64_t len);
/* out := device buffer [off, off+len) (one DMA). */
int __vct_dma_fetch(struct vct_dma_engine *e, uint64_t off, void *out,
		    uint64_t len);

#define vct_dma_write(e, iova, off, len)	VCT_CHECK(__vct_dma_write(e, iova, off, len))
#define vct_dma_read(e, iova, off, len)		VCT_CHECK(__vct_dma_read(e, iova, off, len))
#define vct_dma_copy(e, s, d, len)		VCT_CHECK(__vct_dma_copy(e, s, d, len))
#define vct_dma_start_write(e, iova, off, len)	VCT_CHECK(__vct_dma_start_write(e, iova, off, len))
#define vct_dma_start_read(e, iova, off, len)	VCT_CHECK(__vct_dma_start_read(e, iova, off, len))
#define vct_dma_wait(e)				VCT_CHECK(__vct_dma_wait(e))
#define vct_dma_load(e, off, data, len)		VCT_CHECK(__vct_dma_load(e, off, data, len))
#define vct_dma_fetch(e, off, out, len)		VCT_CHECK(__vct_dma_fetch(e, off, out, len))

/* ---- helpers for checking what landed ----------------------------------- */

/* Fill with a pattern derived from seed (distinct seeds: distinct bytes). */
void vct_pattern_fill(void *p, size_t len, uint32_t seed);
/*
 * Offset of the first byte of p that differs from `expect`, or -1 when
 * all equal.
 */
long vct_mem_diff(const void *p, const void *expect, size_t len);
/* Offset of the first byte != c, or -1. */
long vct_mem_find_not(const void *p, int c, size_t len);

/*
 * Write a unique marker line to the kernel log (/dev/kmsg) and put its
 * text in buf: log lines after it happened after this call.  0 or -errno.
 */
int __vct_kmsg_mark(char *buf, size_t len);

/*
 * Did the IOMMU report device `bdf`'s DMA fault at IOVA page `iova` in the
 * kernel log after marker `mark` (__vct_kmsg_mark, written before the
 * DMA)?  Fault reporting is lossy by design: the kernel rate-limits its
 * messages, VT-d hardware drops records on overflow, and QEMU's VT-d
 * (7.2 seen) collapses a device's new faults into a still-pending record
 * of that device, so later faults of a device often leave no record at
 * all.  Waiting up to timeout_ms for the fault interrupt's message, this
 * answers:
 *   1  a fault record naming this page after the marker;
 *   2  after the marker, a fault report without this page (another
 *      address, a fault interrupt whose record was lost, suppressed
 *      messages);
 *   3  nothing after the marker, but the log holds an earlier fault
 *      record of this device (the IOMMU does report its faults; this one
 *      was collapsed or dropped);
 *   0  this device has no fault report in the log at all;
 *   -errno reading the log failed, -ENOENT the marker is gone.
 * `what` gets the matching line (or why none).
 */
int __vct_iommu_fault_logged(const char *bdf, uint64_t iova, const char *mark,
			     int timeout_ms, char *what, size_t what_len);

#endif /* VCT_DMA_H */
