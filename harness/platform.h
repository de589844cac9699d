/* SPDX-License-Identifier: GPL-2.0 */
/*
 * platform.h - what the host is expected to provide, from the two sources
 * DESIGN.md allows: the host profile (exported by the runner into the guest
 * as VCT_* environment variables) and the hardware's own registers.  Tests
 * compare what the kernel reports against these, never against constants.
 *
 * Environment (all optional; a test needing an unset one SKIPs):
 *   VCT_EXPECT_RESV    "start-end:type ..." reserved in every IOMMU group,
 *                      inclusive hex bounds, type as sysfs prints it, e.g.
 *                      "0xfee00000-0xfeefffff:msi"
 *   VCT_APERTURE       "start-last" IOVA aperture of the IOMMU, e.g.
 *                      "0x0-0xffffffffffff", or
 *   VCT_APERTURE_BITS  the aperture as an address width: [0, 2^bits - 1]
 *   VCT_DEVICES        vendor:device list of the test devices (iommu.h)
 *   VCT_EXPECT_RESV_DEV "BDF=start-end:type ..." what single devices reserve
 *                      on top of VCT_EXPECT_RESV (profile key dt_resv: the
 *                      runner writes it into the arm64 guest's device tree,
 *                      harness/sh/dtb.sh), e.g.
 *                      "0000:00:05.0=0x7f0000000000-0x7f00000fffff:reserved"
 */
#ifndef VCT_PLATFORM_H
#define VCT_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcidev.h"
#include "range.h"
#include "resv.h"

/*
 * What every IOMMU group must reserve: $VCT_EXPECT_RESV parsed into a list
 * (line = position in the list, 1-based) when the profile sets it, and
 * then cross-checked against what the platform reports where that is
 * derivable (see below: the regions common to every group); when the
 * profile does not set it (unset or empty: a local host), the platform's.
 * out->path says which.  0; -ENOENT when neither gives it (a SKIP, err
 * says why); -EINVAL when malformed or when profile and platform
 * disagree (err says how).  Free with vct_resv_free().
 */
int __vct_expected_resv(struct vct_resv_list *out, struct vct_err *err);

/*
 * What the profile says device `bdf` alone reserves ($VCT_EXPECT_RESV_DEV
 * entries of that BDF, in any PCI address spelling).  0 with a possibly
 * empty list (also when the variable is unset); -EINVAL when any entry is
 * malformed (err says which).  Free with vct_resv_free().
 */
int __vct_expected_resv_dev(const char *bdf, struct vct_resv_list *out,
			    struct vct_err *err);

/* Whether the profile gives any device reservations of its own. */
bool vct_profile_has_resv_dev(void);

/*
 * IOVA aperture of the IOMMU translating device `bdf`, as the kernel's
 * IOMMU driver sets its domain geometry.  Derived from the hardware where
 * this code knows how (Intel VT-d: CAP.SAGAW/MGAW, as intel-iommu does for
 * an unmanaged second-stage domain; AMD-Vi: the page-table mode and EFR;
 * SMMUv3: the driver's probe line in the kernel log and VA_BITS from
 * /boot/config-RELEASE; see below), else from the profile
 * (VCT_APERTURE / VCT_APERTURE_BITS); when both exist they must agree.
 * `how` says where the answer came from, or why there is none.
 * 0; -ENOENT when nothing gives it (a SKIP); -EINVAL for a malformed
 * profile value or a disagreement (a failure).
 */
int __vct_aperture(const char *bdf, struct vct_range *out, char *how,
		   size_t how_len);

/* Intel VT-d: aperture from the CAP and ECAP registers.  -ENOENT if unknown. */
int vct_vtd_aperture(uint64_t cap, uint64_t ecap, struct vct_range *out,
		     char *how, size_t how_len);

