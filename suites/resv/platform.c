// SPDX-License-Identifier: GPL-2.0
/*
 * resv_platform: what each IOMMU group must reserve, derived from what the
 * platform itself reports (harness/platform.h: the IOMMU kind's fixed
 * windows, the ACPI DMAR table's RMRRs and their device scopes, the IVRS
 * table's IVMD blocks, the device tree's iommu-addresses), against
 * what the kernel shows in /sys/kernel/iommu_groups/<N>/reserved_regions:
 * exactly the same regions, group by group.  This is what a local host
 * without a profile's expect_resv is checked against.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "pcidev.h"
#include "platform.h"
#include "resv.h"
#include "util.h"

FIXTURE(resv_platform) {
	unsigned int *ids;
	size_t n;
};

FIXTURE_SETUP(resv_platform)
{
	vct_mark_test(_metadata, variant);
	VCT_RESV_GROUPS_OR_SKIP(&self->ids, &self->n);
}

FIXTURE_TEARDOWN(resv_platform)
{
	free(self->ids);
}

static void regions_log(struct __test_metadata *_metadata, const char *what,
			const struct vct_resv_list *l)
{
	size_t i;

	TH_LOG("  %s: %zu region(s)", what, l->n);
	for (i = 0; i < l->n; i++)
		TH_LOG("    0x%016llx 0x%016llx %s", (unsigned long long)l->v[i].start,
		       (unsigned long long)l->v[i].end, vct_resv_type_name(l->v[i].type));
}

/*
 * The DMAR table (VT-d hosts) parses: signature, length, checksum and
 * every structure's length hold.  Its bytes are logged in hex (32 per
 * line) so that a run's TAP carries the platform's table (fixtures/acpi/).
 */
TEST_F(resv_platform, dmar_table_parses)
{
	struct vct_err err = { "" };
	struct vct_dmar d;
	uint8_t buf[65536];
	size_t len, i;
	FILE *f = fopen(VCT_ACPI_TABLES "/DMAR", "re");
	int ret;

	if (!f)
		SKIP(return, VCT_ACPI_TABLES "/DMAR: %s (no Intel VT-d ACPI table)",
		     strerror(errno));
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (i = 0; i < len; i += 32) {
		char hex[65] = "";
		size_t j;

		for (j = 0; j < 32 && i + j < len; j++)
			snprintf(hex + 2 * j, 3, "%02x", buf[i + j]);
		TH_LOG("DMAR %04zx: %s", i, hex);
	}
	ret = vct_dmar_parse(VCT_ACPI_TABLES "/DMAR", buf, len, &d, &err);
	ASSERT_EQ(0, ret) TH_LOG("%s", err.msg);
	TH_LOG("DMAR: host address width %u, flags %#x, %u DRHD, %zu RMRR", d.haw,
	       d.flags, d.ndrhd, d.nrmrr);
	EXPECT_LE(1, d.ndrhd) TH_LOG("a DMAR without any DRHD describes no remapping unit");
	vct_dmar_free(&d);
}

/*
 * Every group's reserved_regions hold exactly what the platform says the
 * group's IOMMU and devices reserve (and nothing more).
 */
TEST_F(resv_platform, every_group_reserves_what_the_platform_reports)
{
	char how[512] = "", skip[512] = "";
	size_t i, checked = 0;

	for (i = 0; i < self->n; i++) {
		struct vct_resv_list want, got;
		struct vct_err err = { "" };
		int ret = __vct_platform_group_resv(self->ids[i], &want, how, sizeof(how));
		bool eq;

		if (ret == -ENOENT) {
			snprintf(skip, sizeof(skip), "group %u: %s", self->ids[i], how);
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("group %u: %s", self->ids[i], how);
		ret = vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, self->ids[i],
					  vct_page_size(), &got, &err);
		ASSERT_EQ(0, ret) TH_LOG("group %u: %s", self->ids[i], err.msg);
		eq = vct_resv_equal(&want, &got);
		if (!eq) {
			regions_log(_metadata, "sysfs", &got);
			regions_log(_metadata, "platform", &want);
		}
		EXPECT_TRUE(eq) TH_LOG("group %u: sysfs and the platform (%s) differ (above)",
				       self->ids[i], how);
		checked++;
		vct_resv_free(&want);
		vct_resv_free(&got);
	}
	if (!checked)
		SKIP(return, "no group's reservations derivable: %s", skip);
	TH_LOG("%zu of %zu groups checked (%s)", checked, self->n, how);
}

VCT_HARNESS_MAIN
