// SPDX-License-Identifier: GPL-2.0
/*
 * map: VFIO_IOMMU_MAP_DMA / VFIO_IOMMU_UNMAP_DMA semantics at the IOMMU
 * interface (no device DMA here: the device's view is suites/dma).
 *
 * Every errno is pinned to what Linux 6.12 answers, with the function that
 * decides it (drivers/vfio/vfio_iommu_type1.c unless said otherwise).  Each
 * test runs once per backend (variants.h); where backends differ the test
 * follows the backend's properties (struct vct_iommu_props, whose comments
 * in harness/iommu_type1.c and iommu_iommufd.c quote the kernel lines for
 * the iommufd answers), and the tests of VFIO type1's own argument rules
 * SKIP on native iommufd, which has no VFIO_IOMMU_MAP_DMA.
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

/* The backend speaks VFIO type1's uapi (the raw ops), else SKIP. */
#define NEED_TYPE1_UAPI(self) do { \
	if (!(self)->iommu->props->type1_uapi) \
		SKIP(return, "%s has no VFIO_IOMMU_MAP_DMA/UNMAP_DMA (IOMMU_IOAS_* instead)", \
		     (self)->iommu->props->name); \
} while (0)

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
 * What dma_avail reads after `used` more mappings than when it read a0:
 * counted backends one less per mapping, constant and absent ones the same.
 */
static uint32_t avail_after(FIXTURE_DATA(map) *self, uint32_t a0, uint32_t used)
{
	return self->iommu->props->dma_avail == VCT_DMA_AVAIL_COUNTED ? a0 - used : a0;
}

/* Bytes of pinned memory charged to this process where the backend charges it. */
static int64_t charged(FIXTURE_DATA(map) *self)
{
	return self->iommu->props->lock_acct == VCT_LOCK_ACCT_MM ? vct_vmlck_bytes() :
								   vct_vmpin_bytes();
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
 * A mapping the device may neither read nor write.  type1:
 * vfio_dma_do_map(): `if ((prot && set_vaddr) || (!prot && !set_vaddr))
 * return -EINVAL`; native iommufd: iommufd_ioas_map() -EINVAL likewise;
 * compat: iommufd_vfio_map_dma() only refuses unknown flags, and the
 * IOMMU driver's map refuses it (harness/iommu_type1.c COMPAT_COMMON;
 * props->map_no_prot_errno).
 */
