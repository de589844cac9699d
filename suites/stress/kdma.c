// SPDX-License-Identifier: GPL-2.0
/*
 * stress/kdma: VFIO's user map/unmap against the kernel's own DMA-API
 * map/unmap path, behind the same vIOMMU, with the IOMMU strict and lazy.
 *
 * The kernel path: fio (O_DIRECT random reads, psync, queue depth 1) on
 * the host profile's kernel-owned disk (harness/kdisk.h: virtio-blk with
 * iommu_platform=on on a null backend).  Every I/O maps fio's buffer, the
 * request header and the status byte through the DMA API and unmaps them
 * on completion.  How many IOMMU map calls one I/O costs is COUNTED, not
 * assumed: a short traced run (tracepoints iommu:map/iommu:unmap, which
 * fire once per iommu_map()/iommu_unmap() call, i.e. per contiguous run
 * of a scatterlist) gives maps per I/O; the timed runs are untraced (the
 * tracepoints would slow them) and mappings/s = IOPS x maps per I/O.  A
 * derivation from pages per I/O would be wrong twice: dma-iommu maps a
 * physically contiguous run with one call, and the block layer may split
 * a large I/O into several requests.
 *
 * Variants: `strict` sets the disk's IOMMU group type to DMA (IOTLB
 * invalidated on every unmap), `lazy` to DMA-FQ (flush queue, batched
 * invalidation); the setup unbinds the disk, writes the type and binds it
 * again, and the teardown restores the original type.  VFIO's own
 * mappings are in an unmanaged domain of the edu device's group, which
 * the group type does not change: the VFIO figures of the two variants
 * are the same measurement twice.
 *
 * Tests fail only when an operation errs or a count does not add up
 * (an I/O that mapped nothing: the disk bypasses the IOMMU; maps and
 * unmaps that do not balance), never on timing.  Without the disk or fio
 * every test SKIPs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "iommu.h"
#include "kdisk.h"
#include "metrics.h"
#include "variants.h"

#define IOVA_BASE	(1ull << 32)
#define MAX_SIZES	8

static int full_mode(void)
{
	const char *s = getenv("VCT_STRESS");

	return s && !strcmp(s, "full");
}

FIXTURE(kdma) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	struct vct_kdisk disk;
	char orig_type[32];
	char name[256];
	char backend[32];	/* "kernel-strict" / "kernel-lazy" */
	int full;
};

VCT_DMA_MODE_VARIANTS(kdma);

FIXTURE_SETUP(kdma)
{
	char why[512] = "";
	int ret;

	vct_mark_test(_metadata, variant);
	self->orig_type[0] = 0;
	VCT_REAL_CLOCK_OR_SKIP();
	ret = __vct_kdisk_find(&self->disk, why, sizeof(why));
	if (ret)
		SKIP(return, "%s", why);
	if (!vct_fio_path())
		SKIP(return, "no fio in the guest (runs given --stress, --duration or --suite stress carry it)");
	ASSERT_EQ(0, __vct_kdisk_domain_type(&self->disk, self->orig_type,
					     sizeof(self->orig_type)));
	ret = __vct_kdisk_set_domain_type(&self->disk, variant->type, why, sizeof(why));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", self->disk.dev, why);
	VCT_IOMMU_SETUP_OR_SKIP(VCT_BACKEND_TYPE1v2, 1, 1, &self->iommu, self->devs);
	snprintf(self->name, sizeof(self->name), "kdma.%s.%s", variant->mode, _metadata->name);
	snprintf(self->backend, sizeof(self->backend), "kernel-%s", variant->mode);
	self->full = full_mode();
	ksft_print_msg("%s: %s (%s, %s), IOMMU group %d type %s (was %s)\n", variant->mode,
		       self->disk.dev, self->disk.bdf, self->disk.driver, self->disk.group,
		       variant->type, self->orig_type);
}

FIXTURE_TEARDOWN(kdma)
{
	char why[512] = "";

	vct_iommu_close(self->iommu);
	if (self->orig_type[0] &&
	    __vct_kdisk_set_domain_type(&self->disk, self->orig_type, why, sizeof(why)))
		ksft_print_msg("could not restore group %d to %s: %s\n", self->disk.group,
			       self->orig_type, why);
}

static void emit(const struct vct_metric *m)
{
	int ret = vct_metric_emit(m);

	if (ret < 0)
		ksft_print_msg("metrics: %s: %s\n", m->metric, strerror(-ret));
}

struct traced_run {
	struct vct_fio_job job;
	struct vct_fio_result res;
	char why[256];
};

static int run_fio(void *arg)
{
	struct traced_run *t = arg;

	return __vct_fio_run(&t->job, &t->res, t->why, sizeof(t->why));
}

