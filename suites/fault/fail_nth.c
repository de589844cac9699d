// SPDX-License-Identifier: GPL-2.0
/*
 * fault/fail_nth: every fault-injection point an IOMMU operation reaches,
 * failed one at a time, must end in a clean -errno with nothing leaked.
 *
 * The kernel's fail-nth (Documentation/fault-injection/fault-injection.rst,
 * "/proc/self/task/<tid>/fail-nth: Write to this file of integer N makes
 * N-th call in the task fail"), swept as the kernel's own
 * tools/testing/selftests/iommu/iommufd_fail_nth.c sweeps iommufd: N = 1,
 * 2, ... until the operation completes without reaching its N-th point
 * (reading fail-nth gives non-zero: "A positive integer N indicates that
 * the fault wasn't yet injected").  Every point counts: slab allocations
 * (failslab), page allocations (fail_page_alloc, order >= its min-order)
 * and whatever else the kernel guards with should_fail(); ignore-gfp-wait
 * is turned off for both so that sleeping allocations fail too, and the
 * knobs are put back afterwards.
 *
 * Operations, through harness/iommu.h (so every backend's own path is
 * swept: type1's MAP_DMA, iommufd's IOAS_MAP, cdev bind and attach):
 *   map         __vct_iommu_map of 16 pages on an attached device
 *   unmap       __vct_iommu_unmap of such a mapping
 *   attach      __vct_iommu_attach of a device (type1: group open,
 *               SET_CONTAINER, SET_IOMMU; native iommufd: cdev open, bind,
 *               attach)
 *   device_fd   __vct_iommu_device_fd (type1: GET_DEVICE_FD, the device open)
 * Each injected run's answer: success (the kernel absorbed the failure;
 * the operation's effect is then checked and undone) or one of the errnos
 * an allocation failure may give; then locked memory (VmLck and VmPin of
 * /proc/self/status), the system's FOLL_PIN balance (/proc/vmstat
 * nr_foll_pin_acquired - nr_foll_pin_released) and dma_avail (where the
 * backend reports it) are back at the operation's baseline.  A WARN or
 * other splat during the sweep fails the test through the runner's splat
 * detection.  The number of points swept per operation is printed.
 * Without fail-nth (every Debian kernel: no CONFIG_FAULT_INJECTION) or its
 * debugfs knobs, every test SKIPs saying which.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test.h"

#include "iommu.h"
#include "variants.h"

#define DEBUGFS		"/sys/kernel/debug"
#define IOVA		(1ull << 30)
#define MAP_PAGES	16
/* iommufd_fail_nth.c's bound ("an arbitrary limit based on the current kernel") */
#define MAX_POINTS	400

/* The knobs set for the sweep, with what they held before. */
static const char *const knobs[][2] = {
	{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N" },
	/* the sweep looks for splats: no stack dump per injected failure */
	{ DEBUGFS "/failslab/verbose", "0" },
	{ DEBUGFS "/fail_page_alloc/verbose", "0" },
};
#define NKNOBS VCT_ARRAY_SIZE(knobs)

/* What must be back after every injected run. */
struct baseline {
	long long vmlck_kb, vmpin_kb;
	long long pins;		/* nr_foll_pin_acquired - nr_foll_pin_released */
	bool has_avail;
	uint32_t avail;
};

FIXTURE(fail_nth) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	enum vct_backend backend;
	char saved[NKNOBS][32];
	bool knobs_set;
	int nth_fd;
	void *buf;
	size_t pg;
	int dev_fd;		/* the device_fd op's result */
};

VCT_BACKEND_VARIANTS(fail_nth);

static int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

