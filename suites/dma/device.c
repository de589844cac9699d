// SPDX-License-Identifier: GPL-2.0
/*
 * dma: the device's view of VFIO mappings.
 *
 * A real DMA engine (harness/dma.h; QEMU's edu on the emulated hosts)
 * moves bytes through the IOMMU, and every check looks at the bytes: a
 * mapping must let the device reach exactly the pages it names, with
 * exactly the rights it names, for exactly as long as it exists, and
 * nothing else the process owns.
 *
 * Every buffer a test owns starts with a guard pattern, and after each DMA
 * the whole buffer is compared against a model of what the DMA may have
 * changed, so a stray byte anywhere is a failure, with its offset.
 * Each DMA costs ~100 ms on edu: tests batch checks per DMA, and the IOVAs
 * differ per backend so fault reports of one variant never answer for the
 * other.
 *
 * Each test runs once per backend and DMA engine (variants type1 and
 * type1v2 drive edu; type1_nvme and type1v2_nvme an NVMe controller, see
 * harness/dma_nvme.c), and the first diagnostic line of every test names
 * the engine and its device.  Engines differ in what they can express
 * (dma.h): an NVMe controller moves whole LBAs at dword-aligned IOVAs, so
 * the offsets tables have an LBA form; without --destructive its device
 * buffer is the namespace's content (zeros on QEMU's null-co), whose
 * writes still show in patterned memory; and its reads are Compare
 * commands, so where edu fetches what it read back, NVMe is handed memory
 * whose Compare answer proves a read (vct_dma_seen_content()).  What an
 * engine cannot express is a SKIP saying so.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/mman.h>

#include "test.h"
#include "variants.h"

#include "dma.h"
#include "iommu.h"

#define PG	4096ull
#define SZ_2M	(2ull << 20)
/* a whole device buffer (4095 bytes on edu of QEMU < 8: see dma_edu.c) */
#define BUF	(self->e->buf_size)
/* the engine moves single bytes (edu) rather than whole LBAs (NVMe) */
#define BYTES	(self->e->len_align == 1)
#define CMP	(self->e->reads_compare_only)

/* IOVAs: above 4 GiB (so a device or IOMMU truncating to 32 bits would
 * alias into low mappings), one 4 GiB window per variant. */
#define IOVA_BASE(w)	(0x4000000000ull + (uint64_t)(w) * 0x100000000ull)
#define IOVA_STAGE	0x0ull		/* staging: 1 page */
#define IOVA_AREA(k)	(0x100000ull * (k))
/*
 * The engines' own memory (NVMe queues, 524 KiB): the first engine's
 * between the staging page and the areas, below every test mapping (so
 * "the highest mapping" is always a test's), a second engine's far above.
 */
#define IOVA_OWN(i)	((i) ? 0xc0000000ull : 0x10000ull)

FIXTURE(dma) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	size_t ndevs;		/* test devices, one per IOMMU group */
	struct vct_dma_engine *e;
	void *stage;
	uint64_t base;
	uint8_t data[PG];	/* what the tests load into the device buffer */
};

VCT_BACKEND_ENGINE_VARIANTS(dma);

/*
 * Open an engine for `bdf` in `iommu`, its own memory at `own`; SKIP when
 * the device has no driver or its driver needs a permission.
 */
#define ENGINE_OR_SKIP(iommu, bdf, own, ep) do { \
	char __why[512] = ""; \
	int __r = __vct_dma_open_at(iommu, bdf, own, ep, __why, sizeof(__why)); \
	if (__r == -ENODEV || __r == -EPERM) \
		SKIP(return, "%s", __why); \
	ASSERT_EQ(0, __r) TH_LOG("%s", __why); \
} while (0)

/*
 * Keep the devices that have a DMA engine driver, those of `engine`
 * first (each group's first device, in BDF order); returns how many.
 */
static size_t engines_first(struct vct_iommu_dev *devs, size_t n,
			    const char *engine)
{
	struct vct_iommu_dev mine[VCT_IOMMU_MAX_GROUPS], other[VCT_IOMMU_MAX_GROUPS];
	size_t i, nm = 0, no = 0;

	for (i = 0; i < n && i < VCT_IOMMU_MAX_GROUPS; i++) {
		const char *drv = vct_dma_driver_name(devs[i].bdf);

		if (drv && !strcmp(drv, engine))
			mine[nm++] = devs[i];
		else if (drv)
			other[no++] = devs[i];
	}
	memcpy(devs, mine, nm * sizeof(*devs));
	memcpy(devs + nm, other, no * sizeof(*devs));
	return nm ? nm + no : 0;
}

/*
 * Device buffer [0, len) and `data` made equal: the engine loads `data`
 * when it can, else `data` gets what the device holds (one DMA each).
 */
static int engine_fill(struct vct_dma_engine *e, uint8_t *data, uint64_t len)
{
	return e->can_load ? __vct_dma_load(e, 0, data, len)
			   : __vct_dma_fetch(e, 0, data, len);
}

FIXTURE_SETUP(dma)
{
	char why[256] = "";
	int ret;

	vct_mark_test(_metadata, variant);
	VCT_IOMMU_SETUP_OR_SKIP(variant->backend, 1, 0, &self->iommu, self->devs);
	ret = __vct_test_devices(self->devs, VCT_ARRAY_SIZE(self->devs), why,
				 sizeof(why));
	ASSERT_LE(1, ret) TH_LOG("%s", why);
	self->ndevs = vct_devs_distinct_groups(self->devs, (size_t)ret);
	self->ndevs = engines_first(self->devs, self->ndevs, variant->engine);
	if (!self->ndevs)
		SKIP(return, "no %s DMA engine among the test devices (bound to vfio-pci, in VCT_DEVICES=%s)",
		     variant->engine, getenv("VCT_DEVICES") ? getenv("VCT_DEVICES") : "unset: any");
	ASSERT_LE(0, __vct_iommu_attach(self->iommu, self->devs[0].bdf))
		TH_LOG("%s: attaching %s: %s", vct_backend_name(variant->backend),
		       self->devs[0].bdf, vct_iommu_last_error(self->iommu));
	self->base = IOVA_BASE(variant->window);

	ENGINE_OR_SKIP(self->iommu, self->devs[0].bdf, self->base + IOVA_OWN(0), &self->e);
	TH_LOG("engine %s at %s (%04x:%04x)", self->e->drv->name, self->e->bdf,
	       self->e->vendor, self->e->device);
	self->stage = vct_dma_alloc(PG);
	ASSERT_NE(NULL, self->stage);
	ASSERT_EQ(0, __vct_iommu_map(self->iommu, self->base + IOVA_STAGE, PG,
				     self->stage, VCT_PROT_RW))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	vct_dma_set_staging(self->e, self->stage, self->base + IOVA_STAGE, PG);
	vct_pattern_fill(self->data, sizeof(self->data), 0xd47a0000u + variant->backend);
	/* an engine that cannot load: the data is what its buffer holds */
	if (!self->e->can_load)
		ASSERT_EQ(0, __vct_dma_fetch(self->e, 0, self->data, BUF))
			TH_LOG("%s", self->e->err);
}

