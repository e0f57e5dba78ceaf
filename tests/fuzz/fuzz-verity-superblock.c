/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the dm-verity superblock decoder must reject or round-trip any input. */
#include "core/verity.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sb[VERITY_SUPERBLOCK_SIZE] = { 0 }, again[VERITY_SUPERBLOCK_SIZE];
	struct verity_params p;
	memcpy(sb, data, size < sizeof(sb) ? size : sizeof(sb));
	if (verity_superblock_decode(sb, &p) < 0)
		return 0;
	/* Whatever decodes must be valid and encode back to the same bytes (decode is strict). */
	uint64_t area;
	if (verity_params_validate(&p) < 0 || verity_hash_area_size(&p, &area) < 0 ||
	    verity_superblock_encode(&p, again) < 0 || memcmp(sb, again, sizeof(sb)) != 0)
		abort();
	return 0;
}
