/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iommu.h - one interface to every IOMMU backend VFIO offers userspace.
 *
 * Tests are written once against this interface and run once per backend
 * through FIXTURE_VARIANT (see VCT_IOMMU_SETUP_OR_SKIP, variants.h).  A
 * backend is an ops table (struct vct_iommu_ops) with its state private to
 * it, and a properties struct (struct vct_iommu_props) saying where its
 * behaviour differs: VFIO type1, type1v2 and the iommufd compat modes
 * (/dev/iommu opened in place of the container, same group ioctls) live in
 * iommu_type1.c, native iommufd (VFIO cdev bound to an iommufd,
 * IOMMU_IOAS_* for map/unmap/ranges) in iommu_iommufd.c.  Devices are
 * attached and detached by BDF: the backend attaches the device's group or
 * the device itself.
 *
 * Every __vct_iommu_*() returns 0 (or a value >= 0 where said) or -errno,
 * untouched from the kernel where the kernel answered, so tests can check
 * exact errnos.  When a failure was decided here (not by the kernel),
 * vct_iommu_last_error() says why in words.  The unprefixed forms
 * (vct_iommu_map(...)) fail the test on any error.
 */
#ifndef VCT_IOMMU_H
#define VCT_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capchain.h"
#include "pcidev.h"
#include "range.h"
#include "util.h"

enum vct_backend {
	VCT_BACKEND_TYPE1,			/* VFIO_TYPE1_IOMMU on /dev/vfio/vfio */
	VCT_BACKEND_TYPE1v2,			/* VFIO_TYPE1v2_IOMMU on /dev/vfio/vfio */
	VCT_BACKEND_IOMMUFD_COMPAT_TYPE1,	/* /dev/iommu as the container, VFIO_TYPE1_IOMMU */
	VCT_BACKEND_IOMMUFD_COMPAT_TYPE1v2,	/* /dev/iommu as the container, VFIO_TYPE1v2_IOMMU */
	VCT_BACKEND_IOMMUFD,			/* VFIO cdev bound to /dev/iommu, IOMMU_IOAS_* */
	VCT_BACKEND_NR
};

/*
 * "type1", "type1v2", "iommufd_compat_type1", "iommufd_compat_type1v2",
 * "iommufd": also the FIXTURE_VARIANT names (as the kernel's VFIO
 * selftests name their IOMMU modes).
 */
const char *vct_backend_name(enum vct_backend b);

/* Device access rights of a mapping (VFIO_DMA_MAP_FLAG_READ/WRITE). */
#define VCT_PROT_READ	(1u << 0)
#define VCT_PROT_WRITE	(1u << 1)
#define VCT_PROT_RW	(VCT_PROT_READ | VCT_PROT_WRITE)

#define VCT_IOMMU_MAX_GROUPS	16
#define VCT_IOMMU_MAX_CAPS	16

/* ---- what a backend does differently: its properties -------------------- */

/* What an unmap does to a mapping it covers only in part. */
enum vct_unmap_partial {
	/* Refused with props->unmap_partial_errno; nothing is removed. */
	VCT_UNMAP_PARTIAL_REFUSED,
	/*
	 * Type1 v1: a range covering a mapping's first IOVA removes the whole
	 * mapping; one starting inside a mapping removes nothing, and nothing
	 * after it either (the walk stops there).
	 */
	VCT_UNMAP_PARTIAL_WHOLE,
	/* Mappings are cut at the range's ends: exactly the range goes. */
	VCT_UNMAP_PARTIAL_SPLIT,
};

/* What the backend says about how many more mappings it allows. */
enum vct_dma_avail {
	VCT_DMA_AVAIL_COUNTED,	/* DMA_AVAIL capability, one per mapping */
	VCT_DMA_AVAIL_CONSTANT,	/* DMA_AVAIL capability, always U32_MAX */
	VCT_DMA_AVAIL_ABSENT,	/* no such report */
};