FIXTURE_TEARDOWN(dma)
{
	vct_dma_close(self->e);
	vct_iommu_close(self->iommu);
	if (self->stage)
		vct_dma_free(self->stage, PG);
}

/* ---- helpers -------------------------------------------------------------- */

/* A buffer and the model of what it must hold. */
struct buf {
	uint8_t *va;
	uint8_t *model;
	uint64_t len;
	const char *name;
};

static int buf_new(struct buf *b, uint64_t len, uint32_t seed, const char *name)
{
	b->va = vct_dma_alloc(len);
	b->model = malloc(len);
	b->len = len;
	b->name = name;
	if (!b->va || !b->model)
		return -ENOMEM;
	vct_pattern_fill(b->va, len, seed);
	memcpy(b->model, b->va, len);
	return 0;
}

static void buf_free(struct buf *b)
{
	if (b->va)
		vct_dma_free(b->va, b->len);
	free(b->model);
	b->va = b->model = NULL;
}

/* -1 when the buffer matches its model, else the first differing offset. */
static long buf_check(const struct buf *b)
{
	return vct_mem_diff(b->va, b->model, b->len);
}

#define ASSERT_BUF(b, what) do { \
	long __d = buf_check(b); \
	ASSERT_EQ(-1, __d) TH_LOG("%s: %s: byte %#lx is %#x, expected %#x", \
				  what, (b)->name, __d, \
				  __d >= 0 ? (b)->va[__d] : 0, \
				  __d >= 0 ? (b)->model[__d] : 0); \
} while (0)

#define MAP(iommu, iova, len, va, prot) \
	ASSERT_EQ(0, __vct_iommu_map(iommu, iova, len, va, prot)) \
		TH_LOG("map %#" PRIx64 "+%#" PRIx64 ": %s", (uint64_t)(iova), \
		       (uint64_t)(len), vct_iommu_last_error(iommu))

#define UNMAP(iommu, iova, len) do { \
	uint64_t __un = 0; \
	ASSERT_EQ(0, __vct_iommu_unmap(iommu, iova, len, &__un)); \
	ASSERT_EQ((uint64_t)(len), __un); \
} while (0)

#define DMA_OK(expr) ASSERT_EQ(0, (expr)) TH_LOG("%s", self->e->err)
/* A transfer the IOMMU must block: done, with or without an error status. */
#define DMA_DONE(expr) do { \
	int __d = (expr); \
	ASSERT_TRUE(__d == 0 || __d == -EIO) \
		TH_LOG("%s: %s", vct_errno_name(-__d), self->e->err); \
} while (0)
/* Fill the device buffer: load self->data, or fetch the device's own. */
#define FILL() DMA_OK(engine_fill(self->e, self->data, BUF))

/*
 * A compare the test expects to answer `want` (dma.h read_check); SKIP
 * when the engine cannot compare.
 */
#define READ_CHECK(want, iova, off, len, what) do { \
	int __c = __vct_dma_read_check(self->e, iova, off, len); \
	if (__c == -EOPNOTSUPP) \
		SKIP(return, "%s", self->e->err); \
	ASSERT_EQ(want, __c) TH_LOG("%s: compare of %#" PRIx64 "+%#" PRIx64 \
				    " answered %d (status %#x): %s", what, \
				    (uint64_t)(iova), (uint64_t)(len), __c, \
				    self->e->status, self->e->err); \
} while (0)

/*
 * What a compare-only engine answers for a read the IOMMU blocked, given
 * `seen`, the answer of a read that went through (vct_dma_seen_content()):
 * QEMU's emulated NVMe compares the zeros a blocked access leaves
 * (harness/dma_nvme.c), i.e. answers the opposite of `seen`; a real
 * controller reports the failed transfer (-EIO).
 */
static int blocked_answer(const struct vct_dma_engine *e, int seen)
{
	if (e->vendor == 0x1b36 && e->device == 0x0010)
		return !seen;
	return -EIO;
}

/* b := memory whose compare answer proves a read (returned), as model too. */
static int seen_fill(struct __test_metadata *_metadata, struct vct_dma_engine *e,
		     uint8_t *va, uint8_t *model, uint64_t len, uint32_t seed)
{
	uint8_t ref[PG];
	int seen;

	if (len > PG || __vct_dma_fetch(e, 0, ref, len)) {
		TH_LOG("fetch of the device buffer's %#" PRIx64 " bytes: %s", len, e->err);
		return -1;
	}
	seen = vct_dma_seen_content(ref, va, (size_t)len, seed);
	if (model)
		memcpy(model, va, len);
	return seen;
}

/* Is the IOMMU translating `bdf` an Intel VT-d unit (dmar*)? */

/* "QEMU" when the machine is QEMU's (DMI system vendor), else "". */
static void emulator_name(char *buf, size_t len)
{
	if (__vct_read_text("/sys/class/dmi/id/sys_vendor", buf, len) < 0 ||
	    strncmp(buf, "QEMU", 4))
		buf[0] = '\0';
}

