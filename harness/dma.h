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
 * chosen by probing the PCI device.  QEMU's edu (dma_edu.c) is the first,
 * NVMe controllers (dma_nvme.c) the second, the 82576 NIC (igb, QEMU 8.0+)
 * in MAC loopback (dma_igb.c) the third.
 *
 * Not every engine can do everything edu does; what it can is in the
 * engine (set by init), and a test that needs more SKIPs with the reason:
 *
 *   can_load            load/read put arbitrary bytes into the device buffer
 *                       (edu: always; NVMe: only with VCT_ALLOW_DESTRUCTIVE=1
 *                       and media that keeps what is written, since its
 *                       buffer is the namespace's first LBAs).  Without it
 *                       the buffer holds what the device holds (fetch tells).
 *   reads_compare_only  a device read cannot be fetched back: the device
 *                       only compares what it read with its buffer
 *                       (read_check; NVMe's Compare command).
 *   len_align,          transfer lengths and buffer offsets must be
 *   iova_align          multiples of len_align, IOVAs of iova_align (edu:
 *                       1 and 1; NVMe: the LBA size and 4, PRP rules).
 *   own_va/iova/len     memory the engine itself needs mapped in the IOMMU
 *                       it was opened in (NVMe: its queues), at the IOVA the
 *                       caller gave __vct_dma_open_at(); len 0 for none.
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
	const char *name;			/* "edu", "nvme" */
	/* This driver can drive the device (reads sysfs only). */
	bool (*probe)(const struct vct_pcidev *p);
	/*
	 * e->device_fd is a VFIO device fd, e->iommu the IOMMU it is
	 * attached to.  Afterwards the device's registers are reachable
	 * (BAR mmap'ed or pread/pwrite), memory decoding and bus mastering
	 * are enabled in its command register, no DMA is in flight, and
	 * buf_size, max_len, the capabilities (top of file) and own_* are
	 * set; own memory is mapped.  -EPERM: the driver refuses this device
	 * without an explicit permission (e->err says which; a SKIP).
	 */
	int (*init)(struct vct_dma_engine *e);
	/*
	 * Start device buffer [off, off+len) -> IOVA [iova, iova+len).
	 * Returns once the device accepted the command; the bytes move
	 * later.  -EBUSY if a transfer is still in flight (call wait),
	 * -EINVAL if [off, off+len) is outside the buffer, len is 0 or
	 * above max_len, or off/len/iova break the engine's alignment
	 * (checked here: edu aborts QEMU otherwise).
	 */
	int (*start_write)(struct vct_dma_engine *e, uint64_t iova,
			   uint64_t off, uint64_t len);
	/*
	 * Start IOVA [iova, iova+len) -> device buffer [off, off+len).
	 * -EOPNOTSUPP without can_load (e->err says why).
	 */
	int (*start_read)(struct vct_dma_engine *e, uint64_t iova,
			  uint64_t off, uint64_t len);
	/*
	 * The transfer started last has completed: every byte the IOMMU let
	 * through is in memory (or in the device buffer) and nothing of it
	 * is still in flight.  A transfer the IOMMU blocked also completes:
	 * completion says nothing about whether bytes landed.  -EIO: it
	 * completed with an error status (e->status; a device that reports
	 * blocked accesses, such as a real NVMe controller's Data Transfer
	 * Error, does so); e->status is 0 after a 0 return.  -ETIMEDOUT
	 * after timeout_ms (the device may still be busy).
	 */
	int (*wait)(struct vct_dma_engine *e, int timeout_ms);
	/*
	 * Synchronous, changes neither side: the device reads IOVA
	 * [iova, iova+len) and compares it with device buffer [off, off+len).
	 * 0: what it read equals the buffer; 1: it differs (the device's
	 * mismatch status); -EIO: another error status (e->status);
	 * -EINVAL as start_write.  Only a device that read host memory can
	 * answer 1, but what a blocked read yields is the device's choice:
	 * QEMU's NVMe compares zeros (see dma_nvme.c), so use
	 * vct_dma_seen_content() to pick memory whose answer proves a read.
	 * NULL when the device cannot compare (__vct_dma_read_check then
	 * answers -EOPNOTSUPP).
	 */
	int (*read_check)(struct vct_dma_engine *e, uint64_t iova,
			  uint64_t off, uint64_t len);
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
extern const struct vct_dma_driver vct_dma_nvme;
extern const struct vct_dma_driver vct_dma_igb;

struct vct_dma_engine {
	const struct vct_dma_driver *drv;
	char bdf[VCT_BDF_LEN];
	uint16_t vendor, device;
	int device_fd;		/* VFIO device fd (the engine owns it) */
	struct vct_iommu *iommu;	/* the IOMMU it was opened in */
	uint64_t buf_size;	/* device buffer size */
	uint64_t max_len;	/* largest single transfer */
	/* capabilities (top of file), set by init */
	bool can_load;
	bool reads_compare_only;
	uint64_t len_align, iova_align;
	char cannot[256];	/* why not can_load (for a SKIP), "" when it can */
	/* the engine's own mapped memory (top of file) */
	void *own_va;
	uint64_t own_iova, own_len;
	uint32_t status;	/* the device's status of the last transfer, 0 ok */
	int timeout_ms;		/* for the synchronous calls; default 5000 */
	bool busy;		/* a transfer was started and not waited for */
	/* staging: CPU access to the device buffer (see the top of file) */
	void *stage_va;
	uint64_t stage_iova;
	uint64_t stage_len;
	char err[256];
	void *priv;		/* the driver's */
};

/* The driver for a device, or NULL. */
const struct vct_dma_driver *vct_dma_driver_find(const struct vct_pcidev *p);
/* The driver's name for device `bdf` ("edu", "nvme"), or NULL. */
const char *vct_dma_driver_name(const char *bdf);

/* Where __vct_dma_open() maps an engine's own memory (top of file). */
#define VCT_DMA_OWN_IOVA	0xfff0000000ull

/*
 * Open device `bdf` (already attached to `iommu`) as a DMA engine: find
 * its driver, get its VFIO device fd from the IOMMU backend and init,
 * mapping the engine's own memory (if any) at `own_iova` in `iommu`.
 * -ENODEV: no driver for this device, -EPERM: the driver refuses it
 * without an explicit permission (both a SKIP); `why` says why on failure.
 */
int __vct_dma_open_at(struct vct_iommu *iommu, const char *bdf,
		      uint64_t own_iova, struct vct_dma_engine **out,
		      char *why, size_t why_len);
/* The same with own memory at VCT_DMA_OWN_IOVA. */
int __vct_dma_open(struct vct_iommu *iommu, const char *bdf,
		   struct vct_dma_engine **out, char *why, size_t why_len);
/*
 * Map the engine's own memory again at own_iova (after the caller removed
 * every mapping, e.g. VFIO_DMA_UNMAP_FLAG_ALL): 0 (also when it has
 * none) or -errno.  Nothing else of the engine changes.
 */
int __vct_dma_map_own(struct vct_dma_engine *e);
/* Do iova/off/len fit the engine's buffer, max_len and alignment? */
bool vct_dma_fits(const struct vct_dma_engine *e, uint64_t iova, uint64_t off,
		  uint64_t len);
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
/* See struct vct_dma_driver.read_check; -EOPNOTSUPP without one. */
int __vct_dma_read_check(struct vct_dma_engine *e, uint64_t iova, uint64_t off,
			 uint64_t len);
/*
 * For read_check: given `ref` (the device buffer's bytes [off, off+len),
 * as fetched), fill `out` with memory whose read_check answer proves
 * that the device read it, and return that answer.  When ref holds a
 * non-zero byte: out = ref, answer 0 (equal); a blocked read that yields
 * zeros (QEMU) then answers 1 and a real controller's error -EIO.  When
 * ref is all zeros: out = a pattern with no zero byte, answer 1
 * (differs); a blocked read of zeros answers 0.  Either way a blocked
 * read never gives the returned answer.
 */
int vct_dma_seen_content(const void *ref, void *out, size_t len, uint32_t seed);

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
#define vct_dma_read_check(e, iova, off, len)	VCT_CHECK(__vct_dma_read_check(e, iova, off, len))

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
