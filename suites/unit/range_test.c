// SPDX-License-Identifier: GPL-2.0
/*
 * range_test - the set algebra of harness/range.c, offline.
 *
 * Exact expectations for the shapes the suite meets (an aperture split by
 * an MSI window, ranges touching UINT64_MAX), then a model check of every
 * operation against 64-bit masks on random sets, at the bottom and at the
 * top of the address space.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "range.h"
#include "test.h"

#define MAX64	UINT64_MAX
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Exactly `want` (so merged, since every want below is), else say what came. */
static bool ranges_are(const struct vct_ranges *got, const struct vct_range *want,
		       size_t n, char *msg, size_t len)
{
	const struct vct_ranges w = { (struct vct_range *)want, n, n };
	char g[400], e[400];
	size_t i;
	bool ok = got->n == n;

	for (i = 0; ok && i < n; i++)
		ok = got->v[i].start == want[i].start && got->v[i].last == want[i].last;
	vct_ranges_format(got, g, sizeof(g));
	vct_ranges_format(&w, e, sizeof(e));
	snprintf(msg, len, "got %s, expected %s", g, e);
	return ok;
}

#define EXPECT_RANGES(got, ...) do { \
	static const struct vct_range want_[] = { __VA_ARGS__ }; \
	char msg_[1024]; \
	EXPECT_TRUE(ranges_are(got, want_, NELEM(want_), msg_, sizeof(msg_))) \
		TH_LOG("%s", msg_); \
} while (0)

static void fill(struct __test_metadata *_metadata, struct vct_ranges *r,
		 const struct vct_range *v, size_t n)
{
	size_t i;

	vct_ranges_clear(r);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, vct_ranges_add(r, v[i].start, v[i].last));
	}
}

#define FILL(r, ...) do { \
	static const struct vct_range v_[] = { __VA_ARGS__ }; \
	fill(_metadata, r, v_, NELEM(v_)); \
} while (0)

FIXTURE(range) {
	struct vct_ranges a, b, out;
};

FIXTURE_SETUP(range)
{
	vct_mark_test(_metadata, variant);
	memset(self, 0, sizeof(*self));
}

FIXTURE_TEARDOWN(range)
{
	vct_ranges_free(&self->a);
	vct_ranges_free(&self->b);
	vct_ranges_free(&self->out);
}

TEST_F(range, add_rejects_start_above_end)
{
	ASSERT_EQ(-EINVAL, vct_ranges_add(&self->a, 2, 1));
	ASSERT_EQ(0, self->a.n);
}

TEST_F(range, add_accepts_whole_64bit_space)
{
	ASSERT_EQ(0, vct_ranges_add(&self->a, 0, MAX64));
	EXPECT_RANGES(&self->a, { 0, MAX64 });
	EXPECT_EQ(MAX64, vct_ranges_size(&self->a));
}

TEST_F(range, merge_coalesces_overlapping_and_adjacent)
{
	FILL(&self->a, { 30, 40 }, { 0, 9 }, { 10, 19 }, { 35, 50 }, { 5, 7 });
	vct_ranges_merge(&self->a);
	EXPECT_RANGES(&self->a, { 0, 19 }, { 30, 50 });
}

TEST_F(range, merge_keeps_a_one_address_gap)
{
	FILL(&self->a, { 11, 20 }, { 0, 9 });
	vct_ranges_merge(&self->a);
	EXPECT_RANGES(&self->a, { 0, 9 }, { 11, 20 });
}

TEST_F(range, merge_does_not_wrap_at_uint64_max)
{
	/* last + 1 of the top range wraps to 0: must not count as adjacent. */
	FILL(&self->a, { MAX64 - 0xfff, MAX64 }, { 0, 0xfff });
	vct_ranges_merge(&self->a);
	EXPECT_RANGES(&self->a, { 0, 0xfff }, { MAX64 - 0xfff, MAX64 });
}

TEST_F(range, merge_absorbs_contained_and_duplicate_ranges)
{
	FILL(&self->a, { 0, 100 }, { 10, 20 }, { 0, 100 }, { 100, 100 });
	vct_ranges_merge(&self->a);
	EXPECT_RANGES(&self->a, { 0, 100 });
	EXPECT_TRUE(vct_ranges_is_merged(&self->a));
}

TEST_F(range, merge_of_empty_set_is_empty)
{
	vct_ranges_merge(&self->a);
	EXPECT_EQ(0, self->a.n);
	EXPECT_TRUE(vct_ranges_is_merged(&self->a));
}

