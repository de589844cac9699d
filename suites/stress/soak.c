// SPDX-License-Identifier: GPL-2.0
/*
 * stress/soak: a random mix of map, unmap and remap for VCT_SOAK_SECS
 * seconds (`./run.sh --duration SECS`), with every result checked:
 *  - each UNMAP_DMA must unmap exactly the bytes the slot held;
 *  - dma_avail must equal its starting value minus the live mappings,
 *    checked every second;
 *  - when the harness has a DMA engine (harness/dma.h, QEMU edu), the
 *    device writes a fresh pattern through a live mapping and reads one
 *    back, about every 250 ms, and every byte must match: zero data
 *    errors allowed.  Without dma.h the soak runs without device DMA and
 *    says so.
 * When the host has the kernel-owned disk and fio (harness/kdisk.h), fio
 * runs against it for the whole soak: the kernel's DMA API maps and
 * unmaps through the same vIOMMU while VFIO does, and the data checks
 * must still find zero errors.
 * A progress line ("# progress: soak ...") every 5 s, a summary at the end
 * and a metrics record (ops/s).  Without VCT_SOAK_SECS the test SKIPs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "variants.h"

#include "iommu.h"
#include "kdisk.h"
#include "metrics.h"
#if __has_include("dma.h")
#include "dma.h"
#define HAVE_DMA 1
#else
#define HAVE_DMA 0
#endif

#define SLOTS		64
#define SLOT_PAGES	16			/* largest mapping, in pages */
#define SLOT_SPAN	(2ull * SLOT_PAGES * 4096)	/* IOVA per slot, with a gap */
#define IOVA_BASE	(1ull << 32)
#define STAGE_IOVA	(IOVA_BASE - (1ull << 20))

struct slot {
	uint64_t len;		/* 0: unmapped */
	unsigned buf;		/* which backing page run */
};

FIXTURE(soak) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	const char *backend;
};

VCT_BACKEND_VARIANTS(soak);

FIXTURE_SETUP(soak)
{
	vct_mark_test(_metadata, variant);
	VCT_REAL_CLOCK_OR_SKIP();
	VCT_IOMMU_SETUP_OR_SKIP(variant->backend, 1, 1, &self->iommu, self->devs);
	self->backend = vct_backend_name(variant->backend);
}

FIXTURE_TEARDOWN(soak)
{
	vct_iommu_close(self->iommu);
}

/* xorshift64: the soak's choices, reproducible from the seed it prints. */
static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned soak_secs(void)
{
	const char *s = getenv("VCT_SOAK_SECS");

	return s ? (unsigned)strtoul(s, NULL, 10) : 0;
}

/* Every test of this file gets the soak's whole duration plus margin. */
TEST_F_TIMEOUT(soak, random_map_unmap_remap, 86400)
{
	unsigned secs = soak_secs(), i, nb, half;
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)secs, un;
	uint64_t maps = 0, unmaps = 0, remaps = 0, dma_checks = 0, data_errors = 0;
	uint64_t t_start, t_end, t_next_check, t_next_print, now;
	struct slot slots[SLOTS] = { 0 };
	struct vct_iommu_info info;
	unsigned live = 0, avail0;
	bool counted;
	size_t buflen = 2 * SLOTS * SLOT_PAGES * 4096ull;
	double rate[1], fio_iops[1];
	struct vct_kdisk disk;
	struct vct_fio_bg bg = { 0 };
	struct vct_fio_result fres = { 0 };
	char fwhy[256] = "";
	char *mem;
	int ret;
#if HAVE_DMA
	struct vct_dma_engine *e = NULL;
	uint64_t t_next_dma;
	char why[256] = "", *stage = NULL, *pat = NULL, *got = NULL;
#endif

	if (!secs)
		SKIP(return, "no soak asked for (./run.sh --duration SECS sets VCT_SOAK_SECS)");
	/* Each backend variant the kernel offers gets its share of the duration. */
	for (i = 0, nb = 0; i < VCT_BACKEND_NR; i++)
		nb += vct_backend_offered((enum vct_backend)i);
	half = secs / (nb ? nb : 1);
	if (!half)
		half = 1;
	counted = self->iommu->props->dma_avail == VCT_DMA_AVAIL_COUNTED;
	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info));
	ASSERT_EQ(self->iommu->props->dma_avail != VCT_DMA_AVAIL_ABSENT, info.has_dma_avail);
	avail0 = info.dma_avail;
	vct_iommu_info_free(&info);
	mem = vct_dma_alloc(buflen);
	ASSERT_NE(NULL, mem);
	memset(mem, 0, buflen);
