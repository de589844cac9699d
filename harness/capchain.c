// SPDX-License-Identifier: GPL-2.0
/*
 * capchain.c - VFIO INFO capability chains; see capchain.h.
 *
 * Fields are read with memcpy: a broken chain may put a header anywhere,
 * and the walker must not make an unaligned access out of a bad offset.
 */
#include "capchain.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

static int check_cap_at(uint32_t off, uint32_t argsz, uint32_t fixed_size,
			unsigned int align, struct vct_err *err)
{
	if (off < fixed_size)
		return vct_errf(err, EINVAL,
				"capability at 0x%x starts inside the 0x%x-byte fixed info struct",
				off, fixed_size);
	if (off % align)
		return vct_errf(err, EINVAL,
				"capability at 0x%x is not %u-byte aligned",
				off, align);
	if ((uint64_t)off + VCT_CAP_HEADER_SIZE > argsz)
		return vct_errf(err, ERANGE,
				"capability header at 0x%x extends beyond argsz 0x%x",
				off, argsz);
	return 0;
}

/* The header at off is inside argsz; check where its next points. */
static int check_next(const struct vfio_info_cap_header *h, uint32_t off,
		      uint32_t argsz, uint32_t *len, struct vct_err *err)
{
	/* The kernel only appends: a link that does not go forward is a cycle. */
	if (h->next == off)
		return vct_errf(err, ELOOP,
				"capability at 0x%x (id %u): next points to itself (cycle)",
				off, h->id);
	if (h->next && h->next < off)
		return vct_errf(err, ELOOP,
				"capability at 0x%x (id %u): next 0x%x points backwards",
				off, h->id, h->next);
	*len = (h->next ? h->next : argsz) - off;
	if (*len < VCT_CAP_HEADER_SIZE)
		return vct_errf(err, EINVAL,
				"capability at 0x%x (id %u) is %u bytes long, shorter than its %d-byte header",
				off, h->id, *len, VCT_CAP_HEADER_SIZE);
	return 0;
}

int vct_capchain_walk(const void *buf, uint32_t argsz, uint32_t fixed_size,
		      uint32_t first, struct vct_cap *caps, size_t max,
		      size_t *ncaps, struct vct_err *err)
{
	return vct_capchain_walk_align(buf, argsz, fixed_size, first,
				       VCT_CAPCHAIN_STRICT, caps, max, ncaps,
				       NULL, err);
}

int vct_capchain_walk_align(const void *buf, uint32_t argsz, uint32_t fixed_size,
			    uint32_t first, enum vct_capchain_align align,
			    struct vct_cap *caps, size_t max, size_t *ncaps,
			    uint32_t *misaligned, struct vct_err *err)
{
	unsigned int need = align == VCT_CAPCHAIN_LENIENT ? VCT_CAP_MIN_ALIGN
							   : VCT_CAP_ALIGN;
	struct vfio_info_cap_header h;
	uint32_t off, len = 0;
	size_t n = 0;
	int ret;

	*ncaps = 0;
	if (misaligned)
		*misaligned = 0;
	for (off = first; off; off = h.next) {
		ret = check_cap_at(off, argsz, fixed_size, need, err);
		if (ret)
			return ret;
		if (misaligned && !*misaligned && off % VCT_CAP_ALIGN)
			*misaligned = off;
		if (n == max)
			return vct_errf(err, E2BIG,
					"more than %zu capabilities (the next at 0x%x)",
					max, off);
		memcpy(&h, (const char *)buf + off, sizeof(h));
		ret = check_next(&h, off, argsz, &len, err);
		if (ret)
			return ret;
		if (caps)
			caps[n] = (struct vct_cap){ off, h.id, h.version, len };
		*ncaps = ++n;
	}
	return 0;
}

const struct vct_cap *vct_cap_find(const struct vct_cap *caps, size_t ncaps,
				   uint16_t id)
{
	size_t i;

	for (i = 0; i < ncaps; i++)
		if (caps[i].id == id)
			return &caps[i];
	return NULL;
}