TEST_F(range, complement_of_msi_window_splits_aperture)
{
	FILL(&self->a, { 0xfee00000, 0xfeefffff });
	ASSERT_EQ(0, vct_ranges_complement(&self->a, 0, 0xffffffffffff, &self->out));
	EXPECT_RANGES(&self->out, { 0, 0xfedfffff }, { 0xfef00000, 0xffffffffffff });
}

TEST_F(range, complement_of_arm_sw_msi_window_splits_aperture)
{
	FILL(&self->a, { 0x8000000, 0x80fffff });
	ASSERT_EQ(0, vct_ranges_complement(&self->a, 0, 0xffffffffffff, &self->out));
	EXPECT_RANGES(&self->out, { 0, 0x7ffffff }, { 0x8100000, 0xffffffffffff });
}

TEST_F(range, complement_of_empty_set_is_the_aperture)
{
	ASSERT_EQ(0, vct_ranges_complement(&self->a, 0x1000, 0x1fff, &self->out));
	EXPECT_RANGES(&self->out, { 0x1000, 0x1fff });
}

TEST_F(range, complement_of_superset_is_empty)
{
	FILL(&self->a, { 0, MAX64 });
	ASSERT_EQ(0, vct_ranges_complement(&self->a, 0x1000, 0xffffffff, &self->out));
	EXPECT_EQ(0, self->out.n);
}

TEST_F(range, complement_in_full_space_with_reserved_ends)
{
	FILL(&self->a, { MAX64 - 0xfff, MAX64 }, { 0, 0xfff });
	ASSERT_EQ(0, vct_ranges_complement(&self->a, 0, MAX64, &self->out));
	EXPECT_RANGES(&self->out, { 0x1000, MAX64 - 0x1000 });
}

TEST_F(range, complement_ignores_ranges_outside_aperture)
{
	FILL(&self->a, { 0x100000000, 0x1ffffffff }, { 0, 0xfff });
	ASSERT_EQ(0, vct_ranges_complement(&self->a, 0x10000, 0xffffffff, &self->out));
	EXPECT_RANGES(&self->out, { 0x10000, 0xffffffff });
}

TEST_F(range, complement_rejects_inverted_aperture)
{
	FILL(&self->out, { 1, 2 });
	ASSERT_EQ(-EINVAL, vct_ranges_complement(&self->a, 2, 1, &self->out));
	EXPECT_EQ(0, self->out.n);
}

TEST_F(range, subtract_everything_leaves_nothing)
{
	FILL(&self->a, { 0, 9 }, { 20, 29 }, { MAX64, MAX64 });
	FILL(&self->b, { 0, MAX64 });
	ASSERT_EQ(0, vct_ranges_subtract(&self->a, &self->b, &self->out));
	EXPECT_EQ(0, self->out.n);
}

TEST_F(range, subtract_identical_set_leaves_nothing)
{
	FILL(&self->a, { 0, 9 }, { 20, 29 });
	FILL(&self->b, { 20, 29 }, { 0, 9 });
	ASSERT_EQ(0, vct_ranges_subtract(&self->a, &self->b, &self->out));
	EXPECT_EQ(0, self->out.n);
}

TEST_F(range, subtract_disjoint_set_changes_nothing)
{
	FILL(&self->a, { 10, 19 });
	FILL(&self->b, { 0, 9 }, { 20, 29 });
	ASSERT_EQ(0, vct_ranges_subtract(&self->a, &self->b, &self->out));
	EXPECT_RANGES(&self->out, { 10, 19 });
}

TEST_F(range, subtract_punches_holes_across_ranges)
{
	FILL(&self->a, { 0, 99 }, { 200, 299 });
	FILL(&self->b, { 10, 19 }, { 90, 209 }, { 250, 250 }, { 299, MAX64 });
	ASSERT_EQ(0, vct_ranges_subtract(&self->a, &self->b, &self->out));
	EXPECT_RANGES(&self->out, { 0, 9 }, { 20, 89 }, { 210, 249 }, { 251, 298 });
}

TEST_F(range, subtract_handles_unmerged_inputs)
{
	FILL(&self->a, { 50, 99 }, { 0, 60 });
	FILL(&self->b, { 40, 45 }, { 10, 44 });
	ASSERT_EQ(0, vct_ranges_subtract(&self->a, &self->b, &self->out));
	EXPECT_RANGES(&self->out, { 0, 9 }, { 46, 99 });
}

