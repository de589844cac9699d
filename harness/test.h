/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test.h - the one way vfio-ct test programs include the kernel's
 * kselftest harness (taken from a kernel tree by harness/sh/ksrc.sh, never
 * copied here), plus the few hooks the runner needs from every program.
 *
 * Use VCT_HARNESS_MAIN instead of TEST_HARNESS_MAIN.  It adds one option to
 * the harness's own: `--vct-list` prints the full name of every test
 * (fixture.variant.test, exactly as the TAP lines will name them), one per
 * line, so the runner knows the plan by name before anything runs and can
 * report tests that never ran because the guest died.
 *
 * Call vct_mark_test(_metadata, variant) first thing in every FIXTURE_SETUP:
 * it writes "vfio-ct: begin <full test name>" to /dev/kmsg (when writable),
 * which lets the runner pin a kernel WARN/BUG/Oops on the test during which
 * it was logged.
 */
#ifndef VCT_TEST_H
#define VCT_TEST_H

/*
 * The harness macros expand to functions whose parameters (variant,
 * ucontext) the including file does not always use, and FIXTURE_SETUP and
 * FIXTURE_TEARDOWN define non-static functions without prototypes; under
 * -Wextra -Wmissing-prototypes -Werror that would fail every test program.
 * Only these two warnings are relaxed, and only in files that include the
 * harness.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "kselftest_harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/*
 * For FIXTURE_SETUP of a program that needs the guest's clock to be the
 * wall's (a timed loop, a wait on the runner): SKIP with the reason under
 * run.sh --icount (util.h vct_clock_virtual_why).
 */
#define VCT_REAL_CLOCK_OR_SKIP() do { \
	const char *__why = vct_clock_virtual_why(); \
	if (__why) \
		SKIP(return, "%s", __why); \
} while (0)

/* Full TAP name of a test: fixture[.variant].test */
static inline void vct_test_fullname(const struct __fixture_metadata *f,
				     const struct __fixture_variant_metadata *v,
				     const struct __test_metadata *t,
				     char *buf, size_t len)
{
	const char *vname = v ? v->name : "";

	snprintf(buf, len, "%s%s%s.%s", f ? f->name : "global",
		 vname[0] ? "." : "", vname, t->name);
}

static inline void vct_list_tests(void)
{
	const struct __fixture_metadata *f;
	const struct __fixture_variant_metadata *v;
	const struct __test_metadata *t;
	struct __fixture_variant_metadata none = { .name = "" };
	char name[1024];

	for (f = __fixture_list; f; f = f->next)
		for (v = f->variant ? f->variant : &none; v; v = v->next)
			for (t = f->tests; t; t = t->next) {
				vct_test_fullname(f, v, t, name, sizeof(name));
				printf("%s\n", name);
			}
}

/*
 * The running test's full TAP name (fixture.variant.test) into buf;
 * `variant_data` is the FIXTURE_SETUP's (or _TEARDOWN's) `variant` pointer,
 * matched against the fixture's registered variants.
 */
static inline void vct_test_name(const struct __test_metadata *t,
				 const void *variant_data, char *buf, size_t len)
{
	const struct __fixture_variant_metadata *v = NULL;

	if (t->fixture)
		for (v = t->fixture->variant; v; v = v->next)
			if (v->data == variant_data)
				break;
	vct_test_fullname(t->fixture, v, t, buf, len);
}

/* Mark the start of a test in the kernel log ("vfio-ct: begin NAME"). */
static inline void vct_mark_test(const struct __test_metadata *t,
				 const void *variant_data)
{
	char name[1024], line[1100];
	int fd, n;

	vct_test_name(t, variant_data, name, sizeof(name));
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "vfio-ct: begin %s\n", name);
	if (n > 0 && write(fd, line, (size_t)n) < 0) {
		/* no kernel log marker: splats fall to the previous test */
	}
	close(fd);
}

/*
 * VCT_XFAIL(statement, fmt, ...): like the harness's SKIP, but the test is
 * reported "ok N name # XFAIL reason": a known defect outside the code
 * under test (e.g. an emulator not enforcing what the kernel asked for),
 * named in the reason.  Never use it for the kernel's own behaviour.
 */
#define VCT_XFAIL(statement, fmt, ...) do { \
	snprintf(_metadata->results->reason, \
		 sizeof(_metadata->results->reason), fmt, ##__VA_ARGS__); \
	fprintf(TH_LOG_STREAM, "#      XFAIL     %s\n", \
		_metadata->results->reason); \
	_metadata->exit_code = KSFT_XFAIL; \
	_metadata->trigger = 0; \
	statement; \
} while (0)

/*
 * A program whose every test SKIPped (none passed, failed or XFAILed) exits
 * KSFT_SKIP (4) instead of the harness's 0, as the kernel's own VFIO
 * selftests do when no device is given: kselftest's runner then reports it
 * "ok N selftests: AREA: PROG # SKIP" rather than as a pass.  The harness
 * ends with exit(); this atexit handler (main process only: the forked
 * tests leave with _exit) replaces a 0 status by 4 through _exit.
 */
#define VCT_HARNESS_MAIN \
	static pid_t vct_main_pid; \
	static void vct_exit_skip_if_all_skipped(void) \
	{ \
		if (getpid() == vct_main_pid && ksft_cnt.ksft_xskip && \
		    !ksft_cnt.ksft_pass && !ksft_cnt.ksft_fail && \
		    !ksft_cnt.ksft_xfail && !ksft_cnt.ksft_xpass && \
		    !ksft_cnt.ksft_error) \
			_exit(KSFT_SKIP); \
	} \
	int main(int argc, char **argv) \
	{ \
		if (argc == 2 && !strcmp(argv[1], "--vct-list")) { \
			vct_list_tests(); \
			return 0; \
		} \
		vct_main_pid = getpid(); \
		atexit(vct_exit_skip_if_all_skipped); \
		/* results reach the runner as they happen, not at exit */ \
		setvbuf(stdout, NULL, _IOLBF, 0); \
		return test_harness_run(argc, argv); \
	}

#endif /* VCT_TEST_H */
