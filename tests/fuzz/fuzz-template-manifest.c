/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the rootfs template manifest parser on arbitrary bytes. */
#include "host/template-manifest.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m = NULL;
	struct tdv_error err = { 0 };
	int r = manifest_parse((const char *)data, size, "fuzz", &m, &err);
	if (r < 0) {
		/* A rejection always says something and returns nothing. */
		if (m || err.msg[0] == '\0')
			abort();
		return 0;
	}
	for (size_t i = 0; i < m->n_lines; i++) {
		const struct manifest_line *l = &m->lines[i];
		if (l->mode > 07777 || (l->name && l->name[0] != '/'))
			abort();
	}
	manifest_free(m);
	return 0;
}
