/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.json: what tdverity-build made, and the one description of its verity volume
 * the verifier trusts.  Owned here: one writer (build_manifest_write_json(), for the builder)
 * and one strict reader (build_manifest_parse()/build_manifest_load(), for every verb of the
 * verifier).  Nothing else reads or writes the file.
 *
 * The format (keys sorted, pretty-printed, trailing newline):
 *   tool           {name, version}
 *   inputs         [{role, path, sha256}]         the inputs by role (template, agent, ...)
 *   seed, source_date_epoch                       what the build's ids were derived from
 *   layout         "gpt" | "kata" | "split"
 *   hash_algorithm, root_hash, salt (hex, "" for none), data_blocks, data_block_size,
 *   hash_block_size, hash_offset (within the hash partition/file), superblock,
 *   verity_uuid (with a superblock)               the volume: struct verity_root
 *   cmdline        the measured command line (kernel-cmdline/cmdline.h)
 *   filesystem     {type "ext4", size, timestamp, uuid, hash_seed}
 *   partitions     [root, root-verity]: {role, offset, size, file} + for gpt/kata
 *                  {number, type} + for gpt {name, uuid}
 *   disk           (gpt/kata) {file, size, label "gpt" + guid | label "dos" + id "0x%08x"}
 *   outputs        [{name, size, sha256}]
 *   initrd         (with --kernel-modules) {file, init_sha256, modules [names]}
 *   rootfs_event   {domain, operation, content, sha384}: the event /init extends
 *   boot           "initrd" | "dm-init" | "builtin-initramfs": how the volume is set up
 *                  (absent: initrd, the builds before the member existed)
 *
 * The reader is strict, because the file is ours: an unknown member, a mistyped value,
 * a second spelling or a nested object we do not write is an error.  Required is what a
 * verification rests on: layout, the volume members, partitions.  The rest (provenance:
 * tool, inputs, seed, source_date_epoch, filesystem, disk, outputs, initrd; and cmdline,
 * rootfs_event, verity_uuid) may be absent, but when present it is checked in full and
 * against the volume: the cmdline must say what the manifest says (build_manifest_check_cmdline()),
 * the rootfs_event must be the one the volume gives, gpt partition UUIDs must be the ones
 * the root hash gives (disk-image.h).
 */
#pragma once

#include "core/error.h"
#include "core/verity.h"
#include "host/disk-image.h"
#include "kernel-cmdline/cmdline.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MANIFEST_MAX_SIZE (16U << 20)
#define MANIFEST_NAME_MAX 256 /* file names: plain names, no '/' */

/* How a build boots (tdverity-build --boot). */
enum build_boot {
	BUILD_BOOT_INITRD,	      /* tdverity-init in initrd.img; cmdline.txt is tdverity's */
	BUILD_BOOT_DM_INIT,	      /* no init of ours: cmdline.txt is dm-mod.create= (CONFIG_DM_INIT) */
	BUILD_BOOT_BUILTIN_INITRAMFS, /* tdverity-init built into the kernel: no initrd */
};
const char *build_boot_name(enum build_boot b);
int build_boot_from_name(const char *name, enum build_boot *ret);

struct build_manifest_file {
	char *name; /* inputs: the role */
	char *path; /* inputs only */
	uint64_t size; /* outputs only */
	uint8_t sha256[32];
};

struct build_manifest_partition {
	uint64_t offset; /* bytes into file */
	uint64_t size;
	char file[MANIFEST_NAME_MAX];
	/* gpt/kata */
	unsigned number; /* 1 root, 2 root-verity; 0 in split */
	/* gpt only */
	bool have_uuid;
	uint8_t uuid[16];
};

struct build_manifest {
	bool have_tool;
	char tool_name[64], tool_version[64];
	struct build_manifest_file *inputs; /* have_inputs: n_inputs may be 0 */
	size_t n_inputs;
	bool have_inputs;
	char *seed;	/* NULL: absent */
	bool have_epoch;
	uint64_t source_date_epoch;