/* Where pinned pages are charged. */
enum vct_lock_acct {
	/* mm->locked_vm (/proc/self/status VmLck), CAP_IPC_LOCK or not. */
	VCT_LOCK_ACCT_MM,
	/*
	 * mm->pinned_vm (VmPin) always; without CAP_IPC_LOCK also the user's
	 * locked_vm against RLIMIT_MEMLOCK; VmLck untouched.
	 */
	VCT_LOCK_ACCT_USER,
};

/*
 * A backend's behaviour where backends differ, each pinned to Linux 6.12
 * by the kernel line that decides it (iommu_type1.c, iommu_iommufd.c).
 * Suites branch on these, never on the backend's identity.
 */
struct vct_iommu_props {
	const char *name;		/* vct_backend_name() */
	const char *dev_path;		/* the address-space object opened */
	bool attaches_devices;		/* attach unit: the device (cdev), else its group */
	bool groups;			/* VFIO groups in a container: vct_iommu_group_fd() */
	bool attach_at_device_open;	/* a group's device reaches the IOAS when opened */
	bool type1_uapi;		/* VFIO_IOMMU_* on the container: the raw ops */
	unsigned long vfio_model;	/* VFIO_SET_IOMMU argument, 0: none */
	enum vct_unmap_partial unmap_partial;
	int unmap_partial_errno;	/* -errno for VCT_UNMAP_PARTIAL_REFUSED */
	int unmap_nothing_errno;	/* unmap of a range with no mapping: 0 (size 0) or -errno */
	int map_no_prot_errno;		/* map the device may neither read nor write */
	int bar_map_errno;		/* map of a BAR's mmap: 0 or -errno */
	bool bar_map_locks;		/* ... and it charges locked memory */
	enum vct_dma_avail dma_avail;
	enum vct_lock_acct lock_acct;
	bool update_vaddr;		/* VFIO_UPDATE_VADDR offered */
	bool allow_iovas;		/* IOMMU_IOAS_ALLOW_IOVAS: __vct_iommu_allow_iovas() */
	int map_unset_errno;		/* raw map on a bare container (no group yet) */
	int map_wrap_errno;		/* iova + size wraps past 2^64 (6.12) */
	bool hwpt;			/* IOMMU_HWPT_* / IOMMU_GET_HW_INFO: the hwpt ops */
};

/* The properties of backend b (NULL for an unknown one). */
const struct vct_iommu_props *vct_backend_props(enum vct_backend b);

/* What VFIO_IOMMU_GET_INFO (or the backend's equivalent) reported. */
struct vct_iommu_info {
	uint32_t flags;			/* VFIO_IOMMU_INFO_* */
	uint64_t pgsizes;		/* IOMMU page sizes, a bitmap */
	bool has_iova_ranges;
	struct vct_ranges iova;		/* usable IOVA, merged */
	bool has_dma_avail;
	uint32_t dma_avail;		/* mappings still allowed */
	bool has_migration;
	struct vct_cap_migration migration;
	/* The raw answer, for tests of the capability chain itself. */
	void *raw;
	uint32_t argsz;
	uint32_t cap_offset;		/* 0: no chain */
	struct vct_cap caps[VCT_IOMMU_MAX_CAPS];
	size_t ncaps;
	/*
	 * Offset of the first capability that is only 4-byte aligned (0: all
	 * 8-byte aligned).  The chain is read leniently so that kernels before
	 * Linux 6.6 (unpadded capabilities) still get their other tests run;
	 * the alignment itself is checked by suites/resv/info.
	 */
	uint32_t cap_misaligned;
};

/* Release what __vct_iommu_info() allocated; info is zeroed. */
void vct_iommu_info_free(struct vct_iommu_info *info);

struct vct_iommu;
struct vct_iommu_dev;

/*
 * One dirty-page tracking request, every field as the caller chose it (the
 * argument-rule tests send wrong ones on purpose).  `flags` are the
 * VFIO_IOMMU_DIRTY_PAGES_FLAG_* bits (START 1, STOP 2, GET_BITMAP 4) for
 * the dirty op; for unmap_dirty they are extra VFIO_DMA_UNMAP_FLAG_* bits
 * sent along with GET_DIRTY_BITMAP.  argsz 0 sends the natural size.
 */
