// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug: PCIe hotplug into and out of a live container.  The seed thread
 * (shared/seeds, 2016) asks that a hot-added device's group be held to its
 * own reservations against the mappings a container already has.
 *
 * The runner plugs and unplugs devices on request (harness/hotplug.h: the
 * profile's `hotplug` slots, QEMU's monitor).  Removal is QEMU's device_del:
 * an orderly removal, not a surprise one (hotplug.h: on q35 an ACPI eject
 * request handled by acpiphp, on arm64 virt the attention button handled
 * by pciehp); vfio-pci signals the REQ interrupt and
 * vfio_unregister_group_dev() blocks until the device fd is closed.  The
 * removal test checks exactly that.
 * Every test starts and ends with the slot empty.  One backend (type1v2
 * where the kernel has it): hotplug is about the group, not the model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "test.h"

#include "dma.h"
#include "hotplug.h"
#include "iommu.h"
#include "irq.h"
#include "platform.h"
#include "resv.h"

#define SRC	(1ull << 36)		/* pre-existing mappings, 64 GiB */
#define DST	(SRC + (1ull << 20))
#define LEN	4096ull			/* copies: at most the engine's max_len */
#define ADD_MS	30000			/* device_add to an enumerated device */
#define GONE_MS	30000			/* pciehp waits 5 s after the button */
#define REQ_MS	20000

FIXTURE(hotplug) {
	struct vct_hotplug_slot slot;
	struct vct_iommu *io;
	struct vct_iommu_dev devs[VCT_IOMMU_MAX_GROUPS];
	char bdf[VCT_BDF_LEN];		/* the plugged device; "" when none */
	char id[32];
	unsigned int nplug;
	uint8_t *src, *dst;
};

FIXTURE_SETUP(hotplug)
{
	const char *unsupported = getenv("VCT_HOTPLUG_UNSUPPORTED");
	int n;

	vct_mark_test(_metadata, variant);
	VCT_REAL_CLOCK_OR_SKIP();
	n = __vct_hotplug_slots(&self->slot, 1);
	ASSERT_LE(0, n) TH_LOG("malformed $VCT_HOTPLUG '%s'", getenv("VCT_HOTPLUG"));
	if (!n && unsupported && *unsupported)
		SKIP(return, "no PCIe hotplug on this host: %s", unsupported);
	if (!n)
		SKIP(return, "the host profile has no PCIe hotplug slot (profile key hotplug)");
	VCT_IOMMU_SETUP_OR_SKIP(vct_backend_preferred(), 1, 1, &self->io, self->devs);
	self->src = vct_dma_alloc(LEN);
	self->dst = vct_dma_alloc(LEN);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);
	for (n = 0; n < (int)LEN; n++)
		self->src[n] = (uint8_t)(n * 7 + 3);
	ASSERT_EQ(0, __vct_iommu_map(self->io, SRC, LEN, self->src, VCT_PROT_RW));
	ASSERT_EQ(0, __vct_iommu_map(self->io, DST, LEN, self->dst, VCT_PROT_RW));
}

