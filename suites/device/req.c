// SPDX-License-Identifier: GPL-2.0
/*
 * req: vfio-pci's two non-device interrupts, the device request (REQ,
 * VFIO_PCI_REQ_IRQ_INDEX: the host wants the device back) and the PCIe
 * error notification (ERR, VFIO_PCI_ERR_IRQ_INDEX).
 *
 * Both are single-vector eventfd triggers (vfio_pci_set_req_trigger(),
 * vfio_pci_set_err_trigger(): `if (index != ... || start != 0 || count >
 * 1) return -EINVAL;`, then vfio_pci_set_ctx_trigger_single()); ERR exists
 * on PCIe functions only (vfio_pci_get_irq_count(): `if
 * (pci_is_pcie(vdev->pdev)) return 1;`, else 0; GET_IRQ_INFO refuses it
 * with EINVAL, suites/device/device's irq_info_counts_match_libpci).
 *
 * The REQ test unbinds a test device from vfio-pci while its fd is open
 * (the orderly removal the hotplug suite triggers through QEMU, here from
 * sysfs as an administrator would), then binds it again with the
 * harness's one binding helper (__vct_pci_bind_vfio()), also when the
 * test fails.  Errnos: Linux 6.12.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "test.h"

#include "device.h"
#include "iommu.h"
#include "irq.h"

#define MAX_DEVS	8
#define REQ_MS		5000	/* REQ after the unbind starts */
#define UNBIND_MS	10000	/* the unbind to finish once the fd is closed */

FIXTURE(req) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[MAX_DEVS];
	int fd[MAX_DEVS];
	size_t n;
	int efd;
	pid_t unbinder;		/* child writing the sysfs unbind, 0: none */
	bool unbound;		/* devs[0] must be bound to vfio-pci again */
};

FIXTURE_SETUP(req)
{
	char why[512] = "";
	size_t i;
	int n;

	vct_mark_test(_metadata, variant);
	self->efd = -1;
	for (i = 0; i < MAX_DEVS; i++)
		self->fd[i] = -1;
	n = __vct_test_devices(self->devs, MAX_DEVS, why, sizeof(why));
	ASSERT_LE(0, n) TH_LOG("%s", why);
	if (!n)
		SKIP(return, "%s", why);
	self->n = vct_devs_distinct_groups(self->devs, (size_t)n);
	VCT_IOMMU_OPEN_PREFERRED_OR_SKIP(&self->iommu);
	for (i = 0; i < self->n; i++)
		VCT_IOMMU_ATTACH_DEVICE_FD(self->iommu, self->devs[i].bdf, self->fd[i]);
	self->efd = vct_efd_new();
	ASSERT_LE(0, self->efd);
}

static int group_status(int gfd)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	return ioctl(gfd, VFIO_GROUP_GET_STATUS, &st) < 0 ? -errno : (int)st.flags;
}

/* Wait up to ms for the child; its exit status, -1 if it is still running. */
static int wait_child(pid_t pid, unsigned int ms)
{
	unsigned int t;
	int st;

	for (t = 0; t <= ms; t += 10) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		vct_msleep(10);
	}
	return -1;
}

