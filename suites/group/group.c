// SPDX-License-Identifier: GPL-2.0
/*
 * group: IOMMU groups and containers (VFIO type1), at the IOMMU interface.
 *
 * Errnos are pinned to Linux 6.12 (drivers/vfio/group.c, container.c,
 * vfio_iommu_type1.c; the deciding function is named at each check).  Device
 * DMA through shared containers is suites/dma's business.  Each test runs
 * once per backend (variants type1, type1v2).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/vfio.h>

#include "test.h"
#include "variants.h"

#include "iommu.h"
#include "resv.h"
#include "../map/lock.h"

#define BASE	(1ULL << 32)
#define PAGES	16

FIXTURE(group) {
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	size_t ndevs;		/* one per IOMMU group */
	uint64_t pg;
	uint8_t *buf;
	/* Bindings to restore (viability tests). */
	char rebound[4][VCT_BDF_LEN];	/* bound to vfio-pci by the test */
	size_t nrebound;
	bool loaded_lpc_ich;
};

VCT_CONTAINER_VARIANTS(group);

static unsigned long model(const FIXTURE_VARIANT(group) *variant)
{
	return vct_backend_props(variant->backend)->vfio_model;
}

FIXTURE_SETUP(group)
{
	struct vct_iommu *iommu = NULL;
	char why[512] = "";
	int ret;

	vct_mark_test(_metadata, variant);
	/* Checks the backend exists; nothing stays attached. */
	VCT_IOMMU_SETUP_OR_SKIP(variant->backend, 1, 0, &iommu, self->devs);
	vct_iommu_close(iommu);
	ret = __vct_test_devices(self->devs, VCT_ARRAY_SIZE(self->devs), why,
				 sizeof(why));
	ASSERT_LE(1, ret) TH_LOG("%s", why);
	self->ndevs = vct_devs_distinct_groups(self->devs, (size_t)ret);
	self->pg = vct_page_size();
	self->buf = vct_dma_alloc(64 * self->pg);
	ASSERT_NE(NULL, self->buf);
	memset(self->buf, 0x3c, 64 * self->pg);
}

static void unbind(const char *bdf)
{
	vct_pci_unbind(bdf);
}

FIXTURE_TEARDOWN(group)
{
	size_t i;

	for (i = 0; i < self->nrebound; i++)
		unbind(self->rebound[i]);
	if (self->loaded_lpc_ich)
		if (system("rmmod lpc_ich"))
			TH_LOG("teardown: rmmod lpc_ich failed");
	vct_dma_free(self->buf, 64 * self->pg);
}

/* ---- raw helpers ------------------------------------------------------------ */

static int open_container(void)
{
	return open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
}

static int open_group(int group)
{
	char p[64];
	int fd;

	snprintf(p, sizeof(p), "/dev/vfio/%d", group);
	fd = open(p, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static int set_iommu(int cfd, unsigned long m)
{
	return ioctl(cfd, VFIO_SET_IOMMU, m) < 0 ? -errno : 0;
}

static uint32_t group_flags(int gfd)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	return xioctl(gfd, VFIO_GROUP_GET_STATUS, &st) ? UINT32_MAX : st.flags;
}

static int cmap(int cfd, uint64_t iova, uint64_t size, void *va)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	return xioctl(cfd, VFIO_IOMMU_MAP_DMA, &m);
}

#define NEED_TWO_GROUPS() do { \
	if (self->ndevs < 2) \
		SKIP(return, "needs 2 test devices in distinct IOMMU groups, found %zu", \
		     self->ndevs); \
} while (0)

/* ---- open / set / unset ------------------------------------------------------ */

/* group.c vfio_group_fops_open(): a second open while one is live -> -EBUSY. */
TEST_F(group, open_twice_refused_ebusy)
{
	int a = open_group(self->devs[0].group), b;

	ASSERT_LE(0, a);
	EXPECT_EQ(-EBUSY, open_group(self->devs[0].group));
	close(a);
	/* Once closed, it opens again. */
	b = open_group(self->devs[0].group);
	EXPECT_LE(0, b);
	if (b >= 0)
		close(b);
}

