// SPDX-License-Identifier: GPL-2.0
/* iommu.c - backend-neutral front of iommu.h; backends in iommu_*.c. */
#include "iommu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "resv.h"

static const struct {
	const struct vct_iommu_ops *ops;
	const struct vct_iommu_props *props;
} backends[VCT_BACKEND_NR] = {
	[VCT_BACKEND_TYPE1] = { &vct_iommu_type1_ops, &vct_iommu_type1_props },
	[VCT_BACKEND_TYPE1v2] = { &vct_iommu_type1_ops, &vct_iommu_type1v2_props },
	[VCT_BACKEND_IOMMUFD_COMPAT_TYPE1] = { &vct_iommu_type1_ops,
					       &vct_iommu_compat_type1_props },
	[VCT_BACKEND_IOMMUFD_COMPAT_TYPE1v2] = { &vct_iommu_type1_ops,
						 &vct_iommu_compat_type1v2_props },
	[VCT_BACKEND_IOMMUFD] = { &vct_iommu_iommufd_ops, &vct_iommu_iommufd_props },
};

const char *vct_backend_name(enum vct_backend b)
{
	return (unsigned int)b < VCT_BACKEND_NR ? backends[b].props->name : "?";
}

const struct vct_iommu_props *vct_backend_props(enum vct_backend b)
{
	return (unsigned int)b < VCT_BACKEND_NR ? backends[b].props : NULL;
}