/* Unplug what the test left plugged, and wait until it is gone. */
static void unplug(struct __test_metadata *_metadata, FIXTURE_DATA(hotplug) *self)
{
	char err[512] = "";

	if (!self->bdf[0])
		return;
	vct_pci_unbind(self->bdf);
	EXPECT_EQ(0, __vct_hotplug_del(self->id, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, __vct_hotplug_wait_gone(&self->slot, self->bdf, GONE_MS))
		TH_LOG("%s (%s) or its slot %s still present or powered %d ms after device_del",
		       self->bdf, self->id, self->slot.port, GONE_MS);
	self->bdf[0] = '\0';
}

FIXTURE_TEARDOWN(hotplug)
{
	vct_iommu_close(self->io);
	unplug(_metadata, self);
	if (self->src)
		vct_dma_free(self->src, LEN);
	if (self->dst)
		vct_dma_free(self->dst, LEN);
}

/* Plug the profile's device into its slot and bind it to vfio-pci. */
static void plug(struct __test_metadata *_metadata, FIXTURE_DATA(hotplug) *self)
{
	char err[512] = "";
	int ret;

	snprintf(self->id, sizeof(self->id), "vcthp%dn%u", (int)getpid(), ++self->nplug);
	ret = __vct_hotplug_add(&self->slot, self->id, self->bdf, err, sizeof(err), ADD_MS);
	ASSERT_EQ(0, ret) TH_LOG("%s", err);
	TH_LOG("%s=%s plugged as %s (QEMU id %s), IOMMU group %d before binding",
	       self->slot.bus, self->slot.spec, self->bdf, self->id,
	       __vct_pci_iommu_group(self->bdf));
	ret = __vct_hotplug_bind_vfio(self->bdf, ADD_MS);
	ASSERT_EQ(0, ret) TH_LOG("%s: binding to vfio-pci: %s", self->bdf, vct_errno_name(-ret));
	ASSERT_LE(0, __vct_pci_iommu_group(self->bdf))
		TH_LOG("%s: bound to vfio-pci, but in no IOMMU group", self->bdf);
}

/* The new device copies SRC to DST through the container's old mappings. */
static void copy_through_old_mappings(struct __test_metadata *_metadata,
				      FIXTURE_DATA(hotplug) *self, const char *bdf)
{
	struct vct_dma_engine *e = NULL;
	char why[256] = "";
	int ret;

	uint64_t len;

	memset(self->dst, 0, LEN);
	ret = __vct_dma_open(self->io, bdf, &e, why, sizeof(why));
	if (ret == -ENODEV) {
		TH_LOG("%s: no DMA engine driver (%s): DMA not checked", bdf, why);
		return;
	}
	ASSERT_EQ(0, ret) TH_LOG("%s", why);
	len = e->max_len < LEN ? e->max_len : LEN;
	ret = __vct_dma_copy(e, SRC, DST, len);
	EXPECT_EQ(0, ret) TH_LOG("%s: copy 0x%llx -> 0x%llx: %s", bdf,
				 (unsigned long long)SRC, (unsigned long long)DST, e->err);
	EXPECT_EQ(0, memcmp(self->src, self->dst, len))
		TH_LOG("%s: DMA through the mappings made before it was plugged did not land",
		       bdf);
	vct_dma_close(e);
}

/*
 * A hot-added device's group appears with its reserved regions (once
 * vfio-pci is bound: see hotplug.h): sysfs lists the group, its
 * reserved_regions parse strictly and hold what the platform reserves in
 * every group (profile VCT_EXPECT_RESV) and what the profile gives the
 * device itself (VCT_EXPECT_RESV_DEV: the arm64 device tree's node for the
 * device behind the hotplug port, which pci_set_of_node() attaches at
 * enumeration, hot-add included).
 */
TEST_F_TIMEOUT(hotplug, added_device_group_appears_with_reserved_regions, 120)
{
	struct vct_resv_list l, want;
	struct vct_err err = { "" };
	int g, ret;
	size_t i, j;

	plug(_metadata, self);
	g = __vct_pci_iommu_group(self->bdf);
	ASSERT_LE(0, g) TH_LOG("%s: no iommu_group link", self->bdf);
	ASSERT_EQ(0, vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, (unsigned int)g,
					 vct_page_size(), &l, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, vct_resv_validate(&l, vct_page_size(), &err)) TH_LOG("%s", err.msg);
	ret = __vct_expected_resv(&want, &err);
	if (ret == -ENOENT) {
		TH_LOG("the profile says nothing of what every group reserves");
	} else {
		ASSERT_EQ(0, ret) TH_LOG("%s", err.msg);
		for (i = 0; i < want.n; i++) {
			for (j = 0; j < l.n; j++)
				if (l.v[j].start == want.v[i].start &&
				    l.v[j].end == want.v[i].end && l.v[j].type == want.v[i].type)
					break;
			EXPECT_LT(j, l.n) TH_LOG("%s: group %d lacks the profile's %s region [0x%llx-0x%llx]",
					       self->bdf, g, vct_resv_type_name(want.v[i].type),
					       (unsigned long long)want.v[i].start,
					       (unsigned long long)want.v[i].end);
		}
		vct_resv_free(&want);
	}
	/* What the profile gives the plugged device itself (dt_resv, arm64). */
	ASSERT_EQ(0, __vct_expected_resv_dev(self->bdf, &want, &err)) TH_LOG("%s", err.msg);
	for (i = 0; i < want.n; i++) {
		for (j = 0; j < l.n; j++)
			if (l.v[j].start == want.v[i].start &&
			    l.v[j].end == want.v[i].end && l.v[j].type == want.v[i].type)
				break;
		EXPECT_LT(j, l.n) TH_LOG("%s: group %d lacks the device's own %s region [0x%llx-0x%llx] (profile dt_resv)",
				       self->bdf, g, vct_resv_type_name(want.v[i].type),
				       (unsigned long long)want.v[i].start,
				       (unsigned long long)want.v[i].end);
	}
	vct_resv_free(&want);
	for (j = 0; j < l.n; j++)
		TH_LOG("group %d: %s [0x%llx-0x%llx]", g, vct_resv_type_name(l.v[j].type),
		       (unsigned long long)l.v[j].start, (unsigned long long)l.v[j].end);
	vct_resv_free(&l);
}

/*
 * What the hot-added group reserves that the container's group does not
 * (VFIO-excluded types: direct-relaxable does not count), into only.
 */
static void reserved_alone(struct __test_metadata *_metadata,
			   FIXTURE_DATA(hotplug) *self, int g, struct vct_ranges *only)
{
	struct vct_ranges mine = VCT_RANGES_INIT, old = VCT_RANGES_INIT;
	struct vct_err err = { "" };
	struct vct_resv_list l;
	uint64_t pg = vct_page_size();

	ASSERT_EQ(0, vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, (unsigned int)g, pg, &l, &err))
		TH_LOG("%s", err.msg);
	ASSERT_EQ(0, vct_resv_to_ranges(&l, VCT_RESV_MASK_VFIO_EXCLUDED, &mine));
	vct_resv_free(&l);
	ASSERT_EQ(0, vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, (unsigned int)self->devs[0].group,
					 pg, &l, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, vct_resv_to_ranges(&l, VCT_RESV_MASK_VFIO_EXCLUDED, &old));
	vct_resv_free(&l);
	ASSERT_EQ(0, vct_ranges_subtract(&mine, &old, only));
	vct_ranges_free(&mine);
	vct_ranges_free(&old);
}

