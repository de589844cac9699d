// SPDX-License-Identifier: GPL-2.0
/*
 * device: the device half of the VFIO API on vfio-pci.
 *
 * Every test runs over every test device of the host profile (VCT_DEVICES,
 * bound to vfio-pci), whatever its model: expectations come from sysfs
 * (`resource`, `config`, `reset`) and libpci, never from the interface
 * under test.  Device-specific register checks (edu's identification and
 * liveness registers) come from the table in harness/device.c; devices
 * absent from it get the generic checks only.
 *
 * Errnos pinned here are those of Linux 6.12 (drivers/vfio/pci/
 * vfio_pci_core.c, vfio_pci_config.c, vfio_pci_rdwr.c, drivers/vfio/group.c);
 * each test's comment names the function deciding it.
 *
 * The container uses type1v2 (type1 when absent): the device API does not
 * depend on the IOMMU backend, so the tests do not run per backend.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "test.h"

#include "device.h"
#include "iommu.h"

/* Newer than some installed <linux/vfio.h> (the 6.12 uapi is only -idirafter). */
#ifndef VFIO_DEVICE_FLAGS_CDX
#define VFIO_DEVICE_FLAGS_CDX	(1 << 8)
#endif
#ifndef VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP
#define VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP	5
#endif

#define MAX_DEVS	8
#define NUM_STD_REGIONS	VFIO_PCI_NUM_REGIONS	/* BAR0-5, ROM, config, VGA */

struct tdev {
	char bdf[VCT_BDF_LEN];
	int group;
	int fd;
	struct vct_pcidev pci;
	const struct vct_devregs *regs;	/* NULL: no model-specific checks */
	struct vct_sysfs_bar bars[7];
	int cfg_size;
	struct vct_device_info info;
	struct vct_region_info r[VFIO_PCI_CONFIG_REGION_INDEX + 1];	/* BAR0-5, ROM, config */
};

FIXTURE(device) {
	struct vct_iommu *iommu;
	struct tdev dev[MAX_DEVS];
	size_t n;
};

FIXTURE_SETUP(device)
{
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	struct vct_iommu_dev all[MAX_DEVS];
	char why[512] = "";
	size_t i;
	uint32_t k;
	int ret;

	vct_mark_test(_metadata, variant);
	VCT_IOMMU_SETUP_OR_SKIP(vct_backend_preferred(), 1, 1, &self->iommu, devs);

	ret = __vct_test_devices(all, MAX_DEVS, why, sizeof(why));
	ASSERT_LE(1, ret) TH_LOG("%s", why);
	self->n = (size_t)ret;
	for (i = 0; i < self->n; i++) {
		struct tdev *d = &self->dev[i];
		struct vct_err err = { "" };

		memcpy(d->bdf, all[i].bdf, sizeof(d->bdf));
		d->group = all[i].group;
		d->fd = -1;
		VCT_IOMMU_ATTACH_DEVICE_FD(self->iommu, d->bdf, d->fd);
		ASSERT_EQ(0, __vct_pci_find_by_bdf(d->bdf, &d->pci));
		d->regs = vct_devregs_find(d->pci.vendor, d->pci.device);
		ASSERT_EQ(0, __vct_sysfs_bars(d->bdf, d->bars)) TH_LOG("%s: sysfs resource unparsable", d->bdf);
		d->cfg_size = __vct_sysfs_cfg_size(d->bdf);
		ASSERT_LT(0, d->cfg_size);
		ret = __vct_device_info(d->fd, &d->info, &err);
		ASSERT_EQ(0, ret) TH_LOG("%s: DEVICE_GET_INFO: %s %s", d->bdf, vct_errno_name(-ret), err.msg);
		for (k = 0; k <= VFIO_PCI_CONFIG_REGION_INDEX; k++) {
			ret = __vct_region_info(d->fd, k, &d->r[k], &err);
			ASSERT_EQ(0, ret) TH_LOG("%s: REGION_INFO %u: %s %s", d->bdf, k,
						 vct_errno_name(-ret), err.msg);
		}
	}
}

FIXTURE_TEARDOWN(device)
{
	size_t i;

	for (i = 0; i < self->n; i++) {
		if (self->dev[i].fd >= 0)
			close(self->dev[i].fd);
		vct_device_info_free(&self->dev[i].info);
	}
	vct_iommu_close(self->iommu);
}

#define for_each_dev(d) for (d = self->dev; d < self->dev + self->n; d++)

/* ---- helpers ------------------------------------------------------------- */

static struct vct_region_info *cfg(struct tdev *d)
{
	return &d->r[VFIO_PCI_CONFIG_REGION_INDEX];
}

static uint64_t cfg_rd(struct __test_metadata *_metadata, struct tdev *d,
		       unsigned int off, unsigned int width)
{
	uint64_t v = 0;
	int ret = __vct_region_rd(d->fd, cfg(d), off, width, &v);

	EXPECT_EQ(0, ret) TH_LOG("%s: config read %u@0x%x: %s", d->bdf, width, off,
				 vct_errno_name(-ret));
	return v;
}

static void cfg_wr(struct __test_metadata *_metadata, struct tdev *d,
		   unsigned int off, unsigned int width, uint64_t v)
{
	int ret = __vct_region_wr(d->fd, cfg(d), off, width, v);

	EXPECT_EQ(0, ret) TH_LOG("%s: config write %u@0x%x: %s", d->bdf, width, off,
				 vct_errno_name(-ret));
}

