/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: PE/Authenticode parsing of an untrusted image, and QEMU's header
 * patching on a copy of it.  Every hashed range must lie inside the input.
 */
#include "host/pe-authenticode.h"
#include "host/qemu-kernel.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pe_range *ranges = NULL;
	size_t n = 0;
	struct tdv_error err = { { 0 } };
	if (pe_authenticode_ranges(data, size, &ranges, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			if (ranges[i].length == 0 || ranges[i].offset + ranges[i].length > size)
				abort();
		free(ranges);
		uint8_t d[SHA384_SIZE];
		if (pe_authenticode_digest(data, size, HASH_SHA384, d, &err) != 0)
			abort();
	}

	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct qemu_kernel_patch p = {
		.memory_size = (size & 1) ? (2ULL << 30) : (4ULL << 30),
		.machine = (size & 2) ? QEMU_MACHINE_Q35 : QEMU_MACHINE_PC,
		.initrd_size = size * 4096,
		.cmdline = "console=ttyS0 vga=0x317",
	};
	(void)qemu_kernel_patch_apply(copy, size, &p, &err);
	free(copy);
	return 0;
}
