/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - small helpers every part of the harness needs: the CPU page size,
 * reading short sysfs files, the running kernel's version, the kernel log,
 * and the "assert" wrapper that turns a __foo() -errno into a test failure.
 *
 * Convention (DESIGN.md): __foo() returns 0 or a value >= 0 on success and
 * -errno on failure, leaving policy to the caller; foo() asserts.  The
 * asserting forms are macros built on VCT_CHECK(), so a failure names the
 * caller's file:line, the expression and the errno.
 */
#ifndef VCT_UTIL_H
#define VCT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#define VCT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* CPU page size (sysconf), cached. */
size_t vct_page_size(void);

/* Print "file:line: expr: returned -E... (message)" and exit(KSFT_FAIL). */
noreturn void vct_die(const char *file, int line, const char *expr, int ret);

/*
 * Evaluate `expr` (an int-returning __foo() call); if it is negative, fail
 * the current test process through vct_die().  Yields the value otherwise.
 */
#define VCT_CHECK(expr) ({ \
	int __vct_ret = (expr); \
	if (__vct_ret < 0) \
		vct_die(__FILE__, __LINE__, #expr, __vct_ret); \
	__vct_ret; \
})

/* "EINVAL" for 22, "E?" for unknown values.  Takes a positive errno. */
const char *vct_errno_name(int err);

/*
 * Read a whole small file (sysfs attribute) into buf, NUL terminated,
 * trailing newline removed.  Returns the length or -errno (-EFBIG when it
 * does not fit).
 */
int __vct_read_text(const char *path, char *buf, size_t len);

/* Read a file holding one unsigned number (base 0 = C prefixes, or 16). */
int __vct_read_u64(const char *path, int base, uint64_t *out);

/*
 * Parse a whole string as an unsigned 64-bit number in the given base (0 for
 * C prefixes); no sign, no trailing junk.  0 or -EINVAL/-ERANGE.
 */
int vct_parse_u64(const char *s, int base, uint64_t *out);

/* Running kernel's version from uname(2): e.g. 6.12.95 -> 6, 12, 95. */
struct vct_kver {
	unsigned major, minor, patch;
};
int __vct_kernel_version(struct vct_kver *out);
/* Compare a version against major.minor: <0, 0, >0. */
int vct_kver_cmp(const struct vct_kver *v, unsigned major, unsigned minor);

/*
 * Read the whole kernel log buffer from /dev/kmsg without blocking: the text
 * of every record still held, one per line, prefixes removed.  *out is
 * malloc'ed and NUL terminated; free() it.  Returns the length or -errno.
 */
int __vct_kmsg_read(char **out);

/*
 * Why this guest's clock cannot time anything, or NULL when it can.  Under
 * `run.sh --icount` (QEMU's -icount shift=auto,sleep=off, announced to the
 * guest as $VCT_GUEST_CLOCK=virtual) the clock counts instructions and
 * jumps over idle time: a measured rate means nothing, and a timeout on
 * something outside the guest (the runner's answer to a hotplug request)
 * expires in no wall time.  The programs that need a real clock SKIP with
 * this reason.
 */
const char *vct_clock_virtual_why(void);

#endif /* VCT_UTIL_H */
