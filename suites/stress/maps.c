// SPDX-License-Identifier: GPL-2.0
/*
 * stress/maps: how fast VFIO maps and unmaps, as data (harness/metrics.h).
 *
 * Every test here fails only when an operation errs or reports a wrong
 * result (an unmap that unmapped the wrong number of bytes, a dma_avail
 * count that does not add up) - never on timing.  Figures go to
 * $VCT_METRICS, one record per measurement, and a summary to the TAP log.
 *
 * Short mode (default, what `make check` runs): sizes 4 KiB .. 4 MiB,
 * 9 repetitions, ~1k mappings for the tree patterns.  Full mode
 * (VCT_STRESS=full, `./run.sh --stress`): sizes 4 KiB .. 256 MiB (the
 * guest has 1 GiB: 256 MiB pinned plus 256 MiB of hugetlb pool is the
 * bound), 15 repetitions, 16k mappings, dma_avail exhausted.
 *
 * Repetitions are interleaved (rep outer, size inner) so drift in the
 * host's speed - the emulated host shares its CPUs - lands on every size
 * alike instead of on whichever size ran last.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "test.h"
#include "variants.h"

#include "iommu.h"
#include "metrics.h"

#define IOVA_BASE	(1ull << 32)	/* above the x86 MSI window, inside 48 bits */
#define SZ_2M		(2ull << 20)
#define MAX_THREADS	16

static int full_mode(void)
{
	const char *s = getenv("VCT_STRESS");

	return s && !strcmp(s, "full");
}

/* ---- backings ---------------------------------------------------------- */

enum backing { B_ANON, B_THP, B_HUGETLB, B_NR };
static const char *const backing_name[B_NR] = { "anon", "thp", "hugetlb2m" };

struct buf {
	void *map;		/* what mmap returned */
	size_t maplen;
	void *p;		/* aligned start */
	size_t len;
};

static void buf_free(struct buf *b)
{
	if (b->map)
		munmap(b->map, b->maplen);
	memset(b, 0, sizeof(*b));
}

/* nr_hugepages before this program raised it (-1: not raised). */
static long hugetlb_orig = -1;

/* Put nr_hugepages back to what it was before hugetlb_reserve raised it. */
static void hugetlb_restore(void)
{
	FILE *f;

	if (hugetlb_orig < 0)
		return;
	f = fopen("/proc/sys/vm/nr_hugepages", "w");
	if (f) {
		fprintf(f, "%ld\n", hugetlb_orig);
		fclose(f);
	}
	hugetlb_orig = -1;
}

/* Reserve 2 MiB hugepages so that `need` are free; the count now free. */
static long hugetlb_reserve(long need)
{
	long total = 0, free_pages = 0;
	char line[128];
	FILE *f;

	f = fopen("/proc/sys/vm/nr_hugepages", "r");
	if (f) {
		if (fscanf(f, "%ld", &total) != 1)
			total = 0;
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "HugePages_Free: %ld", &free_pages);
	fclose(f);
	if (free_pages >= need)
		return free_pages;
	f = fopen("/proc/sys/vm/nr_hugepages", "w");
	if (f) {
		if (hugetlb_orig < 0)
			hugetlb_orig = total;
		fprintf(f, "%ld\n", total + need - free_pages);
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	free_pages = 0;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "HugePages_Free: %ld", &free_pages);
	fclose(f);
	return free_pages;
}

/*
 * len bytes of the backing, populated (so pinning measures pinning, not
 * page faults).  0, or -errno with why set (a SKIP of this backing).
 */
