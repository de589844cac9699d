// SPDX-License-Identifier: GPL-2.0
/*
 * ioas: the seed's reserved-range semantics on native iommufd
 * (drivers/iommu/iommufd/, Linux 6.12), where reservations are per device
 * and userspace may also restrict the IOVAs it will use
 * (IOMMU_IOAS_ALLOW_IOVAS).  Each answer is cross-checked with sysfs
 * reserved_regions of the attached devices' groups (harness/resv.c),
 * never with the ioctl under test.
 *
 * The IOVA_RANGES-equals-aperture-minus-reserved checks, MAP over reserved
 * regions and the two-device attach/detach sequences run on every backend
 * in suites/resv/iova.c (its iommufd variant reads IOMMU_IOAS_IOVA_RANGES);
 * this file holds what only the native interface has:
 *  - iopt_set_allow_iova(): an allowed range intersecting a reserved one
 *    "return -EADDRINUSE";
 *  - iopt_reserve_iova(), reached at attach through
 *    iopt_table_enforce_dev_resv_regions(): `if (iopt_area_iter_first(iopt,
 *    start, last) || iopt_allowed_iter_first(iopt, start, last)) return
 *    -EADDRINUSE;` -- a device whose reserved range intersects allowed
 *    IOVAs or a mapping is refused, and __iopt_remove_reserved_iova()
 *    leaves no trace of it;
 *  - the VFIO cdev's bind rules (drivers/vfio/device_cdev.c).
 * Each test SKIPs where the kernel has no iommufd or no VFIO cdev.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "test.h"

#include "iommu.h"
#include "platform.h"
#include "resv.h"

/* iopt_table_enforce_dev_resv_regions(): `if (resv->type == IOMMU_RESV_DIRECT_RELAXABLE) continue;` */
#define RESERVED (VCT_RESV_MASK_ALL & ~VCT_RESV_MASK(VCT_RESV_DIRECT_RELAXABLE))

FIXTURE(ioas) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	size_t ndevs;
	bool aperture_known;
	struct vct_range aperture;
	char aperture_how[1024];
	uint64_t pg;
	void *buf;
};

FIXTURE_SETUP(ioas)
{
	char why[256] = "";
	int ret;

	vct_mark_test(_metadata, variant);
	VCT_IOMMU_SETUP_OR_SKIP(VCT_BACKEND_IOMMUFD, 1, 1, &self->iommu, self->devs);
	ret = __vct_test_devices(self->devs, VCT_ARRAY_SIZE(self->devs), why, sizeof(why));
	ASSERT_LE(1, ret) TH_LOG("%s", why);
	self->ndevs = vct_devs_distinct_groups(self->devs, (size_t)ret);
	ret = __vct_aperture(self->devs[0].bdf, &self->aperture, self->aperture_how,
			     sizeof(self->aperture_how));
	ASSERT_NE(-EINVAL, ret) TH_LOG("%s", self->aperture_how);
	self->aperture_known = ret == 0;
	self->pg = vct_page_size();
	self->buf = vct_dma_alloc(self->pg);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(ioas)
{
	vct_iommu_close(self->iommu);
	vct_dma_free(self->buf, self->pg);
}

/* ---- helpers ------------------------------------------------------------ */

static const char *fmt(const struct vct_ranges *r, char *buf, size_t len)
{
	vct_ranges_format(r, buf, len);
	return buf;
}

/* The regions IOMMU group g reserves in an IOAS, from sysfs. */
static void group_reserved(struct __test_metadata *_metadata, int g,
			   struct vct_ranges *out)
{
	struct vct_err err = { "" };
	struct vct_resv_list l;

	ASSERT_EQ(0, vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, (unsigned int)g,
					 vct_page_size(), &l, &err))
		TH_LOG("%s", err.msg);
	ASSERT_EQ(0, vct_resv_to_ranges(&l, RESERVED, out));
	vct_resv_free(&l);
}

/* What IOMMU_IOAS_IOVA_RANGES reports now. */
static void ioas_ranges(struct __test_metadata *_metadata, FIXTURE_DATA(ioas) *self,
			struct vct_ranges *out)
{
	struct vct_iommu_info info;

	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	*out = info.iova;
	info.iova = (struct vct_ranges)VCT_RANGES_INIT;
	vct_iommu_info_free(&info);
}

