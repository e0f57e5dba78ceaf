/* SPDX-License-Identifier: Apache-2.0 */
#include "init-fake.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

struct fake fake;

#define FAKE_FD_BASE 100
#define FAKE_MAX_FDS 32
static struct {
	bool used;
	struct fake_file *file;
	size_t pos;
} fds[FAKE_MAX_FDS];

void fake_reset(void)
{
	for (size_t i = 0; i < fake.n_files; i++) {
		free(fake.files[i].data);
		free(fake.files[i].written);
	}
	memset(&fake, 0, sizeof(fake));
	memset(fds, 0, sizeof(fds));
	fake.fail_errno = EIO;
	fake.now = 1000;
}

struct fake_file *fake_find(const char *path)
{
	for (size_t i = 0; i < fake.n_files; i++)
		if (strcmp(fake.files[i].path, path) == 0)
			return &fake.files[i];
	return NULL;
}

struct fake_file *fake_add(const char *path, mode_t mode, dev_t rdev, const void *data, size_t len)
{
	if (fake.n_files >= FAKE_MAX_FILES)
		abort();
	struct fake_file *f = &fake.files[fake.n_files++];
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->mode = mode;
	f->rdev = rdev;
	if (len) {
		f->data = malloc(len);
		memcpy(f->data, data, len);
		f->len = len;
	}
	return f;
}

const uint8_t *fake_written(const char *path, size_t *ret_len)
{
	struct fake_file *f = fake_find(path);
	if (!f || !f->written)
		return NULL;
	*ret_len = f->written_len;
	return f->written;
}

int fake_call_index(const char *prefix)
{
	for (size_t i = 0; i < fake.n_calls; i++)
		if (strncmp(fake.calls[i], prefix, strlen(prefix)) == 0)
			return (int)i;
	return -1;
}

/* Record a call; true when it is the one to fail. */
__attribute__((format(printf, 1, 2))) static bool call(const char *fmt, ...)
{
	if (fake.n_calls >= FAKE_MAX_CALLS)
		abort();
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fake.calls[fake.n_calls], sizeof(fake.calls[0]), fmt, ap);
	va_end(ap);
	fake.n_calls++;
	return fake.fail_at == fake.n_calls;
}

static struct fake_file *fd_file(int fd)
{
	if (fd == 2)
		return NULL;
	if (fd < FAKE_FD_BASE || fd >= FAKE_FD_BASE + FAKE_MAX_FDS || !fds[fd - FAKE_FD_BASE].used)
		abort(); /* the code under test used an fd it does not own */
	return fds[fd - FAKE_FD_BASE].file;
}

static const char *fd_name(int fd)
{
	struct fake_file *f = fd_file(fd);
	return f ? f->path : "<stderr>";
}

static int f_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
		   const char *data)
{
	if (call("mount %s %s %s 0x%lx %s", source, target, fstype ? fstype : "-", flags,
		 data ? data : "-"))
		return -fake.fail_errno;
	return 0;
}

static int f_mkdir(const char *path, mode_t mode)
{
	if (call("mkdir %s %04o", path, (unsigned)mode))
		return -fake.fail_errno;
	return 0;
}

static int f_mknod(const char *path, mode_t mode, dev_t dev)
{
	if (call("mknod %s %06o %u:%u", path, (unsigned)mode, major(dev), minor(dev)))
		return -fake.fail_errno;
	if (fake_find(path))
		return -EEXIST;
	fake_add(path, mode, dev, NULL, 0);
	return 0;
}

static int f_stat(const char *path, mode_t *ret_mode, dev_t *ret_rdev)
{
	if (call("stat %s", path))
		return -fake.fail_errno;
	struct fake_file *f = fake_find(path);
	if (!f)
		return -ENOENT;
	*ret_mode = f->mode;
	*ret_rdev = f->rdev;
	return 0;
}