/* Shared checks of the decoders: right id, version 1, fixed payload fits. */
static int cap_check(const struct vct_cap *cap, uint16_t id, const char *name,
		     size_t size, struct vct_err *err)
{
	if (cap->id != id)
		return vct_errf(err, EINVAL, "capability at 0x%x has id %u, not %s (%u)",
				cap->offset, cap->id, name, id);
	if (cap->version != 1)
		return vct_errf(err, EPROTO,
				"%s at 0x%x has version %u; only version 1 is defined",
				name, cap->offset, cap->version);
	if (cap->len < size)
		return vct_errf(err, ERANGE,
				"%s at 0x%x is %u bytes long; its payload needs %zu",
				name, cap->offset, cap->len, size);
	return 0;
}

int vct_iova_ranges_check(const struct vct_range *r, size_t n,
			  struct vct_err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (r[i].start > r[i].last)
			return vct_errf(err, EINVAL,
					"iova range %zu [0x%llx-0x%llx] has start above end",
					i, (unsigned long long)r[i].start,
					(unsigned long long)r[i].last);
		if (i && r[i].start < r[i - 1].start)
			return vct_errf(err, EINVAL,
					"iova range %zu [0x%llx-0x%llx] is not sorted: it starts below range %zu [0x%llx-0x%llx]",
					i, (unsigned long long)r[i].start,
					(unsigned long long)r[i].last, i - 1,
					(unsigned long long)r[i - 1].start,
					(unsigned long long)r[i - 1].last);
		if (i && r[i].start <= r[i - 1].last)
			return vct_errf(err, EINVAL,
					"iova range %zu [0x%llx-0x%llx] overlaps range %zu [0x%llx-0x%llx]",
					i, (unsigned long long)r[i].start,
					(unsigned long long)r[i].last, i - 1,
					(unsigned long long)r[i - 1].start,
					(unsigned long long)r[i - 1].last);
	}
	return 0;
}

/* Read the nr ranges that follow the IOVA_RANGE header, then check them. */
static int read_iova_ranges(const char *p, const struct vct_cap *cap,
			    uint32_t nr, struct vct_ranges *out,
			    struct vct_err *err)
{
	struct vct_range *r = calloc(nr, sizeof(*r));
	struct vfio_iova_range kr;
	struct vct_err why;
	uint32_t i;
	int ret;

	if (!r)
		return vct_errf(err, ENOMEM, "IOVA_RANGE at 0x%x: out of memory",
				cap->offset);
	for (i = 0; i < nr; i++) {
		memcpy(&kr, p + sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
			    (size_t)i * sizeof(kr), sizeof(kr));
		r[i] = (struct vct_range){ kr.start, kr.end };
	}
	ret = vct_iova_ranges_check(r, nr, &why);
	if (ret)
		vct_errf(err, -ret, "IOVA_RANGE at 0x%x: %.400s", cap->offset, why.msg);
	for (i = 0; !ret && i < nr; i++)
		ret = vct_ranges_add(out, r[i].start, r[i].last);
	free(r);
	if (ret == -ENOMEM)
		vct_errf(err, ENOMEM, "IOVA_RANGE at 0x%x: out of memory", cap->offset);
	return ret;
}

int vct_cap_iova_ranges(const void *buf, const struct vct_cap *cap,
			struct vct_ranges *out, struct vct_err *err)
{
	struct vfio_iommu_type1_info_cap_iova_range c;
	const char *p = (const char *)buf + cap->offset;
	uint64_t need;
	int ret;

	vct_ranges_clear(out);
	ret = cap_check(cap, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, "IOVA_RANGE",
			sizeof(c), err);
	if (ret)
		return ret;
	memcpy(&c, p, sizeof(c));
	/* vfio_iommu_iova_build_caps adds no capability for an empty list. */
	if (!c.nr_iovas)
		return vct_errf(err, EINVAL, "IOVA_RANGE at 0x%x declares 0 ranges",
				cap->offset);
	need = sizeof(c) + (uint64_t)c.nr_iovas * sizeof(struct vfio_iova_range);
	if (need > cap->len)
		return vct_errf(err, ERANGE,
				"IOVA_RANGE at 0x%x declares %u ranges (%llu bytes) but is %u bytes long",
				cap->offset, c.nr_iovas, (unsigned long long)need,
				cap->len);
	ret = read_iova_ranges(p, cap, c.nr_iovas, out, err);
	if (ret)
		vct_ranges_clear(out);
	else
		vct_ranges_merge(out);
	return ret;
}

