// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_platform.c - libFuzzer target: the ACPI firmware-table parsers and
 * derivations of harness/platform.c (DMAR, IVRS, IORT).
 *
 * Input: a table.  Its signature chooses the parser; any other first four
 * bytes are replaced by DMAR, IVRS or IORT (byte 0 % 3).  The checksum
 * byte is fixed in a copy of exactly the input's size (so that the fuzzer
 * gets past the checksum and any read past the end is an ASan report; the
 * checksum's own rejection is unit-tested).  A parsed table is then asked
 * for the regions of a few devices.  Oracle: every region derived has
 * start <= end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char *const bdfs[] = {
	"0000:00:00.0", "0000:00:02.0", "0000:00:03.5", "0000:01:00.0", "0000:00:1f.2",
	"0001:00:02.0",
};

/* No bridges: a scope path through one names nothing. */
static int no_bridge(void *ctx, const char *bdf, unsigned int *sec, unsigned int *sub)
{
	(void)ctx;
	(void)bdf;
	(void)sec;
	(void)sub;
	return -ENODEV;
}

static void check(const struct vct_resv_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].start > l->v[i].end)
			abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char *const sigs[] = { "DMAR", "IVRS", "IORT" };
	const struct vct_pci_topo topo = { .bridge = no_bridge };
	struct vct_err err = { "" };
	unsigned char *buf;
	uint8_t sum = 0;
	size_t i, n;

	if (size < 10 || size > 65536)
		return 0;
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	for (i = 0; i < 3 && memcmp(buf, sigs[i], 4); i++)
		;
	if (i == 3)
		memcpy(buf, sigs[data[0] % 3], 4);
	buf[9] = 0;
	n = size >= 8 ? (size_t)(buf[4] | buf[5] << 8 | buf[6] << 16 | (uint32_t)buf[7] << 24) : size;
	if (n > size)
		n = size;
	for (i = 0; i < n; i++)
		sum = (uint8_t)(sum + buf[i]);
	buf[9] = (uint8_t)-sum;

	for (i = 0; i < VCT_ARRAY_SIZE(bdfs); i++) {
		struct vct_resv_list l = { 0 };

		if (!memcmp(buf, "DMAR", 4)) {
			struct vct_dmar d;
			unsigned int unresolved = 0;

			if (vct_dmar_parse("fuzz", buf, size, &d, &err))
				break;
			(void)vct_dmar_device_regions(&d, bdfs[i], i & 1 ? 0x0c0330 : 0x010802, &topo,
						      &l, &unresolved);
			vct_dmar_free(&d);
		} else if (!memcmp(buf, "IVRS", 4)) {
			struct vct_ivrs v;

			if (vct_ivrs_parse("fuzz", buf, size, &v, &err))
				break;
			(void)vct_ivrs_device_regions(&v, bdfs[i], &l, &err);
			vct_ivrs_free(&v);
		} else {
			struct vct_iort t;
			unsigned int covered;
			int model;

			if (vct_iort_parse("fuzz", buf, size, &t, &err))
				break;
			(void)vct_iort_device_regions(&t, bdfs[i], true, 4096, &l, &covered, &model,
						      &err);
			vct_iort_free(&t);
		}
		check(&l);
		vct_resv_free(&l);
	}
	free(buf);
	return 0;
}
