// SPDX-License-Identifier: GPL-2.0
/*
 * interrupts_test - vct_interrupts_count (harness/irq.c), offline: the
 * kernel's count of an interrupt action from /proc/interrupts text as x86
 * (IO-APIC, PCI-MSI) and arm64 (GICv3, ITS-MSI) print it, and malformed
 * text refused with the errno the header states.
 */
#include <errno.h>
#include <stdint.h>

#include "irq.h"
#include "test.h"

/* A 2-CPU x86 guest with an edu on MSI and an NVMe on MSI-X (6.12). */
static const char x86[] =
"           CPU0       CPU1       \n"
"  0:         45          0   IO-APIC   2-edge      timer\n"
"  9:          0          0   IO-APIC   9-fasteoi   acpi\n"
" 24:         17          3   PCI-MSI 49152-edge      vfio-msi[0](0000:00:03.0)\n"
" 25:          0          0   PCI-MSIX-0000:00:04.0    0-edge      vfio-msix[0](0000:00:04.0)\n"
" 26:          5          0   PCI-MSIX-0000:00:04.0    1-edge      vfio-msix[1](0000:00:04.0)\n"
" 11:          4          1   IO-APIC  11-fasteoi   uhci_hcd:usb1, vfio-intx(0000:00:05.0)\n"
"NMI:          0          0   Non-maskable interrupts\n"
"LOC:       1234       2345   Local timer interrupts\n"
"ERR:          0\n"
"MIS:          0\n";

/* A 1-CPU arm64 guest (GICv3 ITS). */
static const char arm64[] =
"           CPU0       \n"
" 11:       4021     GICv3  27 Level     arch_timer\n"
" 44:         50  ITS-MSI 16384 Edge      vfio-msi[0](0000:00:02.0)\n"
"IPI0:         0       Rescheduling interrupts\n"
"Err:          0\n";

static int count_of(const char *text, const char *action, uint64_t *n)
{
	*n = UINT64_MAX;
	return vct_interrupts_count(text, action, n);
}

TEST(x86_msi_summed_over_cpus)
{
	uint64_t n;

	ASSERT_EQ(0, count_of(x86, "vfio-msi[0](0000:00:03.0)", &n));
	EXPECT_EQ(20u, n);
}

TEST(x86_msix_vectors_apart)
{
	uint64_t n;

	ASSERT_EQ(0, count_of(x86, "vfio-msix[0](0000:00:04.0)", &n));
	EXPECT_EQ(0u, n);
	ASSERT_EQ(0, count_of(x86, "vfio-msix[1](0000:00:04.0)", &n));
	EXPECT_EQ(5u, n);
}

/* A shared line lists its actions comma-separated: each is found. */
TEST(shared_line_each_action_found)
{
	uint64_t n;

	ASSERT_EQ(0, count_of(x86, "vfio-intx(0000:00:05.0)", &n));
	EXPECT_EQ(5u, n);
	ASSERT_EQ(0, count_of(x86, "uhci_hcd:usb1", &n));
	EXPECT_EQ(5u, n);
}

TEST(arm64_its_msi)
{
	uint64_t n;

	ASSERT_EQ(0, count_of(arm64, "vfio-msi[0](0000:00:02.0)", &n));
	EXPECT_EQ(50u, n);
}

/* Only whole tokens match: a prefix of an action, or another BDF, is absent. */
TEST(absent_or_partial_name_enoent)
{
	uint64_t n;

	EXPECT_EQ(-ENOENT, count_of(x86, "vfio-msi[0](0000:00:03.", &n));
	EXPECT_EQ(-ENOENT, count_of(x86, "vfio-msi[0](0000:00:09.0)", &n));
	EXPECT_EQ(-ENOENT, count_of(x86, "vfio-msi", &n));
	EXPECT_EQ(UINT64_MAX, n);
}

TEST(malformed_text_einval)
{
	uint64_t n;

	/* no header, an empty file, a header that is not CPU columns */
	EXPECT_EQ(-EINVAL, count_of("", "timer", &n));
	EXPECT_EQ(-EINVAL, count_of("  0:  45  IO-APIC 2-edge timer\n", "timer", &n));
	EXPECT_EQ(-EINVAL, count_of("  CPU0  X1\n  0:  45 0 IO-APIC 2-edge timer\n", "timer", &n));
	/* the matching line has fewer columns than CPUs, or a non-decimal one */
	EXPECT_EQ(-EINVAL, count_of("  CPU0 CPU1 CPU2\n 24:  17 3 a\n", "a", &n));
	EXPECT_EQ(-EINVAL, count_of("  CPU0 CPU1\n 24:  17 x3 PCI-MSI a\n", "a", &n));
	/* a count past UINT64_MAX */
	EXPECT_EQ(-EINVAL, count_of("  CPU0\n 24: 99999999999999999999 PCI-MSI a\n", "a", &n));
	EXPECT_EQ(UINT64_MAX, n);
	/* a malformed line that does not name the action is not looked at */
	EXPECT_EQ(0, count_of("  CPU0 CPU1\n 24:  17\n 25: 1 2 PCI-MSI a\n", "a", &n));
	EXPECT_EQ(3u, n);
}

VCT_HARNESS_MAIN