FIXTURE_TEARDOWN(req)
{
	size_t i;

	for (i = 0; i < self->n; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
	if (self->efd >= 0)
		close(self->efd);
	/* every device fd closed: a pending unbind completes now */
	if (self->unbinder > 0 && wait_child(self->unbinder, UNBIND_MS) < 0) {
		kill(self->unbinder, SIGKILL);
		waitpid(self->unbinder, NULL, 0);
	}
	vct_iommu_close(self->iommu);
	if (self->unbound) {
		int ret = __vct_pci_bind_vfio(self->devs[0].bdf);

		if (ret)
			fprintf(stderr, "# %s: binding back to vfio-pci failed: %s\n",
				self->devs[0].bdf, vct_errno_name(-ret));
	}
}

/* SET_IRQS on a single-vector index with DATA_NONE or DATA_BOOL. */
static int loopback_none(int fd, uint32_t index, uint32_t start, uint32_t count)
{
	return __vct_irq_set_none(fd, index, VFIO_IRQ_SET_ACTION_TRIGGER, start, count);
}

/*
 * The single-vector eventfd rules, on index REQ (every device) and ERR
 * (PCIe devices): GET_IRQ_INFO count 1 with EVENTFD|NORESIZE and nothing
 * else; an eventfd attaches; loopback DATA_NONE count 1 and DATA_BOOL 1
 * signal it exactly once each, DATA_BOOL 0 not at all; start 1 or count 2
 * EINVAL; detached (fd -1), a DATA_NONE trigger finds no eventfd: `if
 * (!eventfd) return -EINVAL;`.  On a conventional PCI function, SET_IRQS on
 * ERR is EINVAL (vfio_set_irqs_validate_and_prepare() with a count of 0:
 * `hdr->start >= max_irq_type`).
 */
static void check_single_vector(struct __test_metadata *_metadata, const char *bdf,
				int fd, int efd, uint32_t index, const char *name)
{
	uint32_t flags = 0, count = 0;
	uint8_t one = 1, zero = 0;
	int32_t e = efd;

	ASSERT_EQ(0, __vct_irq_info(fd, index, &flags, &count)) TH_LOG("%s: %s", bdf, name);
	EXPECT_EQ(1u, count) TH_LOG("%s: %s count", bdf, name);
	EXPECT_EQ((uint32_t)(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE), flags)
		TH_LOG("%s: %s flags", bdf, name);
	EXPECT_EQ(-EINVAL, loopback_none(fd, index, 0, 1)) TH_LOG("%s: %s trigger, no eventfd", bdf, name);
	ASSERT_EQ(0, __vct_irq_set_eventfds(fd, index, 0, 1, &e)) TH_LOG("%s: %s", bdf, name);
	EXPECT_EQ(0, vct_efd_take(efd)) TH_LOG("%s: %s signalled by attaching", bdf, name);
	EXPECT_EQ(0, loopback_none(fd, index, 0, 1));
	EXPECT_EQ(1, vct_efd_take(efd)) TH_LOG("%s: %s DATA_NONE loopback", bdf, name);
	EXPECT_EQ(0, __vct_irq_set_bool(fd, index, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &one));
	EXPECT_EQ(1, vct_efd_take(efd)) TH_LOG("%s: %s DATA_BOOL 1 loopback", bdf, name);
	EXPECT_EQ(0, __vct_irq_set_bool(fd, index, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &zero));
	EXPECT_EQ(0, vct_efd_take(efd)) TH_LOG("%s: %s DATA_BOOL 0 signalled", bdf, name);
	EXPECT_EQ(-EINVAL, loopback_none(fd, index, 1, 1)) TH_LOG("%s: %s start 1", bdf, name);
	EXPECT_EQ(-EINVAL, loopback_none(fd, index, 0, 2)) TH_LOG("%s: %s count 2", bdf, name);
	e = -1;
	EXPECT_EQ(0, __vct_irq_set_eventfds(fd, index, 0, 1, &e)) TH_LOG("%s: %s detach", bdf, name);
	EXPECT_EQ(-EINVAL, loopback_none(fd, index, 0, 1)) TH_LOG("%s: %s trigger after detach", bdf, name);
	EXPECT_EQ(0, vct_efd_take(efd));
}

TEST_F(req, req_index_single_eventfd_rules_every_device)
{
	size_t i;

	for (i = 0; i < self->n; i++)
		check_single_vector(_metadata, self->devs[i].bdf, self->fd[i], self->efd,
				    VFIO_PCI_REQ_IRQ_INDEX, "REQ");
}

TEST_F(req, err_index_on_pcie_only_single_eventfd_rules)
{
	size_t i, pcie = 0;

	for (i = 0; i < self->n; i++) {
		struct vct_pci_caps pc;
		int32_t e = self->efd;

		ASSERT_EQ(0, __vct_pci_caps(self->devs[i].bdf, &pc));
		if (pc.pcie) {
			pcie++;
			check_single_vector(_metadata, self->devs[i].bdf, self->fd[i], self->efd,
					    VFIO_PCI_ERR_IRQ_INDEX, "ERR");
			continue;
		}
		EXPECT_EQ(-EINVAL, __vct_irq_set_eventfds(self->fd[i], VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &e))
			TH_LOG("%s (conventional PCI): SET_IRQS on ERR", self->devs[i].bdf);
		EXPECT_EQ(-EINVAL, loopback_none(self->fd[i], VFIO_PCI_ERR_IRQ_INDEX, 0, 1))
			TH_LOG("%s (conventional PCI): ERR loopback", self->devs[i].bdf);
	}
	TH_LOG("%zu of %zu test devices are PCIe", pcie, self->n);
}

/* VFIO_DEVICE_SET_IRQS with exactly these header fields and one eventfd. */
static int set_irqs_raw(int fd, uint32_t argsz, uint32_t flags, uint32_t index,
			uint32_t start, uint32_t count, int32_t efd)
{
	uint64_t buf[4] = { 0 };
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

	s->argsz = argsz;
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	memcpy(s->data, &efd, sizeof(efd));
	return ioctl(fd, VFIO_DEVICE_SET_IRQS, s) ? -errno : 0;
}

/*
 * The SET_IRQS header, on REQ (every device), by
 * vfio_set_irqs_validate_and_prepare() (vfio_main.c): `hdr->argsz <
 * minsz`, `hdr->index >= max_irq_type`, flag bits outside the data and
 * action masks, `hdr->start + hdr->count > num_irqs`, two data types
 * (`default: return -EINVAL;`) and `hdr->argsz - minsz < hdr->count *
 * size` (no room for the eventfd): EINVAL.  An action the index has not
 * (MASK, or two actions at once) finds no handler in
 * vfio_pci_set_irqs_ioctl(): `if (!func) return -ENOTTY;`.  The header
 * that is right attaches the eventfd.
 */
TEST_F(req, set_irqs_header_rules_einval_unknown_action_enotty)
{
	const uint32_t hdr = sizeof(struct vfio_irq_set), full = hdr + sizeof(int32_t);
	const uint32_t EV = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	const uint32_t REQ = VFIO_PCI_REQ_IRQ_INDEX;
	size_t i;

	for (i = 0; i < self->n; i++) {
		int fd = self->fd[i], e = self->efd;
		const char *bdf = self->devs[i].bdf;

		EXPECT_EQ(-EINVAL, set_irqs_raw(fd, hdr - 1, EV, REQ, 0, 1, e)) TH_LOG("%s: argsz", bdf);
		EXPECT_EQ(-EINVAL, set_irqs_raw(fd, full, EV, VFIO_PCI_NUM_IRQS, 0, 1, e))
			TH_LOG("%s: index %u", bdf, VFIO_PCI_NUM_IRQS);
		EXPECT_EQ(-EINVAL, set_irqs_raw(fd, full, EV | (1u << 6), REQ, 0, 1, e))
			TH_LOG("%s: flag bit 6", bdf);
		EXPECT_EQ(-EINVAL, set_irqs_raw(fd, full, EV, REQ, 0, 2, e)) TH_LOG("%s: count 2", bdf);
		EXPECT_EQ(-EINVAL, set_irqs_raw(fd, full, EV, REQ, 1, 1, e)) TH_LOG("%s: start 1", bdf);
		EXPECT_EQ(-EINVAL, set_irqs_raw(fd, full, EV | VFIO_IRQ_SET_DATA_BOOL, REQ, 0, 1, e))
			TH_LOG("%s: two data types", bdf);
		EXPECT_EQ(-EINVAL, set_irqs_raw(fd, full - 1, EV, REQ, 0, 1, e))
			TH_LOG("%s: no room for the eventfd", bdf);
		EXPECT_EQ(-ENOTTY, set_irqs_raw(fd, hdr, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
						REQ, 0, 1, e)) TH_LOG("%s: MASK on REQ", bdf);
		EXPECT_EQ(-ENOTTY, set_irqs_raw(fd, full, EV | VFIO_IRQ_SET_ACTION_UNMASK, REQ, 0, 1, e))
			TH_LOG("%s: two actions", bdf);
		EXPECT_EQ(0, vct_efd_take(self->efd));
		EXPECT_EQ(0, set_irqs_raw(fd, full, EV, REQ, 0, 1, e)) TH_LOG("%s: the right header", bdf);
		EXPECT_EQ(0, loopback_none(fd, REQ, 0, 1));
		EXPECT_EQ(1, vct_efd_take(self->efd)) TH_LOG("%s: attached by the right header", bdf);
	}
}

/*
 * An administrator unbinds the device from vfio-pci while userspace holds
 * its fd.  vfio_unregister_group_dev() first takes the device out of its
 * group (a new GET_DEVICE_FD finds nothing: -ENODEV), then, until the
 * fd's last reference is gone, asks the driver for the device
 * (device->ops->request: vfio_pci_core_request() signals the REQ eventfd,
 * count 0 at once, again every 10 s) and waits; the unbind's write does
 * not return.  Meanwhile the open fd
 * works (config and GET_INFO answer); the unbind completes only after the
 * fd is closed; the emptied group is revoked (vfio_device_remove_group():
 * `group->iommu_group = NULL`): its fd answers GET_STATUS with -ENODEV.
 * The device is bound to vfio-pci again afterwards and opens as before.
 */
TEST_F_TIMEOUT(req, req_fires_on_unbind_fd_works_until_closed, 60)
{
	const char *bdf = self->devs[0].bdf;
	struct vct_region_info cfg;
	struct vct_device_info info;
	struct vct_err err = { "" };
	uint64_t vendor = 0;
	struct vct_pcidev pci;
	struct vct_kver kv = { 0 };
	char drv[64] = "", why[512] = "";
	int32_t e = self->efd;
	int st, g, fd2, gfd;
	size_t i;

	ASSERT_EQ(0, __vct_pci_find_by_bdf(bdf, &pci));
	ASSERT_EQ(0, __vct_region_info(self->fd[0], VFIO_PCI_CONFIG_REGION_INDEX, &cfg, &err));
	ASSERT_EQ(0, __vct_irq_set_eventfds(self->fd[0], VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &e));
	gfd = vct_iommu_group_fd(self->iommu, self->devs[0].group);
	ASSERT_LE(0, gfd);
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET, group_status(gfd));

	self->unbinder = fork();
	ASSERT_LE(0, self->unbinder);
	if (!self->unbinder) {
		char p[160];
		int ufd, k;
		ssize_t w;

		/*
		 * Drop every inherited fd first: a copy of the device fd (or of
		 * its group's) held here would keep the unbind below waiting
		 * for itself, uninterruptibly once signalled.
		 */
		for (k = 3; k < 1024; k++)
			close(k);
		snprintf(p, sizeof(p), VCT_SYSFS_PCI_DEVICES "/%s/driver/unbind", bdf);
		ufd = open(p, O_WRONLY | O_CLOEXEC);
		if (ufd < 0)
			_exit(2);
		w = write(ufd, bdf, strlen(bdf));	/* blocks until the fd is released */
		_exit(w == (ssize_t)strlen(bdf) ? 0 : 3);
	}
	self->unbound = true;

	EXPECT_LE(1, vct_efd_wait(self->efd, REQ_MS)) TH_LOG("%s: no REQ within %d ms of the unbind",
							    bdf, REQ_MS);
	/*
	 * Pending: the unbind waits.  The driver links are already gone
	 * (__device_release_driver() calls driver_sysfs_remove() before the
	 * bus's remove, which is what waits), the device itself is there.
	 */
	EXPECT_EQ(-1, wait_child(self->unbinder, 200)) TH_LOG("%s: the unbind finished with the fd open", bdf);
	ASSERT_EQ(0, __vct_pci_driver(bdf, drv, sizeof(drv)));
	EXPECT_STREQ("", drv) TH_LOG("%s: driver link while the unbind waits", bdf);
	/*
	 * A new open: 6.12 refuses it (vfio_device_group_unregister() runs
	 * before the wait); 6.1 still hands out an fd (seen), which is closed
	 * at once.  Kernels in between are not pinned.
	 */
	fd2 = __vct_iommu_device_fd(self->iommu, bdf);
	ASSERT_EQ(0, __vct_kernel_version(&kv));
	if (vct_kver_cmp(&kv, 6, 12) >= 0) {
		EXPECT_EQ(-ENODEV, fd2) TH_LOG("%s: a new open while the unbind waits: %s", bdf,
					       fd2 >= 0 ? "a device fd" : vct_errno_name(-fd2));
	} else {
		TH_LOG("Linux %u.%u: a new open while the unbind waits: %s", kv.major, kv.minor,
		       fd2 >= 0 ? "a device fd" : vct_errno_name(-fd2));
	}
	if (fd2 >= 0)
		close(fd2);
	/* The open fd keeps working. */
	EXPECT_EQ(0, __vct_region_rd(self->fd[0], &cfg, PCI_VENDOR_ID, 2, &vendor));
	EXPECT_EQ(pci.vendor, vendor) TH_LOG("%s: config read while the unbind waits", bdf);
	EXPECT_EQ(0, __vct_device_info(self->fd[0], &info, &err)) TH_LOG("%s: %s", bdf, err.msg);
	vct_device_info_free(&info);

	/* Released: the unbind completes, the emptied group is gone from the container. */
	close(self->fd[0]);
	self->fd[0] = -1;
	st = wait_child(self->unbinder, UNBIND_MS);
	self->unbinder = 0;
	EXPECT_EQ(0, st) TH_LOG("%s: unbind after the fd was closed: %s", bdf,
				st < 0 ? "still blocked" : "the write failed");
	ASSERT_EQ(0, __vct_pci_driver(bdf, drv, sizeof(drv)));
	EXPECT_STREQ("", drv) TH_LOG("%s still bound after the unbind", bdf);
	g = self->devs[0].group;
	EXPECT_EQ(-ENODEV, group_status(gfd)) TH_LOG("group %d's fd after its last device left", g);

	/* Bound again, the device opens as before (a new container). */
	ASSERT_EQ(0, __vct_pci_bind_vfio(bdf)) TH_LOG("%s: bind back to vfio-pci", bdf);
	self->unbound = false;
	for (i = 1; i < self->n; i++) {
		close(self->fd[i]);
		self->fd[i] = -1;
	}
	vct_iommu_close(self->iommu);
	self->iommu = NULL;
	ASSERT_EQ(0, __vct_iommu_open(vct_backend_preferred(), &self->iommu, why, sizeof(why)))
		TH_LOG("%s", why);
	ASSERT_LE(0, __vct_iommu_attach(self->iommu, bdf)) TH_LOG("%s", vct_iommu_last_error(self->iommu));
	self->fd[0] = __vct_iommu_device_fd(self->iommu, bdf);
	EXPECT_LE(0, self->fd[0]) TH_LOG("%s: open after rebinding: %s", bdf,
					 vct_errno_name(-self->fd[0]));
}

VCT_HARNESS_MAIN
