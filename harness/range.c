// SPDX-License-Identifier: GPL-2.0
/*
 * range.c - set algebra over inclusive 64-bit ranges; see range.h.
 *
 * Every "last + 1" below is guarded: a range may end at UINT64_MAX, where
 * the exclusive end wraps to 0.
 */
#include "range.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vct_errf(struct vct_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

static int ranges_reserve(struct vct_ranges *r, size_t want)
{
	struct vct_range *v;
	size_t cap;

	if (want <= r->cap)
		return 0;
	cap = r->cap ? r->cap : 8;
	while (cap < want) {
		if (cap > SIZE_MAX / 2 / sizeof(*v))
			return -ENOMEM;
		cap *= 2;
	}
	v = realloc(r->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->v = v;
	r->cap = cap;
	return 0;
}

int vct_ranges_add(struct vct_ranges *r, uint64_t start, uint64_t last)
{
	int ret;

	if (start > last)
		return -EINVAL;
	ret = ranges_reserve(r, r->n + 1);
	if (ret)
		return ret;
	r->v[r->n].start = start;
	r->v[r->n].last = last;
	r->n++;
	return 0;
}

void vct_ranges_clear(struct vct_ranges *r)
{
	r->n = 0;
}

void vct_ranges_free(struct vct_ranges *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
	r->cap = 0;
}

static int range_cmp(const void *pa, const void *pb)
{
	const struct vct_range *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->last != b->last)
		return a->last < b->last ? -1 : 1;
	return 0;
}

void vct_ranges_sort(struct vct_ranges *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), range_cmp);
}

/* b starts inside a or right after it (a sorted before b). */
static bool touches_next(const struct vct_range *a, const struct vct_range *b)
{
	return b->start <= a->last ||
	       (a->last != UINT64_MAX && b->start == a->last + 1);
}

void vct_ranges_merge(struct vct_ranges *r)
{
	size_t i, k;

	vct_ranges_sort(r);
	for (i = 1, k = 0; i < r->n; i++) {
		if (touches_next(&r->v[k], &r->v[i])) {
			if (r->v[i].last > r->v[k].last)
				r->v[k].last = r->v[i].last;
		} else {
			r->v[++k] = r->v[i];
		}
	}
	if (r->n)
		r->n = k + 1;
}

bool vct_ranges_is_merged(const struct vct_ranges *r)
{
	size_t i;

	for (i = 1; i < r->n; i++)
		if (r->v[i].start < r->v[i - 1].start ||
		    touches_next(&r->v[i - 1], &r->v[i]))
			return false;
	return true;
}

int vct_ranges_copy(const struct vct_ranges *src, struct vct_ranges *out)
{
	int ret;

	vct_ranges_clear(out);
	ret = ranges_reserve(out, src->n);
	if (ret)
		return ret;
	if (src->n)
		memcpy(out->v, src->v, src->n * sizeof(*src->v));
	out->n = src->n;
	vct_ranges_merge(out);
	return 0;
}

/*
 * Point *use at r if it is already merged, else at a merged copy in *tmp
 * (which the caller frees).  Lets the const operations below accept any
 * input without copying the common, canonical case.
 */
static int merged_view(const struct vct_ranges *r, struct vct_ranges *tmp,
		       const struct vct_ranges **use)
{
	int ret;

	*use = r;
	if (vct_ranges_is_merged(r))
		return 0;
	ret = vct_ranges_copy(r, tmp);
	if (!ret)
		*use = tmp;
	return ret;
}

static int intersect_merged(const struct vct_ranges *a,
			    const struct vct_ranges *b, struct vct_ranges *out)
{
	size_t i = 0, j = 0;
	int ret;

	while (i < a->n && j < b->n) {
		uint64_t lo = a->v[i].start > b->v[j].start ? a->v[i].start : b->v[j].start;
		uint64_t hi = a->v[i].last < b->v[j].last ? a->v[i].last : b->v[j].last;

		if (lo <= hi) {
			ret = vct_ranges_add(out, lo, hi);
			if (ret)
				return ret;
		}
		if (a->v[i].last < b->v[j].last)
			i++;
		else
			j++;
	}
	return 0;
}

/* One range of a minus the merged b, whose ranges before index j end before it. */
static int subtract_one(const struct vct_range *a, const struct vct_ranges *b,
			size_t j, struct vct_ranges *out)
{
	uint64_t s = a->start;
	int ret;

	for (; j < b->n && b->v[j].start <= a->last; j++) {
		if (b->v[j].start > s) {
			ret = vct_ranges_add(out, s, b->v[j].start - 1);
			if (ret)
				return ret;
		}
		if (b->v[j].last >= a->last)
			return 0;	/* the rest of a is covered */
		s = b->v[j].last + 1;	/* < a->last, cannot wrap */
	}
	return vct_ranges_add(out, s, a->last);
}

static int subtract_merged(const struct vct_ranges *a,
			   const struct vct_ranges *b, struct vct_ranges *out)
{
	size_t i, j = 0;
	int ret;

	for (i = 0; i < a->n; i++) {
		while (j < b->n && b->v[j].last < a->v[i].start)
			j++;
		ret = subtract_one(&a->v[i], b, j, out);
		if (ret)
			return ret;
	}
	return 0;
}

