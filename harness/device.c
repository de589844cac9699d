// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - device-level VFIO helpers (see device.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "device.h"
#include "util.h"

void vct_device_info_free(struct vct_device_info *info)
{
	free(info->raw);
	memset(info, 0, sizeof(*info));
}

int __vct_device_info(int fd, struct vct_device_info *info, struct vct_err *err)
{
	return __vct_device_info_fn(NULL, NULL, fd, info, err);
}

int __vct_device_info_fn(vct_ioctl_fn fn, void *ctx, int fd,
			 struct vct_device_info *info, struct vct_err *err)
{
	struct vfio_device_info *d;
	void *buf = NULL;
	uint32_t argsz = 0;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = fn ? vct_info_ioctl_fn(fn, ctx, fd, VFIO_DEVICE_GET_INFO, sizeof(*d), &buf, &argsz, err)
		 : vct_info_ioctl(fd, VFIO_DEVICE_GET_INFO, sizeof(*d), &buf, &argsz, err);
	if (ret) {
		free(buf);
		return ret;
	}
	d = buf;
	info->raw = buf;
	info->argsz = argsz;
	info->flags = d->flags;
	info->num_regions = d->num_regions;
	info->num_irqs = d->num_irqs;
	/* cap_offset is meaningful only with FLAGS_CAPS (vfio.h). */
	info->cap_offset = (d->flags & VFIO_DEVICE_FLAGS_CAPS) ? d->cap_offset : 0;
	if ((d->flags & VFIO_DEVICE_FLAGS_CAPS) && !info->cap_offset) {
		ret = vct_errf(err, EPROTO, "FLAGS_CAPS set but cap_offset 0 at argsz %u", argsz);
		goto fail;
	}
	ret = vct_capchain_walk(buf, argsz, sizeof(*d), info->cap_offset,
				info->caps, VCT_DEV_MAX_CAPS, &info->ncaps, err);
	if (ret)
		goto fail;
	return 0;
fail:
	vct_device_info_free(info);
	return ret;
}

static int decode_sparse(const void *buf, const struct vct_cap *c,
			 struct vct_region_info *r, struct vct_err *err)
{
	const struct vfio_region_info_cap_sparse_mmap *s =
		(const void *)((const char *)buf + c->offset);
	uint32_t i;

	if (c->version != 1)
		return vct_errf(err, EPROTO, "sparse mmap cap at 0x%x: version %u", c->offset, c->version);
	if (c->len < sizeof(*s))
		return vct_errf(err, ERANGE, "sparse mmap cap at 0x%x: %u bytes, header needs %zu",
				c->offset, c->len, sizeof(*s));
	if (s->nr_areas > (c->len - sizeof(*s)) / sizeof(s->areas[0]))
		return vct_errf(err, ERANGE, "sparse mmap cap at 0x%x: %u areas do not fit in %u bytes",
				c->offset, s->nr_areas, c->len);
	if (s->nr_areas > VCT_REGION_MAX_AREAS)
		return vct_errf(err, E2BIG, "sparse mmap cap at 0x%x: %u areas", c->offset, s->nr_areas);
	for (i = 0; i < s->nr_areas; i++) {
		uint64_t o = s->areas[i].offset, sz = s->areas[i].size;

		if (!sz || o + sz < o || o + sz > r->size)
			return vct_errf(err, EINVAL,
					"sparse mmap area %u [0x%" PRIx64 "+0x%" PRIx64 ") outside region %u of 0x%" PRIx64,
					i, o, sz, r->index, r->size);
		r->areas[i].start = o;
		r->areas[i].last = o + sz - 1;
	}
	r->nareas = s->nr_areas;
	r->has_sparse = true;
	return 0;
}

int __vct_region_info(int fd, uint32_t index, struct vct_region_info *r,
		      struct vct_err *err)
{
	return __vct_region_info_fn(NULL, NULL, fd, index, r, err);
}

