/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "core/digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *unit_testdata_dir(void)
{
	static char path[4096];
	const char *env = getenv("TDV_TESTDATA");
	snprintf(path, sizeof(path), "%s/tdx", env ? env : "../shared/testdata");
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		printf("skip: %s absent (shared TDX test data)\n", path);
		return NULL;
	}
	return path;
}

uint8_t *unit_unhex(const char *hex, size_t *ret_len)
{
	size_t max = strlen(hex) / 2 + 1, n;
	uint8_t *buf = malloc(max);
	if (!buf || hex_decode(hex, buf, max, &n) < 0)
		abort();
	*ret_len = n;
	return buf;
}

void unit_assert_hex(const uint8_t *buf, size_t len, const char *hex)
{
	char *got = hex_encode_alloc(buf, len);
	assert_non_null(got);
	assert_string_equal(got, hex);
	free(got);
}
