// SPDX-License-Identifier: GPL-2.0
/*
 * dirty: type1's dirty-page tracking for live migration
 * (VFIO_IOMMU_DIRTY_PAGES, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP and the
 * MIGRATION capability of VFIO_IOMMU_GET_INFO), through the backend's
 * dirty / unmap_dirty ops (iommu.h).  No device DMA: with an IOMMU-backed
 * group (vfio-pci, which never declares a pinned-page dirty scope) the
 * kernel reports every mapped page dirty, which is what is checked here.
 *
 * Errnos and bits are those Linux 6.12 answers, each test quoting the line
 * of drivers/vfio/vfio_iommu_type1.c that decides it.  Runs per backend:
 * type1 (v1) refuses the whole ioctl (EACCES) but still advertises the
 * MIGRATION capability; type1v2 tracks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include "test.h"

#include "iommu.h"
#include "variants.h"

/* Test IOVAs: 4 GiB up, inside the usable range of every profile we run. */
#define BASE	(1ULL << 32)
#define BUFPAGES 160

/*
 * DIRTY_BITMAP_SIZE_MAX: DIRTY_BITMAP_BYTES(INT_MAX) = ALIGN(2^31 - 1, 64) / 8
 * bytes, what the MIGRATION capability's max_dirty_bitmap_size says.
 */
#define KERNEL_MAX_BITMAP	(1ULL << 28)

/* Bytes of bitmap for n pages: whole u64 words (DIRTY_BITMAP_BYTES). */
#define BITMAP_BYTES(n)	((((n) + 63) / 64) * 8)

FIXTURE(dirty) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	uint64_t pg;		/* smallest IOMMU page: the only bitmap pgsize */
	uint64_t pgsizes;
	struct vct_cap_migration mig;
	bool has_mig;
	uint8_t *buf;		/* BUFPAGES pages, faulted in */
	size_t buflen;
	bool v2;
};

/*
 * The container backends only: VFIO_IOMMU_DIRTY_PAGES is the type1 container's ioctl (iommufd tracks dirty pages
 * through IOMMU_HWPT_* instead, on kernels with CONFIG_IOMMUFD).
 */
VCT_CONTAINER_VARIANTS(dirty);

FIXTURE_SETUP(dirty)
{
	struct vct_iommu_info info;

	vct_mark_test(_metadata, variant);
	VCT_IOMMU_SETUP_OR_SKIP(variant->backend, 1, 1, &self->iommu, self->devs);
	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	self->pgsizes = info.pgsizes;
	self->pg = vct_pgsize_min(info.pgsizes);
	self->has_mig = info.has_migration;
	self->mig = info.migration;
	vct_iommu_info_free(&info);
	self->v2 = variant->backend == VCT_BACKEND_TYPE1v2;
	self->buflen = BUFPAGES * self->pg;
	self->buf = vct_dma_alloc(self->buflen);
	ASSERT_NE(NULL, self->buf);
	memset(self->buf, 0x5a, self->buflen);
}

FIXTURE_TEARDOWN(dirty)
{
	vct_iommu_close(self->iommu);
	vct_dma_free(self->buf, self->buflen);
}

/* ---- helpers ------------------------------------------------------------ */

/*
 * type1 (v1) answers every VFIO_IOMMU_DIRTY_PAGES with EACCES
 * (vfio_iommu_type1_dirty_pages(): `if (!iommu->v2) return -EACCES;`), so
 * the tracking tests are type1v2's; v1's refusal is its own test.
 */
#define NEED_V2() do { \
	if (!self->v2) \
		SKIP(return, "type1 (v1) refuses VFIO_IOMMU_DIRTY_PAGES (EACCES: dirty_pages_v1_refused_eacces_v2_start_stop_idempotent)"); \
} while (0)

static uint64_t iova_of(FIXTURE_DATA(dirty) *self, uint64_t page)
{
	return BASE + page * self->pg;
}

/* Map pages [first, first+n) of the buffer at the same page offset of BASE. */
static int map_pages(FIXTURE_DATA(dirty) *self, uint64_t first, uint64_t n)
{
	return __vct_iommu_map(self->iommu, iova_of(self, first), n * self->pg,
			       self->buf + first * self->pg, VCT_PROT_RW);
}

