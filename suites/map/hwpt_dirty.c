// SPDX-License-Identifier: GPL-2.0
/*
 * hwpt_dirty: iommufd's dirty-page tracking for live migration
 * (IOMMU_GET_HW_INFO's IOMMU_HW_CAP_DIRTY_TRACKING, IOMMU_HWPT_ALLOC with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING, IOMMU_HWPT_SET_DIRTY_TRACKING,
 * IOMMU_HWPT_GET_DIRTY_BITMAP), through the backend's hwpt ops (iommu.h).
 * type1's VFIO_IOMMU_DIRTY_PAGES is suites/map/dirty.c.
 *
 * Two variants:
 *  - device: the VFIO test device bound to iommufd.  Its IOMMU says in
 *    IOMMU_GET_HW_INFO whether it tracks dirty pages; QEMU's intel-iommu
 *    and SMMUv3 do not, and then the refusal of a dirty-tracking HWPT is
 *    what is checked, the tracking properties SKIP with that reason.
 *  - mock: CONFIG_IOMMUFD_TEST's mock device (IOMMU_TEST_OP_MOCK_DOMAIN),
 *    whose IOMMU tracks dirty pages, and IOMMU_TEST_OP_DIRTY marks pages
 *    dirty as hardware would: the bitmap is checked bit by bit.
 * Errnos are Linux 6.12's, each test quoting the line of
 * drivers/iommu/iommufd/ that decides it.  Kernels without CONFIG_IOMMUFD
 * (every Debian kernel) SKIP everything (no /dev/iommu).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/iommufd.h>

#include "test.h"

#include "iommu.h"

/* 2^24: MOCK_APERTURE_START, and usable IOVA on every profile we run. */
#define BASE		(1ULL << 24)
#define BUFBYTES	(160ULL * 4096)
#define GUARD		0xa5a5a5a5a5a5a5a5ULL
#define NWORDS_MAX	16

FIXTURE(hwpt_dirty) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	uint32_t dev_id;
	const char *who;	/* the device, for diagnostics */
	uint64_t caps;		/* IOMMU_GET_HW_INFO out_capabilities */
	uint64_t pg;		/* the IOAS's IOVA alignment: one bitmap bit */
	uint64_t npages;	/* of pg in the buffer */
	uint8_t *buf;
	uint32_t hwpt;		/* dirty-tracking HWPT (0: none) */
	uint64_t bm[NWORDS_MAX + 1];	/* bitmap and a guard word */
};

FIXTURE_VARIANT(hwpt_dirty) {
	bool mock;
};
FIXTURE_VARIANT_ADD(hwpt_dirty, device) {
	.mock = false,
};
FIXTURE_VARIANT_ADD(hwpt_dirty, mock) {
	.mock = true,
};

/*
 * Whether an IOMMU registered without a firmware node serves this machine
 * (intel-iommu: /sys/class/iommu/dmarN, AMD: ivhdN; dmar.c
 * `iommu_device_register(&iommu->iommu, &intel_iommu_ops, NULL)`).  Then
 * 6.12 probes the mock device with that driver's ops, not the mock's:
 * iommu.c __iommu_probe_device() `ops =
 * iommu_fwspec_ops(dev_iommu_fwspec_get(dev));` finds the first IOMMU
 * whose fwnode is NULL, which refuses a non-PCI device, and bind fails
 * (device.c iommufd_device_bind(): `if (!device_iommu_capable(dev,
 * IOMMU_CAP_CACHE_COHERENCY)) return ERR_PTR(-EINVAL);`).  On SMMUv3 hosts
 * (a fwnode) the mock works.
 */
