/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the parsers of tdverity-init that read bytes from outside - the
 * module load-order file and the two TPM 2.0 responses.  The first byte picks the parser.
 * Whatever is accepted must satisfy the contract the callers rely on.
 */
#include "initrd/init.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void module_list(const uint8_t *data, size_t size)
{
	struct module_entry *paths = NULL;
	size_t n = 0;
	struct tdv_error err;
	if (module_list_parse((const char *)data, size, &paths, &n, &err) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (paths[i].path[0] == '/' || strncmp(paths[i].path, "../", 3) == 0 ||
		    strstr(paths[i].path, "/../") || strstr(paths[i].path, "//") ||
		    strchr(paths[i].path, '\n') || strchr(paths[i].path, ' '))
			abort();
	module_list_free(paths, n);
}

static void pcrs(const uint8_t *data, size_t size)
{
	uint16_t algs[TPM2_MAX_BANKS];
	size_t n = 0;
	uint32_t rc;
	if (size < 1)
		return;
	int r = tpm2_parse_pcrs_response(data + 1, size - 1, data[0] % 25, algs, &n, &rc);
	if (r == 0 && (n > TPM2_MAX_BANKS || rc != 0))
		abort();
	if (r == -EIO && rc == 0)
		abort();
}

static void extend(const uint8_t *data, size_t size)
{
	uint32_t rc;
	int r = tpm2_parse_extend_response(data, size, &rc);
	if (r == 0 && (size != 19 || rc != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: module_list(data + 1, size - 1); break;
	case 1: pcrs(data + 1, size - 1); break;
	case 2: extend(data + 1, size - 1); break;
	}
	return 0;
}
