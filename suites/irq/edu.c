// SPDX-License-Identifier: GPL-2.0
/*
 * irq: every interrupt a device raises reaches userspace exactly once, on
 * the eventfd it was given, and MSI doorbells live where the reserved
 * regions say.
 *
 * QEMU's edu (1234:11e8) raises an interrupt on a write to register 0x60
 * (ORed into its status at 0x24) and lowers it on a write of the same bits
 * to 0x64: one MSI vector when MSI is enabled, else its INTx pin (level:
 * asserted while the status is non-zero).  Interrupts are a property of
 * the device, not of the IOMMU backend: one plain fixture (type1v2, or
 * type1 where v2 is absent).
 *
 * "Nothing arrived" is decided after SETTLE_MS: a raise reaches the eventfd
 * in 9-200 us on the emulated hosts (first one a few ms), so SETTLE_MS is
 * far beyond any delivery.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "test.h"

#include "device.h"
#include "iommu.h"
#include "irq.h"
#include "metrics.h"
#include "resv.h"
#include "util.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_SOFT	0x10000u	/* a status bit only software raises */

#define SETTLE_MS	100
#define WAIT_MS		2000
#define MSI		VFIO_PCI_MSI_IRQ_INDEX
#define INTX		VFIO_PCI_INTX_IRQ_INDEX
#define LAT_N		300

FIXTURE(irq) {
	struct vct_iommu *iommu;
	char bdf[VCT_BDF_LEN];
	int group;
	int fd;			/* VFIO device fd */
	struct vct_region_info cfg, bar;
	struct vct_pci_caps caps;
	int efd[2];
};

static int edu_wr(FIXTURE_DATA(irq) *self, uint64_t reg, uint32_t v)
{
	return __vct_region_wr(self->fd, &self->bar, reg, 4, v);
}

/* Raise the soft interrupt. */
static int raise_irq(FIXTURE_DATA(irq) *self)
{
	return edu_wr(self, EDU_IRQ_RAISE, EDU_SOFT);
}

/* Lower it (status 0: INTx deasserted). */
static int ack_irq(FIXTURE_DATA(irq) *self)
{
	return edu_wr(self, EDU_IRQ_ACK, EDU_SOFT);
}

FIXTURE_SETUP(irq)
{
	struct vct_iommu_dev dev;
	struct vct_err err = { "" };
	char why[512] = "";
	uint64_t cmd;
	int i, ret;

	vct_mark_test(_metadata, variant);
	self->fd = -1;
	self->efd[0] = self->efd[1] = -1;
	ret = __vct_test_device_by_id(EDU_VENDOR, EDU_DEVICE, &dev, why, sizeof(why));
	ASSERT_LE(0, ret) TH_LOG("%s", why);
	if (!ret)
		SKIP(return, "no edu (1234:11e8) among the test devices%s%s",
		     why[0] ? ": " : "", why);
	memcpy(self->bdf, dev.bdf, sizeof(self->bdf));
	self->group = dev.group;

	VCT_IOMMU_OPEN_PREFERRED_OR_SKIP(&self->iommu);
	VCT_IOMMU_ATTACH_DEVICE_FD(self->iommu, self->bdf, self->fd);
	ASSERT_EQ(0, __vct_region_info(self->fd, VFIO_PCI_CONFIG_REGION_INDEX, &self->cfg, &err))
		TH_LOG("%s", err.msg);
	ASSERT_EQ(0, __vct_region_info(self->fd, VFIO_PCI_BAR0_REGION_INDEX, &self->bar, &err))
		TH_LOG("%s", err.msg);
	/* memory decoding for the registers, bus mastering for MSI writes */
	ASSERT_EQ(0, __vct_region_rd(self->fd, &self->cfg, PCI_COMMAND, 2, &cmd));
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	ASSERT_EQ(0, __vct_region_wr(self->fd, &self->cfg, PCI_COMMAND, 2, cmd));
	ASSERT_EQ(0, __vct_pci_caps(self->bdf, &self->caps));
	ASSERT_EQ(0, ack_irq(self));
	for (i = 0; i < 2; i++) {
		self->efd[i] = vct_efd_new();
		ASSERT_LE(0, self->efd[i]);
	}
}

FIXTURE_TEARDOWN(irq)
{
	int i;

	if (self->fd >= 0) {
		ack_irq(self);
		__vct_irq_disable(self->fd, MSI);
		__vct_irq_disable(self->fd, INTX);
		close(self->fd);
	}
	for (i = 0; i < 2; i++)
		if (self->efd[i] >= 0)
			close(self->efd[i]);
	vct_iommu_close(self->iommu);
}

