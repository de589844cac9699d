// SPDX-License-Identifier: GPL-2.0
/*
 * nvme.c - userspace NVMe over VFIO (nvme.h).
 *
 * Registers (NVMe 1.4, BAR0): CAP 0x00 (MQES 15:0, TO 31:24 in 500 ms,
 * DSTRD 35:32), CC 0x14 (EN bit 0, IOSQES 19:16, IOCQES 23:20), CSTS 0x1c
 * (RDY bit 0, CFS bit 1), AQA 0x24, ASQ 0x28, ACQ 0x30, doorbells from
 * 0x1000: SQ y tail at (2y) * stride, CQ y head at (2y + 1) * stride.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "device.h"
#include "nvme.h"
#include "util.h"

#define REG_CAP		0x00
#define REG_CC		0x14
#define REG_CSTS	0x1c
#define REG_AQA		0x24
#define REG_ASQ		0x28
#define REG_ACQ		0x30
#define REG_DBS		0x1000
#define CC_EN		0x1u
#define CC_IOQES	((6u << 16) | (4u << 20))	/* 64-byte SQE, 16-byte CQE */
#define CSTS_RDY	0x1u
#define CSTS_CFS	0x2u
#define PG		4096ull

#define OPC_DEL_SQ	0x00
#define OPC_CREATE_SQ	0x01
#define OPC_DEL_CQ	0x04
#define OPC_CREATE_CQ	0x05
#define OPC_IDENTIFY	0x06
#define OPC_SET_FEAT	0x09
#define FEAT_NUM_QUEUES	0x07
#define ADMIN_TIMEOUT	5000

static uint32_t rd32(struct vct_nvme *n, uint32_t off)
{
	return *(volatile uint32_t *)(n->bar + off);
}

static uint64_t rd64(struct vct_nvme *n, uint32_t off)
{
	return (uint64_t)rd32(n, off) | (uint64_t)rd32(n, off + 4) << 32;
}

static void wr32(struct vct_nvme *n, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(n->bar + off) = v;
}

static void wr64(struct vct_nvme *n, uint32_t off, uint64_t v)
{
	wr32(n, off, (uint32_t)v);
	wr32(n, off + 4, (uint32_t)(v >> 32));
}