struct vct_dirty_req {
	uint32_t flags;
	uint32_t argsz;
	uint64_t iova, size;		/* the range (GET_BITMAP, unmap) */
	uint64_t pgsize;		/* bytes of IOVA per bitmap bit */
	uint64_t bitmap_size;		/* bytes the kernel may write at bitmap */
	uint64_t *bitmap;
};

/*
 * One IOMMU_HWPT_GET_DIRTY_BITMAP, every field as the caller chose it:
 * bit n of bitmap is IOVA iova + n * page_size (the kernel writes
 * length / page_size bits, whole u64 words it pins).
 */
struct vct_hwpt_bitmap_req {
	uint32_t hwpt;
	uint32_t flags;			/* IOMMU_HWPT_GET_DIRTY_BITMAP_* */
	uint32_t reserved;		/* sent as __reserved (must be 0) */
	uint64_t iova, length, page_size;
	uint64_t *bitmap;
};

#define VCT_DIRTY_START		(1u << 0)
#define VCT_DIRTY_STOP		(1u << 1)
#define VCT_DIRTY_GET_BITMAP	(1u << 2)

/*
 * A backend.  What each op guarantees on success (0); on failure it returns
 * -errno and leaves the state as it was, except where said.  Its state is
 * its own (iommu->priv, allocated by open, freed by close).
 */
