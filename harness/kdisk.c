// SPDX-License-Identifier: GPL-2.0
/*
 * kdisk.c - the kernel-owned disk, fio and IOMMU tracepoint counting
 * (kdisk.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kdisk.h"
#include "util.h"

/* Write text to path (truncating: "" into tracefs's trace clears it). */
static int write_text(const char *path, const char *text, char *why, size_t wl)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), err = 0;
	size_t n = strlen(text);

	if (fd < 0) {
		err = errno;
		snprintf(why, wl, "open %s: %s", path, strerror(err));
		return -err;
	}
	if (n && write(fd, text, n) != (ssize_t)n) {
		err = errno ? errno : EIO;
		snprintf(why, wl, "write '%s' to %s: %s", text, path, strerror(err));
	}
	close(fd);
	return -err;
}

/* Copy s into d[n], cut to fit. */
static void copy(char *d, size_t n, const char *s)
{
	size_t l = strnlen(s, n - 1);

	memcpy(d, s, l);
	d[l] = 0;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
}

static void basename_of_link(const char *link, char *out, size_t len)
{
	char t[PATH_MAX];
	ssize_t n = readlink(link, t, sizeof(t) - 1);
	const char *b;

	out[0] = 0;
	if (n <= 0)
		return;
	t[n] = 0;
	b = strrchr(t, '/');
	copy(out, len, b ? b + 1 : t);
}

int __vct_kdisk_find(struct vct_kdisk *d, char *why, size_t wl)
{
	DIR *dir = opendir("/sys/block");
	struct dirent *de;
	char p[PATH_MAX], s[128], real[PATH_MAX];

	memset(d, 0, sizeof(*d));
	if (!dir) {
		snprintf(why, wl, "no /sys/block: %s", strerror(errno));
		return -ENODEV;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/block/%s/serial", de->d_name);
		if (__vct_read_text(p, s, sizeof(s)) < 0)
			continue;
		chomp(s);
		if (strcmp(s, VCT_KDISK_SERIAL))
			continue;
		copy(d->name, sizeof(d->name), de->d_name);
		snprintf(d->dev, sizeof(d->dev), "/dev/%s", d->name);
		/* /sys/block/vda/device is the virtio device; its parent the PCI function */
		snprintf(p, sizeof(p), "/sys/block/%s/device/..", de->d_name);
		if (!realpath(p, real))
			break;
		copy(d->bdf, sizeof(d->bdf), strrchr(real, '/') + 1);
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver", d->bdf);
		basename_of_link(p, d->driver, sizeof(d->driver));
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", d->bdf);
		basename_of_link(p, s, sizeof(s));
		d->group = s[0] ? atoi(s) : -1;
		closedir(dir);
		if (d->group < 0) {
			snprintf(why, wl, "%s (%s) is in no IOMMU group", d->dev, d->bdf);
			return -ENODEV;
		}
		return 0;
	}
	closedir(dir);
	snprintf(why, wl, "no disk with serial %s: the host profile has no kdisk, or the run did not ask for performance work (--stress, --duration, --suite stress)", VCT_KDISK_SERIAL);
	return -ENODEV;
}

int __vct_kdisk_domain_type(const struct vct_kdisk *d, char *type, size_t len)
{
	char p[128];
	int ret;

	snprintf(p, sizeof(p), "/sys/kernel/iommu_groups/%d/type", d->group);
	ret = __vct_read_text(p, type, len);
	if (ret < 0)
		return ret;
	chomp(type);
	return 0;
}