static void db(struct vct_nvme *n, unsigned int idx, uint32_t v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr32(n, REG_DBS + idx * n->dstrd, v);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int wait_rdy(struct vct_nvme *n, bool rdy)
{
	struct timespec t0, nap = { 0, 1000000 };
	uint32_t csts;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		csts = rd32(n, REG_CSTS);
		if (csts == 0xffffffffu) {
			snprintf(n->err, sizeof(n->err), "%s: CSTS reads all ones", n->bdf);
			return -EIO;
		}
		if (rdy && (csts & CSTS_CFS)) {
			snprintf(n->err, sizeof(n->err), "%s: controller fatal status", n->bdf);
			return -EIO;
		}
		if (!!(csts & CSTS_RDY) == rdy)
			return 0;
		if (ms_since(&t0) > (long)n->timeout_ms) {
			snprintf(n->err, sizeof(n->err), "%s: CSTS.RDY not %d after %u ms",
				 n->bdf, rdy, n->timeout_ms);
			return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
	}
}

int __vct_nvme_disable(struct vct_nvme *n)
{
	wr32(n, REG_CC, rd32(n, REG_CC) & ~CC_EN);
	return wait_rdy(n, false);
}

static void queue_init(struct vct_nvme *n, uint16_t qid, uint16_t depth)
{
	struct vct_nvme_queue *q = &n->q[qid];
	uint64_t sq_off = qid ? (3 + 2ull * (qid - 1)) * PG : 0;
	uint64_t cq_off = qid ? sq_off + PG : PG;

	memset(q, 0, sizeof(*q));
	q->sq = (struct vct_nvme_sqe *)((uint8_t *)n->arena + sq_off);
	q->cq = (volatile struct vct_nvme_cqe *)((uint8_t *)n->arena + cq_off);
	q->sq_iova = n->iova + sq_off;
	q->cq_iova = n->iova + cq_off;
	q->depth = depth;
	q->phase = 1;
	memset(q->sq, 0, PG);
	memset((void *)q->cq, 0, PG);
}

int __vct_nvme_submit(struct vct_nvme *n, uint16_t qid, struct vct_nvme_sqe *cmd)
{
	struct vct_nvme_queue *q = &n->q[qid];
	uint16_t next = (uint16_t)((q->sq_tail + 1) % q->depth);

	if (!q->live) {
		snprintf(n->err, sizeof(n->err), "queue %u does not exist", qid);
		return -ENOENT;
	}
	/* the SQ head the controller reports is not tracked: one slot per
	 * outstanding command is enough for how the suites use queues */
	cmd->cdw0 = (cmd->cdw0 & 0xffff) | (uint32_t)q->cid << 16;
	q->cid++;
	q->sq[q->sq_tail] = *cmd;
	q->sq_tail = next;
	db(n, 2u * qid, q->sq_tail);
	return 0;
}

int __vct_nvme_reap(struct vct_nvme *n, uint16_t qid, struct vct_nvme_cqe *cqe,
		    int timeout_ms)
{
	struct vct_nvme_queue *q = &n->q[qid];
	struct timespec t0;
	unsigned long spins = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		volatile struct vct_nvme_cqe *c = &q->cq[q->cq_head];

		if ((c->status & 1) == q->phase) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			cqe->result = c->result;
			cqe->sq_head = c->sq_head;
			cqe->sq_id = c->sq_id;
			cqe->cid = c->cid;
			cqe->status = c->status;
			break;
		}
		if (!(++spins & 0x3ff) && ms_since(&t0) > timeout_ms) {
			snprintf(n->err, sizeof(n->err), "%s: queue %u: no completion in %d ms",
				 n->bdf, qid, timeout_ms);
			return -ETIMEDOUT;
		}
		if (spins > 100000) {
			struct timespec nap = { 0, 20000 };

			nanosleep(&nap, NULL);
		}
	}
	q->cq_head = (uint16_t)((q->cq_head + 1) % q->depth);
	if (!q->cq_head)
		q->phase ^= 1;
	db(n, 2u * qid + 1, q->cq_head);
	if (cqe->status >> 1) {
		n->last_status = cqe->status >> 1;
		snprintf(n->err, sizeof(n->err), "%s: queue %u: status %#x", n->bdf, qid,
			 cqe->status >> 1);
		return -EIO;
	}
	return 0;
}

int __vct_nvme_cmd(struct vct_nvme *n, uint16_t qid, struct vct_nvme_sqe *cmd,
		   struct vct_nvme_cqe *cqe)
{
	int ret = __vct_nvme_submit(n, qid, cmd);

	return ret ? ret : __vct_nvme_reap(n, qid, cqe, ADMIN_TIMEOUT);
}

static int admin(struct vct_nvme *n, uint8_t opc, uint32_t nsid, uint64_t prp1,
		 uint32_t cdw10, uint32_t cdw11, uint32_t *result)
{
	struct vct_nvme_sqe c = { .cdw0 = opc, .nsid = nsid, .prp1 = prp1,
				  .cdw10 = cdw10, .cdw11 = cdw11 };
	struct vct_nvme_cqe e = { 0 };
	int ret = __vct_nvme_cmd(n, 0, &c, &e);

	if (result)
		*result = e.result;
	if (ret)
		snprintf(n->err + strlen(n->err), sizeof(n->err) - strlen(n->err),
			 " (admin opcode %#x)", opc);
	return ret;
}

int __vct_nvme_identify(struct vct_nvme *n, uint32_t cns, uint32_t nsid, uint64_t iova)
{
	return admin(n, OPC_IDENTIFY, nsid, iova, cns, 0, NULL);
}