static bool fwnode_less_iommu(char *why, size_t len)
{
	static const char *const pre[] = { "dmar", "ivhd" };
	struct dirent *de;
	bool found = false;
	DIR *d = opendir("/sys/class/iommu");
	size_t i;

	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		for (i = 0; i < sizeof(pre) / sizeof(pre[0]) && !found; i++)
			if (!strncmp(de->d_name, pre[i], strlen(pre[i]))) {
				snprintf(why, len, "/sys/class/iommu/%.32s registers without a firmware node, and 6.12's __iommu_probe_device() gives the mock device its ops (iommu_fwspec_ops(NULL)); iommufd_device_bind() then refuses it (no IOMMU_CAP_CACHE_COHERENCY): the mock variant runs on SMMUv3 hosts",
					 de->d_name);
				found = true;
			}
	closedir(d);
	return found;
}

FIXTURE_SETUP(hwpt_dirty)
{
	struct vct_iommu_info info = { 0 };
	char why[512] = "";
	int ret;

	vct_mark_test(_metadata, variant);
	if (variant->mock) {
		ret = __vct_iommu_open(VCT_BACKEND_IOMMUFD, &self->iommu, why, sizeof(why));
		if (ret == -ENOENT || ret == -EOPNOTSUPP)
			SKIP(return, "%s", why);
		ASSERT_EQ(0, ret) TH_LOG("%s", why);
		ret = __vct_iommu_mock_attach(self->iommu, &self->dev_id);
		if (ret == -ENOTTY)
			SKIP(return, "%s", vct_iommu_last_error(self->iommu));
		if (ret == -EINVAL && fwnode_less_iommu(why, sizeof(why)))
			SKIP(return, "IOMMU_TEST_OP_MOCK_DOMAIN: EINVAL: the mock device got no IOMMU: %s", why);
		ASSERT_EQ(0, ret) TH_LOG("IOMMU_TEST_OP_MOCK_DOMAIN: %s", vct_errno_name(-ret));
		self->who = "iommufd mock device";
	} else {
		VCT_IOMMU_SETUP_OR_SKIP(VCT_BACKEND_IOMMUFD, 1, 1, &self->iommu, self->devs);
		ASSERT_EQ(0, __vct_iommu_dev_id(self->iommu, self->devs[0].bdf, &self->dev_id));
		self->who = self->devs[0].bdf;
	}
	ret = __vct_iommu_hw_caps(self->iommu, self->dev_id, &self->caps);
	ASSERT_EQ(0, ret) TH_LOG("%s: IOMMU_GET_HW_INFO: %s", self->who, vct_errno_name(-ret));
	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	self->pg = info.pgsizes;	/* iommufd: out_iova_alignment */
	vct_iommu_info_free(&info);
	ASSERT_NE(0u, self->pg);
	self->npages = BUFBYTES / self->pg;
	ASSERT_LE(self->npages, NWORDS_MAX * 64u);
	self->buf = vct_dma_alloc(BUFBYTES);
	ASSERT_NE(NULL, self->buf);
	memset(self->buf, 0x5a, BUFBYTES);
	vct_iommu_map(self->iommu, BASE, BUFBYTES, self->buf, VCT_PROT_RW);
}

FIXTURE_TEARDOWN(hwpt_dirty)
{
	vct_iommu_close(self->iommu);	/* the fd's close destroys every object */
	if (self->buf)
		vct_dma_free(self->buf, BUFBYTES);
}

/* ---- helpers ------------------------------------------------------------ */

static bool tracks(FIXTURE_DATA(hwpt_dirty) *self)
{
	return self->caps & IOMMU_HW_CAP_DIRTY_TRACKING;
}

/* The tracking properties need an IOMMU that tracks. */
#define NEED_TRACKING() do { \
	if (!tracks(self)) \
		SKIP(return, "%s: IOMMU_GET_HW_INFO out_capabilities %#llx lacks IOMMU_HW_CAP_DIRTY_TRACKING (the IOMMU does not track dirty pages; its refusal: hw_info_capability_decides_dirty_tracking_hwpt_alloc)", \
		     self->who, (unsigned long long)self->caps); \
	ASSERT_EQ(0, __vct_iommu_hwpt_alloc(self->iommu, self->dev_id, \
					    IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &self->hwpt)) \
		TH_LOG("%s", self->who); \
} while (0)

