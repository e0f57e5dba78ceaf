/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.json: the one writer and the one strict reader (format in manifest.h).
 *
 * Threat (reader): the verifier predicts measurements and checks images from this file;
 * a reader that guesses (aliases, nested objects, defaults for what the builder always
 * writes) would accept a file that describes another volume than the one booted.
 */
#include "host/manifest.h"

#include "core/digest.h"
#include "core/measure.h"
#include "core/util.h"
#include "host/cleanup.h"
#include "host/json-text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_MAX_DEPTH 32
#define MBR_TYPE_LINUX "0x83"

void build_manifest_done(struct build_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_inputs; i++) {
		free(m->inputs[i].name);
		free(m->inputs[i].path);
	}
	free(m->inputs);
	for (size_t i = 0; i < m->n_outputs; i++)
		free(m->outputs[i].name);
	free(m->outputs);
	for (size_t i = 0; i < m->initrd.n_modules; i++)
		free(m->initrd.modules[i]);
	free(m->initrd.modules);
	free(m->seed);
	free(m->cmdline);
	*m = (struct build_manifest){ 0 };
}

/*
 * The rootfs event of the manifest's build (version 2 binds what runs): its volume and
 * the line /init obeys, the manifest's "cmdline".  1 (outputs NULL) when that line says
 * tdverity.measure=none or the boot is dm-init: nothing is measured.  -EINVAL without a
 * cmdline.
 */
static int manifest_event(const struct build_manifest *m, char **ret_content, uint8_t **ret_data,
			  size_t *ret_len)
{
	struct verity_cmdline v;
	bool dm_init = m->have_boot && m->boot == BUILD_BOOT_DM_INIT;
	if (!dm_init && (!m->cmdline || verity_cmdline_parse_text(m->cmdline, &v, NULL) < 0))
		return -EINVAL;
	/* dm-init: the kernel mounts the root, no /init of ours measures anything. */
	if (dm_init || v.measure == MEASURE_NONE) {
		if (ret_content)
			*ret_content = NULL;
		if (ret_data)
			*ret_data = NULL, *ret_len = 0;
		return 1;
	}
	v.root = m->root;
	int r = verity_cmdline_rootfs_event(&v, ret_content, ret_data, ret_len);
	return r < 0 ? r : 0;
}

int build_manifest_rootfs_event(const struct build_manifest *m, uint8_t **ret_data, size_t *ret_len)
{
	int r = manifest_event(m, NULL, ret_data, ret_len);
	return r < 0 ? r : 0;
}

/* A file name we look up next to the manifest: never a path. */
static bool plain_name(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	       strlen(s) < MANIFEST_NAME_MAX;
}

static bool is_data(const struct build_manifest_partition *p, const struct build_manifest *m)
{
	return p == &m->data;
}

/* ---- writer ------------------------------------------------------------------------- */