static int buf_alloc(struct buf *b, enum backing k, size_t len, char *why, size_t wl)
{
	char thp[128] = "";
	size_t i;

	memset(b, 0, sizeof(*b));
	switch (k) {
	case B_ANON:
		b->maplen = len;
		b->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		break;
	case B_THP:
		if (__vct_read_text("/sys/kernel/mm/transparent_hugepage/enabled",
				    thp, sizeof(thp)) < 0 || strstr(thp, "[never]")) {
			snprintf(why, wl, "THP not enabled (%s)", thp[0] ? thp : "no sysfs");
			return -EOPNOTSUPP;
		}
		len = (len + SZ_2M - 1) & ~(SZ_2M - 1);
		b->maplen = len + SZ_2M;
		b->map = mmap(NULL, b->maplen, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case B_HUGETLB:
		len = (len + SZ_2M - 1) & ~(SZ_2M - 1);
		if (hugetlb_reserve((long)(len / SZ_2M)) < (long)(len / SZ_2M)) {
			snprintf(why, wl, "cannot reserve %zu 2 MiB hugepages", (size_t)(len / SZ_2M));
			return -ENOMEM;
		}
		b->maplen = len;
		b->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT),
			      -1, 0);
		break;
	default:
		return -EINVAL;
	}
	if (b->map == MAP_FAILED) {
		int err = errno;

		b->map = NULL;
		snprintf(why, wl, "mmap %s %zu bytes: %s", backing_name[k], b->maplen,
			 strerror(err));
		return -err;
	}
	b->p = b->map;
	b->len = len;
	if (k == B_THP) {
		b->p = (void *)(((uintptr_t)b->map + SZ_2M - 1) & ~(uintptr_t)(SZ_2M - 1));
		madvise(b->p, len, MADV_HUGEPAGE);
		for (i = 0; i < len; i += 4096)
			((volatile char *)b->p)[i] = 1;
	}
	return 0;
}

/* ---- the fixture --------------------------------------------------------- */

FIXTURE(stress) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	char name[256];		/* full test name, for the records */
	const char *backend;
	int full;
	unsigned reps;
};

VCT_BACKEND_VARIANTS(stress);

FIXTURE_SETUP(stress)
{
	vct_mark_test(_metadata, variant);
	VCT_REAL_CLOCK_OR_SKIP();
	VCT_IOMMU_SETUP_OR_SKIP(variant->backend, 1, 1, &self->iommu, self->devs);
	self->backend = vct_backend_name(variant->backend);
	snprintf(self->name, sizeof(self->name), "stress.%s.%s", self->backend,
		 _metadata->name);
	self->full = full_mode();
	self->reps = self->full ? 15 : 9;
}

FIXTURE_TEARDOWN(stress)
{
	vct_iommu_close(self->iommu);
	/* Leave the pool as the profile set it (pairs_by_size raises it). */
	hugetlb_restore();
}

/* A record with this test's identity filled in. */
#define METRIC(...) ((struct vct_metric){ .suite = "stress", .test = self->name, \
	.backend = self->backend, __VA_ARGS__ })

static void emit(struct __test_metadata *_metadata, const struct vct_metric *m)
{
	struct vct_metric c = *m;
	int ret;

	if (!c.threads)
		c.threads = 1;
	ret = vct_metric_emit(&c);

	/* Losing a record is not a failure of VFIO; say so and go on. */
	if (ret < 0)
		ksft_print_msg("metrics: %s: %s\n", m->metric, strerror(-ret));
	(void)_metadata;
}

/*
 * One map+unmap pair, timed per operation in cycle-counter ticks
 * (vct_ticks: cheaper than clock_gettime; the caller converts with the
 * block's measured ns per tick): *t is the tick the map starts (the
 * previous pair's end, so back-to-back pairs cost two counter reads, not
 * three) and becomes the tick the unmap ended; *map_tk and *unmap_tk get
 * the ticks of each, as integers (a conversion to double is a softfloat
 * helper call under TCG: callers convert after the timed loop).  0, or -errno with err set (the caller fails the
 * test).
 */
