// SPDX-License-Identifier: GPL-2.0
/*
 * stress/dmabench: the kernel's own streaming DMA API measured in-kernel
 * (CONFIG_DMA_MAP_BENCHMARK, kernel/dma/map_benchmark.c) beside VFIO's
 * user map/unmap, same sizes, same boot, behind the same vIOMMU.
 *
 * The kernel side is the kernel's own tool, tools/testing/selftests/dma/
 * dma_map_benchmark.c of the same source tree, built by the Makefile from
 * the fetched linux-source (harness/sh/ksrc.sh) into tools/ beside this
 * program: one thread calls dma_map_single() + dma_unmap_single() of
 * `granule` pages for the given seconds and reports average map and unmap
 * latency.  Its device: the second test device, taken from vfio-pci and
 * bound to the "dma_map_benchmark" driver through driver_override (the
 * driver matches no ID: "DMA map benchmark" binds only what it is given),
 * its IOMMU group's default domain set to DMA (strict: IOTLB invalidated
 * on every unmap) or DMA-FQ (lazy: flush queue) while unbound, as
 * stress/kdma switches its disk; all of it put back in the teardown.
 * The VFIO side: MAP_DMA + UNMAP_DMA (type1v2) of the same sizes on the
 * first device, averaged the same way (mean per operation).  VFIO's own
 * domain is unmanaged and does not change with the variant: its figures
 * are the same measurement twice.
 *
 * Sizes: 4 KiB .. 4 MiB by 4, as stress/maps' short mode (4 MiB is the
 * tool's largest granule, 1024 pages).  Tests fail only when an operation
 * errs, never on timing.  Without the tool, the kernel option or a second
 * device, every test SKIPs with the reason.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#include "iommu.h"
#include "metrics.h"
#include "pcidev.h"
#include "variants.h"

#define IOVA_BASE	(1ull << 32)
#define BENCH_DRIVER	"dma_map_benchmark"
#define BENCH_DEBUGFS	"/sys/kernel/debug/dma_map_benchmark"
#define MAX_SIZE	(4ull << 20)
#define NSIZES		6
#define MAX_REPS	8

FIXTURE(dmabench) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	char tool[512];
	char bdf[VCT_BDF_LEN];	/* the benchmark's device, "" until taken */
	int group;
	char orig_type[32];
	char name[256];
	char backend[32];	/* "kernel-strict" / "kernel-lazy" */
	int full;
};

VCT_DMA_MODE_VARIANTS(dmabench);

/* debugfs at /sys/kernel/debug (the runner's initramfs guest does not mount it). */
static void vct_debugfs_mount(void)
{
	struct statfs sf;

	if (statfs("/sys/kernel/debug", &sf) || sf.f_type != 0x64626720 /* DEBUGFS_MAGIC */)
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
}

