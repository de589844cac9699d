// SPDX-License-Identifier: GPL-2.0
/*
 * resv_sysfs: what the kernel says about reserved IOVA regions in
 * /sys/kernel/iommu_groups/<N>/reserved_regions, checked against the
 * kernel's own format guarantees, the host profile and the boot log.
 * No VFIO involved: these hold for every group, bound or not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#include "pcidev.h"
#include "platform.h"
#include "resv.h"
#include "util.h"

FIXTURE(resv_sysfs) {
	unsigned int *ids;
	size_t n;
};

FIXTURE_SETUP(resv_sysfs)
{
	vct_mark_test(_metadata, variant);
	VCT_RESV_GROUPS_OR_SKIP(&self->ids, &self->n);
}

FIXTURE_TEARDOWN(resv_sysfs)
{
	free(self->ids);
}

/* Parse group `id`'s file; a failure is reported and returns false. */
static bool read_group(struct __test_metadata *_metadata, unsigned int id,
		       struct vct_resv_list *l)
{
	struct vct_err err = { "" };
	int ret = vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, id,
				      vct_page_size(), l, &err);

	EXPECT_EQ(0, ret) TH_LOG("group %u: %s", id, err.msg);
	return ret == 0;
}

TEST_F(resv_sysfs, every_group_lists_reserved_regions)
{
	char path[128];
	size_t i;

	for (i = 0; i < self->n; i++) {
		snprintf(path, sizeof(path), VCT_SYSFS_IOMMU_GROUPS "/%u/reserved_regions",
			 self->ids[i]);
		EXPECT_EQ(0, access(path, R_OK)) TH_LOG("%s: %s", path, strerror(errno));
	}
}

/* Every line is "0x%016llx 0x%016llx <known type>\n" with start <= end. */
TEST_F(resv_sysfs, reserved_regions_parse_strictly)
{
	struct vct_resv_list l;
	size_t i;

	for (i = 0; i < self->n; i++)
		if (read_group(_metadata, self->ids[i], &l))
			vct_resv_free(&l);
}

/* Sorted by start, page aligned, no overlap within one type. */
TEST_F(resv_sysfs, reserved_regions_sorted_aligned_disjoint_per_type)
{
	struct vct_err err = { "" };
	struct vct_resv_list l;
	size_t i;

	for (i = 0; i < self->n; i++) {
		if (!read_group(_metadata, self->ids[i], &l))
			continue;
		EXPECT_EQ(0, vct_resv_validate(&l, vct_page_size(), &err))
			TH_LOG("group %u: %s", self->ids[i], err.msg);
		vct_resv_free(&l);
	}
}

static bool has_region(const struct vct_resv_list *l,
		       const struct vct_resv_region *want)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].start == want->start && l->v[i].end == want->end &&
		    l->v[i].type == want->type)
			return true;
	return false;
}

/*
 * What the platform reserves everywhere (x86: the interrupt/MSI window;
 * arm64 with a software MSI window: that window) is in every group, exactly.
 */
TEST_F(resv_sysfs, every_group_holds_profile_reservations)
{
	struct vct_resv_list want, l;
	struct vct_err err = { "" };
	size_t i, j;
	int ret;

	ret = __vct_expected_resv(&want, &err);
	if (ret == -ENOENT)
		SKIP(return, "the host profile does not say what the platform reserves (VCT_EXPECT_RESV unset)");
	ASSERT_EQ(0, ret) TH_LOG("%s", err.msg);
	for (i = 0; i < self->n; i++) {
		if (!read_group(_metadata, self->ids[i], &l))
			continue;
		for (j = 0; j < want.n; j++) {
			EXPECT_TRUE(has_region(&l, &want.v[j]))
				TH_LOG("group %u lacks the profile's %s region [0x%llx-0x%llx]",
				       self->ids[i], vct_resv_type_name(want.v[j].type),
				       (unsigned long long)want.v[j].start,
				       (unsigned long long)want.v[j].end);
		}
		vct_resv_free(&l);
	}
	vct_resv_free(&want);
}