int __vct_kdisk_set_domain_type(struct vct_kdisk *d, const char *type, char *why, size_t wl)
{
	char cur[32], p[PATH_MAX], driver[32], bdf[32];
	int ret, i;

	ret = __vct_kdisk_domain_type(d, cur, sizeof(cur));
	if (ret) {
		snprintf(why, wl, "group %d type: %s", d->group, strerror(-ret));
		return ret;
	}
	if (!strcmp(cur, type))
		return 0;
	copy(driver, sizeof(driver), d->driver);
	copy(bdf, sizeof(bdf), d->bdf);
	snprintf(p, sizeof(p), "/sys/bus/pci/drivers/%s/unbind", driver);
	ret = write_text(p, bdf, why, wl);
	if (ret)
		return ret;
	snprintf(p, sizeof(p), "/sys/kernel/iommu_groups/%d/type", d->group);
	ret = write_text(p, type, why, wl);
	snprintf(p, sizeof(p), "/sys/bus/pci/drivers/%s/bind", driver);
	/* bind again whether or not the type was taken: leave the disk usable */
	if (write_text(p, bdf, why, wl) && !ret)
		return -EIO;
	if (ret)
		return ret;
	for (i = 0; i < 100; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (!__vct_kdisk_find(d, why, wl) && !access(d->dev, R_OK))
			break;
		nanosleep(&ts, NULL);
	}
	if (i == 100)
		return -ENODEV;
	ret = __vct_kdisk_domain_type(d, cur, sizeof(cur));
	if (ret || strcmp(cur, type)) {
		snprintf(why, wl, "group %d is '%s' after writing '%s'", d->group, cur, type);
		return -EIO;
	}
	return 0;
}

const char *vct_fio_path(void)
{
	static char found[PATH_MAX];
	const char *path = getenv("PATH");
	char dirs[4096], *tok, *save = NULL;

	if (!access("/bin/fio", X_OK))
		return "/bin/fio";
	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/usr/bin:/bin");
	for (tok = strtok_r(dirs, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		snprintf(found, sizeof(found), "%s/fio", tok);
		if (!access(found, X_OK))
			return found;
	}
	return NULL;
}

/* The number after "key" : at or after from, before `end` (NULL: anywhere). */
static int json_num(const char *from, const char *end, const char *key, double *v)
{
	char pat[64];
	const char *p;
	char *e;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(from, pat);
	if (!p || (end && p >= end))
		return -ENOENT;
	p += strlen(pat);
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ':')
		p++;
	*v = strtod(p, &e);
	return e == p ? -EINVAL : 0;
}

int vct_fio_parse(const char *json, struct vct_fio_result *r)
{
	const char *jobs = strstr(json, "\"jobs\""), *rd, *wr, *clat, *pct;
	double v;

	memset(r, 0, sizeof(*r));
	if (!jobs)
		return -EINVAL;
	rd = strstr(jobs, "\"read\"");
	if (!rd)
		return -EINVAL;
	wr = strstr(rd, "\"write\"");	/* the read object ends before it */
	if (json_num(rd, wr, "iops", &r->iops) || json_num(rd, wr, "bw_bytes", &r->bw_bytes) ||
	    json_num(rd, wr, "runtime", &r->runtime_ms) || json_num(rd, wr, "total_ios", &v))
		return -EINVAL;
	r->total_ios = (uint64_t)v;
	clat = strstr(rd, "\"clat_ns\"");
	if (clat && (!wr || clat < wr)) {
		pct = strstr(clat, "\"percentile\"");
		if (pct && (!wr || pct < wr)) {
			if (!json_num(pct, wr, "50.000000", &v))
				r->clat_p50_us = v / 1e3;
			if (!json_num(pct, wr, "99.000000", &v))
				r->clat_p99_us = v / 1e3;
		}
	}
	return 0;
}