static void whyf(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void whyf(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

int __vct_iommu_open(enum vct_backend b, struct vct_iommu **out, char *why,
		     size_t why_len)
{
	struct vct_iommu *iommu;
	int ret;

	*out = NULL;
	if ((unsigned int)b >= VCT_BACKEND_NR) {
		whyf(why, why_len, "unknown backend %d", (int)b);
		return -EINVAL;
	}
	iommu = calloc(1, sizeof(*iommu));
	if (!iommu)
		return -ENOMEM;
	iommu->backend = b;
	iommu->ops = backends[b].ops;
	iommu->props = backends[b].props;
	ret = iommu->ops->open(iommu);
	if (ret) {
		whyf(why, why_len, "%s", iommu->err);
		free(iommu);
		return ret;
	}
	*out = iommu;
	return 0;
}

void vct_iommu_close(struct vct_iommu *iommu)
{
	if (!iommu)
		return;
	iommu->ops->close(iommu);
	free(iommu);
}

bool vct_backend_offered(enum vct_backend b)
{
	struct vct_iommu *iommu;

	if (__vct_iommu_open(b, &iommu, NULL, 0))
		return false;
	vct_iommu_close(iommu);
	return true;
}

int vct_iommu_container_fd(const struct vct_iommu *iommu)
{
	return iommu ? iommu->ops->container_fd(iommu) : -ENOENT;
}

int vct_iommu_group_fd(const struct vct_iommu *iommu, int group)
{
	return iommu && iommu->ops->group_fd ? iommu->ops->group_fd(iommu, group) :
					       -ENOENT;
}

const char *vct_iommu_last_error(const struct vct_iommu *iommu)
{
	return iommu ? iommu->err : "";
}

int __vct_iommu_attach(struct vct_iommu *iommu, const char *bdf)
{
	int group = __vct_pci_iommu_group(bdf), ret;

	if (group < 0) {
		snprintf(iommu->err, sizeof(iommu->err),
			 "%s: no IOMMU group (%s)", bdf,
			 vct_errno_name(-group));
		return group;
	}
	ret = iommu->ops->attach(iommu, bdf, group);
	vct_iommu_step(iommu, NULL);
	return ret;
}

int __vct_iommu_detach(struct vct_iommu *iommu, const char *bdf)
{
	return iommu->ops->detach(iommu, bdf);
}

void vct_iommu_forget(struct vct_iommu *iommu, const char *bdf)
{
	iommu->ops->forget(iommu, bdf);
}

size_t vct_iommu_attached(const struct vct_iommu *iommu,
			  struct vct_iommu_dev *out, size_t max)
{
	return iommu->ops->attached(iommu, out, max);
}

static int no_uapi(struct vct_iommu *iommu, const char *what)
{
	snprintf(iommu->err, sizeof(iommu->err), "%s: %s has no %s",
		 iommu->props->name, iommu->props->dev_path, what);
	return -EOPNOTSUPP;
}

int __vct_iommu_raw_map(struct vct_iommu *iommu, uint32_t flags,
			uint64_t iova, uint64_t size, uint64_t vaddr)
{
	if (!iommu->ops->raw_map)
		return no_uapi(iommu, "VFIO_IOMMU_MAP_DMA");
	return iommu->ops->raw_map(iommu, flags, iova, size, vaddr);
}

int __vct_iommu_raw_unmap(struct vct_iommu *iommu, uint32_t flags,
			  uint64_t iova, uint64_t size, uint64_t *unmapped)
{
	uint64_t dummy;

	if (!iommu->ops->raw_unmap)
		return no_uapi(iommu, "VFIO_IOMMU_UNMAP_DMA");
	return iommu->ops->raw_unmap(iommu, flags, iova, size,
				     unmapped ? unmapped : &dummy);
}

int __vct_iommu_check_extension(struct vct_iommu *iommu, unsigned long ext)
{
	if (!iommu->ops->check_extension)
		return no_uapi(iommu, "VFIO_CHECK_EXTENSION");
	return iommu->ops->check_extension(iommu, ext);
}

int __vct_iommu_allow_iovas(struct vct_iommu *iommu, const struct vct_ranges *r)
{
	if (!iommu->ops->allow_iovas)
		return no_uapi(iommu, "IOMMU_IOAS_ALLOW_IOVAS");
	return iommu->ops->allow_iovas(iommu, r);
}

int __vct_iommu_map(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		    void *vaddr, uint32_t prot)
{
	return iommu->ops->map(iommu, iova, size, vaddr, prot);
}

int __vct_iommu_unmap(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		      uint64_t *unmapped)
{
	uint64_t dummy;

	return iommu->ops->unmap(iommu, iova, size, unmapped ? unmapped : &dummy);
}

int __vct_iommu_unmap_all(struct vct_iommu *iommu, uint64_t *unmapped)
{
	uint64_t dummy;

	return iommu->ops->unmap_all(iommu, unmapped ? unmapped : &dummy);
}

int __vct_iommu_info(struct vct_iommu *iommu, struct vct_iommu_info *info)
{
	int ret;

	memset(info, 0, sizeof(*info));
	ret = iommu->ops->info(iommu, info);
	if (ret)
		vct_iommu_info_free(info);
	return ret;
}

void vct_iommu_info_free(struct vct_iommu_info *info)
{
	vct_ranges_free(&info->iova);
	free(info->raw);
	memset(info, 0, sizeof(*info));
}

int __vct_iommu_device_fd(struct vct_iommu *iommu, const char *bdf)
{
	int fd = iommu->ops->device_fd(iommu, bdf);

	vct_iommu_step(iommu, NULL);
	return fd;
}

int __vct_iommu_dirty(struct vct_iommu *iommu, const struct vct_dirty_req *req)
{
	if (!iommu->ops->dirty) {
		snprintf(iommu->err, sizeof(iommu->err),
			 "backend %s has no dirty-page tracking",
			 vct_backend_name(iommu->backend));
		return -EOPNOTSUPP;
	}
	return iommu->ops->dirty(iommu, req);
}

int __vct_iommu_unmap_dirty(struct vct_iommu *iommu,
			    const struct vct_dirty_req *req, uint64_t *unmapped)
{
	uint64_t dummy;

	if (!iommu->ops->unmap_dirty) {
		snprintf(iommu->err, sizeof(iommu->err),
			 "backend %s has no unmap with dirty bitmap",
			 vct_backend_name(iommu->backend));
		return -EOPNOTSUPP;
	}
	return iommu->ops->unmap_dirty(iommu, req, unmapped ? unmapped : &dummy);
}

#define HWPT_OP(iommu, op, what) do { \
	if (!(iommu)->ops->op) \
		return no_uapi(iommu, what); \
} while (0)

int __vct_iommu_dev_id(struct vct_iommu *iommu, const char *bdf, uint32_t *id)
{
	HWPT_OP(iommu, dev_id, "iommufd device ids");
	return iommu->ops->dev_id(iommu, bdf, id);
}

int __vct_iommu_hw_caps(struct vct_iommu *iommu, uint32_t id, uint64_t *caps)
{
	HWPT_OP(iommu, hw_caps, "IOMMU_GET_HW_INFO");
	return iommu->ops->hw_caps(iommu, id, caps);
}

int __vct_iommu_hwpt_alloc(struct vct_iommu *iommu, uint32_t id, uint32_t flags,
			   uint32_t *hwpt)
{
	HWPT_OP(iommu, hwpt_alloc, "IOMMU_HWPT_ALLOC");
	return iommu->ops->hwpt_alloc(iommu, id, flags, hwpt);
}

int __vct_iommu_destroy(struct vct_iommu *iommu, uint32_t obj)
{
	HWPT_OP(iommu, destroy, "IOMMU_DESTROY");
	return iommu->ops->destroy(iommu, obj);
}

int __vct_iommu_hwpt_set_dirty(struct vct_iommu *iommu, uint32_t hwpt,
			       uint32_t flags)
{
	HWPT_OP(iommu, hwpt_set_dirty, "IOMMU_HWPT_SET_DIRTY_TRACKING");
	return iommu->ops->hwpt_set_dirty(iommu, hwpt, flags);
}

int __vct_iommu_hwpt_get_dirty(struct vct_iommu *iommu,
			       const struct vct_hwpt_bitmap_req *req)
{
	HWPT_OP(iommu, hwpt_get_dirty, "IOMMU_HWPT_GET_DIRTY_BITMAP");
	return iommu->ops->hwpt_get_dirty(iommu, req);
}

int __vct_iommu_mock_attach(struct vct_iommu *iommu, uint32_t *id)
{
	HWPT_OP(iommu, mock_attach, "IOMMU_TEST_CMD");
	return iommu->ops->mock_attach(iommu, id);
}

int __vct_iommu_mock_dirty(struct vct_iommu *iommu, uint32_t hwpt,
			   uint64_t iova, uint64_t length, uint64_t page_size,
			   const uint64_t *bitmap, uint64_t *nr_dirty)
{
	uint64_t dummy;

	HWPT_OP(iommu, mock_dirty, "IOMMU_TEST_CMD");
	return iommu->ops->mock_dirty(iommu, hwpt, iova, length, page_size,
				      bitmap, nr_dirty ? nr_dirty : &dummy);
}

uint64_t vct_pgsize_min(uint64_t pgsizes)
{
	return pgsizes & (~pgsizes + 1);
}

void *vct_dma_alloc(uint64_t size)
{
	void *p;

	if (!size || size > SIZE_MAX) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void vct_dma_free(void *p, uint64_t size)
{
	if (p)
		munmap(p, (size_t)size);
}

/* ---- test devices ------------------------------------------------------ */

/*
 * The test-device selection: $VCT_DEVICES, else $VFIO_SELFTESTS_BDF (the
 * kernel selftests' variable); NULL when neither is set or both are empty
 * (then no device is a test device: nothing is used unless selected).
 */
static const char *selection(void)
{
	const char *env = getenv("VCT_DEVICES");

	if (!env || !*env)
		env = getenv("VFIO_SELFTESTS_BDF");
	return env && *env ? env : NULL;
}

/*
 * Does the selection (space separated BDFs, "[dddd:]bb:dd.f", and/or
 * vendor:device IDs) list this device?  -EINVAL for a malformed entry.
 */
static int listed(const char *env, const struct vct_pcidev *d, char *why,
		  size_t why_len)
{
	char tok[32];
	const char *p = env;
	int len;

	while (sscanf(p, " %31s%n", tok, &len) == 1) {
		char bdf[VCT_BDF_LEN];
		uint16_t vendor, device;

		if (!vct_bdf_canon(tok, bdf)) {
			if (!strcmp(bdf, d->bdf))
				return 1;
		} else if (vct_pci_parse_id(tok, &vendor, &device)) {
			whyf(why, why_len,
			     "VCT_DEVICES/VFIO_SELFTESTS_BDF: '%s' is neither a BDF nor vendor:device",
			     tok);
			return -EINVAL;
		} else if (vendor == d->vendor && device == d->device) {
			return 1;
		}
		p += len;
	}
	return 0;
}

int __vct_test_devices(struct vct_iommu_dev *devs, size_t max, char *why,
		       size_t why_len)
{
	const char *env = selection();
	struct vct_pcidev *all;
	char drv[64];
	size_t n = 0;
	int i, nall, ret = 0;

	if (!env) {
		whyf(why, why_len, "%s", VCT_NO_SELECTION);
		return 0;
	}
	nall = __vct_pci_list(&all);
	if (nall < 0) {
		whyf(why, why_len, "cannot list PCI devices: %s",
		     vct_errno_name(-nall));
		return nall;
	}
	for (i = 0; i < nall && n < max; i++) {
		int group;

		ret = listed(env, &all[i], why, why_len);
		if (ret < 0)
			break;
		if (!ret || __vct_pci_driver(all[i].bdf, drv, sizeof(drv)) ||
		    strcmp(drv, "vfio-pci"))
			continue;
		group = __vct_pci_iommu_group(all[i].bdf);
		if (group < 0 || vct_group_requires_direct((unsigned int)group))
			continue;
		snprintf(devs[n].bdf, sizeof(devs[n].bdf), "%s", all[i].bdf);
		devs[n++].group = group;
	}
	free(all);
	return ret < 0 ? ret : (int)n;
}

int __vct_test_device_by_id(uint16_t vendor, uint16_t device,
			    struct vct_iommu_dev *dev, char *why, size_t why_len)
{
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	int i, n = __vct_test_devices(devs, VCT_IOMMU_MAX_GROUPS, why, why_len);

	for (i = 0; i < n; i++) {
		struct vct_pcidev p;

		if (!__vct_pci_find_by_bdf(devs[i].bdf, &p) &&
		    p.vendor == vendor && p.device == device) {
			*dev = devs[i];
			return 1;
		}
	}
	return n < 0 ? n : 0;
}

bool vct_group_requires_direct(unsigned int group)
{
	struct vct_err err = { "" };
	struct vct_resv_list l;
	bool direct = false;
	size_t i;

	if (vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, group, vct_page_size(),
				&l, &err))
		return false;	/* unreadable: the resv suite reports it */
	for (i = 0; i < l.n; i++)
		direct |= l.v[i].type == VCT_RESV_DIRECT;
	vct_resv_free(&l);
	return direct;
}

/* Group g's regions VFIO keeps userspace out of, as ranges. */
static int group_excluded(unsigned int g, struct vct_ranges *out)
{
	struct vct_err err = { "" };
	struct vct_resv_list l;
	int ret = vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, g, vct_page_size(),
				      &l, &err);

	if (ret)
		return ret;
	ret = vct_resv_to_ranges(&l, VCT_RESV_MASK_VFIO_EXCLUDED, out);
	vct_resv_free(&l);
	return ret;
}

