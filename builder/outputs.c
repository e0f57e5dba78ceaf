/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The text outputs of a build: the measured cmdline, Kata's two spellings of the verity
 * parameters, manifest.json and the --json summary.  Pure functions of struct build_result.
 */
#include "builder/build.h"

#include "host/toml.h"

#include "core/measure.h"
#include "core/util.h"
#include "host/refvalues.h"
#include "kernel-cmdline/cmdline.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void build_result_done(struct build_result *r)
{
	for (size_t i = 0; i < r->n_inputs; i++) {
		free(r->inputs[i].role);
		free(r->inputs[i].path);
	}
	free(r->inputs);
	free(r->cmdline);
	for (size_t i = 0; r->initrd_modules && r->initrd_modules[i]; i++)
		free(r->initrd_modules[i]);
	free(r->initrd_modules);
	r->initrd_modules = NULL;
	free(r->initrd_module_optional);
	r->initrd_module_optional = NULL;
	r->inputs = NULL;
	r->n_inputs = 0;
	r->cmdline = NULL;
}

char *build_input_display_path(const char *template_dir, const char *path)
{
	size_t n = template_dir ? strlen(template_dir) : 0;
	while (n > 1 && template_dir[n - 1] == '/')
		n--;
	if (n && strncmp(path, template_dir, n) == 0 && path[n] == '/') {
		const char *rel = path + n;
		while (*rel == '/') /* "dir/" + "/file" joins give "dir//file" */
			rel++;
		if (*rel)
			return strdup(rel);
	}
	const char *slash = strrchr(path, '/');
	/* A folder given with a trailing slash: use its last component. */
	if (slash && !slash[1]) {
		const char *end = slash;
		while (end > path && end[-1] == '/')
			end--;
		const char *start = end;
		while (start > path && start[-1] != '/')
			start--;
		return end > start ? strndup(start, (size_t)(end - start)) : strdup("/");
	}
	return strdup(slash ? slash + 1 : path);
}

int build_cmdline(struct build_result *r, struct tdv_error *err)
{
	struct verity_cmdline v;
	const char *why = NULL;
	char *text = NULL;
	int ret;

	verity_cmdline_init(&v);
	v.root = r->root;
	v.measure = r->config->measure;
	ret = disk_layout_selectors(r->config->layout, r->root.root_hash,
				    hash_alg_size(r->root.params.alg), v.data_device, v.hash_device);
	if (ret >= 0)
		ret = verity_cmdline_build_with_extra(&v, r->config->extra_cmdline, &text, &why);
	if (ret == -ENOMEM)
		return tdv_error_set(err, ret, "out of memory");
	if (ret < 0)
		return tdv_error_set(err, ret, "--extra-cmdline: %s",
				     why ? why : "cannot build the verity command line");
	free(r->cmdline);
	r->cmdline = text;
	return 0;
}

static char *hex(const uint8_t *b, size_t n) { return hex_encode_alloc(b, n); }

int build_kata_verity_params(const struct build_result *r, char **ret)
{
	const struct verity_params *p = &r->root.params;
	_cleanup_free_ char *root = hex(r->root.root_hash, hash_alg_size(p->alg));
	_cleanup_free_ char *salt = hex(p->salt, p->salt_size);
	if (!root || !salt)
		return -ENOMEM;
	if (asprintf(ret, "root_hash=%s,salt=%s,data_blocks=%llu,data_block_size=%u,hash_block_size=%u\n",
		     root, salt, (unsigned long long)p->data_blocks, p->data_block_size,
		     p->hash_block_size) < 0)
		return -ENOMEM;
	return 0;
}

