// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_iommufd.c - the native iommufd backend: /dev/iommu, one IOAS
 * (IOMMU_IOAS_ALLOC), and each device's VFIO cdev
 * (/dev/vfio/devices/vfioN, named by /sys/bus/pci/devices/BDF/vfio-dev/)
 * bound to it (VFIO_DEVICE_BIND_IOMMUFD) and attached to the IOAS
 * (VFIO_DEVICE_ATTACH_IOMMUFD_PT).  Map, unmap, ranges and allowed IOVAs
 * are the IOMMU_IOAS_* ioctls.  See iommu.h for what each op guarantees;
 * the properties say where it differs from type1, with the Linux 6.12
 * line (drivers/iommu/iommufd/, drivers/vfio/device_cdev.c) deciding it.
 */
#include "iommu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#define errf(iommu, ...) \
	snprintf((iommu)->err, sizeof((iommu)->err), __VA_ARGS__)

#define VFIO_DEV_CLASS "/sys/class/vfio-dev"

/*
 * ioas.c iommufd_ioas_unmap(): `if (!unmapped) { rc = -ENOENT; ...}`
 * after iopt_unmap_iova_range()'s `if (area_first < start || area_last >
 * last) { rc = -ENOENT; ...}`; iommufd_ioas_map(): `if (!(cmd->flags &
 * (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE))) return -EINVAL`;
 * a BAR's mmap fails pin_user_pages_fast() (pages.c) -EFAULT; no DMA_AVAIL
 * (IOMMU_IOAS_IOVA_RANGES has none); accounting as for the compat modes
 * (iopt_alloc_pages(): CAP_IPC_LOCK -> IOPT_PAGES_ACCOUNT_NONE, else
 * IOPT_PAGES_ACCOUNT_USER; do_update_pinned() adds mm->pinned_vm);
 * iopt_check_iova(): check_add_overflow(iova, length - 1) -> -EOVERFLOW.
 */
const struct vct_iommu_props vct_iommu_iommufd_props = {
	.name = "iommufd",
	.dev_path = "/dev/iommu",
	.attaches_devices = true,
	.groups = false,
	.attach_at_device_open = false,
	.type1_uapi = false,
	.vfio_model = 0,
	.unmap_partial = VCT_UNMAP_PARTIAL_REFUSED,
	.unmap_partial_errno = -ENOENT,
	.unmap_nothing_errno = -ENOENT,
	.map_no_prot_errno = -EINVAL,
	.bar_map_errno = -EFAULT,
	.bar_map_locks = false,
	.dma_avail = VCT_DMA_AVAIL_ABSENT,
	.lock_acct = VCT_LOCK_ACCT_USER,
	.update_vaddr = false,
	.allow_iovas = true,
	.map_unset_errno = 0,
	.map_wrap_errno = -EOVERFLOW,
	.hwpt = true,
};

struct fd_dev {
	char bdf[VCT_BDF_LEN];
	int group;
	int fd;			/* the cdev, bound and attached */
	uint32_t devid;		/* VFIO_DEVICE_BIND_IOMMUFD's out_devid */
};

struct ifd {
	int fd;			/* /dev/iommu */
	uint32_t ioas;
	struct fd_dev devs[VCT_IOMMU_MAX_GROUPS];
	size_t ndevs;
};

static struct ifd *F(const struct vct_iommu *iommu)
{
	return iommu->priv;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static int ifd_open(struct vct_iommu *iommu)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct stat st;
	struct ifd *f;
	int fd, ret;

	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		errf(iommu, "cannot open /dev/iommu: %s%s", strerror(errno),
		     ret == -ENOENT ? " (kernel built without CONFIG_IOMMUFD, or iommufd not loaded)" : "");
		return ret;
	}
	/* vfio_cdev_init() registers the class: no class, no cdev. */
	if (stat(VFIO_DEV_CLASS, &st)) {
		errf(iommu, "no %s: kernel built without CONFIG_VFIO_DEVICE_CDEV",
		     VFIO_DEV_CLASS);
		close(fd);
		return -EOPNOTSUPP;
	}
	ret = xioctl(fd, IOMMU_IOAS_ALLOC, &alloc);
	if (ret) {
		errf(iommu, "IOMMU_IOAS_ALLOC refused");
		close(fd);
		return ret;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	f->fd = fd;
	f->ioas = alloc.out_ioas_id;
	iommu->priv = f;
	return 0;
}

