/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two base loaders (--base FOLDER, --base TARBALL): each appends the base's entries
 * to the tree under construction (rootfs-loader.h).  Used by rootfs-template.c only.
 * Errors: negative errno with L->err naming the base path and the problem.
 */
#pragma once

#include "host/rootfs-loader.h"

/* Walk the folder L->in->base_path (never following a symlink), hashing every regular
 * file; sets the tree's ROOT_BASE fd. */
int rootfs_base_folder_load(struct loader *L);

/* Canonical listing digest of a loaded base folder (format documented in rootfs.h); the
 * pending entries must be sorted by path.  0 or -ENOMEM/-EIO. */
int rootfs_base_folder_digest(const struct loader *L, uint8_t out[32]);

/* Read the tar/cpio archive L->in->base_path (libarchive), recording each member and the
 * archive's SHA-256; contents stay in the archive (SOURCE_ARCHIVE). */
int rootfs_base_archive_load(struct loader *L);
