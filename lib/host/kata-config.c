/* SPDX-License-Identifier: Apache-2.0 */
/* Kata's Go runtime command-line assembly for a configuration file (see kata-config.h). */
#include "host/kata-config.h"

#include "core/digest.h"
#include "core/util.h"
#include "kernel-cmdline/cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define QEMU_TABLE "hypervisor.qemu"
#define AGENT_TABLE "agent.kata"

/* virtcontainers/qemu_amd64.go kernelParams, in order. */
static const char *const amd64_params[][2] = {
	{ "tsc", "reliable" },	   { "no_timer_check", "" }, { "rcupdate.rcu_expedited", "1" },
	{ "i8042.direct", "1" },   { "i8042.dumbkbd", "1" }, { "i8042.nopnp", "1" },
	{ "i8042.noaux", "1" },	   { "noreplace-smp", "" },  { "reboot", "k" },
	{ "cryptomgr.notests", "" }, { "net.ifnames", "0" }, { "pci", "lastbus=0" },
};

struct params {
	char *text; /* serialised so far */
	int r;	    /* first error */
};

/* SerializeParams: "key" when the value is empty, else "key=value"; one space between. */
static void add(struct params *p, const char *key, const char *value)
{
	if (p->r < 0)
		return;
	size_t old = p->text ? strlen(p->text) : 0;
	size_t n = old + 1 + strlen(key) + 1 + strlen(value) + 1;
	char *t = realloc(p->text, n);
	if (!t) {
		p->r = -ENOMEM;
		return;
	}
	if (old)
		t[old++] = ' ';
	snprintf(t + old, n - old, value[0] ? "%s=%s" : "%s%s", key, value);
	p->text = t;
}

static int bad(struct tdv_error *err, int r, const char *name, const char *table,
	       const char *key, const char *why)
{
	return tdv_error_set(err, r, "%s: [%s] %s: %s", name, table, key, why);
}

static int get_string(const struct toml_doc *doc, const char *name, const char *table,
		      const char *key, const char *def, const char **ret, struct tdv_error *err)
{
	const struct toml_value *v = toml_get(doc, table, key);
	if (!v) {
		*ret = def;
		return 0;
	}
	if (v->type != TOML_STRING)
		return bad(err, -EINVAL, name, table, key, "expected a string");
	*ret = v->string;
	return 0;
}

static int get_bool(const struct toml_doc *doc, const char *name, const char *table,
		    const char *key, bool *ret, struct tdv_error *err)
{
	const struct toml_value *v = toml_get(doc, table, key);
	*ret = false;
	if (!v)
		return 0;
	if (v->type != TOML_BOOL)
		return bad(err, -EINVAL, name, table, key, "expected true or false");
	*ret = v->boolean;
	return 0;
}

static int get_uint(const struct toml_doc *doc, const char *name, const char *table,
		    const char *key, uint32_t *ret, struct tdv_error *err)
{
	const struct toml_value *v = toml_get(doc, table, key);
	*ret = 0;
	if (!v)
		return 0;
	if (v->type != TOML_INTEGER || v->integer < 0 || v->integer > UINT32_MAX)
		return bad(err, -EINVAL, name, table, key, "expected an integer 0..4294967295");
	*ret = (uint32_t)v->integer;
	return 0;
}