#if HAVE_DMA
	ret = __vct_dma_open(self->iommu, self->devs[0].bdf, &e, why, sizeof(why));
	if (!ret && !e->can_load) {
		/* the soak writes patterns of its own: an engine must load them */
		snprintf(why, sizeof(why), "%s", e->cannot);
		vct_dma_close(e);
		ret = -EOPNOTSUPP;
	}
	if (ret) {
		ksft_print_msg("soak %s: no device DMA: %s\n", self->backend, why);
		e = NULL;
	} else {
		stage = vct_dma_alloc(1 << 20);
		pat = malloc(e->buf_size);
		got = malloc(e->buf_size);
		ASSERT_TRUE(stage && pat && got);
		ASSERT_EQ(0, __vct_iommu_map(self->iommu, STAGE_IOVA, 1 << 20, stage, VCT_PROT_RW));
		vct_dma_set_staging(e, stage, STAGE_IOVA, 1 << 20);
		if (counted)
			avail0 -= e->own_len ? 2 : 1;	/* staging, and the engine's own */
	}
#else
	ksft_print_msg("soak %s: harness has no DMA engine (harness/dma.h): mappings checked by unmap counts and dma_avail only\n",
		       self->backend);
#endif
	/* Background pressure: the kernel's DMA API through the same vIOMMU. */
	if (!__vct_kdisk_find(&disk, fwhy, sizeof(fwhy)) && vct_fio_path()) {
		struct vct_fio_job j = { .dev = disk.dev, .bs = 65536, .secs = half + 600 };

		ret = __vct_fio_start(&j, &bg, fwhy, sizeof(fwhy));
		ASSERT_EQ(0, ret) TH_LOG("fio: %s", fwhy);
		ksft_print_msg("soak %s: under fio pressure (64 KiB random reads on %s, IOMMU group %d)\n",
			       self->backend, disk.dev, disk.group);
	} else {
		ksft_print_msg("soak %s: no fio pressure: %s\n", self->backend,
			       fwhy[0] ? fwhy : "no fio in the guest");
	}
	ksft_print_msg("soak %s: %u s, seed %#llx, %d slots of up to %d pages\n", self->backend,
		       half, (unsigned long long)seed, SLOTS, SLOT_PAGES);
	t_start = vct_now_ns();
	t_end = t_start + (uint64_t)half * 1000000000ull;
	t_next_check = t_start + 1000000000ull;
	t_next_print = t_start + 5000000000ull;
#if HAVE_DMA
	t_next_dma = t_start;