static int partition_json(const struct build_manifest *m, const struct build_manifest_partition *p,
			  json_object **ret)
{
	bool data = is_data(p, m);
	_cleanup_json_ json_object *o = json_object_new_object();
	int r = o ? 0 : -ENOMEM;
	if (r >= 0 && !plain_name(p->file))
		r = -EINVAL;
	if (r >= 0)
		r = json_add_str(o, "role", data ? "root" : "root-verity");
	if (r >= 0)
		r = json_add_u64(o, "offset", p->offset);
	if (r >= 0)
		r = json_add_u64(o, "size", p->size);
	if (r >= 0)
		r = json_add_str(o, "file", p->file);
	if (r >= 0 && m->layout != DISK_LAYOUT_SPLIT) {
		r = json_add_u64(o, "number", data ? 1 : 2);
		if (r >= 0 && m->layout == DISK_LAYOUT_KATA)
			r = json_add_str(o, "type", MBR_TYPE_LINUX);
	}
	if (r >= 0 && m->layout == DISK_LAYOUT_GPT) {
		r = json_add_str(o, "type", data ? DPS_ROOT_X86_64 : DPS_ROOT_VERITY_X86_64);
		if (r >= 0)
			r = json_add_str(o, "name", data ? DISK_PART_NAME_ROOT : DISK_PART_NAME_VERITY);
		if (r >= 0)
			r = json_add_uuid(o, "uuid", p->uuid);
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(o);
	return 0;
}

static int files_json(const struct build_manifest_file *f, size_t n, bool inputs, json_object **ret)
{
	_cleanup_json_ json_object *a = json_object_new_array();
	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		if (!o || json_object_array_add(a, o) < 0) {
			json_object_put(o);
			return -ENOMEM;
		}
		int r = json_add_str(o, inputs ? "role" : "name", f[i].name);
		if (r >= 0 && inputs)
			r = json_add_str(o, "path", f[i].path);
		if (r >= 0 && !inputs)
			r = json_add_u64(o, "size", f[i].size);
		if (r >= 0)
			r = json_add_hex(o, "sha256", f[i].sha256, 32);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(a);
	return 0;
}

static int provenance_json(const struct build_manifest *m, json_object *o)
{
	int r = 0;
	if (m->have_tool) {
		json_object *t = json_object_new_object();
		r = json_add_object(o, "tool", t);
		if (r >= 0)
			r = json_add_str(t, "name", m->tool_name);
		if (r >= 0)
			r = json_add_str(t, "version", m->tool_version);
	}
	if (r >= 0 && m->have_inputs) {
		json_object *a = NULL;
		r = files_json(m->inputs, m->n_inputs, true, &a);
		if (r >= 0)
			r = json_add_object(o, "inputs", a);
	}
	if (r >= 0 && m->seed)
		r = json_add_str(o, "seed", m->seed);
	if (r >= 0 && m->have_epoch)
		r = json_add_u64(o, "source_date_epoch", m->source_date_epoch);
	if (r >= 0 && m->have_filesystem) {
		json_object *fs = json_object_new_object();
		r = json_add_object(o, "filesystem", fs);
		if (r >= 0)
			r = json_add_str(fs, "type", "ext4");
		if (r >= 0)
			r = json_add_u64(fs, "size", m->filesystem.size);
		if (r >= 0)
			r = json_add_u64(fs, "timestamp", m->filesystem.timestamp);
		if (r >= 0)
			r = json_add_uuid(fs, "uuid", m->filesystem.uuid);
		if (r >= 0)
			r = json_add_uuid(fs, "hash_seed", m->filesystem.hash_seed);
	}
	if (r >= 0 && m->have_outputs) {
		json_object *a = NULL;
		r = files_json(m->outputs, m->n_outputs, false, &a);
		if (r >= 0)
			r = json_add_object(o, "outputs", a);
	}
	return r;
}

static int disk_json(const struct build_manifest *m, json_object *o)
{
	if (!m->have_disk)
		return 0;
	if (m->layout == DISK_LAYOUT_SPLIT || !plain_name(m->disk.file))
		return -EINVAL;
	json_object *d = json_object_new_object();
	int r = json_add_object(o, "disk", d);
	if (r >= 0)
		r = json_add_str(d, "file", m->disk.file);
	if (r >= 0)
		r = json_add_u64(d, "size", m->disk.size);
	if (r >= 0)
		r = json_add_str(d, "label", m->layout == DISK_LAYOUT_GPT ? "gpt" : "dos");
	if (r >= 0 && m->layout == DISK_LAYOUT_GPT)
		r = json_add_uuid(d, "guid", m->disk.guid);
	if (r >= 0 && m->layout == DISK_LAYOUT_KATA) {
		char id[16];
		snprintf(id, sizeof(id), "0x%08" PRIx32, m->disk.mbr_id);
		r = json_add_str(d, "id", id);
	}
	return r;
}

static int initrd_json(const struct build_manifest *m, json_object *o)
{
	if (!m->have_initrd)
		return 0;
	if (!plain_name(m->initrd.file))
		return -EINVAL;
	json_object *i = json_object_new_object(), *mods = json_object_new_array();
	int r = json_add_object(o, "initrd", i);
	if (r >= 0)
		r = json_add_object(i, "modules", mods);
	else
		json_object_put(mods);
	if (r >= 0)
		r = json_add_str(i, "file", m->initrd.file);
	if (r >= 0)
		r = json_add_hex(i, "init_sha256", m->initrd.init_sha256, 32);
	for (size_t k = 0; r >= 0 && k < m->initrd.n_modules; k++) {
		json_object *s = json_object_new_string(m->initrd.modules[k]);
		if (!s || json_object_array_add(mods, s) < 0) {
			json_object_put(s);
			r = -ENOMEM;
		}
	}
	return r;
}

static int rootfs_event_json(const struct build_manifest *m, json_object *o)
{
	_cleanup_free_ char *content = NULL;
	_cleanup_free_ uint8_t *data = NULL;
	size_t len;
	uint8_t d[SHA384_SIZE];
	int r = manifest_event(m, &content, &data, &len);
	if (r > 0)
		return 0; /* tdverity.measure=none: no event */
	if (r >= 0)
		r = digest_buf(HASH_SHA384, data, len, d);
	if (r < 0)
		return r;
	json_object *ev = json_object_new_object();
	r = json_add_object(o, "rootfs_event", ev);
	if (r >= 0)
		r = json_add_str(ev, "domain", ROOTFS_EVENT_DOMAIN);
	if (r >= 0)
		r = json_add_str(ev, "operation", ROOTFS_EVENT_OPERATION);
	if (r >= 0)
		r = json_add_str(ev, "content", content);
	if (r >= 0)
		r = json_add_hex(ev, "sha384", d, sizeof(d));
	return r;
}

static int volume_json(const struct build_manifest *m, json_object *o)
{
	const struct verity_params *p = &m->root.params;
	const char *layout = disk_layout_name(m->layout);
	if (!layout || verity_params_validate(p) < 0 ||
	    (m->have_verity_uuid && !p->superblock))
		return -EINVAL;
	int r = json_add_str(o, "layout", layout);
	if (r >= 0)
		r = json_add_str(o, "hash_algorithm", hash_alg_name(p->alg));
	if (r >= 0)
		r = json_add_hex(o, "root_hash", m->root.root_hash, hash_alg_size(p->alg));
	if (r >= 0)
		r = json_add_hex(o, "salt", p->salt, p->salt_size);
	if (r >= 0)
		r = json_add_u64(o, "data_blocks", p->data_blocks);
	if (r >= 0)
		r = json_add_u64(o, "data_block_size", p->data_block_size);
	if (r >= 0)
		r = json_add_u64(o, "hash_block_size", p->hash_block_size);
	if (r >= 0)
		r = json_add_u64(o, "hash_offset", p->hash_offset);
	if (r >= 0)
		r = json_add_bool(o, "superblock", p->superblock);
	if (r >= 0 && m->have_verity_uuid)
		r = json_add_uuid(o, "verity_uuid", p->uuid);
	if (r >= 0 && m->cmdline)
		r = json_add_str(o, "cmdline", m->cmdline);

	json_object *parts = json_object_new_array(), *part = NULL;
	if (r >= 0)
		r = json_add_object(o, "partitions", parts);
	else
		json_object_put(parts);
	for (int i = 0; r >= 0 && i < 2; i++) {
		r = partition_json(m, i == 0 ? &m->data : &m->hash, &part);
		if (r >= 0 && json_object_array_add(parts, part) < 0) {
			json_object_put(part);
			r = -ENOMEM;
		}
	}
	return r;
}

static const char *const boot_names[] = {
	[BUILD_BOOT_INITRD] = "initrd",
	[BUILD_BOOT_DM_INIT] = "dm-init",
	[BUILD_BOOT_BUILTIN_INITRAMFS] = "builtin-initramfs",
};

const char *build_boot_name(enum build_boot b)
{
	return (size_t)b < ELEMENTSOF(boot_names) ? boot_names[b] : NULL;
}

int build_boot_from_name(const char *name, enum build_boot *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(boot_names); i++)
		if (strcmp(name, boot_names[i]) == 0) {
			*ret = (enum build_boot)i;
			return 0;
		}
	return -EINVAL;
}

