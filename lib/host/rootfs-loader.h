/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rootfs tree under construction: the loader's state and the entry helpers shared by
 * the pieces that fill it.  Private to lib/host.  Dependency direction (no circles):
 *
 *   rootfs-template.c (template merge, rootfs_tree_load)
 *     ├── rootfs-base-folder.c  ┐
 *     └── rootfs-base-archive.c ┴─ rootfs-base.h
 *                                   └── rootfs-loader.h (this file; rootfs-tree.c)
 *                                         └── rootfs-tree.h (the finished tree, also read
 *                                               by ext4-writer.c)
 */
#pragma once

#include "host/rootfs-tree.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Loader-only bookkeeping kept next to each entry while the tree is being assembled. */
struct pending {
	struct rootfs_entry e;
	bool from_manifest;
	unsigned line;	     /* manifest line (from_manifest) */
	dev_t host_dev;	     /* base folder: hard-link identity (regular files, nlink > 1) */
	ino_t host_ino;
	char *hardlink_to;   /* base tarball: hard-link member → normalised target path */
};
struct loader {
	const struct rootfs_template_inputs *in;
	struct rootfs_tree *t;
	struct tdv_error *err;
	char *manifest_path;
	struct pending *p;
	size_t n, cap;
	uint64_t next_link_key;
	bool input_used[ROOTFS_MAX_INPUTS];
};

/* Set err to "out of memory"; returns -ENOMEM. */
int rootfs_oom(struct tdv_error *err);

/* Append a zeroed pending entry; NULL when out of memory or past the entry bound.
 * Invalidates earlier pointers into L->p (use indices across calls). */
struct pending *loader_pending_new(struct loader *L);

/* Free what an entry owns (not the entry itself). */
void rootfs_entry_free_fields(struct rootfs_entry *e);

/* openat2() beneath dirfd (RESOLVE_BENEATH, no magic links, no mount crossing, plus the
 * given RESOLVE_ flags), read-only.  Returns an fd or -errno. */
int rootfs_open_beneath(int dirfd, const char *path, uint64_t resolve);

/* Record an input (role, path, SHA-256) for manifest.json; a repeat is ignored.
 * 0 or -ENOMEM. */
int rootfs_tree_add_input(struct rootfs_tree *t, const char *role, const char *path,
			  const uint8_t sha256[32]);

/*
 * Hash an open host file for entry e: its identity before (*before, e.g. the walk's
 * lstat, or fstat when NULL; it must be a regular file), SHA-256 of exactly that many
 * bytes, fstat after.  Fills e->size, e->sha256, e->host_id and e->rehash, and keeps fd
 * open in e (keeps_fd, host_fd) while the tree's descriptor budget lasts, so the writer
 * reads the very file that was hashed; otherwise the caller keeps fd (*fd untouched
 * unless kept: then set to -1).  -EINVAL when it is not a regular file, -ESTALE when it
 * changed while it was read (or since *before), -errno on I/O errors.
 *
 * Threat: an input changed between its measurement (here) and the write.  The writer
 * checks e->host_id instead of hashing again; ctime cannot be set from user space, so a
 * change after this call shows in it, except within the timestamp granularity: a file
 * whose ctime is less than RACY_WINDOW_NS before the time it was hashed gets e->rehash
 * (the writer re-hashes it, as git re-reads a "racily clean" file).
 */
int rootfs_file_hash(struct rootfs_tree *t, int *fd, const struct rootfs_file_id *before,
		     struct rootfs_entry *e);

/* The identity of a stat result. */
void rootfs_file_id_of(const struct stat *st, struct rootfs_file_id *ret);

/* Whether an xattr from a base (folder or archive) is carried into the image. */
int rootfs_xattr_wanted(const char *key);

/* Add an xattr, keeping the list sorted by key.  -E2BIG (too large), -EEXIST (key
 * present), -ENOMEM. */
int rootfs_entry_add_xattr(struct rootfs_entry *e, const char *key, const void *value,
			   size_t len);