static struct fd_dev *find_dev(const struct vct_iommu *iommu, const char *bdf)
{
	struct ifd *f = F(iommu);
	char canon[VCT_BDF_LEN];
	size_t i;

	if (vct_bdf_canon(bdf, canon))
		return NULL;
	for (i = 0; i < f->ndevs; i++)
		if (!strcmp(f->devs[i].bdf, canon))
			return &f->devs[i];
	return NULL;
}

int __vct_vfio_cdev_path(const char *bdf, char *path, size_t len, char *why,
			 size_t why_len)
{
	char dir[128];
	struct dirent *de;
	DIR *d;
	int ret = -ENOENT;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(dir);
	if (!d) {
		ret = -errno;
		if (why)
			snprintf(why, why_len, "%s: no %s (%s): not bound to vfio-pci, or no CONFIG_VFIO_DEVICE_CDEV?",
				 bdf, dir, strerror(errno));
		return ret;
	}
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(path, len, "/dev/vfio/devices/%.32s", de->d_name);
			ret = 0;
			break;
		}
	closedir(d);
	if (ret && why)
		snprintf(why, why_len, "%s: %s is empty", bdf, dir);
	return ret;
}

static int cdev_path(struct vct_iommu *iommu, const char *bdf, char *path,
		     size_t len)
{
	return __vct_vfio_cdev_path(bdf, path, len, iommu->err, sizeof(iommu->err));
}

static int ifd_attach(struct vct_iommu *iommu, const char *bdf, int group)
{
	struct ifd *f = F(iommu);
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	char canon[VCT_BDF_LEN], path[96];
	struct fd_dev *d;
	int fd, ret;

	if (vct_bdf_canon(bdf, canon)) {
		errf(iommu, "%s: not a BDF", bdf);
		return -EINVAL;
	}
	if (find_dev(iommu, canon))
		return 0;
	if (f->ndevs == VCT_IOMMU_MAX_GROUPS) {
		errf(iommu, "more than %d devices", VCT_IOMMU_MAX_GROUPS);
		return -E2BIG;
	}
	ret = cdev_path(iommu, canon, path, sizeof(path));
	if (ret)
		return ret;
	vct_iommu_step(iommu, "open /dev/vfio/devices/vfioN");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		errf(iommu, "%s: cannot open %s: %s", canon, path, strerror(errno));
		return ret;
	}
	bind.iommufd = f->fd;
	vct_iommu_step(iommu, "VFIO_DEVICE_BIND_IOMMUFD");
	ret = xioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (ret) {
		errf(iommu, "%s: VFIO_DEVICE_BIND_IOMMUFD on %s refused", canon, path);
		close(fd);
		return ret;
	}
	at.pt_id = f->ioas;
	vct_iommu_step(iommu, "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	ret = xioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (ret) {
		errf(iommu, "%s: VFIO_DEVICE_ATTACH_IOMMUFD_PT (IOAS %u) refused",
		     canon, f->ioas);
		close(fd);	/* unbinds: vfio_df_unbind_iommufd() */
		return ret;
	}
	d = &f->devs[f->ndevs++];
	snprintf(d->bdf, sizeof(d->bdf), "%s", canon);
	d->group = group;
	d->fd = fd;
	d->devid = bind.out_devid;
	return 0;
}

static void drop_dev(struct vct_iommu *iommu, struct fd_dev *d)
{
	struct ifd *f = F(iommu);

	close(d->fd);
	*d = f->devs[--f->ndevs];
}

static int ifd_detach(struct vct_iommu *iommu, const char *bdf)
{
	struct vfio_device_detach_iommufd_pt de = { .argsz = sizeof(de) };
	struct fd_dev *d = find_dev(iommu, bdf);
	int ret;

	if (!d) {
		errf(iommu, "%s is not attached", bdf);
		return -ENOENT;
	}
	ret = xioctl(d->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de);
	if (ret) {
		errf(iommu, "%s: VFIO_DEVICE_DETACH_IOMMUFD_PT refused", bdf);
		return ret;
	}
	drop_dev(iommu, d);	/* and unbound: the cdev's last close */
	return 0;
}