/* `count` map+unmap pairs of `size` at one IOVA: pairs/s, or -errno. */
static double vfio_pairs(struct vct_iommu *io, void *va, uint64_t size, unsigned count,
			 char *err, size_t el)
{
	uint64_t t0 = vct_now_ns(), un;
	unsigned i;
	int ret;

	for (i = 0; i < count; i++) {
		ret = __vct_iommu_map(io, IOVA_BASE, size, va, VCT_PROT_RW);
		if (ret) {
			snprintf(err, el, "MAP_DMA size %#llx: %s", (unsigned long long)size,
				 vct_errno_name(-ret));
			return ret;
		}
		un = 0;
		ret = __vct_iommu_unmap(io, IOVA_BASE, size, &un);
		if (ret || un != size) {
			snprintf(err, el, "UNMAP_DMA size %#llx: %s, unmapped %#llx",
				 (unsigned long long)size, ret ? vct_errno_name(-ret) : "ok",
				 (unsigned long long)un);
			return ret ? ret : -EIO;
		}
	}
	return count / ((double)(vct_now_ns() - t0) / 1e9);
}

/*
 * Per I/O size: maps per I/O (traced run), then repetitions of an untraced
 * timed fio run (IOPS -> DMA-API mappings/s) and of VFIO map+unmap pairs of
 * the same size (pairs/s), interleaved so drift lands on both alike.
 */
TEST_F_TIMEOUT(kdma, fio_maps_by_size, 900)
{
	static const uint64_t short_sizes[] = { 4096, 1 << 20 };
	static const uint64_t full_sizes[] = { 4096, 16384, 65536, 262144, 1 << 20 };
	const uint64_t *sizes = self->full ? full_sizes : short_sizes;
	unsigned nsz = self->full ? 5 : 2, reps = self->full ? 5 : 2, secs = self->full ? 3 : 1;
	double mpi[MAX_SIZES], upi[MAX_SIZES], bpm[MAX_SIZES];
	double iops[MAX_SIZES][8], kmaps[MAX_SIZES][8], vpairs[MAX_SIZES][8];
	double nk[MAX_SIZES][8], nv[MAX_SIZES][8], cal;
	char err[256];
	unsigned s, r;
	void *buf;

	buf = vct_dma_alloc(1 << 20);
	ASSERT_NE(NULL, buf);
	for (s = 0; s < nsz; s++) {
		/* ~2 events per page and I/O: keep the trace (8 MiB a CPU) from overrunning */
		uint64_t nios = 30000 / (sizes[s] / 4096 + 3), cap = self->full ? 1000 : 200;
		struct traced_run t = { .job = { .dev = self->disk.dev, .bs = sizes[s],
						 .nios = nios < cap ? nios : cap } };
		uint64_t maps, unmaps, bytes;
		int ret;

		ret = __vct_iommu_trace_count(run_fio, &t, &maps, &unmaps, &bytes, err, sizeof(err));
		ASSERT_EQ(0, ret) TH_LOG("%s %s", err, t.why);
		ASSERT_LT(0, t.res.total_ios);
		/* Each I/O maps its buffer at least once: else the disk bypasses the IOMMU. */
		ASSERT_LE(t.res.total_ios, maps)
			TH_LOG("%llu I/Os of %llu bytes made %llu IOMMU map calls",
			       (unsigned long long)t.res.total_ios, (unsigned long long)sizes[s],
			       (unsigned long long)maps);
		/* Everything mapped for an I/O is unmapped when it completes (lazy too). */
		EXPECT_EQ(maps, unmaps);
		mpi[s] = (double)maps / (double)t.res.total_ios;
		upi[s] = (double)unmaps / (double)t.res.total_ios;
		bpm[s] = (double)bytes / (double)maps;
	}
	for (r = 0; r < reps; r++) {
		for (s = 0; s < nsz; s++) {
			struct vct_fio_job j = { .dev = self->disk.dev, .bs = sizes[s], .secs = secs };
			struct vct_fio_result res;
			unsigned count = sizes[s] <= 65536 ? 256 : 64;
			int ret;

			cal = vct_calibrate();
			ret = __vct_fio_run(&j, &res, err, sizeof(err));
			ASSERT_EQ(0, ret) TH_LOG("%s", err);
			ASSERT_LT(0, res.total_ios);
			iops[s][r] = res.iops;
			kmaps[s][r] = res.iops * mpi[s];
			nk[s][r] = kmaps[s][r] * cal;
			vpairs[s][r] = vfio_pairs(self->iommu, buf, sizes[s], count, err, sizeof(err));
			ASSERT_LT(0, vpairs[s][r]) TH_LOG("%s", err);
			nv[s][r] = vpairs[s][r] * cal;
		}
	}
	for (s = 0; s < nsz; s++) {
		struct vct_stats sk, sv, si;

		emit(&(struct vct_metric){ .suite = "stress", .test = self->name,
			.metric = "dma_api_maps_per_s", .unit = "1/s", .higher_is_better = 1,
			.backend = self->backend, .backing = "virtio-blk", .pattern = "fio_randread",
			.size = sizes[s], .threads = 1, .values = kmaps[s], .norm = nk[s], .reps = reps });
		emit(&(struct vct_metric){ .suite = "stress", .test = self->name,
			.metric = "io_per_s", .unit = "1/s", .higher_is_better = 1,
			.backend = self->backend, .backing = "virtio-blk", .pattern = "fio_randread",
			.size = sizes[s], .threads = 1, .values = iops[s], .reps = reps });
		emit(&(struct vct_metric){ .suite = "stress", .test = self->name,
			.metric = "maps_per_io", .unit = "1", .higher_is_better = 0,
			.backend = self->backend, .backing = "virtio-blk", .pattern = "fio_randread",
			.size = sizes[s], .threads = 1, .values = &mpi[s], .reps = 1 });
		emit(&(struct vct_metric){ .suite = "stress", .test = self->name,
			.metric = "vfio_pairs_per_s", .unit = "1/s", .higher_is_better = 1,
			.backend = "type1v2", .backing = "anon", .pattern = "vs_kernel",
			.size = sizes[s], .threads = 1, .values = vpairs[s], .norm = nv[s], .reps = reps });
		vct_stats(kmaps[s], reps, &sk);
		vct_stats(vpairs[s], reps, &sv);
		vct_stats(iops[s], reps, &si);
		ksft_print_msg("%-6s %8llu B: kernel %7.0f IO/s x %.2f maps/IO (%.2f unmaps/IO, %.0f B/map) = %8.0f DMA-API maps/s | VFIO %8.0f pairs/s\n",
			       variant->mode, (unsigned long long)sizes[s], si.median, mpi[s], upi[s],
			       bpm[s], sk.median, sv.median);
	}
	vct_dma_free(buf, 1 << 20);
}

