// SPDX-License-Identifier: GPL-2.0
/*
 * abifuzz - the VFIO uapi fed random and boundary arguments on live
 * objects: every answer must be -errno or a success that leaves a state
 * consistent with what the kernel said before.
 *
 * Objects come from the harness's backend-neutral setup (one device,
 * attached, per backend variant); raw fds only through iommu.h's accessors.
 * Each test draws calls from a seeded generator until its budget runs out:
 *   VCT_ABIFUZZ_SECONDS  per test (default 2; 60 with --stress, i.e.
 *                        VCT_STRESS=full; the soak's seconds with --duration)
 *   VCT_ABIFUZZ_CALLS    per test (default 4000; unbounded under --stress)
 *   VCT_ABIFUZZ_SEED     the seed (default: from the clock); printed first,
 *                        so a failure replays with the same seed and budget
 *                        in calls.
 *   VCT_ABIFUZZ_TRACE=1  every call and its answer on the TAP diagnostics.
 * (run.sh passes these from the host's environment into the guest.)
 * Every test prints, per ioctl, calls made and answers by errno.
 *
 * Oracles (each quotes the 6.12 line deciding it):
 *  - a field the kernel checks first gets exactly its errno (argsz below
 *    the struct's minimum, unknown flags, an index past the last);
 *  - what an INFO ioctl answers with a large enough argsz is the same on
 *    every call;
 *  - MAP_DMA succeeds only for a page-aligned, non-empty range of our own
 *    buffer at an IOVA no other mapping holds; UNMAP_DMA of mappings
 *    returns exactly their sizes; the mapping count is dma_avail's drop;
 *  - afterwards every mapping is gone: dma_avail and VmLck are back to
 *    their values before the test.
 * Flags whose state the model does not track (UPDATE_VADDR, dirty
 * tracking) are not sent.  Kernel splats during a test fail it through the
 * runner (vfio-ct: begin markers), like every other suite.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "test.h"
#include "variants.h"

#include "device.h"
#include "iommu.h"
#include "metrics.h"
#include "../map/lock.h"

/* ---- the generator and the budget ----------------------------------------- */

struct fz {
	uint64_t s, seed;
	unsigned long calls, max_calls;
	uint64_t end_ns;
	bool trace;
};

static uint64_t rnd(struct fz *f)	/* xorshift64* */
{
	f->s ^= f->s >> 12;
	f->s ^= f->s << 25;
	f->s ^= f->s >> 27;
	return f->s * 0x2545f4914f6cdd1dull;
}

static uint64_t below(struct fz *f, uint64_t n)
{
	return n ? rnd(f) % n : 0;
}

/* A boundary value near `pg`-granular sizes and address-space edges, or noise. */
static uint64_t edge64(struct fz *f, uint64_t pg)
{
	const uint64_t v[] = { 0, 1, pg - 1, pg, pg + 1, 2 * pg, UINT64_MAX,
			       UINT64_MAX - pg + 1, UINT64_MAX - 2 * pg + 1, 1ull << 31,
			       1ull << 32, (1ull << 32) - pg, 1ull << 39, 1ull << 47,
			       (1ull << 48) - pg, 1ull << 48, 1ull << 63, 0xfee00000, 0x08000000 };

	switch (below(f, 3)) {
	case 0:
		return v[below(f, sizeof(v) / sizeof(v[0]))];
	case 1:
		return rnd(f) & ~(pg - 1);
	default:
		return rnd(f);
	}
}

/* An argsz around the struct's minimum `min` and full size `full`. */
static uint32_t edge_argsz(struct fz *f, uint32_t min, uint32_t full)
{
	const uint32_t v[] = { 0, 1, 3, 4, min - 1, min, min + 1, full - 1, full, full + 1,
			       full + 8, 4096, UINT32_MAX, 1u << 31 };

	return below(f, 4) ? v[below(f, sizeof(v) / sizeof(v[0]))] : (uint32_t)below(f, 8192);
}

static bool more(struct fz *f)
{
	return f->calls < f->max_calls && vct_now_ns() < f->end_ns;
}

static unsigned long env_ul(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return dflt;
	v = strtoul(s, &end, 0);
	return *end ? dflt : v;
}

/* ---- per-ioctl accounting ------------------------------------------------- */

enum op {
	OP_API, OP_EXT, OP_SET_IOMMU, OP_IOMMU_INFO, OP_MAP, OP_UNMAP,
	OP_G_STATUS, OP_G_SET_CONTAINER, OP_G_UNSET_CONTAINER, OP_G_DEVICE_FD,
	OP_D_INFO, OP_D_REGION_INFO, OP_D_IRQ_INFO, OP_D_SET_IRQS, OP_D_RESET,
	OP_D_HOT_RESET_INFO, OP_PREAD, OP_PWRITE, OP_MMAP, OP_NR
};

static const char *const op_name[OP_NR] = {
	"VFIO_GET_API_VERSION", "VFIO_CHECK_EXTENSION", "VFIO_SET_IOMMU",
	"VFIO_IOMMU_GET_INFO", "VFIO_IOMMU_MAP_DMA", "VFIO_IOMMU_UNMAP_DMA",
	"VFIO_GROUP_GET_STATUS", "VFIO_GROUP_SET_CONTAINER", "VFIO_GROUP_UNSET_CONTAINER",
	"VFIO_GROUP_GET_DEVICE_FD", "VFIO_DEVICE_GET_INFO", "VFIO_DEVICE_GET_REGION_INFO",
	"VFIO_DEVICE_GET_IRQ_INFO", "VFIO_DEVICE_SET_IRQS", "VFIO_DEVICE_RESET",
	"VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", "region pread", "region pwrite", "region mmap",
};

#define MAX_ERRNO 134

struct tally {
	unsigned long calls, ok, err[MAX_ERRNO];
};

/* ioctl as its answer (>= 0) or -errno, counted. */
static long xcall(struct fz *f, struct tally *t, enum op op, long ret)
{
	int e = ret < 0 ? errno : 0;

	f->calls++;
	t[op].calls++;
	if (f->trace)
		ksft_print_msg("abifuzz: call %lu %s -> %ld (%s)\n", f->calls, op_name[op], ret,
			       ret < 0 ? strerrorname_np(e) : "ok");
	if (ret >= 0) {
		t[op].ok++;
		return ret;
	}
	t[op].err[e > 0 && e < MAX_ERRNO ? e : 0]++;
	return -e;
}

