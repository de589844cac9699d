// SPDX-License-Identifier: GPL-2.0
/*
 * sriov: SR-IOV virtual functions of a vfio-pci PF and the VF token that
 * ties their users together.
 *
 * vfio-pci loaded with enable_sriov=1 lets sriov_numvfs create VFs of a PF
 * it owns; the VFs it creates are its own (driver_override "vfio-pci").
 * A PF bound to vfio-pci carries a VF token, a UUID its user sets
 * (VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, or "vf_token=UUID" when opening the
 * PF while no VF is in use), and a VF's user must name the same UUID when
 * opening the VF ("BDF vf_token=UUID" to VFIO_GROUP_GET_DEVICE_FD); while a
 * VF is in use, opening the PF needs it too.  The errnos are Linux 6.12's,
 * decided in drivers/vfio/pci/vfio_pci_core.c: vfio_pci_core_match() (the
 * name's syntax), vfio_pci_validate_vf_token() (the token rules),
 * vfio_pci_core_feature_token() with vfio_check_feature() (the feature),
 * and drivers/vfio/group.c vfio_device_get_from_name() (no match: ENODEV).
 *
 * Each test creates one VF (two for the count test) and puts sriov_numvfs
 * back as it found it; the runner's journal (harness/sh/bind.sh) restores
 * the count as it was at binding time if a test dies.  SKIP without an
 * SR-IOV capable test device (QEMU 8.0+'s igb: hosts/qemu-x86_64-vtd-igb)
 * or without vfio_pci.enable_sriov=1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "test.h"

#include "device.h"
#include "iommu.h"
#include "irq.h"

#define MAX_DEVS	8

FIXTURE(sriov) {
	struct vct_iommu *iommu;
	char pf[VCT_BDF_LEN];
	char vf[VCT_BDF_LEN];
	char other[VCT_BDF_LEN];	/* a test device that is no PF, "" if none */
	int numvfs0;			/* the PF's count as found */
	int totalvfs;
	int pf_fd;			/* the PF, opened without a token */
	bool made;			/* this test changed sriov_numvfs */
};

/* UUID n as text and as the 16 bytes uuid_parse() makes of it. */
static void uuid_of(unsigned int n, char text[37], uint8_t raw[16])
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		raw[i] = (uint8_t)(0x10 * n + i);
	snprintf(text, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8],
		 raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]);
}

/*
 * VFIO_GROUP_GET_DEVICE_FD with "BDF" followed by `suffix` (e.g.
 * " vf_token=UUID"), through the group `bdf` is in: the fd or -errno.
 */
static int open_named(struct vct_iommu *iommu, const char *bdf,
		      const char *suffix)
{
	char name[128];
	int gfd = vct_iommu_group_fd(iommu, __vct_pci_iommu_group(bdf));
	int fd;

	if (gfd < 0)
		return -EBADF;
	snprintf(name, sizeof(name), "%s%s", bdf, suffix);
	fd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, name);
	return fd < 0 ? -errno : fd;
}

/* open_named() with " vf_token=" the text of UUID n. */
static int open_token(struct vct_iommu *iommu, const char *bdf, unsigned int n)
{
	char text[37], suffix[64];
	uint8_t raw[16];

	uuid_of(n, text, raw);
	snprintf(suffix, sizeof(suffix), " vf_token=%s", text);
	return open_named(iommu, bdf, suffix);
}