struct vct_iommu_ops {
	/*
	 * Open the backend's address-space object.  0: the kernel offers this
	 * backend and it is ready for attach.  -ENOENT/-EOPNOTSUPP: it does
	 * not (a SKIP), with the reason in iommu->err.
	 */
	int (*open)(struct vct_iommu *iommu);
	/*
	 * Device `bdf` (IOMMU group `group`) is attached, through its group
	 * (type1, compat) or itself (cdev): mappings made before or after
	 * apply to its DMA.  Attaching a device whose group (group backends)
	 * or which itself (cdev) is attached already is a no-op.
	 */
	int (*attach)(struct vct_iommu *iommu, const char *bdf, int group);
	/*
	 * What attach attached for `bdf` no longer uses this address space;
	 * remaining attachments keep their mappings.  Device fds the caller
	 * got from device_fd must be closed first (the kernel refuses with
	 * EBUSY otherwise).  -ENOENT: not attached.
	 */
	int (*detach)(struct vct_iommu *iommu, const char *bdf);
	/* Forget the attachment of `bdf` without telling the kernel (it is gone). */
	void (*forget)(struct vct_iommu *iommu, const char *bdf);
	/* The attachments, one per unit (group or device), in attach order. */
	size_t (*attached)(const struct vct_iommu *iommu,
			   struct vct_iommu_dev *out, size_t max);
	/* [iova, iova+size) translates to vaddr with prot; nothing else changes. */
	int (*map)(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		   void *vaddr, uint32_t prot);
	/* Mappings inside [iova, iova+size) are gone; *unmapped says how much. */
	int (*unmap)(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		     uint64_t *unmapped);
	/* Every mapping is gone.  -EOPNOTSUPP if the kernel cannot do it at once. */
	int (*unmap_all)(struct vct_iommu *iommu, uint64_t *unmapped);
	/* info filled, capability chain validated (malformed: -EINVAL/-ERANGE/...). */
	int (*info)(struct vct_iommu *iommu, struct vct_iommu_info *info);
	/* A VFIO device fd (>= 0) for an attached device; the caller closes it. */
	int (*device_fd)(struct vct_iommu *iommu, const char *bdf);
	/*
	 * Raw VFIO type1 uapi (NULL where props->type1_uapi is false): one
	 * VFIO_IOMMU_MAP_DMA / UNMAP_DMA with exactly these fields and argsz
	 * = sizeof the struct, the kernel's answer untouched; *unmapped is
	 * what the kernel wrote back into .size.
	 */
	int (*raw_map)(struct vct_iommu *iommu, uint32_t flags, uint64_t iova,
		       uint64_t size, uint64_t vaddr);
	int (*raw_unmap)(struct vct_iommu *iommu, uint32_t flags, uint64_t iova,
			 uint64_t size, uint64_t *unmapped);
	/* VFIO_CHECK_EXTENSION's answer (>= 0) on the container. */
	int (*check_extension)(struct vct_iommu *iommu, unsigned long ext);
	/*
	 * IOMMU_IOAS_ALLOW_IOVAS (NULL where props->allow_iovas is false):
	 * the IOAS allows exactly `r` (empty: no restriction); refused, the
	 * old set stays.
	 */
	int (*allow_iovas)(struct vct_iommu *iommu, const struct vct_ranges *r);
	/* The group fd of an attached group (group backends); -ENOENT. */
	int (*group_fd)(const struct vct_iommu *iommu, int group);
	/* The container (type1, compat) or iommufd fd. */
	int (*container_fd)(const struct vct_iommu *iommu);
	/* Everything released: device DMA through this object is impossible. */
	void (*close)(struct vct_iommu *iommu);
	/*
	 * Dirty-page tracking (type1: VFIO_IOMMU_DIRTY_PAGES).  0: tracking
	 * started/stopped, or GET_BITMAP wrote [iova, iova+size)'s bits at
	 * bitmap (bit n: page iova + n * pgsize).  -errno untouched from the
	 * kernel, the tracking state and mappings unchanged.  NULL op (a
	 * backend without this interface): the front answers -EOPNOTSUPP and
	 * nothing is sent.
	 */
	int (*dirty)(struct vct_iommu *iommu, const struct vct_dirty_req *req);
	/*
	 * Unmap [req->iova, +req->size) and get its dirty bits
	 * (VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | req->flags): on 0 the
	 * mappings are gone, their bits are at req->bitmap and *unmapped says
	 * how much was unmapped.  -errno untouched and *unmapped 0 (the kernel
	 * writes nothing back on failure).  NULL op: as dirty.
	 */
	int (*unmap_dirty)(struct vct_iommu *iommu, const struct vct_dirty_req *req,
			   uint64_t *unmapped);
	/*
	 * iommufd hardware page tables (NULL where props->hwpt is false; the
	 * front answers -EOPNOTSUPP).  Devices are named by their iommufd
	 * object id: dev_id gives an attached VFIO device's
	 * (VFIO_DEVICE_BIND_IOMMUFD's out_devid), mock_attach the mock's.
	 * Every -errno is the kernel's, untouched, with nothing changed.
	 */
	int (*dev_id)(struct vct_iommu *iommu, const char *bdf, uint32_t *id);
	/* IOMMU_GET_HW_INFO of device `id`: *caps = out_capabilities (IOMMU_HW_CAP_*). */
	int (*hw_caps)(struct vct_iommu *iommu, uint32_t id, uint64_t *caps);
	/*
	 * IOMMU_HWPT_ALLOC for device `id` on the backend's IOAS with `flags`
	 * (IOMMU_HWPT_ALLOC_*): *hwpt is a new paging domain holding every
	 * mapping of the IOAS (now and later), attached to no device.
	 */
	int (*hwpt_alloc)(struct vct_iommu *iommu, uint32_t id, uint32_t flags,
			  uint32_t *hwpt);
	/* IOMMU_DESTROY of object `obj` (a hwpt): it is gone. */
	int (*destroy)(struct vct_iommu *iommu, uint32_t obj);
	/*
	 * IOMMU_HWPT_SET_DIRTY_TRACKING with `flags` as given
	 * (IOMMU_HWPT_DIRTY_TRACKING_ENABLE or 0): tracking is on or off.
	 */
	int (*hwpt_set_dirty)(struct vct_iommu *iommu, uint32_t hwpt, uint32_t flags);
	/* IOMMU_HWPT_GET_DIRTY_BITMAP: req's bits written at req->bitmap. */
	int (*hwpt_get_dirty)(struct vct_iommu *iommu,
			      const struct vct_hwpt_bitmap_req *req);
	/*
	 * CONFIG_IOMMUFD_TEST's mock device (IOMMU_TEST_CMD,
	 * IOMMU_TEST_OP_MOCK_DOMAIN): a device of the selftest IOMMU (page
	 * size PAGE_SIZE / 2, aperture [2^24, 2^31)) bound to the fd and
	 * attached to the backend's IOAS; *id is its device id.  It lives
	 * until close.  -ENOTTY: kernel without CONFIG_IOMMUFD_TEST.
	 */
	int (*mock_attach)(struct vct_iommu *iommu, uint32_t *id);
	/*
	 * IOMMU_TEST_OP_DIRTY: in mock hwpt `hwpt`, the pages [iova, +length)
	 * whose bit is set in `bitmap` (one per page_size) are marked dirty
	 * as the mock IOMMU's hardware would; *nr_dirty how many were mapped.
	 */
	int (*mock_dirty)(struct vct_iommu *iommu, uint32_t hwpt, uint64_t iova,
			  uint64_t length, uint64_t page_size,
			  const uint64_t *bitmap, uint64_t *nr_dirty);
};

