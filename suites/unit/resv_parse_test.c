// SPDX-License-Identifier: GPL-2.0
/*
 * resv_parse_test - the strict reserved_regions parser and validator of
 * harness/resv.c on the bad inputs of fixtures/resv-bad/ and on buffers.
 *
 * Every rejection checks the errno and that the message starts with
 * "<file>:<line>: " and says what is wrong, since that message is what a
 * failing conformance run will show.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "resv.h"
#include "test.h"

#define PAGE	4096
#define BAD	VCT_FIXTURES "/resv-bad/"
#define VTD	VCT_FIXTURES "/sysfs/x86_64-vtd/iommu_groups"

#define MSI_LINE	"0x00000000fee00000 0x00000000feefffff msi\n"
#define LPC_LINE	"0x0000000000000000 0x0000000000ffffff direct-relaxable\n"

FIXTURE(resv) {
	struct vct_resv_list l;
	struct vct_err err;
	struct vct_ranges r;
	char tmp[64];
};

FIXTURE_SETUP(resv)
{
	vct_mark_test(_metadata, variant);
	memset(self, 0, sizeof(*self));
}

FIXTURE_TEARDOWN(resv)
{
	vct_resv_free(&self->l);
	vct_ranges_free(&self->r);
	if (self->tmp[0]) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->tmp);
		if (system(cmd))
			TH_LOG("could not remove %s", self->tmp);
	}
}

/* err names `where` ("<file>:<line>: " or "<file>: ") and contains `what`. */
static bool names(const struct vct_err *err, const char *where, const char *what)
{
	return !strncmp(err->msg, where, strlen(where)) && strstr(err->msg, what);
}

#define EXPECT_MSG(where, what) \
	EXPECT_TRUE(names(&self->err, where, what)) \
		TH_LOG("message \"%s\" should start with \"%s\" and say \"%s\"", \
		       self->err.msg, where, what)

/* Parse fixtures/resv-bad/<name> and expect syntax error errnum at `line`. */
#define EXPECT_PARSE_ERROR(name, errnum, line, what) do { \
	EXPECT_EQ(-(errnum), vct_resv_parse_file(BAD name, PAGE, &self->l, &self->err)); \
	EXPECT_EQ(0, self->l.n); \
	EXPECT_MSG(BAD name ":" #line ": ", what); \
} while (0)

/* Parse fixtures/resv-bad/<name> fine, then expect validation to fail. */
#define EXPECT_INVALID(name, line, what) do { \
	ASSERT_EQ(0, vct_resv_parse_file(BAD name, PAGE, &self->l, &self->err)) \
		TH_LOG("%s", self->err.msg); \
	EXPECT_EQ(-EINVAL, vct_resv_validate(&self->l, PAGE, &self->err)); \
	EXPECT_MSG(BAD name ":" #line ": ", what); \
} while (0)

static int parse_str(struct vct_resv_list *l, const char *s, struct vct_err *err)
{
	return vct_resv_parse_buf("buf", s, strlen(s), PAGE, l, err);
}