TEST_F(map, no_read_write_flag_as_pinned)
{
	int want = self->iommu->props->map_no_prot_errno;
	uint64_t un = 0;

	EXPECT_EQ(want, __vct_iommu_map(self->iommu, BASE, self->pg, self->buf, 0))
		TH_LOG("%s: map without READ/WRITE", self->iommu->props->name);
	if (!want) {
		EXPECT_EQ(-EEXIST, map_pages(self, 0, 1));
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, self->pg, &un));
		EXPECT_EQ(self->pg, un);
	}
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

	NEED_TYPE1_UAPI(self);
	for (bit = 0; bit < 32; bit++) {
		uint32_t f = 1u << bit;

		if (!(known & f))
			EXPECT_EQ(-EINVAL,
				  __vct_iommu_raw_map(self->iommu,
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
			EXPECT_EQ(-EINVAL, __vct_iommu_raw_unmap(self->iommu, f, BASE,
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
 * /dev/iommu as the container: no compat IOAS before a group is set,
 * get_compat_ioas() `ERR_PTR(-ENODEV)` for all three
 * (props->map_unset_errno).
 */
TEST_F(map, map_before_set_iommu_refused)
{
	int want = self->iommu->props->map_unset_errno;
	struct vct_iommu *bare;
	char why[256] = "";
	uint64_t un;

	NEED_TYPE1_UAPI(self);
	ASSERT_EQ(0, __vct_iommu_open(variant->backend, &bare, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_EQ(want, __vct_iommu_raw_map(bare, VFIO_DMA_MAP_FLAG_READ |
					    VFIO_DMA_MAP_FLAG_WRITE, BASE, self->pg,
					    (uintptr_t)self->buf));
	EXPECT_EQ(want, __vct_iommu_raw_unmap(bare, 0, BASE, self->pg, &un));
	/* VFIO_SET_IOMMU is the container's own ioctl: no op sends it bare. */
	EXPECT_EQ(-1, ioctl(vct_iommu_container_fd(bare), VFIO_SET_IOMMU,
			    VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(-want, errno);
	vct_iommu_close(bare);
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

/*
 * No mapping inside the range.  type1 v1 and v2 alike, and the compat
 * modes: success, size 0 (iopt_unmap_iova_range(): "If there are no
 * mapped entries then success").  Native iommufd: iommufd_ioas_unmap()
 * `if (!unmapped) { rc = -ENOENT; ...}` (props->unmap_nothing_errno).
 */
TEST_F(map, unmap_nothing_as_pinned)
{
	int want = self->iommu->props->unmap_nothing_errno;
	uint64_t un = 1;

	EXPECT_EQ(want, __vct_iommu_unmap(self->iommu, BASE, 8 * self->pg, &un));
	EXPECT_EQ(0, un);
	ASSERT_EQ(0, map_pages(self, 4, 2));
	un = 1;
	EXPECT_EQ(want, __vct_iommu_unmap(self->iommu, BASE, 4 * self->pg, &un));
	EXPECT_EQ(0, un);
	un = 1;
	EXPECT_EQ(want, __vct_iommu_unmap(self->iommu, BASE + 6 * self->pg,
					  4 * self->pg, &un));
	EXPECT_EQ(0, un);
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 4 * self->pg,
				       2 * self->pg, &un));
	EXPECT_EQ(2 * self->pg, un);
}

/*
 * An unmap covering the first page of a mapping but not its end
 * (props->unmap_partial).  type1v2: include/uapi/linux/vfio.h and
 * vfio_dma_do_unmap() refuse to bisect a mapping (-EINVAL: the range's end
 * falls inside a mapping that does not end there); iommufd (compat v2,
 * native) refuses with -ENOENT (iopt_unmap_iova_range()).  type1 v1 ("an
 * unmap request covering the first iova of mapping will unmap the entire
 * range") removes the whole mapping and reports its full size; compat v1
 * cuts the mapping at the range's ends (iopt_cut_iova()) and removes
 * exactly the range.
 */
TEST_F(map, unmap_bisecting_head_as_pinned)
{
	const struct vct_iommu_props *p = self->iommu->props;
	uint64_t un = 0;

	ASSERT_EQ(0, map_pages(self, 4, 4));
	switch (p->unmap_partial) {
	case VCT_UNMAP_PARTIAL_REFUSED:
		EXPECT_EQ(p->unmap_partial_errno,
			  __vct_iommu_unmap(self->iommu, BASE, 6 * self->pg, &un));
		EXPECT_EQ(0, un);
		EXPECT_EQ(p->unmap_partial_errno,
			  __vct_iommu_unmap(self->iommu, BASE + 4 * self->pg,
					    self->pg, &un));
		/* Nothing was removed. */
		EXPECT_EQ(-EEXIST, map_pages(self, 4, 1));
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 16 * self->pg,
					       &un));
		EXPECT_EQ(4 * self->pg, un);
		break;
	case VCT_UNMAP_PARTIAL_WHOLE:
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 4 * self->pg,
					       self->pg, &un));
		EXPECT_EQ(4 * self->pg, un);
		EXPECT_EQ(0, range_is_free(self, BASE + 4 * self->pg,
					   4 * self->pg));
		break;
	case VCT_UNMAP_PARTIAL_SPLIT:
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 4 * self->pg,
					       self->pg, &un));
		EXPECT_EQ(self->pg, un);
		EXPECT_EQ(0, range_is_free(self, BASE + 4 * self->pg, self->pg));
		/* The rest stays mapped, and is itself cut by the next unmap. */
		EXPECT_EQ(-EEXIST, map_pages(self, 5, 1));
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 6 * self->pg, &un));
		EXPECT_EQ(self->pg, un);
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 16 * self->pg, &un));
		EXPECT_EQ(2 * self->pg, un);
		break;
	}
}