/*
 * An observer of the kernel calls an op makes, for tests that must tell
 * them apart (suites/fault: fail-nth counted per call).  When set, attach
 * and device_fd call it with the call's name right before each kernel
 * call they make on the way to success (type1 and compat: "open
 * /dev/vfio/GROUP", "VFIO_GROUP_GET_STATUS", "VFIO_GROUP_SET_CONTAINER",
 * "VFIO_SET_IOMMU", "VFIO_GROUP_GET_DEVICE_FD"; native iommufd: "open
 * /dev/vfio/devices/vfioN", "VFIO_DEVICE_BIND_IOMMUFD",
 * "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "F_DUPFD"), and with NULL when the op
 * returns, after the calls that undo a failure: what runs between two
 * calls of the observer is exactly the kernel call named by the first.
 * The harness's own reads around them (sysfs, the IOMMU group's link) come
 * before the first call.  Other ops and cleanup paths do not call it.
 */
typedef void vct_iommu_step_fn(void *ctx, const char *call);

struct vct_iommu {
	enum vct_backend backend;
	const struct vct_iommu_ops *ops;
	const struct vct_iommu_props *props;
	void *priv;		/* the backend's own state */
	char err[256];		/* why the last failure decided here happened */
	vct_iommu_step_fn *step;	/* NULL: nobody observes */
	void *step_ctx;
};

/* For backends: tell the observer (if any) that kernel call `call` comes next. */
static inline void vct_iommu_step(const struct vct_iommu *iommu, const char *call)
{
	if (iommu->step)
		iommu->step(iommu->step_ctx, call);
}

/* Backend tables (one file each). */
extern const struct vct_iommu_ops vct_iommu_type1_ops;	/* also the compat backends */
extern const struct vct_iommu_ops vct_iommu_iommufd_ops;
extern const struct vct_iommu_props vct_iommu_type1_props, vct_iommu_type1v2_props;
extern const struct vct_iommu_props vct_iommu_compat_type1_props, vct_iommu_compat_type1v2_props;
extern const struct vct_iommu_props vct_iommu_iommufd_props;

/*
 * Open a backend.  0, or -ENOENT (no /dev/vfio/vfio: vfio not loaded; no
 * /dev/iommu: kernel without CONFIG_IOMMUFD), -EOPNOTSUPP (kernel lacks
 * this IOMMU model, or the VFIO cdev), -EINVAL (unknown backend), other
 * -errno.  On failure *out is NULL and `why` (if given) holds the reason,
 * e.g. "kernel lacks VFIO_TYPE1v2_IOMMU".
 */
int __vct_iommu_open(enum vct_backend b, struct vct_iommu **out, char *why,
		     size_t why_len);
/*
 * For suites that test devices rather than the IOMMU model: the backend to
 * use, type1v2 where the kernel offers it, else type1.  (If neither is
 * there, opening type1 then fails and says why.)
 */
enum vct_backend vct_backend_preferred(void);
/* Whether backend b can be opened on this kernel (opened and closed again). */
bool vct_backend_offered(enum vct_backend b);

/* Detach everything, close every fd, free.  NULL is fine. */
void vct_iommu_close(struct vct_iommu *iommu);

