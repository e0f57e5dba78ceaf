/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-build internals: option parsing, the derivation of every identifier from the
 * inputs, the text outputs, and the build itself.  main.c only maps results to exit codes.
 */
#pragma once

#include "core/digest.h"
#include "core/error.h"
#include "core/exit-status.h"
#include "core/verity.h"
#include "kernel-cmdline/cmdline.h"
#include "host/disk-image.h"
#include "host/manifest.h"
#include "host/rootfs.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes: the one table of core/exit-status.h, shared with tdverity-verify. */
enum {
	BUILD_EXIT_OK = TDV_EXIT_OK,
	BUILD_EXIT_FAILED = TDV_EXIT_IO,	 /* the build itself failed (I/O, library error) */
	BUILD_EXIT_USAGE = TDV_EXIT_USAGE,	 /* bad command line or environment */
	BUILD_EXIT_BAD_INPUT = TDV_EXIT_BAD_INPUT, /* an input is wrong: template, agent, base, size, --out */
};

/*
 * SOURCE_DATE_EPOCH when unset: a fixed value (2020-01-01T00:00:00Z), so that builds
 * reproduce without it.  Not the newest input mtime: copies of the inputs touched at
 * other times must give the same image.  0 is refused: libext2fs takes a zero time
 * (fs->now) as "use the clock" when it writes the superblock.
 */
#define BUILD_DEFAULT_EPOCH 1577836800

/* Where kata-config.toml says the image lives unless --kata-image says otherwise. */
#define BUILD_DEFAULT_KATA_IMAGE "/opt/kata/share/kata-containers/kata-containers-tdverity.img"

struct build_config {
	const char *template_dir;
	const char *agent;
	const char *base;	   /* NULL: none */
	const char *out;
	enum disk_layout layout;
	const char *seed;	   /* "" when not given */
	enum hash_alg alg;
	uint64_t size;		   /* filesystem bytes; 0: sized to the content */
	const char *extra_cmdline; /* NULL: none */
	const char *kernel_modules; /* /lib/modules/<release>: also write initrd.img; NULL: no */
	const char *init;	   /* tdverity-init for the initrd; NULL: beside this program */
	bool initrd;		   /* write initrd.img (set by --initrd and by --kernel-modules) */
	enum measure_backend measure; /* --measure: tdverity.measure= (auto when not given) */
	const char *kata_image;	   /* image path written into kata-config.toml */
	enum build_boot boot;	   /* --boot (host/manifest.h) */
	struct rootfs_named_input inputs[ROOTFS_MAX_INPUTS]; /* --input NAME=FILE */
	char input_names[ROOTFS_MAX_INPUTS][ROOTFS_INPUT_NAME_MAX + 1];
	size_t n_inputs;
	uint64_t epoch;		   /* SOURCE_DATE_EPOCH */
	bool json;
	bool help, version;
};

/*
 * Parse argv and the environment (SOURCE_DATE_EPOCH).  Returns 0, or -EINVAL with the
 * reason in err (exit code 2).  help/version set the flags and skip the checks.
 */
int build_config_parse(int argc, char **argv, const char *source_date_epoch,
		       struct build_config *ret, struct tdv_error *err);
/* "123", "64K", "512M", "4G" (binary units); -EINVAL on anything else or overflow. */
int parse_size(const char *s, uint64_t *ret);

/* ---- derivation (README, "Reproducibility") ------------------------------------------ */

struct derive_input {
	const char *role;
	uint8_t sha256[32];
};

struct derived_ids {
	uint8_t master[32];
	uint8_t salt[32];
	uint8_t fs_uuid[16];
	uint8_t hash_seed[16];
	uint8_t verity_uuid[16];
	uint8_t disk_guid[16];
};