static void ifd_forget(struct vct_iommu *iommu, const char *bdf)
{
	struct fd_dev *d = find_dev(iommu, bdf);

	if (d)
		drop_dev(iommu, d);
}

static size_t ifd_attached(const struct vct_iommu *iommu,
			   struct vct_iommu_dev *out, size_t max)
{
	struct ifd *f = F(iommu);
	size_t i;

	for (i = 0; i < f->ndevs && i < max; i++) {
		snprintf(out[i].bdf, sizeof(out[i].bdf), "%s", f->devs[i].bdf);
		out[i].group = f->devs[i].group;
	}
	return f->ndevs;
}

static int ifd_map(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		   void *vaddr, uint32_t prot)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = F(iommu)->ioas,
		.user_va = (uintptr_t)vaddr,
		.length = size,
		.iova = iova,
	};

	if (prot & VCT_PROT_READ)
		map.flags |= IOMMU_IOAS_MAP_READABLE;
	if (prot & VCT_PROT_WRITE)
		map.flags |= IOMMU_IOAS_MAP_WRITEABLE;
	return xioctl(F(iommu)->fd, IOMMU_IOAS_MAP, &map);
}

static int do_unmap(struct vct_iommu *iommu, uint64_t iova, uint64_t length,
		    uint64_t *unmapped)
{
	struct iommu_ioas_unmap un = {
		.size = sizeof(un),
		.ioas_id = F(iommu)->ioas,
		.iova = iova,
		.length = length,
	};
	int ret = xioctl(F(iommu)->fd, IOMMU_IOAS_UNMAP, &un);

	/* iommufd_ioas_unmap(): `cmd->length = unmapped` on success only. */
	*unmapped = ret ? 0 : un.length;
	return ret;
}

static int ifd_unmap(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		     uint64_t *unmapped)
{
	return do_unmap(iommu, iova, size, unmapped);
}

/* iommufd_ioas_unmap(): `if (cmd->iova == 0 && cmd->length == U64_MAX)` -> iopt_unmap_all(). */
static int ifd_unmap_all(struct vct_iommu *iommu, uint64_t *unmapped)
{
	return do_unmap(iommu, 0, UINT64_MAX, unmapped);
}

/*
 * IOMMU_IOAS_IOVA_RANGES: the holes of the IOAS's reserved tree (device
 * reservations, outside of each domain's aperture, iopt_table_add_domain(),
 * and what ALLOW_IOVAS leaves out), and the IOVA alignment, which stands
 * for the page-size bitmap (the smallest granule; iommufd reports no
 * bitmap).  First asked with room for none: -EMSGSIZE with num_iovas set.
 */
static int ifd_info(struct vct_iommu *iommu, struct vct_iommu_info *info)
{
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.ioas_id = F(iommu)->ioas,
	};
	struct iommu_iova_range *v = NULL;
	uint32_t i, n;
	int ret;

	ret = xioctl(F(iommu)->fd, IOMMU_IOAS_IOVA_RANGES, &r);
	if (ret && ret != -EMSGSIZE) {
		errf(iommu, "IOMMU_IOAS_IOVA_RANGES (IOAS %u) refused", F(iommu)->ioas);
		return ret;
	}
	n = r.num_iovas;
	if (n) {
		v = calloc(n, sizeof(*v));
		if (!v)
			return -ENOMEM;
		r.allowed_iovas = (uintptr_t)v;
		ret = xioctl(F(iommu)->fd, IOMMU_IOAS_IOVA_RANGES, &r);
		if (ret || r.num_iovas != n) {
			errf(iommu, "IOMMU_IOAS_IOVA_RANGES: %u ranges, then %u (%s)",
			     n, r.num_iovas, vct_errno_name(-ret));
			free(v);
			return ret ? ret : -EAGAIN;
		}
	}
	for (i = 0; i < n && !ret; i++) {
		if (v[i].start > v[i].last) {
			errf(iommu, "IOMMU_IOAS_IOVA_RANGES: range %u [%#llx-%#llx] is reversed",
			     i, (unsigned long long)v[i].start,
			     (unsigned long long)v[i].last);
			ret = -ERANGE;
		} else {
			ret = vct_ranges_add(&info->iova, v[i].start, v[i].last);
		}
	}
	free(v);
	if (ret)
		return ret;
	vct_ranges_merge(&info->iova);
	info->has_iova_ranges = true;
	info->pgsizes = r.out_iova_alignment;
	return 0;
}

