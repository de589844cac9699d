// SPDX-License-Identifier: GPL-2.0
/* hotplug.c - see hotplug.h. */
#include "hotplug.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "pcidev.h"
#include "util.h"

int __vct_hotplug_slots(struct vct_hotplug_slot *out, size_t max)
{
	const char *env = getenv("VCT_HOTPLUG");
	char *list, *tok, *save = NULL;
	size_t n = 0;
	int ret = 0;

	if (!env)
		return 0;
	list = strdup(env);
	if (!list)
		return -ENOMEM;
	for (tok = strtok_r(list, " \t\n", &save); tok && n < max;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok || !eq[1] ||
		    (size_t)(eq - tok) >= sizeof(out[n].bus) ||
		    strlen(eq + 1) >= sizeof(out[n].spec)) {
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		snprintf(out[n].bus, sizeof(out[n].bus), "%s", tok);
		snprintf(out[n].spec, sizeof(out[n].spec), "%s", eq + 1);
		n++;
	}
	free(list);
	return ret ? ret : (int)n;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int __vct_hotplug_request(const char *cmd, const char *arg, char *err,
			  size_t err_len, int timeout_ms)
{
	static unsigned int seq;
	const char *port = getenv("VCT_ANSWERS");
	char want[64], buf[1024];
	long long end = now_ms() + timeout_ms;
	size_t have = 0;
	int fd, ret = -ETIMEDOUT;

	if (!port || !*port) {
		snprintf(err, err_len, "no answer port: $VCT_ANSWERS unset (the profile has no hotplug slots)");
		return -ENOENT;
	}
	/* Open first: the answer must not arrive before anyone listens. */
	fd = open(port, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", port, strerror(errno));
		return -errno;
	}
	snprintf(want, sizeof(want), "@qmp p%d-%u ", (int)getpid(), ++seq);
	printf("# %s%s %s\n", want, cmd, arg);
	fflush(stdout);
	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *line, *nl;
		ssize_t r;

		if (poll(&p, 1, 200) <= 0)
			continue;
		r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0) {
			usleep(100000);	/* host not connected yet: POLLHUP */
			continue;
		}
		have += (size_t)r;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			line = buf;
			if (!strncmp(line, want, strlen(want))) {
				const char *res = line + strlen(want);

				ret = strcmp(res, "ok") ? -EIO : 0;
				if (ret)
					snprintf(err, err_len, "%s %s: %s", cmd, arg, res);
				close(fd);
				return ret;
			}
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1)
			have = 0;	/* an overlong line: drop it */
	}
	snprintf(err, err_len, "%s %s: no answer from the runner within %d ms", cmd,
		 arg, timeout_ms);
	close(fd);
	return ret;
}

/* Is bdf in list[0..n)? */
static int listed(const struct vct_pcidev *list, int n, const char *bdf)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i].bdf, bdf))
			return 1;
	return 0;
}

/*
 * A hot-added device is in sysfs from pci_device_add()'s device_add(), at
 * enumeration, but drivers may match it only once pci_bus_add_device() has
 * run (Linux 6.12 drivers/pci/bus.c):
 *	pci_create_sysfs_dev_files(dev);
 *	pci_proc_attach_device(dev);
 *	...
 *	dev->match_driver = !dn || of_device_is_available(dn);
 *	retval = device_attach(&dev->dev);
 * Before that pci_bus_match() matches no driver ("if (!pci_dev->match_driver)
 * return 0;"), so a bind fails with ENODEV (seen on a loaded host: the bind
 * came between the two).  The /proc/bus/pci entry is made just before:
 * "BB/DD.F", or "DDDD:BB/DD.F" where the architecture's pci_proc_domain()
 * says so (arm64).  1 when it exists, 0 when not (yet), -ENOENT when there
 * is no /proc/bus/pci to watch.
 */
static int proc_attached(const char *bdf)
{
	unsigned int dom, bus, dev, fn;
	char p[64];

	if (access("/proc/bus/pci", F_OK))
		return -ENOENT;
	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return -EINVAL;
	snprintf(p, sizeof(p), "/proc/bus/pci/%02x/%02x.%x", bus, dev, fn);
	if (!access(p, F_OK))
		return 1;
	snprintf(p, sizeof(p), "/proc/bus/pci/%04x:%02x/%02x.%x", dom, bus, dev, fn);
	return !access(p, F_OK);
}

int __vct_hotplug_bind_vfio(const char *bdf, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	int ret;

	/*
	 * pci_bus_add_device() may still be between its /proc entry and
	 * match_driver (above): the driver_override this bind leaves makes
	 * the kernel's own device_attach() bind vfio-pci then, so ENODEV is
	 * asked again until the deadline.
	 */
	while ((ret = __vct_pci_bind_vfio(bdf)) == -ENODEV && now_ms() < end)
		usleep(50000);
	return ret;
}