int __vct_devs_resv_pair(const struct vct_iommu_dev *devs, size_t n,
			 size_t *a, size_t *b, struct vct_ranges *only_b)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			struct vct_ranges ri = VCT_RANGES_INIT, rj = VCT_RANGES_INIT;
			struct vct_ranges d = VCT_RANGES_INIT;

			if (i == j)
				continue;
			ret = group_excluded((unsigned int)devs[i].group, &ri);
			if (!ret)
				ret = group_excluded((unsigned int)devs[j].group, &rj);
			if (!ret)
				ret = vct_ranges_subtract(&rj, &ri, &d);
			vct_ranges_free(&ri);
			vct_ranges_free(&rj);
			if (ret)
				return ret;
			if (d.n) {
				*a = i;
				*b = j;
				*only_b = d;
				return 0;
			}
			vct_ranges_free(&d);
		}
	}
	return -ENOENT;
}

size_t vct_devs_distinct_groups(struct vct_iommu_dev *devs, size_t n)
{
	size_t i, j, kept = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < kept; j++)
			if (devs[j].group == devs[i].group)
				break;
		if (j == kept)
			devs[kept++] = devs[i];
	}
	return kept;
}

int __vct_iommu_setup(enum vct_backend b, size_t need, size_t attach,
		      struct vct_iommu **out, struct vct_iommu_dev *devs,
		      char *why, size_t why_len)
{
	struct vct_iommu_dev found[64];
	struct vct_iommu *iommu;
	const char *env = selection();
	size_t i, n;
	int ret;

	*out = NULL;
	if (attach > need || need > VCT_ARRAY_SIZE(found))
		return -EINVAL;
	if (need && !env) {
		whyf(why, why_len, "needs %zu device(s): %s", need,
		     VCT_NO_SELECTION);
		return VCT_SKIP_ENV;
	}
	ret = __vct_iommu_open(b, &iommu, why, why_len);
	if (ret == -ENOENT || ret == -EOPNOTSUPP)
		return VCT_SKIP_ENV;
	if (ret)
		return ret;
	ret = __vct_test_devices(found, VCT_ARRAY_SIZE(found), why, why_len);
	if (ret < 0)
		goto fail;
	n = vct_devs_distinct_groups(found, (size_t)ret);
	if (n < need) {
		whyf(why, why_len,
		     "needs %zu device(s) bound to vfio-pci in distinct IOMMU groups, found %zu among the selected (%s)",
		     need, n, env);
		vct_iommu_close(iommu);
		return VCT_SKIP_ENV;
	}
	memcpy(devs, found, need * sizeof(*devs));
	for (i = 0; i < attach; i++) {
		ret = __vct_iommu_attach(iommu, devs[i].bdf);
		if (ret) {
			whyf(why, why_len, "%s: attaching %s (group %d): %s: %s",
			     vct_backend_name(b), devs[i].bdf, devs[i].group,
			     vct_errno_name(-ret), iommu->err);
			goto fail;
		}
	}
	*out = iommu;
	return 0;
fail:
	vct_iommu_close(iommu);
	return ret;
}

enum vct_backend vct_backend_preferred(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	int v2 = fd >= 0 && ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0;

	if (fd >= 0)
		close(fd);
	return v2 ? VCT_BACKEND_TYPE1v2 : VCT_BACKEND_TYPE1;
}