static int f_open(const char *path, int flags, mode_t mode)
{
	if (call("open %s 0x%x %04o", path, (unsigned)flags, (unsigned)mode))
		return -fake.fail_errno;
	struct fake_file *f = fake_find(path);
	if (f && (flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (!f && !(flags & O_CREAT))
		return -ENOENT;
	if (!f)
		f = fake_add(path, S_IFREG | mode, 0, NULL, 0);
	if ((flags & O_DIRECTORY) && !S_ISDIR(f->mode))
		return -ENOTDIR; /* also a symlink under O_NOFOLLOW */
	if (strcmp(path, "/dev/kmsg") == 0)
		fake.kmsg_opened = true;
	for (int i = 0; i < FAKE_MAX_FDS; i++)
		if (!fds[i].used) {
			fds[i].used = true;
			fds[i].file = f;
			fds[i].pos = 0;
			return FAKE_FD_BASE + i;
		}
	return -EMFILE;
}

static int f_fstat(int fd, mode_t *ret_mode, dev_t *ret_dev)
{
	struct fake_file *f = fd_file(fd);
	if (call("fstat %s", fd_name(fd)))
		return -fake.fail_errno;
	*ret_mode = f->mode;
	*ret_dev = f->dev;
	return 0;
}

static int f_move_mount_to_fd(const char *from, int to_fd)
{
	if (call("move_mount %s %s", from, fd_name(to_fd)))
		return -fake.fail_errno;
	return 0;
}

static bool f_cpuid_is_tdx_guest(void)
{
	return fake.cpuid_tdx;
}

static int f_close(int fd)
{
	const char *name = fd_name(fd);
	bool failed = call("close %s", name);
	/* Like the kernel: the fd is gone even when close reports an error. */
	if (fd != 2)
		fds[fd - FAKE_FD_BASE].used = false;
	return failed ? -fake.fail_errno : 0;
}

static bool is_tpm(const struct fake_file *f) { return f && strcmp(f->path, "/dev/tpm0") == 0; }

static ssize_t f_read(int fd, void *buf, size_t len)
{
	struct fake_file *f = fd_file(fd);
	if (call("read %s", fd_name(fd)))
		return -fake.fail_errno;
	if (is_tpm(f)) {
		if (fake.n_tpm_cmds == 0)
			return -EIO;
		uint8_t *last = fake.tpm_cmds[fake.n_tpm_cmds - 1];
		const uint8_t *resp = last[9] == 0x7A ? fake.tpm_pcrs_resp : fake.tpm_extend_resp;
		size_t n = last[9] == 0x7A ? fake.tpm_pcrs_resp_len : fake.tpm_extend_resp_len;
		if (n > len)
			return -ENOMEM;
		memcpy(buf, resp, n);
		return (ssize_t)n;
	}
	size_t pos = fds[fd - FAKE_FD_BASE].pos;
	size_t n = pos < f->len ? f->len - pos : 0;
	if (n > len)
		n = len;
	memcpy(buf, f->data + pos, n);
	fds[fd - FAKE_FD_BASE].pos += n;
	return (ssize_t)n;
}

static ssize_t f_write(int fd, const void *buf, size_t len)
{
	struct fake_file *f = fd_file(fd);
	const char *name = fd_name(fd);
	if (call("write %s %zu", name, len))
		return -fake.fail_errno;
	if (!f || strcmp(name, "/dev/console") == 0) {
		size_t n = len < sizeof(fake.console) - 1 - fake.console_len ?
				   len : sizeof(fake.console) - 1 - fake.console_len;
		memcpy(fake.console + fake.console_len, buf, n);
		fake.console_len += n;
		return (ssize_t)len;
	}
	if (strcmp(name, "/dev/kmsg") == 0) {
		size_t n = len < sizeof(fake.kmsg) - 1 - fake.kmsg_len ? len :
					sizeof(fake.kmsg) - 1 - fake.kmsg_len;
		memcpy(fake.kmsg + fake.kmsg_len, buf, n);
		fake.kmsg_len += n;
		return (ssize_t)len;
	}
	if (is_tpm(f)) {
		if (fake.n_tpm_cmds >= 2 || len > sizeof(fake.tpm_cmds[0]))
			return -EIO;
		memcpy(fake.tpm_cmds[fake.n_tpm_cmds], buf, len);
		fake.tpm_cmd_len[fake.n_tpm_cmds++] = len;
		return (ssize_t)len;
	}
	f->written = realloc(f->written, f->written_len + len);
	memcpy(f->written + f->written_len, buf, len);
	f->written_len += len;
	return (ssize_t)len;
}

static ssize_t f_pread(int fd, void *buf, size_t len, uint64_t offset)
{
	struct fake_file *f = fd_file(fd);
	if (call("pread %s %zu@%llu", fd_name(fd), len, (unsigned long long)offset))
		return -fake.fail_errno;
	if (strcmp(f->path, "/dev/mapper/root") == 0) {
		if (fake.dm_read_errno)
			return -fake.dm_read_errno;
		memset(buf, 0, len);
		return (ssize_t)len;
	}
	size_t n = offset < f->len ? f->len - (size_t)offset : 0;
	if (n > len)
		n = len;
	memcpy(buf, f->data + offset, n);
	return (ssize_t)n;
}

static int f_ioctl(int fd, unsigned long request, void *arg)
{
	const char *name = fd_name(fd);
	if (request == DM_DEV_CREATE || request == DM_TABLE_LOAD || request == DM_DEV_SUSPEND) {
		struct dm_ioctl *io = arg;
		const char *what = request == DM_DEV_CREATE ? "DM_DEV_CREATE" :
				   request == DM_TABLE_LOAD ? "DM_TABLE_LOAD" : "DM_DEV_SUSPEND";
		if (call("ioctl %s %s %s flags=0x%x", name, what, io->name, io->flags))
			return -fake.fail_errno;
		if (request == DM_DEV_CREATE)
			io->dev = makedev(253, 0);
		if (request == DM_TABLE_LOAD && fake.n_dm_tables < FAKE_MAX_TABLES &&
		    io->data_size <= sizeof(fake.dm_tables[0])) {
			memcpy(fake.dm_tables[fake.n_dm_tables], arg, io->data_size);
			fake.dm_table_len[fake.n_dm_tables++] = io->data_size;
		}
		return 0;
	}
	if (call("ioctl %s 0x%lx", name, request))
		return -fake.fail_errno;
	if ((request & 0xffff) == 0x5403) { /* 'T', 3: TDX_CMD_EXTEND_RTMR */
		if (fake.tdx_iow_enotty && (request >> 30) == 1)
			return -ENOTTY;
		memcpy(fake.tdx_req, arg, sizeof(fake.tdx_req));
		fake.tdx_request = request;
		return 0;
	}
	return -ENOTTY;
}

static int f_finit_module(int fd, const char *params, int flags)
{
	if (call("finit_module %s '%s' %d", fd_name(fd), params, flags))
		return -fake.fail_errno;
	if (fake.finit_fail_path && strcmp(fd_name(fd), fake.finit_fail_path) == 0)
		return -fake.finit_fail_errno;
	return 0;
}

static int f_list_dir(const char *path, char ***ret_names, size_t *ret_n)
{
	if (call("list_dir %s", path))
		return -fake.fail_errno;
	if (strcmp(path, "/sys/class/block") != 0)
		return -ENOENT;
	bool hide = fake.now < 1000 + (uint64_t)fake.partitions_appear_after_ms;
	char **names = calloc(fake.n_block_names + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < fake.n_block_names; i++) {
		if (hide && strchr("0123456789", fake.block_names[i][strlen(fake.block_names[i]) - 1]))
			continue;
		names[n++] = strdup(fake.block_names[i]);
	}
	*ret_names = names;
	*ret_n = n;
	return 0;
}

static int f_probe_partuuid(const char *devnode, char *buf, size_t len)
{
	if (call("probe_partuuid %s", devnode))
		return -fake.fail_errno;
	struct fake_file *f = fake_find(devnode);
	if (!f || !f->partuuid[0])
		return -ENOENT;
	snprintf(buf, len, "%s", f->partuuid);
	return 0;
}

static int f_chdir(const char *path) { return call("chdir %s", path) ? -fake.fail_errno : 0; }
static int f_chroot(const char *path) { return call("chroot %s", path) ? -fake.fail_errno : 0; }

static int f_execve(const char *path, char *const argv[], char *const envp[])
{
	if (call("execve %s", path))
		return -fake.fail_errno;
	fake.execve_called = true;
	snprintf(fake.execve_path, sizeof(fake.execve_path), "%s", path);
	for (int i = 0; i < 4 && argv[i]; i++)
		snprintf(fake.execve_argv[i], sizeof(fake.execve_argv[i]), "%s", argv[i]);
	return 0; /* "success": the real one does not return */
}

static int f_reboot(int cmd)
{
	if (call("reboot 0x%x", (unsigned)cmd))
		return -fake.fail_errno;
	fake.reboot_called = true;
	fake.reboot_cmd = cmd;
	return 0;
}

static int f_sleep_ms(unsigned ms)
{
	if (call("sleep %u", ms))
		return -fake.fail_errno;
	fake.now += ms;
	return 0;
}

static uint64_t f_now_ms(void) { return fake.now; }

const struct init_sys fake_sys = {
	.mount = f_mount,
	.mkdir = f_mkdir,
	.mknod = f_mknod,
	.stat = f_stat,
	.open = f_open,
	.close = f_close,
	.read = f_read,
	.write = f_write,
	.pread = f_pread,
	.ioctl = f_ioctl,
	.finit_module = f_finit_module,
	.fstat = f_fstat,
	.move_mount_to_fd = f_move_mount_to_fd,
	.cpuid_is_tdx_guest = f_cpuid_is_tdx_guest,
	.list_dir = f_list_dir,
	.probe_partuuid = f_probe_partuuid,
	.chdir = f_chdir,
	.chroot = f_chroot,
	.execve = f_execve,
	.reboot = f_reboot,
	.sleep_ms = f_sleep_ms,
	.now_ms = f_now_ms,
};
