// SPDX-License-Identifier: GPL-2.0
/*
 * irq (MSI-X): many vectors, each completion queue's interrupt on its own
 * eventfd, exactly once per completion, through the NVMe engine
 * (harness/nvme.h; QEMU's emulated controller on the x86 host).
 *
 * Queue pair k (1..nq) completes on MSI-X vector k.  Each queue has at most
 * one command outstanding while interrupts are counted, so one completion
 * is one interrupt: QEMU's controller signals a vector each time it posts
 * completions, and posting is per command when only one is in flight.
 * Commands are 1-block Reads into a scratch page (device -> RAM DMA).
 *
 * The storm's length: $VCT_IRQ_STORM interrupts if set, else 1000000 with
 * ./run.sh --stress (VCT_STRESS=full) and 100000 otherwise (~1-2 s under
 * TCG at ~80k interrupts/s).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "test.h"

#include "device.h"
#include "dma.h"
#include "iommu.h"
#include "irq.h"
#include "metrics.h"
#include "nvme.h"
#include "platform.h"
#include "resv.h"
#include "util.h"

#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define IOVA_ARENA	0x100000000ull
#define IOVA_DATA	0x200000000ull
#define PG		4096ull
#define DATA_PAGES	2		/* data page + guard page */
#define WAIT_MS		3000
#define SETTLE_MS	100
#define MAXV		(VCT_NVME_MAX_IOQ + 1)

FIXTURE(irq_nvme) {
	struct vct_iommu *iommu;
	struct vct_nvme *n;
	char bdf[VCT_BDF_LEN];
	uint8_t *data;
	uint32_t nvec;		/* MSI-X vectors the device offers */
	unsigned int nq;	/* I/O queue pairs in use: 1..nq */
	int efd[MAXV];
};

FIXTURE_SETUP(irq_nvme)
{
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	char why[512] = "";
	uint32_t flags;
	int i, cnt, ret;

	vct_mark_test(_metadata, variant);
	for (i = 0; i < MAXV; i++)
		self->efd[i] = -1;
	cnt = __vct_test_devices(devs, VCT_ARRAY_SIZE(devs), why, sizeof(why));
	ASSERT_LE(0, cnt) TH_LOG("%s", why);
	for (i = 0; i < cnt; i++) {
		struct vct_pcidev p;

		if (!__vct_pci_find_by_bdf(devs[i].bdf, &p) && p.class_id == 0x0108)
			break;
	}
	if (i == cnt)
		SKIP(return, "no NVMe controller among the test devices%s%s",
		     why[0] ? ": " : "", why);
	memcpy(self->bdf, devs[i].bdf, sizeof(self->bdf));
	ret = __vct_nvme_in_use(self->bdf, why, sizeof(why));
	if (ret > 0)
		SKIP(return, "%s: namespaces in use, not touched: %s", self->bdf, why);

	VCT_IOMMU_OPEN_PREFERRED_OR_SKIP(&self->iommu);
	VCT_IOMMU_ATTACH(self->iommu, self->bdf);
	ret = __vct_nvme_open(self->iommu, self->bdf, IOVA_ARENA, &self->n, why, sizeof(why));
	if (ret == -EPERM)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, ret) TH_LOG("%s", why);
	self->data = vct_dma_alloc(DATA_PAGES * PG);
	ASSERT_NE(NULL, self->data);
	/* only the first page is mapped: the second is a guard */
	ASSERT_EQ(0, __vct_iommu_map(self->iommu, IOVA_DATA, PG, self->data, VCT_PROT_RW));
	ASSERT_EQ(0, __vct_irq_info(self->n->fd, MSIX, &flags, &self->nvec));
	if (self->nvec > MAXV)
		self->nvec = MAXV;
	self->nq = self->nvec > 1 ? self->nvec - 1 : 0;
	if (self->nq > self->n->nioq)
		self->nq = self->n->nioq;
	for (i = 0; i < (int)self->nvec; i++) {
		self->efd[i] = vct_efd_new();
		ASSERT_LE(0, self->efd[i]);
	}
}