/* Marking pages dirty needs the mock IOMMU (IOMMU_TEST_OP_DIRTY). */
#define NEED_MARKING() do { \
	NEED_TRACKING(); \
	if (!variant->mock) \
		SKIP(return, "%s: pages are marked dirty only through the iommufd mock device (IOMMU_TEST_OP_DIRTY): the mock variant", \
		     self->who); \
} while (0)

static int set_dirty(FIXTURE_DATA(hwpt_dirty) *self, uint32_t hwpt, bool on)
{
	return __vct_iommu_hwpt_set_dirty(self->iommu, hwpt,
					  on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0);
}

/* GET_DIRTY_BITMAP of the whole buffer into self->bm, zeroed first, guard after. */
static int get_all(FIXTURE_DATA(hwpt_dirty) *self, uint32_t flags)
{
	struct vct_hwpt_bitmap_req r = {
		.hwpt = self->hwpt,
		.flags = flags,
		.iova = BASE,
		.length = self->npages * self->pg,
		.page_size = self->pg,
		.bitmap = self->bm,
	};

	memset(self->bm, 0, sizeof(self->bm));
	self->bm[(self->npages + 63) / 64] = GUARD;
	return __vct_iommu_hwpt_get_dirty(self->iommu, &r);
}

/* Mark the pages of `pages` (a bitmap over the buffer, pgsize pg) dirty. */
static int mark(FIXTURE_DATA(hwpt_dirty) *self, const uint64_t *pages,
		uint64_t *nr)
{
	return __vct_iommu_mock_dirty(self->iommu, self->hwpt, BASE,
				      self->npages * self->pg, self->pg, pages, nr);
}

/* The pattern: first page, a few inside, both sides of a word edge, the last. */
static void pattern(FIXTURE_DATA(hwpt_dirty) *self, uint64_t *p, uint64_t *count)
{
	const uint64_t at[] = { 0, 3, 63, 64, 100, self->npages - 1 };
	size_t i;

	memset(p, 0, NWORDS_MAX * sizeof(*p));
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		p[at[i] / 64] |= 1ULL << (at[i] % 64);
	*count = sizeof(at) / sizeof(at[0]);
}

/* -1 if self->bm[0..npages) equals want and the guard is intact, else the first wrong bit (npages: guard). */
static int64_t first_wrong(FIXTURE_DATA(hwpt_dirty) *self, const uint64_t *want)
{
	uint64_t b;

	for (b = 0; b < self->npages; b++)
		if ((self->bm[b / 64] >> (b % 64) & 1) != (want[b / 64] >> (b % 64) & 1))
			return (int64_t)b;
	return self->bm[(self->npages + 63) / 64] == GUARD ? -1 : (int64_t)self->npages;
}

static const uint64_t NONE[NWORDS_MAX];

/* ---- capability and allocation ----------------------------------------- */

/*
 * device.c iommufd_get_hw_info(): `if (device_iommu_capable(idev->dev,
 * IOMMU_CAP_DIRTY_TRACKING)) cmd->out_capabilities |=
 * IOMMU_HW_CAP_DIRTY_TRACKING;` and hw_pagetable.c
 * iommufd_hwpt_paging_alloc(): `if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
 * && !device_iommu_capable(idev->dev, IOMMU_CAP_DIRTY_TRACKING)) return
 * ERR_PTR(-EOPNOTSUPP);` — the same question decides both.  The mock
 * tracks (selftest.c mock_domain_capable(): `return !(mdev->flags &
 * MOCK_FLAGS_DEVICE_NO_DIRTY)`); intel-iommu needs scalable mode with
 * SLADS (ssads_supported()), SMMUv3 HTTU (arm_smmu_dbm_capable()), which
 * QEMU does not emulate.
 */
