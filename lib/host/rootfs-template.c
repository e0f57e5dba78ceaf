/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Template loading: manifest + --agent + --base → one sorted, validated rootfs tree.
 *
 * Threats answered here: a template or base tree must not make the builder read host
 * files outside the template/base folder (symlinks and ".." in file locations are resolved
 * beneath the folder with openat2(RESOLVE_BENEATH); base folders are walked without ever
 * following a symlink), and what is measured (SHA-256 of every input, taken here) must be
 * what is written (the writer re-hashes every host file and the tarball while streaming).
 */
#include "host/rootfs-tree.h"
#include "host/template-manifest.h"

#include "core/digest.h"
#include "core/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define MAX_ENTRIES (16u << 20) /* a sanity bound on tree size (memory is per entry) */
#define IO_CHUNK (1u << 20)

/* Loader-only bookkeeping kept next to each entry while the tree is being assembled. */
struct pending {
	struct rootfs_entry e;
	bool from_manifest;
	unsigned line;	     /* manifest line (from_manifest) */
	dev_t host_dev;	     /* base folder: hard-link identity (regular files, nlink > 1) */
	ino_t host_ino;
	char *hardlink_to;   /* base tarball: hard-link member → normalised target path */
};

struct loader {
	const struct rootfs_template_inputs *in;
	struct rootfs_tree *t;
	struct tdv_error *err;
	char *manifest_path;
	struct pending *p;
	size_t n, cap;
	uint64_t next_link_key;
	EVP_MD_CTX *base_md; /* base folder: canonical listing digest */
};

static void entry_free_fields(struct rootfs_entry *e)
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
}

void rootfs_tree_free(struct rootfs_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_entries; i++)
		entry_free_fields(&t->entries[i]);
	free(t->entries);
	for (int i = 0; i < _ROOT_MAX; i++)
		if (t->root_fd[i] >= 0)
			close(t->root_fd[i]);
	free(t->base_tarball);
	for (size_t i = 0; i < t->n_inputs; i++)
		free((char *)t->inputs[i].path);
	free(t->inputs);
	free(t);
}

static int oom(struct tdv_error *err) { return tdv_error_set(err, -ENOMEM, "out of memory"); }

static struct pending *pending_new(struct loader *L)
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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

static int open_beneath(int dirfd, const char *path, uint64_t resolve)
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
	if (e->root == ROOT_AGENT) {
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t->root_fd[ROOT_AGENT]);
		int fd = open(proc, O_RDONLY | O_CLOEXEC);
		return fd < 0 ? negative_errno() : fd;
	}
	/* Base folders were walked without following symlinks: keep it that way. */
	return open_beneath(t->root_fd[e->root], e->host_path,
			    e->root == ROOT_BASE ? RESOLVE_NO_SYMLINKS : 0);
}

/* --- the agent ---------------------------------------------------------------------- */