static int pair(struct vct_iommu *io, uint64_t iova, void *va, uint64_t size,
		uint64_t *t, uint64_t *map_tk, uint64_t *unmap_tk, char *err, size_t el)
{
	uint64_t t0 = *t, t1, t2, un = 0;
	int ret;

	ret = __vct_iommu_map(io, iova, size, va, VCT_PROT_RW);
	t1 = vct_ticks();
	if (ret) {
		snprintf(err, el, "MAP_DMA iova 0x%llx size 0x%llx: %s",
			 (unsigned long long)iova, (unsigned long long)size,
			 vct_errno_name(-ret));
		return ret;
	}
	ret = __vct_iommu_unmap(io, iova, size, &un);
	t2 = vct_ticks();
	if (ret || un != size) {
		snprintf(err, el, "UNMAP_DMA iova 0x%llx size 0x%llx: %s, unmapped 0x%llx",
			 (unsigned long long)iova, (unsigned long long)size,
			 ret ? vct_errno_name(-ret) : "ok", (unsigned long long)un);
		return ret ? ret : -EIO;
	}
	*map_tk = t1 - t0;
	*unmap_tk = t2 - t1;
	*t = t2;
	return 0;
}

/*
 * The harness's own cost: the same 4 KiB map+unmap pairs through a bare
 * loop (the backend's map and unmap ops, whatever ioctl they are, no
 * timestamps) and through pair() (per-op timestamps: two cycle-counter
 * reads per pair), alternating in
 * short blocks (ABBA); both timed by CLOCK_MONOTONIC around the block.
 * Blocks are short (64 pairs, about 2 ms on an idle TCG guest) so that on
 * a loaded host many of them run without being preempted: the fastest
 * block of each loop is its cost without the machine's noise (which only
 * ever adds time), and the overhead is the relative difference of the two
 * fastest blocks (the medians are reported too).  The goal is under 2 %.
 * The records' per-block values feed `run.sh --ab` (its primary metric:
 * type1v2's pair_us_bare) and --baseline.
 */
TEST_F_TIMEOUT(stress, loop_overhead, 300)
{
	unsigned blocks = self->full ? 81 : 41, count = 64, i, r, k;
	double bare[81], timed[81], ovh[81];
	uint64_t mu, uu;
	struct vct_stats sb, stt;
	char err[256];
	struct buf b;
	uint64_t t0;

	ASSERT_EQ(0, buf_alloc(&b, B_ANON, 4096, err, sizeof(err))) TH_LOG("%s", err);
	/* Warm-up: the first ioctls of a container pay for lazy set-up. */
	t0 = vct_ticks();
	for (i = 0; i < 512; i++) {
		ASSERT_EQ(0, pair(self->iommu, IOVA_BASE, b.p, 4096, &t0, &mu, &uu,
				  err, sizeof(err))) TH_LOG("%s", err);
	}
	for (r = 0; r < blocks; r++) {
		/* ABBA: which loop runs first alternates, so drift cancels. */
		for (k = 0; k < 2; k++) {
			if ((r + k) % 2 == 0) {
				t0 = vct_now_ns();
				for (i = 0; i < count; i++) {
					uint64_t un = 0;

					ASSERT_EQ(0, __vct_iommu_map(self->iommu, IOVA_BASE, 4096,
								     b.p, VCT_PROT_RW))
						TH_LOG("bare map: %s", vct_iommu_last_error(self->iommu));
					ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, IOVA_BASE, 4096, &un))
						TH_LOG("bare unmap: %s", vct_iommu_last_error(self->iommu));
					ASSERT_EQ(4096, un);
				}
				bare[r] = (double)(vct_now_ns() - t0) / count / 1e3;
			} else {
				uint64_t t;

				t0 = vct_now_ns();
				t = vct_ticks();
				for (i = 0; i < count; i++) {
					ASSERT_EQ(0, pair(self->iommu, IOVA_BASE, b.p, 4096, &t, &mu,
							  &uu, err, sizeof(err))) TH_LOG("%s", err);
				}
				timed[r] = (double)(vct_now_ns() - t0) / count / 1e3;
			}
		}
		ovh[r] = (timed[r] - bare[r]) / bare[r] * 100;
	}
	vct_stats(bare, blocks, &sb);
	vct_stats(timed, blocks, &stt);
	emit(_metadata, &METRIC(.metric = "pair_us_bare", .unit = "us", .pattern = "bare",
				.size = 4096, .count = count, .values = bare, .reps = blocks));
	emit(_metadata, &METRIC(.metric = "pair_us_harness", .unit = "us", .pattern = "harness",
				.size = 4096, .count = count, .values = timed, .reps = blocks));
	emit(_metadata, &METRIC(.metric = "loop_overhead_pct", .unit = "%", .pattern = "harness",
				.size = 4096, .count = count, .values = ovh, .reps = blocks));
	ksft_print_msg("%s: 4 KiB pair, fastest of %u blocks: %.2f us bare, %.2f us through the harness: overhead %.2f %% (goal < 2 %%); medians %.2f us, %.2f us (%.2f %%)\n",
		       self->backend, blocks, sb.min, stt.min, (stt.min - sb.min) / sb.min * 100,
		       sb.median, stt.median, (stt.median - sb.median) / sb.median * 100);
	buf_free(&b);
}

