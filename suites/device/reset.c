// SPDX-License-Identifier: GPL-2.0
/*
 * reset: VFIO_DEVICE_RESET, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO and
 * VFIO_DEVICE_PCI_HOT_RESET on vfio-pci (group mode).
 *
 * What Linux 6.12 promises (drivers/vfio/pci/vfio_pci_core.c):
 *   - VFIO_DEVICE_RESET (vfio_pci_core_ioctl_reset) is
 *     pci_try_reset_function(): the function is reset (FLR, PM or bus
 *     reset, whichever the PCI core has) between pci_dev_save_and_disable()
 *     and pci_dev_restore(), so the device's own registers return to their
 *     defaults while config space (command register, BARs, the MSI/MSI-X
 *     state the kernel set up) is restored as it was; EINVAL when the
 *     device cannot be reset (!vdev->reset_works).  The IOMMU is not
 *     involved: the container's mappings stay.
 *   - GET_PCI_HOT_RESET_INFO lists every function a slot or bus reset
 *     would reset (vfio_pci_fill_devs over vfio_pci_for_each_slot_or_bus),
 *     with its group; ENOSPC and the count when argsz leaves no room;
 *     ENODEV when neither a slot nor a bus reset is possible (a root bus).
 *   - PCI_HOT_RESET (vfio_pci_ioctl_pci_hot_reset, ..._groups and
 *     vfio_pci_dev_set_hot_reset): flags must be 0 and, for a group-opened
 *     device, count non-zero (EINVAL); count at most the number of
 *     functions reset (EINVAL); every fd a file (EBADF) that is a VFIO
 *     group (EINVAL); every function of the reset in one of the groups
 *     given, else EINVAL too (vfio_pci_dev_set_hot_reset: "if (!owned) {
 *     ret = -EINVAL; break; }"; 6.12's only EPERM here is the info's for a
 *     device without an IOMMU group, "Cannot reset non-isolated devices").
 * (suites/device/device.c has EINVAL without FLAGS_RESET, ENODEV on a root
 * bus and the device among its own hot-reset dependents.)
 * Which device has which reset comes from sysfs (`reset`); the proof that
 * a reset happened is a register the device itself clears (the table
 * below), never the ioctl's return value alone.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "test.h"

#include "device.h"
#include "dma.h"
#include "iommu.h"
#include "irq.h"

#define MAX_DEVS	8
#define MAX_FN		16

/*
 * A BAR0 register the device clears on reset: written with `val`, read
 * back (it holds it), and 0 after a reset.
 */
static const struct reset_reg {
	uint16_t vendor, device;
	uint32_t off;
	uint32_t val;
	const char *what;
} reset_regs[] = {
	/* 82576 RDBAL0 (igb_core.c: every MAC register to its default on reset, 0) */
	{ 0x8086, 0x10c9, 0xc000, 0x12345600, "igb RDBAL0" },
	/*
	 * NVMe CC with EN 0 (IOCQES 4, IOSQES 6): QEMU's nvme_ctrl_reset(), run
	 * on every reset, does "stl_le_p(&n->bar.cc, 0)" (AQA survives it)
	 */
	{ 0x1b36, 0x0010, 0x14, 0x00460000, "nvme CC" },
};

static const struct reset_reg *reset_reg_of(const struct vct_pcidev *p)
{
	size_t i;

	for (i = 0; i < VCT_ARRAY_SIZE(reset_regs); i++)
		if (reset_regs[i].vendor == p->vendor && reset_regs[i].device == p->device)
			return &reset_regs[i];
	return NULL;
}

struct rdev {
	char bdf[VCT_BDF_LEN];
	int group;
	int fd;
	struct vct_pcidev pci;
	uint32_t flags;			/* VFIO_DEVICE_GET_INFO flags */
	struct vct_region_info cfg, bar0;
};

FIXTURE(reset) {
	struct vct_iommu *iommu;
	struct rdev dev[MAX_DEVS];
	size_t n;
};

