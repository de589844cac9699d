// SPDX-License-Identifier: GPL-2.0
/*
 * map: VFIO_IOMMU_MAP_DMA / VFIO_IOMMU_UNMAP_DMA semantics at the IOMMU
 * interface (no device DMA here: the device's view is suites/dma).
 *
 * Every errno is pinned to what Linux 6.12 answers, with the function that
 * decides it (drivers/vfio/vfio_iommu_type1.c unless said otherwise).  Each
 * test runs once per backend (variants type1, type1v2).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <linux/vfio.h>

#include "test.h"
#include "variants.h"

#include "iommu.h"
#include "lock.h"

/* Test IOVAs: 4 GiB up, inside the usable range of every profile we run. */
#define BASE	(1ULL << 32)

FIXTURE(map) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	uint64_t pg;		/* mapping granule (smallest IOMMU page) */
	uint64_t pgsizes;
	uint8_t *buf;		/* BUFPAGES granules, faulted in */
	size_t buflen;
	int64_t saved_limit;	/* dma_entry_limit to restore, -1: none */
};

#define BUFPAGES 64

VCT_BACKEND_VARIANTS(map);

FIXTURE_SETUP(map)
{
	struct vct_iommu_info info;

	vct_mark_test(_metadata, variant);
	self->saved_limit = -1;
	VCT_IOMMU_SETUP_OR_SKIP(variant->backend, 1, 1, &self->iommu, self->devs);
	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	self->pgsizes = info.pgsizes;
	self->pg = vct_pgsize_min(info.pgsizes);
	vct_iommu_info_free(&info);
	ASSERT_LE(vct_page_size(), self->pg);
	self->buflen = BUFPAGES * self->pg;
	self->buf = vct_dma_alloc(self->buflen);
	ASSERT_NE(NULL, self->buf);
	/* Faulted in: pinning accounts real pages, never the shared zero page. */
	memset(self->buf, 0x5a, self->buflen);
}

FIXTURE_TEARDOWN(map)
{
	vct_iommu_close(self->iommu);
	vct_dma_free(self->buf, self->buflen);
	if (self->saved_limit >= 0)
		vct_write_u64(VCT_DMA_ENTRY_LIMIT, (uint64_t)self->saved_limit);
}

/* ---- helpers ------------------------------------------------------------ */