static uint64_t sysfs_cfg(struct __test_metadata *_metadata, struct tdev *d,
			  unsigned int off, unsigned int width)
{
	uint8_t b[8] = { 0 };
	uint64_t v = 0;
	unsigned int i;

	EXPECT_EQ(0, __vct_sysfs_cfg_read(d->bdf, off, b, width));
	for (i = 0; i < width; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* The BAR the table names for the device, else its first memory BAR. */
static int mem_bar(const struct tdev *d)
{
	int i;

	if (d->regs)
		return (int)d->regs->bar;
	for (i = 0; i < 6; i++)
		if ((d->bars[i].flags & VCT_IORESOURCE_MEM) && d->bars[i].size)
			return i;
	return -1;
}

/* What vfio_pci_probe_mmaps decides, from sysfs. */
static bool bar_mmappable(const struct vct_sysfs_bar *b)
{
	uint64_t pg = vct_page_size();

	return (b->flags & VCT_IORESOURCE_MEM) && b->size &&
	       (b->size >= pg || !(b->start & (pg - 1)));
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* *p, or -EFAULT when the access raised SIGBUS. */
static int probe_rd32(volatile uint32_t *p, uint32_t *out)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int ret = 0;

	sigaction(SIGBUS, &sa, &old);
	if (!sigsetjmp(bus_jmp, 1))
		*out = *p;
	else
		ret = -EFAULT;
	sigaction(SIGBUS, &old, NULL);
	return ret;
}

static void *map_region(const struct tdev *d, const struct vct_region_info *r,
			uint64_t off, size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags, d->fd, (off_t)(r->offset + off));
}

/* ---- VFIO_DEVICE_GET_INFO -------------------------------------------------- */

/*
 * FLAGS_PCI, and FLAGS_RESET exactly when the kernel can reset the function
 * (sysfs `reset` exists; vfio_pci_core_enable sets reset_works from a trial
 * reset).  No flag of another bus.
 */
TEST_F(device, info_flags_pci_reset_per_sysfs)
{
	const uint32_t other = VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_AMBA |
		VFIO_DEVICE_FLAGS_CCW | VFIO_DEVICE_FLAGS_AP | VFIO_DEVICE_FLAGS_FSL_MC |
		VFIO_DEVICE_FLAGS_CDX;
	struct tdev *d;

	for_each_dev(d) {
		bool reset = vct_sysfs_has_reset(d->bdf);

		EXPECT_TRUE(d->info.flags & VFIO_DEVICE_FLAGS_PCI) TH_LOG("%s: flags 0x%x", d->bdf, d->info.flags);
		EXPECT_EQ(0, d->info.flags & other) TH_LOG("%s: flags 0x%x", d->bdf, d->info.flags);
		EXPECT_EQ(reset, !!(d->info.flags & VFIO_DEVICE_FLAGS_RESET))
			TH_LOG("%s: flags 0x%x, sysfs reset %s", d->bdf, d->info.flags, reset ? "present" : "absent");
	}
}

/*
 * vfio-pci reports the 9 fixed regions plus device-specific ones (each
 * with a TYPE capability), and exactly VFIO_PCI_NUM_IRQS interrupt indexes.
 */
TEST_F(device, info_counts_regions_irqs)
{
	struct tdev *d;
	uint32_t k;

	for_each_dev(d) {
		EXPECT_LE(NUM_STD_REGIONS, d->info.num_regions) TH_LOG("%s", d->bdf);
		EXPECT_EQ(VFIO_PCI_NUM_IRQS, d->info.num_irqs) TH_LOG("%s", d->bdf);
		for (k = NUM_STD_REGIONS; k < d->info.num_regions; k++) {
			struct vct_region_info r;
			struct vct_err err = { "" };

			ASSERT_EQ(0, __vct_region_info(d->fd, k, &r, &err)) TH_LOG("%s: %s", d->bdf, err.msg);
			EXPECT_TRUE(r.has_type) TH_LOG("%s: device region %u without TYPE cap", d->bdf, k);
		}
	}
}

/*
 * argsz below the fixed struct (through num_irqs) is refused with EINVAL
 * (vfio_pci_ioctl_get_info); exactly the fixed struct is answered without
 * a chain, argsz raised if capabilities need room.
 */
TEST_F(device, info_argsz_short_refused_einval)
{
	struct tdev *d;

	for_each_dev(d) {
		struct vfio_device_info di = { 0 };

		di.argsz = offsetof(struct vfio_device_info, num_irqs) + sizeof(di.num_irqs) - 1;
		EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_INFO, &di));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", d->bdf);

		memset(&di, 0, sizeof(di));
		di.argsz = sizeof(di);
		ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_GET_INFO, &di));
		EXPECT_EQ(d->info.flags, di.flags);
		EXPECT_EQ(d->info.num_regions, di.num_regions);
		EXPECT_EQ(0, di.cap_offset);
		if (di.flags & VFIO_DEVICE_FLAGS_CAPS) {
			EXPECT_LT(sizeof(di), di.argsz);
		} else {
			EXPECT_EQ(sizeof(di), di.argsz);
		}
	}
}

/*
 * The chain (if any) passed the strict walk in the setup; here: FLAGS_CAPS
 * and the chain agree, and every capability id is one vfio.h defines for
 * DEVICE_GET_INFO (zPCI 1-4, PCI atomic completer 5).
 */
TEST_F(device, info_capchain_strict)
{
	struct tdev *d;
	size_t i;

	for_each_dev(d) {
		EXPECT_EQ(!!(d->info.flags & VFIO_DEVICE_FLAGS_CAPS), d->info.ncaps > 0) TH_LOG("%s", d->bdf);
		if (!d->info.ncaps)
			EXPECT_EQ(sizeof(struct vfio_device_info), d->info.argsz);
		for (i = 0; i < d->info.ncaps; i++) {
			EXPECT_TRUE(d->info.caps[i].id >= VFIO_DEVICE_INFO_CAP_ZPCI_BASE &&
				    d->info.caps[i].id <= VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP)
				TH_LOG("%s: cap id %u at 0x%x", d->bdf, d->info.caps[i].id, d->info.caps[i].offset);
		}
	}
}

/* ---- VFIO_DEVICE_GET_REGION_INFO ---------------------------------------------- */

/*
 * BAR regions: size equals sysfs `resource`; a present BAR is READ|WRITE,
 * plus MMAP exactly when vfio_pci_probe_mmaps allows it (memory BAR of at
 * least a page, or page-aligned); nothing else except CAPS.
 */