FIXTURE_SETUP(reset)
{
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS], all[MAX_DEVS];
	char why[512] = "";
	size_t i;
	int ret;

	vct_mark_test(_metadata, variant);
	VCT_IOMMU_SETUP_OR_SKIP(vct_backend_preferred(), 1, 0, &self->iommu, devs);
	ret = __vct_test_devices(all, MAX_DEVS, why, sizeof(why));
	ASSERT_LE(1, ret) TH_LOG("%s", why);
	for (i = 0; i < (size_t)ret; i++) {
		struct rdev *d = &self->dev[self->n];
		struct vct_device_info info;
		struct vct_err err = { "" };

		memcpy(d->bdf, all[i].bdf, VCT_BDF_LEN);
		d->group = all[i].group;
		VCT_IOMMU_ATTACH(self->iommu, d->bdf);
		d->fd = __vct_iommu_device_fd(self->iommu, d->bdf);
		if (d->fd == -EACCES)
			continue;	/* a PF with VFs in use: sriov's business */
		ASSERT_LE(0, d->fd) TH_LOG("%s: GET_DEVICE_FD: %s", d->bdf, vct_errno_name(-d->fd));
		ASSERT_EQ(0, __vct_pci_find_by_bdf(d->bdf, &d->pci));
		ASSERT_EQ(0, __vct_device_info(d->fd, &info, &err)) TH_LOG("%s", err.msg);
		d->flags = info.flags;
		vct_device_info_free(&info);
		ASSERT_EQ(0, __vct_region_info(d->fd, VFIO_PCI_CONFIG_REGION_INDEX, &d->cfg, &err));
		ASSERT_EQ(0, __vct_region_info(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &d->bar0, &err));
		self->n++;
	}
}

FIXTURE_TEARDOWN(reset)
{
	size_t i;

	for (i = 0; i < self->n; i++)
		if (self->dev[i].fd >= 0)
			close(self->dev[i].fd);
	vct_iommu_close(self->iommu);
}

static int cmd_set(struct rdev *d, uint16_t bits)
{
	uint64_t cmd;
	int ret = __vct_region_rd(d->fd, &d->cfg, PCI_COMMAND, 2, &cmd);

	return ret ? ret : __vct_region_wr(d->fd, &d->cfg, PCI_COMMAND, 2, cmd | bits);
}

/*
 * The device's reset really resets it: a register the device clears (the
 * table) holds a written value before VFIO_DEVICE_RESET and its default
 * (0) after; the reset answers 0.
 */
TEST_F(reset, device_reset_clears_device_registers)
{
	size_t i, tested = 0;

	for (i = 0; i < self->n; i++) {
		struct rdev *d = &self->dev[i];
		const struct reset_reg *r = reset_reg_of(&d->pci);
		uint64_t v = 0;

		if (!r || !(d->flags & VFIO_DEVICE_FLAGS_RESET))
			continue;
		tested++;
		ASSERT_EQ(0, cmd_set(d, PCI_COMMAND_MEMORY));
		ASSERT_EQ(0, __vct_region_wr(d->fd, &d->bar0, r->off, 4, r->val));
		ASSERT_EQ(0, __vct_region_rd(d->fd, &d->bar0, r->off, 4, &v));
		ASSERT_EQ(r->val, v) TH_LOG("%s %s: the register does not hold what was written (control)", d->bdf, r->what);
		ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_RESET)) TH_LOG("%s: VFIO_DEVICE_RESET: %m", d->bdf);
		ASSERT_EQ(0, __vct_region_rd(d->fd, &d->bar0, r->off, 4, &v));
		EXPECT_EQ(0, v) TH_LOG("%s %s after VFIO_DEVICE_RESET", d->bdf, r->what);
	}
	if (!tested)
		SKIP(return, "no resettable test device with a known reset register (igb, QEMU's nvme)");
}

/*
 * Config space comes back as it was (pci_dev_restore -> pci_restore_state):
 * the command register the user set, every BAR, vendor/device, in the real
 * config space (sysfs) and through VFIO.
 */