/* MAP_DMA with exactly these fields: 0 or -errno. */
static int raw_map(int fd, uint32_t flags, uint64_t iova, uint64_t size,
		   uint64_t vaddr)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(fd, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

/* UNMAP_DMA with exactly these fields: 0 or -errno; *unmapped as written back. */
static int raw_unmap(int fd, uint32_t flags, uint64_t iova, uint64_t size,
		     uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int ret = ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;

	*unmapped = unmap.size;
	return ret;
}

static int map_pages(FIXTURE_DATA(map) *self, uint64_t first, uint64_t n)
{
	return __vct_iommu_map(self->iommu, BASE + first * self->pg,
			       n * self->pg, self->buf + first * self->pg,
			       VCT_PROT_RW);
}

static uint32_t dma_avail(struct __test_metadata *_metadata,
			  struct vct_iommu *iommu)
{
	struct vct_iommu_info info;
	uint32_t v;

	if (__vct_iommu_info(iommu, &info)) {
		TH_LOG("%s", vct_iommu_last_error(iommu));
		return UINT32_MAX;
	}
	v = info.has_dma_avail ? info.dma_avail : UINT32_MAX;
	vct_iommu_info_free(&info);
	return v;
}

/*
 * Is [iova, iova+size) free of mappings?  Mapping it must succeed (then it
 * is unmapped again); EEXIST means something is still there.
 */
static int range_is_free(FIXTURE_DATA(map) *self, uint64_t iova, uint64_t size)
{
	uint64_t un = 0;
	int ret = __vct_iommu_map(self->iommu, iova, size, self->buf, VCT_PROT_RW);

	if (ret)
		return ret;
	ret = __vct_iommu_unmap(self->iommu, iova, size, &un);
	return ret ? ret : (un == size ? 0 : -EPROTO);
}

/* ---- argument checks ------------------------------------------------------ */

/*
 * vfio_dma_do_map(): `if (!size || (size | iova | vaddr) & (pgsize - 1))
 * return -EINVAL`, pgsize being the smallest IOMMU page size.
 */
TEST_F(map, unaligned_iova_refused_einval)
{
	uint64_t off[] = { 1, vct_page_size() / 2, self->pg - 1 };
	size_t i;

	for (i = 0; i < VCT_ARRAY_SIZE(off); i++) {
		uint64_t o = off[i];

		EXPECT_EQ(-EINVAL, __vct_iommu_map(self->iommu, BASE + o,
						   self->pg, self->buf,
						   VCT_PROT_RW))
			TH_LOG("iova BASE+%#llx", (unsigned long long)o);
	}
	EXPECT_EQ(0, range_is_free(self, BASE, 2 * self->pg));
}

TEST_F(map, unaligned_vaddr_refused_einval)
{
	uint64_t off[] = { 1, vct_page_size() / 2, self->pg - 1 };
	size_t i;

	for (i = 0; i < VCT_ARRAY_SIZE(off); i++) {
		uint64_t o = off[i];

		EXPECT_EQ(-EINVAL, __vct_iommu_map(self->iommu, BASE, self->pg,
						   self->buf + o, VCT_PROT_RW))
			TH_LOG("vaddr buf+%#llx", (unsigned long long)o);
	}
	EXPECT_EQ(0, range_is_free(self, BASE, self->pg));
}

TEST_F(map, unaligned_size_refused_einval)
{
	uint64_t sz[] = { 1, self->pg - 1, self->pg + 1, 2 * self->pg - 512 };
	size_t i;

	for (i = 0; i < VCT_ARRAY_SIZE(sz); i++) {
		uint64_t z = sz[i];

		EXPECT_EQ(-EINVAL, __vct_iommu_map(self->iommu, BASE, z,
						   self->buf, VCT_PROT_RW))
			TH_LOG("size %#llx", (unsigned long long)z);
	}
	EXPECT_EQ(0, range_is_free(self, BASE, 2 * self->pg));
}

TEST_F(map, zero_size_refused_einval)
{
	EXPECT_EQ(-EINVAL, __vct_iommu_map(self->iommu, BASE, 0, self->buf,
					   VCT_PROT_RW));
	/* Unmapping zero bytes, likewise (vfio_dma_do_unmap(): `!size`). */
	uint64_t un = 1;

	EXPECT_EQ(-EINVAL, __vct_iommu_unmap(self->iommu, BASE, 0, &un));
}

/*
 * vfio_dma_do_map(): `if ((prot && set_vaddr) || (!prot && !set_vaddr))
 * return -EINVAL`: a mapping the device may neither read nor write.
 */
TEST_F(map, no_read_write_flag_refused_einval)
{
	EXPECT_EQ(-EINVAL, raw_map(self->iommu->fd, 0, BASE, self->pg,
				   (uintptr_t)self->buf));
	EXPECT_EQ(0, range_is_free(self, BASE, self->pg));
}

/*
 * vfio_iommu_type1_map_dma(): `map.flags & ~(READ | WRITE | VADDR)` is
 * -EINVAL; likewise vfio_iommu_type1_unmap_dma() for bits outside
 * GET_DIRTY_BITMAP | VADDR | ALL.
 */
TEST_F(map, unknown_flag_bits_refused_einval)
{
	uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE |
			 VFIO_DMA_MAP_FLAG_VADDR;
	uint32_t uknown = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
			  VFIO_DMA_UNMAP_FLAG_VADDR | VFIO_DMA_UNMAP_FLAG_ALL;
	uint64_t un;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		uint32_t f = 1u << bit;

		if (!(known & f))
			EXPECT_EQ(-EINVAL,
				  raw_map(self->iommu->fd,
					  VFIO_DMA_MAP_FLAG_READ |
					  VFIO_DMA_MAP_FLAG_WRITE | f,
					  BASE, self->pg, (uintptr_t)self->buf))
				TH_LOG("MAP_DMA flag bit %d", bit);
	}
	EXPECT_EQ(0, range_is_free(self, BASE, self->pg));
	ASSERT_EQ(0, map_pages(self, 0, 1));
	for (bit = 0; bit < 32; bit++) {
		uint32_t f = 1u << bit;

		if (!(uknown & f))
			EXPECT_EQ(-EINVAL, raw_unmap(self->iommu->fd, f, BASE,
						     self->pg, &un))
				TH_LOG("UNMAP_DMA flag bit %d", bit);
	}
	/* Still mapped: the refused unmaps removed nothing. */
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, self->pg, &un));
	EXPECT_EQ(self->pg, un);
}