int kata_verity_params_parse(const char *text, struct verity_root *ret, const char **ret_why)
{
	static const char *const names[] = { "root_hash", "salt", "data_blocks",
					     "data_block_size", "hash_block_size" };
	struct verity_root v = { .params = { .alg = HASH_SHA256 } };
	struct verity_params *p = &v.params;
	size_t salt_len = 0;
	unsigned seen = 0;
	const char *why = NULL;
	_cleanup_free_ char *copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	char *save = NULL;
	for (char *f = strtok_r(copy, ",", &save); f && !why; f = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(f, '=');
		size_t k;
		if (!eq) {
			why = "a field without '='";
			break;
		}
		*eq = '\0';
		for (k = 0; k < ELEMENTSOF(names) && strcmp(f, names[k]) != 0; k++)
			;
		if (k == ELEMENTSOF(names)) {
			why = "unknown field (expected root_hash, salt, data_blocks, "
			      "data_block_size, hash_block_size)";
			break;
		}
		if (seen & (1u << k)) {
			why = "a field given twice";
			break;
		}
		seen |= 1u << k;
		const char *val = eq + 1;
		char *end = NULL;
		unsigned long long n = 0;
		if (k >= 2) {
			errno = 0;
			n = strtoull(val, &end, 10);
			if (errno || !*val || *end || val[0] == '-' || val[0] == '+')
				why = "a number field that is not a decimal number";
		}
		if (why)
			break;
		switch (k) {
		case 0:
			/* Kata's table says sha256: a root of any other length cannot verify. */
			if (hex_decode_exact(val, v.root_hash, SHA256_SIZE) < 0)
				why = "root_hash is not 64 hex digits (Kata's table is sha256)";
			break;
		case 1:
			if (hex_decode(val, p->salt, sizeof(p->salt), &salt_len) < 0 || salt_len == 0)
				why = "salt is not hex (1..256 bytes)";
			p->salt_size = (uint16_t)salt_len;
			break;
		case 2:
			if (n == 0 || n > UINT64_MAX / 4096)
				why = "data_blocks out of range";
			p->data_blocks = n;
			break;
		default:
			if (n < 512 || n > 65536 || (n & (n - 1)))
				why = "block size is not a power of two in 512..65536";
			if (k == 3)
				p->data_block_size = (uint32_t)n;
			else
				p->hash_block_size = (uint32_t)n;
		}
	}
	if (!why && seen != (1u << ELEMENTSOF(names)) - 1)
		why = "a field is missing (root_hash, salt, data_blocks, data_block_size, "
		      "hash_block_size)";
	if (why) {
		if (ret_why)
			*ret_why = why;
		return -EINVAL;
	}
	if (!why && verity_params_validate(p) < 0)
		why = "the parameters do not describe a dm-verity volume";
	if (why) {
		if (ret_why)
			*ret_why = why;
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* KernelParamFields + DeserializeParams: blanks split outside quotes, first '=' splits. */
static int add_user_params(struct params *p, const char *text, const char *name,
			   struct tdv_error *err)
{
	_cleanup_free_ char *copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	bool quoted = false;
	char *start = copy;
	for (char *c = copy;; c++) {
		if (*c == '"')
			quoted = !quoted;
		if (*c != '\0' && (*c != ' ' || quoted))
			continue;
		bool last = *c == '\0';
		*c = '\0';
		char *word = strstrip(start);
		if (word[0]) {
			char *eq = strchr(word, '=');
			if (eq)
				*eq = '\0';
			/* HypervisorConfig.AddKernelParam refuses an empty key. */
			if (word[0] == '\0')
				return bad(err, -EINVAL, name, QEMU_TABLE, "kernel_params",
					   "a parameter with an empty key");
			add(p, word, eq ? eq + 1 : "");
		}
		if (last)
			break;
		start = c + 1;
	}
	if (quoted)
		return bad(err, -EINVAL, name, QEMU_TABLE, "kernel_params", "unterminated quote");
	return 0;
}

/* The configuration's keys this model reads. */
struct kata_conf {
	const char *image, *initrd, *kernel_params, *verity, *rootfs_type, *machine, *block_driver;
	bool debug, confidential, no_nvdimm, iommu, legacy_serial;
	bool disable_guest_selinux;
	bool agent_debug, agent_trace, agent_console;
	uint32_t cdh_api_timeout;
};

static int read_conf(const struct toml_doc *doc, const char *name, struct kata_conf *c,
		     struct tdv_error *err)
{
	static const char *const other[] = { "hypervisor.clh", "hypervisor.firecracker",
					     "hypervisor.dragonball", "hypervisor.stratovirt",
					     "hypervisor.remote", "hypervisor.acrn" };
	for (size_t i = 0; i < ELEMENTSOF(other); i++)
		if (toml_has_table(doc, other[i]))
			return tdv_error_set(err, -ENOTSUP, "%s: [%s]: only [%s] is modelled", name,
					     other[i], QEMU_TABLE);
	if (!toml_has_table(doc, QEMU_TABLE))
		return tdv_error_set(err, -EINVAL, "%s: no [%s] table", name, QEMU_TABLE);
	const struct toml_value *v = toml_get(doc, QEMU_TABLE, "disable_guest_selinux");
	int r = 0;
	r = r < 0 ? r : get_string(doc, name, QEMU_TABLE, "image", "", &c->image, err);
	r = r < 0 ? r : get_string(doc, name, QEMU_TABLE, "initrd", "", &c->initrd, err);
	r = r < 0 ? r : get_string(doc, name, QEMU_TABLE, "kernel_params", "", &c->kernel_params, err);
	r = r < 0 ? r : get_string(doc, name, QEMU_TABLE, "kernel_verity_params", "", &c->verity, err);
	r = r < 0 ? r : get_string(doc, name, QEMU_TABLE, "rootfs_type", "ext4", &c->rootfs_type, err);
	r = r < 0 ? r : get_string(doc, name, QEMU_TABLE, "machine_type", "q35", &c->machine, err);
	r = r < 0 ? r : get_string(doc, name, QEMU_TABLE, "block_device_driver", "virtio-scsi",
				   &c->block_driver, err);
	r = r < 0 ? r : get_bool(doc, name, QEMU_TABLE, "enable_debug", &c->debug, err);
	r = r < 0 ? r : get_bool(doc, name, QEMU_TABLE, "confidential_guest", &c->confidential, err);
	r = r < 0 ? r : get_bool(doc, name, QEMU_TABLE, "disable_image_nvdimm", &c->no_nvdimm, err);
	r = r < 0 ? r : get_bool(doc, name, QEMU_TABLE, "enable_iommu", &c->iommu, err);
	r = r < 0 ? r : get_bool(doc, name, QEMU_TABLE, "legacy_serial", &c->legacy_serial, err);
	r = r < 0 ? r : get_bool(doc, name, QEMU_TABLE, "disable_guest_selinux",
				 &c->disable_guest_selinux, err);
	r = r < 0 ? r : get_bool(doc, name, AGENT_TABLE, "enable_debug", &c->agent_debug, err);
	r = r < 0 ? r : get_bool(doc, name, AGENT_TABLE, "enable_tracing", &c->agent_trace, err);
	r = r < 0 ? r : get_bool(doc, name, AGENT_TABLE, "debug_console_enabled", &c->agent_console, err);
	r = r < 0 ? r : get_uint(doc, name, AGENT_TABLE, "cdh_api_timeout", &c->cdh_api_timeout, err);
	if (r < 0)
		return r;
	/* Kata's default (defaultDisableGuestSeLinux) is true: selinux=0 unless set false. */
	if (!v)
		c->disable_guest_selinux = true;
	if (c->iommu)
		return bad(err, -ENOTSUP, name, QEMU_TABLE, "enable_iommu", "not modelled");
	if (c->legacy_serial)
		return bad(err, -ENOTSUP, name, QEMU_TABLE, "legacy_serial", "not modelled");
	/* pkg/katautils/config.go: "having both an image and an initrd ... is not supported". */
	if (c->image[0] && c->initrd[0])
		return bad(err, -EINVAL, name, QEMU_TABLE, "image",
			   "both image and initrd are set (Kata refuses that)");
	if (!c->image[0] && !c->initrd[0])
		return bad(err, -EINVAL, name, QEMU_TABLE, "image", "neither image nor initrd is set");
	if (strcmp(c->rootfs_type, "ext4") != 0 && strcmp(c->rootfs_type, "xfs") != 0 &&
	    strcmp(c->rootfs_type, "erofs") != 0)
		return bad(err, -EINVAL, name, QEMU_TABLE, "rootfs_type", "expected ext4, xfs or erofs");
	return 0;
}

/* Item 2 of kata-config.h: the root parameters for an image boot. */
static int add_root_params(struct params *p, const struct kata_conf *c, const char *name,
			   bool *ret_verity, struct tdv_error *err)
{
	bool nvdimm = !(c->confidential || c->no_nvdimm || strcmp(c->machine, "microvm") == 0);
	bool ext4ish = strcmp(c->rootfs_type, "erofs") != 0;
	*ret_verity = false;
	if (c->verity[0]) {
		struct verity_root v;
		const char *why = NULL;
		if (nvdimm)
			return bad(err, -ENOTSUP, name, QEMU_TABLE, "kernel_verity_params",
				   "with an nvdimm root is not modelled (set confidential_guest or "
				   "disable_image_nvdimm)");
		int r = kata_verity_params_parse(c->verity, &v, &why);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return bad(err, r, name, QEMU_TABLE, "kernel_verity_params", why);
		/* GetKernelRootParams: the virtio-blk partitions, the kernel's one formatter. */
		_cleanup_free_ char *dm = NULL;
		r = cmdline_dm_mod_create_value(&v, "/dev/vda1", "/dev/vda2", &dm);
		if (r < 0)
			return r == -ENOMEM ? r : bad(err, r, name, QEMU_TABLE, "kernel_verity_params",
						      "cannot be expressed as a dm table");
		add(p, "dm-mod.create", dm);
		add(p, "root", "/dev/dm-0");
		add(p, "rootflags", ext4ish ? "data=ordered,errors=remount-ro ro" : "ro");
		*ret_verity = true;
	} else if (nvdimm) {
		/* amd64 runs with dax on (qemu_amd64.go). */
		add(p, "root", "/dev/pmem0p1");
		add(p, "rootflags", ext4ish ? "dax,data=ordered,errors=remount-ro ro" : "dax ro");
	} else {
		add(p, "root", "/dev/vda1");
		add(p, "rootflags", ext4ish ? "data=ordered,errors=remount-ro ro" : "ro");
	}
	add(p, "rootfstype", c->rootfs_type);
	return 0;
}

int kata_cmdline_from_toml(const struct toml_doc *doc, const char *name,
			   const struct kata_cmdline_opts *o, struct kata_boot *ret,
			   struct tdv_error *err)
{
	struct kata_conf c = { 0 };
	struct params p = { 0 };
	bool verity = false;
	char num[16];
	if (o->nr_cpus == 0)
		return tdv_error_set(err, -EINVAL, "%s: the sandbox's vCPU count (nr_cpus) is "
						   "needed: it depends on the host and the pod", name);
	int r = read_conf(doc, name, &c, err);
	if (r < 0)
		return r;
	bool image = c.image[0] != '\0';

	for (size_t i = 0; i < ELEMENTSOF(amd64_params); i++)
		add(&p, amd64_params[i][0], amd64_params[i][1]);
	if (image && (r = add_root_params(&p, &c, name, &verity, err)) < 0)
		goto out;
	add(&p, "console", "hvc0");
	add(&p, "console", "hvc1");
	add(&p, c.debug ? "debug" : "quiet", "");
	if (image && c.debug) {
		add(&p, "systemd.show_status", "true");
		add(&p, "systemd.log_level", "debug");
	} else if (image)
		add(&p, "systemd.show_status", "false");
	add(&p, "panic", "1");
	snprintf(num, sizeof(num), "%u", o->nr_cpus);
	add(&p, "nr_cpus", num);
	add(&p, "selinux", c.disable_guest_selinux ? "0" : "1");
	if (image) {
		add(&p, "systemd.unit", "kata-containers.target");
		add(&p, "systemd.mask", "systemd-networkd.service");
		add(&p, "systemd.mask", "systemd-networkd.socket");
	}
	if (strcmp(c.block_driver, "virtio-scsi") == 0)
		add(&p, "scsi_mod.scan", "none");
	if (c.agent_debug)
		add(&p, "agent.log", "debug");
	if (c.agent_trace)
		add(&p, "agent.trace", "true");
	if (c.agent_console) {
		add(&p, "agent.debug_console", "");
		add(&p, "agent.debug_console_vport", "1026");
	}
	if (c.cdh_api_timeout) {
		snprintf(num, sizeof(num), "%u", c.cdh_api_timeout);
		add(&p, "agent.cdh_api_timeout", num);
	}
	if ((r = add_user_params(&p, c.kernel_params, name, err)) < 0)
		goto out;
	if ((r = p.r) < 0)
		goto out;
	ret->image = image;
	ret->verity = verity;
	ret->image_path = strdup(image ? c.image : c.initrd);
	if (!ret->image_path) {
		r = -ENOMEM;
		goto out;
	}
	ret->cmdline = TAKE_PTR(p.text);
out:
	free(p.text);
	if (r == -ENOMEM)
		tdv_error_set(err, r, "%s: out of memory", name);
	return r;
}

int kata_cmdline_from_file(const char *path, const struct kata_cmdline_opts *o,
			   struct kata_boot *ret, struct tdv_error *err)
{
	_cleanup_free_ uint8_t *data = NULL;
	size_t size = 0;
	int r = read_full_file(path, TOML_MAX_SIZE, &data, &size);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", path, strerror(-r));
	/* Threat: drop-in files in config.d/ override keys silently; we do not merge them. */
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	char *slash = strrchr(copy, '/');
	_cleanup_free_ char *dropin = NULL;
	if (asprintf(&dropin, "%s/config.d", slash ? (*slash = '\0', copy[0] ? copy : "/") : ".") < 0)
		return -ENOMEM;
	struct stat st;
	if (stat(dropin, &st) == 0)
		return tdv_error_set(err, -ENOTSUP, "%s: a drop-in folder %s exists; merge it into "
						    "one file first (drop-ins are not modelled)",
				     path, dropin);
	struct toml_doc *doc = NULL;
	r = toml_parse((const char *)data, size, path, &doc, err);
	if (r < 0)
		return r;
	r = kata_cmdline_from_toml(doc, path, o, ret, err);
	toml_free(doc);
	return r;
}

void kata_boot_done(struct kata_boot *b)
{
	free(b->image_path);
	free(b->cmdline);
	*b = (struct kata_boot){ 0 };
}