FIXTURE_TEARDOWN(irq_nvme)
{
	int i;

	/*
	 * Queues go first, while MSI-X is still on: QEMU 7.2's controller
	 * asserts (aborts) when a completion queue on a vector >= 32 is
	 * deleted with MSI-X off (nvme_irq_deassert: cq->vector < 32).
	 */
	if (self->n) {
		int fd = dup(self->n->fd);

		vct_nvme_close(self->n);
		if (fd >= 0) {
			__vct_irq_disable(fd, MSIX);
			close(fd);
		}
	}
	for (i = 0; i < MAXV; i++)
		if (self->efd[i] >= 0)
			close(self->efd[i]);
	vct_iommu_close(self->iommu);
	if (self->data)
		vct_dma_free(self->data, DATA_PAGES * PG);
}

/* Enable MSI-X vectors [0, count) on efd[0..count). */
static int msix_on(FIXTURE_DATA(irq_nvme) *self, uint32_t start, uint32_t count)
{
	return __vct_irq_set_eventfds(self->n->fd, MSIX, start, count, self->efd + start);
}

static int queues_on(FIXTURE_DATA(irq_nvme) *self, unsigned int nq)
{
	unsigned int k;
	int ret;

	for (k = 1; k <= nq; k++) {
		ret = __vct_nvme_create_ioq(self->n, (uint16_t)k, (uint16_t)k, true);
		if (ret)
			return ret;
	}
	return 0;
}

static int submit_read(FIXTURE_DATA(irq_nvme) *self, unsigned int qid)
{
	struct vct_nvme_sqe c;

	vct_nvme_rw_cmd(self->n, &c, false, qid, 1, IOVA_DATA);
	return __vct_nvme_submit(self->n, (uint16_t)qid, &c);
}

/* Sum of every vector's counter (taken) except `skip` (-1: none). */
static int64_t take_others(FIXTURE_DATA(irq_nvme) *self, int skip, int *who)
{
	int64_t sum = 0, r;
	int v;

	for (v = 0; v < (int)self->nvec; v++) {
		if (v == skip)
			continue;
		r = vct_efd_take(self->efd[v]);
		if (r > 0) {
			sum += r;
			*who = v;
		}
	}
	return sum;
}

/*
 * One read on queue k: exactly one interrupt, on vector k's eventfd, and
 * nothing on any other vector.  `expect` 0: vector k must stay quiet.
 */
#define ONE_CMD(k, expect) do { \
	struct vct_nvme_cqe __e; \
	int __who = -1; \
	int64_t __got; \
	ASSERT_EQ(0, submit_read(self, k)) TH_LOG("%s", self->n->err); \
	__got = vct_efd_wait(self->efd[k], (expect) ? WAIT_MS : SETTLE_MS); \
	ASSERT_EQ(0, __vct_nvme_reap(self->n, (uint16_t)(k), &__e, WAIT_MS)) \
		TH_LOG("%s", self->n->err); \
	/* the first wrong count ends the test: the rest would wait in vain */ \
	ASSERT_EQ((int64_t)(expect), __got) TH_LOG("queue/vector %u", (unsigned int)(k)); \
	EXPECT_EQ(0, take_others(self, k, &__who)) \
		TH_LOG("queue %u's completion signalled vector %d", (unsigned int)(k), __who); \
} while (0)

/* Identify Controller reached RAM by DMA and carries the profile's serial. */
TEST_F(irq_nvme, identify_serial_matches_profile)
{
	const char *want = getenv("VCT_NVME_SERIAL");

	TH_LOG("%s: serial '%s', %u namespace(s), ns1 %" PRIu64 " x %u B, %u I/O queue pairs",
	       self->bdf, self->n->serial, self->n->nn, self->n->ns_blocks,
	       self->n->ns_block, self->n->nioq);
	ASSERT_LE(1u, self->n->nn);
	EXPECT_NE(0u, self->n->ns_block);
	if (!want || !*want)
		SKIP(return, "the profile names no nvme_serial");
	EXPECT_STREQ(want, self->n->serial);
}

/*
 * A Read lands exactly: a 512-byte block of the null namespace (zeros)
 * replaces the first 512 bytes of a patterned page; nothing else changes.
 */