TEST_F(reset, device_reset_restores_command_and_bars)
{
	uint8_t before[PCI_STD_HEADER_SIZEOF], after[PCI_STD_HEADER_SIZEOF];
	uint8_t vbefore[0x28], vafter[0x28];
	size_t i, tested = 0;

	for (i = 0; i < self->n; i++) {
		struct rdev *d = &self->dev[i];

		if (!(d->flags & VFIO_DEVICE_FLAGS_RESET))
			continue;
		ASSERT_EQ(0, cmd_set(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
		ASSERT_EQ(0, __vct_sysfs_cfg_read(d->bdf, 0, before, sizeof(before)));
		ASSERT_EQ((ssize_t)sizeof(vbefore), __vct_region_read(d->fd, &d->cfg, 0, vbefore, sizeof(vbefore)));
		ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_RESET)) TH_LOG("%s: %m", d->bdf);
		ASSERT_EQ(0, __vct_sysfs_cfg_read(d->bdf, 0, after, sizeof(after)));
		ASSERT_EQ((ssize_t)sizeof(vafter), __vct_region_read(d->fd, &d->cfg, 0, vafter, sizeof(vafter)));
		EXPECT_EQ(0, memcmp(before, after, 4)) TH_LOG("%s: vendor/device changed", d->bdf);
		EXPECT_EQ(0, memcmp(before + PCI_COMMAND, after + PCI_COMMAND, 2))
			TH_LOG("%s: command %02x%02x -> %02x%02x", d->bdf, before[5], before[4], after[5], after[4]);
		EXPECT_EQ(0, memcmp(before + PCI_BASE_ADDRESS_0, after + PCI_BASE_ADDRESS_0, 24))
			TH_LOG("%s: BARs changed in config space", d->bdf);
		EXPECT_EQ(0, memcmp(vbefore + PCI_COMMAND, vafter + PCI_COMMAND, 2)) TH_LOG("%s: VFIO's command", d->bdf);
		EXPECT_EQ(0, memcmp(vbefore + PCI_BASE_ADDRESS_0, vafter + PCI_BASE_ADDRESS_0, 24))
			TH_LOG("%s: VFIO's BARs changed", d->bdf);
		tested++;
	}
	if (!tested)
		SKIP(return, "no test device the kernel can reset (VFIO_DEVICE_FLAGS_RESET)");
}

/*
 * The container's mappings survive the reset: an engine whose device was
 * reset (its registers set up again by its driver, on the same fd) moves
 * bytes through mappings made before the reset.
 */
TEST_F(reset, dma_through_mappings_made_before_reset)
{
	const uint64_t stage_iova = 0x100000, iova = 0x200000, len = 4096;
	struct vct_dma_engine *e = NULL;
	uint8_t *stage, *buf, data[4096];
	char why[512] = "";
	struct rdev *d = NULL;
	size_t i;
	int ret;

	for (i = 0; i < self->n && !d; i++) {
		const char *drv = vct_dma_driver_name(self->dev[i].bdf);

		if (drv && (self->dev[i].flags & VFIO_DEVICE_FLAGS_RESET))
			d = &self->dev[i];
	}
	if (!d)
		SKIP(return, "no resettable test device with a DMA engine driver");
	ret = __vct_dma_open(self->iommu, d->bdf, &e, why, sizeof(why));
	if (ret == -ENODEV || ret == -EPERM)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, ret) TH_LOG("%s", why);
	if (!e->can_load) {
		vct_dma_close(e);
		SKIP(return, "%s: %s", d->bdf, e->cannot);
	}
	stage = vct_dma_alloc(len);
	buf = vct_dma_alloc(len);
	ASSERT_TRUE(stage && buf);
	ASSERT_EQ(0, __vct_iommu_map(self->iommu, stage_iova, len, stage, VCT_PROT_RW));
	ASSERT_EQ(0, __vct_iommu_map(self->iommu, iova, len, buf, VCT_PROT_RW));
	vct_dma_set_staging(e, stage, stage_iova, len);
	vct_pattern_fill(data, len, 7);
	memset(buf, 0, len);
	/* control: the engine works before the reset */
	ASSERT_EQ(0, __vct_dma_load(e, 0, data, len)) TH_LOG("%s", e->err);
	ASSERT_EQ(0, __vct_dma_write(e, iova, 0, len)) TH_LOG("%s", e->err);
	ASSERT_EQ(-1, vct_mem_diff(buf, data, len)) TH_LOG("before the reset");

	e->drv->remove(e);
	ASSERT_EQ(0, ioctl(e->device_fd, VFIO_DEVICE_RESET)) TH_LOG("%s: %m", d->bdf);
	ret = e->drv->init(e);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s init after reset: %s", d->bdf, e->drv->name, e->err);
	vct_dma_set_staging(e, stage, stage_iova, len);
	vct_pattern_fill(data, len, 8);
	memset(buf, 0, len);
	ASSERT_EQ(0, __vct_dma_load(e, 0, data, len)) TH_LOG("%s", e->err);
	ASSERT_EQ(0, __vct_dma_write(e, iova, 0, len)) TH_LOG("%s", e->err);
	EXPECT_EQ(-1, vct_mem_diff(buf, data, len))
		TH_LOG("%s: DMA through the mapping made before the reset", d->bdf);
	vct_dma_close(e);
	__vct_iommu_unmap(self->iommu, stage_iova, len, NULL);
	__vct_iommu_unmap(self->iommu, iova, len, NULL);
	vct_dma_free(stage, len);
	vct_dma_free(buf, len);
}

