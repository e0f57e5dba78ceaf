/* SPDX-License-Identifier: Apache-2.0 */
/* Reading manifest.json (written by tdverity-build). */
#include "host/expected.h"

#include "core/measure.h"
#include "core/util.h"

#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#define MANIFEST_MAX_SIZE (16U << 20)

static json_object *member(json_object *root, const char *key, json_type type)
{
	json_object *o;
	if (!json_object_object_get_ex(root, key, &o) || !json_object_is_type(o, type))
		return NULL;
	return o;
}

static int get_hex(json_object *root, const char *path, const char *key, uint8_t *out,
		   size_t max, size_t *ret_len, struct tdv_error *err)
{
	json_object *o = member(root, key, json_type_string);
	if (!o || hex_decode(json_object_get_string(o), out, max, ret_len) < 0)
		return tdv_error_set(err, -EINVAL, "%s: \"%s\" missing or not a hex string of at "
				     "most %zu bytes", path, key, max);
	return 0;
}

static int get_uint(json_object *root, const char *path, const char *key, uint64_t max,
		    uint64_t *ret, struct tdv_error *err)
{
	json_object *o = member(root, key, json_type_int);
	/* json-c clamps to INT64; negative and out-of-range values are refused. */
	int64_t v = o ? json_object_get_int64(o) : -1;
	if (!o || v <= 0 || (uint64_t)v > max)
		return tdv_error_set(err, -EINVAL, "%s: \"%s\" missing or not an integer in "
				     "[1, %" PRIu64 "]", path, key, max);
	*ret = (uint64_t)v;
	return 0;
}

int build_manifest_load(const char *path, struct build_manifest *ret, struct tdv_error *err)
{
	_cleanup_free_ uint8_t *text = NULL;
	size_t len;
	int r = read_full_file(path, MANIFEST_MAX_SIZE, &text, &len);
	if (r < 0)
		return tdv_error_set(err, r, "%s: cannot read: %s", path, strerror(-r));

	json_tokener *tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_object *root = json_tokener_parse_ex(tok, (const char *)text, (int)len);
	bool complete = json_tokener_get_error(tok) == json_tokener_success &&
			json_tokener_get_parse_end(tok) == len;
	json_tokener_free(tok);
	if (!root || !complete || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return tdv_error_set(err, -EINVAL, "%s: not a JSON object", path);
	}

	struct build_manifest m = { 0 };
	uint64_t blocks = 0, dbs = 0, hbs = 0;
	struct verity_params *p = &m.root.params;
	size_t root_len, salt_len;
	json_object *alg = member(root, "hash_algorithm", json_type_string);
	if (!alg || hash_alg_from_name(json_object_get_string(alg), &p->alg) < 0)
		r = tdv_error_set(err, -EINVAL, "%s: \"hash_algorithm\" missing or unknown", path);
	if (r == 0)
		r = get_hex(root, path, "root_hash", m.root.root_hash, DIGEST_MAX_SIZE, &root_len,
			    err);
	if (r == 0 && root_len != hash_alg_size(p->alg))
		r = tdv_error_set(err, -EINVAL, "%s: \"root_hash\" length does not fit %s", path,
				  hash_alg_name(p->alg));
	if (r == 0)
		r = get_hex(root, path, "salt", p->salt, sizeof(p->salt), &salt_len, err);
	if (r == 0)
		r = get_uint(root, path, "data_blocks", INT64_MAX, &blocks, err);
	if (r == 0)
		r = get_uint(root, path, "data_block_size", 1U << 20, &dbs, err);
	if (r == 0)
		r = get_uint(root, path, "hash_block_size", 1U << 20, &hbs, err);
	json_object *cmdline = member(root, "cmdline", json_type_string);
	if (r == 0 && cmdline && !(m.cmdline = strdup(json_object_get_string(cmdline))))
		r = -ENOMEM;
	json_object_put(root);
	if (r < 0) {
		free(m.cmdline);
		return r;
	}
	p->salt_size = (uint16_t)salt_len;
	p->data_blocks = blocks;
	p->data_block_size = (uint32_t)dbs;
	p->hash_block_size = (uint32_t)hbs;
	*ret = m;
	return 0;
}

void build_manifest_done(struct build_manifest *m)
{
	free(m->cmdline);
	m->cmdline = NULL;
}

int build_manifest_rootfs_event(const struct build_manifest *m, uint8_t **ret_data,
				size_t *ret_len)
{
	return rootfs_event_data(&m->root, ret_data, ret_len);
}