TEST_F(hwpt_dirty, hw_info_capability_decides_dirty_tracking_hwpt_alloc)
{
	uint32_t hwpt = 0;
	int ret = __vct_iommu_hwpt_alloc(self->iommu, self->dev_id,
					 IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt);

	if (variant->mock)
		EXPECT_TRUE(tracks(self)) TH_LOG("%s: out_capabilities %#llx", self->who,
						 (unsigned long long)self->caps);
	if (tracks(self)) {
		EXPECT_EQ(0, ret) TH_LOG("%s advertises dirty tracking, HWPT_ALLOC: %s",
					 self->who, vct_errno_name(-ret));
		if (!ret)
			EXPECT_EQ(0, __vct_iommu_destroy(self->iommu, hwpt));
	} else {
		EXPECT_EQ(-EOPNOTSUPP, ret)
			TH_LOG("%s: no IOMMU_HW_CAP_DIRTY_TRACKING, HWPT_ALLOC with DIRTY_TRACKING: %s",
			       self->who, vct_errno_name(-ret));
	}
	TH_LOG("%s: IOMMU_GET_HW_INFO out_capabilities %#llx", self->who,
	       (unsigned long long)self->caps);
}

/*
 * hw_pagetable.c iommufd_hwpt_paging_alloc(): `const u32 valid_flags =
 * IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING;` ...
 * `if (flags & ~valid_flags) return ERR_PTR(-EOPNOTSUPP);`
 */
TEST_F(hwpt_dirty, hwpt_alloc_unknown_flag_refused_eopnotsupp)
{
	uint32_t hwpt = 0;

	EXPECT_EQ(-EOPNOTSUPP, __vct_iommu_hwpt_alloc(self->iommu, self->dev_id,
						      1u << 31, &hwpt)) TH_LOG("%s", self->who);
}

/*
 * A HWPT allocated without IOMMU_HWPT_ALLOC_DIRTY_TRACKING has no dirty
 * ops (the drivers set domain->dirty_ops only for that flag):
 * io_pagetable.c iopt_set_dirty_tracking(): `if (!ops) return -EOPNOTSUPP;`
 * (enable and disable alike) and iommu_read_and_clear_dirty(): `if (!ops ||
 * !ops->read_and_clear_dirty) return -EOPNOTSUPP;`.  On every IOMMU.
 */
TEST_F(hwpt_dirty, hwpt_without_dirty_flag_refuses_tracking_eopnotsupp)
{
	uint32_t hwpt = 0;
	int ret;

	ASSERT_EQ(0, __vct_iommu_hwpt_alloc(self->iommu, self->dev_id, 0, &hwpt))
		TH_LOG("%s", self->who);
	EXPECT_EQ(-EOPNOTSUPP, set_dirty(self, hwpt, true)) TH_LOG("%s", self->who);
	EXPECT_EQ(-EOPNOTSUPP, set_dirty(self, hwpt, false)) TH_LOG("%s", self->who);
	self->hwpt = hwpt;
	ret = get_all(self, 0);
	EXPECT_EQ(-EOPNOTSUPP, ret) TH_LOG("%s: GET_DIRTY_BITMAP: %s", self->who,
					    vct_errno_name(-ret));
	EXPECT_EQ(-1, first_wrong(self, NONE)) TH_LOG("the bitmap was written");
	EXPECT_EQ(0, __vct_iommu_destroy(self->iommu, hwpt));
}

/* ---- SET_DIRTY_TRACKING -------------------------------------------------- */

/*
 * hw_pagetable.c iommufd_hwpt_set_dirty_tracking(): `if (cmd->flags &
 * ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE) return rc;` (rc = -EOPNOTSUPP);
 * iommufd_get_hwpt_paging() of an id that is no HWPT (the IOAS's, or none):
 * iommufd_get_object() `obj = ERR_PTR(-ENOENT)`.  Enabling and disabling
 * twice succeed (the mock's set_dirty_tracking: "No change?" ... `return 0;`).
 */