/* fork + exec fio with the job's options, stdout to bg->out. */
static int fio_spawn(const struct vct_fio_job *j, struct vct_fio_bg *bg, char *why, size_t wl)
{
	const char *fio = vct_fio_path();
	char a_file[96], a_bs[48], a_len[64];
	char *argv[24];
	int n = 0, fd;
	pid_t pid;

	if (!fio) {
		snprintf(why, wl, "no fio in the guest (run.sh carries it with a profile's kdisk)");
		return -ENOENT;
	}
	snprintf(bg->out, sizeof(bg->out), "/tmp/vct-fio.XXXXXX");
	fd = mkstemp(bg->out);
	if (fd < 0) {
		snprintf(why, wl, "mkstemp: %s", strerror(errno));
		return -errno;
	}
	snprintf(a_file, sizeof(a_file), "--filename=%s", j->dev);
	snprintf(a_bs, sizeof(a_bs), "--bs=%llu", (unsigned long long)j->bs);
	if (j->secs)
		snprintf(a_len, sizeof(a_len), "--runtime=%u", j->secs);
	else
		snprintf(a_len, sizeof(a_len), "--number_ios=%llu", (unsigned long long)j->nios);
	argv[n++] = (char *)fio;
	argv[n++] = "--name=vct";
	argv[n++] = a_file;
	argv[n++] = a_bs;
	argv[n++] = "--rw=randread";
	argv[n++] = "--direct=1";
	argv[n++] = "--ioengine=psync";
	argv[n++] = "--iodepth=1";
	argv[n++] = "--numjobs=1";
	argv[n++] = "--size=1g";
	argv[n++] = "--norandommap";
	argv[n++] = "--randrepeat=0";
	argv[n++] = "--output-format=json";
	if (j->secs)
		argv[n++] = "--time_based";
	argv[n++] = a_len;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0) {
		close(fd);
		snprintf(why, wl, "fork: %s", strerror(errno));
		return -errno;
	}
	if (!pid) {
		int nul = open("/dev/null", O_RDWR);

		/* fio must not outlive a test that died: it would load the next one */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd, 1);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 2);
		}
		execv(fio, argv);
		_exit(127);
	}
	close(fd);
	bg->pid = pid;
	return 0;
}

static int fio_collect(struct vct_fio_bg *bg, struct vct_fio_result *r, char *why, size_t wl)
{
	char *text = NULL;
	int st = 0, ret;
	long n;
	FILE *f;

	if (waitpid(bg->pid, &st, 0) < 0) {
		snprintf(why, wl, "waitpid fio: %s", strerror(errno));
		return -errno;
	}
	bg->pid = 0;
	f = fopen(bg->out, "r");
	ret = -EIO;
	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		text = calloc(1, (size_t)n + 1);
		if (text && fread(text, 1, (size_t)n, f) == (size_t)n)
			ret = vct_fio_parse(text, r);
	}
	if (f)
		fclose(f);
	unlink(bg->out);
	if (ret)
		snprintf(why, wl, "fio exited with %s %d and %s", WIFEXITED(st) ? "status" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
			 text ? "unparsable JSON" : "no output");
	free(text);
	return ret;
}

int __vct_fio_run(const struct vct_fio_job *j, struct vct_fio_result *r, char *why, size_t wl)
{
	struct vct_fio_bg bg;
	int ret = fio_spawn(j, &bg, why, wl);

	return ret ? ret : fio_collect(&bg, r, why, wl);
}

/* Reads completed on block device `dev` (/dev/NAME), from its stat file. */
static uint64_t disk_reads(const char *dev)
{
	const char *b = strrchr(dev, '/');
	char p[128], t[256];

	snprintf(p, sizeof(p), "/sys/block/%s/stat", b ? b + 1 : dev);
	if (__vct_read_text(p, t, sizeof(t)) < 0)
		return 0;
	return strtoull(t, NULL, 10);
}

int __vct_fio_start(const struct vct_fio_job *j, struct vct_fio_bg *bg, char *why, size_t wl)
{
	uint64_t r0 = disk_reads(j->dev);
	int ret = fio_spawn(j, bg, why, wl), i, st;

	if (ret)
		return ret;
	/*
	 * Return once I/O flows: fio's start-up (loading its libraries, under
	 * emulation) takes a while, and a SIGINT before its handlers are in
	 * place would end it without a report.
	 */
	for (i = 0; i < 400; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (disk_reads(j->dev) > r0 + 8)
			return 0;
		if (waitpid(bg->pid, &st, WNOHANG) == bg->pid) {
			bg->pid = 0;
			unlink(bg->out);
			snprintf(why, wl, "fio ended before doing I/O");
			return -EIO;
		}
		nanosleep(&ts, NULL);
	}
	snprintf(why, wl, "fio did no I/O on %s within 20 s", j->dev);
	kill(bg->pid, SIGKILL);
	waitpid(bg->pid, &st, 0);
	bg->pid = 0;
	unlink(bg->out);
	return -ETIMEDOUT;
}

