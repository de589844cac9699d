/* SPDX-License-Identifier: GPL-2.0 */
/*
 * failnth.h - the fail-nth sweep of suites/fault: every fault-injection
 * point an IOMMU operation reaches, failed one at a time, must end in a
 * clean -errno with nothing leaked.  For the suites/fault/fail_nth_*
 * programs only: it defines their fixture (fail_nth, one variant per
 * backend) and the sweep; each program sweeps one operation, so that a
 * kernel crash during one operation's sweep (the guest dies or hangs)
 * costs no other operation's counts: run each program in a boot of its
 * own (`./run.sh --suite fault/fail_nth_map`, ...).
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
 * Only the operation's own kernel calls are swept: for attach and device
 * open, injection is armed when the backend announces its first kernel
 * call (iommu.h, vct_iommu_step), after the harness's sysfs reads, and the
 * points are counted per call (VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU,
 * VFIO_DEVICE_BIND_IOMMUFD, VFIO_DEVICE_ATTACH_IOMMUFD_PT, ...) from the
 * fail-nth countdown read at each call's start.  The count of an
 * operation is the sweep's own: N - 1 for the first N the operation ran
 * whole without reaching; it is printed ("# TYPE OP BDF: P injection
 * points swept (...)") and written to metrics.json (metric
 * "injection_points", pattern the operation, or "OP:CALL" per call).
 *
 * Each injected run's answer: success (the kernel absorbed the failure;
 * the operation's effect is then checked and undone) or one of the errnos
 * an allocation failure may give; then locked memory (VmLck and VmPin of
 * /proc/self/status), the system's FOLL_PIN balance (/proc/vmstat
 * nr_foll_pin_acquired - nr_foll_pin_released) and dma_avail (where the
 * backend reports it) are back at the operation's baseline.  A WARN or
 * other splat during the sweep fails the test through the runner's splat
 * detection.  For the post-mortem of a crash, every injected run is
 * preceded by a kernel-log line "vfio-ct: mark fail-nth OP BACKEND N=n"
 * and the injected failure's stack follows it ("FAULT_INJECTION: forcing
 * a failure." with verbose=2): the last mark before an oops names the N
 * that led to it.  Without fail-nth (every Debian kernel: no
 * CONFIG_FAULT_INJECTION) or its debugfs knobs, every test SKIPs saying
 * which.
 *
 * Include after test.h; then define the op (struct vct_fail_op) and call
 * vct_fail_nth_sweep() from a TEST_F(fail_nth, ...).
 */
#ifndef VCT_FAILNTH_H
#define VCT_FAILNTH_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "iommu.h"
#include "metrics.h"
#include "variants.h"

#define VCT_FN_DEBUGFS		"/sys/kernel/debug"
#define VCT_FN_IOVA		(1ull << 30)
#define VCT_FN_MAP_PAGES	16
/* iommufd_fail_nth.c's bound ("an arbitrary limit based on the current kernel") */
#define VCT_FN_MAX_POINTS	400
/* kernel calls of one op (iommu.h lists them: at most five) */
#define VCT_FN_MAX_CALLS	8
/* fail-nth armed for the census run: never reached */
#define VCT_FN_CENSUS_N		1000000u