TEST_F(range, intersect_with_identical_set_is_identity)
{
	FILL(&self->a, { 0, 9 }, { MAX64 - 9, MAX64 });
	FILL(&self->b, { 0, 9 }, { MAX64 - 9, MAX64 });
	ASSERT_EQ(0, vct_ranges_intersect(&self->a, &self->b, &self->out));
	EXPECT_RANGES(&self->out, { 0, 9 }, { MAX64 - 9, MAX64 });
}

TEST_F(range, intersect_of_adjacent_ranges_is_empty)
{
	FILL(&self->a, { 0, 9 });
	FILL(&self->b, { 10, 19 });
	ASSERT_EQ(0, vct_ranges_intersect(&self->a, &self->b, &self->out));
	EXPECT_EQ(0, self->out.n);
}

TEST_F(range, intersect_with_empty_set_is_empty)
{
	FILL(&self->a, { 0, MAX64 });
	ASSERT_EQ(0, vct_ranges_intersect(&self->a, &self->b, &self->out));
	EXPECT_EQ(0, self->out.n);
}

TEST_F(range, intersect_output_is_merged)
{
	/* Pieces of b that touch come out as one range. */
	FILL(&self->a, { 0, 99 });
	FILL(&self->b, { 10, 19 }, { 20, 29 }, { 95, 200 });
	ASSERT_EQ(0, vct_ranges_intersect(&self->a, &self->b, &self->out));
	EXPECT_RANGES(&self->out, { 10, 29 }, { 95, 99 });
}

TEST_F(range, union_joins_adjacent_sets)
{
	FILL(&self->a, { 0, 9 }, { 30, 39 });
	FILL(&self->b, { 10, 19 }, { MAX64, MAX64 });
	ASSERT_EQ(0, vct_ranges_union(&self->a, &self->b, &self->out));
	EXPECT_RANGES(&self->out, { 0, 19 }, { 30, 39 }, { MAX64, MAX64 });
}

TEST_F(range, copy_is_merged)
{
	FILL(&self->a, { 10, 19 }, { 0, 9 });
	ASSERT_EQ(0, vct_ranges_copy(&self->a, &self->out));
	EXPECT_RANGES(&self->out, { 0, 19 });
}

TEST_F(range, equal_compares_sets_not_arrays)
{
	FILL(&self->a, { 10, 19 }, { 0, 9 });
	FILL(&self->b, { 0, 19 });
	EXPECT_TRUE(vct_ranges_equal(&self->a, &self->b));
	FILL(&self->b, { 0, 18 });
	EXPECT_FALSE(vct_ranges_equal(&self->a, &self->b));
	FILL(&self->b, { 0, 20 });
	EXPECT_FALSE(vct_ranges_equal(&self->a, &self->b));
}

TEST_F(range, equal_empty_sets_are_equal)
{
	EXPECT_TRUE(vct_ranges_equal(&self->a, &self->b));
	FILL(&self->b, { 0, 0 });
	EXPECT_FALSE(vct_ranges_equal(&self->a, &self->b));
}

TEST_F(range, contains_needs_every_address)
{
	FILL(&self->a, { 10, 19 }, { 0, 9 }, { 30, MAX64 });
	EXPECT_TRUE(vct_ranges_contains(&self->a, 0, 19));	/* across a split */
	EXPECT_TRUE(vct_ranges_contains(&self->a, MAX64, MAX64));
	EXPECT_FALSE(vct_ranges_contains(&self->a, 19, 30));
	EXPECT_FALSE(vct_ranges_contains(&self->a, 20, 20));
}

TEST_F(range, overlaps_needs_one_address)
{
	FILL(&self->a, { 0xfee00000, 0xfeefffff });
	EXPECT_TRUE(vct_ranges_overlaps(&self->a, 0xfedff000, 0xfee00000));
	EXPECT_TRUE(vct_ranges_overlaps(&self->a, 0xfeefffff, MAX64));
	EXPECT_FALSE(vct_ranges_overlaps(&self->a, 0xfedff000, 0xfedfffff));
	EXPECT_FALSE(vct_ranges_overlaps(&self->a, 0xfef00000, 0xfef00fff));
}

