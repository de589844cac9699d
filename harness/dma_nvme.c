// SPDX-License-Identifier: GPL-2.0
/*
 * dma_nvme.c - an NVMe controller as a DMA engine, driven through nvme.h.
 *
 * Which controllers: QEMU's (1b36:0010) and any PCI class 0x010802 (NVM
 * Express) controller; a real (non-QEMU) one only with
 * $VCT_NVME_ALLOW_REAL=1 (__vct_nvme_open_fd refuses it otherwise: -EPERM,
 * a SKIP), and never while a namespace of it is mounted or held
 * (__vct_nvme_in_use; on a local host the runner's preflight has refused
 * such a device before binding it).
 *
 * The device buffer is the first 4 KiB of namespace 1, so transfers are
 * whole LBAs (len_align = the LBA size) at dword-aligned IOVAs (PRP1's
 * offset bits 1:0 must be zero, NVMe 1.4 section 4.3), at most 4 KiB so
 * that PRP1 and PRP2 always describe them:
 *   write (device -> RAM)  Read (opcode 0x02): LBAs -> IOVA.
 *   read (RAM -> device)   Write (0x01): IOVA -> LBAs.  Only with
 *                          $VCT_ALLOW_DESTRUCTIVE=1 (run.sh --destructive)
 *                          and media that keeps a block written at init
 *                          (QEMU's null-co drops writes): can_load.
 *   read_check             Compare (0x05, ONCS bit 0): the controller reads
 *                          IOVA and compares it with the LBAs, writing
 *                          nothing: success 0, Compare Failure (SCT 2h
 *                          SC 85h) 1, any other status -EIO.
 * Identify Controller (device -> RAM, 4 KiB) is checked once at init
 * against what is known: VID equals the PCI vendor ID, and the serial
 * equals $VCT_NVME_SERIAL when the profile gives one.
 *
 * What QEMU 7.2's controller (hw/nvme/ctrl.c) answers when the IOMMU
 * blocks its access to host memory:
 *   - Read into a blocked IOVA: success.  The data goes out through
 *     dma_blk_read(); for an address that does not translate,
 *     address_space_map() hands out its bounce buffer and the write-back
 *     to the blocked address fails silently: nothing lands, no error.
 *   - Compare of a blocked IOVA: nvme_compare_data_cb() fetches host
 *     memory with nvme_tx() -> dma_buf_write() and checks only the
 *     residual, which dma_buf_rw() computes from the scatter list's size,
 *     never from a failed access (the MemTxResult is dropped); the failed
 *     access leaves zeros (unassigned memory reads 0).  So the controller
 *     compares zeros with the LBAs: success on a null-co namespace
 *     (read-zeroes), Compare Failure on media holding anything else.
 *   A real controller sees the failed PCIe read and reports it (a Data
 *   Transfer Error, 04h, is the expected status), which read_check returns
 *   as -EIO.  vct_dma_seen_content() picks host memory for which none of
 *   these answers can pass for a read that went through.
 *
 * Completion: every transfer is one command on I/O queue 1, whose
 * completion queue has interrupts off and is polled.  wait returns when
 * the controller has posted the command's completion entry, which it
 * posts after the command's data transfer (a Read's data writes precede
 * the CQE write, and PCIe keeps posted writes in order): every byte the
 * IOMMU let through has landed.  raise_irq uses queue 2, whose completion
 * queue signals MSI-X vector 1.
 *
 * Own memory: nvme.c's queue arena (VCT_NVME_ARENA bytes) at own_iova.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "device.h"
#include "dma.h"
#include "irq.h"
#include "nvme.h"
#include "util.h"

#define PG		4096ull
#define NV_BUF		4096ull		/* device buffer: the first 4 KiB of LBAs */
#define Q_IO		1		/* polled queue of the transfers */
#define Q_IRQ		2		/* raise_irq's queue ... */
#define VEC_IRQ		1		/* ... on this MSI-X vector */
#define OPC_WRITE	0x01
#define OPC_READ	0x02
#define OPC_COMPARE	0x05
#define ST_COMPARE_FAIL	0x285		/* status field: SCT 2h, SC 85h */
#define ST_CODE(s)	((s) & 0x7ffu)	/* SCT and SC, without CRD/More/DNR */
#define ID_ONCS		520		/* Identify Controller: ONCS (2 bytes) */