/*
 * The seed's hotplug case: a hot-added group whose own reservation
 * (arm64 profile: dt_resv of the device behind the hotplug port, from the
 * device tree) is covered by a mapping the container already holds is
 * refused, -EINVAL (vfio_iommu_type1_attach_group():
 *	if (vfio_iommu_resv_conflict(iommu, &group_resv_regions)) {
 *		ret = -EINVAL;
 * ), and the container is left as it was: one group attached, the
 * mapping still there (EEXIST on a second MAP, UNMAP returns it whole),
 * the same dma_avail and IOVA_RANGE.  Where the hot-added group reserves
 * nothing the container's group does not (q35: every group only the MSI
 * window) no mapping can conflict: SKIP.
 */
TEST_F_TIMEOUT(hotplug, added_device_refused_over_mapping_of_its_reservation_einval, 120)
{
	struct vct_ranges only = VCT_RANGES_INIT;
	struct vct_iommu_info before, after;
	uint64_t pg = vct_page_size(), iova, un = 0;
	char x[512], y[512];
	int g, ret;

	plug(_metadata, self);
	g = __vct_pci_iommu_group(self->bdf);
	reserved_alone(_metadata, self, g, &only);
	if (!only.n) {
		vct_ranges_free(&only);
		SKIP(return, "%s (group %d) reserves nothing the container's group %d does not (no range of its own: on arm64 profile key dt_resv gives one): no mapping can conflict",
		     self->bdf, g, self->devs[0].group);
	}
	vct_ranges_format(&only, x, sizeof(x));
	iova = only.v[0].start & ~(pg - 1);
	TH_LOG("%s (group %d) alone reserves %s; mapping 0x%llx before attaching it",
	       self->bdf, g, x, (unsigned long long)iova);
	vct_ranges_free(&only);
	ASSERT_EQ(0, __vct_iommu_map(self->io, iova, pg, self->dst, VCT_PROT_RW))
		TH_LOG("MAP_DMA at 0x%llx, reserved only by the not yet attached %s, refused",
		       (unsigned long long)iova, self->bdf);
	ASSERT_EQ(0, __vct_iommu_info(self->io, &before));

	ret = __vct_iommu_attach(self->io, self->bdf);
	EXPECT_EQ(-EINVAL, ret) TH_LOG("%s (group %d) reserves 0x%llx, mapped: attach answered %s",
				       self->bdf, g, (unsigned long long)iova,
				       ret >= 0 ? "success" : vct_errno_name(-ret));
	if (ret >= 0)
		__vct_iommu_detach(self->io, self->bdf);
	/* Refused means nothing changed. */
	EXPECT_EQ(1, vct_iommu_attached(self->io, NULL, 0));
	ASSERT_EQ(0, __vct_iommu_info(self->io, &after));
	EXPECT_EQ(before.dma_avail, after.dma_avail);
	vct_ranges_format(&before.iova, x, sizeof(x));
	vct_ranges_format(&after.iova, y, sizeof(y));
	EXPECT_TRUE(vct_ranges_equal(&before.iova, &after.iova))
		TH_LOG("IOVA_RANGE before the refused attach %s, after %s", x, y);
	vct_iommu_info_free(&before);
	vct_iommu_info_free(&after);
	EXPECT_EQ(-EEXIST, __vct_iommu_map(self->io, iova, pg, self->dst, VCT_PROT_RW));
	EXPECT_EQ(0, __vct_iommu_unmap(self->io, iova, pg, &un));
	EXPECT_EQ(pg, un);
}

