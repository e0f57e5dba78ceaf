/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The folder base loader: --base FOLDER → entries of the tree under construction.
 *
 * Threats answered here: the folder is walked without ever following a symlink (every
 * entry is lstat'ed beneath its parent's fd, files are opened with RESOLVE_NO_SYMLINKS),
 * so a base cannot make the builder read host files outside it; every regular file is
 * hashed here, and what is measured must be what is written (the writer re-hashes).
 */
#include "host/rootfs-base.h"
#include "host/template-manifest.h"

#include "core/digest.h"
#include "core/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Read the xattrs of a base entry (those we can list unprivileged), without following it:
 * through an open fd for files and folders, else by path beneath the folder fd (symlinks,
 * devices, fifos, sockets).
 */
static int read_xattrs(int fd, int dirfd, const char *name, struct rootfs_entry *e)
{
	char path[64 + NAME_MAX], names[8192];
	ssize_t n;
	if (fd >= 0) {
		n = flistxattr(fd, names, sizeof(names));
	} else {
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
		n = llistxattr(path, names, sizeof(names));
	}
	if (n < 0)
		return errno == ENOTSUP || errno == ENOENT ? 0 : negative_errno();
	for (char *k = names; k < names + n; k += strlen(k) + 1) {
		if (!rootfs_xattr_wanted(k))
			continue;
		uint8_t value[MANIFEST_MAX_XATTR_VALUE];
		ssize_t vn = fd >= 0 ? fgetxattr(fd, k, value, sizeof(value))
				     : lgetxattr(path, k, value, sizeof(value));
		if (vn < 0)
			return errno == ERANGE ? -E2BIG : negative_errno();
		int r = rootfs_entry_add_xattr(e, k, value, (size_t)vn);
		if (r < 0)
			return r;
	}
	return 0;
}

static int walk_base_dir(struct loader *L, int dirfd, const char *rel, unsigned depth);

static int base_entry(struct loader *L, int dirfd, const char *name, const char *rel,
		      unsigned depth)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return tdv_error_set(L->err, negative_errno(), "base %s/%s: %s", L->in->base_path,
				     rel, strerror(errno));
	if (st.st_uid >= UINT32_MAX || st.st_gid >= UINT32_MAX)
		return tdv_error_set(L->err, -EINVAL, "base %s/%s: invalid owner",
				     L->in->base_path, rel);
	struct pending *p = loader_pending_new(L);
	if (!p)
		return rootfs_oom(L->err);
	size_t idx = (size_t)(p - L->p);
	struct rootfs_entry *e = &p->e;
	e->mode = (uint32_t)(st.st_mode & (S_IFMT | 07777));
	e->uid = (uint32_t)st.st_uid;
	e->gid = (uint32_t)st.st_gid;
	e->origin = strdup("base");
	if (asprintf(&e->path, "/%s", rel) < 0)
		e->path = NULL;
	if (!e->origin || !e->path)
		return rootfs_oom(L->err);
	int r = 0;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR: {
		_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
								 O_CLOEXEC);
		if (fd < 0)
			return tdv_error_set(L->err, negative_errno(), "base %s/%s: %s",
					     L->in->base_path, rel, strerror(errno));
		if ((r = read_xattrs(fd, -1, NULL, e)) < 0)
			break;
		return walk_base_dir(L, TAKE_FD(fd), rel, depth + 1);
	}
	case S_IFREG: {
		e->source = SOURCE_HOST;
		e->root = ROOT_BASE;
		if (!(e->host_path = strdup(rel)))
			return rootfs_oom(L->err);
		/* Content and xattrs are read by hash_files(), on every CPU, after the walk;
		 * it checks that it opened the file the walk saw. */
		e->size = (uint64_t)st.st_size;
		rootfs_file_id_of(&st, &e->host_id);
		if (st.st_nlink > 1) {
			p->host_dev = st.st_dev;
			p->host_ino = st.st_ino;
		}
		return 0;
	}
	case S_IFLNK: {
		char target[MANIFEST_MAX_PATH + 2];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target));
		if (n < 0)
			return tdv_error_set(L->err, negative_errno(), "base %s/%s: %s",
					     L->in->base_path, rel, strerror(errno));
		if (n == 0 || (size_t)n > MANIFEST_MAX_PATH)
			return tdv_error_set(L->err, -ENAMETOOLONG,
					     "base %s/%s: symlink target empty or too long",
					     L->in->base_path, rel);
		if (!(e->target = strndup(target, (size_t)n)))
			return rootfs_oom(L->err);
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
		e->major = major(st.st_rdev);
		e->minor = minor(st.st_rdev);
		break;
	case S_IFIFO:
	case S_IFSOCK:
		break;
	default:
		return tdv_error_set(L->err, -EINVAL, "base %s/%s: unsupported file type",
				     L->in->base_path, rel);
	}
	if (r >= 0 && !S_ISREG(st.st_mode))
		r = read_xattrs(-1, dirfd, name, &L->p[idx].e);
	if (r < 0)
		return tdv_error_set(L->err, r, "base %s/%s: %s", L->in->base_path,
				     L->p[idx].e.path + 1, r == -E2BIG ? "xattr too large"
								       : strerror(-r));
	return 0;
}

