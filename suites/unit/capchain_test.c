// SPDX-License-Identifier: GPL-2.0
/*
 * capchain_test - the VFIO capability-chain walker, the type1 capability
 * decoders and the argsz growth protocol of harness/capchain.c, offline.
 *
 * Chains come from fixtures/capchain/ (format described in q35-good); the
 * good one is the q35 VFIO_IOMMU_GET_INFO answer of FACTS.md, each bad one
 * breaks it in one place.  The growth protocol runs against fake ioctls
 * that play a well-behaved or a misbehaving kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/vfio.h>

#include "capchain.h"
#include "device.h"
#include "test.h"

#define CHAINS		VCT_FIXTURES "/capchain/"
#define CHAIN_MAX	4096
#define MAX_CAPS	16

struct chain {
	uint8_t buf[CHAIN_MAX];
	uint32_t argsz, fixed, first;
};

static void put(struct chain *c, unsigned long off, unsigned long long val, size_t size)
{
	memcpy(c->buf + off, &val, size);	/* little-endian hosts only */
}

/* One fixture line, comment stripped.  0, or -EINVAL naming the problem. */
static int chain_line(struct chain *c, const char *s, int depth, char *why, size_t len);

static int chain_load(const char *name, struct chain *c, int depth, char *why, size_t len)
{
	char path[256], line[256];
	unsigned int n = 0;
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", CHAINS, name);
	f = fopen(path, "re");
	if (!f || depth > 4) {
		snprintf(why, len, "%s: cannot open (or base nested too deep)", path);
		if (f)
			fclose(f);
		return -ENOENT;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		n++;
		line[strcspn(line, "#\n")] = '\0';
		ret = chain_line(c, line, depth, why, len);
		if (ret && !strchr(why, ':'))
			snprintf(why, len, "%s:%u: bad fixture line", path, n);
	}
	fclose(f);
	return ret;
}

/* Up to `max` numbers (C syntax: 0x.., decimal) after the keyword. */
static int numbers(const char *s, unsigned long long *v, int max)
{
	char *end;
	int n;

	for (n = 0; n < max; n++) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		errno = 0;
		v[n] = strtoull(s, &end, 0);
		if (end == s || errno || (*end && *end != ' ' && *end != '\t'))
			return -1;
		s = end;
	}
	s += strspn(s, " \t");
	return *s ? -1 : n;	/* more than max numbers, or junk */
}

static int chain_line(struct chain *c, const char *s, int depth, char *why, size_t len)
{
	unsigned long long v[4];
	char key[16], arg[64];
	int used = 0, n;

	if (sscanf(s, "%15s%n", key, &used) != 1)
		return 0;	/* blank or comment */
	if (!strcmp(key, "base") && sscanf(s + used, "%63s", arg) == 1)
		return chain_load(arg, c, depth + 1, why, len);
	n = numbers(s + used, v, 4);
	if (n == 1 && !strcmp(key, "argsz"))
		c->argsz = (uint32_t)v[0];
	else if (n == 1 && !strcmp(key, "fixed"))
		c->fixed = (uint32_t)v[0];
	else if (n == 1 && !strcmp(key, "first"))
		c->first = (uint32_t)v[0];
	else if (n < 2 || v[0] + 16 > CHAIN_MAX)
		return -EINVAL;
	else if (n == 4 && !strcmp(key, "cap")) {
		put(c, v[0], v[1], 2);
		put(c, v[0] + 2, v[2], 2);
		put(c, v[0] + 4, v[3], 4);
	} else if (n == 2 && !strcmp(key, "u16"))
		put(c, v[0], v[1], 2);
	else if (n == 2 && !strcmp(key, "u32"))
		put(c, v[0], v[1], 4);
	else if (n == 2 && !strcmp(key, "u64"))
		put(c, v[0], v[1], 8);
	else
		return -EINVAL;
	return c->argsz > CHAIN_MAX ? -EINVAL : 0;
}

FIXTURE(capchain) {
	struct chain c;
	struct vct_cap caps[MAX_CAPS];
	size_t n;
	struct vct_err err;
	struct vct_ranges r;
	void *info;
	uint32_t misaligned;
};

FIXTURE_SETUP(capchain)
{
	vct_mark_test(_metadata, variant);
	memset(self, 0, sizeof(*self));
}

