// SPDX-License-Identifier: GPL-2.0
/*
 * platform_test - the firmware-table parsers and derivations of
 * harness/platform.c on fixtures/acpi/: a DMAR table captured from the
 * q35 + VT-d guest, a hand-made one with RMRRs, and broken ones.  Every
 * rejection checks the errno and what the message says (it is what a run
 * on a broken platform shows).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "test.h"
#include "util.h"

#define ACPI	VCT_FIXTURES "/acpi/"

FIXTURE(platform) {
	uint8_t buf[4096];
	size_t len;
	struct vct_dmar d;
	struct vct_err err;
	struct vct_resv_list l;
};

FIXTURE_SETUP(platform)
{
	vct_mark_test(_metadata, variant);
	memset(self, 0, sizeof(*self));
}

FIXTURE_TEARDOWN(platform)
{
	vct_dmar_free(&self->d);
	vct_resv_free(&self->l);
}

static size_t load(struct __test_metadata *_metadata, const char *name,
		   uint8_t *buf, size_t max)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), ACPI "%s", name);
	f = fopen(path, "re");
	if (!f) {
		TH_LOG("%s: %s", path, strerror(errno));
		return 0;
	}
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

#define PARSE(name) \
	vct_dmar_parse(name, self->buf, \
		       self->len = load(_metadata, name, self->buf, sizeof(self->buf)), \
		       &self->d, &self->err)

#define EXPECT_SAYS(what) \
	EXPECT_TRUE(strstr(self->err.msg, what) != NULL) \
		TH_LOG("message \"%s\" should say \"%s\"", self->err.msg, what)

/*
 * A fake PCI topology: bridge 00:1c.0 with bus 2 behind it, bridge 00:1d.0
 * with buses 3-5; nothing else is a bridge.
 */
static int fake_bridge(void *ctx, const char *bdf, unsigned int *sec, unsigned int *sub)
{
	(void)ctx;
	if (!strcmp(bdf, "0000:00:1c.0")) {
		*sec = *sub = 2;
		return 0;
	}
	if (!strcmp(bdf, "0000:00:1d.0")) {
		*sec = 3;
		*sub = 5;
		return 0;
	}
	return -ENODEV;
}

static const struct vct_pci_topo topo = { .bridge = fake_bridge };

