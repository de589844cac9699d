// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_resv.c - libFuzzer target: the reserved_regions parser (resv.h).
 *
 * Input: the file's bytes.  Oracle besides the sanitizers: what the parser
 * accepts is exactly what the kernel prints, so a successful parse printed
 * back in the kernel's format ("0x%016llx 0x%016llx %s\n",
 * iommu_group_show_resv_regions) must reproduce the input byte for byte;
 * validate and to_ranges must then run clean on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resv.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct vct_resv_list l;
	struct vct_ranges r = { 0 };
	struct vct_err err = { 0 };
	char *back;
	size_t i, used = 0;

	if (vct_resv_parse_buf("fuzz", (const char *)data, size, 4096, &l, &err))
		return 0;
	back = malloc(l.n * 64 + 1);
	if (!back)
		abort();
	for (i = 0; i < l.n; i++)
		used += (size_t)sprintf(back + used, "0x%016llx 0x%016llx %s\n",
					(unsigned long long)l.v[i].start,
					(unsigned long long)l.v[i].end,
					vct_resv_type_name(l.v[i].type));
	if (used != size || memcmp(back, data, size)) {
		fprintf(stderr, "accepted input does not print back as the kernel would\n");
		abort();
	}
	free(back);
	(void)vct_resv_validate(&l, 4096, &err);
	if (!vct_resv_to_ranges(&l, VCT_RESV_MASK_ALL, &r))
		vct_ranges_free(&r);
	vct_resv_free(&l);
	return 0;
}