FIXTURE_TEARDOWN(capchain)
{
	vct_ranges_free(&self->r);
	free(self->info);
}

#define LOAD(name) do { \
	char why_[300] = ""; \
	ASSERT_EQ(0, chain_load(name, &self->c, 0, why_, sizeof(why_))) TH_LOG("%s", why_); \
} while (0)

#define WALK(max) vct_capchain_walk(self->c.buf, self->c.argsz, self->c.fixed, \
				    self->c.first, self->caps, max, &self->n, &self->err)

#define EXPECT_MSG(what) \
	EXPECT_NE(NULL, strstr(self->err.msg, what)) \
		TH_LOG("message \"%s\" should say \"%s\"", self->err.msg, what)

/* Load a chain and walk it, expecting the walk to fail with errnum. */
#define EXPECT_WALK_ERROR(name, errnum, what) do { \
	LOAD(name); \
	EXPECT_EQ(-(errnum), WALK(MAX_CAPS)); \
	EXPECT_MSG(what); \
} while (0)

TEST_F(capchain, q35_chain_walks_to_migration_dma_avail_iova_range)
{
	LOAD("q35-good");
	ASSERT_EQ(0, WALK(MAX_CAPS)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(3, self->n);
	EXPECT_EQ(0x18, self->caps[0].offset);
	EXPECT_EQ(VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, self->caps[0].id);
	EXPECT_EQ(32, self->caps[0].len);
	EXPECT_EQ(0x38, self->caps[1].offset);
	EXPECT_EQ(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, self->caps[1].id);
	EXPECT_EQ(16, self->caps[1].len);
	EXPECT_EQ(0x48, self->caps[2].offset);
	EXPECT_EQ(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, self->caps[2].id);
	EXPECT_EQ(1, self->caps[2].version);
	EXPECT_EQ(48, self->caps[2].len);
}

TEST_F(capchain, q35_chain_decodes_to_the_facts)
{
	struct vct_cap_migration mig;
	uint32_t avail = 0;

	LOAD("q35-good");
	ASSERT_EQ(0, WALK(MAX_CAPS));
	ASSERT_EQ(0, vct_cap_iova_ranges(self->c.buf, &self->caps[2], &self->r, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(2, self->r.n);
	EXPECT_EQ(0, self->r.v[0].start);
	EXPECT_EQ(0xfedfffff, self->r.v[0].last);
	EXPECT_EQ(0xfef00000, self->r.v[1].start);
	EXPECT_EQ(0xffffffffffff, self->r.v[1].last);
	ASSERT_EQ(0, vct_cap_dma_avail(self->c.buf, &self->caps[1], &avail, &self->err));
	EXPECT_EQ(65535, avail);
	ASSERT_EQ(0, vct_cap_migration(self->c.buf, &self->caps[0], &mig, &self->err));
	EXPECT_EQ(0, mig.flags);
	EXPECT_EQ(0x1000, mig.pgsize_bitmap);
	EXPECT_EQ(0x10000000, mig.max_dirty_bitmap_size);
}

TEST_F(capchain, zero_cap_offset_means_no_caps)
{
	LOAD("q35-good");
	self->c.first = 0;
	EXPECT_EQ(0, WALK(MAX_CAPS));
	EXPECT_EQ(0, self->n);
}

TEST_F(capchain, walk_without_array_counts_caps)
{
	LOAD("q35-good");
	EXPECT_EQ(0, vct_capchain_walk(self->c.buf, self->c.argsz, self->c.fixed,
				       self->c.first, NULL, MAX_CAPS, &self->n, &self->err));
	EXPECT_EQ(3, self->n);
}

TEST_F(capchain, cap_inside_fixed_struct_is_rejected_naming_offset)
{
	EXPECT_WALK_ERROR("inside-fixed", EINVAL,
			  "capability at 0x10 starts inside the 0x18-byte fixed info struct");
}

TEST_F(capchain, first_cap_beyond_argsz_is_rejected_naming_offset)
{
	EXPECT_WALK_ERROR("out-of-bounds", ERANGE,
			  "capability header at 0x1000 extends beyond argsz 0x78");
}

TEST_F(capchain, next_beyond_argsz_is_rejected_naming_offset)
{
	EXPECT_WALK_ERROR("next-past-argsz", ERANGE,
			  "capability header at 0x78 extends beyond argsz 0x78");
}

TEST_F(capchain, misaligned_cap_is_rejected_naming_offset)
{
	EXPECT_WALK_ERROR("misaligned", EINVAL, "capability at 0x3c is not 8-byte aligned");
}

#define WALK_LENIENT(max) vct_capchain_walk_align(self->c.buf, self->c.argsz, self->c.fixed, \
				self->c.first, VCT_CAPCHAIN_LENIENT, self->caps, max, &self->n, \
				&self->misaligned, &self->err)

/* Linux 6.1's unpadded chain: the strict walk refuses it at IOVA_RANGE. */
TEST_F(capchain, linux61_chain_is_rejected_by_strict_walk)
{
	EXPECT_WALK_ERROR("linux-6.1", EINVAL, "capability at 0x44 is not 8-byte aligned");
}

/* The lenient walk reads it whole and names the first misaligned capability. */
TEST_F(capchain, linux61_chain_walks_leniently_reporting_misalignment)
{
	uint32_t avail = 0;

	LOAD("linux-6.1");
	self->misaligned = 1;
	ASSERT_EQ(0, WALK_LENIENT(MAX_CAPS)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0x44, self->misaligned);
	ASSERT_EQ(3, self->n);
	EXPECT_EQ(0x38, self->caps[1].offset);
	EXPECT_EQ(12, self->caps[1].len);
	EXPECT_EQ(0x44, self->caps[2].offset);
	EXPECT_EQ(48, self->caps[2].len);
	ASSERT_EQ(0, vct_cap_iova_ranges(self->c.buf, &self->caps[2], &self->r, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(2, self->r.n);
	EXPECT_EQ(0xfedfffff, self->r.v[0].last);
	EXPECT_EQ(0xfef00000, self->r.v[1].start);
	EXPECT_EQ(0xffffffffffff, self->r.v[1].last);
	ASSERT_EQ(0, vct_cap_dma_avail(self->c.buf, &self->caps[1], &avail, &self->err));
	EXPECT_EQ(65535, avail);
}

/* An aligned chain walks the same leniently, with nothing misaligned. */
TEST_F(capchain, aligned_chain_walks_leniently_with_no_misalignment)
{
	LOAD("q35-good");
	self->misaligned = 1;
	ASSERT_EQ(0, WALK_LENIENT(MAX_CAPS)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(3, self->n);
	EXPECT_EQ(0, self->misaligned);
}

/* Lenient means 4-byte alignment, not none. */
TEST_F(capchain, lenient_walk_rejects_cap_not_4_byte_aligned)
{
	LOAD("misaligned-2");
	EXPECT_EQ(-EINVAL, WALK_LENIENT(MAX_CAPS));
	EXPECT_MSG("capability at 0x3a is not 4-byte aligned");
}

/* Lenient relaxes alignment only: a cycle is still one (the misalignment seen first is reported). */
TEST_F(capchain, lenient_walk_keeps_other_checks)
{
	LOAD("cycle");
	EXPECT_EQ(-ELOOP, WALK_LENIENT(MAX_CAPS));
	EXPECT_MSG("next points to itself (cycle)");
	memset(&self->c, 0, sizeof(self->c));
	LOAD("misaligned");
	/* 0x3c is accepted (4-byte aligned); the garbage next it holds is not. */
	EXPECT_EQ(-EINVAL, WALK_LENIENT(MAX_CAPS));
	EXPECT_MSG("capability at 0xffff is not 4-byte aligned");
	EXPECT_EQ(0x3c, self->misaligned);
}

TEST_F(capchain, self_link_is_rejected_as_cycle)
{
	EXPECT_WALK_ERROR("cycle", ELOOP,
			  "capability at 0x48 (id 1): next points to itself (cycle)");
}

TEST_F(capchain, backward_link_is_rejected_as_cycle)
{
	EXPECT_WALK_ERROR("backwards", ELOOP,
			  "capability at 0x48 (id 1): next 0x18 points backwards");
}

TEST_F(capchain, cap_shorter_than_its_header_is_rejected)
{
	EXPECT_WALK_ERROR("short-cap", EINVAL,
			  "capability at 0x18 (id 2) is 4 bytes long, shorter than its 8-byte header");
}

TEST_F(capchain, more_caps_than_room_is_rejected)
{
	LOAD("q35-good");
	EXPECT_EQ(-E2BIG, WALK(2));
	EXPECT_MSG("more than 2 capabilities (the next at 0x48)");
}

TEST_F(capchain, unknown_cap_id_is_walked_and_skipped)
{
	const struct vct_cap *iova;
	uint32_t avail = 0;

	LOAD("unknown-cap");
	ASSERT_EQ(0, WALK(MAX_CAPS)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(4, self->n);
	EXPECT_EQ(0x7f, self->caps[1].id);
	iova = vct_cap_find(self->caps, self->n, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	ASSERT_NE(NULL, iova);
	EXPECT_EQ(0x58, iova->offset);
	ASSERT_EQ(0, vct_cap_iova_ranges(self->c.buf, iova, &self->r, &self->err));
	EXPECT_EQ(2, self->r.n);
	ASSERT_EQ(0, vct_cap_dma_avail(self->c.buf,
				       vct_cap_find(self->caps, self->n,
						    VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL),
				       &avail, &self->err));
	EXPECT_EQ(65535, avail);
	EXPECT_EQ(NULL, vct_cap_find(self->caps, self->n, 0x7e));
}

/* Walk fine, then expect the IOVA_RANGE decoder to fail with errnum. */
#define EXPECT_IOVA_ERROR(errnum, what) do { \
	ASSERT_EQ(0, WALK(MAX_CAPS)) TH_LOG("%s", self->err.msg); \
	EXPECT_EQ(-(errnum), vct_cap_iova_ranges(self->c.buf, &self->caps[2], \
						 &self->r, &self->err)); \
	EXPECT_EQ(0, self->r.n); \
	EXPECT_MSG(what); \
} while (0)

TEST_F(capchain, iova_count_overflowing_cap_is_rejected)
{
	LOAD("iova-count-overflow");
	EXPECT_IOVA_ERROR(ERANGE,
			  "IOVA_RANGE at 0x48 declares 3 ranges (64 bytes) but is 48 bytes long");
}

TEST_F(capchain, unsorted_iova_ranges_are_rejected)
{
	LOAD("iova-unsorted");
	EXPECT_IOVA_ERROR(EINVAL,
			  "IOVA_RANGE at 0x48: iova range 1 [0x0-0xfedfffff] is not sorted");
}

TEST_F(capchain, overlapping_iova_ranges_are_rejected)
{
	LOAD("iova-overlap");
	EXPECT_IOVA_ERROR(EINVAL,
			  "IOVA_RANGE at 0x48: iova range 1 [0xfed00000-0xffffffffffff] overlaps range 0 [0x0-0xfedfffff]");
}

TEST_F(capchain, iova_range_with_start_above_end_is_rejected)
{
	LOAD("q35-good");
	put(&self->c, 0x58, 0xfee00000, 8);
	EXPECT_IOVA_ERROR(EINVAL,
			  "IOVA_RANGE at 0x48: iova range 0 [0xfee00000-0xfedfffff] has start above end");
}

TEST_F(capchain, iova_range_cap_with_no_ranges_is_rejected)
{
	LOAD("q35-good");
	put(&self->c, 0x50, 0, 4);
	EXPECT_IOVA_ERROR(EINVAL, "IOVA_RANGE at 0x48 declares 0 ranges");
}

TEST_F(capchain, decoder_rejects_unknown_version)
{
	struct vct_cap_migration mig;

	LOAD("q35-good");
	put(&self->c, 0x1a, 2, 2);
	ASSERT_EQ(0, WALK(MAX_CAPS));
	EXPECT_EQ(-EPROTO, vct_cap_migration(self->c.buf, &self->caps[0], &mig, &self->err));
	EXPECT_MSG("MIGRATION at 0x18 has version 2; only version 1 is defined");
}

TEST_F(capchain, decoder_rejects_cap_of_another_id)
{
	uint32_t avail;

	LOAD("q35-good");
	ASSERT_EQ(0, WALK(MAX_CAPS));
	EXPECT_EQ(-EINVAL, vct_cap_dma_avail(self->c.buf, &self->caps[0], &avail, &self->err));
	EXPECT_MSG("capability at 0x18 has id 2, not DMA_AVAIL (3)");
}

TEST_F(capchain, payload_cut_short_by_argsz_is_rejected)
{
	uint32_t avail;

	/* DMA_AVAIL made the last cap, with argsz ending right after its header. */
	LOAD("q35-good");
	put(&self->c, 0x3c, 0, 4);
	self->c.argsz = 0x40;
	ASSERT_EQ(0, WALK(MAX_CAPS)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(2, self->n);
	EXPECT_EQ(-ERANGE, vct_cap_dma_avail(self->c.buf, &self->caps[1], &avail, &self->err));
	EXPECT_MSG("DMA_AVAIL at 0x38 is 8 bytes long; its payload needs 12");
}

/* ---- argsz growth protocol against fake kernels -------------------- */

enum fake_mode { FAKE_TYPE1, FAKE_SHRINK, FAKE_GROW, FAKE_HUGE, FAKE_ENOTTY };

struct fake {
	enum fake_mode mode;
	const struct chain *answer;
	int calls;
};

/* type1's VFIO_IOMMU_GET_INFO: too small a buffer gets the needed argsz only. */
static int fake_type1(const struct chain *c, void *arg)
{
	struct vfio_iommu_type1_info *info = arg;

	if (info->argsz < sizeof(*info))
		return -EINVAL;
	if (info->argsz < c->argsz) {
		memcpy(info, c->buf, sizeof(*info));
		info->argsz = c->argsz;
		info->cap_offset = 0;
	} else {
		memcpy(info, c->buf, c->argsz);
	}
	return 0;
}

static int fake_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct fake *f = ctx;
	uint32_t *argsz = arg;

	(void)fd;
	(void)req;
	f->calls++;
	switch (f->mode) {
	case FAKE_TYPE1:
		return fake_type1(f->answer, arg);
	case FAKE_SHRINK:
		*argsz = 16;
		return 0;
	case FAKE_GROW:
		*argsz += 8;
		return 0;
	case FAKE_HUGE:
		*argsz = 2u << 20;
		return 0;
	default:
		return -ENOTTY;
	}
}

#define INFO_IOCTL(f, fixed, argsz) \
	vct_info_ioctl_fn(fake_ioctl, f, 3, VFIO_IOMMU_GET_INFO, fixed, \
			  &self->info, argsz, &self->err)

TEST_F(capchain, info_ioctl_grows_buffer_to_kernel_argsz)
{
	struct fake f = { FAKE_TYPE1, &self->c, 0 };
	struct vfio_iommu_type1_info *info;
	uint32_t argsz = 0;

	LOAD("q35-good");
	ASSERT_EQ(0, INFO_IOCTL(&f, sizeof(*info), &argsz)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(2, f.calls);
	EXPECT_EQ(120, argsz);
	info = self->info;
	EXPECT_EQ(0x3, info->flags);
	EXPECT_EQ(0x40201000, info->iova_pgsizes);
	ASSERT_EQ(0, vct_capchain_walk(info, argsz, sizeof(*info), info->cap_offset,
				       self->caps, MAX_CAPS, &self->n, &self->err));
	EXPECT_EQ(3, self->n);
}

TEST_F(capchain, info_ioctl_refuses_shrinking_argsz)
{
	struct fake f = { FAKE_SHRINK, NULL, 0 };
	uint32_t argsz = 1;

	EXPECT_EQ(-EPROTO, INFO_IOCTL(&f, 24, &argsz));
	EXPECT_EQ(0, argsz);
	EXPECT_MSG("answered argsz 16, below the 24 passed");
}

TEST_F(capchain, info_ioctl_refuses_endless_growth)
{
	struct fake f = { FAKE_GROW, NULL, 0 };
	uint32_t argsz;

	EXPECT_EQ(-ELOOP, INFO_IOCTL(&f, 24, &argsz));
	EXPECT_EQ(VCT_INFO_MAX_TRIES, f.calls);
	EXPECT_MSG("argsz still growing after 4 calls (last answer 56)");
}

TEST_F(capchain, info_ioctl_refuses_absurd_argsz)
{
	struct fake f = { FAKE_HUGE, NULL, 0 };
	uint32_t argsz;

	EXPECT_EQ(-E2BIG, INFO_IOCTL(&f, 24, &argsz));
	EXPECT_EQ(1, f.calls);
	EXPECT_MSG("answered argsz 2097152, above the 1048576");
}

TEST_F(capchain, info_ioctl_passes_on_the_ioctl_errno)
{
	struct fake f = { FAKE_ENOTTY, NULL, 0 };
	uint32_t argsz;

	EXPECT_EQ(-ENOTTY, INFO_IOCTL(&f, 24, &argsz));
	EXPECT_MSG("with argsz 24: Inappropriate ioctl for device");
}

TEST_F(capchain, info_ioctl_on_a_bad_fd_is_ebadf)
{
	uint32_t argsz;

	EXPECT_EQ(-EBADF, vct_info_ioctl(-1, VFIO_IOMMU_GET_INFO, 24, &self->info,
					 &argsz, &self->err));
	EXPECT_MSG("Bad file descriptor");
}

TEST_F(capchain, info_ioctl_rejects_a_fixed_size_without_argsz)
{
	struct fake f = { FAKE_TYPE1, NULL, 0 };
	uint32_t argsz;

	EXPECT_EQ(-EINVAL, INFO_IOCTL(&f, 2, &argsz));
	EXPECT_EQ(0, f.calls);
}

/* REGION_INFO-like: the kernel scribbles on the input; each call must see it intact. */
static int fake_region(void *ctx, int fd, unsigned long req, void *arg)
{
	struct vfio_region_info *ri = arg;
	int *calls = ctx;

	(void)fd;
	(void)req;
	++*calls;
	if (ri->index != 7)
		return -EINVAL;
	ri->index = 0xdead;
	if (ri->argsz < 64)
		ri->argsz = 64;
	return 0;
}

TEST_F(capchain, info_ioctl_repeats_the_callers_input_fields)
{
	struct vfio_region_info *ri = calloc(1, sizeof(*ri));
	uint32_t argsz;
	int calls = 0;

	ASSERT_NE(NULL, ri);
	ri->index = 7;
	self->info = ri;
	ASSERT_EQ(0, vct_info_ioctl_fn(fake_region, &calls, 3, VFIO_DEVICE_GET_REGION_INFO,
				       sizeof(*ri), &self->info, &argsz, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(2, calls);
	EXPECT_EQ(64, argsz);
}

/*
 * A kernel answer replayed from a file in fuzz/fuzz_device.c's input format
 * (byte 0: mode, byte 1: region index, then the answer): each call gets
 * min(argsz passed, answer) bytes, so the answer's argsz is what the
 * "kernel" needs.
 */
struct replay {
	unsigned char p[4096];
	size_t len;
};

static int replay_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	const struct replay *a = ctx;
	uint32_t argsz;

	(void)fd;
	(void)req;
	memcpy(&argsz, arg, sizeof(argsz));
	memcpy(arg, a->p + 2, a->len - 2 < argsz ? a->len - 2 : argsz);
	return 0;
}

/*
 * Found by fuzz/fuzz_device.c: REGION_INFO with FLAG_CAPS whose last cap is
 * a TYPE cap of 10 bytes (argsz 42, cap at 0x20): its 16-byte payload
 * (struct vfio_region_info_cap_type) would be read past argsz.
 */
TEST_F(capchain, region_type_cap_cut_short_by_argsz_is_refused)
{
	struct replay a;
	struct vct_region_info r;
	FILE *f = fopen(VCT_FIXTURES "/fuzz/device/type-cap-short", "rb");

	ASSERT_NE(NULL, f);
	a.len = fread(a.p, 1, sizeof(a.p), f);
	fclose(f);
	ASSERT_EQ(2 + 38, a.len);	/* argsz 42: the last 4 bytes stay the zeros info_call wrote */
	EXPECT_EQ(-ERANGE, __vct_region_info_fn(replay_ioctl, &a, 3, a.p[1], &r, &self->err));
	EXPECT_MSG("type cap at 0x20: 10 bytes");
	EXPECT_FALSE(r.has_type);
}

VCT_HARNESS_MAIN
