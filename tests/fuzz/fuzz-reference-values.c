/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: `check --reference-values` documents (tdverity's own, Trustee's
 * sample object, the RVPS message with its base64 payload) and `--initdata` TOML.  The
 * first byte picks the parser.
 */
#include "host/initdata.h"
#include "host/refvalues.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct tdv_error err;
	if (data[0] & 1) {
		uint8_t mr[SHA384_SIZE];
		enum hash_alg alg;
		(void)initdata_mrconfigid(data + 1, size - 1, mr, &alg, &err);
		return 0;
	}
	struct reference_values rv;
	if (reference_values_parse((const char *)data + 1, size - 1, &rv, &err) == 0) {
		if (rv.n == 0)
			abort(); /* an accepted document has values */
		for (size_t i = 0; i < rv.n; i++)
			for (size_t j = 0; j < rv.v[i].n_values; j++)
				if (rv.v[i].lens[j] == 0 || rv.v[i].lens[j] > REFVALUE_MAX_LEN)
					abort();
		reference_values_done(&rv);
	}
	return 0;
}