TEST_F(hwpt_dirty, set_dirty_tracking_on_off_twice_unknown_flag_eopnotsupp_bad_id_enoent)
{
	NEED_TRACKING();
	EXPECT_EQ(0, set_dirty(self, self->hwpt, true));
	EXPECT_EQ(0, set_dirty(self, self->hwpt, true));
	EXPECT_EQ(0, set_dirty(self, self->hwpt, false));
	EXPECT_EQ(0, set_dirty(self, self->hwpt, false));
	EXPECT_EQ(-EOPNOTSUPP, __vct_iommu_hwpt_set_dirty(self->iommu, self->hwpt,
			IOMMU_HWPT_DIRTY_TRACKING_ENABLE | (1u << 1)));
	EXPECT_EQ(-ENOENT, set_dirty(self, self->dev_id, true))
		TH_LOG("a device id taken as a HWPT");
	EXPECT_EQ(-ENOENT, set_dirty(self, 0xfffffu, true));
}

/* ---- GET_DIRTY_BITMAP: content ----------------------------------------- */

/*
 * After enabling, nothing is dirty; IOMMU_TEST_OP_DIRTY marks the pattern
 * (out_nr_dirty: every marked page is mapped); GET_DIRTY_BITMAP reports
 * exactly those bits and nothing past the bitmap's last word; it clears
 * what it read (io_pagetable.c iommu_read_and_clear_dirty() without
 * IOMMU_DIRTY_NO_CLEAR), so the next GET reports none.
 */
TEST_F(hwpt_dirty, get_dirty_bitmap_reports_exactly_the_marked_pages_then_none)
{
	uint64_t want[NWORDS_MAX], count, nr = 0;
	int64_t wrong;

	NEED_MARKING();
	ASSERT_EQ(0, set_dirty(self, self->hwpt, true));
	ASSERT_EQ(0, get_all(self, 0));
	EXPECT_EQ(-1, first_wrong(self, NONE)) TH_LOG("dirty before any write");
	pattern(self, want, &count);
	ASSERT_EQ(0, mark(self, want, &nr));
	EXPECT_EQ(count, nr);
	ASSERT_EQ(0, get_all(self, 0));
	wrong = first_wrong(self, want);
	EXPECT_EQ(-1, wrong) TH_LOG("bit %lld of %llu wrong (words %#llx %#llx)",
				    (long long)wrong, (unsigned long long)self->npages,
				    (unsigned long long)self->bm[0],
				    (unsigned long long)self->bm[1]);
	ASSERT_EQ(0, get_all(self, 0));
	EXPECT_EQ(-1, first_wrong(self, NONE)) TH_LOG("bits not cleared by the first GET");
}

/*
 * IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR: reads without clearing
 * (iommu_read_and_clear_dirty(): `if (!(flags & IOMMU_DIRTY_NO_CLEAR))
 * iommu_iotlb_sync(...)`, the mock's mock_test_and_clear_dirty(): `if
 * (!(flags & IOMMU_DIRTY_NO_CLEAR))` clear): two NO_CLEAR reads report the
 * same bits, a plain read reports them once more and clears them.
 */
TEST_F(hwpt_dirty, no_clear_flag_reports_again_until_a_plain_get)
{
	uint64_t want[NWORDS_MAX], count, nr = 0;
	int i;

	NEED_MARKING();
	ASSERT_EQ(0, set_dirty(self, self->hwpt, true));
	pattern(self, want, &count);
	ASSERT_EQ(0, mark(self, want, &nr));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, get_all(self, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR));
		EXPECT_EQ(-1, first_wrong(self, want)) TH_LOG("NO_CLEAR read %d", i + 1);
	}
	ASSERT_EQ(0, get_all(self, 0));
	EXPECT_EQ(-1, first_wrong(self, want)) TH_LOG("plain read after NO_CLEAR");
	ASSERT_EQ(0, get_all(self, 0));
	EXPECT_EQ(-1, first_wrong(self, NONE)) TH_LOG("second plain read");
}