#define IOC(op, fd, req, arg) xcall(&self->fz, self->t, op, ioctl(fd, req, arg))

/*
 * One count as a metrics.json record: metric "calls" (every call), "ok"
 * (answered >= 0) or the errno's name ("EINVAL"; "E?" for one past
 * MAX_ERRNO), pattern the ioctl, one repetition.  A count, not a figure
 * to compare: it depends on the budget and the machine's speed.
 */
static void emit_count(const char *test, const char *backend, const char *op,
		       const char *what, unsigned long n)
{
	double v = (double)n;

	if (vct_metric_emit(&(struct vct_metric){ .suite = "abifuzz", .test = test,
			.metric = what, .unit = "calls", .higher_is_better = 1,
			.backend = backend, .backing = "", .pattern = op, .threads = 1,
			.count = (unsigned)n, .values = &v, .reps = 1 }))
		ksft_print_msg("abifuzz: %s %s %s: cannot write $VCT_METRICS\n", test, op, what);
}

/*
 * Per ioctl, calls made and answers by errno: on the TAP diagnostics
 * ("# abifuzz: VFIO_IOMMU_MAP_DMA: 812 calls, 40 ok, EINVAL 700, EEXIST 72")
 * and as metrics.json records (emit_count), for the report's table.
 */
static void report(const struct tally *t, const char *test, const char *backend)
{
	char line[1024];
	int i, e, n;

	for (i = 0; i < OP_NR; i++) {
		if (!t[i].calls)
			continue;
		n = snprintf(line, sizeof(line), "abifuzz: %s: %lu calls, %lu ok",
			     op_name[i], t[i].calls, t[i].ok);
		emit_count(test, backend, op_name[i], "calls", t[i].calls);
		emit_count(test, backend, op_name[i], "ok", t[i].ok);
		for (e = 0; e < MAX_ERRNO; e++) {
			const char *en = e ? strerrorname_np(e) : "E?";

			if (!t[i].err[e])
				continue;
			if (n > 0 && (size_t)n < sizeof(line))
				n += snprintf(line + n, sizeof(line) - (size_t)n, ", %s %lu",
					      en, t[i].err[e]);
			emit_count(test, backend, op_name[i], en, t[i].err[e]);
		}
		ksft_print_msg("%s\n", line);
	}
}

/* ---- the fixture ------------------------------------------------------------ */

#define POOL_PAGES	64
#define MAX_MAPS	64

struct rec {
	uint64_t iova, size;
};

FIXTURE(abifuzz) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	enum vct_backend backend;
	struct fz fz;
	struct tally t[OP_NR];
	uint64_t pg, pgsizes;
	struct vct_ranges usable;
	uint32_t avail0;
	bool has_avail;
	int64_t vmlck0;
	uint8_t *pool;		/* POOL_PAGES granules, faulted in, then a guard */
	size_t poollen;
	struct rec maps[MAX_MAPS];
	size_t nmaps;
};

VCT_CONTAINER_VARIANTS(abifuzz);

static uint32_t dma_avail(struct __test_metadata *_metadata, FIXTURE_DATA(abifuzz) *self)
{
	struct vct_iommu_info info;
	uint32_t a;

	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	a = info.dma_avail;
	vct_iommu_info_free(&info);
	return a;
}

FIXTURE_SETUP(abifuzz)
{
	struct vct_iommu_info info;
	const char *stress = getenv("VCT_STRESS");
	bool full = stress && !strcmp(stress, "full");
	unsigned long secs, soak = env_ul("VCT_SOAK_SECS", 0);

	vct_mark_test(_metadata, variant);
	memset(self, 0, sizeof(*self));
	self->backend = variant->backend;
	VCT_IOMMU_SETUP_OR_SKIP(variant->backend, 1, 1, &self->iommu, self->devs);
	ASSERT_EQ(0, __vct_iommu_info(self->iommu, &info))
		TH_LOG("%s", vct_iommu_last_error(self->iommu));
	self->pgsizes = info.pgsizes;
	self->pg = vct_pgsize_min(info.pgsizes);
	self->has_avail = info.has_dma_avail;
	self->avail0 = info.dma_avail;
	ASSERT_TRUE(info.has_iova_ranges);
	ASSERT_EQ(0, vct_ranges_copy(&info.iova, &self->usable));
	vct_iommu_info_free(&info);
	ASSERT_LE(vct_page_size(), self->pg);
	/* The pool, then a PROT_NONE guard: pinning past the pool must fail. */
	self->poollen = POOL_PAGES * self->pg;
	self->pool = vct_dma_alloc(self->poollen + 16 * self->pg);
	ASSERT_NE(NULL, self->pool);
	memset(self->pool, 0x5a, self->poollen);
	ASSERT_EQ(0, mprotect(self->pool + self->poollen, 16 * self->pg, PROT_NONE));
	self->vmlck0 = vct_vmlck_bytes();
	ASSERT_LE(0, self->vmlck0);

	self->fz.seed = env_ul("VCT_ABIFUZZ_SEED", 0);
	if (!self->fz.seed)
		self->fz.seed = vct_now_ns() | 1;
	self->fz.s = self->fz.seed;
	self->fz.trace = env_ul("VCT_ABIFUZZ_TRACE", 0);
	secs = env_ul("VCT_ABIFUZZ_SECONDS", soak ? soak : full ? 60 : 2);
	self->fz.max_calls = env_ul("VCT_ABIFUZZ_CALLS", full || soak ? ~0ul : 4000);
	self->fz.end_ns = vct_now_ns() + (uint64_t)secs * 1000000000ull;
	ksft_print_msg("abifuzz: %s on %s, seed %" PRIu64 " (replay: VCT_ABIFUZZ_SEED=%" PRIu64
		       " VCT_ABIFUZZ_CALLS=N), %lu s, at most %lu calls\n",
		       vct_backend_name(variant->backend), self->devs[0].bdf, self->fz.seed,
		       self->fz.seed, secs, self->fz.max_calls);
}

FIXTURE_TEARDOWN(abifuzz)
{
	char name[256];

	vct_test_name(_metadata, variant, name, sizeof(name));
	report(self->t, name, vct_backend_name(self->backend));
	vct_iommu_close(self->iommu);
	if (self->pool)
		vct_dma_free(self->pool, self->poollen + 16 * self->pg);
	vct_ranges_free(&self->usable);
}

