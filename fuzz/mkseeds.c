// SPDX-License-Identifier: GPL-2.0
/*
 * mkseeds.c - seed corpora for the fuzz targets, in each target's input
 * format, from fixtures/ (and, where fixtures/ holds nothing of the kind,
 * from a few answers laid out as the kernel would give them).
 *
 *   mkseeds TARGET OUTDIR      (TARGET: resv capchain device metrics
 *                               collate splat compare profile platform
 *                               teardown phases)
 *
 * fixtures/capchain's text format is read as suites/unit/capchain_test.c
 * documents it (fixtures/capchain/q35-good): argsz/fixed/first, u16/u32/u64
 * OFF VAL, cap OFF ID VERSION NEXT, base FILE.
 */
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "metrics.h"

#ifndef VCT_TOP
#define VCT_TOP "."	/* fuzz.mk passes the source tree */
#endif
#define FX VCT_TOP "/fixtures"

static const char *outdir;
static int nseed;

static void seed(const void *p, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%03d", outdir, nseed++);
	f = fopen(path, "wb");
	if (!f || (len && fwrite(p, 1, len, f) != len) || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* A whole file (NULL when it cannot be read), NUL-terminated. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

static void each(const char *pattern, void (*fn)(const char *path))
{
	glob_t g;
	size_t i;

	if (glob(pattern, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++)
		fn(g.gl_pathv[i]);
	globfree(&g);
}

static void copy_file(const char *path)
{
	size_t len;
	char *b = slurp(path, &len);

	if (b)
		seed(b, len);
	free(b);
}

/* ---- capchain: fixture text -> fixed, first, mode, buffer ---------------- */
struct chain {
	unsigned char buf[4096];
	unsigned int argsz, fixed, first;
};

static void chain_read(const char *path, struct chain *c, int depth)
{
	char line[256], kw[16], base[300];
	unsigned long long v[4];
	FILE *f = fopen(path, "r");

	if (!f || depth > 4)
		exit(1);
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL;
		int n = 0;

		line[strcspn(line, "#\n")] = '\0';
		tok = strtok_r(line, " \t", &save);
		if (!tok || strlen(tok) >= sizeof(kw))
			continue;
		snprintf(kw, sizeof(kw), "%s", tok);
		tok = strtok_r(NULL, " \t", &save);
		if (!strcmp(kw, "base") && tok) {
			snprintf(base, sizeof(base), "%s/capchain/%s", FX, tok);
			chain_read(base, c, depth + 1);
			continue;
		}
		for (n = 1; tok && n < 5; n++, tok = strtok_r(NULL, " \t", &save))
			v[n - 1] = strtoull(tok, NULL, 0);
		if (n < 2 || v[0] + 16 > sizeof(c->buf))
			continue;
		if (!strcmp(kw, "argsz"))
			c->argsz = (unsigned int)v[0];
		else if (!strcmp(kw, "fixed"))
			c->fixed = (unsigned int)v[0];
		else if (!strcmp(kw, "first"))
			c->first = (unsigned int)v[0];
		else if (!strcmp(kw, "cap") && n == 5) {
			memcpy(c->buf + v[0], &v[1], 2);
			memcpy(c->buf + v[0] + 2, &v[2], 2);
			memcpy(c->buf + v[0] + 4, &v[3], 4);
		} else if (n == 3 && kw[0] == 'u')
			memcpy(c->buf + v[0], &v[1], (size_t)atoi(kw + 1) / 8);
	}
	fclose(f);
}

static void capchain_seed(const char *path)
{
	struct chain c;
	unsigned char in[6 + sizeof(c.buf)];
	int mode;

	memset(&c, 0, sizeof(c));
	chain_read(path, &c, 0);
	if (c.argsz > sizeof(c.buf))
		return;
	for (mode = 0; mode < 2; mode++) {
		in[0] = (unsigned char)c.fixed;
		memcpy(in + 1, &c.first, 4);
		in[5] = (unsigned char)mode;
		memcpy(in + 6, c.buf, c.argsz);
		seed(in, 6 + c.argsz);
	}
}

/* ---- device: answers shaped as vfio-pci's (edu BAR0, config, a sparse BAR) */
static void device_seeds(void)
{
	unsigned char in[2 + 256];
	struct vfio_device_info d = { .argsz = sizeof(d), .flags = VFIO_DEVICE_FLAGS_PCI,
				      .num_regions = 9, .num_irqs = 5 };
	struct vfio_region_info r = { .argsz = sizeof(r), .index = 0, .size = 1 << 20,
				      .flags = VFIO_REGION_INFO_FLAG_READ |
					       VFIO_REGION_INFO_FLAG_WRITE |
					       VFIO_REGION_INFO_FLAG_MMAP };
	/* NVMe-like BAR0 with the MSI-X table carved out: two sparse areas, a type cap. */
	struct vfio_region_info sr = { .argsz = sizeof(sr) + 16 + 2 * 16 + 16, .size = 0x4000,
				       .cap_offset = sizeof(sr),
				       .flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
						VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS };
	struct vfio_info_cap_header h;
	struct vfio_region_sparse_mmap_area area[2] = { { 0, 0x2000 }, { 0x3000, 0x1000 } };
	uint32_t u[2];

	in[0] = 1;
	in[1] = 0;
	memcpy(in + 2, &d, sizeof(d));
	seed(in, 2 + sizeof(d));
	in[0] = 0;
	memcpy(in + 2, &r, sizeof(r));
	seed(in, 2 + sizeof(r));
	r.index = VFIO_PCI_CONFIG_REGION_INDEX;
	r.size = 256;
	r.offset = (uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40;
	r.flags &= ~(uint32_t)VFIO_REGION_INFO_FLAG_MMAP;
	in[1] = VFIO_PCI_CONFIG_REGION_INDEX;
	memcpy(in + 2, &r, sizeof(r));
	seed(in, 2 + sizeof(r));
	/* sparse cap at 32 (header, nr_areas, reserved, areas), type cap at 80 */
	memset(in, 0, sizeof(in));
	in[1] = 0;
	memcpy(in + 2, &sr, sizeof(sr));
	h = (struct vfio_info_cap_header){ VFIO_REGION_INFO_CAP_SPARSE_MMAP, 1, 80 };
	memcpy(in + 2 + 32, &h, sizeof(h));
	u[0] = 2;
	memcpy(in + 2 + 40, u, 4);
	memcpy(in + 2 + 48, area, sizeof(area));
	h = (struct vfio_info_cap_header){ VFIO_REGION_INFO_CAP_TYPE, 1, 0 };
	memcpy(in + 2 + 80, &h, sizeof(h));
	u[0] = 1;
	u[1] = 1;
	memcpy(in + 2 + 88, u, 8);
	seed(in, 2 + sr.argsz);
}

/* ---- metrics: inputs in fuzz_metrics.c's layout --------------------------- */
static size_t put_str(unsigned char *p, const char *s)
{
	p[0] = (unsigned char)strlen(s);
	memcpy(p + 1, s, p[0]);
	return 1u + p[0];
}

static void metrics_seeds(void)
{
	static const char *const s[8] = { "stress", "stress.type1v2.pairs_by_size", "pairs_per_s",
					  "1/s", "type1v2", "anon", "pairs", "" };
	unsigned char in[2048];
	size_t n = 0, i;
	double v;

	for (i = 0; i < 8; i++)
		n += put_str(in + n, s[i]);
	in[n++] = 1;				/* higher is better */
	memset(in + n, 0, 8);			/* size: 4096, big-endian */
	in[n + 6] = 0x10;
	n += 8;
	in[n++] = 1;				/* threads */
	in[n++] = 0x03;				/* count 1000 */
	in[n++] = 0xe8;
	in[n++] = 5;				/* reps */
	for (i = 0; i < 5; i++) {
		v = 30000.0 + 1000.0 * (double)i;
		memcpy(in + n, &v, 8);
		v *= 0.002;
		memcpy(in + n + 8, &v, 8);
		n += 16;
	}
	in[n++] = 1;				/* norm */
	in[n++] = 4;				/* ops */
	for (i = 0; i < 4; i++) {
		v = 20.0 + (double)i;
		memcpy(in + n, &v, 8);
		n += 8;
	}
	in[n++] = 0x10;				/* a 4 KiB buffer */
	in[n++] = 0x00;
	seed(in, n);
	in[n - 2] = 0x00;			/* too small: -ENOSPC */
	in[n - 1] = 0x40;
	seed(in, n);
}

/* ---- compare: metrics.json pairs made by vct_metric_format ----------------- */
static void compare_seeds(void)
{
	double b[5] = { 100, 101, 99, 102, 98 }, nw[5] = { 60, 61, 59, 62, 58 };
	double bn[5] = { 0.2, 0.21, 0.19, 0.2, 0.2 };
	struct vct_metric m = { .suite = "stress", .test = "stress.type1v2.pairs_by_size",
				.metric = "pairs_per_s", .unit = "1/s", .higher_is_better = 1,
				.backend = "type1v2", .backing = "anon", .pattern = "pairs",
				.size = 4096, .threads = 1, .count = 1000, .reps = 5 };
	char base[8192], neww[8192], in[20000];
	int nb, nn;

	m.values = b;
	m.norm = bn;
	nb = vct_metric_format(&m, base, sizeof(base));
	m.values = nw;
	m.norm = NULL;
	nn = vct_metric_format(&m, neww, sizeof(neww));
	if (nb < 0 || nn < 0)
		exit(1);
	seed(in, (size_t)snprintf(in, sizeof(in), "[\n  %s\n]\n\xff[\n  %s\n]\n", base, neww));
	m.norm = bn;
	nn = vct_metric_format(&m, neww, sizeof(neww));
	if (nn < 0)
		exit(1);
	seed(in, (size_t)snprintf(in, sizeof(in), "[\n  %s\n]\n\xff[\n  %s,\n  %s\n]\n", base, neww, base));
}

/* ---- collate / splat: fixtures/runner cases ------------------------------ */
static void collate_seed(const char *dir)
{
	char p[512], *k, *s, *in;
	size_t kl, sl;

	snprintf(p, sizeof(p), "%s/kmsg.raw", dir);
	k = slurp(p, &kl);
	if (!k)
		return;		/* not a collation case (e.g. runner/phases) */
	snprintf(p, sizeof(p), "%s/stream.log", dir);
	s = slurp(p, &sl);
	if (!s) {
		/* a teardown case (runner/teardown-*: teardown.awk reads the kernel log alone) */
		s = calloc(1, 1);
		sl = 0;
		if (!s)
			exit(1);
	}
	in = malloc(kl + sl + 1);
	if (!in)
		exit(1);
	memcpy(in, k, kl);
	in[kl] = '\0';
	memcpy(in + kl + 1, s, sl);
	seed(in, kl + 1 + sl);
	free(in);
	free(k);
	free(s);
}

static void kmsg_text_seed(const char *p)
{
	char *k, *out, *l, *save = NULL;
	size_t kl, n = 0;

	k = slurp(p, &kl);
	out = k ? malloc(kl + 1) : NULL;
	if (!out)
		exit(1);
	/* The records' text: what follows "pri,seq,usec,flags;". */
	for (l = strtok_r(k, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *t = strchr(l, ';');

		if (l[0] == ' ' || !t || !strncmp(t + 1, "vfio-ct: ", 9))
			continue;
		n += (size_t)sprintf(out + n, "%s\n", t + 1);
	}
	seed(out, n);
	free(out);
	free(k);
}

static void splat_seed(const char *dir)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/kmsg.raw", dir);
	if (access(p, F_OK))
		return;		/* not a collation case (e.g. runner/phases) */
	kmsg_text_seed(p);
}

/* teardown: a flag byte (fuzz_teardown.c: reason, skip), a whole kernel log */
static void teardown_seed(const char *dir)
{
	char p[512], *k, *in;
	size_t kl;
	unsigned char fl;

	snprintf(p, sizeof(p), "%s/kmsg.raw", dir);
	k = slurp(p, &kl);
	if (!k)
		return;
	in = malloc(kl + 1);
	if (!in)
		exit(1);
	memcpy(in + 1, k, kl);
	for (fl = 0; fl < 2; fl++) {
		in[0] = (char)fl;
		seed(in, kl + 1);
	}
	free(in);
	free(k);
}

/* phases: phases.host, a NUL, stream.log (fixtures/runner/phases) */
static void phases_seed(const char *dir)
{
	char p[512], *h, *st, *in;
	size_t hl, sl;

	snprintf(p, sizeof(p), "%s/phases.host", dir);
	h = slurp(p, &hl);
	snprintf(p, sizeof(p), "%s/stream.log", dir);
	st = h ? slurp(p, &sl) : NULL;
	if (!st) {
		free(h);
		return;
	}
	in = malloc(hl + sl + 1);
	if (!in)
		exit(1);
	memcpy(in, h, hl);
	in[hl] = '\0';
	memcpy(in + hl + 1, st, sl);
	seed(in, hl + 1 + sl);
	free(in);
	free(h);
	free(st);
}

static void splat_kmsg_seed(const char *path)
{
	kmsg_text_seed(path);
}

int main(int argc, char **argv)
{
	const char *t = argc == 3 ? argv[1] : "";

	outdir = argv[2];
	if (!strcmp(t, "resv")) {
		each(FX "/resv-bad/*", copy_file);
		each(FX "/sysfs/*/iommu_groups/*/reserved_regions", copy_file);
	} else if (!strcmp(t, "capchain")) {
		each(FX "/capchain/*", capchain_seed);
	} else if (!strcmp(t, "device")) {
		device_seeds();
	} else if (!strcmp(t, "metrics")) {
		metrics_seeds();
	} else if (!strcmp(t, "compare")) {
		compare_seeds();
	} else if (!strcmp(t, "collate")) {
		each(FX "/runner/*", collate_seed);
	} else if (!strcmp(t, "splat")) {
		each(FX "/runner/*", splat_seed);
		each(FX "/splat/*.kmsg", splat_kmsg_seed);
	} else if (!strcmp(t, "phases")) {
		each(FX "/runner/*", phases_seed);
	} else if (!strcmp(t, "teardown")) {
		each(FX "/runner/*", teardown_seed);
	} else if (!strcmp(t, "platform")) {
		each(FX "/acpi/*", copy_file);
	} else if (!strcmp(t, "profile")) {
		each(VCT_TOP "/hosts/*.conf", copy_file);
	} else {
		fprintf(stderr, "usage: mkseeds TARGET OUTDIR\n");
		return 2;
	}
	printf("%s: %d seeds\n", t, nseed);
	return 0;
}