struct nv {
	struct vct_nvme *n;
	uint8_t *scratch;	/* the arena's Identify page */
	uint64_t scratch_iova;
	bool can_compare;	/* ONCS bit 0 */
	int efd;		/* MSI-X vector 1, -1 until raise_irq */
	bool irq_queue;		/* queue 2 exists */
};

static bool nvme_probe(const struct vct_pcidev *p)
{
	char path[128];
	uint64_t cls;

	if (p->vendor == 0x1b36 && p->device == 0x0010)
		return true;
	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s/class", p->bdf);
	return !__vct_read_u64(path, 16, &cls) && cls == 0x010802;
}

static int bad_range(struct vct_dma_engine *e, uint64_t iova, uint64_t off,
		     uint64_t len)
{
	if (vct_dma_fits(e, iova, off, len))
		return 0;
	snprintf(e->err, sizeof(e->err),
		 "nvme %s: IOVA %#" PRIx64 ", buffer [%#" PRIx64 "+%#" PRIx64
		 ") does not fit: whole %" PRIu64 "-byte LBAs within %#" PRIx64
		 " bytes, dword-aligned IOVA", e->bdf, iova, off, len,
		 e->len_align, e->buf_size);
	return -EINVAL;
}

/* One command moving [off, off+len) of the LBAs to/from/against iova. */
static int submit(struct vct_dma_engine *e, uint8_t opc, uint64_t iova,
		  uint64_t off, uint64_t len)
{
	struct nv *d = e->priv;
	struct vct_nvme_sqe c;
	uint32_t bs = d->n->ns_block;
	int ret = bad_range(e, iova, off, len);

	if (ret)
		return ret;
	memset(&c, 0, sizeof(c));
	c.cdw0 = opc;
	c.nsid = 1;
	c.prp1 = iova;
	/* a transfer crossing into the next page: PRP2 is that page */
	c.prp2 = (iova & (PG - 1)) + len > PG ? (iova & ~(PG - 1)) + PG : 0;
	c.cdw10 = (uint32_t)(off / bs);
	c.cdw12 = (uint32_t)(len / bs - 1);
	e->status = 0;
	ret = __vct_nvme_submit(d->n, Q_IO, &c);
	if (ret)
		snprintf(e->err, sizeof(e->err), "%s", d->n->err);
	return ret;
}

/* Reap one completion of `qid`: 0, -EIO (e->status set) or -ETIMEDOUT. */
static int reap(struct vct_dma_engine *e, uint16_t qid, int timeout_ms)
{
	struct nv *d = e->priv;
	struct vct_nvme_cqe cqe = { 0 };
	int ret = __vct_nvme_reap(d->n, qid, &cqe, timeout_ms);

	if (ret == 0 || ret == -EIO)
		e->status = cqe.status >> 1;
	if (ret)
		snprintf(e->err, sizeof(e->err), "%s", d->n->err);
	return ret;
}

static int nvme_wait(struct vct_dma_engine *e, int timeout_ms)
{
	return reap(e, Q_IO, timeout_ms);
}

static int nvme_start_write(struct vct_dma_engine *e, uint64_t iova,
			    uint64_t off, uint64_t len)
{
	return submit(e, OPC_READ, iova, off, len);
}

static int nvme_start_read(struct vct_dma_engine *e, uint64_t iova,
			   uint64_t off, uint64_t len)
{
	if (!e->can_load) {
		snprintf(e->err, sizeof(e->err), "%s", e->cannot);
		return -EOPNOTSUPP;
	}
	return submit(e, OPC_WRITE, iova, off, len);
}

static int nvme_read_check(struct vct_dma_engine *e, uint64_t iova,
			   uint64_t off, uint64_t len)
{
	struct nv *d = e->priv;
	int ret;

	if (!d->can_compare) {
		snprintf(e->err, sizeof(e->err),
			 "nvme %s: no Compare command (Identify Controller ONCS bit 0 clear)",
			 e->bdf);
		return -EOPNOTSUPP;
	}
	ret = submit(e, OPC_COMPARE, iova, off, len);
	if (ret)
		return ret;
	ret = reap(e, Q_IO, e->timeout_ms);
	if (ret == -EIO && ST_CODE(e->status) == ST_COMPARE_FAIL)
		return 1;
	return ret;
}

