/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq.h - VFIO device interrupts from userspace: VFIO_DEVICE_SET_IRQS in its
 * three data forms (eventfds, none, bool) and the eventfd counters they
 * signal.
 *
 * Every __vct_irq_*() returns 0 or -errno (the kernel's, untouched).
 * Eventfds made here are non-blocking: reading an empty one is not an error
 * but a count of 0, which is what the tests compare.
 */
#ifndef VCT_IRQ_H
#define VCT_IRQ_H

#include <stdint.h>

/*
 * ACTION_TRIGGER with DATA_EVENTFD on [start, start+count): fds[i] (-1
 * detaches vector start+i).  count 0 with fds NULL disables the index.
 */
int __vct_irq_set_eventfds(int device_fd, uint32_t index, uint32_t start,
			   uint32_t count, const int32_t *fds);
/* count 0, DATA_NONE, ACTION_TRIGGER: the index is disabled. */
int __vct_irq_disable(int device_fd, uint32_t index);
/* `action` (VFIO_IRQ_SET_ACTION_*) with DATA_NONE on [start, start+count). */
int __vct_irq_set_none(int device_fd, uint32_t index, uint32_t action,
		       uint32_t start, uint32_t count);
/* `action` with DATA_BOOL: one byte per vector from vals. */
int __vct_irq_set_bool(int device_fd, uint32_t index, uint32_t action,
		       uint32_t start, uint32_t count, const uint8_t *vals);
/* VFIO_DEVICE_GET_IRQ_INFO for `index`: flags and count. */
int __vct_irq_info(int device_fd, uint32_t index, uint32_t *flags,
		   uint32_t *count);

/* A new non-blocking, close-on-exec eventfd (counter 0), or -errno. */
int vct_efd_new(void);
/*
 * The counter's value, reset to 0 (a read); 0 when empty.  -errno on a
 * read error.
 */
int64_t vct_efd_take(int fd);
/*
 * Wait up to timeout_ms for the counter to become non-zero, then take it:
 * > 0 the count, 0 nothing arrived in time, -errno.
 */
int64_t vct_efd_wait(int fd, int timeout_ms);
/* Sleep for ms milliseconds (settling time before "nothing arrived"). */
void vct_msleep(unsigned int ms);

/*
 * How many times the kernel has taken an interrupt, from the text of
 * /proc/interrupts (a pure function): the sum over the CPU columns of the
 * line whose action list holds exactly `action` (vfio-pci names its
 * vectors "vfio-msi[V](BDF)", "vfio-msix[V](BDF)", "vfio-intx(BDF)").  The
 * CPU columns are counted from the header line.  0 and *count set;
 * -ENOENT no line names `action`; -EINVAL no header, or the matching line
 * has fewer CPU columns than the header.
 */
int vct_interrupts_count(const char *text, const char *action, uint64_t *count);
/*
 * Wait up to timeout_ms, reading /proc/interrupts every 100 us, until
 * `action`'s count is at least `at_least`: 0 it is (*count the count seen),
 * -ETIMEDOUT it stayed below (*count the last seen), or an error of
 * vct_interrupts_count / reading the file.  The interrupt has then been
 * accepted by a CPU, so a later one on the same vector is not merged with
 * it (x86's IRR, the GIC's pending state hold one per vector).
 */
int __vct_irq_wait_handled(const char *action, uint64_t at_least, int timeout_ms,
			   uint64_t *count);

#endif /* VCT_IRQ_H */
