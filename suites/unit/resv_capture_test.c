// SPDX-License-Identifier: GPL-2.0
/*
 * resv_capture_test - the captured reserved_regions trees of
 * fixtures/sysfs/<platform>/ read through harness/resv.c, checked against
 * what each capture's `expect` file says the kernel will report: every group
 * parses and holds the kernel's guarantees, and the aperture minus the
 * group's non-relaxable reservations is exactly the IOVA_RANGE type1 gives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "resv.h"
#include "test.h"

#define MAX_GROUPS	64

/* The parts of an `expect` file the checks use. */
struct expect {
	uint64_t page_size, ap_start, ap_last;
	unsigned int groups[MAX_GROUPS];
	struct vct_ranges iova[MAX_GROUPS];
	size_t n;
};

/* "iova G S L [S L]...": append group G with its ranges. */
static int expect_iova(struct expect *e, char *args)
{
	unsigned long long s, l;
	char *p = args;
	int used;

	if (e->n == MAX_GROUPS || sscanf(p, "%u%n", &e->groups[e->n], &used) != 1)
		return -EINVAL;
	for (p += used; sscanf(p, "%llx %llx%n", &s, &l, &used) == 2; p += used)
		if (vct_ranges_add(&e->iova[e->n], s, l))
			return -EINVAL;
	e->n++;
	return 0;
}

static int expect_read(const char *path, struct expect *e)
{
	char line[512], key[32];
	unsigned long long a, b;
	int used, ret = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || sscanf(line, "%31s%n", key, &used) != 1)
			continue;
		if (!strcmp(key, "page_size") && sscanf(line + used, "%llx", &a) == 1)
			e->page_size = a;
		else if (!strcmp(key, "aperture") &&
			 sscanf(line + used, "%llx %llx", &a, &b) == 2) {
			e->ap_start = a;
			e->ap_last = b;
		} else if (!strcmp(key, "iova"))
			ret = expect_iova(e, line + used);
		else if (strcmp(key, "group"))
			ret = -EINVAL;
	}
	fclose(f);
	return ret;
}

FIXTURE(resv_capture) {
	char root[256];
	struct expect e;
	struct vct_resv_list l;
	struct vct_ranges resv, usable;
	struct vct_err err;
};

FIXTURE_VARIANT(resv_capture) {
	const char *platform;
};

FIXTURE_VARIANT_ADD(resv_capture, x86_64_vtd) {
	.platform = "x86_64-vtd",
};

FIXTURE_VARIANT_ADD(resv_capture, arm64_smmuv3) {
	.platform = "arm64-smmuv3",
};

FIXTURE_SETUP(resv_capture)
{
	char path[300];

	vct_mark_test(_metadata, variant);
	memset(self, 0, sizeof(*self));
	snprintf(self->root, sizeof(self->root), "%s/sysfs/%s/iommu_groups",
		 VCT_FIXTURES, variant->platform);
	snprintf(path, sizeof(path), "%s/sysfs/%s/expect", VCT_FIXTURES,
		 variant->platform);
	ASSERT_EQ(0, expect_read(path, &self->e)) TH_LOG("cannot read %s", path);
	ASSERT_NE(0, self->e.n);
	ASSERT_NE(0, self->e.page_size);
}

FIXTURE_TEARDOWN(resv_capture)
{
	size_t i;

	for (i = 0; i < MAX_GROUPS; i++)
		vct_ranges_free(&self->e.iova[i]);
	vct_resv_free(&self->l);
	vct_ranges_free(&self->resv);
	vct_ranges_free(&self->usable);
}

/* Parse the i-th expected group into self->l (sysfs attributes: one page). */
#define READ_GROUP(i) do { \
	vct_resv_free(&self->l); \
	ASSERT_EQ(0, vct_resv_read_group(self->root, self->e.groups[i], 4096, \
					 &self->l, &self->err)) \
		TH_LOG("%s", self->err.msg); \
} while (0)

TEST_F(resv_capture, group_ids_match_expectation)
{
	unsigned int *ids;
	size_t i, n;

	ASSERT_EQ(0, vct_resv_group_ids(self->root, &ids, &n));
	EXPECT_EQ(self->e.n, n);
	for (i = 0; i < n && i < self->e.n; i++) {
		EXPECT_EQ(self->e.groups[i], ids[i]);
	}
	free(ids);
}

TEST_F(resv_capture, every_group_parses_and_holds_kernel_guarantees)
{
	size_t i;

	for (i = 0; i < self->e.n; i++) {
		READ_GROUP(i);
		ASSERT_NE(0, self->l.n) TH_LOG("group %u reserves nothing", self->e.groups[i]);
		ASSERT_EQ(0, vct_resv_validate(&self->l, self->e.page_size, &self->err))
			TH_LOG("%s", self->err.msg);
	}
}

/* type1's IOVA_RANGE: aperture minus every region but direct-relaxable ones. */
TEST_F(resv_capture, aperture_minus_reserved_is_the_expected_iova_range)
{
	const unsigned int mask = VCT_RESV_MASK_ALL &
				  ~VCT_RESV_MASK(VCT_RESV_DIRECT_RELAXABLE);
	char got[256], want[256];
	size_t i;

	for (i = 0; i < self->e.n; i++) {
		READ_GROUP(i);
		ASSERT_EQ(0, vct_resv_to_ranges(&self->l, mask, &self->resv));
		ASSERT_EQ(0, vct_ranges_complement(&self->resv, self->e.ap_start,
						   self->e.ap_last, &self->usable));
		vct_ranges_format(&self->usable, got, sizeof(got));
		vct_ranges_format(&self->e.iova[i], want, sizeof(want));
		EXPECT_TRUE(vct_ranges_equal(&self->usable, &self->e.iova[i]))
			TH_LOG("group %u: %s, expected %s", self->e.groups[i], got, want);
	}
}

VCT_HARNESS_MAIN
