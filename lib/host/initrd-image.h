/* SPDX-License-Identifier: Apache-2.0 */
/*
 * initrd.img: a reproducible newc cpio (sorted, fixed times/owners, compressed) holding
 * /init and the kernel modules the target kernel needs, with their load order resolved on
 * the host with libkmod.  Owned by lib/host/initrd-image.c.
 *
 * Contents (the contract with tdverity-init, initrd/README-initrd.md):
 *   /init                      the static tdverity-init, mode 0755
 *   /dev/console               character device 5:1 (the kernel opens it before /init)
 *   /dev /proc /sys /run /sysroot   empty folders (mount points)
 *   /lib/modules/NAME.ko       each module of the closure, uncompressed (a .ko.xz/.ko.zst/
 *                              .ko.gz of the kernel is decompressed on the host, so /init
 *                              can finit_module() the plain file)
 *   /lib/modules/load-order    the load order: one file name per line, relative to
 *                              /lib/modules/ ("dm-verity.ko"), '\n'-terminated,
 *                              dependencies before their users, no comments or blank
 *                              lines.  /init loads each in turn; a module that is
 *                              already loaded (EEXIST) is fine, anything else fails the
 *                              boot.
 * Modules the kernel has built in (modules.builtin) are left out.  Every entry has uid/gid
 * 0, mtime = timestamp, nlink 1 (2 for folders) and a fixed inode number (its index in the
 * sorted list), so the same inputs give the same bytes.  The cpio is gzip-compressed
 * (level 9, no name or time in the gzip header): every Linux kernel takes that.
 *
 * The modules: virtio_pci, virtio_blk (the disk), dm_mod, dm_verity, ext4, the target's
 * fast hash module for the verity algorithm (sha256_ssse3, or sha512_ssse3 for
 * sha384/sha512), tpm_tis and tpm_crb when they are modules, with their dependencies and
 * the "pre:" soft dependencies of modules.softdep (crc32c for ext4/jbd2).  The fast hash
 * modules need a CPU with SSSE3: every TDX guest has it (under QEMU TCG use -cpu max).
 */
#pragma once

#include "core/error.h"

#include <stdint.h>

struct initrd_image_inputs {
	const char *init_path;	 /* the static tdverity-init binary */
	const char *modules_dir; /* /lib/modules/<release> of the target kernel */
	uint64_t timestamp;	 /* SOURCE_DATE_EPOCH */
	const char *hash_alg;	 /* the verity hash ("sha256" when NULL): picks the hash module */
};

/* Write the image atomically to out_path. */
int initrd_image_write(const struct initrd_image_inputs *in, const char *out_path,
		       struct tdv_error *err);

/*
 * The modules the image will hold, in load order: a NULL-terminated array of paths as
 * found in modules_dir (absolute), owned by the caller (free with initrd_module_list_free).
 * An empty list (just NULL) when the kernel has everything built in.  -ENOENT (with a
 * message naming the module) when a required module is neither a module nor built in.
 */
int initrd_modules_resolve(const char *modules_dir, const char *hash_alg, char ***ret_paths,
			   struct tdv_error *err);
void initrd_module_list_free(char **paths);
