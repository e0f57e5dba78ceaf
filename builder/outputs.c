/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The text outputs of a build: the measured cmdline, Kata's two spellings of the verity
 * parameters, manifest.json and the --json summary.  Pure functions of struct build_result.
 */
#include "builder/build.h"

#include "host/toml.h"

#include "core/measure.h"
#include "core/util.h"
#include "host/cleanup.h"
#include "host/json-text.h"
#include "host/manifest.h"
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

const char *build_init_image_name(const struct build_config *c)
{
	return c->boot == BUILD_BOOT_BUILTIN_INITRAMFS ? "initramfs.cpio" : "initrd.img";
}

int build_kernel_config_fragment(const struct build_result *r, char **ret)
{
	bool sha512 = r->root.params.alg != HASH_SHA256;
	if (asprintf(ret,
		     "# Written by tdverity-build %s (--boot builtin-initramfs): merge into the guest\n"
		     "# kernel's configuration (scripts/kconfig/merge_config.sh) and put initramfs.cpio\n"
		     "# where CONFIG_INITRAMFS_SOURCE points (a path relative to the kernel source tree,\n"
		     "# or absolute).  The kernel's PE image then carries tdverity-init: RTMR1 /\n"
		     "# tdvfkernel cover it, and the boot has no initrd (tdverity-verify --no-initrd).\n"
		     "# What /init needs is built in, since the initramfs holds no module that is not\n"
		     "# of the kernel named by --kernel-modules.\n"
		     "CONFIG_BLK_DEV_INITRD=y\n"
		     "CONFIG_INITRAMFS_SOURCE=\"initramfs.cpio\"\n"
		     "CONFIG_EFI=y\n"
		     "CONFIG_EFI_STUB=y\n"
		     "CONFIG_DEVTMPFS=y\n"
		     "CONFIG_BLK_DEV_DM=y\n"
		     "CONFIG_DM_VERITY=y\n"
		     "CONFIG_VIRTIO_PCI=y\n"
		     "CONFIG_VIRTIO_BLK=y\n"
		     "CONFIG_EXT4_FS=y\n"
		     "CONFIG_CRYPTO_%s=y\n"
		     "CONFIG_INTEL_TDX_GUEST=y\n"
		     "CONFIG_TDX_GUEST_DRIVER=y\n"
		     "CONFIG_TCG_TPM=y\n"
		     "CONFIG_TCG_TIS=y\n"
		     "CONFIG_TCG_CRB=y\n",
		     TDV_VERSION, sha512 ? "SHA512" : "SHA256") < 0)
		return -ENOMEM;
	return 0;
}

