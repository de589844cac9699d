// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_type1.c - the container backends: a container, groups
 * (/dev/vfio/<N>) set into it, and the VFIO_IOMMU_* ioctls.  The container
 * is /dev/vfio/vfio (VFIO type1 / type1v2, drivers/vfio/vfio_iommu_type1.c)
 * or /dev/iommu (the iommufd compat modes, drivers/iommu/iommufd/
 * vfio_compat.c answering the same ioctls).  See iommu.h for what each op
 * guarantees; the properties below say where the four differ, each with
 * the Linux 6.12 line that decides it.
 */
#include "iommu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#define errf(iommu, ...) \
	snprintf((iommu)->err, sizeof((iommu)->err), __VA_ARGS__)

/*
 * vfio_iommu_type1.c, vfio_dma_do_map(): `if ((prot && set_vaddr) ||
 * (!prot && !set_vaddr)) return -EINVAL`; container.c
 * vfio_fops_unl_ioctl() answers -EINVAL while container->iommu_driver is
 * NULL; vfio_pin_pages_remote() accounts to mm->locked_vm through
 * mm_lock_acct() -> __account_locked_vm(); a VM_PFNMAP VMA (a BAR's mmap)
 * goes through follow_fault_pfn() and is_invalid_reserved_pfn() pfns are
 * never accounted; DMA_AVAIL is iommu->dma_avail (dma_entry_limit, one per
 * vfio_dma).  Wrap: 6.12 answers -EINVAL ("Don't allow IOVA or virtual
 * address wrap"), 7.x -EOVERFLOW: by kernel version (map_wrap_errno 0).
 */
#define TYPE1_COMMON \
	.dev_path = "/dev/vfio/vfio", \
	.attaches_devices = false, \
	.groups = true, \
	.attach_at_device_open = false, \
	.type1_uapi = true, \
	.unmap_nothing_errno = 0, \
	.map_no_prot_errno = -EINVAL, \
	.bar_map_errno = 0, \
	.bar_map_locks = false, \
	.dma_avail = VCT_DMA_AVAIL_COUNTED, \
	.lock_acct = VCT_LOCK_ACCT_MM, \
	.update_vaddr = true, \
	.allow_iovas = false, \
	.map_unset_errno = -EINVAL, \
	.map_wrap_errno = 0

/*
 * vfio_dma_do_unmap(), v1: "an unmap request covering the first iova of
 * mapping will unmap the entire range" and `if (!iommu->v2 && iova >
 * dma->iova) break;`.
 */
const struct vct_iommu_props vct_iommu_type1_props = {
	.name = "type1",
	TYPE1_COMMON,
	.vfio_model = VFIO_TYPE1_IOMMU,
	.unmap_partial = VCT_UNMAP_PARTIAL_WHOLE,
	.unmap_partial_errno = 0,
};

/*
 * vfio_dma_do_unmap(), v2: `if (dma && dma->iova != iova) goto unlock`
 * and `if (dma && dma->iova + dma->size != iova + size) goto unlock` with
 * ret = -EINVAL: no bisecting a mapping.
 */
const struct vct_iommu_props vct_iommu_type1v2_props = {
	.name = "type1v2",
	TYPE1_COMMON,
	.vfio_model = VFIO_TYPE1v2_IOMMU,
	.unmap_partial = VCT_UNMAP_PARTIAL_REFUSED,
	.unmap_partial_errno = -EINVAL,
};

/*
 * drivers/iommu/iommufd/vfio_compat.c and io_pagetable.c (6.12):
 * - a group's device joins the compat IOAS when its fd is opened
 *   (vfio_df_group_open() -> vfio_df_open() -> vfio_iommufd_compat_attach_ioas()),
 *   not at VFIO_GROUP_SET_CONTAINER: the backend keeps a device fd open
 *   per attached device;
 * - iommufd_vfio_map_dma(): `supported_flags = READ | WRITE` and no test
 *   that either is set, but the IOMMU driver's map refuses it -EINVAL when
 *   the IOAS has a domain (intel/iommu.c __domain_mapping(): `if ((prot &
 *   (DMA_PTE_READ|DMA_PTE_WRITE)) == 0) return -EINVAL;`, io-pgtable-arm.c
 *   arm_lpae_map_pages(): `if (!(iommu_prot & (IOMMU_READ | IOMMU_WRITE)))
 *   return -EINVAL;`);
 * - iopt_unmap_iova_range(): "If there are no mapped entries then
 *   success", rc = 0, and the compat unmap does not turn 0 bytes into an
 *   error;
 * - a BAR's mmap: pages are pinned with pin_user_pages_fast() (pages.c
 *   pfn_reader_user_pin()), which refuses VM_IO | VM_PFNMAP VMAs -EFAULT;
 * - iommufd_fill_cap_dma_avail(): `.avail = U32_MAX`, a constant;
 * - iopt_alloc_pages(): `if (capable(CAP_IPC_LOCK)) account_mode =
 *   IOPT_PAGES_ACCOUNT_NONE; else IOPT_PAGES_ACCOUNT_USER` (the MM mode is
 *   only for /dev/vfio/vfio opened as iommufd, main.c
 *   iommufd_fops_open()), and do_update_pinned() always adds to
 *   mm->pinned_vm;
 * - iommufd_vfio_check_extension(): VFIO_UPDATE_VADDR -> 0;
 * - get_compat_ioas() without a group set: ERR_PTR(-ENODEV);
 * - iopt_check_iova(): check_add_overflow(iova, length - 1) -> -EOVERFLOW.
 */