	enum disk_layout layout;
	struct verity_root root; /* hash_offset within the hash partition (or file) */
	bool have_verity_uuid;	 /* root.params.uuid is the manifest's verity_uuid */
	char *cmdline;		 /* NULL: absent */

	bool have_filesystem;
	struct {
		uint64_t size, timestamp;
		uint8_t uuid[16], hash_seed[16];
	} filesystem;

	struct build_manifest_partition data, hash;

	bool have_disk;
	struct {
		char file[MANIFEST_NAME_MAX];
		uint64_t size;
		uint8_t guid[16]; /* gpt */
		uint32_t mbr_id;  /* kata */
	} disk;

	struct build_manifest_file *outputs;
	size_t n_outputs;
	bool have_outputs;

	bool have_initrd;
	struct {
		char file[MANIFEST_NAME_MAX];
		uint8_t init_sha256[32];
		char **modules;
		size_t n_modules;
	} initrd;

	bool have_rootfs_event; /* the writer always writes it */

	bool have_boot;
	enum build_boot boot;
};

/* Free what a manifest owns (NULL-safe; the struct is zeroed). */
void build_manifest_done(struct build_manifest *m);

/*
 * The JSON text (pretty, keys sorted, trailing newline) of m; the rootfs_event member is
 * computed from m->root (core/measure.h).  -EINVAL for a value the reader would refuse
 * (an invalid volume, a bad layout, a file name with '/'), -ENOMEM.  Caller frees.
 */
int build_manifest_write_json(const struct build_manifest *m, char **ret_text);

/*
 * Read a manifest strictly (see above).  0, or -EINVAL / -EFBIG with err ("manifest: "
 * + the member and the problem); *ret untouched on failure.  Free with build_manifest_done().
 */
int build_manifest_parse(const char *json, size_t len, struct build_manifest *ret, struct tdv_error *err);
/* build_manifest_parse() of a file (err prefixed with the path); -errno when unreadable. */
int build_manifest_load(const char *path, struct build_manifest *ret, struct tdv_error *err);

/*
 * Read cmdline as /init does (verity_cmdline_parse()) and check it against the manifest:
 * the same root hash, algorithm, salt, block sizes, data blocks, hash offset, superblock
 * (and uuid, when the cmdline names one), the devices the layout gives
 * (disk_layout_selectors()), and no parameter the screening rules refuse in a booted line
 * (cmdline_screen(CMDLINE_SCOPE_BOOTED)).  Threat: a prediction of RTMR3 from the
 * manifest for a boot whose /init obeys a cmdline that sets up another volume.  0 with
 * *ret (optional) the parsed line, or -EINVAL with err naming the disagreement.
 */
int build_manifest_check_cmdline(const struct build_manifest *m, const char *cmdline,
			   struct verity_cmdline *ret, struct tdv_error *err);

/*
 * A boot without tdverity-init (dm-init: the kernel sets up the root from dm-mod.create=,
 * as Kata's runtime boots an image): true when cmdline carries dm-mod.create= and none of
 * tdverity's verity parameters (roothash=).  Such a line logs no rootfs event.
 */
bool build_manifest_cmdline_is_dm_init(const char *cmdline);
/*
 * Check a dm-init cmdline against the manifest: exactly one dm-mod.create= whose value is
 * the table of the manifest's volume on the layout's devices (the one formatter,
 * cmdline_dm_mod_create_value()), exactly one root=/dev/dm-0, no init= or rdinit=.
 * Threat: a prediction for the manifest's volume while the kernel mounts another.
 * 0, or -EINVAL with err saying what differs.
 */
int build_manifest_check_dm_init(const struct build_manifest *m, const char *cmdline,
				 struct tdv_error *err);

/* The rootfs AAEL event data of the manifest's volume (core/measure.h).  Caller frees. */
int build_manifest_rootfs_event(const struct build_manifest *m, uint8_t **ret_data, size_t *ret_len);