static int track(FIXTURE_DATA(dirty) *self, uint32_t flags)
{
	struct vct_dirty_req r = { .flags = flags };

	return __vct_iommu_dirty(self->iommu, &r);
}

/* GET_BITMAP of pages [first, first+n) into bm (bytes bytes, pgsize pg). */
static int get_bitmap(FIXTURE_DATA(dirty) *self, uint64_t first, uint64_t n,
		      uint64_t *bm, uint64_t bytes)
{
	struct vct_dirty_req r = {
		.flags = VCT_DIRTY_GET_BITMAP,
		.iova = iova_of(self, first),
		.size = n * self->pg,
		.pgsize = self->pg,
		.bitmap_size = bytes,
		.bitmap = bm,
	};

	return __vct_iommu_dirty(self->iommu, &r);
}

static bool bit(const uint64_t *bm, uint64_t n)
{
	return bm[n / 64] >> (n % 64) & 1;
}

/*
 * The first bit of bm[0..nbits) that differs from `want` (pages
 * [lo, hi) set, all others clear), or -1.
 */
static int64_t first_wrong_bit(const uint64_t *bm, uint64_t nbits,
			       const uint64_t (*want)[2], size_t nwant)
{
	uint64_t b;
	size_t k;

	for (b = 0; b < nbits; b++) {
		bool set = false;

		for (k = 0; k < nwant; k++)
			set |= b >= want[k][0] && b < want[k][1];
		if (bit(bm, b) != set)
			return (int64_t)b;
	}
	return -1;
}

#define GUARD	0xa5a5a5a5a5a5a5a5ULL

/*
 * The errno of a range wrapping past 2^64: EINVAL up to Linux 6.12,
 * EOVERFLOW from 6.18 (type1's check_*_overflow rework); 0 for kernels in
 * between, which are not pinned (either is accepted).
 */
static int wrap_errno(struct __test_metadata *_metadata)
{
	struct vct_kver kv = { 0 };

	EXPECT_EQ(0, __vct_kernel_version(&kv));
	if (vct_kver_cmp(&kv, 6, 12) <= 0)
		return -EINVAL;
	return vct_kver_cmp(&kv, 6, 18) >= 0 ? -EOVERFLOW : 0;
}

/* ---- capability --------------------------------------------------------- */

/*
 * vfio_iommu_migration_build_caps() (v1 and v2 alike): flags 0,
 * `cap_mig.pgsize_bitmap = (size_t)1 << __ffs(iommu->pgsize_bitmap);`
 * `cap_mig.max_dirty_bitmap_size = DIRTY_BITMAP_SIZE_MAX;`
 */
TEST_F(dirty, migration_cap_pgsize_is_smallest_iommu_page_max_bitmap_256mib)
{
	ASSERT_TRUE(self->has_mig) TH_LOG("VFIO_IOMMU_GET_INFO has no MIGRATION capability");
	EXPECT_EQ(0u, self->mig.flags);
	EXPECT_EQ(self->pg, self->mig.pgsize_bitmap)
		TH_LOG("MIGRATION pgsize_bitmap 0x%llx, iova_pgsizes 0x%llx",
		       (unsigned long long)self->mig.pgsize_bitmap,
		       (unsigned long long)self->pgsizes);
	EXPECT_EQ(KERNEL_MAX_BITMAP, self->mig.max_dirty_bitmap_size);
}

/* ---- tracking state -------------------------------------------------------- */

/*
 * v1: `if (!iommu->v2) return -EACCES;` before anything else.  v2: START
 * allocates bitmaps once (`if (!iommu->dirty_page_tracking)`), STOP frees
 * them once; repeating either is a success that changes nothing.
 */
