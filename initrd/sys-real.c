/* SPDX-License-Identifier: Apache-2.0 */
/* The real seam: the kernel's system calls, as 0 / -errno. */
#include "initrd/sys.h"

#include "core/util.h"

#include <blkid/blkid.h>
#include <cpuid.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

static int ret0(int r)
{
	return r < 0 ? negative_errno() : r;
}
static ssize_t retn(ssize_t r)
{
	return r < 0 ? (ssize_t)negative_errno() : r;
}

static int real_mount(const char *source, const char *target, const char *fstype,
		      unsigned long flags, const char *data)
{
	return ret0(mount(source, target, fstype, flags, data));
}
static int real_mkdir(const char *path, mode_t mode)
{
	return ret0(mkdir(path, mode));
}
static int real_mknod(const char *path, mode_t mode, dev_t dev)
{
	return ret0(mknod(path, mode, dev));
}
static int real_stat(const char *path, mode_t *ret_mode, dev_t *ret_rdev)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return negative_errno();
	*ret_mode = st.st_mode;
	*ret_rdev = st.st_rdev;
	return 0;
}
static int real_open(const char *path, int flags, mode_t mode)
{
	return ret0(open(path, flags, mode));
}
static int real_fstat(int fd, mode_t *ret_mode, dev_t *ret_dev)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return negative_errno();
	*ret_mode = st.st_mode;
	*ret_dev = st.st_dev;
	return 0;
}
static int real_move_mount_to_fd(const char *from, int to_fd)
{
	return ret0(move_mount(AT_FDCWD, from, to_fd, "", MOVE_MOUNT_T_EMPTY_PATH));
}
/* Intel TDX guest-host communication interface spec: CPUID leaf 0x21, subleaf 0, gives
 * EBX:EDX:ECX = "Inte" "lTDX" "    " inside a TD (as Linux's tdx_early_init() reads it).
 * The maximum basic leaf is checked first: past it Intel CPUs return the last leaf. */
static bool real_cpuid_is_tdx_guest(void)
{
	unsigned a, b, c, d;
	if (__get_cpuid_max(0, NULL) < 0x21)
		return false;
	__cpuid_count(0x21, 0, a, b, c, d);
	(void)a;
	uint32_t sig[3] = { b, d, c };
	return memcmp(sig, "IntelTDX    ", 12) == 0;
}
static int real_close(int fd)
{
	return ret0(close(fd));
}
static ssize_t real_read(int fd, void *buf, size_t len)
{
	ssize_t n;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return retn(n);
}
static ssize_t real_write(int fd, const void *buf, size_t len)
{
	ssize_t n;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return retn(n);
}
static ssize_t real_pread(int fd, void *buf, size_t len, uint64_t offset)
{
	size_t done = 0;
	/* A short read of a block device happens only at its end; loop for EINTR/partials. */
	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}
static int real_ioctl(int fd, unsigned long request, void *arg)
{
	return ret0(ioctl(fd, request, arg));
}
static int real_finit_module(int fd, const char *params, int flags)
{
	return ret0((int)syscall(SYS_finit_module, fd, params, flags));
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int real_list_dir(const char *path, char ***ret_names, size_t *ret_n)
{
	DIR *d = opendir(path);
	if (!d)
		return negative_errno();
	char **names = NULL;
	size_t n = 0;
	int r = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char **grown = realloc(names, (n + 1) * sizeof(*names));
		char *name = grown ? strdup(de->d_name) : NULL;
		if (grown)
			names = grown;
		if (!name) {
			r = -ENOMEM;
			break;
		}
		names[n++] = name;
		errno = 0;
	}
	if (r == 0 && errno != 0)
		r = negative_errno();
	closedir(d);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return r;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	*ret_names = names;
	*ret_n = n;
	return 0;
}

static int real_probe_partuuid(const char *devnode, char *buf, size_t len)
{
	/* Low-level probe of the partition's table entry (as `blkid -p`); no cache file. */
	blkid_probe pr = blkid_new_probe_from_filename(devnode);
	if (!pr)
		return errno > 0 ? -errno : -EIO;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	/* Only the tables our layouts write (gpt; dos for --layout kata): libblkid's other
	 * partition parsers (BSD, Solaris, Minix, ...) never see the disk before it is
	 * verified, so a flaw in one cannot be reached with a crafted image. */
	static char *const only[] = { "gpt", "dos", NULL };
	if (blkid_probe_filter_partitions_type(pr, BLKID_FLTR_ONLYIN, (char **)only) < 0) {
		blkid_free_probe(pr);
		return -EIO;
	}
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	int r = blkid_do_safeprobe(pr);
	const char *uuid = NULL;
	if (r == 0 && blkid_probe_lookup_value(pr, "PART_ENTRY_UUID", &uuid, NULL) == 0 && uuid) {
		if (strlen(uuid) >= len)
			r = -ENAMETOOLONG;
		else {
			for (size_t i = 0; uuid[i]; i++)
				buf[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'Z' ? uuid[i] + 32
										 : uuid[i]);
			buf[strlen(uuid)] = '\0';
			r = 0;
		}
	} else if (r == -2) {
		r = -ENOTUNIQ; /* ambivalent probing result */
	} else if (r < 0) {
		r = -EIO;
	} else {
		r = -ENOENT;
	}
	blkid_free_probe(pr);
	return r;
}

static int real_chdir(const char *path)
{
	return ret0(chdir(path));
}
static int real_chroot(const char *path)
{
	return ret0(chroot(path));
}
static int real_execve(const char *path, char *const argv[], char *const envp[])
{
	return ret0(execve(path, argv, envp));
}
static int real_reboot(int cmd)
{
	return ret0(reboot(cmd));
}
static int real_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0)
		if (errno != EINTR)
			return negative_errno();
	return 0;
}
static uint64_t real_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const struct init_sys init_sys_real = {
    .mount = real_mount,
    .mkdir = real_mkdir,
    .mknod = real_mknod,
    .stat = real_stat,
    .open = real_open,
    .fstat = real_fstat,
    .move_mount_to_fd = real_move_mount_to_fd,
    .cpuid_is_tdx_guest = real_cpuid_is_tdx_guest,
    .close = real_close,
    .read = real_read,
    .write = real_write,
    .pread = real_pread,
    .ioctl = real_ioctl,
    .finit_module = real_finit_module,
    .list_dir = real_list_dir,
    .probe_partuuid = real_probe_partuuid,
    .chdir = real_chdir,
    .chroot = real_chroot,
    .execve = real_execve,
    .reboot = real_reboot,
    .sleep_ms = real_sleep_ms,
    .now_ms = real_now_ms,
};