TEST_F(device, region_bars_match_sysfs_resource)
{
	struct tdev *d;
	int i;

	for_each_dev(d) {
		for (i = 0; i < 6; i++) {
			const struct vct_region_info *r = &d->r[i];
			uint32_t want = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

			EXPECT_EQ(d->bars[i].size, r->size) TH_LOG("%s BAR%d", d->bdf, i);
			if (!d->bars[i].size)
				continue;
			if (bar_mmappable(&d->bars[i]))
				want |= VFIO_REGION_INFO_FLAG_MMAP;
			EXPECT_EQ(want, r->flags & ~VFIO_REGION_INFO_FLAG_CAPS)
				TH_LOG("%s BAR%d flags 0x%x, sysfs flags 0x%llx", d->bdf, i, r->flags,
				       (unsigned long long)d->bars[i].flags);
		}
	}
}

/* Absent BARs: size 0, no flags, and reading them is refused (EINVAL, vfio_pci_bar_rw). */
TEST_F(device, region_absent_bars_size_zero)
{
	struct tdev *d;
	int i, absent = 0;

	for_each_dev(d) {
		for (i = 0; i < 6; i++) {
			uint32_t v;

			if (d->bars[i].size)
				continue;
			absent++;
			EXPECT_EQ(0, d->r[i].size) TH_LOG("%s BAR%d", d->bdf, i);
			EXPECT_EQ(0, d->r[i].flags) TH_LOG("%s BAR%d", d->bdf, i);
			EXPECT_EQ(-EINVAL, __vct_region_read(d->fd, &d->r[i], 0, &v, sizeof(v)))
				TH_LOG("%s BAR%d", d->bdf, i);
		}
	}
	if (!absent)
		SKIP(return, "every test device implements all six BARs");
}

/* ROM: size 0 and no flags without a ROM; else its size, read-only. */
TEST_F(device, region_rom_matches_sysfs)
{
	struct tdev *d;

	for_each_dev(d) {
		const struct vct_region_info *r = &d->r[VFIO_PCI_ROM_REGION_INDEX];

		if (!d->bars[6].size) {
			EXPECT_EQ(0, r->size) TH_LOG("%s", d->bdf);
			EXPECT_EQ(0, r->flags) TH_LOG("%s", d->bdf);
		} else {
			EXPECT_EQ(d->bars[6].size, r->size) TH_LOG("%s", d->bdf);
			EXPECT_EQ(0, r->flags & ~(uint32_t)VFIO_REGION_INFO_FLAG_READ) TH_LOG("%s", d->bdf);
		}
	}
}

/* Config region: the kernel's cfg_size (sysfs `config`: 256 or 4096), READ|WRITE. */
TEST_F(device, region_config_size_matches_sysfs)
{
	struct tdev *d;

	for_each_dev(d) {
		EXPECT_TRUE(d->cfg_size == 256 || d->cfg_size == 4096) TH_LOG("%s: sysfs %d", d->bdf, d->cfg_size);
		EXPECT_EQ((uint64_t)d->cfg_size, cfg(d)->size) TH_LOG("%s", d->bdf);
		EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, cfg(d)->flags);
	}
}

/* vfio-pci places region i at file offset i << 40 (VFIO_PCI_INDEX_TO_OFFSET). */
TEST_F(device, region_offsets_index_shl_40)
{
	struct tdev *d;
	uint32_t k;

	for_each_dev(d) {
		for (k = 0; k <= VFIO_PCI_CONFIG_REGION_INDEX; k++) {
			uint64_t want = (uint64_t)k << 40;

			EXPECT_EQ(want, d->r[k].offset) TH_LOG("%s region %u", d->bdf, k);
		}
	}
}

/*
 * Indexes past num_regions, and the VGA index on a non-VGA device, are
 * refused with EINVAL (vfio_pci_ioctl_get_region_info).
 */
TEST_F(device, region_out_of_range_refused_einval)
{
	const uint32_t extra[] = { 0, 1, 0x7fffffff, 0xffffffff };
	struct tdev *d;
	size_t i;

	for_each_dev(d) {
		struct vfio_region_info ri;

		for (i = 0; i < VCT_ARRAY_SIZE(extra); i++) {
			memset(&ri, 0, sizeof(ri));
			ri.argsz = sizeof(ri);
			ri.index = extra[i] < 2 ? d->info.num_regions + extra[i] : extra[i];
			EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
				TH_LOG("%s: index %u answered", d->bdf, ri.index);
			EXPECT_EQ(EINVAL, errno) TH_LOG("%s: index %u", d->bdf, ri.index);
		}
		if ((d->pci.class_id >> 8) == 0x03)
			continue;	/* display: VGA may exist */
		memset(&ri, 0, sizeof(ri));
		ri.argsz = sizeof(ri);
		ri.index = VFIO_PCI_VGA_REGION_INDEX;
		EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri)) TH_LOG("%s: VGA", d->bdf);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: VGA", d->bdf);
	}
}

/* argsz below the fixed fields (through offset) is refused with EINVAL. */
TEST_F(device, region_argsz_short_refused_einval)
{
	struct tdev *d;

	for_each_dev(d) {
		struct vfio_region_info ri = { 0 };

		ri.argsz = offsetof(struct vfio_region_info, offset) + sizeof(ri.offset) - 1;
		ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
		EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", d->bdf);
	}
}

/*
 * Every region's capability chain walks strictly; sparse-mmap areas lie
 * inside their (mmappable) region; MSIX_MAPPABLE appears only on the BAR
 * holding the MSI-X table.
 */