TEST_F(dirty, dirty_pages_v1_refused_eacces_v2_start_stop_idempotent)
{
	uint64_t bm[1] = { 0 };

	if (!self->v2) {
		EXPECT_EQ(-EACCES, track(self, VCT_DIRTY_START));
		EXPECT_EQ(-EACCES, track(self, VCT_DIRTY_STOP));
		EXPECT_EQ(-EACCES, get_bitmap(self, 0, 1, bm, sizeof(bm)));
		EXPECT_EQ(-EACCES, track(self, 0));
		return;
	}
	EXPECT_EQ(0, track(self, VCT_DIRTY_START));
	EXPECT_EQ(0, track(self, VCT_DIRTY_START));
	EXPECT_EQ(0, track(self, VCT_DIRTY_STOP));
	EXPECT_EQ(0, track(self, VCT_DIRTY_STOP));
	/* Stopped: GET_BITMAP `else ret = -EINVAL;` */
	ASSERT_EQ(0, map_pages(self, 0, 1));
	EXPECT_EQ(-EINVAL, get_bitmap(self, 0, 1, bm, sizeof(bm)));
}

/*
 * `if (dirty.argsz < minsz || dirty.flags & ~mask) return -EINVAL;`
 * `if (__ffs(dirty.flags) != __fls(dirty.flags)) return -EINVAL;` (one
 * operation at a time); no flag at all falls through to the final
 * `return -EINVAL;`.
 */
TEST_F(dirty, flags_none_two_unknown_or_short_argsz_refused_einval)
{
	static const uint32_t bad[] = {
		0,
		VCT_DIRTY_START | VCT_DIRTY_STOP,
		VCT_DIRTY_START | VCT_DIRTY_GET_BITMAP,
		VCT_DIRTY_STOP | VCT_DIRTY_GET_BITMAP,
		1u << 3,
		VCT_DIRTY_START | (1u << 31),
	};
	struct vct_dirty_req r = { .flags = VCT_DIRTY_START, .argsz = 7 };
	uint64_t bm[1] = { 0 };
	size_t i;

	NEED_V2();
	for (i = 0; i < VCT_ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, track(self, bad[i])) TH_LOG("flags 0x%x", bad[i]);
	}
	EXPECT_EQ(-EINVAL, __vct_iommu_dirty(self->iommu, &r)) TH_LOG("argsz 7");
	/* Nothing of the above started tracking: GET_BITMAP is still refused. */
	ASSERT_EQ(0, map_pages(self, 0, 1));
	EXPECT_EQ(-EINVAL, get_bitmap(self, 0, 1, bm, sizeof(bm)));
}

/* ---- bitmap content --------------------------------------------------------- */

/*
 * update_user_bitmap(): "mark all pages dirty if any IOMMU capable device
 * is not able to report dirty pages and all pages are pinned and mapped":
 * `if (iommu->num_non_pinned_groups && dma->iommu_mapped)
 * bitmap_set(dma->bitmap, 0, nbits);`.  Three mappings (4 pages, a 2-page
 * gap, 1 page, 1-page gap, 67 pages crossing a u64 word of the bitmap, so
 * the kernel's shift-and-or path runs): exactly their pages' bits are set,
 * the gaps' are clear, and nothing is written past the range's words.
 */
TEST_F(dirty, get_bitmap_reports_exactly_every_mapped_page)
{
	static const uint64_t want[][2] = { { 0, 4 }, { 6, 7 }, { 8, 75 } };
	uint64_t bm[3] = { 0, 0, GUARD }, n = 75;
	int64_t wrong;

	NEED_V2();
	ASSERT_EQ(0, map_pages(self, 0, 4));
	ASSERT_EQ(0, map_pages(self, 6, 1));
	ASSERT_EQ(0, map_pages(self, 8, 67));
	ASSERT_EQ(0, track(self, VCT_DIRTY_START));
	ASSERT_EQ(0, get_bitmap(self, 0, n, bm, BITMAP_BYTES(n)));
	wrong = first_wrong_bit(bm, 128, want, VCT_ARRAY_SIZE(want));
	EXPECT_EQ(-1, wrong) TH_LOG("bit %lld wrong: bitmap 0x%016llx 0x%016llx", (long long)wrong,
				    (unsigned long long)bm[0], (unsigned long long)bm[1]);
	EXPECT_EQ(GUARD, bm[2]) TH_LOG("the kernel wrote past the range's %llu bytes",
				       (unsigned long long)BITMAP_BYTES(n));
}