/*
 * IOVA_RANGES equals, exactly, the aperture minus the union of the
 * attached devices' reserved regions; with nothing attached, the whole
 * 64-bit space (no domain, no reservation: iommufd_ioas_iova_ranges()
 * walks the holes of an empty reserved tree).  With the aperture unknown,
 * the reported outer bounds stand in for it (the holes still checked).
 */
static void check_ranges(struct __test_metadata *_metadata, FIXTURE_DATA(ioas) *self,
			 const char *when)
{
	struct vct_iommu_dev att[VCT_IOMMU_MAX_GROUPS];
	struct vct_ranges got = VCT_RANGES_INIT, want = VCT_RANGES_INIT;
	struct vct_ranges acc = VCT_RANGES_INIT, one = VCT_RANGES_INIT, tmp = VCT_RANGES_INIT;
	struct vct_range ap = { 0, UINT64_MAX };
	char a[1024], b[1024];
	size_t i, n = vct_iommu_attached(self->iommu, att, VCT_ARRAY_SIZE(att));

	ioas_ranges(_metadata, self, &got);
	for (i = 0; i < n; i++) {
		group_reserved(_metadata, att[i].group, &one);
		ASSERT_EQ(0, vct_ranges_union(&acc, &one, &tmp));
		vct_ranges_free(&acc);
		vct_ranges_free(&one);
		acc = tmp;
		tmp = (struct vct_ranges)VCT_RANGES_INIT;
	}
	if (n && self->aperture_known) {
		ap = self->aperture;
	} else if (n) {
		ASSERT_LT(0, got.n);
		ap.start = got.v[0].start;
		ap.last = got.v[got.n - 1].last;
	}
	ASSERT_EQ(0, vct_ranges_complement(&acc, ap.start, ap.last, &want));
	EXPECT_TRUE(vct_ranges_equal(&got, &want)) {
		TH_LOG("%s (%zu device(s) attached): IOVA_RANGES %s", when, n,
		       fmt(&got, a, sizeof(a)));
		TH_LOG("expected (aperture %s minus sysfs reserved_regions) %s",
		       !n ? "the 64-bit space" : self->aperture_known ? self->aperture_how :
		       "bounds taken from the answer", fmt(&want, b, sizeof(b)));
	}
	vct_ranges_free(&got);
	vct_ranges_free(&want);
	vct_ranges_free(&acc);
}

static int allow(FIXTURE_DATA(ioas) *self, uint64_t start, uint64_t last)
{
	struct vct_range r = { start, last };
	struct vct_ranges one = { &r, 1, 1 };

	return __vct_iommu_allow_iovas(self->iommu, &one);
}

static int allow_none(FIXTURE_DATA(ioas) *self)
{
	struct vct_ranges none = VCT_RANGES_INIT;

	return __vct_iommu_allow_iovas(self->iommu, &none);
}

/* devs[0]'s reserved regions, a SKIP when it has none. */
static bool dev0_reserved(struct __test_metadata *_metadata, FIXTURE_DATA(ioas) *self,
			  struct vct_ranges *out)
{
	group_reserved(_metadata, self->devs[0].group, out);
	if (!out->n)
		SKIP(return false, "%s (group %d) reserves no IOVA", self->devs[0].bdf,
		     self->devs[0].group);
	return true;
}

/* ---- ALLOW_IOVAS ----------------------------------------------------------- */

TEST_F(ioas, iova_ranges_whole_space_with_nothing_attached)
{
	check_ranges(_metadata, self, "devs[0] attached");
	ASSERT_EQ(0, __vct_iommu_detach(self->iommu, self->devs[0].bdf))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	check_ranges(_metadata, self, "after detaching the only device");
	ASSERT_EQ(0, __vct_iommu_attach(self->iommu, self->devs[0].bdf))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	check_ranges(_metadata, self, "attached again");
}

/*
 * Allowing IOVAs that intersect a reserved region of an attached device:
 * the whole region, its first page, its last page, a range straddling its
 * start and one straddling its end -> -EADDRINUSE each, for every region
 * of every attached test device; a usable page next to it is allowed.
 */
