/* SPDX-License-Identifier: GPL-2.0 */
/*
 * range.h - set algebra over inclusive 64-bit ranges.
 *
 * IOVA apertures, reserved regions and the IOVA_RANGE capability all
 * describe sets of addresses; the conformance checks compare them as sets
 * ("usable = aperture minus reserved").  Ranges are inclusive because the
 * kernel's are (reserved_regions prints the last byte, vfio_iova_range has
 * `end`) and because a range reaching UINT64_MAX has no exclusive end.
 *
 * A vct_ranges is "merged" when sorted by start with no two ranges
 * overlapping or adjacent; every output of this file is merged, so two sets
 * are equal exactly when their merged arrays are.  vct_ranges_add() alone
 * appends as given, so tests can build raw input.
 *
 * Functions returning int give 0 or -errno; on error `out` is left empty.
 * `out` must not alias an input.
 *
 * struct vct_err is the shared error report of the harness parsers
 * (resv.h, capchain.h): a message that names the file and line, or the
 * offset, and what is wrong, ready for a test's failure output.
 */
#ifndef VCT_RANGE_H
#define VCT_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vct_range {
	uint64_t start;
	uint64_t last;	/* inclusive: may be UINT64_MAX */
};

struct vct_ranges {
	struct vct_range *v;
	size_t n;
	size_t cap;
};

#define VCT_RANGES_INIT { NULL, 0, 0 }

struct vct_err {
	char msg[512];
};

/* Set err->msg (err may be NULL); returns -errnum, for `return vct_errf(...)`. */
int vct_errf(struct vct_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append [start, last] as is (no merge).  -EINVAL if start > last. */
int vct_ranges_add(struct vct_ranges *r, uint64_t start, uint64_t last);
/* Forget the contents, keep the allocation. */
void vct_ranges_clear(struct vct_ranges *r);
/* Release the allocation; r is empty and reusable afterwards. */
void vct_ranges_free(struct vct_ranges *r);
/* out = a copy of src, merged. */
int vct_ranges_copy(const struct vct_ranges *src, struct vct_ranges *out);

/* Sort by start, then last. */
void vct_ranges_sort(struct vct_ranges *r);
/* Sort, then coalesce overlapping and adjacent ranges. */
void vct_ranges_merge(struct vct_ranges *r);
/* Sorted with no overlap or adjacency (the canonical form). */
bool vct_ranges_is_merged(const struct vct_ranges *r);

int vct_ranges_intersect(const struct vct_ranges *a, const struct vct_ranges *b,
			 struct vct_ranges *out);
/* out = a minus b */
int vct_ranges_subtract(const struct vct_ranges *a, const struct vct_ranges *b,
			struct vct_ranges *out);
/* out = [ap_start, ap_last] minus r.  -EINVAL if ap_start > ap_last. */
int vct_ranges_complement(const struct vct_ranges *r, uint64_t ap_start,
			  uint64_t ap_last, struct vct_ranges *out);
/* out = a union b */
int vct_ranges_union(const struct vct_ranges *a, const struct vct_ranges *b,
		     struct vct_ranges *out);

/*
 * Set equality; inputs need not be merged.  An unmerged input costs an
 * allocation, and if that fails the answer is false (never a false "equal").
 */
bool vct_ranges_equal(const struct vct_ranges *a, const struct vct_ranges *b);
/* Every address of [start, last] is in r (r need not be merged). */
bool vct_ranges_contains(const struct vct_ranges *r, uint64_t start, uint64_t last);
/* Some address of [start, last] is in r. */
bool vct_ranges_overlaps(const struct vct_ranges *r, uint64_t start, uint64_t last);
/*
 * Number of addresses in a merged r, saturating at UINT64_MAX (the full
 * 64-bit space has 2^64 addresses, one more than fits).
 */
uint64_t vct_ranges_size(const struct vct_ranges *r);

/*
 * "[0x0-0xfedfffff] [0xfef00000-0xffffffffffff]", or "(empty)", for failure
 * messages.  Always NUL-terminates when len > 0; a truncated list ends in
 * "...".  Returns the length of what was written (excluding the NUL).
 */
size_t vct_ranges_format(const struct vct_ranges *r, char *buf, size_t len);

#endif /* VCT_RANGE_H */