/* QEMU 7.2's q35 DMAR with intel-iommu,intremap=on: one DRHD, no RMRR. */
TEST_F(platform, dmar_q35_captured_parses)
{
	unsigned int unresolved = 0;

	ASSERT_EQ(0, PARSE("dmar-q35-qemu7.2")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(1u, self->d.ndrhd);
	EXPECT_EQ(0u, self->d.nrmrr);
	/* aw-bits=48: the host address width field says 48 - 1 */
	EXPECT_EQ(48u, self->d.haw);
	EXPECT_EQ(1, self->d.flags & 1) TH_LOG("INTR_REMAP flag (intremap=on)");
	/* the ICH9 LPC (ISA bridge) gets the floppy window, nothing else anything */
	ASSERT_EQ(0, vct_dmar_device_regions(&self->d, "0000:00:1f.0", 0x060100, &topo,
					     &self->l, &unresolved));
	ASSERT_EQ(1u, self->l.n);
	EXPECT_EQ(0u, self->l.v[0].start);
	EXPECT_EQ(0xffffffull, self->l.v[0].end);
	EXPECT_EQ(VCT_RESV_DIRECT_RELAXABLE, self->l.v[0].type);
	ASSERT_EQ(0, vct_dmar_device_regions(&self->d, "0000:00:03.0", 0x00ff00, &topo,
					     &self->l, &unresolved));
	EXPECT_EQ(1u, self->l.n);
	EXPECT_EQ(0u, unresolved);
}

/* Three RMRRs: a USB endpoint, an NVMe behind a bridge, a display sub-hierarchy. */
TEST_F(platform, dmar_rmrr_scopes_give_device_regions)
{
	unsigned int unresolved = 0;

	ASSERT_EQ(0, PARSE("dmar-good")) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(3u, self->d.nrmrr);
	EXPECT_EQ(0x7a000000ull, self->d.rmrr[0].base);
	EXPECT_EQ(0x7a0fffffull, self->d.rmrr[0].limit);
	ASSERT_EQ(1u, self->d.rmrr[1].nscopes);
	EXPECT_EQ(2, self->d.rmrr[1].scopes[0].npath);

	/* USB controller 00:14.0: its RMRR is relaxable */
	ASSERT_EQ(0, vct_dmar_device_regions(&self->d, "0000:00:14.0", 0x0c0330, &topo,
					     &self->l, &unresolved));
	ASSERT_EQ(1u, self->l.n);
	EXPECT_EQ(0x7a000000ull, self->l.v[0].start);
	EXPECT_EQ(VCT_RESV_DIRECT_RELAXABLE, self->l.v[0].type);
	vct_resv_free(&self->l);

	/* 02:00.0 through bridge 00:1c.0 (path 1c.0 -> 00.0): direct */
	ASSERT_EQ(0, vct_dmar_device_regions(&self->d, "0000:02:00.0", 0x010802, &topo,
					     &self->l, &unresolved));
	ASSERT_EQ(1u, self->l.n);
	EXPECT_EQ(0x7b000000ull, self->l.v[0].start);
	EXPECT_EQ(0x7b3fffffull, self->l.v[0].end);
	EXPECT_EQ(VCT_RESV_DIRECT, self->l.v[0].type);
	vct_resv_free(&self->l);

	/* a display device on bus 4, below sub-hierarchy scope 00:1d.0 */
	ASSERT_EQ(0, vct_dmar_device_regions(&self->d, "0000:04:00.0", 0x030000, &topo,
					     &self->l, &unresolved));
	ASSERT_EQ(1u, self->l.n);
	EXPECT_EQ(0x7c000000ull, self->l.v[0].start);
	EXPECT_EQ(VCT_RESV_DIRECT_RELAXABLE, self->l.v[0].type);
	vct_resv_free(&self->l);

	/* bus 6 is outside 00:1d.0's 3-5; 00:14.1 is not 00:14.0: nothing */
	ASSERT_EQ(0, vct_dmar_device_regions(&self->d, "0000:06:00.0", 0x010802, &topo,
					     &self->l, &unresolved));
	ASSERT_EQ(0, vct_dmar_device_regions(&self->d, "0000:00:14.1", 0x0c0330, &topo,
					     &self->l, &unresolved));
	EXPECT_EQ(0u, self->l.n);
	EXPECT_EQ(0u, unresolved);
}

TEST_F(platform, dmar_scope_pointing_nowhere_reserves_nothing)
{
	unsigned int unresolved = 0;
	char bdf[VCT_BDF_LEN];

	ASSERT_EQ(0, PARSE("dmar-scope-nowhere")) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(1u, self->d.nrmrr);
	/* its path goes through 00:1e.0, which is no bridge */
	EXPECT_EQ(-ENODEV, vct_dmar_scope_bdf(&self->d.rmrr[0].scopes[0], 0, &topo, bdf));
	ASSERT_EQ(0, vct_dmar_device_regions(&self->d, "0000:00:1e.0", 0x060400, &topo,
					     &self->l, &unresolved));
	EXPECT_EQ(0u, self->l.n);
	EXPECT_EQ(1u, unresolved);
}

TEST_F(platform, dmar_truncated_refused)
{
	EXPECT_EQ(-EINVAL, PARSE("dmar-truncated"));
	EXPECT_SAYS("header length 162, but 152 bytes (truncated)");
	EXPECT_EQ(-EINVAL, PARSE("dmar-short-header"));
	EXPECT_SAYS("truncated: 40 bytes");
	EXPECT_EQ(-EINVAL, vct_dmar_parse("empty", self->buf, 0, &self->d, &self->err));
}

TEST_F(platform, dmar_bad_checksum_refused)
{
	EXPECT_EQ(-EINVAL, PARSE("dmar-bad-checksum"));
	EXPECT_SAYS("checksum: the 162 bytes sum to 0x01, not 0");
}

TEST_F(platform, dmar_bad_lengths_refused)
{
	EXPECT_EQ(-EINVAL, PARSE("dmar-bad-structure-length"));
	EXPECT_SAYS("offset 0x40: structure type 1 of length 200");
	EXPECT_EQ(-EINVAL, PARSE("dmar-bad-scope-length"));
	EXPECT_SAYS("offset 0x40: device scope length 7");
	/* found by fuzz_platform: a region of negative length */
	EXPECT_EQ(-EINVAL, PARSE("dmar-rmrr-limit-below-base"));
	EXPECT_SAYS("offset 0x40: RMRR [0x7a000000-0x79fff000] ends before it starts");
	/* the signature is checked first of all */
	ASSERT_LT(0u, load(_metadata, "dmar-good", self->buf, sizeof(self->buf)));
	memcpy(self->buf, "IVRS", 4);
	EXPECT_EQ(-EINVAL, vct_dmar_parse("ivrs", self->buf, 162, &self->d, &self->err));
	EXPECT_SAYS("signature 'IVRS', not DMAR");
}

/* ---- device tree (fixtures/dt/: trees laid out as /sys/firmware/devicetree/base) */

#define DT	VCT_FIXTURES "/dt/"

#define EXPECT_REGION(i, s, e, t) do { \
	EXPECT_EQ((uint64_t)(s), self->l.v[i].start); \
	EXPECT_EQ((uint64_t)(e), self->l.v[i].end); \
	EXPECT_EQ(t, self->l.v[i].type); \
} while (0)