#define COMPAT_COMMON \
	.dev_path = "/dev/iommu", \
	.attaches_devices = false, \
	.groups = true, \
	.attach_at_device_open = true, \
	.type1_uapi = true, \
	.unmap_nothing_errno = 0, \
	.map_no_prot_errno = -EINVAL, \
	.bar_map_errno = -EFAULT, \
	.bar_map_locks = false, \
	.dma_avail = VCT_DMA_AVAIL_CONSTANT, \
	.lock_acct = VCT_LOCK_ACCT_USER, \
	.update_vaddr = false, \
	.allow_iovas = false, \
	.map_unset_errno = -ENODEV, \
	.map_wrap_errno = -EOVERFLOW

/*
 * iommufd_vfio_set_iommu(): `if (type == VFIO_TYPE1_IOMMU) rc =
 * iopt_disable_large_pages(&ioas->iopt)`, and iommufd_vfio_unmap_dma()
 * then "Create cuts at the start and last of the requested range"
 * (iopt_cut_iova()): exactly the range is unmapped.
 */
const struct vct_iommu_props vct_iommu_compat_type1_props = {
	.name = "iommufd_compat_type1",
	COMPAT_COMMON,
	.vfio_model = VFIO_TYPE1_IOMMU,
	.unmap_partial = VCT_UNMAP_PARTIAL_SPLIT,
	.unmap_partial_errno = 0,
};

/*
 * iopt_unmap_iova_range(): `if (area_first < start || area_last > last)
 * { rc = -ENOENT; ...}`: "Splitting/truncating IOVA mappings is not
 * allowed" (iopt_unmap_iova()).
 */
const struct vct_iommu_props vct_iommu_compat_type1v2_props = {
	.name = "iommufd_compat_type1v2",
	COMPAT_COMMON,
	.vfio_model = VFIO_TYPE1v2_IOMMU,
	.unmap_partial = VCT_UNMAP_PARTIAL_REFUSED,
	.unmap_partial_errno = -ENOENT,
};

#define MAX_GROUP_DEVS 8

struct t1_group {
	int id;
	int fd;				/* /dev/vfio/<id> */
	size_t ndevs;			/* devices attached through it */
	char bdf[MAX_GROUP_DEVS][VCT_BDF_LEN];
	int devfd[MAX_GROUP_DEVS];	/* held open (compat), else -1 */
};

struct t1 {
	int fd;				/* the container */
	bool model_set;			/* VFIO_SET_IOMMU done */
	struct t1_group groups[VCT_IOMMU_MAX_GROUPS];
	size_t ngroups;
};

static struct t1 *T(const struct vct_iommu *iommu)
{
	return iommu->priv;
}

static const char *model_name(const struct vct_iommu *iommu)
{
	return iommu->props->vfio_model == VFIO_TYPE1v2_IOMMU ?
	       "VFIO_TYPE1v2_IOMMU" : "VFIO_TYPE1_IOMMU";
}

