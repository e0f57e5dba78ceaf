/* SPDX-License-Identifier: Apache-2.0 */
#include "builder/build.h"

#include "core/util.h"

#include <getopt.h>
#include <string.h>

int parse_size(const char *s, uint64_t *ret)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		if (!mul_ok(v, 10, &v) || !add_ok(v, (uint64_t)(*p - '0'), &v))
			return -EINVAL;
	switch (*p) {
	case '\0':
		break;
	case 'K':
		mult = 1ULL << 10;
		break;
	case 'M':
		mult = 1ULL << 20;
		break;
	case 'G':
		mult = 1ULL << 30;
		break;
	default:
		return -EINVAL;
	}
	if (*p && p[1])
		return -EINVAL;
	if (!mul_ok(v, mult, &v))
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_epoch(const char *s, uint64_t *ret, struct tdv_error *err)
{
	uint64_t v = 0;
	if (!s || !*s) {
		*ret = BUILD_DEFAULT_EPOCH;
		return 0;
	}
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9' || !mul_ok(v, 10, &v) || !add_ok(v, (uint64_t)(*p - '0'), &v))
			return tdv_error_set(err, -EINVAL, "SOURCE_DATE_EPOCH='%s' is not a number of seconds", s);
	/* ext4 inode times are 32-bit seconds (+ 2 epoch bits we do not rely on). */
	if (v == 0)
		return tdv_error_set(err, -EINVAL, "SOURCE_DATE_EPOCH=0 is not supported (libext2fs "
						   "reads a zero time as \"now\"); use 1 or later");
	if (v > UINT32_MAX)
		return tdv_error_set(err, -EINVAL, "SOURCE_DATE_EPOCH=%s is after 2106", s);
	*ret = v;
	return 0;
}

enum {
	OPT_TEMPLATE = 0x100,
	OPT_AGENT,
	OPT_OUT,
	OPT_LAYOUT,
	OPT_BASE,
	OPT_SEED,
	OPT_HASH,
	OPT_SIZE,
	OPT_EXTRA,
	OPT_JSON,
	OPT_KERNEL_MODULES,
	OPT_INIT,
	OPT_INITRD,
	OPT_MEASURE,
	OPT_KATA_IMAGE,
	OPT_INPUT,
	OPT_BOOT,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option long_options[] = {
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "agent", required_argument, NULL, OPT_AGENT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "layout", required_argument, NULL, OPT_LAYOUT },
	{ "base", required_argument, NULL, OPT_BASE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "extra-cmdline", required_argument, NULL, OPT_EXTRA },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "kernel-modules", required_argument, NULL, OPT_KERNEL_MODULES },
	{ "init", required_argument, NULL, OPT_INIT },
	{ "initrd", no_argument, NULL, OPT_INITRD },
	{ "measure", required_argument, NULL, OPT_MEASURE },
	{ "kata-image", required_argument, NULL, OPT_KATA_IMAGE },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int set_once(const char **slot, const char *value, const char *name, struct tdv_error *err)
{
	if (*slot)
		return tdv_error_set(err, -EINVAL, "--%s given twice", name);
	if (!*value)
		return tdv_error_set(err, -EINVAL, "--%s needs a non-empty value", name);
	*slot = value;
	return 0;
}

/* --input NAME=FILE: @NAME@ in the template manifest stands for FILE. */
static int add_input(struct build_config *c, const char *arg, struct tdv_error *err)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : 0;
	if (!eq || n > ROOTFS_INPUT_NAME_MAX || !eq[1])
		return tdv_error_set(err, -EINVAL, "--input %s: expected NAME=FILE", arg);
	if (c->n_inputs == ROOTFS_MAX_INPUTS)
		return tdv_error_set(err, -EINVAL, "more than %d --input", ROOTFS_MAX_INPUTS);
	char *name = c->input_names[c->n_inputs];
	memcpy(name, arg, n);
	name[n] = '\0';
	if (rootfs_input_name_check(name) < 0)
		return tdv_error_set(err, -EINVAL, "--input %s: NAME must be A-Z, 0-9 and _, start "
						   "with a letter, at most %d characters, not AGENT "
						   "or BASE", arg, ROOTFS_INPUT_NAME_MAX);
	for (size_t i = 0; i < c->n_inputs; i++)
		if (strcmp(c->inputs[i].name, name) == 0)
			return tdv_error_set(err, -EINVAL, "--input %s given twice", name);
	c->inputs[c->n_inputs++] = (struct rootfs_named_input){ .name = name, .path = eq + 1 };
	return 0;
}

struct option_strings {
	const char *layout, *hash, *size, *measure, *boot;
};

