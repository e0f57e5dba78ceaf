/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rootfs templates and the ext4 writer: the interface between the builder's main program
 * and lib/host/rootfs-{tree,template,base-folder,base-archive}.c + lib/host/ext4-writer.c.
 *
 * A template (rootfs-templates/<name>/) holds a manifest in gen_init_cpio line syntax
 * (dir/file/slink/nod/pipe/sock with mode uid gid), extended with a whole-tree import
 * from --base (a folder or a tarball, read with libarchive) and @NAME@ substitutions
 * (@AGENT@ = the --agent file, @NAME@ = an --input NAME=FILE).  Loading resolves everything into an in-memory tree of
 * entries whose file contents are still on the host (streamed when written).
 */
#pragma once

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --input NAME=FILE: @NAME@ as a whole file location in the manifest stands for FILE.
 * NAME is [A-Z][A-Z0-9_]* (at most ROOTFS_INPUT_NAME_MAX), not AGENT or BASE; every
 * given input must be used (a typo must not drop a file silently). */
#define ROOTFS_MAX_INPUTS 64
#define ROOTFS_INPUT_NAME_MAX 32
struct rootfs_named_input {
	const char *name;
	const char *path;
};
/* 0 when name is a valid input name (above), else -EINVAL. */
int rootfs_input_name_check(const char *name);

struct rootfs_template_inputs {
	const char *template_dir; /* folder holding the template manifest */
	const char *agent_path;	  /* --agent: an executable ELF */
	const char *base_path;	  /* --base: folder or tarball, or NULL */
	const struct rootfs_named_input *inputs; /* --input, n_inputs of them */
	size_t n_inputs;
};

struct rootfs_tree;

/* Load and validate.  On error: negative errno and err->msg naming file/line and problem. */
int rootfs_tree_load(const struct rootfs_template_inputs *in, struct rootfs_tree **ret_tree,
		     struct tdv_error *err);
void rootfs_tree_free(struct rootfs_tree *t);

/*
 * Every input file the tree was built from (manifest, agent, base, file sources), sorted
 * by path, each with its SHA-256, for manifest.json.  The arrays belong to the tree.
 * For a base tarball the digest is the SHA-256 of the file.  For a base folder it is the
 * SHA-256 of a canonical listing: for each entry in path order (strcmp) the line
 *   "<path> <st_mode octal> <uid> <gid> <major>:<minor> <content sha256 hex or empty> <symlink target or empty>\n\0"
 * followed for each xattr (key order) by "xattr <key> <value hex>\n\0".
 */
struct rootfs_input {
	const char *role; /* "template-manifest", "agent", "input", "base", "file" */
	const char *path; /* as given / as found on the host */
	uint8_t sha256[32];
};
int rootfs_tree_inputs(const struct rootfs_tree *t, const struct rootfs_input **ret_inputs,
		       size_t *ret_n);

/* A read-only view of the loaded tree, for tests and listings: entries in path order
 * ("/" first).  Strings belong to the tree. */
struct rootfs_entry_info {
	const char *path;    /* "/" or "/a/b" */
	uint32_t mode;	     /* S_IFMT type | permission bits */
	uint32_t uid, gid;
	uint32_t major, minor; /* devices */
	const char *target;  /* symlinks, else NULL */
	uint64_t size;	     /* regular files */
	size_t n_xattrs;
	bool hard_linked;    /* shares its inode with another entry */
};
size_t rootfs_tree_count(const struct rootfs_tree *t);
int rootfs_tree_entry(const struct rootfs_tree *t, size_t i, struct rootfs_entry_info *ret);

struct ext4_options {
	uint64_t size_bytes;   /* 0: size to the content with headroom (whole MiB; formula
				* in README.md, "Rootfs template manifest"); else a multiple
				* of 4 KiB, at least what the content needs (-ENOSPC) */
	uint64_t timestamp;    /* every inode/superblock time (SOURCE_DATE_EPOCH) */
	uint8_t uuid[16];      /* filesystem UUID */
	uint8_t hash_seed[16]; /* htree hash seed */
	const char *label;     /* volume label, may be NULL */
	/* Called (may be NULL) when filesystem blocks [first, first + n) (4 KiB, counted
	 * from the filesystem's start) hold their final bytes in the file: file data written
	 * in runs the library writes at once.  The builder hashes them for dm-verity while
	 * the rest is written.  A negative return fails the write with that error. */
	int (*blocks_final)(void *userdata, uint64_t first, uint64_t n);
	void *blocks_final_userdata;
};

/* The size ext4_image_write() will use for this tree with these options (bytes).
 * -ENOSPC when a given size_bytes is smaller than the content, -EINVAL when it is not a
 * multiple of 4 KiB. */
int ext4_image_size(const struct rootfs_tree *t, const struct ext4_options *o,
		    uint64_t *ret_size, struct tdv_error *err);

/*
 * Write the filesystem (4 KiB blocks, no journal, read-only-friendly) into the file at
 * path, starting at byte offset (a partition inside a disk image), covering
 * ext4_image_size() bytes.  The file must exist and be at least that long.  No mount,
 * no root.  The result is a pure function of (tree, options): the byte range is zeroed
 * first (hole punched), and nothing outside it is touched.  Host file contents are re-read
 * and re-hashed while written: -ESTALE when one changed since rootfs_tree_load().
 * On error the range holds garbage; the caller discards the file.
 */
int ext4_image_write(const struct rootfs_tree *t, const struct ext4_options *o, const char *path,
		     uint64_t offset, struct tdv_error *err);
