/* SPDX-License-Identifier: Apache-2.0 */
#include "probe-agent/report.h"

#include "core/digest.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int probe_line(int fd, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n = snprintf(line, sizeof(line), "%s", PROBE_PREFIX);

	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= sizeof(line) - 1)
		return -EMSGSIZE; /* a cut line would read as a different value */
	n += m;
	line[n++] = '\n';
	return write_full(fd, line, (size_t)n);
}

int probe_blob(int fd, const char *name, const uint8_t *data, size_t len)
{
	uint8_t sum[DIGEST_MAX_SIZE];
	char hex[2 * DIGEST_MAX_SIZE + 1];
	size_t chunks = (len + PROBE_HEX_CHUNK - 1) / PROBE_HEX_CHUNK;
	int r;

	if (strchr(name, ' '))
		return -EINVAL;
	r = probe_line(fd, "blob %s size=%zu chunks=%zu", name, len, chunks);
	for (size_t i = 0; r >= 0 && i < chunks; i++) {
		size_t off = i * PROBE_HEX_CHUNK;
		size_t n = len - off < PROBE_HEX_CHUNK ? len - off : PROBE_HEX_CHUNK;
		char chunk[2 * PROBE_HEX_CHUNK + 1];
		hex_encode(data + off, n, chunk);
		r = probe_line(fd, "hex %s %zu %s", name, i, chunk);
	}
	if (r < 0)
		return r;
	r = digest_buf(HASH_SHA256, data, len, sum);
	if (r < 0)
		return r;
	hex_encode(sum, 32, hex);
	return probe_line(fd, "blob-end %s sha256=%s", name, hex);
}