int build_kata_config_snippet(const struct build_result *r, char **ret)
{
	_cleanup_free_ char *params = NULL;
	if (build_kata_verity_params(r, &params) < 0)
		return -ENOMEM;
	params[strcspn(params, "\n")] = '\0';
	_cleanup_free_ char *image = toml_quote(r->config->kata_image);
	_cleanup_free_ char *verity = toml_quote(params);
	_cleanup_free_ char *extra = toml_quote(r->config->extra_cmdline ? r->config->extra_cmdline : "");
	if (!image || !verity || !extra)
		return -ENOMEM;
	/* Threat: any annotation that reaches the command line or initdata lets a pod change
	 * what is measured; the comment tells the operator to keep them out. */
	if (asprintf(ret,
		     "# Written by tdverity-build %s: set these keys in the [hypervisor.qemu] table of\n"
		     "# Kata's configuration-qemu-tdx.toml (Go runtime 4.x) and install disk.img at\n"
		     "# the image path.  Kata boots the image without an initrd: it builds\n"
		     "# dm-mod.create= from kernel_verity_params (tdverity-verify kata-cmdline prints\n"
		     "# the whole command line).  Keep \"kernel_params\", \"kernel_verity_params\" and\n"
		     "# \"cc_init_data\" out of enable_annotations: a pod annotation could otherwise\n"
		     "# change the measured command line or the initdata.  Set no initrd key.\n"
		     "[hypervisor.qemu]\n"
		     "image = %s\n"
		     "kernel_verity_params = %s\n"
		     "kernel_params = %s\n",
		     TDV_VERSION, image, verity, extra) < 0)
		return -ENOMEM;
	return 0;
}

int build_dm_mod_create(const struct build_result *r, char **ret)
{
	char data[DISK_SELECTOR_MAX], hashdev[DISK_SELECTOR_MAX];
	_cleanup_free_ char *line = NULL;
	disk_layout_device_paths(r->config->layout, data, hashdev);
	int ret2 = cmdline_dm_mod_create_build(&r->root, data, hashdev, &line);
	if (ret2 < 0)
		return ret2;
	if (asprintf(ret, "%s\n", line) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void json_putp(json_object **o) { json_object_put(*o); }
#define _cleanup_json_ _cleanup_(json_putp)

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A deep copy with every object's keys in sorted order (json-c keeps insertion order). */
static json_object *json_sorted(json_object *o)
{
	if (json_object_is_type(o, json_type_object)) {
		size_t n = (size_t)json_object_object_length(o), i = 0;
		_cleanup_free_ const char **keys = calloc(n ? n : 1, sizeof(*keys));
		json_object *copy = json_object_new_object();
		if (!keys || !copy) {
			json_object_put(copy);
			return NULL;
		}
		json_object_object_foreach(o, k, v)
		{
			(void)v;
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), cmp_str);
		for (i = 0; i < n; i++) {
			json_object *child = json_sorted(json_object_object_get(o, keys[i]));
			if (!child && json_object_object_get(o, keys[i])) {
				json_object_put(copy);
				return NULL;
			}
			json_object_object_add(copy, keys[i], child);
		}
		return copy;
	}
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		json_object *copy = json_object_new_array();
		for (size_t i = 0; copy && i < n; i++)
			json_object_array_add(copy, json_sorted(json_object_array_get_idx(o, i)));
		return copy;
	}
	return json_object_get(o);
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}
static void add_int(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}
static int add_hex(json_object *o, const char *k, const uint8_t *b, size_t n)
{
	_cleanup_free_ char *h = hex(b, n);
	if (!h)
		return -ENOMEM;
	add_str(o, k, h);
	return 0;
}
static void add_uuid(json_object *o, const char *k, const uint8_t u[16])
{
	char s[37];
	disk_uuid_format(u, s);
	add_str(o, k, s);
}

static json_object *partition_json(const struct build_result *r, int number, bool is_data)
{
	const struct disk_geometry *g = &r->geometry;
	enum disk_layout l = r->config->layout;
	json_object *p = json_object_new_object();
	if (!p)
		return NULL;
	add_str(p, "role", is_data ? "root" : "root-verity");
	add_int(p, "offset", is_data ? g->data_offset : g->hash_offset);
	add_int(p, "size", is_data ? g->data_part_size : g->hash_part_size);
	if (l == DISK_LAYOUT_SPLIT) {
		add_str(p, "file", is_data ? "rootfs.img" : "rootfs.verity");
		return p;
	}
	add_str(p, "file", "disk.img");
	add_int(p, "number", (uint64_t)number);
	if (l == DISK_LAYOUT_GPT) {
		add_str(p, "type", is_data ? DPS_ROOT_X86_64 : DPS_ROOT_VERITY_X86_64);
		add_str(p, "name", is_data ? DISK_PART_NAME_ROOT : DISK_PART_NAME_VERITY);
		add_uuid(p, "uuid", is_data ? r->disk.data_uuid : r->disk.hash_uuid);
	} else {
		add_str(p, "type", "0x83");
	}
	return p;
}