/*
 * The fault report of a blocked access (ret: __vct_iommu_fault_logged,
 * >= 1 reported).  QEMU's emulated AMD-Vi (amd-iommu, seen with QEMU 7.2)
 * blocks the access but logs no I/O page fault event at all in the guest
 * (no "AMD-Vi: Event logged" line for any fault): ret 0 there is the
 * emulator's missing fault reporting, which the caller reports as XFAIL
 * (never as a pass) once its other checks are done; false is returned for
 * it.  Anything else below 1 fails the test.
 */
static bool fault_reported(struct __test_metadata *_metadata, const char *bdf,
			   uint64_t iova, int ret, const char *what)
{
	char emu[64];

	if (ret == 0) {
		emulator_name(emu, sizeof(emu));
		if (emu[0] && vct_pci_iommu_hw(bdf) == VCT_IOMMU_HW_AMDVI)
			return false;
	}
	EXPECT_LE(1, ret) TH_LOG("IOMMU fault for %#" PRIx64 ": %s", iova, what);
	return true;
}

/* The XFAIL for fault_reported() == false, unless the test failed anyway. */
#define XFAIL_IF_UNREPORTED(reported) do { \
	if (!(reported) && _metadata->exit_code == KSFT_PASS) \
		VCT_XFAIL(return, "QEMU's emulated AMD-Vi (amd-iommu) logged no I/O page " \
			  "fault event for the blocked access (the access itself was " \
			  "refused): the emulator does not report translation faults " \
			  "to the guest"); \
} while (0)

/* ---- writes and reads land exactly --------------------------------------- */

/* A transfer: device buffer offset, offset in the mapping, length. */
struct xfer { uint64_t off, at, len; };

/*
 * Device writes of many sizes and alignments (1 byte to 4 KiB, odd offsets,
 * crossing a page boundary, ending on the mapping's last byte; in whole
 * LBAs at dword offsets for NVMe) change exactly the bytes they target, in
 * a mapping with unmapped guard pages on either side.
 */
TEST_F(dma, write_lands_exactly)
{
	static const struct xfer wb[] = {
		{ 0x000, 0x0000, 0x0fff },	/* a page but its last byte, */
		{ 0xffe, 0x0fff, 1 },		/* and that byte: the whole page */
		{ 0x010, 0x1800, 0x0fef },	/* crossing page 1 -> 2 */
		{ 0x123, 0x2005, 3 },		/* odd offset, odd size */
		{ 0xffe, 0x2fff, 1 },		/* last byte of the mapping */
		{ 0x000, 0x1004, 0x0fff },	/* 4 KiB - 1, unaligned, crossing */
	}, wl[] = {
		{ 0x000, 0x1004, 0x1000 },	/* 4 KiB at a dword, crossing 1 -> 2 */
		{ 0x200, 0x1804, 0x0600 },	/* crossing again, from buffer +0x200 */
		{ 0xe00, 0x2e00, 0x0200 },	/* the mapping's last 512 bytes */
		{ 0x000, 0x0000, 0x1000 },	/* page 0 whole */
	};
	const struct xfer *w = BYTES ? wb : wl;
	size_t i, n = BYTES ? VCT_ARRAY_SIZE(wb) : VCT_ARRAY_SIZE(wl), done = 0;
	uint64_t iova = self->base + IOVA_AREA(1);
	struct buf b;

	/* pages 0 and 4 are never mapped: guards */
	ASSERT_EQ(0, buf_new(&b, 5 * PG, 1, "5 pages, 1-3 mapped"));
	MAP(self->iommu, iova, 3 * PG, b.va + PG, VCT_PROT_RW);
	FILL();
	for (i = 0; i < n; i++) {
		char what[96];

		if (!vct_dma_fits(self->e, iova + w[i].at, w[i].off, w[i].len)) {
			TH_LOG("write %zu (%#" PRIx64 " bytes at +%#" PRIx64 ") does not fit %s's %" PRIu64
			       "-byte granularity: left out", i, w[i].len, w[i].at,
			       self->e->drv->name, self->e->len_align);
			continue;
		}
		DMA_OK(__vct_dma_write(self->e, iova + w[i].at, w[i].off, w[i].len));
		memcpy(b.model + PG + w[i].at, self->data + w[i].off, w[i].len);
		snprintf(what, sizeof(what), "write %zu: %#" PRIx64 " bytes at +%#" PRIx64,
			 i, w[i].len, w[i].at);
		ASSERT_BUF(&b, what);
		done++;
	}
	ASSERT_LE(1, done) TH_LOG("no write fits the engine");
	buf_free(&b);
}

/*
 * Device reads fetch the page the IOVA names: three mapped pages with
 * distinct contents, read whole, across the boundary and in a small piece
 * into the middle of the device buffer.  A compare-only engine (NVMe) is
 * given the middle page holding its buffer's bytes and the outer pages
 * differing in every byte: its compares must answer equal for the middle
 * page and its pieces, differs for the others (a differing answer can
 * only come from a read that went through).
 */
