// SPDX-License-Identifier: GPL-2.0
/*
 * fault/fail_nth_attach: every fault-injection point of attaching a
 * device to a fresh address space, failed one at a time
 * (harness/failnth.h), ends in a clean -errno with the device not
 * attached, or in an attachment that works; counted per kernel call:
 * type1: open of the group, VFIO_GROUP_GET_STATUS,
 * VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU; compat: the same and
 * VFIO_GROUP_GET_DEVICE_FD (the device joins the IOAS when opened);
 * native iommufd: open of the cdev, VFIO_DEVICE_BIND_IOMMUFD (the device
 * open), VFIO_DEVICE_ATTACH_IOMMUFD_PT.
 *
 * Red on Linux 6.12 where the attach opens the device (compat, native):
 * ARM64 SMMUv3, iommufd_compat_type1: N=15 fails alloc_perm_bits() under
 * vfio_msi_cap_len() during VFIO_GROUP_GET_DEVICE_FD, N=16 oopses in
 * free_perm_bits() <- vfio_config_free() and the guest hangs (doc/fail-nth.md,
 * finding 1: vdev->msi_perm freed and left set).  Reproduce:
 *   VCT_FAIL_NTH_VARIANTS=iommufd_compat_type1 ./run.sh \
 *       --host qemu-aarch64-smmuv3 --kernel build:6.12 --suite fault/fail_nth_attach
 */
#include "test.h"

#include "failnth.h"

static int op_attach(FIXTURE_DATA(fail_nth) *self)
{
	int ret = __vct_iommu_attach(self->iommu, self->devs[0].bdf);

	return ret < 0 ? ret : 0;
}

/* After attach: an attached device takes a mapping, a refused one is not attached. */
static void undo_attach(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self, int ret)
{
	struct vct_iommu_dev at[VCT_IOMMU_MAX_GROUPS];

	if (ret) {
		ASSERT_EQ(0, vct_iommu_attached(self->iommu, at, VCT_IOMMU_MAX_GROUPS))
			TH_LOG("%s: a refused attach (%s) left an attachment", self->devs[0].bdf,
			       vct_errno_name(-ret));
		return;
	}
	ASSERT_EQ(0, vct_fn_map(self)) TH_LOG("%s attached under injection takes no mapping",
					      self->devs[0].bdf);
	vct_fn_undo_map(_metadata, self, 0);
}

TEST_F_TIMEOUT(fail_nth, attach_every_point_clean_no_leak, 600)
{
	const struct vct_fail_op o = {
		.name = "attach", .prepare = vct_fn_open_only, .op = op_attach,
		.undo = undo_attach, .stepped = true,
	};

	vct_fail_nth_sweep(_metadata, self, &o);
}

VCT_HARNESS_MAIN
