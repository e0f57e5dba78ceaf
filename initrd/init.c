/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The steps of /init, in order (issue 3, docs/DESIGN.md decisions 3-5).  Each step returns 0 or
 * a negative errno with a message in ctx->err; tdverity_init_run() prints the one failure
 * line naming the step and powers off.  No step ever continues after a failed check.
 */
#include "initrd/init.h"

#include "core/util.h"

#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define LOG_PREFIX     "tdverity-init: "
#define DEVICE_POLL_MS 50

struct init_ctx {
	const struct init_sys *sys;
	int console_fd;
	int kmsg_fd;
	struct tdv_error err;
	struct cmdline *cmdline;
	struct verity_cmdline vc;
	char data_node[64];
	char hash_node[64];
	struct verity_devices devs;
	dev_t dm_dev;
	char *const *argv;
	char *const *envp;
};

/* ---- logging ---------------------------------------------------------------------------
 * Best effort by design: a console or kmsg that cannot be written must not decide whether
 * the boot goes on (the checks do), and there is nowhere to report that failure. */

enum log_kind { LOG_CONSOLE, LOG_BOTH };

_printf_(3, 4) static void log_line(struct init_ctx *ctx, enum log_kind kind, const char *fmt, ...)
{
	char line[1200];
	/* "<N>" sets the kmsg level; the console gets the line without it. */
	size_t pfx = strlen("<3>");
	memcpy(line, "<5>" LOG_PREFIX, pfx + strlen(LOG_PREFIX));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + pfx + strlen(LOG_PREFIX),
			  sizeof(line) - pfx - strlen(LOG_PREFIX) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = strlen(line);
	line[len++] = '\n';

	if (ctx->console_fd >= 0)
		(void)ctx->sys->write(ctx->console_fd, line + pfx, len - pfx);
	if (kind == LOG_BOTH && ctx->kmsg_fd >= 0)
		(void)ctx->sys->write(ctx->kmsg_fd, line, len);
}

static int fail(struct init_ctx *ctx, const char *step, int r)
{
	/* kmsg level 3 (error) for the failure line. */
	char line[1200];
	int n = snprintf(line, sizeof(line), "<3>" LOG_PREFIX "%s: %s\n", step,
			 ctx->err.msg[0] ? ctx->err.msg : strerror(-r));
	if (n > 0) {
		size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
		if (ctx->console_fd >= 0)
			(void)ctx->sys->write(ctx->console_fd, line + 3, len - 3);
		if (ctx->kmsg_fd >= 0)
			(void)ctx->sys->write(ctx->kmsg_fd, line, len);
	}
	log_line(ctx, LOG_BOTH, "boot stopped, powering off");
	/* Power off rather than panic: QEMU exits and a TD is torn down either way, and a
	 * panic could be turned into a reboot loop by panic=.  If it fails, main() exits and
	 * the kernel panics ("Attempted to kill init"). */
	(void)ctx->sys->reboot(RB_POWER_OFF);
	return r < 0 ? r : -EIO;
}

#define STEP_ERR(ctx, r, ...) tdv_error_set(&(ctx)->err, (r), __VA_ARGS__)

/* ---- small helpers over the seam ------------------------------------------------------ */

static int close_checked(struct init_ctx *ctx, int fd, const char *path)
{
	int r = ctx->sys->close(fd);
	if (r < 0)
		return STEP_ERR(ctx, r, "closing %s: %s", path, strerror(-r));
	return 0;
}