/* Enable MSI vector 0 on efd[k]. */
#define MSI_ON(k) do { \
	int32_t __fd = self->efd[k]; \
	ASSERT_EQ(0, __vct_irq_set_eventfds(self->fd, MSI, 0, 1, &__fd)); \
} while (0)

#define INTX_ON(k) do { \
	int32_t __fd = self->efd[k]; \
	ASSERT_EQ(0, __vct_irq_set_eventfds(self->fd, INTX, 0, 1, &__fd)); \
} while (0)

/*
 * Raise, wait for delivery on efd[k], expect exactly `n`, ack.  The first
 * wrong count ends the test (ack first, so the device is left quiet): every
 * later raise would wait WAIT_MS in vain.
 */
#define RAISE_EXPECT(k, n, what) do { \
	int64_t __got; \
	ASSERT_EQ(0, raise_irq(self)); \
	__got = vct_efd_wait(self->efd[k], (n) ? WAIT_MS : SETTLE_MS); \
	ASSERT_EQ(0, ack_irq(self)); \
	ASSERT_EQ((int64_t)(n), __got) TH_LOG("%s: %s", self->bdf, what); \
} while (0)

/* Nothing (more) arrives on efd[k] within SETTLE_MS. */
#define EXPECT_QUIET(k, what) do { \
	vct_msleep(SETTLE_MS); \
	EXPECT_EQ(0, vct_efd_take(self->efd[k])) TH_LOG("%s", what); \
} while (0)

/* ---- what the kernel reports ---------------------------------------------- */

/*
 * GET_IRQ_INFO for every index, as vfio_pci_ioctl_get_irq_info derives it
 * from the device's capabilities (read independently through libpci):
 * INTx 1 (pin set) MASKABLE|AUTOMASKED; MSI the Multiple Message Capable
 * count, NORESIZE; MSI-X the table size (NORESIZE unless the kernel can
 * add vectors dynamically); ERR 1 on PCIe, EINVAL otherwise; REQ 1.
 * Every index is an EVENTFD index; past the last, EINVAL.
 */
TEST_F(irq, info_counts_flags_match_libpci)
{
	uint32_t flags, count;
	uint64_t pin;
	int ret;

	ASSERT_EQ(0, __vct_region_rd(self->fd, &self->cfg, PCI_INTERRUPT_PIN, 1, &pin));
	ASSERT_EQ(0, __vct_irq_info(self->fd, INTX, &flags, &count));
	EXPECT_EQ(pin ? 1u : 0u, count);
	EXPECT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED, flags);

	ASSERT_EQ(0, __vct_irq_info(self->fd, MSI, &flags, &count));
	EXPECT_EQ(self->caps.msi ? self->caps.msi_vectors : 0u, count);
	EXPECT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, flags);

	ASSERT_EQ(0, __vct_irq_info(self->fd, VFIO_PCI_MSIX_IRQ_INDEX, &flags, &count));
	EXPECT_EQ(self->caps.msix ? self->caps.msix_vectors : 0u, count);
	EXPECT_TRUE(flags & VFIO_IRQ_INFO_EVENTFD);
	EXPECT_EQ(0u, flags & ~(uint32_t)(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE));

	ret = __vct_irq_info(self->fd, VFIO_PCI_ERR_IRQ_INDEX, &flags, &count);
	if (self->caps.pcie) {
		EXPECT_EQ(0, ret);
		EXPECT_EQ(1u, count);
		EXPECT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, flags);
	} else {
		EXPECT_EQ(-EINVAL, ret);
	}
	ASSERT_EQ(0, __vct_irq_info(self->fd, VFIO_PCI_REQ_IRQ_INDEX, &flags, &count));
	EXPECT_EQ(1u, count);
	EXPECT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, flags);
	EXPECT_EQ(-EINVAL, __vct_irq_info(self->fd, VFIO_PCI_NUM_IRQS, &flags, &count));
}

/* ---- MSI ----------------------------------------------------------------------- */

/* Enabling MSI signals nothing by itself; then each raise adds exactly 1. */
TEST_F(irq, msi_each_raise_adds_exactly_one)
{
	int i;

	if (!self->caps.msi)
		SKIP(return, "%s has no MSI", self->bdf);
	MSI_ON(0);
	EXPECT_QUIET(0, "eventfd not empty before any raise");
	for (i = 0; i < 20; i++)
		RAISE_EXPECT(0, 1, "one raise");
	EXPECT_QUIET(0, "a late extra signal");
}

