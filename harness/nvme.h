/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvme.h - a small userspace NVMe driver over VFIO: a DMA engine with many
 * MSI-X vectors, for the irq suite (and for DMA checks where a block
 * device's granularity fits).
 *
 * What it does: controller disable/enable through CC/CSTS, an admin queue
 * pair, Identify (controller, namespace), Set Features Number of Queues,
 * I/O queue pairs (qid 1..n), each completion queue with its own MSI-X
 * vector (qid k -> vector k; vector 0 is the admin queue's, polled), and
 * Read/Write/Flush of a namespace.
 *
 * All queue memory lives in one arena the driver allocates and maps at
 * [iova, iova + VCT_NVME_ARENA) in the IOMMU the device is attached to;
 * the caller picks that IOVA range (and maps its own data buffers).
 *
 * Safety on real controllers: vct_nvme_open() refuses a controller that
 * is not QEMU's emulated one (1b36:0010) unless $VCT_NVME_ALLOW_REAL=1,
 * and Write (the only destructive command issued) needs
 * $VCT_ALLOW_DESTRUCTIVE=1 there.  __vct_nvme_in_use() tells whether a
 * controller's namespaces are mounted or held (only meaningful while the
 * kernel's nvme driver owns it; callers check before rebinding).
 *
 * Every __vct_nvme_*() returns 0 or -errno; a command the controller
 * completed with an error status returns -EIO and the status is in
 * n->last_status; n->err says what failed in words.
 */
#ifndef VCT_NVME_H
#define VCT_NVME_H

#include <stdbool.h>
#include <stdint.h>

#include "iommu.h"
#include "pcidev.h"

#define VCT_NVME_MAX_IOQ	64
#define VCT_NVME_QDEPTH		64
/* admin SQ, admin CQ, identify page, then SQ+CQ page per I/O queue */
#define VCT_NVME_ARENA		((3ull + 2ull * VCT_NVME_MAX_IOQ) * 4096ull)

struct vct_nvme_sqe {
	uint32_t cdw0;		/* opcode 7:0, command id 31:16 */
	uint32_t nsid;
	uint64_t rsvd;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct vct_nvme_cqe {
	uint32_t result;
	uint32_t rsvd;
	uint16_t sq_head, sq_id;
	uint16_t cid;
	uint16_t status;	/* phase bit 0, status 15:1 */
};

struct vct_nvme_queue {
	struct vct_nvme_sqe *sq;
	volatile struct vct_nvme_cqe *cq;
	uint64_t sq_iova, cq_iova;
	uint16_t depth, sq_tail, cq_head, cid;
	uint8_t phase;
	bool live;
};

struct vct_nvme {
	char bdf[VCT_BDF_LEN];
	int fd;				/* VFIO device fd (owned unless fd_borrowed) */
	bool fd_borrowed;		/* __vct_nvme_open_fd: the caller's fd */
	bool emulated;			/* QEMU's 1b36:0010 */
	volatile uint8_t *bar;
	uint64_t bar_size;
	uint32_t dstrd;			/* doorbell stride, bytes */
	uint32_t timeout_ms;		/* CAP.TO */
	uint16_t mqes;			/* CAP.MQES + 1 */
	struct vct_iommu *iommu;
	void *arena;
	uint64_t iova;
	struct vct_nvme_queue q[VCT_NVME_MAX_IOQ + 1];	/* 0: admin */
	unsigned int nioq;		/* I/O queue pairs the controller granted */
	uint16_t last_status;		/* status field (15:1) of the last failure */
	char serial[21];		/* Identify Controller SN, trailing blanks cut */
	uint32_t nn;			/* number of namespaces */
	uint64_t ns_blocks;		/* namespace 1: size in blocks */
	uint32_t ns_block;		/* namespace 1: bytes per block */
	char err[256];
};

/*
 * Open `bdf` (attached to `iommu`, bound to vfio-pci): map BAR0 and the
 * arena at `iova`, enable memory decoding and bus mastering, disable and
 * re-enable the controller with a fresh admin queue, Identify Controller
 * and namespace 1, and ask for VCT_NVME_MAX_IOQ queue pairs (n->nioq is
 * what was granted).  No I/O queues exist yet.
 */
int __vct_nvme_open(struct vct_iommu *iommu, const char *bdf, uint64_t iova,
		    struct vct_nvme **out, char *why, size_t why_len);
/*
 * The same on a VFIO device fd the caller already holds (fd >= 0; -1:
 * get one from `iommu`): vct_nvme_close() then leaves fd open.
 */
int __vct_nvme_open_fd(struct vct_iommu *iommu, const char *bdf, int fd,
		       uint64_t iova, struct vct_nvme **out, char *why,
		       size_t why_len);
/* Delete I/O queues, disable the controller, unmap, close, free. */
void vct_nvme_close(struct vct_nvme *n);

/* CC.EN := 0 and wait for CSTS.RDY = 0 (CAP.TO bound). */
int __vct_nvme_disable(struct vct_nvme *n);

/* Identify (CNS `cns`, `nsid`) into 4 KiB at `iova` (device -> RAM DMA). */
int __vct_nvme_identify(struct vct_nvme *n, uint32_t cns, uint32_t nsid,
			uint64_t iova);

/*
 * Create I/O queue pair `qid` (1..nioq), depth VCT_NVME_QDEPTH (or
 * MQES), its CQ raising MSI-X vector `vector` (irq: interrupts enabled).
 * Without MSI-X enabled the controller accepts vector 0 only.
 */
int __vct_nvme_create_ioq(struct vct_nvme *n, uint16_t qid, uint16_t vector,
			  bool irq);
int __vct_nvme_delete_ioq(struct vct_nvme *n, uint16_t qid);

/*
 * Submit `cmd` on queue `qid` (its command id is set here): the doorbell
 * is rung on return.  -EBUSY when the SQ is full.
 */
int __vct_nvme_submit(struct vct_nvme *n, uint16_t qid,
		      struct vct_nvme_sqe *cmd);
/*
 * Reap one completion of `qid`, polling up to timeout_ms: 0 and *cqe
 * filled (CQ head doorbell rung), -ETIMEDOUT, or -EIO when its status is
 * an error (cqe filled too).
 */
int __vct_nvme_reap(struct vct_nvme *n, uint16_t qid, struct vct_nvme_cqe *cqe,
		    int timeout_ms);
/* Submit and reap (admin queue: qid 0). */
int __vct_nvme_cmd(struct vct_nvme *n, uint16_t qid, struct vct_nvme_sqe *cmd,
		   struct vct_nvme_cqe *cqe);

/* Fill a Read (opcode 0x02) / Write (0x01) of `nlb` blocks at `slba` of
 * namespace 1 to/from `iova` (one page: nlb * block size <= 4096). */
void vct_nvme_rw_cmd(struct vct_nvme *n, struct vct_nvme_sqe *cmd,
		     bool write, uint64_t slba, uint32_t nlb, uint64_t iova);

/*
 * Namespaces of the controller at `bdf` (its /sys/block nvme*n* disks
 * while the kernel's nvme driver owns it) mounted or held by another
 * device: 1 with the first such one named in `why`, 0 none, -errno.
 */
int __vct_nvme_in_use(const char *bdf, char *why, size_t why_len);

#endif /* VCT_NVME_H */