/*
 * GET_STATUS: VIABLE, plus CONTAINER_SET while in a container.
 * vfio_group_ioctl_set_container(): already in one -> -EINVAL;
 * vfio_group_ioctl_unset_container(): in none -> -EINVAL, while a device fd
 * is open (container_users != 1) -> -EBUSY.
 */
TEST_F(group, set_and_unset_container)
{
	int c = open_container(), c2 = open_container();
	int g = open_group(self->devs[0].group), dev;

	ASSERT_LE(0, c);
	ASSERT_LE(0, c2);
	ASSERT_LE(0, g);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, group_flags(g));
	EXPECT_EQ(-EINVAL, xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL));
	/* No device fd before the group has an IOMMU (vfio_group_has_iommu()). */
	EXPECT_EQ(-1, ioctl(g, VFIO_GROUP_GET_DEVICE_FD, self->devs[0].bdf));
	ASSERT_EQ(0, xioctl(g, VFIO_GROUP_SET_CONTAINER, &c));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET,
		  group_flags(g));
	EXPECT_EQ(-EINVAL, xioctl(g, VFIO_GROUP_SET_CONTAINER, &c));
	EXPECT_EQ(-EINVAL, xioctl(g, VFIO_GROUP_SET_CONTAINER, &c2));
	ASSERT_EQ(0, set_iommu(c, model(variant)));
	dev = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, self->devs[0].bdf);
	ASSERT_LE(0, dev);
	EXPECT_EQ(-EBUSY, xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL));
	close(dev);
	EXPECT_EQ(0, xioctl(g, VFIO_GROUP_UNSET_CONTAINER, NULL));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, group_flags(g));
	/* The container lost its model with its last group: map is refused. */
	EXPECT_EQ(-EINVAL, cmap(c, BASE, self->pg, self->buf));
	/* And the group moves to another container. */
	EXPECT_EQ(0, xioctl(g, VFIO_GROUP_SET_CONTAINER, &c2));
	EXPECT_EQ(0, set_iommu(c2, model(variant)));
	EXPECT_EQ(0, cmap(c2, BASE, self->pg, self->buf));
	close(g);
	close(c2);
	close(c);
}

