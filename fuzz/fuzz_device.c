// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_device.c - libFuzzer target: DEVICE_GET_INFO and
 * DEVICE_GET_REGION_INFO as device.h reads them (argsz growth, chain walk,
 * sparse-mmap/type/msix decoding) against a "kernel" played by the input.
 *
 * Input: byte 0 bit 0 picks device info or region info (region index: byte
 * 1), the rest is the answer.  The played ioctl copies min(argsz passed,
 * answer length) bytes of the answer into the caller's buffer, keeping the
 * caller's argsz only when the answer is shorter than 4 bytes, so the fuzzer
 * controls the argsz the kernel "needs".  The harness's buffers are heap
 * allocations of exactly argsz bytes: reads past them are ASan reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "device.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

struct answer {
	const unsigned char *p;
	size_t len;
};

static int play(void *ctx, int fd, unsigned long req, void *arg)
{
	const struct answer *a = ctx;
	uint32_t argsz;
	size_t n;

	(void)fd;
	(void)req;
	memcpy(&argsz, arg, sizeof(argsz));
	n = a->len < argsz ? a->len : argsz;
	memcpy(arg, a->p, n);
	if (n < sizeof(argsz))
		memcpy(arg, &argsz, sizeof(argsz));
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct vct_err err = { 0 };
	struct answer a;

	if (size < 2 || size > 65536)
		return 0;
	a.p = data + 2;
	a.len = size - 2;
	if (data[0] & 1) {
		struct vct_device_info info;

		if (!__vct_device_info_fn(play, &a, -1, &info, &err))
			vct_device_info_free(&info);
	} else {
		struct vct_region_info r;

		(void)__vct_region_info_fn(play, &a, -1, data[1], &r, &err);
	}
	return 0;
}