/* The call that failed and the seed that replays it: ... " WHERE, args..., AT) */
#define WHERE "call %lu (seed %" PRIu64 ")"
#define AT self->fz.calls, self->fz.seed

/* ---- container: GET_API_VERSION, CHECK_EXTENSION, SET_IOMMU, GET_INFO, MAP, UNMAP */

static bool overlaps(const struct rec *r, uint64_t iova, uint64_t size)
{
	return iova < r->iova + r->size && r->iova < iova + size;
}

static void forget(FIXTURE_DATA(abifuzz) *self, size_t i)
{
	self->maps[i] = self->maps[--self->nmaps];
}

/* A vaddr: mostly inside the pool, sometimes unaligned, NULL, kernel, guard. */
static uint64_t pick_vaddr(FIXTURE_DATA(abifuzz) *self)
{
	uint64_t base = (uint64_t)(uintptr_t)self->pool;

	switch (below(&self->fz, 8)) {
	case 0: return base + 1 + below(&self->fz, self->pg - 1);
	case 1: return 0;
	case 2: return 0xffff800000000000ull + below(&self->fz, 1u << 20) * self->pg;
	case 3: return base + self->poollen;	/* the guard */
	default: return base + below(&self->fz, POOL_PAGES) * self->pg;
	}
}

/* An IOVA: mostly page-aligned inside a usable range, else a boundary value. */
static uint64_t pick_iova(FIXTURE_DATA(abifuzz) *self)
{
	const struct vct_range *r;

	if (below(&self->fz, 4) == 0 || !self->usable.n)
		return edge64(&self->fz, self->pg);
	r = &self->usable.v[below(&self->fz, self->usable.n)];
	return r->start + below(&self->fz, 256) * self->pg;
}

static void do_map(struct __test_metadata *_metadata, FIXTURE_DATA(abifuzz) *self, int cfd)
{
	const uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct vfio_iommu_type1_dma_map m = { .argsz = sizeof(m) };
	uint64_t base = (uint64_t)(uintptr_t)self->pool;
	bool remap = self->nmaps && below(&self->fz, 8) == 0;
	size_t i;
	long ret;

	if (remap) {	/* the exact range of a mapping that exists */
		const struct rec *r = &self->maps[below(&self->fz, self->nmaps)];

		m.iova = r->iova;
		m.size = r->size;
		m.vaddr = base;
		m.flags = known;
	} else {
		if (below(&self->fz, 4) == 0)
			m.argsz = edge_argsz(&self->fz, 32, sizeof(m));
		m.flags = below(&self->fz, 8) ? (uint32_t)below(&self->fz, 4) :
						 1u << (5 + below(&self->fz, 27));
		m.vaddr = pick_vaddr(self);
		m.iova = pick_iova(self);
		m.size = below(&self->fz, 4) ? (1 + below(&self->fz, 8)) * self->pg :
					       edge64(&self->fz, self->pg);
	}
	if (self->fz.trace)
		ksft_print_msg("abifuzz: MAP_DMA argsz %u flags 0x%x vaddr 0x%llx iova 0x%llx size 0x%llx\n",
			       m.argsz, m.flags, (unsigned long long)m.vaddr,
			       (unsigned long long)m.iova, (unsigned long long)m.size);
	ret = IOC(OP_MAP, cfd, VFIO_IOMMU_MAP_DMA, &m);
	/* vfio_iommu_type1.c:2828: if (map.argsz < minsz || map.flags & ~mask) return -EINVAL */
	if (m.argsz < 32 || (m.flags & ~(known | VFIO_DMA_MAP_FLAG_VADDR))) {
		ASSERT_EQ(-EINVAL, ret) TH_LOG("argsz %u flags 0x%x: " WHERE, m.argsz, m.flags, AT);
		return;
	}
	if (remap) {	/* vfio_dma_do_map: vfio_find_dma(...) -> -EEXIST */
		ASSERT_EQ(-EEXIST, ret) TH_LOG("re-map of [0x%llx+0x%llx): " WHERE,
					       (unsigned long long)m.iova, (unsigned long long)m.size, AT);
		return;
	}
	if (ret)
		return;
	/* Accepted: it must be a mapping the kernel could rightly make. */
	ASSERT_TRUE(m.size && !(m.iova & (self->pg - 1)) && !(m.size & (self->pg - 1)) &&
		    m.iova + m.size > m.iova)
		TH_LOG("MAP_DMA accepted iova 0x%llx size 0x%llx: " WHERE,
		       (unsigned long long)m.iova, (unsigned long long)m.size, AT);
	ASSERT_TRUE(m.vaddr >= base && m.vaddr + m.size <= base + self->poollen)
		TH_LOG("MAP_DMA pinned vaddr 0x%llx+0x%llx outside our buffer: " WHERE,
		       (unsigned long long)m.vaddr, (unsigned long long)m.size, AT);
	for (i = 0; i < self->nmaps; i++) {
		ASSERT_FALSE(overlaps(&self->maps[i], m.iova, m.size))
			TH_LOG("MAP_DMA [0x%llx+0x%llx) accepted over [0x%llx+0x%llx): " WHERE,
			       (unsigned long long)m.iova, (unsigned long long)m.size,
			       (unsigned long long)self->maps[i].iova,
			       (unsigned long long)self->maps[i].size, AT);
	}
	self->maps[self->nmaps].iova = m.iova;
	self->maps[self->nmaps++].size = m.size;
}

