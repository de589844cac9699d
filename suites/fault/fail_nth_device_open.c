// SPDX-License-Identifier: GPL-2.0
/*
 * fault/fail_nth_device_open: every fault-injection point of opening the
 * device of an attached group (type1 and compat:
 * VFIO_GROUP_GET_DEVICE_FD; type1's first open runs vfio-pci's
 * open_device, pci_enable_device() and all), failed one at a time
 * (harness/failnth.h), ends in a clean -errno with no fd and nothing
 * leaked.  Native iommufd's device fd is the cdev opened and bound at
 * attach (swept by fail_nth_attach): here it reaches no point, a SKIP.
 *
 * Red on Linux 6.12 (doc/fail-nth.md, finding 1; hosts/known-failures):
 * ARM64 SMMUv3, type1: of 10 points, N=7 fails alloc_perm_bits() under
 * vfio_msi_cap_len(), which then `kfree(vdev->msi_perm); return ret;`
 * without clearing the pointer; N=8's open reuses the freed object and
 * its close oopses in free_perm_bits() <- vfio_config_free().  Reproduce:
 *   VCT_FAIL_NTH_VARIANTS=type1 ./run.sh --host qemu-aarch64-smmuv3 \
 *       --kernel build:6.12 --suite fault/fail_nth_device_open
 * x86 VT-d, type1 (finding 2): of 1113 points (nearly all in the ACPI
 * interpreter's _PRT evaluation in pci_enable_device()), N=34 fails
 * acpi_ut_create_update_state_and_push() inside
 * acpi_ut_update_object_reference(REF_INCREMENT), which acpi_ut_add_reference()
 * ignores ("(void)"); the close's _PRT evaluation (acpi_pci_irq_disable)
 * then takes a general protection fault.  Reproduce: the same command with
 * the default host.
 */
#include "test.h"

#include "failnth.h"

static int op_device_fd(FIXTURE_DATA(fail_nth) *self)
{
	int fd = __vct_iommu_device_fd(self->iommu, self->devs[0].bdf);

	if (fd < 0)
		return fd;
	self->dev_fd = fd;
	return 0;
}

static void undo_device_fd(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self, int ret)
{
	if (!ret) {
		ASSERT_LE(0, self->dev_fd);
		close(self->dev_fd);
		self->dev_fd = -1;
	}
}

TEST_F_TIMEOUT(fail_nth, device_open_every_point_clean_no_leak, 600)
{
	const struct vct_fail_op o = {
		.name = "device_fd", .prepare = vct_fn_open_attach, .op = op_device_fd,
		.undo = undo_device_fd, .stepped = true,
	};

	vct_fail_nth_sweep(_metadata, self, &o);
}

VCT_HARNESS_MAIN