/* /proc/self/status "NAME: N kB", or -1. */
static long long status_kb(const char *name)
{
	char line[256];
	long long v = -1;
	size_t n = strlen(name);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* /proc/vmstat NAME's value, or -1. */
static long long vmstat(const char *name)
{
	char key[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (!strcmp(key, name)) {
			found = v;
			break;
		}
	fclose(f);
	return found;
}

static void snapshot(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self,
		     struct baseline *b)
{
	struct vct_iommu_info info = { 0 };

	memset(b, 0, sizeof(*b));
	b->vmlck_kb = status_kb("VmLck");
	b->vmpin_kb = status_kb("VmPin");
	ASSERT_LE(0, b->vmlck_kb);
	ASSERT_LE(0, b->vmpin_kb);
	b->pins = vmstat("nr_foll_pin_acquired") - vmstat("nr_foll_pin_released");
	if (self->iommu && !__vct_iommu_info(self->iommu, &info)) {
		b->has_avail = info.has_dma_avail;
		b->avail = info.dma_avail;
		vct_iommu_info_free(&info);
	}
}

/* 0 if `now` equals `then`, else the difference named in `why`. */
static int baseline_diff(const struct baseline *then, const struct baseline *now,
			 char *why, size_t len)
{
	if (now->vmlck_kb != then->vmlck_kb)
		snprintf(why, len, "VmLck %lld kB, baseline %lld kB", now->vmlck_kb, then->vmlck_kb);
	else if (now->vmpin_kb != then->vmpin_kb)
		snprintf(why, len, "VmPin %lld kB, baseline %lld kB", now->vmpin_kb, then->vmpin_kb);
	else if (now->pins != then->pins)
		snprintf(why, len, "%lld pages FOLL_PIN-pinned, baseline %lld", now->pins, then->pins);
	else if (then->has_avail && now->avail != then->avail)
		snprintf(why, len, "dma_avail %u, baseline %u", now->avail, then->avail);
	else
		return 0;
	return 1;
}

FIXTURE_SETUP(fail_nth)
{
	char path[64];
	struct statfs sf;
	size_t i;

	vct_mark_test(_metadata, variant);
	self->nth_fd = -1;
	self->dev_fd = -1;
	self->backend = variant->backend;
	self->pg = vct_page_size();
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	self->nth_fd = open(path, O_RDWR | O_CLOEXEC);
	if (self->nth_fd < 0)
		SKIP(return, "%s: %s: the kernel has no fail-nth (CONFIG_FAULT_INJECTION)",
		     path, strerror(errno));
	/* debugfs (the runner's initramfs guest does not mount it) */
	if (statfs(DEBUGFS, &sf) || sf.f_type != 0x64626720 /* DEBUGFS_MAGIC */)
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	for (i = 0; i < NKNOBS; i++) {
		int n = __vct_read_text(knobs[i][0], self->saved[i], sizeof(self->saved[i]));

		if (n < 0)
			SKIP(return, "%s: %s: the kernel lacks %s (or debugfs is not mounted)",
			     knobs[i][0], strerror(-n),
			     strstr(knobs[i][0], "failslab") ? "CONFIG_FAILSLAB" : "CONFIG_FAIL_PAGE_ALLOC");
	}
	self->knobs_set = true;
	for (i = 0; i < NKNOBS; i++)
		ASSERT_EQ(0, write_text(knobs[i][0], knobs[i][1])) TH_LOG("%s", knobs[i][0]);
	self->buf = vct_dma_alloc(MAP_PAGES * self->pg);
	ASSERT_NE(NULL, self->buf);
	/* Fault the pages in now: the sweep is of the IOMMU path, not of page faults. */
	memset(self->buf, 0x5a, MAP_PAGES * self->pg);
	/* The backend and a device are there (else SKIP); each run opens its own. */
	VCT_IOMMU_SETUP_OR_SKIP(self->backend, 1, 1, &self->iommu, self->devs);
	vct_iommu_close(self->iommu);
	self->iommu = NULL;
}

FIXTURE_TEARDOWN(fail_nth)
{
	size_t i;

	if (self->nth_fd >= 0) {
		if (pwrite(self->nth_fd, "0", 1, 0) != 1) {
			/* a pending fault is cleared when the task ends anyway */
		}
		close(self->nth_fd);
	}
	if (self->dev_fd >= 0)
		close(self->dev_fd);
	vct_iommu_close(self->iommu);
	if (self->buf)
		vct_dma_free(self->buf, MAP_PAGES * self->pg);
	for (i = 0; self->knobs_set && i < NKNOBS; i++)
		if (write_text(knobs[i][0], self->saved[i]))
			ksft_print_msg("could not restore %s to %s\n", knobs[i][0], self->saved[i]);
}

/*
 * An operation: `prepare` builds its starting state (never injected; it
 * asserts), `arm` (optional) adds what the op consumes (a mapping to
 * unmap), `op` is the one call swept (0 or -errno), `undo` takes back what
 * a successful (or half-successful) op did, uninjected, and checks that it
 * was what the op promised.  After `undo` the state is prepare's again.
 */
struct op {
	const char *name;
	void (*prepare)(struct __test_metadata *, FIXTURE_DATA(fail_nth) *);
	void (*arm)(struct __test_metadata *, FIXTURE_DATA(fail_nth) *);
	int (*op)(FIXTURE_DATA(fail_nth) *);
	void (*undo)(struct __test_metadata *, FIXTURE_DATA(fail_nth) *, int ret);
};

static void open_only(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self)
{
	char why[256] = "";

	ASSERT_EQ(0, __vct_iommu_open(self->backend, &self->iommu, why, sizeof(why)))
		TH_LOG("%s", why);
}

static void open_attach(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self)
{
	open_only(_metadata, self);
	ASSERT_LE(0, __vct_iommu_attach(self->iommu, self->devs[0].bdf))
		TH_LOG("%s: %s", self->devs[0].bdf, vct_iommu_last_error(self->iommu));
}

static int op_map(FIXTURE_DATA(fail_nth) *self)
{
	return __vct_iommu_map(self->iommu, IOVA, MAP_PAGES * self->pg, self->buf, VCT_PROT_RW);
}

/* After MAP_DMA: an accepted map is there whole; a refused one left nothing. */
static void undo_map(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self, int ret)
{
	uint64_t un = 0;

	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, IOVA, MAP_PAGES * self->pg, &un));
	ASSERT_EQ(ret ? 0 : MAP_PAGES * self->pg, un)
		TH_LOG("unmapping [%#llx+%#zx) after a map that returned %d", IOVA,
		       MAP_PAGES * self->pg, ret);
}