TEST_F(dma, read_fetches_right_page)
{
	static const struct { uint64_t at, off, len; } rb[] = {
		{ 0x1000, 0x000, 0x0fff },	/* page 1 (but its last byte) */
		{ 0x1800, 0x000, 0x0fff },	/* second half of 1, first of 2 */
		{ 0x2abc, 0x300, 0x0100 },	/* a piece of page 2, to buffer +0x300 */
	}, rl[] = {
		{ 0x1000, 0x000, 0x1000 },	/* page 1 */
		{ 0x1804, 0x000, 0x1000 },	/* crossing 1 -> 2 at a dword */
		{ 0x2a00, 0x200, 0x0200 },	/* a piece of page 2, to buffer +0x200 */
	};
	uint64_t iova = self->base + IOVA_AREA(2);
	uint8_t got[PG];
	struct buf b;
	size_t i;

	ASSERT_EQ(0, buf_new(&b, 3 * PG, 2, "3 pages"));
	MAP(self->iommu, iova, 3 * PG, b.va, VCT_PROT_RW);
	if (CMP) {
		uint64_t l = self->e->len_align;

		ASSERT_EQ(0, __vct_dma_fetch(self->e, 0, b.va + PG, BUF)) TH_LOG("%s", self->e->err);
		for (i = 0; i < BUF; i++) {
			b.va[i] = b.va[PG + i] ^ 0xa5;
			b.va[2 * PG + i] = b.va[PG + i] ^ 0x3c;
		}
		memcpy(b.model, b.va, 3 * PG);
		READ_CHECK(0, iova + PG, 0, BUF, "page 1 holds the device's bytes");
		READ_CHECK(1, iova, 0, BUF, "page 0 differs in every byte");
		READ_CHECK(1, iova + 2 * PG, 0, BUF, "page 2 differs in every byte");
		if (l < BUF)
			READ_CHECK(0, iova + PG + l, l, l, "a piece of page 1");
		ASSERT_BUF(&b, "compares must not change memory");
		buf_free(&b);
		return;
	}
	for (i = 0; i < 3; i++) {
		uint64_t at = BYTES ? rb[i].at : rl[i].at;
		uint64_t off = BYTES ? rb[i].off : rl[i].off;
		uint64_t len = BYTES ? rb[i].len : rl[i].len;
		long d;

		if (!vct_dma_fits(self->e, iova + at, off, len))
			continue;
		DMA_OK(__vct_dma_read(self->e, iova + at, off, len));
		DMA_OK(__vct_dma_fetch(self->e, off, got, len));
		d = vct_mem_diff(got, b.va + at, len);
		ASSERT_EQ(-1, d) TH_LOG("read %zu (+%#" PRIx64 ", %#" PRIx64
					" bytes): byte %#lx differs", i, at, len, d);
		ASSERT_BUF(&b, "reads must not change memory");
	}
	buf_free(&b);
}

/* ---- what is not mapped is not reachable --------------------------------- */

/*
 * A device write to a never-mapped IOVA lands nowhere: in a hole between
 * two mappings, and 4 GiB above a mapping (where an address truncated to
 * 32 bits would alias).  Every buffer the process owns keeps its content,
 * and the IOMMU reports the fault.
 */
TEST_F(dma, unmapped_write_lands_nowhere)
{
	uint64_t iova = self->base + IOVA_AREA(3);
	uint64_t hole = iova + PG, alias = iova + 0x100000000ull;
	char mark[96], what[512];
	struct buf b, stage = { .name = "staging buffer" };
	bool reported;
	int ret;

	ASSERT_EQ(0, buf_new(&b, 3 * PG, 3, "3 pages, hole in the middle"));
	MAP(self->iommu, iova, PG, b.va, VCT_PROT_RW);
	MAP(self->iommu, iova + 2 * PG, PG, b.va + 2 * PG, VCT_PROT_RW);
	FILL();
	/* the staging buffer holds data now and must keep it */
	stage.va = self->stage;
	stage.len = PG;
	stage.model = malloc(PG);
	ASSERT_NE(NULL, stage.model);
	memcpy(stage.model, self->stage, PG);

	ASSERT_EQ(0, __vct_kmsg_mark(mark, sizeof(mark)));
	DMA_DONE(__vct_dma_write(self->e, hole, 0, BUF));
	ASSERT_BUF(&b, "write to the hole");
	ASSERT_BUF(&stage, "write to the hole");
	ret = __vct_iommu_fault_logged(self->e->bdf, hole, mark, 500, what, sizeof(what));
	reported = fault_reported(_metadata, self->e->bdf, hole, ret, what);
	if (ret > 1)
		TH_LOG("no fault record for %#" PRIx64 " (lossy by design): %s", hole, what);

	DMA_DONE(__vct_dma_write(self->e, alias, 0, BUF));
	ASSERT_BUF(&b, "write 4 GiB above a mapping");
	ASSERT_BUF(&stage, "write 4 GiB above a mapping");
	free(stage.model);
	buf_free(&b);
	XFAIL_IF_UNREPORTED(reported);
}

/*
 * A device read of a never-mapped IOVA fetches nothing of the process's
 * memory: the device buffer does not end up holding the neighbouring
 * page, and the IOMMU reports the fault.  A compare-only engine's compare
 * of the hole must not give the answer a read of the neighbour's bytes
 * gives (checked first, through the mapping), and gives exactly what the
 * engine answers for a blocked read (QEMU's NVMe: it compares zeros; a
 * real controller: an error status).
 */
TEST_F(dma, unmapped_read_fetches_nothing)
{
	uint64_t iova = self->base + IOVA_AREA(4), hole = iova + PG;
	char mark[96], what[512];
	uint8_t got[PG];
	struct buf b;
	bool reported;
	int ret, seen = 0;

	ASSERT_EQ(0, buf_new(&b, 2 * PG, 4, "2 pages"));
	MAP(self->iommu, iova, PG, b.va, VCT_PROT_RW);
	if (CMP) {
		seen = seen_fill(_metadata, self->e, b.va, b.model, BUF, 4);
		ASSERT_LE(0, seen);
	}
	/* the page behind the hole holds the neighbour's content too */
	memcpy(b.va + PG, b.va, PG);
	memcpy(b.model + PG, b.va, PG);
	if (CMP) {
		READ_CHECK(seen, iova, 0, BUF, "the mapped neighbour (control)");
		ASSERT_EQ(0, __vct_kmsg_mark(mark, sizeof(mark)));
		ret = __vct_dma_read_check(self->e, hole, 0, BUF);
		ASSERT_NE(seen, ret)
			TH_LOG("the device read the mapped neighbour's content through a hole");
		EXPECT_EQ(blocked_answer(self->e, seen), ret)
			TH_LOG("compare of the hole answered %d (status %#x): %s", ret,
			       self->e->status, self->e->err);
	} else {
		FILL();
		ASSERT_EQ(0, __vct_kmsg_mark(mark, sizeof(mark)));
		DMA_DONE(__vct_dma_read(self->e, hole, 0, BUF));
		DMA_OK(__vct_dma_fetch(self->e, 0, got, BUF));
		ASSERT_NE(-1, vct_mem_diff(got, b.va, BUF))
			TH_LOG("the device read the mapped neighbour's content through a hole");
	}
	ASSERT_BUF(&b, "read of the hole");
	ret = __vct_iommu_fault_logged(self->e->bdf, hole, mark, 500, what, sizeof(what));
	reported = fault_reported(_metadata, self->e->bdf, hole, ret, what);
	buf_free(&b);
	XFAIL_IF_UNREPORTED(reported);
}