TEST_F(ioas, allow_iovas_over_reserved_region_refused_eaddrinuse)
{
	struct vct_iommu_dev att[VCT_IOMMU_MAX_GROUPS];
	struct vct_ranges res = VCT_RANGES_INIT, usable = VCT_RANGES_INIT;
	size_t i, j, k, n, checked = 0;

	for (i = 1; i < self->ndevs; i++) {
		ASSERT_EQ(0, __vct_iommu_attach(self->iommu, self->devs[i].bdf))
			TH_LOG("%s", vct_iommu_last_error(self->iommu));
	}
	n = vct_iommu_attached(self->iommu, att, VCT_ARRAY_SIZE(att));
	ioas_ranges(_metadata, self, &usable);
	for (i = 0; i < n; i++) {
		group_reserved(_metadata, att[i].group, &res);
		for (j = 0; j < res.n; j++) {
			uint64_t s = res.v[j].start & ~(self->pg - 1);
			uint64_t l = res.v[j].last | (self->pg - 1);
			struct vct_range shapes[5] = {
				{ s, l }, { s, s + self->pg - 1 }, { l - self->pg + 1, l },
				{ s ? s - self->pg : s, s + self->pg - 1 },
				{ l - self->pg + 1, l != UINT64_MAX ? l + self->pg : l },
			};

			for (k = 0; k < VCT_ARRAY_SIZE(shapes); k++) {
				int ret = allow(self, shapes[k].start, shapes[k].last);

				EXPECT_EQ(-EADDRINUSE, ret)
					TH_LOG("%s (group %d) reserves [0x%llx-0x%llx]: ALLOW_IOVAS [0x%llx-0x%llx] answered %s",
					       att[i].bdf, att[i].group,
					       (unsigned long long)res.v[j].start,
					       (unsigned long long)res.v[j].last,
					       (unsigned long long)shapes[k].start,
					       (unsigned long long)shapes[k].last,
					       ret ? vct_errno_name(-ret) : "success");
				if (!ret)
					ASSERT_EQ(0, allow_none(self));
			}
			/* The usable page below it (when there is one) is fine. */
			if (s && vct_ranges_contains(&usable, s - self->pg, s - 1)) {
				EXPECT_EQ(0, allow(self, s - self->pg, s - 1))
					TH_LOG("%s: the usable page below [0x%llx-0x%llx]",
					       att[i].bdf, (unsigned long long)res.v[j].start,
					       (unsigned long long)res.v[j].last);
				ASSERT_EQ(0, allow_none(self));
			}
			checked++;
		}
		vct_ranges_free(&res);
	}
	vct_ranges_free(&usable);
	if (!checked)
		SKIP(return, "no attached test device reserves IOVA");
}

/*
 * A device whose reserved region intersects allowed IOVAs cannot be
 * attached (-EADDRINUSE) and leaves nothing reserved behind; with the
 * restriction lifted it attaches, and IOVA_RANGES is exactly right again.
 */
TEST_F(ioas, attach_device_reserving_allowed_iova_refused_eaddrinuse)
{
	struct vct_ranges res = VCT_RANGES_INIT;
	size_t j;
	int ret;

	if (!dev0_reserved(_metadata, self, &res))
		return;
	ASSERT_EQ(0, __vct_iommu_detach(self->iommu, self->devs[0].bdf));
	for (j = 0; j < res.n; j++) {
		ASSERT_EQ(0, allow(self, res.v[j].start, res.v[j].last))
			TH_LOG("nothing attached: allowing [0x%llx-0x%llx]",
			       (unsigned long long)res.v[j].start,
			       (unsigned long long)res.v[j].last);
		ret = __vct_iommu_attach(self->iommu, self->devs[0].bdf);
		EXPECT_EQ(-EADDRINUSE, ret)
			TH_LOG("%s (group %d) reserves [0x%llx-0x%llx], allowed: attach answered %s (%s)",
			       self->devs[0].bdf, self->devs[0].group,
			       (unsigned long long)res.v[j].start,
			       (unsigned long long)res.v[j].last,
			       ret ? vct_errno_name(-ret) : "success",
			       vct_iommu_last_error(self->iommu));
		if (!ret)
			ASSERT_EQ(0, __vct_iommu_detach(self->iommu, self->devs[0].bdf));
		check_ranges(_metadata, self, "after the refused attach");
		ASSERT_EQ(0, allow_none(self));
	}
	ASSERT_EQ(0, __vct_iommu_attach(self->iommu, self->devs[0].bdf))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	check_ranges(_metadata, self, "attached with no IOVA restriction");
	vct_ranges_free(&res);
}