int build_cmdline(struct build_result *r, struct tdv_error *err)
{
	/* dm-init: the kernel sets up the root itself from Kata's dm-mod.create= spelling. */
	if (r->config->boot == BUILD_BOOT_DM_INIT) {
		char data[DISK_SELECTOR_MAX], hashdev[DISK_SELECTOR_MAX];
		_cleanup_free_ char *dm = NULL;
		disk_layout_device_paths(r->config->layout, data, hashdev);
		int ret = cmdline_dm_mod_create_build(&r->root, data, hashdev, &dm);
		if (ret < 0)
			return tdv_error_set(err, ret, "cannot write the dm-mod.create= line: %s",
					     strerror(-ret));
		char *text = NULL;
		const char *extra = r->config->extra_cmdline;
		if (asprintf(&text, "%s%s%s", dm, extra ? " " : "", extra ? extra : "") < 0)
			return tdv_error_set(err, -ENOMEM, "out of memory");
		/* +2: the kernel keeps 2047 bytes; there is no initrd=initrd to add. */
		if (strlen(text) > CMDLINE_MAX_LEN) {
			free(text);
			return tdv_error_set(err, -EINVAL, "--extra-cmdline: the line is longer than "
							   "the kernel's %d bytes", CMDLINE_MAX_LEN);
		}
		free(r->cmdline);
		r->cmdline = text;
		return 0;
	}
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
	/* builtin-initramfs: tdverity-init in the kernel reads tdverity's parameters from
	 * kernel_params; a kernel_verity_params line would make Kata add a second root. */
	bool builtin = r->config->boot == BUILD_BOOT_BUILTIN_INITRAMFS;
	_cleanup_free_ char *image = toml_quote(r->config->kata_image);
	_cleanup_free_ char *verity = toml_quote(builtin ? "" : params);
	_cleanup_free_ char *extra = toml_quote(builtin ? r->cmdline
					: r->config->extra_cmdline ? r->config->extra_cmdline : "");
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

/* manifest.json's content (host/manifest.h) from the result; the strings and arrays are
 * borrowed from r, except the two file tables (freed by the caller). */
static int manifest_from_result(const struct build_result *r, struct build_manifest *m)
{
	const struct build_config *c = r->config;
	const struct disk_geometry *g = &r->geometry;
	bool split = c->layout == DISK_LAYOUT_SPLIT;

	*m = (struct build_manifest){
		.have_tool = true,
		.have_inputs = true,
		.seed = (char *)c->seed,
		.have_epoch = true,
		.source_date_epoch = c->epoch,
		.layout = c->layout,
		.root = r->root,
		.have_verity_uuid = r->root.params.superblock,
		.cmdline = r->cmdline ? r->cmdline : (char *)"",
		.have_filesystem = true,
		.filesystem = { .size = r->fs_size, .timestamp = c->epoch },
		.data = { .offset = g->data_offset, .size = g->data_part_size, .number = 1 },
		.hash = { .offset = g->hash_offset, .size = g->hash_part_size, .number = 2 },
		.have_disk = !split,
		.disk = { .size = g->disk_size, .mbr_id = disk_mbr_id(&r->disk) },
		.have_outputs = true,
		.have_initrd = r->have_initrd,
		.have_boot = true,
		.boot = c->boot,
	};
	snprintf(m->tool_name, sizeof(m->tool_name), "tdverity-build");
	snprintf(m->tool_version, sizeof(m->tool_version), "%s", TDV_VERSION);
	memcpy(m->filesystem.uuid, r->ids.fs_uuid, 16);
	memcpy(m->filesystem.hash_seed, r->ids.hash_seed, 16);
	memcpy(m->disk.guid, r->disk.disk_guid, 16);
	snprintf(m->disk.file, sizeof(m->disk.file), "disk.img");
	snprintf(m->data.file, sizeof(m->data.file), split ? "rootfs.img" : "disk.img");
	snprintf(m->hash.file, sizeof(m->hash.file), split ? "rootfs.verity" : "disk.img");
	if (split) /* each area is its own file */
		m->data.offset = m->hash.offset = 0;
	if (c->layout == DISK_LAYOUT_GPT) {
		m->data.have_uuid = m->hash.have_uuid = true;
		memcpy(m->data.uuid, r->disk.data_uuid, 16);
		memcpy(m->hash.uuid, r->disk.hash_uuid, 16);
	}
	if (r->have_initrd) {
		snprintf(m->initrd.file, sizeof(m->initrd.file), "%s", build_init_image_name(c));
		memcpy(m->initrd.init_sha256, r->init_sha256, 32);
		m->initrd.modules = r->initrd_modules;
		while (r->initrd_modules && r->initrd_modules[m->initrd.n_modules])
			m->initrd.n_modules++;
	}

	m->inputs = calloc(r->n_inputs + 1, sizeof(*m->inputs));
	m->outputs = calloc(r->n_files + 1, sizeof(*m->outputs));
	if (!m->inputs || !m->outputs)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_inputs; i++) {
		m->inputs[i] = (struct build_manifest_file){ .name = r->inputs[i].role,
						       .path = r->inputs[i].path };
		memcpy(m->inputs[i].sha256, r->inputs[i].sha256, 32);
	}
	m->n_inputs = r->n_inputs;
	for (size_t i = 0; i < r->n_files; i++) {
		m->outputs[i] = (struct build_manifest_file){ .name = (char *)r->files[i].name,
							.size = r->files[i].size };
		memcpy(m->outputs[i].sha256, r->files[i].sha256, 32);
	}
	m->n_outputs = r->n_files;
	return 0;
}

