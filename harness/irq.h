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

#endif /* VCT_IRQ_H */