/*
 * master = SHA-256("tdverity-build derivation v1" ‖ 0 ‖ u64le(len seed) ‖ seed ‖
 *                  u64le(epoch) ‖ alg name ‖ 0 ‖ u64le(n) ‖ sorted (role ‖ 0 ‖ sha256)...)
 * id     = SHA-256("tdverity " label ‖ 0 ‖ master), truncated to the id's size; the UUIDs
 *          (fs, hash seed, verity superblock, disk) get RFC 4122 version 4 / variant bits.
 * Inputs are sorted by (role, digest), so the order and the paths they were found at do
 * not matter; only their contents do.
 */
int derive_ids(const char *seed, uint64_t epoch, enum hash_alg alg, const struct derive_input *in,
	       size_t n, struct derived_ids *ret);

/* ---- results and text outputs ---------------------------------------------------------- */

struct build_input_record {
	char *role;
	char *path; /* "@AGENT@", "@BASE@", else relative to the template folder */
	uint8_t sha256[32];
};

struct build_result {
	const struct build_config *config;
	struct verity_root root; /* hash_offset relative to the hash partition/file */
	struct derived_ids ids;
	struct disk_ids disk;
	struct disk_geometry geometry;
	uint64_t fs_size;
	struct build_input_record *inputs;
	size_t n_inputs;
	char *cmdline; /* the complete measured line (verity part + extra) */
	/* initrd.img (with --kernel-modules): the init binary's digest and the modules in
	 * load order (file names), for manifest.json. */
	bool have_initrd;
	uint8_t init_sha256[32];
	char **initrd_modules;
	/* Output files written so far, for manifest.json and --json. */
	struct {
		char name[32];
		uint64_t size;
		uint8_t sha256[32];
	} files[16];
	size_t n_files;
};

void build_result_done(struct build_result *r);

/*
 * What ships with the builder, found relative to its own binary (builder/install-paths.c):
 * the static tdverity-init, and a template given by name (`--template kata-agent`).
 */
int build_default_init_path(char out[PATH_MAX]);
int build_find_template(const char *name, char out[PATH_MAX]);

/* Path shown for an input: relative to template_dir when inside it, else the file name. */
char *build_input_display_path(const char *template_dir, const char *path);

/* cmdline.txt: verity_cmdline_build_with_extra() with disk_layout_selectors() devices.
 * -EINVAL (with err) when the extra part is refused or the line too long. */
int build_cmdline(struct build_result *r, struct tdv_error *err);
/* "initrd.img", or "initramfs.cpio" for --boot builtin-initramfs. */
const char *build_init_image_name(const struct build_config *c);
/* kernel-config.fragment (--boot builtin-initramfs): CONFIG_INITRAMFS_SOURCE and what
 * tdverity-init needs built into the kernel. */
int build_kernel_config_fragment(const struct build_result *r, char **ret);
/* Kata's kernel_verity_params line. */
int build_kata_verity_params(const struct build_result *r, char **ret);
/*
 * kata-config.toml: the [hypervisor.qemu] keys to put into Kata's configuration (image,
 * kernel_verity_params, kernel_params) and the enable_annotations advice, as TOML that
 * lib/host/toml.h reads back.
 */
int build_kata_config_snippet(const struct build_result *r, char **ret);
/*
 * reference-values.json (lib/host/refvalues.h) for the default firmware profile: the
 * rootfs event's rtmr_3 always; initrd_path (NULL: none) adds the initrd event; what the
 * build cannot know (kernel, MRTD, the booted cmdline) is listed under "omitted".
 */
int build_reference_values_json(const struct build_result *r, const char *initrd_path,
				char **ret);
/* Kata's GetKernelRootParams string: dm-mod.create="..." root=/dev/dm-0 ... */
int build_dm_mod_create(const struct build_result *r, char **ret);
/* manifest.json (pretty, keys sorted, trailing newline). */
int build_manifest_json(const struct build_result *r, char **ret);
/* The --json summary (one line). */
int build_summary_json(const struct build_result *r, const char *out, char **ret);

/*
 * The whole build into config->out, atomically.  Returns 0 or -errno with err filled;
 * *ret_bad_input tells input errors (exit 3) from build failures (exit 1).
 */
int build_run(const struct build_config *config, struct build_result *ret, bool *ret_bad_input,
	      struct tdv_error *err);