static int write_attr(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fputs(s, f) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static int group_type(int group, char *buf, size_t len)
{
	char p[96];

	snprintf(p, sizeof(p), "/sys/kernel/iommu_groups/%d/type", group);
	return __vct_read_text(p, buf, len) < 0 ? -EIO : 0;
}

static int set_group_type(int group, const char *type)
{
	char p[96];

	snprintf(p, sizeof(p), "/sys/kernel/iommu_groups/%d/type", group);
	return write_attr(p, type);
}

FIXTURE_SETUP(dmabench)
{
	char exe[512], *slash, why[512] = "", drv[64] = "";
	const char *stress;
	struct stat st;
	ssize_t n;
	size_t ndev;
	int ret;

	vct_mark_test(_metadata, variant);
	self->bdf[0] = 0;
	VCT_REAL_CLOCK_OR_SKIP();
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = 0;
	slash = strrchr(exe, '/');
	ASSERT_NE(NULL, slash);
	*slash = 0;
	snprintf(self->tool, sizeof(self->tool), "%.400s/tools/dma_map_benchmark", exe);
	if (access(self->tool, X_OK))
		SKIP(return, "%.450s: %s (the kernel's tools/testing/selftests/dma tool, built from the kernel source by make)",
		     self->tool, strerror(errno));
	vct_debugfs_mount();
	if (stat("/sys/bus/pci/drivers/" BENCH_DRIVER, &st))
		SKIP(return, "no PCI driver %s: the kernel lacks CONFIG_DMA_MAP_BENCHMARK", BENCH_DRIVER);
	VCT_IOMMU_SETUP_OR_SKIP(VCT_BACKEND_TYPE1v2, 1, 1, &self->iommu, self->devs);
	ret = __vct_test_devices(self->devs, VCT_ARRAY_SIZE(self->devs), why, sizeof(why));
	ASSERT_LE(0, ret) TH_LOG("%s", why);
	ndev = vct_devs_distinct_groups(self->devs, (size_t)ret);
	if (ndev < 2)
		SKIP(return, "one test device: the benchmark needs a second, in an IOMMU group of its own");
	/* devs[0] is VFIO's (attached by the setup); the last one is the benchmark's */
	snprintf(self->bdf, sizeof(self->bdf), "%s", self->devs[ndev - 1].bdf);
	self->group = self->devs[ndev - 1].group;
	snprintf(self->name, sizeof(self->name), "dmabench.%s.%s", variant->mode, _metadata->name);
	snprintf(self->backend, sizeof(self->backend), "kernel-%s", variant->mode);
	stress = getenv("VCT_STRESS");
	self->full = stress && !strcmp(stress, "full");
	ASSERT_EQ(0, group_type(self->group, self->orig_type, sizeof(self->orig_type)));
	ASSERT_EQ(0, __vct_pci_driver(self->bdf, drv, sizeof(drv)));
	ASSERT_STREQ("vfio-pci", drv) TH_LOG("%s", self->bdf);
	vct_pci_unbind(self->bdf);
	ret = set_group_type(self->group, variant->type);
	ASSERT_EQ(0, ret) TH_LOG("%s: group %d type %s: %s", self->bdf, self->group,
				 variant->type, strerror(-ret));
	ret = __vct_pci_bind_driver(self->bdf, BENCH_DRIVER);
	ASSERT_EQ(0, ret) TH_LOG("%s: binding %s: %s", self->bdf, BENCH_DRIVER, strerror(-ret));
	ASSERT_EQ(0, stat(BENCH_DEBUGFS, &st)) TH_LOG("%s bound but no %s", self->bdf, BENCH_DEBUGFS);
	ksft_print_msg("%s: %s bound to %s, IOMMU group %d type %s (was %s); VFIO on %s\n",
		       variant->mode, self->bdf, BENCH_DRIVER, self->group, variant->type,
		       self->orig_type, self->devs[0].bdf);
}

FIXTURE_TEARDOWN(dmabench)
{
	int ret;

	vct_iommu_close(self->iommu);
	if (!self->bdf[0])
		return;
	vct_pci_unbind(self->bdf);
	if (self->orig_type[0] && set_group_type(self->group, self->orig_type))
		ksft_print_msg("%s: could not restore group %d to %s\n", self->bdf, self->group,
			       self->orig_type);
	ret = __vct_pci_bind_vfio(self->bdf);
	if (ret)
		ksft_print_msg("%s: could not bind vfio-pci again: %s\n", self->bdf, strerror(-ret));
}

/*
 * One run of the kernel's tool: `granule` pages mapped and unmapped for
 * `secs` seconds; its averages in us.  0, or -errno with err set.
 */
static int bench(const char *tool, unsigned granule, unsigned secs, double *map_us,
		 double *unmap_us, char *err, size_t el)
{
	char cmd[640], line[256];
	double sd;
	int got = 0, st;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' -t 1 -s %u -g %u 2>&1", tool, secs, granule);
	p = popen(cmd, "r");
	if (!p) {
		snprintf(err, el, "popen %.200s: %s", tool, strerror(errno));
		return -errno;
	}
	/* "average map latency(us):%.1f standard deviation:%.1f" (dma_map_benchmark.c) */
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "average map latency(us):%lf standard deviation:%lf", map_us, &sd) == 2)
			got |= 1;
		else if (sscanf(line, "average unmap latency(us):%lf standard deviation:%lf", unmap_us, &sd) == 2)
			got |= 2;
		else
			snprintf(err, el, "%s", line);
	}
	st = pclose(p);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) || got != 3) {
		size_t l = strlen(err);

		snprintf(err + l, el - l, " (%.200s granule %u: status %d, %s)", tool, granule, st,
			 got == 3 ? "both averages" : "averages missing");
		return -EIO;
	}
	return 0;
}

