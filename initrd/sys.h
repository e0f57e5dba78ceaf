/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seam: every side-effecting call tdverity-init makes goes through this table, so a
 * unit test can substitute a fake that records each call and fails the Nth one (a static
 * binary ignores LD_PRELOAD, so kmod's init_module.so trick cannot work here).
 *
 * Contract for every member: return >= 0 on success (a count or an fd where that is the
 * call's result) and a negative errno on failure, never -1 with errno.  The real table
 * (sys-real.c) is the only code of /init that calls the kernel directly.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct init_sys {
	int (*mount)(const char *source, const char *target, const char *fstype,
		     unsigned long flags, const char *data);
	int (*mkdir)(const char *path, mode_t mode);
	int (*mknod)(const char *path, mode_t mode, dev_t dev);
	/* stat(): the file type bits of st_mode and st_rdev. */
	int (*stat)(const char *path, mode_t *ret_mode, dev_t *ret_rdev);
	int (*open)(const char *path, int flags, mode_t mode);
	/* fstat(): the file type bits of st_mode and st_dev (the file system it is on). */
	int (*fstat)(int fd, mode_t *ret_mode, dev_t *ret_dev);
	/* move_mount(2) of the mount at from onto the directory open as to_fd (an O_PATH fd,
	 * MOVE_MOUNT_T_EMPTY_PATH): MS_MOVE onto exactly the directory that was checked. */
	int (*move_mount_to_fd)(const char *from, int to_fd);
	/* Whether CPUID says this is a TDX guest (leaf 0x21 signature "IntelTDX    "). */
	bool (*cpuid_is_tdx_guest)(void);
	int (*close)(int fd);
	ssize_t (*read)(int fd, void *buf, size_t len);
	ssize_t (*write)(int fd, const void *buf, size_t len);
	ssize_t (*pread)(int fd, void *buf, size_t len, uint64_t offset);
	int (*ioctl)(int fd, unsigned long request, void *arg);
	int (*finit_module)(int fd, const char *params, int flags);
	/* The names in a directory, without "." and "..", sorted; caller frees each and the array.
	 */
	int (*list_dir)(const char *path, char ***ret_names, size_t *ret_n);
	/* The partition-table entry UUID (GPT partition GUID, MBR "xxxxxxxx-NN") of a block
	 * device node, lower case; -ENOENT when it has none. */
	int (*probe_partuuid)(const char *devnode, char *buf, size_t len);
	int (*chdir)(const char *path);
	int (*chroot)(const char *path);
	/* On success the real one does not return. */
	int (*execve)(const char *path, char *const argv[], char *const envp[]);
	int (*reboot)(int cmd);
	int (*sleep_ms)(unsigned ms);
	uint64_t (*now_ms)(void); /* CLOCK_BOOTTIME in ms; cannot fail */
};

/* The kernel. */
extern const struct init_sys init_sys_real;
