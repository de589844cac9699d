// SPDX-License-Identifier: GPL-2.0
/*
 * feature: VFIO_DEVICE_FEATURE on vfio-pci: PROBE, GET and SET for every
 * feature id Linux 6.12's <linux/vfio.h> defines, unknown ids, the argsz
 * and flag rules, and the runtime low-power features where the device can
 * be runtime-suspended.
 *
 * What decides (Linux 6.12):
 *  - vfio_ioctl_device_feature() (drivers/vfio/vfio_main.c): `if
 *    (feature.argsz < minsz) return -EINVAL;`, unknown flag bits EINVAL,
 *    "GET & SET are mutually exclusive except with PROBE" EINVAL; then per
 *    id: MIGRATION, MIG_DEVICE_STATE, MIG_DATA_SIZE `if (!device->mig_ops)
 *    return -ENOTTY;`, DMA_LOGGING_* `if (!device->log_ops) return
 *    -ENOTTY;` (plain vfio-pci has neither: only variant drivers do), every
 *    other id goes to the driver;
 *  - vfio_pci_core_ioctl_feature() (drivers/vfio/pci/vfio_pci_core.c):
 *    LOW_POWER_ENTRY, LOW_POWER_ENTRY_WITH_WAKEUP, LOW_POWER_EXIT,
 *    PCI_VF_TOKEN (`if (!vdev->vf_token) return -ENOTTY;`: only SR-IOV PFs
 *    have one), `default: return -ENOTTY;` (BUS_MASTER is CDX's, unknown
 *    ids);
 *  - vfio_check_feature() (include/linux/vfio.h), for an id the driver
 *    serves: a direction it does not support `return -EINVAL;`, then
 *    `if (flags & VFIO_DEVICE_FEATURE_PROBE) return 0;`, "Without PROBE one
 *    of GET or SET must be requested" EINVAL, `if (argsz < minsz) return
 *    -EINVAL;`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "test.h"

#include "device.h"
#include "iommu.h"
#include "irq.h"

#define MAX_DEVS	8

#define PROBE	VFIO_DEVICE_FEATURE_PROBE
#define GET	VFIO_DEVICE_FEATURE_GET
#define SET	VFIO_DEVICE_FEATURE_SET

/* The ids of Linux 6.12's <linux/vfio.h>, by number (older headers lack some). */
enum {
	F_PCI_VF_TOKEN = 0,
	F_MIGRATION = 1,
	F_MIG_DEVICE_STATE = 2,
	F_LOW_POWER_ENTRY = 3,
	F_LOW_POWER_ENTRY_WITH_WAKEUP = 4,
	F_LOW_POWER_EXIT = 5,
	F_DMA_LOGGING_START = 6,
	F_DMA_LOGGING_STOP = 7,
	F_DMA_LOGGING_REPORT = 8,
	F_MIG_DATA_SIZE = 9,
	F_BUS_MASTER = 10,
	F_NR
};

static const char *const fname[F_NR] = {
	"PCI_VF_TOKEN", "MIGRATION", "MIG_DEVICE_STATE", "LOW_POWER_ENTRY",
	"LOW_POWER_ENTRY_WITH_WAKEUP", "LOW_POWER_EXIT", "DMA_LOGGING_START",
	"DMA_LOGGING_STOP", "DMA_LOGGING_REPORT", "MIG_DATA_SIZE", "BUS_MASTER",
};

struct fdev {
	char bdf[VCT_BDF_LEN];
	int fd;
	bool sriov_pf;		/* sysfs sriov_totalvfs exists: vfio-pci gives it a VF token */
};

FIXTURE(feature) {
	struct vct_iommu *iommu;
	struct fdev dev[MAX_DEVS];
	size_t n;
	int efd;
};