/*
 * AMD-Vi: the aperture of an unmanaged domain as Linux 6.1-6.12's
 * amd/iommu.c dma_max_address() sets it: the v1 page table (the default)
 * spans 64 bits; the v2 one (amd_iommu=pgtbl_v2 on the command line, kept
 * only when EFR has GIOSup and GTSup) 2^(PM_LEVEL_SHIFT(level) - 1) - 1,
 * level 5 when the CPU has LA57 and EFR.GATS says 5 levels, else 4.  `efr`
 * is the extended feature register (sysfs amd-iommu/features).  -ENOENT
 * for a kernel outside 6.1-6.12 (later ones reworked the page tables:
 * Debian's 7.2 gives 48 bits; not derived here), `how` says so.
 */
int vct_amdvi_aperture(uint64_t efr, bool pgtbl_v2, bool la57, unsigned int kmajor,
		       unsigned int kminor, struct vct_range *out, char *how, size_t how_len);

/*
 * SMMUv3: the aperture of an unmanaged stage-1 domain as Linux 6.12's
 * arm_smmu_domain_finalise() sets it: min(VAX ? 52 : 48, VA_BITS) bits; a
 * stage-2 domain (no stage 1 in the features) the SMMU's IAS.  IAS, OAS and
 * the features are in IDR registers userspace cannot map; the driver logs
 * them at probe ("ias 44-bit, oas 44-bit (features 0x00009fef)"), which is
 * where they are taken from (vct_smmuv3_probe_line); VA_BITS is the
 * kernel's CONFIG_ARM64_VA_BITS.  0; -ENOENT (`how` says why).
 */
int vct_smmuv3_aperture(unsigned int ias, uint32_t features, unsigned int va_bits,
			struct vct_range *out, char *how, size_t how_len);

/* The probe line's figures: 0, or -EINVAL when `line` is not one. */
int vct_smmuv3_probe_line(const char *line, unsigned int *ias, unsigned int *oas,
			  uint32_t *features);

/* ---- what the platform itself reports --------------------------------------
 *
 * Where the profile gives no expect_resv (a local host), the regions come
 * from the platform, as the kernel's IOMMU drivers derive them:
 *   VT-d     the interrupt range 0xfee00000-0xfeefffff (msi) in every
 *            group; per device, the ACPI DMAR table's RMRRs whose device
 *            scope names it (direct, or direct-relaxable for USB and
 *            display devices: intel/iommu.c device_rmrr_is_relaxable), and
 *            0-16 MiB direct-relaxable for an ISA bridge
 *            (CONFIG_INTEL_IOMMU_FLOPPY_WA);
 *   AMD-Vi   msi as VT-d plus the HyperTransport range 0xfd00000000-
 *            0xffffffffff (reserved) in every group (amd/iommu.c
 *            amd_iommu_get_resv_regions); per device, the ACPI IVRS
 *            table's IVMD blocks naming it (vct_ivrs_device_regions);
 *   SMMU     the software MSI window 0x8000000-0x80fffff (MSI_IOVA_BASE,
 *            MSI_IOVA_LENGTH in arm-smmu-v3.c / arm-smmu.c); per device,
 *            on Linux 6.3+, the device tree's iommu-addresses
 *            reservations (vct_dt_device_regions); per device, the ACPI
 *            IORT's RMR nodes covering its stream IDs (vct_iort_device_regions;
 *            a SKIP when one covers a PCI device: whether the kernel honours
 *            it depends on the host bridge's preserve_config, which
 *            userspace cannot read);
 *   virtio-iommu  nothing: its regions are what the device probes, so
 *            the only check is against sysfs itself.
 */

/* Where the kernel shows ACPI tables; tests may point it elsewhere. */
#define VCT_ACPI_TABLES "/sys/firmware/acpi/tables"

#define VCT_DMAR_MAX_SCOPES	16
#define VCT_DMAR_MAX_PATH	8

/* A DMAR device scope (VT-d spec 8.3.1). */
struct vct_dmar_scope {
	uint8_t type;		/* 1 PCI endpoint, 2 PCI sub-hierarchy, 3 IOAPIC, 4 HPET, 5 ACPI */
	uint8_t bus;		/* start bus number */
	uint8_t npath;		/* hops: (device, function) pairs, bridges first */
	uint8_t path[VCT_DMAR_MAX_PATH][2];
};

