// SPDX-License-Identifier: GPL-2.0
/* pcidev.c - see pcidev.h. */
#include "pcidev.h"

#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "util.h"

int vct_bdf_canon(const char *in, char out[VCT_BDF_LEN])
{
	unsigned int dom = 0, bus, dev, fn;
	int used = 0;

	if (!in)
		return -EINVAL;
	if (sscanf(in, "%x:%x:%x.%x%n", &dom, &bus, &dev, &fn, &used) == 4 &&
	    !in[used] && strchr(in, ':') != strrchr(in, ':'))
		goto ok;
	dom = 0;
	used = 0;
	if (sscanf(in, "%x:%x.%x%n", &bus, &dev, &fn, &used) != 3 || in[used])
		return -EINVAL;
ok:
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, VCT_BDF_LEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static int parse_hex16(const char *s, size_t len, uint16_t *out)
{
	char buf[8];
	uint64_t v;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (!len || len > 4)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!isxdigit((unsigned char)buf[0]) || vct_parse_u64(buf, 16, &v))
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int vct_pci_parse_id(const char *s, uint16_t *vendor, uint16_t *device)
{
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!colon || parse_hex16(s, (size_t)(colon - s), vendor) ||
	    parse_hex16(colon + 1, strlen(colon + 1), device))
		return -EINVAL;
	return 0;
}

/*
 * A scanned libpci handle.  libpci's default error callback exits the
 * process, so refuse early (-ENODEV) where it would: no PCI sysfs.
 */
static int pci_open(struct pci_access **out)
{
	struct pci_access *a;

	if (access(VCT_SYSFS_PCI_DEVICES, R_OK | X_OK))
		return -ENODEV;
	a = pci_alloc();
	if (!a)
		return -ENOMEM;
	a->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_init(a);
	pci_scan_bus(a);
	*out = a;
	return 0;
}

static void dev_bdf(const struct pci_dev *d, char bdf[VCT_BDF_LEN])
{
	snprintf(bdf, VCT_BDF_LEN, "%04x:%02x:%02x.%x",
		 (unsigned int)d->domain, d->bus, d->dev, d->func);
}

static void dev_to_vct(struct pci_dev *d, struct vct_pcidev *out)
{
	pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
	dev_bdf(d, out->bdf);
	out->vendor = d->vendor_id;
	out->device = d->device_id;
	out->class_id = d->device_class;
}

static int cmp_bdf(const void *a, const void *b)
{
	/* Canonical BDFs are fixed-width lowercase hex: string order is numeric. */
	return strcmp(((const struct vct_pcidev *)a)->bdf,
		      ((const struct vct_pcidev *)b)->bdf);
}

int __vct_pci_list(struct vct_pcidev **out)
{
	struct vct_pcidev *v = NULL, *nv;
	struct pci_access *a;
	struct pci_dev *d;
	size_t n = 0;
	int ret;

	*out = NULL;
	ret = pci_open(&a);
	if (ret)
		return ret;
	for (d = a->devices; d; d = d->next) {
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			pci_cleanup(a);
			return -ENOMEM;
		}
		v = nv;
		dev_to_vct(d, &v[n++]);
	}
	pci_cleanup(a);
	if (n > INT_MAX) {
		free(v);
		return -EOVERFLOW;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_bdf);
	*out = v;
	return (int)n;
}

int __vct_pci_find_by_id(uint16_t vendor, uint16_t device,
			 struct vct_pcidev **out)
{
	int i, kept = 0, n = __vct_pci_list(out);

	for (i = 0; i < n; i++)
		if ((*out)[i].vendor == vendor && (*out)[i].device == device)
			(*out)[kept++] = (*out)[i];
	if (n >= 0 && !kept) {
		free(*out);
		*out = NULL;
	}
	return n < 0 ? n : kept;
}

int __vct_pci_find_by_bdf(const char *bdf, struct vct_pcidev *out)
{
	char want[VCT_BDF_LEN];
	struct vct_pcidev *all;
	int i, n, ret = vct_bdf_canon(bdf, want);

	if (ret)
		return ret;
	n = __vct_pci_list(&all);
	if (n < 0)
		return n;
	ret = -ENODEV;
	for (i = 0; i < n; i++)
		if (!strcmp(all[i].bdf, want)) {
			*out = all[i];
			ret = 0;
			break;
		}
	free(all);
	return ret;
}