/*
 * N raises, each taken by a CPU before the next (the vector's count in
 * /proc/interrupts has grown), the eventfd read once at the end: exactly N.
 * Spacing by time alone is not enough: a vCPU descheduled for longer than
 * the gap leaves the first MSI pending, and the next on the same vector
 * merges with it (one IRR bit per vector), as on real hardware.
 */
TEST_F(irq, msi_spaced_raises_counted_exactly)
{
	const int n = 50;
	char action[64];
	uint64_t seen = 0;
	int64_t got;
	int i, ret;

	if (!self->caps.msi)
		SKIP(return, "%s has no MSI", self->bdf);
	/* vfio_msi_set_vector_signal: kasprintf(..., "vfio-msi%s[%d](%s)", ...) */
	snprintf(action, sizeof(action), "vfio-msi[0](%s)", self->bdf);
	MSI_ON(0);
	ret = __vct_irq_wait_handled(action, 0, 0, &seen);
	ASSERT_EQ(0, ret) TH_LOG("%s in /proc/interrupts: %s", action, vct_errno_name(-ret));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, raise_irq(self));
		ret = __vct_irq_wait_handled(action, seen + 1, WAIT_MS, &seen);
		ASSERT_EQ(0, ret) TH_LOG("%s: raise %d not taken by a CPU: %s", action, i + 1,
					 vct_errno_name(-ret));
		ASSERT_EQ(0, ack_irq(self));
	}
	vct_msleep(SETTLE_MS);
	got = vct_efd_take(self->efd[0]);
	ASSERT_LE(0, got);
	EXPECT_EQ(n, got) TH_LOG("%s: %d raises", self->bdf, n);
}

/*
 * Loopback triggers: ACTION_TRIGGER with DATA_NONE signals the vector's
 * eventfd once; DATA_BOOL signals it for true and not for false.
 */
TEST_F(irq, msi_loopback_none_and_bool)
{
	uint8_t t = 1, f = 0;

	if (!self->caps.msi)
		SKIP(return, "%s has no MSI", self->bdf);
	MSI_ON(0);
	ASSERT_EQ(0, __vct_irq_set_none(self->fd, MSI, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1));
	EXPECT_EQ(1, vct_efd_wait(self->efd[0], WAIT_MS)) TH_LOG("DATA_NONE");
	ASSERT_EQ(0, __vct_irq_set_bool(self->fd, MSI, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &t));
	EXPECT_EQ(1, vct_efd_wait(self->efd[0], WAIT_MS)) TH_LOG("DATA_BOOL true");
	ASSERT_EQ(0, __vct_irq_set_bool(self->fd, MSI, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &f));
	EXPECT_QUIET(0, "DATA_BOOL false signalled");
}

/*
 * Disabling (count 0) stops delivery; enabling again delivers again; a
 * second SET_IRQS with another eventfd moves the vector to it (the old
 * one hears nothing); -1 detaches the vector's eventfd.
 */
TEST_F(irq, msi_disable_reenable_swap)
{
	int32_t none = -1;

	if (!self->caps.msi)
		SKIP(return, "%s has no MSI", self->bdf);
	MSI_ON(0);
	RAISE_EXPECT(0, 1, "enabled");
	ASSERT_EQ(0, __vct_irq_disable(self->fd, MSI));
	RAISE_EXPECT(0, 0, "disabled, yet delivered");
	MSI_ON(0);
	RAISE_EXPECT(0, 1, "re-enabled");
	MSI_ON(1);
	RAISE_EXPECT(1, 1, "swapped to the second eventfd");
	EXPECT_QUIET(0, "the old eventfd still signalled");
	ASSERT_EQ(0, __vct_irq_set_eventfds(self->fd, MSI, 0, 1, &none));
	RAISE_EXPECT(1, 0, "detached (-1), yet delivered");
	EXPECT_QUIET(0, "detached, old eventfd signalled");
	MSI_ON(0);
	RAISE_EXPECT(0, 1, "attached again");
}

/*
 * With MSI enabled, the address the kernel programmed into the device
 * (the physical config space, sysfs `config`: VFIO's view is virtualized)
 * lies inside an msi reserved region of the device's IOMMU group: the
 * doorbell is where the IOMMU layer said it would be (x86: the interrupt
 * range at 0xfee00000; ARM64: the software MSI window where the ITS
 * doorbell is mapped).
 */