static void map_once(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self)
{
	ASSERT_EQ(0, op_map(self)) TH_LOG("%s", self->devs[0].bdf);
}

static int op_unmap(FIXTURE_DATA(fail_nth) *self)
{
	uint64_t un = 0;
	int ret = __vct_iommu_unmap(self->iommu, IOVA, MAP_PAGES * self->pg, &un);

	/* (0 with less than the whole mapping unmapped is a wrong answer, not an errno) */
	return !ret && un != MAP_PAGES * self->pg ? -EPROTO : ret;
}

/* After UNMAP_DMA: a refused unmap left the mapping whole (or removed it whole). */
static void undo_unmap(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self, int ret)
{
	uint64_t un = 0;

	ASSERT_NE(-EPROTO, ret) TH_LOG("UNMAP_DMA succeeded without unmapping the whole mapping");
	ASSERT_EQ(0, __vct_iommu_unmap(self->iommu, IOVA, MAP_PAGES * self->pg, &un));
	if (!ret) {
		ASSERT_EQ(0, un) TH_LOG("an accepted unmap left %#llx bytes mapped",
					(unsigned long long)un);
	} else {
		ASSERT_TRUE(un == 0 || un == MAP_PAGES * self->pg)
			TH_LOG("after a refused unmap (%s) %#llx bytes were still mapped",
			       vct_errno_name(-ret), (unsigned long long)un);
	}
}

static int op_attach(FIXTURE_DATA(fail_nth) *self)
{
	int ret = __vct_iommu_attach(self->iommu, self->devs[0].bdf);

	return ret < 0 ? ret : 0;
}

/* After attach: an attached device takes a mapping, a refused one is not attached. */
static void undo_attach(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self, int ret)
{
	if (ret)
		return;
	ASSERT_EQ(0, op_map(self)) TH_LOG("%s attached under injection takes no mapping",
					  self->devs[0].bdf);
	undo_map(_metadata, self, 0);
}

static int op_device_fd(FIXTURE_DATA(fail_nth) *self)
{
	int fd = __vct_iommu_device_fd(self->iommu, self->devs[0].bdf);

	if (fd < 0)
		return fd;
	self->dev_fd = fd;
	return 0;
}

static void undo_device_fd(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self, int ret)
{
	if (!ret) {
		ASSERT_LE(0, self->dev_fd);
		close(self->dev_fd);
		self->dev_fd = -1;
	}
}

/* The errnos an allocation that failed may surface as. */
static bool clean_errno(int ret)
{
	switch (-ret) {
	case ENOMEM: case EFAULT: case ENOSPC: case EAGAIN: case EBUSY:
		return true;
	default:
		return false;
	}
}

/*
 * Sweep: run `o` with its N-th injection point failed, N = 1, 2, ...,
 * until it completes without reaching an N-th; a fresh starting state for
 * every run.  Returns the number of points.
 */