/* container.c vfio_ioctl_set_iommu(): a model already set -> -EINVAL. */
TEST_F(group, set_iommu_twice_refused_einval)
{
	int c = open_container(), g = open_group(self->devs[0].group);

	ASSERT_LE(0, c);
	ASSERT_LE(0, g);
	EXPECT_EQ(-EINVAL, set_iommu(c, model(variant)));	/* no group yet */
	ASSERT_EQ(0, xioctl(g, VFIO_GROUP_SET_CONTAINER, &c));
	ASSERT_EQ(0, set_iommu(c, model(variant)));
	EXPECT_EQ(-EINVAL, set_iommu(c, model(variant)));
	EXPECT_EQ(-EINVAL, set_iommu(c, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(-EINVAL, set_iommu(c, VFIO_TYPE1v2_IOMMU));
	/* The first model still works. */
	EXPECT_EQ(0, cmap(c, BASE, self->pg, self->buf));
	close(g);
	close(c);
}

/* ---- two groups ---------------------------------------------------------------- */

/*
 * Detaching one group of two leaves the container, its model and its
 * mappings to the other: same mappings (EEXIST on remap, exact unmap size),
 * same dma_avail, and its device still opens.
 */
TEST_F(group, detach_one_group_other_keeps_mappings)
{
	struct vct_iommu *io = NULL;
	struct vct_iommu_info info;
	uint32_t avail;
	uint64_t un = 0;
	int dev, c, g;

	NEED_TWO_GROUPS();
	ASSERT_EQ(0, __vct_iommu_open(variant->backend, &io, NULL, 0));
	ASSERT_EQ(0, __vct_iommu_attach(io, self->devs[0].bdf));
	ASSERT_EQ(0, __vct_iommu_attach(io, self->devs[1].bdf));
	ASSERT_EQ(0, __vct_iommu_map(io, BASE, 4 * self->pg, self->buf, VCT_PROT_RW));
	ASSERT_EQ(0, __vct_iommu_map(io, BASE + 8 * self->pg, 2 * self->pg,
				     self->buf + 8 * self->pg, VCT_PROT_RW));
	ASSERT_EQ(0, __vct_iommu_info(io, &info));
	avail = info.dma_avail;
	vct_iommu_info_free(&info);

	ASSERT_EQ(0, __vct_iommu_detach(io, self->devs[1].bdf))
		TH_LOG("%s", vct_iommu_last_error(io));
	ASSERT_EQ(0, __vct_iommu_info(io, &info));
	EXPECT_EQ(avail, info.dma_avail);
	vct_iommu_info_free(&info);
	EXPECT_EQ(-EEXIST, __vct_iommu_map(io, BASE, self->pg, self->buf,
					   VCT_PROT_RW));
	dev = __vct_iommu_device_fd(io, self->devs[0].bdf);
	EXPECT_LE(0, dev);
	if (dev >= 0)
		close(dev);
	EXPECT_EQ(0, __vct_iommu_map(io, BASE + 16 * self->pg, self->pg,
				     self->buf, VCT_PROT_RW));
	EXPECT_EQ(0, __vct_iommu_unmap(io, BASE, 32 * self->pg, &un));
	EXPECT_EQ(7 * self->pg, un);
	vct_iommu_close(io);
	/* The detached group is free for another container. */
	c = open_container();
	g = open_group(self->devs[1].group);
	EXPECT_LE(0, g);
	EXPECT_EQ(0, xioctl(g, VFIO_GROUP_SET_CONTAINER, &c));
	close(g);
	close(c);
}

/*
 * Closing container, groups and a device fd in every one of the 24 orders
 * gives back every locked page (mm->locked_vm, VmLck) and leaves both
 * groups free to open again.  The mappings are torn down when the last
 * group leaves the container (container.c __vfio_group_unset_container()
 * -> the type1 release), which a still-open container fd does not delay.
 */
TEST_F(group, close_fds_in_any_order_releases_everything)
{
	static const int perm[24][4] = {
		{0,1,2,3},{0,1,3,2},{0,2,1,3},{0,2,3,1},{0,3,1,2},{0,3,2,1},
		{1,0,2,3},{1,0,3,2},{1,2,0,3},{1,2,3,0},{1,3,0,2},{1,3,2,0},
		{2,0,1,3},{2,0,3,1},{2,1,0,3},{2,1,3,0},{2,3,0,1},{2,3,1,0},
		{3,0,1,2},{3,0,2,1},{3,1,0,2},{3,1,2,0},{3,2,0,1},{3,2,1,0},
	};
	int64_t l0 = vct_vmlck_bytes();
	size_t p;

	NEED_TWO_GROUPS();
	ASSERT_LE(0, l0);
	for (p = 0; p < 24; p++) {
		int fd[4], i, g;

		/* fd: container, group 0, group 1, device of group 0 */
		fd[0] = open_container();
		fd[1] = open_group(self->devs[0].group);
		fd[2] = open_group(self->devs[1].group);
		ASSERT_LE(0, fd[0]);
		ASSERT_LE(0, fd[1]) TH_LOG("order %zu: group reopen", p);
		ASSERT_LE(0, fd[2]) TH_LOG("order %zu: group reopen", p);
		ASSERT_EQ(0, xioctl(fd[1], VFIO_GROUP_SET_CONTAINER, &fd[0]));
		ASSERT_EQ(0, xioctl(fd[2], VFIO_GROUP_SET_CONTAINER, &fd[0]));
		ASSERT_EQ(0, set_iommu(fd[0], model(variant)));
		fd[3] = ioctl(fd[1], VFIO_GROUP_GET_DEVICE_FD, self->devs[0].bdf);
		ASSERT_LE(0, fd[3]);
		ASSERT_EQ(0, cmap(fd[0], BASE, PAGES * self->pg, self->buf));
		ASSERT_EQ(0, cmap(fd[0], BASE + 2 * PAGES * self->pg,
				  PAGES * self->pg, self->buf + PAGES * self->pg));
		ASSERT_EQ(l0 + (int64_t)(2 * PAGES * self->pg), vct_vmlck_bytes());
		for (i = 0; i < 4; i++)
			close(fd[perm[p][i]]);
		EXPECT_EQ(l0, vct_vmlck_bytes()) TH_LOG("close order %d%d%d%d",
			perm[p][0], perm[p][1], perm[p][2], perm[p][3]);
		for (i = 0; i < 2; i++) {
			g = open_group(self->devs[i].group);
			EXPECT_LE(0, g) TH_LOG("order %zu: group %d still busy", p,
					       self->devs[i].group);
			if (g >= 0) {
				EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, group_flags(g));
				close(g);
			}
		}
	}
}

/* ---- hotplug --------------------------------------------------------------------- */

/*
 * A group joins a container that already has mappings: the type1 attach
 * (vfio_iommu_type1_attach_group()) replays them into the new domain.
 */
TEST_F(group, attach_second_group_with_mappings_succeeds)
{
	struct vct_iommu *io = NULL;
	uint64_t un = 0;

	NEED_TWO_GROUPS();
	ASSERT_EQ(0, __vct_iommu_open(variant->backend, &io, NULL, 0));
	ASSERT_LE(0, __vct_iommu_attach(io, self->devs[0].bdf));
	ASSERT_EQ(0, __vct_iommu_map(io, BASE, 8 * self->pg, self->buf, VCT_PROT_RW));
	ASSERT_EQ(0, __vct_iommu_map(io, 0x100000, 4 * self->pg,
				     self->buf + 8 * self->pg, VCT_PROT_RW));
	EXPECT_EQ(0, __vct_iommu_attach(io, self->devs[1].bdf))
		TH_LOG("%s", vct_iommu_last_error(io));
	EXPECT_EQ(-EEXIST, __vct_iommu_map(io, BASE, self->pg, self->buf,
					   VCT_PROT_RW));
	EXPECT_EQ(0, __vct_iommu_unmap(io, BASE, 8 * self->pg, &un));
	EXPECT_EQ(8 * self->pg, un);
	EXPECT_EQ(0, __vct_iommu_unmap(io, 0x100000, 4 * self->pg, &un));
	EXPECT_EQ(4 * self->pg, un);
	vct_iommu_close(io);
}

/*
 * Reservations are per group (shared/seeds, 2016): a container holding only
 * group A may map IOVA that group B reserves, and B must then be refused:
 * VFIO_GROUP_SET_CONTAINER -> vfio_iommu_type1_attach_group():
 *	if (vfio_iommu_resv_conflict(iommu, &group_resv_regions)) {
 *		ret = -EINVAL;
 * with the container left as it was (its mappings, dma_avail, IOVA_RANGE,
 * and A alone attached).  Without the conflicting mapping B attaches and
 * the same MAP is refused -EINVAL (vfio_dma_do_map():
 * !vfio_iommu_iova_dma_valid()).  A and B are the first pair of test
 * devices whose groups reserve differently (sysfs; direct-relaxable
 * regions do not count, VCT_RESV_MASK_VFIO_EXCLUDED); where every group
 * reserves the same (q35: only the MSI window) nothing can conflict and the
 * test SKIPs.
 */
TEST_F(group, attach_over_reserved_mapping_refused_einval)
{
	struct vct_ranges only_b = VCT_RANGES_INIT;
	struct vct_iommu_info before, after;
	struct vct_iommu *io = NULL;
	char x[512], y[512];
	uint64_t iova, un = 0;
	size_t a, b;
	int ret;

	NEED_TWO_GROUPS();
	ret = __vct_devs_resv_pair(self->devs, self->ndevs, &a, &b, &only_b);
	if (ret == -ENOENT)
		SKIP(return, "every test group reserves the same IOVA ranges (direct-relaxable ones do not count for VFIO): no mapping can conflict with a later group");
	ASSERT_EQ(0, ret) TH_LOG("reading the test groups' reserved_regions: %s",
				 vct_errno_name(-ret));
	iova = only_b.v[0].start & ~(self->pg - 1);
	vct_ranges_format(&only_b, x, sizeof(x));
	TH_LOG("A = %s (group %d), B = %s (group %d) reserves %s alone; mapping 0x%llx",
	       self->devs[a].bdf, self->devs[a].group, self->devs[b].bdf,
	       self->devs[b].group, x, (unsigned long long)iova);
	vct_ranges_free(&only_b);

	ASSERT_EQ(0, __vct_iommu_open(variant->backend, &io, NULL, 0));
	ASSERT_LE(0, __vct_iommu_attach(io, self->devs[a].bdf))
		TH_LOG("%s", vct_iommu_last_error(io));
	/* Only A is in: B's reservation is ordinary IOVA. */
	ASSERT_EQ(0, __vct_iommu_map(io, iova, self->pg, self->buf, VCT_PROT_RW))
		TH_LOG("%s: MAP_DMA at 0x%llx, reserved by %s's group only, refused while only %s is attached",
		       self->devs[b].bdf, (unsigned long long)iova,
		       self->devs[b].bdf, self->devs[a].bdf);
	ASSERT_EQ(0, __vct_iommu_map(io, BASE, 2 * self->pg, self->buf + self->pg,
				     VCT_PROT_RW));
	ASSERT_EQ(0, __vct_iommu_info(io, &before));

	ret = __vct_iommu_attach(io, self->devs[b].bdf);
	EXPECT_EQ(-EINVAL, ret)
		TH_LOG("%s (group %d): attach over a mapping at 0x%llx it reserves answered %s",
		       self->devs[b].bdf, self->devs[b].group,
		       (unsigned long long)iova,
		       ret >= 0 ? "success" : vct_errno_name(-ret));
	if (ret >= 0)
		__vct_iommu_detach(io, self->devs[b].bdf);
	/* Refused means nothing changed. */
	EXPECT_EQ(1, vct_iommu_attached(io, NULL, 0));
	ASSERT_EQ(0, __vct_iommu_info(io, &after));
	EXPECT_EQ(before.dma_avail, after.dma_avail);
	vct_ranges_format(&before.iova, x, sizeof(x));
	vct_ranges_format(&after.iova, y, sizeof(y));
	EXPECT_TRUE(vct_ranges_equal(&before.iova, &after.iova)) {
		TH_LOG("IOVA_RANGE before %s", x);
		TH_LOG("IOVA_RANGE after  %s", y);
	}
	vct_iommu_info_free(&before);
	vct_iommu_info_free(&after);
	EXPECT_EQ(-EEXIST, __vct_iommu_map(io, iova, self->pg, self->buf, VCT_PROT_RW));
	EXPECT_EQ(0, __vct_iommu_unmap(io, iova, self->pg, &un));
	EXPECT_EQ(self->pg, un);

	/* Without the conflict B joins, and its reservation is off limits. */
	EXPECT_EQ(0, __vct_iommu_attach(io, self->devs[b].bdf))
		TH_LOG("%s: attach with no conflicting mapping: %s", self->devs[b].bdf,
		       vct_iommu_last_error(io));
	ret = __vct_iommu_map(io, iova, self->pg, self->buf, VCT_PROT_RW);
	EXPECT_EQ(-EINVAL, ret)
		TH_LOG("%s attached: MAP_DMA at 0x%llx inside its reservation answered %s",
		       self->devs[b].bdf, (unsigned long long)iova,
		       ret ? vct_errno_name(-ret) : "success");
	EXPECT_EQ(-EEXIST, __vct_iommu_map(io, BASE, self->pg, self->buf, VCT_PROT_RW));
	EXPECT_EQ(0, __vct_iommu_unmap(io, BASE, 2 * self->pg, &un));
	EXPECT_EQ(2 * self->pg, un);
	vct_iommu_close(io);
}

/* ---- viability: the q35 00:1f.* group --------------------------------------------- */

#define ICH9_LPC	"0000:00:1f.0"
#define ICH9_SMBUS	"0000:00:1f.3"

static bool pci_is(const char *bdf, const char *vendev)
{
	char p[128], v[16] = "", d[16] = "", want[32];

	snprintf(p, sizeof(p), "%s/%s/vendor", VCT_SYSFS_PCI_DEVICES, bdf);
	if (__vct_read_text(p, v, sizeof(v)) < 0)
		return false;
	snprintf(p, sizeof(p), "%s/%s/device", VCT_SYSFS_PCI_DEVICES, bdf);
	if (__vct_read_text(p, d, sizeof(d)) < 0)
		return false;
	snprintf(want, sizeof(want), "%s:%s", v, d);
	return !strcmp(want, vendev);
}

/* Bind to vfio-pci (pcidev.h), remembered for the teardown to undo. */
static int bind_vfio(FIXTURE_DATA(group) *self, const char *bdf)
{
	char drv[64] = "";
	int ret;

	if (!__vct_pci_driver(bdf, drv, sizeof(drv)) && !strcmp(drv, "vfio-pci"))
		return 0;
	ret = __vct_pci_bind_vfio(bdf);
	if (ret != -EBUSY)
		snprintf(self->rebound[self->nrebound++], VCT_BDF_LEN, "%s", bdf);
	return ret;
}

/* Load lpc_ich (and its dependencies) from /vfio-ct/modules, if there. */
static int load_lpc_ich(void)
{
	static const char *const try[] = {
		"insmod /vfio-ct/modules/mfd-core.ko 2>/dev/null",
		"insmod /vfio-ct/modules/mfd_core.ko 2>/dev/null",
		"insmod /vfio-ct/modules/lpc_ich.ko",
	};
	size_t i;
	int st = -1;

	if (access("/vfio-ct/modules/lpc_ich.ko", R_OK))
		return -ENOENT;
	for (i = 0; i < VCT_ARRAY_SIZE(try); i++)
		st = system(try[i]);
	return st == 0 ? 0 : -EIO;
}

/*
 * With 00:1f.3 (SMBus) bound to vfio-pci and its group-mate 00:1f.0 (LPC)
 * bound to lpc_ich, a host driver not marked driver_managed_dma, the group
 * is not viable: GET_STATUS lacks VIABLE (group.c
 * vfio_group_ioctl_get_status(): VIABLE only if in a container or
 * !iommu_group_dma_owner_claimed()) and
 * SET_CONTAINER is refused with -EPERM: container.c
 * vfio_container_attach_group() -> iommu_group_claim_dma_owner(), which
 * answers -EPERM while a kernel driver uses the group's default domain
 * (group->owner_cnt != 0).  With 00:1f.0 unbound again the group is viable.
 */
TEST_F(group, group_with_host_driver_not_viable_eperm)
{
	char drv[64] = "";
	int c, g, grp, ret;

	if (!pci_is(ICH9_LPC, "0x8086:0x2918") || !pci_is(ICH9_SMBUS, "0x8086:0x2930"))
		SKIP(return, "no ICH9 LPC/SMBus at 00:1f.0/00:1f.3 (not a q35 guest)");
	grp = __vct_pci_iommu_group(ICH9_SMBUS);
	ASSERT_LE(0, grp);
	if (!__vct_pci_driver(ICH9_SMBUS, drv, sizeof(drv)) && drv[0] &&
	    strcmp(drv, "vfio-pci"))
		SKIP(return, "00:1f.3 is bound to %s", drv);
	drv[0] = 0;
	if (__vct_pci_driver(ICH9_LPC, drv, sizeof(drv)) || !drv[0]) {
		if (access("/sys/module/lpc_ich", F_OK)) {
			ret = load_lpc_ich();
			if (ret == -ENOENT)
				SKIP(return, "lpc_ich.ko not in /vfio-ct/modules (profile test_modules)");
			ASSERT_EQ(0, ret) TH_LOG("insmod lpc_ich failed");
			self->loaded_lpc_ich = true;
		}
		/*
		 * lpc_ich refuses to bind (-ENODEV, "No MFD cells added") when
		 * the firmware left the ACPI and GPIO bases unprogrammed, as
		 * qboot does; then nothing makes the group non-viable.
		 */
		if (__vct_pci_driver(ICH9_LPC, drv, sizeof(drv)) || !drv[0])
			SKIP(return, "lpc_ich did not bind 00:1f.0 (no MFD cells: firmware left ACPI/GPIO bases unset); no host driver to make the group non-viable");
	}
	ASSERT_EQ(0, bind_vfio(self, ICH9_SMBUS));
	c = open_container();
	g = open_group(grp);
	ASSERT_LE(0, c);
	ASSERT_LE(0, g);
	EXPECT_EQ(0, group_flags(g) & VFIO_GROUP_FLAGS_VIABLE)
		TH_LOG("00:1f.0 bound to %s", drv);
	EXPECT_EQ(-EPERM, xioctl(g, VFIO_GROUP_SET_CONTAINER, &c));
	EXPECT_EQ(0, group_flags(g) & VFIO_GROUP_FLAGS_CONTAINER_SET);
	close(g);
	/* Host driver gone: viable, and it joins a container. */
	unbind(ICH9_LPC);
	g = open_group(grp);
	ASSERT_LE(0, g);
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, group_flags(g));
	EXPECT_EQ(0, xioctl(g, VFIO_GROUP_SET_CONTAINER, &c));
	close(g);
	close(c);
}

