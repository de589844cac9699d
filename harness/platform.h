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

#include "range.h"
#include "resv.h"

/*
 * Parse $VCT_EXPECT_RESV into a list (line = position in the list, 1-based).
 * 0, -ENOENT when unset (a SKIP), -EINVAL when malformed (err says where).
 * Free with vct_resv_free().
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
 * an unmanaged second-stage domain), else from the profile
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

#endif /* VCT_PLATFORM_H */