static unsigned sweep(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self,
		      const struct op *o)
{
	unsigned n, nerr[256] = { 0 }, absorbed = 0;
	char line[512], why[256];
	int len, e;

	for (n = 1; ; n++) {
		struct baseline b0, b1, now;
		char nbuf[16], rbuf[16] = "";
		bool injected;
		ssize_t r;
		int ret, k;

		ASSERT_GT(MAX_POINTS, n) TH_LOG("%s: more than %d injection points", o->name, MAX_POINTS);
		snapshot(_metadata, self, &b0);
		o->prepare(_metadata, self);
		snapshot(_metadata, self, &b1);
		if (o->arm)
			o->arm(_metadata, self);
		k = snprintf(nbuf, sizeof(nbuf), "%u", n);
		ASSERT_EQ(k, pwrite(self->nth_fd, nbuf, (size_t)k, 0));
		ret = o->op(self);
		/*
		 * "A value of '0' indicates that the fault ... was injected."
		 * Reading can itself be the N-th point (EFAULT, as
		 * iommufd_fail_nth.c notes): then the op did not reach it.
		 */
		r = pread(self->nth_fd, rbuf, sizeof(rbuf) - 1, 0);
		if (r < 0 && errno == EFAULT)
			snprintf(rbuf, sizeof(rbuf), "1");
		else
			ASSERT_LT(0, r) TH_LOG("reading fail-nth: %s", strerror(errno));
		if (pwrite(self->nth_fd, "0", 1, 0) != 1)
			ASSERT_EQ(1, pwrite(self->nth_fd, "0", 1, 0));
		injected = atoi(rbuf) == 0;
		if (!injected) {
			/* N is beyond the op's points: it ran whole, uninjected */
			ASSERT_EQ(0, ret) TH_LOG("%s %s without injection: %s", o->name,
						 self->devs[0].bdf, vct_errno_name(-ret));
		} else if (ret) {
			ASSERT_TRUE(clean_errno(ret))
				TH_LOG("%s %s with injection point %u failed: answered %d (%s)",
				       o->name, self->devs[0].bdf, n, ret, vct_errno_name(-ret));
			nerr[-ret & 255]++;
		} else {
			absorbed++;
		}
		o->undo(_metadata, self, ret);
		/* the op's starting state back ... */
		snapshot(_metadata, self, &now);
		ASSERT_EQ(0, baseline_diff(&b1, &now, why, sizeof(why)))
			TH_LOG("%s %s, injection point %u (%s): %s", o->name, self->devs[0].bdf,
			       n, !injected ? "none reached" : ret ? vct_errno_name(-ret) : "absorbed", why);
		/* ... and everything released with the backend */
		vct_iommu_close(self->iommu);
		self->iommu = NULL;
		snapshot(_metadata, self, &now);
		ASSERT_EQ(0, baseline_diff(&b0, &now, why, sizeof(why)))
			TH_LOG("%s %s, injection point %u, after close: %s", o->name,
			       self->devs[0].bdf, n, why);
		if (!injected)
			break;
	}
	len = snprintf(line, sizeof(line), "%s %s %s: %u injection points swept (",
		       vct_backend_name(self->backend), o->name, self->devs[0].bdf, n - 1);
	for (e = 1; e < 256; e++)
		if (nerr[e] && len < (int)sizeof(line))
			len += snprintf(line + len, sizeof(line) - (size_t)len, "%s x%u, ",
					vct_errno_name(e), nerr[e]);
	if (len < (int)sizeof(line))
		snprintf(line + len, sizeof(line) - (size_t)len, "absorbed x%u)", absorbed);
	ksft_print_msg("%s\n", line);
	return n - 1;
}

static void sweep_and_check(struct __test_metadata *_metadata, FIXTURE_DATA(fail_nth) *self,
			    const struct op *o)
{
	struct baseline b0, b1;
	char why[256];
	unsigned points;

	snapshot(_metadata, self, &b0);
	points = sweep(_metadata, self, o);
	/*
	 * An operation that reaches no injection point swept nothing: not a
	 * pass (e.g. native iommufd's device fd is the cdev opened and bound
	 * at attach, swept there; its device_fd only duplicates it).
	 */
	if (!points)
		SKIP(return, "%s %s reached no fault-injection point: nothing to sweep",
		     vct_backend_name(self->backend), o->name);
	/* Everything released once the backend is closed. */
	snapshot(_metadata, self, &b1);
	ASSERT_EQ(0, baseline_diff(&b0, &b1, why, sizeof(why)))
		TH_LOG("after the %s sweep and close: %s", o->name, why);
}

TEST_F_TIMEOUT(fail_nth, map_every_point_clean_no_leak, 600)
{
	const struct op o = { "map", open_attach, NULL, op_map, undo_map };

	sweep_and_check(_metadata, self, &o);
}

TEST_F_TIMEOUT(fail_nth, unmap_every_point_clean_no_leak, 600)
{
	const struct op o = { "unmap", open_attach, map_once, op_unmap, undo_unmap };

	sweep_and_check(_metadata, self, &o);
}

TEST_F_TIMEOUT(fail_nth, attach_every_point_clean_no_leak, 600)
{
	const struct op o = { "attach", open_only, NULL, op_attach, undo_attach };

	sweep_and_check(_metadata, self, &o);
}

TEST_F_TIMEOUT(fail_nth, device_open_every_point_clean_no_leak, 600)
{
	const struct op o = { "device_fd", open_attach, NULL, op_device_fd, undo_device_fd };

	sweep_and_check(_metadata, self, &o);
}

VCT_HARNESS_MAIN