/* A Reserved Memory Region Reporting structure (VT-d spec 8.4). */
struct vct_dmar_rmrr {
	uint16_t segment;
	uint64_t base, limit;	/* limit: the last byte */
	size_t offset;		/* in the table, for messages */
	size_t nscopes;
	struct vct_dmar_scope scopes[VCT_DMAR_MAX_SCOPES];
};

struct vct_dmar {
	unsigned int haw;	/* host address width, bits */
	uint8_t flags;		/* bit 0 INTR_REMAP, bit 1 X2APIC_OPT_OUT */
	unsigned int ndrhd;
	size_t nrmrr;
	struct vct_dmar_rmrr *rmrr;
};

/*
 * Parse a DMAR table (the raw bytes of VCT_ACPI_TABLES/DMAR).  Checks the
 * signature, that the header's length fits the buffer, the checksum (all
 * bytes sum to 0 mod 256), every structure's length (at least its header,
 * within the table), RMRR and scope lengths, an RMRR limit not below its base (the kernel
 * warns "bad RMRR" and keeps it), and that a scope path fits
 * its structure.  0, or -EINVAL with err saying "<name>: offset 0x..: what".
 * Free with vct_dmar_free().
 */
int vct_dmar_parse(const char *name, const uint8_t *buf, size_t len,
		   struct vct_dmar *out, struct vct_err *err);
void vct_dmar_free(struct vct_dmar *d);

/* Bridges of the PCI topology a scope path walks (sysfs or a test's). */
struct vct_pci_topo {
	/* secondary and subordinate bus of bridge `bdf`; -ENODEV if none */
	int (*bridge)(void *ctx, const char *bdf, unsigned int *secondary,
		      unsigned int *subordinate);
	void *ctx;
};
/* The topology the kernel shows (config space bytes 0x19/0x1a in sysfs). */
extern const struct vct_pci_topo vct_pci_topo_sysfs;

/*
 * The BDF a scope names: its start bus and first hop, then through each
 * bridge's secondary bus.  -ENODEV when a bridge on the path does not
 * exist (the scope points nowhere), -EINVAL for a scope that is not PCI.
 */
int vct_dmar_scope_bdf(const struct vct_dmar_scope *s, uint16_t segment,
		       const struct vct_pci_topo *topo, char bdf[VCT_BDF_LEN]);

/*
 * Append to `out` what intel-iommu reserves for PCI device `bdf` (24-bit
 * class code `cls`) from the DMAR: each RMRR with a scope that names it
 * or names a bridge with bdf on a bus below it (intel-iommu's
 * is_downstream_to_pci_bridge), direct or, for a USB (0x0c03xx)
 * or display (0x03xxxx) device, direct-relaxable; and for an ISA bridge
 * (0x0601xx) 0-16 MiB direct-relaxable.  *unresolved counts scopes that
 * name no device (skipped, as the kernel never matches them).  0 or -errno.
 */
int vct_dmar_device_regions(const struct vct_dmar *d, const char *bdf,
			    uint32_t cls, const struct vct_pci_topo *topo,
			    struct vct_resv_list *out, unsigned int *unresolved);

/* An IVRS IVMD block (AMD IOMMU spec 5.2.2.3). */
struct vct_ivmd {
	uint8_t type;		/* 0x20 all peripherals, 0x21 one device, 0x22 a range */
	uint8_t flags;		/* bit 0 unity, 1 IR, 2 IW, 3 exclusion range */
	uint16_t segment;
	uint16_t first, last;	/* devids (bus << 8 | devfn) it applies to */
	uint64_t start, length;
	size_t offset;		/* in the table, for messages */
};

struct vct_ivrs {
	uint32_t ivinfo;
	unsigned int nivhd;
	size_t nivmd;
	struct vct_ivmd *ivmd;
};

/*
 * Parse an IVRS table (the raw bytes of VCT_ACPI_TABLES/IVRS), as
 * vct_dmar_parse() a DMAR: signature, header length within the buffer,
 * checksum, every block's length (its 4-byte header at least, within the
 * table; an IVMD exactly 32), and a type 0x22 range's last devid not
 * below its first.  0, or -EINVAL with err saying "<name>: offset 0x..:
 * what".  Free with vct_ivrs_free().
 */
