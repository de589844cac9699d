// SPDX-License-Identifier: GPL-2.0
/*
 * resv.c - strict reader of iommu_groups/<N>/reserved_regions; see resv.h.
 */
#include "resv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Indexed by enum vct_resv_type; iommu.c's iommu_group_resv_type_string. */
static const char *const type_names[VCT_RESV_NTYPES] = {
	[VCT_RESV_DIRECT]		= "direct",
	[VCT_RESV_DIRECT_RELAXABLE]	= "direct-relaxable",
	[VCT_RESV_RESERVED]		= "reserved",
	[VCT_RESV_MSI]			= "msi",
};

/* "0x" and 16 digits: the kernel's 0x%016llx */
#define HEX_FIELD_LEN	18
/* Quote at most this much of a bad field in a message. */
#define QUOTE_MAX	40

const char *vct_resv_type_name(enum vct_resv_type t)
{
	return (unsigned int)t < VCT_RESV_NTYPES ? type_names[t] : "?";
}

void vct_resv_free(struct vct_resv_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool vct_resv_equal(const struct vct_resv_list *a, const struct vct_resv_list *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->v[i].start != b->v[i].start || a->v[i].end != b->v[i].end ||
		    a->v[i].type != b->v[i].type)
			return false;
	return true;
}

/* Where a line is: the file's name and the 1-based line number. */
struct where {
	const char *name;
	unsigned int line;
};

struct field {
	const char *p;
	size_t len;
};

static int quote_len(size_t len)
{
	return (int)(len < QUOTE_MAX ? len : QUOTE_MAX);
}

static int parse_hex(const struct where *w, const char *what,
		     const struct field *f, uint64_t *val, struct vct_err *err)
{
	uint64_t v = 0;
	size_t i;

	if (f->len < 2 || f->p[0] != '0' || f->p[1] != 'x')
		return vct_errf(err, EINVAL, "%s:%u: %s %.*s lacks the 0x prefix",
				w->name, w->line, what, quote_len(f->len), f->p);
	for (i = 2; i < f->len; i++) {
		char c = f->p[i];

		/* The kernel prints lowercase: anything else is not its output. */
		if (!isdigit((unsigned char)c) && !(c >= 'a' && c <= 'f'))
			return vct_errf(err, EINVAL,
					"%s:%u: %s %.*s is not hexadecimal (character '%c')",
					w->name, w->line, what,
					quote_len(f->len), f->p, c);
		v = v << 4 | (uint64_t)(isdigit((unsigned char)c) ? c - '0' : c - 'a' + 10);
	}
	if (f->len != HEX_FIELD_LEN)
		return vct_errf(err, EINVAL, "%s:%u: %s %.*s has %zu hex digits, not 16",
				w->name, w->line, what, quote_len(f->len), f->p,
				f->len - 2);
	*val = v;
	return 0;
}

static int parse_type(const struct where *w, const struct field *f,
		      enum vct_resv_type *type, struct vct_err *err)
{
	unsigned int t;

	for (t = 0; t < VCT_RESV_NTYPES; t++)
		if (strlen(type_names[t]) == f->len &&
		    !memcmp(type_names[t], f->p, f->len)) {
			*type = (enum vct_resv_type)t;
			return 0;
		}
	return vct_errf(err, EINVAL, "%s:%u: unknown type '%.*s'",
			w->name, w->line, quote_len(f->len), f->p);
}

/* Split on single spaces; more than `max` fields counts as max + 1. */
static int split_fields(const struct where *w, const char *p, size_t len,
			struct field *f, size_t max, size_t *nf,
			struct vct_err *err)
{
	size_t i, start = 0, n = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && p[i] != ' ')
			continue;
		if (i == start)
			return vct_errf(err, EINVAL,
					"%s:%u: empty field %zu (fields are separated by exactly one space)",
					w->name, w->line, n + 1);
		if (n < max) {
			f[n].p = p + start;
			f[n].len = i - start;
		}
		n++;
		start = i + 1;
	}
	*nf = n;
	return 0;
}

static int parse_line(const struct where *w, const char *p, size_t len,
		      struct vct_resv_region *r, struct vct_err *err)
{
	struct field f[3];
	size_t nf = 0;
	int ret;