TEST_F(device, region_caps_parsed)
{
	struct tdev *d;
	uint32_t k;

	for_each_dev(d) {
		struct vct_pci_caps pc;

		ASSERT_EQ(0, __vct_pci_caps(d->bdf, &pc));
		for (k = 0; k < d->info.num_regions; k++) {
			struct vct_region_info r;
			struct vct_err err = { "" };
			int ret;

			if (k == VFIO_PCI_VGA_REGION_INDEX && (d->pci.class_id >> 8) != 0x03)
				continue;
			ret = __vct_region_info(d->fd, k, &r, &err);
			ASSERT_EQ(0, ret) TH_LOG("%s region %u: %s %s", d->bdf, k, vct_errno_name(-ret), err.msg);
			EXPECT_EQ(!!(r.flags & VFIO_REGION_INFO_FLAG_CAPS), r.ncaps > 0) TH_LOG("%s region %u", d->bdf, k);
			if (r.has_sparse)
				EXPECT_TRUE(r.flags & VFIO_REGION_INFO_FLAG_MMAP) TH_LOG("%s region %u", d->bdf, k);
			if (r.msix_mappable)
				EXPECT_TRUE(pc.msix && k < 6) TH_LOG("%s region %u", d->bdf, k);
		}
	}
}

/* ---- VFIO_DEVICE_GET_IRQ_INFO ------------------------------------------------- */

/*
 * Counts as vfio_pci_get_irq_count derives them: INTx 1 iff the (virtual)
 * interrupt pin is set, MSI the Multiple Message Capable vectors and MSI-X
 * the table size libpci decodes, ERR 1 iff PCIe, REQ 1.  Index 5 refused.
 */
TEST_F(device, irq_info_counts_match_libpci)
{
	struct tdev *d;

	for_each_dev(d) {
		struct vct_pci_caps pc;
		uint32_t want[VFIO_PCI_NUM_IRQS];
		struct vfio_irq_info ii;
		uint32_t k;

		ASSERT_EQ(0, __vct_pci_caps(d->bdf, &pc));
		want[VFIO_PCI_INTX_IRQ_INDEX] = cfg_rd(_metadata, d, PCI_INTERRUPT_PIN, 1) ? 1 : 0;
		want[VFIO_PCI_MSI_IRQ_INDEX] = pc.msi ? pc.msi_vectors : 0;
		want[VFIO_PCI_MSIX_IRQ_INDEX] = pc.msix ? pc.msix_vectors : 0;
		want[VFIO_PCI_ERR_IRQ_INDEX] = pc.pcie ? 1 : 0;
		want[VFIO_PCI_REQ_IRQ_INDEX] = 1;
		for (k = 0; k < VFIO_PCI_NUM_IRQS; k++) {
			memset(&ii, 0, sizeof(ii));
			ii.argsz = sizeof(ii);
			ii.index = k;
			if (k == VFIO_PCI_ERR_IRQ_INDEX && !pc.pcie) {
				/* not PCIe: the index itself is refused */
				EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
				EXPECT_EQ(EINVAL, errno) TH_LOG("%s: ERR irq on conventional PCI", d->bdf);
				continue;
			}
			ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii)) TH_LOG("%s irq %u", d->bdf, k);
			EXPECT_EQ(want[k], ii.count) TH_LOG("%s irq index %u", d->bdf, k);
			EXPECT_TRUE(ii.flags & VFIO_IRQ_INFO_EVENTFD);
		}
		memset(&ii, 0, sizeof(ii));
		ii.argsz = sizeof(ii);
		ii.index = VFIO_PCI_NUM_IRQS;
		EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
		EXPECT_EQ(EINVAL, errno);
	}
}

/* ---- config space -------------------------------------------------------------- */

/* Vendor, device, revision, class and subsystem read as the real config space (sysfs). */
TEST_F(device, config_ids_match_sysfs)
{
	const struct { unsigned int off, width; const char *what; } f[] = {
		{ PCI_VENDOR_ID, 2, "vendor" }, { PCI_DEVICE_ID, 2, "device" },
		{ PCI_REVISION_ID, 1, "revision" }, { PCI_CLASS_PROG, 1, "prog-if" },
		{ PCI_CLASS_DEVICE, 2, "class" },
		{ PCI_SUBSYSTEM_VENDOR_ID, 2, "subsystem vendor" },
		{ PCI_SUBSYSTEM_ID, 2, "subsystem" },
	};
	struct tdev *d;
	size_t i;

	for_each_dev(d) {
		EXPECT_EQ(d->pci.vendor, cfg_rd(_metadata, d, PCI_VENDOR_ID, 2));
		EXPECT_EQ(d->pci.device, cfg_rd(_metadata, d, PCI_DEVICE_ID, 2));
		for (i = 0; i < VCT_ARRAY_SIZE(f); i++) {
			const char *what = f[i].what;
			uint64_t want = sysfs_cfg(_metadata, d, f[i].off, f[i].width);

			EXPECT_EQ(want, cfg_rd(_metadata, d, f[i].off, f[i].width))
				TH_LOG("%s: %s", d->bdf, what);
		}
	}
}

/* Expected value of a BAR dword after writing all ones (as hardware answers). */
static uint32_t sized_bar(const struct tdev *d, int i, bool *upper)
{
	const struct vct_sysfs_bar *b = &d->bars[i];
	uint64_t mask;

	if (*upper) {	/* high half of the previous 64-bit BAR */
		*upper = false;
		mask = ~(d->bars[i - 1].size - 1);
		return (uint32_t)(mask >> 32);
	}
	if (!b->size)
		return 0;
	mask = ~(b->size - 1);
	if (b->flags & VCT_IORESOURCE_IO)
		return ((uint32_t)mask & ~3u) | PCI_BASE_ADDRESS_SPACE_IO;
	if (b->flags & VCT_IORESOURCE_MEM_64)
		*upper = true;
	return ((uint32_t)mask & ~0xfu) |
	       ((b->flags & VCT_IORESOURCE_PREFETCH) ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0) |
	       ((b->flags & VCT_IORESOURCE_MEM_64) ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0);
}

/*
 * BAR sizing: writing all ones to each BAR reads back exactly ~(size-1)
 * with the BAR's type bits (0 for an absent BAR; the high dword of a 64-bit
 * BAR sizes the upper half), as on hardware (vfio_bar_fixup); writing the
 * original value back restores it.  Also the ROM BAR (enable bit kept).
 */