static int rootfs_event_json(const struct build_result *r, json_object *m)
{
	_cleanup_free_ char *content = NULL;
	_cleanup_free_ uint8_t *data = NULL;
	size_t len;
	uint8_t d[SHA384_SIZE];
	int ret = rootfs_event_content(&r->root, &content);
	if (ret >= 0)
		ret = rootfs_event_data(&r->root, &data, &len);
	if (ret >= 0)
		ret = digest_buf(HASH_SHA384, data, len, d);
	if (ret < 0)
		return ret;
	json_object *ev = json_object_new_object();
	if (!ev)
		return -ENOMEM;
	add_str(ev, "domain", ROOTFS_EVENT_DOMAIN);
	add_str(ev, "operation", ROOTFS_EVENT_OPERATION);
	add_str(ev, "content", content);
	json_object_object_add(m, "rootfs_event", ev);
	return add_hex(ev, "sha384", d, sizeof(d));
}

static int manifest_object(const struct build_result *r, json_object **ret)
{
	const struct build_config *c = r->config;
	const struct verity_params *p = &r->root.params;
	_cleanup_json_ json_object *m = json_object_new_object();
	json_object *tool = json_object_new_object(), *inputs = json_object_new_array();
	json_object *fs = json_object_new_object(), *parts = json_object_new_array();
	json_object *outs = json_object_new_array();
	if (m) {
		json_object_object_add(m, "tool", tool);
		json_object_object_add(m, "inputs", inputs);
		json_object_object_add(m, "filesystem", fs);
		json_object_object_add(m, "partitions", parts);
		json_object_object_add(m, "outputs", outs);
	}
	if (!m || !tool || !inputs || !fs || !parts || !outs)
		return -ENOMEM;

	add_str(tool, "name", "tdverity-build");
	add_str(tool, "version", TDV_VERSION);
	for (size_t i = 0; i < r->n_inputs; i++) {
		json_object *in = json_object_new_object();
		if (!in)
			return -ENOMEM;
		add_str(in, "role", r->inputs[i].role);
		add_str(in, "path", r->inputs[i].path);
		add_hex(in, "sha256", r->inputs[i].sha256, 32);
		json_object_array_add(inputs, in);
	}
	add_str(m, "seed", c->seed);
	add_int(m, "source_date_epoch", c->epoch);
	add_str(m, "layout", disk_layout_name(c->layout));
	add_str(m, "hash_algorithm", hash_alg_name(p->alg));
	add_hex(m, "root_hash", r->root.root_hash, hash_alg_size(p->alg));
	add_hex(m, "salt", p->salt, p->salt_size);
	add_int(m, "data_blocks", p->data_blocks);
	add_int(m, "data_block_size", p->data_block_size);
	add_int(m, "hash_block_size", p->hash_block_size);
	add_int(m, "hash_offset", p->hash_offset);
	json_object_object_add(m, "superblock", json_object_new_boolean(p->superblock));
	if (p->superblock)
		add_uuid(m, "verity_uuid", p->uuid);
	add_str(m, "cmdline", r->cmdline ? r->cmdline : "");

	add_str(fs, "type", "ext4");
	add_int(fs, "size", r->fs_size);
	add_int(fs, "timestamp", c->epoch);
	add_uuid(fs, "uuid", r->ids.fs_uuid);
	add_uuid(fs, "hash_seed", r->ids.hash_seed);

	json_object_array_add(parts, partition_json(r, 1, true));
	json_object_array_add(parts, partition_json(r, 2, false));
	if (c->layout != DISK_LAYOUT_SPLIT) {
		json_object *disk = json_object_new_object();
		if (!disk)
			return -ENOMEM;
		json_object_object_add(m, "disk", disk);
		add_str(disk, "file", "disk.img");
		add_int(disk, "size", r->geometry.disk_size);
		if (c->layout == DISK_LAYOUT_GPT) {
			add_str(disk, "label", "gpt");
			add_uuid(disk, "guid", r->disk.disk_guid);
		} else {
			char id[16];
			snprintf(id, sizeof(id), "0x%08x", disk_mbr_id(&r->disk));
			add_str(disk, "label", "dos");
			add_str(disk, "id", id);
		}
	}
	for (size_t i = 0; i < r->n_files; i++) {
		json_object *f = json_object_new_object();
		if (!f)
			return -ENOMEM;
		add_str(f, "name", r->files[i].name);
		add_int(f, "size", r->files[i].size);
		add_hex(f, "sha256", r->files[i].sha256, 32);
		json_object_array_add(outs, f);
	}
	if (r->have_initrd) {
		json_object *initrd = json_object_new_object(), *mods = json_object_new_array();
		json_object *opt = json_object_new_array();
		if (initrd)
			json_object_object_add(m, "initrd", initrd);
		if (!initrd || !mods || !opt) {
			json_object_put(mods);
			json_object_put(opt);
			return -ENOMEM;
		}
		json_object_object_add(initrd, "modules", mods);
		json_object_object_add(initrd, "optional_modules", opt);
		add_str(initrd, "file", "initrd.img");
		add_hex(initrd, "init_sha256", r->init_sha256, 32);
		for (size_t i = 0; r->initrd_modules && r->initrd_modules[i]; i++) {
			json_object_array_add(mods, json_object_new_string(r->initrd_modules[i]));
			if (r->initrd_module_optional && r->initrd_module_optional[i])
				json_object_array_add(
				    opt, json_object_new_string(r->initrd_modules[i]));
		}
	}
	int ret2 = rootfs_event_json(r, m);
	if (ret2 < 0)
		return ret2;
	*ret = TAKE_PTR(m);
	return 0;
}

