/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/image-source.h"
#include "core/util.h"

#include <blkid/blkid.h>
#include <json-c/json.h>
#include <string.h>
#include <strings.h>

/* Discoverable Partitions Specification type GUIDs (DESIGN.md decision 1). */
#define DPS_ROOT_X86_64 "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
#define DPS_ROOT_VERITY_X86_64 "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"
#define SECTOR_SIZE 512u
#define MANIFEST_MAX_DEPTH 32

const char *image_layout_name(enum image_layout layout)
{
	switch (layout) {
	case IMAGE_LAYOUT_GPT: return "gpt";
	case IMAGE_LAYOUT_KATA: return "kata";
	case IMAGE_LAYOUT_SPLIT: return "split";
	default: return "unknown";
	}
}

/* A field at the top level, else inside a "verity" object; NULL when absent. */
static struct json_object *field(struct json_object *top, const char *name)
{
	struct json_object *v, *verity;
	if (json_object_object_get_ex(top, name, &v))
		return v;
	if (json_object_object_get_ex(top, "verity", &verity) &&
	    json_object_is_type(verity, json_type_object) &&
	    json_object_object_get_ex(verity, name, &v))
		return v;
	return NULL;
}

static int get_u64(struct json_object *v, const char *name, uint64_t max, uint64_t *ret,
		   struct tdv_error *err)
{
	if (!json_object_is_type(v, json_type_int))
		return tdv_error_set(err, -EINVAL, "manifest: '%s' must be an integer", name);
	errno = 0;
	int64_t n = json_object_get_int64(v);
	/* json-c clamps values beyond int64 to INT64_MAX and sets errno: refuse those too. */
	if (n < 0 || errno != 0 || (uint64_t)n > max)
		return tdv_error_set(err, -EINVAL, "manifest: '%s' out of range", name);
	*ret = (uint64_t)n;
	return 0;
}

static int get_string(struct json_object *top, const char *name, bool required, const char **ret,
		      struct tdv_error *err)
{
	struct json_object *v = field(top, name);
	if (!v) {
		if (required)
			return tdv_error_set(err, -EINVAL, "manifest: '%s' missing", name);
		*ret = NULL;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return tdv_error_set(err, -EINVAL, "manifest: '%s' must be a string", name);
	*ret = json_object_get_string(v);
	return 0;
}

static int get_number(struct json_object *top, const char *name, bool required, uint64_t max,
		      uint64_t *ret, struct tdv_error *err)
{
	struct json_object *v = field(top, name);
	if (!v)
		return required ? tdv_error_set(err, -EINVAL, "manifest: '%s' missing", name) : 0;
	return get_u64(v, name, max, ret, err);
}

static int parse_layout(const char *s, enum image_layout *ret, struct tdv_error *err)
{
	static const enum image_layout all[] = { IMAGE_LAYOUT_GPT, IMAGE_LAYOUT_KATA,
						 IMAGE_LAYOUT_SPLIT };
	for (size_t i = 0; i < ELEMENTSOF(all); i++)
		if (strcmp(s, image_layout_name(all[i])) == 0) {
			*ret = all[i];
			return 0;
		}
	return tdv_error_set(err, -EINVAL, "manifest: unknown layout '%s'", s);
}

enum part_role { ROLE_NONE, ROLE_DATA, ROLE_HASH };

static enum part_role role_from_name(const char *s)
{
	static const char *const data_names[] = { "root", "data", "rootfs" };
	static const char *const hash_names[] = { "root-verity", "verity", "hash", "rootfs-verity" };
	for (size_t i = 0; s && i < ELEMENTSOF(data_names); i++)
		if (strcasecmp(s, data_names[i]) == 0)
			return ROLE_DATA;
	for (size_t i = 0; s && i < ELEMENTSOF(hash_names); i++)
		if (strcasecmp(s, hash_names[i]) == 0)
			return ROLE_HASH;
	return ROLE_NONE;
}

static enum part_role entry_role(const char *key, struct json_object *entry)
{
	static const char *const name_fields[] = { "role", "name", "label" };
	enum part_role role = role_from_name(key);
	for (size_t i = 0; role == ROLE_NONE && i < ELEMENTSOF(name_fields); i++) {
		struct json_object *v;
		if (json_object_object_get_ex(entry, name_fields[i], &v) &&
		    json_object_is_type(v, json_type_string))
			role = role_from_name(json_object_get_string(v));
	}
	return role;
}

/* A plain file name from the manifest (no path: never look outside the manifest's folder). */
static int file_name(struct json_object *obj, char out[256], struct tdv_error *err)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, "file", &v))
		return 0;
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	if (!s || !*s || strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strlen(s) >= 256)
		return tdv_error_set(err, -EINVAL, "manifest: 'file' must be a plain file name");
	strcpy(out, s);
	return 0;
}