FIXTURE_SETUP(feature)
{
	struct vct_iommu_dev devs[MAX_DEVS];
	char why[512] = "", path[160];
	int i, n;

	vct_mark_test(_metadata, variant);
	self->efd = -1;
	n = __vct_test_devices(devs, MAX_DEVS, why, sizeof(why));
	ASSERT_LE(0, n) TH_LOG("%s", why);
	if (!n)
		SKIP(return, "%s", why);
	VCT_IOMMU_OPEN_PREFERRED_OR_SKIP(&self->iommu);
	for (i = 0; i < n; i++) {
		struct fdev *d = &self->dev[i];

		memcpy(d->bdf, devs[i].bdf, sizeof(d->bdf));
		d->fd = -1;
		self->n = (size_t)i + 1;
		VCT_IOMMU_ATTACH_DEVICE_FD(self->iommu, d->bdf, d->fd);
		snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s/sriov_totalvfs", d->bdf);
		d->sriov_pf = access(path, F_OK) == 0;
	}
	self->efd = vct_efd_new();
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(feature)
{
	size_t i;

	for (i = 0; i < self->n; i++)
		if (self->dev[i].fd >= 0)
			close(self->dev[i].fd);
	if (self->efd >= 0)
		close(self->efd);
	vct_iommu_close(self->iommu);
}

#define for_each_dev(d) for (d = self->dev; d < self->dev + self->n; d++)

/* ---- helpers --------------------------------------------------------------- */

/*
 * VFIO_DEVICE_FEATURE with `flags` (id | direction bits) and `len` bytes
 * of data after the header; argsz = header + len unless `argsz` is given.
 */
static int feature(int fd, uint32_t flags, const void *data, size_t len, int argsz)
{
	uint64_t buf[8] = { 0 };
	struct vfio_device_feature *f = (struct vfio_device_feature *)buf;

	if (len > sizeof(buf) - sizeof(*f))
		return -E2BIG;
	f->argsz = argsz >= 0 ? (uint32_t)argsz : (uint32_t)(sizeof(*f) + len);
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	return ioctl(fd, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
}

static int feat(int fd, uint32_t flags)
{
	return feature(fd, flags, NULL, 0, -1);
}

/*
 * What a plain vfio-pci device answers for `id` with `dir` (a subset of
 * PROBE|GET|SET that passes the generic checks).
 */
static int expected(const struct fdev *d, unsigned int id, uint32_t dir)
{
	uint32_t supported;

	switch (id) {
	case F_PCI_VF_TOKEN:
		if (!d->sriov_pf)
			return -ENOTTY;
		supported = SET;	/* "We do not support GET of the VF Token UUID" */
		break;
	case F_LOW_POWER_ENTRY:
	case F_LOW_POWER_ENTRY_WITH_WAKEUP:
	case F_LOW_POWER_EXIT:
		supported = SET;
		break;
	default:		/* no mig_ops, no log_ops, not CDX, unknown */
		return -ENOTTY;
	}
	if (dir & (GET | SET) & ~supported)
		return -EINVAL;
	return 0;		/* every dir here carries PROBE */
}

/* runtime_status of the device ("active", "suspended", ...), "" if unreadable. */
static void runtime_status(const char *bdf, char *buf, size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s/power/runtime_status", bdf);
	if (__vct_read_text(path, buf, len) < 0)
		snprintf(buf, len, "%s", "");
}

/* Wait up to ms for runtime_status to read `want`; true if it did. */
static bool wait_status(const char *bdf, const char *want, unsigned int ms)
{
	char st[32];
	unsigned int t;

	for (t = 0; t <= ms; t += 10) {
		runtime_status(bdf, st, sizeof(st));
		if (!strcmp(st, want))
			return true;
		vct_msleep(10);
	}
	return false;
}

/* ---- PROBE over every id ------------------------------------------------------- */

/*
 * Every id of 6.12's header with PROBE, PROBE|GET, PROBE|SET and
 * PROBE|GET|SET: the low-power ids support SET only (PROBE and PROBE|SET
 * 0, any GET EINVAL); PCI_VF_TOKEN the same on an SR-IOV PF, ENOTTY on
 * any other device; MIGRATION, MIG_DEVICE_STATE, MIG_DATA_SIZE,
 * DMA_LOGGING_* and BUS_MASTER ENOTTY whatever the direction.
 */
TEST_F(feature, probe_every_defined_id_exact_answer)
{
	static const uint32_t dirs[] = { PROBE, PROBE | GET, PROBE | SET, PROBE | GET | SET };
	const struct fdev *d;
	unsigned int id, k;

	for_each_dev(d)
		for (id = 0; id < F_NR; id++)
			for (k = 0; k < VCT_ARRAY_SIZE(dirs); k++) {
				int want = expected(d, id, dirs[k]);
				int got = feat(d->fd, id | dirs[k]);

				EXPECT_EQ(want, got)
					TH_LOG("%s: %s (%u) flags 0x%x: %s, want %s%s", d->bdf,
					       fname[id], id, dirs[k], got ? vct_errno_name(-got) : "0",
					       want ? vct_errno_name(-want) : "0",
					       id == F_PCI_VF_TOKEN && d->sriov_pf ? " (SR-IOV PF)" : "");
			}
}

/*
 * Ids no kernel driver of 6.12 serves, beyond the header's last
 * (BUS_MASTER, 10): the driver's `default: return -ENOTTY;`, even with
 * PROBE; PROBE never accepts what the device does not implement.  Ids 11
 * and 12 are unknown only before 6.19: 6.19's dma-buf export took 11, and
 * Debian's 7.2 answers a PROBE of 12 with EINVAL (a feature vfio-pci
 * serves there, not identified here), so from 6.19 on only ids from 0x100
 * up are taken as unknown.
 */
TEST_F(feature, probe_unknown_ids_enotty)
{
	static const uint32_t ids[] = { 0x100, 0x7fff, 0xfffe, 0xffff };
	struct vct_kver kv = { 0 };
	const struct fdev *d;
	size_t i;

	ASSERT_EQ(0, __vct_kernel_version(&kv));
	for_each_dev(d) {
		for (i = 0; i < VCT_ARRAY_SIZE(ids); i++) {
			EXPECT_EQ(-ENOTTY, feat(d->fd, ids[i] | PROBE))
				TH_LOG("%s: id 0x%x", d->bdf, ids[i]);
			EXPECT_EQ(-ENOTTY, feat(d->fd, ids[i] | PROBE | SET))
				TH_LOG("%s: id 0x%x", d->bdf, ids[i]);
			EXPECT_EQ(-ENOTTY, feat(d->fd, ids[i] | GET))
				TH_LOG("%s: id 0x%x", d->bdf, ids[i]);
		}
		if (vct_kver_cmp(&kv, 6, 19) < 0) {
			EXPECT_EQ(-ENOTTY, feat(d->fd, 11 | PROBE)) TH_LOG("%s: id 11", d->bdf);
			EXPECT_EQ(-ENOTTY, feat(d->fd, 12 | PROBE)) TH_LOG("%s: id 12", d->bdf);
		}
	}
}

/* ---- generic rules ------------------------------------------------------------- */

/*
 * Checked before the id is looked at, so the same for every id (served or
 * not): argsz below the 8-byte header, flag bits outside id|GET|SET|PROBE,
 * and GET|SET without PROBE: EINVAL.
 */
TEST_F(feature, short_argsz_unknown_flags_get_and_set_einval_for_every_id)
{
	static const uint32_t ids[] = { F_PCI_VF_TOKEN, F_MIGRATION, F_LOW_POWER_EXIT,
					F_DMA_LOGGING_STOP, F_BUS_MASTER, 0xffff };
	const struct fdev *d;
	size_t i;

	for_each_dev(d)
		for (i = 0; i < VCT_ARRAY_SIZE(ids); i++) {
			EXPECT_EQ(-EINVAL, feature(d->fd, ids[i] | PROBE, NULL, 0, 7))
				TH_LOG("%s: id %u argsz 7", d->bdf, ids[i]);
			EXPECT_EQ(-EINVAL, feature(d->fd, ids[i] | PROBE, NULL, 0, 0))
				TH_LOG("%s: id %u argsz 0", d->bdf, ids[i]);
			EXPECT_EQ(-EINVAL, feat(d->fd, ids[i] | PROBE | (1u << 19)))
				TH_LOG("%s: id %u flag bit 19", d->bdf, ids[i]);
			EXPECT_EQ(-EINVAL, feat(d->fd, ids[i] | PROBE | (1u << 31)))
				TH_LOG("%s: id %u flag bit 31", d->bdf, ids[i]);
			EXPECT_EQ(-EINVAL, feat(d->fd, ids[i] | GET | SET))
				TH_LOG("%s: id %u GET|SET", d->bdf, ids[i]);
		}
}

/*
 * A SET-only feature asked to GET, or asked nothing (no PROBE, no
 * direction): vfio_check_feature() EINVAL.  LOW_POWER_ENTRY_WITH_WAKEUP's
 * data: argsz below header + 8 bytes EINVAL (`if (argsz < minsz)`), a
 * negative eventfd EINVAL (`if (entry.wakeup_eventfd < 0)`), a file that is
 * no eventfd EINVAL and a closed fd EBADF (eventfd_ctx_fdget()).  None of
 * these entered low power: LOW_POWER_EXIT, always 0, is still accepted.
 */
TEST_F(feature, set_only_features_refuse_get_and_bad_wakeup_data)
{
	const struct fdev *d;
	int32_t ev[2];
	int nullfd, closedfd;

	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nullfd);
	closedfd = dup(nullfd);
	close(closedfd);
	for_each_dev(d) {
		EXPECT_EQ(-EINVAL, feat(d->fd, F_LOW_POWER_ENTRY | GET)) TH_LOG("%s", d->bdf);
		EXPECT_EQ(-EINVAL, feat(d->fd, F_LOW_POWER_EXIT | GET)) TH_LOG("%s", d->bdf);
		EXPECT_EQ(-EINVAL, feat(d->fd, F_LOW_POWER_ENTRY_WITH_WAKEUP | GET)) TH_LOG("%s", d->bdf);
		EXPECT_EQ(-EINVAL, feat(d->fd, F_LOW_POWER_EXIT)) TH_LOG("%s: no direction", d->bdf);
		ev[1] = 0;
		ev[0] = self->efd;
		EXPECT_EQ(-EINVAL, feature(d->fd, F_LOW_POWER_ENTRY_WITH_WAKEUP | SET, ev,
					   sizeof(ev), sizeof(struct vfio_device_feature) + 7))
			TH_LOG("%s: argsz short", d->bdf);
		ev[0] = -1;
		EXPECT_EQ(-EINVAL, feature(d->fd, F_LOW_POWER_ENTRY_WITH_WAKEUP | SET, ev,
					   sizeof(ev), -1)) TH_LOG("%s: eventfd -1", d->bdf);
		ev[0] = nullfd;
		EXPECT_EQ(-EINVAL, feature(d->fd, F_LOW_POWER_ENTRY_WITH_WAKEUP | SET, ev,
					   sizeof(ev), -1)) TH_LOG("%s: /dev/null", d->bdf);
		ev[0] = closedfd;
		EXPECT_EQ(-EBADF, feature(d->fd, F_LOW_POWER_ENTRY_WITH_WAKEUP | SET, ev,
					  sizeof(ev), -1)) TH_LOG("%s: closed fd", d->bdf);
		EXPECT_EQ(0, feat(d->fd, F_LOW_POWER_EXIT | SET)) TH_LOG("%s", d->bdf);
	}
	close(nullfd);
}

/* ---- low power ------------------------------------------------------------------ */

/*
 * LOW_POWER_ENTRY drops vfio-pci's runtime-PM reference
 * (vfio_pci_runtime_pm_entry(): pm_runtime_put_noidle()) and the device
 * runtime-suspends; entering again while engaged is refused (`if
 * (vdev->pm_runtime_engaged) { ...; return -EINVAL; }`: that ioctl's own
 * resume does not end the low-power state without a wakeup eventfd);
 * LOW_POWER_EXIT ends it (0) and the device stays active.  SKIP where the
 * device does not runtime-suspend (runtime PM off for it).
 */
TEST_F(feature, low_power_entry_suspends_reentry_einval_exit_resumes)
{
	const struct fdev *d = &self->dev[0];
	char st[32];

	ASSERT_EQ(0, feat(d->fd, F_LOW_POWER_ENTRY | SET)) TH_LOG("%s", d->bdf);
	if (!wait_status(d->bdf, "suspended", 2000)) {
		runtime_status(d->bdf, st, sizeof(st));
		ASSERT_EQ(0, feat(d->fd, F_LOW_POWER_EXIT | SET));
		SKIP(return, "%s did not runtime-suspend after LOW_POWER_ENTRY (power/runtime_status '%s'): the low-power properties need runtime PM on the device",
		     d->bdf, st);
	}
	EXPECT_EQ(-EINVAL, feat(d->fd, F_LOW_POWER_ENTRY | SET)) TH_LOG("%s: entered twice", d->bdf);
	EXPECT_EQ(0, feat(d->fd, F_LOW_POWER_EXIT | SET));
	vct_msleep(100);
	runtime_status(d->bdf, st, sizeof(st));
	EXPECT_STREQ("active", st) TH_LOG("%s after LOW_POWER_EXIT", d->bdf);
	EXPECT_EQ(0, feat(d->fd, F_LOW_POWER_EXIT | SET)) TH_LOG("%s: exit when not engaged", d->bdf);
}

/*
 * LOW_POWER_ENTRY_WITH_WAKEUP: the device suspends; the next ioctl on the
 * device resumes it (vfio_device_fops_unl_ioctl() takes a runtime-PM
 * reference), and vfio_pci_core_runtime_resume() "signals the eventfd and
 * exit[s] low power mode": the eventfd counts exactly 1 and entering
 * again is accepted (the state ended).
 */
TEST_F(feature, low_power_with_wakeup_signals_once_on_resume_and_ends)
{
	const struct fdev *d = &self->dev[0];
	struct vct_device_info info;
	struct vct_err err = { "" };
	int32_t ev[2] = { self->efd, 0 };
	char st[32];

	ASSERT_EQ(0, feature(d->fd, F_LOW_POWER_ENTRY_WITH_WAKEUP | SET, ev, sizeof(ev), -1))
		TH_LOG("%s", d->bdf);
	if (!wait_status(d->bdf, "suspended", 2000)) {
		runtime_status(d->bdf, st, sizeof(st));
		ASSERT_EQ(0, feat(d->fd, F_LOW_POWER_EXIT | SET));
		SKIP(return, "%s did not runtime-suspend after LOW_POWER_ENTRY_WITH_WAKEUP (power/runtime_status '%s')",
		     d->bdf, st);
	}
	EXPECT_EQ(0, vct_efd_take(self->efd)) TH_LOG("%s: signalled before any resume", d->bdf);
	ASSERT_EQ(0, __vct_device_info(d->fd, &info, &err)) TH_LOG("%s", err.msg);
	vct_device_info_free(&info);
	EXPECT_EQ(1, vct_efd_wait(self->efd, 1000)) TH_LOG("%s: wakeup eventfd after the resume", d->bdf);
	EXPECT_EQ(0, feature(d->fd, F_LOW_POWER_ENTRY_WITH_WAKEUP | SET, ev, sizeof(ev), -1))
		TH_LOG("%s: the resume did not end the low-power state", d->bdf);
	EXPECT_EQ(0, feat(d->fd, F_LOW_POWER_EXIT | SET));
}

VCT_HARNESS_MAIN
