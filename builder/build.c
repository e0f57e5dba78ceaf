/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The build: template → ext4 (libext2fs, no mount) → dm-verity tree → partition table →
 * text outputs, all into "<out>.tmp-XXXXXX" beside --out and renamed into place at the
 * end, so --out either holds a complete build or is not touched at all.
 */
#include "builder/build.h"

#include "core/util.h"
#include "host/initrd-image.h"
#include "host/rootfs.h"
#include "kernel-cmdline/cmdline.h"

#include <dirent.h>
#include <signal.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define VERITY_BLOCK 4096U

struct build_ctx {
	const struct build_config *c;
	struct build_result *r;
	struct rootfs_tree *tree;
	struct ext4_options ext4;
	char tmpdir[PATH_MAX];
	int tmpdir_fd;		  /* holds the folder's lock (see lock_tmpdir()), or -1 */
	bool *bad_input;
	struct tdv_error *err;
	bool show_phases;	  /* TDV_BUILD_PHASES set: time each step on stderr (bench/) */
	struct timespec phase_start;
	double phase_cpu;	  /* user + system seconds of all threads at phase_start */
};

/* The benchmark's breakdown (bench/README.md): wall time since the previous mark. */
static void phase_mark(struct build_ctx *x, const char *name)
{
	if (!x->show_phases)
		return;
	struct timespec now;
	struct rusage ru;
	clock_gettime(CLOCK_MONOTONIC, &now);
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	double s = (double)(now.tv_sec - x->phase_start.tv_sec) +
		   (double)(now.tv_nsec - x->phase_start.tv_nsec) / 1e9;
	fprintf(stderr, "tdverity-build: phase %-16s %7.3f s wall %7.3f s cpu\n", name, s,
		cpu - x->phase_cpu);
	x->phase_start = now;
	x->phase_cpu = cpu;
}

static int bad_input(struct build_ctx *x, int r)
{
	*x->bad_input = true;
	return r;
}

