/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lock.h - small helpers the map and group suites share (header only, so no
 * shared harness file changes): the process's locked-memory counter, the
 * CAP_IPC_LOCK drop, and the type1 dma_entry_limit module parameter.
 *
 * vfio_iommu_type1 accounts pinned pages to mm->locked_vm through
 * mm_lock_acct() -> __account_locked_vm() (6.12 vfio_iommu_type1.c,
 * vfio_lock_acct()), always, whether or not the mapper has CAP_IPC_LOCK;
 * /proc/<pid>/status shows mm->locked_vm as "VmLck" (fs/proc/task_mmu.c,
 * task_mem()).  CAP_IPC_LOCK only lifts the RLIMIT_MEMLOCK check
 * (dma->lock_cap = capable(CAP_IPC_LOCK), taken at MAP_DMA time).
 * iommufd charges mm->pinned_vm ("VmPin") instead: see map.c charged().
 */
#ifndef VCT_SUITE_LOCK_H
#define VCT_SUITE_LOCK_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#define VCT_DMA_ENTRY_LIMIT "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit"

/* A "Name: N kB" line of /proc/self/status in bytes, or -errno. */
static inline int64_t vct_status_kb_bytes(const char *name)
{
	char line[256];
	long long kb = -1;
	size_t n = strlen(name);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':' &&
		    sscanf(line + n + 1, " %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -ENOENT : (int64_t)kb * 1024;
}

/* Locked memory of this process in bytes (VmLck, mm->locked_vm), or -errno. */
static inline int64_t vct_vmlck_bytes(void)
{
	return vct_status_kb_bytes("VmLck");
}

/*
 * Pinned memory of this process in bytes (VmPin, mm->pinned_vm: what
 * iommufd pins, drivers/iommu/iommufd/pages.c do_update_pinned()), or -errno.
 */
static inline int64_t vct_vmpin_bytes(void)
{
	return vct_status_kb_bytes("VmPin");
}

/*
 * Drop CAP_IPC_LOCK from the effective and permitted sets of this process
 * (each harness test runs in its own forked process, so nothing else is
 * affected).  0 or -errno.
 */
static inline int vct_drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int idx = CAP_TO_INDEX(CAP_IPC_LOCK);

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[idx].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	data[idx].permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	data[idx].inheritable &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/* Write a number to a sysfs attribute.  0 or -errno. */
static inline int vct_write_u64(const char *path, uint64_t v)
{
	char buf[32];
	int n, ret = 0;
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)v);
	if (fwrite(buf, 1, (size_t)n, f) != (size_t)n)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

#endif /* VCT_SUITE_LOCK_H */