/*
 * The cdev fd is the attachment: the caller gets its own descriptor of
 * the same open file (a second open of the cdev would need a second bind,
 * which vfio_df_open() refuses for cdev opens), so closing it leaves the
 * device attached.
 */
static int ifd_device_fd(struct vct_iommu *iommu, const char *bdf)
{
	struct fd_dev *d = find_dev(iommu, bdf);
	int fd;

	if (!d) {
		errf(iommu, "%s is not attached", bdf);
		return -ENOENT;
	}
	vct_iommu_step(iommu, "F_DUPFD");
	fd = fcntl(d->fd, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

static int ifd_allow_iovas(struct vct_iommu *iommu, const struct vct_ranges *r)
{
	struct iommu_ioas_allow_iovas a = {
		.size = sizeof(a),
		.ioas_id = F(iommu)->ioas,
		.num_iovas = (uint32_t)r->n,
	};
	struct iommu_iova_range *v = NULL;
	size_t i;
	int ret;

	if (r->n) {
		v = calloc(r->n, sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (i = 0; i < r->n; i++) {
			v[i].start = r->v[i].start;
			v[i].last = r->v[i].last;
		}
		a.allowed_iovas = (uintptr_t)v;
	}
	ret = xioctl(F(iommu)->fd, IOMMU_IOAS_ALLOW_IOVAS, &a);
	free(v);
	return ret;
}

/* ---- hardware page tables ----------------------------------------------- */

static int ifd_dev_id(struct vct_iommu *iommu, const char *bdf, uint32_t *id)
{
	struct fd_dev *d = find_dev(iommu, bdf);

	if (!d) {
		errf(iommu, "%s is not attached", bdf);
		return -ENOENT;
	}
	*id = d->devid;
	return 0;
}

/* No driver data asked for (data_len 0): only the capabilities. */
static int ifd_hw_caps(struct vct_iommu *iommu, uint32_t id, uint64_t *caps)
{
	struct iommu_hw_info info = { .size = sizeof(info), .dev_id = id };
	int ret = xioctl(F(iommu)->fd, IOMMU_GET_HW_INFO, &info);

	if (!ret)
		*caps = info.out_capabilities;
	return ret;
}

static int ifd_hwpt_alloc(struct vct_iommu *iommu, uint32_t id, uint32_t flags,
			  uint32_t *hwpt)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a),
		.flags = flags,
		.dev_id = id,
		.pt_id = F(iommu)->ioas,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	int ret = xioctl(F(iommu)->fd, IOMMU_HWPT_ALLOC, &a);

	if (!ret)
		*hwpt = a.out_hwpt_id;
	return ret;
}

static int ifd_destroy(struct vct_iommu *iommu, uint32_t obj)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = obj };

	return xioctl(F(iommu)->fd, IOMMU_DESTROY, &d);
}

static int ifd_hwpt_set_dirty(struct vct_iommu *iommu, uint32_t hwpt,
			      uint32_t flags)
{
	struct iommu_hwpt_set_dirty_tracking t = {
		.size = sizeof(t),
		.flags = flags,
		.hwpt_id = hwpt,
	};

	return xioctl(F(iommu)->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &t);
}

static int ifd_hwpt_get_dirty(struct vct_iommu *iommu,
			      const struct vct_hwpt_bitmap_req *req)
{
	struct iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g),
		.hwpt_id = req->hwpt,
		.flags = req->flags,
		.__reserved = req->reserved,
		.iova = req->iova,
		.length = req->length,
		.page_size = req->page_size,
		.data = (uintptr_t)req->bitmap,
	};

	return xioctl(F(iommu)->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &g);
}