TEST_F(resv, q35_lpc_group_parses_exactly)
{
	ASSERT_EQ(0, vct_resv_read_group(VTD, 4, PAGE, &self->l, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(2, self->l.n);
	EXPECT_EQ(0, self->l.v[0].start);
	EXPECT_EQ(0xffffff, self->l.v[0].end);
	EXPECT_EQ(VCT_RESV_DIRECT_RELAXABLE, self->l.v[0].type);
	EXPECT_EQ(1, self->l.v[0].line);
	EXPECT_EQ(0xfee00000, self->l.v[1].start);
	EXPECT_EQ(0xfeefffff, self->l.v[1].end);
	EXPECT_EQ(VCT_RESV_MSI, self->l.v[1].type);
	EXPECT_EQ(2, self->l.v[1].line);
	EXPECT_STREQ(VTD "/4/reserved_regions", self->l.path);
	EXPECT_EQ(0, vct_resv_validate(&self->l, PAGE, &self->err));
}

/*
 * A group whose devices and IOMMU reserve nothing prints nothing, so an
 * empty file is legal kernel output; n == 0 tells it apart for callers
 * whose platform always reserves something (x86 always has msi).
 */
TEST_F(resv, empty_file_is_valid_with_no_regions)
{
	ASSERT_EQ(0, vct_resv_parse_file(BAD "empty", PAGE, &self->l, &self->err));
	EXPECT_EQ(0, self->l.n);
	EXPECT_EQ(0, vct_resv_validate(&self->l, PAGE, &self->err));
	ASSERT_EQ(0, vct_resv_to_ranges(&self->l, VCT_RESV_MASK_ALL, &self->r));
	EXPECT_EQ(0, self->r.n);
}

TEST_F(resv, missing_field_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("missing-field", EINVAL, 2, "2 fields, expected 3");
}

TEST_F(resv, missing_final_newline_is_rejected_as_truncated)
{
	EXPECT_PARSE_ERROR("no-newline", EINVAL, 2, "no newline at end of file");
}

TEST_F(resv, short_hex_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("short-hex", EINVAL, 2,
			   "end 0x00000000feef has 12 hex digits, not 16");
}

TEST_F(resv, bad_hex_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("bad-hex", EINVAL, 2,
			   "start 0x00000000fee0000g is not hexadecimal (character 'g')");
}

TEST_F(resv, uppercase_hex_is_rejected_as_not_kernel_output)
{
	EXPECT_PARSE_ERROR("uppercase-hex", EINVAL, 2,
			   "start 0x00000000FEE00000 is not hexadecimal (character 'F')");
}

TEST_F(resv, missing_0x_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("missing-0x", EINVAL, 2,
			   "start 00000000fee00000 lacks the 0x prefix");
}

TEST_F(resv, unknown_type_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("unknown-type", EINVAL, 2, "unknown type 'sw-msi'");
}

TEST_F(resv, start_above_end_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("start-above-end", EINVAL, 2,
			   "start 0x00000000feefffff is above end 0x00000000fee00000");
}

TEST_F(resv, extra_field_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("extra-field", EINVAL, 2, "4 fields, expected 3");
}

TEST_F(resv, double_space_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("double-space", EINVAL, 2, "empty field 2");
}

TEST_F(resv, blank_line_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("blank-line", EINVAL, 2, "empty line");
}

TEST_F(resv, crlf_line_ending_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("crlf", EINVAL, 1, "carriage return");
}

TEST_F(resv, nul_byte_is_rejected_naming_line)
{
	EXPECT_PARSE_ERROR("nul-byte", EINVAL, 2, "NUL byte");
}

TEST_F(resv, file_larger_than_a_page_is_rejected)
{
	EXPECT_EQ(-EFBIG, vct_resv_parse_file(BAD "huge", PAGE, &self->l, &self->err));
	EXPECT_EQ(0, self->l.n);
	EXPECT_MSG(BAD "huge: ", "larger than 4096 bytes");
	/* The same content is fine when the limit allows it: only size is wrong. */
	EXPECT_EQ(0, vct_resv_parse_file(BAD "huge", 4 * PAGE, &self->l, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(128, self->l.n);
}

TEST_F(resv, max_len_is_inclusive)
{
	const char *s = LPC_LINE MSI_LINE;
	size_t len = strlen(s);

	EXPECT_EQ(0, vct_resv_parse_buf("buf", s, len, len, &self->l, &self->err));
	EXPECT_EQ(2, self->l.n);
	vct_resv_free(&self->l);
	EXPECT_EQ(-EFBIG, vct_resv_parse_buf("buf", s, len, len - 1, &self->l, &self->err));
	EXPECT_MSG("buf: ", "97 bytes, larger than 96");
}

TEST_F(resv, missing_file_reports_open_errno)
{
	EXPECT_EQ(-ENOENT, vct_resv_parse_file(BAD "no-such-file", PAGE, &self->l,
					       &self->err));
	EXPECT_MSG(BAD "no-such-file: ", "open: ");
}

TEST_F(resv, unsorted_regions_are_rejected_naming_both_lines)
{
	EXPECT_INVALID("unsorted", 2, "out of order after line 1");
}

TEST_F(resv, equal_starts_are_ordered_by_type)
{
	ASSERT_EQ(0, parse_str(&self->l,
			       "0x0000000000001000 0x0000000000001fff msi\n"
			       "0x0000000000001000 0x0000000000001fff direct\n", &self->err));
	EXPECT_EQ(-EINVAL, vct_resv_validate(&self->l, PAGE, &self->err));
	EXPECT_MSG("buf:2: ", "(direct) is out of order after line 1");
	vct_resv_free(&self->l);
	ASSERT_EQ(0, parse_str(&self->l,
			       "0x0000000000001000 0x0000000000001fff direct\n"
			       "0x0000000000001000 0x0000000000001fff msi\n", &self->err));
	EXPECT_EQ(0, vct_resv_validate(&self->l, PAGE, &self->err)) TH_LOG("%s", self->err.msg);
}

TEST_F(resv, overlap_of_same_type_is_rejected_naming_both_lines)
{
	EXPECT_INVALID("overlap-same-type", 2, "overlaps line 1");
}

TEST_F(resv, adjacent_regions_of_same_type_are_rejected_as_unmerged)
{
	EXPECT_INVALID("adjacent-same-type", 2, "is adjacent to line 1");
}

TEST_F(resv, overlap_of_different_types_is_valid)
{
	ASSERT_EQ(0, vct_resv_parse_file(BAD "overlap-different-types", PAGE,
					 &self->l, &self->err));
	EXPECT_EQ(0, vct_resv_validate(&self->l, PAGE, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, vct_resv_to_ranges(&self->l, VCT_RESV_MASK_ALL, &self->r));
	ASSERT_EQ(1, self->r.n);
	EXPECT_EQ(0, self->r.v[0].start);
	EXPECT_EQ(0x17fffff, self->r.v[0].last);
}

TEST_F(resv, unaligned_start_is_rejected_naming_line)
{
	EXPECT_INVALID("unaligned-start", 2,
		       "start 0x00000000fee00800 is not aligned to the page size 0x1000");
}

TEST_F(resv, unaligned_end_is_rejected_naming_line)
{
	EXPECT_INVALID("unaligned-end", 2,
		       "end 0x00000000feeffffe + 1 is not aligned to the page size 0x1000");
}

TEST_F(resv, alignment_follows_the_page_size_given)
{
	ASSERT_EQ(0, parse_str(&self->l, "0x0000000000001000 0x0000000000001fff reserved\n",
			       &self->err));
	EXPECT_EQ(0, vct_resv_validate(&self->l, 0x1000, &self->err));
	EXPECT_EQ(-EINVAL, vct_resv_validate(&self->l, 0x10000, &self->err));
	EXPECT_MSG("buf:1: ", "not aligned to the page size 0x10000");
	EXPECT_EQ(-EINVAL, vct_resv_validate(&self->l, 0x3000, &self->err));
	EXPECT_MSG("buf: ", "page size 0x3000 is not a power of two");
}

TEST_F(resv, region_ending_at_uint64_max_is_aligned)
{
	ASSERT_EQ(0, parse_str(&self->l, "0xfffffffffffff000 0xffffffffffffffff reserved\n",
			       &self->err));
	EXPECT_EQ(UINT64_MAX, self->l.v[0].end);
	EXPECT_EQ(0, vct_resv_validate(&self->l, PAGE, &self->err)) TH_LOG("%s", self->err.msg);
}

TEST_F(resv, to_ranges_selects_types_by_mask)
{
	ASSERT_EQ(0, vct_resv_read_group(VTD, 4, PAGE, &self->l, &self->err));
	ASSERT_EQ(0, vct_resv_to_ranges(&self->l,
					VCT_RESV_MASK_ALL & ~VCT_RESV_MASK(VCT_RESV_DIRECT_RELAXABLE),
					&self->r));
	ASSERT_EQ(1, self->r.n);
	EXPECT_EQ(0xfee00000, self->r.v[0].start);
	EXPECT_EQ(0xfeefffff, self->r.v[0].last);
	ASSERT_EQ(0, vct_resv_to_ranges(&self->l, VCT_RESV_MASK(VCT_RESV_DIRECT_RELAXABLE),
					&self->r));
	ASSERT_EQ(1, self->r.n);
	EXPECT_EQ(0xffffff, self->r.v[0].last);
	ASSERT_EQ(0, vct_resv_to_ranges(&self->l, 0, &self->r));
	EXPECT_EQ(0, self->r.n);
}

TEST_F(resv, type_names_are_the_kernel_strings)
{
	EXPECT_STREQ("direct", vct_resv_type_name(VCT_RESV_DIRECT));
	EXPECT_STREQ("direct-relaxable", vct_resv_type_name(VCT_RESV_DIRECT_RELAXABLE));
	EXPECT_STREQ("reserved", vct_resv_type_name(VCT_RESV_RESERVED));
	EXPECT_STREQ("msi", vct_resv_type_name(VCT_RESV_MSI));
	EXPECT_STREQ("?", vct_resv_type_name(VCT_RESV_NTYPES));
}

TEST_F(resv, group_ids_are_numeric_and_sorted)
{
	static const char *const dirs[] = { "10", "2", "0", "9", "1", "devices", "01", "-1" };
	unsigned int *ids = NULL;
	char path[128];
	size_t i, n;

	snprintf(self->tmp, sizeof(self->tmp), "/tmp/vct-resv-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->tmp));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->tmp, dirs[i]);
		ASSERT_EQ(0, mkdir(path, 0755));
	}
	ASSERT_EQ(0, vct_resv_group_ids(self->tmp, &ids, &n));
	ASSERT_EQ(5, n);
	EXPECT_EQ(0, ids[0]);
	EXPECT_EQ(1, ids[1]);
	EXPECT_EQ(2, ids[2]);
	EXPECT_EQ(9, ids[3]);
	EXPECT_EQ(10, ids[4]);
	free(ids);
}

TEST_F(resv, group_ids_of_missing_root_is_enoent)
{
	unsigned int *ids = (unsigned int *)1;
	size_t n = 1;

	EXPECT_EQ(-ENOENT, vct_resv_group_ids(BAD "no-such-dir", &ids, &n));
	EXPECT_EQ(NULL, ids);
	EXPECT_EQ(0, n);
}

/*
 * vct_resv_equal: the same regions in the same order, each its start, end
 * and type; a list differing in any one of them, or in length, is not
 * equal (the "profile and platform disagree" cross-check depends on it).
 */
TEST_F(resv, equal_compares_every_start_end_and_type)
{
	static const char *const other[] = {
		LPC_LINE "0x00000000fee00000 0x00000000feefffff reserved\n",	/* type */
		LPC_LINE "0x00000000fee01000 0x00000000feefffff msi\n",		/* start */
		LPC_LINE "0x00000000fee00000 0x00000000fef00fff msi\n",		/* end */
		MSI_LINE LPC_LINE,						/* order */
		LPC_LINE,							/* length */
	};
	struct vct_resv_list b = { 0 };
	size_t i;

	ASSERT_EQ(0, parse_str(&self->l, LPC_LINE MSI_LINE, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, parse_str(&b, LPC_LINE MSI_LINE, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_TRUE(vct_resv_equal(&self->l, &b));
	EXPECT_TRUE(vct_resv_equal(&b, &self->l));
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		vct_resv_free(&b);
		ASSERT_EQ(0, parse_str(&b, other[i], &self->err)) TH_LOG("%s", self->err.msg);
		EXPECT_FALSE(vct_resv_equal(&self->l, &b)) TH_LOG("case %zu: %s", i, other[i]);
		EXPECT_FALSE(vct_resv_equal(&b, &self->l)) TH_LOG("case %zu reversed", i);
	}
	vct_resv_free(&b);
}

VCT_HARNESS_MAIN