int __vct_hotplug_add(struct vct_hotplug_slot *slot, const char *id,
		      char bdf[VCT_BDF_LEN], char *err, size_t err_len,
		      int timeout_ms)
{
	struct vct_pcidev *before, *now;
	long long end = now_ms() + timeout_ms;
	char arg[320];
	int nb, nn, i, ret;

	nb = __vct_pci_list(&before);
	if (nb < 0) {
		snprintf(err, err_len, "listing PCI devices: %s", vct_errno_name(-nb));
		return nb;
	}
	snprintf(arg, sizeof(arg), "%s,id=%s,bus=%s", slot->spec, id, slot->bus);
	ret = __vct_hotplug_request("device_add", arg, err, err_len, timeout_ms);
	while (!ret) {
		nn = __vct_pci_list(&now);
		if (nn < 0) {
			ret = nn;
			break;
		}
		for (i = 0; i < nn; i++)
			if (!listed(before, nb, now[i].bdf) && proc_attached(now[i].bdf) != 0) {
				snprintf(bdf, VCT_BDF_LEN, "%s", now[i].bdf);
				if (__vct_sysfs_upstream_bridge(bdf, slot->port))
					slot->port[0] = '\0';
				free(now);
				free(before);
				return 0;
			}
		free(now);
		if (now_ms() >= end) {
			snprintf(err, err_len, "device_add %s: QEMU accepted it, but no new PCI device appeared in the guest within %d ms",
				 arg, timeout_ms);
			ret = -ETIMEDOUT;
			break;
		}
		usleep(100000);
	}
	free(before);
	return ret;
}

int __vct_hotplug_del(const char *id, char *err, size_t err_len)
{
	return __vct_hotplug_request("device_del", id, err, err_len, 15000);
}

/* Slot Capabilities / Control of a PCIe port (PCIe r6, 7.5.3.9-10). */
#define SLTCAP		0x14
#define SLTCAP_PCP	0x00000002u	/* Power Controller Present */
#define SLTCAP_HPC	0x00000040u	/* Hot-Plug Capable */
#define SLTCTL		0x18
#define SLTCTL_PIC	0x0300u		/* Power Indicator Control */
#define SLTCTL_PIC_OFF	0x0300u
#define SLTCTL_PCC	0x0400u		/* Power Controller Control: 1 = off */

/*
 * Does pciehp drive port's slot?  Its port service device is
 * "<port>:pcieNNN" under the pciehp driver (portdrv.c pcie_device_init()).
 * Not on q35 (QEMU 7.2's ACPI keeps hotplug: "_OSC: platform does not
 * support [PCIeHotplug ...]", acpiphp drives the slot).
 */
static bool pciehp_drives(const char *port)
{
	DIR *d = opendir("/sys/bus/pci_express/drivers/pciehp");
	size_t n = strlen(port);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		found = !strncmp(e->d_name, port, n) && e->d_name[n] == ':';
	closedir(d);
	return found;
}

/*
 * 1 when the pciehp slot of port is powered off (see hotplug.h), 1 also
 * when pciehp does not drive port, 0 while it is on, -errno.
 */
static int slot_off(const char *port)
{
	struct vct_pci_caps caps;
	uint32_t cap;
	uint16_t ctl;
	int ret;

	if (!pciehp_drives(port))
		return 1;
	ret = __vct_pci_caps(port, &caps);
	if (ret)
		return ret;
	if (!caps.pcie)
		return 1;
	ret = __vct_sysfs_cfg_read(port, caps.pcie_off + SLTCAP, &cap, sizeof(cap));
	if (!ret)
		ret = __vct_sysfs_cfg_read(port, caps.pcie_off + SLTCTL, &ctl, sizeof(ctl));
	if (ret)
		return ret;
	if (!(cap & SLTCAP_HPC))
		return 1;
	return (ctl & SLTCTL_PIC) == SLTCTL_PIC_OFF &&
	       (!(cap & SLTCAP_PCP) || (ctl & SLTCTL_PCC));
}

int __vct_hotplug_wait_gone(const struct vct_hotplug_slot *slot, const char *bdf,
			    int timeout_ms)
{
	char path[128];
	long long end = now_ms() + timeout_ms;
	int ret = 0;

	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s", bdf);
	while (!access(path, F_OK)) {
		if (now_ms() >= end)
			return -ETIMEDOUT;
		usleep(100000);
	}
	while (slot->port[0] && !(ret = slot_off(slot->port))) {
		if (now_ms() >= end)
			return -ETIMEDOUT;
		usleep(100000);
	}
	return ret < 0 ? ret : 0;
}