	if (memchr(p, '\r', len))
		return vct_errf(err, EINVAL, "%s:%u: carriage return (CRLF line ending)",
				w->name, w->line);
	if (!len)
		return vct_errf(err, EINVAL, "%s:%u: empty line", w->name, w->line);
	ret = split_fields(w, p, len, f, 3, &nf, err);
	if (ret)
		return ret;
	if (nf != 3)
		return vct_errf(err, EINVAL,
				"%s:%u: %zu fields, expected 3 (start end type)",
				w->name, w->line, nf);
	ret = parse_hex(w, "start", &f[0], &r->start, err);
	if (!ret)
		ret = parse_hex(w, "end", &f[1], &r->end, err);
	if (!ret)
		ret = parse_type(w, &f[2], &r->type, err);
	if (ret)
		return ret;
	if (r->start > r->end)
		return vct_errf(err, EINVAL, "%s:%u: start 0x%016llx is above end 0x%016llx",
				w->name, w->line, (unsigned long long)r->start,
				(unsigned long long)r->end);
	r->line = w->line;
	return 0;
}

static int list_append(struct vct_resv_list *l, size_t *cap,
		       const struct vct_resv_region *r)
{
	struct vct_resv_region *v;

	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;

		v = realloc(l->v, ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		*cap = ncap;
	}
	l->v[l->n++] = *r;
	return 0;
}

static int parse_lines(struct vct_resv_list *out, const char *buf, size_t len,
		       struct vct_err *err)
{
	struct where w = { out->path, 0 };
	struct vct_resv_region r;
	size_t pos = 0, cap = 0;
	const char *nl;
	int ret;

	while (pos < len) {
		w.line++;
		nl = memchr(buf + pos, '\n', len - pos);
		if (!nl)
			return vct_errf(err, EINVAL,
					"%s:%u: no newline at end of file (truncated line)",
					w.name, w.line);
		ret = parse_line(&w, buf + pos, (size_t)(nl - (buf + pos)), &r, err);
		if (!ret)
			ret = list_append(out, &cap, &r);
		if (ret)
			return ret == -ENOMEM ?
			       vct_errf(err, ENOMEM, "%s: out of memory", w.name) : ret;
		pos = (size_t)(nl - buf) + 1;
	}
	return 0;
}

int vct_resv_parse_buf(const char *name, const char *buf, size_t len,
		       size_t max_len, struct vct_resv_list *out,
		       struct vct_err *err)
{
	const char *nul;
	int ret;

	out->v = NULL;
	out->n = 0;
	snprintf(out->path, sizeof(out->path), "%s", name);
	if (len > max_len)
		return vct_errf(err, EFBIG, "%s: %zu bytes, larger than %zu (one sysfs page)",
				out->path, len, max_len);
	nul = memchr(buf, '\0', len);
	if (nul) {
		/* Line number of the NUL, for the message. */
		unsigned int line = 1;
		const char *p;

		for (p = buf; p < nul; p++)
			line += *p == '\n';
		return vct_errf(err, EINVAL, "%s:%u: NUL byte", out->path, line);
	}
	ret = parse_lines(out, buf, len, err);
	if (ret)
		vct_resv_free(out);
	return ret;
}

