// SPDX-License-Identifier: GPL-2.0
/*
 * precond: the preconditions of the container, group, IOMMU and device
 * ioctls that the other suites do not already pin (the full table, with
 * the test of every row, is doc/preconditions.md): what must come before
 * what (container, IOMMU model, group, device fd, mappings), argsz below
 * the fixed part, unknown flags, zero sizes, wrapping ranges and unknown
 * ioctls, each with the exact errno Linux 6.12 answers and the function
 * that decides it.
 *
 * Like suites/group/group, these tests speak the type1 container uapi
 * themselves (/dev/vfio/vfio and /dev/vfio/<group>): the objects and
 * their order are what is under test.  Per backend (type1, type1v2): the
 * IOMMU model is the one SET_IOMMU is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "test.h"

#include "iommu.h"
#include "variants.h"

#define BASE	(1ULL << 32)
/* No VFIO ioctl has this number (VFIO_BASE + 60). */
#define VFIO_UNKNOWN_IOCTL	_IO(VFIO_TYPE, VFIO_BASE + 60)

FIXTURE(precond) {
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	size_t ndevs;		/* one per IOMMU group */
	int c, g;		/* container, devs[0]'s group */
	uint64_t pg;
	uint8_t *buf;
};

/*
 * The container backends only: the objects under test are the VFIO container's and
 * groups' (as in suites/group).
 */
VCT_CONTAINER_VARIANTS(precond);

static unsigned long model(const FIXTURE_VARIANT(precond) *variant)
{
	return variant->backend == VCT_BACKEND_TYPE1v2 ? VFIO_TYPE1v2_IOMMU :
							 VFIO_TYPE1_IOMMU;
}

FIXTURE_SETUP(precond)
{
	struct vct_iommu *iommu = NULL;
	char why[512] = "", p[64];
	int ret;

	vct_mark_test(_metadata, variant);
	self->c = self->g = -1;
	/* Checks the backend exists; nothing stays attached. */
	VCT_IOMMU_SETUP_OR_SKIP(variant->backend, 1, 0, &iommu, self->devs);
	vct_iommu_close(iommu);
	ret = __vct_test_devices(self->devs, VCT_ARRAY_SIZE(self->devs), why, sizeof(why));
	ASSERT_LE(1, ret) TH_LOG("%s", why);
	self->ndevs = vct_devs_distinct_groups(self->devs, (size_t)ret);
	self->pg = vct_page_size();
	self->buf = vct_dma_alloc(4 * self->pg);
	ASSERT_NE(NULL, self->buf);
	memset(self->buf, 0x3c, 4 * self->pg);
	self->c = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->c);
	snprintf(p, sizeof(p), "/dev/vfio/%d", self->devs[0].group);
	self->g = open(p, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->g) TH_LOG("%s: %s", p, strerror(errno));
}

FIXTURE_TEARDOWN(precond)
{
	if (self->g >= 0)
		close(self->g);
	if (self->c >= 0)
		close(self->c);
	vct_dma_free(self->buf, 4 * self->pg);
}

/* ---- raw helpers ------------------------------------------------------------ */

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

/* An ioctl whose answer is a number (or -errno). */
static long nioctl(int fd, unsigned long req, unsigned long arg)
{
	long r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static int set_container(int g, int c)
{
	return xioctl(g, VFIO_GROUP_SET_CONTAINER, &c);
}

static int device_fd(int g, const char *name)
{
	int fd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, name);

	return fd < 0 ? -errno : fd;
}

static int map_raw(int c, uint32_t argsz, uint64_t iova, uint64_t size, void *va)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = argsz,
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	return xioctl(c, VFIO_IOMMU_MAP_DMA, &m);
}

static int unmap_raw(int c, uint32_t argsz, uint32_t flags, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = argsz, .flags = flags, .iova = iova, .size = size,
	};

	return xioctl(c, VFIO_IOMMU_UNMAP_DMA, &u);
}

static int info_raw(int c, uint32_t argsz)
{
	struct vfio_iommu_type1_info info = { .argsz = argsz };

	return xioctl(c, VFIO_IOMMU_GET_INFO, &info);
}