static void do_unmap(struct __test_metadata *_metadata, FIXTURE_DATA(abifuzz) *self, int cfd)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u) };
	uint64_t inside = 0, asked;
	bool bisects = false, exact = self->nmaps && below(&self->fz, 2);
	size_t i;
	long ret;

	if (exact) {
		const struct rec *r = &self->maps[below(&self->fz, self->nmaps)];

		u.iova = r->iova;
		u.size = r->size;
	} else if (below(&self->fz, 64) == 0) {
		u.flags = VFIO_DMA_UNMAP_FLAG_ALL;
		if (below(&self->fz, 2)) {
			u.iova = edge64(&self->fz, self->pg);
			u.size = edge64(&self->fz, self->pg);
		}
	} else {
		if (below(&self->fz, 4) == 0)
			u.argsz = edge_argsz(&self->fz, 24, sizeof(u));
		if (below(&self->fz, 8) == 0)
			u.flags = 1u << (3 + below(&self->fz, 29));
		u.iova = pick_iova(self);
		u.size = below(&self->fz, 2) ? (1 + below(&self->fz, 16)) * self->pg :
					       edge64(&self->fz, self->pg);
	}
	for (i = 0; i < self->nmaps; i++) {
		const struct rec *r = &self->maps[i];

		if (u.flags & VFIO_DMA_UNMAP_FLAG_ALL)
			inside += r->size;
		else if (r->iova >= u.iova && r->iova + r->size <= u.iova + u.size &&
			 u.iova + u.size > u.iova)
			inside += r->size;
		else if (overlaps(r, u.iova, u.size))
			bisects = true;
	}
	/*
	 * type1 (v1) unmaps whole mappings a bisecting range touches, which
	 * this model does not follow: there, such a range is not sent.
	 */
	if (bisects && vct_backend_props(self->backend)->unmap_partial != VCT_UNMAP_PARTIAL_REFUSED &&
	    !(u.flags & VFIO_DMA_UNMAP_FLAG_ALL))
		return;
	asked = u.size;
	if (self->fz.trace)
		ksft_print_msg("abifuzz: UNMAP_DMA argsz %u flags 0x%x iova 0x%llx size 0x%llx (model: 0x%llx inside)\n",
			       u.argsz, u.flags, (unsigned long long)u.iova, (unsigned long long)u.size,
			       (unsigned long long)inside);
	ret = IOC(OP_UNMAP, cfd, VFIO_IOMMU_UNMAP_DMA, &u);
	/* vfio_iommu_type1.c:2845-2850: argsz < minsz or flags outside the mask: -EINVAL */
	if (u.argsz < 24 || (u.flags & ~(uint32_t)(VFIO_DMA_UNMAP_FLAG_ALL |
						   VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
						   VFIO_DMA_UNMAP_FLAG_VADDR))) {
		ASSERT_EQ(-EINVAL, ret) TH_LOG("argsz %u flags 0x%x: " WHERE, u.argsz, u.flags, AT);
		return;
	}
	/* vfio_dma_do_unmap: unmap_all with iova or size set: -EINVAL */
	if ((u.flags & VFIO_DMA_UNMAP_FLAG_ALL) && (u.iova || asked)) {
		ASSERT_EQ(-EINVAL, ret) TH_LOG("UNMAP_ALL with iova/size: " WHERE, AT);
		return;
	}
	if (exact || (u.flags & VFIO_DMA_UNMAP_FLAG_ALL))
		ASSERT_EQ(0, ret) TH_LOG("UNMAP_DMA of [0x%llx+0x%llx) flags 0x%x: " WHERE,
					 (unsigned long long)u.iova, (unsigned long long)asked, u.flags, AT);
	if (ret)
		return;
	/* type1v2 refuses a range that bisects a mapping (vfio_dma_do_unmap: "if (iommu->v2)") */
	ASSERT_FALSE(bisects) TH_LOG("UNMAP_DMA [0x%llx+0x%llx) bisecting a mapping succeeded: " WHERE,
				     (unsigned long long)u.iova, (unsigned long long)asked, AT);
	ASSERT_EQ(inside, u.size) TH_LOG("UNMAP_DMA [0x%llx+...) flags 0x%x: " WHERE,
					 (unsigned long long)u.iova, u.flags, AT);
	/* The kernel wrote what it unmapped into u.size: forget by the range asked for. */
	for (i = self->nmaps; i-- > 0;)
		if ((u.flags & VFIO_DMA_UNMAP_FLAG_ALL) || overlaps(&self->maps[i], u.iova, asked))
			forget(self, i);
}

/* Every mapping left is unmapped by its exact range; dma_avail and VmLck at baseline. */
static void back_to_baseline(struct __test_metadata *_metadata, FIXTURE_DATA(abifuzz) *self)
{
	int cfd = vct_iommu_container_fd(self->iommu);

	while (self->nmaps) {
		struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u),
			.iova = self->maps[0].iova, .size = self->maps[0].size };

		ASSERT_EQ(0, IOC(OP_UNMAP, cfd, VFIO_IOMMU_UNMAP_DMA, &u));
		ASSERT_EQ(self->maps[0].size, u.size)
			TH_LOG("final UNMAP_DMA of [0x%llx+0x%llx)", (unsigned long long)self->maps[0].iova,
			       (unsigned long long)self->maps[0].size);
		forget(self, 0);
	}
	if (self->has_avail)
		ASSERT_EQ(self->avail0, dma_avail(_metadata, self));
	ASSERT_EQ(self->vmlck0, vct_vmlck_bytes()) TH_LOG("locked memory not released");
}

TEST_F_TIMEOUT(abifuzz, container_ioctls_answer_errno_or_consistent_success, 900)
{
	int cfd = vct_iommu_container_fd(self->iommu);
	unsigned char buf[4096];
	long ext0[16];
	unsigned long model = vct_backend_props(self->backend)->vfio_model;
	long ret;
	int i;

	ASSERT_LE(0, cfd);
	for (i = 0; i < 16; i++)
		ext0[i] = ioctl(cfd, VFIO_CHECK_EXTENSION, (unsigned long)i);
	ASSERT_EQ(1, ext0[model]);
	while (more(&self->fz)) {
		switch (below(&self->fz, 12)) {
		case 0:	/* container.c vfio_fops_unl_ioctl: VFIO_GET_API_VERSION ignores arg */
			ASSERT_EQ(VFIO_API_VERSION, IOC(OP_API, cfd, VFIO_GET_API_VERSION, rnd(&self->fz)));
			break;
		case 1: {
			unsigned long e = below(&self->fz, 2) ? below(&self->fz, 16) : rnd(&self->fz);

			ret = IOC(OP_EXT, cfd, VFIO_CHECK_EXTENSION, e);
			ASSERT_TRUE(ret == 0 || ret == 1) TH_LOG("extension %lu: %ld", e, ret);
			if (e < 16)
				ASSERT_EQ(ext0[e], ret) TH_LOG("extension %lu answered differently", e);
			break;
		}
		case 2:	/* container.c:276: groups in and a driver set: -EINVAL, whatever the model */
			ASSERT_EQ(-EINVAL, IOC(OP_SET_IOMMU, cfd, VFIO_SET_IOMMU,
					       below(&self->fz, 2) ? model : rnd(&self->fz)));
			break;
		case 3: {
			struct vfio_iommu_type1_info *in = (void *)buf;

			memset(buf, 0xa5, sizeof(buf));
			in->argsz = edge_argsz(&self->fz, 16, sizeof(*in));
			if (in->argsz > sizeof(buf))
				in->argsz = below(&self->fz, 2) ? (uint32_t)sizeof(buf) : in->argsz;
			if (below(&self->fz, 16) == 0) {	/* a pointer the kernel cannot read */
				ASSERT_EQ(-EFAULT, IOC(OP_IOMMU_INFO, cfd, VFIO_IOMMU_GET_INFO, NULL));
				break;
			}
			if (in->argsz > sizeof(buf))
				break;
			ret = IOC(OP_IOMMU_INFO, cfd, VFIO_IOMMU_GET_INFO, in);
			/* vfio_iommu_type1_get_info: minsz = offsetofend(iova_pgsizes) = 16 */
			if (in->argsz < 16) {
				ASSERT_EQ(-EINVAL, ret) TH_LOG("argsz %u: " WHERE, in->argsz, AT);
				break;
			}
			ASSERT_EQ(0, ret) TH_LOG("argsz %u: " WHERE, in->argsz, AT);
			ASSERT_EQ(self->pgsizes, in->iova_pgsizes);
			break;
		}
		case 4: case 5: case 6: case 7:
			if (self->nmaps < MAX_MAPS)
				do_map(_metadata, self, cfd);
			break;
		default:
			do_unmap(_metadata, self, cfd);
			break;
		}
		if (self->has_avail && !(self->fz.calls % 64))
			ASSERT_EQ(self->avail0 - self->nmaps, dma_avail(_metadata, self))
				TH_LOG("%zu mappings: " WHERE, self->nmaps, AT);
	}
	back_to_baseline(_metadata, self);
}