TEST_F(device, config_bar_sizing_all_ones)
{
	struct tdev *d;
	int i;

	for_each_dev(d) {
		bool upper = false;
		uint32_t orig[7], want;

		for (i = 0; i < 6; i++)
			orig[i] = (uint32_t)cfg_rd(_metadata, d, PCI_BASE_ADDRESS_0 + 4 * i, 4);
		orig[6] = (uint32_t)cfg_rd(_metadata, d, PCI_ROM_ADDRESS, 4);
		for (i = 0; i < 6; i++) {
			unsigned int off = PCI_BASE_ADDRESS_0 + 4 * i;

			want = sized_bar(d, i, &upper);
			cfg_wr(_metadata, d, off, 4, 0xffffffff);
			EXPECT_EQ(want, cfg_rd(_metadata, d, off, 4))
				TH_LOG("%s BAR%d sized: size 0x%llx flags 0x%llx", d->bdf, i,
				       (unsigned long long)d->bars[i].size, (unsigned long long)d->bars[i].flags);
			cfg_wr(_metadata, d, off, 4, orig[i]);
			EXPECT_EQ(orig[i], cfg_rd(_metadata, d, off, 4)) TH_LOG("%s BAR%d restored", d->bdf, i);
		}
		want = d->bars[6].size ? ((uint32_t)~(d->bars[6].size - 1) | PCI_ROM_ADDRESS_ENABLE) : 0;
		cfg_wr(_metadata, d, PCI_ROM_ADDRESS, 4, 0xffffffff);
		EXPECT_EQ(want, cfg_rd(_metadata, d, PCI_ROM_ADDRESS, 4)) TH_LOG("%s ROM sized", d->bdf);
		cfg_wr(_metadata, d, PCI_ROM_ADDRESS, 4, orig[6]);
		EXPECT_EQ(orig[6], cfg_rd(_metadata, d, PCI_ROM_ADDRESS, 4)) TH_LOG("%s ROM restored", d->bdf);
	}
}

/*
 * Read-only fields stay as they are: the write is accepted (its byte count
 * returned: vfio_default_config_write drops bits outside the write mask
 * silently) and the field reads back unchanged.
 */
TEST_F(device, config_readonly_fields_unchanged)
{
	const struct { unsigned int off, width; const char *what; } f[] = {
		{ PCI_VENDOR_ID, 2, "vendor" }, { PCI_DEVICE_ID, 2, "device" },
		{ PCI_REVISION_ID, 1, "revision" }, { PCI_CLASS_PROG, 1, "prog-if" },
		{ PCI_CLASS_DEVICE, 2, "class" }, { PCI_HEADER_TYPE, 1, "header type" },
		{ PCI_SUBSYSTEM_VENDOR_ID, 4, "subsystem ids" },
		{ PCI_CAPABILITY_LIST, 1, "capability pointer" },
		{ PCI_INTERRUPT_PIN, 1, "interrupt pin" },
	};
	struct tdev *d;
	size_t i;

	for_each_dev(d) {
		for (i = 0; i < VCT_ARRAY_SIZE(f); i++) {
			uint64_t was = cfg_rd(_metadata, d, f[i].off, f[i].width);
			uint64_t flip = ~was & ((1ull << (8 * f[i].width)) - 1);

			cfg_wr(_metadata, d, f[i].off, f[i].width, flip);
			EXPECT_EQ(was, cfg_rd(_metadata, d, f[i].off, f[i].width))
				TH_LOG("%s: %s written 0x%llx", d->bdf, f[i].what, (unsigned long long)flip);
			if (cfg_rd(_metadata, d, f[i].off, f[i].width) != was)
				cfg_wr(_metadata, d, f[i].off, f[i].width, was);	/* undo a mutant's damage */
		}
	}
}

/*
 * Command register, memory decode: off, BAR reads through the region fail
 * with EIO (vfio_pci_core_do_io_rw checks __vfio_pci_memory_enabled) and
 * mmap accesses raise SIGBUS (the fault handler refuses); the physical
 * register (sysfs) follows.  On again, both work.
 */