int __vct_nvme_create_ioq(struct vct_nvme *n, uint16_t qid, uint16_t vector, bool irq)
{
	uint16_t depth = VCT_NVME_QDEPTH < n->mqes ? VCT_NVME_QDEPTH : n->mqes;
	int ret;

	if (!qid || qid > n->nioq)
		return -EINVAL;
	queue_init(n, qid, depth);
	ret = admin(n, OPC_CREATE_CQ, 0, n->q[qid].cq_iova,
		    (uint32_t)(depth - 1) << 16 | qid,
		    (uint32_t)vector << 16 | (irq ? 2u : 0u) | 1u, NULL);
	if (ret)
		return ret;
	ret = admin(n, OPC_CREATE_SQ, 0, n->q[qid].sq_iova,
		    (uint32_t)(depth - 1) << 16 | qid, (uint32_t)qid << 16 | 1u, NULL);
	if (ret) {
		admin(n, OPC_DEL_CQ, 0, 0, qid, 0, NULL);
		return ret;
	}
	n->q[qid].live = true;
	return 0;
}

int __vct_nvme_delete_ioq(struct vct_nvme *n, uint16_t qid)
{
	int ret;

	if (!qid || qid > n->nioq || !n->q[qid].live)
		return -EINVAL;
	ret = admin(n, OPC_DEL_SQ, 0, 0, qid, 0, NULL);
	if (!ret)
		ret = admin(n, OPC_DEL_CQ, 0, 0, qid, 0, NULL);
	n->q[qid].live = false;
	return ret;
}

void vct_nvme_rw_cmd(struct vct_nvme *n, struct vct_nvme_sqe *cmd, bool write,
		     uint64_t slba, uint32_t nlb, uint64_t iova)
{
	(void)n;
	memset(cmd, 0, sizeof(*cmd));
	cmd->cdw0 = write ? 0x01 : 0x02;
	cmd->nsid = 1;
	cmd->prp1 = iova;
	cmd->cdw10 = (uint32_t)slba;
	cmd->cdw11 = (uint32_t)(slba >> 32);
	cmd->cdw12 = nlb - 1;
}

static int cfg_command(struct vct_nvme *n, struct vct_region_info *cfg)
{
	uint64_t cmd;
	int ret = __vct_region_rd(n->fd, cfg, PCI_COMMAND, 2, &cmd);

	if (ret)
		return ret;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	return __vct_region_wr(n->fd, cfg, PCI_COMMAND, 2, cmd);
}

static int nvme_start(struct vct_nvme *n)
{
	uint64_t cap = rd64(n, REG_CAP);
	uint8_t *id = (uint8_t *)n->arena + 2 * PG;
	uint32_t res;
	int ret, i;

	n->mqes = (uint16_t)((cap & 0xffff) + 1);
	n->timeout_ms = (uint32_t)(((cap >> 24) & 0xff) + 1) * 500;
	n->dstrd = 4u << ((cap >> 32) & 0xf);
	if (!(cap & (1ull << 37))) {
		snprintf(n->err, sizeof(n->err), "%s: no NVM command set (CAP %#" PRIx64 ")",
			 n->bdf, cap);
		return -ENODEV;
	}
	ret = __vct_nvme_disable(n);
	if (ret)
		return ret;
	queue_init(n, 0, 64);
	n->q[0].live = true;
	wr32(n, REG_AQA, 63u << 16 | 63u);
	wr64(n, REG_ASQ, n->q[0].sq_iova);
	wr64(n, REG_ACQ, n->q[0].cq_iova);
	wr32(n, REG_CC, CC_IOQES | CC_EN);
	ret = wait_rdy(n, true);
	if (ret)
		return ret;

	memset(id, 0, PG);
	ret = __vct_nvme_identify(n, 1, 0, n->iova + 2 * PG);
	if (ret)
		return ret;
	memcpy(n->serial, id + 4, 20);
	n->serial[20] = '\0';
	for (i = 19; i >= 0 && (n->serial[i] == ' ' || !n->serial[i]); i--)
		n->serial[i] = '\0';
	memcpy(&n->nn, id + 516, 4);
	if (n->nn) {
		uint8_t flbas, lbads;

		memset(id, 0, PG);
		ret = __vct_nvme_identify(n, 0, 1, n->iova + 2 * PG);
		if (ret)
			return ret;
		memcpy(&n->ns_blocks, id, 8);
		flbas = id[26] & 0xf;
		lbads = id[128 + 4 * flbas + 2];
		n->ns_block = lbads ? 1u << lbads : 0;
	}
	ret = admin(n, OPC_SET_FEAT, 0, 0, FEAT_NUM_QUEUES,
		    (VCT_NVME_MAX_IOQ - 1u) << 16 | (VCT_NVME_MAX_IOQ - 1u), &res);
	if (ret)
		return ret;
	n->nioq = (res & 0xffff) + 1;
	if ((res >> 16) + 1 < n->nioq)
		n->nioq = (res >> 16) + 1;
	if (n->nioq > VCT_NVME_MAX_IOQ)
		n->nioq = VCT_NVME_MAX_IOQ;
	return 0;
}

