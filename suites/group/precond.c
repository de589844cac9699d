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

#include <linux/iommufd.h>
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

/* ---- native iommufd: the VFIO cdev and /dev/iommu ------------------------ */

/*
 * The cdev's objects come in their own order: /dev/iommu (an IOAS) ->
 * device cdev opened -> VFIO_DEVICE_BIND_IOMMUFD -> ATTACH_IOMMUFD_PT ->
 * mappings.  Raw ioctls, as above: the order is what is under test.  The
 * backend check SKIPs kernels without CONFIG_IOMMUFD (every Debian kernel)
 * or the cdev; ioctls are decided in drivers/vfio/device_cdev.c,
 * vfio_main.c and drivers/iommu/iommufd/ (6.12).
 */
FIXTURE(precond_cdev) {
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	char path[96];		/* devs[0]'s cdev */
	int ifd, dev;		/* /dev/iommu, the cdev */
	uint32_t ioas;
};

FIXTURE_SETUP(precond_cdev)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct vct_iommu *iommu = NULL;
	char why[512] = "";

	vct_mark_test(_metadata, variant);
	self->ifd = self->dev = -1;
	VCT_IOMMU_SETUP_OR_SKIP(VCT_BACKEND_IOMMUFD, 1, 0, &iommu, self->devs);
	vct_iommu_close(iommu);
	ASSERT_EQ(0, __vct_vfio_cdev_path(self->devs[0].bdf, self->path, sizeof(self->path),
					  why, sizeof(why))) TH_LOG("%s", why);
	self->ifd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->ifd);
	ASSERT_EQ(0, xioctl(self->ifd, IOMMU_IOAS_ALLOC, &a));
	self->ioas = a.out_ioas_id;
	self->dev = open(self->path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("%s (%s): %s", self->path, self->devs[0].bdf,
				       strerror(errno));
}

FIXTURE_TEARDOWN(precond_cdev)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->ifd >= 0)
		close(self->ifd);
}

static int bind_raw(int dev, uint32_t argsz, uint32_t flags, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = argsz, .flags = flags, .iommufd = iommufd,
	};
	int ret = xioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b);

	if (!ret && devid)
		*devid = b.out_devid;
	return ret;
}

static int attach_raw(int dev, uint32_t argsz, uint32_t flags, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt a = { .argsz = argsz, .flags = flags, .pt_id = pt };

	return xioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

static int detach_raw(int dev, uint32_t argsz, uint32_t flags)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = argsz, .flags = flags };

	return xioctl(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static int device_info_raw(int dev)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	return xioctl(dev, VFIO_DEVICE_GET_INFO, &info);
}

static int ioas_map_raw(int ifd, uint32_t ioas, void *va, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas, .user_va = (uintptr_t)va, .length = len, .iova = iova,
	};

	return xioctl(ifd, IOMMU_IOAS_MAP, &m);
}

static int destroy_raw(int ifd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return xioctl(ifd, IOMMU_DESTROY, &d);
}

/*
 * Before BIND every ioctl but BIND is refused: vfio_main.c
 * vfio_device_fops_unl_ioctl(): `if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
 * return vfio_df_ioctl_bind_iommufd(df, uptr);` then `if
 * (!smp_load_acquire(&df->access_granted)) return -EINVAL;` — GET_INFO,
 * ATTACH_IOMMUFD_PT and DETACH_IOMMUFD_PT alike, and ATTACH does not bind.
 */
TEST_F(precond_cdev, ioctls_before_bind_einval_attach_does_not_bind)
{
	EXPECT_EQ(-EINVAL, device_info_raw(self->dev)) TH_LOG("%s: GET_INFO", self->path);
	EXPECT_EQ(-EINVAL, attach_raw(self->dev, sizeof(struct vfio_device_attach_iommufd_pt),
				      0, self->ioas)) TH_LOG("%s: ATTACH before BIND", self->path);
	EXPECT_EQ(-EINVAL, detach_raw(self->dev, sizeof(struct vfio_device_detach_iommufd_pt), 0))
		TH_LOG("%s: DETACH before BIND", self->path);
	EXPECT_EQ(-EINVAL, device_info_raw(self->dev)) TH_LOG("%s: GET_INFO after ATTACH", self->path);
}

/*
 * device_cdev.c vfio_df_ioctl_bind_iommufd(): `if (bind.argsz < minsz ||
 * bind.flags || bind.iommufd < 0) return -EINVAL;` (minsz through
 * out_devid, 16); main.c iommufd_ctx_from_fd(): a closed fd `return
 * ERR_PTR(-EBADF);`, a file that is not /dev/iommu `return
 * ERR_PTR(-EBADFD);`; each refusal leaves the device unbound (GET_INFO
 * still EINVAL).  A good BIND grants access; a second one ("one device
 * cannot be bound twice") `if (df->access_granted) { ret = -EINVAL;`.
 * While bound, the device's group cannot be opened: group.c
 * vfio_group_fops_open() `if (group->cdev_device_open_cnt) { ret = -EBUSY;`.
 */