/* Read a whole (small) file; -EFBIG beyond max.  *ret is NUL-terminated. */
static int read_all(struct init_ctx *ctx, const char *path, size_t max, char **ret, size_t *ret_len)
{
	const struct init_sys *sys = ctx->sys;
	int fd = sys->open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd == -ENOENT ? fd
				     : STEP_ERR(ctx, fd, "opening %s: %s", path, strerror(-fd));
	char *buf = malloc(max + 1);
	if (!buf) {
		sys->close(fd);
		return STEP_ERR(ctx, -ENOMEM, "reading %s: out of memory", path);
	}
	size_t len = 0;
	for (;;) {
		ssize_t n = sys->read(fd, buf + len, max + 1 - len);
		if (n < 0) {
			free(buf);
			sys->close(fd);
			return STEP_ERR(ctx, (int)n, "reading %s: %s", path, strerror((int)-n));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			free(buf);
			sys->close(fd);
			return STEP_ERR(ctx, -EFBIG, "%s is larger than %zu bytes", path, max);
		}
	}
	int r = close_checked(ctx, fd, path);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int mkdir_existing_ok(struct init_ctx *ctx, const char *path, mode_t mode)
{
	int r = ctx->sys->mkdir(path, mode);
	if (r < 0 && r != -EEXIST)
		return STEP_ERR(ctx, r, "mkdir %s: %s", path, strerror(-r));
	return 0;
}

static int write_all(struct init_ctx *ctx, int fd, const void *buf, size_t len, const char *path)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = ctx->sys->write(fd, p, len);
		if (n < 0)
			return STEP_ERR(ctx, (int)n, "writing %s: %s", path, strerror((int)-n));
		if (n == 0)
			return STEP_ERR(ctx, -EIO, "writing %s: no progress", path);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- step 1: the API file systems ------------------------------------------------------ */

static const struct {
	const char *source, *target, *fstype;
	unsigned long flags;
	const char *data;
} api_mounts[] = {
    {"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"},
    {"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
    {"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
    {"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"},
};

static int step_mount(struct init_ctx *ctx)
{
	const struct init_sys *sys = ctx->sys;
	for (size_t i = 0; i < ELEMENTSOF(api_mounts); i++) {
		int r = mkdir_existing_ok(ctx, api_mounts[i].target, 0755);
		if (r < 0)
			return r;
		r = sys->mount(api_mounts[i].source, api_mounts[i].target, api_mounts[i].fstype,
			       api_mounts[i].flags, api_mounts[i].data);
		if (r < 0)
			return STEP_ERR(ctx, r, "mounting %s on %s: %s", api_mounts[i].fstype,
					api_mounts[i].target, strerror(-r));
	}
	/* Logging channels: best effort (see log_line). */
	int fd = sys->open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC, 0);
	if (fd >= 0)
		ctx->console_fd = fd;
	fd = sys->open("/dev/kmsg", O_WRONLY | O_CLOEXEC, 0);
	if (fd >= 0)
		ctx->kmsg_fd = fd;
	return mkdir_existing_ok(ctx, INIT_SYSROOT, 0755);
}

/* ---- step 2: the measured command line ------------------------------------------------- */

static int step_cmdline(struct init_ctx *ctx)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_all(ctx, "/proc/cmdline", INIT_CMDLINE_MAX, &text, &len);
	if (r == -ENOENT)
		return STEP_ERR(ctx, r, "/proc/cmdline is missing");
	if (r < 0)
		return r;
	if (strlen(text) != len)
		return STEP_ERR(ctx, -EINVAL, "/proc/cmdline holds a NUL byte");
	/* The kernel appends one newline to /proc/cmdline. */
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';

	r = cmdline_parse(text, &ctx->cmdline);
	if (r < 0)
		return STEP_ERR(ctx, r, "cannot parse the kernel command line: %s", strerror(-r));
	const char *why = NULL;
	r = verity_cmdline_parse(ctx->cmdline, &ctx->vc, &why);
	if (r < 0)
		return STEP_ERR(ctx, r, "%s", why ? why : strerror(-r));
	return 0;
}

/* ---- step 3: kernel modules ------------------------------------------------------------ */

/* 1 when an optional module was skipped, 0 when loaded, negative on failure. */
static int load_module(struct init_ctx *ctx, const struct module_entry *m)
{
	const struct init_sys *sys = ctx->sys;
	char path[512];
	snprintf(path, sizeof(path), INIT_MODULES_DIR "/%s", m->path);
	/* A missing file is never "optional": the list and the files are one measured
	 * initrd, so a gap means it is not the initrd that was built. */
	int fd = sys->open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return STEP_ERR(ctx, fd, "%s: %s", path, strerror(-fd));
	int r = sys->finit_module(fd, "", module_init_flags(path));
	/* ENODEV is what a module says when the machine lacks what it drives (a CPU
	 * feature: crc32c-intel without SSE4.2; tdx_guest outside a TD).  For an optional
	 * module (an accelerator or a driver the builder marked so) that is not an error;
	 * any other failure is, whatever the class. */
	if (r == -ENODEV && m->optional) {
		sys->close(fd);
		log_line(ctx, LOG_BOTH, "modules: optional %s not loaded: %s", path,
			 strerror(-r));
		return 1;
	}
	if (r < 0 && r != -EEXIST) { /* EEXIST: already loaded, or built in */
		sys->close(fd);
		return STEP_ERR(ctx, r, "loading %s%s: %s", m->optional ? "optional " : "", path,
				strerror(-r));
	}
	r = close_checked(ctx, fd, path);
	return r < 0 ? r : 0;
}

static int step_modules(struct init_ctx *ctx)
{
	_cleanup_free_ char *text = NULL;
	size_t len, n = 0, skipped = 0;
	struct module_entry *mods = NULL;

	int r = read_all(ctx, INIT_MODULE_LIST, INIT_MODULE_LIST_MAX, &text, &len);
	if (r == -ENOENT) {
		log_line(ctx, LOG_CONSOLE, "modules: no %s, nothing to load", INIT_MODULE_LIST);
		return 0;
	}
	if (r < 0)
		return r;
	r = module_list_parse(text, len, &mods, &n, &ctx->err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = load_module(ctx, &mods[i]);
		skipped += r == 1;
	}
	module_list_free(mods, n);
	if (r < 0)
		return r;
	if (skipped)
		log_line(ctx, LOG_CONSOLE, "modules: loaded %zu, %zu optional skipped",
			 n - skipped, skipped);
	else
		log_line(ctx, LOG_CONSOLE, "modules: loaded %zu", n);
	return 0;
}

/* ---- step 4: the data and hash devices ------------------------------------------------- */

static int step_devices(struct init_ctx *ctx)
{
	const struct init_sys *sys = ctx->sys;
	uint64_t deadline = sys->now_ms() + (uint64_t)ctx->vc.timeout_sec * 1000;
	bool have_data = false, have_hash = false;

	for (;;) {
		int r;
		if (!have_data) {
			r = device_resolve(sys, ctx->vc.data_device, ctx->data_node,
					   sizeof(ctx->data_node), &ctx->devs.data, &ctx->err);
			if (r < 0 && r != -ENOENT)
				return r;
			have_data = r == 0;
		}
		if (!have_hash) {
			r = device_resolve(sys, ctx->vc.hash_device, ctx->hash_node,
					   sizeof(ctx->hash_node), &ctx->devs.hash, &ctx->err);
			if (r < 0 && r != -ENOENT)
				return r;
			have_hash = r == 0;
		}
		if (have_data && have_hash)
			return 0;
		/* Bounded: a missing disk ends the boot after tdverity.timeout seconds. */
		if (sys->now_ms() >= deadline)
			return STEP_ERR(ctx, -ETIMEDOUT, "%s%s%s not found within %u s",
					have_data ? "" : ctx->vc.data_device,
					!have_data && !have_hash ? " and " : "",
					have_hash ? "" : ctx->vc.hash_device, ctx->vc.timeout_sec);
		r = sys->sleep_ms(DEVICE_POLL_MS);
		if (r < 0)
			return STEP_ERR(ctx, r, "waiting for devices: %s", strerror(-r));
	}
}

/* ---- step 5: dm-verity ----------------------------------------------------------------- */

/*
 * The kernel never reads the superblock, but veritysetup does and so does the builder's
 * image: a superblock that disagrees with the measured cmdline means the image is not the
 * one that was built, so the boot stops (everything but the uuid must match; the uuid too
 * when the cmdline names one).
 */
static int check_superblock(struct init_ctx *ctx)
{
	const struct init_sys *sys = ctx->sys;
	const struct verity_params *p = &ctx->vc.root.params;
	uint8_t disk[VERITY_SUPERBLOCK_SIZE], want[VERITY_SUPERBLOCK_SIZE];
	struct verity_params found;

	int fd = sys->open(ctx->hash_node, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return STEP_ERR(ctx, fd, "opening %s: %s", ctx->hash_node, strerror(-fd));
	ssize_t n = sys->pread(fd, disk, sizeof(disk), p->hash_offset);
	if (n < 0) {
		sys->close(fd);
		return STEP_ERR(ctx, (int)n, "reading the verity superblock on %s: %s",
				ctx->hash_node, strerror((int)-n));
	}
	int r = close_checked(ctx, fd, ctx->hash_node);
	if (r < 0)
		return r;
	if ((size_t)n != sizeof(disk))
		return STEP_ERR(ctx, -EIO, "short read of the verity superblock on %s",
				ctx->hash_node);
	if (verity_superblock_decode(disk, &found) < 0)
		return STEP_ERR(ctx, -EBADMSG, "no valid verity superblock at offset %llu of %s",
				(unsigned long long)p->hash_offset, ctx->hash_node);

	struct verity_params expect = *p;
	static const uint8_t no_uuid[16];
	if (memcmp(expect.uuid, no_uuid, sizeof(no_uuid)) == 0)
		memcpy(expect.uuid, found.uuid, sizeof(expect.uuid));
	r = verity_superblock_encode(&expect, want);
	if (r < 0)
		return STEP_ERR(ctx, r, "encoding the expected superblock: %s", strerror(-r));
	if (memcmp(disk, want, sizeof(disk)) != 0)
		return STEP_ERR(ctx, -EBADMSG,
				"the verity superblock on %s does not match the command line",
				ctx->hash_node);
	return 0;
}

static int load_and_resume(struct init_ctx *ctx, int control, bool with_policy)
{
	char params[VERITY_TABLE_MAX];
	uint64_t sectors;
	int r = verity_table_params(&ctx->vc, &ctx->devs, with_policy, params, sizeof(params));
	if (r < 0)
		return STEP_ERR(ctx, r, "building the verity table: %s", strerror(-r));
	r = verity_data_sectors(&ctx->vc.root.params, &sectors);
	if (r < 0)
		return STEP_ERR(ctx, r, "data size: %s", strerror(-r));
	r = dm_load_table(ctx->sys, control, INIT_DM_NAME, sectors, "verity", params);
	if (r < 0)
		return STEP_ERR(ctx, r, "DM_TABLE_LOAD: %s", strerror(-r));
	r = dm_resume(ctx->sys, control, INIT_DM_NAME);
	if (r < 0)
		return STEP_ERR(ctx, r, "DM_DEV_SUSPEND (resume): %s", strerror(-r));
	return 0;
}

/*
 * dm-verity accepts any root hash at table load and only fails reads, so read blocks back
 * now: the first and the last data block each check a whole path of the tree up to the
 * root hash.  This runs while the table returns I/O errors (no corruption option), so a
 * wrong root hash or salt gives our failure line instead of a kernel panic.
 */
static int read_back(struct init_ctx *ctx)
{
	const struct init_sys *sys = ctx->sys;
	size_t bs = ctx->vc.root.params.data_block_size;
	uint64_t last = ctx->vc.root.params.data_blocks - 1;
	_cleanup_free_ uint8_t *buf = malloc(bs);
	if (!buf)
		return STEP_ERR(ctx, -ENOMEM, "out of memory");

	int fd = sys->open(INIT_DM_NODE, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return STEP_ERR(ctx, fd, "opening %s: %s", INIT_DM_NODE, strerror(-fd));
	uint64_t blocks[2] = {0, last};
	for (size_t i = 0; i < ELEMENTSOF(blocks); i++) {
		ssize_t n = sys->pread(fd, buf, bs, blocks[i] * bs);
		if (n < 0 || (size_t)n != bs) {
			sys->close(fd);
			return STEP_ERR(ctx, n < 0 ? (int)n : -EIO,
					"reading block %llu of the verity device failed (%s): "
					"wrong root hash or salt, or a corrupted image",
					(unsigned long long)blocks[i],
					n < 0 ? strerror((int)-n) : "short read");
		}
	}
	return close_checked(ctx, fd, INIT_DM_NODE);
}

static int step_verity(struct init_ctx *ctx)
{
	const struct init_sys *sys = ctx->sys;
	int r;

	if (ctx->vc.root.params.data_blocks == 0)
		return STEP_ERR(ctx, -EINVAL, "data-blocks is 0");
	if (ctx->vc.root.params.superblock) {
		r = check_superblock(ctx);
		if (r < 0)
			return r;
	}

	int control = sys->open(INIT_DM_CONTROL, O_RDWR | O_CLOEXEC, 0);
	if (control < 0)
		return STEP_ERR(ctx, control, "opening %s: %s", INIT_DM_CONTROL,
				strerror(-control));
	r = dm_create(sys, control, INIT_DM_NAME, &ctx->dm_dev);
	if (r < 0) {
		sys->close(control);
		return STEP_ERR(ctx, r, "DM_DEV_CREATE %s: %s", INIT_DM_NAME, strerror(-r));
	}
	r = load_and_resume(ctx, control, false);
	if (r < 0) {
		sys->close(control);
		return r;
	}
	/* No udev: make the node ourselves, from the number the kernel just gave us. */
	r = sys->mknod(INIT_DM_NODE, S_IFBLK | 0600, ctx->dm_dev);
	if (r < 0) {
		sys->close(control);
		return STEP_ERR(ctx, r, "mknod %s: %s", INIT_DM_NODE, strerror(-r));
	}
	r = read_back(ctx);
	/* Now arm the corruption policy for everything read later (docs/DESIGN.md decision 5). */
	if (r >= 0)
		r = load_and_resume(ctx, control, true);
	if (r < 0) {
		sys->close(control);
		return r;
	}
	r = close_checked(ctx, control, INIT_DM_CONTROL);
	if (r < 0)
		return r;

	char hex[2 * DIGEST_MAX_SIZE + 1];
	hex_encode(ctx->vc.root.root_hash, hash_alg_size(ctx->vc.root.params.alg), hex);
	log_line(ctx, LOG_BOTH, "verity: root hash %s verified on %s (data %s, hash %s)", hex,
		 INIT_DM_NODE, ctx->data_node, ctx->hash_node);
	return 0;
}

/* ---- step 6: measure and log ----------------------------------------------------------- */

static int path_exists(struct init_ctx *ctx, const char *path, bool *ret)
{
	mode_t mode;
	dev_t rdev;
	int r = ctx->sys->stat(path, &mode, &rdev);
	if (r < 0 && r != -ENOENT)
		return STEP_ERR(ctx, r, "%s: %s", path, strerror(-r));
	*ret = r == 0;
	return 0;
}

/* The "tdx_guest" word of the first "flags" line of /proc/cpuinfo (Linux sets it from
 * X86_FEATURE_TDX_GUEST in a TD).  Only the first 16 KiB are read: the first CPU's flags
 * are there. */
static int cpuinfo_says_tdx_guest(struct init_ctx *ctx, bool *ret)
{
	const struct init_sys *sys = ctx->sys;
	char buf[16384];
	size_t len = 0;
	*ret = false;
	int fd = sys->open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return STEP_ERR(ctx, fd, "opening /proc/cpuinfo: %s", strerror(-fd));
	while (len < sizeof(buf) - 1) {
		ssize_t n = sys->read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0) {
			sys->close(fd);
			return STEP_ERR(ctx, (int)n, "reading /proc/cpuinfo: %s", strerror((int)-n));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	int r = close_checked(ctx, fd, "/proc/cpuinfo");
	if (r < 0)
		return r;
	buf[len] = '\0';
	char *flags = strstr(buf, "\nflags");
	if (!flags)
		return 0;
	char *colon = strchr(flags + 1, ':'), *end = strchr(flags + 1, '\n');
	if (!colon || (end && colon > end))
		return 0;
	if (end)
		*end = '\0';
	for (char *w = strtok(colon + 1, " \t"); w; w = strtok(NULL, " \t"))
		if (strcmp(w, "tdx_guest") == 0)
			*ret = true;
	return 0;
}

static int choose_backend(struct init_ctx *ctx, enum measure_backend *ret)
{
	bool tdx_sysfs, tdx_dev, tpm, td_flag = false;
	int r;
	if ((r = path_exists(ctx, INIT_TDX_SYSFS_DIR, &tdx_sysfs)) < 0 ||
	    (r = path_exists(ctx, INIT_TDX_DEV, &tdx_dev)) < 0 ||
	    (r = path_exists(ctx, INIT_TPM_DEV, &tpm)) < 0)
		return r;
	bool tdx = tdx_sysfs || tdx_dev;
	/*
	 * Threat: inside a TD the vTPM is the host's (the VMM emulates it), so a TD whose
	 * kernel lacks the RTMR interface must not measure into it: the host could then give
	 * any value it likes.  Whether this is a TD is the CPU's word, not the devices'.
	 */
	bool td = ctx->sys->cpuid_is_tdx_guest();
	if (!td && ctx->vc.measure == MEASURE_AUTO) {
		if ((r = cpuinfo_says_tdx_guest(ctx, &td_flag)) < 0)
			return r;
		td = td_flag;
	}

	switch (ctx->vc.measure) {
	case MEASURE_TDX:
		if (!tdx)
			return STEP_ERR(ctx, -ENODEV,
					"tdverity.measure=tdx but no TDX guest device (%s, %s)",
					INIT_TDX_SYSFS_DIR, INIT_TDX_DEV);
		*ret = MEASURE_TDX;
		return 0;
	case MEASURE_TPM:
		if (!tpm)
			return STEP_ERR(ctx, -ENODEV, "tdverity.measure=tpm but no %s",
					INIT_TPM_DEV);
		*ret = MEASURE_TPM;
		return 0;
	case MEASURE_AUTO:
		if (td && !tdx)
			return STEP_ERR(ctx, -ENODEV,
					"this is a TDX guest (%s) but it has no RTMR interface (%s, "
					"%s): a TD never falls back to the vTPM",
					td_flag ? "/proc/cpuinfo tdx_guest" : "CPUID leaf 0x21",
					INIT_TDX_SYSFS_DIR, INIT_TDX_DEV);
		if (!tdx && !tpm)
			return STEP_ERR(ctx, -ENODEV,
					"no measurement device (no TDX guest device, no %s); "
					"only tdverity.measure=none boots unmeasured",
					INIT_TPM_DEV);
		*ret = tdx ? MEASURE_TDX : MEASURE_TPM;
		return 0;
	default:
		return STEP_ERR(ctx, -EINVAL, "unknown measurement backend");
	}
}

static int write_eventlog(struct init_ctx *ctx, const uint8_t *record, size_t len)
{
	const struct init_sys *sys = ctx->sys;
	int r = mkdir_existing_ok(ctx, INIT_EVENTLOG_DIR, 0755);
	if (r < 0)
		return r;
	/* O_EXCL: ours must be the first record; an existing file is not ours to append to. */
	int fd =
	    sys->open(INIT_EVENTLOG, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return STEP_ERR(ctx, fd, "creating %s: %s", INIT_EVENTLOG, strerror(-fd));
	r = write_all(ctx, fd, record, len, INIT_EVENTLOG);
	if (r < 0) {
		sys->close(fd);
		return r;
	}
	return close_checked(ctx, fd, INIT_EVENTLOG);
}

static int step_measure(struct init_ctx *ctx, const char **ret_step)
{
	const struct verity_cmdline *vc = &ctx->vc;
	enum measure_backend backend = MEASURE_NONE;
	int r;

	*ret_step = "measure";
	if (vc->measure == MEASURE_NONE) {
		log_line(ctx, LOG_BOTH,
			 "UNMEASURED BOOT (tdverity.measure=none): the root file "
			 "system is verified but nothing was extended or logged");
		return 0;
	}
	r = choose_backend(ctx, &backend);
	if (r < 0)
		return r;

	_cleanup_free_ uint8_t *event = NULL, *record = NULL;
	size_t event_len, record_len;
	/* The event binds what runs too (init, its argv, the measure mode, the corruption
	 * policy): step_exec() passes exactly the argv stated here. */
	r = verity_cmdline_rootfs_event(vc, NULL, &event, &event_len);
	if (r < 0)
		return STEP_ERR(ctx, r, "building the rootfs event: %s", strerror(-r));

	struct tcg2_digest digests[TPM2_MAX_BANKS];
	size_t n_digests = 0;
	uint32_t reg;
	char what[160];

	if (backend == MEASURE_TDX) {
		enum tdx_extend_path path;
		digests[0].alg = HASH_SHA384;
		r = digest_buf(HASH_SHA384, event, event_len, digests[0].value);
		if (r < 0)
			return STEP_ERR(ctx, r, "hashing the rootfs event: %s", strerror(-r));
		n_digests = 1;
		r = tdx_rtmr_extend(ctx->sys, vc->rtmr, digests[0].value, &path, &ctx->err);
		if (r < 0)
			return r;
		reg = RTMR_TO_CC_MR_INDEX(vc->rtmr);
		snprintf(what, sizeof(what), "RTMR%u (%s)", vc->rtmr,
			 path == TDX_EXTEND_SYSFS ? "sysfs" : "ioctl");
	} else {
		r = tpm_measure(ctx->sys, vc->pcr, event, event_len, digests, &n_digests,
				&ctx->err);
		if (r < 0)
			return r;
		reg = vc->pcr;
		int off = snprintf(what, sizeof(what), "PCR%u (", vc->pcr);
		for (size_t i = 0; i < n_digests && off > 0 && (size_t)off < sizeof(what); i++)
			off += snprintf(what + off, sizeof(what) - (size_t)off, "%s%s",
					i ? "," : "", hash_alg_name(digests[i].alg));
		if (off > 0 && (size_t)off < sizeof(what) - 1)
			strcat(what, ")");
	}

	*ret_step = "eventlog";
	r = tcg2_record_encode(reg, EV_EVENT_TAG, digests, n_digests, event, event_len, &record,
			       &record_len);
	if (r < 0)
		return STEP_ERR(ctx, r, "encoding the TCG2 record: %s", strerror(-r));
	r = write_eventlog(ctx, record, record_len);
	if (r < 0)
		return r;
	log_line(ctx, LOG_BOTH, "measured rootfs into %s", what);
	return 0;
}

/* ---- step 7: mount the verified root, switch to it, exec its init ---------------------- */

static int step_mount_root(struct init_ctx *ctx)
{
	/* Read-only, and nothing else: the content (device nodes and setuid files included)
	 * is exactly what was built and measured; nodev/nosuid would change its meaning. */
	int r = ctx->sys->mount(INIT_DM_NODE, INIT_SYSROOT, "ext4", MS_RDONLY, NULL);
	if (r < 0)
		return STEP_ERR(ctx, r, "mounting %s (ext4, read-only) on %s: %s", INIT_DM_NODE,
				INIT_SYSROOT, strerror(-r));
	return 0;
}

/*
 * util-linux switch_root without its lenient fallbacks: a mount that cannot be moved stops
 * the boot (switch_root detaches it and warns).  The initramfs contents are not deleted: they
 * are a few MB, unreachable once the new root is mounted over "/", and a recursive delete
 * that must never cross into a mount is the riskiest code switch_root has.
 */
/*
 * Threat: the targets are names in the new root.  A symlink there (/sysroot/run -> /)
 * would make MS_MOVE follow it and put the API file systems somewhere else, possibly
 * outside the new root.  So each target is opened O_PATH|O_NOFOLLOW|O_DIRECTORY (a
 * symlink or a non-directory fails), checked to be a directory on the verified root's
 * file system, and the mount is moved onto that very fd (move_mount, the fd form of
 * MS_MOVE), never onto a name looked up again.
 */
static int open_move_target(struct init_ctx *ctx, const char *target, dev_t root_dev,
			    int *ret_fd)
{
	const struct init_sys *sys = ctx->sys;
	mode_t mode;
	dev_t dev;
	int fd = sys->open(target, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return STEP_ERR(ctx, fd, "%s: %s (must be a directory, not a symlink)", target,
				strerror(-fd));
	int r = sys->fstat(fd, &mode, &dev);
	if (r < 0) {
		sys->close(fd);
		return STEP_ERR(ctx, r, "fstat %s: %s", target, strerror(-r));
	}
	if (!S_ISDIR(mode) || dev != root_dev) {
		sys->close(fd);
		return STEP_ERR(ctx, -ENOTDIR, "%s is not a directory of the verified root", target);
	}
	*ret_fd = fd;
	return 0;
}

static int step_switch_root(struct init_ctx *ctx)
{
	const struct init_sys *sys = ctx->sys;
	static const char *const moved[] = {"/dev", "/proc", "/sys", "/run"};
	mode_t mode;
	dev_t root_dev;
	int r;

	int root = sys->open(INIT_SYSROOT, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC, 0);
	if (root < 0)
		return STEP_ERR(ctx, root, "%s: %s", INIT_SYSROOT, strerror(-root));
	r = sys->fstat(root, &mode, &root_dev);
	if (r < 0) {
		sys->close(root);
		return STEP_ERR(ctx, r, "fstat %s: %s", INIT_SYSROOT, strerror(-r));
	}
	if ((r = close_checked(ctx, root, INIT_SYSROOT)) < 0)
		return r;

	for (size_t i = 0; i < ELEMENTSOF(moved); i++) {
		char target[64];
		int fd = -1;
		snprintf(target, sizeof(target), INIT_SYSROOT "%s", moved[i]);
		r = open_move_target(ctx, target, root_dev, &fd);
		if (r < 0)
			return r;
		r = sys->move_mount_to_fd(moved[i], fd);
		if (r < 0) {
			sys->close(fd);
			return STEP_ERR(ctx, r, "moving %s to %s: %s", moved[i], target,
					strerror(-r));
		}
		if ((r = close_checked(ctx, fd, target)) < 0)
			return r;
	}
	if ((r = sys->chdir(INIT_SYSROOT)) < 0)
		return STEP_ERR(ctx, r, "chdir %s: %s", INIT_SYSROOT, strerror(-r));
	if ((r = sys->mount(INIT_SYSROOT, "/", NULL, MS_MOVE, NULL)) < 0)
		return STEP_ERR(ctx, r, "moving %s to /: %s", INIT_SYSROOT, strerror(-r));
	if ((r = sys->chroot(".")) < 0)
		return STEP_ERR(ctx, r, "chroot: %s", strerror(-r));
	if ((r = sys->chdir("/")) < 0)
		return STEP_ERR(ctx, r, "chdir /: %s", strerror(-r));
	return 0;
}

/*
 * Threat: the kernel hands /init its unknown bare words ("single", "emergency", "s") as
 * argv; passed on, they start a distro init into a rescue shell that the rootfs event
 * would not show.  The argv is exactly the one the event states (verity_cmdline_init_argv()).
 */
static int step_exec(struct init_ctx *ctx)
{
	const char *argv[2];
	verity_cmdline_init_argv(&ctx->vc, argv);

	log_line(ctx, LOG_BOTH, "exec %s", ctx->vc.init);
	static char *const no_env[] = {NULL};
	int r = ctx->sys->execve(ctx->vc.init, (char *const *)argv,
				 ctx->envp ? ctx->envp : no_env);
	if (r < 0)
		return STEP_ERR(ctx, r, "execve %s: %s", ctx->vc.init, strerror(-r));
	return 0;
}

int tdverity_init_run(const struct init_sys *sys, char *const argv[], char *const envp[])
{
	struct init_ctx ctx = {
	    .sys = sys,
	    .console_fd = 2, /* the kernel's /dev/console from the initramfs, until devtmpfs */
	    .kmsg_fd = -1,
	    .argv = argv,
	    .envp = envp,
	};
	const char *step;
	int r;

	verity_cmdline_init(&ctx.vc);
	if ((r = step_mount(&ctx)) < 0) {
		step = "mount";
		goto fail;
	}
	log_line(&ctx, LOG_BOTH, "starting (version %s)", TDV_VERSION);
	if ((r = step_cmdline(&ctx)) < 0) {
		step = "cmdline";
		goto fail;
	}
	if ((r = step_modules(&ctx)) < 0) {
		step = "modules";
		goto fail;
	}
	if ((r = step_devices(&ctx)) < 0) {
		step = "devices";
		goto fail;
	}
	if ((r = step_verity(&ctx)) < 0) {
		step = "verity";
		goto fail;
	}
	if ((r = step_measure(&ctx, &step)) < 0)
		goto fail;
	if ((r = step_mount_root(&ctx)) < 0) {
		step = "mount-root";
		goto fail;
	}
	if ((r = step_switch_root(&ctx)) < 0) {
		step = "switch-root";
		goto fail;
	}
	if ((r = step_exec(&ctx)) < 0) {
		step = "exec";
		goto fail;
	}
	cmdline_free(ctx.cmdline);
	return 0;
fail:
	r = fail(&ctx, step, r);
	cmdline_free(ctx.cmdline);
	return r;
}