/* --out must not exist, or be an empty folder (which the final rename replaces). */
static int check_out(struct build_ctx *x)
{
	const char *out = x->c->out;
	struct stat st;
	if (lstat(out, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return bad_input(x, tdv_error_set(x->err, negative_errno(), "%s: %s", out, strerror(errno)));
	}
	if (!S_ISDIR(st.st_mode))
		return bad_input(x, tdv_error_set(x->err, -EEXIST, "%s: exists and is not a folder", out));
	DIR *d = opendir(out);
	if (!d)
		return bad_input(x, tdv_error_set(x->err, negative_errno(), "%s: %s", out, strerror(errno)));
	struct dirent *de;
	bool empty = true;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	if (!empty)
		return bad_input(x, tdv_error_set(x->err, -ENOTEMPTY,
						  "%s: exists and is not empty; refusing to overwrite it", out));
	return 0;
}

/*
 * SIGINT/SIGTERM/SIGHUP during the build must not leave "<out>.tmp-XXXXXX" behind either.
 * The handler may only use async-signal-safe calls: it empties the (flat) folder through a
 * descriptor opened beforehand (getdents64 + unlinkat), removes it, then dies of the
 * signal as it would have.
 */
static char sig_tmpdir[PATH_MAX];
static volatile sig_atomic_t sig_tmpdir_fd = -1;

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void on_fatal_signal(int sig)
{
	int fd = sig_tmpdir_fd;
	if (fd >= 0) {
		char buf[4096];
		for (int pass = 0; pass < 64; pass++) {
			long n;
			int removed = 0;
			lseek(fd, 0, SEEK_SET);
			while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
				for (long off = 0; off < n;) {
					struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
					if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
					    unlinkat(fd, d->d_name, 0) == 0)
						removed++;
					off += d->d_reclen;
				}
			if (!removed)
				break;
		}
		rmdir(sig_tmpdir);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void guard_tmpdir(const char *path, int fd)
{
	struct sigaction sa = { .sa_handler = on_fatal_signal };
	snprintf(sig_tmpdir, sizeof(sig_tmpdir), "%s", path);
	sig_tmpdir_fd = fd;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
		sigaddset(&sa.sa_mask, fatal_signals[i]);
	for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

/* Block the signals around the final rename, then restore the defaults. */
static void unguard_tmpdir(void)
{
	sigset_t set, old;
	sigemptyset(&set);
	for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
		sigaddset(&set, fatal_signals[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
		signal(fatal_signals[i], SIG_DFL);
	sig_tmpdir_fd = -1; /* the descriptor stays open: it holds the folder's lock */
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * A SIGKILLed build (an OOM kill, a cancelled CI job) cannot clean up: its
 * "<out>.tmp-XXXXXX" stays, a whole image each time.  Every build therefore holds an
 * exclusive flock on its temporary folder for its whole lifetime (the kernel drops it
 * when the process dies, however it dies), and the next build of the same --out removes
 * the siblings whose lock it can take: their builder is gone.  Threat answered: leaking
 * disk per killed build, without ever removing a folder that a live build still uses.
 *
 * lock_tmpdir() opens and locks a folder; -EBUSY when another process holds the lock,
 * -ENOENT when the folder is no longer at path (a cleaner removed it before we locked).
 */
static int lock_tmpdir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	struct stat a, b;
	int r = 0;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		r = errno == EWOULDBLOCK ? -EBUSY : negative_errno();
	else if (fstat(fd, &a) < 0 || lstat(path, &b) < 0 || a.st_nlink == 0 ||
		 a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		r = -ENOENT;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* "<base>.tmp-" and six characters of mkdtemp's alphabet. */
static bool is_tmp_sibling(const char *name, const char *base, size_t base_len)
{
	if (strncmp(name, base, base_len) != 0 || strncmp(name + base_len, ".tmp-", 5) != 0)
		return false;
	const char *x = name + base_len + 5;
	size_t n = strlen(x);
	if (n != 6)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((x[i] >= 'a' && x[i] <= 'z') || (x[i] >= 'A' && x[i] <= 'Z') ||
		      (x[i] >= '0' && x[i] <= '9')))
			return false;
	return true;
}

/* Empty (it is flat) and remove one dead sibling, while holding its lock. */
static void remove_dead_sibling(int parent_fd, const char *name)
{
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) { /* still in use */
		close(fd);
		return;
	}
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d && dfd >= 0)
		close(dfd);
	for (struct dirent *de; d && (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			(void)unlinkat(fd, de->d_name, 0);
	if (d)
		closedir(d);
	struct stat a, b;
	if (fstat(fd, &a) == 0 && fstatat(parent_fd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		(void)unlinkat(parent_fd, name, AT_REMOVEDIR);
	close(fd); /* the lock goes last, after the folder */
}

static void remove_dead_siblings(const char *out)
{
	_cleanup_free_ char *copy = strdup(out);
	if (!copy)
		return;
	size_t n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	char *slash = strrchr(copy, '/');
	const char *parent = slash ? (slash == copy ? "/" : copy) : ".";
	const char *base = slash ? slash + 1 : copy;
	if (slash)
		*slash = '\0';
	size_t base_len = strlen(base);
	if (base_len == 0)
		return;
	DIR *d = opendir(parent);
	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));)
		if (is_tmp_sibling(de->d_name, base, base_len))
			remove_dead_sibling(dirfd(d), de->d_name);
	closedir(d);
}

static int create_locked_tmpdir(struct build_ctx *x, const char *out, size_t n);

static int make_tmpdir(struct build_ctx *x)
{
	const char *out = x->c->out;
	size_t n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		n--;
	remove_dead_siblings(out);
	/* A signal between mkdtemp() and guard_tmpdir() would leave the folder behind: hold
	 * the fatal signals until the handler knows it. */
	sigset_t fatal, old;
	sigemptyset(&fatal);
	for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
		sigaddset(&fatal, fatal_signals[i]);
	sigprocmask(SIG_BLOCK, &fatal, &old);
	int r = create_locked_tmpdir(x, out, n);
	if (r >= 0)
		guard_tmpdir(x->tmpdir, x->tmpdir_fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* mkdtemp() "<out>.tmp-XXXXXX" and lock it (lock_tmpdir()). */
static int create_locked_tmpdir(struct build_ctx *x, const char *out, size_t n)
{
	/* Between mkdtemp() and the lock another build may take the new folder for a dead
	 * one and remove it: lock_tmpdir() sees that, and we try another name. */
	for (int attempt = 0; attempt < 16; attempt++) {
		if (snprintf(x->tmpdir, sizeof(x->tmpdir), "%.*s.tmp-XXXXXX", (int)n, out) >=
		    (int)sizeof(x->tmpdir))
			return bad_input(x, tdv_error_set(x->err, -ENAMETOOLONG, "%s: path too long",
							  out));
		if (!mkdtemp(x->tmpdir)) {
			int r = negative_errno();
			x->tmpdir[0] = '\0';
			tdv_error_set(x->err, r, "cannot create a temporary folder beside %s: %s", out,
				      strerror(-r));
			/* A missing or unwritable parent folder is a bad --out, not a failed build. */
			return r == -ENOENT || r == -ENOTDIR || r == -EACCES || r == -EROFS
				       ? bad_input(x, r)
				       : r;
		}
		x->tmpdir_fd = lock_tmpdir(x->tmpdir);
		if (x->tmpdir_fd >= 0)
			break;
		if (x->tmpdir_fd != -EBUSY && x->tmpdir_fd != -ENOENT) {
			int r = x->tmpdir_fd;
			x->tmpdir_fd = -1;
			rmdir(x->tmpdir);
			x->tmpdir[0] = '\0';
			return tdv_error_set(x->err, r, "cannot lock a temporary folder beside %s: %s",
					     out, strerror(-r));
		}
		x->tmpdir_fd = -1;
	}
	if (x->tmpdir_fd < 0) {
		x->tmpdir[0] = '\0';
		return tdv_error_set(x->err, -EBUSY, "cannot create a temporary folder beside %s: "
						     "other builds keep removing it", out);
	}
	/* mkdtemp makes 0700; the result is an ordinary output folder, whatever the umask. */
	if (fchmod(x->tmpdir_fd, 0755) < 0)
		return tdv_error_set(x->err, negative_errno(), "%s: %s", x->tmpdir, strerror(errno));
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void remove_tmpdir(struct build_ctx *x)
{
	if (x->tmpdir[0])
		nftw(x->tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	x->tmpdir[0] = '\0';
	if (x->tmpdir_fd >= 0)
		close(x->tmpdir_fd); /* the lock last, after the folder */
	x->tmpdir_fd = -1;
}

static int tmp_path(struct build_ctx *x, const char *name, char out[PATH_MAX])
{
	if (snprintf(out, PATH_MAX, "%s/%s", x->tmpdir, name) >= PATH_MAX)
		return tdv_error_set(x->err, -ENAMETOOLONG, "%s/%s: path too long", x->tmpdir, name);
	return 0;
}

/* A new file of exactly `size` bytes (sparse), mode 0644 whatever the umask. */
static int create_sized(struct build_ctx *x, const char *name, uint64_t size)
{
	char path[PATH_MAX];
	int r = tmp_path(x, name, path);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || fchmod(fd, 0644) < 0 || ftruncate(fd, (off_t)size) < 0)
		return tdv_error_set(x->err, negative_errno(), "%s: %s", path, strerror(errno));
	return 0;
}

static int record_output(struct build_ctx *x, const char *name)
{
	struct build_result *r = x->r;
	char path[PATH_MAX];
	struct stat st;
	int ret = tmp_path(x, name, path);
	if (ret < 0)
		return ret;
	if (r->n_files >= ELEMENTSOF(r->files))
		return tdv_error_set(x->err, -E2BIG, "too many output files");
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0 || fstat(fd, &st) < 0)
		return tdv_error_set(x->err, negative_errno(), "%s: %s", path, strerror(errno));
	ret = digest_fd(HASH_SHA256, fd, r->files[r->n_files].sha256);
	if (ret < 0)
		return tdv_error_set(x->err, ret, "%s: cannot hash: %s", path, strerror(-ret));
	snprintf(r->files[r->n_files].name, sizeof(r->files[0].name), "%s", name);
	r->files[r->n_files].size = (uint64_t)st.st_size;
	r->n_files++;
	return 0;
}

static int write_text(struct build_ctx *x, const char *name, const char *text)
{
	char path[PATH_MAX];
	int r = tmp_path(x, name, path);
	if (r < 0)
		return r;
	r = write_file_atomic(path, text, strlen(text), 0644);
	if (r < 0)
		return tdv_error_set(x->err, r, "%s: cannot write: %s", path, strerror(-r));
	if (chmod(path, 0644) < 0)
		return tdv_error_set(x->err, negative_errno(), "%s: %s", path, strerror(errno));
	return 0;
}

/* ---- steps ------------------------------------------------------------------------------ */

static int load_inputs(struct build_ctx *x)
{
	const struct build_config *c = x->c;
	struct rootfs_template_inputs in = {
		.template_dir = c->template_dir,
		.agent_path = c->agent,
		.base_path = c->base,
		.inputs = c->inputs,
		.n_inputs = c->n_inputs,
	};
	int r = rootfs_tree_load(&in, &x->tree, x->err);
	if (r < 0)
		return bad_input(x, r);

	const struct rootfs_input *inputs;
	size_t n;
	r = rootfs_tree_inputs(x->tree, &inputs, &n);
	if (r < 0)
		return tdv_error_set(x->err, r, "cannot list the inputs: %s", strerror(-r));
	x->r->inputs = calloc(n ? n : 1, sizeof(*x->r->inputs));
	_cleanup_free_ struct derive_input *din = calloc(n ? n : 1, sizeof(*din));
	if (!x->r->inputs || !din)
		return tdv_error_set(x->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct build_input_record *rec = &x->r->inputs[x->r->n_inputs++];
		rec->role = strdup(inputs[i].role);
		/* The agent and the base are named by their template placeholders: where they
		 * happen to sit on the build host is not part of the build. */
		if (strcmp(inputs[i].role, "agent") == 0)
			rec->path = strdup("@AGENT@");
		else if (strcmp(inputs[i].role, "base") == 0)
			rec->path = strdup("@BASE@");
		else if (strcmp(inputs[i].role, "input") == 0)
			rec->path = strdup(inputs[i].path); /* "@NAME@" */
		else
			rec->path = build_input_display_path(c->template_dir, inputs[i].path);
		if (!rec->role || !rec->path)
			return tdv_error_set(x->err, -ENOMEM, "out of memory");
		memcpy(rec->sha256, inputs[i].sha256, 32);
		din[i].role = inputs[i].role;
		memcpy(din[i].sha256, inputs[i].sha256, 32);
	}
	r = derive_ids(c->seed, c->epoch, c->alg, din, n, &x->r->ids);
	if (r < 0)
		return tdv_error_set(x->err, r, "cannot derive identifiers: %s", strerror(-r));
	return 0;
}

static int plan(struct build_ctx *x)
{
	const struct build_config *c = x->c;
	struct build_result *r = x->r;
	int ret;

	x->ext4 = (struct ext4_options){ .size_bytes = c->size, .timestamp = c->epoch, .label = "tdverity-root" };
	memcpy(x->ext4.uuid, r->ids.fs_uuid, 16);
	memcpy(x->ext4.hash_seed, r->ids.hash_seed, 16);
	ret = ext4_image_size(x->tree, &x->ext4, &r->fs_size, x->err);
	if (ret < 0)
		return bad_input(x, ret);
	if (!c->size) {
		/* Sized to the content: round to 1 MiB, so the filesystem fills its partition. */
		uint64_t rounded = (r->fs_size + DISK_ALIGN - 1) / DISK_ALIGN * DISK_ALIGN;
		if (rounded != r->fs_size) {
			x->ext4.size_bytes = rounded;
			ret = ext4_image_size(x->tree, &x->ext4, &r->fs_size, x->err);
			if (ret < 0)
				return bad_input(x, ret);
		}
	}
	if (r->fs_size == 0 || r->fs_size % VERITY_BLOCK)
		return tdv_error_set(x->err, -EINVAL, "ext4 size %llu is not a multiple of 4096",
				     (unsigned long long)r->fs_size);

	struct verity_params *p = &r->root.params;
	*p = (struct verity_params){
		.alg = c->alg,
		.data_block_size = VERITY_BLOCK,
		.hash_block_size = VERITY_BLOCK,
		.data_blocks = r->fs_size / VERITY_BLOCK,
		.salt_size = sizeof(r->ids.salt),
		.superblock = disk_layout_has_superblock(c->layout),
	};
	memcpy(p->salt, r->ids.salt, sizeof(r->ids.salt));
	if (p->superblock)
		memcpy(p->uuid, r->ids.verity_uuid, 16);
	uint64_t hash_size;
	ret = verity_hash_area_size(p, &hash_size);
	if (ret < 0)
		return tdv_error_set(x->err, ret, "cannot size the hash area: %s", strerror(-ret));
	ret = disk_geometry_compute(c->layout, r->fs_size, hash_size, &r->geometry);
	if (ret < 0)
		return tdv_error_set(x->err, ret, "cannot lay out the disk: %s", strerror(-ret));
	memcpy(r->disk.disk_guid, r->ids.disk_guid, 16);
	return 0;
}

static int blocks_final(void *userdata, uint64_t first, uint64_t n)
{
	return verity_stream_final(userdata, first, n);
}

static void verity_stream_freep(struct verity_stream **s) { verity_stream_free(*s); }

static int write_images(struct build_ctx *x)
{
	struct build_result *r = x->r;
	const struct disk_geometry *g = &r->geometry;
	bool split = x->c->layout == DISK_LAYOUT_SPLIT;
	const char *data_name = split ? "rootfs.img" : "disk.img";
	const char *hash_name = split ? "rootfs.verity" : "disk.img";
	char data_path[PATH_MAX], hash_path[PATH_MAX];
	int ret;

	if (split) {
		ret = create_sized(x, data_name, g->data_part_size);
		if (ret >= 0)
			ret = create_sized(x, hash_name, g->hash_part_size);
	} else {
		ret = create_sized(x, data_name, g->disk_size);
	}
	if (ret >= 0)
		ret = tmp_path(x, data_name, data_path);
	if (ret >= 0)
		ret = tmp_path(x, hash_name, hash_path);
	if (ret < 0)
		return ret;

	_cleanup_close_ int data_fd = open(data_path, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int hash_fd = open(hash_path, O_RDWR | O_CLOEXEC);
	if (data_fd < 0 || hash_fd < 0)
		return tdv_error_set(x->err, negative_errno(), "cannot open the image: %s", strerror(errno));
	struct verity_params p = r->root.params;
	p.hash_offset = g->hash_offset; /* in the file; the cmdline's is relative (0) */
	/* The tree is hashed from the file data as the ext4 writer writes it (a second
	 * thread), not read back afterwards: verity_stream_finish() only hashes the rest. */
	_cleanup_(verity_stream_freep) struct verity_stream *vs = NULL;
	ret = verity_stream_new(&p, data_fd, g->data_offset, hash_fd, 0, &vs);
	if (ret < 0)
		return tdv_error_set(x->err, ret, "dm-verity hash tree: %s", strerror(-ret));
	struct ext4_options ext4 = x->ext4;
	ext4.blocks_final = blocks_final;
	ext4.blocks_final_userdata = vs;
	ret = ext4_image_write(x->tree, &ext4, data_path, g->data_offset, x->err);
	if (ret < 0)
		return ret == -EFBIG || ret == -ENOSPC ? bad_input(x, ret) : ret;
	phase_mark(x, "ext4 write");
	ret = verity_stream_finish(vs, r->root.root_hash);
	if (ret < 0)
		return tdv_error_set(x->err, ret, "dm-verity hash tree: %s", strerror(-ret));
	phase_mark(x, "verity tree");

	if (!split) {
		ret = disk_uuids_from_root_hash(r->root.root_hash, hash_alg_size(p.alg), &r->disk);
		if (ret >= 0)
			ret = disk_write_partition_table(data_path, g, &r->disk, x->err);
		if (ret < 0)
			return ret;
		phase_mark(x, "partition table");
		ret = record_output(x, "disk.img");
	} else {
		ret = record_output(x, "rootfs.img");
		if (ret >= 0)
			ret = record_output(x, "rootfs.verity");
	}
	phase_mark(x, "image digests");
	return ret;
}

static int write_initrd(struct build_ctx *x)
{
	const struct build_config *c = x->c;
	struct build_result *r = x->r;
	char init[PATH_MAX], path[PATH_MAX];
	char **mods = NULL;
	int ret;

	if (!c->initrd)
		return 0;
	if (c->init)
		snprintf(init, sizeof(init), "%s", c->init);
	else if ((ret = build_default_init_path(init)) < 0)
		return tdv_error_set(x->err, ret, "cannot find tdverity-init: %s", strerror(-ret));
	ret = digest_file(HASH_SHA256, init, r->init_sha256);
	if (ret < 0)
		return bad_input(x, tdv_error_set(x->err, ret, "init %s: %s", init, strerror(-ret)));

	const char *alg = hash_alg_name(c->alg);
	ret = initrd_modules_resolve(c->kernel_modules, alg, &mods, NULL, x->err);
	if (ret < 0)
		return bad_input(x, ret);
	for (size_t i = 0; mods[i]; i++) { /* keep the file names only: paths are the host's */
		char *base = strdup(strrchr(mods[i], '/') ? strrchr(mods[i], '/') + 1 : mods[i]);
		if (!base) {
			initrd_module_list_free(mods);
			return tdv_error_set(x->err, -ENOMEM, "out of memory");
		}
		free(mods[i]);
		mods[i] = base;
	}
	r->initrd_modules = mods;

	/* builtin-initramfs: the same image, plain, for the kernel's CONFIG_INITRAMFS_SOURCE. */
	bool builtin = c->boot == BUILD_BOOT_BUILTIN_INITRAMFS;
	const char *name = build_init_image_name(c);
	struct initrd_image_inputs in = {
		.init_path = init,
		.modules_dir = c->kernel_modules,
		.timestamp = c->epoch,
		.hash_alg = alg,
		.uncompressed = builtin,
	};
	ret = tmp_path(x, name, path);
	if (ret < 0)
		return ret;
	ret = initrd_image_write(&in, path, x->err);
	if (ret < 0)
		return ret == -ENOENT || ret == -EINVAL || ret == -ENOEXEC ? bad_input(x, ret) : ret;
	if (chmod(path, 0644) < 0)
		return tdv_error_set(x->err, negative_errno(), "%s: %s", path, strerror(errno));
	r->have_initrd = true;
	ret = record_output(x, name);
	if (ret < 0 || !builtin)
		return ret;
	_cleanup_free_ char *fragment = NULL;
	if (build_kernel_config_fragment(r, &fragment) < 0)
		return tdv_error_set(x->err, -ENOMEM, "out of memory");
	ret = write_text(x, "kernel-config.fragment", fragment);
	return ret < 0 ? ret : record_output(x, "kernel-config.fragment");
}

static int write_texts(struct build_ctx *x)
{
	struct build_result *r = x->r;
	_cleanup_free_ char *cmdline = NULL, *dm = NULL, *kata = NULL, *manifest = NULL;
	_cleanup_free_ char *refvalues = NULL;
	int ret = build_cmdline(r, x->err);
	if (ret < 0)
		return ret == -EINVAL ? bad_input(x, ret) : ret;
	if (asprintf(&cmdline, "%s\n", r->cmdline) < 0)
		return tdv_error_set(x->err, -ENOMEM, "out of memory");
	ret = write_text(x, "cmdline.txt", cmdline);
	if (ret >= 0)
		ret = record_output(x, "cmdline.txt");
	if (ret < 0)
		return ret;

	if (build_dm_mod_create(r, &dm) < 0)
		return tdv_error_set(x->err, -ENOMEM, "out of memory");
	ret = write_text(x, "dm-mod-create.txt", dm);
	if (ret >= 0)
		ret = record_output(x, "dm-mod-create.txt");
	if (ret < 0)
		return ret;

	/* Kata derives "hash start block 0" from this line: true only without a superblock. */
	if (x->c->layout == DISK_LAYOUT_KATA) {
		if (build_kata_verity_params(r, &kata) < 0)
			return tdv_error_set(x->err, -ENOMEM, "out of memory");
		ret = write_text(x, "kata-verity-params.txt", kata);
		if (ret >= 0)
			ret = record_output(x, "kata-verity-params.txt");
		if (ret < 0)
			return ret;
		_cleanup_free_ char *snippet = NULL;
		if (build_kata_config_snippet(r, &snippet) < 0)
			return tdv_error_set(x->err, -ENOMEM, "out of memory");
		ret = write_text(x, "kata-config.toml", snippet);
		if (ret >= 0)
			ret = record_output(x, "kata-config.toml");
		if (ret < 0)
			return ret;
	}

	ret = write_initrd(x);
	if (ret < 0)
		return ret;

	/* Reference values before the manifest, so the manifest lists them. */
	/* A built-in initramfs is part of the kernel's image: no initrd event of its own. */
	char initrd[PATH_MAX];
	bool initrd_event = r->have_initrd && x->c->boot == BUILD_BOOT_INITRD;
	if (initrd_event && (ret = tmp_path(x, "initrd.img", initrd)) < 0)
		return ret;
	ret = build_reference_values_json(r, initrd_event ? initrd : NULL, &refvalues);
	if (ret < 0)
		return tdv_error_set(x->err, ret, "cannot build reference-values.json: %s",
				     strerror(-ret));
	ret = write_text(x, "reference-values.json", refvalues);
	if (ret >= 0)
		ret = record_output(x, "reference-values.json");
	if (ret < 0)
		return ret;

	ret = build_manifest_json(r, &manifest);
	if (ret < 0)
		return tdv_error_set(x->err, ret, "cannot build manifest.json: %s", strerror(-ret));
	return write_text(x, "manifest.json", manifest);
}

static int commit(struct build_ctx *x)
{
	const char *out = x->c->out;
	/* From here on the folder may become --out: a signal must no longer empty it. */
	unguard_tmpdir();
	/* rename(2) replaces an empty folder and refuses a non-empty one (ENOTEMPTY/EEXIST). */
	if (rename(x->tmpdir, out) < 0) {
		int r = negative_errno();
		if (r == -ENOTEMPTY || r == -EEXIST)
			return bad_input(x, tdv_error_set(x->err, r, "%s: appeared during the build and is "
								    "not empty; left it alone", out));
		return tdv_error_set(x->err, r, "cannot rename %s to %s: %s", x->tmpdir, out, strerror(-r));
	}
	x->tmpdir[0] = '\0';
	close(x->tmpdir_fd); /* now --out: no longer a sibling anyone may remove */
	x->tmpdir_fd = -1;
	_cleanup_free_ char *copy = strdup(out);
	if (copy) {
		_cleanup_close_ int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0)
			(void)fsync(dfd);
	}
	return 0;
}

int build_run(const struct build_config *config, struct build_result *ret, bool *ret_bad_input,
	      struct tdv_error *err)
{
	bool bad = false;
	struct build_ctx x = { .c = config, .r = ret, .bad_input = &bad, .err = err, .tmpdir_fd = -1,
			       .show_phases = getenv("TDV_BUILD_PHASES") != NULL };
	const char *why = NULL;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &x.phase_start);
	*ret = (struct build_result){ .config = config };
	r = check_out(&x);
	if (r >= 0 && cmdline_check_extra(config->extra_cmdline, &why) < 0)
		r = bad_input(&x, tdv_error_set(err, -EINVAL, "--extra-cmdline: %s", why));
	/* Kata's runtime writes "sha256" into its dm-mod.create= table whatever the image
	 * holds (GetKernelRootParams): any other hash builds an image Kata cannot boot. */
	if (r >= 0 && config->layout == DISK_LAYOUT_KATA && config->alg != HASH_SHA256)
		r = bad_input(&x, tdv_error_set(err, -EINVAL,
						"--layout kata --hash %s: Kata's dm-verity table "
						"is always sha256; use --hash sha256 or another layout",
						hash_alg_name(config->alg)));
	if (r >= 0)
		r = load_inputs(&x);
	phase_mark(&x, "load");
	if (r >= 0)
		r = plan(&x);
	if (r >= 0)
		r = make_tmpdir(&x);
	phase_mark(&x, "plan");
	if (r >= 0)
		r = write_images(&x);
	if (r >= 0)
		r = write_texts(&x);
	phase_mark(&x, "text outputs");
	if (r >= 0)
		r = commit(&x);
	phase_mark(&x, "commit");
	if (r < 0) {
		unguard_tmpdir();
		remove_tmpdir(&x);
	}
	rootfs_tree_free(x.tree);
	*ret_bad_input = bad;
	return r;
}