/*
 * Raw fds, for suites that speak the uapi themselves with arguments the ops
 * tables never send (suites/abifuzz): the container (type1: /dev/vfio/vfio,
 * compat and native: /dev/iommu) and an attached group's /dev/vfio/<group>
 * (group backends).  They stay owned by iommu: never close them, and leave
 * the objects as they were found (a group unset from its container must go
 * through __vct_iommu_detach).  -ENOENT when there is none.
 */
int vct_iommu_container_fd(const struct vct_iommu *iommu);
int vct_iommu_group_fd(const struct vct_iommu *iommu, int group);

/* Reason for the last failure decided by the harness ("" if none). */
const char *vct_iommu_last_error(const struct vct_iommu *iommu);

/* Attach device `bdf` (its group or itself, see the attach op).  0 or -errno. */
int __vct_iommu_attach(struct vct_iommu *iommu, const char *bdf);
/* Detach what attaching `bdf` attached.  -ENOENT if not attached. */
int __vct_iommu_detach(struct vct_iommu *iommu, const char *bdf);
/*
 * Forget the attachment of `bdf` without detaching it: for a device the
 * kernel already took away (its group left the container with its last
 * device, vfio_device_remove_group()).  Closes its fds; no-op if unknown.
 */
void vct_iommu_forget(struct vct_iommu *iommu, const char *bdf);
/* The attachments (see the attached op); their number. */
size_t vct_iommu_attached(const struct vct_iommu *iommu,
			  struct vct_iommu_dev *out, size_t max);
int __vct_iommu_map(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		    void *vaddr, uint32_t prot);
/* unmapped may be NULL. */
int __vct_iommu_unmap(struct vct_iommu *iommu, uint64_t iova, uint64_t size,
		      uint64_t *unmapped);
int __vct_iommu_unmap_all(struct vct_iommu *iommu, uint64_t *unmapped);
/* On success the caller frees with vct_iommu_info_free(). */
int __vct_iommu_info(struct vct_iommu *iommu, struct vct_iommu_info *info);
int __vct_iommu_device_fd(struct vct_iommu *iommu, const char *bdf);
/*
 * The raw ops (see struct vct_iommu_ops); -EOPNOTSUPP with the reason in
 * iommu->err where the backend has no such uapi.  unmapped may be NULL.
 */
int __vct_iommu_raw_map(struct vct_iommu *iommu, uint32_t flags,
			uint64_t iova, uint64_t size, uint64_t vaddr);
int __vct_iommu_raw_unmap(struct vct_iommu *iommu, uint32_t flags,
			  uint64_t iova, uint64_t size, uint64_t *unmapped);
int __vct_iommu_check_extension(struct vct_iommu *iommu, unsigned long ext);
int __vct_iommu_allow_iovas(struct vct_iommu *iommu, const struct vct_ranges *r);
/* The dirty / unmap_dirty ops; -EOPNOTSUPP where the backend has none. */
int __vct_iommu_dirty(struct vct_iommu *iommu, const struct vct_dirty_req *req);
int __vct_iommu_unmap_dirty(struct vct_iommu *iommu,
			    const struct vct_dirty_req *req, uint64_t *unmapped);

/* The hwpt ops (see struct vct_iommu_ops); -EOPNOTSUPP where the backend has none. */
int __vct_iommu_dev_id(struct vct_iommu *iommu, const char *bdf, uint32_t *id);
int __vct_iommu_hw_caps(struct vct_iommu *iommu, uint32_t id, uint64_t *caps);
int __vct_iommu_hwpt_alloc(struct vct_iommu *iommu, uint32_t id, uint32_t flags,
			   uint32_t *hwpt);
int __vct_iommu_destroy(struct vct_iommu *iommu, uint32_t obj);
int __vct_iommu_hwpt_set_dirty(struct vct_iommu *iommu, uint32_t hwpt,
			       uint32_t flags);
int __vct_iommu_hwpt_get_dirty(struct vct_iommu *iommu,
			       const struct vct_hwpt_bitmap_req *req);
