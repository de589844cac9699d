/* SPDX-License-Identifier: GPL-2.0 */
/*
 * variants.h - the IOMMU backends as kselftest FIXTURE_VARIANTs.
 *
 * VCT_BACKEND_VARIANTS(fixture) declares the fixture's variant type, with a
 * `backend` member, and one variant per backend, named as
 * vct_backend_name() names it.  Every mapping-level suite uses it, so a
 * backend added here (iommufd compat, native iommufd) runs in all of them,
 * and a kernel without it SKIPs through VCT_IOMMU_SETUP_OR_SKIP.
 *
 * Include after test.h.
 */
#ifndef VCT_VARIANTS_H
#define VCT_VARIANTS_H

#include "iommu.h"

#define VCT_BACKEND_VARIANTS(fixture) \
	FIXTURE_VARIANT(fixture) { \
		enum vct_backend backend; \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1) { \
		.backend = VCT_BACKEND_TYPE1, \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1v2) { \
		.backend = VCT_BACKEND_TYPE1v2, \
	}

/*
 * VCT_BACKEND_ENGINE_VARIANTS(fixture): every backend with every DMA engine
 * (dma.h driver names).  The edu variants keep the backend's bare name
 * (type1, type1v2); every other engine's append its name (type1_nvme).
 * `window` numbers the variants, so that a suite can give each an IOVA
 * range of its own (the edu variants' equal the backend's value).
 */
#define VCT_BACKEND_ENGINE_VARIANTS(fixture) \
	FIXTURE_VARIANT(fixture) { \
		enum vct_backend backend; \
		const char *engine; \
		unsigned int window; \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1) { \
		.backend = VCT_BACKEND_TYPE1, .engine = "edu", .window = 0, \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1v2) { \
		.backend = VCT_BACKEND_TYPE1v2, .engine = "edu", .window = 1, \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1_nvme) { \
		.backend = VCT_BACKEND_TYPE1, .engine = "nvme", .window = 2, \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1v2_nvme) { \
		.backend = VCT_BACKEND_TYPE1v2, .engine = "nvme", .window = 3, \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1_igb) { \
		.backend = VCT_BACKEND_TYPE1, .engine = "igb", .window = 4, \
	}; \
	FIXTURE_VARIANT_ADD(fixture, type1v2_igb) { \
		.backend = VCT_BACKEND_TYPE1v2, .engine = "igb", .window = 5, \
	}

#endif /* VCT_VARIANTS_H */