int vct_ivrs_parse(const char *name, const uint8_t *buf, size_t len,
		   struct vct_ivrs *out, struct vct_err *err);
void vct_ivrs_free(struct vct_ivrs *v);

/*
 * Append to `out` what amd-iommu reserves for PCI device `bdf` from the
 * IVMD blocks (amd/init.c init_memory_definitions, init_unity_map_range;
 * amd/iommu.c amd_iommu_get_resv_regions): each block with the unity or
 * the exclusion flag whose segment is the device's and whose devids
 * (0x20: every device) include bus << 8 | devfn gives [PAGE_ALIGN(start),
 * + PAGE_ALIGN(length)) direct; exclusion ranges too are direct (since
 * Linux 5.2 they are "treated as r/w unity-mapped regions").  A block
 * naming no present device reserves nothing.  0, -EINVAL (a zero-length
 * region, `err` says which block), -ENOMEM.
 */
int vct_ivrs_device_regions(const struct vct_ivrs *v, const char *bdf,
			    struct vct_resv_list *out, struct vct_err *err);

/* ---- ACPI IORT (ARM DEN 0049): RMR nodes, drivers/acpi/arm64/iort.c ---- */

#define VCT_IORT_NODE_ITS	0
#define VCT_IORT_NODE_NC	1	/* named component */
#define VCT_IORT_NODE_RC	2	/* PCI root complex */
#define VCT_IORT_NODE_SMMU	3	/* SMMUv1/v2 */
#define VCT_IORT_NODE_SMMUV3	4
#define VCT_IORT_NODE_PMCG	5
#define VCT_IORT_NODE_RMR	6
#define VCT_IORT_RMR_REMAP_PERMITTED	0x1	/* ACPI_IORT_RMR_REMAP_PERMITTED */
#define VCT_IORT_SMMUV3_HI161X		1	/* ACPI_IORT_SMMU_V3_HISILICON_HI161X */
#define VCT_IORT_ID_SINGLE		0x1	/* ACPI_IORT_ID_SINGLE_MAPPING */

/* An ID mapping (IORT 3.4): IDs [input, input + count] -> output + i. */
struct vct_iort_map {
	uint32_t input, count;	/* count: the number of IDs minus one */
	uint32_t output, ref;	/* ref: offset in the table of the output node */
	uint32_t flags;
};

/* An RMR memory range descriptor (IORT 3.1.1.5 / 3.1.2). */
struct vct_iort_range {
	uint64_t base, length;
};

struct vct_iort_node {
	uint8_t type, revision;
	size_t offset;		/* in the table: what ID mappings name */
	size_t nmaps;
	struct vct_iort_map *maps;
	uint32_t segment;	/* root complex: PCI segment number */
	uint32_t model;		/* SMMUv3: model */
	uint32_t rmr_flags;	/* RMR: flags (bit 0 remapping permitted) */
	size_t nranges;		/* RMR: memory ranges */
	struct vct_iort_range *ranges;
};

struct vct_iort {
	uint8_t revision;	/* the table's: RMRs count from 5 (E.d) on */
	size_t nnodes;
	struct vct_iort_node *nodes;
};

/*
 * Parse an IORT table (the raw bytes of VCT_ACPI_TABLES/IORT): signature,
 * header length within the buffer, checksum, the node array inside the
 * table, every node's 16-byte header and length within the table, its ID
 * mapping array (20 bytes each) within the node and every mapping's output
 * reference naming a node's start, a root complex's and an SMMUv3's data
 * within the node, and an RMR node's data and memory range array (20 bytes
 * each) within the node.  0, or -EINVAL with err saying "<name>: offset
 * 0x..: what"; -ENOMEM.  Free with vct_iort_free().
 */
int vct_iort_parse(const char *name, const uint8_t *buf, size_t len,
		   struct vct_iort *out, struct vct_err *err);
void vct_iort_free(struct vct_iort *t);