TEST_F(irq, msi_address_inside_resv_msi_region)
{
	struct vct_resv_list l = { 0 };
	struct vct_err err = { "" };
	uint32_t lo = 0, hi = 0;
	uint16_t ctl = 0;
	uint64_t addr;
	size_t i;
	bool inside = false, any = false;

	if (!self->caps.msi)
		SKIP(return, "%s has no MSI", self->bdf);
	MSI_ON(0);
	RAISE_EXPECT(0, 1, "MSI works");
	ASSERT_EQ(0, __vct_sysfs_cfg_read(self->bdf, self->caps.msi_off + PCI_MSI_FLAGS, &ctl, 2));
	ASSERT_TRUE(ctl & PCI_MSI_FLAGS_ENABLE) TH_LOG("MSI enable bit clear in hardware");
	ASSERT_EQ(0, __vct_sysfs_cfg_read(self->bdf, self->caps.msi_off + PCI_MSI_ADDRESS_LO, &lo, 4));
	if (ctl & PCI_MSI_FLAGS_64BIT)
		ASSERT_EQ(0, __vct_sysfs_cfg_read(self->bdf, self->caps.msi_off + PCI_MSI_ADDRESS_HI,
						  &hi, 4));
	addr = (uint64_t)hi << 32 | lo;
	ASSERT_EQ(0, vct_resv_read_group(VCT_SYSFS_IOMMU_GROUPS, (unsigned int)self->group,
					 (size_t)sysconf(_SC_PAGESIZE), &l, &err))
		TH_LOG("%s", err.msg);
	for (i = 0; i < l.n; i++) {
		if (l.v[i].type != VCT_RESV_MSI)
			continue;
		any = true;
		if (addr >= l.v[i].start && addr <= l.v[i].end)
			inside = true;
	}
	TH_LOG("%s: MSI address %#" PRIx64, self->bdf, addr);
	free(l.v);
	ASSERT_TRUE(any) TH_LOG("group %d has no msi reserved region", self->group);
	EXPECT_TRUE(inside) TH_LOG("MSI address %#" PRIx64 " outside every msi region of group %d",
				   addr, self->group);
	ASSERT_EQ(0, __vct_irq_disable(self->fd, MSI));
	ASSERT_EQ(0, __vct_sysfs_cfg_read(self->bdf, self->caps.msi_off + PCI_MSI_FLAGS, &ctl, 2));
	EXPECT_FALSE(ctl & PCI_MSI_FLAGS_ENABLE) TH_LOG("MSI still enabled after disable");
}

/*
 * Latency raise -> eventfd readable, LAT_N times: reported (p50, p99, max
 * in metrics.json), not asserted.  Every one must arrive, exactly once.
 */
TEST_F(irq, msi_latency_reported)
{
	static double lat[LAT_N];
	struct vct_stats st;
	int i;

	if (!self->caps.msi)
		SKIP(return, "%s has no MSI", self->bdf);
	MSI_ON(0);
	for (i = 0; i < LAT_N; i++) {
		uint64_t t0 = vct_now_ns();
		int64_t got;

		ASSERT_EQ(0, raise_irq(self));
		got = vct_efd_wait(self->efd[0], WAIT_MS);
		lat[i] = (double)(vct_now_ns() - t0) / 1000.0;
		ASSERT_EQ(1, got) TH_LOG("raise %d", i);
		ASSERT_EQ(0, ack_irq(self));
	}
	vct_stats(lat, LAT_N, &st);
	TH_LOG("MSI raise->eventfd over %d: p50 %.1f us, p99 %.1f us, max %.1f us",
	       LAT_N, st.p50, st.p99, st.max);
	{
		struct vct_metric m = {
			.suite = "irq", .test = "irq.msi_latency_reported",
			.metric = "msi_raise_to_eventfd_us", .unit = "us",
			.higher_is_better = 0, .pattern = "edu",
			.count = LAT_N, .values = &st.p50, .reps = 1,
			.ops = lat, .nops = LAT_N,
		};
		EXPECT_EQ(0, vct_metric_emit(&m));
	}
}

/* ---- INTx ---------------------------------------------------------------------- */

/*
 * INTx is level-triggered and automasked: the first interrupt is
 * delivered and the line masked; a second interrupt (device acked and
 * raised again) is held until the user unmasks through VFIO
 * (ACTION_UNMASK), and then delivered once (vfio re-sends a pending
 * interrupt and stays masked).  Acked and unmasked, the next raise is
 * delivered again.
 */