TEST_F(irq_nvme, read_dma_lands_exactly)
{
	struct vct_nvme_sqe c;
	struct vct_nvme_cqe e;
	uint8_t *model;

	if (!self->n->emulated)
		SKIP(return, "content of a real namespace is unknown");
	ASSERT_EQ(512u, self->n->ns_block);
	ASSERT_EQ(0, __vct_nvme_create_ioq(self->n, 1, 0, false)) TH_LOG("%s", self->n->err);
	model = malloc(DATA_PAGES * PG);
	ASSERT_NE(NULL, model);
	vct_pattern_fill(self->data, DATA_PAGES * PG, 0x1e0e);
	memcpy(model, self->data, DATA_PAGES * PG);
	memset(model, 0, 512);
	vct_nvme_rw_cmd(self->n, &c, false, 0, 1, IOVA_DATA);
	EXPECT_EQ(0, __vct_nvme_cmd(self->n, 1, &c, &e)) TH_LOG("%s", self->n->err);
	EXPECT_EQ(-1, vct_mem_diff(self->data, model, DATA_PAGES * PG));
	free(model);
}

/*
 * A Read into an IOVA whose mapping was removed: nothing lands in the
 * page that was mapped there.  The command's status is logged, not
 * checked: QEMU 7.2's controller completes it successfully although the
 * IOMMU refused the write (an emulator shortcoming, not the kernel's).
 */
TEST_F(irq_nvme, read_to_unmapped_iova_lands_nowhere)
{
	const uint64_t iova = IOVA_DATA + 0x100000;
	struct vct_nvme_sqe c;
	struct vct_nvme_cqe e;
	uint8_t *buf, *model;
	uint64_t un = 0;
	int ret;

	buf = vct_dma_alloc(PG);
	model = malloc(PG);
	ASSERT_TRUE(buf && model);
	vct_pattern_fill(buf, PG, 0x0a11);
	memcpy(model, buf, PG);
	ASSERT_EQ(0, __vct_nvme_create_ioq(self->n, 1, 0, false)) TH_LOG("%s", self->n->err);
	ASSERT_EQ(0, __vct_iommu_map(self->iommu, iova, PG, buf, VCT_PROT_RW));
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, iova, PG, &un));
	ASSERT_EQ(PG, un);
	vct_nvme_rw_cmd(self->n, &c, false, 0, 8, iova);
	ret = __vct_nvme_cmd(self->n, 1, &c, &e);
	TH_LOG("read to unmapped %#" PRIx64 ": %s, status %#x", iova, vct_errno_name(-ret),
	       e.status >> 1);
	EXPECT_EQ(-1, vct_mem_diff(buf, model, PG));
	free(model);
	vct_dma_free(buf, PG);
}

/* The device offers >= 16 MSI-X vectors and VFIO reports exactly the table size. */
TEST_F(irq_nvme, msix_count_matches_libpci)
{
	struct vct_pci_caps caps;

	ASSERT_EQ(0, __vct_pci_caps(self->bdf, &caps));
	ASSERT_TRUE(caps.msix);
	EXPECT_EQ(caps.msix_vectors, self->nvec);
	if (self->n->emulated)
		EXPECT_LE(16u, self->nvec);
}

/* The msi-type regions of `bdf`'s group (sysfs) and of the profile. */
static void msi_windows(struct __test_metadata *_metadata, const char *bdf,
			struct vct_ranges *group, struct vct_ranges *prof)
{
	struct vct_err err = { "" };
	struct vct_resv_list l;
	int g = __vct_pci_iommu_group(bdf), ret;

	ASSERT_LE(0, g);
	ASSERT_EQ(0, vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, (unsigned int)g,
					 vct_page_size(), &l, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, vct_resv_to_ranges(&l, VCT_RESV_MASK(VCT_RESV_MSI), group));
	vct_resv_free(&l);
	ret = __vct_expected_resv(&l, &err);
	if (ret == -ENOENT)
		return;
	ASSERT_EQ(0, ret) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, vct_resv_to_ranges(&l, VCT_RESV_MASK(VCT_RESV_MSI), prof));
	vct_resv_free(&l);
}

/*
 * Every enabled MSI-X vector's doorbell, as the kernel programmed it into
 * the device's MSI-X table, lies inside the group's msi reserved region
 * (and the profile's): on ARM64 behind SMMUv3 the GICv3 ITS doorbell that
 * iommu_dma_prepare_msi() mapped inside the software MSI window of the
 * container's domain (the seed's case), behind virtio-iommu the ITS
 * translation frame it bypasses, on x86 the 0xfee00000 interrupt window.
 * The table is read through the device's BAR as the NVMe engine mapped it
 * (mmap of the VFIO region): vfio-pci keeps the table out of pread/pwrite
 * (vfio_pci_core_do_io_rw() fills the excluded range with 0xff on read),
 * which this test logs, but not out of mmap, which shows the real entries.
 */