int __vct_fio_stop(struct vct_fio_bg *bg, struct vct_fio_result *r, char *why, size_t wl)
{
	if (bg->pid > 0)
		kill(bg->pid, SIGINT);
	return fio_collect(bg, r, why, wl);
}

/* ---- tracefs ------------------------------------------------------------ */

#define TRACEFS "/sys/kernel/tracing"

static int tracefs(char *why, size_t wl)
{
	if (!access(TRACEFS "/trace", W_OK))
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		snprintf(why, wl, "mount tracefs: %s", strerror(errno));
		return -errno;
	}
	if (access(TRACEFS "/events/iommu/map/enable", W_OK)) {
		snprintf(why, wl, "no iommu:map tracepoint in %s", TRACEFS);
		return -EOPNOTSUPP;
	}
	return 0;
}

static uint64_t overruns(void)
{
	char p[128], line[128];
	uint64_t sum = 0;
	int cpu;

	for (cpu = 0; cpu < 256; cpu++) {
		FILE *f;

		snprintf(p, sizeof(p), TRACEFS "/per_cpu/cpu%d/stats", cpu);
		f = fopen(p, "r");
		if (!f)
			break;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v;

			if (sscanf(line, "overrun: %llu", &v) == 1)
				sum += v;
		}
		fclose(f);
	}
	return sum;
}

int __vct_iommu_trace_count(int (*fn)(void *arg), void *arg, uint64_t *maps, uint64_t *unmaps,
			    uint64_t *map_bytes, char *why, size_t wl)
{
	char line[512];
	int ret, fret;
	FILE *f;

	*maps = *unmaps = *map_bytes = 0;
	ret = tracefs(why, wl);
	if (ret)
		return ret;
	if ((ret = write_text(TRACEFS "/tracing_on", "0", why, wl)) ||
	    (ret = write_text(TRACEFS "/buffer_size_kb", "8192", why, wl)) ||
	    (ret = write_text(TRACEFS "/trace", "", why, wl)) ||
	    (ret = write_text(TRACEFS "/events/iommu/map/enable", "1", why, wl)) ||
	    (ret = write_text(TRACEFS "/events/iommu/unmap/enable", "1", why, wl)) ||
	    (ret = write_text(TRACEFS "/tracing_on", "1", why, wl)))
		return ret;
	fret = fn(arg);
	write_text(TRACEFS "/tracing_on", "0", why, wl);
	write_text(TRACEFS "/events/iommu/map/enable", "0", why, wl);
	write_text(TRACEFS "/events/iommu/unmap/enable", "0", why, wl);
	if (fret)
		return fret;
	f = fopen(TRACEFS "/trace", "r");
	if (!f) {
		snprintf(why, wl, "read trace: %s", strerror(errno));
		return -errno;
	}
	/* "<task>-<pid> [cpu] ... ts: map: IOMMU: iova=0x.. - 0x.. paddr=0x.. size=N" */
	while (fgets(line, sizeof(line), f)) {
		const char *s;

		if (line[0] == '#')
			continue;
		if (strstr(line, " map: ")) {
			(*maps)++;
			s = strstr(line, " size=");
			if (s)
				*map_bytes += strtoull(s + 6, NULL, 10);
		} else if (strstr(line, " unmap: ")) {
			(*unmaps)++;
		}
	}
	fclose(f);
	write_text(TRACEFS "/trace", "", why, wl);
	if (overruns()) {
		snprintf(why, wl, "trace buffer overran: counts incomplete");
		return -EOVERFLOW;
	}
	return 0;
}