static int handle_option(int opt, const char *arg, struct build_config *c,
			 struct option_strings *o, struct tdv_error *err)
{
	switch (opt) {
	case OPT_TEMPLATE:
		return set_once(&c->template_dir, arg, "template", err);
	case OPT_AGENT:
		return set_once(&c->agent, arg, "agent", err);
	case OPT_OUT:
		return set_once(&c->out, arg, "out", err);
	case OPT_BASE:
		return set_once(&c->base, arg, "base", err);
	case OPT_KERNEL_MODULES:
		return set_once(&c->kernel_modules, arg, "kernel-modules", err);
	case OPT_INIT:
		return set_once(&c->init, arg, "init", err);
	case OPT_KATA_IMAGE:
		return set_once(&c->kata_image, arg, "kata-image", err);
	case OPT_INPUT:
		return add_input(c, arg, err);
	case OPT_LAYOUT:
		return set_once(&o->layout, arg, "layout", err);
	case OPT_HASH:
		return set_once(&o->hash, arg, "hash", err);
	case OPT_SIZE:
		return set_once(&o->size, arg, "size", err);
	case OPT_MEASURE:
		return set_once(&o->measure, arg, "measure", err);
	case OPT_BOOT:
		return set_once(&o->boot, arg, "boot", err);
	case OPT_INITRD:
		c->initrd = true;
		return 0;
	case OPT_SEED:
		if (c->seed)
			return tdv_error_set(err, -EINVAL, "--seed given twice");
		c->seed = arg; /* an empty seed is a seed like any other */
		return 0;
	case OPT_EXTRA:
		if (c->extra_cmdline)
			return tdv_error_set(err, -EINVAL, "--extra-cmdline given twice");
		c->extra_cmdline = arg;
		return 0;
	case OPT_JSON:
		c->json = true;
		return 0;
	case OPT_HELP:
		c->help = true;
		return 0;
	case OPT_VERSION:
		c->version = true;
		return 0;
	default:
		return tdv_error_set(err, -EINVAL, "unknown option (see --help)");
	}
}

int build_config_parse(int argc, char **argv, const char *source_date_epoch,
		       struct build_config *ret, struct tdv_error *err)
{
	struct build_config c = { .layout = DISK_LAYOUT_GPT, .alg = HASH_SHA256,
				  .measure = MEASURE_AUTO };
	struct option_strings o = { 0 };
	int opt, r;

	optind = 0; /* full re-initialisation (glibc), so tests can call this repeatedly */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			const char *bad = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
			return tdv_error_set(err, -EINVAL, "bad option '%s' (see --help)", bad);
		}
		r = handle_option(opt, optarg, &c, &o, err);
		if (r < 0)
			return r;
	}
	if (c.help || c.version) {
		*ret = c;
		return 0;
	}
	if (optind < argc)
		return tdv_error_set(err, -EINVAL, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!c.template_dir || !c.agent || !c.out)
		return tdv_error_set(err, -EINVAL, "--template, --agent and --out are required (see --help)");
	if (o.boot && build_boot_from_name(o.boot, &c.boot) < 0)
		return tdv_error_set(err, -EINVAL,
				     "--boot %s: expected initrd, dm-init or builtin-initramfs", o.boot);
	/* dm-init runs no init of ours: nothing would read an initrd or --measure. */
	if (c.boot == BUILD_BOOT_DM_INIT && (c.initrd || c.kernel_modules || c.init || o.measure))
		return tdv_error_set(err, -EINVAL, "--boot dm-init has no tdverity-init: no --initrd, "
						   "--kernel-modules, --init or --measure");
	if (c.kernel_modules || c.boot == BUILD_BOOT_BUILTIN_INITRAMFS)
		c.initrd = true;
	if (c.init && !c.initrd)
		return tdv_error_set(err, -EINVAL,
				     "--init needs --initrd or --kernel-modules (it goes into initrd.img)");
	if (o.layout && disk_layout_from_name(o.layout, &c.layout) < 0)
		return tdv_error_set(err, -EINVAL, "--layout %s: expected gpt, kata or split", o.layout);
	if (c.kata_image && c.layout != DISK_LAYOUT_KATA)
		return tdv_error_set(err, -EINVAL, "--kata-image goes with --layout kata");
	if (c.kata_image && c.kata_image[0] != '/')
		return tdv_error_set(err, -EINVAL, "--kata-image %s: expected an absolute path",
				     c.kata_image);
	if (!c.kata_image)
		c.kata_image = BUILD_DEFAULT_KATA_IMAGE;
	if (o.hash && (hash_alg_from_name(o.hash, &c.alg) < 0))
		return tdv_error_set(err, -EINVAL, "--hash %s: expected sha256, sha384 or sha512", o.hash);
	if (o.size && (parse_size(o.size, &c.size) < 0 || c.size == 0 || c.size % 4096))
		return tdv_error_set(err, -EINVAL,
				     "--size %s: expected a positive multiple of 4096 bytes (K/M/G allowed)",
				     o.size);
	/* No "none" here: an unmeasured image is a cmdline edit someone makes on purpose,
	 * never a build default. */
	if (o.measure && (measure_backend_from_name(o.measure, &c.measure) < 0 ||
			  c.measure == MEASURE_NONE))
		return tdv_error_set(err, -EINVAL, "--measure %s: expected tdx, tpm or auto", o.measure);
	if (!c.seed)
		c.seed = "";
	r = parse_epoch(source_date_epoch, &c.epoch, err);
	if (r < 0)
		return r;
	*ret = c;
	/* The names live in the config itself: point at the copy, not at this frame. */
	for (size_t i = 0; i < ret->n_inputs; i++)
		ret->inputs[i].name = ret->input_names[i];
	return 0;
}