int build_manifest_json(const struct build_result *r, char **ret)
{
	struct build_manifest m;
	int ret2 = manifest_from_result(r, &m);
	if (ret2 >= 0)
		ret2 = build_manifest_write_json(&m, ret);
	free(m.inputs);
	free(m.outputs);
	return ret2;
}

int build_summary_json(const struct build_result *r, const char *out, char **ret)
{
	const struct verity_params *p = &r->root.params;
	_cleanup_json_ json_object *s = json_object_new_object();
	json_object *files = json_object_new_array();
	int ret2 = s ? json_add_object(s, "files", files) : -ENOMEM;
	if (!s)
		json_object_put(files);
	if (ret2 >= 0)
		ret2 = json_add_str(s, "out", out);
	if (ret2 >= 0)
		ret2 = json_add_str(s, "layout", disk_layout_name(r->config->layout));
	if (ret2 >= 0)
		ret2 = json_add_str(s, "hash_algorithm", hash_alg_name(p->alg));
	if (ret2 >= 0)
		ret2 = json_add_hex(s, "root_hash", r->root.root_hash, hash_alg_size(p->alg));
	if (ret2 >= 0)
		ret2 = json_add_hex(s, "salt", p->salt, p->salt_size);
	if (ret2 >= 0)
		ret2 = json_add_u64(s, "data_blocks", p->data_blocks);
	if (ret2 >= 0)
		ret2 = json_add_str(s, "cmdline", r->cmdline ? r->cmdline : "");
	for (size_t i = 0; ret2 >= 0 && i <= r->n_files; i++) {
		json_object *name = json_object_new_string(i < r->n_files ? r->files[i].name
									  : "manifest.json");
		if (!name || json_object_array_add(files, name) < 0) {
			json_object_put(name);
			ret2 = -ENOMEM;
		}
	}
	if (ret2 < 0)
		return ret2;
	return json_text_sorted(s, JSON_C_TO_STRING_PLAIN, "\n", ret);
}

int build_reference_values_json(const struct build_result *r, const char *initrd_path,
				char **ret)
{
	_cleanup_free_ uint8_t *event = NULL;
	size_t len = 0;
	struct verity_cmdline v;
	int ret2 = 0;
	verity_cmdline_init(&v);
	if (r->config->boot != BUILD_BOOT_DM_INIT) {
		ret2 = verity_cmdline_parse_text(r->cmdline, &v, NULL);
		if (ret2 < 0)
			return ret2;
		/* The event /init will measure: of the build's volume and of what its line runs. */
		v.root = r->root;
		if (v.measure != MEASURE_NONE)
			ret2 = verity_cmdline_rootfs_event(&v, NULL, &event, &len);
		if (ret2 < 0)
			return ret2;
	}

	/* Only what the build determines: the rootfs event (and which register the cmdline
	 * sends it to) and the initrd's own digest.  The kernel, the MRTD and the cmdline as
	 * finally booted (-append may add to cmdline.txt) are not known here; the document
	 * names what it leaves out. */
	struct refvalues_inputs in = { 0 };
	expected_inputs_init(&in.expected);
	in.expected.initrd_path = initrd_path;
	/* dm-init: no tdverity-init, no rootfs event; the root is pinned by the cmdline. */
	if (r->config->boot != BUILD_BOOT_DM_INIT) {
		in.expected.rootfs_event = event;
		in.expected.rootfs_event_len = event ? len : 0;
		in.expected.rootfs_rtmr = v.rtmr;
		in.expected.rootfs_pcr = v.pcr;
	}
	_cleanup_free_ char *json = NULL;
	ret2 = refvalues_build_json(&in, false, &json, NULL);
	if (ret2 < 0)
		return ret2;
	if (asprintf(ret, "%s\n", json) < 0)
		return -ENOMEM;
	return 0;
}
