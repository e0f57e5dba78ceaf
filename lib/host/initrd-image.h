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
 *   /lib/modules/load-order    the load order: one "<class> <file>" per line, class
 *                              "required" or "optional", file relative to /lib/modules/
 *                              ("required dm-verity.ko"), '\n'-terminated, dependencies
 *                              before their users, no comments or blank lines.  /init
 *                              loads each in turn; a module that is already loaded
 *                              (EEXIST) is fine; an optional one may fail with ENODEV
 *                              (this CPU or machine lacks what it drives); anything else
 *                              fails the boot.
 * Modules the kernel has built in (modules.builtin) are left out.  Every entry has uid/gid
 * 0, mtime = timestamp, nlink 1 (2 for folders) and a fixed inode number (its index in the
 * sorted list), so the same inputs give the same bytes.  The cpio is gzip-compressed
 * (level 9, no name or time in the gzip header): every Linux kernel takes that.
 *
 * The modules and their classes (decided here, on the host, never guessed at boot):
 *   required  virtio_pci, virtio_blk (the disk), dm_mod, dm_verity, ext4, every
 *             implementation of the verity hash ("crypto-sha256" etc.), with their
 *             dependencies and the "pre:" soft dependencies of modules.softdep (crc32c
 *             for ext4/jbd2) - except CPU accelerators;
 *   optional  CPU accelerators (modules under kernel/arch/<arch>/crypto/: crc32c-intel,
 *             sha256-ssse3, sha512-ssse3 ... - the generic C version is required beside
 *             them), tpm_tis, tpm_crb, tdx_guest, tsm / tsm_report, and whatever only
 *             they depend on.  A wanted optional module that is neither a module nor
 *             built in is left out.
 * A module needed by both is required.
 */
#pragma once

#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>

struct initrd_image_inputs {
	const char *init_path;	 /* the static tdverity-init binary */
	const char *modules_dir; /* /lib/modules/<release> of the target kernel; NULL: a kernel
				    without modules (an empty load-order) */
	uint64_t timestamp;	 /* SOURCE_DATE_EPOCH */
	const char *hash_alg;	 /* the verity hash ("sha256" when NULL): picks the hash module */
	bool uncompressed;	 /* a plain newc cpio (for CONFIG_INITRAMFS_SOURCE) */
};

/* Write the image atomically to out_path. */
int initrd_image_write(const struct initrd_image_inputs *in, const char *out_path,
		       struct tdv_error *err);

/*
 * The modules the image will hold, in load order: a NULL-terminated array of paths as
 * found in modules_dir (absolute), owned by the caller (free with initrd_module_list_free),
 * and (ret_optional, may be NULL; free()) whether each is optional.  An empty list (just
 * NULL) when the kernel has everything built in or modules_dir is NULL.  -ENOENT (with a
 * message naming the module) when a required module is neither a module nor built in.
 */
int initrd_modules_resolve(const char *modules_dir, const char *hash_alg, char ***ret_paths,
			   bool **ret_optional, struct tdv_error *err);
void initrd_module_list_free(char **paths);
