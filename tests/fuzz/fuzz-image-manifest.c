/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the verity part of manifest.json as tdverity-verify image reads it. */
#include "verifier/image-source.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_manifest m;
	struct tdv_error err;
	if (image_manifest_parse((const char *)data, size, &m, &err) == 0 &&
	    verity_params_validate(&m.params) < 0)
		abort(); /* accepted parameters must be valid ones */
	return 0;
}