TEST_F(irq_nvme, msix_doorbells_inside_msi_window)
{
	struct vct_ranges win = VCT_RANGES_INIT, prof = VCT_RANGES_INIT;
	struct vct_region_info bar;
	struct vct_err err = { "" };
	struct vct_pci_caps caps;
	char path[128], w[256];
	uint32_t tbl = 0, v;
	uint64_t off, via_pread = 0;
	int fd;

	ASSERT_EQ(0, __vct_pci_caps(self->bdf, &caps));
	ASSERT_TRUE(caps.msix);
	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s/config", self->bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, pread(fd, &tbl, 4, caps.msix_off + 4));	/* Table Offset/BIR */
	close(fd);
	if ((tbl & 7) != 0)
		SKIP(return, "%s: MSI-X table in BAR%u, the engine maps BAR0 only", self->bdf,
		     tbl & 7);
	off = tbl & ~7u;
	ASSERT_LE(off + 16ull * self->nvec, self->n->bar_size);
	msi_windows(_metadata, self->bdf, &win, &prof);
	ASSERT_LT(0, win.n) TH_LOG("%s: its group lists no msi region", self->bdf);
	vct_ranges_format(&win, w, sizeof(w));
	TH_LOG("%s: group msi window %s, MSI-X table at BAR0 + 0x%llx", self->bdf, w,
	       (unsigned long long)off);

	ASSERT_EQ(0, msix_on(self, 0, self->nvec));
	ASSERT_EQ(0, __vct_region_info(self->n->fd, VFIO_PCI_BAR0_REGION_INDEX, &bar, &err))
		TH_LOG("%s", err.msg);
	if (__vct_region_rd(self->n->fd, &bar, off, 8, &via_pread) == 0)
		TH_LOG("pread of vector 0's address through the VFIO region: 0x%llx (msix_mappable %d)",
		       (unsigned long long)via_pread, bar.msix_mappable);
	for (v = 0; v < self->nvec; v++) {
		volatile const uint32_t *e = (volatile const uint32_t *)(self->n->bar + off + 16ull * v);
		uint64_t addr = ((uint64_t)e[1] << 32) | e[0];

		EXPECT_TRUE(vct_ranges_contains(&win, addr, addr + 3))
			TH_LOG("%s: MSI-X vector %u doorbell 0x%llx (data 0x%x, control 0x%x) is outside the group's msi window %s",
			       self->bdf, v, (unsigned long long)addr, e[2], e[3], w);
		if (prof.n)
			EXPECT_TRUE(vct_ranges_contains(&prof, addr, addr + 3))
				TH_LOG("%s: MSI-X vector %u doorbell 0x%llx is outside the profile's msi window",
				       self->bdf, v, (unsigned long long)addr);
		if (v == 0 || v == self->nvec - 1)
			TH_LOG("vector %u: doorbell 0x%llx data 0x%x", v,
			       (unsigned long long)addr, e[2]);
	}
	vct_ranges_free(&win);
	vct_ranges_free(&prof);
}

/*
 * Every vector the device offers enabled; a command on each queue, three
 * rounds: each completion arrives once on its own queue's eventfd and on
 * no other.
 */
TEST_F(irq_nvme, msix_each_queue_own_vector_once)
{
	unsigned int k, round;

	ASSERT_LE(16u, self->nq);
	ASSERT_EQ(0, msix_on(self, 0, self->nvec));
	ASSERT_EQ(0, queues_on(self, self->nq)) TH_LOG("%s", self->n->err);
	for (round = 0; round < 3; round++)
		for (k = 1; k <= self->nq; k++)
			ONE_CMD(k, 1);
}

/*
 * Per-vector control through SET_IRQS subindexes: eventfd -1 on
 * [4, 8) detaches those vectors only (their completions still arrive,
 * their eventfds hear nothing; the others still deliver); attaching them
 * again delivers again (at most one interrupt left pending from the
 * detached time may arrive at once).  MSI-X has no MASK/UNMASK action in
 * vfio-pci: ENOTTY.
 */
