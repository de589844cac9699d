// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_props_test - the backend tables of harness/iommu.h, offline: every
 * backend has properties, named as the kernel's VFIO selftests name their
 * IOMMU modes (tools/testing/selftests/vfio), and the properties agree
 * with each other and with the ops tables (a raw type1 op where the type1
 * uapi is claimed, ALLOW_IOVAS only where it is offered).
 */
#include <errno.h>
#include <string.h>

#include <linux/vfio.h>

#include "iommu.h"
#include "test.h"

FIXTURE(iommu_props) {
	int unused;
};

FIXTURE_SETUP(iommu_props)
{
	vct_mark_test(_metadata, variant);
	self->unused = 0;
}

FIXTURE_TEARDOWN(iommu_props)
{
}

static const char *const selftest_modes[VCT_BACKEND_NR] = {
	[VCT_BACKEND_TYPE1] = "type1",
	[VCT_BACKEND_TYPE1v2] = "type1v2",
	[VCT_BACKEND_IOMMUFD_COMPAT_TYPE1] = "iommufd_compat_type1",
	[VCT_BACKEND_IOMMUFD_COMPAT_TYPE1v2] = "iommufd_compat_type1v2",
	[VCT_BACKEND_IOMMUFD] = "iommufd",
};

TEST_F(iommu_props, names_are_the_kernel_selftest_modes)
{
	int b;

	for (b = 0; b < VCT_BACKEND_NR; b++) {
		ASSERT_NE(NULL, vct_backend_props((enum vct_backend)b));
		EXPECT_STREQ(selftest_modes[b], vct_backend_name((enum vct_backend)b));
		EXPECT_STREQ(selftest_modes[b], vct_backend_props((enum vct_backend)b)->name);
	}
	EXPECT_EQ(NULL, vct_backend_props(VCT_BACKEND_NR));
	EXPECT_STREQ("?", vct_backend_name(VCT_BACKEND_NR));
}

TEST_F(iommu_props, properties_agree_with_each_other)
{
	int b;

	for (b = 0; b < VCT_BACKEND_NR; b++) {
		const struct vct_iommu_props *p = vct_backend_props((enum vct_backend)b);

		/* A refused partial unmap names its errno; the others succeed. */
		if (p->unmap_partial == VCT_UNMAP_PARTIAL_REFUSED) {
			EXPECT_GT(0, p->unmap_partial_errno) TH_LOG("%s", p->name);
		} else {
			EXPECT_EQ(0, p->unmap_partial_errno) TH_LOG("%s", p->name);
		}
		/* The container backends speak type1 and set a model; the cdev attaches devices. */
		EXPECT_EQ(p->type1_uapi, p->groups) TH_LOG("%s", p->name);
		EXPECT_EQ(p->type1_uapi, p->vfio_model != 0) TH_LOG("%s", p->name);
		EXPECT_NE(p->groups, p->attaches_devices) TH_LOG("%s", p->name);
		EXPECT_TRUE(p->vfio_model == 0 || p->vfio_model == VFIO_TYPE1_IOMMU ||
			    p->vfio_model == VFIO_TYPE1v2_IOMMU) TH_LOG("%s", p->name);
		/* Where the address space is /dev/iommu, iommufd's accounting and wrap errno. */
		if (!strcmp(p->dev_path, "/dev/iommu")) {
			EXPECT_EQ(VCT_LOCK_ACCT_USER, p->lock_acct) TH_LOG("%s", p->name);
			EXPECT_EQ(-EOVERFLOW, p->map_wrap_errno) TH_LOG("%s", p->name);
			EXPECT_NE(VCT_DMA_AVAIL_COUNTED, p->dma_avail) TH_LOG("%s", p->name);
			EXPECT_FALSE(p->update_vaddr) TH_LOG("%s", p->name);
		} else {
			EXPECT_STREQ("/dev/vfio/vfio", p->dev_path);
			EXPECT_EQ(VCT_LOCK_ACCT_MM, p->lock_acct) TH_LOG("%s", p->name);
			EXPECT_EQ(VCT_DMA_AVAIL_COUNTED, p->dma_avail) TH_LOG("%s", p->name);
		}
		/* Only a group's device joins at its open, and only on /dev/iommu. */
		if (p->attach_at_device_open) {
			EXPECT_TRUE(p->groups && !strcmp(p->dev_path, "/dev/iommu"))
				TH_LOG("%s", p->name);
		}
	}
}

TEST_F(iommu_props, ops_tables_offer_what_the_properties_claim)
{
	const struct vct_iommu_ops *ops[VCT_BACKEND_NR] = {
		&vct_iommu_type1_ops, &vct_iommu_type1_ops, &vct_iommu_type1_ops,
		&vct_iommu_type1_ops, &vct_iommu_iommufd_ops,
	};
	int b;

	for (b = 0; b < VCT_BACKEND_NR; b++) {
		const struct vct_iommu_props *p = vct_backend_props((enum vct_backend)b);
		const struct vct_iommu_ops *o = ops[b];

		EXPECT_EQ(p->type1_uapi, o->raw_map != NULL) TH_LOG("%s", p->name);
		EXPECT_EQ(p->type1_uapi, o->raw_unmap != NULL) TH_LOG("%s", p->name);
		EXPECT_EQ(p->type1_uapi, o->check_extension != NULL) TH_LOG("%s", p->name);
		EXPECT_EQ(p->groups, o->group_fd != NULL) TH_LOG("%s", p->name);
		EXPECT_EQ(p->allow_iovas, o->allow_iovas != NULL) TH_LOG("%s", p->name);
		EXPECT_EQ(p->hwpt, o->dev_id && o->hw_caps && o->hwpt_alloc && o->destroy &&
			  o->hwpt_set_dirty && o->hwpt_get_dirty && o->mock_attach &&
			  o->mock_dirty) TH_LOG("%s", p->name);
		EXPECT_EQ(p->hwpt, o->hwpt_alloc != NULL) TH_LOG("%s", p->name);
		EXPECT_TRUE(o->open && o->attach && o->detach && o->forget && o->attached &&
			    o->map && o->unmap && o->unmap_all && o->info && o->device_fd &&
			    o->container_fd && o->close) TH_LOG("%s", p->name);
	}
}

VCT_HARNESS_MAIN