/*
 * The hot-added group joins a container that already holds mappings none
 * of which covers what it reserves (the fixture's SRC and DST, 64 GiB):
 * accepted, and the new device's DMA through the mappings made before it
 * existed lands.
 */
TEST_F_TIMEOUT(hotplug, added_device_attaches_to_container_with_mappings_then_dmas, 120)
{
	int g, ret;

	plug(_metadata, self);
	g = __vct_pci_iommu_group(self->bdf);
	ret = __vct_iommu_attach(self->io, self->bdf);
	ASSERT_EQ(0, ret) TH_LOG("%s (group %d): attach to a container holding mappings: %s (%s)",
				 self->bdf, g, vct_errno_name(-ret),
				 vct_iommu_last_error(self->io));
	copy_through_old_mappings(_metadata, self, self->bdf);
	EXPECT_EQ(0, __vct_iommu_detach(self->io, self->bdf)) TH_LOG("%s", vct_iommu_last_error(self->io));
}

static int group_status(int gfd)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	return ioctl(gfd, VFIO_GROUP_GET_STATUS, &st) < 0 ? -errno : (int)st.flags;
}

/*
 * Removing (device_del: an orderly removal, see hotplug.h) a device whose
 * group is in a container:
 * vfio-pci relays the kernel's request to the user on the REQ interrupt
 * (vfio_pci_core_request(): "Relaying device request to user"), refuses
 * new opens of the device (vfio_unregister_group_dev():
 * vfio_device_group_unregister() first: GET_DEVICE_FD -ENODEV) and waits
 * for the open fd; the container keeps serving its other group (maps, and
 * that group's DMA through the old mappings); once the fd is closed the
 * device leaves, the container loses the emptied group
 * (vfio_device_remove_group() -> vfio_group_detach_container()) and the
 * group fd answers -ENODEV.  Plugging the slot again works.
 */
