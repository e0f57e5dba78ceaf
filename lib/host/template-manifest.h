/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rootfs template manifest: a pure parser from a buffer to a list of lines.  It knows
 * the syntax only (README.md, "Rootfs template manifest"); rootfs-template.c resolves the
 * lines against the host (sources, --base, substitutions) and checks the tree as a whole.
 *
 *   dir   <name> <mode> <uid> <gid>
 *   file  <name> <location> <mode> <uid> <gid> [<hard link name>...]
 *   slink <name> <target> <mode> <uid> <gid>
 *   nod   <name> <mode> <uid> <gid> <b|c> <major> <minor>
 *   pipe  <name> <mode> <uid> <gid>
 *   sock  <name> <mode> <uid> <gid>
 *   base                                   (import the whole --base tree here)
 *   xattr <name> <key> <value>             (value: text without blanks, or 0x<hex>)
 *   # comment, blank lines
 *
 * Names are rootfs paths, normalised to "/a/b" (a missing leading '/' is added, as
 * gen_init_cpio accepts both); "." / ".." / empty components are refused.  Modes are octal
 * permission bits (at most 07777); uids/gids decimal, 0..4294967294.
 */
#pragma once

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

enum manifest_kind {
	MANIFEST_DIR,
	MANIFEST_FILE,
	MANIFEST_SLINK,
	MANIFEST_NOD,
	MANIFEST_PIPE,
	MANIFEST_SOCK,
	MANIFEST_BASE,
	MANIFEST_XATTR,
};

#define MANIFEST_MAX_PATH 4095	      /* longest rootfs path / symlink target */
#define MANIFEST_MAX_XATTR_VALUE 4000 /* must fit one 4 KiB xattr block */
#define MANIFEST_MAX_SIZE (4u << 20)  /* manifests larger than this are refused */

struct manifest_line {
	enum manifest_kind kind;
	unsigned line;	/* 1-based line number */
	char *name;	/* normalised rootfs path (all kinds but BASE) */
	char *location; /* FILE: host location as written; SLINK: link target */
	uint32_t mode;	/* permission bits, <= 07777 */
	uint32_t uid, gid;
	char dev_type; /* NOD: 'b' or 'c' */
	uint32_t major, minor;
	char **links; /* FILE: extra hard-link names (normalised) */
	size_t n_links;
	char *xattr_key; /* XATTR */
	uint8_t *xattr_value;
	size_t xattr_len;
};

struct manifest {
	struct manifest_line *lines;
	size_t n_lines;
};

/*
 * Parse len bytes of buf (need not be NUL-terminated; a NUL byte is an error).  filename
 * only labels errors ("<filename>:<line>: <problem>").  Returns 0 and a new manifest, or
 * -EINVAL (-ENOMEM) with err filled.  Duplicate paths are not checked here (the tree is).
 */
int manifest_parse(const char *buf, size_t len, const char *filename, struct manifest **ret,
		   struct tdv_error *err);
void manifest_free(struct manifest *m);
static inline void manifest_freep(struct manifest **m) { manifest_free(*m); }

/*
 * Normalise a rootfs path: "a/b" and "/a/b" give "/a/b", "/" gives "/".  Refuses empty
 * components ("a//b", trailing '/'), "." and "..", components longer than 255 bytes and
 * paths longer than MANIFEST_MAX_PATH.  Returns a new string or NULL (errno EINVAL/ENOMEM).
 */
char *rootfs_path_normalize(const char *path);