/*
 * io_pagetable.c iopt_set_dirty_tracking(): ("Clear dirty bits from PTEs
 * to ensure a clean snapshot") `if (enable) { ret =
 * iopt_clear_dirty_data(iopt, domain);` — pages dirtied in an earlier
 * tracking session are not reported in the next one.
 */
TEST_F(hwpt_dirty, enabling_again_forgets_pages_dirtied_before)
{
	uint64_t want[NWORDS_MAX], count, nr = 0;

	NEED_MARKING();
	ASSERT_EQ(0, set_dirty(self, self->hwpt, true));
	pattern(self, want, &count);
	ASSERT_EQ(0, mark(self, want, &nr));
	ASSERT_EQ(0, set_dirty(self, self->hwpt, false));
	ASSERT_EQ(0, set_dirty(self, self->hwpt, true));
	ASSERT_EQ(0, get_all(self, 0));
	EXPECT_EQ(-1, first_wrong(self, NONE)) TH_LOG("stale bits reported after re-enable");
}

/*
 * The kernel only sets bits (iova_bitmap.c iova_bitmap_set() ORs them in;
 * nothing clears the user's bitmap): bits set by the caller for clean pages
 * stay set.  The caller zeroes the bitmap.
 */
TEST_F(hwpt_dirty, bitmap_bits_are_only_set_never_cleared)
{
	uint64_t want[NWORDS_MAX], count, nr = 0;
	struct vct_hwpt_bitmap_req r = {
		.iova = BASE,
		.bitmap = self->bm,
	};

	NEED_MARKING();
	r.hwpt = self->hwpt;
	r.length = self->npages * self->pg;
	r.page_size = self->pg;
	ASSERT_EQ(0, set_dirty(self, self->hwpt, true));
	pattern(self, want, &count);
	ASSERT_EQ(0, mark(self, want, &nr));
	memset(self->bm, 0, sizeof(self->bm));
	self->bm[0] = 1ULL << 5;		/* page 5: clean */
	self->bm[(self->npages + 63) / 64] = GUARD;
	ASSERT_EQ(0, __vct_iommu_hwpt_get_dirty(self->iommu, &r));
	want[0] |= 1ULL << 5;
	EXPECT_EQ(-1, first_wrong(self, want)) TH_LOG("word 0 %#llx",
						     (unsigned long long)self->bm[0]);
}

/*
 * page_size is the bitmap's granule, not the IOMMU's: with page_size 4
 * IOMMU pages, bit n stands for pages [4n, 4n+4) and is set when any of
 * them is dirty (iommu_dirty_bitmap_record() -> iova_bitmap_set(), bits
 * `(iova - mapped->iova) >> mapped->pgshift`).
 */
TEST_F(hwpt_dirty, coarser_page_size_sets_one_bit_per_granule)
{
	uint64_t pages[NWORDS_MAX] = { 0 }, nr = 0;
	struct vct_hwpt_bitmap_req r = { .iova = BASE, .bitmap = self->bm };

	NEED_MARKING();
	r.hwpt = self->hwpt;
	r.length = self->npages * self->pg;
	r.page_size = 4 * self->pg;
	ASSERT_EQ(0, set_dirty(self, self->hwpt, true));
	pages[0] = 1ULL << 1 | 1ULL << 7 | 1ULL << 8;	/* granules 0, 1, 2 */
	pages[1] = 1ULL << (66 - 64);			/* granule 16 */
	ASSERT_EQ(0, mark(self, pages, &nr));
	EXPECT_EQ(4u, nr);
	memset(self->bm, 0, sizeof(self->bm));
	ASSERT_EQ(0, __vct_iommu_hwpt_get_dirty(self->iommu, &r));
	EXPECT_EQ(1ULL << 0 | 1ULL << 1 | 1ULL << 2 | 1ULL << 16, self->bm[0]);
	EXPECT_EQ(0u, self->bm[1]);
}