/* ---- container -------------------------------------------------------------- */

/*
 * container.c vfio_fops_unl_ioctl(): VFIO_GET_API_VERSION answers
 * VFIO_API_VERSION (0).  With no IOMMU model set, CHECK_EXTENSION polls
 * every driver (vfio_container_ioctl_check_extension()); type1's
 * vfio_iommu_type1_check_extension() answers 1 for both models and
 * VFIO_UNMAP_ALL, and for VFIO_UPDATE_VADDR `return iommu && ...` and
 * VFIO_DMA_CC_IOMMU `if (!iommu) return 0;`: 0 without a model; an unknown
 * extension 0.  Once the model is set, the container's own driver answers:
 * UPDATE_VADDR 1 (no emulated device), the other model still 1.
 */
TEST_F(precond, api_version_0_extensions_before_and_after_set_iommu)
{
	EXPECT_EQ(VFIO_API_VERSION, nioctl(self->c, VFIO_GET_API_VERSION, 0));
	EXPECT_EQ(1, nioctl(self->c, VFIO_CHECK_EXTENSION, model(variant)));
	EXPECT_EQ(1, nioctl(self->c, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	EXPECT_EQ(0, nioctl(self->c, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	EXPECT_EQ(0, nioctl(self->c, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
	EXPECT_EQ(0, nioctl(self->c, VFIO_CHECK_EXTENSION, 1000));
	ASSERT_EQ(0, set_container(self->g, self->c));
	ASSERT_EQ(0, nioctl(self->c, VFIO_SET_IOMMU, model(variant)));
	EXPECT_EQ(VFIO_API_VERSION, nioctl(self->c, VFIO_GET_API_VERSION, 0));
	EXPECT_EQ(1, nioctl(self->c, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	EXPECT_EQ(1, nioctl(self->c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(1, nioctl(self->c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(0, nioctl(self->c, VFIO_CHECK_EXTENSION, 1000));
}

/*
 * Without an IOMMU model every IOMMU ioctl falls to vfio_fops_unl_ioctl()'s
 * `long ret = -EINVAL;` (nothing to pass them to): GET_INFO,
 * MAP_DMA, UNMAP_DMA, DIRTY_PAGES and an unknown ioctl alike; once the
 * model is set, an unknown ioctl reaches type1 (`default: return
 * -ENOTTY;`).  Setting the model needs a group first (vfio_ioctl_set_iommu():
 * `if (list_empty(&container->group_list) || ...) return -EINVAL;`), and
 * a model no driver offers is -ENODEV (`long ret = -ENODEV;`, no driver
 * opened); the right one is still accepted afterwards.
 */
TEST_F(precond, iommu_ioctls_before_set_iommu_einval_unknown_model_enodev)
{
	struct vfio_iommu_type1_dirty_bitmap d = { .argsz = sizeof(d),
						   .flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START };

	EXPECT_EQ(-EINVAL, info_raw(self->c, sizeof(struct vfio_iommu_type1_info)));
	EXPECT_EQ(-EINVAL, map_raw(self->c, sizeof(struct vfio_iommu_type1_dma_map), BASE,
				   self->pg, self->buf));
	EXPECT_EQ(-EINVAL, unmap_raw(self->c, sizeof(struct vfio_iommu_type1_dma_unmap), 0,
				     BASE, self->pg));
	EXPECT_EQ(-EINVAL, xioctl(self->c, VFIO_IOMMU_DIRTY_PAGES, &d));
	EXPECT_EQ(-EINVAL, xioctl(self->c, VFIO_UNKNOWN_IOCTL, NULL));
	EXPECT_EQ(-EINVAL, nioctl(self->c, VFIO_SET_IOMMU, model(variant))) TH_LOG("no group yet");
	ASSERT_EQ(0, set_container(self->g, self->c));
	EXPECT_EQ(-EINVAL, xioctl(self->c, VFIO_UNKNOWN_IOCTL, NULL)) TH_LOG("group, no model");
	EXPECT_EQ(-ENODEV, nioctl(self->c, VFIO_SET_IOMMU, 1000));
	ASSERT_EQ(0, nioctl(self->c, VFIO_SET_IOMMU, model(variant)));
	EXPECT_EQ(-ENOTTY, xioctl(self->c, VFIO_UNKNOWN_IOCTL, NULL));
	EXPECT_EQ(0, map_raw(self->c, sizeof(struct vfio_iommu_type1_dma_map), BASE,
			     self->pg, self->buf));
}

/*
 * The IOMMU ioctls' fixed parts (vfio_iommu_type1.c): GET_INFO `if
 * (info.argsz < minsz)` (minsz: up to iova_pgsizes, 16 bytes), MAP_DMA
 * `if (map.argsz < minsz || map.flags & ~mask)` (up to size, 32),
 * UNMAP_DMA `if (unmap.argsz < minsz || unmap.flags & ~mask)` (up to size,
 * 24): one byte short is EINVAL, the minimum itself accepted.  UNMAP_DMA's
 * range (vfio_dma_do_unmap()): `if (iova & (pgsize - 1))`, `!size || size &
 * (pgsize - 1)`: unaligned and zero EINVAL, wrapping by kernel (below);
 * the mapping survives every refusal.
 */
TEST_F(precond, iommu_argsz_flags_and_unmap_range_rules_einval)
{
	const uint32_t info_min = 16, map_min = 32, unmap_min = 24;
	uint64_t pg = self->pg;
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = BASE, .size = pg };
	struct vct_kver kv = { 0 };
	int ret;

	ASSERT_EQ(0, set_container(self->g, self->c));
	ASSERT_EQ(0, nioctl(self->c, VFIO_SET_IOMMU, model(variant)));
	EXPECT_EQ(-EINVAL, info_raw(self->c, info_min - 1));
	EXPECT_EQ(0, info_raw(self->c, info_min));
	EXPECT_EQ(-EINVAL, map_raw(self->c, map_min - 1, BASE, pg, self->buf));
	ASSERT_EQ(0, map_raw(self->c, map_min, BASE, pg, self->buf));
	EXPECT_EQ(-EINVAL, unmap_raw(self->c, unmap_min - 1, 0, BASE, pg));
	EXPECT_EQ(-EINVAL, unmap_raw(self->c, unmap_min, 1u << 3, BASE, pg)) TH_LOG("unknown flag");
	EXPECT_EQ(-EINVAL, unmap_raw(self->c, unmap_min, 0, BASE + 1, pg)) TH_LOG("unaligned iova");
	EXPECT_EQ(-EINVAL, unmap_raw(self->c, unmap_min, 0, BASE, 0)) TH_LOG("size 0");
	EXPECT_EQ(-EINVAL, unmap_raw(self->c, unmap_min, 0, BASE, pg + 1)) TH_LOG("unaligned size");
	/*
	 * Wrapping past 2^64: 6.12 `iova + size - 1 < iova` EINVAL; since
	 * "vfio/type1: sanitize for overflow using check_*_overflow" (Linux
	 * 6.18) `ret = -EOVERFLOW;`.  Kernels in between are not pinned.
	 */
	ret = unmap_raw(self->c, unmap_min, 0, UINT64_MAX - pg + 1, 2 * pg);
	ASSERT_EQ(0, __vct_kernel_version(&kv));
	if (vct_kver_cmp(&kv, 6, 12) <= 0) {
		EXPECT_EQ(-EINVAL, ret) TH_LOG("range wraps past 2^64");
	} else if (vct_kver_cmp(&kv, 6, 18) >= 0) {
		EXPECT_EQ(-EOVERFLOW, ret) TH_LOG("range wraps past 2^64");
	} else {
		EXPECT_TRUE(ret == -EINVAL || ret == -EOVERFLOW) TH_LOG("wrap: %d", ret);
	}
	/* still mapped: the minimum-argsz unmap removes exactly it */
	u.argsz = unmap_min;
	EXPECT_EQ(0, xioctl(self->c, VFIO_IOMMU_UNMAP_DMA, &u));
	EXPECT_EQ(pg, u.size);
}

/* ---- group ------------------------------------------------------------------ */

/*
 * vfio_group_ioctl_set_container(): an fd number that is not open
 * `return -EBADF;`, an open file that is neither a container nor an
 * iommufd `ret = -EBADFD;` ("The FD passed is not recognized"); the group
 * stays out of any container.  GET_STATUS: `if (status.argsz < minsz)
 * return -EINVAL;`.  An unknown group ioctl: vfio_group_fops_unl_ioctl()
 * `default: return -ENOTTY;`.
 */
TEST_F(precond, group_set_container_bad_fds_status_argsz_unknown_ioctl)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int nullfd = open("/dev/null", O_RDWR | O_CLOEXEC), closedfd, ret;
	struct vct_kver kv = { 0 };

	ASSERT_LE(0, nullfd);
	closedfd = dup(nullfd);
	close(closedfd);
	EXPECT_EQ(-EBADF, set_container(self->g, closedfd));
	EXPECT_EQ(-EBADF, set_container(self->g, -1));
	/* 6.1 (before iommufd's group support) answered EINVAL; between not pinned */
	ret = set_container(self->g, nullfd);
	ASSERT_EQ(0, __vct_kernel_version(&kv));
	if (vct_kver_cmp(&kv, 6, 12) >= 0) {
		EXPECT_EQ(-EBADFD, ret) TH_LOG("/dev/null as the container");
	} else if (vct_kver_cmp(&kv, 6, 1) <= 0) {
		EXPECT_EQ(-EINVAL, ret) TH_LOG("/dev/null as the container (6.1)");
	} else {
		EXPECT_TRUE(ret == -EINVAL || ret == -EBADFD) TH_LOG("/dev/null: %d", ret);
	}
	ASSERT_EQ(0, xioctl(self->g, VFIO_GROUP_GET_STATUS, &st));
	EXPECT_EQ(0u, st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET);
	st.argsz = offsetof(struct vfio_group_status, flags) + sizeof(st.flags) - 1;
	EXPECT_EQ(-EINVAL, xioctl(self->g, VFIO_GROUP_GET_STATUS, &st));
	EXPECT_EQ(-ENOTTY, xioctl(self->g, VFIO_UNKNOWN_IOCTL, NULL));
	close(nullfd);
}

/*
 * GET_DEVICE_FD needs the group in a container (vfio_df_group_open():
 * `if (!vfio_group_has_iommu(device->group)) ret = -EINVAL;`) and the
 * container's model set (vfio_group_use_container(): "SET_IOMMU hasn't
 * been done yet", `return -EINVAL;`); a name no device of this group has
 * is -ENODEV (vfio_device_get_from_name()), also another group's device.
 * Then the device fd opens, and an unknown device ioctl is -ENOTTY
 * (vfio_pci_core_ioctl() `default: return -ENOTTY;`).
 */
TEST_F(precond, device_fd_needs_container_then_model_unknown_names_enodev)
{
	const char *bdf = self->devs[0].bdf;
	int dev;

	EXPECT_EQ(-EINVAL, device_fd(self->g, bdf)) TH_LOG("no container");
	ASSERT_EQ(0, set_container(self->g, self->c));
	EXPECT_EQ(-EINVAL, device_fd(self->g, bdf)) TH_LOG("container, no IOMMU model");
	ASSERT_EQ(0, nioctl(self->c, VFIO_SET_IOMMU, model(variant)));
	EXPECT_EQ(-ENODEV, device_fd(self->g, "0000:ff:1f.7"));
	EXPECT_EQ(-ENODEV, device_fd(self->g, "not-a-device"));
	if (self->ndevs > 1) {
		EXPECT_EQ(-ENODEV, device_fd(self->g, self->devs[1].bdf))
			TH_LOG("%s is in group %d, not %d", self->devs[1].bdf,
			       self->devs[1].group, self->devs[0].group);
	}
	dev = device_fd(self->g, bdf);
	ASSERT_LE(0, dev) TH_LOG("%s: %s", bdf, vct_errno_name(-dev));
	EXPECT_EQ(-ENOTTY, xioctl(dev, VFIO_UNKNOWN_IOCTL, NULL));
	close(dev);
}

VCT_HARNESS_MAIN
