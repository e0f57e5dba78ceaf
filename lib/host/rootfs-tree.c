/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rootfs tree: the finished tree's accessors (rootfs-tree.h, rootfs.h) and the
 * helpers of the tree under construction (rootfs-loader.h).
 *
 * Threat answered here: a template or base tree must not make the builder read host
 * files outside the template/base folder; every host file is opened beneath its root
 * folder with openat2(RESOLVE_BENEATH), and base files without following any symlink.
 */
#include "host/rootfs-loader.h"

#include "host/template-manifest.h"

#include "core/digest.h"
#include "core/util.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#define MAX_ENTRIES (16u << 20) /* a sanity bound on tree size (memory is per entry) */

void rootfs_entry_free_fields(struct rootfs_entry *e)
{
	free(e->path);
	free(e->target);
	free(e->host_path);
	for (size_t i = 0; i < e->n_xattrs; i++) {
		free(e->xattrs[i].key);
		free(e->xattrs[i].value);
	}
	free(e->xattrs);
	free(e->origin);
	if (e->keeps_fd)
		close(e->host_fd);
	e->keeps_fd = false;
}

void rootfs_tree_free(struct rootfs_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_entries; i++)
		rootfs_entry_free_fields(&t->entries[i]);
	free(t->entries);
	for (int i = 0; i < _ROOT_MAX; i++)
		if (t->root_fd[i] >= 0)
			close(t->root_fd[i]);
	for (size_t i = 0; i < t->n_input_fds; i++)
		if (t->input_fds[i] >= 0)
			close(t->input_fds[i]);
	free(t->base_tarball);
	for (size_t i = 0; i < t->n_inputs; i++)
		free((char *)t->inputs[i].path);
	free(t->inputs);
	free(t);
}

int rootfs_oom(struct tdv_error *err) { return tdv_error_set(err, -ENOMEM, "out of memory"); }

struct pending *loader_pending_new(struct loader *L)
{
	if (L->n == L->cap) {
		if (L->cap >= MAX_ENTRIES)
			return NULL;
		size_t ncap = L->cap ? L->cap * 2 : 256;
		struct pending *np = reallocarray(L->p, ncap, sizeof(*np));
		if (!np)
			return NULL;
		L->p = np;
		L->cap = ncap;
	}
	struct pending *p = &L->p[L->n++];
	*p = (struct pending){ 0 };
	return p;
}

static int cmp_entry_path(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct rootfs_entry *)elem)->path);
}

const struct rootfs_entry *rootfs_tree_find(const struct rootfs_tree *t, const char *path)
{
	return bsearch(path, t->entries, t->n_entries, sizeof(*t->entries), cmp_entry_path);
}

/* --- opening host files beneath a root folder -------------------------------------- */

int rootfs_open_beneath(int dirfd, const char *path, uint64_t resolve)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = resolve | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0)
		return negative_errno();
	return (int)fd;
}

int rootfs_entry_open(const struct rootfs_tree *t, const struct rootfs_entry *e)
{
	if (e->source != SOURCE_HOST)
		return -EINVAL;
	if (e->root == ROOT_AGENT || e->root == ROOT_INPUT) {
		/* A fresh open file description of the file hashed at load, not the path again. */
		if (e->root == ROOT_INPUT && e->input >= t->n_input_fds)
			return -EINVAL;
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d",
			 e->root == ROOT_AGENT ? t->root_fd[ROOT_AGENT] : t->input_fds[e->input]);
		int fd = open(proc, O_RDONLY | O_CLOEXEC);
		return fd < 0 ? negative_errno() : fd;
	}
	/* Base folders were walked without following symlinks: keep it that way. */
	return rootfs_open_beneath(t->root_fd[e->root], e->host_path,
			    e->root == ROOT_BASE ? RESOLVE_NO_SYMLINKS : 0);
}

/* --- host file identity ------------------------------------------------------------ */

/* Far above any kernel's timestamp granularity (a jiffy, at most 10 ms). */
#define RACY_WINDOW_NS 100000000LL

void rootfs_file_id_of(const struct stat *st, struct rootfs_file_id *ret)
{
	*ret = (struct rootfs_file_id){
		.dev = (uint64_t)st->st_dev, .ino = (uint64_t)st->st_ino,
		.size = (uint64_t)st->st_size,
		.mtime_sec = st->st_mtim.tv_sec, .mtime_nsec = st->st_mtim.tv_nsec,
		.ctime_sec = st->st_ctim.tv_sec, .ctime_nsec = st->st_ctim.tv_nsec,
	};
}