/*
 * An unmap starting inside a mapping (props->unmap_partial).  Refusing
 * backends: their errno (the range's start falls inside a mapping that
 * does not start there).  type1 v1: "an unmap request offset from the
 * beginning of the original mapping will return success with zero sized
 * unmap" -- and the loop stops there, so a later mapping fully inside the
 * range stays too (vfio_dma_do_unmap(): `if (!iommu->v2 && iova >
 * dma->iova) break;`).  Compat v1: cut, exactly the range goes.
 */
TEST_F(map, unmap_bisecting_tail_as_pinned)
{
	const struct vct_iommu_props *p = self->iommu->props;
	uint64_t un = 1;

	ASSERT_EQ(0, map_pages(self, 4, 4));
	ASSERT_EQ(0, map_pages(self, 10, 1));
	switch (p->unmap_partial) {
	case VCT_UNMAP_PARTIAL_REFUSED:
	case VCT_UNMAP_PARTIAL_WHOLE:
		EXPECT_EQ(p->unmap_partial == VCT_UNMAP_PARTIAL_WHOLE ? 0 :
			  p->unmap_partial_errno,
			  __vct_iommu_unmap(self->iommu, BASE + 6 * self->pg,
					    8 * self->pg, &un));
		EXPECT_EQ(0, un);
		/* Both mappings are still there, whole. */
		EXPECT_EQ(-EEXIST, map_pages(self, 7, 1));
		EXPECT_EQ(-EEXIST, map_pages(self, 10, 1));
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 16 * self->pg, &un));
		EXPECT_EQ(5 * self->pg, un);
		break;
	case VCT_UNMAP_PARTIAL_SPLIT:
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 6 * self->pg,
					       8 * self->pg, &un));
		EXPECT_EQ(3 * self->pg, un);
		EXPECT_EQ(0, range_is_free(self, BASE + 6 * self->pg, 8 * self->pg));
		EXPECT_EQ(-EEXIST, map_pages(self, 5, 1));
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 16 * self->pg, &un));
		EXPECT_EQ(2 * self->pg, un);
		break;
	}
}

/*
 * vfio_dma_do_unmap(): with FLAG_ALL, `if (iova || size)` -> -EINVAL;
 * iommufd_vfio_unmap_dma(): `if (unmap.iova != 0 || unmap.size != 0)`
 * -EINVAL, and iommufd_vfio_check_extension() offers VFIO_UNMAP_ALL.
 */