/*
 * A container without an IOMMU model passes no ioctl on:
 * container.c vfio_fops_unl_ioctl() answers -EINVAL when
 * container->iommu_driver is NULL.  And VFIO_SET_IOMMU without a group in
 * the container is -EINVAL too (vfio_ioctl_set_iommu(): empty group_list).
 */
TEST_F(map, map_before_set_iommu_refused_einval)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	uint64_t un;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, raw_map(fd, VFIO_DMA_MAP_FLAG_READ |
				   VFIO_DMA_MAP_FLAG_WRITE, BASE, self->pg,
				   (uintptr_t)self->buf));
	EXPECT_EQ(-EINVAL, raw_unmap(fd, 0, BASE, self->pg, &un));
	EXPECT_EQ(-1, ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* ---- overlaps --------------------------------------------------------------- */

/*
 * vfio_dma_do_map(): vfio_find_dma(iommu, iova, size) finds any mapping
 * intersecting the request -> -EEXIST.  Existing: pages [4, 8).
 */
static void overlap_refused(struct __test_metadata *_metadata,
			    FIXTURE_DATA(map) *self, uint64_t first, uint64_t n)
{
	uint64_t un = 0;

	ASSERT_EQ(0, map_pages(self, 4, 4));
	EXPECT_EQ(-EEXIST, __vct_iommu_map(self->iommu, BASE + first * self->pg,
					   n * self->pg, self->buf + 32 * self->pg,
					   VCT_PROT_RW))
		TH_LOG("pages [%llu, %llu) over existing [4, 8)",
		       (unsigned long long)first, (unsigned long long)(first + n));
	/* The existing mapping is intact and alone. */
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 16 * self->pg, &un));
	EXPECT_EQ(4 * self->pg, un);
}

TEST_F(map, overlap_same_range_refused_eexist)
{
	overlap_refused(_metadata, self, 4, 4);
}

TEST_F(map, overlap_inside_existing_refused_eexist)
{
	overlap_refused(_metadata, self, 5, 2);
	overlap_refused(_metadata, self, 4, 1);
	overlap_refused(_metadata, self, 7, 1);
}

TEST_F(map, overlap_covering_existing_refused_eexist)
{
	overlap_refused(_metadata, self, 2, 8);
}

TEST_F(map, overlap_straddling_start_refused_eexist)
{
	overlap_refused(_metadata, self, 2, 3);
}

TEST_F(map, overlap_straddling_end_refused_eexist)
{
	overlap_refused(_metadata, self, 7, 3);
}

TEST_F(map, adjacent_mappings_accepted)
{
	uint64_t un = 0;

	ASSERT_EQ(0, map_pages(self, 4, 4));
	EXPECT_EQ(0, map_pages(self, 3, 1));	/* ends where it starts */
	EXPECT_EQ(0, map_pages(self, 8, 2));	/* starts where it ends */
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 16 * self->pg, &un));
	EXPECT_EQ(7 * self->pg, un);
}

/* ---- unmap ------------------------------------------------------------------ */

/* vfio_dma_do_unmap() writes back the sum of the sizes of removed mappings. */
TEST_F(map, unmap_returns_exact_size_unmapped)
{
	uint64_t un = 0;

	ASSERT_EQ(0, map_pages(self, 0, 1));
	ASSERT_EQ(0, map_pages(self, 1, 3));
	ASSERT_EQ(0, map_pages(self, 8, 2));
	ASSERT_EQ(0, map_pages(self, 12, 1));
	/* Covers the first two exactly. */
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 4 * self->pg, &un));
	EXPECT_EQ(4 * self->pg, un);
	/* A range with holes around the other two. */
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 6 * self->pg,
				       10 * self->pg, &un));
	EXPECT_EQ(3 * self->pg, un);
	EXPECT_EQ(0, range_is_free(self, BASE, 16 * self->pg));
}

