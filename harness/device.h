/* SPDX-License-Identifier: GPL-2.0 */
/*
 * device.h - device-level VFIO helpers: device and region info (argsz
 * protocol and capability chain checked strictly, capchain.h), config space
 * and BAR access through the device fd's regions, what sysfs says about a
 * PCI device (resource, config size, reset), and a small table of
 * per-device register facts for devices the suites know.
 *
 * A region's file offset is its index << 40 on vfio-pci
 * (VFIO_PCI_INDEX_TO_OFFSET), but the helpers take the offset the kernel
 * reported in REGION_INFO, never compute it, so that a wrong offset in the
 * info shows up as wrong data rather than being papered over.
 *
 * All __vct_*() return 0 (or a count >= 0 where said) or -errno, the
 * kernel's errno untouched where the kernel answered.
 */
#ifndef VCT_DEVICE_H
#define VCT_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capchain.h"
#include "pcidev.h"
#include "range.h"

#define VCT_DEV_MAX_CAPS	16

/* VFIO_DEVICE_GET_INFO, chain validated. */
struct vct_device_info {
	uint32_t flags;		/* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;
	void *raw;		/* the answer as the kernel wrote it */
	uint32_t argsz;
	uint32_t cap_offset;
	struct vct_cap caps[VCT_DEV_MAX_CAPS];
	size_t ncaps;
};

/*
 * 0 with info filled (free with vct_device_info_free), the ioctl's -errno,
 * or a chain error (capchain.h errnos) with the reason in err.
 */
int __vct_device_info(int fd, struct vct_device_info *info, struct vct_err *err);
void vct_device_info_free(struct vct_device_info *info);
/* The same through fn (NULL: the real ioctl), to play a kernel in tests. */
int __vct_device_info_fn(vct_ioctl_fn fn, void *ctx, int fd,
			 struct vct_device_info *info, struct vct_err *err);

#define VCT_REGION_MAX_AREAS	16

/* VFIO_DEVICE_GET_REGION_INFO, chain validated and decoded. */
struct vct_region_info {
	uint32_t index;
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	uint64_t offset;	/* file offset of the region in the device fd */
	uint32_t argsz;
	uint32_t cap_offset;
	struct vct_cap caps[VCT_DEV_MAX_CAPS];
	size_t ncaps;
	/* VFIO_REGION_INFO_CAP_SPARSE_MMAP, decoded */
	bool has_sparse;
	struct vct_range areas[VCT_REGION_MAX_AREAS];	/* [offset, offset+size-1] */
	size_t nareas;
	/* VFIO_REGION_INFO_CAP_TYPE */
	bool has_type;
	uint32_t type, subtype;
	/* VFIO_REGION_INFO_CAP_MSIX_MAPPABLE present */
	bool msix_mappable;
};

/*
 * Region `index`.  Besides the chain walk, a sparse-mmap capability must
 * fit its areas in its length, each area non-empty and inside the region
 * (EINVAL/ERANGE with the reason in err).
 */
int __vct_region_info(int fd, uint32_t index, struct vct_region_info *r,
		      struct vct_err *err);
/* The same through fn (NULL: the real ioctl), to play a kernel in tests. */
int __vct_region_info_fn(vct_ioctl_fn fn, void *ctx, int fd, uint32_t index,
			 struct vct_region_info *r, struct vct_err *err);

/*
 * Raw access at `off` inside a region (file offset r->offset + off):
 * pread/pwrite's byte count (short counts possible) or -errno.
 */
int __vct_region_read(int fd, const struct vct_region_info *r, uint64_t off,
		      void *buf, size_t len);
int __vct_region_write(int fd, const struct vct_region_info *r, uint64_t off,
		       const void *buf, size_t len);

/*
 * Exactly `width` (1, 2, 4 or 8) bytes, little-endian as PCI is: 0 or
 * -errno; a short transfer is -EIO.
 */
int __vct_region_rd(int fd, const struct vct_region_info *r, uint64_t off,
		    unsigned int width, uint64_t *val);
int __vct_region_wr(int fd, const struct vct_region_info *r, uint64_t off,
		    unsigned int width, uint64_t val);

/* ---- sysfs view of the device --------------------------------------------- */

/* IORESOURCE_* bits sysfs `resource` shows (include/linux/ioport.h). */
#define VCT_IORESOURCE_IO	0x00000100
#define VCT_IORESOURCE_MEM	0x00000200
#define VCT_IORESOURCE_PREFETCH	0x00002000
#define VCT_IORESOURCE_MEM_64	0x00100000

struct vct_sysfs_bar {
	uint64_t start, end, flags;
	uint64_t size;		/* end - start + 1, 0 when absent */
};

/* BARs 0-5 and the ROM (index 6) from sysfs `resource`: strictly parsed. */
int __vct_sysfs_bars(const char *bdf, struct vct_sysfs_bar bars[7]);
/* Size of sysfs `config` (256 or 4096): the kernel's cfg_size. */
int __vct_sysfs_cfg_size(const char *bdf);
/* `len` bytes of real config space from sysfs `config` at `off`. */
int __vct_sysfs_cfg_read(const char *bdf, unsigned int off, void *buf, size_t len);
/* Whether the kernel can reset the function (sysfs `reset` exists). */
bool vct_sysfs_has_reset(const char *bdf);
/* Whether the device sits on a root bus (no upstream bridge in sysfs). */
int __vct_sysfs_on_root_bus(const char *bdf);
/* The BDF of the bridge directly above bdf in sysfs: 0, -ENOENT on a root bus, -errno. */
int __vct_sysfs_upstream_bridge(const char *bdf, char out[VCT_BDF_LEN]);

/* ---- per-device register facts ---------------------------------------------- */

/*
 * What the suites know about a device model's registers, for checks that
 * need a device's cooperation.  Devices absent from the table get only the
 * generic checks.
 */
struct vct_devregs {
	uint16_t vendor, device;
	const char *name;
	unsigned int bar;		/* BAR holding the registers below */
	bool has_id;
	uint32_t id_off;		/* 32-bit identification register */
	uint32_t id_val;
	bool has_live;
	uint32_t live_off;		/* 32-bit register reading back ~written */
};

/* NULL if the device is not in the table. */
const struct vct_devregs *vct_devregs_find(uint16_t vendor, uint16_t device);

#endif /* VCT_DEVICE_H */