TEST_F(map, unmap_all_with_iova_or_size_refused_einval)
{
	uint64_t un;

	NEED_TYPE1_UAPI(self);
	ASSERT_EQ(1, __vct_iommu_check_extension(self->iommu, VFIO_UNMAP_ALL));
	ASSERT_EQ(0, map_pages(self, 0, 2));
	EXPECT_EQ(-EINVAL, __vct_iommu_raw_unmap(self->iommu, VFIO_DMA_UNMAP_FLAG_ALL,
						 BASE, 0, &un));
	EXPECT_EQ(0, un);
	EXPECT_EQ(-EINVAL, __vct_iommu_raw_unmap(self->iommu, VFIO_DMA_UNMAP_FLAG_ALL,
						 0, self->pg, &un));
	EXPECT_EQ(-EINVAL, __vct_iommu_raw_unmap(self->iommu, VFIO_DMA_UNMAP_FLAG_ALL,
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
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, map_pages(self, 4 * i, i % 3 + 1)) TH_LOG("i=%llu",
			(unsigned long long)i);
	}
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
	uint32_t a0;
	uint64_t un, i;

	if (self->iommu->props->dma_avail != VCT_DMA_AVAIL_COUNTED)
		SKIP(return, "%s does not count mappings in DMA_AVAIL (dma_avail_reported_as_pinned checks what it reports)",
		     self->iommu->props->name);
	a0 = dma_avail(_metadata, self->iommu);
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
 * What the backend reports as mappings still allowed (props->dma_avail):
 * type1 a count (dma_avail_counts_mappings); compat the DMA_AVAIL
 * capability with a constant, iommufd_fill_cap_dma_avail() `.avail =
 * U32_MAX` ("iommufd's limit is based on the cgroup's memory limit"),
 * unchanged by mappings; native iommufd nothing (IOMMU_IOAS_IOVA_RANGES
 * has no such field).
 */
TEST_F(map, dma_avail_reported_as_pinned)
{
	enum vct_dma_avail kind = self->iommu->props->dma_avail;
	struct vct_iommu_info info;
	uint64_t un;
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info))
			TH_LOG("%s", vct_iommu_last_error(self->iommu));
		EXPECT_EQ(kind != VCT_DMA_AVAIL_ABSENT, info.has_dma_avail)
			TH_LOG("%s: %s mappings", self->iommu->props->name, i ? "4" : "no");
		if (kind == VCT_DMA_AVAIL_CONSTANT) {
			EXPECT_EQ(UINT32_MAX, info.dma_avail);
		} else if (kind == VCT_DMA_AVAIL_COUNTED) {
			EXPECT_GT(UINT32_MAX, info.dma_avail);
		}
		vct_iommu_info_free(&info);
		if (!i) {
			ASSERT_EQ(0, map_pages(self, 0, 4));
		}
	}
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 4 * self->pg, &un));
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

	if (self->iommu->props->dma_avail != VCT_DMA_AVAIL_COUNTED)
		SKIP(return, "%s does not take vfio_iommu_type1's dma_entry_limit",
		     self->iommu->props->name);
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
	for (i = 0; i < limit; i++) {
		ASSERT_EQ(0, map_pages(self, 2 * i, 1)) TH_LOG("mapping %llu",
			(unsigned long long)i);
	}
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
 * Where pinned pages are charged (props->lock_acct).  type1: mm->locked_vm
 * (VmLck), lock.h.  iommufd, compat and native: iopt_alloc_pages() takes
 * IOPT_PAGES_ACCOUNT_NONE with CAP_IPC_LOCK, IOPT_PAGES_ACCOUNT_USER
 * (incr_user_locked_vm(): the user's locked_vm against RLIMIT_MEMLOCK,
 * "new_pages > lock_limit" -> -ENOMEM) without it, and do_update_pinned()
 * adds every pinned page to mm->pinned_vm (VmPin) in all modes: charged()
 * reads VmPin there, VmLck must not move.
 */

/*
 * Lower RLIMIT_MEMLOCK to `pages` granules above what is charged now, with
 * CAP_IPC_LOCK gone so the limit applies (vfio_pin_pages_remote():
 * `!dma->lock_cap && mm->locked_vm + lock_acct + 1 > limit` -> -ENOMEM;
 * iommufd: incr_user_locked_vm(), the user's locked_vm, which this
 * process alone moves in a test guest: VmPin stands for it).
 */
static void low_memlock(struct __test_metadata *_metadata,
			FIXTURE_DATA(map) *self, uint64_t pages)
{
	int64_t locked = charged(self);
	struct rlimit rl;

	ASSERT_LE(0, locked);
	rl.rlim_cur = rl.rlim_max = (rlim_t)locked + pages * self->pg;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_EQ(0, vct_drop_cap_ipc_lock());
}