/*
 * Map+unmap pairs of one buffer at one IOVA, per size and backing:
 * pairs/s, GB/s (bytes mapped and unmapped per second) and the per-op
 * latency distributions of MAP_DMA and UNMAP_DMA.
 */
TEST_F_TIMEOUT(stress, pairs_by_size, 900)
{
	uint64_t maxsz = self->full ? 256ull << 20 : 4ull << 20, sz;
	unsigned nsz = 0, s, r, i, k, count[16];
	uint64_t sizes[16];
	char err[256], why[256];

	for (sz = 4096; sz <= maxsz; sz *= 4) {
		sizes[nsz] = sz;
		/* Enough pairs per rep to time, few enough for the large sizes. */
		count[nsz] = sz <= (64 << 10) ? 128 : sz <= (1 << 20) ? 32 :
			     sz <= (16 << 20) ? 8 : 2;
		nsz++;
	}
	for (k = 0; k < B_NR; k++) {
		struct buf b;
		double *pps = calloc((size_t)nsz * self->reps, sizeof(double));
		double *gbs = calloc((size_t)nsz * self->reps, sizeof(double));
		double *mlat_med = calloc((size_t)nsz * self->reps, sizeof(double));
		double *ulat_med = calloc((size_t)nsz * self->reps, sizeof(double));
		double *cal = calloc((size_t)nsz * self->reps, sizeof(double));
		double *npps = calloc((size_t)nsz * self->reps, sizeof(double));
		double *ngbs = calloc((size_t)nsz * self->reps, sizeof(double));
		double *nml = calloc((size_t)nsz * self->reps, sizeof(double));
		double *nul = calloc((size_t)nsz * self->reps, sizeof(double));
		double **mlat = calloc(nsz, sizeof(double *));
		double **ulat = calloc(nsz, sizeof(double *));

		ASSERT_TRUE(pps && gbs && mlat_med && ulat_med && mlat && ulat && cal && npps &&
			    ngbs && nml && nul);
		if (buf_alloc(&b, (enum backing)k, (size_t)maxsz, why, sizeof(why))) {
			ksft_print_msg("%s %s: not measured: %s\n", self->backend,
				       backing_name[k], why);
			continue;
		}
		for (s = 0; s < nsz; s++) {
			mlat[s] = calloc((size_t)count[s] * self->reps, sizeof(double));
			ulat[s] = calloc((size_t)count[s] * self->reps, sizeof(double));
			ASSERT_TRUE(mlat[s] && ulat[s]);
		}
		for (r = 0; r < self->reps; r++) {
			for (s = 0; s < nsz; s++) {
				double *ml = mlat[s] + (size_t)r * count[s];
				double *ul = ulat[s] + (size_t)r * count[s];
				struct vct_stats st;
				struct vct_tickcal tc;
				uint64_t t, dt;
				size_t x = s * self->reps + r;
				double us_per_tick;
				uint64_t mtk[128], utk[128];

				cal[x] = vct_calibrate();
				vct_tick_start(&tc);
				t = vct_ticks();
				for (i = 0; i < count[s]; i++) {
					ASSERT_EQ(0, pair(self->iommu, IOVA_BASE, b.p, sizes[s], &t,
							  &mtk[i], &utk[i], err, sizeof(err)))
						TH_LOG("%s %s", backing_name[k], err);
				}
				us_per_tick = vct_tick_ns(&tc, &dt) / 1e3;
				for (i = 0; i < count[s]; i++) {
					ml[i] = (double)mtk[i] * us_per_tick;
					ul[i] = (double)utk[i] * us_per_tick;
				}
				pps[s * self->reps + r] = count[s] / ((double)dt / 1e9);
				gbs[s * self->reps + r] = 2.0 * (double)sizes[s] * count[s] / (double)dt;
				vct_stats(ml, count[s], &st);
				mlat_med[s * self->reps + r] = st.median;
				vct_stats(ul, count[s], &st);
				ulat_med[s * self->reps + r] = st.median;
				npps[x] = pps[x] * cal[x];
				ngbs[x] = gbs[x] * cal[x];
				nml[x] = mlat_med[x] / cal[x];
				nul[x] = ulat_med[x] / cal[x];
			}
		}
		for (s = 0; s < nsz; s++) {
			struct vct_stats st, su;
			double *v = pps + s * self->reps;

			emit(_metadata, &METRIC(.metric = "pairs_per_s", .unit = "1/s",
				.higher_is_better = 1, .backing = backing_name[k], .pattern = "pairs",
				.size = sizes[s], .count = count[s], .values = v, .reps = self->reps,
				.norm = npps + s * self->reps));
			emit(_metadata, &METRIC(.metric = "gb_per_s", .unit = "GB/s",
				.higher_is_better = 1, .backing = backing_name[k], .pattern = "pairs",
				.size = sizes[s], .count = count[s], .values = gbs + s * self->reps,
				.reps = self->reps, .norm = ngbs + s * self->reps));
			emit(_metadata, &METRIC(.metric = "map_latency_us", .unit = "us",
				.backing = backing_name[k], .pattern = "pairs", .size = sizes[s],
				.count = count[s], .values = mlat_med + s * self->reps, .reps = self->reps,
				.norm = nml + s * self->reps, .ops = mlat[s], .nops = (size_t)count[s] * self->reps));
			emit(_metadata, &METRIC(.metric = "unmap_latency_us", .unit = "us",
				.backing = backing_name[k], .pattern = "pairs", .size = sizes[s],
				.count = count[s], .values = ulat_med + s * self->reps, .reps = self->reps,
				.norm = nul + s * self->reps, .ops = ulat[s], .nops = (size_t)count[s] * self->reps));
			vct_stats(v, self->reps, &st);
			vct_stats(ulat[s], (size_t)count[s] * self->reps, &su);
			ksft_print_msg("%s %-9s %9llu B: %9.0f pairs/s (cv %4.1f %%) %7.3f GB/s  unmap p50 %.1f p99 %.1f us\n",
				       self->backend, backing_name[k],
				       (unsigned long long)sizes[s], st.median, st.cv * 100,
				       2.0 * (double)sizes[s] * st.median / 1e9, su.p50, su.p99);
			free(mlat[s]);
			free(ulat[s]);
		}
		free(pps); free(gbs); free(mlat_med); free(ulat_med); free(mlat); free(ulat);
		free(cal); free(npps); free(ngbs); free(nml); free(nul);
		buf_free(&b);
	}
}