/* The arm64 SMMUv3 profile's dt_resv, as harness/sh/dtb.sh writes it. */
TEST_F(platform, dt_iommu_addresses_give_device_regions)
{
	ASSERT_EQ(0, vct_dt_device_regions(DT "virt-resv", "0000:00:05.0", &self->l, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(1u, self->l.n);
	/* no reg: IOMMU_RESV_RESERVED */
	EXPECT_REGION(0, 0x7f0000000000ull, 0x7f00000fffffull, VCT_RESV_RESERVED);
	vct_resv_free(&self->l);

	ASSERT_EQ(0, vct_dt_device_regions(DT "virt-resv", "0000:00:06.0", &self->l, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(1u, self->l.n);
	/* reg equal to the IOVA range: IOMMU_RESV_DIRECT */
	EXPECT_REGION(0, 0x2000000000ull, 0x20000fffffull, VCT_RESV_DIRECT);
	vct_resv_free(&self->l);

	/* a device without a node, one on another bus, one in another domain: nothing */
	EXPECT_EQ(0, vct_dt_device_regions(DT "virt-resv", "0000:00:04.0", &self->l, &self->err));
	EXPECT_EQ(0, vct_dt_device_regions(DT "virt-resv", "0000:01:05.0", &self->l, &self->err));
	EXPECT_EQ(0, vct_dt_device_regions(DT "virt-resv", "0001:00:05.0", &self->l, &self->err));
	EXPECT_EQ(0u, self->l.n);
	/* no device tree at all: nothing */
	EXPECT_EQ(0, vct_dt_device_regions(DT "no-such-tree", "0000:00:05.0", &self->l, &self->err));
	EXPECT_EQ(0u, self->l.n);
}

/* "treating non-direct mapping [...] as reservation" (iommu_resv_region_get_type) */
TEST_F(platform, dt_reg_other_than_the_iova_range_is_reserved)
{
	ASSERT_EQ(0, vct_dt_device_regions(DT "reg-not-iova", "0000:00:06.0", &self->l, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(1u, self->l.n);
	EXPECT_REGION(0, 0x2000000000ull, 0x20000fffffull, VCT_RESV_RESERVED);
}

TEST_F(platform, dt_dma_ranges_not_derived)
{
	EXPECT_EQ(-ENOENT, vct_dt_device_regions(DT "dma-ranges", "0000:00:05.0", &self->l,
						 &self->err));
	EXPECT_SAYS("pcie@10000000/dma-ranges: addresses translate through it");
	EXPECT_EQ(0u, self->l.n);
}

TEST_F(platform, dt_malformed_refused)
{
	EXPECT_EQ(-EINVAL, vct_dt_device_regions(DT "phandle-nowhere", "0000:00:05.0", &self->l,
						 &self->err));
	EXPECT_SAYS("vfioct-dev@5,0/memory-region: phandle 0x8fff names no node");
	EXPECT_EQ(-EINVAL, vct_dt_device_regions(DT "short-iommu-addresses", "0000:00:05.0",
						 &self->l, &self->err));
	EXPECT_SAYS("vfioct-reserved-7f0000000000/iommu-addresses: 4 cells, not entries of <phandle> + 3 address + 2 size cells");
	EXPECT_EQ(-EINVAL, vct_dt_device_regions(DT "odd-cells", "0000:00:05.0", &self->l,
						 &self->err));
	EXPECT_SAYS("iommu-addresses: 7 cells, not entries of");
	EXPECT_EQ(-EINVAL, vct_dt_device_regions(DT "partial-cell", "0000:00:05.0", &self->l,
						 &self->err));
	EXPECT_SAYS("iommu-addresses: 22 bytes, not whole cells");
	EXPECT_EQ(-EINVAL, vct_dt_device_regions(DT "virt-resv", "00:05", &self->l, &self->err));
	/* the other device's node is sound: its region still derives */
	EXPECT_EQ(0, vct_dt_device_regions(DT "phandle-nowhere", "0000:00:06.0", &self->l,
					   &self->err));
	EXPECT_EQ(1u, self->l.n);
}

/* ---- IVRS (fixtures/acpi/ivrs-*, hand-made) ---------------------------------- */

static int ivrs_load(struct __test_metadata *_metadata, const char *name, struct vct_ivrs *v,
		     struct vct_err *err)
{
	static uint8_t buf[4096];

	return vct_ivrs_parse(name, buf, load(_metadata, name, buf, sizeof(buf)), v, err);
}

/* One IVHD and six IVMDs: all devices, 00:02.0 exclusion, bus 1 range, and three that apply to nothing here. */
TEST_F(platform, ivrs_ivmd_blocks_give_device_regions)
{
	struct vct_ivrs v;

	ASSERT_EQ(0, ivrs_load(_metadata, "ivrs-good", &v, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(1u, v.nivhd);
	ASSERT_EQ(6u, v.nivmd);
	/* 00:02.0: type 0x20 and its exclusion range, direct since 5.2 */
	ASSERT_EQ(0, vct_ivrs_device_regions(&v, "0000:00:02.0", &self->l, &self->err));
	ASSERT_EQ(2u, self->l.n);
	EXPECT_REGION(0, 0xa0000000ull, 0xa00fffffull, VCT_RESV_DIRECT);
	EXPECT_REGION(1, 0xb0000000ull, 0xb0001fffull, VCT_RESV_DIRECT);
	vct_resv_free(&self->l);
	/* 01:00.3 in the 0x22 range: PAGE_ALIGN(0xc0000123) + PAGE_ALIGN(0x1800) */
	ASSERT_EQ(0, vct_ivrs_device_regions(&v, "0000:01:00.3", &self->l, &self->err));
	ASSERT_EQ(2u, self->l.n);
	EXPECT_REGION(1, 0xc0001000ull, 0xc0002fffull, VCT_RESV_DIRECT);
	vct_resv_free(&self->l);
	/* segment 1's 00:02.0: only its own segment's block */
	ASSERT_EQ(0, vct_ivrs_device_regions(&v, "0001:00:02.0", &self->l, &self->err));
	ASSERT_EQ(1u, self->l.n);
	EXPECT_REGION(0, 0xe0000000ull, 0xe0000fffull, VCT_RESV_DIRECT);
	vct_resv_free(&self->l);
	/* 00:03.0: only the all-peripherals block */
	ASSERT_EQ(0, vct_ivrs_device_regions(&v, "0000:00:03.0", &self->l, &self->err));
	EXPECT_EQ(1u, self->l.n);
	vct_ivrs_free(&v);
}

TEST_F(platform, ivrs_malformed_refused)
{
	struct vct_ivrs v;

	EXPECT_EQ(-EINVAL, ivrs_load(_metadata, "ivrs-truncated", &v, &self->err));
	EXPECT_SAYS("header length 264, but 254 bytes (truncated)");
	EXPECT_EQ(-EINVAL, ivrs_load(_metadata, "ivrs-bad-checksum", &v, &self->err));
	EXPECT_SAYS("checksum: the 264 bytes sum to 0x");
	EXPECT_EQ(-EINVAL, ivrs_load(_metadata, "ivrs-bad-ivmd-length", &v, &self->err));
	EXPECT_SAYS("offset 0x48: IVMD length 24, not 32");
	EXPECT_EQ(-EINVAL, ivrs_load(_metadata, "ivrs-bad-block-length", &v, &self->err));
	EXPECT_SAYS("offset 0x30: block type 0x10 of length 200");
	EXPECT_EQ(-EINVAL, ivrs_load(_metadata, "ivrs-bad-range", &v, &self->err));
	EXPECT_SAYS("IVMD device range 0x0200-0x01ff ends before it starts");
	EXPECT_EQ(-EINVAL, ivrs_load(_metadata, "dmar-good", &v, &self->err));
	EXPECT_SAYS("not IVRS");
}

/* ---- IORT (fixtures/acpi/iort-*, hand-made) ----------------------------------- */

static int iort_load(struct __test_metadata *_metadata, const char *name, struct vct_iort *t,
		     struct vct_err *err)
{
	static uint8_t buf[4096];

	return vct_iort_parse(name, buf, load(_metadata, name, buf, sizeof(buf)), t, err);
}

/*
 * Two SMMUv3s, root complexes of segments 0 and 1, five RMRs: 00:02.0's
 * stream ID on SMMU 1 (direct, one range unaligned), 00:03.* (remapping
 * permitted), 00:02.0's stream ID on SMMU 2 (covers nothing: another
 * SMMU), one without ID mappings (skipped), stream ID 0 on SMMU 2 (which
 * 01:00.0 reaches only through the off-by-one workaround).
 */
TEST_F(platform, iort_rmr_nodes_give_device_regions)
{
	struct vct_iort t;
	unsigned int covered;
	int model;

	ASSERT_EQ(0, iort_load(_metadata, "iort-good", &t, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(5, t.revision);
	ASSERT_EQ(9u, t.nnodes);
	/* 00:02.0: RID 0x10 -> SMMU 1 stream 0x10010; the unaligned range widened to pages */
	ASSERT_EQ(0, vct_iort_device_regions(&t, "0000:00:02.0", true, 4096, &self->l, &covered,
					     &model, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(1u, covered);
	EXPECT_EQ(0, model);
	ASSERT_EQ(2u, self->l.n);
	EXPECT_REGION(0, 0x80000000ull, 0x801fffffull, VCT_RESV_DIRECT);
	EXPECT_REGION(1, 0x90001000ull, 0x90002fffull, VCT_RESV_DIRECT);
	vct_resv_free(&self->l);
	/* the same without preserve_config: covered, but nothing reserved */
	ASSERT_EQ(0, vct_iort_device_regions(&t, "0000:00:02.0", false, 4096, &self->l, &covered,
					     NULL, &self->err));
	EXPECT_EQ(1u, covered);
	EXPECT_EQ(0u, self->l.n);
	/* 00:03.5: in the 8-ID range, remapping permitted */
	ASSERT_EQ(0, vct_iort_device_regions(&t, "0000:00:03.5", true, 4096, &self->l, &covered,
					     NULL, &self->err));
	EXPECT_EQ(1u, covered);
	ASSERT_EQ(1u, self->l.n);
	EXPECT_REGION(0, 0xa0000000ull, 0xa000ffffull, VCT_RESV_DIRECT_RELAXABLE);
	vct_resv_free(&self->l);
	/* 01:00.0: the last ID of range 0x000-0x100 is the first of the next: SMMU 2, stream 0 */
	ASSERT_EQ(0, vct_iort_device_regions(&t, "0000:01:00.0", true, 4096, &self->l, &covered,
					     NULL, &self->err));
	EXPECT_EQ(1u, covered);
	ASSERT_EQ(1u, self->l.n);
	EXPECT_REGION(0, 0xd0000000ull, 0xd000ffffull, VCT_RESV_DIRECT);
	vct_resv_free(&self->l);
	/* 01:02.0 (SMMU 2, stream 0x10), segment 1's 00:02.0, a segment without a root complex */
	EXPECT_EQ(0, vct_iort_device_regions(&t, "0000:01:02.0", true, 4096, &self->l, &covered,
					     NULL, &self->err));
	EXPECT_EQ(0u, covered);
	EXPECT_EQ(0, vct_iort_device_regions(&t, "0001:00:02.0", true, 4096, &self->l, &covered,
					     NULL, &self->err));
	EXPECT_EQ(0u, covered);
	EXPECT_EQ(0, vct_iort_device_regions(&t, "0002:00:00.0", true, 4096, &self->l, &covered,
					     &model, &self->err));
	EXPECT_EQ(0u, covered);
	EXPECT_EQ(-1, model);
	EXPECT_EQ(0u, self->l.n);
	EXPECT_EQ(-EINVAL, vct_iort_device_regions(&t, "00:02.0", true, 4096, &self->l, &covered,
						   NULL, &self->err));
	vct_iort_free(&t);
}

/* Before revision 5 (DEN 0049E.d) the kernel reads no RMR (iort_find_rmrs). */
TEST_F(platform, iort_rmr_before_revision_5_ignored)
{
	struct vct_iort t;
	unsigned int covered;

	ASSERT_EQ(0, iort_load(_metadata, "iort-rev3", &t, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(3, t.revision);
	ASSERT_EQ(0, vct_iort_device_regions(&t, "0000:00:02.0", true, 4096, &self->l, &covered,
					     NULL, &self->err));
	EXPECT_EQ(0u, covered);
	EXPECT_EQ(0u, self->l.n);
	vct_iort_free(&t);
}

TEST_F(platform, iort_malformed_refused)
{
	struct vct_iort t;
	unsigned int covered;

	EXPECT_EQ(-EINVAL, iort_load(_metadata, "iort-truncated", &t, &self->err));
	EXPECT_SAYS("header length 664, but 654 bytes (truncated)");
	EXPECT_EQ(-EINVAL, iort_load(_metadata, "iort-bad-checksum", &t, &self->err));
	EXPECT_SAYS("checksum: the 664 bytes sum to 0x");
	EXPECT_EQ(-EINVAL, iort_load(_metadata, "iort-bad-node-length", &t, &self->err));
	EXPECT_SAYS("offset 0x74: node type 4 of length 8 (below its 16-byte header");
	EXPECT_EQ(-EINVAL, iort_load(_metadata, "iort-bad-mapping-ref", &t, &self->err));
	EXPECT_SAYS("offset 0xb8: ID mapping 1 outputs to offset 0x34, where no node starts");
	EXPECT_EQ(-EINVAL, iort_load(_metadata, "iort-bad-rmr-ranges", &t, &self->err));
	EXPECT_SAYS("offset 0x144: RMR node: 4 memory ranges at +0x1c run past its 88 bytes");
	EXPECT_EQ(-EINVAL, iort_load(_metadata, "iort-node-overflow", &t, &self->err));
	EXPECT_SAYS("offset 0x298: node 10 of 10 runs past the table's end (664)");
	EXPECT_EQ(-EINVAL, iort_load(_metadata, "ivrs-good", &t, &self->err));
	EXPECT_SAYS("not IORT");
	/* parsed, but refused when derived */
	ASSERT_EQ(0, iort_load(_metadata, "iort-rmr-zero-length", &t, &self->err));
	EXPECT_EQ(-EINVAL, vct_iort_device_regions(&t, "0000:00:02.0", true, 4096, &self->l,
						   &covered, NULL, &self->err));
	EXPECT_SAYS("RMR node at offset 0x144: memory range 1 at 0x90001234 has zero length");
	vct_iort_free(&t);
	ASSERT_EQ(0, iort_load(_metadata, "iort-mapping-loop", &t, &self->err));
	EXPECT_EQ(-EINVAL, vct_iort_device_regions(&t, "0001:00:02.0", true, 4096, &self->l,
						   &covered, NULL, &self->err));
	EXPECT_SAYS("IORT: the ID mappings of 0001:00:02.0 loop");
	vct_iort_free(&t);
}

/* ---- apertures of the other IOMMUs --------------------------------------------- */

/* QEMU 7.2's amd-iommu EFR (0x29d3: GTSup set, GIOSup clear), and one with both. */
TEST_F(platform, amdvi_aperture_from_page_table_mode)
{
	const uint64_t qemu = 0x29d3, v2ok = 0x29d3 | 1ull << 48, v2ok5 = (v2ok & ~(3ull << 12)) | 1ull << 12;
	struct vct_range r;
	char how[256];

	ASSERT_EQ(0, vct_amdvi_aperture(qemu, false, false, 6, 12, &r, how, sizeof(how)));
	EXPECT_EQ(0ull, r.start);
	EXPECT_EQ(UINT64_MAX, r.last) TH_LOG("%s", how);
	/* pgtbl_v2 without GIOSup: the kernel falls back to v1 */
	ASSERT_EQ(0, vct_amdvi_aperture(qemu, true, false, 6, 12, &r, how, sizeof(how)));
	EXPECT_EQ(UINT64_MAX, r.last);
	EXPECT_TRUE(strstr(how, "falls back") != NULL) TH_LOG("%s", how);
	/* v2, 4 levels: PM_LEVEL_SHIFT(4) - 1 = 47 bits */
	ASSERT_EQ(0, vct_amdvi_aperture(v2ok, true, false, 6, 12, &r, how, sizeof(how)));
	EXPECT_EQ((1ull << 47) - 1, r.last) TH_LOG("%s", how);
	/* 5 levels only with LA57 and GATS = 1: 56 bits */
	ASSERT_EQ(0, vct_amdvi_aperture(v2ok5, true, false, 6, 12, &r, how, sizeof(how)));
	EXPECT_EQ((1ull << 47) - 1, r.last);
	ASSERT_EQ(0, vct_amdvi_aperture(v2ok5, true, true, 6, 12, &r, how, sizeof(how)));
	EXPECT_EQ((1ull << 56) - 1, r.last) TH_LOG("%s", how);
	/* kernels whose source this is not derived from */
	EXPECT_EQ(-ENOENT, vct_amdvi_aperture(qemu, false, false, 7, 2, &r, how, sizeof(how)));
	EXPECT_TRUE(strstr(how, "not for Linux 7.2") != NULL) TH_LOG("%s", how);
	EXPECT_EQ(-ENOENT, vct_amdvi_aperture(qemu, false, false, 5, 10, &r, how, sizeof(how)));
}

/* The driver's probe line as QEMU 7.2's SMMUv3 makes Linux 6.12 print it. */
TEST_F(platform, smmuv3_aperture_from_probe_line_and_va_bits)
{
	unsigned int ias = 0, oas = 0;
	uint32_t feat = 0;
	struct vct_range r;
	char how[256];

	ASSERT_EQ(0, vct_smmuv3_probe_line("arm-smmu-v3 arm-smmu-v3.0.auto: ias 44-bit, oas 44-bit (features 0x00008305)",
					   &ias, &oas, &feat));
	EXPECT_EQ(44u, ias);
	EXPECT_EQ(44u, oas);
	EXPECT_EQ(0x8305u, feat);
	EXPECT_EQ(-EINVAL, vct_smmuv3_probe_line("arm-smmu-v3 arm-smmu-v3.0.auto: msi_domain absent",
						 &ias, &oas, &feat));
	/* stage 1 (bit 9), no VAX: min(48, VA_BITS) */
	ASSERT_EQ(0, vct_smmuv3_aperture(44, 0x8305, 48, &r, how, sizeof(how)));
	EXPECT_EQ((1ull << 48) - 1, r.last) TH_LOG("%s", how);
	ASSERT_EQ(0, vct_smmuv3_aperture(44, 0x8305, 39, &r, how, sizeof(how)));
	EXPECT_EQ((1ull << 39) - 1, r.last);
	/* VAX (bit 14) with 52-bit VA_BITS; with 48 it changes nothing */
	ASSERT_EQ(0, vct_smmuv3_aperture(52, 0x8305 | 1u << 14, 52, &r, how, sizeof(how)));
	EXPECT_EQ((1ull << 52) - 1, r.last) TH_LOG("%s", how);
	ASSERT_EQ(0, vct_smmuv3_aperture(52, 0x8305 | 1u << 14, 48, &r, how, sizeof(how)));
	EXPECT_EQ((1ull << 48) - 1, r.last);
	/* stage 2 only: the IAS */
	ASSERT_EQ(0, vct_smmuv3_aperture(40, (0x8305 & ~(1u << 9)) | 1u << 10, 48, &r, how, sizeof(how)));
	EXPECT_EQ((1ull << 40) - 1, r.last) TH_LOG("%s", how);
	/* stage 1 with VA_BITS unknown, and no stage at all */
	EXPECT_EQ(-ENOENT, vct_smmuv3_aperture(44, 0x8305, 0, &r, how, sizeof(how)));
	EXPECT_EQ(-ENOENT, vct_smmuv3_aperture(44, 0x8305 & ~(3u << 9), 48, &r, how, sizeof(how)));
}

/* The kernel's list order and merging (iommu_insert_resv_region). */
TEST_F(platform, resv_normalize_sorts_and_merges_same_type)
{
	static const struct vct_resv_region in[] = {
		{ 0xfee00000, 0xfeefffff, VCT_RESV_MSI, 0 },
		{ 0x0, 0xffffff, VCT_RESV_DIRECT_RELAXABLE, 0 },
		{ 0x1000000, 0x1ffffff, VCT_RESV_DIRECT_RELAXABLE, 0 },	/* touches: merged */
		{ 0x800000, 0x8fffff, VCT_RESV_DIRECT, 0 },		/* other type: kept */
	};

	self->l.v = malloc(sizeof(in));
	ASSERT_NE(NULL, self->l.v);
	memcpy(self->l.v, in, sizeof(in));
	self->l.n = VCT_ARRAY_SIZE(in);
	vct_resv_normalize(&self->l);
	ASSERT_EQ(3u, self->l.n);
	EXPECT_EQ(0x0ull, self->l.v[0].start);
	EXPECT_EQ(0x1ffffffull, self->l.v[0].end);
	EXPECT_EQ(VCT_RESV_DIRECT_RELAXABLE, self->l.v[0].type);
	EXPECT_EQ(0x800000ull, self->l.v[1].start);
	EXPECT_EQ(VCT_RESV_DIRECT, self->l.v[1].type);
	EXPECT_EQ(0xfee00000ull, self->l.v[2].start);
}

VCT_HARNESS_MAIN