static int nvme_raise_irq(struct vct_dma_engine *e, int timeout_ms)
{
	struct nv *d = e->priv;
	struct vct_nvme_sqe c;
	int64_t got;
	int ret;

	if (d->n->nioq < Q_IRQ) {
		snprintf(e->err, sizeof(e->err), "nvme %s: %u I/O queue(s), needs %d",
			 e->bdf, d->n->nioq, Q_IRQ);
		return -EOPNOTSUPP;
	}
	if (d->efd < 0) {
		int32_t fd = vct_efd_new();

		if (fd < 0)
			return fd;
		d->efd = fd;
		ret = __vct_irq_set_eventfds(e->device_fd, VFIO_PCI_MSIX_IRQ_INDEX,
					     VEC_IRQ, 1, &fd);
		if (ret) {
			snprintf(e->err, sizeof(e->err), "nvme %s: SET_IRQS MSI-X vector %d: %s",
				 e->bdf, VEC_IRQ, vct_errno_name(-ret));
			return ret;
		}
	}
	if (!d->irq_queue) {
		ret = __vct_nvme_create_ioq(d->n, Q_IRQ, VEC_IRQ, true);
		if (ret) {
			snprintf(e->err, sizeof(e->err), "%s", d->n->err);
			return ret;
		}
		d->irq_queue = true;
	}
	/* one LBA into the driver's own scratch page: no media change */
	vct_nvme_rw_cmd(d->n, &c, false, 0, 1, d->scratch_iova);
	ret = __vct_nvme_submit(d->n, Q_IRQ, &c);
	if (ret)
		return ret;
	got = vct_efd_wait(d->efd, timeout_ms);
	ret = reap(e, Q_IRQ, timeout_ms);
	if (got < 0)
		return (int)got;
	if (got == 0) {
		snprintf(e->err, sizeof(e->err), "nvme %s: no MSI-X on vector %d within %d ms",
			 e->bdf, VEC_IRQ, timeout_ms);
		return -ETIMEDOUT;
	}
	return ret;
}

/* Synchronous transfer on the polled queue. */
static int xfer(struct vct_dma_engine *e, uint8_t opc, uint64_t iova,
		uint64_t off, uint64_t len)
{
	int ret = submit(e, opc, iova, off, len);

	return ret ? ret : reap(e, Q_IO, e->timeout_ms);
}

/*
 * --destructive: does namespace 1 keep what is written?  One buffer's
 * worth of LBAs is written with a pattern and read back.
 */
static int probe_media(struct vct_dma_engine *e)
{
	struct nv *d = e->priv;
	uint8_t want[NV_BUF];
	int ret;

	vct_pattern_fill(want, sizeof(want), 0xde57);
	memcpy(d->scratch, want, NV_BUF);
	ret = xfer(e, OPC_WRITE, d->scratch_iova, 0, NV_BUF);
	if (!ret) {
		memset(d->scratch, 0xa5, NV_BUF);
		ret = xfer(e, OPC_READ, d->scratch_iova, 0, NV_BUF);
	}
	if (ret)
		return ret;
	if (vct_mem_diff(d->scratch, want, NV_BUF) >= 0) {
		snprintf(e->cannot, sizeof(e->cannot),
			 "nvme %s: --destructive given, but namespace 1 did not keep a written block (QEMU's null-co drops writes): no arbitrary bytes in the device buffer",
			 e->bdf);
		return 0;
	}
	e->can_load = true;
	e->reads_compare_only = false;
	e->cannot[0] = '\0';
	return 0;
}

static void bus_master_off(struct vct_dma_engine *e)
{
	struct vct_region_info cfg;
	struct vct_err err = { "" };
	uint64_t cmd;

	if (__vct_region_info(e->device_fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg, &err) ||
	    __vct_region_rd(e->device_fd, &cfg, PCI_COMMAND, 2, &cmd))
		return;
	__vct_region_wr(e->device_fd, &cfg, PCI_COMMAND, 2, cmd & ~(uint64_t)PCI_COMMAND_MASTER);
}