#endif
	while ((now = vct_now_ns()) < t_end) {
		unsigned s = (unsigned)(rng(&seed) % SLOTS), op = (unsigned)(rng(&seed) % 3);
		uint64_t iova = IOVA_BASE + s * SLOT_SPAN;
		struct slot *sl = &slots[s];

		if (sl->len && op != 0) {
			un = 0;
			ret = __vct_iommu_unmap(self->iommu, iova, sl->len, &un);
			ASSERT_EQ(0, ret) TH_LOG("unmap slot %u: %s", s, vct_errno_name(-ret));
			ASSERT_EQ(sl->len, un) TH_LOG("slot %u", s);
			sl->len = 0;
			live--;
			unmaps++;
			if (op == 1)
				continue;
			remaps++;	/* op 2: map again, elsewhere in memory */
		}
		if (!sl->len) {
			uint64_t len = (1 + rng(&seed) % SLOT_PAGES) * 4096;
			unsigned b = (unsigned)(rng(&seed) % (2 * SLOTS));
			void *va = mem + (size_t)b * SLOT_PAGES * 4096 / 2;

			if ((size_t)b * SLOT_PAGES * 4096 / 2 + len > buflen)
				va = mem;
			ret = __vct_iommu_map(self->iommu, iova, len, va, VCT_PROT_RW);
			ASSERT_EQ(0, ret) TH_LOG("map slot %u len %#llx: %s", s,
						 (unsigned long long)len, vct_errno_name(-ret));
			sl->len = len;
			sl->buf = (unsigned)((char *)va - mem);
			live++;
			maps++;
		}
#if HAVE_DMA
		/* The device's view of this slot: write a pattern, read one back. */
		if (e && now >= t_next_dma) {
			uint64_t len = sl->len < e->buf_size ? sl->len : e->buf_size;
			char *cpu = mem + sl->buf;
			long d;

			vct_pattern_fill(pat, len, (uint32_t)rng(&seed));
			ASSERT_EQ(0, __vct_dma_load(e, 0, pat, len)) TH_LOG("%s", e->err);
			ASSERT_EQ(0, __vct_dma_write(e, iova, 0, len)) TH_LOG("%s", e->err);
			d = vct_mem_diff(cpu, pat, len);
			if (d >= 0) {
				data_errors++;
				TH_LOG("slot %u: device write landed wrong at +%ld", s, d);
			}
			vct_pattern_fill(cpu, len, (uint32_t)rng(&seed));
			ASSERT_EQ(0, __vct_dma_read(e, iova, 0, len)) TH_LOG("%s", e->err);
			ASSERT_EQ(0, __vct_dma_fetch(e, 0, got, len)) TH_LOG("%s", e->err);
			d = vct_mem_diff(got, cpu, len);
			if (d >= 0) {
				data_errors++;
				TH_LOG("slot %u: device read got wrong bytes at +%ld", s, d);
			}
			dma_checks++;
			t_next_dma = vct_now_ns() + 250000000ull;
		}
#endif
		if (now >= t_next_check) {
			ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info));
			/* Constant (compat) and absent (iommufd) reports do not count. */
			ASSERT_EQ(counted ? avail0 - live : avail0, info.dma_avail)
				TH_LOG("%u mappings live", live);
			vct_iommu_info_free(&info);
			t_next_check = now + 1000000000ull;
		}
		if (now >= t_next_print) {
			fprintf(stderr, "# progress: soak %s %3llu/%u s: %llu maps %llu unmaps %llu remaps, %llu DMA checks, %llu data errors\n",
				self->backend, (unsigned long long)((now - t_start) / 1000000000ull), half,
				(unsigned long long)maps, (unsigned long long)unmaps,
				(unsigned long long)remaps, (unsigned long long)dma_checks,
				(unsigned long long)data_errors);
			t_next_print = now + 5000000000ull;
		}
	}
	for (i = 0; i < SLOTS; i++) {
		if (!slots[i].len)
			continue;
		un = 0;
		ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, IOVA_BASE + i * SLOT_SPAN, slots[i].len, &un));
		ASSERT_EQ(slots[i].len, un);
	}
	rate[0] = (double)(maps + unmaps) / ((double)(vct_now_ns() - t_start) / 1e9);
	if (bg.pid > 0) {
		ret = __vct_fio_stop(&bg, &fres, fwhy, sizeof(fwhy));
		ASSERT_EQ(0, ret) TH_LOG("fio: %s", fwhy);
		ASSERT_LT(0, fres.total_ios) TH_LOG("fio did no I/O during the soak");
		fio_iops[0] = fres.iops;
		vct_metric_emit(&(struct vct_metric){ .suite = "stress",
			.test = "soak.random_map_unmap_remap", .metric = "io_per_s", .unit = "1/s",
			.higher_is_better = 1, .backend = self->backend, .backing = "virtio-blk",
			.pattern = "soak_pressure", .size = 65536, .threads = 1,
			.count = (unsigned)fres.total_ios, .values = fio_iops, .reps = 1 });
		ksft_print_msg("soak %s: fio pressure alongside: %llu I/Os of 64 KiB, %.0f IO/s\n",
			       self->backend, (unsigned long long)fres.total_ios, fres.iops);
	}
	vct_metric_emit(&(struct vct_metric){ .suite = "stress", .test = "soak.random_map_unmap_remap",
		.metric = "ops_per_s", .unit = "1/s", .higher_is_better = 1, .backend = self->backend,
		.backing = "anon", .pattern = "soak", .size = 0, .threads = 1,
		.count = (unsigned)(maps + unmaps), .values = rate, .reps = 1 });
	ksft_print_msg("soak %s summary: %u s, %llu maps, %llu unmaps (%llu remaps), %.0f ops/s, %llu DMA checks, %llu data errors\n",
		       self->backend, half, (unsigned long long)maps, (unsigned long long)unmaps,
		       (unsigned long long)remaps, rate[0], (unsigned long long)dma_checks,
		       (unsigned long long)data_errors);
#if HAVE_DMA
	if (e) {
		vct_dma_close(e);
		__vct_iommu_unmap(self->iommu, STAGE_IOVA, 1 << 20, NULL);
		vct_dma_free(stage, 1 << 20);
		free(pat);
		free(got);
	}
#endif
	vct_dma_free(mem, buflen);
	ASSERT_EQ(0, data_errors);
}

VCT_HARNESS_MAIN