/* Unmap orders for the tree patterns. */
enum order { O_FWD, O_REV, O_INTERLEAVED, O_ALL, O_NR };
static const char *const order_name[O_NR] = { "fwd", "reverse", "interleaved", "unmap_all" };

/*
 * N 4 KiB mappings at every other page (so no two are adjacent), then all
 * unmapped forward, in reverse, evens-then-odds (the tree fragmented
 * half-way), or with one UNMAP_ALL.  Maps/s and unmaps/s per order.
 */
TEST_F_TIMEOUT(stress, map_n_unmap_n, 900)
{
	unsigned n = self->full ? 16384 : 1024, r, o, i, j, reps = self->full ? 7 : 5;
	double mps[O_NR][9], ups[O_NR][9], nmps[O_NR][9], nups[O_NR][9], cal;
	char err[256];
	struct buf b;
	uint64_t t0, un;
	int ret;

	ASSERT_EQ(0, buf_alloc(&b, B_ANON, 4096, err, sizeof(err))) TH_LOG("%s", err);
	for (r = 0; r < reps; r++) {
		for (o = 0; o < O_NR; o++) {
			cal = vct_calibrate();
			t0 = vct_now_ns();
			for (i = 0; i < n; i++) {
				ret = __vct_iommu_map(self->iommu, IOVA_BASE + 2ull * 4096 * i,
						      4096, b.p, VCT_PROT_RW);
				ASSERT_EQ(0, ret) TH_LOG("map %u of %u: %s", i, n,
							 vct_errno_name(-ret));
			}
			mps[o][r] = n / ((double)(vct_now_ns() - t0) / 1e9);
			t0 = vct_now_ns();
			if (o == O_ALL) {
				ret = __vct_iommu_unmap_all(self->iommu, &un);
				if (ret == -EOPNOTSUPP || ret == -EINVAL) {
					/* type1 without VFIO_UNMAP_ALL: one range unmap of everything */
					ret = __vct_iommu_unmap(self->iommu, IOVA_BASE,
								2ull * 4096 * n, &un);
				}
				ASSERT_EQ(0, ret) TH_LOG("unmap all: %s", vct_errno_name(-ret));
				ASSERT_EQ(4096ull * n, un);
			} else {
				for (j = 0; j < n; j++) {
					i = o == O_FWD ? j : o == O_REV ? n - 1 - j :
					    j < n / 2 ? 2 * j : 2 * (j - n / 2) + 1;
					un = 0;
					ret = __vct_iommu_unmap(self->iommu,
								IOVA_BASE + 2ull * 4096 * i, 4096, &un);
					ASSERT_EQ(0, ret) TH_LOG("%s unmap %u: %s", order_name[o],
								 i, vct_errno_name(-ret));
					ASSERT_EQ(4096, un);
				}
			}
			ups[o][r] = n / ((double)(vct_now_ns() - t0) / 1e9);
			nmps[o][r] = mps[o][r] * cal;
			nups[o][r] = ups[o][r] * cal;
		}
	}
	for (o = 0; o < O_NR; o++) {
		struct vct_stats sm, su;

		emit(_metadata, &METRIC(.metric = "maps_per_s", .unit = "1/s", .higher_is_better = 1,
			.backing = "anon", .pattern = order_name[o], .size = 4096, .count = n,
			.values = mps[o], .reps = reps, .norm = nmps[o]));
		emit(_metadata, &METRIC(.metric = "unmaps_per_s", .unit = "1/s", .higher_is_better = 1,
			.backing = "anon", .pattern = order_name[o], .size = 4096, .count = n,
			.values = ups[o], .reps = reps, .norm = nups[o]));
		vct_stats(mps[o], reps, &sm);
		vct_stats(ups[o], reps, &su);
		ksft_print_msg("%s %u mappings, unmap %-11s: %8.0f maps/s %8.0f unmaps/s\n",
			       self->backend, n, order_name[o], sm.median, su.median);
	}
	buf_free(&b);
}

