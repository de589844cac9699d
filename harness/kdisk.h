/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdisk.h - a kernel-owned disk behind the same IOMMU as the VFIO devices,
 * driven by fio, so the kernel's own DMA-API map/unmap path carries real
 * I/O next to VFIO's user map/unmap (suites/stress/kdma, soak pressure).
 *
 * The disk is the one whose /sys/block/NAME/serial is "vct-kdisk" (the host
 * profile's `kdisk`: virtio-blk with iommu_platform=on, so the guest's
 * virtio ring and block I/O map through the DMA API and the vIOMMU).  fio
 * is Debian's, carried into the guest as /bin/fio (run.sh perf_guest).
 *
 * Strict and lazy IOMMU mode are switched per IOMMU group through
 * /sys/kernel/iommu_groups/N/type ("DMA" = strict: IOTLB invalidated on
 * every unmap; "DMA-FQ" = lazy: unmapped IOVAs wait in a flush queue and
 * are invalidated in batches).  The kernel refuses the change while a
 * driver is bound, so the disk's PCI function is unbound, the type
 * written, and the function bound again (the disk reappears, perhaps
 * under another name).
 *
 * Every __vct_*() returns 0 or -errno and says why in `why`.
 */
#ifndef VCT_KDISK_H
#define VCT_KDISK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VCT_KDISK_SERIAL "vct-kdisk"

struct vct_kdisk {
	char name[32];		/* block device name: vda */
	char dev[48];		/* /dev/vda */
	char bdf[32];		/* its PCI function: 0000:00:05.0 */
	char driver[32];	/* that function's driver: virtio-pci */
	int group;		/* its IOMMU group */
};

/* The kdisk, or -ENODEV (no such disk: a SKIP) with why set. */
int __vct_kdisk_find(struct vct_kdisk *d, char *why, size_t wl);

/* The group's default domain type ("DMA", "DMA-FQ", "identity", ...). */
int __vct_kdisk_domain_type(const struct vct_kdisk *d, char *type, size_t len);

/*
 * Make the group's domain `type`: unbind, write the type, bind again and
 * find the disk again (d is refreshed).  A no-op when it already is.
 */
int __vct_kdisk_set_domain_type(struct vct_kdisk *d, const char *type,
				char *why, size_t wl);

/* The fio binary to run: /bin/fio or the first fio on PATH; NULL if none. */
const char *vct_fio_path(void);

struct vct_fio_result {
	double iops;		/* read IOPS over fio's runtime */
	double bw_bytes;	/* bytes/s */
	double runtime_ms;
	uint64_t total_ios;
	double clat_p50_us, clat_p99_us;	/* completion latency */
};

/*
 * fio options of the load: random reads of `bs` bytes from `dev`, O_DIRECT
 * (the kernel maps fio's own buffer for every I/O), psync, queue depth 1,
 * one job; `secs` seconds (time based) or, with secs == 0, `nios` I/Os.
 */
struct vct_fio_job {
	const char *dev;
	uint64_t bs;
	unsigned secs;
	uint64_t nios;
};

/* Run fio to completion and parse its JSON output. */
int __vct_fio_run(const struct vct_fio_job *j, struct vct_fio_result *r,
		  char *why, size_t wl);

/*
 * Start fio in the background (output to a temporary file); stop it with
 * __vct_fio_stop (SIGINT: fio ends its run and still writes its report).
 */
struct vct_fio_bg {
	pid_t pid;
	char out[64];
};
int __vct_fio_start(const struct vct_fio_job *j, struct vct_fio_bg *bg,
		    char *why, size_t wl);
int __vct_fio_stop(struct vct_fio_bg *bg, struct vct_fio_result *r,
		   char *why, size_t wl);

/* Parse fio's --output-format=json text (the first job's read side). */
int vct_fio_parse(const char *json, struct vct_fio_result *r);

/*
 * Count the IOMMU's map and unmap calls (tracepoints iommu:map and
 * iommu:unmap, tracefs) while fn(arg) runs: *maps, *unmaps and the bytes
 * mapped.  -EOVERFLOW when the trace buffer overran (counts incomplete).
 */
int __vct_iommu_trace_count(int (*fn)(void *arg), void *arg, uint64_t *maps,
			    uint64_t *unmaps, uint64_t *map_bytes,
			    char *why, size_t wl);

#endif /* VCT_KDISK_H */