/* ioctl as 0 / -errno. */
static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static int type1_open(struct vct_iommu *iommu)
{
	const char *path = iommu->props->dev_path;
	struct t1 *t;
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		errf(iommu, "cannot open %s: %s%s", path, strerror(errno),
		     ret != -ENOENT ? "" : iommu->props->attach_at_device_open ?
		     " (kernel built without CONFIG_IOMMUFD, or iommufd not loaded)" :
		     " (vfio module not loaded, or kernel without CONFIG_VFIO_CONTAINER)");
		return ret;
	}
	/* iommufd_vfio_ioctl() answers VFIO_GET_API_VERSION as VFIO does. */
	ret = ioctl(fd, VFIO_GET_API_VERSION);
	if (ret != VFIO_API_VERSION) {
		errf(iommu, "%s: VFIO_GET_API_VERSION answered %d, expected %d",
		     path, ret, VFIO_API_VERSION);
		close(fd);
		return -EPROTO;
	}
	/* Answered by the loaded IOMMU drivers: 0 when none offers the model. */
	ret = ioctl(fd, VFIO_CHECK_EXTENSION, iommu->props->vfio_model);
	if (ret <= 0) {
		ret = ret < 0 ? -errno : -EOPNOTSUPP;
		errf(iommu, "%s: kernel lacks %s%s", path, model_name(iommu),
		     ret == -EOPNOTSUPP ? "" : " (VFIO_CHECK_EXTENSION failed)");
		close(fd);
		return ret;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		return -ENOMEM;
	}
	t->fd = fd;
	iommu->priv = t;
	return 0;
}

static struct t1_group *find_group(const struct vct_iommu *iommu, int id)
{
	struct t1 *t = T(iommu);
	size_t i;

	for (i = 0; i < t->ngroups; i++)
		if (t->groups[i].id == id)
			return &t->groups[i];
	return NULL;
}

/* The group `bdf` was attached through (sysfs first: it may be gone). */
static struct t1_group *group_of(const struct vct_iommu *iommu, const char *bdf)
{
	struct t1 *t = T(iommu);
	char canon[VCT_BDF_LEN];
	int group = __vct_pci_iommu_group(bdf);
	size_t i, j;

	if (group >= 0 && find_group(iommu, group))
		return find_group(iommu, group);
	if (vct_bdf_canon(bdf, canon))
		return NULL;
	for (i = 0; i < t->ngroups; i++)
		for (j = 0; j < t->groups[i].ndevs; j++)
			if (!strcmp(t->groups[i].bdf[j], canon))
				return &t->groups[i];
	return NULL;
}

/* Open /dev/vfio/<group> and check the group is viable. */
static int open_group(struct vct_iommu *iommu, const char *bdf, int group)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	vct_iommu_step(iommu, "open /dev/vfio/GROUP");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		errf(iommu, "cannot open %s: %s%s", path, strerror(errno),
		     ret == -ENOENT ? " (is the device bound to vfio-pci?)" : "");
		return ret;
	}
	vct_iommu_step(iommu, "VFIO_GROUP_GET_STATUS");
	ret = xioctl(fd, VFIO_GROUP_GET_STATUS, &status);
	if (ret) {
		errf(iommu, "VFIO_GROUP_GET_STATUS on %s failed", path);
		close(fd);
		return ret;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errf(iommu,
		     "group %d of %s is not viable: another device in it is bound to a host driver",
		     group, bdf);
		close(fd);
		return -EPERM;
	}
	return fd;
}

/*
 * Record `bdf` as attached through g; compat: open its device fd, which
 * is what attaches it to the IOAS (see COMPAT_COMMON).
 */
static int group_add_dev(struct vct_iommu *iommu, struct t1_group *g,
			 const char *bdf)
{
	char canon[VCT_BDF_LEN];
	int fd = -1;
	size_t j;

	if (vct_bdf_canon(bdf, canon)) {
		errf(iommu, "%s: not a BDF", bdf);
		return -EINVAL;
	}
	for (j = 0; j < g->ndevs; j++)
		if (!strcmp(g->bdf[j], canon))
			return 0;
	if (g->ndevs == MAX_GROUP_DEVS) {
		errf(iommu, "group %d: more than %d devices", g->id, MAX_GROUP_DEVS);
		return -E2BIG;
	}
	if (iommu->props->attach_at_device_open) {
		vct_iommu_step(iommu, "VFIO_GROUP_GET_DEVICE_FD");
		fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, canon);
		if (fd < 0) {
			int ret = -errno;

			errf(iommu, "%s: VFIO_GROUP_GET_DEVICE_FD (group %d), which attaches it to the compat IOAS, refused",
			     canon, g->id);
			return ret;
		}
	}
	snprintf(g->bdf[g->ndevs], VCT_BDF_LEN, "%s", canon);
	g->devfd[g->ndevs++] = fd;
	return 0;
}