static int partition_entry(const char *key, struct json_object *entry, struct image_manifest *m,
			   struct tdv_error *err)
{
	if (!json_object_is_type(entry, json_type_object))
		return tdv_error_set(err, -EINVAL, "manifest: partition entries must be objects");
	enum part_role role = entry_role(key, entry);
	if (role == ROLE_NONE)
		return 0; /* some other partition (ESP, ...) */

	struct json_object *v;
	uint64_t offset, size = 0;
	int r;
	if (json_object_object_get_ex(entry, "offset", &v)) {
		r = get_u64(v, "partitions[].offset", INT64_MAX, &offset, err);
	} else if (json_object_object_get_ex(entry, "start_lba", &v) ||
		   json_object_object_get_ex(entry, "first_lba", &v)) {
		r = get_u64(v, "partitions[].start_lba", INT64_MAX / SECTOR_SIZE, &offset, err);
		offset *= SECTOR_SIZE;
	} else {
		return tdv_error_set(err, -EINVAL, "manifest: %s partition has no offset",
				     role == ROLE_DATA ? "data" : "hash");
	}
	if (r < 0)
		return r;
	if (json_object_object_get_ex(entry, "size", &v)) {
		r = get_u64(v, "partitions[].size", INT64_MAX, &size, err);
		if (r < 0)
			return r;
	}
	r = file_name(entry, role == ROLE_DATA ? m->data_file : m->hash_file, err);
	if (r < 0)
		return r;
	bool *have = role == ROLE_DATA ? &m->have_data_partition : &m->have_hash_partition;
	if (*have)
		return tdv_error_set(err, -EINVAL, "manifest: two %s partitions",
				     role == ROLE_DATA ? "data" : "hash");
	*have = true;
	if (role == ROLE_DATA) {
		m->data_partition_offset = offset;
		m->data_partition_size = size;
	} else {
		m->hash_partition_offset = offset;
		m->hash_partition_size = size;
	}
	return 0;
}

static int parse_partitions(struct json_object *top, struct image_manifest *m, struct tdv_error *err)
{
	struct json_object *parts = field(top, "partitions");
	int r = 0;
	if (parts && json_object_is_type(parts, json_type_array)) {
		size_t n = json_object_array_length(parts);
		for (size_t i = 0; r >= 0 && i < n; i++)
			r = partition_entry(NULL, json_object_array_get_idx(parts, i), m, err);
	} else if (parts && json_object_is_type(parts, json_type_object)) {
		json_object_object_foreach(parts, key, entry)
		{
			r = partition_entry(key, entry, m, err);
			if (r < 0)
				break;
		}
	} else if (parts) {
		return tdv_error_set(err, -EINVAL, "manifest: 'partitions' must be an array or object");
	}
	if (r < 0)
		return r;

	struct json_object *disk = field(top, "disk");
	if (disk && json_object_is_type(disk, json_type_object)) {
		r = file_name(disk, m->disk_file, err);
		if (r < 0)
			return r;
	}

	/* Flat spellings, if the manifest uses those instead. */
	if (!m->have_data_partition && field(top, "data_partition_offset")) {
		r = get_number(top, "data_partition_offset", true, INT64_MAX, &m->data_partition_offset, err);
		m->have_data_partition = r >= 0;
	}
	if (r >= 0 && !m->have_hash_partition && field(top, "hash_partition_offset")) {
		r = get_number(top, "hash_partition_offset", true, INT64_MAX, &m->hash_partition_offset, err);
		m->have_hash_partition = r >= 0;
	}
	return r;
}