/*
 * After UNMAP the old page is out of the device's reach: a write that
 * landed before the unmap (control) does not land after it, and a read
 * after it does not return the page (a compare-only engine: its compare
 * answers what it answered through the mapping before, control, no more).
 */
TEST_F(dma, after_unmap_dma_misses_old_page)
{
	uint64_t iova = self->base + IOVA_AREA(5);
	uint8_t other[0x800], got[0x800];
	struct buf b;
	int seen = 0;

	if (!vct_dma_fits(self->e, iova, 0x800, BUF - 0x800))
		SKIP(return, "%s %s: a half-buffer transfer does not fit its %" PRIu64
		     "-byte granularity", self->e->drv->name, self->e->bdf, self->e->len_align);
	ASSERT_EQ(0, buf_new(&b, PG, 5, "the unmapped page"));
	MAP(self->iommu, iova, PG, b.va, VCT_PROT_RW);
	FILL();
	DMA_OK(__vct_dma_write(self->e, iova, 0, 0x800));
	memcpy(b.model, self->data, 0x800);
	ASSERT_BUF(&b, "write while mapped (control)");
	if (CMP) {
		seen = seen_fill(_metadata, self->e, b.va, b.model, 0x800, 5);
		ASSERT_LE(0, seen);
		READ_CHECK(seen, iova, 0, 0x800, "read while mapped (control)");
	}

	UNMAP(self->iommu, iova, PG);
	DMA_DONE(__vct_dma_write(self->e, iova, 0x800, BUF - 0x800));
	ASSERT_BUF(&b, "write after unmap");

	if (CMP) {
		int ret = __vct_dma_read_check(self->e, iova, 0, 0x800);

		ASSERT_NE(seen, ret)
			TH_LOG("a device read after unmap saw the old page (answer %d, status %#x)",
			       ret, self->e->status);
		buf_free(&b);
		return;
	}
	/* the device buffer's first half must not keep the page's bytes by chance */
	vct_pattern_fill(other, sizeof(other), 0x0e5e);
	DMA_OK(__vct_dma_load(self->e, 0, other, sizeof(other)));
	DMA_DONE(__vct_dma_read(self->e, iova, 0, 0x800));
	DMA_OK(__vct_dma_fetch(self->e, 0, got, sizeof(got)));
	ASSERT_NE(-1, vct_mem_diff(got, b.va, sizeof(got)))
		TH_LOG("a device read after unmap returned the old page");
	buf_free(&b);
}

/*
 * IOTLB freshness: page A mapped at an IOVA, DMA, unmap, page B mapped at
 * the same IOVA, DMA: the second write lands in B and never in A.  Many
 * rounds, each with its own bytes and at its own offset, so a stale
 * translation from any earlier round shows.
 */
#define IOTLB_ROUNDS 20
TEST_F(dma, remap_same_iova_reaches_new_page)
{
	uint64_t iova = self->base + IOVA_AREA(6);
	/* slot: 64 bytes, or one LBA; the buffer's last partial slot unused */
	uint64_t sl = self->e->len_align > 64 ? self->e->len_align : 64;
	uint64_t nslots = BUF / sl;
	struct buf a, b;
	int k;

	ASSERT_EQ(0, buf_new(&a, PG, 6, "page A"));
	ASSERT_EQ(0, buf_new(&b, PG, 7, "page B"));
	FILL();
	for (k = 0; k < IOTLB_ROUNDS; k++) {
		uint64_t at = (uint64_t)k * 0xc0 % (PG - sl) / self->e->iova_align *
			      self->e->iova_align;
		uint64_t sa = (uint64_t)(2 * k) % nslots * sl, sb = (uint64_t)(2 * k + 1) % nslots * sl;
		char what[64];

		MAP(self->iommu, iova, PG, a.va, VCT_PROT_RW);
		DMA_OK(__vct_dma_write(self->e, iova + at, sa, sl));
		memcpy(a.model + at, self->data + sa, sl);
		snprintf(what, sizeof(what), "round %d, A mapped", k);
		ASSERT_BUF(&a, what);
		ASSERT_BUF(&b, what);
		UNMAP(self->iommu, iova, PG);

		MAP(self->iommu, iova, PG, b.va, VCT_PROT_RW);
		DMA_OK(__vct_dma_write(self->e, iova + at, sb, sl));
		memcpy(b.model + at, self->data + sb, sl);
		snprintf(what, sizeof(what), "round %d, B mapped", k);
		ASSERT_BUF(&a, what);
		ASSERT_BUF(&b, what);
		UNMAP(self->iommu, iova, PG);
	}
	buf_free(&a);
	buf_free(&b);
}

/* ---- access rights -------------------------------------------------------- */

/*
 * A READ-only mapping (device may read): device writes do not land (and
 * the IOMMU reports the fault); device reads return the page (control).
 */
TEST_F(dma, readonly_mapping_refuses_device_write)
{
	uint64_t iova = self->base + IOVA_AREA(7);
	char mark[96], what[512];
	uint8_t got[PG];
	struct buf b;
	bool reported;
	int ret;

	ASSERT_EQ(0, buf_new(&b, PG, 8, "read-only mapped page"));
	MAP(self->iommu, iova, PG, b.va, VCT_PROT_READ);
	FILL();
	ASSERT_EQ(0, __vct_kmsg_mark(mark, sizeof(mark)));
	DMA_DONE(__vct_dma_write(self->e, iova, 0, BUF));
	ASSERT_BUF(&b, "device write to a READ-only mapping");
	ret = __vct_iommu_fault_logged(self->e->bdf, iova, mark, 500, what, sizeof(what));
	reported = fault_reported(_metadata, self->e->bdf, iova, ret, what);

	if (CMP) {
		int seen = seen_fill(_metadata, self->e, b.va, b.model, BUF, 8);

		ASSERT_LE(0, seen);
		READ_CHECK(seen, iova, 0, BUF, "device read of a READ-only mapping");
	} else {
		DMA_OK(__vct_dma_read(self->e, iova, 0, BUF));
		DMA_OK(__vct_dma_fetch(self->e, 0, got, BUF));
		ASSERT_EQ(-1, vct_mem_diff(got, b.va, BUF))
			TH_LOG("device read of a READ-only mapping did not return the page");
	}
	buf_free(&b);
	XFAIL_IF_UNREPORTED(reported);
}

