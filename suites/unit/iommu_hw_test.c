// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_hw_test - which IOMMU a /sys/class/iommu instance name denotes
 * (harness/pcidev.c vct_iommu_hw_from_name), offline.  The names are those
 * the drivers give iommu_device_sysfs_add() in Linux 6.12.
 */
#include "pcidev.h"
#include "test.h"

FIXTURE(iommu_hw) {
	int unused;
};

FIXTURE_SETUP(iommu_hw)
{
	vct_mark_test(_metadata, variant);
	self->unused = 0;
}

FIXTURE_TEARDOWN(iommu_hw)
{
}

TEST_F(iommu_hw, known_instance_names)
{
	EXPECT_EQ(VCT_IOMMU_HW_VTD, vct_iommu_hw_from_name("dmar0"));
	EXPECT_EQ(VCT_IOMMU_HW_VTD, vct_iommu_hw_from_name("/sys/class/iommu/dmar1"));
	EXPECT_EQ(VCT_IOMMU_HW_AMDVI, vct_iommu_hw_from_name("ivhd0"));
	EXPECT_EQ(VCT_IOMMU_HW_SMMUV3, vct_iommu_hw_from_name("smmu3.0x0000000009050000"));
	EXPECT_EQ(VCT_IOMMU_HW_SMMU, vct_iommu_hw_from_name("smmu.0x0000000009050000"));
}

TEST_F(iommu_hw, unknown_names_are_unknown)
{
	EXPECT_EQ(VCT_IOMMU_HW_UNKNOWN, vct_iommu_hw_from_name(""));
	EXPECT_EQ(VCT_IOMMU_HW_UNKNOWN, vct_iommu_hw_from_name("smmu3"));	/* no "." */
	EXPECT_EQ(VCT_IOMMU_HW_UNKNOWN, vct_iommu_hw_from_name("/sys/class/iommu/dmar0/x"));
	EXPECT_EQ(VCT_IOMMU_HW_UNKNOWN, vct_iommu_hw_from_name("ipmmu-vmsa"));
	/* virtio-iommu's instance is named after its transport: found by driver */
	EXPECT_EQ(VCT_IOMMU_HW_UNKNOWN, vct_iommu_hw_from_name("0000:00:02.0"));
}

TEST_F(iommu_hw, kind_names)
{
	EXPECT_STREQ("SMMUv3", vct_iommu_hw_name(VCT_IOMMU_HW_SMMUV3));
	EXPECT_STREQ("VT-d", vct_iommu_hw_name(VCT_IOMMU_HW_VTD));
	EXPECT_STREQ("none", vct_iommu_hw_name(VCT_IOMMU_HW_NONE));
	EXPECT_STREQ("unknown", vct_iommu_hw_name(VCT_IOMMU_HW_UNKNOWN));
}

VCT_HARNESS_MAIN