static int parse_salt(const char *hex, struct verity_params *p, struct tdv_error *err)
{
	size_t n = 0;
	if (strcmp(hex, "-") != 0 && hex_decode(hex, p->salt, sizeof(p->salt), &n) < 0)
		return tdv_error_set(err, -EINVAL, "manifest: 'salt' is not hex of at most %d bytes",
				     VERITY_MAX_SALT);
	p->salt_size = (uint16_t)n;
	return 0;
}

static int parse_verity(struct json_object *top, struct image_manifest *m, struct tdv_error *err)
{
	struct verity_params *p = &m->params;
	const char *alg, *root, *salt, *layout;
	uint64_t dbs, hbs;
	int r;

	if ((r = get_string(top, "hash_algorithm", true, &alg, err)) < 0 ||
	    (r = get_string(top, "root_hash", true, &root, err)) < 0 ||
	    (r = get_string(top, "salt", true, &salt, err)) < 0 ||
	    (r = get_string(top, "layout", false, &layout, err)) < 0 ||
	    (r = get_number(top, "data_blocks", true, UINT64_MAX, &p->data_blocks, err)) < 0 ||
	    (r = get_number(top, "data_block_size", true, UINT32_MAX, &dbs, err)) < 0 ||
	    (r = get_number(top, "hash_block_size", true, UINT32_MAX, &hbs, err)) < 0 ||
	    (r = get_number(top, "hash_offset", false, INT64_MAX, &p->hash_offset, err)) < 0)
		return r;
	if (hash_alg_from_name(alg, &p->alg) < 0)
		return tdv_error_set(err, -EINVAL, "manifest: unsupported hash_algorithm '%s'", alg);
	if (hex_decode_exact(root, m->root, hash_alg_size(p->alg)) < 0)
		return tdv_error_set(err, -EINVAL, "manifest: 'root_hash' is not a %s digest in hex",
				     alg);
	r = parse_salt(salt, p, err);
	if (r < 0)
		return r;
	p->data_block_size = (uint32_t)dbs;
	p->hash_block_size = (uint32_t)hbs;

	m->layout = IMAGE_LAYOUT_GPT;
	if (layout && (r = parse_layout(layout, &m->layout, err)) < 0)
		return r;
	p->superblock = m->layout != IMAGE_LAYOUT_KATA;
	struct json_object *sb = field(top, "superblock");
	if (sb) {
		if (!json_object_is_type(sb, json_type_boolean))
			return tdv_error_set(err, -EINVAL, "manifest: 'superblock' must be true or false");
		p->superblock = json_object_get_boolean(sb);
	}
	if (verity_params_validate(p) < 0)
		return tdv_error_set(err, -EINVAL,
				     "manifest: invalid verity parameters (block sizes, data_blocks, "
				     "hash_offset alignment)");
	return 0;
}

int image_manifest_parse(const char *json, size_t len, struct image_manifest *ret,
			 struct tdv_error *err)
{
	if (len > IMAGE_MANIFEST_MAX_SIZE || len > INT32_MAX)
		return tdv_error_set(err, -EFBIG, "manifest: larger than %u bytes",
				     IMAGE_MANIFEST_MAX_SIZE);
	struct json_tokener *tok = json_tokener_new_ex(MANIFEST_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	struct json_object *top = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t consumed = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!top || jerr != json_tokener_success || consumed != len) {
		/* Trailing whitespace is fine; anything else after the object is not. */
		bool only_space = top && jerr == json_tokener_success;
		for (size_t i = consumed; only_space && i < len; i++)
			only_space = strchr(" \t\r\n", json[i]) != NULL;
		if (!only_space) {
			json_object_put(top);
			return tdv_error_set(err, -EINVAL, "manifest: not valid JSON (%s)",
					     jerr != json_tokener_success ?
						     json_tokener_error_desc(jerr) :
						     "trailing data");
		}
	}
	if (!json_object_is_type(top, json_type_object)) {
		json_object_put(top);
		return tdv_error_set(err, -EINVAL, "manifest: top level is not a JSON object");
	}