/* ---- GET_DIRTY_BITMAP: argument rules ------------------------------------ */

/*
 * hw_pagetable.c iommufd_hwpt_get_dirty_bitmap(): `if ((cmd->flags &
 * ~(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)) || cmd->__reserved) return
 * -EOPNOTSUPP;`; an id that is no HWPT: -ENOENT (iommufd_get_object());
 * io_pagetable.c iommufd_check_iova_range():
 * `if (check_add_overflow(bitmap->iova, bitmap->length - 1, &last_iova))
 * return -EOVERFLOW;` (also length 0: length - 1 wraps),
 * `if ((bitmap->iova & (iommu_pgsize - 1)) || ((last_iova + 1) &
 * (iommu_pgsize - 1))) return -EINVAL;` (iommu_pgsize = iova_alignment),
 * `if (!bitmap->page_size) return -EINVAL;`,
 * `if ((bitmap->iova & (bitmap->page_size - 1)) || ((last_iova + 1) &
 * (bitmap->page_size - 1))) return -EINVAL;`;
 * Nothing is written to the bitmap on any of these.
 */
TEST_F(hwpt_dirty, get_dirty_bitmap_argument_rules_exact_errnos)
{
	const uint64_t len = 8 * self->pg;
	const struct {
		const char *what;
		uint64_t iova, length, page_size;
		uint32_t flags, reserved, hwpt_bad;
		int err;
	} c[] = {
		{ "unknown flag", BASE, len, self->pg, 1u << 1, 0, 0, -EOPNOTSUPP },
		{ "__reserved set", BASE, len, self->pg, 0, 1, 0, -EOPNOTSUPP },
		{ "id of no HWPT", BASE, len, self->pg, 0, 0, 0xfffff, -ENOENT },
		{ "length 0", BASE, 0, self->pg, 0, 0, 0, -EOVERFLOW },
		{ "iova + length wraps", UINT64_MAX - self->pg + 1, 2 * self->pg, self->pg, 0, 0, 0, -EOVERFLOW },
		{ "iova not IOMMU-page aligned", BASE + self->pg / 2, len, self->pg, 0, 0, 0, -EINVAL },
		{ "end not IOMMU-page aligned", BASE, len + self->pg / 2, self->pg, 0, 0, 0, -EINVAL },
		{ "page_size 0", BASE, len, 0, 0, 0, 0, -EINVAL },
		{ "iova not page_size aligned", BASE + self->pg, len, 2 * self->pg, 0, 0, 0, -EINVAL },
		{ "end not page_size aligned", BASE, len + self->pg, 2 * self->pg, 0, 0, 0, -EINVAL },
	};
	size_t i;

	NEED_TRACKING();
	ASSERT_EQ(0, set_dirty(self, self->hwpt, true));
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vct_hwpt_bitmap_req r = {
			.hwpt = c[i].hwpt_bad ? c[i].hwpt_bad : self->hwpt,
			.flags = c[i].flags,
			.reserved = c[i].reserved,
			.iova = c[i].iova,
			.length = c[i].length,
			.page_size = c[i].page_size,
			.bitmap = self->bm,
		};
		int ret;

		memset(self->bm, 0, sizeof(self->bm));
		self->bm[(self->npages + 63) / 64] = GUARD;
		ret = __vct_iommu_hwpt_get_dirty(self->iommu, &r);
		EXPECT_EQ(c[i].err, ret) TH_LOG("%s: %s: %s, want %s", self->who, c[i].what,
						vct_errno_name(-ret), vct_errno_name(-c[i].err));
		EXPECT_EQ(-1, first_wrong(self, NONE)) TH_LOG("%s: bitmap written", c[i].what);
	}
}