/* v1 and v2 alike: no mapping inside the range -> success, size 0. */
TEST_F(map, unmap_nothing_returns_zero)
{
	uint64_t un = 1;

	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 8 * self->pg, &un));
	EXPECT_EQ(0, un);
	ASSERT_EQ(0, map_pages(self, 4, 2));
	un = 1;
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 4 * self->pg, &un));
	EXPECT_EQ(0, un);
	un = 1;
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 6 * self->pg,
				       4 * self->pg, &un));
	EXPECT_EQ(0, un);
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 4 * self->pg,
				       2 * self->pg, &un));
	EXPECT_EQ(2 * self->pg, un);
}

/*
 * An unmap covering the first page of a mapping but not its end.
 * include/uapi/linux/vfio.h and the comment in vfio_dma_do_unmap(): v2
 * refuses to bisect a mapping (-EINVAL: the range's end falls inside a
 * mapping that does not end there); v1 ("an unmap request covering the
 * first iova of mapping will unmap the entire range") removes the whole
 * mapping and reports its full size.
 */
TEST_F(map, unmap_bisecting_head_v2_einval_v1_removes_whole)
{
	uint64_t un = 0;

	ASSERT_EQ(0, map_pages(self, 4, 4));
	if (variant->backend == VCT_BACKEND_TYPE1v2) {
		EXPECT_EQ(-EINVAL, __vct_iommu_unmap(self->iommu, BASE,
						     6 * self->pg, &un));
		EXPECT_EQ(0, un);
		EXPECT_EQ(-EINVAL, __vct_iommu_unmap(self->iommu,
						     BASE + 4 * self->pg,
						     self->pg, &un));
		/* Nothing was removed. */
		EXPECT_EQ(-EEXIST, map_pages(self, 4, 1));
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 16 * self->pg,
					       &un));
		EXPECT_EQ(4 * self->pg, un);
	} else {
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 4 * self->pg,
					       self->pg, &un));
		EXPECT_EQ(4 * self->pg, un);
		EXPECT_EQ(0, range_is_free(self, BASE + 4 * self->pg,
					   4 * self->pg));
	}
}

/*
 * An unmap starting inside a mapping.  v2: -EINVAL (the range's start falls
 * inside a mapping that does not start there).  v1: "an unmap request
 * offset from the beginning of the original mapping will return success
 * with zero sized unmap" -- and the loop stops there, so a later mapping
 * fully inside the range stays too (vfio_dma_do_unmap():
 * `if (!iommu->v2 && iova > dma->iova) break;`).
 */
TEST_F(map, unmap_bisecting_tail_v2_einval_v1_removes_nothing)
{
	uint64_t un = 1;

	ASSERT_EQ(0, map_pages(self, 4, 4));
	ASSERT_EQ(0, map_pages(self, 10, 1));
	if (variant->backend == VCT_BACKEND_TYPE1v2) {
		EXPECT_EQ(-EINVAL, __vct_iommu_unmap(self->iommu,
						     BASE + 6 * self->pg,
						     8 * self->pg, &un));
	} else {
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 6 * self->pg,
					       8 * self->pg, &un));
	}
	EXPECT_EQ(0, un);
	/* Both mappings are still there, whole. */
	EXPECT_EQ(-EEXIST, map_pages(self, 7, 1));
	EXPECT_EQ(-EEXIST, map_pages(self, 10, 1));
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 16 * self->pg, &un));
	EXPECT_EQ(5 * self->pg, un);
}