/* Last path component of the symlink <device>/<link>, or -errno. */
static int dev_link_name(const char *bdf, const char *link, char *buf,
			 size_t len)
{
	char canon[VCT_BDF_LEN], path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int ret = vct_bdf_canon(bdf, canon);

	if (ret)
		return ret;
	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s", canon);
	if (access(path, F_OK))
		return -ENODEV;
	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s/%s", canon,
		 link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if ((size_t)snprintf(buf, len, "%s", base) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int __vct_pci_iommu_group(const char *bdf)
{
	char name[64];
	uint64_t group;
	int ret = dev_link_name(bdf, "iommu_group", name, sizeof(name));

	if (ret == -ENOENT)
		return -ENODEV;	/* device present, no IOMMU group */
	if (ret)
		return ret;
	if (vct_parse_u64(name, 10, &group) || group > INT_MAX)
		return -EINVAL;
	return (int)group;
}

int __vct_pci_driver(const char *bdf, char *buf, size_t len)
{
	int ret = dev_link_name(bdf, "driver", buf, len);

	if (ret == -ENOENT) {
		if (!len)
			return -ENAMETOOLONG;
		buf[0] = '\0';	/* no driver bound */
		return 0;
	}
	return ret;
}

static int write_attr(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int __vct_pci_bind_vfio(const char *bdf)
{
	char p[256], drv[64] = "";
	int ret = __vct_pci_driver(bdf, drv, sizeof(drv));

	if (ret)
		return ret;
	if (!strcmp(drv, "vfio-pci"))
		return 0;
	if (drv[0])
		return -EBUSY;
	snprintf(p, sizeof(p), "%s/%s/driver_override", VCT_SYSFS_PCI_DEVICES, bdf);
	ret = write_attr(p, "vfio-pci");
	if (ret)
		return ret;
	write_attr("/sys/bus/pci/drivers_probe", bdf);	/* the result is checked below */
	ret = __vct_pci_driver(bdf, drv, sizeof(drv));
	return ret ? ret : strcmp(drv, "vfio-pci") ? -ENODEV : 0;
}

static int read_int_attr(const char *bdf, const char *attr, int *val)
{
	char p[256], buf[32];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s/%s", VCT_SYSFS_PCI_DEVICES, bdf, attr);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = 0;
	*val = atoi(buf);
	return 0;
}

int __vct_pci_sriov_vfs(const char *pf, int *numvfs, int *totalvfs)
{
	int ret = read_int_attr(pf, "sriov_totalvfs", totalvfs);

	return ret ? ret : read_int_attr(pf, "sriov_numvfs", numvfs);
}

int __vct_pci_sriov_set_numvfs(const char *pf, int numvfs)
{
	char p[256], v[16];

	snprintf(p, sizeof(p), "%s/%s/sriov_numvfs", VCT_SYSFS_PCI_DEVICES, pf);
	snprintf(v, sizeof(v), "%d", numvfs);
	return write_attr(p, v);
}

int __vct_pci_sriov_vf(const char *pf, int n, char vf[VCT_BDF_LEN])
{
	char link[32], name[64];
	int ret;

	snprintf(link, sizeof(link), "virtfn%d", n);
	ret = dev_link_name(pf, link, name, sizeof(name));
	if (ret)
		return ret;
	return vct_bdf_canon(name, vf);
}

void vct_pci_unbind(const char *bdf)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s/driver/unbind", VCT_SYSFS_PCI_DEVICES, bdf);
	write_attr(p, bdf);
	snprintf(p, sizeof(p), "%s/%s/driver_override", VCT_SYSFS_PCI_DEVICES, bdf);
	write_attr(p, "\n");
}

int __vct_pci_iommu_dir(const char *bdf, char *buf, size_t len)
{
	char name[64];
	int ret = dev_link_name(bdf, "iommu", name, sizeof(name));

	if (ret == -ENOENT)
		return -ENODEV;
	if (ret)
		return ret;
	if ((size_t)snprintf(buf, len, "/sys/class/iommu/%s", name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

enum vct_iommu_hw vct_iommu_hw_from_name(const char *name)
{
	static const struct { const char *prefix; enum vct_iommu_hw hw; } kinds[] = {
		{ "dmar", VCT_IOMMU_HW_VTD },
		{ "ivhd", VCT_IOMMU_HW_AMDVI },
		{ "smmu3.", VCT_IOMMU_HW_SMMUV3 },
		{ "smmu.", VCT_IOMMU_HW_SMMU },
	};
	const char *base = strrchr(name, '/');
	size_t i;

	base = base ? base + 1 : name;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(base, kinds[i].prefix, strlen(kinds[i].prefix)))
			return kinds[i].hw;
	return VCT_IOMMU_HW_UNKNOWN;
}

enum vct_iommu_hw vct_pci_iommu_hw(const char *bdf)
{
	char dir[256], path[320], target[PATH_MAX];
	enum vct_iommu_hw hw;
	const char *base;
	ssize_t n;

	if (__vct_pci_iommu_dir(bdf, dir, sizeof(dir)))
		return VCT_IOMMU_HW_NONE;
	hw = vct_iommu_hw_from_name(dir);
	if (hw != VCT_IOMMU_HW_UNKNOWN)
		return hw;
	/* the driver of the instance's parent device (virtio-iommu) */
	snprintf(path, sizeof(path), "%s/device/driver", dir);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return hw;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	return strcmp(base, "virtio_iommu") ? hw : VCT_IOMMU_HW_VIRTIO;
}

const char *vct_iommu_hw_name(enum vct_iommu_hw hw)
{
	switch (hw) {
	case VCT_IOMMU_HW_NONE:		return "none";
	case VCT_IOMMU_HW_VTD:		return "VT-d";
	case VCT_IOMMU_HW_AMDVI:	return "AMD-Vi";
	case VCT_IOMMU_HW_SMMUV3:	return "SMMUv3";
	case VCT_IOMMU_HW_SMMU:		return "SMMU";
	case VCT_IOMMU_HW_VIRTIO:	return "virtio-iommu";
	case VCT_IOMMU_HW_UNKNOWN:	break;
	}
	return "unknown";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

int __vct_group_devices(unsigned int group, char (*bdfs)[VCT_BDF_LEN],
			size_t max)
{
	char path[128];
	struct dirent *e;
	size_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), VCT_SYSFS_IOMMU_GROUPS "/%u/devices", group);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((e = readdir(dir)) && n < max)
		if (!vct_bdf_canon(e->d_name, bdfs[n]))
			n++;
	closedir(dir);
	qsort(bdfs, n, VCT_BDF_LEN, cmp_str);
	return (int)n;
}

/*
 * Can this process read the capability area?  sysfs gives non-root readers
 * only the first 64 bytes of config space.
 */
static int config_readable(const char *bdf)
{
	char path[PATH_MAX], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s/config", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 0)
		return -errno;
	return n < (ssize_t)sizeof(buf) ? -EACCES : 0;
}

static void decode_caps(struct pci_dev *d, struct vct_pci_caps *out)
{
	struct pci_cap *c;
	uint16_t ctl;

	c = pci_find_cap(d, PCI_CAP_ID_MSI, PCI_CAP_NORMAL);
	if (c) {
		ctl = pci_read_word(d, (int)c->addr + PCI_MSI_FLAGS);
		out->msi = true;
		out->msi_off = (uint8_t)c->addr;
		out->msi_vectors = 1u << ((ctl & PCI_MSI_FLAGS_QMASK) >> 1);
		out->msi_64bit = !!(ctl & PCI_MSI_FLAGS_64BIT);
	}
	c = pci_find_cap(d, PCI_CAP_ID_MSIX, PCI_CAP_NORMAL);
	if (c) {
		/* Message Control sits where MSI's flags do. */
		ctl = pci_read_word(d, (int)c->addr + PCI_MSI_FLAGS);
		out->msix = true;
		out->msix_off = (uint8_t)c->addr;
		out->msix_vectors = (ctl & PCI_MSIX_TABSIZE) + 1u;
	}
	c = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (c) {
		out->pcie = true;
		out->pcie_off = (uint8_t)c->addr;
	}
}

int __vct_pci_caps(const char *bdf, struct vct_pci_caps *out)
{
	char canon[VCT_BDF_LEN];
	struct pci_access *a;
	struct pci_dev *d;
	int ret = vct_bdf_canon(bdf, canon);

	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	ret = config_readable(canon);
	if (ret)
		return ret == -ENOENT ? -ENODEV : ret;
	ret = pci_open(&a);
	if (ret)
		return ret;
	ret = -ENODEV;
	for (d = a->devices; d; d = d->next) {
		char here[VCT_BDF_LEN];

		dev_bdf(d, here);
		if (strcmp(here, canon))
			continue;
		pci_fill_info(d, PCI_FILL_CAPS | PCI_FILL_EXT_CAPS);
		decode_caps(d, out);
		ret = 0;
		break;
	}
	pci_cleanup(a);
	return ret;
}