/*
 * The MSI-X state the kernel set up survives the reset: with MSI-X enabled
 * through VFIO_DEVICE_SET_IRQS (one vector on an eventfd), the physical
 * Message Control word (sysfs `config`) is the same after VFIO_DEVICE_RESET
 * as before it, Enable set, Function Mask clear: pci_try_reset_function()
 * resets between pci_dev_save_and_disable() and pci_dev_restore(), whose
 * pci_restore_state() calls pci_restore_msi_state() (__pci_restore_msix_state:
 * Enable|MaskAll, the table, then MaskAll cleared).  The vectors stay VFIO's:
 * disabling the index afterwards answers 0 and clears Enable.
 */
TEST_F(reset, device_reset_keeps_msix_as_set_up)
{
	size_t i, tested = 0;

	for (i = 0; i < self->n; i++) {
		struct rdev *d = &self->dev[i];
		struct vct_pci_caps caps;
		uint16_t before = 0, after = 0, off;
		int32_t efd;

		if (!(d->flags & VFIO_DEVICE_FLAGS_RESET))
			continue;
		ASSERT_EQ(0, __vct_pci_caps(d->bdf, &caps)) TH_LOG("%s: capabilities", d->bdf);
		if (!caps.msix)
			continue;
		tested++;
		off = (uint16_t)(caps.msix_off + PCI_MSIX_FLAGS);
		efd = vct_efd_new();
		ASSERT_LE(0, efd);
		ASSERT_EQ(0, __vct_irq_set_eventfds(d->fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &efd))
			TH_LOG("%s: MSI-X vector 0 on an eventfd", d->bdf);
		ASSERT_EQ(0, __vct_sysfs_cfg_read(d->bdf, off, &before, sizeof(before)));
		EXPECT_EQ(PCI_MSIX_FLAGS_ENABLE, before & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL))
			TH_LOG("%s: MSI-X control 0x%04x before the reset", d->bdf, before);
		ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_RESET)) TH_LOG("%s: VFIO_DEVICE_RESET: %m", d->bdf);
		ASSERT_EQ(0, __vct_sysfs_cfg_read(d->bdf, off, &after, sizeof(after)));
		EXPECT_EQ(before, after) TH_LOG("%s: MSI-X control 0x%04x before the reset, 0x%04x after",
						d->bdf, before, after);
		EXPECT_EQ(0, __vct_irq_disable(d->fd, VFIO_PCI_MSIX_IRQ_INDEX)) TH_LOG("%s", d->bdf);
		ASSERT_EQ(0, __vct_sysfs_cfg_read(d->bdf, off, &after, sizeof(after)));
		EXPECT_EQ(0, after & PCI_MSIX_FLAGS_ENABLE)
			TH_LOG("%s: MSI-X control 0x%04x after disabling the index", d->bdf, after);
		close(efd);
	}
	if (!tested)
		SKIP(return, "no resettable test device with MSI-X (igb, QEMU's nvme)");
}

/* ---- hot reset ---------------------------------------------------------------- */