/* ---- group: GET_STATUS, SET_CONTAINER, UNSET_CONTAINER, GET_DEVICE_FD ------- */

static bool fd_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

TEST_F_TIMEOUT(abifuzz, group_ioctls_answer_errno_or_consistent_success, 900)
{
	const char *bdf = self->devs[0].bdf;
	int group = self->devs[0].group;
	int cfd = vct_iommu_container_fd(self->iommu);
	int gfd = vct_iommu_group_fd(self->iommu, group);
	int dfd = __vct_iommu_device_fd(self->iommu, bdf);
	char name[5000];
	long ret;

	ASSERT_LE(0, gfd);
	ASSERT_LE(0, dfd) TH_LOG("%s: %s", bdf, vct_iommu_last_error(self->iommu));
	while (more(&self->fz)) {
		switch (below(&self->fz, 9)) {
		case 0: case 1: {
			struct vfio_group_status st = { .argsz = edge_argsz(&self->fz, 8, 8) };

			ret = IOC(OP_G_STATUS, gfd, VFIO_GROUP_GET_STATUS, &st);
			/* group.c:361: if (status.argsz < minsz) return -EINVAL */
			if (st.argsz < 8) {
				ASSERT_EQ(-EINVAL, ret);
				break;
			}
			ASSERT_EQ(0, ret);
			ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET, st.flags)
				TH_LOG("group %d: " WHERE, group, AT);
			break;
		}
		case 2: case 3: {
			const int v[] = { -1, cfd, gfd, dfd, 1 << 30, INT32_MAX };
			int fd = below(&self->fz, 2) ? v[below(&self->fz, 6)] : (int)below(&self->fz, 64);

			if (below(&self->fz, 16) == 0) {	/* get_user fails: -EFAULT (group.c:111) */
				ASSERT_EQ(-EFAULT, IOC(OP_G_SET_CONTAINER, gfd, VFIO_GROUP_SET_CONTAINER, NULL));
				break;
			}
			ret = IOC(OP_G_SET_CONTAINER, gfd, VFIO_GROUP_SET_CONTAINER, &fd);
			/* group.c:115 no such fd: -EBADF; :119 the group has its container: -EINVAL */
			ASSERT_EQ(fd_open(fd) ? -EINVAL : -EBADF, ret) TH_LOG("fd %d: " WHERE, fd, AT);
			break;
		}
		case 4:	/* group.c:86: a device fd is open (container_users != 1): -EBUSY */
			ASSERT_EQ(-EBUSY, IOC(OP_G_UNSET_CONTAINER, gfd, VFIO_GROUP_UNSET_CONTAINER, NULL));
			break;
		case 5: case 6: case 7: {
			size_t len = 0, i;

			switch (below(&self->fz, 5)) {
			case 0: len = (size_t)snprintf(name, sizeof(name), "%s", bdf); break;
			case 1: len = (size_t)snprintf(name, sizeof(name), "%s%c", bdf,
						       (char)(' ' + below(&self->fz, 95))); break;
			case 2:	/* longer than a page: strndup_user refuses */
				len = sizeof(name) - 1;
				memset(name, 'a', len);
				break;
			default:
				len = below(&self->fz, 24);
				for (i = 0; i < len; i++)
					name[i] = (char)(1 + below(&self->fz, 255));
				break;
			}
			name[len] = '\0';
			ret = IOC(OP_G_DEVICE_FD, gfd, VFIO_GROUP_GET_DEVICE_FD,
				  below(&self->fz, 16) ? name : NULL);
			if (ret >= 0) {
				/* vfio_device_get_from_name: the name is the device's (or its match op's) */
				ASSERT_EQ(0, strncmp(name, bdf, strlen(bdf))) TH_LOG("opened by \"%s\"", name);
				close((int)ret);
			}
			break;
		}
		default:
			/*
			 * The real unset: through the harness (which re-sets the model
			 * after), with our device fd closed.  Mappings die with the last
			 * group: a page mapped before is free to map again after.
			 */
			if (below(&self->fz, 16))
				break;
			{
				struct vfio_iommu_type1_dma_map m = { .argsz = sizeof(m),
					.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
					.vaddr = (uint64_t)(uintptr_t)self->pool,
					.iova = self->usable.v[0].start, .size = self->pg };
				struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u),
					.iova = m.iova, .size = m.size };

				ASSERT_EQ(0, IOC(OP_MAP, cfd, VFIO_IOMMU_MAP_DMA, &m));
				close(dfd);
				ASSERT_EQ(0, __vct_iommu_detach(self->iommu, bdf))
					TH_LOG("%s", vct_iommu_last_error(self->iommu));
				self->fz.calls++;
				self->t[OP_G_UNSET_CONTAINER].calls++;
				self->t[OP_G_UNSET_CONTAINER].ok++;
				ASSERT_EQ(0, __vct_iommu_attach(self->iommu, bdf))
					TH_LOG("%s", vct_iommu_last_error(self->iommu));
				gfd = vct_iommu_group_fd(self->iommu, group);
				dfd = __vct_iommu_device_fd(self->iommu, bdf);
				ASSERT_LE(0, dfd);
				ASSERT_EQ(0, IOC(OP_MAP, cfd, VFIO_IOMMU_MAP_DMA, &m))
					TH_LOG("the mapping survived UNSET_CONTAINER of the last group");
				ASSERT_EQ(0, IOC(OP_UNMAP, cfd, VFIO_IOMMU_UNMAP_DMA, &u));
				ASSERT_EQ(self->pg, u.size);
			}
			break;
		}
	}
	close(dfd);
	back_to_baseline(_metadata, self);
}