/* Close the held device fds; the devices stay recorded (detach may yet fail). */
static void group_close_devs(struct t1_group *g)
{
	size_t j;

	for (j = 0; j < g->ndevs; j++) {
		if (g->devfd[j] >= 0)
			close(g->devfd[j]);
		g->devfd[j] = -1;
	}
}

static int type1_attach(struct vct_iommu *iommu, const char *bdf, int group)
{
	struct t1 *t = T(iommu);
	struct t1_group *g = find_group(iommu, group);
	int fd, ret;

	if (g)
		return group_add_dev(iommu, g, bdf);
	if (t->ngroups == VCT_IOMMU_MAX_GROUPS) {
		errf(iommu, "more than %d groups", VCT_IOMMU_MAX_GROUPS);
		return -E2BIG;
	}
	fd = open_group(iommu, bdf, group);
	if (fd < 0)
		return fd;
	vct_iommu_step(iommu, "VFIO_GROUP_SET_CONTAINER");
	ret = xioctl(fd, VFIO_GROUP_SET_CONTAINER, &t->fd);
	if (ret) {
		errf(iommu, "VFIO_GROUP_SET_CONTAINER (group %d) refused", group);
		close(fd);
		return ret;
	}
	/* The IOMMU model is chosen once, when the first group is in. */
	if (!t->model_set) {
		vct_iommu_step(iommu, "VFIO_SET_IOMMU");
		ret = ioctl(t->fd, VFIO_SET_IOMMU, iommu->props->vfio_model) < 0 ?
		      -errno : 0;
		if (ret) {
			errf(iommu, "VFIO_SET_IOMMU(%s) refused", model_name(iommu));
			ioctl(fd, VFIO_GROUP_UNSET_CONTAINER);
			close(fd);
			return ret;
		}
		t->model_set = true;
	}
	g = &t->groups[t->ngroups];
	memset(g, 0, sizeof(*g));
	g->id = group;
	g->fd = fd;
	ret = group_add_dev(iommu, g, bdf);
	if (ret) {
		char why[sizeof(iommu->err)];

		memcpy(why, iommu->err, sizeof(why));
		ioctl(fd, VFIO_GROUP_UNSET_CONTAINER);
		close(fd);
		if (!t->ngroups)
			t->model_set = false;
		memcpy(iommu->err, why, sizeof(why));
		return ret;
	}
	t->ngroups++;
	return 0;
}

static void drop_group(struct vct_iommu *iommu, struct t1_group *g)
{
	struct t1 *t = T(iommu);

	close(g->fd);
	*g = t->groups[--t->ngroups];
	/* The container drops its IOMMU model with its last group. */
	if (!t->ngroups)
		t->model_set = false;
}

static int type1_detach(struct vct_iommu *iommu, const char *bdf)
{
	struct t1_group *g = group_of(iommu, bdf);
	int ret;

	if (!g) {
		errf(iommu, "%s: its group is not attached", bdf);
		return -ENOENT;
	}
	/* The held device fds first: vfio_group_ioctl_unset_container() EBUSY. */
	group_close_devs(g);
	ret = ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER) < 0 ? -errno : 0;
	if (ret) {
		errf(iommu, "VFIO_GROUP_UNSET_CONTAINER (group %d of %s) refused",
		     g->id, bdf);
		return ret;
	}
	drop_group(iommu, g);
	return 0;
}

static void type1_forget(struct vct_iommu *iommu, const char *bdf)
{
	struct t1_group *g = group_of(iommu, bdf);

	if (!g)
		return;
	group_close_devs(g);
	drop_group(iommu, g);
}

static size_t type1_attached(const struct vct_iommu *iommu,
			     struct vct_iommu_dev *out, size_t max)
{
	struct t1 *t = T(iommu);
	size_t i;

	for (i = 0; i < t->ngroups && i < max; i++) {
		snprintf(out[i].bdf, sizeof(out[i].bdf), "%s",
			 t->groups[i].ndevs ? t->groups[i].bdf[0] : "");
		out[i].group = t->groups[i].id;
	}
	return t->ngroups;
}

static int type1_raw_map(struct vct_iommu *iommu, uint32_t flags,
			 uint64_t iova, uint64_t size, uint64_t vaddr)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = vaddr,
		.iova = iova,
		.size = size,
	};

	return xioctl(T(iommu)->fd, VFIO_IOMMU_MAP_DMA, &map);
}

static int type1_raw_unmap(struct vct_iommu *iommu, uint32_t flags,
			   uint64_t iova, uint64_t size, uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int ret = xioctl(T(iommu)->fd, VFIO_IOMMU_UNMAP_DMA, &unmap);

	/* The kernel writes back how much it unmapped into .size. */
	*unmapped = unmap.size;
	return ret;
}

