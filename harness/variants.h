/* SPDX-License-Identifier: GPL-2.0 */
/*
 * variants.h - the IOMMU backends (and the kernel DMA API's two domain
 * modes) as kselftest FIXTURE_VARIANTs.
 *
 * VCT_BACKEND_VARIANTS(fixture) declares the fixture's variant type, with a
 * `backend` member, and one variant per backend, named as
 * vct_backend_name() names it (the kernel VFIO selftests' IOMMU modes):
 * type1, type1v2, iommufd_compat_type1, iommufd_compat_type1v2, iommufd.
 * Every mapping-level suite uses it, so a backend added here runs in all
 * of them, and a kernel without it SKIPs through VCT_IOMMU_SETUP_OR_SKIP
 * (no /dev/iommu: "kernel built without CONFIG_IOMMUFD").
 *
 * VCT_CONTAINER_VARIANTS(fixture): type1 and type1v2 only, for suites that
 * speak the VFIO container's own uapi to test VFIO's container code
 * (suites/group, suites/abifuzz).
 *
 * VCT_DMA_MODE_VARIANTS(fixture): the kernel's own DMA API domain in its
 * two invalidation modes, for suites that time the kernel's DMA mapping
 * (suites/stress dmabench, kdma): strict and lazy, each with the type to
 * write to /sys/kernel/iommu_groups/N/type.
 *
 * Include after test.h.
 */
#ifndef VCT_VARIANTS_H
#define VCT_VARIANTS_H

#include "iommu.h"

#define VCT_CONTAINER_VARIANTS(fixture) \
	FIXTURE_VARIANT(fixture) { \
		enum vct_backend backend; \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1) { \
		.backend = VCT_BACKEND_TYPE1, \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1v2) { \
		.backend = VCT_BACKEND_TYPE1v2, \
	}

#define VCT_BACKEND_VARIANTS(fixture) \
	VCT_CONTAINER_VARIANTS(fixture); \
	FIXTURE_VARIANT_ADD(fixture, iommufd_compat_type1) { \
		.backend = VCT_BACKEND_IOMMUFD_COMPAT_TYPE1, \
	}; \
	FIXTURE_VARIANT_ADD(fixture, iommufd_compat_type1v2) { \
		.backend = VCT_BACKEND_IOMMUFD_COMPAT_TYPE1v2, \
	}; \
	FIXTURE_VARIANT_ADD(fixture, iommufd) { \
		.backend = VCT_BACKEND_IOMMUFD, \
	}

/*
 * `type`: the group type iommu_group_store_type() takes for the mode
 * ("DMA": IOMMU_DOMAIN_DMA, an IOTLB flush per unmap; "DMA-FQ":
 * IOMMU_DOMAIN_DMA_FQ, unmaps queued and flushed in batches); `mode`: the
 * name results and messages use.
 */
#define VCT_DMA_MODE_VARIANTS(fixture) \
	FIXTURE_VARIANT(fixture) { \
		const char *type; \
		const char *mode; \
	}; \
	FIXTURE_VARIANT_ADD(fixture, strict) { \
		.type = "DMA", \
		.mode = "strict", \
	}; \
	FIXTURE_VARIANT_ADD(fixture, lazy) { \
		.type = "DMA-FQ", \
		.mode = "lazy", \
	}

/*
 * VCT_BACKEND_ENGINE_VARIANTS(fixture): every backend with every DMA engine
 * (dma.h driver names).  The edu variants keep the backend's bare name
 * (type1, iommufd); every other engine's append its name (type1_nvme).
 * `window` numbers the variants, so that a suite can give each an IOVA
 * range of its own.
 */
#define VCT_BE_VARIANT(fixture, name, be, eng, win) \
	FIXTURE_VARIANT_ADD(fixture, name) { \
		.backend = be, .engine = eng, .window = win, \
	}

#define VCT_BACKEND_ENGINE_VARIANTS(fixture) \
	FIXTURE_VARIANT(fixture) { \
		enum vct_backend backend; \
		const char *engine; \
		unsigned int window; \
	}; \
	VCT_BE_VARIANT(fixture, type1, VCT_BACKEND_TYPE1, "edu", 0); \
	VCT_BE_VARIANT(fixture, type1v2, VCT_BACKEND_TYPE1v2, "edu", 1); \
	VCT_BE_VARIANT(fixture, type1_nvme, VCT_BACKEND_TYPE1, "nvme", 2); \
	VCT_BE_VARIANT(fixture, type1v2_nvme, VCT_BACKEND_TYPE1v2, "nvme", 3); \
	VCT_BE_VARIANT(fixture, iommufd_compat_type1, \
		       VCT_BACKEND_IOMMUFD_COMPAT_TYPE1, "edu", 4); \
	VCT_BE_VARIANT(fixture, iommufd_compat_type1v2, \
		       VCT_BACKEND_IOMMUFD_COMPAT_TYPE1v2, "edu", 5); \
	VCT_BE_VARIANT(fixture, iommufd, VCT_BACKEND_IOMMUFD, "edu", 6); \
	VCT_BE_VARIANT(fixture, iommufd_compat_type1_nvme, \
		       VCT_BACKEND_IOMMUFD_COMPAT_TYPE1, "nvme", 7); \
	VCT_BE_VARIANT(fixture, iommufd_compat_type1v2_nvme, \
		       VCT_BACKEND_IOMMUFD_COMPAT_TYPE1v2, "nvme", 8); \
	VCT_BE_VARIANT(fixture, iommufd_nvme, VCT_BACKEND_IOMMUFD, "nvme", 9); \
	VCT_BE_VARIANT(fixture, type1_igb, VCT_BACKEND_TYPE1, "igb", 10); \
	VCT_BE_VARIANT(fixture, type1v2_igb, VCT_BACKEND_TYPE1v2, "igb", 11); \
	VCT_BE_VARIANT(fixture, iommufd_compat_type1_igb, \
		       VCT_BACKEND_IOMMUFD_COMPAT_TYPE1, "igb", 12); \
	VCT_BE_VARIANT(fixture, iommufd_compat_type1v2_igb, \
		       VCT_BACKEND_IOMMUFD_COMPAT_TYPE1v2, "igb", 13); \
	VCT_BE_VARIANT(fixture, iommufd_igb, VCT_BACKEND_IOMMUFD, "igb", 14)

#endif /* VCT_VARIANTS_H */
