/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: QEMU's etc/acpi/tables blob as a user hands it to `expect`
 * (--acpi-tables): the MADT vCPU count and the RSDP derived from it.  Nothing may read
 * outside the input; a derived RSDP must point at an RSDT inside it.
 */
#include "core/util.h"
#include "host/rtmr0.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned cpus;
	(void)acpi_tables_count_cpus(data, size, &cpus);
	uint8_t rsdp[ACPI_RSDP_V1_SIZE];
	if (acpi_rsdp_derive(data, size, rsdp) == 0) {
		uint32_t off = le32_get(rsdp + 16);
		if ((uint64_t)off + 36 > size || memcmp(data + off, "RSDT", 4) != 0)
			abort();
	}
	return 0;
}