static int check_elf_executable(int fd, const char *path, struct tdv_error *err)
{
	unsigned char h[EI_NIDENT + 4];
	ssize_t n = pread(fd, h, sizeof(h), 0);
	if (n < 0)
		return tdv_error_set(err, negative_errno(), "agent %s: cannot read: %s", path,
				     strerror(errno));
	if ((size_t)n < sizeof(h) || memcmp(h, ELFMAG, SELFMAG) != 0)
		return tdv_error_set(err, -ENOEXEC, "agent %s: not an ELF file", path);
	if ((h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
		return tdv_error_set(err, -ENOEXEC, "agent %s: malformed ELF header", path);
	uint16_t type = h[EI_DATA] == ELFDATA2LSB ? (uint16_t)(h[16] | h[17] << 8)
						  : (uint16_t)(h[16] << 8 | h[17]);
	if (type != ET_EXEC && type != ET_DYN)
		return tdv_error_set(err, -ENOEXEC,
				     "agent %s: not an executable ELF (ELF type %u, want "
				     "EXEC or DYN)", path, type);
	return 0;
}

static int load_agent(struct loader *L)
{
	const char *path = L->in->agent_path;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return tdv_error_set(L->err, negative_errno(), "agent %s: cannot open: %s", path,
				     strerror(errno));
	L->t->root_fd[ROOT_AGENT] = fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return tdv_error_set(L->err, negative_errno(), "agent %s: %s", path,
				     strerror(errno));
	if (!S_ISREG(st.st_mode))
		return tdv_error_set(L->err, -ENOEXEC, "agent %s: not a regular file", path);
	return check_elf_executable(fd, path, L->err);
}

/* --- inputs ------------------------------------------------------------------------- */

static int add_input(struct rootfs_tree *t, const char *role, const char *path,
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

static int cmp_input(const void *a, const void *b)
{
	const struct rootfs_input *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : strcmp(x->role, y->role);
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

/* --- manifest lines → entries -------------------------------------------------------- */

static char *origin_line(struct loader *L, unsigned line)
{
	char *s;
	return asprintf(&s, "%s:%u", L->manifest_path, line) < 0 ? NULL : s;
}

/* Resolve a file location to a root + relative path; substitutions are whole-location. */
static int resolve_location(struct loader *L, const struct manifest_line *l,
			    struct rootfs_entry *e)
{
	const char *loc = l->location;
	if (loc[0] == '@') {
		if (strcmp(loc, "@AGENT@") != 0)
			return tdv_error_set(L->err, -EINVAL,
					     "%s:%u: unknown substitution '%.80s' (known: @AGENT@)",
					     L->manifest_path, l->line, loc);
		if (!L->in->agent_path)
			return tdv_error_set(L->err, -EINVAL,
					     "%s:%u: @AGENT@ used but no agent was given",
					     L->manifest_path, l->line);
		e->root = ROOT_AGENT;
		return 0;
	}
	if (strchr(loc, '@'))
		return tdv_error_set(L->err, -EINVAL,
				     "%s:%u: '@' in location '%.80s': substitutions must be a "
				     "whole location such as @AGENT@", L->manifest_path, l->line, loc);
	_cleanup_free_ char *norm = rootfs_path_normalize(loc);
	if (loc[0] == '/' || !norm)
		return tdv_error_set(L->err, -EINVAL,
				     "%s:%u: file location '%.200s' must be a relative path inside "
				     "the template folder (no '..', '.', empty components)",
				     L->manifest_path, l->line, loc);
	e->root = ROOT_TEMPLATE;
	if (!(e->host_path = strdup(norm + 1)))
		return oom(L->err);
	return 0;
}

/* Open the host source, check it is a regular file, take its size and SHA-256. */
static int hash_source(struct loader *L, struct rootfs_entry *e, const char *what)
{
	_cleanup_close_ int fd = rootfs_entry_open(L->t, e);
	if (fd < 0) {
		const char *why = fd == -EXDEV || fd == -ELOOP
					  ? "it leads outside the template folder"
					  : strerror(-fd);
		return tdv_error_set(L->err, fd, "%s: cannot open %s: %s", e->origin, what, why);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return tdv_error_set(L->err, negative_errno(), "%s: %s: %s", e->origin, what,
				     strerror(errno));
	if (!S_ISREG(st.st_mode))
		return tdv_error_set(L->err, -EINVAL, "%s: %s is not a regular file", e->origin,
				     what);
	e->size = (uint64_t)st.st_size;
	int r = digest_fd(HASH_SHA256, fd, e->sha256);
	if (r < 0)
		return tdv_error_set(L->err, r, "%s: cannot read %s: %s", e->origin, what,
				     strerror(-r));
	return 0;
}

static int add_manifest_file(struct loader *L, const struct manifest_line *l,
			     struct pending *p)
{
	struct rootfs_entry *e = &p->e;
	int r = resolve_location(L, l, e);
	if (r < 0)
		return r;
	e->source = SOURCE_HOST;
	_cleanup_free_ char *what = NULL;
	const char *host = e->root == ROOT_AGENT ? L->in->agent_path : NULL;
	if (!host && asprintf(&what, "%s/%s", L->in->template_dir, e->host_path) < 0)
		return oom(L->err);
	if (!host)
		host = what;
	if ((r = hash_source(L, e, host)) < 0)
		return r;
	r = add_input(L->t, e->root == ROOT_AGENT ? "agent" : "file", host, e->sha256);
	if (r < 0)
		return oom(L->err);
	if (l->n_links == 0)
		return 0;
	/* Hard links: more entries sharing source and link key (one inode). */
	e->link_key = ++L->next_link_key;
	size_t idx = (size_t)(p - L->p);
	for (size_t i = 0; i < l->n_links; i++) {
		struct pending *q = pending_new(L);
		if (!q)
			return oom(L->err);
		struct rootfs_entry *src = &L->p[idx].e; /* L->p may have moved */
		q->from_manifest = true;
		q->line = l->line;
		q->e = (struct rootfs_entry){
			.mode = src->mode, .uid = src->uid, .gid = src->gid, .size = src->size,
			.source = src->source, .root = src->root, .link_key = src->link_key,
		};
		memcpy(q->e.sha256, src->sha256, 32);
		q->e.path = strdup(l->links[i]);
		q->e.origin = origin_line(L, l->line);
		if (!q->e.path || !q->e.origin ||
		    (src->host_path && !(q->e.host_path = strdup(src->host_path))))
			return oom(L->err);
	}
	return 0;
}

static int add_manifest_line(struct loader *L, const struct manifest_line *l)
{
	static const uint32_t type_of[] = {
		[MANIFEST_DIR] = S_IFDIR,   [MANIFEST_FILE] = S_IFREG, [MANIFEST_SLINK] = S_IFLNK,
		[MANIFEST_NOD] = 0,	    [MANIFEST_PIPE] = S_IFIFO, [MANIFEST_SOCK] = S_IFSOCK,
	};
	if (l->kind == MANIFEST_BASE || l->kind == MANIFEST_XATTR)
		return 0;
	struct pending *p = pending_new(L);
	if (!p)
		return oom(L->err);
	p->from_manifest = true;
	p->line = l->line;
	struct rootfs_entry *e = &p->e;
	uint32_t type = l->kind == MANIFEST_NOD ? (l->dev_type == 'b' ? S_IFBLK : S_IFCHR)
						: type_of[l->kind];
	e->mode = type | l->mode;
	e->uid = l->uid;
	e->gid = l->gid;
	e->major = l->major;
	e->minor = l->minor;
	e->path = strdup(l->name);
	e->origin = origin_line(L, l->line);
	if (!e->path || !e->origin)
		return oom(L->err);
	if (l->kind == MANIFEST_SLINK) {
		if (!(e->target = strdup(l->location)))
			return oom(L->err);
		if (!*e->target)
			return tdv_error_set(L->err, -EINVAL, "%s: empty symlink target", e->origin);
	}
	if (l->kind == MANIFEST_FILE)
		return add_manifest_file(L, l, p);
	return 0;
}

/* --- base folder ------------------------------------------------------------------- */

static int xattr_wanted(const char *key)
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

static int entry_add_xattr(struct rootfs_entry *e, const char *key, const void *value,
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

static bool xattr_same(const struct rootfs_entry *e, const char *key, const void *value,
		       size_t len)
{
	for (size_t i = 0; i < e->n_xattrs; i++)
		if (strcmp(e->xattrs[i].key, key) == 0)
			return e->xattrs[i].len == len && memcmp(e->xattrs[i].value, value, len) == 0;
	return false;
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
		if (!xattr_wanted(k))
			continue;
		uint8_t value[MANIFEST_MAX_XATTR_VALUE];
		ssize_t vn = fd >= 0 ? fgetxattr(fd, k, value, sizeof(value))
				     : lgetxattr(path, k, value, sizeof(value));
		if (vn < 0)
			return errno == ERANGE ? -E2BIG : negative_errno();
		int r = entry_add_xattr(e, k, value, (size_t)vn);
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
	struct pending *p = pending_new(L);
	if (!p)
		return oom(L->err);
	size_t idx = (size_t)(p - L->p);
	struct rootfs_entry *e = &p->e;
	e->mode = (uint32_t)(st.st_mode & (S_IFMT | 07777));
	e->uid = (uint32_t)st.st_uid;
	e->gid = (uint32_t)st.st_gid;
	e->origin = strdup("base");
	if (asprintf(&e->path, "/%s", rel) < 0)
		e->path = NULL;
	if (!e->origin || !e->path)
		return oom(L->err);
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
			return oom(L->err);
		_cleanup_close_ int fd = rootfs_entry_open(L->t, e);
		if (fd < 0)
			return tdv_error_set(L->err, fd, "base %s/%s: %s", L->in->base_path, rel,
					     strerror(-fd));
		e->size = (uint64_t)st.st_size;
		if (st.st_nlink > 1) {
			p->host_dev = st.st_dev;
			p->host_ino = st.st_ino;
		}
		if ((r = digest_fd(HASH_SHA256, fd, e->sha256)) < 0)
			break;
		r = read_xattrs(fd, -1, NULL, e);
		break;
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
			return oom(L->err);
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
			r = oom(L->err);
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
			r = oom(L->err);
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

static int load_base_folder(struct loader *L)
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
	struct pending *p = pending_new(L);
	if (!p) {
		close(dfd);
		return oom(L->err);
	}
	p->e = (struct rootfs_entry){ .mode = (uint32_t)(st.st_mode & (S_IFMT | 07777)),
				      .uid = (uint32_t)st.st_uid, .gid = (uint32_t)st.st_gid };
	p->e.path = strdup("/");
	p->e.origin = strdup("base");
	if (!p->e.path || !p->e.origin) {
		close(dfd);
		return oom(L->err);
	}
	return walk_base_dir(L, dfd, "", 0);
}

/* --- base tarball ------------------------------------------------------------------- */

struct hashing_reader {
	int fd;
	EVP_MD_CTX *md;
	uint8_t buf[64 * 1024];
	int error; /* -errno from read() */
};

static la_ssize_t hashing_read(struct archive *a, void *userdata, const void **ret_buf)
{
	struct hashing_reader *h = userdata;
	ssize_t n;
	do
		n = read(h->fd, h->buf, sizeof(h->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		h->error = negative_errno();
		if (a)
			archive_set_error(a, -h->error, "read: %s", strerror(-h->error));
		return -1;
	}
	if (n > 0 && EVP_DigestUpdate(h->md, h->buf, (size_t)n) != 1) {
		h->error = -EIO;
		return -1;
	}
	*ret_buf = h->buf;
	return n;
}

/* Hash whatever libarchive did not read (trailing blocks after the end marker). */
static int hashing_finish(struct hashing_reader *h, uint8_t out[32])
{
	for (;;) {
		const void *b;
		la_ssize_t n = hashing_read(NULL, h, &b);
		if (n < 0)
			return h->error ? h->error : -EIO;
		if (n == 0)
			break;
	}
	unsigned len = 0;
	if (EVP_DigestFinal_ex(h->md, out, &len) != 1 || len != 32)
		return -EIO;
	return 0;
}

static int archive_open_hashing(const char *path, struct hashing_reader *h,
				struct archive **ret)
{
	h->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (h->fd < 0)
		return negative_errno();
	h->md = EVP_MD_CTX_new();
	if (!h->md || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
		return -ENOMEM;
	struct archive *a = archive_read_new();
	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_cpio(a);
	if (archive_read_open(a, h, NULL, hashing_read, NULL) != ARCHIVE_OK) {
		int r = h->error ? h->error : -EINVAL;
		archive_read_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

static void hashing_close(struct hashing_reader *h, struct archive *a)
{
	if (a)
		archive_read_free(a);
	if (h->fd >= 0)
		close(h->fd);
	EVP_MD_CTX_free(h->md);
}

/* "./a/b", "/a/b", "a/b/" → "/a/b"; "." and "./" → "/"; NULL when it escapes or is bad. */
static char *archive_path_normalize(const char *name)
{
	while (startswith(name, "./", &name))
		while (*name == '/')
			name++;
	while (*name == '/')
		name++;
	_cleanup_free_ char *s = strdup(name);
	if (!s)
		return NULL;
	size_t len = strlen(s);
	while (len > 0 && s[len - 1] == '/')
		s[--len] = '\0';
	if (len == 0 || strcmp(s, ".") == 0)
		return strdup("/");
	return rootfs_path_normalize(s);
}

static int tar_member(struct loader *L, struct archive_entry *ae, uint64_t ordinal)
{
	const char *tb = L->in->base_path;
	const char *name = archive_entry_pathname(ae);
	if (!name)
		return tdv_error_set(L->err, -EINVAL, "base %s: member %" PRIu64 " has no name",
				     tb, ordinal);
	_cleanup_free_ char *path = archive_path_normalize(name);
	if (!path)
		return tdv_error_set(L->err, -EINVAL,
				     "base %s: member '%.200s' escapes the rootfs or is malformed",
				     tb, name);
	int64_t uid = archive_entry_uid(ae), gid = archive_entry_gid(ae);
	if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
		return tdv_error_set(L->err, -EINVAL, "base %s: %s: invalid owner", tb, path);
	struct pending *p = pending_new(L);
	if (!p)
		return oom(L->err);
	struct rootfs_entry *e = &p->e;
	e->path = TAKE_PTR(path);
	e->uid = (uint32_t)uid;
	e->gid = (uint32_t)gid;
	e->mode = (uint32_t)archive_entry_perm(ae) & 07777;
	if (!(e->origin = strdup("base tarball")))
		return oom(L->err);
	const char *hl = archive_entry_hardlink(ae);
	if (hl) {
		if (!(p->hardlink_to = archive_path_normalize(hl)))
			return tdv_error_set(L->err, -EINVAL,
					     "base %s: %s: hard link target '%.200s' escapes the "
					     "rootfs or is malformed", tb, e->path, hl);
		e->mode |= S_IFREG;
		return 0;
	}
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG: {
		e->mode |= S_IFREG;
		la_int64_t size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
		if (size < 0)
			return tdv_error_set(L->err, -EINVAL, "base %s: %s: invalid size", tb,
					     e->path);
		e->size = (uint64_t)size;
		e->source = SOURCE_ARCHIVE;
		e->archive_index = ordinal;
		break;
	}
	case AE_IFDIR:
		e->mode |= S_IFDIR;
		break;
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(ae);
		if (!target || !*target || strlen(target) > MANIFEST_MAX_PATH)
			return tdv_error_set(L->err, -EINVAL,
					     "base %s: %s: symlink target empty or too long", tb,
					     e->path);
		e->mode |= S_IFLNK;
		if (!(e->target = strdup(target)))
			return oom(L->err);
		break;
	}
	case AE_IFCHR:
	case AE_IFBLK:
		e->mode |= archive_entry_filetype(ae) == AE_IFCHR ? S_IFCHR : S_IFBLK;
		if (archive_entry_rdevmajor(ae) > 4095 || archive_entry_rdevminor(ae) > 1048575)
			return tdv_error_set(L->err, -EINVAL, "base %s: %s: invalid device number",
					     tb, e->path);
		e->major = (uint32_t)archive_entry_rdevmajor(ae);
		e->minor = (uint32_t)archive_entry_rdevminor(ae);
		break;
	case AE_IFIFO:
		e->mode |= S_IFIFO;
		break;
	case AE_IFSOCK:
		e->mode |= S_IFSOCK;
		break;
	default:
		return tdv_error_set(L->err, -EINVAL, "base %s: %s: unsupported member type", tb,
				     e->path);
	}
	const char *key;
	const void *value;
	size_t vlen;
	archive_entry_xattr_reset(ae);
	while (archive_entry_xattr_next(ae, &key, &value, &vlen) == ARCHIVE_OK) {
		if (!xattr_wanted(key))
			continue;
		int r = entry_add_xattr(e, key, value, vlen);
		if (r == -EEXIST && xattr_same(e, key, value, vlen))
			continue; /* pax archives carry both LIBARCHIVE.xattr and SCHILY.xattr */
		if (r < 0)
			return tdv_error_set(L->err, r, "base %s: %s: xattr %s: %s", tb, e->path,
					     key, r == -E2BIG ? "too large" : strerror(-r));
	}
	return 0;
}

static int load_base_tarball(struct loader *L)
{
	struct hashing_reader h = { .fd = -1 };
	struct archive *a = NULL;
	int r = archive_open_hashing(L->in->base_path, &h, &a);
	if (r < 0) {
		hashing_close(&h, a);
		return tdv_error_set(L->err, r, "base %s: cannot open as a folder or an archive: %s",
				     L->in->base_path, r == -EINVAL ? "unknown format" : strerror(-r));
	}
	uint64_t ordinal = 0;
	for (;; ordinal++) {
		struct archive_entry *ae;
		int ar = archive_read_next_header(a, &ae);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			r = tdv_error_set(L->err, -EINVAL, "base %s: %s", L->in->base_path,
					  archive_error_string(a) ?: "malformed archive");
			goto out;
		}
		if ((r = tar_member(L, ae, ordinal)) < 0)
			goto out;
		if (archive_read_data_skip(a) != ARCHIVE_OK) {
			r = tdv_error_set(L->err, -EINVAL, "base %s: %s", L->in->base_path,
					  archive_error_string(a) ?: "truncated archive");
			goto out;
		}
	}
	if ((r = hashing_finish(&h, L->t->base_tarball_sha256)) < 0) {
		r = tdv_error_set(L->err, r, "base %s: %s", L->in->base_path, strerror(-r));
		goto out;
	}
	if (!(L->t->base_tarball = strdup(L->in->base_path)))
		r = oom(L->err);
out:
	hashing_close(&h, a);
	return r;
}

int rootfs_archive_stream(const struct rootfs_tree *t, rootfs_archive_fn fn, void *userdata,
			  struct tdv_error *err)
{
	if (!t->base_tarball)
		return 0;
	/* The content-bearing entries in archive order, one per member. */
	_cleanup_free_ const struct rootfs_entry **want = calloc(t->n_entries + 1, sizeof(*want));
	if (!want)
		return oom(err);
	size_t n = 0;
	for (size_t i = 0; i < t->n_entries; i++)
		if (t->entries[i].source == SOURCE_ARCHIVE)
			want[n++] = &t->entries[i];
	/* Sort by archive ordinal; hard-linked entries share one, keep the first. */
	for (size_t i = 1; i < n; i++) /* insertion sort is fine: mostly ordered */
		for (size_t j = i; j > 0 && want[j - 1]->archive_index > want[j]->archive_index; j--) {
			const struct rootfs_entry *x = want[j];
			want[j] = want[j - 1];
			want[j - 1] = x;
		}
	struct hashing_reader h = { .fd = -1 };
	struct archive *a = NULL;
	int r = archive_open_hashing(t->base_tarball, &h, &a);
	if (r < 0) {
		hashing_close(&h, a);
		return tdv_error_set(err, r, "base %s: %s", t->base_tarball, strerror(-r));
	}
	size_t k = 0;
	for (uint64_t ordinal = 0;; ordinal++) {
		struct archive_entry *ae;
		int ar = archive_read_next_header(a, &ae);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			r = tdv_error_set(err, -ESTALE, "base %s changed while building: %s",
					  t->base_tarball, archive_error_string(a) ?: "bad archive");
			goto out;
		}
		if (k < n && want[k]->archive_index == ordinal) {
			const struct rootfs_entry *e = want[k];
			la_int64_t size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
			if (archive_entry_filetype(ae) != AE_IFREG || size < 0 ||
			    (uint64_t)size != e->size) {
				r = tdv_error_set(err, -ESTALE, "base %s changed while building (%s)",
						  t->base_tarball, e->path);
				goto out;
			}
			if ((r = fn(e, a, userdata, err)) < 0)
				goto out;
			while (k < n && want[k]->archive_index == ordinal)
				k++;
		}
		if (archive_read_data_skip(a) != ARCHIVE_OK) {
			r = tdv_error_set(err, -ESTALE, "base %s changed while building: %s",
					  t->base_tarball, archive_error_string(a) ?: "truncated");
			goto out;
		}
	}
	uint8_t digest[32];
	if (k != n || (r = hashing_finish(&h, digest)) < 0 ||
	    !digest_equal(digest, t->base_tarball_sha256, 32))
		r = tdv_error_set(err, -ESTALE, "base %s changed while building", t->base_tarball);
out:
	hashing_close(&h, a);
	return r;
}

/* --- assembling the tree ------------------------------------------------------------ */

static int cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	int c = strcmp(x->e.path, y->e.path);
	if (c)
		return c;
	if (x->from_manifest != y->from_manifest)
		return x->from_manifest ? 1 : -1; /* base first, the manifest overrides it */
	return x->line < y->line ? -1 : x->line > y->line;
}

static void sort_pending(struct loader *L)
{
	if (L->n > 0) /* qsort(NULL, 0) is undefined */
		qsort(L->p, L->n, sizeof(*L->p), cmp_pending);
}

/* Drop base entries that a manifest line replaces; refuse every other duplicate. */
static int merge_duplicates(struct loader *L)
{
	size_t out = 0;
	for (size_t i = 0; i < L->n; i++) {
		struct pending *cur = &L->p[i];
		if (out > 0 && strcmp(L->p[out - 1].e.path, cur->e.path) == 0) {
			struct pending *prev = &L->p[out - 1];
			if (prev->from_manifest && cur->from_manifest)
				return tdv_error_set(L->err, -EEXIST,
						     "%s: duplicate path %s (first at line %u)",
						     cur->e.origin, cur->e.path, prev->line);
			if (!cur->from_manifest)
				return tdv_error_set(L->err, -EEXIST, "%s %s: duplicate path %s",
						     cur->e.origin, L->in->base_path, cur->e.path);
			/* The manifest replaces a base entry. */
			entry_free_fields(&prev->e);
			free(prev->hardlink_to);
			*prev = *cur;
			continue;
		}
		L->p[out++] = *cur;
	}
	L->n = out;
	return 0;
}

static int add_implicit_dir(struct loader *L, const char *path, const char *origin)
{
	struct pending *p = pending_new(L);
	if (!p)
		return oom(L->err);
	p->e = (struct rootfs_entry){ .mode = S_IFDIR | 0755 };
	p->e.path = strdup(path);
	p->e.origin = strdup(origin);
	return p->e.path && p->e.origin ? 0 : oom(L->err);
}

/* Binary search over the sorted prefix [0, n) of the pending entries. */
static const struct pending *find_pending_in(const struct loader *L, size_t n, const char *path)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(path, L->p[mid].e.path);
		if (c == 0)
			return &L->p[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const struct pending *find_pending(const struct loader *L, const char *path)
{
	return find_pending_in(L, L->n, path);
}

/*
 * Parents: the root always exists (0755 0 0 unless given).  Base tarballs often omit
 * folder members, so their missing parents are created 0755 0 0; a manifest entry whose
 * parent nobody declares is an error (explicit beats implicit in a measured image).
 * Entries are sorted, so a missing grandparent is met (and added) before its children.
 */
static int check_parents(struct loader *L)
{
	if (L->n == 0 || strcmp(L->p[0].e.path, "/") != 0) {
		int r = add_implicit_dir(L, "/", "implicit root");
		if (r < 0)
			return r;
		sort_pending(L);
	}
	size_t sorted = L->n;
	for (size_t i = 1; i < sorted; i++) {
		const struct pending *p = &L->p[i];
		size_t plen = (size_t)(strrchr(p->e.path, '/') - p->e.path);
		_cleanup_free_ char *parent = plen ? strndup(p->e.path, plen) : strdup("/");
		if (!parent)
			return oom(L->err);
		const struct pending *q = find_pending_in(L, sorted, parent);
		for (size_t j = sorted; !q && j < L->n; j++) /* implicit ones added so far */
			if (strcmp(L->p[j].e.path, parent) == 0)
				q = &L->p[j];
		if (q && !S_ISDIR(q->e.mode))
			return tdv_error_set(L->err, -ENOTDIR, "%s: parent %s of %s is not a directory",
					     p->e.origin, parent, p->e.path);
		if (q)
			continue;
		if (p->from_manifest)
			return tdv_error_set(L->err, -ENOENT,
					     "%s: parent directory %s of %s is not declared (add a "
					     "'dir' line)", p->e.origin, parent, p->e.path);
		/* Implicit parents of base members; their own parents too. */
		for (char *s = parent; s;) {
			const struct pending *have = find_pending_in(L, sorted, parent);
			for (size_t j = sorted; !have && j < L->n; j++)
				if (strcmp(L->p[j].e.path, parent) == 0)
					have = &L->p[j];
			if (have && !S_ISDIR(have->e.mode))
				return tdv_error_set(L->err, -ENOTDIR, "%s: %s is not a directory",
						     have->e.origin, parent);
			if (have)
				break;
			int r = add_implicit_dir(L, parent, "base tarball");
			if (r < 0)
				return r;
			s = strrchr(parent, '/');
			if (!s || s == parent)
				break;
			*s = '\0';
		}
	}
	if (L->n != sorted)
		sort_pending(L);
	if (!S_ISDIR(L->p[0].e.mode))
		return tdv_error_set(L->err, -ENOTDIR, "%s: / must be a directory", L->p[0].e.origin);
	const struct pending *lf = find_pending(L, "/lost+found");
	if (lf && !S_ISDIR(lf->e.mode))
		return tdv_error_set(L->err, -EINVAL, "%s: /lost+found must be a directory",
				     lf->e.origin);
	return 0;
}

struct ino_ref {
	dev_t dev;
	ino_t ino;
	size_t idx;
};

static int cmp_ino_ref(const void *a, const void *b)
{
	const struct ino_ref *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int resolve_hard_links(struct loader *L)
{
	/* Base folder: same (dev, ino) = one inode. */
	_cleanup_free_ struct ino_ref *refs = calloc(L->n + 1, sizeof(*refs));
	if (!refs)
		return oom(L->err);
	size_t n = 0;
	for (size_t i = 0; i < L->n; i++)
		if (L->p[i].host_ino && !L->p[i].from_manifest)
			refs[n++] = (struct ino_ref){ L->p[i].host_dev, L->p[i].host_ino, i };
	if (n > 0)
		qsort(refs, n, sizeof(*refs), cmp_ino_ref);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || refs[i].dev != refs[i - 1].dev || refs[i].ino != refs[i - 1].ino)
			++L->next_link_key;
		L->p[refs[i].idx].e.link_key = L->next_link_key;
	}
	/* Base tarball: a hard-link member takes its target's inode. */
	for (size_t i = 0; i < L->n; i++) {
		struct pending *p = &L->p[i];
		if (!p->hardlink_to)
			continue;
		const struct pending *q = find_pending(L, p->hardlink_to);
		if (!q || !S_ISREG(q->e.mode) || q->hardlink_to || q->from_manifest)
			return tdv_error_set(L->err, -EINVAL,
					     "base %s: %s: hard link to %s, which is not a regular "
					     "file of the archive", L->in->base_path, p->e.path,
					     p->hardlink_to);
		struct rootfs_entry *t = &L->p[q - L->p].e;
		if (!t->link_key)
			t->link_key = ++L->next_link_key;
		p->e.mode = t->mode;
		p->e.uid = t->uid;
		p->e.gid = t->gid;
		p->e.size = t->size;
		p->e.source = t->source;
		p->e.archive_index = t->archive_index;
		p->e.link_key = t->link_key;
		for (size_t j = 0; j < t->n_xattrs; j++) {
			int r = entry_add_xattr(&p->e, t->xattrs[j].key, t->xattrs[j].value,
						t->xattrs[j].len);
			if (r < 0)
				return oom(L->err);
		}
	}
	return 0;
}

static int apply_xattr_lines(struct loader *L, const struct manifest *m)
{
	for (size_t i = 0; i < m->n_lines; i++) {
		const struct manifest_line *l = &m->lines[i];
		if (l->kind != MANIFEST_XATTR)
			continue;
		const struct pending *q = find_pending(L, l->name);
		if (!q)
			return tdv_error_set(L->err, -ENOENT, "%s:%u: xattr for %s, which does not "
							      "exist", L->manifest_path, l->line, l->name);
		struct rootfs_entry *e = &L->p[q - L->p].e;
		if (e->link_key)
			return tdv_error_set(L->err, -EINVAL,
					     "%s:%u: xattr on hard-linked %s is not supported",
					     L->manifest_path, l->line, l->name);
		int r = entry_add_xattr(e, l->xattr_key, l->xattr_value, l->xattr_len);
		if (r == -EEXIST)
			return tdv_error_set(L->err, r, "%s:%u: duplicate xattr %s on %s",
					     L->manifest_path, l->line, l->xattr_key, l->name);
		if (r < 0)
			return oom(L->err);
	}
	return 0;
}

/* Canonical listing digest of a base folder (documented in rootfs.h). */
static int base_folder_digest(struct loader *L, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int r = -ENOMEM;
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
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
		if (n < 0 || EVP_DigestUpdate(md, line, (size_t)n + 1) != 1)
			goto out;
		for (size_t j = 0; j < e->n_xattrs; j++) {
			_cleanup_free_ char *xh = hex_encode_alloc(e->xattrs[j].value,
								   e->xattrs[j].len);
			_cleanup_free_ char *xl = NULL;
			n = xh ? asprintf(&xl, "xattr %s %s\n", e->xattrs[j].key, xh) : -1;
			if (n < 0 || EVP_DigestUpdate(md, xl, (size_t)n + 1) != 1)
				goto out;
		}
	}
	unsigned len;
	r = EVP_DigestFinal_ex(md, out, &len) == 1 && len == 32 ? 0 : -EIO;
out:
	EVP_MD_CTX_free(md);
	return r;
}

static int load_base(struct loader *L, bool wanted, const char *first_base_line)
{
	const char *base = L->in->base_path;
	if (!wanted && base)
		return tdv_error_set(L->err, -EINVAL,
				     "%s: a base was given but the template has no 'base' line",
				     L->manifest_path);
	if (wanted && !base)
		return tdv_error_set(L->err, -EINVAL, "%s: template needs a base (--base DIR|TAR)",
				     first_base_line);
	if (!base)
		return 0;
	struct stat st;
	if (stat(base, &st) < 0)
		return tdv_error_set(L->err, negative_errno(), "base %s: %s", base,
				     strerror(errno));
	uint8_t digest[32];
	int r;
	if (S_ISDIR(st.st_mode)) {
		if ((r = load_base_folder(L)) < 0)
			return r;
		sort_pending(L);
		if ((r = base_folder_digest(L, digest)) < 0)
			return oom(L->err);
	} else if (S_ISREG(st.st_mode)) {
		if ((r = load_base_tarball(L)) < 0)
			return r;
		memcpy(digest, L->t->base_tarball_sha256, 32);
	} else
		return tdv_error_set(L->err, -EINVAL, "base %s: not a folder or an archive", base);
	return add_input(L->t, "base", base, digest) < 0 ? oom(L->err) : 0;
}

static int load_manifest(struct loader *L, struct manifest **ret_m)
{
	if (asprintf(&L->manifest_path, "%s/manifest", L->in->template_dir) < 0)
		return oom(L->err);
	_cleanup_free_ uint8_t *data = NULL;
	size_t size;
	/* The manifest too must be inside the template folder (not a symlink out of it). */
	int r = open_beneath(L->t->root_fd[ROOT_TEMPLATE], "manifest", 0);
	if (r >= 0) {
		close(r);
		r = read_full_file(L->manifest_path, MANIFEST_MAX_SIZE, &data, &size);
	}
	if (r == -EXDEV || r == -ELOOP)
		return tdv_error_set(L->err, r, "template %s: the manifest leads outside the "
						"template folder", L->manifest_path);
	if (r < 0)
		return tdv_error_set(L->err, r, "template %s: cannot read manifest: %s",
				     L->manifest_path, strerror(-r));
	uint8_t digest[32];
	if ((r = digest_buf(HASH_SHA256, data, size, digest)) < 0 ||
	    add_input(L->t, "template-manifest", L->manifest_path, digest) < 0)
		return oom(L->err);
	return manifest_parse((const char *)data, size, L->manifest_path, ret_m, L->err);
}

static int load(struct loader *L)
{
	struct rootfs_tree *t = L->t;
	_cleanup_(manifest_freep) struct manifest *m = NULL;
	t->root_fd[ROOT_TEMPLATE] = open(L->in->template_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->root_fd[ROOT_TEMPLATE] < 0)
		return tdv_error_set(L->err, negative_errno(), "template %s: %s",
				     L->in->template_dir, strerror(errno));
	int r = load_manifest(L, &m);
	if (r < 0)
		return r;
	if (L->in->agent_path) {
		if ((r = load_agent(L)) < 0)
			return r;
		uint8_t digest[32];
		if ((r = digest_fd(HASH_SHA256, t->root_fd[ROOT_AGENT], digest)) < 0)
			return tdv_error_set(L->err, r, "agent %s: %s", L->in->agent_path,
					     strerror(-r));
		if (add_input(t, "agent", L->in->agent_path, digest) < 0)
			return oom(L->err);
	}
	_cleanup_free_ char *base_line = NULL;
	for (size_t i = 0; i < m->n_lines; i++) {
		if (m->lines[i].kind != MANIFEST_BASE)
			continue;
		if (base_line)
			return tdv_error_set(L->err, -EINVAL, "%s:%u: second 'base' line",
					     L->manifest_path, m->lines[i].line);
		if (!(base_line = origin_line(L, m->lines[i].line)))
			return oom(L->err);
	}
	if ((r = load_base(L, base_line != NULL, base_line)) < 0)
		return r;
	for (size_t i = 0; i < m->n_lines; i++)
		if ((r = add_manifest_line(L, &m->lines[i])) < 0)
			return r;
	sort_pending(L);
	if ((r = merge_duplicates(L)) < 0 || (r = check_parents(L)) < 0 ||
	    (r = resolve_hard_links(L)) < 0 || (r = apply_xattr_lines(L, m)) < 0)
		return r;
	/* Hand the entries to the tree. */
	if (!(t->entries = calloc(L->n, sizeof(*t->entries))))
		return oom(L->err);
	for (size_t i = 0; i < L->n; i++) {
		t->entries[i] = L->p[i].e;
		L->p[i].e = (struct rootfs_entry){ 0 };
		free(TAKE_PTR(L->p[i].hardlink_to));
	}
	t->n_entries = L->n;
	if (t->n_inputs > 0)
		qsort(t->inputs, t->n_inputs, sizeof(*t->inputs), cmp_input);
	return 0;
}

int rootfs_tree_load(const struct rootfs_template_inputs *in, struct rootfs_tree **ret_tree,
		     struct tdv_error *err)
{
	if (!in || !in->template_dir || !ret_tree)
		return tdv_error_set(err, -EINVAL, "no template given");
	struct rootfs_tree *t = calloc(1, sizeof(*t));
	if (!t)
		return oom(err);
	for (int i = 0; i < _ROOT_MAX; i++)
		t->root_fd[i] = -1;
	struct loader L = { .in = in, .t = t, .err = err };
	int r = load(&L);
	for (size_t i = 0; i < L.n; i++) {
		entry_free_fields(&L.p[i].e);
		free(L.p[i].hardlink_to);
	}
	free(L.p);
	free(L.manifest_path);
	if (r < 0) {
		rootfs_tree_free(t);
		return r;
	}
	*ret_tree = t;
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