/*
 * CONFIG_IOMMUFD_TEST's command, laid out as Linux 6.12's
 * drivers/iommu/iommufd/iommufd_test.h struct iommu_test_cmd (not a uapi
 * header): a 16-byte head, a 48-byte union (its largest member is
 * `dirty`), then `last`; the kernel wants at least offsetofend(last)
 * (main.c IOCTL_OP(IOMMU_TEST_CMD, ..., struct iommu_test_cmd, last)).
 */
#define VCT_IOMMU_TEST_CMD	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)
enum { VCT_TEST_OP_MOCK_DOMAIN = 2, VCT_TEST_OP_DIRTY = 13 };

struct vct_test_cmd {
	uint32_t size, op, id, reserved;
	union {
		struct {
			uint32_t out_stdev_id, out_hwpt_id, out_idev_id;
		} mock_domain;
		struct {
			uint32_t flags;
			uint32_t pad;
			uint64_t iova, length, page_size, uptr, out_nr_dirty;
		} dirty;
		uint64_t raw[6];
	};
	uint32_t last;
};
_Static_assert(offsetof(struct vct_test_cmd, last) == 64,
	       "struct iommu_test_cmd layout of Linux 6.12");

static int ifd_mock_attach(struct vct_iommu *iommu, uint32_t *id)
{
	struct vct_test_cmd c = {
		.size = sizeof(c),
		.op = VCT_TEST_OP_MOCK_DOMAIN,
		.id = F(iommu)->ioas,
	};
	int ret = xioctl(F(iommu)->fd, VCT_IOMMU_TEST_CMD, &c);

	/*
	 * main.c iommufd_fops_ioctl(): a command number past the table goes
	 * to iommufd_vfio_ioctl(), which answers -ENOIOCTLCMD (ENOTTY).
	 */
	if (ret == -ENOTTY)
		errf(iommu, "IOMMU_TEST_CMD: ENOTTY: kernel built without CONFIG_IOMMUFD_TEST");
	if (!ret)
		*id = c.mock_domain.out_idev_id;
	return ret;
}

static int ifd_mock_dirty(struct vct_iommu *iommu, uint32_t hwpt, uint64_t iova,
			  uint64_t length, uint64_t page_size,
			  const uint64_t *bitmap, uint64_t *nr_dirty)
{
	struct vct_test_cmd c = {
		.size = sizeof(c),
		.op = VCT_TEST_OP_DIRTY,
		.id = hwpt,
		.dirty = {
			.iova = iova,
			.length = length,
			.page_size = page_size,
			.uptr = (uintptr_t)bitmap,
		},
	};
	int ret = xioctl(F(iommu)->fd, VCT_IOMMU_TEST_CMD, &c);

	*nr_dirty = ret ? 0 : c.dirty.out_nr_dirty;
	return ret;
}

static int ifd_container_fd(const struct vct_iommu *iommu)
{
	return F(iommu)->fd;
}

static void ifd_close(struct vct_iommu *iommu)
{
	struct ifd *f = F(iommu);

	if (!f)
		return;
	/* Devices first (their last close unbinds), then the IOAS with the fd. */
	while (f->ndevs)
		drop_dev(iommu, &f->devs[f->ndevs - 1]);
	close(f->fd);
	free(f);
	iommu->priv = NULL;
}

const struct vct_iommu_ops vct_iommu_iommufd_ops = {
	.open = ifd_open,
	.attach = ifd_attach,
	.detach = ifd_detach,
	.forget = ifd_forget,
	.attached = ifd_attached,
	.map = ifd_map,
	.unmap = ifd_unmap,
	.unmap_all = ifd_unmap_all,
	.info = ifd_info,
	.device_fd = ifd_device_fd,
	.raw_map = NULL,
	.raw_unmap = NULL,
	.check_extension = NULL,
	.allow_iovas = ifd_allow_iovas,
	.group_fd = NULL,
	.container_fd = ifd_container_fd,
	.close = ifd_close,
	.dev_id = ifd_dev_id,
	.hw_caps = ifd_hw_caps,
	.hwpt_alloc = ifd_hwpt_alloc,
	.destroy = ifd_destroy,
	.hwpt_set_dirty = ifd_hwpt_set_dirty,
	.hwpt_get_dirty = ifd_hwpt_get_dirty,
	.mock_attach = ifd_mock_attach,
	.mock_dirty = ifd_mock_dirty,
};