/* vfio_dma_do_unmap(): with FLAG_ALL, `if (iova || size)` -> -EINVAL. */
TEST_F(map, unmap_all_with_iova_or_size_refused_einval)
{
	uint64_t un;

	ASSERT_EQ(1, ioctl(self->iommu->fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	ASSERT_EQ(0, map_pages(self, 0, 2));
	EXPECT_EQ(-EINVAL, raw_unmap(self->iommu->fd, VFIO_DMA_UNMAP_FLAG_ALL,
				     BASE, 0, &un));
	EXPECT_EQ(0, un);
	EXPECT_EQ(-EINVAL, raw_unmap(self->iommu->fd, VFIO_DMA_UNMAP_FLAG_ALL,
				     0, self->pg, &un));
	EXPECT_EQ(-EINVAL, raw_unmap(self->iommu->fd, VFIO_DMA_UNMAP_FLAG_ALL,
				     BASE, 2 * self->pg, &un));
	EXPECT_EQ(-EEXIST, map_pages(self, 0, 2));
	EXPECT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ(2 * self->pg, un);
}

TEST_F(map, unmap_all_removes_every_mapping)
{
	uint64_t un = 0, total = 0, i;
	uint32_t before = dma_avail(_metadata, self->iommu);

	/* Scattered mappings of several sizes, one far up. */
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, map_pages(self, 4 * i, i % 3 + 1));
		total += (i % 3 + 1) * self->pg;
	}
	ASSERT_EQ(0, __vct_iommu_map(self->iommu, 1ULL << 40, self->pg,
				     self->buf + 40 * self->pg, VCT_PROT_RW));
	total += self->pg;
	ASSERT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ(total, un);
	EXPECT_EQ(before, dma_avail(_metadata, self->iommu));
	/* Every IOVA is free again: the same maps succeed. */
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, map_pages(self, 4 * i, i % 3 + 1)) TH_LOG("i=%llu",
			(unsigned long long)i);
	EXPECT_EQ(0, __vct_iommu_map(self->iommu, 1ULL << 40, self->pg,
				     self->buf + 40 * self->pg, VCT_PROT_RW));
	/* And a second UNMAP_ALL of an emptied container reports 0. */
	EXPECT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ(total, un);
	EXPECT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ(0, un);
}

/* ---- dma_avail / dma_entry_limit ------------------------------------------- */

/*
 * DMA_AVAIL is iommu->dma_avail: decremented in vfio_dma_do_map(),
 * incremented in vfio_remove_dma().
 */
TEST_F(map, dma_avail_counts_mappings)
{
	uint32_t a0 = dma_avail(_metadata, self->iommu);
	uint64_t un, i;

	ASSERT_NE(UINT32_MAX, a0) TH_LOG("no DMA_AVAIL capability");
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, map_pages(self, 2 * i, 1));
		EXPECT_EQ(a0 - (uint32_t)i - 1, dma_avail(_metadata, self->iommu));
	}
	/* A refused map consumes nothing. */
	EXPECT_EQ(-EEXIST, map_pages(self, 0, 1));
	EXPECT_EQ(a0 - 8, dma_avail(_metadata, self->iommu));
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, self->pg, &un));
	EXPECT_EQ(a0 - 7, dma_avail(_metadata, self->iommu));
	/* One unmap removing three mappings gives back three. */
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 2 * self->pg,
				       5 * self->pg, &un));
	EXPECT_EQ(3 * self->pg, un);
	EXPECT_EQ(a0 - 4, dma_avail(_metadata, self->iommu));
	ASSERT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ(a0, dma_avail(_metadata, self->iommu));
}

/*
 * dma_entry_limit (module parameter, default U16_MAX) is copied into
 * iommu->dma_avail when the container gets its IOMMU model
 * (vfio_iommu_type1_open()); at 0, vfio_dma_do_map() answers -ENOSPC.
 */
