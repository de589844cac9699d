// SPDX-License-Identifier: GPL-2.0
/*
 * info: the layout of the VFIO_IOMMU_GET_INFO answer itself.
 *
 * The harness reads the capability chain leniently (4-byte alignment
 * accepted, harness/iommu.h cap_misaligned) so that one layout defect does
 * not hide every other test on older kernels; this test is where the
 * 8-byte alignment the uapi promises is checked, once per kernel (the
 * chain is built by the same vfio_info_cap_add for type1 and type1v2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/vfio.h>

#include "test.h"

#include "iommu.h"

FIXTURE(info) {
	struct vct_iommu *iommu;
};

FIXTURE_SETUP(info)
{
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];

	vct_mark_test(_metadata, variant);
	VCT_IOMMU_SETUP_OR_SKIP(vct_backend_preferred(), 1, 1, &self->iommu, devs);
}

FIXTURE_TEARDOWN(info)
{
	vct_iommu_close(self->iommu);
}

/*
 * Every capability of the chain starts on an 8-byte boundary, so that its
 * u64 fields (IOVA_RANGE's ranges, MIGRATION's bitmaps) are naturally
 * aligned.  Kernels before upstream commit a881b496941f ("vfio: align
 * capability structures", Linux 6.6) did not pad in vfio_info_cap_add():
 * on Debian's 6.1 the IOVA_RANGE after the 12-byte DMA_AVAIL sits at 0x44.
 */
TEST_F(info, iommu_caps_8_byte_aligned)
{
	struct vct_iommu_info info;

	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	if (!info.cap_offset) {
		vct_iommu_info_free(&info);
		SKIP(return, "VFIO_IOMMU_GET_INFO reports no capabilities");
	}
	EXPECT_EQ(0, info.cap_offset % 8)
		TH_LOG("cap_offset 0x%x is not 8-byte aligned", info.cap_offset);
	EXPECT_EQ(0, info.cap_misaligned)
		TH_LOG("VFIO_IOMMU_GET_INFO capability at 0x%x is only 4-byte aligned: "
		       "this kernel does not pad capabilities to 8 bytes in "
		       "vfio_info_cap_add() (fixed upstream by a881b496941f \"vfio: "
		       "align capability structures\", Linux 6.6)", info.cap_misaligned);
	vct_iommu_info_free(&info);
}

VCT_HARNESS_MAIN