/*
 * Reservations are per group (shared/seeds, 2016): where the profile gives
 * single devices regions of their own (VCT_EXPECT_RESV_DEV, written into
 * the guest's device tree from profile key dt_resv), every group holds
 * exactly the platform's common regions (VCT_EXPECT_RESV) plus those of its
 * own devices - a group of devices the profile names nothing for holds
 * nothing more.  Linux reads device-tree reservations from 6.3 on
 * (a5bf3cfce8cb "iommu: Implement of_iommu_get_resv_regions()").
 */
TEST_F(resv_sysfs, groups_hold_exactly_profile_and_device_reservations)
{
	struct vct_resv_list common, l, mine;
	struct vct_err err = { "" };
	char bdfs[32][VCT_BDF_LEN];
	struct vct_kver kv;
	size_t i, j, k, own;
	int ret, nd, d;

	if (!vct_profile_has_resv_dev())
		SKIP(return, "the host profile gives no device reservations of its own (VCT_EXPECT_RESV_DEV unset)");
	ASSERT_EQ(0, __vct_kernel_version(&kv));
	if (vct_kver_cmp(&kv, 6, 3) < 0)
		SKIP(return, "Linux %u.%u reads no IOMMU reservations from the device tree (of_iommu_get_resv_regions() is 6.3+)",
		     kv.major, kv.minor);
	ret = __vct_expected_resv(&common, &err);
	if (ret == -ENOENT)
		memset(&common, 0, sizeof(common));
	else
		ASSERT_EQ(0, ret) TH_LOG("%s", err.msg);
	for (i = 0; i < self->n; i++) {
		if (!read_group(_metadata, self->ids[i], &l))
			continue;
		nd = __vct_group_devices(self->ids[i], bdfs, VCT_ARRAY_SIZE(bdfs));
		ASSERT_LE(0, nd);
		own = 0;
		for (d = 0; d < nd; d++) {
			ASSERT_EQ(0, __vct_expected_resv_dev(bdfs[d], &mine, &err))
				TH_LOG("%s", err.msg);
			for (k = 0; k < mine.n; k++) {
				own++;
				EXPECT_TRUE(has_region(&l, &mine.v[k]))
					TH_LOG("group %u: %s's %s region [0x%llx-0x%llx] (profile) is not listed",
					       self->ids[i], bdfs[d],
					       vct_resv_type_name(mine.v[k].type),
					       (unsigned long long)mine.v[k].start,
					       (unsigned long long)mine.v[k].end);
			}
			vct_resv_free(&mine);
		}
		/* Nothing beyond the common regions and the devices' own. */
		for (j = 0; j < l.n; j++) {
			bool known = has_region(&common, &l.v[j]);

			for (d = 0; d < nd && !known; d++) {
				ASSERT_EQ(0, __vct_expected_resv_dev(bdfs[d], &mine, &err));
				known = has_region(&mine, &l.v[j]);
				vct_resv_free(&mine);
			}
			EXPECT_TRUE(known)
				TH_LOG("group %u (%d device(s), %zu own region(s) in the profile) lists %s [0x%llx-0x%llx], which the profile gives neither the platform nor its devices",
				       self->ids[i], nd, own, vct_resv_type_name(l.v[j].type),
				       (unsigned long long)l.v[j].start,
				       (unsigned long long)l.v[j].end);
		}
		vct_resv_free(&l);
	}
	vct_resv_free(&common);
}

/* RMRRs Intel's DMAR code printed at boot ("DMAR: RMRR base: ... end: ..."). */
struct rmrrs {
	bool reported;	/* an RMRR line or "No RMRR found" was seen */
	struct vct_ranges r;
};