int __vct_nvme_open(struct vct_iommu *iommu, const char *bdf, uint64_t iova,
		    struct vct_nvme **out, char *why, size_t why_len)
{
	return __vct_nvme_open_fd(iommu, bdf, -1, iova, out, why, why_len);
}

int __vct_nvme_open_fd(struct vct_iommu *iommu, const char *bdf, int fd,
		       uint64_t iova, struct vct_nvme **out, char *why,
		       size_t why_len)
{
	struct vct_region_info cfg, bar;
	struct vct_err err = { "" };
	struct vct_pcidev p;
	struct vct_nvme *n;
	const char *real;
	void *m;
	int ret;

	*out = NULL;
	ret = __vct_pci_find_by_bdf(bdf, &p);
	if (ret) {
		snprintf(why, why_len, "%s: not found", bdf);
		return ret;
	}
	if (p.class_id != 0x0108) {
		snprintf(why, why_len, "%s: class %#06x is not an NVM controller", bdf, p.class_id);
		return -ENODEV;
	}
	real = getenv("VCT_NVME_ALLOW_REAL");
	if (!(p.vendor == 0x1b36 && p.device == 0x0010) && !(real && !strcmp(real, "1"))) {
		snprintf(why, why_len, "%s: %04x:%04x is a real NVMe controller: set "
			 "VCT_NVME_ALLOW_REAL=1 to drive it (non-destructive commands only "
			 "without VCT_ALLOW_DESTRUCTIVE=1)", bdf, p.vendor, p.device);
		return -EPERM;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	snprintf(n->bdf, sizeof(n->bdf), "%s", p.bdf);
	n->emulated = p.vendor == 0x1b36 && p.device == 0x0010;
	n->iommu = iommu;
	n->iova = iova;
	n->fd_borrowed = fd >= 0;
	n->fd = fd >= 0 ? fd : __vct_iommu_device_fd(iommu, bdf);
	if (n->fd < 0) {
		ret = n->fd;
		snprintf(why, why_len, "%s: device fd: %s", bdf, vct_errno_name(-ret));
		goto fail;
	}
	ret = __vct_region_info(n->fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg, &err);
	if (!ret)
		ret = __vct_region_info(n->fd, VFIO_PCI_BAR0_REGION_INDEX, &bar, &err);
	if (ret) {
		snprintf(why, why_len, "%s: region info: %s", bdf, err.msg);
		goto fail;
	}
	if (!(bar.flags & VFIO_REGION_INFO_FLAG_MMAP) || bar.size < 0x2000) {
		snprintf(why, why_len, "%s: BAR0 not mmap-able or too small", bdf);
		ret = -ENODEV;
		goto fail;
	}
	m = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, n->fd, (off_t)bar.offset);
	if (m == MAP_FAILED) {
		ret = -errno;
		snprintf(why, why_len, "%s: mmap BAR0: %m", bdf);
		goto fail;
	}
	n->bar = m;
	n->bar_size = bar.size;
	n->arena = vct_dma_alloc(VCT_NVME_ARENA);
	if (!n->arena) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = __vct_iommu_map(iommu, iova, VCT_NVME_ARENA, n->arena, VCT_PROT_RW);
	if (ret) {
		snprintf(why, why_len, "%s: map arena at %#" PRIx64 ": %s", bdf, iova,
			 vct_iommu_last_error(iommu));
		vct_dma_free(n->arena, VCT_NVME_ARENA);
		n->arena = NULL;
		goto fail;
	}
	ret = cfg_command(n, &cfg);
	if (!ret)
		ret = nvme_start(n);
	if (ret) {
		snprintf(why, why_len, "%s", n->err[0] ? n->err : "config write failed");
		goto fail;
	}
	*out = n;
	return 0;
fail:
	vct_nvme_close(n);
	return ret;
}

