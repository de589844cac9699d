// SPDX-License-Identifier: GPL-2.0
/*
 * fault/fail_nth_unmap: every fault-injection point of the unmap of a
 * 16-page mapping (type1 and compat: VFIO_IOMMU_UNMAP_DMA; native
 * iommufd: IOMMU_IOAS_UNMAP), failed one at a time (harness/failnth.h),
 * ends in a clean -errno that left the mapping whole (or removed it
 * whole), and nothing locked or pinned once it is gone.
 */
#include "test.h"

#include "failnth.h"

static void map_once(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self)
{
	ASSERT_EQ(0, vct_fn_map(self)) TH_LOG("%s", self->devs[0].bdf);
}

static int op_unmap(FIXTURE_DATA(fail_nth) *self)
{
	uint64_t un = 0;
	int ret = __vct_iommu_unmap(self->iommu, VCT_FN_IOVA, VCT_FN_MAP_PAGES * self->pg, &un);

	/* (0 with less than the whole mapping unmapped is a wrong answer, not an errno) */
	return !ret && un != VCT_FN_MAP_PAGES * self->pg ? -EPROTO : ret;
}

/*
 * After an unmap: an accepted one removed the mapping (unmapping again
 * answers as an unmap of nothing: props->unmap_nothing_errno, 0 bytes); a
 * refused one left the mapping whole, or removed it whole.
 */
static void undo_unmap(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self, int ret)
{
	int nothing = vct_backend_props(self->backend)->unmap_nothing_errno, r;
	uint64_t un = 0, size = VCT_FN_MAP_PAGES * self->pg;

	ASSERT_NE(-EPROTO, ret) TH_LOG("unmap succeeded without unmapping the whole mapping");
	r = __vct_iommu_unmap(self->iommu, VCT_FN_IOVA, size, &un);
	if (!ret) {
		ASSERT_EQ(nothing, r) TH_LOG("unmapping again after an accepted unmap");
		ASSERT_EQ(0, un) TH_LOG("an accepted unmap left %#llx bytes mapped",
					(unsigned long long)un);
	} else {
		ASSERT_TRUE((r == 0 && un == size) || (r == nothing && un == 0))
			TH_LOG("after a refused unmap (%s) unmapping again answered %s with %#llx bytes",
			       vct_errno_name(-ret), vct_errno_name(-r), (unsigned long long)un);
	}
}

TEST_F_TIMEOUT(fail_nth, unmap_every_point_clean_no_leak, 600)
{
	const struct vct_fail_op o = {
		.name = "unmap", .prepare = vct_fn_open_attach, .arm = map_once,
		.op = op_unmap, .undo = undo_unmap,
	};

	vct_fail_nth_sweep(_metadata, self, &o);
}

VCT_HARNESS_MAIN