/*
 * A device whose reserved region intersects a mapping cannot be attached
 * either (iopt_reserve_iova(): iopt_area_iter_first() -> -EADDRINUSE;
 * type1 answers the same case -EINVAL, suites/group); unmapped, it can.
 */
TEST_F(ioas, attach_device_reserving_mapped_iova_refused_eaddrinuse)
{
	struct vct_ranges res = VCT_RANGES_INIT;
	uint64_t iova, un = 0;
	int ret;

	if (!dev0_reserved(_metadata, self, &res))
		return;
	iova = res.v[0].start & ~(self->pg - 1);
	ASSERT_EQ(0, __vct_iommu_detach(self->iommu, self->devs[0].bdf));
	ASSERT_EQ(0, __vct_iommu_map(self->iommu, iova, self->pg, self->buf, VCT_PROT_RW))
		TH_LOG("nothing attached: map at 0x%llx: %s", (unsigned long long)iova,
		       vct_iommu_last_error(self->iommu));
	ret = __vct_iommu_attach(self->iommu, self->devs[0].bdf);
	EXPECT_EQ(-EADDRINUSE, ret)
		TH_LOG("%s reserves [0x%llx-0x%llx], 0x%llx mapped: attach answered %s",
		       self->devs[0].bdf, (unsigned long long)res.v[0].start,
		       (unsigned long long)res.v[0].last, (unsigned long long)iova,
		       ret ? vct_errno_name(-ret) : "success");
	if (!ret)
		ASSERT_EQ(0, __vct_iommu_detach(self->iommu, self->devs[0].bdf));
	EXPECT_EQ(0, __vct_iommu_unmap(self->iommu, iova, self->pg, &un));
	EXPECT_EQ(self->pg, un);
	ASSERT_EQ(0, __vct_iommu_attach(self->iommu, self->devs[0].bdf))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	check_ranges(_metadata, self, "attached after the unmap");
	vct_ranges_free(&res);
}

/*
 * Per-device reservations (the group-differs profiles): with A attached,
 * IOVA that only B reserves may be allowed; then B cannot join
 * (-EADDRINUSE); without the restriction B joins, and from then on that
 * IOVA cannot be allowed; after B leaves it can again.  IOVA_RANGES
 * checked exactly at each step.
 */
TEST_F(ioas, allow_iovas_follow_devices_that_reserve_differently)
{
	struct vct_ranges only_b = VCT_RANGES_INIT;
	char x[1024];
	size_t a, b;
	uint64_t s, l;
	int ret;

	ret = __vct_devs_resv_pair(self->devs, self->ndevs, &a, &b, &only_b);
	if (ret == -ENOENT)
		SKIP(return, "every test device's group reserves the same IOVA: no device-specific reservation to allow");
	ASSERT_EQ(0, ret) TH_LOG("reading reserved_regions: %s", vct_errno_name(-ret));
	s = only_b.v[0].start;
	l = only_b.v[0].last;
	TH_LOG("A = %s, B = %s reserves %s alone", self->devs[a].bdf, self->devs[b].bdf,
	       fmt(&only_b, x, sizeof(x)));
	if (a != 0) {
		ASSERT_EQ(0, __vct_iommu_detach(self->iommu, self->devs[0].bdf));
		ASSERT_EQ(0, __vct_iommu_attach(self->iommu, self->devs[a].bdf));
	}
	check_ranges(_metadata, self, "A alone");
	ASSERT_EQ(0, allow(self, s, l)) TH_LOG("allowing IOVA only B reserves, B not attached");
	ret = __vct_iommu_attach(self->iommu, self->devs[b].bdf);
	EXPECT_EQ(-EADDRINUSE, ret) TH_LOG("%s over allowed IOVA it reserves: attach answered %s",
					   self->devs[b].bdf, ret ? vct_errno_name(-ret) : "success");
	if (!ret)
		ASSERT_EQ(0, __vct_iommu_detach(self->iommu, self->devs[b].bdf));
	check_ranges(_metadata, self, "A alone, B refused");
	ASSERT_EQ(0, allow_none(self));
	ASSERT_EQ(0, __vct_iommu_attach(self->iommu, self->devs[b].bdf))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	check_ranges(_metadata, self, "A + B");
	EXPECT_EQ(-EADDRINUSE, allow(self, s, l));
	ASSERT_EQ(0, __vct_iommu_detach(self->iommu, self->devs[b].bdf));
	check_ranges(_metadata, self, "A after B left");
	EXPECT_EQ(0, allow(self, s, l)) TH_LOG("B left: its reservation must go with it");
	vct_ranges_free(&only_b);
}

