// SPDX-License-Identifier: GPL-2.0
/*
 * fault/fail_nth_map: every fault-injection point of a map of 16 pages on
 * an attached device (type1 and compat: VFIO_IOMMU_MAP_DMA; native
 * iommufd: IOMMU_IOAS_MAP), failed one at a time (harness/failnth.h),
 * ends in a clean -errno with nothing left mapped, locked or pinned.
 */
#include "test.h"

#include "failnth.h"

TEST_F_TIMEOUT(fail_nth, map_every_point_clean_no_leak, 600)
{
	const struct vct_fail_op o = {
		.name = "map", .prepare = vct_fn_open_attach, .op = vct_fn_map,
		.undo = vct_fn_undo_map,
	};

	vct_fail_nth_sweep(_metadata, self, &o);
}

VCT_HARNESS_MAIN