/* The charge grows by exactly the pinned size and shrinks back; the other counter stays. */
TEST_F(map, locked_memory_accounts_mapped_pages)
{
	bool mm = self->iommu->props->lock_acct == VCT_LOCK_ACCT_MM;
	int64_t l0 = charged(self), other = mm ? vct_vmpin_bytes() : vct_vmlck_bytes();
	uint64_t un;

	ASSERT_LE(0, l0);
	TH_LOG("%s: charged to %s", self->iommu->props->name,
	       mm ? "mm->locked_vm (VmLck)" : "mm->pinned_vm (VmPin)");
	ASSERT_EQ(0, map_pages(self, 0, 8));
	ASSERT_EQ(0, map_pages(self, 10, 3));
	EXPECT_EQ(l0 + (int64_t)(11 * self->pg), charged(self));
	EXPECT_EQ(other, mm ? vct_vmpin_bytes() : vct_vmlck_bytes())
		TH_LOG("the counter the backend does not charge moved");
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 8 * self->pg, &un));
	EXPECT_EQ(l0 + (int64_t)(3 * self->pg), charged(self));
	ASSERT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ(l0, charged(self));
}

TEST_F(map, memlock_limit_exceeded_refused_enomem)
{
	uint32_t a0 = dma_avail(_metadata, self->iommu);
	int64_t l0;
	uint64_t un;

	low_memlock(_metadata, self, 8);
	l0 = charged(self);
	EXPECT_EQ(-ENOMEM, map_pages(self, 0, 9));
	/* The refused map left nothing behind: no entry, nothing locked. */
	EXPECT_EQ(a0, dma_avail(_metadata, self->iommu));
	EXPECT_EQ(l0, charged(self));
	EXPECT_EQ(0, range_is_free(self, BASE, 8 * self->pg));
	/* Up to the limit works; one page beyond does not. */
	ASSERT_EQ(0, map_pages(self, 0, 5));
	ASSERT_EQ(0, map_pages(self, 5, 3));
	EXPECT_EQ(l0 + (int64_t)(8 * self->pg), charged(self));
	EXPECT_EQ(-ENOMEM, map_pages(self, 8, 1));
	EXPECT_EQ(avail_after(self, a0, 2), dma_avail(_metadata, self->iommu));
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, BASE + 5 * self->pg,
				       3 * self->pg, &un));
	EXPECT_EQ(0, map_pages(self, 8, 3));
	ASSERT_EQ(0, __vct_iommu_unmap_all(self->iommu, &un));
	EXPECT_EQ(8 * self->pg, un);
	EXPECT_EQ(l0, charged(self));
}

/* At the limit, map/unmap keeps working: unmap gives back all it took. */
TEST_F(map, memlock_1000_cycles_at_limit_no_leak)
{
	int64_t l0;
	uint64_t un, i;

	low_memlock(_metadata, self, 4);
	l0 = charged(self);
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, map_pages(self, (i % 4) * 4, 4)) TH_LOG("cycle %llu",
			(unsigned long long)i);
		ASSERT_EQ(0, __vct_iommu_unmap(self->iommu,
					       BASE + (i % 4) * 4 * self->pg,
					       4 * self->pg, &un));
		ASSERT_EQ(4 * self->pg, un);
	}
	EXPECT_EQ(l0, charged(self));
	EXPECT_EQ(-ENOMEM, map_pages(self, 0, 5));
}