/*
 * As many 4 KiB mappings as dma_avail allows (short mode: at most 4096).
 * dma_avail must drop by exactly one per mapping, and in full mode the
 * one beyond the limit must be refused with ENOSPC.
 */
TEST_F_TIMEOUT(stress, many_small_to_dma_avail, 900)
{
	struct vct_iommu_info info;
	unsigned n, i, avail0;
	double mps[1], ups[1];
	uint64_t t0, un = 0;
	char err[256];
	struct buf b;
	int ret;

	if (self->iommu->props->dma_avail != VCT_DMA_AVAIL_COUNTED)
		SKIP(return, "%s counts no mappings in DMA_AVAIL (iommu.h props->dma_avail)",
		     self->iommu->props->name);
	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info));
	if (!info.has_dma_avail) {
		vct_iommu_info_free(&info);
		SKIP(return, "no DMA_AVAIL capability");
	}
	avail0 = info.dma_avail;
	vct_iommu_info_free(&info);
	n = self->full ? avail0 : (avail0 < 4096 ? avail0 : 4096);
	ASSERT_EQ(0, buf_alloc(&b, B_ANON, 4096, err, sizeof(err))) TH_LOG("%s", err);
	t0 = vct_now_ns();
	for (i = 0; i < n; i++) {
		ret = __vct_iommu_map(self->iommu, IOVA_BASE + 2ull * 4096 * i, 4096, b.p,
				      VCT_PROT_RW);
		ASSERT_EQ(0, ret) TH_LOG("map %u of %u: %s", i, n, vct_errno_name(-ret));
	}
	mps[0] = n / ((double)(vct_now_ns() - t0) / 1e9);
	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info));
	ASSERT_EQ(avail0 - n, info.dma_avail);
	vct_iommu_info_free(&info);
	if (n == avail0) {
		ret = __vct_iommu_map(self->iommu, IOVA_BASE + 2ull * 4096 * n, 4096, b.p,
				      VCT_PROT_RW);
		ASSERT_EQ(-ENOSPC, ret);
	}
	t0 = vct_now_ns();
	ret = __vct_iommu_unmap(self->iommu, IOVA_BASE, 2ull * 4096 * n, &un);
	ups[0] = n / ((double)(vct_now_ns() - t0) / 1e9);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(4096ull * n, un);
	emit(_metadata, &METRIC(.metric = "maps_per_s", .unit = "1/s", .higher_is_better = 1,
		.backing = "anon", .pattern = "to_dma_avail", .size = 4096, .count = n,
		.values = mps, .reps = 1));
	emit(_metadata, &METRIC(.metric = "unmaps_per_s", .unit = "1/s", .higher_is_better = 1,
		.backing = "anon", .pattern = "to_dma_avail", .size = 4096, .count = n,
		.values = ups, .reps = 1));
	ksft_print_msg("%s %u of %u mappings (dma_avail): %.0f maps/s, one range unmap %.0f mappings/s\n",
		       self->backend, n, avail0, mps[0], ups[0]);
	buf_free(&b);
}