/*
 * A WRITE-only mapping: device writes land (control); device reads must
 * not return the page where the IOMMU's page tables can express
 * write-only (VT-d second-level tables can; ARM LPAE formats cannot and
 * the kernel maps such a request read-write).  QEMU's emulated VT-d has
 * been seen to let a device read a write-only mapping: that is reported
 * as XFAIL naming the emulator, never as a pass.
 */
TEST_F(dma, writeonly_mapping_refuses_device_read)
{
	uint64_t iova = self->base + IOVA_AREA(8);
	char emu[64];
	uint8_t got[PG], other[PG];
	struct buf b;
	bool leaked;
	enum vct_iommu_hw hw;

	hw = vct_pci_iommu_hw(self->e->bdf);
	if (hw == VCT_IOMMU_HW_SMMUV3 || hw == VCT_IOMMU_HW_SMMU)
		SKIP(return, "%s: ARM's stage-1 LPAE page-table format cannot express "
		     "write-only (io-pgtable-arm's arm_lpae_prot_to_pte maps a "
		     "WRITE-only request read-write)", vct_iommu_hw_name(hw));
	if (hw != VCT_IOMMU_HW_VTD)
		SKIP(return, "%s: only VT-d is known here to express write-only in its "
		     "page tables", vct_iommu_hw_name(hw));
	ASSERT_EQ(0, buf_new(&b, PG, 9, "write-only mapped page"));
	MAP(self->iommu, iova, PG, b.va, VCT_PROT_WRITE);
	if (CMP) {
		int seen = seen_fill(_metadata, self->e, b.va, b.model, BUF, 9);

		ASSERT_LE(0, seen);
		leaked = __vct_dma_read_check(self->e, iova, 0, BUF) == seen;
		ASSERT_BUF(&b, "device read of a WRITE-only mapping");
		/* patterned again, so that the control write shows */
		vct_pattern_fill(b.va, PG, 90);
		memcpy(b.model, b.va, PG);
	} else {
		vct_pattern_fill(other, sizeof(other), 0x07e4);
		DMA_OK(__vct_dma_load(self->e, 0, other, BUF));
		DMA_DONE(__vct_dma_read(self->e, iova, 0, BUF));
		DMA_OK(__vct_dma_fetch(self->e, 0, got, BUF));
		leaked = vct_mem_diff(got, b.va, BUF) == -1;
		ASSERT_BUF(&b, "device read of a WRITE-only mapping");
	}

	/* control: the mapping is usable for what it allows */
	FILL();
	DMA_OK(__vct_dma_write(self->e, iova, 0, BUF));
	memcpy(b.model, self->data, BUF);
	ASSERT_BUF(&b, "device write to a WRITE-only mapping");
	buf_free(&b);

	emulator_name(emu, sizeof(emu));
	if (leaked && emu[0])
		VCT_XFAIL(return, "%s's emulated VT-d (intel-iommu) returned a WRITE-only "
			  "mapping's content to a device read: the emulator does not "
			  "enforce the missing read permission", emu);
	ASSERT_FALSE(leaked)
		TH_LOG("device read of a WRITE-only mapping returned the page's content");
}

/* ---- containers and groups ------------------------------------------------ */

/*
 * Two containers, two devices: a mapping that exists only in container 2
 * is out of reach of device 1 (in container 1), while device 2 reaches it
 * (control).  Both containers map their staging page at the same IOVA,
 * which must reach each container's own page.  Device 2 is another device
 * with a DMA engine, of this variant's engine if there are two.
 */
TEST_F(dma, other_container_mapping_unreachable)
{
	uint64_t iova = self->base + IOVA_AREA(9);
	struct vct_iommu *c2 = NULL;
	struct vct_dma_engine *e2 = NULL;
	struct buf x, st1 = { .name = "staging of container 1" };
	uint8_t data2[PG];
	void *stage2;
	char why[256] = "";

	if (self->ndevs < 2)
		SKIP(return, "needs 2 devices with a DMA engine in distinct IOMMU groups, have %zu",
		     self->ndevs);
	ASSERT_EQ(0, __vct_iommu_open(variant->backend, &c2, why, sizeof(why)))
		TH_LOG("%s", why);
	ASSERT_LE(0, __vct_iommu_attach(c2, self->devs[1].bdf))
		TH_LOG("%s", vct_iommu_last_error(c2));
	ASSERT_EQ(0, __vct_dma_open_at(c2, self->devs[1].bdf, self->base + IOVA_OWN(1),
				       &e2, why, sizeof(why)))
		TH_LOG("%s", why);
	TH_LOG("device 2: engine %s at %s", e2->drv->name, e2->bdf);
	stage2 = vct_dma_alloc(PG);
	ASSERT_NE(NULL, stage2);
	MAP(c2, self->base + IOVA_STAGE, PG, stage2, VCT_PROT_RW);
	vct_dma_set_staging(e2, stage2, self->base + IOVA_STAGE, PG);
	ASSERT_EQ(0, buf_new(&x, PG, 10, "page mapped in container 2 only"));
	MAP(c2, iova, PG, x.va, VCT_PROT_RW);

	vct_pattern_fill(data2, sizeof(data2), 0xc2);
	FILL();
	ASSERT_EQ(0, engine_fill(e2, data2, e2->buf_size)) TH_LOG("%s", e2->err);
	st1.va = self->stage;
	st1.len = PG;
	st1.model = malloc(PG);
	ASSERT_NE(NULL, st1.model);
	memcpy(st1.model, self->stage, PG);

	DMA_DONE(__vct_dma_write(self->e, iova, 0, BUF));
	ASSERT_BUF(&x, "device 1 writing container 2's IOVA");
	ASSERT_BUF(&st1, "device 1 writing container 2's IOVA");

	ASSERT_EQ(0, __vct_dma_write(e2, iova, 0, e2->buf_size)) TH_LOG("%s", e2->err);
	memcpy(x.model, data2, e2->buf_size);
	ASSERT_BUF(&x, "device 2 writing its own container's IOVA (control)");
	ASSERT_BUF(&st1, "device 2 writing its own container's IOVA");

	vct_dma_close(e2);
	vct_iommu_close(c2);
	vct_dma_free(stage2, PG);
	free(st1.model);
	buf_free(&x);
}