/*
 * After a GET the kernel clears its copy and re-populates it with the
 * pinned pages only (vfio_iova_dirty_bitmap(): `bitmap_clear(dma->bitmap,
 * 0, dma->size >> pgshift); vfio_dma_populate_bitmap(dma, pgsize);`), but
 * the next GET marks every page of an IOMMU-mapped vfio_dma dirty again
 * (update_user_bitmap(), above): a second GET, and one after STOP and
 * START, report the same full bitmap.
 */
TEST_F(dirty, bits_set_again_on_every_get_and_after_restart)
{
	static const uint64_t want[][2] = { { 0, 70 } };
	uint64_t bm[2];
	int round;

	NEED_V2();
	ASSERT_EQ(0, map_pages(self, 0, 70));
	ASSERT_EQ(0, track(self, VCT_DIRTY_START));
	for (round = 0; round < 3; round++) {
		if (round == 2) {
			ASSERT_EQ(0, track(self, VCT_DIRTY_STOP));
			ASSERT_EQ(0, track(self, VCT_DIRTY_START));
		}
		memset(bm, 0, sizeof(bm));
		ASSERT_EQ(0, get_bitmap(self, 0, 70, bm, sizeof(bm)));
		EXPECT_EQ(-1, first_wrong_bit(bm, 128, want, 1))
			TH_LOG("GET #%d: 0x%016llx 0x%016llx", round + 1,
			       (unsigned long long)bm[0], (unsigned long long)bm[1]);
	}
}

/*
 * vfio_dma_do_map(): `if (!ret && iommu->dirty_page_tracking) { ret =
 * vfio_dma_bitmap_alloc(dma, pgsize); ...}`: a mapping made while tracking
 * is tracked, all of it dirty; one removed is no longer reported.
 */
TEST_F(dirty, mapping_made_while_tracking_reported_unmapped_one_not)
{
	static const uint64_t want[][2] = { { 2, 5 } };
	uint64_t bm[1] = { 0 }, un = 0;

	NEED_V2();
	ASSERT_EQ(0, track(self, VCT_DIRTY_START));
	ASSERT_EQ(0, map_pages(self, 2, 3));
	ASSERT_EQ(0, map_pages(self, 8, 2));
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, iova_of(self, 8), 2 * self->pg, &un));
	ASSERT_EQ(2 * self->pg, un);
	ASSERT_EQ(0, get_bitmap(self, 0, 16, bm, sizeof(bm)));
	EXPECT_EQ(-1, first_wrong_bit(bm, 64, want, 1)) TH_LOG("0x%016llx", (unsigned long long)bm[0]);
}

/*
 * A range holding no mapping is fine (the loop finds nothing) and leaves
 * the caller's bitmap as it was.
 */
TEST_F(dirty, get_bitmap_of_unmapped_range_succeeds_untouched)
{
	uint64_t bm[1] = { GUARD };

	NEED_V2();
	ASSERT_EQ(0, map_pages(self, 0, 1));
	ASSERT_EQ(0, track(self, VCT_DIRTY_START));
	EXPECT_EQ(0, get_bitmap(self, 16, 8, bm, sizeof(bm)));
	EXPECT_EQ(GUARD, bm[0]);
}

/* ---- GET_BITMAP argument rules ------------------------------------------------ */

/*
 * Mapping A = pages [4, 8).  Each request below is refused EINVAL, by the
 * line quoted, and the valid one after them still works:
 */