int build_manifest_write_json(const struct build_manifest *m, char **ret_text)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	int r = volume_json(m, o);
	if (r >= 0 && m->have_boot)
		r = build_boot_name(m->boot) ? json_add_str(o, "boot", build_boot_name(m->boot))
					     : -EINVAL;
	if (r >= 0)
		r = provenance_json(m, o);
	if (r >= 0)
		r = disk_json(m, o);
	if (r >= 0)
		r = initrd_json(m, o);
	if (r >= 0)
		r = rootfs_event_json(m, o);
	if (r < 0)
		return r;
	return json_text_sorted(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED, "\n", ret_text);
}

/* ---- reader ------------------------------------------------------------------------- */

static int bad(struct tdv_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct tdv_error *err, const char *fmt, ...)
{
	char msg[sizeof(((struct tdv_error *)0)->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tdv_error_set(err, -EINVAL, "manifest: %s", msg);
}

/* Every member of o must be one of allowed (NULL-terminated). */
static int only_members(json_object *o, const char *where, const char *const *allowed,
			struct tdv_error *err)
{
	json_object_object_foreach(o, key, v)
	{
		(void)v;
		bool known = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = strcmp(key, allowed[i]) == 0;
		if (!known)
			return bad(err, "%s: unknown member '%s'", where, key);
	}
	return 0;
}

/* 1 and *ret when present with the type, 0 when absent (-EINVAL when required). */
static int member(json_object *o, const char *where, const char *key, json_type type,
		  bool required, json_object **ret, struct tdv_error *err)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			return bad(err, "%s'%s' missing", where, key);
		return 0;
	}
	if (!json_object_is_type(v, type))
		return bad(err, "%s'%s' must be %s", where, key,
			   type == json_type_string    ? "a string"
			   : type == json_type_int     ? "an integer"
			   : type == json_type_boolean ? "true or false"
			   : type == json_type_array   ? "an array"
						       : "an object");
	*ret = v;
	return 1;
}

static int get_str(json_object *o, const char *where, const char *key, bool required,
		   const char **ret, struct tdv_error *err)
{
	json_object *v = NULL;
	int r = member(o, where, key, json_type_string, required, &v, err);
	if (r > 0)
		*ret = json_object_get_string(v);
	return r;
}

static int get_u64(json_object *o, const char *where, const char *key, bool required,
		   uint64_t min, uint64_t max, uint64_t *ret, struct tdv_error *err)
{
	json_object *v = NULL;
	int r = member(o, where, key, json_type_int, required, &v, err);
	if (r <= 0)
		return r;
	/* json-c clamps what does not fit int64 to INT64_MAX (and uint64 to UINT64_MAX):
	 * a value that reads differently both ways was clamped, so refuse it. */
	int64_t n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n != json_object_get_uint64(v) || (uint64_t)n < min ||
	    (uint64_t)n > max)
		return bad(err, "%s'%s' out of range [%" PRIu64 ", %" PRIu64 "]", where, key, min,
			   max);
	*ret = (uint64_t)n;
	return 1;
}

static int get_bool(json_object *o, const char *where, const char *key, bool *ret,
		    struct tdv_error *err)
{
	json_object *v = NULL;
	int r = member(o, where, key, json_type_boolean, true, &v, err);
	if (r > 0)
		*ret = json_object_get_boolean(v);
	return r;
}