/* The functions on bdf's bus ("dddd:bb:"), from sysfs; the count. */
static int bus_functions(const char *bdf, char (*out)[VCT_BDF_LEN], int max)
{
	DIR *dir = opendir(VCT_SYSFS_PCI_DEVICES);
	struct dirent *de;
	int n = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, bdf, 8) && strlen(de->d_name) == 12 && n < max)
			snprintf(out[n++], VCT_BDF_LEN, "%s", de->d_name);
	closedir(dir);
	return n;
}

/* A test device behind a bridge sharing its bus with another function. */
static struct rdev *multi_fn(FIXTURE_DATA(reset) *self, int *nfn)
{
	char fns[MAX_FN][VCT_BDF_LEN];
	size_t i;

	for (i = 0; i < self->n; i++) {
		int n = bus_functions(self->dev[i].bdf, fns, MAX_FN);

		if (__vct_sysfs_on_root_bus(self->dev[i].bdf) == 0 && n > 1) {
			*nfn = n;
			return &self->dev[i];
		}
	}
	return NULL;
}

static int hot_reset(int fd, uint32_t flags, uint32_t count, const int32_t *fds)
{
	char buf[sizeof(struct vfio_pci_hot_reset) + MAX_FN * sizeof(int32_t)];
	struct vfio_pci_hot_reset *h = (struct vfio_pci_hot_reset *)buf;

	memset(buf, 0, sizeof(buf));
	h->argsz = (uint32_t)(sizeof(*h) + count * sizeof(int32_t));
	h->flags = flags;
	h->count = count;
	if (count)
		memcpy(h->group_fds, fds, count * sizeof(int32_t));
	return ioctl(fd, VFIO_DEVICE_PCI_HOT_RESET, h) ? -errno : 0;
}

#define NEED_MULTI(d, nfn) do { \
	d = multi_fn(self, &nfn); \
	if (!d) \
		SKIP(return, "no test device behind a bridge that shares its bus with another function (hosts/qemu-x86_64-vtd-igb: vct-rp2)"); \
} while (0)

/*
 * The info lists exactly the functions on the bus (sysfs), each with its
 * segment, bus, devfn and IOMMU group; too small an argsz is ENOSPC with
 * the count filled in.
 */
TEST_F(reset, hot_reset_info_lists_every_function_on_the_bus)
{
	char fns[MAX_FN][VCT_BDF_LEN];
	char buf[sizeof(struct vfio_pci_hot_reset_info) + MAX_FN * sizeof(struct vfio_pci_dependent_device)];
	struct vfio_pci_hot_reset_info *h = (struct vfio_pci_hot_reset_info *)buf;
	struct rdev *d;
	int nfn, i, j;

	NEED_MULTI(d, nfn);
	ASSERT_EQ(nfn, bus_functions(d->bdf, fns, MAX_FN));
	memset(buf, 0, sizeof(buf));
	h->argsz = sizeof(*h);
	errno = 0;
	EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, h));
	EXPECT_EQ(ENOSPC, errno) TH_LOG("%s: argsz of the header only", d->bdf);
	EXPECT_EQ((uint32_t)nfn, h->count) TH_LOG("%s: count with ENOSPC", d->bdf);
	memset(buf, 0, sizeof(buf));
	h->argsz = sizeof(buf);
	ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, h)) TH_LOG("%s: %m", d->bdf);
	ASSERT_EQ((uint32_t)nfn, h->count) TH_LOG("%s: functions on its bus", d->bdf);
	for (i = 0; i < nfn; i++) {
		unsigned int seg, bus, dev, fn;
		bool found = false;

		ASSERT_EQ(4, sscanf(fns[i], "%x:%x:%x.%x", &seg, &bus, &dev, &fn));
		for (j = 0; j < (int)h->count; j++) {
			struct vfio_pci_dependent_device *x = &h->devices[j];

			if (x->segment == seg && x->bus == bus && x->devfn == (dev << 3 | fn)) {
				found = true;
				EXPECT_EQ((uint32_t)__vct_pci_iommu_group(fns[i]), x->group_id) TH_LOG("%s", fns[i]);
			}
		}
		EXPECT_TRUE(found) TH_LOG("%s missing from %s's hot reset info", fns[i], d->bdf);
	}
}

