/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Template loading, the merge: manifest + --agent + --base → one sorted, validated
 * rootfs tree.  The base is read by rootfs-base-folder.c or rootfs-base-archive.c; this
 * file resolves the manifest's lines, lets them override base entries, adds missing
 * parents, resolves hard links and hands the entries to the tree.
 *
 * Threats answered here: a template must not make the builder read host files outside
 * the template folder (symlinks and ".." in file locations are resolved beneath the
 * folder with openat2(RESOLVE_BENEATH)), and what is measured (SHA-256 of every input,
 * taken at load) must be what is written (the writer re-hashes every host file and the
 * tarball while streaming).
 */
#include "host/rootfs-base.h"
#include "host/template-manifest.h"

#include "core/digest.h"
#include "core/util.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define FD_RESERVE 512 /* descriptors the tree's files leave for everything else */

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

/* --- named inputs (--input NAME=FILE) ---------------------------------------------- */

int rootfs_input_name_check(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > ROOTFS_INPUT_NAME_MAX || !(name[0] >= 'A' && name[0] <= 'Z') ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != n ||
	    strcmp(name, "AGENT") == 0 || strcmp(name, "BASE") == 0)
		return -EINVAL;
	return 0;
}

/* Open every input, check it is a regular file and record its digest as @NAME@: the
 * placeholder, not where the file sits on the build host, names it in manifest.json. */