TEST_F(precond_cdev, bind_argsz_flags_fds_rules_then_double_bind_einval_group_ebusy)
{
	const uint32_t sz = sizeof(struct vfio_device_bind_iommufd);
	uint32_t devid = 0;
	char gpath[64];
	int null, closed, g;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null);
	closed = dup(null);
	ASSERT_LE(0, closed);
	close(closed);
	EXPECT_EQ(-EINVAL, bind_raw(self->dev, 12, 0, self->ifd, NULL)) TH_LOG("argsz 12");
	EXPECT_EQ(-EINVAL, bind_raw(self->dev, sz, 1, self->ifd, NULL)) TH_LOG("flags 1");
	EXPECT_EQ(-EINVAL, bind_raw(self->dev, sz, 0, -1, NULL)) TH_LOG("iommufd -1");
	EXPECT_EQ(-EBADF, bind_raw(self->dev, sz, 0, closed, NULL)) TH_LOG("a closed fd");
	EXPECT_EQ(-EBADFD, bind_raw(self->dev, sz, 0, null, NULL)) TH_LOG("/dev/null");
	EXPECT_EQ(-EINVAL, device_info_raw(self->dev)) TH_LOG("%s: bound by a refused BIND", self->path);
	close(null);

	ASSERT_EQ(0, bind_raw(self->dev, sz, 0, self->ifd, &devid)) TH_LOG("%s", self->path);
	EXPECT_NE(0u, devid);
	EXPECT_EQ(0, device_info_raw(self->dev));
	EXPECT_EQ(-EINVAL, bind_raw(self->dev, sz, 0, self->ifd, NULL)) TH_LOG("second BIND");
	snprintf(gpath, sizeof(gpath), "/dev/vfio/%d", self->devs[0].group);
	g = open(gpath, O_RDWR | O_CLOEXEC);
	EXPECT_EQ(-1, g) TH_LOG("%s opened while %s is bound", gpath, self->path);
	EXPECT_EQ(EBUSY, errno) TH_LOG("%s: %s", gpath, strerror(errno));
	if (g >= 0)
		close(g);
}

/*
 * After BIND: device_cdev.c vfio_df_ioctl_attach_pt(): `if (attach.argsz <
 * minsz || attach.flags) return -EINVAL;` (minsz through pt_id, 12); an id
 * of no object: iommufd device.c iommufd_device_change_pt()
 * iommufd_get_object() -ENOENT; an object that is no page table (the
 * device's own id): `default: destroy_hwpt = ERR_PTR(-EINVAL);`.
 * vfio_df_ioctl_detach_pt(): `if (detach.argsz < minsz || detach.flags)
 * return -EINVAL;` (minsz 8); DETACH when not attached answers 0
 * (vfio_iommufd_physical_detach_ioas(): `|| !vdev->iommufd_attached)
 * return;`).  ATTACH twice to the same IOAS is a replace: 0.
 */
TEST_F(precond_cdev, attach_detach_argsz_flags_ids_rules_detach_unattached_0)
{
	const uint32_t asz = sizeof(struct vfio_device_attach_iommufd_pt);
	const uint32_t dsz = sizeof(struct vfio_device_detach_iommufd_pt);
	uint32_t devid = 0;

	ASSERT_EQ(0, bind_raw(self->dev, sizeof(struct vfio_device_bind_iommufd), 0,
			      self->ifd, &devid)) TH_LOG("%s", self->path);
	EXPECT_EQ(0, detach_raw(self->dev, dsz, 0)) TH_LOG("DETACH, not attached");
	EXPECT_EQ(-EINVAL, attach_raw(self->dev, 8, 0, self->ioas)) TH_LOG("ATTACH argsz 8");
	EXPECT_EQ(-EINVAL, attach_raw(self->dev, asz, 1, self->ioas)) TH_LOG("ATTACH flags 1");
	EXPECT_EQ(-ENOENT, attach_raw(self->dev, asz, 0, 0xfffff)) TH_LOG("ATTACH to no object");
	EXPECT_EQ(-EINVAL, attach_raw(self->dev, asz, 0, devid)) TH_LOG("ATTACH to a device id");
	EXPECT_EQ(0, attach_raw(self->dev, asz, 0, self->ioas)) TH_LOG("%s", self->path);
	EXPECT_EQ(0, attach_raw(self->dev, asz, 0, self->ioas)) TH_LOG("ATTACH again (replace)");
	EXPECT_EQ(-EINVAL, detach_raw(self->dev, 4, 0)) TH_LOG("DETACH argsz 4");
	EXPECT_EQ(-EINVAL, detach_raw(self->dev, dsz, 1)) TH_LOG("DETACH flags 1");
	EXPECT_EQ(0, detach_raw(self->dev, dsz, 0));
	EXPECT_EQ(0, detach_raw(self->dev, dsz, 0)) TH_LOG("second DETACH");
}