/* VFIO_DEVICE_FEATURE_PCI_VF_TOKEN with `flags`, data_len bytes of UUID n. */
static int token_feature(int fd, uint32_t flags, size_t data_len, unsigned int n)
{
	char buf[sizeof(struct vfio_device_feature) + 16];
	struct vfio_device_feature *f = (struct vfio_device_feature *)buf;
	char text[37];
	uint8_t raw[16];

	memset(buf, 0, sizeof(buf));
	uuid_of(n, text, raw);
	f->argsz = (uint32_t)(sizeof(*f) + data_len);
	f->flags = flags | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	memcpy(f->data, raw, data_len);
	return ioctl(fd, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
}

#define SET_TOKEN(fd, n) \
	ASSERT_EQ(0, token_feature(fd, VFIO_DEVICE_FEATURE_SET, 16, n)) \
		TH_LOG("%s: VF_TOKEN SET: %s", self->pf, vct_errno_name(errno))

static bool sriov_enabled_in_vfio_pci(void)
{
	char c = 0;
	FILE *f = fopen("/sys/module/vfio_pci/parameters/enable_sriov", "r");

	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c == 'Y';
}

FIXTURE_SETUP(sriov)
{
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS], all[MAX_DEVS];
	char why[512] = "", drv[64] = "";
	int i, n, num, total, ret;

	vct_mark_test(_metadata, variant);
	self->pf_fd = -1;
	VCT_IOMMU_SETUP_OR_SKIP(vct_backend_preferred(), 1, 0, &self->iommu, devs);
	n = __vct_test_devices(all, MAX_DEVS, why, sizeof(why));
	ASSERT_LE(1, n) TH_LOG("%s", why);
	for (i = 0; i < n; i++) {
		if (!__vct_pci_sriov_vfs(all[i].bdf, &num, &total) && total > 0) {
			if (!self->pf[0]) {
				memcpy(self->pf, all[i].bdf, VCT_BDF_LEN);
				self->numvfs0 = num;
				self->totalvfs = total;
			}
		} else if (!self->other[0]) {
			memcpy(self->other, all[i].bdf, VCT_BDF_LEN);
		}
	}
	if (!self->pf[0])
		SKIP(return, "no SR-IOV capable test device (sriov_totalvfs > 0, bound to vfio-pci): QEMU 8.0+'s igb (hosts/qemu-x86_64-vtd-igb)");
	if (!sriov_enabled_in_vfio_pci())
		SKIP(return, "vfio_pci.enable_sriov is not Y: vfio-pci refuses sriov_numvfs (vfio_pci_sriov_configure: -ENOENT)");
	ASSERT_EQ(0, self->numvfs0) TH_LOG("%s already has %d VFs", self->pf, self->numvfs0);
	ret = __vct_pci_sriov_set_numvfs(self->pf, 1);
	ASSERT_EQ(0, ret) TH_LOG("%s: sriov_numvfs 1: %s", self->pf, vct_errno_name(-ret));
	self->made = true;
	ASSERT_EQ(0, __vct_pci_sriov_vf(self->pf, 0, self->vf)) TH_LOG("%s: no virtfn0", self->pf);
	/* vfio_pci_bus_notifier gives the VF driver_override "vfio-pci"; the probe follows */
	for (i = 0; i < 300; i++) {
		if (!__vct_pci_driver(self->vf, drv, sizeof(drv)) && !strcmp(drv, "vfio-pci"))
			break;
		vct_msleep(10);
	}
	ASSERT_STREQ("vfio-pci", drv) TH_LOG("VF %s of %s: driver '%s' after 3 s", self->vf, self->pf, drv);
	ASSERT_LE(0, __vct_iommu_attach(self->iommu, self->pf))
		TH_LOG("%s: attach: %s", self->pf, vct_iommu_last_error(self->iommu));
	ASSERT_LE(0, __vct_iommu_attach(self->iommu, self->vf))
		TH_LOG("VF %s: attach: %s", self->vf, vct_iommu_last_error(self->iommu));
	self->pf_fd = open_named(self->iommu, self->pf, "");
	ASSERT_LE(0, self->pf_fd) TH_LOG("%s: open without a token (no VF in use): %s",
					 self->pf, vct_errno_name(-self->pf_fd));
	TH_LOG("PF %s (%d VFs possible), VF %s, groups %d and %d", self->pf, self->totalvfs,
	       self->vf, __vct_pci_iommu_group(self->pf), __vct_pci_iommu_group(self->vf));
}

FIXTURE_TEARDOWN(sriov)
{
	int num, total;

	if (self->pf_fd >= 0)
		close(self->pf_fd);
	vct_iommu_close(self->iommu);
	if (self->made) {
		__vct_pci_sriov_set_numvfs(self->pf, 0);
		if (self->numvfs0)
			__vct_pci_sriov_set_numvfs(self->pf, self->numvfs0);
		EXPECT_EQ(0, __vct_pci_sriov_vfs(self->pf, &num, &total));
		EXPECT_EQ(self->numvfs0, num) TH_LOG("%s: sriov_numvfs not restored", self->pf);
	}
}