/*
 * VFIO 4 KiB map+unmap pairs with and without the fio load running in the
 * background (alternating, ABAB): every pair must succeed and unmap
 * exactly its size under pressure too; pairs/s quiet and under load, and
 * fio's IOPS while it ran.
 */
TEST_F_TIMEOUT(kdma, vfio_pairs_under_fio, 600)
{
	unsigned reps = self->full ? 5 : 1, r, count = self->full ? 2048 : 512;
	double quiet[8], loaded[8], bg_iops[8];
	struct vct_stats sq, sl, si;
	char err[256];
	void *buf;

	buf = vct_dma_alloc(4096);
	ASSERT_NE(NULL, buf);
	for (r = 0; r < reps; r++) {
		struct vct_fio_job j = { .dev = self->disk.dev, .bs = 4096, .secs = 600 };
		struct vct_fio_result res;
		struct vct_fio_bg bg;

		quiet[r] = vfio_pairs(self->iommu, buf, 4096, count, err, sizeof(err));
		ASSERT_LT(0, quiet[r]) TH_LOG("%s", err);
		ASSERT_EQ(0, __vct_fio_start(&j, &bg, err, sizeof(err))) TH_LOG("%s", err);
		loaded[r] = vfio_pairs(self->iommu, buf, 4096, count, err, sizeof(err));
		ASSERT_EQ(0, __vct_fio_stop(&bg, &res, err, sizeof(err))) TH_LOG("%s", err);
		ASSERT_LT(0, loaded[r]) TH_LOG("%s", err);
		ASSERT_LT(0, res.total_ios) TH_LOG("fio did no I/O while VFIO mapped");
		bg_iops[r] = res.iops;
	}
	emit(&(struct vct_metric){ .suite = "stress", .test = self->name,
		.metric = "pairs_per_s", .unit = "1/s", .higher_is_better = 1,
		.backend = "type1v2", .backing = "anon", .pattern = "quiet", .size = 4096,
		.threads = 1, .count = count, .values = quiet, .reps = reps });
	emit(&(struct vct_metric){ .suite = "stress", .test = self->name,
		.metric = "pairs_per_s", .unit = "1/s", .higher_is_better = 1,
		.backend = "type1v2", .backing = "anon", .pattern = "under_fio", .size = 4096,
		.threads = 1, .count = count, .values = loaded, .reps = reps });
	emit(&(struct vct_metric){ .suite = "stress", .test = self->name,
		.metric = "io_per_s", .unit = "1/s", .higher_is_better = 1,
		.backend = self->backend, .backing = "virtio-blk", .pattern = "under_vfio",
		.size = 4096, .threads = 1, .values = bg_iops, .reps = reps });
	vct_stats(quiet, reps, &sq);
	vct_stats(loaded, reps, &sl);
	vct_stats(bg_iops, reps, &si);
	ksft_print_msg("%s: VFIO 4 KiB pairs/s %.0f quiet, %.0f under fio (%.0f IO/s 4 KiB alongside): %.0f %%\n",
		       variant->mode, sq.median, sl.median, si.median, sl.median / sq.median * 100);
	vct_dma_free(buf, 4096);
}

VCT_HARNESS_MAIN
