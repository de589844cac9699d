/* SPDX-License-Identifier: GPL-2.0 */
/*
 * resv.h - strict reader of /sys/kernel/iommu_groups/<N>/reserved_regions.
 *
 * The kernel (drivers/iommu/iommu.c, iommu_group_show_resv_regions) prints
 * one region per line as "0x%016llx 0x%016llx %s\n": first byte, last byte
 * (inclusive), type.  The parser accepts exactly that and nothing looser,
 * because a conformance suite must notice when the kernel's output changes:
 * lowercase 16-digit hex with "0x", single spaces, a known type, '\n' after
 * every line, start <= end, and no more than one sysfs page.
 *
 * An empty file is valid and parses to n == 0: a group whose devices and
 * IOMMU reserve nothing prints nothing (e.g. virtio-iommu without probed
 * regions); the caller decides whether its platform allows that.
 *
 * Every error message starts with "<file>:<line>: " (or "<file>: " for
 * whole-file problems) and says what is wrong.  Errnos: EINVAL syntax or a
 * violated kernel guarantee, EFBIG larger than max_len, ENOMEM, or the
 * errno of open/read.
 */
#ifndef VCT_RESV_H
#define VCT_RESV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "range.h"

/* Same order as the kernel's enum iommu_resv_type (SW_MSI prints as msi). */
enum vct_resv_type {
	VCT_RESV_DIRECT,
	VCT_RESV_DIRECT_RELAXABLE,
	VCT_RESV_RESERVED,
	VCT_RESV_MSI,
	VCT_RESV_NTYPES
};

#define VCT_RESV_MASK(t)	(1u << (t))
#define VCT_RESV_MASK_ALL	((1u << VCT_RESV_NTYPES) - 1)
/*
 * The kinds VFIO type1 keeps out of a container's usable IOVA: all but
 * direct-relaxable (vfio_iommu_resv_exclude() and vfio_iommu_resv_conflict()
 * skip IOMMU_RESV_DIRECT_RELAXABLE).
 */
#define VCT_RESV_MASK_VFIO_EXCLUDED \
	(VCT_RESV_MASK_ALL & ~VCT_RESV_MASK(VCT_RESV_DIRECT_RELAXABLE))

struct vct_resv_region {
	uint64_t start;
	uint64_t end;		/* inclusive */
	enum vct_resv_type type;
	unsigned int line;	/* 1-based line in the file */
};

struct vct_resv_list {
	struct vct_resv_region *v;
	size_t n;
	char path[512];		/* the name errors are reported under */
};

/* "direct", "direct-relaxable", "reserved", "msi"; "?" if out of range. */
const char *vct_resv_type_name(enum vct_resv_type t);

/*
 * Parse buf[0..len) (need not be NUL-terminated; a NUL byte is an error),
 * reporting errors under `name`.  max_len is the largest legal size: sysfs
 * attributes are at most one page, so callers pass the page size.
 * On success *out owns a new array (vct_resv_free); on error *out is empty.
 */
int vct_resv_parse_buf(const char *name, const char *buf, size_t len,
		       size_t max_len, struct vct_resv_list *out,
		       struct vct_err *err);
int vct_resv_parse_file(const char *path, size_t max_len,
			struct vct_resv_list *out, struct vct_err *err);

/*
 * Check what the kernel guarantees about a parsed list
 * (iommu_insert_resv_region keeps it so):
 *  - sorted by start (equal starts: by type, in enum order);
 *  - start and end + 1 aligned to page_size (a power of two);
 *  - no two regions of the same type overlap or touch, since the kernel
 *    merges those.  Regions of different types may overlap.
 * Errors name the file and both lines involved.
 */
int vct_resv_validate(const struct vct_resv_list *l, uint64_t page_size,
		      struct vct_err *err);

/*
 * Numeric directory names under sysfs_root (e.g. "/sys/kernel/iommu_groups"),
 * sorted ascending; other names are ignored.  *ids is malloc'ed (NULL when
 * *n == 0); the caller frees it.
 */
int vct_resv_group_ids(const char *sysfs_root, unsigned int **ids, size_t *n);
/*
 * For FIXTURE_SETUP of suites that read every group: the groups of
 * VCT_SYSFS_IOMMU_GROUPS into *ids_p, *n_p (vct_resv_group_ids()), or SKIP
 * where there is none (the kernel runs without an IOMMU); ASSERT on any
 * other failure.  Needs the harness's _metadata in scope, pcidev.h and
 * util.h included.
 */
#define VCT_RESV_GROUPS_OR_SKIP(ids_p, n_p) do { \
	int __ret = vct_resv_group_ids(VCT_SYSFS_IOMMU_GROUPS, ids_p, n_p); \
	if (__ret == -ENOENT || (!__ret && !*(n_p))) \
		SKIP(return, "no IOMMU groups in " VCT_SYSFS_IOMMU_GROUPS \
		     ": the kernel runs without an IOMMU"); \
	ASSERT_EQ(0, __ret) TH_LOG("listing " VCT_SYSFS_IOMMU_GROUPS ": %s", \
				   vct_errno_name(-__ret)); \
} while (0)

/* Parse <sysfs_root>/<group>/reserved_regions. */
int vct_resv_read_group(const char *sysfs_root, unsigned int group,
			size_t max_len, struct vct_resv_list *out,
			struct vct_err *err);

/* out = union of the regions whose VCT_RESV_MASK(type) is in type_mask (merged). */
int vct_resv_to_ranges(const struct vct_resv_list *l, unsigned int type_mask,
		       struct vct_ranges *out);

/* The same regions (start, end and type) in the same order; path aside. */
bool vct_resv_equal(const struct vct_resv_list *a, const struct vct_resv_list *b);

void vct_resv_free(struct vct_resv_list *l);

#endif /* VCT_RESV_H */