TEST_F(dirty, get_bitmap_argument_rules_einval)
{
	const uint64_t pg = self->pg, B = 32, HDR = sizeof(struct vfio_iommu_type1_dirty_bitmap);
	const uint64_t GET = sizeof(struct vfio_iommu_type1_dirty_bitmap_get);
	uint64_t bm[4] = { 0 };
	/* why, iova (pages from BASE, or absolute when abs), size, pgsize, bitmap bytes, argsz */
	const struct {
		const char *why;
		uint64_t iova, size, pgsize, bytes;
		uint32_t argsz;
	} bad[] = {
		/* vfio_iova_dirty_bitmap(): `if (dma && dma->iova != iova)` */
		{ "range starts inside a mapping", iova_of(self, 5), 3 * pg, pg, B, 0 },
		/* `if (dma && dma->iova + dma->size != iova + size)` */
		{ "range ends inside a mapping", iova_of(self, 4), 2 * pg, pg, B, 0 },
		/* `if (range.bitmap.pgsize != iommu_pgsize)`: the smallest only */
		{ "pgsize twice the smallest", iova_of(self, 4), 4 * pg, 2 * pg, B, 0 },
		{ "pgsize 2 MiB", iova_of(self, 4), 4 * pg, 2ULL << 20, B, 0 },
		/* `if (range.iova & (iommu_pgsize - 1))` */
		{ "iova not page aligned", iova_of(self, 4) + 512, 4 * pg, pg, B, 0 },
		/* verify_bitmap_size(): `!npages` */
		{ "size 0", iova_of(self, 4), 0, pg, B, 0 },
		/* `if (!range.size || range.size & (iommu_pgsize - 1))` */
		{ "size not a page multiple", iova_of(self, 4), 4 * pg + 512, pg, B, 0 },
		/* verify_bitmap_size(): `!bitmap_size` */
		{ "bitmap size 0", iova_of(self, 4), 4 * pg, pg, 0, 0 },
		/* `bitmap_size < DIRTY_BITMAP_BYTES(npages)`: whole u64 words */
		{ "bitmap 1 byte for 4 pages (needs one u64)", iova_of(self, 4), 4 * pg, pg, 1, 0 },
		{ "bitmap 15 bytes for 128 pages (needs 16)", iova_of(self, 0), 128 * pg, pg, 15, 0 },
		/* `bitmap_size > DIRTY_BITMAP_SIZE_MAX` */
		{ "bitmap size max_dirty_bitmap_size + 1", iova_of(self, 4), 4 * pg, pg,
		  KERNEL_MAX_BITMAP + 1, 0 },
		/* more pages than the largest bitmap holds */
		{ "range of max_dirty_bitmap_size * 8 + 1 pages", iova_of(self, 0),
		  (KERNEL_MAX_BITMAP * 8 + 1) * pg, pg, KERNEL_MAX_BITMAP, 0 },
		/* `if (!data_size || data_size < sizeof(range))` */
		{ "argsz one byte short of the range structure", iova_of(self, 4), 4 * pg, pg, B,
		  (uint32_t)(HDR + GET - 1) },
		{ "argsz of the header only", iova_of(self, 4), 4 * pg, pg, B, (uint32_t)HDR },
	};
	struct vct_dirty_req ok = {
		.flags = VCT_DIRTY_GET_BITMAP, .iova = iova_of(self, 4),
		.size = 4 * pg, .pgsize = pg, .bitmap_size = 8, .bitmap = bm,
	};
	size_t i;

	NEED_V2();
	ASSERT_EQ(0, map_pages(self, 4, 4));
	ASSERT_EQ(0, track(self, VCT_DIRTY_START));
	for (i = 0; i < VCT_ARRAY_SIZE(bad); i++) {
		struct vct_dirty_req r = {
			.flags = VCT_DIRTY_GET_BITMAP, .argsz = bad[i].argsz,
			.iova = bad[i].iova, .size = bad[i].size,
			.pgsize = bad[i].pgsize, .bitmap_size = bad[i].bytes, .bitmap = bm,
		};

		EXPECT_EQ(-EINVAL, __vct_iommu_dirty(self->iommu, &r)) TH_LOG("%s", bad[i].why);
	}
	{
		/*
		 * A range wrapping past 2^64: 6.12 `if (range.iova + range.size <
		 * range.iova) return -EINVAL;`; since "vfio/type1: sanitize for
		 * overflow using check_*_overflow" (Alex Mastro, 2025, Linux 6.18)
		 * `return -EOVERFLOW;`.
		 */
		struct vct_dirty_req r = ok;
		int want = wrap_errno(_metadata), ret;

		r.iova = UINT64_MAX - pg + 1;
		r.size = 2 * pg;
		ret = __vct_iommu_dirty(self->iommu, &r);
		if (want) {
			EXPECT_EQ(want, ret) TH_LOG("range wraps past 2^64");
		} else {
			EXPECT_TRUE(ret == -EINVAL || ret == -EOVERFLOW) TH_LOG("wrap: %d", ret);
		}
	}
	EXPECT_EQ(0ULL, bm[0] | bm[1] | bm[2] | bm[3]) TH_LOG("a refused GET wrote bits");
	EXPECT_EQ(0, __vct_iommu_dirty(self->iommu, &ok));
	EXPECT_EQ(0xfULL, bm[0]);
}