int __vct_iommu_mock_attach(struct vct_iommu *iommu, uint32_t *id);
/* nr_dirty may be NULL. */
int __vct_iommu_mock_dirty(struct vct_iommu *iommu, uint32_t hwpt,
			   uint64_t iova, uint64_t length, uint64_t page_size,
			   const uint64_t *bitmap, uint64_t *nr_dirty);

#define vct_iommu_attach(i, bdf)		VCT_CHECK(__vct_iommu_attach(i, bdf))
#define vct_iommu_detach(i, bdf)		VCT_CHECK(__vct_iommu_detach(i, bdf))
#define vct_iommu_map(i, iova, sz, va, prot)	VCT_CHECK(__vct_iommu_map(i, iova, sz, va, prot))
#define vct_iommu_unmap(i, iova, sz, un)	VCT_CHECK(__vct_iommu_unmap(i, iova, sz, un))
#define vct_iommu_unmap_all(i, un)		VCT_CHECK(__vct_iommu_unmap_all(i, un))
#define vct_iommu_info(i, info)			VCT_CHECK(__vct_iommu_info(i, info))
#define vct_iommu_device_fd(i, bdf)		VCT_CHECK(__vct_iommu_device_fd(i, bdf))

/* Smallest IOMMU page size (the mapping granularity), 0 for an empty bitmap. */
uint64_t vct_pgsize_min(uint64_t pgsizes);

/*
 * Anonymous, page-aligned (as type1 requires of vaddr), private memory for
 * mappings; MAP_NORESERVE so refused maps of huge ranges cost nothing.
 * NULL on failure (errno set).  Free with vct_dma_free(p, size).
 */
void *vct_dma_alloc(uint64_t size);
void vct_dma_free(void *p, uint64_t size);

/* ---- the test-facing setup ---------------------------------------------- */

/* A device the tests may use: bound to vfio-pci, with its IOMMU group. */
struct vct_iommu_dev {
	char bdf[VCT_BDF_LEN];
	int group;
};

/* __vct_iommu_setup() returns this when the test should SKIP. */
#define VCT_SKIP_ENV	1

/*
 * Open backend `b` and attach devices for a test.  Finds the test devices
 * (vct_test_devices(): VCT_DEVICES, bound to vfio-pci), requires `need` of
 * them in distinct IOMMU groups, fills devs[0..need) and attaches the
 * first `attach` (<= need) of them.
 * Returns 0 (*out ready), VCT_SKIP_ENV (no /dev/vfio/vfio, backend absent,
 * too few devices; `why` says which), or -errno (a failure; `why` says
 * which step).  *out is NULL unless 0 is returned.
 */
int __vct_iommu_setup(enum vct_backend b, size_t need, size_t attach,
		      struct vct_iommu **out, struct vct_iommu_dev *devs,
		      char *why, size_t why_len);

/*
 * Test devices: PCI devices listed in $VCT_DEVICES, else in
 * $VFIO_SELFTESTS_BDF (space separated BDFs, "0000:00:03.0" or "00:03.0",
 * and/or vendor:device IDs, "1234:11e8"), that are bound to vfio-pci and
 * have an IOMMU group that VFIO can take: a group with a `direct` reserved
 * region (firmware demands a 1:1 mapping; Linux 6.6+ refuses it at
 * SET_CONTAINER, suites/resv tests exactly that) is left out.  Sorted by
 * BDF, at most `max`.  Neither variable set (or both empty): no device at
 * all, and `why` says how to select one (VCT_NO_SELECTION).  Returns the
 * count or -errno (-EINVAL: a malformed entry, reason in `why`).
 */
#define VCT_NO_SELECTION "no test device selected: run.sh --device BDF|VENDOR:DEVICE (repeatable), or set VCT_DEVICES or VFIO_SELFTESTS_BDF"
int __vct_test_devices(struct vct_iommu_dev *devs, size_t max, char *why,
		       size_t why_len);
/*
 * The first test device (in __vct_test_devices' order, among its first
 * VCT_IOMMU_MAX_GROUPS) whose IDs are vendor:device, into *dev: 1 found;
 * 0 none (`why` says why when no device is selected at all, else is left
 * as it was); -errno as __vct_test_devices, reason in `why`.
 */