int __vct_region_info_fn(vct_ioctl_fn fn, void *ctx, int fd, uint32_t index,
			 struct vct_region_info *r, struct vct_err *err)
{
	struct vfio_region_info *ri = calloc(1, sizeof(*ri));
	void *buf = ri;
	uint32_t argsz = 0;
	size_t i;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!ri)
		return -ENOMEM;
	ri->index = index;
	ret = fn ? vct_info_ioctl_fn(fn, ctx, fd, VFIO_DEVICE_GET_REGION_INFO, sizeof(*ri), &buf, &argsz, err)
		 : vct_info_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, sizeof(*ri), &buf, &argsz, err);
	if (ret)
		goto out;
	ri = buf;
	r->index = index;
	r->flags = ri->flags;
	r->size = ri->size;
	r->offset = ri->offset;
	r->argsz = argsz;
	if (ri->index != index) {
		ret = vct_errf(err, EPROTO, "region %u: answer names index %u", index, ri->index);
		goto out;
	}
	r->cap_offset = (ri->flags & VFIO_REGION_INFO_FLAG_CAPS) ? ri->cap_offset : 0;
	if ((ri->flags & VFIO_REGION_INFO_FLAG_CAPS) && !r->cap_offset) {
		ret = vct_errf(err, EPROTO, "region %u: FLAG_CAPS set but cap_offset 0", index);
		goto out;
	}
	ret = vct_capchain_walk(buf, argsz, sizeof(*ri), r->cap_offset, r->caps,
				VCT_DEV_MAX_CAPS, &r->ncaps, err);
	if (ret)
		goto out;
	for (i = 0; i < r->ncaps && !ret; i++) {
		const struct vct_cap *c = &r->caps[i];

		switch (c->id) {
		case VFIO_REGION_INFO_CAP_SPARSE_MMAP:
			ret = decode_sparse(buf, c, r, err);
			break;
		case VFIO_REGION_INFO_CAP_TYPE: {
			const struct vfio_region_info_cap_type *t =
				(const void *)((const char *)buf + c->offset);

			/* Payload first: a short last cap ends at argsz (fuzz/fuzz_device.c found the overread). */
			if (c->len < sizeof(*t)) {
				ret = vct_errf(err, ERANGE, "type cap at 0x%x: %u bytes, needs %zu",
					       c->offset, c->len, sizeof(*t));
				break;
			}
			r->has_type = true;
			r->type = t->type;
			r->subtype = t->subtype;
			break;
		}
		case VFIO_REGION_INFO_CAP_MSIX_MAPPABLE:
			r->msix_mappable = true;
			break;
		default:
			break;
		}
	}
out:
	free(buf);
	return ret;
}

int __vct_region_read(int fd, const struct vct_region_info *r, uint64_t off,
		      void *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len, (off_t)(r->offset + off));

	return n < 0 ? -errno : (int)n;
}

int __vct_region_write(int fd, const struct vct_region_info *r, uint64_t off,
		       const void *buf, size_t len)
{
	ssize_t n = pwrite(fd, buf, len, (off_t)(r->offset + off));

	return n < 0 ? -errno : (int)n;
}

static bool width_ok(unsigned int w)
{
	return w == 1 || w == 2 || w == 4 || w == 8;
}

int __vct_region_rd(int fd, const struct vct_region_info *r, uint64_t off,
		    unsigned int width, uint64_t *val)
{
	uint8_t b[8] = { 0 };
	unsigned int i;
	int n;

	if (!width_ok(width))
		return -EINVAL;
	n = __vct_region_read(fd, r, off, b, width);
	if (n < 0)
		return n;
	if ((unsigned int)n != width)
		return -EIO;
	*val = 0;
	for (i = 0; i < width; i++)
		*val |= (uint64_t)b[i] << (8 * i);
	return 0;
}