TEST_F(irq_nvme, msix_subindex_detach_attach)
{
	int32_t none[4] = { -1, -1, -1, -1 };
	unsigned int k;
	int64_t stale;

	ASSERT_LE(8u, self->nq);
	ASSERT_EQ(0, msix_on(self, 0, self->nvec));
	ASSERT_EQ(0, queues_on(self, 8)) TH_LOG("%s", self->n->err);
	EXPECT_EQ(-ENOTTY, __vct_irq_set_none(self->n->fd, MSIX, VFIO_IRQ_SET_ACTION_MASK, 4, 4));
	ASSERT_EQ(0, __vct_irq_set_eventfds(self->n->fd, MSIX, 4, 4, none));
	for (k = 1; k <= 8; k++)
		ONE_CMD(k, (k >= 4 && k < 8) ? 0 : 1);
	ASSERT_EQ(0, msix_on(self, 4, 4));
	vct_msleep(SETTLE_MS);
	for (k = 4; k < 8; k++) {
		stale = vct_efd_take(self->efd[k]);
		EXPECT_GE(1, stale) TH_LOG("vector %u: %" PRId64 " after re-attach", k, stale);
	}
	for (k = 1; k <= 8; k++)
		ONE_CMD(k, 1);
}

/*
 * A subset: only vectors [0, 8) enabled; queues on vectors 1..7 deliver.
 * Growing to every vector (dynamically where the index is not NORESIZE,
 * else disable and enable again) makes all deliver; shrinking back to 8
 * (disable, enable 8) leaves vectors >= 8 silent.
 */
TEST_F(irq_nvme, msix_subset_grow_shrink)
{
	uint32_t flags, cnt;
	unsigned int k;

	ASSERT_LE(16u, self->nq);
	ASSERT_EQ(0, __vct_irq_info(self->n->fd, MSIX, &flags, &cnt));
	ASSERT_EQ(0, msix_on(self, 0, 8));
	ASSERT_EQ(0, queues_on(self, self->nq)) TH_LOG("%s", self->n->err);
	for (k = 1; k < 8; k++)
		ONE_CMD(k, 1);
	if (flags & VFIO_IRQ_INFO_NORESIZE) {
		EXPECT_EQ(-EINVAL, msix_on(self, 8, self->nvec - 8));
		ASSERT_EQ(0, __vct_irq_disable(self->n->fd, MSIX));
		ASSERT_EQ(0, msix_on(self, 0, self->nvec));
	} else {
		ASSERT_EQ(0, msix_on(self, 8, self->nvec - 8));
	}
	for (k = 1; k <= self->nq; k++)
		ONE_CMD(k, 1);
	ASSERT_EQ(0, __vct_irq_disable(self->n->fd, MSIX));
	ASSERT_EQ(0, msix_on(self, 0, 8));
	for (k = 1; k < 8; k++)
		ONE_CMD(k, 1);
	/*
	 * Vectors 8.. are off again: one read on each of their queues, every
	 * completion reaped, then one SETTLE_MS for them all.  Each vector is
	 * still watched SETTLE_MS after its completion, as ONE_CMD(k, 0) would
	 * one queue at a time (56 x 100 ms), and no vector may count anything.
	 * The loops are braced: the handler TH_LOG attaches to is a statement
	 * of its own after ASSERT's and EXPECT's check.
	 */
	for (k = 8; k <= self->nq; k++) {
		ASSERT_EQ(0, submit_read(self, k)) TH_LOG("queue %u: %s", k, self->n->err);
	}
	for (k = 8; k <= self->nq; k++) {
		struct vct_nvme_cqe e;

		ASSERT_EQ(0, __vct_nvme_reap(self->n, (uint16_t)k, &e, WAIT_MS))
			TH_LOG("queue %u: %s", k, self->n->err);
	}
	vct_msleep(SETTLE_MS);
	for (k = 0; k < self->nvec; k++) {
		EXPECT_EQ(0, vct_efd_take(self->efd[k]))
			TH_LOG("vector %u signalled with only vectors 0-7 enabled and "
			       "queues 8-%u completing", k, self->nq);
	}
}

static unsigned long storm_len(void)
{
	const char *s = getenv("VCT_IRQ_STORM"), *st = getenv("VCT_STRESS");

	if (s && *s)
		return strtoul(s, NULL, 0);
	return st && !strcmp(st, "full") ? 1000000 : 100000;
}

/*
 * Storm: every queue keeps one read in flight, resubmitted as soon as its
 * interrupt arrives, until `total` completions: the sum of all eventfd
 * counts equals the number of completions (none lost, none doubled), and
 * every wakeup of a vector found exactly one completion on its queue.
 * Rate and submit->eventfd latency go to metrics.json.
 */