/* ---- device: GET_INFO, GET_REGION_INFO, GET_IRQ_INFO, SET_IRQS, RESET, HOT_RESET_INFO */

#define MAX_REGIONS 16
#define MAX_IRQS 8

struct devstate {
	int fd;
	struct vct_device_info info;
	int rret[MAX_REGIONS];		/* baseline REGION_INFO answer per index */
	struct vct_region_info r[MAX_REGIONS];
	long iret[MAX_IRQS];
	struct vfio_irq_info irq[MAX_IRQS];
};

static void dev_open(struct __test_metadata *_metadata, FIXTURE_DATA(abifuzz) *self,
		     struct devstate *d)
{
	struct vct_err err = { 0 };
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->fd = __vct_iommu_device_fd(self->iommu, self->devs[0].bdf);
	ASSERT_LE(0, d->fd) TH_LOG("%s: %s", self->devs[0].bdf, vct_iommu_last_error(self->iommu));
	ASSERT_EQ(0, __vct_device_info(d->fd, &d->info, &err)) TH_LOG("%s", err.msg);
	for (i = 0; i < MAX_REGIONS; i++)
		d->rret[i] = __vct_region_info(d->fd, i, &d->r[i], &err);
	for (i = 0; i < MAX_IRQS; i++) {
		d->irq[i] = (struct vfio_irq_info){ .argsz = sizeof(d->irq[i]), .index = i };
		d->iret[i] = ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &d->irq[i]) < 0 ? -errno : 0;
	}
}

static void dev_close(struct __test_metadata *_metadata, FIXTURE_DATA(abifuzz) *self,
		      struct devstate *d)
{
	uint32_t i;

	/*
	 * Interrupts off again, and proven off.  INTx/MSI/MSI-X: DATA_NONE|TRIGGER
	 * with count 0 disables what is enabled (0) and is refused when that
	 * type is not (-EINVAL: vfio_pci_intrs.c:647, :698), so a second call
	 * must be refused.  ERR/REQ: eventfd -1 releases the trigger (0).
	 */
	for (i = 0; i < MAX_IRQS; i++) {
		/* the header, then one eventfd (data[]) */
		uint64_t buf[(sizeof(struct vfio_irq_set) + sizeof(int32_t) + 7) / 8] = { 0 };
		struct vfio_irq_set *x = (void *)buf;
		const int32_t none = -1;
		long ret;

		x->argsz = sizeof(*x) + sizeof(none);
		x->index = i;
		x->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;

		if (d->iret[i] || !d->irq[i].count)
			continue;
		if (i > VFIO_PCI_MSIX_IRQ_INDEX) {
			x->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
			x->count = 1;
			memcpy(x->data, &none, sizeof(none));
			ASSERT_EQ(0, IOC(OP_D_SET_IRQS, d->fd, VFIO_DEVICE_SET_IRQS, x))
				TH_LOG("releasing irq index %u", i);
			continue;
		}
		ret = IOC(OP_D_SET_IRQS, d->fd, VFIO_DEVICE_SET_IRQS, x);
		ASSERT_TRUE(ret == 0 || ret == -EINVAL) TH_LOG("disabling irq index %u: %ld", i, ret);
		ASSERT_EQ(-EINVAL, IOC(OP_D_SET_IRQS, d->fd, VFIO_DEVICE_SET_IRQS, x))
			TH_LOG("irq index %u still enabled after disabling it", i);
	}
	vct_device_info_free(&d->info);
	close(d->fd);
}