int __vct_region_wr(int fd, const struct vct_region_info *r, uint64_t off,
		    unsigned int width, uint64_t val)
{
	uint8_t b[8];
	unsigned int i;
	int n;

	if (!width_ok(width))
		return -EINVAL;
	for (i = 0; i < width; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	n = __vct_region_write(fd, r, off, b, width);
	if (n < 0)
		return n;
	return (unsigned int)n == width ? 0 : -EIO;
}

/* ---- sysfs ----------------------------------------------------------------- */

static int dev_path(const char *bdf, const char *attr, char *buf, size_t len)
{
	char canon[VCT_BDF_LEN];
	int n;

	if (vct_bdf_canon(bdf, canon))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%s/%s", VCT_SYSFS_PCI_DEVICES, canon, attr);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int parse_hex(const char *s, size_t n, uint64_t *out)
{
	char tmp[32];

	if (n < 3 || n >= sizeof(tmp) || s[0] != '0' || s[1] != 'x')
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return vct_parse_u64(tmp, 16, out);
}

int __vct_sysfs_bars(const char *bdf, struct vct_sysfs_bar bars[7])
{
	char path[PATH_MAX], text[4096];
	const char *p;
	int ret, i;

	ret = dev_path(bdf, "resource", path, sizeof(path));
	if (ret)
		return ret;
	ret = __vct_read_text(path, text, sizeof(text));
	if (ret < 0)
		return ret;
	p = text;
	/* "0x%016llx 0x%016llx 0x%016llx\n" per resource (pci-sysfs.c resource_show) */
	for (i = 0; i < 7; i++) {
		uint64_t v[3];
		int k;

		for (k = 0; k < 3; k++) {
			size_t n = strcspn(p, " \n");

			if (parse_hex(p, n, &v[k]))
				return -EINVAL;
			p += n;
			if (*p != (k < 2 ? ' ' : '\n') && !(k == 2 && *p == 0))
				return -EINVAL;
			if (*p)
				p++;
		}
		if (v[1] < v[0])
			return -EINVAL;
		bars[i].start = v[0];
		bars[i].end = v[1];
		bars[i].flags = v[2];
		bars[i].size = v[1] ? v[1] - v[0] + 1 : 0;
	}
	return 0;
}

int __vct_sysfs_cfg_size(const char *bdf)
{
	char path[PATH_MAX];
	struct stat st;
	int ret = dev_path(bdf, "config", path, sizeof(path));

	if (ret)
		return ret;
	if (stat(path, &st))
		return -errno;
	return (int)st.st_size;
}

int __vct_sysfs_cfg_read(const char *bdf, unsigned int off, void *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret = dev_path(bdf, "config", path, sizeof(path));

	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, off);
	ret = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return ret;
}

bool vct_sysfs_has_reset(const char *bdf)
{
	char path[PATH_MAX];

	return !dev_path(bdf, "reset", path, sizeof(path)) && !access(path, F_OK);
}

/*
 * The name of bdf's parent node in sysfs, in real (PATH_MAX): the host
 * bridge's "pci0000:00" for a device on a root bus, else its upstream
 * bridge's BDF (.../0000:00:10.0/0000:01:00.0).  NULL with -errno in *err.
 */
static const char *parent_node(const char *bdf, char *real, int *err)
{
	char path[PATH_MAX];
	char *slash;

	*err = dev_path(bdf, "", path, sizeof(path));
	if (*err)
		return NULL;
	if (!realpath(path, real)) {
		*err = -errno;
		return NULL;
	}
	slash = strrchr(real, '/');
	if (slash)
		*slash = 0;
	slash = strrchr(real, '/');
	return slash ? slash + 1 : real;
}

int __vct_sysfs_on_root_bus(const char *bdf)
{
	char real[PATH_MAX];
	int err;
	const char *parent = parent_node(bdf, real, &err);

	return parent ? !strncmp(parent, "pci", 3) : err;
}

int __vct_sysfs_upstream_bridge(const char *bdf, char out[VCT_BDF_LEN])
{
	char real[PATH_MAX];
	int err;
	const char *parent = parent_node(bdf, real, &err);

	if (!parent)
		return err;
	if (!strncmp(parent, "pci", 3))
		return -ENOENT;
	return vct_bdf_canon(parent, out);
}

/* ---- per-device table -------------------------------------------------------- */

static const struct vct_devregs devregs[] = {
	{
		/*
		 * QEMU edu (docs/specs/edu.rst): BAR0 0x00 identification
		 * 0x010000ed (major 1, minor 0, 0xed); 0x04 liveness check,
		 * reads back the bitwise inverse of what was written.
		 */
		.vendor = 0x1234, .device = 0x11e8, .name = "edu", .bar = 0,
		.has_id = true, .id_off = 0x00, .id_val = 0x010000ed,
		.has_live = true, .live_off = 0x04,
	},
};

const struct vct_devregs *vct_devregs_find(uint16_t vendor, uint16_t device)
{
	size_t i;

	for (i = 0; i < VCT_ARRAY_SIZE(devregs); i++)
		if (devregs[i].vendor == vendor && devregs[i].device == device)
			return &devregs[i];
	return NULL;
}