typedef int (*merged_op)(const struct vct_ranges *a, const struct vct_ranges *b,
			 struct vct_ranges *out);

/* Run op on merged views of a and b; out comes back merged, or empty on error. */
static int binary_op(merged_op op, const struct vct_ranges *a,
		     const struct vct_ranges *b, struct vct_ranges *out)
{
	struct vct_ranges ta = VCT_RANGES_INIT, tb = VCT_RANGES_INIT;
	const struct vct_ranges *ma, *mb;
	int ret;

	vct_ranges_clear(out);
	ret = merged_view(a, &ta, &ma);
	if (!ret)
		ret = merged_view(b, &tb, &mb);
	if (!ret)
		ret = op(ma, mb, out);
	vct_ranges_free(&ta);
	vct_ranges_free(&tb);
	if (ret)
		vct_ranges_clear(out);
	else
		vct_ranges_merge(out);
	return ret;
}

int vct_ranges_intersect(const struct vct_ranges *a, const struct vct_ranges *b,
			 struct vct_ranges *out)
{
	return binary_op(intersect_merged, a, b, out);
}

int vct_ranges_subtract(const struct vct_ranges *a, const struct vct_ranges *b,
			struct vct_ranges *out)
{
	return binary_op(subtract_merged, a, b, out);
}

int vct_ranges_complement(const struct vct_ranges *r, uint64_t ap_start,
			  uint64_t ap_last, struct vct_ranges *out)
{
	struct vct_range ap = { ap_start, ap_last };
	const struct vct_ranges aperture = { &ap, 1, 1 };

	vct_ranges_clear(out);
	if (ap_start > ap_last)
		return -EINVAL;
	return vct_ranges_subtract(&aperture, r, out);
}

int vct_ranges_union(const struct vct_ranges *a, const struct vct_ranges *b,
		     struct vct_ranges *out)
{
	int ret;
	size_t i;

	vct_ranges_clear(out);
	ret = ranges_reserve(out, a->n + b->n);
	for (i = 0; !ret && i < a->n; i++)
		ret = vct_ranges_add(out, a->v[i].start, a->v[i].last);
	for (i = 0; !ret && i < b->n; i++)
		ret = vct_ranges_add(out, b->v[i].start, b->v[i].last);
	if (ret)
		vct_ranges_clear(out);
	else
		vct_ranges_merge(out);
	return ret;
}

bool vct_ranges_equal(const struct vct_ranges *a, const struct vct_ranges *b)
{
	struct vct_ranges ta = VCT_RANGES_INIT, tb = VCT_RANGES_INIT;
	const struct vct_ranges *ma, *mb;
	bool eq = false;

	if (!merged_view(a, &ta, &ma) && !merged_view(b, &tb, &mb))
		eq = ma->n == mb->n &&
		     (!ma->n || !memcmp(ma->v, mb->v, ma->n * sizeof(*ma->v)));
	vct_ranges_free(&ta);
	vct_ranges_free(&tb);
	return eq;
}

bool vct_ranges_contains(const struct vct_ranges *r, uint64_t start, uint64_t last)
{
	struct vct_ranges t = VCT_RANGES_INIT;
	const struct vct_ranges *m;
	bool in = false;
	size_t i;

	if (start > last || merged_view(r, &t, &m))
		return false;
	/* In a merged set a covered span lies inside a single range. */
	for (i = 0; i < m->n && !in; i++)
		in = m->v[i].start <= start && last <= m->v[i].last;
	vct_ranges_free(&t);
	return in;
}

bool vct_ranges_overlaps(const struct vct_ranges *r, uint64_t start, uint64_t last)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].start <= last && start <= r->v[i].last)
			return true;
	return false;
}

uint64_t vct_ranges_size(const struct vct_ranges *r)
{
	uint64_t total = 0, n;
	size_t i;

	for (i = 0; i < r->n; i++) {
		n = r->v[i].last - r->v[i].start;	/* size - 1: cannot wrap */
		if (n == UINT64_MAX || total > UINT64_MAX - n - 1)
			return UINT64_MAX;
		total += n + 1;
	}
	return total;
}

size_t vct_ranges_format(const struct vct_ranges *r, char *buf, size_t len)
{
	static const char more[] = "...";
	size_t used = 0, i;
	int n;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (!r->n) {
		snprintf(buf, len, "(empty)");
		return strlen(buf);
	}
	for (i = 0; i < r->n; i++) {
		n = snprintf(buf + used, len - used, "%s[0x%llx-0x%llx]",
			     i ? " " : "",
			     (unsigned long long)r->v[i].start,
			     (unsigned long long)r->v[i].last);
		if (n < 0 || (size_t)n >= len - used) {
			/* Truncated: end with "..." where it fits. */
			used = len - 1;
			if (len > sizeof(more))
				memcpy(buf + len - sizeof(more), more, sizeof(more));
			buf[used] = '\0';
			return used;
		}
		used += (size_t)n;
	}
	return used;
}