/* Walk one folder in name order; takes ownership of dirfd. */
static int walk_base_dir(struct loader *L, int dirfd, const char *rel, unsigned depth)
{
	if (depth > 256) {
		close(dirfd);
		return tdv_error_set(L->err, -ELOOP, "base %s/%s: nested too deeply",
				     L->in->base_path, rel);
	}
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return tdv_error_set(L->err, negative_errno(), "base %s: %s", L->in->base_path,
				     strerror(errno));
	}
	char **names = NULL;
	size_t n = 0;
	int r = 0;
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char **nn = reallocarray(names, n + 1, sizeof(*nn));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			r = rootfs_oom(L->err);
			goto out;
		}
		names = nn;
		n++;
	}
	if (errno) {
		r = tdv_error_set(L->err, negative_errno(), "base %s/%s: %s", L->in->base_path, rel,
				  strerror(errno));
		goto out;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && r >= 0; i++) {
		_cleanup_free_ char *child = NULL;
		if (asprintf(&child, "%s%s%s", rel, *rel ? "/" : "", names[i]) < 0) {
			r = rootfs_oom(L->err);
			break;
		}
		if (strlen(child) + 1 > MANIFEST_MAX_PATH) {
			r = tdv_error_set(L->err, -ENAMETOOLONG, "base %s/%s: path too long",
					  L->in->base_path, child);
			break;
		}
		r = base_entry(L, dirfd, names[i], child, depth);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}

/* --- the files' contents, hashed on every CPU ---------------------------------------- */

#define MAX_HASH_THREADS 8

struct hash_pass {
	struct loader *L;
	size_t *idx;	/* pending indices of the base's regular files, in walk order */
	int *result;	/* per file: 0 or -errno */
	size_t n;
	atomic_size_t next;
};

static int hash_file(struct loader *L, struct rootfs_entry *e)
{
	_cleanup_close_ int fd = rootfs_entry_open(L->t, e);
	if (fd < 0)
		return fd;
	/* The walk's lstat is the identity before: a file swapped for another (or a
	 * folder) behind the walk's back, or changed since, is -ESTALE. */
	struct rootfs_file_id walk = e->host_id;
	int r = rootfs_file_hash(L->t, &fd, &walk, e);
	if (r == -EINVAL)
		return -ESTALE;
	if (r < 0)
		return r;
	return read_xattrs(e->keeps_fd ? e->host_fd : fd, -1, NULL, e);
}

static void *hash_worker(void *arg)
{
	struct hash_pass *h = arg;
	for (;;) {
		size_t k = atomic_fetch_add(&h->next, 1);
		if (k >= h->n)
			break;
		h->result[k] = hash_file(h->L, &h->L->p[h->idx[k]].e);
	}
	return NULL;
}