/* ---- concurrency ----------------------------------------------------------- */

struct worker {
	struct vct_iommu *iommu;
	uint64_t iova;
	void *va;
	pthread_barrier_t *start;
	unsigned count;
	int ret;
	char err[256];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t mu, uu;
	unsigned i;
	uint64_t t;

	pthread_barrier_wait(w->start);
	t = vct_ticks();
	for (i = 0; i < w->count && !w->ret; i++)
		w->ret = pair(w->iommu, w->iova, w->va, 4096, &t, &mu, &uu, w->err,
			      sizeof(w->err));
	return NULL;
}

/* Run `nt` workers (iommus[t] each), return aggregate pairs/s or -errno. */
static double run_workers(struct vct_iommu **iommus, unsigned nt, void *va, unsigned count,
			  char *err, size_t el)
{
	struct worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	pthread_barrier_t start;
	uint64_t t0;
	unsigned t;
	int ret = 0;

	pthread_barrier_init(&start, NULL, nt + 1);
	for (t = 0; t < nt; t++) {
		w[t] = (struct worker){ .iommu = iommus[t], .iova = IOVA_BASE + (uint64_t)t * SZ_2M,
					.va = va, .count = count, .start = &start };
		pthread_create(&th[t], NULL, worker_main, &w[t]);
	}
	t0 = vct_now_ns();
	pthread_barrier_wait(&start);
	for (t = 0; t < nt; t++) {
		pthread_join(th[t], NULL);
		if (w[t].ret && !ret) {
			ret = w[t].ret;
			snprintf(err, el, "thread %u: %s", t, w[t].err);
		}
	}
	pthread_barrier_destroy(&start);
	return ret ? ret : (double)nt * count / ((double)(vct_now_ns() - t0) / 1e9);
}

