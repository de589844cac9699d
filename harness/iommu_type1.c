// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_type1.c - the VFIO type1 / type1v2 backend: a container
 * (/dev/vfio/vfio), groups (/dev/vfio/<N>) set into it, and the
 * VFIO_IOMMU_* ioctls.  See iommu.h for what each op guarantees.
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

#define VFIO_CONTAINER_PATH "/dev/vfio/vfio"

#define errf(iommu, ...) \
	snprintf((iommu)->err, sizeof((iommu)->err), __VA_ARGS__)

static unsigned long type1_model(const struct vct_iommu *iommu)
{
	return iommu->backend == VCT_BACKEND_TYPE1v2 ? VFIO_TYPE1v2_IOMMU :
						      VFIO_TYPE1_IOMMU;
}

static const char *type1_model_name(const struct vct_iommu *iommu)
{
	return iommu->backend == VCT_BACKEND_TYPE1v2 ? "VFIO_TYPE1v2_IOMMU" :
						      "VFIO_TYPE1_IOMMU";
}

/* ioctl as 0 / -errno. */
static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static int type1_open(struct vct_iommu *iommu)
{
	int fd, ret;

	fd = open(VFIO_CONTAINER_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		errf(iommu, "cannot open " VFIO_CONTAINER_PATH ": %s%s",
		     strerror(errno),
		     ret == -ENOENT ? " (vfio module not loaded)" : "");
		return ret;
	}
	ret = ioctl(fd, VFIO_GET_API_VERSION);
	if (ret != VFIO_API_VERSION) {
		errf(iommu, "VFIO_GET_API_VERSION answered %d, expected %d",
		     ret, VFIO_API_VERSION);
		close(fd);
		return -EPROTO;
	}
	/* Answered by the loaded IOMMU drivers: 0 when none offers the model. */
	ret = ioctl(fd, VFIO_CHECK_EXTENSION, type1_model(iommu));
	if (ret <= 0) {
		ret = ret < 0 ? -errno : -EOPNOTSUPP;
		errf(iommu, "kernel lacks %s%s", type1_model_name(iommu),
		     ret == -EOPNOTSUPP ? "" : " (VFIO_CHECK_EXTENSION failed)");
		close(fd);
		return ret;
	}
	iommu->fd = fd;
	return 0;
}

static struct vct_iommu_group *find_group(struct vct_iommu *iommu, int id)
{
	size_t i;

	for (i = 0; i < iommu->ngroups; i++)
		if (iommu->groups[i].id == id)
			return &iommu->groups[i];
	return NULL;
}

/* Open /dev/vfio/<group> and check the group is viable. */
static int open_group(struct vct_iommu *iommu, const char *bdf, int group)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		errf(iommu, "cannot open %s: %s%s", path, strerror(errno),
		     ret == -ENOENT ? " (is the device bound to vfio-pci?)" : "");
		return ret;
	}
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

static int type1_attach(struct vct_iommu *iommu, const char *bdf, int group)
{
	struct vct_iommu_group *g;
	unsigned long model = type1_model(iommu);
	int fd, ret;

	if (find_group(iommu, group))
		return 0;
	if (iommu->ngroups == VCT_IOMMU_MAX_GROUPS) {
		errf(iommu, "more than %d groups", VCT_IOMMU_MAX_GROUPS);
		return -E2BIG;
	}
	fd = open_group(iommu, bdf, group);
	if (fd < 0)
		return fd;
	ret = xioctl(fd, VFIO_GROUP_SET_CONTAINER, &iommu->fd);
	if (ret) {
		errf(iommu, "VFIO_GROUP_SET_CONTAINER (group %d) refused", group);
		close(fd);
		return ret;
	}
	/* The IOMMU model is chosen once, when the first group is in. */
	if (!iommu->model_set) {
		ret = ioctl(iommu->fd, VFIO_SET_IOMMU, model) < 0 ? -errno : 0;
		if (ret) {
			errf(iommu, "VFIO_SET_IOMMU(%s) refused",
			     type1_model_name(iommu));
			ioctl(fd, VFIO_GROUP_UNSET_CONTAINER);
			close(fd);
			return ret;
		}
		iommu->model_set = true;
	}
	g = &iommu->groups[iommu->ngroups++];
	g->id = group;
	g->fd = fd;
	return 0;
}