/* Hash the regular files among pending entries [first, L->n); errors in walk order. */
static int hash_files(struct loader *L, size_t first)
{
	struct hash_pass h = { .L = L };
	_cleanup_free_ size_t *idx = calloc(L->n - first + 1, sizeof(*idx));
	_cleanup_free_ int *result = calloc(L->n - first + 1, sizeof(*result));
	if (!idx || !result)
		return rootfs_oom(L->err);
	for (size_t i = first; i < L->n; i++)
		if (L->p[i].e.source == SOURCE_HOST)
			idx[h.n++] = i;
	h.idx = idx;
	h.result = result;
	atomic_init(&h.next, 0);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = cpus < 1 ? 1 : cpus > MAX_HASH_THREADS ? MAX_HASH_THREADS : (size_t)cpus;
	if (threads > h.n)
		threads = h.n ? h.n : 1;
	pthread_t tid[MAX_HASH_THREADS];
	size_t started = 0;
	for (; started + 1 < threads; started++)
		if (pthread_create(&tid[started], NULL, hash_worker, &h) != 0)
			break; /* fewer threads still finish the job */
	hash_worker(&h);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (size_t k = 0; k < h.n; k++) {
		int r = result[k];
		if (r >= 0)
			continue;
		const char *why = r == -E2BIG	 ? "xattr too large"
				  : r == -ESTALE ? "it changed while it was read"
						 : strerror(-r);
		return tdv_error_set(L->err, r, "base %s/%s: %s", L->in->base_path,
				     L->p[idx[k]].e.path + 1, why);
	}
	return 0;
}

int rootfs_base_folder_load(struct loader *L)
{
	int fd = open(L->in->base_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return tdv_error_set(L->err, negative_errno(), "base %s: %s", L->in->base_path,
				     strerror(errno));
	L->t->root_fd[ROOT_BASE] = fd;
	int dfd = open(L->in->base_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return tdv_error_set(L->err, negative_errno(), "base %s: %s", L->in->base_path,
				     strerror(errno));
	/* The folder itself gives the root's mode and owner. */
	struct stat st;
	if (fstat(dfd, &st) < 0) {
		close(dfd);
		return tdv_error_set(L->err, negative_errno(), "base %s: %s", L->in->base_path,
				     strerror(errno));
	}
	struct pending *p = loader_pending_new(L);
	if (!p) {
		close(dfd);
		return rootfs_oom(L->err);
	}
	p->e = (struct rootfs_entry){ .mode = (uint32_t)(st.st_mode & (S_IFMT | 07777)),
				      .uid = (uint32_t)st.st_uid, .gid = (uint32_t)st.st_gid };
	p->e.path = strdup("/");
	p->e.origin = strdup("base");
	if (!p->e.path || !p->e.origin) {
		close(dfd);
		return rootfs_oom(L->err);
	}
	size_t first = L->n;
	int r = walk_base_dir(L, dfd, "", 0);
	return r < 0 ? r : hash_files(L, first);
}

/* Canonical listing digest of a base folder (documented in rootfs.h). */
int rootfs_base_folder_digest(const struct loader *L, uint8_t out[32])
{
	struct digest_stream md;
	if (digest_stream_init(&md, HASH_SHA256) < 0)
		return -EIO;
	for (size_t i = 0; i < L->n; i++) {
		const struct rootfs_entry *e = &L->p[i].e;
		if (L->p[i].from_manifest || strcmp(e->origin, "base") != 0)
			continue;
		char hex[65] = "";
		if (e->source == SOURCE_HOST)
			hex_encode(e->sha256, 32, hex);
		_cleanup_free_ char *line = NULL;
		int n = asprintf(&line, "%s %o %u %u %u:%u %s %s\n", e->path, e->mode, e->uid,
				 e->gid, e->major, e->minor, hex, e->target ? e->target : "");
		if (n < 0 || digest_stream_update(&md, line, (size_t)n + 1) < 0)
			return -ENOMEM;
		for (size_t j = 0; j < e->n_xattrs; j++) {
			_cleanup_free_ char *xh = hex_encode_alloc(e->xattrs[j].value,
								   e->xattrs[j].len);
			_cleanup_free_ char *xl = NULL;
			n = xh ? asprintf(&xl, "xattr %s %s\n", e->xattrs[j].key, xh) : -1;
			if (n < 0 || digest_stream_update(&md, xl, (size_t)n + 1) < 0)
				return -ENOMEM;
		}
	}
	return digest_stream_final(&md, out) < 0 ? -EIO : 0;
}