static void nvme_remove(struct vct_dma_engine *e)
{
	struct nv *d = e->priv;

	if (!d)
		return;
	if (d->n) {
		if (e->busy)
			reap(e, Q_IO, 2000);
		/* queues go while MSI-X is still on (see suites/irq/nvme.c) */
		vct_nvme_close(d->n);
	}
	if (d->efd >= 0) {
		__vct_irq_disable(e->device_fd, VFIO_PCI_MSIX_IRQ_INDEX);
		close(d->efd);
	}
	bus_master_off(e);
	free(d);
	e->priv = NULL;
}

static int nvme_init(struct vct_dma_engine *e)
{
	const char *serial = getenv("VCT_NVME_SERIAL");
	const char *destructive = getenv("VCT_ALLOW_DESTRUCTIVE");
	struct nv *d;
	struct vct_nvme *n;
	char why[256] = "";
	uint16_t vid, oncs;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->efd = -1;
	e->priv = d;
	ret = __vct_nvme_in_use(e->bdf, why, sizeof(why));
	if (ret) {
		snprintf(e->err, sizeof(e->err), "namespaces in use, not touched: %s", why);
		ret = ret > 0 ? -EBUSY : ret;
		goto fail;
	}
	ret = __vct_nvme_open_fd(e->iommu, e->bdf, e->device_fd, e->own_iova, &d->n,
				 why, sizeof(why));
	if (ret) {
		snprintf(e->err, sizeof(e->err), "%s", why);
		goto fail;
	}
	n = d->n;
	if (!n->nn || n->ns_block < 512 || n->ns_block > NV_BUF ||
	    n->ns_blocks * n->ns_block < NV_BUF) {
		snprintf(e->err, sizeof(e->err),
			 "namespace 1: %u namespaces, %" PRIu64 " blocks of %u bytes: needs 4 KiB of 512..4096-byte LBAs",
			 n->nn, n->ns_blocks, n->ns_block);
		ret = -ENODEV;
		goto fail;
	}
	d->scratch = (uint8_t *)n->arena + 2 * PG;
	d->scratch_iova = n->iova + 2 * PG;

	/* Identify Controller: device -> RAM of known content */
	memset(d->scratch, 0, PG);
	ret = __vct_nvme_identify(n, 1, 0, d->scratch_iova);
	if (ret) {
		snprintf(e->err, sizeof(e->err), "%s", n->err);
		goto fail;
	}
	memcpy(&vid, d->scratch, 2);
	memcpy(&oncs, d->scratch + ID_ONCS, 2);
	if (vid != e->vendor) {
		snprintf(e->err, sizeof(e->err),
			 "Identify Controller VID %#06x is not the PCI vendor %#06x",
			 vid, e->vendor);
		ret = -EIO;
		goto fail;
	}
	if (serial && serial[0] && n->emulated && strcmp(serial, n->serial)) {
		snprintf(e->err, sizeof(e->err),
			 "Identify Controller serial '%s' is not the profile's '%s'",
			 n->serial, serial);
		ret = -EIO;
		goto fail;
	}
	d->can_compare = oncs & 1;
	ret = __vct_nvme_create_ioq(n, Q_IO, 0, false);
	if (ret) {
		snprintf(e->err, sizeof(e->err), "%s", n->err);
		goto fail;
	}
	e->buf_size = NV_BUF;
	e->max_len = NV_BUF;
	e->len_align = n->ns_block;
	e->iova_align = 4;
	e->own_va = n->arena;
	e->own_len = VCT_NVME_ARENA;
	e->can_load = false;
	e->reads_compare_only = true;
	snprintf(e->cannot, sizeof(e->cannot),
		 "nvme %s: its device buffer is namespace 1's first LBAs, so putting arbitrary bytes there writes the media: run with --destructive (VCT_ALLOW_DESTRUCTIVE=1)",
		 e->bdf);
	if (destructive && !strcmp(destructive, "1")) {
		ret = probe_media(e);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	vct_nvme_close(d->n);
	free(d);
	e->priv = NULL;
	return ret;
}

const struct vct_dma_driver vct_dma_nvme = {
	.name = "nvme",
	.probe = nvme_probe,
	.init = nvme_init,
	.start_write = nvme_start_write,
	.start_read = nvme_start_read,
	.wait = nvme_wait,
	.raise_irq = nvme_raise_irq,
	.read_check = nvme_read_check,
	.remove = nvme_remove,
};