static int serialise(json_object *o, int flags, const char *suffix, char **ret)
{
	_cleanup_json_ json_object *sorted = json_sorted(o);
	if (!sorted)
		return -ENOMEM;
	const char *s = json_object_to_json_string_ext(sorted, flags | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || asprintf(ret, "%s%s", s, suffix) < 0)
		return -ENOMEM;
	return 0;
}

int build_manifest_json(const struct build_result *r, char **ret)
{
	_cleanup_json_ json_object *m = NULL;
	int ret2 = manifest_object(r, &m);
	if (ret2 < 0)
		return ret2;
	return serialise(m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED, "\n", ret);
}

int build_summary_json(const struct build_result *r, const char *out, char **ret)
{
	_cleanup_json_ json_object *s = json_object_new_object();
	json_object *files = json_object_new_array();
	if (s)
		json_object_object_add(s, "files", files);
	if (!s || !files)
		return -ENOMEM;
	add_str(s, "out", out);
	add_str(s, "layout", disk_layout_name(r->config->layout));
	const struct verity_params *p = &r->root.params;
	add_str(s, "hash_algorithm", hash_alg_name(p->alg));
	add_hex(s, "root_hash", r->root.root_hash, hash_alg_size(p->alg));
	add_hex(s, "salt", p->salt, p->salt_size);
	add_int(s, "data_blocks", p->data_blocks);
	add_str(s, "cmdline", r->cmdline ? r->cmdline : "");
	for (size_t i = 0; i < r->n_files; i++)
		json_object_array_add(files, json_object_new_string(r->files[i].name));
	json_object_array_add(files, json_object_new_string("manifest.json"));
	return serialise(s, JSON_C_TO_STRING_PLAIN, "\n", ret);
}

int build_reference_values_json(const struct build_result *r, const char *initrd_path,
				char **ret)
{
	_cleanup_free_ uint8_t *event = NULL;
	size_t len;
	int ret2 = rootfs_event_data(&r->root, &event, &len);
	if (ret2 < 0)
		return ret2;

	/* Only what the build determines: the rootfs event (and which register the cmdline
	 * sends it to) and the initrd's own digest.  The kernel, the MRTD and the cmdline as
	 * finally booted (-append may add to cmdline.txt) are not known here; the document
	 * names what it leaves out. */
	struct refvalues_inputs in = { 0 };
	expected_inputs_init(&in.expected);
	in.expected.rootfs_event = event;
	in.expected.rootfs_event_len = len;
	in.expected.initrd_path = initrd_path;
	struct verity_cmdline v;
	ret2 = verity_cmdline_parse_text(r->cmdline, &v, NULL);
	if (ret2 < 0)
		return ret2;
	in.expected.rootfs_rtmr = v.rtmr;
	in.expected.rootfs_pcr = v.pcr;
	_cleanup_free_ char *json = NULL;
	ret2 = refvalues_build_json(&in, false, &json, NULL);
	if (ret2 < 0)
		return ret2;
	if (asprintf(ret, "%s\n", json) < 0)
		return -ENOMEM;
	return 0;
}