static int type1_map(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		     void *vaddr, uint32_t prot)
{
	uint32_t flags = 0;

	if (prot & VCT_PROT_READ)
		flags |= VFIO_DMA_MAP_FLAG_READ;
	if (prot & VCT_PROT_WRITE)
		flags |= VFIO_DMA_MAP_FLAG_WRITE;
	return type1_raw_map(iommu, flags, iova, size, (uintptr_t)vaddr);
}

static int type1_unmap(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		       uint64_t *unmapped)
{
	int ret = type1_raw_unmap(iommu, 0, iova, size, unmapped);

	if (ret)
		*unmapped = 0;
	return ret;
}

static int type1_check_extension(struct vct_iommu *iommu, unsigned long ext)
{
	int ret = ioctl(T(iommu)->fd, VFIO_CHECK_EXTENSION, ext);

	return ret < 0 ? -errno : ret;
}

static int type1_unmap_all(struct vct_iommu *iommu, uint64_t *unmapped)
{
	int ret;

	*unmapped = 0;
	if (type1_check_extension(iommu, VFIO_UNMAP_ALL) <= 0) {
		errf(iommu, "kernel lacks VFIO_UNMAP_ALL");
		return -EOPNOTSUPP;
	}
	ret = type1_raw_unmap(iommu, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, unmapped);
	if (ret)
		*unmapped = 0;
	return ret;
}