TEST_F(range, size_counts_addresses_and_saturates)
{
	FILL(&self->a, { 0, 0xfff }, { 0x2000, 0x2fff });
	EXPECT_EQ(0x2000, vct_ranges_size(&self->a));
	FILL(&self->a, { 0, MAX64 - 1 });
	EXPECT_EQ(MAX64, vct_ranges_size(&self->a));
	FILL(&self->a, { 0, MAX64 - 1 }, { MAX64, MAX64 });	/* 2^64: saturates */
	EXPECT_EQ(MAX64, vct_ranges_size(&self->a));
}

TEST_F(range, format_reads_like_the_kernel_ranges)
{
	char buf[128];
	size_t n;

	FILL(&self->a, { 0, 0xfedfffff }, { 0xfef00000, 0xffffffffffff });
	n = vct_ranges_format(&self->a, buf, sizeof(buf));
	EXPECT_STREQ("[0x0-0xfedfffff] [0xfef00000-0xffffffffffff]", buf);
	EXPECT_EQ(strlen(buf), n);
	vct_ranges_clear(&self->a);
	vct_ranges_format(&self->a, buf, sizeof(buf));
	EXPECT_STREQ("(empty)", buf);
}

TEST_F(range, format_truncates_with_ellipsis)
{
	char buf[16];
	size_t n;

	FILL(&self->a, { 0, 0xfedfffff }, { 0xfef00000, 0xffffffffffff });
	n = vct_ranges_format(&self->a, buf, sizeof(buf));
	EXPECT_EQ(15, n);
	EXPECT_STREQ("[0x0-0xfedff...", buf);
}

/* ---- model check against bit masks ---------------------------------- */

/* Random set of up to 4 ranges inside [base, base + 63]; its mask. */
static uint64_t random_set(struct __test_metadata *_metadata, struct vct_ranges *r,
			   uint64_t base, unsigned int *seed)
{
	uint64_t mask = 0;
	int i, k, n = rand_r(seed) % 5;

	vct_ranges_clear(r);
	for (i = 0; i < n; i++) {
		int s = rand_r(seed) % 64, l = s + rand_r(seed) % (64 - s);

		ASSERT_EQ(0, vct_ranges_add(r, base + (uint64_t)s, base + (uint64_t)l));
		for (k = s; k <= l; k++)
			mask |= 1ull << k;
	}
	return mask;
}

/* Mask of r relative to base; r must lie inside [base, base + 63]. */
static uint64_t mask_of(const struct vct_ranges *r, uint64_t base)
{
	uint64_t mask = 0, a;
	size_t i;

	for (i = 0; i < r->n; i++)
		for (a = r->v[i].start; ; a++) {
			mask |= 1ull << (a - base);
			if (a == r->v[i].last)
				break;
		}
	return mask;
}

TEST_F(range, operations_agree_with_bitmask_model)
{
	static const uint64_t bases[] = { 0, MAX64 - 63 };
	unsigned int seed = 1, round, bi;

	for (bi = 0; bi < NELEM(bases); bi++) {
		uint64_t base = bases[bi], top = base + 63;

		for (round = 0; round < 3000; round++) {
			uint64_t ma = random_set(_metadata, &self->a, base, &seed);
			uint64_t mb = random_set(_metadata, &self->b, base, &seed);

			ASSERT_EQ(0, vct_ranges_intersect(&self->a, &self->b, &self->out));
			ASSERT_TRUE(vct_ranges_is_merged(&self->out));
			ASSERT_EQ(ma & mb, mask_of(&self->out, base));
			ASSERT_EQ(0, vct_ranges_subtract(&self->a, &self->b, &self->out));
			ASSERT_TRUE(vct_ranges_is_merged(&self->out));
			ASSERT_EQ(ma & ~mb, mask_of(&self->out, base));
			ASSERT_EQ(0, vct_ranges_union(&self->a, &self->b, &self->out));
			ASSERT_TRUE(vct_ranges_is_merged(&self->out));
			ASSERT_EQ(ma | mb, mask_of(&self->out, base));
			ASSERT_EQ(0, vct_ranges_complement(&self->a, base, top, &self->out));
			ASSERT_TRUE(vct_ranges_is_merged(&self->out));
			ASSERT_EQ(~ma, mask_of(&self->out, base));
			ASSERT_EQ(ma == mb, vct_ranges_equal(&self->a, &self->b));
			ASSERT_EQ(0, vct_ranges_copy(&self->a, &self->out));
			ASSERT_EQ((uint64_t)__builtin_popcountll(ma),
				  vct_ranges_size(&self->out));
		}
	}
}

VCT_HARNESS_MAIN