TEST_F(map, dma_entry_limit_exceeded_refused_enospc)
{
	const uint32_t limit = 16;
	char why[512] = "";
	uint64_t old, un, i;
	int ret;

	ret = __vct_read_u64(VCT_DMA_ENTRY_LIMIT, 10, &old);
	if (ret)
		SKIP(return, "cannot read %s: %s", VCT_DMA_ENTRY_LIMIT,
		     strerror(-ret));
	/* The default, and what the container we already have reports. */
	EXPECT_EQ(65535, old);
	EXPECT_EQ(old, dma_avail(_metadata, self->iommu));
	/* A fresh container, set up under the lowered limit. */
	vct_iommu_close(self->iommu);
	self->iommu = NULL;
	self->saved_limit = (int64_t)old;
	ASSERT_EQ(0, vct_write_u64(VCT_DMA_ENTRY_LIMIT, limit));
	ASSERT_EQ(0, __vct_iommu_setup(variant->backend, 1, 1, &self->iommu,
				       self->devs, why, sizeof(why)))
		TH_LOG("%s", why);
	ASSERT_EQ(0, vct_write_u64(VCT_DMA_ENTRY_LIMIT, old));
	self->saved_limit = -1;
	EXPECT_EQ(limit, dma_avail(_metadata, self->iommu));
	for (i = 0; i < limit; i++)
		ASSERT_EQ(0, map_pages(self, 2 * i, 1)) TH_LOG("mapping %llu",
			(unsigned long long)i);
	EXPECT_EQ(0, dma_avail(_metadata, self->iommu));
	EXPECT_EQ(-ENOSPC, map_pages(self, 2 * limit + 1, 1));
	EXPECT_EQ(-ENOSPC, map_pages(self, 2 * limit + 3, 4));
	/* One back, one more allowed, and only one. */
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, self->pg, &un));
	EXPECT_EQ(0, map_pages(self, 2 * limit + 1, 1));
	EXPECT_EQ(-ENOSPC, map_pages(self, 2 * limit + 3, 1));
	ASSERT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ((uint64_t)limit * self->pg, un);
	EXPECT_EQ(limit, dma_avail(_metadata, self->iommu));
}

/* ---- locked memory ------------------------------------------------------------ */

/*
 * Lower RLIMIT_MEMLOCK to `pages` granules above what is locked now, with
 * CAP_IPC_LOCK gone so the limit applies (vfio_pin_pages_remote():
 * `!dma->lock_cap && mm->locked_vm + lock_acct + 1 > limit` -> -ENOMEM).
 */
static void low_memlock(struct __test_metadata *_metadata,
			FIXTURE_DATA(map) *self, uint64_t pages)
{
	int64_t locked = vct_vmlck_bytes();
	struct rlimit rl;

	ASSERT_LE(0, locked);
	rl.rlim_cur = rl.rlim_max = (rlim_t)locked + pages * self->pg;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_EQ(0, vct_drop_cap_ipc_lock());
}

/* mm->locked_vm grows by exactly the pinned size and shrinks back. */
TEST_F(map, locked_memory_accounts_mapped_pages)
{
	int64_t l0 = vct_vmlck_bytes();
	uint64_t un;

	ASSERT_LE(0, l0);
	ASSERT_EQ(0, map_pages(self, 0, 8));
	ASSERT_EQ(0, map_pages(self, 10, 3));
	EXPECT_EQ(l0 + (int64_t)(11 * self->pg), vct_vmlck_bytes());
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 8 * self->pg, &un));
	EXPECT_EQ(l0 + (int64_t)(3 * self->pg), vct_vmlck_bytes());
	ASSERT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ(l0, vct_vmlck_bytes());
}

TEST_F(map, memlock_limit_exceeded_refused_enomem)
{
	uint32_t a0 = dma_avail(_metadata, self->iommu);
	int64_t l0;
	uint64_t un;

	low_memlock(_metadata, self, 8);
	l0 = vct_vmlck_bytes();
	EXPECT_EQ(-ENOMEM, map_pages(self, 0, 9));
	/* The refused map left nothing behind: no entry, nothing locked. */
	EXPECT_EQ(a0, dma_avail(_metadata, self->iommu));
	EXPECT_EQ(l0, vct_vmlck_bytes());
	EXPECT_EQ(0, range_is_free(self, BASE, 8 * self->pg));
	/* Up to the limit works; one page beyond does not. */
	ASSERT_EQ(0, map_pages(self, 0, 5));
	ASSERT_EQ(0, map_pages(self, 5, 3));
	EXPECT_EQ(l0 + (int64_t)(8 * self->pg), vct_vmlck_bytes());
	EXPECT_EQ(-ENOMEM, map_pages(self, 8, 1));
	EXPECT_EQ(a0 - 2, dma_avail(_metadata, self->iommu));
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 5 * self->pg,
				       3 * self->pg, &un));
	EXPECT_EQ(0, map_pages(self, 8, 3));
	ASSERT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ(8 * self->pg, un);
	EXPECT_EQ(l0, vct_vmlck_bytes());
}