/* Decode the capabilities this harness knows; others are only listed. */
static int decode_caps(struct vct_iommu *iommu, struct vct_iommu_info *info)
{
	const struct vct_cap *c;
	struct vct_err err = { "" };
	int ret;

	/* Lenient: see cap_misaligned in iommu.h. */
	ret = vct_capchain_walk_align(info->raw, info->argsz,
				      sizeof(struct vfio_iommu_type1_info),
				      info->cap_offset, VCT_CAPCHAIN_LENIENT,
				      info->caps, VCT_IOMMU_MAX_CAPS,
				      &info->ncaps, &info->cap_misaligned, &err);
	if (!ret) {
		c = vct_cap_find(info->caps, info->ncaps,
				 VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
		info->has_iova_ranges = c != NULL;
		if (c)
			ret = vct_cap_iova_ranges(info->raw, c, &info->iova, &err);
	}
	if (!ret) {
		c = vct_cap_find(info->caps, info->ncaps,
				 VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
		info->has_dma_avail = c != NULL;
		if (c)
			ret = vct_cap_dma_avail(info->raw, c, &info->dma_avail,
						&err);
	}
	if (!ret) {
		c = vct_cap_find(info->caps, info->ncaps,
				 VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
		info->has_migration = c != NULL;
		if (c)
			ret = vct_cap_migration(info->raw, c, &info->migration,
						&err);
	}
	if (ret)
		errf(iommu, "VFIO_IOMMU_GET_INFO capability chain: %s", err.msg);
	return ret;
}

static int type1_info(struct vct_iommu *iommu, struct vct_iommu_info *info)
{
	const struct vfio_iommu_type1_info *fixed;
	struct vct_err err = { "" };
	int ret;

	ret = vct_info_ioctl(T(iommu)->fd, VFIO_IOMMU_GET_INFO, sizeof(*fixed),
			     &info->raw, &info->argsz, &err);
	if (ret) {
		errf(iommu, "VFIO_IOMMU_GET_INFO: %s", err.msg);
		return ret;
	}
	fixed = info->raw;
	info->flags = fixed->flags;
	info->pgsizes = fixed->iova_pgsizes;
	info->cap_offset = (fixed->flags & VFIO_IOMMU_INFO_CAPS) ?
			   fixed->cap_offset : 0;
	return decode_caps(iommu, info);
}

static int type1_device_fd(struct vct_iommu *iommu, const char *bdf)
{
	struct t1_group *g = group_of(iommu, bdf);
	char canon[VCT_BDF_LEN];
	int fd;

	if (!g) {
		errf(iommu, "%s: its group is not attached", bdf);
		return -ENOENT;
	}
	if (vct_bdf_canon(bdf, canon))
		return -EINVAL;
	/* The group path opens a device more than once (vfio_df_open()). */
	vct_iommu_step(iommu, "VFIO_GROUP_GET_DEVICE_FD");
	fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, canon);
	return fd < 0 ? -errno : fd;
}

static int type1_group_fd(const struct vct_iommu *iommu, int group)
{
	struct t1_group *g = find_group(iommu, group);

	return g ? g->fd : -ENOENT;
}

static int type1_container_fd(const struct vct_iommu *iommu)
{
	return T(iommu)->fd;
}

/*
 * The compat modes: iommufd_vfio_ioctl() has no VFIO_IOMMU_DIRTY_PAGES and
 * iommufd_vfio_unmap_dma() `supported_flags = VFIO_DMA_UNMAP_FLAG_ALL`
 * ("VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP is obsoleted"): nothing is sent.
 */
static int no_dirty(struct vct_iommu *iommu)
{
	errf(iommu, "%s: iommufd's VFIO compat has no dirty tracking", iommu->props->name);
	return -EOPNOTSUPP;
}

/*
 * VFIO_IOMMU_DIRTY_PAGES: struct vfio_iommu_type1_dirty_bitmap, followed
 * for GET_BITMAP by struct vfio_iommu_type1_dirty_bitmap_get.
 */
static int type1_dirty(struct vct_iommu *iommu, const struct vct_dirty_req *req)
{
	struct vfio_iommu_type1_dirty_bitmap hdr = { .flags = req->flags };

	if (iommu->props->attach_at_device_open)
		return no_dirty(iommu);
	struct vfio_iommu_type1_dirty_bitmap_get get = {
		.iova = req->iova,
		.size = req->size,
		.bitmap = {
			.pgsize = req->pgsize,
			.size = req->bitmap_size,
			.data = (__u64 *)req->bitmap,
		},
	};
	uint64_t buf[(sizeof(hdr) + sizeof(get)) / sizeof(uint64_t)];

	hdr.argsz = req->argsz ? req->argsz :
		    req->flags & VCT_DIRTY_GET_BITMAP ? sizeof(buf) : sizeof(hdr);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy((char *)buf + sizeof(hdr), &get, sizeof(get));
	return xioctl(vct_iommu_container_fd(iommu), VFIO_IOMMU_DIRTY_PAGES, buf);
}

/* VFIO_IOMMU_UNMAP_DMA with GET_DIRTY_BITMAP: the unmap, then a vfio_bitmap. */
static int type1_unmap_dirty(struct vct_iommu *iommu,
			     const struct vct_dirty_req *req, uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | req->flags,
		.iova = req->iova,
		.size = req->size,
	};
	struct vfio_bitmap bm = {
		.pgsize = req->pgsize,
		.size = req->bitmap_size,
		.data = (__u64 *)req->bitmap,
	};
	uint64_t buf[(sizeof(unmap) + sizeof(bm)) / sizeof(uint64_t)];
	int ret;

	*unmapped = 0;
	if (iommu->props->attach_at_device_open)
		return no_dirty(iommu);

	unmap.argsz = req->argsz ? req->argsz : sizeof(buf);
	memcpy(buf, &unmap, sizeof(unmap));
	memcpy((char *)buf + sizeof(unmap), &bm, sizeof(bm));
	ret = xioctl(vct_iommu_container_fd(iommu), VFIO_IOMMU_UNMAP_DMA, buf);
	/* Written back into .size on success only (vfio_iommu_type1_unmap_dma). */
	memcpy(&unmap, buf, sizeof(unmap));
	*unmapped = ret ? 0 : unmap.size;
	return ret;
}

static void type1_close(struct vct_iommu *iommu)
{
	struct t1 *t = T(iommu);

	if (!t)
		return;
	/* Groups leave the container before it is closed, last attached first. */
	while (t->ngroups) {
		struct t1_group *g = &t->groups[t->ngroups - 1];

		group_close_devs(g);
		ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
		close(g->fd);
		t->ngroups--;
	}
	close(t->fd);
	free(t);
	iommu->priv = NULL;
}

const struct vct_iommu_ops vct_iommu_type1_ops = {
	.open = type1_open,
	.attach = type1_attach,
	.detach = type1_detach,
	.forget = type1_forget,
	.attached = type1_attached,
	.map = type1_map,
	.unmap = type1_unmap,
	.unmap_all = type1_unmap_all,
	.info = type1_info,
	.device_fd = type1_device_fd,
	.raw_map = type1_raw_map,
	.raw_unmap = type1_raw_unmap,
	.check_extension = type1_check_extension,
	.allow_iovas = NULL,
	.group_fd = type1_group_fd,
	.container_fd = type1_container_fd,
	.close = type1_close,
	.dirty = type1_dirty,
	.unmap_dirty = type1_unmap_dirty,
};