/* Lower-case hex as the writer spells it, of exactly len bytes (or up to max). */
static int get_hex(json_object *o, const char *where, const char *key, bool required,
		   uint8_t *out, size_t max, bool exact, size_t *ret_len, struct tdv_error *err)
{
	const char *s = NULL;
	size_t n = 0;
	int r = get_str(o, where, key, required, &s, err);
	if (r <= 0)
		return r;
	bool ok = strlen(s) % 2 == 0 && strlen(s) <= 2 * max && strspn(s, "0123456789abcdef") ==
								       strlen(s);
	if (ok && *s)
		ok = hex_decode(s, out, max, &n) == 0;
	if (!ok || (exact && n != max))
		return bad(err, "%s'%s' is not %zu%s bytes of lower-case hex", where, key, max,
			   exact ? "" : " or fewer");
	if (ret_len)
		*ret_len = n;
	return 1;
}

static int get_uuid(json_object *o, const char *where, const char *key, bool required,
		    uint8_t out[16], struct tdv_error *err)
{
	const char *s = NULL;
	int r = get_str(o, where, key, required, &s, err);
	if (r <= 0)
		return r;
	char hex[33], again[37];
	size_t n = 0;
	for (const char *c = s; *c && n < 32; c++)
		if (*c != '-')
			hex[n++] = *c;
	hex[n] = '\0';
	if (strlen(s) != 36 || n != 32 || hex_decode_exact(hex, out, 16) < 0)
		return bad(err, "%s'%s' is not a UUID", where, key);
	disk_uuid_format(out, again);
	if (strcmp(again, s) != 0)
		return bad(err, "%s'%s' is not a lower-case 8-4-4-4-12 UUID", where, key);
	return 1;
}

static int get_name(json_object *o, const char *where, const char *key, bool required,
		    char out[MANIFEST_NAME_MAX], struct tdv_error *err)
{
	const char *s = NULL;
	int r = get_str(o, where, key, required, &s, err);
	if (r <= 0)
		return r;
	if (!plain_name(s))
		return bad(err, "%s'%s' must be a plain file name", where, key);
	strcpy(out, s);
	return 1;
}

static int get_exact(json_object *o, const char *where, const char *key, const char *want,
		     struct tdv_error *err)
{
	const char *s = NULL;
	int r = get_str(o, where, key, true, &s, err);
	if (r < 0)
		return r;
	if (strcmp(s, want) != 0)
		return bad(err, "%s'%s' must be \"%s\"", where, key, want);
	return 0;
}

static int read_volume(json_object *top, struct build_manifest *m, struct tdv_error *err)
{
	struct verity_params *p = &m->root.params;
	const char *s = NULL;
	uint64_t v;
	size_t n;
	int r;

	if ((r = get_str(top, "", "layout", true, &s, err)) < 0)
		return r;
	if (disk_layout_from_name(s, &m->layout) < 0)
		return bad(err, "unknown layout '%s'", s);
	if ((r = get_str(top, "", "hash_algorithm", true, &s, err)) < 0)
		return r;
	if (hash_alg_from_name(s, &p->alg) < 0)
		return bad(err, "unsupported hash_algorithm '%s'", s);
	if ((r = get_hex(top, "", "root_hash", true, m->root.root_hash, hash_alg_size(p->alg),
			 true, NULL, err)) < 0 ||
	    (r = get_hex(top, "", "salt", true, p->salt, VERITY_MAX_SALT, false, &n, err)) < 0)
		return r;
	p->salt_size = (uint16_t)n;
	if ((r = get_u64(top, "", "data_blocks", true, 1, INT64_MAX, &p->data_blocks, err)) < 0 ||
	    (r = get_u64(top, "", "data_block_size", true, 512, 1U << 20, &v, err)) < 0)
		return r;
	p->data_block_size = (uint32_t)v;
	if ((r = get_u64(top, "", "hash_block_size", true, 512, 1U << 20, &v, err)) < 0)
		return r;
	p->hash_block_size = (uint32_t)v;
	if ((r = get_u64(top, "", "hash_offset", true, 0, INT64_MAX, &p->hash_offset, err)) < 0 ||
	    (r = get_bool(top, "", "superblock", &p->superblock, err)) < 0)
		return r;
	if (verity_params_validate(p) < 0)
		return bad(err, "invalid verity parameters (block sizes, data_blocks, hash_offset "
				"alignment)");
	if (p->superblock != (bool)disk_layout_has_superblock(m->layout))
		return bad(err, "'superblock' must be %s for layout %s",
			   disk_layout_has_superblock(m->layout) ? "true" : "false",
			   disk_layout_name(m->layout));
	r = get_uuid(top, "", "verity_uuid", false, p->uuid, err);
	if (r < 0)
		return r;
	m->have_verity_uuid = r > 0;
	if (m->have_verity_uuid && !p->superblock)
		return bad(err, "'verity_uuid' without a superblock");
	return 0;
}