/* The VF created through the vfio-pci PF belongs to vfio-pci (setup checks it). */
TEST_F(sriov, vf_of_vfio_pci_pf_binds_to_vfio_pci)
{
	char ov[64] = "";
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver_override", self->vf);
	f = fopen(p, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(ov, sizeof(ov), f));
	fclose(f);
	/* vfio_pci_bus_notifier: "Captured SR-IOV VF %s driver_override" */
	EXPECT_STREQ("vfio-pci\n", ov) TH_LOG("VF %s driver_override", self->vf);
}

/*
 * The token feature is SET-only (vfio_pci_core_feature_token:
 * vfio_check_feature(..., VFIO_DEVICE_FEATURE_SET, sizeof(uuid))): PROBE
 * with SET answers 0, GET or PROBE with GET EINVAL (a GET could reveal the
 * previous user's token), a SET shorter than a UUID EINVAL.
 */
TEST_F(sriov, pf_vf_token_feature_is_set_only)
{
	EXPECT_EQ(0, token_feature(self->pf_fd, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET, 0, 1));
	EXPECT_EQ(-EINVAL, token_feature(self->pf_fd, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET, 0, 1));
	EXPECT_EQ(-EINVAL, token_feature(self->pf_fd, VFIO_DEVICE_FEATURE_GET, 16, 1));
	EXPECT_EQ(-EINVAL, token_feature(self->pf_fd, VFIO_DEVICE_FEATURE_SET, 15, 1));
	EXPECT_EQ(0, token_feature(self->pf_fd, VFIO_DEVICE_FEATURE_SET, 16, 1));
}

/* Only a PF has the feature: a VF and a device without SR-IOV answer ENOTTY. */
TEST_F(sriov, vf_token_feature_only_on_pf)
{
	int vf;

	SET_TOKEN(self->pf_fd, 1);
	vf = open_token(self->iommu, self->vf, 1);
	ASSERT_LE(0, vf) TH_LOG("VF %s with the token: %s", self->vf, vct_errno_name(-vf));
	/* vfio_pci_core_feature_token: "if (!vdev->vf_token) return -ENOTTY" */
	EXPECT_EQ(-ENOTTY, token_feature(vf, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET, 0, 1))
		TH_LOG("VF %s", self->vf);
	close(vf);
	if (self->other[0]) {
		int o = open_named(self->iommu, self->other, "");

		if (o == -EBADF) {
			ASSERT_LE(0, __vct_iommu_attach(self->iommu, self->other));
			o = open_named(self->iommu, self->other, "");
		}
		ASSERT_LE(0, o) TH_LOG("%s: %s", self->other, vct_errno_name(-o));
		EXPECT_EQ(-ENOTTY, token_feature(o, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET, 0, 1))
			TH_LOG("%s (no SR-IOV)", self->other);
		close(o);
	}
}

/* A VF of a vfio-pci PF needs the token: none or a wrong one is EACCES. */
TEST_F(sriov, vf_open_without_or_with_wrong_token_eacces)
{
	int fd;

	SET_TOKEN(self->pf_fd, 1);
	/* vfio_pci_validate_vf_token: "VF token required to access device" */
	fd = open_named(self->iommu, self->vf, "");
	EXPECT_EQ(-EACCES, fd) TH_LOG("VF %s without a token", self->vf);
	if (fd >= 0)
		close(fd);
	/* "Incorrect VF token provided for device" */
	fd = open_token(self->iommu, self->vf, 2);
	EXPECT_EQ(-EACCES, fd) TH_LOG("VF %s with a wrong token", self->vf);
	if (fd >= 0)
		close(fd);
}