TEST_F(device, config_command_memory_decode)
{
	struct tdev *d;
	int tested = 0;

	for_each_dev(d) {
		int bar = mem_bar(d);
		const struct vct_region_info *r;
		uint64_t cmd, v;
		uint32_t mv;
		void *map = MAP_FAILED;
		size_t pg = vct_page_size();

		if (bar < 0)
			continue;
		tested++;
		r = &d->r[bar];
		cmd = cfg_rd(_metadata, d, PCI_COMMAND, 2);
		EXPECT_TRUE(cmd & PCI_COMMAND_MEMORY) TH_LOG("%s: memory decode off at open", d->bdf);
		if (r->flags & VFIO_REGION_INFO_FLAG_MMAP) {
			map = map_region(d, r, 0, pg, PROT_READ | PROT_WRITE, MAP_SHARED);
			ASSERT_NE(MAP_FAILED, map) TH_LOG("%s BAR%d: %s", d->bdf, bar, strerror(errno));
		}
		cfg_wr(_metadata, d, PCI_COMMAND, 2, cmd & ~(uint64_t)PCI_COMMAND_MEMORY);
		EXPECT_EQ(0, sysfs_cfg(_metadata, d, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY)
			TH_LOG("%s: physical memory decode still on", d->bdf);
		EXPECT_EQ(-EIO, __vct_region_rd(d->fd, r, 0, 4, &v)) TH_LOG("%s: BAR%d read with decode off", d->bdf, bar);
		if (map != MAP_FAILED)
			EXPECT_EQ(-EFAULT, probe_rd32(map, &mv)) TH_LOG("%s: mmap read with decode off: 0x%x", d->bdf, mv);
		cfg_wr(_metadata, d, PCI_COMMAND, 2, cmd | PCI_COMMAND_MEMORY);
		EXPECT_TRUE(sysfs_cfg(_metadata, d, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
		EXPECT_EQ(0, __vct_region_rd(d->fd, r, 0, 4, &v)) TH_LOG("%s: BAR%d read with decode on", d->bdf, bar);
		if (map != MAP_FAILED) {
			EXPECT_EQ(0, probe_rd32(map, &mv));
			EXPECT_EQ(v, mv);
			munmap(map, pg);
		}
	}
	if (!tested)
		SKIP(return, "no test device has a memory BAR");
}

/* Bus master: writable through the region, and the physical register follows. */
TEST_F(device, config_command_bus_master)
{
	struct tdev *d;

	for_each_dev(d) {
		uint64_t cmd = cfg_rd(_metadata, d, PCI_COMMAND, 2);

		cfg_wr(_metadata, d, PCI_COMMAND, 2, cmd | PCI_COMMAND_MASTER);
		EXPECT_TRUE(cfg_rd(_metadata, d, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) TH_LOG("%s", d->bdf);
		EXPECT_TRUE(sysfs_cfg(_metadata, d, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) TH_LOG("%s", d->bdf);
		cfg_wr(_metadata, d, PCI_COMMAND, 2, cmd & ~(uint64_t)PCI_COMMAND_MASTER);
		EXPECT_FALSE(cfg_rd(_metadata, d, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) TH_LOG("%s", d->bdf);
		EXPECT_FALSE(sysfs_cfg(_metadata, d, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) TH_LOG("%s", d->bdf);
		cfg_wr(_metadata, d, PCI_COMMAND, 2, cmd);
	}
}

/*
 * The capability list walked through the config region: well formed
 * (dword-aligned pointers >= 0x40, no loop), and MSI, MSI-X and PCIe at
 * the offsets libpci finds in the real config space.
 */
TEST_F(device, config_caps_match_libpci)
{
	struct tdev *d;

	for_each_dev(d) {
		struct vct_pci_caps pc;
		unsigned int pos, n = 0, msi = 0, msix = 0, pcie = 0;

		ASSERT_EQ(0, __vct_pci_caps(d->bdf, &pc));
		if (cfg_rd(_metadata, d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST)
			pos = (unsigned int)cfg_rd(_metadata, d, PCI_CAPABILITY_LIST, 1);
		else
			pos = 0;
		while (pos) {
			unsigned int id;

			ASSERT_LT(n++, 48u) TH_LOG("%s: capability list loops", d->bdf);
			ASSERT_EQ(0, pos & 3) TH_LOG("%s: cap at 0x%x", d->bdf, pos);
			ASSERT_LE(0x40u, pos) TH_LOG("%s: cap at 0x%x", d->bdf, pos);
			id = (unsigned int)cfg_rd(_metadata, d, pos, 1);
			if (id == PCI_CAP_ID_MSI)
				msi = pos;
			else if (id == PCI_CAP_ID_MSIX)
				msix = pos;
			else if (id == PCI_CAP_ID_EXP)
				pcie = pos;
			pos = (unsigned int)cfg_rd(_metadata, d, pos + 1, 1);
		}
		EXPECT_EQ(pc.msi ? pc.msi_off : 0, msi) TH_LOG("%s: MSI", d->bdf);
		EXPECT_EQ(pc.msix ? pc.msix_off : 0, msix) TH_LOG("%s: MSI-X", d->bdf);
		EXPECT_EQ(pc.pcie ? pc.pcie_off : 0, pcie) TH_LOG("%s: PCIe", d->bdf);
	}
}

/*
 * Reads of 1, 2 and 4 bytes agree over the standard header, aligned or not
 * (vfio_config_do_rw splits unaligned accesses into aligned pieces), and a
 * 64-byte read equals the bytes read one by one.
 */
TEST_F(device, config_access_widths_agree)
{
	struct tdev *d;
	unsigned int off, w;

	for_each_dev(d) {
		uint8_t b[64], blk[64];

		for (off = 0; off < 64; off++)
			b[off] = (uint8_t)cfg_rd(_metadata, d, off, 1);
		for (w = 2; w <= 4; w *= 2)
			for (off = 0; off + w <= 64; off++) {
				uint64_t want = 0;
				unsigned int i;

				for (i = 0; i < w; i++)
					want |= (uint64_t)b[off + i] << (8 * i);
				EXPECT_EQ(want, cfg_rd(_metadata, d, off, w)) TH_LOG("%s: %u@0x%x", d->bdf, w, off);
			}
		ASSERT_EQ(64, __vct_region_read(d->fd, cfg(d), 0, blk, sizeof(blk)));
		EXPECT_EQ(0, memcmp(b, blk, sizeof(b))) TH_LOG("%s", d->bdf);
	}
}

/* Accesses reaching past cfg_size are refused whole with EFAULT (vfio_config_do_rw). */
TEST_F(device, config_out_of_range_refused_efault)
{
	struct tdev *d;

	for_each_dev(d) {
		unsigned int sz = (unsigned int)cfg(d)->size;
		uint32_t v = 0;

		EXPECT_EQ(4, __vct_region_read(d->fd, cfg(d), sz - 4, &v, 4)) TH_LOG("%s", d->bdf);
		EXPECT_EQ(-EFAULT, __vct_region_read(d->fd, cfg(d), sz, &v, 1)) TH_LOG("%s", d->bdf);
		EXPECT_EQ(-EFAULT, __vct_region_read(d->fd, cfg(d), sz - 2, &v, 4)) TH_LOG("%s", d->bdf);
		EXPECT_EQ(-EFAULT, __vct_region_write(d->fd, cfg(d), sz, &v, 1)) TH_LOG("%s", d->bdf);
		EXPECT_EQ(-EFAULT, __vct_region_write(d->fd, cfg(d), sz - 1, &v, 2)) TH_LOG("%s", d->bdf);
	}
}

/* ---- BAR access ---------------------------------------------------------------- */

/*
 * The model's identification register reads its value, and its liveness
 * register reads back the inverse, through pread/pwrite and through mmap,
 * each path seeing the other's writes.
 */
TEST_F(device, bar_pread_mmap_agree)
{
	struct tdev *d;
	int tested = 0;

	for_each_dev(d) {
		const struct vct_devregs *g = d->regs;
		const struct vct_region_info *r;
		volatile uint32_t *m;
		uint64_t v;
		size_t len;

		if (!g)
			continue;
		tested++;
		r = &d->r[g->bar];
		if (g->has_id) {
			ASSERT_EQ(0, __vct_region_rd(d->fd, r, g->id_off, 4, &v));
			EXPECT_EQ(g->id_val, v) TH_LOG("%s %s: id via pread", d->bdf, g->name);
		}
		if (g->has_live) {
			ASSERT_EQ(0, __vct_region_wr(d->fd, r, g->live_off, 4, 0x12345678));
			ASSERT_EQ(0, __vct_region_rd(d->fd, r, g->live_off, 4, &v));
			EXPECT_EQ((uint32_t)~0x12345678u, v) TH_LOG("%s %s: liveness via pread", d->bdf, g->name);
		}
		if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		len = vct_page_size();
		m = map_region(d, r, 0, len, PROT_READ | PROT_WRITE, MAP_SHARED);
		ASSERT_NE(MAP_FAILED, (void *)m) TH_LOG("%s: %s", d->bdf, strerror(errno));
		if (g->has_id)
			EXPECT_EQ(g->id_val, m[g->id_off / 4]) TH_LOG("%s %s: id via mmap", d->bdf, g->name);
		if (g->has_live) {
			EXPECT_EQ((uint32_t)~0x12345678u, m[g->live_off / 4]) TH_LOG("%s: pwrite seen by mmap", d->bdf);
			m[g->live_off / 4] = 0xa5a5f00f;
			ASSERT_EQ(0, __vct_region_rd(d->fd, r, g->live_off, 4, &v));
			EXPECT_EQ((uint32_t)~0xa5a5f00fu, v) TH_LOG("%s: mmap write seen by pread", d->bdf);
		}
		munmap((void *)m, len);
	}
	if (!tested)
		SKIP(return, "no test device in the register table (harness/device.c)");
}

/*
 * BAR bounds (vfio_pci_bar_rw): a read starting at the region's end is
 * refused with EINVAL; one straddling it is cut short to the bytes inside.
 *
 * The straddling read asks for 8 bytes at size - 4 so that what reaches the
 * device is one aligned dword (vfio_pci_core_do_io_rw picks the access width
 * from the remaining count and alignment): a 2-byte read at size - 2 would
 * be a 16-bit MMIO access, which QEMU's edu does not decode (its
 * MemoryRegionOps accept 4 and 8 bytes only).  x86 reads such an access as
 * all-ones, but arm64 takes the bus error as a synchronous external abort:
 * the kernel oopses inside vfio_pci_core_ioread16 with the device's
 * memory_lock held and every later test on the device hangs.
 */
TEST_F(device, bar_rw_bounds)
{
	struct tdev *d;
	int tested = 0;

	for_each_dev(d) {
		int bar = mem_bar(d);
		const struct vct_region_info *r;
		uint64_t v = 0;

		if (bar < 0)
			continue;
		tested++;
		r = &d->r[bar];
		EXPECT_EQ(-EINVAL, __vct_region_read(d->fd, r, r->size, &v, 4)) TH_LOG("%s BAR%d", d->bdf, bar);
		EXPECT_EQ(-EINVAL, __vct_region_write(d->fd, r, r->size, &v, 4)) TH_LOG("%s BAR%d", d->bdf, bar);
		EXPECT_EQ(4, __vct_region_read(d->fd, r, r->size - 4, &v, 8)) TH_LOG("%s BAR%d", d->bdf, bar);
	}
	if (!tested)
		SKIP(return, "no test device has a memory BAR");
}

/*
 * mmap (vfio_pci_core_mmap) refuses with EINVAL: past the region's end,
 * starting beyond it, MAP_PRIVATE, and regions without FLAG_MMAP (config,
 * ROM, absent BARs).
 */
TEST_F(device, mmap_refused_einval)
{
	struct tdev *d;
	size_t pg = vct_page_size();
	int tested = 0;

	for_each_dev(d) {
		int bar = mem_bar(d), i;
		const struct vct_region_info *r;
		size_t len;
		void *p;

		if (bar >= 0 && (d->r[bar].flags & VFIO_REGION_INFO_FLAG_MMAP)) {
			tested++;
			r = &d->r[bar];
			len = (r->size + pg - 1) & ~(pg - 1);
			p = map_region(d, r, 0, len + pg, PROT_READ, MAP_SHARED);
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("%s BAR%d: length past the end", d->bdf, bar);
			EXPECT_EQ(EINVAL, errno);
			p = map_region(d, r, len, pg, PROT_READ, MAP_SHARED);
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("%s BAR%d: offset at the end", d->bdf, bar);
			EXPECT_EQ(EINVAL, errno);
			p = map_region(d, r, 0, pg, PROT_READ, MAP_PRIVATE);
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("%s BAR%d: MAP_PRIVATE", d->bdf, bar);
			EXPECT_EQ(EINVAL, errno);
			if (p != MAP_FAILED)
				munmap(p, pg);
		}
		for (i = 0; i <= VFIO_PCI_CONFIG_REGION_INDEX; i++) {
			if (d->r[i].flags & VFIO_REGION_INFO_FLAG_MMAP)
				continue;
			tested++;
			p = map_region(d, &d->r[i], 0, pg, PROT_READ, MAP_SHARED);
			EXPECT_EQ(MAP_FAILED, p) TH_LOG("%s region %d without FLAG_MMAP", d->bdf, i);
			EXPECT_EQ(EINVAL, errno) TH_LOG("%s region %d", d->bdf, i);
			if (p != MAP_FAILED)
				munmap(p, pg);
		}
	}
	if (!tested)
		SKIP(return, "nothing to try");
}

/* ---- reset ----------------------------------------------------------------------- */

/* Without FLAGS_RESET, VFIO_DEVICE_RESET is refused with EINVAL (vfio_pci_ioctl_reset). */
TEST_F(device, reset_refused_einval_without_flag)
{
	struct tdev *d;
	int tested = 0;

	for_each_dev(d) {
		if (d->info.flags & VFIO_DEVICE_FLAGS_RESET)
			continue;
		tested++;
		EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_RESET));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", d->bdf);
	}
	if (!tested)
		SKIP(return, "every test device supports reset");
}

/*
 * With FLAGS_RESET, VFIO_DEVICE_RESET succeeds and the device still answers
 * (ids through config space, the model's id register).
 */
TEST_F(device, reset_works_where_supported)
{
	struct tdev *d;
	int tested = 0;

	for_each_dev(d) {
		uint64_t v;

		if (!(d->info.flags & VFIO_DEVICE_FLAGS_RESET))
			continue;
		tested++;
		EXPECT_EQ(0, ioctl(d->fd, VFIO_DEVICE_RESET)) TH_LOG("%s: %s", d->bdf, strerror(errno));
		EXPECT_EQ(d->pci.vendor, cfg_rd(_metadata, d, PCI_VENDOR_ID, 2));
		if (d->regs && d->regs->has_id) {
			cfg_wr(_metadata, d, PCI_COMMAND, 2,
			       cfg_rd(_metadata, d, PCI_COMMAND, 2) | PCI_COMMAND_MEMORY);
			ASSERT_EQ(0, __vct_region_rd(d->fd, &d->r[d->regs->bar], d->regs->id_off, 4, &v));
			EXPECT_EQ(d->regs->id_val, v);
		}
	}
	if (!tested)
		SKIP(return, "no test device supports reset (no FLR, PM or bus reset: edu has none)");
}

/*
 * GET_PCI_HOT_RESET_INFO: a device on a root bus with no resettable slot
 * has nothing to reset it and is refused with ENODEV (pci_probe_reset_bus
 * fails without an upstream bridge).  Behind a bridge: ENOSPC with the
 * count when argsz only holds the header, then the device itself among
 * `count` entries.
 */
TEST_F(device, hot_reset_info_matches_topology)
{
	struct tdev *d;

	for_each_dev(d) {
		struct vfio_pci_hot_reset_info *hi;
		size_t sz = sizeof(*hi) + 64 * sizeof(struct vfio_pci_dependent_device);
		int root = __vct_sysfs_on_root_bus(d->bdf);
		uint32_t i, count;
		bool self_seen = false;

		ASSERT_LE(0, root);
		hi = calloc(1, sz);
		ASSERT_NE(NULL, hi);
		hi->argsz = sizeof(*hi);
		if (root) {
			EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi));
			EXPECT_EQ(ENODEV, errno) TH_LOG("%s on a root bus", d->bdf);
			free(hi);
			continue;
		}
		EXPECT_EQ(-1, ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi));
		EXPECT_EQ(ENOSPC, errno) TH_LOG("%s", d->bdf);
		count = hi->count;
		EXPECT_LE(1, count);
		hi->argsz = (uint32_t)sz;
		ASSERT_EQ(0, ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi)) TH_LOG("%s: %s", d->bdf, strerror(errno));
		EXPECT_EQ(count, hi->count);
		for (i = 0; i < hi->count && i < 64; i++) {
			char bdf[VCT_BDF_LEN];

			snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", hi->devices[i].segment,
				 hi->devices[i].bus, hi->devices[i].devfn >> 3, hi->devices[i].devfn & 7);
			if (!strcmp(bdf, d->bdf))
				self_seen = true;
		}
		EXPECT_TRUE(self_seen) TH_LOG("%s not among its own dependent devices", d->bdf);
		free(hi);
	}
}

/* ---- opening ------------------------------------------------------------------------ */

static int group_fd(FIXTURE_DATA(device) *self, int group)
{
	int fd = vct_iommu_group_fd(self->iommu, group);

	return fd < 0 ? -1 : fd;
}

/*
 * The group path lets a device be opened more than once (vfio_df_open:
 * only cdev opens are exclusive); both fds drive the same device state.
 * An unknown device name is refused with ENODEV.
 */
TEST_F(device, open_twice_shares_state)
{
	struct tdev *d;

	for_each_dev(d) {
		int gfd = group_fd(self, d->group), fd2;
		struct tdev d2;
		uint64_t line;

		ASSERT_LE(0, gfd);
		fd2 = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
		ASSERT_LE(0, fd2) TH_LOG("%s: second open: %s", d->bdf, strerror(errno));
		EXPECT_NE(d->fd, fd2);
		d2 = *d;
		d2.fd = fd2;
		line = cfg_rd(_metadata, d, PCI_INTERRUPT_LINE, 1);
		cfg_wr(_metadata, &d2, PCI_INTERRUPT_LINE, 1, line ^ 0x5a);
		EXPECT_EQ(line ^ 0x5a, cfg_rd(_metadata, d, PCI_INTERRUPT_LINE, 1))
			TH_LOG("%s: write through the second fd not seen by the first", d->bdf);
		cfg_wr(_metadata, d, PCI_INTERRUPT_LINE, 1, line);
		close(fd2);
		/* The first fd outlives the second. */
		EXPECT_EQ(d->pci.vendor, cfg_rd(_metadata, d, PCI_VENDOR_ID, 2));

		EXPECT_EQ(-1, ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, "0000:ff:1f.7"));
		EXPECT_EQ(ENODEV, errno);
	}
}

/*
 * A group cannot leave its container while one of its devices is open
 * (vfio_group_ioctl_unset_container: EBUSY), and the device keeps working.
 */
TEST_F(device, unset_container_with_open_device_ebusy)
{
	struct tdev *d;

	for_each_dev(d) {
		int gfd = group_fd(self, d->group);
		struct vfio_group_status st = { .argsz = sizeof(st) };

		ASSERT_LE(0, gfd);
		EXPECT_EQ(-1, ioctl(gfd, VFIO_GROUP_UNSET_CONTAINER));
		EXPECT_EQ(EBUSY, errno) TH_LOG("%s", d->bdf);
		ASSERT_EQ(0, ioctl(gfd, VFIO_GROUP_GET_STATUS, &st));
		EXPECT_TRUE(st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET) TH_LOG("%s", d->bdf);
		EXPECT_EQ(d->pci.vendor, cfg_rd(_metadata, d, PCI_VENDOR_ID, 2));
	}
}

VCT_HARNESS_MAIN
