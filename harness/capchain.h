/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capchain.h - VFIO INFO capability chains: the argsz growth protocol, a
 * strict chain walker and decoders for the type1 IOMMU capabilities.
 *
 * VFIO_IOMMU_GET_INFO, VFIO_DEVICE_GET_INFO and VFIO_DEVICE_GET_REGION_INFO
 * append capabilities after their fixed struct.  Each starts with
 * struct vfio_info_cap_header {u16 id; u16 version; u32 next;}, where next
 * is an offset from the start of the info buffer and 0 ends the chain.
 * The kernel (drivers/vfio/vfio_main.c, vfio_info_cap_add) pads every
 * capability to a multiple of 8 and only appends, and vfio_info_cap_shift
 * moves the chain behind the (8-byte multiple) fixed struct, so a correct
 * chain has every capability 8-byte aligned, outside the fixed struct,
 * inside argsz, with next strictly above the current offset.
 *
 * Errors name the offending offset (hex) in err->msg.  Errnos:
 *   EINVAL  inside the fixed struct, misaligned, shorter than its header,
 *           wrong id for a decoder, malformed payload
 *   ERANGE  header or payload beyond argsz / the capability's bounds
 *   ELOOP   next pointing to itself or backwards
 *   E2BIG   more capabilities than the caller's array holds
 *   EPROTO  a capability version this code does not know
 * The walker trusts that buf holds argsz bytes.
 */
#ifndef VCT_CAPCHAIN_H
#define VCT_CAPCHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "range.h"

/* Capabilities are 8-byte aligned (vfio_info_cap_add: ALIGN(size, sizeof(u64))). */
#define VCT_CAP_ALIGN		8
/* sizeof(struct vfio_info_cap_header) */
#define VCT_CAP_HEADER_SIZE	8

struct vct_cap {
	uint32_t offset;	/* from the start of the info buffer */
	uint16_t id;
	uint16_t version;
	uint32_t len;		/* bytes up to the next capability or argsz, header included */
};

/*
 * Walk the chain starting at `first` (the info struct's cap_offset; 0 means
 * no capabilities).  Fills caps[0..*ncaps) in chain order; caps may be NULL
 * to only validate and count (max still bounds the count).  Unknown ids are
 * reported like any other: skipping them is the caller's business.
 */
int vct_capchain_walk(const void *buf, uint32_t argsz, uint32_t fixed_size,
		      uint32_t first, struct vct_cap *caps, size_t max,
		      size_t *ncaps, struct vct_err *err);

/*
 * Alignment the walker demands.  STRICT: every capability 8-byte aligned,
 * what the kernel guarantees since upstream commit a881b496941f ("vfio:
 * align capability structures", Linux 6.6).  LENIENT: 4-byte alignment
 * suffices, for reading what older kernels (Debian's 6.1) build: their
 * vfio_info_cap_add() does not pad, so a capability after the 12-byte
 * DMA_AVAIL one lands on a 4-byte boundary.  Every other check stays.
 */
enum vct_capchain_align {
	VCT_CAPCHAIN_STRICT,
	VCT_CAPCHAIN_LENIENT,
};

/* 4: the alignment below which even LENIENT refuses a capability. */
#define VCT_CAP_MIN_ALIGN	4

/*
 * vct_capchain_walk with a choice of alignment.  *misaligned (may be NULL)
 * receives the offset of the first capability that is not 8-byte aligned,
 * or 0 when all are (0 is never a capability's offset: the fixed struct
 * starts there); it is set as far as the walk got, even when it fails.
 */
int vct_capchain_walk_align(const void *buf, uint32_t argsz, uint32_t fixed_size,
			    uint32_t first, enum vct_capchain_align align,
			    struct vct_cap *caps, size_t max, size_t *ncaps,
			    uint32_t *misaligned, struct vct_err *err);

/* First capability with this id, or NULL.  Ids are per INFO ioctl. */
const struct vct_cap *vct_cap_find(const struct vct_cap *caps, size_t ncaps,
				   uint16_t id);

/*
 * Decoders of the type1 VFIO_IOMMU_GET_INFO capabilities.  `cap` comes
 * from vct_capchain_walk over the same buf.  Each checks the id, that the
 * version is 1 (the only one defined) and that the payload fits in cap->len.
 */

/*
 * VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE -> merged ranges.  Also checks the
 * list as the kernel builds it: at least one range, each start <= end,
 * sorted and non-overlapping (vct_iova_ranges_check).
 */
int vct_cap_iova_ranges(const void *buf, const struct vct_cap *cap,
			struct vct_ranges *out, struct vct_err *err);
/* VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL -> the avail count. */
int vct_cap_dma_avail(const void *buf, const struct vct_cap *cap,
		      uint32_t *avail, struct vct_err *err);

struct vct_cap_migration {
	uint32_t flags;
	uint64_t pgsize_bitmap;
	uint64_t max_dirty_bitmap_size;	/* bytes */
};
/* VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION */
int vct_cap_migration(const void *buf, const struct vct_cap *cap,
		      struct vct_cap_migration *out, struct vct_err *err);

/*
 * ranges[0..n) (start/end inclusive pairs as in struct vfio_iova_range):
 * each start <= end, sorted by start, no two overlapping.  Adjacent ranges
 * are allowed.  Errors name the index of the offending range(s).
 */
int vct_iova_ranges_check(const struct vct_range *ranges, size_t n,
			  struct vct_err *err);

/*
 * The argsz growth protocol of the INFO ioctls.  *buf is NULL (a zeroed
 * fixed struct is used) or a malloc'ed buffer of at least fixed_size bytes
 * holding the input fields (e.g. the region index); its argsz field is set
 * here.  The ioctl is made with argsz = fixed_size; while the kernel answers
 * a larger argsz, the buffer grows to it and the call is repeated with the
 * same input fields.  On success *buf (realloc'ed; the caller frees it)
 * holds the answer and *argsz its size.
 *
 * Misbehaviour reported: the ioctl failing (its errno), an answered argsz
 * below the one passed (EPROTO: the kernel only ever raises it), above
 * VCT_INFO_MAX_ARGSZ (E2BIG), or still growing after VCT_INFO_MAX_TRIES
 * calls (ELOOP).  Whatever the result, *buf is NULL or a malloc'ed buffer
 * the caller frees.
 */
#define VCT_INFO_MAX_TRIES	4
#define VCT_INFO_MAX_ARGSZ	(1u << 20)

/* An ioctl: 0, or -errno.  Lets unit tests play a misbehaving kernel. */
typedef int (*vct_ioctl_fn)(void *ctx, int fd, unsigned long req, void *arg);

int vct_info_ioctl(int fd, unsigned long req, size_t fixed_size, void **buf,
		   uint32_t *argsz, struct vct_err *err);
int vct_info_ioctl_fn(vct_ioctl_fn fn, void *ctx, int fd, unsigned long req,
		      size_t fixed_size, void **buf, uint32_t *argsz,
		      struct vct_err *err);

#endif /* VCT_CAPCHAIN_H */