/*
 * The 00:1f group also reserves 0-0xffffff, direct-relaxable: VFIO ignores
 * that kind, so a container mapping IOVA 1 MiB accepts the group.
 */
TEST_F(group, direct_relaxable_region_does_not_conflict)
{
	struct vct_iommu *io = NULL;
	char drv[64] = "";
	uint64_t un = 0;

	if (!pci_is(ICH9_SMBUS, "0x8086:0x2930"))
		SKIP(return, "no ICH9 SMBus at 00:1f.3 (not a q35 guest)");
	if (!__vct_pci_driver(ICH9_LPC, drv, sizeof(drv)) && drv[0])
		SKIP(return, "00:1f.0 is bound to %s: its group is not viable", drv);
	ASSERT_EQ(0, bind_vfio(self, ICH9_SMBUS));
	ASSERT_EQ(0, __vct_iommu_open(variant->backend, &io, NULL, 0));
	ASSERT_LE(0, __vct_iommu_attach(io, self->devs[0].bdf));
	ASSERT_EQ(0, __vct_iommu_map(io, 0x100000, 4 * self->pg, self->buf,
				     VCT_PROT_RW));
	EXPECT_LE(0, __vct_iommu_attach(io, ICH9_SMBUS))
		TH_LOG("%s", vct_iommu_last_error(io));
	EXPECT_EQ(0, __vct_iommu_unmap(io, 0x100000, 4 * self->pg, &un));
	EXPECT_EQ(4 * self->pg, un);
	vct_iommu_close(io);
}

VCT_HARNESS_MAIN