/*
 * Append to `out` what the kernel reserves for PCI device `bdf` from the
 * IORT's RMR nodes (iort_iommu_rmr_get_resv_regions, Linux 6.0+): the
 * device's stream ID is its requester ID (bus << 8 | devfn) mapped
 * through the ID mappings of the root complex node of its segment until
 * an SMMU node (iort_node_map_id, with its single-mapping rule and its
 * off-by-one workaround); each RMR node with an ID mapping to that SMMU
 * whose output range [output, output + count] holds that stream ID
 * covers the device (iort_rmr_has_dev), and gives each of its memory
 * ranges as a region: direct-relaxable when its flags permit remapping,
 * else direct; a range whose base or length is not 64 KiB aligned is
 * widened to `page` (iort_rmr_alloc: base & PAGE_MASK, PAGE_ALIGN(length
 * + offset in page)).  Only tables of revision 5 (E.d) and later have
 * RMRs the kernel reads (iort_find_rmrs); RMR nodes without ID mappings
 * or ranges are skipped as the kernel skips them.  The kernel honours an
 * RMR for a PCI device only when its host bridge has preserve_config
 * (firmware's _DSM "preserve boot configuration"): `preserve` says
 * whether it has; without it a covering RMR gives nothing, but is
 * counted all the same in *covered (RMR nodes covering the device).
 * *smmu_model, when not NULL, gets the model of the device's SMMUv3
 * node (-1 for none or an SMMUv1/v2).  0; -EINVAL for a range that is
 * empty or wraps, or a mapping walk that does not end (`err` says
 * where); -ENOMEM.
 */
int vct_iort_device_regions(const struct vct_iort *t, const char *bdf, bool preserve,
			    uint64_t page, struct vct_resv_list *out, unsigned int *covered,
			    int *smmu_model, struct vct_err *err);

/* Where the kernel shows the device tree it booted with. */
#define VCT_DT_BASE "/sys/firmware/devicetree/base"

/*
 * Append to `out` what of_iommu_get_resv_regions() (drivers/iommu/of_iommu.c,
 * Linux 6.3+) reserves for PCI device `bdf` from the device tree at `root`
 * (a directory shaped as VCT_DT_BASE: a directory per node, a file of
 * big-endian cells per property).  The device's node is the child of its
 * PCI host bridge (a top-level node of device_type "pci", domain
 * linux,pci-domain or 0, root bus bus-range[0] or 0) whose reg phys.hi
 * bits 15:8 are its devfn (of_pci_find_child_device); each of its
 * memory-region phandles names a node whose iommu-addresses entries
 * <&dev ADDRESS SIZE> that name the device (address and size in the
 * host bridge's #address-cells/#size-cells, of_translate_dma_region) give
 * a region: `reserved` without a `reg`, `direct` when `reg` is exactly
 * that range (iommu_resv_region_get_type), else `reserved`.  A device
 * without a node gets nothing.  0; -ENOENT when a dma-ranges or a
 * non-empty ranges property would translate the addresses (not derived
 * here, `err` says where); -EINVAL for a malformed tree (a phandle naming
 * no node, a property not a whole number of cells, an entry shorter than
 * its cells; `err` names the node and property).  -ENOMEM.
 */
int vct_dt_device_regions(const char *root, const char *bdf,
			  struct vct_resv_list *out, struct vct_err *err);

/*
 * Sort a region list as the kernel keeps it (by start, then type) and
 * merge overlapping or touching regions of the same type, as
 * iommu_insert_resv_region() does.
 */
void vct_resv_normalize(struct vct_resv_list *l);

/*
 * What IOMMU group `group` must reserve, from the platform (see above):
 * 0 with `out` normalized; -ENOENT when this IOMMU's regions are not
 * derivable here (`how` says why: a SKIP); -EINVAL for a malformed
 * firmware table (`how` says where).  `how` says what it was derived from.
 */
int __vct_platform_group_resv(unsigned int group, struct vct_resv_list *out,
			      char *how, size_t how_len);

#endif /* VCT_PLATFORM_H */