/*
 * max_dirty_bitmap_size is honoured as an upper bound and no lower: a GET
 * saying its buffer holds exactly that many bytes is accepted (only the
 * range's words are written), one byte more is refused (above).  The
 * buffer really is that large (an untouched anonymous mapping): the kernel
 * first checks `if (!access_ok((void __user *)range.bitmap.data,
 * range.bitmap.size)) return -EINVAL;`, so a small buffer on the stack
 * fails whenever ASLR puts it within max_dirty_bitmap_size of the top of
 * user space (seen once in make check).
 */
TEST_F(dirty, bitmap_size_of_max_dirty_bitmap_size_accepted)
{
	struct vct_dirty_req r = {
		.flags = VCT_DIRTY_GET_BITMAP, .iova = iova_of(self, 0),
		.size = 3 * self->pg, .pgsize = self->pg,
	};
	uint64_t *bm;

	NEED_V2();
	ASSERT_TRUE(self->has_mig);
	r.bitmap_size = self->mig.max_dirty_bitmap_size;
	bm = mmap(NULL, r.bitmap_size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, bm) TH_LOG("%llu bytes of address space: %m",
					 (unsigned long long)r.bitmap_size);
	bm[1] = GUARD;
	r.bitmap = bm;
	ASSERT_EQ(0, map_pages(self, 0, 3));
	ASSERT_EQ(0, track(self, VCT_DIRTY_START));
	EXPECT_EQ(0, __vct_iommu_dirty(self->iommu, &r));
	EXPECT_EQ(0x7ULL, bm[0]);
	EXPECT_EQ(GUARD, bm[1]);
	munmap(bm, r.bitmap_size);
}

/*
 * A bitmap the kernel cannot write: update_user_bitmap()'s copy_to_user
 * fails, `return -EFAULT;`, and the mapping is still tracked (a GET into
 * good memory reports it).
 */