static int read_partition(json_object *o, struct build_manifest *m, struct build_manifest_partition *p,
			  struct tdv_error *err)
{
	static const char *const allowed[] = { "role", "offset", "size", "file", "number",
					       "type", "name", "uuid", NULL };
	bool data = is_data(p, m);
	const char *where = data ? "partitions[0] (root): " : "partitions[1] (root-verity): ";
	bool disk = m->layout != DISK_LAYOUT_SPLIT, gpt = m->layout == DISK_LAYOUT_GPT;
	uint64_t number = 0;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return bad(err, "%smust be an object", where);
	if ((r = only_members(o, where, allowed, err)) < 0 ||
	    (r = get_exact(o, where, "role", data ? "root" : "root-verity", err)) < 0 ||
	    (r = get_u64(o, where, "offset", true, 0, INT64_MAX, &p->offset, err)) < 0 ||
	    (r = get_u64(o, where, "size", true, 1, INT64_MAX, &p->size, err)) < 0 ||
	    (r = get_name(o, where, "file", true, p->file, err)) < 0)
		return r;
	/* What the writer leaves out for a layout must be absent too. */
	static const char *const disk_only[] = { "number", "type" }, *const gpt_only[] = { "name", "uuid" };
	for (size_t i = 0; i < 2; i++) {
		if (!disk && json_object_object_get_ex(o, disk_only[i], NULL))
			return bad(err, "%s'%s' in a split layout", where, disk_only[i]);
		if (!gpt && json_object_object_get_ex(o, gpt_only[i], NULL))
			return bad(err, "%s'%s' outside a gpt layout", where, gpt_only[i]);
	}
	if (!disk)
		return 0;
	if ((r = get_u64(o, where, "number", true, data ? 1 : 2, data ? 1 : 2, &number, err)) < 0)
		return r;
	p->number = (unsigned)number;
	if (!gpt)
		return get_exact(o, where, "type", MBR_TYPE_LINUX, err);

	struct disk_ids ids;
	if ((r = get_exact(o, where, "type", data ? DPS_ROOT_X86_64 : DPS_ROOT_VERITY_X86_64,
			   err)) < 0 ||
	    (r = get_exact(o, where, "name", data ? DISK_PART_NAME_ROOT : DISK_PART_NAME_VERITY,
			   err)) < 0 ||
	    (r = get_uuid(o, where, "uuid", true, p->uuid, err)) < 0)
		return r;
	p->have_uuid = true;
	/* The cmdline finds the partitions by these UUIDs; the builder takes them from the
	 * root hash (disk-image.h).  Any other value names other partitions. */
	if (disk_uuids_from_root_hash(m->root.root_hash, hash_alg_size(m->root.params.alg),
				      &ids) < 0 ||
	    memcmp(p->uuid, data ? ids.data_uuid : ids.hash_uuid, 16) != 0)
		return bad(err, "%s'uuid' is not the one the root hash gives", where);
	return 0;
}

static int read_partitions(json_object *top, struct build_manifest *m, struct tdv_error *err)
{
	json_object *a = NULL;
	int r = member(top, "", "partitions", json_type_array, true, &a, err);
	if (r < 0)
		return r;
	if (json_object_array_length(a) != 2)
		return bad(err, "'partitions' must hold exactly root and root-verity");
	r = read_partition(json_object_array_get_idx(a, 0), m, &m->data, err);
	if (r >= 0)
		r = read_partition(json_object_array_get_idx(a, 1), m, &m->hash, err);
	return r;
}

static int read_files(json_object *top, const char *key, bool inputs, struct build_manifest_file **ret,
		      size_t *ret_n, bool *ret_have, struct tdv_error *err)
{
	static const char *const in_allowed[] = { "role", "path", "sha256", NULL };
	static const char *const out_allowed[] = { "name", "size", "sha256", NULL };
	json_object *a = NULL;
	int r = member(top, "", key, json_type_array, false, &a, err);
	if (r <= 0)
		return r;
	size_t n = json_object_array_length(a);
	struct build_manifest_file *f = calloc(n ? n : 1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	*ret = f;
	*ret_have = true;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		char where[48];
		const char *name = NULL, *path = NULL;
		snprintf(where, sizeof(where), "%s[%zu]: ", key, i);
		if (!json_object_is_type(o, json_type_object))
			return bad(err, "%smust be an object", where);
		if ((r = only_members(o, where, inputs ? in_allowed : out_allowed, err)) < 0 ||
		    (r = get_str(o, where, inputs ? "role" : "name", true, &name, err)) < 0 ||
		    (inputs && (r = get_str(o, where, "path", true, &path, err)) < 0) ||
		    (!inputs && (r = get_u64(o, where, "size", true, 0, INT64_MAX, &f[i].size, err)) < 0) ||
		    (r = get_hex(o, where, "sha256", true, f[i].sha256, 32, true, NULL, err)) < 0)
			return r;
		if (!inputs && !plain_name(name))
			return bad(err, "%s'name' must be a plain file name", where);
		f[i].name = strdup(name);
		f[i].path = path ? strdup(path) : NULL;
		*ret_n = i + 1;
		if (!f[i].name || (path && !f[i].path))
			return -ENOMEM;
	}
	return 0;
}