/*
 * The argument rules of PCI_HOT_RESET, each refused before anything is
 * reset: flags, count 0 (a group-opened device), more groups than
 * functions, an fd that is no file, an fd that is no group.
 */
TEST_F(reset, hot_reset_argument_rules)
{
	struct rdev *d;
	int32_t fds[MAX_FN];
	int nfn, i, gfd, efd;

	NEED_MULTI(d, nfn);
	gfd = vct_iommu_group_fd(self->iommu, d->group);
	ASSERT_LE(0, gfd);
	efd = vct_efd_new();
	ASSERT_LE(0, efd);
	for (i = 0; i < MAX_FN; i++)
		fds[i] = gfd;
	EXPECT_EQ(-EINVAL, hot_reset(d->fd, 1, 1, fds)) TH_LOG("%s: flags 1", d->bdf);
	/* "if (!!hdr.count == vfio_device_cdev_opened(&vdev->vdev)) return -EINVAL" */
	EXPECT_EQ(-EINVAL, hot_reset(d->fd, 0, 0, fds)) TH_LOG("%s: count 0", d->bdf);
	/* "if (array_count > count) return -EINVAL": count is the functions reset */
	EXPECT_EQ(-EINVAL, hot_reset(d->fd, 0, (uint32_t)nfn + 1, fds)) TH_LOG("%s: %d fds for %d functions", d->bdf, nfn + 1, nfn);
	fds[0] = -1;
	EXPECT_EQ(-EBADF, hot_reset(d->fd, 0, 1, fds)) TH_LOG("%s: fd -1", d->bdf);
	fds[0] = efd;
	/* "if (!vfio_file_is_group(file))": an eventfd is no group */
	EXPECT_EQ(-EINVAL, hot_reset(d->fd, 0, 1, fds)) TH_LOG("%s: an eventfd", d->bdf);
	close(efd);
}

/*
 * Every function the hot reset resets must be in a group the caller
 * gives: another group (a device elsewhere) is EINVAL and resets nothing;
 * the bus's own group resets the functions (a register the device clears
 * is 0 afterwards).
 */
TEST_F(reset, hot_reset_needs_the_groups_of_the_bus)
{
	const struct reset_reg *r;
	struct rdev *d, *elsewhere = NULL;
	int32_t fd;
	uint64_t v = 0;
	size_t i;
	int nfn;

	NEED_MULTI(d, nfn);
	for (i = 0; i < self->n; i++)
		if (self->dev[i].group != d->group && strncmp(self->dev[i].bdf, d->bdf, 8))
			elsewhere = &self->dev[i];
	r = reset_reg_of(&d->pci);
	if (r) {
		ASSERT_EQ(0, cmd_set(d, PCI_COMMAND_MEMORY));
		ASSERT_EQ(0, __vct_region_wr(d->fd, &d->bar0, r->off, 4, r->val));
	}
	if (elsewhere) {
		fd = vct_iommu_group_fd(self->iommu, elsewhere->group);
		ASSERT_LE(0, fd);
		/* vfio_pci_dev_set_hot_reset: "owned = vfio_dev_in_groups(...); if (!owned) { ret = -EINVAL;" */
		EXPECT_EQ(-EINVAL, hot_reset(d->fd, 0, 1, &fd))
			TH_LOG("%s: the group of %s (not on the bus)", d->bdf, elsewhere->bdf);
		if (r) {
			ASSERT_EQ(0, __vct_region_rd(d->fd, &d->bar0, r->off, 4, &v));
			EXPECT_EQ(r->val, v) TH_LOG("%s %s: refused hot reset reset it", d->bdf, r->what);
		}
	}
	fd = vct_iommu_group_fd(self->iommu, d->group);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, hot_reset(d->fd, 0, 1, &fd)) TH_LOG("%s: its own group (%d functions)", d->bdf, nfn);
	if (r) {
		ASSERT_EQ(0, __vct_region_rd(d->fd, &d->bar0, r->off, 4, &v));
		EXPECT_EQ(0, v) TH_LOG("%s %s after the hot reset", d->bdf, r->what);
	}
	if (!elsewhere)
		SKIP(return, "no test device in another group for the not-covering case");
}

VCT_HARNESS_MAIN
