/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: TDVF metadata of an untrusted firmware image, then what is computed
 * from it (MRTD in both page orders, the CFV digest, the TD HOB).  Every section must lie
 * inside the input; nothing may read outside it.
 */
#include "host/rtmr0.h"
#include "host/tdvf.h"

#include <errno.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdvf t;
	struct tdv_error err = { { 0 } };
	if (tdvf_parse(data, size, &t, &err) != 0)
		return 0;
	uint64_t added = 0;
	for (size_t i = 0; i < t.n_sections; i++) {
		const struct tdvf_section *s = &t.sections[i];
		if ((uint64_t)s->data_offset + s->raw_size > size || s->raw_size > s->mem_size)
			abort();
		if (!(s->attributes & TDVF_ATTR_PAGE_AUG))
			added += s->mem_size;
	}
	uint8_t d[SHA384_SIZE];
	/* Hashing up to the 1 GiB limit is correct but too slow for a fuzzer. */
	if (added <= (4U << 20) && (tdvf_mrtd(&t, TDVF_ORDER_INTERLEAVED, d) != 0 ||
				    tdvf_mrtd(&t, TDVF_ORDER_ADD_FIRST, d) != 0))
		abort();
	int r = tdvf_cfv_digest(&t, HASH_SHA384, d);
	if (r != 0 && r != -ENOENT)
		abort();
	uint8_t *hob;
	size_t len;
	if (td_hob_build(&t, 4ULL << 30, &hob, &len, &err) == 0) {
		if (len < TD_HOB_PHIT_SIZE || (len - TD_HOB_PHIT_SIZE) % TD_HOB_RESOURCE_SIZE)
			abort();
		free(hob);
	}
	tdvf_done(&t);
	return 0;
}
