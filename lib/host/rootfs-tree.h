/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-memory rootfs tree shared by its loaders (rootfs-template.c and the base loaders,
 * through rootfs-loader.h, build it) and ext4-writer.c (which writes it).  Private to
 * lib/host; programs use rootfs.h.  Implemented in rootfs-tree.c, except
 * rootfs_archive_stream() (rootfs-base-archive.c, next to the archive's loader).
 */
#pragma once

#include "host/rootfs.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct archive;

struct rootfs_xattr {
	char *key;
	uint8_t *value;
	size_t len;
};

enum rootfs_source {
	SOURCE_NONE,	/* no content (dirs, links, devices, empty files) */
	SOURCE_HOST,	/* a host file: openat(root_fd[root], host_path) beneath that root */
	SOURCE_ARCHIVE, /* member number archive_index of the base tarball */
};

enum rootfs_root {
	ROOT_TEMPLATE, /* the template folder */
	ROOT_BASE,     /* the --base folder */
	ROOT_AGENT,    /* the --agent file itself (host_path unused) */
	ROOT_INPUT,    /* an --input file (entry.input = its index; fd in input_fds) */
	_ROOT_MAX,
};

/*
 * What a host file looked like when it was hashed at load time.  The writer compares it
 * (before and after copying) instead of reading and hashing the file a second time.
 */
struct rootfs_file_id {
	uint64_t dev, ino, size;
	int64_t mtime_sec, ctime_sec;
	long mtime_nsec, ctime_nsec;
};

struct rootfs_entry {
	char *path;	 /* "/" or "/a/b" */
	uint32_t mode;	 /* S_IFMT type | permission bits (<= 07777) */
	uint32_t uid, gid;
	uint32_t major, minor; /* devices */
	char *target;	 /* symlink target */
	uint64_t size;	 /* regular file size */
	enum rootfs_source source;
	enum rootfs_root root;
	unsigned input;		/* ROOT_INPUT: index into the tree's input_fds */
	char *host_path;	/* SOURCE_HOST: relative to the root folder */
	uint64_t archive_index; /* SOURCE_ARCHIVE: ordinal of the member in the tarball */
	uint8_t sha256[32];	/* SOURCE_HOST: content digest taken at load time */
	struct rootfs_file_id host_id; /* SOURCE_HOST: the file as it was hashed */
	bool rehash;		/* SOURCE_HOST: changed just before it was hashed (see
				 * rootfs_file_hash()): the writer hashes it again */
	bool keeps_fd;		/* SOURCE_HOST: host_fd is the descriptor it was hashed
				 * through, kept open for the writer (closed with the entry) */
	int host_fd;
	uint64_t link_key;	/* hard-link group (0: none); same key = same inode */
	struct rootfs_xattr *xattrs; /* sorted by key */
	size_t n_xattrs;
	char *origin; /* "manifest:12" / "base" / "base tarball": for error messages */
};

struct rootfs_tree {
	struct rootfs_entry *entries; /* sorted by path (strcmp): parents precede children */
	size_t n_entries;
	int root_fd[_ROOT_MAX]; /* O_PATH folder fds (template, base folder); agent: O_RDONLY */
	int input_fds[ROOTFS_MAX_INPUTS]; /* --input files, O_RDONLY, in the order given */
	size_t n_input_fds;
	char *base_tarball;	/* --base when it is an archive */
	uint8_t base_tarball_sha256[32];
	struct rootfs_input *inputs;
	size_t n_inputs;
	atomic_size_t fds_left; /* descriptors entries may still keep open (keeps_fd) */
};

/* Find an entry by normalised path (binary search); NULL when absent. */
const struct rootfs_entry *rootfs_tree_find(const struct rootfs_tree *t, const char *path);

/*
 * Open the host source of a SOURCE_HOST entry for reading, beneath its root folder (never
 * following a symlink out of it).  Returns an fd or -errno.
 */
int rootfs_entry_open(const struct rootfs_tree *t, const struct rootfs_entry *e);

/*
 * 0 when the open fd is still the file e was hashed from, unchanged since (device, inode,
 * size, mtime, ctime all equal); -ESTALE when it differs, -errno when fstat fails.
 */
int rootfs_file_check(int fd, const struct rootfs_entry *e);

/*
 * Stream the base tarball in archive order: for every member that is a SOURCE_ARCHIVE
 * entry's content, call fn with the entry and the archive positioned at its data.  The
 * member list and the tarball's SHA-256 must match what rootfs_tree_load() saw, else
 * -ESTALE.  fn returns 0 or -errno (stops the walk).
 */
typedef int (*rootfs_archive_fn)(const struct rootfs_entry *e, struct archive *a, void *userdata,
				 struct tdv_error *err);
int rootfs_archive_stream(const struct rootfs_tree *t, rootfs_archive_fn fn, void *userdata,
			  struct tdv_error *err);