static int load_named_inputs(struct loader *L)
{
	const struct rootfs_template_inputs *in = L->in;
	if (in->n_inputs > ROOTFS_MAX_INPUTS)
		return tdv_error_set(L->err, -E2BIG, "more than %d --input files",
				     ROOTFS_MAX_INPUTS);
	for (size_t i = 0; i < in->n_inputs; i++) {
		const struct rootfs_named_input *ni = &in->inputs[i];
		if (rootfs_input_name_check(ni->name) < 0)
			return tdv_error_set(L->err, -EINVAL, "--input %.40s: bad name (A-Z, 0-9, _; "
							      "not AGENT or BASE)", ni->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(in->inputs[j].name, ni->name) == 0)
				return tdv_error_set(L->err, -EINVAL, "--input %s given twice",
						     ni->name);
		int fd = open(ni->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			return tdv_error_set(L->err, negative_errno(), "input %s=%s: cannot open: %s",
					     ni->name, ni->path, strerror(errno));
		L->t->input_fds[L->t->n_input_fds++] = fd;
		struct stat st;
		uint8_t digest[32];
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			return tdv_error_set(L->err, -EINVAL, "input %s=%s: not a regular file",
					     ni->name, ni->path);
		int r = digest_fd(HASH_SHA256, fd, digest);
		if (r < 0)
			return tdv_error_set(L->err, r, "input %s=%s: %s", ni->name, ni->path,
					     strerror(-r));
		char placeholder[ROOTFS_INPUT_NAME_MAX + 3];
		snprintf(placeholder, sizeof(placeholder), "@%s@", ni->name);
		if (rootfs_tree_add_input(L->t, "input", placeholder, digest) < 0)
			return rootfs_oom(L->err);
	}
	return 0;
}

static int find_input(const struct loader *L, const char *loc)
{
	size_t n = strlen(loc);
	for (size_t i = 0; i < L->in->n_inputs; i++) {
		const char *name = L->in->inputs[i].name;
		if (n == strlen(name) + 2 && strncmp(loc + 1, name, n - 2) == 0)
			return (int)i;
	}
	return -1;
}

static int cmp_input(const void *a, const void *b)
{
	const struct rootfs_input *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : strcmp(x->role, y->role);
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
	if (loc[0] == '@' && strcmp(loc, "@AGENT@") != 0) {
		int i = loc[strlen(loc) - 1] == '@' ? find_input(L, loc) : -1;
		if (i < 0)
			return tdv_error_set(L->err, -EINVAL,
					     "%s:%u: unknown substitution '%.80s' (known: @AGENT@ "
					     "and the --input names)", L->manifest_path, l->line, loc);
		e->root = ROOT_INPUT;
		e->input = (unsigned)i;
		L->input_used[i] = true;
		return 0;
	}
	if (loc[0] == '@') {
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
		return rootfs_oom(L->err);
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
	int r = rootfs_file_hash(L->t, &fd, NULL, e);
	if (r == -EINVAL)
		return tdv_error_set(L->err, r, "%s: %s is not a regular file", e->origin, what);
	if (r < 0)
		return tdv_error_set(L->err, r, "%s: cannot read %s: %s", e->origin, what,
				     r == -ESTALE ? "it changed while it was read" : strerror(-r));
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
	const char *host = e->root == ROOT_AGENT   ? L->in->agent_path
			   : e->root == ROOT_INPUT ? L->in->inputs[e->input].path
						   : NULL;
	if (!host && asprintf(&what, "%s/%s", L->in->template_dir, e->host_path) < 0)
		return rootfs_oom(L->err);
	if (!host)
		host = what;
	if ((r = hash_source(L, e, host)) < 0)
		return r;
	/* Agent and inputs were recorded when they were opened. */
	r = e->root == ROOT_TEMPLATE ? rootfs_tree_add_input(L->t, "file", host, e->sha256) : 0;
	if (r < 0)
		return rootfs_oom(L->err);
	if (l->n_links == 0)
		return 0;
	/* Hard links: more entries sharing source and link key (one inode). */
	e->link_key = ++L->next_link_key;
	size_t idx = (size_t)(p - L->p);
	for (size_t i = 0; i < l->n_links; i++) {
		struct pending *q = loader_pending_new(L);
		if (!q)
			return rootfs_oom(L->err);
		struct rootfs_entry *src = &L->p[idx].e; /* L->p may have moved */
		q->from_manifest = true;
		q->line = l->line;
		q->e = (struct rootfs_entry){
			.mode = src->mode, .uid = src->uid, .gid = src->gid, .size = src->size,
			.source = src->source, .root = src->root, .input = src->input,
			.link_key = src->link_key,
			.host_id = src->host_id, .rehash = src->rehash,
		};
		memcpy(q->e.sha256, src->sha256, 32);
		q->e.path = strdup(l->links[i]);
		q->e.origin = origin_line(L, l->line);
		if (!q->e.path || !q->e.origin ||
		    (src->host_path && !(q->e.host_path = strdup(src->host_path))))
			return rootfs_oom(L->err);
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
	struct pending *p = loader_pending_new(L);
	if (!p)
		return rootfs_oom(L->err);
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
		return rootfs_oom(L->err);
	if (l->kind == MANIFEST_SLINK) {
		if (!(e->target = strdup(l->location)))
			return rootfs_oom(L->err);
		if (!*e->target)
			return tdv_error_set(L->err, -EINVAL, "%s: empty symlink target", e->origin);
	}
	if (l->kind == MANIFEST_FILE)
		return add_manifest_file(L, l, p);
	return 0;
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
			rootfs_entry_free_fields(&prev->e);
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
	struct pending *p = loader_pending_new(L);
	if (!p)
		return rootfs_oom(L->err);
	p->e = (struct rootfs_entry){ .mode = S_IFDIR | 0755 };
	p->e.path = strdup(path);
	p->e.origin = strdup(origin);
	return p->e.path && p->e.origin ? 0 : rootfs_oom(L->err);
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
			return rootfs_oom(L->err);
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
		return rootfs_oom(L->err);
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
			int r = rootfs_entry_add_xattr(&p->e, t->xattrs[j].key,
						       t->xattrs[j].value, t->xattrs[j].len);
			if (r < 0)
				return rootfs_oom(L->err);
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
		int r = rootfs_entry_add_xattr(e, l->xattr_key, l->xattr_value, l->xattr_len);
		if (r == -EEXIST)
			return tdv_error_set(L->err, r, "%s:%u: duplicate xattr %s on %s",
					     L->manifest_path, l->line, l->xattr_key, l->name);
		if (r < 0)
			return rootfs_oom(L->err);
	}
	return 0;
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
		if ((r = rootfs_base_folder_load(L)) < 0)
			return r;
		sort_pending(L);
		if ((r = rootfs_base_folder_digest(L, digest)) < 0)
			return rootfs_oom(L->err);
	} else if (S_ISREG(st.st_mode)) {
		if ((r = rootfs_base_archive_load(L)) < 0)
			return r;
		memcpy(digest, L->t->base_tarball_sha256, 32);
	} else
		return tdv_error_set(L->err, -EINVAL, "base %s: not a folder or an archive", base);
	return rootfs_tree_add_input(L->t, "base", base, digest) < 0 ? rootfs_oom(L->err) : 0;
}

static int load_manifest(struct loader *L, struct manifest **ret_m)
{
	if (asprintf(&L->manifest_path, "%s/manifest", L->in->template_dir) < 0)
		return rootfs_oom(L->err);
	_cleanup_free_ uint8_t *data = NULL;
	size_t size;
	/* The manifest too must be inside the template folder (not a symlink out of it). */
	int r = rootfs_open_beneath(L->t->root_fd[ROOT_TEMPLATE], "manifest", 0);
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
	    rootfs_tree_add_input(L->t, "template-manifest", L->manifest_path, digest) < 0)
		return rootfs_oom(L->err);
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
		if (rootfs_tree_add_input(t, "agent", L->in->agent_path, digest) < 0)
			return rootfs_oom(L->err);
	}
	if ((r = load_named_inputs(L)) < 0)
		return r;
	_cleanup_free_ char *base_line = NULL;
	for (size_t i = 0; i < m->n_lines; i++) {
		if (m->lines[i].kind != MANIFEST_BASE)
			continue;
		if (base_line)
			return tdv_error_set(L->err, -EINVAL, "%s:%u: second 'base' line",
					     L->manifest_path, m->lines[i].line);
		if (!(base_line = origin_line(L, m->lines[i].line)))
			return rootfs_oom(L->err);
	}
	if ((r = load_base(L, base_line != NULL, base_line)) < 0)
		return r;
	for (size_t i = 0; i < m->n_lines; i++)
		if ((r = add_manifest_line(L, &m->lines[i])) < 0)
			return r;
	for (size_t i = 0; i < L->in->n_inputs; i++)
		if (!L->input_used[i])
			return tdv_error_set(L->err, -EINVAL, "--input %s: @%s@ is not used by %s",
					     L->in->inputs[i].name, L->in->inputs[i].name,
					     L->manifest_path);
	sort_pending(L);
	if ((r = merge_duplicates(L)) < 0 || (r = check_parents(L)) < 0 ||
	    (r = resolve_hard_links(L)) < 0 || (r = apply_xattr_lines(L, m)) < 0)
		return r;
	/* Hand the entries to the tree. */
	if (!(t->entries = calloc(L->n, sizeof(*t->entries))))
		return rootfs_oom(L->err);
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
		return rootfs_oom(err);
	for (int i = 0; i < _ROOT_MAX; i++)
		t->root_fd[i] = -1;
	/* Entries keep their files open for the writer (rootfs_file_hash()) within the
	 * descriptor limit, leaving room for the folders being walked and the writer's own. */
	struct rlimit rl;
	size_t budget = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
					rl.rlim_cur > FD_RESERVE
				? (size_t)(rl.rlim_cur - FD_RESERVE)
				: 0;
	atomic_init(&t->fds_left, budget);
	struct loader L = { .in = in, .t = t, .err = err };
	int r = load(&L);
	for (size_t i = 0; i < L.n; i++) {
		rootfs_entry_free_fields(&L.p[i].e);
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