TEST_F(dirty, get_bitmap_into_unwritable_memory_efault)
{
	uint64_t *ro, bm[1] = { 0 };

	NEED_V2();
	ro = mmap(NULL, vct_page_size(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, map_pages(self, 0, 2));
	ASSERT_EQ(0, track(self, VCT_DIRTY_START));
	EXPECT_EQ(-EFAULT, get_bitmap(self, 0, 2, ro, 8));
	EXPECT_EQ(0, get_bitmap(self, 0, 2, bm, sizeof(bm)));
	EXPECT_EQ(0x3ULL, bm[0]);
	munmap(ro, vct_page_size());
}

/* ---- unmap with the dirty bitmap ------------------------------------------------ */

/*
 * vfio_dma_do_unmap(): for each vfio_dma removed, `if (unmap->flags &
 * VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) ret = update_user_bitmap(...)`:
 * the removed mappings' pages come back set, relative to unmap.iova; the
 * unmapped size is theirs, and they are gone (a GET finds nothing).
 */
TEST_F(dirty, unmap_get_dirty_bitmap_returns_bits_and_unmaps)
{
	static const uint64_t want[][2] = { { 0, 3 }, { 5, 70 } };
	uint64_t bm[3] = { 0, 0, GUARD }, un = 0, after[2] = { 0, 0 };
	struct vct_dirty_req r = {
		.iova = iova_of(self, 0), .size = 72 * self->pg,
		.pgsize = self->pg, .bitmap_size = BITMAP_BYTES(72), .bitmap = bm,
	};
	int64_t wrong;

	NEED_V2();
	ASSERT_EQ(0, map_pages(self, 0, 3));
	ASSERT_EQ(0, map_pages(self, 5, 65));
	ASSERT_EQ(0, track(self, VCT_DIRTY_START));
	ASSERT_EQ(0, __vct_iommu_unmap_dirty(self->iommu, &r, &un));
	EXPECT_EQ(68 * self->pg, un);
	wrong = first_wrong_bit(bm, 128, want, VCT_ARRAY_SIZE(want));
	EXPECT_EQ(-1, wrong) TH_LOG("bit %lld: 0x%016llx 0x%016llx", (long long)wrong,
				    (unsigned long long)bm[0], (unsigned long long)bm[1]);
	EXPECT_EQ(GUARD, bm[2]);
	EXPECT_EQ(0, get_bitmap(self, 0, 72, after, sizeof(after)));
	EXPECT_EQ(0ULL, after[0] | after[1]) TH_LOG("unmapped pages still reported");
	EXPECT_EQ(0, map_pages(self, 0, 70)) TH_LOG("the range is not free after the unmap");
}

/*
 * Refusals, each leaving the mapping in place (a plain unmap then removes
 * all of it):
 *  vfio_iommu_type1_unmap_dma(): GET_DIRTY_BITMAP with ALL or VADDR
 *  `return -EINVAL;`; `if (unmap.argsz < (minsz + sizeof(bitmap)))`;
 *  verify_bitmap_size(); vfio_dma_do_unmap(): `(!iommu->dirty_page_tracking
 *  || (bitmap->pgsize != pgsize))`.  On v1 tracking can never be on, so
 *  the bitmap flag is refused there too.
 */
TEST_F(dirty, unmap_get_dirty_bitmap_rules_einval_mapping_kept)
{
	uint64_t bm[2] = { 0, 0 }, un = 1, pg = self->pg;
	struct vct_dirty_req base = {
		.iova = iova_of(self, 0), .size = 4 * pg, .pgsize = pg,
		.bitmap_size = sizeof(bm), .bitmap = bm,
	};
	struct vct_dirty_req r;

	ASSERT_EQ(0, map_pages(self, 0, 4));
	/* not tracking (v1: cannot be) */
	EXPECT_EQ(-EINVAL, __vct_iommu_unmap_dirty(self->iommu, &base, &un));
	EXPECT_EQ(0u, un);
	if (self->v2) {
		ASSERT_EQ(0, track(self, VCT_DIRTY_START));
		r = base;
		r.flags = VFIO_DMA_UNMAP_FLAG_ALL;
		r.iova = r.size = 0;
		EXPECT_EQ(-EINVAL, __vct_iommu_unmap_dirty(self->iommu, &r, &un)) TH_LOG("with ALL");
		r = base;
		r.flags = VFIO_DMA_UNMAP_FLAG_VADDR;
		EXPECT_EQ(-EINVAL, __vct_iommu_unmap_dirty(self->iommu, &r, &un)) TH_LOG("with VADDR");
		r = base;
		r.argsz = sizeof(struct vfio_iommu_type1_dma_unmap) + sizeof(struct vfio_bitmap) - 1;
		EXPECT_EQ(-EINVAL, __vct_iommu_unmap_dirty(self->iommu, &r, &un)) TH_LOG("argsz short");
		r = base;
		r.pgsize = 2 * pg;
		EXPECT_EQ(-EINVAL, __vct_iommu_unmap_dirty(self->iommu, &r, &un)) TH_LOG("pgsize 2x");
		r = base;
		r.bitmap_size = 0;
		EXPECT_EQ(-EINVAL, __vct_iommu_unmap_dirty(self->iommu, &r, &un)) TH_LOG("bitmap 0");
		r = base;
		r.bitmap_size = 7;
		EXPECT_EQ(-EINVAL, __vct_iommu_unmap_dirty(self->iommu, &r, &un)) TH_LOG("bitmap 7");
		EXPECT_EQ(0ULL, bm[0] | bm[1]) TH_LOG("a refused unmap wrote bits");
	}
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, iova_of(self, 0), 4 * pg, &un));
	EXPECT_EQ(4 * pg, un) TH_LOG("a refused unmap-with-bitmap removed something");
}

VCT_HARNESS_MAIN