/* The knobs set for the sweep, with what they held before. */
static const char *const vct_fn_knobs[][2] = {
	{ VCT_FN_DEBUGFS "/failslab/ignore-gfp-wait", "N" },
	{ VCT_FN_DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
	{ VCT_FN_DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N" },
	/*
	 * fault-inject.c fail_dump(): `if (attr->verbose > 1) dump_stack();`
	 * the injected failure's stack in the kernel log, after the run's mark
	 * (no splat: splat.awk knows no "FAULT_INJECTION:" or bare stack)
	 */
	{ VCT_FN_DEBUGFS "/failslab/verbose", "2" },
	{ VCT_FN_DEBUGFS "/fail_page_alloc/verbose", "2" },
};
#define VCT_FN_NKNOBS VCT_ARRAY_SIZE(vct_fn_knobs)

/* What must be back after every injected run. */
struct vct_fn_baseline {
	long long vmlck_kb, vmpin_kb;
	long long pins;		/* nr_foll_pin_acquired - nr_foll_pin_released */
	bool has_avail;
	uint32_t avail;
};

/* The points of one kernel call of the op (its name from vct_iommu_step). */
struct vct_fn_call {
	const char *name;
	unsigned points;	/* in the run that reached no N-th point */
	unsigned injected;	/* runs whose injected point was in this call */
};

/*
 * The observer of the op's kernel calls (iommu->step): arms fail-nth at
 * the first call when `pending`, and at each later call reads the
 * countdown to charge the points passed to the call that ran.
 */
struct vct_fn_observer {
	int nth_fd;
	unsigned pending;	/* N to arm at the first call, 0: none */
	bool armed;
	unsigned left;		/* the countdown at the current call's start */
	const char *cur;	/* the call running, NULL: none */
	const char *injected_in;
	struct vct_fn_call run[VCT_FN_MAX_CALLS];
	size_t nrun;
	bool overflow;
};

FIXTURE(fail_nth) {
	struct vct_iommu *iommu;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	enum vct_backend backend;
	const char *variant_name;
	char saved[VCT_FN_NKNOBS][32];
	bool knobs_set;
	int nth_fd;
	void *buf;
	size_t pg;
	int dev_fd;		/* the device_fd op's result */
	struct vct_fn_observer obs;
};

VCT_BACKEND_VARIANTS(fail_nth);

static inline int vct_fn_write_text(const char *path, const char *s)
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
static inline long long vct_fn_status_kb(const char *name)
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
static inline long long vct_fn_vmstat(const char *name)
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

static inline void vct_fn_snapshot(struct __test_metadata *_metadata,
				   FIXTURE_DATA(fail_nth) *self,
				   struct vct_fn_baseline *b)
{
	struct vct_iommu_info info = { 0 };

	memset(b, 0, sizeof(*b));
	b->vmlck_kb = vct_fn_status_kb("VmLck");
	b->vmpin_kb = vct_fn_status_kb("VmPin");
	ASSERT_LE(0, b->vmlck_kb);
	ASSERT_LE(0, b->vmpin_kb);
	b->pins = vct_fn_vmstat("nr_foll_pin_acquired") - vct_fn_vmstat("nr_foll_pin_released");
	if (self->iommu && !__vct_iommu_info(self->iommu, &info)) {
		b->has_avail = info.has_dma_avail;
		b->avail = info.dma_avail;
		vct_iommu_info_free(&info);
	}
}

/* 0 if `now` equals `then`, else the difference named in `why`. */
static inline int vct_fn_baseline_diff(const struct vct_fn_baseline *then,
				       const struct vct_fn_baseline *now,
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

/* fail-nth's countdown: N still to go, 0 once the fault was injected; -errno. */
static inline long vct_fn_read_nth(int fd)
{
	char buf[16] = "";
	ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);

	return r > 0 ? strtol(buf, NULL, 10) : r < 0 ? -errno : -EIO;
}

/* Charge the points since the current call's start to it. */
static inline void vct_fn_charge(struct vct_fn_observer *o)
{
	long left = vct_fn_read_nth(o->nth_fd);
	size_t i;

	if (!o->cur || left < 0)
		return;
	if (left == 0) {
		if (!o->injected_in)
			o->injected_in = o->cur;
		o->armed = false;
		return;
	}
	for (i = 0; i < o->nrun && strcmp(o->run[i].name, o->cur); i++)
		;
	if (i == o->nrun) {
		if (i == VCT_FN_MAX_CALLS) {
			o->overflow = true;
			return;
		}
		o->run[o->nrun++] = (struct vct_fn_call){ .name = o->cur };
	}
	o->run[i].points += o->left - (unsigned)left;
	o->left = (unsigned)left;
}

/* iommu->step: see struct vct_fn_observer. */
static inline void vct_fn_step(void *ctx, const char *call)
{
	struct vct_fn_observer *o = ctx;
	char nbuf[16];
	int k;

	if (o->armed)
		vct_fn_charge(o);
	if (o->pending && call) {
		k = snprintf(nbuf, sizeof(nbuf), "%u", o->pending);
		if (pwrite(o->nth_fd, nbuf, (size_t)k, 0) == k) {
			o->armed = true;
			o->left = o->pending;
		}
		o->pending = 0;
	}
	o->cur = call;
}

/*
 * $VCT_FAIL_NTH_VARIANTS (run.sh passes it from the host's environment):
 * a comma-separated list of backends to sweep, so that each runs in a boot
 * of its own when one of them crashes the kernel; unset or empty: all.
 */
static inline bool vct_fn_variant_selected(const char *name)
{
	const char *l = getenv("VCT_FAIL_NTH_VARIANTS"), *p;
	size_t n = strlen(name);

	if (!l || !*l)
		return true;
	for (p = l; (p = strstr(p, name)); p += n)
		if ((p == l || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

FIXTURE_SETUP(fail_nth)
{
	const struct __fixture_variant_metadata *v;
	char path[64];
	struct statfs sf;
	size_t i;

	vct_mark_test(_metadata, variant);
	self->nth_fd = -1;
	self->dev_fd = -1;
	self->backend = variant->backend;
	self->variant_name = vct_backend_name(variant->backend);
	for (v = _metadata->fixture->variant; v; v = v->next)
		if (v->data == variant)
			self->variant_name = v->name;
	self->pg = vct_page_size();
	if (!vct_fn_variant_selected(self->variant_name))
		SKIP(return, "backend %s not selected: VCT_FAIL_NTH_VARIANTS=%s",
		     self->variant_name, getenv("VCT_FAIL_NTH_VARIANTS"));
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	self->nth_fd = open(path, O_RDWR | O_CLOEXEC);
	if (self->nth_fd < 0)
		SKIP(return, "%s: %s: the kernel has no fail-nth (CONFIG_FAULT_INJECTION)",
		     path, strerror(errno));
	/* debugfs (the runner's initramfs guest does not mount it) */
	if (statfs(VCT_FN_DEBUGFS, &sf) || sf.f_type != 0x64626720 /* DEBUGFS_MAGIC */)
		mount("debugfs", VCT_FN_DEBUGFS, "debugfs", 0, NULL);
	for (i = 0; i < VCT_FN_NKNOBS; i++) {
		int n = __vct_read_text(vct_fn_knobs[i][0], self->saved[i], sizeof(self->saved[i]));

		if (n < 0)
			SKIP(return, "%s: %s: the kernel lacks %s (or debugfs is not mounted)",
			     vct_fn_knobs[i][0], strerror(-n),
			     strstr(vct_fn_knobs[i][0], "failslab") ? "CONFIG_FAILSLAB" : "CONFIG_FAIL_PAGE_ALLOC");
	}
	self->knobs_set = true;
	for (i = 0; i < VCT_FN_NKNOBS; i++)
		ASSERT_EQ(0, vct_fn_write_text(vct_fn_knobs[i][0], vct_fn_knobs[i][1]))
			TH_LOG("%s", vct_fn_knobs[i][0]);
	self->buf = vct_dma_alloc(VCT_FN_MAP_PAGES * self->pg);
	ASSERT_NE(NULL, self->buf);
	/* Fault the pages in now: the sweep is of the IOMMU path, not of page faults. */
	memset(self->buf, 0x5a, VCT_FN_MAP_PAGES * self->pg);
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
		vct_dma_free(self->buf, VCT_FN_MAP_PAGES * self->pg);
	for (i = 0; self->knobs_set && i < VCT_FN_NKNOBS; i++)
		if (vct_fn_write_text(vct_fn_knobs[i][0], self->saved[i]))
			ksft_print_msg("could not restore %s to %s\n", vct_fn_knobs[i][0], self->saved[i]);
}

/*
 * An operation: `prepare` builds its starting state (never injected; it
 * asserts), `arm` (optional) adds what the op consumes (a mapping to
 * unmap), `op` is the one call swept (0 or -errno), `undo` takes back what
 * a successful (or half-successful) op did, uninjected, and checks that it
 * was what the op promised.  After `undo` the state is prepare's again.
 * `stepped`: the op announces its kernel calls (iommu.h vct_iommu_step:
 * attach, device_fd); injection is armed at the first, and the points are
 * counted per call.  Otherwise injection is armed right before `op`.
 */
struct vct_fail_op {
	const char *name;
	void (*prepare)(struct __test_metadata *, FIXTURE_DATA(fail_nth) *);
	void (*arm)(struct __test_metadata *, FIXTURE_DATA(fail_nth) *);
	int (*op)(FIXTURE_DATA(fail_nth) *);
	void (*undo)(struct __test_metadata *, FIXTURE_DATA(fail_nth) *, int ret);
	bool stepped;
};

/* ---- the ops' building blocks (each program picks its own) -------------- */

static inline void vct_fn_open_only(struct __test_metadata *_metadata,
				    FIXTURE_DATA(fail_nth) *self)
{
	char why[256] = "";

	ASSERT_EQ(0, __vct_iommu_open(self->backend, &self->iommu, why, sizeof(why)))
		TH_LOG("%s", why);
}

static inline void vct_fn_open_attach(struct __test_metadata *_metadata,
				      FIXTURE_DATA(fail_nth) *self)
{
	vct_fn_open_only(_metadata, self);
	ASSERT_LE(0, __vct_iommu_attach(self->iommu, self->devs[0].bdf))
		TH_LOG("%s: %s", self->devs[0].bdf, vct_iommu_last_error(self->iommu));
}

static inline int vct_fn_map(FIXTURE_DATA(fail_nth) *self)
{
	return __vct_iommu_map(self->iommu, VCT_FN_IOVA, VCT_FN_MAP_PAGES * self->pg,
			       self->buf, VCT_PROT_RW);
}

/*
 * After a map: an accepted map is there whole; a refused one left nothing
 * (its unmap answers as an unmap of nothing does: props->unmap_nothing_errno,
 * 0 bytes).
 */
static inline void vct_fn_undo_map(struct __test_metadata *_metadata,
				   FIXTURE_DATA(fail_nth) *self, int ret)
{
	uint64_t un = 0;
	int r = __vct_iommu_unmap(self->iommu, VCT_FN_IOVA, VCT_FN_MAP_PAGES * self->pg, &un);

	ASSERT_EQ(ret ? vct_backend_props(self->backend)->unmap_nothing_errno : 0, r)
		TH_LOG("unmapping [%#llx+%#zx) after a map that returned %d", VCT_FN_IOVA,
		       VCT_FN_MAP_PAGES * self->pg, ret);
	ASSERT_EQ(ret ? 0 : VCT_FN_MAP_PAGES * self->pg, un)
		TH_LOG("unmapping [%#llx+%#zx) after a map that returned %d", VCT_FN_IOVA,
		       VCT_FN_MAP_PAGES * self->pg, ret);
}

/*
 * The errnos a failed injection point may surface as: an allocation's
 * (ENOMEM, and what callers turn it into); behind /dev/iommu (the compat
 * and native backends) also those of iommufd's own points
 * (CONFIG_IOMMUFD_TEST's fail_iommufd), each by design: main.c
 * iommufd_get_object() `if (iommufd_should_fail()) return
 * ERR_PTR(-ENOENT);`, io_pagetable.c iopt_table_enforce_dev_resv_regions()
 * `if (iommufd_should_fail()) return -EINVAL;`, pages.c
 * pfn_reader_user_pin() `if (iommufd_should_fail()) return -EFAULT;`.
 */
static inline bool vct_fn_clean_errno(const FIXTURE_DATA(fail_nth) *self, int ret)
{
	bool iommufd = !strcmp(vct_backend_props(self->backend)->dev_path, "/dev/iommu");

	switch (-ret) {
	case ENOMEM: case EFAULT: case ENOSPC: case EAGAIN: case EBUSY:
		return true;
	case ENOENT: case EINVAL:
		return iommufd;
	default:
		return false;
	}
}

/* One metrics.json record: `points` injection points of `pattern`. */
static inline void vct_fn_emit(FIXTURE_DATA(fail_nth) *self, const char *test,
			       const char *pattern, unsigned points)
{
	char full[256];
	double v = points;
	int ret;

	snprintf(full, sizeof(full), "fail_nth.%s.%s", self->variant_name, test);
	ret = vct_metric_emit(&(struct vct_metric){
		.suite = "fault", .test = full, .metric = "injection_points",
		.unit = "points", .higher_is_better = 0,
		.backend = vct_backend_name(self->backend), .backing = "",
		.pattern = pattern, .threads = 1, .count = points,
		.values = &v, .reps = 1 });
	/* Losing a record is not a failure of the kernel; say so and go on. */
	if (ret < 0)
		ksft_print_msg("metrics: injection_points %s: %s\n", pattern, strerror(-ret));
}

/* The census's line: "# TYPE OP BDF: P points reached uninjected (CALL P, ...); sweeping". */
static inline void vct_fn_census(FIXTURE_DATA(fail_nth) *self, const struct vct_fail_op *o,
				 const struct vct_fn_observer *ob, unsigned points)
{
	char line[512];
	size_t i;
	int len;

	len = snprintf(line, sizeof(line), "%s %s %s: %u injection points reached uninjected",
		       vct_backend_name(self->backend), o->name, self->devs[0].bdf, points);
	for (i = 0; i < ob->nrun && len < (int)sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, "%s%s %u",
				i ? ", " : " (", ob->run[i].name, ob->run[i].points);
	if (len < (int)sizeof(line))
		snprintf(line + len, sizeof(line) - (size_t)len, "%s; sweeping", ob->nrun ? ")" : "");
	ksft_print_msg("%s\n", line);
}

/*
 * Sweep: run `o` with its N-th injection point failed, N = 1, 2, ...,
 * until it completes without reaching an N-th; a fresh starting state for
 * every run.  Returns the number of points; res->run[] gets them per
 * kernel call (stepped ops): how many injected runs failed in each.
 */
static inline unsigned vct_fn_sweep(struct __test_metadata *_metadata,
				    FIXTURE_DATA(fail_nth) *self,
				    const struct vct_fail_op *o,
				    struct vct_fn_observer *res)
{
	struct vct_fn_call injected[VCT_FN_MAX_CALLS];
	unsigned n, nerr[256] = { 0 }, absorbed = 0;
	size_t ninj = 0, i;
	char line[768], why[256];
	int len, e;

	memset(injected, 0, sizeof(injected));
	/*
	 * n = 0: a census first, armed far beyond any op (VCT_FN_CENSUS_N):
	 * the points the op reaches uninjected, per call, said before the
	 * sweep so that a sweep the kernel crashes still leaves its size.
	 */
	for (n = 0; ; n++) {
		struct vct_fn_baseline b0, b1, now;
		char nbuf[16], mark[160];
		struct vct_fn_observer *ob = &self->obs;
		bool injected_here;
		long left;
		int ret, k;

		unsigned arm_n = n ? n : VCT_FN_CENSUS_N;

		ASSERT_GT(VCT_FN_MAX_POINTS, n)
			TH_LOG("%s: more than %d injection points", o->name, VCT_FN_MAX_POINTS);
		vct_fn_snapshot(_metadata, self, &b0);
		o->prepare(_metadata, self);
		vct_fn_snapshot(_metadata, self, &b1);
		if (o->arm)
			o->arm(_metadata, self);
		/* the kernel-log mark first: writing it is not part of the op */
		snprintf(mark, sizeof(mark), "vfio-ct: mark fail-nth %s %s N=%u\n", o->name,
			 self->variant_name, arm_n);
		if (vct_fn_write_text("/dev/kmsg", mark)) {
			/* no mark: a crash is still pinned on the test by its begin marker */
		}
		memset(ob, 0, sizeof(*ob));
		ob->nth_fd = self->nth_fd;
		if (o->stepped) {
			ob->pending = arm_n;
			self->iommu->step = vct_fn_step;
			self->iommu->step_ctx = ob;
		} else {
			k = snprintf(nbuf, sizeof(nbuf), "%u", arm_n);
			ASSERT_EQ(k, pwrite(self->nth_fd, nbuf, (size_t)k, 0));
			ob->armed = true;
		}
		ret = o->op(self);
		self->iommu->step = NULL;
		/*
		 * "A value of '0' indicates that the fault ... was injected."
		 * Reading can itself be the N-th point (EFAULT, as
		 * iommufd_fail_nth.c notes): then the op did not reach it.
		 */
		left = vct_fn_read_nth(self->nth_fd);
		if (left == -EFAULT)
			left = 1;
		ASSERT_LE(0, left) TH_LOG("reading fail-nth: %s", vct_errno_name((int)-left));
		if (pwrite(self->nth_fd, "0", 1, 0) != 1)
			ASSERT_EQ(1, pwrite(self->nth_fd, "0", 1, 0));
		/* (a stepped op that never announced a call never armed fail-nth: it reads 0) */
		ASSERT_TRUE(!o->stepped || ob->pending == 0)
			TH_LOG("%s %s: the backend announced no kernel call (iommu.h vct_iommu_step)",
			       o->name, self->devs[0].bdf);
		ASSERT_FALSE(ob->overflow) TH_LOG("%s: more than %d kernel calls", o->name,
						  VCT_FN_MAX_CALLS);
		injected_here = left == 0;
		ASSERT_TRUE(n || !injected_here)
			TH_LOG("%s: more than %u injection points", o->name, VCT_FN_CENSUS_N);
		if (!injected_here) {
			/* N is beyond the op's points: it ran whole, uninjected */
			ASSERT_EQ(0, ret) TH_LOG("%s %s without injection: %s (%s)", o->name,
						 self->devs[0].bdf, vct_errno_name(-ret),
						 vct_iommu_last_error(self->iommu));
		} else if (ret) {
			ASSERT_TRUE(vct_fn_clean_errno(self, ret))
				TH_LOG("%s %s with injection point %u%s%s failed: answered %d (%s)",
				       o->name, self->devs[0].bdf, n,
				       ob->injected_in ? " in " : "",
				       ob->injected_in ? ob->injected_in : "", ret,
				       vct_errno_name(-ret));
			nerr[-ret & 255]++;
		} else {
			absorbed++;
		}
		/* each injected run is charged to the call it failed in */
		if (injected_here && o->stepped) {
			ASSERT_NE(NULL, ob->injected_in)
				TH_LOG("%s: point %u injected outside the announced calls", o->name, n);
			for (i = 0; i < ninj && strcmp(injected[i].name, ob->injected_in); i++)
				;
			ASSERT_GT(VCT_FN_MAX_CALLS, i) TH_LOG("%s: more than %d kernel calls",
							      o->name, VCT_FN_MAX_CALLS);
			if (i == ninj)
				injected[ninj++].name = ob->injected_in;
			injected[i].injected++;
		}
		o->undo(_metadata, self, ret);
		/* the op's starting state back ... */
		vct_fn_snapshot(_metadata, self, &now);
		ASSERT_EQ(0, vct_fn_baseline_diff(&b1, &now, why, sizeof(why)))
			TH_LOG("%s %s, injection point %u (%s): %s", o->name, self->devs[0].bdf,
			       n, !injected_here ? "none reached" : ret ? vct_errno_name(-ret) : "absorbed",
			       why);
		/* ... and everything released with the backend */
		vct_iommu_close(self->iommu);
		self->iommu = NULL;
		vct_fn_snapshot(_metadata, self, &now);
		ASSERT_EQ(0, vct_fn_baseline_diff(&b0, &now, why, sizeof(why)))
			TH_LOG("%s %s, injection point %u, after close: %s", o->name,
			       self->devs[0].bdf, n, why);
		if (!injected_here && !n) {
			vct_fn_census(self, o, ob, (unsigned)(VCT_FN_CENSUS_N - left));
			continue;
		}
		if (!injected_here) {
			*res = *ob;
			break;
		}
	}
	len = snprintf(line, sizeof(line), "%s %s %s: %u injection points swept (",
		       vct_backend_name(self->backend), o->name, self->devs[0].bdf, n - 1);
	for (e = 1; e < 256; e++)
		if (nerr[e] && len < (int)sizeof(line))
			len += snprintf(line + len, sizeof(line) - (size_t)len, "%s x%u, ",
					vct_errno_name(e), nerr[e]);
	if (len < (int)sizeof(line))
		len += snprintf(line + len, sizeof(line) - (size_t)len, "absorbed x%u)", absorbed);
	/*
	 * Per call, in the order the uninjected run made them: the injected
	 * runs that failed in it (they add up to the total; a call with none
	 * reached no point), then any call only an injected run made.
	 */
	{
		struct vct_fn_call out[VCT_FN_MAX_CALLS];
		size_t nout = 0, j;

		for (i = 0; i < res->nrun; i++)
			out[nout++] = (struct vct_fn_call){ .name = res->run[i].name,
							    .points = res->run[i].points };
		for (i = 0; i < ninj; i++) {
			for (j = 0; j < nout && strcmp(out[j].name, injected[i].name); j++)
				;
			if (j == nout && nout < VCT_FN_MAX_CALLS)
				out[nout++] = (struct vct_fn_call){ .name = injected[i].name };
			if (j < nout)
				out[j].injected = injected[i].injected;
		}
		for (i = 0; i < nout && len < (int)sizeof(line); i++)
			len += snprintf(line + len, sizeof(line) - (size_t)len, "%s %s %u",
					i ? "," : ";", out[i].name, out[i].injected);
		ksft_print_msg("%s\n", line);
		/*
		 * The uninjected run's own countdown per call, said only where
		 * it differs (calls that allocate differently from run to run,
		 * e.g. a cache filled once).
		 */
		for (i = 0; i < nout; i++) {
			if (out[i].points != out[i].injected)
				ksft_print_msg("%s: %s reached %u points in the uninjected run, was injected %u times\n",
					       o->name, out[i].name, out[i].points, out[i].injected);
			res->run[i] = (struct vct_fn_call){ .name = out[i].name,
							    .points = out[i].injected,
							    .injected = out[i].injected };
		}
		res->nrun = nout;
	}
	return n - 1;
}

/* Sweep `o`, check everything came back, report the counts (TAP, metrics.json). */
static inline void vct_fail_nth_sweep(struct __test_metadata *_metadata,
				      FIXTURE_DATA(fail_nth) *self,
				      const struct vct_fail_op *o)
{
	struct vct_fn_baseline b0, b1;
	struct vct_fn_observer res;
	char why[256], pat[96];
	unsigned points;
	size_t i;

	memset(&res, 0, sizeof(res));
	vct_fn_snapshot(_metadata, self, &b0);
	points = vct_fn_sweep(_metadata, self, o, &res);
	/*
	 * An operation that reaches no injection point swept nothing: not a
	 * pass (e.g. native iommufd's device fd is the cdev opened and bound
	 * at attach, swept there; its device_fd only duplicates it).
	 */
	if (!points)
		SKIP(return, "%s %s reached no fault-injection point: nothing to sweep",
		     vct_backend_name(self->backend), o->name);
	vct_fn_emit(self, _metadata->name, o->name, points);
	for (i = 0; o->stepped && i < res.nrun; i++) {
		snprintf(pat, sizeof(pat), "%s:%s", o->name, res.run[i].name);
		vct_fn_emit(self, _metadata->name, pat, res.run[i].points);
	}
	/* Everything released once the backend is closed. */
	vct_fn_snapshot(_metadata, self, &b1);
	ASSERT_EQ(0, vct_fn_baseline_diff(&b0, &b1, why, sizeof(why)))
		TH_LOG("after the %s sweep and close: %s", o->name, why);
}

#endif /* VCT_FAILNTH_H */