TEST_F(irq_nvme, msix_storm_counts_equal_completions)
{
	unsigned long total = storm_len(), done = 0, submitted = 0;
	uint64_t sum = 0, t_start, t_end, *t_sub;
	struct pollfd *pfd;
	double *lat, rate, secs;
	size_t nlat = 0;
	unsigned int k;
	struct vct_stats st;

	ASSERT_LE(16u, self->nq);
	ASSERT_EQ(0, msix_on(self, 0, self->nvec));
	ASSERT_EQ(0, queues_on(self, self->nq)) TH_LOG("%s", self->n->err);
	pfd = calloc(self->nq, sizeof(*pfd));
	t_sub = calloc(self->nq + 1, sizeof(*t_sub));
	lat = calloc(total + self->nq, sizeof(*lat));
	ASSERT_TRUE(pfd && t_sub && lat);
	for (k = 0; k < self->nq; k++) {
		pfd[k].fd = self->efd[k + 1];
		pfd[k].events = POLLIN;
	}
	t_start = vct_now_ns();
	for (k = 1; k <= self->nq && submitted < total; k++, submitted++) {
		t_sub[k] = vct_now_ns();
		ASSERT_EQ(0, submit_read(self, k));
	}
	while (done < submitted) {
		int r = poll(pfd, self->nq, WAIT_MS);

		ASSERT_LT(0, r) TH_LOG("no interrupt for %d ms: %lu of %lu completed, "
				       "eventfd sum %" PRIu64, WAIT_MS, done, submitted, sum);
		for (k = 0; k < self->nq; k++) {
			struct vct_nvme_cqe e;
			int64_t c;
			unsigned int q = k + 1;

			if (!(pfd[k].revents & POLLIN))
				continue;
			c = vct_efd_take(pfd[k].fd);
			ASSERT_LE(0, c);
			if (!c)
				continue;
			lat[nlat++] = (double)(vct_now_ns() - t_sub[q]) / 1000.0;
			sum += (uint64_t)c;
			ASSERT_EQ(1, c) TH_LOG("vector %u: %" PRId64 " interrupts for one completion",
					       q, c);
			ASSERT_EQ(0, __vct_nvme_reap(self->n, (uint16_t)q, &e, WAIT_MS))
				TH_LOG("vector %u fired, %s", q, self->n->err);
			done++;
			if (submitted < total) {
				t_sub[q] = vct_now_ns();
				ASSERT_EQ(0, submit_read(self, q));
				submitted++;
			}
		}
	}
	t_end = vct_now_ns();
	vct_msleep(SETTLE_MS);
	{
		int who = -1;
		uint64_t late = (uint64_t)take_others(self, -1, &who);

		sum += late;
		EXPECT_EQ(0u, late) TH_LOG("%" PRIu64 " late interrupts (last on vector %d)", late, who);
	}
	EXPECT_EQ((uint64_t)done, sum);
	EXPECT_EQ(total, done);
	secs = (double)(t_end - t_start) / 1e9;
	rate = (double)done / secs;
	vct_stats(lat, nlat, &st);
	TH_LOG("%lu interrupts on %u vectors in %.2f s: %.0f/s; submit->eventfd p50 %.1f us, "
	       "p99 %.1f us, max %.1f us", done, self->nq, secs, rate, st.p50, st.p99, st.max);
	{
		struct vct_metric m = {
			.suite = "irq", .test = "irq_nvme.msix_storm_counts_equal_completions",
			.metric = "msix_interrupts_per_s", .unit = "1/s", .higher_is_better = 1,
			.pattern = "nvme", .threads = 1, .count = (unsigned int)done,
			.values = &rate, .reps = 1,
		};
		struct vct_metric l = {
			.suite = "irq", .test = "irq_nvme.msix_storm_counts_equal_completions",
			.metric = "msix_submit_to_eventfd_us", .unit = "us", .higher_is_better = 0,
			.pattern = "nvme", .threads = 1, .count = (unsigned int)nlat,
			.values = &st.p50, .reps = 1, .ops = lat, .nops = nlat,
		};
		EXPECT_EQ(0, vct_metric_emit(&m));
		EXPECT_EQ(0, vct_metric_emit(&l));
	}
	free(pfd);
	free(t_sub);
	free(lat);
}

VCT_HARNESS_MAIN