/* Closing the container (its groups first) unpins and unaccounts all. */
TEST_F(map, container_close_returns_locked_memory)
{
	int64_t l0 = charged(self);
	bool mm = self->iommu->props->lock_acct == VCT_LOCK_ACCT_MM;

	ASSERT_LE(0, l0);
	ASSERT_EQ(0, map_pages(self, 0, 16));
	ASSERT_EQ(0, map_pages(self, 20, 4));
	EXPECT_EQ(l0 + (int64_t)(20 * self->pg), charged(self));
	vct_iommu_close(self->iommu);
	self->iommu = NULL;
	EXPECT_EQ(l0, mm ? vct_vmlck_bytes() : vct_vmpin_bytes());
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
	struct vct_iommu *io = self->iommu;

	NEED_TYPE1_UAPI(self);
	/* iommufd_vfio_check_extension(): "It is hard to see how this could be implemented safely." */
	EXPECT_EQ(io->props->update_vaddr,
		  __vct_iommu_check_extension(io, VFIO_UPDATE_VADDR) == 1);
	if (__vct_iommu_check_extension(io, VFIO_UPDATE_VADDR) != 1)
		SKIP(return, "%s: kernel lacks VFIO_UPDATE_VADDR", io->props->name);
	a0 = dma_avail(_metadata, self->iommu);
	ASSERT_EQ(0, map_pages(self, 0, 4));
	/* Valid vaddr: nothing to update. */
	EXPECT_EQ(-EINVAL, __vct_iommu_raw_map(io, V, BASE, 4 * self->pg, (uintptr_t)other));
	/* Nothing mapped there at all. */
	EXPECT_EQ(-ENOENT, __vct_iommu_raw_map(io, V, BASE + 8 * self->pg, self->pg,
				   (uintptr_t)other));
	ASSERT_EQ(0, __vct_iommu_raw_unmap(io, VFIO_DMA_UNMAP_FLAG_VADDR, BASE,
			       4 * self->pg, &un));
	EXPECT_EQ(4 * self->pg, un);
	/* Still mapped, still counted. */
	EXPECT_EQ(-EEXIST, map_pages(self, 0, 1));
	EXPECT_EQ(a0 - 1, dma_avail(_metadata, self->iommu));
	/* Invalidating twice is refused (vfio_dma_do_unmap(): vaddr_invalid). */
	EXPECT_EQ(-EINVAL, __vct_iommu_raw_unmap(io, VFIO_DMA_UNMAP_FLAG_VADDR, BASE,
				     4 * self->pg, &un));
	/* The update must name the whole mapping, without READ/WRITE. */
	EXPECT_EQ(-EINVAL, __vct_iommu_raw_map(io, V, BASE, 2 * self->pg, (uintptr_t)other));
	EXPECT_EQ(-EINVAL, __vct_iommu_raw_map(io, V | VFIO_DMA_MAP_FLAG_READ, BASE,
				   4 * self->pg, (uintptr_t)other));
	EXPECT_EQ(0, __vct_iommu_raw_map(io, V, BASE, 4 * self->pg, (uintptr_t)other));
	EXPECT_EQ(-EINVAL, __vct_iommu_raw_map(io, V, BASE, 4 * self->pg, (uintptr_t)other));
	EXPECT_EQ(a0 - 1, dma_avail(_metadata, self->iommu));
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, 4 * self->pg, &un));
	EXPECT_EQ(4 * self->pg, un);
	EXPECT_EQ(a0, dma_avail(_metadata, self->iommu));
}

/* ---- a BAR's mmap (peer to peer) ------------------------------------------------ */

/*
 * Mapping the mmap of a device BAR (props->bar_map_errno).  type1: the
 * VMA is VM_IO|VM_PFNMAP, so pin_user_pages fails and vaddr_get_pfns()
 * falls back to follow_fault_pfn() for VM_PFNMAP VMAs; the pfn is MMIO
 * (is_invalid_reserved_pfn()), so it is mapped but never pinned or
 * accounted: locked memory does not change.  6.12 allows this on type1
 * and type1v2 alike.  iommufd (compat and native) pins through
 * pin_user_pages_fast()/pin_user_pages_remote() only (pages.c
 * pfn_reader_user_pin(), no VM_PFNMAP fallback in 6.12): -EFAULT, nothing
 * mapped, nothing charged.
 */
TEST_F(map, bar_mmap_map_as_pinned)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	int want = self->iommu->props->bar_map_errno;
	int64_t l0 = charged(self);
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
	EXPECT_EQ(want, __vct_iommu_map(self->iommu, BASE, len, bar, VCT_PROT_RW))
		TH_LOG("%s: map of BAR0's mmap of %s", self->iommu->props->name,
		       self->devs[0].bdf);
	EXPECT_EQ(l0, charged(self));
	if (!want) {
		EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, BASE, len, &un));
		EXPECT_EQ(len, un);
	} else {
		EXPECT_EQ(0, range_is_free(self, BASE, self->pg));
	}
	munmap(bar, len);
	close(dev);
}

VCT_HARNESS_MAIN