TEST_F_TIMEOUT(abifuzz, device_ioctls_answer_errno_or_consistent_success, 900)
{
	struct devstate d;
	unsigned char buf[4096];
	int efd[2];
	long ret;

	dev_open(_metadata, self, &d);
	efd[0] = eventfd(0, EFD_CLOEXEC);
	efd[1] = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd[0]);
	ASSERT_LE(0, efd[1]);
	while (more(&self->fz)) {
		switch (below(&self->fz, 12)) {
		case 0: case 1: {
			struct vfio_device_info *in = (void *)buf;

			in->argsz = edge_argsz(&self->fz, 16, sizeof(*in));
			if (in->argsz > sizeof(buf))
				in->argsz = sizeof(buf);
			ret = IOC(OP_D_INFO, d.fd, VFIO_DEVICE_GET_INFO, in);
			/* vfio_pci_core.c:991: if (info.argsz < minsz) return -EINVAL (minsz 16) */
			if (in->argsz < 16) {
				ASSERT_EQ(-EINVAL, ret);
				break;
			}
			ASSERT_EQ(0, ret);
			ASSERT_EQ(d.info.flags, in->flags);
			ASSERT_EQ(d.info.num_regions, in->num_regions);
			ASSERT_EQ(d.info.num_irqs, in->num_irqs);
			break;
		}
		case 2: case 3: {
			struct vfio_region_info *in = (void *)buf;
			uint32_t idx = below(&self->fz, 4) ? (uint32_t)below(&self->fz, MAX_REGIONS) :
							     (uint32_t)edge64(&self->fz, 1);

			in->argsz = edge_argsz(&self->fz, 32, sizeof(*in));
			if (in->argsz > sizeof(buf))
				in->argsz = sizeof(buf);
			in->index = idx;
			ret = IOC(OP_D_REGION_INFO, d.fd, VFIO_DEVICE_GET_REGION_INFO, in);
			/* vfio_pci_core.c:1049: if (info.argsz < minsz) return -EINVAL (minsz 32) */
			if (in->argsz < 32) {
				ASSERT_EQ(-EINVAL, ret);
				break;
			}
			if (idx >= d.info.num_regions) {	/* the switch's default: index past the last */
				ASSERT_EQ(-EINVAL, ret) TH_LOG("index %u of %u", idx, d.info.num_regions);
				break;
			}
			if (idx < MAX_REGIONS && in->argsz >= d.r[idx].argsz) {
				ASSERT_EQ(d.rret[idx], ret) TH_LOG("region %u", idx);
				if (!ret) {
					ASSERT_EQ(d.r[idx].size, in->size) TH_LOG("region %u", idx);
					ASSERT_EQ(d.r[idx].offset, in->offset) TH_LOG("region %u", idx);
					ASSERT_EQ(d.r[idx].flags, in->flags) TH_LOG("region %u", idx);
				}
			}
			break;
		}
		case 4: case 5: {
			struct vfio_irq_info in = { .argsz = edge_argsz(&self->fz, 16, 16),
				.index = below(&self->fz, 4) ? (uint32_t)below(&self->fz, MAX_IRQS) :
							       (uint32_t)rnd(&self->fz) };

			ret = IOC(OP_D_IRQ_INFO, d.fd, VFIO_DEVICE_GET_IRQ_INFO, &in);
			/* vfio_pci_core.c:1187: argsz < minsz || index >= VFIO_PCI_NUM_IRQS: -EINVAL */
			if (in.argsz < 16 || in.index >= VFIO_PCI_NUM_IRQS) {
				ASSERT_EQ(-EINVAL, ret);
				break;
			}
			ASSERT_EQ(d.iret[in.index], ret) TH_LOG("irq index %u", in.index);
			if (!ret) {
				ASSERT_EQ(d.irq[in.index].count, in.count);
				ASSERT_EQ(d.irq[in.index].flags, in.flags);
			}
			break;
		}
		case 6: case 7: case 8: {
			struct vfio_irq_set *s = (void *)buf;
			const uint32_t types[] = { VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL,
						   VFIO_IRQ_SET_DATA_EVENTFD };
			const uint32_t acts[] = { VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK,
						  VFIO_IRQ_SET_ACTION_TRIGGER };
			int32_t *fds = (int32_t *)(void *)s->data;
			unsigned int k;

			memset(buf, 0, 256);
			s->argsz = below(&self->fz, 4) ? (uint32_t)(sizeof(*s) + 2 * sizeof(int32_t)) :
							 edge_argsz(&self->fz, 20, sizeof(*s));
			if (s->argsz > 256)
				s->argsz = 256;
			s->flags = below(&self->fz, 8) ? types[below(&self->fz, 3)] | acts[below(&self->fz, 3)] :
							 (uint32_t)rnd(&self->fz);
			s->index = (uint32_t)below(&self->fz, MAX_IRQS);
			s->start = below(&self->fz, 4) ? 0 : (uint32_t)edge64(&self->fz, 1);
			s->count = below(&self->fz, 4) ? (uint32_t)below(&self->fz, 3) :
							 (uint32_t)edge64(&self->fz, 1);
			for (k = 0; k < 2; k++)	/* our eventfds, -1 (none) or junk */
				fds[k] = below(&self->fz, 3) ? efd[k] : below(&self->fz, 2) ? -1 :
									 (int32_t)rnd(&self->fz);
			ret = IOC(OP_D_SET_IRQS, d.fd, VFIO_DEVICE_SET_IRQS, s);
			/*
			 * vfio_set_irqs_validate_and_prepare (vfio_main.c): argsz < minsz,
			 * index >= num_irqs or flags outside the data/action masks: -EINVAL
			 */
			if (s->argsz < 20 || s->index >= VFIO_PCI_NUM_IRQS ||
			    (s->flags & ~(uint32_t)(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)))
				ASSERT_EQ(-EINVAL, ret) TH_LOG("argsz %u index %u flags 0x%x", s->argsz,
							       s->index, s->flags);
			break;
		}
		case 9: {
			ret = IOC(OP_D_RESET, d.fd, VFIO_DEVICE_RESET, rnd(&self->fz));
			/* vfio_pci_core.c:1256: if (!vdev->reset_works) return -EINVAL */
			if (!(d.info.flags & VFIO_DEVICE_FLAGS_RESET))
				ASSERT_EQ(-EINVAL, ret);
			break;
		}
		default: {
			struct vfio_pci_hot_reset_info *h = (void *)buf;
			static long count0 = -1;

			memset(buf, 0, 64);
			h->argsz = edge_argsz(&self->fz, 12, sizeof(*h));
			if (h->argsz > sizeof(buf))
				h->argsz = sizeof(buf);
			ret = IOC(OP_D_HOT_RESET_INFO, d.fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, h);
			/* vfio_pci_core.c:1293: if (hdr.argsz < minsz) return -EINVAL (minsz 12) */
			if (h->argsz < 12) {
				ASSERT_EQ(-EINVAL, ret);
				break;
			}
			/* 0 or -ENOSPC carry the count (vfio_pci_ioctl_get_pci_hot_reset_info) */
			if (ret == 0 || ret == -ENOSPC) {
				if (count0 < 0)
					count0 = h->count;
				ASSERT_EQ(count0, h->count);
				ASSERT_EQ(ret == -ENOSPC, h->argsz < sizeof(*h) + h->count * sizeof(h->devices[0]));
			}
			break;
		}
		}
	}
	close(efd[0]);
	close(efd[1]);
	dev_close(_metadata, self, &d);
	back_to_baseline(_metadata, self);
}

/* ---- regions: pread, pwrite, mmap ------------------------------------------------ */

static uint64_t region_off(FIXTURE_DATA(abifuzz) *self, const struct vct_region_info *r,
			   unsigned int width)
{
	switch (below(&self->fz, 6)) {
	case 0: return r->size;				/* just past the end */
	case 1: return r->size >= width ? r->size - width : 0;	/* the last word */
	case 2: return edge64(&self->fz, 4);
	default: return r->size ? below(&self->fz, r->size) & ~(uint64_t)(width - 1) : 0;
	}
}