/* Read at most max_len + 1 bytes: one more than legal tells "too large". */
static int read_bounded(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t r;

	*len = 0;
	while (*len < cap) {
		r = read(fd, buf + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		*len += (size_t)r;
	}
	return 0;
}

int vct_resv_parse_file(const char *path, size_t max_len,
			struct vct_resv_list *out, struct vct_err *err)
{
	size_t len = 0;
	char *buf;
	int fd, ret;

	out->v = NULL;
	out->n = 0;
	snprintf(out->path, sizeof(out->path), "%s", path);
	if (max_len >= SIZE_MAX)
		return vct_errf(err, EINVAL, "%s: max_len too large", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vct_errf(err, errno, "%s: open: %s", path, strerror(errno));
	buf = malloc(max_len + 1);
	if (!buf) {
		close(fd);
		return vct_errf(err, ENOMEM, "%s: out of memory", path);
	}
	ret = read_bounded(fd, buf, max_len + 1, &len);
	close(fd);
	if (ret)
		vct_errf(err, -ret, "%s: read: %s", path, strerror(-ret));
	else if (len > max_len)
		ret = vct_errf(err, EFBIG, "%s: larger than %zu bytes (one sysfs page)",
			       path, max_len);
	else
		ret = vct_resv_parse_buf(path, buf, len, max_len, out, err);
	free(buf);
	return ret;
}

static int check_aligned(const struct vct_resv_list *l,
			 const struct vct_resv_region *r, uint64_t page_size,
			 struct vct_err *err)
{
	uint64_t mask = page_size - 1;

	if (r->start & mask)
		return vct_errf(err, EINVAL,
				"%s:%u: start 0x%016llx is not aligned to the page size 0x%llx",
				l->path, r->line, (unsigned long long)r->start,
				(unsigned long long)page_size);
	/* end + 1 wraps to 0 at UINT64_MAX, which is aligned, as it should be. */
	if ((r->end + 1) & mask)
		return vct_errf(err, EINVAL,
				"%s:%u: end 0x%016llx + 1 is not aligned to the page size 0x%llx",
				l->path, r->line, (unsigned long long)r->end,
				(unsigned long long)page_size);
	return 0;
}

static int check_order(const struct vct_resv_list *l,
		       const struct vct_resv_region *prev,
		       const struct vct_resv_region *r, struct vct_err *err)
{
	if (r->start > prev->start ||
	    (r->start == prev->start && r->type >= prev->type))
		return 0;
	return vct_errf(err, EINVAL,
			"%s:%u: region at 0x%016llx (%s) is out of order after line %u at 0x%016llx (%s)",
			l->path, r->line, (unsigned long long)r->start,
			vct_resv_type_name(r->type), prev->line,
			(unsigned long long)prev->start,
			vct_resv_type_name(prev->type));
}

/* a sorted before b, same type: the kernel would have merged them. */
static int check_unmerged(const struct vct_resv_list *l,
			  const struct vct_resv_region *a,
			  const struct vct_resv_region *b, struct vct_err *err)
{
	const char *how;

	if (b->start <= a->end)
		how = "overlaps";
	else if (a->end != UINT64_MAX && b->start == a->end + 1)
		how = "is adjacent to";
	else
		return 0;
	return vct_errf(err, EINVAL,
			"%s:%u: %s region [0x%016llx-0x%016llx] %s line %u [0x%016llx-0x%016llx] of the same type (the kernel merges those)",
			l->path, b->line, vct_resv_type_name(b->type),
			(unsigned long long)b->start, (unsigned long long)b->end,
			how, a->line, (unsigned long long)a->start,
			(unsigned long long)a->end);
}

int vct_resv_validate(const struct vct_resv_list *l, uint64_t page_size,
		      struct vct_err *err)
{
	size_t i, j;
	int ret;

	if (!page_size || (page_size & (page_size - 1)))
		return vct_errf(err, EINVAL, "%s: page size 0x%llx is not a power of two",
				l->path, (unsigned long long)page_size);
	for (i = 0; i < l->n; i++) {
		ret = check_aligned(l, &l->v[i], page_size, err);
		if (!ret && i)
			ret = check_order(l, &l->v[i - 1], &l->v[i], err);
		/* Sorted so far, so every earlier region starts at or below this one. */
		for (j = 0; !ret && j < i; j++)
			if (l->v[j].type == l->v[i].type)
				ret = check_unmerged(l, &l->v[j], &l->v[i], err);
		if (ret)
			return ret;
	}
	return 0;
}

/* A kernel group name: decimal, no sign, no leading zero, fits unsigned int. */
static bool group_name(const char *s, unsigned int *id)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && s[1]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > UINT_MAX)
		return false;
	*id = (unsigned int)v;
	return true;
}

static int id_cmp(const void *pa, const void *pb)
{
	unsigned int a = *(const unsigned int *)pa, b = *(const unsigned int *)pb;

	return a < b ? -1 : a > b;
}

int vct_resv_group_ids(const char *sysfs_root, unsigned int **ids, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	unsigned int id, *v;
	DIR *d;

	*ids = NULL;
	*n = 0;
	d = opendir(sysfs_root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!group_name(de->d_name, &id))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(*ids, cap * sizeof(*v));
			if (!v) {
				closedir(d);
				free(*ids);
				*ids = NULL;
				*n = 0;
				return -ENOMEM;
			}
			*ids = v;
		}
		(*ids)[(*n)++] = id;
	}
	closedir(d);
	if (*n)
		qsort(*ids, *n, sizeof(**ids), id_cmp);
	return 0;
}

int vct_resv_read_group(const char *sysfs_root, unsigned int group,
			size_t max_len, struct vct_resv_list *out,
			struct vct_err *err)
{
	char path[sizeof(out->path)];
	int n;

	out->v = NULL;
	out->n = 0;
	n = snprintf(path, sizeof(path), "%s/%u/reserved_regions", sysfs_root, group);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(out->path, sizeof(out->path), "%s", sysfs_root);
		return vct_errf(err, ENAMETOOLONG, "%s/%u: path too long",
				sysfs_root, group);
	}
	return vct_resv_parse_file(path, max_len, out, err);
}

int vct_resv_to_ranges(const struct vct_resv_list *l, unsigned int type_mask,
		       struct vct_ranges *out)
{
	size_t i;
	int ret;

	vct_ranges_clear(out);
	for (i = 0; i < l->n; i++) {
		if (!(type_mask & VCT_RESV_MASK(l->v[i].type)))
			continue;
		ret = vct_ranges_add(out, l->v[i].start, l->v[i].end);
		if (ret) {
			vct_ranges_clear(out);
			return ret;
		}
	}
	vct_ranges_merge(out);
	return 0;
}