int vct_cap_dma_avail(const void *buf, const struct vct_cap *cap,
		      uint32_t *avail, struct vct_err *err)
{
	struct vfio_iommu_type1_info_dma_avail c;
	int ret;

	ret = cap_check(cap, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, "DMA_AVAIL",
			sizeof(c), err);
	if (ret)
		return ret;
	memcpy(&c, (const char *)buf + cap->offset, sizeof(c));
	*avail = c.avail;
	return 0;
}

int vct_cap_migration(const void *buf, const struct vct_cap *cap,
		      struct vct_cap_migration *out, struct vct_err *err)
{
	struct vfio_iommu_type1_info_cap_migration c;
	int ret;

	ret = cap_check(cap, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, "MIGRATION",
			sizeof(c), err);
	if (ret)
		return ret;
	memcpy(&c, (const char *)buf + cap->offset, sizeof(c));
	out->flags = c.flags;
	out->pgsize_bitmap = c.pgsize_bitmap;
	out->max_dirty_bitmap_size = c.max_dirty_bitmap_size;
	return 0;
}

static int sys_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	(void)ctx;
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

int vct_info_ioctl(int fd, unsigned long req, size_t fixed_size, void **buf,
		   uint32_t *argsz, struct vct_err *err)
{
	return vct_info_ioctl_fn(sys_ioctl, NULL, fd, req, fixed_size, buf,
				 argsz, err);
}

/* Every INFO struct starts with its u32 argsz. */
static uint32_t get_argsz(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * One call with a buffer of `size` bytes holding the input fields.
 * Returns 0 with the answered argsz, or -errno.
 */
static int info_call(vct_ioctl_fn fn, void *ctx, int fd, unsigned long req,
		     const void *input, size_t fixed_size, void *cur,
		     uint32_t size, uint32_t *answer, struct vct_err *err)
{
	int ret;

	memset(cur, 0, size);
	memcpy(cur, input, fixed_size);
	memcpy(cur, &size, sizeof(size));
	ret = fn(ctx, fd, req, cur);
	if (ret)
		return vct_errf(err, -ret, "ioctl 0x%lx with argsz %u: %s",
				req, size, strerror(-ret));
	*answer = get_argsz(cur);
	if (*answer < size)
		return vct_errf(err, EPROTO,
				"ioctl 0x%lx answered argsz %u, below the %u passed",
				req, *answer, size);
	if (*answer > VCT_INFO_MAX_ARGSZ)
		return vct_errf(err, E2BIG,
				"ioctl 0x%lx answered argsz %u, above the %u this suite accepts",
				req, *answer, VCT_INFO_MAX_ARGSZ);
	return 0;
}

int vct_info_ioctl_fn(vct_ioctl_fn fn, void *ctx, int fd, unsigned long req,
		      size_t fixed_size, void **buf, uint32_t *argsz,
		      struct vct_err *err)
{
	uint32_t size = (uint32_t)fixed_size, answer = 0;
	bool settled = false;
	void *input, *cur;
	int tries, ret = 0;

	*argsz = 0;
	if (fixed_size < sizeof(uint32_t) || fixed_size > VCT_INFO_MAX_ARGSZ)
		return vct_errf(err, EINVAL, "fixed size %zu is not a VFIO info struct",
				fixed_size);
	if (!*buf)
		*buf = calloc(1, fixed_size);
	/* Keep the caller's input fields: the kernel overwrites the buffer. */
	input = *buf ? malloc(fixed_size) : NULL;
	if (!input)
		return vct_errf(err, ENOMEM, "out of memory");
	memcpy(input, *buf, fixed_size);
	for (tries = 0; tries < VCT_INFO_MAX_TRIES; tries++) {
		ret = info_call(fn, ctx, fd, req, input, fixed_size, *buf, size,
				&answer, err);
		if (ret)
			break;
		if (answer <= size) {	/* info_call refused answer < size */
			settled = true;
			break;
		}
		cur = realloc(*buf, answer);
		if (!cur) {
			ret = vct_errf(err, ENOMEM, "out of memory");
			break;
		}
		*buf = cur;
		size = answer;
	}
	free(input);
	if (!ret && !settled)
		ret = vct_errf(err, ELOOP, "ioctl 0x%lx: argsz still growing after %d calls (last answer %u)",
			       req, VCT_INFO_MAX_TRIES, answer);
	if (!ret)
		*argsz = size;
	return ret;
}
