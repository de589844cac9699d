/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcidev.h - finding PCI devices and what the kernel says about them.
 *
 * Devices are found by vendor:device or by BDF, never at a fixed address:
 * QEMU moves devices when its command line changes (-vga none moves edu from
 * 00:03.0 to 00:01.0).  Enumeration and capabilities come from libpci
 * (pciutils) over sysfs; the IOMMU group and the bound driver are read from
 * sysfs links at the time of the call, because the runner rebinds drivers
 * and libpci caches.
 *
 * A BDF is always written in full, "dddd:bb:dd.f" (as sysfs names it).
 * All functions return 0 (or a count/number) or -errno.
 */
#ifndef VCT_PCIDEV_H
#define VCT_PCIDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VCT_BDF_LEN 16	/* "dddd:bb:dd.f" + NUL, with room */

struct vct_pcidev {
	char bdf[VCT_BDF_LEN];
	uint16_t vendor;
	uint16_t device;
	uint16_t class_id;	/* base class << 8 | subclass, e.g. 0x0601 ISA bridge */
};

/* Where the kernel's PCI devices appear; tests may point it elsewhere. */
#define VCT_SYSFS_PCI_DEVICES "/sys/bus/pci/devices"

/*
 * Canonicalise "bb:dd.f" or "dddd:bb:dd.f" (hex, any case) to
 * "dddd:bb:dd.f" lowercase.  -EINVAL on anything else.
 */
int vct_bdf_canon(const char *in, char out[VCT_BDF_LEN]);

/* Parse "vvvv:dddd" (hex, optional 0x on each half). */
int vct_pci_parse_id(const char *s, uint16_t *vendor, uint16_t *device);

/*
 * Every PCI device, sorted by BDF.  *out is malloc'ed (NULL when none);
 * returns the count or -errno (-ENODEV when the system has no PCI sysfs).
 */
int __vct_pci_list(struct vct_pcidev **out);

/*
 * Every device with this vendor:device, sorted by BDF.  *out is malloc'ed
 * (NULL when none); returns the count (0 if none) or -errno (-ENODEV when
 * the system has no PCI sysfs at all).
 */
int __vct_pci_find_by_id(uint16_t vendor, uint16_t device,
			 struct vct_pcidev **out);

/* Look one device up by BDF (either form).  -ENODEV if absent. */
int __vct_pci_find_by_bdf(const char *bdf, struct vct_pcidev *out);

/* IOMMU group number of a device: >= 0, -ENODEV without an IOMMU group. */
int __vct_pci_iommu_group(const char *bdf);

/*
 * Name of the driver bound to the device ("vfio-pci"), or "" when none is
 * bound.  Returns 0 or -errno (-ENODEV for an unknown device).
 */
int __vct_pci_driver(const char *bdf, char *buf, size_t len);

/*
 * Bind an unbound device to vfio-pci the way FACTS.md describes (write
 * driver_override, then the BDF to drivers_probe; never new_id).  0 when
 * vfio-pci has it (also when it already had), -EBUSY when another driver
 * has it (not taken away), -ENODEV when vfio-pci did not bind, or -errno.
 */
int __vct_pci_bind_vfio(const char *bdf);

/* Unbind from whatever driver has it and clear driver_override. */
void vct_pci_unbind(const char *bdf);
/*
 * SR-IOV (sysfs sriov_totalvfs, sriov_numvfs, virtfnN): a PF's VF counts
 * (-ENOENT when the device is not SR-IOV capable); setting the count
 * (0 or more; the kernel's own errno: EBUSY to change a non-zero count
 * without going through 0, ENOENT from vfio-pci without enable_sriov=1);
 * the BDF of VF n (0-based, -ENOENT when it does not exist).  Tests that
 * change the count put the count they found back themselves; the runner's
 * journal (harness/sh/bind.sh) restores it as it was at binding time.
 */
int __vct_pci_sriov_vfs(const char *pf, int *numvfs, int *totalvfs);
int __vct_pci_sriov_set_numvfs(const char *pf, int numvfs);
int __vct_pci_sriov_vf(const char *pf, int n, char vf[VCT_BDF_LEN]);

/*
 * sysfs directory of the IOMMU instance translating this device
 * ("/sys/class/iommu/dmar0"), or -ENODEV if the kernel shows none.
 */
int __vct_pci_iommu_dir(const char *bdf, char *buf, size_t len);

/*
 * Which IOMMU translates a device, by the name its driver gives the
 * instance in /sys/class/iommu (iommu_device_sysfs_add): "dmarN" (Intel
 * VT-d), "ivhdN" (AMD-Vi), "smmu3.<addr>" (ARM SMMUv3), "smmu.<addr>"
 * (ARM SMMU v1/v2).  virtio-iommu names its instance after the transport
 * device (virtio_bus_name(): "0000:00:02.0" for virtio-pci), so it is
 * recognised by the driver of the instance's parent, "virtio_iommu".
 * Tests that depend on what the IOMMU can express ask this, never the CPU
 * architecture.
 */
enum vct_iommu_hw {
	VCT_IOMMU_HW_NONE,	/* no IOMMU instance in sysfs for the device */
	VCT_IOMMU_HW_UNKNOWN,	/* an instance of a driver not listed here */
	VCT_IOMMU_HW_VTD,
	VCT_IOMMU_HW_AMDVI,
	VCT_IOMMU_HW_SMMUV3,
	VCT_IOMMU_HW_SMMU,
	VCT_IOMMU_HW_VIRTIO,
};

/* The kind of an instance name as above (the last path component is used);
 * UNKNOWN for virtio-iommu, whose name says nothing. */
enum vct_iommu_hw vct_iommu_hw_from_name(const char *name);
/* The kind of the IOMMU translating `bdf` (NONE when sysfs shows none). */
enum vct_iommu_hw vct_pci_iommu_hw(const char *bdf);
/* "VT-d", "AMD-Vi", "SMMUv3", "SMMU", "virtio-iommu", "unknown", "none". */
const char *vct_iommu_hw_name(enum vct_iommu_hw hw);

/* Where the kernel lists IOMMU groups. */
#define VCT_SYSFS_IOMMU_GROUPS "/sys/kernel/iommu_groups"

/*
 * BDFs of the PCI devices in IOMMU group `group`, sorted, at most `max`.
 * Returns the count (devices beyond `max` are not counted) or -errno.
 */
int __vct_group_devices(unsigned int group, char (*bdfs)[VCT_BDF_LEN],
			size_t max);

/* Interrupt and link capabilities, for the irq and dma suites. */
struct vct_pci_caps {
	bool msi;
	uint8_t msi_off;		/* config offset of the MSI capability */
	unsigned int msi_vectors;	/* Multiple Message Capable, decoded */
	bool msi_64bit;
	bool msix;
	uint8_t msix_off;
	unsigned int msix_vectors;	/* Table Size + 1 */
	bool pcie;
	uint8_t pcie_off;
};

/*
 * Read the capability list through libpci.  Needs root for anything past
 * the first 64 bytes of config space: without it every cap reads absent,
 * which this reports as -EACCES rather than "no capabilities".
 */
int __vct_pci_caps(const char *bdf, struct vct_pci_caps *out);

#endif /* VCT_PCIDEV_H */