/* The right token opens the VF, and the VF works (DEVICE_GET_INFO, config). */
TEST_F(sriov, vf_open_with_right_token_works)
{
	struct vct_device_info info;
	struct vct_err err = { "" };
	uint16_t vid = 0;
	struct vct_region_info r;
	int fd;

	SET_TOKEN(self->pf_fd, 1);
	fd = open_token(self->iommu, self->vf, 1);
	ASSERT_LE(0, fd) TH_LOG("VF %s with the token: %s", self->vf, vct_errno_name(-fd));
	ASSERT_EQ(0, __vct_device_info(fd, &info, &err)) TH_LOG("%s", err.msg);
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	vct_device_info_free(&info);
	ASSERT_EQ(0, __vct_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &r, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(2, pread(fd, &vid, 2, (off_t)r.offset));
	/* a VF's vendor ID register reads 0xffff; vfio-pci virtualises it (vfio_pci_config.c) */
	EXPECT_EQ(0x8086, vid) TH_LOG("VF %s vendor through VFIO", self->vf);
	close(fd);
}

/* The token is what the PF's user set last: an older one no longer opens. */
TEST_F(sriov, vf_token_is_the_last_one_set)
{
	int fd;

	SET_TOKEN(self->pf_fd, 1);
	SET_TOKEN(self->pf_fd, 2);
	fd = open_token(self->iommu, self->vf, 1);
	EXPECT_EQ(-EACCES, fd) TH_LOG("VF %s with the replaced token", self->vf);
	if (fd >= 0)
		close(fd);
	fd = open_token(self->iommu, self->vf, 2);
	EXPECT_LE(0, fd) TH_LOG("VF %s with the new token: %s", self->vf, vct_errno_name(-fd));
	if (fd >= 0)
		close(fd);
}

/*
 * Opening the PF with a token while no VF is in use sets the token
 * (vfio_pci_validate_vf_token: "If VFs are not in use, the VF token
 * provided for the PF device will act to set the VF token").
 */
TEST_F(sriov, pf_open_with_token_sets_it)
{
	int pf, fd;

	SET_TOKEN(self->pf_fd, 1);
	pf = open_token(self->iommu, self->pf, 3);
	ASSERT_LE(0, pf) TH_LOG("%s with a token, no VF in use: %s", self->pf, vct_errno_name(-pf));
	fd = open_token(self->iommu, self->vf, 3);
	EXPECT_LE(0, fd) TH_LOG("VF %s with the token the PF open set: %s", self->vf, vct_errno_name(-fd));
	if (fd >= 0)
		close(fd);
	fd = open_token(self->iommu, self->vf, 1);
	EXPECT_EQ(-EACCES, fd) TH_LOG("VF %s with the token before it", self->vf);
	if (fd >= 0)
		close(fd);
	close(pf);
}

/*
 * While a VF is in use, opening the PF needs the current token (none or a
 * wrong one: EACCES); once the VF is closed, the PF opens without one.
 */
TEST_F(sriov, pf_open_needs_token_while_vf_in_use)
{
	int vf, fd;

	SET_TOKEN(self->pf_fd, 1);
	vf = open_token(self->iommu, self->vf, 1);
	ASSERT_LE(0, vf) TH_LOG("VF %s: %s", self->vf, vct_errno_name(-vf));
	fd = open_named(self->iommu, self->pf, "");
	EXPECT_EQ(-EACCES, fd) TH_LOG("%s without a token, VF in use", self->pf);
	if (fd >= 0)
		close(fd);
	fd = open_token(self->iommu, self->pf, 2);
	EXPECT_EQ(-EACCES, fd) TH_LOG("%s with a wrong token, VF in use", self->pf);
	if (fd >= 0)
		close(fd);
	fd = open_token(self->iommu, self->pf, 1);
	EXPECT_LE(0, fd) TH_LOG("%s with the token, VF in use: %s", self->pf, vct_errno_name(-fd));
	if (fd >= 0)
		close(fd);
	close(vf);
	fd = open_named(self->iommu, self->pf, "");
	EXPECT_LE(0, fd) TH_LOG("%s without a token, VF closed: %s", self->pf, vct_errno_name(-fd));
	if (fd >= 0)
		close(fd);
}

/*
 * The PF's user may close it first: the VF stays usable, the token stays
 * what was set (it belongs to the vfio-pci PF device, not to the open),
 * and a VF open still needs it.
 */
TEST_F(sriov, pf_closed_early_vf_keeps_working_token_kept)
{
	struct vct_device_info info;
	struct vct_err err = { "" };
	int vf, fd;

	SET_TOKEN(self->pf_fd, 1);
	vf = open_token(self->iommu, self->vf, 1);
	ASSERT_LE(0, vf) TH_LOG("VF %s: %s", self->vf, vct_errno_name(-vf));
	close(self->pf_fd);
	self->pf_fd = -1;
	EXPECT_EQ(0, __vct_device_info(vf, &info, &err)) TH_LOG("VF after the PF closed: %s", err.msg);
	if (!err.msg[0])
		vct_device_info_free(&info);
	fd = open_token(self->iommu, self->vf, 1);
	EXPECT_LE(0, fd) TH_LOG("second VF open with the token, PF closed: %s", vct_errno_name(-fd));
	if (fd >= 0)
		close(fd);
	fd = open_named(self->iommu, self->vf, "");
	EXPECT_EQ(-EACCES, fd) TH_LOG("VF open without a token, PF closed");
	if (fd >= 0)
		close(fd);
	close(vf);
}

/*
 * A token for a device that is neither a PF nor a VF of a vfio-pci PF is
 * refused: "VF token incorrectly provided, not a PF or VF" (EINVAL).
 */
TEST_F(sriov, token_for_non_sriov_device_einval)
{
	int fd;

	if (!self->other[0])
		SKIP(return, "no test device without SR-IOV besides %s", self->pf);
	if (vct_iommu_group_fd(self->iommu, __vct_pci_iommu_group(self->other)) < 0)
		ASSERT_LE(0, __vct_iommu_attach(self->iommu, self->other))
			TH_LOG("%s: %s", self->other, vct_iommu_last_error(self->iommu));
	fd = open_token(self->iommu, self->other, 1);
	EXPECT_EQ(-EINVAL, fd) TH_LOG("%s with a token", self->other);
	if (fd >= 0)
		close(fd);
}

/*
 * The name's syntax (vfio_pci_core_match): after the BDF only spaces and
 * one "vf_token=" with a whole UUID; a bad UUID, a short one, a second
 * vf_token or any other option is EINVAL; a BDF followed by anything but
 * a space matches no device (ENODEV from vfio_device_get_from_name).
 */
TEST_F(sriov, malformed_vf_token_names_refused)
{
	static const struct { const char *suffix; int err; } bad[] = {
		{ " vf_token=zz112233-4455-6677-8899-aabbccddeeff", -EINVAL },
		{ " vf_token=00112233-4455-6677-8899", -EINVAL },
		{ " vf_token=10111213-1415-1617-1819-1a1b1c1d1e1f vf_token=10111213-1415-1617-1819-1a1b1c1d1e1f", -EINVAL },
		{ " token=10111213-1415-1617-1819-1a1b1c1d1e1f", -EINVAL },
		{ "x", -ENODEV },
	};
	size_t i;
	int fd;

	SET_TOKEN(self->pf_fd, 1);
	for (i = 0; i < VCT_ARRAY_SIZE(bad); i++) {
		fd = open_named(self->iommu, self->vf, bad[i].suffix);
		EXPECT_EQ(bad[i].err, fd) TH_LOG("VF '%s%s'", self->vf, bad[i].suffix);
		if (fd >= 0)
			close(fd);
	}
	/* control: the same token spelt right, with extra spaces, opens it */
	fd = open_named(self->iommu, self->vf, "  vf_token=10111213-1415-1617-1819-1a1b1c1d1e1f");
	EXPECT_LE(0, fd) TH_LOG("VF with the token: %s", vct_errno_name(-fd));
	if (fd >= 0)
		close(fd);
}

/*
 * A non-zero VF count changes only through 0 (drivers/pci/iov.c
 * sriov_numvfs_store: "%d VFs already enabled. Disable before enabling %d
 * VFs", EBUSY), and the count stays.
 */
TEST_F(sriov, numvfs_change_without_zero_ebusy)
{
	int num = -1, total;

	if (self->totalvfs < 2)
		SKIP(return, "%s offers %d VF", self->pf, self->totalvfs);
	EXPECT_EQ(-EBUSY, __vct_pci_sriov_set_numvfs(self->pf, 2));
	ASSERT_EQ(0, __vct_pci_sriov_vfs(self->pf, &num, &total));
	EXPECT_EQ(1, num);
}

VCT_HARNESS_MAIN