TEST_F_TIMEOUT(hotplug, removal_signals_req_waits_for_close_container_serves_others, 180)
{
	struct vct_iommu_info info;
	char err[512] = "", gone[VCT_BDF_LEN], path[128];
	uint32_t flags = 0, count = 0;
	uint64_t un = 0;
	int g, dev, efd, gfd = -1, ret;

	plug(_metadata, self);
	ASSERT_EQ(0, __vct_iommu_attach(self->io, self->bdf))
		TH_LOG("%s", vct_iommu_last_error(self->io));
	g = __vct_pci_iommu_group(self->bdf);
	ASSERT_LE(0, g);
	gfd = vct_iommu_group_fd(self->io, g);
	ASSERT_LE(0, gfd);
	dev = __vct_iommu_device_fd(self->io, self->bdf);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, __vct_irq_info(dev, VFIO_PCI_REQ_IRQ_INDEX, &flags, &count));
	ASSERT_EQ(1u, count) TH_LOG("%s: REQ interrupt count", self->bdf);
	efd = vct_efd_new();
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, __vct_irq_set_eventfds(dev, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &efd));

	ASSERT_EQ(0, __vct_hotplug_del(self->id, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_LE(1, vct_efd_wait(efd, REQ_MS))
		TH_LOG("%s: no REQ interrupt within %d ms of device_del", self->bdf, REQ_MS);
	/* Pending: the device is still there, held by our fd. */
	snprintf(path, sizeof(path), VCT_SYSFS_PCI_DEVICES "/%s", self->bdf);
	EXPECT_EQ(0, access(path, F_OK)) TH_LOG("%s left before its device fd was closed",
						self->bdf);
	ret = __vct_iommu_device_fd(self->io, self->bdf);
	EXPECT_EQ(-ENODEV, ret) TH_LOG("%s: a new open while its removal waits answered %s",
				       self->bdf, ret >= 0 ? "a device fd" : vct_errno_name(-ret));
	if (ret >= 0)
		close(ret);
	/* The container serves the other group meanwhile. */
	EXPECT_EQ(0, __vct_iommu_map(self->io, DST + (1ull << 20), LEN, self->dst, VCT_PROT_RW));
	EXPECT_EQ(0, __vct_iommu_unmap(self->io, DST + (1ull << 20), LEN, &un));
	EXPECT_EQ(LEN, un);

	close(dev);
	snprintf(gone, sizeof(gone), "%s", self->bdf);
	ASSERT_EQ(0, __vct_hotplug_wait_gone(&self->slot, gone, GONE_MS))
		TH_LOG("%s or its slot %s still present or powered %d ms after its device fd was closed",
		       gone, self->slot.port, GONE_MS);
	self->bdf[0] = '\0';
	close(efd);
	EXPECT_EQ(-ENODEV, group_status(gfd)) TH_LOG("group %d's fd after its last device left", g);
	/* The other group, alone now, still DMAs through the old mappings. */
	ASSERT_EQ(0, __vct_iommu_info(self->io, &info));
	vct_iommu_info_free(&info);
	copy_through_old_mappings(_metadata, self, self->devs[0].bdf);
	/* The kernel took the emptied group out: UNSET_CONTAINER finds none. */
	EXPECT_EQ(-EINVAL, __vct_iommu_detach(self->io, gone));
	vct_iommu_forget(self->io, gone);

	/* The slot works again. */
	plug(_metadata, self);
	ret = __vct_iommu_attach(self->io, self->bdf);
	EXPECT_EQ(0, ret) TH_LOG("re-added %s: %s", self->bdf, vct_iommu_last_error(self->io));
	if (!ret) {
		copy_through_old_mappings(_metadata, self, self->bdf);
		EXPECT_EQ(0, __vct_iommu_detach(self->io, self->bdf));
	}
}

VCT_HARNESS_MAIN