/*
 * IOAS ids: an IOAS with a device attached cannot be destroyed (main.c
 * iommufd_object_remove(): users left, -EBUSY); once detached it can, and
 * then the id is unknown to every IOAS ioctl: iommufd_get_ioas() ->
 * iommufd_get_object() `obj = ERR_PTR(-ENOENT)`, and a second DESTROY
 * -ENOENT (iommufd_object_remove()).
 */
TEST_F(precond_cdev, ioas_busy_while_attached_destroyed_id_enoent_everywhere)
{
	struct iommu_ioas_iova_ranges r = { .size = sizeof(r) };
	struct iommu_ioas_unmap u = { .size = sizeof(u), .iova = 0, .length = UINT64_MAX };
	uint64_t pg = vct_page_size();
	void *buf = vct_dma_alloc(pg);

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, bind_raw(self->dev, sizeof(struct vfio_device_bind_iommufd), 0,
			      self->ifd, NULL));
	ASSERT_EQ(0, attach_raw(self->dev, sizeof(struct vfio_device_attach_iommufd_pt), 0,
				self->ioas));
	EXPECT_EQ(-EBUSY, destroy_raw(self->ifd, self->ioas)) TH_LOG("IOAS with %s attached",
								     self->devs[0].bdf);
	ASSERT_EQ(0, detach_raw(self->dev, sizeof(struct vfio_device_detach_iommufd_pt), 0));
	EXPECT_EQ(0, destroy_raw(self->ifd, self->ioas));
	EXPECT_EQ(-ENOENT, ioas_map_raw(self->ifd, self->ioas, buf, BASE, pg)) TH_LOG("MAP");
	u.ioas_id = r.ioas_id = self->ioas;
	EXPECT_EQ(-ENOENT, xioctl(self->ifd, IOMMU_IOAS_UNMAP, &u)) TH_LOG("UNMAP");
	EXPECT_EQ(-ENOENT, xioctl(self->ifd, IOMMU_IOAS_IOVA_RANGES, &r)) TH_LOG("IOVA_RANGES");
	EXPECT_EQ(-ENOENT, destroy_raw(self->ifd, self->ioas)) TH_LOG("second DESTROY");
	EXPECT_EQ(-ENOENT, attach_raw(self->dev, sizeof(struct vfio_device_attach_iommufd_pt), 0,
				      self->ioas)) TH_LOG("ATTACH to the destroyed IOAS");
	vct_dma_free(buf, pg);
}

/*
 * /dev/iommu's size rules, for every command: main.c iommufd_fops_ioctl()
 * `if (ucmd.user_size < op->min_size) return -EINVAL;`, then
 * copy_struct_from_user(): a larger struct is accepted when the extra
 * bytes are zero, -E2BIG otherwise; ioas.c iommufd_ioas_alloc_ioctl() `if
 * (cmd->flags) return -EOPNOTSUPP;`.  Shown on IOMMU_IOAS_ALLOC.
 */
TEST_F(precond_cdev, iommufd_size_below_min_einval_larger_zero_ok_nonzero_e2big)
{
	struct {
		struct iommu_ioas_alloc a;
		uint64_t extra;
	} big = { { .size = sizeof(big) }, 0 };
	struct iommu_ioas_alloc a = { .size = sizeof(a) - 1 };

	EXPECT_EQ(-EINVAL, xioctl(self->ifd, IOMMU_IOAS_ALLOC, &a)) TH_LOG("size %u", a.size);
	EXPECT_EQ(0, xioctl(self->ifd, IOMMU_IOAS_ALLOC, &big)) TH_LOG("larger, zero tail");
	big.a.out_ioas_id = 0;
	big.extra = 1;
	EXPECT_EQ(-E2BIG, xioctl(self->ifd, IOMMU_IOAS_ALLOC, &big)) TH_LOG("larger, tail 1");
	a.size = sizeof(a);
	a.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, xioctl(self->ifd, IOMMU_IOAS_ALLOC, &a)) TH_LOG("flags 1");
}

VCT_HARNESS_MAIN