	struct image_manifest m = { 0 };
	int r = parse_verity(top, &m, err);
	if (r >= 0)
		r = parse_partitions(top, &m, err);
	json_object_put(top);
	if (r < 0)
		return r;
	*ret = m;
	return 0;
}

int image_manifest_load(const char *path, struct image_manifest *ret, struct tdv_error *err)
{
	_cleanup_free_ uint8_t *data = NULL;
	size_t len;
	int r = read_full_file(path, IMAGE_MANIFEST_MAX_SIZE, &data, &len);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", path, strerror(-r));
	r = image_manifest_parse((const char *)data, len, ret, err);
	if (r < 0) {
		/* Prefix the file name to the message the parser left. */
		char msg[sizeof(err->msg)];
		if (err) {
			snprintf(msg, sizeof(msg), "%s", err->msg);
			tdv_error_set(err, r, "%s: %s", path, msg);
		}
	}
	return r;
}

static void blkid_probep(blkid_probe *pr)
{
	if (*pr)
		blkid_free_probe(*pr);
}

int image_partitions_probe(const char *path, struct image_partitions *ret, struct tdv_error *err)
{
	_cleanup_(blkid_probep) blkid_probe pr = blkid_new_probe_from_filename(path);
	if (!pr)
		return tdv_error_set(err, -EIO, "%s: cannot open for probing", path);
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	blkid_partlist list = blkid_probe_get_partitions(pr);
	blkid_parttable table = list ? blkid_partlist_get_table(list) : NULL;
	if (!table)
		return tdv_error_set(err, -EINVAL, "%s: no partition table", path);

	struct image_partitions parts = { 0 };
	const char *type = blkid_parttable_get_type(table);
	bool gpt = type && strcmp(type, "gpt") == 0;
	if (!gpt && !(type && strcmp(type, "dos") == 0))
		return tdv_error_set(err, -EINVAL, "%s: partition table '%s' is neither GPT nor MBR",
				     path, type ? type : "?");
	parts.layout = gpt ? IMAGE_LAYOUT_GPT : IMAGE_LAYOUT_KATA;

	bool have_data = false, have_hash = false;
	int n = blkid_partlist_numof_partitions(list);
	for (int i = 0; i < n; i++) {
		blkid_partition par = blkid_partlist_get_partition(list, i);
		enum part_role role = ROLE_NONE;
		if (gpt) {
			const char *t = blkid_partition_get_type_string(par);
			if (t && strcasecmp(t, DPS_ROOT_X86_64) == 0)
				role = ROLE_DATA;
			else if (t && strcasecmp(t, DPS_ROOT_VERITY_X86_64) == 0)
				role = ROLE_HASH;
		} else {
			int no = blkid_partition_get_partno(par);
			role = no == 1 ? ROLE_DATA : no == 2 ? ROLE_HASH : ROLE_NONE;
		}
		if (role == ROLE_NONE)
			continue;
		bool *have = role == ROLE_DATA ? &have_data : &have_hash;
		if (*have)
			return tdv_error_set(err, -EINVAL, "%s: two %s partitions", path,
					     role == ROLE_DATA ? "root" : "root-verity");
		*have = true;
		blkid_loff_t start = blkid_partition_get_start(par), size = blkid_partition_get_size(par);
		if (start < 0 || size < 0 || (uint64_t)start > INT64_MAX / SECTOR_SIZE ||
		    (uint64_t)size > INT64_MAX / SECTOR_SIZE)
			return tdv_error_set(err, -EINVAL, "%s: partition %d out of range", path, i + 1);
		uint64_t *off = role == ROLE_DATA ? &parts.data_offset : &parts.hash_offset;
		uint64_t *sz = role == ROLE_DATA ? &parts.data_size : &parts.hash_size;
		*off = (uint64_t)start * SECTOR_SIZE;
		*sz = (uint64_t)size * SECTOR_SIZE;
	}
	if (!have_data || !have_hash)
		return tdv_error_set(err, -EINVAL, "%s: no %s partition found%s", path,
				     have_data ? "root-verity (hash)" : "root (data)",
				     gpt ? " (by Discoverable Partitions type)" : " (MBR p1/p2)");
	*ret = parts;
	return 0;
}