static unsigned ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

/*
 * 1 .. maxt threads running 4 KiB map+unmap pairs, thread i on io[i]:
 * pairs/s per thread count, reported as `pattern` (a figure, never asserted).
 */
static void thread_sweep(struct __test_metadata *_metadata, FIXTURE_DATA(stress) *self,
			 struct vct_iommu **io, unsigned maxt, void *p, const char *pattern)
{
	unsigned nt, r, count = self->full ? 512 : 128;
	double v[15], nv[15];
	char err[256];

	for (nt = 1; nt <= maxt; nt++) {
		struct vct_stats st;

		for (r = 0; r < self->reps; r++) {
			double cal = vct_calibrate();

			v[r] = run_workers(io, nt, p, count, err, sizeof(err));
			ASSERT_LT(0, v[r]) TH_LOG("%s", err);
			nv[r] = v[r] * cal;
		}
		emit(_metadata, &METRIC(.metric = "pairs_per_s", .unit = "1/s", .higher_is_better = 1,
			.backing = "anon", .pattern = pattern, .size = 4096,
			.threads = nt, .count = count, .values = v, .reps = self->reps, .norm = nv));
		vct_stats(v, self->reps, &st);
		ksft_print_msg("%s %u thread(s), %s: %.0f pairs/s (cv %.1f %%)\n",
			       self->backend, nt, pattern, st.median, st.cv * 100);
	}
}

/* 1 .. nCPU threads sharing one container, each at its own IOVA. */
TEST_F_TIMEOUT(stress, threads_one_container, 600)
{
	struct vct_iommu *io[MAX_THREADS];
	char err[256];
	unsigned r;
	struct buf b;

	ASSERT_EQ(0, buf_alloc(&b, B_ANON, 4096, err, sizeof(err))) TH_LOG("%s", err);
	for (r = 0; r < ncpus(); r++)
		io[r] = self->iommu;
	thread_sweep(_metadata, self, io, ncpus(), b.p, "one_container");
	buf_free(&b);
}

/* 1 .. min(nCPU, groups) threads, each with a container (and group) of its own. */
TEST_F_TIMEOUT(stress, threads_own_containers, 600)
{
	unsigned r, ndev, maxt;
	struct vct_iommu *io[MAX_THREADS] = { 0 };
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	char err[256];
	struct buf b;
	int ret;

	ret = __vct_test_devices(devs, VCT_ARRAY_SIZE(devs), err, sizeof(err));
	ASSERT_LE(1, ret) TH_LOG("%s", err);
	ndev = (unsigned)vct_devs_distinct_groups(devs, (size_t)ret);
	maxt = ndev < ncpus() ? ndev : ncpus();
	if (maxt < 2)
		SKIP(return, "one IOMMU group or one CPU: nothing concurrent to measure");
	/* The fixture's container holds group 0; each thread gets its own. */
	vct_iommu_close(self->iommu);
	self->iommu = NULL;
	for (r = 0; r < maxt; r++) {
		char why[256] = "";
		ASSERT_EQ(0, __vct_iommu_open(variant->backend, &io[r], why, sizeof(why)))
			TH_LOG("%s", why);
		ASSERT_EQ(0, __vct_iommu_attach(io[r], devs[r].bdf))
			TH_LOG("%s: %s", devs[r].bdf, vct_iommu_last_error(io[r]));
	}
	ASSERT_EQ(0, buf_alloc(&b, B_ANON, 4096, err, sizeof(err))) TH_LOG("%s", err);
	thread_sweep(_metadata, self, io, maxt, b.p, "own_containers");
	for (r = 0; r < maxt; r++)
		vct_iommu_close(io[r]);
	buf_free(&b);
}

VCT_HARNESS_MAIN