int __vct_test_device_by_id(uint16_t vendor, uint16_t device,
			    struct vct_iommu_dev *dev, char *why, size_t why_len);

/*
 * The VFIO cdev of device `bdf`: /dev/vfio/devices/<the one entry of
 * /sys/bus/pci/devices/BDF/vfio-dev/> (vfio_device_add() names it vfioN).
 * 0 or -errno (-ENOENT: no such directory or entry), `why` says which.
 */
int __vct_vfio_cdev_path(const char *bdf, char *path, size_t len, char *why,
			 size_t why_len);

/* Whether IOMMU group `group` holds a `direct` reserved region (sysfs). */
bool vct_group_requires_direct(unsigned int group);

/*
 * Two of devs[0..n) whose groups reserve differently: *b's group reserves
 * IOVA (of the kinds VFIO excludes, VCT_RESV_MASK_VFIO_EXCLUDED) that *a's
 * does not; *only_b gets that IOVA (free with vct_ranges_free()).  The
 * first such pair in (a, b) order.  0; -ENOENT when every group reserves
 * the same; -errno when a group's reserved_regions cannot be read.
 */
int __vct_devs_resv_pair(const struct vct_iommu_dev *devs, size_t n,
			 size_t *a, size_t *b, struct vct_ranges *only_b);

/* Keep the first device of each IOMMU group, in order; returns how many. */
size_t vct_devs_distinct_groups(struct vct_iommu_dev *devs, size_t n);

/*
 * For FIXTURE_SETUP: open + attach or SKIP with the reason, ASSERT on
 * failure.  Needs the harness's _metadata in scope.
 */
#define VCT_IOMMU_SETUP_OR_SKIP(backend, need, attach, iommu_p, devs) do { \
	char __why[512] = ""; \
	int __ret = __vct_iommu_setup(backend, need, attach, iommu_p, devs, \
				      __why, sizeof(__why)); \
	if (__ret == VCT_SKIP_ENV) \
		SKIP(return, "%s", __why); \
	ASSERT_EQ(0, __ret) TH_LOG("%s", __why); \
} while (0)

/*
 * For FIXTURE_SETUP in suites that pick their own devices: open
 * vct_backend_preferred() into *iommu_p, or SKIP with the reason where the
 * kernel has no VFIO or neither type1 model (__vct_iommu_open(): -ENOENT,
 * -EOPNOTSUPP); ASSERT, with the reason, on any other failure.  Needs the
 * harness's _metadata in scope; <errno.h> in the including file.
 */
#define VCT_IOMMU_OPEN_PREFERRED_OR_SKIP(iommu_p) do { \
	char __why[512] = ""; \
	int __ret = __vct_iommu_open(vct_backend_preferred(), iommu_p, \
				     __why, sizeof(__why)); \
	if (__ret == -ENOENT || __ret == -EOPNOTSUPP) \
		SKIP(return, "%s", __why); \
	ASSERT_EQ(0, __ret) TH_LOG("%s", __why); \
} while (0)

/*
 * Attach device `bdf` to iommu, ASSERT on failure; the diagnostic names
 * the BDF and says why (vct_iommu_last_error()).  Arguments are evaluated
 * more than once.
 */
#define VCT_IOMMU_ATTACH(iommu, bdf) do { \
	ASSERT_LE(0, __vct_iommu_attach(iommu, bdf)) \
		TH_LOG("%s: attach: %s", bdf, vct_iommu_last_error(iommu)); \
} while (0)

/*
 * VCT_IOMMU_ATTACH, then set `fd` (an int lvalue) to the device's fd,
 * ASSERT on failure with the BDF and the errno.  Arguments are evaluated
 * more than once.
 */
#define VCT_IOMMU_ATTACH_DEVICE_FD(iommu, bdf, fd) do { \
	VCT_IOMMU_ATTACH(iommu, bdf); \
	(fd) = __vct_iommu_device_fd(iommu, bdf); \
	ASSERT_LE(0, (fd)) TH_LOG("%s: GET_DEVICE_FD: %s", bdf, \
				  vct_errno_name(-(fd))); \
} while (0)

#endif /* VCT_IOMMU_H */