/* At the limit, map/unmap keeps working: unmap gives back all it took. */
TEST_F(map, memlock_1000_cycles_at_limit_no_leak)
{
	int64_t l0;
	uint64_t un, i;

	low_memlock(_metadata, self, 4);
	l0 = vct_vmlck_bytes();
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, map_pages(self, (i % 4) * 4, 4)) TH_LOG("cycle %llu",
			(unsigned long long)i);
		ASSERT_EQ(0, __vct_iommu_unmap(self->iommu,
					       BASE + (i % 4) * 4 * self->pg,
					       4 * self->pg, &un));
		ASSERT_EQ(4 * self->pg, un);
	}
	EXPECT_EQ(l0, vct_vmlck_bytes());
	EXPECT_EQ(-ENOMEM, map_pages(self, 0, 5));
}

/* Closing the container (its groups first) unpins and unaccounts all. */
TEST_F(map, container_close_returns_locked_memory)
{
	int64_t l0 = vct_vmlck_bytes();

	ASSERT_LE(0, l0);
	ASSERT_EQ(0, map_pages(self, 0, 16));
	ASSERT_EQ(0, map_pages(self, 20, 4));
	EXPECT_EQ(l0 + (int64_t)(20 * self->pg), vct_vmlck_bytes());
	vct_iommu_close(self->iommu);
	self->iommu = NULL;
	EXPECT_EQ(l0, vct_vmlck_bytes());
}

/* ---- page sizes ---------------------------------------------------------------- */

/*
 * Every page size in iova_pgsizes up to 2 MiB maps (and unmaps) as one
 * mapping at an IOVA aligned to it; the smallest one is the granule (one
 * CPU page on x86: vfio_iommu_type1 masks the IOMMU's bitmap with
 * PAGE_MASK); half of it is refused.
 */
TEST_F(map, reported_page_sizes_map)
{
	uint64_t bits = self->pgsizes, sz, un;
	int tested = 0;

	EXPECT_EQ(vct_page_size(), self->pg);
	EXPECT_EQ(0, self->pgsizes & (vct_page_size() - 1));
	for (sz = self->pg; sz && sz <= (2ULL << 20); sz <<= 1) {
		uint8_t *p;

		if (!(bits & sz))
			continue;
		p = vct_dma_alloc(2 * sz);
		ASSERT_NE(NULL, p);
		/* Aligned to sz in the process too. */
		uint8_t *a = (uint8_t *)(((uintptr_t)p + sz - 1) & ~(uintptr_t)(sz - 1));

		memset(a, 0xa5, sz);
		EXPECT_EQ(0, __vct_iommu_map(self->iommu, BASE + 4 * sz, sz, a,
					     VCT_PROT_RW)) TH_LOG("pgsize %#llx",
			(unsigned long long)sz);
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 4 * sz, sz,
					       &un));
		EXPECT_EQ(sz, un);
		vct_dma_free(p, 2 * sz);
		tested++;
	}
	EXPECT_LT(0, tested);
	if (self->pg > 1)
		EXPECT_EQ(-EINVAL, __vct_iommu_map(self->iommu, BASE,
						   self->pg / 2, self->buf,
						   VCT_PROT_RW));
}

/* ---- VFIO_UPDATE_VADDR --------------------------------------------------------- */

/*
 * UNMAP_DMA with FLAG_VADDR invalidates the process address but keeps the
 * IOVA mapped (and reports the size); MAP_DMA with FLAG_VADDR and no
 * READ/WRITE gives it a new vaddr.  vfio_dma_do_map(), set_vaddr branch:
 * no mapping at iova -> -ENOENT; a mapping whose vaddr is valid, or a
 * different iova/size -> -EINVAL; READ/WRITE with VADDR -> -EINVAL.
 */