void vct_nvme_close(struct vct_nvme *n)
{
	unsigned int q;

	if (!n)
		return;
	if (n->bar) {
		for (q = 1; q <= VCT_NVME_MAX_IOQ; q++)
			if (n->q[q].live)
				__vct_nvme_delete_ioq(n, (uint16_t)q);
		if (n->arena)
			__vct_nvme_disable(n);
		munmap((void *)n->bar, n->bar_size);
	}
	if (n->arena) {
		__vct_iommu_unmap(n->iommu, n->iova, VCT_NVME_ARENA, NULL);
		vct_dma_free(n->arena, VCT_NVME_ARENA);
	}
	if (n->fd >= 0 && !n->fd_borrowed)
		close(n->fd);
	free(n);
}

/* A line of /proc/mounts naming /dev/<disk> or one of its partitions. */
static bool mounted(const char *disk, char *why, size_t why_len)
{
	char line[1024], dev[300];
	FILE *f = fopen("/proc/mounts", "re");
	bool hit = false;

	if (!f)
		return false;
	snprintf(dev, sizeof(dev), "/dev/%s", disk);
	while (!hit && fgets(line, sizeof(line), f))
		if (!strncmp(line, dev, strlen(dev))) {
			hit = true;
			snprintf(why, why_len, "%s is mounted: %s", disk, line);
		}
	fclose(f);
	return hit;
}

static bool held(const char *disk, char *why, size_t why_len)
{
	char path[512];
	struct dirent *d;
	DIR *dir;
	bool hit = false;

	snprintf(path, sizeof(path), "/sys/block/%s/holders", disk);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!hit && (d = readdir(dir)))
		if (d->d_name[0] != '.') {
			hit = true;
			snprintf(why, why_len, "%s is held by %s", disk, d->d_name);
		}
	closedir(dir);
	return hit;
}

int __vct_nvme_in_use(const char *bdf, char *why, size_t why_len)
{
	char path[512], canon[VCT_BDF_LEN];
	struct dirent *c, *d;
	DIR *cd, *nd;
	int ret = 0;

	if (vct_bdf_canon(bdf, canon))
		return -EINVAL;
	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s/nvme", canon);
	cd = opendir(path);
	if (!cd)
		return 0;	/* no nvme driver instance: no namespaces in use */
	while (!ret && (c = readdir(cd))) {
		char sub[800];

		if (strncmp(c->d_name, "nvme", 4))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, c->d_name);
		nd = opendir(sub);
		if (!nd)
			continue;
		while (!ret && (d = readdir(nd))) {
			if (strncmp(d->d_name, "nvme", 4) || !strchr(d->d_name + 4, 'n'))
				continue;
			if (mounted(d->d_name, why, why_len) || held(d->d_name, why, why_len))
				ret = 1;
		}
		closedir(nd);
	}
	closedir(cd);
	return ret;
}