/*
 * A container holding two groups serves both devices from the same
 * mappings: both devices write into one page at once, each its half.
 */
TEST_F(dma, two_groups_share_mappings)
{
	uint64_t iova = self->base + IOVA_AREA(10);
	struct vct_dma_engine *e2 = NULL;
	uint8_t data2[PG];
	struct buf m;
	char why[256] = "";

	if (self->ndevs < 2)
		SKIP(return, "needs 2 devices with a DMA engine in distinct IOMMU groups, have %zu",
		     self->ndevs);
	ASSERT_LE(0, __vct_iommu_attach(self->iommu, self->devs[1].bdf))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	ASSERT_EQ(0, __vct_dma_open_at(self->iommu, self->devs[1].bdf,
				       self->base + IOVA_OWN(1), &e2, why, sizeof(why)))
		TH_LOG("%s", why);
	TH_LOG("device 2: engine %s at %s", e2->drv->name, e2->bdf);
	vct_dma_set_staging(e2, self->stage, self->base + IOVA_STAGE, PG);
	ASSERT_TRUE(vct_dma_fits(self->e, iova, 0, 0x800) &&
		    vct_dma_fits(e2, iova + 0x800, 0x800, e2->buf_size - 0x800))
		TH_LOG("half-page transfers do not fit the engines' granularity");
	ASSERT_EQ(0, buf_new(&m, PG, 11, "shared page"));
	MAP(self->iommu, iova, PG, m.va, VCT_PROT_RW);

	vct_pattern_fill(data2, sizeof(data2), 0x5a);
	FILL();
	ASSERT_EQ(0, engine_fill(e2, data2, e2->buf_size)) TH_LOG("%s", e2->err);
	DMA_OK(__vct_dma_start_write(self->e, iova, 0, 0x800));
	ASSERT_EQ(0, __vct_dma_start_write(e2, iova + 0x800, 0x800, e2->buf_size - 0x800))
		TH_LOG("%s", e2->err);
	DMA_OK(__vct_dma_wait(self->e));
	ASSERT_EQ(0, __vct_dma_wait(e2)) TH_LOG("%s", e2->err);
	memcpy(m.model, self->data, 0x800);
	memcpy(m.model + 0x800, data2 + 0x800, e2->buf_size - 0x800);
	ASSERT_BUF(&m, "both devices writing one mapping");
	vct_dma_close(e2);
	buf_free(&m);
}

/*
 * After VFIO_DMA_UNMAP_FLAG_ALL no device DMA lands: not in any of the
 * mappings (scattered IOVAs, the staging page among them), though a write
 * landed before (control).  UNMAP_ALL also removes the engine's own
 * memory (NVMe: its queues), which is then mapped again, alone, so that
 * the device can be asked for DMA at all.
 */