static int boot_log_rmrrs(struct rmrrs *out)
{
	char *log, *line, *save = NULL;
	int ret = __vct_kmsg_read(&log);

	memset(out, 0, sizeof(*out));
	if (ret < 0)
		return ret;
	ret = 0;
	for (line = strtok_r(log, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long base, end;
		const char *p = strstr(line, "DMAR: RMRR base: ");

		if (strstr(line, "DMAR: No RMRR found"))
			out->reported = true;
		if (p && sscanf(p, "DMAR: RMRR base: %llx end: %llx", &base,
				&end) == 2) {
			out->reported = true;
			ret = vct_ranges_add(&out->r, base, end);
		}
	}
	free(log);
	return ret;
}

static bool is_rmrr(const struct rmrrs *rmrrs, const struct vct_resv_region *r)
{
	size_t i;

	for (i = 0; i < rmrrs->r.n; i++)
		if (rmrrs->r.v[i].start == r->start && rmrrs->r.v[i].last == r->end)
			return true;
	return false;
}

/* Does group `id` hold an ISA bridge (PCI class 0x0601)? */
static bool group_has_isa_bridge(unsigned int id)
{
	char bdfs[32][VCT_BDF_LEN];
	struct vct_pcidev d;
	int i, n = __vct_group_devices(id, bdfs, 32);

	for (i = 0; i < n; i++)
		if (!__vct_pci_find_by_bdf(bdfs[i], &d) && d.class_id == 0x0601)
			return true;
	return false;
}

/*
 * On Intel VT-d a direct (1:1) region comes from a firmware RMRR, which the
 * kernel prints at boot; direct-relaxable ones too (RMRRs of USB and
 * graphics devices), plus the 0-16 MiB floppy window intel-iommu gives an
 * ISA bridge (CONFIG_INTEL_IOMMU_FLOPPY_WA).  So every such region in sysfs
 * must be explained by the boot log.  The msi region cannot be
 * cross-checked this way: neither x86 (the fixed 0xfee00000 interrupt
 * window) nor arm64 (the software MSI window) prints it at boot.
 */
TEST_F(resv_sysfs, direct_regions_match_boot_log_rmrrs)
{
	const uint64_t floppy_last = (1ull << 24) - 1;
	struct vct_resv_list l;
	struct rmrrs rmrrs;
	size_t i, j, direct = 0;

	ASSERT_EQ(0, boot_log_rmrrs(&rmrrs));
	if (!rmrrs.reported)
		SKIP(return, "the kernel log holds no DMAR RMRR report (not Intel VT-d, or the boot messages rotated out); msi regions are never printed at boot");
	for (i = 0; i < self->n; i++) {
		if (!read_group(_metadata, self->ids[i], &l))
			continue;
		for (j = 0; j < l.n; j++) {
			const struct vct_resv_region *r = &l.v[j];
			bool floppy, rmrr;

			if (r->type != VCT_RESV_DIRECT &&
			    r->type != VCT_RESV_DIRECT_RELAXABLE)
				continue;
			direct++;
			TH_LOG("group %u: %s [0x%llx-0x%llx]", self->ids[i],
			       vct_resv_type_name(r->type),
			       (unsigned long long)r->start,
			       (unsigned long long)r->end);
			rmrr = is_rmrr(&rmrrs, r);
			floppy = r->type == VCT_RESV_DIRECT_RELAXABLE &&
				 r->start == 0 && r->end == floppy_last &&
				 group_has_isa_bridge(self->ids[i]);
			EXPECT_TRUE(rmrr || floppy)
				TH_LOG("group %u: %s region [0x%llx-0x%llx] matches no RMRR printed at boot%s",
				       self->ids[i], vct_resv_type_name(r->type),
				       (unsigned long long)r->start,
				       (unsigned long long)r->end,
				       rmrrs.r.n ? "" : " (\"DMAR: No RMRR found\")");
		}
		vct_resv_free(&l);
	}
	TH_LOG("%zu RMRR(s) at boot, %zu direct/direct-relaxable region(s) in groups",
	       rmrrs.r.n, direct);
	vct_ranges_free(&rmrrs.r);
}

VCT_HARNESS_MAIN
