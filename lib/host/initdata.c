/* SPDX-License-Identifier: Apache-2.0 */
#include "host/initdata.h"

#include <errno.h>
#include <string.h>

/* One top-level `key = "value"` (or 'value') line: 1 when it is key, with the value. */
static int top_level_string(const char *line, size_t len, const char *key, char *val,
			    size_t val_size)
{
	size_t k = strlen(key), i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < k || memcmp(line + i, key, k) != 0)
		return 0;
	i += k;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= len || line[i] != '=')
		return 0;
	i++;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= len || (line[i] != '"' && line[i] != '\''))
		return -EINVAL;
	char quote = line[i++];
	size_t start = i;
	while (i < len && line[i] != quote)
		i++;
	if (i >= len || i - start >= val_size)
		return -EINVAL;
	memcpy(val, line + start, i - start);
	val[i - start] = 0;
	i++;
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i < len && line[i] != '#')
		return -EINVAL;
	return 1;
}

int initdata_mrconfigid(const uint8_t *toml, size_t len, uint8_t ret[SHA384_SIZE],
			enum hash_alg *ret_alg, struct tdv_error *err)
{
	if (len > INITDATA_MAX_SIZE || memchr(toml, 0, len))
		return tdv_error_set(err, -EINVAL, "not a TOML text (NUL byte, or over 1 MiB)");
	char alg_name[16] = "", version[16] = "";
	const char *p = (const char *)toml, *end = p + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *s = p;
		while (s < p + l && (*s == ' ' || *s == '\t'))
			s++;
		if (s < p + l && *s == '[')
			break; /* the first table: the top level ends */
		char val[16];
		int r = top_level_string(p, l, "algorithm", val, sizeof(val));
		if (r == 1) {
			if (alg_name[0])
				return tdv_error_set(err, -EINVAL, "\"algorithm\" given twice");
			memcpy(alg_name, val, sizeof(val));
		}
		int r2 = top_level_string(p, l, "version", val, sizeof(val));
		if (r2 == 1) {
			if (version[0])
				return tdv_error_set(err, -EINVAL, "\"version\" given twice");
			memcpy(version, val, sizeof(val));
		}
		if (r < 0 || r2 < 0)
			return tdv_error_set(err, -EINVAL, "a malformed top-level key: %.*s",
					     (int)(l > 60 ? 60 : l), p);
		p += l + (nl ? 1 : 0);
	}
	if (strcmp(version, "0.1.0") != 0)
		return tdv_error_set(err, -EINVAL, "version \"%s\": only initdata 0.1.0 is known",
				     version);
	enum hash_alg alg;
	if (!alg_name[0] || hash_alg_from_name(alg_name, &alg) < 0)
		return tdv_error_set(err, -EINVAL,
				     "algorithm \"%s\": sha256, sha384 or sha512 expected", alg_name);
	uint8_t d[DIGEST_MAX_SIZE] = { 0 };
	int r = digest_buf(alg, toml, len, d);
	if (r < 0)
		return tdv_error_set(err, r, "digest failed");
	/* Kata: a shorter digest is zero-padded to the 48-byte register, a longer one cut. */
	memcpy(ret, d, SHA384_SIZE);
	*ret_alg = alg;
	return 0;
}
