/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: manifest.json through its one reader (host/manifest.h).  What the
 * reader accepts must be a valid volume and must write back to text the reader accepts
 * again and that writes back to the same bytes.
 */
#include "host/manifest.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct build_manifest m, back;
	struct tdv_error err;
	char *text = NULL, *again = NULL;
	if (build_manifest_parse((const char *)data, size, &m, &err) < 0)
		return 0;
	if (verity_params_validate(&m.root.params) < 0 || build_manifest_write_json(&m, &text) < 0 ||
	    build_manifest_parse(text, strlen(text), &back, &err) < 0 ||
	    build_manifest_write_json(&back, &again) < 0 || strcmp(text, again) != 0)
		abort();
	free(text);
	free(again);
	build_manifest_done(&m);
	build_manifest_done(&back);
	return 0;
}