TEST_F(dma, unmap_all_stops_all_dma)
{
	uint64_t iova = self->base + IOVA_AREA(11);
	uint64_t at[3] = { iova, iova + 2 * PG, iova + 0x10000000ull };
	uint64_t w = self->e->len_align > 0x100 ? self->e->len_align : 0x100;
	uint64_t un = 0;
	struct buf b, st = { .name = "staging page" };
	size_t i;
	int ret;

	ASSERT_EQ(0, buf_new(&b, 3 * PG, 12, "3 mapped pages"));
	for (i = 0; i < 3; i++) {
		uint64_t cur = at[i];

		MAP(self->iommu, cur, PG, b.va + i * PG, VCT_PROT_RW);
	}
	FILL();
	DMA_OK(__vct_dma_write(self->e, at[0], 0, w));
	memcpy(b.model, self->data, w);
	ASSERT_BUF(&b, "write before UNMAP_ALL (control)");

	ret = __vct_iommu_unmap_all(self->iommu, &un);
	if (ret == -EOPNOTSUPP) {
		buf_free(&b);
		SKIP(return, "no VFIO_DMA_UNMAP_FLAG_ALL: %s",
		     vct_iommu_last_error(self->iommu));
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(4 * PG + self->e->own_len, un);
	DMA_OK(__vct_dma_map_own(self->e));

	st.va = self->stage;
	st.len = PG;
	st.model = malloc(PG);
	ASSERT_NE(NULL, st.model);
	memcpy(st.model, self->stage, PG);
	for (i = 0; i < 3; i++) {
		DMA_DONE(__vct_dma_write(self->e, at[i] + w, w, w));
		ASSERT_BUF(&b, "write after UNMAP_ALL");
	}
	DMA_DONE(__vct_dma_write(self->e, self->base + IOVA_STAGE, 0, BUF));
	ASSERT_BUF(&st, "write to the staging IOVA after UNMAP_ALL");
	free(st.model);
	buf_free(&b);
}

/* ---- huge pages ------------------------------------------------------------ */

/*
 * One 2 MiB huge page, mapped whole at a 2 MiB-aligned IOVA and, in part,
 * at an IOVA that is not 2 MiB aligned with a vaddr offset inside the huge
 * page: device writes land at the right offsets and a device read fetches
 * the right bytes (compare-only engines: compares answer equal for the
 * bytes that hold the device's and differs next to them).
 */
static void huge_dma(struct __test_metadata *_metadata, FIXTURE_DATA(dma) *self,
		     uint8_t *va, uint64_t iova)
{
	static const struct { int map; uint64_t at, off, len; } wb[] = {
		{ 0, 0x000000, 0x000, 0x0fff },		/* first 4 KiB */
		{ 0, 0x1ff001, 0x000, 0x0fff },		/* last 4 KiB */
		{ 0, 0x123800, 0x100, 0x0eff },		/* crossing a 4 KiB boundary */
		{ 1, 0x001800, 0x000, 0x0fff },		/* the offset mapping */
	}, wl[] = {
		{ 0, 0x000000, 0x000, 0x1000 },
		{ 0, 0x1ff000, 0x000, 0x1000 },
		{ 0, 0x123804, 0x200, 0x0e00 },
		{ 1, 0x001800, 0x000, 0x1000 },
	};
	const uint64_t sub_off = 0x3000, sub_len = 0x10000;
	uint64_t sub_iova = iova + SZ_2M + 0x5000;	/* not 2 MiB aligned */
	uint8_t *model, got[0x800];
	size_t i;
	long d;

	model = malloc(SZ_2M);
	ASSERT_NE(NULL, model);
	vct_pattern_fill(va, SZ_2M, 13);
	memcpy(model, va, SZ_2M);
	MAP(self->iommu, iova, SZ_2M, va, VCT_PROT_RW);
	MAP(self->iommu, sub_iova, sub_len, va + sub_off, VCT_PROT_RW);
	FILL();
	for (i = 0; i < VCT_ARRAY_SIZE(wb); i++) {
		int map = BYTES ? wb[i].map : wl[i].map;
		uint64_t at = BYTES ? wb[i].at : wl[i].at;
		uint64_t off = BYTES ? wb[i].off : wl[i].off;
		uint64_t len = BYTES ? wb[i].len : wl[i].len;
		uint64_t dst = map ? sub_iova + at : iova + at;
		uint64_t moff = map ? sub_off + at : at;

		if (!vct_dma_fits(self->e, dst, off, len))
			continue;
		DMA_OK(__vct_dma_write(self->e, dst, off, len));
		memcpy(model + moff, self->data + off, len);
		d = vct_mem_diff(va, model, SZ_2M);
		ASSERT_EQ(-1, d) TH_LOG("write %zu: huge page byte %#lx wrong", i, d);
	}
	if (CMP) {
		/* the device's bytes at sub_off + 0x8000, different ones at + 0x9000 */
		ASSERT_EQ(0, __vct_dma_fetch(self->e, 0, va + sub_off + 0x8000, 0x800))
			TH_LOG("%s", self->e->err);
		for (i = 0; i < 0x800; i++)
			va[sub_off + 0x9000 + i] = va[sub_off + 0x8000 + i] ^ 0x77;
		READ_CHECK(0, sub_iova + 0x8000, 0, 0x800, "read through the offset mapping");
		READ_CHECK(1, sub_iova + 0x9000, 0, 0x800, "read of differing bytes next to it");
		free(model);
		return;
	}
	/* read through the offset mapping: bytes at sub_off + 0x8000 */
	DMA_OK(__vct_dma_read(self->e, sub_iova + 0x8000, 0, sizeof(got)));
	DMA_OK(__vct_dma_fetch(self->e, 0, got, sizeof(got)));
	d = vct_mem_diff(got, va + sub_off + 0x8000, sizeof(got));
	ASSERT_EQ(-1, d) TH_LOG("read through the offset mapping: byte %#lx wrong", d);
	free(model);
}

static uint64_t meminfo_kb(const char *key)
{
	char line[256];
	uint64_t v = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtoull(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

TEST_F(dma, hugetlb_2m_offsets)
{
	uint8_t *va;

	if (meminfo_kb("Hugepagesize") != 2048)
		SKIP(return, "default huge page size is %" PRIu64 " kB, not 2048",
		     meminfo_kb("Hugepagesize"));
	if (meminfo_kb("HugePages_Free") < 1)
		SKIP(return, "no free 2 MiB hugetlb pages (boot with hugepages=N)");
	va = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	ASSERT_NE(MAP_FAILED, va) TH_LOG("mmap MAP_HUGETLB: %s", strerror(errno));
	huge_dma(_metadata, self, va, self->base + IOVA_AREA(64));
	munmap(va, SZ_2M);
}

/* AnonHugePages (kB) of the mapping containing p, from /proc/self/smaps. */
static uint64_t smaps_thp_kb(const void *p)
{
	char line[512];
	bool in = false;
	uint64_t v = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && !strncmp(line, "AnonHugePages:", 14))
			v = strtoull(line + 14, NULL, 10);
	}
	fclose(f);
	return v;
}

TEST_F(dma, thp_2m_offsets)
{
	char mode[128] = "";
	uint8_t *raw, *va;

	if (__vct_read_text("/sys/kernel/mm/transparent_hugepage/enabled", mode,
			    sizeof(mode)) < 0 || strstr(mode, "[never]"))
		SKIP(return, "transparent huge pages unavailable (%s)", mode);
	raw = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	va = (uint8_t *)(((uintptr_t)raw + SZ_2M - 1) & ~(uintptr_t)(SZ_2M - 1));
	ASSERT_EQ(0, madvise(va, SZ_2M, MADV_HUGEPAGE));
	memset(va, 1, SZ_2M);
	if (smaps_thp_kb(va) < 2048)
		SKIP(munmap(raw, 2 * SZ_2M); return,
		     "the kernel did not back the range with a THP (AnonHugePages %" PRIu64 " kB)",
		     smaps_thp_kb(va));
	huge_dma(_metadata, self, va, self->base + IOVA_AREA(80));
	ASSERT_LE(2048, smaps_thp_kb(va)) TH_LOG("the THP was split while mapped");
	munmap(raw, 2 * SZ_2M);
}

/* ---- the engine's interrupt ---------------------------------------------- */

/* The engine's raise_irq reaches this process (MSI through an eventfd). */
TEST_F(dma, device_interrupt_delivered)
{
	int i, ret;

	for (i = 0; i < 3; i++) {
		ret = __vct_dma_raise_irq(self->e);
		if (ret == -EOPNOTSUPP)
			SKIP(return, "%s: no software-raisable interrupt", self->e->drv->name);
		ASSERT_EQ(0, ret) TH_LOG("raise %d: %s", i, self->e->err);
	}
}

VCT_HARNESS_MAIN