/* ---- the VFIO cdev's bind rules -------------------------------------------- */

/* devs[0] detached (its cdev closed) and its cdev opened afresh. */
static int fresh_cdev(struct __test_metadata *_metadata, FIXTURE_DATA(ioas) *self)
{
	char path[96], why[256] = "";
	int fd;

	EXPECT_EQ(0, __vct_iommu_detach(self->iommu, self->devs[0].bdf));
	EXPECT_EQ(0, __vct_vfio_cdev_path(self->devs[0].bdf, path, sizeof(path), why,
					  sizeof(why))) TH_LOG("%s", why);
	fd = open(path, O_RDWR | O_CLOEXEC);
	EXPECT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	return fd;
}

static int bind_fd(int dev, int iommufd)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = iommufd };

	return ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b) ? -errno : 0;
}

static int get_info(int dev)
{
	struct vfio_device_info i = { .argsz = sizeof(i) };

	return ioctl(dev, VFIO_DEVICE_GET_INFO, &i) ? -errno : 0;
}

/*
 * vfio_device_fops_unl_ioctl(): `if (!smp_load_acquire(&df->access_granted))
 * return -EINVAL` -- nothing but BIND works on an unbound cdev; and
 * vfio_df_ioctl_bind_iommufd(): "one device cannot be bound twice",
 * `if (df->access_granted) { ret = -EINVAL; ...}`.
 */
TEST_F(ioas, cdev_get_info_before_bind_and_bind_twice_refused_einval)
{
	int dev = fresh_cdev(_metadata, self), ifd = vct_iommu_container_fd(self->iommu);

	ASSERT_LE(0, dev);
	EXPECT_EQ(-EINVAL, get_info(dev)) TH_LOG("%s: GET_INFO before bind", self->devs[0].bdf);
	ASSERT_EQ(0, bind_fd(dev, ifd));
	EXPECT_EQ(0, get_info(dev));
	EXPECT_EQ(-EINVAL, bind_fd(dev, ifd)) TH_LOG("%s: the second bind", self->devs[0].bdf);
	EXPECT_EQ(0, get_info(dev)) TH_LOG("the refused bind unbound the device");
	close(dev);
}

/*
 * A bad iommufd: vfio_df_ioctl_bind_iommufd() `bind.iommufd < 0` ->
 * -EINVAL; iommufd_ctx_from_fd(): no such fd `ERR_PTR(-EBADF)`, a file
 * that is not an iommufd `ERR_PTR(-EBADFD)`.  Each refusal leaves the
 * cdev unbound and bindable.
 */
TEST_F(ioas, cdev_bind_bad_iommufd_refused)
{
	int dev = fresh_cdev(_metadata, self), ifd = vct_iommu_container_fd(self->iommu);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), unused;

	ASSERT_LE(0, dev);
	ASSERT_LE(0, null);
	unused = fcntl(null, F_DUPFD_CLOEXEC, 0);
	ASSERT_LE(0, unused);
	close(unused);		/* a descriptor number that is free */
	EXPECT_EQ(-EINVAL, bind_fd(dev, -1));
	EXPECT_EQ(-EBADF, bind_fd(dev, unused));
	EXPECT_EQ(-EBADFD, bind_fd(dev, null)) TH_LOG("/dev/null as the iommufd");
	EXPECT_EQ(-EBADFD, bind_fd(dev, dev)) TH_LOG("the cdev itself as the iommufd");
	EXPECT_EQ(-EINVAL, get_info(dev)) TH_LOG("a refused bind granted access");
	EXPECT_EQ(0, bind_fd(dev, ifd));
	EXPECT_EQ(0, get_info(dev));
	close(null);
	close(dev);
}

VCT_HARNESS_MAIN