/*
 * Linux 6.12 reports no error once the range checks have passed:
 * io_pagetable.c iommu_read_and_clear_dirty() calls
 * `iova_bitmap_for_each(iter, &arg, __iommu_read_and_clear_dirty);` and
 * returns its `ret = 0` whatever that answered, and iova_bitmap.c
 * iova_bitmap_set() drops bits it cannot pin a bitmap page for (`if
 * (iova_bitmap_advance_to(bitmap, iova)) return;`).  Pinned per version:
 * on 6.12 these answer 0; other versions are not pinned (0 or the error).
 */
static bool errors_lost(struct __test_metadata *_metadata)
{
	struct vct_kver kv = { 0 };

	EXPECT_EQ(0, __vct_kernel_version(&kv));
	return vct_kver_cmp(&kv, 6, 12) == 0;
}

/*
 * An unwritable bitmap: the pin fails (iova_bitmap_get():
 * pin_user_pages_fast(..., FOLL_WRITE) `if (ret <= 0) return -EFAULT;`),
 * which iova_bitmap_set() swallows: 6.12 answers 0, and the dirty bits are
 * gone (the domain cleared them while reporting): the next GET shows none.
 */
TEST_F(hwpt_dirty, get_dirty_bitmap_into_read_only_memory_answers_0_bits_lost_6_12)
{
	uint64_t want[NWORDS_MAX], count, nr = 0;
	struct vct_hwpt_bitmap_req r = { .iova = BASE };
	void *ro;
	int ret;

	NEED_MARKING();
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	r.hwpt = self->hwpt;
	r.length = self->npages * self->pg;
	r.page_size = self->pg;
	r.bitmap = ro;
	ASSERT_EQ(0, set_dirty(self, self->hwpt, true));
	pattern(self, want, &count);
	ASSERT_EQ(0, mark(self, want, &nr));
	ret = __vct_iommu_hwpt_get_dirty(self->iommu, &r);
	munmap(ro, 4096);
	if (errors_lost(_metadata)) {
		EXPECT_EQ(0, ret) TH_LOG("6.12 swallows the pin failure: %s", vct_errno_name(-ret));
		ASSERT_EQ(0, get_all(self, 0));
		EXPECT_EQ(-1, first_wrong(self, NONE)) TH_LOG("bits survived the failed read");
	} else {
		EXPECT_TRUE(ret == 0 || ret == -EFAULT) TH_LOG("%s", vct_errno_name(-ret));
	}
}

/*
 * Tracking off, the domain's read_and_clear_dirty op refuses a read that
 * would write bits: the mock's mock_domain_read_and_clear_dirty() `if
 * (!(mock->flags & MOCK_DIRTY_TRACK) && dirty->bitmap) return -EINVAL;`
 * (intel_iommu_read_and_clear_dirty() alike) before recording anything;
 * 6.12 answers 0 (errors_lost()) with no bit written.
 */
TEST_F(hwpt_dirty, get_dirty_bitmap_with_tracking_off_writes_no_bit)
{
	uint64_t want[NWORDS_MAX], count, nr = 0;
	int ret;

	NEED_MARKING();
	ASSERT_EQ(0, set_dirty(self, self->hwpt, true));
	pattern(self, want, &count);
	ASSERT_EQ(0, mark(self, want, &nr));
	ASSERT_EQ(0, set_dirty(self, self->hwpt, false));
	ret = get_all(self, 0);
	if (errors_lost(_metadata)) {
		EXPECT_EQ(0, ret) TH_LOG("%s", vct_errno_name(-ret));
	} else {
		EXPECT_TRUE(ret == 0 || ret == -EINVAL) TH_LOG("%s", vct_errno_name(-ret));
	}
	EXPECT_EQ(-1, first_wrong(self, NONE)) TH_LOG("bits written with tracking off");
}

VCT_HARNESS_MAIN
