// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_capchain.c - libFuzzer target: the INFO capability-chain walker and
 * the type1 capability decoders (capchain.h).
 *
 * Input: byte 0 the fixed struct's size (% 64), bytes 1-4 the first
 * capability offset (little-endian), byte 5 bit 0 the alignment mode, the
 * rest the info buffer, copied into an allocation of exactly argsz bytes so
 * that any read past argsz is an ASan report.  Oracle: every capability a
 * successful walk returns lies after the fixed struct and inside argsz, is
 * at least a header long, and offsets strictly increase.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "capchain.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define MAX_CAPS 16

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct vct_cap caps[MAX_CAPS];
	struct vct_err err = { 0 };
	uint32_t fixed, first, argsz, mis = 0;
	size_t n = 0, i;
	unsigned char *buf;

	if (size < 6 || size - 6 > 65536)
		return 0;
	fixed = data[0] % 64;
	first = (uint32_t)data[1] | (uint32_t)data[2] << 8 |
		(uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
	argsz = (uint32_t)(size - 6);
	buf = malloc(argsz ? argsz : 1);
	if (!buf)
		abort();
	memcpy(buf, data + 6, argsz);
	if (vct_capchain_walk_align(buf, argsz, fixed, first,
				    (data[5] & 1) ? VCT_CAPCHAIN_LENIENT : VCT_CAPCHAIN_STRICT,
				    caps, MAX_CAPS, &n, &mis, &err))
		goto out;
	for (i = 0; i < n; i++) {
		const struct vct_cap *c = &caps[i];
		struct vct_ranges r = { 0 };
		struct vct_cap_migration m;
		uint32_t avail;

		if (c->offset < fixed || c->len < VCT_CAP_HEADER_SIZE ||
		    (uint64_t)c->offset + c->len > argsz ||
		    (i && c->offset <= caps[i - 1].offset)) {
			fprintf(stderr, "cap %zu at 0x%x len %u: outside [0x%x, 0x%x)\n",
				i, c->offset, c->len, fixed, argsz);
			abort();
		}
		if (!vct_cap_iova_ranges(buf, c, &r, &err))
			vct_ranges_free(&r);
		(void)vct_cap_dma_avail(buf, c, &avail, &err);
		(void)vct_cap_migration(buf, c, &m, &err);
	}
	(void)vct_cap_find(caps, n, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
out:
	free(buf);
	return 0;
}