/* `count` VFIO map+unmap pairs of `size`: mean us per map and per unmap. */
static int vfio_lat(struct vct_iommu *io, void *va, uint64_t size, unsigned count,
		    double *map_us, double *unmap_us, char *err, size_t el)
{
	uint64_t tm = 0, tu = 0, t0, t1, t2, un;
	unsigned i;
	int ret;

	for (i = 0; i < count; i++) {
		t0 = vct_now_ns();
		ret = __vct_iommu_map(io, IOVA_BASE, size, va, VCT_PROT_RW);
		t1 = vct_now_ns();
		if (ret) {
			snprintf(err, el, "MAP_DMA size %#llx: %s", (unsigned long long)size,
				 vct_errno_name(-ret));
			return ret;
		}
		un = 0;
		ret = __vct_iommu_unmap(io, IOVA_BASE, size, &un);
		t2 = vct_now_ns();
		if (ret || un != size) {
			snprintf(err, el, "UNMAP_DMA size %#llx: %s, unmapped %#llx",
				 (unsigned long long)size, ret ? vct_errno_name(-ret) : "ok",
				 (unsigned long long)un);
			return ret ? ret : -EIO;
		}
		tm += t1 - t0;
		tu += t2 - t1;
	}
	*map_us = (double)tm / count / 1e3;
	*unmap_us = (double)tu / count / 1e3;
	return 0;
}

static void emit(const struct vct_metric *m)
{
	int ret = vct_metric_emit(m);

	if (ret < 0)
		ksft_print_msg("metrics: %s: %s\n", m->metric, strerror(-ret));
}

/*
 * Per size, interleaved over repetitions: the kernel tool's averages and
 * VFIO's, side by side in metrics.json (dma_api_* under kernel-strict or
 * kernel-lazy, vfio_* under type1v2, pattern "vs_dma_api") and in the log.
 */
TEST_F_TIMEOUT(dmabench, map_unmap_latency_by_size_beside_vfio, 600)
{
	unsigned reps = self->full ? 5 : 2, secs = self->full ? 3 : 1, s, r;
	double km[NSIZES][MAX_REPS], ku[NSIZES][MAX_REPS], vm[NSIZES][MAX_REPS], vu[NSIZES][MAX_REPS];
	uint64_t sizes[NSIZES];
	char err[512] = "";
	void *buf;

	buf = vct_dma_alloc(MAX_SIZE);
	ASSERT_NE(NULL, buf);
	memset(buf, 0, MAX_SIZE);
	for (s = 0; s < NSIZES; s++)
		sizes[s] = 4096ull << (2 * s);
	for (r = 0; r < reps; r++)
		for (s = 0; s < NSIZES; s++) {
			unsigned count = sizes[s] <= (64 << 10) ? 256 : sizes[s] <= (1 << 20) ? 64 : 16;
			int ret = bench(self->tool, (unsigned)(sizes[s] / 4096), secs,
					&km[s][r], &ku[s][r], err, sizeof(err));

			ASSERT_EQ(0, ret) TH_LOG("%s: %s", self->bdf, err);
			ret = vfio_lat(self->iommu, buf, sizes[s], count, &vm[s][r], &vu[s][r],
				       err, sizeof(err));
			ASSERT_EQ(0, ret) TH_LOG("%s: %s", self->devs[0].bdf, err);
		}
	ksft_print_msg("%-6s %8s | %18s %18s | %18s %18s\n", "mode", "size", "DMA API map us",
		       "DMA API unmap us", "VFIO map us", "VFIO unmap us");
	for (s = 0; s < NSIZES; s++) {
		struct vct_stats a, b, c, d;
		const char *m[4] = { "dma_api_map_latency_us", "dma_api_unmap_latency_us",
				     "vfio_map_latency_us", "vfio_unmap_latency_us" };
		double *v[4] = { km[s], ku[s], vm[s], vu[s] };
		int i;

		for (i = 0; i < 4; i++)
			emit(&(struct vct_metric){ .suite = "stress", .test = self->name,
				.metric = m[i], .unit = "us", .higher_is_better = 0,
				.backend = i < 2 ? self->backend : "type1v2",
				.backing = i < 2 ? "kernel" : "anon", .pattern = "vs_dma_api",
				.size = sizes[s], .threads = 1, .values = v[i], .reps = reps });
		vct_stats(km[s], reps, &a);
		vct_stats(ku[s], reps, &b);
		vct_stats(vm[s], reps, &c);
		vct_stats(vu[s], reps, &d);
		ksft_print_msg("%-6s %8llu | %18.1f %18.1f | %18.1f %18.1f\n", variant->mode,
			       (unsigned long long)sizes[s], a.median, b.median, c.median, d.median);
	}
	vct_dma_free(buf, MAX_SIZE);
}

VCT_HARNESS_MAIN