TEST_F(map, update_vaddr_semantics)
{
	const uint32_t V = VFIO_DMA_MAP_FLAG_VADDR;
	uint8_t *other = self->buf + 32 * self->pg;
	uint32_t a0;
	uint64_t un = 0;
	int fd = self->iommu->fd;

	if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR) != 1)
		SKIP(return, "kernel lacks VFIO_UPDATE_VADDR");
	a0 = dma_avail(_metadata, self->iommu);
	ASSERT_EQ(0, map_pages(self, 0, 4));
	/* Valid vaddr: nothing to update. */
	EXPECT_EQ(-EINVAL, raw_map(fd, V, BASE, 4 * self->pg, (uintptr_t)other));
	/* Nothing mapped there at all. */
	EXPECT_EQ(-ENOENT, raw_map(fd, V, BASE + 8 * self->pg, self->pg,
				   (uintptr_t)other));
	ASSERT_EQ(0, raw_unmap(fd, VFIO_DMA_UNMAP_FLAG_VADDR, BASE,
			       4 * self->pg, &un));
	EXPECT_EQ(4 * self->pg, un);
	/* Still mapped, still counted. */
	EXPECT_EQ(-EEXIST, map_pages(self, 0, 1));
	EXPECT_EQ(a0 - 1, dma_avail(_metadata, self->iommu));
	/* Invalidating twice is refused (vfio_dma_do_unmap(): vaddr_invalid). */
	EXPECT_EQ(-EINVAL, raw_unmap(fd, VFIO_DMA_UNMAP_FLAG_VADDR, BASE,
				     4 * self->pg, &un));
	/* The update must name the whole mapping, without READ/WRITE. */
	EXPECT_EQ(-EINVAL, raw_map(fd, V, BASE, 2 * self->pg, (uintptr_t)other));
	EXPECT_EQ(-EINVAL, raw_map(fd, V | VFIO_DMA_MAP_FLAG_READ, BASE,
				   4 * self->pg, (uintptr_t)other));
	EXPECT_EQ(0, raw_map(fd, V, BASE, 4 * self->pg, (uintptr_t)other));
	EXPECT_EQ(-EINVAL, raw_map(fd, V, BASE, 4 * self->pg, (uintptr_t)other));
	EXPECT_EQ(a0 - 1, dma_avail(_metadata, self->iommu));
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 4 * self->pg, &un));
	EXPECT_EQ(4 * self->pg, un);
	EXPECT_EQ(a0, dma_avail(_metadata, self->iommu));
}

/* ---- a BAR's mmap (peer to peer) ------------------------------------------------ */

/*
 * Mapping the mmap of a device BAR: the VMA is VM_IO|VM_PFNMAP, so
 * pin_user_pages fails and vaddr_get_pfns() falls back to
 * follow_fault_pfn() for VM_PFNMAP VMAs; the pfn is MMIO
 * (is_invalid_reserved_pfn()), so it is mapped but never pinned or
 * accounted: locked memory does not change.  6.12 allows this on type1 and
 * type1v2 alike.
 */
TEST_F(map, bar_mmap_maps_without_locking_memory)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	int64_t l0 = vct_vmlck_bytes();
	uint64_t un = 0, len;
	void *bar;
	int dev;

	dev = __vct_iommu_device_fd(self->iommu, self->devs[0].bdf);
	ASSERT_LE(0, dev) TH_LOG("%s", vct_iommu_last_error(self->iommu));
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri));
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP) || ri.size < self->pg) {
		close(dev);
		SKIP(return, "BAR0 of %s cannot be mmapped", self->devs[0].bdf);
	}
	len = ri.size & ~(self->pg - 1);
	bar = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		   (off_t)ri.offset);
	ASSERT_NE(MAP_FAILED, bar);
	EXPECT_EQ(0, __vct_iommu_map(self->iommu, BASE, len, bar, VCT_PROT_RW));
	EXPECT_EQ(l0, vct_vmlck_bytes());
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, len, &un));
	EXPECT_EQ(len, un);
	munmap(bar, len);
	close(dev);
}

VCT_HARNESS_MAIN