TEST_F(irq, intx_automasked_until_unmask)
{
	uint64_t pin;

	ASSERT_EQ(0, __vct_region_rd(self->fd, &self->cfg, PCI_INTERRUPT_PIN, 1, &pin));
	if (!pin)
		SKIP(return, "%s has no INTx pin", self->bdf);
	INTX_ON(0);
	EXPECT_QUIET(0, "eventfd not empty before any raise");
	RAISE_EXPECT(0, 1, "first INTx");
	RAISE_EXPECT(0, 0, "second INTx arrived before the unmask");
	ASSERT_EQ(0, raise_irq(self));		/* pending across the unmask */
	ASSERT_EQ(0, __vct_irq_set_none(self->fd, INTX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 1));
	EXPECT_EQ(1, vct_efd_wait(self->efd[0], WAIT_MS)) TH_LOG("pending INTx after unmask");
	ASSERT_EQ(0, ack_irq(self));
	ASSERT_EQ(0, __vct_irq_set_none(self->fd, INTX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 1));
	EXPECT_QUIET(0, "unmask with nothing pending signalled");
	RAISE_EXPECT(0, 1, "INTx after ack and unmask");
	ASSERT_EQ(0, __vct_irq_set_none(self->fd, INTX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 1));
	RAISE_EXPECT(0, 1, "INTx after the second unmask");
}

/*
 * ACTION_MASK holds interrupts back (nothing delivered while masked, not
 * even the first); ACTION_UNMASK (DATA_BOOL true) delivers the pending one.
 * DATA_BOOL false unmasks nothing.  Loopback DATA_NONE/ACTION_TRIGGER
 * signals the INTx eventfd.  Start/count other than 0/1 are EINVAL.
 */
TEST_F(irq, intx_mask_unmask_through_set_irqs)
{
	uint8_t t = 1, f = 0;
	uint64_t pin;

	ASSERT_EQ(0, __vct_region_rd(self->fd, &self->cfg, PCI_INTERRUPT_PIN, 1, &pin));
	if (!pin)
		SKIP(return, "%s has no INTx pin", self->bdf);
	INTX_ON(0);
	ASSERT_EQ(0, __vct_irq_set_none(self->fd, INTX, VFIO_IRQ_SET_ACTION_MASK, 0, 1));
	ASSERT_EQ(0, raise_irq(self));
	EXPECT_QUIET(0, "delivered while masked");
	ASSERT_EQ(0, __vct_irq_set_bool(self->fd, INTX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, &f));
	EXPECT_QUIET(0, "DATA_BOOL false unmasked");
	ASSERT_EQ(0, __vct_irq_set_bool(self->fd, INTX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, &t));
	EXPECT_EQ(1, vct_efd_wait(self->efd[0], WAIT_MS)) TH_LOG("pending after DATA_BOOL unmask");
	ASSERT_EQ(0, ack_irq(self));
	ASSERT_EQ(0, __vct_irq_set_none(self->fd, INTX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 1));
	ASSERT_EQ(0, __vct_irq_set_none(self->fd, INTX, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1));
	EXPECT_EQ(1, vct_efd_wait(self->efd[0], WAIT_MS)) TH_LOG("loopback trigger");
	EXPECT_EQ(-EINVAL, __vct_irq_set_none(self->fd, INTX, VFIO_IRQ_SET_ACTION_MASK, 1, 1));
	EXPECT_EQ(-EINVAL, __vct_irq_set_none(self->fd, INTX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 2));
	RAISE_EXPECT(0, 1, "INTx after mask/unmask cycle");
}

/* MSI and INTx exclude each other: enabling one while the other is on is EINVAL. */
TEST_F(irq, intx_and_msi_exclusive)
{
	int32_t fd = self->efd[1];

	if (!self->caps.msi)
		SKIP(return, "%s has no MSI", self->bdf);
	INTX_ON(0);
	EXPECT_EQ(-EINVAL, __vct_irq_set_eventfds(self->fd, MSI, 0, 1, &fd));
	ASSERT_EQ(0, __vct_irq_disable(self->fd, INTX));
	MSI_ON(1);
	EXPECT_EQ(-EINVAL, __vct_irq_set_eventfds(self->fd, INTX, 0, 1, &fd));
	RAISE_EXPECT(1, 1, "MSI after the refused INTx");
}

VCT_HARNESS_MAIN
