/* SPDX-License-Identifier: Apache-2.0 */
#include "core/measure.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A JSON string literal of s (quotes included), or NULL. */
static char *json_string(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(6 * n + 3), *o = out;
	if (!out)
		return NULL;
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p < 0x20) {
			o += sprintf(o, "\\u%04x", *p);
		} else
			*o++ = (char)*p;
	}
	*o++ = '"';
	*o = 0;
	return out;
}

/* ["a","b"] */
static char *json_string_array(const char *const *v)
{
	char *out = strdup("[");
	for (size_t i = 0; out && v[i]; i++) {
		_cleanup_free_ char *item = json_string(v[i]);
		char *next = NULL;
		if (!item || asprintf(&next, "%s%s%s", out, i ? "," : "", item) < 0)
			next = NULL;
		free(out);
		out = next;
	}
	char *done = NULL;
	if (out && asprintf(&done, "%s]", out) < 0)
		done = NULL;
	free(out);
	return done;
}

int rootfs_event_content(const struct verity_root *r, const struct rootfs_event_run *run,
			 char **ret_json)
{
	const struct verity_params *p = &r->params;
	const char *alg = hash_alg_name(p->alg);
	if (!alg || p->salt_size > VERITY_MAX_SALT || !run || !run->init || !run->argv ||
	    !run->argv[0] || !run->measure || !run->on_corruption)
		return -EINVAL;

	char root[2 * DIGEST_MAX_SIZE + 1], salt[2 * VERITY_MAX_SALT + 1];
	hex_encode(r->root_hash, hash_alg_size(p->alg), root);
	hex_encode(p->salt, p->salt_size, salt);
	_cleanup_free_ char *argv = json_string_array(run->argv), *init = json_string(run->init),
			    *measure = json_string(run->measure),
			    *corruption = json_string(run->on_corruption);
	if (!argv || !init || !measure || !corruption)
		return -ENOMEM;

	char *json;
	if (asprintf(&json,
		     "{\"alg\":\"%s\",\"argv\":%s,\"data_block_size\":%" PRIu32
		     ",\"data_blocks\":%" PRIu64 ",\"hash_block_size\":%" PRIu32
		     ",\"init\":%s,\"measure\":%s,\"on_corruption\":%s,\"root_hash\":\"%s\","
		     "\"salt\":\"%s\",\"v\":%d}",
		     alg, argv, p->data_block_size, p->data_blocks, p->hash_block_size, init, measure,
		     corruption, root, salt, ROOTFS_EVENT_VERSION) < 0)
		return -ENOMEM;
	*ret_json = json;
	return 0;
}

static bool word_ok(const char *s)
{
	return *s && !strpbrk(s, " \n\r");
}

int aael_event_data(const char *domain, const char *operation, const char *content,
		    uint8_t **ret_data, size_t *ret_len)
{
	if (!word_ok(domain) || !word_ok(operation) || strpbrk(content, "\n\r"))
		return -EINVAL;

	size_t text_len = strlen(domain) + 1 + strlen(operation) + 1 + strlen(content);
	if (text_len > UINT32_MAX - 8)
		return -E2BIG;
	uint8_t *data = malloc(8 + text_len + 1);
	if (!data)
		return -ENOMEM;
	le32_put(data, AAEL_EVENT_TAG_ID);
	le32_put(data + 4, (uint32_t)text_len);
	/* snprintf writes the terminating NUL past the text; it is not part of the event. */
	snprintf((char *)data + 8, text_len + 1, "%s %s %s", domain, operation, content);
	*ret_data = data;
	*ret_len = 8 + text_len;
	return 0;
}

int rootfs_event_data(const struct verity_root *r, const struct rootfs_event_run *run,
		      uint8_t **ret_data, size_t *ret_len)
{
	_cleanup_free_ char *json = NULL;
	int ret = rootfs_event_content(r, run, &json);
	if (ret < 0)
		return ret;
	return aael_event_data(ROOTFS_EVENT_DOMAIN, ROOTFS_EVENT_OPERATION, json, ret_data, ret_len);
}

int tcg2_record_encode(uint32_t register_index, uint32_t event_type,
		       const struct tcg2_digest *digests, size_t n_digests, const uint8_t *event,
		       size_t event_len, uint8_t **ret_record, size_t *ret_len)
{
	if (n_digests == 0 || n_digests > _HASH_ALG_MAX || event_len > UINT32_MAX)
		return -EINVAL;

	size_t len = 12 + 4;
	for (size_t i = 0; i < n_digests; i++) {
		size_t ds = hash_alg_size(digests[i].alg);
		if (ds == 0)
			return -EINVAL;
		len += 2 + ds;
	}
	len += event_len;

	uint8_t *rec = malloc(len), *p = rec;
	if (!rec)
		return -ENOMEM;
	le32_put(p, register_index);
	le32_put(p + 4, event_type);
	le32_put(p + 8, (uint32_t)n_digests);
	p += 12;
	for (size_t i = 0; i < n_digests; i++) {
		size_t ds = hash_alg_size(digests[i].alg);
		le16_put(p, hash_alg_tcg_id(digests[i].alg));
		memcpy(p + 2, digests[i].value, ds);
		p += 2 + ds;
	}
	le32_put(p, (uint32_t)event_len);
	if (event_len)
		memcpy(p + 4, event, event_len);

	*ret_record = rec;
	*ret_len = len;
	return 0;
}

int mr_extend(enum hash_alg alg, uint8_t *mr, const uint8_t *digest)
{
	size_t n = hash_alg_size(alg);
	uint8_t out[DIGEST_MAX_SIZE];
	if (n == 0)
		return -EINVAL;
	int r = digest_two(alg, mr, n, digest, n, out);
	if (r < 0)
		return r;
	memcpy(mr, out, n);
	return 0;
}