static int read_provenance(json_object *top, struct build_manifest *m, struct tdv_error *err)
{
	static const char *const tool_allowed[] = { "name", "version", NULL };
	static const char *const fs_allowed[] = { "type", "size", "timestamp", "uuid",
						  "hash_seed", NULL };
	json_object *o = NULL;
	const char *s = NULL, *v = NULL;
	int r = member(top, "", "tool", json_type_object, false, &o, err);
	if (r > 0) {
		if ((r = only_members(o, "tool: ", tool_allowed, err)) < 0 ||
		    (r = get_str(o, "tool: ", "name", true, &s, err)) < 0 ||
		    (r = get_str(o, "tool: ", "version", true, &v, err)) < 0)
			return r;
		if (strlen(s) >= sizeof(m->tool_name) || strlen(v) >= sizeof(m->tool_version))
			return bad(err, "tool: name or version too long");
		strcpy(m->tool_name, s);
		strcpy(m->tool_version, v);
		m->have_tool = true;
	}
	if (r < 0 ||
	    (r = read_files(top, "inputs", true, &m->inputs, &m->n_inputs, &m->have_inputs, err)) < 0 ||
	    (r = read_files(top, "outputs", false, &m->outputs, &m->n_outputs, &m->have_outputs,
			    err)) < 0 ||
	    (r = get_str(top, "", "seed", false, &s, err)) < 0)
		return r;
	if (r > 0 && !(m->seed = strdup(s)))
		return -ENOMEM;
	r = get_u64(top, "", "source_date_epoch", false, 1, UINT32_MAX, &m->source_date_epoch, err);
	if (r < 0)
		return r;
	m->have_epoch = r > 0;

	r = member(top, "", "filesystem", json_type_object, false, &o, err);
	if (r <= 0)
		return r;
	const char *w = "filesystem: ";
	if ((r = only_members(o, w, fs_allowed, err)) < 0 || (r = get_exact(o, w, "type", "ext4", err)) < 0 ||
	    (r = get_u64(o, w, "size", true, 1, INT64_MAX, &m->filesystem.size, err)) < 0 ||
	    (r = get_u64(o, w, "timestamp", true, 1, UINT32_MAX, &m->filesystem.timestamp, err)) < 0 ||
	    (r = get_uuid(o, w, "uuid", true, m->filesystem.uuid, err)) < 0 ||
	    (r = get_uuid(o, w, "hash_seed", true, m->filesystem.hash_seed, err)) < 0)
		return r;
	m->have_filesystem = true;
	return 0;
}

static int read_disk(json_object *top, struct build_manifest *m, struct tdv_error *err)
{
	static const char *const gpt_allowed[] = { "file", "size", "label", "guid", NULL };
	static const char *const dos_allowed[] = { "file", "size", "label", "id", NULL };
	json_object *o = NULL;
	const char *w = "disk: ", *id = NULL;
	int r = member(top, "", "disk", json_type_object, false, &o, err);
	if (r <= 0)
		return r;
	if (m->layout == DISK_LAYOUT_SPLIT)
		return bad(err, "'disk' in a split layout");
	bool gpt = m->layout == DISK_LAYOUT_GPT;
	if ((r = only_members(o, w, gpt ? gpt_allowed : dos_allowed, err)) < 0 ||
	    (r = get_name(o, w, "file", true, m->disk.file, err)) < 0 ||
	    (r = get_u64(o, w, "size", true, 1, INT64_MAX, &m->disk.size, err)) < 0 ||
	    (r = get_exact(o, w, "label", gpt ? "gpt" : "dos", err)) < 0)
		return r;
	if (gpt)
		r = get_uuid(o, w, "guid", true, m->disk.guid, err);
	else if ((r = get_str(o, w, "id", true, &id, err)) >= 0) {
		char again[16];
		unsigned long v = strtoul(id, NULL, 16);
		snprintf(again, sizeof(again), "0x%08lx", v);
		if (strlen(id) != 10 || strcmp(again, id) != 0 || v > UINT32_MAX)
			return bad(err, "disk: 'id' is not 0x and 8 lower-case hex digits");
		m->disk.mbr_id = (uint32_t)v;
	}
	if (r < 0)
		return r;
	m->have_disk = true;
	return 0;
}

static int read_initrd(json_object *top, struct build_manifest *m, struct tdv_error *err)
{
	static const char *const allowed[] = { "file", "init_sha256", "modules", NULL };
	json_object *o = NULL, *mods = NULL;
	const char *w = "initrd: ";
	int r = member(top, "", "initrd", json_type_object, false, &o, err);
	if (r <= 0)
		return r;
	if ((r = only_members(o, w, allowed, err)) < 0 ||
	    (r = get_name(o, w, "file", true, m->initrd.file, err)) < 0 ||
	    (r = get_hex(o, w, "init_sha256", true, m->initrd.init_sha256, 32, true, NULL, err)) < 0 ||
	    (r = member(o, w, "modules", json_type_array, true, &mods, err)) < 0)
		return r;
	size_t n = json_object_array_length(mods);
	m->initrd.modules = calloc(n ? n : 1, sizeof(char *));
	if (!m->initrd.modules)
		return -ENOMEM;
	m->have_initrd = true;
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(mods, i);
		if (!json_object_is_type(s, json_type_string) || !plain_name(json_object_get_string(s)))
			return bad(err, "initrd: 'modules' must hold plain file names");
		if (!(m->initrd.modules[i] = strdup(json_object_get_string(s))))
			return -ENOMEM;
		m->initrd.n_modules = i + 1;
	}
	return 0;
}