static bool file_id_equal(const struct rootfs_file_id *a, const struct rootfs_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

#define HASH_CHUNK (1u << 20)

/* SHA-256 of exactly size bytes from fd's current offset; -ESTALE when it ends early. */
static int digest_exactly(int fd, uint64_t size, uint8_t out[32])
{
	size_t chunk = size < HASH_CHUNK ? (size_t)size + 1 : HASH_CHUNK;
	_cleanup_free_ uint8_t *buf = malloc(chunk);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int r = buf && md ? 0 : -ENOMEM;
	if (r == 0 && EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		r = -EIO;
	for (uint64_t left = size; r == 0 && left > 0;) {
		ssize_t n = read(fd, buf, left < chunk ? (size_t)left : chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = negative_errno();
		else if (n == 0)
			r = -ESTALE; /* shorter than it was: the fstat after tells */
		else if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
			r = -EIO;
		else
			left -= (uint64_t)n;
	}
	if (r == 0 && EVP_DigestFinal_ex(md, out, NULL) != 1)
		r = -EIO;
	EVP_MD_CTX_free(md);
	return r;
}

int rootfs_file_hash(struct rootfs_tree *t, int *fd, const struct rootfs_file_id *before,
		     struct rootfs_entry *e)
{
	struct rootfs_file_id a, b;
	struct stat st;
	if (!before) {
		if (fstat(*fd, &st) < 0)
			return negative_errno();
		if (!S_ISREG(st.st_mode))
			return -EINVAL;
		rootfs_file_id_of(&st, &a);
		before = &a;
	}
	int r = digest_exactly(*fd, before->size, e->sha256);
	if (r < 0)
		return r;
	struct timespec now;
	if (fstat(*fd, &st) < 0 || clock_gettime(CLOCK_REALTIME, &now) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	rootfs_file_id_of(&st, &b);
	if (!file_id_equal(before, &b))
		return -ESTALE;
	e->host_id = b;
	e->size = b.size;
	int64_t age = (now.tv_sec - b.ctime_sec) * 1000000000LL + (now.tv_nsec - b.ctime_nsec);
	e->rehash = age < RACY_WINDOW_NS;
	/* Keep the descriptor while the budget lasts (a slot is never given back). */
	size_t left = atomic_load(&t->fds_left);
	while (left > 0 && !atomic_compare_exchange_weak(&t->fds_left, &left, left - 1))
		;
	if (left > 0) {
		e->host_fd = *fd;
		e->keeps_fd = true;
		*fd = -1;
	}
	return 0;
}

int rootfs_file_check(int fd, const struct rootfs_entry *e)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return negative_errno();
	struct rootfs_file_id now;
	rootfs_file_id_of(&st, &now);
	return file_id_equal(&now, &e->host_id) ? 0 : -ESTALE;
}

/* --- inputs ------------------------------------------------------------------------- */

int rootfs_tree_add_input(struct rootfs_tree *t, const char *role, const char *path,
			  const uint8_t sha256[32])
{
	for (size_t i = 0; i < t->n_inputs; i++)
		if (strcmp(t->inputs[i].path, path) == 0 && strcmp(t->inputs[i].role, role) == 0)
			return 0;
	struct rootfs_input *ni = reallocarray(t->inputs, t->n_inputs + 1, sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	t->inputs = ni;
	char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	ni[t->n_inputs] = (struct rootfs_input){ .role = role, .path = p };
	memcpy(ni[t->n_inputs].sha256, sha256, 32);
	t->n_inputs++;
	return 0;
}

int rootfs_tree_inputs(const struct rootfs_tree *t, const struct rootfs_input **ret_inputs,
		       size_t *ret_n)
{
	if (!t)
		return -EINVAL;
	*ret_inputs = t->inputs;
	*ret_n = t->n_inputs;
	return 0;
}

/* --- xattrs ------------------------------------------------------------------------- */

int rootfs_xattr_wanted(const char *key)
{
	/* Host SELinux labels describe the build machine, not the image. */
	if (strcmp(key, "security.selinux") == 0)
		return 0;
	return startswith(key, "user.", NULL) || startswith(key, "trusted.", NULL) ||
	       startswith(key, "security.", NULL);
}

static int cmp_xattr(const void *a, const void *b)
{
	return strcmp(((const struct rootfs_xattr *)a)->key, ((const struct rootfs_xattr *)b)->key);
}

int rootfs_entry_add_xattr(struct rootfs_entry *e, const char *key, const void *value,
			   size_t len)
{
	if (len > MANIFEST_MAX_XATTR_VALUE || strlen(key) > 255)
		return -E2BIG;
	for (size_t i = 0; i < e->n_xattrs; i++)
		if (strcmp(e->xattrs[i].key, key) == 0)
			return -EEXIST;
	struct rootfs_xattr *nx = reallocarray(e->xattrs, e->n_xattrs + 1, sizeof(*nx));
	if (!nx)
		return -ENOMEM;
	e->xattrs = nx;
	struct rootfs_xattr *x = &nx[e->n_xattrs];
	x->key = strdup(key);
	x->value = malloc(len ? len : 1);
	if (!x->key || !x->value) {
		free(x->key);
		free(x->value);
		return -ENOMEM;
	}
	memcpy(x->value, value, len);
	x->len = len;
	e->n_xattrs++;
	qsort(e->xattrs, e->n_xattrs, sizeof(*e->xattrs), cmp_xattr);
	return 0;
}

size_t rootfs_tree_count(const struct rootfs_tree *t) { return t ? t->n_entries : 0; }

int rootfs_tree_entry(const struct rootfs_tree *t, size_t i, struct rootfs_entry_info *ret)
{
	if (!t || i >= t->n_entries)
		return -ERANGE;
	const struct rootfs_entry *e = &t->entries[i];
	*ret = (struct rootfs_entry_info){
		.path = e->path, .mode = e->mode, .uid = e->uid, .gid = e->gid,
		.major = e->major, .minor = e->minor, .target = e->target, .size = e->size,
		.n_xattrs = e->n_xattrs, .hard_linked = e->link_key != 0,
	};
	return 0;
}