TEST_F_TIMEOUT(abifuzz, region_access_answers_errno_or_stays_inside, 900)
{
	const unsigned int widths[] = { 1, 2, 4, 8, 3, 16, 256 };
	const struct vct_devregs *regs;
	struct devstate d;
	struct vct_region_info *cfg;
	uint8_t b[256], b2[256];
	uint64_t off, v;
	unsigned int w;
	long ret;

	dev_open(_metadata, self, &d);
	cfg = &d.r[VFIO_PCI_CONFIG_REGION_INDEX];
	ASSERT_EQ(0, d.rret[VFIO_PCI_CONFIG_REGION_INDEX]);
	ASSERT_EQ(0, __vct_region_rd(d.fd, cfg, 0, 4, &v));
	regs = vct_devregs_find((uint16_t)v, (uint16_t)(v >> 16));
	while (more(&self->fz)) {
		uint32_t idx = (uint32_t)below(&self->fz, d.info.num_regions + 1);
		const struct vct_region_info *r = idx < MAX_REGIONS && !d.rret[idx] ? &d.r[idx] : NULL;

		w = widths[below(&self->fz, sizeof(widths) / sizeof(widths[0]))];
		switch (below(&self->fz, 8)) {
		case 0: case 1: case 2:	/* reads anywhere: never past the region */
			if (!r)
				break;
			off = region_off(self, r, w) & ((1ull << 40) - 1);
			/*
			 * What reaches a BAR is a device access: dword-aligned
			 * dwords only, the width PCI devices' registers take
			 * (edu and NVMe refuse others).  A byte read of edu's
			 * BAR0 on the arm64 host is a synchronous external
			 * abort in vfio_pci_core_ioread8 (an Oops, taint M):
			 * device and platform behaviour, not the uapi's.  Past
			 * the end any width: vfio_pci_bar_rw refuses it.
			 */
			if (idx <= VFIO_PCI_BAR5_REGION_INDEX && off < r->size) {
				w = 4;
				off &= ~3ull;
			}
			ret = xcall(&self->fz, self->t, OP_PREAD,
				    pread(d.fd, b, w, (off_t)(r->offset + (off & ((1ull << 40) - 1)))));
			off &= (1ull << 40) - 1;
			ASSERT_TRUE(ret <= 0 || off + (uint64_t)ret <= r->size)
				TH_LOG("region %u: read %ld bytes at 0x%llx of 0x%llx: " WHERE, idx, ret,
				       (unsigned long long)off, (unsigned long long)r->size, AT);
			if (ret >= 0)
				ASSERT_LE(ret, (long)w);
			break;
		case 3: case 4:	/* config space: what was read, written back, reads the same */
			off = below(&self->fz, cfg->size);
			if (off + w > cfg->size || (off < 8 && off + w > 6))	/* status is RW1C */
				break;
			if (__vct_region_read(d.fd, cfg, off, b, w) != (int)w)
				break;
			ret = xcall(&self->fz, self->t, OP_PWRITE, pwrite(d.fd, b, w, (off_t)(cfg->offset + off)));
			ASSERT_TRUE(ret < 0 || ret == (long)w) TH_LOG("config write at 0x%llx", (unsigned long long)off);
			ASSERT_EQ((int)w, __vct_region_read(d.fd, cfg, off, b2, w));
			ASSERT_EQ(0, memcmp(b, b2, w)) TH_LOG("config 0x%llx+%u changed by writing it back",
							     (unsigned long long)off, w);
			break;
		case 5:	/* writes past the end of a region: nothing written */
			if (!r)
				break;
			off = r->size + (below(&self->fz, 2) ? 0 : below(&self->fz, 1u << 20));
			ret = xcall(&self->fz, self->t, OP_PWRITE, pwrite(d.fd, b, w, (off_t)(r->offset + off)));
			ASSERT_TRUE(ret <= 0) TH_LOG("region %u: wrote %ld bytes at 0x%llx, past 0x%llx",
						     idx, ret, (unsigned long long)off, (unsigned long long)r->size);
			break;
		case 6:	/* the device's liveness register, where the suites know one */
			if (!regs || !regs->has_live || d.rret[regs->bar])
				break;
			v = (uint32_t)rnd(&self->fz);
			ret = xcall(&self->fz, self->t, OP_PWRITE,
				    __vct_region_wr(d.fd, &d.r[regs->bar], regs->live_off, 4, v) ? -1 : 4);
			if (ret == 4) {
				uint64_t back;

				ASSERT_EQ(0, __vct_region_rd(d.fd, &d.r[regs->bar], regs->live_off, 4, &back));
				ASSERT_EQ((~v) & 0xffffffffu, back) TH_LOG("%s liveness register", regs->name);
			}
			break;
		default: {	/* mmap: only MAP_SHARED of an mmap-able region, inside it */
			const int prots[] = { PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
					      PROT_NONE, PROT_READ | PROT_EXEC };
			int prot = prots[below(&self->fz, 5)];
			int flags = below(&self->fz, 8) ? MAP_SHARED : MAP_PRIVATE;
			size_t len;
			void *p;

			if (!r)
				break;
			off = below(&self->fz, 3) ? below(&self->fz, r->size / self->pg + 2) * self->pg :
						    edge64(&self->fz, self->pg) & ((1ull << 40) - 1);
			len = below(&self->fz, 3) ? (size_t)(1 + below(&self->fz, 4)) * self->pg :
						    (size_t)(below(&self->fz, 2) ? r->size + self->pg : 1);
			p = mmap(NULL, len, prot, flags, d.fd, (off_t)(r->offset + off));
			ret = xcall(&self->fz, self->t, OP_MMAP, p == MAP_FAILED ? -1 : 0);
			if (ret)
				break;
			/* vfio_pci_core_mmap: !VM_SHARED, no mmap support, or past the BAR: -EINVAL */
			ASSERT_TRUE(flags == MAP_SHARED && (r->flags & VFIO_REGION_INFO_FLAG_MMAP) &&
				    off + ((len + self->pg - 1) & ~(self->pg - 1)) <=
				    ((r->size + self->pg - 1) & ~(self->pg - 1)))
				TH_LOG("region %u: mmap of 0x%zx at 0x%llx (flags 0x%x) of 0x%llx succeeded",
				       idx, len, (unsigned long long)off, flags, (unsigned long long)r->size);
			if (prot & PROT_READ)	/* a dword, as above */
				(void)*(volatile uint32_t *)p;
			munmap(p, len);
			break;
		}
		}
	}
	dev_close(_metadata, self, &d);
	back_to_baseline(_metadata, self);
}

VCT_HARNESS_MAIN