/* The event the manifest states must be the one its volume gives. */
static int read_rootfs_event(json_object *top, struct build_manifest *m, struct tdv_error *err)
{
	static const char *const allowed[] = { "domain", "operation", "content", "sha384", NULL };
	json_object *o = NULL;
	const char *w = "rootfs_event: ", *content = NULL;
	uint8_t stated[SHA384_SIZE], d[SHA384_SIZE];
	int r = member(top, "", "rootfs_event", json_type_object, false, &o, err);
	if (r <= 0)
		return r;
	if ((r = only_members(o, w, allowed, err)) < 0 ||
	    (r = get_exact(o, w, "domain", ROOTFS_EVENT_DOMAIN, err)) < 0 ||
	    (r = get_exact(o, w, "operation", ROOTFS_EVENT_OPERATION, err)) < 0 ||
	    (r = get_str(o, w, "content", true, &content, err)) < 0 ||
	    (r = get_hex(o, w, "sha384", true, stated, sizeof(stated), true, NULL, err)) < 0)
		return r;
	_cleanup_free_ char *want = NULL;
	_cleanup_free_ uint8_t *data = NULL;
	size_t len;
	if (!m->cmdline && !(m->have_boot && m->boot == BUILD_BOOT_DM_INIT))
		return bad(err, "rootfs_event: the manifest has no 'cmdline', which the event binds");
	r = manifest_event(m, &want, &data, &len);
	if (r > 0)
		return bad(err, "rootfs_event: this boot measures nothing (tdverity.measure=none "
				"or dm-init)");
	if (r < 0 || digest_buf(HASH_SHA384, data, len, d) < 0)
		return bad(err, "rootfs_event: cannot be rebuilt from the manifest's cmdline");
	if (strcmp(content, want) != 0 || !digest_equal(stated, d, sizeof(d)))
		return bad(err, "rootfs_event: not the event of the manifest's volume");
	m->have_rootfs_event = true;
	return 0;
}

static int read_all(json_object *top, struct build_manifest *m, struct tdv_error *err)
{
	static const char *const allowed[] = {
		"tool", "inputs", "seed", "source_date_epoch", "layout", "hash_algorithm",
		"root_hash", "salt", "data_blocks", "data_block_size", "hash_block_size",
		"hash_offset", "superblock", "verity_uuid", "cmdline", "filesystem",
		"partitions", "disk", "outputs", "initrd", "rootfs_event", "boot", NULL,
	};
	const char *cmdline = NULL, *boot = NULL;
	int r;
	if ((r = only_members(top, "top level", allowed, err)) < 0 ||
	    (r = read_volume(top, m, err)) < 0 || (r = read_partitions(top, m, err)) < 0 ||
	    (r = read_provenance(top, m, err)) < 0 || (r = read_disk(top, m, err)) < 0 ||
	    (r = read_initrd(top, m, err)) < 0 ||
	    (r = get_str(top, "", "boot", false, &boot, err)) < 0)
		return r;
	if (r > 0) {
		if (build_boot_from_name(boot, &m->boot) < 0)
			return bad(err, "boot: expected initrd, dm-init or builtin-initramfs");
		m->have_boot = true;
		/* dm-init has no init of ours: no initrd, no tdverity cmdline. */
		if (m->boot == BUILD_BOOT_DM_INIT && m->have_initrd)
			return bad(err, "boot: dm-init and an initrd exclude each other");
	}
	if ((r = get_str(top, "", "cmdline", false, &cmdline, err)) < 0)
		return r;
	if (r > 0) {
		struct tdv_error why = { { 0 } };
		bool dm_init = m->have_boot && m->boot == BUILD_BOOT_DM_INIT;
		if (dm_init ? build_manifest_check_dm_init(m, cmdline, &why) < 0
			    : build_manifest_check_cmdline(m, cmdline, NULL, &why) < 0)
			return bad(err, "'cmdline' disagrees with the manifest: %s", why.msg);
		if (!(m->cmdline = strdup(cmdline)))
			return -ENOMEM;
	}
	/* After the cmdline: the event binds what the line runs. */
	return read_rootfs_event(top, m, err);
}

int build_manifest_parse(const char *json, size_t len, struct build_manifest *ret, struct tdv_error *err)
{
	if (len > MANIFEST_MAX_SIZE)
		return tdv_error_set(err, -EFBIG, "manifest: larger than %u bytes", MANIFEST_MAX_SIZE);
	json_tokener *tok = json_tokener_new_ex(MANIFEST_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	_cleanup_json_ json_object *top = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	/* A NUL inside the text would end json-c's view of it early: refuse. */
	if (!top || jerr != json_tokener_success || memchr(json, 0, len))
		return bad(err, "not valid JSON (%s)",
			   jerr != json_tokener_success ? json_tokener_error_desc(jerr) : "NUL byte");
	for (size_t i = end; i < len; i++)
		if (!strchr(" \t\r\n", json[i]))
			return bad(err, "not valid JSON (trailing data)");
	if (!json_object_is_type(top, json_type_object))
		return bad(err, "top level is not a JSON object");

	struct build_manifest m = { 0 };
	int r = read_all(top, &m, err);
	if (r < 0) {
		build_manifest_done(&m);
		return r == -ENOMEM ? tdv_error_set(err, r, "manifest: out of memory") : r;
	}
	*ret = m;
	return 0;
}

int build_manifest_load(const char *path, struct build_manifest *ret, struct tdv_error *err)
{
	_cleanup_free_ uint8_t *data = NULL;
	size_t len;
	int r = read_full_file(path, MANIFEST_MAX_SIZE, &data, &len);
	if (r < 0)
		return tdv_error_set(err, r, "%s: cannot read: %s", path, strerror(-r));
	r = build_manifest_parse((const char *)data, len, ret, err);
	if (r < 0 && err) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		tdv_error_set(err, r, "%s: %s", path, msg);
	}
	return r;
}