static int type1_detach(struct vct_iommu *iommu, int group)
{
	struct vct_iommu_group *g = find_group(iommu, group);
	int ret;

	if (!g) {
		errf(iommu, "group %d is not attached", group);
		return -ENOENT;
	}
	ret = ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER) < 0 ? -errno : 0;
	if (ret) {
		errf(iommu, "VFIO_GROUP_UNSET_CONTAINER (group %d) refused", group);
		return ret;
	}
	close(g->fd);
	*g = iommu->groups[--iommu->ngroups];
	/* The container drops its IOMMU model with its last group. */
	if (!iommu->ngroups)
		iommu->model_set = false;
	return 0;
}

static int type1_map(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		     void *vaddr, uint32_t prot)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	if (prot & VCT_PROT_READ)
		map.flags |= VFIO_DMA_MAP_FLAG_READ;
	if (prot & VCT_PROT_WRITE)
		map.flags |= VFIO_DMA_MAP_FLAG_WRITE;
	return xioctl(iommu->fd, VFIO_IOMMU_MAP_DMA, &map);
}

static int do_unmap(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		    uint32_t flags, uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int ret = xioctl(iommu->fd, VFIO_IOMMU_UNMAP_DMA, &unmap);

	/* The kernel writes back how much it unmapped into .size. */
	*unmapped = ret ? 0 : unmap.size;
	return ret;
}

static int type1_unmap(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		       uint64_t *unmapped)
{
	return do_unmap(iommu, iova, size, 0, unmapped);
}

static int type1_unmap_all(struct vct_iommu *iommu, uint64_t *unmapped)
{
	*unmapped = 0;
	if (ioctl(iommu->fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) <= 0) {
		errf(iommu, "kernel lacks VFIO_UNMAP_ALL");
		return -EOPNOTSUPP;
	}
	return do_unmap(iommu, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, unmapped);
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

	ret = vct_info_ioctl(iommu->fd, VFIO_IOMMU_GET_INFO, sizeof(*fixed),
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
	struct vct_iommu_group *g;
	char canon[VCT_BDF_LEN];
	int fd, group = __vct_pci_iommu_group(bdf);

	if (group < 0)
		return group;
	g = find_group(iommu, group);
	if (!g) {
		errf(iommu, "%s: group %d is not attached", bdf, group);
		return -ENOENT;
	}
	if (vct_bdf_canon(bdf, canon))
		return -EINVAL;
	fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, canon);
	return fd < 0 ? -errno : fd;
}

/*
 * VFIO_IOMMU_DIRTY_PAGES: struct vfio_iommu_type1_dirty_bitmap, followed
 * for GET_BITMAP by struct vfio_iommu_type1_dirty_bitmap_get.
 */
static int type1_dirty(struct vct_iommu *iommu, const struct vct_dirty_req *req)
{
	struct vfio_iommu_type1_dirty_bitmap hdr = { .flags = req->flags };
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
	/* Groups leave the container before it is closed, last attached first. */
	while (iommu->ngroups) {
		struct vct_iommu_group *g = &iommu->groups[iommu->ngroups - 1];

		ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
		close(g->fd);
		iommu->ngroups--;
	}
	if (iommu->fd >= 0)
		close(iommu->fd);
	iommu->fd = -1;
	iommu->model_set = false;
}

const struct vct_iommu_ops vct_iommu_type1_ops = {
	.open = type1_open,
	.attach = type1_attach,
	.detach = type1_detach,
	.map = type1_map,
	.unmap = type1_unmap,
	.unmap_all = type1_unmap_all,
	.info = type1_info,
	.device_fd = type1_device_fd,
	.close = type1_close,
	.dirty = type1_dirty,
	.unmap_dirty = type1_unmap_dirty,
};
