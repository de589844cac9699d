/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotplug.h - PCIe hotplug in the running guest, done by the runner.
 *
 * The host profile's `hotplug` key (guest: $VCT_HOTPLUG) lists slots as
 * BUS=DRIVER[,PROP=VALUE...] words: the id of a pcie-root-port the profile
 * gives QEMU, and the device (QEMU -device syntax, no id or bus) tests may
 * plug into it, e.g. "vct-rp1=edu,dma_mask=0xffffffffffff".
 *
 * A request travels as a TAP comment on stdout, "# @qmp ID CMD ARG" (the
 * runner's record channel; collect.sh hands it to harness/sh/qmp.sh, which
 * runs it on QEMU's monitor), and the answer comes back on the
 * virtio-serial port $VCT_ANSWERS as "@qmp ID ok" or "@qmp ID error TEXT".
 *
 * What a removal is: an orderly one, never a surprise removal.  QEMU's
 * device_del asks the guest to give the device up and frees it once the
 * guest has: on q35 (QEMU 7.2 defaults its root ports to ACPI PCI hotplug)
 * an ACPI eject request that the guest's acpiphp carries out at once; on a
 * machine without ACPI hotplug (arm64 virt with a device tree) the slot's
 * attention button, which the guest's pciehp acts on after its 5 s abort
 * window.  Either way the PCI core then removes the device, and with
 * vfio-pci bound vfio_pci_core_request() signals the device's REQ
 * interrupt to its user while vfio_unregister_group_dev() blocks until
 * every fd of the device is closed.
 */
#ifndef VCT_HOTPLUG_H
#define VCT_HOTPLUG_H

#include <stddef.h>

#include "pcidev.h"

struct vct_hotplug_slot {
	char bus[64];		/* pcie-root-port id */
	char spec[192];		/* DRIVER[,PROP=VALUE...] */
	char port[VCT_BDF_LEN];	/* the port's guest BDF, learnt at the first add; "" before */
};

/*
 * The profile's slots, at most `max`: their count, 0 when $VCT_HOTPLUG is
 * unset or empty, -EINVAL when a word is malformed.
 */
int __vct_hotplug_slots(struct vct_hotplug_slot *out, size_t max);

/*
 * Ask the runner to run CMD ARG (device_add or device_del) on QEMU's
 * monitor and wait up to timeout_ms for its answer.  0 when QEMU accepted
 * it; -EIO with QEMU's text in err when it refused; -ENOENT when there is
 * no answer port ($VCT_ANSWERS unset: not under the runner, or a profile
 * without `hotplug`); -ETIMEDOUT.  The command's effect in the guest
 * (a device appearing or leaving) comes later: see the waits below.
 */
int __vct_hotplug_request(const char *cmd, const char *arg, char *err,
			  size_t err_len, int timeout_ms);

/*
 * Plug slot->spec with QEMU id `id` into slot->bus and wait (timeout_ms)
 * until the guest has enumerated it: a PCI device that was not there
 * before appears, and the PCI core has made its /proc/bus/pci entry (the
 * last step before drivers may bind it); its BDF in bdf.  0 or -errno (err says which step).
 * Its IOMMU group may come later: on x86 at enumeration, on arm64 with a
 * device tree only when a driver binds (the fwspec comes from
 * of_dma_configure(), called from the bus's dma_configure at probe).
 * Records the slot's port (the new device's upstream bridge) in slot->port.
 */
int __vct_hotplug_add(struct vct_hotplug_slot *slot, const char *id,
		      char bdf[VCT_BDF_LEN], char *err, size_t err_len,
		      int timeout_ms);

/*
 * Bind a device __vct_hotplug_add() returned to vfio-pci, allowing the PCI
 * core up to timeout_ms to finish adding it (hotplug.c says why): 0 or
 * -errno as __vct_pci_bind_vfio().
 */
int __vct_hotplug_bind_vfio(const char *bdf, int timeout_ms);

/* Ask QEMU to remove device `id` (device_del, see above); no wait. */
int __vct_hotplug_del(const char *id, char *err, size_t err_len);

/*
 * Wait up to timeout_ms until device bdf, removed from slot, is gone from
 * sysfs and the slot is empty for QEMU too, so that it takes the next
 * device_add: 0, -ETIMEDOUT, -errno reading the port's config space.
 *
 * The second half matters on a native (pciehp) slot only: pciehp removes
 * the pci_dev before it powers the slot off (Linux 6.12
 * pciehp_ctrl.c remove_board(): pciehp_unconfigure_device(), then
 * pciehp_power_off_slot(), "msleep(1000)", then
 * pciehp_set_indicators(ctrl, PCI_EXP_SLTCTL_PWR_IND_OFF, ...)), and QEMU
 * frees the device only at that last write (hw/pci/pcie.c
 * pcie_cap_slot_write_config(): "If the slot is populated, power indicator
 * is off and power controller is off, it is safe to detach the devices"
 * -> pcie_cap_slot_do_unplug(), which unplugs everything on the secondary
 * bus and clears Presence Detect State).  A device_add in between lands
 * next to the old device and is unplugged with it (seen on arm64 virt:
 * "Button press: will power on in 5 sec", then "Card not present").  So
 * on a slot pciehp drives (the port has a pciehp service device) this
 * also waits for Slot Control's Power Indicator off (and Power Controller
 * off where the slot has one).  acpiphp slots (q35: the firmware keeps
 * PCIe hotplug, "_OSC: platform does not support [PCIeHotplug ...]") free
 * the device at the eject and need no second wait; their Slot Control is
 * never written.
 */
int __vct_hotplug_wait_gone(const struct vct_hotplug_slot *slot, const char *bdf,
			    int timeout_ms);

#endif /* VCT_HOTPLUG_H */