/* ---- the cmdline against the manifest ----------------------------------------------- */

int build_manifest_check_cmdline(const struct build_manifest *m, const char *cmdline,
			   struct verity_cmdline *ret, struct tdv_error *err)
{
	const struct verity_params *want = &m->root.params;
	struct verity_cmdline v;
	struct cmdline *c = NULL;
	const char *why = NULL;
	char data[DISK_SELECTOR_MAX], hash[DISK_SELECTOR_MAX];
	static const uint8_t no_uuid[16];

	if (!cmdline || cmdline_parse(cmdline, &c) < 0)
		return tdv_error_set(err, -EINVAL, "the cmdline has an unterminated quote");
	int r = verity_cmdline_parse(c, &v, &why);
	if (r >= 0)
		r = cmdline_screen(c, CMDLINE_SCOPE_BOOTED, &why);
	cmdline_free(c);
	if (r < 0)
		return tdv_error_set(err, -EINVAL, "the cmdline, read as /init reads it: %s", why);

	const struct verity_params *got = &v.root.params;
	const char *field = NULL;
	if (got->alg != want->alg)
		field = "hash=";
	else if (!digest_equal(v.root.root_hash, m->root.root_hash, hash_alg_size(want->alg)))
		field = "roothash=";
	else if (got->salt_size != want->salt_size ||
		 memcmp(got->salt, want->salt, want->salt_size) != 0)
		field = "salt=";
	else if (got->data_block_size != want->data_block_size)
		field = "data-block-size=";
	else if (got->hash_block_size != want->hash_block_size)
		field = "hash-block-size=";
	else if (got->data_blocks != want->data_blocks)
		field = "data-blocks=";
	else if (got->hash_offset != want->hash_offset)
		field = "hash-offset=";
	else if (got->superblock != want->superblock)
		field = "superblock=";
	else if (memcmp(got->uuid, no_uuid, 16) != 0 &&
		 (!m->have_verity_uuid || memcmp(got->uuid, want->uuid, 16) != 0))
		field = "uuid=";
	if (field)
		return tdv_error_set(err, -EINVAL, "the cmdline's %s differs from the manifest's",
				     field);
	if (disk_layout_selectors(m->layout, m->root.root_hash, hash_alg_size(want->alg), data,
				  hash) < 0)
		return tdv_error_set(err, -EINVAL, "no devices for layout %d", (int)m->layout);
	if (strcmp(v.data_device, data) != 0 || strcmp(v.hash_device, hash) != 0)
		return tdv_error_set(err, -EINVAL,
				     "the cmdline's devices (%s, %s) are not the %s layout's (%s, %s)",
				     v.data_device, v.hash_device, disk_layout_name(m->layout), data,
				     hash);
	if (ret)
		*ret = v;
	return 0;
}

bool build_manifest_cmdline_is_dm_init(const char *cmdline)
{
	struct cmdline *c = NULL;
	if (!cmdline || cmdline_parse(cmdline, &c) < 0)
		return false;
	bool dm = cmdline_count(c, "dm-mod.create") > 0 && cmdline_count(c, "roothash") == 0;
	cmdline_free(c);
	return dm;
}

int build_manifest_check_dm_init(const struct build_manifest *m, const char *cmdline,
				 struct tdv_error *err)
{
	char data[DISK_SELECTOR_MAX], hash[DISK_SELECTOR_MAX];
	struct cmdline *c = NULL;
	_cleanup_free_ char *want = NULL;
	if (!cmdline || cmdline_parse(cmdline, &c) < 0)
		return tdv_error_set(err, -EINVAL, "the cmdline has an unterminated quote");
	disk_layout_device_paths(m->layout, data, hash);
	int r = cmdline_dm_mod_create_value(&m->root, data, hash, &want);
	const char *why = NULL;
	if (r < 0)
		why = "the manifest's volume cannot be written as a dm-mod.create= table";
	else if (cmdline_count(c, "dm-mod.create") != 1)
		why = "dm-mod.create= must appear once";
	else {
		/* cmdline_parse() removed the quotes; the formatter's value carries them. */
		size_t n = strlen(want);
		const char *got = cmdline_get_unique(c, "dm-mod.create");
		if (!got || n < 2 || strlen(got) != n - 2 || strncmp(got, want + 1, n - 2) != 0)
			why = "dm-mod.create= is not the manifest's volume on the layout's devices";
		else if (!cmdline_get_unique(c, "root") ||
			 strcmp(cmdline_get_unique(c, "root"), "/dev/dm-0") != 0)
			why = "root= must be /dev/dm-0 (the table's device), once";
		else if (cmdline_count(c, "init") || cmdline_count(c, "rdinit"))
			why = "init= or rdinit= would run something else than the verified root's init";
	}
	cmdline_free(c);
	if (why)
		return tdv_error_set(err, -EINVAL, "the dm-init cmdline: %s", why);
	return 0;
}
